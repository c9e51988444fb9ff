/*
 * main.c - argv to modules: parse the command line, load the config, run
 * each mode, write the report. Wiring only.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ddwsim/advise.h"
#include "ddwsim/config.h"
#include "ddwsim/err.h"
#include "ddwsim/import.h"
#include "ddwsim/import_ftrace.h"
#include "ddwsim/num.h"
#include "ddwsim/outfile.h"
#include "ddwsim/plot.h"
#include "ddwsim/progress.h"
#include "ddwsim/report.h"
#include "ddwsim/sim.h"
#include "ddwsim/sweep.h"
#include "ddwsim/synth.h"
#include "ddwsim/synth_multi.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"
#include "ddwsim/config_schema.h"

#define MAX_SETS	64

struct cli_opts {
	const char *config;		/* --config FILE */
	char *sets[MAX_SETS];		/* --set k=v */
	unsigned nsets;
	enum report_fmt fmt;		/* --format */
	const char *out;		/* -o FILE, NULL = stdout */
	bool quiet;			/* -q: no progress */
	const char *mode;		/* --mode NAME: run only this mode */
	bool per_device;		/* --per-device: CSV rows per device too */
};

static const char usage_text[] =
	"usage: ddwsim --config FILE [--set KEY=VALUE]... [--mode NAME] [--format text|json|csv [--per-device]] [-o FILE]\n"
	"       ddwsim trace info FILE [--format json]\n"
	"       ddwsim trace convert IN OUT [--version 1|2]\n"
	"       ddwsim trace gen (--config FILE | --workload FILE) [--set KEY=VALUE]... OUT\n"
	"       ddwsim trace import --from qemu|ftrace LOG OUT [--time]\n"
	"       ddwsim sweep FILE [-j N] [--full] [--print] [--collect [--partial]] [--max-points N] [--results DIR] [-q]\n"
	"       ddwsim plot FILE.csv [-o FIG.png|FIG.svg] [--x KEY] [--y KEY]... [--script]\n"
	"       ddwsim advise --config FILE [--objective cpu|throughput|p99|memory] [-j N] [--format text|json|csv] [-o FILE|FIG.png|FIG.svg]\n"
	"       ddwsim --list-keys | --help | --version\n"
	"\n"
	"Simulates IBM POWER / sPAPR IOMMU (TCE) translation for a DMA workload in\n"
	"each mode the config names (default window, dynamic DDW, direct DDW, bypass)\n"
	"and reports them side by side.\n"
	"\n"
	"  --config FILE       the run: platform, host, modes, workload, run (YAML)\n"
	"  --set KEY=VALUE     override one setting, as if written in FILE; KEY is a\n"
	"                      dotted path: platform.tce_cache.entries, modes[1].window.size,\n"
	"                      modes.NAME.mapping; repeatable\n"
	"  --format FMT        text (default), json or csv (one row per mode)\n"
	"  --per-device        csv: a device column, and after each mode's row (device\n"
	"                      all, the totals) a row per device (text and JSON always\n"
	"                      show the devices)\n"
	"  -o, --output FILE   write the report to FILE: a regular file atomically (all\n"
	"                      or nothing), a device, FIFO or /dev/stdout in place\n"
	"  --mode NAME         run only the mode named NAME (the others are still checked)\n"
	"  -q, --quiet         no progress lines on a terminal\n"
	"  --list-keys         print every config key with its default and source\n"
	"  --help              this text\n"
	"  --version           the version\n"
	"\n"
	"Sweeps (see bench/sweeps/*.yaml): every point of the grid is one ddwsim run,\n"
	"-j N at once (default: the cores), skipped when its result exists (resume);\n"
	"results/<name>.csv gets one row per point and mode. --print lists the commands\n"
	"for a cluster instead; --collect then assembles the CSV, and exits 1 naming\n"
	"each point without a result unless --partial. A grid of more than 10^6 points\n"
	"needs --max-points N.\n"
	"\n"
	"Traces (.ddwt text, .ddwb binary; the format follows the name). A trace to\n"
	"read may be - (stdin) or a pipe; a stream is read once, so a config whose\n"
	"workload.trace is one runs a single mode:\n"
	"  trace info FILE     format version, bytes/op, op counts, devices, address\n"
	"                      spans, bytes, time span\n"
	"  trace convert IN OUT  text <-> binary, lossless; a .ddwb is written as\n"
	"                      version 2 (compact blocks), or 1 with --version 1\n"
	"                      (64-byte records); both versions are read\n"
	"  trace gen           write a generator's ops to OUT; replaying OUT gives the\n"
	"                      same figures as the generator (--workload FILE uses a\n"
	"                      2G, 2-CPU, 64K-page host unless --set says otherwise)\n"
	"  trace import        a QEMU -trace 'spapr_iommu_*' log, or Linux ftrace text\n"
	"                      (iommu:map/unmap, dma:dma_map_*), to ops (- = stdin),\n"
	"                      with the bus addresses the kernel chose recorded\n"
	"\n"
	"Plots: 'ddwsim plot FILE.csv' draws a report's CSV (bars per mode) or a\n"
	"sweep's (lines against the first swept key, or --x) with gnuplot; see\n"
	"'ddwsim plot --help'.\n"
	"\n"
	"Advice: 'ddwsim advise --config FILE' runs every window the platform allows\n"
	"for the workload and ranks them; see 'ddwsim advise --help'.\n"
	"\n"
	"Exit status: 0 success, 1 runtime error, 2 usage or config error.\n";

