/*
 * test_baseline.c: the learned tables on their own — the robust hourly
 * statistics, the bounded tables (eviction of the stalest, expiry,
 * deletion that keeps every other record findable, a save order that
 * rebuilds the same layout), the HyperLogLog of hosts, the lazy closing of
 * hours and local time.
 */
#include <math.h>

#include "testutil.h"
#include "baseline.h"

#define MON	((xtime_t)1709510400 * XT_SEC)	/* Mon 2024-03-04 00:00Z */

_Static_assert(sizeof(struct bl_entry) == 64, "an entry is 64 bytes");
_Static_assert(sizeof(struct bl_dest) == 40, "a destination is 40 bytes");
_Static_assert(sizeof(struct bl_stat) == 8, "a slot is 8 bytes");

static void
conf(struct bl_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->alpha_slot = 0.1;
	c->alpha_all = 0.02;
	c->alpha_pop = 0.01;
	c->clamp_k = 3.0;
	c->dev_floor = 0.5;
	c->active_bytes = 256 * 1024;
	c->ttl_hours = 24 * 30;
}

static struct baseline *
new_bl(uint32_t hosts, uint32_t entries, uint32_t dests)
{
	struct baseline *bl = calloc(1, sizeof(*bl));
	struct bl_conf c;
	char err[128];

	assert_non_null(bl);
	conf(&c);
	assert_int_equal(baseline_init(bl, &c, hosts, entries, dests, err,
	    sizeof(err)), 0);
	bl->seed[0] = 1;
	bl->seed[1] = 2;
	return bl;
}

static void
free_bl(struct baseline *bl)
{
	baseline_free(bl);
	free(bl);
}

static void
test_stat_constant(void **state)
{
	struct bl_stat s;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 50; i++)
		bl_stat_update(&s, log2(1e7), 1, 0.1, 3.0, 0.5);
	assert_true(fabs(bl_stat_mean(&s) / 1e7 - 1.0) < 0.01);
	/* The deviation floor leaves room above a perfectly regular host. */
	assert_true(bl_stat_p99(&s, 0.5) > 1e7 * 2.5);
	assert_true(bl_stat_p99(&s, 0.5) < 1e7 * 3.0);
	assert_true(bl_stat_act(&s) > 0.99);
	assert_int_equal(s.n, 50);
	assert_int_equal(s.na, 50);
}

static void
test_stat_activity(void **state)
{
	struct bl_stat s;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	/* Active one day in four. */
	for (i = 0; i < 200; i++)
		bl_stat_update(&s, i % 4 == 0 ? log2(1e6) : 0.0, i % 4 == 0,
		    0.05, 3.0, 0.5);
	assert_true(bl_stat_act(&s) > 0.15 && bl_stat_act(&s) < 0.35);
	/* Idle hours do not drag the typical active hour down. */
	assert_true(fabs(bl_stat_mean(&s) / 1e6 - 1.0) < 0.05);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 10; i++)
		bl_stat_update(&s, 0.0, 0, 0.1, 3.0, 0.5);
	assert_true(bl_stat_act(&s) < 0.01);
	assert_true(bl_stat_mean(&s) == 0.0);
	assert_true(bl_stat_p99(&s, 0.5) == 0.0);
}

/* One enormous hour moves the centre by at most alpha * k deviations. */
static void
test_stat_winsorised(void **state)
{
	struct bl_stat s;
	double before, after, dev;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 40; i++)
		bl_stat_update(&s, log2(1e7) + (i % 2 ? 0.4 : -0.4), 1, 0.1,
		    3.0, 0.5);
	before = s.mu / 256.0;
	dev = fmax(s.dev / 256.0, 0.5);
	bl_stat_update(&s, log2(1e11), 1, 0.1, 3.0, 0.5);
	after = s.mu / 256.0;
	assert_true(after - before <= 0.1 * 3.0 * dev + 1.0 / 256);
	assert_true(after > before);
}

/*
 * An attacker who doubles his hourly volume every day for two weeks does
 * not take the baseline with him: the learned typical lags far behind,
 * so the last day is still far above p99.
 */
