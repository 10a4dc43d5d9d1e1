/*
 * test_config.c: the YAML tree (yamldoc), and the configuration loader,
 * defaults, dump and documentation that all come from one key table.
 * Fixtures live in tests/config/: good-*.yaml must load, bad-*.yaml must
 * fail with positioned errors; paths are relative to the source tree.
 */
#include <dirent.h>
#include <syslog.h>

#include "testutil.h"

#include "config.h"
#include "netset.h"
#include "yamldoc.h"

#define FIXTURES	"tests/config"
#define ERRLEN		16384

static char *
dump_string(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(config_dump(fp, cfg), 0);
	fclose(fp);
	return buf;
}

static struct config *
load_ok(const char *path)
{
	char err[ERRLEN];
	struct config *cfg;

	if ((cfg = config_load(path, err, sizeof(err))) == NULL)
		fail_msg("%s did not load:\n%s", path, err);
	assert_string_equal(err, "");
	return cfg;
}

static struct config *
str_ok(const char *text)
{
	char err[ERRLEN];
	struct config *cfg;

	if ((cfg = config_load_string("t.yaml", text, strlen(text), err,
	    sizeof(err))) == NULL)
		fail_msg("did not load:\n%s\n---\n%s", text, err);
	return cfg;
}

/* Loads text that must fail and returns the error text. */
static const char *
str_err(const char *text)
{
	static char err[ERRLEN];
	struct config *cfg;

	cfg = config_load_string("t.yaml", text, strlen(text), err,
	    sizeof(err));
	if (cfg != NULL) {
		config_free(cfg);
		fail_msg("loaded but should not have:\n%s", text);
	}
	assert_true(err[0] != '\0');
	return err;
}

static const char *
file_err(const char *name)
{
	static char err[ERRLEN];
	char path[256];
	struct config *cfg;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	if ((cfg = config_load(path, err, sizeof(err))) != NULL) {
		config_free(cfg);
		fail_msg("%s loaded but should not have", path);
	}
	return err;
}

