/*
 * test_tce_table.c - the TCE table against the kernel's formulas.
 *
 * Every expected number below was worked out by hand from
 * reference/domain.md §2.3 (pnv_pci_ioda2_table_alloc_pages, pci-ioda-tce.c),
 * §2.4 (pnv_tce) and §2.5 (pnv_pci_ioda2_get_table_size, pci-ioda.c); the
 * arithmetic is in the comment next to each case. With P = PAGE_SHIFT
 * (host_page_shift), W = window bytes, ps = IOMMU page shift, L = levels:
 *
 *   E   = ilog2(W) - ps                          entries_shift
 *   ts  = max(E + 3, P)                          table_shift
 *   it_size = 2^ts >> 3                          entries
 *   per = ceil(E / L)
 *   ls  = max(per + 3, P)                        level_shift (bytes of one level)
 *   lb  = ls - 3                                 level_bits (entries per level, log2)
 *   -EINVAL if lb * L + ps >= max_bits           (55 today, 60 in older kernels)
 *
 *   get_table_size: tts = max(0x1000, 2^(E+3)); dts = 2^ls;
 *                   for each level: bytes += ALIGN(tts, dts);
 *                                   tts = max((tts / dts) << 3, dts);
 *                   return 2 * bytes             (HW table + userspace copy)
 *   table_bytes = get_table_size / 2
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "ddwsim/tce.h"
#include "ddwsim/tce_table.h"

#define KiB	(1ull << 10)
#define MiB	(1ull << 20)
#define GiB	(1ull << 30)
#define TiB	(1ull << 40)

#define RW	(TCE_PCI_READ | TCE_PCI_WRITE)
#define BASE	(1ull << 32)	/* synthetic real address of the top level */

static struct tce_table *new_table(enum tce_table_kind kind, uint64_t window,
				   unsigned page_shift, unsigned levels,
				   unsigned host_page_shift, unsigned max_bits)
{
	struct tce_table_req req = {
		.kind = kind, .page_shift = page_shift, .window_size = window,
		.levels = levels, .host_page_shift = host_page_shift,
		.max_bits = max_bits, .base = BASE,
	};
	struct tce_table *t = NULL;
	int rc = tce_table_new(&t, &req);

	cr_assert(eq(int, rc, 0), "tce_table_new(W=%#llx ps=%u L=%u) failed: %d",
		  (unsigned long long)window, page_shift, levels, rc);
	cr_assert(not(eq(ptr, t, NULL)));
	return t;
}

/* The PowerNV 3-level table used by the lazy-level and walk tests:
 * 1 TiB / 4K / 3 levels, P = 16: E = 28, per = ceil(28/3) = 10,
 * ls = max(13, 16) = 16, lb = 13 (8192 entries, 64 KiB per level),
 * 13*3 + 12 = 51 < 55 accepted; it_size = 2^28. Top index = idx >> 26,
 * middle index = (idx >> 13) & 8191, leaf index = idx & 8191. */
static struct tce_table *new_pnv3(void)
{
	return new_table(TCE_TABLE_PNV, TiB, 12, 3, 16, 55);
}

/* ------------------------------------------------------------------ */
/* Geometry table (PowerNV)                                           */
/* ------------------------------------------------------------------ */

struct geom_case {
	const char *name;
	uint64_t window;
	unsigned page_shift;
	unsigned levels;
	unsigned host_page_shift;
	unsigned max_bits;
	int rc;			/* tce_geom_compute */
	unsigned entries_shift;
	unsigned level_shift;
	unsigned level_bits;
	uint64_t it_size;
	uint64_t table_bytes;
	uint64_t get_table_size; /* tce_pnv_get_table_size, checked even when rc < 0 */
};

