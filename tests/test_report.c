/*
 * test_report.c - the report writers, and every JSON and CSV ddwsim writes.
 *
 * Every JSON the binary writes (the goldens, every shipped config timed and
 * untimed, trace info) must parse with duplicate keys rejected, and every
 * CSV header (reports and a sweep's collected CSV) must name each column
 * once. The writers are also run directly on results made by hand.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddwsim/config.h"
#include "ddwsim/report.h"
#include "csv_check.h"
#include "json_strict.h"

static const char *bin(void)
{
	const char *b = getenv("DDWSIM_BIN");

	return b && *b ? b : "./ddwsim";
}

/* The stdout of a command (exit status 0 required). */
static char *capture(const char *cmd, size_t *len)
{
	FILE *fp = popen(cmd, "r");
	size_t n = 0, cap = 1 << 16, got;
	char *buf = malloc(cap + 1);

	cr_assert(fp && buf);
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	buf[n] = '\0';
	cr_assert_eq(pclose(fp), 0, "%s failed", cmd);
	*len = n;
	return buf;
}

static void expect_json(const char *text, size_t len, const char *what)
{
	char err[256];

	cr_expect_eq(json_strict_check(text, len, err, sizeof(err)), 0, "%s: %s", what, err);
}

static void expect_csv(const char *text, const char *what)
{
	char err[256];

	cr_expect_eq(csv_header_unique(text, err, sizeof(err)), 0, "%s: %s", what, err);
}

Test(report, every_golden_json_parses_with_duplicate_keys_rejected)
{
	glob_t g;
	unsigned n = 0;

	cr_assert_eq(glob("tests/golden/*.args", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char args[1024] = "", exp[1024], *text;
		FILE *fp = fopen(g.gl_pathv[i], "r");
		size_t len;

		cr_assert(fp && fgets(args, sizeof(args), fp));
		fclose(fp);
		snprintf(exp, sizeof(exp), "%.*s.expected", (int)(strlen(g.gl_pathv[i]) - 5), g.gl_pathv[i]);
		if (strstr(args, "--format json")) {
			char cmd[1200];

			snprintf(cmd, sizeof(cmd), "cat %s", exp);
			text = capture(cmd, &len);
			expect_json(text, len, exp);
			free(text);
			n++;
		} else if (strstr(args, "--format csv")) {
			char cmd[1200];

			snprintf(cmd, sizeof(cmd), "cat %s", exp);
			text = capture(cmd, &len);
			expect_csv(text, exp);
			free(text);
			n++;
		}
	}
	globfree(&g);
	cr_expect_geq(n, 4u);
}

Test(report, every_shipped_config_writes_strict_json_and_unique_csv_columns, .timeout = 600)
{
	static const char *const pats[] = { "configs/*.yaml", "configs/calibration/*.yaml" };
	unsigned n = 0;

	for (unsigned p = 0; p < 2; p++) {
		glob_t g;

		cr_assert_eq(glob(pats[p], 0, NULL, &g), 0);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			for (unsigned timing = 0; timing < 2; timing++) {
				char cmd[1200], *text;
				size_t len;

				snprintf(cmd, sizeof(cmd), "%s --config %s --set run.ios=2000 --set run.timing=%s "
					 "--format json -q </dev/null", bin(), g.gl_pathv[i],
					 timing ? "true" : "false");
				text = capture(cmd, &len);
				expect_json(text, len, cmd);
				cr_expect_not_null(json_strict_get(text, len, "modes[0].setup.hcalls", NULL),
						   "%s", cmd);
				cr_expect_not_null(json_strict_get(text, len, "summary.modes[0].bottleneck", NULL),
						   "%s", cmd);
				free(text);
				snprintf(cmd, sizeof(cmd), "%s --config %s --set run.ios=2000 --set run.timing=%s "
					 "--format csv -q </dev/null", bin(), g.gl_pathv[i],
					 timing ? "true" : "false");
				text = capture(cmd, &len);
				expect_csv(text, cmd);
				free(text);
			}
			n++;
		}
		globfree(&g);
	}
	cr_expect_geq(n, 14u);
}

Test(report, trace_info_json_is_strict)
{
	size_t len;
	char cmd[512], *text;

	snprintf(cmd, sizeof(cmd), "%s trace info tests/traces/all-ops.ddwt --format json", bin());
	text = capture(cmd, &len);
	expect_json(text, len, cmd);
	free(text);
}