static int
count_lines(const char *s)
{
	int n = *s != '\0';

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
has(const struct netset *s, const char *text)
{
	addr_t a;

	assert_int_equal(addr_pton(text, &a), 0);
	return netset_contains(s, &a);
}

/* ---- yamldoc ------------------------------------------------------------ */

static void
test_yamldoc_tree(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "a: 1\n"
	    "b:\n"
	    "  - x\n"
	    "  - \"y\"\n"
	    "c: {d: ~, e: 'q'}\n";
	struct yerrs errs = { 0 };
	const struct ynode *k, *v, *b, *c;
	struct ydoc *d;
	size_t i;
	int n = 0;

	(void)state;
	d = ydoc_load_string("mem.yaml", text, strlen(text), &errs);
	assert_non_null(d);
	assert_int_equal(errs.count, 0);
	assert_string_equal(d->file, "mem.yaml");
	assert_int_equal(d->root->kind, YN_MAP);
	assert_int_equal(d->root->line, 2);
	assert_int_equal(d->root->col, 1);
	for (i = 0; ymap_next(d->root, &i, &k, &v);)
		n++;
	assert_int_equal(n, 3);

	b = ymap_get(d->root, "b");
	assert_non_null(b);
	assert_int_equal(b->kind, YN_SEQ);
	assert_int_equal(b->n, 2);
	assert_int_equal(b->line, 4);
	assert_int_equal(b->col, 3);
	assert_string_equal(b->items[0]->str, "x");
	assert_true(b->items[0]->plain);
	assert_int_equal(b->items[1]->line, 5);
	assert_int_equal(b->items[1]->col, 5);
	assert_false(b->items[1]->plain);

	c = ymap_get(d->root, "c");
	assert_int_equal(c->kind, YN_MAP);
	assert_int_equal(c->line, 6);
	assert_int_equal(c->col, 4);
	assert_true(ynode_is_null(ymap_get(c, "d")));
	assert_false(ynode_is_null(ymap_get(c, "e")));
	assert_int_equal(ymap_get(c, "e")->col, 14);
	assert_null(ymap_get(c, "zz"));
	assert_null(ymap_get(b, "x"));
	ydoc_free(d);
	yerr_free(&errs);
}

static void
test_yamldoc_readers(void **state)
{
	static const char text[] =
	    "b: yes\n"
	    "i: -42\n"
	    "s: 1.5GiB\n"
	    "t: 250ms\n"
	    "n: \"a\\0b\"\n"
	    "c: 192.0.2.0/24\n"
	    "bad: [1]\n";
	struct yerrs errs = { 0 };
	struct ydoc *d;
	uint64_t sz;
	xtime_t t;
	int64_t i;
	addr_t a;
	char *s;
	int b, plen;

	(void)state;
	d = ydoc_load_string("r.yaml", text, strlen(text), &errs);
	assert_non_null(d);
	assert_int_equal(yd_bool(d, ymap_get(d->root, "b"), "b", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(yd_int(d, ymap_get(d->root, "i"), "i", -100, 100,
	    &i), 0);
	assert_int_equal(i, -42);
	assert_int_equal(yd_size(d, ymap_get(d->root, "s"), "s", 0,
	    UINT64_MAX, &sz), 0);
	assert_int_equal(sz, 1610612736ULL);
	assert_int_equal(yd_duration(d, ymap_get(d->root, "t"), "t", 0,
	    XT_DAY, &t), 0);
	assert_int_equal(t, 250000);
	assert_int_equal(yd_cidr(d, ymap_get(d->root, "c"), "c", &a, &plen),
	    0);
	assert_int_equal(plen, 24);
	assert_int_equal(errs.count, 0);

	/* Each failure adds exactly one positioned error. */
	assert_int_equal(yd_int(d, ymap_get(d->root, "i"), "i", 0, 100, &i),
	    -1);
	assert_int_equal(yd_string(d, ymap_get(d->root, "n"), "n", 100, &s),
	    -1);
	assert_int_equal(yd_bool(d, ymap_get(d->root, "bad"), NULL, &b), -1);
	assert_int_equal(yd_seq(d, ymap_get(d->root, "b"), "b"), -1);
	assert_int_equal(yd_seq(d, ymap_get(d->root, "bad"), "bad"), 1);
	assert_int_equal(errs.count, 4);
	assert_string_equal(yerr_str(&errs),
	    "r.yaml:2:4: i: -42 is out of range 0..100\n"
	    "r.yaml:5:4: n: value contains a NUL byte\n"
	    "r.yaml:7:6: expected true or false, got a list\n"
	    "r.yaml:1:4: b: expected a list, got a single value");
	yerr_sort(&errs, "r.yaml");
	assert_string_equal(yerr_str(&errs),
	    "r.yaml:1:4: b: expected a list, got a single value\n"
	    "r.yaml:2:4: i: -42 is out of range 0..100\n"
	    "r.yaml:5:4: n: value contains a NUL byte\n"
	    "r.yaml:7:6: expected true or false, got a list");
	ydoc_free(d);
	yerr_free(&errs);
}

static void
test_yamldoc_refusals(void **state)
{
	struct yerrs errs = { 0 };
	struct ydoc *d;
	char *deep;
	size_t i;

	(void)state;
	d = ydoc_load_string("x", "a: &x 1\nb: *x\n", 14, &errs);
	assert_null(d);
	assert_string_equal(yerr_str(&errs),
	    "x:2:4: aliases (*x) are not supported");
	yerr_free(&errs);

	/* Duplicates are reported at the later key, nested ones too. */
	d = ydoc_load_string("x", "a: 1\nm: {k: 1, j: 2, k: 3}\na: 2\n", 32,
	    &errs);
	assert_non_null(d);
	assert_int_equal(errs.count, 2);
	yerr_sort(&errs, "x");
	assert_string_equal(yerr_str(&errs),
	    "x:2:17: duplicate key 'k' (first at line 2 column 5)\n"
	    "x:3:1: duplicate key 'a' (first at line 1 column 1)");
	ydoc_free(d);
	yerr_free(&errs);

	deep = malloc(200001);
	assert_non_null(deep);
	for (i = 0; i < 100000; i++) {
		deep[i] = '[';
		deep[200000 - 1 - i] = ']';
	}
	deep[200000] = '\0';
	d = ydoc_load_string("deep", deep, 200000, &errs);
	assert_null(d);
	assert_string_equal(yerr_str(&errs),
	    "deep:1:65: nested deeper than 64 levels");
	yerr_free(&errs);
	free(deep);

	d = ydoc_load_string("two", "a: 1\n---\nb: 2\n", 14, &errs);
	assert_null(d);
	assert_string_equal(yerr_str(&errs),
	    "two:2:1: only one YAML document is allowed");
	yerr_free(&errs);

	/* Empty input is a document without a root, not an error. */
	d = ydoc_load_string("empty", "", 0, &errs);
	assert_non_null(d);
	assert_null(d->root);
	assert_int_equal(errs.count, 0);
	ydoc_free(d);
}

static void
test_yamldoc_node_limit(void **state)
{
	struct yerrs errs = { 0 };
	struct ydoc *d;
	size_t n = YD_MAX_NODES + 10, i, o = 0;
	char *buf;

	(void)state;
	buf = malloc(n * 2 + 4);
	assert_non_null(buf);
	buf[o++] = '[';
	for (i = 0; i < n; i++) {
		buf[o++] = '1';
		buf[o++] = ',';
	}
	buf[o - 1] = ']';
	d = ydoc_load_string("many", buf, o, &errs);
	assert_null(d);
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(yerr_str(&errs), "more than 262144 nodes"));
	yerr_free(&errs);
	free(buf);
}

static void
test_yerr_bounded(void **state)
{
	struct yerrs errs = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		yerr_addpos(&errs, "f", i + 1, 1, "error number %d with some "
		    "text to fill the buffer", i);
	assert_int_equal(errs.count, 10000);
	assert_true(errs.len <= YD_ERRS_MAX + 64);
	assert_non_null(strstr(yerr_str(&errs), "(further errors not shown)"));
	assert_int_equal(strncmp(yerr_str(&errs), "f:1:1: error number 0 ",
	    22), 0);
	yerr_sort(&errs, "f");
	/* The marker stays last after sorting. */
	assert_non_null(strstr(yerr_str(&errs),
	    "\n(further errors not shown)"));
	assert_int_equal(strcmp(yerr_str(&errs) + strlen(yerr_str(&errs)) -
	    26, "(further errors not shown)"), 0);
	yerr_free(&errs);
	assert_string_equal(yerr_str(&errs), "");

	yerr_addpos(&errs, NULL, 0, 0, "plain");
	yerr_addpos(&errs, "f", 3, 0, "line only");
	assert_string_equal(yerr_str(&errs), "<string>: plain\nf:3: line only");
	yerr_free(&errs);
}

/* ---- units -------------------------------------------------------------- */

static void
test_units(void **state)
{
	static const struct {
		const char	*text;
		uint64_t	 bytes;
	} sizes[] = {
		{ "64MB", 64000000ULL }, { "1.5GiB", 1610612736ULL },
		{ "0", 0 }, { "512", 512 }, { "512B", 512 }, { "1KB", 1000 },
		{ "1kB", 1000 }, { "1KiB", 1024 }, { "2 MiB", 2097152 },
		{ "4GiB", 4294967296ULL }, { "1TB", 1000000000000ULL },
		{ "1.25KiB", 1280 }, { "0.5MB", 500000 },
		{ "16777215TiB", 18446742974197923840ULL },
	};
	static const struct {
		const char	*text;
		xtime_t		 us;
	} durs[] = {
		{ "90s", 90 * XT_SEC }, { "5m", 5 * XT_MIN }, { "7d", 7 * XT_DAY },
		{ "250ms", 250000 }, { "60", 60 * XT_SEC }, { "1.5h", 90 * XT_MIN },
		{ "2w", 14 * XT_DAY }, { "10us", 10 }, { "0", 0 },
		{ "0.000001s", 1 }, { "1 h", XT_HOUR },
	};
	static const char *const badsizes[] = {
		"64XB", "64mb", "MB", "-1MB", "1.5B", "1.", ".5MB", "1.1234567GB",
		"16777216TiB", "99999999999999999999", "1e6", "", "0x10",
	};
	static const char *const baddurs[] = {
		"5 minutes", "1.5us", "-1s", "1y", "s", "1.5", "1ms5", "",
		"99999999999999999999w",
	};
	const char *why;
	char buf[32];
	uint64_t v;
	xtime_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (yd_parse_size(sizes[i].text, &v, &why) != 0)
			fail_msg("%s: %s", sizes[i].text, why);
		assert_int_equal(v, sizes[i].bytes);
	}
	for (i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		if (yd_parse_duration(durs[i].text, &t, &why) != 0)
			fail_msg("%s: %s", durs[i].text, why);
		assert_int_equal(t, durs[i].us);
	}
	/* "1.5" seconds is whole microseconds, so it is fine. */
	for (i = 0; i < sizeof(badsizes) / sizeof(badsizes[0]); i++)
		if (yd_parse_size(badsizes[i], &v, &why) == 0)
			fail_msg("size '%s' accepted", badsizes[i]);
	for (i = 0; i < sizeof(baddurs) / sizeof(baddurs[0]); i++) {
		if (strcmp(baddurs[i], "1.5") == 0) {
			assert_int_equal(yd_parse_duration("1.5", &t, &why), 0);
			assert_int_equal(t, 1500000);
			continue;
		}
		if (yd_parse_duration(baddurs[i], &t, &why) == 0)
			fail_msg("duration '%s' accepted", baddurs[i]);
	}
	assert_int_equal(yd_parse_size("1.5B", &v, &why), -1);
	assert_string_equal(why, "not a whole number of the smallest unit");
	assert_int_equal(yd_parse_size("64XB", &v, &why), -1);
	assert_string_equal(why, "unknown unit");

	assert_string_equal(yd_format_size(64000000, buf, sizeof(buf)), "64MB");
	assert_string_equal(yd_format_size(1610612736, buf, sizeof(buf)),
	    "1536MiB");
	assert_string_equal(yd_format_size(1000, buf, sizeof(buf)), "1KB");
	assert_string_equal(yd_format_size(1023, buf, sizeof(buf)), "1023B");
	assert_string_equal(yd_format_size(0, buf, sizeof(buf)), "0B");
	assert_string_equal(yd_format_duration(60 * XT_SEC, buf, sizeof(buf)),
	    "1m");
	assert_string_equal(yd_format_duration(250000, buf, sizeof(buf)),
	    "250ms");
	assert_string_equal(yd_format_duration(7 * XT_DAY, buf, sizeof(buf)),
	    "7d");
	assert_string_equal(yd_format_duration(0, buf, sizeof(buf)), "0s");
	assert_string_equal(yd_format_duration(1, buf, sizeof(buf)), "1us");
}

/* ---- configuration ------------------------------------------------------ */

static void
test_defaults(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = config_default();
	assert_non_null(cfg);
	assert_null(cfg->file);
	assert_int_equal(netset_count(&cfg->home_net), 4);
	assert_true(has(&cfg->home_net, "10.1.2.3"));
	assert_true(has(&cfg->home_net, "172.31.255.255"));
	assert_false(has(&cfg->home_net, "172.32.0.1"));
	assert_true(has(&cfg->home_net, "192.168.7.7"));
	assert_true(has(&cfg->home_net, "fd12:3456::1"));
	assert_false(has(&cfg->home_net, "8.8.8.8"));
	assert_false(has(&cfg->home_net, "2001:db8::1"));
	assert_int_equal(cfg->host_groups.n, 0);
	assert_string_equal(cfg->user, "exfild");
	assert_string_equal(cfg->group, "exfild");
	assert_int_equal(cfg->utc_offset, 0);
	assert_string_equal(cfg->capture.interface, "eth0");
	assert_string_equal(cfg->capture.bpf, "");
	assert_int_equal(cfg->capture.snaplen, 1600);
	assert_int_equal(cfg->capture.buffer_size, 64000000ULL);
	assert_int_equal(cfg->capture.promiscuous, 1);
	assert_int_equal(cfg->capture.ring_size, 8000000ULL);
	assert_int_equal(cfg->flows.max_flows, 1000000);
	assert_int_equal(cfg->flows.idle_timeout, 60 * XT_SEC);
	assert_int_equal(cfg->flows.tcp_close_timeout, 10 * XT_SEC);
	assert_int_equal(cfg->flows.update_interval, 10 * XT_SEC);
	assert_int_equal(cfg->dpi.enabled, 1);
	assert_int_equal(cfg->dpi.packet_limit, 16);
	assert_string_equal(cfg->dpi.protocols_file, "");
	assert_string_equal(cfg->geoip.country_db, "");
	assert_string_equal(cfg->geoip.city_db, "");
	assert_string_equal(cfg->geoip.asn_db, "");
	assert_int_equal(cfg->geoip.cache_size, 65536);
	assert_int_equal(cfg->baseline.learning_period, 7 * XT_DAY);
	assert_int_equal(cfg->baseline.max_hosts, 65536);
	assert_int_equal(cfg->baseline.max_entries, 2000000);
	assert_int_equal(cfg->baseline.max_destinations, 1000000);
	assert_int_equal(cfg->baseline.entry_ttl, 30 * XT_DAY);
	assert_int_equal(cfg->baseline.alert_threshold, 75);
	assert_int_equal(cfg->baseline.score_server_replies, 0);
	assert_string_equal(cfg->state.path, "/var/lib/exfild/state.db");
	assert_int_equal(cfg->state.save_interval, 5 * XT_MIN);
	assert_string_equal(cfg->rules_dir, "/etc/exfild/rules");
	assert_int_equal(cfg->intel.ip_lists.n, 0);
	assert_int_equal(cfg->intel.domain_lists.n, 0);
	assert_int_equal(cfg->allowlist.n, 0);
	assert_int_equal(cfg->alerts.syslog.enabled, 1);
	assert_int_equal(cfg->alerts.syslog.facility, LOG_LOCAL5);
	assert_string_equal(config_facility_name(cfg->alerts.syslog.facility),
	    "local5");
	assert_string_equal(cfg->alerts.syslog.ident, "exfild");
	assert_string_equal(cfg->alerts.syslog.remote.host, "");
	assert_int_equal(cfg->alerts.syslog.remote.port, 514);
	assert_int_equal(cfg->alerts.syslog.remote.protocol, CONF_PROTO_UDP);
	assert_string_equal(cfg->alerts.json_file,
	    "/var/log/exfild/alerts.json");
	assert_int_equal(cfg->alerts.suppress_window, XT_HOUR);
	assert_int_equal(cfg->alerts.max_per_minute, 100);
	assert_int_equal(cfg->alerts.correlation.enabled, 1);
	assert_int_equal(cfg->alerts.correlation.window, 60 * XT_MIN);
	assert_int_equal(cfg->alerts.correlation.min_rules, 2);
	assert_int_equal(cfg->alerts.correlation.min_tactics, 2);
	assert_int_equal(cfg->stats.interval, 60 * XT_SEC);
	assert_string_equal(cfg->stats.prometheus_file, "");
	config_free(cfg);
}

/* Every default is inside its own bounds and type. */
static void
test_table_consistent(void **state)
{
	const struct config_opt *o;
	char text[512], err[ERRLEN];
	struct config *cfg;
	size_t n, i, j;

	(void)state;
	o = config_opts(&n);
	assert_true(n > 40);
	for (i = 0; i < n; i++) {
		assert_non_null(o[i].doc);
		assert_null(strchr(o[i].doc, '|'));
		for (j = 0; j < i; j++)
			assert_string_not_equal(o[i].key, o[j].key);
		if (o[i].type == CT_GROUPS || o[i].type == CT_ALLOW ||
		    o[i].type == CT_PATHS || o[i].type == CT_CIDRS ||
		    o[i].type == CT_DATES)
			continue;
		/* Writing the default text into a file must be accepted. */
		{
			const char *k = o[i].key, *dot;
			size_t len = 0;
			int depth = 0;

			while ((dot = strchr(k, '.')) != NULL) {
				len += (size_t)snprintf(text + len,
				    sizeof(text) - len, "%*s%.*s:\n",
				    2 * depth, "", (int)(dot - k), k);
				depth++;
				k = dot + 1;
			}
			snprintf(text + len, sizeof(text) - len,
			    "%*s%s: \"%s\"\n", 2 * depth, "", k, o[i].def);
		}
		cfg = config_load_string("d.yaml", text, strlen(text), err,
		    sizeof(err));
		if (cfg == NULL)
			fail_msg("default of %s rejected: %s", o[i].key, err);
		config_free(cfg);
	}
}

static void
test_example_file(void **state)
{
	struct config *ex, *def;
	struct yerrs errs = { 0 };
	const struct config_opt *o;
	const struct ynode *node;
	struct ydoc *d;
	char *a, *b, part[128];
	const char *k, *dot;
	size_t n, i;

	(void)state;
	ex = load_ok("config.example.yaml");
	def = config_default();
	assert_string_equal(ex->file, "config.example.yaml");
	/* The example shows the defaults: same effective configuration. */
	a = dump_string(ex);
	b = dump_string(def);
	assert_string_equal(a, b);
	free(a);
	free(b);
	config_free(ex);
	config_free(def);

	/* ...and it shows every key. */
	d = ydoc_load_file("config.example.yaml", &errs);
	assert_non_null(d);
	o = config_opts(&n);
	for (i = 0; i < n; i++) {
		node = d->root;
		for (k = o[i].key; node != NULL; k = dot + 1) {
			dot = strchr(k, '.');
			snprintf(part, sizeof(part), "%.*s",
			    dot ? (int)(dot - k) : (int)strlen(k), k);
			node = ymap_get(node, part);
			if (dot == NULL)
				break;
		}
		if (node == NULL)
			fail_msg("config.example.yaml lacks %s", o[i].key);
	}
	ydoc_free(d);
	yerr_free(&errs);
}

static void
test_good_fixtures_round_trip(void **state)
{
	char path[512], err[ERRLEN];
	struct config *cfg, *again;
	struct dirent *de;
	char *a, *b;
	DIR *dir;
	int n = 0;

	(void)state;
	dir = opendir(FIXTURES);
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "good-", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FIXTURES, de->d_name);
		cfg = load_ok(path);
		/* The dump is a configuration that means the same. */
		a = dump_string(cfg);
		again = config_load_string("dump", a, strlen(a), err,
		    sizeof(err));
		if (again == NULL)
			fail_msg("dump of %s does not load:\n%s\n%s", path, err,
			    a);
		b = dump_string(again);
		assert_string_equal(a, b);
		free(a);
		free(b);
		config_free(again);
		config_free(cfg);
		n++;
	}
	closedir(dir);
	assert_true(n >= 3);
}

