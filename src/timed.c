/*
 * timed.c - the timed replay: host CPUs, the device's DMA engine and link,
 * and the PHB's translation, on one event queue (engine.c).
 *
 * Ops are read ahead (at most WINDOW_OPS unfinished) and each waits for what
 * it depends on; every dependency points back in the stream, so the oldest
 * unfinished op can always run and the replay never deadlocks:
 *   map      on its CPU, in program order; after the previous unmap of the
 *            same handle (a buffer is reused only once it is free);
 *   DMA      on its device's engine, in order; after its map completed;
 *   unmap    on its CPU, in program order; after every DMA of the mapping.
 *
 * Host side. A map or unmap does its functional work (allocator, TCEs,
 * hcalls: dma_api.c) when it starts; its CPU time is the sum of that work's
 * costs (host.cost, platform.hcall), then one kill.cpu_ns per kill request.
 * Each kill reaches the PHB when the host issues it: the cache is
 * invalidated then, and translation stalls kill.stall_ns.
 *
 * Device side. The engine sends a DMA's requests back to back on the
 * upstream link: a write carries its payload, a read only a header; each
 * TLP takes (bytes + tlp_overhead) / link rate and arrives pcie.latency_ns
 * later. At the PHB a request is looked up (hit_cycles); on a miss a walker
 * reads `levels` entries one after another (walk.memory_latency_ns each), at
 * most walk.max_outstanding at once; a miss on a TCE already being walked
 * waits for that walk; with hit_under_miss false nothing passes a miss. The
 * translated request then reaches memory (memory_latency_ns); a read's data
 * comes back down the link as completions of at most MPS bytes. A DMA is
 * complete when its last request is.
 *
 * Every latency is a whole number of its component's clock cycles: PHB
 * latencies of platform.clock_mhz, host costs of host.cpu_mhz; the link moves
 * whole bytes at its rate; ns figures are converted once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/engine.h"
#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"
#include "sim_int.h"

#define NONE		UINT32_MAX
#define WINDOW_OPS	4096		/* ops read ahead and not finished */
#define MAX_CPUS	4096

enum ent_state { E_FREE, E_QUEUED, E_RUNNING, E_DONE };

enum ev_kind {
	EV_HOST_DONE,	/* a: entry */
	EV_KILL,	/* a: entry, b: index in its kill list */
	EV_ISSUE,	/* a: entry: put its next request on the link */
	EV_REQ,		/* a: entry, b: bus address; length in the kind's high bits */
	EV_WALK_DONE,	/* a: walker slot */
	EV_DMA_DONE,	/* a: entry */
	EV_DEV_FREE,	/* a: device: its engine finished sending a DMA */
	EV_DEV_WAKE,	/* a: device: a time-stamped DMA may start */
};

#define EV(kind, len)	((uint32_t)(kind) | (uint32_t)(len) << 8)

/* An op read from the stream, until it is done and nothing refers to it. */
struct ent {
	struct dma_op op;		/* sg points at this entry's own copy */
	struct sg_elem *sg;		/* copy of a map_sg's elements */
	unsigned sgcap;
	struct dma_seg *seg;		/* MAP: what each element was mapped to */
	unsigned segcap, nseg;
	uint64_t maplen;		/* MAP: bytes mapped */
	bool map_ok;			/* MAP: the allocation succeeded */
	unsigned api;			/* MAP: through sim_api_of(dev, api) */
	uint8_t state;			/* enum ent_state */
	uint32_t next;			/* queue link, or free list */
	uint32_t map;			/* DMA, UNMAP: the MAP it uses; NONE if unmapped */
	uint32_t unmap;			/* MAP: its UNMAP, once read */
	uint32_t prev_unmap;		/* MAP: the handle's previous UNMAP, if pending */
	uint32_t next_map;		/* UNMAP: the handle's next MAP, once read */
	uint32_t refs;			/* references from other entries and the handle table */
	uint32_t dmas;			/* MAP: bound DMAs not yet complete */
	ddw_tick start, last;		/* DMA: start; latest request completion */
	unsigned seg_i;			/* DMA progress: element, offset, bytes left */
	uint64_t seg_off, left;
	uint64_t reqs_out;		/* DMA: requests issued, not complete */
	struct kill_req *kills;		/* host op: the kills it made */
	unsigned nkills, killcap;
};