static struct geom_case geom_cases[] = {
	/* E = 30-12 = 18; ts = max(21,16) = 21 -> it = 2^18; per = 18; ls = max(21,16) = 21,
	 * lb = 18; 18+12 = 30 < 55. gts: tts = 2^21, dts = 2^21 -> bytes 2^21, x2 = 2^22. */
	{ "1G_4K_1lvl", 1 * GiB, 12, 1, 16, 55, 0, 18, 21, 18,
	  1ull << 18, 1ull << 21, 1ull << 22 },
	/* E = 31-16 = 15; ts = max(18,16) = 18 -> it = 2^15; ls = 18, lb = 15; 15+16 = 31.
	 * gts: tts = dts = 2^18 -> 2^18, x2 = 2^19. */
	{ "2G_64K_1lvl", 2 * GiB, 16, 1, 16, 55, 0, 15, 18, 15,
	  1ull << 15, 1ull << 18, 1ull << 19 },
	/* E = 15; it = 2^15; per = ceil(15/2) = 8; ls = max(11,16) = 16, lb = 13; 26+16 = 42.
	 * gts: tts = 2^18, dts = 2^16: L1 ALIGN(2^18,2^16) = 2^18, tts = max(4<<3, 2^16) = 2^16;
	 * L2 2^16. bytes = 2^18 + 2^16 = 327680, x2 = 655360. */
	{ "2G_64K_2lvl", 2 * GiB, 16, 2, 16, 55, 0, 15, 16, 13,
	  1ull << 15, (1ull << 18) + (1ull << 16), 2 * ((1ull << 18) + (1ull << 16)) },
	/* E = 40-16 = 24; ts = 27 -> it = 2^24; ls = 27, lb = 24; 24+16 = 40.
	 * gts: tts = dts = 2^27 -> 128 MiB flat (domain.md §2.3), x2 = 2^28. */
	{ "1T_64K_1lvl", 1 * TiB, 16, 1, 16, 55, 0, 24, 27, 24,
	  1ull << 24, 128 * MiB, 256 * MiB },
	/* E = 24; it = 2^24; per = 12; ls = max(15,16) = 16, lb = 13 (8192 entries per level,
	 * domain.md §2.3); 26+16 = 42. gts: tts = 2^27, dts = 2^16: L1 2^27,
	 * tts = max(2^11<<3 = 2^14, 2^16) = 2^16; L2 2^16. bytes = 2^27 + 2^16 = 134283264. */
	{ "1T_64K_2lvl", 1 * TiB, 16, 2, 16, 55, 0, 24, 16, 13,
	  1ull << 24, (1ull << 27) + (1ull << 16), 2 * ((1ull << 27) + (1ull << 16)) },
	/* E = 44-16 = 28; per = ceil(28/3) = 10; ls = max(13,16) = 16, lb = 13;
	 * 13*3 + 16 = 55 >= 55 -> -EINVAL (domain.md §2.3). get_table_size has no such check:
	 * tts = 2^31, dts = 2^16: L1 2^31, tts = 2^15<<3 = 2^18; L2 2^18, tts = max(32, 2^16);
	 * L3 2^16. bytes = 2^31 + 2^18 + 2^16, x2. */
	{ "16T_64K_3lvl_max55_rejected", 16 * TiB, 16, 3, 16, 55, -EINVAL, 0, 0, 0, 0, 0,
	  2 * ((1ull << 31) + (1ull << 18) + (1ull << 16)) },
	/* Same, older kernels (limit 60): 55 < 60 accepted. ts = 31 -> it = 2^28. */
	{ "16T_64K_3lvl_max60_accepted", 16 * TiB, 16, 3, 16, 60, 0, 28, 16, 13,
	  1ull << 28, (1ull << 31) + (1ull << 18) + (1ull << 16),
	  2 * ((1ull << 31) + (1ull << 18) + (1ull << 16)) },
	/* 5 levels can never pass the 55-bit rule: lb >= P-3, so with P = 16 it is
	 * 13*5 + 12 = 77, and with P = 12 it is 9*5 + 12 = 57. The accepted 5-level case
	 * therefore needs P = 12 AND the old 60 limit:
	 * E = 40-12 = 28; per = ceil(28/5) = 6; ls = max(9,12) = 12, lb = 9; 57 < 60.
	 * ts = max(31,12) = 31 -> it = 2^28. gts: tts = 2^31, dts = 2^12:
	 * L1 2^31, tts = 2^19<<3 = 2^22; L2 2^22, tts = 2^10<<3 = 2^13; L3 2^13,
	 * tts = max(2<<3, 2^12) = 2^12; L4 2^12, tts = max(1<<3, 2^12) = 2^12; L5 2^12.
	 * bytes = 2^31 + 2^22 + 2^13 + 2^12 + 2^12 = 2151694336. */
	{ "1T_4K_5lvl_host4K_max60_accepted", 1 * TiB, 12, 5, 12, 60, 0, 28, 12, 9,
	  1ull << 28, 2151694336ull, 2 * 2151694336ull },
	/* Same with the 55 limit: 57 >= 55 -> -EINVAL. */
	{ "1T_4K_5lvl_host4K_max55_rejected", 1 * TiB, 12, 5, 12, 55, -EINVAL, 0, 0, 0, 0, 0,
	  2 * 2151694336ull },
	/* P = 16: per = 6, ls = max(9,16) = 16, lb = 13; 13*5 + 12 = 77 >= 55 -> -EINVAL.
	 * gts: tts = 2^31, dts = 2^16: L1 2^31, tts = 2^18; L2 2^18, tts = max(32, 2^16) = 2^16;
	 * L3..L5 2^16 each. bytes = 2^31 + 2^18 + 3*2^16 = 2147942400. */
	{ "1T_4K_5lvl_host64K_rejected", 1 * TiB, 12, 5, 16, 55, -EINVAL, 0, 0, 0, 0, 0,
	  2 * 2147942400ull },
	/* max_bits 0 = no limit: the same 77-bit case is accepted; it = 2^28. */
	{ "1T_4K_5lvl_host64K_no_limit", 1 * TiB, 12, 5, 16, 0, 0, 28, 16, 13,
	  1ull << 28, 2147942400ull, 2 * 2147942400ull },
	/* 4 levels with P = 16: per = 7, ls = 16, lb = 13; 13*4 + 12 = 64 >= 55 -> -EINVAL.
	 * gts: L1 2^31, tts = 2^18; L2 2^18, tts = 2^16; L3, L4 2^16. bytes = 2147876864. */
	{ "1T_4K_4lvl_rejected", 1 * TiB, 12, 4, 16, 55, -EINVAL, 0, 0, 0, 0, 0,
	  2 * ((1ull << 31) + (1ull << 18) + 2 * (1ull << 16)) },
	/* 3 levels of 4K TCEs pass: 13*3 + 12 = 51 < 55. Numbers as in the 16T/3lvl case
	 * (E = 28 too): it = 2^28, bytes = 2^31 + 2^18 + 2^16. */
	{ "1T_4K_3lvl", 1 * TiB, 12, 3, 16, 55, 0, 28, 16, 13,
	  1ull << 28, (1ull << 31) + (1ull << 18) + (1ull << 16),
	  2 * ((1ull << 31) + (1ull << 18) + (1ull << 16)) },
	/* E = 43-16 = 27; per = 14; ls = max(17,16) = 17, lb = 14 (level above PAGE_SIZE);
	 * 28+16 = 44. it = 2^27. gts: tts = 2^30, dts = 2^17: L1 2^30,
	 * tts = max(2^13<<3 = 2^16, 2^17) = 2^17; L2 2^17. bytes = 2^30 + 2^17. */
	{ "8T_64K_2lvl", 8 * TiB, 16, 2, 16, 55, 0, 27, 17, 14,
	  1ull << 27, (1ull << 30) + (1ull << 17), 2 * ((1ull << 30) + (1ull << 17)) },
	/* Tiny window, PAGE_SIZE floor: E = 26-16 = 10 (1024 TCEs); ts = max(13,16) = 16
	 * -> it = 2^16 >> 3 = 8192 (bumped); ls = max(13,16) = 16, lb = 13; 13+16 = 29.
	 * gts: tts = max(0x1000, 2^13) = 2^13, dts = 2^16: ALIGN(2^13, 2^16) = 2^16 = 64 KiB. */
	{ "64M_64K_1lvl_page_floor", 64 * MiB, 16, 1, 16, 55, 0, 10, 16, 13,
	  8192, 64 * KiB, 128 * KiB },
	/* E = 20-12 = 8 (256 TCEs); 2^(8+3) = 2048 < 0x1000 so tts = 0x1000; dts = 2^16:
	 * ALIGN(4096, 65536) = 65536. ts = max(11,16) = 16 -> it = 8192; lb = 13. */
	{ "1M_4K_1lvl_page_floor", 1 * MiB, 12, 1, 16, 55, 0, 8, 16, 13,
	  8192, 64 * KiB, 128 * KiB },
	/* Same with P = 12: ts = max(11,12) = 12 -> it = 512; ls = 12, lb = 9;
	 * tts = 0x1000, dts = 2^12: bytes 4096, x2 = 8192. */
	{ "1M_4K_1lvl_host4K", 1 * MiB, 12, 1, 12, 55, 0, 8, 12, 9,
	  512, 4 * KiB, 8 * KiB },
	/* Boundary of the 55-bit rule with 1 level: E = 54-16 = 38, lb = 38, 38+16 = 54 < 55.
	 * it = 2^38; bytes = 2^41, x2 = 2^42. */
	{ "2^54_64K_1lvl_just_fits", 1ull << 54, 16, 1, 16, 55, 0, 38, 41, 38,
	  1ull << 38, 1ull << 41, 1ull << 42 },
	/* E = 39, 39+16 = 55 >= 55 -> -EINVAL; gts = 2 * 2^42 = 2^43. */
	{ "2^55_64K_1lvl_rejected", 1ull << 55, 16, 1, 16, 55, -EINVAL, 0, 0, 0, 0, 0,
	  1ull << 43 },
	/* E = 59-12 = 47, lb = 47, 47+12 = 59: rejected at 55, accepted at 60.
	 * it = 2^47; bytes = 2^50, x2 = 2^51. */
	{ "2^59_4K_1lvl_max55_rejected", 1ull << 59, 12, 1, 16, 55, -EINVAL, 0, 0, 0, 0, 0,
	  1ull << 51 },
	{ "2^59_4K_1lvl_max60_accepted", 1ull << 59, 12, 1, 16, 60, 0, 47, 50, 47,
	  1ull << 47, 1ull << 50, 1ull << 51 },
	/* levels 0 and 6: -EINVAL; get_table_size returns 0 (§2.5 "!levels || levels > 5"). */
	{ "levels_0", 1 * GiB, 12, 0, 16, 55, -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "levels_6", 1 * GiB, 12, 6, 16, 55, -EINVAL, 0, 0, 0, 0, 0, 0 },
	/* 3 GiB is not a power of two: -EINVAL and 0. */
	{ "non_pow2_3G", 3 * GiB, 16, 1, 16, 55, -EINVAL, 0, 0, 0, 0, 0, 0 },
	{ "non_pow2_3G_2lvl", 3 * GiB, 16, 2, 16, 55, -EINVAL, 0, 0, 0, 0, 0, 0 },
};

