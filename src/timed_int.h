/*
 * timed_int.h - the timed replay's state, shared by its parts:
 *   timed.c       the loop: reading ahead, dependencies, the event dispatch;
 *   timed_host.c  the host CPUs running maps and unmaps, and their kills;
 *   timed_dev.c   each device's DMA engine and its PCIe link, and the PHB's
 *                 own link they share;
 *   timed_phb.c   the PHB pipeline: lookups, walk slots, kill stalls.
 * Private to those four files (the project's convention: src/<module>_int.h).
 *
 * What happens is decided by the replay context (replay.c) as each op is
 * read, in trace order; these parts only decide when. A request's outcome
 * (hit, walk of n reads, fault) comes from its device's log, written by the
 * one translation path (phb.c) when the DMA was read.
 */
#ifndef DDWSIM_TIMED_INT_H
#define DDWSIM_TIMED_INT_H

#include "ddwsim/engine.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/idpool.h"
#include "ddwsim/link.h"
#include "ddwsim/replay.h"
#include "ddwsim/timed.h"

#define NONE		IDPOOL_NONE	/* no entry */
#define NO_SLOT		UINT32_MAX	/* no walker slot */
#define NO_DEV		UINT32_MAX	/* no device */
#define WINDOW_OPS	4096		/* ops read ahead and not finished */
#define MAX_PENDING_REQS (1u << 26)	/* request outcomes read ahead, at most */
#define AHEAD_DMAS	256		/* a run's DMAs applied ahead of their reading, at most */
#define MAX_CPUS	4096
#define WALK_FILTER	256		/* counters of walks in flight by bus hash (a power of 2) */
#define WIRE_TABLE	512		/* TLPs this short take their wire time from a table */

enum ent_state { E_QUEUED = 1, E_RUNNING, E_DONE };

enum ev_kind {
	EV_HOST_DONE,	/* a: entry */
	EV_KILL,	/* a: entry, b: index in its kill list */
	EV_ISSUE,	/* a: entry: put its next request on the link */
	EV_REQ,		/* a: entry, b: bus address; outcome and length in the kind */
	EV_WALK_DONE,	/* a: walker slot */
	EV_DMA_DONE,	/* a: entry */
	EV_DEV_FREE,	/* a: device: its engine finished sending a DMA */
	EV_DEV_WAKE,	/* a: device: a time-stamped DMA may start */
	EV_TAG_FREE,	/* a: device: a read's last completion arrived, its tag is free */
	EV_READ_DONE,	/* a: entry: EV_TAG_FREE of its device, then EV_DMA_DONE, at once */
};

/* An EV_REQ's kind: the event, the request's outcome byte, its length. */
#define EV_REQ_KIND(o, len)	((uint32_t)EV_REQ | (uint32_t)(o) << 8 | (uint32_t)(len) << 16)
#define EV_KIND(k)		((k) & 0xff)
#define EV_OUTCOME(k)		(((k) >> 8) & 0xff)
#define EV_LEN(k)		((k) >> 16)

/*
 * What an entry's timing reads of its op: 48 bytes of struct dma_op's 96
 * (no sg, nothing of window ops: the one window op in flight, the barrier,
 * keeps its whole op in struct timed). dev < SIM_MAX_DEVICES once applied.
 */
struct ent_op {
	uint64_t handle, addr, len;
	uint64_t time_ps;
	uint32_t cpu, flags;
	uint16_t dev;
	uint8_t kind, dir;		/* enum op_kind, enum dma_dir */
};

/* An op read from the stream, until it is done and nothing refers to it. */
struct ent {
	struct ent_op op;
	uint64_t cycles;		/* MAP, UNMAP: CPU cycles of its work */
	ddw_tick start, last;		/* DMA: start; latest request completion */
	struct dma_cursor cur;		/* DMA: the requests still to issue */
	uint64_t reqs_out;		/* DMA: requests issued, not complete */
	uint32_t next;			/* queue link, or free list */
	uint32_t map;			/* DMA, UNMAP: the MAP it uses; NONE if unmapped */
	uint32_t unmap;			/* MAP: its UNMAP, once read */
	uint32_t prev_unmap;		/* MAP: the handle's previous UNMAP, if pending */
	uint32_t next_map;		/* UNMAP: the handle's next MAP, once read */
	uint32_t refs;			/* references from other entries and the binding table */
	uint32_t dmas;			/* MAP: bound DMAs not yet complete */
	uint32_t nkills;		/* MAP, UNMAP: kills it made */
	bool ok;			/* MAP: mapped; DMA: reaches mapped memory */
	uint8_t state;			/* enum ent_state */
};

/* An entry's buffers, kept per id across reuse (idpool records are zeroed). */
struct ent_buf {
	struct dma_seg *seg;		/* a DMA's segments it touches, from its start */
	uint64_t *kills;		/* requests of each kill (ent.nkills) */
	unsigned segcap, killcap;
};

struct walker {
	unsigned pe, win;
	uint64_t idx;
	ddw_tick done;
	uint64_t page;			/* its TCE's first bus byte >> shift */
	unsigned shift;			/* its TCE's size, log2 (the PHB's, phb_window) */
	bool straddles;			/* the TCE's bytes reach into page + 1 (unaligned window) */
};

