/*
 * test_json_strict.c - the test suite's own strict JSON checker and CSV
 * reader (tests/json_strict.h, tests/csv_check.h): what they accept, what
 * they reject, and where they say the problem is.
 *
 * Positions are worked out by hand: "line L col C" counts lines from 1 and
 * bytes from 1 within the line, so in `{"a":1,"a":2}` the second key's quote
 * is byte offset 7, col 8. Each rejection test names the rule it checks.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "csv_check.h"
#include "json_strict.h"

static char err[256];

static int check(const char *s)
{
	return json_strict_check(s, strlen(s), err, sizeof(err));
}

static void accepts(const char *s)
{
	int rc = check(s);

	cr_assert(eq(int, rc, 0), "rejected %s: %s", s, err);
	cr_assert(eq(str, err, ""));
}

static void rejects(const char *s, const char *want)
{
	int rc = check(s);

	cr_assert(eq(int, rc, -1), "accepted %s", s);
	cr_assert(eq(str, err, (char *)want), "for %s", s);
}

/* ---- valid documents ---- */

Test(json_strict, accepts_nested_objects_and_arrays)
{
	accepts("{\"a\":{\"b\":[1,{\"c\":null}],\"d\":true},\"e\":false,\"f\":[[],{}],"
		"\"g\":[[[\"deep\"]]]}");
}

Test(json_strict, accepts_every_number_form)
{
	accepts("[0,-0,7,-7,10,0.5,-0.5,1e-7,1E7,1e+7,1.5E+3,-12.25e10,0e0,-0.0E-0,"
		"123456789012345678901234567890]");
}

Test(json_strict, accepts_every_escape_and_a_surrogate_pair)
{
	/* \" \\ \/ \b \f \n \r \t, e-acute, U+1F600 as a pair, U+0000, upper-case hex */
	accepts("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\u0000\\u00C9\"");
}

Test(json_strict, accepts_raw_utf8_in_strings)
{
	/* 2, 3 and 4-byte sequences: e-acute, euro sign, U+1F600, and U+10FFFF */
	accepts("[\"\xc3\xa9\",\"\xe2\x82\xac\",\"\xf0\x9f\x98\x80\",\"\xf4\x8f\xbf\xbf\"]");
}

Test(json_strict, accepts_empty_containers_and_all_whitespace)
{
	accepts("{}");
	accepts("[]");
	accepts(" \t\r\n{ \t\r\n} \t\r\n");
	accepts("[ ]");
	accepts("{\"\":{}}");	/* the empty key is a key like any other */
}

Test(json_strict, accepts_a_scalar_as_the_whole_document)
{
	accepts("0");
	accepts("-1.5e3");
	accepts("\"x\"");
	accepts("true");
	accepts("false");
	accepts(" null ");
}

Test(json_strict, equal_keys_in_different_objects_are_not_duplicates)
{
	accepts("{\"a\":1,\"b\":{\"a\":2,\"b\":3}}");
	accepts("[{\"a\":1},{\"a\":2}]");
	/* the inner object closes, so its keys must not count against the outer */
	accepts("{\"x\":{\"k\":1},\"k\":2}");
	accepts("{\"a\":1,\"A\":2,\"a \":3}");
}

Test(json_strict, accepts_nesting_of_exactly_256)
{
	char s[2 * JSON_STRICT_MAX_DEPTH + 1];

	memset(s, '[', JSON_STRICT_MAX_DEPTH);
	memset(s + JSON_STRICT_MAX_DEPTH, ']', JSON_STRICT_MAX_DEPTH);
	s[2 * JSON_STRICT_MAX_DEPTH] = '\0';
	accepts(s);
}

Test(json_strict, reads_only_len_bytes)
{
	/* a valid value, then bytes beyond len that would be garbage */
	cr_assert(eq(int, json_strict_check("[1]xyz", 3, err, sizeof(err)), 0));
	cr_assert(eq(int, json_strict_check("{\"a\":1}", 6, err, sizeof(err)), -1));
	cr_assert(eq(str, err, "line 1 col 7: expected ',' or '}', found end of input"));
}

