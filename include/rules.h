/*
 * rules.h: detection rules, loaded from the YAML files of rules_dir.
 *
 * Owns: a ruleset -- every rule of every *.yaml file in the directory, read
 * in name order, with each rule's parameter blob.  Calls: yamldoc (tree,
 * value readers, unit parsers), params.c (defaults, bounds), event.c
 * (detector names), libc.  Never
 * logs: every error goes into the caller's struct yerrs as
 * "file:line:column: message", all of them collected before the load fails.
 *
 * Why rules apart from the configuration: a detector only finds behaviour;
 * what that behaviour means here -- whether it alerts, how severe it is,
 * which ATT&CK tactic it stands for, the thresholds it uses -- is policy
 * that an operator tunes per site, and ships as files that can be replaced
 * without touching exfild.yaml.  The shape follows Elastic and Splunk rules
 * (id, severity, risk score, MITRE ids) so alerts map onto their models.
 *
 * Parameters: the caller's lookup gives, per detector, its struct
 * param_desc table (terminated by an entry whose name is NULL) and the size
 * of its parameter struct.  The loader allocates a blob of that size per
 * rule, writes every default (desc->def, parsed like user input), then the
 * rule's `params:` values, each checked against min..max (durations in
 * seconds; min == max == 0 means unbounded).  A detector with a NULL table
 * takes no parameters.  Detectors read the blob through rules_for().
 *
 * A ruleset is immutable once loaded.  Reload (SIGHUP) is: load a new one;
 * only if that succeeded, hand it to the users and free the old one.
 *
 * API
 *   rules_load:        load a directory; NULL with errors in yerrs.
 *   rules_free:        release a ruleset (NULL is fine).
 *   rules_for:         the enabled rule of a detector, or NULL.
 *   rules_count / rules_get:  iterate every rule, enabled or not, in load
 *                      order.
 *   rules_find:        a rule by id.
 *   severity_name / severity_from_name / severity_ecs:  the severity scale
 *                      and its ECS number (21, 47, 73, 99 as Elastic uses).
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "params.h"
#include "yamldoc.h"

enum severity {
	SEV_LOW = 0,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL
};

#define RULE_ID_MAX		64	/* bytes; as the allowlist allows */
#define RULE_NAME_MAX		128
#define RULE_DESC_MAX		2048
#define RULE_MAX_TACTICS	4
#define RULE_MAX_TECHNIQUES	8
#define RULE_TACTIC_LEN		8	/* "TA0010" */
#define RULE_TECH_LEN		12	/* "T1048.003" */

struct rule {
	char		*id;		/* unique across the ruleset */
	char		*name;
	char		*description;
	enum detector	 detector;
	int		 enabled;
	int		 alert;		/* 0: risk event (correlation) only */
	enum severity	 severity;
	int		 risk_score;	/* 0..100 */
	char		 tactic[RULE_MAX_TACTICS][RULE_TACTIC_LEN];
	int		 ntactics;
	char		 technique[RULE_MAX_TECHNIQUES][RULE_TECH_LEN];
	int		 ntechniques;
	void		*params;	/* detector's struct, or NULL */
	size_t		 params_size;
	int		 nparams_set;	/* values the file gave */
	const char	*file;		/* owned by the ruleset */
	int		 line, col;
};

struct ruleset {
	struct rule	*rules;
	size_t		 n;
	const struct rule *by_det[DET_MAX];	/* enabled rule per detector */
	char		**files;	/* paths loaded, in order */
	size_t		 nfiles;
};

/*
 * The parameter table of a detector and the size of its parameter struct;
 * NULL (and *params_size 0) for a detector without parameters.
 */
typedef const struct param_desc *(*rules_lookup_fn)(enum detector,
    size_t *params_size);

struct ruleset	*rules_load(const char *dir, rules_lookup_fn, struct yerrs *);
void		 rules_free(struct ruleset *);
const struct rule *rules_for(const struct ruleset *, enum detector);
size_t		 rules_count(const struct ruleset *);
const struct rule *rules_get(const struct ruleset *, size_t);
const struct rule *rules_find(const struct ruleset *, const char *id);

const char	*severity_name(enum severity);
int		 severity_from_name(const char *, enum severity *);
int		 severity_ecs(enum severity);

#endif
