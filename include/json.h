/*
 * json.h: a JSON writer into a caller's buffer, and a plain-text escaper
 * for the human-readable part of an alert line.
 *
 * Owns nothing: all state lives in struct json on the caller's stack and
 * in the caller's buffer.  Calls: libc only.  Never allocates, never logs.
 *
 * Why our own: alerts carry raw bytes from the network (server names, DNS
 * labels, HTTP hosts) and are written on the analysis thread, so the writer
 * must (a) produce valid JSON and valid UTF-8 whatever bytes come in, and
 * (b) never allocate nor fail halfway.  Every write is all-or-nothing:
 * bytes to close each open container are reserved when it is opened, so a
 * buffer that runs out drops whole members (long strings are cut at a
 * character boundary instead) and json_finish() still closes the document.
 * A dropped member sets the truncated flag; the document stays parseable.
 *
 * Escaping, in JSON strings and in the text form alike:
 *   - '"' and '\' are backslash-escaped;
 *   - bytes below 0x20, 0x7f, the C1 controls U+0080..U+009F and the line
 *     separators U+2028/U+2029 are escaped (\u00XX in JSON, \xNN or \uXXXX
 *     in text), so the output is always one line;
 *   - well-formed UTF-8 (no overlongs, surrogates or code points above
 *     U+10FFFF) is copied as is;
 *   - every maximal ill-formed subsequence becomes one U+FFFD in JSON
 *     (written as \ufffd) and \xNN per byte in text, so the text form keeps
 *     the original bytes visible to an analyst.
 *
 * API
 *   json_init:      start a document in buf[len].
 *   json_obj_open / json_arr_open / json_close:  containers; the key is
 *                   NULL inside arrays and for the top-level value.
 *   json_str / json_strn / json_strn_max:  string members; _max caps the
 *                   escaped length so one huge string cannot starve the rest.
 *   json_int / json_uint / json_double / json_bool / json_null:  scalars;
 *                   a non-finite double is written as null.
 *   json_finish:    close every open container, NUL-terminate, return the
 *                   length (0 if buf could not hold even "{}").
 *   json_truncated: whether anything was dropped or cut.
 *   json_escape:    the body of a JSON string (no quotes) into dst.
 *   json_text:      printable single-line text for log prefixes.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	16

struct json {
	char		*buf;
	size_t		 cap;		/* bytes in buf, NUL included */
	size_t		 len;		/* bytes written, NUL excluded */
	size_t		 closers;	/* bytes kept to close containers */
	int		 depth;		/* containers open in buf */
	int		 skip;		/* containers dropped, no room */
	int		 truncated;
	int		 done;		/* top-level value complete */
	char		 close[JSON_MAX_DEPTH];
	uint8_t		 nonempty[JSON_MAX_DEPTH];
};

void	 json_init(struct json *, char *buf, size_t len);
void	 json_obj_open(struct json *, const char *key);
void	 json_arr_open(struct json *, const char *key);
void	 json_close(struct json *);
void	 json_str(struct json *, const char *key, const char *);
void	 json_strn(struct json *, const char *key, const char *, size_t);
void	 json_strn_max(struct json *, const char *key, const char *, size_t,
	    size_t maxout);
void	 json_int(struct json *, const char *key, int64_t);
void	 json_uint(struct json *, const char *key, uint64_t);
void	 json_double(struct json *, const char *key, double);
void	 json_bool(struct json *, const char *key, int);
void	 json_null(struct json *, const char *key);
size_t	 json_finish(struct json *);
int	 json_truncated(const struct json *);

/*
 * Escapes s[0..n) as the inside of a JSON string into dst[0..dstlen),
 * NUL-terminated, stopping before an escape or character that would not
 * fit.  Returns the bytes written; *used (if not NULL) gets the input bytes
 * consumed, so a caller can tell that it was cut.
 */
size_t	 json_escape(char *dst, size_t dstlen, const char *s, size_t n,
	    size_t *used);

#define JSON_TEXT_SPACE	0x01	/* also escape ' ' and '=' (for key=value) */

/*
 * Printable text: as json_escape, but controls and bad bytes become \xNN.
 * Always NUL-terminates when dstlen > 0; returns the bytes written.
 */
size_t	 json_text(char *dst, size_t dstlen, const char *s, size_t n,
	    int flags);

#endif
