/* test_rules.c: rule files into rulesets, and every kind of error. */
#include "testutil.h"

#include <stddef.h>

#include "rules.h"

/* A detector parameter struct of every type, standing in for a real one. */
struct fake_params {
	int64_t		 count;
	double		 ratio;
	xtime_t		 window;
	uint64_t	 size;
	int		 flag;
	char		 label[PARAM_STRLEN];
	int64_t		 unbounded;
	char		 ports[PARAM_STRLEN];
};

static const struct param_desc fake_table[] = {
	{ "count", PT_INT, offsetof(struct fake_params, count), 1, 100, "10",
	    "queries" },
	{ "ratio", PT_DOUBLE, offsetof(struct fake_params, ratio), 0, 1, "0.5",
	    "share" },
	{ "window", PT_DURATION, offsetof(struct fake_params, window), 1, 3600,
	    "5m", "window" },
	{ "size", PT_SIZE, offsetof(struct fake_params, size), 0, 1e9, "1MB",
	    "bytes" },
	{ "flag", PT_BOOL, offsetof(struct fake_params, flag), 0, 0, "false",
	    "a switch" },
	{ "label", PT_STRING, offsetof(struct fake_params, label), 0, 0, "none",
	    "text" },
	{ "unbounded", PT_INT, offsetof(struct fake_params, unbounded), 0, 0,
	    "-3", "no bounds" },
	{ "ports", PT_PORTS, offsetof(struct fake_params, ports), 0, 0,
	    "80, 8080", "a port list" },
	{ NULL, PT_INT, 0, 0, 0, NULL, NULL }
};

static const struct param_desc *
fake_lookup(enum detector d, size_t *size)
{
	if (d == DET_DNS_TUNNEL) {
		*size = sizeof(struct fake_params);
		return fake_table;
	}
	*size = 0;
	return NULL;
}

static const struct param_desc *
null_lookup(enum detector d, size_t *size)
{
	(void)d;
	*size = 0;
	return NULL;
}

/* Every error of loading DIR, or NULL when it loaded. */
static char *
load_errors(const char *dir)
{
	struct yerrs e;
	struct ruleset *rs;
	char *s = NULL;

	memset(&e, 0, sizeof(e));
	rs = rules_load(dir, fake_lookup, &e);
	if (rs == NULL) {
		s = strdup(yerr_str(&e));
		assert_true(e.count > 0);
	} else
		assert_int_equal(e.count, 0);
	rules_free(rs);
	yerr_free(&e);
	return s;
}

static void
test_good(void **state)
{
	const struct fake_params *fp;
	const struct rule *r;
	struct ruleset *rs;
	struct yerrs e;

	(void)state;
	memset(&e, 0, sizeof(e));
	rs = rules_load("tests/rules/good", fake_lookup, &e);
	assert_string_equal(yerr_str(&e), "");
	assert_non_null(rs);
	/* .hidden.yaml and notes.txt are not read; files in name order */
	assert_int_equal(rules_count(rs), 4);
	assert_string_equal(rules_get(rs, 0)->id, "T-DNS-001");
	assert_string_equal(rules_get(rs, 1)->id, "T-DNS-OLD");
	assert_string_equal(rules_get(rs, 2)->id, "T-VOL-001");
	assert_string_equal(rules_get(rs, 3)->id, "T-COR-001");
	assert_null(rules_get(rs, 4));

	r = rules_for(rs, DET_DNS_TUNNEL);
	assert_non_null(r);
	assert_string_equal(r->id, "T-DNS-001");
	assert_string_equal(r->name, "Tunnel");
	assert_string_equal(r->description, "Two lines\nof description.\n");
	assert_int_equal(r->severity, SEV_HIGH);
	assert_int_equal(r->risk_score, 80);
	assert_true(r->enabled);
	assert_true(r->alert);
	assert_int_equal(r->ntactics, 2);
	assert_string_equal(r->tactic[0], "TA0010");
	assert_string_equal(r->tactic[1], "TA0011");
	assert_int_equal(r->ntechniques, 2);
	assert_string_equal(r->technique[0], "T1048.003");
	assert_string_equal(r->technique[1], "T1071.004");
	assert_string_equal(r->file, "tests/rules/good/10-first.yaml");
	assert_int_equal(r->line, 2);
	assert_int_equal(r->col, 3);
	assert_int_equal(r->params_size, sizeof(struct fake_params));
	assert_int_equal(r->nparams_set, 7);
	fp = r->params;
	assert_int_equal(fp->count, 42);
	assert_true(fp->ratio == 0.25);
	assert_int_equal(fp->window, 90 * XT_SEC);
	assert_int_equal(fp->size, 1572864);
	assert_int_equal(fp->flag, 1);
	assert_string_equal(fp->label, "tunnel");
	assert_int_equal(fp->unbounded, -3);	/* the default */
	assert_string_equal(fp->ports, "853, 8443");

	r = rules_find(rs, "T-DNS-OLD");
	assert_non_null(r);
	assert_false(r->enabled);
	assert_int_equal(r->risk_score, 21);	/* default: ECS low */
	assert_int_equal(r->ntactics, 1);	/* a single id, not a list */
	assert_string_equal(r->description, "");
	fp = r->params;				/* defaults only */
	assert_int_equal(r->nparams_set, 0);
	assert_int_equal(fp->count, 10);
	assert_int_equal(fp->window, 5 * XT_MIN);
	assert_int_equal(fp->size, 1000000);
	assert_string_equal(fp->label, "none");

	r = rules_for(rs, DET_VOLUME);
	assert_non_null(r);
	assert_false(r->alert);
	assert_int_equal(r->risk_score, 47);
	assert_null(r->params);			/* no table for volume */

	r = rules_for(rs, DET_CORRELATION);	/* name is case-blind */
	assert_non_null(r);
	assert_int_equal(r->severity, SEV_CRITICAL);
	assert_int_equal(r->risk_score, 0);
	assert_int_equal(r->ntactics, 0);

	assert_null(rules_for(rs, DET_ICMP_LARGE));
	assert_null(rules_for(rs, DET_NONE));
	assert_null(rules_for(rs, DET_MAX));
	assert_null(rules_find(rs, "nope"));
	rules_free(rs);
	yerr_free(&e);
}

