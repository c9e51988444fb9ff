/*
 * test_phb.c - the PHB's functional translation: request splitting, cache
 * lookups, walks and every kind of fault.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ddwsim/dma_api.h"
#include "ddwsim/phb.h"

static const struct window_platform pnv = {
	.kind = TCE_TABLE_PNV, .page_sizes = (1ull << 12) | (1ull << 16), .max_windows = 2,
	.max_levels = 5, .host_page_shift = 16, .max_bits = 55,
	.slot_start = { 0, 1ull << 59 }, .def_page_shift = 16, .def_size = 1ull << 32,
	.def_levels = 2,
};

static struct pe pe;
static struct tce_cache *cache;
static struct mode_stats st;
static struct phb phb;

static void setup(void)
{
	struct tce_cache_cfg cc = { .entries = 64, .ways = 64, .policy = TCE_CACHE_LRU };

	memset(&st, 0, sizeof(st));
	cr_assert_eq(pe_init(&pe, &pnv, 3, 1), 0);
	cr_assert_eq(tce_cache_new(&cache, &cc), 0);
	phb = (struct phb){ .cache = cache, .mps = 256, .mrrs = 512, .st = &st };
}

/* One DMA of len bytes at bus address bus (a one-segment mapping). */
static void dma(uint64_t bus, uint64_t len, bool write, bool bypass)
{
	struct dma_seg seg = { .dma = bus, .len = len };

	phb_dma(&phb, &pe, &seg, 0, len, write, bypass);
}

static void teardown(void)
{
	tce_cache_free(cache);
	pe_release(&pe);
}

TestSuite(phb, .init = setup, .fini = teardown);

static void set_tce(uint64_t idx, uint64_t phys, uint64_t perm)
{
	tce_table_set(pe.win[0].tbl, idx, tce_make(phys, 16, perm));
}

Test(phb, write_of_1500_bytes_at_offset_0_is_6_requests_of_at_most_256)
{
	set_tce(1, 0x40000, TCE_PCI_READ | TCE_PCI_WRITE);
	dma(0x10000, 1500, true, false);
	/* ceil(1500 / 256) = 6 requests, all in page 1: 1 miss then 5 hits */
	cr_expect_eq(st.requests, 6);
	cr_expect_eq(tce_cache_stats(cache)->lookups, 6);
	cr_expect_eq(tce_cache_stats(cache)->misses, 1);
	cr_expect_eq(st.walks, 1);
	cr_expect_eq(st.walk_reads, 2, "2-level table: 2 dependent reads");
	cr_expect_eq(st.faults, 0);
}

Test(phb, unaligned_start_adds_a_request)
{
	set_tce(1, 0x40000, TCE_PCI_READ | TCE_PCI_WRITE);
	/* from 0x10064: 156 to the 256 boundary, 5 x 256, then 1500-156-1280 = 64 */
	dma(0x10064, 1500, true, false);
	cr_expect_eq(st.requests, 7);
}

Test(phb, reads_split_at_mrrs)
{
	set_tce(1, 0x40000, TCE_PCI_READ);
	dma(0x10000, 4096, false, false);
	cr_expect_eq(st.requests, 8, "4096 / 512");
	cr_expect_eq(st.faults, 0);
}

Test(phb, write_through_a_read_only_tce_faults_on_every_request)
{
	set_tce(1, 0x40000, TCE_PCI_READ);
	dma(0x10000, 512, true, false);
	/* 2 requests; the TCE is valid, so it is cached, but neither may write */
	cr_expect_eq(st.faults, 2);
	cr_expect_eq(tce_cache_stats(cache)->hits, 1);
}

Test(phb, missing_level_faults_after_one_read)
{
	/* nothing mapped: the top-level entry for index 5 is zero */
	dma(5ull << 16, 64, false, false);
	cr_expect_eq(st.faults, 1);
	cr_expect_eq(st.walks, 1);
	cr_expect_eq(st.walk_reads, 1);
	cr_expect_eq(tce_cache_valid(cache), 0, "nothing is cached from a failed walk");
}

Test(phb, zero_tce_under_a_present_level_faults_after_two_reads)
{
	set_tce(1, 0x40000, TCE_PCI_READ);
	dma(2ull << 16, 64, false, false);	/* same leaf block, entry 2 is 0 */
	cr_expect_eq(st.faults, 1);
	cr_expect_eq(st.walk_reads, 2);
}

Test(phb, address_outside_every_window_faults_without_a_lookup)
{
	dma(1ull << 40, 64, false, false);
	cr_expect_eq(st.faults, 1);
	cr_expect_eq(tce_cache_stats(cache)->lookups, 0);
	cr_expect_eq(st.walks, 0);
}

Test(phb, bypass_counts_requests_but_translates_nothing)
{
	dma((1ull << 59) + 0x1234, 1024, true, true);
	/* 0x1234 -> 0x1300 is 204 bytes, then 3 x 256, then 1024-204-768 = 52 */
	cr_expect_eq(st.requests, 5);
	cr_expect_eq(tce_cache_stats(cache)->lookups, 0);
	cr_expect_eq(st.faults, 0);
}

Test(phb, cache_tags_carry_the_pe_number)
{
	uint64_t tce;

	set_tce(1, 0x40000, TCE_PCI_READ);
	dma(0x10000, 64, false, false);
	cr_expect(tce_cache_lookup(cache, 3, 0, 1, &tce), "cached under PE 3");
	cr_expect(!tce_cache_lookup(cache, 4, 0, 1, &tce));
}

/*
 * A 16M DDW of 4K TCEs on a 64K-page PowerNV host: the table is rounded up
 * to one 64K page (pnv_pci_ioda2_table_alloc_pages: table_shift =
 * max(entries_shift + 3, PAGE_SHIFT)), so it_size = 65536 / 8 = 8192 entries,
 * and the TVE translates 8192 x 4K = 32M. An address at 20M (entry 5120,
 * which the allocator may hand out) translates; one at 32M is outside.
 */
Test(phb, a_window_translates_its_tables_it_size_not_just_its_size)
{
	uint64_t start;
	struct window *w;

	cr_assert_eq(window_create(&pe, 12, 16ull << 20, 1, &start), 0);
	w = window_at(&pe, start);
	cr_assert_not_null(w);
	cr_assert_eq(tce_table_geom(w->tbl)->it_size, 8192u);
	tce_table_set(w->tbl, 5120, tce_make(0x5000000, 12, TCE_PCI_READ));
	dma(start + (5120ull << 12), 64, false, false);
	cr_expect_eq(st.faults, 0u);
	cr_expect_eq(st.walks, 1u);
	dma(start + (8192ull << 12), 64, false, false);
	cr_expect_eq(st.faults, 1u);
	cr_expect_eq(st.walks, 1u);	/* no window: no lookup, no walk */
}
