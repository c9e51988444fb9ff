/*
 * timed.c - the timed replay's loop: reading ahead, dependencies, events.
 *
 * Each op is applied to the replay context (replay.c) when it is read, in
 * trace order: the allocator, hypercalls, kills, TCE-cache lookups and faults
 * are those of the functional replay. What this file and its parts add is
 * when each op happens. Ops are read ahead (at most WINDOW_OPS unfinished)
 * and each waits for what it depends on; every dependency points back in the
 * stream, so the oldest unfinished op can always run and the replay never
 * deadlocks:
 *   map      on its CPU, in program order; after the previous unmap of the
 *            same handle (a buffer is reused only once it is free);
 *   DMA      on its device's engine, in order; after its map completed;
 *   unmap    on its CPU, in program order; after every DMA of the mapping;
 *   window   when everything before it is done (a barrier): the op is applied
 *            then, so no request in flight sees the windows change.
 *
 * Every latency is a whole number of its component's clock cycles: PHB
 * latencies of platform.clock_mhz, host costs of host.cpu_mhz; the link moves
 * whole bytes at its rate; ns figures are converted once.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"
#include "timed_int.h"

/* --- time sums that stop the replay instead of wrapping --- */

DDW_PRINTF(2, 3)
static ddw_tick overflow(struct timed *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!t->overflowed) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		ddw_error("mode '%s': the picosecond clock overflows: %s", t->r->mode->name, msg);
	}
	t->overflowed = true;
	t->failed = true;
	return TICK_NEVER;
}

ddw_tick timed_add_overflow(struct timed *t, ddw_tick a, ddw_tick b, const char *what)
{
	return overflow(t, "%s = %" PRIu64 " + %" PRIu64 " ps", what, a, b);
}

ddw_tick timed_mul(struct timed *t, uint64_t n, ddw_tick each, const char *what)
{
	uint64_t r;

	if (ck_mul(n, each, &r) || r == TICK_NEVER)
		return overflow(t, "%s = %" PRIu64 " x %" PRIu64 " ps", what, n, each);
	return r;
}

ddw_tick timed_edge(struct timed *t, struct ddw_clock c, ddw_tick at, const char *what)
{
	ddw_tick e = clock_edge(c, at);

	if (e == TICK_NEVER)
		return overflow(t, "%s: no %" PRIu64 " ps clock edge at or after %" PRIu64 " ps",
				what, c.period_ps, at);
	return e;
}

/* --- memory, for the budget --- */

/*
 * The entries of the ops read ahead, at most WINDOW_OPS and as many stubs
 * (struct ent, its idpool link, its ent_buf and a malloc'd segment of 16
 * bytes with its header; the idpool doubles: 2x), and the outcome log:
 * MAX_PENDING_REQS read ahead, the DMA that passed it (its requests all
 * logged at once) and a run's DMAs applied before they are read
 * (AHEAD_DMAS, one request each), one byte each, in a ring that doubles
 * (the old and the new ring at once while it grows: 1.5x the final size).
 */
uint64_t timed_bytes_fixed(uint64_t dma_max, unsigned unit)
{
	uint64_t reqs = dma_max / unit + 2, n = MAX_PENDING_REQS, cap = 4096;
	uint64_t ents = 2 * 2 * WINDOW_OPS * (sizeof(struct ent) + sizeof(uint32_t) +
					      sizeof(struct ent_buf) + 32);

	if (reqs <= UINT64_MAX / WINDOW_OPS && reqs * WINDOW_OPS < n)
		n = reqs * WINDOW_OPS;
	n = sat_add(sat_add(n, reqs), AHEAD_DMAS);
	while (cap < n && cap <= UINT64_MAX / 2)
		cap *= 2;
	return sat_add(ents, sat_add(cap, cap / 2));
}

/* --- the entries: an idpool; each id keeps its buffers across reuse --- */

static void grow_bufs(struct timed *t, uint32_t id)
{
	uint32_t n = t->nbufs ? t->nbufs : 1024;

	while (n <= id)
		n *= 2;
	t->bufs = xrealloc(t->bufs, st_mul(n, sizeof(*t->bufs)));
	memset(t->bufs + t->nbufs, 0, (n - t->nbufs) * sizeof(*t->bufs));
	t->nbufs = n;
}

/*
 * A new entry, every field but op zero (NONE for the links): set one by one,
 * which compiles to a few stores where a memset of the record is `rep stos`
 * (slow to start; 9 % of a timed replay's time). Its buffers grown to hold it.
 */
