/*
 * config.c: the key table, and the loader, defaults, dump and reference
 * that are all driven by it.  Scalars are handled generically by type;
 * lists, host groups and the allowlist have their own readers below
 * because their shape, not just their value, is checked.  The allowlist
 * is read last so that "@group" can refer to a host_groups entry written
 * anywhere in the file.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "netset.h"
#include "yamldoc.h"

#define CONF_PATHMAX	4095	/* bytes in a path */
#define CONF_NAMEMAX	64	/* bytes in a group name or rule id */
#define CONF_KEYMAX	128	/* bytes in a dotted key */
#define CONF_COMMENTMAX	1024

#define KB_	1000LL
#define MB_	1000000LL
#define MiB_	(1LL << 20)
#define GiB_	(1LL << 30)

/* offsetof that refuses to compile if the field has another type. */
#define F(field, type)	_Generic(((struct config *)0)->field,		\
	type: offsetof(struct config, field))

#define O_BOOL(k, f, d, doc)						\
	{ k, CT_BOOL, F(f, int), 0, 1, NULL, d, doc, 0 }
#define O_INT(k, f, lo, hi, d, doc)					\
	{ k, CT_INT, F(f, int), lo, hi, NULL, d, doc, 0 }
#define O_SIZE(k, f, lo, hi, d, doc)					\
	{ k, CT_SIZE, F(f, uint64_t), lo, hi, NULL, d, doc, 0 }
#define O_DUR(k, f, lo, hi, d, doc)					\
	{ k, CT_DURATION, F(f, xtime_t), lo, hi, NULL, d, doc, 0 }
#define O_STR(k, f, lo, hi, d, doc)					\
	{ k, CT_STRING, F(f, char *), lo, hi, NULL, d, doc, 0 }
#define O_PATH(k, f, d, doc)	O_STR(k, f, 0, CONF_PATHMAX, d, doc)
#define O_ENUM(k, f, names, d, doc)					\
	{ k, CT_ENUM, F(f, int), 0, 0, names, d, doc, 0 }

static const struct config_name config_facilities[] = {
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ NULL, 0 }
};

static const struct config_name config_protos[] = {
	{ "udp", CONF_PROTO_UDP }, { "tcp", CONF_PROTO_TCP },
	{ NULL, 0 }
};

/*
 * Every key, in the order config_dump prints them; keys of a section must
 * be contiguous.  Descriptions end without a full stop and contain no '|'
 * (they become markdown table cells).
 */
static const struct config_opt config_table[] = {
	{ "home_net", CT_CIDRS, F(home_net, struct netset), 1, 0, NULL,
	    "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fd00::/8",
	    "prefixes of the monitored network; traffic from them to "
	    "elsewhere is what is scored", 0 },
	{ "host_groups", CT_GROUPS, F(host_groups, struct config_groups),
	    0, 0, NULL, "",
	    "named lists of internal prefixes, referred to as \"@name\" by "
	    "allowlist host", 0 },
	O_STR("user", user, 0, CONF_NAMEMAX, "exfild",
	    "user to run as after start-up; \"\" keeps the start-up identity"),
	O_STR("group", group, 0, CONF_NAMEMAX, "exfild",
	    "group to run as after start-up; \"\" uses the user's primary group"),
	{ "utc_offset", CT_UTCOFF, F(utc_offset, int), -12 * 3600,
	    14 * 3600, NULL, "+00:00",
	    "local time offset (\"+HH:MM\") for time-of-day and weekday "
	    "baselines and allowlist schedules", 0 },

	O_STR("capture.interface", capture.interface, 1, 255, "eth0",
	    "interface to capture on"),
	{ "capture.bpf", CT_STRING, F(capture.bpf, char *), 0, 8191, NULL,
	    "", "BPF filter applied in the kernel; \"\" captures everything",
	    COPT_MULTILINE },
	O_INT("capture.snaplen", capture.snaplen, 64, 262144, "1600",
	    "bytes captured per packet"),
	O_SIZE("capture.buffer_size", capture.buffer_size, MB_, 4 * GiB_,
	    "64MB", "kernel capture buffer"),
	O_BOOL("capture.promiscuous", capture.promiscuous, "true",
	    "put the interface in promiscuous mode"),
	O_SIZE("capture.ring_size", capture.ring_size, MB_, GiB_, "8MB",
	    "ring between the capture and analysis threads"),

	O_INT("flows.max_flows", flows.max_flows, 1000, 100000000,
	    "1000000", "flows tracked at once; when full the oldest idle "
	    "flow is evicted"),
	O_DUR("flows.idle_timeout", flows.idle_timeout, XT_SEC, XT_DAY,
	    "60s", "a flow without packets for this long is closed"),
	O_DUR("flows.tcp_close_timeout", flows.tcp_close_timeout, XT_SEC,
	    XT_HOUR, "10s", "a TCP flow is closed this long after FIN or RST"),
	O_DUR("flows.update_interval", flows.update_interval, XT_SEC,
	    XT_HOUR, "10s", "long flows are reported to the detectors at "
	    "this interval"),
	O_PATH("flows.log", flows.log, "",
	    "write every ended flow with its enrichment as a JSON line to "
	    "this file; \"\" disables"),

	O_BOOL("dpi.enabled", dpi.enabled, "true",
	    "classify flows with nDPI"),
	O_INT("dpi.packet_limit", dpi.packet_limit, 1, 255, "16",
	    "packets per flow given to nDPI before it gives up"),
	O_PATH("dpi.protocols_file", dpi.protocols_file, "",
	    "nDPI custom protocols file; \"\" for none"),

	O_PATH("geoip.country_db", geoip.country_db, "",
	    "MaxMind country database (GeoLite2-Country.mmdb); \"\" disables"),
	O_PATH("geoip.city_db", geoip.city_db, "",
	    "MaxMind city database (GeoLite2-City.mmdb); \"\" disables"),
	O_PATH("geoip.asn_db", geoip.asn_db, "",
	    "MaxMind ASN database (GeoLite2-ASN.mmdb); \"\" disables"),
	O_INT("geoip.cache_size", geoip.cache_size, 0, 16777216, "65536",
	    "addresses whose lookups are cached; 0 disables the cache"),

	O_DUR("baseline.learning_period", baseline.learning_period, 0,
	    365 * XT_DAY, "7d", "volume alerts start once this much packet "
	    "time has passed since the first flow (baselines learn meanwhile)"),
	O_INT("baseline.max_hosts", baseline.max_hosts, 16, 16777216,
	    "65536", "internal hosts with a baseline"),
	O_INT("baseline.max_entries", baseline.max_entries, 1000,
	    1000000000, "2000000", "host-and-destination baseline entries"),
	O_INT("baseline.max_destinations", baseline.max_destinations, 1000,
	    1000000000, "1000000", "destinations in the population baseline"),
	O_DUR("baseline.entry_ttl", baseline.entry_ttl, XT_HOUR,
	    3650 * XT_DAY, "30d", "baseline entries unused this long are "
	    "forgotten"),
	O_INT("baseline.alert_threshold", baseline.alert_threshold, 0, 100,
	    "75", "score from which a flow raises an alert"),
	O_BOOL("baseline.score_server_replies",
	    baseline.score_server_replies, "false",
	    "also score replies of internal servers to outside clients"),
	{ "baseline.holidays", CT_DATES, F(baseline.holidays,
	    struct datelist), 0, 0, NULL, "", "local dates (\"YYYY-MM-DD\") "
	    "learned and judged as weekend days: public holidays, company "
	    "closures", 0 },

	O_PATH("state.path", state.path, "/var/lib/exfild/state.db",
	    "baseline state file; \"\" keeps baselines in memory only"),
	O_DUR("state.save_interval", state.save_interval, 10 * XT_SEC,
	    XT_DAY, "5m", "state is saved this often and at exit"),

	O_STR("rules_dir", rules_dir, 1, CONF_PATHMAX, "/etc/exfild/rules",
	    "directory of detection rule files"),

	{ "intel.ip_lists", CT_PATHS, F(intel.ip_lists, struct strlist), 0,
	    0, NULL, "", "files of known-bad addresses and prefixes, one per "
	    "line", 0 },
	{ "intel.domain_lists", CT_PATHS,
	    F(intel.domain_lists, struct strlist), 0, 0, NULL, "",
	    "files of known-bad domains, one per line", 0 },

	{ "allowlist", CT_ALLOW, F(allowlist, struct config_allow), 0, 0,
	    NULL, "", "entries that silence matching alerts (see below)", 0 },

	O_BOOL("alerts.syslog.enabled", alerts.syslog.enabled, "true",
	    "send alerts to syslog"),
	O_ENUM("alerts.syslog.facility", alerts.syslog.facility,
	    config_facilities, "local5", "syslog facility of alerts"),
	O_STR("alerts.syslog.ident", alerts.syslog.ident, 1, 63, "exfild",
	    "syslog identity (program name)"),
	O_PATH("alerts.syslog.socket", alerts.syslog.socket, "",
	    "local syslog socket; \"\" is /dev/log (set it for a chroot or a "
	    "second syslog daemon)"),
	O_STR("alerts.syslog.remote.host", alerts.syslog.remote.host, 0, 255,
	    "", "also send alerts to this syslog server; \"\" disables"),
	O_INT("alerts.syslog.remote.port", alerts.syslog.remote.port, 1,
	    65535, "514", "port of the remote syslog server"),
	O_ENUM("alerts.syslog.remote.protocol",
	    alerts.syslog.remote.protocol, config_protos, "udp",
	    "transport to the remote syslog server"),
	O_PATH("alerts.json_file", alerts.json_file,
	    "/var/log/exfild/alerts.json",
	    "alerts as JSON lines are appended here; \"\" disables"),
	O_DUR("alerts.suppress_window", alerts.suppress_window, 0,
	    7 * XT_DAY, "1h", "an alert repeated for the same host, rule and "
	    "destination within this window is counted, not sent; 0 sends all"),
	O_INT("alerts.max_per_minute", alerts.max_per_minute, 0, 1000000,
	    "100", "alerts sent per minute at most, the rest are counted; "
	    "0 for no limit"),
	O_BOOL("alerts.correlation.enabled", alerts.correlation.enabled,
	    "true", "raise an incident when one host trips several rules"),
	O_DUR("alerts.correlation.window", alerts.correlation.window, XT_MIN,
	    7 * XT_DAY, "60m", "alerts of one host within this window are "
	    "correlated"),
	O_INT("alerts.correlation.min_rules", alerts.correlation.min_rules,
	    1, 64, "2", "distinct rules needed for an incident"),
	O_INT("alerts.correlation.min_tactics",
	    alerts.correlation.min_tactics, 1, 14, "2",
	    "distinct ATT&CK tactics needed for an incident"),

	O_DUR("stats.interval", stats.interval, 0, XT_DAY, "60s",
	    "a statistics line is logged this often; 0 disables it"),
	O_PATH("stats.prometheus_file", stats.prometheus_file, "",
	    "counters in Prometheus text format are written here (for the "
	    "node_exporter textfile collector); \"\" disables"),
};

