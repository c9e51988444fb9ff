/*
 * test_dma_api.c - the host DMA API per mapping model: hypercalls, kills, addresses.
 *
 * Expected counts come from the kernel text (reference/domain.md §4, §5.2,
 * §5.3, §2.9, §9), worked by hand in each test:
 *   tce_buildmulti_pSeriesLP  npages == 1 or no PUT_TCE_IND: one H_PUT_TCE per
 *                             page; else ceil(npages / 512) H_PUT_TCE_INDIRECT.
 *   tce_freemulti_pSeriesLP   ceil(npages / 512) H_STUFF_TCE; without
 *                             STUFF_TCE one H_PUT_TCE per page.
 *   ppc_iommu_map_sg          one alloc + one build per non-empty element, the
 *                             handle carried; unmap frees per merged segment
 *                             (contiguous, merged length <= max_seg_size).
 *   pnv_ioda2_tce_build/free  a kill after building and after clearing.
 * Where entries matter, the allocator rules of test_alloc.c give them: in
 * the 1 GiB / 4K default window the first small cpu-0 alloc is entry 1, the
 * large pool starts at 196608.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "ddwsim/cost.h"
#include "ddwsim/dma_api.h"

#define SZ_4K		0x1000ull
#define SZ_64K		0x10000ull
#define SZ_1M		(1ull << 20)
#define SZ_1G		(1ull << 30)
#define DDW_BASE	(1ull << 59)
#define PE_NUM		5

/* pseries guest on QEMU: HV tables, 4K/64K/16M TCEs, default 1 GiB of 4K at 0. */
static const struct window_platform pseries_plat = {
	.kind = TCE_TABLE_HV,
	.page_sizes = (1ull << 12) | (1ull << 16) | (1ull << 24),
	.max_windows = 2,
	.max_levels = 1,
	.host_page_shift = 16,
	.slot_start = { 0, DDW_BASE },
	.def_page_shift = 12,
	.def_size = SZ_1G,
	.def_levels = 1,
};

/* PowerNV host: PNV tables, default window of 64K TCEs (PAGE_SIZE), 2 levels. */
static const struct window_platform pnv_plat = {
	.kind = TCE_TABLE_PNV,
	.page_sizes = (1ull << 12) | (1ull << 16) | (1ull << 24) | (1ull << 28),
	.max_windows = 2,
	.max_levels = 5,
	.host_page_shift = 16,
	.max_bits = 55,
	.slot_start = { 0, DDW_BASE },
	.def_page_shift = 16,
	.def_size = SZ_1G,
	.def_levels = 2,
};

struct fx {
	struct pe pe;
	struct tce_cache *cache;
	struct phb phb;
	struct mode_stats st;
	struct dma_api d;
	bool bound;
};

static struct dma_api_cfg pseries_cfg(void)
{
	struct dma_api_cfg cfg = {
		.model = MAP_DYNAMIC,
		.kind = PLAT_PSERIES,
		.multi_tce = true,
		.kill_on_map = false,
		.kill_per_tce = true,
		.kill_opal = false,
		.kill_scope = KILL_PAGE,
		.host_page_shift = 16,
		.dma_mask = ~0ull,
		.seg_boundary = 0xffffffffull,
		.max_seg_size = 65536,
		.ram = 2 * SZ_1G,
		.bypass_base = DDW_BASE,
	};

	return cfg;
}

static struct dma_api_cfg pnv_cfg(void)
{
	struct dma_api_cfg cfg = pseries_cfg();

	cfg.kind = PLAT_POWERNV;
	cfg.multi_tce = false;
	cfg.kill_on_map = true;
	return cfg;
}

static void fx_init(struct fx *f, const struct window_platform *plat)
{
	struct tce_cache_cfg cc = { .entries = 64, .ways = 4, .policy = TCE_CACHE_LRU };

	memset(f, 0, sizeof(*f));
	cr_assert(eq(int, pe_init(&f->pe, plat, PE_NUM, 1), 0));
	cr_assert(eq(int, tce_cache_new(&f->cache, &cc), 0));
	f->phb = (struct phb){ .cache = f->cache, .mps = 256, .mrrs = 512 };
}

static int fx_bind(struct fx *f, const struct dma_api_cfg *cfg, uint64_t win_start)
{
	int rc = dma_api_init(&f->d, cfg, &f->pe, win_start, &f->phb, &f->st);

	f->bound = rc == 0;
	return rc;
}

static void fx_release(struct fx *f)
{
	if (f->bound)
		dma_api_release(&f->d);
	tce_cache_free(f->cache);
	pe_release(&f->pe);
}

/* Window-relative TCE index of a bus address in the bound window. */
static uint64_t idx_of(const struct fx *f, uint64_t dma)
{
	return (dma - f->d.win->start) >> tce_table_geom(f->d.win->tbl)->page_shift;
}

static uint64_t tce_at(const struct fx *f, uint64_t idx)
{
	return tce_table_get(f->d.win->tbl, idx);
}

/* ---- pseries hypercall counts ---- */

struct hc_case {
	uint64_t pages;		/* 4K TCEs mapped */
	bool multi;		/* FW_FEATURE_PUT_TCE_IND + STUFF_TCE */
	uint64_t put;		/* H_PUT_TCE for the map */
	uint64_t indirect;	/* H_PUT_TCE_INDIRECT for the map */
	uint64_t unmap_put;	/* H_PUT_TCE(0) for the unmap */
	uint64_t unmap_stuff;	/* H_STUFF_TCE for the unmap */
};

/*
 * multi:  1 -> 1 PUT (npages == 1 path); 2 -> ceil(2/512) = 1 INDIRECT;
 *         512 -> 1; 513 -> 2; 1500 -> ceil(1500/512) = 3 (1024 < 1500 <= 1536).
 *         Unmap: ceil(n/512) STUFF: 1, 1, 1, 2, 3.
 * single: n PUT for the map and n PUT(0) for the unmap.
 */
