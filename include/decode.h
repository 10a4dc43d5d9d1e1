/*
 * decode.h: turn one captured frame into the fields a flow needs.
 *
 * Owns: the decoder state (per-reason counters and a small IP fragment
 * cache that gives non-first fragments the ports of their first fragment).
 * Calls: nothing but libc.  Never allocates, never logs: a frame that
 * cannot be decoded is counted under its reason and skipped.
 *
 * Link types: Ethernet, Linux cooked v1/v2, raw IP, BSD loopback, PPP,
 * PPP-in-HDLC, PPPoE, Cisco HDLC and NFLOG.  Above Ethernet: stacked VLAN
 * tags, MPLS (with Ethernet pseudowires) and PPPoE.
 *
 * Tunnels (GRE with ERSPAN I/II/III and PPTP, VXLAN, Geneve, IP-in-IP in
 * all four combinations) are stripped and the innermost IP packet is what
 * the flow sees; the tunnel id (VNI, GRE key, ERSPAN session) and the
 * outermost VLAN id travel with it so that mirrored sessions from different
 * sources do not merge.
 *
 * Lengths: wire_len and payload_len come from the IP headers, so a short
 * snap length neither hides bytes nor counts link-layer padding; the
 * *_caplen fields say how much of it was captured.
 *
 * API
 *   decode_init:        zero the decoder.
 *   decode_packet:      decode a frame of the given DLT; fills struct pkt.
 *   decode_dlt_supported: whether a DLT is one we decode.
 *   decode_reason_name: dotted counter name of a reason ("decode.ipv4_short").
 */
#ifndef DECODE_H
#define DECODE_H

#include "exfild.h"

/* Reasons a frame is skipped; each is a counter. */
enum decode_reason {
	DEC_OK = 0,
	DEC_NOT_IP,		/* ARP, LLDP, STP...: not an error, not analysed */
	DEC_LINKTYPE,		/* unsupported link type */
	DEC_ETH_SHORT,
	DEC_VLAN_SHORT,
	DEC_VLAN_DEPTH,		/* more tags than we follow */
	DEC_MPLS_SHORT,
	DEC_MPLS_DEPTH,
	DEC_PPPOE_SHORT,
	DEC_PPP_PROTO,		/* PPP carrying something other than IP */
	DEC_SLL_SHORT,
	DEC_NULL_SHORT,
	DEC_IPV4_SHORT,
	DEC_IPV4_HLEN,
	DEC_IPV4_LEN,		/* total length below header length or beyond its tunnel */
	DEC_IPV6_SHORT,
	DEC_IPV6_EXTHDR,	/* truncated or looping extension headers */
	DEC_IP_VERSION,		/* version field does not match the frame */
	DEC_TCP_SHORT,
	DEC_TCP_HLEN,
	DEC_UDP_SHORT,
	DEC_ICMP_SHORT,
	DEC_GRE_SHORT,
	DEC_GRE_VERSION,
	DEC_ERSPAN_SHORT,
	DEC_VXLAN_SHORT,
	DEC_GENEVE_SHORT,
	DEC_TUNNEL_DEPTH,	/* tunnels nested deeper than we follow */
	DEC_FRAG_ORPHAN,	/* non-first fragment without its first: counted, kept portless */
	DEC_PPP_SHORT,		/* PPP, PPP-in-HDLC or PPTP payload too short */
	DEC_HDLC_SHORT,		/* Cisco HDLC header */
	DEC_NFLOG_SHORT,	/* NFLOG header or TLV walk runs off the frame */
	DEC_IPV6_LEN,		/* payload length beyond the tunnel that carries it */
	DEC_REASON_MAX
};

#define PKT_FRAG	0x01	/* an IP fragment */
#define PKT_FRAG_FIRST	0x02	/* the first fragment, which has the L4 header */
#define PKT_TUNNELED	0x04	/* decapsulated from GRE/VXLAN/Geneve/IP-in-IP */
#define PKT_TRUNC	0x08	/* captured bytes end before the IP length */

struct pkt {
	xtime_t		 ts;
	uint32_t	 wire_len;	/* IP total length of the analysed packet */
	addr_t		 src, dst;
	uint16_t	 sport, dport;	/* host order; ICMP: sport=type<<8|code, dport=echo id */
	uint8_t		 proto;		/* IPPROTO_* of the innermost header */
	uint8_t		 ipver;		/* 4 or 6 */
	uint8_t		 tcp_flags;
	uint8_t		 flags;		/* PKT_* */
	uint16_t	 vlan;		/* outermost 802.1Q id, 0 if none */
	uint32_t	 tunnel_id;	/* VNI, GRE key or ERSPAN session; 0 if none */
	uint32_t	 tcp_seq;	/* host order, TCP only */
	const uint8_t	*l3;		/* start of the analysed IP header */
	uint32_t	 l3_caplen;	/* captured bytes from l3 (for DPI) */
	const uint8_t	*payload;	/* L4 payload */
	uint32_t	 payload_caplen; /* captured payload bytes */
	uint32_t	 payload_len;	/* payload bytes on the wire (from IP length) */
};

#define FRAG_CACHE_SIZE	1024

struct frag_ent {
	addr_t		 src, dst;
	uint32_t	 id;
	uint16_t	 sport, dport;
	uint8_t		 proto;		/* key: IPv4 protocol, IPv6 fragment header's next header */
	uint8_t		 used;
	uint8_t		 l4proto;	/* protocol the first fragment resolved to */
	xtime_t		 ts;		/* packet time of the first fragment */
};

/*
 * reasons[] sums to the number of frames decoded: DEC_OK counts frames fully
 * decoded, and an orphan fragment, although returned as DEC_OK, is counted
 * only under DEC_FRAG_ORPHAN.
 */
struct decoder {
	uint64_t	 reasons[DEC_REASON_MAX];
	struct frag_ent	 frags[FRAG_CACHE_SIZE];
};

void		 decode_init(struct decoder *);
/*
 * Returns DEC_OK and fills *p, or the reason the frame was skipped (then *p
 * holds nothing useful).  p->l3 and p->payload point into data.
 */
enum decode_reason decode_packet(struct decoder *, int dlt, xtime_t ts,
		    const uint8_t *data, uint32_t caplen, struct pkt *p);
int		 decode_dlt_supported(int dlt);
const char	*decode_reason_name(enum decode_reason);

#endif
