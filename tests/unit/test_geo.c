/*
 * test_geo.c: geo lookups against databases built here from a table
 * (tests/tools/mkmmdb.pl), against MaxMind's and Suricata's published test
 * databases, against corrupt and hostile files, and the cache's behaviour.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <time.h>

#include "testutil.h"
#include "geo.h"

#define MKMMDB		"tests/tools/mkmmdb.pl"

struct fixture {
	char	 dir[64];	/* temporary directory, removed at the end */
	int	 built;		/* mkmmdb.pl produced out/ and out2/ */
	int	 hostile;	/* the hostile databases exist */
};

/* Networks exactly as the daemon's operators would write them. */
static const char geo_tsv[] =
    "network\tcountry\tregion\tasn\torg\n"
    "# documentation ranges, which the writer must keep\n"
    "198.51.100.0/24\tUS\tUS-VA\t64500\tExample Transit\n"
    "203.0.113.0/25\tGB\tGB-ENG\t64501\tExample Ltd\n"
    "203.0.113.128/25\tSE\t-\t0\t-\n"
    "10.20.0.0/16\t-\t-\t64502\tInternal Org\n"
    "2001:db8:1::/48\tJP\tJP-13\t64503\tJP Example\n"
    "2001:db8:2::/48\tDE\tDE-BE\t-\t-\n"
    "192.0.2.1\tFR\tFR-IDF\t4200000000\t"
    "T\xc3\xa9l\xc3\xa9phonie Organisation With A Name That Run\xc3\xa9s Past "
    "The Field\n";

/* A second city database that disagrees with the first one. */
static const char geo_tsv2[] =
    "198.51.100.0/24\tCA\tCA-QC\t-\t-\n"
    "100.64.0.0/16\tNZ\tNZ-AUK\t-\t-\n";

/*
 * Databases no real vendor ships: wrong value types, malformed codes,
 * control characters, out-of-range numbers.  One file per shape because the
 * writer types values by map key.
 */
static const char *const hostile_pl[] = {
	"use strict; use warnings; use utf8;",
	"use MaxMind::DB::Writer::Tree;",
	"my $out = shift;",
	"sub db {",
	"  my ($name, $types, $rec) = @_;",
	"  my $t = MaxMind::DB::Writer::Tree->new(ip_version => 6,",
	"    record_size => 24, database_type => $name, languages => ['en'],",
	"    description => { en => $name }, alias_ipv6_to_ipv4 => 1,",
	"    remove_reserved_networks => 0,",
	"    map_key_type_callback => sub { $types->{$_[0]} });",
	"  $t->insert_network($_, $rec)",
	"    for ('198.51.100.0/24', '2001:db8::/32');",
	"  open(my $fh, '>:raw', \"$out/$name.mmdb\") or die \"$name: $!\";",
	"  $t->write_tree($fh);",
	"  close($fh) or die \"$name: $!\";",
	"}",
	"db('wrongtypes', { country => 'map', iso_code => 'uint32',",
	"    subdivisions => 'map' },",
	"    { country => { iso_code => 7 },",
	"    subdivisions => { iso_code => 9 } });",
	"db('badcodes', { country => ['array', 'utf8_string'],",
	"    registered_country => 'map', iso_code => 'utf8_string',",
	"    subdivisions => ['array', 'map'] },",
	"    { country => ['US'], registered_country => { iso_code => 'de' },",
	"    subdivisions => [{ iso_code => 'ABCD' }] });",
	"db('registered', { country => 'map', registered_country => 'map',",
	"    iso_code => 'utf8_string', subdivisions => ['array', 'map'] },",
	"    { country => { iso_code => \"U\\0\" },",
	"    registered_country => { iso_code => 'SE' },",
	"    subdivisions => [{ iso_code => 'AB' }] });",
	"db('asnstring', { autonomous_system_number => 'utf8_string',",
	"    autonomous_system_organization => 'utf8_string' },",
	"    { autonomous_system_number => '64500',",
	"    autonomous_system_organization =>",
	"    \"A\\x01B\\n\\x7f\\x{85}C\" . (\"\\x{e9}\" x 30) });",
	"db('asnhuge', { autonomous_system_number => 'uint64',",
	"    autonomous_system_organization => 'bytes' },",
	"    { autonomous_system_number => 1099511627776,",
	"    autonomous_system_organization => 'Example' });",
	"db('asnneg', { autonomous_system_number => 'int32',",
	"    autonomous_system_organization => 'uint32' },",
	"    { autonomous_system_number => -5,",
	"    autonomous_system_organization => 7 });",
	"db('asn16', { autonomous_system_number => 'uint16',",
	"    autonomous_system_organization => 'utf8_string' },",
	"    { autonomous_system_number => 123,",
	"    autonomous_system_organization => 'QQINVALIDUTF8QQ' });",
	NULL
};

