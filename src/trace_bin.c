/*
 * trace_bin.c - the binary trace format (.ddwb): the file header, the batch
 * reader both versions run on, and version 1 (64-byte records), read and
 * written. Version 2 (blocks of varint-coded ops, 4 to 6 bytes a DMA) is in
 * trace_bin2.c; the writer writes version 2 unless asked for 1
 * (`trace convert --version 1`). Both versions start with the same 64-byte
 * header (magic, version), so the reader picks the version from it.
 *
 * The reader decodes and validates a batch of ops at a time (up to BIN_BATCH,
 * their sg elements in a side array of BIN_BATCH_SG), and next_batch hands the
 * batch out whole; next() hands it out one op at a time. An error found in the
 * middle of a batch is held until the ops before it are out, then reported
 * with its own position, so a replay sees the same ops in the same order as
 * with one op at a time. Memory stays flat: the buffer, the batch, the side
 * array.
 *
 * Files are read with fread, not mmap: with version 2, the kernel's copy of
 * the file is under 2 % of a random-dma replay (perf, 86 MB for 20 M ops),
 * the most mmap could save, and fread serves pipes and FIFOs the same way.
 *
 * A version 1 .ddwb file is a 64-byte header followed by 64-byte records, all
 * little-endian, decoded byte by byte (no struct punning), so a file reads the
 * same on any host. It carries exactly what the text format carries.
 *
 * File header (64 bytes):
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       8     magic: 89 44 44 57 0d 0a 1a 0a ("\x89DDW\r\n\x1a\n", as PNG's: the
 *                 high byte and the CR LF / ^Z / LF catch 7-bit and text-mode copies)
 *   8       4     version: 1
 *   12      4     header size in bytes: 64
 *   16      4     record size in bytes: 64
 *   20      4     reserved, 0
 *   24      8     record count: records after the header, sg element records
 *                 included; 0xffffffffffffffff = unknown (read to the end of the file)
 *   32      32    reserved, 0
 *
 * Record (64 bytes); record N starts at byte 64 + 64 * N:
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       1     kind: 1 map, 2 map_sg, 3 dma, 4 dmab, 5 unmap, 6 wcreate,
 *                 7 wremove, 8 wreset, 9 sg element, 10 device (0 and 11..255
 *                 are bad)
 *   1       1     dir: 0 bidi, 1 to device (device reads), 2 from device (device
 *                 writes), as Linux's enum dma_data_direction; dma, dmab: 1 or 2
 *   2       1     win: window number, 0 default or 1 DDW (dmab)
 *   3       1     levels: TCE table levels, 1..5 (wcreate)
 *   4       1     page_shift: log2 of the TCE size, 12..63 (wcreate)
 *   5       1     flags (dma, dmab): bit 0 (0x1) OP_F_WAIT, the DMA starts only
 *                 once the device's previous DMA completed; bit 1 (0x2) OP_F_AUX,
 *                 the DMA is part of an I/O but not the I/O itself (a descriptor
 *                 fetch, a completion write); bits 2..7 are 0 (TRACE_DMA_FLAGS)
 *   6       2     reserved, 0
 *   8       4     cpu: CPU making the map or unmap
 *   12      4     dev: device (its own PE)
 *   16      4     nsg: sg element records that follow, 1..4096 (map_sg);
 *                 device: TCEs its default window had cleared at boot (clear)
 *   20      4     reserved, 0
 *   24      8     handle: buffer name; device: seg_boundary (0 = not declared)
 *   32      8     addr: map/sg element PHYS, dma OFF, dmab BUS, wremove START;
 *                 device: dma_mask (0 = not declared)
 *   40      8     len: bytes (map, sg element, dma, dmab: at least 1); wcreate SIZE;
 *                 device: max_seg_size (0 = not declared)
 *   48      8     rec_bus: bus address the kernel chose (map; map_sg: first
 *                 element); 0xffffffffffffffff = not recorded
 *   56      8     time_ps: time stamp in picoseconds; 0xffffffffffffffff = none
 *
 * Fields each kind uses (x); every other field holds 0, except rec_bus and
 * time_ps, which hold all ones. The reader rejects anything else, so a file
 * converts to text and back to the same bytes:
 *
 *   kind        dir win levels page_shift flags cpu dev nsg handle addr len rec_bus time_ps
 *   map          x                               x   x       x      x    x     x       x
 *   map_sg       x                               x   x   x   x                 x       x
 *   dma          x                         x         x       x      x    x             x
 *   dmab         x   x                     x         x              x    x             x
 *   unmap                                        x   x       x                         x
 *   wcreate              x       x                   x                   x             x
 *   wremove                                          x              x                  x
 *   wreset                                           x                                 x
 *   sg element                                                      x    x
 *   device                                           x   x   x      x    x             x
 *
 * A map_sg record is followed at once by its nsg sg element records.
 * [addr, addr + len) must not wrap (map, sg element, dma, dmab): addr + len
 * is at most 2^64 - 1, and so is the sum of a map_sg's element lens.
 *
 * The writer writes the count as unknown, then seeks back at commit to fill it
 * in (it stays unknown if the output cannot seek). The reader reads 1 MiB
 * at a time (16384 records), never past the end of the file or past the count.
 * A batch ends early before a map_sg whose elements would not fit the side
 * array.
 * Errors are "FILE: record N: message", N counting records from 0 after the
 * header: "truncated ..." for a partial record, fewer records than the header
 * counts, or an sg list cut short; "bad ..." for a value out of range.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"
#include "trace_bin_int.h"

#define BIN_VERSION	1
#define BIN_REC_SIZE	64

/* Record offsets (the table above). */
enum {
	R_KIND = 0, R_DIR = 1, R_WIN = 2, R_LEVELS = 3, R_SHIFT = 4, R_FLAGS = 5, R_RSV1 = 6,
	R_CPU = 8, R_DEV = 12, R_NSG = 16, R_RSV2 = 20, R_HANDLE = 24, R_ADDR = 32, R_LEN = 40,
	R_BUS = 48, R_TIME = 56,
};

