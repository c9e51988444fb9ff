/*
 * phb.c - the PHB's DMA translation: the one path both replays take.
 *
 * Per PCIe request (reference/domain.md §3.1, QEMU pnv_phb4_translate_tve):
 *   1. the window: bus address bit 59 picks the TVE; here, the PE's window
 *      whose table holds the address, else a fault. The TVE covers the
 *      table's it_size entries (pnv_pci_ioda2_set_window programs
 *      it_size << 3 bytes), which the kernel rounds up to a page, so a
 *      16M window of 4K TCEs on a 64K-page host translates 32M, as far as
 *      its allocator hands out (tce_iommu_find_table bounds it the same);
 *   2. TCE-cache lookup keyed by (PE, window, TCE index);
 *   3. on a miss, a walk: one dependent 8-byte read per level; a zero
 *      indirect entry stops it (fault); a non-zero leaf is cached;
 *   4. permission: a write needs TCE_PCI_WRITE, a read TCE_PCI_READ.
 *
 * Host TCEs behind a guest window (KVM + VFIO, domain.md §6, §8.5): QEMU's
 * vfio_spapr_create_window gives the host window TCEs of
 * phb_host_shift() = the largest host size <= min(guest TCE,
 * qemu_minrampagesize()), and kvmppc_tce_iommu_map writes
 * subpages = 1 << (guest shift - host shift) host TCEs per guest TCE, at host
 * index io_entry = guest entry * subpages + i, real address guest RPN + i *
 * host page. The PHB only sees the host table, so one step turns the guest
 * window's offset into a host TCE index (phb_window): the cache key, the walk
 * (the host table's levels, from QEMU's levels guess) and the kills
 * (dma_api.c) are the host's. The host TCE's value is derived from the guest
 * TCE, whose table the model keeps: host TCE i of guest entry e is
 * guest_tce(e) + (i << host shift), same permission bits. A walk that finds
 * no guest TCE is counted with the host table's levels (assumed: the host
 * table's upper levels exist, as they do once anything near was mapped).
 * Requests split at naturally aligned MPS/MRRS boundaries (assumed: device
 * DMA engines issue aligned requests; PCIe forbids crossing 4 KiB, and
 * MPS/MRRS <= 4 KiB divide it, so no request crosses a TCE either).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/phb.h"
#include "ddwsim/tce_table.h"
#include "ddwsim/tce.h"
#include "ddwsim/xalloc.h"

void dma_cursor_init(struct dma_cursor *c, const struct dma_seg *seg, uint64_t off,
		     uint64_t len, uint64_t unit)
{
	*c = (struct dma_cursor){ .seg = seg, .off = off, .left = len, .unit = unit };
}

bool dma_cursor_next(struct dma_cursor *c, uint64_t *bus, uint64_t *len)
{
	uint64_t b, chunk;

	if (!c->left)
		return false;
	while (c->off >= c->seg[c->i].len) {
		c->off -= c->seg[c->i].len;
		c->i++;
	}
	b = c->seg[c->i].dma + c->off;
	chunk = c->unit - (b & (c->unit - 1));
	if (chunk > c->left)
		chunk = c->left;
	if (chunk > c->seg[c->i].len - c->off)
		chunk = c->seg[c->i].len - c->off;
	c->off += chunk;
	c->left -= chunk;
	*bus = b;
	*len = chunk;
	return true;
}

int phb_host_geom(const struct phb_host *h, const struct tce_geom *guest, struct tce_geom *out)
{
	unsigned shift = phb_host_shift(h, guest->page_shift), bits_total, per_level, max_levels;
	struct tce_table_req req = {
		.kind = TCE_TABLE_PNV, .window_size = guest->window_size,
		.host_page_shift = h->page_shift, .max_bits = PHB_HOST_MAX_BITS,
	};

	if (!h->page_sizes || !shift || guest->window_size >> shift == 0)
		return -EINVAL;
	req.page_shift = shift;
	/*
	 * bits_total = ctz64(entries * sizeof(uint64_t)), entries a power of two.
	 * QEMU holds entries in an `unsigned`: from 2^32 entries on it is 0, and
	 * ctz64(0) = 64 (a 16T window of 4K host TCEs gets 3 levels, not 2).
	 */
	bits_total = __builtin_ctzll(guest->window_size >> shift) >= 32
			     ? 64 : (unsigned)__builtin_ctzll(guest->window_size >> shift) + 3;
	per_level = h->page_shift + 8;
	max_levels = (64 - shift) / h->page_shift;
	if (max_levels > TCE_MAX_LEVELS)
		max_levels = TCE_MAX_LEVELS;
	for (req.levels = (bits_total + per_level - 1) / per_level; req.levels <= max_levels;
	     req.levels++)
		if (req.levels && tce_geom_compute(out, &req) == 0)
			return 0;
	return -EINVAL;
}

