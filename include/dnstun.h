/*
 * dnstun.h: the DNS channel detectors — tunnels and exfiltration through
 * query names, excessive failed lookups, long TXT answers, DNS on a port
 * other than 53 and non-DNS traffic on port 53.
 *
 * Owns: two bounded tables preallocated at init — one entry per (internal
 * client, registered domain) with two half-window buckets of counters and
 * a small HyperLogLog of distinct subdomains, one entry per internal host
 * for the per-host signals — a small set of hosts seen acting as internal
 * resolvers, the libpsl context and the parser's cache.  A full table
 * evicts its least recently updated entry and counts it.  Calls dns.c
 * (libresolv, libpsl), params_default_all (params.c) to read parameter
 * defaults and yd_format_duration for the reasons.  Never logs; never
 * allocates after init.
 *
 * Why per registered domain: a tunnel must put its data left of a domain
 * whose authoritative server it controls, so many distinct, encoded-
 * looking names under one registered domain is the signal (RITA, Splunk).
 * Why the resolver set: a resolver forwards every client's names, so its
 * upstream leg would blame the resolver for each client; the client's own
 * leg is seen and charged.
 *
 * The detector knows no rules: each signal reads its own params struct,
 * filled at init from the exported param_desc table.  The caller may
 * rewrite the params between calls (a rule reload).  Events: host is the
 * internal client, domain the registered domain ("(invalid-tld)" for
 * names with no valid TLD, empty for per-host signals), dst the server,
 * count the messages counted, bytes their DNS bytes, window the window,
 * score 0-100, reason one sentence with the figures, comps the features.
 * A (host, domain, signal) reports at most once per window.
 *
 * API
 *   dnstun_init / dnstun_free:  allocate / release; max_keys bounds each
 *                    table (about 1.4 KB per key).
 *   dnstun_message:  one UDP payload or TCP segment from or to any port
 *                    (DNS off 53 is a signal); returns events written.
 *   dnstun_stats:    copy the counters.
 *   dnstun_tunnel_params, dnstun_failures_params, dnstun_long_txt_params,
 *   dnstun_nonstd_port_params, dnstun_not_dns_params:  the rule
 *                    parameters of each signal, terminated by { NULL }.
 */
#ifndef DNSTUN_H
#define DNSTUN_H

#include <stddef.h>
#include <stdint.h>

#include <libpsl.h>

#include "dns.h"
#include "event.h"
#include "exfild.h"
#include "params.h"

#define DNSTUN_HLL_REGS	256	/* 4-bit registers, 128 bytes, ~6.5% error */
#define DNSTUN_DOMLEN	256
#define DNSTUN_RESOLVERS 64	/* internal resolvers remembered */
#define DNSTUN_TCP_MAXMSG 8	/* messages read from one TCP segment */
#define DNSTUN_NOTLD	"(invalid-tld)"	/* key of names with no valid TLD */
#define DNSTUN_RC_CLASSES 6	/* FORMERR .. REFUSED, other */

/* Rule parameters of each signal; see the param_desc tables for units. */
struct dnstun_tunnel_params {
	xtime_t		 window;
	int64_t		 min_subdomains;	/* distinct, with one sign */
	int64_t		 max_subdomains;	/* distinct, alone */
	double		 min_entropy;		/* sign: mean bits per byte */
	double		 min_hex_share;		/* sign: long hex labels */
	int64_t		 hex_min_label;
	double		 min_rare_share;	/* sign: NULL/TXT/MX/... */
	uint64_t	 min_name_bytes;	/* sign: distinct name bytes */
	int64_t		 single_min_len;	/* one query, long name */
	int64_t		 single_min_label;
	double		 single_min_entropy;
	int64_t		 lex_min_labels;	/* one query, deep random */
	int64_t		 lex_min_consonants;	/* 0 turns it off */
	double		 lex_min_entropy;
};

struct dnstun_failures_params {
	xtime_t		 window;
	int64_t		 max_failures;		/* per rcode; alert above */
};

struct dnstun_long_txt_params {
	xtime_t		 window;
	int64_t		 min_len;		/* a long TXT record */
	int64_t		 min_count;		/* long answers per domain */
	int64_t		 max_len;		/* alerts on its own */
};

struct dnstun_nonstd_port_params {
	xtime_t		 window;
	int64_t		 min_messages;
};

struct dnstun_not_dns_params {
	xtime_t		 window;
	int64_t		 min_packets;
};

extern const struct param_desc dnstun_tunnel_params[];
extern const struct param_desc dnstun_failures_params[];
extern const struct param_desc dnstun_long_txt_params[];
extern const struct param_desc dnstun_nonstd_port_params[];
extern const struct param_desc dnstun_not_dns_params[];

/*
 * The rest is private to dnstun.c; it is here so that the caller can own
 * struct dnstun.  A window is two half-window buckets, the current one
 * and the one before.
 */
