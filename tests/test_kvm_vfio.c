/*
 * test_kvm_vfio.c - a KVM guest's device behind VFIO on PHB4, end to end:
 * what the PHB caches (host TCEs), what the set-up kills, what the host
 * table costs.
 *
 * Closed form for the hit rate: 64 B random reads (one request each, below
 * MRRS) uniform over a 64 MiB buffer, through a fully associative LRU cache
 * of C = 128 entries, each covering one TCE of T bytes. Once warm, the cache
 * holds C distinct TCEs of the W / T the buffer spans, so a read hits with
 * probability min(1, C * T / W):
 *   host TCEs of 64K (QEMU's choice for 16M or 64K guest TCEs over 64K-page
 *   RAM, vfio_spapr_create_window): 128 * 64K / 64M = 0.125;
 *   the guest's 16M TCEs walked directly (an emulated device): dma_bench puts
 *   the buffer at a random 64K-aligned address, so unless it is 16M-aligned
 *   it spans 64M / 16M + 1 = 5 TCEs, and only those 5 cold misses miss:
 *   1 - 5 / 200000 = 0.99998 (seed 1 places it unaligned).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "ddwsim/config.h"
#include "ddwsim/sim.h"

static struct sim_result *run(const char *file, unsigned mode)
{
	struct config cfg;
	struct sim_result *r = calloc(1, sizeof(*r));

	cr_assert(r);
	cr_assert_eq(config_load(&cfg, file, NULL, 0), 0, "config %s", file);
	cr_assert_eq(sim_run(&cfg, mode, r), 0);
	config_release(&cfg);
	return r;
}

static double hit_rate(const struct sim_result *r)
{
	return (double)r->st.cache_hits / (double)r->st.cache_lookups;
}

Test(kvm_vfio, a_16m_guest_tce_hits_as_often_as_the_64k_host_tces_behind_it)
{
	struct sim_result *g16 = run("tests/host/kvm-dma-bench.yaml", 0);
	struct sim_result *g64 = run("tests/host/kvm-dma-bench.yaml", 1);

	cr_expect(fabs(hit_rate(g16) - 0.125) < 0.005, "16M guest TCEs: %.4f", hit_rate(g16));
	cr_expect(fabs(hit_rate(g64) - 0.125) < 0.005, "64K guest TCEs: %.4f", hit_rate(g64));
	/* the same host TCEs either way: the same lookups and misses */
	cr_expect_eq(g16->st.cache_misses, g64->st.cache_misses);
	cr_expect_eq(g16->host_page_shift, 16);
	/* the PHB walks the host table: 2G / 64K = 2^15 entries, 18 bits < 24: 1 level */
	cr_expect_eq(g16->host_levels, 1);
	cr_expect_eq(g16->st.walk_reads, g16->st.walks);
	free(g16);
	free(g64);
}

Test(kvm_vfio, an_emulated_device_walks_the_guests_16m_tces)
{
	struct sim_result *r = run("tests/host/emulated-dma-bench.yaml", 0);

	cr_expect_eq(r->st.cache_misses, 5);
	cr_expect_eq(r->st.cache_lookups, 200000);
	cr_expect_eq(r->host_table_bytes, 0, "no host table behind an emulated device");
	free(r);
}

Test(kvm_vfio, direct_setup_kills_once_per_guest_tce_and_counts_the_host_table)
{
	/*
	 * 2 GiB guest RAM in 16M TCEs: 128 TCEs, one H_PUT_TCE_INDIRECT, 128
	 * iommu_tce_kill (one per guest TCE), each one OPAL call. In 64K TCEs:
	 * 32768 TCEs, 64 hcalls, 32768 kills.
	 * Host table: 2 GiB of 64K host TCEs = 2^15 entries, 1 level of 2^18
	 * bytes, twice with VFIO's userspace view: 524288 either way. The
	 * guest-visible tables (KVM's, entries * 8 rounded to 64K): 128 * 8 ->
	 * 65536, 32768 * 8 = 262144.
	 */
	struct sim_result *g16 = run("tests/host/kvm-dma-bench.yaml", 0);
	struct sim_result *g64 = run("tests/host/kvm-dma-bench.yaml", 1);

	cr_expect_eq(g16->st.setup_hcalls, 1);
	cr_expect_eq(g16->st.setup_kills, 128);
	cr_expect_eq(g16->st.opal_kill_calls, 128);
	cr_expect_eq(g64->st.setup_hcalls, 64);
	cr_expect_eq(g64->st.setup_kills, 32768);
	cr_expect_eq(g16->host_table_bytes, 524288);
	cr_expect_eq(g64->host_table_bytes, 524288);
	cr_expect_eq(g16->table_bytes, 65536);
	cr_expect_eq(g64->table_bytes, 262144);
	free(g16);
	free(g64);
}

