/*
 * trace.c - trace files as a whole: format detection, the op check both
 * formats share, the atomic writer, and the `trace info` / `trace convert`
 * helpers.
 *
 * A file is binary when it starts with the .ddwb magic (or a prefix of it,
 * for a file cut short), else text: a text trace must start with "# ddwt 1",
 * so the two cannot be confused. The first bytes read for detection are handed
 * to the reader, so the file is opened once and pipes work too. The file is
 * opened by infile (a regular file or a stream, "-" being standard input): a
 * stream is read once, so a caller never opens one twice (config_walk.c).
 *
 * The writer goes through outfile (habit 20): a regular file is written as
 * "<path>.tmp.<pid>", renamed on commit, unlinked on abort; a device, FIFO or
 * stdout is written in place. A binary trace's record count is filled in at
 * commit by seeking back to the header, in a regular file only.
 *
 * trace_info() walks the whole trace once, in flat memory except for the set
 * of devices seen (a u64map, hashmap.h, one key per distinct device).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/infile.h"
#include "ddwsim/outfile.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"

#define WRITE_BUF	(1u << 20)	/* stdio buffer of a trace being written */

static const char *const op_names[] = {
	[OP_MAP] = "map", [OP_MAP_SG] = "map_sg", [OP_DMA] = "dma", [OP_DMA_BUS] = "dmab",
	[OP_UNMAP] = "unmap", [OP_WIN_CREATE] = "wcreate", [OP_WIN_REMOVE] = "wremove",
	[OP_WIN_RESET] = "wreset", [OP_DEVICE] = "device",
};

#define NOPS	(sizeof(op_names) / sizeof(op_names[0]))

/* --- detection and opening --- */

/* Does head (n bytes) start like a binary trace? */
static bool looks_binary(const unsigned char *head, size_t n)
{
	size_t m = n < TRACE_BIN_MAGIC_LEN ? n : TRACE_BIN_MAGIC_LEN;

	return m > 0 && !memcmp(head, TRACE_BIN_MAGIC, m);
}

/*
 * Opens path (a file, or a stream: "-" is standard input) and reads its first
 * bytes into head; *name is what messages call it. Returns fp or NULL after
 * reporting.
 */
static FILE *open_head(const char *path, unsigned char *head, size_t *n, const char **name)
{
	struct infile in;

	if (infile_open(&in, path, INFILE_STREAM, "trace") < 0) {
		ddw_error("%s", in.why);
		return NULL;
	}
	*name = in.name;
	*n = fread(head, 1, TRACE_BIN_MAGIC_LEN, in.fp);
	if (ferror(in.fp)) {
		ddw_error("cannot read trace '%s': %s", in.name, strerror(errno));
		infile_close(&in);
		return NULL;
	}
	return in.fp;
}

/*
 * Binary if it starts with the magic, or with its first byte 0x89, or the
 * name says .ddwb and it does not start like a text trace: then a damaged
 * magic gets the binary reader's "bad magic", not a text-header complaint.
 */
static bool binary_by_head_or_name(const char *path, const unsigned char *head, size_t n)
{
	return looks_binary(head, n) || (n && head[0] == 0x89) ||
	       (trace_fmt_for_path(path) == TRACE_BIN && !(n && head[0] == '#'));
}

int trace_detect(const char *path)
{
	unsigned char head[TRACE_BIN_MAGIC_LEN];
	const char *name;
	size_t n;
	FILE *fp = open_head(path, head, &n, &name);

	if (!fp)
		return -1;
	fclose(fp);
	return binary_by_head_or_name(path, head, n) ? TRACE_BIN : TRACE_TEXT;
}

enum trace_fmt trace_fmt_for_path(const char *path)
{
	size_t n = strlen(path);

	return n >= 5 && !strcmp(path + n - 5, ".ddwb") ? TRACE_BIN : TRACE_TEXT;
}

double trace_fp_done(FILE *fp)
{
	struct stat st;
	off_t at = ftello(fp);

	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || at < 0)
		return -1;
	return (double)at / (double)st.st_size;
}

