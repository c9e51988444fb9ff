/*
 * test_advise.c - `ddwsim advise`: ranking and tie-breaks, the Pareto front
 * and the candidate rules on hand-made figures and shipped configs, then
 * end-to-end runs whose JSON is parsed strictly.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/advise.h"
#include "ddwsim/dma_api.h"
#include "json_strict.h"
#include "run_bin.h"

/* A usable candidate with the five figures. */
static struct advise_cand cand(const char *name, double cpu, double gbps, double p99, double setup,
			       uint64_t table)
{
	struct advise_cand c = { .ran = true, .mapping = MAP_DIRECT, .ns_per_io = cpu, .gbps = gbps,
				 .p99_ns = p99, .setup_ns = setup, .table_bytes = table };

	snprintf(c.name, sizeof(c.name), "%s", name);
	return c;
}

static unsigned find(const struct advise_cand *c, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return i;
	return n;
}

/*
 * The case: direct windows of every page size cost the same CPU per
 * I/O, throughput and p99; the cheapest set-up wins, then the smallest table.
 * Figures are the PHB4 NVMe ones rounded (26.3 ns/io, 52.9 Gb/s, 977.7 ns).
 */
Test(advise, direct_windows_tie_on_cpu_and_the_cheapest_setup_wins)
{
	struct advise_cand c[4] = {
		cand("direct-4K", 26.3, 52.9, 977.7, 176501812.4, 512ull << 20),
		cand("direct-64K", 26.3, 52.9, 977.7, 11036519.6, 32ull << 20),
		cand("direct-1G", 26.3, 52.9, 977.7, 6173.4, 64 << 10),
		cand("direct-2M", 26.3, 52.9, 977.7, 350219.5, 1 << 20),
	};

	advise_rank(c, 4, ADV_CPU);
	cr_expect_str_eq(c[0].name, "direct-1G");
	cr_expect_str_eq(c[1].name, "direct-2M");
	cr_expect_str_eq(c[2].name, "direct-64K");
	cr_expect_str_eq(c[3].name, "direct-4K");
}

/* Same set-up time: the smaller table decides; same everything: the name. */
Test(advise, setup_ties_fall_to_table_bytes_then_the_name)
{
	struct advise_cand c[3] = {
		cand("b", 10, 5, 100, 0, 4096),
		cand("c", 10, 5, 100, 0, 1024),
		cand("a", 10, 5, 100, 0, 4096),
	};

	advise_rank(c, 3, ADV_CPU);
	cr_expect_str_eq(c[0].name, "c");
	cr_expect_str_eq(c[1].name, "a");
	cr_expect_str_eq(c[2].name, "b");
}

/* Throughput breaks a CPU tie before p99 does: 6 Gb/s beats 5 Gb/s with a worse p99. */
Test(advise, throughput_breaks_a_cpu_tie_before_p99)
{
	struct advise_cand c[2] = { cand("slow-fast-p99", 10, 5, 100, 0, 0), cand("fast", 10, 6, 900, 0, 0) };

	advise_rank(c, 2, ADV_CPU);
	cr_expect_str_eq(c[0].name, "fast");
}

/* Each objective puts its own figure first. */
Test(advise, each_objective_ranks_by_its_figure)
{
	struct advise_cand base[3] = {
		cand("lean", 10, 4, 900, 0, 64),	/* least CPU */
		cand("quick", 500, 9, 800, 0, 8192),	/* most throughput */
		cand("calm", 900, 5, 100, 0, 1024),	/* lowest p99 */
	}, c[3];

	memcpy(c, base, sizeof(c));
	advise_rank(c, 3, ADV_CPU);
	cr_expect_str_eq(c[0].name, "lean");
	memcpy(c, base, sizeof(c));
	advise_rank(c, 3, ADV_THROUGHPUT);
	cr_expect_str_eq(c[0].name, "quick");
	memcpy(c, base, sizeof(c));
	advise_rank(c, 3, ADV_P99);
	cr_expect_str_eq(c[0].name, "calm");
	memcpy(c, base, sizeof(c));
	advise_rank(c, 3, ADV_MEMORY);
	cr_expect_str_eq(c[0].name, "lean");	/* 64 bytes */
	cr_expect_str_eq(c[1].name, "calm");	/* 1024 */
}