static struct sim_result *run_set(const char *file, unsigned mode, char *const *sets, unsigned n)
{
	struct config cfg;
	struct sim_result *r = calloc(1, sizeof(*r));

	cr_assert(r);
	cr_assert_eq(config_load(&cfg, file, sets, n), 0, "config %s", file);
	cr_assert_eq(sim_run(&cfg, mode, r), 0);
	config_release(&cfg);
	return r;
}

/*
 * A dynamic DDW is cleared whole by the guest when it is made: enable_ddw ->
 * iommu_init_table(newtbl) -> iommu_table_clear -> tce_freemulti_pSeriesLP
 * over it_size. The ddw-dynamic mode's 1 GiB of 64K TCEs: 2^30 / 2^16 =
 * 16384 TCEs, H_STUFF_TCE of 512 each: 32 hcalls.
 *   KVM + VFIO (per_tce): kvmppc_h_stuff_tce -> kvmppc_tce_iommu_unmap ->
 *     one iommu_tce_kill per guest TCE, an OPAL call each: 16384; per hcall
 *     (kill.per_tce: false, Linux 5.4-5.17): 32.
 *   Time at 3.8 GHz (the 263 ps clock edge): 32 x 4700 cycles + 16384 x 38
 *     (stuff_tce_cycles) = 772992 cycles x 263 ps = 203296896 ps, plus each
 *     kill's kill.cpu_ns 5500 ns up to a clock edge, ceil(5500000 / 263) =
 *     20913 edges = 5500119 ps: 16384 x 5500119 = 90113949696 ps.
 *   An emulated device (qemu-pseries, configs/default.yaml's same ddw-dynamic
 *     mode, the same hcall costs): the same hcalls and TCEs, no kill.
 */
Test(kvm_vfio, a_dynamic_ddw_is_cleared_when_made_with_a_host_kill_per_guest_tce)
{
	char *per_hcall[] = { "platform.kill.per_tce=false" };
	struct sim_result *k = run("configs/kvm-vfio-phb4-nic.yaml", 1);
	struct sim_result *h = run_set("configs/kvm-vfio-phb4-nic.yaml", 1, per_hcall, 1);
	struct sim_result *e = run("configs/default.yaml", 1);	/* qemu-pseries, the same mode */

	cr_expect_eq(k->st.setup_clears, 16384);
	cr_expect_eq(k->st.setup_tces, 0);
	cr_expect_eq(k->st.setup_hcalls, 32);
	cr_expect_eq(k->st.setup_kills, 16384);
	cr_expect_eq(k->st.setup_ps, 203296896ull + 90113949696ull);
	cr_expect_eq(h->st.setup_kills, 32);
	cr_expect_eq(e->st.setup_clears, 16384);
	cr_expect_eq(e->st.setup_hcalls, 32);
	cr_expect_eq(e->st.setup_kills, 0);
	cr_expect_eq(e->st.setup_ps, 203296896ull);
	free(k);
	free(h);
	free(e);
}

/*
 * A direct DDW is not cleared: enable_ddw maps RAM into it
 * (walk_system_ram_range -> tce_setrange_multi_pSeriesLP) and never calls
 * iommu_init_table on it. ddw-direct (mode 2): 2 GiB of 16M TCEs, 128
 * written, none cleared.
 */
Test(kvm_vfio, a_direct_ddw_is_written_not_cleared)
{
	struct sim_result *d = run("configs/kvm-vfio-phb4-nic.yaml", 2);

	cr_expect_eq(d->st.setup_clears, 0);
	cr_expect_eq(d->st.setup_tces, 128);
	free(d);
}

