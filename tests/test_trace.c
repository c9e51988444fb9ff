/*
 * test_trace.c - trace files: the text (.ddwt) and binary (.ddwb) formats, as
 * documented at the top of src/trace_text.c and src/trace_bin.c.
 *
 * Samples in tests/traces/:
 *   all-ops.ddwt          canonical text, every op kind, time stamps, cpu=, bus=, wait, a 3-element
 *                         map_sg
 *   all-ops.ddwb          the same ops, written by tests/traces/make_samples.py straight from the
 *                         layout tables (not by ddwsim), so text -> bin is checked against the spec
 *   edges.ddwt            canonical text at the edges of every range
 *   flags.ddwt            canonical text: dma and dmab with no flag, wait, aux, and wait aux
 *   flags.ddwb            the same ops, written by make_samples.py from the layout tables
 *   loose.ddwt            all-ops-like ops written loosely (comments, tabs, suffixes, decimal
 *                         addresses, keys reordered); loose.canonical.ddwt is its canonical form,
 *                         written by hand
 *   truncated-record.ddwb all-ops.ddwb cut 20 bytes into record 3
 *   truncated-sg.ddwb     all-ops.ddwb cut after the first sg element (record 5) of the map_sg
 *                         at record 4, record count unknown
 *   bad-dir.ddwt, no-header.ddwt   malformed text
 *
 * Every expected value below was worked out by hand from those files.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "ddwsim/trace.h"

#define NB	OP_NO_BUS
#define NT	OP_NO_TIME
#define DDW	(1ull << 59)		/* bus address of the second window */

/* ---- helpers ---- */

/* A fresh empty file under /tmp whose name ends in suffix. */
static void tmp_name(char *buf, size_t n, const char *suffix)
{
	int fd;

	snprintf(buf, n, "/tmp/ddwsim-trace-XXXXXX%s", suffix);
	fd = mkstemps(buf, (int)strlen(suffix));
	cr_assert(fd >= 0, "mkstemps");
	close(fd);
}

static void put_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	cr_assert(fp != NULL);
	cr_assert(fwrite(data, 1, len, fp) == len);
	cr_assert(fclose(fp) == 0);
}

/* The whole file; *len its size. The caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
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
	*len = (size_t)n;
	return buf;
}

static bool same_file(const char *a, const char *b)
{
	size_t na, nb;
	unsigned char *da = slurp(a, &na), *db = slurp(b, &nb);
	bool same = na == nb && !memcmp(da, db, na);

	free(da);
	free(db);
	return same;
}

/* Every field of got against want (sg compared element by element). */
static void expect_op(const struct dma_op *got, const struct dma_op *want, unsigned i)
{
	cr_expect(eq(int, got->kind, want->kind), "op %u kind", i);
	cr_expect(eq(int, got->dir, want->dir), "op %u dir", i);
	cr_expect(eq(uint, got->cpu, want->cpu), "op %u cpu", i);
	cr_expect(eq(uint, got->dev, want->dev), "op %u dev", i);
	cr_expect(eq(uint, got->win, want->win), "op %u win", i);
	cr_expect(eq(u64, got->handle, want->handle), "op %u handle", i);
	cr_expect(eq(u64, got->addr, want->addr), "op %u addr", i);
	cr_expect(eq(u64, got->len, want->len), "op %u len", i);
	cr_expect(eq(uint, got->page_shift, want->page_shift), "op %u page_shift", i);
	cr_expect(eq(uint, got->levels, want->levels), "op %u levels", i);
	cr_expect(eq(uint, got->nsg, want->nsg), "op %u nsg", i);
	cr_expect(eq(uint, got->flags, want->flags), "op %u flags", i);
	cr_expect(eq(u64, got->rec_bus, want->rec_bus), "op %u rec_bus", i);
	cr_expect(eq(u64, got->time_ps, want->time_ps), "op %u time_ps", i);
	if (want->nsg) {
		cr_assert(got->sg != NULL, "op %u sg", i);
		for (unsigned e = 0; e < want->nsg && e < got->nsg; e++) {
			cr_expect(eq(u64, got->sg[e].phys, want->sg[e].phys), "op %u sg %u phys", i, e);
			cr_expect(eq(u64, got->sg[e].len, want->sg[e].len), "op %u sg %u len", i, e);
		}
	}
}

/* Quietly: are all fields of a and b equal (sg element by element)? */
static bool same_op(const struct dma_op *a, const struct dma_op *b)
{
	if (a->kind != b->kind || a->dir != b->dir || a->cpu != b->cpu || a->dev != b->dev ||
	    a->win != b->win || a->handle != b->handle || a->addr != b->addr || a->len != b->len ||
	    a->page_shift != b->page_shift || a->levels != b->levels || a->nsg != b->nsg ||
	    a->flags != b->flags ||
	    a->rec_bus != b->rec_bus || a->time_ps != b->time_ps)
		return false;
	for (unsigned e = 0; e < a->nsg; e++)
		if (a->sg[e].phys != b->sg[e].phys || a->sg[e].len != b->sg[e].len)
			return false;
	return true;
}

/* Reads path and checks it yields exactly want[0..n), then the end. */
static void expect_ops(const char *path, const struct dma_op *want, unsigned n)
{
	struct op_source src;
	struct dma_op op;
	unsigned i = 0;
	int rc;

	cr_assert(eq(int, trace_open(&src, path), 0));
	while ((rc = op_source_next(&src, &op)) > 0) {
		cr_assert(i < n, "%s: more than %u ops", path, n);
		expect_op(&op, &want[i], i);
		i++;
	}
	cr_expect(eq(int, rc, 0));
	cr_expect(eq(uint, i, n), "%s: op count", path);
	cr_expect(eq(int, op_source_next(&src, &op), 0), "the end stays the end");
	op_source_close(&src);
}

/* Reads path to its end: the ops before the end or error, and the last return value. */
static int count_ops(const char *path, unsigned *n)
{
	struct op_source src;
	struct dma_op op;
	int rc;

	*n = 0;
	if (trace_open(&src, path) < 0)
		return -2;
	while ((rc = op_source_next(&src, &op)) > 0)
		++*n;
	/* an error is sticky and not reported twice */
	cr_expect(eq(int, op_source_next(&src, &op), rc));
	op_source_close(&src);
	return rc;
}

/* ---- the ops of all-ops.ddwt / all-ops.ddwb / loose.ddwt ---- */

static const struct sg_elem all_sg[] = {
	{ .phys = 0x10000, .len = 4096 }, { .phys = 0x30000, .len = 8192 },
	{ .phys = 0x7fff0000, .len = 65536 },
};

static const struct dma_op all_ops[] = {
	/* @1500000 map 0 0x1 0x12340000 2048 from cpu=1 bus=0x1000 */
	{ .kind = OP_MAP, .dir = DMA_DIR_FROM_DEVICE, .cpu = 1, .dev = 0, .handle = 1,
	  .addr = 0x12340000, .len = 2048, .rec_bus = 0x1000, .time_ps = 1500000 },
	/* @2000000 dma 0 0x1 0 1500 w */
	{ .kind = OP_DMA, .dir = DMA_DIR_FROM_DEVICE, .handle = 1, .addr = 0, .len = 1500,
	  .rec_bus = NB, .time_ps = 2000000 },
	/* @2500000 unmap 0 0x1 cpu=1 */
	{ .kind = OP_UNMAP, .cpu = 1, .handle = 1, .rec_bus = NB, .time_ps = 2500000 },
	/* wcreate 1 65536 1073741824 1: page_shift = log2(65536) = 16 */
	{ .kind = OP_WIN_CREATE, .dev = 1, .page_shift = 16, .len = 1ull << 30, .levels = 1,
	  .rec_bus = NB, .time_ps = NT },
	/* map_sg 1 0x2 to 0x10000:4096,0x30000:8192,0x7fff0000:65536 cpu=3 bus=0x800000000000000 */
	{ .kind = OP_MAP_SG, .dir = DMA_DIR_TO_DEVICE, .cpu = 3, .dev = 1, .handle = 2, .nsg = 3,
	  .sg = all_sg, .rec_bus = DDW, .time_ps = NT },
	/* dma 1 0x2 4096 512 r wait */
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .dev = 1, .handle = 2, .addr = 4096,
	  .len = 512, .flags = OP_F_WAIT, .rec_bus = NB, .time_ps = NT },
	/* dmab 1 1 0x800000000000000 512 r */
	{ .kind = OP_DMA_BUS, .dir = DMA_DIR_TO_DEVICE, .dev = 1, .win = 1, .addr = DDW,
	  .len = 512, .rec_bus = NB, .time_ps = NT },
	/* map 1 0xffffffffffffffff 0x40000000 4096 bidi */
	{ .kind = OP_MAP, .dir = DMA_DIR_BIDIRECTIONAL, .dev = 1, .handle = UINT64_MAX,
	  .addr = 0x40000000, .len = 4096, .rec_bus = NB, .time_ps = NT },
	/* unmap 1 0x2 */
	{ .kind = OP_UNMAP, .dev = 1, .handle = 2, .rec_bus = NB, .time_ps = NT },
	/* wremove 1 0x800000000000000 */
	{ .kind = OP_WIN_REMOVE, .dev = 1, .addr = DDW, .rec_bus = NB, .time_ps = NT },
	/* @9000000 wreset 1 */
	{ .kind = OP_WIN_RESET, .dev = 1, .rec_bus = NB, .time_ps = 9000000 },
};

#define NALL	(sizeof(all_ops) / sizeof(all_ops[0]))

/* ---- the ops of flags.ddwt / flags.ddwb: OP_F_WAIT (0x1) and OP_F_AUX (0x2) ---- */

