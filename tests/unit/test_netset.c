/* test_netset.c: prefix sets, checked against a brute-force reference. */
#include "testutil.h"

#include "netset.h"

static addr_t
A(const char *s)
{
	addr_t a;

	assert_int_equal(addr_pton(s, &a), 0);
	return a;
}

static int
has(const struct netset *s, const char *addr)
{
	addr_t a = A(addr);

	return netset_contains(s, &a);
}

static void
add(struct netset *s, const char *text)
{
	char err[128];

	if (netset_add_str(s, text, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
}

static void
test_parse(void **state)
{
	char err[160], buf[NETSET_STRLEN];
	addr_t a;
	int plen;

	(void)state;
	assert_int_equal(netset_parse("10.0.0.0/8", &a, &plen, err,
	    sizeof(err)), 0);
	assert_int_equal(plen, 8);
	assert_true(addr_is_v4(&a));
	assert_string_equal(netset_format(&a, plen, buf, sizeof(buf)),
	    "10.0.0.0/8");

	assert_int_equal(netset_parse("192.0.2.7", &a, &plen, err,
	    sizeof(err)), 0);
	assert_int_equal(plen, 32);
	assert_int_equal(netset_parse("2001:db8::1", &a, &plen, err,
	    sizeof(err)), 0);
	assert_int_equal(plen, 128);
	assert_int_equal(netset_parse("2001:db8::/32", &a, &plen, err,
	    sizeof(err)), 0);
	assert_int_equal(plen, 32);
	assert_false(addr_is_v4(&a));

	/* An IPv4-mapped prefix is an IPv4 prefix with the length rebased. */
	assert_int_equal(netset_parse("::ffff:10.0.0.0/104", &a, &plen, err,
	    sizeof(err)), 0);
	assert_true(addr_is_v4(&a));
	assert_int_equal(plen, 8);
	assert_int_equal(netset_parse("::ffff:0:0/80", &a, &plen, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "'::ffff:0:0/80': an IPv4-mapped prefix "
	    "must be /96 or longer");

	assert_int_equal(netset_parse("0.0.0.0/0", &a, &plen, err,
	    sizeof(err)), 0);
	assert_int_equal(plen, 0);
	assert_int_equal(netset_parse("::/0", &a, &plen, err, sizeof(err)), 0);
	assert_int_equal(plen, 0);

	assert_int_equal(netset_parse("10.0.0.1/8", &a, &plen, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "'10.0.0.1/8' has host bits set past /8 "
	    "(did you mean 10.0.0.0/8?)");
	assert_int_equal(netset_parse("2001:db8::1/32", &a, &plen, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "'2001:db8::1/32' has host bits set past /32 "
	    "(did you mean 2001:db8::/32?)");
	assert_int_equal(netset_parse("10.0.0.0/33", &a, &plen, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "'10.0.0.0/33' has a bad prefix length "
	    "(0..32)");
	assert_int_equal(netset_parse("::/129", &a, &plen, err,
	    sizeof(err)), -1);
	assert_int_equal(netset_parse("10.0.0.0/", &a, &plen, err,
	    sizeof(err)), -1);
	assert_int_equal(netset_parse("10.0.0.0/+8", &a, &plen, err,
	    sizeof(err)), -1);
	assert_int_equal(netset_parse("10.0.0.0/08x", &a, &plen, err,
	    sizeof(err)), -1);
	assert_int_equal(netset_parse("10.0.0", &a, &plen, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "'10.0.0' is not an IPv4 or IPv6 address "
	    "or prefix");
	assert_int_equal(netset_parse("", &a, &plen, err, sizeof(err)), -1);
	assert_int_equal(netset_parse(" 10.0.0.1", &a, &plen, err,
	    sizeof(err)), -1);
	assert_int_equal(netset_parse("example.com", &a, &plen, err,
	    sizeof(err)), -1);
	assert_int_equal(netset_parse("1111111111111111111111111111111111111"
	    "11111111111111111111111111111111111", &a, &plen, err,
	    sizeof(err)), -1);
	/* No error buffer is fine. */
	assert_int_equal(netset_parse("bad", &a, &plen, NULL, 0), -1);
}

static void
test_v4(void **state)
{
	struct netset s;

	(void)state;
	netset_init(&s);
	assert_false(has(&s, "10.0.0.1"));
	add(&s, "10.0.0.0/8");
	add(&s, "192.168.1.0/24");
	add(&s, "198.51.100.7");
	netset_prepare(&s);
	assert_int_equal(netset_count(&s), 3);
	assert_true(has(&s, "10.0.0.0"));
	assert_true(has(&s, "10.255.255.255"));
	assert_false(has(&s, "11.0.0.0"));
	assert_false(has(&s, "9.255.255.255"));
	assert_true(has(&s, "192.168.1.200"));
	assert_false(has(&s, "192.168.2.1"));
	assert_true(has(&s, "198.51.100.7"));
	assert_false(has(&s, "198.51.100.6"));
	assert_false(has(&s, "198.51.100.8"));
	/* IPv4 prefixes never match IPv6 addresses, mapped or not. */
	assert_false(has(&s, "::a00:1"));
	assert_false(has(&s, "2001:db8::1"));
	assert_true(has(&s, "::ffff:10.1.2.3"));
	netset_free(&s);
}

static void
test_v6(void **state)
{
	struct netset s;

	(void)state;
	netset_init(&s);
	add(&s, "2001:db8::/32");
	add(&s, "fd00::/8");
	add(&s, "2001:db8:ffff::1");	/* inside the /32 too */
	add(&s, "2a00:1450:4001:80b::200e/128");
	add(&s, "2a00:1450:4001:800::/57");
	netset_prepare(&s);
	assert_true(has(&s, "2001:db8::"));
	assert_true(has(&s, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(has(&s, "2001:db9::"));
	assert_true(has(&s, "fdff::1"));
	assert_false(has(&s, "fe00::1"));
	assert_true(has(&s, "2a00:1450:4001:80b::200e"));
	/* /57 spans 800..87f in the fourth group. */
	assert_true(has(&s, "2a00:1450:4001:87f::1"));
	assert_false(has(&s, "2a00:1450:4001:880::1"));
	assert_false(has(&s, "10.0.0.1"));
	netset_free(&s);
}

static void
test_zero_and_host_lengths(void **state)
{
	struct netset s;

	(void)state;
	netset_init(&s);
	add(&s, "0.0.0.0/0");
	assert_true(has(&s, "0.0.0.0"));
	assert_true(has(&s, "255.255.255.255"));
	assert_true(has(&s, "10.1.2.3"));
	/* IPv4 /0 is every IPv4 address and nothing else. */
	assert_false(has(&s, "::1"));
	assert_false(has(&s, "2001:db8::1"));
	netset_free(&s);

	netset_init(&s);
	add(&s, "::/0");
	assert_true(has(&s, "::"));
	assert_true(has(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	/* IPv6 /0 is every IPv6 address, not the IPv4-mapped ones. */
	assert_false(has(&s, "10.1.2.3"));
	netset_free(&s);

	netset_init(&s);
	add(&s, "255.255.255.255/32");
	add(&s, "0.0.0.0/32");
	add(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	add(&s, "::/128");
	assert_true(has(&s, "255.255.255.255"));
	assert_true(has(&s, "0.0.0.0"));
	assert_false(has(&s, "255.255.255.254"));
	assert_false(has(&s, "0.0.0.1"));
	assert_true(has(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(has(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	assert_true(has(&s, "::"));
	assert_false(has(&s, "::1"));
	/* ::/128 is IPv6 and must not cover 0.0.0.0 (::ffff:0.0.0.0). */
	netset_free(&s);

	netset_init(&s);
	add(&s, "::/128");
	assert_false(has(&s, "0.0.0.0"));
	netset_free(&s);
}

static void
test_overlap_and_lookup(void **state)
{
	struct netset s;
	addr_t a;

	(void)state;
	netset_init(&s);
	add(&s, "10.0.0.0/8");
	add(&s, "10.1.0.0/16");
	add(&s, "10.1.2.0/24");
	add(&s, "10.1.2.3/32");
	add(&s, "2001:db8::/32");
	add(&s, "2001:db8:1::/48");
	netset_prepare(&s);
	a = A("10.1.2.3");
	assert_int_equal(netset_lookup(&s, &a), 32);
	a = A("10.1.2.4");
	assert_int_equal(netset_lookup(&s, &a), 24);
	a = A("10.1.3.4");
	assert_int_equal(netset_lookup(&s, &a), 16);
	a = A("10.2.3.4");
	assert_int_equal(netset_lookup(&s, &a), 8);
	a = A("11.2.3.4");
	assert_int_equal(netset_lookup(&s, &a), -1);
	a = A("2001:db8:1::5");
	assert_int_equal(netset_lookup(&s, &a), 48);
	a = A("2001:db8:2::5");
	assert_int_equal(netset_lookup(&s, &a), 32);
	netset_free(&s);
}

static void
test_duplicates_and_order(void **state)
{
	struct netset s;
	addr_t a;

	(void)state;
	netset_init(&s);
	/* Out of order and repeated: correct before prepare, exact after. */
	add(&s, "192.168.0.0/16");
	add(&s, "10.0.0.0/8");
	add(&s, "172.16.0.0/12");
	add(&s, "10.0.0.0/8");
	add(&s, "192.168.0.0/16");
	assert_true(has(&s, "10.9.9.9"));
	assert_true(has(&s, "192.168.9.9"));
	assert_false(has(&s, "172.32.0.1"));
	netset_prepare(&s);
	assert_int_equal(netset_count(&s), 3);
	assert_true(has(&s, "172.31.255.255"));
	/* In-order duplicates are dropped at once. */
	add(&s, "203.0.113.0/24");
	add(&s, "203.0.113.0/24");
	assert_int_equal(netset_count(&s), 4);
	/* netset_add masks host bits itself. */
	a = A("198.51.100.77");
	assert_int_equal(netset_add(&s, &a, 24), 0);
	assert_true(has(&s, "198.51.100.1"));
	assert_int_equal(netset_add(&s, &a, 33), -1);
	assert_int_equal(netset_add(&s, &a, -1), -1);
	netset_free(&s);
	assert_int_equal(netset_count(&s), 0);
}

struct collect {
	char	 buf[512];
	size_t	 len;
};

static int
collect_cb(const addr_t *a, int plen, void *arg)
{
	struct collect *c = arg;
	char tmp[NETSET_STRLEN];

	c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len,
	    "%s ", netset_format(a, plen, tmp, sizeof(tmp)));
	return 0;
}

static int
stop_cb(const addr_t *a, int plen, void *arg)
{
	(void)a;
	(void)plen;
	return ++*(int *)arg == 2 ? 7 : 0;
}

static void
test_foreach_merge(void **state)
{
	struct netset s, t;
	struct collect c = { "", 0 };
	int n = 0;

	(void)state;
	netset_init(&s);
	add(&s, "fd00::/8");
	add(&s, "192.168.0.0/16");
	add(&s, "10.0.0.0/8");
	add(&s, "172.16.0.0/12");
	add(&s, "10.9.0.0/16");
	netset_prepare(&s);
	netset_foreach(&s, collect_cb, &c);
	/* IPv4 first, shortest first, then by address. */
	assert_string_equal(c.buf, "10.0.0.0/8 172.16.0.0/12 10.9.0.0/16 "
	    "192.168.0.0/16 fd00::/8 ");
	assert_int_equal(netset_foreach(&s, stop_cb, &n), 7);
	assert_int_equal(n, 2);

	netset_init(&t);
	add(&t, "10.0.0.0/8");
	add(&t, "203.0.113.0/24");
	assert_int_equal(netset_merge(&t, &s), 0);
	netset_prepare(&t);
	assert_int_equal(netset_count(&t), 6);
	assert_true(has(&t, "fd12::1"));
	assert_true(has(&t, "203.0.113.9"));
	netset_free(&s);
	netset_free(&t);
}

/* xorshift: a fixed sequence, so failures reproduce. */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

struct refnet {
	addr_t	 a;
	int	 plen;
};

static int
ref_contains(const struct refnet *r, size_t n, const addr_t *a)
{
	size_t i;
	int bits, k;

	for (i = 0; i < n; i++) {
		if (addr_is_v4(&r[i].a) != addr_is_v4(a))
			continue;
		bits = r[i].plen + (addr_is_v4(a) ? 96 : 0);
		for (k = 0; k < bits; k++)
			if ((r[i].a.a[k / 8] ^ a->a[k / 8]) & (0x80 >> (k % 8)))
				break;
		if (k == bits)
			return 1;
	}
	return 0;
}

static void
random_addr(uint64_t *x, addr_t *a, int v4)
{
	uint64_t r = rnd(x), r2 = rnd(x);
	uint8_t q[4];

	if (v4) {
		/* Within 10.0.0.0/12 so that random probes hit often. */
		q[0] = 10;
		q[1] = (uint8_t)(r & 0x0f);
		q[2] = (uint8_t)(r >> 8);
		q[3] = (uint8_t)(r >> 16);
		addr_from_v4(a, q);
	} else {
		memset(a->a, 0, 16);
		a->a[0] = 0x20;
		a->a[1] = 0x01;
		a->a[2] = 0x0d;
		a->a[3] = 0xb8;
		a->a[4] = (uint8_t)(r & 0x0f);
		a->a[5] = (uint8_t)(r >> 8);
		memcpy(a->a + 8, &r2, 8);
	}
}

static void
test_random_against_reference(void **state)
{
	static const int lens4[] = { 22, 24, 26, 28, 30, 32 };
	static const int lens6[] = { 48, 56, 64, 96, 112, 128 };
	struct refnet *ref;
	struct netset s;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t n = 6000, i, hits = 0;
	addr_t a;
	int v4, want;

	(void)state;
	ref = calloc(n, sizeof(*ref));
	assert_non_null(ref);
	netset_init(&s);
	for (i = 0; i < n; i++) {
		v4 = (i & 1) == 0;
		random_addr(&x, &ref[i].a, v4);
		ref[i].plen = v4 ? lens4[rnd(&x) % 6] : lens6[rnd(&x) % 6];
		assert_int_equal(netset_add(&s, &ref[i].a, ref[i].plen), 0);
	}
	netset_prepare(&s);
	for (i = 0; i < 20000; i++) {
		random_addr(&x, &a, i & 1);
		want = ref_contains(ref, n, &a);
		hits += (size_t)want;
		if (netset_contains(&s, &a) != want) {
			char buf[ADDR_STRLEN];

			fail_msg("%s: expected %d", addr_ntop(&a, buf,
			    sizeof(buf)), want);
		}
	}
	/* The probe must exercise both answers. */
	assert_true(hits > 1000);
	assert_true(hits < 19000);
	netset_free(&s);
	free(ref);
}

static void
test_load_file(void **state)
{
	char path[] = "/tmp/test_netset_XXXXXX", err[1024];
	struct netset s;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("# known-bad networks\n"
	    "\n"
	    "198.51.100.0/24\n"
	    "   203.0.113.7   # one host\n"
	    "2001:db8:bad::/48 ; DROP-style comment\n"
	    "10.0.0.1/8\n"
	    "\t  not-an-address\n"
	    "192.0.2.0/24 extra\n"
	    "192.0.2.128/25\n", fp);
	fclose(fp);

	netset_init(&s);
	assert_int_equal(netset_load_file(&s, path, err, sizeof(err)), 3);
	{
		char want[1024];

		snprintf(want, sizeof(want),
		    "%s:6:1: '10.0.0.1/8' has host bits set past /8 (did you "
		    "mean 10.0.0.0/8?)\n"
		    "%s:7:4: 'not-an-address' is not an IPv4 or IPv6 address "
		    "or prefix\n"
		    "%s:8:14: unexpected text after the prefix", path, path,
		    path);
		assert_string_equal(err, want);
	}
	assert_int_equal(netset_count(&s), 4);
	assert_true(has(&s, "198.51.100.99"));
	assert_true(has(&s, "203.0.113.7"));
	assert_false(has(&s, "203.0.113.8"));
	assert_true(has(&s, "2001:db8:bad:1::1"));
	assert_true(has(&s, "192.0.2.200"));
	assert_false(has(&s, "192.0.2.1"));
	assert_false(has(&s, "10.0.0.1"));

	/* A small buffer truncates but stays a string. */
	netset_free(&s);
	netset_init(&s);
	assert_int_equal(netset_load_file(&s, path, err, 20), 3);
	assert_true(strlen(err) < 20);
	netset_free(&s);
	unlink(path);

	netset_init(&s);
	assert_int_equal(netset_load_file(&s, "/nonexistent/list.txt", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/list.txt: No such file or "
	    "directory");
	netset_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_zero_and_host_lengths),
		cmocka_unit_test(test_overlap_and_lookup),
		cmocka_unit_test(test_duplicates_and_order),
		cmocka_unit_test(test_foreach_merge),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
