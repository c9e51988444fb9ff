/*
 * test_num.c - the one number parser (include/ddwsim/num.h): every form it
 * takes, every refusal with its reason, the 64-bit edges with and without
 * suffixes, and the message helpers; then that each reader uses it (a sweep
 * range, the --set index), where no other test file looks.
 *
 * Expected values are worked out by hand from the grammar in num.h:
 *   K M G T P E = 2^10 2^20 2^30 2^40 2^50 2^60
 *   2^64 - 1 = 18446744073709551615 = 0xffffffffffffffff
 *   15E     = 15 * 2^60           = 17293822569102704640  (16E = 2^64: over)
 *   16383P  = (2^14 - 1) * 2^50   = 2^64 - 2^50 = 18445618173802708992  (16384P: over)
 *   17179869183G = (2^34 - 1) * 2^30 = 2^64 - 2^30 = 18446744072635809792
 *   18014398509481983K = (2^54 - 1) * 2^10 = 2^64 - 1024 = 18446744073709550592
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "ddwsim/config.h"
#include "ddwsim/num.h"

/* A text (len given, so it may hold a NUL), the flags, and what num_parse must say. */
struct ncase {
	const char *s;
	size_t len;		/* 0: strlen(s) */
	unsigned flags;
	int rc;			/* 0 or an enum num_err */
	uint64_t v;		/* the value when rc is 0 */
};

#define SZ	NUM_SIZE
#define DZ	(NUM_DEC | NUM_ZEROS)
#define DN	(NUM_DEC | NUM_NEG)

static void check(const struct ncase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = c[i].len ? c[i].len : strlen(c[i].s);
		uint64_t v = 0x5a5a5a5a5a5a5a5aull;
		int rc = num_parse(c[i].s, len, c[i].flags, &v);

		cr_expect(eq(int, rc, c[i].rc), "case %zu '%s' (flags %#x)", i, c[i].s, c[i].flags);
		if (c[i].rc == 0)
			cr_expect(eq(u64, v, c[i].v), "case %zu '%s'", i, c[i].s);
		else
			cr_expect(eq(u64, v, 0x5a5a5a5a5a5a5a5aull), "case %zu '%s': *out changed",
				  i, c[i].s);
	}
}

#define CHECK(table)	check(table, sizeof(table) / sizeof(table[0]))

/* ---- what it takes ---- */

Test(num, reads_decimal_and_0x_hex_whole)
{
	static const struct ncase c[] = {
		{ "0", 0, 0, 0, 0 },
		{ "7", 0, 0, 0, 7 },
		{ "100", 0, 0, 0, 100 },
		{ "4096", 0, 0, 0, 4096 },
		{ "18446744073709551615", 0, 0, 0, UINT64_MAX },
		{ "0x0", 0, 0, 0, 0 },
		{ "0x1f", 0, 0, 0, 31 },
		{ "0X1F", 0, 0, 0, 31 },
		{ "0xffffffffffffffff", 0, 0, 0, UINT64_MAX },
		{ "0xFFFFffffFFFFffff", 0, 0, 0, UINT64_MAX },
		/* hex keeps leading zeros: no other reading of them */
		{ "0x0800000000000000", 0, 0, 0, 576460752303423488ull },	/* 2^59 */
		{ "0x00000000000000000001", 0, 0, 0, 1 },
		{ "0x1E", 0, 0, 0, 30 },				/* E is a hex digit */
		{ "0x1E", 0, SZ, 0, 30 },
	};

	CHECK(c);
}

Test(num, sizes_take_k_m_g_t_p_e_in_either_case)
{
	static const struct ncase c[] = {
		{ "1K", 0, SZ, 0, 1024 },
		{ "1k", 0, SZ, 0, 1024 },
		{ "64K", 0, SZ, 0, 65536 },
		{ "2M", 0, SZ, 0, 2097152 },
		{ "1G", 0, SZ, 0, 1073741824 },
		{ "1t", 0, SZ, 0, 1099511627776ull },
		{ "1P", 0, SZ, 0, 1125899906842624ull },
		{ "512P", 0, SZ, 0, 576460752303423488ull },		/* 2^59 */
		{ "1e", 0, SZ, 0, 1152921504606846976ull },		/* 2^60 */
		{ "0K", 0, SZ, 0, 0 },
		{ "4096", 0, SZ, 0, 4096 },				/* no suffix: bytes */
		{ "0x10000", 0, SZ, 0, 65536 },				/* hex without suffix */
	};

	CHECK(c);
}