uint64_t phb_host_table_bytes(const struct phb_host *h, const struct tce_geom *guest)
{
	struct tce_geom g;

	if (phb_host_geom(h, guest, &g) < 0)
		return 0;
	return tce_pnv_get_table_size(g.page_shift, g.window_size, g.levels, h->page_shift);
}

/* Levels of the host table behind w: memoised per (PE, table), as a window's
 * host table does not change while it lives. */
static unsigned host_levels(struct phb *p, const struct pe *pe, const struct window *w)
{
	uint64_t base = tce_table_base(w->tbl);
	struct tce_geom g;

	if (p->host_memo_base != base || p->host_memo_pe != pe->number) {
		p->host_memo_base = base;
		p->host_memo_pe = pe->number;
		p->host_memo_levels = phb_host_geom(&p->host, tce_table_geom(w->tbl), &g) < 0
					      ? 1 : g.levels;
	}
	return p->host_memo_levels;
}

/*
 * A miss on TCE idx (in the PHB's TCEs, sub = log2 of those per window TCE):
 * the window's entry idx >> sub is read from the model's table; behind a host
 * side, the host TCE is derived from it and the host table's levels are read.
 */
__attribute__((noinline))	/* kept out of the hit path's loop (dma_run inlines the rest) */
static unsigned walk(struct phb *p, struct pe *pe, struct window *w, uint64_t idx,
		     unsigned sub, uint64_t *tce)
{
	struct tce_walk wk;
	int rc = tce_table_walk(w->tbl, idx >> sub, &wk);
	unsigned reads = wk.reads;

	*tce = rc < 0 ? 0 : wk.tce;
	if (p->host.page_sizes) {
		reads = host_levels(p, pe, w);
		if (*tce)
			*tce += (idx & ((1ull << sub) - 1)) << (tce_table_geom(w->tbl)->page_shift - sub);
	}
	p->st->cache_misses++;
	p->st->walks++;
	p->st->walk_reads += reads;
	if (*tce)
		tce_cache_fill(p->cache, pe->number, w->num, idx, *tce);
	return PHB_MISS | (reads & 0x0f);
}

struct window *phb_window(const struct phb *p, struct pe *pe, uint64_t bus, uint64_t *idx)
{
	struct window *w = window_table_find(pe, bus);

	if (w)
		*idx = (bus - w->start) >> phb_host_shift(&p->host, tce_table_geom(w->tbl)->page_shift);
	return w;
}

/* PHB_FAULT, counted, when tce (0: none) does not allow the access. */
static inline unsigned fault(struct mode_stats *st, uint64_t tce, bool write)
{
	if (__builtin_expect(!tce || !tce_allows(tce, write), 0)) {
		st->faults++;
		return PHB_FAULT;
	}
	return 0;
}

/* After a lookup of TCE idx of window w missed: the walk, its fill, the permission test. */
static inline unsigned translate_miss(struct phb *p, struct mode_stats *st, struct pe *pe,
				      struct window *w, uint64_t idx, bool write)
{
	const unsigned sub = tce_table_geom(w->tbl)->page_shift -
			     phb_host_shift(&p->host, tce_table_geom(w->tbl)->page_shift);
	uint64_t tce;
	unsigned o = walk(p, pe, w, idx, sub, &tce);

	return o | fault(st, tce, write);
}

