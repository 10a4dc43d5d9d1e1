/*
 * decode.c: from a captured frame to the innermost IP packet and its ports.
 *
 * One function per header, each with the same shape: check the captured
 * length, read, hand the rest on.  Two lengths travel together: `cap`, the
 * bytes captured from the current header on (never read past it), and
 * `wire`, the bytes the enclosing IP header says are there (WIRE_UNKNOWN
 * until the first IP header).  Byte counts are taken from IP headers, never
 * from the capture, so that a snap length does not shrink the volume an
 * exfiltration detector sees; Ethernet padding is dropped for the same
 * reason.
 *
 * Tunnels are stripped down to the innermost IP packet because the inner
 * hosts are the ones exfiltrating; the outer packet is not reported.  The
 * only memory is the fragment cache in struct decoder: the first fragment
 * leaves its ports there so that the later ones join the same flow instead
 * of a portless one nobody would associate with it.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"

/* Link types as pcap_datalink() reports them (values of libpcap's dlt.h). */
#define LT_NULL		0
#define LT_EN10MB	1
#define LT_PPP		9
#define LT_RAW		12
#define LT_RAW_OPENBSD	14
#define LT_PPP_SERIAL	50
#define LT_PPP_ETHER	51
#define LT_RAW_LINKTYPE	101	/* LINKTYPE_RAW, should libpcap pass it on */
#define LT_C_HDLC	104
#define LT_LOOP		108
#define LT_LINUX_SLL	113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_NFLOG	239
#define LT_LINUX_SLL2	276

#define ET_IPV4		0x0800
#define ET_TEB		0x6558	/* transparent Ethernet bridging */
#define ET_VLAN		0x8100
#define ET_IPV6		0x86dd
#define ET_PPP		0x880b
#define ET_MPLS		0x8847
#define ET_MPLS_MC	0x8848
#define ET_PPPOE	0x8864
#define ET_QINQ		0x88a8
#define ET_ERSPAN	0x88be
#define ET_CMD		0x8909	/* Cisco MetaData (security group tag) */
#define ET_VNTAG	0x8926
#define ET_QINQ_OLD	0x9100
#define ET_ERSPAN3	0x22eb

#define PPP_IPV4	0x0021
#define PPP_IPV6	0x0057
#define PPP_MPLS	0x0281
#define PPP_MPLS_MC	0x0283

#define P_HOPOPTS	0
#define P_ICMP		1
#define P_IPIP		4
#define P_TCP		6
#define P_UDP		17
#define P_IPV6		41
#define P_ROUTING	43
#define P_FRAGMENT	44
#define P_GRE		47
#define P_AH		51
#define P_ICMPV6	58
#define P_DSTOPTS	60
#define P_MOBILITY	135

#define GRE_C		0x8000
#define GRE_R		0x4000
#define GRE_K		0x2000
#define GRE_S		0x1000
#define GRE_A		0x0080	/* PPTP acknowledgement present */

#define VXLAN_PORT	4789
#define GENEVE_PORT	6081

#define VLAN_MAX	8
#define MPLS_MAX	16
#define TUNNEL_MAX	4
#define EXTHDR_MAX	10
#define SRE_MAX		16
#define FRAG_TTL	(30 * XT_SEC)

#define WIRE_UNKNOWN	UINT32_MAX

_Static_assert((FRAG_CACHE_SIZE & (FRAG_CACHE_SIZE - 1)) == 0,
    "FRAG_CACHE_SIZE must be a power of two");

enum frag_kind {
	FRAG_NONE,
	FRAG_FIRST,
	FRAG_LATER
};

struct frag_info {
	enum frag_kind	 kind;
	uint32_t	 id;
	uint8_t		 keyproto;
};

/* State of one decode_packet() call. */
struct dec {
	struct decoder	*d;
	struct pkt	*p;
	int		 tunnels;	/* decapsulations so far */
	int		 vlan_seen;	/* p->vlan holds the outermost tag */
};

static enum decode_reason decode_eth(struct dec *, const uint8_t *, uint32_t,
		    uint32_t);
static enum decode_reason decode_ethertype(struct dec *, uint16_t,
		    const uint8_t *, uint32_t, uint32_t);
static enum decode_reason decode_ip(struct dec *, const uint8_t *, uint32_t,
		    uint32_t);
static enum decode_reason decode_ipv4(struct dec *, const uint8_t *, uint32_t,
		    uint32_t);
static enum decode_reason decode_ipv6(struct dec *, const uint8_t *, uint32_t,
		    uint32_t);
static enum decode_reason decode_ppp(struct dec *, const uint8_t *, uint32_t,
		    uint32_t);
static enum decode_reason decode_mpls(struct dec *, const uint8_t *, uint32_t,
		    uint32_t);

