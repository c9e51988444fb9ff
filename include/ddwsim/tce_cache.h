/* tce_cache.h - set-associative TCE cache of the PHB: lookup, fill, kill page/PE/all. */
#ifndef DDWSIM_TCE_CACHE_H
#define DDWSIM_TCE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tce_cache_policy {
	TCE_CACHE_LRU,		/* evict the least recently used way */
	TCE_CACHE_FIFO,		/* evict the oldest fill; hits do not reorder */
	TCE_CACHE_RANDOM,	/* evict a uniformly random way (run's seed) */
};

struct tce_cache_cfg {
	unsigned entries;	/* total entries, >= 1 */
	unsigned ways;		/* ways per set; must divide entries */
	enum tce_cache_policy policy;
	uint64_t seed;		/* for TCE_CACHE_RANDOM */
};

struct tce_cache_stats {
	uint64_t lookups;	/* lookups made */
	uint64_t hits;		/* lookups that found their entry */
	uint64_t misses;	/* lookups that did not */
	uint64_t fills;		/* entries inserted */
	uint64_t evictions;	/* valid entries replaced by a fill */
	uint64_t invalidations;	/* valid entries removed by a kill */
};

/* Name <-> policy ("lru", "fifo", "random"); -1 / NULL when unknown. */
int tce_cache_policy_parse(const char *name);
const char *tce_cache_policy_name(enum tce_cache_policy p);

struct tce_cache;

/*
 * A cache keyed by (pe, window, TCE index within the window); the set is
 * idx mod (entries / ways). pe < 2^15, window < 2, idx < 2^48.
 * Returns 0, or -EINVAL when entries is 0, ways is 0 or does not divide entries.
 */
int tce_cache_new(struct tce_cache **out, const struct tce_cache_cfg *cfg);
void tce_cache_free(struct tce_cache *c);	/* NULL is a no-op */

/* On a hit sets *tce and returns true. Updates the policy state and counters. */
bool tce_cache_lookup(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx,
		      uint64_t *tce);

/* The part of an entry's tag its (pe, window) make: the tag is key | idx. */
static inline uint64_t tce_cache_key(unsigned pe, unsigned win)
{
	return (uint64_t)(win & 1) << 48 | (uint64_t)pe << 49;
}

/* tce_cache_lookup() with the key of (pe, win) made already (tce_cache_key). */
bool tce_cache_lookup_key(struct tce_cache *c, uint64_t key, uint64_t idx, uint64_t *tce);
/*
 * Lookups of the tags key | idx[k] for k = 0, 1, ... < n that hit, with a TCE
 * holding every bit of need: each counted and ordered as tce_cache_lookup_key
 * would, with the cache's state in registers through the run. Stops at the
 * first that misses, whose lookup it makes and counts (*missed true, the
 * caller fills), or before the first hit that lacks a bit, doing nothing of
 * it (*missed false). Returns how many hit.
 */
size_t tce_cache_hit_run(struct tce_cache *c, uint64_t key, const uint64_t *idx, size_t n,
			 uint64_t need, bool *missed);
/* Is the entry cached? Changes nothing, counts nothing. */
bool tce_cache_peek(const struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx);
/* Inserts (or refreshes) an entry, evicting one of its set if full. */
void tce_cache_fill(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx,
		    uint64_t tce);
/* Kills: one entry; every entry of a PE; everything. Each counts what it removed. */
void tce_cache_kill_page(struct tce_cache *c, unsigned pe, unsigned win, uint64_t idx);
void tce_cache_kill_pe(struct tce_cache *c, unsigned pe);
void tce_cache_kill_all(struct tce_cache *c);

/* Entries now valid; the counters. */
unsigned tce_cache_valid(const struct tce_cache *c);
const struct tce_cache_stats *tce_cache_stats(const struct tce_cache *c);

#endif /* DDWSIM_TCE_CACHE_H */
