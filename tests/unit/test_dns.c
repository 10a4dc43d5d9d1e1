/*
 * test_dns.c: the DNS parser on crafted and hostile messages, the DNS
 * channel detectors on synthetic traffic, and both end to end on real
 * captures: tunnels that must alert, ordinary traffic that must not.
 */
#include <pcap/pcap.h>

#include <math.h>
#include <time.h>

#include "testutil.h"
#include "decode.h"
#include "dns.h"
#include "dnstun.h"

#define MAXOUT	16

/* Parser contexts: with the built-in public suffix list, and without. */
static struct dns_ctx ctx_builtin, ctx_none;

/* ---- message building ---------------------------------------------- */

struct mb {
	uint8_t	 b[4096];
	size_t	 n;
};

static void
mb_u16(struct mb *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void
mb_u32(struct mb *m, unsigned long v)
{
	mb_u16(m, (unsigned)(v >> 16));
	mb_u16(m, (unsigned)(v & 0xffff));
}

static void
mb_bytes(struct mb *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A dotted name, uncompressed, root label included. */
static void
mb_name(struct mb *m, const char *name)
{
	const char *p = name, *dot;

	while (*p != '\0') {
		dot = strchr(p, '.');
		if (dot == NULL)
			dot = p + strlen(p);
		m->b[m->n++] = (uint8_t)(dot - p);
		mb_bytes(m, p, (size_t)(dot - p));
		p = *dot == '.' ? dot + 1 : dot;
	}
	m->b[m->n++] = 0;
}

static void
mb_header(struct mb *m, unsigned id, unsigned flags, unsigned qd,
    unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	mb_u16(m, id);
	mb_u16(m, flags);
	mb_u16(m, qd);
	mb_u16(m, an);
	mb_u16(m, ns);
	mb_u16(m, ar);
}

static size_t
mk_query(struct mb *m, const char *name, unsigned qtype)
{
	mb_header(m, 0x1234, 0x0100, 1, 0, 0, 0);
	mb_name(m, name);
	mb_u16(m, qtype);
	mb_u16(m, 1);
	return m->n;
}

/* A response with an empty answer section and the given rcode. */
static size_t
mk_rcode(struct mb *m, const char *name, unsigned qtype, unsigned rcode)
{
	mb_header(m, 0x1234, 0x8180 | rcode, 1, 0, 0, 0);
	mb_name(m, name);
	mb_u16(m, qtype);
	mb_u16(m, 1);
	return m->n;
}

/* A TXT response holding one record of len characters (in 255-byte strings). */
static size_t
mk_txt(struct mb *m, const char *name, size_t len)
{
	size_t left, chunk, rdlen = len + (len + 254) / 255;

	mb_header(m, 0x1234, 0x8180, 1, 1, 0, 0);
	mb_name(m, name);
	mb_u16(m, DNS_T_TXT);
	mb_u16(m, 1);
	mb_u16(m, 0xc00c);
	mb_u16(m, DNS_T_TXT);
	mb_u16(m, 1);
	mb_u32(m, 60);
	mb_u16(m, (unsigned)rdlen);
	for (left = len; left > 0; left -= chunk) {
		chunk = left > 255 ? 255 : left;
		m->b[m->n++] = (uint8_t)chunk;
		memset(m->b + m->n, 'v', chunk);
		m->n += chunk;
	}
	return m->n;
}

/* ---- parser: crafted messages -------------------------------------- */

static void
test_parse_a_query(void **state)
{
	struct dns_msg m;
	struct mb b;

	(void)state;
	mk_query(&b, "www.Example.COM", DNS_T_A);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.is_response, 0);
	assert_int_equal(m.opcode, 0);
	assert_int_equal(m.qtype, DNS_T_A);
	assert_int_equal(m.qclass, 1);
	assert_string_equal(m.qname, "www.example.com");
	assert_int_equal(m.name_len, 15);
	assert_int_equal(m.nlabels, 3);
	assert_int_equal(m.maxlabel, 7);
	assert_string_equal(m.qname + m.reg_off, "example.com");
	assert_int_equal(m.sub_labels, 1);
	assert_int_equal(m.sub_len, 3);
	assert_true(m.sub_entropy == 0.0);	/* "www" */
	assert_int_equal(m.ancount, 0);
	assert_int_equal(m.msg_len, b.n);
}

/* CNAME chain with compression pointers into the question and the answer. */
static void
test_parse_cname_compressed(void **state)
{
	struct dns_msg m;
	struct mb b;
	size_t cname_at;

	(void)state;
	mb_header(&b, 7, 0x8180, 1, 2, 0, 0);
	mb_name(&b, "www.example.com");	/* "example" label at offset 16 */
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	mb_u16(&b, 0xc00c);			/* www.example.com */
	mb_u16(&b, DNS_T_CNAME);
	mb_u16(&b, 1);
	mb_u32(&b, 300);
	mb_u16(&b, 6);
	cname_at = b.n;
	b.b[b.n++] = 3;
	mb_bytes(&b, "cdn", 3);
	mb_u16(&b, 0xc010);			/* -> example.com */
	mb_u16(&b, 0xc000 | (unsigned)cname_at);	/* cdn.example.com */
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	mb_u32(&b, 300);
	mb_u16(&b, 4);
	mb_bytes(&b, "\x01\x02\x03\x04", 4);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_int_equal(m.is_response, 1);
	assert_int_equal(m.rcode, 0);
	assert_int_equal(m.ancount, 2);
	assert_int_equal(m.answer_bytes, 6 + 4);
	assert_string_equal(m.qname, "www.example.com");
	assert_int_equal(m.txt_max, 0);
	assert_int_equal(m.has_null, 0);
}

static void
test_parse_txt(void **state)
{
	struct dns_msg m;
	struct mb b;

	(void)state;
	mb_header(&b, 9, 0x8180, 1, 2, 0, 0);
	mb_name(&b, "example.org");
	mb_u16(&b, DNS_T_TXT);
	mb_u16(&b, 1);
	/* one record of two strings, 200 + 100 characters */
	mb_u16(&b, 0xc00c);
	mb_u16(&b, DNS_T_TXT);
	mb_u16(&b, 1);
	mb_u32(&b, 60);
	mb_u16(&b, 302);
	b.b[b.n++] = 200;
	memset(b.b + b.n, 'a', 200);
	b.n += 200;
	b.b[b.n++] = 100;
	memset(b.b + b.n, 'b', 100);
	b.n += 100;
	/* and one of 50 */
	mb_u16(&b, 0xc00c);
	mb_u16(&b, DNS_T_TXT);
	mb_u16(&b, 1);
	mb_u32(&b, 60);
	mb_u16(&b, 51);
	b.b[b.n++] = 50;
	memset(b.b + b.n, 'c', 50);
	b.n += 50;
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), 0);
	assert_int_equal(m.txt_max, 300);
	assert_int_equal(m.txt_chars, 350);
	assert_int_equal(m.answer_bytes, 302 + 51);
	assert_int_equal(m.sub_labels, 0);

	/* A string running past its RDATA is malformed. */
	b.b[b.n - 51] = 51;
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);
}