Test(json_strict, every_proper_prefix_of_an_object_is_rejected_within_its_bytes)
{
	/* exact-size heap copies without a NUL: ASan stops any read past len */
	static const char doc[] =
		"{\"k\":[1.5e-3,\"\\u00e9\\ud83d\\ude00\xf0\x9f\x98\x80\",true,null,{}]}";
	size_t n;

	for (n = 0; n < sizeof(doc) - 1; n++) {
		char *s = malloc(n ? n : 1);

		memcpy(s, doc, n);
		cr_expect(eq(int, json_strict_check(s, n, err, sizeof(err)), -1), "prefix %zu", n);
		free(s);
	}
	cr_assert(eq(int, json_strict_check(doc, sizeof(doc) - 1, err, sizeof(err)), 0), "%s", err);
}

Test(json_strict, err_may_be_null_or_small)
{
	char small[8];

	cr_assert(eq(int, json_strict_check("[01]", 4, NULL, 0), -1));
	cr_assert(eq(int, json_strict_check("[01]", 4, small, sizeof(small)), -1));
	cr_assert(eq(str, small, "line 1 "));
}

/* ---- one rejection per rule ---- */

Test(json_strict, rejects_duplicate_key_at_top_level)
{
	/* {"a":1,"b":2,"a":3}: the second "a" opens at offset 13 */
	rejects("{\"a\":1,\"b\":2,\"a\":3}",
		"line 1 col 14: duplicate key \"a\" (first at line 1 col 2)");
}

Test(json_strict, rejects_duplicate_key_nested_in_an_array_of_objects)
{
	/* line 3 is `  {"name": "y", "name": "z"}`: keys at cols 4 and 17 */
	rejects("{\"modes\": [\n"
		"  {\"name\": \"x\", \"setup\": 1},\n"
		"  {\"name\": \"y\", \"name\": \"z\"}\n"
		"]}\n",
		"line 3 col 17: duplicate key \"name\" (first at line 3 col 4)");
}

Test(json_strict, rejects_duplicate_key_spelled_with_escapes)
{
	/* "\u0061" decodes to "a"; the second key opens at offset 7 */
	rejects("{\"a\":1,\"\\u0061\":2}",
		"line 1 col 8: duplicate key \"\\u0061\" (first at line 1 col 2)");
	/* "\u00e9" and the raw UTF-8 of e-acute are the same two bytes C3 A9 */
	rejects("{\"\xc3\xa9\":1,\"\\u00e9\":2}",
		"line 1 col 9: duplicate key \"\\u00e9\" (first at line 1 col 2)");
	/* \/ is /, and a pair is the 4-byte UTF-8 of U+1F600 */
	rejects("{\"\\/\":1,\"/\":2}", "line 1 col 9: duplicate key \"/\" (first at line 1 col 2)");
	rejects("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
		"line 1 col 19: duplicate key \"\xf0\x9f\x98\x80\" (first at line 1 col 2)");
	/* the other UTF-8 lengths: U+00A9 is C2 A9, U+20AC is E2 82 AC */
	rejects("{\"\\u00a9\":1,\"\xc2\xa9\":2}",
		"line 1 col 13: duplicate key \"\xc2\xa9\" (first at line 1 col 2)");
	rejects("{\"\xe2\x82\xac\":1,\"\\u20AC\":2}",
		"line 1 col 10: duplicate key \"\\u20AC\" (first at line 1 col 2)");
}

Test(json_strict, rejects_trailing_comma)
{
	rejects("[1,2,]", "line 1 col 5: trailing comma");
	rejects("{\"a\":1,}", "line 1 col 7: trailing comma");
	rejects("{\"a\":[1,\n]}", "line 1 col 8: trailing comma");
}

Test(json_strict, rejects_leading_zero)
{
	rejects("[01]", "line 1 col 2: leading zero in number");
	rejects("[-007]", "line 1 col 3: leading zero in number");
}

Test(json_strict, rejects_nan_and_infinity)
{
	rejects("[NaN]", "line 1 col 2: NaN and Infinity are not JSON numbers");
	rejects("[1, Infinity]", "line 1 col 5: NaN and Infinity are not JSON numbers");
	rejects("{\"x\": -Infinity}", "line 1 col 7: NaN and Infinity are not JSON numbers");
}

Test(json_strict, rejects_malformed_numbers)
{
	rejects("+1", "line 1 col 1: expected a value, found '+'");
	rejects(".5", "line 1 col 1: expected a value, found '.'");
	rejects("1.", "line 1 col 3: expected a digit after '.', found end of input");
	rejects("[1.e3]", "line 1 col 4: expected a digit after '.', found 'e'");
	rejects("1e", "line 1 col 3: expected a digit in the exponent, found end of input");
	rejects("-", "line 1 col 2: expected a digit, found end of input");
	rejects("0x10", "line 1 col 2: trailing characters after the value");
}

