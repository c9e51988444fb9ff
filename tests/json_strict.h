/* json_strict.h - strict JSON (RFC 8259) checker and path lookup for the tests. */
/*
 * The project's rule: parse every JSON we emit with duplicate keys rejected.
 * Most parsers keep the last of two equal keys without a word, so a report that
 * writes "hcalls" twice would pass a lenient check; this one fails it.
 *
 * Header-only and dependency-free beyond the C library. Every function is
 * `static inline`: static so several test files can include the header, inline
 * so a file that uses only some of them builds under -Wunused-function -Werror.
 *
 * What is checked (one JSON value followed only by whitespace):
 *   - objects: keys unique per object, compared byte-wise after decoding
 *     escapes (so "a" and "\u0061" collide, and so do "\u00e9" and raw "é");
 *     no trailing comma
 *   - arrays: no trailing comma
 *   - numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; no leading zeros,
 *     no '+', no NaN or Infinity
 *   - strings: only the escapes \" \\ \/ \b \f \n \r \t \uXXXX; surrogates
 *     only in high-low pairs; no bytes below 0x20; the raw bytes valid UTF-8
 *     (RFC 8259 §8.1: no overlongs, no encoded surrogates, nothing above
 *     U+10FFFF)
 *   - whitespace: space, tab, LF, CR only; no byte-order mark
 *   - nesting: at most JSON_STRICT_MAX_DEPTH open arrays and objects
 *
 * Errors name the first problem as "line L col C: what". Lines count LFs from
 * 1; columns count bytes from 1. The position is the byte to look at: the
 * second of two duplicate keys, the trailing comma, the leading zero, the
 * backslash of a bad escape, the opening quote of an unterminated string, the
 * bracket one level too deep, the first byte of trailing garbage.
 *
 * Cost: O(n) time for the text plus O(k^2) key comparisons for an object of k
 * keys; memory is the recursion (<= 256 frames) and one array of key offsets.
 */
#ifndef DDWSIM_TESTS_JSON_STRICT_H
#define DDWSIM_TESTS_JSON_STRICT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_STRICT_MAX_DEPTH	256	/* the brief's limit: 257 open brackets fail */

#if defined(__GNUC__)
#define JSON__PRINTF(f, a)	__attribute__((format(printf, f, a)))
#else
#define JSON__PRINTF(f, a)
#endif

/*
 * Validates text as one JSON value (RFC 8259) followed only by whitespace.
 * Rejects: duplicate keys in any object (byte-wise comparison after decoding
 * escapes), trailing commas, NaN/Infinity, leading zeros, bad escapes, lone
 * surrogates, control characters in strings, invalid UTF-8, nesting deeper
 * than 256, trailing garbage. Returns 0 if valid (err then holds ""), else -1
 * with a message "line L col C: what" written to err (errn bytes, truncated to
 * fit). err may be NULL. Never reads text[len] or beyond.
 */
static inline int json_strict_check(const char *text, size_t len, char *err, size_t errn);

/*
 * Finds the value at a dotted path with array indices, e.g.
 * "modes[2].setup.hcalls", in a valid document; returns a pointer to the
 * first byte of the value's text and its length via *vlen, or NULL if absent,
 * if the path is malformed, or if the document is not valid (it is checked
 * first). Key segments match keys byte-wise after decoding escapes; a key
 * containing '.' or '[' cannot be named. The empty path names the whole
 * value. A string value's text includes its quotes. vlen may be NULL.
 */
static inline const char *json_strict_get(const char *text, size_t len, const char *path,
					  size_t *vlen);

/* ---- public above, private below ---- */

struct json__p {
	const char *s;		/* the text */
	size_t len;		/* its length, bytes */
	size_t pos;		/* next byte to read */
	unsigned depth;		/* arrays and objects open at pos */
	size_t *keys;		/* offsets of the open objects' keys, innermost last */
	size_t nkeys;		/* used entries of keys */
	size_t capkeys;		/* allocated entries of keys */
	char *err;		/* the caller's message buffer, or NULL */
	size_t errn;		/* its size, bytes */
};

