/*
 * test_score.c: the volume detector on synthetic networks.
 *
 * A week and two days of hourly traffic of 20 hosts — office laptops busy
 * on weekdays 08-18 and idle at night, two developers who push to GitHub,
 * a backup server that uploads ~10 GB every night at 01:00, a public web
 * server answering visitors from everywhere, downloads, internal copies —
 * is generated from a fixed pseudo-random sequence, so every run is the
 * same.  Each test adds one behaviour on the last day (a Tuesday) and
 * checks what the detector says: the exfiltrations it must report within
 * 60 s of packet time, and the ordinary behaviours it must not.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <math.h>
#include <netinet/in.h>

#include "testutil.h"
#include "baseline.h"
#include "score.h"
#include "state.h"

#define T0		((xtime_t)1709510400 * XT_SEC)	/* Mon 2024-03-04 00:00Z */
#define DAYS		9	/* Monday to the next Tuesday */
#define ATTACK_DAY	8
#define NHOSTS		20
#define MB		1000000ULL
#define GB		1000000000ULL

struct dst {
	const char	*ip;
	const char	*cc;
	const char	*region;
	uint32_t	 asn;
	const char	*org;
	uint16_t	 port;
	const char	*sni;
};

/* Where everybody goes. */
static const struct dst common[] = {
	{ "142.250.74.36", "US", "US-CA", 15169, "GOOGLE", 443, "www.google.com" },
	{ "142.250.74.100", "US", "US-CA", 15169, "GOOGLE", 443, "drive.google.com" },
	{ "13.107.42.14", "US", "US-WA", 8075, "MICROSOFT-CORP", 443, "outlook.office365.com" },
	{ "52.97.1.10", "IE", "IE-D", 8075, "MICROSOFT-CORP", 443, "teams.microsoft.com" },
	{ "52.16.1.20", "IE", "IE-D", 16509, "AMAZON-02", 443, "s3.eu-west-1.amazonaws.com" },
	{ "3.120.1.30", "DE", "DE-HE", 16509, "AMAZON-02", 443, "api.example-saas.com" },
	{ "104.16.1.1", "US", "US-CA", 13335, "CLOUDFLARENET", 443, "cdn.example.com" },
	{ "151.101.1.69", "US", "US-CA", 54113, "FASTLY", 443, "news.example.com" },
	{ "140.82.121.3", "US", "US-CA", 36459, "GITHUB", 443, "github.com" },
	{ "185.60.216.35", "IE", "IE-D", 32934, "FACEBOOK", 443, "www.facebook.com" },
	{ "212.58.244.1", "GB", "GB-ENG", 2818, "BBC", 443, "www.bbc.co.uk" },
	{ "194.25.0.10", "DE", "DE-NW", 3320, "DTAG", 443, "www.t-online.de" },
	{ "31.13.64.1", "NL", "NL-NH", 32934, "FACEBOOK", 443, "edge.facebook.com" },
	{ "93.184.216.34", "NL", "NL-NH", 15133, "EDGECAST", 443, "www.example.org" },
	{ "17.253.1.1", "US", "US-CA", 714, "APPLE", 443, "updates.apple.com" },
	{ "20.190.1.1", "NL", "NL-NH", 8075, "MICROSOFT-CORP", 443, "login.microsoftonline.com" },
};
#define NCOMMON	(sizeof(common) / sizeof(common[0]))

static const struct dst backup_dst =
    { "88.99.10.20", "DE", "DE-BY", 24940, "HETZNER", 443, "backup.example.net" };
static const struct dst rare_br =
    { "177.71.2.3", "BR", "BR-SP", 28573, "CLARO", 443, "portal.example.br" };
static const struct dst exfil_ru =
    { "185.12.0.4", "RU", "RU-MOW", 12345, "Example Ltd", 443, "" };
static const struct dst new_asn =
    { "45.79.20.30", "US", "US-CA", 64999, "Unknown Hosting", 443, "upload.example.io" };
static const struct dst odd_port =
    { "52.16.9.99", "IE", "IE-D", 16509, "AMAZON-02", 4444, "" };
static const struct dst small_za =
    { "41.0.0.9", "ZA", "ZA-GT", 37457, "TELKOM", 443, "www.example.co.za" };
static const struct dst mirror_jp =
    { "133.11.0.5", "JP", "JP-13", 2907, "SINET", 443, "mirror.example.jp" };
static const struct dst fileserver =
    { "10.1.0.200", "", "", 0, "", 445, "" };

static const char *const visitor_cc[] = {
	"US", "DE", "GB", "FR", "IN", "CN", "BR", "RU", "JP", "AU", "KR", "ZA"
};

enum { OFFICE, QUIET, DEV, BACKUP, WEB };

static int
host_kind(int i)
{
	if (i == 14)
		return BACKUP;
	if (i == 15)
		return WEB;
	if (i == 16 || i == 17)
		return DEV;
	if (i >= 18)
		return QUIET;
	return OFFICE;
}

struct srec {
	xtime_t		 first, last;
	int		 seq;
	int		 host;		/* index; NHOSTS + k for a new host */
	struct dst	 d;
	char		 ipbuf[24];
	enum flow_dir	 dir;
	uint8_t		 proto;
	uint64_t	 up, down;	/* payload bytes */
	int		 tag;		/* scenario marker, 0 = ordinary */
};

struct sim {
	struct srec	*r;
	size_t		 n, cap;
	uint64_t	 rng;
	struct scorer	*sc;
	struct event	*ev;
	int		*evtag;
	size_t		 nev, evcap;
	xtime_t		 tag_start[8];	/* first unusual record per tag */
};

