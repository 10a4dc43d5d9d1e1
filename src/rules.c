/*
 * rules.c: the rule files of rules_dir into a ruleset.
 *
 * Every *.yaml in the directory is read in byte order of its name, so that
 * "10-site.yaml" sorts before "dns.yaml" and the order never depends on the
 * locale or on readdir.  A file is a list of rules, or a mapping whose only
 * key is `rules:`.  Each rule is checked key by key; nothing stops at the
 * first error, so one `exfild -T` shows every mistake in every file.  Rules
 * are few (tens), so the cross-file checks -- unique ids, one enabled rule
 * per detector -- are plain linear scans.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules.h"

#define RULES_MAX_FILES	4096	/* files read from one directory */

static const char *const rules_sev_names[] = {
	"low", "medium", "high", "critical"
};

static const int rules_sev_ecs[] = { 21, 47, 73, 99 };

static const char *const rules_keys[] = {
	"id", "name", "description", "detector", "enabled", "alert",
	"severity", "risk_score", "mitre", "params", NULL
};

/* Where each rule came from, kept while loading for cross-file messages. */
struct rules_pos {
	int		 line, col;
};

struct rules_load_ctx {
	struct ruleset	*rs;
	size_t		 cap;
	rules_lookup_fn	 lookup;
	ssize_t		 by_det[DET_MAX];	/* index of the enabled rule */
	struct rules_pos *idpos;		/* of each rule's id */
	struct rules_pos *detpos;		/* of each rule's detector */
};

const char *
severity_name(enum severity s)
{
	if (s < SEV_LOW || s > SEV_CRITICAL)
		return "unknown";
	return rules_sev_names[s];
}

int
severity_from_name(const char *s, enum severity *out)
{
	int i;

	for (i = SEV_LOW; i <= SEV_CRITICAL; i++)
		if (strcasecmp(s, rules_sev_names[i]) == 0) {
			*out = (enum severity)i;
			return 0;
		}
	return -1;
}

int
severity_ecs(enum severity s)
{
	if (s < SEV_LOW || s > SEV_CRITICAL)
		return 0;
	return rules_sev_ecs[s];
}

/* ---- parameters --------------------------------------------------------- */

/* A user's value from the rule file, with the position of any error. */
static int
rules_param_node(struct ydoc *d, const struct param_desc *p, void *blob,
    const struct ynode *v)
{
	char *dst = (char *)blob + p->off, what[96], *s;
	const char *why;
	uint16_t ports[PARAM_PORTS_MAX];
	int64_t i, lo64 = INT64_MIN, hi64 = INT64_MAX;
	uint64_t u;
	xtime_t t;
	double dv;
	int b, np;

	snprintf(what, sizeof(what), "params.%s", p->name);
	switch (p->type) {
	case PT_INT:
		if (params_bounded(p)) {
			lo64 = (int64_t)ceil(p->min);
			hi64 = (int64_t)floor(p->max);
		}
		if (yd_int(d, v, what, lo64, hi64, &i) == -1)
			return -1;
		memcpy(dst, &i, sizeof(i));
		return 0;
	case PT_DOUBLE:
		if (v == NULL || v->kind != YN_SCALAR || ynode_is_null(v) ||
		    params_parse_double(v->str, &dv) == -1) {
			ydoc_err(d, v, "%s: expected a number, got %s", what,
			    v != NULL && v->kind == YN_SCALAR &&
			    !ynode_is_null(v) ? "text" : ynode_kind_name(v));
			return -1;
		}
		if (params_bounded(p) && (dv < p->min || dv > p->max)) {
			ydoc_err(d, v, "%s: %g is out of range %g..%g", what,
			    dv, p->min, p->max);
			return -1;
		}
		memcpy(dst, &dv, sizeof(dv));
		return 0;
	case PT_DURATION:
		if (yd_duration(d, v, what,
		    params_bounded(p) ? (xtime_t)ceil(p->min * 1e6) : 0,
		    params_bounded(p) ? (xtime_t)floor(p->max * 1e6) : INT64_MAX,
		    &t) == -1)
			return -1;
		memcpy(dst, &t, sizeof(t));
		return 0;
	case PT_SIZE:
		if (yd_size(d, v, what,
		    params_bounded(p) ? (uint64_t)ceil(p->min) : 0,
		    params_bounded(p) ? (uint64_t)floor(p->max) : UINT64_MAX,
		    &u) == -1)
			return -1;
		memcpy(dst, &u, sizeof(u));
		return 0;
	case PT_BOOL:
		if (yd_bool(d, v, what, &b) == -1)
			return -1;
		memcpy(dst, &b, sizeof(b));
		return 0;
	case PT_PORTS:
	case PT_STRING:
		if (yd_string(d, v, what, PARAM_STRLEN - 1, &s) == -1)
			return -1;
		if (p->type == PT_PORTS && yd_parse_ports(s, ports,
		    PARAM_PORTS_MAX, &np, &why) == -1) {
			ydoc_err(d, v, "%s: '%s': %s (expected up to %d ports "
			    "1-65535 separated by commas)", what, s, why,
			    PARAM_PORTS_MAX);
			free(s);
			return -1;
		}
		memset(dst, 0, PARAM_STRLEN);
		memcpy(dst, s, strlen(s));
		free(s);
		return 0;
	}
	ydoc_err(d, v, "%s: unknown parameter type", what);
	return -1;
}

