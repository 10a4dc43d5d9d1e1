/*
 * chan.c: the channel detectors' tables, parameters, events, and the
 * record-level detectors that are not TLS: uploads to cloud storage,
 * known protocols on unexpected ports and unknown protocols carrying bulk
 * data.  ICMP, HTTP and TLS live in chan_icmp.c, chan_http.c, chan_tls.c.
 *
 * Tables: two pools preallocated at init, each indexed by a chained hash
 * keyed with a random seed (so remote parties cannot aim server names at
 * one chain) and kept in LRU order, so a full pool reuses the entry
 * updated longest ago and counts it.  The window pool holds every
 * (detector, key) counter and the HTTP parser states; the seen pool holds
 * only a 64-bit key hash and two times per entry, so that a flood of new
 * window keys cannot push out the memory of which services were used.
 *
 * Windows are two half-window buckets per key (see chan.h), the scheme
 * dnstun.c uses, so both families of detectors read the same way.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <ndpi_api.h>

#include "chan.h"
#include "yamldoc.h"

#define CHAN_WMAX	(7 * 86400)	/* longest window, seconds */
#define CHAN_SMAX	1e15		/* largest size parameter, bytes */

static int	chan_lru_init(struct chan_lru *, size_t, uint64_t *);
static void	chan_lru_free(struct chan_lru *);
static void	chan_lru_unlink(struct chan_lru *, uint32_t);
static void	chan_lru_push(struct chan_lru *, uint32_t);
static void	chan_lru_unhash(struct chan_lru *, uint32_t);
static uint32_t	chan_lru_take(struct chan_lru *, uint64_t, int *);
static void	chan_lru_release(struct chan_lru *, uint32_t);
static uint64_t	chan_mix(uint64_t);
static int	chan_list_has(const char *, const char *);
static int	chan_proto_bare(const struct flowinfo *, uint16_t);
static void	chan_cloud(struct chan *, const struct flowinfo *, xtime_t,
		    struct event *, int *, int);
static void	chan_port_mismatch(struct chan *, const struct flowinfo *,
		    xtime_t, struct event *, int *, int);
static void	chan_unknown(struct chan *, const struct flowinfo *, xtime_t,
		    struct event *, int *, int);
static int	chan_suffix_norm(const char *, size_t, char *, size_t);
static int	chan_suffix_cmp(const void *, const void *);

/* ---- parameters ------------------------------------------------------ */

const struct param_desc chan_icmp_tunnel_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_icmp_tunnel_params, window), 1, CHAN_WMAX,
	    "10m", "window over which echo payloads per (host, remote) are "
	    "counted" },
	{ "min_bytes", PT_SIZE,
	    offsetof(struct chan_icmp_tunnel_params, min_bytes), 1, CHAN_SMAX,
	    "32KB", "echo payload bytes, both directions, above which a "
	    "varying echo stream is a tunnel" },
	{ "min_packets", PT_INT,
	    offsetof(struct chan_icmp_tunnel_params, min_packets), 1, 1e9,
	    "20", "echo packets in the window before the share of changing "
	    "payloads means anything" },
	{ "min_vary", PT_DOUBLE,
	    offsetof(struct chan_icmp_tunnel_params, min_vary), 0, 1, "0.5",
	    "share of echoes whose payload (past ping's 16-byte timestamp) "
	    "or size differs from the previous one in the same direction" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_icmp_tunnel_params, internal), 0, 0, "false",
	    "also judge echoes to remotes inside home_net" },
	{ NULL }
};

const struct param_desc chan_icmp_large_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_icmp_large_params, window), 1, CHAN_WMAX,
	    "10m", "window over which large echoes per (host, remote) are "
	    "counted; one event per window" },
	{ "min_size", PT_INT,
	    offsetof(struct chan_icmp_large_params, min_size), 0, 65535,
	    "1000", "echo payload bytes above which an echo to a remote "
	    "outside home_net is large (Splunk: 1000)" },
	{ "min_count", PT_INT,
	    offsetof(struct chan_icmp_large_params, min_count), 1, 1e9, "1",
	    "large echoes in the window that fire" },
	{ NULL }
};

const struct param_desc chan_http_archive_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_http_archive_params, window), 1, CHAN_WMAX,
	    "1h", "window over which archive bodies per (host, remote) are "
	    "counted (Splunk searches an hour)" },
	{ "max_posts", PT_INT,
	    offsetof(struct chan_http_archive_params, max_posts), 0, 1e9,
	    "20", "fire above this many POST/PUT bodies starting with ZIP, "
	    "7z or RAR magic (Splunk: 20)" },
	{ NULL }
};

const struct param_desc chan_http_recon_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_http_recon_params, window), 1, CHAN_WMAX,
	    "1h", "one event per (host, remote) per window" },
	{ "scan_bytes", PT_SIZE,
	    offsetof(struct chan_http_recon_params, scan_bytes), 0, CHAN_SMAX,
	    "64KB", "body bytes of each POST/PUT searched for reconnaissance "
	    "output (wermgr.exe, svchost.exe, ipconfig, net view, "
	    "name=\"proclist\", name=\"sysinfo\")" },
	{ NULL }
};

const struct param_desc chan_http_upload_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_http_upload_params, window), 1, CHAN_WMAX,
	    "1h", "window over which request body bytes per (host, Host "
	    "header) are summed" },
	{ "max_bytes", PT_SIZE,
	    offsetof(struct chan_http_upload_params, max_bytes), 1, CHAN_SMAX,
	    "50MB", "plain-HTTP request body bytes to one Host that alert" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_http_upload_params, internal), 0, 0, "false",
	    "also count uploads to servers inside home_net" },
	{ NULL }
};