static void
test_good_full_values(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_ok(FIXTURES "/good-full.yaml");
	assert_int_equal(netset_count(&cfg->home_net), 2);
	assert_true(has(&cfg->home_net, "2001:db8:1::1"));
	assert_false(has(&cfg->home_net, "192.168.1.1"));
	assert_int_equal(cfg->host_groups.n, 2);
	assert_string_equal(cfg->host_groups.v[0].name, "backup");
	assert_int_equal(cfg->host_groups.v[0].line, 6);
	assert_true(has(&cfg->host_groups.v[1].nets, "2001:db8:20::9"));
	assert_string_equal(cfg->user, "");
	assert_int_equal(cfg->utc_offset, 5 * 3600 + 30 * 60);
	assert_string_equal(cfg->capture.interface, "ens3");
	assert_int_equal(cfg->capture.snaplen, 256);
	assert_int_equal(cfg->capture.buffer_size, 1610612736ULL);
	assert_int_equal(cfg->capture.promiscuous, 0);
	assert_int_equal(cfg->capture.ring_size, 256ULL << 20);
	assert_int_equal(cfg->flows.idle_timeout, 90 * XT_SEC);
	assert_int_equal(cfg->flows.tcp_close_timeout, 2500000);
	assert_int_equal(cfg->flows.update_interval, 5 * XT_MIN);
	assert_int_equal(cfg->dpi.enabled, 0);
	assert_int_equal(cfg->geoip.cache_size, 0);
	assert_int_equal(cfg->baseline.learning_period, 36 * XT_HOUR);
	assert_int_equal(cfg->baseline.entry_ttl, 14 * XT_DAY);
	assert_int_equal(cfg->baseline.score_server_replies, 1);
	assert_string_equal(cfg->state.path, "");
	assert_int_equal(cfg->intel.ip_lists.n, 2);
	assert_string_equal(cfg->intel.ip_lists.v[1], "/etc/exfild/intel/b.txt");
	assert_int_equal(cfg->intel.domain_lists.n, 1);
	assert_int_equal(cfg->alerts.syslog.enabled, 0);
	assert_int_equal(cfg->alerts.syslog.facility, LOG_DAEMON);
	assert_string_equal(cfg->alerts.syslog.remote.host, "logs.example.net");
	assert_int_equal(cfg->alerts.syslog.remote.port, 6514);
	assert_int_equal(cfg->alerts.syslog.remote.protocol, CONF_PROTO_TCP);
	assert_string_equal(cfg->alerts.json_file, "");
	assert_int_equal(cfg->alerts.suppress_window, 0);
	assert_int_equal(cfg->alerts.correlation.window, 2 * XT_HOUR);
	assert_int_equal(cfg->alerts.correlation.min_rules, 3);
	assert_int_equal(cfg->stats.interval, 0);
	assert_int_equal(cfg->allowlist.n, 3);
	config_free(cfg);
}