static const char advise_help[] =
	"usage: ddwsim advise --config FILE [--set KEY=VALUE]... [--objective cpu|throughput|p99|memory]\n"
	"                     [-j N] [--format text|json|csv] [-o FILE] [-o FIG.png|FIG.svg]\n"
	"                     [--no-robust] [--results DIR] [-q]\n"
	"\n"
	"Which DMA window should the config's workload use on its platform? Runs every\n"
	"window the platform allows (the config's modes are not used): the default\n"
	"window; bypass (PowerNV); auto, the guest's own choice (pseries); a direct DDW\n"
	"of each TCE size covering RAM; a dynamic DDW of each TCE size x 1G, 4G, 64G\n"
	"and the RAM-sized window. Each must be creatable: max_windows, page_sizes,\n"
	"max_levels (the fewest levels that work), the PowerNV 55-bit table limit, the\n"
	"DMA mask and, on pseries, the offer's largest block. Each runs as its own\n"
	"ddwsim process, -j at once, cached under DIR/.points/advise (a finished run\n"
	"of the same build over the same files is not run again). The table is ranked\n"
	"by the objective, ties broken by throughput, p99, set-up time, table memory,\n"
	"CPU per I/O; '*' marks the Pareto front. A candidate with map failures is\n"
	"listed but never best.\n"
	"\n"
	"  --objective OBJ  cpu (default): least CPU per I/O; throughput; p99; memory\n"
	"  -j N             runs at once (default: the cores)\n"
	"  --format FMT     text (default), json (best, candidates[]) or csv\n"
	"  -o FILE          the table to FILE; a name ending .png or .svg is instead the\n"
	"                   figure: CPU per I/O against throughput, the front marked\n"
	"  --no-robust      skip the robustness runs: by default the leading 3 are run\n"
	"                   again at both ends of each assumed key's published range\n"
	"                   (ddwsim --list-keys), and the verdict says whether the\n"
	"                   winner holds\n"
	"  --results DIR    cache folder (default results)\n"
	"  -q               no progress line\n";

static const char plot_help[] =
	"usage: ddwsim plot FILE.csv [-o FIG.png|FIG.svg] [--x KEY] [--y KEY]... [--script]\n"
	"\n"
	"Draws the standard comparison of a ddwsim CSV with gnuplot (gnuplot-nox):\n"
	"  a report (ddwsim --format csv)   one bar per mode in each panel\n"
	"  a sweep (results/NAME.csv)       lines against the first swept key, one per\n"
	"                                   mode and value of the other swept keys\n"
	"\n"
	"  -o FIG         FIG.png or FIG.svg (default: FILE with .png); replaced\n"
	"                 atomically, or written in place for a device or FIFO\n"
	"  --x KEY        the x column (default: the sweep's first swept key)\n"
	"  --y KEY        a panel of that column; repeatable, up to 8 (default:\n"
	"                 cpu.ns_per_io, device.throughput_gbps, device.latency_ns.p99,\n"
	"                 those with numbers)\n"
	"  --script       print the gnuplot script instead of drawing\n"
	"\n"
	"A size axis spanning 16x or more is log2, with tics at the swept values.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "ddwsim: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fprintf(stderr, "ddwsim: try 'ddwsim --help'\n");
	return DDW_EXIT_USAGE;
}

