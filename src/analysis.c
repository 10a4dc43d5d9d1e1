/*
 * analysis.c: the analysis thread (see analysis.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ndpi_protocol_ids.h>

#include <sys/stat.h>

#include "alert.h"
#include "analysis.h"
#include "chan.h"
#include "config.h"
#include "detectors.h"
#include "dnstun.h"
#include "dpi.h"
#include "geo.h"
#include "intel.h"
#include "json.h"
#include "log.h"
#include "netset.h"
#include "pktinfo.h"
#include "rules.h"
#include "score.h"
#include "yamldoc.h"

#define EV_MAX		16	/* events one packet or record may raise */
/*
 * Keys per detector table (host-and-domain, host-and-destination): enough
 * for a large office between expiries, and the tables evict the stalest
 * key when full.  DNS keys cost about 1.4 KB, channel keys about 440 B.
 */
#define DNS_KEYS	4096
#define CHAN_KEYS	8192

struct analysis {
	struct config	*conf;
	struct pipe_ctl	*ctl;
	struct dpi	 dpi;
	struct geo	 geo;
	struct ruleset	*rules;
	struct alerter	*alerter;
	struct chan	 chan;
	struct dnstun	 dns;
	struct scorer	*score;
	struct intel	 intel;
	FILE		*flowlog;	/* flows.log, or NULL */
	xtime_t		 now;
	xtime_t		 first;		/* packet time of the first message */
	struct event	 ev[EV_MAX];
	analysis_alert_fn alert_cb;
	void		*alert_arg;
	struct analysis_counters c;
};

const char *
flow_dir_name(enum flow_dir d)
{
	switch (d) {
	case DIR_OUTBOUND:
		return "outbound";
	case DIR_INBOUND:
		return "inbound";
	case DIR_INTERNAL:
		return "internal";
	default:
		return "transit";
	}
}


static int
analysis_geo_open(struct geo *g, const struct config *conf, char *err,
    size_t errlen)
{
	return geo_open(g, conf->geoip.country_db, conf->geoip.city_db,
	    conf->geoip.asn_db, (size_t)conf->geoip.cache_size, err, errlen);
}

/*
 * The rule directory of the built-in defaults is the installed one; on a
 * source checkout that does not exist yet, so fall back to ./rules.
 */
static const char *
analysis_rules_dir(const struct config *conf)
{
	struct stat sb;

	if (conf->file == NULL && stat(conf->rules_dir, &sb) == -1 &&
	    stat("rules", &sb) == 0 && S_ISDIR(sb.st_mode))
		return "rules";
	return conf->rules_dir;
}

static struct ruleset *
analysis_rules_load(const struct config *conf, char *err, size_t errlen)
{
	struct ruleset *rs;
	struct yerrs ye;

	memset(&ye, 0, sizeof(ye));
	rs = rules_load(analysis_rules_dir(conf), detector_params, &ye);
	if (rs == NULL)
		snprintf(err, errlen, "%s", ye.count ? yerr_str(&ye) :
		    "rules: cannot load");
	yerr_free(&ye);
	return rs;
}