Test(num, suffixes_reach_the_last_value_below_2_64)
{
	static const struct ncase c[] = {
		{ "15E", 0, SZ, 0, 17293822569102704640ull },
		{ "16383P", 0, SZ, 0, 18445618173802708992ull },
		{ "17179869183G", 0, SZ, 0, 18446744072635809792ull },
		{ "18014398509481983K", 0, SZ, 0, 18446744073709550592ull },
	};

	CHECK(c);
}

Test(num, flags_pick_a_variant_of_the_one_grammar)
{
	static const struct ncase c[] = {
		/* NUM_ZEROS: a tool's padded columns ([003], .000512) */
		{ "001", 0, DZ, 0, 1 },
		{ "000512", 0, DZ, 0, 512 },
		{ "00", 0, DZ, 0, 0 },
		/* NUM_HEX: the digits after a format's own "0x" */
		{ "ff", 0, NUM_HEX, 0, 255 },
		{ "0010", 0, NUM_HEX, 0, 16 },
		/* NUM_NEG: QEMU's signed ret and npages, two's complement */
		{ "-1", 0, DN, 0, UINT64_MAX },
		{ "-0", 0, DN, 0, 0 },
		{ "9223372036854775807", 0, DN, 0, 0x7fffffffffffffffull },
		{ "-9223372036854775808", 0, DN, 0, 0x8000000000000000ull },
		/* only the given length is read */
		{ "12,34", 2, 0, 0, 12 },
	};

	CHECK(c);
}

/* ---- what it refuses, and why ---- */

Test(num, refuses_empty_text_and_nul_bytes)
{
	static const struct ncase c[] = {
		{ "", 0, 0, NUM_EEMPTY, 0 },
		{ "", 0, SZ, NUM_EEMPTY, 0 },
		{ "1\0", 2, 0, NUM_ENUL, 0 },
		{ "64\0K", 4, SZ, NUM_ENUL, 0 },
		{ "\0", 1, 0, NUM_ENUL, 0 },
	};

	CHECK(c);
}

Test(num, refuses_blanks_before_after_or_inside)
{
	static const struct ncase c[] = {
		{ "\t-1", 0, 0, NUM_ESPACE, 0 },	/* once 2^64-1 through strtoull */
		{ " 1", 0, 0, NUM_ESPACE, 0 },
		{ "1 ", 0, 0, NUM_ESPACE, 0 },
		{ "1 000", 0, 0, NUM_ESPACE, 0 },
		{ "1\n", 0, 0, NUM_ESPACE, 0 },
		{ "\r1", 0, 0, NUM_ESPACE, 0 },
		{ "1\v", 0, 0, NUM_ESPACE, 0 },
		{ "\f1", 0, 0, NUM_ESPACE, 0 },
		{ "64 K", 0, SZ, NUM_ESPACE, 0 },
		{ "0x 10", 0, 0, NUM_ESPACE, 0 },
		{ " ", 0, DZ, NUM_ESPACE, 0 },
	};

	CHECK(c);
}

Test(num, refuses_any_sign_unless_num_neg_allows_one_minus)
{
	static const struct ncase c[] = {
		{ "-1", 0, 0, NUM_ESIGN, 0 },
		{ "+1", 0, 0, NUM_ESIGN, 0 },
		{ "-0", 0, 0, NUM_ESIGN, 0 },
		{ "-0x10", 0, 0, NUM_ESIGN, 0 },
		{ "+0x1", 0, 0, NUM_ESIGN, 0 },
		{ "-2G", 0, SZ, NUM_ESIGN, 0 },
		{ "-1", 0, NUM_HEX, NUM_ESIGN, 0 },
		{ "+1", 0, DN, NUM_ESIGN, 0 },
		{ "--1", 0, DN, NUM_ESIGN, 0 },
		{ "-+1", 0, DN, NUM_ESIGN, 0 },
		{ "-", 0, DN, NUM_ESYNTAX, 0 },
	};

	CHECK(c);
}

Test(num, refuses_a_leading_zero_on_a_decimal_of_two_or_more_digits)
{
	static const struct ncase c[] = {
		{ "0100", 0, 0, NUM_EZERO, 0 },		/* once octal 64 */
		{ "00", 0, 0, NUM_EZERO, 0 },
		{ "007", 0, 0, NUM_EZERO, 0 },
		{ "08", 0, 0, NUM_EZERO, 0 },		/* not octal either */
		{ "02G", 0, SZ, NUM_EZERO, 0 },
		{ "-01", 0, DN, NUM_EZERO, 0 },
		{ "0100", 0, NUM_DEC, NUM_EZERO, 0 },
	};

	CHECK(c);
}

