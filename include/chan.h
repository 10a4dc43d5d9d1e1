/*
 * chan.h: the non-DNS channel detectors — ICMP tunnels and large pings,
 * archive, reconnaissance and bulk HTTP uploads, SNIcat and TLS volume,
 * uploads to cloud storage, protocols on unexpected ports and unknown
 * protocols carrying bulk data, and encrypted DNS (DoH, DoT) used as a
 * tunnel.  (Plaintext DNS is dnstun.h.)
 *
 * Owns: one preallocated table of keyed window counters and per-flow HTTP
 * parser states (max_keys entries of 368 bytes), CHAN_HELLOS buffers for
 * ClientHellos that arrive in pieces (256 KB), a "seen" table of 64-bit
 * key hashes with first-use times (max_keys entries of 40 bytes: first use
 * of a cloud service per host and per network, first TLS-without-SNI
 * contact), the list of cloud-storage server-name suffixes and the set of
 * public DNS resolver addresses.  Calls: libc, the nDPI id/risk constants,
 * params_default_all, yd_parse_ports and netset (lookups; freeing the set
 * it was given).  Never logs and
 * never allocates after chan_init (chan_set_cloud_suffixes and
 * chan_set_resolvers take what the caller built); a full table reuses its
 * least recently used entry and
 * counts it, because refusing a new key would hide exactly the newest
 * channel.  Transit traffic (neither end in home_net) is ignored: there is
 * no internal host to blame.
 *
 * Two entry points, because two kinds of evidence exist: chan_packet sees
 * packets (ICMP echo payloads, HTTP requests, TLS ClientHellos) for the few
 * flows the capture thread still forwards; chan_record sees enriched flow
 * records (interim every few seconds, then final) and sums their bytes.
 *
 * Windows: each key keeps two half-window buckets; the window is the
 * current bucket plus the previous one, so it covers between half a window
 * and a whole one with no per-event history (the same scheme as dnstun).
 * A (detector, key) emits at most once per window.  Packet time drives
 * everything: a replay gives the same events.
 *
 * Each detector reads its own parameter struct, a plain public member of
 * struct chan (c->icmp_tunnel, c->http_archive, ...).  chan_init fills them
 * from the defaults of the exported param_desc tables; the caller may copy
 * a rule's parameters over them at any time between calls.
 *
 * API
 *   chan_init / chan_free:   allocate / release the tables.
 *   chan_packet:             one forwarded packet; events into out[].
 *   chan_record:             one flow record; events into out[].
 *   chan_tick:               packet time moved on: expire a bounded number
 *                            of entries.
 *   chan_stats:              counters and memory.
 *   chan_params_for:         desc table and struct size of a detector
 *                            (for the rule loader's lookup).
 *   chan_suffixes_add / chan_load_suffixes / chan_suffixes_free:  build a
 *                            cloud-storage suffix list
 *                            (rules/cloud-storage.txt).
 *   chan_set_cloud_suffixes: install a list (takes ownership).
 *   chan_set_resolvers:      install the public resolver set (takes
 *                            ownership; rules/dns-resolvers.txt).
 *   chan_suffix_match:       the listed suffix a server name falls under.
 *   chan_tls_sni:            the SNI of a ClientHello, bounded parse.
 *   chan_snicat_match:       the SNIcat pattern, matched by hand.
 *   chan_host_is_numeric:    an HTTP Host that is an IP literal.
 *   chan_*_params[]:         each detector's rule parameters, { NULL }-ended.
 */
#ifndef CHAN_H
#define CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "exfild.h"
#include "netset.h"
#include "params.h"
#include "pipeline.h"
#include "pktinfo.h"

#define CHAN_NAME_MAX		64	/* key names: cut to 63 bytes */
#define CHAN_SUFFIX_MAX		CHAN_NAME_MAX
#define CHAN_TICK_BUDGET	1024	/* table slots visited per chan_tick */
#define CHAN_HTTP_IDLE		(5 * XT_MIN)	/* HTTP parser state lifetime */
#define CHAN_HTTP_MAXHDR	16384	/* header bytes before giving up */
#define CHAN_RECON_CARRY	15	/* longest recon string - 1 */
#define CHAN_HTTP_LINE		80	/* cut header line kept */
#define CHAN_HELLO_MAX		8192	/* bytes of a ClientHello in pieces */
#define CHAN_HELLOS		32	/* ClientHellos in pieces at once */
#define CHAN_HELLO_IDLE		(10 * XT_SEC)	/* a piece overdue: reuse */