static const char *const decode_names[DEC_REASON_MAX] = {
	[DEC_OK] = "decode.ok",
	[DEC_NOT_IP] = "decode.not_ip",
	[DEC_LINKTYPE] = "decode.linktype",
	[DEC_ETH_SHORT] = "decode.eth_short",
	[DEC_VLAN_SHORT] = "decode.vlan_short",
	[DEC_VLAN_DEPTH] = "decode.vlan_depth",
	[DEC_MPLS_SHORT] = "decode.mpls_short",
	[DEC_MPLS_DEPTH] = "decode.mpls_depth",
	[DEC_PPPOE_SHORT] = "decode.pppoe_short",
	[DEC_PPP_PROTO] = "decode.ppp_proto",
	[DEC_SLL_SHORT] = "decode.sll_short",
	[DEC_NULL_SHORT] = "decode.null_short",
	[DEC_IPV4_SHORT] = "decode.ipv4_short",
	[DEC_IPV4_HLEN] = "decode.ipv4_hlen",
	[DEC_IPV4_LEN] = "decode.ipv4_len",
	[DEC_IPV6_SHORT] = "decode.ipv6_short",
	[DEC_IPV6_EXTHDR] = "decode.ipv6_exthdr",
	[DEC_IP_VERSION] = "decode.ip_version",
	[DEC_TCP_SHORT] = "decode.tcp_short",
	[DEC_TCP_HLEN] = "decode.tcp_hlen",
	[DEC_UDP_SHORT] = "decode.udp_short",
	[DEC_ICMP_SHORT] = "decode.icmp_short",
	[DEC_GRE_SHORT] = "decode.gre_short",
	[DEC_GRE_VERSION] = "decode.gre_version",
	[DEC_ERSPAN_SHORT] = "decode.erspan_short",
	[DEC_VXLAN_SHORT] = "decode.vxlan_short",
	[DEC_GENEVE_SHORT] = "decode.geneve_short",
	[DEC_TUNNEL_DEPTH] = "decode.tunnel_depth",
	[DEC_FRAG_ORPHAN] = "decode.frag_orphan",
	[DEC_PPP_SHORT] = "decode.ppp_short",
	[DEC_HDLC_SHORT] = "decode.hdlc_short",
	[DEC_NFLOG_SHORT] = "decode.nflog_short",
	[DEC_IPV6_LEN] = "decode.ipv6_len",
};

static inline uint16_t
rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* Callers have checked n <= cap <= wire, so only "unknown" needs care. */
static inline uint32_t
wire_sub(uint32_t wire, uint32_t n)
{
	return wire == WIRE_UNKNOWN ? wire : wire - n;
}

/*
 * Every decapsulation passes here, MPLS pseudowires included, so that no
 * chain of headers can recurse without bound.
 */
static inline int
decode_tunnel_enter(struct dec *c)
{
	if (c->tunnels >= TUNNEL_MAX)
		return -1;
	c->tunnels++;
	c->p->flags |= PKT_TUNNELED;
	return 0;
}

/* ---- fragment cache ---- */

static uint32_t
decode_frag_hash(const addr_t *src, const addr_t *dst, uint32_t id,
    uint8_t proto)
{
	uint32_t h = id * 0x9e3779b1u ^ proto, w;
	int i;

	for (i = 12; i >= 0; i -= 4) {
		memcpy(&w, src->a + i, 4);
		h = (h ^ w) * 0x85ebca6bu;
		h ^= h >> 15;
		memcpy(&w, dst->a + i, 4);
		h = (h ^ w) * 0xc2b2ae35u;
		h ^= h >> 13;
	}
	return h & (FRAG_CACHE_SIZE - 1);
}

static void
decode_frag_store(struct dec *c, const struct frag_info *fi)
{
	struct pkt *p = c->p;
	struct frag_ent *e;

	e = &c->d->frags[decode_frag_hash(&p->src, &p->dst, fi->id,
	    fi->keyproto)];
	e->src = p->src;
	e->dst = p->dst;
	e->id = fi->id;
	e->proto = fi->keyproto;
	e->l4proto = p->proto;
	e->sport = p->sport;
	e->dport = p->dport;
	e->ts = p->ts;
	e->used = 1;
}

/* Protocols whose first fragment may have left ports in the cache. */
static int
decode_frag_has_ports(uint8_t proto)
{
	switch (proto) {
	case P_TCP:
	case P_UDP:
	case P_ICMP:
	case P_ICMPV6:
	case P_HOPOPTS:		/* IPv6: headers behind the fragment header */
	case P_ROUTING:
	case P_DSTOPTS:
	case P_AH:
	case P_MOBILITY:
		return 1;
	default:
		return 0;
	}
}