Test(json_strict, rejects_unterminated_string_at_its_opening_quote)
{
	rejects("{\"a\":\"bc", "line 1 col 6: unterminated string");
	rejects("[\n  \"abc\\", "line 2 col 3: unterminated string");
}

Test(json_strict, rejects_control_character_in_string)
{
	rejects("[\"a\tb\"]", "line 1 col 4: control character 0x09 in string, escape it");
	rejects("\"a\nb\"", "line 1 col 3: control character 0x0a in string, escape it");
	rejects("\"\x1f\"", "line 1 col 2: control character 0x1f in string, escape it");
}

Test(json_strict, rejects_lone_surrogate)
{
	rejects("[\"\\ud800\"]", "line 1 col 3: lone surrogate \\ud800");
	rejects("\"x\\udc00\"", "line 1 col 3: lone surrogate \\udc00");
	/* a high surrogate followed by something that is not a low one */
	rejects("\"\\ud800\\u0041\"", "line 1 col 2: lone surrogate \\ud800");
	rejects("\"\\udbff\\udbff\"", "line 1 col 2: lone surrogate \\udbff");
	/* a low surrogate first is lone even when another low or a high follows */
	rejects("\"\\udc00\\udc00\"", "line 1 col 2: lone surrogate \\udc00");
	rejects("\"\\ude00\\ud83d\"", "line 1 col 2: lone surrogate \\ude00");
}

Test(json_strict, rejects_bad_escape)
{
	rejects("[\"\\x\"]", "line 1 col 3: invalid escape '\\x'");
	rejects("\"\\'\"", "line 1 col 2: invalid escape '\\''");
	rejects("\"ab\\u12G4\"", "line 1 col 4: invalid \\u escape, expected 4 hex digits");
	rejects("\"\\u12\"", "line 1 col 2: invalid \\u escape, expected 4 hex digits");
}

Test(json_strict, rejects_invalid_utf8)
{
	const char *seq = "line 1 col 2: invalid UTF-8 sequence";

	rejects("\"\x80\"", "line 1 col 2: invalid UTF-8 byte 0x80");	/* continuation */
	rejects("\"\xc0\xaf\"", "line 1 col 2: invalid UTF-8 byte 0xc0");	/* overlong '/' */
	rejects("\"\xe0\x80\xaf\"", seq);		/* overlong '/' */
	rejects("\"\xf0\x8f\xbf\xbf\"", seq);	/* overlong U+FFFF */
	rejects("\"\xed\xa0\x80\"", seq);		/* U+D800 */
	rejects("\"\xf4\x90\x80\x80\"", seq);	/* U+110000 */
	rejects("\"a\xc3\"", "line 1 col 3: invalid UTF-8 sequence");	/* cut short */
	/* a byte-order mark */
	rejects("\xef\xbb\xbf{}", "line 1 col 1: expected a value, found byte 0xef");
}

Test(json_strict, rejects_nesting_of_257)
{
	char s[2 * (JSON_STRICT_MAX_DEPTH + 1) + 1];

	memset(s, '[', JSON_STRICT_MAX_DEPTH + 1);
	memset(s + JSON_STRICT_MAX_DEPTH + 1, ']', JSON_STRICT_MAX_DEPTH + 1);
	s[2 * (JSON_STRICT_MAX_DEPTH + 1)] = '\0';
	/* the 257th '[' is byte offset 256 */
	rejects(s, "line 1 col 257: nesting deeper than 256");
	/* objects count too: 256 arrays then an object */
	s[JSON_STRICT_MAX_DEPTH] = '{';
	rejects(s, "line 1 col 257: nesting deeper than 256");
}

Test(json_strict, rejects_trailing_garbage)
{
	rejects("{} x", "line 1 col 4: trailing characters after the value");
	rejects("[1]\n[2]", "line 2 col 1: trailing characters after the value");
	rejects("1 2", "line 1 col 3: trailing characters after the value");
	rejects("{}}", "line 1 col 3: trailing characters after the value");
}

