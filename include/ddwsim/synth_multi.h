/* synth_multi.h - the op source of a config's devices: one generator per device, merged. */
#ifndef DDWSIM_SYNTH_MULTI_H
#define DDWSIM_SYNTH_MULTI_H

#include "ddwsim/config.h"
#include "ddwsim/workload.h"

/*
 * Opens one source for the cfg->ndevices devices of cfg's devices: list
 * (cfg->ndevices >= 1): each device's generator, merged into one stream of
 * ops that carry its device number. Returns 0, or -1 (reported); the source
 * is closed with op_source_close() either way.
 */
int synth_multi_open(struct op_source *src, const struct config *cfg);

/* The seed device dev's generator runs with: run.seed for device 0. */
uint64_t synth_multi_seed(uint64_t seed, unsigned dev);

#endif /* DDWSIM_SYNTH_MULTI_H */