static void
analysis_alert_log(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

static void
analysis_alert_print(void *arg, const struct alert_out *o)
{
	struct analysis *an = arg;
	char line[1024];

	if (an->alert_cb == NULL)
		return;
	snprintf(line, sizeof(line), "%s%s\n    why: %s",
	    o->correlated ? "[correlated] " : "", o->text, o->ev->reason);
	an->alert_cb(an->alert_arg, line);
}

static int
analysis_score_conf(struct score_conf *sc, const struct config *conf,
    char *err, size_t errlen)
{
	if (score_conf_default(sc, err, errlen) == -1)
		return -1;
	sc->learning_period = conf->baseline.learning_period;
	sc->max_hosts = (uint32_t)conf->baseline.max_hosts;
	sc->max_entries = (uint32_t)conf->baseline.max_entries;
	sc->max_destinations = (uint32_t)conf->baseline.max_destinations;
	sc->entry_ttl = conf->baseline.entry_ttl;
	sc->alert_threshold = conf->baseline.alert_threshold;
	sc->score_server_replies = conf->baseline.score_server_replies;
	sc->utc_offset = conf->utc_offset;
	sc->record_interval = conf->flows.update_interval;
	sc->holidays = conf->baseline.holidays.v;
	sc->nholidays = conf->baseline.holidays.n;
	return 0;
}

/* The lists shipped next to the rules, loaded before they are installed. */
struct chan_lists {
	struct chan_suffixes	 cloud;		/* cloud-storage.txt */
	struct netset		 resolvers;	/* dns-resolvers.txt */
};

static void
analysis_lists_free(struct chan_lists *l)
{
	chan_suffixes_free(&l->cloud);
	netset_free(&l->resolvers);
}

/*
 * A missing file leaves its detector to nDPI's classification alone (an
 * empty list); a bad line is refused like a bad rule, at start and on a
 * reload alike.
 */
static int
analysis_lists_load(struct chan_lists *l, const struct config *conf,
    char *err, size_t errlen)
{
	char path[4096];

	memset(&l->cloud, 0, sizeof(l->cloud));
	netset_init(&l->resolvers);
	snprintf(path, sizeof(path), "%s/cloud-storage.txt",
	    analysis_rules_dir(conf));
	if (access(path, R_OK) == 0 &&
	    chan_load_suffixes(&l->cloud, path, err, errlen) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/dns-resolvers.txt",
	    analysis_rules_dir(conf));
	if (access(path, R_OK) == 0 &&
	    netset_load_file(&l->resolvers, path, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	analysis_lists_free(l);
	return -1;
}

/* Hands both lists over; l is left empty. */
static void
analysis_lists_install(struct chan *c, struct chan_lists *l)
{
	chan_set_cloud_suffixes(c, &l->cloud);
	chan_set_resolvers(c, &l->resolvers);
}

struct analysis *
analysis_new(struct config *conf, struct pipe_ctl *ctl, char *err,
    size_t errlen)
{
	struct analysis *an;
	struct alert_conf ac;
	struct score_conf sc;
	struct chan_lists lists;
	char lerr[1024];

	if ((an = calloc(1, sizeof(*an))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	an->conf = conf;
	an->ctl = ctl;
	if ((an->rules = analysis_rules_load(conf, err, errlen)) == NULL)
		goto fail;
	if (dpi_init(&an->dpi, conf->dpi.enabled, (uint32_t)conf->flows.max_flows,
	    (uint32_t)conf->dpi.packet_limit, conf->dpi.protocols_file, err,
	    errlen) == -1)
		goto fail;
	if (analysis_geo_open(&an->geo, conf, err, errlen) == -1)
		goto fail;
	if (intel_load(&an->intel, &conf->intel.ip_lists,
	    &conf->intel.domain_lists, err, errlen) == -1)
		goto fail;
	if (chan_init(&an->chan, CHAN_KEYS, err, errlen) == -1 ||
	    analysis_lists_load(&lists, conf, err, errlen) == -1)
		goto fail;
	analysis_lists_install(&an->chan, &lists);
	if (dnstun_init(&an->dns, DNS_KEYS, err, errlen) == -1)
		goto fail;
	if (analysis_score_conf(&sc, conf, err, errlen) == -1 ||
	    (an->score = score_new(&sc, err, errlen)) == NULL)
		goto fail;
	detectors_apply(an->rules, &an->chan, &an->dns, an->score);
	alert_conf_from_config(&ac, conf);
	ac.log = analysis_alert_log;
	ac.print = analysis_alert_print;
	ac.arg = an;
	if (ctl == NULL) {
		/*
		 * exfild -T: check, do not touch the outputs (a root-owned
		 * alerts.json created here would lock out the service user).
		 */
		ac.json_file = "";
		ac.syslog_enabled = 0;
		ac.remote_host = "";
	}
	if ((an->alerter = alert_new(&ac, an->rules, err, errlen)) == NULL)
		goto fail;
	if (ctl != NULL && conf->flows.log[0] != '\0' &&
	    (an->flowlog = fopen(conf->flows.log, "ae")) == NULL) {
		snprintf(err, errlen, "flows.log %s: %s", conf->flows.log,
		    strerror(errno));
		goto fail;
	}
	if (ctl != NULL && conf->state.path[0] != '\0' &&
	    access(conf->state.path, F_OK) == 0) {
		if (score_load(an->score, conf->state.path, lerr,
		    sizeof(lerr)) == -1)
			log_warnx("state: %s", lerr);
		else
			log_info("state: loaded %s", conf->state.path);
	}
	if (ctl != NULL && !geo_enabled(&an->geo))
		log_info("geoip: no database configured: country, region and "
		    "ASN of destinations are unknown");
	return an;
fail:
	analysis_free(an);
	return NULL;
}

void
analysis_free(struct analysis *an)
{
	if (an == NULL)
		return;
	if (an->alerter != NULL)
		alert_free(an->alerter);
	if (an->flowlog != NULL)
		fclose(an->flowlog);
	if (an->score != NULL)
		score_free(an->score);
	if (an->dns.psl != NULL)
		dnstun_free(&an->dns);
	chan_free(&an->chan);
	intel_free(&an->intel);
	dpi_free(&an->dpi);
	geo_close(&an->geo);
	if (an->rules != NULL)
		rules_free(an->rules);
	free(an);
}

struct config *
analysis_config(struct analysis *an)
{
	return an->conf;
}

void
analysis_set_alert_cb(struct analysis *an, analysis_alert_fn fn, void *arg)
{
	an->alert_cb = fn;
	an->alert_arg = arg;
}

void
analysis_counters(const struct analysis *an, struct analysis_counters *out)
{
	struct alert_stats as;

	*out = an->c;
	/* Correlated incidents are raised inside the alert stage. */
	alert_stats(an->alerter, &as);
	out->alerts = as.alerts;
}

/* What the capture thread should keep sending once nDPI is done. */
static uint32_t
analysis_ctl_after_dpi(const struct dpi_result *r)
{
	uint16_t m = r->master, a = r->app;

	if (m == NDPI_PROTOCOL_DNS || a == NDPI_PROTOCOL_DNS ||
	    m == NDPI_PROTOCOL_HTTP || a == NDPI_PROTOCOL_HTTP ||
	    a == NDPI_PROTOCOL_IP_ICMP || a == NDPI_PROTOCOL_IP_ICMPV6)
		return CTL_PAYLOAD;
	return CTL_STOP;
}

static void
analysis_orient(struct analysis *an, const addr_t *src, const addr_t *dst,
    enum flow_dir *dir, int *home_src, int *home_dst)
{
	*home_src = netset_contains(&an->conf->home_net, src);
	*home_dst = netset_contains(&an->conf->home_net, dst);
	if (*home_src && !*home_dst)
		*dir = DIR_OUTBOUND;
	else if (!*home_src && *home_dst)
		*dir = DIR_INBOUND;
	else if (*home_src)
		*dir = DIR_INTERNAL;
	else
		*dir = DIR_TRANSIT;
}

/* Every detector hit goes through here to the alert stage. */
static void
analysis_emit(struct analysis *an, struct event *ev, int n,
    const struct geo_info *geo)
{
	enum alert_result r;
	int i;

	for (i = 0; i < n; i++, ev++) {
		if (!ev->has_geo && ev->has_dst) {
			if (geo != NULL)
				ev->geo = *geo;
			else
				geo_lookup(&an->geo, &ev->dst, &ev->geo);
			ev->has_geo = 1;
		}
		an->c.events++;
		r = alert_event(an->alerter, ev);
		if (r == ALERT_SENT)
			an->c.alerts++;
		else if (r == ALERT_ALLOWLISTED || r == ALERT_FOLDED ||
		    r == ALERT_CAPPED)
			an->c.suppressed++;
	}
}

static int
analysis_is_dns(const struct pkt_msg *m, const struct dpi_result *r)
{
	if (m->proto != IPPROTO_UDP && m->proto != IPPROTO_TCP)
		return 0;
	if (m->sport == 53 || m->dport == 53)
		return 1;
	return r != NULL && r->state == DPI_DONE &&
	    (r->master == NDPI_PROTOCOL_DNS || r->app == NDPI_PROTOCOL_DNS);
}

static void
analysis_packet(struct analysis *an, const struct pkt_msg *m)
{
	struct dpi_result *r;
	struct pktinfo pi;
	int n;

	an->c.packets++;
	r = dpi_get(&an->dpi, m->slot, m->gen);
	if (an->dpi.enabled && (r == NULL || r->state != DPI_DONE) &&
	    dpi_packet(&an->dpi, m->slot, m->gen, m->ts, m->data, m->l3_len,
	    m->c2s, m->payload_len)) {
		r = dpi_get(&an->dpi, m->slot, m->gen);
		if (an->ctl != NULL)
			pipe_ctl_set(an->ctl, m->slot, m->gen,
			    r != NULL ? analysis_ctl_after_dpi(r) : CTL_STOP);
	}
	memset(&pi, 0, sizeof(pi));
	pi.m = m;
	pi.payload = m->data + m->payload_off;
	pi.payload_caplen = (uint32_t)(m->l3_len - m->payload_off);
	pi.payload_len = m->payload_len;
	analysis_orient(an, &m->src, &m->dst, &pi.dir, &pi.home_src,
	    &pi.home_dst);
	pi.from_host = pi.dir != DIR_INBOUND;
	pi.host = pi.from_host ? &m->src : &m->dst;
	pi.remote = pi.from_host ? &m->dst : &m->src;
	pi.hport = pi.from_host ? m->sport : m->dport;
	pi.rport = pi.from_host ? m->dport : m->sport;
	pi.dpi = r;

	if (pi.payload_caplen > 0 && analysis_is_dns(m, r)) {
		n = dnstun_message(&an->dns, m->ts, &m->src, &m->dst, m->sport,
		    m->dport, m->proto == IPPROTO_TCP, pi.home_src, pi.home_dst,
		    pi.payload, pi.payload_caplen, an->ev, EV_MAX);
		analysis_emit(an, an->ev, n, NULL);
	}
	n = chan_packet(&an->chan, &pi, an->ev, EV_MAX);
	analysis_emit(an, an->ev, n, NULL);
}

static void
analysis_intel(struct analysis *an, const struct flowinfo *fi)
{
	struct event *ev = &an->ev[0];
	const char *list;
	char a[ADDR_STRLEN];

	if (an->intel.n == 0)
		return;
	/* Once per flow: on its first record. */
	if (fi->rec->tot_pkts[0] + fi->rec->tot_pkts[1] !=
	    fi->rec->pkts[0] + fi->rec->pkts[1])
		return;
	if ((list = intel_match(&an->intel, fi->remote, fi->server_name)) == NULL)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->detector = DET_INTEL;
	ev->ts = fi->rec->last;
	ev->start = fi->rec->first;
	ev->host = *fi->host;
	ev->dst = *fi->remote;
	ev->has_dst = 1;
	ev->dport = fi->rport;
	ev->proto = fi->rec->proto;
	ev->bytes = fi->tot_sent;
	ev->count = 1;
	ev->score = 90;
	snprintf(ev->domain, sizeof(ev->domain), "%s", fi->server_name);
	snprintf(ev->app, sizeof(ev->app), "%s", fi->app);
	snprintf(ev->reason, sizeof(ev->reason),
	    "%s contacted %s%s%s, listed in threat-intelligence list %s",
	    addr_ntop(fi->host, a, sizeof(a)), fi->server_name,
	    fi->server_name[0] ? " at " : "",
	    addr_ntop(fi->remote, a, sizeof(a)), list);
	analysis_emit(an, ev, 1, &fi->geo);
}

/* Reopen flows.log after a reload: rotation, or a new path. */
static void
analysis_flowlog_open(struct analysis *an, const struct config *conf)
{
	FILE *fp = NULL;

	if (conf->flows.log[0] != '\0' &&
	    (fp = fopen(conf->flows.log, "ae")) == NULL) {
		log_warn("flows.log %s", conf->flows.log);
		return;		/* keep the old one */
	}
	if (an->flowlog != NULL)
		fclose(an->flowlog);
	an->flowlog = fp;
}

/* One JSON line per ended flow: what exfild saw, for audits and tests. */
static void
analysis_flowlog(struct analysis *an, const struct flowinfo *fi)
{
	const struct flow_rec *r = fi->rec;
	char buf[2048], a[ADDR_STRLEN];
	struct json j;
	size_t n;

	json_init(&j, buf, sizeof(buf));
	json_obj_open(&j, NULL);
	json_double(&j, "first", (double)r->first / 1e6);
	json_double(&j, "last", (double)r->last / 1e6);
	json_str(&j, "src", addr_ntop(&r->cli, a, sizeof(a)));
	json_uint(&j, "sport", r->cport);
	json_str(&j, "dst", addr_ntop(&r->srv, a, sizeof(a)));
	json_uint(&j, "dport", r->sport);
	json_uint(&j, "proto", r->proto);
	if (r->vlan)
		json_uint(&j, "vlan", r->vlan);
	if (r->tunnel)
		json_uint(&j, "tunnel", r->tunnel);
	json_str(&j, "direction", flow_dir_name(fi->dir));
	json_uint(&j, "bytes_c2s", r->tot_bytes[0]);
	json_uint(&j, "bytes_s2c", r->tot_bytes[1]);
	json_uint(&j, "pkts_c2s", r->tot_pkts[0]);
	json_uint(&j, "pkts_s2c", r->tot_pkts[1]);
	json_str(&j, "app", fi->app);
	json_uint(&j, "master_id", fi->master_proto);
	json_uint(&j, "app_id", fi->app_proto);
	json_str(&j, "category", fi->category_name);
	json_str(&j, "server_name", fi->server_name);
	json_uint(&j, "risk", fi->risk);
	json_str(&j, "country", fi->geo.country);
	json_str(&j, "region", fi->geo.region);
	json_uint(&j, "asn", fi->geo.asn);
	json_str(&j, "as_org", fi->geo.as_org);
	json_str(&j, "end", r->kind == REC_EVICT ? "evicted" :
	    r->kind == REC_FLUSH ? "flushed" : "ended");
	json_close(&j);
	n = json_finish(&j);
	fwrite(buf, 1, n, an->flowlog);
	fputc('\n', an->flowlog);
}

static void
analysis_record(struct analysis *an, const struct flow_rec *rec)
{
	struct flowinfo fi;
	struct dpi_result *r;
	char app[64];
	int hs, hd, n;

	an->c.records++;
	if (rec->kind != REC_INTERIM) {
		an->c.records_final++;
		dpi_end(&an->dpi, rec->slot, rec->gen);
	}
	memset(&fi, 0, sizeof(fi));
	fi.rec = rec;
	analysis_orient(an, &rec->cli, &rec->srv, &fi.dir, &hs, &hd);
	fi.host_is_client = fi.dir != DIR_INBOUND;
	if (fi.host_is_client) {
		fi.host = &rec->cli;
		fi.remote = &rec->srv;
		fi.rport = rec->sport;
		fi.lport = rec->cport;
		fi.sent = rec->bytes[0];
		fi.recv = rec->bytes[1];
		fi.tot_sent = rec->tot_bytes[0];
		fi.tot_recv = rec->tot_bytes[1];
	} else {
		fi.host = &rec->srv;
		fi.remote = &rec->cli;
		fi.rport = rec->cport;
		fi.lport = rec->sport;
		fi.sent = rec->bytes[1];
		fi.recv = rec->bytes[0];
		fi.tot_sent = rec->tot_bytes[1];
		fi.tot_recv = rec->tot_bytes[0];
	}
	switch (fi.dir) {
	case DIR_OUTBOUND: an->c.outbound++; break;
	case DIR_INBOUND: an->c.inbound++; break;
	case DIR_INTERNAL: an->c.internal++; break;
	default: an->c.transit++; break;
	}
	if (fi.dir == DIR_OUTBOUND || fi.dir == DIR_INBOUND)
		geo_lookup(&an->geo, fi.remote, &fi.geo);
	r = dpi_get(&an->dpi, rec->slot, rec->gen);
	fi.app = "Unknown";
	fi.category_name = "Unspecified";
	fi.server_name = "";
	if (r != NULL) {
		fi.master_proto = r->master;
		fi.app_proto = r->app;
		fi.category = r->category;
		fi.risk = r->risk;
		fi.app = dpi_proto_name(&an->dpi, r, app, sizeof(app));
		fi.category_name = dpi_category_name(&an->dpi, r);
		fi.server_name = r->name;
		fi.classified = r->state == DPI_DONE;
	}
	if (an->flowlog != NULL && rec->kind != REC_INTERIM)
		analysis_flowlog(an, &fi);
	if (fi.dir == DIR_TRANSIT)
		return;
	n = score_record(an->score, &fi, an->ev, EV_MAX);
	analysis_emit(an, an->ev, n, &fi.geo);
	n = chan_record(&an->chan, &fi, an->ev, EV_MAX);
	analysis_emit(an, an->ev, n, &fi.geo);
	if (fi.dir == DIR_OUTBOUND)
		analysis_intel(an, &fi);
}

void
analysis_message(struct analysis *an, const struct ring_msg *m)
{
	const void *body = m + 1;

	switch (m->type) {
	case MSG_PKT:
		analysis_packet(an, body);
		break;
	case MSG_REC:
		analysis_record(an, body);
		break;
	case MSG_TICK:
		analysis_tick(an, ((const struct tick_msg *)body)->now);
		break;
	}
}

static void
analysis_save(struct analysis *an)
{
	char err[1024];

	if (an->conf->state.path[0] == '\0')
		return;
	if (score_save(an->score, an->conf->state.path, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
}

void
analysis_tick(struct analysis *an, xtime_t now)
{
	if (now <= an->now)
		return;
	an->now = now;
	chan_tick(&an->chan, now);
	score_tick(an->score, now);
	alert_tick(an->alerter, now);
	if (an->conf->state.path[0] != '\0' &&
	    score_save_due(an->score, an->conf->state.save_interval))
		analysis_save(an);
}

int
analysis_reload(struct analysis *an, struct config *conf, char *err,
    size_t errlen)
{
	struct ruleset *rs;
	struct intel in;
	struct geo g;
	struct score_conf sc;
	struct alert_conf ac;
	struct chan_lists lists;

	if ((rs = analysis_rules_load(conf, err, errlen)) == NULL)
		return -1;
	if (analysis_score_conf(&sc, conf, err, errlen) == -1) {
		rules_free(rs);
		return -1;
	}
	if (intel_load(&in, &conf->intel.ip_lists, &conf->intel.domain_lists,
	    err, errlen) == -1) {
		rules_free(rs);
		return -1;
	}
	if (analysis_geo_open(&g, conf, err, errlen) == -1) {
		intel_free(&in);
		rules_free(rs);
		return -1;
	}
	if (analysis_lists_load(&lists, conf, err, errlen) == -1) {
		geo_close(&g);
		intel_free(&in);
		rules_free(rs);
		return -1;
	}
	alert_conf_from_config(&ac, conf);
	if (alert_set_conf(an->alerter, &ac, err, errlen) == -1) {
		analysis_lists_free(&lists);
		geo_close(&g);
		intel_free(&in);
		rules_free(rs);
		return -1;
	}
	/* Everything loaded: switch over. */
	geo_close(&an->geo);
	an->geo = g;
	intel_free(&an->intel);
	an->intel = in;
	alert_set_rules(an->alerter, rs);
	alert_set_allow(an->alerter, &conf->allowlist, conf->utc_offset);
	rules_free(an->rules);
	an->rules = rs;
	score_set_params(an->score, &sc.vp);
	if (score_set_holidays(an->score, sc.holidays, sc.nholidays) == -1)
		log_warnx("baseline.holidays: out of memory; the previous "
		    "list stays");
	detectors_apply(rs, &an->chan, &an->dns, an->score);
	analysis_lists_install(&an->chan, &lists);
	/* The same path again: reopen it for log rotation. */
	if (alert_reopen(an->alerter, err, errlen) == -1)
		log_warnx("alerts: %s", err);
	analysis_flowlog_open(an, conf);
	an->conf = conf;
	return 0;
}

struct metric {
	char		 name[48];	/* dotted: stage.counter */
	uint64_t	 v;
};

#define METRICS_MAX	96

static void
metric(struct metric *m, size_t *n, const char *name, uint64_t v)
{
	if (*n >= METRICS_MAX)
		return;
	snprintf(m[*n].name, sizeof(m[*n].name), "%s", name);
	m[*n].v = v;
	(*n)++;
}

/* Levels rather than running totals. */
static int
metric_is_gauge(const char *name)
{
	return strncmp(name, "mem.", 4) == 0 ||
	    strcmp(name, "flow.active") == 0 ||
	    strcmp(name, "score.hosts") == 0 ||
	    strcmp(name, "score.entries") == 0 ||
	    strcmp(name, "score.destinations") == 0;
}

/*
 * Prometheus node-exporter textfile: written beside, then renamed, so the
 * collector never reads half a file.
 */
static void
analysis_prometheus(const char *path, const struct metric *m, size_t n)
{
	char tmp[4096], name[sizeof(m->name) + 8];
	FILE *fp;
	size_t i, j;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "we")) == NULL) {
		log_warn("stats: %s", tmp);
		return;
	}
	for (i = 0; i < n; i++) {
		memcpy(name, "exfild_", 7);
		memcpy(name + 7, m[i].name, sizeof(m[i].name));
		for (j = 0; name[j] != '\0'; j++)
			if (name[j] == '.')
				name[j] = '_';
		fprintf(fp, "# TYPE %s %s\n%s %llu\n", name,
		    metric_is_gauge(m[i].name) ? "gauge" : "counter",
		    name, (unsigned long long)m[i].v);
	}
	if (fclose(fp) != 0 || rename(tmp, path) == -1)
		log_warn("stats: %s", path);
}

void
analysis_stats(struct analysis *an, struct capture *cap, int to_log)
{
	struct metric m[METRICS_MAX];
	struct capture_counters cc;
	struct geo_stats gs;
	struct alert_stats as;
	struct score_stats ss;
	struct dnstun_stats ds;
	struct chan_stats cs;
	char line[4096];
	size_t n = 0, i, len = 0;

	capture_snapshot(cap, &cc);
	geo_stats(&an->geo, &gs);
	alert_stats(an->alerter, &as);
	score_stats(an->score, &ss);
	dnstun_stats(&an->dns, &ds);
	chan_stats(&an->chan, &cs);
	metric(m, &n, "capture.packets", cc.packets);
	metric(m, &n, "capture.bytes", cc.bytes);
	metric(m, &n, "capture.kernel_drops", cc.kernel_drops);
	metric(m, &n, "capture.ifdrops", cc.ifdrops);
	metric(m, &n, "capture.ring_drops", cc.ring_drops_pkt + cc.ring_drops_rec);
	metric(m, &n, "capture.no_flow", cc.no_flow);
	for (i = 1; i < DEC_REASON_MAX; i++)
		if (cc.decode[i] > 0)
			metric(m, &n, decode_reason_name((enum decode_reason)i),
			    cc.decode[i]);
	metric(m, &n, "flow.created", cc.flows);
	metric(m, &n, "flow.active", cc.flows_active);
	metric(m, &n, "flow.evicted", cc.evicted);
	metric(m, &n, "analysis.packets", an->c.packets);
	metric(m, &n, "analysis.records", an->c.records);
	metric(m, &n, "dpi.flows", an->dpi.st.flows);
	metric(m, &n, "dpi.classified", an->dpi.st.classified);
	metric(m, &n, "dpi.guessed", an->dpi.st.guessed);
	metric(m, &n, "dns.parsed", ds.parsed);
	metric(m, &n, "dns.evicted", ds.dom_evicted + ds.host_evicted);
	metric(m, &n, "chan.evicted", cs.evicted + cs.seen_evicted);
	metric(m, &n, "chan.hellos_lost", cs.tls_lost);
	metric(m, &n, "score.hosts", ss.hosts);
	metric(m, &n, "score.entries", ss.entries);
	metric(m, &n, "score.destinations", ss.destinations);
	metric(m, &n, "score.evicted", ss.host_evictions + ss.entry_evictions +
	    ss.destination_evictions);
	metric(m, &n, "alert.events", as.events);
	metric(m, &n, "alert.sent", as.alerts);
	metric(m, &n, "alert.correlated", as.correlated);
	metric(m, &n, "alert.suppressed_allowlist", as.suppressed_allowlist);
	metric(m, &n, "alert.suppressed_rate", as.suppressed_rate);
	metric(m, &n, "alert.suppressed_cap", as.suppressed_cap);
	metric(m, &n, "mem.flows", cc.flow_mem);
	metric(m, &n, "mem.dpi", dpi_mem(&an->dpi));
	metric(m, &n, "mem.geo", gs.cache_bytes);
	metric(m, &n, "mem.baseline", ss.mem_hosts + ss.mem_entries +
	    ss.mem_destinations);
	metric(m, &n, "mem.alert", as.mem_bytes);
	metric(m, &n, "mem.dns", ds.memory);
	metric(m, &n, "mem.chan", cs.memory);

	len = (size_t)snprintf(line, sizeof(line), "stats");
	for (i = 0; i < n && len < sizeof(line) - 64; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		    " %s=%llu", m[i].name, (unsigned long long)m[i].v);
	if (to_log)
		log_info("%s", line);
	if (an->conf->stats.prometheus_file[0] != '\0')
		analysis_prometheus(an->conf->stats.prometheus_file, m, n);
}

void
analysis_shutdown(struct analysis *an)
{
	alert_tick(an->alerter, an->now);
	analysis_save(an);
}
