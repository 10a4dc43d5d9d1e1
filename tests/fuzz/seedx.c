/*
 * seedx.c: cut seed inputs for the fuzz targets out of real captures.
 *
 * usage: seedx OUTDIR capture...
 *
 * Writes into OUTDIR/fuzz_decode, OUTDIR/fuzz_dns and OUTDIR/fuzz_http_tls
 * (which must exist):
 *   fuzz_decode    whole frames (any link type; the target tries them all),
 *                  plus runs of consecutive frames joined by the target's
 *                  frame separator, so that fragments and flows meet their
 *                  earlier packets;
 *   fuzz_dns       UDP and TCP payloads to or from port 53;
 *   fuzz_http_tls  TCP payloads to or from ports 80 and 443.
 * Frames are decoded with the daemon's own decoder, so every link type it
 * reads gives seeds.  Files are named by a hash of their contents, so equal
 * payloads (retransmissions, the same query in many captures) are kept
 * once, and each capture gives at most a bounded number of seeds: the
 * fuzzer mutates the variety, not the volume.  A capture libpcap cannot
 * open is skipped with a note: broken captures are test inputs elsewhere.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "decode.h"

#define PER_CAPTURE	48	/* seeds of each kind from one capture */
#define RUN_FRAMES	6	/* frames joined into one multi-frame seed */
#define RUNS		4	/* multi-frame seeds per capture */
#define SEP		"EXFR"	/* frame separator of fuzz_decode.c */
#define SEPLEN		4

static const char *outdir;
static unsigned long nwritten;

static uint64_t
fnv64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Returns 1 when a new file was written, 0 when it existed or failed. */
static int
put(const char *target, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	if (n == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/%016llx", outdir, target,
	    (unsigned long long)fnv64(p, n));
	if ((f = fopen(path, "rb")) != NULL) {
		fclose(f);
		return 0;
	}
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "seedx: %s: %s\n", path, strerror(errno));
		return 0;
	}
	if (fwrite(p, 1, n, f) != n) {
		fprintf(stderr, "seedx: %s: short write\n", path);
		fclose(f);
		return 0;
	}
	fclose(f);
	nwritten++;
	return 1;
}

static void
capture(const char *file, struct decoder *dec)
{
	static uint8_t run[RUN_FRAMES * (65536 + SEPLEN)];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pkt p;
	pcap_t *pc;
	size_t runlen = 0;
	int dlt, nframe = 0, ndns = 0, nweb = 0, nrun = 0, inrun = 0;
	uint32_t cap;

	if ((pc = pcap_open_offline(file, errbuf)) == NULL) {
		fprintf(stderr, "seedx: skipped %s: %s\n", file, errbuf);
		return;
	}
	dlt = pcap_datalink(pc);
	decode_init(dec);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		cap = h->caplen > 65535 ? 65535 : h->caplen;
		if (nframe < PER_CAPTURE && put("fuzz_decode", data, cap))
			nframe++;
		if (nrun < RUNS) {
			if (inrun > 0) {
				memcpy(run + runlen, SEP, SEPLEN);
				runlen += SEPLEN;
			}
			memcpy(run + runlen, data, cap);
			runlen += cap;
			if (++inrun == RUN_FRAMES) {
				nrun += put("fuzz_decode", run, runlen);
				inrun = 0;
				runlen = 0;
			}
		}
		if (decode_packet(dec, dlt, 0, data, cap, &p) != DEC_OK ||
		    p.payload_caplen == 0)
			continue;
		if ((p.proto == 17 || p.proto == 6) &&
		    (p.sport == 53 || p.dport == 53)) {
			if (ndns < PER_CAPTURE &&
			    put("fuzz_dns", p.payload, p.payload_caplen))
				ndns++;
		} else if (p.proto == 6 && (p.sport == 80 || p.dport == 80 ||
		    p.sport == 443 || p.dport == 443)) {
			if (nweb < PER_CAPTURE &&
			    put("fuzz_http_tls", p.payload, p.payload_caplen))
				nweb++;
		}
	}
	pcap_close(pc);
}

int
main(int argc, char *argv[])
{
	struct decoder *dec;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: seedx outdir capture...\n");
		return 2;
	}
	/* The fragment cache makes the decoder too big for the stack. */
	if ((dec = malloc(sizeof(*dec))) == NULL) {
		perror("seedx");
		return 1;
	}
	outdir = argv[1];
	for (i = 2; i < argc; i++)
		capture(argv[i], dec);
	free(dec);
	printf("seedx: %lu seeds from %d captures\n", nwritten, argc - 2);
	return 0;
}
