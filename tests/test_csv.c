/*
 * test_csv.c - the CSV reader (src/csv.c): RFC 4180 fields, the table's
 * shape, and every refusal with the line it names.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <string.h>
#include <unistd.h>

#include "ddwsim/csv.h"
#include "run_bin.h"

/* Reads text as a CSV file into t; returns csv_read's result. */
static int read_text(struct csv *t, const char *text, size_t len)
{
	char path[] = "/tmp/ddwsim-csv-XXXXXX.csv";
	int rc;

	run_write(path, 4, text, len);
	rc = csv_read(t, path);
	unlink(path);
	return rc;
}

Test(csv, fields_quotes_and_line_ends)
{
	/* 3 columns; row 1 quotes a comma and a doubled quote; row 2 holds a
	 * quoted line break and ends in CRLF; the last line has no line end. */
	static const char text[] = "a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n\"two\nlines\",,z\r\n3,4,5";
	struct csv t;

	cr_assert_eq(read_text(&t, text, sizeof(text) - 1), 0);
	cr_assert_eq(t.ncols, 3);
	cr_assert_eq(t.nrows, 3);
	cr_assert_str_eq(csv_at(&t, 0, 2), "c");
	cr_assert_str_eq(csv_at(&t, 1, 1), "x,y");
	cr_assert_str_eq(csv_at(&t, 1, 2), "say \"hi\"");
	cr_assert_str_eq(csv_at(&t, 2, 0), "two\nlines");
	cr_assert_str_eq(csv_at(&t, 2, 1), "");
	cr_assert_str_eq(csv_at(&t, 2, 2), "z");
	cr_assert_str_eq(csv_at(&t, 3, 2), "5");
	cr_assert_eq(csv_col(&t, "b"), 1);
	cr_assert_eq(csv_col(&t, "nope"), -1);
	csv_release(&t);
}

Test(csv, a_trailing_empty_field_counts)
{
	struct csv t;

	cr_assert_eq(read_text(&t, "a,b\n1,", 6), 0);
	cr_assert_eq(t.nrows, 1);
	cr_assert_str_eq(csv_at(&t, 1, 0), "1");
	cr_assert_str_eq(csv_at(&t, 1, 1), "");
	csv_release(&t);
}

struct bad_csv {
	const char *text;
	size_t len;
	const char *msg;	/* the expected message after "PATH:" */
};

#define BAD(s, m) { s, sizeof(s) - 1, m }
static const struct bad_csv bad[] = {
	BAD("a,b\n1,2\n3\n", ":3: a record of 1 fields, the header has 2"),
	BAD("a,b\n1,\"2\n", ":2: a quoted field is never closed"),
	BAD("a,b\n1,x\"y\n", ":2: a '\"' inside a field that is not quoted"),
	BAD("a,b\n1,\"x\"y\n", ":2: text after a field's closing quote"),
	BAD("a,b\n\n1,2\n", ":2: a blank line"),
	BAD("a,b\n1,2\r3\n", ":2: a CR that does not end a line"),
	BAD("a,b\n\"multi\nline\",2\n1\n", ":4: a record of 1 fields, the header has 2"),
	BAD("a,b\n1,\0\n", "holds a NUL byte"),
	BAD("", "is empty"),
};

static unsigned bad_ix[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };

ParameterizedTestParameters(csv, refusals_name_the_line)
{
	_Static_assert(sizeof(bad_ix) / sizeof(bad_ix[0]) == sizeof(bad) / sizeof(bad[0]), "one index per case");
	return cr_make_param_array(unsigned, bad_ix, sizeof(bad_ix) / sizeof(bad_ix[0]));
}

ParameterizedTest(unsigned *ix, csv, refusals_name_the_line, .init = cr_redirect_stderr)
{
	const struct bad_csv *b = &bad[*ix];
	struct csv t;
	char err[512] = "";

	cr_assert_eq(read_text(&t, b->text, b->len), -1);
	cr_assert_eq(t.cell, NULL);
	cr_assert_eq(t.ncols, 0);
	fflush(stderr);
	cr_assert(fread(err, 1, sizeof(err) - 1, cr_get_redirected_stderr()) > 0);
	cr_assert(strstr(err, b->msg), "expected '%s' in '%s'", b->msg, err);
}
