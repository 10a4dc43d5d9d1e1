/*
 * event.h: a detector hit — the one currency between the detectors
 * (score.c, dnstun.c, chan.c, ...) and the alert stage (alert.c).
 *
 * Owns nothing.  Detectors fill an event from what they saw; they do not
 * know rules, allowlists, severities or outputs.  The alert stage looks up
 * the rules configured for ev->detector, applies allowlists, correlation
 * and rate limits, and writes the alert.  Strings are raw bytes from the
 * network (server names, DNS names): they are escaped only at output.
 */
#ifndef EVENT_H
#define EVENT_H

#include "exfild.h"
#include "geo.h"

/* Every detector a rule can configure.  Names in detector_name(). */
enum detector {
	DET_NONE = 0,
	DET_VOLUME,		/* baseline scoring: bulk, new destination, slow, off-hours, port */
	DET_DNS_TUNNEL,
	DET_DNS_FAILURES,
	DET_DNS_LONG_TXT,
	DET_DNS_NONSTD_PORT,	/* DNS on a port other than 53 */
	DET_DNS_NOT_DNS,	/* non-DNS traffic on port 53 */
	DET_ICMP_TUNNEL,
	DET_ICMP_LARGE,
	DET_HTTP_ARCHIVE_POST,
	DET_HTTP_RECON_POST,
	DET_HTTP_LARGE_UPLOAD,
	DET_HTTP_NUMERIC_HOST,
	DET_TLS_SNICAT,
	DET_TLS_HIGH_VOLUME,
	DET_TLS_NO_SNI_UPLOAD,
	DET_CLOUD_UPLOAD,
	DET_PORT_MISMATCH,
	DET_UNKNOWN_UPLOAD,
	DET_DNS_ENCRYPTED,	/* DoH/DoT as a tunnel */
	DET_INTEL,		/* contact with a threat-intelligence listed destination */
	DET_CORRELATION,	/* raised by the alert stage itself */
	DET_MAX
};

#define EVENT_MAX_COMPS	12

struct event_comp {
	const char	*name;		/* static string, e.g. "volume_host" */
	double		 value;
};

struct event {
	enum detector	 detector;
	xtime_t		 ts;		/* packet time of the hit */
	xtime_t		 start;		/* packet time the behaviour began */
	addr_t		 host;		/* the internal host: the risk object */
	addr_t		 dst;		/* remote end; zero when the hit is per domain */
	uint16_t	 dport;
	uint16_t	 sport;
	uint8_t		 proto;		/* IPPROTO_* */
	uint8_t		 has_dst;
	uint8_t		 has_geo;
	struct geo_info	 geo;		/* of dst, when has_geo */
	uint64_t	 bytes;		/* wire bytes sent by host in the window */
	uint64_t	 count;		/* queries, posts, packets... as the detector counts */
	xtime_t		 window;	/* the window the figures cover */
	double		 score;		/* 0..100 */
	const char	*technique;	/* optional override of the rule's technique (static) */
	char		 domain[256];	/* server name / registered domain, raw */
	char		 app[32];	/* application protocol name */
	char		 reason[256];	/* one human sentence: why this is unusual */
	struct event_comp comps[EVENT_MAX_COMPS];
	int		 ncomps;
};

static inline void
event_comp(struct event *ev, const char *name, double value)
{
	if (ev->ncomps < EVENT_MAX_COMPS) {
		ev->comps[ev->ncomps].name = name;
		ev->comps[ev->ncomps].value = value;
		ev->ncomps++;
	}
}

const char	*detector_name(enum detector);
enum detector	 detector_from_name(const char *);

#endif
