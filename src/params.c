/*
 * params.c: detector parameter defaults (see params.h).
 *
 * One reader for every table: the rule loader fills a rule's struct from
 * here before applying the rule's own values, and each detector fills its
 * running parameters from here at init, so a default means the same thing
 * whichever path set it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exfild.h"
#include "params.h"
#include "yamldoc.h"

int
params_bounded(const struct param_desc *p)
{
	return p->min != 0 || p->max != 0;
}

int
params_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

size_t
params_width(enum param_type t)
{
	switch (t) {
	case PT_INT:
		return sizeof(int64_t);
	case PT_DOUBLE:
		return sizeof(double);
	case PT_DURATION:
		return sizeof(xtime_t);
	case PT_SIZE:
		return sizeof(uint64_t);
	case PT_BOOL:
		return sizeof(int);
	case PT_STRING:
	case PT_PORTS:
		return PARAM_STRLEN;
	}
	return SIZE_MAX;
}

/*
 * The same bounds apply as to a user's value, so a table whose default
 * breaks its own bounds is caught by the first load.
 */
int
params_text(const struct param_desc *p, void *blob, const char *s,
    char *err, size_t errlen)
{
	char *dst = (char *)blob + p->off;
	const char *why = "malformed";
	uint16_t ports[PARAM_PORTS_MAX];
	int64_t i;
	uint64_t u;
	xtime_t t;
	double d;
	int b, n;

	switch (p->type) {
	case PT_INT:
		if (yd_parse_int(s, &i) == -1)
			goto bad;
		if (params_bounded(p) && ((double)i < p->min ||
		    (double)i > p->max))
			goto range;
		memcpy(dst, &i, sizeof(i));
		return 0;
	case PT_DOUBLE:
		if (params_parse_double(s, &d) == -1)
			goto bad;
		if (params_bounded(p) && (d < p->min || d > p->max))
			goto range;
		memcpy(dst, &d, sizeof(d));
		return 0;
	case PT_DURATION:
		if (yd_parse_duration(s, &t, &why) == -1)
			goto bad;
		if (params_bounded(p) && ((double)t < p->min * 1e6 ||
		    (double)t > p->max * 1e6))
			goto range;
		memcpy(dst, &t, sizeof(t));
		return 0;
	case PT_SIZE:
		if (yd_parse_size(s, &u, &why) == -1)
			goto bad;
		if (params_bounded(p) && ((double)u < p->min ||
		    (double)u > p->max))
			goto range;
		memcpy(dst, &u, sizeof(u));
		return 0;
	case PT_BOOL:
		if (yd_parse_bool(s, &b) == -1)
			goto bad;
		memcpy(dst, &b, sizeof(b));
		return 0;
	case PT_PORTS:
		if (yd_parse_ports(s, ports, PARAM_PORTS_MAX, &n, &why) == -1)
			goto bad;
		/* FALLTHROUGH */
	case PT_STRING:
		if (strlen(s) >= PARAM_STRLEN) {
			why = "too long";
			goto bad;
		}
		memset(dst, 0, PARAM_STRLEN);
		memcpy(dst, s, strlen(s));
		return 0;
	}
	why = "unknown parameter type";
bad:
	snprintf(err, errlen, "parameter '%s': bad default '%s': %s",
	    p->name, s, why);
	return -1;
range:
	snprintf(err, errlen, "parameter '%s': default '%s' is out of range "
	    "%g..%g", p->name, s, p->min, p->max);
	return -1;
}

int
params_default(const struct param_desc *tab, void *blob, size_t size,
    char *err, size_t errlen)
{
	const struct param_desc *p;

	memset(blob, 0, size);
	for (p = tab; p != NULL && p->name != NULL; p++) {
		if (p->off > size || params_width(p->type) > size - p->off) {
			snprintf(err, errlen, "parameter '%s' lies outside "
			    "the %zu-byte parameter struct", p->name, size);
			return -1;
		}
		if (p->def != NULL &&
		    params_text(p, blob, p->def, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
params_default_all(const struct param_slot *v, size_t n, char *err,
    size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (params_default(v[i].pd, v[i].p, v[i].size, err,
		    errlen) == -1)
			return -1;
	return 0;
}
