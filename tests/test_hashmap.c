/*
 * test_hashmap.c - the u64 -> u64 map (src/hashmap.c): every key usable,
 * insert or replace, backward-shift deletion, growth at half full.
 *
 * Where a test needs keys with a given home slot, they were found with a
 * Python copy of splitmix64's finalizer (the hash the header documents):
 *
 *   def mix(x):
 *       x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
 *       x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
 *       return x ^ (x >> 31)                       # M = 2**64 - 1
 *
 * giving, for a table of 16 slots (home = mix(k) & 15):
 *   home 15: 49, 61, 66, 88, 91      home 0: 3, 50      home 1: 13, 18
 *   home 3: 39, 45, 64, 74, 102, 114
 * and the layout after each step is worked out by hand from linear probing.
 */
#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ddwsim/hashmap.h"

/* The slot of a 16-slot table that holds key, or -1. */
static int slot_of(const struct u64map *m, uint64_t key)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key == key)
			return (int)i;
	return -1;
}

static uint64_t val_of(const struct u64map *m, uint64_t key)
{
	uint64_t v = 0xdeadbeef;

	cr_assert(u64map_get(m, key, &v), "key %llu missing", (unsigned long long)key);
	return v;
}

Test(hashmap, the_hash_is_splitmix64_finalizer)
{
	/* splitmix64 (Vigna's splitmix64.c) from state 0 adds 0x9e3779b97f4a7c15 and
	 * mixes: its first two outputs are published as these */
	cr_expect(eq(u64, u64map_mix(0x9e3779b97f4a7c15ull), 0xe220a8397b1dcdafull));
	cr_expect(eq(u64, u64map_mix(0x3c6ef372fe94f82aull), 0x6e789e6aa1b965f4ull));
	cr_expect(eq(u64, u64map_home(49, 16), 15));
	cr_expect(eq(u64, u64map_home(3, 16), 0));
	cr_expect(eq(u64, u64map_home(13, 16), 1));
	cr_expect(eq(u64, u64map_home(39, 16), 3));
}

Test(hashmap, an_empty_map_finds_nothing_and_deletes_nothing)
{
	struct u64map m = U64MAP_INIT;
	uint64_t v = 7;

	cr_expect(not(u64map_get(&m, 0, &v)));
	cr_expect(not(u64map_get(&m, 1, &v)));
	cr_expect(not(u64map_get(&m, UINT64_MAX, &v)));
	cr_expect(eq(u64, v, 7), "a miss leaves *val alone");
	cr_expect(not(u64map_del(&m, 0)));
	cr_expect(not(u64map_del(&m, 5)));
	cr_expect(not(u64map_pop(&m, 5, &v)));
	cr_expect(eq(u64, u64map_count(&m), 0));
	cr_expect(eq(sz, m.cap, 0), "nothing allocated before the first insert");
	u64map_release(&m);
}

Test(hashmap, keys_0_and_uint64_max_are_ordinary_keys)
{
	struct u64map m;

	u64map_init(&m);
	u64map_put(&m, 0, 100);
	cr_expect(eq(u64, u64map_count(&m), 1));
	cr_expect(not(u64map_get(&m, UINT64_MAX, NULL)));
	u64map_put(&m, UINT64_MAX, 200);
	u64map_put(&m, 1, 0);			/* value 0 is a value, not "absent" */
	cr_expect(eq(u64, u64map_count(&m), 3));
	cr_expect(eq(u64, val_of(&m, 0), 100));
	cr_expect(eq(u64, val_of(&m, UINT64_MAX), 200));
	cr_expect(eq(u64, val_of(&m, 1), 0));
	u64map_put(&m, 0, UINT64_MAX);		/* replace */
	cr_expect(eq(u64, val_of(&m, 0), UINT64_MAX));
	cr_expect(eq(u64, u64map_count(&m), 3));
	cr_expect(u64map_del(&m, 0));
	cr_expect(not(u64map_get(&m, 0, NULL)));
	cr_expect(not(u64map_del(&m, 0)), "already gone");
	cr_expect(eq(u64, val_of(&m, UINT64_MAX), 200));
	cr_expect(u64map_del(&m, UINT64_MAX));
	cr_expect(eq(u64, u64map_count(&m), 1));
	u64map_release(&m);
}

