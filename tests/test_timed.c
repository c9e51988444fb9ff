/*
 * test_timed.c - the timed replay against figures worked out by hand.
 *
 * tests/timing/base.yaml gives round numbers. Its constants, in ps:
 *   link byte      the pcie-bench model (link.c): raw 8 GT/s * 8 lanes *
 *                  128/130 = 63.0154 Gb/s, less an ACK and an FC DLLP of
 *                  8 B per 203 symbols each (Gen3 x8, MPS 256) and 4 B of
 *                  SKIP per 1538: 63.0154 * (1 - 16/203 - 4/1538) =
 *                  57.8848 Gb/s, so 8000 / 57.8848 = 138.2056 ps a byte
 *   read request   below 4 GiB (the default window) a 3-DW MRd: 8 + 4 + 8
 *                  = 20 B, 2764.1 -> 2764 ps; in a DDW (1 << 59) a 4-DW
 *                  MRd: 24 B, 3316.9 -> 3317 ps
 *   64 B completion 64 + 20 B CplD = 84 B: 11609.3 -> 11609 ps
 *   link latency   163000 ps each way
 *   TCE lookup     2 cycles of 2000 MHz = 1000 ps
 *   memory         197000 ps (a multiple of the 500 ps cycle)
 *   walk read      355000 ps per level
 *   CPU cycle      1e6 / 3800 = 263.16 -> 263 ps
 * Components work on their clock edges: a request reaching the PHB at time A
 * is looked up from the next 500 ps edge, and a host op starts on a 263 ps
 * edge. A 64 B read started at t0 reaches the PHB at A = t0 + 2764 + 163000;
 * from the edge P >= A it takes 1000 (lookup) [+ 355000 per level walked]
 * + 197000 (memory) + 11609 (completion) + 163000 (back to the device).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/config.h"
#include "ddwsim/sim.h"
#include "ddwsim/stats.h"
#include "ddwsim/timed.h"

static struct sim_result *run(const char *file, char **sets, unsigned n)
{
	struct config cfg;
	struct sim_result *r = calloc(1, sizeof(*r));

	cr_assert(r);
	cr_assert_eq(config_load(&cfg, file, sets, n), 0, "config %s", file);
	cr_assert_eq(sim_run(&cfg, 0, r), 0);
	config_release(&cfg);
	return r;
}

Test(timed, serial_reads_in_one_page_miss_once_then_hit)
{
	struct sim_result *r = run("tests/timing/base.yaml", NULL, 0);

	/*
	 * The map starts at 0: alloc 1140 + H_PUT_TCE (4700 + 380) = 6220 cycles
	 * = 1635860 ps. Read 1 starts there: A = 1801624, P = 1802000, walk done
	 * 2158000, memory 2355000, completion 2366609, done 2529609: 893749 ps.
	 * Read 2 starts at 2529609: A = 2695373, P = 2695500 (+127), done after
	 * 538500 ps; 538500 is a multiple of 500, so every later read also waits
	 * 127 ps for the edge and takes 538500. Last read done at
	 * 2529609 + 9 * 538500 = 7376109; the unmap starts at the next CPU edge,
	 * 28047 * 263 = 7376361, and takes alloc 1140 + H_STUFF_TCE (4700 + 38)
	 * = 5878 cycles = 1545914 ps: the run ends at 8922275 ps.
	 */
	cr_expect_eq(r->st.cache_misses, 1);
	cr_expect_eq(r->st.cache_hits, 9);
	cr_expect_eq(r->dma_latency.count, 10);
	cr_expect_eq(r->dma_latency.max, 893749, "the first read walks one level");
	/* mean = (893749 + 9 * 538500) / 10 = 574024.9 ps */
	cr_expect(fabs(hist_mean(&r->dma_latency) - 574024.9) < 0.05);
	cr_expect_eq(r->st.cpu_map_ps, 1635860);
	cr_expect_eq(r->st.cpu_unmap_ps, 1545914);
	cr_expect_eq(r->st.time_ps, 8922275);
	free(r);
}

