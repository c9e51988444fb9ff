/*
 * test_bad_traces.c - end-to-end tests of bad input: each trace in
 * tests/bad_traces/ is read by `ddwsim trace info` and replayed by a run, and
 * both must print exactly what NAME.expect says. Inputs too big to commit (a
 * line of a million characters) are generated here under /tmp. Like
 * test_cli.c, it runs the binary named by $DDWSIM_BIN (default ./ddwsim) from
 * the repository root.
 *
 * tests/bad_traces/NAME.ddwt or NAME.ddwb is paired with NAME.expect, a text
 * file of lines "CMD KIND: VALUE" (blank lines and lines starting with '#'
 * are ignored):
 *
 *   CMD     info     ddwsim trace info tests/bad_traces/NAME.ddwt
 *           replay   ddwsim --config tests/bad_traces/replay.yaml
 *                           --set workload.trace=tests/bad_traces/NAME.ddwt --format csv
 *   KIND    exit     the exit status; required for both commands
 *           stderr   one line of the exact standard error, in order; no
 *                    stderr line means stderr must be empty
 *           report   KEY=VALUE: the CSV report's column KEY holds VALUE
 *                    (replay only, with exit 0)
 *
 * A command that fails must print nothing on standard output. Example:
 *
 *   # len-zero.ddwt: a DMA moves at least one byte
 *   info exit: 1
 *   info stderr: tests/bad_traces/len-zero.ddwt:4: dma: expected LEN >= 1, got '0'
 *   replay exit: 1
 *   replay stderr: tests/bad_traces/len-zero.ddwt:4: dma: expected LEN >= 1, got '0'
 *
 * The traces that hold binary bytes are written by
 * tests/bad_traces/make_bad_traces.py; the others are written by hand.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_bin.h"

#define DIR_BT		"tests/bad_traces"
#define MILLION		1000000

/* What one command must do, from NAME.expect. */
struct want {
	int code;		/* -1 until an "exit:" line is read */
	char err[4096];		/* the stderr lines, each ending in '\n' */
	char report[512];	/* "KEY=VALUE\n" lines */
};

/* Appends line and a newline to buf (of n bytes). */
static void add_line(char *buf, size_t n, const char *line)
{
	size_t l = strlen(buf);

	cr_assert(l + strlen(line) + 2 <= n, "expect file line too long: %s", line);
	snprintf(buf + l, n - l, "%s\n", line);
}

/* Takes one "CMD KIND: VALUE" line of file into info or replay. */
static void parse_expect_line(const char *file, char *line, struct want *info, struct want *replay)
{
	char *sp = strchr(line, ' '), *colon = strstr(line, ": ");
	struct want *w;

	cr_assert(sp && colon && sp < colon, "%s: expected 'CMD KIND: VALUE', got '%s'", file, line);
	*sp = *colon = '\0';
	if (!strcmp(line, "info"))
		w = info;
	else if (!strcmp(line, "replay"))
		w = replay;
	else
		cr_assert_fail("%s: unknown command '%s', expected info or replay", file, line);
	if (!strcmp(sp + 1, "exit"))
		w->code = atoi(colon + 2);
	else if (!strcmp(sp + 1, "stderr"))
		add_line(w->err, sizeof(w->err), colon + 2);
	else if (!strcmp(sp + 1, "report"))
		add_line(w->report, sizeof(w->report), colon + 2);
	else
		cr_assert_fail("%s: unknown kind '%s', expected exit, stderr or report", file, sp + 1);
}

static void read_expect(const char *file, struct want *info, struct want *replay)
{
	char *text = run_slurp(file, NULL), *line, *save = NULL;

	*info = (struct want){ .code = -1 };
	*replay = (struct want){ .code = -1 };
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#')
			parse_expect_line(file, line, info, replay);
	cr_assert(info->code >= 0 && replay->code >= 0, "%s: needs 'info exit:' and 'replay exit:'",
		  file);
	free(text);
}

/* Field col (from 0) of CSV line s into buf; false if the line has fewer fields. */
static bool csv_field(const char *s, unsigned col, char *buf, size_t n)
{
	for (; col; col--) {
		s = strpbrk(s, ",\n");
		if (!s || *s == '\n')
			return false;
		s++;
	}
	snprintf(buf, n, "%.*s", (int)strcspn(s, ",\n"), s);
	return true;
}

