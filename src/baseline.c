/*
 * baseline.c: the learned tables (see baseline.h): hosts with their
 * hour-of-day profiles, (host, destination) entries, network-wide
 * destinations, and the population profile.
 *
 * The three tables share one open-addressing implementation over records
 * that start with struct bl_head: a keyed 64-bit hash (0 marks a free
 * slot), first and last seen.  A record lives at most BL_PROBE slots past
 * its home slot; insertion enforces it by evicting the stalest record of
 * the window, deletion shifts later records back, which only shortens
 * their distance, so a lookup never looks further than BL_PROBE slots.
 * The home slot is the hash scaled to the capacity (multiply and shift),
 * so the capacity need not be a power of two and the memory is max * 1.5
 * records rather than up to max * 3.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"

#define BL_Z99		2.326	/* standard normal 99th percentile */
#define BL_MAD_SIGMA	1.2533	/* sigma / mean absolute deviation, normal */
#define BL_DEV_INIT	1.0	/* bits: spread assumed after one observation */
#define BL_MAX_GAP	(7 * 24)	/* idle hours learned when a host returns */

static uint64_t	 bl_mix(uint64_t);
static uint32_t	 bl_home(const struct bl_table *, uint64_t);
static uint32_t	 bl_next(const struct bl_table *, uint32_t);
static struct bl_head *bl_at(const struct bl_table *, uint32_t);
static int	 bl_table_init(struct bl_table *, size_t, uint32_t, uint32_t);
static void	 bl_table_free(struct bl_table *);
static int	 bl_expired(const struct bl_head *, uint32_t, uint32_t);
static int	 bl_staler(const struct bl_head *, const struct bl_head *);
static void	 bl_delete(struct bl_table *, uint32_t);
static struct bl_head *bl_find(struct bl_table *, uint64_t);
static struct bl_head *bl_get(struct bl_table *, uint64_t, uint32_t,
		    uint32_t, int *);
static struct bl_head *bl_new(struct bl_table *, uint64_t);
static void	 bl_table_clear(struct bl_table *);
static void	 bl_mark(struct bl_table *, uint32_t, int);
static void	 bl_observe(struct baseline *, struct bl_host *, uint32_t,
		    uint64_t, uint64_t);
static void	 bl_ref_slots(const struct bl_stat (*)[BL_HOURS],
		    const struct bl_stat *, const struct bl_stat *,
		    const struct bl_time *, int, double, struct bl_ref *);
static int	 bl_weekend(uint32_t);

/* murmur3's 64-bit finaliser: every input bit reaches every output bit. */
static uint64_t
bl_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint32_t
bl_home(const struct bl_table *t, uint64_t key)
{
	return (uint32_t)(((key >> 32) * (uint64_t)t->cap) >> 32);
}

static uint32_t
bl_next(const struct bl_table *t, uint32_t i)
{
	return i + 1 == t->cap ? 0 : i + 1;
}

static struct bl_head *
bl_at(const struct bl_table *t, uint32_t i)
{
	return (struct bl_head *)(void *)(t->recs + (size_t)i * t->recsize);
}

/*
 * Tables start small and grow by half as they fill, up to the configured
 * maximum: memory follows the network actually seen, and a table never
 * touches pages it does not need (a first touch under load costs a page
 * fault and a TLB shootdown on the other core).  Growing by half rather
 * than doubling keeps the slack and the moment when the old and the new
 * table both exist about a third smaller; linear probing within BL_PROBE
 * slots still finds a free slot at three quarters full.
 */
#define BL_INITIAL	8192	/* records a table starts with */
#define BL_INITIAL_HOSTS 1024	/* a host record is 464 bytes */

static uint32_t
bl_limit(uint32_t cap, uint32_t max)
{
	uint32_t l = (cap - BL_PROBE) / 4 * 3;

	return l < max ? l : max;
}

static int
bl_table_alloc(struct bl_table *t, uint32_t cap)
{
	t->cap = cap;
	t->limit = bl_limit(cap, t->max);
	if ((t->recs = calloc(t->cap, t->recsize)) == NULL ||
	    (t->used = calloc((t->cap + 63) / 64, sizeof(uint64_t))) == NULL)
		return -1;
	mem_touch(t->recs, (size_t)t->cap * t->recsize);
	return 0;
}

