/*
 * tce_cache.c - the PHB's TCE cache.
 *
 * What is modelled: a set-associative cache of leaf TCEs tagged by PE number
 * and bus page (O'Halloran 2020, reference/numbers.md §2.3: a hit needs "the
 * TCE matches the DMA bus address and the PE number"); set = TCE index mod
 * sets; LRU, FIFO or random replacement; kills by page, PE or all
 * (PHB_TCE_KILL ONE/PE/ALL, reference/domain.md §2.9, §3.2).
 * What is not: its real size, associativity and policy, which no public
 * source gives (reference/domain.md §3.3): they are parameters.
 *
 * Both layouts below number slots the same way, slot = set * ways + way, and
 * make the same choices, so the layout changes the speed, never a figure: a
 * fill takes the lowest free way of its set; a full set evicts its least
 * recently used way (LRU: fills and hits are uses), its oldest fill (FIFO),
 * or way rng_below(ways) (random: one draw per eviction, from the run's
 * seed; the same sequence as before the two layouts, so goldens stand).
 * The set is idx & (sets - 1) when sets is a power of two (every shipped
 * config: the platforms' fully associative 128 entries are one set), else
 * the exact idx % sets, on a separate path. Both layouts remember the entry
 * the last lookup hit or the last fill made (last_tag, last_slot): it is the
 * most recent use of the whole cache, so a lookup of it again (the next
 * request of a DMA split into several, on the same TCE) returns at once with
 * nothing to reorder; every kill forgets it. The layout is chosen once,
 * from the associativity:
 *
 * "sets", ways <= 64: a struct of arrays in which a set's tags are contiguous.
 *
 *     tag   [set * stride + w]  (pe, window, index) in 64 bits; stride is
 *                               ways rounded up to a multiple of 4
 *     tce   [set * ways + w]    the cached TCE
 *     stamp [set * ways + w]    clock at the last fill (FIFO, random), or
 *                               at the last fill or hit (LRU)
 *     vmask [set]               bit w set: way w holds an entry
 *
 * A lookup is one pass over the set's tags with no branch: four compares at
 * a time (SSE2 where the compiler has it, plain C elsewhere or with
 * -DDDWSIM_NO_SIMD, which the tests can then check) are or'ed into a
 * bit mask, and'ed with vmask; a hit is its lowest bit. The policy costs no
 * branch either: a hit stores the clock to hit_stamp[slot & hit_mask], which
 * is the way's stamp under LRU and one scratch word otherwise. A full set's
 * victim is the way with the smallest stamp (LRU and FIFO alike: stamps are
 * unique), found by conditional moves, or the random draw.
 *
 * "hash", ways > 64 (the platforms' 128-entry fully associative default, the
 * calibration's 160): scanning such a set, and finding its smallest stamp at
 * every miss, would cost O(ways). A global open-addressing hash (linear
 * probing, backward-shift deletion) whose buckets hold the tag and its slot
 * finds an entry in about one probe whatever the associativity. Each set
 * keeps its valid slots on a circular doubly linked list with a sentinel,
 * most recent first, so the LRU and FIFO victim is the tail, in O(1) and
 * with no end to test; an LRU hit moves its slot to the head (the one branch
 * on the policy, taken the same way at every hit of a run). Free slots are
 * bits of vbits, the lowest found a word at a time.
 *
 * Both layouts have one hit path (sets_hit_in, hash_hit) on a copy of the
 * state a hit changes (struct hit_state: the clock, the last use), which
 * serves a lookup alone (tce_cache_lookup_key) and a run of them
 * (tce_cache_hit_run: a replay's DMAs in one window, their TCE indexes
 * gathered by the PHB). A run keeps that state and its counts in registers
 * and, in sets of up to four ways, compares a set at once with no loop; it
 * stops at a miss, whose lookup it counts, so the walk follows with no second
 * lookup.
 *
 * Cost, measured by bench/lookup_bench.c (lookups with their fills on a miss,
 * 90 % hits; 2-core EPYC under KVM, other jobs running): 512 x 4-way LRU
 * 5 ns (the single hash and lists before: 12.5 ns; hits alone 3 vs 10.5);
 * 1024 x 8-way 3.5 vs 9; fully associative 128 LRU 7 vs 8, 160 LRU 5.5 vs 6.5.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(DDWSIM_NO_SIMD)
#include <emmintrin.h>
#endif

#include "ddwsim/rng.h"
#include "ddwsim/tce_cache.h"
#include "ddwsim/xalloc.h"

#define SETS_MAX_WAYS	64		/* a set's valid ways fit one uint64_t */
#define NO_SLOT		SIZE_MAX
#define DENIED		(SIZE_MAX - 1)	/* a hit whose TCE lacks a bit asked for */

