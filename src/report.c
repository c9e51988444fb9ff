/*
 * report.c - the writers: text, JSON and CSV. Each only walks the registry
 * (stats.c): the summary's columns, then every figure of every mode, then
 * the per-device figures and the parameters the run used. None of them
 * names a figure, so the formats cannot disagree or repeat a key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/outfile.h"
#include "ddwsim/report.h"
#include "ddwsim/stats.h"

#define VAL_MAX		128

int report_fmt_parse(const char *s)
{
	static const char *const names[] = { "text", "json", "csv" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static struct fig_ctx ctx_of(const struct sim_result *res, unsigned m)
{
	return (struct fig_ctx){ .r = &res[m], .first = &res[0], .st = &res[m].st };
}

static const char *workload_name(const struct config *cfg)
{
	return cfg->workload.trace[0] ? cfg->workload.trace : cfg->workload.generator;
}

/* --- text --- */

struct text_rows {
	FILE *fp;
	const struct sim_result *res;
	unsigned n, w0, w[CONFIG_MAX_MODES];
	bool measure;			/* first pass: widths only */
};

static void text_row(void *arg, const char *path, const struct figure *f)
{
	struct text_rows *t = arg;
	char v[VAL_MAX];

	if (f->flags & FIG_TEXT_NOTE)
		return;		/* write_text_notes() */
	if (t->measure) {
		if (strlen(path) > t->w0)
			t->w0 = (unsigned)strlen(path);
	} else {
		fprintf(t->fp, "%-*s", (int)t->w0, path);
	}
	for (unsigned m = 0; m < t->n; m++) {
		struct fig_ctx c = ctx_of(t->res, m);

		stats_text(f, &c, v, sizeof(v));
		if (t->measure && strlen(v) > t->w[m])
			t->w[m] = (unsigned)strlen(v);
		else if (!t->measure)
			fprintf(t->fp, "  %*s", (int)t->w[m], v);
	}
	if (!t->measure)
		fputc('\n', t->fp);
}

static void summary_cell(const struct sim_result *res, unsigned m, unsigned col, char *v,
			 size_t n)
{
	struct fig_ctx c = ctx_of(res, m);

	stats_text(stats_find(stats_mode, stats_summary[col].path), &c, v, n);
}

static void summary_title(const struct sim_result *res, unsigned col, char *v, size_t n)
{
	if (!strcmp(stats_summary[col].key, "cpu_ns_per_io"))
		snprintf(v, n, "CPU ns/%s", res[0].io_name);
	else
		snprintf(v, n, "%s", stats_summary[col].title);
}

static void write_text_summary(FILE *fp, const struct sim_result *res, unsigned n)
{
	unsigned w[16] = { 0 }, ncol = 0;
	char v[VAL_MAX];

	for (; stats_summary[ncol].key; ncol++) {
		summary_title(res, ncol, v, sizeof(v));
		w[ncol] = (unsigned)strlen(v);
		for (unsigned m = 0; m < n; m++) {
			summary_cell(res, m, ncol, v, sizeof(v));
			if (strlen(v) > w[ncol])
				w[ncol] = (unsigned)strlen(v);
		}
	}
	fprintf(fp, "summary: per %s, against %s (CPU vs first: how many times less CPU per %s)\n",
		res[0].io_name, res[0].mode->name, res[0].io_name);
	for (int m = -1; m < (int)n; m++) {
		for (unsigned col = 0; col < ncol; col++) {
			if (m < 0)
				summary_title(res, col, v, sizeof(v));
			else
				summary_cell(res, (unsigned)m, col, v, sizeof(v));
			fprintf(fp, col ? "  %*s" : "%-*s", (int)w[col], v);
		}
		fputc('\n', fp);
	}
}

struct dev_rows {
	FILE *fp;
	const struct sim_result *r;
	unsigned w0;
};

static void dev_row(void *arg, const char *path, const struct figure *f)
{
	struct dev_rows *t = arg;
	char v[VAL_MAX];

	if (!(f->flags & FIG_DEV_TEXT))
		return;
	fprintf(t->fp, "%-*s", (int)t->w0, path);
	for (unsigned d = 0; d < t->r->ndev; d++) {
		struct fig_ctx c = { .r = t->r, .first = t->r, .st = &t->r->dev[d] };

		stats_text(f, &c, v, sizeof(v));
		fprintf(t->fp, "  %12s", v);
	}
	fputc('\n', t->fp);
}

static void write_text_devices(FILE *fp, const struct sim_result *res, unsigned n, unsigned w0)
{
	if (res[0].ndev < 2)
		return;
	for (unsigned m = 0; m < n; m++) {
		struct dev_rows t = { .fp = fp, .r = &res[m], .w0 = w0 };

		fprintf(fp, "\n%s, per device:\n%-*s", res[m].mode->name, (int)w0, "device");
		for (unsigned d = 0; d < res[m].ndev; d++)
			fprintf(fp, "  %12u", d);
		fputc('\n', fp);
		stats_walk(stats_mode, true, dev_row, &t);
	}
}

