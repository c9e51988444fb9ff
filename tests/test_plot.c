/*
 * test_plot.c - `ddwsim plot`: what figure a CSV makes (the gnuplot script,
 * --script), that nothing from a hostile CSV reaches gnuplot unquoted, the
 * refusals, and real PNG/SVG files when gnuplot is installed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_bin.h"

/* A sweep's CSV: the swept key leads; two modes at three sizes. */
static const char sweep_csv[] =
	"workload.block_size,seed,name,cpu.ns_per_io,device.throughput_gbps\n"
	"4K,1,dyn,3590.2,4.021\n"
	"4K,1,direct,29.7,57.446\n"
	"64K,1,dyn,3600.5,40.5\n"
	"64K,1,direct,29.7,57.446\n"
	"1M,1,dyn,3700,57.4\n"
	"1M,1,direct,29.7,57.446\n";

static char *write_csv(const char *text)
{
	static char path[64];

	strcpy(path, "/tmp/ddwsim-plot-XXXXXX.csv");
	run_write(path, 4, text, strlen(text));
	return path;
}

static struct run_result plot(const char *csv, const char *opts)
{
	char args[512];

	snprintf(args, sizeof(args), "plot %s %s", csv, opts);
	return run_bin(args);
}

Test(plot, a_sweep_is_lines_on_a_log2_size_axis)
{
	char *csv = write_csv(sweep_csv);
	struct run_result r = plot(csv, "--script -o /tmp/fig.svg");

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert(strstr(r.out, "set terminal svg size 1100,660 "));	/* 2 panels: 300 x 2 + 60 */
	cr_assert(strstr(r.out, "set output '/tmp/fig.svg'\n"));
	/* 4K..1M spans 256x (>= 16x): log2, the range 4096/1.3 .. 1048576*1.3, tics as swept */
	cr_assert(strstr(r.out, "set logscale x 2\n"));
	cr_assert(strstr(r.out, "set xrange [3150.769231:1363148.8]\n"), "%s", r.out);
	cr_assert(strstr(r.out, "set xtics ('4K' 4096, '64K' 65536, '1M' 1048576)\n"));
	/* one datablock per mode, x then each y */
	cr_assert(strstr(r.out, "$s0 << EOD\n4096 3590.2 4.021\n65536 3600.5 40.5\n1048576 3700 57.4\nEOD\n"));
	cr_assert(strstr(r.out, "$s1 << EOD\n4096 29.7 57.446\n"));
	cr_assert(strstr(r.out, "plot $s0 using 1:2 with linespoints title 'dyn', $s1 using 1:2 with linespoints title 'direct'\n"));
	cr_assert(strstr(r.out, "plot $s0 using 1:3 with linespoints title 'dyn'"));
	unlink(csv);
	run_free(&r);
}

Test(plot, a_report_is_bars_per_mode)
{
	char *csv = write_csv("seed,name,mapping,cpu.ns_per_io,device.throughput_gbps,device.latency_ns.p99\n"
			      "1,default-window,dynamic,3590.2,4.021,\n"
			      "1,ddw-direct,direct,29.7,57.446,\n");
	struct run_result r = plot(csv, "--script");

	cr_assert_eq(r.code, 0, "%s", r.err);
	/* p99 is empty (a run without timing): its panel is left out */
	cr_assert(strstr(r.out, "set multiplot layout 2,1 title"));
	cr_assert(strstr(r.out, "$bars << EOD\n0 3590.2 4.021\n1 29.7 57.446\nEOD\n"));
	cr_assert(strstr(r.out, "set xtics rotate by -20 ('default-window' 0, 'ddw-direct' 1)\n"));
	cr_assert(!strstr(r.out, "latency"));
	unlink(csv);
	run_free(&r);
}

/*
 * A report with --per-device rows (device column after seed): the device
 * rows are dropped and the modes' rows (device all) make the same bars as
 * the plain report above: 3590.2 and 29.7 ns, not the devices' empty cells.
 */
Test(plot, a_per_device_report_draws_its_modes_rows)
{
	char *csv = write_csv("seed,device,name,mapping,cpu.ns_per_io,device.throughput_gbps\n"
			      "1,all,default-window,dynamic,3590.2,4.021\n"
			      "1,0,default-window,dynamic,,\n"
			      "1,1,default-window,dynamic,,\n"
			      "1,all,ddw-direct,direct,29.7,57.446\n"
			      "1,0,ddw-direct,direct,,\n"
			      "1,1,ddw-direct,direct,,\n");
	struct run_result r = plot(csv, "--script");

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert(strstr(r.out, "$bars << EOD\n0 3590.2 4.021\n1 29.7 57.446\nEOD\n"), "%s", r.out);
	cr_assert(strstr(r.out, "set xtics rotate by -20 ('default-window' 0, 'ddw-direct' 1)\n"));
	unlink(csv);
	run_free(&r);
}

/* The binary's own --per-device CSV plots, and --per-device needs --format csv (exit 2). */
Test(plot, per_device_csv_from_a_run_plots_and_needs_csv)
{
	struct run_result r = run_bin("-q --config configs/phb4-nvme-4drives.yaml --set run.ios=100 "
				      "--set run.timing=false --format csv --per-device -o /tmp/ddwsim-perdev.csv");

	cr_assert_eq(r.code, 0, "%s", r.err);
	run_free(&r);
	r = plot("/tmp/ddwsim-perdev.csv", "--script --y ios");
	cr_assert_eq(r.code, 0, "%s", r.err);
	/* 100 I/Os per drive, 4 drives: 400 in each mode's row */
	cr_assert(strstr(r.out, "$bars << EOD\n0 400\n1 400\nEOD\n"), "%s", r.out);
	run_free(&r);
	unlink("/tmp/ddwsim-perdev.csv");
	r = run_bin("--config configs/phb4-nvme-4drives.yaml --per-device");
	cr_expect_eq(r.code, 2);
	cr_expect(strstr(r.err, "--per-device is for --format csv"), "%s", r.err);
	run_free(&r);
}

