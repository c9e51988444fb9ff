/*
 * test_handles.c - live mappings by handle (src/handles.c) and the bytes the
 * budget counts per live mapping (replay.c, timed.c; sim.c's formula).
 *
 * The contract under test:
 *   - a mapping of one element keeps its range in the record: mapping_seg()
 *     points into it, and it moves with the record when the pool grows;
 *   - a mapping of more elements gets an array that stays put while the pool
 *     grows, and that the id's next mapping of as many elements reuses;
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
	cr_assert(eq(ptr, mapping_seg(m), &m->u.one));
	cr_assert(eq(u64, m->len, 0));
	cr_assert(eq(u32, m->user, 0));
	cr_assert(eq(u64, mapping_seg(m)->dma, 0));
	mapping_seg(m)->dma = 0x8000;
	mapping_seg(m)->len = 4096;
	/* 5000 more mappings: the pool grows (64, 128, ... records) and moves */
	for (uint64_t k = 100; k < 5100; k++)
		cr_assert_not_null(handles_add(h, k, 1));
	m = handles_get(h, 7);
	cr_assert_not_null(m);
	cr_assert(eq(ptr, mapping_seg(m), &m->u.one));
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

	cr_assert(ne(ptr, s, &m->u.one));
	for (unsigned i = 0; i < 3; i++)
		s[i] = (struct dma_seg){ .dma = 0x1000 * (i + 1), .len = 512 };
	for (uint64_t k = 100; k < 5100; k++)
		handles_add(h, k, 1);
	m = handles_get(h, 1);
	cr_assert(eq(ptr, mapping_seg(m), s));
	cr_assert(eq(u64, mapping_seg(m)[2].dma, 0x3000));
	/* freed, then the most recently freed id (this one) comes back for handle 2 */
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

/*
 * By hand: one segment 104 (record 32 + link 4 + slot 32..64, rounded up
 * over the measured 93); more segments add 48 and 16 per segment, at least
 * 4: nseg 2 -> 104 + 48 + 64 = 216, nseg 4 -> 216, nseg 9 -> 104 + 48 + 144
 * = 296. (The timed replay adds nothing per live mapping: test_timed.c.)
 */
Test(handles, the_budget_per_live_mapping)
{
	cr_assert(eq(u64, replay_bytes_per_mapping(1), 104));
	cr_assert(eq(u64, replay_bytes_per_mapping(0), 104));
	cr_assert(eq(u64, replay_bytes_per_mapping(2), 216));
	cr_assert(eq(u64, replay_bytes_per_mapping(4), 216));
	cr_assert(eq(u64, replay_bytes_per_mapping(9), 296));
}