_Static_assert(sizeof(TRACE_BIN_MAGIC) - 1 == TRACE_BIN_MAGIC_LEN, "magic is 8 bytes");
_Static_assert(H_RSV2 + 32 == BIN_HDR_SIZE, "the header is 64 bytes");
_Static_assert(R_TIME + 8 == BIN_REC_SIZE, "the record is 64 bytes, time_ps last");
_Static_assert(BIN_READ % BIN_REC_SIZE == 0, "a read holds whole records");
_Static_assert(sizeof(unsigned) == 4, "cpu and dev are 32-bit in the record");
_Static_assert(TRACE_DMA_FLAGS <= 0xff, "the DMA flags fit the record's flags byte");

/* The record's fields: where, how wide, and what an unused one holds. */
static const struct rec_field {
	const char *name;
	unsigned char off, size;
	unsigned bit;
	bool ones;			/* unused: all ones (else 0) */
} rec_fields[] = {
	{ "dir", R_DIR, 1, U_DIR, false },
	{ "win", R_WIN, 1, U_WIN, false },
	{ "levels", R_LEVELS, 1, U_LEVELS, false },
	{ "page_shift", R_SHIFT, 1, U_SHIFT, false },
	{ "flags", R_FLAGS, 1, U_FLAGS, false },
	{ "cpu", R_CPU, 4, U_CPU, false },
	{ "dev", R_DEV, 4, U_DEV, false },
	{ "nsg", R_NSG, 4, U_NSG, false },
	{ "handle", R_HANDLE, 8, U_HANDLE, false },
	{ "addr", R_ADDR, 8, U_ADDR, false },
	{ "len", R_LEN, 8, U_LEN, false },
	{ "rec_bus", R_BUS, 8, U_BUS, true },
	{ "time_ps", R_TIME, 8, U_TIME, true },
};

const struct rec_kind bin_kinds[BIN_NKINDS] = {
	[1] = { "map", "a", OP_MAP,
		U_DIR | U_CPU | U_DEV | U_HANDLE | U_ADDR | U_LEN | U_BUS | U_TIME },
	[2] = { "map_sg", "a", OP_MAP_SG,
		U_DIR | U_CPU | U_DEV | U_NSG | U_HANDLE | U_BUS | U_TIME },
	[3] = { "dma", "a", OP_DMA,
		U_DIR | U_FLAGS | U_DEV | U_HANDLE | U_ADDR | U_LEN | U_TIME },
	[4] = { "dmab", "a", OP_DMA_BUS,
		U_DIR | U_WIN | U_FLAGS | U_DEV | U_ADDR | U_LEN | U_TIME },
	[5] = { "unmap", "an", OP_UNMAP, U_CPU | U_DEV | U_HANDLE | U_TIME },
	[6] = { "wcreate", "a", OP_WIN_CREATE, U_LEVELS | U_SHIFT | U_DEV | U_LEN | U_TIME },
	[7] = { "wremove", "a", OP_WIN_REMOVE, U_DEV | U_ADDR | U_TIME },
	[8] = { "wreset", "a", OP_WIN_RESET, U_DEV | U_TIME },
	[KIND_SG_ELEM] = { "sg element", "an", OP_MAP, U_ADDR | U_LEN },
	[KIND_DEVICE] = { "device", "a", OP_DEVICE,
			  U_DEV | U_NSG | U_HANDLE | U_ADDR | U_LEN | U_TIME },
};