struct queue {
	uint32_t head, tail;
};

/* A device's DMA engine and its link. */
struct engine {
	struct queue q;			/* DMAs waiting, in order */
	struct u64map bind;		/* handle -> its latest MAP or UNMAP entry */
	bool busy;			/* sending a DMA's requests */
	bool started;			/* has started a DMA */
	uint64_t outstanding;		/* DMAs started, not complete */
	ddw_tick wake;			/* a kick is already scheduled for then */
	ddw_tick up_free, down_free;	/* the link's directions: free again at */
	ddw_tick up_busy, down_busy;	/* the link's directions: time busy */
	unsigned tags_out;		/* read requests on their way, each holding a tag */
	uint32_t tag_wait;		/* the DMA waiting for a tag, or NONE */
	/* its own link: config_pcie(cfg, device) */
	struct link link;		/* bytes on the wire, TLP-layer bandwidth */
	double ps_per_byte;		/* link transfer time at link.tlp_gbps */
	unsigned read_tags;		/* pcie.read_tags */
	ddw_tick lat_ps;		/* one-way link latency */
	const ddw_tick *wire_ps;	/* its wire times from a table: the timed's, when its
					 * link is the platform's; NULL: computed */
	/* its event channels (engine.h), 0 until first used */
	uint32_t ch_up;			/* the engine's wake-ups (its next step goes aside, engine.h) */
	uint32_t ch_req;		/* requests arriving at the PHB */
	uint32_t ch_cpl;		/* requests and DMAs completing */
};

struct timed {
	struct replay *r;
	struct op_source *src;
	struct op_run batch;		/* the source's current batch or run (next_op) */
	long batch_at;			/* the next op of it to take */
	struct dma_op run_op;		/* a run's op being taken: its first but the offset */
	long ahead_end;			/* the run's ops before it are applied (run_ahead) */
	struct dma_seg ahead_seg;	/* their mapping's segment */
	bool ahead_none;		/* none of the run can be (replay_run_ahead) */
	struct sim_result *res;
	struct event_queue q;
	ddw_tick now;
	struct idpool ents;		/* the entries, by id */
	struct ent_buf *bufs;		/* per id */
	uint32_t nbufs;
	uint32_t inflight;		/* entries read and not done */
	uint64_t pending_reqs;		/* request outcomes logged, not yet issued */
	bool eof, failed;
	bool overflowed;		/* a time sum passed 2^64 - 2 ps (reported; failed is set) */
	uint32_t barrier;		/* a window op waiting for the rest to drain, or NONE */
	uint32_t memo_m;		/* the binding of (memo_dev, memo_handle), or NONE: */
	unsigned memo_dev;		/* the last DMA's, saving a DMA on the same handle */
	uint64_t memo_handle;		/* its lookup (bind_dma); timed_unbind forgets it */
	struct dma_op barrier_op;	/* its op */
	/* host */
	unsigned ncpu;
	struct queue cpuq[MAX_CPUS];
	bool cpu_busy[MAX_CPUS];
	ddw_tick cpu_busy_ps[MAX_CPUS];
	uint32_t cpu_ch[MAX_CPUS];	/* each CPU's event channel, 0 until first used */
	struct ddw_clock cpu_clk;
	ddw_tick kill_cpu_ps;
	bool kill_serial;		/* kill.phb_lock: one kill at a time */
	ddw_tick kill_free;		/* when the last kill taken ends */
	/* devices: each its own DMA engine and link */
	struct engine dev[SIM_MAX_DEVICES];
	double ps_per_byte;		/* the platform's link (platform.pcie): transfer time a byte */
	ddw_tick wire_ps[WIRE_TABLE];	/* its wire time of 0..WIRE_TABLE - 1 bytes */
	/* the PHB's own link (platform.pcie): shared by devices on links of their own */
	struct engine up;		/* its link, wire table and directions (timed_dev.c) */
	bool shared;			/* every TLP crosses it too (up_setup, up_join) */
	unsigned solo;			/* !shared: the one device that has started, or NO_DEV */
	/* PHB */
	struct ddw_clock phb_clk;
	ddw_tick edge_of, edge;		/* phb_now(): the PHB edge at or after edge_of; 0: none yet */
	ddw_tick hit_ps, walk_read_ps, mem_ps, kill_stall_ps;
	ddw_tick busy_ps, walk_busy_ps;	/* the translation unit's time per lookup, per walk */
	ddw_tick unit_free;		/* the translation unit is free from */
	ddw_tick stall_until;		/* kills */
	ddw_tick inorder_until;		/* no hit-under-miss: misses block until; with
					 * miss-under-miss, the last translation's end */
	bool hit_under_miss;
	bool in_order_done;		/* miss-under-miss: translations end in order */
	ddw_tick nowalker_until;	/* miss-under-miss: a miss waits for a walk slot until */
	ddw_tick first_free;		/* the earliest walk's end, while first_free_ok */
	bool first_free_ok;		/* no walk started or ended since first_free was found */
	struct walker *walkers;
	uint64_t *walker_busy;		/* bit w: walkers[w] is walking */
	uint16_t walk_filter[WALK_FILTER];	/* walks in flight by bus_hash(): none, for most requests */
	uint16_t walk_shift_n[64];	/* walks in flight by TCE size (log2) */
	uint64_t walk_shifts;		/* bit s: walk_shift_n[s] > 0 */
	unsigned nwalkers, busy_walkers;
	uint32_t walk_ch;		/* the walks' event channel */
};