/* The value of column key in the first row of CSV report out, or "" if none. */
static void csv_value(const char *out, const char *key, char *buf, size_t n)
{
	const char *row = strchr(out, '\n');
	char name[128];

	buf[0] = '\0';
	for (unsigned col = 0; row && csv_field(out, col, name, sizeof(name)); col++) {
		if (!strcmp(name, key)) {
			csv_field(row + 1, col, buf, n);
			return;
		}
	}
}

/* Each "KEY=VALUE" line of report against the CSV in out. */
static void check_report(const char *what, const char *report, const char *out)
{
	char line[256], got[128];

	for (const char *p = report; *p; p += strcspn(p, "\n") + 1) {
		char *eq;

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		eq = strchr(line, '=');
		cr_assert(eq, "%s: report line '%s' is not KEY=VALUE", what, line);
		*eq = '\0';
		csv_value(out, line, got, sizeof(got));
		cr_expect_str_eq(got, eq + 1, "%s: report %s is '%s', want '%s'", what, line, got,
				 eq + 1);
	}
}

static void check(const char *what, const char *args, const struct want *w)
{
	struct run_result r = run_bin(args);

	cr_expect_eq(r.code, w->code, "%s: exit %d, want %d (stderr: %s)", what, r.code, w->code,
		     r.err);
	cr_expect_str_eq(r.err, w->err, "%s: wrong stderr", what);
	if (w->code != 0)
		cr_expect_str_eq(r.out, "", "%s: printed output on error", what);
	if (*w->report)
		check_report(what, w->report, r.out);
	run_free(&r);
}

static bool is_trace(const char *name)
{
	size_t l = strlen(name);

	return l > 5 && (!strcmp(name + l - 5, ".ddwt") || !strcmp(name + l - 5, ".ddwb"));
}

static void check_bad_trace(const char *name)
{
	char file[512], what[512], args[1024];
	struct want info, replay;

	snprintf(file, sizeof(file), DIR_BT "/%.*s.expect", (int)strlen(name) - 5, name);
	read_expect(file, &info, &replay);
	snprintf(what, sizeof(what), "%s (trace info)", name);
	snprintf(args, sizeof(args), "trace info " DIR_BT "/%s", name);
	check(what, args, &info);
	snprintf(what, sizeof(what), "%s (replay)", name);
	snprintf(args, sizeof(args), "--config " DIR_BT "/replay.yaml --set workload.trace=" DIR_BT
		 "/%s --format csv", name);
	check(what, args, &replay);
}

/* The timeout guards against a hang: make valgrind runs all 75 traces (info
 * and replay each) under memcheck, which took just under 120 s on a 2-core CI
 * machine once the ten version 2 traces came in. */
Test(bad_traces, each_gives_its_exact_error_and_exit_status, .timeout = 300)
{
	struct dirent **list;
	int n = scandir(DIR_BT, &list, NULL, alphasort), traces = 0;

	cr_assert(n >= 0, "cannot read " DIR_BT);
	for (int i = 0; i < n; i++) {
		if (is_trace(list[i]->d_name)) {
			check_bad_trace(list[i]->d_name);
			traces++;
		}
		free(list[i]);
	}
	free(list);
	cr_expect_geq(traces, 15, "only %d bad traces", traces);
}

/* --- inputs generated here: a line of a million characters --- */

/* Writes head, then a line of MILLION copies of c, then tail, to dir/name; path gets the name. */
static void write_long_line(const char *dir, const char *name, const char *head, char c,
			    const char *tail, char *path, size_t n)
{
	char *line = malloc(MILLION);
	FILE *fp;

	cr_assert(line);
	memset(line, c, MILLION);
	snprintf(path, n, "%s/%s", dir, name);
	fp = fopen(path, "wb");
	cr_assert(fp);
	cr_assert(fputs(head, fp) >= 0 && fwrite(line, 1, MILLION, fp) == MILLION);
	cr_assert(fputs(tail, fp) >= 0 && fclose(fp) == 0);
	free(line);
}

/* The start of a config naming the shipped platform and host by absolute paths. */
static void config_head(char *buf, size_t n)
{
	char cwd[400];

	cr_assert(getcwd(cwd, sizeof(cwd)));
	snprintf(buf, n, "platform: %s/configs/platforms/qemu-pseries.yaml\n"
		 "host: %s/configs/hosts/qemu-guest-2g.yaml\n"
		 "workload: %s/workloads/nic-rx-1500.yaml\n", cwd, cwd, cwd);
}