static uint32_t ent_get(struct timed *t)
{
	uint32_t i = idpool_get_unzeroed(&t->ents);
	struct ent *x = ent(t, i);

	_Static_assert(sizeof(struct ent) == 160, "a field added to struct ent: clear it here");
	x->cycles = 0;
	x->start = x->last = 0;
	x->cur = (struct dma_cursor){ 0 };
	x->reqs_out = 0;
	x->next = x->map = x->unmap = x->prev_unmap = x->next_map = NONE;
	x->refs = x->dmas = x->nkills = 0;
	x->ok = false;
	x->state = 0;
	if (i >= t->nbufs)
		grow_bufs(t, i);
	return i;
}

static uint32_t ent_new(struct timed *t, const struct dma_op *op)
{
	uint32_t i = ent_get(t);
	struct ent *x = ent(t, i);

	x->op = (struct ent_op){ .handle = op->handle, .addr = op->addr, .len = op->len,
				 .time_ps = op->time_ps, .cpu = op->cpu, .flags = op->flags,
				 .dev = (uint16_t)op->dev, .kind = (uint8_t)op->kind,
				 .dir = (uint8_t)op->dir };
	x->state = E_QUEUED;
	return i;
}

/* Frees a done, unreferenced entry and drops what it refers to. */
static void maybe_free(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	uint32_t m = x->map, u = x->prev_unmap;

	if (x->state != E_DONE || x->refs)
		return;
	idpool_put(&t->ents, i);
	if (m != NONE)
		timed_unref(t, m);
	if (u != NONE)
		timed_unref(t, u);
}

void timed_unref(struct timed *t, uint32_t i)
{
	ent(t, i)->refs--;
	maybe_free(t, i);
}

void timed_enqueue(struct timed *t, struct queue *q, uint32_t i)
{
	ent(t, i)->next = NONE;
	if (q->head == NONE)
		q->head = i;
	else
		ent(t, q->tail)->next = i;
	q->tail = i;
}

uint32_t timed_dequeue(struct timed *t, struct queue *q)
{
	uint32_t i = q->head;

	q->head = ent(t, i)->next;
	if (q->head == NONE)
		q->tail = NONE;
	return i;
}

/* --- reading ahead --- */

/*
 * A handle's binding (dev's bind: handle -> entry) names the entry that what
 * comes next on the handle depends on: its latest map or unmap, while that
 * matters. It holds a reference on the entry. A map whose work is done, with
 * no DMA in flight and no unmap read, matters no more: timed_unbind_idle()
 * drops it, so a live mapping holds nothing here while idle (the replay
 * context keeps its segments). A DMA then read on the handle gets a stub
 * (a done map) to count it, which an unmap read before it completes waits on.
 */
static uint32_t bind_stub(struct timed *t, uint32_t i, uint64_t *slot)
{
	uint32_t s = ent_get(t);	/* moves the records: x is stale */
	struct ent *x = ent(t, i), *st = ent(t, s);

	st->op = (struct ent_op){ .handle = x->op.handle, .dev = x->op.dev, .kind = OP_MAP };
	st->state = E_DONE;
	st->ok = true;
	st->refs = 1;			/* the binding's */
	*slot = s;
	return s;
}

void timed_unbind_idle(struct timed *t, uint32_t m)
{
	struct ent *x = ent(t, m);

	if ((x->op.kind != OP_MAP && x->op.kind != OP_MAP_SG) || x->state != E_DONE ||
	    x->dmas || x->unmap != NONE)
		return;
	if (timed_unbind(t, x->op.dev, x->op.handle, m))
		timed_unref(t, m);
}

bool timed_unbind(struct timed *t, unsigned dev, uint64_t handle, uint32_t i)
{
	if (t->memo_m == i)
		t->memo_m = NONE;
	return u64map_del_if(&t->dev[dev].bind, handle, i);
}

/* A DMA on a mapped handle counts in its map (or stub): the unmap waits for it. */
static void bind_dma(struct timed *t, uint32_t i, struct u64map *h)
{
	struct ent *x = ent(t, i);
	uint32_t m = t->memo_m;

	if (m == NONE || t->memo_handle != x->op.handle || t->memo_dev != x->op.dev) {
		bool added;
		uint64_t *slot = u64map_ref(h, x->op.handle, &added);

		m = added ? bind_stub(t, i, slot) : (uint32_t)*slot;
		t->memo_m = m;
		t->memo_handle = ent(t, i)->op.handle;
		t->memo_dev = ent(t, i)->op.dev;
	}
	if (ent(t, m)->op.kind == OP_UNMAP)
		return;			/* not reached: the DMA would not be ok */
	ent(t, i)->map = m;
	ent(t, m)->refs++;
	ent(t, m)->dmas++;
}