#define CONFIG_NOPTS	(sizeof(config_table) / sizeof(config_table[0]))

static const struct config_allow_key config_allow_table[] = {
	{ "rules", 0, "list of rule ids the entry applies to; absent means "
	    "every rule" },
	{ "destination", 1, "list of destination prefixes" },
	{ "country", 1, "list of destination countries, ISO 3166 two-letter "
	    "codes" },
	{ "asn", 1, "list of destination AS numbers (15169 or \"AS15169\")" },
	{ "domain", 1, "list of server-name suffixes, matched on a label "
	    "boundary: example.com matches example.com and a.example.com" },
	{ "port", 1, "list of server ports (0..65535)" },
	{ "host", 1, "list of internal host prefixes or \"@group\" names "
	    "from host_groups" },
	{ "schedule", 0, "weekly window in local time (utc_offset) when the "
	    "entry applies, e.g. \"Mon-Fri 01:00-06:00\"" },
	{ "comment", 0, "free text, shown when the entry is reported" },
};

#define CONFIG_NALLOW	\
	(sizeof(config_allow_table) / sizeof(config_allow_table[0]))

static const char *const config_days[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

struct conf_parse {
	struct ydoc		*doc;
	struct config		*cfg;
	const struct ynode	*allow;		/* read after host_groups */
};

const struct config_opt *
config_opts(size_t *n)
{
	*n = CONFIG_NOPTS;
	return config_table;
}

const struct config_allow_key *
config_allow_keys(size_t *n)
{
	*n = CONFIG_NALLOW;
	return config_allow_table;
}

const char *
config_facility_name(int fac)
{
	const struct config_name *c;

	for (c = config_facilities; c->name != NULL; c++)
		if (c->value == fac)
			return c->name;
	return "?";
}

static void *
config_field(const struct config *cfg, const struct config_opt *o)
{
	return (char *)cfg + o->off;
}

/* ---- small value helpers ------------------------------------------------ */

static void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
strlist_push(struct strlist *l, char *s)
{
	char **v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL) {
		free(s);
		return -1;
	}
	l->v = v;
	l->v[l->n++] = s;
	return 0;
}

static void
config_groups_free(struct config_groups *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->v[i].name);
		netset_free(&g->v[i].nets);
	}
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

static void
allow_entry_free(struct allow_entry *e)
{
	strlist_free(&e->rules);
	netset_free(&e->destination);
	strlist_free(&e->country);
	free(e->asn);
	strlist_free(&e->domain);
	free(e->port);
	netset_free(&e->host);
	strlist_free(&e->host_spec);
	free(e->comment);
}