/* Version 1's state: per kind, what check_rec checks, as 8 words. */
struct rec_pattern {
	uint64_t mask[BIN_REC_SIZE / 8];	/* the bytes that must hold a fixed value */
	uint64_t want[BIN_REC_SIZE / 8];	/* that value: 0, or all ones (rec_bus, time_ps) */
};

static int bin_next(void *state, struct dma_op *op);
static long bin_next_batch(void *state, const struct dma_op **ops);
static long bin_next_run(void *state, struct op_run *b);
static void bin_close(void *state);
static void bin_where(void *state, char *buf, size_t n);
static void bin_where_at(void *state, long i, char *buf, size_t n);

static double bin_done(void *state)
{
	return trace_fp_done(((struct bin_reader *)state)->fp);
}

static const struct op_source_ops bin_ops = {
	.name = "bin", .next = bin_next, .close = bin_close, .where = bin_where,
	.done = bin_done, .next_batch = bin_next_batch, .where_at = bin_where_at,
	.next_run = bin_next_run,
};

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

unsigned bin_kind_code(enum op_kind kind)
{
	for (unsigned c = 1; c < KIND_SG_ELEM; c++)
		if (bin_kinds[c].kind == kind)
			return c;
	return kind == OP_DEVICE ? KIND_DEVICE : 0;
}

/* --- the batch reader, both versions --- */

int bin_bad(struct bin_reader *r, const char *unit, uint64_t at, const char *fmt, ...)
{
	va_list ap;

	if (r->err.set)
		return -1;	/* the first error stands */
	r->err = (struct bin_err){ .set = true, .unit = unit, .at = at };
	va_start(ap, fmt);
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
	va_end(ap);
	r->done = -1;
	return -1;
}

/* Prints the held error once; -1. */
static int bin_report(struct bin_reader *r)
{
	char where[4200];

	if (r->err.reported)
		return -1;
	r->err.reported = true;
	if (r->err.plain)
		return ddw_error("%s", r->err.msg);
	snprintf(where, sizeof(where), "%s: %s %" PRIu64, r->path, r->err.unit, r->err.at);
	return ddw_error_at(where, "%s", r->err.msg);
}

int bin_fill(struct bin_reader *r, size_t want)
{
	while (r->end - r->pos < want && !r->eof) {
		size_t n;

		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
		n = fread(r->buf + r->end, 1, r->cap - r->end, r->fp);
		r->end += n;
		if (ferror(r->fp)) {
			bin_bad(r, "", 0, "cannot read trace '%s': %s", r->path, strerror(errno));
			r->err.plain = true;
			return -1;
		}
		if (feof(r->fp))
			r->eof = true;
	}
	return 0;
}

/* The runs' ops in ops and at, for what hands ops out one by one or as a batch. */
static void bin_expand(struct bin_reader *r)
{
	if (r->expanded)
		return;
	for (unsigned j = 0; j < r->nruns; j++) {
		const struct bin_run *run = &r->runs[j];

		for (long i = run->first + 1; i < run->first + run->n; i++) {
			r->ops[i] = r->ops[run->first];
			r->ops[i].addr = r->addr[i];
			r->at[i] = r->at[run->first] + (uint64_t)(i - run->first);
		}
	}
	r->expanded = true;
}

/* Hands out ops[next .. end) as ops: their number. */
static long hand_out(struct bin_reader *r, const struct dma_op **ops, long end)
{
	long n = end - r->next;

	*ops = r->ops + r->next;
	r->first = r->next;
	r->first_run = false;
	r->last_at = r->at[end - 1];
	r->next = end;
	return n;
}