Test(hashmap, put_replaces_and_ref_says_whether_it_added)
{
	struct u64map m = U64MAP_INIT;
	bool added = false;
	uint64_t *v;

	u64map_put(&m, 42, 1);
	u64map_put(&m, 42, 2);
	cr_expect(eq(u64, u64map_count(&m), 1));
	cr_expect(eq(u64, val_of(&m, 42), 2));
	v = u64map_ref(&m, 42, &added);
	cr_expect(not(added));
	cr_expect(eq(u64, *v, 2));
	*v = 9;
	cr_expect(eq(u64, val_of(&m, 42), 9), "the pointer writes through");
	v = u64map_ref(&m, 43, &added);
	cr_expect(added);
	cr_expect(eq(u64, *v, 0), "a new key starts at 0");
	v = u64map_ref(&m, 0, &added);
	cr_expect(added);
	cr_expect(eq(u64, *v, 0));
	*v = 5;
	v = u64map_ref(&m, 0, &added);
	cr_expect(not(added));
	cr_expect(eq(u64, *v, 5));
	cr_expect(eq(u64, u64map_count(&m), 3));
	u64map_release(&m);
}

Test(hashmap, pop_and_del_if)
{
	struct u64map m = U64MAP_INIT;
	uint64_t v = 0;

	u64map_put(&m, 7, 70);
	u64map_put(&m, 0, 1);
	cr_expect(not(u64map_del_if(&m, 7, 71)), "wrong value: kept");
	cr_expect(eq(u64, val_of(&m, 7), 70));
	cr_expect(u64map_del_if(&m, 7, 70));
	cr_expect(not(u64map_get(&m, 7, NULL)));
	cr_expect(not(u64map_del_if(&m, 0, 2)));
	cr_expect(u64map_del_if(&m, 0, 1));
	u64map_put(&m, UINT64_MAX, 3);
	cr_expect(u64map_pop(&m, UINT64_MAX, &v));
	cr_expect(eq(u64, v, 3));
	cr_expect(not(u64map_pop(&m, UINT64_MAX, &v)));
	cr_expect(eq(u64, u64map_count(&m), 0));
	u64map_release(&m);
}

Test(hashmap, grows_before_passing_half_full)
{
	struct u64map m = U64MAP_INIT;

	u64map_put(&m, 0, 0);			/* key 0 is outside the table */
	for (uint64_t k = 1; k <= 8; k++)
		u64map_put(&m, k, k);
	cr_expect(eq(sz, m.cap, 16), "8 keys fill 16 slots to half");
	u64map_put(&m, 8, 80);			/* a replace adds no key */
	cr_expect(eq(sz, m.cap, 16));
	u64map_put(&m, 9, 9);
	cr_expect(eq(sz, m.cap, 32), "the 9th key doubles the table");
	for (uint64_t k = 10; k <= 17; k++)
		u64map_put(&m, k, k);
	cr_expect(eq(sz, m.cap, 64), "the 17th doubles it again");
	cr_expect(eq(u64, u64map_count(&m), 18));
	u64map_release(&m);
}

Test(hashmap, growth_keeps_every_entry)
{
	struct u64map m = U64MAP_INIT;
	const uint64_t n = 100000;
	uint64_t v;

	for (uint64_t i = 0; i < n; i++) {
		u64map_put(&m, i, ~i);				/* sequential, 0 included */
		u64map_put(&m, UINT64_MAX - i, i);		/* from UINT64_MAX down */
		u64map_put(&m, i << 40, i + 1);			/* only high bits differ */
	}
	/* 3n keys minus the two duplicates of i = 0 (0 and 0 << 40) */
	cr_assert(eq(u64, u64map_count(&m), 3 * n - 1));
	cr_expect(eq(sz, m.cap, 1u << 20), "299998 keys in the table: over 2^19 / 2");
	for (uint64_t i = 0; i < n; i++) {
		cr_assert(u64map_get(&m, UINT64_MAX - i, &v) && v == i);
		if (i)
			cr_assert(u64map_get(&m, i, &v) && v == ~i);
		cr_assert(u64map_get(&m, i << 40, &v) && v == i + 1);
	}
	cr_expect(not(u64map_get(&m, n, NULL)));
	cr_expect(not(u64map_get(&m, n << 40, NULL)));
	u64map_release(&m);
	cr_expect(eq(u64, u64map_count(&m), 0));
	cr_expect(not(u64map_get(&m, 1, NULL)), "released: empty and usable");
	u64map_put(&m, 1, 1);
	cr_expect(eq(u64, val_of(&m, 1), 1));
	u64map_release(&m);
}

