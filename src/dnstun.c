/*
 * dnstun.c: DNS tunnel, exfiltration and misuse signals per internal host.
 *
 * Each parsed message is charged to its internal client: a query to its
 * source, an answer to its destination.  Per (client, registered domain)
 * two half-window buckets hold query counts, subdomain bytes, label and
 * entropy sums, answer figures and a 256-register HyperLogLog of distinct
 * subdomains (4-bit registers, 128 bytes; relative error about 6.5%, and
 * under 5% below a few hundred names where linear counting takes over).
 * The window is the current bucket plus the previous one, so it covers
 * between half a window and a whole one: bounded memory, no per-query
 * history.  Per internal host, the same two-bucket counters hold failed
 * lookups per rcode class, DNS off port 53 and non-DNS on port 53.
 *
 * Both tables are fixed pools indexed by an open-addressing hash; the
 * pool is kept in LRU order so a full table evicts the entry that was
 * updated longest ago, and counts it, rather than refusing new hosts
 * (which would hide exactly the newest tunnel).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnstun.h"
#include "yamldoc.h"

enum {
	DT_SIG_AGG,		/* many distinct subdomains in the window */
	DT_SIG_SINGLE,		/* one long high-entropy subdomain */
	DT_SIG_LEX,		/* one deep unpronounceable subdomain */
	DT_SIG_LONGTXT,
	DT_SIG_MAX
};

#define DT_NEVER	INT64_MIN

const struct param_desc dnstun_tunnel_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct dnstun_tunnel_params, window), 1, 86400, "5m",
	    "window over which distinct subdomains and bytes are counted" },
	{ "min_subdomains", PT_INT,
	    offsetof(struct dnstun_tunnel_params, min_subdomains), 1, 1e7,
	    "50", "distinct subdomains of one registered domain that mean a "
	    "tunnel when the names also look encoded" },
	{ "max_subdomains", PT_INT,
	    offsetof(struct dnstun_tunnel_params, max_subdomains), 1, 1e7,
	    "1000", "distinct subdomains that mean a tunnel on their own" },
	{ "min_entropy", PT_DOUBLE,
	    offsetof(struct dnstun_tunnel_params, min_entropy), 0, 8, "3.8",
	    "mean subdomain entropy (bits per byte) that looks encoded; "
	    "base32 and base64 labels of 24 bytes or more reach it, names "
	    "of words and numbers seldom do" },
	{ "min_rare_share", PT_DOUBLE,
	    offsetof(struct dnstun_tunnel_params, min_rare_share), 0, 1,
	    "0.5", "share of NULL, TXT, MX, CNAME, ANY and private-type "
	    "queries that looks like a tunnel" },
	{ "min_hex_share", PT_DOUBLE,
	    offsetof(struct dnstun_tunnel_params, min_hex_share), 0, 1,
	    "0.5", "share of queries with a long hex label that looks "
	    "like a tunnel (hex has at most 4 bits of entropy)" },
	{ "hex_min_label", PT_INT,
	    offsetof(struct dnstun_tunnel_params, hex_min_label), 1, 63,
	    "16", "bytes of hex, with digits and letters, that make a label "
	    "look encoded" },
	{ "min_name_bytes", PT_SIZE,
	    offsetof(struct dnstun_tunnel_params, min_name_bytes), 0, 1e12,
	    "10KB", "bytes of distinct subdomains sent to one domain that "
	    "look like a tunnel (Splunk: 10,000 per source)" },
	{ "single_min_len", PT_INT,
	    offsetof(struct dnstun_tunnel_params, single_min_len), 1, 253,
	    "52", "one query: subdomain bytes of an exfiltration query" },
	{ "single_min_label", PT_INT,
	    offsetof(struct dnstun_tunnel_params, single_min_label), 1, 63,
	    "40", "one query: its longest label (keeps 36-byte GUIDs out)" },
	{ "single_min_entropy", PT_DOUBLE,
	    offsetof(struct dnstun_tunnel_params, single_min_entropy), 0, 8,
	    "4.0", "one query: subdomain entropy, bits per byte" },
	{ "lex_min_labels", PT_INT,
	    offsetof(struct dnstun_tunnel_params, lex_min_labels), 1, 127,
	    "3", "one query: subdomain labels of a deep random name" },
	{ "lex_min_consonants", PT_INT,
	    offsetof(struct dnstun_tunnel_params, lex_min_consonants), 0, 63,
	    "8", "one query: consonants in a row that no word has; 0 turns "
	    "the deep random name signal off" },
	{ "lex_min_entropy", PT_DOUBLE,
	    offsetof(struct dnstun_tunnel_params, lex_min_entropy), 0, 8,
	    "3.5", "one query: subdomain entropy of a deep random name" },
	{ NULL }
};

const struct param_desc dnstun_failures_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct dnstun_failures_params, window), 1, 86400, "5m",
	    "window over which failed lookups are counted" },
	{ "max_failures", PT_INT,
	    offsetof(struct dnstun_failures_params, max_failures), 1, 1e9,
	    "50", "alert when a host gets more failed answers of one rcode "
	    "than this (Splunk: 50)" },
	{ NULL }
};

const struct param_desc dnstun_long_txt_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct dnstun_long_txt_params, window), 1, 86400, "5m",
	    "window over which long TXT answers are counted" },
	{ "min_len", PT_INT,
	    offsetof(struct dnstun_long_txt_params, min_len), 1, 65535,
	    "100", "characters that make a TXT record long (Splunk: 100)" },
	{ "min_count", PT_INT,
	    offsetof(struct dnstun_long_txt_params, min_count), 1, 1e9,
	    "10", "long TXT answers from one registered domain that alert; "
	    "SPF, DKIM and site verification records stay below" },
	{ "max_len", PT_INT,
	    offsetof(struct dnstun_long_txt_params, max_len), 1, 65535,
	    "1000", "one TXT record this long alerts on its own" },
	{ NULL }
};