/* A batch to hand out: the number of its ops, 0 at the end, -1 (reported). */
static long bin_refill(struct bin_reader *r)
{
	if (r->next < r->n)
		return r->n - r->next;
	if (r->done)
		return r->done < 0 ? bin_report(r) : 0;
	r->n = r->next = 0;
	r->nsg = 0;
	r->nruns = r->run_next = 0;
	r->expanded = false;
	r->n = r->decode(r);
	if (r->n > 0)
		return r->n;
	if (r->done < 0)
		return bin_report(r);
	r->done = 1;
	return 0;
}

static long bin_next_batch(void *state, const struct dma_op **ops)
{
	struct bin_reader *r = state;
	long n = bin_refill(r);

	if (n <= 0)
		return n;
	bin_expand(r);
	r->run_next = r->nruns;
	return hand_out(r, ops, r->n);
}

/* The next run, or the ops up to it. */
static long bin_next_run(void *state, struct op_run *b)
{
	struct bin_reader *r = state;
	const struct bin_run *run;
	long n = bin_refill(r);

	if (n <= 0)
		return n;
	while (r->run_next < r->nruns && r->runs[r->run_next].first < r->next)
		r->run_next++;	/* handed out as ops already */
	run = r->run_next < r->nruns ? &r->runs[r->run_next] : NULL;
	if (!run || run->first > r->next) {
		b->addr = NULL;
		return hand_out(r, &b->ops, run ? run->first : r->n);
	}
	r->run_next++;
	b->ops = r->ops + run->first;
	b->addr = r->addr + run->first;
	r->first = run->first;
	r->first_run = true;
	r->last_at = r->at[run->first] + run->n - 1u;
	r->next = run->first + run->n;
	return run->n;
}

static int bin_next(void *state, struct dma_op *op)
{
	struct bin_reader *r = state;
	const struct dma_op *b;
	long n;

	if (r->next >= r->n) {
		n = bin_next_batch(r, &b);
		if (n <= 0)
			return (int)n;
		r->next = 0;	/* hand the batch out one by one */
	}
	bin_expand(r);
	r->last_at = r->at[r->next];
	*op = r->ops[r->next++];
	return 1;
}

static void bin_where(void *state, char *buf, size_t n)
{
	const struct bin_reader *r = state;

	if (r->err.reported && !r->err.plain)
		snprintf(buf, n, "%s: %s %" PRIu64, r->path, r->err.unit, r->err.at);
	else
		snprintf(buf, n, "%s: %s %" PRIu64, r->path, r->unit, r->last_at);
}

/* Op i of the last batch: its own record (v1) or op (v2), for the replay's errors. */
static void bin_where_at(void *state, long i, char *buf, size_t n)
{
	const struct bin_reader *r = state;

	snprintf(buf, n, "%s: %s %" PRIu64, r->path, r->unit,
		 r->first_run ? r->at[r->first] + (uint64_t)i : r->at[r->first + i]);
}

static void bin_close(void *state)
{
	struct bin_reader *r = state;

	if (!r)
		return;
	fclose(r->fp);
	if (r->free_v)
		r->free_v(r->v);
	free(r->buf);
	free(r->ops);
	free(r->sg);
	free(r->at);
	free(r->addr);
	free(r->runs);
	free(r->path);
	free(r);
}

/* --- version 1: reading records --- */

/*
 * Sets *rec to the next record, unconsumed: 1; 0 at the end of the file (on a
 * record boundary) or of the count; -1 (a partial record, a read error).
 */
static int peek_rec(struct bin_reader *r, const unsigned char **rec)
{
	if (r->count != BIN_UNKNOWN && r->index == r->count)
		return 0;
	if (bin_fill(r, BIN_REC_SIZE) < 0)
		return -1;
	if (r->end == r->pos)
		return 0;
	if (r->end - r->pos < BIN_REC_SIZE)
		return bin_bad(r, "record", r->index, "truncated: only %zu of its %u bytes",
			       r->end - r->pos, BIN_REC_SIZE);
	*rec = r->buf + r->pos;
	return 1;
}

/* peek_rec, then the record is consumed. */
static int get_rec(struct bin_reader *r, const unsigned char **rec)
{
	int rc = peek_rec(r, rec);

	if (rc > 0) {
		r->pos += BIN_REC_SIZE;
		r->index++;
	}
	return rc;
}