static enum decode_reason
decode_frag_later(struct dec *c, const struct frag_info *fi)
{
	struct pkt *p = c->p;
	struct frag_ent *e;
	xtime_t age;

	e = &c->d->frags[decode_frag_hash(&p->src, &p->dst, fi->id,
	    fi->keyproto)];
	age = p->ts - e->ts;
	/* Either sign: frames merged from several interfaces step back. */
	if (e->used && e->id == fi->id && e->proto == fi->keyproto &&
	    age <= FRAG_TTL && age >= -FRAG_TTL &&
	    addr_eq(&e->src, &p->src) && addr_eq(&e->dst, &p->dst)) {
		p->proto = e->l4proto;
		p->sport = e->sport;
		p->dport = e->dport;
		return DEC_OK;
	}
	return decode_frag_has_ports(fi->keyproto) ? DEC_FRAG_ORPHAN : DEC_OK;
}

/* ---- transport ---- */

static void
decode_payload(struct pkt *p, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	p->payload = b;
	p->payload_caplen = cap;
	p->payload_len = wire;
}

/*
 * Header fields are needed only as far as the flow uses them: a snap
 * length that cuts TCP options or an ICMP body still leaves a packet whose
 * bytes count.
 */
static enum decode_reason
decode_tcp(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire,
    enum frag_kind frag)
{
	struct pkt *p = c->p;
	uint32_t hl;

	if (wire < 20) {
		/*
		 * A first fragment may split the header (RFC 1858); its
		 * ports still name the flow the later fragments belong to.
		 */
		if (frag != FRAG_FIRST || wire < 8 || cap < 8)
			return DEC_TCP_SHORT;
		p->sport = rd16(b);
		p->dport = rd16(b + 2);
		p->tcp_seq = rd32(b + 4);
		decode_payload(p, b + cap, 0, 0);
		return DEC_OK;
	}
	if (cap < 14)
		return DEC_TCP_SHORT;
	hl = (uint32_t)(b[12] >> 4) * 4;
	if (hl < 20 || hl > wire)
		return DEC_TCP_HLEN;
	p->sport = rd16(b);
	p->dport = rd16(b + 2);
	p->tcp_seq = rd32(b + 4);
	p->tcp_flags = b[13];
	if (hl > cap)
		decode_payload(p, b + cap, 0, wire - hl);
	else
		decode_payload(p, b + hl, cap - hl, wire - hl);
	return DEC_OK;
}

static enum decode_reason
decode_icmp(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire,
    uint8_t proto)
{
	struct pkt *p = c->p;
	uint8_t type;

	if (wire < 8 || cap < 2)
		return DEC_ICMP_SHORT;
	type = b[0];
	p->sport = (uint16_t)(type << 8 | b[1]);
	if (proto == P_ICMP ? (type == 8 || type == 0) :
	    (type == 128 || type == 129)) {
		if (cap < 6)
			return DEC_ICMP_SHORT;
		p->dport = rd16(b + 4);
	}
	if (cap < 8)
		decode_payload(p, b + cap, 0, wire - 8);
	else
		decode_payload(p, b + 8, cap - 8, wire - 8);
	return DEC_OK;
}

static enum decode_reason
decode_vxlan(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 8)
		return DEC_VXLAN_SHORT;
	if (decode_tunnel_enter(c) == -1)
		return DEC_TUNNEL_DEPTH;
	c->p->tunnel_id = rd32(b + 4) >> 8;
	return decode_eth(c, b + 8, cap - 8, wire - 8);
}

static enum decode_reason
decode_geneve(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	uint32_t hl;
	uint16_t type;

	if (cap < 8)
		return DEC_GENEVE_SHORT;
	hl = 8 + (uint32_t)(b[0] & 0x3f) * 4;
	if (hl > wire || hl > cap)
		return DEC_GENEVE_SHORT;
	type = rd16(b + 2);
	if (type != ET_TEB && type != ET_IPV4 && type != ET_IPV6)
		return DEC_NOT_IP;
	if (decode_tunnel_enter(c) == -1)
		return DEC_TUNNEL_DEPTH;
	c->p->tunnel_id = rd32(b + 4) >> 8;
	if (type == ET_TEB)
		return decode_eth(c, b + hl, cap - hl, wire - hl);
	return decode_ethertype(c, type, b + hl, cap - hl, wire - hl);
}

static enum decode_reason
decode_udp(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire,
    enum frag_kind frag)
{
	struct pkt *p = c->p;