/* A bucket of the "hash" layout's table. */
struct bucket {
	uint64_t tag;			/* the entry's tag, when slot != 0 */
	uint32_t slot;			/* slot + 1; 0 = empty */
};

struct tce_cache {
	/* Both layouts: read by every lookup. */
	uint64_t *tag;			/* per slot: (pe, window, index), all 64 bits used */
	uint64_t *tce;			/* per slot: the cached TCE */
	uint64_t set_mask;		/* sets - 1, used when pow2 */
	bool pow2;			/* sets is a power of two */
	bool hashed;			/* the "hash" layout (ways > SETS_MAX_WAYS) */
	bool fast;			/* "sets" layout and pow2: the inline lookup */
	unsigned entries, ways, sets;
	enum tce_cache_policy policy;
	unsigned nvalid;		/* valid entries */
	uint64_t last_tag;		/* the entry the last lookup hit or fill made, */
	size_t last_slot;		/* at this slot; NO_SLOT: none (after a kill) */
	struct tce_cache_stats st;
	struct rng rng;			/* random victims */
	/* The "sets" layout. */
	unsigned stride;		/* tag[] per set: ways rounded up to a multiple of 4 */
	uint64_t *stamp;		/* per slot: clock when filled (or last hit, LRU) */
	uint64_t *vmask;		/* per set: bit w = way w valid */
	uint64_t full;			/* vmask of a full set */
	uint64_t clock;			/* ticks at every fill and hit */
	uint64_t *hit_stamp;		/* a hit stores the clock here at slot & hit_mask: */
	size_t hit_mask;		/* stamp and ~0 (LRU), or &scratch and 0 */
	uint64_t scratch;
	/* The "hash" layout. */
	struct bucket *bucket;		/* hmask + 1 buckets, at least 2 x entries */
	uint64_t hmask;
	uint64_t *vbits;		/* bit per slot: holds an entry */
	uint32_t *used;			/* per set: valid entries */
	uint32_t *prev, *next;		/* per node: its set's list, circular, most recent
					 * first; nodes 0..entries-1 are slots, entries + set
					 * the set's sentinel */
};

static const char *const policy_names[] = {
	[TCE_CACHE_LRU] = "lru", [TCE_CACHE_FIFO] = "fifo", [TCE_CACHE_RANDOM] = "random",
};

int tce_cache_policy_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, policy_names[i]))
			return i;
	return -1;
}

const char *tce_cache_policy_name(enum tce_cache_policy p)
{
	return (unsigned)p < 3 ? policy_names[p] : NULL;
}

static inline uint64_t make_tag(unsigned pe, unsigned win, uint64_t idx)
{
	return idx | tce_cache_key(pe, win);
}

/* set = idx mod sets, exactly; no division when sets is a power of two. */
static inline uint32_t set_of(const struct tce_cache *c, uint64_t idx)
{
	if (c->pow2)
		return (uint32_t)(idx & c->set_mask);
	return (uint32_t)(idx % c->sets);
}

/* --- the "sets" layout --- */