/* A window that fails maps, or a run that failed, is never best, however cheap. */
Test(advise, unusable_candidates_rank_last_and_are_off_the_front)
{
	struct advise_cand c[3] = { cand("ok", 100, 5, 100, 0, 0), cand("too-small", 1, 9, 10, 0, 0),
				    cand("crashed", 0, 0, 0, 0, 0) };

	c[1].map_failures = 77128;
	c[2].ran = false;
	advise_rank(c, 3, ADV_CPU);
	cr_expect_str_eq(c[0].name, "ok");
	cr_expect(c[0].pareto);
	cr_expect_not(c[1].pareto);
	cr_expect_not(c[2].pareto);
	cr_expect_not(advise_usable(&c[find(c, 3, "too-small")]));
}

/*
 * Pareto over (CPU, throughput, p99, set-up, table), the rest equal:
 * A (10 ns, 5 Gb/s) and B (20 ns, 6 Gb/s) trade off; C (30 ns, 4 Gb/s) is
 * worse than A in both; D equals A exactly, so neither dominates the other.
 */
Test(advise, the_front_holds_the_undominated_candidates)
{
	struct advise_cand c[4] = { cand("A", 10, 5, 100, 0, 0), cand("B", 20, 6, 100, 0, 0),
				    cand("C", 30, 4, 100, 0, 0), cand("D", 10, 5, 100, 0, 0) };

	advise_rank(c, 4, ADV_CPU);
	cr_expect(c[find(c, 4, "A")].pareto);
	cr_expect(c[find(c, 4, "B")].pareto);
	cr_expect_not(c[find(c, 4, "C")].pareto);
	cr_expect(c[find(c, 4, "D")].pareto);
}

static unsigned cands_of(const char *config, char **sets, unsigned nsets, struct advise_cand *c)
{
	struct config cfg;
	unsigned n;

	cr_assert_eq(config_load(&cfg, config, sets, nsets), 0);
	n = advise_candidates(&cfg, c, ADVISE_MAX_CANDS);
	config_release(&cfg);
	return n;
}

/*
 * PHB4 (page sizes 4K 64K 2M 1G), 256G of RAM, 64-bit mask: default window,
 * bypass, direct for 4 sizes, dynamic for 4 sizes x {1G, 4G, 64G, 256G}:
 * 1 + 1 + 4 + 16 = 22. dynamic-1G-1G is 1 TCE, still a window (S >= P).
 */
Test(advise, phb4_allows_22_windows)
{
	struct advise_cand c[ADVISE_MAX_CANDS];
	unsigned n = cands_of("configs/phb4-nvme.yaml", NULL, 0, c);

	cr_expect_eq(n, 22u);
	cr_expect_lt(find(c, n, "bypass"), n);
	cr_expect_lt(find(c, n, "direct-4K"), n);
	cr_expect_lt(find(c, n, "dynamic-1G-1G"), n);
	cr_expect_lt(find(c, n, "dynamic-4K-256G"), n);
	cr_expect_eq(find(c, n, "auto"), n, "auto is the pseries guest's choice");
	cr_expect_eq(c[find(c, n, "direct-1G")].size, 256ull << 30);
}

/*
 * A 32-bit DMA mask reaches neither 1<<59 (the DDW start) nor the bypass
 * base: only the default window. (The config's own DDW modes are made
 * default-window ones: the loader would refuse them for that device.)
 */
Test(advise, a_32_bit_device_gets_only_the_default_window)
{
	struct advise_cand c[ADVISE_MAX_CANDS];
	char *sets[] = { "host.dma_mask=0xffffffff", "modes[1].mapping=dynamic", "modes[1].window=default",
			 "modes[2].mapping=dynamic" };
	unsigned n = cands_of("configs/phb4-nvme.yaml", sets, 4, c);

	cr_assert_eq(n, 1u);
	cr_expect_str_eq(c[0].name, "default-window");
}

/*
 * The patched QEMU's offer: largest block 0x4000 = 16384 TCEs, sizes 4K|64K,
 * 2G guest. 16384 x 64K = 1G: dynamic-64K-1G fits; direct-64K (2G = 32768
 * TCEs) and dynamic-64K-2G do not; 16384 x 4K = 64M is below the smallest
 * size tried (1G), so no 4K DDW. Left: default window, auto, dynamic-64K-1G.
 */
