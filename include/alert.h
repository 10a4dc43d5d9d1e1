/*
 * alert.h: the alert stage -- detector hits in, alerts out.
 *
 * Owns: the per-host table of recent risk events, the rate-limit table, the
 * per-minute cap, the alert outputs (local syslog socket, JSON-lines file,
 * remote RFC 5424 collector) and the counters of all of them.  Calls: rules
 * (the ruleset), config (allowlist entries and schedules), json (document
 * and text escaping), netset, libc.  Never logs by itself: operational
 * messages go to the caller's log hook, so the stage runs the same in the
 * daemon, in an offline replay and under cmocka.
 *
 * An event goes through, in order:
 *   1. the rule of its detector (no enabled rule: dropped, counted);
 *   2. the allowlist: an entry matches when every key it has matches
 *      (within one key, any value); the entry's schedule is evaluated at
 *      packet time + utc_offset; hits are counted per entry;
 *   3. a risk event for the host: the newest hit of each rule in a small
 *      per-host set, in a bounded table of hosts (full: the host whose
 *      last risk event is oldest is evicted, counted);
 *   4. if the rule alerts: rate limit -- one alert per (rule, host,
 *      domain or else destination) per suppress_window, the next one
 *      reporting how many hits were folded -- then the global cap of
 *      max_per_minute (by packet time), logged once per minute when it
 *      bites; then the outputs;
 *   5. correlation, as Splunk's risk-based alerting does it: when the host
 *      has risk events of >= min_rules distinct rules in >= min_tactics
 *      distinct ATT&CK tactics within the window, one correlated alert
 *      under the correlation rule, severity one above the worst
 *      contributor, risk the sum of theirs capped at 100.  Not raised again
 *      for the host until a new rule contributes or the window has passed.
 *      Rules with alert: false feed this step only.
 * Correlated alerts skip the rate limit and the cap (they count against
 * the cap's budget): they are the alerts an analyst must not miss.
 *
 * Time is packet time throughout (ev->ts, alert_tick(now)), so a replay
 * gives the same alerts as the live run did.
 *
 * Why not syslog(3): openlog() is process-wide and would rename the
 * daemon's own log lines (log.c) to the alert ident and facility.  The
 * alerter writes to the local syslog socket itself, in the format glibc's
 * syslog() uses, with its own ident and facility.
 *
 * The ruleset and the allowlist are borrowed, not copied: on reload hand
 * the new one over with alert_set_rules / alert_set_allow before freeing
 * the old.  One alerter belongs to one thread.
 *
 * API
 *   alert_conf_default / alert_conf_from_config:  fill struct alert_conf.
 *   alert_new / alert_free:   open the outputs, allocate the tables.
 *   alert_event:    one detector hit; returns what became of it.
 *   alert_tick:     packet time moved on: expiry, cap summary, remote
 *                   reconnects and flushes.
 *   alert_reopen:   reopen the JSON file (log rotation, SIGHUP).
 *   alert_set_conf: adopt a reloaded configuration's output settings.
 *   alert_set_rules / alert_set_allow:  swap in a reloaded ruleset or
 *                   allowlist; per-host state is kept.
 *   alert_format_json:  the ECS document of an event under a rule (tests,
 *                   fuzzing, documentation).
 *   alert_stats / alert_rule_hits / alert_allow_hits:  counters.
 *   alert_domain_match:  suffix match on a label boundary.
 */
#ifndef ALERT_H
#define ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "rules.h"

struct config;
struct config_allow;

#define ALERT_LINE_MAX		8000	/* below rsyslog's default 8 KiB */
#define ALERT_HOSTS_DEFAULT	8192
#define ALERT_KEYS_DEFAULT	16384
#define ALERT_HOST_RULES	16	/* distinct rules remembered per host */

enum alert_result {
	ALERT_NO_RULE,		/* no enabled rule for the detector */
	ALERT_ALLOWLISTED,
	ALERT_RISK_ONLY,	/* rule has alert: false */
	ALERT_FOLDED,		/* repeated within suppress_window */
	ALERT_CAPPED,		/* over max_per_minute */
	ALERT_SENT
};