	if (wire < 8 || cap < 4)
		return DEC_UDP_SHORT;
	p->sport = rd16(b);
	p->dport = rd16(b + 2);
	/*
	 * A fragmented tunnel packet stays the outer UDP flow: its inner
	 * packet is incomplete here and the later fragments could not follow
	 * it.  Datagrams too short or flagged otherwise are ordinary UDP on a
	 * well-known port.
	 */
	if (frag == FRAG_NONE && wire >= 16) {
		if (p->dport == VXLAN_PORT && (cap <= 8 || (b[8] & 0x08)))
			return cap < 16 ? DEC_VXLAN_SHORT :
			    decode_vxlan(c, b + 8, cap - 8, wire - 8);
		if (p->dport == GENEVE_PORT && (cap <= 8 || (b[8] >> 6) == 0))
			return cap < 16 ? DEC_GENEVE_SHORT :
			    decode_geneve(c, b + 8, cap - 8, wire - 8);
	}
	if (cap < 8)
		decode_payload(p, b + cap, 0, wire - 8);
	else
		decode_payload(p, b + 8, cap - 8, wire - 8);
	return DEC_OK;
}

/* ---- GRE and ERSPAN ---- */

static enum decode_reason
decode_erspan2(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 8 || wire < 8)
		return DEC_ERSPAN_SHORT;
	c->p->tunnel_id = rd16(b + 2) & 0x03ff;
	return decode_eth(c, b + 8, cap - 8, wire - 8);
}

static enum decode_reason
decode_erspan3(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	uint32_t hl = 12;
	uint16_t w;

	if (cap < hl || wire < hl)
		return DEC_ERSPAN_SHORT;
	c->p->tunnel_id = rd16(b + 2) & 0x03ff;
	w = rd16(b + 10);
	if (w & 0x0001)		/* platform-specific subheader */
		hl += 8;
	if (cap < hl || wire < hl)
		return DEC_ERSPAN_SHORT;
	switch ((w >> 10) & 0x1f) {
	case 0:
		return decode_eth(c, b + hl, cap - hl, wire - hl);
	case 2:
		return decode_ip(c, b + hl, cap - hl, wire - hl);
	default:
		return DEC_NOT_IP;
	}
}

/* RFC 1701 source routing: SREs up to a null one. */
static int
decode_gre_sre(const uint8_t *b, uint32_t cap, uint32_t *hl)
{
	int n;

	for (n = 0; n < SRE_MAX; n++) {
		if (cap - *hl < 4)
			return -1;
		if (rd16(b + *hl) == 0 && b[*hl + 3] == 0) {
			*hl += 4;
			return 0;
		}
		*hl += 4 + b[*hl + 3];
		if (*hl > cap)
			return -1;
	}
	return -1;
}

static enum decode_reason
decode_gre(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	struct pkt *p = c->p;
	uint32_t hl = 4, key = 0;
	uint16_t flags, type;
	int haskey = 0;

	if (cap < 4 || wire < 4)
		return DEC_GRE_SHORT;
	flags = rd16(b);
	type = rd16(b + 2);
	switch (flags & 0x0007) {
	case 0:
		if (flags & (GRE_C | GRE_R))
			hl += 4;
		if (flags & GRE_K) {
			haskey = 1;
			hl += 4;
		}
		if (flags & GRE_S)
			hl += 4;
		if (cap < hl || wire < hl)
			return DEC_GRE_SHORT;
		if (haskey)
			key = rd32(b + hl - ((flags & GRE_S) ? 8 : 4));
		if ((flags & GRE_R) && decode_gre_sre(b, cap, &hl) == -1)
			return DEC_GRE_SHORT;
		if (hl > wire)
			return DEC_GRE_SHORT;
		break;
	case 1:
		/*
		 * PPTP's enhanced GRE.  Its key is the peer's call id, which
		 * differs per direction, so it must not split the inner flow:
		 * tunnel_id stays as it was.
		 */
		if (!(flags & GRE_K) || type != ET_PPP)
			return DEC_GRE_VERSION;
		if (!(flags & GRE_S))
			return DEC_NOT_IP;	/* acknowledgement only */
		hl = 8 + ((flags & GRE_S) ? 4 : 0) + ((flags & GRE_A) ? 4 : 0);
		if (cap < hl || wire < hl)
			return DEC_GRE_SHORT;
		break;
	default:
		return DEC_GRE_VERSION;
	}
	b += hl;
	cap -= hl;
	wire -= hl;

	switch (type) {
	case ET_IPV4:
	case ET_IPV6:
	case ET_TEB:
	case ET_ERSPAN:
	case ET_ERSPAN3:
	case ET_PPP:
	case ET_MPLS:
	case ET_MPLS_MC:
	case ET_CMD:
		break;
	default:
		return DEC_NOT_IP;	/* keepalives, CDP, WCCP... */
	}
	if (decode_tunnel_enter(c) == -1)
		return DEC_TUNNEL_DEPTH;
	if (haskey)
		p->tunnel_id = key;

	switch (type) {
	case ET_IPV4:
		return decode_ipv4(c, b, cap, wire);
	case ET_IPV6:
		return decode_ipv6(c, b, cap, wire);
	case ET_TEB:
		return decode_eth(c, b, cap, wire);
	case ET_ERSPAN:
		/* Type I has no sequence number and no header of its own. */
		if (flags & GRE_S)
			return decode_erspan2(c, b, cap, wire);
		return decode_eth(c, b, cap, wire);
	case ET_ERSPAN3:
		return decode_erspan3(c, b, cap, wire);
	case ET_PPP:
		return decode_ppp(c, b, cap, wire);
	case ET_CMD:
		/* In GRE the inner ethertype comes first, then 6 bytes. */
		if (cap < 8 || wire < 8)
			return DEC_GRE_SHORT;
		return decode_ethertype(c, rd16(b), b + 8, cap - 8, wire - 8);
	default:
		return decode_mpls(c, b, cap, wire);
	}
}