static void
rules_unknown_param(struct ydoc *d, const struct ynode *k,
    const struct param_desc *tab, const char *det)
{
	const struct param_desc *p;
	char known[512];
	size_t o = 0;

	known[0] = '\0';
	for (p = tab; p->name != NULL && o < sizeof(known); p++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
		    o ? ", " : "", p->name);
	ydoc_err(d, k, "params: unknown parameter '%s' for detector '%s' "
	    "(known: %s)", k->str, det, known);
}

static int
rules_params(struct ydoc *d, struct rules_load_ctx *c, struct rule *r,
    const struct ynode *rn, const struct ynode *v)
{
	const struct param_desc *tab = NULL, *p;
	const struct ynode *k, *val;
	const char *det = detector_name(r->detector);
	size_t size = 0, i;
	char err[256];
	int bad = 0;

	if (c->lookup != NULL)
		tab = c->lookup(r->detector, &size);
	if (v != NULL && !ynode_is_null(v) && v->kind != YN_MAP) {
		ydoc_err(d, v, "params: expected a mapping, got %s",
		    ynode_kind_name(v));
		return -1;
	}
	if (tab == NULL || size == 0) {
		if (v != NULL && v->kind == YN_MAP && v->n > 0) {
			ydoc_err(d, v->pairs[0].key, "params: detector '%s' "
			    "takes no parameters", det);
			return -1;
		}
		return 0;
	}
	if ((r->params = calloc(1, size)) == NULL) {
		ydoc_err(d, rn, "out of memory");
		return -1;
	}
	r->params_size = size;
	if (params_default(tab, r->params, size, err,
	    sizeof(err)) == -1) {
		ydoc_err(d, rn, "detector '%s': %s", det, err);
		return -1;
	}
	for (i = 0; ymap_next(v, &i, &k, &val);) {
		for (p = tab; p->name != NULL; p++)
			if (strcmp(p->name, k->str) == 0)
				break;
		if (p->name == NULL) {
			rules_unknown_param(d, k, tab, det);
			bad = 1;
			continue;
		}
		if (rules_param_node(d, p, r->params, val) == -1)
			bad = 1;
		else
			r->nparams_set++;
	}
	return bad ? -1 : 0;
}

/* ---- one rule ----------------------------------------------------------- */

static int
rules_id_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.:-", *s) == NULL)
			return 0;
	return 1;
}

