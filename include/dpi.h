/*
 * dpi.h: nDPI 4.2 classification of flows, on the analysis thread.
 *
 * Owns: the nDPI detection module, one nDPI flow state per flow still being
 * classified (recycled through a free list), and the compact result kept
 * for every tracked flow (struct dpi_result, indexed by flow slot).
 * Calls: nDPI only.
 *
 * A flow is given to nDPI packet by packet as nDPI's ndpiReader does it:
 * until nDPI has named a protocol and wants no more packets, or until the
 * 81st TCP / 25th UDP packet (fewer if dpi.packet_limit is lower); then
 * the nDPI state (688 bytes in 4.2) goes back to the free list and only
 * the result stays.  Flows given up or ended unclassified get nDPI's
 * guess, as in ndpiReader, so that the two report the same protocol.
 * docs/dpi.md has the details and the measured agreement.
 *
 * API
 *   dpi_init / dpi_free
 *   dpi_packet:  feed one packet of a flow (the IP packet from its header
 *                on); returns 1 when classification is finished and the
 *                caller may stop sending packets.
 *   dpi_get:     result for a slot/generation, or NULL.
 *   dpi_end:     the flow ended: finish (guess) and release its nDPI state;
 *                the result stays readable until the slot is reused.
 *   dpi_proto_name, dpi_category_name: names for output, as
 *                ndpi_protocol2name and ndpiReader write them.
 *   dpi_mem:     bytes held.
 */
#ifndef DPI_H
#define DPI_H

#include "exfild.h"

#define DPI_NAME_MAX	64	/* server names longer than this are cut */

/* 96 bytes: kept for every tracked flow, so every byte counts. */
struct dpi_result {
	uint32_t	 gen;		/* flow slot generation it belongs to */
	uint16_t	 master, app;	/* nDPI protocol ids */
	uint16_t	 category;	/* ndpi_protocol_category_t */
	uint8_t		 state;		/* DPI_* */
	uint8_t		 npkts;		/* packets given to nDPI */
	uint8_t		 tcp_data[2];	/* TCP data segments given, [0] client */
	uint64_t	 risk;		/* ndpi_risk bitmap */
	void		*nf;		/* nDPI flow state while classifying */
	char		 name[DPI_NAME_MAX];	/* SNI, Host, DNS query */
};

enum { DPI_NONE = 0, DPI_RUNNING, DPI_DONE };

struct dpi_stats {
	uint64_t	 packets;	/* given to nDPI */
	uint64_t	 flows;
	uint64_t	 classified;	/* named by nDPI's dissectors */
	uint64_t	 guessed;	/* named by nDPI's guess (port, IP) */
	uint64_t	 unknown;	/* finished without a name */
	uint64_t	 pool_exhausted;	/* no memory for a state */
	uint64_t	 skipped;	/* packets nDPI cannot parse: later
					   fragments, cut short */
	uint64_t	 live_states;
};

struct dpi {
	void		*nd;		/* ndpi_detection_module_struct */
	struct dpi_result **chunks;
	uint32_t	 nchunks;
	uint32_t	 packet_limit;	/* dpi.packet_limit */
	uint64_t	 last_ms;	/* nDPI's clock, never goes back */
	void		**pool;		/* free nDPI flow states */
	uint32_t	 npool, maxpool, nstates;
	int		 enabled;
	struct dpi_stats st;
};

int		 dpi_init(struct dpi *, int enabled, uint32_t max_flows,
		    uint32_t packet_limit, const char *protos_file,
		    char *err, size_t errlen);
void		 dpi_free(struct dpi *);
int		 dpi_packet(struct dpi *, uint32_t slot, uint32_t gen,
		    xtime_t ts, const uint8_t *l3, uint16_t l3len, int c2s,
		    uint32_t payload_len);
struct dpi_result *dpi_get(struct dpi *, uint32_t slot, uint32_t gen);
void		 dpi_end(struct dpi *, uint32_t slot, uint32_t gen);
const char	*dpi_proto_name(struct dpi *, const struct dpi_result *, char *,
		    size_t);
const char	*dpi_category_name(struct dpi *, const struct dpi_result *);
size_t		 dpi_mem(const struct dpi *);

#endif
