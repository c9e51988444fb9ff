/*
 * trace_bin2.c - .ddwb version 2: each op in a few bytes (a tag byte, only
 * the fields that changed since the previous op, addresses as zigzag varint
 * deltas), in blocks that the reader checks once, as a whole, before it hands
 * out any of their ops.
 *
 * Why: version 1 spends 64 bytes on every op, and reading them cost more than
 * the replay (issue 13: 1.28 GB and 55 % of the time for 20 M random 4-byte
 * DMAs). A DMA that repeats the previous op's device, direction, handle, length
 * and flags takes here one tag byte and its offset's delta: 4 to 6 bytes.
 *
 * The file header is version 1's (trace_bin.c), with:
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   8       4     version: 2
 *   16      4     block size: 1048576, the most payload bytes of a block
 *   24      8     op count: ops in the blocks (sg elements not counted);
 *                 0xffffffffffffffff = unknown
 *
 * Blocks follow, to an end block. Block (16-byte header, then the payload):
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       4     payload bytes: 1..1048576; the end block: 0
 *   4       2     ops: 1..1024; the end block: 0
 *   6       2     sg elements of its map_sg ops: 0..16384
 *   8       8     checksum of bytes 0..7 and the payload (b2_sum below)
 *   16      n     the ops, coded as below, one after the other
 *
 * The end block is a block header of payload 0, ops 0, sg elements 0 and the
 * checksum of its 8 bytes; nothing follows it. A file cut on a block boundary
 * is therefore caught, in a pipe too.
 *
 * Op (a varint is LEB128: 7 bits a byte, low first, bit 7 = more, at most 10
 * bytes; a delta is a varint of the zigzag of the difference from the
 * register's value, modulo 2^64: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...):
 *
 *   SIZE    DESCRIPTION
 *   1       tag: bits 0..3 kind (1 map, 2 map_sg, 3 dma, 4 dmab, 5 unmap,
 *           6 wcreate, 7 wremove, 8 wreset, 10 device, as version 1's;
 *           0, 9 and 11..15 are bad); bit 4 a context byte follows; bit 5
 *           the op has a time stamp; bit 6 the op has a rec_bus (map,
 *           map_sg); bit 7 is 0
 *   1       context (tag bit 4): the fields that change, each bit a field
 *           whose new value follows, in this order; only fields the kind
 *           uses; never 0:
 *             bit 0 dir (1 byte), bit 1 win (1 byte), bit 2 flags (1 byte),
 *             bit 3 cpu (varint < 2^32), bit 4 dev (varint < 2^32),
 *             bit 5 handle (delta), bit 6 len (varint); bit 7 is 0
 *   ...     the kind's own fields:
 *             map      addr: delta of the phys register
 *             map_sg   nsg (varint 1..4096), then per element its phys (delta
 *                      of the phys register) and len (varint)
 *             dma      addr (the offset): delta of the offset register
 *             dmab     addr (the bus address): delta of the bus register
 *             wremove  addr (START): delta of the bus register
 *             wcreate  levels (1 byte), page_shift (1 byte)
 *             device   clear (varint), addr = dma_mask (varint)
 *             unmap, wreset: none
 *   varint  rec_bus (tag bit 6): delta of the rec_bus register
 *   varint  time_ps (tag bit 5): delta of the time register
 *
 * The registers (dir, win, flags, cpu, dev, handle, len; phys, offset, bus;
 * rec_bus, time) hold the last value coded in the block, and are 0 at the
 * start of each block, so a block decodes on its own. An op's fields come
 * from the registers for what its kind uses (version 1's table); the others
 * are 0, rec_bus and time_ps all ones when absent. Every op is then checked
 * as version 1 checks it (trace_op_problem: directions, ranges that wrap,
 * sg sums), so both versions carry exactly the same ops, and version 1 ->
 * 2 -> 1 is byte for byte.
 *
 * The writer fills a block up to 1024 ops, 16384 sg elements or 1 MiB, then
 * writes it; the reader reads it whole (at least 1 MiB at a time), checks its
 * header and checksum, then decodes its ops into the batch. An error in an op
 * is "FILE: op N: message" (N counts ops from 0, sg elements not counted);
 * in a block as a whole, "FILE: block N: message" (blocks from 0).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"
#include "trace_bin_int.h"

/* BMI2's pext for the common op's varint, chosen at run time (pext_fast). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DDWSIM_NO_SIMD)
#define DDW_PEXT 1
#include <immintrin.h>
#else
#define DDW_PEXT 0
#endif

#define B2_HDR		16		/* block header bytes */
#define B2_OP_MAX	80		/* most bytes of one op, sg elements aside */
#define B2_SG_MAX	20		/* most bytes of one sg element: two varints */
#define B2_K		0x9e3779b97f4a7c15ull	/* 2^64 / golden ratio, as splitmix64's */

