/*
 * hostile_pcap: a capture whose network-supplied strings are hostile, for
 * the end-to-end test of the alert outputs (tests/e2e/hostile.sh).
 *
 *   hostile_pcap OUT.pcap
 *
 * Ethernet/IPv4, one internal host (10.9.0.5) talking to external
 * servers, in packet-time order, with valid IP, UDP and TCP checksums,
 * full TCP handshakes, sequence numbers and closes.  Every string an
 * attacker controls -- DNS names, TLS server names, HTTP Host headers --
 * carries newlines, carriage returns, quotes, backslashes, other control
 * bytes (0x00-0x1f, 0x7f), invalid UTF-8 (0xff, 0xc3 0x28, the overlong
 * 0xc0 0xaf, a lone 0x80, a surrogate, a code point above U+10FFFF) and
 * U+2028, and one of each kind is as long as its protocol allows or 10 KB.
 * Each part also trips a detector, so the strings reach the alerts:
 *
 *   DNS   to 198.51.100.53:53
 *         80 queries of distinct random 50-byte labels under a registered
 *         domain whose own label is hostile (EXF-DNS-001, many subdomains);
 *         one query of a 255-byte name (63-byte labels of random bytes
 *         0x00-0xff, a 57-byte hostile registered label) (EXF-DNS-001,
 *         one long high-entropy query); a few hostile names that are no
 *         tunnel and raise nothing.
 *   TLS   to 203.0.113.11-15:443
 *         ClientHellos whose server names match the SNIcat pattern, with
 *         hostile bytes after the dot (EXF-TLS-001), one with a forged
 *         " -- {JSON}" alert separator; .15 gets a 10 KB server name in
 *         one (GRO-sized) segment; .16 a 10 KB server name split into
 *         1460-byte segments, as a sender would send it.
 *   HTTP  to 198.51.100.80-83:80
 *         22 POSTs of a ZIP body each (EXF-HTTP-001: more than 20), to
 *         .80 with Host headers of quotes, backslashes and control bytes,
 *         to .81 with invalid UTF-8, to .82 with a 10 KB Host in one
 *         segment and to .83 with a 10 KB Host split into 1460-byte
 *         segments.
 *
 * Deterministic: the same bytes on every run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define USEC		1000000ULL
#define T0		(1714564800ULL * USEC)	/* 2024-05-01 12:00:00 UTC */
#define FRAME_MAX	70000
#define MSS		1460
#define LONG_NAME	10240	/* bytes of the 10 KB names */

#define HOST_IP		IP4(10, 9, 0, 5)
#define RESOLVER_IP	IP4(198, 51, 100, 53)
#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))

static FILE	*out;
static uint64_t	 now = T0;
static uint64_t	 npkts;
static uint16_t	 ipid = 1;
static uint16_t	 next_port = 40000;
static uint64_t	 rng_state = 0x9e3779b97f4a7c15ULL;

static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x09, 0x00, 0x05 };
static const uint8_t gw_mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x01 };

static void
die(const char *what)
{
	fprintf(stderr, "hostile_pcap: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void
rng_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 32);
}

/* put16/put24/put32, sum16, fold: wire.h */

/* ---- pcap ------------------------------------------------------------ */

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Little-endian classic pcap, microseconds, Ethernet, snaplen 65535. */
static void
pcap_header(void)
{
	uint8_t h[24];

	le32(h, 0xa1b2c3d4);
	h[4] = 2;
	h[5] = 0;
	h[6] = 4;
	h[7] = 0;
	le32(h + 8, 0);
	le32(h + 12, 0);
	le32(h + 16, 65535);
	le32(h + 20, 1);
	if (fwrite(h, 1, sizeof(h), out) != sizeof(h))
		die("write");
}

static void
pcap_record(const uint8_t *frame, size_t len)
{
	uint8_t h[16];

	le32(h, (uint32_t)(now / USEC));
	le32(h + 4, (uint32_t)(now % USEC));
	le32(h + 8, (uint32_t)len);
	le32(h + 12, (uint32_t)len);
	if (fwrite(h, 1, sizeof(h), out) != sizeof(h) ||
	    fwrite(frame, 1, len, out) != len)
		die("write");
	npkts++;
	now += 150;		/* every packet a little later */
}

/* ---- IPv4, UDP, TCP ---------------------------------------------------- */

