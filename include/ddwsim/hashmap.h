/* hashmap.h - u64 -> value hash map: open addressing, linear probing, backward-shift deletion. */
#ifndef DDWSIM_HASHMAP_H
#define DDWSIM_HASHMAP_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every 64-bit key is usable, 0 and UINT64_MAX included. A map holds values
 * of one size, kept in the table beside their keys:
 *   - the u64 -> u64 map (u64map_init() or U64MAP_INIT): 8-byte values, at
 *     most half full, doubling (u64map_get/put/ref/pop/del_if);
 *   - a record map (u64map_init_rec()): vsize-byte values (a multiple of 8),
 *     its own most load and growth, e.g. 80 % and x1.25 for handles.c's
 *     mappings, where memory matters more than a miss's probes
 *     (u64map_at/u64map_add, and u64map_del/u64map_count for both).
 * The caller owns the struct; u64map_release() when done. The table starts
 * with U64MAP_MIN_CAP slots at the first insert and grows before an insert
 * would take it past its most load; it never shrinks, so once a stream has
 * reached its most live keys no operation allocates. All host memory comes
 * from xalloc.h (or mmap for big tables): running out stops the program
 * there, nothing here fails. A struct of zero bytes is an empty u64 -> u64
 * map (as U64MAP_INIT).
 *
 * Layout (public so tests can check where entries sit; callers use the
 * functions): cap slots of stride = 8 + vsize bytes, the key then the value;
 * a key k other than 0 lives in slot i, reached from its home slot
 * u64map_home(k, cap) by linear probing (i + 1, wrapping at cap), with no
 * empty slot between home and i. An empty slot has key 0, so key 0 itself
 * is kept in one more slot, at index cap (has_zero says whether it is in).
 */
struct u64map {
	/* private: */
	unsigned char *slot;	/* cap + 1 slots of stride bytes, NULL before the first insert */
	size_t cap;		/* slots for keys other than 0, at most U64MAP_MAX_CAP */
	size_t used;		/* of them holding a key */
	size_t stride;		/* bytes per slot, 8 + value bytes; 0 means 16 */
	uint16_t max_load;	/* most keys per 100 slots; 0 means 50 */
	uint16_t grow;		/* slots after a growth per 100 before (> 100); 0 means 200 */
	bool has_zero;		/* key 0 is in the map (in slot cap) */
	bool mapped;		/* slot is an mmap of its own (a big table), not malloc's */
};

#define U64MAP_INIT		{ 0 }
#define U64MAP_MIN_CAP		16			/* slots at the first insert (assumed) */
#define U64MAP_MAX_CAP		((size_t)1 << 32)	/* most slots: the home is 32 x 32 bits */
#define U64MAP_MMAP_MIN		((size_t)1 << 20)	/* a table this big or bigger is an mmap
							   of its own (see hashmap.c: growth) */

/* An empty u64 -> u64 map (8-byte values, at most half full, doubling). */
void u64map_init(struct u64map *m);
/*
 * An empty map of vsize-byte values (a multiple of 8, at least 8), grown
 * before passing max_load keys per 100 slots (1..90), to grow slots per 100
 * (more than 100, at least one slot more).
 */
void u64map_init_rec(struct u64map *m, size_t vsize, unsigned max_load, unsigned grow);
/* Frees the table; m is empty again (same value size and policy) and may be reused. */
void u64map_release(struct u64map *m);

/* True, and *val (if val is not NULL) set, if key is in m. 8-byte values only. */
bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
/* Inserts key -> val, or replaces the value of key. 8-byte values only. */
void u64map_put(struct u64map *m, uint64_t key, uint64_t val);
/*
 * The value of key, inserting it with value 0 if absent (*added, if added is
 * not NULL, says which): one probe for a find-or-insert. The pointer is valid
 * until the next insert, delete or release on m. 8-byte values only.
 */
uint64_t *u64map_ref(struct u64map *m, uint64_t key, bool *added);
/* Deletes key; false if it was not there. Any value size. */
bool u64map_del(struct u64map *m, uint64_t key);
/* Deletes key and sets *val (if not NULL) to what it held; false (val untouched) if absent. */
bool u64map_pop(struct u64map *m, uint64_t key, uint64_t *val);
/* Deletes key only if it maps to val; true if it did. 8-byte values only. */
bool u64map_del_if(struct u64map *m, uint64_t key, uint64_t val);
/* Keys in m. Any value size. */
uint64_t u64map_count(const struct u64map *m);

/* The value of key in a map of any value size, or NULL; valid until the next insert or delete. */
void *u64map_at(const struct u64map *m, uint64_t key);
/*
 * The value of key, inserted zeroed if absent (*added, if not NULL, says
 * which); valid until the next insert, delete or release on m.
 */
void *u64map_add(struct u64map *m, uint64_t key, bool *added);

/*
 * The hash: splitmix64's finalizer (Steele, Lea and Flood 2014; the same as
 * rng.c's seeding), a bijection on 64 bits whose every output bit depends on
 * every input bit, so sequential keys (TCE indexes, handles) spread evenly.
 * It maps 0 to 0.
 */
static inline uint64_t u64map_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * The home slot of key in a table of cap slots (any cap up to
 * U64MAP_MAX_CAP): the hash's top 32 bits scaled to [0, cap) by a multiply
 * and a shift (Lemire's "fast range", 2016), not a division, so the table
 * need not be a power of two. With cap = 2^n it is the hash's top n bits.
 */
static inline size_t u64map_home(uint64_t key, size_t cap)
{
	return (size_t)(((u64map_mix(key) >> 32) * (uint64_t)cap) >> 32);
}

/* The key in slot i (i <= cap), 0 if the slot is empty; its value follows it. */
static inline uint64_t *u64map_slot_key(const struct u64map *m, size_t i)
{
	return (uint64_t *)(void *)(m->slot + i * m->stride);
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

/* fnv1a() of x as 8 bytes, least significant first (the same on every host). */
static inline uint64_t fnv1a_u64(uint64_t h, uint64_t x)
{
	unsigned char b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (unsigned char)(x >> 8 * i);
	return fnv1a(h, b, sizeof(b));
}

#endif /* DDWSIM_HASHMAP_H */
