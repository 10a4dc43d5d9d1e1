/*
 * baseline.h: what the network normally sends where — the learned tables
 * behind volume scoring.
 *
 * Owns three preallocated, bounded open-addressed tables and the
 * population's hourly profile:
 *   hosts    one record per (internal host, role): the bytes it sends per
 *            hour, learned per hour of day for weekdays and for weekends
 *            (24 x 2 slots) plus an all-hours aggregate, and its number of
 *            active days (how mature its own baseline is);
 *   entries  one 64-byte record per (host, role, dimension, value), the
 *            dimensions being destination address, AS, country, region and
 *            port/protocol: first and last seen, days seen, bytes, and the
 *            open short / hour / day windows of bytes sent to it;
 *   dests    one record per (dimension, value) for the whole network: first
 *            and last seen, days seen, bytes, and a 16-register HyperLogLog
 *            of the hosts that sent to it;
 *   pop      the hourly profile of all hosts together ("the usual host at
 *            this hour"), against which a host without a mature baseline
 *            of its own is judged.
 * Calls: libm and libc only.  Never logs, never allocates after
 * baseline_init.
 *
 * Why these statistics: each slot keeps the share of hours the host was
 * active and, for active hours, an exponentially weighted mean and mean
 * absolute deviation of log2(bytes).  Working in log2 makes a 10 MB and a
 * 10 GB host comparable and the mean of logs is a median-like centre; the
 * deviation gives a p99 (mean + 2.9 deviations, the normal quantile
 * through the MAD) with a floor so that a very regular host still has
 * room.  After three observations every new value is winsorised at
 * mean +- clamp_k deviations before it is learned, so one huge hour moves
 * the centre by at most alpha * clamp_k deviations; the spread learns at
 * half that rate from deviations cut at twice its value, so the clamp
 * cannot be walked upwards by inflating the spread either.  An attacker
 * who raises volume slowly must do so over many weeks (Slips' robust
 * per-host statistics, made bounded).  Besides its hourly total, a host
 * learns the most it sent to any one destination in an hour (its "peak"):
 * exfiltration concentrates on one destination, ordinary use spreads, so
 * the peak is the sharper reference for a single destination.  Hours are
 * closed lazily: when a
 * host's next record falls in a later hour, the hours in between are
 * learned as idle (at most a week of them), so silent hosts cost nothing.
 *
 * Why these tables: a record holds a 64-bit keyed hash of its key instead
 * of the key (addresses are 16 bytes; the hash keeps a destination entry
 * at 64 bytes); a collision needs the key and merges two histories at
 * worst.  Linear probing, at most BL_PROBE slots from the home slot,
 * backward-shift deletion (no tombstones).  A full table (max records) or
 * a full probe window evicts the stalest record of the window and counts
 * it; records unseen for the ttl are treated as new when looked up and are
 * removed a bounded number of slots per tick.  The hash key comes from the
 * caller (score.c derives it from the first record and stores it in the
 * state file), so the same input always gives the same table layout and
 * the same evictions.
 *
 * Time: records keep UTC hours since the epoch; slots, days and weekends
 * use local time (utc_offset), because "night" and "weekend" are local.
 *
 * API
 *   baseline_init / baseline_free:  allocate / release the tables.
 *   baseline_reset:       forget everything (keeps the allocations).
 *   baseline_key:         keyed hash of (host, role, value); host NULL for
 *                         a population key.
 *   baseline_host / baseline_entry / baseline_dest:  find or create.
 *   baseline_host_find / baseline_entry_find / baseline_dest_find:  find.
 *   baseline_host_add:    account bytes a host sent now (closes hours).
 *   baseline_host_peak:   note the bytes of its busiest destination.
 *   baseline_host_ref / baseline_pop_ref:  typical, p99 and activity near
 *                         an hour.
 *   baseline_entry_touch / baseline_dest_touch:  account a contact.
 *   baseline_dest_hosts:  HyperLogLog estimate of distinct hosts.
 *   baseline_expire:      remove expired records, bounded work.
 *   baseline_grow:        enlarge tables that are filling up (between
 *                         records: it moves every record).
 *   baseline_iter_init / baseline_iter_next:  walk a table's records in
 *                         an order whose re-insertion rebuilds the same
 *                         layout (saving).
 *   baseline_table_insert: put a saved record back (loading).
 *   baseline_table_mem:   bytes a table holds.
 *   bl_stat_update / bl_stat_mean / bl_stat_p99 / bl_stat_act: one slot.
 *   bl_value_*:           build a dimension value.
 *   bl_time:              local hour, day, hour of day and weekend flag.
 *   baseline_time:        the same, holidays counted as weekend days.
 *   baseline_set_holidays: the local days learned as weekend days (a
 *                         copy; -1 out of memory, the old list kept).
 */
#ifndef BASELINE_H
#define BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "exfild.h"