/* ---- IP ---- */

/*
 * Everything after the IP headers.  p->proto, src and dst are set;
 * wire is what the IP header says follows.
 */
static enum decode_reason
decode_l4(struct dec *c, uint8_t proto, const uint8_t *b, uint32_t cap,
    uint32_t wire, const struct frag_info *fi)
{
	struct pkt *p = c->p;
	enum decode_reason r;

	p->proto = proto;
	p->sport = 0;
	p->dport = 0;
	p->tcp_flags = 0;
	p->tcp_seq = 0;
	decode_payload(p, b, cap, wire);
	if (fi->kind == FRAG_LATER)
		return decode_frag_later(c, fi);

	switch (proto) {
	case P_TCP:
		r = decode_tcp(c, b, cap, wire, fi->kind);
		break;
	case P_UDP:
		r = decode_udp(c, b, cap, wire, fi->kind);
		break;
	case P_ICMP:
	case P_ICMPV6:
		r = decode_icmp(c, b, cap, wire, proto);
		break;
	case P_IPIP:
	case P_IPV6:
	case P_GRE:
		if (fi->kind != FRAG_NONE)
			return DEC_OK;
		if (proto == P_GRE)
			return decode_gre(c, b, cap, wire);
		if (decode_tunnel_enter(c) == -1)
			return DEC_TUNNEL_DEPTH;
		if (proto == P_IPIP)
			return decode_ipv4(c, b, cap, wire);
		return decode_ipv6(c, b, cap, wire);
	default:
		return DEC_OK;
	}
	if (r == DEC_OK && fi->kind == FRAG_FIRST)
		decode_frag_store(c, fi);
	return r;
}

static enum decode_reason
decode_ipv4(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	struct pkt *p = c->p;
	struct frag_info fi;
	uint32_t hl, tot;
	uint16_t off;

	if (cap < 20)
		return DEC_IPV4_SHORT;
	if ((b[0] >> 4) != 4)
		return DEC_IP_VERSION;
	hl = (uint32_t)(b[0] & 0x0f) * 4;
	if (hl < 20)
		return DEC_IPV4_HLEN;
	tot = rd16(b + 2);
	if (tot < hl || tot > wire)
		return DEC_IPV4_LEN;
	if (cap < hl)
		return DEC_IPV4_SHORT;
	p->flags &= PKT_TUNNELED;
	if (cap > tot)
		cap = tot;		/* link-layer padding is not traffic */
	else if (cap < tot)
		p->flags |= PKT_TRUNC;
	p->ipver = 4;
	p->wire_len = tot;
	p->l3 = b;
	p->l3_caplen = cap;
	addr_from_v4(&p->src, b + 12);
	addr_from_v4(&p->dst, b + 16);

	fi.kind = FRAG_NONE;
	off = rd16(b + 6);
	if (off & 0x3fff) {
		fi.id = rd16(b + 4);
		fi.keyproto = b[9];
		if (off & 0x1fff) {
			fi.kind = FRAG_LATER;
			p->flags |= PKT_FRAG;
		} else {
			fi.kind = FRAG_FIRST;
			p->flags |= PKT_FRAG | PKT_FRAG_FIRST;
		}
	}
	return decode_l4(c, b[9], b + hl, cap - hl, tot - hl, &fi);
}

/* RFC 2675: payload length 0 and the real one in a hop-by-hop option. */
static uint32_t
decode_ipv6_jumbo(const uint8_t *b, uint32_t cap)
{
	uint32_t off, end;

	if (b[6] != P_HOPOPTS || cap < 48)
		return 0;
	end = 40 + ((uint32_t)b[41] + 1) * 8;
	if (end > cap)
		end = cap;
	for (off = 42; off < end; ) {
		if (b[off] == 0) {	/* Pad1 has no length byte */
			off++;
			continue;
		}
		if (end - off < 2)
			break;
		if (b[off] == 0xc2 && b[off + 1] == 4 && end - off >= 6)
			return rd32(b + off + 2);
		off += 2 + (uint32_t)b[off + 1];
	}
	return 0;
}

