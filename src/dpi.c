/*
 * dpi.c: nDPI 4.2 classification of flows, on the analysis thread (see
 * dpi.h and docs/dpi.md).
 *
 * A flow is dissected the way nDPI's own ndpiReader dissects it
 * (example/reader_util.c in nDPI 4.2), so that both name the same
 * protocol for the same traffic:
 *   - every packet is given to nDPI until it has named an application
 *     protocol and wants no further packets (TLS certificates, for example);
 *   - a TCP flow is given up after its 81st packet, a UDP flow after its
 *     25th (ndpiReader: more than 80 and more than 24), or after
 *     dpi.packet_limit packets when that is lower; a flow given up without
 *     a protocol gets nDPI's guess (port, IP address, IP protocol);
 *   - a flow that ends while nDPI still wants packets gets nDPI's guess too;
 *   - packets nDPI cannot parse (later fragments, packets shorter than
 *     their IP length) are not given to it and not counted, as ndpiReader
 *     drops them before nDPI sees them;
 *   - nDPI's clock never goes backwards, as ndpiReader's does not.
 *
 * Results live in chunks of 4096 indexed by flow slot, allocated when a
 * slot is first used, so memory follows the flow table.  An nDPI flow
 * state (688 bytes) exists only while a flow is being classified; states
 * are recycled through a free list so that the steady state allocates
 * nothing.
 */
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "dpi.h"
#include "pipeline.h"
#include "flow.h"

#define DPI_CHUNK_SHIFT	12
#define DPI_CHUNK	(1u << DPI_CHUNK_SHIFT)
#define DPI_POOL_MAX	4096	/* free states kept for reuse */

/* ndpiReader's max_num_tcp/udp_dissected_pkts (80, 24), plus the packet
 * that crosses the limit, which it still dissects. */
#define DPI_TCP_PKTS	81
#define DPI_UDP_PKTS	25

/*
 * What a tracked flow costs once classified: its flow table entry, its
 * result here and its control word (pipeline.h).  The budget is 256
 * bytes; docs/dpi.md shows the sum.
 */
_Static_assert(sizeof(struct flow) + sizeof(struct dpi_result) +
    sizeof(uint32_t) <= 256, "a classified flow must fit in 256 bytes");

int
dpi_init(struct dpi *d, int enabled, uint32_t max_flows, uint32_t packet_limit,
    const char *protos_file, char *err, size_t errlen)
{
	struct ndpi_detection_module_struct *nd;
	NDPI_PROTOCOL_BITMASK all;

	memset(d, 0, sizeof(*d));
	d->enabled = enabled;
	/* npkts counts to the limit in 8 bits. */
	d->packet_limit = packet_limit < 1 ? 1 :
	    packet_limit > UINT8_MAX ? UINT8_MAX : packet_limit;
	d->nchunks = (max_flows + DPI_CHUNK - 1) / DPI_CHUNK;
	if ((d->chunks = calloc(d->nchunks, sizeof(*d->chunks))) == NULL) {
		snprintf(err, errlen, "dpi: %s", strerror(errno));
		return -1;
	}
	d->maxpool = DPI_POOL_MAX;
	if ((d->pool = calloc(d->maxpool, sizeof(*d->pool))) == NULL) {
		snprintf(err, errlen, "dpi: %s", strerror(errno));
		dpi_free(d);
		return -1;
	}
	if (!enabled)
		return 0;
	if ((nd = ndpi_init_detection_module(ndpi_no_prefs)) == NULL) {
		snprintf(err, errlen,
		    "nDPI: cannot initialise the detection module");
		dpi_free(d);
		return -1;
	}
	/* As ndpiReader: every protocol, then the custom ones. */
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(nd, &all);
	if (protos_file != NULL && protos_file[0] != '\0' &&
	    ndpi_load_protocols_file(nd, (char *)protos_file) != 0) {
		snprintf(err, errlen, "nDPI: cannot load protocols file %s",
		    protos_file);
		ndpi_exit_detection_module(nd);
		dpi_free(d);
		return -1;
	}
	ndpi_finalize_initialization(nd);
	d->nd = nd;
	return 0;
}

void
dpi_free(struct dpi *d)
{
	struct dpi_result *r;
	uint32_t i, j;

	if (d->chunks != NULL) {
		for (i = 0; i < d->nchunks; i++) {
			if (d->chunks[i] == NULL)
				continue;
			for (j = 0; j < DPI_CHUNK; j++) {
				r = &d->chunks[i][j];
				if (r->nf == NULL)
					continue;
				ndpi_free_flow_data(r->nf);
				free(r->nf);
			}
			free(d->chunks[i]);
		}
		free(d->chunks);
	}
	for (i = 0; i < d->npool; i++)
		free(d->pool[i]);
	free(d->pool);
	if (d->nd != NULL)
		ndpi_exit_detection_module(d->nd);
	memset(d, 0, sizeof(*d));
}