/* Same length as the placeholder: stray, overlong, cut and surrogate. */
static const char invalid_utf8[] =
    "\xff" "A" "\xc0\x80" "B" "\xe2\x82" "C" "\xed\xa0\x80" "D" "\xf8" "EF";

static int
write_file(const char *path, const void *buf, size_t len)
{
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	if (len > 0 && fwrite(buf, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static long
read_file(const char *path, char *buf, size_t len)
{
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(buf, 1, len, fp);
	fclose(fp);
	return (long)n;
}

/* Replace the placeholder organisation with malformed UTF-8 in place. */
static int
patch_invalid_utf8(const char *path)
{
	static char buf[65536];
	const char *pl = "QQINVALIDUTF8QQ";
	long n, i;

	if ((n = read_file(path, buf, sizeof buf)) <= 0)
		return -1;
	for (i = 0; i + (long)strlen(pl) <= n; i++) {
		if (memcmp(buf + i, pl, strlen(pl)) == 0) {
			memcpy(buf + i, invalid_utf8, strlen(pl));
			return write_file(path, buf, (size_t)n);
		}
	}
	return -1;
}

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	struct fixture *fx;
	char path[256], cmd[512];
	FILE *fp;
	int i;

	if ((fx = calloc(1, sizeof *fx)) == NULL)
		return -1;
	*state = fx;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/exfild-geo-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	if (run("perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null") == -1) {
		fprintf(stderr, "skip: MaxMind::DB::Writer not installed\n");
		return 0;
	}

	snprintf(path, sizeof path, "%s/in.tsv", fx->dir);
	if (write_file(path, geo_tsv, strlen(geo_tsv)) == -1)
		return -1;
	snprintf(path, sizeof path, "%s/in2.tsv", fx->dir);
	if (write_file(path, geo_tsv2, strlen(geo_tsv2)) == -1)
		return -1;
	snprintf(cmd, sizeof cmd, "perl %s %s/in.tsv %s/out && "
	    "perl %s %s/in2.tsv %s/out2", MKMMDB, fx->dir, fx->dir,
	    MKMMDB, fx->dir, fx->dir);
	fx->built = run(cmd) == 0;

	snprintf(path, sizeof path, "%s/hostile.pl", fx->dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	for (i = 0; hostile_pl[i] != NULL; i++)
		fprintf(fp, "%s\n", hostile_pl[i]);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "perl %s/hostile.pl %s", fx->dir, fx->dir);
	snprintf(path, sizeof path, "%s/asn16.mmdb", fx->dir);
	fx->hostile = run(cmd) == 0 && patch_invalid_utf8(path) == 0;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	if (fx == NULL)
		return 0;
	if (strncmp(fx->dir, "/tmp/exfild-geo-", 16) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
		(void)run(cmd);
	}
	free(fx);
	return 0;
}

static const char *
fx_path(const struct fixture *fx, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fx->dir, rel);
	return buf;
}

static void
lookup(struct geo *g, const char *ip, struct geo_info *gi)
{
	addr_t a;

	assert_int_equal(addr_pton(ip, &a), 0);
	geo_lookup(g, &a, gi);
}

/* Check every field of one answer; "" and 0 mean unknown. */
static void
expect(struct geo *g, const char *ip, const char *cc, const char *region,
    uint32_t asn, const char *org)
{
	struct geo_info gi;

	lookup(g, ip, &gi);
	if (strcmp(gi.country, cc) != 0 || strcmp(gi.region, region) != 0 ||
	    gi.asn != asn || strcmp(gi.as_org, org) != 0)
		fprintf(stderr, "%s: got %s/%s/%u/%s want %s/%s/%u/%s\n", ip,
		    gi.country, gi.region, gi.asn, gi.as_org, cc, region, asn,
		    org);
	assert_string_equal(gi.country, cc);
	assert_string_equal(gi.region, region);
	assert_int_equal(gi.asn, asn);
	assert_string_equal(gi.as_org, org);
	assert_int_equal(!!(gi.flags & GEO_KNOWN_COUNTRY), cc[0] != '\0');
	assert_int_equal(!!(gi.flags & GEO_KNOWN_REGION), region[0] != '\0');
	assert_int_equal(!!(gi.flags & GEO_KNOWN_ASN), asn != 0);
	assert_int_equal(!!(gi.flags & GEO_KNOWN_ORG), org[0] != '\0');
}

static int
utf8_clean(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n, i;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2;
		else if ((*p & 0xf0) == 0xe0)
			n = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

/* Whatever a database says, an answer has these shapes. */
static void
expect_wellformed(const struct geo_info *gi)
{
	size_t n;

	n = strnlen(gi->country, sizeof gi->country);
	assert_true(n == 0 || n == 2);
	if (n == 2)
		assert_true(gi->country[0] >= 'A' && gi->country[0] <= 'Z' &&
		    gi->country[1] >= 'A' && gi->country[1] <= 'Z');
	n = strnlen(gi->region, sizeof gi->region);
	assert_true(n == 0 || (n >= 4 && n <= 6 && gi->region[2] == '-'));
	assert_true(strnlen(gi->as_org, sizeof gi->as_org) < sizeof gi->as_org);
	assert_true(utf8_clean(gi->as_org));
	assert_int_equal(!!(gi->flags & GEO_KNOWN_COUNTRY),
	    gi->country[0] != 0);
	assert_int_equal(!!(gi->flags & GEO_KNOWN_REGION), gi->region[0] != 0);
	assert_int_equal(!!(gi->flags & GEO_KNOWN_ASN), gi->asn != 0);
	assert_int_equal(!!(gi->flags & GEO_KNOWN_ORG), gi->as_org[0] != 0);
}

static void
open_or_fail(struct geo *g, const char *country, const char *city,
    const char *asn, size_t cache)
{
	char err[512];

	err[0] = '\0';
	if (geo_open(g, country, city, asn, cache, err, sizeof err) == -1)
		fail_msg("geo_open: %s", err);
}

/* (a) Databases built from a table answer exactly what the table says. */
static void
test_generated(void **state)
{
	struct fixture *fx = *state;
	char c[256], ci[256], a[256];
	struct geo g;
	struct geo_info gi;

	if (!fx->built)
		skip();
	open_or_fail(&g, fx_path(fx, "out/country.mmdb", c, sizeof c),
	    fx_path(fx, "out/city.mmdb", ci, sizeof ci),
	    fx_path(fx, "out/asn.mmdb", a, sizeof a), 1024);
	assert_true(geo_enabled(&g));

	expect(&g, "198.51.100.77", "US", "US-VA", 64500, "Example Transit");
	expect(&g, "::ffff:198.51.100.0", "US", "US-VA", 64500,
	    "Example Transit");
	expect(&g, "203.0.113.5", "GB", "GB-ENG", 64501, "Example Ltd");
	expect(&g, "203.0.113.127", "GB", "GB-ENG", 64501, "Example Ltd");
	expect(&g, "203.0.113.128", "SE", "", 0, "");
	expect(&g, "10.20.255.1", "", "", 64502, "Internal Org");
	expect(&g, "2001:db8:1::42", "JP", "JP-13", 64503, "JP Example");
	expect(&g, "2001:db8:1:ffff:ffff:ffff:ffff:ffff", "JP", "JP-13", 64503,
	    "JP Example");
	expect(&g, "2001:db8:2:abcd::1", "DE", "DE-BE", 0, "");

	/* Cut before the e-acute that would straddle the field's end. */
	expect(&g, "192.0.2.1", "FR", "FR-IDF", 4200000000u,
	    "T\xc3\xa9l\xc3\xa9phonie Organisation With A Name That Run");
	lookup(&g, "192.0.2.1", &gi);
	assert_int_equal(strlen(gi.as_org), GEO_ORG_LEN - 2);
	assert_int_equal(gi.flags & GEO_REGISTERED, 0);

	/* Not in any table row. */
	expect(&g, "192.0.2.2", "", "", 0, "");
	expect(&g, "8.8.8.8", "", "", 0, "");
	expect(&g, "10.21.0.1", "", "", 0, "");
	expect(&g, "2001:db8:3::1", "", "", 0, "");
	expect(&g, "::", "", "", 0, "");
	lookup(&g, "2001:db8:3::1", &gi);
	assert_int_equal(gi.flags, 0);
	geo_close(&g);
}

/*
 * The country database decides the country; the city database fills it
 * when the country database does not know the address, and always gives
 * the region with its own country.
 */
static void
test_precedence(void **state)
{
	struct fixture *fx = *state;
	char c[256], ci[256];
	struct geo g;

	if (!fx->built)
		skip();
	open_or_fail(&g, fx_path(fx, "out/country.mmdb", c, sizeof c),
	    fx_path(fx, "out2/city.mmdb", ci, sizeof ci), NULL, 64);
	expect(&g, "198.51.100.1", "US", "CA-QC", 0, "");
	expect(&g, "100.64.3.4", "NZ", "NZ-AUK", 0, "");
	expect(&g, "203.0.113.1", "GB", "", 0, "");
	geo_close(&g);

	/* City alone: country from the city record. */
	open_or_fail(&g, NULL, fx_path(fx, "out/city.mmdb", ci, sizeof ci),
	    "", 64);
	expect(&g, "198.51.100.1", "US", "US-VA", 0, "");
	expect(&g, "2001:db8:1::1", "JP", "JP-13", 0, "");
	geo_close(&g);

	/* Country alone: no region. */
	open_or_fail(&g, fx_path(fx, "out/country.mmdb", c, sizeof c), "", NULL,
	    0);
	expect(&g, "198.51.100.1", "US", "", 0, "");
	expect(&g, "2001:db8:2::1", "DE", "", 0, "");
	geo_close(&g);

	/* A database of the wrong kind in a slot answers nothing. */
	open_or_fail(&g, fx_path(fx, "out/asn.mmdb", c, sizeof c), NULL, NULL,
	    0);
	expect(&g, "198.51.100.1", "", "", 0, "");
	geo_close(&g);
}

/* (b) MaxMind's test databases; expected values from MANIFEST.md. */
static void
test_maxmind(void **state)
{
	char c[512], ci[512], a[512];
	struct geo g;
	struct geo_info gi;

	(void)state;
	SKIP_UNLESS_PCAP(c, "maxmind/test-data/GeoIP2-Country-Test.mmdb");
	SKIP_UNLESS_PCAP(ci, "maxmind/test-data/GeoIP2-City-Test.mmdb");
	SKIP_UNLESS_PCAP(a, "maxmind/test-data/GeoLite2-ASN-Test.mmdb");
	open_or_fail(&g, c, ci, a, 256);

	expect(&g, "89.160.20.112", "SE", "SE-E", 29518, "Bredband2 AB");
	expect(&g, "216.160.83.56", "US", "US-WA", 209, "");
	expect(&g, "81.2.69.142", "GB", "GB-ENG", 0, "");
	expect(&g, "2.125.160.216", "GB", "GB-ENG", 0, "");
	expect(&g, "175.16.199.0", "CN", "CN-22", 0, "");
	expect(&g, "67.43.156.0", "BT", "", 35908, "");
	expect(&g, "149.101.100.0", "US", "", 6167, "CELLCO-PART");
	expect(&g, "1.128.0.0", "", "", 1221, "Telstra Pty Ltd");
	expect(&g, "12.81.92.0", "", "", 7018, "AT&T Services");
	/* Anycast: a record with neither country nor registered_country. */
	expect(&g, "214.1.1.0", "", "", 721, "DoD Network Information Center");
	expect(&g, "2001:218::1", "JP", "", 0, "");
	expect(&g, "2001:1700::1", "", "", 6730, "Sunrise Communications AG");
	expect(&g, "127.0.0.1", "", "", 0, "");
	lookup(&g, "89.160.20.112", &gi);
	assert_int_equal(gi.flags & GEO_REGISTERED, 0);
	geo_close(&g);

	/* GeoLite2-City alone gives the country and region too. */
	SKIP_UNLESS_PCAP(ci, "maxmind/test-data/GeoLite2-City-Test.mmdb");
	open_or_fail(&g, "", ci, "", 0);
	expect(&g, "89.160.20.112", "SE", "SE-E", 0, "");
	expect(&g, "2001:218::1", "JP", "", 0, "");
	geo_close(&g);
}

/* (c) Suricata's IPv4-only country database. */
static void
test_suricata(void **state)
{
	char c[512];
	struct geo g;
	struct geo_stats st;

	(void)state;
	SKIP_UNLESS_PCAP(c, "suricata-verify/suricata-geoip-test.mmdb");
	open_or_fail(&g, c, NULL, NULL, 16);
	expect(&g, "123.125.71.29", "FR", "", 0, "");
	expect(&g, "82.165.177.154", "DE", "", 0, "");
	expect(&g, "82.165.177.155", "", "", 0, "");
	expect(&g, "1.1.1.1", "", "", 0, "");
	/* IPv6 asked of an IPv4-only file is unknown, not an error. */
	expect(&g, "2001:db8::1", "", "", 0, "");
	geo_stats(&g, &st);
	assert_int_equal(st.errors, 0);
	geo_close(&g);
}

/* Addresses to throw at a database that may be corrupt. */
static const char *const probe_ips[] = {
	"0.0.0.0", "1.1.1.1", "1.2.3.4", "81.2.69.142", "89.160.20.112",
	"127.0.0.1", "198.51.100.1", "216.160.83.56", "255.255.255.255",
	"::", "::1", "::1.2.3.4", "2001:218::1", "2001:db8::1",
	"2002:102:304::", "2001::1", "fe80::1",
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	NULL
};

static void
probe(struct geo *g)
{
	struct geo_info gi;
	addr_t a;
	uint32_t x = 2463534242u;
	char buf[256];
	int i, j;

	for (i = 0; probe_ips[i] != NULL; i++) {
		lookup(g, probe_ips[i], &gi);
		expect_wellformed(&gi);
	}
	/* Spread addresses over both trees (xorshift32). */
	for (i = 0; i < 512; i++) {
		memset(&a, 0, sizeof a);
		for (j = 0; j < 16; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			a.a[j] = (uint8_t)x;
		}
		if (i & 1)
			addr_from_v4(&a, a.a);
		geo_lookup(g, &a, &gi);
		expect_wellformed(&gi);
	}
	geo_describe(g, buf, sizeof buf);
	assert_true(strlen(buf) < sizeof buf);
}

/*
 * A file either refuses to open, with the slot and path in the message, or
 * opens and every lookup answers something well-formed.
 */
static void
try_bad(const char *path, int *opened, int *refused)
{
	static const char *const slot[] = { "country", "city", "asn" };
	struct geo g;
	char err[1024];
	int s;

	for (s = 0; s < 3; s++) {
		memset(err, 0, sizeof err);
		if (geo_open(&g, s == 0 ? path : NULL, s == 1 ? path : NULL,
		    s == 2 ? path : NULL, 64, err, sizeof err) == -1) {
			if (strstr(err, path) == NULL ||
			    strstr(err, slot[s]) == NULL)
				fail_msg("error does not name %s: %s", path,
				    err);
			assert_false(geo_enabled(&g));
			geo_close(&g);
			(*refused)++;
			continue;
		}
		probe(&g);
		geo_close(&g);
		(*opened)++;
	}
}

static void
try_bad_dir(const char *dir, int *opened, int *refused, int *files)
{
	struct dirent *de;
	struct stat sb;
	char path[1024];
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode))
			try_bad_dir(path, opened, refused, files);
		else if (strstr(de->d_name, ".mmdb") != NULL) {
			try_bad(path, opened, refused);
			(*files)++;
		}
	}
	closedir(dp);
}

