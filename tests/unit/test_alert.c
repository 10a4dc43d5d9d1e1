/* test_alert.c: the alert stage end to end, outputs included. */
#include "testutil.h"
#include "jsoncheck.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <syslog.h>

#include "alert.h"
#include "config.h"

#define T0	((xtime_t)1714564800 * XT_SEC)	/* Wed 2024-05-01 12:00Z */
#define FRI	((xtime_t)1714694400 * XT_SEC)	/* Fri 2024-05-03 00:00Z */
#define SAT	((xtime_t)1714780800 * XT_SEC)	/* Sat 2024-05-04 00:00Z */

#define MAXOUT	64

/* What the hooks saw. */
struct seen {
	int		 n;
	char		*json[MAXOUT];
	char		*text[MAXOUT];
	char		*line[MAXOUT];
	int		 correlated[MAXOUT];
	int		 nlog;
	char		 log[8][1024];
};

static struct seen seen;
static struct ruleset *rs;

static void
seen_reset(void)
{
	int i;

	for (i = 0; i < seen.n; i++) {
		free(seen.json[i]);
		free(seen.text[i]);
		free(seen.line[i]);
	}
	memset(&seen, 0, sizeof(seen));
}

static void
hook_print(void *arg, const struct alert_out *o)
{
	(void)arg;
	assert_true(seen.n < MAXOUT);
	seen.json[seen.n] = strdup(o->json);
	seen.text[seen.n] = strdup(o->text);
	seen.line[seen.n] = strdup(o->line);
	seen.correlated[seen.n] = o->correlated;
	seen.n++;
}

static void
hook_log(void *arg, const char *msg)
{
	(void)arg;
	if (seen.nlog < 8)
		snprintf(seen.log[seen.nlog], sizeof(seen.log[0]), "%s", msg);
	seen.nlog++;
}

static void
conf_test(struct alert_conf *c)
{
	alert_conf_default(c);
	c->syslog_enabled = 0;
	c->print = hook_print;
	c->log = hook_log;
}

static struct alerter *
new_alerter(const struct alert_conf *c)
{
	char err[256];
	struct alerter *a;

	a = alert_new(c, rs, err, sizeof(err));
	if (a == NULL)
		fprintf(stderr, "alert_new: %s\n", err);
	assert_non_null(a);
	return a;
}

static void
ip(addr_t *a, const char *s)
{
	assert_int_equal(addr_pton(s, a), 0);
}

static struct event
ev_make(enum detector d, const char *host, const char *dst, int dport,
    const char *domain, xtime_t ts)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.detector = d;
	ev.ts = ts;
	ev.start = ts - 5 * XT_MIN;
	ip(&ev.host, host);
	if (dst != NULL) {
		ip(&ev.dst, dst);
		ev.has_dst = 1;
	}
	ev.dport = (uint16_t)dport;
	ev.sport = 40000;
	ev.proto = IPPROTO_TCP;
	ev.bytes = 123456;
	ev.count = 7;
	ev.window = 300 * XT_SEC;
	ev.score = 91.25;
	if (domain != NULL)
		snprintf(ev.domain, sizeof(ev.domain), "%s", domain);
	snprintf(ev.reason, sizeof(ev.reason), "test reason");
	return ev;
}

/* The raw JSON text of a member, for exact comparisons. */
static void
assert_member(const char *doc, const char *path, const char *want)
{
	char got[4096];

	if (jc_get(doc, path, got, sizeof(got)) != 0) {
		fprintf(stderr, "%s: missing in %s\n", path, doc);
		fail();
	}
	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s: got %s want %s\n", path, got, want);
	assert_string_equal(got, want);
}

static void
assert_no_member(const char *doc, const char *path)
{
	char got[4096];

	assert_int_not_equal(jc_get(doc, path, got, sizeof(got)), 0);
}

/* A line as syslog gets it: one line, printable, text " -- " JSON. */
static const char *
assert_line(const char *line)
{
	const char *sep;
	size_t i;

	for (i = 0; line[i] != '\0'; i++)
		assert_true((unsigned char)line[i] >= 0x20 &&
		    line[i] != 0x7f);
	assert_true(i < ALERT_LINE_MAX);
	assert_int_equal(strncmp(line, "exfild[alert] severity=", 23), 0);
	sep = strstr(line, " -- {");
	assert_non_null(sep);
	assert_int_equal(jc_check(sep + 4, strlen(sep + 4)), 0);
	return sep + 4;
}

static int
setup(void **state)
{
	struct yerrs e;

	(void)state;
	memset(&e, 0, sizeof(e));
	rs = rules_load("tests/rules/alert", NULL, &e);
	if (rs == NULL)
		fprintf(stderr, "%s\n", yerr_str(&e));
	yerr_free(&e);
	return rs == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	rules_free(rs);
	seen_reset();
	return 0;
}

