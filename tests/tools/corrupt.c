/*
 * corrupt.c: damage a capture in the ways tests/e2e/resilience.sh replays.
 *
 *   corrupt flip SEED PERMILLE IN OUT
 *	Overwrite PERMILLE/1000 of the bytes after the 24-byte file header
 *	with random values.  The header is kept so that libpcap opens the
 *	file and the damage reaches record headers and packets, which is
 *	what a reader must survive; a broken header is tested on its own.
 *	The generator is seeded from SEED alone: the same damage every run.
 *   corrupt flipdata SEED PERMILLE IN OUT
 *	The same inside the packet bytes of a classic pcap only, record
 *	headers kept: the capture reads to its end and every damaged packet
 *	reaches the decoders and detectors instead of stopping libpcap.
 *   corrupt cut IN OUT
 *	A classic pcap cut in the middle of the packet data of its middle
 *	record, as a capture is when the disk fills or the copy stops.
 *   corrupt swap IN OUT
 *	A little-endian classic pcap rewritten big-endian (file and record
 *	headers swapped, packet bytes as they were): what a capture written
 *	on a big-endian machine looks like.
 *   corrupt badblock IN OUT
 *	A pcapng whose second block (after the section header) claims a
 *	total length that is not a multiple of 4 and runs past the file.
 *
 * Exit 0, or 1 with a message when the input is not what the mode needs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_HDR	24
#define REC_HDR		16

static uint8_t	*buf;
static size_t	 len;

static void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "corrupt: %s%s%s\n", arg ? arg : "", arg ? ": " : "",
	    msg);
	exit(1);
}

static void
load(const char *path)
{
	FILE *f;
	size_t cap = 1 << 16, n;

	if ((f = fopen(path, "rb")) == NULL)
		die(strerror(errno), path);
	if ((buf = malloc(cap)) == NULL)
		die("out of memory", NULL);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap && (buf = realloc(buf, cap *= 2)) == NULL)
			die("out of memory", NULL);
	}
	if (ferror(f))
		die("read error", path);
	fclose(f);
}

static void
save(const char *path, size_t n)
{
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL)
		die(strerror(errno), path);
	if (fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		die("write error", path);
}

static uint32_t
rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
swap(uint8_t *p, int n)
{
	uint8_t t;
	int i;

	for (i = 0; i < n / 2; i++) {
		t = p[i];
		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Little-endian classic pcap (microsecond or nanosecond) or die. */
static void
need_pcap_le(const char *path)
{
	uint32_t magic;

	if (len < PCAP_HDR)
		die("shorter than a pcap file header", path);
	magic = rd32le(buf);
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
		die("not a little-endian classic pcap", path);
}

/* Offsets of the records, as far as they are whole. */
static size_t
records(size_t *off, size_t max)
{
	size_t o = PCAP_HDR, n = 0;
	uint32_t caplen;

	while (o + REC_HDR <= len && n < max) {
		caplen = rd32le(buf + o + 8);
		if (caplen > len - o - REC_HDR)
			break;
		off[n++] = o;
		o += REC_HDR + caplen;
	}
	return n;
}

static uint64_t
next(uint64_t *s)
{
	/* splitmix64: small, seedable, the same on every platform. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
main(int argc, char *argv[])
{
	static size_t off[1 << 20];
	size_t n, i, o, nflip;
	uint64_t seed;
	uint32_t caplen, blen;

	if (argc == 6 && strcmp(argv[1], "flip") == 0) {
		load(argv[4]);
		if (len <= PCAP_HDR)
			die("nothing after the file header", argv[4]);
		seed = strtoull(argv[2], NULL, 0);
		nflip = (len - PCAP_HDR) * strtoul(argv[3], NULL, 0) / 1000;
		for (i = 0; i < nflip; i++) {
			o = PCAP_HDR + next(&seed) % (len - PCAP_HDR);
			buf[o] = (uint8_t)next(&seed);
		}
		save(argv[5], len);
	} else if (argc == 6 && strcmp(argv[1], "flipdata") == 0) {
		load(argv[4]);
		need_pcap_le(argv[4]);
		if ((n = records(off, sizeof(off) / sizeof(off[0]))) == 0)
			die("no whole record", argv[4]);
		seed = strtoull(argv[2], NULL, 0);
		nflip = (len - PCAP_HDR - n * REC_HDR) *
		    strtoul(argv[3], NULL, 0) / 1000;
		for (i = 0; i < nflip; i++) {
			/* A random record, weighted by nothing: good enough. */
			o = off[next(&seed) % n];
			caplen = rd32le(buf + o + 8);
			if (caplen == 0)
				continue;
			buf[o + REC_HDR + next(&seed) % caplen] =
			    (uint8_t)next(&seed);
		}
		save(argv[5], len);
	} else if (argc == 4 && strcmp(argv[1], "cut") == 0) {
		load(argv[2]);
		need_pcap_le(argv[2]);
		if ((n = records(off, sizeof(off) / sizeof(off[0]))) == 0)
			die("no whole record", argv[2]);
		o = off[n / 2];
		caplen = rd32le(buf + o + 8);
		if (caplen < 2)
			die("middle record too short to cut", argv[2]);
		save(argv[3], o + REC_HDR + caplen / 2);
	} else if (argc == 4 && strcmp(argv[1], "swap") == 0) {
		load(argv[2]);
		need_pcap_le(argv[2]);
		n = records(off, sizeof(off) / sizeof(off[0]));
		/* A partial last record is left out, not half-converted. */
		o = n > 0 ? off[n - 1] + REC_HDR + rd32le(buf + off[n - 1] + 8) :
		    PCAP_HDR;
		swap(buf, 4);			/* magic */
		swap(buf + 4, 2);		/* version major */
		swap(buf + 6, 2);		/* version minor */
		for (i = 8; i < PCAP_HDR; i += 4)	/* zone, sigfigs, */
			swap(buf + i, 4);	/* snaplen, linktype */
		for (i = 0; i < n; i++) {
			swap(buf + off[i], 4);		/* seconds */
			swap(buf + off[i] + 4, 4);	/* fraction */
			swap(buf + off[i] + 8, 4);	/* caplen */
			swap(buf + off[i] + 12, 4);	/* wire length */
		}
		save(argv[3], o);
	} else if (argc == 4 && strcmp(argv[1], "badblock") == 0) {
		load(argv[2]);
		if (len < 12 || rd32le(buf) != 0x0a0d0d0a ||
		    rd32le(buf + 8) != 0x1a2b3c4d)
			die("not a little-endian pcapng", argv[2]);
		blen = rd32le(buf + 4);
		if (blen < 12 || blen > len - 12)
			die("no block after the section header", argv[2]);
		o = blen + 4;	/* total length of the second block */
		buf[o] = 0x03;	/* not a multiple of 4, */
		buf[o + 3] = 0x7f;	/* and far past the end */
		save(argv[3], len);
	} else {
		fprintf(stderr, "usage: corrupt flip|flipdata seed permille "
		    "in out\n"
		    "       corrupt cut|swap|badblock in out\n");
		return 2;
	}
	free(buf);
	return 0;
}