static const struct {
	const char	*dir;
	const char	*errors;
} error_cases[] = {
	{ "tests/rules/bad-detector",
	  "tests/rules/bad-detector/rules.yaml:3:13: detector: unknown "
	  "detector 'dns_tunel' (one of: volume, dns_tunnel, dns_failures, "
	  "dns_long_txt, dns_nonstandard_port, port53_not_dns, icmp_tunnel, "
	  "icmp_large, http_archive_post, http_recon_post, "
	  "http_large_upload, http_numeric_host, tls_snicat, "
	  "tls_high_volume, tls_no_sni_upload, cloud_upload, port_mismatch, "
	  "unknown_protocol_upload, dns_encrypted_tunnel, threat_intel, "
	  "correlation)" },
	{ "tests/rules/bad-keys",
	  "tests/rules/bad-keys/rules.yaml:4:13: severity: expected low, "
	  "medium, high or critical, got 'severe'\n"
	  "tests/rules/bad-keys/rules.yaml:5:15: risk_score: 150 is out of "
	  "range 0..100\n"
	  "tests/rules/bad-keys/rules.yaml:6:12: enabled: expected true or "
	  "false, got 'sometimes'\n"
	  "tests/rules/bad-keys/rules.yaml:7:3: unknown key 'colour' in rule "
	  "(known: id, name, description, detector, enabled, alert, "
	  "severity, risk_score, mitre, params)\n"
	  "tests/rules/bad-keys/rules.yaml:8:7: id: 'bad id!' is not a rule "
	  "id (letters, digits, '_', '.', ':', '-')\n"
	  "tests/rules/bad-keys/rules.yaml:8:3: rule 'bad id!': missing "
	  "severity\n"
	  "tests/rules/bad-keys/rules.yaml:11:3: rule without an id\n"
	  "tests/rules/bad-keys/rules.yaml:14:3: a rule must be a mapping, "
	  "got a single value" },
	{ "tests/rules/bad-mitre",
	  "tests/rules/bad-mitre/rules.yaml:6:22: mitre.tactic: 'TA10' is "
	  "not a MITRE ATT&CK tactic id (TA0010)\n"
	  "tests/rules/bad-mitre/rules.yaml:6:28: mitre.tactic: "
	  "'exfiltration' is not a MITRE ATT&CK tactic id (TA0010)\n"
	  "tests/rules/bad-mitre/rules.yaml:7:17: mitre.technique: "
	  "'T1048.03' is not a MITRE ATT&CK technique id (T1048 or "
	  "T1048.003)\n"
	  "tests/rules/bad-mitre/rules.yaml:7:34: mitre.technique: 'T1041' "
	  "is listed twice\n"
	  "tests/rules/bad-mitre/rules.yaml:8:5: mitre: unknown key "
	  "'subtechnique' (known: tactic, technique)" },
	{ "tests/rules/bad-top",
	  "tests/rules/bad-top/rules.yaml:1:1: unknown key 'version' (a rule "
	  "file holds a list of rules, or 'rules:' and that list)\n"
	  "tests/rules/bad-top/rules.yaml:3:3: expected a list of rules, got "
	  "a mapping" },
	{ "tests/rules/dup-id",
	  "tests/rules/dup-id/b.yaml:3:9: duplicate rule id 'x-1' (first at "
	  "tests/rules/dup-id/a.yaml:1:7)" },
	{ "tests/rules/no-params",
	  "tests/rules/no-params/rules.yaml:6:5: params: detector 'volume' "
	  "takes no parameters" },
	{ "tests/rules/param-bounds",
	  "tests/rules/param-bounds/rules.yaml:6:12: params.count: 1000 is "
	  "out of range 1..100\n"
	  "tests/rules/param-bounds/rules.yaml:7:12: params.ratio: 1.5 is out "
	  "of range 0..1\n"
	  "tests/rules/param-bounds/rules.yaml:8:13: params.window: 2h is out "
	  "of range 1s..1h\n"
	  "tests/rules/param-bounds/rules.yaml:9:11: params.size: 2GB is out "
	  "of range 0B..1GB\n"
	  "tests/rules/param-bounds/rules.yaml:10:11: params.flag: expected "
	  "true or false, got 'maybe'\n"
	  "tests/rules/param-bounds/rules.yaml:11:12: params.label: expected "
	  "a string, got a list\n"
	  "tests/rules/param-bounds/rules.yaml:12:12: params.ports: "
	  "'443, 8o8o': not a port number (expected up to 16 ports "
	  "1-65535 separated by commas)" },
	{ "tests/rules/syntax",
	  "tests/rules/syntax/rules.yaml:3:11: syntax error: did not find "
	  "expected ',' or ']' (while parsing a flow sequence at line 2 "
	  "column 9)" },
	{ "tests/rules/two-enabled",
	  "tests/rules/two-enabled/a.yaml:12:13: detector 'icmp_tunnel' "
	  "already has an enabled rule, 'X-1' at "
	  "tests/rules/two-enabled/a.yaml:3:13; set enabled: false on one of "
	  "them" },
	{ "tests/rules/unknown-param",
	  "tests/rules/unknown-param/rules.yaml:7:5: params: unknown "
	  "parameter 'treshold' for detector 'dns_tunnel' (known: count, "
	  "ratio, window, size, flag, label, unbounded, ports)" },
	{ "tests/rules/does-not-exist",
	  "tests/rules/does-not-exist: cannot open rules directory: No such "
	  "file or directory" },
};

