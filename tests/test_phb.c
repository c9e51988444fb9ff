/*
 * test_phb.c - the PHB's functional translation: request splitting, cache
 * lookups, walks and every kind of fault.
 */
#include <criterion/criterion.h>
#include <errno.h>
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

/*
 * phb_dma finds a DMA's window once and keeps it while its requests stay
 * inside: a read of 1024 bytes from 512 below the end of that 32M window
 * (it_size 8192 x 4K) is two requests of MRRS 512; the first translates
 * through entry 8191, the second lies past the window and faults without
 * a lookup, as it would alone.
 */
Test(phb, a_dma_running_off_its_window_faults_past_the_end)
{
	uint64_t start;
	struct window *w;

	cr_assert_eq(window_create(&pe, 12, 16ull << 20, 1, &start), 0);
	w = window_at(&pe, start);
	tce_table_set(w->tbl, 8191, tce_make(0x5000000, 12, TCE_PCI_READ));
	dma(start + (32ull << 20) - 512, 1024, false, false);
	cr_expect_eq(st.requests, 2u);
	cr_expect_eq(tce_cache_stats(cache)->lookups, 1u);
	cr_expect_eq(st.walks, 1u);
	cr_expect_eq(st.faults, 1u);
}

/*
 * Slots in order: with both slots at bus 0 (platform.ddw_start 0), the
 * default window (slot 0, 4G of 64K TCEs) holds [0, 4G) and an 8G DDW in
 * slot 1 holds the rest. A DMA over two segments, one at 5G (slot 1,
 * entry 5G / 64K = 81920) and one at 64K (in both: slot 0's entry 1, as
 * window_table_find checks slot 0 first), translates each in its own
 * window: the second request does not keep the first's.
 */
Test(phb, a_dmas_requests_take_the_first_slot_that_holds_them)
{
	struct window_platform both_at_0 = pnv;
	struct dma_seg seg[2] = { { .dma = 5ull << 30, .len = 512 }, { .dma = 0x10000, .len = 512 } };
	struct pe pe2;
	uint64_t start;

	both_at_0.slot_start[1] = 0;
	cr_assert_eq(pe_init(&pe2, &both_at_0, 3, 1), 0);
	cr_assert_eq(window_create(&pe2, 16, 8ull << 30, 1, &start), 0);
	cr_assert_eq(start, 0u);
	tce_table_set(pe2.win[1].tbl, 81920, tce_make(0x100000, 16, TCE_PCI_READ));
	tce_table_set(pe2.win[0].tbl, 1, tce_make(0x200000, 16, TCE_PCI_READ));
	phb_dma(&phb, &pe2, seg, 0, 1024, false, false);
	cr_expect_eq(st.requests, 2u);
	cr_expect_eq(st.walks, 2u);
	cr_expect_eq(st.faults, 0u);
	cr_expect(tce_cache_peek(cache, 3, 1, 81920));
	cr_expect(tce_cache_peek(cache, 3, 0, 1), "slot 0 translated the second request");
	cr_expect(!tce_cache_peek(cache, 3, 1, 1));
	pe_release(&pe2);
}

/*
 * --- host TCEs behind a guest window (KVM + VFIO) ---
 *
 * hw/vfio/spapr.c vfio_spapr_create_window:
 *   pagesize = min(guest IOMMU page size, qemu_minrampagesize());
 *   pagesize = largest of the host's pgsizes <= pagesize;
 *   entries = window_size >> page_shift; bits_total = ctz64(entries * 8);
 *   bits_per_level = ctz64(host PAGE_SIZE) + 8; levels = ceil(bits_total / bits_per_level)
 * book3s_64_vio.c kvmppc_tce_iommu_map: subpages = 1 << (guest shift - host shift),
 *   io_entry = entry * subpages, host TCE i maps ua + i * host page.
 * PHB4 host sizes (skiboot ibm,supported-tce-sizes): 4K 64K 2M 1G.
 */
#define PHB4_SIZES	((1ull << 12) | (1ull << 16) | (1ull << 21) | (1ull << 30))

