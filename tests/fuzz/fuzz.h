/*
 * fuzz.h: checks shared by the fuzz targets.
 *
 * An event leaves the detectors for alert.c and json.c, which print its
 * strings and numbers as they are; so every event a fuzzed input raises is
 * held to what event.h promises, and a target aborts (a finding, with the
 * input saved) when one is broken.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static inline void
fuzz_check_events(const struct event *ev, int n, int maxout)
{
	int i;

	if (n < 0 || n > maxout)
		abort();
	for (i = 0; i < n; i++, ev++) {
		if (ev->detector <= DET_NONE || ev->detector >= DET_MAX ||
		    isnan(ev->score) || ev->score < 0 || ev->score > 100 ||
		    ev->ncomps < 0 || ev->ncomps > EVENT_MAX_COMPS ||
		    memchr(ev->domain, '\0', sizeof(ev->domain)) == NULL ||
		    memchr(ev->app, '\0', sizeof(ev->app)) == NULL ||
		    memchr(ev->reason, '\0', sizeof(ev->reason)) == NULL)
			abort();
	}
}

#endif
