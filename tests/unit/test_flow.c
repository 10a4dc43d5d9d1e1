/*
 * test_flow: the flow table — both directions in one flow, who is the
 * client, wire-byte accounting, interim records, idle and close timeouts,
 * eviction when full, tuple reuse after close.
 */
#include "testutil.h"

#include <netinet/in.h>

#include "flow.h"

#define MAXREC 64

struct sink {
	struct flow_rec	 r[MAXREC];
	int		 n;
};

static void
sink_emit(void *arg, const struct flow_rec *r)
{
	struct sink *s = arg;

	if (s->n < MAXREC)
		s->r[s->n] = *r;
	s->n++;
}

static void
mkpkt(struct pkt *p, const char *src, uint16_t sp, const char *dst,
    uint16_t dp, uint8_t proto, uint8_t flags, uint32_t len, xtime_t ts)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(addr_pton(src, &p->src), 0);
	assert_int_equal(addr_pton(dst, &p->dst), 0);
	p->sport = sp;
	p->dport = dp;
	p->proto = proto;
	p->tcp_flags = flags;
	p->wire_len = len;
	p->ts = ts;
	p->ipver = 4;
}

static void
table(struct flow_table *ft, struct sink *s, uint32_t max)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	assert_int_equal(flow_table_init(ft, max, 60 * XT_SEC, 10 * XT_SEC,
	    10 * XT_SEC, sink_emit, s, err, sizeof(err)), 0);
}

static void
test_bidirectional(void **state)
{
	struct flow_table ft;
	struct sink s;
	struct pkt p;
	uint32_t idx, idx2;
	int c2s;
	char a[ADDR_STRLEN];

	(void)state;
	table(&ft, &s, 1000);
	/* Handshake, 3 data segments up, 1 down, FIN both ways. */
	mkpkt(&p, "10.0.0.1", 40000, "198.51.100.7", 443, IPPROTO_TCP, 0x02, 60, 1 * XT_SEC);
	assert_non_null(flow_table_packet(&ft, &p, &idx, &c2s));
	assert_true(c2s);
	mkpkt(&p, "198.51.100.7", 443, "10.0.0.1", 40000, IPPROTO_TCP, 0x12, 60, 1 * XT_SEC + 1000);
	assert_non_null(flow_table_packet(&ft, &p, &idx2, &c2s));
	assert_int_equal(idx, idx2);
	assert_false(c2s);
	for (int i = 0; i < 3; i++) {
		mkpkt(&p, "10.0.0.1", 40000, "198.51.100.7", 443, IPPROTO_TCP, 0x10, 1500, 2 * XT_SEC);
		flow_table_packet(&ft, &p, &idx2, &c2s);
	}
	mkpkt(&p, "198.51.100.7", 443, "10.0.0.1", 40000, IPPROTO_TCP, 0x10, 40, 2 * XT_SEC);
	flow_table_packet(&ft, &p, &idx2, &c2s);
	mkpkt(&p, "10.0.0.1", 40000, "198.51.100.7", 443, IPPROTO_TCP, 0x11, 40, 3 * XT_SEC);
	flow_table_packet(&ft, &p, &idx2, &c2s);
	mkpkt(&p, "198.51.100.7", 443, "10.0.0.1", 40000, IPPROTO_TCP, 0x11, 40, 3 * XT_SEC);
	flow_table_packet(&ft, &p, &idx2, &c2s);
	assert_int_equal(ft.st.created, 1);
	assert_int_equal(s.n, 0);
	/* Closed: ends after tcp_close_timeout, not idle_timeout. */
	flow_table_expire(&ft, 12 * XT_SEC, 100);
	assert_int_equal(s.n, 0);
	flow_table_expire(&ft, 13 * XT_SEC, 100);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].kind, REC_END);
	assert_string_equal(addr_ntop(&s.r[0].cli, a, sizeof(a)), "10.0.0.1");
	assert_int_equal(s.r[0].cport, 40000);
	assert_int_equal(s.r[0].sport, 443);
	assert_int_equal(s.r[0].init_how, INIT_SYN);
	assert_int_equal(s.r[0].tot_bytes[0], 60 + 3 * 1500 + 40);
	assert_int_equal(s.r[0].tot_bytes[1], 60 + 40 + 40);
	assert_int_equal(s.r[0].tot_pkts[0], 5);
	assert_int_equal(s.r[0].tot_pkts[1], 3);
	assert_int_equal(s.r[0].bytes[0], s.r[0].tot_bytes[0]);
	assert_int_equal(ft.st.active, 0);
	flow_table_free(&ft);
}