/* Tag bits. */
enum { T_KIND = 0x0f, T_CTX = 0x10, T_TIME = 0x20, T_BUS = 0x40, T_RSV = 0x80 };

/* Context bits. */
enum {
	C_DIR = 0x01, C_WIN = 0x02, C_FLAGS = 0x04, C_CPU = 0x08, C_DEV = 0x10, C_HANDLE = 0x20,
	C_LEN = 0x40,
};

_Static_assert(BIN_BATCH <= 0xffff && BIN_BATCH_SG <= 0xffff, "counts fit the block header");
_Static_assert(TRACE_BIN2_BLOCK_MAX < UINT32_MAX, "the payload length fits 4 bytes");

/* The registers of a block (see above). */
struct b2_regs {
	uint64_t dir, win, flags, cpu, dev, handle, len;	/* the context */
	uint64_t phys, off, bus;				/* addresses, by kind */
	uint64_t rec_bus, time;
};

/* One block being decoded. */
struct b2_dec {
	struct bin_reader *r;
	const unsigned char *p, *end;	/* the payload not yet decoded */
	uint64_t op;			/* number of the op being decoded */
	unsigned sg_left;		/* sg elements the header still counts */
	struct b2_regs g;
	bool tpl_ok;			/* tpl holds the registers' dma, checked */
	struct dma_op tpl;		/* the last dma decoded the long way, no time stamp */
};

/* The context bits kind k may carry. */
static unsigned ctx_allowed(const struct rec_kind *k)
{
	return (k->used & U_DIR ? C_DIR : 0) | (k->used & U_WIN ? C_WIN : 0) |
	       (k->used & U_FLAGS ? C_FLAGS : 0) | (k->used & U_CPU ? C_CPU : 0) |
	       (k->used & U_DEV ? C_DEV : 0) | (k->used & U_HANDLE ? C_HANDLE : 0) |
	       (k->used & U_LEN ? C_LEN : 0);
}

static inline uint64_t zigzag(uint64_t d)
{
	return d << 1 ^ (0 - (d >> 63));
}

static inline uint64_t unzigzag(uint64_t z)
{
	return z >> 1 ^ (0 - (z & 1));
}

/*
 * The block checksum: a multiply-xorshift hash over the block header's first
 * 8 bytes, then the payload as little-endian words (the last one padded with
 * zeros), in the style of FNV and splitmix64: b2_sum, in three steps. Each
 * word waits for the one before (a multiply and two xors, about 6 cycles), so
 * the reader sums several blocks side by side (b2_sums, block_sum).
 */
static inline uint64_t b2_begin(const unsigned char *hdr)
{
	uint64_t h = (bin_load_le64(hdr) ^ B2_K) * B2_K;

	return h ^ h >> 32;
}

static inline uint64_t b2_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * B2_K;
	return h ^ h >> 29;
}

static uint64_t b2_end(uint64_t h, const unsigned char *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8)
		h = b2_step(h, bin_load_le64(p));
	if (n)
		h = b2_step(h, bin_get_le(p, (unsigned)n));
	return h ^ h >> 32;
}

static uint64_t b2_sum(const unsigned char *hdr, const unsigned char *p, size_t n)
{
	return b2_end(b2_begin(hdr), p, n);
}

/*
 * The checksums of the n (1..BIN_SUM_AHEAD) whole blocks at b[i], payloads of
 * len[i] bytes, into sum[i]: their common whole words side by side, one
 * independent chain each (a lane past n repeats block 0), then each one's
 * rest alone.
 */