static uint64_t
rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static double
rnd01(struct sim *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

static uint64_t
loguni(struct sim *s, double lo, double hi)
{
	return (uint64_t)exp(log(lo) + rnd01(s) * (log(hi) - log(lo)));
}

static struct srec *
add(struct sim *s, xtime_t first, xtime_t last, int host, const struct dst *d,
    enum flow_dir dir, uint64_t up, uint64_t down, int tag)
{
	struct srec *r;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->r = realloc(s->r, s->cap * sizeof(*s->r));
		assert_non_null(s->r);
	}
	r = &s->r[s->n];
	memset(r, 0, sizeof(*r));
	r->seq = (int)s->n++;
	r->first = first;
	r->last = last;
	r->host = host;
	r->d = *d;
	r->dir = dir;
	r->proto = 6;
	r->up = up;
	r->down = down;
	r->tag = tag;
	return r;
}

/* A long transfer as the flow table reports it: a record every 10 s. */
static void
add_stream(struct sim *s, xtime_t start, xtime_t dur, int host,
    const struct dst *d, uint64_t up, uint64_t down, int tag)
{
	xtime_t t, step = 10 * XT_SEC;
	uint64_t n = (uint64_t)((dur + step - 1) / step), i;

	for (i = 0, t = start; i < n; i++, t += step)
		add(s, t, t + step - XT_SEC / 10, host, d, DIR_OUTBOUND,
		    up / n + (i == n - 1 ? up % n : 0),
		    down / n + (i == n - 1 ? down % n : 0), tag);
}

static void
gen_office(struct sim *s, int i, xtime_t hour, int hod, int weekend, int kind)
{
	const struct dst *d;
	int k, n;
	double hi = kind == QUIET ? 3e6 : 12e6;

	/* Background telemetry around the clock. */
	add(s, hour + 7 * XT_MIN, hour + 7 * XT_MIN + XT_SEC, i, &common[14],
	    DIR_OUTBOUND, 20000 + rnd(s) % 10000, 50000, 0);
	if (weekend) {
		if (hod < 10 || hod > 15 || rnd01(s) > 0.1)
			return;
		n = 1 + (int)(rnd(s) % 2);
	} else {
		if (hod < 8 || hod > 17)
			return;
		n = 3 + (int)(rnd(s) % 4);
	}
	for (k = 0; k < n; k++) {
		if (rnd01(s) < 0.1)
			d = &common[rnd(s) % NCOMMON];
		else
			d = &common[(i * 3 + rnd(s) % 6) % NCOMMON];
		xtime_t t = hour + (xtime_t)(rnd(s) % 3500) * XT_SEC;
		add(s, t, t + 20 * XT_SEC, i, d, DIR_OUTBOUND,
		    loguni(s, 1e5, hi), loguni(s, 1e6, 5e7), 0);
	}
	/* Now and then a big download: it is the ACKs that go out. */
	if (!weekend && rnd01(s) < 0.05) {
		xtime_t t = hour + (xtime_t)(rnd(s) % 3000) * XT_SEC;
		add_stream(s, t, 2 * XT_MIN, i, &common[rnd(s) % NCOMMON], 0,
		    loguni(s, 2e8, 1e9), 0);
	}
	if (kind == DEV && !weekend && (hod == 10 || hod == 15) &&
	    rnd01(s) < 0.7)
		add_stream(s, hour + 20 * XT_MIN, 3 * XT_MIN, i, &common[8],
		    loguni(s, 3e7, 2.5e8), 1e6, 0);
	/* Copies to the internal file server at noon. */
	if (i == 2 && !weekend && hod == 12) {
		struct srec *r = add(s, hour + 5 * XT_MIN, hour + 25 * XT_MIN,
		    i, &fileserver, DIR_INTERNAL, 3 * GB, 1e6, 0);
		(void)r;
	}
}

static void
gen_backup(struct sim *s, int i, xtime_t hour, int hod)
{
	if (hod == 1)
		add_stream(s, hour + (xtime_t)(rnd(s) % 600) * XT_SEC,
		    50 * XT_MIN, i, &backup_dst, loguni(s, 8e9, 11e9), 2e7, 0);
	else if (hod >= 8 && hod <= 17)
		add(s, hour + 30 * XT_MIN, hour + 31 * XT_MIN, i, &common[4],
		    DIR_OUTBOUND, loguni(s, 3e5, 2e6), 1e6, 0);
}

static void
gen_web(struct sim *s, int i, xtime_t hour)
{
	struct dst v;
	int k;

	for (k = 0; k < 20; k++) {
		struct srec *r;
		uint64_t id = rnd(s);

		v.cc = visitor_cc[id % 12];
		v.region = "";
		v.asn = 64600 + (uint32_t)(id % 50);
		v.org = "Visitor ISP";
		v.port = 443;
		v.sni = "www.ourcompany.example";
		v.ip = NULL;
		xtime_t t = hour + (xtime_t)(rnd(s) % 3500) * XT_SEC;
		r = add(s, t, t + 30 * XT_SEC, i, &v, DIR_INBOUND,
		    loguni(s, 5e4, 4e7), 20000, 0);
		snprintf(r->ipbuf, sizeof(r->ipbuf), "198.18.%u.%u",
		    (unsigned)(id >> 8) % 256, (unsigned)(id >> 16) % 254 + 1);
		r->d.ip = NULL;
	}
}

static void
gen_week(struct sim *s, uint64_t seed)
{
	int day, hod, i;

	memset(s, 0, sizeof(*s));
	s->rng = seed;
	for (day = 0; day < DAYS; day++) {
		int weekend = day % 7 == 5 || day % 7 == 6;

		for (hod = 0; hod < 24; hod++) {
			xtime_t hour = T0 + day * XT_DAY + hod * XT_HOUR;

			for (i = 0; i < NHOSTS; i++) {
				switch (host_kind(i)) {
				case BACKUP:
					gen_backup(s, i, hour, hod);
					break;
				case WEB:
					gen_web(s, i, hour);
					break;
				default:
					gen_office(s, i, hour, hod, weekend,
					    host_kind(i));
				}
			}
		}
		/* Host 5 glances at a Brazilian site once, on Wednesday. */
		if (day == 2)
			add(s, T0 + day * XT_DAY + 11 * XT_HOUR,
			    T0 + day * XT_DAY + 11 * XT_HOUR + 5 * XT_SEC, 5,
			    &rare_br, DIR_OUTBOUND, 30000, 200000, 0);
	}
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct srec *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return x->seq - y->seq;
}