/*
 * Binds a new entry to the entry its handle names: a map to the handle's
 * pending unmap, a DMA or unmap to its map (none if idle and unbound). The
 * replay context has already checked the handles, so every name here is
 * valid. The binding is a u64map slot per handle with work in flight.
 */
static void bind(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	struct u64map *h = &t->dev[x->op.dev].bind;
	uint64_t *slot;
	bool added;

	switch (x->op.kind) {
	case OP_MAP:
	case OP_MAP_SG:
		t->memo_m = NONE;	/* the handle's binding changes */
		slot = u64map_ref(h, x->op.handle, &added);
		if (!added) {
			x->prev_unmap = (uint32_t)*slot;	/* keeps the binding's reference */
			ent(t, x->prev_unmap)->next_map = i;
		}
		*slot = i;
		x->refs++;
		return;
	case OP_DMA:
		if (x->ok)
			bind_dma(t, i, h);
		return;
	case OP_UNMAP:
		t->memo_m = NONE;
		slot = u64map_ref(h, x->op.handle, &added);
		if (!added) {
			x->map = (uint32_t)*slot;	/* takes over the binding's reference */
			ent(t, x->map)->unmap = i;
		}
		*slot = i;
		x->refs++;
		return;
	default:	/* DMA_BUS and window ops name no handle */
		return;
	}
}

/* Room for entry i's n segments: its buffer, grown if it must be (rarely: ids are reused). */
static inline struct dma_seg *seg_room(struct timed *t, uint32_t i, unsigned n)
{
	struct ent_buf *b = &t->bufs[i];

	if (__builtin_expect(n > b->segcap, 0)) {
		b->segcap = n;
		b->seg = xrealloc(b->seg, st_mul(n, sizeof(*b->seg)));
	}
	return b->seg;
}

/*
 * Keeps the segments a DMA of [off, off + len) of m's segments touches
 * (len > 0, inside m: the replay context checked), the first cut at off:
 * dma_cursor over them from 0 makes the requests it makes over all of m's
 * from off. A copy, since the mapping may be gone when the DMA starts.
 */
static void keep_dma_segs(struct timed *t, uint32_t i, const struct dma_seg *seg,
			  uint64_t off, uint64_t len)
{
	unsigned first = 0, n = 1;
	struct dma_seg *k;
	uint64_t end;

	while (off >= seg[first].len)	/* as dma_cursor_next skips */
		off -= seg[first++].len;
	for (end = off + len; end > seg[first + n - 1].len; n++)
		end -= seg[first + n - 1].len;
	k = seg_room(t, i, n);
	if (n == 1)		/* most DMAs: no call to memcpy */
		k[0] = seg[first];
	else
		memcpy(k, seg + first, n * sizeof(*k));
	k[0].dma += off;
	k[0].len -= off;
}

static void keep_kills(struct timed *t, uint32_t i, const struct phb_kills *k)
{
	struct ent_buf *b = &t->bufs[i];

	if (k->n > b->killcap) {
		b->killcap = k->n;
		b->kills = xrealloc(b->kills, st_mul(k->n, sizeof(*b->kills)));
	}
	if (k->n)
		memcpy(b->kills, k->requests, k->n * sizeof(*k->requests));
	ent(t, i)->nkills = k->n;
}

/* Applies op (entry i's) to the replay context now, and keeps what its timing needs. */
static int apply(struct timed *t, uint32_t i, const struct dma_op *op)
{
	struct ent *x;
	struct replay_fx fx;
	/* the device as it is before the op (replay_op makes a new one, its log empty) */
	struct rp_device *d = op->dev < SIM_MAX_DEVICES ? t->r->dev[op->dev] : NULL;
	size_t logged = d ? d->log.n : 0;

	if (replay_op(t->r, op, &fx) < 0)
		return -1;
	d = t->r->dev[op->dev];
	x = ent(t, i);
	x->ok = fx.ok;
	x->cycles = fx.cycles;
	if (x->op.kind == OP_MAP || x->op.kind == OP_MAP_SG || x->op.kind == OP_UNMAP)
		keep_kills(t, i, &t->r->kills);
	if (x->op.kind == OP_DMA && x->ok)
		keep_dma_segs(t, i, fx.seg, op->addr, op->len);
	if (x->op.kind == OP_DMA_BUS)
		*seg_room(t, i, 1) = (struct dma_seg){ .dma = x->op.addr, .len = x->op.len };
	t->pending_reqs += d->log.n - logged;
	return 0;
}

