/*
 * dns.h: one DNS message turned into the few figures the DNS detectors use.
 *
 * Owns nothing: the caller owns struct dns_msg, struct dns_ctx (a cache)
 * and the payload.  Calls
 * glibc's libresolv (ns_initparse, ns_parserr, ns_name_unpack,
 * ns_name_ntop) because a parser that BIND, glibc and every resolver
 * library have hardened against compression loops and bad labels for
 * decades beats a new hand-written one; and libpsl, to know where the
 * registered domain starts, because the "subdomain" of a tunnel is
 * everything left of it.  Never allocates, never logs: a message that
 * does not parse returns -1 and the caller counts it.
 *
 * Names are lower-cased (DNS is case-insensitive and resolvers randomise
 * case, RFC draft "0x20"), then written in the RFC 1035 presentation form
 * of ns_name_ntop: '.', '"', '\\', ';', '(', ')', '@', '$' inside a label
 * are backslash-escaped and every byte outside 0x21-0x7e becomes \ddd.
 * So a hostile name never yields a control byte, a bare quote or a bare
 * backslash.  When the escaped form exceeds 255 bytes the leftmost labels
 * are dropped and the name starts with "..." (never valid in a name, so
 * unambiguous): the registered domain, at the right, is what keys the
 * detectors.  Length, label and entropy figures come from the wire labels,
 * never from the escaped text.  A top label that is neither letters nor
 * an IDN "xn--" label cannot resolve on the Internet (dnscat2 writing
 * straight to its server ends names in hex): such a name has no
 * registered domain and all its labels count as subdomain, except a lone
 * label (a device probe or a search-list miss), which counts as none.
 *
 * libpsl answers "where does the registered domain start" in 150-300 ns
 * per label it tries, which would be most of the cost of a message, so
 * struct dns_ctx keeps a small direct-mapped cache of answers keyed by the
 * name's last six labels (no public suffix rule is deeper than five): a
 * client asking the same names again costs one hash, a tunnel's fresh
 * names cost the libpsl walk.
 *
 * API
 *   dns_ctx_init:   bind a context to a libpsl list (NULL: last two labels).
 *   dns_parse:      parse one message (a UDP payload); 0 or -1.
 *   dns_parse_tcp:  parse the length-prefixed messages of a TCP segment;
 *                   a trailing partial message is ignored.
 *   dns_plausible:  whether bytes that did not parse still start like a
 *                   DNS message (a cut or fragmented one), not other data.
 *   dns_regdomain:  registered domain of a presentation name (libpsl, or
 *                   the last two labels when psl is NULL), uncached.
 *   dns_entropy:    Shannon entropy in bits per byte of a byte string.
 */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>
#include <stdint.h>

#include <libpsl.h>

#define DNS_NAMELEN	256	/* presentation name buffer, NUL included */

/* RR types the detectors care about (RFC 1035, 6895). */
#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_SOA	6
#define DNS_T_NULL	10
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_SRV	33
#define DNS_T_ANY	255
#define DNS_T_PRIV_MIN	65280	/* private use, RFC 6895 */
#define DNS_T_PRIV_MAX	65534

#define DNS_R_NOERROR	0
#define DNS_R_FORMERR	1
#define DNS_R_SERVFAIL	2
#define DNS_R_NXDOMAIN	3
#define DNS_R_NOTIMP	4
#define DNS_R_REFUSED	5

/* dns_msg.flags */
#define DNS_F_NAMECUT	0x01	/* qname lost leftmost labels to fit */
#define DNS_F_BADTLD	0x02	/* no valid TLD: every label is subdomain */
#define DNS_F_TC	0x04	/* truncated answer: retried over TCP */

struct dns_msg {
	uint16_t	 id;
	uint8_t		 is_response;
	uint8_t		 opcode;
	uint8_t		 rcode;		/* header rcode, 0..15 */
	uint8_t		 flags;		/* DNS_F_* */
	uint16_t	 qtype;
	uint16_t	 qclass;
	uint16_t	 ancount;	/* answers parsed */
	uint16_t	 name_len;	/* as text without escapes, 0..253 */
	uint8_t		 nlabels;
	uint8_t		 maxlabel;	/* longest label, bytes */
	uint8_t		 sub_labels;	/* left of the registered domain */
	uint8_t		 sub_maxlabel;	/* longest of those */
	uint8_t		 sub_hexlabel;	/* longest all-hex one, digit+letter */
	uint16_t	 sub_len;	/* their bytes, dots included */
	double		 sub_entropy;	/* bits per byte, dots excluded */
	uint16_t	 reg_off;	/* registered domain in qname */
	uint8_t		 has_null;	/* an answer of type NULL */
	uint32_t	 txt_chars;	/* all TXT answer characters */
	uint32_t	 txt_max;	/* longest single TXT record */
	uint32_t	 answer_bytes;	/* sum of answer RDATA lengths */
	uint32_t	 msg_len;	/* bytes of the message */
	char		 qname[DNS_NAMELEN]; /* lower-case presentation form */
};

#define DNS_REGCACHE	1024	/* registered-domain answers kept, power of 2 */

struct dns_ctx {
	const psl_ctx_t	*psl;		/* not owned */
	uint64_t	 cache_hits;
	uint64_t	 cache_misses;
	struct {
		uint64_t key;		/* hash of last six labels; 0 empty */
		uint8_t	 labels;	/* labels of the registered domain */
	}		 cache[DNS_REGCACHE];
};

void		 dns_ctx_init(struct dns_ctx *, const psl_ctx_t *);
int		 dns_parse(struct dns_ctx *, const uint8_t *, size_t,
		    struct dns_msg *);
/*
 * Returns messages written to out; *nbad counts complete messages that
 * did not parse and do not look like DNS at all (see dns_plausible).
 */
int		 dns_parse_tcp(struct dns_ctx *, const uint8_t *, size_t,
		    struct dns_msg *out, int maxout, int *nbad);
int		 dns_plausible(const uint8_t *, size_t);
const char	*dns_regdomain(const psl_ctx_t *, const char *name);
double		 dns_entropy(const uint8_t *, size_t);

#endif