static void
test_empty_and_missing(void **state)
{
	struct config *cfg, *def;
	char err[ERRLEN], *a, *b;

	(void)state;
	def = config_default();
	cfg = load_ok(FIXTURES "/good-empty.yaml");
	a = dump_string(cfg);
	b = dump_string(def);
	assert_string_equal(a, b);
	free(a);
	free(b);
	config_free(cfg);
	config_free(def);

	assert_null(config_load(FIXTURES "/does-not-exist.yaml", err,
	    sizeof(err)));
	assert_string_equal(err, FIXTURES "/does-not-exist.yaml: cannot open: "
	    "No such file or directory");
	assert_null(config_load(FIXTURES, err, sizeof(err)));
	assert_string_equal(err, FIXTURES ": cannot read: Is a directory");
}

static void
test_exact_errors(void **state)
{
	(void)state;
	assert_string_equal(file_err("bad-unknown-key.yaml"),
	    FIXTURES "/bad-unknown-key.yaml:3:3: unknown key 'capture.snaplenn'"
	    " (did you mean 'capture.snaplen'?)");
	assert_string_equal(file_err("bad-syntax.yaml"),
	    FIXTURES "/bad-syntax.yaml:3:11: syntax error: mapping values are "
	    "not allowed in this context");
	assert_string_equal(file_err("bad-duplicate-key.yaml"),
	    FIXTURES "/bad-duplicate-key.yaml:4:3: duplicate key 'idle_timeout'"
	    " (first at line 2 column 3)");
	assert_string_equal(file_err("bad-wrong-type.yaml"),
	    FIXTURES "/bad-wrong-type.yaml:2:3: home_net: expected a list, got "
	    "a mapping");
	assert_string_equal(file_err("bad-range.yaml"),
	    FIXTURES "/bad-range.yaml:2:12: capture.snaplen: 10 is out of range "
	    "64..262144\n"
	    FIXTURES "/bad-range.yaml:4:20: baseline.alert_threshold: 101 is "
	    "out of range 0..100");
	assert_string_equal(file_err("bad-unit.yaml"),
	    FIXTURES "/bad-unit.yaml:2:16: capture.buffer_size: bad size "
	    "'64XB': unknown unit (units: B, KB, MB, GB, TB, KiB, MiB, GiB, "
	    "TiB)\n"
	    FIXTURES "/bad-unit.yaml:4:17: flows.idle_timeout: bad duration "
	    "'5 minutes': unknown unit (units: us, ms, s, m, h, d, w)");
	assert_string_equal(file_err("bad-alias.yaml"),
	    FIXTURES "/bad-alias.yaml:2:8: aliases (*a) are not supported");
	assert_string_equal(file_err("bad-deep-flow.yaml"),
	    FIXTURES "/bad-deep-flow.yaml:1:67: nested deeper than 64 levels");
	assert_string_equal(file_err("bad-top-list.yaml"),
	    FIXTURES "/bad-top-list.yaml:1:1: the top level must be a mapping "
	    "of keys, got a list");
	assert_string_equal(file_err("bad-utf8.yaml"),
	    FIXTURES "/bad-utf8.yaml:2:18: invalid leading UTF-8 octet "
	    "(byte 26)");
	assert_string_equal(file_err("bad-long-string.yaml"),
	    FIXTURES "/bad-long-string.yaml:2:14: capture.interface: longer "
	    "than 255 bytes");
	assert_string_equal(file_err("bad-control-chars.yaml"),
	    FIXTURES "/bad-control-chars.yaml:3:12: alerts.syslog.ident: "
	    "control characters are not allowed");
	assert_string_equal(file_err("bad-section-scalar.yaml"),
	    FIXTURES "/bad-section-scalar.yaml:1:10: capture: expected a "
	    "mapping, got a single value\n"
	    FIXTURES "/bad-section-scalar.yaml:2:8: flows: expected a mapping, "
	    "got a list");
	assert_string_equal(file_err("bad-null-values.yaml"),
	    FIXTURES "/bad-null-values.yaml:1:10: home_net: must list at least "
	    "one prefix\n"
	    FIXTURES "/bad-null-values.yaml:3:11: capture.snaplen: expected an "
	    "integer, got nothing\n"
	    FIXTURES "/bad-null-values.yaml:4:16: capture.promiscuous: expected "
	    "true or false, got nothing");
}