/*
 * Steps 2 to 4 for a request in window w at the PHB's TCE idx, counted into
 * st (p->st, loaded once by the caller). The hit path is a lookup, two
 * counter increments and the permission test: no division (sets are found
 * by a mask, the index by a shift) and no branch on the cache's policy
 * (tce_cache.c).
 */
static inline unsigned translate_in(struct phb *p, struct mode_stats *st, struct pe *pe,
				    struct window *w, uint64_t key, uint64_t idx, bool write)
{
	uint64_t tce;

	st->cache_lookups++;
	if (!tce_cache_lookup_key(p->cache, key, idx, &tce))
		return translate_miss(p, st, pe, w, idx, write);
	st->cache_hits++;
	return PHB_HIT | fault(st, tce, write);
}

/* A request with no window: a fault, no lookup. */
static unsigned no_window(struct mode_stats *st)
{
	st->faults++;
	return PHB_NOWIN;
}

/*
 * The window a stream's requests go through, looked up (window_table_find)
 * for its first request and kept while the next ones stay inside it: a 64
 * KiB DMA of 256 requests, or a run of DMAs in one window, finds it once.
 * window_table_find returns the first used slot that holds the address, so
 * a hint from a later slot also keeps the earlier one's range, and a
 * request in it looks up again. hint_find: the window of bus found by
 * lookup, kept in the hint h when there is one.
 */
__attribute__((noinline))
static struct window *hint_find(const struct phb *p, struct phb_stream *h, uint64_t bus,
				uint64_t *idx)
{
	struct window *w = phb_window(p, h->pe, bus, idx);
	const struct window *b = &h->pe->win[0];
	const struct tce_geom *g;

	if (!w)
		return NULL;
	g = tce_table_geom(w->tbl);
	h->w = w;
	h->start = w->start;
	h->it_size = g->it_size;
	h->page_shift = g->page_shift;
	h->idx_shift = phb_host_shift(&p->host, g->page_shift);
	h->key = tce_cache_key(h->pe->number, w->num);
	h->before_size = 0;
	if (w != b && b->used) {
		h->before_start = b->start;
		h->before_size = tce_table_geom(b->tbl)->it_size;
		h->before_shift = tce_table_geom(b->tbl)->page_shift;
	}
	return w;
}

/* The window of bus and the PHB's TCE index in it, by the hint when it holds. */
static inline struct window *hint_window(const struct phb *p, struct phb_stream *h,
					 uint64_t bus, uint64_t *idx)
{
	/* below a start, the difference wraps to a value no window holds */
	if (((bus - h->start) >> h->page_shift) < h->it_size &&
	    ((bus - h->before_start) >> h->before_shift) >= h->before_size) {
		*idx = (bus - h->start) >> h->idx_shift;
		return h->w;
	}
	return hint_find(p, h, bus, idx);
}

/* A bypass DMA: its requests counted (and logged), none translated. */
static void dma_bypass(struct phb *p, struct dma_cursor *c)
{
	uint64_t bus, n;

	while (dma_cursor_next(c, &bus, &n)) {
		p->st->requests++;
		if (p->log)
			phb_log_push(p->log, PHB_BYPASS);
	}
}

/* One request at bus: counted, translated in its window, logged. */
static inline void request(struct phb *p, struct mode_stats *st, struct phb_stream *s,
			   uint64_t bus, bool write)
{
	uint64_t idx;
	struct window *w = hint_window(p, s, bus, &idx);
	unsigned o;

	st->requests++;
	o = w ? translate_in(p, st, s->pe, w, s->key, idx, write) : no_window(st);
	if (p->log)
		phb_log_push(p->log, (uint8_t)o);
}

/*
 * A DMA that one request carries (within its first segment and one naturally
 * aligned unit, as most small DMAs are) skips the cursor: dma_cursor_next
 * would give that one request.
 */
__attribute__((flatten))	/* the TCE-cache lookup inlined in the loop of requests */
void phb_stream_dma(struct phb *p, struct phb_stream *s, const struct dma_seg *seg,
		    uint64_t off, uint64_t len, bool write)
{
	struct mode_stats *st = p->st;
	uint64_t unit = phb_unit(p, write), bus = seg->dma + off, n;
	struct dma_cursor c;

	_Static_assert(WINDOW_MAX_SLOTS == 2, "phb_stream keeps one earlier slot");
	if (len && len <= seg->len && off <= seg->len - len &&
	    len <= unit - (bus & (unit - 1))) {
		request(p, st, s, bus, write);
		return;
	}
	dma_cursor_init(&c, seg, off, len, unit);
	while (dma_cursor_next(&c, &bus, &n))
		request(p, st, s, bus, write);
}