Test(phb_host, qemu_picks_the_largest_host_tce_no_bigger_than_guest_tce_and_ram_page)
{
	struct phb_host h = { .page_sizes = PHB4_SIZES, .ram_shift = 16, .page_shift = 16 };
	struct phb_host none = { 0 };

	/* 16M guest TCE, 64K RAM pages: min = 64K -> 64K (16) */
	cr_expect_eq(phb_host_shift(&h, 24), 16u);
	/* 64K guest TCE: 64K; 4K guest TCE: 4K */
	cr_expect_eq(phb_host_shift(&h, 16), 16u);
	cr_expect_eq(phb_host_shift(&h, 12), 12u);
	/* 16M hugetlbfs backing: min(16M, 16M) = 16M -> largest <= 16M is 2M (21) */
	h.ram_shift = 24;
	cr_expect_eq(phb_host_shift(&h, 24), 21u);
	/* 1G RAM backing, a 2M guest TCE: min = 2M -> 2M */
	h.ram_shift = 30;
	cr_expect_eq(phb_host_shift(&h, 21), 21u);
	/* a host whose smallest TCE is 2M cannot back 64K RAM pages: 0 (QEMU: -EINVAL) */
	h.page_sizes = (1ull << 21) | (1ull << 30);
	h.ram_shift = 16;
	cr_expect_eq(phb_host_shift(&h, 24), 0u);
	/* no host side: the guest's own TCEs */
	cr_expect_eq(phb_host_shift(&none, 24), 24u);
}

Test(phb_host, host_table_of_a_1tib_16m_window_is_two_levels_of_64k_tces)
{
	/*
	 * 1 TiB guest window of 16M TCEs, 64K host TCEs: entries = 2^40 / 2^16 =
	 * 2^24, bits_total = 24 + 3 = 27, bits_per_level = 16 + 8 = 24 -> 2 levels.
	 * pnv_pci_ioda2_table_alloc_pages: ceil(24 / 2) = 12 bits a level,
	 * level_shift = max(12 + 3, 16) = 16; (16 - 3) * 2 + 16 = 42 < 55.
	 * pnv_pci_ioda2_get_table_size: tce_table_size = 2^27, direct = 2^16:
	 * level 1 adds 2^27, then max((2^27 / 2^16) << 3, 2^16) = 2^16 for
	 * level 2; (2^27 + 2^16) * 2 = 268566528 with the userspace view.
	 */
	struct phb_host h = { .page_sizes = PHB4_SIZES, .ram_shift = 16, .page_shift = 16 };
	struct tce_geom guest = { .page_shift = 24, .window_size = 1ull << 40 }, g;

	cr_assert_eq(phb_host_geom(&h, &guest, &g), 0);
	cr_expect_eq(g.page_shift, 16u);
	cr_expect_eq(g.levels, 2u);
	cr_expect_eq(g.level_shift, 16u);
	cr_expect_eq(phb_host_table_bytes(&h, &guest), 268566528ull);
	/* 2 GiB of 16M: 2^15 host entries, bits_total 18 -> 1 level, 2^18 B, x2 = 524288 */
	guest.window_size = 2ull << 30;
	cr_expect_eq(phb_host_table_bytes(&h, &guest), 524288ull);
	/* no host side: no host table */
	cr_expect_eq(phb_host_table_bytes(&(struct phb_host){ 0 }, &guest), 0ull);
}

Test(phb_host, qemus_32_bit_entries_give_a_16t_window_of_4k_tces_three_levels)
{
	/*
	 * 2^44 / 2^12 = 2^32 entries: QEMU's `unsigned entries` is 0, ctz64(0 * 8)
	 * = 64, ceil(64 / 24) = 3 levels (2^32 * 8 would give ctz 35 -> 2).
	 * pnv: ceil(32 / 3) = 11 bits, level_shift max(14, 16) = 16,
	 * 13 * 3 + 12 = 51 < 55: accepted with 3 levels. One below, 2^43: 2^31
	 * entries, ctz 34 -> 2 levels of 16 bits (level_shift 19): 16 * 2 + 12 = 44.
	 */
	struct phb_host h = { .page_sizes = PHB4_SIZES, .ram_shift = 12, .page_shift = 16 };
	struct tce_geom guest = { .page_shift = 12, .window_size = 1ull << 44 }, g;

	cr_assert_eq(phb_host_geom(&h, &guest, &g), 0);
	cr_expect_eq(g.levels, 3u);
	guest.window_size = 1ull << 43;
	cr_assert_eq(phb_host_geom(&h, &guest, &g), 0);
	cr_expect_eq(g.levels, 2u);
	cr_expect_eq(g.level_shift, 19u);
}