/* ---- parameters ------------------------------------------------------ */

struct chan_icmp_tunnel_params {
	xtime_t		 window;
	uint64_t	 min_bytes;	/* echo payload bytes, both ways */
	int64_t		 min_packets;
	double		 min_vary;	/* share of echoes that changed */
	int		 internal;	/* also judge remotes inside home_net */
};

struct chan_icmp_large_params {
	xtime_t		 window;
	int64_t		 min_size;	/* echo payload above: large */
	int64_t		 min_count;	/* large echoes in the window to fire */
};

struct chan_http_archive_params {
	xtime_t		 window;
	int64_t		 max_posts;	/* fire above this many bodies */
};

struct chan_http_recon_params {
	xtime_t		 window;
	uint64_t	 scan_bytes;	/* body bytes searched per request */
};

struct chan_http_upload_params {
	xtime_t		 window;
	uint64_t	 max_bytes;	/* body bytes per (host, Host) */
	int		 internal;
};

struct chan_http_numeric_params {
	xtime_t		 window;
	uint64_t	 min_body;	/* one request body above this */
	int		 internal;
};

struct chan_tls_snicat_params {
	xtime_t		 window;
	int64_t		 min_count;	/* matching ClientHellos to fire */
};

struct chan_tls_volume_params {
	xtime_t		 window;
	uint64_t	 max_bytes;	/* bytes sent per (host, server name) */
	int		 internal;
};

struct chan_tls_nosni_params {
	xtime_t		 window;
	uint64_t	 max_bytes;	/* bytes sent per (host, remote) */
	int		 internal;
};

struct chan_dns_encrypted_params {
	xtime_t		 window;
	uint64_t	 max_bytes;	/* sent per (host, resolver), named or not */
	char		 nosni_ports[PARAM_STRLEN]; /* no SNI here: a tunnel */
	int		 internal;
};

struct chan_cloud_params {
	xtime_t		 window;
	uint64_t	 max_bytes;	/* bytes sent per (host, service) */
	xtime_t		 learn;		/* no novelty bonus before */
	char		 categories[PARAM_STRLEN]; /* nDPI names */
	int		 internal;
};

struct chan_port_mismatch_params {
	xtime_t		 window;
	int		 ndpi_risk;	/* also nDPI's non-standard-port risk */
	int		 dns;		/* check DNS too */
	char		 dns_ports[PARAM_STRLEN];
	char		 http_ports[PARAM_STRLEN];
	char		 tls_ports[PARAM_STRLEN];
	char		 smtp_ports[PARAM_STRLEN];
};

struct chan_unknown_upload_params {
	xtime_t		 window;
	uint64_t	 max_bytes;	/* per (host, remote, port) */
	int		 internal;
};

extern const struct param_desc chan_icmp_tunnel_params[];
extern const struct param_desc chan_icmp_large_params[];
extern const struct param_desc chan_http_archive_params[];
extern const struct param_desc chan_http_recon_params[];
extern const struct param_desc chan_http_upload_params[];
extern const struct param_desc chan_http_numeric_params[];
extern const struct param_desc chan_tls_snicat_params[];
extern const struct param_desc chan_tls_volume_params[];
extern const struct param_desc chan_tls_nosni_params[];
extern const struct param_desc chan_dns_encrypted_params[];
extern const struct param_desc chan_cloud_params[];
extern const struct param_desc chan_port_mismatch_params[];
extern const struct param_desc chan_unknown_upload_params[];

/* ---- tables ------------------------------------------------------------ */

/* Index of a preallocated pool: chained hash + LRU list, indices + 1. */
struct chan_link {
	uint64_t	 hash;
	uint32_t	 hnext;		/* hash chain */
	uint32_t	 prev, next;	/* LRU: head = most recently used */
	uint32_t	 used;
};

struct chan_lru {
	struct chan_link *l;
	uint32_t	*bucket;
	uint32_t	 mask;
	uint32_t	 cap, used;
	uint32_t	 head, tail, freelist;
};

