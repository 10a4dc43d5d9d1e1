/*
 * alert.c: from detector hits to written alerts -- rules, allowlist, risk
 * events, rate limit, cap, correlation and the outputs; see alert.h.
 *
 * The two tables (hosts with risk events, rate-limit keys) are one
 * structure: preallocated entries, a seeded hash with chains of indices,
 * and an LRU list through the same indices.  The LRU tail is the entry
 * touched longest ago, which is both what expiry walks from (bounded work
 * per tick) and what a full table evicts (counted), so neither ever scans.
 * The hash is seeded at start so that remote names and addresses, which
 * are part of the rate-limit key, cannot be chosen to pile into one chain.
 *
 * Documents are built once per alert into one buffer, after the text
 * prefix, so the syslog line, the JSON file, the remote collector and the
 * terminal all get the same bytes without a copy.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "json.h"
#include "netset.h"

#define ALERT_NIL		UINT32_MAX
#define ALERT_EXPIRE_STEP	1024	/* entries expired per tick at most */
#define ALERT_TEXT_MAX		1400	/* the human prefix */
#define ALERT_DOMAIN_TEXT	400	/* domain bytes in the prefix */
#define ALERT_STR_MAX		768	/* escaped bytes of a network string */
#define ALERT_DESC_MAX		1024	/* escaped bytes of a description */
#define ALERT_TCP_BUF		(256 * 1024)	/* unsent remote messages */
#define ALERT_RETRY		(5 * 1000000000LL)	/* ns, reconnects */
#define ALERT_SYSLOG_PATH	"/dev/log"
#define ALERT_ECS_VERSION	"8.11.0"
#define ALERT_MAX_TACTICS	(ALERT_HOST_RULES * (RULE_MAX_TACTICS + 1))
#define ALERT_MAX_TECHS		(ALERT_HOST_RULES * RULE_MAX_TECHNIQUES)

/* ---- bounded LRU table -------------------------------------------------- */

struct atab_link {
	uint32_t	 hnext;		/* hash chain */
	uint32_t	 prev, next;	/* LRU list; free list through next */
};

struct atab {
	uint8_t		*data;		/* max entries, key first */
	struct atab_link *link;
	uint32_t	*bucket;
	size_t		 esize, ksize;
	uint32_t	 max, mask;
	uint32_t	 head, tail;	/* most / least recently touched */
	uint32_t	 freel;
	uint32_t	 used;
	uint64_t	 seed;
	uint64_t	 evicted;
	void		(*on_evict)(void *ctx, void *entry);
	void		*ctx;
};

static void *
atab_entry(const struct atab *t, uint32_t i)
{
	return t->data + (size_t)i * t->esize;
}

static uint64_t
atab_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint32_t
atab_hash(const struct atab *t, const void *key)
{
	const uint8_t *p = key;
	uint64_t h = t->seed, w;
	size_t i;

	for (i = 0; i + 8 <= t->ksize; i += 8) {
		memcpy(&w, p + i, 8);
		h = atab_mix(h ^ w) + i;
	}
	for (; i < t->ksize; i++)
		h = atab_mix(h ^ p[i]);
	return (uint32_t)h & t->mask;
}

static int
atab_init(struct atab *t, size_t max, size_t esize, size_t ksize)
{
	size_t nb = 1, i;

	memset(t, 0, sizeof(*t));
	if (max == 0 || max >= ALERT_NIL / 2)
		return -1;
	while (nb < 2 * max)
		nb <<= 1;
	t->max = (uint32_t)max;
	t->mask = (uint32_t)(nb - 1);
	t->esize = esize;
	t->ksize = ksize;
	t->data = calloc(max, esize);
	t->link = calloc(max, sizeof(*t->link));
	t->bucket = malloc(nb * sizeof(*t->bucket));
	if (t->data == NULL || t->link == NULL || t->bucket == NULL)
		return -1;
	for (i = 0; i < nb; i++)
		t->bucket[i] = ALERT_NIL;
	for (i = 0; i < max; i++)
		t->link[i].next = i + 1 < max ? (uint32_t)(i + 1) : ALERT_NIL;
	t->freel = 0;
	t->head = t->tail = ALERT_NIL;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ (uint64_t)time(NULL);
	return 0;
}

