/*
 * fuzz.h - what the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share: a private
 * temp folder, the input written as a file (the parsers take paths), a trace
 * drained to its end, and a quiet stderr.
 *
 * tests/test_fuzz_regressions.c includes the harnesses themselves, renaming
 * LLVMFuzzerTestOneInput, so a regression input goes through the same calls.
 */
#ifndef DDWSIM_FUZZ_H
#define DDWSIM_FUZZ_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddwsim/trace.h"

static char fuzz_dir[512];
static char fuzz_names[16][64];		/* made in fuzz_dir, removed at exit in reverse */
static unsigned fuzz_nnames;

static inline void fuzz_cleanup(void)
{
	char path[PATH_MAX];

	while (fuzz_nnames) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, fuzz_names[--fuzz_nnames]);
		remove(path);
	}
	rmdir(fuzz_dir);
}

/*
 * buf = "$TMPDIR/ddwsim-fuzz.XXXXXX/name". The folder is made at the first
 * call; it and the names asked for (files, links, folders) go at exit.
 */
static inline const char *fuzz_path(char *buf, size_t n, const char *name)
{
	if (!fuzz_dir[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/ddwsim-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(fuzz_dir)) {
			perror(fuzz_dir);
			abort();
		}
		atexit(fuzz_cleanup);
	}
	if (fuzz_nnames < 16)
		snprintf(fuzz_names[fuzz_nnames++], sizeof(fuzz_names[0]), "%s", name);
	snprintf(buf, n, "%s/%s", fuzz_dir, name);
	return buf;
}

/* name (in the temp folder) -> target, an absolute symlink; target is relative to the cwd. */
static inline void fuzz_link(const char *name, const char *target)
{
	char abs[PATH_MAX], link[PATH_MAX];

	if (realpath(target, abs) && symlink(abs, fuzz_path(link, sizeof(link), name)) < 0)
		perror(link);
}

/* path := head (nhead bytes) then data; 0 or -1. */
static inline int fuzz_write(const char *path, const void *head, size_t nhead,
			     const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	int rc;

	if (!fp)
		return -1;
	rc = fwrite(head, 1, nhead, fp) == nhead && fwrite(data, 1, size, fp) == size ? 0 : -1;
	return fclose(fp) || rc ? -1 : 0;
}

/*
 * Reads the trace at path to its end: the last op_source_next() value (0 or -1),
 * or -1 if trace_open() failed. Every op read must be one both formats can
 * carry (what makes `trace convert` lossless): else abort(), a finding.
 */
static inline int fuzz_drain(const char *path)
{
	struct op_source src;
	struct dma_op op;
	char why[128];
	int rc;

	if (trace_open(&src, path) < 0)
		return -1;
	while ((rc = op_source_next(&src, &op)) == 1)
		if (trace_op_problem(&op, why, sizeof(why)))
			abort();
	op_source_close(&src);
	return rc;
}

/*
 * The parsers report each bad input on stderr: the fuzzer sends that to
 * /dev/null. Only the stderr pointer changes: libFuzzer copied it at start and
 * the sanitizers write to fd 2, so their output stays.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");

	(void)argc, (void)argv;
	if (null)
		stderr = null;
	return 0;
}

#endif /* DDWSIM_FUZZ_H */