Test(plot, other_swept_keys_name_the_lines)
{
	char *csv = write_csv("a,b,seed,name,cpu.ns_per_io\n"
			      "1,x,1,m,10\n2,x,1,m,20\n1,y,1,m,30\n2,y,1,m,40\n");
	struct run_result r = plot(csv, "--script");

	cr_assert_eq(r.code, 0, "%s", r.err);
	/* x 1..2 spans 2x: linear, padded by 5% of the span either side */
	cr_assert(strstr(r.out, "set xrange [0.95:2.05]\n"), "%s", r.out);
	cr_assert(strstr(r.out, "title 'm, b=x', $s1 using 1:2 with linespoints title 'm, b=y'\n"));
	unlink(csv);
	run_free(&r);
}

Test(plot, nothing_from_the_csv_reaches_gnuplot_unquoted)
{
	/* a mode name closing the quote and a value running a command */
	char *csv = write_csv("size,seed,name,cpu.ns_per_io\n"
			      "4K,1,\"x'; system('touch /tmp/pwned'); '\",\"1; system(\"\"id\"\")\"\n"
			      "8K,1,\"x'; system('touch /tmp/pwned'); '\",2e3\n");
	struct run_result r = plot(csv, "--script");

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_assert(strstr(r.out, "title 'x''; system(''touch /tmp/pwned''); '''"), "%s", r.out);
	cr_assert(strstr(r.out, "4096 NaN\n8192 2e3\n"));
	cr_assert(!strstr(r.out, "\"id\""));
	unlink(csv);
	run_free(&r);
}

struct refusal {
	const char *csv;	/* NULL: the sweep CSV */
	const char *opts;
	int code;
	const char *msg;
};

static const struct refusal refusals[] = {
	{ "a,b\n1,2\n", "--script", 2, "is not a ddwsim report or sweep CSV: it has no 'seed' and 'name' columns" },
	{ NULL, "--script --y nope", 2, "--y 'nope' is not a column of" },
	{ NULL, "--script --x nope", 2, "--x 'nope' is not a column of" },
	{ NULL, "--script --y name", 2, "--y 'name' holds no number in" },
	{ NULL, "--script -o fig.pdf", 2, "the output 'fig.pdf' must end in .png or .svg" },
	{ "seed,name\n", "--script", 2, "has a header and no rows" },
	{ "seed,name,x\n1,m,\"2\n", "--script", 1, ":2: a quoted field is never closed" },
	{ "seed,name,x\n1,m,2\n", "--script", 2, "has none of the default columns with numbers" },
};

Test(plot, refusals_say_why)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *f = &refusals[i];
		char *csv = write_csv(f->csv ? f->csv : sweep_csv);
		struct run_result r = plot(csv, f->opts);

		cr_expect_eq(r.code, f->code, "case %zu: exit %d: %s", i, r.code, r.err);
		cr_expect(strstr(r.err, f->msg), "case %zu: '%s' not in '%s'", i, f->msg, r.err);
		cr_expect_eq(r.out_len, 0, "case %zu wrote to stdout", i);
		unlink(csv);
		run_free(&r);
	}
}

Test(plot, stdin_needs_an_output_name)
{
	struct run_result r = run_bin("plot -");

	cr_assert_eq(r.code, 2);
	cr_assert(strstr(r.err, "a CSV on standard input needs -o FIG.png or FIG.svg"));
	run_free(&r);
}

static bool have_gnuplot(void)
{
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

Test(plot, draws_png_and_svg_atomically)
{
	char *csv = write_csv(sweep_csv), png[80], link[80];
	char target[] = "/tmp/ddwsim-plot-target-XXXXXX.svg", args[300];
	struct run_result r;
	size_t len;
	char *img;

	if (!have_gnuplot())
		cr_skip_test("gnuplot is not installed");
	/* the default output: the CSV's name with .png */
	r = plot(csv, "");
	cr_assert_eq(r.code, 0, "%s", r.err);
	snprintf(png, sizeof(png), "%.*s.png", (int)(strlen(csv) - 4), csv);
	img = run_slurp(png, &len);
	cr_assert(len > 1000 && !memcmp(img, "\x89PNG\r\n\x1a\n", 8));
	free(img);
	run_free(&r);
	/* through a symlink: its target is replaced, the link stays */
	run_write(target, 4, "old", 3);
	snprintf(link, sizeof(link), "/tmp/ddwsim-plot-link-%ld.svg", (long)getpid());
	unlink(link);
	cr_assert_eq(symlink(target, link), 0);
	snprintf(args, sizeof(args), "-o %s", link);
	r = plot(csv, args);
	cr_assert_eq(r.code, 0, "%s", r.err);
	img = run_slurp(target, &len);
	cr_assert(strstr(img, "<svg"), "%.200s", img);
	free(img);
	run_free(&r);
	unlink(link), unlink(target), unlink(png), unlink(csv);
}