static void rm_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(bad_traces, a_million_character_line_is_refused_by_its_number, .timeout = 60)
{
	char dir[] = "/tmp/ddwsim-bt-XXXXXX", path[128], args[512], want[256];
	struct run_result info, replay;

	cr_assert(mkdtemp(dir));
	write_long_line(dir, "long.ddwt", "# ddwt 1\nwreset 0\n", 'x', "\nwreset 0\n", path,
			sizeof(path));
	snprintf(want, sizeof(want), "%s:3: line longer than 262144 bytes\n", path);
	snprintf(args, sizeof(args), "trace info %s", path);
	info = run_bin(args);
	snprintf(args, sizeof(args), "--config " DIR_BT "/replay.yaml --set workload.trace=%s", path);
	replay = run_bin(args);
	cr_expect_eq(info.code, 1);
	cr_expect_str_eq(info.err, want);
	cr_expect_str_eq(info.out, "");
	cr_expect_eq(replay.code, 1);
	cr_expect_str_eq(replay.err, want);
	cr_expect_str_eq(replay.out, "");
	run_free(&info);
	run_free(&replay);
	rm_dir(dir);
}

/* A million-character comment line is skipped, and the error after it has the right line. */
Test(bad_configs, a_million_character_comment_line_keeps_line_numbers_right, .timeout = 60)
{
	char dir[] = "/tmp/ddwsim-bt-XXXXXX", head[2048], path[128], args[256], want[256];
	struct run_result r;

	cr_assert(mkdtemp(dir));
	config_head(head, sizeof(head));
	strcat(head, "modes: [{name: dw, mapping: dynamic}]\n#");
	write_long_line(dir, "c.yaml", head, 'c', "\nrun: {ios: 0}\n", path, sizeof(path));
	snprintf(args, sizeof(args), "--config %s", path);
	r = run_bin(args);
	snprintf(want, sizeof(want), "%s:6:12: run.ios: '0' is out of range, expected an integer in 1..1099511627776\n",
		 path);
	cr_expect_eq(r.code, 2);
	cr_expect_str_eq(r.err, want);
	cr_expect_str_eq(r.out, "");
	run_free(&r);
	rm_dir(dir);
}

/*
 * A million-character value: the message points at it and stays short. The
 * value is quoted cut at about 1 KiB (with no closing quote: see the
 * hardening report), so only the start and the length are checked.
 */
Test(bad_configs, a_million_character_value_gives_a_short_located_message, .timeout = 60)
{
	char dir[] = "/tmp/ddwsim-bt-XXXXXX", head[2048], path[128], args[256], want[256];
	struct run_result r;

	cr_assert(mkdtemp(dir));
	config_head(head, sizeof(head));
	strcat(head, "modes:\n  - mapping: dynamic\n    name: ");
	write_long_line(dir, "v.yaml", head, 'v', "\n", path, sizeof(path));
	snprintf(args, sizeof(args), "--config %s", path);
	r = run_bin(args);
	snprintf(want, sizeof(want), "%s:6:11: modes[0].name: expected a name of 1..47 characters, got 'vvvv",
		 path);
	cr_expect_eq(r.code, 2);
	cr_expect(!strncmp(r.err, want, strlen(want)), "stderr: %.300s", r.err);
	cr_expect_lt(strlen(r.err), 2048);
	cr_expect_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line");
	cr_expect_str_eq(r.out, "");
	run_free(&r);
	rm_dir(dir);
}

/*
 * A million '[' on one line. libyaml 0.2.5 composes flow nesting in time
 * quadratic in the depth (40,000 levels take 2 s, a million about 20
 * minutes); config.c's first pass over the events stops at 32 levels, so the
 * error comes at once and names the line and the limit.
 */
Test(bad_configs, a_million_open_brackets_do_not_hang, .timeout = 10)
{
	char dir[] = "/tmp/ddwsim-bt-XXXXXX", head[2048], path[128], args[256], want[256];
	struct run_result r;

	cr_assert(mkdtemp(dir));
	config_head(head, sizeof(head));
	strcat(head, "modes: [{name: dw, mapping: dynamic}]\nrun: {ios: ");
	write_long_line(dir, "n.yaml", head, '[', "\n", path, sizeof(path));
	snprintf(args, sizeof(args), "--config %s", path);
	r = run_bin(args);
	snprintf(want, sizeof(want), "%s:5:", path);
	cr_expect_eq(r.code, 2);
	cr_expect(!strncmp(r.err, want, strlen(want)), "stderr: %.300s", r.err);
	cr_expect(strstr(r.err, "nested more than 32 deep"), "stderr: %.300s", r.err);
	cr_expect_str_eq(r.out, "");
	run_free(&r);
	rm_dir(dir);
}
