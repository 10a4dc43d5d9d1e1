/*
 * netset.c: prefix sets as one sorted array per (family, prefix length).
 * Lengths are few and arrays are dense, so a lookup is a handful of binary
 * searches over cache-friendly integers; see netset.h for the trade-offs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netset.h"

#define NETSET_TEXTMAX	64	/* longest prefix text we accept */

static uint32_t
netset_key4(const addr_t *a)
{
	return (uint32_t)a->a[12] << 24 | (uint32_t)a->a[13] << 16 |
	    (uint32_t)a->a[14] << 8 | a->a[15];
}

static struct netset_n6
netset_key6(const addr_t *a)
{
	struct netset_n6 k = { 0, 0 };
	int i;

	for (i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | a->a[i];
		k.lo = k.lo << 8 | a->a[8 + i];
	}
	return k;
}

static uint32_t
netset_mask4(int plen)
{
	return plen == 0 ? 0 : ~(uint32_t)0 << (32 - plen);
}

static struct netset_n6
netset_mask6(struct netset_n6 k, int plen)
{
	if (plen <= 64) {
		k.hi &= plen == 0 ? 0 : ~(uint64_t)0 << (64 - plen);
		k.lo = 0;
	} else
		k.lo &= ~(uint64_t)0 << (128 - plen);
	return k;
}