static void
test_alert_document(void **state)
{
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	const char *j;

	(void)state;
	seen_reset();
	conf_test(&c);
	a = new_alerter(&c);
	ev = ev_make(DET_DNS_TUNNEL, "10.1.0.12", "8.8.8.8", 53,
	    "evil.example", T0 + 123456);
	ev.proto = IPPROTO_UDP;
	snprintf(ev.app, sizeof(ev.app), "DNS");
	ev.has_geo = 1;
	ev.geo.flags = GEO_KNOWN_COUNTRY | GEO_KNOWN_REGION | GEO_KNOWN_ASN |
	    GEO_KNOWN_ORG;
	memcpy(ev.geo.country, "US", 3);
	snprintf(ev.geo.region, sizeof(ev.geo.region), "US-CA");
	ev.geo.asn = 15169;
	snprintf(ev.geo.as_org, sizeof(ev.geo.as_org), "GOOGLE");
	event_comp(&ev, "unique_subdomains", 412);
	event_comp(&ev, "entropy", 4.5);
	event_comp(&ev, "entropy", 9);		/* duplicate name dropped */
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.text[0], "exfild[alert] severity=high "
	    "rule=A-DNS \"DNS tunnel\" host=10.1.0.12 dst=8.8.8.8:53 "
	    "domain=evil.example bytes=123456 score=91");
	j = assert_line(seen.line[0]);
	assert_string_equal(j, seen.json[0]);
	assert_member(j, "@timestamp", "\"2024-05-01T12:00:00.123456Z\"");
	assert_member(j, "event.kind", "\"alert\"");
	assert_member(j, "event.category", "[\"network\"]");
	assert_member(j, "event.type", "[\"connection\"]");
	assert_member(j, "event.severity", "73");
	assert_member(j, "event.risk_score", "73");
	assert_member(j, "event.start", "\"2024-05-01T11:55:00.123456Z\"");
	assert_member(j, "event.dataset", "\"exfild.alert\"");
	assert_member(j, "event.reason", "\"test reason\"");
	assert_member(j, "rule.id", "\"A-DNS\"");
	assert_member(j, "rule.name", "\"DNS tunnel\"");
	assert_member(j, "rule.description", "\"Data in DNS queries.\"");
	assert_member(j, "rule.category", "\"dns_tunnel\"");
	assert_member(j, "source.ip", "\"10.1.0.12\"");
	assert_member(j, "source.port", "40000");
	assert_member(j, "source.bytes", "123456");
	assert_member(j, "destination.ip", "\"8.8.8.8\"");
	assert_member(j, "destination.port", "53");
	assert_member(j, "destination.domain", "\"evil.example\"");
	assert_member(j, "destination.geo.country_iso_code", "\"US\"");
	assert_member(j, "destination.geo.region_iso_code", "\"US-CA\"");
	assert_member(j, "destination.as.number", "15169");
	assert_member(j, "destination.as.organization.name", "\"GOOGLE\"");
	assert_member(j, "network.protocol", "\"dns\"");
	assert_member(j, "network.transport", "\"udp\"");
	assert_member(j, "network.type", "\"ipv4\"");
	assert_member(j, "network.direction", "\"egress\"");
	assert_member(j, "threat.framework", "\"MITRE ATT&CK\"");
	assert_member(j, "threat.tactic.id", "[\"TA0010\",\"TA0011\"]");
	assert_member(j, "threat.tactic.name",
	    "[\"Exfiltration\",\"Command and Control\"]");
	assert_member(j, "threat.technique.id",
	    "[\"T1048.003\",\"T1071.004\"]");
	assert_member(j, "related.ip", "[\"10.1.0.12\",\"8.8.8.8\"]");
	assert_member(j, "exfild.detector", "\"dns_tunnel\"");
	assert_member(j, "exfild.severity", "\"high\"");
	assert_member(j, "exfild.score", "91.25");
	assert_member(j, "exfild.window_s", "300");
	assert_member(j, "exfild.count", "7");
	assert_member(j, "exfild.folded", "0");
	assert_member(j, "exfild.components",
	    "{\"unique_subdomains\":412,\"entropy\":4.5}");
	assert_member(j, "exfild.reason", "\"test reason\"");
	assert_no_member(j, "exfild.correlation");
	assert_no_member(j, "exfild.allowlisted");
	alert_free(a);
}

static void
test_technique_override_and_v6(void **state)
{
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	const char *j;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.suppress_window = 0;
	a = new_alerter(&c);
	ev = ev_make(DET_VOLUME, "2001:db8::5", "2001:db8:ffff::1", 8443,
	    NULL, T0);
	ev.technique = "T1571";
	ev.sport = 0;
	ev.start = 0;
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	j = assert_line(seen.line[0]);
	assert_non_null(strstr(seen.text[0],
	    " host=2001:db8::5 dst=[2001:db8:ffff::1]:8443 bytes=123456 "));
	assert_member(j, "threat.technique.id", "[\"T1571\"]");
	assert_member(j, "threat.tactic.id", "[\"TA0010\",\"TA0011\"]");
	assert_member(j, "network.type", "\"ipv6\"");
	assert_no_member(j, "source.port");
	assert_no_member(j, "event.start");
	assert_no_member(j, "destination.domain");
	/* a malformed override is ignored, not copied */
	ev.technique = "T15\n71";
	ev.dport = 8444;
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_member(seen.json[1], "threat.technique.id", "[\"T1041\"]");
	alert_free(a);
}

static void
test_no_rule(void **state)
{
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;

	(void)state;
	seen_reset();
	conf_test(&c);
	a = new_alerter(&c);
	ev = ev_make(DET_TLS_SNICAT, "10.0.0.1", "1.2.3.4", 443, NULL, T0);
	assert_int_equal(alert_event(a, &ev), ALERT_NO_RULE);	/* disabled */
	ev.detector = DET_PORT_MISMATCH;
	assert_int_equal(alert_event(a, &ev), ALERT_NO_RULE);	/* none */
	ev.detector = DET_CORRELATION;	/* only the stage raises these */
	assert_int_equal(alert_event(a, &ev), ALERT_NO_RULE);
	ev.detector = DET_DNS_FAILURES;	/* alert: false */
	assert_int_equal(alert_event(a, &ev), ALERT_RISK_ONLY);
	alert_stats(a, &st);
	assert_int_equal(st.events, 4);
	assert_int_equal(st.no_rule, 3);
	assert_int_equal(st.risk_only, 1);
	assert_int_equal(st.alerts, 0);
	assert_int_equal(seen.n, 0);
	assert_int_equal(alert_rule_hits(a, "A-FAIL"), 1);
	alert_free(a);
}