struct note_rows {
	FILE *fp;
	const struct sim_result *res;
	unsigned n;
};

/* A long figure, one line per mode and, with several devices, per device. */
static void note_row(void *arg, const char *path, const struct figure *f)
{
	const struct note_rows *t = arg;
	char v[VAL_MAX * 4];

	if (!(f->flags & FIG_TEXT_NOTE))
		return;
	fprintf(t->fp, "\n%s:\n", path);
	for (unsigned m = 0; m < t->n; m++) {
		const struct sim_result *r = &t->res[m];
		struct fig_ctx c = ctx_of(t->res, m);

		stats_text(f, &c, v, sizeof(v));
		fprintf(t->fp, "  %s: %s\n", r->mode->name, v);
		for (unsigned d = 0; r->ndev > 1 && d < r->ndev; d++) {
			c.st = &r->dev[d];
			stats_text(f, &c, v, sizeof(v));
			fprintf(t->fp, "    device %u: %s\n", d, v);
		}
	}
}

static void param_text(void *arg, const char *path, const char *value, const char *unit,
		       const char *src, bool assumed)
{
	FILE *fp = arg;
	char v[160];

	snprintf(v, sizeof(v), "%s%s%s", value, *unit ? " " : "", unit);
	fprintf(fp, "  %-36s %-24s %s%s\n", path, v, assumed ? "[assumed: not public] " : "", src);
}

static void write_text(FILE *fp, const struct config *cfg, const struct sim_result *res,
		       unsigned n)
{
	struct text_rows t = { .fp = fp, .res = res, .n = n, .measure = true };

	fprintf(fp, "ddwsim %s: %s, seed %" PRIu64 ", platform %s, workload %s\n\n", DDWSIM_VERSION,
		cfg->path, cfg->run.seed, cfg->platform.name, workload_name(cfg));
	write_text_summary(fp, res, n);
	fprintf(fp, "\nevery figure:\n");
	stats_walk(stats_mode, false, text_row, &t);
	t.measure = false;
	stats_walk(stats_mode, false, text_row, &t);
	stats_walk(stats_mode, false, note_row, &(struct note_rows){ .fp = fp, .res = res, .n = n });
	write_text_devices(fp, res, n, t.w0);
	fprintf(fp, "\nparameters (value, then where it came from):\n");
	config_params(cfg, param_text, fp);
}

/* --- JSON --- */

static void json_indent(FILE *fp, unsigned depth)
{
	fprintf(fp, "\n%*s", (int)(2 * depth), "");
}

static void json_devices(FILE *fp, const struct sim_result *r, unsigned depth);

/* A figure's JSON value; strings are streamed, so no buffer can cut them. */
static void json_value(FILE *fp, const struct figure *f, const struct fig_ctx *c)
{
	char v[VAL_MAX * 2];
	const char *s;

	if (f->kind != FIG_STR) {
		stats_json(f, c, v, sizeof(v));
		fputs(v, fp);
	} else if ((s = f->str(c))) {
		outfile_json_str(fp, s);
	} else {
		fputs("null", fp);
	}
}

/* One section as a JSON object (dev_only: the per-device figures). */
static void json_object(FILE *fp, const struct figure *sec, const struct fig_ctx *c,
			bool dev_only, unsigned depth)
{
	bool first = true;

	fputc('{', fp);
	for (const struct figure *f = sec; f->key; f++) {
		if (dev_only && (f->kind == FIG_SECTION ? !stats_has_dev(f->sub) : !(f->flags & FIG_DEV)))
			continue;
		if (f->kind == FIG_DEVICES && (dev_only || !c->r->ndev))
			continue;
		fputs(first ? "" : ",", fp);
		first = false;
		json_indent(fp, depth + 1);
		outfile_json_str(fp, f->key);
		fputs(": ", fp);
		if (f->kind == FIG_SECTION) {
			json_object(fp, f->sub, c, dev_only, depth + 1);
			continue;
		}
		if (f->kind == FIG_DEVICES) {
			json_devices(fp, c->r, depth + 1);
			continue;
		}
		json_value(fp, f, c);
	}
	json_indent(fp, depth);
	fputc('}', fp);
}

static void json_devices(FILE *fp, const struct sim_result *r, unsigned depth)
{
	fputs("[", fp);
	for (unsigned d = 0; d < r->ndev; d++) {
		struct fig_ctx c = { .r = r, .first = r, .st = &r->dev[d] };

		fputs(d ? "," : "", fp);
		json_indent(fp, depth + 1);
		fprintf(fp, "{\"device\": %u, \"figures\": ", d);
		json_object(fp, stats_mode, &c, true, depth + 1);
		fputc('}', fp);
	}
	json_indent(fp, depth);
	fputc(']', fp);
}