static struct hc_case hc_cases[] = {
	{ 1, true, 1, 0, 0, 1 },
	{ 2, true, 0, 1, 0, 1 },
	{ 512, true, 0, 1, 0, 1 },
	{ 513, true, 0, 2, 0, 2 },
	{ 1500, true, 0, 3, 0, 3 },
	{ 1, false, 1, 0, 1, 0 },
	{ 2, false, 2, 0, 2, 0 },
	{ 513, false, 513, 0, 513, 0 },
	{ 1500, false, 1500, 0, 1500, 0 },
};

ParameterizedTestParameters(dma_api, pseries_map_and_unmap_hypercall_counts)
{
	return cr_make_param_array(struct hc_case, hc_cases,
				   sizeof(hc_cases) / sizeof(hc_cases[0]));
}

ParameterizedTest(struct hc_case *c, dma_api, pseries_map_and_unmap_hypercall_counts)
{
	/* phys 0x10001000 is 4K- but not 64K-aligned: iommu_map_page's
	 * alignment does not apply. It would only move the entry anyway; the
	 * counts depend on npages alone, and npages = n because phys is on a
	 * 4K boundary and len = n * 4K. */
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg seg;
	struct fx f;

	cfg.multi_tce = c->multi;
	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x10001000, c->pages * SZ_4K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, f.st.map_calls, 1));
	cr_expect(eq(u64, f.st.map_tces, c->pages));
	cr_expect(eq(u64, f.st.h_put_tce, c->put), "%lu pages", (unsigned long)c->pages);
	cr_expect(eq(u64, f.st.h_put_tce_indirect, c->indirect));
	cr_expect(eq(u64, f.st.h_stuff_tce, 0));

	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.unmap_calls, 1));
	cr_expect(eq(u64, f.st.unmap_tces, c->pages));
	cr_expect(eq(u64, f.st.h_put_tce, c->put + c->unmap_put));
	cr_expect(eq(u64, f.st.h_put_tce_indirect, c->indirect));
	cr_expect(eq(u64, f.st.h_stuff_tce, c->unmap_stuff));
	cr_expect(eq(u64, f.d.alloc.st.live, 0));
	fx_release(&f);
}

Test(dma_api, map_straddling_a_page_needs_two_tces_and_keeps_the_offset)
{
	/*
	 * phys 0x10000 + 4090 = 0x10ffa, 100 bytes: iommu_num_pages =
	 * ceil((0xffa + 100) / 4096) = ceil(4190 / 4096) = 2. First cpu-0 alloc
	 * is entry 1 -> dma = 0x1000 | 0xffa = 0x1ffa. TO_DEVICE -> R only:
	 * TCEs 0x10000 | 1 and 0x11000 | 1. Two pages -> 1 INDIRECT.
	 */
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg seg;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x10ffa, 100, DMA_DIR_TO_DEVICE, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x1ffa));
	cr_expect(eq(u64, seg.dma & 0xfff, 0x10ffa & 0xfff));
	cr_expect(eq(u64, seg.len, 100));
	cr_expect(eq(u64, f.st.map_tces, 2));
	cr_expect(eq(u64, f.st.h_put_tce_indirect, 1));
	cr_expect(eq(u64, f.st.h_put_tce, 0));
	cr_expect(eq(u64, tce_at(&f, 1), 0x10001));
	cr_expect(eq(u64, tce_at(&f, 2), 0x11001));
	cr_expect(eq(u64, tce_at(&f, 3), 0));

	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.unmap_tces, 2));
	cr_expect(eq(u64, f.st.h_stuff_tce, 1));
	cr_expect(eq(u64, tce_at(&f, 1), 0));
	cr_expect(eq(u64, tce_at(&f, 2), 0));
	fx_release(&f);
}

Test(dma_api, bidirectional_map_writes_read_write_tces)
{
	/* One page at phys 0x345000, entry 1: TCE 0x345000 | R | W = 0x345003. */
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg seg;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x345000, SZ_4K, DMA_DIR_FROM_DEVICE, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x1000));
	cr_expect(eq(u64, tce_at(&f, 1), 0x345003));
	fx_release(&f);
}

Test(dma_api, map_of_a_whole_kernel_page_is_aligned_to_it)
{
	/*
	 * iommu_map_page: 4K TCEs < 64K PAGE_SIZE, len >= 64K and phys
	 * 64K-aligned -> align_order = 16 - 12 = 4.
	 * 1. 17 pages at phys 0x10001000 (not 64K-aligned, no alignment): large
	 *    pool at 196608, end 196625 = hint.
	 * 2. 64 KiB at phys 0x200000 (aligned): 16 pages from hint 196625
	 *    aligned to 16 -> 196640 -> dma 196640 << 12 = 0x30020000
	 *    (unaligned it would be 196625 -> 0x30011000).
	 * 3. 32 KiB at phys 0x400000 (aligned, but len < 64K: no alignment):
	 *    8 pages, small, cpu 0 -> entry 1 -> dma 0x1000.
	 */
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg seg;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x10001000, 17 * SZ_4K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, seg.dma, 196608ull << 12));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x200000, SZ_64K, DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x30020000));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x400000, 8 * SZ_4K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x1000));
	fx_release(&f);
}

/* ---- map_sg ---- */

Test(dma_api, map_sg_carries_the_handle_and_unmap_merges_segments)
{
	/*
	 * 3 elements of 4 KiB at non-contiguous phys. Element 0: entry 1
	 * (handle -> 2, hint 16); element 1 continues at the handle: 2;
	 * element 2: 3. dma 0x1000, 0x2000, 0x3000 (without the handle the
	 * hint would give 1, 16, 32). Each element is 1 page -> 3 H_PUT_TCE.
	 * Unmap: 0x1000 + 4K = 0x2000, + 4K = 0x3000: one segment of 12 KiB
	 * <= 64 KiB -> one clear of 3 TCEs -> 1 H_STUFF_TCE.
	 */
	static const struct dma_seg in[] = {
		{ 0x100000, SZ_4K }, { 0x300000, SZ_4K }, { 0x200000, SZ_4K },
	};
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg out[3];
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map_sg(&f.d, 0, in, 3, DMA_DIR_BIDIRECTIONAL, DMA_NO_BUS, out), 0));
	cr_expect(eq(u64, out[0].dma, 0x1000));
	cr_expect(eq(u64, out[1].dma, 0x2000));
	cr_expect(eq(u64, out[2].dma, 0x3000));
	cr_expect(eq(u64, tce_at(&f, 1), 0x100003));
	cr_expect(eq(u64, tce_at(&f, 2), 0x300003));
	cr_expect(eq(u64, tce_at(&f, 3), 0x200003));
	cr_expect(eq(u64, f.st.map_calls, 1));
	cr_expect(eq(u64, f.st.h_put_tce, 3));
	cr_expect(eq(u64, f.st.h_put_tce_indirect, 0));

	dma_api_unmap(&f.d, out, 3);
	cr_expect(eq(u64, f.st.h_stuff_tce, 1));
	cr_expect(eq(u64, f.st.unmap_tces, 3));
	cr_expect(eq(u64, f.d.alloc.st.frees, 1), "one merged segment freed");
	cr_expect(eq(u64, f.d.alloc.st.live, 0));
	fx_release(&f);
}

