/*
 * test_enable_ddw.c - the guest's DDW decision against Linux's enable_ddw().
 *
 * Every expected value is worked out by hand from
 * arch/powerpc/platforms/pseries/iommu.c (iommu_bypass_supported_pSeriesLP,
 * enable_ddw with limited addressing, iommu_get_page_shift) and QEMU's
 * hw/ppc/spapr_rtas_ddw.c (the query's outputs), with the arithmetic in a
 * comment. The dynamic case is the real guest of
 * shared/data/qemu/ddw-dynamic-pgsz64k-patched.console.log, whose dmesg says
 * "can't map partition max 0x80000000 with 16384 65536-sized pages".
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ddwsim/enable_ddw.h"

#define KiB	(1ull << 10)
#define MiB	(1ull << 20)
#define GiB	(1ull << 30)
#define PS(n)	(1ull << (n))
#define QEMU_PGSZ	(PS(12) | PS(16) | PS(21) | PS(24))	/* spapr_phb_properties "pgsz" */
#define MASK64	UINT64_MAX

/* QEMU >= 7.1, 6-output query: largest block 0x20:0x0 = 2^37 TCEs; avail = 2 - 1 active. */
static const struct ddw_offer qemu = {
	.windows_available = 1, .largest_block = 1ull << 37, .page_sizes = QEMU_PGSZ,
};

static const struct ddw_guest guest2g = { .dma_mask = MASK64, .hotplug_max = 2 * GiB };

static void decide(const struct ddw_offer *o, const struct ddw_guest *g, struct ddw_choice *c)
{
	memset(c, 0xa5, sizeof(*c));	/* enable_ddw fills everything */
	enable_ddw(o, g, c);
}

Test(enable_ddw, order_base_2_matches_linux_log2_h)
{
	/* order_base_2(n) = n > 1 ? ilog2(n - 1) + 1 : 0 */
	cr_assert(eq(u32, ddw_order_base_2(0), 0));
	cr_assert(eq(u32, ddw_order_base_2(1), 0));
	cr_assert(eq(u32, ddw_order_base_2(2), 1));
	cr_assert(eq(u32, ddw_order_base_2(3), 2));
	cr_assert(eq(u32, ddw_order_base_2(2 * GiB), 31));
	cr_assert(eq(u32, ddw_order_base_2(2 * GiB + 1), 32));
	cr_assert(eq(u32, ddw_order_base_2(UINT64_MAX), 64));
}

Test(enable_ddw, qemu_default_offer_2g_guest_is_direct_2g_of_16m)
{
	struct ddw_choice c;

	/* page_shift = 24 (16M, the largest of 4K|64K|2M|16M);
	 * ddw_sz = min(order_base_2(2^37 << 24 = 2^61), fls64(~0) = 64) = 61;
	 * len = max_ram_len = order_base_2(2 GiB) = 31; 61 >= 31 and the default window
	 * stays, so direct_mapping = true; create(24, 31): 2 GiB = 128 TCEs of 16M. */
	decide(&qemu, &guest2g, &c);
	cr_assert(eq(int, c.kind, DDW_DIRECT));
	cr_assert(eq(u32, c.page_shift, 24));
	cr_assert(eq(u32, c.ddw_sz, 61));
	cr_assert(eq(u32, c.max_ram_len, 31));
	cr_assert(eq(u32, c.window_shift, 31));
	cr_assert(not(c.default_removed));
	cr_assert(eq(str, c.reason, "direct: largest block 0x2000000000 TCEs of 16M covers partition max 0x80000000: a 2G DDW"));
}

Test(enable_ddw, patched_capture_offer_is_dynamic_1g_of_64k)
{
	/* The patched QEMU of the capture: largest block 0x4000, pgsz 0x11000 (4K|64K). */
	const struct ddw_offer o = { .windows_available = 1, .largest_block = 0x4000,
				     .page_sizes = 0x11000 };
	struct ddw_choice c;

	/* page_shift 16; ddw_sz = order_base_2(0x4000 << 16 = 2^30) = 30 < len 31:
	 * "can't map partition max 0x80000000 with 16384 65536-sized pages",
	 * len = 30: a 1 GiB DMA64 window of 64K TCEs, mapped per I/O. */
	decide(&o, &guest2g, &c);
	cr_assert(eq(int, c.kind, DDW_DYNAMIC));
	cr_assert(eq(u32, c.page_shift, 16));
	cr_assert(eq(u32, c.window_shift, 30));
	cr_assert(eq(str, c.reason, "dynamic: can't map partition max 0x80000000 with 16384 65536-sized pages: a 1G DDW of 64K TCEs"));
}