static void
atab_free(struct atab *t)
{
	free(t->data);
	free(t->link);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

static size_t
atab_bytes(const struct atab *t)
{
	if (t->data == NULL)
		return 0;
	return (size_t)t->max * (t->esize + sizeof(*t->link)) +
	    ((size_t)t->mask + 1) * sizeof(*t->bucket);
}

static void
atab_lru_unlink(struct atab *t, uint32_t i)
{
	struct atab_link *l = &t->link[i];

	if (l->prev != ALERT_NIL)
		t->link[l->prev].next = l->next;
	else
		t->head = l->next;
	if (l->next != ALERT_NIL)
		t->link[l->next].prev = l->prev;
	else
		t->tail = l->prev;
}

static void
atab_lru_push(struct atab *t, uint32_t i)
{
	t->link[i].prev = ALERT_NIL;
	t->link[i].next = t->head;
	if (t->head != ALERT_NIL)
		t->link[t->head].prev = i;
	t->head = i;
	if (t->tail == ALERT_NIL)
		t->tail = i;
}

static uint32_t
atab_find(const struct atab *t, const void *key)
{
	uint32_t i;

	for (i = t->bucket[atab_hash(t, key)]; i != ALERT_NIL;
	    i = t->link[i].hnext)
		if (memcmp(atab_entry(t, i), key, t->ksize) == 0)
			return i;
	return ALERT_NIL;
}

static void
atab_del(struct atab *t, uint32_t i)
{
	uint32_t *pp = &t->bucket[atab_hash(t, atab_entry(t, i))];

	while (*pp != i)
		pp = &t->link[*pp].hnext;
	*pp = t->link[i].hnext;
	atab_lru_unlink(t, i);
	t->link[i].next = t->freel;
	t->freel = i;
	t->used--;
}

/* Finds or creates (zeroed but for the key) the entry of KEY; touches it. */
static uint32_t
atab_get(struct atab *t, const void *key, int *created)
{
	uint32_t i, b;

	if ((i = atab_find(t, key)) != ALERT_NIL) {
		atab_lru_unlink(t, i);
		atab_lru_push(t, i);
		*created = 0;
		return i;
	}
	if (t->freel == ALERT_NIL) {
		if (t->on_evict != NULL)
			t->on_evict(t->ctx, atab_entry(t, t->tail));
		atab_del(t, t->tail);
		t->evicted++;
	}
	i = t->freel;
	t->freel = t->link[i].next;
	memset(atab_entry(t, i), 0, t->esize);
	memcpy(atab_entry(t, i), key, t->ksize);
	b = atab_hash(t, key);
	t->link[i].hnext = t->bucket[b];
	t->bucket[b] = i;
	atab_lru_push(t, i);
	t->used++;
	*created = 1;
	return i;
}

/* ---- state -------------------------------------------------------------- */

/* The newest hit of one rule for one host. */
struct alert_risk {
	xtime_t		 first;		/* first hit of this episode */
	xtime_t		 last;
	const char	*tech;		/* event's technique (static) or NULL */
	uint16_t	 rule;		/* index in the current ruleset */
	uint8_t		 risk;
};

struct alert_host {
	addr_t		 addr;		/* key */
	xtime_t		 last;		/* newest risk event */
	xtime_t		 corr_ts;	/* last correlated alert, 0 none */
	uint16_t	 corr_rule[ALERT_HOST_RULES];	/* rules in it */
	uint8_t		 ncorr;
	uint8_t		 n;
	struct alert_risk risk[ALERT_HOST_RULES];
};

struct alert_rkey {
	uint64_t	 rule;		/* hash of the id: survives reloads */
	uint64_t	 dom;		/* hash of the domain, 0 when none */
	addr_t		 host;
	addr_t		 dst;		/* zero when keyed by domain */
};

struct alert_rate {
	struct alert_rkey k;		/* key */
	xtime_t		 start;		/* window opened by the last alert */
	xtime_t		 last;		/* newest hit */
	uint64_t	 folded;	/* hits since the last alert */
};

struct alert_corr {
	const struct rule *rule[ALERT_HOST_RULES];
	xtime_t		 first[ALERT_HOST_RULES];
	uint16_t	 idx[ALERT_HOST_RULES];
	int		 nrules;
	const char	*tactic[ALERT_MAX_TACTICS];
	int		 ntactics;
	const char	*tech[ALERT_MAX_TECHS];
	int		 ntechs;
	int		 risk_sum;
	enum severity	 maxsev;
};

/* Everything one document is made of. */
struct alert_ctx {
	const struct event *ev;
	const struct rule *rule;
	enum severity	 sev;
	int		 risk;
	uint64_t	 folded;
	const struct alert_corr *corr;
};

enum { REMOTE_NONE, REMOTE_DOWN, REMOTE_CONNECTING, REMOTE_UP };

struct alerter {
	struct alert_conf conf;		/* pointers below replace its strings */
	char		 ident[64];
	char		*json_path;
	char		*sock_path;
	char		*remote_host;
	char		 hostname[256];
	pid_t		 pid;

	const struct ruleset *rs;
	uint64_t	*rule_hits;
	uint64_t	*rule_alerts;
	size_t		 nrules;

	const struct config_allow *allow;
	uint64_t	*allow_hits;
	size_t		 nallow;
	int		 utc_offset;

	struct atab	 hosts;
	struct atab	 keys;

	int64_t		 cap_minute;
	int		 cap_count;
	uint64_t	 cap_dropped;

	FILE		*jf;
	int		 json_failing;
	int		 lfd;
	int		 syslog_failing;

	int		 rstate;
	int		 rfd;
	int		 rtcp;
	struct sockaddr_storage raddr;
	socklen_t	 raddrlen;
	char		*rbuf;
	size_t		 rlen;
	size_t		 rframes;
	int64_t		 rretry;	/* monotonic ns of the next connect */
	int		 remote_failing;

	struct alert_stats st;
	char		 text[ALERT_TEXT_MAX];
	char		 line[ALERT_LINE_MAX];
	char		 msg[ALERT_LINE_MAX + 512];
};

/* ---- small helpers ------------------------------------------------------ */

static void
alert_log(struct alerter *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
alert_log(struct alerter *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (a->conf.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->conf.log(a->conf.arg, buf);
}

static int64_t
alert_floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* RFC 3339 UTC with microseconds, clamped to years 0001..9999. */
static const char *
alert_time(xtime_t t, char *buf, size_t len)
{
	int64_t s = alert_floordiv(t, XT_SEC), us = t - s * XT_SEC;
	struct tm tm;
	time_t tt;

	if (s < -62135596800LL)
		s = -62135596800LL;
	if (s > 253402300799LL)
		s = 253402300799LL;
	tt = (time_t)s;
	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	/* The modulos only tell the compiler the widths gmtime_r keeps. */
	snprintf(buf, len, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ",
	    (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
	    (unsigned)tm.tm_sec % 100u, (unsigned)us % 1000000u);
	return buf;
}

static uint64_t
alert_strhash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h | 1;	/* never 0: 0 means "no domain" */
}

static size_t
alert_domlen(const struct event *ev)
{
	return strnlen(ev->domain, sizeof(ev->domain));
}

int
alert_domain_match(const char *dom, size_t len, const char *suffix)
{
	size_t slen = strlen(suffix);

	while (len > 0 && dom[len - 1] == '.')
		len--;
	if (slen == 0 || slen > len)
		return 0;
	if (strncasecmp(dom + len - slen, suffix, slen) != 0)
		return 0;
	return len == slen || dom[len - slen - 1] == '.';
}

const char *
alert_result_name(enum alert_result r)
{
	static const char *const names[] = {
		"no_rule", "allowlisted", "risk_only", "folded", "capped",
		"sent"
	};

	if (r < ALERT_NO_RULE || r > ALERT_SENT)
		return "unknown";
	return names[r];
}

/* ---- MITRE -------------------------------------------------------------- */

static const struct {
	const char	*id;
	const char	*name;
} alert_tactics[] = {
	{ "TA0001", "Initial Access" }, { "TA0002", "Execution" },
	{ "TA0003", "Persistence" }, { "TA0004", "Privilege Escalation" },
	{ "TA0005", "Defense Evasion" }, { "TA0006", "Credential Access" },
	{ "TA0007", "Discovery" }, { "TA0008", "Lateral Movement" },
	{ "TA0009", "Collection" }, { "TA0010", "Exfiltration" },
	{ "TA0011", "Command and Control" }, { "TA0040", "Impact" },
	{ "TA0042", "Resource Development" }, { "TA0043", "Reconnaissance" },
};

/*
 * The tactic of the techniques detectors may put in ev->technique, so that
 * an override such as T1571 (non-standard port) also counts its tactic.
 */
static const struct {
	const char	*tech;		/* technique, sub-techniques included */
	const char	*tactic;
} alert_tech_tactic[] = {
	{ "T1011", "TA0010" }, { "T1020", "TA0010" }, { "T1029", "TA0010" },
	{ "T1030", "TA0010" }, { "T1041", "TA0010" }, { "T1048", "TA0010" },
	{ "T1052", "TA0010" }, { "T1537", "TA0010" }, { "T1567", "TA0010" },
	{ "T1001", "TA0011" }, { "T1071", "TA0011" }, { "T1090", "TA0011" },
	{ "T1095", "TA0011" }, { "T1105", "TA0011" }, { "T1132", "TA0011" },
	{ "T1568", "TA0011" }, { "T1571", "TA0011" }, { "T1572", "TA0011" },
	{ "T1573", "TA0011" },
	{ "T1005", "TA0009" }, { "T1074", "TA0009" }, { "T1119", "TA0009" },
	{ "T1560", "TA0009" },
	{ "T1016", "TA0007" }, { "T1057", "TA0007" }, { "T1082", "TA0007" },
};

static const char *
alert_tactic_name(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(alert_tactics) / sizeof(alert_tactics[0]); i++)
		if (strcmp(alert_tactics[i].id, id) == 0)
			return alert_tactics[i].name;
	return id;
}

static const char *
alert_tech_tactic_of(const char *tech)
{
	size_t i;

	for (i = 0; i < sizeof(alert_tech_tactic) /
	    sizeof(alert_tech_tactic[0]); i++)
		if (strncmp(alert_tech_tactic[i].tech, tech, 5) == 0)
			return alert_tech_tactic[i].tactic;
	return NULL;
}

/* A detector's technique override, if it has the shape of one. */
static const char *
alert_override(const char *t)
{
	size_t i, n;

	if (t == NULL)
		return NULL;
	n = strnlen(t, RULE_TECH_LEN);
	if ((n != 5 && n != 9) || t[0] != 'T')
		return NULL;
	for (i = 1; i < n; i++)
		if (i == 5 ? t[i] != '.' : (t[i] < '0' || t[i] > '9'))
			return NULL;
	return t;
}

static void
alert_addid(const char **v, int *n, int max, const char *id)
{
	int i;

	if (id == NULL)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(v[i], id) == 0)
			return;
	if (*n < max)
		v[(*n)++] = id;
}

/* Tactics and techniques of one hit: the rule's, or the override's. */
static void
alert_ids(const struct rule *r, const char *tech, const char **tac,
    int *ntac, int maxtac, const char **tec, int *ntec, int maxtec)
{
	int i;

	for (i = 0; i < r->ntactics; i++)
		alert_addid(tac, ntac, maxtac, r->tactic[i]);
	if (tech != NULL) {
		alert_addid(tac, ntac, maxtac, alert_tech_tactic_of(tech));
		alert_addid(tec, ntec, maxtec, tech);
		return;
	}
	for (i = 0; i < r->ntechniques; i++)
		alert_addid(tec, ntec, maxtec, r->technique[i]);
}

/* ---- the document ------------------------------------------------------- */

static const char *
alert_transport(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_GRE:
		return "gre";
	default:
		return NULL;
	}
}