static void
test_many_errors_collected(void **state)
{
	const char *err;

	(void)state;
	err = file_err("bad-many.yaml");
	assert_int_equal(count_lines(err), 9);
	assert_string_equal(err,
	    FIXTURES "/bad-many.yaml:1:1: unknown key 'colour'\n"
	    FIXTURES "/bad-many.yaml:3:14: capture.interface: must not be "
	    "empty\n"
	    FIXTURES "/bad-many.yaml:4:16: capture.promiscuous: expected true "
	    "or false, got 'maybe'\n"
	    FIXTURES "/bad-many.yaml:6:17: flows.idle_timeout: bad duration "
	    "'-5s': expected a number (units: us, ms, s, m, h, d, w)\n"
	    FIXTURES "/bad-many.yaml:7:12: home_net: '10.0.0.1/8' has host "
	    "bits set past /8 (did you mean 10.0.0.0/8?)\n"
	    FIXTURES "/bad-many.yaml:7:24: home_net: 'not-an-address' is not "
	    "an IPv4 or IPv6 address or prefix\n"
	    FIXTURES "/bad-many.yaml:10:15: alerts.syslog.facility: expected "
	    "one of local0, local1, local2, local3, local4, local5, local6, "
	    "local7, daemon, user, auth, authpriv, got 'local9'\n"
	    FIXTURES "/bad-many.yaml:12:17: alerts.syslog.remote.protocol: "
	    "expected one of udp, tcp, got 'sctp'\n"
	    FIXTURES "/bad-many.yaml:13:13: utc_offset: expected an offset "
	    "like \"+02:00\" or \"-05:30\" (-12:00..+14:00), got '+25:00'");
}

static void
test_value_errors(void **state)
{
	(void)state;
	assert_string_equal(str_err("capture:\n  buffer_size: 8GiB\n"),
	    "t.yaml:2:16: capture.buffer_size: 8GiB is out of range "
	    "1MB..4GiB");
	assert_string_equal(str_err("capture:\n  buffer_size: 512KiB\n"),
	    "t.yaml:2:16: capture.buffer_size: 512KiB is out of range "
	    "1MB..4GiB");
	assert_string_equal(str_err("flows:\n  idle_timeout: 250ms\n"),
	    "t.yaml:2:17: flows.idle_timeout: 250ms is out of range 1s..1d");
	assert_string_equal(str_err("flows:\n  max_flows: lots\n"),
	    "t.yaml:2:14: flows.max_flows: expected an integer, got 'lots'");
	assert_string_equal(str_err("flows:\n  max_flows: 99999999999999999999"
	    "\n"), "t.yaml:2:14: flows.max_flows: expected an integer, got "
	    "'99999999999999999999'");
	assert_string_equal(str_err("dpi:\n  enabled: [true]\n"),
	    "t.yaml:2:12: dpi.enabled: expected true or false, got a list");
	assert_string_equal(str_err("rules_dir: {a: 1}\n"),
	    "t.yaml:1:12: rules_dir: expected a string, got a mapping");
	assert_string_equal(str_err("intel:\n  ip_lists: /etc/x.txt\n"),
	    "t.yaml:2:13: intel.ip_lists: expected a list, got a single value");
	assert_string_equal(str_err("intel:\n  ip_lists: [\"\"]\n"),
	    "t.yaml:2:14: intel.ip_lists: empty path");
	assert_string_equal(str_err("host_groups: [a]\n"),
	    "t.yaml:1:14: host_groups: expected a mapping of group names to "
	    "prefix lists, got a list");
	assert_string_equal(str_err("host_groups:\n  \"bad name\": [10.0.0.1]\n"
	    "  empty: []\n"),
	    "t.yaml:2:3: host_groups: bad group name 'bad name' (letters, "
	    "digits, '_', '.', '-')\n"
	    "t.yaml:3:10: host_groups.empty: a group needs at least one prefix");
	assert_string_equal(str_err("Capture:\n  x: 1\n"),
	    "t.yaml:1:1: unknown key 'Capture' (did you mean 'capture'?)");
	assert_string_equal(str_err("alerts:\n  sylog:\n    enabled: true\n"),
	    "t.yaml:2:3: unknown key 'alerts.sylog' (did you mean "
	    "'alerts.syslog'?)");
}

/* Holidays: dates checked one by one, kept sorted and unique. */
static void
test_holidays(void **state)
{
	struct config *cfg;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	cfg = str_ok("baseline:\n  holidays: [2026-12-25, \"2026-12-24\", "
	    "2026-12-25, 2028-02-29, 1970-01-01]\n");
	assert_int_equal(cfg->baseline.holidays.n, 4);
	assert_int_equal(cfg->baseline.holidays.v[0], 0);
	assert_int_equal(cfg->baseline.holidays.v[1], 20811);
	assert_int_equal(cfg->baseline.holidays.v[2], 20812);
	assert_int_equal(cfg->baseline.holidays.v[3], 21243);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	config_dump(fp, cfg);
	fclose(fp);
	assert_non_null(strstr(buf, "holidays: [1970-01-01, 2026-12-24, "
	    "2026-12-25, 2028-02-29]"));
	free(buf);
	config_free(cfg);
	assert_string_equal(str_err("baseline:\n  holidays: [2026-13-01, "
	    "2027-02-29, 25.12.2026, [x], 2026-1-01]\n"),
	    "t.yaml:2:14: baseline.holidays: expected a date as YYYY-MM-DD, "
	    "got 2026-13-01\n"
	    "t.yaml:2:26: baseline.holidays: expected a date as YYYY-MM-DD, "
	    "got 2027-02-29\n"
	    "t.yaml:2:38: baseline.holidays: expected a date as YYYY-MM-DD, "
	    "got 25.12.2026\n"
	    "t.yaml:2:50: baseline.holidays: expected a date as YYYY-MM-DD, "
	    "got a list\n"
	    "t.yaml:2:55: baseline.holidays: expected a date as YYYY-MM-DD, "
	    "got 2026-1-01");
	assert_string_equal(str_err("baseline:\n  holidays: 2026-12-25\n"),
	    "t.yaml:2:13: baseline.holidays: expected a list, got a single "
	    "value");
}

