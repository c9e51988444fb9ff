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
 * translation is in order: by default nothing passes a walk (a request
 * waits until the walk ends, then is looked up); with miss_under_miss a
 * request is looked up at once and a miss starts its walk while earlier
 * walks are in flight (up to max_outstanding), but no translation completes
 * before the one ahead of it, so a hit behind a walk waits for that walk
 * (and while a miss waits for a free walk slot, everything behind it waits).
 * A kill stalls translation for kill.stall_ns per request from the moment
 * the host issues it.
 */
#include <stdlib.h>

#include "ddwsim/tce_table.h"
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
	t->busy_ps = cycles(t->phb_clk, p->tce_cache.busy_cycles);
	t->walk_busy_ps = cycles(t->phb_clk, p->walk.busy_cycles);
	t->hit_under_miss = p->walk.hit_under_miss;
	t->in_order_done = !p->walk.hit_under_miss && p->walk.miss_under_miss;
	t->nwalkers = p->walk.max_outstanding;
	t->walkers = xcalloc(t->nwalkers, sizeof(*t->walkers));
	t->walker_busy = xcalloc((t->nwalkers + 63) / 64, sizeof(*t->walker_busy));
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

/*
 * The walk filter: which of walk_filter's counters the bus page `page` of
 * 2^shift bytes in PE pe counts in. A walk counts in the page of its TCE's
 * first byte and, if its window is not aligned to the TCE size, the next
 * page too; so every request that has the walk's key (pe, window, index)
 * finds a count in the page of its bus address at the walk's shift, with no
 * window lookup. Most requests find none (4096 walkers, two counts each,
 * fit in 16 bits).
 */
static unsigned bus_hash(unsigned pe, uint64_t page, unsigned shift)
{
	uint64_t h = (page ^ (uint64_t)pe << 40 ^ (uint64_t)shift << 58) *
		     UINT64_C(0x9e3779b97f4a7c15);

	return (unsigned)(h >> 56) & (WALK_FILTER - 1);
}

static void filter_count(struct timed *t, const struct walker *wk, int d)
{
	t->walk_filter[bus_hash(wk->pe, wk->page, wk->shift)] += d;
	if (wk->straddles)
		t->walk_filter[bus_hash(wk->pe, wk->page + 1, wk->shift)] += d;
	if (!(t->walk_shift_n[wk->shift] += d))
		t->walk_shifts &= ~(UINT64_C(1) << wk->shift);
	else
		t->walk_shifts |= UINT64_C(1) << wk->shift;
}

/* False if no walk in flight has the key of a request at bus in PE pe. */
static bool maybe_walking(const struct timed *t, unsigned pe, uint64_t bus)
{
	for (uint64_t m = t->walk_shifts; m; m &= m - 1) {
		unsigned s = (unsigned)__builtin_ctzll(m);

		if (t->walk_filter[bus_hash(pe, bus >> s, s)])
			return true;
	}
	return false;
}

/* Walker slot walking (pe, win, idx), or NO_SLOT: the lowest, if more are. */
static uint32_t walking(const struct timed *t, unsigned pe, unsigned win, uint64_t idx)
{
	for (unsigned k = 0; k < (t->nwalkers + 63) / 64; k++) {
		for (uint64_t bits = t->walker_busy[k]; bits; bits &= bits - 1) {
			unsigned w = k * 64 + (unsigned)__builtin_ctzll(bits);
			const struct walker *wk = &t->walkers[w];

			if (wk->idx == idx && wk->win == win && wk->pe == pe)
				return w;
		}
	}
	return NO_SLOT;
}

static ddw_tick first_walker_free(const struct timed *t)
{
	ddw_tick m = TICK_NEVER;

	for (unsigned k = 0; k < (t->nwalkers + 63) / 64; k++)
		for (uint64_t bits = t->walker_busy[k]; bits; bits &= bits - 1) {
			unsigned w = k * 64 + (unsigned)__builtin_ctzll(bits);

			if (t->walkers[w].done < m)
				m = t->walkers[w].done;
		}
	return m;
}

