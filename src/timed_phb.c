/*
 * timed_phb.c - the PHB pipeline in time.
 *
 * What each request finds (hit, a walk of n reads, a fault) was decided by
 * phb.c when its DMA was read; here it takes time. A lookup takes
 * hit_cycles; a walk takes a walk slot and reads `levels` entries one after
 * another (walk.memory_latency_ns each), at most walk.max_outstanding at
 * once (a walk with no free slot waits for the first to finish). A request
 * whose entry is still being filled by a walk in flight waits for that walk:
 * it is counted in translation.walks_merged instead of tce_cache.hits, so
 * that hits + misses + walks_merged = lookups. With hit_under_miss false,
 * nothing passes a walk. A kill stalls translation for kill.stall_ns per
 * request from the moment the host issues it.
 */
#include <stdlib.h>

#include "ddwsim/xalloc.h"
#include "timed_int.h"

void pipe_setup(struct timed *t)
{
	const struct platform_cfg *p = &t->r->cfg->platform;

	t->phb_clk = clock_mhz(p->clock_mhz);
	t->hit_ps = cycles(t->phb_clk, p->tce_cache.hit_cycles);
	t->walk_read_ps = clock_edge(t->phb_clk, p->walk.memory_latency_ns * 1000ull);
	t->mem_ps = clock_edge(t->phb_clk, p->memory_latency_ns * 1000ull);
	t->kill_stall_ps = clock_edge(t->phb_clk, p->kill.stall_ns * 1000ull);
	t->hit_under_miss = p->walk.hit_under_miss;
	t->nwalkers = p->walk.max_outstanding;
	t->walkers = xcalloc(t->nwalkers, sizeof(*t->walkers));
}

void pipe_kill(struct timed *t, uint64_t requests)
{
	ddw_tick until = timed_add(t, timed_edge(t, t->phb_clk, t->now, "a kill's arrival at the PHB"),
				   timed_mul(t, requests, t->kill_stall_ps,
					     "a kill's stall (requests x ps each)"),
				   "the end of a kill's stall");

	if (until > t->stall_until)
		t->stall_until = until;
}

/* Walker slot walking (pe, win, idx), or NO_SLOT. */
static uint32_t walking(const struct timed *t, unsigned pe, unsigned win, uint64_t idx)
{
	for (unsigned w = 0; w < t->nwalkers; w++) {
		const struct walker *wk = &t->walkers[w];

		if (wk->busy && wk->idx == idx && wk->win == win && wk->pe == pe)
			return w;
	}
	return NO_SLOT;
}

static ddw_tick first_walker_free(const struct timed *t)
{
	ddw_tick m = TICK_NEVER;

	for (unsigned w = 0; w < t->nwalkers; w++)
		if (t->walkers[w].busy && t->walkers[w].done < m)
			m = t->walkers[w].done;
	return m;
}

/* The TCE-cache key of bus in pe (its window holds it: the outcome says so). */
static void key_of(const struct timed *t, struct pe *pe, uint64_t bus, unsigned *win,
		   uint64_t *idx)
{
	*win = phb_window(&t->r->phb, pe, bus, idx)->num;
}

static ddw_tick start_walk(struct timed *t, struct rp_device *d, uint64_t bus, unsigned reads,
			   ddw_tick pnow)
{
	unsigned slot = 0, win;
	uint64_t idx;
	ddw_tick done = timed_add(t, timed_add(t, pnow, t->hit_ps, "a walk's lookup"),
				  timed_mul(t, reads, t->walk_read_ps, "a walk's reads"),
				  "a walk's end");

	key_of(t, &d->pe, bus, &win, &idx);
	while (t->walkers[slot].busy)
		slot++;
	t->walkers[slot] = (struct walker){ .busy = true, .pe = d->pe.number, .win = win,
					    .idx = idx, .done = done };
	t->busy_walkers++;
	d->st.walker_ps = timed_add(t, d->st.walker_ps, done - pnow, "a device's walk time");
	hist_add(&t->res->walk_latency, done - pnow);
	event_push(&t->q, done, EV_WALK_DONE, slot, 0);
	if (!t->hit_under_miss && done > t->inorder_until)
		t->inorder_until = done;
	return done;
}

/* Waits until `at`, then the request comes back to the pipeline. */
static ddw_tick retry(struct timed *t, struct mode_stats *st, uint32_t i, uint64_t bus,
		      unsigned len, unsigned o, ddw_tick at)
{
	st->stall_ps = timed_add(t, st->stall_ps, at - t->now, "translation.stall_ns of a device");
	event_push(&t->q, at, EV_REQ_KIND(o, len), i, bus);
	return 0;
}

ddw_tick pipe_translate(struct timed *t, uint32_t i, uint64_t bus, unsigned len,
			unsigned o)
{
	struct rp_device *d = timed_rdev(t, ent(t, i));
	ddw_tick pnow = timed_edge(t, t->phb_clk, t->now, "a request's lookup"); /* on PHB clock edges */
	ddw_tick wait = t->stall_until > t->inorder_until ? t->stall_until : t->inorder_until;
	unsigned win;
	uint64_t idx;
	uint32_t slot;

	if (wait > pnow)
		return retry(t, &d->st, i, bus, len, o, wait);
	if (o & PHB_NOWIN)
		return timed_add(t, pnow, t->hit_ps, "a lookup's end");
	if (o & PHB_MISS) {
		if (t->busy_walkers == t->nwalkers)
			return retry(t, &d->st, i, bus, len, o, first_walker_free(t));
		return start_walk(t, d, bus, PHB_READS(o), pnow);
	}
	if (!t->busy_walkers)		/* the common case: no walk to wait for */
		return timed_add(t, pnow, t->hit_ps, "a lookup's end");
	key_of(t, &d->pe, bus, &win, &idx);
	slot = walking(t, d->pe.number, win, idx);
	if (slot == NO_SLOT)
		return timed_add(t, pnow, t->hit_ps, "a lookup's end");
	d->st.walks_merged++;		/* found, but the walk filling it is in flight */
	d->st.cache_hits--;
	return timed_add(t, t->walkers[slot].done, t->hit_ps, "a lookup's end");
}

void pipe_walk_done(struct timed *t, unsigned slot)
{
	t->walkers[slot].busy = false;
	t->busy_walkers--;
}