#define BL_PROBE	64	/* slots looked at from the home slot */
#define BL_HOURS	24
#define BL_DAYTYPES	2	/* 0 weekday, 1 weekend (Saturday, Sunday) */
#define BL_WINDOWS	3	/* short, hour, day: used by score.c */
#define BL_HLL_REGS	16

enum bl_dim {
	BL_DIM_IP = 0,
	BL_DIM_ASN,
	BL_DIM_COUNTRY,
	BL_DIM_REGION,
	BL_DIM_PORT,		/* protocol << 16 | port */
	BL_DIM_MAX
};

enum bl_role {
	BL_ROLE_CLIENT = 0,	/* bytes sent on flows the host initiated */
	BL_ROLE_SERVER		/* bytes an internal server sends in replies */
};

struct bl_value {
	uint8_t		 dim;		/* enum bl_dim */
	uint8_t		 len;		/* bytes of v[] that count */
	uint8_t		 v[16];
};

/* One learned distribution; 8 bytes. */
struct bl_stat {
	uint16_t	 mu;		/* mean log2(bytes) of active hours, 1/256 bit */
	uint16_t	 dev;		/* mean absolute deviation, 1/256 bit */
	uint8_t		 act;		/* share of hours active, /255 */
	uint8_t		 n;		/* hours observed, saturating */
	uint8_t		 na;		/* active hours observed, saturating */
	uint8_t		 pad;
};

/* The prefix every table record starts with. */
struct bl_head {
	uint64_t	 key;		/* keyed hash; 0 = free slot */
	uint32_t	 first;		/* UTC hour since the epoch */
	uint32_t	 last;		/* UTC hour since the epoch */
};

struct bl_host {
	struct bl_head	 h;
	addr_t		 addr;
	uint64_t	 cur_bytes;	/* bytes sent in local hour `hour` */
	uint64_t	 cur_peak;	/* most bytes to one destination, same hour */
	uint32_t	 hour;		/* local hour since the epoch being summed */
	uint16_t	 adays;		/* active days, saturating */
	uint16_t	 aday;		/* local day of the latest active day, mod 2^16 */
	uint8_t		 role;		/* enum bl_role */
	uint8_t		 pad[7];
	struct bl_stat	 slot[BL_DAYTYPES][BL_HOURS];
	struct bl_stat	 all;		/* every hour of every day */
	struct bl_stat	 peak;		/* cur_peak of every active hour */
};

/* A (host, role, dimension, value) record: 64 bytes. */
struct bl_entry {
	struct bl_head	 h;
	uint64_t	 wbytes[BL_WINDOWS];	/* bytes in each open window */
	uint32_t	 wstart[BL_WINDOWS];	/* UTC second it opened; 0 none */
	uint32_t	 total_kb;	/* KiB sent, saturating */
	uint16_t	 days;		/* distinct local days seen, saturating */
	uint16_t	 day;		/* local day of the latest, mod 2^16 */
	uint8_t		 dim;		/* enum bl_dim */
	uint8_t		 alerted;	/* bit per window: alerted in this one */
	uint8_t		 whours;	/* hour windows opened in the day window */
	uint8_t		 pad;
};

/* A (dimension, value) record of the whole network: 40 bytes. */
struct bl_dest {
	struct bl_head	 h;
	uint64_t	 hll;		/* 16 x 4-bit registers of host hashes */
	uint64_t	 bytes;		/* sent by every host, all time */
	uint16_t	 days;
	uint16_t	 day;
	uint8_t		 dim;
	uint8_t		 pad[3];
};

struct bl_table {
	uint8_t		*recs;
	uint64_t	*used;		/* occupancy bitmap, a bit per slot */
	size_t		 recsize;
	uint32_t	 cap;		/* slots now; grows up to maxcap */
	uint32_t	 maxcap;	/* slots at max: max * 1.5 + BL_PROBE */
	uint32_t	 max;		/* records allowed */
	uint32_t	 limit;		/* records allowed at this cap */
	uint32_t	 count;
	uint32_t	 cursor;	/* expiry scan position */
	uint64_t	 evicted;	/* removed to make room */
	uint64_t	 expired;	/* removed or reused after the ttl */
};

struct bl_conf {
	double		 alpha_slot;	/* EW weight of an hour-of-day slot */
	double		 alpha_all;	/* of the all-hours aggregate */
	double		 alpha_pop;	/* of the population profile */
	double		 clamp_k;	/* winsorise at mean +- k deviations */
	double		 dev_floor;	/* bits: least deviation used for p99 */
	uint64_t	 active_bytes;	/* an hour with this much is active */
	uint32_t	 ttl_hours;	/* records unseen this long expire */
	int		 utc_offset;	/* seconds east of UTC */
};