static void
test_stat_slow_drift(void **state)
{
	struct bl_stat s;
	double x = log2(1e7);
	int day;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (day = 0; day < 14; day++)
		bl_stat_update(&s, log2(1e7) + (day % 2 ? 0.3 : -0.3), 1, 0.1,
		    3.0, 0.5);
	for (day = 0; day < 14; day++) {
		x += 1.0;
		bl_stat_update(&s, x, 1, 0.1, 3.0, 0.5);
	}
	assert_true(exp2(x) > 10.0 * bl_stat_p99(&s, 0.5));
}

static void
test_time(void **state)
{
	struct bl_time t;

	(void)state;
	bl_time(&t, MON + 14 * XT_HOUR + 5 * XT_MIN, 0);
	assert_int_equal(t.hod, 14);
	assert_int_equal(t.weekend, 0);
	assert_int_equal(t.utc_hour, (MON / XT_HOUR) + 14);
	/* Saturday and Sunday are the weekend; Friday night is not. */
	bl_time(&t, MON + 5 * XT_DAY + 1 * XT_HOUR, 0);
	assert_int_equal(t.weekend, 1);
	bl_time(&t, MON + 6 * XT_DAY + 23 * XT_HOUR, 0);
	assert_int_equal(t.weekend, 1);
	bl_time(&t, MON + 4 * XT_DAY + 23 * XT_HOUR, 0);
	assert_int_equal(t.weekend, 0);
	/* Local time: UTC+02:00 turns Friday 23:00Z into Saturday 01:00. */
	bl_time(&t, MON + 4 * XT_DAY + 23 * XT_HOUR, 7200);
	assert_int_equal(t.hod, 1);
	assert_int_equal(t.weekend, 1);
	assert_int_equal(t.utc_hour, (MON / XT_HOUR) + 4 * 24 + 23);
}

static void
test_keys(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_value v1, v2, v3;
	addr_t h1, h2;
	uint64_t k;

	(void)state;
	addr_pton("10.0.0.1", &h1);
	addr_pton("10.0.0.2", &h2);
	bl_value_country(&v1, "RU");
	bl_value_country(&v2, "RO");
	bl_value_region(&v3, "RU");	/* same bytes, other dimension */
	k = baseline_key(bl, &h1, BL_ROLE_CLIENT, &v1);
	assert_true(k != 0);
	assert_true(k == baseline_key(bl, &h1, BL_ROLE_CLIENT, &v1));
	assert_true(k != baseline_key(bl, &h1, BL_ROLE_CLIENT, &v2));
	assert_true(k != baseline_key(bl, &h1, BL_ROLE_CLIENT, &v3));
	assert_true(k != baseline_key(bl, &h2, BL_ROLE_CLIENT, &v1));
	assert_true(k != baseline_key(bl, &h1, BL_ROLE_SERVER, &v1));
	assert_true(k != baseline_key(bl, NULL, BL_ROLE_CLIENT, &v1));
	bl->seed[0] = 99;
	assert_true(k != baseline_key(bl, &h1, BL_ROLE_CLIENT, &v1));
	bl_value_port(&v1, 6, 443);
	bl_value_port(&v2, 17, 443);
	assert_true(baseline_key(bl, NULL, 0, &v1) !=
	    baseline_key(bl, NULL, 0, &v2));
	free_bl(bl);
}

/* Keys that all want the same home slot: the worst case of probing. */
static uint64_t
colliding(int i)
{
	return 0x4000000000000000ULL | (uint64_t)(i + 1);
}