/* Decodes a string's bytes as they compare: escapes become UTF-8. */
struct json__it {
	const char *s;		/* the text; the string in it is valid */
	size_t i;		/* next raw byte */
	unsigned char b[4];	/* UTF-8 of the last \u escape */
	unsigned nb;		/* bytes in b */
	unsigned bi;		/* next byte of b to return */
};

static inline void json__linecol(const char *s, size_t at, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < at; i++) {
		if (s[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

/* Writes "line L col C: <fmt>" for the byte at offset at; returns -1. */
static inline JSON__PRINTF(3, 4) int json__fail(struct json__p *p, size_t at, const char *fmt, ...)
{
	size_t line, col, n;
	va_list ap;

	if (!p->err || p->errn == 0)
		return -1;
	json__linecol(p->s, at, &line, &col);
	snprintf(p->err, p->errn, "line %zu col %zu: ", line, col);
	n = strlen(p->err);
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errn - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The byte at pos, or -1 at the end of the text. */
static inline int json__peek(const struct json__p *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static inline size_t json__skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static inline void json__ws(struct json__p *p)
{
	p->pos = json__skip_ws(p->s, p->len, p->pos);
}

/* "expected <what>, found <the byte at pos>"; returns -1. */
static inline int json__unexpected(struct json__p *p, const char *what)
{
	int c = json__peek(p);

	if (c < 0)
		return json__fail(p, p->pos, "expected %s, found end of input", what);
	if (c > 0x20 && c < 0x7f)
		return json__fail(p, p->pos, "expected %s, found '%c'", what, c);
	return json__fail(p, p->pos, "expected %s, found byte 0x%02x", what, (unsigned)c);
}

/* The value of 4 hex digits at s, or -1. */
static inline long json__hex4(const char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* The \uXXXX at offset at (its backslash), or -1 if there is none. */
static inline long json__uescape(const struct json__p *p, size_t at)
{
	if (p->len - at < 6 || p->s[at] != '\\' || p->s[at + 1] != 'u')
		return -1;
	return json__hex4(p->s + at + 2);
}

/* One escape at pos (the backslash) of the string opened at open. */
static inline int json__escape(struct json__p *p, size_t open)
{
	size_t at = p->pos;
	long u, lo;

	if (p->len - at < 2)
		return json__fail(p, open, "unterminated string");
	switch (p->s[at + 1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		p->pos += 2;
		return 0;
	case 'u':
		break;
	default:
		if (p->s[at + 1] > 0x20 && p->s[at + 1] < 0x7f)
			return json__fail(p, at, "invalid escape '\\%c'", p->s[at + 1]);
		return json__fail(p, at, "invalid escape, backslash before byte 0x%02x",
				  (unsigned char)p->s[at + 1]);
	}
	u = json__uescape(p, at);
	if (u < 0)
		return json__fail(p, at, "invalid \\u escape, expected 4 hex digits");
	p->pos += 6;
	if (u < 0xd800 || u > 0xdfff)
		return 0;
	lo = json__uescape(p, p->pos);
	if (u > 0xdbff || lo < 0xdc00 || lo > 0xdfff)
		return json__fail(p, at, "lone surrogate \\u%04lx", u);
	p->pos += 6;
	return 0;
}

/* One UTF-8 sequence at pos, whose first byte is >= 0x80. */
static inline int json__utf8(struct json__p *p)
{
	const unsigned char *u = (const unsigned char *)p->s + p->pos;
	size_t left = p->len - p->pos;
	unsigned long cp;
	unsigned n, i;

	if (u[0] < 0xc2 || u[0] > 0xf4)
		return json__fail(p, p->pos, "invalid UTF-8 byte 0x%02x", u[0]);
	n = u[0] >= 0xf0 ? 3 : u[0] >= 0xe0 ? 2 : 1;
	cp = u[0] & (0x3fu >> n);
	for (i = 1; i <= n; i++) {
		if (i >= left || (u[i] & 0xc0) != 0x80)
			return json__fail(p, p->pos, "invalid UTF-8 sequence");
		cp = cp << 6 | (u[i] & 0x3f);
	}
	/* overlong (C0/C1 are caught above), encoded surrogate, beyond U+10FFFF */
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return json__fail(p, p->pos, "invalid UTF-8 sequence");
	p->pos += n + 1;
	return 0;
}

/* A string at pos (its opening quote). */
static inline int json__string(struct json__p *p)
{
	size_t open = p->pos++;

	for (;;) {
		int c = json__peek(p);

		if (c < 0)
			return json__fail(p, open, "unterminated string");
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return json__fail(p, p->pos, "control character 0x%02x in string, escape it",
					  (unsigned)c);
		if (c == '\\') {
			if (json__escape(p, open) < 0)
				return -1;
		} else if (c >= 0x80) {
			if (json__utf8(p) < 0)
				return -1;
		} else {
			p->pos++;
		}
	}
}

static inline int json__digits(struct json__p *p, const char *what)
{
	int c = json__peek(p);

	if (c < '0' || c > '9')
		return json__unexpected(p, what);
	while (c >= '0' && c <= '9') {
		p->pos++;
		c = json__peek(p);
	}
	return 0;
}

static inline int json__is_nonnumber(const struct json__p *p)
{
	static const char *const words[] = { "NaN", "Infinity" };
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(words[i]);
		if (p->len - p->pos >= n && memcmp(p->s + p->pos, words[i], n) == 0)
			return 1;
	}
	return 0;
}

/* A number at pos ('-' or a digit). */
static inline int json__number(struct json__p *p)
{
	int c;

	if (json__peek(p) == '-') {
		p->pos++;
		if (json__is_nonnumber(p))
			return json__fail(p, p->pos - 1, "NaN and Infinity are not JSON numbers");
	}
	if (json__peek(p) == '0') {
		p->pos++;
		c = json__peek(p);
		if (c >= '0' && c <= '9')
			return json__fail(p, p->pos - 1, "leading zero in number");
	} else if (json__digits(p, "a digit") < 0) {
		return -1;
	}
	if (json__peek(p) == '.') {
		p->pos++;
		if (json__digits(p, "a digit after '.'") < 0)
			return -1;
	}
	c = json__peek(p);
	if (c == 'e' || c == 'E') {
		p->pos++;
		c = json__peek(p);
		if (c == '+' || c == '-')
			p->pos++;
		if (json__digits(p, "a digit in the exponent") < 0)
			return -1;
	}
	return 0;
}

static inline int json__literal(struct json__p *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return json__fail(p, p->pos, "invalid literal, expected '%s'", word);
	p->pos += n;
	return 0;
}

static inline int json__value(struct json__p *p);

/* Counts one more open bracket at pos; fails past the limit. */
static inline int json__enter(struct json__p *p)
{
	if (p->depth >= JSON_STRICT_MAX_DEPTH)
		return json__fail(p, p->pos, "nesting deeper than %d", JSON_STRICT_MAX_DEPTH);
	p->depth++;
	p->pos++;
	return 0;
}

static inline int json__array(struct json__p *p)
{
	size_t comma;

	if (json__enter(p) < 0)
		return -1;
	json__ws(p);
	if (json__peek(p) != ']') {
		for (;;) {
			if (json__value(p) < 0)
				return -1;
			json__ws(p);
			if (json__peek(p) == ']')
				break;
			if (json__peek(p) != ',')
				return json__unexpected(p, "',' or ']'");
			comma = p->pos++;
			json__ws(p);
			if (json__peek(p) == ']')
				return json__fail(p, comma, "trailing comma");
		}
	}
	p->pos++;
	p->depth--;
	return 0;
}

/* The next decoded byte of the string, or -1 at its closing quote. */
static inline int json__it_next(struct json__it *it)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	unsigned long cp;
	const char *e;

	if (it->bi < it->nb)
		return it->b[it->bi++];
	if (it->s[it->i] == '"')
		return -1;
	if (it->s[it->i] != '\\')
		return (unsigned char)it->s[it->i++];
	if (it->s[it->i + 1] != 'u') {
		for (e = esc; *e != it->s[it->i + 1]; e += 2)
			;
		it->i += 2;
		return (unsigned char)e[1];
	}
	cp = (unsigned long)json__hex4(it->s + it->i + 2);
	it->i += 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) +
		     ((unsigned long)json__hex4(it->s + it->i + 2) - 0xdc00);
		it->i += 6;
	}
	it->bi = 1;
	if (cp < 0x80) {
		it->nb = 1;
		it->b[0] = (unsigned char)cp;
	} else if (cp < 0x800) {
		it->nb = 2;
		it->b[0] = (unsigned char)(0xc0 | cp >> 6);
	} else if (cp < 0x10000) {
		it->nb = 3;
		it->b[0] = (unsigned char)(0xe0 | cp >> 12);
	} else {
		it->nb = 4;
		it->b[0] = (unsigned char)(0xf0 | cp >> 18);
	}
	for (unsigned k = 1; k < it->nb; k++)
		it->b[k] = (unsigned char)(0x80 | ((cp >> (6 * (it->nb - 1 - k))) & 0x3f));
	return it->b[0];
}

static inline void json__it_init(struct json__it *it, const char *s, size_t open)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
	it->i = open + 1;
}

/* Whether the valid strings opened at a and b decode to the same bytes. */
static inline int json__key_eq(const char *s, size_t a, size_t b)
{
	struct json__it x, y;
	int cx, cy;

	json__it_init(&x, s, a);
	json__it_init(&y, s, b);
	do {
		cx = json__it_next(&x);
		cy = json__it_next(&y);
	} while (cx == cy && cx >= 0);
	return cx == cy;
}

static inline int json__push_key(struct json__p *p, size_t key)
{
	size_t *k;

	if (p->nkeys == p->capkeys) {
		p->capkeys = p->capkeys ? 2 * p->capkeys : 64;
		k = realloc(p->keys, p->capkeys * sizeof(*k));
		if (!k)
			return json__fail(p, key, "out of memory");
		p->keys = k;
	}
	p->keys[p->nkeys++] = key;
	return 0;
}

/* One "key": value of the object whose keys start at keys[base]. */
static inline int json__member(struct json__p *p, size_t base)
{
	size_t key = p->pos, first, line, col, i;
	int shown;

	if (json__peek(p) != '"')
		return json__unexpected(p, "a string key");
	if (json__string(p) < 0)
		return -1;
	for (i = base; i < p->nkeys; i++) {
		if (!json__key_eq(p->s, p->keys[i], key))
			continue;
		first = p->keys[i];
		json__linecol(p->s, first, &line, &col);
		shown = p->pos - key > 64 ? 64 : (int)(p->pos - key);	/* the key as written */
		return json__fail(p, key, "duplicate key %.*s (first at line %zu col %zu)",
				  shown, p->s + key, line, col);
	}
	if (json__push_key(p, key) < 0)
		return -1;
	json__ws(p);
	if (json__peek(p) != ':')
		return json__unexpected(p, "':'");
	p->pos++;
	return json__value(p);
}

static inline int json__object(struct json__p *p)
{
	size_t base = p->nkeys, comma;

	if (json__enter(p) < 0)
		return -1;
	json__ws(p);
	if (json__peek(p) != '}') {
		for (;;) {
			if (json__member(p, base) < 0)
				return -1;
			json__ws(p);
			if (json__peek(p) == '}')
				break;
			if (json__peek(p) != ',')
				return json__unexpected(p, "',' or '}'");
			comma = p->pos++;
			json__ws(p);
			if (json__peek(p) == '}')
				return json__fail(p, comma, "trailing comma");
		}
	}
	p->pos++;
	p->nkeys = base;
	p->depth--;
	return 0;
}

static inline int json__value(struct json__p *p)
{
	int c;

	json__ws(p);
	c = json__peek(p);
	switch (c) {
	case '{': return json__object(p);
	case '[': return json__array(p);
	case '"': return json__string(p);
	case 't': return json__literal(p, "true");
	case 'f': return json__literal(p, "false");
	case 'n': return json__literal(p, "null");
	default: break;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return json__number(p);
	if (json__is_nonnumber(p))
		return json__fail(p, p->pos, "NaN and Infinity are not JSON numbers");
	return json__unexpected(p, "a value");
}

static inline int json_strict_check(const char *text, size_t len, char *err, size_t errn)
{
	struct json__p p = { .s = text, .len = len, .err = err, .errn = errn };
	int rc;

	if (err && errn)
		err[0] = '\0';
	rc = json__value(&p);
	if (rc == 0) {
		json__ws(&p);
		if (p.pos < len)
			rc = json__fail(&p, p.pos, "trailing characters after the value");
	}
	free(p.keys);
	return rc;
}

/* ---- json_strict_get: walks a document already checked, so it trusts it ---- */

/* The offset just past the valid value at i. */
static inline size_t json__skip_value(const char *s, size_t len, size_t i)
{
	unsigned depth = 0;

	do {
		switch (s[i]) {
		case '"':
			for (i++; s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
			break;
		case '{': case '[':
			depth++;
			i++;
			break;
		case '}': case ']':
			depth--;
			i++;
			break;
		default:
			if (depth > 0) {	/* a separator, space or scalar inside */
				i++;
				break;
			}
			while (i < len && strchr(" \t\r\n,]}", s[i]) == NULL)
				i++;
			break;
		}
	} while (depth > 0);
	return i;
}

/* The offset of the value of key name[0..n) in the object at i, or SIZE_MAX. */
static inline size_t json__get_member(const char *s, size_t len, size_t i, const char *name,
				      size_t n)
{
	struct json__it it;
	size_t k;
	int c;

	if (s[i] != '{')
		return SIZE_MAX;
	for (i = json__skip_ws(s, len, i + 1); s[i] == '"';
	     i = json__skip_ws(s, len, i + 1)) {	/* i at a key, then past ',' */
		json__it_init(&it, s, i);
		for (k = 0; k < n && (c = json__it_next(&it)) == (unsigned char)name[k]; k++)
			;
		c = k == n ? json__it_next(&it) : 0;
		i = json__skip_ws(s, len, json__skip_value(s, len, i));	/* at ':' */
		i = json__skip_ws(s, len, i + 1);			/* at value */
		if (c == -1)
			return i;
		i = json__skip_ws(s, len, json__skip_value(s, len, i));	/* ',' or '}' */
		if (s[i] != ',')
			break;
	}
	return SIZE_MAX;
}

/* The offset of element idx of the array at i, or SIZE_MAX. */
static inline size_t json__get_element(const char *s, size_t len, size_t i, size_t idx)
{
	size_t k;

	if (s[i] != '[')
		return SIZE_MAX;
	i = json__skip_ws(s, len, i + 1);
	if (s[i] == ']')
		return SIZE_MAX;
	for (k = 0; k < idx; k++) {
		i = json__skip_ws(s, len, json__skip_value(s, len, i));
		if (s[i] != ',')
			return SIZE_MAX;
		i = json__skip_ws(s, len, i + 1);
	}
	return i;
}

/* Parses "[N]" at q into *idx; returns the byte after ']', or NULL. */
static inline const char *json__path_index(const char *q, size_t *idx)
{
	const char *d = ++q;

	*idx = 0;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (*idx > (SIZE_MAX - 9) / 10)
			return NULL;
		*idx = *idx * 10 + (size_t)(*q - '0');
	}
	return q > d && *q == ']' ? q + 1 : NULL;
}

static inline const char *json_strict_get(const char *text, size_t len, const char *path,
					  size_t *vlen)
{
	const char *q = path;
	size_t i, n, idx;

	if (json_strict_check(text, len, NULL, 0) < 0)
		return NULL;
	i = json__skip_ws(text, len, 0);
	while (*q) {
		if (*q == '[') {
			q = json__path_index(q, &idx);
			if (!q)
				return NULL;
			i = json__get_element(text, len, i, idx);
		} else {
			if (q != path && *q++ != '.')
				return NULL;
			n = strcspn(q, ".[");
			if (n == 0)
				return NULL;
			i = json__get_member(text, len, i, q, n);
			q += n;
		}
		if (i == SIZE_MAX)
			return NULL;
	}
	if (vlen)
		*vlen = json__skip_value(text, len, i) - i;
	return text + i;
}

#endif /* DDWSIM_TESTS_JSON_STRICT_H */