const struct param_desc dnstun_nonstd_port_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct dnstun_nonstd_port_params, window), 1, 86400,
	    "5m", "window over which DNS messages off port 53 are counted" },
	{ "min_messages", PT_INT,
	    offsetof(struct dnstun_nonstd_port_params, min_messages), 1, 1e9,
	    "5", "parsed DNS messages on other ports (mDNS, LLMNR and "
	    "NetBIOS excepted) that alert" },
	{ NULL }
};

const struct param_desc dnstun_not_dns_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct dnstun_not_dns_params, window), 1, 86400, "5m",
	    "window over which non-DNS payloads on port 53 are counted" },
	{ "min_packets", PT_INT,
	    offsetof(struct dnstun_not_dns_params, min_packets), 1, 1e9,
	    "10", "payloads to or from port 53 that do not parse as DNS and "
	    "alert (raw tunnels such as iodine's UDP mode, VPNs on 53)" },
	{ NULL }
};

static const char *const dt_rc_names[DNSTUN_RC_CLASSES] = {
	"FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "other-error"
};

/* Context of one message while it is being charged. */
struct dt_msg {
	xtime_t			 ts;
	const addr_t		*client, *server;
	uint16_t		 sport, dport;
	int			 tcp;
	const struct dns_msg	*m;
	struct event		*out;
	int			 maxout, nout;
};

static int	dt_table_init(struct dnstun_table *, size_t, size_t,
		    uint64_t *);
static void	dt_table_free(struct dnstun_table *);
static void	*dt_ent(const struct dnstun_table *, uint32_t);
static void	dt_lru_unlink(struct dnstun_table *, uint32_t);
static void	dt_lru_push(struct dnstun_table *, uint32_t);
static void	dt_slot_delete(struct dnstun_table *, uint32_t);
static uint32_t	dt_take(struct dnstun_table *, uint64_t, uint64_t *);
static uint64_t	dt_mix(uint64_t);
static uint64_t	dt_fnv(uint64_t, const void *, size_t);
static struct dnstun_dom *dt_dom_get(struct dnstun *, const addr_t *,
		    const char *, xtime_t);
static struct dnstun_host *dt_host_get(struct dnstun *, const addr_t *);
static int	dt_resolver_is(const struct dnstun *, const addr_t *);
static void	dt_resolver_mark(struct dnstun *, const addr_t *, xtime_t);
static int64_t	dt_epoch(xtime_t, xtime_t);
static void	dt_ctr_add(struct dnstun_ctr *, xtime_t, xtime_t, uint32_t,
		    size_t);
static uint32_t	dt_ctr_sum(const struct dnstun_ctr *, xtime_t, xtime_t,
		    uint64_t *);
static int	dt_may_alert(xtime_t, xtime_t, xtime_t);
static struct dnstun_bucket *dt_bucket(struct dnstun_dom *, xtime_t,
		    xtime_t);
static void	dt_name_add(struct dnstun_bucket *, const char *, size_t,
		    size_t);
static void	dt_hll_add(uint8_t *, uint64_t);
static double	dt_hll_estimate(const struct dnstun_bucket *,
		    const struct dnstun_bucket *);