/* (d) Missing, corrupt and broken files. */
static void
test_bad_files(void **state)
{
	struct fixture *fx = *state;
	static const char *const broken[] = {
		"maxmind/test-data/GeoIP2-City-Test-Broken-Double-Format.mmdb",
		"maxmind/test-data/GeoIP2-City-Test-Invalid-Node-Count.mmdb",
		"maxmind/test-data/MaxMind-DB-test-broken-pointers-24.mmdb",
		"maxmind/test-data/MaxMind-DB-test-broken-search-tree-24.mmdb",
		"maxmind/test-data/MaxMind-DB-test-decoder.mmdb",
		"maxmind/test-data/MaxMind-DB-test-ipv4-24.mmdb",
		"maxmind/test-data/MaxMind-DB-no-ipv4-search-tree.mmdb",
		"maxmind/test-data/MaxMind-DB-string-value-entries.mmdb",
		NULL
	};
	static char half[65536];
	char path[512], src[512], err[512];
	struct geo g;
	long n;
	int i, opened = 0, refused = 0, files = 0;

	/* Missing file: refused, naming the slot, the path and the cause. */
	snprintf(path, sizeof path, "%s/missing/GeoLite2-City.mmdb", fx->dir);
	assert_int_equal(geo_open(&g, NULL, path, NULL, 16, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "city"));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_false(geo_enabled(&g));
	geo_close(&g);

	/* A good database in one slot does not survive a bad one in another. */
	if (pcaps_path(src, sizeof src,
	    "maxmind/test-data/GeoIP2-Country-Test.mmdb")) {
		assert_int_equal(geo_open(&g, src, NULL, path, 16, err,
		    sizeof err), -1);
		assert_non_null(strstr(err, "asn"));
		assert_false(geo_enabled(&g));
		geo_close(&g);
	}

	/* Files made here: empty, garbage, a directory, half a database. */
	snprintf(path, sizeof path, "%s/empty.mmdb", fx->dir);
	assert_int_equal(write_file(path, "", 0), 0);
	try_bad(path, &opened, &refused);
	snprintf(path, sizeof path, "%s/garbage.mmdb", fx->dir);
	assert_int_equal(write_file(path, invalid_utf8, sizeof invalid_utf8),
	    0);
	try_bad(path, &opened, &refused);
	try_bad(fx->dir, &opened, &refused);
	assert_int_equal(refused, 9);
	assert_int_equal(opened, 0);
	/* The metadata is at the end: the first half has none. */
	if (pcaps_path(src, sizeof src,
	    "maxmind/test-data/GeoIP2-City-Test.mmdb") &&
	    (n = read_file(src, half, sizeof half)) > 0) {
		snprintf(path, sizeof path, "%s/half.mmdb", fx->dir);
		assert_int_equal(write_file(path, half, (size_t)n / 2), 0);
		try_bad(path, &opened, &refused);
		assert_int_equal(refused, 12);
	}

	for (i = 0; broken[i] != NULL; i++)
		if (pcaps_path(path, sizeof path, broken[i]))
			try_bad(path, &opened, &refused);
	snprintf(path, sizeof path, "%s/maxmind/bad-data", pcaps_dir());
	try_bad_dir(path, &opened, &refused, &files);
	fprintf(stderr, "bad databases: %d bad-data files, %d opens refused, "
	    "%d opened and probed\n", files, refused, opened);
}

