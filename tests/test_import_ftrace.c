/*
 * test_import_ftrace.c - the ftrace importer: Linux dma:* and iommu:* trace
 * events lifted to ddwsim ops, by the rules at the top of src/import_ftrace.c.
 *
 * Samples in tests/import_ftrace/, written by hand from the kernels' TP_printk
 * formats (listed at the top of src/import_ftrace.c); NAME.ddwt is what NAME
 * imports to, worked out by hand from those rules:
 *   dma-v6.12.trace     tracefs `trace` file with the irq-info flags column, as
 *                       Linux 6.12 prints it (the first dma:* events), from a
 *                       pseries guest: dma_map_page, dma_unmap_page, dma_map_sg
 *                       (one plain, one whose 4K TCEs merged 3 elements into 2
 *                       segments), dma_unmap_sg, a dma_map_resource that fails
 *                       (pseries has no map_resource: DMA_MAPPING_ERROR), an
 *                       unmap of nothing, and two other events.
 *                       .timed.ddwt: the same with time stamps.
 *   dma-v6.12.report    `trace-cmd report` (no flags column, padded event names)
 *                       of 6.12, a device in a direct (bypass) window, so
 *                       dma = phys + 2^59: dma_map_page, dma_map_sg,
 *                       dma_map_resource and their unmaps.
 *   dma-v6.18.trace     tracefs as printed by a kernel with dma_map_phys (6.18)
 *                       and the capped dma_map_sg (daafcc0ef0b3, "nents=A/B
 *                       ents=C/D"): dma_map_phys, dma_unmap_phys, a plain and a
 *                       merged (3 elements, 1 segment of 64K TCEs) dma_map_sg.
 *   dma-v6.18.report    trace-cmd report of the same formats, with a 4-character
 *                       flags column, and two devices interleaved.
 *   iommu-v5.15.report  trace-cmd report of iommu map/unmap before the range form
 *                       (up to 5.16): 2 MiB VFIO maps, one unmap taking two maps,
 *                       an unmap inside a mapping, an unmap of nothing.
 *   iommu-v6.1.trace    tracefs, iommu map/unmap with "- END" (5.17 on).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "ddwsim/import_ftrace.h"
#include "ddwsim/trace.h"

#define DIR_	"tests/import_ftrace/"

/* An event line's head, tracefs style: "TASK-PID [CPU] FLAGS TIMESTAMP: " */
#define EV(cpu, ts)	"             fio-1432    [" cpu "] .....  " ts ": "

/* ---- helpers ---- */

/* A fresh empty file under /tmp whose name ends in suffix. */
static void tmp_name(char *buf, size_t n, const char *suffix)
{
	int fd;

	snprintf(buf, n, "/tmp/ddwsim-ftrace-XXXXXX%s", suffix);
	fd = mkstemps(buf, (int)strlen(suffix));
	cr_assert(fd >= 0, "mkstemps");
	close(fd);
}

static void put_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	cr_assert(fp != NULL);
	cr_assert(fwrite(text, 1, len, fp) == len);
	cr_assert(fclose(fp) == 0);
}

/* The whole file, NUL-terminated; the caller frees. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert(buf != NULL);
	cr_assert(fread(buf, 1, (size_t)n, fp) == (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void expect_text(const char *path, const char *want)
{
	char *got = slurp(path);

	cr_expect(eq(str, got, (char *)want), "%s", path);
	free(got);
}

static void expect_same_file(const char *path, const char *want_path)
{
	char *want = slurp(want_path);

	expect_text(path, want);
	free(want);
}

/*
 * Imports text (written to a temporary trace) to a temporary .ddwt, which
 * must hold exactly want ("# ddwt 1\n" is prepended) when the import
 * succeeds. Returns import_ftrace()'s value; *st and *path (if not NULL)
 * get its stats and the trace's name.
 */
static int import_text(const char *text, size_t len, const char *want,
		       struct import_ftrace_stats *st, char *path, size_t n)
{
	char in[64], out[64], *full;
	int rc;

	tmp_name(in, sizeof(in), ".trace");
	tmp_name(out, sizeof(out), ".ddwt");
	put_file(in, text, len ? len : strlen(text));
	rc = import_ftrace(in, out, false, st);
	if (rc == 0 && want) {
		full = malloc(strlen(want) + 16);
		cr_assert(full != NULL);
		sprintf(full, "# ddwt 1\n%s", want);
		expect_text(out, full);
		free(full);
	}
	if (path)
		snprintf(path, n, "%s", in);
	unlink(in);
	unlink(out);
	return rc;
}

static void expect_stats(const struct import_ftrace_stats *got,
			 const struct import_ftrace_stats *want)
{
	cr_expect(eq(u64, got->lines, want->lines));
	cr_expect(eq(u64, got->events, want->events));
	cr_expect(eq(u64, got->maps, want->maps));
	cr_expect(eq(u64, got->unmaps, want->unmaps));
	cr_expect(eq(u64, got->dmas, want->dmas));
	cr_expect(eq(u64, got->ignored, want->ignored));
	cr_expect(eq(u64, got->unmatched_unmaps, want->unmatched_unmaps));
	cr_expect(eq(u64, got->failed_maps, want->failed_maps));
	cr_expect(eq(u64, got->sg_merged, want->sg_merged));
	cr_expect(eq(u64, got->sg_truncated, want->sg_truncated));
	cr_expect(eq(u64, got->lost, want->lost));
}

/*
 * Criterion copies parameters into the worker process, where pointers into the
 * parent's data are not valid: the parameters are indices into a table.
 */
