/*
 * test_chan.c: the channel detectors on crafted packets and records, on
 * real captures through libpcap and decode_packet, and on hostile input.
 *
 * Every detector has a case that fires and a benign twin that must not.
 * Captures: ndpi icmp-tunnel.pcap runs with home_net = 192.168.154.131/32
 * only — both ends of that capture are RFC 1918 addresses, so the test
 * makes .131 the internal host and .132 the "outside" tunnel server.  The
 * HTTP upload captures are mostly loopback (both ends the same address),
 * so their upload rules run with internal=true and lowered thresholds.
 */
#include "testutil.h"

#include <pcap/pcap.h>

#include <ndpi_api.h>

#include "chan.h"
#include "decode.h"

#define T0	((xtime_t)1700000000 * XT_SEC)
#define MAXEV	512

static struct event evs[MAXEV];
static int nev;
static struct pkt_msg *msg;

static addr_t
A(const char *s)
{
	addr_t a;

	assert_int_equal(addr_pton(s, &a), 0);
	return a;
}

static struct chan *
new_chan(size_t keys)
{
	struct chan *c = calloc(1, sizeof(*c));
	char err[256];

	assert_non_null(c);
	assert_int_equal(chan_init(c, keys, err, sizeof(err)), 0);
	nev = 0;
	if (msg == NULL)
		assert_non_null(msg = calloc(1, sizeof(*msg) + 16));
	return c;
}

static void
del_chan(struct chan *c)
{
	chan_free(c);
	free(c);
}

static int
count_det(enum detector d)
{
	int i, n = 0;

	for (i = 0; i < nev; i++)
		if (evs[i].detector == d)
			n++;
	return n;
}

static const struct event *
find_det(enum detector d)
{
	int i;

	for (i = 0; i < nev; i++)
		if (evs[i].detector == d)
			return &evs[i];
	fail_msg("no %s event", detector_name(d));
	return &evs[0];
}

/* EXFILD_TEST_VERBOSE=1 prints the events of the capture cases. */
static void
print_events(const char *what)
{
	char h[ADDR_STRLEN], d[ADDR_STRLEN];
	int i;

	if (getenv("EXFILD_TEST_VERBOSE") == NULL)
		return;
	for (i = 0; i < nev; i++)
		fprintf(stderr, "%s: %s %s -> %s:%u score %.1f bytes %llu "
		    "count %llu domain '%s': %s\n", what,
		    detector_name(evs[i].detector),
		    addr_ntop(&evs[i].host, h, sizeof(h)),
		    addr_ntop(&evs[i].dst, d, sizeof(d)), evs[i].dport,
		    evs[i].score, (unsigned long long)evs[i].bytes,
		    (unsigned long long)evs[i].count, evs[i].domain,
		    evs[i].reason);
}

static void
check_event(const struct event *ev)
{
	assert_true(ev->score >= 0 && ev->score <= 100);
	assert_true(strlen(ev->reason) > 10);
	assert_true(memchr(ev->domain, '\0', sizeof(ev->domain)) != NULL);
	assert_true(ev->window > 0);
}

/* ---- packet helpers ---------------------------------------------------- */

struct conn {
	addr_t		 h, r;
	uint16_t	 hp, rp;
	uint32_t	 seq;
	int		 rhome;		/* the server is inside home_net */
};

static void
conn_init(struct conn *k, const char *h, const char *r, uint16_t hp,
    uint16_t rp, int rhome)
{
	memset(k, 0, sizeof(*k));
	k->h = A(h);
	k->r = A(r);
	k->hp = hp;
	k->rp = rp;
	k->seq = 1000;
	k->rhome = rhome;
}

static int
tcp_at(struct chan *c, struct conn *k, xtime_t ts, uint32_t seq,
    const void *data, size_t len, size_t caplen)
{
	struct pktinfo pi;
	int n;

	memset(msg, 0, sizeof(*msg));
	msg->ts = ts;
	msg->src = k->h;
	msg->dst = k->r;
	msg->sport = k->hp;
	msg->dport = k->rp;
	msg->proto = 6;
	msg->c2s = 1;
	msg->tcp_seq = seq;
	msg->payload_len = (uint32_t)len;
	memset(&pi, 0, sizeof(pi));
	pi.m = msg;
	pi.payload = data;
	pi.payload_caplen = (uint32_t)caplen;
	pi.payload_len = (uint32_t)len;
	pi.host = &k->h;
	pi.remote = &k->r;
	pi.hport = k->hp;
	pi.rport = k->rp;
	pi.from_host = 1;
	pi.home_src = 1;
	pi.home_dst = k->rhome;
	pi.dir = k->rhome ? DIR_INTERNAL : DIR_OUTBOUND;
	n = chan_packet(c, &pi, evs + nev, MAXEV - nev);
	assert_in_range(n, 0, MAXEV - nev);
	nev += n;
	return n;
}

/* The next in-order segment of the connection. */
static int
tcp_send(struct chan *c, struct conn *k, xtime_t ts, const void *data,
    size_t len)
{
	int n = tcp_at(c, k, ts, k->seq, data, len, len);

	k->seq += (uint32_t)len;
	return n;
}

/* Send a buffer as segments of at most mss bytes. */
static void
tcp_stream(struct chan *c, struct conn *k, xtime_t ts, const void *data,
    size_t len, size_t mss)
{
	const uint8_t *p = data;
	size_t o, l;

	for (o = 0; o < len; o += l) {
		l = len - o < mss ? len - o : mss;
		tcp_send(c, k, ts, p + o, l);
	}
}

static int
icmp_send(struct chan *c, xtime_t ts, const addr_t *h, const addr_t *r,
    int from_host, int rhome, uint8_t type, const void *payload, size_t len)
{
	struct pktinfo pi;
	int n;

	memset(msg, 0, sizeof(*msg));
	msg->ts = ts;
	msg->src = from_host ? *h : *r;
	msg->dst = from_host ? *r : *h;
	msg->sport = (uint16_t)(type << 8);
	msg->dport = 77;
	msg->proto = 1;
	msg->payload_len = (uint32_t)len;
	memset(&pi, 0, sizeof(pi));
	pi.m = msg;
	pi.payload = payload;
	pi.payload_caplen = (uint32_t)len;
	pi.payload_len = (uint32_t)len;
	pi.host = h;
	pi.remote = r;
	pi.from_host = from_host;
	pi.home_src = from_host ? 1 : rhome;
	pi.home_dst = from_host ? rhome : 1;
	pi.dir = rhome ? DIR_INTERNAL : from_host ? DIR_OUTBOUND : DIR_INBOUND;
	n = chan_packet(c, &pi, evs + nev, MAXEV - nev);
	nev += n;
	return n;
}

struct recspec {
	const char	*host, *remote;
	uint16_t	 rport;
	uint8_t		 proto;
	uint64_t	 sent;
	uint16_t	 master, app;
	const char	*appname, *category, *sni;
	uint64_t	 risk;
	enum flow_dir	 dir;
	int		 kind;		/* REC_*, 0 = REC_INTERIM */
	int		 unclassified;
};

static int
rec_send(struct chan *c, xtime_t ts, const struct recspec *s)
{
	static addr_t h, r;
	struct flow_rec rec;
	struct flowinfo fi;
	int n;

	h = A(s->host);
	r = A(s->remote);
	memset(&rec, 0, sizeof(rec));
	rec.kind = (uint8_t)(s->kind ? s->kind : REC_INTERIM);
	rec.proto = s->proto ? s->proto : 6;
	rec.first = ts - 10 * XT_SEC;
	rec.last = ts;
	rec.cli = h;
	rec.srv = r;
	rec.cport = 40000;
	rec.sport = s->rport;
	memset(&fi, 0, sizeof(fi));
	fi.rec = &rec;
	fi.dir = s->dir;
	fi.host = &h;
	fi.remote = &r;
	fi.rport = s->rport;
	fi.lport = 40000;
	fi.host_is_client = s->dir != DIR_INBOUND;
	fi.sent = s->sent;
	fi.tot_sent = s->sent;
	fi.master_proto = s->master;
	fi.app_proto = s->app;
	fi.app = s->appname ? s->appname : "Unknown";
	fi.category_name = s->category ? s->category : "Unspecified";
	fi.server_name = s->sni ? s->sni : "";
	fi.risk = s->risk;
	fi.classified = !s->unclassified;
	n = chan_record(c, &fi, evs + nev, MAXEV - nev);
	assert_in_range(n, 0, MAXEV - nev);
	nev += n;
	return n;
}

/* ---- capture replay ---------------------------------------------------- */

struct cflow {
	addr_t		 a, b;
	uint16_t	 pa, pb;
	addr_t		 cli;
	uint16_t	 cport;
	int		 known;
};

struct replay {
	const char	*const *home;	/* exact addresses inside home_net */
	struct cflow	 flows[64];
	int		 nflows;
	uint64_t	 icmp, tcp_c2s;
};

static int
is_home(const struct replay *rp, const addr_t *a)
{
	int i;

	for (i = 0; rp->home[i] != NULL; i++) {
		addr_t h = A(rp->home[i]);

		if (addr_eq(&h, a))
			return 1;
	}
	return 0;
}

/* Which side of a TCP connection is its client: the SYN's sender. */
static int
tcp_c2s(struct replay *rp, const struct pkt *p)
{
	struct cflow *f = NULL;
	int i;

	for (i = 0; i < rp->nflows; i++) {
		struct cflow *g = &rp->flows[i];

		if ((addr_eq(&g->a, &p->src) && g->pa == p->sport &&
		    addr_eq(&g->b, &p->dst) && g->pb == p->dport) ||
		    (addr_eq(&g->b, &p->src) && g->pb == p->sport &&
		    addr_eq(&g->a, &p->dst) && g->pa == p->dport)) {
			f = g;
			break;
		}
	}
	if (f == NULL) {
		assert_true(rp->nflows < 64);
		f = &rp->flows[rp->nflows++];
		f->a = p->src;
		f->pa = p->sport;
		f->b = p->dst;
		f->pb = p->dport;
	}
	if (!f->known) {
		f->known = 1;
		if ((p->tcp_flags & 0x12) == 0x02) {		/* SYN */
			f->cli = p->src;
			f->cport = p->sport;
		} else if ((p->tcp_flags & 0x12) == 0x12) {	/* SYN-ACK */
			f->cli = p->dst;
			f->cport = p->dport;
		} else if (p->sport > p->dport) {	/* mid-stream */
			f->cli = p->src;
			f->cport = p->sport;
		} else {
			f->cli = p->dst;
			f->cport = p->dport;
		}
	}
	return addr_eq(&f->cli, &p->src) && f->cport == p->sport;
}