static struct dpi_result *
dpi_slot(struct dpi *d, uint32_t slot, int create)
{
	uint32_t c = slot >> DPI_CHUNK_SHIFT;

	if (c >= d->nchunks)
		return NULL;
	if (d->chunks[c] == NULL) {
		if (!create)
			return NULL;
		d->chunks[c] = mem_touch(calloc(DPI_CHUNK,
		    sizeof(struct dpi_result)), DPI_CHUNK * sizeof(struct dpi_result));
		if (d->chunks[c] == NULL)
			return NULL;
	}
	return &d->chunks[c][slot & (DPI_CHUNK - 1)];
}

/* A zeroed nDPI flow state from the free list, else a new one. */
static int
dpi_state_get(struct dpi *d, struct dpi_result *r)
{
	if (d->npool > 0)
		r->nf = d->pool[--d->npool];
	else if ((r->nf = malloc(SIZEOF_FLOW_STRUCT)) == NULL)
		return -1;
	memset(r->nf, 0, SIZEOF_FLOW_STRUCT);
	d->nstates++;
	d->st.live_states = d->nstates;
	return 0;
}

/* nDPI's own allocations go; the state itself is kept for the next flow. */
static void
dpi_state_put(struct dpi *d, struct dpi_result *r)
{
	if (r->nf == NULL)
		return;
	ndpi_free_flow_data(r->nf);
	if (d->npool < d->maxpool)
		d->pool[d->npool++] = r->nf;
	else
		free(r->nf);
	r->nf = NULL;
	d->nstates--;
	d->st.live_states = d->nstates;
}

/*
 * The IP protocol of a packet nDPI can parse, else -1.  These are the
 * packets ndpiReader gives to nDPI: IPv4 and IPv6 whole up to their IP
 * length, first fragments only.
 */
static int
dpi_l4proto(const uint8_t *l3, uint16_t len)
{
	const uint8_t *l4;
	uint16_t plen;
	uint8_t nxt;

	if (len < 1)
		return -1;
	switch (l3[0] >> 4) {
	case 4:
		if (len < 20 || (l3[0] & 0x0f) * 4 > len ||
		    ((l3[2] << 8) | l3[3]) > len ||
		    ((l3[2] << 8) | l3[3]) < (l3[0] & 0x0f) * 4)
			return -1;
		if ((((l3[6] << 8) | l3[7]) & 0x1fff) != 0)
			return -1;
		return l3[9];
	case 6:
		if (len < 40)
			return -1;
		plen = (uint16_t)((l3[4] << 8) | l3[5]);
		if (40 + plen > len)
			return -1;
		l4 = l3 + 40;
		nxt = l3[6];
		if (ndpi_handle_ipv6_extension_headers((u_int16_t)(len - 40),
		    &l4, &plen, &nxt) != 0)
			return -1;
		return nxt;
	default:
		return -1;
	}
}

/* Packets after which a flow of this IP protocol is given up. */
static uint32_t
dpi_limit(const struct dpi *d, int proto)
{
	uint32_t n = d->packet_limit;

	if (proto == IPPROTO_TCP && n > DPI_TCP_PKTS)
		n = DPI_TCP_PKTS;
	else if (proto == IPPROTO_UDP && n > DPI_UDP_PKTS)
		n = DPI_UDP_PKTS;
	return n;
}

/* Keep what the detectors and the flow log need, then drop the state. */
static void
dpi_finish(struct dpi *d, struct dpi_result *r, ndpi_protocol p, int guessed)
{
	struct ndpi_flow_struct *nf = r->nf;
	size_t n;

	r->master = p.master_protocol;
	r->app = p.app_protocol;
	r->category = (uint16_t)p.category;
	if (nf != NULL) {
		r->risk = nf->risk;
		n = strnlen(nf->host_server_name, sizeof(nf->host_server_name));
		if (n >= sizeof(r->name))
			n = sizeof(r->name) - 1;
		memcpy(r->name, nf->host_server_name, n);
		r->name[n] = '\0';
	}
	r->state = DPI_DONE;
	if (r->master == NDPI_PROTOCOL_UNKNOWN &&
	    r->app == NDPI_PROTOCOL_UNKNOWN)
		d->st.unknown++;
	else if (guessed)
		d->st.guessed++;
	else
		d->st.classified++;
	dpi_state_put(d, r);
}