ParameterizedTestParameters(tce_table, geometry_matches_kernel_formulas)
{
	return cr_make_param_array(struct geom_case, geom_cases,
				   sizeof(geom_cases) / sizeof(geom_cases[0]));
}

ParameterizedTest(struct geom_case *c, tce_table, geometry_matches_kernel_formulas)
{
	struct tce_table_req req = {
		.kind = TCE_TABLE_PNV, .page_shift = c->page_shift, .window_size = c->window,
		.levels = c->levels, .host_page_shift = c->host_page_shift,
		.max_bits = c->max_bits, .base = BASE,
	};
	struct tce_geom g;
	int rc;

	memset(&g, 0, sizeof(g));
	rc = tce_geom_compute(&g, &req);
	cr_expect(eq(u64, tce_pnv_get_table_size(c->page_shift, c->window, c->levels,
						 c->host_page_shift), c->get_table_size),
		  "%s: get_table_size", c->name);
	cr_assert(eq(int, rc, c->rc), "%s: rc", c->name);
	if (rc < 0)
		return;
	cr_expect(eq(u32, g.page_shift, c->page_shift), "%s: page_shift", c->name);
	cr_expect(eq(u32, g.levels, c->levels), "%s: levels", c->name);
	cr_expect(eq(u64, g.window_size, c->window), "%s: window_size", c->name);
	cr_expect(eq(u32, g.entries_shift, c->entries_shift), "%s: entries_shift", c->name);
	cr_expect(eq(u32, g.level_shift, c->level_shift), "%s: level_shift", c->name);
	cr_expect(eq(u32, g.level_bits, c->level_bits), "%s: level_bits", c->name);
	cr_expect(eq(u64, g.it_size, c->it_size), "%s: it_size", c->name);
	cr_expect(eq(u64, g.table_bytes, c->table_bytes), "%s: table_bytes", c->name);
}

