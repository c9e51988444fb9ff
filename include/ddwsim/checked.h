/* checked.h - 64-bit sums and products that detect overflow: addresses, lengths, sizes, times. */
#ifndef DDWSIM_CHECKED_H
#define DDWSIM_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The one place ddwsim adds or multiplies 64-bit quantities that input can
 * make large: an address plus a length, a size times a count, a time plus a
 * latency. Each function is a predicate (habit 5): it returns true when the
 * exact result does not fit in 64 bits, and stores the result modulo 2^64 in
 * *out either way (as __builtin_add_overflow does, which they wrap). The
 * caller reports the error, naming where the values came from (file and
 * line, record, or config key) and the values themselves:
 *
 *	if (ck_add(op->addr, op->len, &end))
 *		return bad(r, "dma: OFF + LEN overflows 64 bits (%llu + %llu)", ...);
 *
 * The sat_ forms give UINT64_MAX instead, for figures where "too big" is an
 * answer (a memory estimate compared against a limit), never for a value
 * the model goes on computing with.
 *
 * A range [addr, addr + len) is valid when its end, addr + len, fits: so a
 * range may end at 2^64 - 1 exclusive but not at 2^64, and code may compute
 * the end without wrapping (ck_range).
 */

/* *out = a + b mod 2^64; true if a + b >= 2^64. */
static inline bool ck_add(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

/* *out = a * b mod 2^64; true if a * b >= 2^64. */
static inline bool ck_mul(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

/* True if the range [addr, addr + len) has no 64-bit end: addr + len >= 2^64. */
static inline bool ck_range(uint64_t addr, uint64_t len)
{
	uint64_t end;

	return ck_add(addr, len, &end);
}

/* a + b, or UINT64_MAX if it does not fit. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return ck_add(a, b, &r) ? UINT64_MAX : r;
}

/* a * b, or UINT64_MAX if it does not fit. */
static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return ck_mul(a, b, &r) ? UINT64_MAX : r;
}

#endif /* DDWSIM_CHECKED_H */