/*
 * mapping: auto with a largest block too small for RAM (64 TCEs of 16M):
 * enable_ddw makes a dynamic 1 GiB DDW of 16M TCEs and clears it:
 * 2^30 / 2^24 = 64 TCEs, one H_STUFF_TCE, one host kill per guest TCE: 64.
 */
Test(kvm_vfio, auto_clears_the_dynamic_ddw_it_makes)
{
	char *small[] = { "platform.ddw.largest_block=64" };
	struct sim_result *a = run_set("configs/kvm-vfio-phb4-nic.yaml", 3, small, 1);

	cr_expect_eq(a->ddw[0].kind, DDW_DYNAMIC);
	cr_expect_eq(a->st.setup_clears, 64);
	cr_expect_eq(a->st.setup_hcalls, 1);
	cr_expect_eq(a->st.setup_kills, 64);
	free(a);
}

/* sim_run's return for mode of file with sets applied (0, or -1 after its message). */
static int run_rc(const char *file, unsigned mode, char *const *sets, unsigned n)
{
	struct config cfg;
	struct sim_result *r = calloc(1, sizeof(*r));
	int rc;

	cr_assert(r);
	cr_assert_eq(config_load(&cfg, file, sets, n), 0, "config %s", file);
	rc = sim_run(&cfg, mode, r);
	config_release(&cfg);
	free(r);
	return rc;
}

/*
 * QEMU's process locks, against its RLIMIT_MEMLOCK (host.memlock), with
 * the host's 64K PAGE_SIZE (host_tce.kernel_page_size):
 *   all guest RAM, registered with VFIO (mm_iommu_new): 2 GiB = 32768 pages;
 *   per guest window, KVM's table (kvmppc_stt_pages(kvmppc_tce_pages)) and
 *   VFIO's host table (pnv_pci_ioda2_get_table_size, x2 with its userspace view):
 *   - the default window, 1G of 4K TCEs: 2^18 TCEs x 8 = 2M = 32 pages, plus
 *     ceil((128 + 32 x 8) / 64K) = 1: 33; host TCEs 4K (the guest's, below
 *     the 64K RAM page), 2^18 entries in 1 level (21 bits < 24): 2M x 2 = 64 pages;
 *   - ddw-direct's 2G of 16M TCEs: 128 x 8 = 1K -> 1 page + 1 = 2; host TCEs
 *     64K, 2^15 entries: 256K x 2 = 8 pages.
 * ddw-direct: 32768 + 33 + 64 + 2 + 8 = 32875 pages = 2154496000 bytes: it runs
 * at exactly that limit and stops one page below. libvirt's limit for this
 * guest (getPPC64MemLockLimitBytes, one PHB: 2G/128 + 4M + 8M + 2G + 2G/512
 * + 8M = 2138112 KiB = 2189426688 bytes) holds it.
 */
Test(kvm_vfio, qemu_locks_guest_ram_and_both_tables_of_each_window)
{
	char *exact[] = { "host.memlock=2154496000" };
	char *short1[] = { "host.memlock=2154430464" };
	char *libvirt[] = { "host.memlock=2189426688" };

	cr_expect_eq(run_rc("configs/kvm-vfio-phb4-nic.yaml", 2, exact, 1), 0);
	cr_expect_eq(run_rc("configs/kvm-vfio-phb4-nic.yaml", 2, short1, 1), -1);
	for (unsigned m = 0; m < 4; m++)
		cr_expect_eq(run_rc("configs/kvm-vfio-phb4-nic.yaml", m, libvirt, 1), 0, "mode %u", m);
}

/*
 * An emulated device (qemu-pseries, no VFIO): no RAM registered, only KVM's
 * table of each window: the default window's 33 pages (above) = 2162688 bytes.
 */
Test(kvm_vfio, an_emulated_devices_guest_locks_only_kvms_tables)
{
	char *exact[] = { "host.memlock=2162688" };
	char *short1[] = { "host.memlock=2097152" };

	cr_expect_eq(run_rc("configs/default.yaml", 0, exact, 1), 0);
	cr_expect_eq(run_rc("configs/default.yaml", 0, short1, 1), -1);
}