/* A window op runs (taking no time) when it is the only op in flight. */
static void kick_barrier(struct timed *t)
{
	uint32_t i = t->barrier;

	if (i == NONE || t->inflight != 1)
		return;
	t->barrier = NONE;
	if (replay_op(t->r, &t->barrier_op, NULL) < 0)
		t->failed = true;
	ent(t, i)->state = E_RUNNING;
	timed_finish(t, i);
}

static void dispatch_op(struct timed *t, uint32_t i)
{
	const struct ent_op *op = &ent(t, i)->op;

	if (op->kind == OP_DMA || op->kind == OP_DMA_BUS) {
		timed_enqueue(t, &t->dev[op->dev].q, i);
		dev_kick(t, op->dev);
	} else {
		unsigned c = host_cpu_of(t, ent(t, i));

		timed_enqueue(t, &t->cpuq[c], i);
		host_kick(t, c);
	}
}

static inline bool may_read(const struct timed *t)
{
	/* the window's test first: it is the one that fails, nearly every event */
	return t->inflight < WINDOW_OPS && !t->eof && !t->failed && t->barrier == NONE &&
	       t->pending_reqs < MAX_PENDING_REQS;
}

/*
 * The next op of the source, from its current batch or run
 * (op_source_next_run): the source decodes and checks a batch at once, and
 * the ops are taken one at a time as the window lets them in, each as it
 * would have been read alone; a run's DMA is made in t->run_op, its first
 * op copied once with each offset put in (the reader then writes no op per
 * DMA). r->at names it for the replay's errors (r->batched). The op is valid
 * until the next call. 1, 0 at the end, -1 after an error (reported).
 */
static int next_op(struct timed *t, const struct dma_op **op)
{
	if (t->batch_at == t->batch.n) {
		long n = op_source_next_run(t->src, &t->batch);

		if (n <= 0)
			return n < 0 ? -1 : 0;
		t->batch_at = 0;
		t->ahead_end = 0;
		t->ahead_none = false;
		if (t->batch.addr)
			t->run_op = t->batch.ops[0];
	}
	t->r->at = t->batch_at;
	if (t->batch.addr) {
		t->run_op.addr = t->batch.addr[t->batch_at++];
		*op = &t->run_op;
	} else {
		*op = &t->batch.ops[t->batch_at++];
	}
	return 1;
}

/*
 * Whether op (just taken by next_op) was applied ahead with the DMAs of its
 * run that follow it: a run's DMAs that make one request each within their
 * mapping are applied AHEAD_DMAS at a time (replay_run_ahead: one PHB run,
 * its TCE-cache hits taken together) when the first of them is read; the
 * others come in order, each as replay_op() would have applied it then,
 * since nothing else is applied before they are read: the run's ops come
 * one after the other, and a window op waits for them (the barrier). The
 * timing of each is still its own.
 */
static bool run_ahead(struct timed *t)
{
	long k = t->batch_at - 1, n = t->batch.n - k, got;

	if (!t->batch.addr || t->ahead_none)
		return false;
	if (k < t->ahead_end)
		return true;
	got = replay_run_ahead(t->r, &t->run_op, t->batch.addr + k,
			       n < AHEAD_DMAS ? n : AHEAD_DMAS, &t->ahead_seg);
	t->ahead_none = got < 0;
	if (got <= 0)
		return false;
	t->ahead_end = k + got;
	return true;
}

/*
 * A DMA applied ahead (run_ahead), as apply() keeps it: it reached its
 * mapping, one segment (keep_dma_segs' cut at its offset: within it, so
 * before its end), and logged one request.
 */
static inline void apply_ahead(struct timed *t, uint32_t i, const struct dma_op *op)
{
	struct dma_seg *k = seg_room(t, i, 1);

	ent(t, i)->ok = true;
	k->dma = t->ahead_seg.dma + op->addr;
	k->len = t->ahead_seg.len - op->addr;
	t->pending_reqs++;
}

