/*
 * dpi.c: nDPI 4.2 wrapper (see dpi.h).
 *
 * Results live in chunks of 4096 indexed by flow slot, allocated when a
 * slot is first used, so memory follows the flow table.  nDPI flow states
 * come from a pool capped at max_flows; they are recycled, not freed, so
 * the steady state allocates nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "dpi.h"

#define DPI_CHUNK_SHIFT	12
#define DPI_CHUNK	(1u << DPI_CHUNK_SHIFT)

int
dpi_init(struct dpi *d, int enabled, uint32_t max_flows, uint32_t packet_limit,
    const char *protos_file, char *err, size_t errlen)
{
	struct ndpi_detection_module_struct *nd;
	NDPI_PROTOCOL_BITMASK all;

	memset(d, 0, sizeof(*d));
	d->enabled = enabled;
	d->packet_limit = packet_limit;
	d->nchunks = (max_flows + DPI_CHUNK - 1) / DPI_CHUNK;
	if ((d->chunks = calloc(d->nchunks, sizeof(*d->chunks))) == NULL) {
		snprintf(err, errlen, "dpi: %s", strerror(errno));
		return -1;
	}
	d->maxpool = 4096;
	if ((d->pool = calloc(d->maxpool, sizeof(*d->pool))) == NULL) {
		snprintf(err, errlen, "dpi: %s", strerror(errno));
		return -1;
	}
	if (!enabled)
		return 0;
	if ((nd = ndpi_init_detection_module(ndpi_no_prefs)) == NULL) {
		snprintf(err, errlen, "nDPI: cannot initialise the detection module");
		return -1;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(nd, &all);
	if (protos_file != NULL && protos_file[0] != '\0' &&
	    ndpi_load_protocols_file(nd, (char *)protos_file) != 0) {
		snprintf(err, errlen, "nDPI: cannot load protocols file %s",
		    protos_file);
		ndpi_exit_detection_module(nd);
		return -1;
	}
	ndpi_finalize_initialization(nd);
	d->nd = nd;
	return 0;
}

void
dpi_free(struct dpi *d)
{
	uint32_t i, j;

	if (d->chunks != NULL) {
		for (i = 0; i < d->nchunks; i++) {
			if (d->chunks[i] == NULL)
				continue;
			for (j = 0; j < DPI_CHUNK; j++)
				if (d->chunks[i][j].nf != NULL) {
					ndpi_free_flow_data(d->chunks[i][j].nf);
					free(d->chunks[i][j].nf);
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
		if ((d->chunks[c] = calloc(DPI_CHUNK, sizeof(struct dpi_result))) == NULL)
			return NULL;
	}
	return &d->chunks[c][slot & (DPI_CHUNK - 1)];
}

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

static void
dpi_take(struct dpi *d, struct dpi_result *r, ndpi_protocol p)
{
	struct ndpi_flow_struct *nf = r->nf;

	r->master = p.master_protocol;
	r->app = p.app_protocol;
	r->category = (uint16_t)p.category;
	r->risk = nf->risk;
	if (nf->host_server_name[0] != '\0') {
		size_t n = strnlen(nf->host_server_name,
		    sizeof(nf->host_server_name));

		if (n >= sizeof(r->name))
			n = sizeof(r->name) - 1;
		memcpy(r->name, nf->host_server_name, n);
		r->name[n] = '\0';
	}
	(void)d;
}

int
dpi_packet(struct dpi *d, uint32_t slot, uint32_t gen, xtime_t ts,
    const uint8_t *l3, uint16_t l3len)
{
	struct dpi_result *r;
	ndpi_protocol p;

	if (!d->enabled || (r = dpi_slot(d, slot, 1)) == NULL)
		return 1;
	if (r->gen != gen || r->state == DPI_NONE) {
		if (r->nf != NULL)
			dpi_state_put(d, r);
		memset(r, 0, sizeof(*r));
		r->gen = gen;
		r->state = DPI_RUNNING;
		d->st.flows++;
	}
	if (r->state == DPI_DONE)
		return 1;
	if (r->nf == NULL) {
		if (d->npool > 0)
			r->nf = d->pool[--d->npool];
		else if ((r->nf = malloc(SIZEOF_FLOW_STRUCT)) == NULL) {
			d->st.pool_exhausted++;
			r->state = DPI_DONE;
			return 1;
		}
		memset(r->nf, 0, SIZEOF_FLOW_STRUCT);
		d->nstates++;
		d->st.live_states = d->nstates;
	}
	d->st.packets++;
	r->npkts++;
	p = ndpi_detection_process_packet(d->nd, r->nf, l3, l3len,
	    (uint64_t)(ts / 1000));
	if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN &&
	    !ndpi_extra_dissection_possible(d->nd, r->nf)) {
		dpi_take(d, r, p);
		r->state = DPI_DONE;
		d->st.classified++;
		dpi_state_put(d, r);
		return 1;
	}
	if (r->npkts >= d->packet_limit) {
		uint8_t guessed = 0;

		if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
			p = ndpi_detection_giveup(d->nd, r->nf, 1, &guessed);
		dpi_take(d, r, p);
		r->state = DPI_DONE;
		if (guessed)
			d->st.guessed++;
		else
			d->st.classified++;
		dpi_state_put(d, r);
		return 1;
	}
	return 0;
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

	if (r == NULL || r->gen != gen || r->state == DPI_NONE)
		return;
	if (r->state == DPI_RUNNING && r->nf != NULL) {
		p = ndpi_detection_giveup(d->nd, r->nf, 1, &guessed);
		dpi_take(d, r, p);
		if (guessed)
			d->st.guessed++;
		else
			d->st.classified++;
	}
	dpi_state_put(d, r);
	/* The result stays readable until the slot is reused. */
	r->state = DPI_DONE;
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
	return ndpi_category_get_name(d->nd, (ndpi_protocol_category_t)r->category);
}

size_t
dpi_mem(const struct dpi *d)
{
	size_t n = (size_t)d->nchunks * sizeof(*d->chunks);
	uint32_t i;

	for (i = 0; i < d->nchunks; i++)
		if (d->chunks[i] != NULL)
			n += DPI_CHUNK * sizeof(struct dpi_result);
	return n + (size_t)(d->nstates + d->npool) * SIZEOF_FLOW_STRUCT;
}