static int
netset_cmp6(const struct netset_n6 *x, const struct netset_n6 *y)
{
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static int
netset_qcmp4(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static int
netset_qcmp6(const void *x, const void *y)
{
	return netset_cmp6(x, y);
}

static void
netset_from4(addr_t *a, uint32_t k)
{
	uint8_t v4[4] = { k >> 24, k >> 16 & 0xff, k >> 8 & 0xff, k & 0xff };

	addr_from_v4(a, v4);
}

static void
netset_from6(addr_t *a, const struct netset_n6 *k)
{
	int i;

	for (i = 0; i < 8; i++) {
		a->a[i] = k->hi >> (56 - 8 * i) & 0xff;
		a->a[8 + i] = k->lo >> (56 - 8 * i) & 0xff;
	}
}

void
netset_init(struct netset *s)
{
	memset(s, 0, sizeof(*s));
}

void
netset_free(struct netset *s)
{
	size_t i;

	for (i = 0; i < s->nb4; i++)
		free(s->b4[i].nets.v4);
	for (i = 0; i < s->nb6; i++)
		free(s->b6[i].nets.v6);
	free(s->b4);
	free(s->b6);
	netset_init(s);
}

static void
netset_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
netset_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
netset_parse_plen(const char *p, int max)
{
	int v = 0;

	if (*p == '\0' || strlen(p) > 3)
		return -1;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v <= max ? v : -1;
}

/* The input as it may appear in a message: bounded, printable. */
static const char *
netset_show(const char *text, char *buf, size_t len)
{
	size_t i;

	for (i = 0; text[i] != '\0' && i + 1 < len; i++)
		buf[i] = isprint((unsigned char)text[i]) ? text[i] : '?';
	buf[i] = '\0';
	if (text[i] != '\0' && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return buf;
}

int
netset_parse(const char *input, addr_t *a, int *plenp, char *err,
    size_t errlen)
{
	char buf[NETSET_TEXTMAX], sug[NETSET_STRLEN], text[NETSET_TEXTMAX];
	char *slash;
	addr_t m;
	int plen, v4, v6text;

	netset_show(input, text, sizeof(text));
	if (strlen(input) >= sizeof(buf)) {
		netset_seterr(err, errlen, "'%.20s...' is too long for an "
		    "address", text);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", input);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (addr_pton(buf, a) == -1) {
		netset_seterr(err, errlen, "'%s' is not an IPv4 or IPv6 "
		    "address%s", netset_show(buf, text, sizeof(text)),
		    slash ? "" : " or prefix");
		return -1;
	}
	v4 = addr_is_v4(a);
	v6text = strchr(buf, ':') != NULL;
	if (slash == NULL)
		plen = v4 ? 32 : 128;
	else if ((plen = netset_parse_plen(slash + 1,
	    v4 && !v6text ? 32 : 128)) == -1) {
		netset_seterr(err, errlen, "'%s' has a bad prefix length "
		    "(0..%d)", text, v4 && !v6text ? 32 : 128);
		return -1;
	} else if (v4 && v6text) {
		/* ::ffff:a.b.c.d/n names an IPv4 prefix only from /96 on. */
		if (plen < 96) {
			netset_seterr(err, errlen, "'%s': an IPv4-mapped "
			    "prefix must be /96 or longer", text);
			return -1;
		}
		plen -= 96;
	}
	m = *a;
	if (v4) {
		uint32_t k = netset_key4(a) & netset_mask4(plen);
		netset_from4(&m, k);
	} else {
		struct netset_n6 k = netset_mask6(netset_key6(a), plen);
		netset_from6(&m, &k);
	}
	if (!addr_eq(&m, a)) {
		netset_seterr(err, errlen, "'%s' has host bits set past /%d "
		    "(did you mean %s?)", text, v4 && v6text ? plen + 96 : plen,
		    netset_format(&m, plen, sug, sizeof(sug)));
		return -1;
	}
	*plenp = plen;
	return 0;
}

/* Finds or inserts the bucket of a length, keeping longest first. */
static struct netset_bucket *
netset_bucket(struct netset *s, int v4, int plen)
{
	struct netset_bucket **bp = v4 ? &s->b4 : &s->b6, *b;
	size_t *np = v4 ? &s->nb4 : &s->nb6, i;

	for (i = 0; i < *np; i++) {
		if ((*bp)[i].plen == plen)
			return &(*bp)[i];
		if ((*bp)[i].plen < plen)
			break;
	}
	b = reallocarray(*bp, *np + 1, sizeof(*b));
	if (b == NULL)
		return NULL;
	*bp = b;
	memmove(&b[i + 1], &b[i], (*np - i) * sizeof(*b));
	(*np)++;
	memset(&b[i], 0, sizeof(*b));
	b[i].plen = plen;
	b[i].sorted = 1;
	return &b[i];
}

static int
netset_grow(struct netset_bucket *b, size_t elsize)
{
	size_t ncap;
	void *p;

	if (b->n < b->cap)
		return 0;
	ncap = b->cap == 0 ? 16 : b->cap * 2;
	if ((p = reallocarray(b->nets.v4, ncap, elsize)) == NULL)
		return -1;
	b->nets.v4 = p;
	b->cap = ncap;
	return 0;
}

int
netset_add(struct netset *s, const addr_t *a, int plen)
{
	struct netset_bucket *b;
	int v4 = addr_is_v4(a);

	if (plen < 0 || plen > (v4 ? 32 : 128))
		return -1;
	if ((b = netset_bucket(s, v4, plen)) == NULL)
		return -1;
	if (v4) {
		uint32_t k = netset_key4(a) & netset_mask4(plen);

		if (b->sorted && b->n > 0 && b->nets.v4[b->n - 1] >= k) {
			if (b->nets.v4[b->n - 1] == k)
				return 0;
			b->sorted = 0;
		}
		if (netset_grow(b, sizeof(uint32_t)) == -1)
			return -1;
		b->nets.v4[b->n++] = k;
	} else {
		struct netset_n6 k = netset_mask6(netset_key6(a), plen);
		int c;

		if (b->sorted && b->n > 0 &&
		    (c = netset_cmp6(&b->nets.v6[b->n - 1], &k)) >= 0) {
			if (c == 0)
				return 0;
			b->sorted = 0;
		}
		if (netset_grow(b, sizeof(struct netset_n6)) == -1)
			return -1;
		b->nets.v6[b->n++] = k;
	}
	s->count++;
	return 0;
}

int
netset_add_str(struct netset *s, const char *text, char *err, size_t errlen)
{
	addr_t a;
	int plen;

	if (netset_parse(text, &a, &plen, err, errlen) == -1)
		return -1;
	if (netset_add(s, &a, plen) == -1) {
		netset_seterr(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
netset_merge_one(const addr_t *a, int plen, void *arg)
{
	return netset_add(arg, a, plen) == -1 ? -1 : 0;
}

int
netset_merge(struct netset *dst, const struct netset *src)
{
	return netset_foreach(src, netset_merge_one, dst) == 0 ? 0 : -1;
}

static void
netset_prepare_bucket(struct netset *s, struct netset_bucket *b, int v4)
{
	size_t i, o;

	if (b->sorted)
		return;
	if (v4) {
		qsort(b->nets.v4, b->n, sizeof(uint32_t), netset_qcmp4);
		for (i = o = 0; i < b->n; i++)
			if (o == 0 || b->nets.v4[o - 1] != b->nets.v4[i])
				b->nets.v4[o++] = b->nets.v4[i];
	} else {
		qsort(b->nets.v6, b->n, sizeof(struct netset_n6),
		    netset_qcmp6);
		for (i = o = 0; i < b->n; i++)
			if (o == 0 || netset_cmp6(&b->nets.v6[o - 1],
			    &b->nets.v6[i]) != 0)
				b->nets.v6[o++] = b->nets.v6[i];
	}
	s->count -= b->n - o;
	b->n = o;
	b->sorted = 1;
}

int
netset_prepare(struct netset *s)
{
	size_t i;

	for (i = 0; i < s->nb4; i++)
		netset_prepare_bucket(s, &s->b4[i], 1);
	for (i = 0; i < s->nb6; i++)
		netset_prepare_bucket(s, &s->b6[i], 0);
	return 0;
}

static int
netset_find4(const struct netset_bucket *b, uint32_t k)
{
	size_t lo = 0, hi = b->n, mid, i;

	if (!b->sorted) {
		for (i = 0; i < b->n; i++)
			if (b->nets.v4[i] == k)
				return 1;
		return 0;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (b->nets.v4[mid] == k)
			return 1;
		if (b->nets.v4[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
netset_find6(const struct netset_bucket *b, const struct netset_n6 *k)
{
	size_t lo = 0, hi = b->n, mid, i;
	int c;

	if (!b->sorted) {
		for (i = 0; i < b->n; i++)
			if (netset_cmp6(&b->nets.v6[i], k) == 0)
				return 1;
		return 0;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = netset_cmp6(&b->nets.v6[mid], k)) == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
netset_lookup(const struct netset *s, const addr_t *a)
{
	size_t i;

	if (addr_is_v4(a)) {
		uint32_t k = netset_key4(a);

		for (i = 0; i < s->nb4; i++)
			if (netset_find4(&s->b4[i],
			    k & netset_mask4(s->b4[i].plen)))
				return s->b4[i].plen;
	} else {
		struct netset_n6 k = netset_key6(a), m;

		for (i = 0; i < s->nb6; i++) {
			m = netset_mask6(k, s->b6[i].plen);
			if (netset_find6(&s->b6[i], &m))
				return s->b6[i].plen;
		}
	}
	return -1;
}

int
netset_contains(const struct netset *s, const addr_t *a)
{
	return netset_lookup(s, a) >= 0;
}

size_t
netset_count(const struct netset *s)
{
	return s->count;
}

int
netset_foreach(const struct netset *s,
    int (*cb)(const addr_t *, int, void *), void *arg)
{
	const struct netset_bucket *b;
	addr_t a;
	size_t i, j;
	int rv;

	for (i = s->nb4; i-- > 0;) {
		b = &s->b4[i];
		for (j = 0; j < b->n; j++) {
			netset_from4(&a, b->nets.v4[j]);
			if ((rv = cb(&a, b->plen, arg)) != 0)
				return rv;
		}
	}
	for (i = s->nb6; i-- > 0;) {
		b = &s->b6[i];
		for (j = 0; j < b->n; j++) {
			netset_from6(&a, &b->nets.v6[j]);
			if ((rv = cb(&a, b->plen, arg)) != 0)
				return rv;
		}
	}
	return 0;
}

const char *
netset_format(const addr_t *a, int plen, char *buf, size_t len)
{
	char tmp[ADDR_STRLEN];

	snprintf(buf, len, "%s/%d", addr_ntop(a, tmp, sizeof(tmp)), plen);
	return buf;
}

/* Appends one line to a bounded, newline-joined error buffer. */
static void
netset_errline(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
netset_errline(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (errlen == 0)
		return;
	used = strnlen(err, errlen);
	if (used + 1 >= errlen)
		return;
	if (used > 0) {
		err[used++] = '\n';
		err[used] = '\0';
	}
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

/* Strips comments and blanks; returns the token or NULL. */
static char *
netset_token(char *line, char **rest)
{
	char *p, *e;

	if ((p = strpbrk(line, "#;")) != NULL)
		*p = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	if (*p == '\0')
		return NULL;
	for (e = p; *e != '\0' && !isspace((unsigned char)*e); e++)
		;
	*rest = e;
	while (isspace((unsigned char)**rest))
		(*rest)++;
	*e = '\0';
	return p;
}

int
netset_load_file(struct netset *s, const char *path, char *err,
    size_t errlen)
{
	char reason[160], *line = NULL, *tok, *rest;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int lineno = 0, bad = 0;

	if (errlen > 0)
		err[0] = '\0';
	if ((fp = fopen(path, "r")) == NULL) {
		netset_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			netset_errline(err, errlen, "%s:%d:1: NUL byte in "
			    "line", path, lineno);
			bad++;
			continue;
		}
		if ((tok = netset_token(line, &rest)) == NULL)
			continue;
		if (*rest != '\0') {
			netset_errline(err, errlen, "%s:%d:%d: unexpected "
			    "text after the prefix", path, lineno,
			    (int)(rest - line) + 1);
			bad++;
			continue;
		}
		if (netset_add_str(s, tok, reason, sizeof(reason)) == -1) {
			netset_errline(err, errlen, "%s:%d:%d: %s", path,
			    lineno, (int)(tok - line) + 1, reason);
			bad++;
		}
	}
	if (ferror(fp)) {
		netset_errline(err, errlen, "%s: %s", path, strerror(errno));
		free(line);
		fclose(fp);
		netset_prepare(s);
		return -1;
	}
	free(line);
	fclose(fp);
	netset_prepare(s);
	return bad;
}