Test(tce_table, geometry_rejects_window_smaller_than_one_page)
{
	/* header contract: a window below one TCE page is -EINVAL (2 KiB < 4 KiB) */
	struct tce_table_req req = {
		.kind = TCE_TABLE_PNV, .page_shift = 12, .window_size = 2 * KiB,
		.levels = 1, .host_page_shift = 16, .max_bits = 55,
	};
	struct tce_geom g;

	cr_expect(eq(int, tce_geom_compute(&g, &req), -EINVAL));
	req.kind = TCE_TABLE_HV;
	cr_expect(eq(int, tce_geom_compute(&g, &req), -EINVAL));
}

Test(tce_table, new_table_rejects_what_geometry_rejects)
{
	/* 16 TiB / 64K / 3 levels: 13*3 + 16 = 55 -> -EINVAL */
	struct tce_table_req req = {
		.kind = TCE_TABLE_PNV, .page_shift = 16, .window_size = 16 * TiB,
		.levels = 3, .host_page_shift = 16, .max_bits = 55, .base = BASE,
	};
	struct tce_table *t = NULL;

	cr_expect(eq(int, tce_table_new(&t, &req), -EINVAL));
	/* HV tables have one level only */
	req.kind = TCE_TABLE_HV;
	req.window_size = 1 * GiB;
	req.levels = 2;
	cr_expect(eq(int, tce_table_new(&t, &req), -EINVAL));
}

/* ------------------------------------------------------------------ */
/* Geometry table (hypervisor table behind a pseries window)          */
/* ------------------------------------------------------------------ */

struct hv_case {
	const char *name;
	uint64_t window;
	unsigned page_shift;
	unsigned levels;
	unsigned host_page_shift;
	unsigned max_bits;	/* ignored for HV tables */
	int rc;
	uint64_t it_size;	/* window / page */
	uint64_t table_bytes;	/* ALIGN(it_size * 8, host page) */
};

static struct hv_case hv_cases[] = {
	/* 2^30 / 2^12 = 2^18 entries; 2^18 * 8 = 2^21 bytes (already 64K-aligned) */
	{ "1G_4K", 1 * GiB, 12, 1, 16, 0, 0, 1ull << 18, 1ull << 21 },
	/* 2^31 / 2^16 = 2^15 entries; 2^18 bytes */
	{ "2G_64K", 2 * GiB, 16, 1, 16, 0, 0, 1ull << 15, 1ull << 18 },
	/* 2^26 / 2^24 = 4 entries; 32 bytes -> one 64 KiB host page (no PAGE_SIZE bump of it_size) */
	{ "64M_16M_rounds_to_host_page", 64 * MiB, 24, 1, 16, 0, 0, 4, 64 * KiB },
	/* 2^20 / 2^16 = 16 entries; 128 bytes -> one 4 KiB host page */
	{ "1M_64K_host4K", 1 * MiB, 16, 1, 12, 0, 0, 16, 4 * KiB },
	/* 2^59 / 2^12 = 2^47 entries; 2^50 bytes. The PNV 55-bit rule (47+12 = 59) does not
	 * apply to the hypervisor's table, so max_bits = 55 must not reject it. */
	{ "2^59_4K_ignores_max_bits", 1ull << 59, 12, 1, 16, 55, 0, 1ull << 47, 1ull << 50 },
	{ "levels_2_rejected", 1 * GiB, 12, 2, 16, 0, -EINVAL, 0, 0 },
	{ "levels_0_rejected", 1 * GiB, 12, 0, 16, 0, -EINVAL, 0, 0 },
	{ "non_pow2_rejected", 3 * GiB, 12, 1, 16, 0, -EINVAL, 0, 0 },
};

ParameterizedTestParameters(tce_table, hv_geometry_is_flat_one_level)
{
	return cr_make_param_array(struct hv_case, hv_cases,
				   sizeof(hv_cases) / sizeof(hv_cases[0]));
}

ParameterizedTest(struct hv_case *c, tce_table, hv_geometry_is_flat_one_level)
{
	struct tce_table_req req = {
		.kind = TCE_TABLE_HV, .page_shift = c->page_shift, .window_size = c->window,
		.levels = c->levels, .host_page_shift = c->host_page_shift,
		.max_bits = c->max_bits, .base = BASE,
	};
	struct tce_geom g;
	int rc;

	memset(&g, 0, sizeof(g));
	rc = tce_geom_compute(&g, &req);
	cr_assert(eq(int, rc, c->rc), "%s: rc", c->name);
	if (rc < 0)
		return;
	cr_expect(eq(u32, g.levels, 1), "%s: levels", c->name);
	cr_expect(eq(u64, g.it_size, c->it_size), "%s: it_size", c->name);
	cr_expect(eq(u64, g.table_bytes, c->table_bytes), "%s: table_bytes", c->name);
}

Test(tce_table, hv_2p59_window_maps_near_its_end_with_tiny_footprint)
{
	/* 2^59-byte window of 4K TCEs: 2^47 entries, a 2^50-byte table if it were full */
	struct tce_table *t = new_table(TCE_TABLE_HV, 1ull << 59, 12, 1, 16, 0);
	uint64_t last = (1ull << 47) - 1;
	uint64_t tce = tce_make(0x7fff0000000ull, 12, RW);	/* 0x7fff0000003 */
	struct tce_walk w;

	cr_expect(eq(u64, tce_table_geom(t)->it_size, 1ull << 47));
	/* KVM fills host pages in on first use (kvm_spapr_get_tce_page): nothing yet */
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 0));

	tce_table_set(t, last, tce);
	cr_expect(eq(u64, tce_table_get(t, last), 0x7fff0000003ull));
	/* one 64 KiB host page holds 8192 entries */
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 64 * KiB));

	/* last-1 is in the same host page (both >> 13 = 2^34 - 1): nothing more */
	tce_table_set(t, last - 1, tce_make(0x1000, 12, TCE_PCI_READ));
	cr_expect(eq(u64, tce_table_get(t, last - 1), 0x1001));
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 64 * KiB));

	/* entry 0 is another host page */
	tce_table_set(t, 0, tce_make(0x2000, 12, RW));
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 128 * KiB));

	/* one level: one read, at base + idx * 8 = base + (2^47 - 1) * 8
	 * = base + 2^50 - 8 = base + 0x3fffffffffff8 */
	cr_assert(eq(int, tce_table_walk(t, last, &w), 0));
	cr_expect(eq(u32, w.reads, 1));
	cr_expect(eq(u64, w.addr[0], BASE + 0x3fffffffffff8ull));
	cr_expect(eq(u64, w.tce, 0x7fff0000003ull));

	/* it_size is exactly 2^47: no bump for HV tables */
	cr_expect(eq(int, tce_table_walk(t, 1ull << 47, &w), -ERANGE));
	cr_expect(eq(u32, w.reads, 0));
	tce_table_free(t);
}