int trace_open(struct op_source *src, const char *path)
{
	unsigned char head[TRACE_BIN_MAGIC_LEN];
	const char *name;
	size_t n;
	FILE *fp;

	op_source_set(src, NULL, NULL);
	fp = open_head(path, head, &n, &name);
	if (!fp)
		return -1;
	if (binary_by_head_or_name(path, head, n))
		return trace_bin_open(src, name, fp, head, n);
	return trace_text_open(src, name, fp, head, n);
}

/* --- what both formats can carry --- */

DDW_PRINTF(3, 4)
static const char *problem(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return buf;
}

/* [addr, addr + len) with len >= 1 whose end addr + len fits in 64 bits (2^64 wraps to 0). */
static const char *range_problem(const char *what, uint64_t addr, uint64_t len, char *buf, size_t n)
{
	if (len == 0)
		return problem(buf, n, "bad len 0 for %s (expected at least 1)", what);
	if (ck_range(addr, len))
		return problem(buf, n, "bad range for %s: addr + len wraps past 2^64 (%#" PRIx64 " + %" PRIu64 ")",
			       what, addr, len);
	return NULL;
}

/* Each element a range, and their lengths (the mapping's length) summing below 2^64. */
static const char *sg_problem(const struct dma_op *op, char *buf, size_t n)
{
	uint64_t total = 0;
	char what[48];

	if (op->nsg < 1 || op->nsg > TRACE_SG_MAX)
		return problem(buf, n, "bad nsg %u for a map_sg (expected 1..%u)", op->nsg,
			       TRACE_SG_MAX);
	for (unsigned i = 0; op->sg && i < op->nsg; i++) {
		snprintf(what, sizeof(what), "sg element %u of a map_sg", i + 1);	/* from 1, as in text */
		if (range_problem(what, op->sg[i].phys, op->sg[i].len, buf, n))
			return buf;
		if (ck_add(total, op->sg[i].len, &total))
			return problem(buf, n, "bad map_sg: the lens of sg elements 1..%u add up past 2^64 (%" PRIu64 " + %" PRIu64 ")",
				       i + 1, total - op->sg[i].len, op->sg[i].len);
	}
	return NULL;
}

/* A device op's seg_boundary must be 2^k - 1 of at least 4 KiB, its clear below 2^32. */
static const char *device_problem(const struct dma_op *op, char *buf, size_t n)
{
	if (op->handle && (op->handle < 0xfff || (op->handle & (op->handle + 1))))
		return problem(buf, n, "bad seg_boundary %#llx for a device (expected 2^k - 1, at least 0xfff)",
			       (unsigned long long)op->handle);
	if (op->clear > UINT32_MAX)
		return problem(buf, n, "bad clear %llu for a device (expected below 2^32)",
			       (unsigned long long)op->clear);
	return NULL;
}

const char *trace_op_problem(const struct dma_op *op, char *buf, size_t n)
{
	unsigned dir = (unsigned)op->dir;

	if ((unsigned)op->kind >= NOPS)
		return problem(buf, n, "bad kind %u", (unsigned)op->kind);
	switch (op->kind) {
	case OP_MAP:
		if (dir > DMA_DIR_FROM_DEVICE)
			return problem(buf, n, "bad dir %u for a map (expected 0..2)", dir);
		return range_problem("a map", op->addr, op->len, buf, n);
	case OP_MAP_SG:
		if (dir > DMA_DIR_FROM_DEVICE)
			return problem(buf, n, "bad dir %u for a map_sg (expected 0..2)", dir);
		return sg_problem(op, buf, n);
	case OP_DMA:
	case OP_DMA_BUS:
		if (dir != DMA_DIR_TO_DEVICE && dir != DMA_DIR_FROM_DEVICE)
			return problem(buf, n, "bad dir %u for a %s (expected 1 or 2)", dir,
				       op_names[op->kind]);
		if (op->kind == OP_DMA_BUS && op->win > 1)
			return problem(buf, n, "bad win %u for a dmab (expected 0 or 1)", op->win);
		if (op->flags & ~(unsigned)TRACE_DMA_FLAGS)
			return problem(buf, n, "bad flags %#x for a %s (expected 0..%#x)", op->flags,
				       op_names[op->kind], TRACE_DMA_FLAGS);
		return range_problem(op->kind == OP_DMA ? "a dma" : "a dmab", op->addr, op->len,
				     buf, n);
	case OP_WIN_CREATE:
		if (op->levels < 1 || op->levels > 5)
			return problem(buf, n, "bad levels %u for a wcreate (expected 1..5)",
				       op->levels);
		if (op->page_shift < 12 || op->page_shift > 63)
			return problem(buf, n, "bad page_shift %u for a wcreate (expected 12..63)",
				       op->page_shift);
		return NULL;
	case OP_DEVICE:
		return device_problem(op, buf, n);
	default:
		return NULL;
	}
}

