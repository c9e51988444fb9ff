/*
 * test_alloc.c - the Linux TCE allocator (arch/powerpc/kernel/iommu.c,
 * lib/iommu-helper.c; reference/domain.md §4).
 *
 * Every expected entry is worked out by hand from the kernel text:
 *   iommu_init_table   nr_pools = 4 if it_size << page_shift >= 1 GiB else 1;
 *                      poolsize = (it_size * 3 / 4) / nr_pools;
 *                      pool i = [i * poolsize, (i + 1) * poolsize);
 *                      large pool = [nr_pools * poolsize, it_size);
 *                      bit 0 reserved when it_offset == 0.
 *   iommu_range_alloc  npages > 15 -> large pool, else pool hash_32(cpu, 2);
 *                      passes P, P from start, P+1 .. P+nr (wrapping), large;
 *                      hint = ALIGN(end, 16) (small) or end (large).
 *   iommu_area_alloc   size -= 1 (the last entry below the limit is never
 *                      used); alignment on the relative index; restart at the
 *                      next boundary (in absolute index) when an area crosses one.
 */
#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ddwsim/alloc.h"

#define NO_MASK		UINT64_MAX
/* dma_get_seg_boundary_nr_pages() for the PCI default 0xffffffff:
 * (0xffffffff >> 12) + 1 = 2^20 4K entries, (0xffffffff >> 16) + 1 = 2^16 64K entries. */
#define BOUND_4K	(1ull << 20)
#define BOUND_64K	(1ull << 16)

#define SZ_16M		(1ull << 24)
#define SZ_1G		(1ull << 30)

/* One single-table helper: npages on cpu, no handle, no mask, no alignment, 4K boundary. */
static uint64_t alloc_n(struct tce_alloc *a, unsigned cpu, uint64_t npages)
{
	uint64_t bound = a->it_page_shift == 16 ? BOUND_64K : BOUND_4K;

	return tce_alloc_range(a, cpu, npages, NULL, NO_MASK, 0, bound);
}

/* QEMU default window: 1 GiB of 4K TCEs at bus 0 -> it_size 2^30 / 2^12 = 262144. */
static void init_1g_4k(struct tce_alloc *a)
{
	tce_alloc_init(a, 0, SZ_1G >> 12, 12, 0, 0);
}

/* 16 MiB of 4K TCEs at bus 0 -> it_size 4096; 16 MiB < 1 GiB -> 1 pool. */
static void init_16m_4k(struct tce_alloc *a)
{
	tce_alloc_init(a, 0, SZ_16M >> 12, 12, 0, 0);
}

/* 1 GiB of 64K TCEs at bus 0 -> it_size 2^30 / 2^16 = 16384; 16384 << 16 = 1 GiB -> 4 pools. */
static void init_1g_64k(struct tce_alloc *a)
{
	tce_alloc_init(a, 0, SZ_1G >> 16, 16, 0, 0);
}

static void expect_pool(const struct iommu_pool *p, uint64_t start, uint64_t end)
{
	cr_expect(eq(u64, p->start, start));
	cr_expect(eq(u64, p->end, end));
	cr_expect(eq(u64, p->hint, start), "hints start at the pool start");
}

Test(alloc, layout_of_1gib_4k_window_is_four_pools_and_a_large_top_quarter)
{
	/* poolsize = (262144 * 3 / 4) / 4 = 196608 / 4 = 49152;
	 * large pool [4 * 49152, 262144) = [196608, 262144) (bus 0x30000000). */
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_expect(eq(u64, a.it_size, 262144));
	cr_expect(eq(uint, a.nr_pools, 4));
	expect_pool(&a.pools[0], 0, 49152);
	expect_pool(&a.pools[1], 49152, 98304);
	expect_pool(&a.pools[2], 98304, 147456);
	expect_pool(&a.pools[3], 147456, 196608);
	expect_pool(&a.large_pool, 196608, 262144);
	cr_expect(eq(u64, a.large_pool.start << 12, 0x30000000));
	tce_alloc_release(&a);
}