static int	dt_rare_type(uint16_t);
static int	dt_consonant_run(const char *, size_t);
static double	dt_score(double, double, double, double);
static void	dt_reason(struct event *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static struct event *dt_event(struct dnstun *, struct dt_msg *,
		    enum detector, const addr_t *, const char *, xtime_t);
static void	dt_domain(struct dnstun *, struct dt_msg *, const char *);
static void	dt_aggregate(struct dnstun *, struct dt_msg *,
		    struct dnstun_dom *);
static void	dt_single(struct dnstun *, struct dt_msg *,
		    struct dnstun_dom *);
static void	dt_long_txt(struct dnstun *, struct dt_msg *,
		    struct dnstun_dom *);
static void	dt_failure(struct dnstun *, struct dt_msg *);
static void	dt_nonstd(struct dnstun *, struct dt_msg *);
static void	dt_not_dns(struct dnstun *, xtime_t, const addr_t *,
		    const addr_t *, uint32_t, size_t, struct dt_msg *);
static void	dt_charge(struct dnstun *, struct dt_msg *, int, int,
		    const addr_t *, const addr_t *);

/* ---- parameters ---------------------------------------------------- */

/* ---- tables -------------------------------------------------------- */

static int
dt_table_init(struct dnstun_table *t, size_t max, size_t entsize,
    uint64_t *mem)
{
	size_t cap = 1;

	while (cap < max * 2)
		cap <<= 1;
	memset(t, 0, sizeof(*t));
	if ((t->slots = calloc(cap, sizeof(*t->slots))) == NULL)
		return -1;
	if ((t->ents = mem_touch(calloc(max, entsize), max * entsize)) == NULL) {
		free(t->slots);
		t->slots = NULL;
		return -1;
	}
	t->mask = (uint32_t)(cap - 1);
	t->entsize = entsize;
	t->max = (uint32_t)max;
	*mem += cap * sizeof(*t->slots) + max * entsize;
	return 0;
}

static void
dt_table_free(struct dnstun_table *t)
{
	free(t->slots);
	free(t->ents);
	memset(t, 0, sizeof(*t));
}

/* Entries start with hash, prev, next: the same in both entry types. */
struct dt_node {
	uint64_t	 hash;
	uint32_t	 prev, next;
};

static void *
dt_ent(const struct dnstun_table *t, uint32_t i)
{
	return (char *)t->ents + (size_t)i * t->entsize;
}

static void
dt_lru_unlink(struct dnstun_table *t, uint32_t i)
{
	struct dt_node *n = dt_ent(t, i);

	if (n->prev != 0)
		((struct dt_node *)dt_ent(t, n->prev - 1))->next = n->next;
	else
		t->head = n->next;
	if (n->next != 0)
		((struct dt_node *)dt_ent(t, n->next - 1))->prev = n->prev;
	else
		t->tail = n->prev;
	n->prev = n->next = 0;
}

static void
dt_lru_push(struct dnstun_table *t, uint32_t i)
{
	struct dt_node *n = dt_ent(t, i);

	n->prev = 0;
	n->next = t->head;
	if (t->head != 0)
		((struct dt_node *)dt_ent(t, t->head - 1))->prev = i + 1;
	t->head = i + 1;
	if (t->tail == 0)
		t->tail = i + 1;
}

/* Remove entry i from the index; backward-shift keeps probing exact. */
static void
dt_slot_delete(struct dnstun_table *t, uint32_t i)
{
	struct dt_node *n = dt_ent(t, i);
	uint32_t s, j, k;

	for (s = (uint32_t)n->hash & t->mask; t->slots[s] != i + 1;
	    s = (s + 1) & t->mask)
		;
	for (j = s;;) {
		j = (j + 1) & t->mask;
		if (t->slots[j] == 0)
			break;
		k = (uint32_t)((struct dt_node *)dt_ent(t,
		    t->slots[j] - 1))->hash & t->mask;
		/* Move the entry back unless its home lies in (s, j]. */
		if ((j > s && (k <= s || k > j)) ||
		    (j < s && k <= s && k > j)) {
			t->slots[s] = t->slots[j];
			s = j;
		}
	}
	t->slots[s] = 0;
}

/*
 * A free entry for a new key of this hash, evicting the least recently
 * used one when the pool is full; its slot is filled, the entry zeroed.
 */
static uint32_t
dt_take(struct dnstun_table *t, uint64_t hash, uint64_t *evicted)
{
	struct dt_node *n;
	uint32_t i, s;

	if (t->used < t->max)
		i = t->used++;
	else {
		i = t->tail - 1;
		dt_slot_delete(t, i);
		dt_lru_unlink(t, i);
		(*evicted)++;
	}
	n = dt_ent(t, i);
	memset(n, 0, t->entsize);
	n->hash = hash;
	for (s = (uint32_t)hash & t->mask; t->slots[s] != 0;
	    s = (s + 1) & t->mask)
		;
	t->slots[s] = i + 1;
	dt_lru_push(t, i);
	return i;
}

/* splitmix64's finaliser: FNV alone leaves the low bits poorly mixed. */
static uint64_t
dt_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
dt_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct dnstun_dom *
dt_dom_get(struct dnstun *d, const addr_t *host, const char *domain,
    xtime_t ts)
{
	struct dnstun_table *t = &d->doms;
	struct dnstun_dom *e;
	size_t dlen = strnlen(domain, DNSTUN_DOMLEN - 1);
	uint64_t h;
	uint32_t s, i;
	int k;

	h = dt_fnv(0xcbf29ce484222325ULL, host->a, sizeof(host->a));
	h = dt_mix(dt_fnv(h, domain, dlen));
	for (s = (uint32_t)h & t->mask; t->slots[s] != 0;
	    s = (s + 1) & t->mask) {
		e = dt_ent(t, t->slots[s] - 1);
		if (e->hash == h && addr_eq(&e->host, host) &&
		    strncmp(e->domain, domain, dlen) == 0 &&
		    e->domain[dlen] == '\0') {
			if (t->head != t->slots[s]) {
				dt_lru_unlink(t, t->slots[s] - 1);
				dt_lru_push(t, t->slots[s] - 1);
			}
			return e;
		}
	}
	i = dt_take(t, h, &d->st.dom_evicted);
	e = dt_ent(t, i);
	e->host = *host;
	memcpy(e->domain, domain, dlen);
	e->domain[dlen] = '\0';
	e->first = ts;
	e->b[0].epoch = e->b[1].epoch = INT64_MIN;
	for (k = 0; k < DT_SIG_MAX; k++)
		e->alerted[k] = DT_NEVER;
	return e;
}

static struct dnstun_host *
dt_host_get(struct dnstun *d, const addr_t *host)
{
	struct dnstun_table *t = &d->hosts;
	struct dnstun_host *e;
	uint64_t h;
	uint32_t s, i;
	int k;

	h = dt_mix(dt_fnv(0xcbf29ce484222325ULL, host->a, sizeof(host->a)));
	for (s = (uint32_t)h & t->mask; t->slots[s] != 0;
	    s = (s + 1) & t->mask) {
		e = dt_ent(t, t->slots[s] - 1);
		if (e->hash == h && addr_eq(&e->host, host)) {
			if (t->head != t->slots[s]) {
				dt_lru_unlink(t, t->slots[s] - 1);
				dt_lru_push(t, t->slots[s] - 1);
			}
			return e;
		}
	}
	i = dt_take(t, h, &d->st.host_evicted);
	e = dt_ent(t, i);
	e->host = *host;
	for (k = 0; k < DNSTUN_RC_CLASSES; k++)
		e->fail_alerted[k] = DT_NEVER;
	e->notdns_alerted = e->nonstd_alerted = DT_NEVER;
	return e;
}

/* The resolver set is small: a linear scan beats a hash at this size. */
static int
dt_resolver_is(const struct dnstun *d, const addr_t *a)
{
	int i;

	for (i = 0; i < d->nresolvers; i++)
		if (addr_eq(&d->resolvers[i].addr, a))
			return 1;
	return 0;
}

static void
dt_resolver_mark(struct dnstun *d, const addr_t *a, xtime_t ts)
{
	int i, old = 0;

	for (i = 0; i < d->nresolvers; i++) {
		if (addr_eq(&d->resolvers[i].addr, a)) {
			d->resolvers[i].last = ts;
			return;
		}
		if (d->resolvers[i].last < d->resolvers[old].last)
			old = i;
	}
	if (d->nresolvers < DNSTUN_RESOLVERS)
		i = d->nresolvers++;
	else {
		i = old;
		d->st.resolver_evicted++;
	}
	d->resolvers[i].addr = *a;
	d->resolvers[i].last = ts;
}

/* ---- windows ------------------------------------------------------- */

static int64_t
dt_epoch(xtime_t ts, xtime_t window)
{
	xtime_t half = window / 2 > 0 ? window / 2 : 1;

	return ts / half;
}

/* Packets a little out of order land in the newest bucket. */
static void
dt_ctr_add(struct dnstun_ctr *c, xtime_t ts, xtime_t window, uint32_t n,
    size_t bytes)
{
	int64_t e = dt_epoch(ts, window);

	if (e > c->epoch) {
		c->prev = e == c->epoch + 1 ? c->cur : 0;
		c->bprev = e == c->epoch + 1 ? c->bcur : 0;
		c->cur = 0;
		c->bcur = 0;
		c->epoch = e;
	}
	c->cur += n;
	c->bcur += bytes;
}

/* Count in the window ending at ts; bytes too if asked. */
static uint32_t
dt_ctr_sum(const struct dnstun_ctr *c, xtime_t ts, xtime_t window,
    uint64_t *bytes)
{
	int64_t e = dt_epoch(ts, window);
	uint64_t b = 0;
	uint32_t n = 0;

	if (e <= c->epoch) {
		n = c->cur + c->prev;
		b = c->bcur + c->bprev;
	} else if (e == c->epoch + 1) {
		n = c->cur;
		b = c->bcur;
	}
	if (bytes != NULL)
		*bytes = b;
	return n;
}

/* One event per (host, domain, signal) per window at most. */
static int
dt_may_alert(xtime_t last, xtime_t ts, xtime_t window)
{
	return last == DT_NEVER || ts - last >= window;
}

static struct dnstun_bucket *
dt_bucket(struct dnstun_dom *e, xtime_t ts, xtime_t window)
{
	int64_t ep = dt_epoch(ts, window), newest;
	struct dnstun_bucket *b;

	newest = e->b[0].epoch > e->b[1].epoch ? e->b[0].epoch : e->b[1].epoch;
	if (ep < newest)
		ep = newest;
	b = &e->b[ep & 1];
	if (b->epoch != ep) {
		memset(b, 0, sizeof(*b));
		b->epoch = ep;
	}
	return b;
}

/* ---- features ------------------------------------------------------ */

/*
 * Add a subdomain to the bucket's HyperLogLog, and to its 512-bit filter
 * to learn the mean length of distinct names (bits 9-17 of the hash, which
 * the HyperLogLog's index and rank hardly use).
 */
static void
dt_name_add(struct dnstun_bucket *b, const char *s, size_t n, size_t bytes)
{
	uint64_t h = dt_mix(dt_fnv(0xcbf29ce484222325ULL, s, n));
	uint32_t bit = (uint32_t)(h >> 9) & 511;

	if (!(b->seen[bit >> 3] & (1 << (bit & 7)))) {
		b->seen[bit >> 3] |= (uint8_t)(1 << (bit & 7));
		b->new_names++;
		b->new_bytes += bytes;
	}
	dt_hll_add(b->hll, h);
	b->names++;
}

static void
dt_hll_add(uint8_t *hll, uint64_t h)
{
	uint32_t j = (uint32_t)(h >> 56);	/* 8 bits: 256 registers */
	uint64_t w = h << 8;
	uint8_t r, cur;

	r = w == 0 ? 57 : (uint8_t)(__builtin_clzll(w) + 1);
	if (r > 15)
		r = 15;
	cur = (j & 1) ? hll[j >> 1] >> 4 : hll[j >> 1] & 0x0f;
	if (r > cur)
		hll[j >> 1] = (j & 1) ?
		    (uint8_t)((hll[j >> 1] & 0x0f) | r << 4) :
		    (uint8_t)((hll[j >> 1] & 0xf0) | r);
}

/* Distinct names in the union of two buckets (b may be NULL). */
static double
dt_hll_estimate(const struct dnstun_bucket *a, const struct dnstun_bucket *b)
{
	const double m = DNSTUN_HLL_REGS;
	double sum = 0.0, est;
	int j, zeros = 0;
	uint8_t r, rb;

	for (j = 0; j < DNSTUN_HLL_REGS; j++) {
		r = (j & 1) ? a->hll[j >> 1] >> 4 : a->hll[j >> 1] & 0x0f;
		if (b != NULL) {
			rb = (j & 1) ? b->hll[j >> 1] >> 4 :
			    b->hll[j >> 1] & 0x0f;
			if (rb > r)
				r = rb;
		}
		if (r == 0)
			zeros++;
		sum += ldexp(1.0, -r);
	}
	est = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
	if (est <= 2.5 * m && zeros > 0)
		est = m * log(m / zeros);	/* linear counting */
	return est;
}

static int
dt_rare_type(uint16_t t)
{
	return t == DNS_T_NULL || t == DNS_T_TXT || t == DNS_T_MX ||
	    t == DNS_T_CNAME || t == DNS_T_ANY ||
	    (t >= DNS_T_PRIV_MIN && t <= DNS_T_PRIV_MAX);
}

/*
 * Longest run of consonant letters in the labels of s[0..n), IDN labels
 * skipped.  No word in any Latin-script language runs to eight; random
 * letters do, and so do many encoded payloads.  'y' counts as a vowel.
 */
static int
dt_consonant_run(const char *s, size_t n)
{
	size_t i;
	int run = 0, best = 0, idn;

	idn = n >= 4 && strncmp(s, "xn--", 4) == 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			run = 0;
			idn = n - i - 1 >= 4 &&
			    strncmp(s + i + 1, "xn--", 4) == 0;
			continue;
		}
		if (!idn && c >= 'a' && c <= 'z' &&
		    strchr("aeiouy", c) == NULL) {
			if (++run > best)
				best = run;
		} else
			run = 0;
	}
	return best;
}

