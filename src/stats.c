/*
 * stats.c - the registry: every reported figure, declared once, in report
 * order, grouped in the sections (JSON objects) it is reported in.
 *
 * Time figures come from the timed replay; in a functional run they are not
 * known and are shown as "-" (null in JSON).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/config.h"
#include "ddwsim/outfile.h"
#include "ddwsim/stats.h"

#define ST(f)	offsetof(struct mode_stats, f)
#define RS(f)	offsetof(struct sim_result, f)

#define U(k, f, fl, h)		{ .key = k, .kind = FIG_U64, .off = ST(f), .flags = (fl), .help = h }
#define R(k, n, d, fl, h)	{ .key = k, .kind = FIG_RATIO, .off = ST(n), .den = ST(d), \
				  .flags = (fl), .help = h }
#define RES(k, kd, f, h)	{ .key = k, .kind = kd, .off = RS(f), .flags = FIG_RESULT, .help = h }
#define N(k, fn, dg, h)		{ .key = k, .kind = FIG_NUM, .num = fn, .digits = dg, .help = h }
#define S(k, fn, h)		{ .key = k, .kind = FIG_STR, .str = fn, .help = h }
#define SEC(k, items)		{ .key = k, .kind = FIG_SECTION, .sub = items }
#define END			{ .key = NULL }

#define D	FIG_DEV
#define DT	(FIG_DEV | FIG_DEV_TEXT)

/* --- derived figures --- */

static const double unknown = NAN;

static double ps_ns(uint64_t ps)
{
	return (double)ps / 1e3;
}

static bool timed(const struct fig_ctx *c)
{
	return c->r->timed;
}

static double span_ps(const struct mode_stats *st)
{
	return (double)(st->dma_last_ps - st->dma_first_ps);
}

static double cpu_ps(const struct mode_stats *st)
{
	return (double)(st->cpu_map_ps + st->cpu_unmap_ps);
}

static double f_sim_ns(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->st->time_ps) : unknown;
}

static double f_setup_ns(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->st->setup_ps) : unknown;
}

static double throughput(const struct sim_result *r)
{
	double span = span_ps(&r->st);

	return r->timed && span > 0 ? (double)r->st.bytes * 8e3 / span : unknown;
}

static double f_gbps(const struct fig_ctx *c)
{
	return throughput(c->r);
}

static double quantile(const struct fig_ctx *c, const struct hist *h, double q)
{
	return timed(c) ? (double)hist_quantile(h, q) / 1e3 : unknown;
}

static double f_lat_mean(const struct fig_ctx *c)
{
	return timed(c) ? hist_mean(&c->r->dma_latency) / 1e3 : unknown;
}

static double f_lat_p50(const struct fig_ctx *c) { return quantile(c, &c->r->dma_latency, 0.50); }
static double f_lat_p90(const struct fig_ctx *c) { return quantile(c, &c->r->dma_latency, 0.90); }
static double f_lat_p99(const struct fig_ctx *c) { return quantile(c, &c->r->dma_latency, 0.99); }
static double f_walk_p50(const struct fig_ctx *c) { return quantile(c, &c->r->walk_latency, 0.50); }
static double f_walk_p99(const struct fig_ctx *c) { return quantile(c, &c->r->walk_latency, 0.99); }

static double f_lat_max(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->r->dma_latency.max) : unknown;
}

static double f_map_ns(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->st->cpu_map_ps) : unknown;
}

static double f_unmap_ns(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->st->cpu_unmap_ps) : unknown;
}

static double f_kill_wait_ns(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->st->cpu_kill_wait_ps) : unknown;
}

static double cpu_per_io(const struct sim_result *r)
{
	return r->timed && r->st.ios ? cpu_ps(&r->st) / 1e3 / (double)r->st.ios : unknown;
}

static double f_ns_per_io(const struct fig_ctx *c)
{
	return cpu_per_io(c->r);
}

/* Busy time over the run's time; unknown when untimed or empty. */
static double util(const struct sim_result *r, double busy, double units)
{
	return r->timed && r->st.time_ps && units > 0 ? busy / ((double)r->st.time_ps * units) : unknown;
}

