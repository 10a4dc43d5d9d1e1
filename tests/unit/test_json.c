/* test_json.c: the JSON writer and escapers against a strict validator. */
#include "testutil.h"
#include "jsoncheck.h"

#include <math.h>

#include "json.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* {"s":<string>} of the given bytes into buf; returns the length. */
static size_t
doc_with_string(char *buf, size_t len, const char *s, size_t n)
{
	struct json j;

	json_init(&j, buf, len);
	json_obj_open(&j, NULL);
	json_strn(&j, "s", s, n);
	json_close(&j);
	return json_finish(&j);
}

static void
test_every_byte(void **state)
{
	char buf[64], in[1], want[64];
	size_t n;
	int b;

	(void)state;
	for (b = 0; b < 256; b++) {
		in[0] = (char)b;
		n = doc_with_string(buf, sizeof(buf), in, 1);
		assert_int_equal(n, strlen(buf));
		assert_int_equal(jc_check(buf, n), 0);
		if (b < 0x20 || b == 0x7f)
			snprintf(want, sizeof(want), "{\"s\":\"\\u%04x\"}", b);
		else if (b == '"' || b == '\\')
			snprintf(want, sizeof(want), "{\"s\":\"\\%c\"}", b);
		else if (b >= 0x80)
			snprintf(want, sizeof(want), "{\"s\":\"\\ufffd\"}");
		else
			snprintf(want, sizeof(want), "{\"s\":\"%c\"}", b);
		assert_string_equal(buf, want);
	}
}

static void
test_utf8(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "\xc3\xa9", "\xc3\xa9" },			/* é */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },		/* € */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },	/* emoji */
		{ "\xc0\x80", "\\ufffd\\ufffd" },		/* overlong */
		{ "\xe0\x80\x80", "\\ufffd\\ufffd\\ufffd" },	/* overlong */
		{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd" },
		{ "\xf5", "\\ufffd" },
		{ "\xe2\x82" "A", "\\ufffdA" },		/* cut short */
		{ "\xe2\x82", "\\ufffd" },			/* at the end */
		{ "\xf0\x9f\x98", "\\ufffd" },
		{ "\xc2\x85", "\\u0085" },			/* NEL (C1) */
		{ "\xe2\x80\xa8", "\\u2028" },		/* line separator */
		{ "a\nb\r\t", "a\\u000ab\\u000d\\u0009" },
	};
	char buf[128], want[128];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = doc_with_string(buf, sizeof(buf), cases[i].in,
		    strlen(cases[i].in));
		assert_int_equal(jc_check(buf, n), 0);
		snprintf(want, sizeof(want), "{\"s\":\"%s\"}", cases[i].out);
		assert_string_equal(buf, want);
	}
}

static void
test_random_strings(void **state)
{
	static const unsigned char pick[] = {
		0x00, 0x0a, '"', '\\', 'a', 0x7f, 0x80, 0xbf, 0xc2, 0xc3,
		0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0
	};
	char in[400], buf[4096];
	size_t n, len, i;
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		len = rng() % sizeof(in);
		for (i = 0; i < len; i++)
			in[i] = (char)(rng() & 1 ? pick[rng() % sizeof(pick)] :
			    rng() & 0xff);
		/* Sizes below what the whole string needs force cuts. */
		n = doc_with_string(buf, 16 + rng() % (sizeof(buf) - 16), in,
		    len);
		assert_int_equal(jc_check(buf, n), 0);
	}
}

static void
test_long_strings(void **state)
{
	static char in[10240], big[70000], small[1024];
	struct json j;
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i % 7 == 0 ? '\n' : i % 11 == 0 ? 0xff : 'x');
	n = doc_with_string(big, sizeof(big), in, sizeof(in));
	assert_int_equal(jc_check(big, n), 0);

	/* A member after the long string must survive when _max caps it. */
	json_init(&j, small, sizeof(small));
	json_obj_open(&j, NULL);
	json_strn_max(&j, "s", in, sizeof(in), 300);
	json_int(&j, "after", 42);
	json_close(&j);
	n = json_finish(&j);
	assert_int_equal(jc_check(small, n), 0);
	assert_true(json_truncated(&j));
	assert_non_null(strstr(small, "\"after\":42}"));

	/* Without a cap the string takes the room and the rest is dropped. */
	json_init(&j, small, sizeof(small));
	json_obj_open(&j, NULL);
	json_obj_open(&j, "a");
	json_arr_open(&j, "b");
	json_strn(&j, NULL, in, sizeof(in));
	json_int(&j, NULL, 1);
	json_close(&j);
	json_close(&j);
	json_str(&j, "c", "d");
	json_close(&j);
	n = json_finish(&j);
	assert_true(json_truncated(&j));
	assert_int_equal(jc_check(small, n), 0);
	assert_true(n < sizeof(small));
	assert_true(n > sizeof(small) - 16);
}

/* A document with every kind of value, for the truncation sweep. */
static size_t
sample_doc(char *buf, size_t len, int *truncated)
{
	struct json j;

	json_init(&j, buf, len);
	json_obj_open(&j, NULL);
	json_str(&j, "@timestamp", "2024-05-01T12:00:00.000000Z");
	json_obj_open(&j, "event");
	json_str(&j, "kind", "alert");
	json_arr_open(&j, "category");
	json_str(&j, NULL, "network");
	json_close(&j);
	json_int(&j, "severity", 73);
	json_double(&j, "risk_score", 91.5);
	json_close(&j);
	json_arr_open(&j, "empty");
	json_close(&j);
	json_obj_open(&j, "nested");
	json_arr_open(&j, "list");
	json_obj_open(&j, NULL);
	json_strn(&j, "bad", "\xff\"\n\xe2\x82", 5);
	json_bool(&j, "t", 1);
	json_bool(&j, "f", 0);
	json_null(&j, "n");
	json_close(&j);
	json_uint(&j, NULL, UINT64_MAX);
	json_int(&j, NULL, INT64_MIN);
	json_close(&j);
	json_close(&j);
	json_str(&j, "last", "end");
	json_close(&j);
	len = json_finish(&j);
	*truncated = json_truncated(&j);
	return len;
}