static unsigned *indices(size_t n)
{
	unsigned *ix = cr_malloc(n * sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		ix[i] = (unsigned)i;
	return ix;
}

static void free_indices(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

/* ---- the samples: exact ops and counts ---- */

struct sample {
	const char *in, *want;		/* under tests/import_ftrace/ */
	bool timed;
	struct import_ftrace_stats st;
};

/* { lines, events, maps, unmaps, dmas, ignored, unmatched, failed, merged, truncated, lost } */
static const struct sample samples[] = {
	/* 12 header lines + 11 events: 4 maps, 3 unmaps, 2 ignored (sync, sched_switch),
	 * 1 unmap of nothing, 1 failed map_resource */
	{ "dma-v6.12.trace", "dma-v6.12.trace.ddwt", false, { 23, 11, 4, 3, 0, 2, 1, 1, 1, 0, 0 } },
	/* time stamps: ps since 100.000100, e.g. 100.000310 -> 210 us = 210000000 ps */
	{ "dma-v6.12.trace", "dma-v6.12.trace.timed.ddwt", true, { 23, 11, 4, 3, 0, 2, 1, 1, 1, 0, 0 } },
	/* "cpus=2" + 6 events; the cpus line is ignored */
	{ "dma-v6.12.report", "dma-v6.12.report.ddwt", false, { 7, 6, 3, 3, 0, 1, 0, 0, 0, 0, 0 } },
	{ "dma-v6.18.trace", "dma-v6.18.trace.ddwt", false, { 18, 6, 3, 3, 0, 0, 0, 0, 1, 0, 0 } },
	{ "dma-v6.18.report", "dma-v6.18.report.ddwt", false, { 7, 6, 3, 3, 0, 1, 0, 0, 0, 0, 0 } },
	/* the 4 MiB unmap at 0 takes both 2 MiB maps; the one at 0x80000000 finds nothing */
	{ "iommu-v5.15.report", "iommu-v5.15.report.ddwt", false, { 7, 6, 3, 3, 0, 1, 1, 0, 0, 0, 0 } },
	{ "iommu-v6.1.trace", "iommu-v6.1.trace.ddwt", false, { 16, 4, 2, 2, 0, 0, 0, 0, 0, 0, 0 } },
};

ParameterizedTestParameters(import_ftrace, samples)
{
	size_t n = sizeof(samples) / sizeof(samples[0]);

	return cr_make_param_array(unsigned, indices(n), n, free_indices);
}

ParameterizedTest(unsigned *ix, import_ftrace, samples)
{
	const struct sample *s = &samples[*ix];
	struct import_ftrace_stats st;
	char in[128], want[128], out[64];

	snprintf(in, sizeof(in), DIR_ "%s", s->in);
	snprintf(want, sizeof(want), DIR_ "%s", s->want);
	tmp_name(out, sizeof(out), ".ddwt");
	cr_assert(eq(int, import_ftrace(in, out, s->timed, &st), 0), "%s", s->in);
	expect_same_file(out, want);
	expect_stats(&st, &s->st);
	unlink(out);
}

Test(import_ftrace, stats_may_be_null)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwt");
	cr_assert(eq(int, import_ftrace(DIR_ "iommu-v6.1.trace", out, false, NULL), 0));
	expect_same_file(out, DIR_ "iommu-v6.1.trace.ddwt");
	unlink(out);
}

/* ---- round trip: import -> trace info, and binary output ---- */

/*
 * dma-v6.12.trace's ops, by hand: 2 maps (2048 + 60 bytes), 2 map_sg (4096 + 4096,
 * 8192 + 2048 bytes: 4 elements), 3 unmaps, devices 0 and 1.
 * phys: 0x12340800 .. 0x7fe60800 + 0x800 - 1; bus: 0x2000 .. 0x800000000010000 + 4096 - 1
 * (a map_sg's bus span is its first element's). Time: 0 .. 600 us, every op stamped.
 */
static void expect_info(const char *path, const char *fmt)
{
	char out[64], want[1024];
	struct stat st;
	FILE *fp;

	cr_assert(eq(int, stat(path, &st), 0));	/* bytes_per_op: the file's size over its 7 ops */
	tmp_name(out, sizeof(out), ".txt");
	fp = fopen(out, "w");
	cr_assert(fp != NULL);
	cr_assert(eq(int, trace_info(path, false, fp), 0));
	fclose(fp);
	snprintf(want, sizeof(want),
		 "trace         %s\n"
		 "format        %s\n"
		 "version       %u\n"
		 "bytes_per_op  %.2f\n"
		 "ops           7\n"
		 "  map         2\n"
		 "  map_sg      2\n"
		 "  dma         0\n"
		 "  dmab        0\n"
		 "  unmap       3\n"
		 "  window      0\n"
		 "    wcreate   0\n"
		 "    wremove   0\n"
		 "    wreset    0\n"
		 "  device      0\n"
		 "devices       2\n"
		 "sg_elements   4\n"
		 "map_bytes     20540\n"
		 "dma_bytes     0\n"
		 "phys          0x12340800..0x7fe60fff\n"
		 "bus           0x2000..0x800000000010fff\n"
		 "time_ps       0..600000000 (7 of 7 ops stamped)\n", path, fmt,
		 strcmp(fmt, "bin") ? 1u : 2u, (double)st.st_size / 7);
	expect_text(out, want);
	unlink(out);
}

Test(import_ftrace, text_output_reads_back_with_the_counts_of_the_sample)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwt");
	cr_assert(eq(int, import_ftrace(DIR_ "dma-v6.12.trace", out, true, NULL), 0));
	expect_info(out, "text");
	unlink(out);
}

Test(import_ftrace, binary_output_holds_the_same_ops_as_text)
{
	char bin[64], text[64];

	tmp_name(bin, sizeof(bin), ".ddwb");
	tmp_name(text, sizeof(text), ".ddwt");
	cr_assert(eq(int, import_ftrace(DIR_ "dma-v6.12.trace", bin, true, NULL), 0));
	expect_info(bin, "bin");
	cr_assert(eq(int, trace_convert(bin, text), 0));
	expect_same_file(text, DIR_ "dma-v6.12.trace.timed.ddwt");
	unlink(bin);
	unlink(text);
}

/* ---- CPUs, devices, matching ---- */