static void
test_correlation(void **state)
{
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;
	const char *j;

	(void)state;
	seen_reset();
	conf_test(&c);
	a = new_alerter(&c);

	/* two rules, one tactic (TA0010 only): no incident */
	ev = ev_make(DET_VOLUME, "10.0.0.7", "1.2.3.4", 443, NULL, T0);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	ev = ev_make(DET_ICMP_LARGE, "10.0.0.7", "1.2.3.4", 0, NULL,
	    T0 + XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.correlated[0] + seen.correlated[1], 0);

	/* a third rule in TA0011, risk only: now two tactics */
	ev = ev_make(DET_DNS_FAILURES, "10.0.0.7", NULL, 0, "dga.example",
	    T0 + 2 * XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_RISK_ONLY);
	assert_int_equal(seen.n, 3);
	assert_true(seen.correlated[2]);
	j = assert_line(seen.line[2]);
	assert_string_equal(seen.text[2], "exfild[alert] severity=high "
	    "rule=A-COR \"Correlated exfiltration\" host=10.0.0.7 "
	    "rules=A-VOL,A-ICMP,A-FAIL tactics=TA0010,TA0011 risk=100");
	assert_member(j, "rule.id", "\"A-COR\"");
	assert_member(j, "rule.category", "\"correlation\"");
	assert_member(j, "event.severity", "73");	/* medium + 1 */
	assert_member(j, "event.risk_score", "100");	/* 47+40+25 capped */
	assert_member(j, "event.start", "\"2024-05-01T11:55:00.000000Z\"");
	assert_member(j, "exfild.correlation.rules",
	    "[\"A-VOL\",\"A-ICMP\",\"A-FAIL\"]");
	assert_member(j, "exfild.correlation.techniques",
	    "[\"T1041\",\"T1048.003\",\"T1568.002\"]");
	assert_member(j, "exfild.correlation.tactics",
	    "[\"TA0010\",\"TA0011\"]");
	assert_member(j, "exfild.correlation.risk_sum", "112");
	assert_member(j, "threat.tactic.id", "[\"TA0010\",\"TA0011\"]");
	assert_member(j, "threat.technique.id",
	    "[\"T1041\",\"T1048.003\",\"T1568.002\"]");
	assert_member(j, "exfild.detector", "\"correlation\"");
	assert_no_member(j, "destination");

	/* the same rules again within the window: no second incident */
	ev = ev_make(DET_VOLUME, "10.0.0.7", "5.6.7.8", 443, NULL,
	    T0 + 10 * XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 4);
	assert_false(seen.correlated[3]);

	/* a new contributing rule: a new incident naming it */
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.7", "5.6.7.8", 80, NULL,
	    T0 + 11 * XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 6);
	assert_true(seen.correlated[5]);
	j = assert_line(seen.line[5]);
	assert_member(j, "exfild.correlation.rules",
	    "[\"A-VOL\",\"A-ICMP\",\"A-FAIL\",\"A-HTTP\"]");
	assert_member(j, "event.severity", "99");	/* high + 1 */
	assert_member(j, "threat.tactic.id",
	    "[\"TA0010\",\"TA0011\",\"TA0009\"]");
	alert_stats(a, &st);
	assert_int_equal(st.correlated, 2);
	assert_int_equal(st.hosts, 1);

	/* a different host is independent */
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.8", "5.6.7.8", 80, NULL,
	    T0 + 12 * XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 7);
	alert_free(a);
}

static void
test_correlation_window(void **state)
{
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.suppress_window = 0;
	a = new_alerter(&c);
	/* 61 minutes apart: outside the 60 minute window */
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.9", "5.6.7.8", 80, NULL,
	    T0);
	alert_event(a, &ev);
	ev = ev_make(DET_DNS_FAILURES, "10.0.0.9", NULL, 0, "x.example",
	    T0 + 61 * XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_RISK_ONLY);
	assert_int_equal(seen.n, 1);
	/* within the window of the failure: an incident, with one
	 * contributor only a minute old */
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.9", "5.6.7.8", 80, NULL,
	    T0 + 62 * XT_MIN);
	alert_event(a, &ev);
	assert_int_equal(seen.n, 3);
	assert_true(seen.correlated[2]);
	assert_member(seen.json[2], "exfild.correlation.rules",
	    "[\"A-FAIL\",\"A-HTTP\"]");
	/* the same pair after the window has passed: raised again */
	ev = ev_make(DET_DNS_FAILURES, "10.0.0.9", NULL, 0, "x.example",
	    T0 + 123 * XT_MIN);
	alert_event(a, &ev);
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.9", "5.6.7.8", 80, NULL,
	    T0 + 124 * XT_MIN);
	alert_event(a, &ev);
	assert_int_equal(seen.n, 5);
	assert_true(seen.correlated[4]);
	/* expiry by packet time */
	alert_tick(a, T0 + 124 * XT_MIN + 30 * XT_MIN);
	alert_stats(a, &st);
	assert_int_equal(st.hosts, 1);
	alert_tick(a, T0 + 124 * XT_MIN + 61 * XT_MIN);
	alert_stats(a, &st);
	assert_int_equal(st.hosts, 0);
	assert_int_equal(st.keys, 0);
	alert_free(a);

	/* correlation off: nothing is recorded */
	seen_reset();
	conf_test(&c);
	c.corr_enabled = 0;
	a = new_alerter(&c);
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.9", "5.6.7.8", 80, NULL,
	    T0);
	alert_event(a, &ev);
	ev = ev_make(DET_DNS_FAILURES, "10.0.0.9", NULL, 0, "x.example",
	    T0 + 1);
	alert_event(a, &ev);
	alert_stats(a, &st);
	assert_int_equal(st.hosts, 0);
	assert_int_equal(st.correlated, 0);
	alert_free(a);
}

/* ---- allowlist --------------------------------------------------------- */

static struct config *
allow_config(const char *yaml)
{
	char err[4096];
	struct config *cfg;

	cfg = config_load_string("allow.yaml", yaml, strlen(yaml), err,
	    sizeof(err));
	if (cfg == NULL)
		fprintf(stderr, "%s\n", err);
	assert_non_null(cfg);
	return cfg;
}

static struct alerter *
allow_alerter(const struct config *cfg)
{
	struct alert_conf c;

	conf_test(&c);
	c.suppress_window = 0;
	c.corr_enabled = 0;
	c.allow = &cfg->allowlist;
	c.utc_offset = cfg->utc_offset;
	return new_alerter(&c);
}