/* Names and descriptions reach logs and consoles: no control bytes. */
static int
rules_text(struct ydoc *d, const struct ynode *v, const char *what,
    size_t max, int multiline, char **out)
{
	const unsigned char *p;

	/* A key given twice is an error already; do not leak the first value. */
	free(*out);
	*out = NULL;
	if (yd_string(d, v, what, max, out) == -1)
		return -1;
	for (p = (const unsigned char *)*out; *p != '\0'; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t')))
		    || *p == 0x7f) {
			ydoc_err(d, v, "%s: control characters are not "
			    "allowed", what);
			free(*out);
			*out = NULL;
			return -1;
		}
	return 0;
}

static int
rules_mitre_shape(const char *s, int tactic)
{
	size_t i, n = strlen(s);

	if (tactic) {
		if (n != 6 || s[0] != 'T' || s[1] != 'A')
			return 0;
		for (i = 2; i < 6; i++)
			if (!isdigit((unsigned char)s[i]))
				return 0;
		return 1;
	}
	if ((n != 5 && n != 9) || s[0] != 'T')
		return 0;
	for (i = 1; i < n; i++)
		if (i == 5 ? s[i] != '.' : !isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A scalar or a list of scalars of MITRE ids into out[max][len]. */
static int
rules_mitre_list(struct ydoc *d, const struct ynode *v, int tactic,
    char *out, size_t len, int max, int *n)
{
	const char *what = tactic ? "mitre.tactic" : "mitre.technique";
	const struct ynode *one[1], *const *items;
	size_t cnt, i;
	int bad = 0, j;

	if (ynode_is_null(v))
		return 0;
	if (v->kind == YN_SCALAR) {
		one[0] = v;
		items = one;
		cnt = 1;
	} else if (v->kind == YN_SEQ) {
		items = (const struct ynode *const *)v->items;
		cnt = v->n;
	} else {
		ydoc_err(d, v, "%s: expected an id or a list of ids, got %s",
		    what, ynode_kind_name(v));
		return -1;
	}
	for (i = 0; i < cnt; i++) {
		const struct ynode *it = items[i];

		if (it->kind != YN_SCALAR || ynode_is_null(it)) {
			ydoc_err(d, it, "%s: expected an id, got %s", what,
			    ynode_kind_name(it));
			bad = 1;
			continue;
		}
		if (!rules_mitre_shape(it->str, tactic)) {
			ydoc_err(d, it, "%s: '%.40s' is not a MITRE ATT&CK %s",
			    what, it->str, tactic ? "tactic id (TA0010)" :
			    "technique id (T1048 or T1048.003)");
			bad = 1;
			continue;
		}
		for (j = 0; j < *n; j++)
			if (strcmp(out + (size_t)j * len, it->str) == 0)
				break;
		if (j < *n) {
			ydoc_err(d, it, "%s: '%s' is listed twice", what,
			    it->str);
			bad = 1;
			continue;
		}
		if (*n == max) {
			ydoc_err(d, it, "%s: at most %d ids", what, max);
			return -1;
		}
		memcpy(out + (size_t)(*n)++ * len, it->str,
		    strlen(it->str) + 1);
	}
	return bad ? -1 : 0;
}

static int
rules_mitre(struct ydoc *d, struct rule *r, const struct ynode *v)
{
	const struct ynode *k, *val;
	size_t i;
	int bad = 0;

	if (ynode_is_null(v))
		return 0;
	if (v->kind != YN_MAP) {
		ydoc_err(d, v, "mitre: expected a mapping with tactic and "
		    "technique, got %s", ynode_kind_name(v));
		return -1;
	}
	for (i = 0; ymap_next(v, &i, &k, &val);) {
		if (strcmp(k->str, "tactic") == 0)
			bad |= rules_mitre_list(d, val, 1, &r->tactic[0][0],
			    RULE_TACTIC_LEN, RULE_MAX_TACTICS,
			    &r->ntactics) == -1;
		else if (strcmp(k->str, "technique") == 0)
			bad |= rules_mitre_list(d, val, 0, &r->technique[0][0],
			    RULE_TECH_LEN, RULE_MAX_TECHNIQUES,
			    &r->ntechniques) == -1;
		else {
			ydoc_err(d, k, "mitre: unknown key '%s' (known: "
			    "tactic, technique)", k->str);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

static void
rules_unknown_key(struct ydoc *d, const struct ynode *k)
{
	char known[256];
	size_t o = 0;
	int i;

	for (i = 0; rules_keys[i] != NULL; i++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
		    i ? ", " : "", rules_keys[i]);
	ydoc_err(d, k, "unknown key '%.40s' in rule (known: %s)", k->str,
	    known);
}

static void
rules_unknown_detector(struct ydoc *d, const struct ynode *v)
{
	char known[768];
	size_t o = 0;
	int i;

	known[0] = '\0';
	for (i = 1; i < DET_MAX; i++)
		o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
		    i > 1 ? ", " : "", detector_name((enum detector)i));
	ydoc_err(d, v, "detector: unknown detector '%.40s' (one of: %s)",
	    v->str, known);
}

static void
rules_rule_free(struct rule *r)
{
	free(r->id);
	free(r->name);
	free(r->description);
	free(r->params);
	memset(r, 0, sizeof(*r));
}

/* Grows the arrays by one rule; NULL when out of memory. */
static struct rule *
rules_new(struct rules_load_ctx *c)
{
	struct ruleset *rs = c->rs;
	size_t ncap;
	void *p;

	if (rs->n == c->cap) {
		ncap = c->cap ? c->cap * 2 : 32;
		if ((p = reallocarray(rs->rules, ncap, sizeof(*rs->rules)))
		    == NULL)
			return NULL;
		rs->rules = p;
		if ((p = reallocarray(c->idpos, ncap, sizeof(*c->idpos)))
		    == NULL)
			return NULL;
		c->idpos = p;
		if ((p = reallocarray(c->detpos, ncap, sizeof(*c->detpos)))
		    == NULL)
			return NULL;
		c->detpos = p;
		c->cap = ncap;
	}
	memset(&rs->rules[rs->n], 0, sizeof(rs->rules[0]));
	memset(&c->idpos[rs->n], 0, sizeof(c->idpos[0]));
	memset(&c->detpos[rs->n], 0, sizeof(c->detpos[0]));
	return &rs->rules[rs->n];
}

/* The cross-rule checks, once the rule itself is valid. */
static int
rules_check_unique(struct ydoc *d, struct rules_load_ctx *c, struct rule *r,
    const struct ynode *idn, const struct ynode *detn)
{
	struct ruleset *rs = c->rs;
	const struct rule *o;
	size_t i;
	ssize_t e;

	for (i = 0; i < rs->n; i++) {
		o = &rs->rules[i];
		if (strcasecmp(o->id, r->id) == 0) {
			ydoc_err(d, idn, "duplicate rule id '%s' (first at "
			    "%s:%d:%d)", r->id, o->file, c->idpos[i].line,
			    c->idpos[i].col);
			return -1;
		}
	}
	if (r->enabled && (e = c->by_det[r->detector]) >= 0) {
		o = &rs->rules[e];
		ydoc_err(d, detn, "detector '%s' already has an enabled rule, "
		    "'%s' at %s:%d:%d; set enabled: false on one of them",
		    detector_name(r->detector), o->id, o->file,
		    c->detpos[e].line, c->detpos[e].col);
		return -1;
	}
	return 0;
}

static void
rules_parse_rule(struct ydoc *d, struct rules_load_ctx *c, const char *file,
    const struct ynode *m)
{
	const struct ynode *k, *v, *idn = NULL, *detn = NULL, *sevn = NULL,
	    *riskn = NULL, *paramn = NULL;
	struct rule *r;
	int64_t risk;
	size_t i;
	int bad = 0, j;

	if (m->kind != YN_MAP) {
		ydoc_err(d, m, "a rule must be a mapping, got %s",
		    ynode_kind_name(m));
		return;
	}
	if ((r = rules_new(c)) == NULL) {
		ydoc_err(d, m, "out of memory");
		return;
	}
	r->enabled = 1;
	r->alert = 1;
	r->file = file;
	r->line = m->line;
	r->col = m->col;
	for (i = 0; ymap_next(m, &i, &k, &v);) {
		for (j = 0; rules_keys[j] != NULL; j++)
			if (strcmp(rules_keys[j], k->str) == 0)
				break;
		switch (j) {
		case 0:
			idn = v;
			if (rules_text(d, v, "id", RULE_ID_MAX, 0, &r->id)
			    == -1)
				bad = 1;
			else if (!rules_id_ok(r->id)) {
				ydoc_err(d, v, "id: '%s' is not a rule id "
				    "(letters, digits, '_', '.', ':', '-')",
				    r->id);
				bad = 1;
			}
			break;
		case 1:
			bad |= rules_text(d, v, "name", RULE_NAME_MAX, 0,
			    &r->name) == -1;
			break;
		case 2:
			bad |= rules_text(d, v, "description", RULE_DESC_MAX,
			    1, &r->description) == -1;
			break;
		case 3:
			detn = v;
			if (v->kind != YN_SCALAR || ynode_is_null(v)) {
				ydoc_err(d, v, "detector: expected a detector "
				    "name, got %s", ynode_kind_name(v));
				bad = 1;
			} else if ((r->detector = detector_from_name(v->str))
			    == DET_NONE) {
				rules_unknown_detector(d, v);
				bad = 1;
			}
			break;
		case 4:
			bad |= yd_bool(d, v, "enabled", &r->enabled) == -1;
			break;
		case 5:
			bad |= yd_bool(d, v, "alert", &r->alert) == -1;
			break;
		case 6:
			sevn = v;
			if (v->kind != YN_SCALAR || ynode_is_null(v) ||
			    severity_from_name(v->str, &r->severity) == -1) {
				ydoc_err(d, v, "severity: expected low, "
				    "medium, high or critical, got %s%.40s%s",
				    v->kind == YN_SCALAR ? "'" : "",
				    v->kind == YN_SCALAR ? v->str :
				    ynode_kind_name(v),
				    v->kind == YN_SCALAR ? "'" : "");
				bad = 1;
			}
			break;
		case 7:
			riskn = v;
			if (yd_int(d, v, "risk_score", 0, 100, &risk) == -1)
				bad = 1;
			else
				r->risk_score = (int)risk;
			break;
		case 8:
			bad |= rules_mitre(d, r, v) == -1;
			break;
		case 9:
			paramn = v;
			break;
		default:
			rules_unknown_key(d, k);
			bad = 1;
			break;
		}
	}
	if (idn == NULL)
		ydoc_err(d, m, "rule without an id");
	if (ymap_get(m, "name") == NULL)
		ydoc_err(d, m, "rule '%s': missing name", r->id ? r->id : "?");
	if (detn == NULL)
		ydoc_err(d, m, "rule '%s': missing detector",
		    r->id ? r->id : "?");
	if (sevn == NULL)
		ydoc_err(d, m, "rule '%s': missing severity",
		    r->id ? r->id : "?");
	bad |= idn == NULL || ymap_get(m, "name") == NULL || detn == NULL ||
	    sevn == NULL;
	if (riskn == NULL && sevn != NULL)
		r->risk_score = severity_ecs(r->severity);
	if (r->description == NULL && (r->description = strdup("")) == NULL)
		bad = 1;
	/* Parameters need a known detector, or every key would be wrong. */
	if (r->detector != DET_NONE && rules_params(d, c, r, m, paramn) == -1)
		bad = 1;
	if (bad || rules_check_unique(d, c, r, idn, detn) == -1) {
		rules_rule_free(r);
		return;
	}
	c->idpos[c->rs->n].line = idn->line;
	c->idpos[c->rs->n].col = idn->col;
	c->detpos[c->rs->n].line = detn->line;
	c->detpos[c->rs->n].col = detn->col;
	if (r->enabled)
		c->by_det[r->detector] = (ssize_t)c->rs->n;
	c->rs->n++;
}

static void
rules_parse_doc(struct ydoc *d, struct rules_load_ctx *c, const char *file)
{
	const struct ynode *root = d->root, *list = root, *k, *v;
	size_t i;

	if (ynode_is_null(root))
		return;
	if (root->kind == YN_MAP) {
		list = NULL;
		for (i = 0; ymap_next(root, &i, &k, &v);) {
			if (strcmp(k->str, "rules") == 0)
				list = v;
			else
				ydoc_err(d, k, "unknown key '%.40s' (a rule "
				    "file holds a list of rules, or 'rules:' "
				    "and that list)", k->str);
		}
		if (ynode_is_null(list))
			return;
	}
	if (list->kind != YN_SEQ) {
		ydoc_err(d, list, "expected a list of rules, got %s",
		    ynode_kind_name(list));
		return;
	}
	for (i = 0; i < list->n; i++)
		rules_parse_rule(d, c, file, list->items[i]);
}

/* ---- directory ---------------------------------------------------------- */

static int
rules_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
rules_wanted(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

/* The sorted paths of the rule files in dir; -1 if it cannot be read. */
static int
rules_list_dir(const char *dir, struct ruleset *rs, struct yerrs *errs)
{
	struct dirent *de;
	struct stat st;
	char *path;
	DIR *dp;
	void *p;
	size_t cap = 0;

	if ((dp = opendir(dir)) == NULL) {
		yerr_addpos(errs, dir, 0, 0, "cannot open rules directory: %s",
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!rules_wanted(de->d_name))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) == -1)
			goto oom;
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (rs->nfiles == RULES_MAX_FILES) {
			yerr_addpos(errs, dir, 0, 0, "more than %d rule files",
			    RULES_MAX_FILES);
			free(path);
			break;
		}
		if (rs->nfiles == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = reallocarray(rs->files, cap,
			    sizeof(*rs->files))) == NULL) {
				free(path);
				goto oom;
			}
			rs->files = p;
		}
		rs->files[rs->nfiles++] = path;
	}
	closedir(dp);
	qsort(rs->files, rs->nfiles, sizeof(*rs->files), rules_namecmp);
	return 0;
oom:
	closedir(dp);
	yerr_addpos(errs, dir, 0, 0, "out of memory");
	return -1;
}

struct ruleset *
rules_load(const char *dir, rules_lookup_fn lookup, struct yerrs *errs)
{
	struct rules_load_ctx c;
	struct ruleset *rs;
	struct ydoc *d;
	int before = errs->count, i;
	size_t f;

	if ((rs = calloc(1, sizeof(*rs))) == NULL) {
		yerr_addpos(errs, dir, 0, 0, "out of memory");
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.rs = rs;
	c.lookup = lookup;
	for (i = 0; i < DET_MAX; i++)
		c.by_det[i] = -1;
	if (rules_list_dir(dir, rs, errs) == 0)
		for (f = 0; f < rs->nfiles; f++) {
			if ((d = ydoc_load_file(rs->files[f], errs)) == NULL)
				continue;
			rules_parse_doc(d, &c, rs->files[f]);
			ydoc_free(d);
		}
	for (i = 0; i < DET_MAX; i++)
		if (c.by_det[i] >= 0)
			rs->by_det[i] = &rs->rules[c.by_det[i]];
	free(c.idpos);
	free(c.detpos);
	if (errs->count != before) {
		rules_free(rs);
		return NULL;
	}
	return rs;
}

void
rules_free(struct ruleset *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rules_rule_free(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs);
}

const struct rule *
rules_for(const struct ruleset *rs, enum detector det)
{
	if (rs == NULL || det <= DET_NONE || det >= DET_MAX)
		return NULL;
	return rs->by_det[det];
}

size_t
rules_count(const struct ruleset *rs)
{
	return rs != NULL ? rs->n : 0;
}

const struct rule *
rules_get(const struct ruleset *rs, size_t i)
{
	if (rs == NULL || i >= rs->n)
		return NULL;
	return &rs->rules[i];
}

const struct rule *
rules_find(const struct ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; rs != NULL && i < rs->n; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return &rs->rules[i];
	return NULL;
}