enum chan_kind {
	CK_NONE = 0,
	CK_ICMP_TUNNEL,		/* (host, remote) */
	CK_ICMP_LARGE,		/* (host, remote) */
	CK_HTTP_FLOW,		/* (host, remote, hport, rport): parser state */
	CK_HTTP_ARCHIVE,	/* (host, remote) */
	CK_HTTP_RECON,		/* (host, remote) */
	CK_HTTP_UPLOAD,		/* (host, Host header) */
	CK_HTTP_NUMERIC,	/* (host, Host header) */
	CK_TLS_SNICAT,		/* (host, domain after the SNIcat label) */
	CK_TLS_VOLUME,		/* (host, server name) */
	CK_TLS_NOSNI,		/* (host, remote) */
	CK_DNS_ENCRYPTED,	/* (host, resolver) */
	CK_CLOUD,		/* (host, service) */
	CK_PORT_MISMATCH,	/* (host, remote, rport) */
	CK_UNKNOWN_UPLOAD,	/* (host, remote, rport) */
	CK_SEEN_CLOUD_HOST,	/* seen table: (host, service) */
	CK_SEEN_CLOUD_NET,	/* seen table: (service) */
	CK_SEEN_TLS_REMOTE,	/* seen table: (host, remote) */
	CK_MAX
};

struct chan_key {
	addr_t		 host, remote;
	uint16_t	 port, port2;
	uint8_t		 kind;		/* CK_* */
	uint8_t		 namelen;
	char		 name[CHAN_NAME_MAX];	/* raw, NUL-terminated */
};

/* Half a window of counters; figures are whatever the detector counts. */
struct chan_bkt {
	int64_t		 epoch;		/* ts / (window / 2) */
	xtime_t		 first;		/* first update in this bucket */
	uint64_t	 bytes, count, aux, aux2;
};

struct chan_icmp_state {
	uint32_t	 fp[2];		/* [0] host->remote, [1] back */
	uint16_t	 len[2];
	uint8_t		 have[2];
};

enum { HP_IDLE = 0, HP_HDR, HP_BODY };
enum { HB_NONE = 0, HB_LENGTH, HB_CHUNKED };
enum { HM_OTHER = 0, HM_POST, HM_PUT };
enum { MP_NONE = 0, MP_PARTHDR, MP_MAGIC, MP_DONE };

/* One client's HTTP connection as far as the body checks need it. */
struct chan_http_state {
	uint32_t	 next_seq;	/* TCP sequence expected next */
	uint8_t		 seq_ok;
	uint8_t		 remote_home;	/* the server is inside home_net */
	uint8_t		 phase;		/* HP_* */
	uint8_t		 method;	/* HM_* */
	uint8_t		 body_mode;	/* HB_* */
	uint8_t		 chunked;	/* Transfer-Encoding: chunked seen */
	uint8_t		 have_length;	/* Content-Length seen */
	uint8_t		 multipart;	/* MP_*: first part's content wanted */
	uint8_t		 crlf;		/* part headers: CRLFCRLF so far */
	uint8_t		 reqline;	/* still on the request line */
	uint8_t		 line_start;	/* at the start of a line */
	uint8_t		 cr_only;	/* header parse: line so far is "\r" */
	uint8_t		 line_n;	/* bytes in line[]; 0xff: lost */
	char		 line[CHAN_HTTP_LINE];	/* a cut line's start */
	uint8_t		 magic_n;
	uint8_t		 magic[8];	/* first bytes of the (part) content */
	uint8_t		 magic_done;	/* archive magic decided */
	uint8_t		 carry_n;
	uint8_t		 recon_done;	/* a recon string already matched */
	uint8_t		 numeric_done;
	uint8_t		 hostlen;
	char		 carry[CHAN_RECON_CARRY];
	char		 hosthdr[CHAN_NAME_MAX]; /* Host, no port */
	uint16_t	 mp_scanned;	/* bytes searched for part headers */
	uint32_t	 hdr_bytes;
	uint64_t	 remaining;	/* HB_LENGTH: body still to come */
	uint64_t	 clen;		/* declared Content-Length */
	uint64_t	 body;		/* body bytes of this request so far */
	uint64_t	 scanned;	/* searched for recon strings */
	uint64_t	 pending;	/* not yet in the upload window */
};

struct chan_ent {
	struct chan_key	 k;
	xtime_t		 last;		/* last update */
	xtime_t		 expire;	/* chan_tick may drop it from then on */
	xtime_t		 alerted;	/* last event, 0 never */
	union {
		struct {
			struct chan_bkt	 b[2];
			struct chan_icmp_state icmp;
		}		 w;
		struct chan_http_state http;
	} u;
};

struct chan_seen {
	xtime_t		 first, last;
};

/*
 * A ClientHello longer than a segment (post-quantum key shares, padding,
 * shuffled extensions) may carry its SNI in a later piece: its bytes are
 * kept here, per connection, until it can be parsed.
 */