static void
test_allowlist_kinds(void **state)
{
	static const char yaml[] =
	    "host_groups:\n"
	    "  backup: [10.9.0.0/16]\n"
	    "allowlist:\n"
	    "  - destination: [192.0.2.0/24]\n"		/* 0 */
	    "  - country: [se]\n"				/* 1 */
	    "  - asn: [AS64500]\n"				/* 2 */
	    "  - domain: [dropbox.com]\n"			/* 3 */
	    "  - port: [873]\n"				/* 4 */
	    "  - host: [10.7.0.0/24]\n"			/* 5 */
	    "  - host: ['@backup']\n"			/* 6 */
	    "  - rules: [A-CLOUD]\n"			/* 7 */
	    "    domain: [wetransfer.com]\n"
	    "  - destination: [198.51.100.0/24]\n"		/* 8 */
	    "    port: [443]\n";
	struct config *cfg = allow_config(yaml);
	struct alert_stats st;
	struct alerter *a;
	struct event ev;
	int i;

	(void)state;
	seen_reset();
	a = allow_alerter(cfg);
#define SENT(e)	assert_int_equal(alert_event(a, &(e)), ALERT_SENT)
#define ALLOWED(e, idx) do {						\
	uint64_t before = alert_allow_hits(a, (idx));			\
	assert_int_equal(alert_event(a, &(e)), ALERT_ALLOWLISTED);	\
	assert_int_equal(alert_allow_hits(a, (idx)), before + 1);	\
} while (0)

	/* destination CIDR */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "192.0.2.77", 22, NULL, T0);
	ALLOWED(ev, 0);
	ev = ev_make(DET_VOLUME, "10.0.0.1", "192.0.3.77", 22, NULL, T0);
	SENT(ev);
	/* country, only with known geography */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.1", 22, NULL, T0);
	ev.has_geo = 1;
	ev.geo.flags = GEO_KNOWN_COUNTRY;
	memcpy(ev.geo.country, "SE", 3);
	ALLOWED(ev, 1);
	memcpy(ev.geo.country, "NO", 3);
	SENT(ev);
	ev.geo.flags = 0;
	memcpy(ev.geo.country, "SE", 3);
	SENT(ev);
	/* ASN */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.2", 22, NULL, T0);
	ev.has_geo = 1;
	ev.geo.flags = GEO_KNOWN_ASN;
	ev.geo.asn = 64500;
	ALLOWED(ev, 2);
	ev.geo.asn = 64501;
	SENT(ev);
	/* domain suffix on a label boundary, any case, trailing dot */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.3", 22, "dropbox.com",
	    T0);
	ALLOWED(ev, 3);
	snprintf(ev.domain, sizeof(ev.domain), "content.DropBox.com.");
	ALLOWED(ev, 3);
	snprintf(ev.domain, sizeof(ev.domain), "evil-dropbox.com");
	SENT(ev);
	snprintf(ev.domain, sizeof(ev.domain), "dropbox.com.evil.net");
	SENT(ev);
	snprintf(ev.domain, sizeof(ev.domain), "xdropbox.com");
	SENT(ev);
	/* port */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.4", 873, NULL, T0);
	ALLOWED(ev, 4);
	ev.dport = 874;
	SENT(ev);
	/* host CIDR and @group */
	ev = ev_make(DET_VOLUME, "10.7.0.9", "203.0.113.5", 22, NULL, T0);
	ALLOWED(ev, 5);
	ev = ev_make(DET_VOLUME, "10.9.200.1", "203.0.113.5", 22, NULL, T0);
	ALLOWED(ev, 6);
	ev = ev_make(DET_VOLUME, "10.8.0.1", "203.0.113.5", 22, NULL, T0);
	SENT(ev);
	/* limited to one rule: the cloud rule is silenced, volume is not */
	ev = ev_make(DET_CLOUD_UPLOAD, "10.0.0.1", "203.0.113.6", 443,
	    "eu.wetransfer.com", T0);
	ALLOWED(ev, 7);
	ev.detector = DET_VOLUME;
	SENT(ev);
	/* every key of an entry must match */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "198.51.100.1", 443, NULL, T0);
	ALLOWED(ev, 8);
	ev.dport = 80;
	SENT(ev);
	ev = ev_make(DET_VOLUME, "10.0.0.1", "198.51.99.1", 443, NULL, T0);
	SENT(ev);

	alert_stats(a, &st);
	assert_int_equal(st.suppressed_allowlist, 10);
	for (i = 0; i <= 8; i++)
		assert_true(alert_allow_hits(a, (size_t)i) >= 1);
	assert_int_equal(alert_allow_hits(a, 99), 0);
	for (i = 0; i < seen.n; i++)
		assert_line(seen.line[i]);
	alert_free(a);
	config_free(cfg);
#undef SENT
#undef ALLOWED
}

static void
test_allowlist_schedule(void **state)
{
	static const char yaml[] =
	    "allowlist:\n"
	    "  - host: [10.5.0.0/16]\n"
	    "    schedule: \"Fri 22:00-02:00\"\n"
	    "  - host: [10.6.0.0/16]\n"
	    "    schedule: \"Mon-Fri 09:00-17:00\"\n";
	static const char yaml_tz[] =
	    "utc_offset: \"+02:00\"\n"
	    "allowlist:\n"
	    "  - host: [10.5.0.0/16]\n"
	    "    schedule: \"Fri 22:00-02:00\"\n";
	static const struct {
		const char	*host;
		xtime_t		 ts;
		int		 allowed;
	} cases[] = {
		{ "10.5.0.1", FRI + 23 * XT_HOUR, 1 },		/* Fri 23:00 */
		{ "10.5.0.1", SAT + 119 * XT_MIN, 1 },		/* Sat 01:59 */
		{ "10.5.0.1", SAT + 2 * XT_HOUR, 0 },		/* Sat 02:00 */
		{ "10.5.0.1", FRI + 1 * XT_HOUR, 0 },		/* Fri 01:00 */
		{ "10.5.0.1", FRI + 21 * XT_HOUR + 59 * XT_MIN, 0 },
		{ "10.5.0.1", SAT + 23 * XT_HOUR, 0 },		/* Sat 23:00 */
		{ "10.6.0.1", FRI + 9 * XT_HOUR, 1 },		/* Fri 09:00 */
		{ "10.6.0.1", FRI + 17 * XT_HOUR, 0 },
		{ "10.6.0.1", SAT + 10 * XT_HOUR, 0 },		/* weekend */
		{ "10.6.0.1", T0, 1 },				/* Wed 12:00 */
	};
	struct config *cfg;
	struct alerter *a;
	struct event ev;
	size_t i;

	(void)state;
	seen_reset();
	cfg = allow_config(yaml);
	a = allow_alerter(cfg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = ev_make(DET_VOLUME, cases[i].host, "203.0.113.9", 22, NULL,
		    cases[i].ts);
		if (alert_event(a, &ev) != (cases[i].allowed ?
		    ALERT_ALLOWLISTED : ALERT_SENT))
			fail_msg("schedule case %zu", i);
	}
	alert_free(a);
	config_free(cfg);

	/* utc_offset +02:00: Fri 23:00 local is 21:00 UTC */
	cfg = allow_config(yaml_tz);
	assert_int_equal(cfg->utc_offset, 7200);
	a = allow_alerter(cfg);
	ev = ev_make(DET_VOLUME, "10.5.0.1", "203.0.113.9", 22, NULL,
	    FRI + 21 * XT_HOUR);
	assert_int_equal(alert_event(a, &ev), ALERT_ALLOWLISTED);
	ev.ts = FRI + 23 * XT_HOUR + 30 * XT_MIN;	/* Sat 01:30 local */
	assert_int_equal(alert_event(a, &ev), ALERT_ALLOWLISTED);
	ev.ts = SAT;					/* Sat 02:00 local */
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	alert_free(a);
	config_free(cfg);
}