/* timed.c */

/*
 * Time sums, ps. A time is 0..2^64 - 2 (TICK_NEVER is not one): a sum that
 * reaches TICK_NEVER reports "mode 'M': the picosecond clock overflows: WHAT
 * = A + B ps" (the first only), sets t->failed so that the loop stops at the
 * next event, and returns TICK_NEVER. So a run ends with a runtime error
 * instead of a wrapped, smaller time. timed_mul: n cycles (or requests) of
 * each ps. timed_edge: clock_edge(c, at), TICK_NEVER past the last edge.
 */
ddw_tick timed_add_overflow(struct timed *t, ddw_tick a, ddw_tick b, const char *what);

/* Inline: a request takes about eight sums. a + b >= 2^64 - 1 iff a >= TICK_NEVER - b. */
static inline ddw_tick timed_add(struct timed *t, ddw_tick a, ddw_tick b, const char *what)
{
	if (__builtin_expect(a >= TICK_NEVER - b, 0))
		return timed_add_overflow(t, a, b, what);
	return a + b;
}
ddw_tick timed_mul(struct timed *t, uint64_t n, ddw_tick each, const char *what);
ddw_tick timed_edge(struct timed *t, struct ddw_clock c, ddw_tick at, const char *what);

/*
 * Schedules an event through the channel *ch (made on first use): as
 * event_push, the same order whatever the channel (engine.h).
 */
static inline void timed_push(struct timed *t, uint32_t *ch, ddw_tick tick, uint32_t kind,
			      uint32_t a, uint64_t b)
{
	if (!*ch)
		*ch = event_chan_new(&t->q);
	event_push_chan(&t->q, *ch, tick, kind, a, b);
}

void timed_finish(struct timed *t, uint32_t i);
void timed_unref(struct timed *t, uint32_t i);
/* Drops dev's binding of handle if it names entry i (u64map_del_if); true if it did. */
bool timed_unbind(struct timed *t, unsigned dev, uint64_t handle, uint32_t i);
/* Drops the binding of map m if it is done, with no DMA in flight and no unmap. */
void timed_unbind_idle(struct timed *t, uint32_t m);
void timed_enqueue(struct timed *t, struct queue *q, uint32_t i);
uint32_t timed_dequeue(struct timed *t, struct queue *q);

static inline struct ent *ent(const struct timed *t, uint32_t i)
{
	return idpool_at_size(&t->ents, i, sizeof(struct ent));
}

static inline struct rp_device *timed_rdev(const struct timed *t, const struct ent *x)
{
	return t->r->dev[x->op.dev];
}

/* timed_host.c */
unsigned host_cpu_of(const struct timed *t, const struct ent *x);
void host_kick(struct timed *t, unsigned cpu);
void host_done(struct timed *t, uint32_t i);
void host_kill(struct timed *t, uint32_t i, unsigned k);

/* timed_dev.c */
void dev_setup(struct timed *t);
/*
 * The shared upstream link: up_setup() decides from the config whether the
 * devices have links of their own (more than one device, or one whose link
 * is not platform.pcie); up_join() is called as each device starts its first
 * DMA and makes the link shared when a second device starts (a trace's).
 */
void up_setup(struct timed *t);
void up_join(struct timed *t, unsigned dev);
/* Sets res's upstream_busiest_ps: the shared link's, else the lone device's. */
void up_figures(const struct timed *t, struct sim_result *res);
void dev_start(struct timed *t, unsigned dev);

/*
 * Starts what it can of dev's queued DMAs. Most calls find the engine busy
 * or its queue empty (three a request): that test is inline.
 */
static inline void dev_kick(struct timed *t, unsigned dev)
{
	const struct engine *e = &t->dev[dev];

	if (!e->busy && e->q.head != NONE)
		dev_start(t, dev);
}
void dev_issue(struct timed *t, uint32_t i);
void dev_request(struct timed *t, uint32_t i, uint64_t bus, unsigned len, unsigned outcome);
void dev_dma_done(struct timed *t, uint32_t i);
void dev_tag_free(struct timed *t, unsigned dev);

/* timed_phb.c */
void pipe_setup(struct timed *t);
/* When the request's translation completes, or 0 after rescheduling it. */
ddw_tick pipe_translate(struct timed *t, uint32_t i, uint64_t bus, unsigned len,
			unsigned outcome);
void pipe_walk_done(struct timed *t, unsigned slot);
void pipe_kill(struct timed *t, uint64_t requests);

#endif /* DDWSIM_TIMED_INT_H */
