/* sim.h - one run of one mode: the workload replayed, functionally or in time. */
#ifndef DDWSIM_SIM_H
#define DDWSIM_SIM_H

#include <stdint.h>

#include "ddwsim/config.h"
#include "ddwsim/result.h"

/*
 * Runs cfg's workload in cfg->modes[mode], timed if cfg->run.timing. res is
 * large (histograms, per-device counters): allocate it, don't put it on the
 * stack. Returns 0, or -1 after reporting a runtime error (a bad op in the
 * workload, a window the platform refused).
 */
int sim_run(const struct config *cfg, unsigned mode, struct sim_result *res);

struct progress;
/*
 * The progress line sim_run() updates as it reads ops (progress.h), or NULL
 * for none (the default). The fraction done is the I/Os replayed over
 * sim_expected_ios() for a generator, the bytes read over the file's size
 * for a trace.
 */
void sim_set_progress(struct progress *p);
/* The I/Os a generator's run makes: run.ios per device (x devices with
 * devices:); 0 for a trace (not known before it is read). */
uint64_t sim_expected_ios(const struct config *cfg);

/*
 * The memory budget, before any mode runs: a generator's run whose estimate
 * (sim.c: its state, the replay's bytes per live mapping, the TCEs) is above
 * sim_memory_limit() is refused. Returns 0, or -1 after "WHERE: workload.KEY:
 * needs about N GiB ..." naming the parameter that drives it (a config error).
 * A trace passes: its replay stops once its live mappings reach the limit.
 */
int sim_budget(const struct config *cfg);
/* run.max_memory, or half the machine's RAM when it is 0. */
uint64_t sim_memory_limit(const struct config *cfg);

#endif /* DDWSIM_SIM_H */
