/*
 * test_decode.c: the decoder on frames built byte by byte here, on
 * truncated and mutated copies of them, and on the real captures.
 *
 * Frames are copied into heap buffers of exactly the captured length so
 * that a sanitizer build catches any read past caplen.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <sys/stat.h>

#include "testutil.h"
#include "decode.h"

#define TS0	((xtime_t)1700000000 * XT_SEC)

/* ---- frame builder ---- */

struct pb {
	uint8_t	 b[2048];
	size_t	 n;
	size_t	 ip4[8], ip6[8], udp[8];
	int	 n4, n6, nudp;
};

static void
pb_init(struct pb *pb)
{
	memset(pb, 0, sizeof(*pb));
}

static void
pb_put(struct pb *pb, const void *v, size_t len)
{
	assert_true(pb->n + len <= sizeof(pb->b));
	memcpy(pb->b + pb->n, v, len);
	pb->n += len;
}

static void
pb_u8(struct pb *pb, unsigned v)
{
	uint8_t x = (uint8_t)v;

	pb_put(pb, &x, 1);
}

static void
pb_u16(struct pb *pb, unsigned v)
{
	pb_u8(pb, v >> 8);
	pb_u8(pb, v);
}

static void
pb_u32(struct pb *pb, uint32_t v)
{
	pb_u16(pb, v >> 16);
	pb_u16(pb, v & 0xffff);
}

static void
pb_fill(struct pb *pb, unsigned byte, size_t len)
{
	while (len-- > 0)
		pb_u8(pb, byte);
}

static void
pb_eth(struct pb *pb, unsigned type)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02
	};

	pb_put(pb, macs, sizeof(macs));
	pb_u16(pb, type);
}

/* A tag's TCI and the ethertype after it; the TPID came before. */
static void
pb_tag(struct pb *pb, unsigned vid, unsigned next)
{
	pb_u16(pb, vid);
	pb_u16(pb, next);
}

static void
pb_ipv4x(struct pb *pb, unsigned proto, const char *src, const char *dst,
    int optwords, unsigned id, unsigned frag)
{
	uint8_t a[4];
	int i;

	assert_true(pb->n4 < 8);
	pb->ip4[pb->n4++] = pb->n;
	pb_u8(pb, 0x40 | (5 + optwords));
	pb_u8(pb, 0);
	pb_u16(pb, 0);			/* total length, set by pb_done */
	pb_u16(pb, id);
	pb_u16(pb, frag);
	pb_u8(pb, 64);
	pb_u8(pb, proto);
	pb_u16(pb, 0);
	assert_int_equal(inet_pton(AF_INET, src, a), 1);
	pb_put(pb, a, 4);
	assert_int_equal(inet_pton(AF_INET, dst, a), 1);
	pb_put(pb, a, 4);
	for (i = 0; i < optwords; i++)
		pb_u32(pb, 0x01010101);	/* NOPs */
}

static void
pb_ipv4(struct pb *pb, unsigned proto, const char *src, const char *dst)
{
	pb_ipv4x(pb, proto, src, dst, 0, 0x1234, 0x4000);
}

static void
pb_ipv6(struct pb *pb, unsigned nh, const char *src, const char *dst)
{
	uint8_t a[16];

	assert_true(pb->n6 < 8);
	pb->ip6[pb->n6++] = pb->n;
	pb_u32(pb, 0x60000000);
	pb_u16(pb, 0);			/* payload length, set by pb_done */
	pb_u8(pb, nh);
	pb_u8(pb, 64);
	assert_int_equal(inet_pton(AF_INET6, src, a), 1);
	pb_put(pb, a, 16);
	assert_int_equal(inet_pton(AF_INET6, dst, a), 1);
	pb_put(pb, a, 16);
}

/* An 8-byte extension header of padding. */
static void
pb_ext8(struct pb *pb, unsigned nh)
{
	pb_u8(pb, nh);
	pb_u8(pb, 0);
	pb_u8(pb, 1);			/* PadN of 4 */
	pb_u8(pb, 4);
	pb_u32(pb, 0);
}

static void
pb_frag6(struct pb *pb, unsigned nh, unsigned off8, int more, uint32_t id)
{
	pb_u8(pb, nh);
	pb_u8(pb, 0);
	pb_u16(pb, off8 << 3 | (more ? 1 : 0));
	pb_u32(pb, id);
}

static void
pb_tcp(struct pb *pb, unsigned sport, unsigned dport, unsigned flags,
    uint32_t seq)
{
	pb_u16(pb, sport);
	pb_u16(pb, dport);
	pb_u32(pb, seq);
	pb_u32(pb, 0);
	pb_u8(pb, 5 << 4);
	pb_u8(pb, flags);
	pb_u16(pb, 65535);
	pb_u32(pb, 0);
}

static void
pb_udp(struct pb *pb, unsigned sport, unsigned dport)
{
	assert_true(pb->nudp < 8);
	pb->udp[pb->nudp++] = pb->n;
	pb_u16(pb, sport);
	pb_u16(pb, dport);
	pb_u16(pb, 0);			/* length, set by pb_done */
	pb_u16(pb, 0);
}

static void
pb_icmp(struct pb *pb, unsigned type, unsigned code, unsigned id)
{
	pb_u8(pb, type);
	pb_u8(pb, code);
	pb_u16(pb, 0);
	pb_u16(pb, id);
	pb_u16(pb, 1);
}

static void
pb_set16(struct pb *pb, size_t off, size_t v)
{
	pb->b[off] = (uint8_t)(v >> 8);
	pb->b[off + 1] = (uint8_t)v;
}

/* Lengths run from each header to the end of the frame. */
static size_t
pb_done(struct pb *pb)
{
	int i;

	for (i = 0; i < pb->n4; i++)
		pb_set16(pb, pb->ip4[i] + 2, pb->n - pb->ip4[i]);
	for (i = 0; i < pb->n6; i++)
		pb_set16(pb, pb->ip6[i] + 4, pb->n - pb->ip6[i] - 40);
	for (i = 0; i < pb->nudp; i++)
		pb_set16(pb, pb->udp[i] + 4, pb->n - pb->udp[i]);
	return pb->n;
}

/* ---- helpers ---- */

struct fixture {
	struct decoder	 d;
	struct pkt	 p;
	uint8_t		*copy;		/* exact-size copy of the last frame */
};

static int
setup(void **state)
{
	struct fixture *f;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	decode_init(&f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->copy);
	free(f);
	return 0;
}

static enum decode_reason
run_at(struct fixture *f, int dlt, const uint8_t *b, size_t caplen,
    xtime_t ts)
{
	free(f->copy);
	f->copy = malloc(caplen > 0 ? caplen : 1);
	assert_non_null(f->copy);
	memcpy(f->copy, b, caplen);
	return decode_packet(&f->d, dlt, ts, caplen > 0 ? f->copy : NULL,
	    (uint32_t)caplen, &f->p);
}

static enum decode_reason
run(struct fixture *f, int dlt, struct pb *pb)
{
	pb_done(pb);
	return run_at(f, dlt, pb->b, pb->n, TS0);
}

static void
assert_addr(const addr_t *a, const char *want)
{
	char buf[ADDR_STRLEN];

	assert_string_equal(addr_ntop(a, buf, sizeof(buf)), want);
}

static void
assert_flow(const struct pkt *p, const char *src, unsigned sport,
    const char *dst, unsigned dport, unsigned proto)
{
	assert_addr(&p->src, src);
	assert_addr(&p->dst, dst);
	assert_int_equal(p->sport, sport);
	assert_int_equal(p->dport, dport);
	assert_int_equal(p->proto, proto);
}

static uint64_t
reasons_sum(const struct decoder *d)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < DEC_REASON_MAX; i++)
		n += d->reasons[i];
	return n;
}

/* What every DEC_OK must satisfy, whatever the input. */
static void
assert_sane(const struct pkt *p, const uint8_t *data, uint32_t caplen)
{
	assert_true(p->ipver == 4 || p->ipver == 6);
	assert_true(p->l3 >= data && p->l3 + p->l3_caplen <= data + caplen);
	assert_true(p->l3_caplen <= p->wire_len);
	assert_true(p->payload >= p->l3 &&
	    p->payload + p->payload_caplen <= p->l3 + p->l3_caplen);
	assert_true(p->payload_caplen <= p->payload_len);
	assert_true(p->payload_len < p->wire_len);
	if (!(p->flags & PKT_TRUNC))
		assert_int_equal(p->l3_caplen, p->wire_len);
	if (p->flags & PKT_FRAG_FIRST)
		assert_true(p->flags & PKT_FRAG);
	if (p->ipver == 4)
		assert_true(addr_is_v4(&p->src) && addr_is_v4(&p->dst));
}

/* ---- Ethernet, IPv4, TCP ---- */