Test(tce_table, hv_clear_and_get_of_untouched_page_allocate_nothing)
{
	struct tce_table *t = new_table(TCE_TABLE_HV, 1ull << 59, 12, 1, 16, 0);

	cr_expect(eq(u64, tce_table_get(t, 123456789), 0));
	tce_table_clear(t, 123456789);
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 0));
	tce_table_free(t);
}

/* ------------------------------------------------------------------ */
/* Lazy levels (pnv_tce with alloc=true; pnv_tce_free; pnv_tce_get)   */
/* ------------------------------------------------------------------ */

Test(tce_table, new_3_level_table_allocates_only_its_top_level)
{
	struct tce_table *t = new_pnv3();

	/* one level = 1 << level_shift = 2^16 */
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 64 * KiB));
	tce_table_free(t);
}

Test(tce_table, first_set_allocates_levels_minus_one_blocks)
{
	struct tce_table *t = new_pnv3();

	tce_table_set(t, 0, tce_make(0x10000, 12, RW));
	/* top + 1 middle + 1 leaf = 3 * 64 KiB */
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 3 * 64 * KiB));
	tce_table_free(t);
}

Test(tce_table, set_in_same_leaf_block_allocates_nothing)
{
	struct tce_table *t = new_pnv3();

	tce_table_set(t, 0, tce_make(0x10000, 12, RW));
	tce_table_set(t, 1, tce_make(0x11000, 12, RW));
	/* 8191 is the last entry of leaf block [0, 8192) */
	tce_table_set(t, 8191, tce_make(0x12000, 12, RW));
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 3 * 64 * KiB));
	tce_table_free(t);
}

Test(tce_table, set_in_new_leaf_under_same_middle_allocates_one_block)
{
	struct tce_table *t = new_pnv3();

	tce_table_set(t, 0, tce_make(0x10000, 12, RW));
	/* 8192: top 0 (8192 >> 26), middle index 1 (8192 >> 13 & 8191): a new leaf only */
	tce_table_set(t, 8192, tce_make(0x20000, 12, RW));
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 4 * 64 * KiB));
	tce_table_free(t);
}

Test(tce_table, set_in_other_top_slot_allocates_two_blocks)
{
	struct tce_table *t = new_pnv3();

	tce_table_set(t, 0, tce_make(0x10000, 12, RW));
	/* 1 << 26: top index 1, needs its own middle and leaf: 3 + 2 = 5 blocks */
	tce_table_set(t, 1ull << 26, tce_make(0x20000, 12, RW));
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 5 * 64 * KiB));
	tce_table_free(t);
}

Test(tce_table, clear_never_frees_levels)
{
	struct tce_table *t = new_pnv3();
	struct tce_walk w;

	tce_table_set(t, 0, tce_make(0x10000, 12, RW));
	tce_table_set(t, 8192, tce_make(0x20000, 12, RW));
	tce_table_set(t, 1ull << 26, tce_make(0x30000, 12, RW));
	/* top + (middle 0 + leaf 0) for 0 + leaf 1 for 8192 + (middle + leaf) for 1 << 26 = 6 */
	cr_assert(eq(u64, tce_table_bytes_allocated(t), 6 * 64 * KiB));
	tce_table_clear(t, 0);
	tce_table_clear(t, 8192);
	tce_table_clear(t, 1ull << 26);
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 6 * 64 * KiB));
	cr_expect(eq(u64, tce_table_get(t, 0), 0));
	cr_expect(eq(u64, tce_table_get(t, 8192), 0));
	cr_expect(eq(u64, tce_table_get(t, 1ull << 26), 0));
	/* the levels are still there: the walk reaches the (now zero) leaf */
	cr_assert(eq(int, tce_table_walk(t, 1ull << 26, &w), 0));
	cr_expect(eq(u32, w.reads, 3));
	cr_expect(eq(u64, w.tce, 0));
	tce_table_free(t);
}

Test(tce_table, get_and_clear_under_missing_level_read_zero_and_allocate_nothing)
{
	struct tce_table *t = new_pnv3();
	uint64_t far = 3ull << 26;	/* top index 3 (the last one), never touched */
	struct tce_walk w;

	tce_table_set(t, 0, tce_make(0x10000, 12, RW));
	cr_expect(eq(u64, tce_table_get(t, far), 0));
	tce_table_clear(t, far);
	/* also a missing leaf under a present middle: 8192 * 5 = middle index 5 of top 0 */
	cr_expect(eq(u64, tce_table_get(t, 5 * 8192), 0));
	tce_table_clear(t, 5 * 8192);
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 3 * 64 * KiB));
	cr_expect(eq(int, tce_table_walk(t, far, &w), -ENOENT));
	cr_expect(eq(u32, w.reads, 1));
	tce_table_free(t);
}

/* ------------------------------------------------------------------ */
/* Entry encoding (reference/domain.md §1)                            */
/* ------------------------------------------------------------------ */