/* What the terminal callback receives; valid during the call only. */
struct alert_out {
	const struct event *ev;
	const struct rule *rule;
	enum severity	 severity;	/* effective (correlation raises it) */
	int		 correlated;
	const char	*text;		/* the human part of the line */
	const char	*json;		/* the ECS document, one line */
	const char	*line;		/* text " -- " json: the syslog line */
};

struct alert_conf {
	int		 syslog_enabled;
	int		 facility;	/* LOG_LOCAL5 etc. (already shifted) */
	const char	*ident;
	const char	*syslog_socket;	/* NULL: the system's /dev/log */
	const char	*remote_host;	/* NULL or "": no remote collector */
	int		 remote_port;
	int		 remote_tcp;	/* else UDP */
	const char	*json_file;	/* NULL or "": no JSON file */

	xtime_t		 suppress_window;	/* 0: no rate limit */
	int		 max_per_minute;	/* 0: no cap */
	int		 corr_enabled;
	xtime_t		 corr_window;
	int		 corr_min_rules;
	int		 corr_min_tactics;
	const struct config_allow *allow;	/* borrowed, may be NULL */
	int		 utc_offset;	/* seconds east of UTC, for schedules */

	size_t		 max_hosts;	/* 0: ALERT_HOSTS_DEFAULT */
	size_t		 max_keys;	/* 0: ALERT_KEYS_DEFAULT */

	void		(*log)(void *arg, const char *msg);
	void		(*print)(void *arg, const struct alert_out *);
	void		*arg;
};

struct alert_stats {
	uint64_t	 events;		/* alert.events */
	uint64_t	 no_rule;		/* alert.no_rule */
	uint64_t	 alerts;		/* alert.sent, incidents too */
	uint64_t	 risk_only;		/* alert.risk_only */
	uint64_t	 suppressed_allowlist;	/* alert.suppressed_allowlist */
	uint64_t	 suppressed_rate;	/* alert.suppressed_rate */
	uint64_t	 suppressed_cap;	/* alert.suppressed_cap */
	uint64_t	 correlated;		/* alert.correlated */
	uint64_t	 folded_unreported;	/* folded, key expired */
	uint64_t	 hosts;			/* hosts with risk events now */
	uint64_t	 hosts_evicted;
	uint64_t	 keys;			/* rate-limit keys now */
	uint64_t	 keys_evicted;
	uint64_t	 truncated;		/* documents cut to fit */
	uint64_t	 json_errors;		/* alert.json_errors */
	uint64_t	 syslog_errors;
	uint64_t	 remote_errors;
	uint64_t	 remote_dropped;	/* TCP buffer full or down */
	size_t		 mem_bytes;		/* tables and buffers */
};

struct alerter;

void		 alert_conf_default(struct alert_conf *);
void		 alert_conf_from_config(struct alert_conf *,
		    const struct config *);
/* NULL with the reason in err (JSON file, remote address). */
struct alerter	*alert_new(const struct alert_conf *, const struct ruleset *,
		    char *err, size_t errlen);
void		 alert_free(struct alerter *);
enum alert_result alert_event(struct alerter *, const struct event *);
void		 alert_tick(struct alerter *, xtime_t now);
int		 alert_reopen(struct alerter *, char *err, size_t errlen);
int		 alert_set_conf(struct alerter *, const struct alert_conf *,
		    char *err, size_t errlen);
void		 alert_set_rules(struct alerter *, const struct ruleset *);
void		 alert_set_allow(struct alerter *, const struct config_allow *,
		    int utc_offset);
size_t		 alert_format_json(const struct alerter *, const struct event *,
		    const struct rule *, char *buf, size_t len);
void		 alert_stats(const struct alerter *, struct alert_stats *);
uint64_t	 alert_rule_hits(const struct alerter *, const char *rule_id);
uint64_t	 alert_allow_hits(const struct alerter *, size_t entry);
int		 alert_domain_match(const char *domain, size_t len,
		    const char *suffix);
const char	*alert_result_name(enum alert_result);

#endif
