/* result.h - what one mode's replay found: counters, histograms, the window it used. */
#ifndef DDWSIM_RESULT_H
#define DDWSIM_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/counters.h"
#include "ddwsim/enable_ddw.h"
#include "ddwsim/hist.h"
#include "ddwsim/workload.h"

#define SIM_MAX_DEVICES	WORKLOAD_MAX_DEVICES

struct mode_cfg;

struct sim_result {
	const struct mode_cfg *mode;
	const char *io_name;		/* what one I/O is: "packet", "NVMe command", "DMA" */
	uint64_t win_start;		/* bus address of the window used (device 0) */
	uint64_t win_size;		/* bytes (0 for bypass) */
	uint64_t win_page_shift;
	uint64_t win_levels;
	uint64_t table_bytes;		/* fully populated hardware table */
	uint64_t table_bytes_allocated;	/* what was allocated by the end */
	uint64_t host_page_shift;	/* the host table VFIO keeps for the window: */
	uint64_t host_levels;		/* its TCE size, levels, and bytes with the */
	uint64_t host_table_bytes;	/* userspace view (0: none) */
	uint64_t live_at_end;		/* mappings still live after the last op */
	bool timed;			/* the time figures are meaningful */
	unsigned cpus;			/* host CPUs (for utilization) */
	unsigned walkers;		/* PHB walk slots (for utilization) */
	struct mode_stats st;		/* all devices */
	unsigned ndev;			/* devices the workload used */
	struct mode_stats dev[SIM_MAX_DEVICES]; /* per device */
	struct ddw_choice ddw[SIM_MAX_DEVICES]; /* per device: its window, and why */
	struct hist dma_latency;	/* per I/O DMA, start to completion, ps */
	struct hist walk_latency;	/* per walk, ps */
};

#endif /* DDWSIM_RESULT_H */