static void
config_allow_free(struct config_allow *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		allow_entry_free(&a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static int
config_lookup_name(const struct config_name *names, const char *s, int *out)
{
	for (; names->name != NULL; names++)
		if (strcmp(names->name, s) == 0) {
			*out = names->value;
			return 0;
		}
	return -1;
}

static const char *
config_name_of(const struct config_name *names, int v)
{
	for (; names->name != NULL; names++)
		if (names->value == v)
			return names->name;
	return "?";
}

/* "+HH:MM", "-HH:MM", "+HH", "Z" or "0" into seconds east of UTC. */
static int
config_parse_utcoff(const char *s, int *out)
{
	int sign, h, m = 0;

	if (strcmp(s, "Z") == 0 || strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':') {
		if (!isdigit((unsigned char)s[1]) ||
		    !isdigit((unsigned char)s[2]) || s[3] != '\0')
			return -1;
		m = (s[1] - '0') * 10 + (s[2] - '0');
	} else if (*s != '\0')
		return -1;
	if (m > 59 || h * 60 + m > (sign > 0 ? 14 * 60 : 12 * 60))
		return -1;
	*out = sign * (h * 3600 + m * 60);
	return 0;
}

static const char *
config_format_utcoff(int off, char *buf, size_t len)
{
	int a = off < 0 ? -off : off;

	snprintf(buf, len, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600,
	    a / 60 % 60);
	return buf;
}

static int
config_day(const char *s, size_t len)
{
	static const char *const full[7] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	int i;

	for (i = 0; i < 7; i++)
		if ((len == 3 && strncasecmp(s, config_days[i], 3) == 0) ||
		    (len == strlen(full[i]) && strncasecmp(s, full[i], len) == 0))
			return i;
	return -1;
}

static int
config_parse_days(const char *s, uint8_t *mask, const char **why)
{
	const char *item, *dash, *end;
	int a, b;

	*mask = 0;
	if (strcasecmp(s, "daily") == 0) {
		*mask = SCHED_ALL_DAYS;
		return 0;
	}
	if (strcasecmp(s, "weekdays") == 0) {
		*mask = 0x3e;
		return 0;
	}
	if (strcasecmp(s, "weekends") == 0) {
		*mask = 0x41;
		return 0;
	}
	for (item = s; *item != '\0'; item = *end ? end + 1 : end) {
		end = item + strcspn(item, ",");
		dash = memchr(item, '-', (size_t)(end - item));
		a = config_day(item, (size_t)((dash ? dash : end) - item));
		b = dash ? config_day(dash + 1, (size_t)(end - dash - 1)) : a;
		if (a == -1 || b == -1) {
			*why = "unknown day (use Mon..Sun, daily, weekdays or "
			    "weekends)";
			return -1;
		}
		for (;; a = (a + 1) % 7) {	/* "Fri-Mon" wraps the week */
			*mask |= 1 << a;
			if (a == b)
				break;
		}
		if (*end == '\0')
			break;
	}
	return 0;
}

/* "H:MM" or "HH:MM", 00:00..24:00. */
static int
config_parse_hhmm(const char *s, size_t len, int *out)
{
	int h, m;

	if (len == 4 && isdigit((unsigned char)s[0]) && s[1] == ':')
		h = s[0] - '0';
	else if (len == 5 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && s[2] == ':')
		h = (s[0] - '0') * 10 + (s[1] - '0');
	else
		return -1;
	s += len - 2;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*out = h * 60 + m;
	return 0;
}

static int
config_parse_schedule(const char *s, struct allow_sched *out,
    const char **why)
{
	char days[64];
	const char *times, *dash;
	int start, end;

	if ((times = strrchr(s, ' ')) != NULL) {
		if ((size_t)(times - s) >= sizeof(days)) {
			*why = "day list too long";
			return -1;
		}
		memcpy(days, s, (size_t)(times - s));
		days[times - s] = '\0';
		times++;
		if (config_parse_days(days, &out->days, why) == -1)
			return -1;
	} else {
		times = s;
		out->days = SCHED_ALL_DAYS;
	}
	if ((dash = strchr(times, '-')) == NULL ||
	    config_parse_hhmm(times, (size_t)(dash - times), &start) == -1 ||
	    config_parse_hhmm(dash + 1, strlen(dash + 1), &end) == -1) {
		*why = "expected a time range HH:MM-HH:MM";
		return -1;
	}
	if (start == 24 * 60) {
		*why = "a window cannot start at 24:00";
		return -1;
	}
	if (start == end) {
		*why = "start and end are the same";
		return -1;
	}
	out->start = (uint16_t)start;
	out->end = (uint16_t)end;
	return 0;
}

static const char *
config_format_schedule(const struct allow_sched *s, char *buf, size_t len)
{
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };	/* Mon first */
	size_t o = 0;
	int i, j;

	buf[0] = '\0';
	if (s->days == SCHED_ALL_DAYS)
		o = (size_t)snprintf(buf, len, "daily");
	else
		for (i = 0; i < 7 && o < len; i = j) {
			if (!(s->days >> order[i] & 1)) {
				j = i + 1;
				continue;
			}
			for (j = i; j < 7 && s->days >> order[j] & 1; j++)
				;
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o ? "," : "", config_days[order[i]]);
			if (j - i == 2 && o < len)
				o += (size_t)snprintf(buf + o, len - o, ",%s",
				    config_days[order[i + 1]]);
			else if (j - i > 2 && o < len)
				o += (size_t)snprintf(buf + o, len - o, "-%s",
				    config_days[order[j - 1]]);
		}
	if (o < len)
		snprintf(buf + o, len - o, " %02d:%02d-%02d:%02d",
		    s->start / 60, s->start % 60, s->end / 60, s->end % 60);
	return buf;
}

int
config_schedule_active(const struct allow_sched *s, int wday, int minute)
{
	int prev = (wday + 6) % 7;

	if (wday < 0 || wday > 6)
		return 0;
	if (s->start < s->end)
		return (s->days >> wday & 1) && minute >= s->start &&
		    minute < s->end;
	return ((s->days >> wday & 1) && minute >= s->start) ||
	    ((s->days >> prev & 1) && minute < s->end);
}

static int
config_name_ok(const char *s, const char *extra)
{
	if (*s == '\0' || strlen(s) > CONF_NAMEMAX)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* Levenshtein distance, for "did you mean"; short strings only. */
static int
config_distance(const char *a, const char *b)
{
	int row[CONF_KEYMAX + 1], i, j, diag, tmp;
	size_t la = strlen(a), lb = strlen(b);

	if (la > CONF_KEYMAX || lb > CONF_KEYMAX)
		return 1000;
	for (j = 0; j <= (int)lb; j++)
		row[j] = j;
	for (i = 1; i <= (int)la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= (int)lb; j++) {
			tmp = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			diag = tmp;
		}
	}
	return row[lb];
}

static const char *
config_leaf(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? dot + 1 : key;
}

/*
 * A close key or section name, or else a key with the same last component
 * in another section ("snaplen" at the top -> "capture.snaplen").
 */
static const char *
config_suggest(const char *path, char *buf, size_t len)
{
	const char *k, *dot;
	int d, bestd = 3;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < CONFIG_NOPTS; i++)
		for (k = config_table[i].key;; k = dot + 1) {
			dot = strchr(k, '.');
			snprintf(buf + len / 2, len / 2, "%.*s", dot ?
			    (int)(dot - config_table[i].key) :
			    (int)strlen(config_table[i].key),
			    config_table[i].key);
			if ((d = config_distance(path, buf + len / 2)) < bestd) {
				bestd = d;
				snprintf(buf, len / 2, "%s", buf + len / 2);
			}
			if (dot == NULL)
				break;
		}
	for (i = 0; buf[0] == '\0' && i < CONFIG_NOPTS; i++)
		if (strcmp(config_leaf(path), config_leaf(config_table[i].key))
		    == 0)
			snprintf(buf, len / 2, "%s", config_table[i].key);
	return buf[0] != '\0' ? buf : NULL;
}

/* ---- defaults ----------------------------------------------------------- */