static void
test_parse_nxdomain_null(void **state)
{
	struct dns_msg m;
	struct mb b;

	(void)state;
	mb_header(&b, 1, 0x8183, 1, 0, 1, 0);
	mb_name(&b, "nope.example.net");
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	mb_u16(&b, 0xc011);			/* example.net */
	mb_u16(&b, DNS_T_SOA);
	mb_u16(&b, 1);
	mb_u32(&b, 60);
	mb_u16(&b, 2 + 2 + 20);
	mb_u16(&b, 0xc011);
	mb_u16(&b, 0xc011);
	memset(b.b + b.n, 0, 20);
	b.n += 20;
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_int_equal(m.rcode, DNS_R_NXDOMAIN);
	assert_int_equal(m.is_response, 1);
	assert_int_equal(m.ancount, 0);
	assert_string_equal(m.qname + m.reg_off, "example.net");

	/* A NULL answer, as iodine uses. */
	mb_header(&b, 2, 0x8580, 1, 1, 0, 0);
	mb_name(&b, "vaaaakardli.pirate.sea");
	mb_u16(&b, DNS_T_NULL);
	mb_u16(&b, 1);
	mb_u16(&b, 0xc00c);
	mb_u16(&b, DNS_T_NULL);
	mb_u16(&b, 1);
	mb_u32(&b, 0);
	mb_u16(&b, 3);
	mb_bytes(&b, "\x00\xff\x10", 3);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_int_equal(m.has_null, 1);
	assert_int_equal(m.qtype, DNS_T_NULL);
	assert_string_equal(m.qname + m.reg_off, "pirate.sea");
	assert_int_equal(m.sub_len, 11);
}

static void
test_parse_tcp(void **state)
{
	struct dns_msg out[4];
	struct mb q1, q2, seg;
	int nbad;

	(void)state;
	mk_query(&q1, "one.example.com", DNS_T_A);
	mk_rcode(&q2, "two.example.com", DNS_T_AAAA, DNS_R_SERVFAIL);
	seg.n = 0;
	mb_u16(&seg, (unsigned)q1.n);
	mb_bytes(&seg, q1.b, q1.n);
	mb_u16(&seg, (unsigned)q2.n);
	mb_bytes(&seg, q2.b, q2.n);
	mb_u16(&seg, (unsigned)q1.n);		/* third, cut short */
	mb_bytes(&seg, q1.b, q1.n / 2);
	assert_int_equal(dns_parse_tcp(&ctx_none, seg.b, seg.n, out, 4,
	    &nbad), 2);
	assert_int_equal(nbad, 0);
	assert_string_equal(out[0].qname, "one.example.com");
	assert_string_equal(out[1].qname, "two.example.com");
	assert_int_equal(out[1].rcode, DNS_R_SERVFAIL);
	assert_int_equal(out[1].qtype, DNS_T_AAAA);

	/* Room for one only: the rest is not read. */
	assert_int_equal(dns_parse_tcp(&ctx_none, seg.b, seg.n, out, 1,
	    &nbad), 1);

	/* A complete message that is not DNS is bad; parsing goes on. */
	seg.n = 0;
	mb_u16(&seg, 5);
	mb_bytes(&seg, "hello", 5);
	mb_u16(&seg, (unsigned)q1.n);
	mb_bytes(&seg, q1.b, q1.n);
	assert_int_equal(dns_parse_tcp(&ctx_none, seg.b, seg.n, out, 4,
	    &nbad), 1);
	assert_int_equal(nbad, 1);

	/* One byte, or a prefix alone: nothing, nothing bad. */
	assert_int_equal(dns_parse_tcp(&ctx_none, seg.b, 1, out, 4, &nbad), 0);
	assert_int_equal(nbad, 0);
	assert_int_equal(dns_parse_tcp(&ctx_none, seg.b, 2, out, 4, &nbad), 0);
	assert_int_equal(nbad, 0);
}

/* ---- parser: hostile input ----------------------------------------- */

static void
test_parse_compression_loops(void **state)
{
	struct dns_msg m;
	struct mb b;

	(void)state;
	/* The question name points at itself. */
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	mb_u16(&b, 0xc00c);
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);

	/* A label, then a pointer back to the label: an endless name. */
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	b.b[b.n++] = 1;
	b.b[b.n++] = 'a';
	mb_u16(&b, 0xc00c);
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);

	/* Two answers whose names point at each other. */
	mb_header(&b, 1, 0x8180, 1, 1, 0, 0);
	mb_name(&b, "a.example");
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	mb_u16(&b, 0xc000 | (unsigned)(b.n + 2));
	mb_u16(&b, 0xc000 | (unsigned)(b.n - 2));
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	mb_u32(&b, 1);
	mb_u16(&b, 4);
	mb_u32(&b, 0x01020304);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);

	/* A forward pointer past the end. */
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	mb_u16(&b, 0xc0ff);
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);
}

static void
test_parse_bad_labels(void **state)
{
	struct dns_msg m;
	struct mb b;
	int i;

	(void)state;
	/* 0x40 and 0x80 are reserved label types, not lengths 64, 128. */
	for (i = 0; i < 2; i++) {
		mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
		b.b[b.n++] = i == 0 ? 0x40 : 0x80;
		memset(b.b + b.n, 'x', 64);
		b.n += 64;
		b.b[b.n++] = 0;
		mb_u16(&b, DNS_T_A);
		mb_u16(&b, 1);
		assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);
	}

	/* A name over 255 bytes: five labels of 63. */
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	for (i = 0; i < 5; i++) {
		b.b[b.n++] = 63;
		memset(b.b + b.n, 'a' + i, 63);
		b.n += 63;
	}
	b.b[b.n++] = 0;
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);

	/* Three labels of 63 and one of 61: 255 bytes, the most there is. */
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	for (i = 0; i < 4; i++) {
		b.b[b.n++] = i < 3 ? 63 : 61;
		memset(b.b + b.n, 'a' + i, i < 3 ? 63 : 61);
		b.n += i < 3 ? 63 : 61;
	}
	b.b[b.n++] = 0;
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), 0);
	assert_int_equal(m.name_len, 253);
	assert_int_equal(m.maxlabel, 63);
	assert_int_equal(strlen(m.qname), 253);
	/* One byte more is refused. */
	b.b[12 + 3 * 64] = 62;
	memmove(b.b + 12 + 3 * 64 + 63, b.b + 12 + 3 * 64 + 62, 5);
	b.b[12 + 3 * 64 + 62] = 'x';
	b.n++;
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);

	/* Not one question: refused, so 12 random bytes are not DNS. */
	mb_header(&b, 1, 0x0100, 0, 0, 0, 0);
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);
	mk_query(&b, "a.example", DNS_T_A);
	b.b[5] = 2;
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);

	/* Trailing bytes after the last record. */
	mk_query(&b, "a.example", DNS_T_A);
	b.b[b.n++] = 0;
	assert_int_equal(dns_parse(&ctx_none, b.b, b.n, &m), -1);
}

static void
test_parse_truncated_everywhere(void **state)
{
	struct dns_msg m;
	struct mb b;
	uint8_t *copy;
	size_t len, full;

	(void)state;
	full = mk_txt(&b, "chunk.exfil.example.com", 600);
	assert_int_equal(dns_parse(&ctx_none, b.b, full, &m), 0);
	for (len = 0; len < full; len++) {
		/* A heap copy of exactly len bytes: ASan sees overreads. */
		copy = malloc(len > 0 ? len : 1);
		assert_non_null(copy);
		memcpy(copy, b.b, len);
		assert_int_equal(dns_parse(&ctx_none, copy, len, &m), -1);
		free(copy);
	}
}