static const struct dma_op flags_ops[] = {
	/* map 0 0x1 0x10000 4096 bidi */
	{ .kind = OP_MAP, .dir = DMA_DIR_BIDIRECTIONAL, .handle = 1, .addr = 0x10000, .len = 4096,
	  .rec_bus = NB, .time_ps = NT },
	/* dma 0 0x1 0 64 r */
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = 1, .addr = 0, .len = 64,
	  .rec_bus = NB, .time_ps = NT },
	/* dma 0 0x1 64 64 w wait */
	{ .kind = OP_DMA, .dir = DMA_DIR_FROM_DEVICE, .handle = 1, .addr = 64, .len = 64,
	  .flags = OP_F_WAIT, .rec_bus = NB, .time_ps = NT },
	/* dma 0 0x1 128 16 r aux */
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = 1, .addr = 128, .len = 16,
	  .flags = OP_F_AUX, .rec_bus = NB, .time_ps = NT },
	/* @5000 dma 0 0x1 192 16 w wait aux */
	{ .kind = OP_DMA, .dir = DMA_DIR_FROM_DEVICE, .handle = 1, .addr = 192, .len = 16,
	  .flags = OP_F_WAIT | OP_F_AUX, .rec_bus = NB, .time_ps = 5000 },
	/* dmab 0 0 0x1000 64 r aux */
	{ .kind = OP_DMA_BUS, .dir = DMA_DIR_TO_DEVICE, .addr = 0x1000, .len = 64,
	  .flags = OP_F_AUX, .rec_bus = NB, .time_ps = NT },
	/* dmab 1 1 0x800000000000000 512 w wait aux */
	{ .kind = OP_DMA_BUS, .dir = DMA_DIR_FROM_DEVICE, .dev = 1, .win = 1, .addr = DDW,
	  .len = 512, .flags = OP_F_WAIT | OP_F_AUX, .rec_bus = NB, .time_ps = NT },
	/* unmap 0 0x1 */
	{ .kind = OP_UNMAP, .handle = 1, .rec_bus = NB, .time_ps = NT },
};

#define NFLAGS	(sizeof(flags_ops) / sizeof(flags_ops[0]))

/* ---- parsing ---- */

Test(trace_text, sample_parses_every_op_kind_with_every_field)
{
	expect_ops("tests/traces/all-ops.ddwt", all_ops, NALL);
}

Test(trace_bin, sample_made_from_the_layout_tables_reads_every_field)
{
	expect_ops("tests/traces/all-ops.ddwb", all_ops, NALL);
}

Test(trace_text, wait_and_aux_words_set_their_flags)
{
	expect_ops("tests/traces/flags.ddwt", flags_ops, NFLAGS);
}

Test(trace_bin, flags_bits_0_and_1_are_wait_and_aux)
{
	expect_ops("tests/traces/flags.ddwb", flags_ops, NFLAGS);
}

/* The flag words may come in any order, among the other fields' spaces and tabs. */
Test(trace_text, aux_before_wait_parses_to_both_flags)
{
	static const char text[] = "# ddwt 1\nmap 0 0x1 0x10000 4096 bidi\n"
				   "dma 0 0x1 0 64 r aux\twait # loose\ndmab 0 0 0x1000 64 w aux\n";
	struct dma_op want[3];
	char path[64];

	memcpy(want, flags_ops, sizeof(want));
	want[1].flags = OP_F_WAIT | OP_F_AUX;
	want[2] = flags_ops[5];
	want[2].dir = DMA_DIR_FROM_DEVICE;
	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, sizeof(text) - 1);
	expect_ops(path, want, 3);
	unlink(path);
}

static const struct sg_elem edge_sg[] = { { .phys = 0, .len = 1 } };

/* edges.ddwt: the largest and smallest value of every field. */
static const struct dma_op edge_ops[] = {
	{ .kind = OP_MAP, .dir = DMA_DIR_TO_DEVICE, .cpu = UINT32_MAX, .dev = UINT32_MAX,
	  .addr = 0xfffffffffffff000, .len = 4095, .rec_bus = UINT64_MAX - 1,
	  .time_ps = UINT64_MAX - 1 },
	{ .kind = OP_MAP_SG, .dir = DMA_DIR_BIDIRECTIONAL, .nsg = 1, .sg = edge_sg, .rec_bus = 0,
	  .time_ps = NT },
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .addr = UINT64_MAX - 1, .len = 1, .rec_bus = NB,
	  .time_ps = NT },
	{ .kind = OP_DMA_BUS, .dir = DMA_DIR_FROM_DEVICE, .win = 0, .addr = 0, .len = UINT64_MAX,
	  .rec_bus = NB, .time_ps = NT },
	{ .kind = OP_WIN_CREATE, .page_shift = 63, .len = 0, .levels = 5, .rec_bus = NB,
	  .time_ps = NT },
	{ .kind = OP_WIN_CREATE, .page_shift = 12, .len = UINT64_MAX, .levels = 1, .rec_bus = NB,
	  .time_ps = NT },
	{ .kind = OP_WIN_REMOVE, .addr = UINT64_MAX, .rec_bus = NB, .time_ps = 0 },
	{ .kind = OP_UNMAP, .rec_bus = NB, .time_ps = NT },
};

Test(trace_text, edge_values_of_every_field_parse)
{
	expect_ops("tests/traces/edges.ddwt", edge_ops, sizeof(edge_ops) / sizeof(edge_ops[0]));
}

Test(trace_text, loose_spelling_parses_to_the_same_ops)
{
	/* loose.ddwt has the all-ops ops but a 2-element map_sg and no time on dma/unmap */
	struct dma_op want[NALL];
	static const struct sg_elem sg2[] = { { 0x10000, 4096 }, { 0x30000, 8192 } };

	memcpy(want, all_ops, sizeof(want));
	want[1].time_ps = NT;
	want[2].time_ps = NT;
	want[2].cpu = 0;
	want[4].nsg = 2;
	want[4].sg = sg2;
	expect_ops("tests/traces/loose.ddwt", want, NALL);
}

Test(trace_text, crlf_line_ends_and_a_missing_final_newline_are_accepted)
{
	static const char text[] = "# ddwt 1\r\nwreset 3\r\n\r\nwreset 4";
	static const struct dma_op want[] = {
		{ .kind = OP_WIN_RESET, .dev = 3, .rec_bus = NB, .time_ps = NT },
		{ .kind = OP_WIN_RESET, .dev = 4, .rec_bus = NB, .time_ps = NT },
	};
	char path[64];

	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, sizeof(text) - 1);
	expect_ops(path, want, 2);
	unlink(path);
}

/*
 * Numbers are num.h's, as in configs: size suffixes up to E in either case,
 * hex with leading zeros, and 2^64 - 1 both ways. 512P = 2^59, 1e = 2^60,
 * 15E = 15 * 2^60 = 17293822569102704640.
 */
Test(trace_text, numbers_take_the_config_suffixes_and_hex_leading_zeros)
{
	static const char text[] = "# ddwt 1\n"
				   "wcreate 0 4K 512P 5\n"
				   "map 0 0x0001 0 1e bidi\n"
				   "dma 0 0x1 0 15E r\n"
				   "wremove 0 0x000000000000000000ffffffffffffffff\n";
	static const struct dma_op want[] = {
		{ .kind = OP_WIN_CREATE, .page_shift = 12, .len = 1ull << 59, .levels = 5,
		  .rec_bus = NB, .time_ps = NT },
		{ .kind = OP_MAP, .dir = DMA_DIR_BIDIRECTIONAL, .handle = 1, .addr = 0,
		  .len = 1ull << 60, .rec_bus = NB, .time_ps = NT },
		{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = 1, .addr = 0,
		  .len = 17293822569102704640ull, .rec_bus = NB, .time_ps = NT },
		{ .kind = OP_WIN_REMOVE, .addr = UINT64_MAX, .rec_bus = NB, .time_ps = NT },
	};
	char path[64];

	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, sizeof(text) - 1);
	expect_ops(path, want, 4);
	unlink(path);
}

Test(trace_text, map_sg_takes_4096_elements)
{
	size_t cap = 4096 * 16 + 64, n;
	char *text = malloc(cap), path[64];
	struct op_source src;
	struct dma_op op;

	cr_assert(text != NULL);
	n = (size_t)snprintf(text, cap, "# ddwt 1\nmap_sg 0 0x1 to ");
	for (unsigned i = 0; i < 4096; i++)	/* element i: page i, 4096 bytes */
		n += (size_t)snprintf(text + n, cap - n, "%s0x%x:4K", i ? "," : "", i << 12);
	text[n++] = '\n';
	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, n);
	cr_assert(eq(int, trace_open(&src, path), 0));
	cr_assert(eq(int, op_source_next(&src, &op), 1));
	cr_expect(eq(uint, op.nsg, 4096));
	cr_expect(eq(u64, op.sg[4095].phys, 4095ull << 12));
	cr_expect(eq(u64, op.sg[4095].len, 4096));
	cr_expect(eq(int, op_source_next(&src, &op), 0));
	op_source_close(&src);
	unlink(path);
	free(text);
}

Test(trace_text, a_comment_line_of_exactly_256k_is_accepted)
{
	size_t n = 9 + 262144 + 9;
	char *text = malloc(n + 1), path[64];
	unsigned ops;

	cr_assert(text != NULL);
	memcpy(text, "# ddwt 1\n", 9);
	memset(text + 9, 'c', 262144);
	text[9] = '#';
	memcpy(text + 9 + 262144, "\nwreset 0", 9 + 1);
	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, n);
	cr_expect(eq(int, count_ops(path, &ops), 0));
	cr_expect(eq(uint, ops, 1));
	unlink(path);
	free(text);
}

/* ---- detection ---- */

Test(trace, detect_tells_binary_from_text_by_the_magic)
{
	cr_expect(eq(int, trace_detect("tests/traces/all-ops.ddwt"), TRACE_TEXT));
	cr_expect(eq(int, trace_detect("tests/traces/all-ops.ddwb"), TRACE_BIN));
	cr_expect(eq(int, trace_detect("tests/traces/truncated-record.ddwb"), TRACE_BIN));
	cr_expect(eq(int, trace_fmt_for_path("x.ddwb"), TRACE_BIN));
	cr_expect(eq(int, trace_fmt_for_path("x.ddwt"), TRACE_TEXT));
	cr_expect(eq(int, trace_fmt_for_path("ddwb"), TRACE_TEXT));
}

