/*
 * fuzz_decode.c: libFuzzer target for the capture side -- decode.c and
 * flow.c, the code that reads every byte an attacker can put on the wire.
 *
 * An input is one frame, or several frames joined by the 4 bytes "EXFR"
 * (so that a non-first fragment can meet its first one in the fragment
 * cache, and packets of one flow meet in the table).  Each frame is decoded
 * as every link type decode_dlt_supported() accepts, because the same
 * bytes reach different parsers under each, and the seeds cut from
 * captures lose their link type anyway.  Every packet that decodes goes
 * into a 16-flow table with a short idle timeout, so creation, lookup,
 * eviction when full, closing, expiry and flush all run.
 *
 * Beyond what ASan and UBSan see, the target aborts when a decoded packet
 * breaks the contract of decode.h: l3 and payload must point inside the
 * frame with their captured lengths, and the captured payload never
 * exceeds the payload on the wire.  A flow record must not claim more
 * packets than were fed.
 *
 * Decoder and table are rebuilt for each input so a crash replays from
 * its file alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow.h"

#define SEP		"EXFR"
#define SEPLEN		4
#define MAX_FRAMES	64
#define BASE_TS		((xtime_t)1700000000 * XT_SEC)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int dlts[64];
static int ndlts;
static struct decoder dec;	/* 60 KB: too big for the stack */
static uint64_t fed;		/* packets given to the table this input */

static void
init_dlts(void)
{
	int dlt;

	/* Link types are below 300 (pcap-linktype(7)); ask, do not list. */
	for (dlt = 0; dlt < 300 && ndlts < (int)(sizeof(dlts) /
	    sizeof(dlts[0])); dlt++)
		if (decode_dlt_supported(dlt))
			dlts[ndlts++] = dlt;
	/* An unsupported link type must be refused, not decoded. */
	dlts[ndlts++] = 12345;
}

static void
emit(void *arg, const struct flow_rec *r)
{
	(void)arg;
	if ((uint64_t)r->tot_pkts[0] + r->tot_pkts[1] > fed ||
	    r->pkts[0] > r->tot_pkts[0] || r->pkts[1] > r->tot_pkts[1] ||
	    r->bytes[0] > r->tot_bytes[0] || r->bytes[1] > r->tot_bytes[1] ||
	    r->last < r->first)
		abort();
}

static int
inside(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 1;	/* an empty slice may point anywhere */
	return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

static void
check(const uint8_t *frame, size_t len, const struct pkt *p)
{
	if (!inside(frame, len, p->l3, p->l3_caplen) ||
	    !inside(frame, len, p->payload, p->payload_caplen) ||
	    p->payload_caplen > p->payload_len ||
	    (p->ipver != 4 && p->ipver != 6))
		abort();
}

static void
frame(struct flow_table *ft, const uint8_t *data, size_t len, xtime_t *ts)
{
	struct pkt p;
	uint32_t idx;
	int i, c2s;

	for (i = 0; i < ndlts; i++) {
		memset(&p, 0, sizeof(p));
		/* Half a second apart: a long input outlives idle_timeout. */
		*ts += XT_SEC / 2;
		if (decode_packet(&dec, dlts[i], *ts, data, (uint32_t)len,
		    &p) != DEC_OK)
			continue;
		check(data, len, &p);
		fed++;
		if (flow_table_packet(ft, &p, &idx, &c2s) == NULL)
			abort();	/* the table evicts, it never refuses */
		flow_table_expire(ft, *ts, 4);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_table ft;
	const uint8_t *p = data, *end = data + size, *q;
	xtime_t ts = BASE_TS;
	char err[256];
	int n;

	if (ndlts == 0)
		init_dlts();
	decode_init(&dec);
	fed = 0;
	if (flow_table_init(&ft, 16, 10 * XT_SEC, 2 * XT_SEC, 5 * XT_SEC,
	    emit, NULL, err, sizeof(err)) == -1)
		abort();
	for (n = 0; n < MAX_FRAMES; n++) {
		q = memmem(p, (size_t)(end - p), SEP, SEPLEN);
		frame(&ft, p, (size_t)((q != NULL ? q : end) - p), &ts);
		if (q == NULL)
			break;
		p = q + SEPLEN;
	}
	/* A frame cut to nothing must be counted, not read. */
	decode_packet(&dec, dlts[0], ts, NULL, 0, &(struct pkt){ 0 });
	flow_table_flush(&ft, REC_FLUSH);
	if (ft.st.active != 0)
		abort();
	(void)flow_table_mem(&ft);
	flow_table_free(&ft);
	return 0;
}