static void
test_eth_ipv4_tcp(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 6, "192.0.2.1", "198.51.100.2");
	pb_tcp(&pb, 40000, 443, 0x18, 0x01020304);
	pb_fill(&pb, 'x', 100);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "192.0.2.1", 40000, "198.51.100.2", 443, 6);
	assert_int_equal(p->ts, TS0);
	assert_int_equal(p->ipver, 4);
	assert_int_equal(p->tcp_flags, 0x18);
	assert_int_equal(p->tcp_seq, 0x01020304);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->vlan, 0);
	assert_int_equal(p->tunnel_id, 0);
	assert_int_equal(p->wire_len, 140);
	assert_ptr_equal(p->l3, f->copy + 14);
	assert_int_equal(p->l3_caplen, 140);
	assert_ptr_equal(p->payload, f->copy + 54);
	assert_int_equal(p->payload_len, 100);
	assert_int_equal(p->payload_caplen, 100);
	assert_memory_equal(p->payload, "xxxx", 4);

	/* The snap length does not shrink the bytes on the wire. */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 40 + 10, TS0),
	    DEC_OK);
	assert_flow(p, "192.0.2.1", 40000, "198.51.100.2", 443, 6);
	assert_int_equal(p->flags, PKT_TRUNC);
	assert_int_equal(p->wire_len, 140);
	assert_int_equal(p->l3_caplen, 50);
	assert_int_equal(p->payload_len, 100);
	assert_int_equal(p->payload_caplen, 10);

	/* Cut inside the TCP options' place: ports are still there. */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 20 + 14, TS0),
	    DEC_OK);
	assert_int_equal(p->dport, 443);
	assert_int_equal(p->tcp_flags, 0x18);
	assert_int_equal(p->payload_caplen, 0);
	assert_int_equal(p->payload_len, 100);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 20 + 13, TS0),
	    DEC_TCP_SHORT);

	assert_int_equal(f->d.reasons[DEC_OK], 3);
	assert_int_equal(f->d.reasons[DEC_TCP_SHORT], 1);
}

static void
test_eth_padding(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	/* A 40-byte packet in a minimum-size frame: padding is not traffic. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 6, "192.0.2.1", "192.0.2.2");
	pb_tcp(&pb, 1, 2, 0x10, 0);
	pb_done(&pb);
	pb_fill(&pb, 0, 6);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->wire_len, 40);
	assert_int_equal(p->l3_caplen, 40);
	assert_int_equal(p->payload_len, 0);
	assert_int_equal(p->payload_caplen, 0);
	assert_int_equal(p->flags, 0);
}

static void
test_ipv4_options(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4x(&pb, 17, "10.1.1.1", "10.2.2.2", 3, 7, 0);
	pb_udp(&pb, 5353, 5354);
	pb_fill(&pb, 'u', 20);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.1.1.1", 5353, "10.2.2.2", 5354, 17);
	assert_int_equal(p->wire_len, 32 + 8 + 20);
	assert_ptr_equal(p->payload, p->l3 + 40);
	assert_int_equal(p->payload_len, 20);
	assert_int_equal(p->flags, 0);
}

static void
test_ipv4_malformed(void **state)
{
	struct fixture *f = *state;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 6, "10.0.0.1", "10.0.0.2");
	pb_tcp(&pb, 1, 2, 0x02, 0);
	pb_done(&pb);

	pb.b[14] = 0x44;		/* IHL 4 */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_IPV4_HLEN);
	pb.b[14] = 0x55;		/* version 5 */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_IP_VERSION);
	pb.b[14] = 0x45;
	pb_set16(&pb, 16, 19);		/* total length below the header */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_IPV4_LEN);
	pb_set16(&pb, 16, 40);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 19, TS0),
	    DEC_IPV4_SHORT);
	pb.b[14 + 20 + 12] = 4 << 4;	/* TCP data offset 4 */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_TCP_HLEN);
	pb.b[14 + 20 + 12] = 15 << 4;	/* 60 bytes in a 20-byte segment */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_TCP_HLEN);
	pb.b[14 + 20 + 12] = 5 << 4;
	pb_set16(&pb, 16, 20 + 6);	/* UDP-sized hole for TCP */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_TCP_SHORT);
	pb.b[14 + 9] = 17;
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_UDP_SHORT);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 13, TS0),
	    DEC_ETH_SHORT);
	assert_int_equal(reasons_sum(&f->d), 9);
	assert_int_equal(f->d.reasons[DEC_OK], 0);
}

static void
test_icmp(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 1, "10.0.0.1", "10.0.0.2");
	pb_icmp(&pb, 8, 0, 0x1234);
	pb_fill(&pb, 0, 56);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.0.0.1", 8 << 8, "10.0.0.2", 0x1234, 1);
	assert_int_equal(p->payload_len, 56);
	assert_ptr_equal(p->payload, p->l3 + 28);

	pb.b[34] = 0;			/* echo reply */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->sport, 0);
	assert_int_equal(p->dport, 0x1234);
	pb.b[34] = 3;			/* port unreachable: no identifier */
	pb.b[35] = 3;
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->sport, 0x0303);
	assert_int_equal(p->dport, 0);

	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 58, "2001:db8::1", "2001:db8::2");
	pb_icmp(&pb, 128, 0, 7);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::1", 128 << 8, "2001:db8::2", 7, 58);
	assert_int_equal(p->ipver, 6);
	assert_int_equal(p->wire_len, 48);
	pb.b[54] = 1;			/* destination unreachable */
	pb.b[55] = 4;
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->sport, 0x0104);
	assert_int_equal(p->dport, 0);

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 1, "10.0.0.1", "10.0.0.2");
	pb_u32(&pb, 0x08000000);	/* 4 bytes: less than a header */
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_ICMP_SHORT);
}

/* ---- link layers ---- */

static void
test_vlan(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;
	int i;

	pb_init(&pb);
	pb_eth(&pb, 0x88a8);
	pb_tag(&pb, 0x2000 | 100, 0x8100);
	pb_tag(&pb, 200, 0x8100);
	pb_tag(&pb, 300, 0x0800);
	pb_ipv4(&pb, 6, "10.0.0.1", "10.0.0.2");
	pb_tcp(&pb, 1234, 80, 0x02, 1);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.0.0.1", 1234, "10.0.0.2", 80, 6);
	assert_int_equal(p->vlan, 100);
	assert_int_equal(p->wire_len, 40);
	assert_ptr_equal(p->l3, f->copy + 26);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 6, TS0),
	    DEC_VLAN_SHORT);

	/* Pre-standard 0x9100 outer tag. */
	pb_init(&pb);
	pb_eth(&pb, 0x9100);
	pb_tag(&pb, 7, 0x8100);
	pb_tag(&pb, 8, 0x86dd);
	pb_ipv6(&pb, 17, "fe80::1", "ff02::fb");
	pb_udp(&pb, 5353, 5353);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->vlan, 7);
	assert_int_equal(p->dport, 5353);

	/* Eight tags are followed, a ninth is too deep. */
	pb_init(&pb);
	pb_eth(&pb, 0x8100);
	for (i = 1; i < 8; i++)
		pb_tag(&pb, i, 0x8100);
	pb_tag(&pb, 8, 0x0800);
	pb_ipv4(&pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->vlan, 1);
	pb_init(&pb);
	pb_eth(&pb, 0x8100);
	for (i = 1; i < 9; i++)
		pb_tag(&pb, i, 0x8100);
	pb_tag(&pb, 9, 0x0800);
	pb_ipv4(&pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_VLAN_DEPTH);
}

static void
test_mpls(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;
	int i;

	pb_init(&pb);
	pb_eth(&pb, 0x8847);
	pb_u32(&pb, 100 << 12 | 64);		/* not bottom of stack */
	pb_u32(&pb, 200 << 12 | 0x100 | 64);	/* bottom */
	pb_ipv4(&pb, 17, "10.9.9.9", "10.8.8.8");
	pb_udp(&pb, 33435, 53);
	pb_fill(&pb, 0, 12);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.9.9.9", 33435, "10.8.8.8", 53, 17);
	assert_int_equal(p->wire_len, 40);
	assert_int_equal(p->flags, 0);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 6, TS0),
	    DEC_MPLS_SHORT);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 8, TS0),
	    DEC_MPLS_SHORT);

	/* IPv6 after the stack, inside a VLAN. */
	pb_init(&pb);
	pb_eth(&pb, 0x8100);
	pb_tag(&pb, 55, 0x8847);
	pb_u32(&pb, 16 << 12 | 0x100 | 64);
	pb_ipv6(&pb, 6, "2001:db8::a", "2001:db8::b");
	pb_tcp(&pb, 179, 50000, 0x18, 9);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::a", 179, "2001:db8::b", 50000, 6);
	assert_int_equal(p->vlan, 55);

	/* Ethernet pseudowire with a control word. */
	pb_init(&pb);
	pb_eth(&pb, 0x8847);
	pb_u32(&pb, 300 << 12 | 0x100 | 64);
	pb_u32(&pb, 0);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 6, "172.16.0.1", "172.16.0.2");
	pb_tcp(&pb, 4444, 443, 0x10, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "172.16.0.1", 4444, "172.16.0.2", 443, 6);
	assert_true(p->flags & PKT_TUNNELED);

	/* Payload neither IP nor control word. */
	pb_init(&pb);
	pb_eth(&pb, 0x8847);
	pb_u32(&pb, 300 << 12 | 0x100 | 64);
	pb_fill(&pb, 0x55, 40);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_NOT_IP);

	/* No bottom of stack within 16 labels. */
	pb_init(&pb);
	pb_eth(&pb, 0x8848);
	for (i = 0; i < 17; i++)
		pb_u32(&pb, (uint32_t)(i + 16) << 12 | 64);
	pb_ipv4(&pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_MPLS_DEPTH);
}

