/*
 * chan_tls.c: TLS as a channel — SNIcat, bulk volume to one server name,
 * and bulk uploads over TLS that name no server.
 *
 * SNIcat (mnemonic, 2020) hides its commands and data in the server name
 * of ClientHellos it never completes: "LIST-<16 alphanumerics>.c2.example".
 * The pattern Splunk searches for,
 *   (LIST|LS|SIZE|LD|CB|CD|EX|ALIVE|EXIT|WHERE|finito)-[A-Za-z0-9]{16}\.
 * is matched by hand — find each '-', check 16 alphanumerics and a dot
 * after it and one of the words before it — in one pass, with no regex
 * engine on the packet path.  The server name comes from the ClientHello,
 * parsed here with every length checked against what was captured.  A
 * hello longer than its first segment (large key shares, padding, an
 * extension order that puts the SNI last) is kept in one of CHAN_HELLOS
 * buffers until the pieces that follow it in sequence complete it; when
 * the capture cut the packet short, nDPI's name stands in, lower-cased as
 * it is.
 * Events are per (host, the name after the matched label), the domain the
 * attacker's server answers for, so one event covers a whole session.
 *
 * Encrypted DNS is judged here too, because all it shows is TLS: see
 * chan_dns_encrypted.
 *
 * Volume and missing-SNI uploads are judged on flow records: bytes sent per
 * (host, server name) over a short window (Splunk: 1.07 GB in 2 minutes,
 * any flow that names its server), and bytes sent over TLS that names no
 * server per (host, remote).  Rarity of a destination is the baseline's
 * business; here a remote whose first TLS-without-SNI contact from this
 * host falls inside the window only raises the score.
 */
#include <stdio.h>
#include <string.h>

#include <ndpi_api.h>

#include "chan.h"

static int	chan_tls_rd16(const uint8_t *);
static size_t	chan_tls_rd24(const uint8_t *);
static int	chan_alnum(unsigned char);
static void	chan_printable(char *, size_t, const char *, size_t);
static void	chan_snicat(struct chan *, const struct pktinfo *,
		    const char *, size_t, struct event *, int *, int);
static struct chan_hello *chan_hello_find(struct chan *,
		    const struct pktinfo *);
static struct chan_hello *chan_hello_new(struct chan *,
		    const struct pktinfo *);
static void	chan_hello_drop(struct chan *, struct chan_hello *, int);
static int	chan_hello_more(struct chan *, struct chan_hello *,
		    const struct pktinfo *, size_t, const uint8_t **, size_t *);
static void	chan_tls_volume(struct chan *, const struct flowinfo *,
		    xtime_t, struct event *, int *, int);
static void	chan_tls_nosni(struct chan *, const struct flowinfo *,
		    xtime_t, struct event *, int *, int);
static void	chan_dns_encrypted(struct chan *, const struct flowinfo *,
		    xtime_t, struct event *, int *, int);

static int
chan_tls_rd16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static size_t
chan_tls_rd24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/*
 * Walk record header, handshake header, the fixed ClientHello fields and
 * the extensions; every length is checked against what is there.  Data
 * cut short (a later segment, a small snaplen) answers -2, data that
 * cannot be a ClientHello -1.
 */
