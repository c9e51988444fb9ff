/*
 * test_cli.c - end-to-end tests: the binary named by $DDWSIM_BIN (default
 * ./ddwsim) run from the repository root.
 *
 *   tests/golden/NAME.args      the command line (after the program name)
 *   tests/golden/NAME.expected  its exact standard output
 *   tests/bad/NAME.yaml         a bad config whose first lines are
 *                               "# expect: <exact stderr>", "# exit: <code>",
 *                               "# args: <extra arguments>", and optionally
 *                               "# mkfifo: FILE" (a FIFO made for the run)
 *
 * Regenerate goldens after an intended change with `make golden`, and read
 * the diff before committing it.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csv_check.h"
#include "run_bin.h"

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Calls fn for each file in dir ending with suffix; returns how many. */
static int each_file(const char *dir, const char *suffix, void (*fn)(const char *dir, const char *name))
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort), count = 0;

	cr_assert(n >= 0, "cannot read %s", dir);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(list[i]->d_name), s = strlen(suffix);

		if (l > s && !strcmp(list[i]->d_name + l - s, suffix)) {
			fn(dir, list[i]->d_name);
			count++;
		}
		free(list[i]);
	}
	free(list);
	return count;
}

static void check_golden(const char *dir, const char *name)
{
	char path[512], *args, *want;
	struct run_result r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	args = run_slurp(path, NULL);
	chomp(args);
	strcpy(path + strlen(path) - strlen(".args"), ".expected");
	want = run_slurp(path, NULL);
	r = run_bin(args);
	cr_expect_eq(r.code, 0, "%s: exit %d, stderr: %s", name, r.code, r.err);
	cr_expect_str_eq(r.out, want, "%s: output differs from %s", name, path);
	free(args);
	free(want);
	run_free(&r);
}

Test(cli, golden_outputs_match_byte_for_byte, .timeout = 120)
{
	cr_assert_gt(each_file("tests/golden", ".args", check_golden), 2);
}

/* Reads "# key: value" header line `key` of a bad file into out. */
static void header(const char *text, const char *key, char *out, size_t n)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "# %s: ", key);
	p = strstr(text, pat);
	cr_assert(p, "no '%s' header", pat);
	p += strlen(pat);
	snprintf(out, n, "%.*s", (int)strcspn(p, "\n"), p);
}

/*
 * "# mkfifo: NAME": git holds no FIFO, so the file NAME (relative to the bad
 * file's folder) is made one for the run and removed after. Returns whether
 * the header is there; fifo gets the path.
 */
static bool make_fifo(const char *dir, const char *text, char *fifo, size_t n)
{
	char name[512];

	if (!strstr(text, "# mkfifo: "))
		return false;
	header(text, "mkfifo", name, sizeof(name));
	snprintf(fifo, n, "%s/%s", dir, name);
	cr_assert(mkfifo(fifo, 0600) == 0 || errno == EEXIST, "mkfifo %s", fifo);
	return true;
}

static void check_bad(const char *dir, const char *name)
{
	char path[512], expect[2048], code[16], extra[1024], args[2048], fifo[1024], *text;
	struct run_result r;
	bool made;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = run_slurp(path, NULL);
	header(text, "expect", expect, sizeof(expect));
	header(text, "exit", code, sizeof(code));
	header(text, "args", extra, sizeof(extra));
	made = make_fifo(dir, text, fifo, sizeof(fifo));
	snprintf(args, sizeof(args), "--config %s %s", path, extra);
	r = run_bin(args);
	if (made)
		unlink(fifo);
	chomp(r.err);
	cr_expect_eq(r.code, atoi(code), "%s: exit %d, want %s", name, r.code, code);
	cr_expect_str_eq(r.err, expect, "%s: wrong message", name);
	cr_expect_str_eq(r.out, "", "%s: printed output on error", name);
	free(text);
	run_free(&r);
}

Test(cli, bad_configs_give_their_exact_error_and_exit_code, .timeout = 120)
{
	cr_assert_gt(each_file("tests/bad", ".yaml", check_bad), 20);
}

Test(cli, help_goes_to_stdout_and_exits_0)
{
	struct run_result r = run_bin("--help");

	cr_expect_eq(r.code, 0);
	cr_expect(strstr(r.out, "usage: ddwsim --config FILE"));
	cr_expect_str_eq(r.err, "");
	run_free(&r);
}

Test(cli, version_prints_the_version)
{
	struct run_result r = run_bin("--version");

	cr_expect_eq(r.code, 0);
	cr_expect(!strncmp(r.out, "ddwsim ", 7));
	run_free(&r);
}