static double f_cpu_util(const struct fig_ctx *c)
{
	return util(c->r, cpu_ps(c->st), c->r->cpus);
}

static double cpu_busiest(const struct sim_result *r)
{
	return util(r, (double)r->st.cpu_busiest_ps, 1);
}

static double link_util(const struct sim_result *r)
{
	return util(r, (double)r->st.link_busiest_ps, 1);
}

static double upstream_util(const struct sim_result *r)
{
	return util(r, (double)r->st.upstream_busiest_ps, 1);
}

static double walker_util(const struct sim_result *r)
{
	return util(r, (double)r->st.walker_ps, r->walkers);
}

static double f_cpu_busiest(const struct fig_ctx *c) { return cpu_busiest(c->r); }
static double f_link_util(const struct fig_ctx *c) { return link_util(c->r); }
static double f_upstream_util(const struct fig_ctx *c) { return upstream_util(c->r); }
static double f_walker_util(const struct fig_ctx *c) { return walker_util(c->r); }

static double f_stall_ns(const struct fig_ctx *c)
{
	return timed(c) ? ps_ns(c->st->stall_ps) : unknown;
}

static double f_speedup(const struct fig_ctx *c)
{
	const struct mode_stats *a = &c->first->st, *b = &c->r->st;

	return timed(c) && a->time_ps && b->time_ps ? (double)a->time_ps / (double)b->time_ps : unknown;
}

static double f_cpu_ratio(const struct fig_ctx *c)
{
	double a = cpu_per_io(c->first), b = cpu_per_io(c->r);

	return !isnan(a) && !isnan(b) && b > 0 ? a / b : unknown;
}

/*
 * What limits the throughput: the resource busy the largest share of the
 * run, if that share is at least 70 % (assumed threshold): the busiest host
 * CPU, the busiest direction of a device's link or of the PHB's own link
 * that devices on links of their own share, or the PHB's walk slots (the
 * first of equals: a lone device's link is the PHB's, and is "link").
 * Otherwise nothing is saturated and the device waits on round trips (its
 * queue depth, one outstanding DMA, or the workload's own pace): "latency".
 *
 * Unless a link or the walk slots are that resource: when the CPUs spend
 * more of their map and unmap time spinning on the PHB's kill lock
 * (cpu.kill_lock_wait_ns, kill.phb_lock) than on everything else together,
 * the lock, not their own work, sets the pace: "PHB kill lock". CPUs that
 * wait that long queue for a lock that is never free, so it passes one
 * kill per kill.cpu_ns (configs/phb4-nvme.yaml: 2 kills of 5.5 us per 4 KiB
 * command, 2.979 Gb/s, on 32 busy CPUs).
 */
const char *stats_bottleneck(const struct sim_result *r)
{
	double u[4] = { cpu_busiest(r), link_util(r), upstream_util(r), walker_util(r) };
	static const char *const names[4] = { "host CPU", "link", "PHB link", "translation" };
	double wait = (double)r->st.cpu_kill_wait_ps;
	unsigned best = 0;

	if (!r->timed || isnan(u[0]))
		return NULL;
	for (unsigned i = 1; i < 4; i++)
		if (u[i] > u[best])
			best = i;
	if ((best == 0 || u[best] < 0.7) && wait > cpu_ps(&r->st) - wait)
		return "PHB kill lock";
	return u[best] >= 0.7 ? names[best] : "latency";
}

static const char *s_bottleneck(const struct fig_ctx *c) { return stats_bottleneck(c->r); }
static const char *s_name(const struct fig_ctx *c) { return c->r->mode->name; }
static const char *s_mapping(const struct fig_ctx *c) { return mapping_names[c->r->mode->mapping]; }

/* The window choice of the device c shows; the whole mode shows device 0's. */
static const struct ddw_choice *choice_of(const struct fig_ctx *c)
{
	size_t i = c->st >= c->r->dev && c->st < c->r->dev + SIM_MAX_DEVICES ?
		   (size_t)(c->st - c->r->dev) : 0;

	return &c->r->ddw[i];
}