/* One IPv4 packet; l4 holds the transport header and payload, checksum 0. */
static void
ip4_packet(uint32_t src, uint32_t dst, uint8_t proto, uint8_t *l4,
    size_t l4len)
{
	static uint8_t fr[FRAME_MAX];
	uint8_t *ip = fr + 14, *t = fr + 34, ps[12];
	size_t csoff = proto == 6 ? 16 : 6;
	uint16_t cs;

	if (l4len > 65535 - 20 || 34 + l4len > sizeof(fr)) {
		fprintf(stderr, "hostile_pcap: packet too large (%zu)\n", l4len);
		exit(1);
	}
	/* From the host: to the router's MAC; to the host: from it. */
	if (src == HOST_IP) {
		memcpy(fr, gw_mac, 6);
		memcpy(fr + 6, host_mac, 6);
	} else {
		memcpy(fr, host_mac, 6);
		memcpy(fr + 6, gw_mac, 6);
	}
	fr[12] = 0x08;
	fr[13] = 0x00;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint32_t)(20 + l4len));
	put16(ip + 4, ipid++);
	put16(ip + 6, proto == 6 ? 0x4000 : 0);
	ip[8] = src == HOST_IP ? 64 : 52;
	ip[9] = proto;
	ip[10] = ip[11] = 0;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(0, ip, 20)));
	memcpy(t, l4, l4len);
	t[csoff] = t[csoff + 1] = 0;
	memcpy(ps, ip + 12, 8);
	ps[8] = 0;
	ps[9] = proto;
	put16(ps + 10, (uint32_t)l4len);
	cs = fold(sum16(sum16(0, ps, 12), t, l4len));
	if (proto == 17 && cs == 0)
		cs = 0xffff;
	put16(t + csoff, cs);
	pcap_record(fr, 34 + l4len);
}

static void
udp_packet(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    const uint8_t *data, size_t len)
{
	static uint8_t l4[FRAME_MAX];

	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, (uint32_t)(8 + len));
	put16(l4 + 6, 0);
	memcpy(l4 + 8, data, len);
	ip4_packet(src, dst, 17, l4, 8 + len);
}

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08,
    F_ACK = 0x10 };

struct tcp {
	uint32_t	 cip, sip;
	uint16_t	 cport, sport;
	uint32_t	 cseq, sseq;	/* next sequence number of each side */
};

static void
tcp_segment(struct tcp *t, int from_client, uint8_t flags,
    const uint8_t *data, size_t len)
{
	static uint8_t l4[FRAME_MAX];
	size_t hl = (flags & F_SYN) ? 24 : 20;
	uint32_t *seq = from_client ? &t->cseq : &t->sseq;
	uint32_t ack = from_client ? t->sseq : t->cseq;

	memset(l4, 0, hl);
	put16(l4, from_client ? t->cport : t->sport);
	put16(l4 + 2, from_client ? t->sport : t->cport);
	put32(l4 + 4, *seq);
	put32(l4 + 8, (flags & F_ACK) ? ack : 0);
	l4[12] = (uint8_t)((hl / 4) << 4);
	l4[13] = flags;
	put16(l4 + 14, 64240);
	if (flags & F_SYN) {	/* MSS option */
		l4[20] = 2;
		l4[21] = 4;
		put16(l4 + 22, MSS);
	}
	if (len > 0)
		memcpy(l4 + hl, data, len);
	ip4_packet(from_client ? t->cip : t->sip,
	    from_client ? t->sip : t->cip, 6, l4, hl + len);
	*seq += (uint32_t)len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
}

static void
tcp_open(struct tcp *t, uint32_t server, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->cip = HOST_IP;
	t->sip = server;
	t->cport = next_port++;
	t->sport = port;
	t->cseq = (uint32_t)rng();
	t->sseq = (uint32_t)rng();
	tcp_segment(t, 1, F_SYN, NULL, 0);
	now += 20000;		/* round trip */
	tcp_segment(t, 0, F_SYN | F_ACK, NULL, 0);
	tcp_segment(t, 1, F_ACK, NULL, 0);
}

/*
 * Data from one side in segments of at most seg bytes, each acknowledged
 * by the other side.
 */
static void
tcp_send(struct tcp *t, int from_client, const uint8_t *data, size_t len,
    size_t seg)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < seg ? len - off : seg;
		tcp_segment(t, from_client, F_PSH | F_ACK, data + off, n);
		tcp_segment(t, !from_client, F_ACK, NULL, 0);
	}
}