/* Prints text, then end, on stdout through outfile, so a full or closed stdout is an error. */
static int print_stdout(const char *text, const char *end)
{
	struct outfile of;

	if (outfile_open(&of, "-") < 0)
		return DDW_EXIT_RUNTIME;
	fputs(text, of.fp);
	fputs(end, of.fp);
	return outfile_commit(&of) < 0 ? DDW_EXIT_RUNTIME : DDW_EXIT_OK;
}

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct cli_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return print_stdout(usage_text, "");
		} else if (!strcmp(a, "--version")) {
			return print_stdout(sweep_build(), "\n");
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = true;
			continue;
		} else if (!strcmp(a, "--list-keys")) {
			return -2;
		} else if (!strcmp(a, "--per-device")) {
			o->per_device = true;
			continue;
		}
		if (strcmp(a, "--config") && strcmp(a, "--set") && strcmp(a, "--format") &&
		    strcmp(a, "-o") && strcmp(a, "--output") && strcmp(a, "--mode"))
			return usage_error(a[0] == '-' ? "unknown option" : "unexpected argument", a);
		if (!v)
			return usage_error("missing value after", a);
		i++;
		if (!strcmp(a, "--config")) {
			o->config = v;
		} else if (!strcmp(a, "--set")) {
			if (o->nsets == MAX_SETS)
				return usage_error("too many --set options", NULL);
			o->sets[o->nsets++] = argv[i];
		} else if (!strcmp(a, "--format")) {
			int f = report_fmt_parse(v);

			if (f < 0)
				return usage_error("--format takes text, json or csv, not", v);
			o->fmt = (enum report_fmt)f;
		} else if (!strcmp(a, "--mode")) {
			o->mode = v;
		} else {
			o->out = v;
		}
	}
	if (!o->config)
		return usage_error("missing --config FILE", NULL);
	if (o->per_device && o->fmt != REPORT_CSV)
		return usage_error("--per-device is for --format csv (text and JSON always show the devices)",
				   NULL);
	return -1;
}

static void list_keys_of(FILE *fp, const char *path, const struct cfg_key *tab)
{
	char kp[256];

	for (const struct cfg_key *k = tab; k->name; k++) {
		snprintf(kp, sizeof(kp), "%s.%s", path, k->name);
		if (k->type == CFG_MAP) {
			list_keys_of(fp, kp, k->sub);
			continue;
		}
		fprintf(fp, "| `%s` | %s%s%s | %s | %s", kp, k->def ? "`" : "",
			k->def ? k->def : "required", k->def ? "`" : "", k->help ? k->help : "",
			k->src ? k->src : "");
		if (k->range_min)	/* what `ddwsim advise` tries */
			fprintf(fp, "; range %s..%s (%s)", k->range_min, k->range_max, k->range_src);
		fputs(" |\n", fp);
	}
}

static int list_keys(void)
{
	struct outfile of;

	if (outfile_open(&of, "-") < 0)
		return DDW_EXIT_RUNTIME;
	fprintf(of.fp, "| key | default | meaning | source of the default |\n|---|---|---|---|\n");
	for (int s = 0; s < SEC_COUNT; s++)
		if (cfg_section_keys[s])
			list_keys_of(of.fp, cfg_section_names[s], cfg_section_keys[s]);
	list_keys_of(of.fp, "modes[]", cfg_mode_keys);
	list_keys_of(of.fp, "modes[].window", cfg_window_keys);
	for (const struct synth_gen *g = synth_gens; g->name; g++) {
		char p[64];

		snprintf(p, sizeof(p), "workload(%s)", g->name);
		list_keys_of(of.fp, p, g->keys);
	}
	return outfile_commit(&of) < 0 ? DDW_EXIT_RUNTIME : DDW_EXIT_OK;
}

/* The modes to run: all, or with --mode the one named (first, last): 0, or -1 after reporting. */
static int mode_span(const struct cli_opts *o, const struct config *cfg, unsigned *first,
		     unsigned *last)
{
	*first = 0;
	*last = cfg->nmodes;
	if (!o->mode)
		return 0;
	for (unsigned m = 0; m < cfg->nmodes; m++)
		if (!strcmp(cfg->modes[m].name, o->mode)) {
			*first = m;
			*last = m + 1;
			return 0;
		}
	return ddw_error("--mode: the config has no mode named '%s'", o->mode);
}

