/*
 * gen_bench: the benchmark capture — NFLOWS flows of TLS (with SNI), HTTP
 * and DNS between 4096 internal hosts and the world, every TCP flow with
 * handshake, a first payload nDPI can classify, a reply, bulk data one way
 * and FIN.  With 200000 flows: about 6.3 M packets, 4.5 GB.  Optional
 * FLOOD adds that many single-SYN flows with distinct 5-tuples (memory
 * under a flow flood), interleaved with the rest.
 *
 * usage: gen_bench OUT.pcap NFLOWS SEED [FLOOD]
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE	*out;
static uint64_t	 ts_us = 1700000000ULL * 1000000ULL;
static uint64_t	 rng;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint16_t
csum(const uint8_t *b, int n)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static void
emit(const uint8_t *pkt, uint32_t len)
{
	uint32_t h[4];

	h[0] = (uint32_t)(ts_us / 1000000);
	h[1] = (uint32_t)(ts_us % 1000000);
	h[2] = h[3] = len;
	fwrite(h, 4, 4, out);
	fwrite(pkt, 1, len, out);
	ts_us += 5 + rnd() % 30;
}

static void
pkt(uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp, int proto,
    uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *pl, int plen)
{
	static uint8_t b[2048];
	uint8_t *ip = b + 14, *t;
	int l4 = proto == 6 ? 20 : 8, tot = 20 + l4 + plen;
	uint16_t v16;
	uint32_t v32;

	memset(b, 0, 64);
	memcpy(b, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00", 14);
	ip[0] = 0x45;
	v16 = htons((uint16_t)tot); memcpy(ip + 2, &v16, 2);
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	v32 = htonl(sip); memcpy(ip + 12, &v32, 4);
	v32 = htonl(dip); memcpy(ip + 16, &v32, 4);
	v16 = csum(ip, 20); memcpy(ip + 10, &v16, 2);
	t = ip + 20;
	v16 = htons(sp); memcpy(t, &v16, 2);
	v16 = htons(dp); memcpy(t + 2, &v16, 2);
	if (proto == 6) {
		v32 = htonl(seq); memcpy(t + 4, &v32, 4);
		v32 = htonl(ack); memcpy(t + 8, &v32, 4);
		t[12] = 0x50;
		t[13] = flags;
		v16 = htons(65535); memcpy(t + 14, &v16, 2);
	} else {
		v16 = htons((uint16_t)(8 + plen)); memcpy(t + 4, &v16, 2);
	}
	if (plen) {
		if (pl)
			memcpy(t + l4, pl, (size_t)plen);
		else
			memset(t + l4, 0x5a, (size_t)plen);
	}
	emit(b, (uint32_t)(14 + tot));
}

static int
client_hello(uint8_t *o, const char *sni)
{
	int n = (int)strlen(sni), e = 0, body, i;
	uint8_t ext[512], *p = o;

	ext[e++] = 0; ext[e++] = 0;
	ext[e++] = (uint8_t)((n + 5) >> 8); ext[e++] = (uint8_t)(n + 5);
	ext[e++] = (uint8_t)((n + 3) >> 8); ext[e++] = (uint8_t)(n + 3);
	ext[e++] = 0;
	ext[e++] = (uint8_t)(n >> 8); ext[e++] = (uint8_t)n;
	memcpy(ext + e, sni, (size_t)n);
	e += n;
	body = 2 + 32 + 1 + 2 + 4 + 1 + 1 + 2 + e;
	*p++ = 0x16; *p++ = 3; *p++ = 1;
	*p++ = (uint8_t)((body + 4) >> 8); *p++ = (uint8_t)(body + 4);
	*p++ = 1; *p++ = 0; *p++ = (uint8_t)(body >> 8); *p++ = (uint8_t)body;
	*p++ = 3; *p++ = 3;
	for (i = 0; i < 32; i++)
		*p++ = (uint8_t)rnd();
	*p++ = 0;
	*p++ = 0; *p++ = 4; *p++ = 0x13; *p++ = 0x01; *p++ = 0xc0; *p++ = 0x2f;
	*p++ = 1; *p++ = 0;
	*p++ = (uint8_t)(e >> 8); *p++ = (uint8_t)e;
	memcpy(p, ext, (size_t)e);
	p += e;
	return (int)(p - o);
}

static void
flood_one(void)
{
	uint32_t src = 0x01000000 + rnd() % 0xdf000000;
	uint32_t dst = 0x0a000000 | (rnd() & 0xffffff);

	pkt(src, dst, (uint16_t)(1024 + rnd() % 60000), (uint16_t)(rnd() % 65535 + 1),
	    6, 0x02, rnd(), 0, NULL, 0);
}

int
main(int argc, char *argv[])
{
	static const char *snis[] = { "www.example.com", "api.github.com",
	    "s3.amazonaws.com", "drive.google.com", "mega.nz",
	    "outlook.office365.com", "cdn.jsdelivr.net", "www.wikipedia.org" };
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	uint8_t pl[1600];
	long nflows, f, flood = 0, flood_per = 0, fl = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: gen_bench OUT.pcap NFLOWS SEED [FLOOD]\n");
		return 2;
	}
	if ((out = fopen(argv[1], "wb")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	nflows = atol(argv[2]);
	rng = (uint64_t)atol(argv[3]) * 2654435761ULL + 1;
	if (argc > 4)
		flood = atol(argv[4]);
	if (nflows > 0)
		flood_per = flood / nflows + 1;
	fwrite(gh, 4, 6, out);
	for (f = 0; f < nflows || fl < flood; f++) {
		for (long k = 0; k < flood_per && fl < flood; k++, fl++)
			flood_one();
		if (f >= nflows)
			continue;
		uint32_t cli = 0x0a000000 | (rnd() % 4096);
		uint32_t srv = 0x01000000 + rnd() % 0xdf000000;
		uint16_t sp = (uint16_t)(1024 + rnd() % 60000);
		int kind = (int)(rnd() % 10), n, bulk, up, i;

		if (kind < 2) {
			uint8_t q[64] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
			const char *lab[] = { "www", "example", "com" };

			n = 12;
			for (i = 0; i < 3; i++) {
				int l = (int)strlen(lab[i]);

				q[n++] = (uint8_t)l;
				memcpy(q + n, lab[i], (size_t)l);
				n += l;
			}
			q[n++] = 0; q[n++] = 0; q[n++] = 1; q[n++] = 0; q[n++] = 1;
			pkt(cli, 0x08080808, sp, 53, 17, 0, 0, 0, q, n);
			q[2] = 0x81; q[3] = 0x80;
			pkt(0x08080808, cli, 53, sp, 17, 0, 0, 0, q, n);
			continue;
		}
		uint16_t dp = kind < 8 ? 443 : 80;
		uint32_t cs = rnd(), ss = rnd();

		pkt(cli, srv, sp, dp, 6, 0x02, cs, 0, 0, 0);
		pkt(srv, cli, dp, sp, 6, 0x12, ss, cs + 1, 0, 0);
		pkt(cli, srv, sp, dp, 6, 0x10, cs + 1, ss + 1, 0, 0);
		if (dp == 443)
			n = client_hello(pl, snis[rnd() % 8]);
		else
			n = sprintf((char *)pl, "GET /index.html HTTP/1.1\r\nHost: "
			    "www.example.org\r\nUser-Agent: curl/7.88\r\nAccept: "
			    "*/*\r\n\r\n");
		pkt(cli, srv, sp, dp, 6, 0x18, cs + 1, ss + 1, pl, n);
		cs += (uint32_t)n + 1;
		ss++;
		if (dp == 443) {
			pl[0] = 0x16; pl[1] = 3; pl[2] = 3; pl[3] = 0; pl[4] = 80;
			pl[5] = 2;
			n = 85;
		} else
			n = sprintf((char *)pl, "HTTP/1.1 200 OK\r\nContent-Type: "
			    "text/html\r\nContent-Length: 100000\r\n\r\n");
		pkt(srv, cli, dp, sp, 6, 0x18, ss, cs, pl, n);
		ss += (uint32_t)n;
		bulk = 2 + (int)(rnd() % 40);
		up = rnd() % 4 == 0;
		for (i = 0; i < bulk; i++) {
			int len = (rnd() % 3) ? 1448 : 64 + (int)(rnd() % 1300);

			if (up) {
				pkt(cli, srv, sp, dp, 6, 0x10, cs, ss, 0, len);
				cs += (uint32_t)len;
				if (i % 2)
					pkt(srv, cli, dp, sp, 6, 0x10, ss, cs, 0, 0);
			} else {
				pkt(srv, cli, dp, sp, 6, 0x10, ss, cs, 0, len);
				ss += (uint32_t)len;
				if (i % 2)
					pkt(cli, srv, sp, dp, 6, 0x10, cs, ss, 0, 0);
			}
		}
		pkt(cli, srv, sp, dp, 6, 0x11, cs, ss, 0, 0);
		pkt(srv, cli, dp, sp, 6, 0x11, ss, cs + 1, 0, 0);
	}
	fclose(out);
	return 0;
}
