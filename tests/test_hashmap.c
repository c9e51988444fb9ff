/*
 * test_hashmap.c - the u64 -> value map (src/hashmap.c): every key usable,
 * insert or replace, backward-shift deletion, growth at half full; record
 * maps (values of 24 bytes, 80 % load, x1.25 growth) the same, and big
 * tables (mmap of their own) across growth.
 *
 * Where a test needs keys with a given home slot, they were found with a
 * Python copy of splitmix64's finalizer (the hash the header documents):
 *
 *   def mix(x):
 *       x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
 *       x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
 *       return x ^ (x >> 31)                       # M = 2**64 - 1
 *
 *   def home(k, cap):
 *       return ((mix(k) >> 32) * cap) >> 32            # u64map_home
 *
 * giving, for a table of 16 slots (home = the hash's top 4 bits):
 *   home 15: 18, 22, 36, 44, 54      home 0: 10, 15      home 1: 3, 7
 *   home 3: 11, 12, 17, 23, 27, 62   home 11: UINT64_MAX
 * and for 20 slots: home(1) = 6, home(2) = 17, home(3) = 2.
 * and the layout after each step is worked out by hand from linear probing.
 */
#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ddwsim/hashmap.h"

/* The slot of the table that holds key (not 0), or -1. */
static int slot_of(const struct u64map *m, uint64_t key)
{
	for (size_t i = 0; i < m->cap; i++)
		if (*u64map_slot_key(m, i) == key)
			return (int)i;
	return -1;
}

/* The key in slot i. */
static uint64_t key_in(const struct u64map *m, size_t i)
{
	return *u64map_slot_key(m, i);
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
	cr_expect(eq(u64, u64map_home(18, 16), 15));
	cr_expect(eq(u64, u64map_home(10, 16), 0));
	cr_expect(eq(u64, u64map_home(3, 16), 1));
	cr_expect(eq(u64, u64map_home(11, 16), 3));
	/* any number of slots, by a multiply and a shift: 20 */
	cr_expect(eq(u64, u64map_home(1, 20), 6));
	cr_expect(eq(u64, u64map_home(2, 20), 17));
	cr_expect(eq(u64, u64map_home(3, 20), 2));
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

	/* homes 15, 15, 15, 0: A=18 at 15, B=22 wraps to 0, C=36 to 1, D=10 (home 0) to 2 */
	u64map_put(&m, 18, 1);
	u64map_put(&m, 22, 2);
	u64map_put(&m, 36, 3);
	u64map_put(&m, 10, 4);
	cr_assert(eq(sz, m.cap, 16));
	cr_expect(eq(int, slot_of(&m, 18), 15));
	cr_expect(eq(int, slot_of(&m, 22), 0));
	cr_expect(eq(int, slot_of(&m, 36), 1));
	cr_expect(eq(int, slot_of(&m, 10), 2));
	/* deleting A: B (home 15) back to 15, C to 0, D (home 0) to 1; slot 2 empties */
	cr_assert(u64map_del(&m, 18));
	cr_expect(eq(int, slot_of(&m, 22), 15));
	cr_expect(eq(int, slot_of(&m, 36), 0));
	cr_expect(eq(int, slot_of(&m, 10), 1));
	cr_expect(eq(u64, key_in(&m, 2), 0));
	cr_expect(eq(u64, val_of(&m, 22), 2));
	cr_expect(eq(u64, val_of(&m, 36), 3));
	cr_expect(eq(u64, val_of(&m, 10), 4));
	cr_expect(not(u64map_get(&m, 18, NULL)));
	u64map_release(&m);
}

Test(hashmap, deletion_leaves_an_entry_at_its_home)
{
	struct u64map m = U64MAP_INIT;

	/* A=18 (home 15) at 15, B=22 (home 15) at 0, E=3 (home 1) at 1 */
	u64map_put(&m, 18, 1);
	u64map_put(&m, 22, 2);
	u64map_put(&m, 3, 3);
	cr_expect(eq(int, slot_of(&m, 3), 1));
	/* deleting A: B moves to 15; E is at its home and stays; slot 0 empties */
	cr_assert(u64map_del(&m, 18));
	cr_expect(eq(int, slot_of(&m, 22), 15));
	cr_expect(eq(u64, key_in(&m, 0), 0));
	cr_expect(eq(int, slot_of(&m, 3), 1));
	/* deleting B: nothing after 15 may move into it (slot 0 is empty) */
	cr_assert(u64map_del(&m, 22));
	cr_expect(eq(u64, key_in(&m, 15), 0));
	cr_expect(eq(int, slot_of(&m, 3), 1));
	cr_expect(eq(u64, val_of(&m, 3), 3));
	u64map_release(&m);
}

