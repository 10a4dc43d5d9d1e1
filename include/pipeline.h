/*
 * pipeline.h: what travels from the capture thread to the analysis thread,
 * and the enriched flow record the analysis stages read.
 *
 * Owns nothing.  The capture thread (capture.c) decodes packets and tracks
 * flows; it sends the analysis thread (analysis.c) three kinds of message
 * through one SPSC ring, in packet-time order:
 *   MSG_PKT   a packet the analysis side must inspect: the first packets of
 *             each flow (for nDPI) and, for as long as the analysis side
 *             asks, the payload packets of DNS, ICMP and HTTP flows;
 *   MSG_REC   a flow record (interim or final);
 *   MSG_TICK  packet time moved on with nothing else to say (idle capture).
 * The analysis side tells the capture side to stop sending a flow's packets
 * through a per-slot control word (struct pipe_ctl), the only state the two
 * threads share.  Because both message kinds share one ring, a flow's
 * packets always reach nDPI before its final record does.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdatomic.h>

#include "exfild.h"
#include "flow.h"
#include "geo.h"

enum { MSG_PKT = 1, MSG_REC, MSG_TICK };

/*
 * TCP data segments per direction nDPI gets while it works on a TLS flow
 * (one whose client opened with a handshake record): the hello exchange
 * and the server's certificate flight fit; beyond that nDPI only
 * reassembles bulk records hoping for a certificate, the most expensive
 * thing it does.  Both threads apply it: the capture thread stops
 * sending, the analysis thread stops waiting for any named flow.  Other
 * protocols are sent up to the plain packet limit (an HTTP request may
 * span many segments before nDPI can name it).
 */
#define DPI_TCP_DATA	6

/*
 * Largest slice of a packet handed to DPI and the channel detectors: the
 * whole IP packet, because nDPI reads certificates and DNS answers that
 * span large (offloaded or jumbo) segments; live capture is bounded by
 * capture.snaplen long before this.
 */
#define PKT_MSG_MAX	65535

struct pkt_msg {
	uint32_t	 slot, gen;
	xtime_t		 ts;
	addr_t		 src, dst;
	uint32_t	 wire_len;
	uint32_t	 payload_len;	/* L4 payload bytes on the wire */
	uint16_t	 sport, dport;
	uint16_t	 l3_len;	/* bytes of the IP packet copied below */
	uint16_t	 payload_off;	/* L4 payload offset within data[] */
	uint8_t		 c2s;		/* sent by the flow's client */
	uint8_t		 proto;
	uint8_t		 tcp_flags;
	uint8_t		 pflags;	/* PKT_* */
	uint32_t	 tcp_seq;
	uint8_t		 data[];	/* the IP packet from its header on */
};

struct tick_msg {
	xtime_t		 now;
};

/*
 * Per-slot control word written by the analysis thread, read by the
 * capture thread: (gen << 2) | CTL_*.  A word whose generation differs from
 * the flow's current one means "nothing said yet": send the first
 * dpi.packet_limit packets.
 */
enum { CTL_DEFAULT = 0, CTL_STOP = 1, CTL_PAYLOAD = 2 };

struct pipe_ctl {
	_Atomic uint32_t *w;
	uint32_t	 n;
};

static inline uint32_t
pipe_ctl_get(const struct pipe_ctl *c, uint32_t slot, uint32_t gen)
{
	uint32_t v = atomic_load_explicit(&c->w[slot], memory_order_relaxed);

	return (v >> 2) == (gen & 0x3fffffff) ? (v & 3) : CTL_DEFAULT;
}

static inline void
pipe_ctl_set(struct pipe_ctl *c, uint32_t slot, uint32_t gen, uint32_t what)
{
	atomic_store_explicit(&c->w[slot], ((gen & 0x3fffffff) << 2) | what,
	    memory_order_relaxed);
}

enum flow_dir { DIR_OUTBOUND = 0, DIR_INBOUND, DIR_INTERNAL, DIR_TRANSIT };

/* A flow record as the detectors see it: enriched, oriented to the host. */
struct flowinfo {
	const struct flow_rec *rec;
	enum flow_dir	 dir;
	const addr_t	*host;		/* the internal end (client if both) */
	const addr_t	*remote;	/* the other end */
	uint16_t	 rport;		/* remote port */
	uint16_t	 lport;
	int		 host_is_client;
	uint64_t	 sent;		/* bytes host -> remote in this record */
	uint64_t	 recv;
	uint64_t	 tot_sent, tot_recv;
	struct geo_info	 geo;		/* of the remote end */
	uint16_t	 master_proto, app_proto;
	uint16_t	 category;
	uint64_t	 risk;		/* nDPI risk bitmap */
	const char	*app;		/* protocol name */
	const char	*category_name;
	const char	*server_name;	/* SNI / HTTP Host / DNS name, raw; "" if none */
	int		 classified;
};

const char	*flow_dir_name(enum flow_dir);

#endif