static enum decode_reason
decode_ipv6(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	struct pkt *p = c->p;
	struct frag_info fi;
	uint32_t tot, off, hl, jumbo;
	uint16_t fo;
	uint8_t nh;
	int n;

	if (cap < 40)
		return DEC_IPV6_SHORT;
	if ((b[0] >> 4) != 6)
		return DEC_IP_VERSION;
	tot = 40 + (uint32_t)rd16(b + 4);
	if (tot == 40 && (jumbo = decode_ipv6_jumbo(b, cap)) > 0xffff) {
		if (jumbo > UINT32_MAX - 40)
			return DEC_IPV6_LEN;
		tot = 40 + jumbo;
	}
	if (tot > wire)
		return DEC_IPV6_LEN;
	p->flags &= PKT_TUNNELED;
	if (cap > tot)
		cap = tot;
	else if (cap < tot)
		p->flags |= PKT_TRUNC;
	p->ipver = 6;
	p->wire_len = tot;
	p->l3 = b;
	p->l3_caplen = cap;
	memcpy(p->src.a, b + 8, 16);
	memcpy(p->dst.a, b + 24, 16);

	fi.kind = FRAG_NONE;
	nh = b[6];
	off = 40;
	for (n = 0;; n++) {
		switch (nh) {
		case P_HOPOPTS:
		case P_ROUTING:
		case P_DSTOPTS:
		case P_MOBILITY:
		case P_AH:
		case P_FRAGMENT:
			break;
		default:
			return decode_l4(c, nh, b + off, cap - off, tot - off,
			    &fi);
		}
		if (n == EXTHDR_MAX || cap - off < 8)
			return DEC_IPV6_EXTHDR;
		if (nh == P_FRAGMENT) {
			fo = rd16(b + off + 2);
			/* An atomic fragment (RFC 6946) is a whole packet. */
			if (fo & 0xfff9) {
				if (fi.kind != FRAG_NONE)
					return DEC_IPV6_EXTHDR;
				fi.id = rd32(b + off + 4);
				fi.keyproto = b[off];
				if (fo & 0xfff8) {
					fi.kind = FRAG_LATER;
					p->flags |= PKT_FRAG;
				} else {
					fi.kind = FRAG_FIRST;
					p->flags |= PKT_FRAG | PKT_FRAG_FIRST;
				}
			}
			hl = 8;
		} else if (nh == P_AH)
			hl = ((uint32_t)b[off + 1] + 2) * 4;
		else
			hl = ((uint32_t)b[off + 1] + 1) * 8;
		if (hl > tot - off)
			return DEC_IPV6_EXTHDR;
		if (hl > cap - off)
			return DEC_IPV6_EXTHDR;
		nh = b[off];
		off += hl;
		/* What follows a later fragment's header is not a header. */
		if (fi.kind == FRAG_LATER)
			return decode_l4(c, nh, b + off, cap - off, tot - off,
			    &fi);
	}
}

/* IP whose version only its first nibble tells: raw links, MPLS, ERSPAN. */
static enum decode_reason
decode_ip(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 1)
		return DEC_IPV4_SHORT;
	switch (b[0] >> 4) {
	case 4:
		return decode_ipv4(c, b, cap, wire);
	case 6:
		return decode_ipv6(c, b, cap, wire);
	default:
		return DEC_IP_VERSION;
	}
}

/* ---- link layers ---- */

static enum decode_reason
decode_mpls(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	int n;

	for (n = 0;; n++) {
		if (n == MPLS_MAX)
			return DEC_MPLS_DEPTH;
		if (cap < 4)
			return DEC_MPLS_SHORT;
		b += 4;
		cap -= 4;
		wire = wire_sub(wire, 4);
		if (b[-2] & 0x01)	/* bottom of stack */
			break;
	}
	if (cap < 1)
		return DEC_MPLS_SHORT;
	/* MPLS does not say what it carries; the first nibble is the guess. */
	switch (b[0] >> 4) {
	case 4:
		return decode_ipv4(c, b, cap, wire);
	case 6:
		return decode_ipv6(c, b, cap, wire);
	case 0:
		/* Pseudowire control word, then Ethernet. */
		if (cap < 4)
			return DEC_MPLS_SHORT;
		if (decode_tunnel_enter(c) == -1)
			return DEC_TUNNEL_DEPTH;
		return decode_eth(c, b + 4, cap - 4, wire_sub(wire, 4));
	default:
		return DEC_NOT_IP;
	}
}

static enum decode_reason
decode_ppp_proto(struct dec *c, uint16_t proto, const uint8_t *b,
    uint32_t cap, uint32_t wire)
{
	switch (proto) {
	case PPP_IPV4:
		return decode_ipv4(c, b, cap, wire);
	case PPP_IPV6:
		return decode_ipv6(c, b, cap, wire);
	case PPP_MPLS:
	case PPP_MPLS_MC:
		return decode_mpls(c, b, cap, wire);
	default:
		return DEC_PPP_PROTO;	/* LCP, IPCP, CCP... */
	}
}