/*
 * Kind k's pattern: its reserved bytes and the fields it does not use, which
 * must be 0 (rec_bus and time_ps: all ones), as masks and values of the
 * record's eight little-endian words. A record passes check_rec when every
 * (word & mask) == want: eight compares instead of a loop over the fields.
 */
static void make_pattern(const struct rec_kind *k, struct rec_pattern *pt)
{
	unsigned char m[BIN_REC_SIZE] = { 0 }, w[BIN_REC_SIZE] = { 0 };

	memset(m + R_RSV1, 0xff, 2);
	memset(m + R_RSV2, 0xff, 4);
	for (size_t i = 0; i < sizeof(rec_fields) / sizeof(rec_fields[0]); i++) {
		const struct rec_field *f = &rec_fields[i];

		if (k->used & f->bit)
			continue;
		memset(m + f->off, 0xff, f->size);
		memset(w + f->off, f->ones ? 0xff : 0, f->size);
	}
	for (unsigned i = 0; i < BIN_REC_SIZE / 8; i++) {
		pt->mask[i] = bin_get_le(m + 8 * i, 8);
		pt->want[i] = bin_get_le(w + 8 * i, 8);
	}
}

/* Checks the kind code, reserved bytes and unused fields of record rec; its kind or NULL. */
static const struct rec_kind *check_rec(struct bin_reader *r, uint64_t rec, const unsigned char *p)
{
	const struct rec_pattern *pat = r->v;
	unsigned code = p[R_KIND];
	const struct rec_kind *k = code && code < BIN_NKINDS ? &bin_kinds[code] : NULL;
	uint64_t off = 0;

	if (!k) {
		bin_bad(r, "record", rec, "bad kind %u", code);
		return NULL;
	}
	for (unsigned i = 0; i < BIN_REC_SIZE / 8; i++)
		off |= (bin_load_le64(p + 8 * i) & pat[code].mask[i]) ^ pat[code].want[i];
	if (!off)
		return k;	/* the common case; otherwise find the field to name */
	if (!all_zero(p + R_RSV1, 2) || !all_zero(p + R_RSV2, 4)) {
		bin_bad(r, "record", rec, "bad %s record: reserved bytes are not 0", k->name);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(rec_fields) / sizeof(rec_fields[0]); i++) {
		const struct rec_field *f = &rec_fields[i];
		uint64_t v = bin_get_le(p + f->off, f->size), none = f->ones ? UINT64_MAX : 0;

		if (!(k->used & f->bit) && v != none) {
			bin_bad(r, "record", rec, "bad %s %#" PRIx64 ": %s %s record has no %s (expected %s)",
				f->name, v, k->a, k->name, f->name, f->ones ? "all ones" : "0");
			return NULL;
		}
	}
	return k;
}

/* Decodes record p (already checked) into op. */
static void decode(const unsigned char *p, const struct rec_kind *k, struct dma_op *op)
{
	*op = (struct dma_op){
		.kind = k->kind,
		.dir = (enum dma_dir)p[R_DIR],
		.win = p[R_WIN],
		.levels = p[R_LEVELS],
		.page_shift = p[R_SHIFT],
		.flags = p[R_FLAGS],
		.cpu = (unsigned)bin_get_le(p + R_CPU, 4),
		.dev = (unsigned)bin_get_le(p + R_DEV, 4),
		.nsg = (unsigned)bin_get_le(p + R_NSG, 4),
		.handle = bin_get_le(p + R_HANDLE, 8),
		.addr = bin_get_le(p + R_ADDR, 8),
		.len = bin_get_le(p + R_LEN, 8),
		.rec_bus = bin_get_le(p + R_BUS, 8),
		.time_ps = bin_get_le(p + R_TIME, 8),
	};
	if (k->kind == OP_DEVICE) {	/* nsg holds the boot clear */
		op->clear = op->nsg;
		op->nsg = 0;
	}
}

/* The sg list of the map_sg at record first ended after got of its nsg elements. */
static int sg_cut_short(struct bin_reader *r, uint64_t first, unsigned nsg, unsigned got)
{
	if (r->index == r->count)
		return bin_bad(r, "record", r->index, "truncated: the map_sg at record %" PRIu64 " has %u sg elements, the header counts only %" PRIu64 " records",
			       first, nsg, r->count);
	return bin_bad(r, "record", r->index, "truncated: the map_sg at record %" PRIu64 " has %u sg elements, the file ends after %u",
		       first, nsg, got);
}