Test(dma_api, unmap_sg_splits_merged_segments_at_max_seg_size)
{
	/*
	 * 20 elements of 4 KiB -> entries 1 .. 20, contiguous, 20 H_PUT_TCE.
	 * Merging stops when the next element would pass 64 KiB: 16 x 4 KiB =
	 * 64 KiB, the 17th starts a new segment of 4 elements. Unmap: 2 segments
	 * (16 + 4 TCEs) -> 2 H_STUFF_TCE, 20 TCEs cleared.
	 */
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg in[20], out[20];
	struct fx f;

	for (unsigned i = 0; i < 20; i++)
		in[i] = (struct dma_seg){ .dma = 0x1000000 + i * 0x20000ull, .len = SZ_4K };
	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map_sg(&f.d, 0, in, 20, DMA_DIR_BIDIRECTIONAL, DMA_NO_BUS, out), 0));
	for (unsigned i = 0; i < 20; i++)
		cr_expect(eq(u64, out[i].dma, (i + 1) * SZ_4K), "element %u", i);
	cr_expect(eq(u64, f.st.h_put_tce, 20));

	dma_api_unmap(&f.d, out, 20);
	cr_expect(eq(u64, f.st.h_stuff_tce, 2));
	cr_expect(eq(u64, f.st.unmap_tces, 20));
	cr_expect(eq(u64, f.d.alloc.st.frees, 2));
	cr_expect(eq(u64, f.d.alloc.st.live, 0));
	fx_release(&f);
}

Test(dma_api, unmap_sg_merges_up_to_exactly_max_seg_size)
{
	/*
	 * 32 elements of 4 KiB -> entries 1 .. 32, contiguous. The merge test is
	 * "merged + next > max_seg_size" (ppc_iommu_map_sg), so 16 x 4 KiB =
	 * 65536 is still one segment: 16 + 16 -> 2 H_STUFF_TCE (a strict "<"
	 * would give 15 + 15 + 2 -> 3).
	 */
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg in[32], out[32];
	struct fx f;

	for (unsigned i = 0; i < 32; i++)
		in[i] = (struct dma_seg){ .dma = 0x2000000 + i * 0x20000ull, .len = SZ_4K };
	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map_sg(&f.d, 0, in, 32, DMA_DIR_BIDIRECTIONAL, DMA_NO_BUS, out), 0));
	cr_expect(eq(u64, out[31].dma, 32 * SZ_4K));
	dma_api_unmap(&f.d, out, 32);
	cr_expect(eq(u64, f.st.h_stuff_tce, 2));
	cr_expect(eq(u64, f.d.alloc.st.frees, 2));
	cr_expect(eq(u64, f.st.unmap_tces, 32));
	fx_release(&f);
}

Test(dma_api, zero_length_sg_element_breaks_the_merge)
{
	/*
	 * ppc_iommu_map_sg: a zero-length element is skipped and sets
	 * dma_next = 0, so the next element starts a new segment even though
	 * it is contiguous. Elements: 4K -> entry 1, empty, 4K -> entry 2
	 * (handle carried). Unmap: 2 segments -> 2 H_STUFF_TCE.
	 */
	static const struct dma_seg in[] = {
		{ 0x100000, SZ_4K }, { 0x500000, 0 }, { 0x300000, SZ_4K },
	};
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg out[3];
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map_sg(&f.d, 0, in, 3, DMA_DIR_BIDIRECTIONAL, DMA_NO_BUS, out), 0));
	cr_expect(eq(u64, out[0].dma, 0x1000));
	cr_expect(eq(u64, out[2].dma, 0x2000));
	cr_expect(eq(u64, f.st.h_put_tce, 2));
	cr_expect(eq(u64, f.st.map_tces, 2));
	dma_api_unmap(&f.d, out, 3);
	cr_expect(eq(u64, f.st.h_stuff_tce, 2));
	cr_expect(eq(u64, f.st.unmap_tces, 2));
	cr_expect(eq(u64, f.d.alloc.st.live, 0));
	fx_release(&f);
}

/* ---- direct-mapped DDW and bypass ---- */

Test(dma_api, direct_ddw_maps_ram_once_then_maps_cost_nothing)
{
	/*
	 * 2 GiB DDW of 16M TCEs at 1 << 59: 2^31 / 2^24 = 128 TCEs, one
	 * H_PUT_TCE_INDIRECT (ceil(128 / 512) = 1). The identity map puts
	 * entry 5 at real 5 << 24 with R|W: 0x5000003. A map is then
	 * dma = (1 << 59) + phys with no hypercall and no TCE written.
	 */
	struct dma_api_cfg cfg = pseries_cfg();
	uint64_t start = 0;
	struct dma_seg seg;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, window_create(&f.pe, 24, 2 * SZ_1G, 1, &start), 0));
	cr_assert(eq(u64, start, DDW_BASE));
	cfg.model = MAP_DIRECT;
	cr_assert(eq(int, fx_bind(&f, &cfg, DDW_BASE), 0));
	cr_expect(eq(u64, f.st.setup_hcalls, 1));
	cr_expect(eq(u64, f.st.setup_tces, 128));
	cr_expect(eq(u64, tce_at(&f, 5), 0x5000003));
	cr_expect(eq(u64, tce_at(&f, 127), (127ull << 24) | 3));

	cr_assert(eq(int, dma_api_map(&f.d, 3, 0x12345678, 2 * SZ_4K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x0800000012345678ull));
	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.h_put_tce, 0));
	cr_expect(eq(u64, f.st.h_put_tce_indirect, 0));
	cr_expect(eq(u64, f.st.h_stuff_tce, 0));
	cr_expect(eq(u64, f.st.map_tces, 0));
	cr_expect(eq(u64, f.st.unmap_tces, 0));
	cr_expect(eq(u64, f.st.map_calls, 1));
	fx_release(&f);
}