const struct param_desc chan_http_numeric_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_http_numeric_params, window), 1, CHAN_WMAX,
	    "1h", "one event per (host, Host) per window" },
	{ "min_body", PT_SIZE,
	    offsetof(struct chan_http_numeric_params, min_body), 0, CHAN_SMAX,
	    "256KB", "a POST/PUT body above this to a Host that is an IP "
	    "address (or absent) alerts" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_http_numeric_params, internal), 0, 0, "false",
	    "also judge servers inside home_net" },
	{ NULL }
};

const struct param_desc chan_tls_snicat_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_tls_snicat_params, window), 1, CHAN_WMAX,
	    "10m", "one event per (host, domain) per window" },
	{ "min_count", PT_INT,
	    offsetof(struct chan_tls_snicat_params, min_count), 1, 1e9, "1",
	    "ClientHellos with an SNIcat server name that fire" },
	{ NULL }
};

const struct param_desc chan_tls_volume_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_tls_volume_params, window), 1, CHAN_WMAX,
	    "2m", "window over which bytes per (host, server name) are "
	    "summed (Splunk: 2 minutes)" },
	{ "max_bytes", PT_SIZE,
	    offsetof(struct chan_tls_volume_params, max_bytes), 1, CHAN_SMAX,
	    "1.07GB", "bytes sent to one server name that alert (Splunk: "
	    "1,070,000,000)" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_tls_volume_params, internal), 0, 0, "false",
	    "also count servers inside home_net" },
	{ NULL }
};

const struct param_desc chan_tls_nosni_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_tls_nosni_params, window), 1, CHAN_WMAX,
	    "1h", "window over which bytes per (host, remote) are summed" },
	{ "max_bytes", PT_SIZE,
	    offsetof(struct chan_tls_nosni_params, max_bytes), 1, CHAN_SMAX,
	    "50MB", "bytes sent over TLS without a server name to one remote "
	    "that alert" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_tls_nosni_params, internal), 0, 0, "false",
	    "also count servers inside home_net" },
	{ NULL }
};

const struct param_desc chan_dns_encrypted_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_dns_encrypted_params, window), 1, CHAN_WMAX,
	    "10m", "window over which bytes per (host, resolver) are summed" },
	{ "max_bytes", PT_SIZE,
	    offsetof(struct chan_dns_encrypted_params, max_bytes), 1,
	    CHAN_SMAX, "2MB", "bytes sent as encrypted DNS to one resolver "
	    "that alert, server name or not (thousands of queries)" },
	{ "nosni_ports", PT_PORTS,
	    offsetof(struct chan_dns_encrypted_params, nosni_ports), 0, 0,
	    "443", "ports where TLS without a server name to a listed "
	    "resolver alerts at once (add 853 if no resolver of yours uses "
	    "opportunistic DoT)" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_dns_encrypted_params, internal), 0, 0,
	    "false", "also judge resolvers inside home_net" },
	{ NULL }
};

const struct param_desc chan_cloud_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_cloud_params, window), 1, CHAN_WMAX, "1h",
	    "window over which bytes per (host, service) are summed" },
	{ "max_bytes", PT_SIZE,
	    offsetof(struct chan_cloud_params, max_bytes), 1, CHAN_SMAX,
	    "20MB", "bytes sent to one storage, sharing or paste service "
	    "that alert" },
	{ "learn", PT_DURATION,
	    offsetof(struct chan_cloud_params, learn), 0, 90 * 86400, "1d",
	    "packet time observed before \"first use\" raises the score" },
	{ "categories", PT_STRING,
	    offsetof(struct chan_cloud_params, categories), 0, 0,
	    "Cloud,FileSharing,DataTransfer", "nDPI categories that count as "
	    "a service when the server name is not listed; empty: none" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_cloud_params, internal), 0, 0, "false",
	    "also count servers inside home_net" },
	{ NULL }
};

const struct param_desc chan_port_mismatch_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_port_mismatch_params, window), 1, CHAN_WMAX,
	    "1h", "one event per (host, remote, port) per window" },
	{ "ndpi_risk", PT_BOOL,
	    offsetof(struct chan_port_mismatch_params, ndpi_risk), 0, 0,
	    "true", "also alert on nDPI's known-protocol-on-non-standard-port "
	    "risk" },
	{ "dns", PT_BOOL,
	    offsetof(struct chan_port_mismatch_params, dns), 0, 0, "true",
	    "check DNS too (dns_nonstandard_port covers DNS more finely)" },
	{ "dns_ports", PT_PORTS,
	    offsetof(struct chan_port_mismatch_params, dns_ports), 0, 0, "53",
	    "ports where DNS is expected (Splunk: 53)" },
	{ "http_ports", PT_PORTS,
	    offsetof(struct chan_port_mismatch_params, http_ports), 0, 0,
	    "80,8080,8000", "ports where plain HTTP is expected (Splunk)" },
	{ "tls_ports", PT_PORTS,
	    offsetof(struct chan_port_mismatch_params, tls_ports), 0, 0,
	    "443,8443", "ports where TLS is expected (Splunk)" },
	{ "smtp_ports", PT_PORTS,
	    offsetof(struct chan_port_mismatch_params, smtp_ports), 0, 0,
	    "25,587,465", "ports where SMTP is expected (Splunk: 25, plus "
	    "submission and SMTPS)" },
	{ NULL }
};

