/* synth.h - synthetic workload generators: their parameters and op sources. */
#ifndef DDWSIM_SYNTH_H
#define DDWSIM_SYNTH_H

#include "ddwsim/config.h"
#include "ddwsim/workload.h"

/*
 * What a run of a generator holds at once, from its parameters alone, so a
 * run can be sized before anything is allocated (sim_budget). Bounds, not
 * averages: each figure is at least what the stream reaches.
 */
struct synth_load {
	uint64_t state;			/* bytes of the generator's own arrays */
	uint64_t live;			/* mappings live at once */
	uint64_t live_bytes;		/* bytes those mappings map, summed */
	unsigned nseg;			/* elements of the largest mapping */
	uint64_t dma_max;		/* bytes of the largest DMA */
	const char *key;		/* the parameter that drives live (workload.<key>) */
	const char *why;		/* live from the parameters: "ring_size x queues buffers" */
};

struct synth_gen {
	const char *name;		/* workload.generator */
	const char *help;		/* one line */
	const char *io_name;		/* what one I/O is, for reports: "packet",
					 * "NVMe command", "DMA" */
	const struct cfg_key *keys;	/* its parameters (workload.<key>) */
	/* Checks what the key table cannot (values that must agree): NULL if all
	 * is well, else the problem, with *key set to the key to blame. */
	const char *(*check)(const struct config *cfg, const char **key);
	/* Fills *ld for cfg's parameters (checked). Saturates at UINT64_MAX. */
	void (*load)(const struct config *cfg, struct synth_load *ld);
	/* Opens a source producing this generator's ops for cfg; 0 or -1 (reported). */
	int (*open)(struct op_source *src, const struct config *cfg);
};

/* The generators, ending with a NULL name; synth_find() returns NULL if unknown. */
extern const struct synth_gen synth_gens[];
const struct synth_gen *synth_find(const char *name);

#endif /* DDWSIM_SYNTH_H */
