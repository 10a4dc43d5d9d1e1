/*
 * json.c: JSON into a fixed buffer.  Each member is written whole or not at
 * all, and the bytes that close the open containers are reserved as they
 * are opened, so running out of room cuts the document short but never
 * leaves it invalid.  Input strings are decoded as UTF-8 one character at a
 * time and each character is emitted whole (copied or escaped), which is
 * what lets a string be cut anywhere without splitting a sequence.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

#define JSON_UNIT_MAX	16	/* longest output of one input character */
#define JSON_KEY_MAX	128	/* escaped key bytes kept */

/*
 * Length of the well-formed UTF-8 character at s, with its code point in
 * *cp; or 0 with *bad set to the length of the maximal ill-formed prefix
 * (Unicode 3.9, "U+FFFD substitution of maximal subparts").
 */
static size_t
json_utf8(const unsigned char *s, size_t n, uint32_t *cp, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlongs */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need;
}

static size_t
json_hex(char *out, const char *pfx, unsigned v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = strlen(pfx);
	int i;

	memcpy(out, pfx, o);
	for (i = digits - 1; i >= 0; i--)
		out[o++] = hex[(v >> (4 * i)) & 0xf];
	return o;
}

/* A code point that must never appear raw: it would break the line. */
static int
json_cp_escaped(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029;
}

/*
 * One input character of s[0..n) into out[JSON_UNIT_MAX]: returns the
 * output length and sets *consumed.  TEXT selects the log-text form.
 */
static size_t
json_unit(const unsigned char *s, size_t n, size_t *consumed, char *out,
    int text, int flags)
{
	uint32_t cp = 0;
	size_t k, bad = 0, o = 0, i;

	k = json_utf8(s, n, &cp, &bad);
	if (k == 0) {
		*consumed = bad;
		if (!text) {
			memcpy(out, "\\ufffd", 6);
			return 6;
		}
		for (i = 0; i < bad; i++)
			o += json_hex(out + o, "\\x", s[i], 2);
		return o;
	}
	*consumed = k;
	if (cp == '"' || cp == '\\') {
		out[0] = '\\';
		out[1] = (char)cp;
		return 2;
	}
	if (json_cp_escaped(cp)) {
		if (text && cp < 0x80)
			return json_hex(out, "\\x", cp, 2);
		return json_hex(out, "\\u", cp, 4);
	}
	if (text && (flags & JSON_TEXT_SPACE) && (cp == ' ' || cp == '='))
		return json_hex(out, "\\x", cp, 2);
	memcpy(out, s, k);
	return k;
}

static size_t
json_escape_any(char *dst, size_t dstlen, const char *s, size_t n,
    size_t *used, int text, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	char u[JSON_UNIT_MAX];
	size_t i = 0, o = 0, c, ul;

	if (dstlen == 0) {
		if (used != NULL)
			*used = 0;
		return 0;
	}
	while (i < n) {
		ul = json_unit(p + i, n - i, &c, u, text, flags);
		if (o + ul + 1 > dstlen)
			break;
		memcpy(dst + o, u, ul);
		o += ul;
		i += c;
	}
	dst[o] = '\0';
	if (used != NULL)
		*used = i;
	return o;
}

size_t
json_escape(char *dst, size_t dstlen, const char *s, size_t n, size_t *used)
{
	return json_escape_any(dst, dstlen, s, n, used, 0, 0);
}

size_t
json_text(char *dst, size_t dstlen, const char *s, size_t n, int flags)
{
	return json_escape_any(dst, dstlen, s, n, NULL, 1, flags);
}

/* ---- writer ------------------------------------------------------------- */

void
json_init(struct json *j, char *buf, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->cap = len;
	if (len > 0)
		buf[0] = '\0';
}

/* Bytes that may still be written, keeping the closers and the NUL. */
static size_t
json_room(const struct json *j)
{
	size_t used = j->len + j->closers + 1;

	return j->cap > used ? j->cap - used : 0;
}

