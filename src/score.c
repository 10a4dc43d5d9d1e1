/*
 * score.c: the volume detector (see score.h; the formula and its reasons
 * are in docs/scoring.md).
 *
 * Per record: find the host (creating it), add the bytes to its current
 * hour; then, for each dimension of the destination — port, region,
 * country, AS, address, the address last so that no later insertion can
 * move its record — find the host's entry and the network's, note what
 * they knew before, roll and fill their windows.  Once learning is over,
 * score the address entry's short, hour and day windows, shortest first,
 * and emit one event for the first that reaches the threshold.
 *
 * Records of the tables may move when another record is inserted (the
 * backward-shift deletion of an eviction), so nothing keeps a pointer to
 * an entry across an insertion: what scoring needs is copied into
 * struct sc_dim as each dimension is visited.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "score.h"
#include "state.h"

enum { W_SHORT = 0, W_HOUR, W_DAY };

#define W_BIT(w)	(1u << (w))
#define SC_EXPIRE_BUDGET 1024	/* slots per table per tick */

#define SC_TAG_META	STATE_TAG('M', 'E', 'T', 'A')
#define SC_TAG_POP	STATE_TAG('P', 'O', 'P', 'P')
#define SC_TAG_HOST	STATE_TAG('H', 'O', 'S', 'T')
#define SC_TAG_ENTRY	STATE_TAG('E', 'N', 'T', 'R')
#define SC_TAG_DEST	STATE_TAG('D', 'E', 'S', 'T')

struct scorer {
	struct score_conf c;
	struct baseline	 bl;
	xtime_t		 first;		/* packet time of the first record */
	xtime_t		 now;		/* latest packet time seen */
	xtime_t		 last_save;
	xtime_t		 loaded_now;	/* packet time the loaded state ends */
	int		 seeded;
	struct score_stats st;
};

/* What is saved beside the tables. */
struct sc_meta {
	uint64_t	 seed[2];
	xtime_t		 first, now;
	uint64_t	 host_hours;
	uint32_t	 seeded;
	uint32_t	 pad;
};

/* What one dimension of the destination knew before this record. */
struct sc_dim {
	int		 present;
	uint32_t	 h_first;	/* host entry: UTC hour first seen */
	uint32_t	 h_days;	/* days seen, today included */
	uint64_t	 h_hist;	/* bytes sent before its hour window */
	int		 n_known;	/* the network has a record */
	uint32_t	 n_first;
	uint32_t	 n_days;
	double		 n_others;	/* other hosts that sent to it */
	uint64_t	 n_bytes;
};

/* One scored window. */
struct sc_result {
	int		 w;
	uint32_t	 ws;		/* UTC hour from which "new" counts */
	double		 score;
	double		 vh, vp;	/* volume vs host, vs population, 0..1 */
	double		 r[BL_DIM_MAX];	/* rarity per dimension, 0..1 */
	double		 R, T, U;
	double		 x;		/* volume, bits above the reference */
	double		 typical, p99;	/* figures quoted in the reason */
	int		 from_pop;	/* figures are the population's */
};

struct sc_ctx {
	const struct flowinfo *fi;
	struct bl_time	 t;
	uint32_t	 now_s;
	uint32_t	 open_s;	/* when this record's bytes began */
	uint64_t	 bytes;
	int		 role;
	uint16_t	 adays;
	int		 has_all;	/* the host has active hours */
	double		 maturity;
	struct bl_ref	 href, pref;
	struct sc_dim	 d[BL_DIM_MAX];
	double		 hosts;		/* hosts in the table, for shares */
	uint32_t	 learned;	/* UTC hour the learning period ended */
	struct bl_host	*host;		/* no host is inserted while scoring */
};

#define VP(f)	offsetof(struct volume_params, f)