struct walker {
	bool busy, fill;		/* in flight; fill the cache when done */
	unsigned pe, win;
	uint64_t idx;
	ddw_tick done;
	uint64_t tce;			/* result; 0 = fault */
};

struct queue {
	uint32_t head, tail;
};

/* A device's DMA engine and its link. */
struct engine {
	struct queue q;			/* DMAs waiting, in order */
	bool busy;			/* sending a DMA's requests */
	uint64_t outstanding;		/* DMAs started, not complete */
	ddw_tick wake;			/* a kick is already scheduled for then */
	ddw_tick up_free, down_free;	/* the link's directions: free again at */
};

struct timed {
	struct sim *s;
	struct op_source *src;
	struct event_queue q;
	ddw_tick now;
	struct ent *e;			/* the pool */
	uint32_t ne, cap, free_head;
	uint32_t inflight;		/* entries read and not done */
	bool eof, failed;
	/* host */
	unsigned ncpu;
	struct queue cpuq[MAX_CPUS];
	bool cpu_busy[MAX_CPUS];
	struct ddw_clock cpu_clk;
	/* devices: each its own DMA engine and link */
	struct engine dev[SIM_MAX_DEVICES];
	double ps_per_byte;		/* link transfer time */
	uint32_t barrier;		/* a window op waiting for the rest to drain, or NONE */
	/* PHB */
	struct ddw_clock phb_clk;
	ddw_tick hit_ps, walk_read_ps, mem_ps, lat_ps, kill_cpu_ps, kill_stall_ps;
	ddw_tick pnow;			/* now, moved to the next PHB clock edge */
	ddw_tick stall_until;		/* kills */
	ddw_tick inorder_until;		/* no hit-under-miss: misses block until */
	struct walker *walkers;
	unsigned nwalkers, busy_walkers;
	uint32_t cur_kill_entry;	/* entry collecting kills (sink) */
};

/* --- the pool --- */

static uint32_t ent_new(struct timed *t)
{
	uint32_t i = t->free_head;
	struct ent *x;

	if (i != NONE) {
		t->free_head = t->e[i].next;
	} else {
		if (t->ne == t->cap) {
			if (t->cap >= 1u << 31) {	/* the next doubling would wrap 32 bits */
				fprintf(stderr, "ddwsim: more than 2^31 ops held at once\n");
				outfile_cleanup();
				exit(1);
			}
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->e = xrealloc(t->e, st_mul(t->cap, sizeof(*t->e)));
		}
		i = t->ne++;
		memset(&t->e[i], 0, sizeof(t->e[i]));
	}
	x = &t->e[i];
	x->state = E_QUEUED;
	x->next = x->map = x->unmap = x->prev_unmap = x->next_map = NONE;
	x->refs = x->dmas = 0;
	x->nkills = 0;
	x->map_ok = false;
	x->reqs_out = 0;
	x->last = 0;
	return i;
}

static void unref(struct timed *t, uint32_t i);

/* Frees a done, unreferenced entry and drops what it refers to. */
static void maybe_free(struct timed *t, uint32_t i)
{
	struct ent *x = &t->e[i];
	uint32_t m = x->map, u = x->prev_unmap;

	if (x->state != E_DONE || x->refs)
		return;
	x->state = E_FREE;
	x->next = t->free_head;
	t->free_head = i;
	if (m != NONE)
		unref(t, m);
	if (u != NONE)
		unref(t, u);
}

static void unref(struct timed *t, uint32_t i)
{
	t->e[i].refs--;
	maybe_free(t, i);
}

static void enqueue(struct timed *t, struct queue *q, uint32_t i)
{
	t->e[i].next = NONE;
	if (q->head == NONE)
		q->head = i;
	else
		t->e[q->tail].next = i;
	q->tail = i;
}

static uint32_t dequeue(struct timed *t, struct queue *q)
{
	uint32_t i = q->head;

	q->head = t->e[i].next;
	if (q->head == NONE)
		q->tail = NONE;
	return i;
}

/* --- conversions --- */

static ddw_tick ns(uint64_t n)
{
	return n * 1000;
}

static ddw_tick link_time(const struct timed *t, uint64_t bytes)
{
	return (ddw_tick)((double)bytes * t->ps_per_byte + 0.5);
}

/* --- reading ahead --- */