/* The final record of every TCP flow, as the flow table sends at the end. */
static void
replay_end(struct chan *c, struct replay *rp, xtime_t ts)
{
	struct flow_rec rec;
	struct flowinfo fi;
	int i, n, hs, hd;

	for (i = 0; i < rp->nflows; i++) {
		struct cflow *f = &rp->flows[i];
		int cli_a = addr_eq(&f->cli, &f->a) && f->cport == f->pa;

		memset(&rec, 0, sizeof(rec));
		rec.kind = REC_END;
		rec.proto = 6;
		rec.last = ts;
		rec.cli = cli_a ? f->a : f->b;
		rec.srv = cli_a ? f->b : f->a;
		rec.cport = cli_a ? f->pa : f->pb;
		rec.sport = cli_a ? f->pb : f->pa;
		hs = is_home(rp, &rec.cli);
		hd = is_home(rp, &rec.srv);
		memset(&fi, 0, sizeof(fi));
		fi.rec = &rec;
		fi.dir = hs && !hd ? DIR_OUTBOUND : !hs && hd ? DIR_INBOUND :
		    hs ? DIR_INTERNAL : DIR_TRANSIT;
		fi.host_is_client = fi.dir != DIR_INBOUND;
		fi.host = fi.host_is_client ? &rec.cli : &rec.srv;
		fi.remote = fi.host_is_client ? &rec.srv : &rec.cli;
		fi.rport = fi.host_is_client ? rec.sport : rec.cport;
		fi.lport = fi.host_is_client ? rec.cport : rec.sport;
		fi.app = "HTTP";
		fi.category_name = "Web";
		fi.server_name = "";
		fi.classified = 1;
		n = chan_record(c, &fi, evs + nev, MAXEV - nev);
		nev += n;
	}
}

/* Feed every ICMP and TCP packet of a capture as analysis.c would. */
static void
replay(struct chan *c, const char *path, struct replay *rp)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct decoder *dec;
	struct pktinfo pi;
	struct pkt p;
	pcap_t *pc;
	xtime_t last = 0;
	int dlt, n;

	assert_non_null(dec = calloc(1, sizeof(*dec)));
	decode_init(dec);
	assert_non_null(pc = pcap_open_offline(path, errbuf));
	dlt = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		xtime_t ts = (xtime_t)h->ts.tv_sec * XT_SEC + h->ts.tv_usec;

		last = ts;

		if (decode_packet(dec, dlt, ts, data, h->caplen, &p) != DEC_OK)
			continue;
		if (p.proto != 1 && p.proto != 58 && p.proto != 6)
			continue;
		memset(msg, 0, sizeof(*msg));
		msg->ts = ts;
		msg->src = p.src;
		msg->dst = p.dst;
		msg->sport = p.sport;
		msg->dport = p.dport;
		msg->proto = p.proto;
		msg->tcp_flags = p.tcp_flags;
		msg->tcp_seq = p.tcp_seq;
		msg->payload_len = p.payload_len;
		msg->wire_len = p.wire_len;
		msg->c2s = p.proto == 6 ? (uint8_t)tcp_c2s(rp, &p) : 1;
		memset(&pi, 0, sizeof(pi));
		pi.m = msg;
		pi.payload = p.payload;
		pi.payload_caplen = p.payload_caplen;
		pi.payload_len = p.payload_len;
		pi.home_src = is_home(rp, &p.src);
		pi.home_dst = is_home(rp, &p.dst);
		if (pi.home_src && !pi.home_dst)
			pi.dir = DIR_OUTBOUND;
		else if (!pi.home_src && pi.home_dst)
			pi.dir = DIR_INBOUND;
		else
			pi.dir = pi.home_src ? DIR_INTERNAL : DIR_TRANSIT;
		pi.from_host = pi.dir != DIR_INBOUND;
		pi.host = pi.from_host ? &msg->src : &msg->dst;
		pi.remote = pi.from_host ? &msg->dst : &msg->src;
		pi.hport = pi.from_host ? msg->sport : msg->dport;
		pi.rport = pi.from_host ? msg->dport : msg->sport;
			if (p.proto == 6)
			rp->tcp_c2s += msg->c2s && p.payload_len > 0;
		else
			rp->icmp++;
		n = chan_packet(c, &pi, evs + nev, MAXEV - nev);
		assert_in_range(n, 0, MAXEV - nev);
		nev += n;
		chan_tick(c, ts);
	}
	pcap_close(pc);
	free(dec);
	replay_end(c, rp, last);
}

/* ---- parameters ---------------------------------------------------------- */

static void
test_params(void **state)
{
	static const enum detector dets[] = { DET_ICMP_TUNNEL, DET_ICMP_LARGE,
	    DET_HTTP_ARCHIVE_POST, DET_HTTP_RECON_POST, DET_HTTP_LARGE_UPLOAD,
	    DET_HTTP_NUMERIC_HOST, DET_TLS_SNICAT, DET_TLS_HIGH_VOLUME,
	    DET_TLS_NO_SNI_UPLOAD, DET_DNS_ENCRYPTED, DET_CLOUD_UPLOAD,
	    DET_PORT_MISMATCH, DET_UNKNOWN_UPLOAD };
	struct chan *c = new_chan(64);
	const struct param_desc *pd;
	char blob[2048], err[256];
	size_t i, size;

	(void)state;
	assert_int_equal(c->tls_volume.max_bytes, 1070000000ULL);
	assert_int_equal(c->tls_volume.window, 2 * XT_MIN);
	assert_int_equal(c->http_archive.max_posts, 20);
	assert_int_equal(c->icmp_large.min_size, 1000);
	assert_int_equal(c->http_upload.max_bytes, 50000000ULL);
	assert_int_equal(c->cloud.max_bytes, 20000000ULL);
	assert_string_equal(c->port_mismatch.http_ports, "80,8080,8000");
	assert_true(c->port_mismatch.ndpi_risk);
	assert_false(c->http_upload.internal);
	for (i = 0; i < sizeof(dets) / sizeof(dets[0]); i++) {
		pd = chan_params_for(dets[i], &size);
		assert_non_null(pd);
		assert_true(size > 0 && size <= sizeof(blob));
		assert_int_equal(params_default(pd, blob, size, err,
		    sizeof(err)), 0);
		for (; pd->name != NULL; pd++) {
			assert_non_null(pd->doc);
			assert_true(pd->off < size);
		}
	}
	assert_null(chan_params_for(DET_DNS_TUNNEL, &size));
	assert_int_equal(size, 0);
	assert_string_equal(c->dns_encrypted.nosni_ports, "443");
	assert_true(c->st.memory > 0);
	del_chan(c);
}

/* ---- ICMP -------------------------------------------------------------- */

static void
test_icmp_tunnel_crafted(void **state)
{
	struct chan *c = new_chan(256);
	addr_t h = A("10.0.0.5"), r = A("203.0.113.50");
	uint8_t pl[600];
	const struct event *ev;
	int i, j;

	(void)state;
	srand(7);
	/* 120 request/reply pairs of random data, random sizes: a tunnel. */
	for (i = 0; i < 120; i++) {
		size_t len = 100 + (size_t)(rand() % 400);

		for (j = 0; j < (int)len; j++)
			pl[j] = (uint8_t)rand();
		icmp_send(c, T0 + i * XT_SEC, &h, &r, 1, 0, 8, pl, len);
		for (j = 0; j < (int)len; j++)
			pl[j] = (uint8_t)rand();
		icmp_send(c, T0 + i * XT_SEC + 1000, &h, &r, 0, 0, 0, pl, len);
	}
	assert_int_equal(count_det(DET_ICMP_TUNNEL), 1);
	assert_int_equal(count_det(DET_ICMP_LARGE), 0);
	ev = find_det(DET_ICMP_TUNNEL);
	check_event(ev);
	assert_true(addr_eq(&ev->host, &h) && addr_eq(&ev->dst, &r));
	assert_true(ev->has_dst);
	assert_int_equal(ev->proto, 1);
	assert_true(ev->bytes > 0 && ev->count >= 20);
	assert_non_null(strstr(ev->reason, "203.0.113.50"));
	del_chan(c);
}

/* iputils ping: 16-byte timeval, then bytes 0x10, 0x11, ... */
static void
ping_payload(uint8_t *pl, size_t len, int seq)
{
	size_t j;

	memset(pl, 0, 16);
	memcpy(pl, &seq, sizeof(seq));
	pl[8] = (uint8_t)(seq * 37);
	for (j = 16; j < len; j++)
		pl[j] = (uint8_t)j;
}

static void
test_icmp_ping_benign(void **state)
{
	struct chan *c = new_chan(256);
	addr_t h = A("10.0.0.5"), r = A("203.0.113.50"), in = A("10.0.0.9");
	uint8_t pl[1500];
	int i;

	(void)state;
	/* 20 minutes of 1/s default pings: 134 KB both ways, all alike. */
	for (i = 0; i < 1200; i++) {
		ping_payload(pl, 56, i);
		icmp_send(c, T0 + i * XT_SEC, &h, &r, 1, 0, 8, pl, 56);
		icmp_send(c, T0 + i * XT_SEC + 500, &h, &r, 0, 0, 0, pl, 56);
	}
	assert_int_equal(nev, 0);
	/* ping -s 1400 inside home_net: neither large nor a tunnel. */
	for (i = 0; i < 600; i++) {
		ping_payload(pl, 1400, i);
		icmp_send(c, T0 + i * XT_SEC, &h, &in, 1, 1, 8, pl, 1400);
		icmp_send(c, T0 + i * XT_SEC + 500, &h, &in, 0, 1, 0, pl, 1400);
	}
	assert_int_equal(nev, 0);
	del_chan(c);
}

