/*
 * analysis.h: the analysis thread — everything after the ring.
 *
 * Owns: nDPI (dpi.c), GeoIP (geo.c), the detectors (score.c, dnstun.c,
 * chan.c) and the alert stage (alert.c), all driven by the messages of the
 * capture thread, in order, on one thread, so that none of them needs a
 * lock and a replay gives the same alerts every time.
 * Calls: those modules; reads the configuration it was built from.
 *
 * Reload swaps whole objects: a new configuration, rule set or GeoIP set is
 * built beside the running one and replaces it only when it is complete, so
 * a bad reload leaves the running analysis untouched.
 *
 * API
 *   analysis_new / analysis_free
 *   analysis_message: handle one ring message.
 *   analysis_tick:    periodic work at packet time `now` (windows, state).
 *   analysis_reload:  adopt a new configuration (rules, allowlists, GeoIP).
 *   analysis_stats:   write the stats line / Prometheus file.
 *   analysis_shutdown: final scoring and state save.
 */
#ifndef ANALYSIS_H
#define ANALYSIS_H

#include "capture.h"
#include "pipeline.h"
#include "ring.h"

struct config;
struct analysis;

typedef void (*analysis_alert_fn)(void *arg, const char *line);

struct analysis_counters {
	uint64_t	 packets;	/* MSG_PKT handled */
	uint64_t	 records;
	uint64_t	 records_final;
	uint64_t	 outbound, inbound, internal, transit;
	uint64_t	 events;
	uint64_t	 alerts;
	uint64_t	 suppressed;
};

struct analysis	*analysis_new(struct config *, struct pipe_ctl *, char *err,
		    size_t errlen);
void		 analysis_free(struct analysis *);
void		 analysis_message(struct analysis *, const struct ring_msg *);
void		 analysis_tick(struct analysis *, xtime_t now);
int		 analysis_reload(struct analysis *, struct config *, char *err,
		    size_t errlen);
void		 analysis_stats(struct analysis *, struct capture *, int to_log);
void		 analysis_shutdown(struct analysis *);
void		 analysis_set_alert_cb(struct analysis *, analysis_alert_fn, void *);
void		 analysis_counters(const struct analysis *, struct analysis_counters *);
struct config	*analysis_config(struct analysis *);

#endif
