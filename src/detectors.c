/*
 * detectors.c: detector parameter registry (see detectors.h).
 */
#include <string.h>

#include "chan.h"
#include "detectors.h"
#include "dnstun.h"
#include "rules.h"
#include "score.h"

const struct param_desc *
detector_params(enum detector d, size_t *size)
{
	const struct param_desc *t;

	switch (d) {
	case DET_VOLUME:
		*size = sizeof(struct volume_params);
		return volume_params;
	case DET_DNS_TUNNEL:
		*size = sizeof(struct dnstun_tunnel_params);
		return dnstun_tunnel_params;
	case DET_DNS_FAILURES:
		*size = sizeof(struct dnstun_failures_params);
		return dnstun_failures_params;
	case DET_DNS_LONG_TXT:
		*size = sizeof(struct dnstun_long_txt_params);
		return dnstun_long_txt_params;
	case DET_DNS_NONSTD_PORT:
		*size = sizeof(struct dnstun_nonstd_port_params);
		return dnstun_nonstd_port_params;
	case DET_DNS_NOT_DNS:
		*size = sizeof(struct dnstun_not_dns_params);
		return dnstun_not_dns_params;
	default:
		if ((t = chan_params_for(d, size)) != NULL)
			return t;
		*size = 0;
		return NULL;
	}
}

/* Where each detector keeps its parameters. */
static void *
detector_slot(enum detector d, struct chan *c, struct dnstun *dn)
{
	switch (d) {
	case DET_DNS_TUNNEL: return &dn->tunnel;
	case DET_DNS_FAILURES: return &dn->failures;
	case DET_DNS_LONG_TXT: return &dn->long_txt;
	case DET_DNS_NONSTD_PORT: return &dn->nonstd_port;
	case DET_DNS_NOT_DNS: return &dn->not_dns;
	case DET_ICMP_TUNNEL: return &c->icmp_tunnel;
	case DET_ICMP_LARGE: return &c->icmp_large;
	case DET_HTTP_ARCHIVE_POST: return &c->http_archive;
	case DET_HTTP_RECON_POST: return &c->http_recon;
	case DET_HTTP_LARGE_UPLOAD: return &c->http_upload;
	case DET_HTTP_NUMERIC_HOST: return &c->http_numeric;
	case DET_TLS_SNICAT: return &c->tls_snicat;
	case DET_TLS_HIGH_VOLUME: return &c->tls_volume;
	case DET_TLS_NO_SNI_UPLOAD: return &c->tls_nosni;
	case DET_DNS_ENCRYPTED: return &c->dns_encrypted;
	case DET_CLOUD_UPLOAD: return &c->cloud;
	case DET_PORT_MISMATCH: return &c->port_mismatch;
	case DET_UNKNOWN_UPLOAD: return &c->unknown_upload;
	default: return NULL;
	}
}

void
detectors_apply(const struct ruleset *rs, struct chan *c, struct dnstun *dn,
    struct scorer *sc)
{
	const struct rule *r;
	size_t size;
	void *slot;
	int d;

	for (d = 1; d < DET_MAX; d++) {
		if ((r = rules_for(rs, (enum detector)d)) == NULL ||
		    r->params == NULL)
			continue;
		if (detector_params((enum detector)d, &size) == NULL ||
		    size != r->params_size)
			continue;
		if (d == DET_VOLUME) {
			score_set_params(sc, r->params);
			continue;
		}
		if ((slot = detector_slot((enum detector)d, c, dn)) != NULL)
			memcpy(slot, r->params, size);
	}
}