static int
config_set_default(struct config *cfg, const struct config_opt *o)
{
	void *f = config_field(cfg, o);
	const char *why, *p;
	char item[NETSET_STRLEN + 16];
	int64_t i64;
	size_t n;

	switch (o->type) {
	case CT_BOOL:
		return yd_parse_bool(o->def, f);
	case CT_INT:
		if (yd_parse_int(o->def, &i64) == -1)
			return -1;
		*(int *)f = (int)i64;
		return 0;
	case CT_SIZE:
		return yd_parse_size(o->def, f, &why);
	case CT_DURATION:
		return yd_parse_duration(o->def, f, &why);
	case CT_STRING:
		free(*(char **)f);
		return (*(char **)f = strdup(o->def)) == NULL ? -1 : 0;
	case CT_ENUM:
		return config_lookup_name(o->names, o->def, f);
	case CT_UTCOFF:
		return config_parse_utcoff(o->def, f);
	case CT_CIDRS:
		for (p = o->def; *p != '\0'; p += n) {
			p += strspn(p, " ");
			if ((n = strcspn(p, " ")) == 0)
				break;
			if (n >= sizeof(item))
				return -1;
			memcpy(item, p, n);
			item[n] = '\0';
			if (netset_add_str(f, item, NULL, 0) == -1)
				return -1;
		}
		return netset_prepare(f);
	case CT_PATHS:
	case CT_DATES:
	case CT_GROUPS:
	case CT_ALLOW:
		return 0;	/* empty by default */
	}
	return -1;
}

struct config *
config_default(void)
{
	struct config *cfg;
	size_t i;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	for (i = 0; i < CONFIG_NOPTS; i++)
		if (config_set_default(cfg, &config_table[i]) == -1) {
			config_free(cfg);
			return NULL;
		}
	return cfg;
}

void
config_free(struct config *cfg)
{
	const struct config_opt *o;
	void *f;
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < CONFIG_NOPTS; i++) {
		o = &config_table[i];
		f = config_field(cfg, o);
		switch (o->type) {
		case CT_STRING:
			free(*(char **)f);
			break;
		case CT_CIDRS:
			netset_free(f);
			break;
		case CT_PATHS:
			strlist_free(f);
			break;
		case CT_DATES:
			free(((struct datelist *)f)->v);
			break;
		case CT_GROUPS:
			config_groups_free(f);
			break;
		case CT_ALLOW:
			config_allow_free(f);
			break;
		default:
			break;
		}
	}
	free(cfg->file);
	free(cfg);
}

/* ---- readers for one key ------------------------------------------------ */

/*
 * Control characters would forge log lines; only COPT_MULTILINE strings
 * may span lines.
 */
static int
config_text_ok(struct ydoc *d, const struct ynode *v, const char *what,
    const char *s, int multiline)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			continue;
		if (multiline && (*s == '\n' || *s == '\t'))
			continue;
		ydoc_err(d, v, "%s: control characters are not allowed", what);
		return -1;
	}
	return 0;
}

static struct host_group *
config_group(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->host_groups.n; i++)
		if (strcmp(cfg->host_groups.v[i].name, name) == 0)
			return &cfg->host_groups.v[i];
	return NULL;
}

/*
 * A list of prefixes (and, when groups are allowed, "@name") into a set.
 * Returns the number of items, or -1 if anything was wrong.
 */
static ssize_t
config_prefixes(struct conf_parse *p, const struct ynode *v,
    const char *what, struct netset *set, struct strlist *spec)
{
	const struct host_group *g;
	const struct ynode *it;
	char show[YD_SHOWLEN], *s;
	ssize_t n, i;
	addr_t a;
	int plen, bad = 0;

	if ((n = yd_seq(p->doc, v, what)) <= 0)
		return n;
	for (i = 0; i < n; i++) {
		it = v->items[i];
		if (spec != NULL && it->kind == YN_SCALAR &&
		    it->str[0] == '@') {
			if ((g = config_group(p->cfg, it->str + 1)) == NULL) {
				ydoc_err(p->doc, it, "%s: unknown host group "
				    "'%s' (define it under host_groups)", what,
				    ynode_show(it, show, sizeof(show)));
				bad = 1;
			} else if (netset_merge(set, &g->nets) == -1)
				bad = 1;
		} else if (yd_cidr(p->doc, it, what, &a, &plen) == -1) {
			bad = 1;
			continue;
		} else if (netset_add(set, &a, plen) == -1)
			bad = 1;
		if (spec != NULL && !bad) {
			if ((s = strdup(it->str)) == NULL ||
			    strlist_push(spec, s) == -1)
				bad = 1;
		}
	}
	netset_prepare(set);
	return bad ? -1 : n;
}

static void
config_read_cidrs(struct conf_parse *p, const struct config_opt *o,
    const struct ynode *v)
{
	struct netset *dst = config_field(p->cfg, o), ns;
	ssize_t n;

	netset_init(&ns);
	if ((n = config_prefixes(p, v, o->key, &ns, NULL)) == -1) {
		netset_free(&ns);
		return;
	}
	if (n < o->min) {
		ydoc_err(p->doc, v, "%s: must list at least one prefix",
		    o->key);
		netset_free(&ns);
		return;
	}
	netset_free(dst);
	*dst = ns;
}

static void
config_read_paths(struct conf_parse *p, const struct config_opt *o,
    const struct ynode *v)
{
	struct strlist *dst = config_field(p->cfg, o), l = { NULL, 0 };
	ssize_t n, i;
	char *s;
	int bad = 0;

	if ((n = yd_seq(p->doc, v, o->key)) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (yd_string(p->doc, v->items[i], o->key, CONF_PATHMAX, &s)
		    == -1) {
			bad = 1;
			continue;
		}
		if (*s == '\0') {
			ydoc_err(p->doc, v->items[i], "%s: empty path", o->key);
			free(s);
			bad = 1;
		} else if (config_text_ok(p->doc, v->items[i], o->key, s, 0)
		    == -1) {
			free(s);
			bad = 1;
		} else if (strlist_push(&l, s) == -1)
			bad = 1;
	}
	if (bad) {
		strlist_free(&l);
		return;
	}
	strlist_free(dst);
	*dst = l;
}

/* "YYYY-MM-DD" into days since 1970-01-01; -1 if it is not a date. */
static int64_t
config_parse_date(const char *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int y, m, d, i, leap;
	int64_t days;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]))
			return -1;
	if (s[10] != '\0')
		return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	/* Whole years, then months of this one. */
	days = (int64_t)(y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 +
	    (y - 1601) / 400;
	for (i = 0; i < m - 1; i++)
		days += mdays[i] + (i == 1 && leap);
	return days + d - 1;
}

static int
config_date_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
config_read_dates(struct conf_parse *p, const struct config_opt *o,
    const struct ynode *v)
{
	struct datelist *dst = config_field(p->cfg, o), l = { NULL, 0 };
	ssize_t n, i;
	size_t j, k;
	int64_t day;
	int bad = 0;

	if ((n = yd_seq(p->doc, v, o->key)) <= 0)
		goto out;
	if ((l.v = calloc((size_t)n, sizeof(*l.v))) == NULL) {
		ydoc_err(p->doc, v, "%s: out of memory", o->key);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct ynode *it = v->items[i];

		if (it->kind != YN_SCALAR || ynode_is_null(it) ||
		    (day = config_parse_date(it->str)) < 0) {
			ydoc_err(p->doc, it, "%s: expected a date as "
			    "YYYY-MM-DD, got %s", o->key, it->kind ==
			    YN_SCALAR && !ynode_is_null(it) ? it->str :
			    ynode_kind_name(it));
			bad = 1;
			continue;
		}
		l.v[l.n++] = (uint32_t)day;
	}
	if (bad) {
		free(l.v);
		return;
	}
	qsort(l.v, l.n, sizeof(*l.v), config_date_cmp);
	for (j = k = 0; j < l.n; j++)
		if (k == 0 || l.v[j] != l.v[k - 1])
			l.v[k++] = l.v[j];
	l.n = k;
out:
	if (n == -1)
		return;
	free(dst->v);
	*dst = l;
}