int
chan_tls_sni(const uint8_t *p, size_t len, const uint8_t **sni,
    size_t *snilen)
{
	size_t reclen, hlen, avail, off, l, ext_end, e, list_end;
	const uint8_t *b;
	int cut;

	*sni = NULL;
	*snilen = 0;
	if (len < 1 || p[0] != 0x16)
		return -1;
	if (len < 2)
		return -2;
	if (p[1] != 3)
		return -1;
	if (len < 6)
		return -2;
	if (p[5] != 1)		/* handshake type: client_hello */
		return -1;
	reclen = (size_t)chan_tls_rd16(p + 3);
	if (reclen < 4)
		return -1;
	if (len < 9)
		return -2;
	hlen = chan_tls_rd24(p + 6);
	b = p + 9;
	/* What of the hello body we have: cut by the record or the capture. */
	avail = len - 9;
	if (avail > reclen - 4)
		avail = reclen - 4;
	cut = avail < hlen;
	if (avail > hlen)
		avail = hlen;
#define NEED(n)	do { if (off + (n) > avail) return cut ? -2 : -1; } while (0)
	off = 0;
	NEED(34);		/* client_version, random */
	off += 34;
	NEED(1);		/* session id */
	l = b[off];
	off += 1;
	NEED(l);
	off += l;
	NEED(2);		/* cipher suites */
	l = (size_t)chan_tls_rd16(b + off);
	off += 2;
	NEED(l);
	off += l;
	NEED(1);		/* compression methods */
	l = b[off];
	off += 1;
	NEED(l);
	off += l;
	if (off == avail && !cut)
		return 0;	/* no extensions at all */
	NEED(2);
	l = (size_t)chan_tls_rd16(b + off);
	off += 2;
	ext_end = off + l;
	while (off + 4 <= ext_end) {
		NEED(4);
		e = (size_t)chan_tls_rd16(b + off);
		l = (size_t)chan_tls_rd16(b + off + 2);
		off += 4;
		if (off + l > ext_end)
			return -1;
		if (e != 0) {	/* not server_name */
			NEED(l);
			off += l;
			continue;
		}
		NEED(2);
		list_end = off + 2 + (size_t)chan_tls_rd16(b + off);
		if (list_end > off + l)
			return -1;
		off += 2;
		while (off + 3 <= list_end) {
			NEED(3);
			e = b[off];
			l = (size_t)chan_tls_rd16(b + off + 1);
			off += 3;
			if (off + l > list_end)
				return -1;
			NEED(l);
			if (e == 0 && l > 0) {	/* host_name */
				*sni = b + off;
				*snilen = l;
				return 1;
			}
			off += l;
		}
		return 0;
	}
#undef NEED
	return cut ? -2 : 0;
}

static int
chan_alnum(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= 'a' && ch <= 'z');
}

int
chan_snicat_match(const char *s, size_t len, size_t *rest)
{
	static const char *const words[] = { "LIST", "LS", "SIZE", "LD",
	    "CB", "CD", "EX", "ALIVE", "EXIT", "WHERE", "finito", NULL };
	size_t j, i, wl;
	int w;

	for (j = 0; j + 18 <= len; j++) {
		if (s[j] != '-' || s[j + 17] != '.')
			continue;
		for (i = 1; i <= 16; i++)
			if (!chan_alnum((unsigned char)s[j + i]))
				break;
		if (i <= 16)
			continue;
		for (w = 0; words[w] != NULL; w++) {
			wl = strlen(words[w]);
			if (wl <= j && memcmp(s + j - wl, words[w], wl) == 0) {
				*rest = j + 18;
				return 1;
			}
		}
	}
	return 0;
}