Test(alloc, layout_of_16mib_4k_window_is_one_pool)
{
	/* 4096 entries; poolsize = 4096 * 3 / 4 = 3072; large [3072, 4096). */
	struct tce_alloc a;

	init_16m_4k(&a);
	cr_expect(eq(uint, a.nr_pools, 1));
	expect_pool(&a.pools[0], 0, 3072);
	expect_pool(&a.large_pool, 3072, 4096);
	tce_alloc_release(&a);
}

Test(alloc, layout_of_1gib_64k_window_is_four_pools_of_3072)
{
	/* 16384 entries of 64K = exactly 1 GiB -> 4 pools (>=, not >);
	 * poolsize = (16384 * 3 / 4) / 4 = 3072; large [12288, 16384). */
	struct tce_alloc a;

	init_1g_64k(&a);
	cr_expect(eq(uint, a.nr_pools, 4));
	expect_pool(&a.pools[0], 0, 3072);
	expect_pool(&a.pools[1], 3072, 6144);
	expect_pool(&a.pools[2], 6144, 9216);
	expect_pool(&a.pools[3], 9216, 12288);
	expect_pool(&a.large_pool, 12288, 16384);
	tce_alloc_release(&a);
}

Test(alloc, window_just_below_1gib_gets_one_pool)
{
	/* 16383 entries of 64K = 1 GiB - 64 KiB < 1 GiB -> 1 pool;
	 * poolsize = 16383 * 3 / 4 = 49149 / 4 = 12287 (integer division). */
	struct tce_alloc a;

	tce_alloc_init(&a, 0, 16383, 16, 0, 0);
	cr_expect(eq(uint, a.nr_pools, 1));
	expect_pool(&a.pools[0], 0, 12287);
	expect_pool(&a.large_pool, 12287, 16383);
	tce_alloc_release(&a);
}

Test(alloc, pool_hash_of_cpus_0_to_7_is_0_1_3_0_2_3_1_2)
{
	/* hash_32(v, 2) = (v * 0x61C88647 mod 2^32) >> 30:
	 *   1 -> 0x61C88647 -> 1;  2 -> 0xC3910C8E -> 3;  3 -> 0x255992D5 -> 0;
	 *   4 -> 0x8722191C -> 2;  5 -> 0xE8EA9F63 -> 3;  6 -> 0x4AB325AA -> 1;
	 *   7 -> 0xAC7BABF1 -> 2. */
	static const unsigned want[] = { 0, 1, 3, 0, 2, 3, 1, 2 };

	for (unsigned cpu = 0; cpu < 8; cpu++)
		cr_expect(eq(uint, tce_alloc_pool_hash(cpu), want[cpu]), "cpu %u", cpu);
}

Test(alloc, entry_0_is_reserved_only_when_the_window_starts_at_0)
{
	struct tce_alloc a;

	init_16m_4k(&a);
	cr_expect(tce_alloc_test(&a, 0));
	cr_expect(not(tce_alloc_test(&a, 1)));
	cr_expect(eq(u64, a.st.live, 0), "reserved entries are not live");
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 1));
	tce_alloc_release(&a);

	/* it_offset 4096 (bus 16 MiB): nothing reserved, the first alloc is entry 0. */
	tce_alloc_init(&a, 4096, 4096, 12, 0, 0);
	cr_expect(not(tce_alloc_test(&a, 0)));
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 0));
	tce_alloc_release(&a);
}

Test(alloc, reserved_range_is_absolute_and_clipped_to_the_window)
{
	struct tce_alloc a;

	/* Window at offset 0: reserve [100, 200). */
	tce_alloc_init(&a, 0, 4096, 12, 100, 200);
	cr_expect(not(tce_alloc_test(&a, 99)));
	cr_expect(tce_alloc_test(&a, 100));
	cr_expect(tce_alloc_test(&a, 199));
	cr_expect(not(tce_alloc_test(&a, 200)));
	tce_alloc_release(&a);

	/* Window at offset 1000, 4096 entries; reserve [900, 1100) -> clipped to
	 * [1000, 1100) = relative [0, 100). The first alloc (hint 0) skips them. */
	tce_alloc_init(&a, 1000, 4096, 12, 900, 1100);
	cr_expect(tce_alloc_test(&a, 0));
	cr_expect(tce_alloc_test(&a, 99));
	cr_expect(not(tce_alloc_test(&a, 100)));
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 100));
	tce_alloc_release(&a);

	/* res_start >= res_end reserves nothing (besides entry 0 at offset 0). */
	tce_alloc_init(&a, 0, 4096, 12, 300, 300);
	cr_expect(not(tce_alloc_test(&a, 300)));
	tce_alloc_release(&a);
}