const struct param_desc chan_unknown_upload_params[] = {
	{ "window", PT_DURATION,
	    offsetof(struct chan_unknown_upload_params, window), 1, CHAN_WMAX,
	    "1h", "window over which bytes per (host, remote, port) are "
	    "summed" },
	{ "max_bytes", PT_SIZE,
	    offsetof(struct chan_unknown_upload_params, max_bytes), 1,
	    CHAN_SMAX, "50MB", "bytes sent over a protocol nDPI could not "
	    "name that alert" },
	{ "internal", PT_BOOL,
	    offsetof(struct chan_unknown_upload_params, internal), 0, 0,
	    "false", "also count servers inside home_net" },
	{ NULL }
};

const struct param_desc *
chan_params_for(enum detector d, size_t *size)
{
#define CHAN_P(det, tab, st)	case det: *size = sizeof(struct st); return tab
	switch (d) {
	CHAN_P(DET_ICMP_TUNNEL, chan_icmp_tunnel_params,
	    chan_icmp_tunnel_params);
	CHAN_P(DET_ICMP_LARGE, chan_icmp_large_params, chan_icmp_large_params);
	CHAN_P(DET_HTTP_ARCHIVE_POST, chan_http_archive_params,
	    chan_http_archive_params);
	CHAN_P(DET_HTTP_RECON_POST, chan_http_recon_params,
	    chan_http_recon_params);
	CHAN_P(DET_HTTP_LARGE_UPLOAD, chan_http_upload_params,
	    chan_http_upload_params);
	CHAN_P(DET_HTTP_NUMERIC_HOST, chan_http_numeric_params,
	    chan_http_numeric_params);
	CHAN_P(DET_TLS_SNICAT, chan_tls_snicat_params, chan_tls_snicat_params);
	CHAN_P(DET_TLS_HIGH_VOLUME, chan_tls_volume_params,
	    chan_tls_volume_params);
	CHAN_P(DET_TLS_NO_SNI_UPLOAD, chan_tls_nosni_params,
	    chan_tls_nosni_params);
	CHAN_P(DET_DNS_ENCRYPTED, chan_dns_encrypted_params,
	    chan_dns_encrypted_params);
	CHAN_P(DET_CLOUD_UPLOAD, chan_cloud_params, chan_cloud_params);
	CHAN_P(DET_PORT_MISMATCH, chan_port_mismatch_params,
	    chan_port_mismatch_params);
	CHAN_P(DET_UNKNOWN_UPLOAD, chan_unknown_upload_params,
	    chan_unknown_upload_params);
	default:
		*size = 0;
		return NULL;
	}
#undef CHAN_P
}

/* The parsed form of a list parameter, re-read only when its text changed. */
const struct chan_ports *
chan_ports_get(struct chan *c, int which, const char *src)
{
	struct chan_ports *pl = &c->ports[which];
	const char *why;

	if (pl->parsed && strcmp(pl->src, src) == 0)
		return pl;
	snprintf(pl->src, sizeof(pl->src), "%s", src);
	if (yd_parse_ports(src, pl->v, PARAM_PORTS_MAX, &pl->n, &why) == -1)
		c->st.bad_params++;	/* ports before the bad token stay */
	pl->parsed = 1;
	return pl;
}

int
chan_port_in(const struct chan_ports *pl, uint16_t port)
{
	int i;

	for (i = 0; i < pl->n; i++)
		if (pl->v[i] == port)
			return 1;
	return 0;
}

/* ---- tables ------------------------------------------------------------ */

static int
chan_lru_init(struct chan_lru *t, size_t cap, uint64_t *mem)
{
	uint32_t nb = 16, i;

	memset(t, 0, sizeof(*t));
	while (nb < cap && nb < (1u << 30))
		nb <<= 1;
	if ((t->l = calloc(cap, sizeof(*t->l))) == NULL ||
	    (t->bucket = calloc(nb, sizeof(*t->bucket))) == NULL) {
		free(t->l);
		t->l = NULL;
		return -1;
	}
	*mem += cap * sizeof(*t->l) + nb * sizeof(*t->bucket);
	t->mask = nb - 1;
	t->cap = (uint32_t)cap;
	for (i = 0; i + 1 < t->cap; i++)
		t->l[i].next = i + 2;
	t->freelist = 1;
	return 0;
}