/* Hostile values: wrong types, malformed codes and text. */
static void
test_hostile(void **state)
{
	struct fixture *fx = *state;
	char p[256];
	struct geo g;
	struct geo_info gi;
	const char *ip[] = { "198.51.100.9", "2001:db8::9", NULL };
	int i;

	if (!fx->hostile)
		skip();
	for (i = 0; ip[i] != NULL; i++) {
		fx_path(fx, "wrongtypes.mmdb", p, sizeof p);
		open_or_fail(&g, p, p, NULL, 0);
		expect(&g, ip[i], "", "", 0, "");
		geo_close(&g);

		fx_path(fx, "badcodes.mmdb", p, sizeof p);
		open_or_fail(&g, NULL, p, NULL, 0);
		expect(&g, ip[i], "", "", 0, "");
		geo_close(&g);

		/* A NUL inside the code is refused; registered_country used. */
		fx_path(fx, "registered.mmdb", p, sizeof p);
		open_or_fail(&g, NULL, p, NULL, 0);
		expect(&g, ip[i], "SE", "", 0, "");
		lookup(&g, ip[i], &gi);
		assert_true(gi.flags & GEO_REGISTERED);
		geo_close(&g);

		/* Control characters become '?'; whole characters only. */
		fx_path(fx, "asnstring.mmdb", p, sizeof p);
		open_or_fail(&g, NULL, NULL, p, 0);
		expect(&g, ip[i], "", "", 0, "A?B???C"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
		geo_close(&g);

		fx_path(fx, "asnhuge.mmdb", p, sizeof p);
		open_or_fail(&g, NULL, NULL, p, 0);
		expect(&g, ip[i], "", "", 0, "");
		geo_close(&g);

		fx_path(fx, "asnneg.mmdb", p, sizeof p);
		open_or_fail(&g, NULL, NULL, p, 0);
		expect(&g, ip[i], "", "", 0, "");
		geo_close(&g);

		/* Each malformed byte is one '?'. */
		fx_path(fx, "asn16.mmdb", p, sizeof p);
		open_or_fail(&g, NULL, NULL, p, 0);
		expect(&g, ip[i], "", "", 123, "?A??B??C???D?EF");
		geo_close(&g);
	}
}

/* (e) Nothing configured: disabled, empty answers, no cache. */
static void
test_none(void **state)
{
	struct geo g;
	struct geo_info gi;
	struct geo_stats st;
	char err[128], buf[128];

	(void)state;
	assert_int_equal(geo_open(&g, NULL, "", NULL, 4096, err, sizeof err),
	    0);
	assert_false(geo_enabled(&g));
	expect(&g, "89.160.20.112", "", "", 0, "");
	expect(&g, "2001:218::1", "", "", 0, "");
	lookup(&g, "1.2.3.4", &gi);
	assert_int_equal(gi.flags, 0);
	geo_stats(&g, &st);
	assert_int_equal(st.lookups, 3);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.cache_bytes, 0);
	geo_describe(&g, buf, sizeof buf);
	assert_string_equal(buf, "country=none city=none asn=none");
	geo_close(&g);
	geo_close(&g);

	assert_int_equal(geo_open(&g, NULL, NULL, NULL, GEO_CACHE_MAX + 1, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "cache"));
}

