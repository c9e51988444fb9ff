/*
 * csv.c - a CSV table read whole, RFC 4180, for `ddwsim plot`.
 *
 * The file is read into one buffer and split in place: a field's text is
 * moved left over its quotes and doubled quotes (unquoting only shortens),
 * and NUL-terminated where its comma or line end was. The cells are
 * pointers into that buffer, header first:
 *
 *   text:  n a m e \0 s e e d \0 1 \0 " a , b " ...   (one allocation)
 *   cell:  [0] [1] ... [ncols - 1] | [ncols] ...     (row-major)
 *
 * Cost: one pass, O(bytes). Limits (csv.h) keep a hostile file from taking
 * more than a few hundred MiB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/csv.h"
#include "ddwsim/err.h"
#include "ddwsim/infile.h"
#include "ddwsim/xalloc.h"

struct csv_parse {
	struct csv *t;
	const char *path;
	char *p, *end;		/* the next byte to read, the buffer's end */
	size_t line;		/* the line p is on (1-based) */
	size_t rec_line;	/* where the current record started */
	size_t ncells, cap;	/* cells so far, allocated */
	unsigned nfields;	/* fields in the current record */
};

static int slurp(const char *path, char **buf, size_t *len)
{
	struct infile in;
	size_t n = 0, cap = 1 << 16, got;

	if (infile_open(&in, path, INFILE_STREAM, "CSV") < 0)
		return ddw_error("%s", in.why);
	*buf = xmalloc(cap + 1);
	while ((got = fread(*buf + n, 1, cap - n, in.fp)) > 0) {
		n += got;
		if (n > CSV_MAX_BYTES) {
			infile_close(&in);
			return ddw_error("CSV '%s' is over %u MiB", path, CSV_MAX_BYTES >> 20);
		}
		if (n == cap) {
			cap *= 2;
			*buf = xrealloc(*buf, cap + 1);
		}
	}
	if (ferror(in.fp)) {
		infile_close(&in);
		return ddw_error("cannot read CSV '%s'", path);
	}
	infile_close(&in);
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

static void push_cell(struct csv_parse *c, char *s)
{
	if (c->ncells == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->t->cell = xrealloc(c->t->cell, c->cap * sizeof(char *));
	}
	c->t->cell[c->ncells++] = s;
	c->nfields++;
}

/* A quoted field from c->p (at its opening quote); unquoted in place. Sets *term. */
static int quoted(struct csv_parse *c, char *w, char *term)
{
	size_t open_line = c->line;

	for (c->p++; c->p < c->end; c->p++) {
		if (*c->p == '"' && c->p + 1 < c->end && c->p[1] == '"') {
			*w++ = '"';
			c->p++;
		} else if (*c->p == '"') {
			break;
		} else {
			c->line += *c->p == '\n';
			*w++ = *c->p;
		}
	}
	if (c->p == c->end)
		return ddw_error_line(c->path, open_line, "a quoted field is never closed");
	c->p++;
	*term = c->p < c->end ? *c->p : '\n';
	if (*term == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
		c->p++, *term = '\n';
	if (*term != ',' && *term != '\n')
		return ddw_error_line(c->path, c->line, "text after a field's closing quote");
	*w = '\0';
	return 0;
}

/* A bare field from c->p; NUL-terminated where it ends. Sets *term. */
static int bare(struct csv_parse *c, char *term)
{
	for (; c->p < c->end && *c->p != ',' && *c->p != '\n'; c->p++) {
		if (*c->p == '"')
			return ddw_error_line(c->path, c->line, "a '\"' inside a field that is not quoted");
		if (*c->p == '\r' && !(c->p + 1 < c->end && c->p[1] == '\n'))
			return ddw_error_line(c->path, c->line, "a CR that does not end a line");
		if (*c->p == '\r')
			*c->p = '\0';
	}
	*term = c->p < c->end ? *c->p : '\n';
	return 0;
}

/* The record just read has the header's width (the header sets it). */
static int record_end(struct csv_parse *c)
{
	if (c->t->ncols == 0)
		c->t->ncols = c->nfields;
	else if (c->nfields != c->t->ncols)
		return ddw_error_line(c->path, c->rec_line, "a record of %u fields, the header has %u",
				      c->nfields, c->t->ncols);
	c->nfields = 0;
	return 0;
}

/* One field and what ends it; at the end of a record, checks its width. */
static int field(struct csv_parse *c, bool *rec_end)
{
	char *start = c->p, term = 0;

	if (c->nfields == 0)
		c->rec_line = c->line;
	if ((*c->p == '"' ? quoted(c, start, &term) : bare(c, &term)) < 0)
		return -1;
	if (c->p < c->end)
		*c->p++ = '\0';
	if (c->nfields >= CSV_MAX_COLS)
		return ddw_error_line(c->path, c->rec_line, "a record of more than %u fields", CSV_MAX_COLS);
	push_cell(c, start);
	*rec_end = term == '\n';
	if (!*rec_end)
		return 0;
	c->line++;
	return record_end(c);
}

static int parse(struct csv_parse *c)
{
	bool rec_end = true;

	if (memchr(c->p, '\0', (size_t)(c->end - c->p)))
		return ddw_error("CSV '%s' holds a NUL byte", c->path);
	while (c->p < c->end) {
		if (rec_end && (*c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')))
			return ddw_error_line(c->path, c->line, "a blank line");
		if (field(c, &rec_end) < 0)
			return -1;
	}
	if (!rec_end && c->p == c->end) {	/* "a,b," ends in an empty field */
		push_cell(c, c->end);
		return record_end(c);
	}
	return 0;
}

int csv_read(struct csv *t, const char *path)
{
	struct csv_parse c = { .t = t, .path = path, .line = 1 };
	size_t len;

	memset(t, 0, sizeof(*t));
	if (slurp(path, &t->text, &len) < 0)
		goto err;
	if (len == 0) {
		ddw_error("CSV '%s' is empty", path);
		goto err;
	}
	c.p = t->text;
	c.end = t->text + len;
	if (parse(&c) < 0)
		goto err;
	t->nrows = c.ncells / t->ncols - 1;
	return 0;
err:
	csv_release(t);
	return -1;
}

int csv_col(const struct csv *t, const char *name)
{
	for (unsigned i = 0; i < t->ncols; i++)
		if (strcmp(csv_at(t, 0, i), name) == 0)
			return (int)i;
	return -1;
}

void csv_keep_rows(struct csv *t, unsigned col, const char *value)
{
	size_t kept = 0;

	for (size_t r = 1; r <= t->nrows; r++)
		if (!strcmp(csv_at(t, r, col), value))
			memmove(&t->cell[++kept * t->ncols], &t->cell[r * t->ncols],
				t->ncols * sizeof(*t->cell));
	t->nrows = kept;
}

void csv_release(struct csv *t)
{
	free(t->cell);
	free(t->text);
	memset(t, 0, sizeof(*t));
}