struct baseline {
	struct bl_conf	 c;
	struct bl_table	 hosts, entries, dests;
	struct bl_stat	 pop[BL_DAYTYPES][BL_HOURS];
	struct bl_stat	 pop_all;
	struct bl_stat	 pop_peak;
	uint64_t	 seed[2];	/* hash key */
	uint64_t	 host_hours;	/* hours learned, all hosts */
	uint32_t	*holidays;	/* local days, ascending: weekend days */
	size_t		 nholidays;
};

/* Where a reference figure comes from, for a host or the population. */
struct bl_ref {
	double		 typical;	/* bytes in a usual active hour near now */
	double		 p99;		/* bytes: p99 of active hours near now */
	double		 act;		/* share of days active near this hour */
	double		 all_typical;	/* the same over all hours */
	double		 all_p99;
	double		 all_act;
	double		 peak_p99;	/* p99 of the most sent to one destination
					   in an hour; 0 unknown */
	int		 nobs;		/* hours observed in the slots near now */
	int		 known;		/* nobs >= 2 */
	int		 active_known;	/* ... and at least one active hour */
};

struct bl_time {
	uint32_t	 utc_hour;	/* UTC hours since the epoch */
	uint32_t	 hour;		/* local hours since the epoch */
	uint32_t	 day;		/* local days since the epoch */
	int		 hod;		/* local hour of day 0..23 */
	int		 weekend;	/* 1 on Saturday and Sunday */
};

int		 baseline_init(struct baseline *, const struct bl_conf *,
		    uint32_t max_hosts, uint32_t max_entries,
		    uint32_t max_dests, char *err, size_t errlen);
void		 baseline_free(struct baseline *);
void		 baseline_reset(struct baseline *);

uint64_t	 baseline_key(const struct baseline *, const addr_t *host,
		    int role, const struct bl_value *);

struct bl_host	*baseline_host(struct baseline *, const addr_t *, int role,
		    uint32_t utc_hour, int *created);
struct bl_host	*baseline_host_find(struct baseline *, const addr_t *,
		    int role, uint32_t utc_hour);
struct bl_entry	*baseline_entry(struct baseline *, uint64_t key, int dim,
		    uint32_t utc_hour, int *created);
struct bl_entry	*baseline_entry_find(struct baseline *, uint64_t key,
		    uint32_t utc_hour);
struct bl_dest	*baseline_dest(struct baseline *, uint64_t key, int dim,
		    uint32_t utc_hour, int *created);
struct bl_dest	*baseline_dest_find(struct baseline *, uint64_t key,
		    uint32_t utc_hour);

void		 baseline_host_add(struct baseline *, struct bl_host *,
		    const struct bl_time *, uint64_t bytes);
void		 baseline_host_peak(struct bl_host *, uint64_t window_bytes);
void		 baseline_host_ref(const struct baseline *,
		    const struct bl_host *, const struct bl_time *, int tol,
		    struct bl_ref *);
void		 baseline_pop_ref(const struct baseline *,
		    const struct bl_time *, int tol, struct bl_ref *);
void		 baseline_entry_touch(struct bl_entry *, const struct bl_time *,
		    uint64_t bytes);
void		 baseline_dest_touch(const struct baseline *, struct bl_dest *,
		    const struct bl_time *, const addr_t *host, uint64_t bytes);
double		 baseline_dest_hosts(const struct bl_dest *);
void		 baseline_grow(struct baseline *);
size_t		 baseline_expire(struct baseline *, uint32_t utc_hour,
		    size_t budget);

/*
 * Walks slots from just after an empty one, cyclically: re-inserting the
 * records in that order into a table of the same capacity puts each one
 * back in its own slot (every slot between a record's home and its slot
 * is inserted before it).
 */
struct bl_iter {
	uint32_t	 start;
	uint32_t	 done;
};

void		 baseline_iter_init(const struct bl_table *, struct bl_iter *);
const void	*baseline_iter_next(const struct bl_table *, struct bl_iter *);
int		 baseline_table_insert(struct bl_table *, const void *rec);
size_t		 baseline_table_mem(const struct bl_table *);

void		 bl_stat_update(struct bl_stat *, double log2bytes, int active,
		    double alpha, double clamp_k, double dev_floor);
double		 bl_stat_mean(const struct bl_stat *);
double		 bl_stat_p99(const struct bl_stat *, double dev_floor);
double		 bl_stat_act(const struct bl_stat *);

void		 bl_value_ip(struct bl_value *, const addr_t *);
void		 bl_value_asn(struct bl_value *, uint32_t);
void		 bl_value_country(struct bl_value *, const char *);
void		 bl_value_region(struct bl_value *, const char *);
void		 bl_value_port(struct bl_value *, uint8_t proto, uint16_t port);

void		 bl_time(struct bl_time *, xtime_t, int utc_offset);
void		 baseline_time(const struct baseline *, struct bl_time *,
		    xtime_t, int utc_offset);
int		 baseline_set_holidays(struct baseline *, const uint32_t *days,
		    size_t n);

#endif