static void
test_icmp_large(void **state)
{
	struct chan *c = new_chan(256);
	addr_t h = A("10.0.0.5"), r = A("198.51.100.1"), in = A("10.1.1.1");
	uint8_t pl[1500];
	const struct event *ev;

	(void)state;
	memset(pl, 'a', sizeof(pl));
	icmp_send(c, T0, &h, &r, 1, 0, 8, pl, 1000);	/* not above 1000 */
	icmp_send(c, T0, &h, &in, 1, 1, 8, pl, 1400);	/* internal */
	icmp_send(c, T0, &h, &r, 0, 0, 0, pl, 1400);	/* a reply */
	icmp_send(c, T0, &h, &r, 1, 0, 3, pl, 1400);	/* not an echo */
	assert_int_equal(nev, 0);
	icmp_send(c, T0 + XT_SEC, &h, &r, 1, 0, 8, pl, 1001);
	assert_int_equal(count_det(DET_ICMP_LARGE), 1);
	ev = find_det(DET_ICMP_LARGE);
	check_event(ev);
	assert_int_equal(ev->count, 1);
	assert_non_null(strstr(ev->reason, "198.51.100.1"));
	/* Once per window... */
	icmp_send(c, T0 + 2 * XT_SEC, &h, &r, 1, 0, 8, pl, 1400);
	icmp_send(c, T0 + 5 * XT_MIN, &h, &r, 1, 0, 8, pl, 1400);
	assert_int_equal(count_det(DET_ICMP_LARGE), 1);
	/* ...and again in the next one, with the count. */
	icmp_send(c, T0 + 11 * XT_MIN, &h, &r, 1, 0, 8, pl, 1400);
	assert_int_equal(count_det(DET_ICMP_LARGE), 2);
	del_chan(c);
}

static void
test_icmp_tunnel_pcap(void **state)
{
	static const char *const home[] = { "192.168.154.131", NULL };
	struct replay rp;
	struct chan *c;
	const struct event *ev;
	addr_t srv = A("192.168.154.132");
	char path[512];

	(void)state;
	SKIP_UNLESS_PCAP(path, "ndpi/pcap/icmp-tunnel.pcap");
	c = new_chan(1024);
	memset(&rp, 0, sizeof(rp));
	rp.home = home;
	replay(c, path, &rp);
	print_events("icmp-tunnel");
	assert_int_equal(rp.icmp, 863);
	assert_true(count_det(DET_ICMP_TUNNEL) >= 1);
	assert_true(count_det(DET_ICMP_LARGE) >= 1);
	ev = find_det(DET_ICMP_TUNNEL);
	check_event(ev);
	assert_true(addr_eq(&ev->dst, &srv));
	ev = find_det(DET_ICMP_LARGE);
	assert_true(addr_eq(&ev->dst, &srv));
	del_chan(c);
}

/*
 * Ordinary pings from the captures stay silent, even with the tunnel's
 * byte and packet floors lowered to where the pings pass them: only the
 * payload variation separates them, and the tunnel capture still fires
 * under the same settings.
 */
static void
test_icmp_pings_pcap(void **state)
{
	static const struct {
		const char	*path;
		const char	*home;
	} caps[] = {
		{ "suricata-verify/pcap/icmpv4-ping.pcap", "192.168.1.6" },
		{ "zeek/pcap/icmp-5-pings.pcap", "172.16.133.2" },
		{ "zeek/pcap/icmp-ping.pcap", "10.0.0.1" },
		{ "suricata-verify/pcap/icmp-and-ssh.pcap", "192.168.0.30" },
		{ "zeek/pcap/icmp-dot1q.pcap", "192.168.123.2" },
		{ "ndpi/pcap/googledns_android10.pcap", "192.168.1.159" },
		{ "ndpi/pcap/malware.pcap", "192.168.7.7" },
		{ "ndpi/pcap/icmp-tunnel.pcap", "192.168.154.131" },
	};
	const char *home[2];
	struct replay rp;
	struct chan *c;
	char path[512];
	size_t i, ran = 0;

	(void)state;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!pcaps_path(path, sizeof(path), caps[i].path))
			continue;
		c = new_chan(1024);
		c->icmp_tunnel.min_bytes = 256;
		c->icmp_tunnel.min_packets = 4;
		c->icmp_tunnel.internal = 1;
		/* The pinging host inside, the pinged one outside. */
		home[0] = caps[i].home;
		home[1] = NULL;
		memset(&rp, 0, sizeof(rp));
		rp.home = home;
		replay(c, path, &rp);
		print_events(caps[i].path);
		if (strstr(caps[i].path, "tunnel") != NULL)
			assert_true(count_det(DET_ICMP_TUNNEL) >= 1);
		else {
			assert_true(rp.icmp > 0);
			assert_int_equal(count_det(DET_ICMP_TUNNEL), 0);
			assert_int_equal(count_det(DET_ICMP_LARGE), 0);
		}
		ran++;
		del_chan(c);
	}
	if (ran == 0)
		skip();
}

/* ---- HTTP ---------------------------------------------------------------- */

static size_t
post_hdr(char *buf, size_t len, const char *host, const char *ctype,
    size_t clen)
{
	int n = snprintf(buf, len, "POST /upload HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: t/1.0\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "\r\n", host, ctype, clen);

	assert_true(n > 0 && (size_t)n < len);
	return (size_t)n;
}

static void
archive_posts(struct chan *c, struct conn *k, int nposts, const char *magic,
    size_t mlen)
{
	char hdr[512], body[1000];
	size_t hl;
	int i;

	memset(body, 'x', sizeof(body));
	memcpy(body, magic, mlen);
	for (i = 0; i < nposts; i++) {
		hl = post_hdr(hdr, sizeof(hdr), "files.example.net",
		    "application/octet-stream", sizeof(body));
		if (i % 2 == 0) {	/* headers and body in two segments */
			tcp_send(c, k, T0 + i * XT_SEC, hdr, hl);
			tcp_send(c, k, T0 + i * XT_SEC, body, sizeof(body));
		} else {
			char both[1600];

			memcpy(both, hdr, hl);
			memcpy(both + hl, body, sizeof(body));
			tcp_send(c, k, T0 + i * XT_SEC, both,
			    hl + sizeof(body));
		}
	}
}

static void
test_http_archive(void **state)
{
	struct chan *c;
	struct conn k;
	const struct event *ev;
	char form[512], hdr[512];
	size_t hl;
	int i;

	(void)state;
	/* 21 ZIP bodies on one keep-alive connection: fires once. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "203.0.113.7", 40000, 80, 0);
	archive_posts(c, &k, 21, "PK\x03\x04", 4);
	assert_int_equal(count_det(DET_HTTP_ARCHIVE_POST), 1);
	ev = find_det(DET_HTTP_ARCHIVE_POST);
	check_event(ev);
	assert_int_equal(ev->count, 21);
	assert_int_equal(ev->dport, 80);
	assert_string_equal(ev->domain, "files.example.net");
	assert_non_null(strstr(ev->reason, "21 HTTP POST"));
	assert_non_null(strstr(ev->reason, "203.0.113.7"));
	assert_non_null(strstr(ev->reason, "threshold 20"));
	assert_int_equal(c->st.http_requests, 21);
	del_chan(c);

	/* A stray CRLF after a body, then the next request, in one segment. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "203.0.113.7", 40000, 80, 0);
	{
		char two[600];
		int l1 = snprintf(two, sizeof(two), "POST /a HTTP/1.1\r\n"
		    "Host: x.example\r\nContent-Length: 4\r\n\r\nPK\x03\x04\r\n"
		    "POST /b HTTP/1.1\r\nHost: x.example\r\n"
		    "Content-Length: 4\r\n\r\nPK\x03\x04");

		c->http_archive.max_posts = 1;
		tcp_send(c, &k, T0, two, (size_t)l1);
	}
	assert_int_equal(c->st.http_requests, 2);
	assert_int_equal(count_det(DET_HTTP_ARCHIVE_POST), 1);
	del_chan(c);

	/* 20 do not. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "203.0.113.7", 40000, 80, 0);
	archive_posts(c, &k, 20, "PK\x03\x04", 4);
	assert_int_equal(nev, 0);
	del_chan(c);

	/* 7z and RAR count too, over separate connections. */
	c = new_chan(256);
	for (i = 0; i < 21; i++) {
		conn_init(&k, "10.0.0.5", "203.0.113.7", (uint16_t)(41000 + i),
		    8080, 0);
		if (i % 2)
			archive_posts(c, &k, 1, "7z\xbc\xaf\x27\x1c", 6);
		else
			archive_posts(c, &k, 1, "Rar!\x1a\x07", 6);
	}
	assert_int_equal(count_det(DET_HTTP_ARCHIVE_POST), 1);
	del_chan(c);

	/* 40 urlencoded forms: nothing. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "203.0.113.7", 40000, 80, 0);
	for (i = 0; i < 40; i++) {
		int fl = snprintf(form, sizeof(form),
		    "user=alice&comment=PK+is+fine&n=%d", i);

		hl = post_hdr(hdr, sizeof(hdr), "forms.example.net",
		    "application/x-www-form-urlencoded", (size_t)fl);
		tcp_send(c, &k, T0 + i * XT_SEC, hdr, hl);
		tcp_send(c, &k, T0 + i * XT_SEC, form, (size_t)fl);
	}
	assert_int_equal(nev, 0);
	assert_int_equal(c->st.http_requests, 40);
	del_chan(c);
}

static void
test_http_multipart_archive(void **state)
{
	static const char part[] = "------WebKitFormBoundaryQ1\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"loot.zip\"\r\nContent-Type: application/zip\r\n\r\n"
	    "PK\x03\x04\x14\x00\x00\x00";
	static const char txt[] = "------WebKitFormBoundaryQ1\r\n"
	    "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
	    "hello PK\x03\x04 inside text";
	struct chan *c;
	struct conn k;
	char hdr[512], body[3000];
	size_t hl, bl, cut;
	int i;

	(void)state;
	c = new_chan(256);
	c->http_archive.max_posts = 2;
	for (i = 0; i < 3; i++) {
		conn_init(&k, "10.0.0.5", "203.0.113.7", (uint16_t)(42000 + i),
		    80, 0);
		bl = sizeof(part) - 1;
		memcpy(body, part, bl);
		memset(body + bl, 'z', 2000);
		bl += 2000;
		hl = post_hdr(hdr, sizeof(hdr), "up.example.net",
		    "multipart/form-data; boundary=----WebKitFormBoundaryQ1",
		    bl);
		tcp_send(c, &k, T0 + i, hdr, hl);
		/* Cut the body inside the part headers' blank line. */
		cut = sizeof(part) - 1 - 10 + (size_t)i;
		tcp_send(c, &k, T0 + i, body, cut);
		tcp_send(c, &k, T0 + i, body + cut, bl - cut);
	}
	assert_int_equal(count_det(DET_HTTP_ARCHIVE_POST), 1);
	del_chan(c);

	/* A text first part mentioning the magic is not an archive. */
	c = new_chan(256);
	c->http_archive.max_posts = 0;
	conn_init(&k, "10.0.0.5", "203.0.113.7", 42000, 80, 0);
	hl = post_hdr(hdr, sizeof(hdr), "up.example.net",
	    "multipart/form-data; boundary=----WebKitFormBoundaryQ1",
	    sizeof(txt) - 1);
	tcp_send(c, &k, T0, hdr, hl);
	tcp_send(c, &k, T0, txt, sizeof(txt) - 1);
	assert_int_equal(nev, 0);
	del_chan(c);
}