/* Bit i set when t[i] == tag, i < 4: four compares, no branch. */
#if defined(__SSE2__) && !defined(DDWSIM_NO_SIMD)
static inline uint64_t match4(const uint64_t *t, uint64_t tag)
{
	__m128i k = _mm_set1_epi64x((long long)tag);
	__m128 a = _mm_castsi128_ps(_mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)t), k));
	__m128 b = _mm_castsi128_ps(_mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(t + 2)), k));

	/* A 64-bit tag matches when both its 32-bit halves do. */
	return (uint64_t)_mm_movemask_ps(_mm_and_ps(_mm_shuffle_ps(a, b, 0x88),
						    _mm_shuffle_ps(a, b, 0xdd)));
}
#else
static inline uint64_t match4(const uint64_t *t, uint64_t tag)
{
	return (uint64_t)(t[0] == tag) | (uint64_t)(t[1] == tag) << 1 |
	       (uint64_t)(t[2] == tag) << 2 | (uint64_t)(t[3] == tag) << 3;
}
#endif

/*
 * Bit w set when way w of the set whose tags start at t (stride of them)
 * holds tag, valid or not: every way compared, four at a time into one mask,
 * with no branch but the loop's (a count fixed per cache).
 */
static inline uint64_t match_ways(const uint64_t *t, unsigned stride, uint64_t tag)
{
	uint64_t m = match4(t, tag);

	for (unsigned i = 1; i < stride / 4; i++)
		m |= match4(t + 4 * i, tag) << (4 * i);
	return m;
}

/* Bit w set when way w of the set holds tag, valid. */
static inline uint64_t sets_match(const struct tce_cache *c, uint32_t set, uint64_t tag)
{
	return match_ways(c->tag + (size_t)set * c->stride, c->stride, tag) & c->vmask[set];
}

/* What a hit changes besides the way's stamp, kept in locals through a run of hits. */
struct hit_state {
	uint64_t clock, last_tag;
	size_t last_slot;
};

static inline struct hit_state hit_state(const struct tce_cache *c)
{
	return (struct hit_state){ c->clock, c->last_tag, c->last_slot };
}

/* Is tag the entry the last use found (a kill forgets it)? */
static inline bool last_use(const struct hit_state *h, uint64_t tag)
{
	return tag == h->last_tag && h->last_slot != NO_SLOT;
}

static inline void hit_state_put(struct tce_cache *c, const struct hit_state *h)
{
	c->clock = h->clock;
	c->last_tag = h->last_tag;
	c->last_slot = h->last_slot;
}

/*
 * The slot of tag's entry in the "sets" layout (c->stride and c->ways, or
 * the same as constants) when it is cached and its TCE has every bit of need
 * (0: any), recorded as a use in *h; else NO_SLOT (not cached) or DENIED (a
 * bit missing), and nothing changed. A hit refreshes the way's stamp under
 * LRU only, without a branch: under FIFO and random the store lands in
 * c->scratch.
 */
static inline size_t sets_hit_in(struct tce_cache *c, struct hit_state *h, uint32_t set,
				 uint64_t tag, uint64_t need, unsigned stride, unsigned ways)
{
	uint64_t m;
	size_t s;

	m = match_ways(c->tag + (size_t)set * stride, stride, tag) & c->vmask[set];
	if (!m)
		return NO_SLOT;
	s = (size_t)set * ways + (unsigned)__builtin_ctzll(m);
	if ((c->tce[s] & need) != need)
		return DENIED;
	c->hit_stamp[s & c->hit_mask] = ++h->clock;
	h->last_tag = tag;
	h->last_slot = s;
	return s;
}

/* The way a full set gives up: the smallest stamp (by conditional moves), or a random draw. */
static unsigned sets_victim(struct tce_cache *c, uint32_t set)
{
	const uint64_t *st = c->stamp + (size_t)set * c->ways;
	uint64_t oldest = st[0];
	unsigned best = 0;

	if (c->policy == TCE_CACHE_RANDOM)
		return (unsigned)rng_below(&c->rng, c->ways);
	for (unsigned w = 1; w < c->ways; w++) {
		bool older = st[w] < oldest;

		best = older ? w : best;
		oldest = older ? st[w] : oldest;
	}
	return best;
}

