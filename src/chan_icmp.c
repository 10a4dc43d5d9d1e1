/*
 * chan_icmp.c: ICMP echo as a channel — tunnels and large echoes.
 *
 * A ping repeats itself: every request of one ping run has the same size
 * and, past the timestamp ping writes into its first 16 bytes (struct
 * timeval on 64-bit Unix; Windows writes none), the same pattern.  A
 * tunnel (icmptunnel, ptunnel, ICMP-based C2) puts different data into
 * each echo and usually varies the size too.  So per (host, remote) the
 * detector sums echo payload bytes in both directions and counts the
 * echoes whose payload hash (bytes 16 onwards) or size differs from the
 * previous echo in the same direction.  It fires when the bytes are over
 * min_bytes and at least min_vary of the echoes changed: a 1 s default
 * ping carries 67 KB per 10 min both ways, as much as a slow tunnel, so the
 * bytes alone cannot tell the two apart; the variation does.  Blind spot:
 * a tunnel that hides its data in the first 16 bytes behind constant
 * padding looks like ping; only its volume of large echoes shows.
 *
 * Large echoes follow Splunk's "Detect Large ICMP Traffic": an echo payload
 * over 1000 bytes sent to a remote outside home_net.  Only echo: ICMP
 * errors legitimately quote up to 1280 bytes of the offending packet.
 */
#include <stdio.h>
#include <string.h>

#include "chan.h"

#define ICMP_TS_SKIP	16	/* ping's timestamp area, ignored in the hash */

static int	chan_icmp_is_echo(uint8_t proto, uint8_t type);
static uint32_t	chan_icmp_fp(const struct chan *, const uint8_t *, size_t);
static void	chan_icmp_large(struct chan *, const struct pktinfo *,
		    uint32_t, struct event *, int *, int);
static void	chan_icmp_tunnel(struct chan *, const struct pktinfo *,
		    uint32_t, size_t, struct event *, int *, int);

static int
chan_icmp_is_echo(uint8_t proto, uint8_t type)
{
	if (proto == 1)
		return type == 8 || type == 0;
	return type == 128 || type == 129;
}

static uint32_t
chan_icmp_fp(const struct chan *c, const uint8_t *p, size_t len)
{
	if (len > ICMP_TS_SKIP) {
		p += ICMP_TS_SKIP;
		len -= ICMP_TS_SKIP;
	}
	return (uint32_t)chan_hash(c, p, len, len);
}