const struct param_desc volume_params[] = {
	{ "window_short", PT_DURATION, VP(window_short), 10, 3600, "5m",
	    "burst window: bytes to one destination address within it" },
	{ "window_hour", PT_DURATION, VP(window_hour), 300, 6 * 3600, "1h",
	    "hour window, compared with the host's usual hour" },
	{ "window_day", PT_DURATION, VP(window_day), 3600, 7 * 86400, "24h",
	    "low-and-slow window: cumulative bytes to a rare destination" },
	{ "min_bytes_short", PT_SIZE, VP(min_bytes_short), 0, 1e15, "1MB",
	    "a short window with less is not scored: small visits never "
	    "alert" },
	{ "min_bytes_hour", PT_SIZE, VP(min_bytes_hour), 0, 1e15, "2MB",
	    "an hour window with less is not scored" },
	{ "min_bytes_day", PT_SIZE, VP(min_bytes_day), 0, 1e15, "8MB",
	    "a day window with less is not scored" },
	{ "ref_floor", PT_SIZE, VP(ref_floor), 1024, 1e15, "8MB",
	    "least hourly reference: less than this is never a lot" },
	{ "day_ref", PT_SIZE, VP(day_ref), 1024, 1e15, "8MB",
	    "bytes a day that are a lot to send to a rare destination" },
	{ "day_min_hours", PT_INT, VP(day_min_hours), 1, 168, "3",
	    "hours with traffic before a day window counts fully" },
	{ "active_bytes", PT_SIZE, VP(active_bytes), 1, 1e15, "256KiB",
	    "an hour in which a host sends this much is an active hour" },
	{ "mature_days", PT_INT, VP(mature_days), 1, 365, "3",
	    "active days after which a host is judged by its own baseline "
	    "alone" },
	{ "tod_tolerance", PT_INT, VP(tod_tolerance), 0, 6, "2",
	    "hours either side of now that count as the same time of day" },
	{ "tod_active_share", PT_DOUBLE, VP(tod_active_share), 0.01, 1, "0.5",
	    "share of days active at an hour above which it is not idle" },
	{ "vol_scale", PT_DOUBLE, VP(vol_scale), 0.1, 10, "1",
	    "bits above the reference that halve the volume shortfall" },
	{ "rarity_boost", PT_DOUBLE, VP(rarity_boost), 0, 8, "3.5",
	    "bits of volume credit for a destination new to the network" },
	{ "tod_boost", PT_DOUBLE, VP(tod_boost), 0, 8, "2",
	    "bits of volume credit for an hour the host is always idle" },
	{ "day_rarity", PT_DOUBLE, VP(day_rarity), 0.01, 1, "0.6",
	    "rarity from which a day window counts fully; below, in "
	    "proportion" },
	{ "volume_only", PT_DOUBLE, VP(volume_only), 0, 1, "0.35",
	    "share of the score volume reaches at a usual destination" },
	{ "w_ip", PT_DOUBLE, VP(w_ip), 0, 1, "0.45",
	    "weight of a rare destination address" },
	{ "w_asn", PT_DOUBLE, VP(w_asn), 0, 1, "0.95",
	    "weight of a rare autonomous system" },
	{ "w_country", PT_DOUBLE, VP(w_country), 0, 1, "1",
	    "weight of a rare country" },
	{ "w_region", PT_DOUBLE, VP(w_region), 0, 1, "0.6",
	    "weight of a rare region" },
	{ "w_port", PT_DOUBLE, VP(w_port), 0, 1, "0.8",
	    "weight of a rare destination port" },
	{ "w_time", PT_DOUBLE, VP(w_time), 0, 1, "0.9",
	    "weight of sending at an hour the host is usually idle" },
	{ "host_new_weight", PT_DOUBLE, VP(host_new_weight), 0, 1, "0.2",
	    "rarity of a destination new to the host but known to the "
	    "network" },
	{ "host_known_weight", PT_DOUBLE, VP(host_known_weight), 0, 1, "0.3",
	    "share of a destination's network rarity left once the host "
	    "itself has used it for days" },
	{ "net_hosts_half", PT_DOUBLE, VP(net_hosts_half), 0.1, 1e6, "3",
	    "other hosts using a destination that halve its rarity" },
	{ "net_hosts_share", PT_DOUBLE, VP(net_hosts_share), 0, 1, "0.02",
	    "the same as a share of all hosts, when larger" },
	{ "dst_history_factor", PT_DOUBLE, VP(dst_history_factor), 0, 1000,
	    "2", "a host may send this many times its usual day to a "
	    "destination it uses" },
	{ "alpha_slot", PT_DOUBLE, VP(alpha_slot), 0.001, 1, "0.1",
	    "learning rate of an hour-of-day slot" },
	{ "alpha_all", PT_DOUBLE, VP(alpha_all), 0.001, 1, "0.02",
	    "learning rate of a host's all-hours aggregate" },
	{ "alpha_pop", PT_DOUBLE, VP(alpha_pop), 0.0001, 1, "0.01",
	    "learning rate of the population profile" },
	{ "clamp_k", PT_DOUBLE, VP(clamp_k), 0.5, 20, "3",
	    "new hours are winsorised at this many deviations" },
	{ "dev_floor", PT_DOUBLE, VP(dev_floor), 0, 8, "0.5",
	    "least deviation, in bits, used for a p99" },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static uint64_t	 sc_mix(uint64_t);
static void	 sc_bl_conf(const struct score_conf *, struct bl_conf *);
static uint64_t	 sc_upload(const struct flowinfo *);
static int	 sc_values(const struct flowinfo *, struct bl_value *);
static void	 sc_roll(struct bl_entry *, const struct volume_params *,
		    uint32_t, uint32_t);
static void	 sc_visit(struct scorer *, struct sc_ctx *,
		    const struct bl_value *, struct bl_entry **);
static double	 sc_sat(double, double);
static double	 sc_rarity(const struct scorer *, const struct sc_ctx *,
		    int, uint32_t);
static double	 sc_dst_ref(const struct scorer *, const struct sc_ctx *,
		    int, uint32_t);
static void	 sc_window(const struct scorer *, const struct sc_ctx *,
		    const struct bl_entry *, int, struct sc_result *);
static const char *sc_fmt_bytes(double, char *, size_t);
static const char *sc_fmt_dur(uint32_t, char *, size_t);
static void	 sc_why(const struct scorer *, const struct sc_ctx *,
		    const struct sc_result *, int, char *, size_t);
static void	 sc_reason(const struct scorer *, const struct sc_ctx *,
		    const struct bl_entry *, const struct sc_result *,
		    const char **, char *, size_t);
static void	 sc_emit(struct scorer *, const struct sc_ctx *,
		    const struct bl_entry *, const struct sc_result *,
		    struct event *);
static void	 sc_seed(struct scorer *, xtime_t, const addr_t *);
static xtime_t	 sc_clock(struct scorer *, const struct flowinfo *);
static int	 sc_judge(struct scorer *, struct sc_ctx *, struct bl_entry *,
		    struct event *, int);
static int	 sc_save_table(struct state_file *, uint32_t,
		    const struct bl_table *);
static int	 sc_load_table(struct state_file *, struct bl_table *,
		    uint64_t);
static int	 sc_load_sections(struct scorer *, struct state_file *,
		    char *, size_t);

static uint64_t
sc_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

int
score_params_default(struct volume_params *vp, char *err, size_t errlen)
{
	return params_default(volume_params, vp, sizeof(*vp), err, errlen);
}

int
score_conf_default(struct score_conf *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->learning_period = 7 * XT_DAY;
	c->max_hosts = 65536;
	c->max_entries = 2000000;
	c->max_destinations = 1000000;
	c->entry_ttl = 30 * XT_DAY;
	c->alert_threshold = 75;
	c->record_interval = 10 * XT_SEC;
	return score_params_default(&c->vp, err, errlen);
}

static void
sc_bl_conf(const struct score_conf *c, struct bl_conf *b)
{
	int64_t ttl = c->entry_ttl / XT_HOUR;

	memset(b, 0, sizeof(*b));
	b->alpha_slot = c->vp.alpha_slot;
	b->alpha_all = c->vp.alpha_all;
	b->alpha_pop = c->vp.alpha_pop;
	b->clamp_k = c->vp.clamp_k;
	b->dev_floor = c->vp.dev_floor;
	b->active_bytes = c->vp.active_bytes;
	b->ttl_hours = ttl < 1 ? 1 : ttl > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)ttl;
	b->utc_offset = c->utc_offset;
}