Test(phb_host, a_512p_window_of_4k_host_tces_fits_no_level_count)
{
	/* 2^59 / 2^12 = 2^47 entries (0 in QEMU's 32 bits: ctz 64): the guess is
	 * ceil(64 / 24) = 3 levels of ceil(47 / 3) = 16 bits (level_shift 19):
	 * 16 * 3 + 12 = 60 >= 55; QEMU stops at (64 - 12) / 16 = 3 levels: no
	 * window (-EINVAL). */
	struct phb_host h = { .page_sizes = PHB4_SIZES, .ram_shift = 12, .page_shift = 16 };
	struct tce_geom guest = { .page_shift = 12, .window_size = 1ull << 59 }, g;

	cr_expect_eq(phb_host_geom(&h, &guest, &g), -EINVAL);
}

static const struct window_platform guest_plat = {
	.kind = TCE_TABLE_HV, .page_sizes = (1ull << 12) | (1ull << 16) | (1ull << 24),
	.max_windows = 2, .max_levels = 1, .host_page_shift = 16,
	.slot_start = { 0, 1ull << 59 }, .def_page_shift = 12, .def_size = 1ull << 30,
	.def_levels = 1,
};

Test(phb_host, a_16m_guest_tce_is_cached_and_walked_as_256_host_tces_of_64k)
{
	/*
	 * Guest DDW of 16M TCEs at 1 << 59; guest entry 2 maps real 0x5000000.
	 * Host TCEs of 64K: guest entry 2 is host entries 512..767; host entry
	 * 512 + i maps 0x5000000 + i * 64K. Reads at window offsets 32M (host
	 * 512), 32M + 64K (host 513) and 32M + 64K + 512 (host 513 again): 2
	 * misses, 1 hit; each miss reads the host table's 1 level (a 2G window:
	 * 2^15 host entries, 18 bits < 24). Without a host side the same three
	 * reads are 1 miss and 2 hits.
	 */
	struct tce_cache_cfg cc = { .entries = 64, .ways = 64, .policy = TCE_CACHE_LRU };
	uint64_t start, tce, base = 1ull << 59;
	struct window *w;

	memset(&st, 0, sizeof(st));
	cr_assert_eq(pe_init(&pe, &guest_plat, 3, 1), 0);
	cr_assert_eq(tce_cache_new(&cache, &cc), 0);
	phb = (struct phb){ .cache = cache, .mps = 256, .mrrs = 512, .st = &st,
			    .host = { .page_sizes = PHB4_SIZES, .ram_shift = 16, .page_shift = 16 } };
	cr_assert_eq(window_create(&pe, 24, 2ull << 30, 1, &start), 0);
	cr_assert_eq(start, base);
	w = window_at(&pe, start);
	tce_table_set(w->tbl, 2, tce_make(0x5000000, 24, TCE_PCI_READ | TCE_PCI_WRITE));
	dma(base + (32ull << 20), 64, false, false);
	dma(base + (32ull << 20) + 0x10000, 64, false, false);
	dma(base + (32ull << 20) + 0x10200, 64, false, false);
	cr_expect_eq(st.cache_misses, 2u);
	cr_expect_eq(st.cache_hits, 1u);
	cr_expect_eq(st.walk_reads, 2u);
	cr_expect_eq(st.faults, 0u);
	cr_expect(tce_cache_lookup(cache, 3, w->num, 513, &tce), "host entry 513 cached");
	cr_expect_eq(tce, 0x5010003ull);
	cr_expect(!tce_cache_lookup(cache, 3, w->num, 2, &tce), "not the guest entry");

	tce_cache_free(cache);
	memset(&st, 0, sizeof(st));
	cr_assert_eq(tce_cache_new(&cache, &cc), 0);
	phb = (struct phb){ .cache = cache, .mps = 256, .mrrs = 512, .st = &st };
	dma(base + (32ull << 20), 64, false, false);
	dma(base + (32ull << 20) + 0x10000, 64, false, false);
	dma(base + (32ull << 20) + 0x10200, 64, false, false);
	cr_expect_eq(st.cache_misses, 1u);
	cr_expect_eq(st.cache_hits, 2u);
	tce_cache_free(cache);
	pe_release(&pe);
}

/*
 * The outcome log is a ring: outcomes pushed one at a time and n at once
 * (phb_log_push_n), across its end and through its growth, pop in the order
 * they were pushed.
 */