/* The lowest walker slot not walking (one is: busy_walkers < nwalkers). */
static unsigned free_walker(const struct timed *t)
{
	unsigned k = 0;

	while (!~t->walker_busy[k])
		k++;
	return k * 64 + (unsigned)__builtin_ctzll(~t->walker_busy[k]);
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
	unsigned slot = free_walker(t), shift;
	uint64_t idx, first;
	ddw_tick done = timed_add(t, timed_add(t, pnow, t->hit_ps, "a walk's lookup"),
				  timed_mul(t, reads, t->walk_read_ps, "a walk's reads"),
				  "a walk's end");
	const struct window *w = phb_window(&t->r->phb, &d->pe, bus, &idx);

	/* its TCE's bytes: idx = (bus - start) >> shift (phb_window) */
	shift = phb_host_shift(&t->r->phb.host, tce_table_geom(w->tbl)->page_shift);
	first = w->start + (idx << shift);
	t->walkers[slot] = (struct walker){ .pe = d->pe.number, .win = w->num, .idx = idx,
					    .done = done, .page = first >> shift, .shift = shift,
					    .straddles = (first & ((UINT64_C(1) << shift) - 1)) != 0 };
	t->walker_busy[slot / 64] |= UINT64_C(1) << (slot % 64);
	filter_count(t, &t->walkers[slot], 1);
	t->busy_walkers++;
	t->first_free_ok = false;
	d->st.walker_ps = timed_add(t, d->st.walker_ps, done - pnow, "a device's walk time");
	hist_add(&t->res->walk_latency, done - pnow);
	timed_push(t, &t->walk_ch, done, EV_WALK_DONE, slot, 0);
	if (!t->hit_under_miss && !t->in_order_done && done > t->inorder_until)
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

/*
 * The translation unit serves one lookup at a time: each keeps it busy
 * tce_cache.busy_cycles, a miss walk.busy_cycles more (issuing the walk,
 * filling the entry). The request's lookup starts when the unit is free;
 * the wait counts in translation.stall_ns.
 */
static ddw_tick occupy(struct timed *t, struct mode_stats *st, ddw_tick pnow, unsigned o)
{
	ddw_tick start = pnow > t->unit_free ? pnow : t->unit_free;
	ddw_tick busy = (o & PHB_MISS) ? t->busy_ps + t->walk_busy_ps : t->busy_ps;

	st->stall_ps = timed_add(t, st->stall_ps, start - pnow, "translation.stall_ns of a device");
	t->unit_free = timed_add(t, start, busy, "the translation unit's next free time");
	return start;
}

/*
 * The PHB clock edge at or after now: lookups start on edges. Memoised per
 * now (the requests of one instant share it), which saves a division a
 * request.
 */
static ddw_tick phb_now(struct timed *t)
{
	if (t->edge_of != t->now || !t->edge) {
		t->edge = timed_edge(t, t->phb_clk, t->now, "a request's lookup");
		t->edge_of = t->now;
	}
	return t->edge;
}

static ddw_tick translate(struct timed *t, uint32_t i, uint64_t bus, unsigned len, unsigned o)
{
	struct rp_device *d = timed_rdev(t, ent(t, i));
	ddw_tick pnow = phb_now(t);
	ddw_tick wait = t->stall_until;
	unsigned win;
	uint64_t idx;
	uint32_t slot;

	if (!t->in_order_done && t->inorder_until > wait)	/* nothing passes a walk */
		wait = t->inorder_until;
	if (t->in_order_done && t->nowalker_until > wait)	/* nothing passes a waiting miss */
		wait = t->nowalker_until;
	if (wait > pnow)
		return retry(t, &d->st, i, bus, len, o, wait);
	if ((o & PHB_MISS) && !(o & PHB_NOWIN) && t->busy_walkers == t->nwalkers) {
		if (!t->first_free_ok) {	/* the misses that find every slot busy share it */
			t->first_free = first_walker_free(t);
			t->first_free_ok = true;
		}
		t->nowalker_until = t->first_free;
		return retry(t, &d->st, i, bus, len, o, t->nowalker_until);
	}
	if (t->busy_ps || t->walk_busy_ps)
		pnow = occupy(t, &d->st, pnow, o);
	if (o & PHB_NOWIN)
		return timed_add(t, pnow, t->hit_ps, "a lookup's end");
	if (o & PHB_MISS)
		return start_walk(t, d, bus, PHB_READS(o), pnow);
	if (!t->busy_walkers || !maybe_walking(t, d->pe.number, bus))	/* the common case */
		return timed_add(t, pnow, t->hit_ps, "a lookup's end");
	key_of(t, &d->pe, bus, &win, &idx);
	slot = walking(t, d->pe.number, win, idx);
	if (slot == NO_SLOT)
		return timed_add(t, pnow, t->hit_ps, "a lookup's end");
	d->st.walks_merged++;		/* found, but the walk filling it is in flight */
	d->st.cache_hits--;
	return timed_add(t, t->walkers[slot].done, t->hit_ps, "a lookup's end");
}

ddw_tick pipe_translate(struct timed *t, uint32_t i, uint64_t bus, unsigned len,
			unsigned o)
{
	ddw_tick done = translate(t, i, bus, len, o);

	if (done && t->in_order_done) {	/* completes no earlier than the one ahead */
		if (done < t->inorder_until)
			done = t->inorder_until;
		t->inorder_until = done;
	}
	return done;
}

void pipe_walk_done(struct timed *t, unsigned slot)
{
	const struct walker *wk = &t->walkers[slot];

	t->walker_busy[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
	filter_count(t, wk, -1);
	t->first_free_ok = false;
	t->busy_walkers--;
}