Test(trace, detect_reports_a_missing_file, .init = cr_redirect_stderr)
{
	cr_expect(eq(int, trace_detect("/nonexistent/t.ddwt"), -1));
	cr_expect(eq(int, count_ops("/nonexistent/t.ddwt", &(unsigned){ 0 }), -2));
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"ddwsim: cannot open trace '/nonexistent/t.ddwt': No such file or directory\n"
		"ddwsim: cannot open trace '/nonexistent/t.ddwt': No such file or directory\n");
}

/* ---- round trips ---- */

/* in -> a (format f1) -> b (format f2); returns whether b equals want byte for byte. */
static bool round_trip_fmt(const char *in, enum trace_fmt f1, enum trace_fmt f2, const char *want)
{
	char a[64], b[64];
	bool same;

	tmp_name(a, sizeof(a), f1 == TRACE_TEXT ? ".ddwt" : ".ddwb");
	tmp_name(b, sizeof(b), f2 == TRACE_TEXT ? ".ddwt" : ".ddwb");
	cr_assert(eq(int, trace_convert_fmt(in, a, f1), 0));
	cr_assert(eq(int, trace_convert_fmt(a, b, f2), 0));
	same = same_file(b, want);
	unlink(a);
	unlink(b);
	return same;
}

/* in -> a.<ext1> -> b.<ext2>, formats from the names (.ddwb: version 2). */
static bool round_trip(const char *in, const char *ext1, const char *ext2, const char *want)
{
	return round_trip_fmt(in, trace_fmt_for_path(ext1), trace_fmt_for_path(ext2), want);
}

Test(trace, text_to_bin_version_1_writes_exactly_the_layout_tables)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwb");
	cr_assert(eq(int, trace_convert_fmt("tests/traces/all-ops.ddwt", out, TRACE_BIN_V1), 0));
	cr_expect(same_file(out, "tests/traces/all-ops.ddwb"), "differs from make_samples.py's");
	unlink(out);
}

Test(trace, bin_to_text_writes_the_canonical_text)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwt");
	cr_assert(eq(int, trace_convert("tests/traces/all-ops.ddwb", out), 0));
	cr_expect(same_file(out, "tests/traces/all-ops.ddwt"));
	unlink(out);
}

Test(trace, text_bin_text_round_trip_is_byte_identical)
{
	cr_expect(round_trip("tests/traces/all-ops.ddwt", ".ddwb", ".ddwt",
			     "tests/traces/all-ops.ddwt"));
	cr_expect(round_trip("tests/traces/edges.ddwt", ".ddwb", ".ddwt", "tests/traces/edges.ddwt"));
}

Test(trace, bin_text_bin_round_trip_is_byte_identical)
{
	cr_expect(round_trip_fmt("tests/traces/all-ops.ddwb", TRACE_TEXT, TRACE_BIN_V1,
				 "tests/traces/all-ops.ddwb"));
}

/*
 * Plain dmas (a run) whose offsets' deltas take varints of every length, 1
 * to 10 bytes, up and down: zigzag 2, 198, 39800, about 2^22.5, 2^29.6,
 * 2^37, 2^46, 2^55 (8 bytes: past the one-load decode), then about 2^64
 * twice (10). Text -> version 2 -> text must give the same bytes, with pext
 * (where the machine has a fast one) and with the portable decode.
 */
Test(trace, plain_dma_deltas_of_every_varint_length_decode_alike_both_ways)
{
	static const char *const offs[] = {
		"0", "1", "100", "20000", "3000000", "400000000", "68719476736",	/* 2^36 */
		"35184372088832", "18014398509481984", "9223372036854775552", "0", "5",
	};
	char text[2048], in[64];
	size_t n = (size_t)snprintf(text, sizeof(text), "# ddwt 1\nmap 0 0x1 0x10000 4096 to\n");

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "dma 0 0x1 %s 64 r\n", offs[i]);
	tmp_name(in, sizeof(in), ".ddwt");
	put_file(in, text, n);
	cr_expect(round_trip(in, ".ddwb", ".ddwt", in), "with pext where fast");
	setenv("DDWSIM_NO_PEXT", "1", 1);
	cr_expect(round_trip(in, ".ddwb", ".ddwt", in), "portable");
	unsetenv("DDWSIM_NO_PEXT");
	unlink(in);
}

/*
 * The reader checksums up to four blocks side by side (block_sum), but a bad
 * one is still found in its turn: a map and 6143 plain dmas make six blocks
 * of 1024 ops (BIN_BATCH); one payload byte changed in block k, the ops of
 * the blocks before it, 1024 k, come out, then the error names block k. Block
 * 1 is summed ahead with block 0, block 4 starts the second group of four,
 * block 5 (the last, before the end block) ends it.
 */
Test(trace, a_bad_checksum_summed_ahead_is_found_in_its_turn, .init = cr_redirect_stderr)
{
	static const unsigned bad[] = { 1, 4, 5 };
	char text_path[64], bin[64], cut[64], want[64], err[4096] = "";
	size_t n, len, at[8], nb = 0;
	unsigned char *data;
	FILE *fp = NULL;
	unsigned ops;

	tmp_name(text_path, sizeof(text_path), ".ddwt");
	fp = fopen(text_path, "w");
	cr_assert(fp != NULL);
	fprintf(fp, "# ddwt 1\nmap 0 0x1 0x10000 1048576 to\n");
	for (unsigned i = 1; i < 6144; i++)
		fprintf(fp, "dma 0 0x1 %u 64 r\n", (i * 2654435761u) % 1048000u);
	fclose(fp);
	tmp_name(bin, sizeof(bin), ".ddwb");
	cr_assert(eq(int, trace_convert_fmt(text_path, bin, TRACE_BIN), 0));
	data = slurp(bin, &n);
	for (size_t off = 64; off + 16 <= n && nb < 8; off += 16 + len) {	/* the file header: 64 bytes */
		len = (size_t)data[off] | (size_t)data[off + 1] << 8 | (size_t)data[off + 2] << 16 |
		      (size_t)data[off + 3] << 24;
		at[nb++] = off;
	}
	cr_assert(eq(sz, nb, 7), "six blocks and the end block");
	for (unsigned i = 0; i < 3; i++) {
		tmp_name(cut, sizeof(cut), ".ddwb");
		data[at[bad[i]] + 16 + 5] ^= 0x40;
		put_file(cut, data, n);
		data[at[bad[i]] + 16 + 5] ^= 0x40;
		cr_expect(eq(int, count_ops(cut, &ops), -1), "block %u", bad[i]);
		cr_expect(eq(uint, ops, 1024 * bad[i]), "block %u", bad[i]);
		unlink(cut);
	}
	fflush(stderr);
	cr_assert(fread(err, 1, sizeof(err) - 1, cr_get_redirected_stderr()) > 0);
	for (unsigned i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "block %u: bad checksum", bad[i]);
		cr_expect(strstr(err, want) != NULL, "%s not in: %s", want, err);
	}
	free(data);
	unlink(bin);
	unlink(text_path);
}

/* Version 1 -> 2 -> 1 and text -> 2 -> text give back the same bytes, every op kind included. */
Test(trace, version_1_to_2_to_1_and_text_to_2_to_text_are_byte_identical)
{
	char canon[64];

	cr_expect(round_trip_fmt("tests/traces/all-ops.ddwb", TRACE_BIN, TRACE_BIN_V1,
				 "tests/traces/all-ops.ddwb"));
	cr_expect(round_trip_fmt("tests/traces/flags.ddwb", TRACE_BIN, TRACE_BIN_V1,
				 "tests/traces/flags.ddwb"));
	cr_expect(round_trip_fmt("tests/traces/all-ops.ddwt", TRACE_BIN, TRACE_TEXT,
				 "tests/traces/all-ops.ddwt"));
	cr_expect(round_trip_fmt("tests/traces/edges.ddwt", TRACE_BIN, TRACE_TEXT,
				 "tests/traces/edges.ddwt"));
	/* device ops: that file has comments, so against its canonical text */
	tmp_name(canon, sizeof(canon), ".ddwt");
	cr_assert(eq(int, trace_convert("tests/traces/device-max-seg.ddwt", canon), 0));
	cr_expect(round_trip_fmt("tests/traces/device-max-seg.ddwt", TRACE_BIN, TRACE_TEXT, canon));
	unlink(canon);
	cr_expect(round_trip_fmt("tests/traces/loose.canonical.ddwt", TRACE_BIN, TRACE_TEXT,
				 "tests/traces/loose.canonical.ddwt"));
}

/* flags.ddwt holds every combination of wait and aux on dma and dmab. */
Test(trace, wait_and_aux_survive_text_bin_text_and_bin_text_bin)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwb");
	cr_assert(eq(int, trace_convert_fmt("tests/traces/flags.ddwt", out, TRACE_BIN_V1), 0));
	cr_expect(same_file(out, "tests/traces/flags.ddwb"), "differs from make_samples.py's");
	unlink(out);
	cr_expect(round_trip("tests/traces/flags.ddwt", ".ddwb", ".ddwt", "tests/traces/flags.ddwt"));
	cr_expect(round_trip("tests/traces/flags.ddwt", ".ddwt", ".ddwt", "tests/traces/flags.ddwt"));
	cr_expect(round_trip_fmt("tests/traces/flags.ddwb", TRACE_TEXT, TRACE_BIN_V1,
				 "tests/traces/flags.ddwb"));
}