static int run(const struct cli_opts *o)
{
	struct config cfg;
	struct sim_result *res = xcalloc(CONFIG_MAX_MODES, sizeof(*res));
	struct outfile of;
	struct progress prog;
	unsigned first, last;
	int rc = DDW_EXIT_USAGE;

	if (config_load(&cfg, o->config, o->sets, o->nsets) < 0 || sim_budget(&cfg) < 0 ||
	    mode_span(o, &cfg, &first, &last) < 0)
		goto out;
	rc = DDW_EXIT_RUNTIME;
	progress_init(&prog, !o->quiet && isatty(STDERR_FILENO) ? stderr : NULL, last - first);
	sim_set_progress(&prog);
	for (unsigned m = first; m < last; m++) {
		progress_begin(&prog, m - first, cfg.modes[m].name);
		if (sim_run(&cfg, m, &res[m - first]) < 0) {
			progress_end(&prog);
			goto out;
		}
	}
	progress_end(&prog);
	sim_set_progress(NULL);
	if (outfile_open(&of, o->out) < 0)
		goto out;
	report_write(of.fp, o->fmt, &cfg, res, last - first, o->per_device ? REPORT_PER_DEVICE : 0);
	if (outfile_commit(&of) < 0)
		goto out;
	rc = DDW_EXIT_OK;
out:
	config_release(&cfg);
	free(res);
	return rc;
}

/* --- trace subcommands --- */

static int trace_usage(const char *msg, const char *arg)
{
	return usage_error(msg, arg);
}

static int cmd_trace_info(int argc, char **argv)
{
	struct outfile of;
	bool json = false;

	if (argc == 4 && !strcmp(argv[2], "--format") && !strcmp(argv[3], "json"))
		json = true;
	else if (argc != 2)
		return trace_usage("usage: ddwsim trace info FILE [--format json]", NULL);
	if (outfile_open(&of, "-") < 0)
		return DDW_EXIT_RUNTIME;
	if (trace_info(argv[1], json, of.fp) < 0) {
		outfile_abort(&of);
		return DDW_EXIT_RUNTIME;
	}
	return outfile_commit(&of) < 0 ? DDW_EXIT_RUNTIME : DDW_EXIT_OK;
}

/* ddwsim trace convert IN OUT [--version 1|2]: --version picks the .ddwb version of OUT. */
static int cmd_trace_convert(int argc, char **argv)
{
	enum trace_fmt fmt;
	const char *in = NULL, *out = NULL, *ver = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version") && i + 1 < argc)
			ver = argv[++i];
		else if (!in)
			in = argv[i];
		else if (!out)
			out = argv[i];
		else
			return trace_usage("unexpected argument", argv[i]);
	}
	if (!out)
		return trace_usage("usage: ddwsim trace convert IN OUT [--version 1|2]", NULL);
	fmt = trace_fmt_for_path(out);
	if (ver && fmt != TRACE_BIN)
		return trace_usage("--version is for a binary OUT (a name ending in .ddwb), not", out);
	if (ver && strcmp(ver, "1") && strcmp(ver, "2"))
		return trace_usage("--version takes 1 or 2, not", ver);
	if (ver && !strcmp(ver, "1"))
		fmt = TRACE_BIN_V1;
	return trace_convert_fmt(in, out, fmt) < 0 ? DDW_EXIT_RUNTIME : DDW_EXIT_OK;
}

/*
 * The config of `trace gen --workload FILE`, held in memory (never a file
 * of its own: messages would name it, and names in it would be resolved
 * against its folder). FILE is a YAML double-quoted string, with '"', '\' and
 * control bytes escaped, relative to the working directory as typed
 * (config_load_text). The caller frees the text.
 */