static void
chan_lru_free(struct chan_lru *t)
{
	free(t->l);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

static void
chan_lru_unlink(struct chan_lru *t, uint32_t i)
{
	struct chan_link *e = &t->l[i];

	if (e->prev)
		t->l[e->prev - 1].next = e->next;
	else
		t->head = e->next;
	if (e->next)
		t->l[e->next - 1].prev = e->prev;
	else
		t->tail = e->prev;
	e->prev = e->next = 0;
}

static void
chan_lru_push(struct chan_lru *t, uint32_t i)
{
	struct chan_link *e = &t->l[i];

	e->prev = 0;
	e->next = t->head;
	if (t->head)
		t->l[t->head - 1].prev = i + 1;
	t->head = i + 1;
	if (t->tail == 0)
		t->tail = i + 1;
}

static void
chan_lru_unhash(struct chan_lru *t, uint32_t i)
{
	uint32_t *pp = &t->bucket[t->l[i].hash & t->mask];

	while (*pp != 0 && *pp != i + 1)
		pp = &t->l[*pp - 1].hnext;
	if (*pp == i + 1)
		*pp = t->l[i].hnext;
	t->l[i].hnext = 0;
}

/* A slot for a new key: a free one, else the least recently used. */
static uint32_t
chan_lru_take(struct chan_lru *t, uint64_t hash, int *evicted)
{
	uint32_t i;

	*evicted = 0;
	if (t->freelist) {
		i = t->freelist - 1;
		t->freelist = t->l[i].next;
		t->used++;
	} else {
		i = t->tail - 1;
		chan_lru_unlink(t, i);
		chan_lru_unhash(t, i);
		*evicted = 1;
	}
	t->l[i].hash = hash;
	t->l[i].used = 1;
	t->l[i].hnext = t->bucket[hash & t->mask];
	t->bucket[hash & t->mask] = i + 1;
	chan_lru_push(t, i);
	return i;
}

static void
chan_lru_release(struct chan_lru *t, uint32_t i)
{
	if (!t->l[i].used)
		return;
	chan_lru_unlink(t, i);
	chan_lru_unhash(t, i);
	t->l[i].used = 0;
	t->l[i].next = t->freelist;
	t->freelist = i + 1;
	t->used--;
}

static uint64_t
chan_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Keyed with the instance's random seed; not cryptographic, not needed. */
uint64_t
chan_hash(const struct chan *c, const void *p, size_t len, uint64_t h)
{
	const uint8_t *b = p;
	uint64_t w;

	h ^= c->seed[0];
	while (len >= 8) {
		memcpy(&w, b, 8);
		h = chan_mix(h ^ w ^ c->seed[1]);
		b += 8;
		len -= 8;
	}
	w = (uint64_t)len << 56;
	if (len > 0)
		memcpy(&w, b, len);
	return chan_mix(h ^ w ^ c->seed[1]);
}

void
chan_key_set(struct chan_key *k, enum chan_kind kind, const addr_t *host,
    const addr_t *remote, uint16_t port, uint16_t port2, const char *name,
    size_t namelen)
{
	memset(k, 0, sizeof(*k));
	k->kind = (uint8_t)kind;
	if (host != NULL)
		k->host = *host;
	if (remote != NULL)
		k->remote = *remote;
	k->port = port;
	k->port2 = port2;
	if (name != NULL) {
		if (namelen >= CHAN_NAME_MAX)
			namelen = CHAN_NAME_MAX - 1;
		memcpy(k->name, name, namelen);
		k->namelen = (uint8_t)namelen;
	}
}

#define CHAN_KEY_FIXED	offsetof(struct chan_key, name)

struct chan_ent *
chan_ent_get(struct chan *c, const struct chan_key *k, xtime_t ts,
    int create)
{
	uint64_t h = chan_hash(c, k, CHAN_KEY_FIXED, 0);
	struct chan_ent *e;
	uint32_t i;
	int evicted;

	if (k->namelen > 0)
		h = chan_hash(c, k->name, k->namelen, h);
	for (i = c->tab.bucket[h & c->tab.mask]; i != 0;
	    i = c->tab.l[i - 1].hnext) {
		e = &c->ents[i - 1];
		if (c->tab.l[i - 1].hash == h &&
		    memcmp(&e->k, k, CHAN_KEY_FIXED) == 0 &&
		    memcmp(e->k.name, k->name, k->namelen) == 0) {
			chan_lru_unlink(&c->tab, i - 1);
			chan_lru_push(&c->tab, i - 1);
			return e;
		}
	}
	if (!create)
		return NULL;
	i = chan_lru_take(&c->tab, h, &evicted);
	if (evicted)
		c->st.evicted++;
	e = &c->ents[i];
	memset(e, 0, sizeof(*e));
	e->k = *k;
	e->last = ts;
	e->expire = ts;
	return e;
}

void
chan_ent_drop(struct chan *c, struct chan_ent *e)
{
	chan_lru_release(&c->tab, (uint32_t)(e - c->ents));
}

xtime_t
chan_seen_first(struct chan *c, enum chan_kind kind, const addr_t *host,
    const char *name, size_t len, xtime_t ts)
{
	static const addr_t none;
	uint8_t k = (uint8_t)kind;
	uint64_t h;
	uint32_t i;
	int evicted;

	h = chan_hash(c, &k, 1, 0);
	h = chan_hash(c, host != NULL ? host : &none, sizeof(addr_t), h);
	h = chan_hash(c, name, len, h);
	for (i = c->seen_tab.bucket[h & c->seen_tab.mask]; i != 0;
	    i = c->seen_tab.l[i - 1].hnext)
		if (c->seen_tab.l[i - 1].hash == h) {
			chan_lru_unlink(&c->seen_tab, i - 1);
			chan_lru_push(&c->seen_tab, i - 1);
			c->seen[i - 1].last = ts;
			return c->seen[i - 1].first;
		}
	i = chan_lru_take(&c->seen_tab, h, &evicted);
	if (evicted)
		c->st.seen_evicted++;
	c->seen[i].first = c->seen[i].last = ts;
	return ts;
}

/* ---- windows and events ------------------------------------------------ */

void
chan_win_add(struct chan_ent *e, xtime_t ts, xtime_t window, uint64_t bytes,
    uint64_t count, uint64_t aux, uint64_t aux2, struct chan_bkt *sum)
{
	xtime_t half = window / 2 > 0 ? window / 2 : 1;
	int64_t epoch = ts / half;
	struct chan_bkt *b = &e->u.w.b[epoch & 1], *o = &e->u.w.b[!(epoch & 1)];

	if (b->epoch != epoch) {
		memset(b, 0, sizeof(*b));
		b->epoch = epoch;
	}
	if (b->first == 0 || ts < b->first)
		b->first = ts;
	b->bytes += bytes;
	b->count += count;
	b->aux += aux;
	b->aux2 += aux2;
	*sum = *b;
	if (o->epoch == epoch - 1 && o->first != 0) {
		sum->bytes += o->bytes;
		sum->count += o->count;
		sum->aux += o->aux;
		sum->aux2 += o->aux2;
		if (o->first < sum->first)
			sum->first = o->first;
	}
	e->last = ts;
	if (e->expire < (epoch + 2) * half)
		e->expire = (epoch + 2) * half;
}

int
chan_win_may_alert(const struct chan_ent *e, xtime_t ts, xtime_t window)
{
	return e->alerted == 0 || ts - e->alerted >= window;
}

void
chan_event_done(struct chan_ent *e, xtime_t ts, xtime_t window)
{
	e->alerted = ts != 0 ? ts : 1;
	if (e->expire < ts + window)
		e->expire = ts + window;
}

struct event *
chan_event(struct chan *c, struct event *out, int *n, int maxout,
    enum detector det, xtime_t ts, const struct chan_ent *e)
{
	struct event *ev;

	if (*n >= maxout) {
		c->st.events_dropped++;
		return NULL;
	}
	ev = &out[(*n)++];
	memset(ev, 0, sizeof(*ev));
	ev->detector = det;
	ev->ts = ts;
	ev->start = ts;
	if (e != NULL) {
		ev->host = e->k.host;
		ev->dst = e->k.remote;
	}
	c->st.events++;
	return ev;
}

/*
 * A record detector's event: the pair's remote and the window's sums.
 * Marks the entry alerted; NULL (counted) when out[] is full.
 */
struct event *
chan_rec_event(struct chan *c, struct event *out, int *n, int maxout,
    enum detector det, xtime_t ts, struct chan_ent *e,
    const struct flowinfo *fi, const struct chan_bkt *sum, xtime_t window)
{
	struct event *ev;

	if ((ev = chan_event(c, out, n, maxout, det, ts, e)) == NULL)
		return NULL;
	chan_event_done(e, ts, window);
	ev->dst = *fi->remote;
	ev->has_dst = 1;
	ev->dport = fi->rport;
	ev->proto = fi->rec != NULL ? fi->rec->proto : 6;
	ev->start = sum->first;
	ev->bytes = sum->bytes;
	ev->count = sum->count;
	ev->window = window;
	return ev;
}

/*
 * 50 at the threshold, +12.5 for each doubling beyond it, 100 at sixteen
 * times: how far over, not merely over, is what a triager sorts by.
 */
double
chan_score(double value, double threshold)
{
	double s;

	if (threshold <= 0)
		threshold = 1;
	if (value <= threshold)
		return 50;
	s = 50 + 12.5 * log2(value / threshold);
	return s > 100 ? 100 : s;
}

const char *
chan_fmt_bytes(uint64_t v, char *buf, size_t len)
{
	if (v < 1000)
		snprintf(buf, len, "%llu bytes", (unsigned long long)v);
	else if (v < 1000000)
		snprintf(buf, len, "%.1f KB", (double)v / 1e3);
	else if (v < 1000000000)
		snprintf(buf, len, "%.1f MB", (double)v / 1e6);
	else
		snprintf(buf, len, "%.2f GB", (double)v / 1e9);
	return buf;
}

const char *
chan_fmt_dur(xtime_t d, char *buf, size_t len)
{
	long long s = (long long)(d / XT_SEC);

	if (s >= 3600 && s % 3600 == 0)
		snprintf(buf, len, "%lld h", s / 3600);
	else if (s >= 60 && s % 60 == 0)
		snprintf(buf, len, "%lld min", s / 60);
	else
		snprintf(buf, len, "%lld s", s);
	return buf;
}

/* ---- life cycle ---------------------------------------------------------- */

int
chan_init(struct chan *c, size_t max_keys, char *err, size_t errlen)
{
	const struct param_slot defs[] = {
#define CHAN_DEF(tab, m)	{ tab, &c->m, sizeof(c->m) }
		CHAN_DEF(chan_icmp_tunnel_params, icmp_tunnel),
		CHAN_DEF(chan_icmp_large_params, icmp_large),
		CHAN_DEF(chan_http_archive_params, http_archive),
		CHAN_DEF(chan_http_recon_params, http_recon),
		CHAN_DEF(chan_http_upload_params, http_upload),
		CHAN_DEF(chan_http_numeric_params, http_numeric),
		CHAN_DEF(chan_tls_snicat_params, tls_snicat),
		CHAN_DEF(chan_tls_volume_params, tls_volume),
		CHAN_DEF(chan_tls_nosni_params, tls_nosni),
		CHAN_DEF(chan_dns_encrypted_params, dns_encrypted),
		CHAN_DEF(chan_cloud_params, cloud),
		CHAN_DEF(chan_port_mismatch_params, port_mismatch),
		CHAN_DEF(chan_unknown_upload_params, unknown_upload),
#undef CHAN_DEF
	};
	uint64_t mem = 0;

	memset(c, 0, sizeof(*c));
	netset_init(&c->resolvers);
	if (max_keys < 16)
		max_keys = 16;
	if (max_keys > (1u << 26)) {
		snprintf(err, errlen, "chan: max_keys %zu is above %u",
		    max_keys, 1u << 26);
		return -1;
	}
	if (params_default_all(defs, sizeof(defs) / sizeof(defs[0]), err,
	    errlen) == -1)
		return -1;
	if (getrandom(c->seed, sizeof(c->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(c->seed)) {
		/* No entropy yet (early boot): still varies per run. */
		c->seed[0] = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)c;
		c->seed[1] = chan_mix(c->seed[0] ^ 0x9e3779b97f4a7c15ULL);
	}
	if (chan_lru_init(&c->tab, max_keys, &mem) == -1 ||
	    (c->ents = mem_touch(calloc(max_keys, sizeof(*c->ents)),
	    max_keys * sizeof(*c->ents))) == NULL ||
	    chan_lru_init(&c->seen_tab, max_keys, &mem) == -1 ||
	    (c->seen = calloc(max_keys, sizeof(*c->seen))) == NULL ||
	    (c->hellos = calloc(CHAN_HELLOS, sizeof(*c->hellos))) == NULL) {
		chan_free(c);
		snprintf(err, errlen, "chan: cannot allocate tables for %zu "
		    "keys", max_keys);
		return -1;
	}
	mem += max_keys * (sizeof(*c->ents) + sizeof(*c->seen)) +
	    CHAN_HELLOS * sizeof(*c->hellos);
	c->st.memory = mem;
	return 0;
}

void
chan_free(struct chan *c)
{
	chan_lru_free(&c->tab);
	chan_lru_free(&c->seen_tab);
	free(c->ents);
	free(c->seen);
	free(c->hellos);
	c->ents = NULL;
	c->seen = NULL;
	c->hellos = NULL;
	chan_suffixes_free(&c->suffixes);
	netset_free(&c->resolvers);
}

/*
 * Visit at most CHAN_TICK_BUDGET slots round-robin and free those whose
 * window and alert hold-off are over.  Entries also reset lazily when
 * touched, so this only returns memory to the free list early; the bound
 * keeps a tick's cost independent of the table size.
 */
void
chan_tick(struct chan *c, xtime_t now)
{
	uint32_t i, n;

	if (now > c->now)
		c->now = now;
	if (c->tab.cap == 0)
		return;
	for (n = 0; n < CHAN_TICK_BUDGET && n < c->tab.cap; n++) {
		i = c->cursor++ % c->tab.cap;
		if (c->tab.l[i].used && c->ents[i].expire <= now) {
			chan_lru_release(&c->tab, i);
			c->st.expired++;
		}
	}
	c->cursor %= c->tab.cap;
}

void
chan_stats(const struct chan *c, struct chan_stats *st)
{
	*st = c->st;
	st->entries = c->tab.used;
	st->seen_entries = c->seen_tab.used;
}

/* ---- entry points -------------------------------------------------------- */

int
chan_packet(struct chan *c, const struct pktinfo *pi, struct event *out,
    int maxout)
{
	const struct pkt_msg *m = pi->m;
	int n = 0;

	if (m == NULL || c->ents == NULL)
		return 0;
	c->st.packets++;
	/* Neither end in home_net: there is no internal host to blame. */
	if (pi->dir == DIR_TRANSIT)
		return 0;
	if (m->ts > c->now)
		c->now = m->ts;
	if (c->first == 0)
		c->first = m->ts;
	switch (m->proto) {
	case 1:		/* IPPROTO_ICMP */
	case 58:	/* IPPROTO_ICMPV6 */
		chan_icmp_packet(c, pi, out, &n, maxout);
		break;
	case 6:		/* IPPROTO_TCP */
		if (!pi->from_host || !m->c2s || pi->payload_len == 0)
			break;
		/* A tracked HTTP flow first: its body may begin with 0x16. */
		if (chan_http_packet(c, pi, out, &n, maxout))
			break;
		chan_tls_packet(c, pi, out, &n, maxout);
		break;
	}
	return n;
}

int
chan_rec_outbound(const struct flowinfo *fi, int internal)
{
	if (!fi->host_is_client)
		return 0;
	if (fi->dir == DIR_OUTBOUND)
		return 1;
	return internal && fi->dir == DIR_INTERNAL;
}

/*
 * The flow is protocol P itself, not an application nDPI recognised on
 * top of it (TLS.ApplePush on 5223 is right where it is); those are left to
 * nDPI's own port knowledge, its non-standard-port risk.
 */
static int
chan_proto_bare(const struct flowinfo *fi, uint16_t p)
{
	if (fi->app_proto == p)
		return fi->master_proto == 0 || fi->master_proto == p;
	return fi->master_proto == p && fi->app_proto == 0;
}

/* NAME is one of the comma-separated words of LIST, case ignored. */
static int
chan_list_has(const char *list, const char *name)
{
	size_t nl = strlen(name), wl;
	const char *w;

	if (nl == 0)
		return 0;
	for (w = list; *w != '\0';) {
		while (*w == ',' || *w == ' ')
			w++;
		for (wl = 0; w[wl] != '\0' && w[wl] != ','; wl++)
			;
		while (wl > 0 && w[wl - 1] == ' ')
			wl--;
		if (wl == nl && strncasecmp(w, name, nl) == 0)
			return 1;
		w += wl;
		while (*w != '\0' && *w != ',')
			w++;
	}
	return 0;
}

static void
chan_cloud(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	const struct chan_cloud_params *p = &c->cloud;
	const char *name = fi->server_name != NULL ? fi->server_name : "";
	const char *svc, *via;
	char b1[32], b2[32], b3[32];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;
	xtime_t hfirst, nfirst;
	int host_new = 0, net_new = 0, learned;
	double score;

	if (!chan_rec_outbound(fi, p->internal))
		return;
	svc = chan_suffix_match(&c->suffixes, name, strlen(name));
	via = "listed storage service";
	if (svc == NULL && fi->category_name != NULL &&
	    chan_list_has(p->categories, fi->category_name)) {
		svc = fi->app != NULL ? fi->app : "";
		via = fi->category_name;
	}
	if (svc == NULL || *svc == '\0')
		return;
	chan_key_set(&k, CK_CLOUD, fi->host, NULL, 0, 0, svc, strlen(svc));
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, fi->sent, 1, 0, 0, &sum);
	hfirst = chan_seen_first(c, CK_SEEN_CLOUD_HOST, fi->host, svc,
	    strlen(svc), ts);
	nfirst = chan_seen_first(c, CK_SEEN_CLOUD_NET, NULL, svc, strlen(svc),
	    ts);
	if (sum.bytes <= p->max_bytes || !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_rec_event(c, out, n, maxout, DET_CLOUD_UPLOAD, ts,
	    e, fi, &sum, p->window)) == NULL)
		return;
	/* Everything is new to a daemon just started: learn first. */
	learned = ts - c->first >= p->learn;
	host_new = learned && hfirst >= sum.first;
	net_new = learned && nfirst >= sum.first;
	score = chan_score((double)sum.bytes, (double)p->max_bytes) +
	    15 * host_new + 15 * net_new;
	ev->score = score > 100 ? 100 : score;
	snprintf(ev->domain, sizeof(ev->domain), "%s", name[0] ? name : svc);
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app ? fi->app : "");
	snprintf(ev->reason, sizeof(ev->reason),
	    "%s sent to %s (%s) in %s (threshold %s)%s%s",
	    chan_fmt_bytes(sum.bytes, b1, sizeof(b1)), svc, via,
	    chan_fmt_dur(p->window, b2, sizeof(b2)),
	    chan_fmt_bytes(p->max_bytes, b3, sizeof(b3)),
	    host_new ? "; first use of this service by the host" : "",
	    net_new ? (host_new ? " and by the network" :
	    "; first use of this service by the network") : "");
	event_comp(ev, "cloud_bytes", (double)sum.bytes);
	event_comp(ev, "cloud_host_new", host_new);
	event_comp(ev, "cloud_net_new", net_new);
}