Test(hashmap, deleting_in_a_run_of_colliding_keys)
{
	static const uint64_t k[6] = { 11, 12, 17, 23, 27, 62 };	/* all home 3 */
	struct u64map m = U64MAP_INIT;

	for (int i = 0; i < 6; i++)
		u64map_put(&m, k[i], (uint64_t)i);
	for (int i = 0; i < 6; i++)
		cr_expect(eq(int, slot_of(&m, k[i]), 3 + i), "key %d in insertion order", i);
	/* deleting the third (slot 5): the three after it move back one slot */
	cr_assert(u64map_del(&m, 17));
	cr_expect(eq(int, slot_of(&m, 11), 3));
	cr_expect(eq(int, slot_of(&m, 12), 4));
	cr_expect(eq(int, slot_of(&m, 23), 5));
	cr_expect(eq(int, slot_of(&m, 27), 6));
	cr_expect(eq(int, slot_of(&m, 62), 7));
	cr_expect(eq(u64, key_in(&m, 8), 0));
	/* the first, then the last: each remaining one still found */
	cr_assert(u64map_del(&m, 11));
	cr_assert(u64map_del(&m, 62));
	cr_expect(eq(int, slot_of(&m, 12), 3));
	cr_expect(eq(int, slot_of(&m, 23), 4));
	cr_expect(eq(int, slot_of(&m, 27), 5));
	cr_expect(eq(u64, val_of(&m, 12), 1));
	cr_expect(eq(u64, val_of(&m, 23), 3));
	cr_expect(eq(u64, val_of(&m, 27), 4));
	cr_expect(eq(u64, u64map_count(&m), 3));
	u64map_release(&m);
}

