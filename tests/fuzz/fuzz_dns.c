/*
 * fuzz_dns.c: libFuzzer target for the DNS side -- dns.c (the message
 * parser over libresolv and libpsl) and dnstun.c (the detectors that keep
 * per-domain and per-host tables of what it parsed).
 *
 * An input is a DNS payload.  It goes through dns_parse as a UDP message,
 * dns_parse_tcp as a TCP segment, dns_plausible, and then dnstun_message
 * four times: as a query from an internal host over UDP, as the answer to
 * it, over TCP, and on a port other than 53.  The detector thresholds are
 * lowered to one message so each input reaches the scoring and event code,
 * and the tables hold only 16 keys so eviction runs too.
 *
 * The target checks what dns.h promises the alert writers: the name is
 * NUL-terminated, printable, with every backslash starting a valid escape
 * and no bare quote, and the registered domain lies inside it.  Contexts
 * are rebuilt for each input (cheap: libpsl's list is mapped, not parsed)
 * so a crash replays from its file alone.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "dns.h"
#include "dnstun.h"
#include "fuzz.h"

#define MAXOUT		4
#define BASE_TS		((xtime_t)1700000000 * XT_SEC)

static struct dnstun dt;
static struct dns_ctx ctx;

static void
check_name(const struct dns_msg *m)
{
	const char *s = m->qname;
	size_t i, len;

	if (memchr(s, '\0', sizeof(m->qname)) == NULL)
		abort();
	len = strlen(s);
	if (m->reg_off > len)
		abort();
	for (i = 0; i < len; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"')
			abort();
		if (s[i] != '\\')
			continue;
		/* \ddd or a backslash before a special character. */
		if (isdigit((unsigned char)s[i + 1])) {
			if (!isdigit((unsigned char)s[i + 2]) ||
			    !isdigit((unsigned char)s[i + 3]))
				abort();
			i += 3;
		} else if (s[i + 1] != '\0' &&
		    strchr(".\"\\;()@$", s[i + 1]) != NULL)
			i++;
		else
			abort();
	}
}

static void
tun(const uint8_t *data, size_t size, xtime_t ts, const char *src,
    const char *dst, uint16_t sport, uint16_t dport, int tcp, int hsrc,
    int hdst)
{
	struct event out[MAXOUT];
	addr_t s, d;
	int n;

	if (addr_pton(src, &s) != 0 || addr_pton(dst, &d) != 0)
		abort();
	n = dnstun_message(&dt, ts, &s, &d, sport, dport, tcp, hsrc, hdst,
	    data, size, out, MAXOUT);
	fuzz_check_events(out, n, MAXOUT);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg m, tm[8];
	char err[256];
	int i, n, nbad = 0;

	dns_ctx_init(&ctx, psl_builtin());
	if (dns_parse(&ctx, data, size, &m) == 0)
		check_name(&m);
	n = dns_parse_tcp(&ctx, data, size, tm, 8, &nbad);
	if (n < 0 || n > 8 || nbad < 0)
		abort();
	for (i = 0; i < n; i++)
		check_name(&tm[i]);
	(void)dns_plausible(data, size);

	if (dnstun_init(&dt, 16, err, sizeof(err)) == -1)
		abort();
	dt.tunnel.min_subdomains = 1;
	dt.tunnel.max_subdomains = 2;
	dt.failures.max_failures = 0;
	dt.long_txt.min_count = 1;
	dt.nonstd_port.min_messages = 1;
	dt.not_dns.min_packets = 1;
	tun(data, size, BASE_TS, "10.0.0.5", "8.8.8.8", 40000, 53, 0, 1, 0);
	tun(data, size, BASE_TS + 1, "8.8.8.8", "10.0.0.5", 53, 40000, 0, 0, 1);
	tun(data, size, BASE_TS + 2, "fd00::5", "2001:db8::1", 40001, 53, 1,
	    1, 0);
	tun(data, size, BASE_TS + 3, "10.0.0.5", "192.0.2.1", 40002, 5353, 0,
	    1, 0);
	dnstun_free(&dt);
	return 0;
}
