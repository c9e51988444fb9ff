/* trace_bin_int.h - what the .ddwb readers and writers share: the kind table, the batch reader, bytes. */
#ifndef DDWSIM_TRACE_BIN_INT_H
#define DDWSIM_TRACE_BIN_INT_H

/*
 * trace_bin.c holds the file header, the batch reader both versions run on
 * (buffer, batch of decoded ops, deferred errors, where) and version 1;
 * trace_bin2.c holds version 2 (blocks of varint-coded ops). The layouts are
 * the design notes at the top of each file.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/err.h"
#include "ddwsim/trace.h"

#define BIN_HDR_SIZE	64
#define BIN_UNKNOWN	UINT64_MAX		/* count not known */
#define BIN_READ	(1u << 20)		/* bytes read at a time, at least */
#define BIN_SUM_AHEAD	4			/* v2 blocks checksummed side by side */
#define BIN_BATCH	1024			/* most ops decoded at once (one v2 block) */
#define BIN_BATCH_SG	16384			/* most sg elements in one batch (one v2 block) */
#define KIND_SG_ELEM	9
#define KIND_DEVICE	10

_Static_assert(BIN_BATCH_SG >= TRACE_SG_MAX, "the largest map_sg fits one batch");

/* Header offsets (trace_bin.c's table; version 2 keeps the layout). */
enum {
	H_MAGIC = 0, H_VERSION = 8, H_HDR_SIZE = 12, H_REC_SIZE = 16, H_RSV1 = 20, H_COUNT = 24,
	H_RSV2 = 32,
};

/* Field bits, for the table of which kind uses which field. */
enum {
	U_DIR = 1 << 0, U_WIN = 1 << 1, U_LEVELS = 1 << 2, U_SHIFT = 1 << 3, U_CPU = 1 << 4,
	U_DEV = 1 << 5, U_NSG = 1 << 6, U_HANDLE = 1 << 7, U_ADDR = 1 << 8, U_LEN = 1 << 9,
	U_BUS = 1 << 10, U_TIME = 1 << 11, U_FLAGS = 1 << 12,
};

/* Record kinds, by their code in the file (index 0 unused); both versions share the codes. */
struct rec_kind {
	const char *name;
	const char *a;			/* its article in messages */
	enum op_kind kind;
	unsigned used;			/* U_* */
};

#define BIN_NKINDS	11
extern const struct rec_kind bin_kinds[BIN_NKINDS];

/* The code of an op kind (never KIND_SG_ELEM). */
unsigned bin_kind_code(enum op_kind kind);

/* A reported-later error: the reader hands out the ops before it first. */
struct bin_err {
	bool set;		/* an error waits */
	bool reported;		/* and was printed */
	bool plain;		/* "ddwsim: msg" (I/O), else "FILE: UNIT N: msg" */
	const char *unit;	/* "record", "op", "block" */
	uint64_t at;		/* its number */
	char msg[640];
};

/*
 * A run of a batch (version 2's plain DMAs): ops[first .. first + n) are
 * ops[first] but for their offsets addr[first ..], and their positions
 * at[first] + 0, 1, ... The decode fills only ops[first] and at[first];
 * ops handed out as ops are expanded first (bin_expand).
 */
struct bin_run {
	uint16_t first, n;
};

struct bin_reader {
	char *path;
	FILE *fp;
	unsigned char *buf;	/* cap bytes, plus 16 of slack */
	size_t cap, pos, end;	/* unread bytes: buf[pos..end) */
	bool eof;		/* fp has nothing more */
	unsigned version;	/* 1 or 2 */
	const char *unit;	/* what where() counts: "record" (v1), "op" (v2) */
	uint64_t count;		/* records (v1) or ops (v2) the header counts, or BIN_UNKNOWN */
	uint64_t index;		/* v1: the next record; v2: the next op */
	uint64_t block;		/* v2: the next block */
	uint64_t sum_first;	/* v2: blocks sum_first to + nsum - 1 were checksummed ahead, */
	unsigned nsum;		/* their checksums in sum */
	uint64_t sum[BIN_SUM_AHEAD];
	int (*decode)(struct bin_reader *r);	/* fills ops: their number; sets done */
	struct dma_op *ops;	/* BIN_BATCH decoded ops (a run: its first, see runs) */
	struct sg_elem *sg;	/* BIN_BATCH_SG elements, the batch's sg lists */
	uint64_t *at;		/* BIN_BATCH: each op's record (v1) or op number (v2) */
	uint64_t *addr;		/* BIN_BATCH: the offsets of the ops in runs */
	struct bin_run *runs;	/* the batch's runs, in order */
	unsigned nruns;		/* runs in the batch */
	unsigned run_next;	/* the next run next_run() hands out */
	bool expanded;		/* the runs' ops (but the first) are in ops and at too */
	long n, next;		/* ops in the batch; the next one next() hands out */
	unsigned nsg;		/* sg elements used in the batch */
	uint64_t last_at;	/* position of the last op handed out */
	long first;		/* ops[first] is op 0 of the last batch handed out, */
	bool first_run;		/* a run */
	int done;		/* 0 reading, 1 at the end, -1 an error (r->err) */
	struct bin_err err;
	void *v;		/* the version's own state */
	void (*free_v)(void *v);
};

/* Records an error at UNIT N, to be reported once the ops before it are out; returns -1. */
int bin_bad(struct bin_reader *r, const char *unit, uint64_t at, const char *fmt, ...)
	DDW_PRINTF(4, 5);

/* Reads until at least want bytes are buffered or the file ends; 0 or -1 (an error set). */
int bin_fill(struct bin_reader *r, size_t want);

/* Version 2: takes the reader whose header (version 2) was read; 0 or -1 reported. */
int trace_bin2_init(struct bin_reader *r);

/* Version-specific writers behind trace_bin_out (trace.h). */
struct bin2_out;
struct bin2_out *bin2_out_new(void);
int bin2_out_op(struct bin2_out *o, FILE *fp, const struct dma_op *op);
int bin2_out_end(struct bin2_out *o, FILE *fp, uint64_t *ops);
void bin2_out_free(struct bin2_out *o);

/* --- little-endian bytes --- */

static inline uint64_t bin_get_le(const unsigned char *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static inline void bin_put_le(unsigned char *p, unsigned size, uint64_t v)
{
	for (unsigned i = 0; i < size; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* The little-endian word at p, one load on a little-endian host. */
static inline uint64_t bin_load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
#else
	return bin_get_le(p, 8);
#endif
}

#endif /* DDWSIM_TRACE_BIN_INT_H */