static void json_summary(FILE *fp, const struct sim_result *res, unsigned n)
{
	fputs("{\n    \"baseline\": ", fp);
	outfile_json_str(fp, res[0].mode->name);
	fputs(",\n    \"modes\": [", fp);
	for (unsigned m = 0; m < n; m++) {
		struct fig_ctx c = ctx_of(res, m);

		fputs(m ? "," : "", fp);
		json_indent(fp, 3);
		fputc('{', fp);
		for (unsigned col = 0; stats_summary[col].key; col++) {
			fprintf(fp, "%s\"%s\": ", col ? ", " : "", stats_summary[col].key);
			json_value(fp, stats_find(stats_mode, stats_summary[col].path), &c);
		}
		fputc('}', fp);
	}
	fputs("\n    ]\n  }", fp);
}

struct param_json {
	FILE *fp;
	unsigned count;
};

static void param_json(void *arg, const char *path, const char *value, const char *unit,
		       const char *src, bool assumed)
{
	struct param_json *p = arg;

	fputs(p->count++ ? ",\n    " : "\n    ", p->fp);
	outfile_json_str(p->fp, path);
	fputs(": {\"value\": ", p->fp);
	outfile_json_str(p->fp, value);
	fputs(", \"unit\": ", p->fp);
	outfile_json_str(p->fp, unit);
	fputs(", \"source\": ", p->fp);
	outfile_json_str(p->fp, src);
	fprintf(p->fp, ", \"assumed\": %s}", assumed ? "true" : "false");
}

static void json_header(FILE *fp, const struct config *cfg, const struct sim_result *res)
{
	fprintf(fp, "{\n  \"ddwsim_version\": \"%s\",\n  \"config\": ", DDWSIM_VERSION);
	outfile_json_str(fp, cfg->path);
	fprintf(fp, ",\n  \"seed\": %" PRIu64 ",\n  \"platform\": ", cfg->run.seed);
	outfile_json_str(fp, cfg->platform.name);
	fputs(",\n  \"workload\": ", fp);
	outfile_json_str(fp, workload_name(cfg));
	fputs(",\n  \"io\": ", fp);
	outfile_json_str(fp, res[0].io_name);
	fprintf(fp, ",\n  \"timed\": %s", res[0].timed ? "true" : "false");
}

static void write_json(FILE *fp, const struct config *cfg, const struct sim_result *res,
		       unsigned n)
{
	struct param_json pj = { .fp = fp };

	json_header(fp, cfg, res);
	fputs(",\n  \"summary\": ", fp);
	json_summary(fp, res, n);
	fputs(",\n  \"modes\": [", fp);
	for (unsigned m = 0; m < n; m++) {
		struct fig_ctx c = ctx_of(res, m);

		fputs(m ? "," : "", fp);
		json_indent(fp, 2);
		json_object(fp, stats_mode, &c, false, 2);
	}
	fputs("\n  ],\n  \"parameters\": {", fp);
	config_params(cfg, param_json, &pj);
	fputs("\n  }\n}\n", fp);
}

/* --- CSV --- */

void report_csv_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
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

struct csv_row {
	FILE *fp;
	struct fig_ctx c;
	bool header;
	bool device;			/* a device's row: its own figures only */
};

static void csv_cell(void *arg, const char *path, const struct figure *f)
{
	struct csv_row *row = arg;
	char v[VAL_MAX * 4];		/* setup.reason is the longest */

	fputc(',', row->fp);
	if (row->header) {
		report_csv_field(row->fp, path);
		return;
	}
	if (row->device && !(f->flags & (FIG_DEV | FIG_ROW_KEY)))
		return;			/* a whole-run figure: the mode's row has it */
	stats_text(f, &row->c, v, sizeof(v));
	report_csv_field(row->fp, v);
}

/* One row: the seed, with per_device the device column ("all" or d), the figures. */
static void csv_line(FILE *fp, const struct config *cfg, struct csv_row *row, bool per_device,
		     unsigned d)
{
	fprintf(fp, "%" PRIu64, cfg->run.seed);
	if (per_device && row->device)
		fprintf(fp, ",%u", d);
	else if (per_device)
		fputs(",all", fp);
	stats_walk(stats_mode, false, csv_cell, row);
	fputc('\n', fp);
}

static void write_csv(FILE *fp, const struct config *cfg, const struct sim_result *res,
		      unsigned n, bool per_device)
{
	struct csv_row row = { .fp = fp, .header = true };

	fputs(per_device ? "seed,device" : "seed", fp);
	stats_walk(stats_mode, false, csv_cell, &row);
	fputc('\n', fp);
	row.header = false;
	for (unsigned m = 0; m < n; m++) {
		row.c = ctx_of(res, m);
		row.device = false;
		csv_line(fp, cfg, &row, per_device, 0);
		row.device = true;
		for (unsigned d = 0; per_device && d < res[m].ndev; d++) {
			row.c.st = &res[m].dev[d];
			csv_line(fp, cfg, &row, per_device, d);
		}
	}
}

void report_write(FILE *fp, enum report_fmt fmt, const struct config *cfg,
		  const struct sim_result *res, unsigned n, unsigned flags)
{
	if (fmt == REPORT_JSON)
		write_json(fp, cfg, res, n);
	else if (fmt == REPORT_CSV)
		write_csv(fp, cfg, res, n, flags & REPORT_PER_DEVICE);
	else
		write_text(fp, cfg, res, n);
}