/* Canonical text writes wait before aux, whatever order it was read in. */
Test(trace, text_writer_puts_wait_before_aux)
{
	static const char loose[] = "# ddwt 1\nmap 0 0x1 0x10000 4096 bidi\n"
				    "dma 0 0x1 0 64 r aux wait\nunmap 0 0x1\n";
	static const char canonical[] = "# ddwt 1\nmap 0 0x1 0x10000 4096 bidi\n"
					"dma 0 0x1 0 64 r wait aux\nunmap 0 0x1\n";
	char in[64], out[64];
	unsigned char *data;
	size_t n;

	tmp_name(in, sizeof(in), ".ddwt");
	tmp_name(out, sizeof(out), ".ddwt");
	put_file(in, loose, sizeof(loose) - 1);
	cr_assert(eq(int, trace_convert(in, out), 0));
	data = slurp(out, &n);
	cr_expect(eq(str, (char *)data, (char *)canonical));
	free(data);
	unlink(in);
	unlink(out);
}

Test(trace, text_to_text_makes_loose_text_canonical)
{
	cr_expect(round_trip("tests/traces/loose.ddwt", ".ddwt", ".ddwt",
			     "tests/traces/loose.canonical.ddwt"));
	cr_expect(round_trip("tests/traces/loose.ddwt", ".ddwb", ".ddwt",
			     "tests/traces/loose.canonical.ddwt"));
}

/* ---- the writer ---- */

Test(trace, writer_leaves_out_fields_the_kind_does_not_use)
{
	/* cpu, win, levels, rec_bus and sg mean nothing to a dma: neither format keeps them */
	struct dma_op op = { .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .cpu = 7, .dev = 2,
			     .win = 1, .handle = 5, .addr = 8, .len = 64, .levels = 3,
			     .rec_bus = 0x1234, .time_ps = NT };
	static const char want_text[] = "# ddwt 1\ndma 2 0x5 8 64 r\n";
	static const struct dma_op want = { .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .dev = 2,
					    .handle = 5, .addr = 8, .len = 64, .rec_bus = NB,
					    .time_ps = NT };
	struct trace_writer *w;
	char t[64], b[64];
	unsigned char *data;
	size_t n;

	tmp_name(t, sizeof(t), ".ddwt");
	tmp_name(b, sizeof(b), ".ddwb");
	cr_assert(eq(int, trace_writer_open(&w, t, TRACE_TEXT), 0));
	cr_assert(eq(int, trace_write(w, &op), 0));
	cr_assert(eq(int, trace_writer_commit(w), 0));
	data = slurp(t, &n);
	cr_expect(eq(str, (char *)data, (char *)want_text));
	free(data);
	cr_assert(eq(int, trace_writer_open(&w, b, TRACE_BIN), 0));
	cr_assert(eq(int, trace_write(w, &op), 0));
	cr_assert(eq(int, trace_writer_commit(w), 0));
	expect_ops(b, &want, 1);
	unlink(t);
	unlink(b);
}

Test(trace, binary_writer_fills_in_the_record_count)
{
	struct trace_writer *w;
	unsigned char *data;
	char b[64];
	size_t n;

	tmp_name(b, sizeof(b), ".ddwb");
	cr_assert(eq(int, trace_writer_open(&w, b, TRACE_BIN_V1), 0));
	for (unsigned i = 0; i < NALL; i++)
		cr_assert(eq(int, trace_write(w, &all_ops[i]), 0));
	cr_assert(eq(int, trace_writer_commit(w), 0));
	data = slurp(b, &n);
	/* 11 ops + 3 sg elements = 14 records after the 64-byte header */
	cr_expect(eq(sz, n, 64 + 14 * 64));
	cr_expect(eq(u8, data[24], 14));
	for (unsigned i = 25; i < 32; i++)
		cr_expect(eq(u8, data[i], 0));
	free(data);
	unlink(b);
}

Test(trace, aborted_writer_leaves_no_file)
{
	struct trace_writer *w;
	char dir[] = "/tmp/ddwsim-trace-dir-XXXXXX", path[128];

	cr_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.ddwb", dir);
	cr_assert(eq(int, trace_writer_open(&w, path, TRACE_BIN), 0));
	cr_assert(eq(int, trace_write(w, &all_ops[0]), 0));
	trace_writer_abort(w);
	trace_writer_abort(NULL);
	cr_expect(eq(int, rmdir(dir), 0), "the directory is empty again");
}

