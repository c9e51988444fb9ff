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
 * Layout: slot s of set k is slots[k * ways + s]. Each set keeps its valid
 * slots in a doubly linked list, most recent first, so LRU and FIFO victims
 * are the list tail in O(1). A global open-addressing hash (linear probing,
 * backward-shift deletion) maps a tag to its slot, so a lookup is one hash
 * and usually one probe whatever the associativity: a 160-way fully
 * associative cache costs the same as a 4-way one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/rng.h"
#include "ddwsim/tce_cache.h"
#include "ddwsim/xalloc.h"

#define NIL		UINT32_MAX

struct tce_cache {
	unsigned entries, ways, sets;
	enum tce_cache_policy policy;
	struct rng rng;
	uint64_t *tag;			/* per slot: (pe, window, index), all 64 bits used */
	uint8_t *valid;			/* per slot: holds an entry */
	uint64_t *tce;			/* per slot: the cached TCE */
	uint32_t *prev, *next;		/* per slot: links in its set's list */
	uint32_t *head, *tail, *used;	/* per set: MRU, LRU, valid count */
	uint32_t *hslot;		/* hash: slot + 1, 0 = empty */
	uint64_t hmask;			/* hash buckets - 1 */
	unsigned nvalid;
	struct tce_cache_stats st;
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
	return idx | (uint64_t)(win & 1) << 48 | (uint64_t)pe << 49;
}

static inline uint64_t hash_tag(const struct tce_cache *c, uint64_t tag)
{
	return ((tag * 0x9e3779b97f4a7c15ull) >> 17) & c->hmask;
}

int tce_cache_new(struct tce_cache **out, const struct tce_cache_cfg *cfg)
{
	struct tce_cache *c;
	uint64_t buckets = 4;

	if (!cfg->entries || !cfg->ways || cfg->entries % cfg->ways)
		return -EINVAL;
	c = xcalloc(1, sizeof(*c));
	c->entries = cfg->entries;
	c->ways = cfg->ways;
	c->sets = cfg->entries / cfg->ways;
	c->policy = cfg->policy;
	rng_init(&c->rng, cfg->seed);
	c->tag = xmalloc(st_mul(c->entries, sizeof(*c->tag)));
	c->tce = xcalloc(c->entries, sizeof(*c->tce));
	c->prev = xmalloc(st_mul(c->entries, sizeof(uint32_t)));
	c->next = xmalloc(st_mul(c->entries, sizeof(uint32_t)));
	c->head = xmalloc(st_mul(c->sets, sizeof(uint32_t)));
	c->tail = xmalloc(st_mul(c->sets, sizeof(uint32_t)));
	c->used = xcalloc(c->sets, sizeof(uint32_t));
	while (buckets < 2ull * c->entries)
		buckets <<= 1;
	c->hmask = buckets - 1;
	c->hslot = xcalloc(buckets, sizeof(uint32_t));
	c->valid = xcalloc(c->entries, 1);
	for (unsigned i = 0; i < c->sets; i++)
		c->head[i] = c->tail[i] = NIL;
	*out = c;
	return 0;
}

void tce_cache_free(struct tce_cache *c)
{
	if (!c)
		return;
	free(c->tag);
	free(c->valid);
	free(c->tce);
	free(c->prev);
	free(c->next);
	free(c->head);
	free(c->tail);
	free(c->used);
	free(c->hslot);
	free(c);
}

/* Bucket holding tag, or the empty bucket where it would go. */
static inline uint64_t hash_find(const struct tce_cache *c, uint64_t tag)
{
	uint64_t b = hash_tag(c, tag);

	while (c->hslot[b] && c->tag[c->hslot[b] - 1] != tag)
		b = (b + 1) & c->hmask;
	return b;
}

/* Removes bucket b, shifting later members of its run back (no tombstones). */
static void hash_delete(struct tce_cache *c, uint64_t b)
{
	uint64_t j = b;

	c->hslot[b] = 0;
	for (;;) {
		uint64_t home;

		j = (j + 1) & c->hmask;
		if (!c->hslot[j])
			return;
		home = hash_tag(c, c->tag[c->hslot[j] - 1]);
		/* Move j into the hole at b unless its home lies cyclically in (b, j]. */
		if ((j > b && (home <= b || home > j)) || (j < b && home <= b && home > j)) {
			c->hslot[b] = c->hslot[j];
			c->hslot[j] = 0;
			b = j;
		}
	}
}