/* Escaped output: no control byte, no bare quote or backslash. */
static void
assert_safe_name(const char *s)
{
	size_t i, n = strlen(s);

	assert_true(n < DNS_NAMELEN);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_true(c >= 0x21 && c < 0x7f);
		assert_true(c != '"');
		if (c == '\\') {
			assert_true(i + 1 < n);
			if (s[i + 1] >= '0' && s[i + 1] <= '9') {
				assert_true(i + 3 < n + 1);
				assert_true(s[i + 2] >= '0' && s[i + 2] <= '9');
				assert_true(s[i + 3] >= '0' && s[i + 3] <= '9');
				i += 3;
			} else {
				assert_non_null(strchr(".;\\()@$\"", s[i + 1]));
				i += 1;
			}
		}
	}
}

static void
test_parse_random_bytes(void **state)
{
	struct dns_msg out[4];
	struct dns_msg m;
	struct mb b;
	uint8_t buf[600];
	unsigned seed = 12345;
	size_t len, i;
	int k, nbad, ok = 0;

	(void)state;
	for (k = 0; k < 200000; k++) {
		len = (size_t)rand_r(&seed) % sizeof(buf);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (k & 1) {
			/* plausible header: one question, few records */
			buf[4] = 0;
			buf[5] = 1;
			buf[6] = buf[8] = buf[10] = 0;
			buf[7] &= 3;
			buf[9] &= 1;
			buf[11] &= 1;
		}
		if (dns_parse(&ctx_builtin, buf, len, &m) == 0) {
			ok++;
			assert_safe_name(m.qname);
		}
		dns_parse_tcp(&ctx_none, buf, len, out, 4, &nbad);
	}
	/* Mutations of a real message: flipped bytes, mostly still DNS. */
	mk_txt(&b, "x1.data.example.com", 300);
	for (k = 0; k < 50000; k++) {
		uint8_t mut[sizeof(b.b)];

		memcpy(mut, b.b, b.n);
		for (i = 0; i < 3; i++)
			mut[(size_t)rand_r(&seed) % b.n] =
			    (uint8_t)rand_r(&seed);
		if (dns_parse(&ctx_builtin, mut, b.n, &m) == 0) {
			ok++;
			assert_safe_name(m.qname);
			assert_true(m.txt_max <= m.answer_bytes);
		}
	}
	assert_true(ok > 0);
}

static void
test_parse_escaping(void **state)
{
	static const uint8_t label1[] = "new\nline \"quoted\" back\\slash";
	static const uint8_t label2[] = { 0x01, 0x7f, 0xff, 0xc3, 0x28, '.',
	    ';', '$', 'A' };
	struct dns_msg m;
	struct mb b;
	int i;

	(void)state;
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	b.b[b.n++] = sizeof(label1) - 1;
	mb_bytes(&b, label1, sizeof(label1) - 1);
	b.b[b.n++] = sizeof(label2);
	mb_bytes(&b, label2, sizeof(label2));
	mb_name(&b, "example.com");
	mb_u16(&b, DNS_T_A);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_safe_name(m.qname);
	assert_string_equal(m.qname,
	    "new\\010line\\032\\\"quoted\\\"\\032back\\\\slash."
	    "\\001\\127\\255\\195\\(\\.\\;\\$a.example.com");
	assert_string_equal(m.qname + m.reg_off, "example.com");
	assert_int_equal(m.sub_labels, 2);
	assert_int_equal(m.sub_len, sizeof(label1) - 1 + 1 + sizeof(label2));

	/* Escapes that cannot fit: leftmost labels give way to "...". */
	mb_header(&b, 1, 0x0100, 1, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		b.b[b.n++] = 63;
		memset(b.b + b.n, 0x01, 63);
		b.n += 63;
	}
	mb_name(&b, "tunnel.example.com");
	mb_u16(&b, DNS_T_NULL);
	mb_u16(&b, 1);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_true(m.flags & DNS_F_NAMECUT);
	assert_true(strncmp(m.qname, "...", 3) == 0);
	assert_safe_name(m.qname + 3);
	assert_string_equal(m.qname + m.reg_off, "example.com");
	assert_int_equal(m.sub_labels, 4);
	assert_int_equal(m.sub_len, 3 * 63 + 6 + 3);
	assert_int_equal(m.nlabels, 6);
}

static void
test_entropy(void **state)
{
	(void)state;
	assert_true(dns_entropy((const uint8_t *)"", 0) == 0.0);
	assert_true(fabs(dns_entropy((const uint8_t *)"aaaa", 4)) < 1e-9);
	assert_true(fabs(dns_entropy((const uint8_t *)"ab", 2) - 1.0) < 1e-9);
	assert_true(fabs(dns_entropy((const uint8_t *)"aabb", 4) - 1.0) < 1e-9);
	assert_true(fabs(dns_entropy((const uint8_t *)"abcd", 4) - 2.0) < 1e-9);
	assert_true(fabs(dns_entropy((const uint8_t *)"0123456789abcdef",
	    16) - 4.0) < 1e-9);
	/* "hello": h e o once, l twice: 1.9219 bits */
	assert_true(fabs(dns_entropy((const uint8_t *)"hello", 5) -
	    1.921928) < 1e-5);
}

static void
test_regdomain(void **state)
{
	const psl_ctx_t *psl = psl_builtin();
	struct dns_msg m;
	struct mb b;

	(void)state;
	assert_non_null(psl);
	assert_string_equal(dns_regdomain(psl, "a.b.example.co.uk"),
	    "example.co.uk");
	assert_string_equal(dns_regdomain(psl, "www.example.com"),
	    "example.com");
	assert_string_equal(dns_regdomain(psl, "co.uk"), "co.uk");
	assert_string_equal(dns_regdomain(psl, "x.y.pirate.sea"),
	    "pirate.sea");
	/* Without a list: the last two labels. */
	assert_string_equal(dns_regdomain(NULL, "a.b.example.co.uk"), "co.uk");
	assert_string_equal(dns_regdomain(NULL, "localhost"), "localhost");

	mk_query(&b, "a.b.example.co.uk", DNS_T_A);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_string_equal(m.qname + m.reg_off, "example.co.uk");
	assert_int_equal(m.sub_labels, 2);
	assert_int_equal(m.sub_len, 3);

	/* A top label of hex is no TLD: the whole name is payload. */
	mk_query(&b, "dnscat.5a03b5.19e4d098", DNS_T_TXT);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_true(m.flags & DNS_F_BADTLD);
	assert_int_equal(m.sub_labels, 3);
	assert_int_equal(m.reg_off, strlen(m.qname));
	/* ...unless it is alone. */
	mk_query(&b, "xqt-detect-mode2-97712e88-167a-45b9-93ee-913140e76678",
	    DNS_T_AAAA);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_int_equal(m.sub_labels, 0);
	/* IDN top-level domains are valid. */
	mk_query(&b, "www.example.xn--p1ai", DNS_T_A);
	assert_int_equal(dns_parse(&ctx_builtin, b.b, b.n, &m), 0);
	assert_false(m.flags & DNS_F_BADTLD);
	assert_string_equal(m.qname + m.reg_off, "example.xn--p1ai");
}

/* ---- detectors on synthetic traffic -------------------------------- */