Test(hashmap, deletion_shifts_a_run_back_across_the_wrap)
{
	struct u64map m = U64MAP_INIT;

	/* homes 15, 15, 15, 0: A=49 at 15, B=61 wraps to 0, C=66 to 1, D=3 (home 0) to 2 */
	u64map_put(&m, 49, 1);
	u64map_put(&m, 61, 2);
	u64map_put(&m, 66, 3);
	u64map_put(&m, 3, 4);
	cr_assert(eq(sz, m.cap, 16));
	cr_expect(eq(int, slot_of(&m, 49), 15));
	cr_expect(eq(int, slot_of(&m, 61), 0));
	cr_expect(eq(int, slot_of(&m, 66), 1));
	cr_expect(eq(int, slot_of(&m, 3), 2));
	/* deleting A: B (home 15) back to 15, C to 0, D (home 0) to 1; slot 2 empties */
	cr_assert(u64map_del(&m, 49));
	cr_expect(eq(int, slot_of(&m, 61), 15));
	cr_expect(eq(int, slot_of(&m, 66), 0));
	cr_expect(eq(int, slot_of(&m, 3), 1));
	cr_expect(eq(u64, m.slot[2].key, 0));
	cr_expect(eq(u64, val_of(&m, 61), 2));
	cr_expect(eq(u64, val_of(&m, 66), 3));
	cr_expect(eq(u64, val_of(&m, 3), 4));
	cr_expect(not(u64map_get(&m, 49, NULL)));
	u64map_release(&m);
}

Test(hashmap, deletion_leaves_an_entry_at_its_home)
{
	struct u64map m = U64MAP_INIT;

	/* A=49 (home 15) at 15, B=61 (home 15) at 0, E=13 (home 1) at 1 */
	u64map_put(&m, 49, 1);
	u64map_put(&m, 61, 2);
	u64map_put(&m, 13, 3);
	cr_expect(eq(int, slot_of(&m, 13), 1));
	/* deleting A: B moves to 15; E is at its home and stays; slot 0 empties */
	cr_assert(u64map_del(&m, 49));
	cr_expect(eq(int, slot_of(&m, 61), 15));
	cr_expect(eq(u64, m.slot[0].key, 0));
	cr_expect(eq(int, slot_of(&m, 13), 1));
	/* deleting B: nothing after 15 may move into it (slot 0 is empty) */
	cr_assert(u64map_del(&m, 61));
	cr_expect(eq(u64, m.slot[15].key, 0));
	cr_expect(eq(int, slot_of(&m, 13), 1));
	cr_expect(eq(u64, val_of(&m, 13), 3));
	u64map_release(&m);
}

Test(hashmap, deleting_in_a_run_of_colliding_keys)
{
	static const uint64_t k[6] = { 39, 45, 64, 74, 102, 114 };	/* all home 3 */
	struct u64map m = U64MAP_INIT;

	for (int i = 0; i < 6; i++)
		u64map_put(&m, k[i], (uint64_t)i);
	for (int i = 0; i < 6; i++)
		cr_expect(eq(int, slot_of(&m, k[i]), 3 + i), "key %d in insertion order", i);
	/* deleting the third (slot 5): the three after it move back one slot */
	cr_assert(u64map_del(&m, 64));
	cr_expect(eq(int, slot_of(&m, 39), 3));
	cr_expect(eq(int, slot_of(&m, 45), 4));
	cr_expect(eq(int, slot_of(&m, 74), 5));
	cr_expect(eq(int, slot_of(&m, 102), 6));
	cr_expect(eq(int, slot_of(&m, 114), 7));
	cr_expect(eq(u64, m.slot[8].key, 0));
	/* the first, then the last: each remaining one still found */
	cr_assert(u64map_del(&m, 39));
	cr_assert(u64map_del(&m, 114));
	cr_expect(eq(int, slot_of(&m, 45), 3));
	cr_expect(eq(int, slot_of(&m, 74), 4));
	cr_expect(eq(int, slot_of(&m, 102), 5));
	cr_expect(eq(u64, val_of(&m, 45), 1));
	cr_expect(eq(u64, val_of(&m, 74), 3));
	cr_expect(eq(u64, val_of(&m, 102), 4));
	cr_expect(eq(u64, u64map_count(&m), 3));
	u64map_release(&m);
}