Test(trace, writer_rejects_an_op_neither_format_can_hold, .init = cr_redirect_stderr)
{
	struct dma_op op = all_ops[0];
	struct trace_writer *w;
	char path[64], want[1024];

	tmp_name(path, sizeof(path), ".ddwt");
	cr_assert(eq(int, trace_writer_open(&w, path, TRACE_TEXT), 0));
	op.dir = (enum dma_dir)7;
	cr_expect(eq(int, trace_write(w, &op), -1));
	op = all_ops[6];	/* dmab */
	op.win = 2;
	cr_expect(eq(int, trace_write(w, &op), -1));
	op = all_ops[4];	/* map_sg */
	op.nsg = 0;
	cr_expect(eq(int, trace_write(w, &op), -1));
	op = all_ops[3];	/* wcreate */
	op.page_shift = 11;
	cr_expect(eq(int, trace_write(w, &op), -1));
	op = all_ops[4];	/* map_sg whose second element wraps */
	op.sg = (const struct sg_elem[]){ { 0x1000, 4096 }, { UINT64_MAX, 2 }, { 0, 1 } };
	cr_expect(eq(int, trace_write(w, &op), -1));
	op = all_ops[5];	/* dma with a flag neither format has */
	op.flags = OP_F_WAIT | 0x4;
	cr_expect(eq(int, trace_write(w, &op), -1));
	trace_writer_abort(w);
	unlink(path);
	snprintf(want, sizeof(want),
		 "ddwsim: cannot write trace '%s': bad dir 7 for a map (expected 0..2)\n"
		 "ddwsim: cannot write trace '%s': bad win 2 for a dmab (expected 0 or 1)\n"
		 "ddwsim: cannot write trace '%s': bad nsg 0 for a map_sg (expected 1..4096)\n"
		 "ddwsim: cannot write trace '%s': bad page_shift 11 for a wcreate (expected 12..63)\n"
		 "ddwsim: cannot write trace '%s': bad range for sg element 2 of a map_sg: addr + len wraps past 2^64 (0xffffffffffffffff + 2)\n"
		 "ddwsim: cannot write trace '%s': bad flags 0x5 for a dma (expected 0..0x3)\n",
		 path, path, path, path, path, path);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(trace, convert_of_a_bad_trace_creates_no_output, .init = cr_redirect_stderr)
{
	char dir[] = "/tmp/ddwsim-trace-dir-XXXXXX", path[128];

	cr_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.ddwt", dir);
	cr_expect(eq(int, trace_convert("tests/traces/bad-dir.ddwt", path), -1));
	cr_expect(eq(int, rmdir(dir), 0), "neither the output nor its temporary file exists");
	fflush(stderr);
	cr_assert_stderr_eq_str("tests/traces/bad-dir.ddwt:4: map: expected a direction "
				"(to, from, bidi), got 'sideways'\n");
}

/* ---- malformed text: exact message, and the reader stops there ---- */

struct bad_text {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	unsigned ok;		/* ops read before the bad line */
	const char *msg;	/* after "FILE:" */
};

#define H "# ddwt 1\n"

static const struct bad_text bad_texts[] = {
	{ "", 0, 0, "1: missing '# ddwt 1' header" },
	{ "\n  \n", 0, 0, "3: missing '# ddwt 1' header" },
	{ "map 0 0x1 0x1000 4096 to\n", 0, 0, "1: missing '# ddwt 1' header" },
	{ "\n\n# ddwt 2\n", 0, 0, "3: unsupported version '2', expected '# ddwt 1'" },
	{ "#ddwt 1\n", 0, 0, "1: missing '# ddwt 1' header" },
	{ H "wreset 0\nmop 0 1\nwreset 0\n", 0, 1, "3: unknown op 'mop'" },
	{ H "wreset 0\nwreset 0\nmap 0 0x1 0x1000 4096 sideways\nwreset 0\n", 0, 2,
	  "4: map: expected a direction (to, from, bidi), got 'sideways'" },
	{ H "map 0 0x1 0x1000\n", 0, 0,
	  "2: map: missing LEN (usage: map DEV H PHYS LEN DIR [cpu=N] [bus=ADDR])" },
	{ H "map_sg 0 0x1 to\n", 0, 0,
	  "2: map_sg: missing PHYS:LEN (usage: map_sg DEV H DIR PHYS:LEN[,PHYS:LEN]... [cpu=N] "
	  "[bus=ADDR])" },
	{ H "unmap 0 0x1 5\n", 0, 0, "2: unmap: too many fields, got '5' (usage: unmap DEV H [cpu=N])" },
	{ H "wreset 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n", 0, 0,
	  "2: wreset: too many fields, got '1' (usage: wreset DEV)" },
	{ H "dma 0 0x1 0 64 r cpu=1\n", 0, 0,
	  "2: dma: unknown field 'cpu=1' (usage: dma DEV H OFF LEN RW [wait] [aux])" },
	{ H "dma 0 0x1 0 64 r wait wait\n", 0, 0, "2: dma: duplicate field 'wait'" },
	{ H "dma 0 0x1 0 64 r aux wait aux\n", 0, 0, "2: dma: duplicate field 'aux'" },
	{ H "dma 0 0x1 0 64 wait\n", 0, 0, "2: dma: expected an access (r, w), got 'wait'" },
	{ H "dma 0 0x1 0 64 aux\n", 0, 0, "2: dma: expected an access (r, w), got 'aux'" },
	{ H "dmab 0 0 0x1000 64 r aux=1\n", 0, 0,
	  "2: dmab: unknown field 'aux=1' (usage: dmab DEV WIN BUS LEN RW [wait] [aux])" },
	{ H "dmab 0 0 0x1000 64 r AUX\n", 0, 0,
	  "2: dmab: too many fields, got 'AUX' (usage: dmab DEV WIN BUS LEN RW [wait] [aux])" },
	{ H "map 0 0x1 0 4096 to wait\n", 0, 0,
	  "2: map: too many fields, got 'wait' (usage: map DEV H PHYS LEN DIR [cpu=N] [bus=ADDR])" },
	{ H "unmap 0 0x1 aux\n", 0, 0,
	  "2: unmap: too many fields, got 'aux' (usage: unmap DEV H [cpu=N])" },
	{ H "dma 0 0x1 4K 64 r\n", 0, 0, "2: dma: expected a number for OFF, got '4K'" },
	{ H "map 0 0x1 0 4096 to foo=1\n", 0, 0,
	  "2: map: unknown field 'foo=1' (usage: map DEV H PHYS LEN DIR [cpu=N] [bus=ADDR])" },
	{ H "map 0 0x1 0 4096 to cpu=1 cpu=2\n", 0, 0, "2: map: duplicate field 'cpu=2'" },
	/* 2^64 in hex and in decimal */
	{ H "map 0 0x1 0x10000000000000000 4096 to\n", 0, 0,
	  "2: map: number out of range for PHYS, got '0x10000000000000000'" },
	{ H "map 0 0x1 18446744073709551616 4096 to\n", 0, 0,
	  "2: map: number out of range for PHYS, got '18446744073709551616'" },
	/* 2^34 G = 2^64 */
	{ H "map 0 0x1 0 17179869184G to\n", 0, 0,
	  "2: map: number out of range for LEN, got '17179869184G'" },
	{ H "wreset 4294967296\n", 0, 0, "2: wreset: expected DEV in 0..4294967295, got '4294967296'" },
	{ H "map 0 0x1 0x1000 4k2 to\n", 0, 0, "2: map: expected a number for LEN, got '4k2'" },
	{ H "map 0 0x1 4K 4096 to\n", 0, 0, "2: map: expected a number for PHYS, got '4K'" },
	{ H "map 0 0x1 0x1000 0x1K to\n", 0, 0,
	  "2: map: expected a number for LEN, got '0x1K': a hex number takes no size suffix" },
	{ H "map 0 0x1 -1 4096 to\n", 0, 0,
	  "2: map: expected a number for PHYS, got '-1': a number has no sign" },
	{ H "map 0 0x1 0x1000 064 to\n", 0, 0,
	  "2: map: expected a number for LEN, got '064': leading zeros are refused, never read as "
	  "octal: write the number without them" },
	{ H "map 0 0x1 0x1000 4096 to bus=+0x1\n", 0, 0,
	  "2: map: expected a number for bus, got '+0x1': a number has no sign" },
	{ H "map 0 0x1 0x1000 1KB to\n", 0, 0, "2: map: expected a number for LEN, got '1KB'" },
	{ H "map 0 0x1 0x1000 16E to\n", 0, 0, "2: map: number out of range for LEN, got '16E'" },
	{ H "map 0 0x 0 4096 to\n", 0, 0, "2: map: expected a number for H, got '0x'" },
	{ H "dma 0 0x1 0 0 r\n", 0, 0, "2: dma: expected LEN >= 1, got '0'" },
	{ H "map 0 0x1 0xfffffffffffff000 0x1001 to\n", 0, 0,
	  "2: map: PHYS + LEN wraps past 2^64 (0xfffffffffffff000 + 4097)" },
	{ H "dma 0 0x1 18446744073709551615 2 r\n", 0, 0,
	  "2: dma: OFF + LEN wraps past 2^64 (18446744073709551615 + 2)" },
	{ H "dmab 0 1 0xffffffffffffffff 2 r\n", 0, 0,
	  "2: dmab: BUS + LEN wraps past 2^64 (0xffffffffffffffff + 2)" },
	/* an end of exactly 2^64 wraps to 0 as well ("len - 1 > 2^64 - 1 - addr" let it through) */
	{ H "map 0 0x1 0xfffffffffffff000 4096 to\n", 0, 0,
	  "2: map: PHYS + LEN wraps past 2^64 (0xfffffffffffff000 + 4096)" },
	{ H "dma 0 0x1 18446744073709551615 1 r\n", 0, 0,
	  "2: dma: OFF + LEN wraps past 2^64 (18446744073709551615 + 1)" },
	{ H "dmab 0 1 0x0 18446744073709551615 r\ndmab 0 1 0x1 18446744073709551615 r\n", 0, 1,
	  "3: dmab: BUS + LEN wraps past 2^64 (0x1 + 18446744073709551615)" },
	{ H "map_sg 0 0x1 to 0x0:9223372036854775808,0x0:9223372036854775807\n"
	    "map_sg 0 0x2 to 0x0:9223372036854775808,0x0:9223372036854775808\n", 0, 1,
	  "3: map_sg: the LENs of elements 1..2 add up past 2^64 (9223372036854775808 + 9223372036854775808)" },
	{ H "dma 0 0x1 0 64 x\n", 0, 0, "2: dma: expected an access (r, w), got 'x'" },
	{ H "dmab 0 2 0x1000 64 r\n", 0, 0, "2: dmab: expected WIN in 0..1, got '2'" },
	{ H "wcreate 0 65536 1G 6\n", 0, 0, "2: wcreate: expected LEVELS in 1..5, got '6'" },
	{ H "wcreate 0 65536 1G 0\n", 0, 0, "2: wcreate: expected LEVELS in 1..5, got '0'" },
	{ H "wcreate 0 65535 1G 1\n", 0, 0,
	  "2: wcreate: expected PAGE_SIZE a power of two, got '65535'" },
	{ H "wcreate 0 2K 1G 1\n", 0, 0, "2: wcreate: expected PAGE_SIZE >= 4096, got '2K'" },
	{ H "map_sg 0 0x1 to 0x1000:4096,0x2000\n", 0, 0,
	  "2: map_sg: expected PHYS:LEN for element 2, got '0x2000'" },
	{ H "map_sg 0 0x1 to 0x1000:4096,\n", 0, 0,
	  "2: map_sg: expected PHYS:LEN for element 2, got ''" },
	{ H "map_sg 0 0x1 to 0x1000:0\n", 0, 0, "2: map_sg: expected LEN of element 1 >= 1, got '0'" },
	{ H "map_sg 0 0x1 to zz:4096\n", 0, 0,
	  "2: map_sg: expected a number for PHYS of element 1, got 'zz'" },
	{ H "map_sg 0 0x1 to 0xfffffffffffff000:0x1001\n", 0, 0,
	  "2: map_sg: element 1 wraps past 2^64 (PHYS + LEN = 0xfffffffffffff000 + 4097)" },
	{ H "map_sg 0 0x1 to 0x1000:1,0xfffffffffffff000:0x1000\n", 0, 0,
	  "2: map_sg: element 2 wraps past 2^64 (PHYS + LEN = 0xfffffffffffff000 + 4096)" },
	{ H "map 0 0x1 0 4096 to bus=0xffffffffffffffff\n", 0, 0,
	  "2: map: expected bus in 0x0..0xfffffffffffffffe, got '0xffffffffffffffff'" },
	{ H "unmap 0 0x1 cpu=4294967296\n", 0, 0,
	  "2: unmap: expected cpu in 0..4294967295, got '4294967296'" },
	{ H "unmap 0 0x1 cpu=\n", 0, 0, "2: unmap: expected a number for cpu, got ''" },
	{ H "@abc wreset 0\n", 0, 0, "2: expected a number for @T, got 'abc'" },
	{ H "@18446744073709551615 wreset 0\n", 0, 0,
	  "2: expected @T in 0..18446744073709551614, got '18446744073709551615'" },
	{ H "@5 # only a time\n", 0, 0, "2: missing op after time stamp '@5'" },
	{ H "wreset 0\nwreset\0 0\n", 9 + 9 + 10, 1, "3: line contains a NUL byte" },
};

/*
 * Criterion copies parameters into the worker process, where pointers into the
 * parent's data are not valid: the parameters are indices into the table.
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

ParameterizedTestParameters(trace_text, malformed_lines)
{
	size_t n = sizeof(bad_texts) / sizeof(bad_texts[0]);

	return cr_make_param_array(unsigned, indices(n), n, free_indices);
}

ParameterizedTest(unsigned *ix, trace_text, malformed_lines, .init = cr_redirect_stderr)
{
	const struct bad_text *b = &bad_texts[*ix];
	char path[64], want[1024];
	unsigned ops;

	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, b->text, b->len ? b->len : strlen(b->text));
	cr_expect(eq(int, count_ops(path, &ops), -1));
	cr_expect(eq(uint, ops, b->ok));
	unlink(path);
	snprintf(want, sizeof(want), "%s:%s\n", path, b->msg);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(trace_text, more_than_4096_sg_elements_is_an_error, .init = cr_redirect_stderr)
{
	size_t cap = 4097 * 16 + 64, n;
	char *text = malloc(cap), path[64], want[128];
	unsigned ops;

	cr_assert(text != NULL);
	n = (size_t)snprintf(text, cap, "# ddwt 1\nmap_sg 0 0x1 to ");
	for (unsigned i = 0; i < 4097; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s0x%x:4K", i ? "," : "", i << 12);
	text[n++] = '\n';
	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, n);
	cr_expect(eq(int, count_ops(path, &ops), -1));
	unlink(path);
	free(text);
	snprintf(want, sizeof(want), "%s:2: map_sg: too many sg elements (at most 4096)\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

/*
 * A line over 256 KiB, starting just before the first 1 MiB block ends: the
 * header (9 bytes) and 111111 "wreset 0\n" lines (999999 bytes) come first,
 * so the long line is line 1 + 111111 + 1 = 111113 and starts at byte 1000008.
 */
Test(trace_text, a_line_over_256k_across_a_block_boundary_is_an_error, .init = cr_redirect_stderr)
{
	size_t n = 9 + 111111 * 9 + 300000 + 1;
	char *text = malloc(n), path[64], want[128];
	unsigned ops;

	cr_assert(text != NULL);
	memcpy(text, "# ddwt 1\n", 9);
	for (size_t i = 0; i < 111111; i++)
		memcpy(text + 9 + i * 9, "wreset 0\n", 9);
	memset(text + 9 + 111111 * 9, 'x', 300000);
	text[n - 1] = '\n';
	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, n);
	cr_expect(eq(int, count_ops(path, &ops), -1));
	cr_expect(eq(uint, ops, 111111));
	unlink(path);
	free(text);
	snprintf(want, sizeof(want), "%s:111113: line longer than 262144 bytes\n", path);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(trace_text, bad_sample_file_stops_at_its_fourth_line, .init = cr_redirect_stderr)
{
	unsigned ops;

	cr_expect(eq(int, count_ops("tests/traces/bad-dir.ddwt", &ops), -1));
	cr_expect(eq(uint, ops, 2));
	cr_expect(eq(int, count_ops("tests/traces/no-header.ddwt", &ops), -1));
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"tests/traces/bad-dir.ddwt:4: map: expected a direction (to, from, bidi), got 'sideways'\n"
		"tests/traces/no-header.ddwt:1: missing '# ddwt 1' header\n");
}

