/*
 * params.h: how a detector describes the parameters a rule file may set.
 *
 * Owns nothing.  Each detector exports a table of struct param_desc that
 * points into its own parameter struct; the rule loader (rules.c) fills
 * the struct from a rule's `params:` mapping with the same unit parsing as
 * the configuration, and the documentation lists the same table.  Defaults
 * are strings so that they go through the very parser a user's value does.
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
	PT_STRING	/* char[PARAM_STRLEN] */
};

#define PARAM_STRLEN	256

struct param_desc {
	const char	*name;
	enum param_type	 type;
	size_t		 off;		/* offsetof() in the detector's params struct */
	double		 min, max;	/* bounds for numbers (durations in seconds) */
	const char	*def;		/* default, parsed like user input */
	const char	*doc;		/* one line for docs/rules.md */
};

#endif