Test(alloc, first_small_alloc_on_cpu0_is_entry_1)
{
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 1));
	/* end = 2 -> hint = ALIGN(2, 16) = 16. */
	cr_expect(eq(u64, a.pools[0].hint, 16));
	tce_alloc_release(&a);
}

Test(alloc, next_small_alloc_starts_at_the_hint_rounded_to_16)
{
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_assert(eq(u64, alloc_n(&a, 0, 1), 1));	/* hint 16 */
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 16));	/* not 2; hint ALIGN(17, 16) = 32 */
	cr_expect(eq(u64, alloc_n(&a, 0, 2), 32));	/* [32, 34); hint ALIGN(34, 16) = 48 */
	cr_expect(eq(u64, alloc_n(&a, 0, 15), 48));	/* [48, 63); hint 64 */
	cr_expect(eq(u64, a.pools[0].hint, 64));
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 64));
	tce_alloc_release(&a);
}

Test(alloc, each_cpu_starts_in_its_hashed_pool)
{
	/* Pools of 49152 (1 GiB / 4K): cpu 1 -> pool 1 (49152), cpu 2 -> pool 3
	 * (147456), cpu 3 -> pool 0 (entry 1: 0 is reserved), cpu 4 -> pool 2 (98304). */
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_expect(eq(u64, alloc_n(&a, 1, 1), 49152));
	cr_expect(eq(u64, alloc_n(&a, 2, 1), 147456));
	cr_expect(eq(u64, alloc_n(&a, 3, 1), 1));
	cr_expect(eq(u64, alloc_n(&a, 4, 1), 98304));
	cr_expect(eq(u64, alloc_n(&a, 5, 1), 147456 + 16));	/* pool 3 again, its hint */
	tce_alloc_release(&a);
}

Test(alloc, sixteen_pages_go_to_the_large_pool_and_fifteen_do_not)
{
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_expect(eq(u64, alloc_n(&a, 0, 15), 1));		/* 15 is small: pool 0 */
	cr_expect(eq(u64, alloc_n(&a, 1, 16), 196608));	/* > 15: large pool, any cpu */
	cr_expect(eq(u64, alloc_n(&a, 2, 16), 196608 + 16));
	tce_alloc_release(&a);
}

Test(alloc, large_alloc_hint_is_the_end_without_rounding)
{
	/* 17 pages at 196608 end at 196625: hint = 196625 (ALIGN would give
	 * 196640), so the next large alloc starts at 196625. */
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_expect(eq(u64, alloc_n(&a, 0, 17), 196608));
	cr_expect(eq(u64, a.large_pool.hint, 196625));
	cr_expect(eq(u64, alloc_n(&a, 0, 16), 196625));
	cr_expect(eq(u64, a.large_pool.hint, 196641));
	tce_alloc_release(&a);
}

Test(alloc, align_order_aligns_the_start)
{
	struct tce_alloc a;
	uint64_t h;

	init_16m_4k(&a);
	/* First: zero at 1, align 2^4 -> 16. */
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, NULL, NO_MASK, 4, BOUND_4K), 16));
	/* hint ALIGN(17, 16) = 32, align 2^6 = 64 -> 64. */
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, NULL, NO_MASK, 6, BOUND_4K), 64));
	/* From handle 5 (SG continuation), 4 pages aligned to 2^2 -> 8. */
	h = 5;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 4, &h, NO_MASK, 2, BOUND_4K), 8));
	cr_expect(eq(u64, h, 12));
	tce_alloc_release(&a);
}