static void
host_addr(int i, addr_t *a)
{
	uint8_t v4[4] = { 10, 1, (uint8_t)(i / 250), (uint8_t)(i % 250 + 1) };

	addr_from_v4(a, v4);
}

static void
sim_conf(struct score_conf *c)
{
	char err[256];

	assert_int_equal(score_conf_default(c, err, sizeof(err)), 0);
	c->learning_period = 2 * XT_DAY;
	c->max_hosts = 1024;
	c->max_entries = 200000;
	c->max_destinations = 100000;
}

static void
sim_feed(struct sim *s, const struct srec *r)
{
	struct flow_rec rec;
	struct flowinfo fi;
	addr_t h, d;
	struct event out[2];
	uint64_t pk_up, pk_acks;
	int n, k;

	host_addr(r->host, &h);
	assert_int_equal(addr_pton(r->d.ip != NULL ? r->d.ip : r->ipbuf, &d), 0);
	memset(&rec, 0, sizeof(rec));
	memset(&fi, 0, sizeof(fi));
	rec.kind = REC_INTERIM;
	rec.proto = r->proto;
	rec.first = r->first;
	rec.last = r->last;
	/* Wire bytes: full segments up, an ACK for every two segments down. */
	pk_up = r->up / 1448 + 1;
	pk_acks = r->down / 2896 + 1;
	fi.rec = &rec;
	fi.dir = r->dir;
	fi.host = &h;
	fi.remote = &d;
	fi.host_is_client = r->dir != DIR_INBOUND;
	fi.rport = r->dir == DIR_INBOUND ? 51000 : r->d.port;
	fi.lport = r->dir == DIR_INBOUND ? r->d.port : 50000;
	fi.sent = r->up + (pk_up + pk_acks) * 52;
	fi.recv = r->down + (r->down / 1448 + 1) * 52;
	k = fi.host_is_client ? 0 : 1;
	rec.pkts[k] = (uint32_t)(pk_up + pk_acks);
	rec.pkts[!k] = (uint32_t)(r->down / 1448 + 1);
	rec.bytes[k] = fi.sent;
	rec.bytes[!k] = fi.recv;
	if (r->d.cc[0] != '\0') {
		snprintf(fi.geo.country, sizeof(fi.geo.country), "%s", r->d.cc);
		fi.geo.flags |= GEO_KNOWN_COUNTRY;
	}
	if (r->d.region[0] != '\0') {
		snprintf(fi.geo.region, sizeof(fi.geo.region), "%s",
		    r->d.region);
		fi.geo.flags |= GEO_KNOWN_REGION;
	}
	if (r->d.asn != 0) {
		fi.geo.asn = r->d.asn;
		snprintf(fi.geo.as_org, sizeof(fi.geo.as_org), "%s", r->d.org);
		fi.geo.flags |= GEO_KNOWN_ASN | GEO_KNOWN_ORG;
	}
	fi.app = "TLS";
	fi.server_name = r->d.sni;
	n = score_record(s->sc, &fi, out, 2);
	for (k = 0; k < n; k++) {
		if (s->nev == s->evcap) {
			s->evcap = s->evcap ? s->evcap * 2 : 64;
			s->ev = realloc(s->ev, s->evcap * sizeof(*s->ev));
			s->evtag = realloc(s->evtag, s->evcap * sizeof(int));
			assert_non_null(s->ev);
			assert_non_null(s->evtag);
		}
		s->evtag[s->nev] = r->tag;
		s->ev[s->nev++] = out[k];
		if (getenv("SCORE_VERBOSE") != NULL)
			fprintf(stderr, "  event tag %d score %.1f %s %s\n",
			    r->tag, out[k].score, out[k].technique,
			    out[k].reason);
	}
	if (r->tag != 0 && s->tag_start[r->tag] == 0)
		s->tag_start[r->tag] = r->first;
}

/* Feed records in time order, from index `from`, ticking every hour. */
static void
sim_run(struct sim *s, size_t from, size_t to)
{
	xtime_t tick = 0;
	size_t i;

	for (i = from; i < to; i++) {
		if (s->r[i].last >= tick + XT_HOUR) {
			tick = s->r[i].last;
			score_tick(s->sc, tick);
		}
		sim_feed(s, &s->r[i]);
	}
}

static void
sim_start(struct sim *s, const struct score_conf *c)
{
	char err[256];

	qsort(s->r, s->n, sizeof(*s->r), rec_cmp);
	s->sc = score_new(c, err, sizeof(err));
	assert_non_null(s->sc);
}

static void
sim_free(struct sim *s)
{
	score_free(s->sc);
	free(s->r);
	free(s->ev);
	free(s->evtag);
}

/* Events of one scenario tag, and any event of an ordinary record. */
static size_t
count_tag(const struct sim *s, int tag)
{
	size_t i, n = 0;

	for (i = 0; i < s->nev; i++)
		n += s->evtag[i] == tag;
	return n;
}

static const struct event *
first_tag(const struct sim *s, int tag)
{
	size_t i;

	for (i = 0; i < s->nev; i++)
		if (s->evtag[i] == tag)
			return &s->ev[i];
	return NULL;
}

static double
comp(const struct event *ev, const char *name)
{
	int i;

	for (i = 0; i < ev->ncomps; i++)
		if (strcmp(ev->comps[i].name, name) == 0)
			return ev->comps[i].value;
	fail_msg("no component %s", name);
	return 0.0;
}

static xtime_t
at(int day, int hod, int min)
{
	return T0 + day * XT_DAY + hod * XT_HOUR + min * XT_MIN;
}