Test(import_ftrace, cpus_come_from_the_bracket_and_devices_are_numbered_as_they_appear)
{
	static const char text[] =
		/* flags column; device names first seen in the order b, a, c */
		"  kworker/0:1-12   [000] .....  1.000000: dma_map_page: dev-b dir=TO_DEVICE "
		"dma_addr=1000 size=4096 phys_addr=1000 attrs=\n"
		"  kworker/0:1-12   [7] .....  1.000001: dma_map_page: dev-a dir=TO_DEVICE "
		"dma_addr=1000 size=4096 phys_addr=2000 attrs=\n"
		/* no flags column */
		"  kworker/0:1-12   [123]  1.000002: dma_map_page: dev-c dir=TO_DEVICE "
		"dma_addr=1000 size=4096 phys_addr=3000 attrs=\n"
		/* a tgid column, the largest CPU */
		"  kworker/0:1-12   (     12) [4294967295] d..1 1.000003: dma_map_page: dev-b "
		"dir=TO_DEVICE dma_addr=2000 size=4096 phys_addr=4000 attrs=\n"
		/* a task name with a blank; the same dma address on another device */
		"  Web Content-77   [002] ....  1.000004: dma_unmap_page: dev-a dir=TO_DEVICE "
		"dma_addr=1000 size=4096 attrs=\n"
		/* iommu events name no device: device 0, here dev-b's */
		"  kworker/0:1-12   [001] .....  1.000005: map: IOMMU: iova=0x0000000000009000 - "
		"0x000000000000a000 paddr=0x0000000000005000 size=4096\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0,
				      "map 0 0x1 0x1000 4096 to bus=0x1000\n"
				      "map 1 0x2 0x2000 4096 to cpu=7 bus=0x1000\n"
				      "map 2 0x3 0x3000 4096 to cpu=123 bus=0x1000\n"
				      "map 0 0x4 0x4000 4096 to cpu=4294967295 bus=0x2000\n"
				      "unmap 1 0x2 cpu=2\n"
				      "map 0 0x5 0x5000 4096 bidi cpu=1 bus=0x9000\n",
				      &st, NULL, 0), 0));
	cr_expect(eq(u64, st.maps, 5));
	cr_expect(eq(u64, st.unmaps, 1));
}

/*
 * The CPU column is the first "[...]" followed by [FLAGS] STAMP: EVENT:, so
 * a task named with brackets keeps its line, and lines without that shape
 * stay ignored lines, not errors.
 */
Test(import_ftrace, a_bracket_in_the_task_name_is_not_the_cpu_column)
{
	static const char text[] =
		"  my [x] task-9   [003] .....  1.000000: dma_map_page: d0 dir=TO_DEVICE "
		"dma_addr=1000 size=64 phys_addr=7000 attrs=\n"
		"  odd [12] name-9   [004]  1.000001: dma_unmap_page: d0 dir=TO_DEVICE "
		"dma_addr=1000 size=64 attrs=\n"
		"cpus=4\n"
		"CPU 0 is empty\n"
		"  not an event [5] line\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0,
				      "map 0 0x1 0x7000 64 to cpu=3 bus=0x1000\n"
				      "unmap 0 0x1 cpu=4\n",
				      &st, NULL, 0), 0));
	cr_expect(eq(u64, st.events, 2));
	cr_expect(eq(u64, st.ignored, 3));
}

Test(import_ftrace, unmaps_that_find_no_mapping_write_nothing)
{
	static const char text[] =
		EV("000", "1.000000") "dma_map_page: d0 dir=FROM_DEVICE dma_addr=1000 size=64 "
		"phys_addr=7000 attrs=\n"
		/* a device never seen */
		EV("000", "1.000001") "dma_unmap_page: d9 dir=FROM_DEVICE dma_addr=1000 size=64 attrs=\n"
		/* one past the end of the map */
		EV("000", "1.000002") "dma_unmap_page: d0 dir=FROM_DEVICE dma_addr=1040 size=64 attrs=\n"
		/* no map_sg at all */
		EV("000", "1.000003") "dma_unmap_sg: d0 dir=FROM_DEVICE phys_addrs={0x7000} attrs=\n"
		/* iommu, device 0 = d0: nothing starts in [0x2000, 0x3000) */
		EV("000", "1.000004") "unmap: IOMMU: iova=0x0000000000002000 size=4096 "
		"unmapped_size=4096\n"
		EV("000", "1.000005") "dma_unmap_page: d0 dir=FROM_DEVICE dma_addr=1000 size=64 attrs=\n"
		/* the same unmap again */
		EV("000", "1.000006") "dma_unmap_page: d0 dir=FROM_DEVICE dma_addr=1000 size=64 attrs=\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0,
				      "map 0 0x1 0x7000 64 from bus=0x1000\n"
				      "unmap 0 0x1\n", &st, NULL, 0), 0));
	cr_expect(eq(u64, st.unmatched_unmaps, 5));
	cr_expect(eq(u64, st.events, 7));
}

Test(import_ftrace, an_unmap_takes_the_exact_start_first_then_a_mapping_holding_it)
{
	static const char text[] =
		EV("001", "1.000000") "dma_map_page: d0 dir=TO_DEVICE dma_addr=20000 size=16384 "
		"phys_addr=100000 attrs=\n"
		EV("001", "1.000001") "dma_map_page: d0 dir=TO_DEVICE dma_addr=21000 size=4096 "
		"phys_addr=200000 attrs=\n"
		EV("001", "1.000002") "dma_map_page: d0 dir=TO_DEVICE dma_addr=30000 size=12288 "
		"phys_addr=300000 attrs=\n"
		/* starts 0x21000: the second map, although the first holds it too */
		EV("002", "1.000003") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=21000 size=4096 attrs=\n"
		/* again: now only the first one holds it */
		EV("002", "1.000004") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=21000 size=4096 attrs=\n"
		/* the last byte of the third */
		EV("002", "1.000005") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=32fff size=1 attrs=\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0,
				      "map 0 0x1 0x100000 16384 to cpu=1 bus=0x20000\n"
				      "map 0 0x2 0x200000 4096 to cpu=1 bus=0x21000\n"
				      "map 0 0x3 0x300000 12288 to cpu=1 bus=0x30000\n"
				      "unmap 0 0x2 cpu=2\n"
				      "unmap 0 0x1 cpu=2\n"
				      "unmap 0 0x3 cpu=2\n", &st, NULL, 0), 0));
	cr_expect(eq(u64, st.unmatched_unmaps, 0));
}

Test(import_ftrace, one_past_a_mapping_is_not_in_it)
{
	static const char text[] =
		EV("001", "1.000000") "dma_map_page: d0 dir=TO_DEVICE dma_addr=30000 size=12288 "
		"phys_addr=300000 attrs=\n"
		EV("001", "1.000001") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=33000 size=1 attrs=\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0, "map 0 0x1 0x300000 12288 to cpu=1 bus=0x30000\n",
				      &st, NULL, 0), 0));
	cr_expect(eq(u64, st.unmatched_unmaps, 1));
}