static void
test_allowlist_unknown_rule_logged(void **state)
{
	static const char yaml[] =
	    "allowlist:\n"
	    "  - rules: [A-NOPE]\n"
	    "    port: [1]\n";
	struct config *cfg;
	struct alerter *a;

	(void)state;
	seen_reset();
	cfg = allow_config(yaml);
	a = allow_alerter(cfg);
	assert_int_equal(seen.nlog, 1);
	assert_string_equal(seen.log[0], "alerts: allowlist entry at line 2 "
	    "names rule 'A-NOPE', which no rule file defines");
	alert_free(a);
	config_free(cfg);
}

/* ---- rate limit and cap ------------------------------------------------ */

static void
test_rate_limit(void **state)
{
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.suppress_window = 10 * XT_MIN;
	c.corr_enabled = 0;
	a = new_alerter(&c);
	ev = ev_make(DET_CLOUD_UPLOAD, "10.0.0.1", "203.0.113.1", 443,
	    "mega.nz", T0);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	ev.ts = T0 + XT_MIN;
	assert_int_equal(alert_event(a, &ev), ALERT_FOLDED);
	/* same domain, another address: still the same key */
	ip(&ev.dst, "203.0.113.2");
	ev.ts = T0 + 2 * XT_MIN;
	assert_int_equal(alert_event(a, &ev), ALERT_FOLDED);
	/* another domain, another host: their own keys */
	snprintf(ev.domain, sizeof(ev.domain), "gofile.io");
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	ip(&ev.host, "10.0.0.2");
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	/* without a domain the destination address is the key */
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.1", 443, NULL, T0);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	ip(&ev.dst, "203.0.113.2");
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 5);
	/* after the window: sent, telling how many were folded */
	ev = ev_make(DET_CLOUD_UPLOAD, "10.0.0.1", "203.0.113.1", 443,
	    "mega.nz", T0 + 10 * XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.n, 6);
	assert_member(seen.json[5], "exfild.folded", "2");
	assert_non_null(strstr(seen.text[5], " folded=2"));
	ev.ts = T0 + 11 * XT_MIN;
	assert_int_equal(alert_event(a, &ev), ALERT_FOLDED);
	alert_stats(a, &st);
	assert_int_equal(st.suppressed_rate, 3);
	assert_int_equal(st.alerts, 6);
	assert_int_equal(st.keys, 5);
	/* keys expire a window after their last hit */
	alert_tick(a, T0 + 21 * XT_MIN + 1);
	alert_stats(a, &st);
	assert_int_equal(st.keys, 0);
	assert_int_equal(st.folded_unreported, 1);
	alert_free(a);
}

static void
test_cap(void **state)
{
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;
	char dom[32];
	int i;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.max_per_minute = 3;
	c.corr_enabled = 0;
	a = new_alerter(&c);
	for (i = 0; i < 5; i++) {
		snprintf(dom, sizeof(dom), "d%d.example", i);
		ev = ev_make(DET_CLOUD_UPLOAD, "10.0.0.1", "203.0.113.1", 443,
		    dom, T0 + i * XT_SEC);
		assert_int_equal(alert_event(a, &ev), i < 3 ? ALERT_SENT :
		    ALERT_CAPPED);
		/* logged once, when it first bites */
		assert_int_equal(seen.nlog, i < 3 ? 0 : 1);
	}
	assert_string_equal(seen.log[0], "alerts: cap of 3 alerts per minute "
	    "reached at 2024-05-01T12:00:03.000000Z; the rest of this "
	    "minute's alerts are counted, not sent");
	/* a capped hit did not open a rate window: it can be sent later */
	ev = ev_make(DET_CLOUD_UPLOAD, "10.0.0.1", "203.0.113.1", 443,
	    "d3.example", T0 + XT_MIN);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	assert_int_equal(seen.nlog, 2);
	assert_string_equal(seen.log[1], "alerts: 2 alerts over the cap of 3 "
	    "per minute were not sent in the minute from "
	    "2024-05-01T12:00:00.000000Z");
	for (i = 0; i < 3; i++) {
		snprintf(dom, sizeof(dom), "e%d.example", i);
		ev = ev_make(DET_CLOUD_UPLOAD, "10.0.0.1", "203.0.113.1", 443,
		    dom, T0 + XT_MIN + i);
		alert_event(a, &ev);
	}
	assert_int_equal(seen.nlog, 3);		/* bit again, once */
	alert_stats(a, &st);
	assert_int_equal(st.suppressed_cap, 3);
	assert_int_equal(st.alerts, 6);
	alert_tick(a, T0 + 2 * XT_MIN);		/* the summary comes on tick */
	assert_int_equal(seen.nlog, 4);
	alert_free(a);
}

static void
test_correlated_skips_cap(void **state)
{
	struct alert_conf c;
	struct alerter *a;
	struct event ev;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.max_per_minute = 1;
	a = new_alerter(&c);
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.1", "203.0.113.1", 80,
	    NULL, T0);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	ev = ev_make(DET_DNS_TUNNEL, "10.0.0.1", "203.0.113.1", 53,
	    "t.example", T0 + 1);
	assert_int_equal(alert_event(a, &ev), ALERT_CAPPED);
	assert_int_equal(seen.n, 2);	/* but the incident went out */
	assert_true(seen.correlated[1]);
	alert_free(a);
}