static void
test_http_recon(void **state)
{
	static const char b1[] = "host=WS01&out=Windows IP Configuration "
	    "... output of IPCO";
	static const char b2[] = "NFIG /all ... more";
	static const char benign[] = "name=configuration&view=network+viewer"
	    "&svc=svchost&exe=wermgr";
	struct chan *c;
	struct conn k;
	const struct event *ev;
	char hdr[512];
	size_t hl;

	(void)state;
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "198.51.100.20", 40000, 80, 0);
	hl = post_hdr(hdr, sizeof(hdr), "198.51.100.20",
	    "application/x-www-form-urlencoded",
	    sizeof(b1) - 1 + sizeof(b2) - 1);
	tcp_send(c, &k, T0, hdr, hl);
	tcp_send(c, &k, T0, b1, sizeof(b1) - 1);	/* "IPCO" | "NFIG" */
	tcp_send(c, &k, T0, b2, sizeof(b2) - 1);
	assert_int_equal(count_det(DET_HTTP_RECON_POST), 1);
	ev = find_det(DET_HTTP_RECON_POST);
	check_event(ev);
	assert_non_null(strstr(ev->reason, "ipconfig"));
	/* once per window */
	tcp_send(c, &k, T0 + XT_SEC, hdr, hl);
	tcp_send(c, &k, T0 + XT_SEC, b1, sizeof(b1) - 1);
	tcp_send(c, &k, T0 + XT_SEC, b2, sizeof(b2) - 1);
	assert_int_equal(count_det(DET_HTTP_RECON_POST), 1);
	del_chan(c);

	/* The same words, not the strings: nothing. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "198.51.100.20", 40000, 80, 0);
	hl = post_hdr(hdr, sizeof(hdr), "forms.example.net",
	    "application/x-www-form-urlencoded", sizeof(benign) - 1);
	tcp_send(c, &k, T0, hdr, hl);
	tcp_send(c, &k, T0, benign, sizeof(benign) - 1);
	assert_int_equal(nev, 0);
	del_chan(c);

	/* name="proclist" in a multipart body. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "198.51.100.20", 40000, 80, 0);
	{
		static const char mp[] = "--b\r\nContent-Disposition: "
		    "form-data; name=\"proclist\"\r\n\r\n"
		    "explorer.exe\r\n--b--\r\n";

		hl = post_hdr(hdr, sizeof(hdr), "c2.example.org",
		    "multipart/form-data; boundary=b", sizeof(mp) - 1);
		tcp_send(c, &k, T0, hdr, hl);
		tcp_send(c, &k, T0, mp, sizeof(mp) - 1);
	}
	assert_int_equal(count_det(DET_HTTP_RECON_POST), 1);
	del_chan(c);
}

static void
test_http_large_upload(void **state)
{
	struct chan *c;
	struct conn k;
	const struct event *ev;
	char hdr[512];
	uint8_t *body;
	size_t hl, o;

	(void)state;
	assert_non_null(body = malloc(1500000));
	memset(body, 'q', 1500000);
	c = new_chan(256);
	c->http_upload.max_bytes = 1000000;
	conn_init(&k, "10.0.0.5", "203.0.113.80", 40000, 80, 0);
	hl = post_hdr(hdr, sizeof(hdr), "backup.example.com",
	    "application/octet-stream", 1500000);
	tcp_send(c, &k, T0, hdr, hl);
	tcp_stream(c, &k, T0 + XT_SEC, body, 1500000, 1448);
	assert_int_equal(count_det(DET_HTTP_LARGE_UPLOAD), 1);
	ev = find_det(DET_HTTP_LARGE_UPLOAD);
	check_event(ev);
	assert_true(ev->bytes > 1000000 && ev->bytes <= 1500000);
	assert_string_equal(ev->domain, "backup.example.com");
	del_chan(c);

	/* Same upload to a server inside home_net: silent unless internal. */
	c = new_chan(256);
	c->http_upload.max_bytes = 1000000;
	conn_init(&k, "10.0.0.5", "10.0.0.80", 40000, 80, 1);
	tcp_send(c, &k, T0, hdr, hl);
	tcp_stream(c, &k, T0 + XT_SEC, body, 1500000, 1448);
	assert_int_equal(nev, 0);
	del_chan(c);

	/* Every segment sent twice: counted once, so 990 KB stays under. */
	c = new_chan(256);
	c->http_upload.max_bytes = 1000000;
	conn_init(&k, "10.0.0.5", "203.0.113.80", 40000, 80, 0);
	hl = post_hdr(hdr, sizeof(hdr), "backup.example.com",
	    "application/octet-stream", 990000);
	tcp_send(c, &k, T0, hdr, hl);
	for (o = 0; o < 990000; o += 1000) {
		tcp_at(c, &k, T0 + XT_SEC, k.seq, body + o, 1000, 1000);
		tcp_send(c, &k, T0 + XT_SEC, body + o, 1000);
	}
	assert_int_equal(nev, 0);
	assert_true(c->st.http_retrans >= 990);
	/* The next request on the connection tips it over. */
	hl = post_hdr(hdr, sizeof(hdr), "backup.example.com",
	    "application/octet-stream", 20000);
	tcp_send(c, &k, T0 + 2 * XT_SEC, hdr, hl);
	tcp_stream(c, &k, T0 + 2 * XT_SEC, body, 20000, 1448);
	assert_int_equal(count_det(DET_HTTP_LARGE_UPLOAD), 1);
	assert_int_equal(find_det(DET_HTTP_LARGE_UPLOAD)->bytes, 1010000);
	assert_int_equal(find_det(DET_HTTP_LARGE_UPLOAD)->count, 2);
	del_chan(c);

	/* Chunked: bytes counted, the last chunk ends the request. */
	c = new_chan(256);
	c->http_upload.max_bytes = 100000;
	conn_init(&k, "10.0.0.5", "203.0.113.80", 40000, 80, 0);
	{
		static const char ch[] = "POST /u HTTP/1.1\r\n"
		    "Host: b.example.com\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n";
		char chunk[2100];

		tcp_send(c, &k, T0, ch, sizeof(ch) - 1);
		for (o = 0; o < 60; o++) {
			int n = snprintf(chunk, sizeof(chunk), "7d0\r\n");

			memset(chunk + n, 'c', 2000);
			memcpy(chunk + n + 2000, "\r\n", 2);
			tcp_send(c, &k, T0, chunk, (size_t)n + 2002);
		}
		tcp_send(c, &k, T0, "0\r\n\r\n", 5);
	}
	assert_int_equal(count_det(DET_HTTP_LARGE_UPLOAD), 1);
	del_chan(c);
	free(body);
}

static void
test_http_numeric_host(void **state)
{
	struct chan *c;
	struct conn k;
	const struct event *ev;
	char hdr[512];
	static uint8_t body[300000];
	size_t hl;

	(void)state;
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "203.0.113.9", 40000, 8080, 0);
	hl = post_hdr(hdr, sizeof(hdr), "203.0.113.9:8080",
	    "application/octet-stream", sizeof(body));
	tcp_send(c, &k, T0, hdr, hl);
	/* Declared size decides before the body is sent. */
	assert_int_equal(count_det(DET_HTTP_NUMERIC_HOST), 1);
	tcp_stream(c, &k, T0, body, sizeof(body), 1448);
	assert_int_equal(count_det(DET_HTTP_NUMERIC_HOST), 1);
	ev = find_det(DET_HTTP_NUMERIC_HOST);
	check_event(ev);
	assert_string_equal(ev->domain, "203.0.113.9");
	assert_int_equal(ev->bytes, sizeof(body));
	del_chan(c);

	/* Named host, or a small body, or an IPv6 literal: */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "203.0.113.9", 40000, 80, 0);
	hl = post_hdr(hdr, sizeof(hdr), "api.example.com",
	    "application/octet-stream", sizeof(body));
	tcp_send(c, &k, T0, hdr, hl);
	tcp_stream(c, &k, T0, body, sizeof(body), 1448);
	hl = post_hdr(hdr, sizeof(hdr), "203.0.113.9", "text/plain", 1000);
	tcp_send(c, &k, T0, hdr, hl);
	tcp_send(c, &k, T0, body, 1000);
	assert_int_equal(nev, 0);
	hl = post_hdr(hdr, sizeof(hdr), "[2001:db8::1]:443",
	    "application/octet-stream", sizeof(body));
	tcp_send(c, &k, T0, hdr, hl);
	assert_int_equal(count_det(DET_HTTP_NUMERIC_HOST), 1);
	del_chan(c);

	assert_true(chan_host_is_numeric("1.2.3.4", 7));
	assert_true(chan_host_is_numeric("3232235777", 10));
	assert_true(chan_host_is_numeric("[::1]", 5));
	assert_false(chan_host_is_numeric("1.2.3.4.5", 9));
	assert_false(chan_host_is_numeric("example.com", 11));
	assert_false(chan_host_is_numeric("1e3", 3));
	assert_false(chan_host_is_numeric("", 0));
	assert_false(chan_host_is_numeric("12345678901", 11));
}