static void
test_pppoe(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x8864);
	pb_u16(&pb, 0x1100);
	pb_u16(&pb, 0x0017);
	pb_u16(&pb, 2 + 40);
	pb_u16(&pb, 0x0021);
	pb_ipv4(&pb, 6, "100.64.0.1", "93.184.216.34");
	pb_tcp(&pb, 51000, 80, 0x02, 5);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "100.64.0.1", 51000, "93.184.216.34", 80, 6);
	assert_int_equal(p->wire_len, 40);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 6, TS0),
	    DEC_PPPOE_SHORT);

	/* IPv6, and the compressed one-byte protocol some clients send. */
	pb_init(&pb);
	pb_eth(&pb, 0x8864);
	pb_u16(&pb, 0x1100);
	pb_u16(&pb, 0x0017);
	pb_u16(&pb, 2 + 48);
	pb_u16(&pb, 0x0057);
	pb_ipv6(&pb, 17, "2001:db8::1", "2001:db8::2");
	pb_udp(&pb, 1000, 53);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->ipver, 6);
	assert_int_equal(p->dport, 53);

	pb_init(&pb);
	pb_eth(&pb, 0x8864);
	pb_u16(&pb, 0x1100);
	pb_u16(&pb, 0x0017);
	pb_u16(&pb, 1 + 28);
	pb_u8(&pb, 0x21);
	pb_ipv4(&pb, 17, "100.64.0.1", "8.8.8.8");
	pb_udp(&pb, 1000, 53);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->dport, 53);

	/* The same without Ethernet (DLT_PPP_ETHER). */
	assert_int_equal(run_at(f, DLT_PPP_ETHER, pb.b + 14, pb.n - 14, TS0),
	    DEC_OK);
	assert_int_equal(p->dport, 53);

	pb_init(&pb);
	pb_eth(&pb, 0x8864);
	pb_u16(&pb, 0x1100);
	pb_u16(&pb, 0x0017);
	pb_u16(&pb, 2 + 14);
	pb_u16(&pb, 0xc021);		/* LCP echo */
	pb_fill(&pb, 9, 14);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_PPP_PROTO);

	pb_init(&pb);
	pb_eth(&pb, 0x8863);		/* discovery */
	pb_fill(&pb, 0, 30);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_NOT_IP);
}

static void
test_sll(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_u16(&pb, 4);			/* outgoing */
	pb_u16(&pb, 1);			/* ARPHRD_ETHER */
	pb_u16(&pb, 6);
	pb_fill(&pb, 0xaa, 6);
	pb_fill(&pb, 0, 2);
	pb_u16(&pb, 0x0800);
	pb_ipv4(&pb, 6, "192.168.20.211", "1.1.1.1");
	pb_tcp(&pb, 44404, 443, 0x02, 0);
	assert_int_equal(run(f, DLT_LINUX_SLL, &pb), DEC_OK);
	assert_flow(p, "192.168.20.211", 44404, "1.1.1.1", 443, 6);
	assert_ptr_equal(p->l3, f->copy + 16);
	assert_int_equal(run_at(f, DLT_LINUX_SLL, pb.b, 15, TS0),
	    DEC_SLL_SHORT);

	pb_init(&pb);
	pb_u16(&pb, 0x86dd);
	pb_u16(&pb, 0);
	pb_u32(&pb, 3);			/* ifindex */
	pb_u16(&pb, 1);
	pb_u8(&pb, 0);
	pb_u8(&pb, 6);
	pb_fill(&pb, 0xbb, 8);
	pb_ipv6(&pb, 17, "2001:db8::5", "2001:db8::6");
	pb_udp(&pb, 40000, 443);
	pb_fill(&pb, 1, 30);
	assert_int_equal(run(f, DLT_LINUX_SLL2, &pb), DEC_OK);
	assert_flow(p, "2001:db8::5", 40000, "2001:db8::6", 443, 17);
	assert_int_equal(p->wire_len, 78);
	assert_ptr_equal(p->l3, f->copy + 20);
	assert_int_equal(run_at(f, DLT_LINUX_SLL2, pb.b, 19, TS0),
	    DEC_SLL_SHORT);

	/* A non-IP protocol in the cooked header. */
	pb.b[0] = 0x08;
	pb.b[1] = 0x06;
	assert_int_equal(run_at(f, DLT_LINUX_SLL2, pb.b, pb.n, TS0),
	    DEC_NOT_IP);
}

static void
test_raw(void **state)
{
	static const int raw[] = { DLT_RAW, 12, 14, 101 };
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb v4, v6;
	size_t i;

	pb_init(&v4);
	pb_ipv4(&v4, 17, "192.168.1.100", "9.9.9.9");
	pb_udp(&v4, 12345, 53);
	pb_fill(&v4, 0, 29);
	pb_done(&v4);
	pb_init(&v6);
	pb_ipv6(&v6, 17, "2001:db8::1", "2620:fe::9");
	pb_udp(&v6, 12345, 53);
	pb_fill(&v6, 0, 29);
	pb_done(&v6);

	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		assert_int_equal(run_at(f, raw[i], v4.b, v4.n, TS0), DEC_OK);
		assert_flow(p, "192.168.1.100", 12345, "9.9.9.9", 53, 17);
		assert_int_equal(p->wire_len, 57);
		assert_ptr_equal(p->l3, f->copy);
		assert_int_equal(run_at(f, raw[i], v6.b, v6.n, TS0), DEC_OK);
		assert_flow(p, "2001:db8::1", 12345, "2620:fe::9", 53, 17);
		assert_int_equal(p->wire_len, 77);
	}
	assert_int_equal(run_at(f, DLT_IPV4, v4.b, v4.n, TS0), DEC_OK);
	assert_int_equal(run_at(f, DLT_IPV4, v6.b, v6.n, TS0),
	    DEC_IP_VERSION);
	assert_int_equal(run_at(f, DLT_IPV6, v6.b, v6.n, TS0), DEC_OK);
	assert_int_equal(run_at(f, DLT_IPV6, v4.b, v4.n, TS0),
	    DEC_IP_VERSION);
	assert_int_equal(run_at(f, DLT_IPV6, v6.b, 39, TS0), DEC_IPV6_SHORT);
	v4.b[0] = 0x55;
	assert_int_equal(run_at(f, DLT_RAW, v4.b, v4.n, TS0), DEC_IP_VERSION);
	assert_int_equal(run_at(f, DLT_RAW, v4.b, 0, TS0), DEC_IPV4_SHORT);
}

static void
test_null_loopback(void **state)
{
	static const uint8_t le2[4] = { 2, 0, 0, 0 }, be2[4] = { 0, 0, 0, 2 };
	static const uint8_t afs6[3] = { 24, 28, 30 };
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;
	int dlt, i;

	for (dlt = 0; dlt < 2; dlt++) {
		int lt = dlt == 0 ? DLT_NULL : 108;	/* DLT_LOOP off OpenBSD */

		pb_init(&pb);
		pb_put(&pb, le2, 4);
		pb_ipv4(&pb, 17, "127.0.0.1", "127.0.0.1");
		pb_udp(&pb, 54954, 53);
		assert_int_equal(run(f, lt, &pb), DEC_OK);
		assert_flow(p, "127.0.0.1", 54954, "127.0.0.1", 53, 17);
		memcpy(pb.b, be2, 4);
		assert_int_equal(run_at(f, lt, pb.b, pb.n, TS0), DEC_OK);
		assert_int_equal(p->dport, 53);
		assert_int_equal(run_at(f, lt, pb.b, 3, TS0), DEC_NULL_SHORT);

		for (i = 0; i < 3; i++) {
			pb_init(&pb);
			pb_u8(&pb, afs6[i]);
			pb_fill(&pb, 0, 3);
			pb_ipv6(&pb, 6, "::1", "::1");
			pb_tcp(&pb, 8065, 50000, 0x12, 0);
			assert_int_equal(run(f, lt, &pb), DEC_OK);
			assert_int_equal(p->ipver, 6);
			assert_int_equal(p->sport, 8065);
			pb.b[0] = 0;
			pb.b[3] = afs6[i];
			assert_int_equal(run_at(f, lt, pb.b, pb.n, TS0),
			    DEC_OK);
		}
		pb.b[3] = 7;
		assert_int_equal(run_at(f, lt, pb.b, pb.n, TS0), DEC_NOT_IP);
	}
}