/* Checks sg element e (record rec) of the map_sg at record first; *total sums the lens. */
static int check_sg(struct bin_reader *r, uint64_t rec, uint64_t first, const struct sg_elem *e,
		    uint64_t *total)
{
	if (e->len == 0)
		return bin_bad(r, "record", rec, "bad sg element: len is 0");
	if (ck_range(e->phys, e->len))
		return bin_bad(r, "record", rec, "bad sg element: addr + len wraps past 2^64 (%#" PRIx64 " + %" PRIu64 ")",
			       e->phys, e->len);
	if (ck_add(*total, e->len, total))
		return bin_bad(r, "record", rec, "bad sg element: the lens of the map_sg at record %" PRIu64 " add up past 2^64 (%" PRIu64 " + %" PRIu64 ")",
			       first, *total - e->len, e->len);
	return 0;
}

/* Reads the nsg sg element records after the map_sg at record first into the side array. */
static int read_sg(struct bin_reader *r, uint64_t first, struct dma_op *op)
{
	struct sg_elem *sg = r->sg + r->nsg;
	const unsigned char *p;
	uint64_t total = 0;	/* the mapping's length: the elements' len summed */
	int rc;

	for (unsigned i = 0; i < op->nsg; i++) {
		rc = get_rec(r, &p);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return sg_cut_short(r, first, op->nsg, i);
		if (p[R_KIND] != KIND_SG_ELEM)
			return bin_bad(r, "record", r->index - 1, "bad kind %u inside the sg list of the map_sg at record %" PRIu64 " (expected 9, an sg element)",
				       p[R_KIND], first);
		if (!check_rec(r, r->index - 1, p))
			return -1;
		sg[i].phys = bin_get_le(p + R_ADDR, 8);
		sg[i].len = bin_get_le(p + R_LEN, 8);
		if (check_sg(r, r->index - 1, first, &sg[i], &total) < 0)
			return -1;
	}
	op->sg = sg;
	r->nsg += op->nsg;
	return 0;
}

/* The reader met the end of the file or of the count: both must agree. */
static int at_end(struct bin_reader *r)
{
	if (r->count != BIN_UNKNOWN && r->index < r->count)
		return bin_bad(r, "record", r->index, "truncated: the header counts %" PRIu64 " records",
			       r->count);
	if (bin_fill(r, 1) < 0)
		return -1;
	if (r->end > r->pos)
		return bin_bad(r, "record", r->index, "unexpected data after the %" PRIu64 " records the header counts",
			       r->count);
	r->done = 1;
	return 0;
}

/* A map_sg whose elements would not fit what is left of the side array. */
static bool sg_full(const struct bin_reader *r, const unsigned char *p)
{
	return p[R_KIND] == 2 && r->nsg + bin_get_le(p + R_NSG, 4) > BIN_BATCH_SG;
}

/* Reads one op (record at, and its sg elements) into op: 1, 0 at the end, -1. */
static int v1_op(struct bin_reader *r, uint64_t at, const unsigned char *p, struct dma_op *op)
{
	const struct rec_kind *k;
	char why[112];

	r->pos += BIN_REC_SIZE;
	r->index++;
	if (p[R_KIND] == KIND_SG_ELEM)
		return bin_bad(r, "record", at, "bad kind 9: an sg element outside a map_sg");
	k = check_rec(r, at, p);
	if (!k)
		return -1;
	decode(p, k, op);
	if (trace_op_problem(op, why, sizeof(why)))
		return bin_bad(r, "record", at, "%s", why);
	if (op->kind == OP_MAP_SG && read_sg(r, at, op) < 0)
		return -1;
	return 1;
}

/* Version 1's decode: records to ops until the batch is full, the end, or an error. */
static int v1_decode(struct bin_reader *r)
{
	const unsigned char *p;
	int n = 0, rc;

	while (n < BIN_BATCH) {
		uint64_t at = r->index;

		rc = peek_rec(r, &p);
		if (rc < 0)
			break;
		if (rc == 0) {
			at_end(r);
			break;
		}
		if (n > 0 && sg_full(r, p))
			break;	/* the map_sg opens the next batch */
		if (v1_op(r, at, p, &r->ops[n]) < 0)
			break;
		r->at[n++] = at;
	}
	return n;
}

static void free_pattern(void *v)
{
	free(v);
}