/* Headers cut at every byte from "POST /" on: the same two events. */
static void
test_http_split_everywhere(void **state)
{
	struct chan *c;
	struct conn k;
	char req[1024];
	static uint8_t body[300000];
	size_t hl, s;

	(void)state;
	memset(body, 'b', sizeof(body));
	memcpy(body, "PK\x03\x04", 4);
	hl = post_hdr(req, sizeof(req), "198.51.100.77", "application/zip",
	    sizeof(body));
	memcpy(req + hl, body, 16);
	for (s = 6; s < hl + 16; s++) {
		c = new_chan(64);
		c->http_archive.max_posts = 0;
		conn_init(&k, "10.0.0.5", "198.51.100.77", 40000, 80, 0);
		tcp_send(c, &k, T0, req, s);
		if (s < hl) {
			tcp_send(c, &k, T0, req + s, hl - s);
			tcp_stream(c, &k, T0, body, sizeof(body), 1448);
		} else {
			tcp_send(c, &k, T0, req + s, hl + 16 - s);
			tcp_stream(c, &k, T0, body + 16, sizeof(body) - 16,
			    1448);
		}
		if (count_det(DET_HTTP_ARCHIVE_POST) != 1 ||
		    count_det(DET_HTTP_NUMERIC_HOST) != 1)
			fail_msg("split at %zu: archive %d numeric %d", s,
			    count_det(DET_HTTP_ARCHIVE_POST),
			    count_det(DET_HTTP_NUMERIC_HOST));
		del_chan(c);
	}
}

struct httpcap {
	const char	*path;
	uint64_t	 body;		/* request body bytes on the wire */
	int		 numeric;	/* its Host is an address */
};

static void
test_http_pcaps(void **state)
{
	static const struct httpcap caps[] = {
		/* two POSTs of 61484 bytes to Host 127.0.0.1 (ports 80, 5000) */
		{ "zeek/pcap/http-post-large.pcap", 122968, 1 },
		{ "arkime/pcap/http-post-upload.pcap", 449, 1 },
		/* 39 + 170 + 68 on one keep-alive connection */
		{ "suricata-verify/pcap/http-post-file.pcap", 277, 0 },
		/* 1.6 MB declared, 81920 sent before the server reset */
		{ "zeek/pcap/http-putty-upload.pcap", 81920, 0 },
	};
	static const char *const home[] = { "127.0.0.1", "::1",
	    "192.168.8.97", NULL };
	const struct event *ev;
	struct replay rp;
	struct chan *c;
	char path[512];
	size_t i, ran = 0;
	int j;

	(void)state;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!pcaps_path(path, sizeof(path), caps[i].path))
			continue;
		c = new_chan(1024);
		c->http_upload.max_bytes = 200;
		c->http_upload.internal = 1;
		c->http_numeric.min_body = 200;
		c->http_numeric.internal = 1;
		memset(&rp, 0, sizeof(rp));
		rp.home = home;
		replay(c, path, &rp);
		print_events(caps[i].path);
		assert_true(rp.tcp_c2s > 0);
		if (count_det(DET_HTTP_LARGE_UPLOAD) < 1)
			fail_msg("%s: no upload event (requests %llu)",
			    caps[i].path,
			    (unsigned long long)c->st.http_requests);
		ev = find_det(DET_HTTP_LARGE_UPLOAD);
		check_event(ev);
		assert_true(c->st.http_bodies >= 1);
		assert_int_equal(count_det(DET_HTTP_NUMERIC_HOST) > 0,
		    caps[i].numeric);
		assert_int_equal(count_det(DET_HTTP_ARCHIVE_POST), 0);
		assert_int_equal(count_det(DET_HTTP_RECON_POST), 0);
		ran++;
		del_chan(c);
		/* Every body byte is counted, each once: fires at body - 1... */
		for (j = 0; j < 2; j++) {
			c = new_chan(1024);
			c->http_upload.max_bytes = caps[i].body - 1 + (uint64_t)j;
			c->http_upload.internal = 1;
			memset(&rp, 0, sizeof(rp));
			rp.home = home;
			replay(c, path, &rp);
			/* ...and not at body. */
			assert_int_equal(count_det(DET_HTTP_LARGE_UPLOAD), !j);
			if (j == 0)
				assert_int_equal(
				    find_det(DET_HTTP_LARGE_UPLOAD)->bytes,
				    caps[i].body);
			del_chan(c);
		}
		/* Default thresholds: nothing in these small uploads. */
		c = new_chan(1024);
		c->http_upload.internal = 1;
		c->http_numeric.internal = 1;
		memset(&rp, 0, sizeof(rp));
		rp.home = home;
		replay(c, path, &rp);
		assert_int_equal(nev, 0);
		del_chan(c);
	}
	if (ran == 0)
		skip();
}

/* ---- TLS ----------------------------------------------------------------- */

static size_t
client_hello(uint8_t *b, size_t cap, const char *sni, size_t snilen)
{
	size_t o = 0, hs, ext, rl;

	assert_true(snilen + 200 < cap);
	b[o++] = 0x16; b[o++] = 3; b[o++] = 1;
	rl = o; o += 2;
	b[o++] = 1;			/* client_hello */
	hs = o; o += 3;
	b[o++] = 3; b[o++] = 3;		/* TLS 1.2 */
	memset(b + o, 0xab, 32); o += 32;
	b[o++] = 32; memset(b + o, 0xcd, 32); o += 32;
	b[o++] = 0; b[o++] = 4;
	b[o++] = 0x13; b[o++] = 0x01; b[o++] = 0xc0; b[o++] = 0x2f;
	b[o++] = 1; b[o++] = 0;
	ext = o; o += 2;
	/* supported_groups first, so the SNI is not at a fixed offset */
	b[o++] = 0; b[o++] = 10; b[o++] = 0; b[o++] = 4;
	b[o++] = 0; b[o++] = 2; b[o++] = 0; b[o++] = 29;
	if (sni != NULL) {
		b[o++] = 0; b[o++] = 0;
		b[o++] = (uint8_t)((snilen + 5) >> 8);
		b[o++] = (uint8_t)(snilen + 5);
		b[o++] = (uint8_t)((snilen + 3) >> 8);
		b[o++] = (uint8_t)(snilen + 3);
		b[o++] = 0;
		b[o++] = (uint8_t)(snilen >> 8);
		b[o++] = (uint8_t)snilen;
		memcpy(b + o, sni, snilen);
		o += snilen;
	}
	b[ext] = (uint8_t)((o - ext - 2) >> 8);
	b[ext + 1] = (uint8_t)(o - ext - 2);
	b[hs] = 0;
	b[hs + 1] = (uint8_t)((o - hs - 3) >> 8);
	b[hs + 2] = (uint8_t)(o - hs - 3);
	b[rl] = (uint8_t)((o - rl - 2) >> 8);
	b[rl + 1] = (uint8_t)(o - rl - 2);
	return o;
}

static void
test_tls_sni_parse(void **state)
{
	uint8_t b[512];
	const uint8_t *sni;
	size_t len, l, snilen;

	(void)state;
	len = client_hello(b, sizeof(b), "www.example.com", 15);
	assert_int_equal(chan_tls_sni(b, len, &sni, &snilen), 1);
	assert_int_equal(snilen, 15);
	assert_memory_equal(sni, "www.example.com", 15);
	/* Cut at every length: never found, never read past the cut. */
	for (l = 0; l < len; l++) {
		uint8_t *cut = malloc(l > 0 ? l : 1);

		memcpy(cut, b, l);
		assert_in_range(chan_tls_sni(cut, l, &sni, &snilen), -2, -1);
		if (l > 0)
			assert_int_equal(chan_tls_sni(cut, l, &sni,
			    &snilen), -2);
		free(cut);
	}
	len = client_hello(b, sizeof(b), NULL, 0);
	assert_int_equal(chan_tls_sni(b, len, &sni, &snilen), 0);
	b[5] = 2;			/* server_hello */
	assert_int_equal(chan_tls_sni(b, len, &sni, &snilen), -1);
	assert_int_equal(chan_tls_sni((const uint8_t *)"GET /", 5, &sni,
	    &snilen), -1);
}