static void
test_ppp_hdlc(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_u16(&pb, 0xff03);
	pb_u16(&pb, 0x0021);
	pb_ipv4(&pb, 17, "193.167.0.252", "193.167.100.100");
	pb_udp(&pb, 44083, 443);
	assert_int_equal(run(f, DLT_PPP, &pb), DEC_OK);
	assert_flow(p, "193.167.0.252", 44083, "193.167.100.100", 443, 17);
	assert_int_equal(run_at(f, DLT_PPP_SERIAL, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->dport, 443);
	/* Without address and control. */
	assert_int_equal(run_at(f, DLT_PPP, pb.b + 2, pb.n - 2, TS0), DEC_OK);
	assert_int_equal(p->dport, 443);
	assert_int_equal(run_at(f, DLT_PPP, pb.b, 3, TS0), DEC_PPP_SHORT);

	/* MPLS over PPP. */
	pb_init(&pb);
	pb_u16(&pb, 0xff03);
	pb_u16(&pb, 0x0281);
	pb_u32(&pb, 100704 << 12 | 0x100 | 1);
	pb_ipv4(&pb, 17, "12.4.4.4", "12.1.1.1");
	pb_udp(&pb, 42315, 33435);
	assert_int_equal(run(f, DLT_PPP, &pb), DEC_OK);
	assert_int_equal(p->dport, 33435);

	pb_init(&pb);
	pb_u16(&pb, 0xff03);
	pb_u16(&pb, 0x8021);		/* IPCP */
	pb_fill(&pb, 1, 10);
	assert_int_equal(run(f, DLT_PPP, &pb), DEC_PPP_PROTO);

	/* Cisco HDLC, alone and on a PPP link. */
	pb_init(&pb);
	pb_u16(&pb, 0x0f00);
	pb_u16(&pb, 0x0800);
	pb_ipv4(&pb, 6, "2.2.2.2", "5.5.5.5");
	pb_tcp(&pb, 179, 49433, 0x18, 0);
	assert_int_equal(run(f, DLT_C_HDLC, &pb), DEC_OK);
	assert_flow(p, "2.2.2.2", 179, "5.5.5.5", 49433, 6);
	assert_int_equal(run_at(f, DLT_PPP_SERIAL, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->sport, 179);
	assert_int_equal(run_at(f, DLT_C_HDLC, pb.b, 3, TS0), DEC_HDLC_SHORT);
	pb.b[2] = 0x80;			/* SLARP */
	pb.b[3] = 0x35;
	assert_int_equal(run_at(f, DLT_C_HDLC, pb.b, pb.n, TS0), DEC_NOT_IP);
}

static void
pb_tlv(struct pb *pb, uint16_t len, uint16_t type)
{
	/* NFLOG TLV headers are in host order. */
	pb_put(pb, &len, 2);
	pb_put(pb, &type, 2);
}

static void
test_nflog(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb, ip;

	pb_init(&ip);
	pb_ipv4(&ip, 17, "74.82.42.42", "10.0.0.20");
	pb_udp(&ip, 53, 42585);
	pb_fill(&ip, 0, 45);
	pb_done(&ip);

	pb_init(&pb);
	pb_u8(&pb, 2);			/* AF_INET */
	pb_u8(&pb, 0);
	pb_u16(&pb, 20);
	pb_tlv(&pb, 8, 1);		/* NFULA_PACKET_HDR */
	pb_u32(&pb, 0x08000300);
	pb_tlv(&pb, 5, 10);		/* NFULA_PREFIX "x": padded to 8 */
	pb_put(&pb, "x\0\0\0", 4);
	pb_tlv(&pb, (uint16_t)(4 + ip.n), 9);
	pb_put(&pb, ip.b, ip.n);
	assert_int_equal(run_at(f, DLT_NFLOG, pb.b, pb.n, TS0), DEC_OK);
	assert_flow(p, "74.82.42.42", 53, "10.0.0.20", 42585, 17);
	assert_int_equal(p->wire_len, ip.n);

	/* The snap length may cut the payload TLV. */
	assert_int_equal(run_at(f, DLT_NFLOG, pb.b, pb.n - 20, TS0), DEC_OK);
	assert_int_equal(p->wire_len, ip.n);
	assert_true(p->flags & PKT_TRUNC);

	/* Without a payload TLV, and with a TLV shorter than its header. */
	assert_int_equal(run_at(f, DLT_NFLOG, pb.b, 4 + 8 + 8, TS0),
	    DEC_NOT_IP);
	memset(pb.b + 4, 0, 2);
	assert_int_equal(run_at(f, DLT_NFLOG, pb.b, pb.n, TS0),
	    DEC_NFLOG_SHORT);
	assert_int_equal(run_at(f, DLT_NFLOG, pb.b, 3, TS0), DEC_NFLOG_SHORT);
}

/* ---- IPv6 extension headers and fragments ---- */

static void
test_ipv6_exthdrs(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;
	int i;

	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 0, "2001:db8::53", "2001:db8::99");
	pb_ext8(&pb, 60);		/* hop-by-hop */
	pb_ext8(&pb, 44);		/* destination options */
	pb_frag6(&pb, 17, 0, 1, 0xabcdef01);
	pb_udp(&pb, 53, 40000);
	pb_fill(&pb, 'd', 32);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::53", 53, "2001:db8::99", 40000, 17);
	assert_int_equal(p->flags, PKT_FRAG | PKT_FRAG_FIRST);
	assert_int_equal(p->wire_len, 40 + 24 + 8 + 32);
	assert_int_equal(p->payload_len, 32);
	assert_ptr_equal(p->payload, p->l3 + 40 + 24 + 8);

	/* The second fragment joins the flow of the first. */
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 44, "2001:db8::53", "2001:db8::99");
	pb_frag6(&pb, 17, 5, 0, 0xabcdef01);
	pb_fill(&pb, 'e', 24);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::53", 53, "2001:db8::99", 40000, 17);
	assert_int_equal(p->flags, PKT_FRAG);
	assert_int_equal(p->wire_len, 40 + 8 + 24);
	assert_int_equal(p->payload_len, 24);
	assert_int_equal(f->d.reasons[DEC_FRAG_ORPHAN], 0);

	/* An atomic fragment is a whole packet. */
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 44, "2001:db8::1", "2001:db8::2");
	pb_frag6(&pb, 6, 0, 0, 77);
	pb_tcp(&pb, 80, 1025, 0x10, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->sport, 80);

	/* Routing header and AH before TCP. */
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 43, "2001:db8::1", "2001:db8::2");
	pb_u8(&pb, 51);
	pb_u8(&pb, 2);			/* (2 + 1) * 8 = 24 bytes */
	pb_fill(&pb, 0, 22);
	pb_u8(&pb, 6);
	pb_u8(&pb, 4);			/* (4 + 2) * 4 = 24 bytes */
	pb_fill(&pb, 0, 22);
	pb_tcp(&pb, 22, 60000, 0x18, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::1", 22, "2001:db8::2", 60000, 6);
	assert_int_equal(p->payload_len, 0);

	/* A header longer than the payload, and too many headers. */
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 60, "2001:db8::1", "2001:db8::2");
	pb_u8(&pb, 17);
	pb_u8(&pb, 1);
	pb_fill(&pb, 0, 6);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_IPV6_EXTHDR);
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 60, "2001:db8::1", "2001:db8::2");
	for (i = 0; i < 11; i++)
		pb_ext8(&pb, 60);
	pb_fill(&pb, 0, 8);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_IPV6_EXTHDR);

	/* Payload length beyond the capture: a snap length, not an error. */
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 6, "2001:db8::1", "2001:db8::2");
	pb_tcp(&pb, 22, 60000, 0x18, 0);
	pb_fill(&pb, 0, 1000);
	pb_done(&pb);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 60 + 100, TS0),
	    DEC_OK);
	assert_int_equal(p->wire_len, 1060);
	assert_int_equal(p->payload_len, 1000);
	assert_int_equal(p->payload_caplen, 100);
	assert_int_equal(p->flags, PKT_TRUNC);
}

static void
test_ipv6_jumbo(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 0, "2001:db8::1", "2001:db8::2");
	pb_u8(&pb, 6);
	pb_u8(&pb, 0);
	pb_u8(&pb, 0xc2);
	pb_u8(&pb, 4);
	pb_u32(&pb, 70000);
	pb_tcp(&pb, 5001, 40000, 0x10, 0);
	pb_fill(&pb, 0, 64);
	/* no pb_done: the payload length stays 0 */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->wire_len, 40 + 70000);
	assert_int_equal(p->payload_len, 70000 - 8 - 20);
	assert_int_equal(p->sport, 5001);
	assert_true(p->flags & PKT_TRUNC);
}

static void
pb_frag4(struct pb *pb, const char *src, unsigned proto, unsigned id,
    unsigned frag)
{
	pb_init(pb);
	pb_eth(pb, 0x0800);
	pb_ipv4x(pb, proto, src, "10.0.0.53", 0, id, frag);
}

static void
test_ipv4_frags(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb first, second, orphan;

	pb_frag4(&first, "10.0.0.1", 17, 0x4242, 0x2000);
	pb_udp(&first, 1234, 53);
	pb_fill(&first, 'a', 16);
	pb_done(&first);
	pb_set16(&first, 14 + 20 + 4, 8 + 16 + 40);	/* whole datagram */
	pb_frag4(&second, "10.0.0.1", 17, 0x4242, 3);
	pb_fill(&second, 'b', 40);
	pb_done(&second);

	/* Later fragment first: an orphan, kept and counted as such. */
	assert_int_equal(run_at(f, DLT_EN10MB, second.b, second.n, TS0),
	    DEC_OK);
	assert_int_equal(p->sport, 0);
	assert_int_equal(p->dport, 0);
	assert_int_equal(p->wire_len, 60);
	assert_int_equal(f->d.reasons[DEC_FRAG_ORPHAN], 1);
	assert_int_equal(f->d.reasons[DEC_OK], 0);

	assert_int_equal(run_at(f, DLT_EN10MB, first.b, first.n, TS0),
	    DEC_OK);
	assert_flow(p, "10.0.0.1", 1234, "10.0.0.53", 53, 17);
	assert_int_equal(p->flags, PKT_FRAG | PKT_FRAG_FIRST);
	assert_int_equal(p->wire_len, 44);
	assert_int_equal(p->payload_len, 16);

	assert_int_equal(run_at(f, DLT_EN10MB, second.b, second.n,
	    TS0 + XT_SEC), DEC_OK);
	assert_flow(p, "10.0.0.1", 1234, "10.0.0.53", 53, 17);
	assert_int_equal(p->flags, PKT_FRAG);
	assert_int_equal(p->wire_len, 60);
	assert_int_equal(p->payload_len, 40);
	assert_int_equal(p->payload_caplen, 40);
	assert_memory_equal(p->payload, "bbbb", 4);
	assert_int_equal(f->d.reasons[DEC_OK], 2);
	assert_int_equal(f->d.reasons[DEC_FRAG_ORPHAN], 1);

	/* Another id, another source, or too late: no ports. */
	pb_frag4(&orphan, "10.0.0.1", 17, 0x4343, 3);
	pb_fill(&orphan, 'c', 8);
	assert_int_equal(run(f, DLT_EN10MB, &orphan), DEC_OK);
	assert_int_equal(p->dport, 0);
	pb_frag4(&orphan, "10.0.0.2", 17, 0x4242, 3);
	pb_fill(&orphan, 'c', 8);
	assert_int_equal(run(f, DLT_EN10MB, &orphan), DEC_OK);
	assert_int_equal(p->dport, 0);
	assert_int_equal(run_at(f, DLT_EN10MB, second.b, second.n,
	    TS0 + 31 * XT_SEC), DEC_OK);
	assert_int_equal(p->dport, 0);
	assert_int_equal(f->d.reasons[DEC_FRAG_ORPHAN], 4);

	/* A protocol without ports has no orphans. */
	pb_frag4(&orphan, "10.0.0.1", 50, 0x4444, 3);
	pb_fill(&orphan, 'c', 8);
	assert_int_equal(run(f, DLT_EN10MB, &orphan), DEC_OK);
	assert_int_equal(p->proto, 50);
	assert_int_equal(f->d.reasons[DEC_FRAG_ORPHAN], 4);
	assert_int_equal(reasons_sum(&f->d), 7);

	/* A first fragment too small for the TCP header still has ports. */
	pb_frag4(&first, "10.0.0.7", 6, 0x99, 0x2000);
	pb_u16(&first, 12345);
	pb_u16(&first, 8080);
	pb_u32(&first, 1);
	assert_int_equal(run(f, DLT_EN10MB, &first), DEC_OK);
	assert_int_equal(p->dport, 8080);
	pb_frag4(&second, "10.0.0.7", 6, 0x99, 1);
	pb_fill(&second, 0, 12);
	assert_int_equal(run(f, DLT_EN10MB, &second), DEC_OK);
	assert_flow(p, "10.0.0.7", 12345, "10.0.0.53", 8080, 6);
}