Test(timed, all_hits_take_n_times_the_hit_latency)
{
	char *sets[] = { "run.ios=1001", "modes[0].mapping=direct",
			 "modes[0].window.page_size=16M", "modes[0].window.size=ram" };
	struct sim_result *r = run("tests/timing/base.yaml", sets, 4);

	/*
	 * direct: the map is 50 cycles (13150 ps). The DDW is above 4 GiB, so
	 * requests are 24 B (3317 ps). Read 1: A = 179467, P = 179500, done
	 * 907109 (893959 ps). Read 2: A = 907109 + 166317 = 1073426, P = 1073500
	 * (+74), done 1073500 + 372609 = 1446109: 539000 ps, a multiple of 500,
	 * so the 1000 hits take 539000 ps each.
	 */
	cr_expect_eq(r->st.cache_misses, 1);
	cr_expect_eq(r->st.dma_last_ps - r->st.dma_first_ps, 893959 + 1000ull * 539000);
	cr_expect_eq(r->st.dma_first_ps, 13150);
	free(r);
}

/*
 * The first read walks `levels` entries. The map (alloc 1140 + 16 TCE writes
 * of 10 = 1300 cycles = 341900 ps, then the OPAL kill, 5500119 ps) completes
 * at 5842019; the read (a 24 B MRd: the DDW is above 4 GiB) reaches the
 * PHB at 5842019 + 3317 + 163000 = 6008336 and starts at the edge 6008500,
 * 166481 ps after it started; then 1000 + levels * 355000 + 197000 + 11609
 * + 163000: 539090 + levels * 355000 ps in all.
 */
static void check_levels(unsigned levels)
{
	char lv[64], *sets[] = { lv, "run.ios=1", "workload.window=64K" };
	struct sim_result *r;

	snprintf(lv, sizeof(lv), "modes[0].window.levels=%u", levels);
	r = run("tests/timing/pnv.yaml", sets, 3);
	cr_expect_eq(r->st.walk_reads, levels);
	cr_expect_eq(r->dma_latency.max, 539090 + levels * 355000ull, "%u levels", levels);
	free(r);
}

Test(timed, a_single_miss_costs_one_read_per_level)
{
	for (unsigned l = 1; l <= 5; l++)
		check_levels(l);
}

Test(timed, more_levels_are_never_faster)
{
	uint64_t prev = 0;

	for (unsigned l = 1; l <= 5; l++) {
		char lv[64], *sets[] = { lv };
		struct sim_result *r;

		snprintf(lv, sizeof(lv), "modes[0].window.levels=%u", l);
		r = run("tests/timing/pnv.yaml", sets, 1);
		cr_expect_geq(r->st.time_ps, prev, "%u levels faster than %u", l, l - 1);
		prev = r->st.time_ps;
		free(r);
	}
}

/*
 * Pipelined 64 B reads over 64M of 4K pages almost all miss. With one
 * walker, walks go one after another: 1000 + 355000 ps each. With 64, the
 * downstream link is the limit: one 84-byte completion per 11609 ps, after
 * the first read's 893749 ps: (893749 + 3999 * 11609) / 4000 = 11830 ps.
 */
Test(timed, walks_are_limited_by_max_outstanding)
{
	char *one[] = { "workload.window=64M", "workload.pattern=random", "workload.outstanding=0",
			"run.ios=4000", "platform.walk.max_outstanding=1" };
	char *many[] = { "workload.window=64M", "workload.pattern=random", "workload.outstanding=0",
			 "run.ios=4000", "platform.walk.max_outstanding=64" };
	struct sim_result *a = run("tests/timing/base.yaml", one, 5);
	struct sim_result *b = run("tests/timing/base.yaml", many, 5);
	double per_a = (double)(a->st.dma_last_ps - a->st.dma_first_ps) / a->st.walks;
	double per_b = (double)(b->st.dma_last_ps - b->st.dma_first_ps) / 4000;

	cr_expect(fabs(per_a - 356000) / 356000 < 0.01, "one walker: %.0f ps per walk", per_a);
	cr_expect(fabs(per_b - 11830) / 11830 < 0.005, "64 walkers: %.0f ps per read", per_b);
	cr_expect_gt(a->st.stall_ps, 0);
	free(a);
	free(b);
}

