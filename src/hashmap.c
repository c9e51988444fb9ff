/*
 * hashmap.c - the u64 -> u64 map: one array of (key, value) slots, open
 * addressing with linear probing, backward-shift deletion.
 *
 *   slot:  [ k5 v5 | 0  - | k1 v1 | k9 v9 | 0  - | ... ]   cap = 2^n slots, 16 bytes each
 *                     ^ empty   ^ home(k1) = 2, k9's home is 2 or 3
 *   key 0: has_zero, zero_val   (0 marks an empty slot, so key 0 lives outside)
 *
 * Linear probing keeps a probe in one or two cache lines. Deletion shifts the
 * entries after the hole back instead of leaving tombstones (Knuth, TAOCP 3,
 * 6.4 Algorithm R), so lookups never slow down on a long map/unmap stream and
 * no periodic rehash is needed.
 *
 * Load factor: at most 1/2. Linear probing then costs about 1.5 probes for a
 * hit and 2.5 for a miss (Knuth: (1 + 1/(1 - a)) / 2 and (1 + 1/(1 - a)^2) / 2);
 * at 3/4 a miss costs 8.5, and the importers look up absent pages often (a
 * boot clear probes 262144 TCEs, nearly all unmapped). The table doubles
 * before an insert would take it past half full: with cap slots it holds up
 * to cap / 2 keys besides key 0. It never shrinks (memory stays at the
 * stream's peak; no allocation in the steady state).
 *
 * Cost: O(1) expected per operation; a doubling is O(cap), amortised O(1).
 */
#include <stdlib.h>

#include "ddwsim/hashmap.h"
#include "ddwsim/xalloc.h"

void u64map_init(struct u64map *m)
{
	*m = (struct u64map)U64MAP_INIT;
}

void u64map_release(struct u64map *m)
{
	free(m->slot);
	u64map_init(m);
}

/* The slot holding key (not 0), or the empty slot where it would go. m->cap > 0. */
static size_t probe(const struct u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1, i = u64map_home(key, m->cap);

	while (m->slot[i].key && m->slot[i].key != key)
		i = (i + 1) & mask;
	return i;
}

/* Doubles the table (the first one: U64MAP_MIN_CAP slots) and puts every key back. */
static void grow(struct u64map *m)
{
	struct u64map g = { .cap = m->cap ? st_mul(m->cap, 2) : U64MAP_MIN_CAP };

	g.slot = xcalloc(g.cap, sizeof(*g.slot));
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			g.slot[probe(&g, m->slot[i].key)] = m->slot[i];
	free(m->slot);
	m->slot = g.slot;
	m->cap = g.cap;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t i;

	if (!key) {
		if (m->has_zero && val)
			*val = m->zero_val;
		return m->has_zero;
	}
	if (!m->cap)
		return false;
	i = probe(m, key);
	if (!m->slot[i].key)
		return false;
	if (val)
		*val = m->slot[i].val;
	return true;
}

uint64_t *u64map_ref(struct u64map *m, uint64_t key, bool *added)
{
	size_t i;

	if (!key) {
		if (added)
			*added = !m->has_zero;
		if (!m->has_zero)
			m->has_zero = true, m->zero_val = 0;
		return &m->zero_val;
	}
	if (m->cap) {
		i = probe(m, key);
		if (m->slot[i].key) {
			if (added)
				*added = false;
			return &m->slot[i].val;
		}
	}
	if ((m->used + 1) * 2 > m->cap)
		grow(m);
	i = probe(m, key);
	m->slot[i] = (struct u64map_slot){ .key = key, .val = 0 };
	m->used++;
	if (added)
		*added = true;
	return &m->slot[i].val;
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
	size_t mask = m->cap - 1, j;

	for (j = (i + 1) & mask; m->slot[j].key; j = (j + 1) & mask) {
		if (home_between(u64map_home(m->slot[j].key, m->cap), i, j))
			continue;
		m->slot[i] = m->slot[j];
		i = j;
	}
	m->slot[i] = (struct u64map_slot){ 0 };
	m->used--;
}

/* Deletes key if present and (when want is not NULL) it maps to *want; its value to *val. */
static bool take(struct u64map *m, uint64_t key, const uint64_t *want, uint64_t *val)
{
	size_t i;

	if (!key) {
		if (!m->has_zero || (want && m->zero_val != *want))
			return false;
		if (val)
			*val = m->zero_val;
		m->has_zero = false;
		m->zero_val = 0;
		return true;
	}
	if (!m->cap)
		return false;
	i = probe(m, key);
	if (!m->slot[i].key || (want && m->slot[i].val != *want))
		return false;
	if (val)
		*val = m->slot[i].val;
	shift_out(m, i);
	return true;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
	return take(m, key, NULL, NULL);
}

bool u64map_pop(struct u64map *m, uint64_t key, uint64_t *val)
{
	return take(m, key, NULL, val);
}

bool u64map_del_if(struct u64map *m, uint64_t key, uint64_t val)
{
	return take(m, key, &val, NULL);
}

uint64_t u64map_count(const struct u64map *m)
{
	return m->used + m->has_zero;
}
