/*
 * geo.c: country, region and AS of an address from memory-mapped MaxMind
 * databases, behind a preallocated 2-way set-associative cache.
 *
 * A database walk costs a tree descent plus one map scan per field, well
 * over half a microsecond for three databases; the same few thousand remote
 * hosts recur in every stats interval, so a small cache answers most
 * lookups.  Two ways per set with one LRU bit keep two busy hosts that share
 * a set from evicting each other, at the price of one extra compare.  The
 * set index is a keyed hash of all 16 bytes with a random per-instance key:
 * without the key a remote host has no cheap way to pick addresses that land
 * in one set, and a thrashed cache only degrades to the uncached cost.
 *
 * Everything read from a database is checked for presence, type and length
 * before use, because a database file is input like any other.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <maxminddb.h>

#include "geo.h"

/*
 * A slot holds the answer for a whole network: the key is the address
 * masked to the longest prefix any of the databases answered with (within
 * it every answer is the same), so one lookup serves every address of a
 * provider's block.
 */
struct geo_slot {
	addr_t		 key;
	uint8_t		 plen;		/* of key, in the 128-bit form */
	struct geo_info	 info;
};

struct geo_set {
	struct geo_slot	 way[2];
	uint8_t		 used;		/* bit per way */
	uint8_t		 lru;		/* way to evict next */
};

#define GEO_EPOCH_MAX	253402300799ULL	/* 9999-12-31T23:59:59Z */

static const char *const geo_db_name[GEO_DB_MAX] = {
	"country", "city", "asn"
};

static const char *const geo_path_country[] = { "country", "iso_code", NULL };
static const char *const geo_path_registered[] = {
	"registered_country", "iso_code", NULL
};
static const char *const geo_path_subdivision[] = {
	"subdivisions", "0", "iso_code", NULL
};
static const char *const geo_path_asn[] = {
	"autonomous_system_number", NULL
};
static const char *const geo_path_org[] = {
	"autonomous_system_organization", NULL
};

static uint64_t	 geo_mix(uint64_t);
static size_t	 geo_hash(const struct geo *, const addr_t *);
static void	 geo_seed(struct geo *);
static int	 geo_open_one(struct geo *, enum geo_db, const char *, char *,
		    size_t);
static int	 geo_find(struct geo *, enum geo_db, const struct sockaddr *,
		    MMDB_entry_s *, int *);
static int	 geo_get(struct geo *, MMDB_entry_s *, const char *const *,
		    MMDB_entry_data_s *);
static int	 geo_code(struct geo *, MMDB_entry_s *, const char *const *,
		    size_t, size_t, char *);
static void	 geo_country(struct geo *, MMDB_entry_s *, struct geo_info *);
static void	 geo_region(struct geo *, MMDB_entry_s *, struct geo_info *);
static void	 geo_as(struct geo *, MMDB_entry_s *, struct geo_info *);
static int	 geo_resolve(struct geo *, const addr_t *, struct geo_info *);
static size_t	 geo_utf8_seq(const uint8_t *, size_t, uint32_t *);
static size_t	 geo_copy_text(char *, size_t, const char *, size_t);

/* murmur3's 64-bit finaliser: every input bit reaches every output bit. */
static uint64_t
geo_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static size_t
geo_hash(const struct geo *g, const addr_t *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a->a, sizeof hi);
	memcpy(&lo, a->a + 8, sizeof lo);
	return (size_t)geo_mix(geo_mix(hi ^ g->seed[0]) ^ lo ^ g->seed[1]);
}

/*
 * The key only has to be unknown to remote hosts; if the kernel pool is not
 * ready yet (early boot) the clock and pid are unknown enough, and blocking
 * the daemon's start for a cache key would be worse.
 */
static void
geo_seed(struct geo *g)
{
	struct timespec ts;

	if (getrandom(g->seed, sizeof g->seed, GRND_NONBLOCK) ==
	    (ssize_t)sizeof g->seed)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	g->seed[0] = geo_mix((uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32);
	g->seed[1] = geo_mix((uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)g);
}

static int
geo_open_one(struct geo *g, enum geo_db which, const char *path, char *err,
    size_t errlen)
{
	MMDB_s *db;
	int rc, saved;

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((db = calloc(1, sizeof *db)) == NULL) {
		snprintf(err, errlen, "%s database %s: %s", geo_db_name[which],
		    path, strerror(errno));
		return -1;
	}
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, db)) != MMDB_SUCCESS) {
		/* MMDB_open restores errno of the failing call. */
		saved = errno;
		if (rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR)
			snprintf(err, errlen, "%s database %s: %s: %s",
			    geo_db_name[which], path, MMDB_strerror(rc),
			    strerror(saved));
		else
			snprintf(err, errlen, "%s database %s: %s",
			    geo_db_name[which], path, MMDB_strerror(rc));
		free(db);	/* MMDB_open has released what it took */
		return -1;
	}
	g->db[which] = db;
	return 0;
}