Test(json_strict, rejects_what_is_not_json_at_all)
{
	rejects("", "line 1 col 1: expected a value, found end of input");
	rejects(" \n ", "line 2 col 2: expected a value, found end of input");
	rejects("{'a':1}", "line 1 col 2: expected a string key, found '''");
	rejects("{a:1}", "line 1 col 2: expected a string key, found 'a'");
	rejects("{\"a\" 1}", "line 1 col 6: expected ':', found '1'");
	rejects("[1 2]", "line 1 col 4: expected ',' or ']', found '2'");
	rejects("[1,,2]", "line 1 col 4: expected a value, found ','");
	rejects("[tru]", "line 1 col 2: invalid literal, expected 'true'");
	rejects("nul", "line 1 col 1: invalid literal, expected 'null'");
	rejects("[1] // c", "line 1 col 5: trailing characters after the value");
	rejects("\f[]", "line 1 col 1: expected a value, found byte 0x0c");
}

/* ---- json_strict_get ---- */

static const char get_doc[] =
	"{\"name\": \"ddw\",\n"
	" \"modes\": [\n"
	"  {\"id\": 0, \"setup\": {\"hcalls\": 10}},\n"
	"  {\"id\": 1, \"setup\": {\"hcalls\": 20, \"s\": \"}]\\\"{\"}},\n"
	"  {\"id\": 2, \"setup\": {\"note\": \"a\\\"b\", \"hcalls\": 4096}}\n"
	" ],\n"
	" \"m\\u00e9\": [1.5e3, [true, null]],\n"
	" \"hcalls\": -1}\n";

/* The text at path, or "(absent)". */
static const char *get(const char *path)
{
	static char out[128];
	const char *v;
	size_t n;

	v = json_strict_get(get_doc, sizeof(get_doc) - 1, path, &n);
	if (!v)
		return "(absent)";
	cr_assert(v >= get_doc && n <= (size_t)(get_doc + sizeof(get_doc) - 1 - v));
	cr_assert(n < sizeof(out));
	memcpy(out, v, n);
	out[n] = '\0';
	return out;
}

Test(json_strict_get, finds_nested_keys_through_array_indices)
{
	cr_assert(eq(int, check(get_doc), 0), "%s", err);
	cr_expect(eq(str, (char *)get("modes[2].setup.hcalls"), "4096"));
	cr_expect(eq(str, (char *)get("modes[1].setup.hcalls"), "20"));
	cr_expect(eq(str, (char *)get("modes[0].setup.hcalls"), "10"));
	cr_expect(eq(str, (char *)get("modes[1].id"), "1"));
	/* the top-level "hcalls", not one of the nested ones before it */
	cr_expect(eq(str, (char *)get("hcalls"), "-1"));
}

Test(json_strict_get, returns_containers_and_strings_as_their_whole_text)
{
	cr_expect(eq(str, (char *)get("modes[0].setup"), "{\"hcalls\": 10}"));
	cr_expect(eq(str, (char *)get("modes[0]"), "{\"id\": 0, \"setup\": {\"hcalls\": 10}}"));
	cr_expect(eq(str, (char *)get("name"), "\"ddw\""));
	cr_expect(eq(str, (char *)get("modes[2].setup.note"), "\"a\\\"b\""));
	/* brackets and an escaped quote inside a string do not end the object */
	cr_expect(eq(str, (char *)get("modes[1].setup.s"), "\"}]\\\"{\""));
}

Test(json_strict_get, matches_keys_after_decoding_escapes)
{
	cr_expect(eq(str, (char *)get("m\xc3\xa9"), "[1.5e3, [true, null]]"));
	cr_expect(eq(str, (char *)get("m\xc3\xa9[0]"), "1.5e3"));
	cr_expect(eq(str, (char *)get("m\xc3\xa9[1][0]"), "true"));
	cr_expect(eq(str, (char *)get("m\xc3\xa9[1][1]"), "null"));
	cr_expect(eq(str, (char *)get("m"), "(absent)"));	/* a prefix is not the key */
	cr_expect(eq(str, (char *)get("nam"), "(absent)"));
	cr_expect(eq(str, (char *)get("names"), "(absent)"));
}