static char *wrap_workload(const char *workload)
{
	static const char head[] =
		"platform: {kind: pseries, page_sizes: [4K], default_window: {page_size: 4K, size: 1G}}\n"
		"host: {ram: 2G, cpus: 2, page_size: 64K}\n"
		"modes: [{name: gen, mapping: dynamic}]\n"
		"workload: \"";
	char *text = xmalloc(st_add(sizeof(head) + 2, st_mul(strlen(workload), 4)));
	char *p = text + strlen(strcpy(text, head));

	for (const unsigned char *c = (const unsigned char *)workload; *c; c++) {
		if (*c < 0x20 || *c == '"' || *c == '\\')
			p += sprintf(p, "\\x%02x", *c);
		else
			*p++ = (char)*c;
	}
	strcpy(p, "\"\n");
	return text;
}

static int gen_ops(const struct config *cfg, const char *out)
{
	const struct synth_gen *gen = synth_find(cfg->workload.generator);
	struct op_source src = { 0 };
	struct trace_writer *w = NULL;
	struct dma_op op;
	int more = -1;

	if (!gen)
		return ddw_error("trace gen needs a generator, and the workload is the trace '%s'",
				 cfg->workload.trace);
	/* devices: the merged stream, each op with its device number */
	if ((cfg->ndevices ? synth_multi_open(&src, cfg) : gen->open(&src, cfg)) < 0 ||
	    trace_writer_open(&w, out, trace_fmt_for_path(out)) < 0)
		goto out;
	while ((more = op_source_next(&src, &op)) > 0)
		if (trace_write(w, &op) < 0)
			break;
out:
	op_source_close(&src);
	if (more == 0)
		return trace_writer_commit(w);
	trace_writer_abort(w);
	return -1;
}

static int cmd_trace_gen(int argc, char **argv)
{
	const char *config = NULL, *workload = NULL, *out = NULL;
	char *sets[MAX_SETS], *tmp = NULL;
	unsigned nsets = 0;
	struct config cfg;
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "--workload") ||
		     !strcmp(argv[i], "--set")) && i + 1 < argc) {
			if (argv[i][2] == 'c')
				config = argv[++i];
			else if (argv[i][2] == 'w')
				workload = argv[++i];
			else if (nsets < MAX_SETS)
				sets[nsets++] = argv[++i];
		} else if ((argv[i][0] != '-' || !strcmp(argv[i], "-")) && !out) {
			out = argv[i];	/* "-": standard output */
		} else {
			return trace_usage("unexpected argument", argv[i]);
		}
	}
	if (!out || !!config == !!workload)
		return trace_usage("usage: ddwsim trace gen (--config FILE | --workload FILE) [--set KEY=VALUE]... OUT", NULL);
	if (workload) {
		tmp = wrap_workload(workload);
		rc = config_load_text(&cfg, "trace gen --workload", tmp, sets, nsets);
		free(tmp);
	} else {
		rc = config_load(&cfg, config, sets, nsets);
	}
	if (rc < 0) {
		config_release(&cfg);
		return DDW_EXIT_USAGE;
	}
	rc = gen_ops(&cfg, out) < 0 ? DDW_EXIT_RUNTIME : DDW_EXIT_OK;
	config_release(&cfg);
	return rc;
}