/* ---- malformed binary ---- */

Test(trace_bin, a_record_cut_short_is_reported_with_its_index, .init = cr_redirect_stderr)
{
	unsigned ops;

	/* records 0..2 (map, dma, unmap) are whole, record 3 has 20 of its 64 bytes */
	cr_expect(eq(int, count_ops("tests/traces/truncated-record.ddwb", &ops), -1));
	cr_expect(eq(uint, ops, 3));
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"tests/traces/truncated-record.ddwb: record 3: truncated: only 20 of its 64 bytes\n");
}

Test(trace_bin, an_sg_list_cut_short_is_reported_with_its_index, .init = cr_redirect_stderr)
{
	unsigned ops;

	/* ops at records 0..3 are whole; the map_sg at 4 has 3 elements, only record 5 exists */
	cr_expect(eq(int, count_ops("tests/traces/truncated-sg.ddwb", &ops), -1));
	cr_expect(eq(uint, ops, 4));
	fflush(stderr);
	cr_assert_stderr_eq_str("tests/traces/truncated-sg.ddwb: record 6: truncated: the map_sg at "
				"record 4 has 3 sg elements, the file ends after 1\n");
}

/* A patch to all-ops.ddwb: size to cut it to (0 = keep), bytes to set, extra bytes to add. */
struct bin_patch {
	size_t size;
	struct { size_t at; unsigned char v; } set[8];
	unsigned nset;
	size_t append;
	bool header;		/* the header is bad: trace_open fails */
	unsigned ok;		/* ops read before the error */
	const char *msg;	/* after "FILE: " */
};

#define REC(n)	(64 + 64 * (n))		/* offset of record n */

static const struct bin_patch bin_patches[] = {
	/* a cut on a record boundary, the header still counting 14 */
	{ .size = REC(3), .ok = 3, .msg = "record 3: truncated: the header counts 14 records" },
	/* header count 6: the sg list of the map_sg at record 4 needs records 5..7 */
	{ .set = { { 24, 6 } }, .nset = 1, .ok = 4,
	  .msg = "record 6: truncated: the map_sg at record 4 has 3 sg elements, the header counts "
		 "only 6 records" },
	{ .append = 64, .ok = 11,
	  .msg = "record 14: unexpected data after the 14 records the header counts" },
	{ .size = 20, .header = true, .msg = "truncated header: only 20 of its 64 bytes" },
	{ .set = { { 8, 3 } }, .nset = 1, .header = true, .msg = "unsupported version 3, expected 1 or 2" },
	{ .set = { { 16, 48 } }, .nset = 1, .header = true,
	  .msg = "bad header: header size 64 and record size 48, expected 64 and 64" },
	{ .set = { { 40, 1 } }, .nset = 1, .header = true,
	  .msg = "bad header: reserved bytes are not 0" },
	{ .set = { { REC(1), 0x20 } }, .nset = 1, .ok = 1, .msg = "record 1: bad kind 32" },
	{ .set = { { REC(1), 0 } }, .nset = 1, .ok = 1, .msg = "record 1: bad kind 0" },
	{ .set = { { REC(0), 9 } }, .nset = 1,
	  .msg = "record 0: bad kind 9: an sg element outside a map_sg" },
	{ .set = { { REC(6), 3 } }, .nset = 1, .ok = 4,
	  .msg = "record 6: bad kind 3 inside the sg list of the map_sg at record 4 (expected 9, an "
		 "sg element)" },
	{ .set = { { REC(1) + 1, 0 } }, .nset = 1, .ok = 1,
	  .msg = "record 1: bad dir 0 for a dma (expected 1 or 2)" },
	{ .set = { { REC(0) + 1, 3 } }, .nset = 1,
	  .msg = "record 0: bad dir 3 for a map (expected 0..2)" },
	{ .set = { { REC(9) + 2, 2 } }, .nset = 1, .ok = 6,
	  .msg = "record 9: bad win 2 for a dmab (expected 0 or 1)" },
	{ .set = { { REC(3) + 3, 6 } }, .nset = 1, .ok = 3,
	  .msg = "record 3: bad levels 6 for a wcreate (expected 1..5)" },
	{ .set = { { REC(3) + 4, 64 } }, .nset = 1, .ok = 3,
	  .msg = "record 3: bad page_shift 64 for a wcreate (expected 12..63)" },
	/* flags: bits 0 (wait) and 1 (aux) are known, any other is bad */
	{ .set = { { REC(1) + 5, 4 } }, .nset = 1, .ok = 1,
	  .msg = "record 1: bad flags 0x4 for a dma (expected 0..0x3)" },
	{ .set = { { REC(9) + 5, 0x83 } }, .nset = 1, .ok = 6,
	  .msg = "record 9: bad flags 0x83 for a dmab (expected 0..0x3)" },
	{ .set = { { REC(0) + 5, 1 } }, .nset = 1,
	  .msg = "record 0: bad flags 0x1: a map record has no flags (expected 0)" },
	{ .set = { { REC(1) + 8, 3 } }, .nset = 1, .ok = 1,
	  .msg = "record 1: bad cpu 0x3: a dma record has no cpu (expected 0)" },
	{ .set = { { REC(2) + 48, 0 } }, .nset = 1, .ok = 2,
	  .msg = "record 2: bad rec_bus 0xffffffffffffff00: an unmap record has no rec_bus "
		 "(expected all ones)" },
	{ .set = { { REC(5) + 12, 1 } }, .nset = 1, .ok = 4,
	  .msg = "record 5: bad dev 0x1: an sg element record has no dev (expected 0)" },
	{ .set = { { REC(1) + 6, 1 } }, .nset = 1, .ok = 1,
	  .msg = "record 1: bad dma record: reserved bytes are not 0" },
	/* nsg 0, then nsg 4097 (0x1001) */
	{ .set = { { REC(4) + 16, 0 } }, .nset = 1, .ok = 4,
	  .msg = "record 4: bad nsg 0 for a map_sg (expected 1..4096)" },
	{ .set = { { REC(4) + 16, 1 }, { REC(4) + 17, 0x10 } }, .nset = 2, .ok = 4,
	  .msg = "record 4: bad nsg 4097 for a map_sg (expected 1..4096)" },
	/* a dma of length 0; an sg element of length 0 */
	{ .set = { { REC(1) + 40, 0 }, { REC(1) + 41, 0 } }, .nset = 2, .ok = 1,
	  .msg = "record 1: bad len 0 for a dma (expected at least 1)" },
	{ .set = { { REC(5) + 41, 0 } }, .nset = 1, .ok = 4,
	  .msg = "record 5: bad sg element: len is 0" },
	/* the map at record 10 (4096 bytes) moved to phys 0xffffffffffffff00: wraps */
	{ .set = { { REC(10) + 33, 0xff }, { REC(10) + 34, 0xff }, { REC(10) + 35, 0xff },
		   { REC(10) + 36, 0xff }, { REC(10) + 37, 0xff }, { REC(10) + 38, 0xff },
		   { REC(10) + 39, 0xff } }, .nset = 7, .ok = 7,
	  .msg = "record 10: bad range for a map: addr + len wraps past 2^64 (0xffffffffffffff00 + 4096)" },
};

ParameterizedTestParameters(trace_bin, malformed_records)
{
	size_t n = sizeof(bin_patches) / sizeof(bin_patches[0]);

	return cr_make_param_array(unsigned, indices(n), n, free_indices);
}