struct dt_fix {
	struct dnstun	 d;
	struct event	 ev[MAXOUT];
	int		 nev[DET_MAX];	/* events seen, per detector */
	struct event	 last[DET_MAX];
};

static int
dt_setup(void **state)
{
	struct dt_fix *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL || dnstun_init(&f->d, 4096, err, sizeof(err)) == -1)
		return -1;
	*state = f;
	return 0;
}

static int
dt_teardown(void **state)
{
	struct dt_fix *f = *state;

	dnstun_free(&f->d);
	free(f);
	return 0;
}

static addr_t
v4(const char *s)
{
	addr_t a;

	assert_int_equal(addr_pton(s, &a), 0);
	return a;
}

static int
is_home(const addr_t *a)
{
	const uint8_t *v = a->a + 12;

	if (!addr_is_v4(a))
		return 0;
	return v[0] == 10 || (v[0] == 172 && (v[1] & 0xf0) == 16) ||
	    (v[0] == 192 && v[1] == 168);
}

/* Feed one message; returns the number of events and records them. */
static int
feed(struct dt_fix *f, xtime_t ts, const char *src, const char *dst,
    uint16_t sport, uint16_t dport, int tcp, const uint8_t *p, size_t n)
{
	addr_t s = v4(src), d = v4(dst);
	int i, k;

	k = dnstun_message(&f->d, ts, &s, &d, sport, dport, tcp, is_home(&s),
	    is_home(&d), p, n, f->ev, MAXOUT);
	for (i = 0; i < k; i++) {
		assert_true(f->ev[i].detector > DET_NONE &&
		    f->ev[i].detector < DET_MAX);
		assert_true(f->ev[i].score >= 0 && f->ev[i].score <= 100);
		assert_true(strlen(f->ev[i].reason) > 0);
		f->nev[f->ev[i].detector]++;
		f->last[f->ev[i].detector] = f->ev[i];
		if (getenv("DNSTUN_VERBOSE") != NULL)
			print_message("event %s %s: %s\n",
			    detector_name(f->ev[i].detector), f->ev[i].domain,
			    f->ev[i].reason);
	}
	return k;
}

static void
random_label(unsigned *seed, char *out, size_t n)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = b32[rand_r(seed) % 32];
	out[n] = '\0';
}

static void
test_params(void **state)
{
	static const struct param_desc bad[] = {
		{ "window", PT_DURATION, 0, 1, 86400, "5x", "" },
		{ NULL }
	};
	static const struct param_desc oob[] = {
		{ "n", PT_INT, 0, 1, 10, "11", "" },
		{ NULL }
	};
	const struct param_desc *const all[] = { dnstun_tunnel_params,
	    dnstun_failures_params, dnstun_long_txt_params,
	    dnstun_nonstd_port_params, dnstun_not_dns_params };
	struct dt_fix *f = *state;
	struct dnstun_tunnel_params tp;
	char err[256], buf[512];
	size_t i;
	const struct param_desc *pd;

	memset(&tp, 0, sizeof(tp));
	assert_int_equal(params_default(dnstun_tunnel_params, &tp, sizeof(tp),
	    err, sizeof(err)), 0);
	assert_true(tp.window == 5 * XT_MIN);
	assert_int_equal(tp.min_subdomains, 50);
	assert_int_equal(tp.max_subdomains, 1000);
	assert_true(tp.min_name_bytes == 10000);
	assert_true(fabs(tp.min_entropy - 3.8) < 1e-9);
	assert_int_equal(tp.hex_min_label, 16);
	assert_true(f->d.failures.max_failures == 50);
	assert_true(f->d.long_txt.min_len == 100);
	assert_true(f->d.not_dns.window == 5 * XT_MIN);
	/* Every desc documents itself and fits its struct. */
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		for (pd = all[i]; pd->name != NULL; pd++) {
			assert_non_null(pd->doc);
			assert_true(strlen(pd->doc) > 10);
			assert_true(pd->off <
			    sizeof(struct dnstun_tunnel_params));
		}
	assert_int_equal(params_default(bad, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "window"));
	assert_int_equal(params_default(oob, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "out of range"));
	/* A table too small to be useful is refused with a reason. */
	dnstun_free(&f->d);
	assert_int_equal(dnstun_init(&f->d, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "max_keys"));
	assert_int_equal(dnstun_init(&f->d, 4096, err, sizeof(err)), 0);
}

/* base32 labels under one domain, one query a second, A records. */
static void
test_tunnel_aggregate(void **state)
{
	struct dt_fix *f = *state;
	struct dnstun_stats st;
	char name[128], lab[64];
	unsigned seed = 7;
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC, first = 0;
	int i, k;

	for (i = 0; i < 200; i++) {
		random_label(&seed, lab, 30);
		snprintf(name, sizeof(name), "%s.t.tunnel-test.net", lab);
		mk_query(&b, name, DNS_T_A);
		k = feed(f, t0 + i * XT_SEC, "10.0.0.5", "8.8.8.8", 40000, 53,
		    0, b.b, b.n);
		if (k > 0 && first == 0)
			first = i + 1;
	}
	/* Fires once, near 50 distinct names (HyperLogLog error ~5%). */
	assert_int_equal(f->nev[DET_DNS_TUNNEL], 1);
	assert_true(first >= 45 && first <= 56);
	assert_int_equal(f->last[DET_DNS_TUNNEL].detector, DET_DNS_TUNNEL);
	assert_true(addr_eq(&f->last[DET_DNS_TUNNEL].host,
	    &(addr_t){ .a = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff,10,0,0,5 } }));
	assert_string_equal(f->last[DET_DNS_TUNNEL].domain, "tunnel-test.net");
	assert_true(f->last[DET_DNS_TUNNEL].score >= 50);
	assert_true(f->last[DET_DNS_TUNNEL].ncomps >= 8);
	assert_string_equal(f->last[DET_DNS_TUNNEL].comps[0].name,
	    "distinct_subdomains");
	assert_non_null(strstr(f->last[DET_DNS_TUNNEL].reason,
	    "tunnel-test.net"));

	/* A window later the same channel is reported again, once. */
	for (i = 0; i < 200; i++) {
		random_label(&seed, lab, 30);
		snprintf(name, sizeof(name), "%s.t.tunnel-test.net", lab);
		mk_query(&b, name, DNS_T_A);
		feed(f, t0 + (400 + i) * XT_SEC, "10.0.0.5", "8.8.8.8", 40000,
		    53, 0, b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_TUNNEL], 2);
	assert_int_equal(f->nev[DET_DNS_LONG_TXT], 0);
	dnstun_stats(&f->d, &st);
	assert_int_equal(st.parsed, 400);
	assert_int_equal(st.events, 2);
	assert_true(st.memory > 4096 * sizeof(struct dnstun_dom));
}