/* ---- hostile input and the outputs ------------------------------------- */

static void
hostile_event(struct event *ev, int variant)
{
	size_t i;

	*ev = ev_make(DET_DNS_TUNNEL, "10.0.0.66", "203.0.113.66", 53, NULL,
	    T0 + variant);
	switch (variant % 4) {
	case 0:
		snprintf(ev->domain, sizeof(ev->domain),
		    "a\nb\"c\\d\re\x01\x7f.\xff\xfe.\xc3\x28."
		    "\xe2\x80\xa8.x y=z");
		snprintf(ev->reason, sizeof(ev->reason),
		    "line1\nline2\r\n\"quoted\" \x1b[31mred\x1b[0m \xc0\xaf");
		break;
	case 1:		/* every field full, no terminating NUL */
		memset(ev->domain, '\n', sizeof(ev->domain));
		memset(ev->reason, '"', sizeof(ev->reason));
		memset(ev->app, 0xff, sizeof(ev->app));
		break;
	case 2:
		for (i = 0; i < sizeof(ev->domain); i++)
			ev->domain[i] = (char)(0x80 + (i * 7) % 0x80);
		for (i = 0; i < sizeof(ev->reason); i++)
			ev->reason[i] = (char)(i % 32);
		break;
	default:
		for (i = 0; i < sizeof(ev->domain); i++)
			ev->domain[i] = (char)((variant * 131 + i * 17) & 0xff);
		for (i = 0; i < sizeof(ev->reason); i++)
			ev->reason[i] = (char)((variant * 71 + i * 29) & 0xff);
		break;
	}
	ev->ncomps = 0;
	event_comp(ev, "weird\"name\n", 1);
	event_comp(ev, "nan", NAN);
}

static void
test_hostile_strings(void **state)
{
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	char dom[2048];
	const char *j;
	int v;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.suppress_window = 0;
	c.corr_enabled = 0;
	a = new_alerter(&c);
	for (v = 0; v < 40; v++) {
		hostile_event(&ev, v);
		assert_int_equal(alert_event(a, &ev), ALERT_SENT);
		j = assert_line(seen.line[seen.n - 1]);
		assert_member(j, "event.kind", "\"alert\"");
		assert_member(j, "rule.id", "\"A-DNS\"");
		assert_member(j, "source.ip", "\"10.0.0.66\"");
		assert_member(j, "destination.ip", "\"203.0.113.66\"");
		assert_member(j, "exfild.components.nan", "null");
		assert_int_equal(jc_get_str(j, "destination.domain", dom,
		    sizeof(dom)), 0);
		assert_int_equal(jc_get_str(j, "event.reason", dom,
		    sizeof(dom)), 0);
		/* the text part never splits into fake key=value pairs */
		assert_null(strstr(seen.text[seen.n - 1], " y=z"));
		seen_reset();
	}
	hostile_event(&ev, 0);
	alert_event(a, &ev);
	assert_non_null(strstr(seen.text[0], " domain=a\\x0ab\\\"c\\\\d"
	    "\\x0de\\x01\\x7f.\\xff\\xfe.\\xc3(.\\u2028.x\\x20y\\x3dz "));
	alert_free(a);
}

static void
test_format_json_direct(void **state)
{
	const struct rule *r = rules_find(rs, "A-DNS");
	char big[8192], small[200];
	struct event ev;
	size_t n, cap;

	(void)state;
	hostile_event(&ev, 1);
	n = alert_format_json(NULL, &ev, r, big, sizeof(big));
	assert_int_equal(n, strlen(big));
	assert_int_equal(jc_check(big, n), 0);
	/* any buffer size: still a closed, valid document */
	for (cap = 3; cap < sizeof(small); cap++) {
		n = alert_format_json(NULL, &ev, r, small, cap);
		assert_true(n < cap);
		assert_int_equal(jc_check(small, n), 0);
	}
}

/* Lines of a file, each parsed. */
static int
check_json_file(const char *path, int want_lines, const char *want_id)
{
	char line[16384];
	FILE *fp = fopen(path, "r");
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		if (len == 0 || line[len - 1] != '\n')
			fail_msg("line without a newline");
		len--;
		line[len] = '\0';
		assert_int_equal(jc_check(line, len), 0);
		if (want_id != NULL)
			assert_member(line, "rule.id", want_id);
		n++;
	}
	fclose(fp);
	assert_int_equal(n, want_lines);
	return n;
}

static void
test_json_file_and_reopen(void **state)
{
	char dir[] = "/tmp/exfild-alert-XXXXXX", path[256], rotated[256];
	char err[256];
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	int v;

	(void)state;
	seen_reset();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alerts.json", dir);
	snprintf(rotated, sizeof(rotated), "%s/alerts.json.1", dir);
	conf_test(&c);
	c.print = NULL;
	c.json_file = path;
	c.suppress_window = 0;
	a = new_alerter(&c);
	for (v = 0; v < 12; v++) {
		hostile_event(&ev, v);
		assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	}
	check_json_file(path, 12, "\"A-DNS\"");
	/* rotation: rename, reopen, the next alert lands in a new file */
	assert_int_equal(rename(path, rotated), 0);
	assert_int_equal(alert_reopen(a, err, sizeof(err)), 0);
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.1", 443, NULL, T0);
	alert_event(a, &ev);
	check_json_file(path, 1, "\"A-VOL\"");
	check_json_file(rotated, 12, NULL);
	/* a failed reopen keeps the old file */
	assert_int_equal(rmdir(dir) == -1, 1);
	unlink(path);
	unlink(rotated);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(alert_reopen(a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "alerts.json_file"));
	alert_free(a);

	/* an unwritable path fails at start, with the reason */
	c.json_file = "/nonexistent-dir/alerts.json";
	assert_null(alert_new(&c, rs, err, sizeof(err)));
	assert_string_equal(err, "alerts.json_file "
	    "/nonexistent-dir/alerts.json: No such file or directory");
}

