/*
 * capture.c: the capture thread (see capture.h).
 *
 * The loop reads with pcap_next_ex so that it can look at the stop flag and
 * at the clock between packets; in live capture immediate mode plus a short
 * timeout bounds how long a quiet link delays expiry.
 */
#include <sys/stat.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

#define EXPIRE_BUDGET	4096	/* flows ended per expiry pass */
#define PUBLISH_EVERY	8192	/* packets between counter snapshots */
#define CAPTURE_IOBUF	(1 << 20)	/* stdio buffer for offline reads */
#define CAPTURE_POLL_MS	100		/* longest wait on a quiet link */


static int
capture_filter(struct capture *cap, const char *bpf, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (bpf == NULL || bpf[0] == '\0')
		return 0;
	if (pcap_compile(cap->pc, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "bpf \"%s\": %s", bpf, pcap_geterr(cap->pc));
		return -1;
	}
	if (pcap_setfilter(cap->pc, &prog) == -1) {
		snprintf(err, errlen, "bpf: %s", pcap_geterr(cap->pc));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

int
capture_open_live(struct capture *cap, const char *ifname, const char *bpf,
    int snaplen, uint64_t bufsize, int promisc, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	memset(cap, 0, sizeof(*cap));
	if ((cap->pc = pcap_create(ifname, ebuf)) == NULL) {
		snprintf(err, errlen, "%s: %s", ifname, ebuf);
		return -1;
	}
	if (bufsize > INT32_MAX)
		bufsize = INT32_MAX;
	pcap_set_snaplen(cap->pc, snaplen);
	pcap_set_promisc(cap->pc, promisc);
	pcap_set_immediate_mode(cap->pc, 1);
	pcap_set_timeout(cap->pc, 100);
	pcap_set_buffer_size(cap->pc, (int)bufsize);
	if ((rc = pcap_activate(cap->pc)) < 0) {
		snprintf(err, errlen, "%s: %s", ifname,
		    rc == PCAP_ERROR ? pcap_geterr(cap->pc) : pcap_statustostr(rc));
		pcap_close(cap->pc);
		cap->pc = NULL;
		return -1;
	}
	snprintf(cap->source, sizeof(cap->source), "%s", ifname);
	cap->dlt = pcap_datalink(cap->pc);
	/*
	 * Linux's TPACKET_V3 ring never wakes a blocked read on a quiet
	 * link, whatever the timeout: a flow that ended before the silence
	 * would wait for the next packet to be judged.  Non-blocking reads
	 * and our own poll(2) bound the wait instead.
	 */
	cap->fd = -1;
	if (pcap_setnonblock(cap->pc, 1, ebuf) == 0 &&
	    (cap->fd = pcap_get_selectable_fd(cap->pc)) < 0)
		(void)pcap_setnonblock(cap->pc, 0, ebuf);
	if (capture_filter(cap, bpf, err, errlen) == -1)
		return -1;
	return 0;
}

int
capture_open_offline(struct capture *cap, const char *path, const char *bpf,
    char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct stat sb;
	FILE *fp;

	memset(cap, 0, sizeof(*cap));
	/*
	 * Our own stream with a large buffer: libpcap reads a file through
	 * stdio, and the default 4 KB buffer means a read(2) per 4 KB.
	 */
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((cap->iobuf = malloc(CAPTURE_IOBUF)) != NULL)
		setvbuf(fp, cap->iobuf, _IOFBF, CAPTURE_IOBUF);
	if ((cap->pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		fclose(fp);
		free(cap->iobuf);
		cap->iobuf = NULL;
		return -1;
	}
	cap->offline = 1;
	cap->fd = -1;
	snprintf(cap->source, sizeof(cap->source), "%s", path);
	cap->dlt = pcap_datalink(cap->pc);
	if (stat(path, &sb) == 0)
		cap->file_size = (uint64_t)sb.st_size;
	cap->progress = isatty(STDERR_FILENO);
	return capture_filter(cap, bpf, err, errlen);
}

/* Flow records go straight into the ring; see emit_wait for back-pressure. */
static void *
ring_put(struct capture *cap, uint16_t type, uint32_t len, int is_rec)
{
	unsigned spins = 0;
	void *p;

	while ((p = ring_reserve(cap->ring, type, len)) == NULL) {
		if (!cap->offline ||
		    atomic_load_explicit(&cap->stop, memory_order_relaxed)) {
			if (is_rec)
				cap->c.ring_drops_rec++;
			else
				cap->c.ring_drops_pkt++;
			return NULL;
		}
		cap->c.ring_waits++;
		/*
		 * Yield a few times, then sleep: two threads yielding to each
		 * other on one core (the scheduler may put them there) spin
		 * instead of working.
		 */
		if (++spins < 16)
			sched_yield();
		else {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
	}
	return p;
}

static void
capture_emit(void *arg, const struct flow_rec *r)
{
	struct capture *cap = arg;
	struct flow_rec *m;

	if ((m = ring_put(cap, MSG_REC, sizeof(*m), 1)) == NULL)
		return;
	*m = *r;
	ring_commit(cap->ring);
}

int
capture_setup(struct capture *cap, uint32_t max_flows, xtime_t idle,
    xtime_t close, xtime_t update, int dpi_enabled, uint32_t dpi_limit,
    struct ring *ring, struct pipe_ctl *ctl, char *err, size_t errlen)
{
	decode_init(&cap->dec);
	cap->ring = ring;
	cap->ctl = ctl;
	cap->dpi_enabled = dpi_enabled;
	cap->dpi_limit = dpi_limit;
	atomic_init(&cap->stop, 0);
	atomic_init(&cap->done, 0);
	return flow_table_init(&cap->ft, max_flows, idle, close, update,
	    capture_emit, cap, err, errlen);
}

static void
capture_publish(struct capture *cap)
{
	uint64_t v[sizeof(struct capture_counters) / 8];
	struct pcap_stat ps;
	size_t i;

	if (!cap->offline && pcap_stats(cap->pc, &ps) == 0) {
		cap->c.kernel_drops = ps.ps_drop;
		cap->c.ifdrops = ps.ps_ifdrop;
	}
	cap->c.flows = cap->ft.st.created;
	cap->c.flows_active = cap->ft.st.active;
	cap->c.evicted = cap->ft.st.evicted;
	cap->c.flow_mem = flow_table_mem(&cap->ft);
	memcpy(cap->c.decode, cap->dec.reasons, sizeof(cap->c.decode));
	cap->c.now = cap->now;
	memcpy(v, &cap->c, sizeof(v));
	for (i = 0; i < sizeof(v) / 8; i++)
		atomic_store_explicit(&cap->snap[i], v[i], memory_order_relaxed);
}

void
capture_snapshot(struct capture *cap, struct capture_counters *out)
{
	uint64_t v[sizeof(struct capture_counters) / 8];
	size_t i;

	for (i = 0; i < sizeof(v) / 8; i++)
		v[i] = atomic_load_explicit(&cap->snap[i], memory_order_relaxed);
	memcpy(out, v, sizeof(*out));
}

static void
capture_tick(struct capture *cap, xtime_t now)
{
	struct tick_msg *t;

	if (now - cap->last_expire >= XT_SEC / 4 || now < cap->last_expire) {
		flow_table_expire(&cap->ft, now, EXPIRE_BUDGET);
		cap->last_expire = now;
	}
	if (now - cap->last_tick >= XT_SEC) {
		/* Once a second the stats line sees fresh capture counters. */
		capture_publish(cap);
		if ((t = ring_put(cap, MSG_TICK, sizeof(*t), 0)) != NULL) {
			t->now = now;
			ring_commit(cap->ring);
		}
		cap->last_tick = now;
	}
}

/* Which packets the analysis thread sees: see pipeline.h. */
static int
capture_wants(struct capture *cap, struct flow *f, uint32_t idx,
    const struct pkt *p, int c2s)
{
	uint32_t ctl = pipe_ctl_get(cap->ctl, idx, f->gen);

	switch (ctl) {
	case CTL_STOP:
		return 0;
	case CTL_PAYLOAD:
		if (p->payload_len == 0)
			return 0;
		if (p->proto == IPPROTO_TCP && !c2s &&
		    p->sport != 53 && p->dport != 53)
			return 0;
		return 1;
	default:
		/* TLS is the one protocol whose data the cap below applies to. */
		if (p->proto == IPPROTO_TCP && c2s && p->payload_caplen >= 2 &&
		    (f->dpi_tcp_data & 15) == 0 && p->payload[0] == 0x16 &&
		    p->payload[1] == 0x03)
			f->flags |= FLOW_TLS;
		/*
		 * nDPI learns nothing from a bare TCP ACK once the handshake
		 * is over; not sending those halves what crosses the ring on
		 * bulk transfers while classification is still running.
		 */
		if (cap->dpi_enabled && f->dpi_pkts < cap->dpi_limit &&
		    (p->payload_len > 0 || p->proto != IPPROTO_TCP ||
		    (p->tcp_flags & 0x07) != 0 || f->pkts[0] + f->pkts[1] <= 3) &&
		    (!(f->flags & FLOW_TLS) || p->payload_len == 0 ||
		    ((f->dpi_tcp_data >> (c2s ? 0 : 4)) & 15) < DPI_TCP_DATA))
			return 1;
		/* Without DPI the channel detectors still need these. */
		if (p->payload_len > 0 && (p->sport == 53 || p->dport == 53))
			return 1;
		return p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6;
	}
}

static void
capture_forward(struct capture *cap, struct flow *f, uint32_t idx,
    const struct pkt *p, int c2s)
{
	struct pkt_msg *m;
	uint32_t n = p->l3_caplen;

	if (n > PKT_MSG_MAX)
		n = PKT_MSG_MAX;
	if ((m = ring_put(cap, MSG_PKT, sizeof(*m) + n, 0)) == NULL)
		return;
	m->slot = idx;
	m->gen = f->gen;
	m->ts = p->ts;
	m->src = p->src;
	m->dst = p->dst;
	m->wire_len = p->wire_len;
	m->payload_len = p->payload_len;
	m->sport = p->sport;
	m->dport = p->dport;
	m->l3_len = (uint16_t)n;
	m->payload_off = p->payload != NULL ?
	    (uint16_t)(p->payload - p->l3) : (uint16_t)n;
	if (m->payload_off > n)
		m->payload_off = (uint16_t)n;
	m->c2s = (uint8_t)c2s;
	m->proto = p->proto;
	m->tcp_flags = p->tcp_flags;
	m->pflags = p->flags;
	m->tcp_seq = p->tcp_seq;
	memcpy(m->data, p->l3, n);
	ring_commit(cap->ring);
	if (f->dpi_pkts < 255)
		f->dpi_pkts++;
	if (p->proto == IPPROTO_TCP && p->payload_len > 0 &&
	    ((f->dpi_tcp_data >> (c2s ? 0 : 4)) & 15) < 15)
		f->dpi_tcp_data += c2s ? 1 : 16;
}

static void
capture_progress(struct capture *cap, xtime_t *last, uint64_t *lastpk)
{
	xtime_t w = xtime_clock(CLOCK_REALTIME);
	FILE *fp;
	long pos;

	if (w - *last < XT_SEC / 2)
		return;
	fp = pcap_file(cap->pc);
	pos = fp != NULL ? ftell(fp) : -1;
	if (pos >= 0 && cap->file_size > 0)
		fprintf(stderr, "\rexfild: %.1f of %.1f MB (%.0f%%), %.2f Mpkt/s   ",
		    pos / 1e6, cap->file_size / 1e6,
		    100.0 * (double)pos / (double)cap->file_size,
		    (double)(cap->c.packets - *lastpk) / (double)(w - *last));
	*last = w;
	*lastpk = cap->c.packets;
}

void
capture_run(struct capture *cap)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pkt p;
	struct flow *f;
	uint32_t idx;
	xtime_t ts, plast = 0;
	uint64_t ppk = 0;
	int rc = 0, c2s;

	if (cap->progress)
		plast = xtime_clock(CLOCK_REALTIME);
	while (!atomic_load_explicit(&cap->stop, memory_order_relaxed)) {
		rc = pcap_next_ex(cap->pc, &h, &data);
		if (rc == 0) {
			struct pollfd pf = { cap->fd, POLLIN, 0 };
			xtime_t w;

			/* Nothing queued: wait for more, or time out. */
			if (cap->fd >= 0 &&
			    poll(&pf, 1, CAPTURE_POLL_MS) > 0)
				continue;
			/* Live timeout: a quiet link still ages flows. */
			w = xtime_clock(CLOCK_REALTIME);

			if (w > cap->now)
				cap->now = w;
			capture_tick(cap, cap->now);
			capture_publish(cap);
			continue;
		}
		if (rc != 1)
			break;
		cap->c.packets++;
		cap->c.cap_bytes += h->caplen;
		ts = (xtime_t)h->ts.tv_sec * XT_SEC + h->ts.tv_usec;
		if (ts > cap->now)
			cap->now = ts;	/* time never runs backwards */
		if (decode_packet(&cap->dec, cap->dlt, cap->now, data, h->caplen,
		    &p) == DEC_OK) {
			cap->c.bytes += p.wire_len;
			if ((f = flow_table_packet(&cap->ft, &p, &idx, &c2s)) == NULL)
				cap->c.no_flow++;
			else if (capture_wants(cap, f, idx, &p, c2s))
				capture_forward(cap, f, idx, &p, c2s);
		}
		if (cap->now - cap->last_expire >= XT_SEC / 4 ||
		    cap->now - cap->last_tick >= XT_SEC)
			capture_tick(cap, cap->now);
		if ((cap->c.packets & (PUBLISH_EVERY - 1)) == 0) {
			capture_publish(cap);
			if (cap->progress)
				capture_progress(cap, &plast, &ppk);
		}
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "%sexfild: %s: %s\n", cap->progress ? "\n" : "",
		    cap->source, pcap_geterr(cap->pc));
	else if (cap->progress)
		fprintf(stderr, "\r%*s\r", 70, "");
	/* Everything still open is reported before the thread ends. */
	flow_table_flush(&cap->ft, REC_FLUSH);
	capture_tick(cap, cap->now + XT_SEC);
	capture_publish(cap);
	cap->c.now = cap->now;
	atomic_store_explicit(&cap->done, rc == PCAP_ERROR ? 2 : 1,
	    memory_order_release);
}

void
capture_stop(struct capture *cap)
{
	atomic_store_explicit(&cap->stop, 1, memory_order_relaxed);
	if (cap->pc != NULL)
		pcap_breakloop(cap->pc);
}

void
capture_close(struct capture *cap)
{
	flow_table_free(&cap->ft);
	if (cap->pc != NULL)
		pcap_close(cap->pc);
	cap->pc = NULL;
	free(cap->iobuf);
	cap->iobuf = NULL;
}