/* Build the week, add one scenario, run, and check the ordinary days. */
static void
run_scenario(struct sim *s, void (*scen)(struct sim *), int threshold)
{
	struct score_conf c;

	gen_week(s, 0x9e3779b97f4a7c15ULL);
	if (scen != NULL)
		scen(s);
	sim_conf(&c);
	if (threshold > 0)
		c.alert_threshold = threshold;
	sim_start(s, &c);
	sim_run(s, 0, s->n);
	if (getenv("SCORE_VERBOSE") != NULL)
		fprintf(stderr, "records %zu events %zu ordinary %zu\n", s->n,
		    s->nev, count_tag(s, 0));
}

static void
scen_country(struct sim *s)
{
	add_stream(s, at(ATTACK_DAY, 14, 3), 9 * XT_MIN, 3, &exfil_ru,
	    1400 * MB, 2 * MB, 1);
}

static void
scen_new_asn(struct sim *s)
{
	add_stream(s, at(ATTACK_DAY, 10, 30), 5 * XT_MIN, 7, &new_asn,
	    300 * MB, 1 * MB, 1);
}

static void
scen_port(struct sim *s)
{
	add_stream(s, at(ATTACK_DAY, 15, 10), 6 * XT_MIN, 8, &odd_port,
	    300 * MB, 1 * MB, 1);
}

static void
scen_slow(struct sim *s)
{
	int k;

	/* 3 MB an hour, a record every 10 minutes, for a day. */
	for (k = 0; k < 24 * 6; k++)
		add(s, at(ATTACK_DAY - 1, 12, 0) + k * 10 * XT_MIN,
		    at(ATTACK_DAY - 1, 12, 0) + k * 10 * XT_MIN + 2 * XT_SEC,
		    10, &rare_br, DIR_OUTBOUND, 500000, 20000, 1);
}

/* Storage of a provider everybody uses, at an address new to the host. */
static const struct dst night_dst =
    { "142.250.74.207", "US", "US-CA", 15169, "GOOGLE", 443, "storage.googleapis.com" };

static void
scen_night(struct sim *s)
{
	add_stream(s, at(ATTACK_DAY, 2, 30), 20 * XT_MIN, 11, &night_dst,
	    1000 * MB, 2 * MB, 1);
}

static void
scen_backup_late(struct sim *s)
{
	size_t i;

	/* Drop Tuesday's 01:00 backup; run it at 03:00, 30 % larger. */
	for (i = 0; i < s->n; i++)
		if (s->r[i].host == 14 && s->r[i].first >= at(ATTACK_DAY, 0, 0) &&
		    s->r[i].first < at(ATTACK_DAY, 3, 0))
			s->r[i].up = 0, s->r[i].down = 0;
	add_stream(s, at(ATTACK_DAY, 3, 10), 65 * XT_MIN, 14, &backup_dst,
	    13 * GB, 2e7, 1);
}

static void
scen_web_spike(struct sim *s)
{
	struct srec *r;
	int k;

	for (k = 0; k < 200; k++) {
		r = add(s, at(ATTACK_DAY, 13, 0) + k * 10 * XT_SEC,
		    at(ATTACK_DAY, 13, 0) + k * 10 * XT_SEC + 9 * XT_SEC, 15,
		    &exfil_ru, DIR_INBOUND, 20 * MB, 20000, 1);
		r->d.port = 443;
	}
}

static void
scen_new_host(struct sim *s)
{
	uint64_t keep = s->rng;
	int hod;

	/* Host 20 arrives on Tuesday and works like everybody else. */
	s->rng = 12345;
	for (hod = 0; hod < 24; hod++)
		gen_office(s, NHOSTS, at(ATTACK_DAY, hod, 0), hod, 0, OFFICE);
	/* Including a first visit to a few cloud addresses nobody used. */
	add(s, at(ATTACK_DAY, 9, 40), at(ATTACK_DAY, 9, 41), NHOSTS,
	    &(struct dst){ "52.16.200.1", "IE", "IE-D", 16509, "AMAZON-02",
	    443, "new.example.com" }, DIR_OUTBOUND, 6 * MB, 20 * MB, 0);
	s->rng = keep;
	for (size_t i = 0; i < s->n; i++)
		if (s->r[i].host == NHOSTS)
			s->r[i].tag = 1;
}

static void
scen_small_visit(struct sim *s)
{
	add(s, at(ATTACK_DAY, 11, 0), at(ATTACK_DAY, 11, 0) + 4 * XT_SEC, 4,
	    &small_za, DIR_OUTBOUND, 40000, 300000, 1);
}

static void
scen_download(struct sim *s)
{
	add_stream(s, at(ATTACK_DAY, 14, 0), 8 * XT_MIN, 6, &mirror_jp,
	    0, 5 * GB, 1);
}

static void
scen_internal(struct sim *s)
{
	struct srec *r;

	r = add(s, at(ATTACK_DAY, 16, 0), at(ATTACK_DAY, 16, 20), 9,
	    &fileserver, DIR_INTERNAL, 20 * GB, 1 * MB, 1);
	(void)r;
}

static void
expect_alert(void (*scen)(struct sim *), int host, const char *dst,
    const char *tech, xtime_t within)
{
	struct sim s;
	const struct event *ev;
	addr_t h, d;
	char buf[ADDR_STRLEN];

	run_scenario(&s, scen, 0);
	assert_int_equal(count_tag(&s, 0), 0);
	ev = first_tag(&s, 1);
	if (ev == NULL)
		fail_msg("no alert");
	host_addr(host, &h);
	assert_int_equal(addr_pton(dst, &d), 0);
	assert_true(addr_eq(&ev->host, &h));
	assert_true(addr_eq(&ev->dst, &d));
	assert_int_equal(ev->detector, DET_VOLUME);
	assert_true(ev->score >= 75.0);
	assert_non_null(ev->technique);
	assert_string_equal(ev->technique, tech);
	assert_true(ev->ts - s.tag_start[1] <= within);
	assert_true(ev->ts >= s.tag_start[1]);
	assert_true(strstr(ev->reason, addr_ntop(&h, buf, sizeof(buf))) != NULL);
	assert_true(strstr(ev->reason, dst) != NULL);
	assert_int_equal(ev->ncomps, 12);
	/* One alert per window: not one per record. */
	assert_true(count_tag(&s, 1) <= 3);
	if (getenv("SCORE_VERBOSE") != NULL)
		fprintf(stderr, "alert after %lld s: %s\n",
		    (long long)((ev->ts - s.tag_start[1]) / XT_SEC), ev->reason);
	sim_free(&s);
}

