/*
 * intel.h: threat-intelligence lists — addresses/CIDRs and domains.
 *
 * Owns: the loaded lists.  Calls: netset for addresses; chan's suffix
 * matcher for domains (label boundary, so evil-example.com never matches
 * example.com).  Lists are plain text, one entry per line, `#` comments;
 * they are loaded whole at start and on reload, and a list that cannot be
 * read stops the load, because an intel feed silently missing is worse
 * than a refused reload.
 *
 * API
 *   intel_load / intel_free
 *   intel_match: name of the list that holds the address or the domain,
 *                or NULL.
 */
#ifndef INTEL_H
#define INTEL_H

#include "exfild.h"
#include "netset.h"

struct intel_list;

struct intel {
	struct intel_list *lists;
	size_t		 n;
};

struct strlist;

int		 intel_load(struct intel *, const struct strlist *ip_lists,
		    const struct strlist *domain_lists, char *err, size_t errlen);
void		 intel_free(struct intel *);
const char	*intel_match(const struct intel *, const addr_t *,
		    const char *domain);

#endif