static const char *s_ddw(const struct fig_ctx *c) { return ddw_kind_name(choice_of(c)->kind); }
static const char *s_ddw_reason(const struct fig_ctx *c) { return choice_of(c)->reason; }

/* --- the tree --- */

static const struct figure window_sec[] = {
	RES("start", FIG_HEX, win_start, "bus address of the window the mode maps into"),
	RES("size", FIG_U64, win_size, "its size in bytes (0: bypass)"),
	RES("page_shift", FIG_U64, win_page_shift, "log2 of its TCE size"),
	RES("levels", FIG_U64, win_levels, "its TCE table levels"),
	RES("table_bytes", FIG_U64, table_bytes, "its table, fully populated (the kernel's size formula); several devices: their tables summed"),
	RES("table_bytes_allocated", FIG_U64, table_bytes_allocated,
	    "table memory touched by the end (lazily allocated levels and pages), summed over the devices"),
	RES("host_page_shift", FIG_U64, host_page_shift,
	    "log2 of the TCE size of the host table VFIO keeps for the window (0: none); the PHB caches these TCEs"),
	RES("host_levels", FIG_U64, host_levels, "that host table's levels (vfio_spapr_create_window's guess)"),
	RES("host_table_bytes", FIG_U64, host_table_bytes,
	    "that host table with VFIO's userspace view, fully populated (pnv_pci_ioda2_get_table_size), summed over the devices"),
	END,
};

static const struct figure map_sec[] = {
	U("calls", map_calls, DT, "per-I/O map and map_sg calls"),
	U("failures", map_failures, DT, "maps that found no free TCEs (iommu_alloc failed)"),
	U("tces_written", map_tces, D, "TCEs written by per-I/O maps"),
	END,
};

static const struct figure unmap_sec[] = {
	U("calls", unmap_calls, DT, "per-I/O unmap calls"),
	U("tces_cleared", unmap_tces, D, "TCEs cleared by unmaps"),
	END,
};

static const struct figure setup_sec[] = {
	{ .key = "ddw", .kind = FIG_STR, .str = s_ddw, .flags = D,
	  .help = "the window the device maps through: none (the default window), direct or dynamic DDW" },
	{ .key = "reason", .kind = FIG_STR, .str = s_ddw_reason, .flags = D | FIG_TEXT_NOTE,
	  .help = "why: what enable_ddw decided from the offer and the DMA mask (mapping: auto), or the config" },
	U("hcalls", setup_hcalls, D, "hypercalls made once: mapping all RAM (direct), clearing a window the guest is given"),
	U("tces_written", setup_tces, D, "TCEs written once: mapping all RAM (direct)"),
	U("tces_cleared", setup_clears, D, "TCEs cleared once: the guest's clear of each window it is given "
	  "(iommu_init_table: the default window at boot, a dynamic DDW at creation)"),
	U("kills", setup_kills, D, "TCE kills made while mapping all RAM, or behind a host IOMMU while clearing"),
	N("time_ns", f_setup_ns, 1, "CPU time of that set-up"),
	END,
};

static const struct figure hcalls_sec[] = {
	U("h_put_tce", h_put_tce, DT, "per-I/O H_PUT_TCE calls"),
	U("h_put_tce_indirect", h_put_tce_indirect, DT, "per-I/O H_PUT_TCE_INDIRECT calls"),
	U("h_stuff_tce", h_stuff_tce, DT, "per-I/O H_STUFF_TCE calls"),
	END,
};

static const struct figure kills_sec[] = {
	U("page", kill_page, DT, "page-scope TCE kills performed by the PHB"),
	U("pe", kill_pe, DT, "PE-scope TCE kills performed by the PHB"),
	U("all", kill_all, D, "whole-cache TCE kills performed by the PHB"),
	U("opal_calls", opal_kill_calls, D, "OPAL_PCI_TCE_KILL calls made by the host"),
	END,
};