static void b2_sums(const unsigned char *const *b, const size_t *len, unsigned n, uint64_t *sum)
{
	const unsigned char *p[BIN_SUM_AHEAD];
	uint64_t h[BIN_SUM_AHEAD];
	size_t common = len[0] & ~(size_t)7;

	for (unsigned i = 0; i < BIN_SUM_AHEAD; i++) {
		p[i] = b[i < n ? i : 0];
		h[i] = b2_begin(p[i]);
		p[i] += B2_HDR;
		if (i < n && (len[i] & ~(size_t)7) < common)
			common = len[i] & ~(size_t)7;
	}
	_Static_assert(BIN_SUM_AHEAD == 4,
		       "b2_sums has four lanes, written out to keep them in registers");
	for (size_t j = 0; j < common; j += 8) {
		h[0] = b2_step(h[0], bin_load_le64(p[0] + j));
		h[1] = b2_step(h[1], bin_load_le64(p[1] + j));
		h[2] = b2_step(h[2], bin_load_le64(p[2] + j));
		h[3] = b2_step(h[3], bin_load_le64(p[3] + j));
	}
	for (unsigned i = 0; i < n; i++)
		sum[i] = b2_end(h[i], p[i] + common, len[i] - common);
}

/* --- reading --- */

static bool b2_trunc(struct b2_dec *d)
{
	bin_bad(d->r, "op", d->op, "truncated: the op runs past the end of block %" PRIu64,
		d->r->block);
	return false;
}

static inline bool rd_byte(struct b2_dec *d, uint64_t *v)
{
	if (d->p == d->end)
		return b2_trunc(d);
	*v = *d->p++;
	return true;
}

static inline bool rd_varint(struct b2_dec *d, uint64_t *v)
{
	const unsigned char *p = d->p;
	uint64_t x = 0;

	for (unsigned s = 0;; s += 7) {
		unsigned b;

		if (p == d->end)
			return b2_trunc(d);
		b = *p++;
		if (s == 63 && b > 1) {
			bin_bad(d->r, "op", d->op, "bad varint: more than 64 bits");
			return false;
		}
		x |= (uint64_t)(b & 0x7f) << s;
		if (b < 0x80)
			break;
	}
	d->p = p;
	*v = x;
	return true;
}

/* reg += the delta that follows; *v = the new value. */
static inline bool rd_delta(struct b2_dec *d, uint64_t *reg, uint64_t *v)
{
	uint64_t z;

	if (!rd_varint(d, &z))
		return false;
	*v = *reg += unzigzag(z);
	return true;
}

/* A varint that must fit 32 bits (cpu, dev). */
static bool rd_u32(struct b2_dec *d, const char *what, uint64_t *v)
{
	if (!rd_varint(d, v))
		return false;
	if (*v > UINT32_MAX) {
		bin_bad(d->r, "op", d->op, "bad %s %" PRIu64 " (expected below 2^32)", what, *v);
		return false;
	}
	return true;
}

/* The context byte and the fields it names, into the registers. */
static bool rd_context(struct b2_dec *d, const struct rec_kind *k)
{
	uint64_t c, z;
	struct b2_regs *g = &d->g;

	if (!rd_byte(d, &c))
		return false;
	if (c == 0 || (c & ~(uint64_t)ctx_allowed(k))) {
		bin_bad(d->r, "op", d->op, "bad context byte %#" PRIx64 " for %s %s (expected a nonzero subset of %#x, the fields it has)",
			c, k->a, k->name, ctx_allowed(k));
		return false;
	}
	if ((c & C_DIR && !rd_byte(d, &g->dir)) || (c & C_WIN && !rd_byte(d, &g->win)) ||
	    (c & C_FLAGS && !rd_byte(d, &g->flags)) || (c & C_CPU && !rd_u32(d, "cpu", &g->cpu)) ||
	    (c & C_DEV && !rd_u32(d, "dev", &g->dev)))
		return false;
	if (c & C_HANDLE) {
		if (!rd_varint(d, &z))
			return false;
		g->handle += unzigzag(z);
	}
	return !(c & C_LEN) || rd_varint(d, &g->len);
}

/* Sets op's fields its kind takes from the registers. */
static void from_regs(const struct b2_regs *g, const struct rec_kind *k, struct dma_op *op)
{
	unsigned u = k->used;

	*op = (struct dma_op){
		.kind = k->kind,
		.dir = u & U_DIR ? (enum dma_dir)g->dir : 0,
		.win = u & U_WIN ? (unsigned)g->win : 0,
		.flags = u & U_FLAGS ? (unsigned)g->flags : 0,
		.cpu = u & U_CPU ? (unsigned)g->cpu : 0,
		.dev = u & U_DEV ? (unsigned)g->dev : 0,
		.handle = u & U_HANDLE ? g->handle : 0,
		.len = u & U_LEN ? g->len : 0,
		.rec_bus = OP_NO_BUS,
		.time_ps = OP_NO_TIME,
	};
}