/* For the reason sentence only; the event's domain keeps the raw bytes. */
static void
chan_printable(char *dst, size_t dlen, const char *s, size_t len)
{
	size_t i;

	if (dlen == 0)
		return;
	for (i = 0; i < len && i + 1 < dlen; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
}

static void
chan_snicat(struct chan *c, const struct pktinfo *pi, const char *name,
    size_t len, struct event *out, int *n, int maxout)
{
	const struct chan_tls_snicat_params *p = &c->tls_snicat;
	xtime_t ts = pi->m->ts;
	const char *dom;
	char sample[72], dshow[72], b1[32];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;
	size_t rest, dlen;

	if (!chan_snicat_match(name, len, &rest))
		return;
	dom = name + rest;
	dlen = len - rest;
	if (dlen == 0) {	/* "LIST-<16>." alone: key on the whole name */
		dom = name;
		dlen = len;
	}
	chan_key_set(&k, CK_TLS_SNICAT, pi->host, NULL, 0, 0, dom, dlen);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, 0, 1, 0, 0, &sum);
	if (sum.count < (uint64_t)p->min_count ||
	    !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_event(c, out, n, maxout, DET_TLS_SNICAT, ts, e)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->dst = *pi->remote;
	ev->has_dst = 1;
	ev->dport = pi->rport;
	ev->sport = pi->hport;
	ev->proto = 6;
	ev->start = sum.first;
	ev->count = sum.count;
	ev->window = p->window;
	/* The pattern is specific: high from the first hello. */
	ev->score = chan_score((double)sum.count, (double)p->min_count) * 0.4 +
	    60;
	if (ev->score > 100)
		ev->score = 100;
	if (dlen >= sizeof(ev->domain))
		dlen = sizeof(ev->domain) - 1;
	memcpy(ev->domain, dom, dlen);
	ev->domain[dlen] = '\0';
	snprintf(ev->app, sizeof(ev->app), "TLS");
	chan_printable(sample, sizeof(sample), name, len);
	chan_printable(dshow, sizeof(dshow), dom, dlen);
	snprintf(ev->reason, sizeof(ev->reason),
	    "%llu TLS ClientHello%s naming servers under %s in the SNIcat "
	    "command pattern, e.g. %s, in %s",
	    (unsigned long long)sum.count, sum.count == 1 ? "" : "s", dshow,
	    sample, chan_fmt_dur(p->window, b1, sizeof(b1)));
	event_comp(ev, "snicat_hellos", (double)sum.count);
}

/* The hello in pieces of this connection; drops ones left waiting. */
static struct chan_hello *
chan_hello_find(struct chan *c, const struct pktinfo *pi)
{
	struct chan_hello *h;
	int i;

	for (i = 0; i < CHAN_HELLOS && c->nhellos > 0; i++) {
		h = &c->hellos[i];
		if (h->ts == 0)
			continue;
		if (h->slot == pi->m->slot && h->gen == pi->m->gen &&
		    h->hport == pi->hport && h->rport == pi->rport &&
		    addr_eq(&h->host, pi->host) &&
		    addr_eq(&h->remote, pi->remote))
			return h;
		if (pi->m->ts - h->ts > CHAN_HELLO_IDLE)
			chan_hello_drop(c, h, 1);
	}
	return NULL;
}

/* A free buffer, else the one waiting longest (its hello is lost). */
static struct chan_hello *
chan_hello_new(struct chan *c, const struct pktinfo *pi)
{
	struct chan_hello *h, *old = NULL;
	int i;

	for (i = 0; i < CHAN_HELLOS; i++) {
		h = &c->hellos[i];
		if (h->ts == 0) {
			old = h;
			break;
		}
		if (old == NULL || h->ts < old->ts)
			old = h;
	}
	h = old;
	if (h->ts != 0)
		chan_hello_drop(c, h, 1);
	c->nhellos++;
	h->host = *pi->host;
	h->remote = *pi->remote;
	h->hport = pi->hport;
	h->rport = pi->rport;
	h->slot = pi->m->slot;
	h->gen = pi->m->gen;
	h->len = 0;
	h->ts = pi->m->ts != 0 ? pi->m->ts : 1;	/* 0 marks a free buffer */
	return h;
}

static void
chan_hello_drop(struct chan *c, struct chan_hello *h, int lost)
{
	h->ts = 0;
	c->nhellos--;
	if (lost)
		c->st.tls_lost++;
}

/*
 * Add the next piece: -2 while the hello is still incomplete, else what
 * chan_tls_sni says of the whole, the buffer freed.  A piece out of order
 * or cut by the capture ends it (-1): there is no way to fill the hole.
 * Only the bytes up to the end of the hello's record are kept, and that
 * record was checked to fit the buffer when the first piece came.
 */
static int
chan_hello_more(struct chan *c, struct chan_hello *h, const struct pktinfo *pi,
    size_t cap, const uint8_t **sni, size_t *snilen)
{
	const uint8_t *p = pi->payload;
	int32_t d = (int32_t)(pi->m->tcp_seq - h->next_seq);
	size_t len = cap, skip;
	int r;

	if (d < 0) {		/* a retransmission, perhaps with more */
		skip = (size_t)-(int64_t)d;
		if (skip >= len)
			return -2;
		p += skip;
		len -= skip;
	} else if (d > 0) {
		chan_hello_drop(c, h, 1);
		return -1;
	}
	if (cap < pi->payload_len && len < h->need - h->len) {
		chan_hello_drop(c, h, 1);
		return -1;
	}
	if (len > h->need - h->len)
		len = h->need - h->len;
	memcpy(h->buf + h->len, p, len);
	h->len += (uint32_t)len;
	h->next_seq += (uint32_t)len;
	h->ts = pi->m->ts != 0 ? pi->m->ts : 1;
	if ((r = chan_tls_sni(h->buf, h->len, sni, snilen)) == -2)
		return -2;
	/* The buffer stays as it is until reused: *sni may point into it. */
	chan_hello_drop(c, h, 0);
	if (r == 1)
		c->st.tls_reassembled++;
	return r;
}

int
chan_tls_packet(struct chan *c, const struct pktinfo *pi, struct event *out,
    int *n, int maxout)
{
	const uint8_t *sni;
	struct chan_hello *h;
	size_t cap, snilen, need;
	int r;

	if (pi->payload == NULL || pi->host == NULL || pi->remote == NULL)
		return 0;
	cap = pi->payload_caplen < pi->payload_len ? pi->payload_caplen :
	    pi->payload_len;
	if (cap < 1)
		return 0;
	if ((h = chan_hello_find(c, pi)) != NULL) {
		if (chan_hello_more(c, h, pi, cap, &sni, &snilen) != 1)
			return 1;
		chan_snicat(c, pi, (const char *)sni, snilen, out, n, maxout);
		return 1;
	}
	if (pi->payload[0] != 0x16)
		return 0;
	r = chan_tls_sni(pi->payload, cap, &sni, &snilen);
	if (r == -1)
		return 0;
	c->st.tls_hellos++;
	if (r == -2) {
		c->st.tls_truncated++;
		/*
		 * Reassembled only when the whole handshake message is in
		 * its one record and the record fits the buffer: a hello
		 * spread over several records would never parse here.
		 */
		need = cap >= 9 ? 5 + (size_t)chan_tls_rd16(pi->payload + 3) :
		    0;
		if (cap == pi->payload_len && need > cap &&
		    need <= CHAN_HELLO_MAX &&
		    chan_tls_rd24(pi->payload + 6) + 9 <= need) {
			h = chan_hello_new(c, pi);
			memcpy(h->buf, pi->payload, cap);
			h->len = (uint32_t)cap;
			h->need = (uint32_t)need;
			h->next_seq = pi->m->tcp_seq + (uint32_t)cap;
			return 1;
		}
		/* Cut by the capture: nDPI's name, if it has one yet. */
		if (pi->dpi == NULL || pi->dpi->name[0] == '\0')
			return 1;
		sni = (const uint8_t *)pi->dpi->name;
		snilen = strnlen(pi->dpi->name, sizeof(pi->dpi->name));
	} else if (r == 0)
		return 1;
	chan_snicat(c, pi, (const char *)sni, snilen, out, n, maxout);
	return 1;
}

static void
chan_tls_volume(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	const struct chan_tls_volume_params *p = &c->tls_volume;
	const char *name = fi->server_name;
	char b1[32], b2[32], b3[32];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;

	if (name == NULL || name[0] == '\0' ||
	    fi->master_proto == NDPI_PROTOCOL_DNS ||
	    fi->app_proto == NDPI_PROTOCOL_DNS)
		return;
	chan_key_set(&k, CK_TLS_VOLUME, fi->host, NULL, 0, 0, name,
	    strlen(name));
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, fi->sent, 1, 0, 0, &sum);
	if (sum.bytes <= p->max_bytes || !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_rec_event(c, out, n, maxout, DET_TLS_HIGH_VOLUME, ts,
	    e, fi, &sum, p->window)) == NULL)
		return;
	ev->score = chan_score((double)sum.bytes, (double)p->max_bytes);
	snprintf(ev->domain, sizeof(ev->domain), "%s", name);
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app ? fi->app : "");
	snprintf(ev->reason, sizeof(ev->reason),
	    "%s sent to %s in %s (threshold %s)",
	    chan_fmt_bytes(sum.bytes, b1, sizeof(b1)), e->k.name,
	    chan_fmt_dur(p->window, b2, sizeof(b2)),
	    chan_fmt_bytes(p->max_bytes, b3, sizeof(b3)));
	event_comp(ev, "tls_volume_bytes", (double)sum.bytes);
}