struct chan_hello {
	addr_t		 host, remote;
	uint16_t	 hport, rport;
	uint32_t	 slot, gen;	/* the flow, as the capture names it */
	uint32_t	 next_seq;
	uint32_t	 len;
	uint32_t	 need;		/* bytes to the end of its record */
	xtime_t		 ts;		/* last piece; 0: free */
	uint8_t		 buf[CHAN_HELLO_MAX];
};

/* A port-list parameter, parsed once and re-parsed when its text changes. */
enum { PL_DNS = 0, PL_HTTP, PL_TLS, PL_SMTP, PL_DOH_NOSNI, PL_MAX };

struct chan_ports {
	char		 src[PARAM_STRLEN];
	uint16_t	 v[PARAM_PORTS_MAX];
	int		 n;
	int		 parsed;
};

struct chan_suffixes {
	char		(*v)[CHAN_SUFFIX_MAX];	/* lower case, sorted, unique */
	size_t		 n, cap;
};

struct chan_stats {
	uint64_t	 packets;	/* chan_packet calls */
	uint64_t	 records;	/* chan_record calls */
	uint64_t	 icmp_echoes;
	uint64_t	 http_requests;	/* request lines parsed */
	uint64_t	 http_bodies;	/* POST/PUT bodies seen start */
	uint64_t	 http_unsynced;	/* segments after losing place */
	uint64_t	 http_hdr_too_long;
	uint64_t	 http_retrans;	/* segments (partly) seen before */
	uint64_t	 tls_hellos;	/* ClientHellos parsed */
	uint64_t	 tls_truncated;	/* ClientHellos cut before the SNI */
	uint64_t	 tls_reassembled; /* ... whose later pieces completed it */
	uint64_t	 tls_lost;	/* ... given up: gap, too long, reused */
	uint64_t	 evicted;	/* table full: oldest entry reused */
	uint64_t	 seen_evicted;	/* seen table full */
	uint64_t	 expired;	/* dropped by chan_tick */
	uint64_t	 events;
	uint64_t	 events_dropped; /* more than maxout at once */
	uint64_t	 bad_params;	/* port lists that do not parse */
	uint64_t	 memory;	/* bytes allocated at init */
	uint64_t	 entries;	/* window/flow entries in use */
	uint64_t	 seen_entries;
};

struct chan {
	/* Detector parameters: plain members the caller may overwrite. */
	struct chan_icmp_tunnel_params	 icmp_tunnel;
	struct chan_icmp_large_params	 icmp_large;
	struct chan_http_archive_params	 http_archive;
	struct chan_http_recon_params	 http_recon;
	struct chan_http_upload_params	 http_upload;
	struct chan_http_numeric_params	 http_numeric;
	struct chan_tls_snicat_params	 tls_snicat;
	struct chan_tls_volume_params	 tls_volume;
	struct chan_tls_nosni_params	 tls_nosni;
	struct chan_dns_encrypted_params dns_encrypted;
	struct chan_cloud_params	 cloud;
	struct chan_port_mismatch_params port_mismatch;
	struct chan_unknown_upload_params unknown_upload;

	struct chan_lru			 tab;	/* windows, HTTP flows */
	struct chan_ent			*ents;
	struct chan_lru			 seen_tab;
	struct chan_seen		*seen;
	struct chan_hello		*hellos;	/* CHAN_HELLOS */
	int				 nhellos;	/* in use */
	struct chan_suffixes		 suffixes;
	struct netset			 resolvers; /* public DoH/DoT servers */
	struct chan_ports		 ports[PL_MAX];
	uint64_t			 seed[2];
	uint32_t			 cursor;	/* chan_tick's next */
	xtime_t				 now;		/* latest packet time */
	xtime_t				 first;		/* first packet time */
	struct chan_stats		 st;
};

int		 chan_init(struct chan *, size_t max_keys, char *err,
		    size_t errlen);
void		 chan_free(struct chan *);
int		 chan_packet(struct chan *, const struct pktinfo *,
		    struct event *out, int maxout);
int		 chan_record(struct chan *, const struct flowinfo *,
		    struct event *out, int maxout);
void		 chan_tick(struct chan *, xtime_t now);
void		 chan_stats(const struct chan *, struct chan_stats *);

const struct param_desc *chan_params_for(enum detector, size_t *size);

/* 0, or -1 with the reason in err; the list is sorted on each add. */
int		 chan_suffixes_add(struct chan_suffixes *, const char *,
		    char *err, size_t errlen);