static void
tcp_close(struct tcp *t)
{
	tcp_segment(t, 1, F_FIN | F_ACK, NULL, 0);
	now += 20000;
	tcp_segment(t, 0, F_FIN | F_ACK, NULL, 0);
	tcp_segment(t, 1, F_ACK, NULL, 0);
}

/* ---- hostile strings ------------------------------------------------------ */

/*
 * Every byte 0x01..0xff once, '"' and '\\' first, newlines and invalid
 * UTF-8 near the front: what a 255-byte cut keeps is the worst of it.
 */
static size_t
all_bytes(uint8_t *o, size_t room)
{
	static const uint8_t front[] = "\"\\\n\r\x1b[31m\xff\xc3\x28\xc0\xaf"
	    "\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2\x80\xa8\x7f\x01\t";
	uint8_t seen[256] = { 0 };
	size_t n = 0, i;

	for (i = 0; i + 1 < sizeof(front) && n < room; i++) {
		o[n++] = front[i];
		seen[front[i]] = 1;
	}
	for (i = 1; i < 256 && n < room; i++)
		if (!seen[i])
			o[n++] = (uint8_t)i;
	return n;
}

/* A 10 KB name: PREFIX, then every byte value, again and again. */
static size_t
long_name(uint8_t *o, const char *prefix, size_t total)
{
	size_t n = strlen(prefix);

	memcpy(o, prefix, n);
	while (n < total)
		n += all_bytes(o + n, total - n);
	return n;
}

/* ---- DNS --------------------------------------------------------------- */

struct label {
	const uint8_t	*p;
	size_t		 n;
};

static size_t
dns_message(uint8_t *o, uint16_t id, int response, const struct label *l,
    int nl, uint16_t qtype)
{
	size_t n = 12;
	int i;

	memset(o, 0, 12);
	put16(o, id);
	put16(o + 2, response ? 0x8180 : 0x0100);
	put16(o + 4, 1);
	for (i = 0; i < nl; i++) {
		if (l[i].n == 0 || l[i].n > 63) {
			fprintf(stderr, "hostile_pcap: label of %zu bytes\n",
			    l[i].n);
			exit(1);
		}
		o[n++] = (uint8_t)l[i].n;
		memcpy(o + n, l[i].p, l[i].n);
		n += l[i].n;
	}
	o[n++] = 0;
	if (n - 12 > 255) {
		fprintf(stderr, "hostile_pcap: name of %zu bytes\n", n - 12);
		exit(1);
	}
	put16(o + n, qtype);
	put16(o + n + 2, 1);
	return n + 4;
}

/* A query and its NOERROR answer without records. */
static void
dns_exchange(const struct label *l, int nl, uint16_t qtype)
{
	uint8_t m[600];
	uint16_t id = (uint16_t)rng(), port = next_port++;
	size_t n;

	n = dns_message(m, id, 0, l, nl, qtype);
	udp_packet(HOST_IP, port, RESOLVER_IP, 53, m, n);
	now += 15000;
	n = dns_message(m, id, 1, l, nl, qtype);
	udp_packet(RESOLVER_IP, 53, HOST_IP, port, m, n);
}

#define L(s)	{ (const uint8_t *)(s), sizeof(s) - 1 }

static void
part_dns(void)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	/* The registered domain of the tunnel: "ev\"il\n\x01\xff.example". */
	static const struct label reg = L("ev\"il\n\x01\xff");
	static const struct label tld = L("example");
	static const struct label com = L("com");
	/* Names that are no tunnel: nothing should come of them. */
	static const struct label plain[][3] = {
		{ L("www"), L("a\"b\\c\r\nd"), L("example") },
		{ L("x\x7f\x1b[2J"), L("\xc3\x28\xc0\xaf\x80"), L("test") },
		{ L("dot.in.label"), L("semi;(paren)@$"), L("org") },
	};
	uint8_t sub[50], big[3][63], regbig[57];
	struct label q[5];
	int i, j;

	/* 80 distinct high-entropy subdomains of the hostile domain. */
	for (i = 0; i < 80; i++) {
		for (j = 0; j < 50; j++)
			sub[j] = (uint8_t)b32[rng() % 32];
		q[0].p = sub;
		q[0].n = sizeof(sub);
		q[1] = reg;
		q[2] = tld;
		dns_exchange(q, 3, 16);		/* TXT */
		now += 200000;
	}
	now += USEC;
	for (i = 0; i < 3; i++) {
		dns_exchange(plain[i], 3, 1);
		now += 100000;
	}
	/*
	 * The longest name there is: 3 x 63 + 57 + 3 label bytes, 6 length
	 * bytes and the root make 255.  The labels are random bytes (every
	 * value, NUL included); the registered label is every hostile byte.
	 */
	now += USEC;
	for (i = 0; i < 3; i++) {
		rng_fill(big[i], sizeof(big[i]));
		q[i].p = big[i];
		q[i].n = sizeof(big[i]);
	}
	all_bytes(regbig, sizeof(regbig));
	q[3].p = regbig;
	q[3].n = sizeof(regbig);
	q[4] = com;
	dns_exchange(q, 5, 1);
}