Test(enable_ddw, largest_block_too_small_for_ram_with_16m_pages)
{
	const struct ddw_offer o = { .windows_available = 1, .largest_block = 64,
				     .page_sizes = QEMU_PGSZ };
	struct ddw_choice c;

	/* 64 TCEs of 16M = 2^6 << 24 = 2^30 < 2^31: dynamic, 1 GiB of 16M TCEs */
	decide(&o, &guest2g, &c);
	cr_assert(eq(int, c.kind, DDW_DYNAMIC));
	cr_assert(eq(u32, c.page_shift, 24));
	cr_assert(eq(u32, c.window_shift, 30));
}

Test(enable_ddw, dma_mask_of_32_bits_gets_no_ddw)
{
	struct ddw_guest g = guest2g;
	struct ddw_choice c;

	/* iommu_bypass_supported_pSeriesLP: dma_mask <= DMA_BIT_MASK(32) -> false */
	g.dma_mask = 0xffffffffull;
	decide(&qemu, &g, &c);
	cr_assert(eq(int, c.kind, DDW_NONE));
	cr_assert(not(c.default_removed));
	cr_assert(eq(str, c.reason, "no DDW: DMA mask 32 bits, a DDW needs more than 32 (iommu_bypass_supported_pSeriesLP): default window"));
}

Test(enable_ddw, dma_mask_below_64_bits_needs_limited_addressing)
{
	struct ddw_guest g = guest2g;
	struct ddw_offer o = qemu;
	struct ddw_choice c;

	/* limited_addr_req = mask != DMA_BIT_MASK(64); QEMU's ibm,ddw-extensions = {2, reset, 1}
	 * has no limited-addressing entry, so limited_dma_window fails: out_failed */
	g.dma_mask = (1ull << 48) - 1;
	decide(&o, &g, &c);
	cr_assert(eq(int, c.kind, DDW_NONE));
	cr_assert(eq(str, c.reason, "no DDW: DMA mask 48 bits needs limited addressing, which ibm,ddw-extensions does not offer (limited_dma_window): default window"));
	/* with it: ddw_sz = min(61, fls64(2^48 - 1) = 48) = 48 >= 31: direct 2 GiB */
	o.limited_addressing = true;
	decide(&o, &g, &c);
	cr_assert(eq(int, c.kind, DDW_DIRECT));
	cr_assert(eq(u32, c.ddw_sz, 48));
	cr_assert(eq(u32, c.window_shift, 31));
}

Test(enable_ddw, dma_mask_caps_the_window_below_ram)
{
	const struct ddw_guest g = { .dma_mask = (1ull << 40) - 1, .hotplug_max = 2048 * GiB };
	struct ddw_offer o = qemu;
	struct ddw_choice c;

	/* RAM 2 TiB: len = 41; ddw_sz = min(61, fls64(2^40 - 1) = 40) = 40 < 41: dynamic 2^40 */
	o.limited_addressing = true;
	decide(&o, &g, &c);
	cr_assert(eq(int, c.kind, DDW_DYNAMIC));
	cr_assert(eq(u32, c.max_ram_len, 41));
	cr_assert(eq(u32, c.window_shift, 40));
}

Test(enable_ddw, no_free_window_removes_the_default_window)
{
	struct ddw_offer o = qemu;
	struct ddw_choice c;

	/* windows_available 0: remove_dma_window(default), query again; then len 31 == max_ram_len
	 * and no pmem: direct_mapping = true although the default window was removed */
	o.windows_available = 0;
	decide(&o, &guest2g, &c);
	cr_assert(eq(int, c.kind, DDW_DIRECT));
	cr_assert(c.default_removed);
	cr_assert(eq(str, c.reason, "direct: largest block 0x2000000000 TCEs of 16M covers partition max 0x80000000: a 2G DDW; default window removed: no free window"));
}

Test(enable_ddw, create_failure_restores_the_default_window)
{
	struct ddw_offer o = qemu;
	struct ddw_choice c;

	o.windows_available = 0;
	decide(&o, &guest2g, &c);
	/* out_failed: if (default_win_removed) reset_dma_window() */
	enable_ddw_failed(&c, "ibm,create-pe-dma-window", -3);
	cr_assert(eq(int, c.kind, DDW_NONE));
	cr_assert(not(c.default_removed));
	cr_assert(eq(str, c.reason, "no DDW: ibm,create-pe-dma-window(page shift 24, window shift 31) returned -3; default window restored (reset_dma_window)"));
}

