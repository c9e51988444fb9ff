/* sim.h - one run of one mode: build the modules from the config, replay the ops, collect stats. */
#ifndef DDWSIM_SIM_H
#define DDWSIM_SIM_H

#include <stdint.h>

#include "ddwsim/config.h"
#include "ddwsim/hist.h"
#include "ddwsim/stats.h"

#define SIM_MAX_DEVICES	256

/* What the report says of a mode besides its counters. */
struct sim_result {
	const struct mode_cfg *mode;
	uint64_t win_start;		/* bus address of the window used (device 0) */
	uint64_t win_size;		/* bytes (0 for bypass) */
	unsigned win_page_shift;
	unsigned win_levels;
	uint64_t table_bytes;		/* fully populated hardware table */
	uint64_t table_bytes_allocated;	/* what was allocated by the end */
	uint64_t live_at_end;		/* mappings still live after the last op */
	bool timed;			/* the time figures below are meaningful */
	unsigned cpus;			/* host CPUs (for utilization) */
	struct mode_stats st;		/* all devices */
	unsigned ndev;			/* devices the workload used */
	struct mode_stats dev[SIM_MAX_DEVICES]; /* per device */
	struct hist dma_latency;	/* per DMA, start to completion, ps */
	struct hist walk_latency;	/* per walk, ps */
};

/*
 * Runs cfg's workload in cfg->modes[mode], timed if cfg->run.timing. res is
 * large (two histograms): allocate it, don't put it on the stack. Returns 0,
 * or -1 after reporting a runtime error (a bad op in the workload, a window
 * the platform refused).
 */
int sim_run(const struct config *cfg, unsigned mode, struct sim_result *res);

#endif /* DDWSIM_SIM_H */
