/* num.h - the one parser of numbers: every number read from a config, --set, a sweep, a trace or a log. */
#ifndef DDWSIM_NUM_H
#define DDWSIM_NUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * A number is the whole text, never a prefix of it:
 *
 *   number   := decimal [suffix] | ("0x" | "0X") hex
 *   decimal  := "0" | [1-9] [0-9]*        with NUM_ZEROS: [0-9]+, still decimal
 *   hex      := [0-9a-fA-F]+              leading zeros allowed: "0x0010" is 16
 *   suffix   := K | M | G | T | P | E     either case, x 2^10, 2^20, ... 2^60 (NUM_SIZE only)
 *
 * and nothing else, each refused with its reason (enum num_err):
 *   - blanks before, after or inside ("\t-1", "100 ", "1 000");
 *   - a sign: "-1" and "+1" (NUM_NEG allows one '-');
 *   - a decimal of two or more digits starting with 0: strtoull(s, 0) and
 *     YAML 1.1 read "0100" as octal 64, a person means 100; neither reading
 *     is safe, so it is an error that says so;
 *   - a suffix after hex: "0x1E" is 30, so "0x1K" would have two readings;
 *   - a value above 2^64 - 1, suffix applied ("16E", "16384P");
 *   - a NUL byte (the length is given, so "64\0K" is seen whole);
 *   - anything else: no digit, a stray character, an unknown suffix.
 * No locale, no errno, no strtoull: the same text gives the same answer
 * everywhere. Decimal "18446744073709551615" and "0xffffffffffffffff" are
 * the largest values; "15E" and "16383P" are the largest with suffixes.
 */
enum num_flags {
	NUM_SIZE = 1u << 0,	/* a decimal may end in a suffix (sizes) */
	NUM_DEC = 1u << 1,	/* decimal only: "0x" is refused */
	NUM_HEX = 1u << 2,	/* bare hex digits only: the caller has matched "0x" (or the format has none);
				 * NUM_DEC and NUM_ZEROS then do nothing */
	NUM_ZEROS = 1u << 3,	/* leading zeros allowed, read as decimal: columns a tool pads ("[001]") */
	NUM_NEG = 1u << 4,	/* one leading '-' allowed: *out holds an int64_t, two's complement */
};

/* Why a text is not a number; num_parse() returns one of these, or 0. */
enum num_err {
	NUM_EEMPTY = -1,	/* no text at all */
	NUM_ENUL = -2,		/* a NUL byte in the text */
	NUM_ESPACE = -3,	/* a space, tab, CR, LF, VT or FF anywhere */
	NUM_ESIGN = -4,		/* '+', or '-' without NUM_NEG */
	NUM_EZERO = -5,		/* a decimal of 2+ digits starting with 0 (without NUM_ZEROS) */
	NUM_EHEXSUFFIX = -6,	/* a size suffix after hex digits */
	NUM_ESYNTAX = -7,	/* anything else that is not a number */
	NUM_ERANGE = -8,	/* over 2^64 - 1 (with NUM_NEG: outside the int64_t range) */
};

/*
 * Parses s[0..len) as flags allow. Returns 0 and sets *out, or a negative
 * enum num_err with *out unchanged. Not an errno: callers name the reason
 * in their message (num_why). This function can't fail otherwise.
 */
int num_parse(const char *s, size_t len, unsigned flags, uint64_t *out);
/* num_parse(s, strlen(s), flags, out). */
int num_parse_str(const char *s, unsigned flags, uint64_t *out);

/* The reason for err, lower-case, like "a number has no sign". */
const char *num_why(int err);
/*
 * ": <reason>" to append to "expected X, got 'TEXT'", or "" where TEXT in
 * quotes says it all (NUM_EEMPTY, NUM_ESYNTAX).
 */
const char *num_why_tail(int err);

/*
 * s[0..len) as a message may quote it, in buf (n bytes, n >= 8): control
 * bytes written \t \n \r \0 or \xHH, cut with "..." when it does not fit.
 * Returns buf.
 */
const char *num_show(char *buf, size_t n, const char *s, size_t len);

#endif /* DDWSIM_NUM_H */