static void
test_snicat_match(void **state)
{
	static const char *const yes[] = {
	    "LIST-abcdefgh12345678.evil.example",
	    "LS-ABCDEFGH12345678.c2.example",
	    "SIZE-0000000000000000.x.io", "LD-a1b2c3d4e5f6g7h8.x.io",
	    "CB-a1b2c3d4e5f6g7h8.x.io", "CD-a1b2c3d4e5f6g7h8.x.io",
	    "EX-a1b2c3d4e5f6g7h8.x.io", "ALIVE-a1b2c3d4e5f6g7h8.x.io",
	    "EXIT-a1b2c3d4e5f6g7h8.x.io", "WHERE-a1b2c3d4e5f6g7h8.x.io",
	    "finito-a1b2c3d4e5f6g7h8.x.io", "www.LS-a1b2c3d4e5f6g7h8.x.io",
	    NULL };
	static const char *const no[] = {
	    "list-abcdefgh12345678.evil.example",	/* case matters */
	    "LIST-abcdefgh1234567.evil.example",	/* 15 */
	    "LIST-abcdefgh123456789.evil.example",	/* 17 */
	    "LIST-abcdefgh1234567_.evil.example",
	    "LIST-abcdefgh12345678", "FOO-abcdefgh12345678.x.io",
	    "www.example.com", "", NULL };
	size_t rest;
	int i;

	(void)state;
	for (i = 0; yes[i] != NULL; i++)
		if (!chan_snicat_match(yes[i], strlen(yes[i]), &rest))
			fail_msg("no match: %s", yes[i]);
	assert_true(chan_snicat_match(yes[11], strlen(yes[11]), &rest));
	assert_string_equal(yes[11] + rest, "x.io");
	for (i = 0; no[i] != NULL; i++)
		if (chan_snicat_match(no[i], strlen(no[i]), &rest))
			fail_msg("match: %s", no[i]);
}

static void
test_tls_snicat(void **state)
{
	struct chan *c;
	struct conn k;
	const struct event *ev;
	struct dpi_result dr;
	struct pktinfo pi;
	uint8_t b[512];
	char name[80];
	size_t len;
	int i, n;

	(void)state;
	c = new_chan(256);
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "%s-%08dabcdefgh.snicat.example",
		    i % 2 ? "LIST" : "EX", i);
		len = client_hello(b, sizeof(b), name, strlen(name));
		conn_init(&k, "10.0.0.5", "198.51.100.30",
		    (uint16_t)(50000 + i), 443, 0);
		tcp_send(c, &k, T0 + i * XT_SEC, b, len);
	}
	assert_int_equal(count_det(DET_TLS_SNICAT), 1);
	ev = find_det(DET_TLS_SNICAT);
	check_event(ev);
	assert_string_equal(ev->domain, "snicat.example");
	assert_int_equal(ev->dport, 443);
	assert_true(ev->score >= 80);
	assert_int_equal(c->st.tls_hellos, 30);
	/* Next window: the count of the window so far. */
	len = client_hello(b, sizeof(b),
	    "WHERE-0000000000000000.snicat.example", 37);
	tcp_send(c, &k, T0 + 11 * XT_MIN, b, len);
	assert_int_equal(count_det(DET_TLS_SNICAT), 2);
	del_chan(c);

	/* Ordinary names: nothing. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "198.51.100.30", 50000, 443, 0);
	len = client_hello(b, sizeof(b), "LIST-of-things.example.com", 26);
	tcp_send(c, &k, T0, b, len);
	len = client_hello(b, sizeof(b), "list-abcdefgh12345678.example", 29);
	tcp_send(c, &k, T0, b, len);
	assert_int_equal(nev, 0);
	del_chan(c);

	/* A hello cut before its SNI: nDPI's name stands in. */
	c = new_chan(256);
	conn_init(&k, "10.0.0.5", "198.51.100.30", 50000, 443, 0);
	len = client_hello(b, sizeof(b), "EXIT-abcdefgh12345678.c2.example",
	    32);
	memset(&dr, 0, sizeof(dr));
	snprintf(dr.name, sizeof(dr.name), "EXIT-abcdefgh12345678.c2.example");
	memset(msg, 0, sizeof(*msg));
	msg->ts = T0;
	msg->proto = 6;
	msg->c2s = 1;
	msg->payload_len = (uint32_t)len;
	memset(&pi, 0, sizeof(pi));
	pi.m = msg;
	pi.payload = b;
	pi.payload_caplen = (uint32_t)(len - 20);
	pi.payload_len = (uint32_t)len;
	pi.host = &k.h;
	pi.remote = &k.r;
	pi.rport = 443;
	pi.from_host = 1;
	pi.dpi = &dr;
	n = chan_packet(c, &pi, evs, MAXEV);
	assert_int_equal(n, 1);
	assert_int_equal(evs[0].detector, DET_TLS_SNICAT);
	assert_string_equal(evs[0].domain, "c2.example");
	assert_int_equal(c->st.tls_truncated, 1);
	del_chan(c);
}

/* ---- records ------------------------------------------------------------- */

static void
test_tls_volume(void **state)
{
	struct chan *c = new_chan(256);
	struct recspec s;
	const struct event *ev;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.host = "10.0.0.5";
	s.remote = "203.0.113.100";
	s.rport = 443;
	s.master = NDPI_PROTOCOL_TLS;
	s.appname = "TLS";
	s.sni = "upload.example.org";
	s.dir = DIR_OUTBOUND;
	/* 300 MB per minute for ten minutes: 600 MB per 2 min, under. */
	s.sent = 50000000;
	for (i = 0; i < 60; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	assert_int_equal(nev, 0);
	/* 1.2 GB in one minute: over. */
	s.sent = 200000000;
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + 20 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_TLS_HIGH_VOLUME), 1);
	ev = find_det(DET_TLS_HIGH_VOLUME);
	check_event(ev);
	assert_true(ev->bytes > 1070000000ULL);
	assert_string_equal(ev->domain, "upload.example.org");
	assert_non_null(strstr(ev->reason, "upload.example.org"));
	assert_non_null(strstr(ev->reason, "2 min"));
	/* Inbound (a remote client pulling from the host): not an upload. */
	s.dir = DIR_INBOUND;
	s.sni = "other.example.org";
	for (i = 0; i < 12; i++)
		rec_send(c, T0 + 40 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_TLS_HIGH_VOLUME), 1);
	del_chan(c);
}

/* A ClientHello in pieces: its SNI is judged once the pieces complete it. */
static void
test_tls_snicat_pieces(void **state)
{
	struct chan *c;
	struct conn k, k2;
	uint8_t b[512], big[CHAN_HELLO_MAX * 2];
	const char *name = "LIST-abcdefgh12345678.c2.example";
	size_t len;
	int i;

	(void)state;
	c = new_chan(256);
	len = client_hello(b, sizeof(b), name, strlen(name));
	/* Three pieces, the middle one retransmitted with more data. */
	conn_init(&k, "10.0.0.5", "198.51.100.30", 50000, 443, 0);
	tcp_send(c, &k, T0, b, 40);
	assert_int_equal(c->st.tls_truncated, 1);
	assert_int_equal(c->nhellos, 1);
	tcp_at(c, &k, T0, k.seq, b + 40, 20, 20);
	tcp_at(c, &k, T0, k.seq, b + 40, 50, 50);
	k.seq += 50;
	assert_int_equal(nev, 0);
	tcp_send(c, &k, T0, b + 90, len - 90);
	assert_int_equal(count_det(DET_TLS_SNICAT), 1);
	assert_string_equal(find_det(DET_TLS_SNICAT)->domain, "c2.example");
	assert_int_equal(c->st.tls_reassembled, 1);
	assert_int_equal(c->nhellos, 0);
	/* A piece missing: the hello is given up, nothing is guessed. */
	conn_init(&k2, "10.0.0.6", "198.51.100.30", 50001, 443, 0);
	tcp_send(c, &k2, T0, b, 40);
	tcp_at(c, &k2, T0, k2.seq + 10, b + 50, len - 50, len - 50);
	assert_int_equal(c->st.tls_lost, 1);
	assert_int_equal(c->nhellos, 0);
	/* Cut by the capture: it cannot be completed, nDPI's name is used. */
	conn_init(&k2, "10.0.0.6", "198.51.100.30", 50002, 443, 0);
	tcp_at(c, &k2, T0, k2.seq, b, 60, 40);
	assert_int_equal(c->nhellos, 0);
	/*
	 * A record claiming more than a buffer holds, or a handshake longer
	 * than its record (it would continue in another record): not kept.
	 */
	memcpy(big, b, 60);
	big[3] = 0x40;				/* record: 16 KB */
	big[4] = 0x00;
	big[6] = 0; big[7] = 0x3f; big[8] = 0xfc;
	conn_init(&k2, "10.0.0.6", "198.51.100.30", 50003, 443, 0);
	tcp_send(c, &k2, T0, big, 60);
	assert_int_equal(c->nhellos, 0);
	memcpy(big, b, 60);
	big[7] = (uint8_t)(len >> 8);		/* handshake > record */
	big[8] = (uint8_t)len;
	tcp_send(c, &k2, T0, big, 60);
	assert_int_equal(c->nhellos, 0);
	/*
	 * The most a buffer keeps is its record: a long retransmission that
	 * overlaps the pieces seen, and more data after the hello, are cut
	 * to what the record still needs.
	 */
	memset(big, 'A', sizeof(big));
	len = client_hello(big, sizeof(big), name, strlen(name));
	conn_init(&k2, "10.0.0.6", "198.51.100.30", 50004, 443, 0);
	tcp_send(c, &k2, T0, big, 40);
	assert_int_equal(c->nhellos, 1);
	tcp_at(c, &k2, T0, k2.seq - 30, big + 10, sizeof(big) - 10,
	    sizeof(big) - 10);
	assert_int_equal(c->nhellos, 0);
	assert_int_equal(c->st.tls_reassembled, 2);
	assert_int_equal(count_det(DET_TLS_SNICAT), 2);
	/* More hellos in pieces than buffers: the oldest is lost, counted. */
	for (i = 0; i < CHAN_HELLOS + 3; i++) {
		conn_init(&k2, "10.0.0.7", "198.51.100.30",
		    (uint16_t)(51000 + i), 443, 0);
		tcp_send(c, &k2, T0 + i * 10000, b, 40);
	}
	assert_int_equal(c->nhellos, CHAN_HELLOS);
	assert_int_equal(c->st.tls_lost, 4);
	/* ... and buffers left waiting are dropped as time moves on. */
	tcp_send(c, &k, T0 + CHAN_HELLO_IDLE + XT_SEC, b, 10);
	assert_int_equal(c->st.tls_lost, 4 + CHAN_HELLOS);
	assert_int_equal(count_det(DET_TLS_SNICAT), 2);
	del_chan(c);
}