Test(report, a_sweep_csv_names_each_column_once, .timeout = 300)
{
	char dir[] = "/tmp/ddwsim-sweep-XXXXXX", cmd[1024], path[600], *text;
	size_t len;

	cr_assert(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd), "%s sweep bench/sweeps/kill-escalation.yaml -q -j 2 --results %s "
		 ">/dev/null 2>&1 && cat %s/kill-escalation.csv", bin(), dir, dir);
	text = capture(cmd, &len);
	expect_csv(text, "kill-escalation.csv");
	cr_expect_geq(csv_column(text, "platform.kill.scope"), 0);
	cr_expect_geq(csv_column(text, "tce_cache.hit_rate"), 0);
	free(text);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	cr_assert_eq(system(path), 0);
}

/* --- the writers on results made by hand --- */

static struct config cfg;
static struct sim_result *res;

static void setup(void)
{
	cr_assert_eq(config_load(&cfg, "configs/default.yaml", NULL, 0), 0);
	res = calloc(3, sizeof(*res));
	for (unsigned m = 0; m < 3; m++) {
		res[m].mode = &cfg.modes[m];
		res[m].io_name = "packet";
		res[m].timed = true;
		res[m].cpus = 2;
		res[m].walkers = 64;
		res[m].ndev = 2;
		hist_init(&res[m].dma_latency);
		hist_init(&res[m].walk_latency);
		res[m].st.ios = 100;
		res[m].st.time_ps = 1000000;
		res[m].st.dma_last_ps = 1000000;
		res[m].st.bytes = 125000;		/* 1e6 bits in 1 us: 1000 Gb/s */
		res[m].dev[1].ios = 40 + m;
	}
	res[0].st.cpu_map_ps = 500000;		/* 5000 ps per I/O: 5.0 ns */
	res[2].st.cpu_map_ps = 5000;		/* 0.05 ns: 100x less */
	res[2].st.setup_hcalls = 7;
	res[2].st.time_ps = 500000;
}

static void teardown(void)
{
	free(res);
	config_release(&cfg);
}

static char *write_report_flags(enum report_fmt fmt, unsigned flags, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	cr_assert_not_null(fp);
	report_write(fp, fmt, &cfg, res, 3, flags);
	fclose(fp);
	return buf;
}

static char *write_report(enum report_fmt fmt, size_t *len)
{
	return write_report_flags(fmt, 0, len);
}

static void expect_value(const char *text, size_t len, const char *path, const char *want)
{
	size_t vlen;
	const char *v = json_strict_get(text, len, path, &vlen);

	cr_assert_not_null(v, "%s missing", path);
	cr_expect_eq(vlen, strlen(want), "%s is %.*s, want %s", path, (int)vlen, v, want);
	cr_expect_eq(strncmp(v, want, vlen), 0, "%s is %.*s, want %s", path, (int)vlen, v, want);
}

Test(report, json_nests_every_figure_once, .init = setup, .fini = teardown)
{
	size_t len;
	char *text = write_report(REPORT_JSON, &len);

	expect_json(text, len, "report json");
	expect_value(text, len, "modes[2].setup.hcalls", "7");
	expect_value(text, len, "modes[0].name", "\"default-window\"");
	expect_value(text, len, "modes[1].devices[1].figures.ios", "41");
	expect_value(text, len, "modes[1].devices[1].device", "1");
	expect_value(text, len, "summary.baseline", "\"default-window\"");
	expect_value(text, len, "summary.modes[2].cpu_ns_per_io", "0.1");
	expect_value(text, len, "summary.modes[2].cpu_ratio", "100.0");
	expect_value(text, len, "summary.modes[2].speedup", "2.000");
	expect_value(text, len, "summary.modes[0].throughput_gbps", "1000.000");
	expect_value(text, len, "io", "\"packet\"");
	free(text);
}

Test(report, csv_has_one_row_per_mode_under_unique_columns, .init = setup, .fini = teardown)
{
	size_t len;
	char *text = write_report(REPORT_CSV, &len), cell[64];
	int c = csv_column(text, "setup.hcalls");

	expect_csv(text, "report csv");
	cr_assert_geq(c, 0);
	cr_assert_eq(csv_cell(text, 2, (unsigned)c, cell, sizeof(cell)), 0);
	cr_expect_str_eq(cell, "7");
	cr_assert_eq(csv_cell(text, 0, (unsigned)csv_column(text, "name"), cell, sizeof(cell)), 0);
	cr_expect_str_eq(cell, "default-window");
	cr_expect_neq(csv_cell(text, 3, 0, cell, sizeof(cell)), 0);	/* no fourth row */
	free(text);
}