Test(hashmap, a_steady_stream_allocates_nothing)
{
	struct u64map m = U64MAP_INIT;
	unsigned char *table;
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
	static const uint64_t special[] = { 18, 22, 36, 44, 54, 10, 15, UINT64_MAX, 0 };

	return i < 9 ? special[i] : (uint64_t)i * 0x10000 + 39;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Every key is reachable from its home with no empty slot on the way; load at most pct %. */
static void check_layout(const struct u64map *m, unsigned pct)
{
	size_t used = 0;

	for (size_t i = 0; i < m->cap; i++) {
		if (!key_in(m, i))
			continue;
		used++;
		for (size_t j = u64map_home(key_in(m, i), m->cap); j != i; j = (j + 1) % m->cap)
			cr_assert(key_in(m, j) != 0, "hole at %zu before slot %zu", j, i);
	}
	cr_assert(eq(sz, used, m->used));
	cr_assert(used * 100 <= m->cap * pct);
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
		check_layout(m, 50);
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

/* ---- record maps: values of 24 bytes in the slot, 80 % load, x1.25 growth ---- */

struct rec {
	uint64_t a, b, c;
};

static void rec_init(struct u64map *m)
{
	u64map_init_rec(m, sizeof(struct rec), 80, 125);
}

static struct rec *rec_put(struct u64map *m, uint64_t key, uint64_t a)
{
	struct rec *r = u64map_add(m, key, NULL);

	*r = (struct rec){ a, ~a, key };
	return r;
}

/* Key is in m with the record rec_put(key, a) made. */
static void rec_expect(const struct u64map *m, uint64_t key, uint64_t a)
{
	const struct rec *r = u64map_at(m, key);

	cr_assert_not_null(r, "key %llu missing", (unsigned long long)key);
	cr_assert(eq(u64, r->a, a));
	cr_assert(eq(u64, r->b, ~a));
	cr_assert(eq(u64, r->c, key));
}

/*
 * By hand, growth when one more key would pass 80 keys per 100 slots, to
 * slots x 125 / 100 rounded down: 16 slots hold 12 (12 x 100 <= 16 x 80 =
 * 1280), the 13th makes 20 (holding 16), the 17th 25 (20), the 21st 31 (24
 * = 31 x 0.8 rounded down), the 25th 38.
 */
Test(hashmap, a_record_map_grows_by_a_quarter_past_80_percent)
{
	static const struct { uint64_t keys; size_t cap; } at[] = {
		{ 12, 16 }, { 13, 20 }, { 16, 20 }, { 17, 25 }, { 20, 25 }, { 21, 31 },
		{ 24, 31 }, { 25, 38 },
	};
	struct u64map m;
	uint64_t n = 0;

	rec_init(&m);
	cr_expect(eq(sz, m.cap, 0), "nothing allocated before the first insert");
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		for (; n < at[i].keys; n++)
			rec_put(&m, n + 1, (n + 1) * 7);
		cr_expect(eq(sz, m.cap, at[i].cap), "%llu keys", (unsigned long long)n);
	}
	for (uint64_t k = 1; k <= n; k++)
		rec_expect(&m, k, k * 7);
	u64map_release(&m);
}

Test(hashmap, a_record_comes_zeroed_and_an_existing_one_is_kept)
{
	struct u64map m;
	struct rec *r;
	bool added;

	rec_init(&m);
	r = u64map_add(&m, 5, &added);
	cr_expect(added);
	cr_expect(r->a == 0 && r->b == 0 && r->c == 0);
	r->a = 42;
	r = u64map_add(&m, 5, &added);
	cr_expect(not(added));
	cr_expect(eq(u64, r->a, 42));
	r = u64map_add(&m, 0, &added);		/* key 0: the slot past the table */
	cr_expect(added);
	cr_expect(r->a == 0 && r->b == 0 && r->c == 0);
	rec_put(&m, 0, 9);
	rec_put(&m, UINT64_MAX, 10);
	rec_expect(&m, 0, 9);
	rec_expect(&m, UINT64_MAX, 10);
	cr_expect(eq(u64, u64map_count(&m), 3));
	cr_expect(u64map_del(&m, 0));
	cr_expect_null(u64map_at(&m, 0));
	cr_expect(not(u64map_del(&m, 0)));
	cr_expect_null(u64map_at(&m, 6));
	cr_expect(eq(u64, u64map_count(&m), 2));
	r = u64map_add(&m, 0, &added);		/* added again: zeroed again */
	cr_expect(added && r->a == 0);
	u64map_release(&m);
}

/*
 * 12 keys that all want slot 15 of 16 (the most 16 slots hold at 80 %):
 * they fill 15, 0, 1, ..., 10, in insertion order. Deleting the first moves
 * each of the 11 others back one slot (slot 10 empties); deleting the one in
 * slot 4 then moves the 5 after it back (slot 9 empties).
 */
Test(hashmap, a_full_run_of_colliding_records_wraps_and_shifts_back)
{
	static const uint64_t k[12] = { 18, 22, 36, 44, 54, 93, 98, 104, 108, 114, 147, 208 };
	struct u64map m;

	rec_init(&m);
	for (int i = 0; i < 12; i++)
		rec_put(&m, k[i], (uint64_t)i);
	cr_assert(eq(sz, m.cap, 16));
	for (int i = 0; i < 12; i++)
		cr_expect(eq(int, slot_of(&m, k[i]), (15 + i) % 16));
	cr_assert(u64map_del(&m, 18));
	for (int i = 1; i < 12; i++)
		cr_expect(eq(int, slot_of(&m, k[i]), (14 + i) % 16), "key %d back one", i);
	cr_expect(eq(u64, key_in(&m, 10), 0));
	cr_assert(u64map_del(&m, 98));			/* k[6], in slot 4 */
	for (int i = 7; i < 12; i++)
		cr_expect(eq(int, slot_of(&m, k[i]), (13 + i) % 16), "key %d back again", i);
	cr_expect(eq(u64, key_in(&m, 9), 0));
	for (int i = 1; i < 12; i++)
		if (i != 6)
			rec_expect(&m, k[i], (uint64_t)i);
	check_layout(&m, 80);
	u64map_release(&m);
}

/*
 * A table of 1 MiB or more is an mmap of its own, given back a piece at a
 * time while the next one fills. 2^20 bytes are 32768 slots of 32 bytes;
 * 60000 keys need at least 75000 slots (80 %), 2.4 MB. Every record
 * survives each growth, deletion of every third key, and a release and
 * reuse.
 */
Test(hashmap, big_tables_keep_every_record_across_growth)
{
	const uint64_t n = 60000;
	struct u64map m;

	rec_init(&m);
	for (uint64_t i = 0; i < n; i++)
		rec_put(&m, i * 0x9e3779b97f4a7c15ull, i);	/* key 0 included (i = 0) */
	cr_expect(m.mapped, "%zu slots of 32 bytes: an mmap", m.cap);
	cr_expect(m.cap * 80 >= n * 100);
	for (uint64_t i = 0; i < n; i += 3)
		cr_assert(u64map_del(&m, i * 0x9e3779b97f4a7c15ull));
	for (uint64_t i = 0; i < n; i++) {
		if (i % 3)
			rec_expect(&m, i * 0x9e3779b97f4a7c15ull, i);
		else
			cr_assert_null(u64map_at(&m, i * 0x9e3779b97f4a7c15ull));
	}
	check_layout(&m, 80);
	cr_expect(eq(u64, u64map_count(&m), n - n / 3));
	u64map_release(&m);
	cr_expect(eq(u64, u64map_count(&m), 0));
	rec_put(&m, 1, 1);
	rec_expect(&m, 1, 1);
	cr_expect(eq(sz, m.cap, 16), "released: the same policy from the start");
	u64map_release(&m);
}

/* Random adds and deletes on 40 keys (the colliding ones first) against an array. */
Test(hashmap, random_record_operations_agree_with_arrays)
{
	bool has[40] = { false };
	uint64_t s = 88172645463325252ull, n = 0;
	struct u64map m;

	rec_init(&m);
	for (unsigned step = 0; step < 20000; step++) {
		uint64_t r = xorshift(&s);
		unsigned i = (unsigned)(r % 40);
		uint64_t key = key_at(i);

		if ((r >> 32) % 2) {
			rec_put(&m, key, i);
			n += !has[i];
			has[i] = true;
		} else {
			cr_assert(eq(int, u64map_del(&m, key), has[i]));
			n -= has[i];
			has[i] = false;
		}
		cr_assert(eq(u64, u64map_count(&m), n));
		check_layout(&m, 80);
		for (unsigned j = 0; j < 40; j++) {
			if (has[j])
				rec_expect(&m, key_at(j), j);
			else
				cr_assert_null(u64map_at(&m, key_at(j)));
		}
	}
	u64map_release(&m);
}