static void sets_fill(struct tce_cache *c, uint32_t set, uint64_t tag, uint64_t tce)
{
	uint64_t m = sets_match(c, set, tag), free_ways = ~c->vmask[set] & c->full;
	size_t first = (size_t)set * c->ways;
	unsigned w;

	if (m) {
		c->tce[first + (unsigned)__builtin_ctzll(m)] = tce;
		return;
	}
	if (free_ways) {
		w = (unsigned)__builtin_ctzll(free_ways);
		c->nvalid++;
	} else {
		w = sets_victim(c, set);
		c->st.evictions++;
	}
	c->tag[(size_t)set * c->stride + w] = tag;
	c->tce[first + w] = tce;
	c->stamp[first + w] = ++c->clock;
	c->vmask[set] |= 1ull << w;
	c->last_tag = tag;
	c->last_slot = first + w;
	c->st.fills++;
}

static void sets_kill_page(struct tce_cache *c, uint32_t set, uint64_t tag)
{
	uint64_t m = sets_match(c, set, tag);

	if (m) {
		c->vmask[set] &= ~m;
		c->nvalid--;
		c->st.invalidations++;
	}
}

static void sets_kill_pe(struct tce_cache *c, unsigned pe)
{
	for (uint32_t set = 0; set < c->sets && c->nvalid; set++) {
		const uint64_t *t = c->tag + (size_t)set * c->stride;
		uint64_t v = c->vmask[set], kill = 0;

		for (; v; v &= v - 1) {
			unsigned w = (unsigned)__builtin_ctzll(v);

			kill |= (uint64_t)((t[w] >> 49) == pe) << w;
		}
		c->vmask[set] &= ~kill;
		c->nvalid -= (unsigned)__builtin_popcountll(kill);
		c->st.invalidations += (unsigned)__builtin_popcountll(kill);
	}
}

/* --- the "hash" layout --- */

static inline uint64_t hash_home(const struct tce_cache *c, uint64_t tag)
{
	return ((tag * 0x9e3779b97f4a7c15ull) >> 17) & c->hmask;
}

/* Bucket holding tag, or the empty bucket where it would go. */
static inline uint64_t hash_find(const struct tce_cache *c, uint64_t tag)
{
	uint64_t b = hash_home(c, tag);

	while (c->bucket[b].slot && c->bucket[b].tag != tag)
		b = (b + 1) & c->hmask;
	return b;
}

/* Removes bucket b, shifting later members of its run back (no tombstones). */
static void hash_delete(struct tce_cache *c, uint64_t b)
{
	uint64_t j = b;

	c->bucket[b].slot = 0;
	for (;;) {
		uint64_t home;

		j = (j + 1) & c->hmask;
		if (!c->bucket[j].slot)
			return;
		home = hash_home(c, c->bucket[j].tag);
		/* Move j into the hole at b unless its home lies cyclically in (b, j]. */
		if ((j > b && (home <= b || home > j)) || (j < b && home <= b && home > j)) {
			c->bucket[b] = c->bucket[j];
			c->bucket[j].slot = 0;
			b = j;
		}
	}
}

static inline bool slot_valid(const struct tce_cache *c, uint32_t s)
{
	return c->vbits[s / 64] >> (s % 64) & 1;
}

/* Node n out of its list (circular: no end to test). */
static inline void list_unlink(struct tce_cache *c, uint32_t n)
{
	c->next[c->prev[n]] = c->next[n];
	c->prev[c->next[n]] = c->prev[n];
}

/* Node n in first after the set's sentinel (node entries + set). */
static inline void list_push_head(struct tce_cache *c, uint32_t set, uint32_t n)
{
	uint32_t head = c->entries + set;

	c->prev[n] = head;
	c->next[n] = c->next[head];
	c->prev[c->next[head]] = n;
	c->next[head] = n;
}

/*
 * sets_hit_in in the "hash" layout: the slot of tag's entry when it is cached
 * with every bit of need in its TCE, recorded as a use in *h (under LRU,
 * moved to the head of its set's list, a branch taken alike at every hit);
 * else NO_SLOT or DENIED, nothing changed.
 */
