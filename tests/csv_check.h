/* csv_check.h - strict RFC 4180 CSV reading for the tests: unique header, column, cell. */
/*
 * The CSV twin of json_strict.h: a report whose header names a column twice
 * is ambiguous for every reader that maps names to indices, so the tests fail
 * it. Header-only, every function `static inline` (see json_strict.h).
 *
 * The grammar read (RFC 4180 §2, with LF accepted as well as CRLF):
 *   record = field *("," field) ("\r\n" / "\n" / end of text)
 *   field  = '"' *(any byte but '"' / '""') '"'  /  *(any byte but , " CR LF)
 * A quoted field may hold commas and line breaks; "" in it stands for one ".
 * Strict: a '"' inside an unquoted field, bytes after a closing quote, a CR
 * not followed by LF, or an unterminated quote make the text malformed.
 * Names and cells compare byte-wise after decoding "" (so a and "a" are the
 * same column). Indices count from 0. The text is NUL-terminated; a final
 * line break ends the last record and starts no new one.
 */
#ifndef DDWSIM_TESTS_CSV_CHECK_H
#define DDWSIM_TESTS_CSV_CHECK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
#define CSV__PRINTF(f, a)	__attribute__((format(printf, f, a)))
#else
#define CSV__PRINTF(f, a)
#endif

/*
 * Parses the first record of text as a header. Returns 0 if every column
 * name differs from the others (err then holds ""), else -1 with a message
 * written to err (errn bytes; err may be NULL): for the first column that
 * repeats an earlier one, "duplicate column 'NAME' at index J (first at
 * index I)"; for a malformed header, what and where.
 */
static inline int csv_header_unique(const char *text, char *err, size_t errn);

/* The index of the header column called name, or -1 if there is none or the
 * header is malformed. */
static inline int csv_column(const char *text, const char *name);

/*
 * Copies the decoded cell at (row, col), row 0 being the first record after
 * the header, into out as a NUL-terminated string of at most n bytes with the
 * NUL. Returns 0, or -1 if the cell does not exist, the text up to it is
 * malformed, or the cell does not fit (out is then "" when n > 0).
 */
static inline int csv_cell(const char *text, unsigned row, unsigned col, char *out, size_t n);

/* ---- public above, private below ---- */

struct csv__field {
	const char *s;		/* first content byte (after an opening quote) */
	size_t n;		/* raw content bytes; a quoted field's "" still doubled */
	int quoted;		/* 1 if the field was in quotes */
};

static inline CSV__PRINTF(3, 4) int csv__fail(char *err, size_t errn, const char *fmt, ...)
{
	va_list ap;

	if (!err || errn == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errn, fmt, ap);
	va_end(ap);
	return -1;
}

/* Moves *pp past the separator at p; *last is set when it ends the record. */
static inline int csv__sep(const char **pp, const char *p, int *last)
{
	*last = *p != ',';
	if (*p == ',' || *p == '\n')
		p++;
	else if (p[0] == '\r' && p[1] == '\n')
		p += 2;
	else if (*p != '\0') {
		*pp = p;
		return -1;
	}
	*pp = p;
	return 0;
}

/* Reads the field at *pp into *f and moves *pp past its separator; sets *last
 * when the field ends its record. Returns 0, or -1 with *pp at the problem. */
static inline int csv__field(const char **pp, struct csv__field *f, int *last)
{
	const char *p = *pp;

	f->quoted = *p == '"';
	if (f->quoted) {
		f->s = ++p;
		while (*p != '"' || p[1] == '"') {	/* "" is one escaped quote */
			if (*p == '\0')
				return -1;	/* unterminated: *pp stays at the quote */
			p += *p == '"' ? 2 : 1;
		}
		f->n = (size_t)(p - f->s);
		p++;
	} else {
		for (f->s = p; *p && *p != ',' && *p != '\n' && *p != '\r'; p++) {
			if (*p == '"') {
				*pp = p;
				return -1;
			}
		}
		f->n = (size_t)(p - f->s);
	}
	return csv__sep(pp, p, last);
}

