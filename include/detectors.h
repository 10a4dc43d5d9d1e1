/*
 * detectors.h: the registry that ties rule files to detector parameters.
 *
 * Owns nothing.  Calls: the detectors' parameter tables (score.c,
 * dnstun.c, chan.c).  The rule loader asks it which parameters a detector
 * takes; the analysis thread asks it to copy a loaded rule set's values
 * into the detectors.  Adding a detector means one line here.
 *
 * API
 *   detector_params:  the parameter table and struct size of a detector.
 *   detectors_apply:  copy every enabled rule's parameters into place.
 */
#ifndef DETECTORS_H
#define DETECTORS_H

#include "event.h"
#include "params.h"

struct ruleset;
struct chan;
struct dnstun;
struct scorer;

const struct param_desc *detector_params(enum detector, size_t *size);
void	 detectors_apply(const struct ruleset *, struct chan *, struct dnstun *,
	    struct scorer *);

#endif
