/*
 * replay.h - the replay context: one mode's devices (each its own PE with its
 * windows and DMA API), their live mappings, window operations and op checks.
 *
 * Both replays use it and only it to change state: the functional replay
 * feeds it every op in trace order; the timed replay feeds it the same ops in
 * the same order as it reads them, and only decides when each one happens.
 * So timing never changes an allocator choice, a hypercall, a kill or a fault.
 */
#ifndef DDWSIM_REPLAY_H
#define DDWSIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/config.h"
#include "ddwsim/dma_api.h"
#include "ddwsim/enable_ddw.h"
#include "ddwsim/err.h"
#include "ddwsim/handles.h"
#include "ddwsim/phb.h"
#include "ddwsim/result.h"
#include "ddwsim/workload.h"

/*
 * A device's DMA parameters (struct device_dma_parameters and dma_mask): the
 * host.* keys, until the workload declares the device's own (a `device` op,
 * with its driver's values). Read them through replay_device_dma().
 */
struct rp_dma {
	uint64_t dma_mask;		/* dma_set_mask() */
	uint64_t max_seg_size;		/* dma_set_max_seg_size() */
	uint64_t seg_boundary;		/* dma_set_seg_boundary() */
};

/* One device: its own PE, windows, DMA API and counters. */
struct rp_device {
	struct rp_dma dma;		/* its DMA parameters */
	struct pe pe;
	struct dma_api api;		/* bound to the window the mode maps into */
	uint64_t api_start;		/* that window's start */
	struct dma_api alt;		/* dynamic mode: the PE's other window, where a
					 * trace recorded maps (e.g. a DDW it created) */
	bool alt_on;
	uint64_t alt_tbl;		/* the table alt was bound to (its base address) */
	uint32_t gen[2];		/* bindings of api and alt so far: a mapping
					 * made under an older one lost its window */
	struct handles *handles;	/* its live mappings by handle */
	struct mode_stats st;
	struct phb_log log;		/* request outcomes, for a timed replay */
	int mapping;			/* enum mapping_model it maps with: the mode's,
					 * or what the guest chose (mapping: auto) */
	bool own_ddw;			/* set-up made it a DDW (the mode's or the guest's) */
	uint64_t ddw_size;		/* that DDW's size, bytes */
	struct ddw_choice ddw;		/* what it maps through, and why */
	bool used;			/* an op other than `device` has run on it */
	unsigned mps, mrrs;		/* its link's (config_pcie): how the PHB splits its DMAs */
};

/*
 * The device and mapping of the last DMA replayed: the next DMA on the same
 * device and handle needs no lookup, and its requests go on in the same PHB
 * stream (the windows found for the DMAs before it). Only a map, an unmap, a
 * window op or a device op changes a device's mappings or windows, and every
 * op but a DMA forgets the memo (replay_op).
 */
struct replay_memo {
	struct rp_device *d;		/* NULL: nothing remembered */
	struct mapping *m;		/* NULL: the handle is not mapped */
	unsigned dev;
	uint64_t handle;
	struct phb_stream s;		/* d's PE's stream, begun when d was remembered */
};

struct replay {
	const struct config *cfg;
	const struct mode_cfg *mode;
	struct window_platform wp;
	uint64_t locked_vm;		/* VFIO tables charged to host.memlock, all
					 * devices (one process), pages */
	struct tce_cache *cache;	/* one PHB's cache, shared by the devices' PEs */
	struct phb phb;			/* its st points at the device being served */
	struct rp_device *dev[SIM_MAX_DEVICES];
	unsigned ndev;			/* highest device number seen + 1 */
	bool logging;			/* keep outcomes and kills for a timed replay */
	struct phb_kills kills;		/* the kills of the last host op */
	uint64_t nop;			/* ops replayed, for messages */
	long at;			/* replay_ops: the op of its batch being replayed */
	bool batched;			/* ops come through replay_ops: errors name op at */
	uint64_t bytes;			/* bytes the DMAs moved, all devices: below 2^64 */
	uint64_t live;			/* mappings live, all devices */
	uint64_t max_live;		/* the most run.max_memory allows (replay_init:
					 * UINT64_MAX, no limit; sim_run sets it) */
	struct op_source *src;		/* the workload, for where an op came from */
	struct replay_memo memo;	/* the last DMA's device and mapping */
	struct dma_seg *segbuf;		/* map_sg scratch */
	unsigned segcap;
};

/* What one op did, for a timed replay to put in time. */
struct replay_fx {
	uint64_t cycles;		/* map, unmap: CPU cycles of its work (no kills) */
	bool ok;			/* map: mapped; DMA: it reached mapped memory */
	const struct dma_seg *seg;	/* map: the segments made; DMA (ok): its mapping's
					 * (valid until the next op) */
	unsigned nseg;
	uint64_t len;			/* map: bytes mapped */
};

/*
 * Sets up mode `mode` of cfg: the TCE cache, and device 0 with its windows
 * (so that a mode's set-up is always shown). logging: keep each request's
 * outcome in its device's log and each host op's kills in r->kills.
 * Returns 0 or -1 (reported); replay_release() is needed either way.
 */
int replay_init(struct replay *r, const struct config *cfg, unsigned mode, bool logging);
void replay_release(struct replay *r);

/*
 * Replays ops[0..n), a batch of an op source (op_source_next_batch): each as
 * replay_op() without effects, DMAs on the handle of the DMA before them
 * without a second lookup. Returns 0 or -1 (reported, at the failing op:
 * r->at).
 */
int replay_ops(struct replay *r, const struct dma_op *ops, long n);

/*
 * Replays a batch of op_source_next_run(): its ops as replay_ops(), or its
 * run of DMAs with one lookup of their mapping and one PHB stream. The same
 * counts and outcomes as the same DMAs given one by one.
 */
int replay_run(struct replay *r, const struct op_run *b);

/*
 * For the timed replay: the first DMAs of a run (*tpl, each at its offset
 * addr[k], k < n) that make one request each within a mapping of one
 * segment, applied ahead of their reading: counted, translated and their
 * outcomes logged as replay_op() would, one by one, with nothing between.
 * *seg gets the mapping's segment. Returns how many (0: not the first),
 * or -1 when none of the run can be.
 */
long replay_run_ahead(struct replay *r, const struct dma_op *tpl, const uint64_t *addr, long n,
		      struct dma_seg *seg);

/* Device n, set up on first use; NULL after reporting (out of range, refused window). */
struct rp_device *replay_device(struct replay *r, const struct dma_op *op);

/* Device d's DMA parameters: its declaration's, else the host.* keys. */
static inline const struct rp_dma *replay_device_dma(const struct rp_device *d)
{
	return &d->dma;
}

/* Applies one op; fx (may be NULL) says what it did. 0, or -1 (reported). */
int replay_op(struct replay *r, const struct dma_op *op, struct replay_fx *fx);

/* Reports "WHERE: message" about the op just read and returns -1. */
int replay_op_error(struct replay *r, const char *fmt, ...) DDW_PRINTF(2, 3);

/*
 * Host memory the replay holds per live mapping of nseg segments, at most: a
 * hash slot, a record and a segment array (handles.c), with their doubling
 * slack; TCEs apart. For the memory budget (sim.c).
 */
uint64_t replay_bytes_per_mapping(unsigned nseg);

/* The counters and the window description into res (histograms are the caller's). */
void replay_result(struct replay *r, struct sim_result *res);

#endif /* DDWSIM_REPLAY_H */