/* A map_sg's nsg and elements, into the batch's side array. */
static bool rd_sg(struct b2_dec *d, struct dma_op *op)
{
	struct bin_reader *r = d->r;
	struct sg_elem *sg = r->sg + r->nsg;
	uint64_t nsg;

	if (!rd_varint(d, &nsg))
		return false;
	if (nsg < 1 || nsg > TRACE_SG_MAX) {
		bin_bad(r, "op", d->op, "bad nsg %" PRIu64 " for a map_sg (expected 1..%u)", nsg,
			TRACE_SG_MAX);
		return false;
	}
	if (nsg > d->sg_left) {
		bin_bad(r, "op", d->op, "bad map_sg: its %" PRIu64 " sg elements are more than block %" PRIu64 "'s header counts", nsg,
			r->block);
		return false;
	}
	for (unsigned i = 0; i < nsg; i++)
		if (!rd_delta(d, &d->g.phys, &sg[i].phys) || !rd_varint(d, &sg[i].len))
			return false;
	op->nsg = (unsigned)nsg;
	op->sg = sg;
	r->nsg += op->nsg;
	d->sg_left -= op->nsg;
	return true;
}

/* The fields of op's own kind (the table above). */
static bool rd_body(struct b2_dec *d, struct dma_op *op)
{
	uint64_t a, b;

	switch (op->kind) {
	case OP_MAP:
		return rd_delta(d, &d->g.phys, &op->addr);
	case OP_MAP_SG:
		return rd_sg(d, op);
	case OP_DMA:
		return rd_delta(d, &d->g.off, &op->addr);
	case OP_DMA_BUS:
	case OP_WIN_REMOVE:
		return rd_delta(d, &d->g.bus, &op->addr);
	case OP_WIN_CREATE:
		if (!rd_byte(d, &a) || !rd_byte(d, &b))
			return false;
		op->levels = (unsigned)a;
		op->page_shift = (unsigned)b;
		return true;
	case OP_DEVICE:
		return rd_varint(d, &op->clear) && rd_varint(d, &op->addr);
	default:
		return true;
	}
}

/* The tag's kind, or NULL after reporting. */
static const struct rec_kind *tag_kind(struct b2_dec *d, unsigned tag)
{
	unsigned code = tag & T_KIND;
	const struct rec_kind *k;

	if (code == 0 || code == KIND_SG_ELEM || code >= BIN_NKINDS) {
		bin_bad(d->r, "op", d->op, "bad kind %u in tag %#x", code, tag);
		return NULL;
	}
	k = &bin_kinds[code];
	if (tag & T_RSV)
		bin_bad(d->r, "op", d->op, "bad tag %#x: bit 7 is reserved, 0", tag);
	else if (tag & T_BUS && !(k->used & U_BUS))
		bin_bad(d->r, "op", d->op, "bad tag %#x: %s %s has no rec_bus", tag, k->a, k->name);
	else
		return k;
	return NULL;
}

/* Decodes and checks one op. */
static bool rd_op(struct b2_dec *d, struct dma_op *op)
{
	const struct rec_kind *k;
	uint64_t tag;
	char why[112];

	if (!rd_byte(d, &tag))
		return false;
	k = tag_kind(d, (unsigned)tag);
	if (tag & T_CTX)
		d->tpl_ok = false;	/* the registers change */
	if (!k || (tag & T_CTX && !rd_context(d, k)))
		return false;
	from_regs(&d->g, k, op);
	if (!rd_body(d, op))
		return false;
	if (tag & T_BUS && !rd_delta(d, &d->g.rec_bus, &op->rec_bus))
		return false;
	if (tag & T_TIME && !rd_delta(d, &d->g.time, &op->time_ps))
		return false;
	if (trace_op_problem(op, why, sizeof(why))) {
		bin_bad(d->r, "op", d->op, "%s", why);
		return false;
	}
	if (op->kind == OP_DMA && !(tag & T_TIME)) {
		d->tpl = *op;	/* its dir, flags and len passed: the next plain dmas reuse them */
		d->tpl.rec_bus = OP_NO_BUS;	/* theirs is not recorded */
		d->tpl_ok = true;
	}
	return true;
}

