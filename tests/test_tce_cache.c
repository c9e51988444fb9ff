/*
 * test_tce_cache.c - the PHB TCE cache against a reference model.
 *
 * The reference model is written here and knows nothing of the code under
 * test: per set, an array of keys ordered newest first. LRU moves a key to
 * the front on a hit; FIFO does not. A fill after a miss evicts the last key
 * of a full set. Kills remove keys and keep the order of the others. Every
 * random stream comes from a fixed-seed xorshift64, so each run is the same.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "ddwsim/rng.h"
#include "ddwsim/tce.h"
#include "ddwsim/tce_cache.h"

#define REF_MAX		512	/* largest geometry tested, entries */

/* A cache key as the PHB tags it: PE, window slot, TCE index in the window. */
struct key {
	unsigned pe;
	unsigned win;
	uint64_t idx;
};

/* The reference cache. Set s holds k[s * ways .. s * ways + n[s] - 1], newest first. */
struct ref {
	unsigned sets;
	unsigned ways;
	bool lru;		/* hits move the key to the front */
	struct key k[REF_MAX];
	unsigned n[REF_MAX];	/* valid keys per set */
	unsigned valid;
	uint64_t hits;
	uint64_t misses;
	uint64_t evictions;
	uint64_t invalidations;
};

struct geom {
	unsigned entries;
	unsigned ways;
};

/* xorshift64 (Marsaglia 2003, shifts 13/7/17); the state is never 0. */
static uint64_t xs_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static bool key_eq(struct key a, struct key b)
{
	return a.pe == b.pe && a.win == b.win && a.idx == b.idx;
}

/* The value a fill stores for a key: unique per key, so a hit proves which entry it found. */
static uint64_t tce_of(struct key k)
{
	return (k.idx << 12) | ((uint64_t)k.pe << 2) | ((uint64_t)k.win << 1) | 1;
}

static void ref_init(struct ref *r, unsigned entries, unsigned ways, bool lru)
{
	memset(r, 0, sizeof(*r));
	r->sets = entries / ways;
	r->ways = ways;
	r->lru = lru;
}

static struct key *ref_set(struct ref *r, uint64_t idx, unsigned **n)
{
	unsigned s = (unsigned)(idx % r->sets);

	*n = &r->n[s];
	return &r->k[s * r->ways];
}

/* Removes position p of a set of *n keys, keeping the order of the rest. */
static void ref_remove_at(struct key *set, unsigned *n, unsigned p)
{
	for (unsigned i = p; i + 1 < *n; i++)
		set[i] = set[i + 1];
	(*n)--;
}

static bool ref_lookup(struct ref *r, struct key k)
{
	unsigned *n;
	struct key *set = ref_set(r, k.idx, &n);

	for (unsigned p = 0; p < *n; p++) {
		if (!key_eq(set[p], k))
			continue;
		r->hits++;
		if (r->lru) {
			ref_remove_at(set, n, p);
			memmove(&set[1], &set[0], *n * sizeof(set[0]));
			set[0] = k;
			(*n)++;
		}
		return true;
	}
	r->misses++;
	return false;
}

/* Fill after a miss: evict the last (oldest / least recent) key of a full set. */
static void ref_fill(struct ref *r, struct key k)
{
	unsigned *n;
	struct key *set = ref_set(r, k.idx, &n);

	if (*n == r->ways) {
		(*n)--;
		r->valid--;
		r->evictions++;
	}
	memmove(&set[1], &set[0], *n * sizeof(set[0]));
	set[0] = k;
	(*n)++;
	r->valid++;
}

static void ref_kill_page(struct ref *r, struct key k)
{
	unsigned *n;
	struct key *set = ref_set(r, k.idx, &n);

	for (unsigned p = 0; p < *n; p++) {
		if (key_eq(set[p], k)) {
			ref_remove_at(set, n, p);
			r->valid--;
			r->invalidations++;
			return;
		}
	}
}

static void ref_kill_pe(struct ref *r, unsigned pe)
{
	for (unsigned s = 0; s < r->sets; s++) {
		struct key *set = &r->k[s * r->ways];

		for (unsigned p = 0; p < r->n[s];) {
			if (set[p].pe == pe) {
				ref_remove_at(set, &r->n[s], p);
				r->valid--;
				r->invalidations++;
			} else {
				p++;
			}
		}
	}
}

static void ref_kill_all(struct ref *r)
{
	r->invalidations += r->valid;
	r->valid = 0;
	memset(r->n, 0, sizeof(r->n));
}

/*
 * A key with locality: PE 0 three times in four, window 1 one time in eight,
 * half the indexes from a hot range of entries/2 + 1, half from 4 * entries.
 */
static struct key rand_key(uint64_t *rs, unsigned entries)
{
	uint64_t r = xs_next(rs);
	struct key k;

	k.pe = r % 4 ? 0 : 1 + (unsigned)((r >> 2) % 2);
	k.win = (r >> 4) % 8 ? 0 : 1;
	if ((r >> 8) & 1)
		k.idx = (r >> 16) % (entries / 2 + 1);
	else
		k.idx = (r >> 16) % (4ull * entries);
	return k;
}

enum op_kind { OP_ACCESS, OP_KILL_PAGE, OP_KILL_PE, OP_KILL_ALL };

struct op {
	enum op_kind kind;
	struct key k;		/* OP_ACCESS, OP_KILL_PAGE; k.pe for OP_KILL_PE */
};

/* Per 1000 ops: 30 page kills, 3 PE kills, 1 kill-all, 966 accesses. */
static struct op rand_op(uint64_t *rs, unsigned entries)
{
	uint64_t r = xs_next(rs) % 1000;
	struct op op = { .kind = OP_ACCESS };

	if (r < 30)
		op.kind = OP_KILL_PAGE;
	else if (r < 33)
		op.kind = OP_KILL_PE;
	else if (r < 34)
		op.kind = OP_KILL_ALL;
	op.k = rand_key(rs, entries);
	return op;
}

