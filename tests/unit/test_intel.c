/*
 * test_intel: threat-intelligence lists — addresses and prefixes, domains
 * on a label boundary, the list named in a match, unreadable lists refused.
 */
#include "testutil.h"

#include "config.h"
#include "intel.h"

static char dir[] = "/tmp/exfild-intel.XXXXXX";

static void
writef(const char *name, const char *text, char *path, size_t len)
{
	FILE *fp;

	snprintf(path, len, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static void
test_intel_lists(void **state)
{
	char p1[256], p2[256], err[512];
	char *ips[1] = { p1 }, *doms[1] = { p2 };
	struct strlist il = { ips, 1 }, dl = { doms, 1 };
	struct intel in;
	addr_t a;

	(void)state;
	assert_non_null(mkdtemp(dir));
	writef("bad-ips.txt", "# feed\n203.0.113.0/24\n198.51.100.7\n\n2001:db8:bad::/48\n",
	    p1, sizeof(p1));
	writef("bad-domains.txt", "# feed\nevil.example\nc2.badhost.test\n",
	    p2, sizeof(p2));
	assert_int_equal(intel_load(&in, &il, &dl, err, sizeof(err)), 0);

	addr_pton("203.0.113.99", &a);
	assert_string_equal(intel_match(&in, &a, ""), "bad-ips.txt");
	addr_pton("198.51.100.7", &a);
	assert_string_equal(intel_match(&in, &a, NULL), "bad-ips.txt");
	addr_pton("198.51.100.8", &a);
	assert_null(intel_match(&in, &a, ""));
	addr_pton("2001:db8:bad:1::5", &a);
	assert_string_equal(intel_match(&in, &a, ""), "bad-ips.txt");

	addr_pton("192.0.2.1", &a);
	assert_string_equal(intel_match(&in, &a, "evil.example"), "bad-domains.txt");
	assert_string_equal(intel_match(&in, &a, "www.evil.example"), "bad-domains.txt");
	/* A label boundary: not a suffix of a different name. */
	assert_null(intel_match(&in, &a, "notevil.example"));
	assert_null(intel_match(&in, &a, "badhost.test"));
	assert_string_equal(intel_match(&in, &a, "x.c2.badhost.test"), "bad-domains.txt");
	intel_free(&in);

	/* A list that cannot be read stops the load, with its name. */
	snprintf(p1, sizeof(p1), "%s/missing.txt", dir);
	assert_int_equal(intel_load(&in, &il, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.txt"));
	remove(p2);
	snprintf(p1, sizeof(p1), "%s/bad-ips.txt", dir);
	remove(p1);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
