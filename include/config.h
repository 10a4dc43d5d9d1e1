/*
 * config.h: the daemon's configuration, loaded strictly from one YAML file.
 *
 * Owns: struct config and the table that describes every key.  Calls:
 * yamldoc (tree and value readers), netset (prefix sets), libc.  Never
 * logs: errors come back as text for the caller to print.
 *
 * Why a table: each scalar key is described exactly once -- dotted path,
 * type, bounds, default text and a one-line description -- in the manner
 * of Redis' createIntConfig and nDPId's CONFOPT.  The parser, the defaults
 * (parsed from the same default text with the same readers), config_dump
 * (`exfild -T -v`) and config_print_reference (the key table in
 * docs/configuration.md, checked by a unit test) all walk that table, so
 * a key cannot exist in one and be missing from another.
 *
 * Why strict: an unknown key, a value of the wrong type or out of range is
 * an error "file:line:column: key: what is wrong", every such error in the
 * file is collected, and the load fails.  A silently ignored typo in a
 * detector's allowlist is worse than a daemon that refuses to start; and
 * on SIGHUP a config that fails to load leaves the running one in place.
 *
 * Lists and allowlist entries are validated here too (prefixes, "@group"
 * references, schedules), so consumers get ready-made netsets and masks.
 *
 * API
 *   config_default:  built-in defaults (used when no -c is given).
 *   config_load:     parse and validate a file; NULL with all errors.
 *   config_load_string: the same from memory (tests, fuzzing).
 *   config_free:     release a config.
 *   config_dump:     effective configuration as YAML (exfild -T -v).
 *   config_print_reference: markdown key reference for the documentation.
 *   config_opts / config_allow_keys:  the tables themselves.
 *   config_schedule_active:  whether an allowlist schedule covers a time.
 *   config_facility_name:  syslog facility value back to its name.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdio.h>

#include "exfild.h"
#include "netset.h"

struct strlist {
	char		**v;
	size_t		  n;
};

/* Calendar dates as days since 1970-01-01, ascending, no duplicates. */
struct datelist {
	uint32_t	*v;
	size_t		 n;
};

struct host_group {
	char		*name;		/* [A-Za-z0-9_.-]+, used as "@name" */
	struct netset	 nets;		/* prepared */
	int		 line, col;
};

struct config_groups {
	struct host_group *v;
	size_t		  n;
};

/*
 * A weekly window.  Days use tm_wday numbering so a consumer can test
 * localtime-style fields directly: bit 0 is Sunday, bit 6 Saturday.  A
 * window with end <= start runs past midnight into the next day; it
 * belongs to the day it starts on ("Fri 22:00-02:00" covers Saturday
 * 01:00 but not Friday 01:00).
 */
#define SCHED_ALL_DAYS	0x7f
struct allow_sched {
	uint8_t		 days;
	uint16_t	 start, end;	/* minutes after 00:00; end up to 1440 */
};

/*
 * One allowlist entry: an alert is silenced when every key present here
 * matches it.  Absent keys are empty (n == 0, empty netset, no schedule).
 */
struct allow_entry {
	int		 line, col;	/* where the entry starts, for reports */
	struct strlist	 rules;		/* rule ids; empty = every rule */
	struct netset	 destination;	/* prepared */
	struct strlist	 country;	/* ISO 3166 alpha-2, upper case */
	uint32_t	*asn;
	size_t		 nasn;
	struct strlist	 domain;	/* lower case, matched on a label boundary */
	uint16_t	*port;
	size_t		 nport;
	struct netset	 host;		/* CIDRs plus @group members, prepared */
	struct strlist	 host_spec;	/* host items as written, for config_dump */
	int		 has_schedule;
	struct allow_sched schedule;
	char		*comment;
};

struct config_allow {
	struct allow_entry *v;
	size_t		  n;
};

enum config_proto {
	CONF_PROTO_UDP,
	CONF_PROTO_TCP
};

struct config {
	char		*file;		/* source path; NULL for built-in */
	struct netset	 home_net;	/* prepared, never empty */
	struct config_groups host_groups;
	char		*user;		/* "" = keep the start-up identity */
	char		*group;
	int		 utc_offset;	/* seconds east of UTC */