struct scorer *
score_new(const struct score_conf *c, char *err, size_t errlen)
{
	struct scorer *sc;
	struct bl_conf bc;

	if (c->alert_threshold < 0 || c->alert_threshold > 100) {
		snprintf(err, errlen, "volume: alert threshold %d not in "
		    "0..100", c->alert_threshold);
		return NULL;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL) {
		snprintf(err, errlen, "volume: out of memory");
		return NULL;
	}
	sc->c = *c;
	sc_bl_conf(c, &bc);
	if (baseline_init(&sc->bl, &bc, c->max_hosts, c->max_entries,
	    c->max_destinations, err, errlen) == -1) {
		free(sc);
		return NULL;
	}
	if (baseline_set_holidays(&sc->bl, c->holidays, c->nholidays) == -1) {
		snprintf(err, errlen, "volume: out of memory");
		score_free(sc);
		return NULL;
	}
	/* The list is the baseline's own now: no pointer into the config. */
	sc->c.holidays = NULL;
	sc->c.nholidays = 0;
	return sc;
}

void
score_free(struct scorer *sc)
{
	if (sc == NULL)
		return;
	baseline_free(&sc->bl);
	free(sc);
}

void
score_set_params(struct scorer *sc, const struct volume_params *vp)
{
	sc->c.vp = *vp;
	sc_bl_conf(&sc->c, &sc->bl.c);
}

int
score_set_holidays(struct scorer *sc, const uint32_t *days, size_t n)
{
	return baseline_set_holidays(&sc->bl, days, n);
}

/*
 * The hash key: from the configuration, else from the first record's time
 * and host.  Unknown to remote hosts (microsecond time of a packet they did
 * not choose), yet a replay of the same input derives the same key, and
 * the state file carries it across restarts.
 */
static void
sc_seed(struct scorer *sc, xtime_t now, const addr_t *host)
{
	uint64_t w[2];

	memcpy(w, host->a, sizeof(w));
	if (sc->c.seed != 0)
		sc->bl.seed[0] = sc_mix(sc->c.seed);
	else
		sc->bl.seed[0] = sc_mix((uint64_t)now ^ sc_mix(w[0] ^
		    sc_mix(w[1])));
	sc->bl.seed[1] = sc_mix(sc->bl.seed[0] ^ 0x9e3779b97f4a7c15ULL);
	sc->seeded = 1;
}

/*
 * Bytes uploaded: wire bytes less a header allowance per packet (IP + TCP
 * with timestamps, or IP + UDP + a QUIC short header), so that the ACKs
 * of a multi-gigabyte download — 2 % of it on the wire — count as nothing.
 */
static uint64_t
sc_upload(const struct flowinfo *fi)
{
	uint64_t hdr, allow;
	int v4 = addr_is_v4(fi->host);

	if (fi->rec == NULL)
		return fi->sent;
	switch (fi->rec->proto) {
	case 6:
		hdr = v4 ? 52 : 72;
		break;
	case 17:
		hdr = v4 ? 64 : 84;
		break;
	default:
		hdr = v4 ? 28 : 48;
		break;
	}
	allow = hdr * fi->rec->pkts[fi->host_is_client ? 0 : 1];
	return fi->sent > allow ? fi->sent - allow : 0;
}

/* The destination's values, in visiting order: the address last. */
static int
sc_values(const struct flowinfo *fi, struct bl_value *v)
{
	const struct geo_info *g = &fi->geo;
	int n = 0;

	bl_value_port(&v[n++], fi->rec != NULL ? fi->rec->proto : 0, fi->rport);
	if ((g->flags & GEO_KNOWN_REGION) && g->region[0] != '\0')
		bl_value_region(&v[n++], g->region);
	if ((g->flags & GEO_KNOWN_COUNTRY) && g->country[0] != '\0')
		bl_value_country(&v[n++], g->country);
	if ((g->flags & GEO_KNOWN_ASN) && g->asn != 0)
		bl_value_asn(&v[n++], g->asn);
	bl_value_ip(&v[n++], fi->remote);
	return n;
}

/*
 * Windows open at the first byte after the previous one ran out, so a
 * transfer is not cut at a clock boundary.  The day window counts the
 * hour windows opened in it: the hours the destination was in use.
 */
static void
sc_roll(struct bl_entry *e, const struct volume_params *vp, uint32_t now_s,
    uint32_t open_s)
{
	const xtime_t len[BL_WINDOWS] = {
		vp->window_short, vp->window_hour, vp->window_day
	};
	int w, opened[BL_WINDOWS];

	for (w = 0; w < BL_WINDOWS; w++) {
		opened[w] = e->wstart[w] == 0 || now_s < e->wstart[w] ||
		    (xtime_t)(now_s - e->wstart[w]) * XT_SEC >= len[w];
		if (opened[w]) {
			e->wstart[w] = open_s;
			e->wbytes[w] = 0;
			e->alerted &= (uint8_t)~W_BIT(w);
		}
	}
	if (opened[W_DAY])
		e->whours = 0;
	if ((opened[W_HOUR] || opened[W_DAY]) && e->whours < UINT8_MAX)
		e->whours++;
}

static void
sc_visit(struct scorer *sc, struct sc_ctx *x, const struct bl_value *v,
    struct bl_entry **ipe)
{
	struct sc_dim *d = &x->d[v->dim];
	struct bl_entry *e;
	struct bl_dest *n;
	uint64_t prior;
	int w, created;

	e = baseline_entry(&sc->bl, baseline_key(&sc->bl, x->fi->host,
	    x->role, v), v->dim, x->t.utc_hour, &created);
	sc_roll(e, &sc->c.vp, x->now_s, x->open_s);
	prior = (uint64_t)e->total_kb * 1024;
	d->present = 1;
	d->h_hist = prior > e->wbytes[W_HOUR] ? prior - e->wbytes[W_HOUR] : 0;
	for (w = 0; w < BL_WINDOWS; w++)
		e->wbytes[w] += x->bytes;
	baseline_entry_touch(e, &x->t, x->bytes);
	d->h_first = e->h.first;
	d->h_days = e->days;
	if (v->dim == BL_DIM_IP) {
		*ipe = e;
		baseline_host_peak(x->host, e->wbytes[W_HOUR]);
	}