/*
 * The PPP protocol field, one byte when compressed (RFC 1661: odd values
 * only).  PPPoE forbids compression, yet real clients use it.
 */
static enum decode_reason
decode_ppp_field(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 1)
		return DEC_PPP_SHORT;
	if (b[0] & 0x01)
		return decode_ppp_proto(c, b[0], b + 1, cap - 1,
		    wire_sub(wire, 1));
	if (cap < 2)
		return DEC_PPP_SHORT;
	return decode_ppp_proto(c, rd16(b), b + 2, cap - 2, wire_sub(wire, 2));
}

/* PPP with or without the HDLC address and control bytes. */
static enum decode_reason
decode_ppp(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap >= 2 && b[0] == 0xff && b[1] == 0x03)
		return decode_ppp_field(c, b + 2, cap - 2, wire_sub(wire, 2));
	return decode_ppp_field(c, b, cap, wire);
}

static enum decode_reason
decode_chdlc(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 4)
		return DEC_HDLC_SHORT;
	return decode_ethertype(c, rd16(b + 2), b + 4, cap - 4,
	    wire_sub(wire, 4));
}

/* PPP links may carry Cisco HDLC frames, told apart by their address. */
static enum decode_reason
decode_ppp_link(struct dec *c, const uint8_t *b, uint32_t cap)
{
	if (cap >= 1 && (b[0] == 0x0f || b[0] == 0x8f))
		return decode_chdlc(c, b, cap, WIRE_UNKNOWN);
	return decode_ppp(c, b, cap, WIRE_UNKNOWN);
}

/* PPPoE session header (RFC 2516) without its Ethernet header. */
static enum decode_reason
decode_pppoe(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 7)
		return DEC_PPPOE_SHORT;
	return decode_ppp_field(c, b + 6, cap - 6, wire_sub(wire, 6));
}

/*
 * 802.1Q, 802.1ad, the pre-standard 0x9100, VN-Tag and Cisco MetaData, in
 * any order and at most VLAN_MAX of them.  b is just after the ethertype
 * that announced the first one.
 */
static enum decode_reason
decode_vlan(struct dec *c, uint16_t type, const uint8_t *b, uint32_t cap,
    uint32_t wire)
{
	uint32_t hl;
	int n;

	for (n = 0;; n++) {
		switch (type) {
		case ET_VLAN:
		case ET_QINQ:
		case ET_QINQ_OLD:
			hl = 4;
			break;
		case ET_VNTAG:
			hl = 6;
			break;
		case ET_CMD:
			hl = 8;
			break;
		default:
			return decode_ethertype(c, type, b, cap, wire);
		}
		if (n == VLAN_MAX)
			return DEC_VLAN_DEPTH;
		if (cap < hl)
			return DEC_VLAN_SHORT;
		if (hl == 4 && !c->vlan_seen) {
			c->p->vlan = rd16(b) & 0x0fff;
			c->vlan_seen = 1;
		}
		type = rd16(b + hl - 2);
		b += hl;
		cap -= hl;
		wire = wire_sub(wire, hl);
	}
}

static enum decode_reason
decode_ethertype(struct dec *c, uint16_t type, const uint8_t *b,
    uint32_t cap, uint32_t wire)
{
	switch (type) {
	case ET_IPV4:
		return decode_ipv4(c, b, cap, wire);
	case ET_IPV6:
		return decode_ipv6(c, b, cap, wire);
	case ET_VLAN:
	case ET_QINQ:
	case ET_QINQ_OLD:
	case ET_VNTAG:
	case ET_CMD:
		return decode_vlan(c, type, b, cap, wire);
	case ET_MPLS:
	case ET_MPLS_MC:
		return decode_mpls(c, b, cap, wire);
	case ET_PPPOE:
		return decode_pppoe(c, b, cap, wire);
	default:
		return DEC_NOT_IP;	/* ARP, LLDP, 802.3 lengths... */
	}
}

static enum decode_reason
decode_eth(struct dec *c, const uint8_t *b, uint32_t cap, uint32_t wire)
{
	if (cap < 14)
		return DEC_ETH_SHORT;
	return decode_ethertype(c, rd16(b + 12), b + 14, cap - 14,
	    wire_sub(wire, 14));
}

/*
 * BSD loopback: the address family in the byte order of the machine that
 * captured (DLT_NULL) or in network order (DLT_LOOP); either is accepted
 * because files travel between machines.
 */