static void
test_table_full_evicts_stalest(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_entry *e;
	int i, created, kept = 0;

	(void)state;
	/* 3000 distinct keys into 1000 entries, one hour apart. */
	for (i = 0; i < 3000; i++) {
		e = baseline_entry(bl, (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL,
		    BL_DIM_IP, 1000 + (uint32_t)i, &created);
		assert_non_null(e);
		assert_int_equal(created, 1);
		assert_true(bl->entries.count <= 1000);
	}
	assert_int_equal(bl->entries.count, 1000);
	assert_int_equal(bl->entries.evicted, 2000);
	/* The recent ones survive; most old ones are gone. */
	for (i = 2900; i < 3000; i++)
		kept += baseline_entry_find(bl, (uint64_t)(i + 1) *
		    0x9e3779b97f4a7c15ULL, 4000) != NULL;
	assert_int_equal(kept, 100);
	kept = 0;
	for (i = 0; i < 100; i++)
		kept += baseline_entry_find(bl, (uint64_t)(i + 1) *
		    0x9e3779b97f4a7c15ULL, 4000) != NULL;
	assert_true(kept < 10);
	/* 64 bytes a slot, and a bit of occupancy map. */
	assert_int_equal(baseline_table_mem(&bl->entries),
	    (size_t)bl->entries.cap * 64 + (bl->entries.cap + 63) / 64 * 8);
	free_bl(bl);
}

/* Tables start small and grow, between records, without losing any. */
static void
test_table_grows(void **state)
{
	struct baseline *bl = new_bl(16, 200000, 1000);
	size_t mem0 = baseline_table_mem(&bl->entries);
	int i, created, found = 0;

	(void)state;
	assert_true(bl->entries.cap < 200000);
	for (i = 0; i < 150000; i++) {
		assert_non_null(baseline_entry(bl, (uint64_t)(i + 1) *
		    0x9e3779b97f4a7c15ULL, BL_DIM_IP, 1000, &created));
		if (i % 1000 == 999)
			baseline_grow(bl);	/* as score_tick does */
	}
	assert_int_equal(bl->entries.evicted, 0);
	assert_int_equal(bl->entries.count, 150000);
	assert_true(baseline_table_mem(&bl->entries) > 4 * mem0);
	assert_true(bl->entries.cap <= bl->entries.maxcap);
	for (i = 0; i < 150000; i++)
		found += baseline_entry_find(bl, (uint64_t)(i + 1) *
		    0x9e3779b97f4a7c15ULL, 1000) != NULL;
	assert_int_equal(found, 150000);
	/* At its maximum it evicts instead of growing. */
	for (i = 150000; i < 260000; i++) {
		baseline_entry(bl, (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL,
		    BL_DIM_IP, 1001, &created);
		if (i % 1000 == 999)
			baseline_grow(bl);
	}
	assert_int_equal(bl->entries.count, 200000);
	assert_int_equal(bl->entries.cap, bl->entries.maxcap);
	assert_true(bl->entries.evicted >= 60000);
	free_bl(bl);
}

static void
test_table_collisions(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_entry *e;
	int i, created, found = 0;

	(void)state;
	/* More colliding keys than a probe window holds. */
	for (i = 0; i < 3 * BL_PROBE; i++) {
		e = baseline_entry(bl, colliding(i), BL_DIM_IP, 100 + (uint32_t)i,
		    &created);
		assert_non_null(e);
		assert_int_equal(e->h.key, colliding(i));
	}
	assert_true(bl->entries.count <= BL_PROBE);
	assert_true(bl->entries.evicted >= 2 * BL_PROBE);
	/* Whatever stayed is findable, and the newest stayed. */
	for (i = 0; i < 3 * BL_PROBE; i++)
		found += baseline_entry_find(bl, colliding(i), 500) != NULL;
	assert_int_equal(found, (int)bl->entries.count);
	assert_non_null(baseline_entry_find(bl, colliding(3 * BL_PROBE - 1),
	    500));
	free_bl(bl);
}

static void
test_expire_keeps_others_findable(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	int i, created;

	(void)state;
	/* A cluster of colliding keys, every other one old. */
	for (i = 0; i < 20; i++)
		baseline_entry(bl, colliding(i), BL_DIM_IP,
		    i % 2 ? 10000 : 100, &created);
	for (i = 0; i < 200; i++)
		baseline_entry(bl, (uint64_t)(i + 7) * 0x9e3779b97f4a7c15ULL,
		    BL_DIM_ASN, i % 3 ? 10000 : 100, &created);
	/* ttl is 720 hours: at 10100 the old ones are gone. */
	baseline_expire(bl, 10100, 100000);
	for (i = 0; i < 20; i++) {
		if (i % 2)
			assert_non_null(baseline_entry_find(bl, colliding(i),
			    10100));
		else
			assert_null(baseline_entry_find(bl, colliding(i),
			    10100));
	}
	for (i = 0; i < 200; i++)
		assert_true((baseline_entry_find(bl, (uint64_t)(i + 7) *
		    0x9e3779b97f4a7c15ULL, 10100) != NULL) == (i % 3 != 0));
	assert_int_equal(bl->entries.count, 10 + 133);
	free_bl(bl);
}

static void
test_expired_lookup_is_new(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_entry *e;
	struct bl_time t;
	int created;

	(void)state;
	e = baseline_entry(bl, 42, BL_DIM_IP, 100, &created);
	bl_time(&t, (xtime_t)100 * XT_HOUR, 0);
	baseline_entry_touch(e, &t, 5000000);
	assert_int_equal(e->days, 1);
	/* Not yet expired: the same history. */
	e = baseline_entry(bl, 42, BL_DIM_IP, 700, &created);
	assert_int_equal(created, 0);
	assert_int_equal(e->days, 1);
	/* Unseen beyond the ttl: a new history in the same place. */
	e = baseline_entry(bl, 42, BL_DIM_IP, 100 + 721, &created);
	assert_int_equal(created, 1);
	assert_int_equal(e->days, 0);
	assert_int_equal(e->total_kb, 0);
	assert_int_equal(bl->entries.expired, 1);
	free_bl(bl);
}

static void
test_iter_rebuilds_layout(void **state)
{
	struct baseline *a = new_bl(16, 500, 1000), *b = new_bl(16, 500, 1000);
	struct bl_iter it;
	const void *rec;
	int i, created;

	(void)state;
	/* Clusters, wrap-around at the end of the array, deletions. */
	for (i = 0; i < 480; i++)
		baseline_entry(a, (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL,
		    BL_DIM_IP, 50 + (uint32_t)(i % 7) * 200, &created);
	for (i = 0; i < 10; i++)
		baseline_entry(a, UINT64_MAX - (uint64_t)i, BL_DIM_IP, 2000,
		    &created);
	baseline_expire(a, 1200, 100000);
	baseline_iter_init(&a->entries, &it);
	while ((rec = baseline_iter_next(&a->entries, &it)) != NULL)
		assert_int_equal(baseline_table_insert(&b->entries, rec), 0);
	assert_int_equal(a->entries.count, b->entries.count);
	assert_memory_equal(a->entries.recs, b->entries.recs,
	    (size_t)a->entries.cap * a->entries.recsize);
	assert_memory_equal(a->entries.used, b->entries.used,
	    (a->entries.cap + 63) / 64 * 8);
	free_bl(a);
	free_bl(b);
}

/* Many rounds of insertion, eviction and expiry: the map stays exact. */
static void
test_occupancy_map(void **state)
{
	struct baseline *bl = new_bl(16, 700, 1000);
	struct bl_iter it;
	uint64_t x = 12345;
	uint32_t i, hour;
	size_t seen;
	int created;

	(void)state;
	for (hour = 1000; hour < 3000; hour++) {
		for (i = 0; i < 50; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Few distinct keys: hits, misses and evictions. */
			baseline_entry(bl, (x % 3000 + 1) * 0x9e3779b97f4a7c15ULL,
			    BL_DIM_IP, hour, &created);
		}
		if (hour % 50 == 0)
			baseline_expire(bl, hour + 700, 500);
	}
	for (i = 0; i < bl->entries.cap; i++) {
		const struct bl_head *h = (const void *)(bl->entries.recs +
		    (size_t)i * bl->entries.recsize);
		int bit = (bl->entries.used[i >> 6] >> (i & 63)) & 1;

		assert_int_equal(bit, h->key != 0);
	}
	seen = 0;
	baseline_iter_init(&bl->entries, &it);
	while (baseline_iter_next(&bl->entries, &it) != NULL)
		seen++;
	assert_int_equal(seen, bl->entries.count);
	assert_true(bl->entries.count <= 700);
	assert_true(bl->entries.evicted > 0);
	assert_true(bl->entries.expired > 0);
	free_bl(bl);
}

static void
test_hll(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_dest *d;
	struct bl_time t;
	static const int counts[] = { 1, 2, 5, 20, 100, 1000 };
	uint8_t v4[4] = { 10, 0, 0, 0 };
	addr_t h;
	size_t k;
	int i, created;
	double est;

	(void)state;
	bl_time(&t, MON, 0);
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		d = baseline_dest(bl, 1000 + k, BL_DIM_COUNTRY, t.utc_hour,
		    &created);
		assert_true(baseline_dest_hosts(d) == 0.0);
		for (i = 0; i < counts[k]; i++) {
			v4[2] = (uint8_t)(i >> 8);
			v4[3] = (uint8_t)i;
			addr_from_v4(&h, v4);
			baseline_dest_touch(bl, d, &t, &h, 100);
			/* The same host twice counts once. */
			baseline_dest_touch(bl, d, &t, &h, 100);
		}
		est = baseline_dest_hosts(d);
		if (counts[k] == 1)
			assert_true(est > 0.9 && est < 1.1);
		else
			assert_true(fabs(est - counts[k]) <= 0.5 * counts[k]);
		assert_int_equal(d->bytes, 200 * (uint64_t)counts[k]);
		assert_int_equal(d->days, 1);
	}
	free_bl(bl);
}

/*
 * A holiday is a weekend day: its idle office hours teach the weekend
 * slots, and the weekday slots keep the working days' habit.
 */
static void
test_holidays(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_host *h;
	struct bl_time t;
	uint32_t hol[2];
	addr_t a;
	int day, created;

	(void)state;
	hol[0] = (uint32_t)(MON / XT_DAY) + 2;		/* Wednesday */
	hol[1] = (uint32_t)(MON / XT_DAY) + 9;		/* next Wednesday */
	assert_int_equal(baseline_set_holidays(bl, hol, 2), 0);
	baseline_time(bl, &t, MON + 2 * XT_DAY + 10 * XT_HOUR, 0);
	assert_int_equal(t.weekend, 1);
	baseline_time(bl, &t, MON + 3 * XT_DAY + 10 * XT_HOUR, 0);
	assert_int_equal(t.weekend, 0);
	baseline_time(bl, &t, MON + 9 * XT_DAY, 0);
	assert_int_equal(t.weekend, 1);
	/* Local time decides: 23:00Z Tuesday is Wednesday at UTC+02:00. */
	baseline_time(bl, &t, MON + 1 * XT_DAY + 23 * XT_HOUR, 7200);
	assert_int_equal(t.weekend, 1);
	/* 20 MB at 10:00 on the working days, the holiday idle. */
	addr_pton("10.1.0.8", &a);
	for (day = 0; day < 5; day++) {
		if (day == 2)
			continue;
		baseline_time(bl, &t, MON + day * XT_DAY + 10 * XT_HOUR, 0);
		h = baseline_host(bl, &a, BL_ROLE_CLIENT, t.utc_hour,
		    &created);
		baseline_host_add(bl, h, &t, 20000000);
	}
	baseline_time(bl, &t, MON + 7 * XT_DAY + 10 * XT_HOUR, 0);
	h = baseline_host(bl, &a, BL_ROLE_CLIENT, t.utc_hour, &created);
	baseline_host_add(bl, h, &t, 1);
	/* Four working days, all active at 10:00: the holiday is not one. */
	assert_int_equal(h->slot[0][10].na, 4);
	assert_int_equal(h->slot[0][10].n, 4);
	/* Saturday, Sunday and the holiday were learned as weekend days. */
	assert_int_equal(h->slot[1][10].n, 3);
	/* An empty list is allowed and drops the old one. */
	assert_int_equal(baseline_set_holidays(bl, NULL, 0), 0);
	baseline_time(bl, &t, MON + 2 * XT_DAY + 10 * XT_HOUR, 0);
	assert_int_equal(t.weekend, 0);
	free_bl(bl);
}

static void
test_host_hours(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_host *h;
	struct bl_time t;
	struct bl_ref r;
	addr_t a;
	int day, created;

	(void)state;
	addr_pton("10.1.0.7", &a);
	/* Five weekdays of 20 MB at 10:00, nothing else. */
	for (day = 0; day < 5; day++) {
		bl_time(&t, MON + day * XT_DAY + 10 * XT_HOUR, 0);
		h = baseline_host(bl, &a, BL_ROLE_CLIENT, t.utc_hour, &created);
		assert_int_equal(created, day == 0);
		baseline_host_add(bl, h, &t, 20000000);
		baseline_host_peak(h, 20000000);
	}
	bl_time(&t, MON + 7 * XT_DAY + 10 * XT_HOUR, 0);
	h = baseline_host(bl, &a, BL_ROLE_CLIENT, t.utc_hour, &created);
	baseline_host_add(bl, h, &t, 1);
	assert_int_equal(h->adays, 5);
	/* Every hour in between was learned, idle ones included. */
	assert_int_equal(h->slot[0][10].na, 5);
	assert_int_equal(h->slot[0][3].na, 0);
	assert_true(h->slot[0][3].n >= 4);
	assert_true(h->slot[1][10].n >= 2);	/* the weekend, idle */
	baseline_host_ref(bl, h, &t, 2, &r);
	assert_true(r.known);
	assert_true(r.active_known);
	assert_true(fabs(r.typical / 2e7 - 1.0) < 0.05);
	assert_true(r.p99 > 2e7);
	assert_true(r.act > 0.6);
	assert_true(r.peak_p99 > 2e7);
	/* At 03:00 the host is idle. */
	bl_time(&t, MON + 7 * XT_DAY + 3 * XT_HOUR, 0);
	baseline_host_ref(bl, h, &t, 2, &r);
	assert_true(r.known);
	assert_false(r.active_known);
	assert_true(r.act < 0.01);
	assert_true(r.all_p99 > 2e7);
	/* The population learned the same hours. */
	baseline_pop_ref(bl, &t, 2, &r);
	assert_true(r.known);
	assert_true(bl->host_hours > 100);
	/* A server's replies are its own baseline, not the population's. */
	h = baseline_host(bl, &a, BL_ROLE_SERVER, t.utc_hour, &created);
	assert_int_equal(created, 1);
	assert_int_equal(bl->hosts.count, 2);
	free_bl(bl);
}

static void
test_host_long_absence(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	struct bl_host *h;
	struct bl_time t;
	addr_t a;
	int created;
	uint64_t before;

	(void)state;
	addr_pton("10.1.0.8", &a);
	bl_time(&t, MON, 0);
	h = baseline_host(bl, &a, BL_ROLE_CLIENT, t.utc_hour, &created);
	baseline_host_add(bl, h, &t, 5000000);
	before = bl->host_hours;
	/* Back after 20 days: at most a week of idle hours is learned. */
	bl_time(&t, MON + 20 * XT_DAY, 0);
	h = baseline_host(bl, &a, BL_ROLE_CLIENT, t.utc_hour, &created);
	baseline_host_add(bl, h, &t, 5000000);
	assert_true(bl->host_hours - before <= 7 * 24 + 1);
	assert_int_equal(h->adays, 2);
	free_bl(bl);
}

static void
test_reset(void **state)
{
	struct baseline *bl = new_bl(16, 1000, 1000);
	int created;

	(void)state;
	baseline_entry(bl, 5, BL_DIM_IP, 10, &created);
	baseline_dest(bl, 6, BL_DIM_IP, 10, &created);
	baseline_reset(bl);
	assert_int_equal(bl->entries.count, 0);
	assert_int_equal(bl->dests.count, 0);
	assert_null(baseline_entry_find(bl, 5, 10));
	free_bl(bl);
}

static void
test_bad_sizes(void **state)
{
	struct baseline bl;
	struct bl_conf c;
	char err[128] = "";

	(void)state;
	conf(&c);
	assert_int_equal(baseline_init(&bl, &c, 0, 10, 10, err, sizeof(err)),
	    -1);
	assert_true(err[0] != '\0');
	err[0] = '\0';
	assert_int_equal(baseline_init(&bl, &c, 16, 2, 16, err, sizeof(err)),
	    -1);
	assert_true(err[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_constant),
		cmocka_unit_test(test_stat_activity),
		cmocka_unit_test(test_stat_winsorised),
		cmocka_unit_test(test_stat_slow_drift),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_table_full_evicts_stalest),
		cmocka_unit_test(test_table_grows),
		cmocka_unit_test(test_table_collisions),
		cmocka_unit_test(test_expire_keeps_others_findable),
		cmocka_unit_test(test_expired_lookup_is_new),
		cmocka_unit_test(test_iter_rebuilds_layout),
		cmocka_unit_test(test_occupancy_map),
		cmocka_unit_test(test_hll),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_host_hours),
		cmocka_unit_test(test_host_long_absence),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