static void
test_misplaced_key_hint(void **state)
{
	(void)state;
	assert_string_equal(str_err("idle_timeout: 5s\n"),
	    "t.yaml:1:1: unknown key 'idle_timeout' (did you mean "
	    "'flows.idle_timeout'?)");
	/* Dotted keys are not a shorthand for nesting. */
	assert_string_equal(str_err("capture:\n  capture.snaplen: 100\n"),
	    "t.yaml:2:3: unknown key 'capture.capture.snaplen' (did you mean "
	    "'capture.snaplen'?)");
	assert_string_equal(str_err("capture.snaplen: 100\n"),
	    "t.yaml:1:1: unknown key 'capture.snaplen' (did you mean "
	    "'capture.snaplen'?)");
}

static void
test_allowlist(void **state)
{
	static const char text[] =
	    "allowlist:\n"
	    "  - comment: nightly backup\n"
	    "    rules: [volume_anomaly, long_flow]\n"
	    "    host: [\"@backup\", 10.9.0.0/16]\n"
	    "    destination: [203.0.113.0/24, \"2001:db8::/32\"]\n"
	    "    schedule: \"daily 22:00-02:00\"\n"
	    "  - domain: [\"*.Example.COM.\", .cdn.net, ubuntu.com]\n"
	    "    schedule: \"Sat,Sun 00:00-24:00\"\n"
	    "  - asn: [AS15169, 13335, as64512]\n"
	    "    port: [443, 0, 65535]\n"
	    "    country: [us, DE]\n"
	    "    schedule: \"Mon-Fri 01:00-06:00\"\n"
	    "  - host: [\"@backup\"]\n"
	    "    schedule: \"fri-mon 9:30-17:00\"\n"
	    "  - port: [25]\n"
	    "    schedule: \"weekdays 08:00-18:00\"\n"
	    "host_groups:\n"
	    "  backup: [10.1.2.10, 10.1.2.11, \"fd00::10\"]\n";
	const struct allow_entry *e;
	struct config *cfg;

	(void)state;
	cfg = str_ok(text);
	assert_int_equal(cfg->allowlist.n, 5);

	e = &cfg->allowlist.v[0];
	assert_int_equal(e->line, 2);
	assert_int_equal(e->col, 5);
	assert_string_equal(e->comment, "nightly backup");
	assert_int_equal(e->rules.n, 2);
	assert_string_equal(e->rules.v[1], "long_flow");
	/* "@backup" was defined after the allowlist and still expands. */
	assert_true(has(&e->host, "10.1.2.10"));
	assert_true(has(&e->host, "10.1.2.11"));
	assert_true(has(&e->host, "fd00::10"));
	assert_false(has(&e->host, "10.1.2.12"));
	assert_true(has(&e->host, "10.9.200.1"));
	assert_int_equal(e->host_spec.n, 2);
	assert_string_equal(e->host_spec.v[0], "@backup");
	assert_true(has(&e->destination, "203.0.113.77"));
	assert_true(has(&e->destination, "2001:db8::77"));
	assert_false(has(&e->destination, "198.51.100.1"));
	assert_true(e->has_schedule);
	assert_int_equal(e->schedule.days, SCHED_ALL_DAYS);
	assert_int_equal(e->schedule.start, 22 * 60);
	assert_int_equal(e->schedule.end, 2 * 60);
	assert_int_equal(e->nport, 0);
	assert_int_equal(e->country.n, 0);

	e = &cfg->allowlist.v[1];
	assert_int_equal(e->line, 7);
	assert_int_equal(e->rules.n, 0);	/* every rule */
	assert_int_equal(e->domain.n, 3);
	assert_string_equal(e->domain.v[0], "example.com");
	assert_string_equal(e->domain.v[1], "cdn.net");
	assert_string_equal(e->domain.v[2], "ubuntu.com");
	assert_int_equal(e->schedule.days, 0x41);	/* Sun and Sat */
	assert_int_equal(e->schedule.start, 0);
	assert_int_equal(e->schedule.end, 24 * 60);
	assert_null(e->comment);

	e = &cfg->allowlist.v[2];
	assert_int_equal(e->nasn, 3);
	assert_int_equal(e->asn[0], 15169);
	assert_int_equal(e->asn[1], 13335);
	assert_int_equal(e->asn[2], 64512);
	assert_int_equal(e->nport, 3);
	assert_int_equal(e->port[0], 443);
	assert_int_equal(e->port[1], 0);
	assert_int_equal(e->port[2], 65535);
	assert_int_equal(e->country.n, 2);
	assert_string_equal(e->country.v[0], "US");
	assert_string_equal(e->country.v[1], "DE");
	assert_int_equal(e->schedule.days, 0x3e);	/* Mon..Fri */
	assert_int_equal(e->schedule.start, 60);
	assert_int_equal(e->schedule.end, 360);

	e = &cfg->allowlist.v[3];
	/* Fri-Mon wraps the week: Fri, Sat, Sun, Mon. */
	assert_int_equal(e->schedule.days, 0x63);
	assert_int_equal(e->schedule.start, 9 * 60 + 30);
	assert_int_equal(cfg->allowlist.v[4].schedule.days, 0x3e);
	config_free(cfg);
}