/* base + 10 per doubling of value over threshold (up to cap), + extra. */
static double
dt_score(double base, double value, double threshold, double extra)
{
	double s = base;

	if (threshold > 0 && value > threshold)
		s += fmin(30.0, 10.0 * log2(value / threshold));
	s += extra;
	return fmin(100.0, fmax(0.0, s));
}

/* ---- events -------------------------------------------------------- */

/* A reason longer than the buffer is cut: the figures come first. */
static void
dt_reason(struct event *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->reason, sizeof(ev->reason), fmt, ap);
	va_end(ap);
}

static struct event *
dt_event(struct dnstun *d, struct dt_msg *x, enum detector det,
    const addr_t *host, const char *domain, xtime_t window)
{
	struct event *ev;

	if (x->nout >= x->maxout) {
		d->st.events_dropped++;
		return NULL;
	}
	ev = &x->out[x->nout++];
	memset(ev, 0, sizeof(*ev));
	ev->detector = det;
	ev->ts = x->ts;
	ev->start = x->ts - window;
	ev->host = *host;
	if (x->server != NULL) {
		ev->dst = *x->server;
		ev->has_dst = 1;
		ev->dport = x->m != NULL && x->m->is_response ? x->sport :
		    x->dport;
	}
	ev->proto = x->tcp ? 6 : 17;
	ev->window = window;
	snprintf(ev->app, sizeof(ev->app), "DNS");
	if (domain != NULL)
		snprintf(ev->domain, sizeof(ev->domain), "%s", domain);
	d->st.events++;
	return ev;
}

