/*
 * dpi.h: nDPI 4.2 classification of flows, on the analysis thread.
 *
 * Owns: the nDPI detection module, one nDPI flow state per flow still being
 * classified (from a recycled pool), and the compact result kept for every
 * tracked flow (struct dpi_result, indexed by flow slot).  Calls: nDPI only.
 *
 * A flow is given to nDPI packet by packet until nDPI has classified it and
 * wants no more packets, or until dpi.packet_limit packets have passed;
 * then the nDPI state (688 bytes in 4.2) goes back to the pool and only the
 * result stays.  Flows that end unclassified get nDPI's guess, as
 * ndpiReader does, so that the two report the same protocol.
 *
 * API
 *   dpi_init / dpi_free
 *   dpi_packet:  feed one packet of a flow; returns 1 when classification
 *                is finished (the caller stops sending packets).
 *   dpi_get:     result for a slot/generation, or NULL.
 *   dpi_end:     the flow ended: finish (guess) and release its nDPI state;
 *                the result stays readable until the slot is reused.
 *   dpi_proto_name, dpi_category_name: names for output.
 */
#ifndef DPI_H
#define DPI_H

#include "exfild.h"

#define DPI_NAME_MAX	64	/* server names longer than this are cut */

struct dpi_result {
	uint32_t	 gen;
	uint16_t	 master, app;
	uint16_t	 category;
	uint8_t		 state;		/* DPI_* */
	uint8_t		 npkts;
	uint64_t	 risk;
	void		*nf;		/* nDPI flow state while classifying */
	char		 name[DPI_NAME_MAX];	/* SNI / Host / DNS query, raw */
};

enum { DPI_NONE = 0, DPI_RUNNING, DPI_DONE };

struct dpi_stats {
	uint64_t	 packets;
	uint64_t	 flows;
	uint64_t	 classified;
	uint64_t	 guessed;
	uint64_t	 pool_exhausted;	/* flows never classified: no free state */
	uint64_t	 live_states;
};

struct dpi {
	void		*nd;		/* struct ndpi_detection_module_struct */
	struct dpi_result **chunks;
	uint32_t	 nchunks;
	uint32_t	 packet_limit;
	void		**pool;		/* free nDPI flow states */
	uint32_t	 npool, maxpool, nstates;
	int		 enabled;
	struct dpi_stats st;
};

int		 dpi_init(struct dpi *, int enabled, uint32_t max_flows,
		    uint32_t packet_limit, const char *protos_file,
		    char *err, size_t errlen);
void		 dpi_free(struct dpi *);
int		 dpi_packet(struct dpi *, uint32_t slot, uint32_t gen, xtime_t ts,
		    const uint8_t *l3, uint16_t l3len);
struct dpi_result *dpi_get(struct dpi *, uint32_t slot, uint32_t gen);
void		 dpi_end(struct dpi *, uint32_t slot, uint32_t gen);
const char	*dpi_proto_name(struct dpi *, const struct dpi_result *, char *,
		    size_t);
const char	*dpi_category_name(struct dpi *, const struct dpi_result *);
size_t		 dpi_mem(const struct dpi *);

#endif