Test(import_ftrace, a_page_mapped_twice_is_unmapped_twice)
{
	/* a direct window gives the same dma address to two live maps of one page */
	static const char text[] =
		EV("000", "1.000000") "dma_map_page: d0 dir=TO_DEVICE dma_addr=800000000010000 "
		"size=4096 phys_addr=10000 attrs=\n"
		EV("001", "1.000001") "dma_map_page: d0 dir=TO_DEVICE dma_addr=800000000010000 "
		"size=4096 phys_addr=10000 attrs=\n"
		EV("001", "1.000002") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=800000000010000 "
		"size=4096 attrs=\n"
		EV("000", "1.000003") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=800000000010000 "
		"size=4096 attrs=\n";

	cr_assert(eq(int, import_text(text, 0,
				      "map 0 0x1 0x10000 4096 to bus=0x800000000010000\n"
				      "map 0 0x2 0x10000 4096 to cpu=1 bus=0x800000000010000\n"
				      "unmap 0 0x1 cpu=1\n"
				      "unmap 0 0x2\n", NULL, NULL, 0), 0));
}

/*
 * 1500 live maps of one page: the key table doubles on the way (the mappings
 * at one key are all at one hash key), and the unmaps still take them oldest
 * first. Before hashmap.c, equal keys sat in one run of slots, and a run
 * that wrapped around the table's end came out reordered when it grew: with
 * this dma_addr, 0x800000000014000, the unmaps did not come in map order.
 */
Test(import_ftrace, the_same_page_mapped_1500_times_is_unmapped_oldest_first)
{
	enum { N = 1500 };
	char *text = malloc(N * 2 * 160), *want = malloc(N * 2 * 64), *t = text, *w = want;

	cr_assert(text != NULL && want != NULL);
	for (unsigned i = 0; i < N; i++) {
		t += sprintf(t, EV("000", "1.%06u") "dma_map_page: d0 dir=TO_DEVICE "
			     "dma_addr=800000000014000 size=4096 phys_addr=%x attrs=\n", i,
			     0x10000 + i * 0x1000);
		w += sprintf(w, "map 0 0x%x 0x%x 4096 to bus=0x800000000014000\n", i + 1,
			     0x10000 + i * 0x1000);
	}
	for (unsigned i = 0; i < N; i++) {
		t += sprintf(t, EV("000", "2.%06u") "dma_unmap_page: d0 dir=TO_DEVICE "
			     "dma_addr=800000000014000 size=4096 attrs=\n", i);
		w += sprintf(w, "unmap 0 0x%x\n", i + 1);
	}
	cr_assert(eq(int, import_text(text, 0, want, NULL, NULL, 0), 0));
	free(text);
	free(want);
}

Test(import_ftrace, an_iommu_unmap_takes_every_mapping_starting_in_its_range)
{
	static const char text[] =
		EV("000", "1.000000") "map: IOMMU: iova=0x0000000000001000 paddr=0x000000000000a000 "
		"size=4096\n"
		EV("000", "1.000001") "map: IOMMU: iova=0x0000000000002000 paddr=0x000000000000b000 "
		"size=8192\n"
		EV("000", "1.000002") "map: IOMMU: iova=0x0000000000004000 paddr=0x000000000000d000 "
		"size=4096\n"
		EV("000", "1.000003") "map: IOMMU: iova=0x0000000000008000 paddr=0x000000000000e000 "
		"size=4096\n"
		/* [0x1800, 0x4800): holds 0x1000 (the containing one, first), 0x2000 and 0x4000 */
		EV("000", "1.000004") "unmap: IOMMU: iova=0x0000000000001800 - 0x0000000000004800 "
		"size=12288 unmapped_size=12288\n"
		/* nothing at 0x6000 itself, but 0x8000 starts inside */
		EV("000", "1.000005") "unmap: IOMMU: iova=0x0000000000006000 - 0x000000000000a000 "
		"size=16384 unmapped_size=4096\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0,
				      "map 0 0x1 0xa000 4096 bidi bus=0x1000\n"
				      "map 0 0x2 0xb000 8192 bidi bus=0x2000\n"
				      "map 0 0x3 0xd000 4096 bidi bus=0x4000\n"
				      "map 0 0x4 0xe000 4096 bidi bus=0x8000\n"
				      "unmap 0 0x1\n"
				      "unmap 0 0x2\n"
				      "unmap 0 0x3\n"
				      "unmap 0 0x4\n", &st, NULL, 0), 0));
	cr_expect(eq(u64, st.unmatched_unmaps, 0));
}

/* ---- dma_map_sg ---- */

Test(import_ftrace, merged_segments_start_at_the_element_with_their_page_offset)
{
	/*
	 * 4K TCEs. A (0x10200, 0xe00) ends on a page: TCE 1, dma 0x1200; B (0x20000,
	 * 0x1000) and C (0x30000, 0x1000) get TCEs 2 and 3 and merge: one segment of
	 * 0x2e00 at 0x1200. D (0x40200) gets TCE 9: segment 0x9200. Segment 2 starts
	 * at D, the element with D's offset 0x200, not at B, the next one.
	 */
	static const char text[] =
		EV("003", "1.000000") "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1200,0x9200} "
		"sizes={0x2e00,0x100} phys_addrs={0x10200,0x20000,0x30000,0x40200} attrs=\n"
		/* no element has segment 2's offset 0x800: it starts at the next element */
		EV("003", "1.000001") "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000,0x5800} "
		"sizes={0x2000,0x1000} phys_addrs={0x10000,0x20000,0x30000} attrs=\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0,
				      "map_sg 0 0x1 to 0x10200:11776,0x40200:256 cpu=3 bus=0x1200\n"
				      "map_sg 0 0x2 to 0x10000:8192,0x20000:4096 cpu=3 bus=0x1000\n",
				      &st, NULL, 0), 0));
	cr_expect(eq(u64, st.sg_merged, 2));
}

Test(import_ftrace, a_failed_map_writes_nothing)
{
	static const char text[] =
		EV("000", "1.000000") "dma_map_page: d0 dir=TO_DEVICE dma_addr=ffffffffffffffff "
		"size=4096 phys_addr=1000 attrs=\n"
		EV("000", "1.000001") "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0xffffffffffffffff} "
		"sizes={0x1000} phys_addrs={0x1000} attrs=\n"
		EV("000", "1.000002") "map: IOMMU: iova=0x0000000000001000 paddr=0x0000000000002000 "
		"size=4096\n";
	struct import_ftrace_stats st;

	cr_assert(eq(int, import_text(text, 0, "map 0 0x1 0x2000 4096 bidi bus=0x1000\n", &st, NULL,
				      0), 0));
	cr_expect(eq(u64, st.failed_maps, 2));
	cr_expect(eq(u64, st.maps, 1));
}