static inline size_t hash_hit(struct tce_cache *c, struct hit_state *h, uint32_t set,
			      uint64_t tag, uint64_t need)
{
	const struct bucket *b;
	uint32_t s;

	b = &c->bucket[hash_find(c, tag)];
	if (!b->slot)
		return NO_SLOT;
	if ((c->tce[b->slot - 1] & need) != need)
		return DENIED;
	s = b->slot - 1;
	if (c->policy == TCE_CACHE_LRU) {
		list_unlink(c, s);
		list_push_head(c, set, s);
	}
	h->last_tag = tag;
	h->last_slot = s;
	return s;
}

/* Removes slot s (valid) of set from the set, its list and the hash. */
static void hash_drop_slot(struct tce_cache *c, uint32_t set, uint32_t s)
{
	hash_delete(c, hash_find(c, c->tag[s]));
	list_unlink(c, s);
	c->vbits[s / 64] &= ~(1ull << (s % 64));
	c->used[set]--;
	c->nvalid--;
}

/* The lowest free slot of a set that has one. */
static uint32_t hash_free_slot(const struct tce_cache *c, uint32_t set)
{
	uint32_t s = set * c->ways;

	for (;;) {
		uint64_t free_bits = ~c->vbits[s / 64] >> (s % 64);

		if (free_bits)
			return s + (uint32_t)__builtin_ctzll(free_bits);
		s = (s / 64 + 1) * 64;
	}
}

static uint32_t hash_pick_slot(struct tce_cache *c, uint32_t set)
{
	uint32_t victim;

	if (c->used[set] < c->ways)
		return hash_free_slot(c, set);
	if (c->policy == TCE_CACHE_RANDOM)
		victim = set * c->ways + (uint32_t)rng_below(&c->rng, c->ways);
	else
		victim = c->prev[c->entries + set];	/* the list's tail */
	hash_drop_slot(c, set, victim);
	c->st.evictions++;
	return victim;
}

static void hash_fill(struct tce_cache *c, uint32_t set, uint64_t tag, uint64_t tce)
{
	uint64_t b = hash_find(c, tag);
	uint32_t s;

	if (c->bucket[b].slot) {
		c->tce[c->bucket[b].slot - 1] = tce;
		return;
	}
	s = hash_pick_slot(c, set);
	c->tag[s] = tag;
	c->tce[s] = tce;
	c->vbits[s / 64] |= 1ull << (s % 64);
	c->used[set]++;
	c->nvalid++;
	c->bucket[hash_find(c, tag)] = (struct bucket){ .tag = tag, .slot = s + 1 };
	list_push_head(c, set, s);
	c->last_tag = tag;
	c->last_slot = s;
	c->st.fills++;
}

static void hash_kill_pe(struct tce_cache *c, unsigned pe)
{
	for (uint32_t s = 0; s < c->entries && c->nvalid; s++) {
		if (slot_valid(c, s) && (c->tag[s] >> 49) == pe) {
			hash_drop_slot(c, s / c->ways, s);
			c->st.invalidations++;
		}
	}
}

static void hash_reset(struct tce_cache *c)
{
	memset(c->vbits, 0, (c->entries + 63) / 64 * sizeof(*c->vbits));
	memset(c->used, 0, c->sets * sizeof(*c->used));
	for (uint32_t set = 0; set < c->sets; set++)
		c->prev[c->entries + set] = c->next[c->entries + set] = c->entries + set;
	memset(c->bucket, 0, (c->hmask + 1) * sizeof(*c->bucket));
}

static void hash_alloc(struct tce_cache *c)
{
	uint64_t buckets = 4;

	while (buckets < 2ull * c->entries)
		buckets <<= 1;
	c->hmask = buckets - 1;
	c->tag = xcalloc(c->entries, sizeof(*c->tag));
	c->bucket = xmalloc(st_mul(buckets, sizeof(*c->bucket)));
	c->vbits = xmalloc(st_mul((c->entries + 63) / 64, sizeof(*c->vbits)));
	c->used = xmalloc(st_mul(c->sets, sizeof(*c->used)));
	c->prev = xmalloc(st_mul(st_add(c->entries, c->sets), sizeof(*c->prev)));
	c->next = xmalloc(st_mul(st_add(c->entries, c->sets), sizeof(*c->next)));
	hash_reset(c);
}

/* --- the API: each call picks its layout's function --- */