static void
test_direction_rules(void **state)
{
	struct flow_table ft;
	struct sink s;
	struct pkt p;
	uint32_t idx;
	int c2s;
	char a[ADDR_STRLEN];

	(void)state;
	table(&ft, &s, 1000);
	/* Picked up mid-stream: the DNS answer comes first; port 53 is the server. */
	mkpkt(&p, "192.0.2.53", 53, "10.0.0.9", 51515, IPPROTO_UDP, 0, 120, XT_SEC);
	flow_table_packet(&ft, &p, &idx, &c2s);
	assert_false(c2s);
	/* SYN-ACK first: the receiver is the client. */
	mkpkt(&p, "203.0.113.5", 8080, "10.0.0.9", 50000, IPPROTO_TCP, 0x12, 60, XT_SEC);
	flow_table_packet(&ft, &p, &idx, &c2s);
	assert_false(c2s);
	/* ICMP echo reply first: the receiver asked. */
	mkpkt(&p, "198.51.100.1", 0, "10.0.0.9", 77, IPPROTO_ICMP, 0, 84, XT_SEC);
	flow_table_packet(&ft, &p, &idx, &c2s);
	assert_false(c2s);
	/* and the request joins the same flow. */
	mkpkt(&p, "10.0.0.9", 8 << 8, "198.51.100.1", 77, IPPROTO_ICMP, 0, 84, XT_SEC);
	flow_table_packet(&ft, &p, &idx, &c2s);
	assert_true(c2s);
	assert_int_equal(ft.st.created, 3);
	flow_table_flush(&ft, REC_FLUSH);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(s.r[i].kind, REC_FLUSH);
		assert_string_equal(addr_ntop(&s.r[i].cli, a, sizeof(a)), "10.0.0.9");
		assert_int_equal(s.r[i].init_how == INIT_FIRST, 0);
	}
	flow_table_free(&ft);
}

static void
test_interim_and_idle(void **state)
{
	struct flow_table ft;
	struct sink s;
	struct pkt p;
	uint32_t idx;
	int c2s, i;
	uint64_t sum = 0;

	(void)state;
	table(&ft, &s, 1000);
	/* A 100 s upload, one 1000-byte packet per second. */
	for (i = 0; i < 100; i++) {
		mkpkt(&p, "10.0.0.2", 33333, "198.51.100.9", 22, IPPROTO_TCP,
		    i == 0 ? 0x02 : 0x10, 1000, (xtime_t)i * XT_SEC);
		flow_table_packet(&ft, &p, &idx, &c2s);
	}
	/* Interim records every update_interval carry the bytes since the last. */
	assert_true(s.n >= 9 && s.n <= 10);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(s.r[i].kind, REC_INTERIM);
		sum += s.r[i].bytes[0];
	}
	assert_int_equal(sum, s.r[s.n - 1].tot_bytes[0]);
	/* Idle timeout: 60 s after the last packet, not before. */
	flow_table_expire(&ft, 99 * XT_SEC + 59 * XT_SEC, 100);
	assert_int_equal(ft.st.active, 1);
	flow_table_expire(&ft, 99 * XT_SEC + 60 * XT_SEC, 100);
	assert_int_equal(ft.st.active, 0);
	assert_int_equal(s.r[s.n - 1].kind, REC_END);
	sum += s.r[s.n - 1].bytes[0];
	assert_int_equal(sum, 100 * 1000);
	flow_table_free(&ft);
}

static void
test_eviction(void **state)
{
	struct flow_table ft;
	struct sink s;
	struct pkt p;
	uint32_t idx;
	int c2s, i;
	char src[32];

	(void)state;
	table(&ft, &s, 1000);
	for (i = 0; i < 5000; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250 + 1);
		mkpkt(&p, src, 1234, "198.51.100.9", 443, IPPROTO_TCP, 0x02, 60,
		    (xtime_t)i * 1000);
		assert_non_null(flow_table_packet(&ft, &p, &idx, &c2s));
		assert_true(idx < 1000);
	}
	assert_int_equal(ft.st.created, 5000);
	assert_int_equal(ft.st.evicted, 4000);
	assert_int_equal(ft.st.active, 1000);
	assert_true(flow_table_mem(&ft) < 2 * 1024 * 1024);
	/* The oldest went first: the survivors are the last 1000. */
	assert_int_equal(s.r[0].kind, REC_EVICT);
	flow_table_flush(&ft, REC_FLUSH);
	assert_int_equal(ft.st.active, 0);
	flow_table_free(&ft);
}

static void
test_reuse_after_close(void **state)
{
	struct flow_table ft;
	struct sink s;
	struct pkt p;
	uint32_t idx, idx2;
	int c2s;
	struct flow *f;
	uint32_t gen;

	(void)state;
	table(&ft, &s, 1000);
	mkpkt(&p, "10.0.0.3", 5555, "198.51.100.3", 80, IPPROTO_TCP, 0x02, 60, XT_SEC);
	f = flow_table_packet(&ft, &p, &idx, &c2s);
	gen = f->gen;
	mkpkt(&p, "10.0.0.3", 5555, "198.51.100.3", 80, IPPROTO_TCP, 0x04, 40, XT_SEC);
	flow_table_packet(&ft, &p, &idx, &c2s);
	/* A new SYN on the same tuple: the old flow ends, a new one starts. */
	mkpkt(&p, "10.0.0.3", 5555, "198.51.100.3", 80, IPPROTO_TCP, 0x02, 60, 2 * XT_SEC);
	f = flow_table_packet(&ft, &p, &idx2, &c2s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].kind, REC_END);
	assert_int_equal(s.r[0].tot_bytes[0], 100);
	assert_int_equal(ft.st.created, 2);
	assert_true(f->gen != gen || idx2 != idx);
	flow_table_free(&ft);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bidirectional),
		cmocka_unit_test(test_direction_rules),
		cmocka_unit_test(test_interim_and_idle),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_reuse_after_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