static void
config_read_groups(struct conf_parse *p, const struct config_opt *o,
    const struct ynode *v)
{
	struct config_groups *g = config_field(p->cfg, o);
	const struct ynode *k, *val;
	struct host_group *hg;
	char what[CONF_KEYMAX], show[YD_SHOWLEN];
	size_t i;
	ssize_t n;

	if (ynode_is_null(v))
		return;
	if (v->kind != YN_MAP) {
		ydoc_err(p->doc, v, "%s: expected a mapping of group names to "
		    "prefix lists, got %s", o->key, ynode_kind_name(v));
		return;
	}
	for (i = 0; ymap_next(v, &i, &k, &val);) {
		if (!config_name_ok(k->str, "_.-")) {
			ydoc_err(p->doc, k, "%s: bad group name '%s' (letters, "
			    "digits, '_', '.', '-')", o->key,
			    ynode_show(k, show, sizeof(show)));
			continue;
		}
		hg = reallocarray(g->v, g->n + 1, sizeof(*g->v));
		if (hg == NULL) {
			ydoc_err(p->doc, k, "out of memory");
			return;
		}
		g->v = hg;
		hg = &g->v[g->n];
		memset(hg, 0, sizeof(*hg));
		netset_init(&hg->nets);
		if ((hg->name = strdup(k->str)) == NULL) {
			ydoc_err(p->doc, k, "out of memory");
			return;
		}
		hg->line = k->line;
		hg->col = k->col;
		g->n++;
		/* Kept even when bad, so "@name" does not also fail later. */
		snprintf(what, sizeof(what), "%s.%s", o->key, k->str);
		n = config_prefixes(p, val, what, &hg->nets, NULL);
		if (n == 0)
			ydoc_err(p->doc, val, "%s: a group needs at least one "
			    "prefix", what);
	}
}

static void
config_read(struct conf_parse *p, const struct config_opt *o,
    const struct ynode *v)
{
	void *f = config_field(p->cfg, o);
	char show[YD_SHOWLEN], *s;
	const struct config_name *c;
	int64_t i64;
	int iv;

	switch (o->type) {
	case CT_BOOL:
		if (yd_bool(p->doc, v, o->key, &iv) == 0)
			*(int *)f = iv;
		break;
	case CT_INT:
		if (yd_int(p->doc, v, o->key, o->min, o->max, &i64) == 0)
			*(int *)f = (int)i64;
		break;
	case CT_SIZE:
		yd_size(p->doc, v, o->key, (uint64_t)o->min, (uint64_t)o->max,
		    f);
		break;
	case CT_DURATION:
		yd_duration(p->doc, v, o->key, o->min, o->max, f);
		break;
	case CT_STRING:
		if (yd_string(p->doc, v, o->key, (size_t)o->max, &s) == -1)
			break;
		if ((int64_t)strlen(s) < o->min)
			ydoc_err(p->doc, v, "%s: must not be empty", o->key);
		else if (config_text_ok(p->doc, v, o->key, s,
		    o->flags & COPT_MULTILINE) == 0) {
			free(*(char **)f);
			*(char **)f = s;
			break;
		}
		free(s);
		break;
	case CT_ENUM:
		if (v->kind == YN_SCALAR &&
		    config_lookup_name(o->names, v->str, f) == 0)
			break;
		{
			char list[256];
			size_t len = 0;

			list[0] = '\0';
			for (c = o->names; c->name != NULL; c++)
				len += (size_t)snprintf(list + len,
				    len < sizeof(list) ? sizeof(list) - len : 0,
				    "%s%s", len ? ", " : "", c->name);
			ydoc_err(p->doc, v, "%s: expected one of %s, got %s%s%s",
			    o->key, list, v->kind == YN_SCALAR ? "'" : "",
			    ynode_show(v, show, sizeof(show)),
			    v->kind == YN_SCALAR ? "'" : "");
		}
		break;
	case CT_UTCOFF:
		if (v->kind == YN_SCALAR &&
		    config_parse_utcoff(v->str, &iv) == 0) {
			*(int *)f = iv;
			break;
		}
		ydoc_err(p->doc, v, "%s: expected an offset like \"+02:00\" or "
		    "\"-05:30\" (-12:00..+14:00), got '%s'", o->key,
		    ynode_show(v, show, sizeof(show)));
		break;
	case CT_CIDRS:
		config_read_cidrs(p, o, v);
		break;
	case CT_PATHS:
		config_read_paths(p, o, v);
		break;
	case CT_DATES:
		config_read_dates(p, o, v);
		break;
	case CT_GROUPS:
		config_read_groups(p, o, v);
		break;
	case CT_ALLOW:
		p->allow = v;
		break;
	}
}

/* ---- allowlist ---------------------------------------------------------- */

/* A non-empty list, since an empty one would never match. */
static ssize_t
config_allow_list(struct conf_parse *p, const struct ynode *v,
    const char *what)
{
	ssize_t n;

	if ((n = yd_seq(p->doc, v, what)) == 0) {
		ydoc_err(p->doc, v, "%s: empty list (leave the key out "
		    "instead)", what);
		return -1;
	}
	return n;
}

static int
config_allow_strings(struct conf_parse *p, const struct ynode *v,
    const char *what, struct strlist *out,
    int (*norm)(char *, const char **))
{
	char show[YD_SHOWLEN], *s;
	const char *why;
	ssize_t n, i;
	int bad = 0;

	if ((n = config_allow_list(p, v, what)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (yd_string(p->doc, v->items[i], what, 255, &s) == -1) {
			bad = 1;
			continue;
		}
		if (norm(s, &why) == -1) {
			ydoc_err(p->doc, v->items[i], "%s: '%s': %s", what,
			    ynode_show(v->items[i], show, sizeof(show)), why);
			free(s);
			bad = 1;
		} else if (strlist_push(out, s) == -1)
			bad = 1;
	}
	return bad ? -1 : 0;
}

static int
config_norm_rule(char *s, const char **why)
{
	if (!config_name_ok(s, "_.:-")) {
		*why = "not a rule id (letters, digits, '_', '.', ':', '-')";
		return -1;
	}
	return 0;
}

static int
config_norm_country(char *s, const char **why)
{
	if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1])) {
		*why = "not a two-letter country code";
		return -1;
	}
	s[0] = (char)toupper((unsigned char)s[0]);
	s[1] = (char)toupper((unsigned char)s[1]);
	return 0;
}

/*
 * Lower case, without "*." or "." in front or "." behind, so the matcher
 * only has to compare a suffix and check the byte before it is a dot.
 */
static int
config_norm_domain(char *s, const char **why)
{
	size_t len, lab = 0;
	char *p;

	if (strncmp(s, "*.", 2) == 0)
		memmove(s, s + 2, strlen(s + 2) + 1);
	else if (s[0] == '.')
		memmove(s, s + 1, strlen(s + 1) + 1);
	len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		s[--len] = '\0';
	if (len == 0 || len > 253) {
		*why = "not a domain name";
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == '.') {
			if (lab == 0)
				break;
			lab = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-' ||
		    *p == '_') {
			if (++lab > 63)
				break;
		} else {
			*why = (unsigned char)*p >= 0x80 ?
			    "not a domain name (write IDNs as xn--)" :
			    "not a domain name";
			return -1;
		}
	}
	if (*p != '\0' || lab == 0) {
		*why = "empty or over-long label";
		return -1;
	}
	return 0;
}