Test(hashmap, a_steady_stream_allocates_nothing)
{
	struct u64map m = U64MAP_INIT;
	struct u64map_slot *table;
	size_t cap;

	for (uint64_t k = 0; k < 1000; k++)
		u64map_put(&m, k, k);
	table = m.slot;
	cap = m.cap;
	for (uint64_t k = 1000; k < 200000; k++) {	/* 1000 live keys throughout */
		cr_assert(u64map_del(&m, k - 1000));
		u64map_put(&m, k, k);
	}
	cr_expect(eq(sz, m.cap, cap), "no growth at a constant number of keys");
	cr_expect(eq(ptr, (void *)m.slot, (void *)table), "the same table");
	cr_expect(eq(u64, u64map_count(&m), 1000));
	for (uint64_t k = 199000; k < 200000; k++)
		cr_assert(eq(u64, val_of(&m, k), k));
	u64map_release(&m);
}

/* ---- random operations against a plain array ---- */

/* Keys that collide in 16 slots (homes 15, 15, 15, 15, 15, 0, 0, 11), then 0, then others. */
static uint64_t key_at(unsigned i)
{
	static const uint64_t special[] = { 49, 61, 66, 88, 91, 3, 50, UINT64_MAX, 0 };

	return i < 9 ? special[i] : (uint64_t)i * 0x10000 + 39;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Every key is reachable from its home with no empty slot on the way; half full at most. */
static void check_layout(const struct u64map *m)
{
	size_t used = 0, mask = m->cap - 1;

	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slot[i].key)
			continue;
		used++;
		for (size_t j = u64map_home(m->slot[i].key, m->cap); j != i; j = (j + 1) & mask)
			cr_assert(m->slot[j].key != 0, "hole at %zu before slot %zu", j, i);
	}
	cr_assert(eq(sz, used, m->used));
	cr_assert(used * 2 <= m->cap);
}

/* steps random puts, deletes and pops on the first nkeys keys, checked against arrays. */
static void random_ops(struct u64map *m, unsigned nkeys, unsigned steps)
{
	bool has[64] = { false };
	uint64_t val[64] = { 0 }, s = 88172645463325252ull, v, n = 0;

	for (unsigned step = 0; step < steps; step++) {
		uint64_t r = xorshift(&s);
		unsigned i = (unsigned)(r % nkeys), op = (unsigned)(r >> 32) % 4;
		uint64_t key = key_at(i), x = r >> 40;

		if (op <= 1) {
			u64map_put(m, key, x);
			n += !has[i];
			has[i] = true;
			val[i] = x;
		} else if (op == 2) {
			cr_assert(eq(int, u64map_del(m, key), has[i]));
			n -= has[i];
			has[i] = false;
		} else {
			cr_assert(eq(int, u64map_pop(m, key, &v), has[i]));
			if (has[i])
				cr_assert(eq(u64, v, val[i]));
			n -= has[i];
			has[i] = false;
		}
		cr_assert(eq(u64, u64map_count(m), n));
		check_layout(m);
		for (unsigned j = 0; j < nkeys; j++)
			cr_assert(eq(int, u64map_get(m, key_at(j), &v), has[j]));
	}
}

Test(hashmap, random_operations_in_16_slots_agree_with_arrays)
{
	struct u64map m = U64MAP_INIT;

	/* 9 keys, one of them 0: at most 8 in the table, which stays at 16 slots,
	 * 5 of them wanting slot 15 and 2 slot 0, so runs wrap all the time */
	random_ops(&m, 9, 20000);
	cr_expect(eq(sz, m.cap, 16));
	u64map_release(&m);
}

Test(hashmap, random_operations_while_growing_agree_with_arrays)
{
	struct u64map m = U64MAP_INIT;

	random_ops(&m, 64, 20000);
	cr_expect(m.cap >= 64);
	u64map_release(&m);
}
