/*
 * trace_bin.c - the binary trace format (.ddwb): a streaming block reader and
 * the writer.
 *
 * A .ddwb file is a 64-byte header followed by 64-byte records, all
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
 * blocks (16384 records), never past the end of the file or past the count.
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

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"

#define BIN_VERSION	1
#define BIN_HDR_SIZE	64
#define BIN_REC_SIZE	64
#define BIN_BLOCK	(1u << 20)		/* bytes read at a time */
#define BIN_UNKNOWN	UINT64_MAX		/* record count not known */
#define KIND_SG_ELEM	9
#define KIND_DEVICE	10

/* Header offsets (the table above). */
enum {
	H_MAGIC = 0, H_VERSION = 8, H_HDR_SIZE = 12, H_REC_SIZE = 16, H_RSV1 = 20, H_COUNT = 24,
	H_RSV2 = 32,
};

/* Record offsets (the table above). */
enum {
	R_KIND = 0, R_DIR = 1, R_WIN = 2, R_LEVELS = 3, R_SHIFT = 4, R_FLAGS = 5, R_RSV1 = 6,
	R_CPU = 8, R_DEV = 12, R_NSG = 16, R_RSV2 = 20, R_HANDLE = 24, R_ADDR = 32, R_LEN = 40,
	R_BUS = 48, R_TIME = 56,
};

_Static_assert(sizeof(TRACE_BIN_MAGIC) - 1 == TRACE_BIN_MAGIC_LEN, "magic is 8 bytes");
_Static_assert(H_RSV2 + 32 == BIN_HDR_SIZE, "the header is 64 bytes");
_Static_assert(R_TIME + 8 == BIN_REC_SIZE, "the record is 64 bytes, time_ps last");
_Static_assert(BIN_BLOCK % BIN_REC_SIZE == 0, "a block holds whole records");
_Static_assert(sizeof(unsigned) == 4, "cpu and dev are 32-bit in the record");
_Static_assert(TRACE_DMA_FLAGS <= 0xff, "the DMA flags fit the record's flags byte");

/* Field bits, for the table of which kind uses which field. */
enum {
	U_DIR = 1 << 0, U_WIN = 1 << 1, U_LEVELS = 1 << 2, U_SHIFT = 1 << 3, U_CPU = 1 << 4,
	U_DEV = 1 << 5, U_NSG = 1 << 6, U_HANDLE = 1 << 7, U_ADDR = 1 << 8, U_LEN = 1 << 9,
	U_BUS = 1 << 10, U_TIME = 1 << 11, U_FLAGS = 1 << 12,
};

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