Test(dma_api, direct_ddw_of_100gib_ram_with_64k_tces_takes_3200_hcalls)
{
	/* 128 GiB window of 64K TCEs = 2^37 / 2^16 = 2^21 entries. RAM 100 GiB
	 * = 100 * 2^30 / 2^16 = 1638400 TCEs; 1638400 / 512 = 3200 exactly. */
	struct dma_api_cfg cfg = pseries_cfg();
	uint64_t start = 0;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, window_create(&f.pe, 16, 128 * SZ_1G, 1, &start), 0));
	cfg.model = MAP_DIRECT;
	cfg.ram = 100 * SZ_1G;
	cr_assert(eq(int, fx_bind(&f, &cfg, start), 0));
	cr_expect(eq(u64, f.st.setup_tces, 1638400));
	cr_expect(eq(u64, f.st.setup_hcalls, 3200));
	fx_release(&f);
}

Test(dma_api, direct_setup_without_multi_tce_is_one_put_per_tce)
{
	/* tce_setrange_multi_pSeriesLP without PUT_TCE_IND: one H_PUT_TCE per
	 * TCE -> 128 for 2 GiB of 16M TCEs. */
	struct dma_api_cfg cfg = pseries_cfg();
	uint64_t start = 0;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, window_create(&f.pe, 24, 2 * SZ_1G, 1, &start), 0));
	cfg.model = MAP_DIRECT;
	cfg.multi_tce = false;
	cr_assert(eq(int, fx_bind(&f, &cfg, start), 0));
	cr_expect(eq(u64, f.st.setup_hcalls, 128));
	cr_expect(eq(u64, f.st.setup_tces, 128));
	fx_release(&f);
}

Test(dma_api, direct_window_smaller_than_ram_is_rejected)
{
	/* 4 GiB of RAM in a 2 GiB window: 256 TCEs of 16M > 128 entries. */
	struct dma_api_cfg cfg = pseries_cfg();
	uint64_t start = 0;
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_assert(eq(int, window_create(&f.pe, 24, 2 * SZ_1G, 1, &start), 0));
	cfg.model = MAP_DIRECT;
	cfg.ram = 4 * SZ_1G;
	cr_expect(eq(int, fx_bind(&f, &cfg, start), -EINVAL));
	fx_release(&f);
}

Test(dma_api, init_without_a_window_at_the_start_is_rejected)
{
	/* Only the default window (bus 0) exists: nothing at 1 << 59. */
	struct dma_api_cfg cfg = pseries_cfg();
	struct fx f;

	fx_init(&f, &pseries_plat);
	cr_expect(eq(int, fx_bind(&f, &cfg, DDW_BASE), -EINVAL));
	cfg.model = MAP_DIRECT;
	cr_expect(eq(int, fx_bind(&f, &cfg, DDW_BASE), -EINVAL));
	fx_release(&f);
}

Test(dma_api, bypass_adds_the_base_and_makes_no_hcalls)
{
	static const struct dma_seg in[] = { { 0xabc000, SZ_4K }, { 0x7000, 100 } };
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg seg, out[2];
	struct fx f;

	fx_init(&f, &pseries_plat);
	cfg.model = MAP_BYPASS;
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0xabc000, 3 * SZ_4K, DMA_DIR_TO_DEVICE, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x0800000000abc000ull));
	cr_assert(eq(int, dma_api_map_sg(&f.d, 0, in, 2, DMA_DIR_TO_DEVICE, DMA_NO_BUS, out), 0));
	cr_expect(eq(u64, out[0].dma, 0x0800000000abc000ull));
	cr_expect(eq(u64, out[1].dma, 0x0800000000007000ull));
	dma_api_unmap(&f.d, &seg, 1);
	dma_api_unmap(&f.d, out, 2);
	cr_expect(eq(u64, f.st.h_put_tce + f.st.h_put_tce_indirect + f.st.h_stuff_tce, 0));
	cr_expect(eq(u64, f.st.map_tces + f.st.unmap_tces, 0));
	cr_expect(eq(u64, f.st.kill_page + f.st.kill_pe + f.st.kill_all, 0));
	cr_expect(eq(u64, f.st.map_calls, 2));
	fx_release(&f);
}

/*
 * Bypass at a base near 2^64: a buffer whose bus range would end past
 * 2^64 - 1 cannot be mapped (dma_capable() refuses an end that wraps): the
 * map fails with -ERANGE and is counted, as an allocator failure is. Base
 * 2^64 - 1G: [base + 1G - 4K, base + 1G) ends at exactly 2^64 and fails;
 * the 4K before it ends at 2^64 - 4K and maps.
 */
