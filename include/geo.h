/*
 * geo.h: country, region and autonomous system of an address.
 *
 * Owns: up to three memory-mapped MaxMind DB files (country, city, ASN; any
 * may be absent) and a bounded lookup cache in front of them.
 * Calls: libmaxminddb and libc only.  Never logs: geo_open reports into the
 * caller's buffer, and a lookup that fails (corrupt database, address not
 * present) answers "unknown" and is counted, because enrichment must never
 * stop the pipeline.
 *
 * Everything an instance needs lives in struct geo and in memory it owns, so
 * a reload on SIGHUP is: geo_open a new instance, and only if that worked,
 * geo_close the old one and assign the new one over it.  Lookups mutate the
 * cache and counters, so one instance belongs to one thread.
 *
 * Country comes from the country database when one is configured and knows
 * the address, else from the city database; "registered_country" stands in
 * when "country" is absent (anycast, satellite).  Region comes only from the
 * city database, as the ISO 3166-2 code "GB-ENG" built from that record's
 * own country and first subdivision, so the two halves always agree.
 * Strings read from a database are checked for type and length, and copied
 * as bounded, valid UTF-8 without control characters: a hostile database
 * cannot overflow a field nor inject into an alert.
 *
 * The cache is a preallocated 2-way set-associative array keyed by the full
 * address and indexed by a hash with a per-instance random seed, so remote
 * hosts cannot aim many addresses at one set.  A lookup never allocates.
 *
 * API
 *   geo_open:     map the configured databases (NULL or "" = absent) and
 *                 allocate the cache, cache_entries rounded up to a power of
 *                 two (0 disables it).
 *   geo_enabled:  whether any database is configured (else log once
 *                 "geography unknown").
 *   geo_lookup:   fill struct geo_info for an address; never fails.
 *   geo_stats:    lookup, hit, miss and error counters; cache memory.
 *   geo_describe: one line naming each database's type and build date.
 *   geo_close:    unmap and free; safe on a closed or failed instance.
 */
#ifndef GEO_H
#define GEO_H

#include "exfild.h"

#define GEO_KNOWN_COUNTRY	0x01	/* country[] is set */
#define GEO_KNOWN_REGION	0x02	/* region[] is set */
#define GEO_KNOWN_ASN		0x04	/* asn is set */
#define GEO_KNOWN_ORG		0x08	/* as_org[] is set */
#define GEO_REGISTERED		0x10	/* country is where the block is
					   registered, not where it is */

#define GEO_ORG_LEN		48
#define GEO_CACHE_MAX		(1u << 20)	/* entries; about 90 MB */

struct geo_info {
	char	 country[3];	/* ISO 3166-1 alpha-2 "SE", "" unknown */
	char	 region[8];	/* ISO 3166-2 "GB-ENG", "" unknown */
	uint32_t asn;		/* 0 unknown */
	char	 as_org[GEO_ORG_LEN];	/* UTF-8, truncated, "" unknown */
	uint8_t	 flags;		/* GEO_KNOWN_* */
};

enum geo_db {
	GEO_DB_COUNTRY,
	GEO_DB_CITY,
	GEO_DB_ASN,
	GEO_DB_MAX
};

struct geo_stats {
	uint64_t lookups;	/* geo.lookups: geo_lookup calls */
	uint64_t hits;		/* geo.cache_hits */
	uint64_t misses;	/* geo.cache_misses: walked the databases */
	uint64_t errors;	/* geo.errors: database reads that failed
				   (corrupt tree or record) */
	size_t	 cache_entries;	/* slots, a power of two, or 0 */
	size_t	 cache_bytes;	/* memory held by the cache */
};

struct MMDB_s;
struct geo_set;

struct geo {
	struct MMDB_s	*db[GEO_DB_MAX];	/* NULL when not configured */
	struct geo_set	*sets;			/* cache, NULL when disabled */
	size_t		 nsets;			/* a power of two */
	uint64_t	 seed[2];		/* cache hash key */
	uint8_t		 plens[8];		/* prefix lengths cached, longest first */
	int		 nplens;
	struct geo_stats st;
};

int	 geo_open(struct geo *, const char *country_db, const char *city_db,
	    const char *asn_db, size_t cache_entries, char *err, size_t errlen);
int	 geo_enabled(const struct geo *);
void	 geo_lookup(struct geo *, const addr_t *, struct geo_info *);
void	 geo_stats(const struct geo *, struct geo_stats *);
void	 geo_describe(const struct geo *, char *, size_t);
void	 geo_close(struct geo *);

#endif