static void
test_tls_nosni(void **state)
{
	struct chan *c = new_chan(256);
	struct recspec s;
	const struct event *ev;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.host = "10.0.0.5";
	s.remote = "203.0.113.101";
	s.rport = 443;
	s.app = NDPI_PROTOCOL_TLS;
	s.appname = "TLS";
	s.dir = DIR_OUTBOUND;
	s.sent = 10000000;
	/* With a server name: not this detector. */
	s.sni = "cdn.example.org";
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_TLS_NO_SNI_UPLOAD), 0);
	s.sni = NULL;
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_TLS_NO_SNI_UPLOAD), 1);
	ev = find_det(DET_TLS_NO_SNI_UPLOAD);
	check_event(ev);
	assert_true(ev->bytes > 50000000ULL);
	assert_non_null(strstr(ev->reason, "203.0.113.101"));
	assert_non_null(strstr(ev->reason, "no such TLS"));
	/* nDPI's missing-SNI risk alone also counts. */
	s.app = 0;
	s.appname = "Unknown";
	s.remote = "203.0.113.102";
	s.risk = 1ULL << NDPI_TLS_MISSING_SNI;
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + 2 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_TLS_NO_SNI_UPLOAD), 2);
	del_chan(c);
}

static void
test_dns_encrypted(void **state)
{
	struct chan *c = new_chan(256);
	struct netset rs;
	struct recspec s;
	const struct event *ev;
	char err[128];
	int i;

	(void)state;
	netset_init(&rs);
	assert_int_equal(netset_add_str(&rs, "1.1.1.1", err, sizeof(err)), 0);
	assert_int_equal(netset_add_str(&rs, "8.8.8.8", err, sizeof(err)), 0);
	assert_int_equal(netset_prepare(&rs), 0);
	chan_set_resolvers(c, &rs);
	assert_int_equal(netset_count(&rs), 0);	/* taken over */
	memset(&s, 0, sizeof(s));
	s.host = "10.0.0.5";
	s.dir = DIR_OUTBOUND;
	s.app = NDPI_PROTOCOL_TLS;
	s.appname = "TLS";
	s.sent = 3000;
	/* A resolver that is named, as browsers and phones do: quiet. */
	s.remote = "8.8.8.8";
	s.rport = 853;
	s.master = NDPI_PROTOCOL_DOH_DOT;
	s.sni = "dns.google";
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 0);
	/* No name, but on a port left out of nosni_ports: quiet. */
	s.master = 0;
	s.sni = NULL;
	s.remote = "1.1.1.1";
	rec_send(c, T0 + XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 0);
	/* No name to a listed resolver elsewhere than a resolver: quiet. */
	s.rport = 443;
	s.remote = "203.0.113.9";
	rec_send(c, T0 + XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 0);
	/* No name to a listed resolver on 443: at once, small as it is. */
	s.remote = "1.1.1.1";
	rec_send(c, T0 + 2 * XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 1);
	ev = find_det(DET_DNS_ENCRYPTED);
	check_event(ev);
	assert_true(ev->score >= 60);
	assert_true(ev->bytes == 6000);	/* with the session on 853 */
	assert_int_equal(ev->dport, 443);
	assert_non_null(strstr(ev->reason, "without a server name"));
	assert_non_null(strstr(ev->reason, "1.1.1.1"));
	/* Once per window for that pair. */
	rec_send(c, T0 + 3 * XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 1);
	/* nDPI's missing-SNI risk on an unclassified flow counts too. */
	s.remote = "8.8.8.8";
	s.app = 0;
	s.appname = "Unknown";
	s.risk = 1ULL << NDPI_TLS_MISSING_SNI;
	rec_send(c, T0 + 3 * XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 2);
	/*
	 * Named DoH to a resolver nobody listed, known by nDPI: quiet at
	 * lookup volume, an event past max_bytes (2 MB in 10 min).
	 */
	s.risk = 0;
	s.remote = "203.0.113.53";
	s.master = NDPI_PROTOCOL_DOH_DOT;
	s.appname = "DoH_DoT";
	s.sni = "doh.example.net";
	s.sent = 150000;
	for (i = 0; i < 13; i++)
		rec_send(c, T0 + 4 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 2);
	for (; i < 20; i++)
		rec_send(c, T0 + 4 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 3);
	ev = &evs[nev - 1];
	assert_int_equal(ev->detector, DET_DNS_ENCRYPTED);
	check_event(ev);
	assert_true(ev->bytes > 2000000);
	assert_string_equal(ev->domain, "doh.example.net");
	assert_non_null(strstr(ev->reason, "threshold"));
	/* Another name on a listed address is not DNS, whatever its volume. */
	s.remote = "8.8.8.8";
	s.master = 0;
	s.app = NDPI_PROTOCOL_TLS;
	s.appname = "TLS";
	s.sni = "www.example.org";
	s.sent = 3000000;
	rec_send(c, T0 + 15 * XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 3);
	/* Not TLS at all, to a listed resolver (plain DNS over TCP): quiet. */
	s.remote = "8.8.8.8";
	s.rport = 53;
	s.master = NDPI_PROTOCOL_DNS;
	s.app = 0;
	s.appname = "DNS";
	s.sni = NULL;
	rec_send(c, T0 + 20 * XT_MIN, &s);
	assert_int_equal(count_det(DET_DNS_ENCRYPTED), 3);
	del_chan(c);
}

static void
test_cloud(void **state)
{
	static const char *const list[] = { "dropbox.com", "*.box.com",
	    ".s3.amazonaws.com", "pastebin.com", NULL };
	struct chan_suffixes sl;
	struct chan *c = new_chan(256);
	struct recspec s;
	const struct event *ev;
	char err[256];
	double s1;
	int i;

	(void)state;
	memset(&sl, 0, sizeof(sl));
	for (i = 0; list[i] != NULL; i++)
		assert_int_equal(chan_suffixes_add(&sl, list[i], err,
		    sizeof(err)), 0);
	chan_set_cloud_suffixes(c, &sl);
	assert_int_equal(sl.n, 0);
	c->cloud.learn = 0;
	memset(&s, 0, sizeof(s));
	s.host = "10.0.0.5";
	s.remote = "162.125.1.1";
	s.rport = 443;
	s.master = NDPI_PROTOCOL_TLS;
	s.appname = "TLS";
	s.dir = DIR_OUTBOUND;
	s.sent = 5000000;
	/* Look-alike names never match. */
	s.sni = "evil-dropbox.com";
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	s.sni = "dropbox.com.evil.net";
	for (i = 0; i < 6; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	assert_int_equal(nev, 0);
	/* 25 MB to a Dropbox content host: new to host and network. */
	s.sni = "content.DROPBOX.com";
	for (i = 0; i < 5; i++)
		rec_send(c, T0 + XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_CLOUD_UPLOAD), 1);
	ev = find_det(DET_CLOUD_UPLOAD);
	check_event(ev);
	assert_non_null(strstr(ev->reason, "dropbox.com"));
	assert_non_null(strstr(ev->reason, "first use of this service by the "
	    "host and by the network"));
	s1 = ev->score;
	/* A second host: new to it, not to the network: lower score. */
	s.host = "10.0.0.6";
	for (i = 0; i < 5; i++)
		rec_send(c, T0 + 2 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_CLOUD_UPLOAD), 2);
	assert_true(evs[nev - 1].score < s1);
	assert_non_null(strstr(evs[nev - 1].reason, "by the host"));
	assert_null(strstr(evs[nev - 1].reason, "network"));
	/* Unlisted, but nDPI's category says cloud storage. */
	s.host = "10.0.0.7";
	s.sni = "drive.google.example";
	s.app = 217;
	s.appname = "TLS.GoogleDrive";
	s.category = "Cloud";
	for (i = 0; i < 5; i++)
		rec_send(c, T0 + 3 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_CLOUD_UPLOAD), 3);
	assert_non_null(strstr(evs[nev - 1].reason, "TLS.GoogleDrive"));
	/* Not before the learning period is over. */
	c->cloud.learn = XT_DAY;
	s.host = "10.0.0.8";
	s.sni = "x.pastebin.com";
	s.category = NULL;
	for (i = 0; i < 5; i++)
		rec_send(c, T0 + 4 * XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_CLOUD_UPLOAD), 4);
	assert_null(strstr(evs[nev - 1].reason, "first use"));
	del_chan(c);
}

static void
test_suffixes(void **state)
{
	struct chan_suffixes sl;
	char path[] = "/tmp/chan_sfx_XXXXXX", err[512];
	FILE *f;
	int fd;

	(void)state;
	memset(&sl, 0, sizeof(sl));
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "# cloud storage\n\ndropbox.com\n*.box.com # Box\n"
	    "bad name here\n  .WeTransfer.com  \nmega.nz\ndropbox.com\n");
	fclose(f);
	assert_int_equal(chan_load_suffixes(&sl, path, err, sizeof(err)), 1);
	assert_non_null(strstr(err, ":5:"));
	assert_int_equal(sl.n, 4);
	assert_string_equal(chan_suffix_match(&sl, "dl.dropbox.com", 14),
	    "dropbox.com");
	assert_string_equal(chan_suffix_match(&sl, "DROPBOX.COM.", 12),
	    "dropbox.com");
	assert_string_equal(chan_suffix_match(&sl, "a.b.wetransfer.com", 18),
	    "wetransfer.com");
	assert_null(chan_suffix_match(&sl, "evil-dropbox.com", 16));
	assert_null(chan_suffix_match(&sl, "dropbox.com.evil.net", 20));
	assert_null(chan_suffix_match(&sl, "box.com.au", 10));
	assert_null(chan_suffix_match(&sl, "", 0));
	chan_suffixes_free(&sl);
	unlink(path);
	assert_int_equal(chan_load_suffixes(&sl, "/nonexistent/x", err,
	    sizeof(err)), -1);
}