/*
 * Link-bound: 4K writes into a direct window (all hits after the first):
 * 16 MWr TLPs of 256 + 24 bytes (4-DW headers: the window is above 4 GiB),
 * 280 * 138.2056 = 38697.6 -> 38698 ps each, so 619168 ps per DMA and
 * 4096 * 8 / 619.168 = 52.92 Gb/s. The pcie-bench model gives 6.62 GB/s
 * = 52.96 Gb/s (numbers.md §3.2: TLP_bw x 256 / 280).
 */
Test(timed, big_writes_are_link_bound)
{
	char *sets[] = { "modes[0].mapping=direct", "modes[0].window.page_size=16M",
			 "modes[0].window.size=ram", "workload.window=64M", "workload.access=4K",
			 "workload.direction=write", "workload.outstanding=0", "run.ios=2000" };
	struct sim_result *r = run("tests/timing/base.yaml", sets, 8);
	double span = (double)(r->st.dma_last_ps - r->st.dma_first_ps);
	double gbps = r->st.bytes * 8e3 / span;

	cr_expect(fabs(gbps - 52.92) < 0.05, "%.3f Gb/s", gbps);
	cr_expect_eq(r->st.stall_ps, 0);
	free(r);
}

/*
 * Translation-bound: the same writes through a 4K default window with one
 * walker and 1000 ns walk reads: every DMA's first request misses a new page
 * and waits for the previous walk, so a DMA takes 1000 + 1000000 ps, more
 * than the link's 619168.
 */
Test(timed, small_page_misses_make_writes_translation_bound)
{
	char *sets[] = { "workload.window=64M", "workload.access=4K", "workload.direction=write",
			 "workload.pattern=sequential", "workload.outstanding=0", "run.ios=2000",
			 "platform.walk.max_outstanding=1", "platform.tce_cache.entries=16",
			 "platform.tce_cache.ways=16", "platform.walk.memory_latency_ns=1000" };
	struct sim_result *r = run("tests/timing/base.yaml", sets, 10);
	double per = (double)(r->st.dma_last_ps - r->st.dma_first_ps) / 2000;

	cr_expect_eq(r->st.walks, 2000);
	cr_expect(fabs(per - 1001000) / 1001000 < 0.01, "%.0f ps per DMA", per);
	free(r);
}

/*
 * A kill stall: PowerNV kills the PE on every map (on_map). The kill is
 * issued when the map's TCE writes are done, at 341900 ps (see above); the
 * PHB stalls from its next edge, 342000, for 20 us: until 20342000. The map
 * completes kill.cpu_ns later (5.5 us in whole 263 ps cycles: 20913 cycles,
 * 5500119 ps), at 5842019, and the read reaches the PHB at 6008336 (see
 * check_levels), so it waits 20342000 - 6008336 = 14333664 ps. Without the stall it would have
 * started at the edge 6008500, so its latency grows by 20342000 - 6008500.
 */
Test(timed, a_kill_stalls_translation)
{
	char *sets[] = { "platform.kill.stall_ns=20000", "run.ios=1", "workload.window=64K" };
	struct sim_result *r = run("tests/timing/pnv.yaml", sets, 3);
	char *none[] = { "platform.kill.stall_ns=0", "run.ios=1", "workload.window=64K" };
	struct sim_result *z = run("tests/timing/pnv.yaml", none, 3);

	cr_expect_eq(z->st.stall_ps, 0);
	cr_expect_eq(r->st.stall_ps, 14333664);
	cr_expect_eq(r->dma_latency.max - z->dma_latency.max, 20342000 - 6008500);
	free(r);
	free(z);
}

