/*
 * gen.c: exfild-gen, the labelled traffic generator behind exfild's tests.
 *
 * Writes what a span port of a small company would see over days
 * (workstations with office hours, a resolver, a backup server, a public web
 * server, a file server), optionally with exfiltration injected, plus the
 * truth table of every injected event and the GeoIP source table of every
 * external network it uses.  All randomness comes from one seed through a
 * private xorshift generator, never rand(), so a scenario is the same bytes
 * on every run and every glibc machine (libm's exp/log/cos are the only
 * platform functions that shape the traffic).
 *
 * How it works: every conversation is a small state machine (struct flow)
 * that knows the time of its next packet.  Flows wait in a binary heap ordered
 * by that time; the main loop pops the earliest, writes one packet and puts
 * the flow back.  Background traffic is planned one hour at a time, just
 * before the clock reaches that hour, so memory follows the flows alive in an
 * hour rather than the length of the capture, and the file comes out in
 * timestamp order by construction.  Each host and hour draws from its own
 * random stream, keyed by purpose, so the `benign` scenario is the `week`
 * scenario without the attack packets, and every other packet is the same
 * to the byte.
 *
 * Bulk data is written as GRO-sized segments (IP length up to 65000) whose
 * records keep the headers and the first bytes of payload only: the IP
 * lengths carry the true byte counts while a week fits in a few hundred MB.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../tools/wire.h"

typedef uint64_t usec_t;		/* microseconds since the epoch */

#define SEC		((usec_t)1000000)
#define MINUTE		(60 * SEC)
#define HOUR		(60 * MINUTE)
#define DAY		(24 * HOUR)
#define NEVER		UINT64_MAX

#define KB		1000.0
#define MB		1000000.0
#define GB		1000000000.0

/* TCP payload of a bulk segment: IP length <= 65000 in v4 and v6 */
#define SEG_MAX		64940
#define BULK_SNAP	32	/* payload bytes kept of a bulk segment */
#define ACK_EVERY	4	/* bulk segments per ACK (and the last one) */
#define FRAME_MAX	4096

/* Random streams are keyed by purpose so that one never shifts another. */
enum {
	TAG_HOST = 1, TAG_WSHOUR, TAG_WSDAY, TAG_WEB, TAG_BACKUP, TAG_EVENT,
	TAG_FLOOD, TAG_FLOW
};

/* Options. */
static uint64_t		 opt_seed = 1;
static int		 opt_days = -1, opt_hosts = -1;
/* 2026-03-02 00:00 UTC, Monday */
static int64_t		 opt_start = 1772409600;
static uint64_t		 opt_flood;
static const char	*opt_dir, *opt_scen = "week";
static int		 opt_quiet;

/* ---------------------------------------------------------------- rng */

struct rng {
	uint64_t	 s;
};

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void
rng_init(struct rng *r, uint64_t tag, uint64_t a, uint64_t b)
{
	r->s = mix64(mix64(mix64(opt_seed) ^ tag) ^ mix64(a) ^ (b << 1));
	if (r->s == 0)
		r->s = 1;
}

/* xorshift64*: small, fast and good enough for traffic shapes. */
static uint64_t
rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static double
rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

static int
rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

static double
rng_normal(struct rng *r)
{
	double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Sizes of things people send are roughly log-normal. */
static double
rng_lognorm(struct rng *r, double median, double sigma)
{
	return median * exp(sigma * rng_normal(r));
}

static int
rng_poisson(struct rng *r, double lambda)
{
	double l, p;
	int k;

	if (lambda <= 0)
		return 0;
	if (lambda > 30) {
		k = (int)lround(lambda + sqrt(lambda) * rng_normal(r));
		return k < 0 ? 0 : k;
	}
	l = exp(-lambda);
	p = 1.0;
	k = 0;
	do {
		k++;
		p *= rng_unit(r);
	} while (p > l);
	return k - 1;
}

static void
rng_fill(struct rng *r, uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i & 7) == 0)
			v = rng_next(r);
		p[i] = (uint8_t)(v >> ((i & 7) * 8));
	}
}

static void
rng_alnum(struct rng *r, char *o, size_t n, const char *alpha)
{
	size_t i, k = strlen(alpha);

	for (i = 0; i < n; i++)
		o[i] = alpha[rng_below(r, (uint32_t)k)];
	o[n] = '\0';
}

/* ------------------------------------------------------------- bytes */

/* put16/put24/put32, sum16, fold: wire.h */

/* -------------------------------------------------------- pcap output */

static FILE		*pcap_fp;
static usec_t		 pcap_last;
static uint64_t		 st_pkts, st_wire, st_file, st_flows, st_flood;

static void
pcap_open(const char *path)
{
	uint8_t h[24];
	uint32_t v[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	if ((pcap_fp = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	/* Records are buffered in big chunks: the writer is the hot loop. */
	setvbuf(pcap_fp, NULL, _IOFBF, 1 << 22);
	memcpy(h, v, sizeof h);	/* host byte order, as libpcap writes */
	fwrite(h, 1, sizeof h, pcap_fp);
	st_file = sizeof h;
}

static void
pcap_put(usec_t ts, const uint8_t *frame, uint32_t caplen, uint32_t origlen)
{
	uint32_t h[4];

	/* Order is the property every consumer relies on: fail loudly. */
	if (ts < pcap_last)
		errx(1, "internal error: time went backwards (%llu < %llu)",
		    (unsigned long long)ts, (unsigned long long)pcap_last);
	pcap_last = ts;
	h[0] = (uint32_t)(ts / SEC);
	h[1] = (uint32_t)(ts % SEC);
	h[2] = caplen;
	h[3] = origlen;
	fwrite(h, 4, 4, pcap_fp);
	fwrite(frame, 1, caplen, pcap_fp);
	st_pkts++;
	st_wire += origlen;
	st_file += 16 + caplen;
}

/* ----------------------------------------------------------- packets */

/*
 * One end of a conversation.  `far` says whether the end is beyond the
 * span port: a reply from a far end is seen an RTT after the packet it
 * answers, a reply from a near end almost at once.
 */
struct ep {
	uint8_t		 ip[16];	/* IPv4 in the first four bytes */
	uint8_t		 mac[6];
	uint8_t		 v6;
	uint8_t		 far;
	uint8_t		 ttl;
	uint16_t	 port;		/* host order */
	uint16_t	 ipid;
};

static const uint8_t router_mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x01 };

/* Internal addresses are 10/8 and the company's IPv6 /48. */
static int
ip_internal(const uint8_t *ip, int v6)
{
	if (v6)
		return ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x0d &&
		    ip[3] == 0xb8 && ip[4] == 0 && ip[5] == 1;
	return ip[0] == 10;
}

static void
ep_set(struct ep *e, const uint8_t *ip, int v6, uint16_t port, struct rng *r)
{
	memset(e, 0, sizeof *e);
	memcpy(e->ip, ip, v6 ? 16 : 4);
	e->v6 = (uint8_t)v6;
	e->port = port;
	e->ipid = (uint16_t)rng_below(r, 65536);
	if (ip_internal(ip, v6)) {
		/* Locally administered MAC derived from the address. */
		e->mac[0] = 0x02;
		e->mac[1] = 0x10;
		memcpy(e->mac + 2, v6 ? ip + 12 : ip, 4);
		e->ttl = v6 ? 64 : 128;
		e->far = 0;
	} else {
		memcpy(e->mac, router_mac, 6);
		e->ttl = (uint8_t)(rng_chance(r, 0.6) ? 44 + rng_below(r, 18) :
		    110 + rng_below(r, 12));
		e->far = 1;
	}
}

static void
ep_v4(struct ep *e, uint32_t ip, uint16_t port, struct rng *r)
{
	uint8_t b[4];

	put32(b, ip);
	ep_set(e, b, 0, port, r);
}

static int
ep_eq(const struct ep *a, const uint8_t *ip, int v6)
{
	return a->v6 == v6 && memcmp(a->ip, ip, v6 ? 16 : 4) == 0;
}

#define P_ICMP	1
#define P_TCP	6
#define P_UDP	17

/*
 * Write one frame.  `l4` is the transport header, `pl` the payload of which
 * `plcap` bytes are stored and `plwire` were on the wire.  Returns the IP
 * total length, the number exfild counts.
 */
static uint32_t
emit(usec_t ts, struct ep *s, struct ep *d, int proto, uint8_t *l4,
    uint32_t l4len, const uint8_t *pl, uint32_t plcap, uint32_t plwire)
{
	static uint8_t fr[FRAME_MAX];
	uint8_t *ip = fr + 14, *t;
	uint32_t hl, iplen, l4tot, sum, cs;
	int off;

	if (plcap > plwire)
		plcap = plwire;
	if (plcap > FRAME_MAX - 14 - 40 - l4len)
		plcap = FRAME_MAX - 14 - 40 - l4len;
	memcpy(fr, d->mac, 6);
	memcpy(fr + 6, s->mac, 6);
	l4tot = l4len + plwire;
	if (!s->v6) {
		hl = 20;
		iplen = hl + l4tot;
		fr[12] = 0x08;
		fr[13] = 0x00;
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, iplen);
		put16(ip + 4, s->ipid++);
		put16(ip + 6, proto == P_TCP ? 0x4000 : 0);	/* DF */
		ip[8] = s->ttl;
		ip[9] = (uint8_t)proto;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, s->ip, 4);
		memcpy(ip + 16, d->ip, 4);
		put16(ip + 10, fold(sum16(0, ip, 20)));
	} else {
		hl = 40;
		iplen = hl + l4tot;
		fr[12] = 0x86;
		fr[13] = 0xdd;
		put32(ip, 0x60000000);
		put16(ip + 4, l4tot);
		ip[6] = (uint8_t)(proto == P_ICMP ? 58 : proto);
		ip[7] = s->ttl;
		memcpy(ip + 8, s->ip, 16);
		memcpy(ip + 24, d->ip, 16);
	}
	t = ip + hl;
	memcpy(t, l4, l4len);
	if (plcap)
		memcpy(t + l4len, pl, plcap);

	/*
	 * Transport checksums cover the stored bytes; for truncated segments
	 * the uncaptured payload is taken as zeros, which nobody can check.
	 */
	if (proto == P_TCP)
		off = 16;
	else if (proto == P_UDP) {
		off = 6;
		put16(t + 4, l4tot);
	} else
		off = 2;
	t[off] = t[off + 1] = 0;
	sum = 0;
	if (s->v6 || proto != P_ICMP) {
		if (s->v6)
			sum = sum16(sum, ip + 8, 32);
		else
			sum = sum16(sum, ip + 12, 8);
		sum += l4tot + (uint32_t)(s->v6 && proto == P_ICMP ? 58 :
		    proto);
	}
	sum = sum16(sum, t, l4len + plcap);
	cs = fold(sum);
	if (cs == 0 && proto == P_UDP)
		cs = 0xffff;
	put16(t + off, cs);
	pcap_put(ts, fr, 14 + hl + l4len + plcap, 14 + iplen);
	return iplen;
}

/* ---------------------------------------------------- network model */

/*
 * External networks: the source of geo.tsv.  The networks and owners are
 * modelled on real allocations but only this table is authoritative for
 * the scenarios; they exist so that countries, regions and ASNs differ in
 * the ways the detectors care about.
 */
struct net {
	const char	*cidr;
	const char	*cc, *region;
	unsigned	 asn;
	const char	*org;
};


enum {
	N_MS, N_MS_SP, N_GOOGLE, N_GDNS, N_GITHUB, N_CF, N_FASTLY, N_HEISE,
	N_BBC, N_OVH, N_HETZNER, N_AWS, N_DO_US, N_SELECTEL, N_M247, N_VULTR,
	N_DO_IN, N_NFORCE, N_HETZNER2, N_MEGA, N_NZ, N_EDGECAST,
	N_V_JP, N_V_BR, N_V_IN, N_V_AU, N_V_CA, N_V_FR, N_V_DE, N_V_GB,
	N_V_US, N_V_NL, N_V_SE, N_V_ES, N_V_IT, N_FLOOD,
	N_GOOGLE6, N_CF6, N_CF_DNS, N_GDNS4, N_NNETS
};

static const struct net nets[N_NNETS] = {
	[N_MS] = { "52.96.0.0/12", "US", "US-VA", 8075,
	    "Microsoft Corporation" },
	[N_MS_SP] = { "13.107.136.0/22", "US", "US-WA", 8075,
	    "Microsoft Corporation" },
	[N_GOOGLE] = { "142.250.0.0/15", "US", "US-CA", 15169,
	    "Google LLC" },
	[N_GDNS] = { "8.8.8.0/24", "US", "-", 15169,
	    "Google LLC" },
	[N_GITHUB] = { "140.82.112.0/20", "US", "US-CA", 36459,
	    "GitHub, Inc." },
	[N_CF] = { "104.16.0.0/13", "US", "-", 13335,
	    "Cloudflare, Inc." },
	[N_FASTLY] = { "151.101.0.0/16", "US", "-", 54113,
	    "Fastly, Inc." },
	[N_HEISE] = { "193.99.144.0/24", "DE", "DE-NI", 12306,
	    "Plus.line AG" },
	[N_BBC] = { "212.58.224.0/19", "GB", "GB-ENG", 2818,
	    "BBC" },
	[N_OVH] = { "213.186.32.0/19", "FR", "FR-HDF", 16276,
	    "OVH SAS" },
	[N_HETZNER] = { "88.198.0.0/16", "DE", "DE-SN", 24940,
	    "Hetzner Online GmbH" },
	[N_AWS] = { "54.208.0.0/13", "US", "US-VA", 14618,
	    "Amazon.com, Inc." },
	[N_DO_US] = { "167.99.0.0/16", "US", "US-NJ", 14061,
	    "DigitalOcean, LLC" },
	[N_SELECTEL] = { "95.213.128.0/17", "RU", "RU-SPE", 49505,
	    "Selectel Ltd." },
	[N_M247] = { "185.225.68.0/22", "RO", "RO-B", 9009,
	    "M247 Europe SRL" },
	[N_VULTR] = { "45.76.0.0/15", "US", "US-NJ", 20473,
	    "The Constant Company, LLC" },
	[N_DO_IN] = { "139.59.0.0/16", "IN", "IN-KA", 14061,
	    "DigitalOcean, LLC" },
	[N_NFORCE] = { "185.107.56.0/22", "NL", "NL-NH", 43350,
	    "NForce Entertainment B.V." },
	[N_HETZNER2] = { "144.76.0.0/16", "DE", "DE-BY", 24940,
	    "Hetzner Online GmbH" },
	[N_MEGA] = { "31.216.144.0/21", "LU", "LU-LU", 205809,
	    "Mega Limited" },
	[N_NZ] = { "203.109.128.0/17", "NZ", "NZ-AUK", 9500,
	    "One New Zealand Group Limited" },
	[N_EDGECAST] = { "93.184.220.0/22", "US", "-", 15133,
	    "Edgecast Inc." },
	[N_V_JP] = { "126.0.0.0/8", "JP", "JP-13", 17676,
	    "SoftBank Corp." },
	[N_V_BR] = { "177.0.0.0/12", "BR", "BR-SP", 18881,
	    "Telefonica Brasil S.A." },
	[N_V_IN] = { "49.32.0.0/14", "IN", "IN-MH", 55836,
	    "Reliance Jio Infocomm Limited" },
	[N_V_AU] = { "1.120.0.0/13", "AU", "AU-NSW", 1221,
	    "Telstra Limited" },
	[N_V_CA] = { "24.48.0.0/14", "CA", "CA-QC", 5769,
	    "Videotron Ltee" },
	[N_V_FR] = { "90.0.0.0/9", "FR", "FR-IDF", 3215,
	    "Orange S.A." },
	[N_V_DE] = { "79.192.0.0/10", "DE", "DE-HE", 3320,
	    "Deutsche Telekom AG" },
	[N_V_GB] = { "81.128.0.0/11", "GB", "GB-ENG", 2856,
	    "British Telecommunications PLC" },
	[N_V_US] = { "73.0.0.0/8", "US", "US-PA", 7922,
	    "Comcast Cable Communications, LLC" },
	[N_V_NL] = { "84.24.0.0/13", "NL", "NL-ZH", 33915,
	    "Vodafone Libertel B.V." },
	[N_V_SE] = { "78.64.0.0/12", "SE", "SE-AB", 3301,
	    "Telia Company AB" },
	[N_V_ES] = { "83.32.0.0/11", "ES", "ES-MD", 3352,
	    "Telefonica de Espana S.A.U." },
	[N_V_IT] = { "79.0.0.0/10", "IT", "IT-RM", 3269,
	    "Telecom Italia S.p.A." },
	[N_FLOOD] = { "41.0.0.0/8", "ZA", "-", 0,
	    "-" },
	[N_GOOGLE6] = { "2607:f8b0::/32", "US", "US-CA", 15169,
	    "Google LLC" },
	[N_CF6] = { "2606:4700::/32", "US", "-", 13335,
	    "Cloudflare, Inc." },
	/* appended, so that the older scenarios' geo.tsv only grows */
	[N_CF_DNS] = { "1.1.1.0/24", "US", "-", 13335,
	    "Cloudflare, Inc." },
	[N_GDNS4] = { "8.8.4.0/24", "US", "-", 15169,
	    "Google LLC" },
};

/* The parsed form of each network. */
static struct {
	uint8_t		 base[16];
	int		 v6, plen;
} netaddr[N_NNETS];

static void
nets_init(void)
{
	char buf[64], *slash;
	int i;

	for (i = 0; i < N_NNETS; i++) {
		snprintf(buf, sizeof buf, "%s", nets[i].cidr);
		if ((slash = strchr(buf, '/')) == NULL)
			errx(1, "bad network %s", nets[i].cidr);
		*slash = '\0';
		netaddr[i].plen = atoi(slash + 1);
		netaddr[i].v6 = strchr(buf, ':') != NULL;
		if (inet_pton(netaddr[i].v6 ? AF_INET6 : AF_INET, buf,
		    netaddr[i].base) != 1)
			errx(1, "bad network %s", nets[i].cidr);
	}
}

static int
net_find(const uint8_t *ip, int v6)
{
	int i, bits, k;

	for (i = 0; i < N_NNETS; i++) {
		if (netaddr[i].v6 != v6)
			continue;
		bits = netaddr[i].plen;
		for (k = 0; k < bits / 8; k++)
			if (ip[k] != netaddr[i].base[k])
				break;
		if (k < bits / 8)
			continue;
		if (bits % 8 && ((ip[k] ^ netaddr[i].base[k]) &
		    (0xff00 >> (bits % 8)) & 0xff))
			continue;
		return i;
	}
	return -1;
}

/* A random host address inside an IPv4 network, never .0 or .255. */
static uint32_t
net_rand4(int n, struct rng *r)
{
	const uint8_t *b = netaddr[n].base;
	uint32_t base, span, ip;

	base = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	span = (uint32_t)(1ULL << (32 - netaddr[n].plen));
	do {
		ip = base + rng_below(r, span);
	} while ((ip & 0xff) == 0 || (ip & 0xff) == 0xff);
	return ip;
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		errx(1, "bad address %s", s);
	return ntohl(a.s_addr);
}