/* ---- tunnels ---- */

static void
test_gre(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "1.1.1.1", "2.2.2.2");
	pb_u16(&pb, 0x2000);		/* K */
	pb_u16(&pb, 0x0800);
	pb_u32(&pb, 0x1234);
	pb_ipv4(&pb, 6, "10.0.0.1", "10.0.0.2");
	pb_tcp(&pb, 1025, 22, 0x18, 77);
	pb_fill(&pb, 's', 10);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.0.0.1", 1025, "10.0.0.2", 22, 6);
	assert_int_equal(p->tunnel_id, 0x1234);
	assert_int_equal(p->flags, PKT_TUNNELED);
	assert_int_equal(p->wire_len, 50);
	assert_ptr_equal(p->l3, f->copy + 14 + 20 + 8);
	assert_int_equal(p->payload_len, 10);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 20 + 7, TS0),
	    DEC_GRE_SHORT);

	/* Checksum, key and sequence; IPv6 inside. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "1.1.1.1", "2.2.2.2");
	pb_u16(&pb, 0xb000);
	pb_u16(&pb, 0x86dd);
	pb_u32(&pb, 0);
	pb_u32(&pb, 0xfeedbeef);
	pb_u32(&pb, 99);
	pb_ipv6(&pb, 17, "2001:db8::1", "2001:db8::2");
	pb_udp(&pb, 1000, 2000);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::1", 1000, "2001:db8::2", 2000, 17);
	assert_int_equal(p->tunnel_id, 0xfeedbeef);
	assert_int_equal(p->wire_len, 48);

	/* Transparent Ethernet bridging, no key, over IPv6. */
	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 47, "2001:db8::1", "2001:db8::2");
	pb_u16(&pb, 0);
	pb_u16(&pb, 0x6558);
	pb_eth(&pb, 0x8100);
	pb_tag(&pb, 12, 0x0800);
	pb_ipv4(&pb, 17, "192.168.0.1", "192.168.0.2");
	pb_udp(&pb, 67, 68);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "192.168.0.1", 67, "192.168.0.2", 68, 17);
	assert_int_equal(p->tunnel_id, 0);
	assert_int_equal(p->vlan, 12);

	/* RFC 1701 routing present: source route entries are skipped. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "1.1.1.1", "2.2.2.2");
	pb_u16(&pb, 0x4000);
	pb_u16(&pb, 0x0800);
	pb_u32(&pb, 0);			/* checksum (absent) and offset */
	pb_u16(&pb, 0x0800);		/* SRE: IPv4, offset 0, length 8 */
	pb_u8(&pb, 0);
	pb_u8(&pb, 8);
	pb_fill(&pb, 1, 8);
	pb_u32(&pb, 0);			/* null SRE */
	pb_ipv4(&pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->dport, 2);

	/* Inner packet longer than the GRE payload. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "1.1.1.1", "2.2.2.2");
	pb_u16(&pb, 0);
	pb_u16(&pb, 0x0800);
	pb_ipv4(&pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&pb, 1, 2);
	pb_done(&pb);
	pb_set16(&pb, 14 + 24 + 2, 1400);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_IPV4_LEN);

	/* Keepalive, and an unknown version. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "1.1.1.1", "2.2.2.2");
	pb_u16(&pb, 0);
	pb_u16(&pb, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_NOT_IP);
	pb.b[14 + 20 + 1] = 2;
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_GRE_VERSION);
}

static void
test_pptp_gre(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "16.0.0.200", "192.52.166.154");
	pb_u16(&pb, 0x3081);		/* K, S, A, version 1 */
	pb_u16(&pb, 0x880b);
	pb_u16(&pb, 4 + 28 + 4);
	pb_u16(&pb, 6016);		/* call id */
	pb_u32(&pb, 430001);
	pb_u32(&pb, 539254);
	pb_u16(&pb, 0xff03);
	pb_u16(&pb, 0x0021);
	pb_ipv4(&pb, 17, "172.16.44.3", "8.8.8.8");
	pb_udp(&pb, 40768, 53);
	pb_fill(&pb, 0, 4);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "172.16.44.3", 40768, "8.8.8.8", 53, 17);
	assert_int_equal(p->flags, PKT_TUNNELED);
	/* The call id differs per direction: it must not split the flow. */
	assert_int_equal(p->tunnel_id, 0);
	assert_int_equal(p->wire_len, 32);

	/* Acknowledgement only. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "16.0.0.200", "192.52.166.154");
	pb_u16(&pb, 0x2081);
	pb_u16(&pb, 0x880b);
	pb_u16(&pb, 0);
	pb_u16(&pb, 6016);
	pb_u32(&pb, 430001);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_NOT_IP);
}

static void
test_erspan(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	/* Type II: GRE with sequence number, 8-byte ERSPAN header. */
	pb_init(&pb);
	pb_eth(&pb, 0x8100);
	pb_tag(&pb, 7, 0x0800);
	pb_ipv4(&pb, 47, "2.2.2.2", "1.1.1.1");
	pb_u16(&pb, 0x1000);
	pb_u16(&pb, 0x88be);
	pb_u32(&pb, 1794);
	pb_u16(&pb, 0x1000 | 42);	/* version 1, original VLAN 42 */
	pb_u16(&pb, 0x0800 | 100);	/* en bits, session 100 */
	pb_u32(&pb, 0);
	pb_eth(&pb, 0x8100);
	pb_tag(&pb, 42, 0x0800);
	pb_ipv4(&pb, 17, "23.0.0.2", "23.0.0.3");
	pb_udp(&pb, 5000, 6000);
	pb_fill(&pb, 0, 3);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "23.0.0.2", 5000, "23.0.0.3", 6000, 17);
	assert_int_equal(p->tunnel_id, 100);
	assert_int_equal(p->vlan, 7);	/* the outermost tag */
	assert_int_equal(p->wire_len, 31);
	assert_int_equal(p->flags, PKT_TUNNELED);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 18 + 20 + 8 + 7, TS0),
	    DEC_ERSPAN_SHORT);

	/* Type I: no sequence number, Ethernet right after GRE. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "2.2.2.2", "1.1.1.1");
	pb_u16(&pb, 0);
	pb_u16(&pb, 0x88be);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 6, "23.0.0.2", "23.0.0.3");
	pb_tcp(&pb, 22, 5555, 0x10, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "23.0.0.2", 22, "23.0.0.3", 5555, 6);
	assert_int_equal(p->tunnel_id, 0);

	/* Type III with the platform subheader. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "172.31.1.23", "172.31.1.135");
	pb_u16(&pb, 0);
	pb_u16(&pb, 0x22eb);
	pb_u16(&pb, 0x2000 | 10);
	pb_u16(&pb, 0x002a);		/* session 42 */
	pb_u32(&pb, 0x70507e55);	/* timestamp */
	pb_u16(&pb, 0);			/* SGT */
	pb_u16(&pb, 0x0007);		/* frame type 0 (Ethernet), O */
	pb_fill(&pb, 0xcc, 8);
	pb_eth(&pb, 0x8100);
	pb_tag(&pb, 10, 0x0800);
	pb_ipv4(&pb, 1, "172.31.10.31", "172.31.10.2");
	pb_icmp(&pb, 8, 0, 43);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "172.31.10.31", 8 << 8, "172.31.10.2", 43, 1);
	assert_int_equal(p->tunnel_id, 42);
	assert_int_equal(p->vlan, 10);

	/* Type III carrying IP directly (frame type 2). */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 47, "172.31.1.23", "172.31.1.135");
	pb_u16(&pb, 0);
	pb_u16(&pb, 0x22eb);
	pb_u16(&pb, 0x2000);
	pb_u16(&pb, 0x0003);
	pb_u32(&pb, 0);
	pb_u16(&pb, 0);
	pb_u16(&pb, 2 << 10);
	pb_ipv6(&pb, 17, "2001:db8::1", "2001:db8::2");
	pb_udp(&pb, 9, 10);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_int_equal(p->ipver, 6);
	assert_int_equal(p->tunnel_id, 3);
}