	/* Only what hosts chose to contact teaches the network. */
	if (x->role == BL_ROLE_CLIENT) {
		n = baseline_dest(&sc->bl, baseline_key(&sc->bl, NULL, 0, v),
		    v->dim, x->t.utc_hour, &created);
		baseline_dest_touch(&sc->bl, n, &x->t, x->fi->host, x->bytes);
		d->n_others = baseline_dest_hosts(n) - 1.0;
	} else {
		n = baseline_dest_find(&sc->bl, baseline_key(&sc->bl, NULL, 0,
		    v), x->t.utc_hour);
		if (n != NULL)
			d->n_others = baseline_dest_hosts(n);
	}
	if (n != NULL) {
		d->n_known = 1;
		d->n_first = n->h.first;
		d->n_days = n->days;
		d->n_bytes = n->bytes;
		if (d->n_others < 0.0)
			d->n_others = 0.0;
	}
}

/* 1 - 2^(-x / scale) for x > 0: 0 at the reference, 1/2 one scale above. */
static double
sc_sat(double x, double scale)
{
	return x > 0.0 ? 1.0 - exp2(-x / scale) : 0.0;
}

/*
 * Rarity of one dimension, 0..1.  For the network it halves with every
 * net_hosts_half other hosts (or net_hosts_share of all hosts, when
 * larger) that sent to it: a destination one other host uses every day is
 * still rare for everybody else.  For the host it is 1 when the host first
 * used it after hour ws (the window's start, or the end of learning if
 * later), else it halves with every day the host used it.  New to the
 * host but familiar to the network counts host_new_weight; rare to the
 * network but a habit of this host keeps host_known_weight of its network
 * rarity.
 */
static double
sc_rarity(const struct scorer *sc, const struct sc_ctx *x, int dim,
    uint32_t ws)
{
	const struct volume_params *vp = &sc->c.vp;
	const struct sc_dim *d = &x->d[dim];
	double rh, rn, half;

	if (!d->present)
		return 0.0;
	rh = d->h_first >= ws ? 1.0 : exp2(-(double)(d->h_days - 1));
	half = vp->net_hosts_share * x->hosts;
	if (half < vp->net_hosts_half)
		half = vp->net_hosts_half;
	rn = d->n_known ? exp2(-d->n_others / half) : 1.0;
	/* A destination the host itself has long used is its own habit. */
	return fmax(vp->host_new_weight * rh,
	    rn * (vp->host_known_weight + (1.0 - vp->host_known_weight) * rh));
}

/*
 * What the host usually sends to a destination (its address, or its AS):
 * the bytes before the current hour window, per earlier day of use, times
 * dst_history_factor.  A nightly backup is compared with past backups, not
 * with the host's hourly browsing.  Only for a destination used before
 * the window opened, so that a leak never becomes its own history.
 */
static double
sc_dst_ref(const struct scorer *sc, const struct sc_ctx *x, int dim,
    uint32_t ws)
{
	const struct sc_dim *d = &x->d[dim];

	if (!d->present || d->h_first >= ws || d->h_days < 2 || d->h_hist == 0)
		return 0.0;
	return (double)d->h_hist / (double)(d->h_days - 1) *
	    sc->c.vp.dst_history_factor;
}

static void
sc_window(const struct scorer *sc, const struct sc_ctx *x,
    const struct bl_entry *e, int w, struct sc_result *r)
{
	const struct volume_params *vp = &sc->c.vp;
	const double wd[BL_DIM_MAX] = {
		[BL_DIM_IP] = vp->w_ip, [BL_DIM_ASN] = vp->w_asn,
		[BL_DIM_COUNTRY] = vp->w_country,
		[BL_DIM_REGION] = vp->w_region, [BL_DIM_PORT] = vp->w_port
	};
	uint32_t ws = e->wstart[w] / 3600;
	double b = (double)e->wbytes[w], floor = (double)vp->ref_floor;
	double geo = 0.0, dref, aref, href, pref, xh, xp, xv, xd, v, p;
	int i;

	/* What the network learned while learning is known, not new. */
	if (ws < x->learned)
		ws = x->learned;

	memset(r, 0, sizeof(*r));
	r->w = w;
	r->ws = ws;
	for (i = 0; i < BL_DIM_MAX; i++) {
		r->r[i] = sc_rarity(sc, x, i, ws);
		if (i != BL_DIM_PORT && wd[i] * r->r[i] > geo)
			geo = wd[i] * r->r[i];
	}
	/* Nested dimensions (address in AS in country) are one piece of
	 * evidence, so the strongest counts; the port is another. */
	r->R = 1.0 - (1.0 - geo) * (1.0 - wd[BL_DIM_PORT] * r->r[BL_DIM_PORT]);

	dref = sc_dst_ref(sc, x, BL_DIM_IP, ws);
	aref = sc_dst_ref(sc, x, BL_DIM_ASN, ws);
	href = x->href.active_known ? x->href.p99 : x->href.all_p99;
	/*
	 * The usual host: when most hosts are idle at this hour, those that
	 * are active (servers, backups) are not the usual host; its usual
	 * active hour is.
	 */
	pref = x->pref.active_known && x->pref.act >= vp->tod_active_share ?
	    x->pref.p99 : x->pref.all_p99;
	r->typical = x->href.active_known ? x->href.typical :
	    x->href.all_typical;
	r->p99 = href;
	if (x->maturity < 1.0) {
		r->from_pop = 1;
		r->typical = x->pref.active_known &&
		    x->pref.act >= vp->tod_active_share ? x->pref.typical :
		    x->pref.all_typical;
		r->p99 = pref;
	}
	/* One destination is judged by the most the host sends to one. */
	if (x->href.peak_p99 > 0.0 && x->href.peak_p99 < href)
		href = x->href.peak_p99;
	if (x->pref.peak_p99 > 0.0 && x->pref.peak_p99 < pref)
		pref = x->pref.peak_p99;

	if (w == W_DAY) {
		/* Low and slow: a lot for a rare destination, over hours. */
		xv = log2(b / fmax((double)vp->day_ref, fmax(dref, aref)));
		xh = xp = r->x = xv;
		v = sc_sat(xv + vp->rarity_boost * r->R, vp->vol_scale);
		p = fmin(1.0, (double)e->whours / (double)vp->day_min_hours);
		r->U = r->R;
		r->score = 100.0 * v * p * fmin(1.0, r->R / vp->day_rarity);
	} else {
		/* The provider's history is a reference like the hour's. */
		xh = log2(b / fmax(fmax(href, floor), aref));
		xp = log2(b / fmax(fmax(pref, floor), aref));
		xv = x->maturity * xh + (1.0 - x->maturity) * xp;
		/* Idle at this hour: the host's own habit, else the network's. */
		if (x->href.known && x->has_all)
			r->T = x->maturity * fmax(0.0, 1.0 - x->href.act /
			    vp->tod_active_share);
		if (x->pref.known)
			r->T += (1.0 - x->maturity) * fmax(0.0, 1.0 -
			    x->pref.act / vp->tod_active_share);
		r->U = 1.0 - (1.0 - r->R) * (1.0 - vp->w_time * r->T);
		v = xv + vp->rarity_boost * r->R + vp->tod_boost * r->T;
		/*
		 * What the host usually sends to this very address bounds
		 * the volume too, and the hour does not discount it: a late
		 * backup is compared with earlier backups, whatever the time.
		 */
		if (dref > 0.0) {
			xd = log2(b / dref);
			xh = fmin(xh, xd);
			xp = fmin(xp, xd);
			xv = fmin(xv, xd);
			v = fmin(v, xd + vp->rarity_boost * r->R);
		}
		r->x = xv;
		v = sc_sat(v, vp->vol_scale);
		r->score = 100.0 * v * (vp->volume_only +
		    (1.0 - vp->volume_only) * r->U);
	}
	r->vh = sc_sat(xh, vp->vol_scale);
	r->vp = sc_sat(xp, vp->vol_scale);
	if (r->score > 100.0)
		r->score = 100.0;
}