/*
 * Do all requests of a run in s's window (s->w, found for the mapping's
 * start) lie in it? Yes when the mapping is one segment (seg->len >= mlen)
 * whose first and last byte s holds, with no slot before s's between them:
 * s's range is contiguous, and a slot before it whose range neither byte is
 * in can only lie between them.
 */
static bool run_in_window(const struct phb_stream *s, const struct dma_seg *seg, uint64_t mlen)
{
	uint64_t a = seg->dma, b = seg->dma + (mlen - 1);

	return s->w && mlen && seg->len >= mlen && b >= a &&
	       ((b - s->start) >> s->page_shift) < s->it_size &&
	       ((b - s->before_start) >> s->before_shift) >= s->before_size &&
	       !(s->before_size && a < s->before_start && b >= s->before_start);
}

#define RUN_CHUNK	256	/* TCE indexes gathered at a time (2 KiB of stack) */

/*
 * From off[0] on, at most RUN_CHUNK of n DMAs of a fast run (phb_run) that
 * one request carries, within the mapping and one naturally aligned unit:
 * their PHB TCE indexes in w's window (s: its start, its shift) into idx;
 * returns how many.
 */
static uint64_t gather(const struct phb_stream *s, const struct dma_seg *seg, uint64_t mlen,
		       uint64_t unit, const uint64_t *restrict off, uint64_t n, uint64_t len,
		       uint64_t *restrict idx)
{
	const uint64_t base = seg->dma - s->start, shift = s->idx_shift;
	uint64_t k;

	if (n > RUN_CHUNK)
		n = RUN_CHUNK;
	for (k = 0; k < n; k++) {
		const uint64_t o = off[k];

		if (!dma_within(mlen, o, len) || !dma_one_unit(seg->dma + o, len, unit))
			break;
		idx[k] = (base + o) >> shift;
	}
	return k;
}

/*
 * One request at each PHB TCE index idx[0..m) of s's window: the hits whose
 * TCE allows the access all at once (tce_cache_hit_run), counted here; after
 * a miss the walk (translate_miss); a hit that faults by translate_in, as
 * alone. Each outcome logged, when there is a log, as request() logs it.
 */
static void translate_run(struct phb *p, const struct phb_stream *s, const uint64_t *idx,
			  uint64_t m, bool write)
{
	struct mode_stats *const st = p->st;
	const uint64_t need = write ? TCE_PCI_WRITE : TCE_PCI_READ;
	uint64_t k = 0, h;
	unsigned o;
	bool missed;

	while (k < m) {
		h = tce_cache_hit_run(p->cache, s->key, idx + k, m - k, need, &missed);
		if (h) {
			st->requests += h;
			st->cache_lookups += h;
			st->cache_hits += h;
			if (p->log)
				phb_log_push_n(p->log, PHB_HIT, h);
			k += h;
			if (k == m)
				break;
		}
		st->requests++;
		if (missed) {	/* looked up and counted by the cache */
			st->cache_lookups++;
			o = translate_miss(p, st, s->pe, s->w, idx[k], write);
		} else {
			o = translate_in(p, st, s->pe, s->w, s->key, idx[k], write);
		}
		if (p->log)
			phb_log_push(p->log, (uint8_t)o);
		k++;
	}
}

/*
 * Each DMA within the mapping (dma_within) goes through phb_stream_dma,
 * unless the whole run lies in one window (fast): then the DMAs that one
 * request carries (most small ones: within one naturally aligned unit) are
 * gathered as TCE indexes and translated together (translate_run), the
 * window's bounds checked for the run before. Outcomes are logged in the
 * DMAs' order either way.
 */