/* ddwsim trace import --from qemu|ftrace LOG OUT [--time] */
static int cmd_trace_import(int argc, char **argv)
{
	const char *from = NULL, *in = NULL, *out = NULL;
	bool with_time = false;
	struct import_stats st;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = argv[++i];
		else if (!strcmp(argv[i], "--time"))
			with_time = true;
		else if ((argv[i][0] != '-' || !strcmp(argv[i], "-")) && (!in || !out))
			*(in ? &out : &in) = argv[i];
		else
			return trace_usage("unexpected argument", argv[i]);
	}
	if (!from || !in || !out)
		return trace_usage("usage: ddwsim trace import --from qemu|ftrace LOG OUT [--time]", NULL);
	if (!strcmp(from, "ftrace")) {
		struct import_ftrace_stats fs;

		if (import_ftrace(in, out, with_time, &fs) < 0)
			return DDW_EXIT_RUNTIME;
		fprintf(stderr, "ddwsim: imported %llu lines: %llu maps, %llu unmaps (%llu unmatched), "
			"%llu failed maps; %llu ignored\n", (unsigned long long)fs.lines,
			(unsigned long long)fs.maps, (unsigned long long)fs.unmaps,
			(unsigned long long)fs.unmatched_unmaps, (unsigned long long)fs.failed_maps,
			(unsigned long long)fs.ignored);
		return DDW_EXIT_OK;
	}
	if (strcmp(from, "qemu"))
		return trace_usage("--from takes qemu or ftrace, not", from);
	if (import_qemu(in, out, with_time, &st) < 0)
		return DDW_EXIT_RUNTIME;
	fprintf(stderr, "ddwsim: imported %llu lines: %llu maps, %llu unmaps, %llu dma, %llu dmab, "
		"%llu window ops; %llu firmware lines skipped, %llu ignored\n",
		(unsigned long long)st.lines, (unsigned long long)st.maps,
		(unsigned long long)st.unmaps, (unsigned long long)st.dmas,
		(unsigned long long)st.dmabs, (unsigned long long)st.windows,
		(unsigned long long)st.firmware_skipped, (unsigned long long)st.ignored);
	fprintf(stderr, "ddwsim: %llu devices declared (boot clears: %llu TCEs); %llu vCPU threads, "
		"%llu with a known pool (%llu late, %llu unknown, %llu maps outside it); multi-TCE %s",
		(unsigned long long)st.devices, (unsigned long long)st.boot_clear,
		(unsigned long long)st.threads, (unsigned long long)st.pools_known,
		(unsigned long long)st.pool_late, (unsigned long long)st.pool_unknown,
		(unsigned long long)st.pool_moves, st.per_tce ? "off" : "on");
	if (st.per_tce)
		fprintf(stderr, " (%llu puts merged, %llu maps ambiguous)",
			(unsigned long long)st.merged, (unsigned long long)st.ambiguous);
	fprintf(stderr, "; %llu groups split where separate large maps met, %llu large maps"
		" put back in allocation order", (unsigned long long)st.held_splits,
		(unsigned long long)st.reordered);
	fputc('\n', stderr);
	return DDW_EXIT_OK;
}

struct subcmd {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the subcommand */
};

static const struct subcmd trace_cmds[] = {
	{ "info", cmd_trace_info },
	{ "convert", cmd_trace_convert },
	{ "gen", cmd_trace_gen },
	{ "import", cmd_trace_import },
};

static int cmd_trace(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof(trace_cmds) / sizeof(trace_cmds[0]); i++)
		if (!strcmp(argv[1], trace_cmds[i].name))
			return trace_cmds[i].run(argc - 1, argv + 1);
	return trace_usage(argc > 1 ? "unknown trace command" : "missing trace command (info, convert, gen, import)",
			   argc > 1 ? argv[1] : NULL);
}

/* ddwsim sweep FILE [-j N] [--full] [--print] [--collect [--partial]] [--max-points N] [--results DIR] [-q] */
static int cmd_sweep(int argc, char **argv, const char *self)
{
	char bin[4096];
	ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 1);
	struct sweep_opts o = { .results = "results", .jobs = (unsigned)sysconf(_SC_NPROCESSORS_ONLN) };

	bin[n > 0 ? n : 0] = '\0';
	o.bin = n > 0 ? bin : self;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") && i + 1 < argc) {
			uint64_t j;

			if (num_parse_str(argv[++i], 0, &j) < 0 || j < 1 || j > 1024)
				return usage_error("-j takes a number of jobs in 1..1024, not", argv[i]);
			o.jobs = (unsigned)j;
		} else if (!strcmp(argv[i], "--results") && i + 1 < argc) {
			o.results = argv[++i];
		} else if (!strcmp(argv[i], "--full")) {
			o.full = true;
		} else if (!strcmp(argv[i], "--print")) {
			o.print = true;
		} else if (!strcmp(argv[i], "--collect")) {
			o.collect = true;
		} else if (!strcmp(argv[i], "--partial")) {
			o.partial = true;
		} else if (!strcmp(argv[i], "--max-points") && i + 1 < argc) {
			if (num_parse_str(argv[++i], 0, &o.max_points) < 0 || !o.max_points)
				return usage_error("--max-points takes a number of points of at least 1, not", argv[i]);
		} else if (!strcmp(argv[i], "-q")) {
			o.quiet = true;
		} else if (argv[i][0] != '-' && !o.file) {
			o.file = argv[i];
		} else {
			return usage_error("unexpected argument", argv[i]);
		}
	}
	if (!o.file)
		return usage_error("usage: ddwsim sweep FILE [-j N] [--full] [--print] [--collect [--partial]] [--max-points N] [--results DIR] [-q]", NULL);
	if (!o.jobs)
		o.jobs = 1;
	return sweep_run(&o);
}

