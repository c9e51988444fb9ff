/*
 * test_handles.c - live mappings by handle (src/handles.c) and the bytes the
 * budget counts per live mapping (replay.c, timed.c; sim.c's formula).
 *
 * The contract under test:
 *   - a mapping of one element keeps its range in the record: mapping_seg()
 *     points into it, its length is the mapping's, and it survives the
 *     table's growth and deletions that shift it back, packed or not;
 *   - a mapping of more elements gets an array that stays put while the
 *     table grows; once unmapped (even when the caller lowered nseg to 0 on
 *     a failed map) the next longer mapping reuses it, grown if short;
 *   - an added mapping comes back zeroed (len, user, its one range);
 *   - the budget's per-mapping bytes, worked out by hand from the comments
 *     beside MAP_BYTES (replay.c) and TIMED_MAP_BYTES (timed.c).
 */
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ddwsim/handles.h"
#include "ddwsim/replay.h"
#include "ddwsim/timed.h"

Test(handles, a_one_element_mapping_keeps_its_range_in_the_record)
{
	struct handles *h = handles_new();
	struct mapping *m = handles_add(h, 7, 1);

	cr_assert_not_null(m);
	cr_assert(eq(ptr, mapping_seg(m), &m->one));
	cr_assert(eq(u64, m->len, 0));
	cr_assert(eq(u32, m->user, 0));
	cr_assert(eq(u64, mapping_seg(m)->dma, 0));
	mapping_seg(m)->dma = 0x8000;
	mapping_seg(m)->len = 4096;
	cr_assert(eq(u64, m->len, 4096), "one range: its length is the mapping's");
	/* 5000 more mappings: the table grows (16, 20, 25, ... slots) and moves */
	for (uint64_t k = 100; k < 5100; k++)
		cr_assert_not_null(handles_add(h, k, 1));
	m = handles_get(h, 7);
	cr_assert_not_null(m);
	cr_assert(eq(ptr, mapping_seg(m), &m->one));
	cr_assert(eq(u64, mapping_seg(m)->dma, 0x8000));
	cr_assert(eq(u64, mapping_seg(m)->len, 4096));
	cr_assert(eq(u64, handles_live(h), 5001));
	handles_free(h);
}

Test(handles, a_longer_mapping_keeps_an_array_that_survives_growth_and_is_reused)
{
	struct handles *h = handles_new();
	struct mapping *m = handles_add(h, 1, 3);
	struct dma_seg *s = mapping_seg(m);

	cr_assert(ne(ptr, s, &m->one));
	for (unsigned i = 0; i < 3; i++)
		s[i] = (struct dma_seg){ .dma = 0x1000 * (i + 1), .len = 512 };
	for (uint64_t k = 100; k < 5100; k++)
		handles_add(h, k, 1);
	m = handles_get(h, 1);
	cr_assert(eq(ptr, mapping_seg(m), s));
	cr_assert(eq(u64, mapping_seg(m)[2].dma, 0x3000));
	/* unmapped, then the most recently freed array (this one) comes back for handle 2 */
	handles_del(h, 1);
	cr_assert_null(handles_get(h, 1));
	m = handles_add(h, 2, 3);
	cr_assert(eq(ptr, mapping_seg(m), s));
	handles_free(h);
}

Test(handles, a_live_handle_is_not_added_twice)
{
	struct handles *h = handles_new();

	cr_assert_not_null(handles_add(h, 9, 1));
	cr_assert_null(handles_add(h, 9, 1));
	cr_assert(eq(u64, handles_live(h), 1));
	handles_free(h);
}

Test(handles, a_failed_long_mapping_still_gives_its_array_back)
{
	struct handles *h = handles_new();
	struct mapping *m = handles_add(h, 1, 5);
	struct dma_seg *s = mapping_seg(m);

	m->nseg = 0;			/* what the replay does when the map fails */
	cr_assert(eq(ptr, mapping_seg(m), &m->one));
	handles_del(h, 1);
	m = handles_add(h, 2, 5);
	cr_assert(eq(ptr, mapping_seg(m), s), "the array is not lost with its nseg");
	handles_free(h);
}

Test(handles, a_short_spare_array_grows_for_a_longer_mapping)
{
	struct handles *h = handles_new();
	struct mapping *m = handles_add(h, 1, 2);	/* an array of 4, the least */
	struct dma_seg *s;

	handles_del(h, 1);
	m = handles_add(h, 2, 9);
	s = mapping_seg(m);
	for (unsigned i = 0; i < 9; i++)
		s[i] = (struct dma_seg){ .dma = 0x1000 * i, .len = i };
	m = handles_add(h, 3, 3);			/* none spare: a new array */
	cr_assert(ne(ptr, mapping_seg(m), s));
	m = handles_get(h, 2);
	cr_assert(eq(u32, m->nseg, 9));
	for (unsigned i = 0; i < 9; i++)
		cr_assert(eq(u64, mapping_seg(m)[i].dma, 0x1000 * i));
	cr_assert(eq(u64, handles_live(h), 2));
	handles_free(h);				/* ASan: both arrays freed */
}