static int
info_eq(const struct geo_info *x, const struct geo_info *y)
{
	return strcmp(x->country, y->country) == 0 &&
	    strcmp(x->region, y->region) == 0 && x->asn == y->asn &&
	    strcmp(x->as_org, y->as_org) == 0 && x->flags == y->flags;
}

/* (f) The cache answers as the databases do, within its size. */
static void
test_cache(void **state)
{
	struct fixture *fx = *state;
	char c[256], ci[256], a[256], ip[64];
	struct geo g, nc;
	struct geo_info x, y;
	struct geo_stats st;
	addr_t ad;
	int i, round;

	if (!fx->built)
		skip();
	fx_path(fx, "out/country.mmdb", c, sizeof c);
	fx_path(fx, "out/city.mmdb", ci, sizeof ci);
	fx_path(fx, "out/asn.mmdb", a, sizeof a);

	/* Twice the same address: same answer, second from the cache. */
	open_or_fail(&g, c, ci, a, 1000);
	geo_stats(&g, &st);
	assert_int_equal(st.cache_entries, 1024);
	assert_true(st.cache_bytes >= 1024 * sizeof(struct geo_info));
	lookup(&g, "198.51.100.77", &x);
	geo_stats(&g, &st);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 0);
	lookup(&g, "198.51.100.77", &y);
	assert_true(info_eq(&x, &y));
	assert_string_equal(y.region, "US-VA");
	geo_stats(&g, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	/*
	 * Another address of the same database network: the cache holds the
	 * network, so it is a hit with the same answer.
	 */
	lookup(&g, "198.51.100.78", &y);
	geo_stats(&g, &st);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 2);
	assert_true(info_eq(&x, &y));
	/* An address outside it is not. */
	lookup(&g, "192.0.2.1", &y);
	geo_stats(&g, &st);
	assert_int_equal(st.misses, 2);
	geo_close(&g);

	/* No cache: every lookup walks the databases. */
	open_or_fail(&g, c, ci, a, 0);
	lookup(&g, "2001:db8:1::1", &x);
	lookup(&g, "2001:db8:1::1", &y);
	assert_true(info_eq(&x, &y));
	assert_string_equal(y.country, "JP");
	geo_stats(&g, &st);
	assert_int_equal(st.cache_entries, 0);
	assert_int_equal(st.cache_bytes, 0);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.misses, 2);
	geo_close(&g);

	/* Far more addresses than slots: answers still match uncached ones. */
	open_or_fail(&g, c, ci, a, 16);
	open_or_fail(&nc, c, ci, a, 0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 2000; i++) {
			switch (i % 4) {
			case 0:
				snprintf(ip, sizeof ip, "198.51.100.%d",
				    i % 256);
				break;
			case 1:
				snprintf(ip, sizeof ip, "203.0.113.%d",
				    (i * 7) % 256);
				break;
			case 2:
				snprintf(ip, sizeof ip, "2001:db8:%x::%x",
				    i % 4, i);
				break;
			default:
				snprintf(ip, sizeof ip, "10.%d.%d.1",
				    19 + i % 3, i % 256);
				break;
			}
			assert_int_equal(addr_pton(ip, &ad), 0);
			geo_lookup(&g, &ad, &x);
			geo_lookup(&nc, &ad, &y);
			if (!info_eq(&x, &y))
				fail_msg("%s: cached answer differs", ip);
			/* Immediately again: still in its set. */
			geo_lookup(&g, &ad, &x);
			assert_true(info_eq(&x, &y));
		}
	}
	geo_stats(&g, &st);
	assert_int_equal(st.lookups, 3 * 2000 * 2);
	assert_int_equal(st.hits + st.misses, st.lookups);
	assert_true(st.hits >= 3 * 2000);
	assert_int_equal(st.cache_entries, 16);
	geo_close(&g);
	geo_close(&nc);
}