static void copy_op(struct timed *t, uint32_t i, const struct dma_op *op)
{
	struct ent *x = &t->e[i];

	x->op = *op;
	if (op->kind == OP_MAP_SG) {
		if (op->nsg > x->sgcap) {
			x->sgcap = op->nsg;
			x->sg = xrealloc(x->sg, st_mul(x->sgcap, sizeof(*x->sg)));
		}
		memcpy(x->sg, op->sg, op->nsg * sizeof(*x->sg));
		x->op.sg = x->sg;
	}
}

static struct device *dev_of(const struct timed *t, const struct ent *x)
{
	return t->s->dev[x->op.dev];
}

/* Binds a new entry to the mapping its handle names (read-time). */
static int bind(struct timed *t, uint32_t i)
{
	struct ent *x = &t->e[i];
	struct mapping *m = handles_get(dev_of(t, x)->handles, x->op.handle);

	switch (x->op.kind) {
	case OP_MAP:
	case OP_MAP_SG:
		if (m && t->e[m->user].op.kind != OP_UNMAP)
			return sim_op_error(t->s, "handle %#llx mapped while already mapped",
					    (unsigned long long)x->op.handle);
		if (m) {
			x->prev_unmap = m->user;	/* keeps the binding's reference */
			t->e[m->user].next_map = i;
		} else {
			m = handles_add(dev_of(t, x)->handles, x->op.handle, 0);
		}
		m->user = i;
		x->refs++;
		return 0;
	case OP_DMA:
		if (m && t->e[m->user].op.kind != OP_UNMAP) {
			x->map = m->user;
			t->e[x->map].refs++;
			t->e[x->map].dmas++;
		}
		return 0;
	case OP_UNMAP:
		if (!m || t->e[m->user].op.kind == OP_UNMAP)
			return sim_op_error(t->s, "unmap of handle %#llx, which is not mapped",
					    (unsigned long long)x->op.handle);
		x->map = m->user;		/* takes over the binding's reference */
		t->e[x->map].unmap = i;
		m->user = i;
		x->refs++;
		return 0;
	default:	/* DMA_BUS and window ops name no handle */
		return 0;
	}
}

static void kick_cpu(struct timed *t, unsigned c);
static void kick_dev(struct timed *t, unsigned dev);

static unsigned cpu_of(const struct timed *t, const struct ent *x)
{
	return x->op.cpu % t->ncpu;
}

static void finish(struct timed *t, uint32_t i);

/* A window op runs (taking no CPU time) when it is the only op in flight. */
static void kick_barrier(struct timed *t)
{
	uint32_t i = t->barrier;

	if (i == NONE || t->inflight != 1)
		return;
	t->barrier = NONE;
	if (sim_window_op(t->s, dev_of(t, &t->e[i]), &t->e[i].op) < 0)
		t->failed = true;
	t->e[i].state = E_RUNNING;
	finish(t, i);
}

static void read_ahead(struct timed *t)
{
	struct dma_op op;

	while (!t->eof && !t->failed && t->inflight < WINDOW_OPS && t->barrier == NONE) {
		int more = op_source_next(t->src, &op);
		uint32_t i;

		if (more <= 0) {
			t->eof = true;
			t->failed = more < 0;
			return;
		}
		t->s->nop++;
		if (sim_check_op(t->s, &op) < 0) {
			t->failed = true;
			return;
		}
		i = ent_new(t);
		copy_op(t, i, &op);
		if (bind(t, i) < 0) {
			t->failed = true;
			return;
		}
		t->inflight++;
		if (op.kind == OP_DMA || op.kind == OP_DMA_BUS) {
			enqueue(t, &t->dev[op.dev].q, i);
			kick_dev(t, op.dev);
		} else if (op.kind >= OP_WIN_CREATE) {
			t->barrier = i;		/* runs once everything before it is done */
			kick_barrier(t);
		} else {
			enqueue(t, &t->cpuq[cpu_of(t, &t->e[i])], i);
			kick_cpu(t, cpu_of(t, &t->e[i]));
		}
	}
}

/* --- host side --- */

static void kill_sink(void *arg, const struct kill_req *k)
{
	struct timed *t = arg;
	struct ent *x = &t->e[t->cur_kill_entry];

	if (x->nkills == x->killcap) {
		x->killcap = x->killcap ? x->killcap * 2 : 4;
		x->kills = xrealloc(x->kills, st_mul(x->killcap, sizeof(*x->kills)));
	}
	x->kills[x->nkills++] = *k;
}

