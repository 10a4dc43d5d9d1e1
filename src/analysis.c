/*
 * analysis.c: the analysis thread (see analysis.h).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_protocol_ids.h>

#include "analysis.h"
#include "config.h"
#include "dpi.h"
#include "geo.h"
#include "log.h"
#include "netset.h"
#include "pktinfo.h"

struct analysis {
	struct config	*conf;
	struct pipe_ctl	*ctl;
	struct dpi	 dpi;
	struct geo	 geo;
	xtime_t		 now;
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

struct analysis *
analysis_new(struct config *conf, struct pipe_ctl *ctl, char *err,
    size_t errlen)
{
	struct analysis *an;

	if ((an = calloc(1, sizeof(*an))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	an->conf = conf;
	an->ctl = ctl;
	if (dpi_init(&an->dpi, conf->dpi.enabled, (uint32_t)conf->flows.max_flows,
	    (uint32_t)conf->dpi.packet_limit, conf->dpi.protocols_file, err,
	    errlen) == -1) {
		free(an);
		return NULL;
	}
	if (analysis_geo_open(&an->geo, conf, err, errlen) == -1) {
		dpi_free(&an->dpi);
		free(an);
		return NULL;
	}
	if (!geo_enabled(&an->geo))
		log_info("geoip: no database configured: country, region and "
		    "ASN of destinations are unknown");
	return an;
}

void
analysis_free(struct analysis *an)
{
	if (an == NULL)
		return;
	dpi_free(&an->dpi);
	geo_close(&an->geo);
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
	*out = an->c;
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

static void
analysis_packet(struct analysis *an, const struct pkt_msg *m)
{
	struct dpi_result *r;
	struct pktinfo pi;
	char app[64];

	an->c.packets++;
	if (an->dpi.enabled && (r = dpi_get(&an->dpi, m->slot, m->gen)) != NULL &&
	    r->state == DPI_DONE)
		;
	else if (an->dpi.enabled &&
	    dpi_packet(&an->dpi, m->slot, m->gen, m->ts, m->data, m->l3_len)) {
		r = dpi_get(&an->dpi, m->slot, m->gen);
		pipe_ctl_set(an->ctl, m->slot, m->gen,
		    r != NULL ? analysis_ctl_after_dpi(r) : CTL_STOP);
	}
	memset(&pi, 0, sizeof(pi));
	pi.m = m;
	pi.payload = m->data + m->payload_off;
	pi.payload_caplen = m->l3_len - m->payload_off;
	pi.payload_len = m->payload_len;
	analysis_orient(an, &m->src, &m->dst, &pi.dir, &pi.home_src,
	    &pi.home_dst);
	pi.from_host = pi.dir != DIR_INBOUND;
	pi.host = pi.from_host ? &m->src : &m->dst;
	pi.remote = pi.from_host ? &m->dst : &m->src;
	pi.hport = pi.from_host ? m->sport : m->dport;
	pi.rport = pi.from_host ? m->dport : m->sport;
	pi.dpi = dpi_get(&an->dpi, m->slot, m->gen);
	pi.app = pi.dpi != NULL && pi.dpi->state == DPI_DONE ?
	    dpi_proto_name(&an->dpi, pi.dpi, app, sizeof(app)) : "";
	(void)pi;
}

static void
analysis_record(struct analysis *an, const struct flow_rec *rec)
{
	struct flowinfo fi;
	struct dpi_result *r;
	char app[64];
	int hs, hd;

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
	(void)fi;
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

void
analysis_tick(struct analysis *an, xtime_t now)
{
	if (now > an->now)
		an->now = now;
}

int
analysis_reload(struct analysis *an, struct config *conf, char *err,
    size_t errlen)
{
	struct geo g;

	if (analysis_geo_open(&g, conf, err, errlen) == -1)
		return -1;
	geo_close(&an->geo);
	an->geo = g;
	an->conf = conf;
	return 0;
}

void
analysis_stats(struct analysis *an, struct capture *cap, int to_log)
{
	struct capture_counters cc;
	struct geo_stats gs;
	char line[2048];
	size_t n;
	int i;

	capture_snapshot(cap, &cc);
	geo_stats(&an->geo, &gs);
	n = (size_t)snprintf(line, sizeof(line),
	    "stats packets=%llu bytes=%llu kernel_drops=%llu ring_drops=%llu "
	    "flows=%llu active=%llu evicted=%llu records=%llu alerts=%llu "
	    "suppressed=%llu mem.flows=%llu mem.dpi=%zu mem.geo=%zu",
	    (unsigned long long)cc.packets, (unsigned long long)cc.bytes,
	    (unsigned long long)cc.kernel_drops,
	    (unsigned long long)(cc.ring_drops_pkt + cc.ring_drops_rec),
	    (unsigned long long)cc.flows, (unsigned long long)cc.flows_active,
	    (unsigned long long)cc.evicted, (unsigned long long)an->c.records,
	    (unsigned long long)an->c.alerts,
	    (unsigned long long)an->c.suppressed,
	    (unsigned long long)cc.flow_mem, dpi_mem(&an->dpi), gs.cache_bytes);
	for (i = 1; i < DEC_REASON_MAX && n < sizeof(line) - 64; i++)
		if (cc.decode[i] > 0)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%llu",
			    decode_reason_name((enum decode_reason)i),
			    (unsigned long long)cc.decode[i]);
	if (to_log)
		log_info("%s", line);
}

void
analysis_shutdown(struct analysis *an)
{
	(void)an;
}
