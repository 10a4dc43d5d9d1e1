/*
 * params.h: how a detector describes the parameters a rule file may set.
 *
 * Owns nothing.  Each detector exports a table of struct param_desc that
 * points into its own parameter struct; the rule loader (rules.c) fills
 * the struct from a rule's `params:` mapping with the same unit parsing as
 * the configuration, and the documentation lists the same table.  Defaults
 * are strings so that they go through the very parser a user's value does.
 * params.c reads them, once for every detector and the rule loader alike.
 * Calls: libc and yd_parse_* only.
 *
 * API
 *   params_default:  a parameter struct filled with a table's defaults;
 *                    checks that every parameter lies inside the struct
 *                    and every default parses and is in bounds.
 *   params_text:     one parameter from text, as a default is read.
 *   params_default_all: the same for a detector's every struct at once.
 *   params_width:    bytes a parameter type takes in its struct.
 *   params_bounded:  whether a desc sets bounds (min and max not both 0).
 *   params_parse_double: a finite number, the whole string.
 */
#ifndef PARAMS_H
#define PARAMS_H

#include <stddef.h>

enum param_type {
	PT_INT,		/* int64_t */
	PT_DOUBLE,	/* double */
	PT_DURATION,	/* xtime_t, "5m" */
	PT_SIZE,	/* uint64_t bytes, "100MB" */
	PT_BOOL,	/* int */
	PT_STRING,	/* char[PARAM_STRLEN] */
	PT_PORTS	/* char[PARAM_STRLEN]: "80, 8080"; checked on load */
};

#define PARAM_STRLEN	256
#define PARAM_PORTS_MAX	16	/* ports in one PT_PORTS list */

struct param_desc {
	const char	*name;
	enum param_type	 type;
	size_t		 off;		/* offsetof() in the detector's params struct */
	double		 min, max;	/* bounds for numbers (durations in seconds) */
	const char	*def;		/* default, parsed like user input */
	const char	*doc;		/* one line for docs/rules.md */
};

/* Where one parameter table's values live. */
struct param_slot {
	const struct param_desc	*pd;
	void			*p;
	size_t			 size;
};

/* 0, or -1 with "parameter 'x': reason" in err. */
int	 params_default_all(const struct param_slot *, size_t n, char *err,
	    size_t errlen);
int	 params_default(const struct param_desc *, void *blob, size_t size,
	    char *err, size_t errlen);
int	 params_text(const struct param_desc *, void *blob, const char *,
	    char *err, size_t errlen);
size_t	 params_width(enum param_type);
int	 params_bounded(const struct param_desc *);
int	 params_parse_double(const char *, double *);

#endif