static void
chan_tls_nosni(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	const struct chan_tls_nosni_params *p = &c->tls_nosni;
	char b1[32], b2[32], b3[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;
	xtime_t first;
	int is_tls, missing, is_new;

	is_tls = fi->master_proto == NDPI_PROTOCOL_TLS ||
	    fi->app_proto == NDPI_PROTOCOL_TLS;
	missing = (fi->risk & (1ULL << NDPI_TLS_MISSING_SNI)) != 0 ||
	    (is_tls && (fi->server_name == NULL || fi->server_name[0] == '\0'));
	if (!missing)
		return;
	chan_key_set(&k, CK_TLS_NOSNI, fi->host, fi->remote, 0, 0, NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, fi->sent, 1, 0, 0, &sum);
	first = chan_seen_first(c, CK_SEEN_TLS_REMOTE, fi->host,
	    (const char *)fi->remote->a, sizeof(fi->remote->a), ts);
	if (sum.bytes <= p->max_bytes || !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_rec_event(c, out, n, maxout, DET_TLS_NO_SNI_UPLOAD, ts,
	    e, fi, &sum, p->window)) == NULL)
		return;
	is_new = first >= sum.first;
	ev->score = chan_score((double)sum.bytes, (double)p->max_bytes) +
	    (is_new ? 15 : 0);
	if (ev->score > 100)
		ev->score = 100;
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app ? fi->app : "TLS");
	snprintf(ev->reason, sizeof(ev->reason),
	    "%s sent over TLS without a server name to %s port %u in %s "
	    "(threshold %s)%s", chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
	    addr_ntop(fi->remote, ra, sizeof(ra)), fi->rport,
	    chan_fmt_dur(p->window, b2, sizeof(b2)),
	    chan_fmt_bytes(p->max_bytes, b3, sizeof(b3)),
	    is_new ? "; no such TLS from this host to it before" : "");
	event_comp(ev, "nosni_bytes", (double)sum.bytes);
	event_comp(ev, "nosni_new_remote", is_new);
}