static void
alert_json_seconds(struct json *j, const char *key, xtime_t t)
{
	if (t % XT_SEC == 0)
		json_int(j, key, t / XT_SEC);
	else
		json_double(j, key, (double)t / 1e6);
}

static void
alert_json_destination(struct json *j, const struct event *ev)
{
	char ip[ADDR_STRLEN];
	size_t dlen = alert_domlen(ev);

	if (!ev->has_dst && dlen == 0)
		return;
	json_obj_open(j, "destination");
	if (ev->has_dst)
		json_str(j, "ip", addr_ntop(&ev->dst, ip, sizeof(ip)));
	if (ev->has_dst && ev->dport != 0)
		json_int(j, "port", ev->dport);
	if (dlen > 0)
		json_strn_max(j, "domain", ev->domain, dlen, ALERT_STR_MAX);
	if (ev->has_dst && ev->has_geo &&
	    (ev->geo.flags & (GEO_KNOWN_COUNTRY | GEO_KNOWN_REGION))) {
		json_obj_open(j, "geo");
		if (ev->geo.flags & GEO_KNOWN_COUNTRY)
			json_strn(j, "country_iso_code", ev->geo.country,
			    strnlen(ev->geo.country, sizeof(ev->geo.country)));
		if (ev->geo.flags & GEO_KNOWN_REGION)
			json_strn(j, "region_iso_code", ev->geo.region,
			    strnlen(ev->geo.region, sizeof(ev->geo.region)));
		json_close(j);
	}
	if (ev->has_dst && ev->has_geo &&
	    (ev->geo.flags & (GEO_KNOWN_ASN | GEO_KNOWN_ORG))) {
		json_obj_open(j, "as");
		if (ev->geo.flags & GEO_KNOWN_ASN)
			json_uint(j, "number", ev->geo.asn);
		if (ev->geo.flags & GEO_KNOWN_ORG) {
			json_obj_open(j, "organization");
			json_strn(j, "name", ev->geo.as_org,
			    strnlen(ev->geo.as_org, sizeof(ev->geo.as_org)));
			json_close(j);
		}
		json_close(j);
	}
	json_close(j);
}

static void
alert_json_network(struct json *j, const struct event *ev)
{
	const char *tr = alert_transport(ev->proto);
	char app[sizeof(ev->app)];
	size_t i, n = strnlen(ev->app, sizeof(ev->app));

	json_obj_open(j, "network");
	if (n > 0) {
		for (i = 0; i < n; i++)	/* ECS wants it lower case */
			app[i] = ev->app[i] >= 'A' && ev->app[i] <= 'Z' ?
			    (char)(ev->app[i] + 'a' - 'A') : ev->app[i];
		json_strn(j, "protocol", app, n);
	}
	if (tr != NULL)
		json_str(j, "transport", tr);
	json_str(j, "type", addr_is_v4(&ev->host) ? "ipv4" : "ipv6");
	json_str(j, "direction", "egress");
	json_close(j);
}

static void
alert_json_threat(struct json *j, const struct alert_ctx *c)
{
	const char *tac[ALERT_MAX_TACTICS], *tec[ALERT_MAX_TECHS];
	int ntac = 0, ntec = 0, i;

	if (c->corr != NULL) {
		for (i = 0; i < c->rule->ntactics; i++)
			alert_addid(tac, &ntac, ALERT_MAX_TACTICS,
			    c->rule->tactic[i]);
		for (i = 0; i < c->corr->ntactics; i++)
			alert_addid(tac, &ntac, ALERT_MAX_TACTICS,
			    c->corr->tactic[i]);
		for (i = 0; i < c->corr->ntechs; i++)
			alert_addid(tec, &ntec, ALERT_MAX_TECHS,
			    c->corr->tech[i]);
	} else
		alert_ids(c->rule, alert_override(c->ev->technique), tac, &ntac,
		    ALERT_MAX_TACTICS, tec, &ntec, ALERT_MAX_TECHS);
	json_obj_open(j, "threat");
	json_str(j, "framework", "MITRE ATT&CK");
	json_obj_open(j, "tactic");
	json_arr_open(j, "id");
	for (i = 0; i < ntac; i++)
		json_str(j, NULL, tac[i]);
	json_close(j);
	json_arr_open(j, "name");
	for (i = 0; i < ntac; i++)
		json_str(j, NULL, alert_tactic_name(tac[i]));
	json_close(j);
	json_close(j);
	json_obj_open(j, "technique");
	json_arr_open(j, "id");
	for (i = 0; i < ntec; i++)
		json_str(j, NULL, tec[i]);
	json_close(j);
	json_close(j);
	json_close(j);
}

static void
alert_json_exfild(struct json *j, const struct alert_ctx *c)
{
	const struct event *ev = c->ev;
	const char *seen[EVENT_MAX_COMPS];
	int i, k, n, nseen = 0;

	json_obj_open(j, "exfild");
	json_str(j, "detector", detector_name(ev->detector));
	json_str(j, "severity", severity_name(c->sev));
	json_double(j, "score", ev->score);
	alert_json_seconds(j, "window_s", ev->window);
	json_uint(j, "count", ev->count);
	json_uint(j, "folded", c->folded);
	json_obj_open(j, "components");
	n = ev->ncomps < EVENT_MAX_COMPS ? ev->ncomps : EVENT_MAX_COMPS;
	for (i = 0; i < n; i++) {
		const char *name = ev->comps[i].name;

		if (name == NULL)
			continue;
		for (k = 0; k < nseen; k++)	/* keys must be unique */
			if (strcmp(seen[k], name) == 0)
				break;
		if (k < nseen)
			continue;
		seen[nseen++] = name;
		json_double(j, name, ev->comps[i].value);
	}
	json_close(j);
	json_strn_max(j, "reason", ev->reason,
	    strnlen(ev->reason, sizeof(ev->reason)), ALERT_STR_MAX);
	if (c->corr != NULL) {
		json_obj_open(j, "correlation");
		json_arr_open(j, "rules");
		for (i = 0; i < c->corr->nrules; i++)
			json_str(j, NULL, c->corr->rule[i]->id);
		json_close(j);
		json_arr_open(j, "tactics");
		for (i = 0; i < c->corr->ntactics; i++)
			json_str(j, NULL, c->corr->tactic[i]);
		json_close(j);
		json_arr_open(j, "techniques");
		for (i = 0; i < c->corr->ntechs; i++)
			json_str(j, NULL, c->corr->tech[i]);
		json_close(j);
		json_int(j, "risk_sum", c->corr->risk_sum);
		json_close(j);
	}
	json_close(j);
}