/* ---- signals ------------------------------------------------------- */

static void
dt_aggregate(struct dnstun *d, struct dt_msg *x, struct dnstun_dom *e)
{
	const struct dnstun_tunnel_params *p = &d->tunnel;
	const struct dnstun_bucket *c, *o;
	struct event *ev;
	char wbuf[32];
	double distinct, ent, rare, hex, lab, ubytes;
	uint64_t q, subq, sub, qb, ab, nx, nul, labels, lbytes;
	uint32_t maxl;
	int64_t ep;
	int signs;

	if (!dt_may_alert(e->alerted[DT_SIG_AGG], x->ts, p->window))
		return;
	ep = dt_epoch(x->ts, p->window);
	c = &e->b[ep & 1];
	if (c->epoch != ep)
		return;
	o = &e->b[(ep + 1) & 1];
	if (o->epoch != ep - 1)
		o = NULL;
	/* Cheap bound first: distinct names never exceed the names seen. */
#define SUM(f)	((uint64_t)c->f + (o != NULL ? (uint64_t)o->f : 0))
	if (SUM(names) < (uint64_t)p->min_subdomains)
		return;
	q = SUM(queries);
	subq = SUM(subq);
	distinct = fmin(dt_hll_estimate(c, o), (double)SUM(names));
	if (distinct < (double)p->min_subdomains)
		return;
	sub = SUM(sub_bytes);
	qb = SUM(query_bytes);
	ab = SUM(answer_bytes);
	nx = SUM(nxdomain);
	nul = SUM(null_answers);
	labels = SUM(labels);
	lbytes = SUM(label_bytes);
	maxl = c->maxlabel;
	if (o != NULL && o->maxlabel > maxl)
		maxl = o->maxlabel;
	ent = subq > 0 ? (c->entropy_sum + (o != NULL ? o->entropy_sum :
	    0.0)) / (double)subq : 0.0;
	rare = q > 0 ? (double)(c->rare + (o != NULL ? o->rare : 0)) /
	    (double)q : 0.0;
	hex = q > 0 ? (double)(c->hex + (o != NULL ? o->hex : 0)) /
	    (double)q : 0.0;
	lab = labels > 0 ? (double)lbytes / (double)labels : 0.0;
	/*
	 * Bytes of distinct names: a client asking one long CDN name a
	 * thousand times carries no data, a tunnel never repeats itself.
	 */
	ubytes = SUM(new_names) > 0 ? distinct * (double)SUM(new_bytes) /
	    (double)SUM(new_names) : 0.0;
#undef SUM
	signs = (ent >= p->min_entropy) + (hex >= p->min_hex_share) +
	    (rare >= p->min_rare_share) +
	    (ubytes >= (double)p->min_name_bytes);
	if (signs == 0 && distinct < (double)p->max_subdomains)
		return;
	if ((ev = dt_event(d, x, DET_DNS_TUNNEL, &e->host, e->domain,
	    p->window)) == NULL)
		return;
	e->alerted[DT_SIG_AGG] = x->ts;
	ev->start = e->first > x->ts - p->window ? e->first :
	    x->ts - p->window;
	ev->count = q;
	ev->bytes = qb;
	ev->score = dt_score(50.0, distinct, (double)p->min_subdomains,
	    5.0 * signs);
	dt_reason(ev, "%.0f distinct subdomains of %s in %s from %llu "
	    "queries: mean entropy %.1f bits, %.0f%% hex labels, mean label "
	    "%.0f bytes, %.0f%% NULL/TXT/MX/CNAME/ANY queries, %.0f bytes of "
	    "distinct names", distinct, e->domain,
	    yd_format_duration(p->window, wbuf, sizeof(wbuf)),
	    (unsigned long long)q, ent, 100.0 * hex, lab, 100.0 * rare,
	    ubytes);
	event_comp(ev, "distinct_subdomains", round(distinct));
	event_comp(ev, "queries", (double)q);
	event_comp(ev, "mean_entropy", ent);
	event_comp(ev, "mean_label", lab);
	event_comp(ev, "max_label", maxl);
	event_comp(ev, "rare_type_share", rare);
	event_comp(ev, "hex_share", hex);
	event_comp(ev, "subdomain_bytes", (double)sub);
	event_comp(ev, "distinct_name_bytes", round(ubytes));
	event_comp(ev, "answer_bytes", (double)ab);
	event_comp(ev, "nxdomain", (double)nx);
	event_comp(ev, "null_answers", (double)nul);
}