Test(dma_api, bypass_range_past_2_64_fails_the_map)
{
	static const struct dma_seg in[] = { { 0x1000, SZ_4K }, { SZ_1G - SZ_4K, SZ_4K } };
	struct dma_api_cfg cfg = pseries_cfg();
	struct dma_seg seg, out[2];
	struct fx f;

	fx_init(&f, &pseries_plat);
	cfg.model = MAP_BYPASS;
	cfg.bypass_base = 0ull - SZ_1G;
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	cr_expect(eq(int, dma_api_map(&f.d, 0, SZ_1G - 2 * SZ_4K, SZ_4K, DMA_DIR_TO_DEVICE, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0xffffffffffffe000ull));
	cr_expect(eq(int, dma_api_map(&f.d, 0, SZ_1G - SZ_4K, SZ_4K, DMA_DIR_TO_DEVICE, &seg), -ERANGE));
	cr_expect(eq(int, dma_api_map(&f.d, 0, SZ_1G, 1, DMA_DIR_TO_DEVICE, &seg), -ERANGE),
		  "base + phys itself wraps");
	cr_expect(eq(int, dma_api_map_sg(&f.d, 0, in, 2, DMA_DIR_TO_DEVICE, DMA_NO_BUS, out), -ERANGE));
	cr_expect(eq(u64, f.st.map_calls, 4));
	cr_expect(eq(u64, f.st.map_failures, 3));
	fx_release(&f);
}

/*
 * iommu_num_pages rounds up without forming size + page - 1: a range of
 * 2^64 - 1 bytes from 0 is 2^52 4K pages, where the kernel's
 * (size + 4095) >> 12 would wrap to 0 pages.
 */
Test(dma_api, iommu_num_pages_near_2_64_does_not_wrap)
{
	cr_expect(eq(u64, iommu_num_pages(0, UINT64_MAX, 12), 1ull << 52));
	cr_expect(eq(u64, iommu_num_pages(0xfff, UINT64_MAX - 0xfff, 12), 1ull << 52));
	cr_expect(eq(u64, iommu_num_pages(0x1000, UINT64_MAX - 0x1000, 12), (1ull << 52) - 1));
	cr_expect(eq(u64, iommu_num_pages(0xfff, 2, 12), 2), "crosses one boundary");
	cr_expect(eq(u64, iommu_num_pages(0x1000, 0x1000, 12), 1));
}

/* ---- PowerNV kills ---- */

Test(dma_api, phb3_kills_each_page_on_map_and_unmap)
{
	/*
	 * PowerNV default window: 64K TCEs, 1 GiB at bus 0 (16384 entries,
	 * entry 0 reserved). 3 x 64K at phys 0x1000000 -> entries 1, 2, 3,
	 * dma 0x10000, TCEs 0x1000003, 0x1010003, 0x1020003.
	 * PHB3 (pnv_pci_phb3_tce_invalidate: one MMIO store per page, no OPAL):
	 * map kills 3 pages, unmap 3 more -> kill_page 6, opal 0.
	 * Cached entries of PE 5 at idx 1..3 go on the map's kill; idx 50 of
	 * PE 5 and idx 2 of PE 6 stay.
	 */
	struct dma_api_cfg cfg = pnv_cfg();
	const struct tce_cache_stats *cs;
	struct dma_seg seg;
	uint64_t tce;
	struct fx f;

	fx_init(&f, &pnv_plat);
	cs = tce_cache_stats(f.cache);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	for (uint64_t i = 1; i <= 3; i++)
		tce_cache_fill(f.cache, PE_NUM, 0, i, 0xdead003);
	tce_cache_fill(f.cache, PE_NUM, 0, 50, 0x50003);
	tce_cache_fill(f.cache, PE_NUM + 1, 0, 2, 0x60003);

	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x1000000, 3 * SZ_64K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, seg.dma, 0x10000));
	cr_expect(eq(u64, idx_of(&f, seg.dma), 1));
	cr_expect(eq(u64, tce_at(&f, 1), 0x1000003));
	cr_expect(eq(u64, tce_at(&f, 2), 0x1010003));
	cr_expect(eq(u64, tce_at(&f, 3), 0x1020003));
	cr_expect(eq(u64, f.st.kill_page, 3));
	cr_expect(eq(u64, cs->invalidations, 3));
	for (uint64_t i = 1; i <= 3; i++)
		cr_expect(not(tce_cache_lookup(f.cache, PE_NUM, 0, i, &tce)), "idx %lu", (unsigned long)i);
	cr_expect(tce_cache_lookup(f.cache, PE_NUM, 0, 50, &tce));
	cr_expect(tce_cache_lookup(f.cache, PE_NUM + 1, 0, 2, &tce));

	/* The device reads idx 2 again (cached), then the unmap kills it. */
	tce_cache_fill(f.cache, PE_NUM, 0, 2, 0x1010003);
	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.kill_page, 6));
	cr_expect(eq(u64, cs->invalidations, 4));
	cr_expect(not(tce_cache_lookup(f.cache, PE_NUM, 0, 2, &tce)));
	cr_expect(eq(u64, f.st.kill_pe, 0));
	cr_expect(eq(u64, f.st.opal_kill_calls, 0));
	cr_expect(eq(u64, f.st.h_put_tce + f.st.h_put_tce_indirect + f.st.h_stuff_tce, 0),
		  "PowerNV makes no hypercalls");
	fx_release(&f);
}

Test(dma_api, phb4_escalates_each_kill_to_the_pe_through_opal)
{
	/*
	 * PHB4/5 (opal_pci_tce_kill of the range, escalated to the PE by
	 * skiboot HW560152): one OPAL call per build and per clear, each a
	 * PE kill -> map + unmap = kill_pe 2, opal 2, kill_page 0.
	 * The map's kill drops PE 5's entries in both windows (2 of them)
	 * and keeps PE 6's.
	 */
	struct dma_api_cfg cfg = pnv_cfg();
	const struct tce_cache_stats *cs;
	struct dma_seg seg;
	uint64_t tce;
	struct fx f;

	cfg.kill_per_tce = false;
	cfg.kill_opal = true;
	cfg.kill_scope = KILL_PE;
	fx_init(&f, &pnv_plat);
	cs = tce_cache_stats(f.cache);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	tce_cache_fill(f.cache, PE_NUM, 0, 100, 0x64003);
	tce_cache_fill(f.cache, PE_NUM, 1, 7, 0x70003);
	tce_cache_fill(f.cache, PE_NUM + 1, 0, 100, 0x80003);

	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x1000000, 3 * SZ_64K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, f.st.kill_pe, 1));
	cr_expect(eq(u64, f.st.opal_kill_calls, 1));
	cr_expect(eq(u64, cs->invalidations, 2));
	cr_expect(not(tce_cache_lookup(f.cache, PE_NUM, 0, 100, &tce)));
	cr_expect(not(tce_cache_lookup(f.cache, PE_NUM, 1, 7, &tce)));
	cr_expect(tce_cache_lookup(f.cache, PE_NUM + 1, 0, 100, &tce));
	cr_expect(eq(u64, tce, 0x80003));

	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.kill_pe, 2));
	cr_expect(eq(u64, f.st.opal_kill_calls, 2));
	cr_expect(eq(u64, f.st.kill_page, 0));
	fx_release(&f);
}

