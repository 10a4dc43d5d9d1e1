/*
 * dns.c: DNS message to struct dns_msg with libresolv, the question name
 * split at its registered domain with libpsl.
 *
 * libresolv does the hostile part: ns_initparse() walks every section and
 * refuses a message whose records do not end exactly at its end,
 * ns_name_unpack() refuses compression loops, extended label types and
 * names over 255 bytes, ns_parserr() does the same for each answer.  This
 * file only reads the fields the detectors want, and renders the name so
 * that no output stage can be fooled by it (see dns.h).
 */
#include <arpa/nameser.h>
#include <math.h>
#include <string.h>

#include "dns.h"

#define DNS_HDRLEN	12
#define DNS_CUTMARK	"..."

static int	dns_question(const uint8_t *, const uint8_t *, struct dns_msg *,
		    uint8_t *);
static int	dns_answers(ns_msg *, struct dns_msg *);
static int	dns_present(const uint8_t *, int, struct dns_msg *);
static int	dns_dots(const char *, size_t, size_t *, int);
static size_t	dns_label_from_right(const char *, size_t, int);
static int	dns_count_labels(const char *);
static int	dns_tld_valid(const uint8_t *, size_t);
static int	dns_hex(const uint8_t *, size_t);
static int	dns_reglabels(struct dns_ctx *, const char *);
static void	dns_split(struct dns_ctx *, const uint8_t *, int,
		    struct dns_msg *);

void
dns_ctx_init(struct dns_ctx *c, const psl_ctx_t *psl)
{
	memset(c, 0, sizeof(*c));
	c->psl = psl;
}

int
dns_parse(struct dns_ctx *c, const uint8_t *buf, size_t len,
    struct dns_msg *m)
{
	ns_msg h;
	uint8_t wire[NS_MAXCDNAME];
	int nl;

	memset(m, 0, offsetof(struct dns_msg, qname));
	m->qname[0] = '\0';
	if (len < DNS_HDRLEN || len > NS_MAXMSG)
		return -1;
	if (ns_initparse(buf, (int)len, &h) == -1)
		return -1;
	/*
	 * One question is what every resolver sends (RFC 9619); asking for
	 * it also keeps 12 random bytes from passing for an empty message.
	 */
	if (ns_msg_count(h, ns_s_qd) != 1)
		return -1;
	m->id = ns_msg_id(h);
	m->is_response = ns_msg_getflag(h, ns_f_qr);
	m->opcode = ns_msg_getflag(h, ns_f_opcode);
	m->rcode = ns_msg_getflag(h, ns_f_rcode);
	if (ns_msg_getflag(h, ns_f_tc))
		m->flags |= DNS_F_TC;
	m->msg_len = (uint32_t)len;
	if ((nl = dns_question(buf, buf + len, m, wire)) == -1)
		return -1;
	if (dns_answers(&h, m) == -1)
		return -1;
	if (dns_present(wire, nl, m) == -1)
		return -1;
	dns_split(c, wire, nl, m);
	return 0;
}

int
dns_parse_tcp(struct dns_ctx *c, const uint8_t *seg, size_t len,
    struct dns_msg *out, int maxout, int *nbad)
{
	size_t off = 0, mlen;
	int n = 0;

	*nbad = 0;
	while (n < maxout && len - off >= 2) {
		mlen = (size_t)seg[off] << 8 | seg[off + 1];
		if (mlen > len - off - 2)
			break;		/* continues in a later segment */
		if (dns_parse(c, seg + off + 2, mlen, &out[n]) == 0)
			n++;
		else if (!dns_plausible(seg + off + 2, mlen))
			(*nbad)++;
		off += 2 + mlen;
	}
	return n;
}

/*
 * A message cut by the snap length or an IP fragment still has a sane
 * header and a question that unpacks; random bytes, TLS or a VPN on port
 * 53 almost never do.  Only the latter are "not DNS".
 */
int
dns_plausible(const uint8_t *buf, size_t len)
{
	unsigned opcode, qd;
	size_t p;

	if (len < DNS_HDRLEN)
		return 0;
	/* qdcount <= 1 alone refuses all but 1 in 30000 random payloads. */
	opcode = (buf[2] >> 3) & 0x0f;
	qd = (unsigned)(buf[4] << 8 | buf[5]);
	if (opcode > 6 || opcode == 3 || qd > 1)
		return 0;
	if (qd == 0)		/* IQUERY, cookies, a bare FORMERR header */
		return len == DNS_HDRLEN || (buf[6] | buf[7] | buf[8] |
		    buf[9] | buf[10] | buf[11]) != 0;
	/* Labels up to the end of the name, or of a short snap length. */
	for (p = DNS_HDRLEN; p < len; p += 1 + buf[p]) {
		if (buf[p] == 0 || (buf[p] & 0xc0) == 0xc0)
			return 1;
		if (buf[p] & 0xc0)
			return 0;	/* reserved label types */
	}
	return 1;
}

/*
 * Unpack the question name into wire form (lower-cased) and read its
 * type and class.  Returns the number of labels or -1.
 */