Test(cli, usage_errors_exit_2_with_a_hint)
{
	struct run_result a = run_bin("--bogus"), b = run_bin(""), c = run_bin("--config configs/default.yaml --format xml");

	cr_expect_eq(a.code, 2);
	cr_expect_str_eq(a.err, "ddwsim: unknown option '--bogus'\nddwsim: try 'ddwsim --help'\n");
	cr_expect_eq(b.code, 2);
	cr_expect_str_eq(b.err, "ddwsim: missing --config FILE\nddwsim: try 'ddwsim --help'\n");
	cr_expect_eq(c.code, 2);
	cr_expect_str_eq(c.out, "");
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

Test(cli, missing_config_file_is_a_config_error)
{
	struct run_result r = run_bin("--config tests/no-such.yaml");

	cr_expect_eq(r.code, 2);
	cr_expect_str_eq(r.err, "tests/no-such.yaml: cannot open: No such file or directory\n");
	run_free(&r);
}

Test(cli, same_seed_gives_identical_output_and_seeds_differ, .timeout = 60)
{
	const char *a = "--config configs/default.yaml --set run.ios=300 --format csv --set run.seed=";
	char cmd[256];
	struct run_result r1, r2, r3;

	snprintf(cmd, sizeof(cmd), "%s7", a);
	r1 = run_bin(cmd);
	r2 = run_bin(cmd);
	snprintf(cmd, sizeof(cmd), "%s8", a);
	r3 = run_bin(cmd);
	cr_expect_eq(r1.code, 0);
	cr_expect_str_eq(r1.out, r2.out);
	/* the direct window's misses depend on which 16M pages the buffers fall in */
	cr_expect_str_neq(r1.out + strcspn(r1.out, "\n"), r3.out + strcspn(r3.out, "\n"));
	cr_expect(strstr(r1.out, "\n7,default-window,"));
	run_free(&r1);
	run_free(&r2);
	run_free(&r3);
}

Test(cli, output_file_is_written_whole_or_not_at_all, .timeout = 60)
{
	char dir[] = "/tmp/ddwsim-o-XXXXXX", args[1024], path[600];
	struct run_result ok, bad, stdo;
	char *file;
	DIR *d;
	struct dirent *e;
	int files = 0;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	snprintf(args, sizeof(args), "--config configs/default.yaml --set run.ios=100 --format json -o %s", path);
	ok = run_bin(args);
	stdo = run_bin("--config configs/default.yaml --set run.ios=100 --format json");
	file = run_slurp(path, NULL);
	cr_expect_eq(ok.code, 0);
	cr_expect_str_eq(ok.out, "");
	cr_expect_str_eq(file, stdo.out);
	unlink(path);
	snprintf(args, sizeof(args), "--config configs/default.yaml --set run.ios=0 -o %s", path);
	bad = run_bin(args);
	cr_expect_eq(bad.code, 2);
	cr_expect(access(path, F_OK) != 0, "a failed run left %s", path);
	d = opendir(dir);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	cr_expect_eq(files, 0, "temporary files left behind");
	rmdir(dir);
	free(file);
	run_free(&ok);
	run_free(&bad);
	run_free(&stdo);
}

/* A trace written by `trace gen` replays to the same figures as its generator. */
Test(cli, generated_trace_replays_to_the_same_figures, .timeout = 120)
{
	char dir[] = "/tmp/ddwsim-g-XXXXXX", args[1024], cfg[600], cwd[400];
	struct run_result gen, direct, replay, conv;
	FILE *fp;

	cr_assert(mkdtemp(dir));
	cr_assert(getcwd(cwd, sizeof(cwd)));
	snprintf(args, sizeof(args), "trace gen --config configs/default.yaml --set run.ios=500 %s/t.ddwb", dir);
	gen = run_bin(args);
	cr_assert_eq(gen.code, 0, "%s", gen.err);
	snprintf(args, sizeof(args), "trace convert %s/t.ddwb %s/t.ddwt", dir, dir);
	conv = run_bin(args);
	cr_assert_eq(conv.code, 0, "%s", conv.err);
	snprintf(cfg, sizeof(cfg), "%s/c.yaml", dir);
	fp = fopen(cfg, "w");
	cr_assert(fp);
	fprintf(fp, "platform: %s/configs/platforms/qemu-pseries.yaml\n", cwd);
	fprintf(fp, "host: %s/configs/hosts/qemu-guest-2g.yaml\n", cwd);
	fprintf(fp, "modes:\n  - {name: default-window, mapping: dynamic}\n"
		    "  - {name: ddw-dynamic, mapping: dynamic, window: {page_size: 64K, size: 1G}}\n"
		    "  - {name: ddw-direct, mapping: direct, window: {page_size: 16M, size: ram}}\n"
		    "workload: {trace: t.ddwt}\nrun: {seed: 1}\n");
	fclose(fp);
	direct = run_bin("--config configs/default.yaml --set run.ios=500 --format csv");
	snprintf(args, sizeof(args), "--config %s --format csv", cfg);
	replay = run_bin(args);
	cr_expect_eq(replay.code, 0, "%s", replay.err);
	cr_expect_str_eq(replay.out, direct.out);
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	cr_expect_eq(system(args), 0);
	run_free(&gen);
	run_free(&conv);
	run_free(&direct);
	run_free(&replay);
}

Test(cli, trace_commands_reject_bad_usage)
{
	struct run_result a = run_bin("trace"), b = run_bin("trace frob"), c = run_bin("trace info");

	cr_expect_eq(a.code, 2);
	cr_expect_str_eq(a.err, "ddwsim: missing trace command (info, convert, gen, import)\nddwsim: try 'ddwsim --help'\n");
	cr_expect_eq(b.code, 2);
	cr_expect_str_eq(b.err, "ddwsim: unknown trace command 'frob'\nddwsim: try 'ddwsim --help'\n");
	cr_expect_eq(c.code, 2);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

/* ---- inputs (infile.h): what is not a regular file, and streams ---- */

Test(cli, a_sweep_file_that_is_a_directory_is_named_as_one)
{
	struct run_result r = run_bin("sweep tests/bad");

	cr_expect_eq(r.code, 2);
	cr_expect_str_eq(r.err, "ddwsim: 'tests/bad' is a directory, expected a regular file\n");
	run_free(&r);
}

/* Each command that reads a trace or a log fails at once on a FIFO nobody writes (it used to wait forever). */
Test(cli, a_trace_on_a_fifo_with_no_writer_fails_at_once_in_every_command, .timeout = 60)
{
	static const char *const cmds[] = {
		"trace info %s", "trace convert %s %s.ddwb", "trace import --from qemu %s %s.ddwt",
		"trace import --from ftrace %s %s.ddwt",
	};
	char dir[] = "/tmp/ddwsim-fifo-XXXXXX", fifo[600], args[2048], want[1024];
	struct run_result r;

	cr_assert(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/t.ddwt", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	snprintf(want, sizeof(want), "ddwsim: trace '%s' is a FIFO with no writer\n", fifo);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(args, sizeof(args), cmds[i], fifo, fifo);
		r = run_bin(args);
		cr_expect_eq(r.code, 1, "%s: exit %d", args, r.code);
		cr_expect_str_eq(r.err, want, "%s", args);
		run_free(&r);
	}
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	cr_expect_eq(system(args), 0);
}

/*
 * A trace through a pipe ("-", or /dev/stdin) replays in one mode exactly as
 * the same trace in a file; with two modes it is refused before any replay,
 * naming the key, instead of the second mode finding the pipe empty.
 */
Test(cli, a_trace_through_a_pipe_feeds_one_mode_and_two_are_refused_up_front, .timeout = 120)
{
	const char *gen = "trace gen --config configs/default.yaml --set run.ios=300 -";
	char dir[] = "/tmp/ddwsim-pipe-XXXXXX", args[1024];
	struct run_result piped, file, two, devstdin, g;

	cr_assert(mkdtemp(dir));
	snprintf(args, sizeof(args), "trace gen --config configs/default.yaml --set run.ios=300 %s/t.ddwt", dir);
	g = run_bin(args);
	cr_assert_eq(g.code, 0, "%s", g.err);
	piped = run_bin_piped(gen, "--config tests/bad_traces/replay.yaml --set workload.trace=- --format csv");
	snprintf(args, sizeof(args), "--config tests/bad_traces/replay.yaml --set workload.trace=%s/t.ddwt --format csv", dir);
	file = run_bin(args);
	cr_expect_eq(piped.code, 0, "%s", piped.err);
	cr_expect_str_eq(piped.out, file.out);
	two = run_bin_piped(gen, "--config tests/bad/trace-stdin-two-modes.yaml");
	cr_expect_eq(two.code, 2);
	cr_expect_str_eq(two.err, "tests/bad/trace-stdin-two-modes.yaml:6:19: workload.trace: '-' is standard input, read only once, but modes has 2 entries: save the trace to a file, or keep one mode\n");
	cr_expect_str_eq(two.out, "");
	devstdin = run_bin_piped(gen, "--config tests/bad/trace-stdin-two-modes.yaml --set workload.trace=/dev/stdin");
	cr_expect_eq(devstdin.code, 2);
	cr_expect_str_eq(devstdin.err, "--set workload.trace=/dev/stdin: workload.trace: '/dev/stdin' is a FIFO, read only once, but modes has 2 entries: save the trace to a file, or keep one mode\n");
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	cr_expect_eq(system(args), 0);
	run_free(&g);
	run_free(&piped);
	run_free(&file);
	run_free(&two);
	run_free(&devstdin);
}

/*
 * trace gen --workload FILE: FILE is found from the working directory and
 * named as typed; no temporary config is named (there is none any more).
 */
Test(cli, trace_gen_workload_names_the_file_as_typed, .timeout = 60)
{
	char dir[] = "/tmp/ddwsim-wl-XXXXXX", path[600], args[1024], want[1024];
	struct run_result missing, isdir, bad, ok;
	FILE *fp;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.yaml", dir);
	fp = fopen(path, "w");
	cr_assert(fp);
	fputs("generator: bogus\n", fp);
	fclose(fp);
	missing = run_bin("trace gen --workload tests/no-such.yaml -");
	cr_expect_eq(missing.code, 2);
	cr_expect_str_eq(missing.err, "trace gen --workload: workload: cannot open 'tests/no-such.yaml': No such file or directory\n");
	isdir = run_bin("trace gen --workload workloads -");
	cr_expect_eq(isdir.code, 2);
	cr_expect_str_eq(isdir.err, "trace gen --workload: workload: 'workloads' is a directory, expected a regular file\n");
	snprintf(args, sizeof(args), "trace gen --workload %s -", path);
	bad = run_bin(args);
	snprintf(want, sizeof(want), "%s:1:12: workload.generator: unknown generator 'bogus'", path);
	cr_expect_eq(bad.code, 2);
	cr_expect(!strncmp(bad.err, want, strlen(want)), "%s", bad.err);
	ok = run_bin("trace gen --workload workloads/nic-rx-1500.yaml --set run.ios=5 -");
	cr_expect_eq(ok.code, 0, "%s", ok.err);
	cr_expect(!strncmp(ok.out, "# ddwt 1\nmap ", 13), "%.40s", ok.out);
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	cr_expect_eq(system(args), 0);
	run_free(&missing);
	run_free(&isdir);
	run_free(&bad);
	run_free(&ok);
}

/*
 * A sweep grid of 256^8 = 2^64 points: the count, a product, once wrapped to
 * 0 points and exited 0; it is refused at its params: line, whatever
 * --max-points says.
 */
Test(cli, sweep_grid_past_2_64_points_is_refused)
{
	static const char *const keys[] = {
		"run.seed", "run.ios", "platform.clock_mhz", "host.cpu_mhz",
		"platform.tce_cache.hit_cycles", "platform.pcie.latency_ns",
		"platform.memory_latency_ns", "host.cost.direct_cycles",
	};
	char path[] = "/tmp/ddwsim-sweep-XXXXXX", args[256], want[512];
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	struct run_result r;

	cr_assert(fd >= 0 && fp);
	fprintf(fp, "name: big\nconfig: %s/configs/default.yaml\nparams:\n", getcwd(want, sizeof(want)));
	for (unsigned k = 0; k < 8; k++) {
		fprintf(fp, "  %s: [1", keys[k]);
		for (unsigned v = 2; v <= 256; v++)
			fprintf(fp, ", %u", v);
		fprintf(fp, "]\n");
	}
	fclose(fp);
	snprintf(args, sizeof(args), "sweep %s --print", path);
	r = run_bin(args);
	unlink(path);
	snprintf(want, sizeof(want), "%s:4:3: params: expected a grid of at most 1000000 points, got more than 18446744073709551615\n",
		 path);
	cr_expect_eq(r.code, 2);
	cr_expect_str_eq(r.err, want);
	cr_expect_str_eq(r.out, "");
	run_free(&r);
}

/*
 * VFIO charges every table of the process to one locked_vm (account_locked_vm,
 * pnv_pci_ioda2_get_table_size >> PAGE_SHIFT, PAGE_SHIFT 16; domain.md §2.5):
 *   each device's default window, 256G of 64K in 2 levels: entries_shift 22,
 *     2^25 = 32M, then 64K: 32M + 64K, x2 (userspace copy) = 1026 pages;
 *   all-ops.ddwt's wcreate on device 1, 1G of 64K in 1 level: 2^17 = 128K, x2 = 4 pages.
 * Devices 0 and 1 and the DDW: 1026 + 1026 + 4 = 2056 pages = 134742016 bytes.
 */
Test(cli, vfio_windows_share_one_memlock_across_devices, .timeout = 60)
{
	struct run_result r = run_bin("--config tests/golden/phb4-all-ops.yaml --format csv --set host.memlock=134742016");

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.created"), 1);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.ENOMEM"), 0);
	run_free(&r);
	/* one page short: the create is -ENOMEM, counted, and the replay goes on */
	r = run_bin("--config tests/golden/phb4-all-ops.yaml --format csv --set host.memlock=134676480");
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.created"), 0);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.ENOMEM"), 1);
	run_free(&r);
}
