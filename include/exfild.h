/*
 * exfild.h: the few types every stage shares — addresses and packet time.
 *
 * Owns nothing; may be included by any module.  Addresses are stored as 16
 * bytes with IPv4 mapped into ::ffff:0:0/96 so that one code path handles
 * both families and a flow key has a fixed size.  Time is packet time in
 * microseconds since the epoch: it comes from the capture, never from the
 * wall clock, so that a replay is deterministic.
 */
#ifndef EXFILD_H
#define EXFILD_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#ifndef EXFILD_VERSION
#define EXFILD_VERSION "0.0.0"
#endif

typedef struct addr {
	uint8_t	 a[16];		/* network byte order; IPv4 as ::ffff:a.b.c.d */
} addr_t;

typedef int64_t xtime_t;	/* packet time, microseconds since the epoch */

#define XT_SEC		((xtime_t)1000000)
#define XT_MIN		(60 * XT_SEC)
#define XT_HOUR		(60 * XT_MIN)
#define XT_DAY		(24 * XT_HOUR)

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

static inline int
addr_is_v4(const addr_t *x)
{
	static const uint8_t pfx[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };
	return memcmp(x->a, pfx, 12) == 0;
}

static inline void
addr_from_v4(addr_t *x, const uint8_t v4[4])
{
	memset(x->a, 0, 10);
	x->a[10] = 0xff;
	x->a[11] = 0xff;
	memcpy(x->a + 12, v4, 4);
}

static inline int
addr_eq(const addr_t *x, const addr_t *y)
{
	return memcmp(x->a, y->a, 16) == 0;
}

/* A system clock in xtime_t units: wall time for a quiet live link, the
 * monotonic clock for housekeeping.  Packet time never comes from here. */
static inline xtime_t
xtime_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (xtime_t)ts.tv_sec * XT_SEC + ts.tv_nsec / 1000;
}

/*
 * Write one byte of every page of a fresh table.  Pages of calloc'ed
 * memory are first mapped to the shared zero page when read; the first
 * write after that must shoot down the other core's TLB as well.
 * Writing first, while the table is new, costs one plain fault a page.
 */
static inline void *
mem_touch(void *p, size_t n)
{
	volatile uint8_t *b = p;
	size_t i;

	if (p != NULL)
		for (i = 0; i < n; i += 4096)
			b[i] = 0;
	return p;
}

/* addr.c */
const char	*addr_ntop(const addr_t *, char *, size_t);
int		 addr_pton(const char *, addr_t *);

#endif