static int
dns_question(const uint8_t *msg, const uint8_t *eom, struct dns_msg *m,
    uint8_t *wire)
{
	const uint8_t *p;
	size_t i;
	int n, nl = 0;

	n = ns_name_unpack(msg, eom, msg + DNS_HDRLEN, wire, NS_MAXCDNAME);
	if (n == -1)
		return -1;
	p = msg + DNS_HDRLEN + n;
	if (eom - p < 4)
		return -1;
	m->qtype = (uint16_t)(p[0] << 8 | p[1]);
	m->qclass = (uint16_t)(p[2] << 8 | p[3]);
	/* ns_name_unpack checked every label; walk them once for figures. */
	for (i = 0; wire[i] != 0; i += 1 + wire[i]) {
		size_t j, l = wire[i];

		for (j = i + 1; j <= i + l; j++)
			if (wire[j] >= 'A' && wire[j] <= 'Z')
				wire[j] += 'a' - 'A';
		if (l > m->maxlabel)
			m->maxlabel = (uint8_t)l;
		m->name_len += (uint16_t)(l + (nl > 0));
		nl++;
	}
	m->nlabels = (uint8_t)nl;
	return nl;
}

static int
dns_answers(ns_msg *h, struct dns_msg *m)
{
	ns_rr rr;
	int i, n = ns_msg_count(*h, ns_s_an);

	for (i = 0; i < n; i++) {
		const uint8_t *rd;
		size_t p, rdlen, chars;

		if (ns_parserr(h, ns_s_an, i, &rr) == -1)
			return -1;
		rd = ns_rr_rdata(rr);
		rdlen = ns_rr_rdlen(rr);
		m->answer_bytes += (uint32_t)rdlen;
		if (ns_rr_type(rr) == ns_t_null)
			m->has_null = 1;
		if (ns_rr_type(rr) != ns_t_txt)
			continue;
		/* A TXT record is a run of <len><bytes> strings. */
		for (p = 0, chars = 0; p < rdlen; p += 1 + rd[p]) {
			if (rd[p] > rdlen - p - 1)
				return -1;
			chars += rd[p];
		}
		m->txt_chars += (uint32_t)chars;
		if (chars > m->txt_max)
			m->txt_max = (uint32_t)chars;
	}
	m->ancount = (uint16_t)n;
	return 0;
}

/*
 * Write the presentation form into m->qname.  A name whose escapes do not
 * fit loses leftmost labels (the payload of a tunnel, not its key).
 */
static int
dns_present(const uint8_t *wire, int nl, struct dns_msg *m)
{
	char tmp[NS_MAXDNAME];
	size_t len, cut = strlen(DNS_CUTMARK), off = 0;
	int k;

	if (ns_name_ntop(wire, tmp, sizeof(tmp)) == -1)
		return -1;
	if ((len = strlen(tmp)) < DNS_NAMELEN) {
		memcpy(m->qname, tmp, len + 1);
		return 0;
	}
	for (k = 1; k < nl; k++) {
		off += 1 + wire[off];
		if (ns_name_ntop(wire + off, tmp, sizeof(tmp)) == -1)
			return -1;
		if ((len = strlen(tmp)) + cut < DNS_NAMELEN) {
			memcpy(m->qname, DNS_CUTMARK, cut);
			memcpy(m->qname + cut, tmp, len + 1);
			m->flags |= DNS_F_NAMECUT;
			return 0;
		}
	}
	return -1;	/* one 63-byte label escapes to 252: cannot happen */
}

/*
 * Positions of the dots that separate labels in a presentation name,
 * skipping \. and \ddd escapes.  Returns how many there are.
 */
static int
dns_dots(const char *s, size_t len, size_t *dots, int max)
{
	size_t i;
	int nd = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\') {
			i += (i + 1 < len && s[i + 1] >= '0' &&
			    s[i + 1] <= '9') ? 3 : 1;
			continue;
		}
		if (s[i] == '.' && nd < max)
			dots[nd++] = i;
	}
	return nd;
}

/* Offset of the first byte of the k-th label from the right of s. */
static size_t
dns_label_from_right(const char *s, size_t len, int k)
{
	size_t dots[DNS_NAMELEN / 2];
	int nd;

	if (k <= 0)
		return len;
	nd = dns_dots(s, len, dots, DNS_NAMELEN / 2);
	if (k > nd)
		return 0;
	return dots[nd - k] + 1;
}

/* Labels in a presentation name. */
static int
dns_count_labels(const char *s)
{
	size_t dots[DNS_NAMELEN / 2], len = strlen(s);

	if (len == 0)
		return 0;
	return dns_dots(s, len, dots, DNS_NAMELEN / 2) + 1;
}

/*
 * A top-level domain is letters, or an IDN "xn--" label.  A top label of
 * hex digits (dnscat2 sending straight to its server) can never resolve
 * on the Internet, so it keys no registered domain at all.
 */