Test(num, refuses_a_suffix_after_hex)
{
	static const struct ncase c[] = {
		{ "0x1K", 0, SZ, NUM_EHEXSUFFIX, 0 },
		{ "0x10M", 0, SZ, NUM_EHEXSUFFIX, 0 },
		{ "0xffffffffffffffffK", 0, SZ, NUM_EHEXSUFFIX, 0 },
		{ "0x1K", 0, 0, NUM_ESYNTAX, 0 },	/* no suffixes at all here */
	};

	CHECK(c);
}

Test(num, refuses_everything_else_as_not_a_number)
{
	static const struct ncase c[] = {
		{ "abc", 0, 0, NUM_ESYNTAX, 0 },
		{ "0x", 0, 0, NUM_ESYNTAX, 0 },
		{ "0X", 0, SZ, NUM_ESYNTAX, 0 },
		{ "x10", 0, 0, NUM_ESYNTAX, 0 },
		{ "K", 0, SZ, NUM_ESYNTAX, 0 },
		{ "100abc", 0, 0, NUM_ESYNTAX, 0 },
		{ "1.5", 0, 0, NUM_ESYNTAX, 0 },
		{ "1.5K", 0, SZ, NUM_ESYNTAX, 0 },
		{ "1e3", 0, 0, NUM_ESYNTAX, 0 },
		{ "1_000", 0, 0, NUM_ESYNTAX, 0 },
		{ "0b101", 0, 0, NUM_ESYNTAX, 0 },
		{ "0o17", 0, 0, NUM_ESYNTAX, 0 },
		{ "0xfg", 0, 0, NUM_ESYNTAX, 0 },
		{ "\xd9\xa3", 0, 0, NUM_ESYNTAX, 0 },	/* ARABIC-INDIC DIGIT THREE */
		{ "10K", 0, 0, NUM_ESYNTAX, 0 },	/* a suffix where sizes are not documented */
		{ "1KB", 0, SZ, NUM_ESYNTAX, 0 },
		{ "1KiB", 0, SZ, NUM_ESYNTAX, 0 },
		{ "1X", 0, SZ, NUM_ESYNTAX, 0 },
		{ "1KK", 0, SZ, NUM_ESYNTAX, 0 },
		{ "0x10", 0, NUM_DEC, NUM_ESYNTAX, 0 },
		{ "0x10", 0, NUM_HEX, NUM_ESYNTAX, 0 },	/* "0x" twice: ioba=0x0x10 */
		{ "ram", 0, SZ, NUM_ESYNTAX, 0 },	/* the word is the config's, not a number */
		/* a stray character wins over the overflow before it */
		{ "99999999999999999999x", 0, 0, NUM_ESYNTAX, 0 },
	};

	CHECK(c);
}

Test(num, refuses_more_than_64_bits_suffix_included)
{
	static const struct ncase c[] = {
		{ "18446744073709551616", 0, 0, NUM_ERANGE, 0 },	/* 2^64 */
		{ "99999999999999999999", 0, 0, NUM_ERANGE, 0 },
		{ "0x10000000000000000", 0, 0, NUM_ERANGE, 0 },
		{ "0x1ffffffffffffffff", 0, 0, NUM_ERANGE, 0 },
		{ "16E", 0, SZ, NUM_ERANGE, 0 },			/* 2^64 */
		{ "16384P", 0, SZ, NUM_ERANGE, 0 },			/* 2^64 */
		{ "17179869184G", 0, SZ, NUM_ERANGE, 0 },		/* 2^34 G = 2^64 */
		{ "18014398509481984K", 0, SZ, NUM_ERANGE, 0 },		/* 2^54 K = 2^64 */
		{ "18446744073709551615K", 0, SZ, NUM_ERANGE, 0 },
		{ "99999999999999999999G", 0, SZ, NUM_ERANGE, 0 },
		{ "9223372036854775808", 0, DN, NUM_ERANGE, 0 },	/* 2^63 */
		{ "-9223372036854775809", 0, DN, NUM_ERANGE, 0 },
	};

	CHECK(c);
}

Test(num, num_parse_str_reads_up_to_the_nul)
{
	uint64_t v = 0;

	cr_expect(eq(int, num_parse_str("64K", NUM_SIZE, &v), 0));
	cr_expect(eq(u64, v, 65536));
	cr_expect(eq(int, num_parse_str("", 0, &v), NUM_EEMPTY));
}