Test(timed, bigger_lru_cache_never_has_fewer_hits)
{
	uint64_t prev = 0;

	for (unsigned e = 16; e <= 512; e *= 2) {
		char a[64], b[64], *sets[] = { a, b, "run.timing=false", "workload.window=4M",
					       "workload.pattern=random", "run.ios=20000" };
		struct sim_result *r;

		snprintf(a, sizeof(a), "platform.tce_cache.entries=%u", e);
		snprintf(b, sizeof(b), "platform.tce_cache.ways=%u", e);
		r = run("tests/timing/base.yaml", sets, 6);
		cr_expect_geq(r->st.cache_hits, prev, "%u entries", e);
		prev = r->st.cache_hits;
		free(r);
	}
}

/* Pipelined DMAs of `access` ("64" or "64K") bytes in a direct DDW (above 4 GiB, all hits): Gb/s. */
static double direct_gbps(const char *access, const char *dir, const char *extra)
{
	char a[64], d[64], n[64], *sets[] = { "modes[0].mapping=direct", "modes[0].window.page_size=16M",
				       "modes[0].window.size=ram", "workload.window=64M", a, d,
				       "workload.outstanding=0", n,
				       (char *)(extra ? extra : "run.seed=1") };
	struct sim_result *r;
	double gbps;

	snprintf(a, sizeof(a), "workload.access=%s", access);
	snprintf(d, sizeof(d), "workload.direction=%s", dir);
	/* enough DMAs that the first one's latency is under 0.5 % of the span */
	snprintf(n, sizeof(n), "run.ios=%u", strlen(access) > 3 ? 3000 : 20000);
	r = run("tests/timing/base.yaml", sets, 9);
	gbps = r->st.bytes * 8e3 / (double)(r->st.dma_last_ps - r->st.dma_first_ps);
	free(r);
	return gbps;
}

/*
 * The link as the pcie-bench model has it, end to end (Gen3 x8, MPS 256,
 * MRRS 512; numbers.md §3.2; the formulas are worked in test_link.c):
 * 64 KiB writes 57.8848 x 256/280 = 52.92 Gb/s (pcie-model: 6.62 GB/s),
 * 64 KiB reads 57.8848 x 256/276 = 53.69 (completions cut at MPS, 20 B
 * CplD headers; the 24 B requests take the other direction), 64 B writes
 * 57.8848 x 64/88 = 42.10, 64 B reads 57.8848 x 64/84 = 44.10 Gb/s. Within
 * 1 % (the first DMA's latency is in the span).
 */
Test(timed, the_link_moves_what_the_pcie_bench_model_says)
{
	double w = direct_gbps("64K", "write", NULL), r = direct_gbps("64K", "read", NULL);
	double w64 = direct_gbps("64", "write", NULL), r64 = direct_gbps("64", "read", NULL);

	cr_expect(fabs(w / 52.92 - 1) < 0.01, "64 KiB writes: %.3f Gb/s", w);
	cr_expect(fabs(r / 53.69 - 1) < 0.01, "64 KiB reads: %.3f Gb/s", r);
	cr_expect(fabs(w64 / 42.10 - 1) < 0.01, "64 B writes: %.3f Gb/s", w64);
	cr_expect(fabs(r64 / 44.10 - 1) < 0.01, "64 B reads: %.3f Gb/s", r64);
}

/*
 * Read tags: with 4, a read waits for the completion of the one 4 ahead.
 * A hit's round trip in the DDW is 539000 ps (all_hits_take_n_times...),
 * so 64 B reads run at 4 x 512 bits / 539 ns = 3.80 Gb/s. Writes are
 * posted and take no tag: still 42.10 Gb/s.
 */