static size_t
alert_json(const struct alert_ctx *c, char *buf, size_t len, int *truncated)
{
	const struct event *ev = c->ev;
	const struct rule *r = c->rule;
	char ts[40], ip[ADDR_STRLEN];
	struct json j;
	size_t n;

	json_init(&j, buf, len);
	json_obj_open(&j, NULL);
	json_str(&j, "@timestamp", alert_time(ev->ts, ts, sizeof(ts)));
	json_obj_open(&j, "ecs");
	json_str(&j, "version", ALERT_ECS_VERSION);
	json_close(&j);

	json_obj_open(&j, "event");
	json_str(&j, "kind", "alert");
	json_arr_open(&j, "category");
	json_str(&j, NULL, "network");
	json_close(&j);
	json_arr_open(&j, "type");
	json_str(&j, NULL, "connection");
	json_close(&j);
	json_int(&j, "severity", severity_ecs(c->sev));
	json_int(&j, "risk_score", c->risk);
	if (ev->start != 0)
		json_str(&j, "start", alert_time(ev->start, ts, sizeof(ts)));
	json_str(&j, "end", alert_time(ev->ts, ts, sizeof(ts)));
	json_str(&j, "module", "exfild");
	json_str(&j, "dataset", "exfild.alert");
	json_strn_max(&j, "reason", ev->reason,
	    strnlen(ev->reason, sizeof(ev->reason)), ALERT_STR_MAX);
	json_close(&j);

	json_obj_open(&j, "rule");
	json_str(&j, "id", r->id);
	json_str(&j, "name", r->name);
	if (r->description != NULL && r->description[0] != '\0')
		json_strn_max(&j, "description", r->description,
		    strlen(r->description), ALERT_DESC_MAX);
	json_str(&j, "category", detector_name(r->detector));
	json_str(&j, "ruleset", "exfild");
	json_close(&j);

	json_obj_open(&j, "source");
	json_str(&j, "ip", addr_ntop(&ev->host, ip, sizeof(ip)));
	if (ev->sport != 0)
		json_int(&j, "port", ev->sport);
	json_uint(&j, "bytes", ev->bytes);
	json_close(&j);

	alert_json_destination(&j, ev);
	alert_json_network(&j, ev);
	alert_json_threat(&j, c);

	json_obj_open(&j, "related");
	json_arr_open(&j, "ip");
	json_str(&j, NULL, addr_ntop(&ev->host, ip, sizeof(ip)));
	if (ev->has_dst && !addr_eq(&ev->dst, &ev->host))
		json_str(&j, NULL, addr_ntop(&ev->dst, ip, sizeof(ip)));
	json_close(&j);
	json_close(&j);

	json_obj_open(&j, "observer");
	json_str(&j, "vendor", "exfild");
	json_str(&j, "product", "exfild");
	json_str(&j, "type", "ids");
	json_str(&j, "version", EXFILD_VERSION);
	json_close(&j);

	alert_json_exfild(&j, c);
	json_close(&j);
	n = json_finish(&j);
	if (truncated != NULL)
		*truncated = json_truncated(&j);
	return n;
}

size_t
alert_format_json(const struct alerter *a, const struct event *ev,
    const struct rule *r, char *buf, size_t len)
{
	struct alert_ctx c;

	(void)a;
	memset(&c, 0, sizeof(c));
	c.ev = ev;
	c.rule = r;
	c.sev = r->severity;
	c.risk = r->risk_score;
	return alert_json(&c, buf, len, NULL);
}

/* ---- the human prefix --------------------------------------------------- */

static size_t
alert_cat(char *buf, size_t len, size_t o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t
alert_cat(char *buf, size_t len, size_t o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o >= len)
		return o;
	va_start(ap, fmt);
	n = vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
	if (n < 0)
		return o;
	return (size_t)n >= len - o ? len - 1 : o + (size_t)n;
}

static size_t
alert_text(const struct alert_ctx *c, char *buf, size_t len)
{
	const struct event *ev = c->ev;
	char id[RULE_ID_MAX * 4 + 1], name[RULE_NAME_MAX * 4 + 1];
	char dom[ALERT_DOMAIN_TEXT], ip[ADDR_STRLEN];
	size_t o = 0, dlen = alert_domlen(ev);
	int i;

	json_text(id, sizeof(id), c->rule->id, strlen(c->rule->id),
	    JSON_TEXT_SPACE);
	json_text(name, sizeof(name), c->rule->name, strlen(c->rule->name), 0);
	o = alert_cat(buf, len, o, "exfild[alert] severity=%s rule=%s \"%s\" "
	    "host=%s", severity_name(c->sev), id, name,
	    addr_ntop(&ev->host, ip, sizeof(ip)));
	if (c->corr != NULL) {
		o = alert_cat(buf, len, o, " rules=");
		for (i = 0; i < c->corr->nrules; i++) {
			json_text(id, sizeof(id), c->corr->rule[i]->id,
			    strlen(c->corr->rule[i]->id), JSON_TEXT_SPACE);
			o = alert_cat(buf, len, o, "%s%s", i ? "," : "", id);
		}
		o = alert_cat(buf, len, o, " tactics=");
		for (i = 0; i < c->corr->ntactics; i++)
			o = alert_cat(buf, len, o, "%s%s", i ? "," : "",
			    c->corr->tactic[i]);
		return alert_cat(buf, len, o, " risk=%d", c->risk);
	}
	if (ev->has_dst) {
		addr_ntop(&ev->dst, ip, sizeof(ip));
		if (ev->dport == 0)
			o = alert_cat(buf, len, o, " dst=%s", ip);
		else if (addr_is_v4(&ev->dst))
			o = alert_cat(buf, len, o, " dst=%s:%u", ip, ev->dport);
		else
			o = alert_cat(buf, len, o, " dst=[%s]:%u", ip,
			    ev->dport);
	}
	if (dlen > 0) {
		json_text(dom, sizeof(dom), ev->domain, dlen, JSON_TEXT_SPACE);
		o = alert_cat(buf, len, o, " domain=%s", dom);
	}
	if (ev->bytes > 0)
		o = alert_cat(buf, len, o, " bytes=%" PRIu64, ev->bytes);
	o = alert_cat(buf, len, o, " score=%.0f",
	    ev->score >= 0 && ev->score <= 1e9 ? ev->score : 0.0);
	if (c->folded > 0)
		o = alert_cat(buf, len, o, " folded=%" PRIu64, c->folded);
	return o;
}

/* ---- outputs ------------------------------------------------------------ */

static int
alert_level(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
		return LOG_ALERT;
	case SEV_HIGH:
		return LOG_CRIT;
	case SEV_MEDIUM:
		return LOG_WARNING;
	default:
		return LOG_NOTICE;
	}
}

