/*
 * pcap_floor: the floor of offline analysis — read every packet with
 * libpcap, touch the IP header, nothing else.  `make bench` reports
 * exfild's wall time as a multiple of this.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int
main(int argc, char *argv[])
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, b = 0, x = 0;
	pcap_t *p;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 2;
	}
	if ((p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		b += h->caplen;
		if (h->caplen > 34)
			x += d[23] ^ d[33];
	}
	printf("%llu packets %llu bytes %llu\n", (unsigned long long)n,
	    (unsigned long long)b, (unsigned long long)x);
	pcap_close(p);
	return 0;
}