/* One query that carries a payload by itself, or a deep random name. */
static void
dt_single(struct dnstun *d, struct dt_msg *x, struct dnstun_dom *e)
{
	const struct dnstun_tunnel_params *p = &d->tunnel;
	const struct dns_msg *m = x->m;
	struct event *ev;
	int run = 0, sig;

	if (!dt_may_alert(e->alerted[DT_SIG_AGG], x->ts, p->window) ||
	    !dt_may_alert(e->alerted[DT_SIG_SINGLE], x->ts, p->window))
		return;
	if (m->sub_len >= p->single_min_len &&
	    m->sub_maxlabel >= p->single_min_label &&
	    m->sub_entropy >= p->single_min_entropy)
		sig = DT_SIG_SINGLE;
	else if (p->lex_min_consonants > 0 &&
	    m->sub_labels >= p->lex_min_labels &&
	    m->sub_entropy >= p->lex_min_entropy &&
	    (run = dt_consonant_run(m->qname, m->reg_off)) >=
	    p->lex_min_consonants &&
	    dt_may_alert(e->alerted[DT_SIG_LEX], x->ts, p->window))
		sig = DT_SIG_LEX;
	else
		return;
	if ((ev = dt_event(d, x, DET_DNS_TUNNEL, &e->host, e->domain,
	    p->window)) == NULL)
		return;
	e->alerted[sig] = x->ts;
	ev->start = x->ts;
	ev->count = 1;
	ev->bytes = m->is_response ? 0 : m->msg_len;
	if (sig == DT_SIG_SINGLE) {
		ev->score = dt_score(40.0, m->sub_len, p->single_min_len, 0);
		if (ev->score > 60.0)
			ev->score = 60.0;
		dt_reason(ev, "one query carries a %u-byte subdomain of %s "
		    "(longest label %u bytes, entropy %.1f bits), the shape "
		    "of encoded data", m->sub_len,
		    e->domain, m->sub_maxlabel, m->sub_entropy);
	} else {
		ev->score = 30.0;
		dt_reason(ev, "one query for a %u-label subdomain of %s "
		    "with %d consonants in a row (entropy %.1f bits), the "
		    "shape of random or encoded labels", m->sub_labels,
		    e->domain, run, m->sub_entropy);
	}
	event_comp(ev, "subdomain_bytes", m->sub_len);
	event_comp(ev, "subdomain_labels", m->sub_labels);
	event_comp(ev, "max_label", m->sub_maxlabel);
	event_comp(ev, "entropy", m->sub_entropy);
	event_comp(ev, "consonant_run", run > 0 ? run :
	    dt_consonant_run(m->qname, m->reg_off));
	event_comp(ev, "rcode", m->rcode);
}

static void
dt_long_txt(struct dnstun *d, struct dt_msg *x, struct dnstun_dom *e)
{
	const struct dnstun_long_txt_params *p = &d->long_txt;
	const struct dns_msg *m = x->m;
	struct event *ev;
	char wbuf[32];
	uint64_t bytes;
	uint32_t n;

	if (m->txt_max < (uint64_t)p->min_len)
		return;
	if (dt_ctr_sum(&e->long_txt, x->ts, p->window, NULL) == 0)
		e->txt_max = 0;
	dt_ctr_add(&e->long_txt, x->ts, p->window, 1, m->txt_chars);
	if (m->txt_max > e->txt_max)
		e->txt_max = m->txt_max;
	n = dt_ctr_sum(&e->long_txt, x->ts, p->window, &bytes);
	if (n < p->min_count && m->txt_max < (uint64_t)p->max_len)
		return;
	if (!dt_may_alert(e->alerted[DT_SIG_LONGTXT], x->ts, p->window))
		return;
	if ((ev = dt_event(d, x, DET_DNS_LONG_TXT, &e->host, e->domain,
	    p->window)) == NULL)
		return;
	e->alerted[DT_SIG_LONGTXT] = x->ts;
	ev->count = n;
	ev->score = m->txt_max >= (uint64_t)p->max_len ?
	    dt_score(50.0, m->txt_max, (double)p->max_len, 0) :
	    dt_score(40.0, n, (double)p->min_count, 0);
	dt_reason(ev, "%u TXT answers of %lld characters or more from %s "
	    "in %s, the longest %u",
	    n, (long long)p->min_len, e->domain,
	    yd_format_duration(p->window, wbuf, sizeof(wbuf)), e->txt_max);
	event_comp(ev, "long_txt_answers", n);
	event_comp(ev, "txt_max", e->txt_max);
	event_comp(ev, "txt_chars", (double)bytes);
}