static void
expect_quiet(void (*scen)(struct sim *))
{
	struct sim s;

	run_scenario(&s, scen, 0);
	assert_int_equal(count_tag(&s, 0), 0);
	assert_int_equal(count_tag(&s, 1), 0);
	sim_free(&s);
}

static void
test_week_is_quiet(void **state)
{
	struct sim s;
	struct score_stats st;

	(void)state;
	run_scenario(&s, NULL, 0);
	assert_int_equal(s.nev, 0);
	score_stats(s.sc, &st);
	assert_true(st.scored > 0);
	assert_true(st.learning > 0);
	assert_int_equal(st.hosts, NHOSTS);	/* web server: one more role */
	sim_free(&s);
}

static void
test_country(void **state)
{
	struct sim s;
	const struct event *ev;

	(void)state;
	expect_alert(scen_country, 3, "185.12.0.4", "T1041", 60 * XT_SEC);
	run_scenario(&s, scen_country, 0);
	ev = first_tag(&s, 1);
	assert_non_null(ev);
	assert_string_equal(ev->geo.country, "RU");
	assert_int_equal(ev->geo.asn, 12345);
	assert_true(strstr(ev->reason, "RU, AS12345 Example Ltd") != NULL);
	assert_true(strstr(ev->reason, "no host has used before") != NULL);
	assert_true(comp(ev, "rarity_country") > 0.99);
	assert_true(comp(ev, "net_hosts") <= 1.0);
	assert_true(comp(ev, "p99_bytes") > 0.0);
	assert_int_equal(ev->dport, 443);
	assert_string_equal(ev->app, "TLS");
	sim_free(&s);
}

static void
test_new_asn(void **state)
{
	(void)state;
	expect_alert(scen_new_asn, 7, "45.79.20.30", "T1041", 60 * XT_SEC);
}

static void
test_port(void **state)
{
	(void)state;
	expect_alert(scen_port, 8, "52.16.9.99", "T1571", 60 * XT_SEC);
}

static void
test_slow(void **state)
{
	(void)state;
	expect_alert(scen_slow, 10, "177.71.2.3", "T1030", 24 * XT_HOUR);
}

static void
test_night(void **state)
{
	(void)state;
	expect_alert(scen_night, 11, "142.250.74.207", "T1029", 60 * XT_SEC);
}

static void
test_backup_late(void **state)
{
	(void)state;
	expect_quiet(scen_backup_late);
}

static void
test_web_server(void **state)
{
	(void)state;
	expect_quiet(scen_web_spike);
}

static void
test_new_host(void **state)
{
	(void)state;
	expect_quiet(scen_new_host);
}

static void
test_small_visit(void **state)
{
	(void)state;
	expect_quiet(scen_small_visit);
}

static void
test_download(void **state)
{
	(void)state;
	expect_quiet(scen_download);
}

static void
test_internal(void **state)
{
	(void)state;
	expect_quiet(scen_internal);
}

static void
test_server_replies_flag(void **state)
{
	struct sim s;
	struct score_conf c;

	(void)state;
	/* Off (the default): a web server's answers are never scored. */
	expect_quiet(scen_web_spike);
	/* On: its replies have a baseline of their own and are scored. */
	gen_week(&s, 0x9e3779b97f4a7c15ULL);
	scen_web_spike(&s);
	sim_conf(&c);
	c.score_server_replies = 1;
	sim_start(&s, &c);
	sim_run(&s, 0, s.n);
	assert_true(count_tag(&s, 1) > 0);
	sim_free(&s);
}

/* Two runs of the same records give the same events, byte for byte. */
static void
test_deterministic(void **state)
{
	struct sim a, b;
	size_t i;

	(void)state;
	run_scenario(&a, scen_country, 40);
	run_scenario(&b, scen_country, 40);
	assert_true(a.nev > 0);
	assert_int_equal(a.nev, b.nev);
	for (i = 0; i < a.nev; i++) {
		assert_true(a.ev[i].ts == b.ev[i].ts);
		assert_true(a.ev[i].score == b.ev[i].score);
		assert_true(a.ev[i].bytes == b.ev[i].bytes);
		assert_true(addr_eq(&a.ev[i].host, &b.ev[i].host));
		assert_string_equal(a.ev[i].reason, b.ev[i].reason);
		assert_memory_equal(a.ev[i].comps, b.ev[i].comps,
		    sizeof(a.ev[i].comps));
	}
	sim_free(&a);
	sim_free(&b);
}

static void
tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/tmp/test_score.%ld.%s", (long)getpid(), name);
}

static int
count_aside(const char *path)
{
	char dir[256], *base;
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	base = strrchr(dir, '/');
	*base++ = '\0';
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, base, strlen(base)) == 0 &&
		    strstr(de->d_name, ".corrupt-") != NULL) {
			char p[512];

			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
			n++;
		}
	closedir(d);
	return n;
}

/*
 * Save at the start of the attack day, load into a new scorer, and the
 * rest of the run gives the events the uninterrupted run gives.
 */
