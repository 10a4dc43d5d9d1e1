/*
 * jsoncheck.h: a strict RFC 8259 validator for the tests, with a lookup of
 * one member by dotted path.  Strict means: exactly one value, no trailing
 * bytes, no raw control characters in strings, valid escapes, well-formed
 * UTF-8 everywhere, no lone surrogates in \u escapes.  Tests only.
 */
#ifndef JSONCHECK_H
#define JSONCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jc {
	const unsigned char *p, *end;
	int		 depth;
	const char	*want;		/* dotted path searched for, or NULL */
	char		 path[512];
	const unsigned char *found, *found_end;
	int		 dupkey;	/* a mapping repeated a key */
};

static int jc_value(struct jc *);

static void
jc_ws(struct jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int
jc_hex4(const unsigned char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		unsigned d;

		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Well-formed UTF-8 character length at p, or 0. */
static size_t
jc_utf8(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (i = 1; i < need; i++) {
		if (p + i >= end || p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* Parses a string; its decoded ASCII-ish form goes to out when not NULL. */
static int
jc_string(struct jc *c, char *out, size_t outlen)
{
	size_t o = 0, k;
	unsigned v, w;

	if (c->p >= c->end || *c->p != '"')
		return -1;
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		if (*c->p < 0x20)
			return -1;
		if (*c->p == '\\') {
			if (c->p + 1 >= c->end)
				return -1;
			switch (c->p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				if (out && o + 1 < outlen)
					out[o++] = (char)(c->p[1] == 'n' ?
					    '\n' : c->p[1] == 't' ? '\t' :
					    c->p[1]);
				c->p += 2;
				continue;
			case 'u':
				if (c->end - c->p < 6 || jc_hex4(c->p + 2, &v))
					return -1;
				c->p += 6;
				if (v >= 0xdc00 && v <= 0xdfff)
					return -1;
				if (v >= 0xd800 && v <= 0xdbff) {
					if (c->end - c->p < 6 ||
					    c->p[0] != '\\' || c->p[1] != 'u' ||
					    jc_hex4(c->p + 2, &w) ||
					    w < 0xdc00 || w > 0xdfff)
						return -1;
					c->p += 6;
				}
				if (out && o + 1 < outlen)
					out[o++] = v < 0x80 ? (char)v : '?';
				continue;
			default:
				return -1;
			}
		}
		if ((k = jc_utf8(c->p, c->end)) == 0)
			return -1;
		if (out && o + k < outlen) {
			memcpy(out + o, c->p, k);
			o += k;
		}
		c->p += k;
	}
	if (c->p >= c->end)
		return -1;
	c->p++;
	if (out && outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
	return 0;
}

static int
jc_digits(struct jc *c)
{
	const unsigned char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s ? 0 : -1;
}

static int
jc_number(struct jc *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (jc_digits(c))
		return -1;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (jc_digits(c))
			return -1;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (jc_digits(c))
			return -1;
	}
	return 0;
}

static int
jc_word(struct jc *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static int
jc_object(struct jc *c)
{
	char key[256], keys[64][64];
	size_t plen = strlen(c->path), nkeys = 0, i;

	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		jc_ws(c);
		if (jc_string(c, key, sizeof(key)))
			return -1;
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i], key) == 0)
				c->dupkey = 1;
		if (nkeys < 64) {
			size_t kl = strnlen(key, sizeof(keys[0]) - 1);

			memcpy(keys[nkeys], key, kl);
			keys[nkeys++][kl] = '\0';
		}
		jc_ws(c);
		if (c->p >= c->end || *c->p != ':')
			return -1;
		c->p++;
		snprintf(c->path + plen, sizeof(c->path) - plen, "%s%s",
		    plen ? "." : "", key);
		if (jc_value(c))
			return -1;
		c->path[plen] = '\0';
		jc_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return 0;
		}
		return -1;
	}
}

static int
jc_array(struct jc *c)
{
	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		char saved[sizeof(c->path)];

		/* Array items have no path of their own. */
		memcpy(saved, c->path, sizeof(saved));
		snprintf(c->path, sizeof(c->path), "%s", "\x01");
		if (jc_value(c))
			return -1;
		memcpy(c->path, saved, sizeof(saved));
		jc_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			return 0;
		}
		return -1;
	}
}

static int
jc_value(struct jc *c)
{
	const unsigned char *start;
	int r;

	jc_ws(c);
	if (c->p >= c->end || ++c->depth > 64)
		return -1;
	start = c->p;
	switch (*c->p) {
	case '{':
		r = jc_object(c);
		break;
	case '[':
		r = jc_array(c);
		break;
	case '"':
		r = jc_string(c, NULL, 0);
		break;
	case 't':
		r = jc_word(c, "true");
		break;
	case 'f':
		r = jc_word(c, "false");
		break;
	case 'n':
		r = jc_word(c, "null");
		break;
	default:
		r = jc_number(c);
		break;
	}
	c->depth--;
	if (r == 0 && c->want != NULL && c->found == NULL &&
	    strcmp(c->path, c->want) == 0) {
		c->found = start;
		c->found_end = c->p;
	}
	return r;
}

/* 0 if s[0..n) is exactly one valid JSON value (whitespace around it). */
static inline int
jc_check(const char *s, size_t n)
{
	struct jc c;

	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)s;
	c.end = c.p + n;
	if (n == 0 || jc_value(&c))
		return -1;
	jc_ws(&c);
	return c.p == c.end && !c.dupkey ? 0 : -1;
}

/*
 * The raw text of the member at dotted PATH ("event.severity") of a valid
 * document into out; 0 if found.  Strings keep their quotes and escapes.
 */
static inline int
jc_get(const char *s, const char *path, char *out, size_t outlen)
{
	struct jc c;
	size_t n;

	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)s;
	c.end = c.p + strlen(s);
	c.want = path;
	if (jc_value(&c) || c.found == NULL)
		return -1;
	n = (size_t)(c.found_end - c.found);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, c.found, n);
	out[n] = '\0';
	return 0;
}

/* The decoded value of a string member (non-ASCII escapes shown as '?'). */
static inline int
jc_get_str(const char *s, const char *path, char *out, size_t outlen)
{
	char raw[16384];
	struct jc c;

	if (jc_get(s, path, raw, sizeof(raw)))
		return -1;
	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)raw;
	c.end = c.p + strlen(raw);
	return jc_string(&c, out, outlen);
}

#endif