static const struct figure allocator_sec[] = {
	U("words_scanned", alloc_words, D, "it_map words read by the TCE allocator"),
	U("peak_tces", alloc_peak, D, "most TCEs allocated at once"),
	U("recorded", alloc_recorded, D, "maps whose real bus address the trace recorded"),
	U("matched", alloc_matched, D, "of those, maps where ddwsim chose the same page"),
	R("match_rate", alloc_matched, alloc_recorded, DT, "matched / recorded"),
	END,
};

static const struct figure cache_sec[] = {
	U("lookups", cache_lookups, DT, "TCE-cache lookups (one per translated request)"),
	U("hits", cache_hits, D, "lookups that found their entry (timed: not waiting for a walk)"),
	U("misses", cache_misses, D, "lookups that did not (each starts a walk)"),
	R("hit_rate", cache_hits, cache_lookups, DT, "hits / lookups"),
	U("evictions", cache_evictions, 0, "valid entries replaced by fills"),
	U("invalidations", cache_invalidations, 0, "valid entries removed by kills"),
	END,
};

static const struct figure walks_sec[] = {
	U("count", walks, DT, "table walks (one per miss)"),
	U("memory_reads", walk_reads, D, "memory reads made by walks"),
	END,
};

static const struct figure errors_sec[] = {
	U("EINVAL", win_errors[WIN_ERR_EINVAL], D, "window ops that failed with EINVAL"),
	U("ENOSPC", win_errors[WIN_ERR_ENOSPC], D, "... with ENOSPC (no free window)"),
	U("ENOMEM", win_errors[WIN_ERR_ENOMEM], D, "... with ENOMEM"),
	U("EPERM", win_errors[WIN_ERR_EPERM], D, "... with EPERM"),
	U("other", win_errors[WIN_ERR_OTHER], D, "... with another error"),
	U("RTAS_PARAM_ERROR", win_errors[WIN_ERR_RTAS_PARAM], D,
	  "pseries window ops (RTAS) that returned RTAS_OUT_PARAM_ERROR (-3)"),
	U("RTAS_HW_ERROR", win_errors[WIN_ERR_RTAS_HW], D, "... RTAS_OUT_HW_ERROR (-1)"),
	END,
};

static const struct figure window_ops_sec[] = {
	U("created", win_created, D, "windows created"),
	U("removed", win_removed, D, "windows removed"),
	U("skipped", win_skipped, D, "trace window ops not replayed (the mode made its own DDW)"),
	SEC("errors", errors_sec),
	END,
};

static const struct figure time_sec[] = {
	N("sim_ns", f_sim_ns, 1, "simulated time to the last event"),
	END,
};

static const struct figure latency_sec[] = {
	N("mean", f_lat_mean, 1, "latency of an I/O's DMA, start to completion: mean"),
	N("p50", f_lat_p50, 1, "median"),
	N("p90", f_lat_p90, 1, "90th percentile"),
	N("p99", f_lat_p99, 1, "99th percentile"),
	N("max", f_lat_max, 1, "largest"),
	END,
};

static const struct figure device_sec[] = {
	N("throughput_gbps", f_gbps, 3, "bytes moved by DMAs, first DMA start to last completion"),
	SEC("latency_ns", latency_sec),
	END,
};

static const struct figure cpu_sec[] = {
	N("map_ns", f_map_ns, 1, "host CPU time in maps, all CPUs"),
	N("unmap_ns", f_unmap_ns, 1, "host CPU time in unmaps, all CPUs"),
	N("kill_lock_wait_ns", f_kill_wait_ns, 1, "of map_ns + unmap_ns, the time spent spinning on the "
	  "PHB's kill lock (platform.kill.phb_lock), all CPUs"),
	N("ns_per_io", f_ns_per_io, 1, "(map + unmap time) / ios"),
	N("utilization", f_cpu_util, 4, "map + unmap time / (sim time x host.cpus)"),
	N("busiest_utilization", f_cpu_busiest, 4, "the busiest CPU's map + unmap time / sim time"),
	N("ratio", f_cpu_ratio, 1, "the first mode's ns_per_io / this mode's (440: 440x less CPU per I/O)"),
	END,
};

