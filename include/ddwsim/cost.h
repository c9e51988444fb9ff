/* cost.h - the host CPU's cost model: cycles of the work a map, unmap or set-up did. */
#ifndef DDWSIM_COST_H
#define DDWSIM_COST_H

#include <stdint.h>

#include "ddwsim/config.h"
#include "ddwsim/counters.h"

/*
 * Cycles of one map or unmap in mapping model `mapping`, from what it did:
 * the counters before (a) and after (b) it. Kill requests are not included
 * (each costs platform.kill.cpu_ns, added where it is issued).
 * UINT64_MAX when the count passes 64 bits (10^7-cycle hypercalls times
 * 2^47 TCEs): the timed replay stops on it as a clock overflow.
 */
uint64_t cost_op_cycles(const struct config *cfg, int mapping, const struct mode_stats *a,
			const struct mode_stats *b);

/*
 * Picoseconds of CPU time to set a direct window up (st's setup_* counters):
 * the hypercalls with their TCEs (pseries) or the table writes (PowerNV),
 * then platform.kill.cpu_ns per kill request (KVM + VFIO's inside the
 * hypercalls, a VFIO user's per range on PowerNV). TICK_NEVER (UINT64_MAX) when that is 2^64 - 1 ps or more: the
 * timed replay stops on it as a clock overflow.
 */
uint64_t cost_setup_ps(const struct config *cfg, const struct mode_stats *st);

#endif /* DDWSIM_COST_H */