int
dpi_packet(struct dpi *d, uint32_t slot, uint32_t gen, xtime_t ts,
    const uint8_t *l3, uint16_t l3len, int c2s, uint32_t payload_len)
{
	struct dpi_result *r;
	ndpi_protocol p;
	uint64_t ms;
	uint8_t guessed = 0;
	int proto;

	if (!d->enabled || (r = dpi_slot(d, slot, 1)) == NULL)
		return 1;
	if (r->gen != gen || r->state == DPI_NONE) {
		dpi_state_put(d, r);
		memset(r, 0, sizeof(*r));
		r->gen = gen;
		r->state = DPI_RUNNING;
		d->st.flows++;
	}
	if (r->state == DPI_DONE)
		return 1;
	if ((proto = dpi_l4proto(l3, l3len)) == -1) {
		d->st.skipped++;
		return 0;
	}
	if (r->nf == NULL && dpi_state_get(d, r) == -1) {
		d->st.pool_exhausted++;
		r->state = DPI_DONE;
		return 1;
	}
	ms = ts > 0 ? (uint64_t)ts / 1000 : 0;
	if (ms < d->last_ms)
		ms = d->last_ms;
	d->last_ms = ms;
	d->st.packets++;
	r->npkts++;
	p = ndpi_detection_process_packet(d->nd, r->nf, l3, l3len, ms);
	if (proto == IPPROTO_TCP && payload_len > 0 && r->tcp_data[!c2s] < 255)
		r->tcp_data[!c2s]++;
	/*
	 * The capture thread sends at most DPI_TCP_DATA data segments a
	 * direction (pipeline.h): once a named flow has had them, what nDPI
	 * still waits for (a certificate in bulk records) will not come.
	 */
	if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN && proto == IPPROTO_TCP &&
	    (r->tcp_data[0] >= DPI_TCP_DATA || r->tcp_data[1] >= DPI_TCP_DATA))
		;
	else if (r->npkts < dpi_limit(d, proto) &&
	    (p.app_protocol == NDPI_PROTOCOL_UNKNOWN ||
	    ndpi_extra_dissection_possible(d->nd, r->nf)))
		return 0;
	if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		p = ndpi_detection_giveup(d->nd, r->nf, 1, &guessed);
	dpi_finish(d, r, p, guessed);
	return 1;
}

struct dpi_result *
dpi_get(struct dpi *d, uint32_t slot, uint32_t gen)
{
	struct dpi_result *r = dpi_slot(d, slot, 0);

	if (r == NULL || r->gen != gen || r->state == DPI_NONE)
		return NULL;
	return r;
}

void
dpi_end(struct dpi *d, uint32_t slot, uint32_t gen)
{
	struct dpi_result *r = dpi_slot(d, slot, 0);
	uint8_t guessed = 0;
	ndpi_protocol p;

	if (r == NULL || r->gen != gen || r->state != DPI_RUNNING)
		return;
	if (r->nf == NULL) {
		/* Nothing nDPI could parse reached it. */
		r->state = DPI_DONE;
		d->st.unknown++;
		return;
	}
	/* ndpiReader guesses every flow still open when the capture ends. */
	p = ndpi_detection_giveup(d->nd, r->nf, 1, &guessed);
	dpi_finish(d, r, p, guessed);
}

const char *
dpi_proto_name(struct dpi *d, const struct dpi_result *r, char *buf, size_t len)
{
	ndpi_protocol p;

	if (r == NULL || d->nd == NULL) {
		snprintf(buf, len, "Unknown");
		return buf;
	}
	memset(&p, 0, sizeof(p));
	p.master_protocol = r->master;
	p.app_protocol = r->app;
	return ndpi_protocol2name(d->nd, p, buf, (u_int)len);
}

const char *
dpi_category_name(struct dpi *d, const struct dpi_result *r)
{
	if (r == NULL || d->nd == NULL)
		return "Unspecified";
	return ndpi_category_get_name(d->nd,
	    (ndpi_protocol_category_t)r->category);
}

size_t
dpi_mem(const struct dpi *d)
{
	size_t n = (size_t)d->nchunks * sizeof(*d->chunks);
	uint32_t i;

	for (i = 0; i < d->nchunks; i++)
		if (d->chunks[i] != NULL)
			n += DPI_CHUNK * sizeof(struct dpi_result);
	n += (size_t)d->maxpool * sizeof(*d->pool);
	return n + (size_t)(d->nstates + d->npool) * SIZEOF_FLOW_STRUCT;
}