Test(timed, read_tags_bound_the_reads_in_flight)
{
	double r = direct_gbps("64", "read", "platform.pcie.read_tags=4");
	double w = direct_gbps("64", "write", "platform.pcie.read_tags=1");

	cr_expect(fabs(r / (4 * 512 / 539.0) - 1) < 0.01, "4 tags: %.3f Gb/s", r);
	cr_expect(fabs(w / 42.10 - 1) < 0.01, "writes need no tag: %.3f Gb/s", w);
}

/*
 * A busy translation unit: 40 cycles (20000 ps) per lookup is slower than
 * the link's 11609 ps per 64 B read, so hits come at one per 20000 ps:
 * 512 / 20 = 25.6 Gb/s. All misses with walk.busy_cycles 60 more: one per
 * (40 + 60) x 500 = 50000 ps, 10.24 Gb/s (64 walkers of 356 ns are not the
 * bound: 5.6 ns a walk).
 */
Test(timed, a_busy_translation_unit_bounds_lookups)
{
	char *miss[] = { "workload.window=64M", "workload.pattern=random", "workload.outstanding=0",
			 "run.ios=4000", "platform.tce_cache.busy_cycles=40",
			 "platform.walk.busy_cycles=60" };
	double hit = direct_gbps("64", "read", "platform.tce_cache.busy_cycles=40");
	struct sim_result *r = run("tests/timing/base.yaml", miss, 6);
	double per = (double)(r->st.dma_last_ps - r->st.dma_first_ps) / 4000;

	cr_expect(fabs(hit / 25.6 - 1) < 0.01, "hits: %.3f Gb/s", hit);
	cr_expect(r->st.walks > 3900);
	cr_expect(fabs(per / 50000 - 1) < 0.02, "misses: %.0f ps per read", per);
	cr_expect_gt(r->st.stall_ps, 0, "the wait for the unit is translation stall");
	free(r);
}

/*
 * In-order translation over 64M of random 4K pages (all misses): with
 * nothing passing a walk, one walk at a time, 1000 + 355000 ps per read;
 * with miss_under_miss the walks overlap and the link is the bound again:
 * (893749 + 3999 x 11609) / 4000 = 11830 ps per read.
 */
Test(timed, miss_under_miss_overlaps_walks_in_order)
{
	char *blk[] = { "workload.window=64M", "workload.pattern=random", "workload.outstanding=0",
			"run.ios=2000", "platform.walk.hit_under_miss=false" };
	char *mum[] = { "workload.window=64M", "workload.pattern=random", "workload.outstanding=0",
			"run.ios=4000", "platform.walk.hit_under_miss=false",
			"platform.walk.miss_under_miss=true" };
	struct sim_result *a = run("tests/timing/base.yaml", blk, 5);
	struct sim_result *b = run("tests/timing/base.yaml", mum, 6);
	double per_a = (double)(a->st.dma_last_ps - a->st.dma_first_ps) / 2000;
	double per_b = (double)(b->st.dma_last_ps - b->st.dma_first_ps) / 4000;

	cr_expect(fabs(per_a / 356000 - 1) < 0.01, "blocking: %.0f ps per read", per_a);
	cr_expect(fabs(per_b / 11830 - 1) < 0.005, "miss under miss: %.0f ps per read", per_b);
	free(a);
	free(b);
}

/*
 * Two devices of a trace (tests/timing/two-devices.ddwt), both on the
 * platform's Gen3 x8 link, take turns on it: each of their 400 DMAs of 4 KiB
 * is 16 MWr of 256 + 24 bytes (the direct window is above 4 GiB), 280 *
 * 138.2056 = 38698 ps each. Device 0 starts alone (device 1's map is done a
 * map later, on the one CPU); from device 1's first DMA the link is shared,
 * and it carries all 6400 TLPs back to back: 6400 * 38698 = 247667200 ps,
 * each device's own link 3200 of them. The last write reaches the PHB 163000
 * ps after it ends, waits at most 500 for an edge, is looked up (1000) and
 * reaches memory (197000): from device 0's first DMA to the last completion
 * 247667200 + 361000 (+ up to 500) ps, so 400 * 4096 * 8 / that = 52.8455
 * (52.8454) Gb/s, where each device on a link of its own moved twice that.
 */