/* Decimal units, as traffic is usually quoted: "1.4 GB", "40 MB". */
static const char *
sc_fmt_bytes(double b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KB", "MB", "GB", "TB", "PB" };
	int u = 0;

	while (b >= 999.5 && u < 5) {
		b /= 1000.0;
		u++;
	}
	if (u > 0 && b < 9.95)
		snprintf(buf, len, "%.1f %s", b, unit[u]);
	else
		snprintf(buf, len, "%.0f %s", b, unit[u]);
	return buf;
}

static const char *
sc_fmt_dur(uint32_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%u s", s);
	else if (s < 3600)
		snprintf(buf, len, "%u min", (s + 30) / 60);
	else if (s < 36000)
		snprintf(buf, len, "%.1f h", s / 3600.0);
	else
		snprintf(buf, len, "%u h", (s + 1800) / 3600);
	return buf;
}

/*
 * Why, in words, from the strongest evidence: dim is a dimension, -2 for
 * the idle hour, -1 for volume alone.
 */
static void
sc_why(const struct scorer *sc, const struct sc_ctx *x,
    const struct sc_result *r, int dim, char *buf, size_t len)
{
	static const char *const what[BL_DIM_MAX] = {
		"an address", "a network (AS)", "a country", "a region",
		"a port"
	};
	const struct sc_dim *d;
	double rare = sc->c.vp.host_new_weight + 1e-9;
	char ds[16];

	if (dim == -2) {
		snprintf(buf, len, "at an hour when it is usually idle");
		return;
	}
	if (dim < 0) {
		snprintf(buf, len, "far more than it usually sends");
		return;
	}
	d = &x->d[dim];
	if ((!d->n_known || d->n_first >= r->ws) && d->n_others < 0.5)
		snprintf(buf, len, "%s no host has used before", what[dim]);
	else if (r->r[dim] > rare && d->n_others < 0.5)
		snprintf(buf, len, "%s no other host uses, first seen %s ago",
		    what[dim], sc_fmt_dur(x->now_s - d->n_first * 3600, ds,
		    sizeof(ds)));
	else if (r->r[dim] > rare)
		snprintf(buf, len, "%s rarely used here (%.0f other host%s, "
		    "%u day%s)", what[dim], d->n_others,
		    d->n_others < 1.5 ? "" : "s", d->n_days,
		    d->n_days == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s this host has not used before",
		    what[dim]);
}