/* A dma_map_sg line of n elements, phys i << 16, dma 0x10000 + i << 16, 4 KiB each. */
static size_t sg_line(char *buf, size_t cap, unsigned n, const char *counts)
{
	size_t k = (size_t)snprintf(buf, cap, EV("001", "1.000000") "dma_map_sg: d0 dir=TO_DEVICE%s",
				    counts);

	k += (size_t)snprintf(buf + k, cap - k, " dma_addrs={");
	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s0x%x", i ? "," : "", 0x10000 + (i << 16));
	k += (size_t)snprintf(buf + k, cap - k, "} sizes={");
	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s0x1000", i ? "," : "");
	k += (size_t)snprintf(buf + k, cap - k, "} phys_addrs={");
	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s0x%x", i ? "," : "", i << 16);
	k += (size_t)snprintf(buf + k, cap - k, "} attrs=\n");
	cr_assert(k < cap);
	return k;
}

/* "map_sg 0 0x1 to 0x0:4096,0x10000:4096,... cpu=1 bus=0x10000\n" for n elements */
static void sg_want(char *buf, size_t cap, unsigned n)
{
	size_t k = (size_t)snprintf(buf, cap, "map_sg 0 0x1 to ");

	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%s0x%x:4096", i ? "," : "", i << 16);
	k += (size_t)snprintf(buf + k, cap - k, " cpu=1 bus=0x10000\n");
	cr_assert(k < cap);
}

