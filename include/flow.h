/*
 * flow.h: the bidirectional flow table of the capture thread.
 *
 * Owns: every tracked flow, a chained hash index keyed with a random
 * secret, and two LRU lists (open flows, closing TCP flows) ordered by last
 * packet so that expiry and "evict the oldest when full" are O(1) each.
 * Calls: nothing but libc; records leave through the caller's emit callback,
 * so the table knows nothing of rings, threads or analysis.
 *
 * Flows are allocated in chunks as the table grows, up to max_flows, and
 * recycled through a free list: memory follows the number of live flows,
 * never one malloc per packet.  When the table is full the least recently
 * seen flow is ended (its record emitted with REC_EVICT) and counted,
 * because refusing new flows would hide new exfiltration.
 *
 * Time is packet time.  A flow's direction is fixed when it is created:
 * the sender of a SYN, the receiver of a SYN-ACK, the side on a well-known
 * port's far end (flows picked up mid-stream), else the first sender.
 *
 * API
 *   flow_table_init / flow_table_free
 *   flow_table_packet: account one decoded packet; returns its flow and
 *                      whether the packet travelled client->server.
 *   flow_table_expire: end idle and closed flows, at most `budget` of them.
 *   flow_table_flush:  end every flow (end of a capture, shutdown).
 *   flow_table_mem:    bytes held.
 */
#ifndef FLOW_H
#define FLOW_H

#include "exfild.h"
#include "decode.h"

struct flow_key {
	addr_t		 a, b;		/* canonical order: (a,pa) < (b,pb) */
	uint32_t	 tunnel;
	uint16_t	 pa, pb;
	uint16_t	 vlan;
	uint8_t		 proto;
	uint8_t		 pad;
};

enum { INIT_SYN = 1, INIT_SYNACK, INIT_PORT, INIT_FIRST };
enum { REC_INTERIM = 1, REC_END, REC_EVICT, REC_FLUSH };

#define FLOW_FIN_A	0x01
#define FLOW_FIN_B	0x02
#define FLOW_RST	0x04
#define FLOW_TLS	0x80	/* the client's first data was a TLS handshake */

struct flow {
	struct flow_key	 key;
	uint32_t	 hnext;		/* hash chain, index + 1, 0 = end */
	uint32_t	 prev, next;	/* LRU links, index + 1 */
	uint32_t	 gen;		/* bumped on reuse: tells records of a reused slot apart */
	uint8_t		 cli;		/* 0: key side a is the client, 1: side b */
	uint8_t		 flags;		/* FLOW_*: how it closed, what it carries */
	uint8_t		 list;		/* which LRU list, 0 = free */
	uint8_t		 init_how;
	uint8_t		 tcp_flags[2];	/* [0] client->server */
	uint8_t		 dpi_pkts;	/* packets handed to the analysis thread for DPI */
	uint8_t		 dpi_tcp_data;	/* TCP data segments sent for DPI: 4 bits a direction */
	uint32_t	 pkts[2];
	uint32_t	 rep_pkts[2];	/* packet counts at the previous record */
	uint64_t	 bytes[2];	/* wire bytes (IP lengths), [0] client->server */
	uint64_t	 rep_bytes[2];	/* bytes at the previous record */
	xtime_t		 first, last, last_rep;
};

/* What leaves the table: the record of a flow or of its latest interval. */
struct flow_rec {
	uint32_t	 slot, gen;
	uint8_t		 kind;		/* REC_* */
	uint8_t		 proto;
	uint8_t		 init_how;
	uint8_t		 tcp_flags[2];
	uint8_t		 pad[3];
	uint16_t	 cport, sport;	/* client and server ports, host order */
	uint16_t	 vlan;
	uint32_t	 tunnel;
	addr_t		 cli, srv;
	xtime_t		 first, last;
	uint64_t	 bytes[2];	/* since the previous record, [0] client->server */
	uint64_t	 tot_bytes[2];
	uint32_t	 pkts[2];
	uint32_t	 tot_pkts[2];
};

typedef void (*flow_emit_fn)(void *arg, const struct flow_rec *);

struct flow_stats {
	uint64_t	 created;
	uint64_t	 ended;		/* idle or closed */
	uint64_t	 evicted;	/* table full: oldest ended early */
	uint64_t	 interim;	/* interim records */
	uint64_t	 active;
};

struct flow_table {
	struct flow	**chunks;	/* FLOW_CHUNK flows each */
	uint32_t	 nchunks, maxchunks;
	uint32_t	 nalloc;	/* flows allocated so far */
	uint32_t	 max_flows;
	uint32_t	*buckets;	/* index + 1 of the chain head */
	uint32_t	 nbuckets_mask;
	uint32_t	 freelist;	/* index + 1 */
	uint32_t	 lru_head[3], lru_tail[3];	/* [1] open, [2] closing */
	uint64_t	 seed[6];
	xtime_t		 idle_timeout, close_timeout, update_interval;
	flow_emit_fn	 emit;
	void		*emit_arg;
	struct flow_stats st;
};

#define FLOW_CHUNK_SHIFT 12
#define FLOW_CHUNK	(1u << FLOW_CHUNK_SHIFT)

static inline struct flow *
flow_at(const struct flow_table *ft, uint32_t idx)
{
	return &ft->chunks[idx >> FLOW_CHUNK_SHIFT][idx & (FLOW_CHUNK - 1)];
}

int		 flow_table_init(struct flow_table *, uint32_t max_flows,
		    xtime_t idle, xtime_t close, xtime_t update,
		    flow_emit_fn, void *arg, char *err, size_t errlen);
void		 flow_table_free(struct flow_table *);
/* *c2s is set to 1 when p travelled client->server.  *idx receives the slot. */
struct flow	*flow_table_packet(struct flow_table *, const struct pkt *,
		    uint32_t *idx, int *c2s);
size_t		 flow_table_expire(struct flow_table *, xtime_t now, size_t budget);
void		 flow_table_flush(struct flow_table *, int kind);
size_t		 flow_table_mem(const struct flow_table *);

#endif