/* CPU cycles of the work between stats snapshots a and b (kills excluded). */
static uint64_t work_cycles(const struct timed *t, const struct mode_stats *a,
			    const struct mode_stats *b)
{
	const struct config *cfg = t->s->cfg;
	const struct platform_cfg *p = &cfg->platform;
	uint64_t put = b->h_put_tce - a->h_put_tce, ind = b->h_put_tce_indirect - a->h_put_tce_indirect;
	uint64_t stuff = b->h_stuff_tce - a->h_stuff_tce;
	uint64_t mapped = b->map_tces - a->map_tces, cleared = b->unmap_tces - a->unmap_tces;
	uint64_t c;

	if (t->s->mode->mapping != MAP_DYNAMIC)
		return cfg->host.cost.direct_cycles;
	c = cfg->host.cost.alloc_cycles +
	    cfg->host.cost.alloc_word_cycles * (b->alloc_words - a->alloc_words);
	if (p->kind == PLAT_POWERNV)
		return c + cfg->host.cost.tce_write_cycles * (mapped + cleared);
	c += put * (p->hcall.entry_exit_cycles + p->hcall.put_tce_cycles);
	c += ind * p->hcall.entry_exit_cycles;
	if (ind)	/* TCEs not written by single H_PUT_TCEs went through INDIRECT */
		c += (mapped > put ? mapped - put : 0) * p->hcall.indirect_tce_cycles;
	c += stuff * p->hcall.entry_exit_cycles;
	if (stuff)
		c += cleared * p->hcall.stuff_tce_cycles;
	return c;
}

static int start_host(struct timed *t, uint32_t i)
{
	struct sim *s = t->s;
	struct ent *x = &t->e[i];
	struct device *d = dev_of(t, x);
	struct mode_stats before = d->st;
	ddw_tick t0, at;

	x->state = E_RUNNING;
	t->cpu_busy[cpu_of(t, x)] = true;
	t->cur_kill_entry = i;
	if (x->prev_unmap != NONE) {	/* that dependency is met: let the old instance go */
		uint32_t u = x->prev_unmap;

		x->prev_unmap = NONE;
		t->e[u].next_map = NONE;
		unref(t, u);
	}
	d->api.kill_sink = d->alt.kill_sink = kill_sink;
	d->api.kill_arg = d->alt.kill_arg = t;
	if (x->op.kind == OP_UNMAP) {
		struct ent *m = &t->e[x->map];
		struct dma_api *api = sim_api_of(d, m->api);

		if (m->map_ok && api->st)	/* a failed map is not unmapped */
			dma_api_unmap(api, m->seg, m->nseg);
	} else {
		unsigned n = sim_seg_input(s, &x->op);

		if (n > x->segcap) {
			x->segcap = n;
			x->seg = xrealloc(x->seg, st_mul(n, sizeof(*x->seg)));
		}
		x->nseg = n;
		x->maplen = 0;
		for (unsigned k = 0; k < n; k++)
			x->maplen += s->segbuf[k].len;
		struct dma_api *api = sim_api_for(d, x->op.rec_bus, &x->api);

		if (api->st)
			x->map_ok = dma_api_map_sg(api, x->op.cpu, s->segbuf, n, x->op.dir,
						   x->op.rec_bus, x->seg) == 0;
		else	/* the window the mode maps into was removed */
			d->st.map_calls++, d->st.map_failures++;
	}
	t0 = clock_edge(t->cpu_clk, t->now);	/* the op starts on a CPU clock edge */
	at = t0 + cycles(t->cpu_clk, work_cycles(t, &before, &d->st));
	for (unsigned k = 0; k < x->nkills; k++) {
		event_push(&t->q, at, EV_KILL, i, k);
		at += x->kills[k].requests * t->kill_cpu_ps;
	}
	if (x->op.kind == OP_UNMAP)
		d->st.cpu_unmap_ps += at - t0;
	else
		d->st.cpu_map_ps += at - t0;
	event_push(&t->q, at, EV_HOST_DONE, i, 0);
	return 0;
}

static bool host_ready(const struct timed *t, const struct ent *x)
{
	if (x->op.kind == OP_UNMAP)
		return t->e[x->map].state == E_DONE && t->e[x->map].dmas == 0;
	return x->prev_unmap == NONE || t->e[x->prev_unmap].state == E_DONE;
}