int tce_cache_new(struct tce_cache **out, const struct tce_cache_cfg *cfg)
{
	struct tce_cache *c;

	if (!cfg->entries || !cfg->ways || cfg->entries % cfg->ways)
		return -EINVAL;
	c = xcalloc(1, sizeof(*c));
	c->entries = cfg->entries;
	c->ways = cfg->ways;
	c->sets = cfg->entries / cfg->ways;
	c->pow2 = !(c->sets & (c->sets - 1));
	c->set_mask = c->sets - 1;
	c->policy = cfg->policy;
	c->hashed = c->ways > SETS_MAX_WAYS;
	c->fast = c->pow2 && !c->hashed;
	c->last_slot = NO_SLOT;
	rng_init(&c->rng, cfg->seed);
	c->tce = xcalloc(c->entries, sizeof(*c->tce));
	if (c->hashed) {
		hash_alloc(c);
	} else {
		c->stamp = xcalloc(c->entries, sizeof(*c->stamp));
		c->hit_stamp = cfg->policy == TCE_CACHE_LRU ? c->stamp : &c->scratch;
		c->hit_mask = cfg->policy == TCE_CACHE_LRU ? ~(size_t)0 : 0;
		c->stride = (c->ways + 3) & ~3u;
		c->tag = xcalloc(st_mul(c->sets, c->stride), sizeof(*c->tag));
		c->vmask = xcalloc(c->sets, sizeof(*c->vmask));
		c->full = c->ways == 64 ? ~0ull : (1ull << c->ways) - 1;
	}
	*out = c;
	return 0;
}

void tce_cache_free(struct tce_cache *c)
{
	if (!c)
		return;
	free(c->tag);
	free(c->tce);
	free(c->stamp);
	free(c->vmask);
	free(c->bucket);
	free(c->vbits);
	free(c->used);
	free(c->prev);
	free(c->next);
	free(c);
}

bool tce_cache_lookup(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx,
		      uint64_t *tce)
{
	return tce_cache_lookup_key(c, tce_cache_key(pe, win), idx, tce);
}

/*
 * How find() reaches a set: its layout's general path, or by a mask, or by a
 * mask with a stride of 4 (up to 4 ways).
 */
enum hit_path { HIT_ANY, HIT_FAST, HIT_FAST4 };

/*
 * A hit of tag (= key | idx) other than the last use, in either layout, as
 * sets_hit_in and hash_hit say; path a constant where a caller's loop is
 * specialised on it (HIT_FAST: c->fast; HIT_FAST4: and c->stride == 4, a
 * constant: one compare of four ways, no loop).
 */
static inline size_t find(struct tce_cache *c, struct hit_state *h, uint64_t tag, uint64_t idx,
			  uint64_t need, enum hit_path path)
{
	if (path == HIT_FAST4)
		return sets_hit_in(c, h, (uint32_t)(idx & c->set_mask), tag, need, 4, c->ways);
	if (path == HIT_FAST)
		return sets_hit_in(c, h, (uint32_t)(idx & c->set_mask), tag, need, c->stride,
				   c->ways);
	if (c->hashed)
		return hash_hit(c, h, set_of(c, idx), tag, need);
	return sets_hit_in(c, h, set_of(c, idx), tag, need, c->stride, c->ways);
}

/* find(), or the last use again: nothing to reorder, its TCE's bits still tested. */
static inline size_t hit(struct tce_cache *c, struct hit_state *h, uint64_t tag, uint64_t idx,
			 uint64_t need, enum hit_path path)
{
	if (last_use(h, tag))
		return (c->tce[h->last_slot] & need) == need ? h->last_slot : DENIED;
	return find(c, h, tag, idx, need, path);
}

/* A lookup's end (s from find): counted; a hit's use kept and its TCE given. */
static inline bool lookup_end(struct tce_cache *c, const struct hit_state *h, size_t s,
			      uint64_t *tce)
{
	if (s == NO_SLOT) {
		c->st.misses++;
		return false;
	}
	hit_state_put(c, h);
	c->st.hits++;
	*tce = c->tce[s];
	return true;
}