ParameterizedTest(unsigned *ix, trace_bin, malformed_records, .init = cr_redirect_stderr)
{
	const struct bin_patch *p = &bin_patches[*ix];
	char path[64], want[1024];
	unsigned char *data;
	unsigned ops;
	size_t n;

	data = slurp("tests/traces/all-ops.ddwb", &n);
	data = realloc(data, n + p->append);
	cr_assert(data != NULL);
	memset(data + n, 0, p->append);
	n += p->append;
	if (p->size)
		n = p->size;
	for (unsigned i = 0; i < p->nset; i++)
		data[p->set[i].at] = p->set[i].v;
	tmp_name(path, sizeof(path), ".ddwb");
	put_file(path, data, n);
	free(data);
	cr_expect(eq(int, count_ops(path, &ops), p->header ? -2 : -1));
	cr_expect(eq(uint, ops, p->ok));
	unlink(path);
	snprintf(want, sizeof(want), "%s: %s\n", path, p->msg);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(trace_bin, unknown_record_count_reads_to_the_end)
{
	char path[64];
	unsigned char *data;
	size_t n;

	data = slurp("tests/traces/all-ops.ddwb", &n);
	memset(data + 24, 0xff, 8);
	tmp_name(path, sizeof(path), ".ddwb");
	put_file(path, data, n);
	free(data);
	expect_ops(path, all_ops, NALL);
	unlink(path);
}

/* ---- info ---- */

/*
 * all-ops: ops map 2, map_sg 1, dma 2, dmab 1, unmap 2, wcreate/wremove/wreset 1 each (11);
 * devices 0 and 1; sg elements 3; map bytes 2048 + 4096 + (4096 + 8192 + 65536) = 83968;
 * dma bytes 1500 + 512 + 512 = 2524; phys from 0x10000 (first sg element) to 0x7fffffff (last
 * byte of the third); bus from 0x1000 (map bus=, 2048 bytes) to 0x800000000000fff (map_sg bus=
 * 2^59 with its first element's 4096 bytes; the dmab reaches only 2^59 + 511); time stamps
 * 1500000, 2000000, 2500000, 9000000.
 */
/* bytes_per_op: all-ops.ddwt is 400 bytes, 400 / 11 = 36.36; all-ops.ddwb (version 1) is
 * 64 + 14 records * 64 = 960 bytes, 960 / 11 = 87.27 */
static const char info_text[] =
	"trace         tests/traces/all-ops.ddwt\n"
	"format        text\n"
	"version       1\n"
	"bytes_per_op  36.36\n"
	"ops           11\n"
	"  map         2\n"
	"  map_sg      1\n"
	"  dma         2\n"
	"  dmab        1\n"
	"  unmap       2\n"
	"  window      3\n"
	"    wcreate   1\n"
	"    wremove   1\n"
	"    wreset    1\n"
	"  device      0\n"
	"devices       2\n"
	"sg_elements   3\n"
	"map_bytes     83968\n"
	"dma_bytes     2524\n"
	"phys          0x10000..0x7fffffff\n"
	"bus           0x1000..0x800000000000fff\n"
	"time_ps       1500000..9000000 (4 of 11 ops stamped)\n";

/* 0x7fffffff = 2147483647; 0x800000000000fff = 576460752303423488 + 4095 */
static const char info_json[] =
	"{\n"
	"  \"trace\": \"tests/traces/all-ops.ddwb\",\n"
	"  \"format\": \"bin\",\n"
	"  \"version\": 1,\n"
	"  \"bytes_per_op\": 87.27,\n"
	"  \"ops\": {\"total\": 11, \"map\": 2, \"map_sg\": 1, \"dma\": 2, \"dmab\": 1, "
	"\"unmap\": 2, \"window\": 3, \"wcreate\": 1, \"wremove\": 1, \"wreset\": 1, \"device\": 0},\n"
	"  \"devices\": 2,\n"
	"  \"sg_elements\": 3,\n"
	"  \"map_bytes\": 83968,\n"
	"  \"dma_bytes\": 2524,\n"
	"  \"phys\": {\"min\": 65536, \"max\": 2147483647},\n"
	"  \"bus\": {\"min\": 4096, \"max\": 576460752303427583},\n"
	"  \"time_ps\": {\"min\": 1500000, \"max\": 9000000, \"stamped\": 4}\n"
	"}\n";

static char *info_of(const char *path, bool json, int *rc)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);

	cr_assert(out != NULL);
	*rc = trace_info(path, json, out);
	fclose(out);
	return buf;
}

Test(trace_info, text_report_of_the_sample_has_exact_counts)
{
	int rc;
	char *s = info_of("tests/traces/all-ops.ddwt", false, &rc);

	cr_expect(eq(int, rc, 0));
	cr_expect(eq(str, s, (char *)info_text));
	free(s);
}

Test(trace_info, json_report_of_the_binary_sample_has_exact_counts)
{
	int rc;
	char *s = info_of("tests/traces/all-ops.ddwb", true, &rc);

	cr_expect(eq(int, rc, 0));
	cr_expect(eq(str, s, (char *)info_json));
	free(s);
}

Test(trace_info, a_trace_without_stamps_or_bus_addresses_says_none)
{
	static const char text[] = "# ddwt 1\nwreset 7\n";
	static const char want[] =
		"{\n"
		"  \"trace\": \"%s\",\n"
		"  \"format\": \"text\",\n"
		"  \"version\": 1,\n"
		"  \"bytes_per_op\": 18.00,\n"	/* the 18 bytes of text, 1 op */
		"  \"ops\": {\"total\": 1, \"map\": 0, \"map_sg\": 0, \"dma\": 0, \"dmab\": 0, "
		"\"unmap\": 0, \"window\": 1, \"wcreate\": 0, \"wremove\": 0, \"wreset\": 1, \"device\": 0},\n"
		"  \"devices\": 1,\n"
		"  \"sg_elements\": 0,\n"
		"  \"map_bytes\": 0,\n"
		"  \"dma_bytes\": 0,\n"
		"  \"phys\": null,\n"
		"  \"bus\": null,\n"
		"  \"time_ps\": null\n"
		"}\n";
	char path[64], exp[1024], *s;
	int rc;

	tmp_name(path, sizeof(path), ".ddwt");
	put_file(path, text, sizeof(text) - 1);
	s = info_of(path, true, &rc);
	unlink(path);
	snprintf(exp, sizeof(exp), want, path);
	cr_expect(eq(int, rc, 0));
	cr_expect(eq(str, s, exp));
	free(s);
}

Test(trace_info, a_bad_trace_prints_no_report, .init = cr_redirect_stderr)
{
	int rc;
	char *s = info_of("tests/traces/bad-dir.ddwt", true, &rc);

	cr_expect(eq(int, rc, -1));
	cr_expect(eq(str, s, ""));
	free(s);
}

/* ---- a million ops: block boundaries, flat memory ---- */

#define MILLION	1000000u

/*
 * Op i of the big trace. Every kind appears (i % 8), map_sg lists have
 * 1 + i % 13 elements so they straddle the 16384-record blocks at every
 * possible offset, and fields are spread over their ranges.
 */
static void big_op(uint64_t i, struct dma_op *op, struct sg_elem *sg)
{
	static const unsigned flag_sets[4] = { 0, OP_F_WAIT, OP_F_AUX, OP_F_WAIT | OP_F_AUX };
	uint64_t h = i * 0x9e3779b97f4a7c15ull;

	*op = (struct dma_op){ .kind = (enum op_kind)(i % 8), .dev = (unsigned)(i % 7),
			       .rec_bus = NB, .time_ps = i % 3 ? i * 1000 : NT };
	switch (op->kind) {
	case OP_MAP:
		op->rec_bus = i % 2 ? h >> 4 : NB;
		op->cpu = (unsigned)(i % 5);
		op->dir = (enum dma_dir)(i % 3);
		op->handle = h;
		op->addr = i << 12;
		op->len = 1 + i % 65536;
		break;
	case OP_MAP_SG:
		op->cpu = (unsigned)(i % 5);
		op->dir = (enum dma_dir)(i % 3);
		op->handle = h;
		op->nsg = 1 + (unsigned)(i % 13);
		for (unsigned e = 0; e < op->nsg; e++)
			sg[e] = (struct sg_elem){ .phys = (i << 16) + ((uint64_t)e << 12), .len = 4096 - e };
		op->sg = sg;
		break;
	case OP_DMA:
	case OP_DMA_BUS:
		op->dir = i % 2 ? DMA_DIR_TO_DEVICE : DMA_DIR_FROM_DEVICE;
		op->win = op->kind == OP_DMA_BUS ? (unsigned)(i / 8 % 2) : 0;
		op->handle = op->kind == OP_DMA ? h : 0;
		op->addr = op->kind == OP_DMA ? i % 4096 : DDW + (i << 12);
		op->len = 1 + i % 1500;
		op->flags = flag_sets[i / 8 % 4];
		break;
	case OP_UNMAP:
		op->cpu = (unsigned)(i % 5);
		op->handle = h;
		break;
	case OP_WIN_CREATE:
		op->page_shift = 12 + (unsigned)(i % 52);
		op->len = 1ull << (20 + i % 40);
		op->levels = 1 + (unsigned)(i % 5);
		break;
	case OP_WIN_REMOVE:
		op->addr = DDW;
		break;
	default:
		break;
	}
}

/* The file header's little-endian count (bytes 24..31). */
static uint64_t header_count(const unsigned char *data)
{
	uint64_t count = 0;

	for (int b = 7; b >= 0; b--)
		count = count << 8 | data[24 + b];
	return count;
}

static void million_ops_read_back(const char *ext, enum trace_fmt fmt)
{
	static struct sg_elem sg[16];
	struct trace_writer *w;
	struct op_source src;
	struct dma_op op, want;
	uint64_t records = 0, i = 0;
	char path[64];
	int rc;

	tmp_name(path, sizeof(path), ext);
	cr_assert(eq(int, trace_writer_open(&w, path, fmt), 0));
	for (uint64_t k = 0; k < MILLION; k++) {
		big_op(k, &op, sg);
		records += 1 + (op.kind == OP_MAP_SG ? op.nsg : 0);
		cr_assert(eq(int, trace_write(w, &op), 0));
	}
	cr_assert(eq(int, trace_writer_commit(w), 0));
	cr_assert(eq(int, trace_open(&src, path), 0));
	while ((rc = op_source_next(&src, &op)) > 0) {
		big_op(i, &want, sg);
		if (!same_op(&op, &want)) {
			expect_op(&op, &want, (unsigned)i);	/* names the field */
			cr_fatal("op %" PRIu64 " differs", i);
		}
		i++;
	}
	op_source_close(&src);
	cr_expect(eq(int, rc, 0));
	cr_expect(eq(u64, i, MILLION));
	if (fmt != TRACE_TEXT) {
		size_t n;
		unsigned char *data = slurp(path, &n);

		/* version 1 counts records (sg elements too), 64 bytes each; version 2 counts ops */
		cr_expect(eq(u64, header_count(data), fmt == TRACE_BIN_V1 ? records : MILLION));
		if (fmt == TRACE_BIN_V1)
			cr_expect(eq(sz, n, 64 + 64 * records));
		free(data);
	}
	unlink(path);
}