static void
pb_vxlan_frame(struct pb *pb, unsigned flags)
{
	pb_init(pb);
	pb_eth(pb, 0x0800);
	pb_ipv4(pb, 17, "192.168.203.1", "192.168.202.1");
	pb_udp(pb, 45149, 4789);
	pb_u8(pb, flags);
	pb_fill(pb, 0, 3);
	pb_u32(pb, 5000 << 8);
	pb_eth(pb, 0x0800);
	pb_ipv4(pb, 6, "10.1.0.1", "10.1.0.2");
	pb_tcp(pb, 3333, 80, 0x18, 1);
	pb_fill(pb, 'v', 7);
}

static void
test_vxlan(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_vxlan_frame(&pb, 0x08);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.1.0.1", 3333, "10.1.0.2", 80, 6);
	assert_int_equal(p->tunnel_id, 5000);
	assert_int_equal(p->flags, PKT_TUNNELED);
	assert_int_equal(p->wire_len, 47);
	assert_int_equal(p->payload_len, 7);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 28 + 7, TS0),
	    DEC_VXLAN_SHORT);

	/* Without the I flag it is plain UDP to port 4789. */
	pb_vxlan_frame(&pb, 0x00);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "192.168.203.1", 45149, "192.168.202.1", 4789, 17);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->tunnel_id, 0);
}

static void
test_geneve(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 17, "192.168.56.11", "192.168.56.12");
	pb_udp(&pb, 35671, 6081);
	pb_u8(&pb, 3);			/* version 0, 12 bytes of options */
	pb_u8(&pb, 0);
	pb_u16(&pb, 0x6558);
	pb_u32(&pb, 0xabcd << 8);
	pb_u16(&pb, 0x0102);		/* option class */
	pb_u8(&pb, 0x80);		/* type */
	pb_u8(&pb, 2);			/* 8 bytes of data */
	pb_fill(&pb, 0xee, 8);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&pb, 1111, 2222);
	pb_fill(&pb, 'g', 5);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.0.0.1", 1111, "10.0.0.2", 2222, 17);
	assert_int_equal(p->tunnel_id, 0xabcd);
	assert_int_equal(p->flags, PKT_TUNNELED);
	assert_int_equal(p->wire_len, 33);
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, 14 + 28 + 12, TS0),
	    DEC_GENEVE_SHORT);

	/* Options longer than the datagram. */
	pb.b[14 + 28] = 0x3f;
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0),
	    DEC_GENEVE_SHORT);

	/* IPv6 carried directly. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 17, "192.168.56.11", "192.168.56.12");
	pb_udp(&pb, 35671, 6081);
	pb_u16(&pb, 0);
	pb_u16(&pb, 0x86dd);
	pb_u32(&pb, 7 << 8);
	pb_ipv6(&pb, 6, "2001:db8::1", "2001:db8::2");
	pb_tcp(&pb, 443, 50000, 0x10, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8::1", 443, "2001:db8::2", 50000, 6);
	assert_int_equal(p->tunnel_id, 7);

	/* Another version is not Geneve. */
	pb.b[14 + 28] = 0x40;
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_OK);
	assert_int_equal(p->dport, 6081);
	assert_int_equal(p->flags, 0);
}

static void
test_ip_in_ip(void **state)
{
	struct fixture *f = *state;
	struct pkt *p = &f->p;
	struct pb pb;
	int i;

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 4, "69.67.35.146", "41.202.46.110");
	pb_ipv4(&pb, 17, "10.10.100.25", "10.10.101.2");
	pb_udp(&pb, 62367, 17000);
	pb_fill(&pb, 0, 100);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "10.10.100.25", 62367, "10.10.101.2", 17000, 17);
	assert_int_equal(p->wire_len, 128);
	assert_int_equal(p->flags, PKT_TUNNELED);

	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 41, "10.0.0.1", "10.0.0.2");
	pb_ipv6(&pb, 58, "2001:db8:0:1::1", "2001:db8:0:1::2");
	pb_icmp(&pb, 128, 0, 6364);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "2001:db8:0:1::1", 128 << 8, "2001:db8:0:1::2", 6364,
	    58);

	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 4, "2402:f000:1:8e01::5555", "2607:fcd0:100:2300::1");
	pb_ipv4(&pb, 6, "172.16.44.3", "8.8.8.8");
	pb_tcp(&pb, 40768, 853, 0x02, 0);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "172.16.44.3", 40768, "8.8.8.8", 853, 6);

	pb_init(&pb);
	pb_eth(&pb, 0x86dd);
	pb_ipv6(&pb, 41, "feed::beef", "feed::cafe");
	pb_ipv6(&pb, 17, "dead::beef", "cafe::babe");
	pb_udp(&pb, 30000, 13000);
	pb_fill(&pb, 0, 4);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_flow(p, "dead::beef", 30000, "cafe::babe", 13000, 17);
	assert_int_equal(p->wire_len, 52);

	/* Proto 4 announcing IPv4, carrying IPv6. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4(&pb, 4, "10.0.0.1", "10.0.0.2");
	pb_ipv6(&pb, 59, "::1", "::2");
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_IP_VERSION);

	/* Four tunnels are followed, a fifth is too deep. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	for (i = 0; i < 4; i++)
		pb_ipv4(&pb, 4, "10.0.0.1", "10.0.0.2");
	pb_ipv4(&pb, 17, "10.9.0.1", "10.9.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_addr(&p->src, "10.9.0.1");
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	for (i = 0; i < 5; i++)
		pb_ipv4(&pb, 4, "10.0.0.1", "10.0.0.2");
	pb_ipv4(&pb, 17, "10.9.0.1", "10.9.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_TUNNEL_DEPTH);

	/* A fragmented tunnel packet stays the outer flow. */
	pb_init(&pb);
	pb_eth(&pb, 0x0800);
	pb_ipv4x(&pb, 4, "10.0.0.1", "10.0.0.2", 0, 5, 0x2000);
	pb_ipv4(&pb, 17, "10.9.0.1", "10.9.0.2");
	pb_udp(&pb, 1, 2);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_OK);
	assert_addr(&p->src, "10.0.0.1");
	assert_int_equal(p->proto, 4);
	assert_int_equal(p->flags, PKT_FRAG | PKT_FRAG_FIRST);
}