/*
 * The lookups tce_cache_lookup_key() does not inline: the hash, or sets not
 * a power of two in number (out of line, the sets path saves no registers).
 */
__attribute__((noinline))
static bool lookup_slow(struct tce_cache *c, uint64_t tag, uint64_t idx, uint64_t *tce)
{
	struct hit_state h = hit_state(c);

	return lookup_end(c, &h, find(c, &h, tag, idx, 0, HIT_ANY), tce);
}

bool tce_cache_lookup_key(struct tce_cache *c, uint64_t key, uint64_t idx, uint64_t *tce)
{
	const uint64_t tag = key | idx;
	struct hit_state h;

	c->st.lookups++;
	if (tag == c->last_tag && c->last_slot != NO_SLOT) {
		/* the last use again (a DMA's next request on its TCE): nothing to copy or reorder */
		c->st.hits++;
		*tce = c->tce[c->last_slot];
		return true;
	}
	if (__builtin_expect(!c->fast, 0))
		return lookup_slow(c, tag, idx, tce);
	h = hit_state(c);
	return lookup_end(c, &h, find(c, &h, tag, idx, 0, HIT_FAST), tce);
}

size_t tce_cache_hit_run(struct tce_cache *c, uint64_t key, const uint64_t *idx, size_t n,
			 uint64_t need, bool *missed)
{
	struct hit_state h = hit_state(c);
	size_t k = 0, s = 0;

	/* the same loop, its layout's test made once */
	if (c->fast && c->stride == 4)
		while (k < n && (s = hit(c, &h, key | idx[k], idx[k], need, HIT_FAST4)) < DENIED)
			k++;
	else if (c->fast)
		while (k < n && (s = hit(c, &h, key | idx[k], idx[k], need, HIT_FAST)) < DENIED)
			k++;
	else
		while (k < n && (s = hit(c, &h, key | idx[k], idx[k], need, HIT_ANY)) < DENIED)
			k++;
	if (k) {	/* (a run that starts with a miss, as most do in a cache too small, changed nothing) */
		hit_state_put(c, &h);
		c->st.lookups += k;
		c->st.hits += k;
	}
	*missed = k < n && s == NO_SLOT;
	if (*missed) {	/* counted as tce_cache_lookup_key would */
		c->st.lookups++;
		c->st.misses++;
	}
	return k;
}

bool tce_cache_peek(const struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx)
{
	uint64_t tag = make_tag(pe, win, idx);

	if (c->hashed)
		return c->bucket[hash_find(c, tag)].slot != 0;
	return sets_match(c, set_of(c, idx), tag) != 0;
}

void tce_cache_fill(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx,
		    uint64_t tce)
{
	if (c->hashed)
		hash_fill(c, set_of(c, idx), make_tag(pe, win, idx), tce);
	else
		sets_fill(c, set_of(c, idx), make_tag(pe, win, idx), tce);
}

void tce_cache_kill_page(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx)
{
	uint64_t tag = make_tag(pe, win, idx), b;

	c->last_slot = NO_SLOT;
	if (!c->hashed) {
		sets_kill_page(c, set_of(c, idx), tag);
		return;
	}
	b = hash_find(c, tag);
	if (c->bucket[b].slot) {
		hash_drop_slot(c, set_of(c, idx), c->bucket[b].slot - 1);
		c->st.invalidations++;
	}
}

void tce_cache_kill_pe(struct tce_cache *c, unsigned pe)
{
	c->last_slot = NO_SLOT;
	if (c->hashed)
		hash_kill_pe(c, pe);
	else
		sets_kill_pe(c, pe);
}

void tce_cache_kill_all(struct tce_cache *c)
{
	c->last_slot = NO_SLOT;
	c->st.invalidations += c->nvalid;
	c->nvalid = 0;
	if (c->hashed)
		hash_reset(c);
	else
		memset(c->vmask, 0, c->sets * sizeof(*c->vmask));
}

unsigned tce_cache_valid(const struct tce_cache *c)
{
	return c->nvalid;
}

const struct tce_cache_stats *tce_cache_stats(const struct tce_cache *c)
{
	return &c->st;
}
