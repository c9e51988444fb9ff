/*
 * test_stats.c - the figure registry: no key twice in any section, every
 * summary column a real figure, values and derived figures worked out by
 * hand, and what "limited by" says.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/config.h"
#include "ddwsim/stats.h"

struct paths {
	char p[512][128];
	unsigned n;
};

static void collect(void *arg, const char *path, const struct figure *f)
{
	struct paths *ps = arg;

	cr_assert(f->key && *f->key);
	cr_assert_lt(ps->n, 512u);
	snprintf(ps->p[ps->n++], 128, "%s", path);
}

Test(stats, no_section_repeats_a_key_and_every_path_is_unique)
{
	static struct paths ps;
	char bad[256];

	cr_assert_eq(stats_check(stats_mode, bad, sizeof(bad)), 0, "repeated: %s", bad);
	ps.n = 0;
	stats_walk(stats_mode, false, collect, &ps);
	cr_assert_gt(ps.n, 60u);
	for (unsigned i = 0; i < ps.n; i++)
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(ps.p[i], ps.p[j]);
}

Test(stats, check_finds_a_repeated_key_in_a_nested_section)
{
	static const struct figure inner[] = {
		{ .key = "x", .kind = FIG_U64 }, { .key = "y", .kind = FIG_U64 },
		{ .key = "x", .kind = FIG_U64 }, { .key = NULL },
	};
	static const struct figure root[] = {
		{ .key = "a", .kind = FIG_U64 }, { .key = "b", .kind = FIG_SECTION, .sub = inner },
		{ .key = NULL },
	};
	static const struct figure flat[] = {
		{ .key = "a", .kind = FIG_U64 }, { .key = "a", .kind = FIG_SECTION, .sub = inner + 3 },
		{ .key = NULL },
	};
	char bad[64];

	cr_assert_eq(stats_check(root, bad, sizeof(bad)), -1);
	cr_assert_str_eq(bad, "b.x");
	cr_assert_eq(stats_check(flat, bad, sizeof(bad)), -1);
	cr_assert_str_eq(bad, "a");
}

Test(stats, every_summary_column_names_a_figure_once)
{
	for (unsigned i = 0; stats_summary[i].key; i++) {
		cr_assert_not_null(stats_find(stats_mode, stats_summary[i].path), "%s",
				   stats_summary[i].path);
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(stats_summary[i].key, stats_summary[j].key);
	}
	cr_assert_null(stats_find(stats_mode, "window"));	/* a section, not a figure */
	cr_assert_null(stats_find(stats_mode, "window.start.x"));
	cr_assert_null(stats_find(stats_mode, "nothing"));
}

/* Counters, and the two strings that say which window each device maps through and why. */
Test(stats, per_device_figures_are_counters_or_the_window_choice)
{
	static struct paths ps;

	ps.n = 0;
	stats_walk(stats_mode, true, collect, &ps);
	cr_assert_gt(ps.n, 20u);
	for (unsigned i = 0; i < ps.n; i++) {
		const struct figure *f = stats_find(stats_mode, ps.p[i]);

		cr_assert(f->kind == FIG_U64 || f->kind == FIG_RATIO || !strncmp(ps.p[i], "setup.", 6),
			  "%s", ps.p[i]);
		cr_assert_eq(f->flags & FIG_RESULT, 0u, "%s", ps.p[i]);
	}
}

static struct mode_cfg modes[2] = { { .name = "first" }, { .name = "second" } };

static struct sim_result *result(unsigned m)
{
	struct sim_result *r = calloc(1, sizeof(*r));

	r->mode = &modes[m];
	r->timed = true;
	r->cpus = 2;
	r->walkers = 4;
	r->io_name = "packet";
	hist_init(&r->dma_latency);
	hist_init(&r->walk_latency);
	return r;
}

static void text_of(const char *path, const struct sim_result *r, const struct sim_result *first,
		    char *out, size_t n, bool json)
{
	struct fig_ctx c = { .r = r, .first = first, .st = &r->st };
	const struct figure *f = stats_find(stats_mode, path);

	cr_assert_not_null(f, "%s", path);
	if (json)
		stats_json(f, &c, out, n);
	else
		stats_text(f, &c, out, n);
}