Test(dma_api, page_kill_of_a_range_in_one_opal_call_still_kills_each_page)
{
	/*
	 * PHB4 before skiboot v7.0 (no HW560152 escalation): one
	 * opal_pci_tce_kill(PAGES) per build/clear (kill_per_tce false), and
	 * phb4_tce_kill writes PHB_TCE_KILL once per page. A 3-page map + unmap:
	 * opal 2 calls, kill_page 3 + 3 = 6, no PE kill; PE 5's other entries stay.
	 */
	struct dma_api_cfg cfg = pnv_cfg();
	struct dma_seg seg;
	uint64_t tce;
	struct fx f;

	cfg.kill_per_tce = false;
	cfg.kill_opal = true;
	cfg.kill_scope = KILL_PAGE;
	fx_init(&f, &pnv_plat);
	cr_assert(eq(int, fx_bind(&f, &cfg, 0), 0));
	tce_cache_fill(f.cache, PE_NUM, 0, 2, 0xdead003);
	tce_cache_fill(f.cache, PE_NUM, 0, 100, 0x64003);
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x1000000, 3 * SZ_64K,
				      DMA_DIR_BIDIRECTIONAL, &seg), 0));
	cr_expect(eq(u64, f.st.opal_kill_calls, 1));
	cr_expect(eq(u64, f.st.kill_page, 3));
	cr_expect(not(tce_cache_lookup(f.cache, PE_NUM, 0, 2, &tce)));
	cr_expect(tce_cache_lookup(f.cache, PE_NUM, 0, 100, &tce));
	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.opal_kill_calls, 2));
	cr_expect(eq(u64, f.st.kill_page, 6));
	cr_expect(eq(u64, f.st.kill_pe, 0));
	fx_release(&f);
}

/* ---- exhaustion ---- */

/*
 * A 1 MiB DDW of 4K TCEs at 1 << 59: 256 entries, it_offset 2^47 (not 0,
 * so entry 0 is usable). 1 MiB < 1 GiB -> 1 pool: poolsize 256 * 3 / 4 =
 * 192, pool [0, 192), large [192, 256). Single pages fit in 0 .. 190 (191)
 * and 192 .. 254 (63): 254 maps; entries 191 and 255 are never used.
 */
static void fx_tiny_ddw(struct fx *f)
{
	struct dma_api_cfg cfg = pseries_cfg();
	uint64_t start = 0;

	fx_init(f, &pseries_plat);
	cr_assert(eq(int, window_create(&f->pe, 12, SZ_1M, 1, &start), 0));
	cr_assert(eq(u64, start, DDW_BASE));
	cr_assert(eq(int, fx_bind(f, &cfg, DDW_BASE), 0));
}

Test(dma_api, exhausted_window_returns_enospc_and_recovers)
{
	static struct dma_seg seg[254];
	struct dma_seg extra;
	struct fx f;

	fx_tiny_ddw(&f);
	for (unsigned i = 0; i < 254; i++) {
		cr_assert(eq(int, dma_api_map(&f.d, 0, 0x100000 + i * SZ_4K, SZ_4K,
					      DMA_DIR_BIDIRECTIONAL, &seg[i]), 0), "map %u", i);
		cr_assert(ge(u64, seg[i].dma, DDW_BASE));
		cr_assert(lt(u64, seg[i].dma, DDW_BASE + SZ_1M));
		cr_assert(not(eq(u64, seg[i].dma, DDW_BASE + 191 * SZ_4K)));
		cr_assert(not(eq(u64, seg[i].dma, DDW_BASE + 255 * SZ_4K)));
	}
	cr_expect(eq(u64, seg[0].dma, DDW_BASE), "entry 0 is usable at it_offset != 0");
	cr_expect(eq(int, dma_api_map(&f.d, 0, 0x900000, SZ_4K, DMA_DIR_BIDIRECTIONAL, &extra),
		     -ENOSPC));
	cr_expect(eq(u64, f.st.map_failures, 1));
	cr_expect(eq(u64, f.st.map_calls, 255));
	cr_expect(eq(u64, f.d.alloc.st.live, 254), "a failed map keeps nothing");

	/* The workload goes on: free one (in pool 0), the next map reuses it. */
	dma_api_unmap(&f.d, &seg[10], 1);
	cr_expect(eq(int, dma_api_map(&f.d, 0, 0x900000, SZ_4K, DMA_DIR_BIDIRECTIONAL, &extra), 0));
	cr_expect(eq(u64, extra.dma, seg[10].dma));
	cr_expect(eq(u64, f.st.map_failures, 1));
	fx_release(&f);
}

Test(dma_api, failed_map_sg_undoes_the_elements_it_mapped)
{
	/*
	 * 250 single pages fill pool 0 (191) and large 192 .. 250 (59), leaving
	 * 251 .. 254 usable. A 5-element map_sg maps 4 and fails on the 5th:
	 * -ENOSPC, the 4 are freed again (live 250). A 4-element one then fits.
	 */
	static struct dma_seg seg[250];
	struct dma_seg in[5], out[5];
	struct fx f;

	fx_tiny_ddw(&f);
	for (unsigned i = 0; i < 250; i++)
		cr_assert(eq(int, dma_api_map(&f.d, 0, 0x100000 + i * SZ_4K, SZ_4K,
					      DMA_DIR_BIDIRECTIONAL, &seg[i]), 0));
	for (unsigned i = 0; i < 5; i++)
		in[i] = (struct dma_seg){ .dma = 0x4000000 + i * SZ_64K, .len = SZ_4K };
	cr_expect(eq(int, dma_api_map_sg(&f.d, 1, in, 5, DMA_DIR_BIDIRECTIONAL, DMA_NO_BUS, out), -ENOSPC));
	cr_expect(eq(u64, f.d.alloc.st.live, 250));
	cr_expect(eq(u64, f.st.map_failures, 1));
	cr_expect(eq(int, dma_api_map_sg(&f.d, 1, in, 4, DMA_DIR_BIDIRECTIONAL, DMA_NO_BUS, out), 0));
	for (unsigned i = 0; i < 4; i++)
		cr_expect(eq(u64, out[i].dma, DDW_BASE + (251 + i) * SZ_4K), "element %u", i);
	cr_expect(eq(u64, f.d.alloc.st.live, 254));
	fx_release(&f);
}