/* --- the writer --- */

struct trace_writer {
	struct outfile of;
	enum trace_fmt fmt;
	struct trace_bin_out *bin;	/* the binary writer; NULL for text */
	char *iobuf;		/* of.fp's stdio buffer; freed after the file is closed */
};

static const char *out_name(const struct trace_writer *w)
{
	return w->of.tmp ? w->of.tmp : w->of.path ? w->of.path : "standard output";
}

int trace_writer_open(struct trace_writer **out, const char *path, enum trace_fmt fmt)
{
	struct trace_writer *w = xcalloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	w->fmt = fmt;
	if (outfile_open(&w->of, path) < 0) {
		free(w);
		return -1;
	}
	if (w->of.path) {
		w->iobuf = xmalloc(WRITE_BUF);
		setvbuf(w->of.fp, w->iobuf, _IOFBF, WRITE_BUF);
	}
	if (fmt != TRACE_TEXT) {
		w->bin = trace_bin_out_new(fmt == TRACE_BIN_V1 ? 1 : 2);
		rc = trace_bin_out_header(w->bin, w->of.fp);
	} else
		rc = trace_text_write_header(w->of.fp);
	if (rc < 0) {
		ddw_error("cannot write '%s': %s", out_name(w), strerror(errno));
		trace_writer_abort(w);
		return -1;
	}
	*out = w;
	return 0;
}

int trace_write(struct trace_writer *w, const struct dma_op *op)
{
	char why[112];
	int rc;

	if (op->kind == OP_MAP_SG && !op->sg)
		return ddw_error("cannot write trace '%s': a map_sg without its sg array",
				 w->of.path ? w->of.path : "-");
	if (trace_op_problem(op, why, sizeof(why)))
		return ddw_error("cannot write trace '%s': %s", w->of.path ? w->of.path : "-", why);
	if (w->bin)
		rc = trace_bin_out_op(w->bin, w->of.fp, op);
	else
		rc = trace_text_write_op(w->of.fp, op);
	if (rc < 0)
		return ddw_error("cannot write '%s': %s", out_name(w), strerror(errno));
	return 0;
}

int trace_writer_commit(struct trace_writer *w)
{
	int rc;

	if (w->bin && trace_bin_out_end(w->bin, w->of.fp) < 0) {
		ddw_error("cannot write '%s': %s", out_name(w), strerror(errno));
		trace_writer_abort(w);
		return -1;
	}
	if (w->bin && w->of.kind == OUTFILE_ATOMIC)	/* never seek a device */
		trace_bin_out_count(w->bin, w->of.fp);
	rc = outfile_commit(&w->of);
	trace_bin_out_free(w->bin);
	free(w->iobuf);
	free(w);
	return rc;
}

void trace_writer_abort(struct trace_writer *w)
{
	if (!w)
		return;
	outfile_abort(&w->of);
	trace_bin_out_free(w->bin);
	free(w->iobuf);
	free(w);
}

/* --- convert --- */

int trace_convert(const char *in, const char *out)
{
	return trace_convert_fmt(in, out, trace_fmt_for_path(out));
}

int trace_convert_fmt(const char *in, const char *out, enum trace_fmt fmt)
{
	struct trace_writer *w;
	const struct dma_op *ops;
	struct op_source src;
	long n;
	int rc;

	if (trace_open(&src, in) < 0)
		return -1;
	if (trace_writer_open(&w, out, fmt) < 0) {
		op_source_close(&src);
		return -1;
	}
	while ((n = op_source_next_batch(&src, &ops)) > 0)
		for (long i = 0; i < n; i++)
			if (trace_write(w, &ops[i]) < 0)
				n = -1;
	rc = (int)n;
	op_source_close(&src);
	if (rc < 0) {
		trace_writer_abort(w);
		return -1;
	}
	return trace_writer_commit(w);
}