/* ---- TLS ----------------------------------------------------------------- */

static const uint8_t tls_ciphers[] = {
	0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f,
	0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0x00, 0x9c,
	0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35
};

/* A TLS 1.3-style ClientHello record with this server name. */
static size_t
client_hello(uint8_t *o, const uint8_t *sni, size_t n)
{
	uint8_t *p = o + 9, *ext, *e;
	size_t hs;

	*p++ = 3;
	*p++ = 3;
	rng_fill(p, 32);		/* random */
	p += 32;
	*p++ = 32;			/* session id */
	rng_fill(p, 32);
	p += 32;
	put16(p, sizeof(tls_ciphers));
	p += 2;
	memcpy(p, tls_ciphers, sizeof(tls_ciphers));
	p += sizeof(tls_ciphers);
	*p++ = 1;			/* compression: null */
	*p++ = 0;
	ext = p;
	e = p + 2;
	put16(e, 0x0000);		/* server_name */
	put16(e + 2, (uint32_t)n + 5);
	put16(e + 4, (uint32_t)n + 3);
	e[6] = 0;			/* host_name */
	put16(e + 7, (uint32_t)n);
	memcpy(e + 9, sni, n);
	e += 9 + n;
	/* supported_groups x25519, secp256r1 */
	memcpy(e, "\x00\x0a\x00\x06\x00\x04\x00\x1d\x00\x17", 10);
	e += 10;
	/* signature_algorithms */
	memcpy(e, "\x00\x0d\x00\x08\x00\x06\x04\x03\x08\x04\x04\x01", 12);
	e += 12;
	/* key_share x25519 */
	memcpy(e, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10);
	e += 10;
	rng_fill(e, 32);
	e += 32;
	/* supported_versions 1.3, 1.2; psk_key_exchange_modes */
	memcpy(e, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03"
	    "\x00\x2d\x00\x02\x01\x01", 15);
	e += 15;
	put16(ext, (uint32_t)(e - ext - 2));
	hs = (size_t)(e - (o + 9));
	o[0] = 0x16;
	o[1] = 3;
	o[2] = 1;
	put16(o + 3, (uint32_t)hs + 4);
	o[5] = 1;
	put24(o + 6, (uint32_t)hs);
	if (hs + 4 > 16384) {
		fprintf(stderr, "hostile_pcap: TLS record too long\n");
		exit(1);
	}
	return hs + 9;
}