static void kick_cpu(struct timed *t, unsigned c)
{
	struct queue *q = &t->cpuq[c];

	if (t->cpu_busy[c] || q->head == NONE || !host_ready(t, &t->e[q->head]))
		return;
	start_host(t, dequeue(t, q));
}

static void finish(struct timed *t, uint32_t i)
{
	t->e[i].state = E_DONE;
	t->inflight--;
	maybe_free(t, i);
	kick_barrier(t);
}

static void host_done(struct timed *t, uint32_t i)
{
	struct ent *x = &t->e[i];
	unsigned c = cpu_of(t, x);
	uint32_t next_map = x->next_map;
	bool unmap = x->op.kind == OP_UNMAP;

	unsigned dev = x->op.dev;

	t->cpu_busy[c] = false;
	if (unmap) {
		struct handles *h = dev_of(t, x)->handles;
		struct mapping *m = handles_get(h, x->op.handle);

		if (m && m->user == i) {	/* no later map took the handle: drop the binding */
			handles_del(h, x->op.handle);
			x->refs--;
		}
	}
	finish(t, i);			/* x may be freed from here on */
	if (!unmap)
		kick_dev(t, dev);
	else if (next_map != NONE)
		kick_cpu(t, cpu_of(t, &t->e[next_map]));
	kick_cpu(t, c);
}

/* --- the PHB --- */

static void apply_kill(struct timed *t, const struct kill_req *k)
{
	dma_api_apply_kill(t->s->cache, k);
	for (unsigned w = 0; w < t->nwalkers; w++) {
		struct walker *wk = &t->walkers[w];

		if (!wk->busy || k->scope == KILL_NONE)
			continue;
		if (k->scope == KILL_ALL || (wk->pe == k->pe && (k->scope == KILL_PE ||
		    (wk->win == k->win && wk->idx >= k->idx && wk->idx < k->idx + k->npages))))
			wk->fill = false;	/* what it read may be stale */
	}
	{
		ddw_tick until = clock_edge(t->phb_clk, t->now) + k->requests * t->kill_stall_ps;

		if (until > t->stall_until)
			t->stall_until = until;
	}
}

/* Walker slot walking (pe, win, idx), or NONE. */
static uint32_t walking(const struct timed *t, unsigned pe, unsigned win, uint64_t idx)
{
	for (unsigned w = 0; w < t->nwalkers; w++) {
		const struct walker *wk = &t->walkers[w];

		if (wk->busy && wk->idx == idx && wk->win == win && wk->pe == pe)
			return w;
	}
	return NONE;
}

static ddw_tick first_walker_free(const struct timed *t)
{
	ddw_tick m = TICK_NEVER;

	for (unsigned w = 0; w < t->nwalkers; w++)
		if (t->walkers[w].busy && t->walkers[w].done < m)
			m = t->walkers[w].done;
	return m;
}

static ddw_tick start_walk(struct timed *t, struct device *d, struct window *w, uint64_t idx,
			   uint64_t *tce)
{
	struct tce_walk walk;
	unsigned slot = 0;
	int rc = tce_table_walk(w->tbl, idx, &walk);
	ddw_tick done;

	while (t->walkers[slot].busy)
		slot++;
	done = t->pnow + t->hit_ps + walk.reads * t->walk_read_ps;
	*tce = rc < 0 ? 0 : walk.tce;
	t->walkers[slot] = (struct walker){ .busy = true, .fill = *tce != 0, .pe = d->pe.number,
					    .win = w->num, .idx = idx, .done = done, .tce = *tce };
	t->busy_walkers++;
	d->st.walks++;
	d->st.walk_reads += walk.reads;
	hist_add(&t->s->res->walk_latency, done - t->pnow);
	event_push(&t->q, done, EV_WALK_DONE, slot, 0);
	if (!t->s->cfg->platform.walk.hit_under_miss && done > t->inorder_until)
		t->inorder_until = done;
	return done;
}

/* A lookup, counted for device d. */
static bool lookup(struct timed *t, struct device *d, unsigned win, uint64_t idx, uint64_t *tce)
{
	bool hit = tce_cache_lookup(t->s->cache, d->pe.number, win, idx, tce);

	d->st.cache_lookups++;
	if (hit)
		d->st.cache_hits++;
	else
		d->st.cache_misses++;
	return hit;
}