static void
chan_port_mismatch(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	const struct chan_port_mismatch_params *p = &c->port_mismatch;
	const char *what = NULL, *expect = NULL;
	char b1[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_ent *e;
	struct event *ev;
	int risk = 0, pl = 0;

	if (fi->dir != DIR_OUTBOUND || !fi->host_is_client)
		return;
	if (p->dns && chan_proto_bare(fi, NDPI_PROTOCOL_DNS)) {
		what = "DNS";
		expect = p->dns_ports;
		pl = PL_DNS;
	} else if (chan_proto_bare(fi, NDPI_PROTOCOL_HTTP)) {
		what = "HTTP";
		expect = p->http_ports;
		pl = PL_HTTP;
	} else if (chan_proto_bare(fi, NDPI_PROTOCOL_TLS)) {
		what = "TLS";
		expect = p->tls_ports;
		pl = PL_TLS;
	} else if (chan_proto_bare(fi, NDPI_PROTOCOL_MAIL_SMTP) ||
	    chan_proto_bare(fi, NDPI_PROTOCOL_MAIL_SMTPS)) {
		what = "SMTP";
		expect = p->smtp_ports;
		pl = PL_SMTP;
	}
	/*
	 * A port the table lists for the protocol is settled: nDPI 4.2 also
	 * flags HTTP on 8080, which the table deliberately allows.
	 */
	if (what != NULL && chan_port_in(chan_ports_get(c, pl, expect),
	    fi->rport))
		return;
	if (p->ndpi_risk &&
	    (fi->risk & (1ULL << NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT)))
		risk = 1;
	if (what == NULL && !risk)
		return;
	chan_key_set(&k, CK_PORT_MISMATCH, fi->host, fi->remote, fi->rport, 0,
	    NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	e->last = ts;
	if (e->expire < ts)
		e->expire = ts;
	if (!chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_event(c, out, n, maxout, DET_PORT_MISMATCH, ts,
	    e)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->has_dst = 1;
	ev->dport = fi->rport;
	ev->proto = fi->rec != NULL ? fi->rec->proto : 6;
	ev->bytes = fi->tot_sent;
	ev->count = 1;
	ev->window = p->window;
	/* nDPI's own verdict and the table agreeing is the stronger case. */
	ev->score = what != NULL && risk ? 70 : 60;
	snprintf(ev->domain, sizeof(ev->domain), "%s",
	    fi->server_name != NULL ? fi->server_name : "");
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app ? fi->app : "");
	addr_ntop(fi->remote, ra, sizeof(ra));
	if (what != NULL)
		snprintf(ev->reason, sizeof(ev->reason),
		    "%s to %s on port %u, expected on %.40s; %s sent so far",
		    what, ra, fi->rport, expect,
		    chan_fmt_bytes(fi->tot_sent, b1, sizeof(b1)));
	else
		snprintf(ev->reason, sizeof(ev->reason),
		    "%s to %s on port %u, not a port nDPI knows for it; %s "
		    "sent so far", fi->app ? fi->app : "protocol", ra,
		    fi->rport, chan_fmt_bytes(fi->tot_sent, b1, sizeof(b1)));
	event_comp(ev, "port_table", what != NULL);
	event_comp(ev, "port_ndpi_risk", risk);
}

static void
chan_unknown(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	const struct chan_unknown_upload_params *p = &c->unknown_upload;
	char b1[32], b2[32], b3[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;

	if (fi->master_proto != 0 || fi->app_proto != 0)
		return;
	/* Still being classified: its bytes are judged once nDPI is done. */
	if (!fi->classified && fi->rec != NULL && fi->rec->kind == REC_INTERIM)
		return;
	if (!chan_rec_outbound(fi, p->internal) || fi->sent == 0)
		return;
	chan_key_set(&k, CK_UNKNOWN_UPLOAD, fi->host, fi->remote, fi->rport, 0,
	    NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, fi->sent, 1, 0, 0, &sum);
	if (sum.bytes <= p->max_bytes || !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_rec_event(c, out, n, maxout, DET_UNKNOWN_UPLOAD, ts,
	    e, fi, &sum, p->window)) == NULL)
		return;
	ev->score = chan_score((double)sum.bytes, (double)p->max_bytes);
	snprintf(ev->app, sizeof(ev->app), "Unknown");
	snprintf(ev->reason, sizeof(ev->reason),
	    "%s sent to %s port %u over a protocol nDPI does not know, in %s "
	    "(threshold %s)", chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
	    addr_ntop(fi->remote, ra, sizeof(ra)), fi->rport,
	    chan_fmt_dur(p->window, b2, sizeof(b2)),
	    chan_fmt_bytes(p->max_bytes, b3, sizeof(b3)));
	event_comp(ev, "unknown_bytes", (double)sum.bytes);
}

int
chan_record(struct chan *c, const struct flowinfo *fi, struct event *out,
    int maxout)
{
	xtime_t ts;
	int n = 0;

	if (c->ents == NULL || fi->host == NULL || fi->remote == NULL)
		return 0;
	c->st.records++;
	ts = fi->rec != NULL ? fi->rec->last : c->now;
	if (ts > c->now)
		c->now = ts;
	if (c->first == 0)
		c->first = ts;
	if (fi->rec != NULL && fi->rec->kind != REC_INTERIM &&
	    fi->rec->proto == 6 && fi->host_is_client)
		chan_http_flow_end(c, fi, ts, out, &n, maxout);
	chan_port_mismatch(c, fi, ts, out, &n, maxout);
	if (fi->sent == 0)
		return n;
	chan_tls_record(c, fi, ts, out, &n, maxout);
	chan_cloud(c, fi, ts, out, &n, maxout);
	chan_unknown(c, fi, ts, out, &n, maxout);
	return n;
}

/* ---- cloud-storage suffixes ---------------------------------------------- */

/* Lower case, no "*." or leading/trailing dot; -1 if not a name. */
static int
chan_suffix_norm(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
	}
	while (len > 0 && *s == '.') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '-' && ch != '.' && ch != '_')
			return -1;
		if (ch == '.' && i > 0 && s[i - 1] == '.')
			return -1;
		out[o++] = (char)tolower(ch);
	}
	out[o] = '\0';
	return 0;
}