Test(alloc, alignment_is_on_the_index_relative_to_the_window)
{
	/* bitmap_find_next_zero_area() aligns the bitmap (relative) index; the
	 * window offset does not enter. it_offset 8: the first alloc with
	 * align_order 4 is relative 0 (absolute 8, not a multiple of 16). */
	struct tce_alloc a;

	tce_alloc_init(&a, 8, 4096, 12, 0, 0);
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, NULL, NO_MASK, 4, BOUND_4K), 0));
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, NULL, NO_MASK, 4, BOUND_4K), 16));
	tce_alloc_release(&a);
}

Test(alloc, area_crossing_a_boundary_restarts_at_the_next_boundary)
{
	struct tce_alloc a;
	uint64_t h;

	init_16m_4k(&a);
	/* From 60, 8 pages with boundary 64: (60 & 63) + 8 = 68 > 64 ->
	 * restart at ALIGN(60, 64) = 64. */
	h = 60;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 8, &h, NO_MASK, 0, 64), 64));
	cr_expect(eq(u64, h, 72));
	/* Exactly up to the boundary is fine: from 120, 8 pages: 56 + 8 = 64. */
	h = 120;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 8, &h, NO_MASK, 0, 64), 120));
	tce_alloc_release(&a);

	/* The same 8 pages from 60 with the 4 GiB boundary stay at 60. */
	init_16m_4k(&a);
	h = 60;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 8, &h, NO_MASK, 0, BOUND_4K), 60));
	tce_alloc_release(&a);
}

Test(alloc, boundary_is_checked_on_the_absolute_index)
{
	/* it_offset 8. From relative 52 (absolute 60), 8 pages: (60 & 63) + 8 =
	 * 68 > 64 -> restart at ALIGN(60, 64) - 8 = 56 (absolute 64). From
	 * relative 48 (absolute 56): 56 + 8 = 64, no crossing -> 48. */
	struct tce_alloc a;
	uint64_t h;

	tce_alloc_init(&a, 8, 4096, 12, 0, 0);
	h = 52;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 8, &h, NO_MASK, 0, 64), 56));
	tce_alloc_release(&a);

	tce_alloc_init(&a, 8, 4096, 12, 0, 0);
	h = 48;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 8, &h, NO_MASK, 0, 64), 48));
	tce_alloc_release(&a);
}

Test(alloc, filling_a_one_pool_window_never_uses_the_last_entry_of_each_pool)
{
	/*
	 * 16 MiB / 4K: pool 0 = [0, 3072), large = [3072, 4096).
	 * iommu_area_alloc(limit) uses entries < limit - 1, so:
	 *   pool 0: entries 1 .. 3070 (0 reserved, 3071 never) = 3070
	 *   large (tried last, once pool 0 failed from its hint, from its start
	 *          and as the "next" pool (0 + 1) & 0 = 0):
	 *           entries 3072 .. 4094 (4095 never)          = 1023
	 * 3070 + 1023 = 4093 single-page allocs succeed, the 4094th fails.
	 */
	struct tce_alloc a;
	uint64_t ok = 0;

	init_16m_4k(&a);
	while (alloc_n(&a, 0, 1) != IOMMU_ALLOC_FAILED)
		ok++;
	cr_expect(eq(u64, ok, 4093));
	cr_expect(eq(u64, a.st.allocs, 4093));
	cr_expect(eq(u64, a.st.failures, 1));
	cr_expect(eq(u64, a.st.live, 4093));
	cr_expect(not(tce_alloc_test(&a, 3071)), "last entry of pool 0 used");
	cr_expect(not(tce_alloc_test(&a, 4095)), "last entry of the large pool used");
	for (uint64_t n = 0; n < 4096; n++)
		if (n != 3071 && n != 4095)
			cr_assert(tce_alloc_test(&a, n), "entry %lu free", (unsigned long)n);
	tce_alloc_release(&a);
}