/* Time translation of a miss completes; counts a fault if the TCE does not allow the access. */
static ddw_tick miss(struct timed *t, struct device *d, struct window *w, uint64_t idx, bool write)
{
	uint64_t tce;
	ddw_tick done = start_walk(t, d, w, idx, &tce);

	if (!tce || !tce_allows(tce, write))
		d->st.faults++;
	return done;
}

/*
 * Translates a request of entry i's device arriving now. Returns the tick
 * translation completes, or 0 after rescheduling the request for when it
 * can proceed.
 */
static ddw_tick translate(struct timed *t, uint32_t i, uint64_t bus, unsigned len, bool write)
{
	struct device *d = dev_of(t, &t->e[i]);
	struct window *w = window_find(&d->pe, bus);
	ddw_tick wait = t->stall_until > t->inorder_until ? t->stall_until : t->inorder_until;
	uint64_t idx, tce;
	uint32_t slot;

	t->pnow = clock_edge(t->phb_clk, t->now);	/* the PHB works on its clock edges */
	if (wait > t->pnow) {
		d->st.stall_ps += wait - t->now;
		event_push(&t->q, wait, EV(EV_REQ, len), i, bus);
		return 0;
	}
	if (!w) {
		d->st.faults++;
		return t->pnow + t->hit_ps;
	}
	idx = (bus - w->start) >> tce_table_geom(w->tbl)->page_shift;
	if (!t->busy_walkers) {		/* the common case: no walk to join or wait for */
		if (!lookup(t, d, w->num, idx, &tce))
			return miss(t, d, w, idx, write);
		if (!tce_allows(tce, write))
			d->st.faults++;
		return t->pnow + t->hit_ps;
	}
	slot = walking(t, d->pe.number, w->num, idx);
	if (slot == NONE && t->busy_walkers == t->nwalkers &&
	    !tce_cache_peek(t->s->cache, d->pe.number, w->num, idx)) {
		ddw_tick at = first_walker_free(t);

		d->st.stall_ps += at - t->now;
		event_push(&t->q, at, EV(EV_REQ, len), i, bus);
		return 0;
	}
	if (lookup(t, d, w->num, idx, &tce)) {
		if (!tce_allows(tce, write))
			d->st.faults++;
		return t->pnow + t->hit_ps;
	}
	if (slot != NONE) {
		d->st.walks_merged++;
		if (!tce_allows(t->walkers[slot].tce, write))
			d->st.faults++;
		return t->walkers[slot].done + t->hit_ps;
	}
	return miss(t, d, w, idx, write);
}

static void walk_done(struct timed *t, uint32_t slot)
{
	struct walker *wk = &t->walkers[slot];

	if (wk->fill)
		tce_cache_fill(t->s->cache, wk->pe, wk->win, wk->idx, wk->tce);
	wk->busy = false;
	t->busy_walkers--;
}

/* --- the devices --- */

static void dma_complete(struct timed *t, uint32_t i)
{
	struct ent *x = &t->e[i];
	struct device *d = dev_of(t, x);
	unsigned dev = x->op.dev;
	uint32_t m = x->map;

	if (t->now > d->st.dma_last_ps)
		d->st.dma_last_ps = t->now;
	hist_add(&t->s->res->dma_latency, t->now - x->start);
	t->dev[dev].outstanding--;
	finish(t, i);
	if (m != NONE) {
		t->e[m].dmas--;
		if (t->e[m].unmap != NONE)
			kick_cpu(t, cpu_of(t, &t->e[t->e[m].unmap]));
	}
	kick_dev(t, dev);
}

/* The bus ranges entry x's DMA covers: its mapping's, or its own (DMA_BUS). */
static const struct dma_seg *segs_of(struct timed *t, struct ent *x)
{
	return x->map != NONE ? t->e[x->map].seg : x->seg;
}