/*
 * What ddwsim writes, it reads back: decimal and hex of any value, and the
 * size text of config_size_str() (which the messages print, "512P"), for
 * values spread over all 64 bits (an LCG, Knuth's MMIX constants).
 */
Test(num, printed_numbers_and_size_texts_read_back)
{
	uint64_t x = 1, v;
	char buf[64];

	for (unsigned i = 0; i < 4096; i++) {
		uint64_t want = i < 64 ? 1ull << i : x >> (i % 64);

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)want);
		cr_assert(eq(int, num_parse_str(buf, 0, &v), 0), "%s", buf);
		cr_assert(eq(u64, v, want));
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)want);
		cr_assert(eq(int, num_parse_str(buf, 0, &v), 0), "%s", buf);
		cr_assert(eq(u64, v, want));
		config_size_str(want, buf, sizeof(buf));
		cr_assert(eq(int, num_parse_str(buf, NUM_SIZE, &v), 0), "%s", buf);
		cr_assert(eq(u64, v, want), "%s", buf);
	}
}

/* ---- the message helpers ---- */

Test(num, each_refusal_has_a_reason_and_a_tail_for_messages)
{
	static const int errs[] = { NUM_EEMPTY, NUM_ENUL, NUM_ESPACE, NUM_ESIGN, NUM_EZERO,
				    NUM_EHEXSUFFIX, NUM_ESYNTAX, NUM_ERANGE };

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *why = num_why(errs[i]), *tail = num_why_tail(errs[i]);

		cr_expect(why && *why && why[0] >= 'a' && why[0] <= 'z', "err %d", errs[i]);
		if (errs[i] == NUM_EEMPTY || errs[i] == NUM_ESYNTAX)
			cr_expect(eq(str, (char *)tail, ""), "err %d: the quoted text says it", errs[i]);
		else
			cr_expect(strncmp(tail, ": ", 2) == 0 && strcmp(tail + 2, why) == 0, "err %d",
				  errs[i]);
	}
	cr_expect(eq(str, (char *)num_why(NUM_ESIGN), "a number has no sign"));
	cr_expect(eq(str, (char *)num_why_tail(NUM_ERANGE), ": a number is at most 64 bits"));
	/* not a num_err: no reason to add (parse_scalar's -EINVAL) */
	cr_expect(eq(str, (char *)num_why_tail(-22), ""));
	cr_expect(eq(str, (char *)num_why_tail(0), ""));
}

Test(num, show_escapes_control_bytes_and_cuts_with_dots)
{
	char buf[8], big[64];

	cr_expect(eq(str, (char *)num_show(big, sizeof(big), "\t-1", 3), "\\t-1"));
	cr_expect(eq(str, (char *)num_show(big, sizeof(big), "ios\0evil", 8), "ios\\0evil"));
	cr_expect(eq(str, (char *)num_show(big, sizeof(big), "\r\n\x01\x7f", 4), "\\r\\n\\x01\\x7f"));
	cr_expect(eq(str, (char *)num_show(big, sizeof(big), "", 0), ""));
	/* 7 bytes fit 8 exactly; 8 do not: 4 kept, then "..." and the NUL */
	cr_expect(eq(str, (char *)num_show(buf, sizeof(buf), "abcdefg", 7), "abcdefg"));
	cr_expect(eq(str, (char *)num_show(buf, sizeof(buf), "abcdefgh", 8), "abcd..."));
	/* an escape is never cut in two */
	cr_expect(eq(str, (char *)num_show(buf, sizeof(buf), "abc\t\t\t", 6), "abc..."));
}

/* ---- the readers use it: a sweep range and the --set index ---- */

static const char *bin(void)
{
	const char *b = getenv("DDWSIM_BIN");

	return b && *b ? b : "./ddwsim";
}