static int
bl_table_init(struct bl_table *t, size_t recsize, uint32_t max,
    uint32_t initial)
{
	uint32_t first = max < initial ? max : initial;

	memset(t, 0, sizeof(*t));
	t->recsize = recsize;
	t->max = max;
	t->maxcap = max + max / 2 + BL_PROBE;
	return bl_table_alloc(t, first + first / 2 + BL_PROBE);
}

static void
bl_table_free(struct bl_table *t)
{
	free(t->recs);
	free(t->used);
	t->recs = NULL;
	t->used = NULL;
	t->cap = t->count = 0;
}

size_t
baseline_table_mem(const struct bl_table *t)
{
	return (size_t)t->cap * t->recsize + (t->cap + 63) / 64 * 8;
}

static int
bl_expired(const struct bl_head *h, uint32_t now, uint32_t ttl)
{
	return now > h->last && now - h->last > ttl;
}

/* Staler: seen longer ago; the key breaks ties so layout never decides. */
static int
bl_staler(const struct bl_head *a, const struct bl_head *b)
{
	return a->last < b->last || (a->last == b->last && a->key < b->key);
}

/* The occupancy bitmap lets a save or an expiry scan skip empty slots. */
static void
bl_mark(struct bl_table *t, uint32_t i, int on)
{
	if (on)
		t->used[i >> 6] |= 1ULL << (i & 63);
	else
		t->used[i >> 6] &= ~(1ULL << (i & 63));
}