Test(dma_api, count_helpers_follow_the_pseries_kernel_loops)
{
	/* dma_api_count_build/clear on their own, boundary values 511/512/513/1024/1025. */
	static const struct { uint64_t n, ind, stuff; } c[] = {
		{ 511, 1, 1 }, { 512, 1, 1 }, { 513, 2, 2 }, { 1024, 2, 2 }, { 1025, 3, 3 },
	};
	struct dma_api_cfg cfg = pseries_cfg();

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct mode_stats st;

		memset(&st, 0, sizeof(st));
		dma_api_count_build(&cfg, c[i].n, &st);
		dma_api_count_clear(&cfg, c[i].n, &st);
		cr_expect(eq(u64, st.h_put_tce_indirect, c[i].ind), "n %lu", (unsigned long)c[i].n);
		cr_expect(eq(u64, st.h_stuff_tce, c[i].stuff), "n %lu", (unsigned long)c[i].n);
		cr_expect(eq(u64, st.h_put_tce, 0));
	}
}

/*
 * ---- KVM + VFIO: host TCEs behind the guest's, set-up kills ----
 *
 * kvmppc_tce_iommu_map / _unmap (book3s_64_vio.c): per guest TCE,
 * subpages = 1 << (guest shift - host shift) host TCEs from io_entry =
 * entry * subpages, then one iommu_tce_kill(tbl, io_entry, subpages).
 * Linux 5.4-5.17 killed once per hcall instead (iommu_tce_kill(tbl, entry,
 * npages) at invalidate_exit). QEMU backs 16M guest TCEs over 64K-page RAM
 * with 64K host TCEs (vfio_spapr_create_window): subpages = 256.
 */
#define PHB4_HOST	{ .page_sizes = (1ull << 12) | (1ull << 16) | (1ull << 21) | (1ull << 30), \
			  .ram_shift = 16, .page_shift = 16 }

static struct dma_api_cfg kvm_cfg(void)
{
	struct dma_api_cfg cfg = pseries_cfg();

	cfg.kill_on_map = true;
	cfg.kill_opal = true;
	return cfg;
}

Test(dma_api, kvm_kills_the_256_host_tces_behind_a_16m_guest_tce)
{
	/*
	 * One 4K buffer in a 2 GiB DDW of 16M TCEs: 1 guest TCE at entry e, one
	 * H_PUT_TCE. Page-scope kills name host entries e * 256 .. e * 256 + 255:
	 * kills.page += 256 on map and on unmap; one OPAL call each (one
	 * iommu_tce_kill per guest TCE). A cached host entry e * 256 + 7 is
	 * killed; host entry (e + 1) * 256, another guest TCE's, stays.
	 */
	struct dma_api_cfg cfg = kvm_cfg();
	uint64_t start = 0, e, tce;
	struct dma_seg seg;
	struct fx f;

	fx_init(&f, &pseries_plat);
	f.phb.host = (struct phb_host)PHB4_HOST;
	f.phb.st = &f.st;
	cr_assert(eq(int, window_create(&f.pe, 24, 2 * SZ_1G, 1, &start), 0));
	cr_assert(eq(int, fx_bind(&f, &cfg, start), 0));
	cr_assert(eq(int, dma_api_map(&f.d, 0, 0x5000000, SZ_4K, DMA_DIR_FROM_DEVICE, &seg), 0));
	e = idx_of(&f, seg.dma);
	cr_expect(eq(u64, f.st.h_put_tce, 1));
	cr_expect(eq(u64, f.st.kill_page, 256));
	cr_expect(eq(u64, f.st.opal_kill_calls, 1));
	tce_cache_fill(f.cache, PE_NUM, 1, e * 256 + 7, 0x5070003);
	tce_cache_fill(f.cache, PE_NUM, 1, (e + 1) * 256, 0x6000003);
	dma_api_unmap(&f.d, &seg, 1);
	cr_expect(eq(u64, f.st.kill_page, 512));
	cr_expect(eq(u64, f.st.opal_kill_calls, 2));
	cr_expect(not(tce_cache_lookup(f.cache, PE_NUM, 1, e * 256 + 7, &tce)));
	cr_expect(tce_cache_lookup(f.cache, PE_NUM, 1, (e + 1) * 256, &tce));
	fx_release(&f);
}

struct setup_case {
	unsigned shift;		/* guest DDW TCE shift */
	bool per_tce;		/* platform.kill.per_tce */
	bool on_map;		/* KVM + VFIO: guest TCE updates kill */
	uint64_t tces, hcalls, kills;
};

/*
 * 100 GiB guest, 128 GiB DDW:
 *   16M: 100 * 2^30 / 2^24 = 6400 TCEs, ceil(6400 / 512) = 13 H_PUT_TCE_INDIRECT
 *        (12 * 512 = 6144 < 6400); kills 6400 per guest TCE, 13 per hcall.
 *   64K: 100 * 2^30 / 2^16 = 1638400 TCEs, 1638400 / 512 = 3200 hcalls;
 *        kills 1638400 per guest TCE (= per host TCE: subpages 1), 3200 per hcall.
 *   An emulated device (no host table, kill_on_map false): no kill.
 */
static struct setup_case setup_cases[] = {
	{ 24, true, true, 6400, 13, 6400 },
	{ 24, false, true, 6400, 13, 13 },
	{ 16, true, true, 1638400, 3200, 1638400 },
	{ 16, false, true, 1638400, 3200, 3200 },
	{ 24, true, false, 6400, 13, 0 },
};

ParameterizedTestParameters(dma_api, kvm_direct_setup_kills)
{
	return cr_make_param_array(struct setup_case, setup_cases,
				   sizeof(setup_cases) / sizeof(setup_cases[0]));
}

