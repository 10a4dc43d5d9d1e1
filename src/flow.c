/*
 * flow.c: bidirectional flow table (see flow.h for the design).
 *
 * Indices are stored +1 so that zeroed memory means "none" and a fresh
 * chunk needs no initialisation beyond calloc.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "flow.h"

#define L_FREE		0
#define L_OPEN		1
#define L_CLOSING	2

static inline uint64_t
mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * Keyed multiply-fold hash over the 44-byte key.  The secret comes from
 * getrandom() so that an outsider who chooses addresses and ports cannot
 * aim many flows at one chain.
 */
static inline uint32_t
flow_hash(const struct flow_table *ft, const struct flow_key *k)
{
	uint64_t w[6] = { 0 };
	uint64_t h;

	memcpy(w, k, sizeof(*k));
	h = mum(w[0] ^ ft->seed[0], w[1] ^ ft->seed[1]) ^
	    mum(w[2] ^ ft->seed[2], w[3] ^ ft->seed[3]) ^
	    mum(w[4] ^ ft->seed[4], w[5] ^ ft->seed[5]);
	h = mum(h, 0x9e3779b97f4a7c15ULL ^ ft->seed[0]);
	return (uint32_t)h & ft->nbuckets_mask;
}

/* The key compare runs for every packet: words, not a memcmp call. */
static inline int
flow_key_eq(const struct flow_key *x, const struct flow_key *y)
{
	uint64_t a[6] = { 0 }, b[6] = { 0 };

	memcpy(a, x, sizeof(*x));
	memcpy(b, y, sizeof(*y));
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
	    (a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

int
flow_table_init(struct flow_table *ft, uint32_t max_flows, xtime_t idle,
    xtime_t close, xtime_t update, flow_emit_fn emit, void *arg, char *err,
    size_t errlen)
{
	uint32_t nb = 1024;

	memset(ft, 0, sizeof(*ft));
	if (max_flows < 16)
		max_flows = 16;
	while (nb < max_flows && nb < (1u << 31))
		nb <<= 1;
	ft->max_flows = max_flows;
	ft->maxchunks = (max_flows + FLOW_CHUNK - 1) / FLOW_CHUNK;
	ft->chunks = calloc(ft->maxchunks, sizeof(*ft->chunks));
	ft->buckets = calloc(nb, sizeof(*ft->buckets));
	if (ft->chunks == NULL || ft->buckets == NULL) {
		snprintf(err, errlen, "flow table of %u flows: %s", max_flows,
		    strerror(errno));
		flow_table_free(ft);
		return -1;
	}
	ft->nbuckets_mask = nb - 1;
	if (getrandom(ft->seed, sizeof(ft->seed), 0) != sizeof(ft->seed)) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		flow_table_free(ft);
		return -1;
	}
	ft->idle_timeout = idle;
	ft->close_timeout = close;
	ft->update_interval = update;
	ft->emit = emit;
	ft->emit_arg = arg;
	return 0;
}

void
flow_table_free(struct flow_table *ft)
{
	uint32_t i;

	if (ft->chunks != NULL)
		for (i = 0; i < ft->nchunks; i++)
			free(ft->chunks[i]);
	free(ft->chunks);
	free(ft->buckets);
	ft->chunks = NULL;
	ft->buckets = NULL;
}

size_t
flow_table_mem(const struct flow_table *ft)
{
	return (size_t)ft->nchunks * FLOW_CHUNK * sizeof(struct flow) +
	    ((size_t)ft->nbuckets_mask + 1) * sizeof(uint32_t) +
	    ft->maxchunks * sizeof(*ft->chunks);
}

static void
lru_unlink(struct flow_table *ft, struct flow *f)
{
	if (f->prev)
		flow_at(ft, f->prev - 1)->next = f->next;
	else
		ft->lru_head[f->list] = f->next;
	if (f->next)
		flow_at(ft, f->next - 1)->prev = f->prev;
	else
		ft->lru_tail[f->list] = f->prev;
	f->prev = f->next = 0;
}

static void
lru_append(struct flow_table *ft, struct flow *f, uint32_t idx, int list)
{
	f->list = (uint8_t)list;
	f->next = 0;
	f->prev = ft->lru_tail[list];
	if (f->prev)
		flow_at(ft, f->prev - 1)->next = idx + 1;
	else
		ft->lru_head[list] = idx + 1;
	ft->lru_tail[list] = idx + 1;
}

static void
flow_record(struct flow_table *ft, struct flow *f, uint32_t idx, int kind)
{
	struct flow_rec r;
	int c = f->cli, s = !f->cli;

	memset(&r, 0, sizeof(r));
	r.slot = idx;
	r.gen = f->gen;
	r.kind = (uint8_t)kind;
	r.proto = f->key.proto;
	r.init_how = f->init_how;
	r.tcp_flags[0] = f->tcp_flags[0];
	r.tcp_flags[1] = f->tcp_flags[1];
	r.cli = c ? f->key.b : f->key.a;
	r.srv = s ? f->key.b : f->key.a;
	r.cport = c ? f->key.pb : f->key.pa;
	r.sport = s ? f->key.pb : f->key.pa;
	r.vlan = f->key.vlan;
	r.tunnel = f->key.tunnel;
	r.first = f->first;
	r.last = f->last;
	for (int d = 0; d < 2; d++) {
		r.bytes[d] = f->bytes[d] - f->rep_bytes[d];
		r.pkts[d] = f->pkts[d] - f->rep_pkts[d];
		r.tot_bytes[d] = f->bytes[d];
		r.tot_pkts[d] = f->pkts[d];
		f->rep_bytes[d] = f->bytes[d];
		f->rep_pkts[d] = f->pkts[d];
	}
	f->last_rep = f->last;
	ft->emit(ft->emit_arg, &r);
}

/* End a flow: emit its last record, unhook it, put it on the free list. */
static void
flow_end(struct flow_table *ft, struct flow *f, uint32_t idx, int kind)
{
	uint32_t *pp;

	flow_record(ft, f, idx, kind);
	pp = &ft->buckets[flow_hash(ft, &f->key)];
	while (*pp && *pp != idx + 1)
		pp = &flow_at(ft, *pp - 1)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(ft, f);
	f->list = L_FREE;
	f->hnext = ft->freelist;
	ft->freelist = idx + 1;
	f->gen++;
	ft->st.active--;
	if (kind == REC_EVICT)
		ft->st.evicted++;
	else
		ft->st.ended++;
}

static int
flow_grow(struct flow_table *ft)
{
	struct flow *c;
	uint32_t i, base;

	if (ft->nchunks >= ft->maxchunks)
		return -1;
	if ((c = calloc(FLOW_CHUNK, sizeof(*c))) == NULL)
		return -1;
	base = ft->nchunks * FLOW_CHUNK;
	ft->chunks[ft->nchunks++] = c;
	/* Last flow of the chunk first, so the lowest index is handed out next. */
	for (i = FLOW_CHUNK; i-- > 0;) {
		if (base + i >= ft->max_flows)
			continue;
		c[i].hnext = ft->freelist;
		ft->freelist = base + i + 1;
	}
	ft->nalloc = base + FLOW_CHUNK;
	return 0;
}

static uint32_t
flow_alloc(struct flow_table *ft)
{
	uint32_t idx, victim;

	if (ft->freelist == 0 && flow_grow(ft) == -1) {
		/* Full: the closing flows are done anyway, then the stalest open one. */
		victim = ft->lru_head[L_CLOSING] ? ft->lru_head[L_CLOSING] :
		    ft->lru_head[L_OPEN];
		if (victim == 0)
			return 0;
		flow_end(ft, flow_at(ft, victim - 1), victim - 1, REC_EVICT);
	}
	idx = ft->freelist;
	ft->freelist = flow_at(ft, idx - 1)->hnext;
	return idx;
}

static int
port_is_service(uint16_t p)
{
	switch (p) {
	case 1080: case 1194: case 1433: case 1521: case 3128: case 3306:
	case 3389: case 5060: case 5061: case 5432: case 5900: case 6379:
	case 8000: case 8008: case 8080: case 8443: case 8888: case 9000:
	case 9200: case 27017:
		return 1;
	}
	return p < 1024;
}

/* 1 when the sender of p is the client, with the rule that decided. */
static int
flow_sender_is_client(const struct pkt *p, uint8_t *how)
{
	int ss, ds;

	if (p->proto == IPPROTO_TCP && (p->tcp_flags & 0x02)) {
		*how = (p->tcp_flags & 0x10) ? INIT_SYNACK : INIT_SYN;
		return !(p->tcp_flags & 0x10);
	}
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		uint8_t type = p->sport >> 8;

		*how = INIT_PORT;
		if (type == 0 || type == 129)
			return 0;	/* an echo reply: the receiver asked */
		*how = INIT_FIRST;
		return 1;
	}
	ss = port_is_service(p->sport);
	ds = port_is_service(p->dport);
	if (ss != ds || (ss && p->sport != p->dport &&
	    (p->sport < 1024) != (p->dport < 1024))) {
		*how = INIT_PORT;
		if (ss && ds)
			return p->dport < 1024;
		return ds;
	}
	*how = INIT_FIRST;
	return 1;
}