/* Backward-shift deletion (Knuth 6.4, algorithm R). */
static void
bl_delete(struct bl_table *t, uint32_t i)
{
	uint32_t j = i, k;

	for (;;) {
		j = bl_next(t, j);
		if (bl_at(t, j)->key == 0)
			break;
		k = bl_home(t, bl_at(t, j)->key);
		/* The record at j may move to i unless its home is in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		memcpy(bl_at(t, i), bl_at(t, j), t->recsize);
		i = j;
	}
	memset(bl_at(t, i), 0, t->recsize);
	bl_mark(t, i, 0);
	t->count--;
}

static struct bl_head *
bl_find(struct bl_table *t, uint64_t key)
{
	struct bl_head *h;
	uint32_t i = bl_home(t, key);
	int p;

	for (p = 0; p < BL_PROBE; p++, i = bl_next(t, i)) {
		h = bl_at(t, i);
		if (h->key == key)
			return h;
		if (h->key == 0)
			return NULL;
	}
	return NULL;
}

/*
 * A zeroed slot for a key that is not in the table.  The first free slot
 * of the probe path takes it while the table is below its maximum.
 * Otherwise a record makes way: the stalest on the path, overwritten in
 * place (every slot between the new key's home and that slot stays
 * occupied, so linear probing still finds everything); or, when the path
 * is empty but the table is at its maximum, the stalest of the next
 * BL_PROBE slots, deleted.
 */
static struct bl_head *
bl_new(struct bl_table *t, uint64_t key)
{
	struct bl_head *h, *victim = NULL, *slot = NULL;
	uint32_t i = bl_home(t, key), vi = 0, si = 0;
	int p;

	for (p = 0; p < BL_PROBE; p++, i = bl_next(t, i)) {
		h = bl_at(t, i);
		if (h->key == 0) {
			slot = h;
			si = i;
			break;
		}
		if (victim == NULL || bl_staler(h, victim))
			victim = h;
	}
	if (slot != NULL && t->count < t->limit) {
		t->count++;
		bl_mark(t, si, 1);
		return slot;
	}
	t->evicted++;
	if (victim != NULL) {
		memset(victim, 0, t->recsize);
		return victim;
	}
	/* slot is the home slot; look for a record after it. */
	for (p = 0, i = bl_next(t, i); p < BL_PROBE || victim == NULL;
	    p++, i = bl_next(t, i)) {
		h = bl_at(t, i);
		if (h->key != 0 && (victim == NULL || bl_staler(h, victim))) {
			victim = h;
			vi = i;
		}
	}
	bl_delete(t, vi);
	t->count++;
	bl_mark(t, si, 1);
	return slot;
}

static struct bl_head *
bl_get(struct bl_table *t, uint64_t key, uint32_t now, uint32_t ttl,
    int *created)
{
	struct bl_head *h;

	*created = 0;
	if ((h = bl_find(t, key)) != NULL) {
		if (bl_expired(h, now, ttl)) {
			/* Forgotten: the same slot starts a new history. */
			memset(h, 0, t->recsize);
			h->key = key;
			h->first = h->last = now;
			t->expired++;
			*created = 1;
		}
		return h;
	}
	h = bl_new(t, key);
	h->key = key;
	h->first = h->last = now;
	*created = 1;
	return h;
}

/* Half as many slots again (bounded by maxcap); move every record over. */
static int
bl_table_grow(struct bl_table *t)
{
	struct bl_table o = *t;
	uint64_t cap;
	uint32_t i;

	if (t->cap >= t->maxcap)
		return 0;
	cap = (uint64_t)t->cap + t->cap / 2;
	if (cap > t->maxcap)
		cap = t->maxcap;
	if (bl_table_alloc(t, (uint32_t)cap) == -1) {
		free(t->recs);
		free(t->used);
		*t = o;		/* keep the old one, full tables evict */
		return -1;
	}
	t->count = t->cursor = 0;
	for (i = 0; i < o.cap; i++) {
		if (!(o.used[i >> 6] & (1ULL << (i & 63))))
			continue;
		struct bl_head *src = bl_at(&o, i);
		struct bl_head *h = bl_new(t, src->key);

		memcpy(h, src, t->recsize);
	}
	t->evicted = o.evicted;
	t->expired = o.expired;
	free(o.recs);
	free(o.used);
	return 0;
}

static void
bl_table_maybe_grow(struct bl_table *t)
{
	/* At four fifths of what this size allows, before it evicts. */
	if (t->limit < t->max && t->count >= t->limit / 5 * 4)
		(void)bl_table_grow(t);
}

void
baseline_grow(struct baseline *bl)
{
	bl_table_maybe_grow(&bl->hosts);
	bl_table_maybe_grow(&bl->entries);
	bl_table_maybe_grow(&bl->dests);
}

int
baseline_table_insert(struct bl_table *t, const void *rec)
{
	const struct bl_head *src = rec;
	struct bl_head *h;

	if (src->key == 0)
		return -1;
	/* Loading a state file: no record pointers are held, grow freely. */
	while (t->count >= t->limit && t->limit < t->max && t->cap < t->maxcap)
		if (bl_table_grow(t) == -1)
			break;
	if ((h = bl_find(t, src->key)) == NULL)
		h = bl_new(t, src->key);
	memcpy(h, rec, t->recsize);
	return 0;
}

void
baseline_iter_init(const struct bl_table *t, struct bl_iter *it)
{
	uint32_t w, i;

	it->done = 0;
	it->start = 0;
	for (w = 0; w < (t->cap + 63) / 64; w++) {
		if (t->used[w] == UINT64_MAX)
			continue;
		i = w * 64 + (uint32_t)__builtin_ctzll(~t->used[w]);
		if (i < t->cap)
			it->start = i;
		break;
	}
}

const void *
baseline_iter_next(const struct bl_table *t, struct bl_iter *it)
{
	uint64_t bits;
	uint32_t p, skip;

	while (it->done < t->cap) {
		it->done++;
		p = (uint32_t)(((uint64_t)it->start + it->done) % t->cap);
		bits = t->used[p >> 6] >> (p & 63);
		if (bits & 1)
			return bl_at(t, p);
		/* Jump to the next occupied slot of the word, or its end. */
		skip = bits != 0 ? (uint32_t)__builtin_ctzll(bits) - 1 :
		    63 - (p & 63);
		if (skip > t->cap - 1 - p)
			skip = t->cap - 1 - p;
		it->done += skip;
	}
	return NULL;
}

int
baseline_init(struct baseline *bl, const struct bl_conf *c,
    uint32_t max_hosts, uint32_t max_entries, uint32_t max_dests, char *err,
    size_t errlen)
{
	memset(bl, 0, sizeof(*bl));
	bl->c = *c;
	/* Fewer than 16 leaves a probe window with no room to place one. */
	if (max_hosts < 16 || max_entries < 16 || max_dests < 16 ||
	    max_hosts > UINT32_MAX / 2 || max_entries > UINT32_MAX / 2 ||
	    max_dests > UINT32_MAX / 2) {
		snprintf(err, errlen, "baseline: table sizes out of range");
		return -1;
	}
	if (bl_table_init(&bl->hosts, sizeof(struct bl_host), max_hosts,
	    BL_INITIAL_HOSTS) == -1 ||
	    bl_table_init(&bl->entries, sizeof(struct bl_entry), max_entries,
	    BL_INITIAL) == -1 ||
	    bl_table_init(&bl->dests, sizeof(struct bl_dest), max_dests,
	    BL_INITIAL) == -1) {
		baseline_free(bl);
		snprintf(err, errlen, "baseline: cannot allocate %u hosts, %u "
		    "entries and %u destinations", max_hosts, max_entries,
		    max_dests);
		return -1;
	}
	return 0;
}

void
baseline_free(struct baseline *bl)
{
	bl_table_free(&bl->hosts);
	bl_table_free(&bl->entries);
	bl_table_free(&bl->dests);
	free(bl->holidays);
	bl->holidays = NULL;
	bl->nholidays = 0;
}

static void
bl_table_clear(struct bl_table *t)
{
	memset(t->recs, 0, (size_t)t->cap * t->recsize);
	memset(t->used, 0, (t->cap + 63) / 64 * sizeof(uint64_t));
	t->count = t->cursor = 0;
	t->evicted = t->expired = 0;
}

void
baseline_reset(struct baseline *bl)
{
	bl_table_clear(&bl->hosts);
	bl_table_clear(&bl->entries);
	bl_table_clear(&bl->dests);
	memset(bl->pop, 0, sizeof(bl->pop));
	memset(&bl->pop_all, 0, sizeof(bl->pop_all));
	memset(&bl->pop_peak, 0, sizeof(bl->pop_peak));
	bl->seed[0] = bl->seed[1] = 0;
	bl->host_hours = 0;
}

/*
 * A seeded chain of the finaliser over the key's words.  Not a PRF: it
 * only has to keep remote hosts, who do not know the seed, from choosing
 * addresses that pile into one probe window; the damage they could do is
 * bounded by BL_PROBE anyway.
 */
uint64_t
baseline_key(const struct baseline *bl, const addr_t *host, int role,
    const struct bl_value *v)
{
	uint64_t w[2], x;
	uint8_t buf[16];

	x = bl->seed[0] ^ ((uint64_t)(host != NULL) << 16 |
	    (uint64_t)(role & 0xff) << 8 | v->dim);
	x = bl_mix(x);
	if (host != NULL) {
		memcpy(w, host->a, 16);
		x = bl_mix(x ^ w[0]) + bl->seed[1];
		x = bl_mix(x ^ w[1]);
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, v->v, v->len < 16 ? v->len : 16);
	memcpy(w, buf, 16);
	x = bl_mix(x ^ w[0] ^ (uint64_t)v->len << 56) + bl->seed[1];
	x = bl_mix(x ^ w[1]);
	return x != 0 ? x : 1;
}

struct bl_host *
baseline_host(struct baseline *bl, const addr_t *a, int role,
    uint32_t utc_hour, int *created)
{
	struct bl_value v;
	struct bl_host *h;

	bl_value_ip(&v, a);
	h = (struct bl_host *)bl_get(&bl->hosts, baseline_key(bl, a, role, &v),
	    utc_hour, bl->c.ttl_hours, created);
	if (*created) {
		h->addr = *a;
		h->role = (uint8_t)role;
	}
	h->h.last = utc_hour > h->h.last ? utc_hour : h->h.last;
	return h;
}

struct bl_host *
baseline_host_find(struct baseline *bl, const addr_t *a, int role,
    uint32_t utc_hour)
{
	struct bl_value v;
	struct bl_head *h;

	bl_value_ip(&v, a);
	h = bl_find(&bl->hosts, baseline_key(bl, a, role, &v));
	if (h == NULL || bl_expired(h, utc_hour, bl->c.ttl_hours))
		return NULL;
	return (struct bl_host *)h;
}

struct bl_entry *
baseline_entry(struct baseline *bl, uint64_t key, int dim, uint32_t utc_hour,
    int *created)
{
	struct bl_entry *e;

	e = (struct bl_entry *)bl_get(&bl->entries, key, utc_hour,
	    bl->c.ttl_hours, created);
	if (*created)
		e->dim = (uint8_t)dim;
	return e;
}

struct bl_entry *
baseline_entry_find(struct baseline *bl, uint64_t key, uint32_t utc_hour)
{
	struct bl_head *h = bl_find(&bl->entries, key);

	if (h == NULL || bl_expired(h, utc_hour, bl->c.ttl_hours))
		return NULL;
	return (struct bl_entry *)h;
}

struct bl_dest *
baseline_dest(struct baseline *bl, uint64_t key, int dim, uint32_t utc_hour,
    int *created)
{
	struct bl_dest *d;

	d = (struct bl_dest *)bl_get(&bl->dests, key, utc_hour,
	    bl->c.ttl_hours, created);
	if (*created)
		d->dim = (uint8_t)dim;
	return d;
}

struct bl_dest *
baseline_dest_find(struct baseline *bl, uint64_t key, uint32_t utc_hour)
{
	struct bl_head *h = bl_find(&bl->dests, key);

	if (h == NULL || bl_expired(h, utc_hour, bl->c.ttl_hours))
		return NULL;
	return (struct bl_dest *)h;
}

/* 1970-01-01 was a Thursday: local day d is weekday (d + 4) % 7, 0 Sunday. */
static int
bl_weekend(uint32_t day)
{
	uint32_t wd = (day + 4) % 7;

	return wd == 0 || wd == 6;
}

/* A holiday is learned and judged as the weekend it resembles. */
static int
bl_daytype(const struct baseline *bl, uint32_t day)
{
	size_t lo = 0, hi = bl->nholidays, mid;

	if (bl_weekend(day))
		return 1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bl->holidays[mid] == day)
			return 1;
		if (bl->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void
baseline_time(const struct baseline *bl, struct bl_time *t, xtime_t now,
    int utc_offset)
{
	bl_time(t, now, utc_offset);
	t->weekend = bl_daytype(bl, t->day);
}

int
baseline_set_holidays(struct baseline *bl, const uint32_t *days, size_t n)
{
	uint32_t *v = NULL;

	if (n > 0) {
		if ((v = calloc(n, sizeof(*v))) == NULL)
			return -1;
		memcpy(v, days, n * sizeof(*v));
	}
	free(bl->holidays);
	bl->holidays = v;
	bl->nholidays = n;
	return 0;
}

void
bl_time(struct bl_time *t, xtime_t now, int utc_offset)
{
	int64_t s = now / XT_SEC, ls = s + utc_offset;

	if (ls < 0)
		ls = 0;
	t->utc_hour = (uint32_t)(s > 0 ? s / 3600 : 0);
	t->hour = (uint32_t)(ls / 3600);
	t->day = (uint32_t)(ls / 86400);
	t->hod = (int)(t->hour % 24);
	t->weekend = bl_weekend(t->day);
}

void
bl_stat_update(struct bl_stat *s, double x, int active, double alpha,
    double clamp_k, double dev_floor)
{
	double a, act, mu, dev, lim, d, ad;

	if (s->n < 255)
		s->n++;
	a = 1.0 / s->n > alpha ? 1.0 / s->n : alpha;
	act = s->act / 255.0;
	act += a * ((active ? 1.0 : 0.0) - act);
	s->act = (uint8_t)lround(act * 255.0);
	if (!active)
		return;
	if (s->na < 255)
		s->na++;
	if (s->na == 1) {
		s->mu = (uint16_t)lround(fmin(x, 255.0) * 256.0);
		s->dev = (uint16_t)lround(BL_DEV_INIT * 256.0);
		return;
	}
	a = 1.0 / s->na > alpha ? 1.0 / s->na : alpha;
	mu = s->mu / 256.0;
	dev = s->dev / 256.0;
	if (s->na > 3) {
		/* Winsorise: a single hour moves the centre a bounded step. */
		lim = clamp_k * (dev > dev_floor ? dev : dev_floor);
		if (x > mu + lim)
			x = mu + lim;
		else if (x < mu - lim)
			x = mu - lim;
	}
	d = x - mu;
	mu += a * d;
	/*
	 * The spread learns at half the rate, from a deviation cut at twice
	 * the current one: an attacker whose every hour sits at the clamp
	 * would otherwise widen the spread by alpha * (k - 1) per hour and
	 * carry the p99 up with it.
	 */
	ad = fabs(d);
	if (s->na > 3 && ad > 2.0 * fmax(dev, dev_floor))
		ad = 2.0 * fmax(dev, dev_floor);
	dev += a / 2.0 * (ad - dev);
	s->mu = (uint16_t)lround(fmin(fmax(mu, 0.0), 255.0) * 256.0);
	s->dev = (uint16_t)lround(fmin(fmax(dev, 0.0), 255.0) * 256.0);
}

double
bl_stat_mean(const struct bl_stat *s)
{
	return s->na > 0 ? exp2(s->mu / 256.0) : 0.0;
}

double
bl_stat_p99(const struct bl_stat *s, double dev_floor)
{
	double dev = s->dev / 256.0;

	if (s->na == 0)
		return 0.0;
	if (dev < dev_floor)
		dev = dev_floor;
	return exp2(s->mu / 256.0 + BL_Z99 * BL_MAD_SIGMA * dev);
}

double
bl_stat_act(const struct bl_stat *s)
{
	return s->act / 255.0;
}

/* One closed hour of a host: its slot, its aggregate, the population. */
static void
bl_observe(struct baseline *bl, struct bl_host *h, uint32_t hour,
    uint64_t bytes, uint64_t peak)
{
	const struct bl_conf *c = &bl->c;
	int wk = bl_daytype(bl, hour / 24), hod = (int)(hour % 24);
	int active = bytes >= c->active_bytes;
	double x = log2(1.0 + (double)bytes);
	double xp = log2(1.0 + (double)peak);

	bl_stat_update(&h->slot[wk][hod], x, active, c->alpha_slot,
	    c->clamp_k, c->dev_floor);
	bl_stat_update(&h->all, x, active, c->alpha_all, c->clamp_k,
	    c->dev_floor);
	/* Only active hours teach the peak: idle hours say nothing of it. */
	if (active)
		bl_stat_update(&h->peak, xp, 1, c->alpha_all, c->clamp_k,
		    c->dev_floor);
	if (h->role != BL_ROLE_CLIENT)
		return;
	bl_stat_update(&bl->pop[wk][hod], x, active, c->alpha_pop, c->clamp_k,
	    c->dev_floor);
	bl_stat_update(&bl->pop_all, x, active, c->alpha_pop, c->clamp_k,
	    c->dev_floor);
	if (active)
		bl_stat_update(&bl->pop_peak, xp, 1, c->alpha_pop, c->clamp_k,
		    c->dev_floor);
	bl->host_hours++;
}

void
baseline_host_add(struct baseline *bl, struct bl_host *h,
    const struct bl_time *t, uint64_t bytes)
{
	uint32_t gap, k, from;

	if (h->hour == 0)
		h->hour = t->hour;
	if (t->hour > h->hour) {
		bl_observe(bl, h, h->hour, h->cur_bytes, h->cur_peak);
		gap = t->hour - h->hour;
		/* Idle hours in between; a week of them teaches every slot. */
		from = gap > BL_MAX_GAP ? t->hour - BL_MAX_GAP : h->hour + 1;
		for (k = from; k < t->hour; k++)
			bl_observe(bl, h, k, 0, 0);
		h->hour = t->hour;
		h->cur_bytes = 0;
		h->cur_peak = 0;
	}
	/* A late record of an earlier hour counts in the current one. */
	h->cur_bytes += bytes;
	if (h->cur_bytes >= bl->c.active_bytes &&
	    (h->adays == 0 || h->aday != (uint16_t)t->day)) {
		if (h->adays < UINT16_MAX)
			h->adays++;
		h->aday = (uint16_t)t->day;
	}
}

void
baseline_host_peak(struct bl_host *h, uint64_t window_bytes)
{
	if (window_bytes > h->cur_peak)
		h->cur_peak = window_bytes;
}

/*
 * The figures of the slots within tol hours of now.  When this day type
 * (weekday or weekend) has no observation at this hour, the other type
 * stands in: a first weekend is judged by weekdays rather than by nothing.
 */
static void
bl_ref_slots(const struct bl_stat (*slot)[BL_HOURS], const struct bl_stat *all,
    const struct bl_stat *peak, const struct bl_time *t, int tol,
    double dev_floor, struct bl_ref *r)
{
	const struct bl_stat *s, *c;
	int wk = t->weekend, k;
	double v;

	memset(r, 0, sizeof(*r));
	if (slot[wk][t->hod].n < 1 && slot[!wk][t->hod].n >= 1)
		wk = !wk;
	c = &slot[wk][t->hod];
	for (k = -tol; k <= tol; k++) {
		s = &slot[wk][(t->hod + k + BL_HOURS) % BL_HOURS];
		r->nobs += s->n;
		if (bl_stat_act(s) > r->act)
			r->act = bl_stat_act(s);
		if (s->na == 0)
			continue;
		r->active_known = 1;
		if ((v = bl_stat_p99(s, dev_floor)) > r->p99)
			r->p99 = v;
		if (c->na == 0 && (v = bl_stat_mean(s)) > r->typical)
			r->typical = v;
	}
	if (c->na > 0)
		r->typical = bl_stat_mean(c);
	r->known = r->nobs >= 2;
	r->all_typical = bl_stat_mean(all);
	r->all_p99 = bl_stat_p99(all, dev_floor);
	r->all_act = bl_stat_act(all);
	r->peak_p99 = bl_stat_p99(peak, dev_floor);
}

void
baseline_host_ref(const struct baseline *bl, const struct bl_host *h,
    const struct bl_time *t, int tol, struct bl_ref *r)
{
	bl_ref_slots(h->slot, &h->all, &h->peak, t, tol, bl->c.dev_floor, r);
}

void
baseline_pop_ref(const struct baseline *bl, const struct bl_time *t, int tol,
    struct bl_ref *r)
{
	bl_ref_slots(bl->pop, &bl->pop_all, &bl->pop_peak, t, tol,
	    bl->c.dev_floor, r);
}

void
baseline_entry_touch(struct bl_entry *e, const struct bl_time *t,
    uint64_t bytes)
{
	uint64_t kb;

	if (t->utc_hour > e->h.last)
		e->h.last = t->utc_hour;
	if (e->days == 0 || e->day != (uint16_t)t->day) {
		if (e->days < UINT16_MAX)
			e->days++;
		e->day = (uint16_t)t->day;
	}
	kb = (bytes + 512) / 1024 + e->total_kb;
	e->total_kb = kb > UINT32_MAX ? UINT32_MAX : (uint32_t)kb;
}

void
baseline_dest_touch(const struct baseline *bl, struct bl_dest *d,
    const struct bl_time *t, const addr_t *host, uint64_t bytes)
{
	uint64_t hh, w;
	unsigned idx, rank, cur;
	struct bl_value v;

	if (t->utc_hour > d->h.last)
		d->h.last = t->utc_hour;
	if (d->days == 0 || d->day != (uint16_t)t->day) {
		if (d->days < UINT16_MAX)
			d->days++;
		d->day = (uint16_t)t->day;
	}
	d->bytes = bytes > UINT64_MAX - d->bytes ? UINT64_MAX : d->bytes + bytes;
	/* HyperLogLog: 4 bits pick the register, the rest give the rank. */
	bl_value_ip(&v, host);
	hh = baseline_key(bl, NULL, 0xff, &v);
	idx = (unsigned)(hh & (BL_HLL_REGS - 1));
	w = hh >> 4;
	rank = w == 0 ? 15 : (unsigned)__builtin_ctzll(w) + 1;
	if (rank > 15)
		rank = 15;
	cur = (unsigned)(d->hll >> (idx * 4)) & 0xf;
	if (rank > cur)
		d->hll = (d->hll & ~(0xfULL << (idx * 4))) |
		    (uint64_t)rank << (idx * 4);
}

/* Flajolet et al. with linear counting below 2.5 m, as small counts are. */
double
baseline_dest_hosts(const struct bl_dest *d)
{
	double sum = 0.0, m = BL_HLL_REGS, e;
	unsigned i, r, zeros = 0;

	for (i = 0; i < BL_HLL_REGS; i++) {
		r = (unsigned)(d->hll >> (i * 4)) & 0xf;
		if (r == 0)
			zeros++;
		sum += 1.0 / (double)(1u << r);
	}
	if (zeros == BL_HLL_REGS)
		return 0.0;
	e = 0.673 * m * m / sum;
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / zeros);
	return e;
}

static size_t
bl_table_expire(struct bl_table *t, uint32_t now, uint32_t ttl, size_t budget)
{
	size_t n = 0;
	struct bl_head *h;
	uint64_t bits;

	if (t->count == 0 || t->cap == 0)
		return 0;
	while (budget-- > 0) {
		if (t->cursor >= t->cap)
			t->cursor = 0;
		bits = t->used[t->cursor >> 6] >> (t->cursor & 63);
		if (bits == 0) {
			/* An empty rest of a word counts as one slot of work. */
			t->cursor = (t->cursor | 63) + 1;
			continue;
		}
		h = bl_at(t, t->cursor);
		if (h->key != 0 && bl_expired(h, now, ttl)) {
			/* A later record may shift into this slot: look again. */
			bl_delete(t, t->cursor);
			t->expired++;
			n++;
			continue;
		}
		t->cursor++;
	}
	return n;
}

size_t
baseline_expire(struct baseline *bl, uint32_t utc_hour, size_t budget)
{
	return bl_table_expire(&bl->hosts, utc_hour, bl->c.ttl_hours, budget) +
	    bl_table_expire(&bl->entries, utc_hour, bl->c.ttl_hours, budget) +
	    bl_table_expire(&bl->dests, utc_hour, bl->c.ttl_hours, budget);
}

void
bl_value_ip(struct bl_value *v, const addr_t *a)
{
	memset(v, 0, sizeof(*v));
	v->dim = BL_DIM_IP;
	v->len = 16;
	memcpy(v->v, a->a, 16);
}

void
bl_value_asn(struct bl_value *v, uint32_t asn)
{
	memset(v, 0, sizeof(*v));
	v->dim = BL_DIM_ASN;
	v->len = 4;
	memcpy(v->v, &asn, 4);
}

static void
bl_value_str(struct bl_value *v, int dim, const char *s)
{
	size_t n = strnlen(s, 15);

	memset(v, 0, sizeof(*v));
	v->dim = (uint8_t)dim;
	v->len = (uint8_t)n;
	memcpy(v->v, s, n);
}

void
bl_value_country(struct bl_value *v, const char *cc)
{
	bl_value_str(v, BL_DIM_COUNTRY, cc);
}

void
bl_value_region(struct bl_value *v, const char *region)
{
	bl_value_str(v, BL_DIM_REGION, region);
}

void
bl_value_port(struct bl_value *v, uint8_t proto, uint16_t port)
{
	uint32_t x = (uint32_t)proto << 16 | port;

	memset(v, 0, sizeof(*v));
	v->dim = BL_DIM_PORT;
	v->len = 4;
	memcpy(v->v, &x, 4);
}