Test(alloc, full_pool_wraps_to_the_next_pool_from_its_start)
{
	/*
	 * 1 GiB / 64K: pool 1 = [3072, 6144) holds 3072 .. 6142 = 3071 entries
	 * (6143 is the last below the limit). Then cpu 1 fails pass 0 and 1 in
	 * pool 1 and pass 2 takes pool 2 from its start: 6144. Pool 2's hint
	 * becomes ALIGN(6145, 16) = 6160, but the next cpu-1 alloc again resets
	 * it to the start on its pass 2 and gets 6145. Pool 2's own cpu (4)
	 * then starts from hint ALIGN(6146, 16) = 6160.
	 */
	struct tce_alloc a;

	init_1g_64k(&a);
	for (unsigned i = 0; i < 3071; i++) {
		uint64_t n = alloc_n(&a, 1, 1);

		cr_assert(n >= 3072 && n < 6143, "alloc %u landed at %lu", i, (unsigned long)n);
	}
	cr_expect(eq(u64, alloc_n(&a, 1, 1), 6144));
	cr_expect(eq(u64, alloc_n(&a, 1, 1), 6145));
	cr_expect(eq(u64, alloc_n(&a, 4, 1), 6160));
	tce_alloc_release(&a);
}

Test(alloc, wrap_from_the_last_pool_goes_to_pool_0)
{
	/* cpu 2 -> pool 3 = [9216, 12288): 3071 entries; then (3 + 1) & 3 = 0:
	 * pool 0 from its start -> entry 1 (0 reserved). */
	struct tce_alloc a;

	init_1g_64k(&a);
	for (unsigned i = 0; i < 3071; i++)
		cr_assert(not(eq(u64, alloc_n(&a, 2, 1), IOMMU_ALLOC_FAILED)));
	cr_expect(eq(u64, alloc_n(&a, 2, 1), 1));
	tce_alloc_release(&a);
}

Test(alloc, exhaustion_fails_counts_and_recovers_after_a_free, .timeout = 30)
{
	/*
	 * 1 GiB / 64K, every usable entry:
	 *   pool 0: 1 .. 3070 = 3070; pools 1-3: 3071 each = 9213;
	 *   large: 12288 .. 16382 = 4095.  Total 3070 + 9213 + 4095 = 16378.
	 * Then IOMMU_ALLOC_FAILED and failures = 1. Freeing entry 5000 (pool 1)
	 * leaves it the only usable free entry: a cpu-3 alloc (pool 0, full)
	 * wraps to pool 1 and gets 5000.
	 */
	struct tce_alloc a;
	uint64_t ok = 0;

	init_1g_64k(&a);
	while (alloc_n(&a, 0, 1) != IOMMU_ALLOC_FAILED)
		ok++;
	cr_expect(eq(u64, ok, 16378));
	cr_expect(eq(u64, a.st.failures, 1));
	cr_expect(eq(u64, alloc_n(&a, 1, 1), IOMMU_ALLOC_FAILED));
	cr_expect(eq(u64, alloc_n(&a, 0, 16), IOMMU_ALLOC_FAILED));
	cr_expect(eq(u64, a.st.failures, 3));
	cr_expect(eq(u64, a.st.peak, 16378));
	tce_alloc_free(&a, 5000, 1);
	cr_expect(eq(u64, a.st.frees, 1));
	cr_expect(eq(u64, a.st.live, 16377));
	cr_expect(eq(u64, alloc_n(&a, 3, 1), 5000));
	cr_expect(eq(u64, a.st.failures, 3));
	tce_alloc_release(&a);
}

Test(alloc, large_alloc_falling_back_to_a_small_pool_sets_its_hint_to_the_end)
{
	/*
	 * 16 MiB / 4K, large pool [3072, 4096), usable below 4095: 16-page
	 * allocs at 3072 + 16k for k = 0 .. 62 (the 63rd ends at 4080; one more
	 * would need [4080, 4096) > 4095). The 64th fails twice in the large
	 * pool, then pass 2 takes pool (0 + 1) & 0 = 0 from its start: [1, 17).
	 * It is a large alloc, so pool 0's hint = end = 17 (no rounding), and
	 * the next small cpu-0 alloc gets 17.
	 */
	struct tce_alloc a;

	init_16m_4k(&a);
	for (uint64_t k = 0; k < 63; k++)
		cr_assert(eq(u64, alloc_n(&a, 0, 16), 3072 + 16 * k));
	cr_expect(eq(u64, alloc_n(&a, 0, 16), 1));
	cr_expect(eq(u64, a.pools[0].hint, 17));
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 17));
	tce_alloc_release(&a);
}