/* Many distinct but plain names: a CDN, a monitoring host. */
static void
test_tunnel_negatives(void **state)
{
	struct dt_fix *f = *state;
	char name[160];
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC;
	int i;

	/* A CDN: 2000 queries for 40 long, low-entropy names, answered. */
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "video-segment-cache-%02d."
		    "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.cdn-example.net",
		    i % 40);
		mk_query(&b, name, DNS_T_A);
		feed(f, t0 + i * XT_SEC / 8, "10.0.0.6", "10.0.0.1", 40000, 53,
		    0, b.b, b.n);
		mk_rcode(&b, name, DNS_T_A, DNS_R_NOERROR);
		feed(f, t0 + i * XT_SEC / 8, "10.0.0.1", "10.0.0.6", 53, 40000,
		    0, b.b, b.n);
	}
	/*
	 * 100 distinct names of words and numbers in 5 minutes: distinct
	 * enough, but neither encoded-looking nor 10 KB of distinct names.
	 */
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "static-assets-%04d.eu-west."
		    "cdn-example.net", i);
		mk_query(&b, name, DNS_T_AAAA);
		feed(f, t0 + i * XT_SEC, "10.0.0.6", "10.0.0.1", 40000, 53, 0,
		    b.b, b.n);
	}
	/* 300 short host names of the home domain. */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "pc%03d.corp.example.com", i);
		mk_query(&b, name, DNS_T_A);
		feed(f, t0 + i * XT_SEC, "10.0.0.7", "10.0.0.1", 40000, 53, 0,
		    b.b, b.n);
	}
	/* 300 reverse lookups: skipped. */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "%d.%d.0.10.in-addr.arpa",
		    i % 250, i / 250);
		mk_query(&b, name, DNS_T_PTR);
		feed(f, t0 + i * XT_SEC, "10.0.0.8", "10.0.0.1", 40000, 53, 0,
		    b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_TUNNEL], 0);
	/* An external client asking our server is not ours to judge. */
	for (i = 0; i < 200; i++) {
		char lab[64];
		unsigned seed = (unsigned)i;

		random_label(&seed, lab, 60);
		snprintf(name, sizeof(name), "%s.tunnel-test.net", lab);
		mk_query(&b, name, DNS_T_TXT);
		feed(f, t0 + i * XT_SEC, "198.51.100.7", "10.0.0.1", 40000, 53,
		    0, b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_TUNNEL], 0);
}

/*
 * Data encoded as words defeats entropy; 10 KB of distinct names to one
 * domain in a window is a tunnel's volume whatever the encoding (Splunk).
 */
static void
test_tunnel_volume(void **state)
{
	static const char *const words[] = { "apple", "river", "stone",
	    "cloud", "tiger", "maple", "ocean", "pearl", "delta", "crane",
	    "ember", "frost", "grove", "haven", "ivory", "jelly" };
	struct dt_fix *f = *state;
	char name[200];
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC;
	int i, k;

	for (i = 0; i < 300; i++) {
		k = i * 7;
		snprintf(name, sizeof(name),
		    "%s-%s-%s-%s.%s-%s-%s.words.example",
		    words[k & 15], words[(k >> 4) & 15], words[i & 15],
		    words[(i >> 3) & 15], words[(i >> 5) & 15],
		    words[(i * 3) & 15], words[(i * 5 + 1) & 15]);
		mk_query(&b, name, DNS_T_A);
		feed(f, t0 + i * XT_SEC / 2, "10.0.0.66", "8.8.8.8", 40000, 53,
		    0, b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_TUNNEL], 1);
	assert_string_equal(f->last[DET_DNS_TUNNEL].domain, "words.example");
	assert_non_null(strstr(f->last[DET_DNS_TUNNEL].reason,
	    "bytes of distinct names"));
}

/* One exfiltration query alone; a deep random name alone. */
static void
test_tunnel_single(void **state)
{
	struct dt_fix *f = *state;
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC;

	mk_query(&b, "h4sicn03x2qaa3rlc3qudhh0aavjycxwakjehelu5klueow0zjx"
	    "ulgage.4s2fgaaaa.test.example.org", DNS_T_A);
	assert_int_equal(feed(f, t0, "192.168.2.225", "192.168.2.134", 45290,
	    53, 0, b.b, b.n), 1);
	assert_int_equal(f->last[DET_DNS_TUNNEL].count, 1);
	assert_string_equal(f->last[DET_DNS_TUNNEL].domain, "example.org");
	assert_true(f->last[DET_DNS_TUNNEL].score < 60);
	/* Once per window for that domain. */
	assert_int_equal(feed(f, t0 + XT_SEC, "192.168.2.225",
	    "192.168.2.134", 45290, 53, 0, b.b, b.n), 0);

	mk_query(&b, "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com", DNS_T_A);
	assert_int_equal(feed(f, t0, "192.168.1.168", "8.8.8.8", 65311, 53, 0,
	    b.b, b.n), 1);
	assert_true(f->last[DET_DNS_TUNNEL].score <= 30);
	assert_string_equal(f->last[DET_DNS_TUNNEL].domain, "example.com");

	/* An Active Directory locator name with a GUID is no payload. */
	mk_query(&b, "_ldap._tcp.05b5292b-34b8-4fb7-85a3-8beef5fd2069.domains."
	    "_msdcs.utelsystems.local", 33);
	assert_int_equal(feed(f, t0, "192.168.1.9", "192.168.1.1", 5000, 53,
	    0, b.b, b.n), 0);
	/* Nor a long name of words. */
	mk_query(&b, "internal-my-loadbalancer-1234567890.us-east-1.elb."
	    "amazonaws.com", DNS_T_A);
	assert_int_equal(feed(f, t0, "192.168.1.9", "192.168.1.1", 5000, 53,
	    0, b.b, b.n), 0);
}

/* A resolver's upstream leg is not charged; its client's leg is. */
static void
test_resolver(void **state)
{
	struct dt_fix *f = *state;
	struct dnstun_stats st;
	char name[128], lab[64];
	unsigned seed = 9;
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC, t;
	int i;

	for (i = 0; i < 120; i++) {
		t = t0 + i * XT_SEC;
		random_label(&seed, lab, 40);
		snprintf(name, sizeof(name), "%s.exfil-test.com", lab);
		/* client -> resolver, resolver -> upstream, and back */
		mk_query(&b, name, DNS_T_TXT);
		feed(f, t, "10.1.1.5", "10.1.1.53", 40000, 53, 0, b.b, b.n);
		feed(f, t + 1, "10.1.1.53", "9.9.9.9", 50000, 53, 0, b.b, b.n);
		mk_rcode(&b, name, DNS_T_TXT, DNS_R_NOERROR);
		feed(f, t + 2, "9.9.9.9", "10.1.1.53", 53, 50000, 0, b.b, b.n);
		feed(f, t + 3, "10.1.1.53", "10.1.1.5", 53, 40000, 0, b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_TUNNEL], 1);
	assert_true(addr_eq(&f->last[DET_DNS_TUNNEL].host,
	    &(addr_t){ .a = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff,10,1,1,5 } }));
	assert_string_equal(f->last[DET_DNS_TUNNEL].domain, "exfil-test.com");
	dnstun_stats(&f->d, &st);
	assert_true(st.skipped_resolver >= 2 * 119);
}