/* Technique and reason sentence from the strongest piece of evidence. */
static void
sc_reason(const struct scorer *sc, const struct sc_ctx *x,
    const struct bl_entry *e, const struct sc_result *r,
    const char **tech, char *buf, size_t len)
{
	const struct volume_params *vp = &sc->c.vp;
	const struct flowinfo *fi = x->fi;
	const struct geo_info *g = &fi->geo;
	const double wd[BL_DIM_MAX] = {
		vp->w_ip, vp->w_asn, vp->w_country, vp->w_region, vp->w_port
	};
	char host[ADDR_STRLEN], dst[ADDR_STRLEN], bs[16], ds[16], ts[16],
	    ps[16], geo[96], why[128], port[32];
	double best = 0.0;
	size_t n = 0;
	int i, dim = -1;
	uint32_t el = x->now_s - e->wstart[r->w];

	for (i = 0; i < BL_DIM_MAX; i++)
		if (wd[i] * r->r[i] > best) {
			best = wd[i] * r->r[i];
			dim = i;
		}
	port[0] = '\0';
	if (r->w == W_DAY)
		*tech = "T1030";
	else if (vp->w_time * r->T > best && r->T >= 0.5) {
		*tech = "T1029";
		dim = -2;
	} else if (dim == BL_DIM_PORT && r->r[BL_DIM_PORT] >= 0.5)
		*tech = "T1571";
	else
		*tech = "T1041";
	if (dim == BL_DIM_PORT)
		snprintf(port, sizeof(port), " port %u/%s", fi->rport,
		    fi->rec != NULL && fi->rec->proto == 17 ? "udp" :
		    fi->rec != NULL && fi->rec->proto == 6 ? "tcp" : "ip");

	geo[0] = '\0';
	if (g->country[0] != '\0')
		n += (size_t)snprintf(geo + n, sizeof(geo) - n, "%s", g->country);
	if (g->asn != 0 && n < sizeof(geo))
		n += (size_t)snprintf(geo + n, sizeof(geo) - n, "%sAS%u%s%s",
		    n > 0 ? ", " : "", g->asn, g->as_org[0] != '\0' ? " " : "",
		    g->as_org);

	sc_why(sc, x, r, best < 0.1 && dim >= 0 ? -1 : dim, why, sizeof(why));

	addr_ntop(fi->host, host, sizeof(host));
	addr_ntop(fi->remote, dst, sizeof(dst));
	sc_fmt_bytes((double)e->wbytes[r->w], bs, sizeof(bs));
	sc_fmt_dur(el, ds, sizeof(ds));
	n = (size_t)snprintf(buf, len, "%s sent %s in %s to %s%s%s%s%s, %s",
	    host, bs, ds, dst, port, geo[0] != '\0' ? " (" : "", geo,
	    geo[0] != '\0' ? ")" : "", why);
	if (n >= len)
		return;
	if (r->w == W_DAY)
		n += (size_t)snprintf(buf + n, len - n, ", in %u hour%s",
		    e->whours, e->whours == 1 ? "" : "s");
	if (n >= len)
		return;
	sc_fmt_bytes(r->typical, ts, sizeof(ts));
	sc_fmt_bytes(r->p99, ps, sizeof(ps));
	if (r->from_pop)
		snprintf(buf + n, len - n, "; it is new here (%u active "
		    "day%s), the usual host at %02d:00 sends %s (p99 %s)",
		    x->adays, x->adays == 1 ? "" : "s", x->t.hod, ts, ps);
	else if (r->typical <= 0.0)
		snprintf(buf + n, len - n, "; it usually sends nothing");
	else if (!x->href.active_known)
		snprintf(buf + n, len - n, "; it is usually idle at %02d:00 "
		    "(its usual hour is %s, p99 %s)", x->t.hod, ts, ps);
	else
		snprintf(buf + n, len - n, "; its usual at %02d:00 is %s (p99 "
		    "%s)", x->t.hod, ts, ps);
}

static void
sc_emit(struct scorer *sc, const struct sc_ctx *x, const struct bl_entry *e,
    const struct sc_result *r, struct event *ev)
{
	const struct flowinfo *fi = x->fi;
	const xtime_t len[BL_WINDOWS] = {
		sc->c.vp.window_short, sc->c.vp.window_hour,
		sc->c.vp.window_day
	};
	const struct sc_dim *ip = &x->d[BL_DIM_IP];

	memset(ev, 0, sizeof(*ev));
	ev->detector = DET_VOLUME;
	ev->ts = sc->now;
	ev->start = (xtime_t)e->wstart[r->w] * XT_SEC;
	ev->host = *fi->host;
	ev->dst = *fi->remote;
	ev->has_dst = 1;
	ev->dport = fi->rport;
	ev->sport = fi->lport;
	ev->proto = fi->rec != NULL ? fi->rec->proto : 0;
	ev->has_geo = fi->geo.flags != 0;
	ev->geo = fi->geo;
	ev->bytes = e->wbytes[r->w];
	ev->window = len[r->w];
	ev->score = floor(r->score * 10.0 + 0.5) / 10.0;
	snprintf(ev->domain, sizeof(ev->domain), "%s",
	    fi->server_name != NULL ? fi->server_name : "");
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app != NULL ? fi->app : "");
	sc_reason(sc, x, e, r, &ev->technique, ev->reason, sizeof(ev->reason));
	event_comp(ev, "volume_host", r->vh);
	event_comp(ev, "volume_population", r->vp);
	event_comp(ev, "rarity_ip", r->r[BL_DIM_IP]);
	event_comp(ev, "rarity_asn", r->r[BL_DIM_ASN]);
	event_comp(ev, "rarity_country", r->r[BL_DIM_COUNTRY]);
	event_comp(ev, "rarity_region", r->r[BL_DIM_REGION]);
	event_comp(ev, "rarity_port", r->r[BL_DIM_PORT]);
	event_comp(ev, "time_of_day", r->T);
	event_comp(ev, "typical_bytes", floor(r->typical));
	event_comp(ev, "p99_bytes", floor(r->p99));
	event_comp(ev, "net_first_seen", ip->n_known ?
	    (double)ip->n_first * 3600.0 : (double)(sc->now / XT_SEC));
	event_comp(ev, "net_hosts", floor(ip->n_others + (x->role ==
	    BL_ROLE_CLIENT ? 1.0 : 0.0) + 0.5));
}

/*
 * Packet time of a record, never earlier than what was already seen (a
 * final record of an idle flow arrives after newer interim ones), and the
 * learning clock and hash key on the first record.
 */
static xtime_t
sc_clock(struct scorer *sc, const struct flowinfo *fi)
{
	xtime_t now = fi->rec != NULL ? fi->rec->last : sc->now;

	if (sc->loaded_now != 0) {
		/*
		 * A state that ends more than an hour after the first record
		 * is not this traffic's past (a capture replayed again with
		 * the state its first replay left): learn afresh.
		 */
		if (now + XT_HOUR < sc->loaded_now) {
			baseline_reset(&sc->bl);
			sc->first = sc->now = sc->last_save = 0;
			sc->seeded = 0;
			sc->st.state_discarded++;
		}
		sc->loaded_now = 0;
	}
	if (now < sc->now)
		now = sc->now;
	sc->now = now;
	if (sc->first == 0) {
		sc->first = now;
		sc->last_save = now;
	}
	if (!sc->seeded)
		sc_seed(sc, now, fi->host);
	return now;
}