Test(alloc, dma_mask_below_the_window_end_confines_allocations)
{
	/*
	 * 16 MiB / 4K at 0 with a 4 MiB DMA mask: mask = (4 MiB - 1) >> 12 =
	 * 1023. limit + it_offset = 3072 > 1023 -> limit = 1023 - 0 + 1 = 1024;
	 * entries < 1023 only: 1 .. 1022 = 1022 allocs, every later pass
	 * (including the large-pool one) is sent to pool 0 from its start.
	 */
	struct tce_alloc a;
	uint64_t ok = 0, n;

	init_16m_4k(&a);
	while ((n = tce_alloc_range(&a, 0, 1, NULL, 1023, 0, BOUND_4K)) != IOMMU_ALLOC_FAILED) {
		cr_assert(lt(u64, n, 1023));
		ok++;
	}
	cr_expect(eq(u64, ok, 1022));
	for (n = 1023; n < 4096; n++)
		cr_assert(not(tce_alloc_test(&a, n)), "entry %lu above the mask", (unsigned long)n);
	/* A large alloc is confined too: everything below the mask is full. */
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 16, NULL, 1023, 0, BOUND_4K),
		     IOMMU_ALLOC_FAILED));
	/* Without the mask there is room. */
	cr_expect(eq(u64, alloc_n(&a, 0, 16), 3072));
	tce_alloc_release(&a);
}

Test(alloc, masked_hint_is_tried_first)
{
	/*
	 * 1 GiB / 4K at 0, mask 0xffff (256 MiB): limit = 65536, and pass 0
	 * starts at start & mask:
	 *   cpu 4, pool 2 hint 98304 = 0x18000 -> 0x8000 = 32768
	 *   cpu 2, pool 3 hint 147456 = 0x24000 -> 0x4000 = 16384
	 *   16 pages, large hint 196608 = 0x30000 -> 0 -> zero at 1 -> [1, 17),
	 *   large hint = 17.
	 */
	struct tce_alloc a;

	init_1g_4k(&a);
	cr_expect(eq(u64, tce_alloc_range(&a, 4, 1, NULL, 0xffff, 0, BOUND_4K), 32768));
	cr_expect(eq(u64, tce_alloc_range(&a, 2, 1, NULL, 0xffff, 0, BOUND_4K), 16384));
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 16, NULL, 0xffff, 0, BOUND_4K), 1));
	cr_expect(eq(u64, a.large_pool.hint, 17));
	tce_alloc_release(&a);
}

Test(alloc, hint_at_the_pool_end_wraps_to_the_pool_start_before_masking)
{
	/*
	 * 1 GiB / 4K at 0. cpu 1 (pool 1 = [49152, 98304)) from handle 98288:
	 * 15 pages [98288, 98303) (the most that fit below 98303), end 98303,
	 * hint ALIGN(98303, 16) = 98304 = the pool end.
	 * Next cpu-1 page with mask 0xffff: start 98304 >= limit 98304 ->
	 * start = 49152 first; then the clamp (limit 65536) keeps 49152 & 0xffff
	 * = 49152 -> entry 49152. (Masking the raw hint instead would give
	 * 98304 & 0xffff = 32768.)
	 */
	struct tce_alloc a;
	uint64_t h = 98288;

	init_1g_4k(&a);
	cr_assert(eq(u64, tce_alloc_range(&a, 1, 15, &h, NO_MASK, 0, BOUND_4K), 98288));
	cr_assert(eq(u64, a.pools[1].hint, 98304));
	cr_expect(eq(u64, tce_alloc_range(&a, 1, 1, NULL, 0xffff, 0, BOUND_4K), 49152));
	tce_alloc_release(&a);
}