uint64_t phb_run(struct phb *p, struct pe *pe, const struct dma_seg *seg, uint64_t mlen,
		 const uint64_t *restrict off, uint64_t n, uint64_t len, bool write)
{
	const uint64_t unit = phb_unit(p, write);
	uint64_t out = 0, idx[RUN_CHUNK], m;
	struct phb_stream s;
	bool fast;

	phb_stream_begin(&s, pe);
	if (!len)
		return 0;	/* within no mapping, and not counted outside */
	if (!mlen)
		return n;
	hint_find(p, &s, seg->dma, &m);
	fast = len <= unit && run_in_window(&s, seg, mlen);
	for (uint64_t k = 0; k < n; k++) {
		if (fast && (m = gather(&s, seg, mlen, unit, off + k, n - k, len, idx))) {
			translate_run(p, &s, idx, m, write);
			k += m - 1;
		} else if (!dma_within(mlen, off[k], len)) {
			out++;
		} else {
			phb_stream_dma(p, &s, seg, off[k], len, write);
		}
	}
	return out;
}

/* The TCE-cache lookup inlined into each DMA's loop of requests (one call per DMA, not per request). */
__attribute__((flatten))
void phb_dma(struct phb *p, struct pe *pe, const struct dma_seg *seg, uint64_t off,
	     uint64_t len, bool write, bool bypass)
{
	struct phb_stream s;
	struct dma_cursor c;

	if (bypass) {
		dma_cursor_init(&c, seg, off, len, phb_unit(p, write));
		dma_bypass(p, &c);
		return;
	}
	phb_stream_begin(&s, pe);
	phb_stream_dma(p, &s, seg, off, len, write);
}

void phb_kill(struct phb *p, const struct kill_req *k)
{
	switch (k->scope) {
	case KILL_NONE:
		break;
	case KILL_PAGE:
		for (uint64_t i = 0; i < k->npages; i++)
			tce_cache_kill_page(p->cache, k->pe, k->win, k->idx + i);
		break;
	case KILL_PE:
		tce_cache_kill_pe(p->cache, k->pe);
		break;
	case KILL_ALL:
		tce_cache_kill_all(p->cache);
		break;
	}
	if (p->kills) {
		struct phb_kills *ks = p->kills;

		if (ks->n == ks->cap) {
			ks->cap = ks->cap ? ks->cap * 2 : 8;
			ks->requests = xrealloc(ks->requests, st_mul(ks->cap, sizeof(*ks->requests)));
		}
		ks->requests[ks->n++] = k->requests;
	}
}

/* --- the outcome log: a ring that doubles when full --- */

/* Room for at least `more` outcomes beyond l->n: the ring doubled until it holds them. */
static void log_grow(struct phb_log *l, size_t more)
{
	size_t cap = l->cap ? l->cap : 4096, first = l->cap - l->head;
	uint8_t *b;

	while (cap - l->n < more)
		cap = st_mul(cap, 2);
	b = xmalloc(cap);
	if (first > l->n)
		first = l->n;
	if (l->n) {
		memcpy(b, l->buf + l->head, first);
		memcpy(b + first, l->buf, l->n - first);
	}
	free(l->buf);
	l->buf = b;
	l->cap = cap;
	l->head = 0;
}

void phb_log_push(struct phb_log *l, uint8_t o)
{
	if (l->n == l->cap)
		log_grow(l, 1);
	l->buf[(l->head + l->n) & (l->cap - 1)] = o;
	l->n++;
}

void phb_log_push_n(struct phb_log *l, uint8_t o, size_t n)
{
	size_t at, first;

	if (l->cap - l->n < n)
		log_grow(l, n);
	at = (l->head + l->n) & (l->cap - 1);
	first = l->cap - at < n ? l->cap - at : n;
	memset(l->buf + at, o, first);
	memset(l->buf, o, n - first);
	l->n += n;
}

uint8_t phb_log_pop(struct phb_log *l)
{
	uint8_t o;

	assert(l->n);		/* each request issued was logged (timed.c, check_logs) */
	o = l->buf[l->head];

	l->head = (l->head + 1) & (l->cap - 1);
	l->n--;
	return o;
}

void phb_log_release(struct phb_log *l)
{
	free(l->buf);
	*l = (struct phb_log){ 0 };
}