static void
test_allowlist_errors(void **state)
{
	const char *err;

	(void)state;
	err = file_err("bad-allowlist.yaml");
	assert_string_equal(err,
	    FIXTURES "/bad-allowlist.yaml:4:5: allowlist: an entry needs at "
	    "least one of destination, country, asn, domain, port or host; "
	    "without one it would silence every alert\n"
	    FIXTURES "/bad-allowlist.yaml:6:12: allowlist.host: unknown host "
	    "group '@backups' (define it under host_groups)\n"
	    FIXTURES "/bad-allowlist.yaml:7:18: allowlist.destination: "
	    "expected a list, got a single value\n"
	    FIXTURES "/bad-allowlist.yaml:8:16: allowlist.port: 70000 is out "
	    "of range 0..65535\n"
	    FIXTURES "/bad-allowlist.yaml:9:15: allowlist.schedule: bad "
	    "schedule 'Mon-Fry 01:00-06:00': unknown day (use Mon..Sun, daily, "
	    "weekdays or weekends) (e.g. \"Mon-Fri 01:00-06:00\")\n"
	    FIXTURES "/bad-allowlist.yaml:10:14: allowlist.domain: "
	    "'ex*mple.com': not a domain name\n"
	    FIXTURES "/bad-allowlist.yaml:11:15: allowlist.country: 'USA': not "
	    "a two-letter country code\n"
	    FIXTURES "/bad-allowlist.yaml:12:11: allowlist.asn: expected an AS "
	    "number (0..4294967295), got AS-1\n"
	    FIXTURES "/bad-allowlist.yaml:13:15: allowlist.schedule: bad "
	    "schedule 'daily 05:00-05:00': start and end are the same (e.g. "
	    "\"Mon-Fri 01:00-06:00\")\n"
	    FIXTURES "/bad-allowlist.yaml:14:11: allowlist.host: empty list "
	    "(leave the key out instead)\n"
	    FIXTURES "/bad-allowlist.yaml:15:5: allowlist: an entry must be a "
	    "mapping, got a single value");

	assert_string_equal(str_err("allowlist:\n  - prot: [1]\n    port: [2]\n"),
	    "t.yaml:2:5: allowlist: unknown key 'prot' (did you mean "
	    "'port'?)");
	assert_string_equal(str_err("allowlist:\n  - port: [1]\n    schedule: "
	    "\"Mon 24:00-01:00\"\n"),
	    "t.yaml:3:15: allowlist.schedule: bad schedule 'Mon 24:00-01:00': "
	    "a window cannot start at 24:00 (e.g. \"Mon-Fri 01:00-06:00\")");
	assert_string_equal(str_err("allowlist:\n  - port: [1]\n    schedule: "
	    "\"Mon 01:00-25:00\"\n"),
	    "t.yaml:3:15: allowlist.schedule: bad schedule 'Mon 01:00-25:00': "
	    "expected a time range HH:MM-HH:MM (e.g. \"Mon-Fri 01:00-06:00\")");
	assert_string_equal(str_err("allowlist:\n  - domain: [\"bücher.de\"]\n"),
	    "t.yaml:2:14: allowlist.domain: 'b??cher.de': not a domain name "
	    "(write IDNs as xn--)");
	assert_string_equal(str_err("allowlist:\n  - rules: [\"a b\"]\n"
	    "    port: [1]\n"),
	    "t.yaml:2:13: allowlist.rules: 'a b': not a rule id (letters, "
	    "digits, '_', '.', ':', '-')");
	assert_string_equal(str_err("allowlist: {port: 1}\n"),
	    "t.yaml:1:12: allowlist: expected a list, got a mapping");
	/* Only rules and a schedule: would silence those rules everywhere. */
	assert_string_equal(str_err("allowlist:\n  - rules: [x]\n    schedule: "
	    "daily 00:00-24:00\n"),
	    "t.yaml:2:5: allowlist: an entry needs at least one of destination, "
	    "country, asn, domain, port or host; without one it would silence "
	    "every alert");
}

static void
test_schedule_active(void **state)
{
	struct allow_sched night = { SCHED_ALL_DAYS, 22 * 60, 2 * 60 };
	struct allow_sched fri_night = { 1 << 5, 22 * 60, 2 * 60 };
	struct allow_sched office = { 0x3e, 8 * 60, 18 * 60 };
	struct allow_sched weekend = { 0x41, 0, 24 * 60 };

	(void)state;
	assert_true(config_schedule_active(&night, 3, 23 * 60));
	assert_true(config_schedule_active(&night, 3, 60));
	assert_true(config_schedule_active(&night, 3, 22 * 60));
	assert_false(config_schedule_active(&night, 3, 2 * 60));
	assert_false(config_schedule_active(&night, 3, 12 * 60));
	/* A window past midnight belongs to the day it starts on. */
	assert_true(config_schedule_active(&fri_night, 5, 23 * 60));
	assert_true(config_schedule_active(&fri_night, 6, 60));
	assert_false(config_schedule_active(&fri_night, 5, 60));
	assert_false(config_schedule_active(&fri_night, 6, 23 * 60));
	assert_true(config_schedule_active(&office, 1, 8 * 60));
	assert_true(config_schedule_active(&office, 5, 18 * 60 - 1));
	assert_false(config_schedule_active(&office, 5, 18 * 60));
	assert_false(config_schedule_active(&office, 0, 12 * 60));
	assert_false(config_schedule_active(&office, 6, 12 * 60));
	assert_true(config_schedule_active(&weekend, 0, 0));
	assert_true(config_schedule_active(&weekend, 6, 1439));
	assert_false(config_schedule_active(&weekend, 1, 0));
	assert_false(config_schedule_active(&weekend, 7, 0));
}

static void
test_utc_offset(void **state)
{
	static const struct {
		const char	*text;
		int		 secs;
	} ok[] = {
		{ "\"+00:00\"", 0 }, { "\"+05:30\"", 19800 },
		{ "-03:00", -10800 }, { "\"+14:00\"", 50400 },
		{ "\"-12:00\"", -43200 }, { "Z", 0 }, { "0", 0 },
		{ "\"+01\"", 3600 },
	};
	static const char *const bad[] = {
		"\"+14:30\"", "\"-12:30\"", "\"05:30\"", "\"+5:30\"",
		"\"+05:60\"", "UTC", "\"+05:30:00\"", "[1]",
	};
	char text[64];
	struct config *cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "utc_offset: %s\n", ok[i].text);
		cfg = str_ok(text);
		assert_int_equal(cfg->utc_offset, ok[i].secs);
		config_free(cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "utc_offset: %s\n", bad[i]);
		assert_non_null(strstr(str_err(text), "t.yaml:1:13: utc_offset: "
		    "expected an offset"));
	}
}

static void
test_dump_format(void **state)
{
	struct config *cfg;
	char *out;

	(void)state;
	cfg = str_ok("capture:\n  bpf: \"port 53 and \\\"x\\\"\"\nallowlist:\n"
	    "  - host: [\"@g\"]\n    comment: 'a # b'\n"
	    "host_groups:\n  g: [192.0.2.0/24]\n");
	out = dump_string(cfg);
	assert_non_null(strstr(out, "\n  bpf: \"port 53 and \\\"x\\\"\"\n"));
	assert_non_null(strstr(out, "\nhost_groups:\n  g: [\"192.0.2.0/24\"]\n"));
	assert_non_null(strstr(out, "\nallowlist:\n  - host: [\"@g\"]\n"
	    "    comment: \"a # b\"\n"));
	assert_non_null(strstr(out, "\nalerts:\n  syslog:\n    enabled: true\n"
	    "    facility: local5\n"));
	assert_non_null(strstr(out, "\n    remote:\n      host: \"\"\n"));
	assert_non_null(strstr(out, "\n  json_file: "));
	assert_null(strstr(out, " \n"));	/* no trailing blanks */
	free(out);
	config_free(cfg);
}

static void
test_err_buffer_bounds(void **state)
{
	char err[40];
	struct config *cfg;

	(void)state;
	memset(err, 'x', sizeof(err));
	cfg = config_load(FIXTURES "/bad-many.yaml", err, sizeof(err));
	assert_null(cfg);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(strncmp(err, FIXTURES "/bad-many.yaml:1:1:", 30), 0);
	/* A zero-length buffer is allowed. */
	assert_null(config_load(FIXTURES "/bad-many.yaml", NULL, 0));
}