/* Puts x's next request on its device's upstream link. */
static void issue(struct timed *t, uint32_t i)
{
	struct ent *x = &t->e[i];
	struct engine *e = &t->dev[x->op.dev];
	const struct dma_seg *seg = segs_of(t, x);
	const struct platform_cfg *p = &t->s->cfg->platform;
	bool write = x->op.dir != DMA_DIR_TO_DEVICE;
	uint64_t unit = write ? p->pcie.mps : p->pcie.mrrs, bus, chunk, tlp;
	ddw_tick start = t->now > e->up_free ? t->now : e->up_free;

	while (x->seg_off >= seg[x->seg_i].len) {
		x->seg_off -= seg[x->seg_i].len;
		x->seg_i++;
	}
	bus = seg[x->seg_i].dma + x->seg_off;
	chunk = unit - (bus & (unit - 1));
	if (chunk > x->left)
		chunk = x->left;
	if (chunk > seg[x->seg_i].len - x->seg_off)
		chunk = seg[x->seg_i].len - x->seg_off;
	tlp = (write ? chunk : 0) + p->pcie.tlp_overhead;
	e->up_free = start + link_time(t, tlp);
	x->seg_off += chunk;
	x->left -= chunk;
	x->reqs_out++;
	dev_of(t, x)->st.requests++;
	event_push(&t->q, e->up_free + t->lat_ps, EV(EV_REQ, chunk), i, bus);
	if (x->left)
		event_push(&t->q, e->up_free, EV_ISSUE, i, 0);
	else
		event_push(&t->q, e->up_free, EV_DEV_FREE, x->op.dev, 0);
}

static void request(struct timed *t, uint32_t i, uint64_t bus, unsigned len)
{
	struct ent *x = &t->e[i];
	struct engine *e = &t->dev[x->op.dev];
	const struct platform_cfg *p = &t->s->cfg->platform;
	bool write = x->op.dir != DMA_DIR_TO_DEVICE;
	ddw_tick done, xdone;

	if (t->s->mode->mapping == MAP_BYPASS && x->op.kind == OP_DMA)
		xdone = t->now;
	else if (!(xdone = translate(t, i, bus, len, write)))
		return;
	done = xdone + t->mem_ps;
	if (!write) {	/* completions of at most MPS bytes come back down */
		uint64_t tlps = (len + p->pcie.mps - 1) / p->pcie.mps;
		ddw_tick cs = done > e->down_free ? done : e->down_free;

		e->down_free = cs + link_time(t, len + tlps * p->pcie.tlp_overhead);
		done = e->down_free + t->lat_ps;
	}
	if (done > x->last)
		x->last = done;
	if (--x->reqs_out == 0 && x->left == 0)
		event_push(&t->q, x->last, EV_DMA_DONE, i, 0);
}

/* Does the DMA name bytes it can reach? (its mapping's, or a bus range of its own) */
static bool dma_ok(struct timed *t, struct ent *x)
{
	struct ent *m = x->map != NONE ? &t->e[x->map] : NULL;

	if (!x->op.len)
		return false;
	if (x->op.kind == OP_DMA_BUS) {
		if (!x->segcap) {
			x->segcap = 1;
			x->seg = xmalloc(sizeof(*x->seg));
		}
		x->seg[0] = (struct dma_seg){ .dma = x->op.addr, .len = x->op.len };
		x->op.addr = 0;
		return true;
	}
	return m && m->map_ok && x->op.addr + x->op.len <= m->maplen;
}

static void start_dma(struct timed *t, uint32_t i)
{
	struct ent *x = &t->e[i];
	struct device *d = dev_of(t, x);
	struct engine *e = &t->dev[x->op.dev];

	x->state = E_RUNNING;
	x->start = t->now;
	e->outstanding++;
	d->st.ios++;
	d->st.bytes += x->op.len;
	if (d->st.ios == 1)
		d->st.dma_first_ps = t->now;
	if (!dma_ok(t, x)) {
		d->st.unmapped_dmas += x->op.len != 0;
		event_push(&t->q, t->now, EV_DMA_DONE, i, 0);
		return;
	}
	e->busy = true;
	x->seg_i = 0;
	x->seg_off = x->op.addr;
	x->left = x->op.len;
	issue(t, i);
}

static void kick_dev(struct timed *t, unsigned dev)
{
	struct engine *e = &t->dev[dev];
	struct ent *h;

	while (!e->busy && e->q.head != NONE) {
		h = &t->e[e->q.head];
		if (h->map != NONE && t->e[h->map].state != E_DONE)
			return;
		if ((h->op.flags & OP_F_WAIT) && e->outstanding)
			return;
		if (h->op.time_ps != OP_NO_TIME && h->op.time_ps > t->now) {
			if (e->wake != h->op.time_ps) {
				e->wake = h->op.time_ps;
				event_push(&t->q, h->op.time_ps, EV_DEV_WAKE, dev, 0);
			}
			return;
		}
		start_dma(t, dequeue(t, &e->q));
	}
}