static void
test_save_load_round_trip(void **state)
{
	struct sim a, b;
	struct score_conf c;
	struct score_stats sa, sb;
	char path[256], err[256];
	size_t i, cut;

	(void)state;
	tmp_path(path, sizeof(path), "rt");
	gen_week(&a, 0x9e3779b97f4a7c15ULL);
	scen_country(&a);
	scen_slow(&a);
	sim_conf(&c);
	c.alert_threshold = 50;
	sim_start(&a, &c);
	for (cut = 0; cut < a.n && a.r[cut].last < at(ATTACK_DAY - 1, 0, 0);
	    cut++)
		;
	sim_run(&a, 0, cut);
	assert_int_equal(score_save(a.sc, path, err, sizeof(err)), 0);

	memset(&b, 0, sizeof(b));
	b.r = a.r;
	b.n = a.n;
	b.nev = 0;
	assert_non_null(b.sc = score_new(&c, err, sizeof(err)));
	assert_int_equal(score_load(b.sc, path, err, sizeof(err)), 1);
	score_stats(a.sc, &sa);
	score_stats(b.sc, &sb);
	assert_int_equal(sa.hosts, sb.hosts);
	assert_int_equal(sa.entries, sb.entries);
	assert_int_equal(sa.destinations, sb.destinations);
	assert_true(sa.first == sb.first);
	assert_true(sa.learning_left == sb.learning_left);
	assert_int_equal(sb.loads, 1);

	a.nev = 0;
	sim_run(&a, cut, a.n);
	sim_run(&b, cut, b.n);
	assert_true(a.nev > 0);
	assert_int_equal(a.nev, b.nev);
	for (i = 0; i < a.nev; i++) {
		assert_true(a.ev[i].ts == b.ev[i].ts);
		assert_true(a.ev[i].score == b.ev[i].score);
		assert_string_equal(a.ev[i].reason, b.ev[i].reason);
		assert_memory_equal(a.ev[i].comps, b.ev[i].comps,
		    sizeof(a.ev[i].comps));
	}
	unlink(path);
	score_free(b.sc);
	free(b.ev);
	free(b.evtag);
	sim_free(&a);
}

/*
 * A capture replayed again with the state its first replay left: the
 * state is from the traffic's future, so learning starts afresh and the
 * second replay alerts exactly as the first.
 */
static void
test_state_from_the_future(void **state)
{
	struct sim a, b;
	struct score_conf c;
	struct score_stats st;
	char path[256], err[256];
	size_t i;

	(void)state;
	tmp_path(path, sizeof(path), "future");
	run_scenario(&a, scen_country, 0);
	assert_int_equal(score_save(a.sc, path, err, sizeof(err)), 0);
	memset(&b, 0, sizeof(b));
	b.r = a.r;
	b.n = a.n;
	sim_conf(&c);
	assert_non_null(b.sc = score_new(&c, err, sizeof(err)));
	assert_int_equal(score_load(b.sc, path, err, sizeof(err)), 1);
	sim_run(&b, 0, b.n);
	score_stats(b.sc, &st);
	assert_int_equal(st.state_discarded, 1);
	assert_int_equal(a.nev, b.nev);
	for (i = 0; i < a.nev; i++)
		assert_string_equal(a.ev[i].reason, b.ev[i].reason);
	unlink(path);
	score_free(b.sc);
	free(b.ev);
	free(b.evtag);
	sim_free(&a);
}

/* A restart in the middle of learning does not restart the clock. */
static void
test_learning_clock_survives(void **state)
{
	struct sim a;
	struct score_conf c;
	struct score_stats st;
	struct scorer *b;
	char path[256], err[256];
	size_t cut;

	(void)state;
	tmp_path(path, sizeof(path), "learn");
	gen_week(&a, 7);
	sim_conf(&c);
	sim_start(&a, &c);
	for (cut = 0; cut < a.n && a.r[cut].last < at(1, 0, 0); cut++)
		;
	sim_run(&a, 0, cut);
	score_stats(a.sc, &st);
	assert_true(st.learning_left > 0 && st.learning_left <= XT_DAY +
	    XT_HOUR);
	assert_int_equal(score_save(a.sc, path, err, sizeof(err)), 0);
	assert_non_null(b = score_new(&c, err, sizeof(err)));
	assert_int_equal(score_load(b, path, err, sizeof(err)), 1);
	score_stats(b, &st);
	assert_true(st.learning_left > 0 && st.learning_left <= XT_DAY +
	    XT_HOUR);
	assert_true(st.first == T0 || st.first < T0 + XT_HOUR);
	score_free(b);
	unlink(path);
	sim_free(&a);
}

static void
saved_state(const char *path, struct score_conf *c)
{
	struct sim a;
	char err[256];

	gen_week(&a, 11);
	sim_conf(c);
	sim_start(&a, c);
	sim_run(&a, 0, a.n / 3);
	assert_int_equal(score_save(a.sc, path, err, sizeof(err)), 0);
	sim_free(&a);
}