Test(alloc, masked_start_past_the_limit_switches_to_pool_0)
{
	/*
	 * 1 GiB / 4K window at it_offset 65536 (bus 256 MiB), mask 0x1ffff
	 * (bus < 512 MiB): limit = 0x1ffff - 65536 + 1 = 65536.
	 *   cpu 4 (pool 2, hint 98304): 98304 & 0x1ffff = 98304 >= 65536 ->
	 *     pool 0 from its start: entry 0 (offset != 0, nothing reserved);
	 *     the hint moved is pool 0's (ALIGN(1, 16) = 16), pool 2's stays.
	 *   cpu 1 (pool 1, hint 49152): 49152 < 65536 -> 49152.
	 *   cpu 0 (pool 0, hint 16) -> 16.
	 */
	struct tce_alloc a;

	tce_alloc_init(&a, 65536, SZ_1G >> 12, 12, 0, 0);
	cr_expect(eq(u64, tce_alloc_range(&a, 4, 1, NULL, 0x1ffff, 0, BOUND_4K), 0));
	cr_expect(eq(u64, a.pools[0].hint, 16));
	cr_expect(eq(u64, a.pools[2].hint, 98304));
	cr_expect(eq(u64, tce_alloc_range(&a, 1, 1, NULL, 0x1ffff, 0, BOUND_4K), 49152));
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, NULL, 0x1ffff, 0, BOUND_4K), 16));
	tce_alloc_release(&a);
}

Test(alloc, under_a_mask_later_passes_restart_from_pool_0, .timeout = 30)
{
	/*
	 * 1 GiB / 4K at 0, mask 0x1ffff (bus < 512 MiB): limit = 131072 for
	 * every pool that reaches past it.
	 * Fill [65536, 131071) one page at a time by following the handle:
	 *   cpu 1, pool 1 = [49152, 98304) (no clamp: 98304 <= 0x1ffff + 1):
	 *     65536 .. 98302 (98303 is pool 1's last entry, never used);
	 *   cpu 4, pool 2 = [98304, 147456) clamped to 131072: 98304 .. 131070.
	 * Left free below the mask: [1, 65536) and the single entry 98303.
	 * A 16-page alloc on cpu 0: large pool, hint 196608 = 0x30000, masked
	 * 0x10000 = 65536: pass 0 searches [65536, 131071) -> no 16 free. Pass 1
	 * (pass > 0) goes to pool 0 from its start -> [1, 17), and as a large
	 * alloc sets pool 0's hint to 17. (Searching pool 1 from 49152 instead
	 * would give 49152.)
	 */
	struct tce_alloc a;
	uint64_t h;

	init_1g_4k(&a);
	h = 65536;
	for (uint64_t n = 65536; n <= 98302; n++)
		cr_assert(eq(u64, tce_alloc_range(&a, 1, 1, &h, 0x1ffff, 0, BOUND_4K), n));
	h = 98304;
	for (uint64_t n = 98304; n <= 131070; n++)
		cr_assert(eq(u64, tce_alloc_range(&a, 4, 1, &h, 0x1ffff, 0, BOUND_4K), n));
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 16, NULL, 0x1ffff, 0, BOUND_4K), 1));
	cr_expect(eq(u64, a.pools[0].hint, 17));
	cr_expect(eq(u64, a.large_pool.hint, 196608), "reset to the start after pass 0");
	tce_alloc_release(&a);
}

Test(alloc, sg_handle_continues_at_the_previous_end)
{
	/* 1 GiB / 4K, cpu 0: [1, 4) with handle 0 -> handle 4, hint 16. The next
	 * element continues at the handle (4), not at the hint (16). */
	struct tce_alloc a;
	uint64_t h = 0;

	init_1g_4k(&a);
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 3, &h, NO_MASK, 0, BOUND_4K), 1));
	cr_expect(eq(u64, h, 4));
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 2, &h, NO_MASK, 0, BOUND_4K), 4));
	cr_expect(eq(u64, h, 6));
	cr_expect(eq(u64, a.pools[0].hint, 16));	/* ALIGN(6, 16) */
	/* Without a handle: the hint. */
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 16));
	tce_alloc_release(&a);
}