/* --- info --- */

/* Lowest and highest value seen (addresses: first and last byte). */
struct span {
	uint64_t lo, hi;
	uint64_t n;		/* values added */
};

struct info {
	uint64_t ops[NOPS];		/* per op kind */
	uint64_t total, sg_elems;
	uint64_t map_bytes;		/* map LEN + sg element LEN, saturating */
	uint64_t dma_bytes;		/* dma + dmab LEN, saturating */
	struct span phys, bus, time;
	struct u64map devs;		/* devices seen (keys; values unused) */
	unsigned version;		/* of the format: .ddwb 1 or 2, .ddwt 1 */
	int64_t size;			/* file bytes; -1 = not a regular file */
};

/* Bytes a op, "%.2f" into buf, or "null" when the size is unknown or there is no op. */
static const char *bytes_per_op(const struct info *in, char *buf, size_t n)
{
	if (in->size < 0 || !in->total)
		return "null";
	snprintf(buf, n, "%.2f", (double)in->size / (double)in->total);
	return buf;
}

static void span_add(struct span *s, uint64_t lo, uint64_t hi)
{
	if (!s->n || lo < s->lo)
		s->lo = lo;
	if (!s->n || hi > s->hi)
		s->hi = hi;
	s->n++;
}

/* [addr, addr + len), len >= 1; a recorded bus range may wrap: it is cut at 2^64. */
static void span_range(struct span *s, uint64_t addr, uint64_t len)
{
	span_add(s, addr, sat_add(addr, len - 1));
}

static void info_add(struct info *in, const struct dma_op *op)
{
	in->ops[op->kind]++;
	in->total++;
	u64map_put(&in->devs, op->dev, 0);
	if (op->time_ps != OP_NO_TIME)
		span_add(&in->time, op->time_ps, op->time_ps);
	switch (op->kind) {
	case OP_MAP:
		in->map_bytes = sat_add(in->map_bytes, op->len);
		span_range(&in->phys, op->addr, op->len);
		if (op->rec_bus != OP_NO_BUS)
			span_range(&in->bus, op->rec_bus, op->len);
		break;
	case OP_MAP_SG:
		for (unsigned i = 0; i < op->nsg; i++) {
			in->map_bytes = sat_add(in->map_bytes, op->sg[i].len);
			span_range(&in->phys, op->sg[i].phys, op->sg[i].len);
		}
		in->sg_elems += op->nsg;
		if (op->rec_bus != OP_NO_BUS)
			span_range(&in->bus, op->rec_bus, op->sg[0].len);
		break;
	case OP_DMA:
		in->dma_bytes = sat_add(in->dma_bytes, op->len);
		break;
	case OP_DMA_BUS:
		in->dma_bytes = sat_add(in->dma_bytes, op->len);
		span_range(&in->bus, op->addr, op->len);
		break;
	default:
		break;
	}
}

static void json_span(FILE *out, const char *key, const struct span *s, bool last)
{
	fprintf(out, "  \"%s\": ", key);
	if (s->n)
		fprintf(out, "{\"min\": %" PRIu64 ", \"max\": %" PRIu64 "}", s->lo, s->hi);
	else
		fputs("null", out);
	fputs(last ? "\n" : ",\n", out);
}

static void write_json(FILE *out, const char *path, const char *fmt, const struct info *in)
{
	uint64_t win = in->ops[OP_WIN_CREATE] + in->ops[OP_WIN_REMOVE] + in->ops[OP_WIN_RESET];

	fputs("{\n  \"trace\": ", out);
	outfile_json_str(out, path);
	char bpo[32];

	fprintf(out, ",\n  \"format\": \"%s\",\n  \"version\": %u,\n  \"bytes_per_op\": %s,\n",
		fmt, in->version, bytes_per_op(in, bpo, sizeof(bpo)));
	fprintf(out, "  \"ops\": {\"total\": %" PRIu64, in->total);
	for (size_t k = 0; k < NOPS; k++) {
		if (k == OP_WIN_CREATE)
			fprintf(out, ", \"window\": %" PRIu64, win);
		fprintf(out, ", \"%s\": %" PRIu64, op_names[k], in->ops[k]);
	}
	fprintf(out, "},\n  \"devices\": %" PRIu64 ",\n  \"sg_elements\": %" PRIu64 ",\n",
		u64map_count(&in->devs), in->sg_elems);
	fprintf(out, "  \"map_bytes\": %" PRIu64 ",\n  \"dma_bytes\": %" PRIu64 ",\n",
		in->map_bytes, in->dma_bytes);
	json_span(out, "phys", &in->phys, false);
	json_span(out, "bus", &in->bus, false);
	fputs("  \"time_ps\": ", out);
	if (in->time.n)
		fprintf(out, "{\"min\": %" PRIu64 ", \"max\": %" PRIu64 ", \"stamped\": %" PRIu64 "}\n",
			in->time.lo, in->time.hi, in->time.n);
	else
		fputs("null\n", out);
	fputs("}\n", out);
}