static void
expect_fresh_after_load(const char *path, const struct score_conf *c,
    const char *why)
{
	struct scorer *b;
	struct score_stats st;
	char err[512] = "";

	assert_non_null(b = score_new(c, err, sizeof(err)));
	assert_int_equal(score_load(b, path, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err, why);
	assert_non_null(strstr(err, "moved to"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_aside(path), 1);
	score_stats(b, &st);
	assert_int_equal(st.hosts, 0);
	assert_int_equal(st.entries, 0);
	assert_true(st.learning_left == c->learning_period);
	/* A missing file afterwards is a plain fresh start. */
	assert_int_equal(score_load(b, path, err, sizeof(err)), 0);
	score_free(b);
}

static void
test_corrupt_flipped(void **state)
{
	struct score_conf c;
	char path[256];
	FILE *fp;
	int ch;

	(void)state;
	tmp_path(path, sizeof(path), "flip");
	saved_state(path, &c);
	assert_non_null(fp = fopen(path, "r+b"));
	fseek(fp, 5000, SEEK_SET);
	ch = fgetc(fp);
	fseek(fp, 5000, SEEK_SET);
	fputc(ch ^ 1, fp);
	fclose(fp);
	expect_fresh_after_load(path, &c, "checksum");
}

static void
test_corrupt_truncated(void **state)
{
	struct score_conf c;
	char path[256];
	struct stat st;

	(void)state;
	tmp_path(path, sizeof(path), "trunc");
	saved_state(path, &c);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
	expect_fresh_after_load(path, &c, "truncated");
}

static void
test_corrupt_version(void **state)
{
	struct score_conf c;
	struct state_file sf;
	char path[256], err[256];

	(void)state;
	tmp_path(path, sizeof(path), "version");
	sim_conf(&c);
	assert_int_equal(state_create(&sf, path, SCORE_STATE_KIND,
	    SCORE_STATE_VERSION + 1, err, sizeof(err)), 0);
	assert_int_equal(state_commit(&sf, err, sizeof(err)), 0);
	expect_fresh_after_load(path, &c, "incompatible");
}

/* A well-formed file whose records are not this version's layout. */
static void
test_corrupt_layout(void **state)
{
	struct score_conf c;
	struct state_file sf;
	char path[256], err[256], rec[60];

	(void)state;
	tmp_path(path, sizeof(path), "layout");
	sim_conf(&c);
	memset(rec, 1, sizeof(rec));
	assert_int_equal(state_create(&sf, path, SCORE_STATE_KIND,
	    SCORE_STATE_VERSION, err, sizeof(err)), 0);
	assert_int_equal(state_section(&sf, STATE_TAG('E', 'N', 'T', 'R'),
	    sizeof(rec), 1), 0);
	assert_int_equal(state_write(&sf, rec, sizeof(rec)), 0);
	assert_int_equal(state_commit(&sf, err, sizeof(err)), 0);
	expect_fresh_after_load(path, &c, "layout");
}

/* Far more destinations than entries: bounded, evicting, counting. */
static void
test_bounded_memory(void **state)
{
	struct score_conf c;
	struct scorer *sc;
	struct score_stats st;
	struct flow_rec rec;
	struct flowinfo fi;
	struct event ev[2];
	addr_t h, d;
	char err[256];
	uint8_t v4[4];
	int i;

	(void)state;
	sim_conf(&c);
	c.max_hosts = 16;
	c.max_entries = 1000;
	c.max_destinations = 1000;
	c.learning_period = XT_HOUR;
	assert_non_null(sc = score_new(&c, err, sizeof(err)));
	memset(&rec, 0, sizeof(rec));
	memset(&fi, 0, sizeof(fi));
	rec.proto = 6;
	fi.rec = &rec;
	fi.dir = DIR_OUTBOUND;
	fi.host = &h;
	fi.remote = &d;
	fi.host_is_client = 1;
	fi.rport = 443;
	for (i = 0; i < 20000; i++) {
		host_addr(i % 40, &h);
		v4[0] = 100;
		v4[1] = (uint8_t)(i >> 16);
		v4[2] = (uint8_t)(i >> 8);
		v4[3] = (uint8_t)i;
		addr_from_v4(&d, v4);
		rec.first = rec.last = T0 + (xtime_t)i * XT_SEC;
		rec.pkts[0] = 10;
		fi.sent = 100000 + (uint64_t)i;
		fi.geo.flags = GEO_KNOWN_COUNTRY | GEO_KNOWN_ASN;
		fi.geo.country[0] = (char)('A' + i % 26);
		fi.geo.country[1] = (char)('A' + (i / 26) % 26);
		fi.geo.asn = (uint32_t)i;
		score_record(sc, &fi, ev, 2);
		if (i % 1000 == 0)
			score_tick(sc, rec.last);
	}
	score_stats(sc, &st);
	assert_true(st.hosts <= 16);
	assert_true(st.entries <= 1000);
	assert_true(st.destinations <= 1000);
	assert_true(st.host_evictions > 0);
	assert_true(st.entry_evictions > 10000);
	assert_true(st.destination_evictions > 10000);
	assert_int_equal(st.entry_size, 64);
	assert_int_equal(st.mem_entries, (1000 + 500 + BL_PROBE) * 64 +
	    (1000 + 500 + BL_PROBE + 63) / 64 * 8);
	assert_int_equal(st.max_entries, 1000);
	score_free(sc);
}

static void
test_ignored_and_empty(void **state)
{
	struct score_conf c;
	struct scorer *sc;
	struct score_stats st;
	struct flow_rec rec;
	struct flowinfo fi;
	struct event ev[1];
	addr_t h, d;
	char err[256];

	(void)state;
	sim_conf(&c);
	assert_non_null(sc = score_new(&c, err, sizeof(err)));
	memset(&rec, 0, sizeof(rec));
	memset(&fi, 0, sizeof(fi));
	host_addr(1, &h);
	addr_pton("10.1.2.10", &d);
	rec.proto = 6;
	rec.last = T0;
	fi.rec = &rec;
	fi.host = &h;
	fi.remote = &d;
	fi.sent = 1000000000;
	fi.dir = DIR_INTERNAL;
	assert_int_equal(score_record(sc, &fi, ev, 1), 0);
	fi.dir = DIR_TRANSIT;
	assert_int_equal(score_record(sc, &fi, ev, 1), 0);
	/* Only ACKs of a download: nothing uploaded. */
	fi.dir = DIR_OUTBOUND;
	fi.host_is_client = 1;
	rec.pkts[0] = 1000;
	fi.sent = 1000 * 52;
	fi.recv = 1000 * 2 * 1448;
	assert_int_equal(score_record(sc, &fi, ev, 1), 0);
	score_stats(sc, &st);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.ignored, 2);
	assert_int_equal(st.empty, 1);
	assert_int_equal(st.hosts, 0);
	score_free(sc);
}

/* No room for the event: counted, and the window still counts as told. */
static void
test_maxout(void **state)
{
	struct sim s;
	struct score_conf c;
	struct score_stats st;
	size_t i;

	(void)state;
	gen_week(&s, 0x9e3779b97f4a7c15ULL);
	scen_country(&s);
	sim_conf(&c);
	sim_start(&s, &c);
	for (i = 0; i < s.n; i++) {
		struct srec *r = &s.r[i];

		if (r->tag == 0) {
			sim_feed(&s, r);
			continue;
		}
		break;
	}
	/* The exfiltration records, with no room for events. */
	{
		struct flow_rec rec;
		struct flowinfo fi;
		addr_t h, d;

		host_addr(3, &h);
		addr_pton(exfil_ru.ip, &d);
		memset(&rec, 0, sizeof(rec));
		memset(&fi, 0, sizeof(fi));
		rec.proto = 6;
		fi.rec = &rec;
		fi.dir = DIR_OUTBOUND;
		fi.host = &h;
		fi.remote = &d;
		fi.host_is_client = 1;
		fi.rport = 443;
		fi.geo.flags = GEO_KNOWN_COUNTRY | GEO_KNOWN_ASN;
		memcpy(fi.geo.country, "RU", 3);
		fi.geo.asn = exfil_ru.asn;
		for (i = 0; i < 30; i++) {
			rec.first = at(ATTACK_DAY, 14, 3) + (xtime_t)i * 10 *
			    XT_SEC;
			rec.last = rec.first + 9 * XT_SEC;
			rec.pkts[0] = 20000;
			fi.sent = 30 * MB;
			assert_int_equal(score_record(s.sc, &fi, NULL, 0), 0);
		}
	}
	score_stats(s.sc, &st);
	assert_int_equal(st.events_dropped, 1);
	assert_int_equal(st.events, 0);
	sim_free(&s);
}

static void
test_params_table(void **state)
{
	const struct param_desc *pd;
	struct volume_params vp;
	struct score_conf c;
	char err[256];
	double v = 0;
	int n = 0;

	(void)state;
	assert_int_equal(score_params_default(&vp, err, sizeof(err)), 0);
	assert_int_equal(score_conf_default(&c, err, sizeof(err)), 0);
	assert_memory_equal(&vp, &c.vp, sizeof(vp));
	assert_int_equal(c.alert_threshold, 75);
	/* Every default is inside its own bounds. */
	for (pd = volume_params; pd->name != NULL; pd++, n++) {
		char *p = (char *)&vp + pd->off;

		assert_non_null(pd->doc);
		switch (pd->type) {
		case PT_INT:
			v = (double)*(int64_t *)(void *)p;
			break;
		case PT_DOUBLE:
			v = *(double *)(void *)p;
			break;
		case PT_DURATION:
			v = (double)*(xtime_t *)(void *)p / XT_SEC;
			break;
		case PT_SIZE:
			v = (double)*(uint64_t *)(void *)p;
			break;
		default:
			fail_msg("%s: unexpected type", pd->name);
		}
		if (v < pd->min || v > pd->max)
			fail_msg("%s: default %g outside %g..%g", pd->name, v,
			    pd->min, pd->max);
	}
	assert_true(n >= 20);
	assert_true(vp.window_short == 5 * XT_MIN);
	assert_true(vp.window_day == XT_DAY);
	assert_true(vp.min_bytes_short == 1000000);
	/* A threshold outside 0..100 is refused. */
	c.alert_threshold = 101;
	assert_null(score_new(&c, err, sizeof(err)));
}

static void
test_save_due(void **state)
{
	struct sim s;
	struct score_conf c;
	char path[256], err[256];

	(void)state;
	tmp_path(path, sizeof(path), "due");
	gen_week(&s, 3);
	sim_conf(&c);
	sim_start(&s, &c);
	assert_false(score_save_due(s.sc, 5 * XT_MIN));
	sim_run(&s, 0, 200);
	assert_true(score_save_due(s.sc, 5 * XT_MIN));
	assert_false(score_save_due(s.sc, 0));
	assert_int_equal(score_save(s.sc, path, err, sizeof(err)), 0);
	assert_false(score_save_due(s.sc, 5 * XT_MIN));
	unlink(path);
	sim_free(&s);
}

/*
 * SCORE_TUNE=1: for each scenario, the highest threshold at which it still
 * alerts and what the detector said there (for tuning, not a test).
 */
static void
tune(void)
{
	static const struct {
		const char *name;
		void (*fn)(struct sim *);
	} sc[] = {
		{ "country", scen_country }, { "new_asn", scen_new_asn },
		{ "port", scen_port }, { "slow", scen_slow },
		{ "night", scen_night }, { "backup_late", scen_backup_late },
		{ "web", scen_web_spike }, { "new_host", scen_new_host },
		{ "small", scen_small_visit }, { "download", scen_download },
		{ "internal", scen_internal }, { "week", NULL },
	};
	struct sim s;
	const struct event *ev;
	size_t i, k;
	int th, ord;

	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		for (th = 99; th >= 5; th -= 2) {
			run_scenario(&s, sc[i].fn, th);
			ev = first_tag(&s, sc[i].fn != NULL ? 1 : 0);
			ord = (int)count_tag(&s, 0);
			if (ev != NULL) {
				printf("%-12s max %2d ordinary %d after %llds: "
				    "%.1f %s %s\n", sc[i].name, th, ord,
				    (long long)((ev->ts - s.tag_start[1]) /
				    XT_SEC), ev->score, ev->technique,
				    ev->reason);
				for (k = 0; k < (size_t)ev->ncomps; k++)
					printf(" %s=%.3g", ev->comps[k].name,
					    ev->comps[k].value);
				printf("\n");
				sim_free(&s);
				break;
			}
			sim_free(&s);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_week_is_quiet),
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_new_asn),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_slow),
		cmocka_unit_test(test_night),
		cmocka_unit_test(test_backup_late),
		cmocka_unit_test(test_web_server),
		cmocka_unit_test(test_new_host),
		cmocka_unit_test(test_small_visit),
		cmocka_unit_test(test_download),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_server_replies_flag),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_save_load_round_trip),
		cmocka_unit_test(test_learning_clock_survives),
		cmocka_unit_test(test_state_from_the_future),
		cmocka_unit_test(test_corrupt_flipped),
		cmocka_unit_test(test_corrupt_truncated),
		cmocka_unit_test(test_corrupt_version),
		cmocka_unit_test(test_corrupt_layout),
		cmocka_unit_test(test_bounded_memory),
		cmocka_unit_test(test_ignored_and_empty),
		cmocka_unit_test(test_maxout),
		cmocka_unit_test(test_params_table),
		cmocka_unit_test(test_save_due),
	};

	if (getenv("SCORE_TUNE") != NULL) {
		tune();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