Test(import_ftrace, a_truncated_map_sg_maps_the_traced_segments, .init = cr_redirect_stderr)
{
	static char text[16384], want[8192];
	char path[64], msg[512];
	struct import_ftrace_stats st;

	sg_line(text, sizeof(text), 128, " nents=128/130 ents=128/130 [TRUNCATED]");
	sg_want(want, sizeof(want), 128);
	cr_assert(eq(int, import_text(text, 0, want, &st, path, sizeof(path)), 0));
	cr_expect(eq(u64, st.sg_truncated, 1));
	cr_expect(eq(u64, st.sg_merged, 0));
	snprintf(msg, sizeof(msg), "ddwsim: warning: %s:1: dma_map_sg: the kernel traced 128 of 130 "
		 "segments ([TRUNCATED]): only those are mapped (reported once)\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(msg);
}

Test(import_ftrace, a_map_sg_takes_4096_elements)
{
	static char text[256 << 10], want[128 << 10];

	sg_line(text, sizeof(text), 4096, "");
	sg_want(want, sizeof(want), 4096);
	cr_assert(eq(int, import_text(text, 0, want, NULL, NULL, 0), 0));
}

Test(import_ftrace, a_map_sg_of_4097_elements_is_an_error, .init = cr_redirect_stderr)
{
	static char text[256 << 10];
	char path[64], msg[512];

	sg_line(text, sizeof(text), 4097, "");
	cr_assert(eq(int, import_text(text, 0, NULL, NULL, path, sizeof(path)), -1));
	snprintf(msg, sizeof(msg), "%s:1: dma_map_sg: expected dma_addrs= with at most 4096 numbers, "
		 "got 'dma_addrs={0x10000,0x20000,0x30000,0x40000,0x50000,0x60000,0x700...'\n",
		 path);
	fflush(stderr);
	cr_assert_stderr_eq_str(msg);
}

/* ---- what the kernel lost ---- */

Test(import_ftrace, a_line_too_big_for_the_kernel_is_lost, .init = cr_redirect_stderr)
{
	static const char text[] =
		EV("001", "1.000000") "dma_map_sg[LINE TOO BIG]\n"
		EV("001", "1.000001") "dma_map_sg[LINE TOO BIG]\n"
		/* not a lifted event: ignored */
		EV("001", "1.000002") "tracing_mark_write[LINE TOO BIG]\n";
	struct import_ftrace_stats st;
	char path[64], msg[512];

	cr_assert(eq(int, import_text(text, 0, "", &st, path, sizeof(path)), 0));
	cr_expect(eq(u64, st.lost, 2));
	cr_expect(eq(u64, st.ignored, 1));
	cr_expect(eq(u64, st.events, 3));
	snprintf(msg, sizeof(msg),
		 "ddwsim: warning: %s:1: dma_map_sg: the kernel printed '[LINE TOO BIG]' instead of "
		 "its fields: no op (reported once)\n"
		 "ddwsim: warning: %s: 2 lifted events were printed as '[LINE TOO BIG]' and lost\n",
		 path, path);
	fflush(stderr);
	cr_assert_stderr_eq_str(msg);
}

Test(import_ftrace, lost_events_are_warned_about, .init = cr_redirect_stderr)
{
	static const char text[] =
		"cpus=2\n"
		"CPU:1 [LOST 42 EVENTS]\n"
		EV("001", "1.000000") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 attrs=\n"
		"CPU:0 [LOST 7 EVENTS]\n";
	struct import_ftrace_stats st;
	char path[64], msg[512];

	cr_assert(eq(int, import_text(text, 0, "", &st, path, sizeof(path)), 0));
	cr_expect(eq(u64, st.ignored, 3));
	cr_expect(eq(u64, st.unmatched_unmaps, 1));
	snprintf(msg, sizeof(msg),
		 "ddwsim: warning: %s:2: the kernel lost events ('CPU:1 [LOST 42 EVENTS]'): unmaps "
		 "of maps it lost will not match (reported once)\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(msg);
}

Test(import_ftrace, a_file_without_event_lines_is_warned_about, .init = cr_redirect_stderr)
{
	struct import_ftrace_stats st;
	char path[64], msg[256];

	cr_assert(eq(int, import_text("18085@1795481805.702653:spapr_iommu_put liobn=0x1\n\n"
				      "# a comment\nhello\n", 0, "", &st, path, sizeof(path)), 0));
	cr_expect(eq(u64, st.lines, 4));
	cr_expect(eq(u64, st.events, 0));
	cr_expect(eq(u64, st.ignored, 2));
	snprintf(msg, sizeof(msg), "ddwsim: warning: %s: no ftrace event lines (2 other lines "
		 "ignored)\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(msg);
}

Test(import_ftrace, a_trace_without_lifted_events_is_warned_about, .init = cr_redirect_stderr)
{
	static const char text[] =
		EV("000", "1.000000") "sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 "
		"prev_state=R ==> next_comm=fio next_pid=1432 next_prio=120\n"
		/* a name with its system is not one of the lifted names */
		EV("000", "1.000001") "dma:dma_unmap_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 "
		"attrs=\n";
	struct import_ftrace_stats st;
	char path[64], msg[256];

	cr_assert(eq(int, import_text(text, 0, "", &st, path, sizeof(path)), 0));
	cr_expect(eq(u64, st.events, 2));
	cr_expect(eq(u64, st.ignored, 2));
	snprintf(msg, sizeof(msg), "ddwsim: warning: %s: none of the 2 event lines is a dma:* or "
		 "iommu:* map or unmap\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(msg);
}

/* ---- time ---- */

Test(import_ftrace, time_stamps_never_decrease_and_a_bare_integer_is_ns)
{
	/* the counter-style clock: 5000 ns first; 4000 goes back (kept at 0); 7000: 2000 ns */
	static const char text[] =
		"  fio-1  [000]  5000: dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 "
		"phys_addr=7000 attrs=\n"
		"  fio-1  [000]  4000: dma_map_page: d0 dir=TO_DEVICE dma_addr=2000 size=64 "
		"phys_addr=8000 attrs=\n"
		"  fio-1  [000]  7000: dma_unmap_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 attrs=\n"
		/* 12 fraction digits are ps; past them, dropped. 1 s after 5000 ns */
		"  fio-1  [000]  1.000005000000999: dma_unmap_page: d0 dir=TO_DEVICE dma_addr=2000 "
		"size=64 attrs=\n";
	char in[64], out[64];

	tmp_name(in, sizeof(in), ".trace");
	tmp_name(out, sizeof(out), ".ddwt");
	put_file(in, text, strlen(text));
	cr_assert(eq(int, import_ftrace(in, out, true, NULL), 0));
	expect_text(out, "# ddwt 1\n"
		    "@0 map 0 0x1 0x7000 64 to bus=0x1000\n"
		    "@0 map 0 0x2 0x8000 64 to bus=0x2000\n"
		    "@2000000 unmap 0 0x1\n"
		    "@1000000000000 unmap 0 0x2\n");
	unlink(in);
	unlink(out);
}

/* ---- malformed lines: exact message, and no output ---- */

struct bad_line {
	const char *text;	/* lines after one good map */
	const char *msg;	/* after "FILE:" */
};

#define GOOD	EV("000", "1.000000") "dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 " \
		"phys_addr=7000 attrs=\n"
#define L2	GOOD EV("000", "1.000001")

static const struct bad_line bad_lines[] = {
	{ L2 "dma_map_page: d0 dir=NONE dma_addr=1000 size=64 phys_addr=7000 attrs=\n",
	  "2: dma_map_page: expected dir=BIDIRECTIONAL, TO_DEVICE or FROM_DEVICE, got 'dir=NONE'" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 attrs=\n",
	  "2: dma_map_page: expected phys_addr=<hex>, got 'attrs='" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=xyz size=64 phys_addr=7000 attrs=\n",
	  "2: dma_map_page: expected dma_addr=<hex>, got 'dma_addr=xyz'" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=10000000000000000 size=64 phys_addr=0 "
	  "attrs=\n",
	  "2: dma_map_page: expected dma_addr=<hex>, got 'dma_addr=10000000000000000': a number is "
	  "at most 64 bits" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=0 phys_addr=7000 attrs=\n",
	  "2: dma_map_page: expected size=<decimal> of at least 1, got 'size=0'" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=0x40 phys_addr=7000 attrs=\n",
	  "2: dma_map_page: expected size=<decimal>, got 'size=0x40'" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 phys_addr=7000 attrs= extra\n",
	  "2: dma_map_page: expected end of line, got 'extra'" },
	{ L2 "dma_map_page:\n", "2: dma_map_page: expected a device name, got ''" },
	{ L2 "dma_map_phys: d0 dir=TO_DEVICE dma_addr=1000 size=8192 phys_addr=fffffffffffff000 "
	  "attrs=\n",
	  "2: dma_map_phys: bad range for a map: addr + len wraps past 2^64 (0xfffffffffffff000 + 8192)" },
	{ L2 "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=1000 size=64\n",
	  "2: dma_unmap_page: expected attrs=<flags>, got ''" },
	{ L2 "dma_unmap_resource: d0 dir=TO_DEVICE dma_addr=1000 size=-1 attrs=\n",
	  "2: dma_unmap_resource: expected size=<decimal>, got 'size=-1': a number has no sign" },
	{ L2 "map: IOMMU iova=0x1000 paddr=0x2000 size=4096\n",
	  "2: map: expected 'IOMMU:', got 'IOMMU'" },
	{ L2 "map: IOMMU: iova=1000 paddr=0x2000 size=4096\n",
	  "2: map: expected iova=0x<hex>, got 'iova=1000'" },
	{ L2 "map: IOMMU: iova=0x1000 - zz paddr=0x2000 size=4096\n",
	  "2: map: expected 0x<hex> after '-', got 'zz'" },
	{ L2 "map: IOMMU: iova=0x1000 size=4096\n",
	  "2: map: expected paddr=0x<hex>, got 'size=4096'" },
	{ L2 "unmap: IOMMU: iova=0x1000 size=4096\n",
	  "2: unmap: expected unmapped_size=<decimal>, got ''" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000,0x2000} sizes={0x1000} "
	  "phys_addrs={0x1000,0x2000} attrs=\n",
	  "2: dma_map_sg: expected as many sizes as dma_addrs (2), got 1" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000,0x2000} sizes={0x1000,0x1000} "
	  "phys_addrs={0x1000} attrs=\n",
	  "2: dma_map_sg: expected at most as many dma_addrs as phys_addrs (1), got 2" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000;0x2000} sizes={0x1000} "
	  "phys_addrs={0x1000} attrs=\n",
	  "2: dma_map_sg: expected dma_addrs={0x<hex>,...}, got 'dma_addrs={0x1000;0x2000}'" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={} sizes={} phys_addrs={} attrs=\n",
	  "2: dma_map_sg: expected dma_addrs={0x<hex>,...}, got 'dma_addrs={}'" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000} sizes={4096} phys_addrs={0x1000} "
	  "attrs=\n",
	  "2: dma_map_sg: expected sizes={0x<hex>,...}, got 'sizes={4096}'" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000} sizes={0x1000}x phys_addrs={0x1000} "
	  "attrs=\n",
	  "2: dma_map_sg: expected sizes={0x<hex>,...}, got 'sizes={0x1000}x'" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000,0x3000} sizes={0x1000,0x0} "
	  "phys_addrs={0x1000,0x3000} attrs=\n",
	  "2: dma_map_sg: expected sizes of at least 1, got 0 for segment 2" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE nents=x ents=1/1 dma_addrs={0x1000} sizes={0x1000} "
	  "phys_addrs={0x1000} attrs=\n",
	  "2: dma_map_sg: expected nents=<decimal>/<decimal>, got 'nents=x'" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE nents=1/1 dma_addrs={0x1000} sizes={0x1000} "
	  "phys_addrs={0x1000} attrs=\n",
	  "2: dma_map_sg: expected ents=<decimal>/<decimal>, got 'dma_addrs={0x1000}'" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE nents=1/1 ents=2/2 dma_addrs={0x1000} sizes={0x1000} "
	  "phys_addrs={0x1000} attrs=\n",
	  "2: dma_map_sg: expected traced counts within the full ones and ents <= nents, "
	  "got nents=1/1 ents=2/2" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE nents=3/3 ents=1/1 dma_addrs={0x1000} sizes={0x1000} "
	  "phys_addrs={0x1000,0x2000} attrs=\n",
	  "2: dma_map_sg: expected 3 phys_addrs and 1 dma_addrs (nents, ents), got 2 and 1" },
	{ L2 "dma_map_sg: [FAILED TO PARSE] device=d0 phys_addrs=ARRAY[00, 10] dir=1\n",
	  "2: dma_map_sg: expected the event's printed fields, got '[FAILED TO PARSE] "
	  "device=d0 phys_addrs=ARRAY[00, 10] dir=1'" },
	{ L2 "dma_unmap_sg: d0 dir=TO_DEVICE attrs=\n",
	  "2: dma_unmap_sg: expected phys_addrs={0x<hex>,...}, got 'attrs='" },
	{ L2 "dma_unmap_sg: d0 dir=TO_DEVICE phys_addrs={0x1000,0x2000,0x3000,0x4000,0x5000,"
	  "0x6000,0x7000,0x8000,0x9000,0xa000} attrs=0 x\n",
	  "2: dma_unmap_sg: expected end of line, got 'x'" },
	/* numbers follow num.h: no sign, no leading 0 on a decimal, 64 bits */
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=1000 size=0100 phys_addr=7000 attrs=\n",
	  "2: dma_map_page: expected size=<decimal>, got 'size=0100': leading zeros are refused, "
	  "never read as octal: write the number without them" },
	{ L2 "dma_map_page: d0 dir=TO_DEVICE dma_addr=0x-1000 size=64 phys_addr=7000 attrs=\n",
	  "2: dma_map_page: expected dma_addr=<hex>, got 'dma_addr=0x-1000': a number has no sign" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE nents=01/1 ents=1/1 dma_addrs={0x1000} sizes={0x1000} "
	  "phys_addrs={0x1000} attrs=\n",
	  "2: dma_map_sg: expected nents=<decimal>/<decimal>, got 'nents=01/1': leading zeros are "
	  "refused, never read as octal: write the number without them" },
	{ L2 "dma_map_sg: d0 dir=TO_DEVICE dma_addrs={0x1000} sizes={0x} phys_addrs={0x1000} "
	  "attrs=\n",
	  "2: dma_map_sg: expected sizes={0x<hex>,...}, got 'sizes={0x}'" },
	/* an event line whose [CPU] or time stamp is not a number: an error, never dropped */
	{ GOOD EV("abc", "1.000001") "dma_map_page: d0 dir=TO_DEVICE dma_addr=2000 size=64 "
	  "phys_addr=8000 attrs=\n",
	  "2: dma_map_page: expected [CPU], a decimal CPU number in 0..4294967295, got '[abc]'" },
	{ GOOD EV("4294967296", "1.000001") "dma_map_page: d0 dir=TO_DEVICE dma_addr=2000 size=64 "
	  "phys_addr=8000 attrs=\n",
	  "2: dma_map_page: expected [CPU], a decimal CPU number in 0..4294967295, got "
	  "'[4294967296]'" },
	{ GOOD EV("-1", "1.000001") "dma_map_page: d0 dir=TO_DEVICE dma_addr=2000 size=64 "
	  "phys_addr=8000 attrs=\n",
	  "2: dma_map_page: expected [CPU], a decimal CPU number in 0..4294967295, got '[-1]': a "
	  "number has no sign" },
	{ GOOD EV("0x1", "1.000001") "sched_switch: prev_comm=fio\n",
	  "2: sched_switch: expected [CPU], a decimal CPU number in 0..4294967295, got '[0x1]'" },
	{ GOOD EV("000", "1.00x001") "dma_map_page: d0 dir=TO_DEVICE dma_addr=2000 size=64 "
	  "phys_addr=8000 attrs=\n",
	  "2: dma_map_page: expected a time stamp SEC.FRAC: or NS: (decimal), got '1.00x001:'" },
	{ GOOD EV("000", "abc") "dma_unmap_page: d0 dir=TO_DEVICE dma_addr=1000 size=64 attrs=\n",
	  "2: dma_unmap_page: expected a time stamp SEC.FRAC: or NS: (decimal), got 'abc:'" },
	{ GOOD EV("000", "-1.5") "sched_switch: prev_comm=fio\n",
	  "2: sched_switch: expected a time stamp SEC.FRAC: or NS: (decimal), got '-1.5:': a number "
	  "has no sign" },
	{ GOOD EV("000", "18446744073709551616.5") "sched_switch: prev_comm=fio\n",
	  "2: sched_switch: expected a time stamp SEC.FRAC: or NS: (decimal), got "
	  "'18446744073709551616.5:': a number is at most 64 bits" },
	{ GOOD EV("000", "1.") "sched_switch: prev_comm=fio\n",
	  "2: sched_switch: expected a time stamp SEC.FRAC: or NS: (decimal), got '1.:'" },
	{ GOOD EV("000", "1.2.3") "sched_switch: prev_comm=fio\n",
	  "2: sched_switch: expected a time stamp SEC.FRAC: or NS: (decimal), got '1.2.3:'" },
	{ GOOD EV("000", "1.0000010000000x") "sched_switch: prev_comm=fio\n",
	  "2: sched_switch: expected a time stamp SEC.FRAC: or NS: (decimal), got "
	  "'1.0000010000000x:'" },
	/* a long field is quoted up to 64 bytes */
	{ L2 "dma_unmap_sg: d0 dir=TO_DEVICE phys_addrs={0x1000,0x2000,0x3000,0x4000,0x5000,"
	  "0x6000,0x7000,0x8000,0x9000,0xa000,} attrs=\n",
	  "2: dma_unmap_sg: expected phys_addrs={0x<hex>,...}, got 'phys_addrs={0x1000,0x2000,"
	  "0x3000,0x4000,0x5000,0x6000,0x7000,0x8...'" },
};