static int
config_allow_asns(struct conf_parse *p, const struct ynode *v,
    struct allow_entry *e)
{
	char show[YD_SHOWLEN];
	const char *s;
	ssize_t n, i;
	int64_t x;
	int bad = 0;

	if ((n = config_allow_list(p, v, "allowlist.asn")) == -1)
		return -1;
	/* A duplicate key (refused elsewhere) must not leak the first. */
	free(e->asn);
	e->nasn = 0;
	if ((e->asn = calloc((size_t)n, sizeof(*e->asn))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		s = v->items[i]->kind == YN_SCALAR ? v->items[i]->str : "";
		if (strncasecmp(s, "AS", 2) == 0)
			s += 2;
		if (v->items[i]->kind != YN_SCALAR ||
		    yd_parse_int(s, &x) == -1 || x < 0 || x > UINT32_MAX) {
			ydoc_err(p->doc, v->items[i], "allowlist.asn: expected "
			    "an AS number (0..4294967295), got %s",
			    ynode_show(v->items[i], show, sizeof(show)));
			bad = 1;
			continue;
		}
		e->asn[e->nasn++] = (uint32_t)x;
	}
	return bad ? -1 : 0;
}

static int
config_allow_ports(struct conf_parse *p, const struct ynode *v,
    struct allow_entry *e)
{
	ssize_t n, i;
	int64_t x;
	int bad = 0;

	if ((n = config_allow_list(p, v, "allowlist.port")) == -1)
		return -1;
	free(e->port);
	e->nport = 0;
	if ((e->port = calloc((size_t)n, sizeof(*e->port))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (yd_int(p->doc, v->items[i], "allowlist.port", 0, 65535, &x)
		    == -1) {
			bad = 1;
			continue;
		}
		e->port[e->nport++] = (uint16_t)x;
	}
	return bad ? -1 : 0;
}

static int
config_allow_schedule(struct conf_parse *p, const struct ynode *v,
    struct allow_entry *e)
{
	char show[YD_SHOWLEN];
	const char *why = "expected a string";

	if (v->kind == YN_SCALAR && !ynode_is_null(v) &&
	    config_parse_schedule(v->str, &e->schedule, &why) == 0) {
		e->has_schedule = 1;
		return 0;
	}
	ydoc_err(p->doc, v, "allowlist.schedule: bad schedule '%s': %s (e.g. "
	    "\"Mon-Fri 01:00-06:00\")", ynode_show(v, show, sizeof(show)),
	    why);
	return -1;
}

static const struct config_allow_key *
config_allow_key(const char *s)
{
	size_t i;

	for (i = 0; i < CONFIG_NALLOW; i++)
		if (strcmp(config_allow_table[i].key, s) == 0)
			return &config_allow_table[i];
	return NULL;
}

static void
config_allow_unknown(struct conf_parse *p, const struct ynode *k)
{
	char show[YD_SHOWLEN];
	const char *best = NULL;
	int d, bestd = 3;
	size_t i;

	for (i = 0; i < CONFIG_NALLOW; i++)
		if ((d = config_distance(k->str,
		    config_allow_table[i].key)) < bestd) {
			bestd = d;
			best = config_allow_table[i].key;
		}
	ydoc_err(p->doc, k, "allowlist: unknown key '%s'%s%s%s",
	    ynode_show(k, show, sizeof(show)), best ? " (did you mean '" : "",
	    best ? best : "", best ? "'?)" : "");
}

static int
config_allow_entry(struct conf_parse *p, const struct ynode *m,
    struct allow_entry *e)
{
	const struct config_allow_key *ak;
	const struct ynode *k, *v;
	char *s;
	size_t i;
	int bad = 0, matches = 0;

