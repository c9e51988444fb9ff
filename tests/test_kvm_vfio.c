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