static void
test_port_mismatch(void **state)
{
	struct chan *c = new_chan(256);
	struct recspec s;
	const struct event *ev;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.host = "10.0.0.5";
	s.remote = "203.0.113.110";
	s.master = NDPI_PROTOCOL_TLS;
	s.appname = "TLS";
	s.dir = DIR_OUTBOUND;
	s.sent = 1000;
	s.rport = 443;
	rec_send(c, T0, &s);
	s.rport = 8443;
	rec_send(c, T0, &s);
	/* TLS.ApplePush on 5223 is where it belongs. */
	s.app = 238;
	s.appname = "TLS.ApplePush";
	s.rport = 5223;
	rec_send(c, T0, &s);
	/* Inbound: not this host's choice of port. */
	s.app = 0;
	s.appname = "TLS";
	s.rport = 4444;
	s.dir = DIR_INBOUND;
	rec_send(c, T0, &s);
	assert_int_equal(nev, 0);
	s.dir = DIR_OUTBOUND;
	rec_send(c, T0, &s);
	rec_send(c, T0 + XT_MIN, &s);		/* once per window */
	assert_int_equal(count_det(DET_PORT_MISMATCH), 1);
	ev = find_det(DET_PORT_MISMATCH);
	check_event(ev);
	assert_int_equal(ev->dport, 4444);
	assert_non_null(strstr(ev->reason,
	    "TLS to 203.0.113.110 on port 4444"));
	/* HTTP on 8000 fine, on 81 not; SMTP on 2525; DNS on 5353. */
	s.master = 0;
	s.app = NDPI_PROTOCOL_HTTP;
	s.appname = "HTTP";
	s.rport = 8000;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 1);
	s.rport = 81;
	rec_send(c, T0, &s);
	s.app = NDPI_PROTOCOL_MAIL_SMTP;
	s.rport = 2525;
	rec_send(c, T0, &s);
	s.app = NDPI_PROTOCOL_DNS;
	s.proto = 17;
	s.rport = 5353;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 4);
	c->port_mismatch.dns = 0;
	s.rport = 5354;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 4);
	/* nDPI's risk on its own. */
	s.app = 1;
	s.appname = "FTP_CONTROL";
	s.proto = 6;
	s.rport = 2121;
	s.risk = 1ULL << NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 5);
	/* HTTP on 8080 is in the table: nDPI's risk does not outvote it. */
	s.app = NDPI_PROTOCOL_HTTP;
	s.appname = "HTTP";
	s.rport = 8080;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 5);
	s.app = 1;
	s.appname = "FTP_CONTROL";
	c->port_mismatch.ndpi_risk = 0;
	s.rport = 2122;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 5);
	/* A port list edited at run time is re-read. */
	snprintf(c->port_mismatch.http_ports, PARAM_STRLEN, "80, 81");
	s.app = NDPI_PROTOCOL_HTTP;
	s.risk = 0;
	s.remote = "203.0.113.111";
	s.rport = 81;
	rec_send(c, T0, &s);
	assert_int_equal(count_det(DET_PORT_MISMATCH), 5);
	del_chan(c);
}

static void
test_unknown_upload(void **state)
{
	struct chan *c = new_chan(256);
	struct recspec s;
	const struct event *ev;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.host = "10.0.0.5";
	s.remote = "203.0.113.120";
	s.rport = 9001;
	s.dir = DIR_OUTBOUND;
	s.sent = 20000000;
	/* Still being classified: not counted. */
	s.unclassified = 1;
	for (i = 0; i < 5; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	/* Known protocol: not this detector. */
	s.unclassified = 0;
	s.app = NDPI_PROTOCOL_HTTP;
	s.appname = "HTTP";
	s.rport = 9002;
	for (i = 0; i < 5; i++)
		rec_send(c, T0 + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_UNKNOWN_UPLOAD), 0);
	s.app = 0;
	s.appname = "Unknown";
	s.rport = 9001;
	for (i = 0; i < 3; i++)
		rec_send(c, T0 + XT_MIN + i * 10 * XT_SEC, &s);
	assert_int_equal(count_det(DET_UNKNOWN_UPLOAD), 1);
	/* The HTTP on 9002 was a port mismatch, nothing else. */
	assert_int_equal(nev, 2);
	ev = find_det(DET_UNKNOWN_UPLOAD);
	check_event(ev);
	assert_int_equal(ev->bytes, 60000000ULL);
	assert_int_equal(ev->dport, 9001);
	del_chan(c);
}

/* ---- tables and hostile input ------------------------------------------ */

static void
test_eviction_and_tick(void **state)
{
	struct chan *c = new_chan(16);
	struct chan_stats st;
	addr_t h = A("10.0.0.5"), r;
	uint8_t pl[1200];
	char ip[32];
	int i;

	(void)state;
	memset(pl, 1, sizeof(pl));
	for (i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i + 1);
		r = A(ip);
		icmp_send(c, T0 + i, &h, &r, 1, 0, 8, pl, sizeof(pl));
	}
	assert_int_equal(count_det(DET_ICMP_LARGE), 200);
	chan_stats(c, &st);
	assert_true(st.evicted > 0);
	assert_int_equal(st.entries, 16);
	assert_true(st.memory > 0);
	for (i = 0; i < 4; i++)
		chan_tick(c, T0 + XT_DAY);
	chan_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_true(st.expired > 0);
	del_chan(c);
}

static void
test_hostile(void **state)
{
	struct chan *c = new_chan(128);
	struct conn k;
	static uint8_t big[12000];
	uint8_t b[1600];
	const uint8_t *sni;
	size_t len, snilen, l;
	char hdr[20000];
	int i, j;

	(void)state;
	srand(11);
	/* SNI of 10 KB with control bytes around an SNIcat label. */
	for (i = 0; i < 10000; i++)
		hdr[i] = (char)(rand() % 32);
	memcpy(hdr + 5000, "LIST-abcdefgh12345678.", 22);
	len = client_hello(big, sizeof(big), hdr, 10000);
	assert_int_equal(chan_tls_sni(big, len, &sni, &snilen), 1);
	assert_int_equal(snilen, 10000);
	conn_init(&k, "10.0.0.5", "198.51.100.40", 50000, 443, 0);
	tcp_send(c, &k, T0, big, len);
	assert_int_equal(count_det(DET_TLS_SNICAT), 1);
	assert_true(strlen(find_det(DET_TLS_SNICAT)->reason) <
	    sizeof(evs[0].reason));
	/* Random records shaped like hellos, and every prefix of them. */
	for (i = 0; i < 3000; i++) {
		l = 6 + (size_t)(rand() % 300);
		for (j = 0; j < (int)l; j++)
			b[j] = (uint8_t)rand();
		b[0] = 0x16;
		b[1] = 3;
		b[5] = 1;
		(void)chan_tls_sni(b, l, &sni, &snilen);
		conn_init(&k, "10.0.0.5", "198.51.100.41",
		    (uint16_t)(1024 + i), 443, 0);
		tcp_send(c, &k, T0 + i, b, l);
	}
	/* Garbage after a request line, in random segments and sequences. */
	for (i = 0; i < 2000; i++) {
		static const char *const starts[] = { "POST / HTTP/1.1\r\n",
		    "PUT /x HTTP/1.0\r\n"
		    "Content-Length: 99999999999999999999\r\n",
		    "POST * HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		    "POST / HTTP/1.1\r\nContent-Type: multipart/x\r\n"
		    "Content-Length: 50\r\n\r\n" };
		const char *s0 = starts[i % 4];

		conn_init(&k, "10.0.0.6", "198.51.100.42", (uint16_t)(2000 + i),
		    80, i % 3 == 0);
		tcp_send(c, &k, T0 + i, s0, strlen(s0));
		for (j = 0; j < 6; j++) {
			int m;

			l = (size_t)(rand() % sizeof(b));
			for (m = 0; m < (int)l; m++)
				b[m] = (uint8_t)(rand() % 4 == 0 ? '\n' :
				    rand());
			if (rand() % 5 == 0)
				k.seq += (uint32_t)rand();
			tcp_at(c, &k, T0 + i, k.seq, b, l,
			    rand() % 4 == 0 ? l / 2 : l);
			k.seq += (uint32_t)l;
		}
	}
	/* Headers that never end. */
	conn_init(&k, "10.0.0.7", "198.51.100.43", 3000, 80, 0);
	memset(hdr, 'a', sizeof(hdr));
	memcpy(hdr, "POST / HTTP/1.1\r\nX: ", 20);
	for (i = 0; i < 15; i++)
		tcp_send(c, &k, T0, hdr, 1400);
	assert_true(c->st.http_hdr_too_long >= 1);
	/* ICMP with no payload, and truncated captures. */
	{
		addr_t h = A("10.0.0.5"), r = A("198.51.100.44");

		icmp_send(c, T0, &h, &r, 1, 0, 8, NULL, 0);
	}
	del_chan(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_icmp_tunnel_crafted),
		cmocka_unit_test(test_icmp_ping_benign),
		cmocka_unit_test(test_icmp_large),
		cmocka_unit_test(test_icmp_tunnel_pcap),
		cmocka_unit_test(test_icmp_pings_pcap),
		cmocka_unit_test(test_http_archive),
		cmocka_unit_test(test_http_multipart_archive),
		cmocka_unit_test(test_http_recon),
		cmocka_unit_test(test_http_large_upload),
		cmocka_unit_test(test_http_numeric_host),
		cmocka_unit_test(test_http_split_everywhere),
		cmocka_unit_test(test_http_pcaps),
		cmocka_unit_test(test_tls_sni_parse),
		cmocka_unit_test(test_snicat_match),
		cmocka_unit_test(test_tls_snicat),
		cmocka_unit_test(test_tls_snicat_pieces),
		cmocka_unit_test(test_tls_volume),
		cmocka_unit_test(test_tls_nosni),
		cmocka_unit_test(test_dns_encrypted),
		cmocka_unit_test(test_cloud),
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_port_mismatch),
		cmocka_unit_test(test_unknown_upload),
		cmocka_unit_test(test_eviction_and_tick),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