static const struct figure link_sec[] = {
	N("utilization", f_link_util, 4, "busy time of the busiest link direction / sim time"),
	N("upstream_utilization", f_upstream_util, 4, "busy time of the busiest direction of the "
	  "PHB's own link (platform.pcie), which every device's TLPs cross / sim time"),
	END,
};

static const struct figure walk_lat_sec[] = {
	N("p50", f_walk_p50, 1, "walk latency: median"),
	N("p99", f_walk_p99, 1, "walk latency: 99th percentile"),
	END,
};

static const struct figure translation_sec[] = {
	N("stall_ns", f_stall_ns, 1, "time requests waited for a walk slot, a kill, an earlier walk "
	  "or a busy translation unit"),
	U("walks_merged", walks_merged, D,
	  "lookups whose entry a walk in flight was still filling (timed; not counted as hits)"),
	N("walker_utilization", f_walker_util, 4, "walk time / (sim time x walk slots)"),
	SEC("walk_latency_ns", walk_lat_sec),
	END,
};

const struct figure stats_mode[] = {
	{ .key = "name", .kind = FIG_STR, .str = s_name, .flags = FIG_ROW_KEY, .help = "the mode's name" },
	{ .key = "mapping", .kind = FIG_STR, .str = s_mapping, .flags = FIG_ROW_KEY,
	  .help = "dynamic, direct or bypass" },
	SEC("window", window_sec),
	U("ios", ios, DT, "workload I/Os (DMAs that are not a descriptor or completion)"),
	U("dmas", dmas, D, "DMAs the device made"),
	U("bytes", bytes, DT, "bytes moved by those DMAs"),
	SEC("map", map_sec),
	SEC("unmap", unmap_sec),
	SEC("setup", setup_sec),
	SEC("hcalls", hcalls_sec),
	SEC("kills", kills_sec),
	SEC("allocator", allocator_sec),
	U("requests", requests, D, "PCIe requests the DMAs were split into"),
	SEC("tce_cache", cache_sec),
	SEC("walks", walks_sec),
	U("faults", faults, DT, "DMA faults: no window, missing level, no TCE or no permission"),
	U("unmapped_dmas", unmapped_dmas, DT, "DMAs naming a handle that was not mapped"),
	SEC("window_ops", window_ops_sec),
	RES("live_mappings_at_end", FIG_U64, live_at_end, "mappings still live after the last op"),
	SEC("time", time_sec),
	SEC("device", device_sec),
	SEC("cpu", cpu_sec),
	SEC("link", link_sec),
	SEC("translation", translation_sec),
	N("speedup", f_speedup, 3, "the first mode's sim time / this mode's"),
	S("bottleneck", s_bottleneck, "what limits throughput: host CPU, PHB kill lock, link, translation or latency"),
	{ .key = "devices", .kind = FIG_DEVICES, .help = "per device: its own counters" },
	END,
};

const struct summary_col stats_summary[] = {
	{ "name", "mode", "name" },
	{ "cpu_ns_per_io", "CPU ns/I/O", "cpu.ns_per_io" },
	{ "cpu_ratio", "CPU vs first", "cpu.ratio" },
	{ "throughput_gbps", "Gb/s", "device.throughput_gbps" },
	{ "speedup", "speedup", "speedup" },
	{ "p99_latency_ns", "p99 ns", "device.latency_ns.p99" },
	{ "setup_ns", "set-up ns", "setup.time_ns" },
	{ "table_bytes", "table bytes", "window.table_bytes" },
	{ "bottleneck", "limited by", "bottleneck" },
	{ NULL, NULL, NULL },
};

/* --- values --- */

static uint64_t u64_of(const struct figure *f, const struct fig_ctx *c)
{
	const char *base = f->flags & FIG_RESULT ? (const char *)c->r : (const char *)c->st;

	return *(const uint64_t *)(base + f->off);
}

static double ratio_of(const struct figure *f, const struct mode_stats *st)
{
	uint64_t num = *(const uint64_t *)((const char *)st + f->off);
	uint64_t den = *(const uint64_t *)((const char *)st + f->den);

	return den ? (double)num / (double)den : 0.0;
}