/*
 * Score the address entry's windows, shortest first, and emit one event
 * for the first that reaches the threshold.  A short-window alert also
 * closes the hour window (the burst is inside it), so one transfer gives
 * one event; the day window alerts on its own.
 */
static int
sc_judge(struct scorer *sc, struct sc_ctx *x, struct bl_entry *ipe,
    struct event *out, int maxout)
{
	const struct volume_params *vp = &sc->c.vp;
	const uint64_t minb[BL_WINDOWS] = {
		vp->min_bytes_short, vp->min_bytes_hour, vp->min_bytes_day
	};
	/* Windows that must not have alerted for window w to alert. */
	const uint8_t block[BL_WINDOWS] = {
		W_BIT(W_SHORT) | W_BIT(W_HOUR), W_BIT(W_HOUR), W_BIT(W_DAY)
	};
	const uint8_t sets[BL_WINDOWS] = {
		W_BIT(W_SHORT) | W_BIT(W_HOUR), W_BIT(W_SHORT) | W_BIT(W_HOUR),
		W_BIT(W_SHORT) | W_BIT(W_HOUR) | W_BIT(W_DAY)
	};
	struct sc_result r;
	int w, refs = 0;

	for (w = 0; w < BL_WINDOWS; w++) {
		if (ipe->wbytes[w] < minb[w] || (ipe->alerted & block[w]))
			continue;
		/* The references cost a few exp2: only for windows scored. */
		if (!refs) {
			baseline_host_ref(&sc->bl, x->host, &x->t,
			    (int)vp->tod_tolerance, &x->href);
			baseline_pop_ref(&sc->bl, &x->t, (int)vp->tod_tolerance,
			    &x->pref);
			refs = 1;
		}
		sc_window(sc, x, ipe, w, &r);
		sc->st.scored++;
		if (r.score < sc->c.alert_threshold)
			continue;
		/*
		 * Once the day window has reported a slow leak, its hours are
		 * not reported one by one: a shorter window speaks again only
		 * for a burst that is a lot even without the rarity credit.
		 */
		if (w != W_DAY && (ipe->alerted & W_BIT(W_DAY)) && r.x < 0.0)
			continue;
		ipe->alerted |= sets[w];
		if (maxout < 1) {
			sc->st.events_dropped++;
			return 0;
		}
		sc_emit(sc, x, ipe, &r, out);
		sc->st.events++;
		return 1;
	}
	return 0;
}

int
score_record(struct scorer *sc, const struct flowinfo *fi, struct event *out,
    int maxout)
{
	struct bl_value vals[BL_DIM_MAX];
	struct bl_entry *ipe = NULL;
	struct bl_host *h;
	struct sc_ctx x;
	xtime_t now, start;
	int i, nv, created;

	sc->st.records++;
	memset(&x, 0, sizeof(x));
	x.fi = fi;
	if (fi->dir == DIR_OUTBOUND) {
		x.role = BL_ROLE_CLIENT;
		sc->st.outbound++;
	} else if (fi->dir == DIR_INBOUND) {
		x.role = BL_ROLE_SERVER;
		sc->st.inbound++;
	} else {
		sc->st.ignored++;
		return 0;
	}
	if ((x.bytes = sc_upload(fi)) == 0) {
		sc->st.empty++;
		return 0;
	}
	now = sc_clock(sc, fi);
	baseline_time(&sc->bl, &x.t, now, sc->c.utc_offset);
	x.now_s = (uint32_t)(now / XT_SEC);
	/*
	 * The bytes of a record began at most one record interval ago (or
	 * when the flow began): a window it opens starts there, so that
	 * "in 10 s" is true of the first record of a burst.
	 */
	start = now - sc->c.record_interval;
	if (fi->rec != NULL && fi->rec->first > start)
		start = fi->rec->first;
	x.open_s = start < now ? (uint32_t)(start / XT_SEC) : x.now_s;

	h = baseline_host(&sc->bl, fi->host, x.role, x.t.utc_hour, &created);
	baseline_host_add(&sc->bl, h, &x.t, x.bytes);
	x.host = h;
	if (x.role == BL_ROLE_SERVER && !sc->c.score_server_replies)
		return 0;
	x.adays = h->adays;
	x.has_all = h->all.na > 0;
	x.maturity = fmin(1.0, (double)h->adays /
	    (double)sc->c.vp.mature_days);
	x.hosts = sc->bl.hosts.count;

	nv = sc_values(fi, vals);
	for (i = 0; i < nv; i++)
		sc_visit(sc, &x, &vals[i], &ipe);

	if (now - sc->first < sc->c.learning_period) {
		sc->st.learning++;
		return 0;
	}
	x.learned = (uint32_t)((sc->first + sc->c.learning_period) / XT_HOUR);
	return sc_judge(sc, &x, ipe, out, maxout);
}

void
score_tick(struct scorer *sc, xtime_t now)
{
	struct bl_time t;

	if (now > sc->now)
		sc->now = now;
	if (sc->now == 0)
		return;
	baseline_time(&sc->bl, &t, sc->now, sc->c.utc_offset);
	baseline_expire(&sc->bl, t.utc_hour, SC_EXPIRE_BUDGET);
	baseline_grow(&sc->bl);
}

int
score_save_due(const struct scorer *sc, xtime_t interval)
{
	return interval > 0 && sc->first != 0 &&
	    sc->now - sc->last_save >= interval;
}

static int
sc_save_table(struct state_file *sf, uint32_t tag, const struct bl_table *t)
{
	struct bl_iter it;
	const void *rec;

	if (state_section(sf, tag, (uint32_t)t->recsize, t->count) == -1)
		return -1;
	baseline_iter_init(t, &it);
	while ((rec = baseline_iter_next(t, &it)) != NULL)
		if (state_write(sf, rec, t->recsize) == -1)
			return -1;
	return 0;
}