/* The next decoded byte of f, whose raw offset *i moves on; -1 at the end. */
static inline int csv__next(const struct csv__field *f, size_t *i)
{
	int c;

	if (*i >= f->n)
		return -1;
	c = (unsigned char)f->s[*i];
	*i += f->quoted && c == '"' ? 2 : 1;
	return c;
}

/* Whether field f decodes to the n bytes at name. */
static inline int csv__eq(const struct csv__field *f, const char *name, size_t n)
{
	size_t i = 0, k;

	for (k = 0; k < n; k++)
		if (csv__next(f, &i) != (unsigned char)name[k])
			return 0;
	return csv__next(f, &i) < 0;
}

/* Decodes f into out (n > 0 bytes with the NUL); -1 if it was cut to fit. */
static inline int csv__copy(const struct csv__field *f, char *out, size_t n)
{
	size_t i = 0, k = 0;
	int c;

	while ((c = csv__next(f, &i)) >= 0) {
		if (k + 1 >= n) {
			out[k] = '\0';
			return -1;
		}
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return 0;
}

/* Whether the header fields a and b decode to the same bytes. */
static inline int csv__same(const struct csv__field *a, const struct csv__field *b)
{
	size_t i = 0, j = 0;
	int x, y;

	do {
		x = csv__next(a, &i);
		y = csv__next(b, &j);
	} while (x == y && x >= 0);
	return x == y;
}

/* Skips one record at *pp; -1 if malformed. */
static inline int csv__skip_record(const char **pp)
{
	struct csv__field f;
	int last = 0;

	while (!last)
		if (csv__field(pp, &f, &last) < 0)
			return -1;
	return 0;
}

static inline int csv_header_unique(const char *text, char *err, size_t errn)
{
	struct csv__field f, g;
	const char *p = text, *q;
	char name[80];
	int last = 0, glast;
	unsigned col, j;

	if (err && errn)
		err[0] = '\0';
	if (*text == '\0')
		return csv__fail(err, errn, "empty text, no header");
	for (col = 0; !last; col++) {
		if (csv__field(&p, &f, &last) < 0)
			return csv__fail(err, errn, "malformed header field at index %u, byte %zu",
					 col, (size_t)(p - text));
		for (q = text, j = 0; j < col; j++) {
			csv__field(&q, &g, &glast);	/* read well above */
			if (!csv__same(&f, &g))
				continue;
			if (csv__copy(&f, name, sizeof(name)) < 0)
				strcpy(name + sizeof(name) - 4, "...");	/* first 76 bytes */
			return csv__fail(err, errn, "duplicate column '%s' at index %u (first at index %u)",
					 name, col, j);
		}
	}
	return 0;
}

static inline int csv_column(const char *text, const char *name)
{
	struct csv__field f;
	const char *p = text;
	int last = 0, col;

	if (*text == '\0')
		return -1;
	for (col = 0; !last; col++) {
		if (csv__field(&p, &f, &last) < 0)
			return -1;
		if (csv__eq(&f, name, strlen(name)))
			return col;
	}
	return -1;
}

static inline int csv_cell(const char *text, unsigned row, unsigned col, char *out, size_t n)
{
	struct csv__field f;
	const char *p = text;
	int last = 0;
	unsigned r, c;

	if (n == 0)
		return -1;
	out[0] = '\0';
	for (r = 0; r <= row; r++)	/* the header, then the rows before this one */
		if (*p == '\0' || csv__skip_record(&p) < 0)
			return -1;
	if (*p == '\0')
		return -1;
	for (c = 0; c <= col; c++)
		if (last || csv__field(&p, &f, &last) < 0)
			return -1;
	if (csv__copy(&f, out, n) < 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

#endif /* DDWSIM_TESTS_CSV_CHECK_H */