static FILE *
alert_json_open(const char *path, char *err, size_t errlen)
{
	FILE *fp;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
	    0640);
	if (fd == -1) {
		snprintf(err, errlen, "alerts.json_file %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((fp = fdopen(fd, "a")) == NULL) {
		snprintf(err, errlen, "alerts.json_file %s: %s", path,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	return fp;
}

static void
alert_write_json(struct alerter *a, const char *json, size_t n)
{
	if (a->jf == NULL)
		return;
	if (fwrite(json, 1, n, a->jf) != n || putc('\n', a->jf) == EOF ||
	    fflush(a->jf) == EOF) {
		a->st.json_errors++;
		clearerr(a->jf);
		if (!a->json_failing)
			alert_log(a, "alerts: cannot write %s: %s",
			    a->json_path, strerror(errno));
		a->json_failing = 1;
		return;
	}
	if (a->json_failing)
		alert_log(a, "alerts: writing %s again", a->json_path);
	a->json_failing = 0;
}

static int
alert_syslog_connect(struct alerter *a)
{
	struct sockaddr_un sun;
	struct timeval tv = { 1, 0 };	/* a stuck syslog daemon: give up */

	if (a->lfd != -1)
		close(a->lfd);
	if ((a->lfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(a->lfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->sock_path);
	if (connect(a->lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(a->lfd);
		a->lfd = -1;
		return -1;
	}
	return 0;
}

/* The local syslog socket, in the format glibc's syslog(3) writes. */
static void
alert_write_syslog(struct alerter *a, enum severity sev, const char *line)
{
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t now;
	int n, tries;

	if (!a->conf.syslog_enabled)
		return;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	n = snprintf(a->msg, sizeof(a->msg), "<%d>%s %2d %02d:%02d:%02d "
	    "%s[%d]: %s", a->conf.facility | alert_level(sev),
	    mon[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    a->ident, (int)a->pid, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(a->msg))
		n = (int)sizeof(a->msg) - 1;
	for (tries = 0; tries < 2; tries++) {
		if (a->lfd == -1 && alert_syslog_connect(a) == -1)
			continue;
		/*
		 * Blocking, with a send timeout on the socket: a burst of
		 * alerts fills the datagram queue (ten messages by default)
		 * faster than the daemon reads it, and an alert waits for
		 * room rather than being lost, as with syslog(3).
		 */
		if (send(a->lfd, a->msg, (size_t)n, MSG_NOSIGNAL) == n) {
			if (a->syslog_failing)
				alert_log(a, "alerts: syslog socket %s works "
				    "again", a->sock_path);
			a->syslog_failing = 0;
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS)
			break;
		close(a->lfd);		/* syslog restarted: reconnect */
		a->lfd = -1;
	}
	a->st.syslog_errors++;
	if (!a->syslog_failing)
		alert_log(a, "alerts: cannot send to syslog socket %s: %s",
		    a->sock_path, strerror(errno));
	a->syslog_failing = 1;
}

static int64_t
alert_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
alert_remote_down(struct alerter *a, const char *why, int err)
{
	if (a->rfd != -1)
		close(a->rfd);
	a->rfd = -1;
	a->rstate = REMOTE_DOWN;
	a->rretry = alert_mono_ns() + ALERT_RETRY;
	/* A half-sent frame cannot be resumed on a new connection. */
	a->st.remote_dropped += a->rframes;
	a->rlen = 0;
	a->rframes = 0;
	a->st.remote_errors++;
	if (!a->remote_failing)
		alert_log(a, "alerts: remote syslog %s:%d: %s: %s",
		    a->conf.remote_host, a->conf.remote_port, why,
		    strerror(err));
	a->remote_failing = 1;
}

static void
alert_remote_connect(struct alerter *a)
{
	int type = a->rtcp ? SOCK_STREAM : SOCK_DGRAM;

	if (a->rstate == REMOTE_NONE || a->rfd != -1 ||
	    alert_mono_ns() < a->rretry)
		return;
	a->rfd = socket(a->raddr.ss_family, type | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (a->rfd == -1) {
		alert_remote_down(a, "socket", errno);
		return;
	}
	if (connect(a->rfd, (struct sockaddr *)&a->raddr, a->raddrlen) == -1 &&
	    errno != EINPROGRESS) {
		alert_remote_down(a, "connect", errno);
		return;
	}
	a->rstate = a->rtcp ? REMOTE_CONNECTING : REMOTE_UP;
}

/* Sends what the TCP buffer holds, as far as the socket takes it. */
static void
alert_remote_flush(struct alerter *a)
{
	struct pollfd pfd;
	socklen_t sl;
	ssize_t n;
	int soerr;

	alert_remote_connect(a);
	if (a->rstate == REMOTE_CONNECTING) {
		pfd.fd = a->rfd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) != 1)
			return;
		sl = sizeof(soerr);
		if (getsockopt(a->rfd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		if (soerr != 0) {
			alert_remote_down(a, "connect", soerr);
			return;
		}
		a->rstate = REMOTE_UP;
		if (a->remote_failing)
			alert_log(a, "alerts: remote syslog %s:%d connected",
			    a->conf.remote_host, a->conf.remote_port);
		a->remote_failing = 0;
	}
	if (a->rstate != REMOTE_UP || !a->rtcp)
		return;
	while (a->rlen > 0) {
		n = send(a->rfd, a->rbuf, a->rlen, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			alert_remote_down(a, "send", errno);
			return;
		}
		memmove(a->rbuf, a->rbuf + n, a->rlen - (size_t)n);
		a->rlen -= (size_t)n;
		if (a->rlen == 0)
			a->rframes = 0;
	}
}

/* RFC 5424 over UDP, or over TCP with octet counting (RFC 6587). */
static void
alert_write_remote(struct alerter *a, enum severity sev, const char *msgid,
    const char *line)
{
	char ts[40], mid[33];
	struct timespec now;
	size_t i, hl, ll;
	int n;

	if (a->rstate == REMOTE_NONE)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; msgid[i] != '\0' && i < sizeof(mid) - 1; i++)
		mid[i] = msgid[i] > 32 && msgid[i] < 127 ? msgid[i] : '_';
	mid[i] = '\0';
	n = snprintf(a->msg, sizeof(a->msg), "<%d>1 %s %s %s %d %s - %s",
	    a->conf.facility | alert_level(sev),
	    alert_time((xtime_t)now.tv_sec * XT_SEC + now.tv_nsec / 1000, ts,
	    sizeof(ts)), a->hostname, a->ident, (int)a->pid,
	    mid[0] ? mid : "-", line);
	if (n < 0)
		return;
	ll = (size_t)n < sizeof(a->msg) ? (size_t)n : sizeof(a->msg) - 1;
	if (!a->rtcp) {
		alert_remote_connect(a);
		if (a->rstate != REMOTE_UP)
			return;
		if (send(a->rfd, a->msg, ll, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    (ssize_t)ll) {
			/* UDP stays "up": the next datagram may pass. */
			a->st.remote_errors++;
			if (!a->remote_failing)
				alert_log(a, "alerts: remote syslog %s:%d: "
				    "send: %s", a->conf.remote_host,
				    a->conf.remote_port, strerror(errno));
			a->remote_failing = 1;
		} else
			a->remote_failing = 0;
		return;
	}
	snprintf(ts, sizeof(ts), "%zu ", ll);
	hl = strlen(ts);
	if (a->rstate == REMOTE_DOWN || a->rlen + hl + ll > ALERT_TCP_BUF) {
		a->st.remote_dropped++;
		alert_remote_flush(a);
		return;
	}
	memcpy(a->rbuf + a->rlen, ts, hl);
	memcpy(a->rbuf + a->rlen + hl, a->msg, ll);
	a->rlen += hl + ll;
	a->rframes++;
	alert_remote_flush(a);
}

static int
alert_remote_open(struct alerter *a, char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	char port[16];
	int rc;

	a->rstate = REMOTE_NONE;
	if (a->conf.remote_host == NULL || a->conf.remote_host[0] == '\0')
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = a->rtcp ? SOCK_STREAM : SOCK_DGRAM;
	snprintf(port, sizeof(port), "%d", a->conf.remote_port);
	if ((rc = getaddrinfo(a->conf.remote_host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "alerts.syslog.remote.host %s: %s",
		    a->conf.remote_host, gai_strerror(rc));
		return -1;
	}
	memcpy(&a->raddr, res->ai_addr, res->ai_addrlen);
	a->raddrlen = res->ai_addrlen;
	freeaddrinfo(res);
	if (a->rtcp && (a->rbuf = malloc(ALERT_TCP_BUF)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->rstate = REMOTE_DOWN;
	a->rretry = 0;
	alert_remote_connect(a);
	return 0;
}

/* Builds the line once and hands it to every output. */
static void
alert_emit(struct alerter *a, const struct alert_ctx *c)
{
	struct alert_out out;
	size_t tl, jl;
	int trunc = 0;

	tl = alert_text(c, a->text, sizeof(a->text));
	memcpy(a->line, a->text, tl);
	memcpy(a->line + tl, " -- ", 4);
	jl = alert_json(c, a->line + tl + 4, sizeof(a->line) - tl - 4,
	    &trunc);
	if (trunc)
		a->st.truncated++;
	a->st.alerts++;
	a->rule_alerts[c->rule - a->rs->rules]++;
	alert_write_syslog(a, c->sev, a->line);
	alert_write_remote(a, c->sev, c->rule->id, a->line);
	alert_write_json(a, a->line + tl + 4, jl);
	if (a->conf.print != NULL) {
		out.ev = c->ev;
		out.rule = c->rule;
		out.severity = c->sev;
		out.correlated = c->corr != NULL;
		out.line = a->line;
		out.json = a->line + tl + 4;
		out.text = a->text;
		a->conf.print(a->conf.arg, &out);
	}
}

/* ---- policy ------------------------------------------------------------- */

static int
alert_allow_match(const struct alerter *a, const struct allow_entry *e,
    const struct event *ev, const struct rule *r)
{
	size_t i, dlen;
	int64_t local, day;
	int ok, wday, minute;

	if (e->rules.n > 0) {
		for (i = 0; i < e->rules.n; i++)
			if (strcasecmp(e->rules.v[i], r->id) == 0)
				break;
		if (i == e->rules.n)
			return 0;
	}
	if (netset_count(&e->destination) > 0 &&
	    (!ev->has_dst || !netset_contains(&e->destination, &ev->dst)))
		return 0;
	if (e->country.n > 0) {
		if (!ev->has_geo || !(ev->geo.flags & GEO_KNOWN_COUNTRY))
			return 0;
		for (i = 0; i < e->country.n; i++)
			if (strncasecmp(e->country.v[i], ev->geo.country,
			    2) == 0)
				break;
		if (i == e->country.n)
			return 0;
	}
	if (e->nasn > 0) {
		if (!ev->has_geo || !(ev->geo.flags & GEO_KNOWN_ASN))
			return 0;
		for (i = 0; i < e->nasn; i++)
			if (e->asn[i] == ev->geo.asn)
				break;
		if (i == e->nasn)
			return 0;
	}
	if (e->domain.n > 0) {
		dlen = alert_domlen(ev);
		for (i = 0, ok = 0; i < e->domain.n && !ok; i++)
			ok = alert_domain_match(ev->domain, dlen,
			    e->domain.v[i]);
		if (!ok)
			return 0;
	}
	if (e->nport > 0) {
		for (i = 0; i < e->nport; i++)
			if (e->port[i] == ev->dport)
				break;
		if (i == e->nport)
			return 0;
	}
	if (netset_count(&e->host) > 0 && !netset_contains(&e->host, &ev->host))
		return 0;
	if (e->has_schedule) {
		local = alert_floordiv(ev->ts, XT_SEC) + a->utc_offset;
		day = alert_floordiv(local, 86400);
		wday = (int)(((day + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
		minute = (int)((local - day * 86400) / 60);
		if (!config_schedule_active(&e->schedule, wday, minute))
			return 0;
	}
	return 1;
}

/* Index of the first matching entry, or -1. */
static ssize_t
alert_allowed(const struct alerter *a, const struct event *ev,
    const struct rule *r)
{
	size_t i;

	for (i = 0; i < a->nallow; i++)
		if (alert_allow_match(a, &a->allow->v[i], ev, r))
			return (ssize_t)i;
	return -1;
}

/* A new minute: a fresh budget, and the count of the last one's misses. */
static void
alert_cap_roll(struct alerter *a, xtime_t ts)
{
	int64_t minute = alert_floordiv(ts, XT_MIN);
	char t[40];

	if (minute <= a->cap_minute)
		return;
	if (a->cap_dropped > 0)
		alert_log(a, "alerts: %" PRIu64 " alerts over the cap of %d "
		    "per minute were not sent in the minute from %s",
		    a->cap_dropped, a->conf.max_per_minute,
		    alert_time(a->cap_minute * XT_MIN, t, sizeof(t)));
	a->cap_minute = minute;
	a->cap_count = 0;
	a->cap_dropped = 0;
}

/* Counts an alert against the minute's budget; -1 when over it. */
static int
alert_cap(struct alerter *a, xtime_t ts, int exempt)
{
	char t[40];

	if (a->conf.max_per_minute <= 0)
		return 0;
	alert_cap_roll(a, ts);
	if (!exempt && a->cap_count >= a->conf.max_per_minute) {
		a->st.suppressed_cap++;
		if (a->cap_dropped++ == 0)
			alert_log(a, "alerts: cap of %d alerts per minute "
			    "reached at %s; the rest of this minute's alerts "
			    "are counted, not sent", a->conf.max_per_minute,
			    alert_time(ts, t, sizeof(t)));
		return -1;
	}
	a->cap_count++;
	return 0;
}

static void
alert_rate_evicted(void *ctx, void *entry)
{
	struct alerter *a = ctx;
	const struct alert_rate *e = entry;

	a->st.folded_unreported += e->folded;
}

static enum alert_result
alert_send(struct alerter *a, const struct event *ev, const struct rule *r)
{
	struct alert_rate *e = NULL;
	struct alert_rkey k;
	struct alert_ctx c;
	uint64_t folded = 0;
	uint32_t idx = ALERT_NIL;
	size_t dlen;
	int created = 0;

	if (a->conf.suppress_window > 0) {
		memset(&k, 0, sizeof(k));
		k.rule = alert_strhash(r->id, strlen(r->id));
		k.host = ev->host;
		if ((dlen = alert_domlen(ev)) > 0)
			k.dom = alert_strhash(ev->domain, dlen);
		else if (ev->has_dst)
			k.dst = ev->dst;
		idx = atab_get(&a->keys, &k, &created);
		e = atab_entry(&a->keys, idx);
		if (!created) {
			if (ev->ts > e->last)
				e->last = ev->ts;
			if (ev->ts - e->start < a->conf.suppress_window) {
				e->folded++;
				a->st.suppressed_rate++;
				return ALERT_FOLDED;
			}
			folded = e->folded;
		}
	}
	if (alert_cap(a, ev->ts, 0) == -1) {
		if (created)
			atab_del(&a->keys, idx);
		return ALERT_CAPPED;
	}
	if (e != NULL) {
		e->start = e->last = ev->ts;
		e->folded = 0;
	}
	memset(&c, 0, sizeof(c));
	c.ev = ev;
	c.rule = r;
	c.sev = r->severity;
	c.risk = r->risk_score;
	c.folded = folded;
	alert_emit(a, &c);
	return ALERT_SENT;
}

/* ---- risk events and correlation ---------------------------------------- */

static const struct rule *
alert_corr_rule(const struct alerter *a)
{
	if (!a->conf.corr_enabled)
		return NULL;
	return rules_for(a->rs, DET_CORRELATION);
}

static struct alert_host *
alert_risk_record(struct alerter *a, const struct event *ev,
    const struct rule *r)
{
	struct alert_host *h;
	struct alert_risk *k = NULL;
	uint16_t ri = (uint16_t)(r - a->rs->rules);
	xtime_t begin;
	int created, i, oldest = 0;

	if (alert_corr_rule(a) == NULL)
		return NULL;
	h = atab_entry(&a->hosts, atab_get(&a->hosts, &ev->host, &created));
	for (i = 0; i < h->n; i++) {
		if (h->risk[i].rule == ri) {
			k = &h->risk[i];
			break;
		}
		if (h->risk[i].last < h->risk[oldest].last)
			oldest = i;
	}
	/* An episode starts when the behaviour began, if the detector knows. */
	begin = ev->start != 0 && ev->start < ev->ts ? ev->start : ev->ts;
	if (k == NULL) {
		k = h->n < ALERT_HOST_RULES ? &h->risk[h->n++] :
		    &h->risk[oldest];
		memset(k, 0, sizeof(*k));
		k->first = begin;
		k->rule = ri;
	} else if (k->last < ev->ts - a->conf.corr_window)
		k->first = begin;	/* a new episode of this rule */
	if (ev->ts > k->last)
		k->last = ev->ts;
	if (begin < k->first)
		k->first = begin;
	k->tech = alert_override(ev->technique);
	k->risk = (uint8_t)r->risk_score;
	if (ev->ts > h->last)
		h->last = ev->ts;
	return h;
}

/* Whether every contributing rule was already in the last incident. */
static int
alert_corr_known(const struct alert_host *h, const struct alert_corr *c)
{
	int i, j;

	for (i = 0; i < c->nrules; i++) {
		for (j = 0; j < h->ncorr; j++)
			if (h->corr_rule[j] == c->idx[i])
				break;
		if (j == h->ncorr)
			return 0;
	}
	return 1;
}

static void
alert_corr_add(const struct alerter *a, struct alert_corr *c,
    const struct alert_risk *k)
{
	const struct rule *r = &a->rs->rules[k->rule];
	int i = c->nrules;

	/* Kept in order of first hit: the story as it happened. */
	while (i > 0 && c->first[i - 1] > k->first) {
		c->rule[i] = c->rule[i - 1];
		c->first[i] = c->first[i - 1];
		c->idx[i] = c->idx[i - 1];
		i--;
	}
	c->rule[i] = r;
	c->first[i] = k->first;
	c->idx[i] = k->rule;
	c->nrules++;
	c->risk_sum += k->risk;
	if (r->severity > c->maxsev)
		c->maxsev = r->severity;
}

static void
alert_correlate(struct alerter *a, struct alert_host *h, xtime_t now)
{
	const struct rule *cr = alert_corr_rule(a);
	struct alert_corr c;
	struct alert_ctx ctx;
	struct event cev;
	size_t o;
	int i;
	ssize_t al;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < h->n; i++)
		if (h->risk[i].last >= now - a->conf.corr_window &&
		    h->risk[i].rule < a->rs->n)
			alert_corr_add(a, &c, &h->risk[i]);
	for (i = 0; i < c.nrules; i++) {
		const struct alert_risk *k = NULL;
		int j;

		for (j = 0; j < h->n; j++)
			if (h->risk[j].rule == c.idx[i])
				k = &h->risk[j];
		alert_ids(c.rule[i], k ? k->tech : NULL, c.tactic, &c.ntactics,
		    ALERT_MAX_TACTICS, c.tech, &c.ntechs, ALERT_MAX_TECHS);
	}
	if (c.nrules < a->conf.corr_min_rules ||
	    c.ntactics < a->conf.corr_min_tactics)
		return;
	if (h->corr_ts != 0 && now - h->corr_ts < a->conf.corr_window &&
	    alert_corr_known(h, &c))
		return;
	h->corr_ts = now;
	h->ncorr = (uint8_t)c.nrules;
	for (i = 0; i < c.nrules; i++)
		h->corr_rule[i] = c.idx[i];

	memset(&cev, 0, sizeof(cev));
	cev.detector = DET_CORRELATION;
	cev.ts = now;
	cev.start = c.first[0];
	cev.host = h->addr;
	cev.window = a->conf.corr_window;
	cev.count = (uint64_t)c.nrules;
	cev.score = c.risk_sum > 100 ? 100 : c.risk_sum;
	o = (size_t)snprintf(cev.reason, sizeof(cev.reason), "%d rules in %d "
	    "ATT&CK tactics from one host within %" PRId64 " minutes:",
	    c.nrules, c.ntactics, a->conf.corr_window / XT_MIN);
	for (i = 0; i < c.nrules && o < sizeof(cev.reason); i++)
		o += (size_t)snprintf(cev.reason + o, sizeof(cev.reason) - o,
		    "%s%s", i ? ", " : " ", c.rule[i]->id);
	event_comp(&cev, "rules", c.nrules);
	event_comp(&cev, "tactics", c.ntactics);
	event_comp(&cev, "risk_sum", c.risk_sum);

	a->st.correlated++;
	a->rule_hits[cr - a->rs->rules]++;
	if ((al = alert_allowed(a, &cev, cr)) >= 0) {
		a->allow_hits[al]++;
		a->st.suppressed_allowlist++;
		return;
	}
	if (!cr->alert)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ev = &cev;
	ctx.rule = cr;
	ctx.sev = c.maxsev < SEV_CRITICAL ? c.maxsev + 1 : SEV_CRITICAL;
	if (cr->severity > ctx.sev)
		ctx.sev = cr->severity;
	ctx.risk = c.risk_sum > 100 ? 100 : c.risk_sum;
	ctx.corr = &c;
	alert_cap(a, now, 1);
	alert_emit(a, &ctx);
}

enum alert_result
alert_event(struct alerter *a, const struct event *ev)
{
	const struct rule *r = NULL;
	struct alert_host *h;
	enum alert_result res;
	ssize_t al;

	a->st.events++;
	if (ev->detector != DET_CORRELATION)
		r = rules_for(a->rs, ev->detector);
	if (r == NULL) {
		a->st.no_rule++;
		return ALERT_NO_RULE;
	}
	a->rule_hits[r - a->rs->rules]++;
	if ((al = alert_allowed(a, ev, r)) >= 0) {
		a->allow_hits[al]++;
		a->st.suppressed_allowlist++;
		return ALERT_ALLOWLISTED;
	}
	h = alert_risk_record(a, ev, r);
	if (!r->alert) {
		a->st.risk_only++;
		res = ALERT_RISK_ONLY;
	} else
		res = alert_send(a, ev, r);
	if (h != NULL)
		alert_correlate(a, h, ev->ts);
	return res;
}

void
alert_tick(struct alerter *a, xtime_t now)
{
	const struct alert_host *h;
	struct alert_rate *e;
	int n;

	for (n = 0; n < ALERT_EXPIRE_STEP && a->hosts.tail != ALERT_NIL;
	    n++) {
		h = atab_entry(&a->hosts, a->hosts.tail);
		if (h->last >= now - a->conf.corr_window)
			break;
		atab_del(&a->hosts, a->hosts.tail);
	}
	for (n = 0; n < ALERT_EXPIRE_STEP && a->keys.tail != ALERT_NIL; n++) {
		e = atab_entry(&a->keys, a->keys.tail);
		if (e->last >= now - a->conf.suppress_window)
			break;
		a->st.folded_unreported += e->folded;
		atab_del(&a->keys, a->keys.tail);
	}
	if (a->conf.max_per_minute > 0)
		alert_cap_roll(a, now);
	if (a->rtcp)
		alert_remote_flush(a);
}

/* ---- set up ------------------------------------------------------------- */

void
alert_conf_default(struct alert_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->syslog_enabled = 1;
	c->facility = LOG_LOCAL5;
	c->ident = "exfild";
	c->remote_port = 514;
	c->suppress_window = XT_HOUR;
	c->max_per_minute = 100;
	c->corr_enabled = 1;
	c->corr_window = 60 * XT_MIN;
	c->corr_min_rules = 2;
	c->corr_min_tactics = 2;
}

void
alert_conf_from_config(struct alert_conf *c, const struct config *cfg)
{
	alert_conf_default(c);
	c->syslog_enabled = cfg->alerts.syslog.enabled;
	c->facility = cfg->alerts.syslog.facility;
	c->ident = cfg->alerts.syslog.ident;
	if (cfg->alerts.syslog.socket != NULL &&
	    cfg->alerts.syslog.socket[0] != '\0')
		c->syslog_socket = cfg->alerts.syslog.socket;
	c->remote_host = cfg->alerts.syslog.remote.host;
	c->remote_port = cfg->alerts.syslog.remote.port;
	c->remote_tcp = cfg->alerts.syslog.remote.protocol == CONF_PROTO_TCP;
	c->json_file = cfg->alerts.json_file;
	c->suppress_window = cfg->alerts.suppress_window;
	c->max_per_minute = cfg->alerts.max_per_minute;
	c->corr_enabled = cfg->alerts.correlation.enabled;
	c->corr_window = cfg->alerts.correlation.window;
	c->corr_min_rules = cfg->alerts.correlation.min_rules;
	c->corr_min_tactics = cfg->alerts.correlation.min_tactics;
	c->allow = &cfg->allowlist;
	c->utc_offset = cfg->utc_offset;
}

static int
alert_counters(struct alerter *a, const struct ruleset *rs)
{
	uint64_t *hits, *alerts;
	size_t n = rules_count(rs), i;
	const struct rule *o;

	hits = calloc(n ? n : 1, sizeof(*hits));
	alerts = calloc(n ? n : 1, sizeof(*alerts));
	if (hits == NULL || alerts == NULL) {
		free(hits);
		free(alerts);
		return -1;
	}
	for (i = 0; i < n && a->rs != NULL; i++)
		if ((o = rules_find(a->rs, rs->rules[i].id)) != NULL) {
			hits[i] = a->rule_hits[o - a->rs->rules];
			alerts[i] = a->rule_alerts[o - a->rs->rules];
		}
	free(a->rule_hits);
	free(a->rule_alerts);
	a->rule_hits = hits;
	a->rule_alerts = alerts;
	a->nrules = n;
	return 0;
}

/* Tells about allowlist entries that name rules the ruleset lacks. */
static void
alert_check_allow(struct alerter *a)
{
	const struct allow_entry *e;
	size_t i, k;

	for (i = 0; i < a->nallow; i++) {
		e = &a->allow->v[i];
		for (k = 0; k < e->rules.n; k++)
			if (rules_find(a->rs, e->rules.v[k]) == NULL)
				alert_log(a, "alerts: allowlist entry at line "
				    "%d names rule '%s', which no rule file "
				    "defines", e->line, e->rules.v[k]);
	}
}

void
alert_set_allow(struct alerter *a, const struct config_allow *allow,
    int utc_offset)
{
	size_t n = allow != NULL ? allow->n : 0;
	uint64_t *hits = calloc(n ? n : 1, sizeof(*hits));

	if (hits == NULL)
		return;		/* keep the old list rather than none */
	free(a->allow_hits);
	a->allow_hits = hits;
	a->allow = allow;
	a->nallow = n;
	a->utc_offset = utc_offset;
	alert_check_allow(a);
}

void
alert_set_rules(struct alerter *a, const struct ruleset *rs)
{
	const struct rule *o;
	struct alert_host *h;
	uint32_t i;
	int k, m, c;

	/* Counters first: out of memory leaves everything as it was. */
	if (alert_counters(a, rs) == -1)
		return;
	/* Risk events follow their rule by id into the new ruleset. */
	for (i = a->hosts.head; i != ALERT_NIL; i = a->hosts.link[i].next) {
		h = atab_entry(&a->hosts, i);
		for (k = 0, m = 0; k < h->n; k++) {
			o = rules_find(rs, a->rs->rules[h->risk[k].rule].id);
			if (o == NULL)
				continue;
			h->risk[m] = h->risk[k];
			h->risk[m++].rule = (uint16_t)(o - rs->rules);
		}
		h->n = (uint8_t)m;
		for (k = 0, c = 0; k < h->ncorr; k++) {
			o = rules_find(rs, a->rs->rules[h->corr_rule[k]].id);
			if (o != NULL)
				h->corr_rule[c++] = (uint16_t)(o - rs->rules);
		}
		h->ncorr = (uint8_t)c;
	}
	a->rs = rs;
	alert_check_allow(a);
}

struct alerter *
alert_new(const struct alert_conf *conf, const struct ruleset *rs,
    char *err, size_t errlen)
{
	struct alerter *a;

	if (rules_count(rs) >= UINT16_MAX) {
		snprintf(err, errlen, "too many rules");
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->conf = *conf;
	a->lfd = a->rfd = -1;
	a->cap_minute = INT64_MIN;
	a->pid = getpid();
	a->rtcp = conf->remote_tcp;
	snprintf(a->ident, sizeof(a->ident), "%s",
	    conf->ident && conf->ident[0] ? conf->ident : "exfild");
	if (gethostname(a->hostname, sizeof(a->hostname)) == -1 ||
	    a->hostname[0] == '\0')
		snprintf(a->hostname, sizeof(a->hostname), "-");
	a->hostname[sizeof(a->hostname) - 1] = '\0';
	a->sock_path = strdup(conf->syslog_socket ? conf->syslog_socket :
	    ALERT_SYSLOG_PATH);
	a->json_path = strdup(conf->json_file ? conf->json_file : "");
	/* The configuration this came from is freed by the next reload. */
	a->remote_host = strdup(conf->remote_host ? conf->remote_host : "");
	if (a->sock_path == NULL || a->json_path == NULL ||
	    a->remote_host == NULL ||
	    atab_init(&a->hosts, conf->max_hosts ? conf->max_hosts :
	    ALERT_HOSTS_DEFAULT, sizeof(struct alert_host),
	    sizeof(addr_t)) == -1 ||
	    atab_init(&a->keys, conf->max_keys ? conf->max_keys :
	    ALERT_KEYS_DEFAULT, sizeof(struct alert_rate),
	    sizeof(struct alert_rkey)) == -1 ||
	    alert_counters(a, rs) == -1) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	a->keys.on_evict = alert_rate_evicted;
	a->keys.ctx = a;
	a->rs = rs;
	a->conf.ident = a->ident;
	a->conf.json_file = a->json_path;
	a->conf.syslog_socket = a->sock_path;
	a->conf.remote_host = a->remote_host;
	a->conf.allow = NULL;	/* kept in a->allow, swapped by alert_set_allow */
	alert_set_allow(a, conf->allow, conf->utc_offset);
	if (a->allow_hits == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (a->json_path[0] != '\0' &&
	    (a->jf = alert_json_open(a->json_path, err, errlen)) == NULL)
		goto fail;
	if (alert_remote_open(a, err, errlen) == -1)
		goto fail;
	if (a->conf.syslog_enabled && alert_syslog_connect(a) == -1) {
		alert_log(a, "alerts: syslog socket %s: %s; will retry",
		    a->sock_path, strerror(errno));
		a->syslog_failing = 1;
	}
	return a;
fail:
	alert_free(a);
	return NULL;
}

int
alert_reopen(struct alerter *a, char *err, size_t errlen)
{
	FILE *fp;

	if (a->json_path[0] == '\0')
		return 0;
	if ((fp = alert_json_open(a->json_path, err, errlen)) == NULL)
		return -1;	/* keep writing to the old file */
	if (a->jf != NULL)
		fclose(a->jf);
	a->jf = fp;
	a->json_failing = 0;
	return 0;
}

/*
 * A reload's alert settings: the JSON path (the new file is opened before
 * the old one is closed, so a bad path keeps the running output), syslog
 * facility and ident, rate limits and correlation.  The remote collector
 * and table sizes are start-up settings.
 */
int
alert_set_conf(struct alerter *a, const struct alert_conf *c, char *err,
    size_t errlen)
{
	const char *path = c->json_file != NULL ? c->json_file : "";
	FILE *fp = NULL;
	char *np;

	if (strcmp(path, a->json_path) != 0) {
		if (path[0] != '\0' &&
		    (fp = alert_json_open(path, err, errlen)) == NULL)
			return -1;
		if ((np = strdup(path)) == NULL) {
			if (fp != NULL)
				fclose(fp);
			snprintf(err, errlen, "alerts: out of memory");
			return -1;
		}
		if (a->jf != NULL)
			fclose(a->jf);
		a->jf = fp;
		a->json_failing = 0;
		free(a->json_path);
		a->json_path = np;
		a->conf.json_file = a->json_path;
	}
	snprintf(a->ident, sizeof(a->ident), "%s",
	    c->ident != NULL && c->ident[0] != '\0' ? c->ident : "exfild");
	a->conf.syslog_enabled = c->syslog_enabled;
	a->conf.facility = c->facility;
	a->conf.suppress_window = c->suppress_window;
	a->conf.max_per_minute = c->max_per_minute;
	a->conf.corr_enabled = c->corr_enabled;
	a->conf.corr_window = c->corr_window;
	a->conf.corr_min_rules = c->corr_min_rules;
	a->conf.corr_min_tactics = c->corr_min_tactics;
	return 0;
}

void
alert_free(struct alerter *a)
{
	if (a == NULL)
		return;
	if (a->rtcp && a->rstate == REMOTE_UP && a->rlen > 0) {
		/* one last try, without blocking */
		(void)send(a->rfd, a->rbuf, a->rlen, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	}
	if (a->jf != NULL)
		fclose(a->jf);
	if (a->lfd != -1)
		close(a->lfd);
	if (a->rfd != -1)
		close(a->rfd);
	atab_free(&a->hosts);
	atab_free(&a->keys);
	free(a->rbuf);
	free(a->rule_hits);
	free(a->rule_alerts);
	free(a->allow_hits);
	free(a->sock_path);
	free(a->json_path);
	free(a->remote_host);
	free(a);
}

void
alert_stats(const struct alerter *a, struct alert_stats *st)
{
	*st = a->st;
	st->hosts = a->hosts.used;
	st->hosts_evicted = a->hosts.evicted;
	st->keys = a->keys.used;
	st->keys_evicted = a->keys.evicted;
	st->mem_bytes = sizeof(*a) + atab_bytes(&a->hosts) +
	    atab_bytes(&a->keys) + (a->rbuf ? ALERT_TCP_BUF : 0) +
	    2 * a->nrules * sizeof(uint64_t) + a->nallow * sizeof(uint64_t);
}

uint64_t
alert_rule_hits(const struct alerter *a, const char *id)
{
	const struct rule *r = rules_find(a->rs, id);

	return r != NULL ? a->rule_hits[r - a->rs->rules] : 0;
}

uint64_t
alert_allow_hits(const struct alerter *a, size_t i)
{
	return i < a->nallow ? a->allow_hits[i] : 0;
}