static int
dns_tld_valid(const uint8_t *l, size_t n)
{
	size_t i;

	if (n >= 5 && memcmp(l, "xn--", 4) == 0) {
		for (i = 4; i < n; i++)
			if (!((l[i] >= 'a' && l[i] <= 'z') ||
			    (l[i] >= '0' && l[i] <= '9') || l[i] == '-'))
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (l[i] < 'a' || l[i] > 'z')
			return 0;
	return n > 0;
}

/*
 * Hex with both digits and letters: the most common tunnel encoding
 * (dnscat2), and one whose byte entropy (at most 4 bits) looks like words.
 */
static int
dns_hex(const uint8_t *l, size_t n)
{
	size_t i;
	int digit = 0, alpha = 0;

	for (i = 0; i < n; i++) {
		if (l[i] >= '0' && l[i] <= '9')
			digit = 1;
		else if (l[i] >= 'a' && l[i] <= 'f')
			alpha = 1;
		else
			return 0;
	}
	return digit && alpha;
}

/*
 * Labels of the registered domain of a presentation name (all of them if
 * the name is a public suffix), through the cache.
 */
static int
dns_reglabels(struct dns_ctx *c, const char *name)
{
	const char *tail;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, len = strlen(name);
	int k;

	if (c == NULL)
		return dns_count_labels(dns_regdomain(NULL, name));
	/* Six labels hold every public suffix rule (five) plus one. */
	tail = name + dns_label_from_right(name, len, 6);
	for (i = 0; tail[i] != '\0'; i++) {
		h ^= (uint8_t)tail[i];
		h *= 0x100000001b3ULL;
	}
	h |= 1;			/* 0 marks an empty slot */
	i = (size_t)(h >> 32) & (DNS_REGCACHE - 1);
	if (c->cache[i].key == h) {
		c->cache_hits++;
		return c->cache[i].labels;
	}
	c->cache_misses++;
	k = dns_count_labels(dns_regdomain(c->psl, tail));
	c->cache[i].key = h;
	c->cache[i].labels = (uint8_t)k;
	return k;
}

/* Find the registered domain; measure what is left of it. */
static void
dns_split(struct dns_ctx *c, const uint8_t *wire, int nl,
    struct dns_msg *m)
{
	uint8_t sub[NS_MAXCDNAME];
	size_t i, qlen, skip, last = 0, slen = 0;
	int k, regl;

	qlen = strlen(m->qname);
	if (nl == 0) {
		m->reg_off = 0;		/* the root: nothing to split */
		return;
	}
	for (i = 0; wire[i] != 0; i += 1 + wire[i])
		last = i;
	if (!dns_tld_valid(wire + last + 1, wire[last])) {
		/*
		 * No registered domain: every label is payload (dnscat2 sent
		 * straight to its server), except a lone label, which is a
		 * device's probe or a search-list miss, not a channel.
		 */
		m->flags |= DNS_F_BADTLD;
		regl = nl == 1;
		m->reg_off = (uint16_t)dns_label_from_right(m->qname, qlen,
		    regl);
	} else {
		/* A cut name is looked up without its "..." mark. */
		skip = (m->flags & DNS_F_NAMECUT) ? strlen(DNS_CUTMARK) : 0;
		regl = dns_reglabels(c, m->qname + skip);
		if (regl > nl)
			regl = nl;
		m->reg_off = (uint16_t)(skip + dns_label_from_right(m->qname +
		    skip, qlen - skip, regl));
	}
	m->sub_labels = (uint8_t)(nl - regl);
	for (i = 0, k = 0; k < m->sub_labels; k++, i += 1 + wire[i]) {
		memcpy(sub + slen, wire + i + 1, wire[i]);
		slen += wire[i];
		if (wire[i] > m->sub_maxlabel)
			m->sub_maxlabel = wire[i];
		if (wire[i] > m->sub_hexlabel && dns_hex(wire + i + 1, wire[i]))
			m->sub_hexlabel = wire[i];
	}
	m->sub_len = (uint16_t)(slen + (m->sub_labels > 0 ?
	    m->sub_labels - 1 : 0));
	m->sub_entropy = dns_entropy(sub, slen);
}

const char *
dns_regdomain(const psl_ctx_t *psl, const char *name)
{
	const char *r;
	size_t off;

	if (psl != NULL) {
		/* NULL when the name is a public suffix: key it whole. */
		if ((r = psl_registrable_domain(psl, name)) == NULL)
			return name;
		return r;
	}
	off = dns_label_from_right(name, strlen(name), 2);
	return name + off;
}

double
dns_entropy(const uint8_t *s, size_t n)
{
	uint32_t cnt[256];
	double h = 0.0;
	size_t i;

	if (n == 0)
		return 0.0;
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		cnt[s[i]]++;
	/*
	 * H = log2 n - (1/n) sum c log2 c.  Walk the input, not the 256
	 * counters, and clear each count once used: one log per repeated
	 * byte value, nothing for the bytes seen once.
	 */
	for (i = 0; i < n; i++) {
		if (cnt[s[i]] > 1)
			h += cnt[s[i]] * log2(cnt[s[i]]);
		cnt[s[i]] = 0;
	}
	return log2((double)n) - h / (double)n;
}