/* Runs "bin ARGS" with stderr in err (n bytes), stdout dropped; the exit status. */
static int run(const char *args, char *err, size_t n)
{
	char path[] = "/tmp/ddwsim-num-err-XXXXXX", cmd[2048];
	int fd = mkstemp(path), st;
	FILE *fp;
	size_t got;

	cr_assert(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>%s </dev/null", bin(), args, path);
	st = system(cmd);
	fp = fopen(path, "rb");
	cr_assert(fp != NULL);
	got = fread(err, 1, n - 1, fp);
	err[got] = '\0';
	fclose(fp);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/*
 * `ddwsim sweep FILE --print` of a sweep over run.ios = range (YAML) on the
 * default config, with its results in a temporary folder; stderr in err.
 */
static int sweep_print(const char *range, char *file, size_t fn, char *err, size_t n)
{
	char dir[] = "/tmp/ddwsim-num-sweep-XXXXXX", cwd[4096], args[1024];
	FILE *fp;
	int code;

	cr_assert(mkdtemp(dir) != NULL && getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(file, fn, "%s/s.yaml", dir);
	fp = fopen(file, "w");
	cr_assert(fp != NULL);
	fprintf(fp, "name: num\nconfig: %s/configs/default.yaml\nparams:\n  run.ios: %s\n", cwd,
		range);
	cr_assert(fclose(fp) == 0);
	snprintf(args, sizeof(args), "sweep %s --print --results %s/results", file, dir);
	code = run(args, err, n);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	cr_assert(system(args) == 0);
	return code;
}

struct sweep_case {
	const char *range;	/* the YAML of run.ios, on line 4 after "  run.ios: " */
	unsigned col;		/* column of the bad value: 12 + its offset in range */
	const char *msg;	/* stderr after "FILE:4:COL: run.ios: " */
};

static const struct sweep_case sweep_cases[] = {
	{ "{from: 0100, to: 200, step: 1}", 19,
	  "from: expected a whole number (decimal or 0x hex, sizes like 4K), got '0100': leading "
	  "zeros are refused, never read as octal: write the number without them" },
	{ "{from: \"\\t1\", to: 2, step: 1}", 19,
	  "from: expected a whole number (decimal or 0x hex, sizes like 4K), got '\\t1': a number "
	  "has no spaces, tabs or other white space" },
	{ "{from: 1, to: 99999999999999999999, step: 1}", 26,
	  "to: expected a whole number (decimal or 0x hex, sizes like 4K), got "
	  "'99999999999999999999': a number is at most 64 bits" },
	{ "{from: 1, to: 16E, times: 2}", 26,
	  "to: expected a whole number (decimal or 0x hex, sizes like 4K), got '16E': a number is "
	  "at most 64 bits" },
	{ "{from: 1, to: 8, step: +1}", 35,
	  "step: expected a whole number (decimal or 0x hex, sizes like 4K), got '+1': a number "
	  "has no sign" },
	{ "{from: 1, to: 8, times: 0x2K}", 36,
	  "times: expected a whole number (decimal or 0x hex, sizes like 4K), got '0x2K': a hex "
	  "number takes no size suffix" },
	{ "{from: 1, to: 8, times: 2x}", 36,
	  "times: expected a whole number (decimal or 0x hex, sizes like 4K), got '2x'" },
};

ParameterizedTestParameters(num, sweep_ranges_refuse_what_configs_refuse)
{
	static unsigned ix[sizeof(sweep_cases) / sizeof(sweep_cases[0])];
	size_t n = sizeof(ix) / sizeof(ix[0]);

	for (size_t i = 0; i < n; i++)
		ix[i] = (unsigned)i;
	return cr_make_param_array(unsigned, ix, n);
}

ParameterizedTest(unsigned *ix, num, sweep_ranges_refuse_what_configs_refuse)
{
	const struct sweep_case *c = &sweep_cases[*ix];
	char file[64], err[1024], want[1024];
	int code = sweep_print(c->range, file, sizeof(file), err, sizeof(err));

	snprintf(want, sizeof(want), "%s:4:%u: run.ios: %s\n", file, c->col, c->msg);
	cr_expect(eq(int, code, 2));
	cr_expect(eq(str, err, want));
}

Test(num, a_sweep_range_takes_hex_and_size_suffixes)
{
	char file[64], err[1024];

	cr_expect(eq(int, sweep_print("{from: 0x400, to: 4K, times: 2}", file, sizeof(file), err,
				      sizeof(err)), 0), "stderr: %s", err);
	cr_expect(eq(str, err, ""));
}

Test(num, a_set_index_is_a_number_or_a_name)
{
	char err[1024];

	/* "0x1" is index 1 (ddw-direct in default.yaml); " 1", "+1" and "01" are names, and none */
	cr_expect(eq(int, run("--config configs/default.yaml --set run.ios=10 -q "
			      "--set 'modes[0x1].name=x'", err, sizeof(err)), 0), "%s", err);
	cr_expect(eq(int, run("--config configs/default.yaml --set 'modes[01].name=x'", err,
			      sizeof(err)), 2));
	cr_expect(eq(str, err, "--set modes[01].name=x: no such setting in configs/default.yaml\n"));
	cr_expect(eq(int, run("--config configs/default.yaml --set 'modes[+1].name=x'", err,
			      sizeof(err)), 2));
	cr_expect(eq(str, err, "--set modes[+1].name=x: no such setting in configs/default.yaml\n"));
}