static void
test_syslog_socket(void **state)
{
	char dir[] = "/tmp/exfild-log-XXXXXX", path[64], buf[16384];
	struct sockaddr_un sun;
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	char want[64];
	ssize_t n;
	int fd, v;

	(void)state;
	seen_reset();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);

	conf_test(&c);
	c.print = NULL;
	c.syslog_enabled = 1;
	c.syslog_socket = path;
	c.facility = LOG_LOCAL3;
	c.ident = "exfild-test";
	c.suppress_window = 0;
	c.corr_enabled = 0;
	a = new_alerter(&c);
	for (v = 0; v < 8; v++) {
		hostile_event(&ev, v);
		assert_int_equal(alert_event(a, &ev), ALERT_SENT);
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_int_equal(strlen(buf), (size_t)n);	/* no NUL */
		snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_CRIT);
		assert_int_equal(strncmp(buf, want, strlen(want)), 0);
		snprintf(want, sizeof(want), " exfild-test[%d]: ",
		    (int)getpid());
		assert_non_null(strstr(buf, want));
		assert_line(strstr(buf, want) + strlen(want));
	}
	/* syslog restarted: the socket comes back, the alerter reconnects */
	close(fd);
	unlink(path);
	hostile_event(&ev, 0);
	alert_event(a, &ev);
	assert_int_equal(seen.nlog, 1);		/* failure told once */
	alert_event(a, &ev);
	assert_int_equal(seen.nlog, 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ev = ev_make(DET_VOLUME, "10.0.0.1", "203.0.113.1", 443, NULL, T0);
	alert_event(a, &ev);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_WARNING);
	assert_int_equal(strncmp(buf, want, strlen(want)), 0);
	assert_int_equal(seen.nlog, 2);		/* and recovery is told */
	{
		struct alert_stats st;

		alert_stats(a, &st);
		assert_int_equal(st.syslog_errors, 2);
	}
	alert_free(a);
	close(fd);
	unlink(path);
	rmdir(dir);
}

static int
loopback_socket(int type, int *port)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* "<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG" */
static void
check_5424(const char *m, int pri, const char *msgid)
{
	char want[128];

	snprintf(want, sizeof(want), "<%d>1 ", pri);
	assert_int_equal(strncmp(m, want, strlen(want)), 0);
	m += strlen(want);
	assert_int_equal(m[4], '-');		/* 2024-05-01T...Z */
	assert_int_equal(m[10], 'T');
	assert_int_equal(m[26], 'Z');
	assert_int_equal(m[27], ' ');
	snprintf(want, sizeof(want), " exfild-r %d %s - exfild[alert] ",
	    (int)getpid(), msgid);
	assert_non_null(strstr(m, want));
	assert_line(strstr(m, "exfild[alert] "));
}

static void
test_remote_udp(void **state)
{
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	char buf[16384];
	ssize_t n;
	int fd, port;

	(void)state;
	seen_reset();
	fd = loopback_socket(SOCK_DGRAM, &port);
	conf_test(&c);
	c.remote_host = "127.0.0.1";
	c.remote_port = port;
	c.ident = "exfild-r";
	c.facility = LOG_LOCAL4;
	c.corr_enabled = 0;
	a = new_alerter(&c);
	hostile_event(&ev, 2);
	assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	check_5424(buf, LOG_LOCAL4 | LOG_CRIT, "A-DNS");
	alert_free(a);
	close(fd);
}

/* Complete "LEN SP MSG" frames in buf[0..got), each checked. */
static int
tcp_frames(const char *buf, size_t got)
{
	static char msg[65536];
	const char *p = buf;
	unsigned long len;
	char *end;
	int frames = 0;

	while (p < buf + got) {
		len = strtoul(p, &end, 10);
		if (end == p || *end != ' ' ||
		    (size_t)(end + 1 - buf) + len > got)
			break;
		assert_true(len < sizeof(msg));
		memcpy(msg, end + 1, len);
		msg[len] = '\0';
		check_5424(msg, LOG_LOCAL4 | LOG_CRIT, "A-DNS");
		frames++;
		p = end + 1 + len;
	}
	return frames;
}

static void
test_remote_tcp(void **state)
{
	static char buf[65536];
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int lfd, fd, port, frames = 0, v;

	(void)state;
	seen_reset();
	lfd = loopback_socket(SOCK_STREAM, &port);
	conf_test(&c);
	c.remote_host = "127.0.0.1";
	c.remote_port = port;
	c.remote_tcp = 1;
	c.ident = "exfild-r";
	c.facility = LOG_LOCAL4;
	c.suppress_window = 0;
	c.corr_enabled = 0;
	a = new_alerter(&c);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	for (v = 0; v < 5; v++) {
		hostile_event(&ev, v);
		assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	}
	alert_tick(a, T0 + XT_MIN);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (frames < 5 && poll(&pfd, 1, 2000) == 1) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		assert_true(n > 0);
		got += (size_t)n;
		buf[got] = '\0';
		frames = tcp_frames(buf, got);
	}
	assert_int_equal(frames, 5);
	alert_stats(a, &st);
	assert_int_equal(st.remote_dropped, 0);
	assert_int_equal(st.remote_errors, 0);
	alert_free(a);
	close(fd);
	close(lfd);
}

/* ---- tables, reload ---------------------------------------------------- */

static void
test_bounded_tables(void **state)
{
	struct alert_conf c;
	struct alert_stats st;
	struct alerter *a;
	struct event ev;
	char host[32];
	int i;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.print = NULL;
	c.max_hosts = 4;
	c.max_keys = 4;
	c.max_per_minute = 0;
	a = new_alerter(&c);
	for (i = 0; i < 10; i++) {
		snprintf(host, sizeof(host), "10.0.1.%d", i);
		ev = ev_make(DET_VOLUME, host, "203.0.113.1", 443, NULL,
		    T0 + i);
		assert_int_equal(alert_event(a, &ev), ALERT_SENT);
	}
	alert_stats(a, &st);
	assert_int_equal(st.hosts, 4);
	assert_int_equal(st.hosts_evicted, 6);
	assert_int_equal(st.keys, 4);
	assert_int_equal(st.keys_evicted, 6);
	assert_true(st.mem_bytes > 4 * sizeof(addr_t));
	/* the newest hosts survived: 10.0.1.9 still correlates */
	ev = ev_make(DET_DNS_FAILURES, "10.0.1.9", NULL, 0, "x.example",
	    T0 + 20);
	alert_event(a, &ev);
	alert_stats(a, &st);
	assert_int_equal(st.correlated, 1);
	alert_free(a);
}

