/*
 * report.c - the writers. One list of (path, value) cells per mode is built
 * from the stats registry (stats.c) plus the window description; the text
 * table, the JSON tree and the CSV rows are three walks over the same list,
 * so the formats cannot disagree. JSON objects nest by the dots in the paths;
 * the registry keeps paths of one object together.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/hist.h"
#include "ddwsim/report.h"
#include "ddwsim/stats.h"

#define MAX_CELLS	96
#define VAL_MAX		96

struct cell {
	const char *path;		/* dotted JSON path */
	char text[VAL_MAX];		/* as printed in text and CSV */
	char json[VAL_MAX * 2];		/* as written in JSON */
};

struct cells {
	struct cell c[MAX_CELLS];
	unsigned n;
};

int report_fmt_parse(const char *s)
{
	static const char *const names[] = { "text", "json", "csv" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static void json_str(const char *s, char *out, size_t n)
{
	size_t o = 0;

	if (n < 3)
		return;
	out[o++] = '"';
	for (; *s && o + 8 < n; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(out + o, n - o, "\\u%04x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

static struct cell *add(struct cells *cs, const char *path)
{
	struct cell *c = &cs->c[cs->n++];

	c->path = path;
	return c;
}

static void add_str(struct cells *cs, const char *path, const char *v)
{
	struct cell *c = add(cs, path);

	snprintf(c->text, sizeof(c->text), "%s", v);
	json_str(v, c->json, sizeof(c->json));
}

static void add_u64(struct cells *cs, const char *path, uint64_t v, bool hex)
{
	struct cell *c = add(cs, path);

	snprintf(c->text, sizeof(c->text), hex ? "0x%" PRIx64 : "%" PRIu64, v);
	snprintf(c->json, sizeof(c->json), "%" PRIu64, v);
}

static void add_errors(struct cells *cs, const struct mode_stats *st)
{
	struct cell *c = add(cs, "window_ops.errors");
	size_t t = 0, j = 0;

	c->text[0] = '\0';
	j += (size_t)snprintf(c->json, sizeof(c->json), "{");
	for (int e = 0; e < WIN_ERR_COUNT; e++) {
		if (!st->win_errors[e])
			continue;
		t += (size_t)snprintf(c->text + t, sizeof(c->text) - t, "%s%s=%" PRIu64,
				      t ? ";" : "", win_err_name((enum win_err)e), st->win_errors[e]);
		j += (size_t)snprintf(c->json + j, sizeof(c->json) - j, "%s\"%s\": %" PRIu64,
				      j > 1 ? ", " : "", win_err_name((enum win_err)e), st->win_errors[e]);
	}
	snprintf(c->json + j, sizeof(c->json) - j, "}");
	if (!t)
		snprintf(c->text, sizeof(c->text), "0");
}

static void add_f(struct cells *cs, const char *path, bool valid, double v, int digits)
{
	struct cell *c = add(cs, path);

	if (!valid) {
		snprintf(c->text, sizeof(c->text), "-");
		snprintf(c->json, sizeof(c->json), "null");
		return;
	}
	snprintf(c->text, sizeof(c->text), "%.*f", digits, v);
	snprintf(c->json, sizeof(c->json), "%.*f", digits, v);
}

/* Time figures (timed replay): ps counters shown in ns. */
static void add_time(struct cells *cs, const struct sim_result *r, const struct sim_result *first)
{
	const struct mode_stats *st = &r->st;
	bool ok = r->timed;
	double span = (double)(st->dma_last_ps - st->dma_first_ps);
	double cpu = (double)(st->cpu_map_ps + st->cpu_unmap_ps);
	add_f(cs, "time.sim_ns", ok, st->time_ps / 1e3, 1);
	add_f(cs, "setup.time_ns", ok, st->setup_ps / 1e3, 1);
	add_f(cs, "device.throughput_gbps", ok && span > 0, span > 0 ? st->bytes * 8e3 / span : 0, 3);
	add_f(cs, "device.latency_ns.mean", ok, hist_mean(&r->dma_latency) / 1e3, 1);
	add_f(cs, "device.latency_ns.p50", ok, hist_quantile(&r->dma_latency, 0.50) / 1e3, 1);
	add_f(cs, "device.latency_ns.p90", ok, hist_quantile(&r->dma_latency, 0.90) / 1e3, 1);
	add_f(cs, "device.latency_ns.p99", ok, hist_quantile(&r->dma_latency, 0.99) / 1e3, 1);
	add_f(cs, "device.latency_ns.max", ok, r->dma_latency.max / 1e3, 1);
	add_f(cs, "cpu.map_ns", ok, st->cpu_map_ps / 1e3, 1);
	add_f(cs, "cpu.unmap_ns", ok, st->cpu_unmap_ps / 1e3, 1);
	add_f(cs, "cpu.ns_per_io", ok && st->ios, st->ios ? cpu / 1e3 / st->ios : 0, 1);
	add_f(cs, "cpu.utilization", ok && st->time_ps, st->time_ps ?
	      cpu / ((double)st->time_ps * r->cpus) : 0, 4);
	add_f(cs, "translation.stall_ns", ok, st->stall_ps / 1e3, 1);
	add_u64(cs, "translation.walks_merged", st->walks_merged, false);
	add_f(cs, "translation.walk_latency_ns.p50", ok, hist_quantile(&r->walk_latency, 0.50) / 1e3, 1);
	add_f(cs, "translation.walk_latency_ns.p99", ok, hist_quantile(&r->walk_latency, 0.99) / 1e3, 1);
	add_f(cs, "speedup", ok && st->time_ps && first->st.time_ps,
	      st->time_ps ? (double)first->st.time_ps / (double)st->time_ps : 0, 3);
}

static void build(const struct sim_result *r, const struct sim_result *first, struct cells *cs)
{
	cs->n = 0;
	add_str(cs, "name", r->mode->name);
	add_str(cs, "mapping", mapping_names[r->mode->mapping]);
	add_u64(cs, "window.start", r->win_start, true);
	add_u64(cs, "window.size", r->win_size, false);
	add_u64(cs, "window.page_shift", r->win_page_shift, false);
	add_u64(cs, "window.levels", r->win_levels, false);
	add_u64(cs, "window.table_bytes", r->table_bytes, false);
	add_u64(cs, "window.table_bytes_allocated", r->table_bytes_allocated, false);
	for (const struct stat_desc *d = mode_stat_table; d->path; d++) {
		struct cell *c;

		if (d->kind == STAT_U64) {
			add_u64(cs, d->path, stat_u64(&r->st, d), false);
			continue;
		}
		c = add(cs, d->path);
		snprintf(c->text, sizeof(c->text), "%.4f", stat_ratio(&r->st, d));
		snprintf(c->json, sizeof(c->json), "%.4f", stat_ratio(&r->st, d));
	}
	add_errors(cs, &r->st);
	add_u64(cs, "live_mappings_at_end", r->live_at_end, false);
	add_time(cs, r, first);
}

/* --- text --- */

struct param_ctx {
	FILE *fp;
	enum report_fmt fmt;
	unsigned count;
};

static void param_text(void *arg, const char *path, const char *value, const char *unit,
		       const char *src, bool assumed)
{
	struct param_ctx *p = arg;
	char v[160];

	snprintf(v, sizeof(v), "%s%s%s", value, *unit ? " " : "", unit);
	fprintf(p->fp, "  %-36s %-24s %s%s\n", path, v, assumed ? "[assumed: not public] " : "", src);
}

/* One device's counters, as cells: its number, then the stats registry. */
static void build_dev(const struct mode_stats *st, unsigned dev, struct cells *cs)
{
	cs->n = 0;
	add_u64(cs, "device", dev, false);
	for (const struct stat_desc *d = mode_stat_table; d->path; d++) {
		struct cell *c;

		if (d->kind == STAT_U64) {
			add_u64(cs, d->path, stat_u64(st, d), false);
			continue;
		}
		c = add(cs, d->path);
		snprintf(c->text, sizeof(c->text), "%.4f", stat_ratio(st, d));
		snprintf(c->json, sizeof(c->json), "%.4f", stat_ratio(st, d));
	}
}

/* Figures shown per device in the text report, when there are several. */
static const char *const per_device_rows[] = {
	"ios", "bytes", "map.calls", "map.failures", "unmap.calls", "hcalls.h_put_tce",
	"hcalls.h_put_tce_indirect", "hcalls.h_stuff_tce", "kills.page", "kills.pe",
	"tce_cache.lookups", "tce_cache.hit_rate", "walks.count", "faults", "unmapped_dmas",
	"allocator.match_rate", NULL,
};

static void write_text_devices(FILE *fp, const struct sim_result *res, unsigned n, unsigned w0)
{
	static struct cells dc;

	if (res[0].ndev < 2)
		return;
	for (unsigned m = 0; m < n; m++) {
		fprintf(fp, "\n%s, per device:\n%-*s", res[m].mode->name, (int)w0, "device");
		for (unsigned d = 0; d < res[m].ndev; d++)
			fprintf(fp, "  %12u", d);
		fputc('\n', fp);
		for (const char *const *row = per_device_rows; *row; row++) {
			fprintf(fp, "%-*s", (int)w0, *row);
			for (unsigned d = 0; d < res[m].ndev; d++) {
				build_dev(&res[m].dev[d], d, &dc);
				for (unsigned i = 0; i < dc.n; i++)
					if (!strcmp(dc.c[i].path, *row))
						fprintf(fp, "  %12s", dc.c[i].text);
			}
			fputc('\n', fp);
		}
	}
}

static void write_text(FILE *fp, const struct config *cfg, const struct sim_result *res,
		       unsigned n)
{
	static struct cells cs[CONFIG_MAX_MODES];
	unsigned w0 = 0, w[CONFIG_MAX_MODES];
	struct param_ctx pc = { .fp = fp, .fmt = REPORT_TEXT };

	for (unsigned m = 0; m < n; m++) {
		build(&res[m], &res[0], &cs[m]);
		w[m] = 0;
		for (unsigned i = 0; i < cs[m].n; i++) {
			if (strlen(cs[m].c[i].path) > w0)
				w0 = (unsigned)strlen(cs[m].c[i].path);
			if (strlen(cs[m].c[i].text) > w[m])
				w[m] = (unsigned)strlen(cs[m].c[i].text);
		}
	}
	fprintf(fp, "ddwsim %s: %s, seed %" PRIu64 ", platform %s, workload %s\n\n", DDWSIM_VERSION,
		cfg->path, cfg->run.seed, cfg->platform.name,
		cfg->workload.trace[0] ? cfg->workload.trace : cfg->workload.generator);
	for (unsigned i = 0; i < cs[0].n; i++) {
		fprintf(fp, "%-*s", (int)w0, cs[0].c[i].path);
		for (unsigned m = 0; m < n; m++)
			fprintf(fp, "  %*s", (int)w[m], cs[m].c[i].text);
		fputc('\n', fp);
	}
	write_text_devices(fp, res, n, w0);
	fprintf(fp, "\nparameters (value, then where it came from):\n");
	config_params(cfg, param_text, &pc);
}

/* --- JSON --- */

/* Length of the common leading components of two dotted paths (in components). */
static unsigned common(const char *a, const char *b)
{
	unsigned k = 0;

	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");

		if (!a[la] || !b[lb] || la != lb || strncmp(a, b, la))
			return k;
		k++;
		a += la + 1;
		b += lb + 1;
	}
}

static unsigned depth(const char *p)
{
	unsigned d = 0;

	for (; *p; p++)
		d += *p == '.';
	return d;
}

static const char *component(const char *p, unsigned k, size_t *len)
{
	while (k--)
		p += strcspn(p, ".") + 1;
	*len = strcspn(p, ".");
	return p;
}

static void write_json_cells(FILE *fp, const struct cells *cs, const char *ind,
			     const struct sim_result *r);

/* "devices": one object per device the workload used. */
static void write_json_devices(FILE *fp, const struct sim_result *r, const char *ind)
{
	static struct cells dc;
	char deeper[64];

	snprintf(deeper, sizeof(deeper), "%s    ", ind);
	fprintf(fp, ",\n%s  \"devices\": [", ind);
	for (unsigned i = 0; i < r->ndev; i++) {
		build_dev(&r->dev[i], i, &dc);
		fprintf(fp, "%s\n%s", i ? "," : "", deeper);
		write_json_cells(fp, &dc, deeper, NULL);
	}
	fprintf(fp, "\n%s  ]", ind);
}

static void write_json_cells(FILE *fp, const struct cells *cs, const char *ind,
			     const struct sim_result *r)
{
	const char *prev = NULL;
	unsigned open = 0;	/* objects open below the mode's own */

	fputc('{', fp);
	for (unsigned i = 0; i < cs->n; i++) {
		const char *p = cs->c[i].path, *name;
		unsigned keep = prev ? common(prev, p) : 0, d = depth(p);
		size_t len;

		if (keep > open)
			keep = open;
		for (; open > keep; open--)
			fprintf(fp, "\n%s%*s}", ind, (int)(2 * open), "");
		if (prev)
			fputc(',', fp);
		for (; open < d; open++) {
			name = component(p, open, &len);
			fprintf(fp, "\n%s%*s\"%.*s\": {", ind, (int)(2 * open + 2), "", (int)len, name);
		}
		name = component(p, d, &len);
		fprintf(fp, "\n%s%*s\"%.*s\": %s", ind, (int)(2 * d + 2), "", (int)len, name,
			cs->c[i].json);
		prev = p;
	}
	for (; open > 0; open--)
		fprintf(fp, "\n%s%*s}", ind, (int)(2 * open), "");
	if (r)
		write_json_devices(fp, r, ind);
	fprintf(fp, "\n%s}", ind);
}

static void param_json(void *arg, const char *path, const char *value, const char *unit,
		       const char *src, bool assumed)
{
	struct param_ctx *p = arg;
	char a[256], b[256], c[256], d[512];

	json_str(path, a, sizeof(a));
	json_str(value, b, sizeof(b));
	json_str(unit, c, sizeof(c));
	json_str(src, d, sizeof(d));
	fprintf(p->fp, "%s\n    %s: {\"value\": %s, \"unit\": %s, \"source\": %s, \"assumed\": %s}",
		p->count++ ? "," : "", a, b, c, d, assumed ? "true" : "false");
}

static void write_json(FILE *fp, const struct config *cfg, const struct sim_result *res,
		       unsigned n)
{
	static struct cells cs;
	struct param_ctx pc = { .fp = fp, .fmt = REPORT_JSON };
	char path[4200 * 2];

	json_str(cfg->path, path, sizeof(path));
	fprintf(fp, "{\n  \"ddwsim_version\": \"%s\",\n  \"config\": %s,\n  \"seed\": %" PRIu64 ",\n",
		DDWSIM_VERSION, path, cfg->run.seed);
	fprintf(fp, "  \"modes\": [");
	for (unsigned m = 0; m < n; m++) {
		build(&res[m], &res[0], &cs);
		fprintf(fp, "%s\n    ", m ? "," : "");
		write_json_cells(fp, &cs, "    ", &res[m]);
	}
	fprintf(fp, "\n  ],\n  \"parameters\": {");
	config_params(cfg, param_json, &pc);
	fprintf(fp, "\n  }\n}\n");
}

/* --- CSV --- */

static void csv_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void write_csv(FILE *fp, const struct config *cfg, const struct sim_result *res,
		      unsigned n)
{
	static struct cells cs;

	fprintf(fp, "seed");
	build(&res[0], &res[0], &cs);
	for (unsigned i = 0; i < cs.n; i++)
		fprintf(fp, ",%s", cs.c[i].path);
	fputc('\n', fp);
	for (unsigned m = 0; m < n; m++) {
		build(&res[m], &res[0], &cs);
		fprintf(fp, "%" PRIu64, cfg->run.seed);
		for (unsigned i = 0; i < cs.n; i++) {
			fputc(',', fp);
			csv_field(fp, cs.c[i].text);
		}
		fputc('\n', fp);
	}
}

void report_write(FILE *fp, enum report_fmt fmt, const struct config *cfg,
		  const struct sim_result *res, unsigned n)
{
	if (fmt == REPORT_JSON)
		write_json(fp, cfg, res, n);
	else if (fmt == REPORT_CSV)
		write_csv(fp, cfg, res, n);
	else
		write_text(fp, cfg, res, n);
}