static int v1_init(struct bin_reader *r)
{
	struct rec_pattern *pat = xcalloc(BIN_NKINDS, sizeof(*pat));

	for (size_t c = 1; c < BIN_NKINDS; c++)
		if (bin_kinds[c].name)
			make_pattern(&bin_kinds[c], &pat[c]);
	r->v = pat;
	r->free_v = free_pattern;
	r->unit = "record";
	r->decode = v1_decode;
	return 0;
}

/* --- opening --- */

/* Checks the header at r->buf (BIN_HDR_SIZE bytes buffered): version, sizes, reserved bytes. */
static int read_header(struct bin_reader *r)
{
	const unsigned char *h = r->buf;

	if (r->end < BIN_HDR_SIZE)
		return ddw_error_at(r->path, "truncated header: only %zu of its %u bytes", r->end,
				    BIN_HDR_SIZE);
	if (memcmp(h + H_MAGIC, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN))
		return ddw_error_at(r->path, "not a ddwb trace: bad magic");
	r->version = (unsigned)bin_get_le(h + H_VERSION, 4);
	if (r->version != 1 && r->version != 2)
		return ddw_error_at(r->path, "unsupported version %u, expected 1 or 2", r->version);
	if (r->version == 1 && (bin_get_le(h + H_HDR_SIZE, 4) != BIN_HDR_SIZE ||
				bin_get_le(h + H_REC_SIZE, 4) != BIN_REC_SIZE))
		return ddw_error_at(r->path, "bad header: header size %" PRIu64 " and record size %" PRIu64 ", expected %u and %u",
				    bin_get_le(h + H_HDR_SIZE, 4), bin_get_le(h + H_REC_SIZE, 4),
				    BIN_HDR_SIZE, BIN_REC_SIZE);
	if (r->version == 2 && (bin_get_le(h + H_HDR_SIZE, 4) != BIN_HDR_SIZE ||
				bin_get_le(h + H_REC_SIZE, 4) != TRACE_BIN2_BLOCK_MAX))
		return ddw_error_at(r->path, "bad header: header size %" PRIu64 " and block size %" PRIu64 ", expected %u and %u",
				    bin_get_le(h + H_HDR_SIZE, 4), bin_get_le(h + H_REC_SIZE, 4),
				    BIN_HDR_SIZE, TRACE_BIN2_BLOCK_MAX);
	if (!all_zero(h + H_RSV1, 4) || !all_zero(h + H_RSV2, 32))
		return ddw_error_at(r->path, "bad header: reserved bytes are not 0");
	r->count = bin_get_le(h + H_COUNT, 8);
	return r->version == 1 ? v1_init(r) : trace_bin2_init(r);
}

/*
 * The read buffer: a whole v2 block (at most 1 MiB) and a 1 MiB read; no more
 * than a regular file's size (a block cannot be larger than its file), so a
 * small file is not given megabytes.
 */
static size_t read_cap(FILE *fp)
{
	size_t cap = 2 * (size_t)BIN_READ + 64;
	struct stat st;

	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size + 64 < cap)
		cap = (size_t)st.st_size + 64;
	return cap;
}

int trace_bin_open(struct op_source *src, const char *path, FILE *fp,
		   const unsigned char *head, size_t nhead)
{
	struct bin_reader *r = xcalloc(1, sizeof(*r));

	r->path = xstrdup(path);
	r->fp = fp;
	r->cap = read_cap(fp);
	r->buf = xmalloc(r->cap + 16);
	r->ops = xmalloc(BIN_BATCH * sizeof(*r->ops));
	r->sg = xmalloc(BIN_BATCH_SG * sizeof(*r->sg));
	r->at = xmalloc(BIN_BATCH * sizeof(*r->at));
	r->addr = xmalloc(BIN_BATCH * sizeof(*r->addr));
	r->runs = xmalloc(BIN_BATCH * sizeof(*r->runs));
	memcpy(r->buf, head, nhead);
	r->end = nhead;
	if (bin_fill(r, BIN_HDR_SIZE) < 0) {
		bin_report(r);
		bin_close(r);
		return -1;
	}
	if (read_header(r) < 0) {
		bin_close(r);
		return -1;
	}
	r->pos = BIN_HDR_SIZE;
	op_source_set(src, &bin_ops, r);
	return 0;
}

unsigned trace_bin_version(const struct op_source *src)
{
	return src->ops == &bin_ops ? ((const struct bin_reader *)src->state)->version : 0;
}

