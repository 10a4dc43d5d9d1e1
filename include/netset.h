/*
 * netset.h: sets of IPv4 and IPv6 prefixes, asked "is this address inside?".
 *
 * Owns: the prefixes of one set (home_net, a host group, an allowlist
 * destination, an intel IP list).  Calls: libc and addr_pton only.  Never
 * logs: text errors go into a caller's buffer.
 *
 * How: one sorted array of masked networks per distinct prefix length and
 * family.  A lookup masks the address once per length present and binary
 * searches that array, longest length first, so a set of a hundred thousand
 * prefixes costs at most 33 (IPv4) or 129 (IPv6) searches, in practice a
 * handful, and no per-prefix memory beyond the key itself.  A radix tree
 * would be faster for huge mixed-length lists but costs a pointer-chasing
 * node per prefix; intel lists are dominated by /32 and /24.
 *
 * Prefix lengths are relative to the address family: 10.0.0.0/8 is added
 * as (::ffff:10.0.0.0, 8).  IPv6 prefixes only ever match IPv6 addresses,
 * so ::/0 means "every IPv6 address", not "everything"; write 0.0.0.0/0 as
 * well for that.  This keeps a broad IPv6 entry from silently covering the
 * IPv4-mapped range.
 *
 * Adding appends; a length whose additions arrive out of order is sorted by
 * netset_prepare().  Until then lookups in that length fall back to a
 * linear scan, so a forgotten prepare is slow, never wrong.  After prepare a
 * set is read-only and may be shared between threads.
 *
 * API
 *   netset_init / netset_free:  empty a set / release its memory.
 *   netset_parse:     text "10.0.0.0/8", "2001:db8::/32" or a bare address
 *                     into (addr, plen); rejects host bits past the length.
 *   netset_add:       add (addr, plen); host bits are masked off.
 *   netset_add_str:   netset_parse + netset_add.
 *   netset_merge:     add every prefix of one set to another.
 *   netset_prepare:   sort and de-duplicate; call after the last add.
 *   netset_contains:  1 if the address is inside any prefix.
 *   netset_lookup:    longest matching prefix length, or -1.
 *   netset_count:     number of prefixes stored.
 *   netset_foreach:   visit prefixes, IPv4 first, shortest length first.
 *   netset_format:    "(addr, plen)" back to "10.0.0.0/8".
 *   netset_load_file: read a plain-text list (one prefix per line).
 */
#ifndef NETSET_H
#define NETSET_H

#include "exfild.h"

#define NETSET_STRLEN	(ADDR_STRLEN + 4)	/* "addr/128" */

struct netset_n6 {
	uint64_t	 hi, lo;	/* host order, masked */
};

struct netset_bucket {
	int		 plen;		/* family-relative prefix length */
	int		 sorted;	/* nets ascending, no duplicates */
	size_t		 n, cap;
	union {
		uint32_t	 *v4;	/* host order, masked */
		struct netset_n6 *v6;
	} nets;
};

struct netset {
	struct netset_bucket	*b4, *b6;	/* longest plen first */
	size_t			 nb4, nb6;
	size_t			 count;		/* prefixes over all buckets */
};

void	 netset_init(struct netset *);
void	 netset_free(struct netset *);
/* 0 on success; -1 with a reason in err (if errlen > 0). */
int	 netset_parse(const char *, addr_t *, int *plen, char *err,
	    size_t errlen);
/* 0 on success, -1 on a bad length or out of memory. */
int	 netset_add(struct netset *, const addr_t *, int plen);
int	 netset_add_str(struct netset *, const char *, char *err,
	    size_t errlen);
int	 netset_merge(struct netset *dst, const struct netset *src);
int	 netset_prepare(struct netset *);
int	 netset_contains(const struct netset *, const addr_t *);
int	 netset_lookup(const struct netset *, const addr_t *);
size_t	 netset_count(const struct netset *);
/* Stops and returns the callback's value when it is non-zero. */
int	 netset_foreach(const struct netset *,
	    int (*)(const addr_t *, int plen, void *), void *);
const char *netset_format(const addr_t *, int plen, char *, size_t);
/*
 * Reads PATH: one address or prefix per line; '#' or ';' starts a comment;
 * blank lines are skipped.  Good lines are added even when others are bad.
 * Returns -1 if the file cannot be read, else the number of bad lines; err
 * receives "path:line:column: reason" lines joined by newlines (as many as
 * fit).  The set is prepared on return.
 */
int	 netset_load_file(struct netset *, const char *path, char *err,
	    size_t errlen);

#endif