Test(handles, deleting_keeps_every_other_mapping)
{
	struct handles *h = handles_new();
	struct mapping *m;

	for (uint64_t k = 0; k < 3000; k++) {		/* handle 0 included */
		m = handles_add(h, k, 1);
		m->one = (struct dma_seg){ .dma = k << 12, .len = k + 1 };
		m->user = (uint32_t)k;
	}
	for (uint64_t k = 1; k < 3000; k += 2)
		handles_del(h, k);
	handles_del(h, 5);				/* not live: nothing happens */
	cr_assert(eq(u64, handles_live(h), 1500));
	for (uint64_t k = 0; k < 3000; k++) {
		m = handles_get(h, k);
		if (k % 2) {
			cr_assert_null(m);
			continue;
		}
		cr_assert_not_null(m);
		cr_assert(eq(u64, m->one.dma, k << 12));
		cr_assert(eq(u64, m->len, k + 1));
		cr_assert(eq(u32, m->user, (uint32_t)k));
	}
	handles_free(h);
}

/*
 * A mapping of one range packs into 16 bytes when its length fits 32 bits
 * and its user 30 (handles.c); any other is kept whole beside the table.
 * Both come back exactly as written, before and after the table grows.
 */
Test(handles, mappings_that_pack_and_mappings_that_do_not_come_back_as_written)
{
	static const struct { uint64_t len; uint32_t user; unsigned nseg; } c[] = {
		{ 0xffffffffu, (1u << 30) - 1, 1 },	/* the largest that pack */
		{ 1ull << 32, 0, 1 },			/* 4 GiB: too long */
		{ 64, 1u << 30, 1 },			/* user past 30 bits */
		{ 0xffffffffu, UINT32_MAX, 0 },		/* a failed map: nseg lowered to 0 */
		{ UINT64_MAX, 7, 1 },
	};
	const unsigned n = sizeof(c) / sizeof(c[0]);
	struct handles *h = handles_new();
	struct mapping *m;

	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < n; i++) {
			m = round ? handles_get(h, i) : handles_add(h, i, 1);
			cr_assert_not_null(m);
			if (round)
				continue;
			m->one.dma = 0xfedcba9876543210ull - i;
			m->len = c[i].len;
			m->user = c[i].user;
			m->nseg = c[i].nseg;
		}
		for (unsigned i = 0; i < n; i++) {
			m = handles_get(h, i);
			cr_assert(eq(u64, m->one.dma, 0xfedcba9876543210ull - i), "case %u", i);
			cr_assert(eq(u64, m->len, c[i].len), "case %u", i);
			cr_assert(eq(u32, m->user, c[i].user), "case %u", i);
			cr_assert(eq(u32, m->nseg, c[i].nseg), "case %u", i);
		}
		for (uint64_t k = 100; k < 3100; k++)	/* the table grows (and moves) */
			handles_add(h, k, 1);
	}
	/* a change made through get is kept too, packing or not */
	m = handles_get(h, 0);
	m->len = 1ull << 40;
	m = handles_get(h, 1);
	m->len = 512;
	cr_assert(eq(u64, handles_get(h, 0)->len, 1ull << 40));
	cr_assert(eq(u64, handles_get(h, 1)->len, 512));
	handles_del(h, 0);
	handles_del(h, 1);
	cr_assert_null(handles_get(h, 0));
	cr_assert_null(handles_get(h, 1));
	cr_assert(eq(u64, handles_live(h), n - 2 + 3000));
	handles_free(h);
}

/*
 * By hand: one segment 40 (a 24-byte slot at 64 % load or more is 37.5,
 * rounded up to the measured 40); more segments add 128 (the whole record's
 * 40-byte slot at 64 %: 63, headers 32, pointers 32) and 16 per segment, at
 * least 4: nseg 2 -> 40 + 128 + 64 = 232, nseg 4 -> 232, nseg 9 -> 40 +
 * 128 + 144 = 312. (The timed replay adds nothing per live mapping: test_timed.c.)
 */
Test(handles, the_budget_per_live_mapping)
{
	cr_assert(eq(u64, replay_bytes_per_mapping(1), 40));
	cr_assert(eq(u64, replay_bytes_per_mapping(0), 40));
	cr_assert(eq(u64, replay_bytes_per_mapping(2), 232));
	cr_assert(eq(u64, replay_bytes_per_mapping(4), 232));
	cr_assert(eq(u64, replay_bytes_per_mapping(9), 312));
}