/* The bit number of the lowest set bit of v (v != 0). */
static inline unsigned low_bit(uint64_t v)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(v);
#else
	unsigned n = 0;

	for (; !(v & 1); v >>= 1)
		n++;
	return n;
#endif
}

/*
 * The 7-bit groups of a varint's bytes, w's bytes 1 to 7 (bit 7 of each
 * clear, those after the last one 0), packed low first. Without BMI2, in
 * three steps that each close the gaps bit 7 leaves, between bytes, then
 * pairs of them, then quads: each odd group shifted down onto the even one.
 */
static inline uint64_t pack7(uint64_t w)
{
	w = (w & 0x7f7f7f7f7f7f7f00ull) >> 8;
	w = (w & 0x00ff00ff00ff00ffull) | (w & 0xff00ff00ff00ff00ull) >> 1;
	w = (w & 0x0000ffff0000ffffull) | (w & 0xffff0000ffff0000ull) >> 2;
	return (w & 0xffffffffull) | (w >> 32 << 28);
}

#if DDW_PEXT
/* pack7 in one instruction where BMI2's pext is fast (trace_bin2_init). */
__attribute__((target("bmi,bmi2"))) static inline uint64_t pack7_pext(uint64_t w)
{
	return _pext_u64(w, 0x7f7f7f7f7f7f7f00ull);
}
#endif

/*
 * A plain dma (tag 3, nothing but its offset's delta) whose delta's varint
 * has at most 7 bytes, from the 8 bytes at p (all in the block): one load, no
 * branch per byte. The varint ends at its first byte with bit 7 clear; its
 * bytes up to it are packed (pack). False for any other op (rd_op takes it).
 * *z = the delta's zigzag, *n = the op's bytes. The length comes from the
 * word as loaded (its bytes 1 to 7), the shortest path to the next op's load.
 */
__attribute__((always_inline)) static inline bool
plain_dma(const unsigned char *p, uint64_t *z, unsigned *n, uint64_t (*pack)(uint64_t))
{
	const uint64_t w = bin_load_le64(p), stop = ~w & 0x8080808080808000ull;

	if ((w & 0xff) != 3 || !stop)
		return false;
	*n = low_bit(stop) / 8 + 1;	/* the tag and the varint */
	*z = pack(w & (stop ^ (stop - 1)));
	return true;
}

/*
 * The common op, a dma with nothing but its offset's delta (tag 3): the last
 * checked dma with the new offset, whose range is all that is left to check.
 * From op i on, as many as follow one another (the cursor and the offset
 * kept in locals): the index of the first that is not one (plain_dma), or
 * that ends the block within 8 bytes, or whose range is bad, for rd_op to
 * decode (and name the problem). The ones decoded are a run (struct
 * bin_run): their offsets in r->addr, the first whole in r->ops.
 */
__attribute__((always_inline)) static inline int
fast_dmas_with(struct b2_dec *d, int i, int nops, uint64_t (*pack)(uint64_t))
{
	/* the payload follows its 16-byte header: end - 8 is in the buffer */
	const unsigned char *p = d->p, *const last = d->end - 8;
	struct bin_reader *r = d->r;
	uint64_t off = d->g.off, z, addr, *restrict out = r->addr;
	const uint64_t len = d->tpl.len;
	const int first = i;
	unsigned n;

	if (!d->tpl_ok)
		return i;
	for (; i < nops; i++) {
		if (p > last || !plain_dma(p, &z, &n, pack))
			break;
		addr = off + unzigzag(z);
		if (ck_range(addr, len))
			break;
		off = addr;
		p += n;
		out[i] = addr;
	}
	if (i > first) {	/* a run: the template, that op but its offset */
		r->ops[first] = d->tpl;
		r->ops[first].addr = out[first];
		r->at[first] = r->index + (uint64_t)first;
		r->runs[r->nruns++] = (struct bin_run){ (uint16_t)first, (uint16_t)(i - first) };
	}
	d->p = p;
	d->g.off = off;
	return i;
}

/* The end block: the count must match, and nothing may follow. */
static int rd_end(struct bin_reader *r)
{
	r->pos += B2_HDR;
	if (r->count != BIN_UNKNOWN && r->count != r->index)
		return bin_bad(r, "block", r->block, "bad op count: the file header counts %" PRIu64 " ops, the blocks hold %" PRIu64,
			       r->count, r->index);
	if (bin_fill(r, 1) < 0)
		return -1;
	if (r->end > r->pos)
		return bin_bad(r, "block", r->block, "unexpected data after the end block");
	r->done = 1;
	return 0;
}