	e->line = m->line;
	e->col = m->col;
	netset_init(&e->destination);
	netset_init(&e->host);
	if (m->kind != YN_MAP) {
		ydoc_err(p->doc, m, "allowlist: an entry must be a mapping, "
		    "got %s", ynode_kind_name(m));
		return -1;
	}
	for (i = 0; ymap_next(m, &i, &k, &v);) {
		if ((ak = config_allow_key(k->str)) == NULL) {
			config_allow_unknown(p, k);
			bad = 1;
			continue;
		}
		matches += ak->match;
		if (strcmp(ak->key, "rules") == 0)
			bad |= config_allow_strings(p, v, "allowlist.rules",
			    &e->rules, config_norm_rule) == -1;
		else if (strcmp(ak->key, "destination") == 0)
			bad |= config_allow_list(p, v,
			    "allowlist.destination") == -1 ||
			    config_prefixes(p, v, "allowlist.destination",
			    &e->destination, NULL) == -1;
		else if (strcmp(ak->key, "country") == 0)
			bad |= config_allow_strings(p, v, "allowlist.country",
			    &e->country, config_norm_country) == -1;
		else if (strcmp(ak->key, "asn") == 0)
			bad |= config_allow_asns(p, v, e) == -1;
		else if (strcmp(ak->key, "domain") == 0)
			bad |= config_allow_strings(p, v, "allowlist.domain",
			    &e->domain, config_norm_domain) == -1;
		else if (strcmp(ak->key, "port") == 0)
			bad |= config_allow_ports(p, v, e) == -1;
		else if (strcmp(ak->key, "host") == 0)
			bad |= config_allow_list(p, v, "allowlist.host") == -1 ||
			    config_prefixes(p, v, "allowlist.host", &e->host,
			    &e->host_spec) == -1;
		else if (strcmp(ak->key, "schedule") == 0)
			bad |= config_allow_schedule(p, v, e) == -1;
		else if (strcmp(ak->key, "comment") == 0) {
			if (yd_string(p->doc, v, "allowlist.comment",
			    CONF_COMMENTMAX, &s) == -1)
				bad = 1;
			else if (config_text_ok(p->doc, v, "allowlist.comment",
			    s, 0) == -1) {
				free(s);
				bad = 1;
			} else {
				free(e->comment);
				e->comment = s;
			}
		}
	}
	if (!bad && matches == 0) {
		ydoc_err(p->doc, m, "allowlist: an entry needs at least one of "
		    "destination, country, asn, domain, port or host; without "
		    "one it would silence every alert");
		bad = 1;
	}
	return bad ? -1 : 0;
}

static void
config_read_allowlist(struct conf_parse *p, const struct ynode *v)
{
	struct config_allow *a = &p->cfg->allowlist;
	ssize_t n, i;

	if ((n = yd_seq(p->doc, v, "allowlist")) <= 0)
		return;
	if ((a->v = calloc((size_t)n, sizeof(*a->v))) == NULL) {
		ydoc_err(p->doc, v, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		/* Counted even when bad: config_allow_free frees it. */
		a->n++;
		config_allow_entry(p, v->items[i], &a->v[i]);
	}
}

/* ---- the walk ----------------------------------------------------------- */

static const struct config_opt *
config_find(const char *path)
{
	size_t i;

	for (i = 0; i < CONFIG_NOPTS; i++)
		if (strcmp(config_table[i].key, path) == 0)
			return &config_table[i];
	return NULL;
}

static int
config_is_section(const char *path)
{
	size_t i, len = strlen(path);

	for (i = 0; i < CONFIG_NOPTS; i++)
		if (strncmp(config_table[i].key, path, len) == 0 &&
		    config_table[i].key[len] == '.')
			return 1;
	return 0;
}

static int
config_key_ok(const struct ynode *k)
{
	const char *s;

	if (k->len == 0 || k->len > 64 || strlen(k->str) != k->len)
		return 0;
	for (s = k->str; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_')
			return 0;
	return 1;
}

static void
config_walk(struct conf_parse *p, const struct ynode *map,
    const char *prefix)
{
	const struct config_opt *o;
	const struct ynode *k, *v;
	const char *best;
	char path[CONF_KEYMAX + 8], show[YD_SHOWLEN], sug[2 * CONF_KEYMAX];
	size_t i;

	for (i = 0; ymap_next(map, &i, &k, &v);) {
		if (config_key_ok(k))
			snprintf(path, sizeof(path), "%s%s%s", prefix,
			    *prefix ? "." : "", k->str);
		else
			snprintf(path, sizeof(path), "%s%s%s", prefix,
			    *prefix ? "." : "", ynode_show(k, show,
			    sizeof(show)));
		if (config_key_ok(k) && (o = config_find(path)) != NULL)
			config_read(p, o, v);
		else if (config_key_ok(k) && config_is_section(path)) {
			if (v->kind == YN_MAP)
				config_walk(p, v, path);
			else if (!ynode_is_null(v))
				ydoc_err(p->doc, v, "%s: expected a mapping, "
				    "got %s", path, ynode_kind_name(v));
		} else {
			best = config_suggest(path, sug, sizeof(sug));
			ydoc_err(p->doc, k, "unknown key '%s'%s%s%s", path,
			    best ? " (did you mean '" : "", best ? best : "",
			    best ? "'?)" : "");
		}
	}
}

static struct config *
config_finish(struct ydoc *doc, struct yerrs *errs, const char *path,
    char *err, size_t errlen)
{
	struct conf_parse p;
	struct config *cfg = NULL;

	if (doc != NULL && (cfg = config_default()) == NULL)
		yerr_addpos(errs, path, 0, 0, "out of memory");
	if (cfg != NULL) {
		memset(&p, 0, sizeof(p));
		p.doc = doc;
		p.cfg = cfg;
		if (doc->root != NULL && !ynode_is_null(doc->root)) {
			if (doc->root->kind != YN_MAP)
				ydoc_err(doc, doc->root, "the top level must be "
				    "a mapping of keys, got %s",
				    ynode_kind_name(doc->root));
			else
				config_walk(&p, doc->root, "");
		}
		if (p.allow != NULL)
			config_read_allowlist(&p, p.allow);
		if (errs->count == 0 &&
		    (cfg->file = strdup(path ? path : "<string>")) == NULL)
			yerr_addpos(errs, path, 0, 0, "out of memory");
	}
	ydoc_free(doc);
	if (errs->count > 0) {
		yerr_sort(errs, path ? path : "<string>");
		config_free(cfg);
		cfg = NULL;
		if (errlen > 0)
			snprintf(err, errlen, "%s", errs->buf ? errs->buf :
			    "out of memory");
	} else if (errlen > 0)
		err[0] = '\0';
	yerr_free(errs);
	return cfg;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct yerrs errs;

	memset(&errs, 0, sizeof(errs));
	return config_finish(ydoc_load_file(path, &errs), &errs, path, err,
	    errlen);
}

struct config *
config_load_string(const char *name, const char *buf, size_t len,
    char *err, size_t errlen)
{
	struct yerrs errs;

	memset(&errs, 0, sizeof(errs));
	return config_finish(ydoc_load_string(name, buf, len, &errs), &errs,
	    name, err, errlen);
}

/* ---- dump --------------------------------------------------------------- */

/* Always double-quoted: '@', ':' and '#' would otherwise need thought. */
static void
config_qstr(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\t')
			fputs("\\t", fp);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(fp, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
config_dump_strlist(FILE *fp, const struct strlist *l)
{
	size_t i;

	fputc('[', fp);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			fputs(", ", fp);
		config_qstr(fp, l->v[i]);
	}
	fputc(']', fp);
}

static void
config_dump_dates(FILE *fp, const struct datelist *l)
{
	int64_t z, era, doe, yoe, y, doy, mp, d, m;
	size_t i;

	fputc('[', fp);
	for (i = 0; i < l->n; i++) {
		/* Days to a civil date (Howard Hinnant's algorithm). */
		z = (int64_t)l->v[i] + 719468;
		era = z / 146097;
		doe = z - era * 146097;
		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		y = yoe + era * 400;
		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		mp = (5 * doy + 2) / 153;
		d = doy - (153 * mp + 2) / 5 + 1;
		m = mp < 10 ? mp + 3 : mp - 9;
		fprintf(fp, "%s%04" PRId64 "-%02" PRId64 "-%02" PRId64,
		    i > 0 ? ", " : "", y + (m <= 2), m, d);
	}
	fputc(']', fp);
}

struct config_dump_arg {
	FILE		*fp;
	int		 first;
};

static int
config_dump_prefix(const addr_t *a, int plen, void *arg)
{
	struct config_dump_arg *d = arg;
	char buf[NETSET_STRLEN];

	fprintf(d->fp, "%s\"%s\"", d->first ? "" : ", ",
	    netset_format(a, plen, buf, sizeof(buf)));
	d->first = 0;
	return 0;
}

static void
config_dump_netset(FILE *fp, const struct netset *s)
{
	struct config_dump_arg d = { fp, 1 };

	fputc('[', fp);
	netset_foreach(s, config_dump_prefix, &d);
	fputc(']', fp);
}

static void
config_dump_entry(FILE *fp, const struct allow_entry *e)
{
	const char *lead = "  - ", *next = "    ";
	char buf[64];
	size_t i;

#define KEY(k)	(fprintf(fp, "%s%s: ", lead, k), lead = next)
	if (e->rules.n > 0) {
		KEY("rules");
		config_dump_strlist(fp, &e->rules);
		fputc('\n', fp);
	}
	if (netset_count(&e->destination) > 0) {
		KEY("destination");
		config_dump_netset(fp, &e->destination);
		fputc('\n', fp);
	}
	if (e->country.n > 0) {
		KEY("country");
		config_dump_strlist(fp, &e->country);
		fputc('\n', fp);
	}
	if (e->nasn > 0) {
		KEY("asn");
		for (i = 0; i < e->nasn; i++)
			fprintf(fp, "%s%" PRIu32, i ? ", " : "[", e->asn[i]);
		fputs("]\n", fp);
	}
	if (e->domain.n > 0) {
		KEY("domain");
		config_dump_strlist(fp, &e->domain);
		fputc('\n', fp);
	}
	if (e->nport > 0) {
		KEY("port");
		for (i = 0; i < e->nport; i++)
			fprintf(fp, "%s%u", i ? ", " : "[", e->port[i]);
		fputs("]\n", fp);
	}
	if (e->host_spec.n > 0) {
		KEY("host");
		config_dump_strlist(fp, &e->host_spec);
		fputc('\n', fp);
	}
	if (e->has_schedule) {
		KEY("schedule");
		config_qstr(fp, config_format_schedule(&e->schedule, buf,
		    sizeof(buf)));
		fputc('\n', fp);
	}
	if (e->comment != NULL) {
		KEY("comment");
		config_qstr(fp, e->comment);
		fputc('\n', fp);
	}
#undef KEY
}

static void
config_dump_value(FILE *fp, const struct config *cfg,
    const struct config_opt *o)
{
	const void *f = config_field(cfg, o);
	const struct config_groups *g;
	const struct config_allow *a;
	char buf[64];
	size_t i;

	/* Block values start on the next line: no space after the colon. */
	if (!((o->type == CT_GROUPS && ((const struct config_groups *)f)->n) ||
	    (o->type == CT_ALLOW && ((const struct config_allow *)f)->n)))
		fputc(' ', fp);
	switch (o->type) {
	case CT_BOOL:
		fprintf(fp, "%s\n", *(const int *)f ? "true" : "false");
		break;
	case CT_INT:
		fprintf(fp, "%d\n", *(const int *)f);
		break;
	case CT_SIZE:
		fprintf(fp, "%s\n", yd_format_size(*(const uint64_t *)f, buf,
		    sizeof(buf)));
		break;
	case CT_DURATION:
		fprintf(fp, "%s\n", yd_format_duration(*(const xtime_t *)f,
		    buf, sizeof(buf)));
		break;
	case CT_STRING:
		config_qstr(fp, *(char *const *)f);
		fputc('\n', fp);
		break;
	case CT_ENUM:
		fprintf(fp, "%s\n", config_name_of(o->names, *(const int *)f));
		break;
	case CT_UTCOFF:
		fprintf(fp, "\"%s\"\n", config_format_utcoff(*(const int *)f,
		    buf, sizeof(buf)));
		break;
	case CT_CIDRS:
		config_dump_netset(fp, f);
		fputc('\n', fp);
		break;
	case CT_PATHS:
		config_dump_strlist(fp, f);
		fputc('\n', fp);
		break;
	case CT_DATES:
		config_dump_dates(fp, f);
		fputc('\n', fp);
		break;
	case CT_GROUPS:
		g = f;
		fputs(g->n ? "\n" : "{}\n", fp);
		for (i = 0; i < g->n; i++) {
			fprintf(fp, "  %s: ", g->v[i].name);
			config_dump_netset(fp, &g->v[i].nets);
			fputc('\n', fp);
		}
		break;
	case CT_ALLOW:
		a = f;
		fputs(a->n ? "\n" : "[]\n", fp);
		for (i = 0; i < a->n; i++)
			config_dump_entry(fp, &a->v[i]);
		break;
	}
}

/* Number of leading dotted components two keys' sections share. */
static int
config_common(const char *a, const char *b)
{
	const char *da, *db;
	int n = 0;

	for (;;) {
		da = strchr(a, '.');
		db = strchr(b, '.');
		if (da == NULL || db == NULL || da - a != db - b ||
		    strncmp(a, b, (size_t)(da - a)) != 0)
			return n;
		n++;
		a = da + 1;
		b = db + 1;
	}
}

int
config_dump(FILE *fp, const struct config *cfg)
{
	const struct config_opt *o;
	const char *prev = "", *c, *dot;
	size_t i;
	int common, level;

	fputs("# exfild effective configuration\n", fp);
	for (i = 0; i < CONFIG_NOPTS; i++, prev = o->key) {
		o = &config_table[i];
		common = config_common(prev, o->key);
		/* Open the sections this key needs beyond the shared ones. */
		for (c = o->key, level = 0; (dot = strchr(c, '.')) != NULL;
		    c = dot + 1, level++)
			if (level >= common)
				fprintf(fp, "%*s%.*s:\n", 2 * level, "",
				    (int)(dot - c), c);
		fprintf(fp, "%*s%s:", 2 * level, "", c);
		config_dump_value(fp, cfg, o);
	}
	return ferror(fp) ? -1 : 0;
}

/* ---- reference ---------------------------------------------------------- */

static const char *
config_type_name(const struct config_opt *o)
{
	switch (o->type) {
	case CT_BOOL:
		return "bool";
	case CT_INT:
		return "integer";
	case CT_SIZE:
		return "size";
	case CT_DURATION:
		return "duration";
	case CT_STRING:
		return "string";
	case CT_ENUM:
		return "keyword";
	case CT_UTCOFF:
		return "offset";
	case CT_CIDRS:
		return "list of prefixes";
	case CT_PATHS:
		return "list of paths";
	case CT_DATES:
		return "list of dates";
	case CT_GROUPS:
		return "map of prefix lists";
	case CT_ALLOW:
		return "list of entries";
	}
	return "?";
}

static void
config_ref_range(FILE *fp, const struct config_opt *o)
{
	const struct config_name *c;
	char lo[32], hi[32];

	switch (o->type) {
	case CT_INT:
		fprintf(fp, "%" PRId64 "..%" PRId64, o->min, o->max);
		break;
	case CT_SIZE:
		fprintf(fp, "%s..%s", yd_format_size((uint64_t)o->min, lo,
		    sizeof(lo)), yd_format_size((uint64_t)o->max, hi,
		    sizeof(hi)));
		break;
	case CT_DURATION:
		fprintf(fp, "%s..%s", yd_format_duration(o->min, lo,
		    sizeof(lo)), yd_format_duration(o->max, hi, sizeof(hi)));
		break;
	case CT_STRING:
		fprintf(fp, "%s%" PRId64 " bytes", o->min > 0 ?
		    "non-empty, up to " : "up to ", o->max);
		break;
	case CT_ENUM:
		for (c = o->names; c->name != NULL; c++)
			fprintf(fp, "%s`%s`", c == o->names ? "" : ", ",
			    c->name);
		break;
	case CT_UTCOFF:
		fputs("-12:00..+14:00", fp);
		break;
	case CT_CIDRS:
		fputs(o->min > 0 ? "non-empty" : "", fp);
		break;
	case CT_BOOL:
		fputs("`true`, `false`", fp);
		break;
	default:
		break;
	}
}

static void
config_ref_default(FILE *fp, const struct config_opt *o)
{
	const char *p;
	size_t n;

	if (o->type == CT_STRING) {
		fprintf(fp, "`\"%s\"`", o->def);
		return;
	}
	if (*o->def == '\0') {
		fputs("empty", fp);
		return;
	}
	if (o->type != CT_CIDRS) {
		fprintf(fp, "`%s`", o->def);
		return;
	}
	for (p = o->def; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		fprintf(fp, "%s`%.*s`", p == o->def ? "" : " ", (int)n, p);
	}
}

int
config_print_reference(FILE *fp)
{
	const struct config_opt *o;
	size_t i;

	fputs("| Key | Type | Default | Range | Meaning |\n"
	    "|---|---|---|---|---|\n", fp);
	for (i = 0; i < CONFIG_NOPTS; i++) {
		o = &config_table[i];
		fprintf(fp, "| `%s` | %s | ", o->key, config_type_name(o));
		config_ref_default(fp, o);
		fputs(" | ", fp);
		config_ref_range(fp, o);
		fprintf(fp, " | %s |\n", o->doc);
	}
	fputs("\nAllowlist entry keys:\n\n"
	    "| Key | Match key | Meaning |\n"
	    "|---|---|---|\n", fp);
	for (i = 0; i < CONFIG_NALLOW; i++)
		fprintf(fp, "| `%s` | %s | %s |\n", config_allow_table[i].key,
		    config_allow_table[i].match ? "yes" : "no",
		    config_allow_table[i].doc);
	return ferror(fp) ? -1 : 0;
}