/*
 * Reads PATH: one suffix per line ("dropbox.com", ".dropbox.com" and
 * "*.dropbox.com" are the same), '#' starts a comment.  Returns -1 if the
 * file cannot be read, else the number of bad lines, with
 * "path:line: reason" lines in err.
 */
int		 chan_load_suffixes(struct chan_suffixes *, const char *path,
		    char *err, size_t errlen);
void		 chan_suffixes_free(struct chan_suffixes *);
/* Takes the list over (it is left empty) and frees the one installed. */
void		 chan_set_cloud_suffixes(struct chan *, struct chan_suffixes *);
/* The same for the resolver set; it must be prepared. */
void		 chan_set_resolvers(struct chan *, struct netset *);
/* The longest listed suffix NAME ends with on a label boundary, or NULL. */
const char	*chan_suffix_match(const struct chan_suffixes *,
		    const char *name, size_t len);

/*
 * A TLS record starting at p: 1 and *sni, *snilen for a ClientHello naming
 * a server, 0 for a complete ClientHello without one, -1 when p is not a
 * ClientHello, -2 when it is cut before its extensions end.
 */
int		 chan_tls_sni(const uint8_t *p, size_t len, const uint8_t **sni,
		    size_t *snilen);
/* 1 if NAME holds an SNIcat label; *rest = offset of the name after it. */
int		 chan_snicat_match(const char *name, size_t len, size_t *rest);
int		 chan_host_is_numeric(const char *, size_t);

/* ---- internal: shared by chan.c, chan_icmp.c, chan_http.c, chan_tls.c ---- */

/* Find, or create (evicting the oldest when full), the entry of a key. */
struct chan_ent	*chan_ent_get(struct chan *, const struct chan_key *,
		    xtime_t ts, int create);
void		 chan_ent_drop(struct chan *, struct chan_ent *);
void		 chan_key_set(struct chan_key *, enum chan_kind,
		    const addr_t *host, const addr_t *remote, uint16_t port,
		    uint16_t port2, const char *name, size_t namelen);
/* Add to the current bucket; returns the window's sum in *sum. */
void		 chan_win_add(struct chan_ent *, xtime_t ts, xtime_t window,
		    uint64_t bytes, uint64_t count, uint64_t aux, uint64_t aux2,
		    struct chan_bkt *sum);
int		 chan_win_may_alert(const struct chan_ent *, xtime_t ts,
		    xtime_t window);
/* First time (host, name) or (name) is seen; creates, touches. */
xtime_t		 chan_seen_first(struct chan *, enum chan_kind,
		    const addr_t *host, const char *name, size_t len,
		    xtime_t ts);
/* A zeroed event in out[*n], or NULL (counted) when out is full. */
struct event	*chan_event(struct chan *, struct event *out, int *n,
		    int maxout, enum detector, xtime_t ts,
		    const struct chan_ent *);
void		 chan_event_done(struct chan_ent *, xtime_t ts, xtime_t window);
/* chan_event + chan_event_done, filled from a record and a window sum. */
struct event	*chan_rec_event(struct chan *, struct event *out, int *n,
		    int maxout, enum detector, xtime_t ts, struct chan_ent *,
		    const struct flowinfo *, const struct chan_bkt *sum,
		    xtime_t window);
double		 chan_score(double value, double threshold);
/* The parsed form of a port-list parameter (PL_*), cached by its text. */
const struct chan_ports *chan_ports_get(struct chan *, int which,
		    const char *src);
int		 chan_port_in(const struct chan_ports *, uint16_t);
/* The host opened the flow towards a remote these detectors judge. */
int		 chan_rec_outbound(const struct flowinfo *, int internal);
const char	*chan_fmt_bytes(uint64_t, char *, size_t);
const char	*chan_fmt_dur(xtime_t, char *, size_t);
uint64_t	 chan_hash(const struct chan *, const void *, size_t, uint64_t);

int		 chan_icmp_packet(struct chan *, const struct pktinfo *,
		    struct event *, int *n, int maxout);
int		 chan_http_packet(struct chan *, const struct pktinfo *,
		    struct event *, int *n, int maxout);
void		 chan_http_flow_end(struct chan *, const struct flowinfo *,
		    xtime_t ts, struct event *, int *n, int maxout);
int		 chan_tls_packet(struct chan *, const struct pktinfo *,
		    struct event *, int *n, int maxout);
void		 chan_tls_record(struct chan *, const struct flowinfo *,
		    xtime_t ts, struct event *, int *n, int maxout);

#endif