	struct {
		char		*interface;
		char		*bpf;		/* "" = no filter */
		int		 snaplen;	/* bytes */
		uint64_t	 buffer_size;	/* bytes, kernel capture buffer */
		int		 promiscuous;
		uint64_t	 ring_size;	/* bytes, capture->analysis ring */
	} capture;

	struct {
		int		 max_flows;
		xtime_t		 idle_timeout;
		xtime_t		 tcp_close_timeout;
		xtime_t		 update_interval;
		char		*log;		/* "" = no flow log */
	} flows;

	struct {
		int		 enabled;
		int		 packet_limit;	/* packets per flow given to nDPI */
		char		*protocols_file; /* "" = none */
	} dpi;

	struct {
		char		*country_db;	/* "" = not used */
		char		*city_db;
		char		*asn_db;
		int		 cache_size;	/* addresses; 0 = no cache */
	} geoip;

	struct {
		xtime_t		 learning_period;
		int		 max_hosts;
		int		 max_entries;	/* host-and-destination entries */
		int		 max_destinations; /* population destinations */
		xtime_t		 entry_ttl;
		int		 alert_threshold; /* 0..100 */
		int		 score_server_replies;
		struct datelist	 holidays;	/* local dates */
	} baseline;

	struct {
		char		*path;		/* "" = no persistence */
		xtime_t		 save_interval;
	} state;

	char		*rules_dir;

	struct {
		struct strlist	 ip_lists;	/* paths */
		struct strlist	 domain_lists;	/* paths */
	} intel;

	struct config_allow allowlist;

	struct {
		struct {
			int	 enabled;
			int	 facility;	/* LOG_* value */
			char	*ident;
			char	*socket;	/* "" = /dev/log */
			struct {
				char	*host;	/* "" = local syslog only */
				int	 port;
				int	 protocol;	/* enum config_proto */
			} remote;
		} syslog;
		char		*json_file;	/* "" = disabled */
		xtime_t		 suppress_window;
		int		 max_per_minute;	/* 0 = no limit */
		struct {
			int	 enabled;
			xtime_t	 window;
			int	 min_rules;
			int	 min_tactics;
		} correlation;
	} alerts;

	struct {
		xtime_t		 interval;	/* 0 = no stats line */
		char		*prometheus_file; /* "" = disabled */
	} stats;
};

enum config_type {
	CT_BOOL,	/* int 0/1 */
	CT_INT,		/* int, bounds min..max */
	CT_SIZE,	/* uint64_t bytes, bounds min..max */
	CT_DURATION,	/* xtime_t microseconds, bounds min..max */
	CT_STRING,	/* char *, length min..max bytes */
	CT_ENUM,	/* int, one of names */
	CT_UTCOFF,	/* int seconds, "+HH:MM" */
	CT_CIDRS,	/* struct netset; at least min prefixes */
	CT_PATHS,	/* struct strlist of non-empty paths */
	CT_DATES,	/* struct datelist, "YYYY-MM-DD" */
	CT_GROUPS,	/* struct config_groups */
	CT_ALLOW	/* struct config_allow */
};

struct config_name {
	const char	*name;
	int		 value;
};

struct config_opt {
	const char	*key;		/* dotted path */
	enum config_type type;
	size_t		 off;		/* offsetof(struct config, ...) */
	int64_t		 min, max;
	const struct config_name *names;	/* CT_ENUM, NULL-terminated */
	const char	*def;		/* default, in file syntax */
	const char	*doc;		/* one line */
	unsigned	 flags;		/* COPT_* */
};

#define COPT_MULTILINE	0x01	/* CT_STRING may hold tabs and newlines */

struct config_allow_key {
	const char	*key;
	int		 match;		/* restricts which traffic matches */
	const char	*doc;
};

struct config	*config_default(void);
/* err receives every error line joined by newlines (as much as fits). */
struct config	*config_load(const char *path, char *err, size_t errlen);
struct config	*config_load_string(const char *name, const char *buf,
		    size_t len, char *err, size_t errlen);
void		 config_free(struct config *);
int		 config_dump(FILE *, const struct config *);
int		 config_print_reference(FILE *);
const struct config_opt *config_opts(size_t *n);
const struct config_allow_key *config_allow_keys(size_t *n);
/* wday as tm_wday (0 = Sunday), minute after local midnight (0..1439). */
int		 config_schedule_active(const struct allow_sched *, int wday,
		    int minute);
const char	*config_facility_name(int);

#endif