int
score_save(struct scorer *sc, const char *path, char *err, size_t errlen)
{
	struct state_file sf;
	struct sc_meta m;

	if (state_create(&sf, path, SCORE_STATE_KIND, SCORE_STATE_VERSION, err,
	    errlen) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.seed[0] = sc->bl.seed[0];
	m.seed[1] = sc->bl.seed[1];
	m.first = sc->first;
	m.now = sc->now;
	m.host_hours = sc->bl.host_hours;
	m.seeded = (uint32_t)sc->seeded;
	/*
	 * A failed write marks sf; state_commit then reports it and removes
	 * the temporary file, so the steps need not be checked one by one.
	 */
	state_section(&sf, SC_TAG_META, sizeof(m), 1);
	state_write(&sf, &m, sizeof(m));
	state_section(&sf, SC_TAG_POP, sizeof(struct bl_stat),
	    BL_DAYTYPES * BL_HOURS + 2);
	state_write(&sf, sc->bl.pop, sizeof(sc->bl.pop));
	state_write(&sf, &sc->bl.pop_all, sizeof(sc->bl.pop_all));
	state_write(&sf, &sc->bl.pop_peak, sizeof(sc->bl.pop_peak));
	sc_save_table(&sf, SC_TAG_HOST, &sc->bl.hosts);
	sc_save_table(&sf, SC_TAG_ENTRY, &sc->bl.entries);
	sc_save_table(&sf, SC_TAG_DEST, &sc->bl.dests);
	if (state_commit(&sf, err, errlen) == -1)
		return -1;
	sc->last_save = sc->now;
	sc->st.saves++;
	return 0;
}

static int
sc_load_table(struct state_file *sf, struct bl_table *t, uint64_t count)
{
	uint8_t rec[sizeof(struct bl_host) > sizeof(struct bl_entry) ?
	    sizeof(struct bl_host) : sizeof(struct bl_entry)];
	uint64_t i;

	for (i = 0; i < count; i++) {
		if (t->recsize > sizeof(rec) ||
		    state_read(sf, rec, t->recsize) == -1 ||
		    baseline_table_insert(t, rec) == -1)
			return -1;
	}
	return 0;
}

static int
sc_load_sections(struct scorer *sc, struct state_file *sf, char *err,
    size_t errlen)
{
	struct sc_meta m;
	uint32_t tag, recsize;
	uint64_t count;
	struct bl_table *t;
	int rc, have_meta = 0;

	while ((rc = state_next(sf, &tag, &recsize, &count)) == 1) {
		t = NULL;
		switch (tag) {
		case SC_TAG_META:
			if (recsize != sizeof(m) || count != 1 ||
			    state_read(sf, &m, sizeof(m)) == -1)
				goto bad;
			have_meta = 1;
			break;
		case SC_TAG_POP:
			if (recsize != sizeof(struct bl_stat) ||
			    count != BL_DAYTYPES * BL_HOURS + 2 ||
			    state_read(sf, sc->bl.pop, sizeof(sc->bl.pop)) == -1 ||
			    state_read(sf, &sc->bl.pop_all,
			    sizeof(sc->bl.pop_all)) == -1 ||
			    state_read(sf, &sc->bl.pop_peak,
			    sizeof(sc->bl.pop_peak)) == -1)
				goto bad;
			break;
		case SC_TAG_HOST:
			t = &sc->bl.hosts;
			break;
		case SC_TAG_ENTRY:
			t = &sc->bl.entries;
			break;
		case SC_TAG_DEST:
			t = &sc->bl.dests;
			break;
		default:
			break;	/* a section this version does not know */
		}
		if (t == NULL)
			continue;
		/* Records carry their keys: placement needs no seed. */
		if (recsize != t->recsize ||
		    sc_load_table(sf, t, count) == -1)
			goto bad;
	}
	if (rc == -1 || !have_meta)
		goto bad;
	sc->bl.seed[0] = m.seed[0];
	sc->bl.seed[1] = m.seed[1];
	sc->bl.host_hours = m.host_hours;
	sc->first = m.first;
	sc->now = m.now;
	sc->last_save = m.now;
	sc->seeded = m.seeded != 0;
	return 0;
bad:
	snprintf(err, errlen, "%s: sections do not match this version's "
	    "layout", sf->path);
	return -1;
}

int
score_load(struct scorer *sc, const char *path, char *err, size_t errlen)
{
	struct state_file sf;
	int rc;

	baseline_reset(&sc->bl);
	sc->first = sc->now = sc->last_save = 0;
	sc->seeded = 0;
	if ((rc = state_open(&sf, path, SCORE_STATE_KIND, SCORE_STATE_VERSION,
	    err, errlen)) != 1)
		return rc;
	rc = sc_load_sections(sc, &sf, err, errlen);
	state_close(&sf);
	if (rc == -1) {
		baseline_reset(&sc->bl);
		sc->first = sc->now = sc->last_save = 0;
		sc->seeded = 0;
		state_set_aside(path, err, errlen);
		return -1;
	}
	sc->st.loads++;
	sc->loaded_now = sc->now;
	return 1;
}

void
score_stats(const struct scorer *sc, struct score_stats *st)
{
	const struct baseline *bl = &sc->bl;

	*st = sc->st;
	st->hosts = bl->hosts.count;
	st->entries = bl->entries.count;
	st->destinations = bl->dests.count;
	st->max_hosts = bl->hosts.max;
	st->max_entries = bl->entries.max;
	st->max_destinations = bl->dests.max;
	st->host_evictions = bl->hosts.evicted;
	st->entry_evictions = bl->entries.evicted;
	st->destination_evictions = bl->dests.evicted;
	st->host_expired = bl->hosts.expired;
	st->entry_expired = bl->entries.expired;
	st->destination_expired = bl->dests.expired;
	st->host_size = sizeof(struct bl_host);
	st->entry_size = sizeof(struct bl_entry);
	st->destination_size = sizeof(struct bl_dest);
	st->mem_hosts = baseline_table_mem(&bl->hosts);
	st->mem_entries = baseline_table_mem(&bl->entries);
	st->mem_destinations = baseline_table_mem(&bl->dests);
	st->first = sc->first;
	st->learning_left = sc->first == 0 ? sc->c.learning_period :
	    sc->now - sc->first >= sc->c.learning_period ? 0 :
	    sc->c.learning_period - (sc->now - sc->first);
}