/* Round-trip time to a far address, by the continent it is on. */
static usec_t
rtt_for(const uint8_t *ip, int v6, struct rng *r)
{
	int n = net_find(ip, v6);
	const char *cc = n >= 0 ? nets[n].cc : "US";
	double base;

	if (!strcmp(cc, "DE") || !strcmp(cc, "NL") || !strcmp(cc, "LU") ||
	    !strcmp(cc, "FR") || !strcmp(cc, "GB") || !strcmp(cc, "SE") ||
	    !strcmp(cc, "ES") || !strcmp(cc, "IT"))
		base = 22;
	else if (!strcmp(cc, "RU") || !strcmp(cc, "RO"))
		base = 45;
	else if (!strcmp(cc, "US") || !strcmp(cc, "CA"))
		base = 90;
	else if (!strcmp(cc, "BR") || !strcmp(cc, "ZA"))
		base = 130;
	else
		base = 150;
	if (n == N_GDNS || n == N_CF || n == N_FASTLY || n == N_CF6 ||
	    n == N_CF_DNS || n == N_GDNS4)
		base = 12;	/* anycast: a nearby point of presence */
	return (usec_t)((base + rng_range(r, 0, base * 0.3)) * 1000);
}

/*
 * Services the workstations use habitually.  Addresses are fixed per
 * service so that "usual destination" means something.
 */
enum { APP_RAW, APP_TLS, APP_HTTP_GET, APP_HTTP_POST, APP_SMB, APP_SSH,
	APP_DNS };

struct svc {
	const char	*host;		/* DNS name and SNI */
	const char	*cname;	/* CNAME the resolver answers, or NULL */
	const char	*addr[3];
	const char	*addr6;
	int		 app;
	uint16_t	 port;
	double		 up, down;	/* median bytes per connection */
	int		 news;		/* a page that pulls assets from CDNs */
};

enum {
	S_OFFICE, S_TEAMS, S_SHAREPOINT, S_GOOGLE, S_DOCS, S_GITHUB, S_CDNJS,
	S_PYPI, S_HEISE, S_BBC, S_LEMONDE, S_OCSP, S_NSVC
};

static const struct svc svcs[S_NSVC] = {
	[S_OFFICE] = { "outlook.office365.com", "outlook.ms-acdc.office.com",
	    { "52.97.146.162", "52.97.151.66", "52.98.163.18" }, NULL,
	    APP_TLS, 443, 6 * KB, 40 * KB, 0 },
	[S_TEAMS] = { "teams.microsoft.com",
	    "teams-office-com.s-0005.s-msedge.net",
	    { "52.108.1.20", "52.108.3.7", NULL }, NULL,
	    APP_TLS, 443, 20 * KB, 60 * KB, 0 },
	[S_SHAREPOINT] = { "company.sharepoint.com",
	    "company.sharepoint.com.spo-0005.spo-msedge.net",
	    { "13.107.136.9", "13.107.138.9", NULL }, NULL,
	    APP_TLS, 443, 30 * KB, 150 * KB, 0 },
	[S_GOOGLE] = { "www.google.com", NULL,
	    { "142.250.185.100", "142.250.74.68", NULL },
	    "2607:f8b0:4004:c1b::67",
	    APP_TLS, 443, 3 * KB, 60 * KB, 0 },
	[S_DOCS] = { "docs.google.com", NULL,
	    { "142.250.186.110", "142.250.186.78", NULL },
	    "2607:f8b0:4004:c1b::64",
	    APP_TLS, 443, 15 * KB, 100 * KB, 0 },
	[S_GITHUB] = { "github.com", NULL,
	    { "140.82.121.3", "140.82.121.4", NULL }, NULL,
	    APP_TLS, 443, 4 * KB, 120 * KB, 0 },
	[S_CDNJS] = { "cdnjs.cloudflare.com", NULL,
	    { "104.17.24.14", "104.17.25.14", NULL }, "2606:4700::6811:180e",
	    APP_TLS, 443, 1.5 * KB, 150 * KB, 0 },
	[S_PYPI] = { "pypi.org", NULL,
	    { "151.101.0.223", "151.101.64.223", NULL }, NULL,
	    APP_TLS, 443, 2 * KB, 300 * KB, 0 },
	[S_HEISE] = { "www.heise.de", NULL,
	    { "193.99.144.85", "193.99.144.80", NULL }, NULL,
	    APP_TLS, 443, 3 * KB, 400 * KB, 1 },
	[S_BBC] = { "www.bbc.co.uk", "www.bbc.co.uk.pri.bbc.co.uk",
	    { "212.58.237.1", "212.58.233.1", NULL }, NULL,
	    APP_TLS, 443, 3 * KB, 500 * KB, 1 },
	[S_LEMONDE] = { "www.lemonde.fr", NULL,
	    { "213.186.33.5", "213.186.33.19", NULL }, NULL,
	    APP_TLS, 443, 3 * KB, 450 * KB, 1 },
	[S_OCSP] = { "ocsp.digicert.com", NULL,
	    { "93.184.220.29", NULL, NULL }, NULL,
	    APP_HTTP_POST, 80, 0.4 * KB, 1.5 * KB, 0 },
};

/*
 * CDN names with long labels made of ordinary words: the benign twin of a
 * DNS tunnel's long labels.  Low entropy, normal rates.
 */
static const struct {
	const char	*name;
	const char	*addr;
} cdnlong[] = {
	{ "shop-prod-web-frontend-alb-1183502219.us-east-1.elb.amazonaws.com",
	    "54.208.91.17" },
	{ "marketing-assets-production-static-content-bucket.s3.amazonaws.com",
	    "54.209.14.201" },
	{ "fonts-gstatic-com.cdn.ampproject.org", "142.250.185.97" },
	{ "www-theguardian-com.cdn.ampproject.org", "142.250.185.97" },
	{ "prod-content-delivery-cache-node-west-europe.azureedge.net",
	    "52.100.17.3" },
	{ "customer-portal-api-gateway-public-lb-2093321877.us-east-1."
	    "elb.amazonaws.com", "54.210.33.8" },
	{ "images-and-media-static-assets-for-the-web-shop.global.ssl."
	    "fastly.net", "151.101.2.133" },
};
#define NCDNLONG	(sizeof cdnlong / sizeof cdnlong[0])

/* ------------------------------------------------------------- hosts */

#define RESOLVER	"10.1.1.53"
#define BACKUP		"10.1.1.20"
#define WEBSERVER	"10.1.1.80"
#define FILESERVER	"10.1.2.10"
#define UPSTREAM_DNS	"8.8.8.8"
#define BACKUP_DST	"88.198.23.10"
#define OWN_V6		"2001:db8:1::"

struct host {
	int		 idx;
	uint32_t	 ip;
	uint8_t		 ip6[16];
	int		 v6;		/* also has an IPv6 address */
	char		 txt[16];
	double		 start, end;	/* usual office hours, UTC */
	double		 rate;		/* connections per busy hour */
	int		 nhabit;
	int		 habit[8];
	double		 hweight[8];
	int		 night_on;	/* left on at night: tiny keepalives */
	int		 weekend_day;	/* 0 none, 6 Saturday, 7 Sunday */
	int		 pinger, tcpdns, direct_dns, dev;
	int		 finance;
	int		 join_day;	/* first day on the network */
	double		 join_hour;
};

static struct host	*hosts;
static int		 nws;		/* workstations, plus the new host */
static int		 nhosts_base;	/* workstations present from day 0 */
static int		 nfinance;

/* capture start, end, midnight */
static usec_t		 T0, TEND, DAY0;

static int
host_weekday(usec_t t)
{
	/* 1970-01-01 was a Thursday; 0 is Sunday. */
	return (int)(((t / DAY) + 4) % 7);
}

static double
hour_of(usec_t t)
{
	return (double)(t % DAY) / (double)HOUR;
}

static void
hosts_init(int n, int newhost)
{
	struct host *h;
	struct rng r;
	int i, k, j, pick[S_NSVC], np;

	nhosts_base = n;
	nws = n + (newhost ? 1 : 0);
	if ((hosts = calloc((size_t)nws, sizeof *hosts)) == NULL)
		err(1, "calloc");
	nfinance = n >= 8 ? 4 : 1;
	for (i = 0; i < nws; i++) {
		h = &hosts[i];
		rng_init(&r, TAG_HOST, (uint64_t)i, 0);
		h->idx = i;
		if (i < 240)
			h->ip = ip4("10.1.0.10") + (uint32_t)i;
		else
			h->ip = ip4("10.1.3.10") +
			    (uint32_t)((i - 240) / 240) * 256 +
			    (uint32_t)((i - 240) % 240);
		snprintf(h->txt, sizeof h->txt, "%u.%u.%u.%u", h->ip >> 24,
		    (h->ip >> 16) & 0xff, (h->ip >> 8) & 0xff, h->ip & 0xff);
		h->v6 = i < 4;
		inet_pton(AF_INET6, OWN_V6, h->ip6);
		h->ip6[14] = (uint8_t)((0x10 + i) >> 8);
		h->ip6[15] = (uint8_t)(0x10 + i);
		h->start = rng_range(&r, 7.5, 9.0);
		h->end = rng_range(&r, 16.5, 18.5);
		h->rate = rng_range(&r, 12, 30);
		h->night_on = rng_chance(&r, 0.6);
		h->weekend_day = rng_chance(&r, 0.15) ?
		    6 + (int)rng_below(&r, 2) : 0;
		h->pinger = rng_chance(&r, 0.4);
		h->tcpdns = rng_below(&r, 8) == 0;
		h->direct_dns = i == 2;
		h->dev = rng_chance(&r, 0.4);
		h->finance = i < n && i >= n - nfinance;
		h->join_day = i >= n ? -1 : 0;	/* set by the scenario */
		/* Everybody reads mail; the rest is personal. */
		h->habit[0] = S_OFFICE;
		h->hweight[0] = 4;
		h->nhabit = 1;
		if (rng_chance(&r, 0.7)) {
			h->habit[h->nhabit] = S_TEAMS;
			h->hweight[h->nhabit++] = 2;
		}
		if (h->finance) {
			h->habit[h->nhabit] = S_SHAREPOINT;
			h->hweight[h->nhabit++] = 3;
		}
		if (h->dev) {
			h->habit[h->nhabit] = S_GITHUB;
			h->hweight[h->nhabit++] = 3;
		}
		np = 0;
		for (k = S_SHAREPOINT; k <= S_LEMONDE; k++)
			if (k != S_GITHUB && !(k == S_SHAREPOINT && h->finance))
				pick[np++] = k;
		k = 2 + (int)rng_below(&r, 3);
		while (k-- > 0 && np > 0 && h->nhabit < 6) {
			j = (int)rng_below(&r, (uint32_t)np);
			h->habit[h->nhabit] = pick[j];
			h->hweight[h->nhabit++] = rng_range(&r, 0.5, 2.5);
			pick[j] = pick[--np];
		}
	}
}

static struct host *
host_by_slot(int slot)
{
	if (slot < 0)	/* the first of the finance group */
		return &hosts[nhosts_base - nfinance];
	return &hosts[slot % nhosts_base];
}

static int
host_has(struct host *h, int s)
{
	int i;

	for (i = 0; i < h->nhabit; i++)
		if (h->habit[i] == s)
			return 1;
	return 0;
}

static void
host_add_habit(struct host *h, int s, double w)
{
	if (host_has(h, s) || h->nhabit >= 8)
		return;
	h->habit[h->nhabit] = s;
	h->hweight[h->nhabit++] = w;
}

/* ------------------------------------------------------------ events */

enum evkind {
	K_BULK_NEW_COUNTRY, K_NEW_ADDR, K_UNUSUAL_PORT, K_LOW_SLOW,
	K_OFF_HOURS, K_DNS_TUNNEL, K_DNS_TUNNEL_DIRECT, K_ICMP_TUNNEL,
	K_ARCHIVE_POST, K_CLOUD_UPLOAD, K_CLOUD_UPLOAD_MEGA, K_SNICAT,
	K_MULTI_STAGE,
	/* benign twins: must not alert */
	K_BACKUP_LATE, K_WEBSERVER, K_FILESERVER, K_NEW_HOST,
	K_LARGE_DOWNLOAD, K_NEW_COUNTRY_SMALL, K_DNS_BROWSING,
	K_CDN_LONG_LABELS, K_PING_STANDARD, K_FORM_POST, K_SANCTIONED_CLOUD,
	K_SNI_LOOKALIKE,
	/*
	 * Later kinds go here, whatever their side: a kind's number seeds its
	 * event's random stream, so renumbering would change every scenario.
	 */
	K_DOH_TUNNEL, K_DOH_BROWSER,
	/* SNIcat and its twin with Chrome 124's hellos: the SNI in segment 2 */
	K_SNICAT_PQ, K_SNI_LOOKALIKE_PQ,
	/* a DoH tunnel that names its resolver: only its volume shows */
	K_DOH_NAMED_TUNNEL, K_NKINDS
};

static const struct {
	const char	*name;
	int		 alert;
} kinds[K_NKINDS] = {
	[K_BULK_NEW_COUNTRY] = { "bulk_new_country", 1 },
	[K_NEW_ADDR] = { "new_addr_usual_country", 1 },
	[K_UNUSUAL_PORT] = { "unusual_port", 1 },
	[K_LOW_SLOW] = { "low_and_slow", 1 },
	[K_OFF_HOURS] = { "off_hours", 1 },
	[K_DNS_TUNNEL] = { "dns_tunnel", 1 },
	[K_DNS_TUNNEL_DIRECT] = { "dns_tunnel", 1 },
	[K_ICMP_TUNNEL] = { "icmp_tunnel", 1 },
	[K_ARCHIVE_POST] = { "archive_post", 1 },
	[K_CLOUD_UPLOAD] = { "cloud_upload", 1 },
	[K_CLOUD_UPLOAD_MEGA] = { "cloud_upload", 1 },
	[K_SNICAT] = { "snicat", 1 },
	[K_MULTI_STAGE] = { "multi_stage", 1 },
	[K_BACKUP_LATE] = { "backup_late", 0 },
	[K_WEBSERVER] = { "webserver_responses", 0 },
	[K_FILESERVER] = { "fileserver_internal", 0 },
	[K_NEW_HOST] = { "new_host", 0 },
	[K_LARGE_DOWNLOAD] = { "large_download", 0 },
	[K_NEW_COUNTRY_SMALL] = { "new_country_small", 0 },
	[K_DNS_BROWSING] = { "dns_browsing", 0 },
	[K_CDN_LONG_LABELS] = { "cdn_long_labels", 0 },
	[K_PING_STANDARD] = { "ping_standard", 0 },
	[K_FORM_POST] = { "form_post", 0 },
	[K_SANCTIONED_CLOUD] = { "sanctioned_cloud", 0 },
	[K_SNI_LOOKALIKE] = { "sni_lookalike", 0 },
	[K_DOH_TUNNEL] = { "doh_tunnel", 1 },
	[K_DOH_BROWSER] = { "doh_browser", 0 },
	[K_SNICAT_PQ] = { "snicat", 1 },
	[K_SNI_LOOKALIKE_PQ] = { "sni_lookalike", 0 },
	[K_DOH_NAMED_TUNNEL] = { "doh_tunnel", 1 },
};

/* One truth row.  Times and bytes are measured from the packets written. */
struct event {
	int		 kind;
	char		 host[48];
	uint8_t		 hip[16];
	int		 hv6;
	char		 dst[256];
	char		 note[320];
	usec_t		 first, last;	/* packets seen; or the window */
	uint64_t	 bytes_out;	/* IP bytes sent by the host */
	uint64_t	 pkts;
	int		 window;	/* times are a window, not packets */
	/* multi_stage row this one is part of */
	int		 parent;
};

#define MAXEV	64
static struct event	 evs[MAXEV];
static int		 nev;

static struct event *
ev_new(int kind, const char *hostip)
{
	struct event *e;

	if (nev == MAXEV)
		errx(1, "too many events");
	e = &evs[nev++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->parent = -1;
	e->first = NEVER;
	snprintf(e->host, sizeof e->host, "%s", hostip);
	e->hv6 = strchr(hostip, ':') != NULL;
	inet_pton(e->hv6 ? AF_INET6 : AF_INET, hostip, e->hip);
	return e;
}

static void
ev_account(int ev, usec_t ts, const struct ep *src, uint32_t iplen)
{
	struct event *e;

	if (ev < 0)
		return;
	e = &evs[ev];
	if (ts < e->first)
		e->first = ts;
	if (ts > e->last)
		e->last = ts;
	e->pkts++;
	if (ep_eq(src, e->hip, e->hv6))
		e->bytes_out += iplen;
}

/* ------------------------------------------------------------- flows */

enum { F_TCP, F_DNS, F_TUN, F_ICMP, F_FLOOD };

/* TCP phases, in the order a connection goes through them. */
enum {
	T_SYN, T_SYNACK, T_ACK, T_REQ, T_RESP, T_RESPX, T_RESPACK, T_CFIN,
	T_CHAT, T_UP, T_RESP2, T_RESP2ACK, T_DOWN, T_FIN1, T_FIN2, T_FIN3,
	T_DONE
};

/*
 * Request/answer exchanges inside a TLS session: encrypted DNS and what
 * rides on it.  Each exchange is 1-kmax records from the client, as many
 * answers after an RTT and the server's lookup, then either the next
 * exchange at once (a burst) or an idle gap.  Records of one exchange
 * share a segment and never fill more than 1400 bytes.  A style that moves
 * megabytes stores its segments cut like bulk ones (`snap` payload bytes),
 * so that its scenario stays small: no reader looks past a record header.
 */
enum { CHAT_NONE, CHAT_TUNNEL, CHAT_DOH, CHAT_DOT, CHAT_DNSTT };

static const struct chatstyle {
	uint32_t	 cmin, cmax;	/* client record, bytes with header */
	uint32_t	 smin, smax;	/* server record */
	uint32_t	 kmax;		/* records per exchange */
	double		 think[2];	/* server's lookup, seconds */
	double		 burst;		/* chance the next comes at once */
	double		 bgap[2], igap[2];	/* burst and idle gaps, s */
	uint32_t	 snap;		/* payload bytes stored; 0: all */
} chatstyles[] = {
	/*
	 * dns2tcp over DoH, as captured: one small query at a time, each
	 * carrying data, each answer fetched from the tunnel's authoritative
	 * server; the client polls when it has nothing to send.
	 */
	[CHAT_TUNNEL] = { 64, 160, 70, 300, 1, { 0.02, 0.15 }, 0.85,
	    { 0.02, 0.25 }, { 0.3, 3 }, 0 },
	/* a browser: a page's names at once, then nothing for a while */
	[CHAT_DOH] = { 90, 200, 100, 340, 4, { 0.001, 0.04 }, 0.3,
	    { 0.01, 0.1 }, { 2, 45 }, 0 },
	/* a phone's Private DNS: bare DNS messages in records */
	[CHAT_DOT] = { 60, 110, 90, 420, 3, { 0.001, 0.04 }, 0.3,
	    { 0.01, 0.1 }, { 1, 30 }, 0 },
	/*
	 * dnstt over DoH during a transfer: it packs as much data as a query
	 * name holds into each query and keeps a few in flight, and the
	 * server answers at once with what it has queued; the next batch
	 * follows 20-80 ms later, rarely a short pause.
	 */
	[CHAT_DNSTT] = { 200, 400, 300, 600, 4, { 0.001, 0.01 }, 0.97,
	    { 0.02, 0.08 }, { 0.1, 0.3 }, BULK_SNAP },
};

#define DELACK		(40 * 1000)	/* usec: a quiet receiver's ACK */

enum { BODY_NONE, BODY_ZIP, BODY_7Z, BODY_RAR, BODY_FORM, BODY_OCSP,
	BODY_HTML, BODY_BIN };

struct bulk {
	usec_t		 t0, dt, ackdelay;
	uint64_t	 total;
	uint32_t	 seg, n, k, ak;
	uint32_t	 base;	/* sender's sequence number at the start */
	int		 up;
};

struct tcp_st {
	int		 app;
	int		 body;	/* BODY_*: what the HTTP body starts with */
	/* TLS: client gives up after the server hello */
	int		 abort;
	/* TLS: Chrome 124's hello, longer than a segment (tls_client_hello) */
	int		 bighello;
	/* request bytes sent; hr rebuilds the request for each segment */
	uint32_t	 reqoff;
	struct rng	 hr;
	uint32_t	 cseq, sseq;
	/* bulk payload bytes after the first exchange */
	uint64_t	 up, down;
	double		 uprate, downrate;	/* bytes per second */
	uint32_t	 segmax;
	usec_t		 linger;
	uint64_t	 clen;		/* HTTP Content-Length of the body */
	uint32_t	 chunk;	/* body bytes inside the first segment */
	const char	*path, *ctype, *ua;
	char		 host[224];
	/* APP_DNS: the message, without length */
	uint8_t		 dnsq[300];
	uint16_t	 dnsqlen;
	struct bulk	 bk;
	/* CHAT_*: exchanges until chat_end, the next one due at chat_at */
	int		 chat;
	int		 chat_st;	/* 0 client, 1 server, 2 client's ACK */
	uint32_t	 chat_k;	/* records in the pending exchange */
	usec_t		 chat_end, chat_at;
};

struct dans {
	uint16_t	 type;
	uint8_t		 owner_cname;	/* owner is the CNAME target */
	uint8_t		 addr[16];
	uint16_t	 pref;
	const char	*name;		/* CNAME/MX target */
	const char	*txt;
	uint32_t	 ttl;
};

struct dns_st {
	char		 qname[256];
	uint16_t	 qtype, id, fid;
	int		 rcode, miss, direct;
	int		 nan;
	struct dans	 an[4];
	/* client, resolver:53, resolver out, 8.8.8.8 */
	struct ep	 cli, srv, fwd, up;
};

enum { TUN_IODINE, TUN_DNSCAT };

struct tun_st {
	int		 style, direct;
	const char	*domain;
	uint32_t	 left;
	usec_t		 gap;
	char		 qname[256];
	uint16_t	 qtype, id, fid;
	struct rng	 qr;	/* regenerates the answer on both legs */
	struct ep	 cli, srv, fwd, up;
};

struct icmp_st {
	struct ep	 src, dst;
	uint16_t	 id, seq;
	uint32_t	 left;
	usec_t		 gap;
	int		 tunnel;
	uint32_t	 reqlen;
	uint8_t		 req[1500];
};

struct flood_st {
	uint64_t	 i, n;
	usec_t		 t0, step;
};

struct flow {
	usec_t		 next;		/* time of the next packet */
	uint64_t	 order;		/* heap tie-break: creation order */
	struct flow	*free;
	int		 kind, phase, ev;
	usec_t		 rtt;
	struct rng	 rng;
	struct ep	 a, b;		/* TCP: client and server */
	union {
		struct tcp_st	 tcp;
		struct dns_st	 dns;
		struct tun_st	 tun;
		struct icmp_st	 icmp;
		struct flood_st	 flood;
	} u;
};

static struct flow	**heap;
static size_t		 heap_n, heap_cap;
static struct flow	*flow_freelist;
static uint64_t		 flow_seq;
static size_t		 heap_peak;

static int
flow_before(const struct flow *x, const struct flow *y)
{
	return x->next < y->next || (x->next == y->next && x->order < y->order);
}

static void
heap_push(struct flow *f)
{
	size_t i, p;

	if (heap_n == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 1024;
		if ((heap = realloc(heap, heap_cap * sizeof *heap)) == NULL)
			err(1, "realloc");
	}
	i = heap_n++;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!flow_before(f, heap[p]))
			break;
		heap[i] = heap[p];
		i = p;
	}
	heap[i] = f;
	if (heap_n > heap_peak)
		heap_peak = heap_n;
}

