/* sim.h - one run of one mode: the workload replayed, functionally or in time. */
#ifndef DDWSIM_SIM_H
#define DDWSIM_SIM_H

#include "ddwsim/config.h"
#include "ddwsim/result.h"

/*
 * Runs cfg's workload in cfg->modes[mode], timed if cfg->run.timing. res is
 * large (histograms, per-device counters): allocate it, don't put it on the
 * stack. Returns 0, or -1 after reporting a runtime error (a bad op in the
 * workload, a window the platform refused).
 */
int sim_run(const struct config *cfg, unsigned mode, struct sim_result *res);

#endif /* DDWSIM_SIM_H */
