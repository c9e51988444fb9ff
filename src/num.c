/*
 * num.c - the one number parser (grammar and rules in num.h).
 *
 * Before it, each reader had its own: strtoull(s, &end, 0) in the config
 * walker, the --set index and the sweep ranges (which skips leading blanks,
 * takes a '-' and negates, reads "0100" as octal, and saturates on
 * overflow unless errno is checked), and three hand-written digit loops in
 * the text trace and the two importers, each with its own idea of leading
 * zeros, suffixes and overflow. Now there is one grammar, and a reader
 * only says which variant of it a field takes (num_flags):
 *
 *   reader                      flags                    e.g.
 *   config integers, --set      0                        100, 0x64
 *   config sizes, trace SIZE    NUM_SIZE                 64K, 0x10000
 *   QEMU after "0x"             NUM_HEX                  ioba=0x1000
 *   QEMU ret, npages            NUM_DEC | NUM_NEG        ret=-1
 *   ftrace [CPU], stamp, usec   NUM_DEC | NUM_ZEROS      [003], .000512
 *
 * Steps of num_parse(): 1. the whole text is checked for what is never in
 * a number (nothing, NUL, blanks); 2. a sign; 3. the digits, in base 16
 * after "0x" (or with NUM_HEX), else 10, with overflow noted but the scan
 * carried on, so "99999999999999999999x" is called not-a-number rather
 * than too big; 4. the suffix; 5. the range, suffix applied. Cost: one pass
 * over the text, no allocation.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/num.h"

static const char suffixes[] = "KMGTPE";	/* x 2^10, 2^20, ... 2^60 */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The value of c as a digit of base 10 or 16, or -1. */
static int digit(char c, unsigned base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (base == 16 && c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (base == 16 && c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d;
}

/* The shift of the suffix s[0..len), 10..60, or 0 if it is not one. */
static unsigned suffix_shift(const char *s, size_t len)
{
	char c = len == 1 ? s[0] : '\0';
	const char *u;

	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	u = c ? strchr(suffixes, c) : NULL;
	return u ? 10 * (unsigned)(u - suffixes + 1) : 0;
}

/* Steps 3 to 5 on an unsigned number s[0..len). */
static int magnitude(const char *s, size_t len, unsigned flags, uint64_t *out)
{
	bool hex = (flags & NUM_HEX) || (!(flags & NUM_DEC) && len >= 2 && s[0] == '0' &&
					 (s[1] == 'x' || s[1] == 'X'));
	unsigned base = hex ? 16 : 10, shift = 0;
	size_t i = hex && !(flags & NUM_HEX) ? 2 : 0, start = i;
	bool over = false;
	uint64_t v = 0;
	int d;

	for (; i < len && (d = digit(s[i], base)) >= 0; i++) {
		over |= v > (UINT64_MAX - (unsigned)d) / base;
		v = v * base + (unsigned)d;
	}
	if (i == start)
		return NUM_ESYNTAX;
	if (!hex && !(flags & NUM_ZEROS) && s[start] == '0' && i - start > 1)
		return NUM_EZERO;
	if (i < len) {
		shift = (flags & NUM_SIZE) ? suffix_shift(s + i, len - i) : 0;
		if (!shift)
			return NUM_ESYNTAX;
		if (hex)
			return NUM_EHEXSUFFIX;
	}
	if (over || (shift && v > UINT64_MAX >> shift))
		return NUM_ERANGE;
	*out = v << shift;
	return 0;
}

int num_parse(const char *s, size_t len, unsigned flags, uint64_t *out)
{
	bool neg = false;
	uint64_t v;
	int rc;

	if (!len)
		return NUM_EEMPTY;
	if (memchr(s, '\0', len))
		return NUM_ENUL;
	for (size_t i = 0; i < len; i++)
		if (is_space(s[i]))
			return NUM_ESPACE;
	if (s[0] == '+' || (s[0] == '-' && !(flags & NUM_NEG)))
		return NUM_ESIGN;
	if (s[0] == '-') {
		neg = true;
		s++;
		len--;
		if (len && (s[0] == '+' || s[0] == '-'))
			return NUM_ESIGN;
	}
	rc = magnitude(s, len, flags, &v);
	if (rc < 0)
		return rc;
	if ((flags & NUM_NEG) && v > (uint64_t)INT64_MAX + neg)
		return NUM_ERANGE;
	*out = neg ? 0 - v : v;
	return 0;
}

int num_parse_str(const char *s, unsigned flags, uint64_t *out)
{
	return num_parse(s, strlen(s), flags, out);
}

/* Each reason with ": " before it, so that num_why_tail() is a pointer into it. */
static const char *const whys[] = {
	[-NUM_EEMPTY] = ": the text is empty",
	[-NUM_ENUL] = ": a number holds no NUL byte",
	[-NUM_ESPACE] = ": a number has no spaces, tabs or other white space",
	[-NUM_ESIGN] = ": a number has no sign",
	[-NUM_EZERO] = ": leading zeros are refused, never read as octal: write the number without them",
	[-NUM_EHEXSUFFIX] = ": a hex number takes no size suffix",
	[-NUM_ESYNTAX] = ": not a number",
	[-NUM_ERANGE] = ": a number is at most 64 bits",
};

const char *num_why(int err)
{
	if (err < NUM_ERANGE || err >= 0)
		return "not a number";
	return whys[-err] + 2;
}

const char *num_why_tail(int err)
{
	if (err == NUM_EEMPTY || err == NUM_ESYNTAX || err < NUM_ERANGE || err >= 0)
		return "";
	return whys[-err];
}

/* c as a message shows it, in out (at most 5 bytes); its length. */
static size_t show_char(char *out, unsigned char c)
{
	static const char esc[][3] = { ['\0'] = "\\0", ['\t'] = "\\t", ['\n'] = "\\n",
				       ['\r'] = "\\r" };

	if (c < sizeof(esc) / sizeof(esc[0]) && esc[c][0]) {
		memcpy(out, esc[c], 2);
		return 2;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(out, 5, "\\x%02x", c);
		return 4;
	}
	out[0] = (char)c;
	return 1;
}

const char *num_show(char *buf, size_t n, const char *s, size_t len)
{
	size_t o = 0, need = 0, k;
	char one[5];
	bool cut;

	for (size_t i = 0; i < len; i++)
		need += show_char(one, (unsigned char)s[i]);
	cut = need + 1 > n;
	for (size_t i = 0; i < len; i++) {
		k = show_char(one, (unsigned char)s[i]);
		if (cut && o + k + 4 > n) {	/* room for "..." and the NUL */
			memcpy(buf + o, "...", 4);
			return buf;
		}
		memcpy(buf + o, one, k);
		o += k;
	}
	buf[o] = '\0';
	return buf;
}