Test(advise, the_largest_block_limits_pseries_windows)
{
	struct advise_cand c[ADVISE_MAX_CANDS];
	unsigned n = cands_of("configs/auto-qemu-pgsz64k.yaml", NULL, 0, c);

	cr_assert_eq(n, 3u);
	cr_expect_str_eq(c[0].name, "default-window");
	cr_expect_str_eq(c[1].name, "auto");
	cr_expect_str_eq(c[2].name, "dynamic-64K-1G");
	cr_expect_eq(c[2].levels, 1u);
}

/* One window slot: no DDW at all (max_windows 1). */
Test(advise, one_window_slot_allows_no_ddw)
{
	struct advise_cand c[ADVISE_MAX_CANDS];
	char *sets[] = { "platform.max_windows=1", "modes[1].window=default", "modes[2].mapping=dynamic",
			 "modes[2].window=default" };
	unsigned n = cands_of("configs/default.yaml", sets, 4, c);

	cr_assert_eq(n, 2u);
	cr_expect_str_eq(c[0].name, "default-window");
	cr_expect_str_eq(c[1].name, "auto");
}

/* --- end to end --- */

/* "advise ARGS --results DIR" in a new DIR (no result cached by an older binary), removed after. */
static struct run_result advise_fresh(const char *args)
{
	char dir[] = "/tmp/ddwsim-advise-XXXXXX", cmd[4096];
	struct run_result r;