/* Record kinds, by their code in the file (index 0 unused). */
static const struct rec_kind {
	const char *name;
	const char *a;			/* its article in messages */
	enum op_kind kind;
	unsigned used;			/* U_* */
} rec_kinds[] = {
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

#define NKINDS	(sizeof(rec_kinds) / sizeof(rec_kinds[0]))

struct bin_reader {
	char *path;
	FILE *fp;
	unsigned char *buf;	/* BIN_BLOCK bytes */
	size_t pos, end;	/* unread bytes: buf[pos..end) */
	bool eof;		/* fp has nothing more */
	uint64_t count;		/* records the header counts, or BIN_UNKNOWN */
	uint64_t index;		/* number of the next record */
	uint64_t op_at;		/* record of the last op returned */
	int done;		/* 0 while reading, 1 at the end, -1 after an error */
	struct sg_elem *sg;	/* TRACE_SG_MAX elements */
	struct rec_pattern {	/* per kind, what check_rec checks, as 8 words */
		uint64_t mask[BIN_REC_SIZE / 8]; /* the bytes that must hold a fixed value */
		uint64_t want[BIN_REC_SIZE / 8]; /* that value: 0, or all ones (rec_bus, time_ps) */
	} pat[NKINDS];
};

static int bin_next(void *state, struct dma_op *op);
static void bin_close(void *state);

static double bin_done(void *state)
{
	return trace_fp_done(((struct bin_reader *)state)->fp);
}

static void bin_where(void *state, char *buf, size_t n);

static const struct op_source_ops bin_ops = {
	.name = "bin", .next = bin_next, .close = bin_close, .where = bin_where,
	.done = bin_done,
};

/* --- little-endian bytes --- */

static uint64_t get_le(const unsigned char *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void put_le(unsigned char *p, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)get_le(p, 4);
}

static uint64_t get_le64(const unsigned char *p)
{
	return get_le(p, 8);
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Reports "FILE: record N: message", stops the reader and returns -1. */
DDW_PRINTF(3, 4)
static int bad(struct bin_reader *r, uint64_t rec, const char *fmt, ...)
{
	char where[4200];
	va_list ap;

	snprintf(where, sizeof(where), "%s: record %" PRIu64, r->path, rec);
	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	r->done = -1;
	return -1;
}

/* Reports a header problem "FILE: message" and returns -1. */
DDW_PRINTF(2, 3)
static int bad_header(const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ddw_verror_at(path, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- reading records --- */

/* Reads until at least want bytes are buffered or the file ends; 0 or -1 reported. */
static int fill(struct bin_reader *r, size_t want)
{
	while (r->end - r->pos < want && !r->eof) {
		size_t n;

		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
		n = fread(r->buf + r->end, 1, BIN_BLOCK - r->end, r->fp);
		r->end += n;
		if (ferror(r->fp)) {
			r->done = -1;
			return ddw_error("cannot read trace '%s': %s", r->path, strerror(errno));
		}
		if (feof(r->fp))
			r->eof = true;
	}
	return 0;
}

/*
 * Sets *rec to the next record: 1; 0 at the end of the file (on a record
 * boundary) or of the count; -1 reported (a partial record, a read error).
 */
static int get_rec(struct bin_reader *r, const unsigned char **rec)
{
	if (r->count != BIN_UNKNOWN && r->index == r->count)
		return 0;
	if (fill(r, BIN_REC_SIZE) < 0)
		return -1;
	if (r->end == r->pos)
		return 0;
	if (r->end - r->pos < BIN_REC_SIZE)
		return bad(r, r->index, "truncated: only %zu of its %u bytes", r->end - r->pos,
			   BIN_REC_SIZE);
	*rec = r->buf + r->pos;
	r->pos += BIN_REC_SIZE;
	r->index++;
	return 1;
}

/* Checks the kind code, reserved bytes and unused fields of record rec; its kind or NULL. */
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
		pt->mask[i] = get_le64(m + 8 * i);
		pt->want[i] = get_le64(w + 8 * i);
	}
}

/* The little-endian word at p, one load on a little-endian host. */
static inline uint64_t load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
#else
	return get_le64(p);
#endif
}

static const struct rec_kind *check_rec(struct bin_reader *r, uint64_t rec, const unsigned char *p)
{
	unsigned code = p[R_KIND];
	const struct rec_kind *k = code && code < NKINDS ? &rec_kinds[code] : NULL;
	uint64_t off = 0;

	if (!k) {
		bad(r, rec, "bad kind %u", code);
		return NULL;
	}
	for (unsigned i = 0; i < BIN_REC_SIZE / 8; i++)
		off |= (load_le64(p + 8 * i) & r->pat[code].mask[i]) ^ r->pat[code].want[i];
	if (!off)
		return k;	/* the common case; otherwise find the field to name */
	if (!all_zero(p + R_RSV1, 2) || !all_zero(p + R_RSV2, 4)) {
		bad(r, rec, "bad %s record: reserved bytes are not 0", k->name);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(rec_fields) / sizeof(rec_fields[0]); i++) {
		const struct rec_field *f = &rec_fields[i];
		uint64_t v = get_le(p + f->off, f->size), none = f->ones ? UINT64_MAX : 0;

		if (!(k->used & f->bit) && v != none) {
			bad(r, rec, "bad %s %#" PRIx64 ": %s %s record has no %s (expected %s)",
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
		.cpu = get_le32(p + R_CPU),
		.dev = get_le32(p + R_DEV),
		.nsg = get_le32(p + R_NSG),
		.handle = get_le64(p + R_HANDLE),
		.addr = get_le64(p + R_ADDR),
		.len = get_le64(p + R_LEN),
		.rec_bus = get_le64(p + R_BUS),
		.time_ps = get_le64(p + R_TIME),
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
		return bad(r, r->index, "truncated: the map_sg at record %" PRIu64 " has %u sg elements, the header counts only %" PRIu64 " records",
			   first, nsg, r->count);
	return bad(r, r->index, "truncated: the map_sg at record %" PRIu64 " has %u sg elements, the file ends after %u",
		   first, nsg, got);
}

/* Reads the nsg sg element records after the map_sg at record first into r->sg. */
static int read_sg(struct bin_reader *r, uint64_t first, struct dma_op *op)
{
	const unsigned char *p;
	const struct rec_kind *k;
	uint64_t total = 0;	/* the mapping's length: the elements' len summed */
	int rc;

	for (unsigned i = 0; i < op->nsg; i++) {
		rc = get_rec(r, &p);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return sg_cut_short(r, first, op->nsg, i);
		if (p[R_KIND] != KIND_SG_ELEM)
			return bad(r, r->index - 1, "bad kind %u inside the sg list of the map_sg at record %" PRIu64 " (expected 9, an sg element)",
				   p[R_KIND], first);
		k = check_rec(r, r->index - 1, p);
		if (!k)
			return -1;
		r->sg[i].phys = get_le64(p + R_ADDR);
		r->sg[i].len = get_le64(p + R_LEN);
		if (r->sg[i].len == 0)
			return bad(r, r->index - 1, "bad sg element: len is 0");
		if (ck_range(r->sg[i].phys, r->sg[i].len))
			return bad(r, r->index - 1, "bad sg element: addr + len wraps past 2^64 (%#" PRIx64 " + %" PRIu64 ")",
				   r->sg[i].phys, r->sg[i].len);
		if (ck_add(total, r->sg[i].len, &total))
			return bad(r, r->index - 1, "bad sg element: the lens of the map_sg at record %" PRIu64 " add up past 2^64 (%" PRIu64 " + %" PRIu64 ")",
				   first, total - r->sg[i].len, r->sg[i].len);
	}
	op->sg = r->sg;
	return 0;
}

/* The reader met the end of the file or of the count: both must agree. */
static int at_end(struct bin_reader *r)
{
	if (r->count != BIN_UNKNOWN && r->index < r->count)
		return bad(r, r->index, "truncated: the header counts %" PRIu64 " records", r->count);
	if (fill(r, 1) < 0)
		return -1;
	if (r->end > r->pos)
		return bad(r, r->index, "unexpected data after the %" PRIu64 " records the header counts",
			   r->count);
	r->done = 1;
	return 0;
}

static int bin_next(void *state, struct dma_op *op)
{
	struct bin_reader *r = state;
	const struct rec_kind *k;
	const unsigned char *p;
	char why[96];
	uint64_t at;
	int rc;

	if (r->done)
		return r->done < 0 ? -1 : 0;
	at = r->op_at = r->index;
	rc = get_rec(r, &p);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return at_end(r);
	if (p[R_KIND] == KIND_SG_ELEM)
		return bad(r, at, "bad kind 9: an sg element outside a map_sg");
	k = check_rec(r, at, p);
	if (!k)
		return -1;
	decode(p, k, op);
	if (trace_op_problem(op, why, sizeof(why)))
		return bad(r, at, "%s", why);
	if (op->kind == OP_MAP_SG && read_sg(r, at, op) < 0)
		return -1;
	return 1;
}

static void bin_where(void *state, char *buf, size_t n)
{
	const struct bin_reader *r = state;

	snprintf(buf, n, "%s: record %" PRIu64, r->path, r->op_at);
}

static void bin_close(void *state)
{
	struct bin_reader *r = state;

	if (!r)
		return;
	fclose(r->fp);
	free(r->buf);
	free(r->sg);
	free(r->path);
	free(r);
}

/* Checks the header at r->buf (BIN_HDR_SIZE bytes buffered) and takes the count. */
static int read_header(struct bin_reader *r)
{
	const unsigned char *h = r->buf;
	uint32_t v;

	if (r->end < BIN_HDR_SIZE)
		return bad_header(r->path, "truncated header: only %zu of its %u bytes", r->end,
				  BIN_HDR_SIZE);
	if (memcmp(h + H_MAGIC, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN))
		return bad_header(r->path, "not a ddwb trace: bad magic");
	v = get_le32(h + H_VERSION);
	if (v != BIN_VERSION)
		return bad_header(r->path, "unsupported version %" PRIu32 ", expected %u", v,
				  BIN_VERSION);
	if (get_le32(h + H_HDR_SIZE) != BIN_HDR_SIZE || get_le32(h + H_REC_SIZE) != BIN_REC_SIZE)
		return bad_header(r->path, "bad header: header size %" PRIu32 " and record size %" PRIu32 ", expected %u and %u",
				  get_le32(h + H_HDR_SIZE), get_le32(h + H_REC_SIZE), BIN_HDR_SIZE,
				  BIN_REC_SIZE);
	if (!all_zero(h + H_RSV1, 4) || !all_zero(h + H_RSV2, 32))
		return bad_header(r->path, "bad header: reserved bytes are not 0");
	r->count = get_le64(h + H_COUNT);
	r->pos = BIN_HDR_SIZE;
	return 0;
}

int trace_bin_open(struct op_source *src, const char *path, FILE *fp,
		   const unsigned char *head, size_t nhead)
{
	struct bin_reader *r = xcalloc(1, sizeof(*r));

	r->path = xstrdup(path);
	r->fp = fp;
	r->buf = xmalloc(BIN_BLOCK);
	r->sg = xmalloc(TRACE_SG_MAX * sizeof(*r->sg));
	for (size_t c = 1; c < NKINDS; c++)
		if (rec_kinds[c].name)
			make_pattern(&rec_kinds[c], &r->pat[c]);
	memcpy(r->buf, head, nhead);
	r->end = nhead;
	if (fill(r, BIN_HDR_SIZE) < 0 || read_header(r) < 0) {
		bin_close(r);
		return -1;
	}
	op_source_set(src, &bin_ops, r);
	return 0;
}

/* --- writing --- */

int trace_bin_write_header(FILE *fp)
{
	unsigned char h[BIN_HDR_SIZE] = { 0 };

	memcpy(h + H_MAGIC, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN);
	put_le(h + H_VERSION, 4, BIN_VERSION);
	put_le(h + H_HDR_SIZE, 4, BIN_HDR_SIZE);
	put_le(h + H_REC_SIZE, 4, BIN_REC_SIZE);
	put_le(h + H_COUNT, 8, BIN_UNKNOWN);
	return fwrite(h, 1, sizeof(h), fp) == sizeof(h) ? 0 : -1;
}

/* Encodes the fields kind code uses from op into p; the others get their "none". */
static void encode(unsigned char *p, unsigned code, const struct dma_op *op)
{
	const struct rec_kind *k = &rec_kinds[code];

	memset(p, 0, BIN_REC_SIZE);
	p[R_KIND] = (unsigned char)code;
	p[R_DIR] = (unsigned char)op->dir;
	p[R_WIN] = (unsigned char)op->win;
	p[R_LEVELS] = (unsigned char)op->levels;
	p[R_SHIFT] = (unsigned char)op->page_shift;
	p[R_FLAGS] = (unsigned char)op->flags;
	put_le(p + R_CPU, 4, op->cpu);
	put_le(p + R_DEV, 4, op->dev);
	put_le(p + R_NSG, 4, op->kind == OP_DEVICE ? op->clear : op->nsg);
	put_le(p + R_HANDLE, 8, op->handle);
	put_le(p + R_ADDR, 8, op->addr);
	put_le(p + R_LEN, 8, op->len);
	put_le(p + R_BUS, 8, op->rec_bus);
	put_le(p + R_TIME, 8, op->time_ps);
	for (size_t i = 0; i < sizeof(rec_fields) / sizeof(rec_fields[0]); i++) {
		const struct rec_field *f = &rec_fields[i];

		if (!(k->used & f->bit))
			memset(p + f->off, f->ones ? 0xff : 0, f->size);
	}
}

static unsigned kind_code(enum op_kind kind)
{
	for (unsigned c = 1; c < KIND_SG_ELEM; c++)
		if (rec_kinds[c].kind == kind)
			return c;
	return kind == OP_DEVICE ? KIND_DEVICE : 0;
}

/* Writes op (checked by trace_op_problem) and adds its records to *records; 0 or -1 (errno). */
int trace_bin_write_op(FILE *fp, const struct dma_op *op, uint64_t *records)
{
	unsigned char rec[BIN_REC_SIZE];

	encode(rec, kind_code(op->kind), op);
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

/* Fills in the header's record count; it stays unknown if fp cannot seek. */
void trace_bin_finish(FILE *fp, uint64_t records)
{
	unsigned char c[8];

	if (fflush(fp) != 0 || fseek(fp, H_COUNT, SEEK_SET) != 0)
		return;
	put_le(c, 8, records);
	fwrite(c, 1, sizeof(c), fp);
}