Test(tce, perm_for_dir_is_read_only_for_to_device_else_read_write)
{
	cr_expect(eq(u64, tce_perm_for_dir(DMA_DIR_TO_DEVICE), 0x1));
	cr_expect(eq(u64, tce_perm_for_dir(DMA_DIR_FROM_DEVICE), 0x3));
	cr_expect(eq(u64, tce_perm_for_dir(DMA_DIR_BIDIRECTIONAL), 0x3));
}

Test(tce, make_aligns_phys_to_the_iommu_page_and_ors_perm)
{
	/* 0x123456789 >> 12 << 12 = 0x123456000; | 3 */
	cr_expect(eq(u64, tce_make(0x123456789ull, 12, RW), 0x123456003ull));
	/* 0x123456789 >> 16 << 16 = 0x123450000; | 1 */
	cr_expect(eq(u64, tce_make(0x123456789ull, 16, TCE_PCI_READ), 0x123450001ull));
	/* 0x401fffff >> 21 = 0x200; << 21 = 0x40000000; | 2 */
	cr_expect(eq(u64, tce_make(0x401fffffull, 21, TCE_PCI_WRITE), 0x40000002ull));
	/* only bits 0..1 of perm are kept */
	cr_expect(eq(u64, tce_make(0x5000, 12, 0xff), 0x5003));
}

Test(tce, table_reads_back_aligned_phys_or_perm)
{
	/* 2 GiB / 64K / 1 level */
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 1, 16, 55);

	/* 0xabcde12345 >> 16 << 16 = 0xabcde10000 */
	tce_table_set(t, 3, tce_make(0xabcde12345ull, 16, tce_perm_for_dir(DMA_DIR_FROM_DEVICE)));
	tce_table_set(t, 4, tce_make(0xabcde12345ull, 16, tce_perm_for_dir(DMA_DIR_TO_DEVICE)));
	cr_expect(eq(u64, tce_table_get(t, 3), 0xabcde10003ull));
	cr_expect(eq(u64, tce_table_get(t, 4), 0xabcde10001ull));
	cr_expect(eq(u64, tce_table_get(t, 5), 0));
	tce_table_free(t);
}

Test(tce, to_be_stores_most_significant_byte_first)
{
	uint64_t be = tce_to_be(0x0102030405060708ull);
	unsigned char b[8];

	memcpy(b, &be, sizeof(b));
	for (unsigned i = 0; i < 8; i++)
		cr_expect(eq(u8, b[i], (uint8_t)(i + 1)), "byte %u", i);
	cr_expect(eq(u64, tce_from_be(be), 0x0102030405060708ull));
}

/* ------------------------------------------------------------------ */
/* Walks (pnv_tce; QEMU pnv_phb4_translate_tve)                       */
/* ------------------------------------------------------------------ */

/* idx = top 2, middle 7, leaf 9: (2 << 26) | (7 << 13) | 9 = 134275081
 * (it_size = 2^28, so top indices run 0..3) */
#define WALK_IDX	((2ull << 26) | (7ull << 13) | 9)

Test(tce_table, walk_of_present_mapping_reads_one_entry_per_level)
{
	struct tce_table *t = new_pnv3();
	struct tce_walk w;
	uint64_t node1, node2;

	/* 0x7654321abc >> 12 << 12 = 0x7654321000; | R */
	tce_table_set(t, WALK_IDX, tce_make(0x7654321abcull, 12, TCE_PCI_READ));
	cr_assert(eq(int, tce_table_walk(t, WALK_IDX, &w), 0));
	cr_expect(eq(u32, w.reads, 3));
	cr_expect(eq(u64, w.tce, 0x7654321001ull));
	/* top: base + top_index * 8 = base + 2*8 */
	cr_expect(eq(u64, w.addr[0], BASE + 16));
	/* middle: node + 7*8; the node is a whole 64 KiB level, aligned to its size
	 * (alloc_pages of order ls - PAGE_SHIFT), i.e. the indirect entry's value
	 * with R|W masked off (tce & ~0xfff) */
	node1 = w.addr[1] - 7 * 8;
	cr_expect(eq(u64, node1 & 0xffff, 0), "middle node %#llx", (unsigned long long)node1);
	/* leaf: node + 9*8 */
	node2 = w.addr[2] - 9 * 8;
	cr_expect(eq(u64, node2 & 0xffff, 0), "leaf node %#llx", (unsigned long long)node2);
	/* three distinct allocations */
	cr_expect(not(eq(u64, node1, BASE)));
	cr_expect(not(eq(u64, node2, BASE)));
	cr_expect(not(eq(u64, node1, node2)));
	tce_table_free(t);
}

Test(tce_table, walk_of_unmapped_entry_in_present_leaf_reads_zero_leaf)
{
	struct tce_table *t = new_pnv3();
	struct tce_walk a, b;

	tce_table_set(t, WALK_IDX, tce_make(0x7654321000ull, 12, RW));
	cr_assert(eq(int, tce_table_walk(t, WALK_IDX, &a), 0));
	/* WALK_IDX + 1: same top and middle entries, next leaf entry */
	cr_assert(eq(int, tce_table_walk(t, WALK_IDX + 1, &b), 0));
	cr_expect(eq(u32, b.reads, 3));
	cr_expect(eq(u64, b.tce, 0));
	cr_expect(eq(u64, b.addr[0], a.addr[0]));
	cr_expect(eq(u64, b.addr[1], a.addr[1]));
	cr_expect(eq(u64, b.addr[2], a.addr[2] + 8));
	tce_table_free(t);
}

