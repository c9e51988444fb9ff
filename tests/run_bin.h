/*
 * run_bin.h - the end-to-end tests' way to run the binary: "BIN ARGS" through
 * sh with stdout and stderr captured (BIN = $DDWSIM_BIN, default ./ddwsim,
 * which may be "valgrind ... ./ddwsim"), and small file helpers.
 * Header-only, static: each test file that includes it gets its own copy.
 */
#ifndef DDWSIM_TESTS_RUN_BIN_H
#define DDWSIM_TESTS_RUN_BIN_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_BIN_MAX	(4 << 20)	/* bytes of stdout/stderr kept */

struct run_result {
	int code;		/* exit status; 128 when killed */
	char *out;		/* stdout, NUL-terminated */
	size_t out_len;
	char *err;		/* stderr */
};

static inline const char *run_bin_path(void)
{
	const char *b = getenv("DDWSIM_BIN");

	return b && *b ? b : "./ddwsim";
}

/* The file's bytes (up to RUN_BIN_MAX), NUL-terminated; "" when missing. */
static inline char *run_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = calloc(1, RUN_BIN_MAX + 1);
	size_t n = 0;

	cr_assert(buf);
	if (fp) {
		n = fread(buf, 1, RUN_BIN_MAX, fp);
		fclose(fp);
	}
	if (len)
		*len = n;
	return buf;
}

/* Writes text to a new temporary file named from tmpl ("/tmp/x-XXXXXX" plus suffix). */
static inline void run_write(char *tmpl, int suffix_len, const char *text, size_t len)
{
	int fd = mkstemps(tmpl, suffix_len);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/*
 * Runs "BIN args" (args as sh words). Standard input is /dev/null, or with
 * from the output of "BIN from" through a pipe (its stderr dropped).
 */
static inline struct run_result run_bin_piped(const char *from, const char *args)
{
	char out[] = "/tmp/ddwsim-out-XXXXXX", err[] = "/tmp/ddwsim-err-XXXXXX", cmd[8192];
	int fo = mkstemp(out), fe = mkstemp(err), st;
	struct run_result r;

	cr_assert(fo >= 0 && fe >= 0);
	close(fo);
	close(fe);
	if (from)
		snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null | %s %s >%s 2>%s", run_bin_path(), from,
			 run_bin_path(), args, out, err);
	else
		snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s </dev/null", run_bin_path(), args, out, err);
	st = system(cmd);
	r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	r.out = run_slurp(out, &r.out_len);
	r.err = run_slurp(err, NULL);
	unlink(out);
	unlink(err);
	return r;
}

/* Runs "BIN args", stdin from /dev/null. */
static inline struct run_result run_bin(const char *args)
{
	return run_bin_piped(NULL, args);
}

static inline void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}

#ifdef DDWSIM_TESTS_CSV_CHECK_H
/* The figure path of mode row 0 of a CSV report (csv_check.h), as a number. */
static inline unsigned long long run_csv_u64(const char *csv, const char *path)
{
	char v[64];
	int c = csv_column(csv, path);

	cr_assert_geq(c, 0, "no column %s", path);
	cr_assert_eq(csv_cell(csv, 0, (unsigned)c, v, sizeof(v)), 0, "%s", path);
	return strtoull(v, NULL, 10);
}
#endif

#endif /* DDWSIM_TESTS_RUN_BIN_H */