/* An op kind counted on its own line, not under "window". */
static bool top_level(size_t k)
{
	return k < OP_WIN_CREATE || k == OP_DEVICE;
}

static void text_span(FILE *out, const char *key, const struct span *s)
{
	if (s->n)
		fprintf(out, "%-14s0x%" PRIx64 "..0x%" PRIx64 "\n", key, s->lo, s->hi);
	else
		fprintf(out, "%-14snone\n", key);
}

static void write_text(FILE *out, const char *path, const char *fmt, const struct info *in)
{
	uint64_t win = in->ops[OP_WIN_CREATE] + in->ops[OP_WIN_REMOVE] + in->ops[OP_WIN_RESET];

	char bpo[32];

	fprintf(out, "%-14s%s\n%-14s%s\n%-14s%u\n", "trace", path, "format", fmt, "version",
		in->version);
	fprintf(out, "%-14s%s\n%-14s%" PRIu64 "\n", "bytes_per_op",
		in->size < 0 || !in->total ? "unknown" : bytes_per_op(in, bpo, sizeof(bpo)), "ops",
		in->total);
	for (size_t k = 0; k < NOPS; k++) {
		if (k == OP_WIN_CREATE)
			fprintf(out, "  %-12s%" PRIu64 "\n", "window", win);
		fprintf(out, "%s%-*s%" PRIu64 "\n", top_level(k) ? "  " : "    ",
			top_level(k) ? 12 : 10, op_names[k], in->ops[k]);
	}
	fprintf(out, "%-14s%" PRIu64 "\n%-14s%" PRIu64 "\n", "devices", u64map_count(&in->devs),
		"sg_elements", in->sg_elems);
	fprintf(out, "%-14s%" PRIu64 "\n%-14s%" PRIu64 "\n", "map_bytes", in->map_bytes,
		"dma_bytes", in->dma_bytes);
	text_span(out, "phys", &in->phys);
	text_span(out, "bus", &in->bus);
	if (in->time.n)
		fprintf(out, "%-14s%" PRIu64 "..%" PRIu64 " (%" PRIu64 " of %" PRIu64 " ops stamped)\n",
			"time_ps", in->time.lo, in->time.hi, in->time.n, in->total);
	else
		fprintf(out, "%-14snone\n", "time_ps");
}

/* The size of the regular file path, or -1 (standard input, a pipe, a device). */
static int64_t file_size(const char *path)
{
	struct stat st;

	if (!strcmp(path, "-") || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (int64_t)st.st_size;
}

int trace_info(const char *path, bool json, FILE *out)
{
	struct info in = { .devs = U64MAP_INIT };
	const struct dma_op *ops;
	struct op_source src;
	const char *fmt;
	long n;
	int rc;

	if (trace_open(&src, path) < 0)
		return -1;
	fmt = src.ops->name;
	in.version = trace_bin_version(&src) ? trace_bin_version(&src) : 1;
	in.size = file_size(path);
	while ((n = op_source_next_batch(&src, &ops)) > 0)
		for (long i = 0; i < n; i++)
			info_add(&in, &ops[i]);
	rc = (int)n;
	op_source_close(&src);
	if (rc == 0) {
		if (json)
			write_json(out, path, fmt, &in);
		else
			write_text(out, path, fmt, &in);
	}
	u64map_release(&in.devs);
	return rc;
}