static void
test_not_ip(void **state)
{
	static const int yes[] = {
		DLT_NULL, DLT_EN10MB, DLT_PPP, DLT_RAW, 12, 14, 101,
		DLT_PPP_SERIAL, DLT_PPP_ETHER, DLT_C_HDLC, 108, DLT_LINUX_SLL,
		DLT_LINUX_SLL2, DLT_IPV4, DLT_IPV6, DLT_NFLOG
	};
	static const int no[] = { 105, 127, 147, 160, 258, -1 };
	struct fixture *f = *state;
	struct pb pb;
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(decode_dlt_supported(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(decode_dlt_supported(no[i]));

	pb_init(&pb);
	pb_eth(&pb, 0x0806);
	pb_fill(&pb, 0, 28);
	assert_int_equal(run(f, DLT_EN10MB, &pb), DEC_NOT_IP);
	pb.b[12] = 0x88;
	pb.b[13] = 0xcc;		/* LLDP */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_NOT_IP);
	pb.b[12] = 0x00;
	pb.b[13] = 0x26;		/* 802.3 length */
	assert_int_equal(run_at(f, DLT_EN10MB, pb.b, pb.n, TS0), DEC_NOT_IP);
	assert_int_equal(run_at(f, 147, pb.b, pb.n, TS0), DEC_LINKTYPE);
	assert_int_equal(f->d.reasons[DEC_NOT_IP], 3);
	assert_int_equal(f->d.reasons[DEC_LINKTYPE], 1);
}

static void
test_reason_names(void **state)
{
	int i, j;

	(void)state;
	assert_string_equal(decode_reason_name(DEC_OK), "decode.ok");
	assert_string_equal(decode_reason_name(DEC_IPV4_SHORT),
	    "decode.ipv4_short");
	assert_string_equal(decode_reason_name(DEC_FRAG_ORPHAN),
	    "decode.frag_orphan");
	for (i = 0; i < DEC_REASON_MAX; i++) {
		const char *n = decode_reason_name((enum decode_reason)i);

		assert_int_equal(strncmp(n, "decode.", 7), 0);
		assert_string_not_equal(n, "decode.unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(n,
			    decode_reason_name((enum decode_reason)j));
	}
	assert_non_null(decode_reason_name(DEC_REASON_MAX));
}

/* ---- every truncation, and mutations ---- */

struct sample {
	int		 dlt;
	struct pb	 pb;
};

static int
samples_build(struct sample *s)
{
	int n = 0;

	s[n].dlt = DLT_EN10MB;
	pb_vxlan_frame(&s[n++].pb, 0x08);

	s[n].dlt = DLT_EN10MB;
	pb_init(&s[n].pb);
	pb_eth(&s[n].pb, 0x88a8);
	pb_tag(&s[n].pb, 1, 0x8100);
	pb_tag(&s[n].pb, 2, 0x8100);
	pb_tag(&s[n].pb, 3, 0x0800);
	pb_ipv4x(&s[n].pb, 47, "1.1.1.1", "2.2.2.2", 2, 1, 0);
	pb_u16(&s[n].pb, 0x3000);
	pb_u16(&s[n].pb, 0x6558);
	pb_u32(&s[n].pb, 9);
	pb_u32(&s[n].pb, 1);
	pb_eth(&s[n].pb, 0x86dd);
	pb_ipv6(&s[n].pb, 0, "2001:db8::1", "2001:db8::2");
	pb_ext8(&s[n].pb, 60);
	pb_ext8(&s[n].pb, 6);
	pb_tcp(&s[n].pb, 1, 2, 0x02, 3);
	pb_fill(&s[n++].pb, 'p', 9);

	s[n].dlt = DLT_EN10MB;
	pb_init(&s[n].pb);
	pb_eth(&s[n].pb, 0x8847);
	pb_u32(&s[n].pb, 1 << 12);
	pb_u32(&s[n].pb, 2 << 12 | 0x100);
	pb_ipv4(&s[n].pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&s[n].pb, 50000, 6081);
	pb_u8(&s[n].pb, 1);
	pb_u8(&s[n].pb, 0);
	pb_u16(&s[n].pb, 0x0800);
	pb_u32(&s[n].pb, 77 << 8);
	pb_u32(&s[n].pb, 0);
	pb_ipv4(&s[n].pb, 1, "10.5.0.1", "10.5.0.2");
	pb_icmp(&s[n].pb, 8, 0, 99);
	pb_fill(&s[n++].pb, 0, 16);

	s[n].dlt = DLT_EN10MB;
	pb_init(&s[n].pb);
	pb_eth(&s[n].pb, 0x8864);
	pb_u16(&s[n].pb, 0x1100);
	pb_u16(&s[n].pb, 1);
	pb_u16(&s[n].pb, 0);
	pb_u16(&s[n].pb, 0x0057);
	pb_ipv6(&s[n].pb, 41, "2001:db8::1", "2001:db8::2");
	pb_ipv6(&s[n].pb, 44, "2001:db8::3", "2001:db8::4");
	pb_frag6(&s[n].pb, 17, 0, 1, 5);
	pb_udp(&s[n].pb, 53, 53);
	pb_fill(&s[n++].pb, 0, 8);

	s[n].dlt = DLT_LINUX_SLL;
	pb_init(&s[n].pb);
	pb_fill(&s[n].pb, 0, 14);
	pb_u16(&s[n].pb, 0x0800);
	pb_ipv4(&s[n].pb, 47, "1.1.1.1", "2.2.2.2");
	pb_u16(&s[n].pb, 0x1000);
	pb_u16(&s[n].pb, 0x88be);
	pb_u32(&s[n].pb, 1);
	pb_u16(&s[n].pb, 0x1000);
	pb_u16(&s[n].pb, 5);
	pb_u32(&s[n].pb, 0);
	pb_eth(&s[n].pb, 0x0800);
	pb_ipv4(&s[n].pb, 6, "10.0.0.1", "10.0.0.2");
	pb_tcp(&s[n].pb, 7, 8, 0x11, 0);
	pb_fill(&s[n++].pb, 'z', 3);

	s[n].dlt = DLT_NFLOG;
	pb_init(&s[n].pb);
	pb_u32(&s[n].pb, 0x02000001);
	pb_tlv(&s[n].pb, 4 + 28, 9);
	pb_ipv4(&s[n].pb, 17, "10.0.0.1", "10.0.0.2");
	pb_udp(&s[n++].pb, 1, 53);
	return n;
}

static void
test_every_truncation(void **state)
{
	struct fixture *f = *state;
	struct sample s[8];
	struct pkt ref, *p = &f->p;
	uint64_t calls = 0;
	size_t len;
	int i, n;

	n = samples_build(s);
	for (i = 0; i < n; i++) {
		len = pb_done(&s[i].pb);
		assert_int_equal(run_at(f, s[i].dlt, s[i].pb.b, len, TS0),
		    DEC_OK);
		calls++;
		ref = *p;
		assert_int_equal(ref.flags & PKT_TRUNC, 0);
		while (len-- > 0) {
			enum decode_reason r;

			r = run_at(f, s[i].dlt, s[i].pb.b, len, TS0);
			calls++;
			assert_true(r < DEC_REASON_MAX);
			assert_int_not_equal(r, DEC_LINKTYPE);
			if (r != DEC_OK)
				continue;
			/* What survives is the same packet, marked cut. */
			assert_sane(p, f->copy, (uint32_t)len);
			assert_true(addr_eq(&p->src, &ref.src));
			assert_true(addr_eq(&p->dst, &ref.dst));
			assert_int_equal(p->sport, ref.sport);
			assert_int_equal(p->dport, ref.dport);
			assert_int_equal(p->proto, ref.proto);
			assert_int_equal(p->wire_len, ref.wire_len);
			assert_int_equal(p->payload_len, ref.payload_len);
			assert_int_equal(p->tunnel_id, ref.tunnel_id);
			assert_int_equal(p->vlan, ref.vlan);
			assert_int_equal(p->flags, ref.flags | PKT_TRUNC);
			assert_true(p->payload_caplen < ref.payload_caplen ||
			    p->l3_caplen < ref.l3_caplen);
		}
	}
	assert_int_equal(reasons_sum(&f->d), calls);
}

static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_garbage(void **state)
{
	static const int dlts[] = {
		DLT_NULL, DLT_EN10MB, DLT_PPP, DLT_RAW, DLT_PPP_SERIAL,
		DLT_PPP_ETHER, DLT_C_HDLC, 108, DLT_LINUX_SLL, DLT_LINUX_SLL2,
		DLT_IPV4, DLT_IPV6, DLT_NFLOG
	};
	struct fixture *f = *state;
	struct sample s[8];
	uint8_t buf[512];
	uint32_t seed = 0x2545f491, len;
	uint64_t calls = 0;
	int i, k, n, m, ok = 0;

	/* Random bytes under every link type. */
	for (i = 0; i < 20000; i++) {
		len = xorshift(&seed) % sizeof(buf);
		for (k = 0; k < (int)len; k++)
			buf[k] = (uint8_t)xorshift(&seed);
		if (i % 4 == 0 && len > 14) {	/* steer towards IP */
			buf[12] = 0x08;
			buf[13] = 0x00;
			buf[14] = 0x45;
		}
		if (run_at(f, dlts[i % (sizeof(dlts) / sizeof(dlts[0]))], buf,
		    len, TS0 + i) == DEC_OK)
			assert_sane(&f->p, f->copy, len);
		calls++;
	}

	/* Valid frames with a few bytes changed and a random snap length. */
	n = samples_build(s);
	for (i = 0; i < 40000; i++) {
		struct sample *x = &s[i % n];

		len = (uint32_t)pb_done(&x->pb);
		memcpy(buf, x->pb.b, len);
		for (m = 1 + xorshift(&seed) % 4; m > 0; m--)
			buf[xorshift(&seed) % len] = (uint8_t)xorshift(&seed);
		if (xorshift(&seed) % 3 == 0)
			len = xorshift(&seed) % (len + 1);
		if (run_at(f, x->dlt, buf, len, TS0 + i) == DEC_OK) {
			assert_sane(&f->p, f->copy, len);
			ok++;
		}
		calls++;
	}
	assert_int_equal(reasons_sum(&f->d), calls);
	assert_true(ok > 0);
}

/* ---- real captures ---- */

struct expect {
	const char	*file;
	int		 min_ok;	/* frames that must decode */
	const char	*src, *dst;	/* one OK frame must match all of: */
	int		 sport, dport, proto;
	int		 flags;		/* PKT_* exactly, -1 any */
	long		 tunnel_id;	/* -1 any */
	int		 vlan;		/* -1 any */
	uint32_t	 wire_len;	/* 0 any */
};

static const struct expect expects[] = {
	{ "tcpdump-tests/pcap/various_gre.pcap", 10, "172.17.1.54",
	    "172.17.1.55", 8 << 8, 1, 1, PKT_TUNNELED, 0x28, 1213, 100 },
	{ "arkime/pcap/twovlan.pcap", 6, "10.0.0.2", "10.0.0.1", 80, 54422,
	    6, 0, 0, 201, 4396 },
	{ "arkime/pcap/dot1ad.pcap", 2, "47.245.159.156", "92.104.109.0",
	    8 << 8, 0, 1, 0, 0, 1525, 28 },
	{ "arkime/pcap/mpls-basic.pcap", 50, "10.1.2.1", "10.34.0.1",
	    8 << 8, 2617, 1, 0, 0, 0, 100 },
	{ "zeek/pcap/mpls-in-vlan.pcap", 3, "65.65.65.65", "65.65.65.65",
	    61193, 80, 6, 0, 0, 3399, 710 },
	{ "zeek/pcap/mixed-vlan-mpls.pcap", 40, "10.1.2.1", "10.34.0.1",
	    11001, 23, 6, 0, 0, 0, 44 },
	{ "suricata-verify/pcap/pppoe-http.pcap", 30, "10.100.0.0",
	    "142.250.179.131", 57013, 80, 6, 0, 0, 0, 60 },
	{ "ndpi/pcap/dns2tcp_tunnel.pcap", 50, "192.168.20.211", "1.1.1.1",
	    44404, 443, 6, 0, 0, 0, 60 },
	{ "zeek/pcap/linktype-sll2.pcap", 4, "192.0.2.1", "192.0.2.1",
	    8 << 8, 8, 1, 0, 0, 0, 84 },
	{ "tcpdump-tests/pcap/LINKTYPE_RAW_ipv4.pcap", 1, "192.168.1.100",
	    "9.9.9.9", 12345, 53, 17, 0, 0, 0, 57 },
	{ "tcpdump-tests/pcap/LINKTYPE_IPV4.pcap", 1, "192.168.1.100",
	    "9.9.9.9", 12345, 53, 17, 0, 0, 0, 57 },
	{ "tcpdump-tests/pcap/LINKTYPE_RAW_ipv6.pcap", 1, "2001:db8::1",
	    "2620:fe::9", 12345, 53, 17, 0, 0, 0, 77 },
	{ "tcpdump-tests/pcap/LINKTYPE_IPV6.pcap", 1, "2001:db8::1",
	    "2620:fe::9", 12345, 53, 17, 0, 0, 0, 77 },
	{ "tcpdump-tests/pcap/dns-badcookie.pcap", 4, "127.0.0.1",
	    "127.0.0.1", 53, 49830, 17, 0, 0, 0, 159 },
	{ "tcpdump-tests/pcap/nflog.pcap", 4, "74.82.42.42", "10.0.0.20",
	    53, 42585, 17, 0, 0, 0, 73 },
	{ "zeek/pcap/linktype-nflog-http.pcap", 10, "10.0.2.15",
	    "93.184.216.34", 49762, 80, 6, 0, 0, 0, 60 },
	{ "ndpi/pcap/dlt_ppp.pcap", 1, "193.167.0.252", "193.167.100.100",
	    44083, 443, 17, 0, 0, 0, 1228 },
	{ "ndpi/pcap/BGP_redist.pcap", 2, "2.2.2.2", "4.4.4.4", 179, 63535,
	    6, 0, 0, 0, 155 },
	{ "arkime/pcap/6-4-gre-ppp-udp-4-dns.pcap", 2, "172.16.44.3",
	    "8.8.8.8", 40768, 53, 17, PKT_TUNNELED, 0, 100, 99 },
	{ "ndpi/pcap/gre.pcapng", 1, "192.168.10.210", "192.168.103.40",
	    5060, 5060, 17, PKT_TUNNELED, 0, 142, 326 },
	{ "arkime/pcap/ipv6-in-ipv4.pcap", 10, "2001:db8:0:1::1",
	    "2001:db8:0:1::2", 128 << 8, 6364, 58, PKT_TUNNELED, 0, 0, 100 },
	{ "ndpi/pcap/4in4tunnel.pcap", 5, "10.10.100.25", "10.10.101.2",
	    62367, 17000, 17, PKT_TUNNELED, 0, 1624, 128 },
	{ "ndpi/pcap/6in6tunnel.pcap", 2, "dead::beef", "cafe::babe",
	    30000, 13000, 17, PKT_TUNNELED, 0, 0, 52 },
	{ "zeek/pcap/gre-within-gre.pcap", 600, "10.10.25.1", "192.168.1.2",
	    8 << 8, 23, 1, PKT_TUNNELED, 0, 0, 100 },
	{ "suricata-verify/pcap/gre-sample.pcap", 30, "66.59.111.190",
	    "172.28.2.3", 8 << 8, 52072, 1, PKT_TUNNELED, 0, 0, 84 },
	{ "suricata-verify/pcap/vxlan.pcap", 8, "192.168.203.3",
	    "192.168.203.5", 8 << 8, 1292, 1, PKT_TUNNELED, 100, 0, 84 },
	{ "ndpi/pcap/vxlan.pcap", 100, "10.10.20.4", "8.8.8.8", 44437, 53,
	    17, PKT_TUNNELED, 1111, 5, 58 },
	{ "suricata-verify/pcap/geneve.pcap", 8, "10.0.0.1", "10.0.0.2",
	    8 << 8, 3466, 1, PKT_TUNNELED, 0x7b, 0, 84 },
	{ "suricata-verify/pcap/erspan-type2.pcap", 4, "23.0.0.2",
	    "23.0.0.3", 8 << 8, 22, 1, PKT_TUNNELED, 100, 0, 100 },
	{ "zeek/pcap/erspan3-dot1q.pcap", 2, "172.31.10.31", "172.31.10.2",
	    8 << 8, 43, 1, PKT_TUNNELED, 0, 10, 84 },
	{ "ndpi/pcap/dns_fragmented.pcap", 60, "193.24.227.238",
	    "172.217.40.76", 53, 56680, 17, PKT_FRAG, 0, 0, 250 },
	{ "ndpi/pcap/dns_fragmented.pcap", 60, "2001:470:765b::a25:53",
	    "2a00:1450:4013:c03::10a", 53, 46433, 17, PKT_FRAG, 0, 0, 109 },
	{ "suricata-verify/pcap/linktype-ppp-frag.pcap", 3, "1.1.1.1",
	    "2.2.2.2", 12345, 8080, 6, PKT_FRAG, 0, 0, 28 },
};

static int
expect_match(const struct expect *e, const struct pkt *p)
{
	addr_t a;

	if (addr_pton(e->src, &a) != 0 || !addr_eq(&a, &p->src))
		return 0;
	if (addr_pton(e->dst, &a) != 0 || !addr_eq(&a, &p->dst))
		return 0;
	if (p->sport != e->sport || p->dport != e->dport ||
	    p->proto != e->proto)
		return 0;
	if (e->flags != -1 && p->flags != e->flags)
		return 0;
	if (e->tunnel_id != -1 && p->tunnel_id != (uint32_t)e->tunnel_id)
		return 0;
	if (e->vlan != -1 && p->vlan != e->vlan)
		return 0;
	return e->wire_len == 0 || p->wire_len == e->wire_len;
}

/*
 * Decodes every frame of a capture with a fresh decoder; returns the
 * number of frames, or -1 when libpcap does not open the file.
 */
static int
decode_file(const char *path, struct decoder *d, const struct expect *e,
    int *matched)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pkt p;
	pcap_t *pc;
	int frames = 0;

	if ((pc = pcap_open_offline(path, err)) == NULL)
		return -1;
	decode_init(d);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		uint8_t *copy = malloc(h->caplen > 0 ? h->caplen : 1);

		assert_non_null(copy);
		memcpy(copy, data, h->caplen);
		if (decode_packet(d, pcap_datalink(pc),
		    (xtime_t)h->ts.tv_sec * XT_SEC + h->ts.tv_usec, copy,
		    h->caplen, &p) == DEC_OK) {
			assert_sane(&p, copy, h->caplen);
			if (e != NULL && expect_match(e, &p))
				(*matched)++;
		}
		free(copy);
		frames++;
	}
	pcap_close(pc);
	assert_int_equal(reasons_sum(d), frames);
	return frames;
}