Test(stats, cpu_per_io_ratio_and_speedup_by_hand)
{
	struct sim_result *a = result(0), *b = result(1);
	char v[64];

	/* a: 4.4 ms of map+unmap CPU over 1000 I/Os = 4400 ns per I/O */
	a->st.ios = 1000;
	a->st.cpu_map_ps = 3000000000;
	a->st.cpu_unmap_ps = 1400000000;
	a->st.time_ps = 8000000000;
	/* b: 10 us over 1000 I/Os = 10 ns per I/O: 440 times less; twice as fast */
	b->st.ios = 1000;
	b->st.cpu_map_ps = 6000000;
	b->st.cpu_unmap_ps = 4000000;
	b->st.time_ps = 4000000000;
	text_of("cpu.ns_per_io", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "4400.0");
	text_of("cpu.ns_per_io", b, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "10.0");
	text_of("cpu.ratio", b, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "440.0");
	text_of("cpu.ratio", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "1.0");
	text_of("speedup", b, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "2.000");
	/* 4.4e9 ps of CPU over 8e9 ps x 2 CPUs */
	text_of("cpu.utilization", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "0.2750");
	free(a);
	free(b);
}

Test(stats, time_figures_are_unknown_in_a_functional_run)
{
	struct sim_result *a = result(0);
	char v[64];

	a->timed = false;
	a->st.ios = 10;
	a->st.bytes = 1000;
	a->st.dma_last_ps = 1000;
	text_of("device.throughput_gbps", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "-");
	text_of("device.throughput_gbps", a, a, v, sizeof(v), true);
	cr_assert_str_eq(v, "null");
	text_of("bottleneck", a, a, v, sizeof(v), true);
	cr_assert_str_eq(v, "null");
	text_of("ios", a, a, v, sizeof(v), true);
	cr_assert_str_eq(v, "10");
	free(a);
}

Test(stats, throughput_hex_and_ratio_formats)
{
	struct sim_result *a = result(0);
	char v[64];

	/* 1000 bytes in 800 ns = 8000 bits / 800 ns = 10 Gb/s */
	a->st.bytes = 1000;
	a->st.dma_first_ps = 200000;
	a->st.dma_last_ps = 1000000;
	text_of("device.throughput_gbps", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "10.000");
	a->win_start = 1ull << 59;
	text_of("window.start", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "0x800000000000000");
	text_of("window.start", a, a, v, sizeof(v), true);
	cr_assert_str_eq(v, "576460752303423488");
	a->st.cache_lookups = 3;
	a->st.cache_hits = 2;
	text_of("tce_cache.hit_rate", a, a, v, sizeof(v), false);
	cr_assert_str_eq(v, "0.6667");
	a->st.win_errors[WIN_ERR_ENOSPC] = 4;
	text_of("window_ops.errors.ENOSPC", a, a, v, sizeof(v), true);
	cr_assert_str_eq(v, "4");
	free(a);
}

Test(stats, the_bottleneck_is_the_busiest_resource_from_70_percent)
{
	struct sim_result *r = result(0);

	r->st.time_ps = 1000;
	r->st.cpu_busiest_ps = 900;
	r->st.link_busiest_ps = 800;
	cr_assert_str_eq(stats_bottleneck(r), "host CPU");
	r->st.cpu_busiest_ps = 500;
	cr_assert_str_eq(stats_bottleneck(r), "link");
	r->st.walker_ps = 3400;			/* 4 slots x 1000 ps: 85 % */
	cr_assert_str_eq(stats_bottleneck(r), "translation");
	r->st.walker_ps = 2000;
	r->st.link_busiest_ps = 690;
	cr_assert_str_eq(stats_bottleneck(r), "latency");
	r->st.link_busiest_ps = 700;
	cr_assert_str_eq(stats_bottleneck(r), "link");
	r->timed = false;
	cr_assert_null(stats_bottleneck(r));
	free(r);
}

/*
 * CPUs that spend more of their map and unmap time spinning on the PHB's
 * kill lock than on everything else are held by the lock: "PHB kill lock"
 * where the verdict would be "host CPU" (or nothing saturated); a busier
 * link or walk slots still win. Map + unmap = 600 + 400 = 1000 ps.
 */
Test(stats, the_bottleneck_is_the_phb_kill_lock_when_the_cpus_mostly_wait_for_it)
{
	struct sim_result *r = result(0);

	r->st.time_ps = 1000;
	r->st.cpu_busiest_ps = 900;
	r->st.cpu_map_ps = 600;
	r->st.cpu_unmap_ps = 400;
	r->st.cpu_kill_wait_ps = 501;		/* 501 > the other 499 */
	cr_assert_str_eq(stats_bottleneck(r), "PHB kill lock");
	r->st.cpu_kill_wait_ps = 500;		/* half: not more than the rest */
	cr_assert_str_eq(stats_bottleneck(r), "host CPU");
	r->st.cpu_kill_wait_ps = 800;
	r->st.cpu_busiest_ps = 300;		/* no resource at 70 %: the lock, not "latency" */
	cr_assert_str_eq(stats_bottleneck(r), "PHB kill lock");
	r->st.link_busiest_ps = 950;		/* a saturated link is the limit */
	cr_assert_str_eq(stats_bottleneck(r), "link");
	free(r);
}