Test(trace_bin, a_million_ops_read_back_across_block_boundaries, .timeout = 300)
{
	million_ops_read_back(".ddwb", TRACE_BIN);
}

Test(trace_bin, a_million_ops_read_back_across_records_in_version_1, .timeout = 300)
{
	million_ops_read_back(".ddwb", TRACE_BIN_V1);
}

Test(trace_text, a_million_ops_read_back_across_block_boundaries, .timeout = 300)
{
	million_ops_read_back(".ddwt", TRACE_TEXT);
}

/* ---- version 2 and the batch API ---- */

/*
 * Three 4-byte reads of handle 1 at offsets 0x1000, 0x1008, 0xff8, no time
 * stamps, coded by hand from the layout at the top of src/trace_bin2.c (every
 * register starts the block at 0):
 *   op 0: tag 0x13 (dma 3 | context 0x10); context 0x61 = dir 0x01 | handle
 *         0x20 | len 0x40 (dev 0 and flags 0 repeat the registers); dir 01;
 *         handle +1 -> zigzag 2: 02; len 4: 04; offset +0x1000 -> zigzag
 *         0x2000 = 8192 -> varint 80 40                             7 bytes
 *   op 1: tag 03; offset +8 -> zigzag 16: 10                        2 bytes
 *   op 2: tag 03; offset -16 -> zigzag 31: 1f                       2 bytes
 * 11 payload bytes; the file: 64 (header) + 16 (block header) + 11 + 16 (end
 * block) = 107 bytes, 35.7 bytes/op, of which the ops' own 11 / 3 = 3.7.
 */
static const struct dma_op three_reads[] = {
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = 1, .addr = 0x1000, .len = 4,
	  .rec_bus = NB, .time_ps = NT },
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = 1, .addr = 0x1008, .len = 4,
	  .rec_bus = NB, .time_ps = NT },
	{ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = 1, .addr = 0xff8, .len = 4,
	  .rec_bus = NB, .time_ps = NT },
};

Test(trace_bin2, three_reads_take_the_bytes_worked_out_by_hand)
{
	static const unsigned char payload[] = { 0x13, 0x61, 0x01, 0x02, 0x04, 0x80, 0x40,
						 0x03, 0x10, 0x03, 0x1f };
	struct trace_writer *w;
	unsigned char *d;
	char b[64];
	size_t n;

	tmp_name(b, sizeof(b), ".ddwb");
	cr_assert(eq(int, trace_writer_open(&w, b, TRACE_BIN), 0));
	for (unsigned i = 0; i < 3; i++)
		cr_assert(eq(int, trace_write(w, &three_reads[i]), 0));
	cr_assert(eq(int, trace_writer_commit(w), 0));
	d = slurp(b, &n);
	cr_expect(eq(sz, n, 107));
	cr_expect(eq(u8, d[8], 2), "version 2");
	cr_expect(eq(u8, d[18], 0x10), "block size 2^20: byte 18 is 0x10");
	cr_expect(eq(u64, header_count(d), 3));
	cr_expect(eq(u8, d[64], 11), "payload bytes");
	cr_expect(eq(u8, d[68], 3), "ops");
	cr_expect(eq(u8, d[70], 0), "sg elements");
	cr_expect(eq(int, memcmp(d + 80, payload, sizeof(payload)), 0), "the payload coded by hand");
	for (unsigned i = 91; i < 99; i++)
		cr_expect(eq(u8, d[i], 0), "end block header byte %u", i);
	free(d);
	expect_ops(b, three_reads, 3);
	unlink(b);
}

/* all-ops.ddwb holds 11 ops: one batch of 11 (v1 and v2), then 0, and 0 again. */
static void batch_of_all_ops(const char *path)
{
	const struct dma_op *ops;
	struct op_source src;

	cr_assert(eq(int, trace_open(&src, path), 0));
	cr_assert(eq(long, op_source_next_batch(&src, &ops), NALL));
	for (unsigned i = 0; i < NALL; i++)
		expect_op(&ops[i], &all_ops[i], i);
	cr_expect(eq(long, op_source_next_batch(&src, &ops), 0));
	cr_expect(eq(long, op_source_next_batch(&src, &ops), 0), "the end stays the end");
	op_source_close(&src);
}

Test(trace_bin2, next_batch_gives_every_op_of_both_versions_then_the_end)
{
	char b[64];

	batch_of_all_ops("tests/traces/all-ops.ddwb");
	tmp_name(b, sizeof(b), ".ddwb");
	cr_assert(eq(int, trace_convert("tests/traces/all-ops.ddwb", b), 0));
	batch_of_all_ops(b);
	unlink(b);
}

/* A text source has no next_batch: batches of one op, from the source's own buffer. */
Test(trace_bin2, a_source_without_batches_gives_batches_of_one)
{
	const struct dma_op *ops;
	struct op_source src;

	cr_assert(eq(int, trace_open(&src, "tests/traces/all-ops.ddwt"), 0));
	cr_assert(src.ops->next_batch == NULL);
	for (unsigned i = 0; i < NALL; i++) {
		cr_assert(eq(long, op_source_next_batch(&src, &ops), 1));
		cr_expect(ops == &src.one);
		expect_op(ops, &all_ops[i], i);
	}
	cr_expect(eq(long, op_source_next_batch(&src, &ops), 0));
	op_source_close(&src);
}

/*
 * bin2-delta-wraps.ddwb: a map, a good dma, then (op 2) a dma whose range
 * wraps: the batch holds ops 0 and 1; the next call reports op 2 and returns
 * -1, where() names op 2, and -1 stays.
 */
Test(trace_bin2, an_error_comes_after_the_ops_before_it_with_its_position,
     .init = cr_redirect_stderr)
{
	static const char path[] = "tests/bad_traces/bin2-delta-wraps.ddwb";
	const struct dma_op *ops;
	struct op_source src;
	char where[256];

	cr_assert(eq(int, trace_open(&src, path), 0));
	cr_assert(eq(long, op_source_next_batch(&src, &ops), 2));
	cr_expect(eq(int, ops[0].kind, OP_MAP));
	cr_expect(eq(u64, ops[1].addr, 0x100));
	cr_expect(eq(long, op_source_next_batch(&src, &ops), -1));
	src.ops->where(src.state, where, sizeof(where));
	cr_expect(eq(str, where, "tests/bad_traces/bin2-delta-wraps.ddwb: op 2"));
	cr_expect(eq(long, op_source_next_batch(&src, &ops), -1));
	op_source_close(&src);
	fflush(stderr);
	cr_assert_stderr_eq_str("tests/bad_traces/bin2-delta-wraps.ddwb: op 2: bad range for a dma: "
				"addr + len wraps past 2^64 (0xfffffffffffffff8 + 16)\n");
}

static uint64_t ticks[4];
static unsigned nticks;

static void count_tick(void *arg, uint64_t nops)
{
	(void)arg;
	if (nticks < 4)
		ticks[nticks] = nops;
	nticks++;
}

/* Reads path by batches with a tick; the ops read. */
static uint64_t read_ticking(const char *path)
{
	struct op_tick tick = { .fn = count_tick };
	const struct dma_op *ops;
	struct op_source src;
	uint64_t n = 0;
	long got;

	nticks = 0;
	cr_assert(eq(int, trace_open(&src, path), 0));
	src.tick = &tick;
	while ((got = op_source_next_batch(&src, &ops)) > 0)
		n += (uint64_t)got;
	cr_expect(eq(long, got, 0));
	op_source_close(&src);
	return n;
}

/*
 * 140000 reads cross 65536 and 131072 once each. Version 2 gives batches of
 * 1024 ops (65536 = 64 * 1024), so the tick sees exactly 65536 and 131072;
 * text gives batches of one, which land on them too.
 */
Test(trace_bin2, the_tick_fires_once_per_65536_ops_in_batches_and_ones, .timeout = 60)
{
	struct trace_writer *wb, *wt;
	struct dma_op op = three_reads[0];
	char b[64], t[64];

	tmp_name(b, sizeof(b), ".ddwb");
	tmp_name(t, sizeof(t), ".ddwt");
	cr_assert(eq(int, trace_writer_open(&wb, b, TRACE_BIN), 0));
	cr_assert(eq(int, trace_writer_open(&wt, t, TRACE_TEXT), 0));
	for (unsigned i = 0; i < 140000; i++) {
		op.addr = 8 * (uint64_t)(i % 1000);
		cr_assert(eq(int, trace_write(wb, &op), 0));
		cr_assert(eq(int, trace_write(wt, &op), 0));
	}
	cr_assert(eq(int, trace_writer_commit(wb), 0));
	cr_assert(eq(int, trace_writer_commit(wt), 0));
	for (unsigned f = 0; f < 2; f++) {
		cr_expect(eq(u64, read_ticking(f ? t : b), 140000));
		cr_expect(eq(uint, nticks, 2));
		cr_expect(eq(u64, ticks[0], 65536));
		cr_expect(eq(u64, ticks[1], 131072));
	}
	unlink(b);
	unlink(t);
}

/* next() and next_batch() mixed: next() takes op 0 of the batch, next_batch the other 10. */
Test(trace_bin2, next_then_next_batch_hands_out_the_rest_of_the_batch)
{
	const struct dma_op *ops;
	struct op_source src;
	struct dma_op op;

	cr_assert(eq(int, trace_open(&src, "tests/traces/all-ops.ddwb"), 0));
	cr_assert(eq(int, op_source_next(&src, &op), 1));
	expect_op(&op, &all_ops[0], 0);
	cr_assert(eq(long, op_source_next_batch(&src, &ops), NALL - 1));
	for (unsigned i = 1; i < NALL; i++)
		expect_op(&ops[i - 1], &all_ops[i], i);
	cr_expect(eq(int, op_source_next(&src, &op), 0));
	op_source_close(&src);
}