static void
chan_icmp_large(struct chan *c, const struct pktinfo *pi, uint32_t plen,
    struct event *out, int *n, int maxout)
{
	const struct chan_icmp_large_params *p = &c->icmp_large;
	xtime_t ts = pi->m->ts;
	char b1[32], b2[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;

	if (plen <= (uint64_t)p->min_size)
		return;
	chan_key_set(&k, CK_ICMP_LARGE, pi->host, pi->remote, 0, 0, NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, plen, 1, 0, 0, &sum);
	if (sum.count < (uint64_t)p->min_count ||
	    !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_event(c, out, n, maxout, DET_ICMP_LARGE, ts, e)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->has_dst = 1;
	ev->proto = pi->m->proto;
	ev->start = sum.first;
	ev->bytes = sum.bytes;
	ev->count = sum.count;
	ev->window = p->window;
	ev->score = chan_score((double)sum.count,
	    p->min_count > 0 ? (double)p->min_count : 1);
	snprintf(ev->app, sizeof(ev->app), "%s",
	    pi->m->proto == 1 ? "ICMP" : "ICMPV6");
	snprintf(ev->reason, sizeof(ev->reason),
	    "%llu ICMP echo%s with payloads over %lld bytes (%s in all) sent "
	    "to %s, outside home_net, in %s",
	    (unsigned long long)sum.count, sum.count == 1 ? "" : "es",
	    (long long)p->min_size, chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
	    addr_ntop(pi->remote, ra, sizeof(ra)),
	    chan_fmt_dur(p->window, b2, sizeof(b2)));
	event_comp(ev, "icmp_large_count", (double)sum.count);
	event_comp(ev, "icmp_large_bytes", (double)sum.bytes);
}

static void
chan_icmp_tunnel(struct chan *c, const struct pktinfo *pi, uint32_t plen,
    size_t cap, struct event *out, int *n, int maxout)
{
	const struct chan_icmp_tunnel_params *p = &c->icmp_tunnel;
	xtime_t ts = pi->m->ts;
	char b1[32], b2[32], b3[32], b4[32], ra[ADDR_STRLEN];
	struct chan_icmp_state *st;
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;
	int d = pi->from_host ? 0 : 1, varied = 0;
	uint32_t fp;
	double share;

	chan_key_set(&k, CK_ICMP_TUNNEL, pi->host, pi->remote, 0, 0, NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	st = &e->u.w.icmp;
	fp = chan_icmp_fp(c, pi->payload, cap);
	if (st->have[d] && (st->fp[d] != fp ||
	    st->len[d] != (uint16_t)(plen > 65535 ? 65535 : plen)))
		varied = 1;
	st->fp[d] = fp;
	st->len[d] = (uint16_t)(plen > 65535 ? 65535 : plen);
	st->have[d] = 1;
	/* bytes: both ways; aux: echoes that changed; aux2: sent by host */
	chan_win_add(e, ts, p->window, plen, 1, (uint64_t)varied,
	    pi->from_host ? plen : 0, &sum);
	share = sum.count > 0 ? (double)sum.aux / (double)sum.count : 0;
	if (sum.bytes <= p->min_bytes || sum.count < (uint64_t)p->min_packets ||
	    share < p->min_vary || !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_event(c, out, n, maxout, DET_ICMP_TUNNEL, ts,
	    e)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->has_dst = 1;
	ev->proto = pi->m->proto;
	ev->start = sum.first;
	ev->bytes = sum.aux2;
	ev->count = sum.count;
	ev->window = p->window;
	/* More bytes and more variation both make a ping less likely. */
	ev->score = chan_score((double)sum.bytes, (double)p->min_bytes) +
	    20 * (share - p->min_vary);
	if (ev->score > 100)
		ev->score = 100;
	snprintf(ev->app, sizeof(ev->app), "%s",
	    pi->m->proto == 1 ? "ICMP" : "ICMPV6");
	snprintf(ev->reason, sizeof(ev->reason),
	    "%llu ICMP echoes with %s of payload (%s sent) between this host "
	    "and %s in %s, %.0f%% of them with a payload unlike the one "
	    "before (threshold %s and %.0f%%)",
	    (unsigned long long)sum.count,
	    chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
	    chan_fmt_bytes(sum.aux2, b2, sizeof(b2)),
	    addr_ntop(pi->remote, ra, sizeof(ra)),
	    chan_fmt_dur(p->window, b3, sizeof(b3)), share * 100,
	    chan_fmt_bytes(p->min_bytes, b4, sizeof(b4)), p->min_vary * 100);
	event_comp(ev, "icmp_bytes", (double)sum.bytes);
	event_comp(ev, "icmp_packets", (double)sum.count);
	event_comp(ev, "icmp_vary_share", share);
}

int
chan_icmp_packet(struct chan *c, const struct pktinfo *pi, struct event *out,
    int *n, int maxout)
{
	const struct pkt_msg *m = pi->m;
	uint8_t type = (uint8_t)(m->sport >> 8);	/* type << 8 | code */
	int remote_home = pi->from_host ? pi->home_dst : pi->home_src;
	size_t cap;

	if (!chan_icmp_is_echo(m->proto, type) || pi->host == NULL ||
	    pi->remote == NULL)
		return 0;
	c->st.icmp_echoes++;
	cap = pi->payload != NULL ? pi->payload_caplen : 0;
	if (cap > pi->payload_len)
		cap = pi->payload_len;
	if (pi->from_host && !remote_home)
		chan_icmp_large(c, pi, pi->payload_len, out, n, maxout);
	if (!remote_home || c->icmp_tunnel.internal)
		chan_icmp_tunnel(c, pi, pi->payload_len, cap, out, n, maxout);
	return 1;
}
