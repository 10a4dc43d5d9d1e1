/*
 * fuzz_http_tls.c: libFuzzer target for the channel detectors that parse
 * TCP payloads -- the HTTP request and body state machine (chan_http.c)
 * and the TLS ClientHello reader (chan_tls.c) -- through chan_packet, as
 * analysis.c calls it.
 *
 * An input is what a client sends.  It is given to chan_tls_sni directly,
 * then to chan_packet:
 *   - whole, as one segment to port 80 and to port 443;
 *   - cut into segments whose sizes come from a generator seeded by the
 *     input's length, with now and then a retransmission (sequence going
 *     back), a gap (sequence jumping ahead) or a segment captured short of
 *     its wire length, because the HTTP parser keeps state across segments
 *     and must survive every reordering TCP can show it;
 *   - as a server's answer and as transit traffic, which must be ignored.
 * The connection then ends through chan_record, which finishes a body in
 * flight, and chan_tick expires what is left.  Thresholds are lowered so
 * the event code runs, and the table holds 64 keys so eviction does too.
 * The state is rebuilt for each input so a crash replays from its file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "fuzz.h"

#define MAXOUT		4
#define BASE_TS		((xtime_t)1700000000 * XT_SEC)

static struct chan ch;
static struct pkt_msg msg;
static addr_t host, remote;

static void
seg(const uint8_t *p, size_t cap, size_t wire, uint16_t hport,
    uint16_t rport, uint32_t seq, xtime_t ts, int from_host,
    enum flow_dir dir)
{
	struct event out[MAXOUT];
	struct pktinfo pi;
	int n;

	memset(&msg, 0, sizeof(msg));
	msg.ts = ts;
	msg.src = from_host ? host : remote;
	msg.dst = from_host ? remote : host;
	msg.sport = from_host ? hport : rport;
	msg.dport = from_host ? rport : hport;
	msg.proto = 6;
	msg.c2s = (uint8_t)from_host;
	msg.tcp_seq = seq;
	msg.payload_len = (uint32_t)wire;
	msg.wire_len = (uint32_t)wire + 40;
	memset(&pi, 0, sizeof(pi));
	pi.m = &msg;
	pi.payload = p;
	pi.payload_caplen = (uint32_t)cap;
	pi.payload_len = (uint32_t)wire;
	pi.host = &host;
	pi.remote = &remote;
	pi.hport = hport;
	pi.rport = rport;
	pi.from_host = from_host;
	pi.home_src = from_host;
	pi.home_dst = !from_host;
	pi.dir = dir;
	n = chan_packet(&ch, &pi, out, MAXOUT);
	fuzz_check_events(out, n, MAXOUT);
}

static void
end(uint16_t hport, uint16_t rport, xtime_t ts)
{
	struct event out[MAXOUT];
	struct flow_rec rec;
	struct flowinfo fi;
	int n;

	memset(&rec, 0, sizeof(rec));
	rec.kind = REC_END;
	rec.proto = 6;
	rec.cli = host;
	rec.srv = remote;
	rec.cport = hport;
	rec.sport = rport;
	rec.first = BASE_TS;
	rec.last = ts;
	rec.bytes[0] = rec.tot_bytes[0] = 100000;
	rec.pkts[0] = rec.tot_pkts[0] = 10;
	memset(&fi, 0, sizeof(fi));
	fi.rec = &rec;
	fi.dir = DIR_OUTBOUND;
	fi.host = &host;
	fi.remote = &remote;
	fi.rport = rport;
	fi.lport = hport;
	fi.host_is_client = 1;
	fi.sent = fi.tot_sent = 100000;
	fi.app = "";
	fi.category_name = "";
	fi.server_name = "";
	n = chan_record(&ch, &fi, out, MAXOUT);
	fuzz_check_events(out, n, MAXOUT);
}

/* The input as a stream of segments, some out of order or cut short. */
static void
stream(const uint8_t *data, size_t size, uint16_t hport, xtime_t ts)
{
	uint64_t rng = size * 0x9e3779b97f4a7c15ULL + 1;
	uint32_t seq = 1000, prevseq = 1000;
	size_t off = 0, prev = 0, l;

	while (off < size) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		l = 1 + (size_t)((rng >> 33) % 700);
		if (l > size - off)
			l = size - off;
		ts += XT_SEC / 10;
		switch ((rng >> 20) & 15) {
		case 0:		/* the previous segment again */
			seg(data + prev, off - prev, off - prev, hport, 80,
			    prevseq, ts, 1, DIR_OUTBOUND);
			break;
		case 1:		/* a segment lost: the parser must resync */
			seq += 1 + (uint32_t)((rng >> 40) % 3000);
			break;
		case 2:		/* captured short of its wire length */
			seg(data + off, l / 2, l, hport, 80, seq, ts, 1,
			    DIR_OUTBOUND);
			prev = off;
			prevseq = seq;
			seq += (uint32_t)l;
			off += l;
			continue;
		}
		seg(data + off, l, l, hport, 80, seq, ts, 1, DIR_OUTBOUND);
		prev = off;
		prevseq = seq;
		seq += (uint32_t)l;
		off += l;
	}
	end(hport, 80, ts + XT_SEC);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chan_suffixes sfx;
	const uint8_t *sni;
	size_t snilen;
	char err[256];
	int r;

	r = chan_tls_sni(data, size, &sni, &snilen);
	if (r < -2 || r > 1)
		abort();
	if (r == 1 && (sni < data || snilen > size ||
	    (size_t)(sni - data) > size - snilen))
		abort();

	if (chan_init(&ch, 64, err, sizeof(err)) == -1)
		abort();
	memset(&sfx, 0, sizeof(sfx));
	if (chan_suffixes_add(&sfx, "dropbox.com", err, sizeof(err)) == -1 ||
	    chan_suffixes_add(&sfx, "s3.amazonaws.com", err,
	    sizeof(err)) == -1)
		abort();
	chan_set_cloud_suffixes(&ch, &sfx);
	ch.http_archive.max_posts = 0;
	ch.http_upload.max_bytes = 1;
	ch.http_numeric.min_body = 0;
	ch.tls_snicat.min_count = 1;
	(void)addr_pton("10.1.2.3", &host);
	(void)addr_pton("203.0.113.9", &remote);

	seg(data, size, size, 40000, 80, 1, BASE_TS, 1, DIR_OUTBOUND);
	seg(data, size, size, 40001, 443, 1, BASE_TS, 1, DIR_OUTBOUND);
	seg(data, size, size, 40002, 80, 1, BASE_TS, 0, DIR_OUTBOUND);
	seg(data, size, size, 40003, 80, 1, BASE_TS, 1, DIR_TRANSIT);
	stream(data, size, 40004, BASE_TS + XT_SEC);
	end(40000, 80, BASE_TS + 2 * XT_SEC);
	chan_tick(&ch, BASE_TS + XT_DAY);
	chan_free(&ch);
	return 0;
}