Test(tce_table, walk_stops_at_first_zero_indirect_entry)
{
	struct tce_table *t = new_pnv3();
	uint64_t other_mid = (2ull << 26) | (8ull << 13);	/* top 2, middle 8 (absent) */
	struct tce_walk a, w;

	tce_table_set(t, WALK_IDX, tce_make(0x7654321000ull, 12, RW));
	cr_assert(eq(int, tce_table_walk(t, WALK_IDX, &a), 0));
	/* top entry 2 present, middle entry 8 zero: depth 1, so 2 reads */
	cr_expect(eq(int, tce_table_walk(t, other_mid, &w), -ENOENT));
	cr_expect(eq(u32, w.reads, 2));
	cr_expect(eq(u64, w.addr[0], BASE + 16));
	/* same middle node as WALK_IDX, entry 8 instead of 7 */
	cr_expect(eq(u64, w.addr[1], a.addr[1] + 8));
	cr_expect(eq(u64, w.tce, 0));
	tce_table_free(t);
}

Test(tce_table, walk_of_untouched_table_reads_only_the_top_entry)
{
	struct tce_table *t = new_pnv3();
	struct tce_walk w;

	cr_expect(eq(int, tce_table_walk(t, WALK_IDX, &w), -ENOENT));
	cr_expect(eq(u32, w.reads, 1));
	cr_expect(eq(u64, w.addr[0], BASE + 2 * 8));
	cr_expect(eq(u64, w.tce, 0));
	tce_table_free(t);
}

Test(tce_table, walk_past_it_size_is_erange_with_no_read)
{
	struct tce_table *t = new_pnv3();
	struct tce_walk w;

	/* it_size = 2^28 */
	cr_expect(eq(int, tce_table_walk(t, 1ull << 28, &w), -ERANGE));
	cr_expect(eq(u32, w.reads, 0));
	cr_expect(eq(int, tce_table_walk(t, UINT64_MAX, &w), -ERANGE));
	cr_expect(eq(u32, w.reads, 0));
	/* the last valid index is a normal (missing-level) walk */
	cr_expect(eq(int, tce_table_walk(t, (1ull << 28) - 1, &w), -ENOENT));
	cr_expect(eq(u32, w.reads, 1));
	/* top index of 2^28 - 1 is (2^28 - 1) >> 26 = 3 */
	cr_expect(eq(u64, w.addr[0], BASE + 3 * 8));
	tce_table_free(t);
}

Test(tce_table, walk_range_uses_page_floor_it_size_not_window)
{
	/* 64 MiB / 64K: 1024 TCEs, but it_size = 8192 (table bumped to 64 KiB) */
	struct tce_table *t = new_table(TCE_TABLE_PNV, 64 * MiB, 16, 1, 16, 55);
	struct tce_walk w;

	cr_expect(eq(int, tce_table_walk(t, 8191, &w), 0));
	cr_expect(eq(u32, w.reads, 1));
	cr_expect(eq(u64, w.addr[0], BASE + 8191 * 8));
	cr_expect(eq(int, tce_table_walk(t, 8192, &w), -ERANGE));
	tce_table_free(t);
}

Test(tce_table, walk_of_one_level_table_reads_the_leaf_directly)
{
	/* 1 GiB / 4K / 1 level */
	struct tce_table *t = new_table(TCE_TABLE_PNV, 1 * GiB, 12, 1, 16, 55);
	struct tce_walk w;

	cr_assert(eq(int, tce_table_walk(t, 12345, &w), 0));
	cr_expect(eq(u32, w.reads, 1));
	cr_expect(eq(u64, w.tce, 0));
	/* 12345 * 8 = 98760 */
	cr_expect(eq(u64, w.addr[0], BASE + 98760));
	tce_table_set(t, 12345, tce_make(0x3000, 12, RW));
	cr_assert(eq(int, tce_table_walk(t, 12345, &w), 0));
	cr_expect(eq(u64, w.tce, 0x3003));
	cr_expect(eq(u64, w.addr[0], BASE + 98760));
	tce_table_free(t);
}

Test(tce_table, walk_of_two_level_table_indexes_top_by_idx_shifted_by_level_bits)
{
	/* 2 GiB / 64K / 2 levels: lb = 13, top index = idx >> 13 */
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 2, 16, 55);
	uint64_t idx = (3ull << 13) | 100;	/* 24676 */
	struct tce_walk w;

	tce_table_set(t, idx, tce_make(0x90000, 16, RW));
	cr_assert(eq(int, tce_table_walk(t, idx, &w), 0));
	cr_expect(eq(u32, w.reads, 2));
	cr_expect(eq(u64, w.addr[0], BASE + 3 * 8));
	cr_expect(eq(u64, (w.addr[1] - 100 * 8) & 0xffff, 0));
	cr_expect(eq(u64, w.tce, 0x90003));
	tce_table_free(t);
}

/* ------------------------------------------------------------------ */
/* Identity mapping (direct-mapped DDW)                               */
/* ------------------------------------------------------------------ */

Test(tce_table, identity_entries_read_back_as_idx_shifted_or_perm)
{
	/* 2 GiB / 64K / 2 levels: lb = 13, it_size = 32768 */
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 2, 16, 55);

	tce_table_map_identity(t, 20000, RW);
	cr_expect(eq(u64, tce_table_get(t, 0), 0x3));
	cr_expect(eq(u64, tce_table_get(t, 1), 0x10003));
	/* 19999 = 0x4e1f; << 16 = 0x4e1f0000 */
	cr_expect(eq(u64, tce_table_get(t, 19999), 0x4e1f0003ull));
	cr_expect(eq(u64, tce_table_get(t, 20000), 0));
	tce_table_free(t);
}

Test(tce_table, identity_counts_lower_level_blocks_two_levels)
{
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 2, 16, 55);

	cr_assert(eq(u64, tce_table_bytes_allocated(t), 64 * KiB));
	/* ceil(20000 / 8192) = 3 leaf blocks; 1 + 3 = 4 blocks of 64 KiB */
	tce_table_map_identity(t, 20000, RW);
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 4 * 64 * KiB));
	tce_table_free(t);
}