/* Reset, or FIN seen both ways: the connection is over. */
static inline int
flow_closed(const struct flow *f)
{
	return (f->flags & FLOW_RST) ||
	    (f->flags & (FLOW_FIN_A | FLOW_FIN_B)) == (FLOW_FIN_A | FLOW_FIN_B);
}

struct flow *
flow_table_packet(struct flow_table *ft, const struct pkt *p, uint32_t *idxp,
    int *c2s)
{
	struct flow_key k;
	struct flow *f = NULL;
	uint32_t h, i, side;
	int cmp;

	memset(&k, 0, sizeof(k));
	cmp = memcmp(p->src.a, p->dst.a, 16);
	if (cmp < 0 || (cmp == 0 && p->sport <= p->dport)) {
		k.a = p->src; k.b = p->dst; k.pa = p->sport; k.pb = p->dport;
		side = 0;
	} else {
		k.a = p->dst; k.b = p->src; k.pa = p->dport; k.pb = p->sport;
		side = 1;
	}
	k.proto = p->proto;
	k.vlan = p->vlan;
	k.tunnel = p->tunnel_id;
	/* ICMP: only echo id keys the flow; type/code vary within one exchange. */
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		k.pa = k.pb = p->dport;
	}

	h = flow_hash(ft, &k);
	for (i = ft->buckets[h]; i; i = f->hnext) {
		f = flow_at(ft, i - 1);
		if (flow_key_eq(&f->key, &k))
			break;
	}
	if (i && p->proto == IPPROTO_TCP && (p->tcp_flags & 0x12) == 0x02 &&
	    flow_closed(f)) {
		/* A new connection on the tuple of one that closed. */
		flow_end(ft, f, i - 1, REC_END);
		i = 0;
	}
	if (i == 0) {
		uint8_t how;
		int sc;

		if ((i = flow_alloc(ft)) == 0)
			return NULL;
		f = flow_at(ft, i - 1);
		uint32_t gen = f->gen;
		memset(f, 0, sizeof(*f));
		f->gen = gen;
		f->key = k;
		sc = flow_sender_is_client(p, &how);
		f->init_how = how;
		f->cli = (uint8_t)(sc ? side : !side);
		f->first = f->last_rep = p->ts;
		f->hnext = ft->buckets[h];
		ft->buckets[h] = i;
		ft->st.created++;
		ft->st.active++;
	} else
		lru_unlink(ft, f);

	int d = (side == f->cli) ? 0 : 1;
	f->bytes[d] += p->wire_len;
	f->pkts[d]++;
	f->last = p->ts;
	if (p->proto == IPPROTO_TCP) {
		f->tcp_flags[d] |= p->tcp_flags;
		if (p->tcp_flags & 0x04)
			f->flags |= FLOW_RST;
		if (p->tcp_flags & 0x01)
			f->flags |= side ? FLOW_FIN_B : FLOW_FIN_A;
	}
	if (flow_closed(f))
		lru_append(ft, f, i - 1, L_CLOSING);
	else
		lru_append(ft, f, i - 1, L_OPEN);

	if (p->ts - f->last_rep >= ft->update_interval) {
		flow_record(ft, f, i - 1, REC_INTERIM);
		ft->st.interim++;
	}
	*idxp = i - 1;
	*c2s = d == 0;
	return f;
}

size_t
flow_table_expire(struct flow_table *ft, xtime_t now, size_t budget)
{
	size_t n = 0;
	struct flow *f;
	uint32_t i;

	while (n < budget && (i = ft->lru_head[L_CLOSING]) != 0) {
		f = flow_at(ft, i - 1);
		if (f->last + ft->close_timeout > now)
			break;
		flow_end(ft, f, i - 1, REC_END);
		n++;
	}
	while (n < budget && (i = ft->lru_head[L_OPEN]) != 0) {
		f = flow_at(ft, i - 1);
		if (f->last + ft->idle_timeout > now)
			break;
		flow_end(ft, f, i - 1, REC_END);
		n++;
	}
	return n;
}

void
flow_table_flush(struct flow_table *ft, int kind)
{
	uint32_t i;

	for (int l = L_OPEN; l <= L_CLOSING; l++)
		while ((i = ft->lru_head[l]) != 0)
			flow_end(ft, flow_at(ft, i - 1), i - 1, kind);
}