/* One op on the reference only; returns whether an access hit. */
static bool ref_apply(struct ref *r, const struct op *op)
{
	switch (op->kind) {
	case OP_KILL_PAGE:
		ref_kill_page(r, op->k);
		return false;
	case OP_KILL_PE:
		ref_kill_pe(r, op->k.pe);
		return false;
	case OP_KILL_ALL:
		ref_kill_all(r);
		return false;
	case OP_ACCESS:
		break;
	}
	if (ref_lookup(r, op->k))
		return true;
	ref_fill(r, op->k);
	return false;
}

/* One op on the cache, as a PHB does it: lookup, and on a miss fill. */
static bool cache_apply(struct tce_cache *c, const struct op *op, uint64_t *tce)
{
	const struct key k = op->k;

	switch (op->kind) {
	case OP_KILL_PAGE:
		tce_cache_kill_page(c, k.pe, k.win, k.idx);
		return false;
	case OP_KILL_PE:
		tce_cache_kill_pe(c, k.pe);
		return false;
	case OP_KILL_ALL:
		tce_cache_kill_all(c);
		return false;
	case OP_ACCESS:
		break;
	}
	if (tce_cache_lookup(c, k.pe, k.win, k.idx, tce))
		return true;
	tce_cache_fill(c, k.pe, k.win, k.idx, tce_of(k));
	return false;
}

static struct tce_cache *new_cache(unsigned entries, unsigned ways,
				   enum tce_cache_policy policy, uint64_t seed)
{
	struct tce_cache_cfg cfg = {
		.entries = entries, .ways = ways, .policy = policy, .seed = seed,
	};
	struct tce_cache *c = NULL;

	cr_assert(eq(int, tce_cache_new(&c, &cfg), 0));
	return c;
}

#define STREAM_OPS	20000
#define STREAM_SEED	0x9e3779b97f4a7c15ull