Test(timed, two_devices_of_a_trace_share_the_platform_link)
{
	struct sim_result *r = run("tests/timing/two-devices.yaml", NULL, 0);
	double span = (double)(r->st.dma_last_ps - r->st.dma_first_ps);
	double gbps = r->st.bytes * 8e3 / span;

	cr_expect_eq(r->st.ios, 400);
	cr_expect_eq(r->st.upstream_busiest_ps, 6400ull * 38698);
	cr_expect_eq(r->st.link_busiest_ps, 3200ull * 38698);
	cr_expect(gbps > 52.8454 - 0.0002 && gbps < 52.8455 + 0.0002, "%.4f Gb/s", gbps);
	free(r);
}

/*
 * configs/phb4-nvme.yaml's default window is bound by the PHB's kill lock.
 * Every command maps (alloc, one TCE write) then makes an OPAL kill, and
 * unmaps, then kills again: two kills, each holding skiboot's phb_lock for
 * kill.cpu_ns = 5.5 us, in whole 263 ps CPU cycles 20913 x 263 = 5500119
 * ps. With kill.phb_lock the PHB passes one kill at a time, so it ends at
 * most one 4 KiB command per 2 x 5500119 = 11000238 ps: 32768 bits /
 * 11000238 ps = 2.9788 Gb/s, and the Gen4 x4 link (53.2 Gb/s) and the
 * walks (one a command) are far from busy. The 32 commands in flight each
 * run on their own CPU (slot s on CPU s % 32), and almost all of their
 * time is spent in a map or an unmap, waiting for the lock: by Little's
 * law each command costs about 32 CPUs x 11.0 us = 352 us of CPU, of which
 * its own work is 11.0 us of kills plus under 1 us of allocator and TCE
 * writes; the other ~340 us (over 90 %) is spinning. The wait is more than
 * all the rest, so the bottleneck is the lock, not the CPUs' own work.
 * Without the lock nothing waits and the drive's link is the limit.
 */
Test(timed, phb4_nvme_default_window_is_bound_by_the_phb_kill_lock)
{
	char *sets[] = { "run.ios=3000" };
	char *off[] = { "run.ios=3000", "platform.kill.phb_lock=false" };
	struct sim_result *r = run("configs/phb4-nvme.yaml", sets, 1);
	struct sim_result *f = run("configs/phb4-nvme.yaml", off, 2);
	double gbps = (double)r->st.bytes * 8e3 / (double)(r->st.dma_last_ps - r->st.dma_first_ps);
	double cpu = (double)(r->st.cpu_map_ps + r->st.cpu_unmap_ps), wait = (double)r->st.cpu_kill_wait_ps;

	cr_expect_eq(r->st.kill_pe, 6000u, "two PE kills a command");
	cr_expect(fabs(gbps / 2.9788 - 1) < 0.01, "%.4f Gb/s", gbps);
	cr_expect(fabs(cpu / 3000 / 352e6 - 1) < 0.02, "%.0f ps of CPU a command", cpu / 3000);
	cr_expect_gt(wait / cpu, 0.9, "the lock wait is %.3f of the CPU time", wait / cpu);
	cr_expect_str_eq(stats_bottleneck(r), "PHB kill lock");
	cr_expect_eq(f->st.cpu_kill_wait_ps, 0u, "no lock, no wait");
	cr_expect_str_eq(stats_bottleneck(f), "link");
	free(r);
	free(f);
}
