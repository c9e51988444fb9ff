/*
 * hashmap.c - the u64 -> value map: one array of (key, value) slots, open
 * addressing with linear probing, backward-shift deletion.
 *
 *   slot:  [ k5 v5 | 0  - | k1 v1 | k9 v9 | 0  - | ... | key 0's value ]
 *                     ^ empty   ^ home(k1) = 2, k9's home is 2 or 3
 *          cap slots (any number, not only powers of two), then one more
 *          for key 0 (0 marks an empty slot, so key 0 cannot live in the run)
 *
 * A slot is the key and the value: 16 bytes in the u64 -> u64 map, 8 + vsize
 * in a record map (24 for handles.c's packed mappings). Keeping the value in
 * the slot costs no pointer and no second array per key.
 *
 * Linear probing keeps a probe in one or two cache lines. Deletion shifts the
 * entries after the hole back instead of leaving tombstones (Knuth, TAOCP 3,
 * 6.4 Algorithm R), so lookups never slow down on a long map/unmap stream and
 * no periodic rehash is needed.
 *
 * Load: a hit costs about (1 + 1/(1 - a)) / 2 probes and a miss
 * (1 + 1/(1 - a)^2) / 2 (Knuth, ibid.) at load a. The u64 -> u64 map stays
 * at most half full (1.5 and 2.5; at 3/4 a miss costs 8.5, and the importers
 * look up absent pages often: a boot clear probes 262144 TCEs, nearly all
 * unmapped) and doubles. A record map chooses: handles.c's runs between 74
 * and 85 % (x1.15 growth; a hit 2.4 to 3.8, an insert's miss 7.8 to 22.7),
 * which is what holds a live mapping to 28.2..32.5 bytes of table.
 *
 * The home slot is the hash's top 32 bits times cap, shifted down by 32
 * (u64map_home): no division, and cap need not be a power of two, so a
 * record map can grow by 25 % instead of doubling.
 *
 * Growth builds the new table and moves every key into it, in slot order.
 * A big table (U64MAP_MMAP_MIN bytes or more) is an mmap of its own: its
 * pages cost memory only once written, and the old table is given back a
 * GIVE_BACK piece at a time as the move passes it. As the home is monotone
 * in the hash, keys from old slot i land near slot i x grow / 100: the new
 * table fills in the same order as the old one empties, so the peak while
 * growing is about the new table, not old + new (a doubling of a 2^20-key
 * map held 48 MiB at its peak, 1.5 x the new table, before this).
 *
 * Cost: O(1) expected per operation; a growth is O(cap), amortised O(1)
 * (x1.15 growth moves each key 1 / 0.15 = 6.7 times on average, doubling once).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ddwsim/hashmap.h"
#include "ddwsim/xalloc.h"

#define DEF_STRIDE	16	/* the u64 -> u64 map: key and value */
#define DEF_LOAD	50	/* %: at most half full (see above) */
#define DEF_GROW	200	/* %: doubling */
#define GIVE_BACK	((size_t)2 << 20)	/* bytes of the old table unmapped at a time while growing */

void u64map_init(struct u64map *m)
{
	*m = (struct u64map)U64MAP_INIT;
}

void u64map_init_rec(struct u64map *m, size_t vsize, unsigned max_load, unsigned grow)
{
	assert(vsize >= 8 && vsize % 8 == 0 && max_load >= 1 && max_load <= 90);
	assert(grow > 100 && grow <= UINT16_MAX);
	*m = (struct u64map){ .stride = 8 + vsize, .max_load = (uint16_t)max_load,
			      .grow = (uint16_t)grow };
}

/* Bytes of a table of cap slots plus key 0's. */
static size_t table_bytes(const struct u64map *m, size_t cap)
{
	return st_mul(st_add(cap, 1), m->stride);
}

/* A zeroed table of bytes: an mmap of its own when big (falls back to malloc), else calloc. */
static unsigned char *table_new(size_t bytes, bool *mapped)
{
	void *p;

	*mapped = false;
	if (bytes >= U64MAP_MMAP_MIN) {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
			madvise(p, bytes, MADV_HUGEPAGE);	/* a fault per 2 MiB, not per 4K (a hint) */
			*mapped = true;
			return p;
		}
	}
	return xcalloc(1, bytes);	/* stops the program, with the byte count, if it fails */
}

static void table_free(unsigned char *t, size_t bytes, bool mapped)
{
	if (mapped)
		munmap(t, bytes);	/* parts given back already are simply not mapped */
	else
		free(t);
}

void u64map_release(struct u64map *m)
{
	if (m->slot)
		table_free(m->slot, table_bytes(m, m->cap), m->mapped);
	*m = (struct u64map){ .stride = m->stride, .max_load = m->max_load, .grow = m->grow };
}

static inline unsigned char *val_at(const struct u64map *m, size_t i)
{
	return (unsigned char *)(u64map_slot_key(m, i) + 1);
}

/* The slot holding key (not 0), or the empty slot where it would go. m->cap > 0. */
static inline size_t probe(const struct u64map *m, uint64_t key)
{
	size_t i = u64map_home(key, m->cap);
	uint64_t k;

	while ((k = *u64map_slot_key(m, i)) && k != key)
		if (++i == m->cap)
			i = 0;
	return i;
}

/* Would one more key take m past its most load? */
static bool full(const struct u64map *m)
{
	return (uint64_t)(m->used + 1) * 100 > (uint64_t)m->cap * m->max_load;
}

/* Unmaps the whole GIVE_BACK pieces of the old table t below byte upto; done were already. */
static size_t give_back(unsigned char *t, size_t done, size_t upto)
{
	size_t end = upto / GIVE_BACK * GIVE_BACK;

	if (end <= done)
		return done;
	munmap(t + done, end - done);
	return end;
}