int
geo_open(struct geo *g, const char *country_db, const char *city_db,
    const char *asn_db, size_t cache_entries, char *err, size_t errlen)
{
	size_t n;

	memset(g, 0, sizeof *g);
	if (cache_entries > GEO_CACHE_MAX) {
		snprintf(err, errlen, "geo cache of %zu entries exceeds %u",
		    cache_entries, GEO_CACHE_MAX);
		return -1;
	}
	if (geo_open_one(g, GEO_DB_COUNTRY, country_db, err, errlen) == -1 ||
	    geo_open_one(g, GEO_DB_CITY, city_db, err, errlen) == -1 ||
	    geo_open_one(g, GEO_DB_ASN, asn_db, err, errlen) == -1)
		goto fail;

	/* Without a database every answer is "unknown": nothing to cache. */
	if (cache_entries > 0 && geo_enabled(g)) {
		for (n = 2; n < cache_entries; n <<= 1)
			;
		g->nsets = n / 2;
		if ((g->sets = calloc(g->nsets, sizeof *g->sets)) == NULL) {
			snprintf(err, errlen, "geo cache of %zu entries: %s",
			    n, strerror(errno));
			goto fail;
		}
		geo_seed(g);
	}
	return 0;
fail:
	geo_close(g);
	return -1;
}

int
geo_enabled(const struct geo *g)
{
	int i;

	for (i = 0; i < GEO_DB_MAX; i++)
		if (g->db[i] != NULL)
			return 1;
	return 0;
}

void
geo_close(struct geo *g)
{
	int i;

	for (i = 0; i < GEO_DB_MAX; i++) {
		if (g->db[i] == NULL)
			continue;
		MMDB_close(g->db[i]);
		free(g->db[i]);
	}
	free(g->sets);
	memset(g, 0, sizeof *g);
}

/*
 * An address absent from the database and an IPv6 address asked of an
 * IPv4-only database are ordinary unknowns; anything else is a corrupt tree.
 */