static int
chan_suffix_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
chan_suffixes_add(struct chan_suffixes *l, const char *s, char *err,
    size_t errlen)
{
	char buf[CHAN_SUFFIX_MAX];
	void *nv;
	size_t i;

	if (chan_suffix_norm(s, strlen(s), buf, sizeof(buf)) == -1) {
		snprintf(err, errlen, "'%.80s' is not a server-name suffix "
		    "(letters, digits, '-', '.'; under %d bytes)", s,
		    CHAN_SUFFIX_MAX);
		return -1;
	}
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], buf) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;

		if ((nv = realloc(l->v, ncap * sizeof(*l->v))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		l->v = nv;
		l->cap = ncap;
	}
	memcpy(l->v[l->n++], buf, sizeof(buf));
	qsort(l->v, l->n, sizeof(*l->v), chan_suffix_cmp);
	return 0;
}

int
chan_load_suffixes(struct chan_suffixes *l, const char *path, char *err,
    size_t errlen)
{
	char line[512], why[160], *p, *e;
	size_t used = 0;
	int lineno = 0, bad = 0;
	FILE *f;

	if (errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			snprintf(why, sizeof(why), "line too long");
			goto badline;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);
		    e--)
			;
		*e = '\0';
		if (*p == '\0')
			continue;
		if (chan_suffixes_add(l, p, why, sizeof(why)) == 0)
			continue;