/* ddwsim plot FILE.csv [-o FIG.png|FIG.svg] [--x KEY] [--y KEY]... [--script] */
static int cmd_plot(int argc, char **argv)
{
	static const char use[] = "usage: ddwsim plot FILE.csv [-o FIG.png|FIG.svg] [--x KEY] [--y KEY]... [--script]";
	struct plot_opts o = { 0 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return print_stdout(plot_help, "");
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			o.out = argv[++i];
		else if (!strcmp(argv[i], "--x") && i + 1 < argc)
			o.x = argv[++i];
		else if (!strcmp(argv[i], "--y") && i + 1 < argc && o.ny < PLOT_MAX_Y)
			o.y[o.ny++] = argv[++i];
		else if (!strcmp(argv[i], "--y") && i + 1 < argc)
			return usage_error("at most 8 --y keys, not another:", argv[i + 1]);
		else if (!strcmp(argv[i], "--script"))
			o.script = true;
		else if ((argv[i][0] != '-' || !strcmp(argv[i], "-")) && !o.csv)
			o.csv = argv[i];
		else
			return usage_error("unexpected argument", argv[i]);
	}
	if (!o.csv)
		return usage_error(use, NULL);
	return plot_run(&o);
}

static bool is_figure(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".svg"));
}

/* One option of `ddwsim advise` at argv[*i]: 0, or an exit status. */
static int advise_opt(struct advise_opts *o, char **sets, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	uint64_t j;

	if (!strcmp(a, "--no-robust") || !strcmp(a, "-q")) {
		if (!strcmp(a, "-q"))
			o->quiet = true;
		else
			o->robust = false;
		return 0;
	}
	if (!v)
		return usage_error(a[0] == '-' ? "advise: unknown option or missing value after" : "advise: unexpected argument", a);
	++*i;
	if (!strcmp(a, "--config"))
		o->config = v;
	else if (!strcmp(a, "--set") && o->nsets < ADVISE_MAX_SETS)
		sets[o->nsets++] = argv[*i];
	else if (!strcmp(a, "--objective") && advise_objective_parse(v) >= 0)
		o->objective = (enum advise_objective)advise_objective_parse(v);
	else if (!strcmp(a, "-j") && num_parse_str(v, 0, &j) == 0 && j >= 1 && j <= 1024)
		o->jobs = (unsigned)j;
	else if (!strcmp(a, "--format") && report_fmt_parse(v) >= 0)
		o->fmt = (enum report_fmt)report_fmt_parse(v);
	else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
		*(is_figure(v) ? &o->fig : &o->out) = v;
	else if (!strcmp(a, "--results"))
		o->results = v;
	else
		return usage_error("advise: bad option or value:", v);
	return 0;
}

/* ddwsim advise --config FILE [...]: see advise_help */
static int cmd_advise(int argc, char **argv, const char *self)
{
	char bin[4096], *sets[ADVISE_MAX_SETS];
	ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 1);
	struct advise_opts o = { .results = "results", .robust = true, .sets = sets,
				 .jobs = (unsigned)sysconf(_SC_NPROCESSORS_ONLN) };

	bin[n > 0 ? n : 0] = '\0';
	o.bin = n > 0 ? bin : self;
	for (int i = 1; i < argc; i++) {
		int rc;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return print_stdout(advise_help, "");
		if ((rc = advise_opt(&o, sets, argc, argv, &i)) != 0)
			return rc;
	}
	if (!o.config)
		return usage_error("advise: missing --config FILE", NULL);
	if (!o.jobs)
		o.jobs = 1;
	return advise_run(&o);
}

int main(int argc, char **argv)
{
	struct cli_opts o = { .fmt = REPORT_TEXT };
	int rc;

	if (argc > 1 && !strcmp(argv[1], "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "sweep"))
		return cmd_sweep(argc - 1, argv + 1, argv[0]);
	if (argc > 1 && !strcmp(argv[1], "plot"))
		return cmd_plot(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "advise"))
		return cmd_advise(argc - 1, argv + 1, argv[0]);
	rc = parse_args(argc, argv, &o);

	if (rc == -2)
		return list_keys();
	if (rc >= 0)
		return rc;
	return run(&o);
}
