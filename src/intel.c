/*
 * intel.c: threat-intelligence lists (see intel.h).
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "config.h"
#include "intel.h"

struct intel_list {
	char		 name[64];	/* file name without directories */
	int		 is_domain;
	struct netset	 nets;
	struct chan_suffixes sfx;
};

static void
intel_name(struct intel_list *l, const char *path)
{
	char *copy = strdup(path);

	snprintf(l->name, sizeof(l->name), "%s", copy ? basename(copy) : path);
	free(copy);
}

static struct intel_list *
intel_grow(struct intel *in)
{
	struct intel_list *v;

	if ((v = realloc(in->lists, (in->n + 1) * sizeof(*v))) == NULL)
		return NULL;
	in->lists = v;
	memset(&v[in->n], 0, sizeof(v[0]));
	return &v[in->n++];
}

int
intel_load(struct intel *in, const struct strlist *ips,
    const struct strlist *doms, char *err, size_t errlen)
{
	struct intel_list *l;
	size_t i;
	int bad;

	memset(in, 0, sizeof(*in));
	for (i = 0; ips != NULL && i < ips->n; i++) {
		if ((l = intel_grow(in)) == NULL)
			goto nomem;
		netset_init(&l->nets);
		intel_name(l, ips->v[i]);
		if ((bad = netset_load_file(&l->nets, ips->v[i], err, errlen)) != 0) {
			intel_free(in);
			return -1;
		}
		netset_prepare(&l->nets);
	}
	for (i = 0; doms != NULL && i < doms->n; i++) {
		if ((l = intel_grow(in)) == NULL)
			goto nomem;
		netset_init(&l->nets);
		l->is_domain = 1;
		intel_name(l, doms->v[i]);
		if ((bad = chan_load_suffixes(&l->sfx, doms->v[i], err,
		    errlen)) != 0) {
			intel_free(in);
			return -1;
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "intel: %s", strerror(errno));
	intel_free(in);
	return -1;
}

void
intel_free(struct intel *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		netset_free(&in->lists[i].nets);
		chan_suffixes_free(&in->lists[i].sfx);
	}
	free(in->lists);
	memset(in, 0, sizeof(*in));
}

const char *
intel_match(const struct intel *in, const addr_t *a, const char *domain)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct intel_list *l = &in->lists[i];

		if (!l->is_domain) {
			if (a != NULL && netset_contains(&l->nets, a))
				return l->name;
		} else if (domain != NULL && domain[0] != '\0' &&
		    chan_suffix_match(&l->sfx, domain, strlen(domain)) != NULL)
			return l->name;
	}
	return NULL;
}
