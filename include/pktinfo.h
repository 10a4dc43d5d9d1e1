/*
 * pktinfo.h: a packet as the packet-level detectors see it (DNS, ICMP,
 * HTTP, TLS): oriented to the internal host, with what nDPI has said so far.
 *
 * Owns nothing; built by analysis.c for each MSG_PKT and valid only during
 * the call it is passed to.
 */
#ifndef PKTINFO_H
#define PKTINFO_H

#include "exfild.h"
#include "pipeline.h"
#include "dpi.h"

struct pktinfo {
	const struct pkt_msg *m;
	const uint8_t	*payload;	/* L4 payload bytes captured */
	uint32_t	 payload_caplen;
	uint32_t	 payload_len;	/* on the wire */
	const addr_t	*host;		/* the internal end; src when both or neither */
	const addr_t	*remote;
	uint16_t	 hport, rport;
	int		 from_host;	/* the packet was sent by host */
	int		 home_src, home_dst;
	enum flow_dir	 dir;
	const struct dpi_result *dpi;	/* NULL while nothing is known */
};

#endif