ParameterizedTest(struct setup_case *c, dma_api, kvm_direct_setup_kills)
{
	struct dma_api_cfg cfg = kvm_cfg();
	uint64_t start = 0;
	struct fx f;

	fx_init(&f, &pseries_plat);
	f.phb.host = (struct phb_host)PHB4_HOST;
	cr_assert(eq(int, window_create(&f.pe, c->shift, 128 * SZ_1G, 1, &start), 0));
	cfg.model = MAP_DIRECT;
	cfg.ram = 100 * SZ_1G;
	cfg.kill_per_tce = c->per_tce;
	cfg.kill_on_map = c->on_map;
	cr_assert(eq(int, fx_bind(&f, &cfg, start), 0));
	cr_expect(eq(u64, f.st.setup_tces, c->tces));
	cr_expect(eq(u64, f.st.setup_hcalls, c->hcalls));
	cr_expect(eq(u64, f.st.setup_kills, c->kills));
	cr_expect(eq(u64, f.st.opal_kill_calls, c->kills));
	fx_release(&f);
}

/*
 * ---- PowerNV direct: a VFIO user maps RAM in ranges ----
 *
 * tce_iommu_map_dma -> tce_iommu_build_v2: iommu_tce_xchg_no_kill per TCE,
 * then one iommu_tce_kill(tbl, entry, pages) per VFIO_IOMMU_MAP_DMA. PHB4:
 * one OPAL_PCI_TCE_KILL per kill (kill_per_tce false); PHB3 writes one MMIO
 * store per page of it (kill_per_tce true). 100 GiB of 64K TCEs = 1638400.
 */
struct vfio_case {
	uint64_t map_size;	/* bytes per VFIO_IOMMU_MAP_DMA, UINT64_MAX = all RAM */
	bool per_tce;
	uint64_t kills;
};

/*
 * all RAM in one (QEMU's listener: one RAM section): 1;
 * 1G ranges: 2^30 / 2^16 = 16384 TCEs each, 1638400 / 16384 = 100;
 * 2M ranges (a DPDK memseg of 2M hugepages): 32 TCEs, 51200;
 * 3G ranges: 49152 TCEs, 1638400 / 49152 = 33.3 -> 34;
 * a range smaller than a TCE is still one TCE: 4K -> 1638400;
 * PHB3, all RAM in one: 1638400 MMIO stores.
 */
static struct vfio_case vfio_cases[] = {
	{ UINT64_MAX, false, 1 },
	{ SZ_1G, false, 100 },
	{ 2 * SZ_1M, false, 51200 },
	{ 3 * SZ_1G, false, 34 },
	{ SZ_4K, false, 1638400 },
	{ UINT64_MAX, true, 1638400 },
};

ParameterizedTestParameters(dma_api, powernv_direct_is_a_vfio_user_killing_once_per_range)
{
	return cr_make_param_array(struct vfio_case, vfio_cases,
				   sizeof(vfio_cases) / sizeof(vfio_cases[0]));
}

ParameterizedTest(struct vfio_case *c, dma_api, powernv_direct_is_a_vfio_user_killing_once_per_range)
{
	struct dma_api_cfg cfg = pnv_cfg();
	uint64_t start = 0;
	struct fx f;

	fx_init(&f, &pnv_plat);
	cr_assert(eq(int, window_create(&f.pe, 16, 128 * SZ_1G, 1, &start), 0));
	cfg.model = MAP_DIRECT;
	cfg.ram = 100 * SZ_1G;
	cfg.vfio_map_size = c->map_size;
	cfg.kill_per_tce = c->per_tce;
	cfg.kill_opal = !c->per_tce;
	cr_assert(eq(int, fx_bind(&f, &cfg, start), 0));
	cr_expect(eq(u64, f.st.setup_tces, 1638400));
	cr_expect(eq(u64, f.st.setup_hcalls, 0));
	cr_expect(eq(u64, f.st.setup_kills, c->kills));
	cr_expect(eq(u64, f.st.opal_kill_calls, c->per_tce ? 0 : c->kills));
	fx_release(&f);
}

/*
 * ---- set-up time (cost_setup_ps) ----
 *
 * 3800 MHz: round(10^6 / 3800) = 263 ps a cycle. A kill of 5500 ns is
 * clock_edge(263 ps, 5500000 ps): 5500000 / 263 = 20912.5 -> 20913 * 263 =
 * 5500119 ps.
 *   16M guest TCEs, 100 GiB (6400 TCEs, 13 hcalls, 6400 kills):
 *     (13 * 4700 + 6400 * 76) = 547500 cycles * 263 = 143992500 ps, plus
 *     6400 * 5500119 = 35200761600 ps: 35344754100 ps (35.3 ms).
 *   64K guest TCEs (1638400 TCEs, 3200 hcalls, 1638400 kills):
 *     3200 * 4700 + 1638400 * 76 = 139558400 cycles * 263 = 36703859200 ps,
 *     plus 1638400 * 5500119 = 9011394969600 ps: 9048098828800 ps (9.05 s;
 *     numbers.md §2.2: "10s and 9s go to NPU and PHB TCE cache invalidation").
 *   PowerNV VFIO user, 1638400 TCEs of 10 cycles and 1 kill:
 *     16384000 * 263 = 4308992000 ps + 5500119 = 4314492119 ps.
 */
static struct config cost_cfg(int kind)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.platform.kind = kind;
	c.platform.hcall.entry_exit_cycles = 4700;
	c.platform.hcall.indirect_tce_cycles = 76;
	c.platform.kill.cpu_ns = 5500;
	c.host.cpu_mhz = 3800;
	c.host.cost.tce_write_cycles = 10;
	return c;
}

Test(dma_api, setup_time_is_the_hcalls_then_a_kill_per_request)
{
	struct config c = cost_cfg(PLAT_PSERIES);
	struct mode_stats st;

	memset(&st, 0, sizeof(st));
	st.setup_tces = 6400;
	st.setup_hcalls = 13;
	st.setup_kills = 6400;
	cr_expect(eq(u64, cost_setup_ps(&c, &st), 35344754100ull));
	st.setup_tces = 1638400;
	st.setup_hcalls = 3200;
	st.setup_kills = 1638400;
	cr_expect(eq(u64, cost_setup_ps(&c, &st), 9048098828800ull));
	c = cost_cfg(PLAT_POWERNV);
	st.setup_hcalls = 0;
	st.setup_kills = 1;
	cr_expect(eq(u64, cost_setup_ps(&c, &st), 4314492119ull));
}