Test(tce_table, identity_counts_lower_level_blocks_three_levels)
{
	struct tce_table *t = new_pnv3();
	uint64_t n = 3 * (1ull << 26) + 1;	/* 201326593 */

	/* leaves: ceil(n / 8192) = 24576 + 1 = 24577; middles: ceil(n / 2^26) = 3 + 1 = 4;
	 * 1 + 24577 + 4 = 24582 blocks * 65536 = 1611005952 bytes */
	tce_table_map_identity(t, n, RW);
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 1611005952ull));
	tce_table_free(t);
}

Test(tce_table, identity_walks_reach_the_leaf)
{
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 2, 16, 55);
	struct tce_walk w, w0, w1;

	tce_table_map_identity(t, 20000, RW);
	/* 19999: top 19999 >> 13 = 2, leaf 19999 - 16384 = 3615, 3615 * 8 = 28920 */
	cr_assert(eq(int, tce_table_walk(t, 19999, &w), 0));
	cr_expect(eq(u32, w.reads, 2));
	cr_expect(eq(u64, w.tce, 0x4e1f0003ull));
	cr_expect(eq(u64, w.addr[0], BASE + 2 * 8));
	cr_expect(eq(u64, (w.addr[1] - 28920) & 0xffff, 0));
	/* 0 and 8192 live in different leaf blocks */
	cr_assert(eq(int, tce_table_walk(t, 0, &w0), 0));
	cr_assert(eq(int, tce_table_walk(t, 8192, &w1), 0));
	cr_expect(eq(u32, w0.reads, 2));
	cr_expect(eq(u64, w0.addr[0], BASE));
	cr_expect(eq(u64, w1.addr[0], BASE + 8));
	cr_expect(eq(u64, w0.addr[1] & 0xffff, 0));
	cr_expect(eq(u64, w1.addr[1] & 0xffff, 0));
	cr_expect(not(eq(u64, w0.addr[1], w1.addr[1])));
	cr_expect(not(eq(u64, w0.addr[1], w.addr[1] - 28920)));
	cr_expect(eq(u64, w1.tce, (8192ull << 16) | 3));
	tce_table_free(t);
}

Test(tce_table, identity_walk_three_levels)
{
	struct tce_table *t = new_pnv3();
	uint64_t idx = 3ull << 26;
	struct tce_walk w;

	tce_table_map_identity(t, idx + 1, RW);
	cr_assert(eq(int, tce_table_walk(t, idx, &w), 0));
	cr_expect(eq(u32, w.reads, 3));
	/* (3 << 26) << 12 = 3 << 38 = 0xc000000000; | 3 */
	cr_expect(eq(u64, w.tce, 0xc000000003ull));
	cr_expect(eq(u64, w.addr[0], BASE + 3 * 8));
	/* middle and leaf index 0 of their nodes */
	cr_expect(eq(u64, w.addr[1] & 0xffff, 0));
	cr_expect(eq(u64, w.addr[2] & 0xffff, 0));
	tce_table_free(t);
}

Test(tce_table, identity_on_hv_table_counts_host_pages)
{
	struct tce_table *t = new_table(TCE_TABLE_HV, 1ull << 59, 12, 1, 16, 0);

	/* (2^20 + 1) * 8 = 8388616 bytes; / 65536 = 128 rem 8 -> 129 pages = 8454144 */
	tce_table_map_identity(t, (1ull << 20) + 1, RW);
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 129 * 64 * KiB));
	cr_expect(eq(u64, tce_table_get(t, 1ull << 20), ((1ull << 20) << 12) | 3));
	tce_table_free(t);
}

/*
 * Suspected model bug (see report): the levels that map_identity counts as
 * allocated are not visible to walks or later sets. In the kernel, writing
 * entries 16384..19999 through pnv_tce(alloc=true) allocates the leaf block of
 * top entry 2 (entries 16384..24575), so entry 20000 sits in a present leaf:
 * the PHB reads top[2] (non-zero) and leaf[3616] (zero), i.e. 2 reads, TCE 0,
 * and a later set of 20000 allocates no level.
 */
Test(tce_table, identity_partial_last_leaf_is_present_for_walks)
{
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 2, 16, 55);
	struct tce_walk w;

	tce_table_map_identity(t, 20000, RW);
	cr_expect(eq(int, tce_table_walk(t, 20000, &w), 0));
	cr_expect(eq(u32, w.reads, 2));
	cr_expect(eq(u64, w.tce, 0));
	tce_table_free(t);
}

Test(tce_table, identity_partial_last_leaf_needs_no_new_level_on_set)
{
	struct tce_table *t = new_table(TCE_TABLE_PNV, 2 * GiB, 16, 2, 16, 55);

	tce_table_map_identity(t, 20000, RW);
	tce_table_set(t, 20000, tce_make(0x4e200000ull, 16, RW));
	/* still 1 top + 3 leaf blocks */
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 4 * 64 * KiB));
	cr_expect(eq(u64, tce_table_get(t, 20000), 0x4e200003ull));
	tce_table_free(t);
}

Test(tce_table, identity_partial_last_host_page_needs_no_new_page_on_hv_set)
{
	struct tce_table *t = new_table(TCE_TABLE_HV, 1 * GiB, 12, 1, 16, 0);

	/* 1000 * 8 = 8000 bytes: one 64 KiB page, which also holds entry 1001 */
	tce_table_map_identity(t, 1000, RW);
	cr_assert(eq(u64, tce_table_bytes_allocated(t), 64 * KiB));
	tce_table_set(t, 1001, tce_make(0x5000, 12, RW));
	cr_expect(eq(u64, tce_table_bytes_allocated(t), 64 * KiB));
	tce_table_free(t);
}
