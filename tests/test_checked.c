/*
 * test_checked.c - the overflow-checked 64-bit helpers (include/ddwsim/checked.h).
 *
 * The contract under test:
 *   - ck_add(a, b, &r) and ck_mul(a, b, &r) return true exactly when the
 *     mathematical result is 2^64 or more, and store it modulo 2^64 either way;
 *   - ck_range(addr, len) is true when addr + len >= 2^64: a range may end at
 *     2^64 - 1 (exclusive), never at 2^64, whose end would wrap to 0;
 *   - sat_add and sat_mul give UINT64_MAX instead of a wrapped result.
 *
 * Expected values are worked by hand; the theory checks the predicates
 * against 128-bit arithmetic (unsigned __int128, a GCC and Clang extension).
 */
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/theories.h>

#include "ddwsim/checked.h"

#define MAX	UINT64_MAX

Test(checked, add_fits_up_to_2_64_minus_1)
{
	uint64_t r;

	cr_expect_not(ck_add(1, 2, &r));
	cr_expect_eq(r, 3);
	cr_expect_not(ck_add(MAX - 1, 1, &r));
	cr_expect_eq(r, MAX);
	cr_expect_not(ck_add(MAX, 0, &r));
	cr_expect_eq(r, MAX);
}

Test(checked, add_of_exactly_2_64_overflows)
{
	uint64_t r;

	/* 0xffff_ffff_ffff_f000 + 0x1000 = 2^64: the case that slipped through
	 * the trace readers' "len - 1 > UINT64_MAX - addr" check */
	cr_expect(ck_add(0xfffffffffffff000ull, 0x1000, &r));
	cr_expect_eq(r, 0, "the result is kept modulo 2^64");
	cr_expect(ck_add(MAX, 1, &r));
	cr_expect_eq(r, 0);
	cr_expect(ck_add(MAX, MAX, &r));
	cr_expect_eq(r, MAX - 1);
}

Test(checked, mul_overflows_at_2_64)
{
	uint64_t r;

	cr_expect_not(ck_mul(1ull << 32, (1ull << 32) - 1, &r));
	cr_expect_eq(r, 0xffffffff00000000ull);
	cr_expect(ck_mul(1ull << 32, 1ull << 32, &r));
	cr_expect_eq(r, 0);
	cr_expect_not(ck_mul(MAX, 1, &r));
	cr_expect_eq(r, MAX);
	cr_expect_not(ck_mul(MAX, 0, &r));
	cr_expect_eq(r, 0);
	cr_expect_not(ck_mul(0, MAX, &r));
	/* 1024 queues x 2^20 descriptors x 2^44 bytes each = 2^74 */
	cr_expect(ck_mul(1024ull << 20, 1ull << 44, &r));
	/* 10^7 cycles x 10^6 ps (1 MHz) x 2^21 calls > 1.8 x 10^19 */
	cr_expect_not(ck_mul(10000000ull, 1000000ull, &r));
	cr_expect(ck_mul(r, 1ull << 21, &r));
}

Test(checked, range_may_end_at_2_64_minus_1_not_at_2_64)
{
	cr_expect_not(ck_range(0, MAX), "[0, 2^64 - 1)");
	cr_expect_not(ck_range(MAX - 1, 1), "[2^64 - 2, 2^64 - 1)");
	cr_expect(ck_range(MAX, 1), "[2^64 - 1, 2^64): its end is 2^64");
	cr_expect(ck_range(0xfffffffffffff000ull, 0x1000));
	cr_expect(ck_range(1, MAX));
	cr_expect_not(ck_range(MAX, 0), "an empty range at the top");
}

Test(checked, saturating_forms_stop_at_uint64_max)
{
	cr_expect_eq(sat_add(2, 3), 5);
	cr_expect_eq(sat_add(MAX - 1, 1), MAX);
	cr_expect_eq(sat_add(MAX, 1), MAX);
	cr_expect_eq(sat_add(1ull << 63, 1ull << 63), MAX);
	cr_expect_eq(sat_mul(3, 5), 15);
	cr_expect_eq(sat_mul(1ull << 32, 1ull << 32), MAX);
	cr_expect_eq(sat_mul(MAX, 2), MAX);
	cr_expect_eq(sat_mul(MAX, 0), 0);
}

TheoryDataPoints(checked, predicates_agree_with_128_bit_arithmetic) = {
	DataPoints(uint64_t, 0, 1, 2, 3, 0xfff, 0x1000, 1ull << 31, 1ull << 32, (1ull << 32) + 1,
		   1ull << 63, (1ull << 63) + 1, MAX / 3, MAX - 0x1000, MAX - 1, MAX),
	DataPoints(uint64_t, 0, 1, 2, 3, 0xfff, 0x1000, 1ull << 31, 1ull << 32, (1ull << 32) + 1,
		   1ull << 63, (1ull << 63) + 1, MAX / 3, MAX - 0x1000, MAX - 1, MAX),
};

Theory((uint64_t a, uint64_t b), checked, predicates_agree_with_128_bit_arithmetic)
{
	unsigned __int128 sum = (unsigned __int128)a + b, prod = (unsigned __int128)a * b;
	uint64_t r;

	cr_assert_eq(ck_add(a, b, &r), sum > MAX);
	cr_assert_eq(r, (uint64_t)sum);
	cr_assert_eq(ck_mul(a, b, &r), prod > MAX);
	cr_assert_eq(r, (uint64_t)prod);
	cr_assert_eq(ck_range(a, b), sum > MAX);
	cr_assert_eq(sat_add(a, b), sum > MAX ? MAX : (uint64_t)sum);
	cr_assert_eq(sat_mul(a, b), prod > MAX ? MAX : (uint64_t)prod);
}