	cr_assert(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "advise %s --results %s", args, dir);
	r = run_bin(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	return r;
}

static double num_at(const char *j, size_t len, const char *path)
{
	size_t vl;
	const char *v = json_strict_get(j, len, path, &vl);

	cr_assert(v, "no %s", path);
	return strtod(v, NULL);
}

/* Candidate i before j by the rules (objective cpu), from the JSON figures. */
static bool before(const char *j, size_t len, unsigned a, unsigned b)
{
	static const char *const keys[] = { "cpu.ns_per_io", "device.throughput_gbps",
					    "device.latency_ns.p99", "setup.time_ns", "table_bytes" };
	char pa[96], pb[96];

	for (unsigned k = 0; k < 5; k++) {
		double x, y;

		snprintf(pa, sizeof(pa), "candidates[%u].%s", a, keys[k]);
		snprintf(pb, sizeof(pb), "candidates[%u].%s", b, keys[k]);
		x = num_at(j, len, pa), y = num_at(j, len, pb);
		if (k == 1)
			x = -x, y = -y;
		if (x != y)
			return x < y;
	}
	return true;
}

Test(advise, json_is_strict_and_best_is_the_first_by_the_rules, .timeout = 120)
{
	struct run_result r = advise_fresh("--config configs/default.yaml --set run.ios=2000 "
					   "--no-robust -q -j 2 --format json");
	char err[256], path[64], best[96];
	size_t vl;
	const char *v;
	unsigned n = 0;

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(json_strict_check(r.out, r.out_len, err, sizeof(err)), 0, "%s", err);
	v = json_strict_get(r.out, r.out_len, "best", &vl);
	cr_assert(v && *v == '"');
	snprintf(best, sizeof(best), "%.*s", (int)vl, v);
	v = json_strict_get(r.out, r.out_len, "candidates[0].name", &vl);
	cr_expect(v && vl == strlen(best) && !strncmp(v, best, vl), "best %s is not ranked first", best);
	for (;; n++) {
		snprintf(path, sizeof(path), "candidates[%u].usable", n);
		if (!(v = json_strict_get(r.out, r.out_len, path, &vl)) || strncmp(v, "true", 4))
			break;
		snprintf(path, sizeof(path), "candidates[%u].pareto", n);
		cr_assert(json_strict_get(r.out, r.out_len, path, NULL));
		snprintf(path, sizeof(path), "candidates[%u].page_size", n);
		cr_assert(json_strict_get(r.out, r.out_len, path, NULL));
	}
	cr_assert_geq(n, 5u, "default.yaml has auto and 4 direct windows that work");
	for (unsigned i = 1; i < n; i++)
		cr_expect(before(r.out, r.out_len, 0, i), "candidate %u beats the first by the rules", i);
	/* in a 2G guest with 16M TCEs, enable_ddw maps all RAM: auto and direct-16M are the two leaders */
	cr_expect(strstr(best, "auto") || strstr(best, "direct-16M"), "best %s", best);
	run_free(&r);
}

Test(advise, a_mode_appended_by_set_runs_alone_with_mode)
{
	struct run_result r = run_bin("-q --config configs/default.yaml --set run.ios=500 "
				      "--set 'modes[3].name=x' --set 'modes[3].mapping=direct' "
				      "--set 'modes[3].window.page_size=16M' --mode x --format csv");

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\n1,x,direct,"), "%s", r.out);
	cr_expect_null(strstr(r.out, "default-window"));
	run_free(&r);
	r = run_bin("-q --config configs/default.yaml --mode nosuch");
	cr_expect_eq(r.code, 2);
	cr_expect_str_eq(r.err, "ddwsim: --mode: the config has no mode named 'nosuch'\n");
	run_free(&r);
}

Test(advise, help_and_bad_options)
{
	struct run_result r = run_bin("advise --help");

	cr_expect_eq(r.code, 0);
	cr_expect(strstr(r.out, "usage: ddwsim advise"));
	run_free(&r);
	r = run_bin("advise --config configs/default.yaml --objective speed");
	cr_expect_eq(r.code, 2);
	cr_expect(strstr(r.err, "speed"));
	run_free(&r);
	r = run_bin("advise");
	cr_expect_eq(r.code, 2);
	run_free(&r);
}

static void str_at(const char *j, size_t len, const char *path, char *buf, size_t n)
{
	size_t vl;
	const char *v = json_strict_get(j, len, path, &vl);

	cr_assert(v && *v == '"' && vl >= 2, "no string at %s", path);
	snprintf(buf, n, "%.*s", (int)vl - 2, v + 1);
}

/*
 * The verdict follows the robustness rows: the first range end (in row order,
 * low end first) whose leaders' winner is not best is named, with the
 * config's value; "robust" when there is none. In a 2 GiB guest ranked by
 * p99 with 20000 I/Os, the TCE cache at 32 entries is such an end.
 */
Test(advise, the_verdict_names_the_first_range_end_where_the_winner_changes, .timeout = 120)
{
	struct run_result r = advise_fresh("--config configs/default.yaml --set run.ios=20000 --objective p99 "
					   "-q -j 2 --format json");
	char best[64], verdict[512], want[512] = "robust", path[96], w[64], key[96], val[32], end[32];

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(json_strict_check(r.out, r.out_len, NULL, 0), 0);
	str_at(r.out, r.out_len, "best", best, sizeof(best));
	str_at(r.out, r.out_len, "verdict", verdict, sizeof(verdict));
	for (unsigned i = 0; !strcmp(want, "robust"); i++) {
		snprintf(path, sizeof(path), "robustness[%u].key", i);
		if (!json_strict_get(r.out, r.out_len, path, NULL))
			break;
		str_at(r.out, r.out_len, path, key, sizeof(key));
		snprintf(path, sizeof(path), "robustness[%u].value", i);
		str_at(r.out, r.out_len, path, val, sizeof(val));
		for (unsigned e = 0; e < 2 && !strcmp(want, "robust"); e++) {
			snprintf(path, sizeof(path), "robustness[%u].winner_at_%s", i, e ? "max" : "min");
			str_at(r.out, r.out_len, path, w, sizeof(w));
			snprintf(path, sizeof(path), "robustness[%u].%s", i, e ? "max" : "min");
			str_at(r.out, r.out_len, path, end, sizeof(end));
			if (strcmp(w, best))
				snprintf(want, sizeof(want), "depends on %s %s %s: %s wins at %s", key,
					 e ? "above" : "below", val, w, end);
		}
	}
	cr_expect_str_eq(verdict, want);
	cr_expect(strstr(verdict, "platform.tce_cache.entries below 128"), "%s", verdict);
	run_free(&r);
}

/* --- several devices --- */

#define MIXED "tests/synth/devices-advise-mixed.yaml"

/*
 * Two NVMe drives and a NIC on PHB4 with 16G of RAM and a 64-bit mask. The
 * rules read only what the devices share (platform, RAM, mask), so the
 * candidates are those of one device: default window, bypass, direct for 4K
 * 64K 2M 1G over 2^order_base_2(16G) = 16G, dynamic for each size at 1G, 4G
 * and 16G (64G is not below 16G): 1 + 1 + 4 + 4 x 3 = 18.
 */
Test(advise, devices_of_two_kinds_get_the_windows_every_device_allows)
{
	struct advise_cand c[ADVISE_MAX_CANDS];
	unsigned n = cands_of(MIXED, NULL, 0, c);

	cr_expect_eq(n, 18u);
	cr_expect_eq(c[find(c, n, "direct-1G")].size, 16ull << 30);
	cr_expect_lt(find(c, n, "dynamic-4K-16G"), n);
	cr_expect_eq(find(c, n, "dynamic-4K-64G"), n, "64G is above the RAM-sized window");
	cr_expect_lt(find(c, n, "bypass"), n);
}

static unsigned rank_of(const char *j, size_t len, const char *name)
{
	char path[64], got[64];

	for (unsigned i = 0;; i++) {
		snprintf(path, sizeof(path), "candidates[%u].name", i);
		if (!json_strict_get(j, len, path, NULL))
			return ~0u;
		str_at(j, len, path, got, sizeof(got));
		if (!strcmp(got, name))
			return i;
	}
}

/*
 * Each device maps through its own window, so the table memory is three
 * tables (PowerNV, 64K host pages, window.table_bytes summed over devices):
 *   direct-1G: 16G / 1G = 16 TCEs x 8 = 128 bytes, one page: 3 x 64K = 196608;
 *   default window: 16G of 64K TCEs in 2 levels = 262144 TCEs x 8 = 2M of
 *   leaves, and a 64K top level: 3 x (2M + 64K) = 6488064.
 * Ranking: bypass does no per-I/O work and no translation, and has no set-up
 * and no table, so it is first; the four direct windows cost the same CPU
 * per I/O as bypass, far below any window mapped per I/O (TCE writes and two
 * OPAL kills per I/O), so they come next, and 1G TCEs (16 written, fewest
 * misses) rank before 4K (4M written).
 */
Test(advise, devices_report_totals_over_every_device, .timeout = 240)
{
	char dir[] = "/tmp/ddwsim-advise-XXXXXX", cmd[4096], best[64], name[64], path[64];
	struct run_result r;
	unsigned d1g, d4k;

	cr_assert(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "advise --config " MIXED " --no-robust -q -j 2 --format json --results %s", dir);
	r = run_bin(cmd);
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert_eq(json_strict_check(r.out, r.out_len, NULL, 0), 0);
	cr_expect_eq(num_at(r.out, r.out_len, "devices"), 3.0);
	str_at(r.out, r.out_len, "best", best, sizeof(best));
	cr_expect_str_eq(best, "bypass");
	for (unsigned i = 1; i <= 4; i++) {
		snprintf(path, sizeof(path), "candidates[%u].name", i);
		str_at(r.out, r.out_len, path, name, sizeof(name));
		cr_expect(!strncmp(name, "direct-", 7), "rank %u is %s, not a direct window", i + 1, name);
	}
	d1g = rank_of(r.out, r.out_len, "direct-1G");
	d4k = rank_of(r.out, r.out_len, "direct-4K");
	cr_expect_lt(d1g, d4k);
	snprintf(path, sizeof(path), "candidates[%u].table_bytes", d1g);
	cr_expect_eq(num_at(r.out, r.out_len, path), 3.0 * 65536);
	snprintf(path, sizeof(path), "candidates[%u].table_bytes", rank_of(r.out, r.out_len, "default-window"));
	cr_expect_eq(num_at(r.out, r.out_len, path), 3.0 * (2097152 + 65536));
	run_free(&r);
	/* the same runs, from the cache: the text report says what the figures are */
	snprintf(cmd, sizeof(cmd), "advise --config " MIXED " --no-robust -q -j 2 --results %s", dir);
	r = run_bin(cmd);
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\n3 devices, each its own PE with the candidate window: figures are totals "
			 "over the 3 devices"), "%s", r.out);
	run_free(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}