static void list_unlink(struct tce_cache *c, unsigned set, uint32_t s)
{
	if (c->prev[s] != NIL)
		c->next[c->prev[s]] = c->next[s];
	else
		c->head[set] = c->next[s];
	if (c->next[s] != NIL)
		c->prev[c->next[s]] = c->prev[s];
	else
		c->tail[set] = c->prev[s];
}

static void list_push_head(struct tce_cache *c, unsigned set, uint32_t s)
{
	c->prev[s] = NIL;
	c->next[s] = c->head[set];
	if (c->head[set] != NIL)
		c->prev[c->head[set]] = s;
	else
		c->tail[set] = s;
	c->head[set] = s;
}

static inline unsigned set_of(const struct tce_cache *c, uint64_t idx)
{
	return (unsigned)(idx % c->sets);
}

bool tce_cache_lookup(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx,
		      uint64_t *tce)
{
	uint64_t tag = make_tag(pe, win, idx);
	uint64_t b = hash_find(c, tag);
	uint32_t s;

	c->st.lookups++;
	if (!c->hslot[b]) {
		c->st.misses++;
		return false;
	}
	s = c->hslot[b] - 1;
	c->st.hits++;
	if (c->policy == TCE_CACHE_LRU && c->head[set_of(c, idx)] != s) {
		list_unlink(c, set_of(c, idx), s);
		list_push_head(c, set_of(c, idx), s);
	}
	*tce = c->tce[s];
	return true;
}

bool tce_cache_peek(const struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx)
{
	return c->hslot[hash_find(c, make_tag(pe, win, idx))] != 0;
}

/* Removes slot s (valid) from its set, list and hash. */
static void drop_slot(struct tce_cache *c, uint32_t s)
{
	unsigned set = s / c->ways;

	hash_delete(c, hash_find(c, c->tag[s]));
	list_unlink(c, set, s);
	c->valid[s] = 0;
	c->used[set]--;
	c->nvalid--;
}

static uint32_t pick_slot(struct tce_cache *c, unsigned set)
{
	uint32_t first = set * c->ways, victim;

	if (c->used[set] < c->ways) {
		for (uint32_t s = first;; s++)
			if (!c->valid[s])
				return s;
	}
	if (c->policy == TCE_CACHE_RANDOM)
		victim = first + (uint32_t)rng_below(&c->rng, c->ways);
	else
		victim = c->tail[set];
	drop_slot(c, victim);
	c->st.evictions++;
	return victim;
}

void tce_cache_fill(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx,
		    uint64_t tce)
{
	uint64_t tag = make_tag(pe, win, idx);
	uint64_t b = hash_find(c, tag);
	unsigned set = set_of(c, idx);
	uint32_t s;

	if (c->hslot[b]) {
		c->tce[c->hslot[b] - 1] = tce;
		return;
	}
	s = pick_slot(c, set);
	c->tag[s] = tag;
	c->valid[s] = 1;
	c->tce[s] = tce;
	list_push_head(c, set, s);
	c->used[set]++;
	c->nvalid++;
	c->hslot[hash_find(c, tag)] = s + 1;
	c->st.fills++;
}

void tce_cache_kill_page(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx)
{
	uint64_t b = hash_find(c, make_tag(pe, win, idx));

	if (c->hslot[b]) {
		drop_slot(c, c->hslot[b] - 1);
		c->st.invalidations++;
	}
}

void tce_cache_kill_pe(struct tce_cache *c, unsigned pe)
{
	for (uint32_t s = 0; s < c->entries && c->nvalid; s++) {
		if (c->valid[s] && (c->tag[s] >> 49) == pe) {
			drop_slot(c, s);
			c->st.invalidations++;
		}
	}
}

void tce_cache_kill_all(struct tce_cache *c)
{
	c->st.invalidations += c->nvalid;
	memset(c->valid, 0, c->entries);
	for (unsigned i = 0; i < c->sets; i++) {
		c->head[i] = c->tail[i] = NIL;
		c->used[i] = 0;
	}
	memset(c->hslot, 0, (c->hmask + 1) * sizeof(uint32_t));
	c->nvalid = 0;
}

unsigned tce_cache_valid(const struct tce_cache *c)
{
	return c->nvalid;
}

const struct tce_cache_stats *tce_cache_stats(const struct tce_cache *c)
{
	return &c->st;
}