static void
dt_failure(struct dnstun *d, struct dt_msg *x)
{
	const struct dnstun_failures_params *p = &d->failures;
	struct dnstun_host *h;
	struct event *ev;
	char wbuf[32];
	uint32_t n;
	int rc;

	rc = x->m->rcode >= 1 && x->m->rcode <= 5 ? x->m->rcode - 1 : 5;
	h = dt_host_get(d, x->client);
	dt_ctr_add(&h->fail[rc], x->ts, p->window, 1, 0);
	n = dt_ctr_sum(&h->fail[rc], x->ts, p->window, NULL);
	if (n <= p->max_failures ||
	    !dt_may_alert(h->fail_alerted[rc], x->ts, p->window))
		return;
	if ((ev = dt_event(d, x, DET_DNS_FAILURES, &h->host, NULL,
	    p->window)) == NULL)
		return;
	h->fail_alerted[rc] = x->ts;
	ev->count = n;
	ev->score = dt_score(50.0, n, (double)p->max_failures, 0);
	dt_reason(ev, "%u %s answers in %s, more than %lld", n,
	    dt_rc_names[rc],
	    yd_format_duration(p->window, wbuf, sizeof(wbuf)),
	    (long long)p->max_failures);
	event_comp(ev, "failures", n);
	event_comp(ev, "rcode", x->m->rcode);
}

static void
dt_nonstd(struct dnstun *d, struct dt_msg *x)
{
	const struct dnstun_nonstd_port_params *p = &d->nonstd_port;
	struct dnstun_host *h;
	struct event *ev;
	char wbuf[32];
	uint16_t port = x->m->is_response ? x->sport : x->dport;
	uint64_t bytes;
	uint32_t n;

	h = dt_host_get(d, x->client);
	dt_ctr_add(&h->nonstd, x->ts, p->window, 1, x->m->msg_len);
	n = dt_ctr_sum(&h->nonstd, x->ts, p->window, &bytes);
	if (n < p->min_messages ||
	    !dt_may_alert(h->nonstd_alerted, x->ts, p->window))
		return;
	if ((ev = dt_event(d, x, DET_DNS_NONSTD_PORT, &h->host, NULL,
	    p->window)) == NULL)
		return;
	h->nonstd_alerted = x->ts;
	ev->count = n;
	ev->bytes = bytes;
	ev->score = dt_score(50.0, n, (double)p->min_messages, 0);
	dt_reason(ev, "%u DNS messages to or from port %u in %s, not "
	    "port 53", n, port,
	    yd_format_duration(p->window, wbuf, sizeof(wbuf)));
	event_comp(ev, "messages", n);
	event_comp(ev, "port", port);
}

static void
dt_not_dns(struct dnstun *d, xtime_t ts, const addr_t *host,
    const addr_t *peer, uint32_t nbad, size_t len, struct dt_msg *x)
{
	const struct dnstun_not_dns_params *p = &d->not_dns;
	struct dnstun_host *h;
	struct event *ev;
	char wbuf[32];
	uint64_t bytes;
	uint32_t n;

	h = dt_host_get(d, host);
	dt_ctr_add(&h->notdns, ts, p->window, nbad, len);
	n = dt_ctr_sum(&h->notdns, ts, p->window, &bytes);
	if (n < p->min_packets ||
	    !dt_may_alert(h->notdns_alerted, ts, p->window))
		return;
	x->client = host;
	x->server = peer;
	if ((ev = dt_event(d, x, DET_DNS_NOT_DNS, &h->host, NULL,
	    p->window)) == NULL)
		return;
	ev->dport = 53;
	h->notdns_alerted = ts;
	ev->count = n;
	ev->bytes = bytes;
	ev->score = dt_score(50.0, n, (double)p->min_packets, 0);
	dt_reason(ev, "%u payloads (%llu bytes) to or from port 53 in %s "
	    "that are not DNS", n, (unsigned long long)bytes,
	    yd_format_duration(p->window, wbuf, sizeof(wbuf)));
	event_comp(ev, "packets", n);
}

/* Per (client, registered domain): buckets, then the signals. */
static void
dt_domain(struct dnstun *d, struct dt_msg *x, const char *domain)
{
	const struct dns_msg *m = x->m;
	struct dnstun_dom *e;
	struct dnstun_bucket *b;

	e = dt_dom_get(d, x->client, domain, x->ts);
	e->server = *x->server;
	b = dt_bucket(e, x->ts, d->tunnel.window);
	/*
	 * Answers repeat their query's name: they count only where no query
	 * was ever seen (a capture of one direction), so that names bounds
	 * the estimate exactly.
	 */
	if (m->sub_labels > 0 && (!m->is_response || !e->saw_query))
		dt_name_add(b, m->qname, m->reg_off, m->sub_len);
	if (!m->is_response) {
		e->saw_query = 1;
		b->queries++;
		b->query_bytes += m->msg_len;
		if (dt_rare_type(m->qtype))
			b->rare++;
		if (m->sub_hexlabel >= d->tunnel.hex_min_label)
			b->hex++;
		if (m->sub_labels > 0) {
			b->subq++;
			b->sub_bytes += m->sub_len;
			b->labels += m->sub_labels;
			b->label_bytes += m->sub_len - (m->sub_labels - 1);
			b->entropy_sum += m->sub_entropy;
			if (m->sub_maxlabel > b->maxlabel)
				b->maxlabel = m->sub_maxlabel;
		}
	} else {
		b->answer_bytes += m->answer_bytes;
		if (m->rcode == DNS_R_NXDOMAIN)
			b->nxdomain++;
		if (m->has_null)
			b->null_answers++;
		dt_long_txt(d, x, e);
	}
	dt_aggregate(d, x, e);
	if (m->sub_labels > 0)
		dt_single(d, x, e);
}