static void
test_failures(void **state)
{
	struct dt_fix *f = *state;
	char name[64];
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC;
	int i;

	for (i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "q%d.example.com", i);
		mk_rcode(&b, name, DNS_T_A, DNS_R_NXDOMAIN);
		feed(f, t0 + i * XT_SEC, "8.8.8.8", "10.0.0.9", 53, 40000, 0,
		    b.b, b.n);
		/* Splunk's "more than 50": the 51st failure alerts. */
		assert_int_equal(f->nev[DET_DNS_FAILURES], i >= 50 ? 1 : 0);
	}
	assert_int_equal(f->last[DET_DNS_FAILURES].count, 51);
	assert_non_null(strstr(f->last[DET_DNS_FAILURES].reason, "NXDOMAIN"));
	/* SERVFAIL is counted apart. */
	for (i = 0; i < 51; i++) {
		mk_rcode(&b, "x.example.com", DNS_T_A, DNS_R_SERVFAIL);
		feed(f, t0 + i * XT_SEC, "8.8.8.8", "10.0.0.9", 53, 40000, 0,
		    b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_FAILURES], 2);
	/* Slow failures never fill a window. */
	for (i = 0; i < 200; i++) {
		mk_rcode(&b, "slow.example.com", DNS_T_A, DNS_R_REFUSED);
		feed(f, t0 + i * 10 * XT_SEC, "8.8.8.8", "10.0.0.10", 53, 40000,
		    0, b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_FAILURES], 2);
}

static void
test_long_txt(void **state)
{
	struct dt_fix *f = *state;
	char name[64];
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC;
	int i;

	/* SPF and DKIM sized answers, a few times: nothing. */
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "s%d._domainkey.mail.example", i);
		mk_txt(&b, name, 400);
		feed(f, t0 + i * XT_SEC, "1.1.1.1", "10.0.0.11", 53, 40000, 0,
		    b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_LONG_TXT], 0);
	/* The tenth long answer from one domain in the window alerts. */
	mk_txt(&b, "s9._domainkey.mail.example", 400);
	feed(f, t0 + 10 * XT_SEC, "1.1.1.1", "10.0.0.11", 53, 40000, 0, b.b,
	    b.n);
	assert_int_equal(f->nev[DET_DNS_LONG_TXT], 1);
	assert_string_equal(f->last[DET_DNS_LONG_TXT].domain, "mail.example");
	assert_int_equal(f->last[DET_DNS_LONG_TXT].count, 10);
	/* One record far over any SPF or DKIM record alerts alone. */
	mk_txt(&b, "blob.txt-exfil.example", 1200);
	feed(f, t0, "1.1.1.1", "10.0.0.12", 53, 40000, 0, b.b, b.n);
	assert_int_equal(f->nev[DET_DNS_LONG_TXT], 2);
	assert_string_equal(f->last[DET_DNS_LONG_TXT].domain,
	    "txt-exfil.example");
	/* Short TXT answers never count. */
	for (i = 0; i < 100; i++) {
		mk_txt(&b, "short.example.net", 99);
		feed(f, t0 + i * XT_SEC, "1.1.1.1", "10.0.0.13", 53, 40000, 0,
		    b.b, b.n);
	}
	assert_int_equal(f->nev[DET_DNS_LONG_TXT], 2);
}

static void
test_nonstd_port(void **state)
{
	struct dt_fix *f = *state;
	struct mb b;
	xtime_t t0 = 1700000000 * XT_SEC;
	int i;

	mk_query(&b, "host.example.com", DNS_T_A);
	for (i = 0; i < 10; i++)
		feed(f, t0 + i * XT_SEC, "10.0.0.20", "203.0.113.9", 40000,
		    5300, 0, b.b, b.n);
	assert_int_equal(f->nev[DET_DNS_NONSTD_PORT], 1);
	assert_int_equal(f->last[DET_DNS_NONSTD_PORT].count, 5);
	assert_int_equal(f->last[DET_DNS_NONSTD_PORT].dport, 5300);
	/* mDNS and LLMNR are DNS off 53 by design. */
	for (i = 0; i < 10; i++) {
		feed(f, t0 + i * XT_SEC, "10.0.0.21", "224.0.0.251", 5353,
		    5353, 0, b.b, b.n);
		feed(f, t0 + i * XT_SEC, "10.0.0.21", "224.0.0.252", 40000,
		    5355, 0, b.b, b.n);
	}
	/* Other protocols off 53 are no DNS and no concern of ours. */
	for (i = 0; i < 50; i++)
		feed(f, t0 + i * XT_SEC, "10.0.0.22", "203.0.113.9", 40000, 443,
		    0, (const uint8_t *)"\x16\x03\x01\x02\x00\x01\x00\x01\xfc"
		    "\x03\x03\x00\x00\x00\x00\x00", 16);
	assert_int_equal(f->nev[DET_DNS_NONSTD_PORT], 1);
}

static void
test_not_dns(void **state)
{
	struct dt_fix *f = *state;
	uint8_t junk[100];
	struct dnstun_stats st;
	xtime_t t0 = 1700000000 * XT_SEC;
	struct mb b, seg;
	int i;

	memset(junk, 0xab, sizeof(junk));
	for (i = 0; i < 9; i++)
		feed(f, t0 + i * XT_SEC, "10.0.0.30", "203.0.113.53", 40000, 53,
		    0, junk, sizeof(junk));
	assert_int_equal(f->nev[DET_DNS_NOT_DNS], 0);
	/* Answers count for the inside host too. */
	feed(f, t0 + 9 * XT_SEC, "203.0.113.53", "10.0.0.30", 53, 40000, 0,
	    junk, sizeof(junk));
	assert_int_equal(f->nev[DET_DNS_NOT_DNS], 1);
	assert_int_equal(f->last[DET_DNS_NOT_DNS].count, 10);
	assert_true(addr_eq(&f->last[DET_DNS_NOT_DNS].host,
	    &(addr_t){ .a = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff,10,0,0,30 } }));
	/* TCP: a segment ending inside a message is not junk. */
	mk_query(&b, "www.example.com", DNS_T_A);
	seg.n = 0;
	mb_u16(&seg, 900);
	mb_bytes(&seg, b.b, b.n);
	for (i = 0; i < 20; i++)
		feed(f, t0 + i * XT_SEC, "10.0.0.31", "203.0.113.53", 40000, 53,
		    1, seg.b, seg.n);
	assert_int_equal(f->nev[DET_DNS_NOT_DNS], 1);
	/* ...nor is a bare message after a prefix sent on its own. */
	for (i = 0; i < 20; i++) {
		feed(f, t0 + i * XT_SEC, "10.0.0.32", "203.0.113.53", 40000, 53,
		    1, seg.b, 2);
		feed(f, t0 + i * XT_SEC, "10.0.0.32", "203.0.113.53", 40000, 53,
		    1, b.b, b.n);
	}
	/* ...nor a UDP message cut short by the snap length. */
	for (i = 0; i < 20; i++)
		feed(f, t0 + i * XT_SEC, "203.0.113.53", "10.0.0.33", 53, 40000,
		    0, b.b, b.n - 3);
	assert_int_equal(f->nev[DET_DNS_NOT_DNS], 1);
	dnstun_stats(&f->d, &st);
	assert_int_equal(st.tcp_partial, 40);
	assert_int_equal(st.parse_fail, 10);
	assert_int_equal(st.parse_broken, 20);
	assert_int_equal(st.parsed, 20);
}