/*
 * DNS over HTTPS or TLS hides the names dnstun would judge, so a tunnel
 * through it (dns2tcp or dnstt with a DoH transport) shows only as TLS to
 * a resolver.  Two things still give it away.  Browsers and operating
 * systems name the resolver they talk to (cloudflare-dns.com, dns.google):
 * a TLS session without a server name to a public resolver's address comes
 * from a tool that builds its own client.  And a tunnel moves far more
 * than lookups do: a busy workstation sends some hundred kilobytes of
 * queries in ten minutes, a tunnel megabytes.  Resolvers are known by
 * address (rules/dns-resolvers.txt) or by nDPI naming the flow DoH_DoT.
 * A client configured with an address for a URL (https://1.1.1.1/...)
 * sends no name either, as TLS forbids addresses there: it bypasses the
 * resolver the network watches all the same, and is one allowlist line
 * away when sanctioned.
 */
static void
chan_dns_encrypted(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	const struct chan_dns_encrypted_params *p = &c->dns_encrypted;
	const char *name = fi->server_name;
	char b1[32], b2[32], b3[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;
	int listed, doh, tls, named, nosni;

	if (fi->rec != NULL && fi->rec->proto != 6)
		return;
	doh = fi->master_proto == NDPI_PROTOCOL_DOH_DOT ||
	    fi->app_proto == NDPI_PROTOCOL_DOH_DOT;
	tls = doh || fi->master_proto == NDPI_PROTOCOL_TLS ||
	    fi->app_proto == NDPI_PROTOCOL_TLS ||
	    (fi->risk & (1ULL << NDPI_TLS_MISSING_SNI)) != 0;
	listed = netset_contains(&c->resolvers, fi->remote);
	named = name != NULL && name[0] != '\0';
	/*
	 * A named flow is DNS only if nDPI knows the name for a DoH server:
	 * a resolver's address may also serve other names.
	 */
	if (!doh && !(listed && tls && !named))
		return;
	nosni = listed && !named && chan_port_in(chan_ports_get(c,
	    PL_DOH_NOSNI, p->nosni_ports), fi->rport);
	chan_key_set(&k, CK_DNS_ENCRYPTED, fi->host, fi->remote, 0, 0, NULL,
	    0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, fi->sent, 1, nosni ? fi->sent : 0, 0,
	    &sum);
	if ((sum.aux == 0 && sum.bytes <= p->max_bytes) ||
	    !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_rec_event(c, out, n, maxout, DET_DNS_ENCRYPTED, ts,
	    e, fi, &sum, p->window)) == NULL)
		return;
	/* The session that tipped it may have begun before its record. */
	ev->start = fi->rec != NULL && fi->rec->first < sum.first ?
	    fi->rec->first : sum.first;
	ev->score = chan_score((double)sum.bytes, (double)p->max_bytes);
	if (sum.aux > 0 && ev->score < 60)
		ev->score = 60;	/* the missing name is enough on its own */
	if (named)
		snprintf(ev->domain, sizeof(ev->domain), "%s", name);
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app != NULL &&
	    fi->app[0] != '\0' ? fi->app : "TLS");
	addr_ntop(fi->remote, ra, sizeof(ra));
	if (sum.aux > 0)
		snprintf(ev->reason, sizeof(ev->reason),
		    "TLS without a server name to the public DNS resolver %s "
		    "port %u: encrypted DNS from a client that does not name "
		    "its resolver, as DNS-tunnel tools do; %s sent in %s", ra,
		    fi->rport, chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
		    chan_fmt_dur(p->window, b2, sizeof(b2)));
	else
		snprintf(ev->reason, sizeof(ev->reason),
		    "%s of encrypted DNS sent to the resolver %s%s%s%s port %u "
		    "in %s (threshold %s): a tunnel's volume, not lookups'",
		    chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
		    named ? name : "", named ? " (" : "", ra,
		    named ? ")" : "", fi->rport,
		    chan_fmt_dur(p->window, b2, sizeof(b2)),
		    chan_fmt_bytes(p->max_bytes, b3, sizeof(b3)));
	event_comp(ev, "doh_bytes", (double)sum.bytes);
	event_comp(ev, "doh_no_sni", sum.aux > 0);
}

void
chan_tls_record(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	if (chan_rec_outbound(fi, c->tls_volume.internal))
		chan_tls_volume(c, fi, ts, out, n, maxout);
	if (chan_rec_outbound(fi, c->tls_nosni.internal))
		chan_tls_nosni(c, fi, ts, out, n, maxout);
	if (chan_rec_outbound(fi, c->dns_encrypted.internal))
		chan_dns_encrypted(c, fi, ts, out, n, maxout);
}