static void read_ops(struct timed *t)
{
	const struct dma_op *op;

	while (may_read(t)) {
		int more = next_op(t, &op);
		uint32_t i;

		if (more <= 0) {
			t->eof = true;
			t->failed = more < 0;
			return;
		}
		t->r->nop++;
		i = ent_new(t, op);
		t->inflight++;
		if (op->kind >= OP_WIN_CREATE) {
			t->barrier = i;		/* applied once everything before it is done */
			t->barrier_op = *op;
			kick_barrier(t);
			continue;
		}
		if (run_ahead(t)) {
			apply_ahead(t, i, op);
		} else if (apply(t, i, op) < 0) {
			t->failed = true;
			return;
		}
		bind(t, i);
		dispatch_op(t, i);
	}
}

/* Reads what it may: after every event, and mostly nothing (the window is full). */
static inline void read_ahead(struct timed *t)
{
	if (may_read(t))
		read_ops(t);
}

void timed_finish(struct timed *t, uint32_t i)
{
	ent(t, i)->state = E_DONE;
	t->inflight--;
	maybe_free(t, i);
	if (t->barrier != NONE)		/* mostly none: no call */
		kick_barrier(t);
}

/* --- the loop --- */

/*
 * A read's last completion: its tag is free, then its DMA is done. The two
 * were one event after the other (same tick, consecutive seq): between them
 * the loop would have read ahead, so this does too.
 */
static void read_done(struct timed *t, uint32_t i)
{
	dev_tag_free(t, ent(t, i)->op.dev);
	if (t->failed)
		return;
	read_ahead(t);
	dev_dma_done(t, i);
}

static void dispatch(struct timed *t, const struct event *ev)
{
	switch (EV_KIND(ev->kind)) {
	case EV_HOST_DONE:
		host_done(t, ev->a);
		break;
	case EV_KILL:
		host_kill(t, ev->a, (unsigned)ev->b);
		break;
	case EV_ISSUE:
		dev_issue(t, ev->a);
		break;
	case EV_REQ:
		dev_request(t, ev->a, ev->b, EV_LEN(ev->kind), EV_OUTCOME(ev->kind));
		break;
	case EV_WALK_DONE:
		pipe_walk_done(t, ev->a);
		break;
	case EV_DMA_DONE:
		dev_dma_done(t, ev->a);
		break;
	case EV_DEV_FREE:
		t->dev[ev->a].busy = false;
		dev_kick(t, ev->a);
		break;
	case EV_DEV_WAKE:
		dev_kick(t, ev->a);
		break;
	case EV_TAG_FREE:
		dev_tag_free(t, ev->a);
		break;
	case EV_READ_DONE:
		read_done(t, ev->a);
		break;
	}
}

/* Device e's link: its own (devices: item's device.pcie), else platform.pcie. */
static void engine_link(struct engine *e, const struct pcie_cfg *l)
{
	const struct link_params lp = { .gen = l->gen, .lanes = l->lanes, .mps = l->mps,
		.mrrs = l->mrrs, .rcb = l->rcb, .rcb_chunks = l->rcb_chunks, .ecrc = l->ecrc };

	link_init(&e->link, &lp);	/* the pcie-bench model (numbers.md §3.2) */
	e->ps_per_byte = 8000.0 / e->link.tlp_gbps;
	e->read_tags = l->read_tags;
	e->lat_ps = l->latency_ns * 1000ull;
}

static void setup(struct timed *t, struct replay *r, struct op_source *src,
		  struct sim_result *res)
{
	const struct config *cfg = r->cfg;
	const struct platform_cfg *p = &cfg->platform;

	memset(t, 0, sizeof(*t));
	t->r = r;
	t->src = src;
	r->batched = true;		/* ops come from batches: errors name op r->at */
	t->res = res;
	idpool_init_named(&t->ents, sizeof(struct ent), "ops held at once");
	t->barrier = NONE;
	t->memo_m = NONE;
	t->ncpu = cfg->host.cpus < MAX_CPUS ? cfg->host.cpus : MAX_CPUS;
	for (unsigned c = 0; c < t->ncpu; c++)
		t->cpuq[c].head = t->cpuq[c].tail = NONE;
	for (unsigned d = 0; d < SIM_MAX_DEVICES; d++) {
		t->dev[d].q.head = t->dev[d].q.tail = t->dev[d].tag_wait = NONE;
		engine_link(&t->dev[d], config_pcie(cfg, d));
	}
	t->cpu_clk = clock_mhz(cfg->host.cpu_mhz);
	t->kill_cpu_ps = clock_edge(t->cpu_clk, p->kill.cpu_ns * 1000ull);
	t->kill_serial = p->kill.phb_lock;
	engine_link(&t->up, &p->pcie);	/* the platform's link: the wire table, the upstream */
	t->ps_per_byte = t->up.ps_per_byte;
	dev_setup(t);
	for (unsigned d = 0; d < SIM_MAX_DEVICES; d++)
		t->dev[d].wire_ps = t->dev[d].ps_per_byte == t->ps_per_byte ? t->wire_ps : NULL;
	up_setup(t);
	pipe_setup(t);
	event_queue_init(&t->q);
}