static void
test_errors(void **state)
{
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		s = load_errors(error_cases[i].dir);
		assert_non_null(s);
		if (strcmp(s, error_cases[i].errors) != 0)
			fprintf(stderr, "%s: got\n%s\n", error_cases[i].dir, s);
		assert_string_equal(s, error_cases[i].errors);
		free(s);
	}
}

static int
has_id(const char (*ids)[RULE_TECH_LEN], int n, const char *id)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

static int
has_tactic(const struct rule *r, const char *id)
{
	int i;

	for (i = 0; i < r->ntactics; i++)
		if (strcmp(r->tactic[i], id) == 0)
			return 1;
	return 0;
}

/* The shipped rules: one enabled rule per detector, no parameters set. */
static void
test_shipped(void **state)
{
	static const struct {
		enum detector	 det;
		const char	*tactic;
		const char	*technique;
	} want[] = {
		{ DET_VOLUME, "TA0010", "T1041" },
		{ DET_DNS_TUNNEL, "TA0011", "T1048.003" },
		{ DET_DNS_TUNNEL, "TA0010", "T1071.004" },
		{ DET_DNS_LONG_TXT, "TA0011", "T1071.004" },
		{ DET_ICMP_TUNNEL, "TA0011", "T1095" },
		{ DET_HTTP_ARCHIVE_POST, "TA0009", "T1560" },
		{ DET_HTTP_ARCHIVE_POST, "TA0010", "T1048.003" },
		{ DET_HTTP_RECON_POST, "TA0007", "T1048.003" },
		{ DET_TLS_SNICAT, "TA0010", "T1071.001" },
		{ DET_CLOUD_UPLOAD, "TA0010", "T1567.002" },
		{ DET_PORT_MISMATCH, "TA0011", "T1571" },
		{ DET_DNS_ENCRYPTED, "TA0011", "T1572" },
		{ DET_INTEL, "TA0011", "T1071" },
		{ DET_CORRELATION, "TA0010", NULL },
	};
	rules_lookup_fn lookups[2] = { null_lookup, fake_lookup };
	const struct rule *r;
	struct ruleset *rs;
	struct yerrs e;
	size_t i;
	int d, l;

	(void)state;
	for (l = 0; l < 2; l++) {
		memset(&e, 0, sizeof(e));
		rs = rules_load("rules", lookups[l], &e);
		assert_string_equal(yerr_str(&e), "");
		assert_non_null(rs);
		assert_int_equal(rs->nfiles, 9);
		for (d = DET_NONE + 1; d < DET_MAX; d++) {
			r = rules_for(rs, (enum detector)d);
			if (r == NULL)
				fprintf(stderr, "no rule for %s\n",
				    detector_name((enum detector)d));
			assert_non_null(r);
			assert_true(r->ntactics >= 1);
			assert_true(r->risk_score > 0);
			assert_true(r->name[0] != '\0');
			assert_true(r->description[0] != '\0');
			assert_int_equal(r->nparams_set, 0);
		}
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			r = rules_for(rs, want[i].det);
			assert_true(has_tactic(r, want[i].tactic));
			if (want[i].technique != NULL)
				assert_true(has_id(r->technique, r->ntechniques,
				    want[i].technique));
		}
		r = rules_for(rs, DET_DNS_TUNNEL);
		if (l == 1) {	/* defaults filled from the table */
			assert_non_null(r->params);
			assert_int_equal(
			    ((const struct fake_params *)r->params)->count, 10);
		} else
			assert_null(r->params);
		rules_free(rs);
		yerr_free(&e);
	}
}