/*
 * Block r->block's checksum, its header at h and its len payload bytes all
 * buffered: kept from an earlier call, or summed now with those of the whole
 * blocks after it already in the buffer (up to BIN_SUM_AHEAD in all), which are
 * kept for their turn. The first block after it whose payload length is bad
 * or which is not all buffered ends the look ahead: its turn checks it.
 */
static uint64_t block_sum(struct bin_reader *r, const unsigned char *h, uint64_t len)
{
	const unsigned char *b[BIN_SUM_AHEAD] = { h }, *q = h + B2_HDR + len;
	const unsigned char *const end = r->buf + r->end;
	size_t blen[BIN_SUM_AHEAD] = { (size_t)len };
	unsigned n = 1;

	if (r->block - r->sum_first < r->nsum)	/* (0 when block is before sum_first: wraps) */
		return r->sum[r->block - r->sum_first];
	for (; n < BIN_SUM_AHEAD && end - q >= B2_HDR; n++) {
		uint64_t l = bin_get_le(q, 4);

		if (l < 1 || l > TRACE_BIN2_BLOCK_MAX || (uint64_t)(end - q - B2_HDR) < l)
			break;
		b[n] = q;
		blen[n] = (size_t)l;
		q += B2_HDR + l;
	}
	b2_sums(b, blen, n, r->sum);
	r->sum_first = r->block;
	r->nsum = n;
	return r->sum[0];
}

/* Checks block r->block's header at r->buf + r->pos and buffers it whole; ops, 0 at the end, -1. */
static int rd_block_header(struct bin_reader *r, unsigned *nsg)
{
	const unsigned char *h;
	uint64_t len, nops;

	if (bin_fill(r, B2_HDR) < 0)
		return -1;
	if (r->end - r->pos < B2_HDR)
		return bin_bad(r, "block", r->block, "truncated: %s", r->end == r->pos ?
			       "the file ends without its end block" : "a partial block header");
	h = r->buf + r->pos;
	len = bin_get_le(h, 4);
	nops = bin_get_le(h + 4, 2);
	*nsg = (unsigned)bin_get_le(h + 6, 2);
	if (len == 0 && nops == 0 && *nsg == 0 && b2_sum(h, h, 0) == bin_get_le(h + 8, 8))
		return rd_end(r);
	if (len < 1 || len > TRACE_BIN2_BLOCK_MAX || nops < 1 || nops > BIN_BATCH ||
	    *nsg > BIN_BATCH_SG)
		return bin_bad(r, "block", r->block, "bad block header: %" PRIu64 " payload bytes, %" PRIu64 " ops, %u sg elements (expected 1..%u, 1..%u, 0..%u)",
			       len, nops, *nsg, TRACE_BIN2_BLOCK_MAX, BIN_BATCH, BIN_BATCH_SG);
	if (bin_fill(r, B2_HDR + len) < 0)
		return -1;
	h = r->buf + r->pos;
	if (r->end - r->pos < B2_HDR + len)
		return bin_bad(r, "block", r->block, "truncated: %" PRIu64 " payload bytes, the file ends after %zu",
			       len, r->end - r->pos - B2_HDR);
	if (block_sum(r, h, len) != bin_get_le(h + 8, 8))
		return bin_bad(r, "block", r->block, "bad checksum %#" PRIx64 ", the block header says %#" PRIx64,
			       b2_sum(h, h + B2_HDR, len), bin_get_le(h + 8, 8));
	return (int)nops;
}

/* After the block's ops: the payload and the sg count must be used up exactly. */
static int rd_block_tail(struct b2_dec *d, int nops, unsigned nsg)
{
	struct bin_reader *r = d->r;

	if (d->p != d->end)
		return bin_bad(r, "block", r->block, "bad block: its header counts %d ops, and %td payload bytes are left after them",
			       nops, d->end - d->p);
	if (d->sg_left)
		return bin_bad(r, "block", r->block, "bad block: its ops hold %u sg elements, its header counts %u",
			       nsg - d->sg_left, nsg);
	return 0;
}

/*
 * Version 2's decode: one block into the batch (the ops before an error in
 * it), its plain dmas by fast_dmas_with(pack).
 */