/* One parsed message on any port: find its client and charge it. */
static void
dt_charge(struct dnstun *d, struct dt_msg *x, int home_src, int home_dst,
    const addr_t *src, const addr_t *dst)
{
	const struct dns_msg *m = x->m;
	const char *domain;
	size_t n;
	int home_client;

	x->client = m->is_response ? dst : src;
	x->server = m->is_response ? src : dst;
	home_client = m->is_response ? home_dst : home_src;
	/* An internal host answering another is a resolver: note it. */
	if (m->is_response && home_src && home_dst && !addr_eq(src, dst))
		dt_resolver_mark(d, src, x->ts);
	if (!home_client) {
		d->st.skipped_external++;
		return;
	}
	if (dt_resolver_is(d, x->client)) {
		d->st.skipped_resolver++;
		return;
	}
	if (x->sport != 53 && x->dport != 53)
		dt_nonstd(d, x);
	/* Reverse lookups: a logger resolving client addresses is no tunnel. */
	n = strlen(m->qname);
	if (m->qtype == DNS_T_PTR || (n >= 5 &&
	    strcmp(m->qname + n - 5, ".arpa") == 0) ||
	    strcmp(m->qname, "arpa") == 0) {
		d->st.skipped_reverse++;
		return;
	}
	if (m->is_response && m->rcode != DNS_R_NOERROR)
		dt_failure(d, x);
	if (m->nlabels == 0)
		return;
	domain = (m->flags & DNS_F_BADTLD) ? DNSTUN_NOTLD : m->qname +
	    m->reg_off;
	dt_domain(d, x, domain);
}

/* ---- API ----------------------------------------------------------- */

int
dnstun_init(struct dnstun *d, size_t max_keys, char *err, size_t errlen)
{
	const struct param_slot defs[] = {
#define DT_DEF(tab, m)	{ tab, &d->m, sizeof(d->m) }
		DT_DEF(dnstun_tunnel_params, tunnel),
		DT_DEF(dnstun_failures_params, failures),
		DT_DEF(dnstun_long_txt_params, long_txt),
		DT_DEF(dnstun_nonstd_port_params, nonstd_port),
		DT_DEF(dnstun_not_dns_params, not_dns),
#undef DT_DEF
	};

	memset(d, 0, sizeof(*d));
	if (max_keys < 16 || max_keys > (1U << 24)) {
		snprintf(err, errlen, "dns: max_keys %zu not in 16..%u",
		    max_keys, 1U << 24);
		return -1;
	}
	if (params_default_all(defs, sizeof(defs) / sizeof(defs[0]), err,
	    errlen) == -1)
		return -1;
	if (dt_table_init(&d->doms, max_keys, sizeof(struct dnstun_dom),
	    &d->st.memory) == -1 ||
	    dt_table_init(&d->hosts, max_keys, sizeof(struct dnstun_host),
	    &d->st.memory) == -1) {
		dnstun_free(d);
		snprintf(err, errlen, "dns: cannot allocate tables for %zu "
		    "keys", max_keys);
		return -1;
	}
	/*
	 * The newer of the built-in list and the system's; without either,
	 * dns_regdomain falls back to the last two labels.
	 */
	if ((d->psl = (psl_ctx_t *)psl_latest(NULL)) == NULL)
		d->psl = (psl_ctx_t *)psl_builtin();
	dns_ctx_init(&d->dns, d->psl);
	d->st.memory += sizeof(*d);
	return 0;
}

void
dnstun_free(struct dnstun *d)
{
	dt_table_free(&d->doms);
	dt_table_free(&d->hosts);
	if (d->psl != NULL)
		psl_free(d->psl);
	d->psl = NULL;
}

int
dnstun_message(struct dnstun *d, xtime_t ts, const addr_t *src,
    const addr_t *dst, uint16_t sport, uint16_t dport, int tcp, int home_src,
    int home_dst, const uint8_t *payload, size_t len, struct event *out,
    int maxout)
{
	struct dns_msg msgs[DNSTUN_TCP_MAXMSG];
	struct dt_msg x;
	int i, n, nbad = 0, port53 = sport == 53 || dport == 53;

	if (len == 0)
		return 0;
	d->st.messages++;
	memset(&x, 0, sizeof(x));
	x.ts = ts;
	x.sport = sport;
	x.dport = dport;
	x.tcp = tcp;
	x.out = out;
	x.maxout = maxout;
	if (tcp) {
		n = dns_parse_tcp(&d->dns, payload, len, msgs,
		    DNSTUN_TCP_MAXMSG, &nbad);
		/*
		 * Some stacks send the length prefix in a segment of its own:
		 * the next one is then a bare message.
		 */
		if (n == 0 && dns_parse(&d->dns, payload, len, &msgs[0]) == 0) {
			n = 1;
			nbad = 0;
		} else if (n == 0 && nbad == 0)
			d->st.tcp_partial++;
	} else if (dns_parse(&d->dns, payload, len, &msgs[0]) == 0)
		n = 1;
	else {
		n = 0;
		if (dns_plausible(payload, len))
			d->st.parse_broken++;
		else
			nbad = 1;
	}
	d->st.parsed += (uint64_t)n;
	if (nbad > 0) {
		if (!port53)
			d->st.parse_fail_other += (uint64_t)nbad;
		else {
			/* The internal end not on port 53 is the one to ask. */
			d->st.parse_fail += (uint64_t)nbad;
			if (sport == 53 ? home_dst : home_src)
				dt_not_dns(d, ts, sport == 53 ? dst : src,
				    sport == 53 ? src : dst, (uint32_t)nbad,
				    len, &x);
			else if (home_src || home_dst)
				dt_not_dns(d, ts, home_src ? src : dst,
				    home_src ? dst : src, (uint32_t)nbad,
				    len, &x);
		}
	}
	for (i = 0; i < n; i++) {
		/* mDNS, LLMNR and NetBIOS speak DNS by design off port 53. */
		if (!port53 && (sport == 5353 || dport == 5353 ||
		    sport == 5355 || dport == 5355 || sport == 137 ||
		    dport == 137))
			continue;
		x.m = &msgs[i];
		dt_charge(d, &x, home_src, home_dst, src, dst);
	}
	return x.nout;
}

void
dnstun_stats(const struct dnstun *d, struct dnstun_stats *st)
{
	*st = d->st;
	st->psl_cache_hits = d->dns.cache_hits;
	st->psl_cache_misses = d->dns.cache_misses;
}