/* A hello that is never completed: the server resets, as SNIcat sees. */
static void
tls_attempt(uint32_t server, const uint8_t *sni, size_t n, size_t seg)
{
	static uint8_t rec[20000];
	struct tcp t;
	size_t len;

	len = client_hello(rec, sni, n);
	tcp_open(&t, server, 443);
	tcp_send(&t, 1, rec, len, seg);
	/* handshake_failure alert, then the close */
	tcp_send(&t, 0, (const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28", 7,
	    MSS);
	tcp_close(&t);
	now += 300000;
}

static void
part_tls(void)
{
	static const char *const snis[] = {
		"LIST-abcdefghijklmnop.\"\n\x1b[31m\xff.evil.com",
		"EX-ABCDEFGHIJKLMNOP.\\\r\x7f\xc3\x28\"q\\uote\".bad.example",
		"SIZE-0123456789abcdef.\xc0\xaf\x80\xe2\x80\xa8\xf4\x90\x80\x80"
		    "\xed\xa0\x80\x01\x02\x1f.x.example",
		/* a forged separator and JSON after it */
		"WHERE-abcdefghijklmnop. -- {\"rule\":{\"id\":\"FAKE-1\"}}"
		    " -- .x.example",
	};
	static uint8_t name[LONG_NAME + 64];
	size_t i, n;

	for (i = 0; i < sizeof(snis) / sizeof(snis[0]); i++)
		tls_attempt(IP4(203, 0, 113, 11 + i),
		    (const uint8_t *)snis[i], strlen(snis[i]), MSS);
	/* 10 KB: in one (GRO-sized) segment, and split as sent. */
	n = long_name(name, "LS-ABCDEFGHIJKLMNOP.", LONG_NAME);
	tls_attempt(IP4(203, 0, 113, 15), name, n, 65000);
	n = long_name(name, "CB-ABCDEFGHIJKLMNOP.", LONG_NAME);
	tls_attempt(IP4(203, 0, 113, 16), name, n, MSS);
}

/* ---- HTTP ------------------------------------------------------------------ */

/* One POST of a ZIP body with this Host header, on its own connection. */
static void
http_post(uint32_t server, const uint8_t *host, size_t hlen, int i,
    size_t seg)
{
	static uint8_t req[LONG_NAME + 4096];
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n";
	size_t n, body = 900 + (size_t)i * 7;
	struct tcp t;
	int k;

	k = snprintf((char *)req, 64, "POST /upload/%d HTTP/1.1\r\nHost: ", i);
	n = (size_t)k;
	memcpy(req + n, host, hlen);
	n += hlen;
	k = snprintf((char *)req + n, 200, "\r\nUser-Agent: up/1.0\r\n"
	    "Content-Type: application/zip\r\nContent-Length: %zu\r\n\r\n",
	    body);
	n += (size_t)k;
	memcpy(req + n, "PK\x03\x04\x14\x00\x00\x00\x08\x00", 10);
	rng_fill(req + n + 10, body - 10);
	n += body;
	tcp_open(&t, server, 80);
	tcp_send(&t, 1, req, n, seg);
	now += 30000;
	tcp_send(&t, 0, (const uint8_t *)resp, sizeof(resp) - 1, MSS);
	tcp_close(&t);
	now += 100000;
}

static void
part_http(void)
{
	/* No CR LF pair: that would end the header, not carry it. */
	static const struct label quoted[] = {
		L("ev\"il\\host\x01\x7f\x1b[0m.example"),
		L("\"\\\"\\\\\x02\x03\x04\t\x0b\x0c\x0e\x1f.example"),
		L("lone\rcr\x7f\x00nul.example"),
		L("{\"json\":\"injection\"}.example"),
	};
	static const char *const utf8[] = {
		"bad\xff\xfe.example",
		"bad\xc3\x28.example",
		"over\xc0\xaf.long\xe0\x80\xaf.example",
		"lone\x80\xbf.cont.example",
		"sur\xed\xa0\x80.big\xf4\x90\x80\x80.ls\xe2\x80\xa8.example",
	};
	static uint8_t name[LONG_NAME + 64], clean[LONG_NAME];
	size_t n, i, j;
	int k;

	for (k = 0; k < 22; k++)
		http_post(IP4(198, 51, 100, 80), quoted[k % 4].p,
		    quoted[k % 4].n, k, MSS);
	for (k = 0; k < 22; k++)
		http_post(IP4(198, 51, 100, 81), (const uint8_t *)utf8[k % 5],
		    strlen(utf8[k % 5]), k, MSS);
	/*
	 * 10 KB Host headers: every byte value but LF (and CR, which a
	 * following LF would make the end of the line).
	 */
	n = long_name(name, "big\"\\\x01", LONG_NAME);
	for (i = j = 0; i < n; i++)
		if (name[i] != '\n' && name[i] != '\r')
			clean[j++] = name[i];
	for (k = 0; k < 22; k++)
		http_post(IP4(198, 51, 100, 82), clean, j, k, 65000);
	for (k = 0; k < 22; k++)
		http_post(IP4(198, 51, 100, 83), clean, j, k, MSS);
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: hostile_pcap OUT.pcap\n");
		return 2;
	}
	if ((out = fopen(argv[1], "wb")) == NULL)
		die(argv[1]);
	pcap_header();
	part_dns();
	now += 5 * USEC;
	part_tls();
	now += 5 * USEC;
	part_http();
	if (fclose(out) != 0)
		die(argv[1]);
	printf("%llu packets\n", (unsigned long long)npkts);
	return 0;
}