Test(phb, outcome_log_keeps_its_order_across_wrap_and_growth)
{
	struct phb_log l = { 0 };
	uint8_t want[20000];
	size_t nwant = 0, next = 0;

	for (unsigned i = 0; i < 4000; i++)
		phb_log_push(&l, want[nwant++] = (uint8_t)i);
	cr_assert_eq(l.cap, 4096u, "the first ring");
	for (unsigned i = 0; i < 3000; i++)
		cr_assert_eq(phb_log_pop(&l), want[next++]);
	/* head 3000, 1000 held: 2000 more wrap past the end without growing */
	phb_log_push_n(&l, PHB_HIT, 2000);
	memset(want + nwant, PHB_HIT, 2000);
	nwant += 2000;
	cr_expect_eq(l.cap, 4096u);
	phb_log_push(&l, want[nwant++] = PHB_MISS | 3);
	/* 3001 held: 5000 more need 8001, so the ring grows to 8192 */
	phb_log_push_n(&l, PHB_FAULT, 5000);
	memset(want + nwant, PHB_FAULT, 5000);
	nwant += 5000;
	cr_expect_eq(l.cap, 8192u);
	cr_expect_eq(l.n, 8001u);
	phb_log_push_n(&l, PHB_NOWIN, 0);
	cr_expect_eq(l.n, 8001u, "pushing none pushes nothing");
	while (l.n)
		cr_assert_eq(phb_log_pop(&l), want[next++], "outcome %zu", next);
	cr_expect_eq(next, nwant);
	phb_log_release(&l);
}

/*
 * phb_run with a log (the timed replay's run ahead) logs each DMA's outcome
 * as phb_dma one at a time does, and counts the same: 300 writes of 64 bytes
 * at (k * 0x6100) mod 2 MiB through the default window's 64K TCEs 0..31,
 * where the even TCEs of 0..15 allow writes, the odd ones only reads and
 * 16..31 are not set. A write faults unless its TCE (offset >> 16) is even
 * and below 16.
 */
Test(phb, a_run_logs_the_outcomes_of_its_dmas_one_at_a_time)
{
	struct tce_cache *c2;
	struct tce_cache_cfg cc = { .entries = 64, .ways = 64, .policy = TCE_CACHE_LRU };
	struct mode_stats st2 = { 0 };
	struct phb_log l1 = { 0 }, l2 = { 0 };
	struct phb p2;
	struct dma_seg seg = { .dma = 0, .len = 2u << 20 };
	uint64_t off[300], faults = 0;

	for (uint64_t i = 0; i < 16; i++)
		set_tce(i, 0x1000000 + (i << 16), i % 2 ? TCE_PCI_READ : TCE_PCI_READ | TCE_PCI_WRITE);
	for (unsigned k = 0; k < 300; k++) {
		off[k] = (k * 0x6100ull) % (2u << 20);
		faults += (off[k] >> 16) % 2 || (off[k] >> 16) >= 16;
	}
	cr_assert_eq(tce_cache_new(&c2, &cc), 0);
	p2 = (struct phb){ .cache = c2, .mps = 256, .mrrs = 512, .st = &st2, .log = &l2 };
	phb.log = &l1;
	cr_expect_eq(phb_run(&phb, &pe, &seg, seg.len, off, 300, 64, true), 0u, "all within");
	for (unsigned k = 0; k < 300; k++)
		phb_dma(&p2, &pe, &seg, off[k], 64, true, false);
	cr_expect_eq(st.faults, faults);
	cr_expect_eq(st2.faults, faults);
	cr_expect_eq(st.requests, 300u);
	cr_expect_eq(st.cache_hits, st2.cache_hits);
	cr_expect_eq(st.cache_misses, st2.cache_misses);
	cr_expect_eq(st.walk_reads, st2.walk_reads);
	cr_assert_eq(l1.n, 300u);
	cr_assert_eq(l2.n, 300u);
	for (unsigned k = 0; k < 300; k++) {
		uint8_t o = phb_log_pop(&l1);

		cr_expect_eq(o, phb_log_pop(&l2), "DMA %u", k);
		cr_expect_eq(!!(o & PHB_FAULT), (off[k] >> 16) % 2 || (off[k] >> 16) >= 16,
			     "DMA %u at %#llx", k, (unsigned long long)off[k]);
	}
	phb.log = NULL;
	phb_log_release(&l1);
	phb_log_release(&l2);
	tce_cache_free(c2);
}