ParameterizedTestParameters(import_ftrace, malformed_lines)
{
	size_t n = sizeof(bad_lines) / sizeof(bad_lines[0]);

	return cr_make_param_array(unsigned, indices(n), n, free_indices);
}

ParameterizedTest(unsigned *ix, import_ftrace, malformed_lines, .init = cr_redirect_stderr)
{
	const struct bad_line *b = &bad_lines[*ix];
	struct import_ftrace_stats st;
	char path[64], want[1024];

	cr_assert(eq(int, import_text(b->text, 0, NULL, &st, path, sizeof(path)), -1));
	cr_expect(eq(u64, st.maps, 1));
	cr_expect(eq(u64, st.lines, 2));
	snprintf(want, sizeof(want), "%s:%s\n", path, b->msg);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(import_ftrace, an_error_creates_no_output, .init = cr_redirect_stderr)
{
	char dir[] = "/tmp/ddwsim-ftrace-dir-XXXXXX", in[128], out[128];

	cr_assert(mkdtemp(dir) != NULL);
	snprintf(in, sizeof(in), "%s/in.trace", dir);
	snprintf(out, sizeof(out), "%s/out.ddwt", dir);
	put_file(in, GOOD L2 "map: IOMMU:\n", strlen(GOOD L2 "map: IOMMU:\n"));
	cr_assert(eq(int, import_ftrace(in, out, false, NULL), -1));
	unlink(in);
	cr_expect(eq(int, rmdir(dir), 0), "the output or its temporary file was left behind");
}

Test(import_ftrace, a_missing_trace_is_reported, .init = cr_redirect_stderr)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwt");
	unlink(out);
	cr_assert(eq(int, import_ftrace("/nonexistent/x.trace", out, false, NULL), -1));
	cr_expect(eq(int, access(out, F_OK), -1));
	fflush(stderr);
	cr_assert_stderr_eq_str("ddwsim: cannot open trace '/nonexistent/x.trace': No such file or "
				"directory\n");
}