/* --- writing --- */

struct trace_bin_out {
	unsigned version;	/* 1 or 2 */
	uint64_t count;		/* records (v1) or ops (v2) written */
	struct bin2_out *v2;
};

struct trace_bin_out *trace_bin_out_new(unsigned version)
{
	struct trace_bin_out *o = xcalloc(1, sizeof(*o));

	o->version = version;
	if (version == 2)
		o->v2 = bin2_out_new();
	return o;
}

void trace_bin_out_free(struct trace_bin_out *o)
{
	if (!o)
		return;
	bin2_out_free(o->v2);
	free(o);
}

int trace_bin_out_header(struct trace_bin_out *o, FILE *fp)
{
	unsigned char h[BIN_HDR_SIZE] = { 0 };

	memcpy(h + H_MAGIC, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN);
	bin_put_le(h + H_VERSION, 4, o->version);
	bin_put_le(h + H_HDR_SIZE, 4, BIN_HDR_SIZE);
	bin_put_le(h + H_REC_SIZE, 4, o->version == 1 ? BIN_REC_SIZE : TRACE_BIN2_BLOCK_MAX);
	bin_put_le(h + H_COUNT, 8, BIN_UNKNOWN);
	return fwrite(h, 1, sizeof(h), fp) == sizeof(h) ? 0 : -1;
}

/* Encodes the fields kind code uses from op into p; the others get their "none". */
static void encode(unsigned char *p, unsigned code, const struct dma_op *op)
{
	const struct rec_kind *k = &bin_kinds[code];

	memset(p, 0, BIN_REC_SIZE);
	p[R_KIND] = (unsigned char)code;
	p[R_DIR] = (unsigned char)op->dir;
	p[R_WIN] = (unsigned char)op->win;
	p[R_LEVELS] = (unsigned char)op->levels;
	p[R_SHIFT] = (unsigned char)op->page_shift;
	p[R_FLAGS] = (unsigned char)op->flags;
	bin_put_le(p + R_CPU, 4, op->cpu);
	bin_put_le(p + R_DEV, 4, op->dev);
	bin_put_le(p + R_NSG, 4, op->kind == OP_DEVICE ? op->clear : op->nsg);
	bin_put_le(p + R_HANDLE, 8, op->handle);
	bin_put_le(p + R_ADDR, 8, op->addr);
	bin_put_le(p + R_LEN, 8, op->len);
	bin_put_le(p + R_BUS, 8, op->rec_bus);
	bin_put_le(p + R_TIME, 8, op->time_ps);
	for (size_t i = 0; i < sizeof(rec_fields) / sizeof(rec_fields[0]); i++) {
		const struct rec_field *f = &rec_fields[i];

		if (!(k->used & f->bit))
			memset(p + f->off, f->ones ? 0xff : 0, f->size);
	}
}

/* Version 1: the op's record, then a record per sg element. */
static int v1_write_op(FILE *fp, const struct dma_op *op, uint64_t *records)
{
	unsigned char rec[BIN_REC_SIZE];

	encode(rec, bin_kind_code(op->kind), op);
	if (fwrite(rec, 1, sizeof(rec), fp) != sizeof(rec))
		return -1;
	++*records;
	for (unsigned i = 0; op->kind == OP_MAP_SG && i < op->nsg; i++) {
		struct dma_op e = { .addr = op->sg[i].phys, .len = op->sg[i].len };

		encode(rec, KIND_SG_ELEM, &e);
		if (fwrite(rec, 1, sizeof(rec), fp) != sizeof(rec))
			return -1;
		++*records;
	}
	return 0;
}

int trace_bin_out_op(struct trace_bin_out *o, FILE *fp, const struct dma_op *op)
{
	if (o->version == 1)
		return v1_write_op(fp, op, &o->count);
	return bin2_out_op(o->v2, fp, op);
}

int trace_bin_out_end(struct trace_bin_out *o, FILE *fp)
{
	return o->version == 1 ? 0 : bin2_out_end(o->v2, fp, &o->count);
}

void trace_bin_out_count(struct trace_bin_out *o, FILE *fp)
{
	unsigned char c[8];

	if (fflush(fp) != 0 || fseek(fp, H_COUNT, SEEK_SET) != 0)
		return;
	bin_put_le(c, 8, o->count);
	fwrite(c, 1, sizeof(c), fp);
}
