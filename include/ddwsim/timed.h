/* timed.h - the timed replay: the replay context's ops put in time, as discrete events. */
#ifndef DDWSIM_TIMED_H
#define DDWSIM_TIMED_H

#include "ddwsim/replay.h"
#include "ddwsim/result.h"
#include "ddwsim/workload.h"

/*
 * Replays src through r (set up with logging on) in time: host CPUs, each
 * device's DMA engine and link, the PHB pipeline. Every op is applied to r
 * in the order it is read, so what happens is what the functional replay
 * finds; the time figures and the histograms go to res. 0 or -1 (reported).
 */
int timed_replay(struct replay *r, struct op_source *src, struct sim_result *res);

uint64_t timed_bytes_fixed(uint64_t dma_max, unsigned unit);

#endif /* DDWSIM_TIMED_H */