static void
json_put(struct json *j, const char *s, size_t n)
{
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/*
 * Writes the separator and key of a new value if they and NEED more bytes
 * fit; else drops the value.  Returns 0 when the value may be written.
 */
static int
json_begin(struct json *j, const char *key, size_t need)
{
	char k[JSON_KEY_MAX];
	size_t klen = 0, pre;
	int comma, keyed;

	if (j->skip > 0 || (j->depth == 0 && j->done)) {
		j->truncated = 1;
		return -1;
	}
	comma = j->depth > 0 && j->nonempty[j->depth - 1];
	keyed = j->depth > 0 && j->close[j->depth - 1] == '}';
	if (keyed)
		klen = json_escape(k, sizeof(k), key ? key : "",
		    key ? strlen(key) : 0, NULL);
	pre = (size_t)comma + (keyed ? klen + 3 : 0);
	if (pre + need > json_room(j)) {
		j->truncated = 1;
		return -1;
	}
	if (comma)
		json_put(j, ",", 1);
	if (keyed) {
		json_put(j, "\"", 1);
		json_put(j, k, klen);
		json_put(j, "\":", 2);
	}
	if (j->depth > 0)
		j->nonempty[j->depth - 1] = 1;
	else
		j->done = 1;
	return 0;
}

static void
json_open(struct json *j, const char *key, char open, char close)
{
	if (j->depth == JSON_MAX_DEPTH || json_begin(j, key, 2) == -1) {
		j->truncated = 1;
		j->skip++;
		return;
	}
	json_put(j, &open, 1);
	j->close[j->depth] = close;
	j->nonempty[j->depth] = 0;
	j->depth++;
	j->closers++;
}

void
json_obj_open(struct json *j, const char *key)
{
	json_open(j, key, '{', '}');
}

void
json_arr_open(struct json *j, const char *key)
{
	json_open(j, key, '[', ']');
}

void
json_close(struct json *j)
{
	if (j->skip > 0) {
		j->skip--;
		return;
	}
	if (j->depth == 0)
		return;
	j->depth--;
	j->closers--;
	json_put(j, &j->close[j->depth], 1);
}

static void
json_scalar(struct json *j, const char *key, const char *v, size_t n)
{
	if (json_begin(j, key, n) == 0)
		json_put(j, v, n);
}

void
json_strn_max(struct json *j, const char *key, const char *s, size_t n,
    size_t maxout)
{
	const unsigned char *p = (const unsigned char *)s;
	char u[JSON_UNIT_MAX];
	size_t i = 0, out = 0, c, ul;

	if (json_begin(j, key, 2) == -1)
		return;
	json_put(j, "\"", 1);
	while (i < n) {
		ul = json_unit(p + i, n - i, &c, u, 0, 0);
		/* + 1 keeps room for the closing quote */
		if (out + ul > maxout || ul + 1 > json_room(j)) {
			j->truncated = 1;
			break;
		}
		json_put(j, u, ul);
		out += ul;
		i += c;
	}
	json_put(j, "\"", 1);
}

void
json_strn(struct json *j, const char *key, const char *s, size_t n)
{
	json_strn_max(j, key, s, n, SIZE_MAX);
}

void
json_str(struct json *j, const char *key, const char *s)
{
	if (s == NULL)
		json_null(j, key);
	else
		json_strn_max(j, key, s, strlen(s), SIZE_MAX);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	json_scalar(j, key, b, (size_t)n);
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);

	json_scalar(j, key, b, (size_t)n);
}

/*
 * Whole numbers print without a fraction so that counts stay exact; the
 * rest with ten significant digits.  A locale with a decimal comma must not
 * turn a number into two.
 */
void
json_double(struct json *j, const char *key, double v)
{
	char b[40];
	int n, i;

	if (!isfinite(v)) {
		json_null(j, key);
		return;
	}
	if (fabs(v) < 9007199254740992.0 && (double)(int64_t)v == v)
		n = snprintf(b, sizeof(b), "%" PRId64, (int64_t)v);
	else
		n = snprintf(b, sizeof(b), "%.10g", v);
	for (i = 0; i < n; i++)
		if (b[i] == ',')
			b[i] = '.';
	json_scalar(j, key, b, (size_t)n);
}

void
json_bool(struct json *j, const char *key, int v)
{
	if (v)
		json_scalar(j, key, "true", 4);
	else
		json_scalar(j, key, "false", 5);
}

void
json_null(struct json *j, const char *key)
{
	json_scalar(j, key, "null", 4);
}

size_t
json_finish(struct json *j)
{
	if (j->cap == 0)
		return 0;
	j->skip = 0;
	while (j->depth > 0)
		json_close(j);
	j->buf[j->len] = '\0';
	return j->len;
}

int
json_truncated(const struct json *j)
{
	return j->truncated;
}