/* Every bad fixture fails cleanly with errors naming that file. */
static void
test_bad_fixtures(void **state)
{
	char path[512], err[ERRLEN], *line, *save;
	struct config *cfg;
	struct dirent *de;
	DIR *dir;
	int n = 0;

	(void)state;
	dir = opendir(FIXTURES);
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "bad-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FIXTURES, de->d_name);
		if ((cfg = config_load(path, err, sizeof(err))) != NULL) {
			config_free(cfg);
			fail_msg("%s loaded", path);
		}
		assert_true(err[0] != '\0');
		for (line = strtok_r(err, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, path, strlen(path)) != 0 ||
			    line[strlen(path)] != ':')
				fail_msg("%s: error without position: %s", path,
				    line);
		}
		n++;
	}
	closedir(dir);
	assert_true(n >= 15);
}

static void
test_hostile_input(void **state)
{
	static const char laughs[] =
	    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	char err[ERRLEN], *buf;
	size_t len, i;

	(void)state;
	assert_null(config_load_string("l", laughs, sizeof(laughs) - 1, err,
	    sizeof(err)));
	assert_string_equal(err, "l:2:8: aliases (*a) are not supported");

	/* A 3 MB scalar: refused by length, not by running out of memory. */
	len = 3 << 20;
	buf = malloc(len + 32);
	assert_non_null(buf);
	memcpy(buf, "rules_dir: ", 11);
	memset(buf + 11, 'a', len);
	buf[11 + len] = '\n';
	assert_null(config_load_string("big", buf, len + 12, err,
	    sizeof(err)));
	assert_string_equal(err, "big:1:12: rules_dir: longer than 4095 "
	    "bytes");

	/* The same as a key. */
	memset(buf, 'k', len);
	memcpy(buf + len, ": 1\n", 4);
	assert_null(config_load_string("bigkey", buf, len + 4, err,
	    sizeof(err)));
	assert_true(strncmp(err, "bigkey:", 7) == 0);

	/* Deep block nesting. */
	for (i = len = 0; i < 2000; i++)
		len += (size_t)snprintf(buf + len, 128, "%*sk:\n",
		    (int)i % 100, "");
	assert_null(config_load_string("deep", buf, len, err, sizeof(err)));

	/* Embedded NUL bytes in input and in values. */
	assert_null(config_load_string("nul", "user: a\0b\n", 10, err,
	    sizeof(err)));
	assert_null(config_load_string("nul2", "user: \"a\\0b\"\n", 13, err,
	    sizeof(err)));
	assert_string_equal(err, "nul2:1:7: user: value contains a NUL byte");

	/* A value cannot split an error into two lines or forge one. */
	assert_string_equal(str_err("home_net: [\"10.0.0.0/8\\nt.yaml:1:1: "
	    "fake\"]\n"), "t.yaml:1:12: home_net: '10.0.0.0/8?t.yaml:1:1: "
	    "fake' has a bad prefix length (0..32)");
	free(buf);
}

/* Random byte damage to a valid file must never crash or leak. */
static void
test_mutations(void **state)
{
	char err[ERRLEN], *orig, *buf;
	struct config *cfg;
	uint64_t x = 88172645463325252ULL;
	size_t len, i, k;
	FILE *fp;
	long n;

	(void)state;
	fp = fopen(FIXTURES "/good-full.yaml", "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	orig = malloc((size_t)n);
	buf = malloc((size_t)n);
	assert_non_null(orig);
	assert_non_null(buf);
	len = fread(orig, 1, (size_t)n, fp);
	fclose(fp);
	for (i = 0; i < 3000; i++) {
		memcpy(buf, orig, len);
		for (k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[x % len] = "\0\n:-[]{}&*!|>'\"#%@`, \t9aZ./"[(x >> 32) %
			    28];
		}
		cfg = config_load_string("m", buf, len, err, sizeof(err));
		if (cfg != NULL) {
			char *d = dump_string(cfg);

			config_free(cfg);
			cfg = config_load_string("d", d, strlen(d), err,
			    sizeof(err));
			if (cfg == NULL)
				fail_msg("dump did not reload: %s\n%s", err, d);
			config_free(cfg);
			free(d);
		} else
			assert_true(err[0] != '\0');
	}
	free(orig);
	free(buf);
}

/* docs/configuration.md carries the reference generated from the table. */
static void
test_docs_match_table(void **state)
{
	static const char begin[] = "<!-- key reference:";
	static const char end[] = "<!-- end of key reference -->";
	const struct config_allow_key *ak;
	const struct config_opt *o;
	char *doc, *ref = NULL, *b, *e, *nl, want[256];
	size_t n, i, reflen = 0;
	FILE *fp;
	long len;

	(void)state;
	fp = fopen("docs/configuration.md", "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	doc = calloc(1, (size_t)len + 1);
	assert_non_null(doc);
	assert_int_equal(fread(doc, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);

	/* Every key is documented... */
	o = config_opts(&n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "`%s`", o[i].key);
		if (strstr(doc, want) == NULL)
			fail_msg("docs/configuration.md does not mention %s",
			    o[i].key);
	}
	ak = config_allow_keys(&n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "`%s`", ak[i].key);
		assert_non_null(strstr(doc, want));
	}
	assert_non_null(strstr(doc, "FILE:LINE:COLUMN"));
	assert_non_null(strstr(doc, "SIGHUP"));

	/* ...and the reference block is exactly what the table gives. */
	fp = open_memstream(&ref, &reflen);
	assert_non_null(fp);
	assert_int_equal(config_print_reference(fp), 0);
	fclose(fp);
	b = strstr(doc, begin);
	assert_non_null(b);
	nl = strchr(b, '\n');
	assert_non_null(nl);
	e = strstr(nl, end);
	assert_non_null(e);
	*e = '\0';
	if (strcmp(nl + 1, ref) != 0) {
		fp = fopen("/tmp/exfild-configuration-reference.md", "w");
		if (fp != NULL) {
			fputs(ref, fp);
			fclose(fp);
		}
		fail_msg("docs/configuration.md key reference is stale; the "
		    "current one is in /tmp/exfild-configuration-reference.md");
	}
	free(ref);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yamldoc_tree),
		cmocka_unit_test(test_yamldoc_readers),
		cmocka_unit_test(test_yamldoc_refusals),
		cmocka_unit_test(test_yamldoc_node_limit),
		cmocka_unit_test(test_yerr_bounded),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_good_fixtures_round_trip),
		cmocka_unit_test(test_good_full_values),
		cmocka_unit_test(test_empty_and_missing),
		cmocka_unit_test(test_exact_errors),
		cmocka_unit_test(test_many_errors_collected),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_misplaced_key_hint),
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_allowlist_errors),
		cmocka_unit_test(test_schedule_active),
		cmocka_unit_test(test_utc_offset),
		cmocka_unit_test(test_dump_format),
		cmocka_unit_test(test_err_buffer_bounds),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_docs_match_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