Test(enable_ddw, page_shift_is_the_largest_lopar_size_offered)
{
	struct ddw_offer o = qemu;
	struct ddw_choice c;

	/* 2M is bit 8 of the LoPAR mask, "out of order", but still compared by shift: 21 > 16 */
	o.page_sizes = PS(12) | PS(16) | PS(21);
	decide(&o, &guest2g, &c);
	cr_assert(eq(u32, c.page_shift, 21));
	/* PHB4's 1G is no LoPAR size: the query cannot carry it, so 2M stays the largest */
	o.page_sizes = PS(12) | PS(16) | PS(21) | PS(30);
	decide(&o, &guest2g, &c);
	cr_assert(eq(u32, c.page_shift, 21));
	/* none at all: "no supported page size in mask", out_failed */
	o.page_sizes = PS(30);
	decide(&o, &guest2g, &c);
	cr_assert(eq(int, c.kind, DDW_NONE));
}

Test(enable_ddw, pmem_direct_maps_max_physmem_bits_when_the_offer_reaches_it)
{
	struct ddw_guest g = guest2g;
	struct ddw_choice c;

	/* ibm,pmemory: ddw_sz 61 >= MAX_PHYSMEM_BITS 51, so len = 51; direct 2^51 */
	g.pmem = true;
	decide(&qemu, &g, &c);
	cr_assert(eq(int, c.kind, DDW_DIRECT));
	cr_assert(eq(u32, c.window_shift, 51));
}

Test(enable_ddw, pmem_with_default_removed_splits_the_ddw)
{
	struct ddw_guest g = guest2g;
	struct ddw_offer o = { .windows_available = 0, .largest_block = 1ull << 16,
			       .page_sizes = QEMU_PGSZ };
	struct ddw_choice c;

	/* ddw_sz = order_base_2(2^16 << 24) = 40 < 51: "Skipping ibm,pmemory", len = 31;
	 * 40 >= 31 but direct_mapping = !removed(0) || 31 == 51 || (!pmem(0) && ..) = false;
	 * hybrid: 2^40 >= SZ_2G + 2^31 -> direct RAM, dynamic vPMEM, len = ddw_sz = 40 */
	g.pmem = true;
	decide(&o, &g, &c);
	cr_assert(eq(int, c.kind, DDW_DIRECT));
	cr_assert(c.pmem_dynamic);
	cr_assert(eq(u32, c.window_shift, 40));
	/* 2^7 << 24 = 2^31: 2^31 < 2^31 + 2^31, no split: dynamic, len = 31 */
	o.largest_block = 1ull << 7;
	decide(&o, &g, &c);
	cr_assert(eq(int, c.kind, DDW_DYNAMIC));
	cr_assert(not(c.pmem_dynamic));
	cr_assert(eq(u32, c.window_shift, 31));
}

Test(enable_ddw, memory_hotplug_max_decides_coverage_not_ram)
{
	const struct ddw_guest g = { .dma_mask = MASK64, .hotplug_max = 16 * GiB };
	const struct ddw_offer o = { .windows_available = 1, .largest_block = 0x8000,
				     .page_sizes = QEMU_PGSZ };
	struct ddw_choice c;

	/* maxmem 16G: len = 34; 0x8000 TCEs of 16M = 2^15 << 24 = 2^39 >= 2^34: direct 16 GiB */
	decide(&o, &g, &c);
	cr_assert(eq(int, c.kind, DDW_DIRECT));
	cr_assert(eq(u32, c.window_shift, 34));
}

Test(enable_ddw, offer_past_2_64_bytes_wraps_as_the_kernel_shift_does)
{
	struct ddw_offer o = qemu;
	struct ddw_choice c;

	/* 16G TCEs: 2^37 << 34 wraps to 0 in u64; order_base_2(0) = 0 < 31: "dynamic" of 2^0,
	 * which ibm,create-pe-dma-window refuses (window_shift < page_shift) */
	o.page_sizes |= PS(34);
	decide(&o, &guest2g, &c);
	cr_assert(eq(u32, c.page_shift, 34));
	cr_assert(eq(int, c.kind, DDW_DYNAMIC));
	cr_assert(eq(u32, c.window_shift, 0));
}