/*
 * Each device's set-up time (TICK_NEVER: cost_setup_ps overflowed), and the
 * per-device time sums the report adds over the devices, stay below 2^64 - 1
 * ps; else the clock overflow is reported and the replay fails.
 */
static void check_sums(struct timed *t)
{
	ddw_tick map = 0, unmap = 0, walk = 0, stall = 0, setup = 0;

	for (unsigned d = 0; d < t->r->ndev && !t->overflowed; d++) {
		const struct mode_stats *st = t->r->dev[d] ? &t->r->dev[d]->st : NULL;

		if (!st)
			continue;
		if (st->setup_ps == TICK_NEVER)
			overflow(t, "setup.time_ns of device %u: the direct window's set-up takes 2^64 - 1 ps or more", d);
		map = timed_add(t, map, st->cpu_map_ps, "cpu.map_ns summed over the devices");
		unmap = timed_add(t, unmap, st->cpu_unmap_ps, "cpu.unmap_ns summed over the devices");
		walk = timed_add(t, walk, st->walker_ps, "the walk time summed over the devices");
		stall = timed_add(t, stall, st->stall_ps, "translation.stall_ns summed over the devices");
		setup = timed_add(t, setup, st->setup_ps, "setup.time_ns summed over the devices");
	}
}

/*
 * Every request outcome the replay context logged was issued: a DMA's
 * requests on the link are the ones phb.c counted (its device's MPS or
 * MRRS), or the timing would pair requests with other requests' outcomes.
 */
static int check_logs(const struct timed *t)
{
	for (unsigned d = 0; d < t->r->ndev; d++)
		if (t->r->dev[d] && t->r->dev[d]->log.n)
			return ddw_error("internal error: device %u: %zu request outcomes never issued",
					 d, t->r->dev[d]->log.n);
	return 0;
}

/* Whole-run figures: the last event, the busiest CPU and link direction, the upstream's. */
static void run_figures(struct timed *t, struct sim_result *res)
{
	for (unsigned c = 0; c < t->ncpu; c++)
		if (t->cpu_busy_ps[c] > res->st.cpu_busiest_ps)
			res->st.cpu_busiest_ps = t->cpu_busy_ps[c];
	for (unsigned d = 0; d < SIM_MAX_DEVICES; d++) {
		const struct engine *e = &t->dev[d];
		ddw_tick b = e->up_busy > e->down_busy ? e->up_busy : e->down_busy;

		if (b > res->st.link_busiest_ps)
			res->st.link_busiest_ps = b;
	}
	up_figures(t, res);
	res->st.time_ps = t->now;
	res->st.events = t->q.pushed;
}

static void teardown(struct timed *t)
{
	for (uint32_t i = 0; i < t->nbufs; i++) {
		free(t->bufs[i].seg);
		free(t->bufs[i].kills);
	}
	for (unsigned d = 0; d < SIM_MAX_DEVICES; d++)
		u64map_release(&t->dev[d].bind);
	free(t->bufs);
	idpool_release(&t->ents);
	free(t->walkers);
	free(t->walker_busy);
	event_queue_release(&t->q);
}

int timed_replay(struct replay *r, struct op_source *src, struct sim_result *res)
{
	struct timed *t = xmalloc(sizeof(*t));	/* big: the engines of every device */
	struct event ev;
	int rc = 0;

	setup(t, r, src, res);
	read_ahead(t);
	while (!t->failed && event_pop(&t->q, &ev)) {
		t->now = ev.tick;
		dispatch(t, &ev);
		read_ahead(t);
	}
	if (!t->failed)
		check_sums(t);
	if (t->failed)
		rc = -1;
	else if (t->inflight)
		rc = ddw_error("internal error: %u ops never ran (a dependency cycle)", t->inflight);
	else
		rc = check_logs(t);
	replay_result(r, res);
	res->walkers = t->nwalkers;
	run_figures(t, res);
	teardown(t);
	free(t);
	return rc;
}