static void
test_eviction(void **state)
{
	struct dnstun d;
	struct dnstun_stats st;
	struct event ev[4];
	char name[64], err[128];
	struct mb b;
	addr_t s = v4("10.0.0.40"), r = v4("10.0.0.1");
	int i;

	(void)state;
	assert_int_equal(dnstun_init(&d, 16, err, sizeof(err)), 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "www.domain%d.com", i);
		mk_query(&b, name, DNS_T_A);
		dnstun_message(&d, i * XT_SEC, &s, &r, 4000, 53, 0, 1, 1, b.b,
		    b.n, ev, 4);
	}
	/* The most recent domain is still there; 84 older ones went. */
	mk_query(&b, "www.domain99.com", DNS_T_A);
	dnstun_message(&d, 101 * XT_SEC, &s, &r, 4000, 53, 0, 1, 1, b.b, b.n,
	    ev, 4);
	dnstun_stats(&d, &st);
	assert_int_equal(st.dom_evicted, 84);
	assert_int_equal(d.doms.used, 16);
	/* Evicting never breaks lookups: every live entry is still found. */
	for (i = 84; i < 100; i++) {
		snprintf(name, sizeof(name), "www.domain%d.com", i);
		mk_query(&b, name, DNS_T_A);
		dnstun_message(&d, 102 * XT_SEC, &s, &r, 4000, 53, 0, 1, 1,
		    b.b, b.n, ev, 4);
	}
	dnstun_stats(&d, &st);
	assert_int_equal(st.dom_evicted, 84);
	dnstun_free(&d);
}

/* ---- end to end on captures ---------------------------------------- */

struct cap_result {
	int		 nev[DET_MAX];
	int		 found;		/* events for host and domain */
	uint64_t	 parsed;
	uint64_t	 fail;
	uint64_t	 packets;
};

/*
 * Read a capture through the project's decoder and feed every UDP and
 * TCP payload (any port: DNS off 53 is a signal) to a fresh detector.
 */
static void
run_capture(const char *path, enum detector want_det, const char *want_host,
    const char *want_domain, struct cap_result *r)
{
	char errbuf[PCAP_ERRBUF_SIZE], err[256], hbuf[ADDR_STRLEN];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct decoder *dec;
	struct dnstun *d;
	struct dnstun_stats st;
	struct event ev[MAXOUT];
	struct pkt p;
	pcap_t *pc;
	int dlt, i, n;

	memset(r, 0, sizeof(*r));
	assert_non_null(pc = pcap_open_offline(path, errbuf));
	assert_non_null(dec = calloc(1, sizeof(*dec)));
	assert_non_null(d = calloc(1, sizeof(*d)));
	assert_int_equal(dnstun_init(d, 4096, err, sizeof(err)), 0);
	decode_init(dec);
	dlt = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		xtime_t ts = (xtime_t)h->ts.tv_sec * XT_SEC + h->ts.tv_usec;

		r->packets++;
		if (decode_packet(dec, dlt, ts, data, h->caplen, &p) != DEC_OK)
			continue;
		if ((p.proto != 17 && p.proto != 6) || p.payload_caplen == 0 ||
		    (p.flags & PKT_FRAG && !(p.flags & PKT_FRAG_FIRST)))
			continue;
		n = dnstun_message(d, ts, &p.src, &p.dst, p.sport, p.dport,
		    p.proto == 6, is_home(&p.src), is_home(&p.dst), p.payload,
		    p.payload_caplen, ev, MAXOUT);
		for (i = 0; i < n; i++) {
			r->nev[ev[i].detector]++;
			addr_ntop(&ev[i].host, hbuf, sizeof(hbuf));
			if (ev[i].detector == want_det && want_host != NULL &&
			    strcmp(hbuf, want_host) == 0 &&
			    (want_domain == NULL ||
			    strcmp(ev[i].domain, want_domain) == 0))
				r->found++;
			print_message("  %s: %s host=%s domain=%s score=%.0f: "
			    "%s\n", strrchr(path, '/') + 1,
			    detector_name(ev[i].detector), hbuf, ev[i].domain,
			    ev[i].score, ev[i].reason);
		}
	}
	dnstun_stats(d, &st);
	r->parsed = st.parsed;
	r->fail = st.parse_fail;
	pcap_close(pc);
	dnstun_free(d);
	free(d);
	free(dec);
}

struct positive {
	const char	*file;
	enum detector	 det;
	const char	*host;
	const char	*domain;
};

static const struct positive positives[] = {
	{ "ndpi/pcap/dns-tunnel-iodine.pcap", DET_DNS_TUNNEL, "10.0.2.30",
	    "pirate.sea" },
	{ "ndpi/pcap/bad-dns-traffic.pcap", DET_DNS_TUNNEL, "192.168.43.91",
	    "skullseclabs.org" },
	{ "ndpi/pcap/dns_exfiltration.pcap", DET_DNS_TUNNEL,
	    "192.168.220.56", DNSTUN_NOTLD },
	{ "ndpi/pcap/dns-exf.pcap", DET_DNS_TUNNEL, "192.168.2.225",
	    "test.txt" },
	{ "ndpi/pcap/dns_long_domainname.pcap", DET_DNS_TUNNEL,
	    "192.168.1.168", "example.com" },
};

static void
test_pcap_positives(void **state)
{
	struct cap_result r;
	char path[1024];
	size_t i;
	int ran = 0;

	(void)state;
	for (i = 0; i < sizeof(positives) / sizeof(positives[0]); i++) {
		if (!pcaps_path(path, sizeof(path), positives[i].file)) {
			fprintf(stderr, "skip: %s not present\n",
			    positives[i].file);
			continue;
		}
		run_capture(path, positives[i].det, positives[i].host,
		    positives[i].domain, &r);
		print_message("%s: %llu DNS messages, %d %s events for %s "
		    "%s\n", positives[i].file, (unsigned long long)r.parsed,
		    r.found, detector_name(positives[i].det),
		    positives[i].host, positives[i].domain);
		assert_true(r.found >= 1);
		ran++;
	}
	if (ran == 0)
		skip();
}

/*
 * dns2tcp_tunnel.pcap holds no cleartext DNS at all: it is one TLS
 * session to 1.1.1.1:443 (DNS over HTTPS without SNI).  Nothing here can
 * see it; the TLS detectors can.  Assert that, so nobody expects more.
 */
static void
test_pcap_dns2tcp(void **state)
{
	struct cap_result r;
	char path[1024];

	(void)state;
	SKIP_UNLESS_PCAP(path, "ndpi/pcap/dns2tcp_tunnel.pcap");
	run_capture(path, DET_DNS_TUNNEL, NULL, NULL, &r);
	assert_true(r.packets > 0);
	assert_int_equal(r.parsed, 0);
	assert_int_equal(r.nev[DET_DNS_TUNNEL], 0);
}