static enum decode_reason
decode_null(struct dec *c, const uint8_t *b, uint32_t cap)
{
	uint8_t af;

	if (cap < 4)
		return DEC_NULL_SHORT;
	if (b[0] == 0 && b[1] == 0 && b[2] == 0)
		af = b[3];
	else if (b[1] == 0 && b[2] == 0 && b[3] == 0)
		af = b[0];
	else
		return DEC_NOT_IP;
	switch (af) {
	case 2:
		return decode_ipv4(c, b + 4, cap - 4, WIRE_UNKNOWN);
	case 24:
	case 28:
	case 30:
		return decode_ipv6(c, b + 4, cap - 4, WIRE_UNKNOWN);
	default:
		return DEC_NOT_IP;
	}
}

/*
 * NFLOG: a 4-byte header, then TLVs whose length and type are in host
 * order (libpcap converts saved files), each padded to 4 bytes.
 */
static enum decode_reason
decode_nflog(struct dec *c, const uint8_t *b, uint32_t cap)
{
	uint32_t off = 4;
	uint16_t len, type;

	if (cap < 4)
		return DEC_NFLOG_SHORT;
	while (off <= cap && cap - off >= 4) {
		memcpy(&len, b + off, 2);
		memcpy(&type, b + off + 2, 2);
		if (len < 4)
			return DEC_NFLOG_SHORT;
		/* The snap length may cut the payload TLV, and only it. */
		if ((type & 0x3fff) == 9)	/* NFULA_PAYLOAD */
			return decode_ip(c, b + off + 4,
			    len - 4U < cap - off - 4 ? len - 4U : cap - off - 4,
			    WIRE_UNKNOWN);
		if (len > cap - off)
			return DEC_NFLOG_SHORT;
		off += ((uint32_t)len + 3) & ~3U;
	}
	return DEC_NOT_IP;	/* logged without its packet */
}

void
decode_init(struct decoder *d)
{
	memset(d, 0, sizeof(*d));
}

int
decode_dlt_supported(int dlt)
{
	switch (dlt) {
	case LT_NULL:
	case LT_EN10MB:
	case LT_PPP:
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_PPP_SERIAL:
	case LT_PPP_ETHER:
	case LT_RAW_LINKTYPE:
	case LT_C_HDLC:
	case LT_LOOP:
	case LT_LINUX_SLL:
	case LT_IPV4:
	case LT_IPV6:
	case LT_NFLOG:
	case LT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

enum decode_reason
decode_packet(struct decoder *d, int dlt, xtime_t ts, const uint8_t *data,
    uint32_t caplen, struct pkt *p)
{
	struct dec c;
	enum decode_reason r;

	c.d = d;
	c.p = p;
	c.tunnels = 0;
	c.vlan_seen = 0;
	p->ts = ts;
	p->flags = 0;
	p->vlan = 0;
	p->tunnel_id = 0;
	if (data == NULL)
		caplen = 0;

	switch (dlt) {
	case LT_EN10MB:
		r = decode_eth(&c, data, caplen, WIRE_UNKNOWN);
		break;
	case LT_LINUX_SLL:
		r = caplen < 16 ? DEC_SLL_SHORT : decode_ethertype(&c,
		    rd16(data + 14), data + 16, caplen - 16, WIRE_UNKNOWN);
		break;
	case LT_LINUX_SLL2:
		r = caplen < 20 ? DEC_SLL_SHORT : decode_ethertype(&c,
		    rd16(data), data + 20, caplen - 20, WIRE_UNKNOWN);
		break;
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_RAW_LINKTYPE:
		r = decode_ip(&c, data, caplen, WIRE_UNKNOWN);
		break;
	case LT_IPV4:
		r = decode_ipv4(&c, data, caplen, WIRE_UNKNOWN);
		break;
	case LT_IPV6:
		r = decode_ipv6(&c, data, caplen, WIRE_UNKNOWN);
		break;
	case LT_NULL:
	case LT_LOOP:
		r = decode_null(&c, data, caplen);
		break;
	case LT_PPP:
	case LT_PPP_SERIAL:
		r = decode_ppp_link(&c, data, caplen);
		break;
	case LT_PPP_ETHER:
		r = decode_pppoe(&c, data, caplen, WIRE_UNKNOWN);
		break;
	case LT_C_HDLC:
		r = decode_chdlc(&c, data, caplen, WIRE_UNKNOWN);
		break;
	case LT_NFLOG:
		r = decode_nflog(&c, data, caplen);
		break;
	default:
		r = DEC_LINKTYPE;
		break;
	}

	/* An orphan is still traffic: returned, but counted as an orphan. */
	if (r == DEC_FRAG_ORPHAN) {
		d->reasons[DEC_FRAG_ORPHAN]++;
		return DEC_OK;
	}
	d->reasons[r]++;
	return r;
}

const char *
decode_reason_name(enum decode_reason r)
{
	if ((unsigned)r >= DEC_REASON_MAX || decode_names[r] == NULL)
		return "decode.unknown";
	return decode_names[r];
}