/* Runs the stream on the cache and the reference, comparing after every op. */
static void check_against_ref(const struct geom *g, enum tce_cache_policy policy)
{
	struct tce_cache *c = new_cache(g->entries, g->ways, policy, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	struct ref *r = malloc(sizeof(*r));
	uint64_t rs = STREAM_SEED;

	cr_assert(not(eq(ptr, r, NULL)));
	ref_init(r, g->entries, g->ways, policy == TCE_CACHE_LRU);
	for (unsigned i = 0; i < STREAM_OPS; i++) {
		struct op op = rand_op(&rs, g->entries);
		uint64_t tce = 0;
		bool hit = cache_apply(c, &op, &tce);
		bool want = ref_apply(r, &op);

		cr_assert(eq(int, hit, want), "op %u: hit %d, reference %d", i, hit, want);
		if (hit)
			cr_assert(eq(u64, tce, tce_of(op.k)), "op %u: wrong TCE on a hit", i);
		cr_assert(eq(u64, st->hits, r->hits), "op %u", i);
		cr_assert(eq(u64, st->misses, r->misses), "op %u", i);
		cr_assert(eq(u64, st->evictions, r->evictions), "op %u", i);
		cr_assert(eq(u64, st->invalidations, r->invalidations), "op %u", i);
		cr_assert(eq(uint, tce_cache_valid(c), r->valid), "op %u", i);
		cr_assert(eq(u64, st->lookups, st->hits + st->misses), "op %u", i);
	}
	free(r);
	tce_cache_free(c);
}

/* Hits of the reference alone on the stream (to show the stream can tell LRU from FIFO). */
static uint64_t ref_hits(const struct geom *g, bool lru)
{
	struct ref *r = malloc(sizeof(*r));
	uint64_t rs = STREAM_SEED, hits;

	cr_assert(not(eq(ptr, r, NULL)));
	ref_init(r, g->entries, g->ways, lru);
	for (unsigned i = 0; i < STREAM_OPS; i++) {
		struct op op = rand_op(&rs, g->entries);

		ref_apply(r, &op);
	}
	hits = r->hits;
	free(r);
	return hits;
}

/*
 * Geometries, covering both layouts of tce_cache.c ("sets" up to 64 ways,
 * "hash" above) and both ways of finding the set (a power of two of sets,
 * masked, or not, idx % sets):
 *   16 x 16     fully associative, sets layout
 *   32 / 4      8 sets x 4 ways
 *   32 / 1      direct-mapped (tags padded to 4 per set)
 *   24 / 4      6 sets: set = idx % 6
 *   12 / 3      4 sets of 3 ways (not a multiple of 4: padded)
 *   96 / 32     3 sets of 32 ways
 *   64 / 64     the largest set of the sets layout (a full 64-bit mask)
 *   65 / 65     the smallest of the hash layout
 *   390 / 130   3 hash-layout sets, starting inside words of the valid bits
 *   160 / 160   the calibration's fully associative cache
 *   512 / 512   fully associative, hash layout
 */
static struct geom geoms[] = {
	{ 16, 16 }, { 32, 4 }, { 32, 1 }, { 24, 4 }, { 12, 3 }, { 96, 32 }, { 64, 64 },
	{ 65, 65 }, { 390, 130 }, { 160, 160 }, { 512, 512 },
};

ParameterizedTestParameters(tce_cache, lru_matches_reference_model)
{
	return cr_make_param_array(struct geom, geoms, sizeof(geoms) / sizeof(geoms[0]));
}

ParameterizedTest(struct geom *g, tce_cache, lru_matches_reference_model)
{
	/* With more than one way LRU and FIFO must disagree on this stream,
	 * or the comparison could not catch a policy mix-up. */
	if (g->ways > 1)
		cr_assert(not(eq(u64, ref_hits(g, true), ref_hits(g, false))));
	check_against_ref(g, TCE_CACHE_LRU);
}

ParameterizedTestParameters(tce_cache, fifo_matches_reference_model)
{
	return cr_make_param_array(struct geom, geoms, sizeof(geoms) / sizeof(geoms[0]));
}

ParameterizedTest(struct geom *g, tce_cache, fifo_matches_reference_model)
{
	check_against_ref(g, TCE_CACHE_FIFO);
}

Test(tce_cache, fifo_hit_does_not_protect_the_oldest_entry)
{
	/* 1 set x 2 ways. Fill A, fill B, hit A, fill C: FIFO evicts A (oldest
	 * fill) although it was just used; LRU would evict B. */
	struct tce_cache *c = new_cache(2, 2, TCE_CACHE_FIFO, 1);
	uint64_t tce;

	tce_cache_fill(c, 0, 0, 10, 0xa003);
	tce_cache_fill(c, 0, 0, 20, 0xb003);
	cr_assert(tce_cache_lookup(c, 0, 0, 10, &tce));
	tce_cache_fill(c, 0, 0, 30, 0xc003);
	cr_expect(not(tce_cache_lookup(c, 0, 0, 10, &tce)));
	cr_expect(tce_cache_lookup(c, 0, 0, 20, &tce));
	cr_expect(eq(u64, tce, 0xb003));
	cr_expect(eq(u64, tce_cache_stats(c)->evictions, 1));
	tce_cache_free(c);
}

Test(tce_cache, lru_hit_protects_the_entry)
{
	/* The same sequence under LRU evicts B, the least recently used. */
	struct tce_cache *c = new_cache(2, 2, TCE_CACHE_LRU, 1);
	uint64_t tce;

	tce_cache_fill(c, 0, 0, 10, 0xa003);
	tce_cache_fill(c, 0, 0, 20, 0xb003);
	cr_assert(tce_cache_lookup(c, 0, 0, 10, &tce));
	tce_cache_fill(c, 0, 0, 30, 0xc003);
	cr_expect(tce_cache_lookup(c, 0, 0, 10, &tce));
	cr_expect(eq(u64, tce, 0xa003));
	cr_expect(not(tce_cache_lookup(c, 0, 0, 20, &tce)));
	tce_cache_free(c);
}

/* Runs the stream on a random-policy cache; returns its hit count and checks invariants. */
static uint64_t random_run(unsigned entries, unsigned ways, uint64_t seed, uint64_t *trace)
{
	struct tce_cache *c = new_cache(entries, ways, TCE_CACHE_RANDOM, seed);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	uint64_t rs = STREAM_SEED, hits;

	for (unsigned i = 0; i < STREAM_OPS; i++) {
		struct op op = rand_op(&rs, entries);
		uint64_t tce = 0;

		if (cache_apply(c, &op, &tce))
			cr_assert(eq(u64, tce, tce_of(op.k)), "op %u: wrong TCE on a hit", i);
		if (trace)
			trace[i] = st->hits;
		cr_assert(le(uint, tce_cache_valid(c), entries), "op %u", i);
		cr_assert(eq(u64, st->hits + st->misses, st->lookups), "op %u", i);
		/* Every valid entry came from a fill and left by eviction or kill. */
		cr_assert(eq(u64, st->fills - st->evictions - st->invalidations,
			     tce_cache_valid(c)), "op %u", i);
	}
	hits = st->hits;
	tce_cache_free(c);
	return hits;
}

Test(tce_cache, random_policy_is_reproducible_from_its_seed)
{
	uint64_t *a = calloc(STREAM_OPS, sizeof(*a));
	uint64_t *b = calloc(STREAM_OPS, sizeof(*b));

	cr_assert(not(eq(ptr, a, NULL)));
	cr_assert(not(eq(ptr, b, NULL)));
	random_run(32, 4, 42, a);
	random_run(32, 4, 42, b);
	for (unsigned i = 0; i < STREAM_OPS; i++)
		cr_assert(eq(u64, a[i], b[i]), "op %u: same seed, different hits", i);
	free(a);
	free(b);
}

Test(tce_cache, random_policy_uses_its_seed)
{
	/* 20000 ops, thousands of random evictions: two seeds giving the same
	 * hit count would mean the seed is ignored (fixed seeds: deterministic). */
	cr_expect(not(eq(u64, random_run(32, 4, 42, NULL), random_run(32, 4, 4242, NULL))));
}

Test(tce_cache, random_policy_keeps_invariants_in_every_geometry)
{
	for (size_t i = 0; i < sizeof(geoms) / sizeof(geoms[0]); i++)
		random_run(geoms[i].entries, geoms[i].ways, 7, NULL);
}

Test(tce_cache, random_policy_evicts_only_within_the_set)
{
	/* 8 sets x 4 ways. Set 1 holds idx 1, 9, 17, 25 (idx % 8 == 1). Then
	 * 1000 fills of distinct keys of set 0 (idx = 8 * n) must evict only
	 * set-0 entries: set 1 stays intact. */
	struct tce_cache *c = new_cache(32, 4, TCE_CACHE_RANDOM, 3);
	uint64_t tce;

	for (uint64_t i = 1; i < 32; i += 8)
		tce_cache_fill(c, 0, 0, i, i << 12);
	for (uint64_t n = 0; n < 1000; n++)
		tce_cache_fill(c, 0, 0, 8 * n, 1);
	for (uint64_t i = 1; i < 32; i += 8) {
		cr_expect(tce_cache_lookup(c, 0, 0, i, &tce), "idx %lu evicted", (unsigned long)i);
		cr_expect(eq(u64, tce, i << 12));
	}
	/* Set 0: 1000 fills into 4 ways -> 996 evictions; set 1 none. */
	cr_expect(eq(u64, tce_cache_stats(c)->evictions, 996));
	cr_expect(eq(uint, tce_cache_valid(c), 8));
	tce_cache_free(c);
}

Test(tce_cache, fill_evicts_only_when_the_set_is_full)
{
	/* 4-way sets: four fills into set 0 take the free ways, the fifth evicts. */
	static const enum tce_cache_policy pols[] = {
		TCE_CACHE_LRU, TCE_CACHE_FIFO, TCE_CACHE_RANDOM,
	};

	for (unsigned p = 0; p < 3; p++) {
		struct tce_cache *c = new_cache(32, 4, pols[p], 5);

		for (uint64_t n = 0; n < 4; n++)
			tce_cache_fill(c, 0, 0, 8 * n, 1);
		cr_expect(eq(u64, tce_cache_stats(c)->evictions, 0), "policy %u", p);
		tce_cache_fill(c, 0, 0, 8 * 4, 1);
		cr_expect(eq(u64, tce_cache_stats(c)->evictions, 1), "policy %u", p);
		cr_expect(eq(uint, tce_cache_valid(c), 4), "policy %u", p);
		tce_cache_free(c);
	}
}

Test(tce_cache, same_index_in_another_pe_or_window_is_another_entry)
{
	struct tce_cache *c = new_cache(16, 16, TCE_CACHE_LRU, 1);
	uint64_t tce = 0;

	tce_cache_fill(c, 1, 0, 5, 0x5003);
	cr_expect(not(tce_cache_lookup(c, 2, 0, 5, &tce)), "other PE must miss");
	cr_expect(not(tce_cache_lookup(c, 1, 1, 5, &tce)), "other window must miss");
	cr_expect(tce_cache_lookup(c, 1, 0, 5, &tce));
	cr_expect(eq(u64, tce, 0x5003));

	tce_cache_fill(c, 2, 0, 5, 0x6003);
	tce_cache_fill(c, 1, 1, 5, 0x7003);
	cr_expect(eq(uint, tce_cache_valid(c), 3));
	cr_expect(tce_cache_lookup(c, 2, 0, 5, &tce));
	cr_expect(eq(u64, tce, 0x6003));
	cr_expect(tce_cache_lookup(c, 1, 1, 5, &tce));
	cr_expect(eq(u64, tce, 0x7003));
	cr_expect(tce_cache_lookup(c, 1, 0, 5, &tce));
	cr_expect(eq(u64, tce, 0x5003));
	tce_cache_free(c);
}

Test(tce_cache, fill_of_a_present_key_refreshes_its_tce)
{
	struct tce_cache *c = new_cache(16, 4, TCE_CACHE_LRU, 1);
	uint64_t tce = 0;

	tce_cache_fill(c, 3, 0, 9, 0x9001);
	tce_cache_fill(c, 3, 0, 9, 0x9003);
	cr_expect(eq(uint, tce_cache_valid(c), 1));
	cr_expect(tce_cache_lookup(c, 3, 0, 9, &tce));
	cr_expect(eq(u64, tce, 0x9003));
	cr_expect(eq(u64, tce_cache_stats(c)->evictions, 0));
	tce_cache_free(c);
}

Test(tce_cache, kill_page_removes_exactly_one_entry)
{
	struct tce_cache *c = new_cache(16, 16, TCE_CACHE_LRU, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	uint64_t tce;

	tce_cache_fill(c, 1, 0, 5, 1);
	tce_cache_fill(c, 2, 0, 5, 2);
	tce_cache_fill(c, 1, 1, 5, 3);
	tce_cache_fill(c, 1, 0, 6, 4);
	tce_cache_kill_page(c, 1, 0, 5);
	cr_expect(eq(u64, st->invalidations, 1));
	cr_expect(eq(uint, tce_cache_valid(c), 3));
	cr_expect(not(tce_cache_lookup(c, 1, 0, 5, &tce)));
	cr_expect(tce_cache_lookup(c, 2, 0, 5, &tce));
	cr_expect(tce_cache_lookup(c, 1, 1, 5, &tce));
	cr_expect(tce_cache_lookup(c, 1, 0, 6, &tce));
	tce_cache_free(c);
}

Test(tce_cache, killing_an_absent_page_counts_nothing)
{
	struct tce_cache *c = new_cache(16, 4, TCE_CACHE_LRU, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);

	tce_cache_kill_page(c, 0, 0, 77);		/* empty cache */
	cr_expect(eq(u64, st->invalidations, 0));
	tce_cache_fill(c, 0, 0, 1, 1);
	tce_cache_kill_page(c, 0, 0, 77);		/* same set? 77 % 4 = 1: yes */
	tce_cache_kill_page(c, 1, 0, 1);		/* same idx, other PE */
	tce_cache_kill_page(c, 0, 1, 1);		/* same idx, other window */
	cr_expect(eq(u64, st->invalidations, 0));
	cr_expect(eq(uint, tce_cache_valid(c), 1));
	tce_cache_kill_page(c, 0, 0, 1);
	tce_cache_kill_page(c, 0, 0, 1);		/* second kill: already gone */
	cr_expect(eq(u64, st->invalidations, 1));
	tce_cache_free(c);
}

Test(tce_cache, kill_pe_removes_all_of_one_pe_and_none_of_another)
{
	struct tce_cache *c = new_cache(32, 4, TCE_CACHE_LRU, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	uint64_t tce;

	/* PE 7: 3 entries over both windows and two sets; PE 8: 2 entries. */
	tce_cache_fill(c, 7, 0, 0, 1);
	tce_cache_fill(c, 7, 1, 0, 2);
	tce_cache_fill(c, 7, 0, 3, 3);
	tce_cache_fill(c, 8, 0, 0, 4);
	tce_cache_fill(c, 8, 1, 3, 5);
	tce_cache_kill_pe(c, 7);
	cr_expect(eq(u64, st->invalidations, 3));
	cr_expect(eq(uint, tce_cache_valid(c), 2));
	cr_expect(not(tce_cache_lookup(c, 7, 0, 0, &tce)));
	cr_expect(not(tce_cache_lookup(c, 7, 1, 0, &tce)));
	cr_expect(not(tce_cache_lookup(c, 7, 0, 3, &tce)));
	cr_expect(tce_cache_lookup(c, 8, 0, 0, &tce));
	cr_expect(eq(u64, tce, 4));
	cr_expect(tce_cache_lookup(c, 8, 1, 3, &tce));
	cr_expect(eq(u64, tce, 5));
	tce_cache_kill_pe(c, 9);			/* no entries: +0 */
	cr_expect(eq(u64, st->invalidations, 3));
	tce_cache_free(c);
}

Test(tce_cache, kill_all_empties_the_cache_and_counts_valid_entries)
{
	struct tce_cache *c = new_cache(24, 4, TCE_CACHE_FIFO, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	uint64_t tce;

	for (uint64_t i = 0; i < 10; i++)
		tce_cache_fill(c, (unsigned)(i % 3), 0, i, i);
	cr_assert(eq(uint, tce_cache_valid(c), 10));
	tce_cache_kill_all(c);
	cr_expect(eq(uint, tce_cache_valid(c), 0));
	cr_expect(eq(u64, st->invalidations, 10));
	for (uint64_t i = 0; i < 10; i++)
		cr_expect(not(tce_cache_lookup(c, (unsigned)(i % 3), 0, i, &tce)));
	tce_cache_kill_all(c);				/* empty: +0 */
	cr_expect(eq(u64, st->invalidations, 10));
	/* Usable again: 6 sets x 4 ways hold 24 fresh entries without eviction. */
	for (uint64_t i = 0; i < 24; i++)
		tce_cache_fill(c, 0, 0, i, i);
	cr_expect(eq(uint, tce_cache_valid(c), 24));
	cr_expect(eq(u64, st->evictions, 0));
	tce_cache_free(c);
}

/*
 * The header allows pe < 2^15, win < 2, idx < 2^48. The largest such key,
 * (0x7fff, 1, 2^48 - 1), must behave like any other. (If the packed tag of
 * this key equals an internal "invalid" marker, the entry can no longer be
 * killed by PE.)
 */
Test(tce_cache, largest_key_the_header_allows_is_an_ordinary_entry)
{
	static const struct geom g[] = { { 16, 16 }, { 32, 4 }, { 24, 4 }, { 128, 128 } };
	const uint64_t idx = (1ull << 48) - 1;

	for (unsigned i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		struct tce_cache *c = new_cache(g[i].entries, g[i].ways, TCE_CACHE_LRU, 1);
		uint64_t tce = 0;

		cr_assert(not(tce_cache_lookup(c, 0x7fff, 1, idx, &tce)), "%u/%u", g[i].entries,
			  g[i].ways);
		tce_cache_fill(c, 0x7fff, 1, idx, 0x1003);
		cr_assert(tce_cache_lookup(c, 0x7fff, 1, idx, &tce));
		cr_assert(eq(u64, tce, 0x1003));
		tce_cache_kill_pe(c, 0x7fff);
		cr_expect(eq(uint, tce_cache_valid(c), 0), "kill_pe left the entry valid");
		cr_expect(eq(u64, tce_cache_stats(c)->invalidations, 1));
		cr_expect(not(tce_cache_lookup(c, 0x7fff, 1, idx, &tce)));
		tce_cache_free(c);
	}
}

Test(tce_cache, new_rejects_bad_geometry)
{
	static const struct { unsigned entries, ways; } bad[] = {
		{ 0, 1 },	/* no entries */
		{ 16, 0 },	/* no ways */
		{ 24, 5 },	/* 24 % 5 = 4 */
		{ 4, 8 },	/* 4 % 8 = 4: more ways than entries */
		{ 0, 0 },
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tce_cache_cfg cfg = {
			.entries = bad[i].entries, .ways = bad[i].ways, .policy = TCE_CACHE_LRU,
		};
		struct tce_cache *c = NULL;

		cr_expect(eq(int, tce_cache_new(&c, &cfg), -EINVAL), "case %u", i);
	}
}

Test(tce_cache, new_accepts_ways_dividing_entries)
{
	static const struct { unsigned entries, ways; } good[] = {
		{ 1, 1 }, { 24, 4 }, { 24, 24 }, { 24, 1 }, { 160, 160 },
	};

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct tce_cache_cfg cfg = {
			.entries = good[i].entries, .ways = good[i].ways, .policy = TCE_CACHE_LRU,
		};
		struct tce_cache *c = NULL;

		cr_expect(eq(int, tce_cache_new(&c, &cfg), 0), "case %u", i);
		cr_expect(eq(uint, tce_cache_valid(c), 0));
		tce_cache_free(c);
	}
	tce_cache_free(NULL);				/* a no-op */
}

Test(tce_cache, policy_names_parse_and_print)
{
	cr_expect(eq(int, tce_cache_policy_parse("lru"), TCE_CACHE_LRU));
	cr_expect(eq(int, tce_cache_policy_parse("fifo"), TCE_CACHE_FIFO));
	cr_expect(eq(int, tce_cache_policy_parse("random"), TCE_CACHE_RANDOM));
	cr_expect(eq(int, tce_cache_policy_parse("plru"), -1));
	cr_expect(eq(int, tce_cache_policy_parse(""), -1));
	cr_expect(eq(int, tce_cache_policy_parse("lru "), -1));
	cr_expect(eq(str, (char *)tce_cache_policy_name(TCE_CACHE_LRU), "lru"));
	cr_expect(eq(str, (char *)tce_cache_policy_name(TCE_CACHE_FIFO), "fifo"));
	cr_expect(eq(str, (char *)tce_cache_policy_name(TCE_CACHE_RANDOM), "random"));
	cr_expect(eq(ptr, (void *)tce_cache_policy_name((enum tce_cache_policy)3), NULL));
}

/*
 * Hash stress: a 1 x 512 cache never filled past capacity (so nothing is
 * evicted) against a plain list of the keys it must hold. Random fills,
 * kills of members and non-members, PE kills and lookups move entries in and
 * out of the hash table many thousand times, which is what backward-shift
 * deletion has to survive: after every op, lookups agree with the list.
 */
struct member {
	struct key k;
	uint64_t tce;
};

static int member_find(const struct member *m, unsigned n, struct key k)
{
	for (unsigned i = 0; i < n; i++)
		if (key_eq(m[i].k, k))
			return (int)i;
	return -1;
}

static struct key stress_key(uint64_t *rs)
{
	uint64_t r = xs_next(rs);
	struct key k = {
		.pe = (unsigned)(r % 4), .win = (unsigned)((r >> 2) & 1), .idx = (r >> 3) % 4096,
	};

	return k;
}

static void stress_check_all(struct tce_cache *c, const struct member *m, unsigned n)
{
	uint64_t tce;

	cr_assert(eq(uint, tce_cache_valid(c), n));
	for (unsigned i = 0; i < n; i++) {
		cr_assert(tce_cache_lookup(c, m[i].k.pe, m[i].k.win, m[i].k.idx, &tce),
			  "member %u lost", i);
		cr_assert(eq(u64, tce, m[i].tce));
	}
}

Test(tce_cache, hash_survives_random_fills_and_kills, .timeout = 60)
{
	struct tce_cache *c = new_cache(512, 512, TCE_CACHE_LRU, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	struct member *m = calloc(512, sizeof(*m));
	uint64_t rs = 0x0123456789abcdefull, tce, inval = 0;
	unsigned n = 0;

	cr_assert(not(eq(ptr, m, NULL)));
	for (unsigned op = 0; op < 200000; op++) {
		uint64_t r = xs_next(&rs) % 1000;
		struct key k = stress_key(&rs);
		int at;

		/* Half the kills and lookups aim at a member. */
		if (r >= 450 && n && (xs_next(&rs) & 1))
			k = m[xs_next(&rs) % n].k;
		at = member_find(m, n, k);
		if (r < 450) {
			if (at >= 0) {
				m[at].tce = op;
				tce_cache_fill(c, k.pe, k.win, k.idx, op);
			} else if (n < 512) {
				m[n++] = (struct member){ .k = k, .tce = op };
				tce_cache_fill(c, k.pe, k.win, k.idx, op);
			}
		} else if (r < 800) {
			tce_cache_kill_page(c, k.pe, k.win, k.idx);
			if (at >= 0) {
				m[at] = m[--n];
				inval++;
			}
		} else if (r < 802) {
			tce_cache_kill_pe(c, k.pe);
			for (unsigned i = 0; i < n;) {
				if (m[i].k.pe == k.pe) {
					m[i] = m[--n];
					inval++;
				} else {
					i++;
				}
			}
		} else {
			bool hit = tce_cache_lookup(c, k.pe, k.win, k.idx, &tce);

			cr_assert(eq(int, hit, at >= 0), "op %u: membership", op);
			if (hit)
				cr_assert(eq(u64, tce, m[at].tce), "op %u", op);
		}
		cr_assert(eq(uint, tce_cache_valid(c), n), "op %u", op);
		cr_assert(eq(u64, st->invalidations, inval), "op %u", op);
		if (op % 1000 == 999)
			stress_check_all(c, m, n);
	}
	cr_expect(eq(u64, st->evictions, 0));
	stress_check_all(c, m, n);
	free(m);
	tce_cache_free(c);
}

/*
 * Random replacement by position: the documented choice is "a fill takes
 * the lowest free way of its set; a full set evicts way rng_below(ways)",
 * one draw per eviction from an rng seeded with the run's seed. This model
 * keeps each set's ways by position and draws from its own rng with the
 * same seed, so the victims (and every hit) must be the cache's exactly.
 */
struct pos_ref {
	unsigned sets, ways;
	struct rng rng;
	struct key k[REF_MAX];
	bool used[REF_MAX];
};

static int pos_find(const struct pos_ref *r, struct key k)
{
	unsigned first = (unsigned)(k.idx % r->sets) * r->ways;

	for (unsigned w = first; w < first + r->ways; w++)
		if (r->used[w] && key_eq(r->k[w], k))
			return (int)w;
	return -1;
}

static void pos_fill(struct pos_ref *r, struct key k)
{
	unsigned first = (unsigned)(k.idx % r->sets) * r->ways, w = first;

	while (w < first + r->ways && r->used[w])
		w++;
	if (w == first + r->ways)
		w = first + (unsigned)rng_below(&r->rng, r->ways);
	r->k[w] = k;
	r->used[w] = true;
}

/* One op on the model; returns whether an access hit. */
static bool pos_apply(struct pos_ref *r, const struct op *op)
{
	int at = pos_find(r, op->k);

	switch (op->kind) {
	case OP_KILL_PAGE:
		if (at >= 0)
			r->used[at] = false;
		return false;
	case OP_KILL_PE:
		for (unsigned w = 0; w < r->sets * r->ways; w++)
			if (r->k[w].pe == op->k.pe)
				r->used[w] = false;
		return false;
	case OP_KILL_ALL:
		memset(r->used, 0, sizeof(r->used));
		return false;
	case OP_ACCESS:
		break;
	}
	if (at >= 0)
		return true;
	pos_fill(r, op->k);
	return false;
}

ParameterizedTestParameters(tce_cache, random_matches_positional_model)
{
	return cr_make_param_array(struct geom, geoms, sizeof(geoms) / sizeof(geoms[0]));
}

ParameterizedTest(struct geom *g, tce_cache, random_matches_positional_model)
{
	struct tce_cache *c = new_cache(g->entries, g->ways, TCE_CACHE_RANDOM, 42);
	struct pos_ref *r = calloc(1, sizeof(*r));
	uint64_t rs = STREAM_SEED;

	cr_assert(not(eq(ptr, r, NULL)));
	r->sets = g->entries / g->ways;
	r->ways = g->ways;
	rng_init(&r->rng, 42);
	for (unsigned i = 0; i < STREAM_OPS; i++) {
		struct op op = rand_op(&rs, g->entries);
		uint64_t tce = 0;
		bool hit = cache_apply(c, &op, &tce);

		cr_assert(eq(int, hit, pos_apply(r, &op)), "op %u", i);
	}
	free(r);
	tce_cache_free(c);
}

/*
 * Kills while a set is full, in each layout. Keys k0..k(w-1) fill set 0
 * (idx = n * sets); k0 is hit, k2 killed. A fill then takes k2's way with no
 * eviction; the next evicts k1 under LRU (least recently used: k0 was hit)
 * and k0 under FIFO (the oldest fill).
 */
static void full_set_kill_case(unsigned entries, unsigned ways, enum tce_cache_policy pol)
{
	struct tce_cache *c = new_cache(entries, ways, pol, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	const uint64_t sets = entries / ways, gone = pol == TCE_CACHE_LRU ? 1 : 0;
	uint64_t tce;

	for (uint64_t n = 0; n < ways; n++)
		tce_cache_fill(c, 0, 0, n * sets, n);
	cr_assert(tce_cache_lookup(c, 0, 0, 0, &tce));
	tce_cache_kill_page(c, 0, 0, 2 * sets);
	cr_expect(eq(uint, tce_cache_valid(c), ways - 1));
	tce_cache_fill(c, 0, 0, 1000 * sets, 1000);
	cr_expect(eq(u64, st->evictions, 0), "%u/%u: the free way was not taken", entries, ways);
	tce_cache_fill(c, 0, 0, 1001 * sets, 1001);
	cr_expect(eq(u64, st->evictions, 1));
	cr_expect(eq(uint, tce_cache_valid(c), ways));
	for (uint64_t n = 0; n < ways; n++)
		cr_expect(eq(int, tce_cache_peek(c, 0, 0, n * sets), n != gone && n != 2),
			  "%u/%u policy %d: key %lu", entries, ways, pol, (unsigned long)n);
	cr_expect(tce_cache_peek(c, 0, 0, 1000 * sets));
	cr_expect(tce_cache_peek(c, 0, 0, 1001 * sets));
	cr_expect(eq(u64, st->invalidations, 1));
	tce_cache_free(c);
}

Test(tce_cache, kill_in_a_full_set_frees_a_way_and_keeps_the_order)
{
	static const struct geom g[] = { { 4, 4 }, { 32, 4 }, { 24, 4 }, { 64, 64 },
					 { 65, 65 }, { 390, 130 }, { 128, 128 } };

	for (unsigned i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		full_set_kill_case(g[i].entries, g[i].ways, TCE_CACHE_LRU);
		full_set_kill_case(g[i].entries, g[i].ways, TCE_CACHE_FIFO);
	}
}

/*
 * A PE kill among 64 PEs: each PE fills 4 entries (indexes spread over the
 * sets), PE 17 is killed, and exactly its 4 entries go; the other 252 hit.
 */
static void pe_kill_case(unsigned entries, unsigned ways)
{
	struct tce_cache *c = new_cache(entries, ways, TCE_CACHE_LRU, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	uint64_t tce;

	for (unsigned pe = 0; pe < 64; pe++)
		for (uint64_t i = 0; i < 4; i++)
			tce_cache_fill(c, pe, pe & 1, pe * 4 + i, (pe << 8) | i);
	cr_assert(eq(uint, tce_cache_valid(c), 256));
	cr_assert(eq(u64, st->evictions, 0));
	tce_cache_kill_pe(c, 17);
	cr_expect(eq(u64, st->invalidations, 4), "%u/%u", entries, ways);
	cr_expect(eq(uint, tce_cache_valid(c), 252));
	for (unsigned pe = 0; pe < 64; pe++) {
		for (uint64_t i = 0; i < 4; i++) {
			bool hit = tce_cache_lookup(c, pe, pe & 1, pe * 4 + i, &tce);

			cr_expect(eq(int, hit, pe != 17), "%u/%u: PE %u idx %lu", entries, ways,
				  pe, (unsigned long)(pe * 4 + i));
			if (hit)
				cr_expect(eq(u64, tce, (pe << 8) | i));
		}
	}
	tce_cache_kill_pe(c, 17);			/* nothing left: +0 */
	cr_expect(eq(u64, st->invalidations, 4));
	tce_cache_free(c);
}

Test(tce_cache, pe_kill_among_many_pes_removes_only_that_pe)
{
	pe_kill_case(256, 8);				/* sets layout */
	pe_kill_case(768, 64);				/* sets layout, 12 sets */
	pe_kill_case(256, 256);				/* hash layout */
	pe_kill_case(390, 130);				/* hash layout, 3 sets */
}

Test(tce_cache, peek_does_not_count_as_a_use)
{
	/* 1 set x 2 ways, LRU, in each layout's smallest form: fill A, fill B,
	 * peek A, fill C: A (least recently used, the peek not counting) goes. */
	static const unsigned ways[] = { 2, 65 };

	for (unsigned i = 0; i < 2; i++) {
		struct tce_cache *c = new_cache(ways[i], ways[i], TCE_CACHE_LRU, 1);

		for (uint64_t n = 0; n + 1 < ways[i]; n++)
			tce_cache_fill(c, 0, 0, 100 + n, 1);
		tce_cache_fill(c, 0, 0, 1, 1);		/* the most recent */
		cr_assert(tce_cache_peek(c, 0, 0, 100));
		tce_cache_fill(c, 0, 0, 2, 1);
		cr_expect(not(tce_cache_peek(c, 0, 0, 100)), "%u ways", ways[i]);
		cr_expect(eq(u64, tce_cache_stats(c)->lookups, 0));
		tce_cache_free(c);
	}
}

Test(tce_cache, a_run_of_hits_stops_at_a_miss_or_a_refused_bit)
{
	/* 4 sets x 2 ways, LRU; set = idx % 4. idx 0 read-only, 4 and 1 read-write. */
	struct tce_cache *c = new_cache(8, 2, TCE_CACHE_LRU, 1);
	const struct tce_cache_stats *st = tce_cache_stats(c);
	const uint64_t key = tce_cache_key(3, 1);
	const uint64_t run[] = { 0, 4, 1, 0, 8 }, writes[] = { 1, 0, 4 };
	bool missed = false;

	tce_cache_fill(c, 3, 1, 0, 0x1001);
	tce_cache_fill(c, 3, 1, 4, 0x4003);
	tce_cache_fill(c, 3, 1, 1, 0x5003);
	/* reads: 0, 4, 1, 0 hit; 8 (set 0) misses, its lookup counted */
	cr_assert(eq(sz, tce_cache_hit_run(c, key, run, 5, TCE_PCI_READ, &missed), 4));
	cr_expect(missed);
	cr_expect(eq(u64, st->lookups, 5));
	cr_expect(eq(u64, st->hits, 4));
	cr_expect(eq(u64, st->misses, 1));
	/* the run used 4 before 0: the fill of 8 evicts 4 (LRU) */
	tce_cache_fill(c, 3, 1, 8, 0x8003);
	cr_expect(not(tce_cache_peek(c, 3, 1, 4)));
	cr_expect(tce_cache_peek(c, 3, 1, 0));
	/* writes: 1 hits; 0 is read-only: the run stops before it, counts nothing of it */
	cr_assert(eq(sz, tce_cache_hit_run(c, key, writes, 3, TCE_PCI_WRITE, &missed), 1));
	cr_expect(not(missed));
	cr_expect(eq(u64, st->lookups, 6));
	cr_expect(eq(u64, st->hits, 5));
	cr_expect(eq(u64, st->misses, 1));
	/* another PE's key finds nothing */
	cr_expect(eq(sz, tce_cache_hit_run(c, tce_cache_key(4, 1), run, 5, 0, &missed), 0));
	cr_expect(missed);
	tce_cache_free(c);
}

/*
 * The stream of check_against_ref, its accesses in runs of up to 8 of one PE
 * and window through tce_cache_hit_run (half of them asking for the write
 * bit, which tce_of gives window 1 only), against a twin cache that looks
 * each up alone: the same hits, TCEs and counters after every run, in every
 * layout and policy (random: the same seed, so the same draws).
 */
static void check_runs_against_twin(const struct geom *g, enum tce_cache_policy policy)
{
	struct tce_cache *c = new_cache(g->entries, g->ways, policy, 7);
	struct tce_cache *t = new_cache(g->entries, g->ways, policy, 7);
	const struct tce_cache_stats *cs = tce_cache_stats(c), *ts = tce_cache_stats(t);
	uint64_t rs = STREAM_SEED, idx[8], tce;
	struct op op = rand_op(&rs, g->entries), run[8];

	for (unsigned i = 0; i < STREAM_OPS / 4; i++) {
		const uint64_t need = xs_next(&rs) & 1 ? TCE_PCI_WRITE : 0;
		size_t n = 0, k = 0, h;
		bool missed;

		if (op.kind != OP_ACCESS) {
			cache_apply(c, &op, &tce);
			cache_apply(t, &op, &tce);
			op = rand_op(&rs, g->entries);
			continue;
		}
		for (; n < 8 && op.kind == OP_ACCESS; n++, op = rand_op(&rs, g->entries)) {
			if (n && (op.k.pe != run[0].k.pe || op.k.win != run[0].k.win))
				break;	/* a run is of one PE and window */
			run[n] = op;
			idx[n] = op.k.idx;
		}
		while (k < n) {
			h = tce_cache_hit_run(c, tce_cache_key(run[0].k.pe, run[0].k.win), idx + k,
					      n - k, need, &missed);
			for (size_t j = k; j < k + h; j++) {
				cr_assert(tce_cache_lookup(t, run[j].k.pe, run[j].k.win, idx[j], &tce),
					  "run %u, access %zu: a hit in the run, a miss alone", i, j);
				cr_assert(eq(u64, tce & need, need), "run %u, access %zu", i, j);
			}
			k += h;
			if (k == n)
				break;
			if (missed) {	/* the run made this lookup: the twin's must miss too */
				cr_assert(not(tce_cache_lookup(t, run[k].k.pe, run[k].k.win, idx[k], &tce)),
					  "run %u, access %zu", i, k);
			} else {	/* refused: a hit on both, whose TCE lacks the bit */
				cr_assert(cache_apply(c, &run[k], &tce), "run %u, access %zu", i, k);
				cr_assert(not(eq(u64, tce & need, need)), "run %u, access %zu", i, k);
				cr_assert(cache_apply(t, &run[k], &tce), "run %u, access %zu", i, k);
				k++;
				continue;
			}
			tce_cache_fill(c, run[k].k.pe, run[k].k.win, idx[k], tce_of(run[k].k));
			tce_cache_fill(t, run[k].k.pe, run[k].k.win, idx[k], tce_of(run[k].k));
			k++;
		}
		cr_assert(eq(u64, cs->lookups, ts->lookups), "run %u", i);
		cr_assert(eq(u64, cs->hits, ts->hits), "run %u", i);
		cr_assert(eq(u64, cs->misses, ts->misses), "run %u", i);
		cr_assert(eq(u64, cs->evictions, ts->evictions), "run %u", i);
		cr_assert(eq(uint, tce_cache_valid(c), tce_cache_valid(t)), "run %u", i);
	}
	cr_assert(gt(u64, cs->hits, 1000), "the stream must hit, or it tests little");
	tce_cache_free(c);
	tce_cache_free(t);
}

ParameterizedTestParameters(tce_cache, runs_count_as_lookups_one_at_a_time)
{
	return cr_make_param_array(struct geom, geoms, sizeof(geoms) / sizeof(geoms[0]));
}

ParameterizedTest(struct geom *g, tce_cache, runs_count_as_lookups_one_at_a_time)
{
	check_runs_against_twin(g, TCE_CACHE_LRU);
	check_runs_against_twin(g, TCE_CACHE_FIFO);
	check_runs_against_twin(g, TCE_CACHE_RANDOM);
}
