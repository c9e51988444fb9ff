/* synth.h - synthetic workload generators: their parameters and op sources. */
#ifndef DDWSIM_SYNTH_H
#define DDWSIM_SYNTH_H

#include "ddwsim/config.h"
#include "ddwsim/workload.h"

struct synth_gen {
	const char *name;		/* workload.generator */
	const char *help;		/* one line */
	const char *io_name;		/* what one I/O is, for reports: "packet",
					 * "NVMe command", "DMA" */
	const struct cfg_key *keys;	/* its parameters (workload.<key>) */
	/* Checks what the key table cannot (values that must agree): NULL if all
	 * is well, else the problem, with *key set to the key to blame. */
	const char *(*check)(const struct config *cfg, const char **key);
	/* Opens a source producing this generator's ops for cfg; 0 or -1 (reported). */
	int (*open)(struct op_source *src, const struct config *cfg);
};

/* The generators, ending with a NULL name; synth_find() returns NULL if unknown. */
extern const struct synth_gen synth_gens[];
const struct synth_gen *synth_find(const char *name);

#endif /* DDWSIM_SYNTH_H */