static void
test_reload_rules(void **state)
{
	struct ruleset *rs2;
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	struct yerrs e;

	(void)state;
	seen_reset();
	conf_test(&c);
	a = new_alerter(&c);
	ev = ev_make(DET_HTTP_ARCHIVE_POST, "10.0.0.1", "203.0.113.1", 80,
	    NULL, T0);
	alert_event(a, &ev);
	assert_int_equal(alert_rule_hits(a, "A-HTTP"), 1);

	memset(&e, 0, sizeof(e));
	rs2 = rules_load("tests/rules/alert", NULL, &e);
	assert_non_null(rs2);
	alert_set_rules(a, rs2);
	/* counters and risk events follow the rules by id */
	assert_int_equal(alert_rule_hits(a, "A-HTTP"), 1);
	ev = ev_make(DET_DNS_FAILURES, "10.0.0.1", NULL, 0, "x.example",
	    T0 + XT_MIN);
	alert_event(a, &ev);
	assert_int_equal(seen.n, 2);
	assert_true(seen.correlated[1]);
	assert_member(seen.json[1], "exfild.correlation.rules",
	    "[\"A-HTTP\",\"A-FAIL\"]");
	/* the old ruleset can go now */
	alert_set_rules(a, rs);
	rules_free(rs2);
	yerr_free(&e);
	alert_free(a);
}

static void
test_conf_from_config(void **state)
{
	static const char yaml[] =
	    "utc_offset: \"-05:30\"\n"
	    "alerts:\n"
	    "  syslog:\n"
	    "    facility: local2\n"
	    "    ident: exfild-t\n"
	    "    remote: {host: 127.0.0.1, port: 6514, protocol: tcp}\n"
	    "  json_file: \"\"\n"
	    "  suppress_window: 15m\n"
	    "  max_per_minute: 7\n"
	    "  correlation: {window: 2h, min_rules: 3, min_tactics: 1}\n"
	    "allowlist:\n"
	    "  - port: [873]\n";
	struct config *cfg = allow_config(yaml);
	struct alert_conf c;

	(void)state;
	alert_conf_from_config(&c, cfg);
	assert_int_equal(c.facility, LOG_LOCAL2);
	assert_string_equal(c.ident, "exfild-t");
	assert_string_equal(c.remote_host, "127.0.0.1");
	assert_int_equal(c.remote_port, 6514);
	assert_true(c.remote_tcp);
	assert_string_equal(c.json_file, "");
	assert_int_equal(c.suppress_window, 15 * XT_MIN);
	assert_int_equal(c.max_per_minute, 7);
	assert_int_equal(c.corr_window, 2 * XT_HOUR);
	assert_int_equal(c.corr_min_rules, 3);
	assert_int_equal(c.corr_min_tactics, 1);
	assert_int_equal(c.utc_offset, -19800);
	assert_ptr_equal(c.allow, &cfg->allowlist);
	assert_int_equal(c.allow->n, 1);
	config_free(cfg);
}

static void
test_domain_match(void **state)
{
	(void)state;
	assert_true(alert_domain_match("dropbox.com", 11, "dropbox.com"));
	assert_true(alert_domain_match("a.b.dropbox.com", 15, "dropbox.com"));
	assert_true(alert_domain_match("A.DROPBOX.COM.", 14, "dropbox.com"));
	assert_false(alert_domain_match("evil-dropbox.com", 16, "dropbox.com"));
	assert_false(alert_domain_match("dropbox.com.evil", 16, "dropbox.com"));
	assert_false(alert_domain_match("ropbox.com", 10, "dropbox.com"));
	assert_false(alert_domain_match("", 0, "dropbox.com"));
	assert_false(alert_domain_match("x.com", 5, ""));
	/* a length shorter than the string: the rest is not looked at */
	assert_true(alert_domain_match("a.dropbox.comXXXX", 13, "dropbox.com"));
}

static void
test_random_events(void **state)
{
	struct alert_conf c;
	struct alerter *a;
	struct event ev;
	uint64_t x = 88172645463325252ULL;
	size_t i;
	int k;

	(void)state;
	seen_reset();
	conf_test(&c);
	c.suppress_window = 0;
	c.max_per_minute = 0;
	a = new_alerter(&c);
	for (k = 0; k < 300; k++) {
		ev = ev_make((enum detector)(1 + k % (DET_MAX - 1)), "10.2.0.1",
		    "203.0.113.1", k & 0xffff, NULL, T0 + k * XT_SEC);
		for (i = 0; i < sizeof(ev.domain); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ev.domain[i] = (char)(x >> 24);
			ev.reason[i] = (char)(x >> 32);
		}
		ev.technique = k % 3 ? NULL : "T1030";
		ev.score = (double)(x % 10000) / 7.0;
		ev.has_geo = 1;
		ev.geo.flags = 0xff;
		memset(ev.geo.as_org, 0xc3, sizeof(ev.geo.as_org));
		memset(ev.geo.region, '\n', sizeof(ev.geo.region));
		alert_event(a, &ev);
		for (i = 0; i < (size_t)seen.n; i++)
			assert_line(seen.line[i]);
		seen_reset();
	}
	alert_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert_document),
		cmocka_unit_test(test_technique_override_and_v6),
		cmocka_unit_test(test_no_rule),
		cmocka_unit_test(test_correlation),
		cmocka_unit_test(test_correlation_window),
		cmocka_unit_test(test_allowlist_kinds),
		cmocka_unit_test(test_allowlist_schedule),
		cmocka_unit_test(test_allowlist_unknown_rule_logged),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_correlated_skips_cap),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_format_json_direct),
		cmocka_unit_test(test_json_file_and_reopen),
		cmocka_unit_test(test_syslog_socket),
		cmocka_unit_test(test_remote_udp),
		cmocka_unit_test(test_remote_tcp),
		cmocka_unit_test(test_bounded_tables),
		cmocka_unit_test(test_reload_rules),
		cmocka_unit_test(test_conf_from_config),
		cmocka_unit_test(test_domain_match),
		cmocka_unit_test(test_random_events),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