static void
test_param_defaults(void **state)
{
	struct param_desc bad[2];
	struct fake_params fp;
	char err[256];

	(void)state;
	assert_int_equal(params_default(fake_table, &fp, sizeof(fp),
	    err, sizeof(err)), 0);
	assert_int_equal(fp.count, 10);
	assert_true(fp.ratio == 0.5);
	assert_int_equal(fp.window, 300 * XT_SEC);
	assert_int_equal(fp.flag, 0);

	memset(bad, 0, sizeof(bad));
	bad[0] = fake_table[0];
	bad[0].def = "1000";
	assert_int_equal(params_default(bad, &fp, sizeof(fp), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "parameter 'count': default '1000' is out "
	    "of range 1..100");
	bad[0] = fake_table[2];
	bad[0].def = "5 parsecs";
	assert_int_equal(params_default(bad, &fp, sizeof(fp), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "parameter 'window': bad default "
	    "'5 parsecs': unknown unit");
	bad[0] = fake_table[7];
	bad[0].def = "80, 0";
	assert_int_equal(params_default(bad, &fp, sizeof(fp), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "parameter 'ports': bad default '80, 0': "
	    "port out of range 1-65535");
	bad[0] = fake_table[5];
	bad[0].off = sizeof(fp) - 8;	/* a string would run past the end */
	assert_int_equal(params_default(bad, &fp, sizeof(fp), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "lies outside"));
}

/* rules/cloud-storage.txt: clean suffixes, no duplicates, the key ones. */
static void
test_cloud_list(void **state)
{
	static const char *const must[] = {
		"mega.nz", "mega.io", "dropbox.com", "dropboxusercontent.com",
		"wetransfer.com", "transfer.sh", "file.io", "pastebin.com",
		"paste.ee", "hastebin.com", "gofile.io", "sendspace.com",
		"mediafire.com", "4shared.com", "s3.amazonaws.com",
		"storage.googleapis.com", "blob.core.windows.net", NULL
	};
	char line[512], seen[256][128];
	size_t n = 0, i, len;
	int j, found;
	FILE *fp;

	(void)state;
	fp = fopen("rules/cloud-storage.txt", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\n");
		line[len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		assert_true(len < sizeof(seen[0]));
		assert_non_null(strchr(line, '.'));
		assert_true(line[0] != '.' && line[len - 1] != '.');
		for (i = 0; i < len; i++)
			assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz"
			    "0123456789.-", line[i]));
		for (i = 0; i < n; i++)
			assert_string_not_equal(seen[i], line);
		assert_true(n < 256);
		memcpy(seen[n++], line, len + 1);
	}
	fclose(fp);
	for (j = 0; must[j] != NULL; j++) {
		for (found = 0, i = 0; i < n; i++)
			found |= strcmp(seen[i], must[j]) == 0;
		if (!found)
			fprintf(stderr, "missing %s\n", must[j]);
		assert_true(found);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_param_defaults),
		cmocka_unit_test(test_cloud_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