static int
geo_find(struct geo *g, enum geo_db which, const struct sockaddr *sa,
    MMDB_entry_s *entry, int *plen)
{
	MMDB_lookup_result_s res;
	int rc = MMDB_SUCCESS, m;

	res = MMDB_lookup_sockaddr(g->db[which], sa, &rc);
	if (rc != MMDB_SUCCESS) {
		if (rc != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
			g->st.errors++;
		*plen = 128;	/* nothing known about the network: exact */
		return 0;
	}
	/* The answer holds for this network, in our 128-bit form. */
	m = res.netmask;
	if (sa->sa_family == AF_INET) {
		if (g->db[which]->metadata.ip_version == 6)
			m = m >= 96 ? m - 96 : 0;
		m = 96 + (m > 32 ? 32 : m);
	} else if (m > 128)
		m = 128;
	if (m > *plen)
		*plen = m;
	if (!res.found_entry)
		return 0;
	*entry = res.entry;
	return 1;
}

/*
 * A missing map key is success without data; a path through something that
 * is not a map or an array index past the end is a shape mismatch, which
 * real databases have (no subdivisions) and is not an error either.
 */
static int
geo_get(struct geo *g, MMDB_entry_s *entry, const char *const *path,
    MMDB_entry_data_s *ed)
{
	int rc;

	memset(ed, 0, sizeof *ed);
	rc = MMDB_aget_value(entry, ed, path);
	if (rc != MMDB_SUCCESS) {
		if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
			g->st.errors++;
		return 0;
	}
	return ed->has_data;
}

/*
 * Copy an ISO code of minlen..maxlen upper-case letters or digits (digits
 * only occur in subdivisions) into out, NUL-terminated.  Anything else is
 * refused rather than truncated: a cut code names a different place.
 */
static int
geo_code(struct geo *g, MMDB_entry_s *entry, const char *const *path,
    size_t minlen, size_t maxlen, char *out)
{
	MMDB_entry_data_s ed;
	size_t i;
	char c;

	if (!geo_get(g, entry, path, &ed) ||
	    ed.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    ed.data_size < minlen || ed.data_size > maxlen)
		return 0;
	for (i = 0; i < ed.data_size; i++) {
		c = ed.utf8_string[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 0;
		out[i] = c;
	}
	out[i] = '\0';
	return 1;
}

static void
geo_country(struct geo *g, MMDB_entry_s *entry, struct geo_info *out)
{
	char cc[3];

	if (!geo_code(g, entry, geo_path_country, 2, 2, cc)) {
		if (!geo_code(g, entry, geo_path_registered, 2, 2, cc))
			return;
		out->flags |= GEO_REGISTERED;
	}
	memcpy(out->country, cc, sizeof cc);
	out->flags |= GEO_KNOWN_COUNTRY;
}

/* The region's country is the city record's own, so "GB-ENG" is coherent. */
static void
geo_region(struct geo *g, MMDB_entry_s *entry, struct geo_info *out)
{
	char cc[3], sub[4];

	if (!geo_code(g, entry, geo_path_country, 2, 2, cc) ||
	    !geo_code(g, entry, geo_path_subdivision, 1, 3, sub))
		return;
	snprintf(out->region, sizeof out->region, "%s-%s", cc, sub);
	out->flags |= GEO_KNOWN_REGION;
}

static void
geo_as(struct geo *g, MMDB_entry_s *entry, struct geo_info *out)
{
	MMDB_entry_data_s ed;
	uint64_t asn = 0;

	if (geo_get(g, entry, geo_path_asn, &ed)) {
		switch (ed.type) {
		case MMDB_DATA_TYPE_UINT16:
			asn = ed.uint16;
			break;
		case MMDB_DATA_TYPE_UINT32:
			asn = ed.uint32;
			break;
		case MMDB_DATA_TYPE_UINT64:
			asn = ed.uint64;
			break;
		case MMDB_DATA_TYPE_INT32:
			asn = ed.int32 > 0 ? (uint64_t)ed.int32 : 0;
			break;
		}
		if (asn > 0 && asn <= UINT32_MAX) {
			out->asn = (uint32_t)asn;
			out->flags |= GEO_KNOWN_ASN;
		}
	}
	if (geo_get(g, entry, geo_path_org, &ed) &&
	    ed.type == MMDB_DATA_TYPE_UTF8_STRING &&
	    geo_copy_text(out->as_org, sizeof out->as_org, ed.utf8_string,
	    ed.data_size) > 0)
		out->flags |= GEO_KNOWN_ORG;
}

/* Returns the prefix length the answer holds for (128: this address). */
static int
geo_resolve(struct geo *g, const addr_t *a, struct geo_info *out)
{
	int plen = 0;

	union {
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
	} su;
	MMDB_entry_s entry;

	/* IPv4 takes the database's IPv4 subtree, also in IPv4-only files. */
	memset(&su, 0, sizeof su);
	if (addr_is_v4(a)) {
		su.sin.sin_family = AF_INET;
		memcpy(&su.sin.sin_addr, a->a + 12, 4);
	} else {
		su.sin6.sin6_family = AF_INET6;
		memcpy(&su.sin6.sin6_addr, a->a, 16);
	}

	if (g->db[GEO_DB_COUNTRY] != NULL &&
	    geo_find(g, GEO_DB_COUNTRY, &su.sa, &entry, &plen))
		geo_country(g, &entry, out);
	if (g->db[GEO_DB_CITY] != NULL &&
	    geo_find(g, GEO_DB_CITY, &su.sa, &entry, &plen)) {
		if (!(out->flags & GEO_KNOWN_COUNTRY))
			geo_country(g, &entry, out);
		geo_region(g, &entry, out);
	}
	if (g->db[GEO_DB_ASN] != NULL &&
	    geo_find(g, GEO_DB_ASN, &su.sa, &entry, &plen))
		geo_as(g, &entry, out);
	return plen;
}

static void
geo_mask(addr_t *m, const addr_t *a, int plen)
{
	int i;

	*m = *a;
	for (i = 0; i < 16; i++) {
		int keep = plen - i * 8;

		if (keep <= 0)
			m->a[i] = 0;
		else if (keep < 8)
			m->a[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static struct geo_set *
geo_set_for(struct geo *g, const addr_t *key, int plen)
{
	return &g->sets[(geo_hash(g, key) ^ ((size_t)plen * 0x9e3779b1u)) &
	    (g->nsets - 1)];
}

/* Remember a prefix length; beyond eight of them answers stay exact. */
static int
geo_plen_add(struct geo *g, int plen)
{
	int i, j;

	for (i = 0; i < g->nplens; i++)
		if (g->plens[i] == plen)
			return plen;
	if (g->nplens == (int)sizeof(g->plens))
		return 128;
	for (i = 0; i < g->nplens && g->plens[i] > plen; i++)
		;
	for (j = g->nplens; j > i; j--)
		g->plens[j] = g->plens[j - 1];
	g->plens[i] = (uint8_t)plen;
	g->nplens++;
	return plen;
}

void
geo_lookup(struct geo *g, const addr_t *a, struct geo_info *out)
{
	struct geo_set *set;
	addr_t key;
	int w, k, plen;

	memset(out, 0, sizeof *out);
	g->st.lookups++;
	if (!geo_enabled(g))
		return;
	if (g->sets == NULL) {
		g->st.misses++;
		(void)geo_resolve(g, a, out);
		return;
	}

	/* Longest cached network first: the most specific answer wins. */
	for (k = 0; k < g->nplens; k++) {
		geo_mask(&key, a, g->plens[k]);
		set = geo_set_for(g, &key, g->plens[k]);
		for (w = 0; w < 2; w++) {
			if ((set->used & (1 << w)) &&
			    set->way[w].plen == g->plens[k] &&
			    addr_eq(&set->way[w].key, &key)) {
				*out = set->way[w].info;
				set->lru = !w;
				g->st.hits++;
				return;
			}
		}
	}
	g->st.misses++;
	plen = geo_plen_add(g, geo_resolve(g, a, out));
	geo_mask(&key, a, plen);
	set = geo_set_for(g, &key, plen);

	if (!(set->used & 1))
		w = 0;
	else if (!(set->used & 2))
		w = 1;
	else
		w = set->lru;
	set->way[w].key = key;
	set->way[w].plen = (uint8_t)plen;
	set->way[w].info = *out;
	set->used |= 1 << w;
	set->lru = !w;
}

void
geo_stats(const struct geo *g, struct geo_stats *st)
{
	*st = g->st;
	st->cache_entries = g->nsets * 2;
	st->cache_bytes = g->nsets * sizeof *g->sets;
}

void
geo_describe(const struct geo *g, char *buf, size_t len)
{
	const MMDB_s *db;
	char type[64], day[16];
	struct tm tm;
	time_t t;
	size_t off = 0;
	int i, n;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < GEO_DB_MAX && off < len; i++) {
		if ((db = g->db[i]) == NULL) {
			n = snprintf(buf + off, len - off, "%s%s=none",
			    off ? " " : "", geo_db_name[i]);
		} else {
			geo_copy_text(type, sizeof type,
			    db->metadata.database_type != NULL ?
			    db->metadata.database_type : "?",
			    db->metadata.database_type != NULL ?
			    strlen(db->metadata.database_type) : 1);
			/* The epoch is file content: it may not fit a tm. */
			t = (time_t)db->metadata.build_epoch;
			if (db->metadata.build_epoch > GEO_EPOCH_MAX ||
			    gmtime_r(&t, &tm) == NULL ||
			    strftime(day, sizeof day, "%Y-%m-%d", &tm) == 0)
				snprintf(day, sizeof day, "?");
			n = snprintf(buf + off, len - off, "%s%s=%s/%s",
			    off ? " " : "", geo_db_name[i], type, day);
		}
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available) and its
 * code point, or 0: overlong forms, surrogates and values past U+10FFFF are
 * refused, as RFC 3629 requires.
 */
static size_t
geo_utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Copy database text into dst as valid UTF-8: malformed bytes and control
 * characters (C0, DEL, C1) become '?', and the copy stops before a character
 * that would not fit, so truncation never splits one.  Returns the length.
 */
static size_t
geo_copy_text(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0, o = 0, n;
	uint32_t cp;

	if (dstlen == 0)
		return 0;
	while (i < srclen) {
		n = geo_utf8_seq(s + i, srclen - i, &cp);
		if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = '?';
			i += n > 0 ? n : 1;
			continue;
		}
		if (o + n >= dstlen)
			break;
		memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
	return o;
}