static const char *const negatives[] = {
	"ndpi/pcap/dns.pcap",
	"ndpi/pcap/dns_ambiguous_names.pcap",
	"ndpi/pcap/dns-google-nsid.pcapng",
	"ndpi/pcap/netbios_wildcard_dns_query.pcap",
	"ndpi/pcap/dns_invert_query.pcapng",
	"ndpi/pcap/dns_fragmented.pcap",
	"ndpi/pcap/dns-invalid-chars.pcap",
	"ndpi/pcap/malformed_dns.pcap",
	"ndpi/pcap/dns_doh.pcap",
	"ndpi/pcap/dns_dot.pcap",
	"ndpi/pcap/1kxun.pcap",
	"ndpi/pcap/chrome.pcap",
	"ndpi/pcap/iphone.pcap",
	"ndpi/pcap/android.pcap",
	"ndpi/pcap/sites.pcapng",
	"ndpi/pcap/googledns_android10.pcap",
	"arkime/pcap/dns-wiresharkrepo.pcap",
	"arkime/pcap/dns-punycode.pcap",
	"arkime/pcap/6-4-gre-ppp-udp-4-dns.pcap",
	"suricata-verify/pcap/dns-null-record.pcap",
	"suricata-verify/pcap/dns-txt.pcap",
	"suricata-verify/pcap/dns-tcp-multirequest.pcap",
	"suricata-verify/pcap/dns-truncated-rname.pcap",
	"suricata-verify/pcap/dns-corrupt-additionals.pcap",
	"suricata-verify/pcap/dns-forward-pointer.pcap",
	"suricata-verify/pcap/dns-junk-first.pcap",
	"suricata-verify/pcap/dns-incomplete.pcap",
	"zeek/pcap/dns-txt-multiple.pcap",
	"zeek/pcap/dns-corrupt.pcap",
	"zeek/pcap/dns-invalid-names.pcap",
	"zeek/pcap/dns-max-compression-depth.pcap",
	"zeek/pcap/dns-ipv6-fragmented.pcap",
	"zeek/pcap/dns-long-connection.pcap",
	"tcpdump-tests/pcap/dns-badcookie.pcap",
	"tcpdump-tests/pcap/ppp_ip_udp_dns.pcap",
	"tcpdump-tests/pcap/dns-zlip-1.pcap",
	"tcpdump-tests/pcap/dns-zlip-2.pcap",
	"tcpdump-tests/pcap/dns-badlabel.pcap",
	"tcpdump-tests/pcap/dns_fwdptr.pcap",
};

static void
test_pcap_negatives(void **state)
{
	struct cap_result r;
	char path[1024];
	size_t i;
	int ran = 0;

	(void)state;
	for (i = 0; i < sizeof(negatives) / sizeof(negatives[0]); i++) {
		if (!pcaps_path(path, sizeof(path), negatives[i])) {
			fprintf(stderr, "skip: %s not present\n", negatives[i]);
			continue;
		}
		run_capture(path, DET_NONE, NULL, NULL, &r);
		print_message("%s: %llu packets, %llu DNS messages, %llu not "
		    "DNS on 53\n", negatives[i], (unsigned long long)r.packets,
		    (unsigned long long)r.parsed, (unsigned long long)r.fail);
		assert_int_equal(r.nev[DET_DNS_TUNNEL], 0);
		assert_int_equal(r.nev[DET_DNS_LONG_TXT], 0);
		assert_int_equal(r.nev[DET_DNS_NONSTD_PORT], 0);
		assert_int_equal(r.nev[DET_DNS_FAILURES], 0);
		ran++;
	}
	if (ran == 0)
		skip();
}

/* The parser never crashes on the hostile captures (zlip, bad labels, fuzz). */
static void
test_pcap_hostile(void **state)
{
	static const char *const files[] = {
		"tcpdump-tests/pcap/dns-zlip-1.pcap",
		"tcpdump-tests/pcap/dns-zlip-2.pcap",
		"tcpdump-tests/pcap/dns-badlabel.pcap",
		"tcpdump-tests/pcap/dns_fwdptr.pcap",
		"zeek/pcap/dns-max-compression-depth.pcap",
		"ndpi/pcap/fuzz-2006-06-26-2594.pcap",
	};
	struct cap_result r;
	char path[1024];
	size_t i;
	int ran = 0;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!pcaps_path(path, sizeof(path), files[i]))
			continue;
		run_capture(path, DET_NONE, NULL, NULL, &r);
		print_message("%s: %llu DNS messages, %llu not DNS on 53\n",
		    files[i], (unsigned long long)r.parsed,
		    (unsigned long long)r.fail);
		assert_int_equal(r.nev[DET_DNS_TUNNEL], 0);
		ran++;
	}
	if (ran == 0)
		skip();
}

static double
cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/*
 * Not a pass/fail test: CPU time of one message, for the record.  Names a
 * client repeats hit the registered-domain cache; a tunnel's never do.
 */
static void
test_cost(void **state)
{
	struct dt_fix *f = *state;
	struct dns_msg m;
	char name[128], lab[64];
	struct mb *q;
	unsigned seed = 3;
	addr_t s = v4("10.0.0.50"), d = v4("10.0.0.1");
	double t, parse_ns, msg_ns, fresh_ns;
	int i, n = 100000, nq = 4096;

	assert_non_null(q = calloc((size_t)nq, sizeof(*q)));
	for (i = 0; i < 64; i++) {
		random_label(&seed, lab, 8 + i % 24);
		snprintf(name, sizeof(name), "%s.www.site%d.example.com", lab,
		    i % 8);
		mk_query(&q[i], name, DNS_T_A);
	}
	t = cpu_ns();
	for (i = 0; i < n; i++)
		assert_int_equal(dns_parse(&f->d.dns, q[i & 63].b, q[i & 63].n,
		    &m), 0);
	parse_ns = (cpu_ns() - t) / n;
	t = cpu_ns();
	for (i = 0; i < n; i++)
		dnstun_message(&f->d, (xtime_t)i * 1000, &s, &d, 4000, 53, 0, 1,
		    1, q[i & 63].b, q[i & 63].n, f->ev, MAXOUT);
	msg_ns = (cpu_ns() - t) / n;
	/* Fresh 40-byte base32 names under one domain, as a tunnel sends. */
	for (i = 0; i < nq; i++) {
		random_label(&seed, lab, 40);
		snprintf(name, sizeof(name), "%s.t.tunnel-test.net", lab);
		mk_query(&q[i], name, DNS_T_TXT);
	}
	t = cpu_ns();
	for (i = 0; i < nq; i++)
		dnstun_message(&f->d, (xtime_t)i * 1000, &s, &d, 4000, 53, 0, 1,
		    1, q[i].b, q[i].n, f->ev, MAXOUT);
	fresh_ns = (cpu_ns() - t) / nq;
	print_message("cost: dns_parse %.0f ns, dnstun_message %.0f ns per "
	    "repeated query; %.0f ns per fresh tunnel query\n", parse_ns,
	    msg_ns, fresh_ns);
	free(q);
	assert_true(msg_ns < 1e6 && fresh_ns < 1e6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_a_query),
		cmocka_unit_test(test_parse_cname_compressed),
		cmocka_unit_test(test_parse_txt),
		cmocka_unit_test(test_parse_nxdomain_null),
		cmocka_unit_test(test_parse_tcp),
		cmocka_unit_test(test_parse_compression_loops),
		cmocka_unit_test(test_parse_bad_labels),
		cmocka_unit_test(test_parse_truncated_everywhere),
		cmocka_unit_test(test_parse_random_bytes),
		cmocka_unit_test(test_parse_escaping),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_regdomain),
		cmocka_unit_test_setup_teardown(test_params, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_aggregate,
		    dt_setup, dt_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_negatives,
		    dt_setup, dt_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_volume, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_single, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_resolver, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_failures, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_long_txt, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_nonstd_port, dt_setup,
		    dt_teardown),
		cmocka_unit_test_setup_teardown(test_not_dns, dt_setup,
		    dt_teardown),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_pcap_positives),
		cmocka_unit_test(test_pcap_dns2tcp),
		cmocka_unit_test(test_pcap_negatives),
		cmocka_unit_test(test_pcap_hostile),
		cmocka_unit_test_setup_teardown(test_cost, dt_setup,
		    dt_teardown),
	};

	dns_ctx_init(&ctx_builtin, psl_builtin());
	dns_ctx_init(&ctx_none, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