/* ---- long lines ---- */

/* GOOD, then one line of a map_sg padded with blanks past 256 KiB (lifted: an error),
 * or of another event (ignored). */
static char *long_text(const char *event, size_t *len)
{
	size_t cap = 300 << 10, k;
	char *t = malloc(cap);

	cr_assert(t != NULL);
	k = (size_t)snprintf(t, cap, GOOD EV("000", "1.000001") "%s: d0", event);
	memset(t + k, ' ', (260 << 10) - k);
	k = 260 << 10;
	k += (size_t)snprintf(t + k, cap - k, "x\n" EV("000", "1.000002") "dma_unmap_page: d0 "
			      "dir=TO_DEVICE dma_addr=1000 size=64 attrs=\n");
	*len = k;
	return t;
}

Test(import_ftrace, a_lifted_line_over_256k_is_an_error, .init = cr_redirect_stderr)
{
	char path[64], want[256];
	size_t len;
	char *t = long_text("dma_map_sg", &len);

	cr_assert(eq(int, import_text(t, len, NULL, NULL, path, sizeof(path)), -1));
	free(t);
	snprintf(want, sizeof(want), "%s:2: dma_map_sg: line longer than 262144 bytes\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(import_ftrace, another_event_over_256k_is_ignored)
{
	struct import_ftrace_stats st;
	size_t len;
	char *t = long_text("bputs", &len);

	cr_assert(eq(int, import_text(t, len, "map 0 0x1 0x7000 64 to bus=0x1000\nunmap 0 0x1\n", &st,
				      NULL, 0), 0));
	free(t);
	cr_expect(eq(u64, st.lines, 3));
	cr_expect(eq(u64, st.ignored, 1));
}

/*
 * 256 devices are what a replay takes (devices 0..255): the 257th device
 * name is an error at its line, not a trace the replay then refuses. Names
 * are looked up hashed, so the lines before it cost O(1) each.
 */
Test(import_ftrace, the_257th_device_is_refused_at_its_line)
{
	size_t cap = 257 * 200, len = 0;
	char *text = malloc(cap);
	struct import_ftrace_stats st;

	cr_assert(text != NULL);
	for (unsigned d = 0; d < 257; d++)
		len += (size_t)snprintf(text + len, cap - len,
					"  x-1 [000] ..... 1.%06u: dma_map_page: dev-%u dir=TO_DEVICE "
					"dma_addr=%x size=64 phys_addr=1000 attrs=\n", d, d, 0x1000 + d * 0x1000);
	cr_redirect_stderr();
	cr_expect_eq(import_text(text, len, NULL, &st, NULL, 0), -1);
	fflush(stderr);
	cr_expect_stderr_neq_str("");
	free(text);
}

/* The same address mapped again and again (never unmapped) joins its key's chain in O(1). */
Test(import_ftrace, many_live_maps_of_one_address_unmap_oldest_first)
{
	const char *lines =
		"  x-1 [000] ..... 1.000001: dma_map_page: d dir=TO_DEVICE dma_addr=2000 size=64 phys_addr=10000 attrs=\n"
		"  x-1 [000] ..... 1.000002: dma_map_page: d dir=TO_DEVICE dma_addr=2000 size=64 phys_addr=20000 attrs=\n"
		"  x-1 [000] ..... 1.000003: dma_map_page: d dir=TO_DEVICE dma_addr=2000 size=64 phys_addr=30000 attrs=\n"
		"  x-1 [000] ..... 1.000004: dma_unmap_page: d dir=TO_DEVICE dma_addr=2000 size=64 attrs=\n"
		"  x-1 [000] ..... 1.000005: dma_unmap_page: d dir=TO_DEVICE dma_addr=2000 size=64 attrs=\n"
		"  x-1 [000] ..... 1.000006: dma_unmap_page: d dir=TO_DEVICE dma_addr=2000 size=64 attrs=\n";
	struct import_ftrace_stats st;

	cr_assert_eq(import_text(lines, 0, NULL, &st, NULL, 0), 0);
	cr_expect_eq(st.maps, 3u);
	cr_expect_eq(st.unmaps, 3u);
	cr_expect_eq(st.unmatched_unmaps, 0u);
}
