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

static void
scen_night(struct sim *s)
{
	add_stream(s, at(ATTACK_DAY, 2, 30), 10 * XT_MIN, 11, &common[1],
	    800 * MB, 2 * MB, 1);
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
	expect_alert(scen_night, 11, "142.250.74.100", "T1029", 60 * XT_SEC);
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
	};

	if (getenv("SCORE_TUNE") != NULL) {
		tune();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