__attribute__((always_inline)) static inline int
v2_decode_with(struct bin_reader *r, uint64_t (*pack)(uint64_t))
{
	struct b2_dec d = { .r = r };
	unsigned nsg = 0;
	int nops = rd_block_header(r, &nsg), i;

	if (nops <= 0)
		return 0;
	d.p = r->buf + r->pos + B2_HDR;
	d.end = d.p + bin_get_le(r->buf + r->pos, 4);
	d.sg_left = nsg;
	for (i = fast_dmas_with(&d, 0, nops, pack); i < nops;
	     i = fast_dmas_with(&d, i + 1, nops, pack)) {
		d.op = r->index + (uint64_t)i;
		if (!rd_op(&d, &r->ops[i]))
			return i;
		r->at[i] = d.op;
	}
	if (rd_block_tail(&d, nops, nsg) < 0)
		return 0;	/* the block as a whole is bad: none of its ops */
	r->pos = (size_t)(d.end - r->buf);
	r->index += (uint64_t)nops;
	r->block++;
	return nops;
}

static int v2_decode(struct bin_reader *r)
{
	return v2_decode_with(r, pack7);
}

#if DDW_PEXT
__attribute__((target("bmi,bmi2"))) static int v2_decode_pext(struct bin_reader *r)
{
	return v2_decode_with(r, pack7_pext);
}

/*
 * Is pext fast here? It is one cycle's work on Intel since Haswell and on
 * AMD since Zen 3, but microcoded, hundreds of cycles, on Zen 1 and 2 and
 * the Bulldozer family before them. DDWSIM_NO_PEXT (set, non-empty) turns it
 * off, for tests and measurements of the portable path.
 */
static bool pext_fast(void)
{
	const char *off = getenv("DDWSIM_NO_PEXT");

	__builtin_cpu_init();
	if ((off && *off) || !__builtin_cpu_supports("bmi2"))
		return false;
	return !__builtin_cpu_is("amd") || !(__builtin_cpu_is("amdfam17h") ||
					    __builtin_cpu_is("amdfam15h"));
}
#endif

int trace_bin2_init(struct bin_reader *r)
{
	r->unit = "op";
	r->decode = v2_decode;
#if DDW_PEXT
	if (pext_fast())
		r->decode = v2_decode_pext;
#endif
	return 0;
}

/* --- writing --- */

struct bin2_out {
	unsigned char *buf;	/* the block being filled: header, then payload */
	size_t cap;		/* buf's bytes: grows to B2_HDR + TRACE_BIN2_BLOCK_MAX */
	size_t len;		/* payload bytes in it */
	unsigned nops, nsg;	/* its ops and sg elements */
	uint64_t ops;		/* ops written, all blocks */
	struct b2_regs g;
};

struct bin2_out *bin2_out_new(void)
{
	struct bin2_out *o = xcalloc(1, sizeof(*o));

	o->cap = B2_HDR + 16384;	/* 1024 plain dmas take about 5 KiB */
	o->buf = xmalloc(o->cap);
	return o;
}

void bin2_out_free(struct bin2_out *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o);
}

/* Writes the block's header (then its payload); starts the next block. */
static int flush_block(struct bin2_out *o, FILE *fp)
{
	unsigned char *h = o->buf;

	bin_put_le(h, 4, o->len);
	bin_put_le(h + 4, 2, o->nops);
	bin_put_le(h + 6, 2, o->nsg);
	bin_put_le(h + 8, 8, b2_sum(h, h + B2_HDR, o->len));
	if (fwrite(h, 1, B2_HDR + o->len, fp) != B2_HDR + o->len)
		return -1;
	o->len = 0;
	o->nops = o->nsg = 0;
	memset(&o->g, 0, sizeof(o->g));
	return 0;
}

static inline unsigned char *put_varint(unsigned char *q, uint64_t v)
{
	for (; v >= 0x80; v >>= 7)
		*q++ = (unsigned char)(v | 0x80);
	*q++ = (unsigned char)v;
	return q;
}

/* The delta of v from reg, which becomes v. */
static inline unsigned char *put_delta(unsigned char *q, uint64_t *reg, uint64_t v)
{
	q = put_varint(q, zigzag(v - *reg));
	*reg = v;
	return q;
}

