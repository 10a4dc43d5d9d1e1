/*
 * score.h: the volume detector — how unusual is what an internal host sends
 * to a destination, given what it and the network usually send.
 *
 * Owns: the scorer: the learned baselines (baseline.c), the learning clock
 * (packet time of the first record), the detector parameters, and the
 * persistence of all of it (through state.c).  Calls: baseline.c, state.c,
 * params_default (to read parameter defaults), libm.  Never logs:
 * errors go into the caller's buffer.  One scorer belongs to one thread.
 *
 * What is counted: bytes an internal host sends on flows it initiated to
 * an external destination (DIR_OUTBOUND `sent`), less a per-packet header
 * allowance so that the acknowledgements of a download count as nothing.
 * Bytes an internal server sends in replies (DIR_INBOUND `sent`) build a
 * separate per-host baseline and are scored only with
 * score_server_replies.  Internal and transit flows are ignored.
 *
 * How it scores (docs/scoring.md has the formula and the reasons): each
 * record adds its bytes to three windows of its (host, destination
 * address): short (bursts), hour, and day (low-and-slow).  A window is
 * scored 0..100 from the volume, compared with the host's own p99 at this
 * hour of the day — of its hourly total, or of the most it sends to one
 * destination, whichever is lower — (or, while the host's baseline is
 * immature, with the usual host's) and with what the host usually sends
 * to that address and its AS;
 * the rarity of the destination's address, AS, country, region and port
 * for the host and for the network; and, for short and hour windows,
 * whether the host is usually idle at this hour.  Volume and rarity
 * multiply: a huge transfer to a usual destination, or a small one to a
 * new country, stays low; large and new is high.  A window whose score
 * reaches the alert threshold produces one event (DET_VOLUME), once per
 * window, and nothing is scored until learning_period of packet time has
 * passed since the first record.
 *
 * Determinism: time is packet time; the hash key of the tables is derived
 * from the first record (or score_conf.seed) and saved with the state, so
 * the same records always give the same events, across a save and load
 * too.
 *
 * API
 *   volume_params:      the rule-tunable parameters, { NULL }-terminated.
 *   score_params_default: fill a struct volume_params from that table.
 *   score_conf_default: defaults for the whole scorer (tests, no config).
 *   score_new / score_free
 *   score_set_params:   adopt new detector parameters (rule reload).
 *   score_set_holidays: adopt a new holiday list (configuration reload).
 *   score_record:       account one flow record; returns events written.
 *   score_tick:         packet time moved on: bounded expiry of the tables.
 *   score_save_due:     a save interval of packet time has passed.
 *   score_save / score_load:  persist / restore everything learned;
 *                       load right after score_new, before any record.  A
 *                       loaded state that ends more than an hour after the
 *                       first record that follows is discarded
 *                       (state_discarded): it is not that traffic's past.
 *   score_stats:        counters, table fill and memory.
 */
#ifndef SCORE_H
#define SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "exfild.h"
#include "params.h"
#include "pipeline.h"

#define SCORE_STATE_KIND	0x524f4353u	/* "SCOR" */
#define SCORE_STATE_VERSION	1

/* Rule parameters of the volume detector (rules/volume.yaml `params:`). */
struct volume_params {
	xtime_t		 window_short;		/* burst window */
	xtime_t		 window_hour;
	xtime_t		 window_day;		/* low-and-slow window */
	uint64_t	 min_bytes_short;	/* less is never scored */
	uint64_t	 min_bytes_hour;
	uint64_t	 min_bytes_day;
	uint64_t	 ref_floor;		/* least hourly reference */
	uint64_t	 day_ref;		/* day-window reference */
	int64_t		 day_min_hours;		/* active hours for full weight */
	uint64_t	 active_bytes;		/* an hour this big is active */
	int64_t		 mature_days;		/* own baseline fully trusted */
	int64_t		 tod_tolerance;		/* hours either side */
	double		 tod_active_share;	/* activity that is "not idle" */
	double		 vol_scale;		/* bits per halving of 1 - V */
	double		 rarity_boost;		/* bits of volume credit at R = 1 */
	double		 tod_boost;		/* bits of volume credit at T = 1 */
	double		 day_rarity;		/* rarity a day window needs */
	double		 volume_only;		/* score share without rarity */
	double		 w_ip, w_asn, w_country, w_region, w_port, w_time;
	double		 host_new_weight;	/* rarity of new-for-host only */
	double		 host_known_weight;	/* network rarity of a habit */
	double		 net_hosts_half;	/* other hosts halving rarity */
	double		 net_hosts_share;	/* ... as a share of all hosts */
	double		 dst_history_factor;	/* x the usual day to this dst */
	double		 alpha_slot;		/* learning rates */
	double		 alpha_all;
	double		 alpha_pop;
	double		 clamp_k;		/* winsorising, deviations */
	double		 dev_floor;		/* bits */
};