/* The cell at (row, the column named name) of a CSV text. */
/* The cell of column name in data row `row` is want. */
static void expect_cell(const char *text, unsigned row, const char *name, const char *want)
{
	int c = csv_column(text, name);
	char cell[64];

	cr_assert_geq(c, 0, "no column %s", name);
	cr_assert_eq(csv_cell(text, row, (unsigned)c, cell, sizeof(cell)), 0, "no row %u", row);
	cr_expect_str_eq(cell, want, "row %u, %s", row, name);
}

/*
 * --per-device: after seed a device column; each mode's row ("all", the
 * totals) is followed by a row per device. The fixture has 3 modes of 2
 * devices, device 1 of mode m making 40 + m I/Os and device 0 none, and 100
 * I/Os and 1000 Gb/s in total: rows 0..8 (after the header) are mode 0 all,
 * 0, 1; mode 1 all, 0, 1; mode 2 all, 0, 1. A device row names its mode and leaves the
 * whole-run figures (throughput, setup.hcalls of the mode) empty.
 */
Test(report, csv_per_device_rows_follow_each_modes_totals, .init = setup, .fini = teardown)
{
	size_t len;
	char *text = write_report_flags(REPORT_CSV, REPORT_PER_DEVICE, &len), cell[64];

	expect_csv(text, "report csv per device");
	cr_expect_eq(csv_column(text, "device"), 1);
	expect_cell(text, 3, "device", "all");
	expect_cell(text, 3, "ios", "100");
	expect_cell(text, 3, "device.throughput_gbps", "1000.000");
	expect_cell(text, 5, "device", "1");
	expect_cell(text, 5, "ios", "41");
	expect_cell(text, 4, "ios", "0");
	expect_cell(text, 5, "name", "ddw-dynamic");
	expect_cell(text, 5, "device.throughput_gbps", "");
	expect_cell(text, 6, "setup.hcalls", "7");
	expect_cell(text, 8, "ios", "42");
	cr_expect_neq(csv_cell(text, 9, 0, cell, sizeof(cell)), 0);	/* no tenth row */
	free(text);
	text = write_report(REPORT_CSV, &len);
	cr_expect_lt(csv_column(text, "device"), 0, "no device column unless asked");
	free(text);
}

Test(report, text_opens_with_the_summary_in_mode_order, .init = setup, .fini = teardown)
{
	size_t len;
	char *text = write_report(REPORT_TEXT, &len);
	char *sum = strstr(text, "summary: per packet, against default-window");
	char *a = strstr(text, "\ndefault-window "), *b = strstr(text, "\nddw-dynamic "),
	     *c = strstr(text, "\nddw-direct ");

	cr_assert_not_null(sum);
	cr_expect(strstr(text, "CPU ns/packet") != NULL);
	cr_assert(a && b && c);
	cr_expect(sum < a && a < b && b < c);
	cr_expect(strstr(c, "100.0") != NULL);		/* the CPU ratio on the direct line */
	cr_expect(strstr(text, "\nsetup.hcalls ") != NULL);
	cr_expect(strstr(text, "per device:") != NULL);	/* two devices */
	free(text);
}

/* Each device's window choice: device 0's for the mode, its own in each per-device object,
 * and in the text report under the table, a line per mode and per device. */
Test(report, window_choice_is_reported_per_device, .init = setup, .fini = teardown)
{
	size_t len;
	char *text;

	res[1].ddw[0] = (struct ddw_choice){ .kind = DDW_DIRECT, .reason = "direct: zero" };
	res[1].ddw[1] = (struct ddw_choice){ .kind = DDW_NONE, .reason = "no DDW: DMA mask 32 bits, one" };
	text = write_report(REPORT_JSON, &len);
	expect_json(text, len, "report json");
	expect_value(text, len, "modes[1].setup.ddw", "\"direct\"");
	expect_value(text, len, "modes[1].setup.reason", "\"direct: zero\"");
	expect_value(text, len, "modes[1].devices[0].figures.setup.ddw", "\"direct\"");
	expect_value(text, len, "modes[1].devices[1].figures.setup.ddw", "\"none\"");
	expect_value(text, len, "modes[1].devices[1].figures.setup.reason",
		     "\"no DDW: DMA mask 32 bits, one\"");
	free(text);
	text = write_report(REPORT_TEXT, &len);
	cr_expect_not_null(strstr(text, "\nsetup.reason:\n  default-window: \n"), "%s", text);
	cr_expect_not_null(strstr(text, "  ddw-dynamic: direct: zero\n    device 0: direct: zero\n"
					"    device 1: no DDW: DMA mask 32 bits, one\n"), "%s", text);
	free(text);
}