/* The context byte (if a field changed) and the new values; *tag gets T_CTX. */
static unsigned char *put_context(unsigned char *q, struct b2_regs *g, const struct rec_kind *k,
				  const struct dma_op *op, unsigned *tag)
{
	unsigned ok = ctx_allowed(k), c = 0;
	unsigned char *cb = q++;

	c |= (ok & C_DIR) && op->dir != g->dir ? C_DIR : 0;
	c |= (ok & C_WIN) && op->win != g->win ? C_WIN : 0;
	c |= (ok & C_FLAGS) && op->flags != g->flags ? C_FLAGS : 0;
	c |= (ok & C_CPU) && op->cpu != g->cpu ? C_CPU : 0;
	c |= (ok & C_DEV) && op->dev != g->dev ? C_DEV : 0;
	c |= (ok & C_HANDLE) && op->handle != g->handle ? C_HANDLE : 0;
	c |= (ok & C_LEN) && op->len != g->len ? C_LEN : 0;
	if (!c)
		return cb;	/* nothing changed: no context byte */
	*tag |= T_CTX;
	*cb = (unsigned char)c;
	if (c & C_DIR)
		*q++ = (unsigned char)(g->dir = (unsigned)op->dir);
	if (c & C_WIN)
		*q++ = (unsigned char)(g->win = op->win);
	if (c & C_FLAGS)
		*q++ = (unsigned char)(g->flags = op->flags);
	if (c & C_CPU)
		q = put_varint(q, g->cpu = op->cpu);
	if (c & C_DEV)
		q = put_varint(q, g->dev = op->dev);
	if (c & C_HANDLE)
		q = put_delta(q, &g->handle, op->handle);
	if (c & C_LEN)
		q = put_varint(q, g->len = op->len);
	return q;
}

/* The fields of op's own kind. */
static unsigned char *put_body(unsigned char *q, struct b2_regs *g, const struct dma_op *op)
{
	switch (op->kind) {
	case OP_MAP:
		return put_delta(q, &g->phys, op->addr);
	case OP_MAP_SG:
		q = put_varint(q, op->nsg);
		for (unsigned i = 0; i < op->nsg; i++)
			q = put_varint(put_delta(q, &g->phys, op->sg[i].phys), op->sg[i].len);
		return q;
	case OP_DMA:
		return put_delta(q, &g->off, op->addr);
	case OP_DMA_BUS:
	case OP_WIN_REMOVE:
		return put_delta(q, &g->bus, op->addr);
	case OP_WIN_CREATE:
		*q++ = (unsigned char)op->levels;
		*q++ = (unsigned char)op->page_shift;
		return q;
	case OP_DEVICE:
		return put_varint(put_varint(q, op->clear), op->addr);
	default:
		return q;
	}
}

int bin2_out_op(struct bin2_out *o, FILE *fp, const struct dma_op *op)
{
	unsigned code = bin_kind_code(op->kind), tag = code;
	const struct rec_kind *k = &bin_kinds[code];
	unsigned nsg = op->kind == OP_MAP_SG ? op->nsg : 0;
	unsigned char *t, *q;

	if (o->nops && (o->nops == BIN_BATCH || o->nsg + nsg > BIN_BATCH_SG ||
	    o->len + B2_OP_MAX + (size_t)nsg * B2_SG_MAX > TRACE_BIN2_BLOCK_MAX))
		if (flush_block(o, fp) < 0)
			return -1;
	if (B2_HDR + o->len + B2_OP_MAX + (size_t)nsg * B2_SG_MAX > o->cap) {
		o->cap = B2_HDR + TRACE_BIN2_BLOCK_MAX;	/* what any block fits in */
		o->buf = xrealloc(o->buf, o->cap);
	}
	t = o->buf + B2_HDR + o->len;
	q = put_context(t + 1, &o->g, k, op, &tag);
	q = put_body(q, &o->g, op);
	if ((k->used & U_BUS) && op->rec_bus != OP_NO_BUS) {
		tag |= T_BUS;
		q = put_delta(q, &o->g.rec_bus, op->rec_bus);
	}
	if (op->time_ps != OP_NO_TIME) {
		tag |= T_TIME;
		q = put_delta(q, &o->g.time, op->time_ps);
	}
	*t = (unsigned char)tag;
	o->len = (size_t)(q - (o->buf + B2_HDR));
	o->nops++;
	o->nsg += nsg;
	o->ops++;
	return 0;
}

int bin2_out_end(struct bin2_out *o, FILE *fp, uint64_t *ops)
{
	if (o->nops && flush_block(o, fp) < 0)
		return -1;
	*ops = o->ops;
	return flush_block(o, fp);	/* the end block: 0 bytes, 0 ops */
}