Test(json_strict_get, absent_paths_give_null)
{
	cr_expect(eq(str, (char *)get("modes[3]"), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[1].setup.x"), "(absent)"));
	cr_expect(eq(str, (char *)get("name.x"), "(absent)"));	/* a string has no keys */
	cr_expect(eq(str, (char *)get("name[0]"), "(absent)"));
	cr_expect(eq(str, (char *)get("modes.id"), "(absent)"));	/* an array has no keys */
	cr_expect(eq(str, (char *)get("[0]"), "(absent)"));	/* the top is an object */
}

Test(json_strict_get, malformed_paths_give_null)
{
	cr_expect(eq(str, (char *)get("modes["), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[]"), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[x]"), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[-1]"), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[0]id"), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[0]xid"), "(absent)"));	/* no '.' before a key */
	cr_expect(eq(str, (char *)get("modes..id"), "(absent)"));
	cr_expect(eq(str, (char *)get(".name"), "(absent)"));
	cr_expect(eq(str, (char *)get("name."), "(absent)"));
	cr_expect(eq(str, (char *)get("modes[99999999999999999999999]"), "(absent)"));
}

Test(json_strict_get, top_level_arrays_scalars_and_the_empty_path)
{
	static const char arr[] = " [10, [20, 30], {}, []] ";
	const char *v;
	size_t n;

	v = json_strict_get(arr, strlen(arr), "[1][1]", &n);
	cr_assert_not_null(v);
	cr_expect(eq(sz, (size_t)(v - arr), 11));
	cr_expect(eq(sz, n, 2));
	v = json_strict_get(arr, strlen(arr), "", &n);
	cr_assert_not_null(v);
	cr_expect(eq(sz, (size_t)(v - arr), 1));	/* after the leading space */
	cr_expect(eq(sz, n, 22));			/* to the last ']', not the space */
	cr_expect_null(json_strict_get(arr, strlen(arr), "[2][0]", &n));	/* {} has no [0] */
	cr_expect_null(json_strict_get(arr, strlen(arr), "[3][0]", &n));	/* [] is empty */
	cr_expect_null(json_strict_get(arr, strlen(arr), "[4]", &n));
	v = json_strict_get("42", 2, "", &n);
	cr_assert_not_null(v);
	cr_expect(eq(sz, n, 2));
}

Test(json_strict_get, an_invalid_document_has_no_values)
{
	size_t n;

	cr_expect_null(json_strict_get("{\"a\":1,\"a\":2}", 13, "a", &n));
	cr_expect_null(json_strict_get("{\"a\":1,}", 8, "a", &n));
	cr_expect_not_null(json_strict_get("{\"a\":1}", 7, "a", &n));
}

/* ---- csv_check.h ---- */

Test(csv_check, unique_header_passes)
{
	cr_assert(eq(int, csv_header_unique("a,b,c\n1,2,3\n", err, sizeof(err)), 0), "%s", err);
	cr_assert(eq(str, err, ""));
	/* the data rows may repeat values; only the header is checked */
	cr_assert(eq(int, csv_header_unique("x,y\r\n1,1\r\n1,1\r\n", err, sizeof(err)), 0));
	cr_assert(eq(int, csv_header_unique("solo", err, sizeof(err)), 0));
}

Test(csv_check, repeated_column_is_named)
{
	cr_assert(eq(int, csv_header_unique("mode,ios,lat,ios\n1,2,3,4\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "duplicate column 'ios' at index 3 (first at index 1)"));
	/* the first column that repeats an earlier one, reading left to right */
	cr_assert(eq(int, csv_header_unique("a,b,b,a\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "duplicate column 'b' at index 2 (first at index 1)"));
	/* quoting does not make a name different */
	cr_assert(eq(int, csv_header_unique("a,\"a\"\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "duplicate column 'a' at index 1 (first at index 0)"));
	cr_assert(eq(int, csv_header_unique("a,,b,\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "duplicate column '' at index 3 (first at index 1)"));
}

Test(csv_check, quoted_commas_stay_in_one_column)
{
	static const char csv[] = "a,\"b,c\",d,\"say \"\"hi\"\"\"\n1,2,3,4\n";

	cr_assert(eq(int, csv_header_unique(csv, err, sizeof(err)), 0), "%s", err);
	cr_expect(eq(int, csv_column(csv, "a"), 0));
	cr_expect(eq(int, csv_column(csv, "b,c"), 1));
	cr_expect(eq(int, csv_column(csv, "d"), 2));
	cr_expect(eq(int, csv_column(csv, "say \"hi\""), 3));
	cr_expect(eq(int, csv_column(csv, "b"), -1));
	cr_expect(eq(int, csv_column(csv, "c"), -1));
	cr_expect(eq(int, csv_column(csv, "1"), -1));	/* data rows are not columns */
	/* and a quoted comma in two columns is one repeated name */
	cr_assert(eq(int, csv_header_unique("\"x,y\",z,\"x,y\"\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "duplicate column 'x,y' at index 2 (first at index 0)"));
}

Test(csv_check, malformed_headers_fail)
{
	cr_assert(eq(int, csv_header_unique("", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "empty text, no header"));
	cr_assert(eq(int, csv_header_unique("a,\"bc\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "malformed header field at index 1, byte 2"));
	cr_assert(eq(int, csv_header_unique("a,b\"c\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "malformed header field at index 1, byte 3"));
	cr_assert(eq(int, csv_header_unique("\"a\"b,c\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "malformed header field at index 0, byte 3"));
	cr_assert(eq(int, csv_header_unique("a\rb\n", err, sizeof(err)), -1));
	cr_assert(eq(str, err, "malformed header field at index 0, byte 1"));
	cr_expect(eq(int, csv_column("a,\"bc\n", "a"), 0));	/* found before the problem */
	cr_expect(eq(int, csv_column("a,\"bc\n", "x"), -1));
}

Test(csv_check, long_repeated_names_are_cut_in_the_message)
{
	char csv[256], want[128];

	memset(csv, 'n', 100);
	csv[100] = ',';
	memset(csv + 101, 'n', 100);
	strcpy(csv + 201, "\n");
	cr_assert(eq(int, csv_header_unique(csv, err, sizeof(err)), -1));
	/* the name buffer is 80 bytes: 76 of the name, then "..." */
	memset(want, 'n', 76);
	strcpy(want + 76, "...' at index 1 (first at index 0)");
	cr_assert(eq(int, strncmp(err, "duplicate column '", 18), 0), "%s", err);
	cr_assert(eq(str, err + 18, want));
}

static const char cells[] =
	"id,name,note\n"
	"0,x,\"a,b\"\n"
	"1,y,\"line1\nline2\"\n"
	"2,\"\"\"q\"\"\",\n";

static const char *cell(unsigned row, unsigned col)
{
	static char out[32];

	return csv_cell(cells, row, col, out, sizeof(out)) == 0 ? out : "(absent)";
}

Test(csv_check, cells_by_row_and_column)
{
	cr_expect(eq(str, (char *)cell(0, 0), "0"));
	cr_expect(eq(str, (char *)cell(0, 1), "x"));
	cr_expect(eq(str, (char *)cell(0, 2), "a,b"));
	cr_expect(eq(str, (char *)cell(1, 2), "line1\nline2"));
	/* the line break inside row 1's quotes does not start a row */
	cr_expect(eq(str, (char *)cell(2, 0), "2"));
	cr_expect(eq(str, (char *)cell(2, 1), "\"q\""));
	cr_expect(eq(str, (char *)cell(2, 2), ""));	/* empty last field */
}

Test(csv_check, cells_outside_the_table_are_absent)
{
	char out[4];

	cr_expect(eq(str, (char *)cell(3, 0), "(absent)"));	/* the final \n ends row 2 */
	cr_expect(eq(str, (char *)cell(0, 3), "(absent)"));
	cr_expect(eq(int, csv_cell("a,b\n", 0, 0, out, sizeof(out)), -1));	/* no data rows */
	cr_expect(eq(int, csv_cell("", 0, 0, out, sizeof(out)), -1));
	/* "a,b" needs 4 bytes with its NUL: 3 is too few, 4 is enough */
	cr_expect(eq(int, csv_cell(cells, 0, 2, out, 3), -1));
	cr_expect(eq(str, out, ""));
	cr_expect(eq(int, csv_cell(cells, 0, 2, out, 4), 0));
	cr_expect(eq(str, out, "a,b"));
	cr_expect(eq(int, csv_cell(cells, 0, 2, out, 0), -1));
}

Test(csv_check, crlf_and_a_missing_final_newline)
{
	char out[8];

	cr_assert(eq(int, csv_cell("a,b\r\n1,2\r\n3,4", 0, 1, out, sizeof(out)), 0));
	cr_expect(eq(str, out, "2"));		/* not "2\r" */
	cr_assert(eq(int, csv_cell("a,b\r\n1,2\r\n3,4", 1, 1, out, sizeof(out)), 0));
	cr_expect(eq(str, out, "4"));
	cr_expect(eq(int, csv_column("a,b\r\n", "b"), 1));
}