static struct flow *
heap_pop(void)
{
	struct flow *top = heap[0], *last = heap[--heap_n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < heap_n) {
		if (c + 1 < heap_n && flow_before(heap[c + 1], heap[c]))
			c++;
		if (!flow_before(heap[c], last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (heap_n > 0)
		heap[i] = last;
	return top;
}

/* Flows come from a free list: a week starts and ends millions of them. */
static struct flow *
flow_get(int kind, usec_t t, int ev, struct rng *parent)
{
	struct flow *f;
	int i;

	if (flow_freelist == NULL) {
		if ((f = calloc(256, sizeof *f)) == NULL)
			err(1, "calloc");
		for (i = 0; i < 256; i++) {
			f[i].free = flow_freelist;
			flow_freelist = &f[i];
		}
	}
	f = flow_freelist;
	flow_freelist = f->free;
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->next = t;
	f->ev = ev;
	f->order = flow_seq++;
	rng_init(&f->rng, TAG_FLOW, rng_next(parent), 0);
	st_flows++;
	return f;
}

static void
flow_put(struct flow *f)
{
	f->free = flow_freelist;
	flow_freelist = f;
}

/*
 * Schedule a new flow.  Nothing starts at or after the end of the capture:
 * `-d` cuts a scenario the same way whatever its events are.
 */
static void
flow_start(struct flow *f)
{
	if (f->next >= TEND) {
		st_flows--;
		flow_put(f);
		return;
	}
	heap_push(f);
}

/* Time until the other end's answer is seen at the span port. */
static usec_t
turn(struct flow *f, const struct ep *replier)
{
	return replier->far ? f->rtt : 80 + rng_below(&f->rng, 300);
}

/* ------------------------------------------------------------ TLS */

/*
 * Extensions after the SNI, in a browser's order: a head, the supported
 * groups, a tail.  Chrome 124's hello puts them before the SNI and lists
 * X25519Kyber768Draft00 first among the groups, as a key share for a group
 * not offered is a protocol error.
 */
static const uint8_t tls_ext_head[] = {
	0x00, 0x17, 0x00, 0x00,			/* extended master secret */
	0xff, 0x01, 0x00, 0x01, 0x00,			/* renegotiation info */
};
static const uint8_t tls_groups[] = {
	0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08,		/* supported groups */
	0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19,
};
static const uint8_t tls_groups_pq[] = {
	0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a,
	0x63, 0x99, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19,
};
static const uint8_t tls_ext_tail[] = {
	0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,		/* ec point formats */
	0x00, 0x23, 0x00, 0x00,				/* session ticket */
	0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c,		/* ALPN h2, http/1.1 */
	0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
	0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, /* OCSP */
	0x00, 0x0d, 0x00, 0x12, 0x00, 0x10,	/* signature algorithms */
	0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03,
	0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01,
};

static const uint16_t tls_ciphers[] = {
	0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
	0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035
};

#define KYBER_SHARE	1216	/* X25519Kyber768Draft00: 32 + 1184 bytes */
#define HELLO_MAX	2048	/* bytes of the longest ClientHello */

/* Chrome's hello naming the longest name a flow keeps fits. */
_Static_assert(9 + 2 + 32 + 1 + 32 + 2 + sizeof tls_ciphers + 2 + 2 +
    10 + KYBER_SHARE + 4 + 32 + sizeof tls_ext_head +
    sizeof tls_groups_pq + sizeof tls_ext_tail + 15 + 9 +
    sizeof ((struct tcp_st *)0)->host <= HELLO_MAX, "HELLO_MAX too small");

/* The common extensions around a list of supported groups. */
static uint8_t *
tls_ext(uint8_t *e, const uint8_t *groups, size_t glen)
{
	memcpy(e, tls_ext_head, sizeof tls_ext_head);
	e += sizeof tls_ext_head;
	memcpy(e, groups, glen);
	e += glen;
	memcpy(e, tls_ext_tail, sizeof tls_ext_tail);
	return e + sizeof tls_ext_tail;
}

/* The server_name extension naming `sni` (`n` bytes). */
static uint8_t *
tls_sni(uint8_t *e, const char *sni, size_t n)
{
	put16(e, 0x0000);
	put16(e + 2, (uint32_t)n + 5);
	put16(e + 4, (uint32_t)n + 3);
	e[6] = 0;
	put16(e + 7, (uint32_t)n);
	memcpy(e + 9, sni, n);
	return e + 9 + n;
}

/*
 * A browser-like TLS 1.3 ClientHello: record and handshake lengths are
 * exact, so DPI finds the SNI where it looks for it.  `big` makes it the
 * hello of Chrome 124 and later, up to HELLO_MAX bytes: a post-quantum key
 * share of 1.2 KB comes first, and the SNI last (Chrome shuffles its
 * extensions), at about byte 1480: in the second segment, so only a reader
 * that reassembles the hello sees the name.
 */
static uint32_t
tls_client_hello(uint8_t *o, const char *sni, int big, struct rng *r)
{
	uint8_t *p = o + 9, *ext, *e;
	size_t n = sni ? strlen(sni) : 0, i;
	uint32_t hs;

	*p++ = 3;
	*p++ = 3;
	rng_fill(r, p, 32);
	p += 32;
	*p++ = 32;
	rng_fill(r, p, 32);
	p += 32;
	put16(p, sizeof tls_ciphers);
	p += 2;
	for (i = 0; i < sizeof tls_ciphers / 2; i++, p += 2)
		put16(p, tls_ciphers[i]);
	*p++ = 1;
	*p++ = 0;
	ext = p;
	e = p + 2;
	if (big) {
		/* key shares: X25519Kyber768Draft00, then X25519 */
		put16(e, 0x0033);
		put16(e + 2, 2 + 4 + KYBER_SHARE + 4 + 32);
		put16(e + 4, 4 + KYBER_SHARE + 4 + 32);
		put16(e + 6, 0x6399);
		put16(e + 8, KYBER_SHARE);
		rng_fill(r, e + 10, KYBER_SHARE);
		e += 10 + KYBER_SHARE;
		memcpy(e, "\x00\x1d\x00\x20", 4);
		rng_fill(r, e + 4, 32);
		e += 4 + 32;
		e = tls_ext(e, tls_groups_pq, sizeof tls_groups_pq);
	} else {
		if (n)
			e = tls_sni(e, sni, n);
		e = tls_ext(e, tls_groups, sizeof tls_groups);
		memcpy(e, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10);
		e += 10;
		rng_fill(r, e, 32);
		e += 32;
	}
	/* supported versions TLS 1.3 and 1.2, PSK with (EC)DHE */
	memcpy(e, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03"
	    "\x00\x2d\x00\x02\x01\x01", 15);
	e += 15;
	if (big && n)
		e = tls_sni(e, sni, n);
	put16(ext, (uint32_t)(e - ext - 2));
	hs = (uint32_t)(e - (o + 9));
	o[0] = 0x16;
	o[1] = 3;
	o[2] = 1;
	put16(o + 3, hs + 4);
	o[5] = 1;
	put24(o + 6, hs);
	return (uint32_t)(e - o);
}

/*
 * ServerHello and ChangeCipherSpec, complete; the encrypted flight
 * (certificate and the rest) follows in its own segment.
 */
static uint32_t
tls_server_hello(uint8_t *o, struct rng *r)
{
	uint8_t *p = o + 9;

	*p++ = 3;
	*p++ = 3;
	rng_fill(r, p, 32);
	p += 32;
	*p++ = 32;
	rng_fill(r, p, 32);
	p += 32;
	put16(p, 0x1301);
	p += 2;
	*p++ = 0;
	put16(p, 46);
	p += 2;
	memcpy(p, "\x00\x2b\x00\x02\x03\x04" "\x00\x33\x00\x24\x00\x1d\x00\x20",
	    14);
	p += 14;
	rng_fill(r, p, 32);
	p += 32;
	o[0] = 0x16;
	o[1] = 3;
	o[2] = 3;
	put16(o + 3, (uint32_t)(p - o - 5));
	o[5] = 2;
	put24(o + 6, (uint32_t)(p - o - 9));
	memcpy(p, "\x14\x03\x03\x00\x01\x01", 6);
	p += 6;
	return (uint32_t)(p - o);
}

/* ----------------------------------------------------------- DNS */

#define QT_A		1
#define QT_CNAME	5
#define QT_SOA		6
#define QT_NULL		10
#define QT_MX		15
#define QT_TXT		16
#define QT_AAAA		28

/* A DNS message writer with name compression. */
struct dnsw {
	uint8_t		*b;
	size_t		 n, cap;
	const char	*sfx[64];
	uint16_t	 off[64];
	int		 nsfx;
};

static void
dw_bytes(struct dnsw *w, const void *p, size_t n)
{
	if (w->n + n > w->cap)
		errx(1, "internal error: DNS message too long");
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
dw_u16(struct dnsw *w, uint32_t v)
{
	uint8_t b[2];

	put16(b, v);
	dw_bytes(w, b, 2);
}

static void
dw_u32(struct dnsw *w, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	dw_bytes(w, b, 4);
}

/* Names already written are reused through pointers, as servers do. */
static void
dw_name(struct dnsw *w, const char *name)
{
	const char *p = name;
	size_t len;
	uint8_t l;
	int i;

	while (*p) {
		for (i = 0; i < w->nsfx; i++)
			if (strcasecmp(w->sfx[i], p) == 0) {
				dw_u16(w, 0xc000 | w->off[i]);
				return;
			}
		if (w->n < 0x3fff && w->nsfx < 64) {
			w->sfx[w->nsfx] = p;
			w->off[w->nsfx++] = (uint16_t)w->n;
		}
		len = strcspn(p, ".");
		if (len > 63)
			len = 63;
		l = (uint8_t)len;
		dw_bytes(w, &l, 1);
		dw_bytes(w, p, len);
		p += len;
		if (*p == '.')
			p++;
	}
	l = 0;
	dw_bytes(w, &l, 1);
}

static size_t
dw_rr(struct dnsw *w, const char *owner, uint16_t type, uint32_t ttl)
{
	dw_name(w, owner);
	dw_u16(w, type);
	dw_u16(w, 1);
	dw_u32(w, ttl);
	dw_u16(w, 0);
	return w->n;
}

static void
dw_rdlen(struct dnsw *w, size_t start)
{
	put16(w->b + start - 2, (uint32_t)(w->n - start));
}

/* The registered domain of a name: its last two labels. */
static const char *
zone_of(const char *name)
{
	const char *p = name + strlen(name), *dots[3] = { NULL, NULL, NULL };
	int k = 0;

	while (p > name && k < 3) {
		p--;
		if (*p == '.')
			dots[k++] = p;
	}
	if (k >= 2) {
		/* co.uk and friends keep three labels */
		if (dots[0] - dots[1] == 3 && k == 3)
			return dots[2] + 1;
		return dots[1] + 1;
	}
	return name;
}

static void
dw_header(struct dnsw *w, uint16_t id, uint16_t flags, int an, int ns, int ar)
{
	dw_u16(w, id);
	dw_u16(w, flags);
	dw_u16(w, 1);
	dw_u16(w, (uint32_t)an);
	dw_u16(w, (uint32_t)ns);
	dw_u16(w, (uint32_t)ar);
}

static void
dw_question(struct dnsw *w, const char *qname, uint16_t qtype)
{
	dw_name(w, qname);
	dw_u16(w, qtype);
	dw_u16(w, 1);
}

static void
dw_opt(struct dnsw *w)
{
	uint8_t root = 0;

	dw_bytes(w, &root, 1);
	dw_u16(w, 41);
	dw_u16(w, 1232);
	dw_u32(w, 0);
	dw_u16(w, 0);
}

static size_t
dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *qname,
    uint16_t qtype, int edns)
{
	struct dnsw w = { .b = buf, .cap = cap };

	dw_header(&w, id, 0x0100, 0, 0, edns);
	dw_question(&w, qname, qtype);
	if (edns)
		dw_opt(&w);
	return w.n;
}

static void
dw_soa(struct dnsw *w, const char *zone)
{
	char mname[300], rname[300];
	size_t s;

	snprintf(mname, sizeof mname, "ns1.%s", zone);
	snprintf(rname, sizeof rname, "hostmaster.%s", zone);
	s = dw_rr(w, zone, QT_SOA, 900);
	dw_name(w, mname);
	dw_name(w, rname);
	dw_u32(w, 2026030101);
	dw_u32(w, 7200);
	dw_u32(w, 3600);
	dw_u32(w, 1209600);
	dw_u32(w, 300);
	dw_rdlen(w, s);
}

static size_t
dns_response(uint8_t *buf, size_t cap, const struct dns_st *d, uint16_t id,
    int edns)
{
	struct dnsw w = { .b = buf, .cap = cap };
	const struct dans *a;
	const char *owner, *cname = NULL;
	size_t s, l;
	uint8_t len8;
	int i, soa;

	soa = d->rcode == 3 || d->nan == 0;
	dw_header(&w, id, 0x8180 | (uint16_t)d->rcode, d->nan, soa, edns);
	dw_question(&w, d->qname, d->qtype);
	for (i = 0; i < d->nan; i++) {
		a = &d->an[i];
		owner = a->owner_cname && cname ? cname : d->qname;
		s = dw_rr(&w, owner, a->type, a->ttl);
		switch (a->type) {
		case QT_A:
			dw_bytes(&w, a->addr, 4);
			break;
		case QT_AAAA:
			dw_bytes(&w, a->addr, 16);
			break;
		case QT_CNAME:
			dw_name(&w, a->name);
			cname = a->name;
			break;
		case QT_MX:
			dw_u16(&w, a->pref);
			dw_name(&w, a->name);
			break;
		case QT_TXT:
			l = strlen(a->txt);
			len8 = (uint8_t)l;
			dw_bytes(&w, &len8, 1);
			dw_bytes(&w, a->txt, l);
			break;
		}
		dw_rdlen(&w, s);
	}
	if (soa)
		dw_soa(&w, zone_of(d->qname));
	if (edns)
		dw_opt(&w);
	return w.n;
}

/* ------------------------------------------------------ TCP engine */

static int
tcp_applies(struct flow *f, int ph)
{
	struct tcp_st *t = &f->u.tcp;
	int after = t->app == APP_HTTP_POST;	/* response after the body */

	switch (ph) {
	case T_RESP:
		return !after;
	case T_RESPX:
		return t->app == APP_TLS;
	case T_RESPACK:
		return !after && t->app != APP_TLS && t->down == 0;
	case T_CFIN:
		return t->app == APP_TLS;
	case T_CHAT:
		return t->chat != CHAT_NONE;
	case T_UP:
		return t->up > 0;
	case T_RESP2:
	case T_RESP2ACK:
		return after;
	case T_DOWN:
		return t->down > 0;
	default:
		return 1;
	}
}

static int
tcp_from_client(int ph)
{
	switch (ph) {
	case T_SYNACK:
	case T_RESP:
	case T_RESPX:
	case T_RESP2:
	case T_FIN2:
		return 0;
	default:
		return 1;	/* the bulk phases decide per packet */
	}
}

static void
bulk_start(struct flow *f, usec_t t0, int up)
{
	struct tcp_st *t = &f->u.tcp;
	struct bulk *b = &t->bk;
	double rate = up ? t->uprate : t->downrate;

	memset(b, 0, sizeof *b);
	b->up = up;
	b->total = up ? t->up : t->down;
	b->seg = t->segmax;
	if (b->total < b->seg)
		b->seg = (uint32_t)b->total;
	b->n = (uint32_t)((b->total + b->seg - 1) / b->seg);
	b->dt = (usec_t)((double)b->seg / rate * 1e6);
	if (b->dt < 1)
		b->dt = 1;
	b->t0 = t0;
	b->ackdelay = turn(f, up ? &f->b : &f->a);
	b->ak = b->n <= ACK_EVERY ? b->n - 1 : ACK_EVERY - 1;
	b->base = up ? t->cseq : t->sseq;
}

/* Next phase, and when its first packet is due after a packet at `t`. */
static void
tcp_advance(struct flow *f, usec_t t, int last_client)
{
	struct tcp_st *t_ = &f->u.tcp;
	int cl;

	do {
		f->phase++;
	} while (f->phase < T_DONE && !tcp_applies(f, f->phase));
	if (f->phase == T_DONE)
		return;
	cl = tcp_from_client(f->phase);
	if (f->phase == T_FIN1)
		f->next = t + t_->linger;
	else if (f->phase == T_UP || f->phase == T_DOWN) {
		/* the sender starts after it has heard the other side */
		if ((f->phase == T_UP) == (last_client != 0))
			f->next = t + 20 + rng_below(&f->rng, 200);
		else
			f->next = t + turn(f, f->phase == T_UP ? &f->a : &f->b);
		bulk_start(f, f->next, f->phase == T_UP);
	} else if (cl == last_client)
		f->next = t + 20 + rng_below(&f->rng, 400);
	else
		f->next = t + turn(f, cl ? &f->a : &f->b);
}

/* The MSS an end announces: Ethernet's, less headers without options. */
static uint32_t
tcp_mss(const struct ep *e)
{
	return e->v6 ? 1440 : 1460;
}

static uint32_t
tcp_send(struct flow *f, usec_t ts, int from_client, uint8_t flags,
    uint32_t ackno, const uint8_t *pl, uint32_t plcap, uint32_t plwire)
{
	struct tcp_st *t = &f->u.tcp;
	struct ep *s = from_client ? &f->a : &f->b;
	struct ep *d = from_client ? &f->b : &f->a;
	uint32_t *seq = from_client ? &t->cseq : &t->sseq;
	uint8_t h[32];
	uint32_t hl = 20, iplen;

	memset(h, 0, sizeof h);
	put16(h, s->port);
	put16(h + 2, d->port);
	put32(h + 4, *seq);
	if (flags & 0x10)
		put32(h + 8, ackno ? ackno : (from_client ? t->sseq : t->cseq));
	if (flags & 0x02) {
		/* MSS, NOP, window scale, SACK permitted, NOP, NOP */
		memcpy(h + 20, "\x02\x04\x00\x00\x01\x03\x03\x08"
		    "\x04\x02\x01\x01", 12);
		put16(h + 22, tcp_mss(s));
		hl = 32;
		put16(h + 14, 64240);
	} else
		put16(h + 14, from_client ? 1026 : 501);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = flags;
	iplen = emit(ts, s, d, P_TCP, h, hl, pl, plcap, plwire);
	*seq += plwire + ((flags & 0x03) ? 1 : 0);
	ev_account(f->ev, ts, s, iplen);
	return iplen;
}

static const char *
body_ctype(int body)
{
	switch (body) {
	case BODY_ZIP:
		return "application/zip";
	case BODY_7Z:
		return "application/x-7z-compressed";
	case BODY_RAR:
		return "application/vnd.rar";
	case BODY_FORM:
		return "application/x-www-form-urlencoded";
	case BODY_OCSP:
		return "application/ocsp-request";
	default:
		return "application/octet-stream";
	}
}

static const char *const archive_names[] = {
	"finance/2026-Q1-ledger.xlsx", "hr/payroll_march.csv",
	"projects/roadmap-2026.pptx", "customers/export_full.sql",
	"legal/contracts_signed.pdf", "rnd/design-specs.docx",
};

/* The first bytes of an HTTP body: what detectors sniff. */
static uint32_t
body_head(struct flow *f, int body, uint8_t *o, uint32_t room)
{
	struct rng *r = &f->rng;
	const char *name;
	uint32_t n = 0;
	int k;

	switch (body) {
	case BODY_ZIP:
		name = archive_names[rng_below(r, 6)];
		memcpy(o, "PK\x03\x04\x14\x00\x08\x00\x08\x00", 10);
		put16(o + 10, 0x6c2a);		/* time */
		put16(o + 12, 0x5c62);		/* date 2026-03 */
		rng_fill(r, o + 14, 4);		/* crc */
		memset(o + 18, 0, 8);	/* sizes in the data descriptor */
		o[26] = (uint8_t)strlen(name);
		o[27] = 0;
		o[28] = o[29] = 0;
		memcpy(o + 30, name, strlen(name));
		n = 30 + (uint32_t)strlen(name);
		break;
	case BODY_7Z:
		memcpy(o, "7z\xbc\xaf\x27\x1c\x00\x04", 8);
		rng_fill(r, o + 8, 24);
		n = 32;
		break;
	case BODY_RAR:
		memcpy(o, "Rar!\x1a\x07\x01\x00", 8);
		rng_fill(r, o + 8, 16);
		n = 24;
		break;
	case BODY_FORM:
		k = (int)rng_below(r, 1000);
		n = (uint32_t)snprintf((char *)o, room,
		    "name=Alex+Miller&email=alex.miller%%40example.com&subject="
		    "Order+%d&message=Hello%%2C+please+call+me+back+about+the+"
		    "order.+Thanks%%21&consent=on", 1000 + k);
		return n < room ? n : room;
	case BODY_OCSP:
		memcpy(o, "\x30\x51\x30\x4f\x30\x4d\x30\x4b\x30\x49\x30\x09"
		    "\x06\x05\x2b\x0e\x03\x02\x1a\x05\x00\x04\x14", 23);
		rng_fill(r, o + 23, 60);
		return 83 < room ? 83 : room;
	case BODY_HTML:
		n = (uint32_t)snprintf((char *)o, room,
		    "<!DOCTYPE html><html lang=\"en\"><head>"
		    "<meta charset=\"utf-8\">");
		break;
	default:
		break;
	}
	if (n > room)
		n = room;
	if (n < room)
		rng_fill(r, o + n, room - n);
	return room;
}

static void
http_date(usec_t ts, char *buf, size_t len)
{
	time_t t = (time_t)(ts / SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/*
 * The client's first payload: ClientHello, HTTP request, SMB negotiate...
 * Returns 1 when more of it follows in another segment at f->next.
 */
static int
tcp_req(struct flow *f, usec_t ts)
{
	struct tcp_st *t = &f->u.tcp;
	uint8_t pl[HELLO_MAX], small[256];
	uint32_t n, cap, wire, room, iplen;
	struct rng hr;

	switch (t->app) {
	case APP_TLS:
		/*
		 * A hello longer than the MSS goes out in MSS-sized segments,
		 * one a step so that other flows' packets stay in time order.
		 * Each step builds the hello again from the random state it
		 * started with, so a flow carries no copy of it.
		 */
		if (t->reqoff == 0) {
			t->hr = f->rng;
			n = tls_client_hello(pl, t->host[0] ? t->host : NULL,
			    t->bighello, &f->rng);
		} else {
			hr = t->hr;
			n = tls_client_hello(pl, t->host[0] ? t->host : NULL,
			    t->bighello, &hr);
		}
		cap = n - t->reqoff;
		if (cap > tcp_mss(&f->a))
			cap = tcp_mss(&f->a);
		/* PSH on the segment that ends the write */
		iplen = tcp_send(f, ts, 1, t->reqoff + cap < n ? 0x10 : 0x18,
		    0, pl + t->reqoff, cap, cap);
		t->reqoff += cap;
		if (t->reqoff == n)
			return 0;
		/* back to back: the first frame's time on a gigabit link */
		f->next = ts + 1 + (iplen + 14) * 8 / 1000;
		return 1;
	case APP_HTTP_GET:
		n = (uint32_t)snprintf((char *)pl, sizeof pl,
		    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		    "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
		    "Accept-Encoding: gzip, deflate\r\n"
		    "Connection: keep-alive\r\n\r\n",
		    t->path, t->host, t->ua);
		tcp_send(f, ts, 1, 0x18, 0, pl, n, n);
		return 0;
	case APP_HTTP_POST:
		/* small bodies are written first: Content-Length is theirs */
		if (t->body == BODY_FORM || t->body == BODY_OCSP)
			t->clen = body_head(f, t->body, small, sizeof small);
		n = (uint32_t)snprintf((char *)pl, sizeof pl,
		    "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		    "Accept: */*\r\nContent-Type: %s\r\n"
		    "Content-Length: %llu\r\n\r\n",
		    t->path, t->host, t->ua, t->ctype,
		    (unsigned long long)t->clen);
		room = 1400 > n ? 1400 - n : 0;
		if (room > t->clen)
			room = (uint32_t)t->clen;
		if (t->body == BODY_FORM || t->body == BODY_OCSP) {
			memcpy(pl + n, small, room);
			t->chunk = room;
		} else
			t->chunk = body_head(f, t->body, pl + n, room);
		t->up = t->clen - t->chunk;
		n += t->chunk;
		tcp_send(f, ts, 1, 0x18, 0, pl, n, n);
		return 0;
	case APP_SMB:
		/* NetBIOS session header, SMB2 NEGOTIATE with four dialects */
		memset(pl, 0, 112);
		put32(pl, 108);
		memcpy(pl + 4, "\xfeSMB", 4);
		pl[8] = 64;			/* header size, little endian */
		pl[68] = 36;			/* NEGOTIATE request size */
		pl[70] = 4;			/* dialect count */
		rng_fill(&f->rng, pl + 80, 16);	/* client GUID */
		memcpy(pl + 104, "\x02\x02\x10\x02\x00\x03\x02\x03", 8);
		tcp_send(f, ts, 1, 0x18, 0, pl, 112, 112);
		return 0;
	case APP_SSH:
		n = (uint32_t)snprintf((char *)pl, sizeof pl,
		    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
		tcp_send(f, ts, 1, 0x18, 0, pl, n, n);
		return 0;
	case APP_DNS:
		put16(pl, t->dnsqlen);
		memcpy(pl + 2, t->dnsq, t->dnsqlen);
		n = 2u + t->dnsqlen;
		tcp_send(f, ts, 1, 0x18, 0, pl, n, n);
		return 0;
	default:
		wire = 120 + rng_below(&f->rng, 400);
		cap = wire < 64 ? wire : 64;
		rng_fill(&f->rng, pl, cap);
		tcp_send(f, ts, 1, 0x18, 0, pl, cap, wire);
		return 0;
	}
}

static void
tcp_resp(struct flow *f, usec_t ts)
{
	struct tcp_st *t = &f->u.tcp;
	struct dns_st d;
	uint8_t pl[1600];
	char date[64];
	uint32_t n, cap, wire, chunk;

	switch (t->app) {
	case APP_TLS:
		n = tls_server_hello(pl, &f->rng);
		tcp_send(f, ts, 0, 0x18, 0, pl, n, n);
		return;
	case APP_HTTP_GET:
		http_date(ts, date, sizeof date);
		n = (uint32_t)snprintf((char *)pl, sizeof pl,
		    "HTTP/1.1 200 OK\r\nDate: %s\r\nServer: nginx\r\n"
		    "Content-Type: %s\r\nContent-Length: %llu\r\n\r\n",
		    date, t->ctype, (unsigned long long)t->clen);
		/* headers and the start of the page, whole: DPI reads them */
		chunk = 512;
		if (chunk > t->clen)
			chunk = (uint32_t)t->clen;
		t->down = t->clen - chunk;
		body_head(f, BODY_HTML, pl + n, chunk);
		tcp_send(f, ts, 0, 0x18, 0, pl, n + chunk, n + chunk);
		return;
	case APP_SMB:
		memset(pl, 0, 132);
		put32(pl, 128);
		memcpy(pl + 4, "\xfeSMB", 4);
		pl[8] = 64;
		pl[20] = 1;			/* flags: server to client */
		pl[68] = 65;			/* NEGOTIATE response size */
		pl[70] = 1;			/* signing enabled */
		pl[72] = 0x11;			/* dialect 3.1.1 */
		pl[73] = 0x03;
		rng_fill(&f->rng, pl + 76, 16);	/* server GUID */
		tcp_send(f, ts, 0, 0x18, 0, pl, 132, 132);
		return;
	case APP_SSH:
		n = (uint32_t)snprintf((char *)pl, sizeof pl,
		    "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n");
		tcp_send(f, ts, 0, 0x18, 0, pl, n, n);
		return;
	case APP_DNS:
		/* the answer to the query kept in dnsq */
		memset(&d, 0, sizeof d);
		snprintf(d.qname, sizeof d.qname, "%s", t->host);
		d.qtype = QT_TXT;
		d.nan = 2;
		d.an[0].type = d.an[1].type = QT_TXT;
		d.an[0].ttl = d.an[1].ttl = 3600;
		d.an[0].txt = "v=spf1 include:_spf.example.com "
		    "include:mail.example.net ~all";
		d.an[1].txt = "google-site-verification=q2bX0cKx8dYw6-7rTn3mZ1";
		n = (uint32_t)dns_response(pl + 2, sizeof pl - 2, &d,
		    (uint16_t)(t->dnsq[0] << 8 | t->dnsq[1]), 1);
		put16(pl, n);
		tcp_send(f, ts, 0, 0x18, 0, pl, n + 2, n + 2);
		return;
	default:
		wire = 64 + rng_below(&f->rng, 200);
		cap = wire < 64 ? wire : 64;
		rng_fill(&f->rng, pl, cap);
		tcp_send(f, ts, 0, 0x18, 0, pl, cap, wire);
		return;
	}
}

static void
tcp_resp2(struct flow *f, usec_t ts)
{
	struct tcp_st *t = &f->u.tcp;
	uint8_t pl[512];
	char date[64];
	const char *body;
	uint32_t n;

	http_date(ts, date, sizeof date);
	if (t->body == BODY_OCSP) {
		n = (uint32_t)snprintf((char *)pl, sizeof pl,
		    "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: "
		    "application/ocsp-response\r\nContent-Length: 471\r\n"
		    "Cache-Control: max-age=171873\r\n\r\n", date);
		rng_fill(&f->rng, pl + n, 64);
		tcp_send(f, ts, 0, 0x18, 0, pl, n + 64, n + 471);
		return;
	}
	body = t->body == BODY_FORM ? "<html><body>Thank you!</body></html>" :
	    "{\"status\":\"ok\",\"stored\":true}";
	n = (uint32_t)snprintf((char *)pl, sizeof pl,
	    "HTTP/1.1 200 OK\r\nDate: %s\r\nServer: nginx\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n\r\n%s", date,
	    t->body == BODY_FORM ? "text/html" : "application/json",
	    strlen(body), body);
	tcp_send(f, ts, 0, 0x18, 0, pl, n, n);
}

/* One packet of a bulk transfer: a data segment or the receiver's ACK. */
static int
tcp_bulk(struct flow *f, usec_t ts)
{
	struct tcp_st *t = &f->u.tcp;
	struct bulk *b = &t->bk;
	usec_t td, ta;
	uint64_t off, end;
	uint32_t len;
	uint8_t pl[BULK_SNAP];

	td = b->k < b->n ? b->t0 + b->k * b->dt : NEVER;
	if (td <= ts) {
		off = (uint64_t)b->k * b->seg;
		len = b->total - off < b->seg ? (uint32_t)(b->total - off) :
		    b->seg;
		rng_fill(&f->rng, pl, sizeof pl);
		if (t->app == APP_TLS) {
			pl[0] = 0x17;
			pl[1] = 3;
			pl[2] = 3;
			put16(pl + 3, len > 16401 ? 16401 : len - 5);
		}
		tcp_send(f, ts, b->up, 0x10 | (b->k == b->n - 1 ? 0x08 : 0), 0,
		    pl, len < BULK_SNAP ? len : BULK_SNAP, len);
		b->k++;
	} else {
		end = (uint64_t)(b->ak + 1) * b->seg;
		if (end > b->total)
			end = b->total;
		tcp_send(f, ts, !b->up, 0x10, b->base + (uint32_t)end, NULL, 0,
		    0);
		if (b->ak >= b->n - 1)
			b->ak = b->n;
		else if (b->ak + ACK_EVERY <= b->n - 1)
			b->ak += ACK_EVERY;
		else
			b->ak = b->n - 1;
	}
	td = b->k < b->n ? b->t0 + b->k * b->dt : NEVER;
	ta = b->ak < b->n ? b->t0 + b->ak * b->dt + b->ackdelay : NEVER;
	if (td == NEVER && ta == NEVER)
		return 1;
	f->next = td <= ta ? td : ta;
	return 0;
}

/*
 * One packet of the exchanges: the client's records, the server's answers,
 * or the client's delayed ACK before it goes quiet.  Returns 1 after the
 * last answer.
 */
static int
tcp_chat(struct flow *f, usec_t ts)
{
	struct tcp_st *t = &f->u.tcp;
	const struct chatstyle *cs = &chatstyles[t->chat];
	uint8_t pl[1400];
	uint32_t i, n, len, lo, hi;
	usec_t gap;
	int cl;

	if (t->chat_st == 2) {
		tcp_send(f, ts, 1, 0x10, 0, NULL, 0, 0);
		t->chat_st = 0;
		f->next = t->chat_at;
		return 0;
	}
	cl = t->chat_st == 0;
	if (cl)
		t->chat_k = 1 + rng_below(&f->rng, cs->kmax);
	lo = cl ? cs->cmin : cs->smin;
	hi = cl ? cs->cmax : cs->smax;
	i = n = 0;
	do {
		len = lo + rng_below(&f->rng, hi - lo + 1);
		rng_fill(&f->rng, pl + n, len);
		pl[n] = 0x17;
		pl[n + 1] = 3;
		pl[n + 2] = 3;
		put16(pl + n + 3, len - 5);
		n += len;
	} while (++i < t->chat_k && n + hi <= sizeof pl);
	tcp_send(f, ts, cl, 0x18, 0, pl, cs->snap > 0 && n > cs->snap ?
	    cs->snap : n, n);
	if (cl) {
		t->chat_st = 1;
		f->next = ts + turn(f, &f->b) + (usec_t)(rng_range(&f->rng,
		    cs->think[0], cs->think[1]) * SEC);
		return 0;
	}
	if (rng_chance(&f->rng, cs->burst))
		gap = (usec_t)(rng_range(&f->rng, cs->bgap[0], cs->bgap[1]) *
		    SEC);
	else
		gap = (usec_t)(rng_range(&f->rng, cs->igap[0], cs->igap[1]) *
		    SEC);
	if (ts + gap >= t->chat_end)
		return 1;
	t->chat_at = ts + gap;
	t->chat_st = gap > DELACK ? 2 : 0;
	f->next = gap > DELACK ? ts + DELACK : t->chat_at;
	return 0;
}

static int
tcp_step(struct flow *f)
{
	struct tcp_st *t = &f->u.tcp;
	usec_t ts = f->next;
	uint8_t pl[64];
	uint32_t n;

	switch (f->phase) {
	case T_SYN:
		tcp_send(f, ts, 1, 0x02, 0, NULL, 0, 0);
		break;
	case T_SYNACK:
		tcp_send(f, ts, 0, 0x12, 0, NULL, 0, 0);
		break;
	case T_ACK:
		tcp_send(f, ts, 1, 0x10, 0, NULL, 0, 0);
		break;
	case T_REQ:
		if (tcp_req(f, ts))
			return 0;
		tcp_advance(f, ts, 1);
		/* the server thinks before it answers */
		if (f->phase == T_RESP)
			f->next += 200 + rng_below(&f->rng, 20000);
		return f->phase == T_DONE;
	case T_RESP:
		tcp_resp(f, ts);
		break;
	case T_RESPX:
		/* the certificate flight: an application-data record */
		n = 2000 + rng_below(&f->rng, 2400);
		pl[0] = 0x17;
		pl[1] = 3;
		pl[2] = 3;
		put16(pl + 3, n - 5);
		rng_fill(&f->rng, pl + 5, BULK_SNAP - 5);
		tcp_send(f, ts, 0, 0x18, 0, pl, BULK_SNAP, n);
		break;
	case T_RESPACK:
	case T_RESP2ACK:
		tcp_send(f, ts, 1, 0x10, 0, NULL, 0, 0);
		break;
	case T_CFIN:
		if (t->abort) {
			/* fatal alert: the client wanted the certificate */
			memcpy(pl, "\x15\x03\x03\x00\x02\x02\x2e", 7);
			tcp_send(f, ts, 1, 0x18, 0, pl, 7, 7);
			t->up = t->down = 0;
			t->linger = 1000 + rng_below(&f->rng, 5000);
		} else {
			memcpy(pl, "\x14\x03\x03\x00\x01\x01"
			    "\x17\x03\x03\x00\x35", 11);
			rng_fill(&f->rng, pl + 11, 53);
			tcp_send(f, ts, 1, 0x18, 0, pl, 64, 64 + 200 +
			    rng_below(&f->rng, 500));
		}
		break;
	case T_CHAT:
		if (!tcp_chat(f, ts))
			return 0;
		tcp_advance(f, ts, 0);
		return f->phase == T_DONE;
	case T_UP:
	case T_DOWN:
		if (!tcp_bulk(f, ts))
			return 0;
		tcp_advance(f, ts, f->phase == T_DOWN);
		return f->phase == T_DONE;
	case T_RESP2:
		tcp_resp2(f, ts);
		break;
	case T_FIN1:
		tcp_send(f, ts, 1, 0x11, 0, NULL, 0, 0);
		break;
	case T_FIN2:
		tcp_send(f, ts, 0, 0x11, 0, NULL, 0, 0);
		break;
	case T_FIN3:
		tcp_send(f, ts, 1, 0x10, 0, NULL, 0, 0);
		return 1;
	}
	tcp_advance(f, ts, tcp_from_client(f->phase));
	return f->phase == T_DONE;
}

/* A TCP connection from `cli` to `srv` starting at `t`. */
static struct flow *
tcp_new(usec_t t, const struct ep *cli, const struct ep *srv, int app,
    const char *host, int ev, struct rng *r)
{
	struct flow *f = flow_get(F_TCP, t, ev, r);
	struct tcp_st *tc = &f->u.tcp;

	f->a = *cli;
	f->b = *srv;
	f->rtt = cli->far ? rtt_for(cli->ip, cli->v6, &f->rng) :
	    srv->far ? rtt_for(srv->ip, srv->v6, &f->rng) :
	    200 + rng_below(&f->rng, 300);
	tc->app = app;
	tc->cseq = (uint32_t)rng_next(&f->rng);
	tc->sseq = (uint32_t)rng_next(&f->rng);
	tc->uprate = rng_range(&f->rng, 2, 12) * MB;
	tc->downrate = rng_range(&f->rng, 5, 40) * MB;
	tc->segmax = SEG_MAX;
	tc->linger = (usec_t)(rng_range(&f->rng, 0.2, 20) * SEC);
	tc->path = "/";
	tc->ctype = "text/html; charset=utf-8";
	tc->ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
	if (host)
		snprintf(tc->host, sizeof tc->host, "%s", host);
	return f;
}

/* ---------------------------------------------------- DNS lookups */

static struct ep	 ep_resolver, ep_upstream;

/* Which leg of a lookup comes next; the resolver caches half the names. */
static int
dns_step(struct flow *f)
{
	struct dns_st *d = &f->u.dns;
	usec_t ts = f->next;
	uint8_t b[1500];
	uint8_t udp[8];
	size_t n;
	uint32_t iplen;

	memset(udp, 0, sizeof udp);
	switch (f->phase) {
	case 0:
		n = dns_query(b, sizeof b, d->id, d->qname, d->qtype, 0);
		put16(udp, d->cli.port);
		put16(udp + 2, 53);
		iplen = emit(ts, &d->cli, &d->srv, P_UDP, udp, 8, b,
		    (uint32_t)n, (uint32_t)n);
		ev_account(f->ev, ts, &d->cli, iplen);
		if (d->direct) {
			f->phase = 3;
			f->next = ts + rtt_for(d->srv.ip, 0, &f->rng);
		} else if (d->miss) {
			f->phase = 1;
			f->next = ts + 100 + rng_below(&f->rng, 500);
		} else {
			f->phase = 3;
			f->next = ts + 100 + rng_below(&f->rng, 300);
		}
		return 0;
	case 1:
		n = dns_query(b, sizeof b, d->fid, d->qname, d->qtype, 1);
		put16(udp, d->fwd.port);
		put16(udp + 2, 53);
		iplen = emit(ts, &d->fwd, &d->up, P_UDP, udp, 8, b, (uint32_t)n,
		    (uint32_t)n);
		ev_account(f->ev, ts, &d->fwd, iplen);
		f->phase = 2;
		f->next = ts + rtt_for(d->up.ip, 0, &f->rng) +
		    rng_below(&f->rng, 30000);
		return 0;
	case 2:
		n = dns_response(b, sizeof b, d, d->fid, 1);
		put16(udp, 53);
		put16(udp + 2, d->fwd.port);
		iplen = emit(ts, &d->up, &d->fwd, P_UDP, udp, 8, b, (uint32_t)n,
		    (uint32_t)n);
		ev_account(f->ev, ts, &d->up, iplen);
		f->phase = 3;
		f->next = ts + 50 + rng_below(&f->rng, 200);
		return 0;
	default:
		n = dns_response(b, sizeof b, d, d->id, 0);
		put16(udp, 53);
		put16(udp + 2, d->cli.port);
		iplen = emit(ts, &d->srv, &d->cli, P_UDP, udp, 8, b,
		    (uint32_t)n, (uint32_t)n);
		ev_account(f->ev, ts, &d->srv, iplen);
		return 1;
	}
}

/*
 * Look `name` up for a client.  Answers: `cname` (may be NULL) and the
 * addresses in `addrs`; none means NXDOMAIN (rcode 3) or NODATA.  Returns
 * when the client has its answer.
 */
static usec_t
dns_lookup(usec_t t, struct host *h, const char *name, uint16_t qtype,
    const char *cname, const uint8_t (*addrs)[16], int naddr, int rcode,
    int ev, struct rng *r)
{
	struct flow *f;
	struct dns_st *d;
	int i, v6 = qtype == QT_AAAA;

	f = flow_get(F_DNS, t, ev, r);
	d = &f->u.dns;
	snprintf(d->qname, sizeof d->qname, "%s", name);
	d->qtype = qtype;
	d->id = (uint16_t)rng_next(&f->rng);
	d->fid = (uint16_t)rng_next(&f->rng);
	d->rcode = rcode;
	d->miss = rng_chance(&f->rng, 0.5);
	/* one workstation was set up with 8.8.8.8 by hand */
	d->direct = h->direct_dns && rng_chance(&f->rng, 0.3);
	/* dual-stack clients ask the resolver over IPv4 */
	ep_v4(&d->cli, h->ip, (uint16_t)(49152 + rng_below(&f->rng, 16384)),
	    &f->rng);
	if (d->direct) {
		d->srv = ep_upstream;
		d->srv.ipid = (uint16_t)rng_next(&f->rng);
	} else
		d->srv = ep_resolver;
	d->fwd = ep_resolver;
	d->fwd.port = (uint16_t)(1024 + rng_below(&f->rng, 64000));
	d->up = ep_upstream;
	i = 0;
	if (rcode == 0 && qtype == QT_MX) {
		d->an[0].type = d->an[1].type = QT_MX;
		d->an[0].pref = 10;
		d->an[1].pref = 20;
		d->an[0].name = "mx1.mail.example.com";
		d->an[1].name = "mx2.mail.example.com";
		d->an[0].ttl = d->an[1].ttl = 3600;
		i = 2;
	} else if (rcode == 0) {
		if (cname) {
			d->an[i].type = QT_CNAME;
			d->an[i].name = cname;
			d->an[i++].ttl = 300;
		}
		for (; naddr > 0 && i < 4; naddr--, addrs++) {
			d->an[i].type = qtype;
			d->an[i].owner_cname = cname != NULL;
			memcpy(d->an[i].addr, *addrs, v6 ? 16 : 4);
			d->an[i++].ttl = 60 + rng_below(&f->rng, 240);
		}
	}
	d->nan = i;
	flow_start(f);
	if (d->direct)
		return t + 2 * rtt_for(d->srv.ip, 0, &f->rng);
	return t + (d->miss ? 45000 : 1500);
}

/* ------------------------------------------------------ DNS tunnel */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz012345";
static const char hexd[] = "0123456789abcdef";

/* Fill `out` with `n` encoded characters split into 63-byte labels. */
static void
tun_labels(char *out, size_t cap, struct rng *r, size_t n, const char *alpha,
    const char *domain)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 2 < cap; i++) {
		if (i > 0 && i % 63 == 0)
			out[o++] = '.';
		out[o++] = alpha[rng_below(r, (uint32_t)strlen(alpha))];
	}
	snprintf(out + o, cap - o, ".%s", domain);
}

static size_t
tun_answer(struct flow *f, uint8_t *b, size_t cap, uint16_t id)
{
	struct tun_st *tu = &f->u.tun;
	struct rng r = tu->qr;
	struct dnsw w = { .b = b, .cap = cap };
	uint8_t raw[800];
	char txt[256], name[256];
	size_t s, n;

	dw_header(&w, id, 0x8180, 1, 0, 1);
	dw_question(&w, tu->qname, tu->qtype);
	s = dw_rr(&w, tu->qname, tu->qtype, 0);
	switch (tu->qtype) {
	case QT_NULL:
		/* iodine's downstream: raw bytes in a NULL record */
		n = 40 + rng_below(&r, 700);
		rng_fill(&r, raw, n);
		raw[0] = (uint8_t)(0xe0 | rng_below(&r, 16));
		dw_bytes(&w, raw, n);
		break;
	case QT_TXT:
		n = 2 * (20 + rng_below(&r, 100));
		rng_alnum(&r, txt, n, hexd);
		raw[0] = (uint8_t)n;
		dw_bytes(&w, raw, 1);
		dw_bytes(&w, txt, n);
		break;
	case QT_MX:
		dw_u16(&w, 10);
		tun_labels(name, sizeof name, &r, 2 * (10 + rng_below(&r, 40)),
		    hexd, tu->domain);
		dw_name(&w, name);
		break;
	default:
		tun_labels(name, sizeof name, &r, 2 * (10 + rng_below(&r, 40)),
		    hexd, tu->domain);
		dw_name(&w, name);
		break;
	}
	dw_rdlen(&w, s);
	dw_opt(&w);
	return w.n;
}

static void
tun_newquery(struct flow *f)
{
	struct tun_st *tu = &f->u.tun;
	struct rng *r = &f->rng;
	uint32_t k;

	tu->id = (uint16_t)rng_next(r);
	tu->fid = (uint16_t)rng_next(r);
	/* an independent stream, so answers do not echo the query */
	tu->qr.s = mix64(rng_next(r)) | 1;
	if (tu->style == TUN_IODINE) {
		/* data queries carry ~200 base32 chars; polls are short */
		tu->qtype = QT_NULL;
		if (rng_chance(r, 0.75))
			tun_labels(tu->qname, sizeof tu->qname, r,
			    170 + rng_below(r, 40), b32, tu->domain);
		else
			tun_labels(tu->qname, sizeof tu->qname, r,
			    8 + rng_below(r, 8), b32, tu->domain);
	} else {
		k = rng_below(r, 10);
		tu->qtype = k < 5 ? QT_TXT : k < 8 ? QT_CNAME : QT_MX;
		tun_labels(tu->qname, sizeof tu->qname, r,
		    2 * (30 + rng_below(r, 70)), hexd, tu->domain);
	}
	tu->fwd.port = (uint16_t)(1024 + rng_below(r, 64000));
}

static int
tun_step(struct flow *f)
{
	struct tun_st *tu = &f->u.tun;
	usec_t ts = f->next;
	uint8_t b[1500], udp[8];
	size_t n;
	uint32_t iplen;

	memset(udp, 0, sizeof udp);
	switch (f->phase) {
	case 0:
		n = dns_query(b, sizeof b, tu->id, tu->qname, tu->qtype, 1);
		put16(udp, tu->cli.port);
		put16(udp + 2, 53);
		iplen = emit(ts, &tu->cli, &tu->srv, P_UDP, udp, 8, b,
		    (uint32_t)n, (uint32_t)n);
		ev_account(f->ev, ts, &tu->cli, iplen);
		f->phase = tu->direct ? 3 : 1;
		f->next = ts + (tu->direct ? f->rtt :
		    100 + rng_below(&f->rng, 400));
		return 0;
	case 1:
		n = dns_query(b, sizeof b, tu->fid, tu->qname, tu->qtype, 1);
		put16(udp, tu->fwd.port);
		put16(udp + 2, 53);
		iplen = emit(ts, &tu->fwd, &tu->up, P_UDP, udp, 8, b,
		    (uint32_t)n, (uint32_t)n);
		ev_account(f->ev, ts, &tu->fwd, iplen);
		f->phase = 2;
		/* the authoritative server is the tunnel's far end */
		f->next = ts + f->rtt + 20000 + rng_below(&f->rng, 40000);
		return 0;
	case 2:
		n = tun_answer(f, b, sizeof b, tu->fid);
		put16(udp, 53);
		put16(udp + 2, tu->fwd.port);
		iplen = emit(ts, &tu->up, &tu->fwd, P_UDP, udp, 8, b,
		    (uint32_t)n, (uint32_t)n);
		ev_account(f->ev, ts, &tu->up, iplen);
		f->phase = 3;
		f->next = ts + 50 + rng_below(&f->rng, 200);
		return 0;
	default:
		n = tun_answer(f, b, sizeof b, tu->id);
		put16(udp, 53);
		put16(udp + 2, tu->cli.port);
		iplen = emit(ts, &tu->srv, &tu->cli, P_UDP, udp, 8, b,
		    (uint32_t)n, (uint32_t)n);
		ev_account(f->ev, ts, &tu->srv, iplen);
		if (--tu->left == 0)
			return 1;
		tun_newquery(f);
		f->phase = 0;
		/* bursts of data, then the tool's polling interval */
		f->next = ts + (rng_chance(&f->rng, 0.7) ?
		    5000 + rng_below(&f->rng, 60000) :
		    (usec_t)(rng_range(&f->rng, 0.5, 2.0) * (double)tu->gap));
		return 0;
	}
}

static void
tun_new(usec_t t, struct host *h, int style, int direct, const char *domain,
    uint32_t ip, uint32_t nq, usec_t dur, int ev, struct rng *r)
{
	struct flow *f = flow_get(F_TUN, t, ev, r);
	struct tun_st *tu = &f->u.tun;
	double legs, per;

	tu->style = style;
	tu->direct = direct;
	tu->domain = domain;
	tu->left = nq;
	ep_v4(&tu->cli, h->ip, (uint16_t)(49152 + rng_below(r, 16384)), r);
	if (direct) {
		ep_v4(&tu->srv, ip, 53, r);
		f->rtt = rtt_for(tu->srv.ip, 0, r);
		legs = (double)f->rtt;
	} else {
		tu->srv = ep_resolver;
		tu->fwd = ep_resolver;
		tu->up = ep_upstream;
		f->rtt = rtt_for(tu->up.ip, 0, r);
		legs = (double)f->rtt + 40000;
	}
	/*
	 * A query takes `legs`, then 70 % follow within 5-65 ms (a burst of
	 * data) and 30 % wait 0.5-2 polling gaps: pick the gap that makes
	 * the queries last about `dur`.
	 */
	per = (double)dur / nq - legs - 0.7 * 35000;
	tu->gap = per > 0 ? (usec_t)(per / (0.3 * 1.25)) : 0;
	if (tu->gap < 100000)
		tu->gap = 100000;
	tun_newquery(f);
	flow_start(f);
}

/* ------------------------------------------------------------ ICMP */

static int
icmp_step(struct flow *f)
{
	struct icmp_st *ic = &f->u.icmp;
	usec_t ts = f->next;
	uint8_t h[8], rep[1500];
	uint32_t iplen, n;

	if (f->phase == 0) {
		h[0] = ic->src.v6 ? 128 : 8;
		h[1] = 0;
		put16(h + 4, ic->id);
		put16(h + 6, ic->seq);
		if (ic->tunnel) {
			/* ptunnel: a magic, then tunnelled bytes that change */
			ic->reqlen = 1000 + rng_below(&f->rng, 400);
			rng_fill(&f->rng, ic->req, ic->reqlen);
			memcpy(ic->req, "\xd5\x20\x08\x80", 4);
		}
		iplen = emit(ts, &ic->src, &ic->dst, P_ICMP, h, 8, ic->req,
		    ic->reqlen, ic->reqlen);
		ev_account(f->ev, ts, &ic->src, iplen);
		f->phase = 1;
		f->next = ts + f->rtt;
		return 0;
	}
	h[0] = ic->src.v6 ? 129 : 0;
	h[1] = 0;
	put16(h + 4, ic->id);
	put16(h + 6, ic->seq);
	if (ic->tunnel) {
		n = 64 + rng_below(&f->rng, 1300);
		rng_fill(&f->rng, rep, n);
		memcpy(rep, "\xd5\x20\x08\x80", 4);
	} else {
		n = ic->reqlen;
		memcpy(rep, ic->req, n);
	}
	iplen = emit(ts, &ic->dst, &ic->src, P_ICMP, h, 8, rep, n, n);
	ev_account(f->ev, ts, &ic->dst, iplen);
	if (--ic->left == 0)
		return 1;
	ic->seq++;
	f->phase = 0;
	f->next = ts - f->rtt + ic->gap;
	if (f->next <= ts)
		f->next = ts + 1000;
	if (ic->tunnel)
		f->next += rng_below(&f->rng, (uint32_t)(ic->gap / 2));
	return 0;
}

static void
icmp_new(usec_t t, const struct ep *src, uint32_t dst, uint32_t count,
    usec_t gap, int tunnel, int ev, struct rng *r)
{
	struct flow *f = flow_get(F_ICMP, t, ev, r);
	struct icmp_st *ic = &f->u.icmp;
	uint32_t i;

	ic->src = *src;
	ep_v4(&ic->dst, dst, 0, r);
	f->rtt = rtt_for(ic->dst.ip, 0, r);
	ic->id = (uint16_t)rng_next(r);
	ic->seq = 1;
	ic->left = count;
	ic->gap = gap;
	ic->tunnel = tunnel;
	if (!tunnel) {
		/* ping's 56-byte pattern, the same in every request */
		ic->reqlen = 56;
		for (i = 0; i < 56; i++)
			ic->req[i] = (uint8_t)(0x10 + i);
	}
	flow_start(f);
}

/* ----------------------------------------------------------- flood */

/* A bijection on 24 bits: distinct indexes give distinct sources. */
static uint32_t
perm24(uint32_t x)
{
	int i;

	for (i = 0; i < 3; i++) {
		x = (x * 0x9e3779u + 0x7f4a7cu) & 0xffffff;
		x ^= x >> 11;
		x = (x * 0x5bd1e9u) & 0xffffff;
		x ^= x >> 13;
	}
	return x;
}

static int
flood_step(struct flow *f)
{
	static const uint16_t ports[] = { 22, 23, 80, 443, 445, 3389, 8080,
	    1433, 5900, 25 };
	struct flood_st *fl = &f->u.flood;
	struct ep s, d;
	struct host *h;
	uint32_t x, src;
	uint8_t tcp[20];

	/*
	 * Everything is a function of the index, so nothing is kept per
	 * packet and N can be as large as the disk.  The source address is
	 * unique within each block of 2^24 indexes, and the source port
	 * differs between blocks that reuse an address.
	 */
	x = perm24((uint32_t)(fl->i & 0xffffff));
	src = (41u << 24) | x;
	h = &hosts[fl->i % (uint64_t)nhosts_base];
	ep_v4(&s, src, (uint16_t)(1024 + ((fl->i >> 24) + (x >> 12)) % 64000),
	    &f->rng);
	ep_v4(&d, h->ip, ports[fl->i % 10], &f->rng);
	memset(tcp, 0, sizeof tcp);
	put16(tcp, s.port);
	put16(tcp + 2, d.port);
	put32(tcp + 4, (uint32_t)rng_next(&f->rng));
	tcp[12] = 0x50;
	tcp[13] = 0x02;
	put16(tcp + 14, 1024);
	emit(f->next, &s, &d, P_TCP, tcp, 20, NULL, 0, 0);
	st_flood++;
	if (++fl->i >= fl->n)
		return 1;
	f->next = fl->t0 + fl->i * fl->step + rng_below(&f->rng,
	    (uint32_t)(fl->step / 2 + 1));
	return 0;
}

static void
flood_new(uint64_t n)
{
	struct rng r;
	struct flow *f;

	if (n == 0)
		return;
	rng_init(&r, TAG_FLOOD, 0, 0);
	f = flow_get(F_FLOOD, T0, -1, &r);
	f->u.flood.n = n;
	f->u.flood.t0 = T0;
	f->u.flood.step = (TEND - T0) / n;
	if (f->u.flood.step == 0)
		f->u.flood.step = 1;
	flow_start(f);
}

/* ------------------------------------------------- session helpers */

static void
host_ep(struct host *h, int v6, struct ep *e, struct rng *r)
{
	if (v6)
		ep_set(e, h->ip6, 1, 0, r);
	else
		ep_v4(e, h->ip, 0, r);
	e->port = (uint16_t)(49152 + rng_below(r, 16384));
}

static void
svc_pick_addr(const struct svc *sv, int v6, struct rng *r, uint8_t *out)
{
	int n = 0;

	if (v6) {
		inet_pton(AF_INET6, sv->addr6, out);
		return;
	}
	while (n < 3 && sv->addr[n])
		n++;
	inet_pton(AF_INET, sv->addr[rng_below(r, (uint32_t)n)], out);
}

static struct flow *
conn_new(usec_t t, struct host *h, int v6, const uint8_t *dst, uint16_t port,
    int app, const char *name, int ev, struct rng *r)
{
	struct ep c, s;

	host_ep(h, v6, &c, r);
	ep_set(&s, dst, v6, port, r);
	return tcp_new(t, &c, &s, app, name, ev, r);
}

/* A TLS connection, preceded with probability `pdns` by its lookup. */
static struct flow *
tls_session(usec_t t, struct host *h, int v6, const uint8_t *dst,
    uint16_t port, const char *sni, const char *cname, double up,
    double down, int ev, double pdns, struct rng *r)
{
	struct flow *f;
	uint8_t addrs[1][16];

	if (pdns > 0 && rng_chance(r, pdns)) {
		memcpy(addrs[0], dst, v6 ? 16 : 4);
		t = dns_lookup(t, h, sni, v6 ? QT_AAAA : QT_A, cname,
		    (const uint8_t (*)[16])addrs, 1, 0, ev, r);
	}
	f = conn_new(t, h, v6, dst, port, APP_TLS, sni, ev, r);
	f->u.tcp.up = (uint64_t)up;
	f->u.tcp.down = (uint64_t)down;
	flow_start(f);
	return f;
}

/* One habitual connection (and a page's CDN assets). */
static void
ws_session(struct host *h, int si, usec_t t, int ev, struct rng *r)
{
	const struct svc *sv = &svcs[si];
	uint8_t dst[16];
	double up, down;
	int v6, k, j, n;

	v6 = h->v6 && sv->addr6 && rng_chance(r, 0.5);
	svc_pick_addr(sv, v6, r, dst);
	up = rng_lognorm(r, sv->up, 0.8);
	down = rng_lognorm(r, sv->down, 1.0);
	/* occasional real uploads: an attachment, a push, a document */
	if (rng_chance(r, 0.03))
		up += rng_lognorm(r, 1.5 * MB, 1.0);
	if (si == S_SHAREPOINT && h->finance && rng_chance(r, 0.15))
		up += rng_lognorm(r, 4 * MB, 0.8);
	tls_session(t, h, v6, dst, sv->port, sv->host, sv->cname, up, down, ev,
	    0.4, r);
	if (!sv->news)
		return;
	n = 1 + (int)rng_below(r, 3);
	for (k = 0; k < n; k++) {
		t += 20000 + rng_below(r, 400000);
		if (rng_chance(r, 0.5)) {
			j = (int)rng_below(r, NCDNLONG);
			inet_pton(AF_INET, cdnlong[j].addr, dst);
			tls_session(t, h, 0, dst, 443, cdnlong[j].name, NULL,
			    rng_lognorm(r, 1.5 * KB, 0.5),
			    rng_lognorm(r, 120 * KB, 1.0), ev, 0.6, r);
		} else
			ws_session(h, S_CDNJS, t, ev, r);
	}
}

static void
http_conn(usec_t t, struct host *h, uint32_t dst, int app, const char *host,
    const char *path, int body, uint64_t clen, const char *ua, int ev,
    struct rng *r)
{
	struct flow *f;
	uint8_t a[16];

	put32(a, dst);
	f = conn_new(t, h, 0, a, 80, app, host, ev, r);
	f->u.tcp.path = path;
	f->u.tcp.body = body;
	f->u.tcp.clen = clen;
	f->u.tcp.ctype = body_ctype(body);
	if (ua)
		f->u.tcp.ua = ua;
	f->u.tcp.linger = 5000 + rng_below(r, 200000);
	flow_start(f);
}

static void
ping_run(struct host *h, usec_t t, uint32_t count, int ev, struct rng *r)
{
	struct ep c;

	host_ep(h, 0, &c, r);
	icmp_new(t, &c, ip4(UPSTREAM_DNS), count, SEC, 0, ev, r);
}

static void
smb_copy(struct host *h, usec_t t, double bytes, int up, int ev,
    struct rng *r)
{
	struct flow *f;
	uint8_t a[16];

	put32(a, ip4(FILESERVER));
	f = conn_new(t, h, 0, a, 445, APP_SMB, NULL, ev, r);
	f->b.ttl = 128;
	f->u.tcp.up = up ? (uint64_t)bytes : 2000;
	f->u.tcp.down = up ? 2000 : (uint64_t)bytes;
	f->u.tcp.uprate = rng_range(r, 40, 100) * MB;
	f->u.tcp.downrate = rng_range(r, 60, 110) * MB;
	f->u.tcp.linger = (usec_t)(rng_range(r, 1, 60) * SEC);
	flow_start(f);
}

/* ----------------------------------------------- background planning */

struct dayplan {
	int		 works;
	double		 start, end, lunch, lunchlen;
};

static void
ws_day(struct host *h, usec_t dayt, struct dayplan *dp)
{
	struct rng r;
	int wd = host_weekday(dayt), day = (int)((dayt - DAY0) / DAY);

	rng_init(&r, TAG_WSDAY, (uint64_t)h->idx, dayt / DAY);
	memset(dp, 0, sizeof *dp);
	dp->start = h->start + 0.25 * rng_normal(&r);
	dp->end = h->end + 0.3 * rng_normal(&r);
	dp->lunch = 12 + rng_range(&r, -0.5, 0.5);
	dp->lunchlen = rng_range(&r, 0.4, 1.0);
	dp->works = wd != 0 && wd != 6 && !rng_chance(&r, 0.04);
	if (h->join_day < 0 || day < h->join_day)
		dp->works = 0;
	else if (day == h->join_day && dp->start < h->join_hour)
		dp->start = h->join_hour;
	if (!dp->works && h->weekend_day && wd == h->weekend_day % 7 &&
	    h->join_day >= 0 && day >= h->join_day) {
		/* a short look at mail on the weekend */
		dp->works = 1;
		dp->start = rng_range(&r, 10, 16);
		dp->end = dp->start + rng_range(&r, 0.3, 0.8);
		dp->lunchlen = 0;
	}
}

static double
ws_level(const struct dayplan *dp, double hr)
{
	if (!dp->works || hr < dp->start || hr >= dp->end)
		return 0;
	if (hr >= dp->lunch && hr < dp->lunch + dp->lunchlen)
		return 0.15;
	return 1;
}

static const char *const nx_names[] = {
	"wpad.corp.example.com", "fileserver01.example.com",
	"printer-3rd-floor.example.com", "intranet.example.net",
	"www.exmaple.com", "login.micosoft-online.example.org",
};

/* Plan one hour of a workstation's traffic. */
static void
plan_ws(struct host *h, usec_t t0)
{
	struct dayplan dp;
	struct rng r;
	struct ep c, s;
	struct flow *f;
	uint8_t addr[16];
	double hr0 = hour_of(t0), frac = 0, tot, w, x;
	usec_t t;
	int i, n, k, tries, si;

	if (h->join_day < 0 || (int)((t0 - DAY0) / DAY) < h->join_day)
		return;
	ws_day(h, t0 - (t0 - DAY0) % DAY, &dp);
	rng_init(&r, TAG_WSHOUR, (uint64_t)h->idx, t0 / HOUR);
	for (i = 0; i < 12; i++)
		frac += ws_level(&dp, hr0 + (i + 0.5) / 12.0) / 12.0;

	/* asleep: a machine left on still syncs mail now and then */
	if (frac < 0.05) {
		if (!h->night_on)
			return;
		n = rng_poisson(&r, 1.2);
		for (i = 0; i < n; i++) {
			svc_pick_addr(&svcs[S_OFFICE], 0, &r, addr);
			tls_session(t0 + rng_below(&r, 3600) * SEC, h, 0, addr,
			    443, svcs[S_OFFICE].host, svcs[S_OFFICE].cname,
			    rng_lognorm(&r, 2.5 * KB, 0.3),
			    rng_lognorm(&r, 6 * KB, 0.5), -1, 0.3, &r);
		}
		return;
	}

	tot = 0;
	for (i = 0; i < h->nhabit; i++)
		tot += h->hweight[i];
	n = rng_poisson(&r, h->rate * frac);
	for (i = 0; i < n; i++) {
		/* a start time inside the busy part of the hour */
		t = t0;
		for (tries = 0; tries < 40; tries++) {
			t = t0 + (usec_t)(rng_unit(&r) * (double)HOUR);
			if (rng_unit(&r) < ws_level(&dp, hour_of(t)))
				break;
		}
		x = rng_unit(&r) * tot;
		si = h->habit[0];
		for (k = 0, w = 0; k < h->nhabit; k++) {
			w += h->hweight[k];
			if (x < w) {
				si = h->habit[k];
				break;
			}
		}
		if (t < TEND)
			ws_session(h, si, t, -1, &r);
	}
	if (frac < 0.3)
		return;

	/* certificate checks: small binary POSTs over plain HTTP */
	n = rng_poisson(&r, 1.0);
	for (i = 0; i < n; i++)
		http_conn(t0 + rng_below(&r, 3600) * SEC, h,
		    ip4(svcs[S_OCSP].addr[0]), APP_HTTP_POST, svcs[S_OCSP].host,
		    "/", BODY_OCSP, 83, "Microsoft-CryptoAPI/10.0", -1, &r);
	/* typos and stale names */
	if (rng_chance(&r, 0.3))
		dns_lookup(t0 + rng_below(&r, 3600) * SEC, h,
		    nx_names[rng_below(&r, 6)], QT_A, NULL, NULL, 0, 3, -1, &r);
	if (rng_chance(&r, 0.08))
		dns_lookup(t0 + rng_below(&r, 3600) * SEC, h, "example.com",
		    QT_MX, NULL, NULL, 0, 0, -1, &r);
	if (h->tcpdns && rng_chance(&r, 0.25)) {
		/* dig +tcp for a TXT record */
		host_ep(h, 0, &c, &r);
		s = ep_resolver;
		f = tcp_new(t0 + rng_below(&r, 3600) * SEC, &c, &s, APP_DNS,
		    "example.com", -1, &r);
		f->u.tcp.dnsqlen = (uint16_t)dns_query(f->u.tcp.dnsq,
		    sizeof f->u.tcp.dnsq, (uint16_t)rng_next(&r), "example.com",
		    QT_TXT, 1);
		f->u.tcp.linger = 1000;
		flow_start(f);
	}
	if (h->pinger && rng_chance(&r, 0.12))
		ping_run(h, t0 + rng_below(&r, 3600) * SEC,
		    4 + rng_below(&r, 7), -1, &r);
	if (rng_chance(&r, 0.12))
		smb_copy(h, t0 + rng_below(&r, 3600) * SEC,
		    fmin(rng_lognorm(&r, 15 * MB, 1.3), 1.5 * GB),
		    rng_chance(&r, 0.6), -1, &r);
	if (rng_chance(&r, 0.015))
		/* somebody fills in a contact form on a plain-HTTP site */
		http_conn(t0 + rng_below(&r, 3600) * SEC, h,
		    ip4("213.186.33.87"), APP_HTTP_POST, "forms.example.org",
		    "/contact/submit", BODY_FORM, 0, NULL, -1, &r);
}

static const struct {
	int		 net;
	double		 w;
} visitors[] = {
	{ N_V_US, 30 }, { N_V_DE, 14 }, { N_V_GB, 10 }, { N_V_FR, 8 },
	{ N_V_NL, 5 }, { N_V_SE, 3 }, { N_V_ES, 4 }, { N_V_IT, 4 },
	{ N_V_JP, 5 }, { N_V_BR, 5 }, { N_V_IN, 6 }, { N_V_AU, 3 },
	{ N_V_CA, 4 },
};

/* The public web server: visitors from everywhere, big answers. */
static void
plan_web(usec_t t0, double rate)
{
	const int nv = (int)(sizeof visitors / sizeof visitors[0]);
	struct rng r;
	struct ep c, s;
	struct flow *f;
	double hr = hour_of(t0), lambda, tot = 0, x, w;
	int i, n, k, v;

	rng_init(&r, TAG_WEB, 0, t0 / HOUR);
	lambda = rate * (0.55 + 0.45 * sin((hr - 9) / 24 * 6.283185307179586));
	n = rng_poisson(&r, lambda);
	for (k = 0; k < nv; k++)
		tot += visitors[k].w;
	for (i = 0; i < n; i++) {
		x = rng_unit(&r) * tot;
		for (k = 0, w = 0, v = visitors[0].net; k < nv; k++) {
			w += visitors[k].w;
			if (x < w) {
				v = visitors[k].net;
				break;
			}
		}
		ep_v4(&c, net_rand4(v, &r),
		    (uint16_t)(32768 + rng_below(&r, 28000)), &r);
		ep_v4(&s, ip4(WEBSERVER), rng_chance(&r, 0.8) ? 443 : 80, &r);
		s.ttl = 64;
		f = tcp_new(t0 + rng_below(&r, 3600) * SEC, &c, &s,
		    s.port == 443 ? APP_TLS : APP_HTTP_GET, "www.example.com",
		    -1, &r);
		f->u.tcp.up = (uint64_t)rng_lognorm(&r, 1.5 * KB, 0.6);
		if (s.port == 443)
			f->u.tcp.down = (uint64_t)rng_lognorm(&r, 150 * KB,
			    1.3);
		else
			f->u.tcp.clen = (uint64_t)rng_lognorm(&r, 80 * KB, 1.0);
		/* the product brochure video */
		if (rng_chance(&r, 0.015))
			f->u.tcp.down += (uint64_t)(rng_range(&r, 20, 120) *
			    MB);
		f->u.tcp.downrate = rng_range(&r, 2, 20) * MB;
		f->u.tcp.path = "/";
		f->u.tcp.ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) "
		    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 "
		    "Safari/605.1.15";
		if (s.port == 80)
			f->u.tcp.up = 0;
		flow_start(f);
	}
}

struct sched;

struct scenario_s {
	const char	*name;
	int		 days, hosts;
	const char	*learning;
	double		 backup_scale;	/* nightly backup size factor */
	double		 web_rate;	/* web server visitors per hour */
	int		 attacks;		/* 0 in the benign scenario */
	const struct sched *sched;
	int		 nsched;
};

/* The nightly offsite backup: SSH to the same host in Germany. */
static void
backup_run(usec_t t, double bytes, double minutes, int ev, struct rng *r)
{
	struct ep c, s;
	struct flow *f;

	ep_v4(&c, ip4(BACKUP), (uint16_t)(40000 + rng_below(r, 20000)), r);
	c.ttl = 64;
	ep_v4(&s, ip4(BACKUP_DST), 22, r);
	f = tcp_new(t, &c, &s, APP_SSH, NULL, ev, r);
	f->u.tcp.up = (uint64_t)bytes;
	f->u.tcp.down = (uint64_t)(bytes * 0.0005);
	f->u.tcp.uprate = bytes / (minutes * 60);
	f->u.tcp.linger = 2 * SEC;
	flow_start(f);
}

static int	 late_backup_day = -1;	/* the night backup_late replaces */

static void
plan_backup(usec_t t0, struct scenario_s *sc)
{
	struct rng r;
	int day = (int)((t0 - DAY0) / DAY);
	double bytes;

	if (hour_of(t0) != 1.0 || day == late_backup_day)
		return;
	rng_init(&r, TAG_BACKUP, t0 / DAY, 0);
	bytes = rng_range(&r, 2, 5) * GB * sc->backup_scale;
	backup_run(t0 + rng_below(&r, 600) * SEC, bytes, rng_range(&r, 50, 100),
	    -1, &r);
}

/* ------------------------------------------------------- the attacks */

struct sched {
	int		 kind;
	int		 day, hh, mm;
	int		 slot;	/* workstation slot; -1: the finance group */
	double		 hours;		/* low_and_slow duration, 0: 24 */
	double		 gb;	/* size override, 0: the kind's default */
};

static void ev_note(struct event *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
ev_note(struct event *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->note, sizeof e->note, fmt, ap);
	va_end(ap);
}

static void
ev_dst_ip(struct event *e, uint32_t ip)
{
	snprintf(e->dst, sizeof e->dst, "%u.%u.%u.%u", ip >> 24,
	    (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

/* A large TLS upload: the shape of most volume-based events. */
static void
upload(struct host *h, usec_t t, uint32_t dst, uint16_t port, int app,
    const char *sni, double bytes, double seconds, int ev, struct rng *r)
{
	struct flow *f;
	uint8_t a[1][16];

	put32(a[0], dst);
	if (sni && app == APP_TLS)
		t = dns_lookup(t, h, sni, QT_A, NULL,
		    (const uint8_t (*)[16])a, 1, 0, ev, r);
	f = conn_new(t, h, 0, a[0], port, app, sni, ev, r);
	f->u.tcp.up = (uint64_t)bytes;
	f->u.tcp.down = (uint64_t)(bytes * 0.002);
	f->u.tcp.uprate = bytes / seconds;
	f->u.tcp.linger = (usec_t)(rng_range(r, 0.5, 3) * SEC);
	flow_start(f);
}

static void
archive_posts(struct host *h, usec_t t, uint32_t dst, const char *host,
    int count, int ev, struct rng *r)
{
	static const char *const uas[] = { "curl/7.88.1",
	    "python-requests/2.31.0", "Go-http-client/1.1" };
	uint8_t a[1][16];
	int i;

	put32(a[0], dst);
	t = dns_lookup(t, h, host, QT_A, NULL, (const uint8_t (*)[16])a, 1, 0,
	    ev, r);
	for (i = 0; i < count; i++) {
		http_conn(t, h, dst, APP_HTTP_POST, host, "/upload",
		    BODY_ZIP + i % 3, (uint64_t)rng_range(r, 2, 12) * 1000000 +
		    rng_below(r, 999999), uas[rng_below(r, 3)], ev, r);
		t += (usec_t)(rng_range(r, 15, 50) * SEC);
	}
}

static const char *const snicat_cmds[] = { "ALIVE", "LIST", "LS", "SIZE", "LD",
	"CB", "CD", "EX", "WHERE", "finito", "EXIT" };

/* `count` SNIcat hellos; `big` sends Chrome 124's (tls_client_hello). */
static void
snicat(struct host *h, usec_t t, uint32_t dst, const char *domain, int count,
    int big, int ev, struct rng *r)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	struct flow *f;
	char sni[128], rnd[17];
	uint8_t a[16];
	int i, k;

	put32(a, dst);
	for (i = 0; i < count; i++) {
		/* beacons, a directory walk, file pulls, then the end */
		if (i == count - 1)
			k = 10;
		else if (i == count - 2)
			k = 9;
		else if (i % 6 == 0)
			k = 0;
		else
			k = 1 + (int)rng_below(r, 8);
		rng_alnum(r, rnd, 16, alnum);
		snprintf(sni, sizeof sni, "%s-%s.%s", snicat_cmds[k], rnd,
		    domain);
		f = conn_new(t, h, 0, a, 443, APP_TLS, sni, ev, r);
		f->u.tcp.abort = 1;
		f->u.tcp.bighello = big;
		flow_start(f);
		t += (usec_t)(rng_range(r, 5, 25) * SEC);
	}
}

/*
 * A TLS session of DNS exchanges (chatstyles) lasting about `seconds`.  A
 * client that names no server (`sni` NULL) was given the address and looks
 * nothing up; one that does may resolve its resolver's name first.
 * Returns when the exchanges end.
 */
static usec_t
doh_session(struct host *h, usec_t t, uint32_t dst, uint16_t port,
    const char *sni, int style, double seconds, double pdns, int ev,
    struct rng *r)
{
	struct flow *f;
	uint8_t a[1][16];

	put32(a[0], dst);
	if (sni && pdns > 0 && rng_chance(r, pdns))
		t = dns_lookup(t, h, sni, QT_A, NULL,
		    (const uint8_t (*)[16])a, 1, 0, ev, r);
	f = conn_new(t, h, 0, a[0], port, APP_TLS, sni, ev, r);
	f->u.tcp.chat = style;
	f->u.tcp.chat_end = t + (usec_t)(seconds * SEC);
	/* a tunnel tool exits when its transfer is done */
	if (style == CHAT_TUNNEL || style == CHAT_DNSTT)
		f->u.tcp.linger = (usec_t)(rng_range(r, 0.2, 1.5) * SEC);
	flow_start(f);
	return t + (usec_t)(seconds * SEC);
}

/* Inject one attack; its flows carry the event's index `ei`. */
static void
ev_attack(struct event *e, const struct sched *sc, struct host *h, usec_t t,
    struct rng *r)
{
	struct event *e2;
	struct ep c;
	uint8_t a[16];
	uint32_t dst;
	double bytes;
	int ei = (int)(e - evs), i, hours;

	switch (sc->kind) {
	case K_BULK_NEW_COUNTRY:
		dst = ip4("95.213.150.33");
		ev_dst_ip(e, dst);
		bytes = (sc->gb > 0 ? sc->gb : 1.5) * GB;
		upload(h, t, dst, 443, APP_TLS, "static.upd-mirror.ru", bytes,
		    rng_range(r, 12, 18) * 60, ei, r);
		ev_note(e, "%.1f GB over ~15 min over TLS to "
		    "static.upd-mirror.ru (RU, AS49505), a country no host has "
		    "used", bytes / GB);
		break;
	case K_NEW_ADDR:
		dst = ip4("167.99.52.201");
		ev_dst_ip(e, dst);
		upload(h, t, dst, 443, APP_TLS, "sync.fileshare-pro.com",
		    350 * MB, 360, ei, r);
		ev_note(e, "350 MB to sync.fileshare-pro.com (US, AS14061): "
		    "usual country, new address and ASN");
		break;
	case K_UNUSUAL_PORT:
		dst = ip4("54.211.87.40");
		ev_dst_ip(e, dst);
		upload(h, t, dst, 4444, APP_RAW, NULL, 400 * MB, 480, ei, r);
		ev_note(e, "400 MB of unidentified bytes to TCP port 4444, a "
		    "port never used before (US, AS14618)");
		break;
	case K_LOW_SLOW:
		dst = ip4("185.225.69.144");
		ev_dst_ip(e, dst);
		hours = sc->hours > 0 ? (int)sc->hours : 24;
		for (i = 0; i < hours; i++)
			upload(h, t + (usec_t)i * HOUR +
			    rng_below(r, 600) * SEC, dst, 443, APP_TLS,
			    "api.telemetry-stats.net", rng_range(r, 3, 5) * MB,
			    rng_range(r, 60, 180), ei, r);
		ev_note(e, "3-5 MB every hour for %d h to "
		    "api.telemetry-stats.net (RO, AS9009), a country no host "
		    "has used", hours);
		break;
	case K_OFF_HOURS:
		dst = ip4("142.250.186.207");
		ev_dst_ip(e, dst);
		bytes = (sc->gb > 0 ? sc->gb : 1.2) * GB;
		upload(h, t, dst, 443, APP_TLS, "storage.googleapis.com", bytes,
		    25 * 60, ei, r);
		ev_note(e, "%.1f GB at night from a workstation idle at night, "
		    "to storage.googleapis.com (usual country and ASN)",
		    bytes / GB);
		break;
	case K_DNS_TUNNEL:
		snprintf(e->dst, sizeof e->dst, "stat-cdn.xyz");
		tun_new(t, h, TUN_IODINE, 0, "t.stat-cdn.xyz", 0, 3000,
		    12 * MINUTE, ei, r);
		ev_note(e, "iodine-like: 3000 NULL queries with ~200-char "
		    "base32 names under t.stat-cdn.xyz, via the resolver "
		    "10.1.1.53 (which forwards them to 8.8.8.8)");
		break;
	case K_DNS_TUNNEL_DIRECT:
		dst = ip4("45.77.118.9");
		snprintf(e->dst, sizeof e->dst, "updates-cdn.info");
		tun_new(t, h, TUN_DNSCAT, 1, "updates-cdn.info", dst, 2000,
		    10 * MINUTE, ei, r);
		ev_note(e, "dnscat2-like: 2000 TXT/CNAME/MX queries with hex "
		    "labels, sent directly to 45.77.118.9:53 (US, AS20473)");
		break;
	case K_ICMP_TUNNEL:
		dst = ip4("139.59.33.190");
		ev_dst_ip(e, dst);
		host_ep(h, 0, &c, r);
		icmp_new(t, &c, dst, 1440, SEC / 2, 1, ei, r);
		ev_note(e, "ptunnel-like: 1440 echo requests of 1000-1400 "
		    "bytes, different every time, over ~15 min (IN, AS14061)");
		break;
	case K_ARCHIVE_POST:
		dst = ip4("185.107.57.15");
		ev_dst_ip(e, dst);
		archive_posts(h, t, dst, "upload.nl-datastore.net", 25, ei, r);
		ev_note(e, "25 POST /upload over HTTP with ZIP/7z/RAR bodies "
		    "of 2-12 MB to upload.nl-datastore.net (NL, AS43350)");
		break;
	case K_CLOUD_UPLOAD:
		dst = ip4("144.76.136.153");
		ev_dst_ip(e, dst);
		upload(h, t, dst, 443, APP_TLS, "transfer.sh", 250 * MB, 180,
		    ei, r);
		ev_note(e, "250 MB over TLS, SNI transfer.sh, a file-sharing "
		    "service the host never used");
		break;
	case K_CLOUD_UPLOAD_MEGA:
		dst = ip4("31.216.147.131");
		ev_dst_ip(e, dst);
		put32(a, ip4("31.216.148.12"));
		tls_session(t, h, 0, a, 443, "g.api.mega.co.nz", NULL,
		    8 * KB, 20 * KB, ei, 1.0, r);
		upload(h, t + 3 * SEC, dst, 443, APP_TLS,
		    "gfs270n171.userstorage.mega.co.nz", 300 * MB, 240, ei, r);
		ev_note(e, "300 MB over TLS to MEGA, SNI "
		    "gfs270n171.userstorage.mega.co.nz, after an API call to "
		    "g.api.mega.co.nz");
		break;
	case K_SNICAT:
	case K_SNICAT_PQ:
		dst = ip4("45.76.201.77");
		ev_dst_ip(e, dst);
		snicat(h, t, dst, "cdn-assets-store.com", 90,
		    sc->kind == K_SNICAT_PQ, ei, r);
		ev_note(e, "90 TLS ClientHellos%s, SNI <CMD>-<16 alnum>."
		    "cdn-assets-store.com%s, each aborted after the server's "
		    "certificate", sc->kind == K_SNICAT_PQ ? " of 1.5 KB with "
		    "a post-quantum key share, in two segments" : "",
		    sc->kind == K_SNICAT_PQ ? " last and in the second" : "");
		break;
	case K_MULTI_STAGE:
		/* the parent row spans its two stages; each stage has a row */
		snprintf(e->dst, sizeof e->dst,
		    "cdn-telemetry.xyz,185.107.58.201");
		ev_note(e, "DNS tunnel then archive POSTs from one host within "
		    "an hour");
		e2 = ev_new(K_DNS_TUNNEL, h->txt);
		e2->parent = ei;
		snprintf(e2->dst, sizeof e2->dst, "cdn-telemetry.xyz");
		ev_note(e2, "stage 1 of multi_stage: iodine-like, 1200 NULL "
		    "queries via the resolver");
		tun_new(t, h, TUN_IODINE, 0, "s.cdn-telemetry.xyz", 0, 1200,
		    8 * MINUTE, (int)(e2 - evs), r);
		e2 = ev_new(K_ARCHIVE_POST, h->txt);
		e2->parent = ei;
		dst = ip4("185.107.58.201");
		ev_dst_ip(e2, dst);
		ev_note(e2, "stage 2 of multi_stage: 22 archive POSTs to "
		    "files.eu-sync.net (NL, AS43350)");
		archive_posts(h, t + 25 * MINUTE, dst, "files.eu-sync.net", 22,
		    (int)(e2 - evs), r);
		break;
	case K_DOH_TUNNEL:
		/*
		 * dns2tcp with a DoH transport: it lists the server's
		 * resources, carries the transfer, then fetches one more file.
		 */
		dst = ip4("1.1.1.1");
		ev_dst_ip(e, dst);
		t = doh_session(h, t, dst, 443, NULL, CHAT_TUNNEL,
		    rng_range(r, 15, 25), 0, ei, r);
		t = doh_session(h, t + rng_below(r, 10) * SEC + 10 * SEC, dst,
		    443, NULL, CHAT_TUNNEL, rng_range(r, 570, 630), 0, ei, r);
		doh_session(h, t + rng_below(r, 40) * SEC + 20 * SEC, dst, 443,
		    NULL, CHAT_TUNNEL, rng_range(r, 40, 90), 0, ei, r);
		ev_note(e, "dns2tcp-like over DoH: 3 TLS sessions without SNI "
		    "to 1.1.1.1:443 (Cloudflare's resolver, no lookup), one "
		    "of ~10 min; a 64-160-byte record a query, a 70-300-byte "
		    "answer, every 0.02-3 s");
		break;
	case K_DOH_NAMED_TUNNEL:
		/*
		 * dnstt with a DoH transport (-doh https://dns.google/...):
		 * the system resolver finds dns.google, then one connection
		 * with a browser's hello (uTLS) carries the whole transfer.
		 * Nothing but its volume tells it from a browser's DoH.
		 */
		dst = ip4("8.8.8.8");
		ev_dst_ip(e, dst);
		doh_session(h, t, dst, 443, "dns.google", CHAT_DNSTT,
		    rng_range(r, 480, 520), 1.0, ei, r);
		ev_note(e, "dnstt-like over DoH through dns.google: one TLS "
		    "session with SNI dns.google to 8.8.8.8:443 of ~8 min; "
		    "1-4 records of 200-400 bytes a query batch, answers of "
		    "300-600 bytes, every 20-80 ms: ~5.5 MB of queries");
		break;
	}
}

/* A twin's row: a window of ordinary traffic rather than packets. */
static void
ev_window(struct event *e, usec_t from)
{
	snprintf(e->dst, sizeof e->dst, "*");
	e->window = 1;
	e->first = from;
	e->last = TEND;
}

/* `big`: Chrome 124's hellos, the SNI in the second segment. */
static void
ev_sni_lookalike(struct host *h, usec_t t, uint32_t dst, int big, int ei,
    struct rng *r)
{
	static const char *const w1[] = { "ls", "list", "cd", "ex", "size",
	    "where" };
	static const char *const w2[] = { "cache", "edge", "static", "media",
	    "img", "api" };
	struct flow *f;
	char sni[128], rnd[14];
	uint8_t a[16];
	int i;

	put32(a, dst);
	for (i = 0; i < 60; i++) {
		/* CloudFront's random names, and command-like words */
		if (i % 2) {
			rng_alnum(r, rnd, 13,
			    "abcdefghijklmnopqrstuvwxyz0123456789");
			snprintf(sni, sizeof sni, "d%s.cloudfront.net", rnd);
		} else
			snprintf(sni, sizeof sni,
			    "%s-%s-%02u.assets.example.net",
			    w1[rng_below(r, 6)], w2[rng_below(r, 6)],
			    rng_below(r, 40));
		/* tls_session without the lookup, to mark the flow first */
		f = conn_new(t + (usec_t)i * 20 * SEC, h, 0, a, 443, APP_TLS,
		    sni, ei, r);
		f->u.tcp.up = 1 * KB;
		f->u.tcp.down = 30 * KB;
		f->u.tcp.bighello = big;
		flow_start(f);
	}
}

/* Inject one benign twin. */
static void
ev_twin(struct event *e, const struct sched *sc, struct scenario_s *scen,
    struct host *h, usec_t t, struct rng *r)
{
	uint8_t a[16];
	uint32_t dst;
	double bytes;
	int ei = (int)(e - evs), i, j;

	switch (sc->kind) {
	case K_BACKUP_LATE:
		snprintf(e->host, sizeof e->host, "%s", BACKUP);
		inet_pton(AF_INET, BACKUP, e->hip);
		ev_dst_ip(e, ip4(BACKUP_DST));
		bytes = rng_range(r, 3.5, 4.5) * 1.3 * GB * scen->backup_scale;
		backup_run(t + rng_below(r, 300) * SEC, bytes, 110, ei, r);
		ev_note(e, "the nightly backup runs late and ~30%% larger "
		    "(%.2f GB over SSH to its usual offsite host)", bytes / GB);
		break;
	case K_WEBSERVER:
		snprintf(e->host, sizeof e->host, "%s", WEBSERVER);
		ev_window(e, T0);
		ev_note(e, "public web server answering visitors from 13 "
		    "countries (large responses to inbound connections)");
		break;
	case K_FILESERVER:
		snprintf(e->dst, sizeof e->dst, "%s", FILESERVER);
		bytes = (sc->gb > 0 ? sc->gb : 2) * GB;
		smb_copy(h, t, bytes, 1, ei, r);
		ev_note(e, "%.1f GB copied to the internal file server over "
		    "SMB", bytes / GB);
		break;
	case K_NEW_HOST:
		h = &hosts[nhosts_base];
		snprintf(e->host, sizeof e->host, "%s", h->txt);
		inet_pton(AF_INET, h->txt, e->hip);
		h->join_day = sc->day;
		h->join_hour = sc->hh + sc->mm / 60.0;
		ev_window(e, t);
		ev_note(e, "a new workstation joins and browses like the "
		    "others");
		break;
	case K_LARGE_DOWNLOAD:
		dst = ip4("142.250.185.206");
		ev_dst_ip(e, dst);
		put32(a, dst);
		bytes = (sc->gb > 0 ? sc->gb : 3) * GB;
		tls_session(t, h, 0, a, 443, "dl.google.com", NULL, 40 * KB,
		    bytes, ei, 1.0, r)->u.tcp.downrate = 25 * MB;
		ev_note(e, "a %.1f GB download from dl.google.com (inbound "
		    "volume)", bytes / GB);
		break;
	case K_NEW_COUNTRY_SMALL:
		dst = ip4("203.109.191.2");
		ev_dst_ip(e, dst);
		put32(a, dst);
		tls_session(t, h, 0, a, 443, "www.rnz.co.nz", NULL, 2 * KB,
		    15 * KB, ei, 1.0, r);
		ev_note(e, "a few KB to a never-seen country (NZ)");
		break;
	case K_DNS_BROWSING:
		ev_window(e, t);
		ev_note(e, "ordinary browsing: lookups via the resolver, CNAME "
		    "chains, AAAA, NXDOMAIN, MX, TXT over TCP");
		break;
	case K_CDN_LONG_LABELS:
		snprintf(e->dst, sizeof e->dst, "*");
		for (i = 0; i < 160; i++) {
			j = (int)rng_below(r, NCDNLONG);
			inet_pton(AF_INET, cdnlong[j].addr, a);
			tls_session(t + (usec_t)i * 3 * MINUTE +
			    rng_below(r, 120) * SEC, h, 0, a, 443,
			    cdnlong[j].name, NULL,
			    rng_lognorm(r, 1.5 * KB, 0.5),
			    rng_lognorm(r, 100 * KB, 0.8), ei, 1.0, r);
		}
		ev_note(e, "160 lookups over 8 h of CDN/ELB names with long "
		    "hyphenated word labels (low entropy)");
		break;
	case K_PING_STANDARD:
		snprintf(e->dst, sizeof e->dst, "%s", UPSTREAM_DNS);
		ping_run(h, t, 100, ei, r);
		ev_note(e, "100 standard pings (56-byte payload, identical "
		    "every time) to %s", UPSTREAM_DNS);
		break;
	case K_FORM_POST:
		dst = ip4("213.186.33.87");
		ev_dst_ip(e, dst);
		for (i = 0; i < 30; i++)
			http_conn(t + (usec_t)i * 40 * SEC +
			    rng_below(r, 20) * SEC, h, dst, APP_HTTP_POST,
			    "forms.example.org", "/contact/submit", BODY_FORM,
			    0, NULL, ei, r);
		ev_note(e, "30 small urlencoded form POSTs over plain HTTP to "
		    "forms.example.org");
		break;
	case K_SANCTIONED_CLOUD:
		dst = ip4("13.107.136.9");
		ev_dst_ip(e, dst);
		upload(h, t, dst, 443, APP_TLS, "company.sharepoint.com",
		    600 * MB, 480, ei, r);
		ev_note(e, "600 MB to the company's sanctioned cloud storage "
		    "company.sharepoint.com, allowlisted for the finance "
		    "group");
		break;
	case K_SNI_LOOKALIKE:
	case K_SNI_LOOKALIKE_PQ:
		dst = ip4("151.101.2.133");
		ev_dst_ip(e, dst);
		ev_sni_lookalike(h, t, dst, sc->kind == K_SNI_LOOKALIKE_PQ, ei,
		    r);
		ev_note(e, "60 short TLS connections with random-looking SNIs "
		    "that do not match the SNIcat pattern%s",
		    sc->kind == K_SNI_LOOKALIKE_PQ ? ", in Chrome 124's "
		    "hellos of 1.5 KB: the SNI in the second segment" : "");
		break;
	case K_DOH_BROWSER:
		/*
		 * Encrypted DNS as browsers and phones do it: to the same
		 * resolver addresses, but always naming the server.  Each
		 * client looks its resolver up the first time.
		 */
		snprintf(e->dst, sizeof e->dst, "1.1.1.1,8.8.4.4,8.8.8.8");
		for (i = 0; i < 3; i++) {
			t += rng_below(r, 60) * SEC;
			doh_session(h, t, ip4("1.1.1.1"), 443,
			    "mozilla.cloudflare-dns.com", CHAT_DOH,
			    rng_range(r, 120, 300), i == 0 ? 1.0 : 0, ei, r);
			doh_session(h, t + 4 * MINUTE, ip4("8.8.4.4"), 443,
			    "dns.google", CHAT_DOH, rng_range(r, 60, 240),
			    i == 0 ? 1.0 : 0, ei, r);
			doh_session(h, t + 8 * MINUTE, ip4("8.8.8.8"), 853,
			    "dns.google", CHAT_DOT, rng_range(r, 60, 240),
			    i == 0 ? 1.0 : 0, ei, r);
			t += 12 * MINUTE;
		}
		ev_note(e, "encrypted DNS that names its server: Firefox DoH "
		    "(SNI mozilla.cloudflare-dns.com) to 1.1.1.1:443, Chrome "
		    "DoH (SNI dns.google) to 8.8.4.4:443, Android Private DNS "
		    "(DoT, SNI dns.google) to 8.8.8.8:853; 9 sessions of 1-5 "
		    "min");
		break;
	}
}

static void
sched_event(const struct sched *sc, struct scenario_s *scen, int idx)
{
	struct host *h = host_by_slot(sc->slot);
	usec_t t = DAY0 + (usec_t)sc->day * DAY + (usec_t)sc->hh * HOUR +
	    (usec_t)sc->mm * MINUTE;
	struct event *e;
	struct rng r;

	/*
	 * Events that go somewhere the host usually goes need that habit in
	 * the background too, with or without the attacks: so `benign` stays
	 * `week` minus the attack packets.
	 */
	if (sc->kind == K_OFF_HOURS || sc->kind == K_LARGE_DOWNLOAD)
		host_add_habit(h, S_GOOGLE, 1.5);
	if (!scen->attacks && kinds[sc->kind].alert)
		return;
	if (sc->kind == K_WEBSERVER)
		t = T0;		/* a window over the whole capture */
	if (t < T0 || t >= TEND) {
		warnx("%s at day %d %02d:%02d is outside the capture: skipped",
		    kinds[sc->kind].name, sc->day, sc->hh, sc->mm);
		return;
	}
	rng_init(&r, TAG_EVENT, (uint64_t)idx, (uint64_t)sc->kind);
	e = ev_new(sc->kind, h->txt);
	if (kinds[sc->kind].alert)
		ev_attack(e, sc, h, t, &r);
	else
		ev_twin(e, sc, scen, h, t, &r);
}

/* --------------------------------------------------------- scenarios */

#define S(k, d, h, m, s)	{ K_##k, d, h, m, s, 0, 0 }

static const struct sched sched_week[] = {
	S(ARCHIVE_POST, 4, 9, 40, 9),
	S(LOW_SLOW, 4, 9, 0, 4),
	S(BULK_NEW_COUNTRY, 4, 10, 20, 1),
	S(NEW_ADDR, 4, 11, 5, 2),
	S(CLOUD_UPLOAD, 4, 12, 15, 10),
	S(UNUSUAL_PORT, 4, 13, 30, 3),
	S(DNS_TUNNEL, 4, 14, 10, 6),
	S(DNS_TUNNEL_DIRECT, 4, 15, 20, 7),
	S(ICMP_TUNNEL, 4, 16, 5, 8),
	S(SNICAT, 4, 17, 10, 11),
	S(MULTI_STAGE, 4, 19, 30, 12),
	S(OFF_HOURS, 5, 2, 30, 5),
	S(CLOUD_UPLOAD_MEGA, 6, 11, 0, 0),
	S(NEW_HOST, 4, 8, 30, 0),
	S(LARGE_DOWNLOAD, 4, 10, 45, 13),
	S(NEW_COUNTRY_SMALL, 4, 14, 50, 14),
	S(FORM_POST, 4, 11, 30, 15),
	S(CDN_LONG_LABELS, 4, 9, 0, 16),
	S(PING_STANDARD, 4, 13, 0, 17),
	S(DNS_BROWSING, 4, 0, 0, 18),
	S(FILESERVER, 4, 15, 0, 19),
	S(SANCTIONED_CLOUD, 4, 16, 30, -1),
	S(BACKUP_LATE, 5, 4, 0, 0),
	S(WEBSERVER, 0, 0, 0, 0),
};

/* 12 workstations: slots 0-7 and 9 attack, the finance group is 8-11. */
static const struct sched sched_demo[] = {
	S(ARCHIVE_POST, 2, 9, 30, 1),
	S(DNS_TUNNEL, 2, 10, 15, 2),
	S(BULK_NEW_COUNTRY, 2, 11, 0, 3),
	{ K_LOW_SLOW, 2, 12, 0, 0, 24, 0 },
	S(ICMP_TUNNEL, 2, 13, 30, 4),
	S(SNICAT, 2, 14, 30, 5),
	S(CLOUD_UPLOAD, 2, 15, 30, 6),
	S(UNUSUAL_PORT, 2, 16, 30, 7),
	S(OFF_HOURS, 3, 2, 30, 2),
	S(NEW_ADDR, 3, 10, 0, 9),
	S(MULTI_STAGE, 3, 14, 0, 6),
	S(DNS_TUNNEL_DIRECT, 3, 15, 30, 4),
	S(NEW_HOST, 2, 8, 30, 0),
	S(LARGE_DOWNLOAD, 2, 10, 45, 11),
	S(NEW_COUNTRY_SMALL, 2, 14, 50, 9),
	S(PING_STANDARD, 2, 15, 0, 0),
	S(FORM_POST, 3, 9, 0, 5),
	S(SANCTIONED_CLOUD, 3, 11, 0, -1),
	S(BACKUP_LATE, 3, 4, 0, 0),
	S(WEBSERVER, 0, 0, 0, 0),
};

static const struct sched sched_dns[] = {
	S(DNS_TUNNEL, 1, 10, 0, 1),
	S(DNS_TUNNEL_DIRECT, 1, 14, 0, 2),
	S(CDN_LONG_LABELS, 1, 9, 0, 3),
	S(DNS_BROWSING, 1, 0, 0, 4),
};

static const struct sched sched_icmp[] = {
	S(ICMP_TUNNEL, 1, 11, 0, 1),
	S(PING_STANDARD, 1, 11, 5, 2),
};

static const struct sched sched_archive[] = {
	S(ARCHIVE_POST, 1, 10, 0, 1),
	S(FORM_POST, 1, 10, 30, 2),
};

/* Chrome 124's hellos: the name is read only from a reassembled hello. */
static const struct sched sched_snicat[] = {
	S(SNICAT_PQ, 1, 13, 0, 1),
	S(SNI_LOOKALIKE_PQ, 1, 13, 10, 2),
};

static const struct sched sched_cloud[] = {
	S(CLOUD_UPLOAD, 1, 10, 0, 1),
	S(CLOUD_UPLOAD_MEGA, 1, 14, 0, 2),
	S(SANCTIONED_CLOUD, 1, 11, 0, -1),
};

static const struct sched sched_bulk[] = {
	{ K_LOW_SLOW, 1, 0, 30, 0, 23, 0 },
	{ K_OFF_HOURS, 1, 2, 30, 4, 0, 0.8 },
	{ K_BULK_NEW_COUNTRY, 1, 10, 0, 1, 0, 1.2 },
	S(NEW_ADDR, 1, 11, 30, 2),
	S(UNUSUAL_PORT, 1, 14, 0, 3),
	S(BACKUP_LATE, 1, 4, 0, 0),
	{ K_LARGE_DOWNLOAD, 1, 10, 45, 5, 0, 1.0 },
	S(NEW_COUNTRY_SMALL, 1, 14, 50, 5),
	{ K_FILESERVER, 1, 15, 0, 2, 0, 0.5 },
	S(WEBSERVER, 0, 0, 0, 0),
};

static const struct sched sched_multi[] = {
	S(MULTI_STAGE, 1, 10, 0, 1),
	S(FORM_POST, 1, 10, 30, 2),
	S(CDN_LONG_LABELS, 1, 9, 0, 3),
};

static const struct sched sched_doh[] = {
	S(DOH_TUNNEL, 1, 10, 0, 1),
	S(DOH_BROWSER, 1, 10, 30, 2),
	S(DOH_NAMED_TUNNEL, 1, 14, 0, 3),
};

#define SC(n)	n, (int)(sizeof n / sizeof n[0])

static struct scenario_s scenarios[] = {
	{ "week", 7, 24, "4d", 1.0, 25, 1, SC(sched_week) },
	{ "benign", 7, 24, "4d", 1.0, 25, 0, SC(sched_week) },
	{ "demo", 4, 12, "2d", 0.5, 15, 1, SC(sched_demo) },
	{ "dns_tunnel", 2, 6, "1d", 0.1, 6, 1, SC(sched_dns) },
	{ "icmp_tunnel", 2, 6, "1d", 0.1, 6, 1, SC(sched_icmp) },
	{ "archive_post", 2, 6, "1d", 0.1, 6, 1, SC(sched_archive) },
	{ "snicat", 2, 6, "1d", 0.1, 6, 1, SC(sched_snicat) },
	{ "cloud_upload", 2, 6, "1d", 0.1, 6, 1, SC(sched_cloud) },
	{ "bulk", 2, 6, "1d", 0.1, 6, 1, SC(sched_bulk) },
	{ "multi_stage", 2, 6, "1d", 0.1, 6, 1, SC(sched_multi) },
	{ "doh_tunnel", 2, 6, "1d", 0.1, 6, 1, SC(sched_doh) },
};

/* ------------------------------------------------------------ output */

static FILE *
open_out(const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", opt_dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	return fp;
}

static void
write_geo(void)
{
	FILE *fp = open_out("geo.tsv");
	int i;

	fprintf(fp, "network\tcountry\tregion\tasn\torg\n");
	for (i = 0; i < N_NNETS; i++)
		fprintf(fp, "%s\t%s\t%s\t%u\t%s\n", nets[i].cidr, nets[i].cc,
		    nets[i].region, nets[i].asn, nets[i].org);
	if (fclose(fp) != 0)
		err(1, "geo.tsv");
}

static int
ev_cmp(const void *x, const void *y)
{
	const struct event *a = *(const struct event *const *)x;
	const struct event *b = *(const struct event *const *)y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void
write_truth(void)
{
	struct event *order[MAXEV], *e, *c;
	FILE *fp = open_out("truth.tsv");
	int i, j, n = 0;

	/* a multi_stage row covers the packets of its stages */
	for (i = 0; i < nev; i++) {
		e = &evs[i];
		if (e->kind != K_MULTI_STAGE)
			continue;
		for (j = 0; j < nev; j++) {
			c = &evs[j];
			if (c->parent != i || c->pkts == 0)
				continue;
			if (c->first < e->first)
				e->first = c->first;
			if (c->last > e->last)
				e->last = c->last;
			e->bytes_out += c->bytes_out;
			e->pkts += c->pkts;
		}
	}
	for (i = 0; i < nev; i++) {
		if (evs[i].pkts == 0 && !evs[i].window) {
			warnx("%s produced no packets: left out of truth.tsv",
			    kinds[evs[i].kind].name);
			continue;
		}
		order[n++] = &evs[i];
	}
	qsort(order, (size_t)n, sizeof order[0], ev_cmp);
	fprintf(fp, "kind\thost\tstart\tend\tdst\texpect\tnote\n");
	for (i = 0; i < n; i++) {
		e = order[i];
		fprintf(fp, "%s\t%s\t%llu.%06llu\t%llu.%06llu\t%s\t%s\t%s",
		    kinds[e->kind].name, e->host,
		    (unsigned long long)(e->first / SEC),
		    (unsigned long long)(e->first % SEC),
		    (unsigned long long)(e->last / SEC),
		    (unsigned long long)(e->last % SEC), e->dst,
		    kinds[e->kind].alert ? "alert" : "none", e->note);
		if (!e->window)
			fprintf(fp, "; bytes_out=%llu pkts=%llu",
			    (unsigned long long)e->bytes_out,
			    (unsigned long long)e->pkts);
		fprintf(fp, "\n");
	}
	if (fclose(fp) != 0)
		err(1, "truth.tsv");
}

static void
write_env(struct scenario_s *sc)
{
	FILE *fp = open_out("scenario.env");
	int i;

	fprintf(fp, "# written by exfild-gen, read by "
	    "tests/gen/mkscenario.sh\n");
	fprintf(fp, "SCENARIO=%s\nSEED=%llu\nSTART=%lld\nDAYS=%d\nHOSTS=%d\n",
	    sc->name, (unsigned long long)opt_seed, (long long)opt_start,
	    opt_days, opt_hosts);
	fprintf(fp, "LEARNING_PERIOD=%s\nFLOOD=%llu\n", sc->learning,
	    (unsigned long long)opt_flood);
	fprintf(fp, "SANCTIONED_DOMAIN=company.sharepoint.com\n"
	    "SANCTIONED_HOSTS=\"");
	for (i = nhosts_base - nfinance; i < nhosts_base; i++)
		fprintf(fp, "%s%s", i > nhosts_base - nfinance ? " " : "",
		    hosts[i].txt);
	fprintf(fp, "\"\nINTERNAL_V6=2001:db8:1::/48\n");
	if (fclose(fp) != 0)
		err(1, "scenario.env");
}

/* ------------------------------------------------------------- main */

static void
mkdirs(const char *dir)
{
	char buf[4096], *p;

	snprintf(buf, sizeof buf, "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			err(1, "mkdir %s", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) == -1 && errno != EEXIST)
		err(1, "mkdir %s", buf);
}

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: exfild-gen -o dir [-q] [-s seed] [-d days] "
	    "[-H hosts] [-S scenario]\n\t[-t epoch] [--flood n]\nscenarios:");
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		fprintf(stderr, " %s", scenarios[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

static uint64_t
num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || *s == '-')
		errx(2, "bad %s: %s", what, s);
	return v;
}

static int
step(struct flow *f)
{
	switch (f->kind) {
	case F_TCP:
		return tcp_step(f);
	case F_DNS:
		return dns_step(f);
	case F_TUN:
		return tun_step(f);
	case F_ICMP:
		return icmp_step(f);
	default:
		return flood_step(f);
	}
}

static void
run_until(usec_t until)
{
	struct flow *f;

	while (heap_n > 0 && heap[0]->next < until) {
		f = heap_pop();
		if (step(f))
			flow_put(f);
		else
			heap_push(f);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "flood", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct scenario_s *sc = NULL;
	struct timespec ts0, ts1;
	struct rng r;
	char path[4096];
	usec_t t;
	size_t i;
	int ch, k, newhost;

	while ((ch = getopt_long(argc, argv, "o:s:d:H:S:t:qh", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o':
			opt_dir = optarg;
			break;
		case 's':
			opt_seed = num(optarg, "seed");
			break;
		case 'd':
			opt_days = (int)num(optarg, "days");
			if (opt_days < 1 || opt_days > 366)
				errx(2, "days must be 1..366");
			break;
		case 'H':
			opt_hosts = (int)num(optarg, "hosts");
			if (opt_hosts < 1 || opt_hosts > 2000)
				errx(2, "hosts must be 1..2000");
			break;
		case 'S':
			opt_scen = optarg;
			break;
		case 't':
			opt_start = (int64_t)num(optarg, "start time");
			break;
		case 'F':
			opt_flood = num(optarg, "flood count");
			break;
		case 'q':
			opt_quiet = 1;
			break;
		default:
			usage();
		}
	}
	if (opt_dir == NULL || optind != argc)
		usage();
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		if (strcmp(scenarios[i].name, opt_scen) == 0)
			sc = &scenarios[i];
	if (sc == NULL) {
		warnx("unknown scenario %s", opt_scen);
		usage();
	}
	if (opt_days < 0)
		opt_days = sc->days;
	if (opt_hosts < 0)
		opt_hosts = sc->hosts;
	clock_gettime(CLOCK_MONOTONIC, &ts0);

	nets_init();
	T0 = (usec_t)opt_start * SEC;
	DAY0 = T0 - T0 % DAY;
	TEND = T0 + (usec_t)opt_days * DAY;
	newhost = 0;
	for (k = 0; k < sc->nsched; k++) {
		if (sc->sched[k].kind == K_NEW_HOST)
			newhost = 1;
		if (sc->sched[k].kind == K_BACKUP_LATE)
			late_backup_day = sc->sched[k].day;
	}
	hosts_init(opt_hosts, newhost);
	rng_init(&r, TAG_HOST, 1000000, 0);
	ep_v4(&ep_resolver, ip4(RESOLVER), 53, &r);
	ep_resolver.ttl = 64;
	ep_v4(&ep_upstream, ip4(UPSTREAM_DNS), 53, &r);
	ep_upstream.ttl = 119;

	mkdirs(opt_dir);
	snprintf(path, sizeof path, "%s/capture.pcap", opt_dir);
	pcap_open(path);

	for (k = 0; k < sc->nsched; k++)
		sched_event(&sc->sched[k], sc, k);
	flood_new(opt_flood);

	/* plan each hour just before the clock reaches it */
	for (t = T0 - T0 % HOUR; t < TEND; t += HOUR) {
		run_until(t);
		for (k = 0; k < nws; k++)
			plan_ws(&hosts[k], t);
		plan_web(t, sc->web_rate);
		plan_backup(t, sc);
	}
	run_until(NEVER);

	if (fclose(pcap_fp) != 0)
		err(1, "%s", path);
	write_truth();
	write_geo();
	write_env(sc);
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	if (!opt_quiet)
		fprintf(stderr, "exfild-gen: %s seed %llu, %d days, %d hosts: "
		    "%llu packets (%llu flood), %llu flows, %.1f MB written, "
		    "%.2f GB on the wire, %d events, peak %zu live flows, "
		    "%.1f s\n",
		    sc->name, (unsigned long long)opt_seed, opt_days, opt_hosts,
		    (unsigned long long)st_pkts, (unsigned long long)st_flood,
		    (unsigned long long)st_flows, st_file / 1e6, st_wire / 1e9,
		    nev, heap_peak, (double)(ts1.tv_sec - ts0.tv_sec) +
		    (ts1.tv_nsec - ts0.tv_nsec) / 1e9);
	return 0;
}