extern const struct param_desc volume_params[];

struct score_conf {
	xtime_t		 learning_period;	/* baseline.learning_period */
	uint32_t	 max_hosts;		/* baseline.max_hosts */
	uint32_t	 max_entries;		/* baseline.max_entries */
	uint32_t	 max_destinations;	/* baseline.max_destinations */
	xtime_t		 entry_ttl;		/* baseline.entry_ttl */
	int		 alert_threshold;	/* baseline.alert_threshold */
	int		 score_server_replies;	/* baseline.score_server_replies */
	int		 utc_offset;		/* seconds east of UTC */
	xtime_t		 record_interval;	/* flows.update_interval */
	uint64_t	 seed;			/* hash key; 0 = from first record */
	const uint32_t	*holidays;		/* baseline.holidays: local days */
	size_t		 nholidays;		/* (copied by score_new) */
	struct volume_params vp;
};

struct score_stats {
	uint64_t	 records;		/* score.records: score_record calls */
	uint64_t	 outbound;		/* score.outbound: client uploads */
	uint64_t	 inbound;		/* score.server_replies */
	uint64_t	 ignored;		/* score.ignored: internal, transit */
	uint64_t	 empty;			/* score.empty: nothing uploaded */
	uint64_t	 learning;		/* score.learning: while learning */
	uint64_t	 scored;		/* score.windows: windows scored */
	uint64_t	 events;		/* score.events */
	uint64_t	 events_dropped;	/* score.events_dropped: maxout */
	uint64_t	 saves, loads;
	uint64_t	 state_discarded;	/* loaded state later than the
						   traffic: learning restarted */
	uint64_t	 hosts, entries, destinations;	/* records held */
	uint64_t	 max_hosts, max_entries, max_destinations;
	uint64_t	 host_evictions, entry_evictions, destination_evictions;
	uint64_t	 host_expired, entry_expired, destination_expired;
	size_t		 host_size, entry_size, destination_size;	/* sizeof */
	size_t		 mem_hosts, mem_entries, mem_destinations; /* bytes */
	xtime_t		 first;			/* packet time of the first record */
	xtime_t		 learning_left;		/* until alerts start; 0 done */
};

struct scorer;

int		 score_params_default(struct volume_params *, char *err,
		    size_t errlen);
int		 score_conf_default(struct score_conf *, char *err,
		    size_t errlen);
struct scorer	*score_new(const struct score_conf *, char *err, size_t errlen);
void		 score_free(struct scorer *);
void		 score_set_params(struct scorer *, const struct volume_params *);
/* 0, or -1 (out of memory) with the old list kept. */
int		 score_set_holidays(struct scorer *, const uint32_t *days,
		    size_t n);
int		 score_record(struct scorer *, const struct flowinfo *,
		    struct event *out, int maxout);
void		 score_tick(struct scorer *, xtime_t now);
int		 score_save_due(const struct scorer *, xtime_t interval);
int		 score_save(struct scorer *, const char *path, char *err,
		    size_t errlen);
/* 1 loaded, 0 no file (fresh start), -1 rejected: err says why and where. */
int		 score_load(struct scorer *, const char *path, char *err,
		    size_t errlen);
void		 score_stats(const struct scorer *, struct score_stats *);

#endif