badline:
		bad++;
		if (used < errlen) {
			int w = snprintf(err + used, errlen - used,
			    "%s%s:%d: %s", used ? "\n" : "", path, lineno, why);

			if (w > 0)
				used += (size_t)w;
		}
	}
	fclose(f);
	return bad;
}

void
chan_suffixes_free(struct chan_suffixes *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
chan_set_cloud_suffixes(struct chan *c, struct chan_suffixes *l)
{
	chan_suffixes_free(&c->suffixes);
	c->suffixes = *l;
	memset(l, 0, sizeof(*l));
}

void
chan_set_resolvers(struct chan *c, struct netset *s)
{
	netset_free(&c->resolvers);
	c->resolvers = *s;
	netset_init(s);
}

/*
 * Try every label boundary of the name, longest tail first, against the
 * sorted list: at most one binary search per label, and "evil-dropbox.com"
 * never matches "dropbox.com" because its tails are the whole name and
 * "com".
 */
const char *
chan_suffix_match(const struct chan_suffixes *l, const char *name, size_t len)
{
	char buf[256];
	const char *hit;
	size_t i;

	if (l->n == 0 || len == 0)
		return NULL;
	while (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return NULL;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[len] = '\0';
	for (i = 0; i < len; i++) {
		if (i > 0 && buf[i - 1] != '.')
			continue;
		if (len - i >= CHAN_SUFFIX_MAX)
			continue;
		hit = bsearch(buf + i, l->v, l->n, sizeof(*l->v),
		    chan_suffix_cmp);
		if (hit != NULL)
			return hit;
	}
	return NULL;
}