Test(alloc, sg_handle_outside_the_pool_is_ignored)
{
	/* cpu 0 (pool 0 = [0, 49152)) with handle 50000 (pool 1, at or past
	 * the pool end): the hint is used -> entry 1; handle becomes 2. A zero
	 * handle is ignored too: hint 16. */
	struct tce_alloc a;
	uint64_t h = 50000;

	init_1g_4k(&a);
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, &h, NO_MASK, 0, BOUND_4K), 1));
	cr_expect(eq(u64, h, 2));
	h = 0;
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, &h, NO_MASK, 0, BOUND_4K), 16));
	/* cpu 1 (pool 1 = [49152, 98304)) with handle 100, below the pool: the
	 * hint (49152) is used, not 100. */
	h = 100;
	cr_expect(eq(u64, tce_alloc_range(&a, 1, 1, &h, NO_MASK, 0, BOUND_4K), 49152));
	tce_alloc_release(&a);
}

Test(alloc, sg_handle_is_used_on_pass_0_only)
{
	/* 16 MiB / 4K: entry 1, then 10 .. 3070 by following the handle (each
	 * alloc continues at the previous end). Handle 3071 is inside pool 0
	 * but 3071 is the last entry below the limit: pass 0 fails there, and
	 * pass 1 restarts from the pool start (hint reset to 0) and finds 2. */
	struct tce_alloc a;
	uint64_t h;

	init_16m_4k(&a);
	cr_assert(eq(u64, alloc_n(&a, 0, 1), 1));
	h = 10;
	for (uint64_t n = 10; n < 3071; n++)
		cr_assert(eq(u64, tce_alloc_range(&a, 0, 1, &h, NO_MASK, 0, BOUND_4K), n));
	cr_expect(eq(u64, h, 3071));
	cr_expect(eq(u64, tce_alloc_range(&a, 0, 1, &h, NO_MASK, 0, BOUND_4K), 2));
	cr_expect(eq(u64, h, 3));
	tce_alloc_release(&a);
}

Test(alloc, free_never_moves_the_hint)
{
	struct tce_alloc a;

	init_16m_4k(&a);
	cr_assert(eq(u64, alloc_n(&a, 0, 1), 1));	/* hint 16 */
	tce_alloc_free(&a, 1, 1);
	cr_expect(not(tce_alloc_test(&a, 1)));
	cr_expect(eq(u64, a.pools[0].hint, 16));
	cr_expect(eq(u64, alloc_n(&a, 0, 1), 16));	/* not 1 */
	tce_alloc_release(&a);
}

Test(alloc, counters_track_live_peak_allocs_and_frees)
{
	struct tce_alloc a;
	uint64_t x, y;

	init_1g_4k(&a);
	x = alloc_n(&a, 0, 3);
	y = alloc_n(&a, 0, 20);
	cr_expect(eq(u64, a.st.live, 23));
	tce_alloc_free(&a, x, 3);
	cr_expect(eq(u64, a.st.live, 20));
	cr_expect(eq(u64, a.st.peak, 23));
	tce_alloc_free(&a, y, 20);
	cr_expect(eq(u64, a.st.live, 0));
	cr_expect(eq(u64, a.st.allocs, 2));
	cr_expect(eq(u64, a.st.frees, 2));
	cr_expect(eq(u64, a.st.failures, 0));
	cr_expect(tce_alloc_test(&a, 0), "entry 0 stays reserved");
	for (uint64_t n = 1; n < 64; n++)
		cr_assert(not(tce_alloc_test(&a, n)));
	tce_alloc_release(&a);
}

Test(alloc, zero_pages_fail)
{
	struct tce_alloc a;

	init_16m_4k(&a);
	cr_expect(eq(u64, alloc_n(&a, 0, 0), IOMMU_ALLOC_FAILED));
	cr_expect(eq(u64, a.st.failures, 1));
	tce_alloc_release(&a);
}