/* --- the loop --- */

static void dispatch(struct timed *t, const struct event *ev)
{
	switch (ev->kind & 0xff) {
	case EV_HOST_DONE:
		host_done(t, ev->a);
		break;
	case EV_KILL:
		apply_kill(t, &t->e[ev->a].kills[ev->b]);
		break;
	case EV_ISSUE:
		issue(t, ev->a);
		break;
	case EV_REQ:
		request(t, ev->a, ev->b, ev->kind >> 8);
		break;
	case EV_WALK_DONE:
		walk_done(t, ev->a);
		break;
	case EV_DMA_DONE:
		dma_complete(t, ev->a);
		break;
	case EV_DEV_FREE:
		t->dev[ev->a].busy = false;
		kick_dev(t, ev->a);
		break;
	case EV_DEV_WAKE:
		kick_dev(t, ev->a);
		break;
	}
}

static void setup(struct timed *t, struct sim *s, struct op_source *src)
{
	const struct config *cfg = s->cfg;
	const struct platform_cfg *p = &cfg->platform;
	static const double gts[] = { 0, 2.5, 5, 8, 16, 32 };
	double bytes_per_ns;

	memset(t, 0, sizeof(*t));
	t->s = s;
	t->src = src;
	t->free_head = NONE;
	t->ncpu = cfg->host.cpus < MAX_CPUS ? cfg->host.cpus : MAX_CPUS;
	for (unsigned c = 0; c < t->ncpu; c++)
		t->cpuq[c].head = t->cpuq[c].tail = NONE;
	for (unsigned d = 0; d < SIM_MAX_DEVICES; d++)
		t->dev[d].q.head = t->dev[d].q.tail = NONE;
	t->barrier = NONE;
	t->cpu_clk = clock_mhz(cfg->host.cpu_mhz);
	t->phb_clk = clock_mhz(p->clock_mhz);
	/* 8b/10b for Gen1/2, 128b/130b from Gen3 (numbers.md §3.2) */
	bytes_per_ns = gts[p->pcie.gen] * p->pcie.lanes / 8.0 * (p->pcie.gen <= 2 ? 0.8 : 128.0 / 130.0);
	t->ps_per_byte = 1000.0 / bytes_per_ns;
	t->hit_ps = cycles(t->phb_clk, p->tce_cache.hit_cycles);
	t->walk_read_ps = clock_edge(t->phb_clk, ns(p->walk.memory_latency_ns));
	t->mem_ps = clock_edge(t->phb_clk, ns(p->memory_latency_ns));
	t->lat_ps = ns(p->pcie.latency_ns);
	t->kill_cpu_ps = clock_edge(t->cpu_clk, ns(p->kill.cpu_ns));
	t->kill_stall_ps = clock_edge(t->phb_clk, ns(p->kill.stall_ns));
	t->nwalkers = p->walk.max_outstanding;
	t->walkers = xcalloc(t->nwalkers, sizeof(*t->walkers));
	event_queue_init(&t->q);
}

static void teardown(struct timed *t)
{
	for (uint32_t i = 0; i < t->ne; i++) {
		free(t->e[i].sg);
		free(t->e[i].seg);
		free(t->e[i].kills);
	}
	free(t->e);
	free(t->walkers);
	event_queue_release(&t->q);
	for (unsigned d = 0; d < t->s->ndev; d++)
		if (t->s->dev[d])
			t->s->dev[d]->api.kill_sink = t->s->dev[d]->alt.kill_sink = NULL;
}

int timed_replay(struct sim *s, struct op_source *src)
{
	struct timed *t = xmalloc(sizeof(*t));	/* big: the engines of every device */
	struct event ev;
	int rc = 0;

	setup(t, s, src);
	read_ahead(t);
	while (!t->failed && event_pop(&t->q, &ev)) {
		t->now = ev.tick;
		s->st.events++;
		dispatch(t, &ev);
		read_ahead(t);
	}
	if (t->failed)
		rc = -1;
	else if (t->inflight)
		rc = ddw_error("internal error: %u ops never ran (a dependency cycle)", t->inflight);
	s->st.time_ps = t->now;
	teardown(t);
	free(t);
	return rc;
}
