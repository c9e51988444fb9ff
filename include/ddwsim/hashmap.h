/* hashmap.h - u64 -> u64 hash map: open addressing, linear probing, backward-shift deletion. */
#ifndef DDWSIM_HASHMAP_H
#define DDWSIM_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every 64-bit key is usable, 0 and UINT64_MAX included; values are any
 * 64-bit number. The caller owns the struct: u64map_init() (or
 * U64MAP_INIT), then u64map_release() when done. The table starts with
 * U64MAP_MIN_CAP slots at the first insert and doubles before an insert
 * would take it past half full; it never shrinks, so once a stream has
 * reached its most live keys no operation allocates. All host memory comes
 * from xalloc.h: running out stops the program there, nothing here fails.
 *
 * Layout (public so tests can check where entries sit; callers use the
 * functions): a key k other than 0 lives in slot[i], i reached from its home
 * slot u64map_home(k, cap) = u64map_mix(k) & (cap - 1) by linear probing
 * (i + 1 mod cap), with no empty slot between home and i. An empty slot
 * has key 0, so key 0 itself is kept beside the table (has_zero, zero_val).
 */
struct u64map_slot {
	uint64_t key;		/* 0: the slot is empty */
	uint64_t val;
};

struct u64map {
	/* private: */
	struct u64map_slot *slot;	/* cap slots, NULL before the first insert */
	size_t cap;			/* slots, a power of two (0 before the first insert) */
	size_t used;			/* slots holding a key: at most cap / 2 */
	bool has_zero;			/* key 0 is in the map */
	uint64_t zero_val;		/* its value */
};

#define U64MAP_INIT		{ 0 }
#define U64MAP_MIN_CAP		16	/* slots at the first insert (assumed) */

void u64map_init(struct u64map *m);
/* Frees the table; m is empty again and may be reused. */
void u64map_release(struct u64map *m);

/* True, and *val (if val is not NULL) set, if key is in m. */
bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
/* Inserts key -> val, or replaces the value of key. */
void u64map_put(struct u64map *m, uint64_t key, uint64_t val);
/*
 * The value of key, inserting it with value 0 if absent (*added, if added is
 * not NULL, says which): one probe for a find-or-insert. The pointer is valid
 * until the next insert, delete or release on m.
 */
uint64_t *u64map_ref(struct u64map *m, uint64_t key, bool *added);
/* Deletes key; false if it was not there. */
bool u64map_del(struct u64map *m, uint64_t key);
/* Deletes key and sets *val (if not NULL) to what it held; false (val untouched) if absent. */
bool u64map_pop(struct u64map *m, uint64_t key, uint64_t *val);
/* Deletes key only if it maps to val; true if it did. */
bool u64map_del_if(struct u64map *m, uint64_t key, uint64_t val);
/* Keys in m. */
uint64_t u64map_count(const struct u64map *m);

/*
 * The hash: splitmix64's finalizer (Steele, Lea and Flood 2014; the same as
 * rng.c's seeding), a bijection on 64 bits whose every output bit depends on
 * every input bit, so sequential keys (TCE indexes, handles) spread evenly.
 */
static inline uint64_t u64map_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The home slot of key in a table of cap slots (a power of two). */
static inline size_t u64map_home(uint64_t key, size_t cap)
{
	return (size_t)u64map_mix(key) & (cap - 1);
}

/* FNV-1a, 64 bits, of n bytes at p, continuing from h (start with FNV1A_BASIS). */
#define FNV1A_BASIS	14695981039346656037ull	/* FNV-1a 64 offset basis, 0xcbf29ce484222325 */
#define FNV1A_PRIME	1099511628211ull	/* FNV 64 prime, 0x100000001b3 */
static inline uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV1A_PRIME;
	return h;
}

#endif /* DDWSIM_HASHMAP_H */