struct dnstun_ctr {
	int64_t		 epoch;			/* ts / (window / 2) of cur */
	uint32_t	 cur, prev;
	uint64_t	 bcur, bprev;		/* payload bytes */
};

struct dnstun_bucket {
	int64_t		 epoch;
	uint32_t	 names;			/* added to hll */
	uint32_t	 queries;
	uint32_t	 subq;			/* with a subdomain */
	uint32_t	 rare;			/* rare query types */
	uint32_t	 hex;			/* with a long hex label */
	uint32_t	 nxdomain;
	uint32_t	 null_answers;
	uint32_t	 maxlabel;
	uint32_t	 new_names;		/* names not yet in seen[] */
	uint64_t	 new_bytes;		/* and their subdomain bytes */
	uint64_t	 sub_bytes;		/* subdomain bytes queried */
	uint64_t	 label_bytes, labels;
	uint64_t	 query_bytes;		/* DNS bytes the client sent */
	uint64_t	 answer_bytes;		/* answer RDATA it received */
	double		 entropy_sum;
	uint8_t		 seen[64];		/* 512-bit filter of names */
	uint8_t		 hll[DNSTUN_HLL_REGS / 2];
};

struct dnstun_dom {
	uint64_t	 hash;
	uint32_t	 prev, next;		/* LRU, index + 1, 0 = none */
	addr_t		 host;			/* internal client */
	addr_t		 server;		/* last server asked */
	uint8_t		 saw_query;		/* not only answers */
	xtime_t		 first;
	struct dnstun_bucket b[2];		/* by epoch & 1 */
	struct dnstun_ctr long_txt;
	uint32_t	 txt_max;		/* longest in long_txt window */
	xtime_t		 alerted[4];		/* last event, per signal */
	char		 domain[DNSTUN_DOMLEN];
};

struct dnstun_host {
	uint64_t	 hash;
	uint32_t	 prev, next;
	addr_t		 host;
	struct dnstun_ctr fail[DNSTUN_RC_CLASSES];
	xtime_t		 fail_alerted[DNSTUN_RC_CLASSES];
	struct dnstun_ctr notdns;
	xtime_t		 notdns_alerted;
	struct dnstun_ctr nonstd;
	xtime_t		 nonstd_alerted;
};

/* Open addressing, linear probing, over an LRU-ordered entry pool. */
struct dnstun_table {
	uint32_t	*slots;			/* entry index + 1, 0 = empty */
	uint32_t	 mask;
	void		*ents;
	size_t		 entsize;
	uint32_t	 max, used;
	uint32_t	 head, tail;		/* most, least recent; + 1 */
};

struct dnstun_stats {
	uint64_t	 messages;		/* payloads given */
	uint64_t	 parsed;		/* DNS messages parsed */
	uint64_t	 parse_fail;		/* port 53, not DNS */
	uint64_t	 parse_broken;		/* port 53, cut or broken DNS */
	uint64_t	 parse_fail_other;	/* other ports, not DNS */
	uint64_t	 tcp_partial;		/* no complete message */
	uint64_t	 skipped_resolver;	/* a resolver's upstream leg */
	uint64_t	 skipped_reverse;	/* PTR and *.arpa */
	uint64_t	 skipped_external;	/* client outside home_net */
	uint64_t	 dom_evicted;
	uint64_t	 host_evicted;
	uint64_t	 resolver_evicted;
	uint64_t	 events;
	uint64_t	 events_dropped;	/* beyond maxout */
	uint64_t	 memory;		/* bytes allocated at init */
	uint64_t	 psl_cache_hits;
	uint64_t	 psl_cache_misses;
};

struct dnstun {
	struct dnstun_tunnel_params	 tunnel;
	struct dnstun_failures_params	 failures;
	struct dnstun_long_txt_params	 long_txt;
	struct dnstun_nonstd_port_params nonstd_port;
	struct dnstun_not_dns_params	 not_dns;

	psl_ctx_t			*psl;	/* owned */
	struct dns_ctx			 dns;	/* parser, its cache */
	struct dnstun_table		 doms;
	struct dnstun_table		 hosts;
	struct {
		addr_t	 addr;
		xtime_t	 last;
	}				 resolvers[DNSTUN_RESOLVERS];
	int				 nresolvers;
	struct dnstun_stats		 st;
};

int		 dnstun_init(struct dnstun *, size_t max_keys, char *err,
		    size_t errlen);
void		 dnstun_free(struct dnstun *);
int		 dnstun_message(struct dnstun *, xtime_t ts, const addr_t *src,
		    const addr_t *dst, uint16_t sport, uint16_t dport, int tcp,
		    int home_src, int home_dst, const uint8_t *payload,
		    size_t len, struct event *out, int maxout);
void		 dnstun_stats(const struct dnstun *, struct dnstun_stats *);

#endif
