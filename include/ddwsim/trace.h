/* trace.h - DMA trace files (.ddwt text, .ddwb binary): read as op sources, written atomically. */
#ifndef DDWSIM_TRACE_H
#define DDWSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ddwsim/workload.h"

/*
 * The formats themselves are documented at the top of src/trace_text.c
 * (line grammar) and src/trace_bin.c (OFFSET / SIZE / DESCRIPTION tables).
 * Both carry exactly the same information, so conversion is lossless both ways.
 *
 * Errors: a bad line or record is reported to stderr as "FILE:LINE: message"
 * (text) or "FILE: record N: message" (binary, N counts records from 0 after
 * the header), without the "ddwsim: " prefix, as config errors are. I/O
 * failures (cannot open, read, write) go through ddw_error().
 */

enum trace_fmt {
	TRACE_TEXT,		/* .ddwt: one op per line */
	TRACE_BIN,		/* .ddwb version 2: blocks of varint-coded ops (the default) */
	TRACE_BIN_V1,		/* .ddwb version 1: little-endian 64-byte records (write only:
				 * `trace convert --version 1`; the reader takes both) */
};

#define TRACE_SG_MAX	4096	/* most elements of one map_sg (both formats) */
#define TRACE_DMA_FLAGS	(OP_F_WAIT | OP_F_AUX)	/* the DMA flags both formats carry */

/* Format from the file's first bytes (binary magic, else text); -1 after reporting. */
int trace_detect(const char *path);

/* Format an output path asks for: TRACE_BIN for a name ending in ".ddwb", else TRACE_TEXT. */
enum trace_fmt trace_fmt_for_path(const char *path);

/*
 * trace_open() opens path as an op source, its format detected from its first
 * bytes. Returns 0, or -1 after reporting (src is then left closed).
 * Streaming: memory stays flat whatever the length; both readers read in
 * 1 MiB blocks. op_source_next() returns 1, 0 at the end, or -1 after
 * reporting the first bad line or record; after -1 or 0 it keeps returning
 * the same value. An op's sg array belongs to the source and stays valid
 * until the next call. Fields an op kind does not use are 0, except rec_bus
 * (OP_NO_BUS) and time_ps (OP_NO_TIME).
 */
int trace_open(struct op_source *src, const char *path);

/* How much of the trace fp reads was read (its offset over its size), or -1
 * when fp is not a regular file: a reader's op_source_ops.done. */
double trace_fp_done(FILE *fp);

struct trace_writer;

/*
 * trace_writer_open() opens path through outfile (outfile.h: a regular file
 * as "<path>.tmp.<pid>", a device or FIFO in place, "-" standard output) and
 * writes the format's header. Returns 0 and sets *w, or -1 after reporting.
 * trace_write() appends one op: 0, or -1 after reporting an op that cannot be
 * written (a direction, window, level, page size or sg count out of range, a
 * zero length, a range wrapping past 2^64, DMA flags outside TRACE_DMA_FLAGS)
 * or a write error. Fields the op's kind does not use
 * are not written, so both formats write the same information.
 * trace_writer_commit() flushes, fills in the binary header's record count
 * (left "unknown" unless the output is a regular file), commits; 0 or -1.
 * It frees w.
 * trace_writer_abort() unlinks the temporary file and frees w; NULL is a no-op.
 */
int trace_writer_open(struct trace_writer **w, const char *path, enum trace_fmt fmt);
int trace_write(struct trace_writer *w, const struct dma_op *op);
int trace_writer_commit(struct trace_writer *w);
void trace_writer_abort(struct trace_writer *w);

/*
 * `ddwsim trace info FILE [--format json]`: op counts per kind, devices seen,
 * physical and bus address spans, time span, bytes mapped and moved by DMA.
 * Writes to out only once the whole trace has been read. Returns 0 or -1.
 */
int trace_info(const char *path, bool json, FILE *out);

/* `ddwsim trace convert IN OUT`: OUT's format from its name (trace_fmt_for_path). 0 or -1. */
int trace_convert(const char *in, const char *out);

/* trace_convert() into the format fmt, whatever OUT's name says. 0 or -1. */
int trace_convert_fmt(const char *in, const char *out, enum trace_fmt fmt);

/*
 * Checks an op against what both formats can carry. Returns NULL if it can be
 * written, else the problem ("bad dir 7 for a map", ...) in buf.
 */
const char *trace_op_problem(const struct dma_op *op, char *buf, size_t n);

/* ---- private below: the per-format parts, for trace.c ---- */

/*
 * Readers of one format, given the first nhead bytes already read from fp.
 * fp then belongs to the source (closed by op_source_close, or at once if
 * the open fails). 0, or -1 after reporting.
 */
int trace_text_open(struct op_source *src, const char *path, FILE *fp,
		    const unsigned char *head, size_t nhead);
int trace_bin_open(struct op_source *src, const char *path, FILE *fp,
		   const unsigned char *head, size_t nhead);

/* The .ddwb version src reads (1 or 2), or 0 when src is not a binary trace. */
unsigned trace_bin_version(const struct op_source *src);

/* Writers: header at open, one op at a time (op already checked), then the finish before rename. */
int trace_text_write_header(FILE *fp);
int trace_text_write_op(FILE *fp, const struct dma_op *op);

/*
 * The .ddwb writer of version 1 or 2: trace_bin_out_header() at open, _op()
 * per op (0 or -1 with errno), _end() once after the last op (v2: the last
 * block and the end block; 0 or -1), _count() to fill in the header's count
 * (a seekable fp only), _free() (NULL is a no-op).
 */
struct trace_bin_out;
struct trace_bin_out *trace_bin_out_new(unsigned version);
int trace_bin_out_header(struct trace_bin_out *o, FILE *fp);
int trace_bin_out_op(struct trace_bin_out *o, FILE *fp, const struct dma_op *op);
int trace_bin_out_end(struct trace_bin_out *o, FILE *fp);
void trace_bin_out_count(struct trace_bin_out *o, FILE *fp);
void trace_bin_out_free(struct trace_bin_out *o);

#define TRACE_BIN2_BLOCK_MAX	(1u << 20)	/* most payload bytes of a v2 block */

/* The .ddwb magic: 8 bytes (the string's NUL is not part of it). */
#define TRACE_BIN_MAGIC		"\x89" "DDW\r\n\x1a\n"
#define TRACE_BIN_MAGIC_LEN	8

#endif /* DDWSIM_TRACE_H */