/* Moves every key of m into a new table of cap slots, in slot order (see the head comment). */
static void rebuild(struct u64map *m, size_t cap)
{
	struct u64map g = *m;
	size_t done = 0;

	g.cap = cap;
	g.slot = table_new(table_bytes(&g, cap), &g.mapped);
	for (size_t i = 0; i < m->cap; i++) {
		uint64_t *k = u64map_slot_key(m, i);

		if (*k)
			memcpy(u64map_slot_key(&g, probe(&g, *k)), k, m->stride);
		if (m->mapped)
			done = give_back(m->slot, done, (i + 1) * m->stride);
	}
	if (m->slot) {
		memcpy(u64map_slot_key(&g, cap), u64map_slot_key(m, m->cap), m->stride);
		table_free(m->slot, table_bytes(m, m->cap), m->mapped);
	}
	m->slot = g.slot;
	m->cap = cap;
	m->mapped = g.mapped;
}

/* Grows m (the first time: U64MAP_MIN_CAP slots) until one more key fits. */
static void grow(struct u64map *m)
{
	size_t cap = m->cap;

	if (!m->stride)		/* a struct of zero bytes: the u64 -> u64 map */
		m->stride = DEF_STRIDE, m->max_load = DEF_LOAD, m->grow = DEF_GROW;
	if (!cap)
		cap = U64MAP_MIN_CAP;
	while ((uint64_t)(m->used + 1) * 100 > (uint64_t)cap * m->max_load) {
		if (cap == U64MAP_MAX_CAP)
			xfatal_limit("hash table slots", U64MAP_MAX_CAP);
		cap = cap * m->grow / 100 > cap ? cap * m->grow / 100 : cap + 1;
		if (cap > U64MAP_MAX_CAP)
			cap = U64MAP_MAX_CAP;
	}
	rebuild(m, cap);
}

void *u64map_at(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!key)
		return m->has_zero ? val_at(m, m->cap) : NULL;
	if (!m->cap)
		return NULL;
	i = probe(m, key);
	return *u64map_slot_key(m, i) ? val_at(m, i) : NULL;
}

/* The value of key 0, added zeroed if absent. */
static void *add_zero(struct u64map *m, bool *added)
{
	if (!m->cap)
		grow(m);
	*added = !m->has_zero;
	if (*added) {
		m->has_zero = true;
		memset(val_at(m, m->cap), 0, m->stride - 8);
	}
	return val_at(m, m->cap);
}

void *u64map_add(struct u64map *m, uint64_t key, bool *added)
{
	bool dummy;
	size_t i;

	if (!added)
		added = &dummy;
	if (!key)
		return add_zero(m, added);
	*added = false;
	if (m->cap) {
		i = probe(m, key);
		if (*u64map_slot_key(m, i))
			return val_at(m, i);
	}
	if (!m->cap || full(m))
		grow(m);
	i = probe(m, key);
	*u64map_slot_key(m, i) = key;
	memset(val_at(m, i), 0, m->stride - 8);
	m->used++;
	*added = true;
	return val_at(m, i);
}

/* An 8-byte-value map (the u64 -> u64 API's). */
static inline bool plain(const struct u64map *m)
{
	return !m->stride || m->stride == DEF_STRIDE;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	const void *v;

	assert(plain(m));
	v = u64map_at(m, key);
	if (v && val)
		memcpy(val, v, sizeof(*val));
	return v != NULL;
}

uint64_t *u64map_ref(struct u64map *m, uint64_t key, bool *added)
{
	assert(plain(m));
	return u64map_add(m, key, added);
}

void u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	*u64map_ref(m, key, NULL) = val;
}

/* Is h, a home slot, cyclically in (i, j]? Then the entry at j stays reachable over a hole at i. */
static bool home_between(size_t h, size_t i, size_t j)
{
	return i <= j ? (h > i && h <= j) : (h > i || h <= j);
}

/*
 * Empties slot i: each later entry of the run that the hole would cut off
 * from its home moves back into the hole, which moves on to where it was.
 */
static void shift_out(struct u64map *m, size_t i)
{
	size_t j = i;
	uint64_t k;

	for (;;) {
		if (++j == m->cap)
			j = 0;
		if (!(k = *u64map_slot_key(m, j)))
			break;
		if (home_between(u64map_home(k, m->cap), i, j))
			continue;
		memcpy(u64map_slot_key(m, i), u64map_slot_key(m, j), m->stride);
		i = j;
	}
	*u64map_slot_key(m, i) = 0;
	m->used--;
}

/*
 * Deletes key if present and (when want is not NULL) its value's first 8
 * bytes are *want; those bytes to *val (if not NULL).
 */
static bool take(struct u64map *m, uint64_t key, const uint64_t *want, uint64_t *val)
{
	size_t i = m->cap;
	uint64_t *v;

	if (key) {
		if (!m->cap || !*u64map_slot_key(m, i = probe(m, key)))
			return false;
	} else if (!m->has_zero) {
		return false;
	}
	v = (uint64_t *)(void *)val_at(m, i);
	if (want && *v != *want)
		return false;
	if (val)
		*val = *v;
	if (key)
		shift_out(m, i);
	else
		m->has_zero = false;
	return true;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
	return take(m, key, NULL, NULL);
}

bool u64map_pop(struct u64map *m, uint64_t key, uint64_t *val)
{
	assert(plain(m));
	return take(m, key, NULL, val);
}

bool u64map_del_if(struct u64map *m, uint64_t key, uint64_t val)
{
	assert(plain(m));
	return take(m, key, &val, NULL);
}

uint64_t u64map_count(const struct u64map *m)
{
	return m->used + m->has_zero;
}