static void
test_pcaps_expected(void **state)
{
	struct fixture *f = *state;
	char path[1024];
	size_t i;
	int present = 0, frames, matched;

	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *e = &expects[i];

		if (!pcaps_path(path, sizeof(path), e->file)) {
			fprintf(stderr, "skip: %s not present\n", e->file);
			continue;
		}
		present++;
		matched = 0;
		frames = decode_file(path, &f->d, e, &matched);
		if (frames < 0 || f->d.reasons[DEC_OK] < (uint64_t)e->min_ok ||
		    matched == 0)
			fail_msg("%s: %d frames, %llu ok (want %d), %d match "
			    "%s > %s", e->file, frames,
			    (unsigned long long)f->d.reasons[DEC_OK], e->min_ok,
			    matched, e->src, e->dst);
	}
	if (present == 0)
		skip();
}

static void
test_pcap_fragments(void **state)
{
	struct fixture *f = *state;
	char path[1024];
	int matched = 0;

	SKIP_UNLESS_PCAP(path, "ndpi/pcap/dns_fragmented.pcap");
	assert_int_equal(decode_file(path, &f->d, NULL, &matched), 66);
	assert_int_equal(f->d.reasons[DEC_OK], 66);
	assert_int_equal(f->d.reasons[DEC_FRAG_ORPHAN], 0);

	SKIP_UNLESS_PCAP(path, "suricata-verify/pcap/linktype-ppp-frag.pcap");
	assert_int_equal(decode_file(path, &f->d, NULL, &matched), 3);
	assert_int_equal(f->d.reasons[DEC_OK], 3);
}

struct walk {
	struct decoder	*d;
	int		 files, frames;
};

static void
walk_dir(const char *dir, struct walk *w, int depth)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	int matched;
	DIR *dp;

	if (depth > 8 || (dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    lstat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode))
			walk_dir(path, w, depth + 1);
		else if (S_ISREG(st.st_mode) &&
		    (n = decode_file(path, w->d, NULL, &matched)) >= 0) {
			w->files++;
			w->frames += n;
		}
	}
	closedir(dp);
}

static void
test_pcaps_all(void **state)
{
	struct fixture *f = *state;
	struct walk w = { &f->d, 0, 0 };

	walk_dir(pcaps_dir(), &w, 0);
	if (w.files == 0)
		skip();
	print_message("decoded %d frames from %d captures\n", w.frames,
	    w.files);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_eth_ipv4_tcp),
		T(test_eth_padding),
		T(test_ipv4_options),
		T(test_ipv4_malformed),
		T(test_icmp),
		T(test_vlan),
		T(test_mpls),
		T(test_pppoe),
		T(test_sll),
		T(test_raw),
		T(test_null_loopback),
		T(test_ppp_hdlc),
		T(test_nflog),
		T(test_ipv6_exthdrs),
		T(test_ipv6_jumbo),
		T(test_ipv4_frags),
		T(test_gre),
		T(test_pptp_gre),
		T(test_erspan),
		T(test_vxlan),
		T(test_geneve),
		T(test_ip_in_ip),
		T(test_not_ip),
		T(test_reason_names),
		T(test_every_truncation),
		T(test_garbage),
		T(test_pcaps_expected),
		T(test_pcap_fragments),
		T(test_pcaps_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