static double
ns_per_lookup(struct geo *g, const addr_t *addrs, size_t n, size_t rounds)
{
	struct timespec t0, t1;
	struct geo_info gi;
	size_t r, i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			geo_lookup(g, &addrs[i], &gi);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec)) / (double)(n * rounds);
}

/* Not a pass/fail check: prints what a lookup costs on this machine. */
static void
test_cost(void **state)
{
	static const char *const ips[] = {
		"89.160.20.112", "216.160.83.56", "81.2.69.142",
		"2.125.160.216", "175.16.199.0", "67.43.156.0",
		"149.101.100.0", "2001:218::1", "1.128.0.0", "12.81.92.0",
		"8.8.8.8", "2001:db8::1"
	};
	char c[512], ci[512], a[512];
	addr_t addrs[12];
	struct geo cached, uncached;
	struct geo_stats st;
	double tc, tu;
	size_t i;

	(void)state;
	SKIP_UNLESS_PCAP(c, "maxmind/test-data/GeoIP2-Country-Test.mmdb");
	SKIP_UNLESS_PCAP(ci, "maxmind/test-data/GeoIP2-City-Test.mmdb");
	SKIP_UNLESS_PCAP(a, "maxmind/test-data/GeoLite2-ASN-Test.mmdb");
	for (i = 0; i < 12; i++)
		assert_int_equal(addr_pton(ips[i], &addrs[i]), 0);
	open_or_fail(&cached, c, ci, a, 4096);
	open_or_fail(&uncached, c, ci, a, 0);
	tu = ns_per_lookup(&uncached, addrs, 12, 5000);
	tc = ns_per_lookup(&cached, addrs, 12, 50000);
	geo_stats(&cached, &st);
	assert_int_equal(st.misses, 12);
	fprintf(stderr, "geo lookup (3 databases): %.0f ns uncached, "
	    "%.0f ns cached; cache of %zu entries holds %zu bytes\n", tu, tc,
	    st.cache_entries, st.cache_bytes);
	geo_close(&cached);
	geo_close(&uncached);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_maxmind),
		cmocka_unit_test(test_suricata),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
