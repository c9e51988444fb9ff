/* csv.h - a CSV table read whole (RFC 4180): a report's or a sweep's results, for `ddwsim plot`. */
#ifndef DDWSIM_CSV_H
#define DDWSIM_CSV_H

#include <stddef.h>

#define CSV_MAX_BYTES	(256u << 20)	/* a sweep of 10^5 points x 150 columns is ~100 MiB */
#define CSV_MAX_COLS	65536u

struct csv {
	unsigned ncols;		/* fields per record, the header's count */
	size_t nrows;		/* records after the header */
	char **cell;		/* (nrows + 1) x ncols, row-major, header first; each NUL-terminated */
	char *text;		/* the storage the cells point into */
};

/*
 * csv_read() reads path (a regular file, or "-"/a pipe: infile.c's rules)
 * whole into t. The grammar is RFC 4180's, with LF or CRLF line ends: a
 * field is bare (no '"', CR or LF in it) or in double quotes, '""' standing
 * for one '"'; a quoted field may hold commas and line breaks. Every record
 * must have the header's number of fields; a last line without its line end
 * is a record; blank lines are not (RFC 4180 has none).
 * Refused with "PATH:LINE: problem" (LINE of the record's start): a NUL
 * byte, a '"' inside a bare field, text after a closing quote, a quote never
 * closed, a record of another width, an empty file, more than CSV_MAX_BYTES
 * or CSV_MAX_COLS. Returns 0, or -1 after reporting; t is then empty.
 * The caller releases t with csv_release() either way.
 */
int csv_read(struct csv *t, const char *path);

/* The field at record row (0 = header) and column col, both in range. */
static inline const char *csv_at(const struct csv *t, size_t row, unsigned col)
{
	return t->cell[row * t->ncols + col];
}

/* The first column whose header is name, or -1. */
int csv_col(const struct csv *t, const char *name);

/* Drops every record whose field col is not value (the header stays); the order is kept. */
void csv_keep_rows(struct csv *t, unsigned col, const char *value);

void csv_release(struct csv *t);

#endif /* DDWSIM_CSV_H */
