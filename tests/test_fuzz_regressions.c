/*
 * test_fuzz_regressions.c - every input in tests/fuzz/regressions/<target>/
 * (each made a fuzz harness crash, hang or leak once) run again through the
 * same calls, by the harness itself (tests/fuzz/fuzz_<target>.c, included with
 * LLVMFuzzerTestOneInput renamed), without the fuzzer: the parser must return,
 * an error being fine. A crash fails the test; `make check` adds ASan + UBSan.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#define LLVMFuzzerTestOneInput fuzz_config
#include "fuzz/fuzz_config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_trace_text
#include "fuzz/fuzz_trace_text.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_trace_bin
#include "fuzz/fuzz_trace_bin.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_import_qemu
#include "fuzz/fuzz_import_qemu.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_import_ftrace
#include "fuzz/fuzz_import_ftrace.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_replay
#include "fuzz/fuzz_replay.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_sweep
#include "fuzz/fuzz_sweep.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_csv
#include "fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput

/* The whole file at path, in a fresh buffer (*n bytes). */
static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long len;

	cr_assert(fp, "cannot open %s", path);
	cr_assert(fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0);
	buf = malloc((size_t)len + 1);
	cr_assert(buf && fread(buf, 1, (size_t)len, fp) == (size_t)len, "cannot read %s", path);
	fclose(fp);
	*n = (size_t)len;
	return buf;
}

/* Each file of tests/fuzz/<kind>/<target>/ through harness; returns how many. */
static unsigned run_in(const char *kind, const char *target, int (*harness)(const uint8_t *, size_t))
{
	char dir[256], path[512];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "tests/fuzz/%s/%s", kind, target);
	if (!(d = opendir(dir)))
		return 0;	/* none yet */
	while ((e = readdir(d))) {
		size_t size;
		uint8_t *data;
		int rc;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		data = slurp(path, &size);
		cr_log_info("%s", path);
		rc = harness(data, size);
		cr_expect(rc == 0 || rc == -1, "%s: harness returned %d", path, rc);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

static unsigned run_dir(const char *target, int (*harness)(const uint8_t *, size_t))
{
	return run_in("regressions", target, harness);
}

/* Parsers report the bad inputs on stderr: kept out of the test output. */
TestSuite(fuzz_regressions, .init = cr_redirect_stderr);

Test(fuzz_regressions, config) { run_dir("config", fuzz_config); }
Test(fuzz_regressions, trace_text) { run_dir("trace_text", fuzz_trace_text); }
/* The bin harness checks batches = single ops and v2 round trips: its seeds are run too. */
Test(fuzz_regressions, trace_bin)
{
	run_dir("trace_bin", fuzz_trace_bin);
	cr_expect_geq(run_in("corpus", "trace_bin", fuzz_trace_bin), 28u);
}
Test(fuzz_regressions, import_qemu) { run_dir("import_qemu", fuzz_import_qemu); }
Test(fuzz_regressions, import_ftrace) { run_dir("import_ftrace", fuzz_import_ftrace); }
/* The sweep harness only prints: its seeds are cheap, so they are run too. */
Test(fuzz_regressions, sweep)
{
	run_dir("sweep", fuzz_sweep);
	cr_expect_geq(run_in("corpus", "sweep", fuzz_sweep), 40u);
}
/* The replay harness checks functional = timed: its seeds are run too. */
Test(fuzz_regressions, replay)
{
	run_dir("replay", fuzz_replay);
	cr_expect_geq(run_in("corpus", "replay", fuzz_replay), 20u);
}
/* The CSV harness checks that no input byte reaches gnuplot's data: its seeds are run too. */
Test(fuzz_regressions, csv)
{
	run_dir("csv", fuzz_csv);
	cr_expect_geq(run_in("corpus", "csv", fuzz_csv), 6u);
}