static void
test_truncation_sweep(void **state)
{
	char full[1024], buf[1024];
	size_t flen, n, cap;
	int tr;

	(void)state;
	flen = sample_doc(full, sizeof(full), &tr);
	assert_false(tr);
	assert_int_equal(jc_check(full, flen), 0);
	for (cap = 0; cap <= flen + 4; cap++) {
		memset(buf, 'Z', sizeof(buf));
		n = sample_doc(buf, cap, &tr);
		assert_true(n < cap || cap == 0);
		if (cap > 0)
			assert_int_equal(buf[n], '\0');
		assert_int_equal(buf[cap], 'Z');	/* never past cap */
		if (cap < 3) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(jc_check(buf, n), 0);
		if (cap > flen) {
			assert_false(tr);
			assert_string_equal(buf, full);
		} else
			assert_true(tr);
	}
}

static void
test_numbers(void **state)
{
	char buf[256];
	struct json j;
	size_t n;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	json_arr_open(&j, NULL);
	json_double(&j, NULL, NAN);
	json_double(&j, NULL, INFINITY);
	json_double(&j, NULL, 1.5);
	json_double(&j, NULL, 123.0);
	json_double(&j, NULL, -0.25);
	json_double(&j, NULL, 1e300);
	json_double(&j, NULL, 1e-7);
	json_int(&j, NULL, -5);
	json_close(&j);
	n = json_finish(&j);
	assert_int_equal(jc_check(buf, n), 0);
	assert_string_equal(buf,
	    "[null,null,1.5,123,-0.25,1e+300,1e-07,-5]");
}

static void
test_depth_limit(void **state)
{
	char buf[256];
	struct json j;
	size_t n;
	int i;

	(void)state;
	json_init(&j, buf, sizeof(buf));
	for (i = 0; i < 40; i++)
		json_arr_open(&j, NULL);
	json_int(&j, NULL, 1);
	for (i = 0; i < 40; i++)
		json_close(&j);
	n = json_finish(&j);
	assert_int_equal(jc_check(buf, n), 0);
	assert_true(json_truncated(&j));
	/* a second top-level value is refused, not appended */
	json_init(&j, buf, sizeof(buf));
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	n = json_finish(&j);
	assert_string_equal(buf, "1");
}

static void
test_escape_cut(void **state)
{
	const char *in = "ab\n\xff\xc3\xa9";
	char out[32];
	size_t n, used, len;

	(void)state;
	/* Every size gives a prefix of the full escape, never half of one. */
	n = json_escape(out, sizeof(out), in, strlen(in), &used);
	assert_string_equal(out, "ab\\u000a\\ufffd\xc3\xa9");
	assert_int_equal(used, strlen(in));
	for (len = 1; len < n + 1; len++) {
		char cut[32];
		size_t m = json_escape(cut, len, in, strlen(in), &used);

		assert_true(m < len);
		assert_memory_equal(cut, out, m);
		assert_true(m == 0 || m == 1 || m == 2 || m == 8 || m == 14 ||
		    m == 16);
	}
}

static void
test_text(void **state)
{
	char out[256];
	size_t n, i;
	const char *in = "evil\n\"x\" y=1\\\x01\x7f\xff\xc3\xa9\xc2\x85";

	(void)state;
	n = json_text(out, sizeof(out), in, strlen(in), 0);
	assert_string_equal(out,
	    "evil\\x0a\\\"x\\\" y=1\\\\\\x01\\x7f\\xff\xc3\xa9\\u0085");
	assert_int_equal(n, strlen(out));
	n = json_text(out, sizeof(out), "a b=c", 5, JSON_TEXT_SPACE);
	assert_string_equal(out, "a\\x20b\\x3dc");
	/* Any bytes: no control characters ever come out. */
	for (i = 0; i < 2000; i++) {
		char in2[64];
		size_t k, len = rng() % sizeof(in2);

		for (k = 0; k < len; k++)
			in2[k] = (char)rng();
		n = json_text(out, 1 + rng() % sizeof(out), in2, len, 0);
		for (k = 0; k < n; k++)
			assert_true((unsigned char)out[k] >= 0x20 &&
			    out[k] != 0x7f);
		assert_int_equal(out[n], '\0');
	}
	n = json_text(out, 0, "x", 1, 0);
	assert_int_equal(n, 0);
}

/* The validator itself must refuse what is not JSON, or the rest proves
 * nothing. */
static void
test_validator(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{\"a\":1}x",
		"\"a\nb\"", "\"\xff\"", "\"\xc0\x80\"", "\"\\x\"",
		"\"\\ud800\"", "01", "1.", "-", "+1", "NaN", "tru",
		"{\"a\":1,\"a\":2}", "\"abc", "{1:2}", "[1 2]",
	};
	static const char *const good[] = {
		"{}", "[]", "0", "-0.5e+3", "\"\\ud83d\\ude00\"", "null",
		" {\"a\":[1,{\"b\":\"\xc3\xa9\"}]} ", "\"\\u00e9\\/\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jc_check(bad[i], strlen(bad[i])) == 0)
			fail_msg("accepted bad JSON %zu: %s", i, bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (jc_check(good[i], strlen(good[i])) != 0)
			fail_msg("refused good JSON %zu: %s", i, good[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_random_strings),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