/* s as a JSON string in buf (the one escaper, outfile_json_str); cut at n - 1 bytes. */
static void json_string(const char *s, char *buf, size_t n)
{
	FILE *m = fmemopen(buf, n, "w");

	buf[0] = '\0';
	if (!m)
		return;
	outfile_json_str(m, s);
	fclose(m);
}

static void value(const struct figure *f, const struct fig_ctx *c, bool json, char *buf, size_t n)
{
	double v;
	const char *s;

	switch (f->kind) {
	case FIG_U64:
	case FIG_HEX:
		snprintf(buf, n, f->kind == FIG_HEX && !json ? "0x%" PRIx64 : "%" PRIu64, u64_of(f, c));
		return;
	case FIG_RATIO:
		snprintf(buf, n, "%.4f", ratio_of(f, c->st));
		return;
	case FIG_NUM:
		v = f->num(c);
		if (isnan(v))
			snprintf(buf, n, json ? "null" : "-");
		else
			snprintf(buf, n, "%.*f", f->digits, v);
		return;
	case FIG_STR:
		s = f->str(c);
		if (!s)
			snprintf(buf, n, json ? "null" : "-");
		else if (json)
			json_string(s, buf, n);
		else
			snprintf(buf, n, "%s", s);
		return;
	case FIG_SECTION:
	case FIG_DEVICES:
		buf[0] = '\0';
		return;
	}
}

void stats_text(const struct figure *f, const struct fig_ctx *c, char *buf, size_t n)
{
	value(f, c, false, buf, n);
}

void stats_json(const struct figure *f, const struct fig_ctx *c, char *buf, size_t n)
{
	value(f, c, true, buf, n);
}

/* --- walking --- */

static void walk(const struct figure *sec, bool dev_only, char *path, size_t len,
		 stats_visit_fn fn, void *arg)
{
	for (const struct figure *f = sec; f->key; f++) {
		int k = snprintf(path + len, 256 - len, "%s%s", len ? "." : "", f->key);

		if (f->kind == FIG_SECTION)
			walk(f->sub, dev_only, path, len + (size_t)k, fn, arg);
		else if (f->kind != FIG_DEVICES && (!dev_only || (f->flags & FIG_DEV)))
			fn(arg, path, f);
		path[len] = '\0';
	}
}

void stats_walk(const struct figure *root, bool dev_only, stats_visit_fn fn, void *arg)
{
	char path[256] = "";

	walk(root, dev_only, path, 0, fn, arg);
}

bool stats_has_dev(const struct figure *sec)
{
	for (const struct figure *f = sec; f->key; f++)
		if (f->kind == FIG_SECTION ? stats_has_dev(f->sub) : (f->flags & FIG_DEV) != 0)
			return true;
	return false;
}

int stats_check(const struct figure *root, char *buf, size_t n)
{
	for (const struct figure *f = root; f->key; f++) {
		for (const struct figure *g = root; g != f; g++)
			if (!strcmp(f->key, g->key)) {
				snprintf(buf, n, "%s", f->key);
				return -1;
			}
		if (f->kind == FIG_SECTION && stats_check(f->sub, buf, n) < 0) {
			size_t l = strlen(buf);

			if (l + strlen(f->key) + 2 < n) {
				memmove(buf + strlen(f->key) + 1, buf, l + 1);
				memcpy(buf, f->key, strlen(f->key));
				buf[strlen(f->key)] = '.';
			}
			return -1;
		}
	}
	return 0;
}

static const struct figure *find(const struct figure *sec, const char *path)
{
	size_t l = strcspn(path, ".");

	for (const struct figure *f = sec; f->key; f++) {
		if (strlen(f->key) != l || strncmp(f->key, path, l))
			continue;
		if (!path[l])
			return f->kind == FIG_SECTION ? NULL : f;
		return f->kind == FIG_SECTION ? find(f->sub, path + l + 1) : NULL;
	}
	return NULL;
}

const struct figure *stats_find(const struct figure *root, const char *path)
{
	return find(root, path);
}
