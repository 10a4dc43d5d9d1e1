/*
 * chan_http.c: plain-HTTP requests as a channel — archive uploads,
 * reconnaissance output, bulk uploads and uploads to bare IP addresses.
 *
 * The capture thread forwards every client payload segment of flows nDPI
 * calls HTTP and the first segments of every flow.  A flow gets parser
 * state when a segment begins with "POST " or "PUT "; from then on each
 * client segment is read in TCP sequence order (a retransmission is
 * skipped, a gap is counted as body it cannot see) by a small state
 * machine: request line and headers (Host, Content-Length, Content-Type,
 * Transfer-Encoding), then the body, whose length gives where the next
 * request of a keep-alive connection starts.  Headers may span segments:
 * the state remembers whether the last segment ended at a line start or
 * after a lone CR, so the blank line that ends them is found wherever the
 * cut falls, and keeps the start of a header line cut in two (up to 80
 * bytes: every header read here fits) to join it with its end.  Nothing
 * else is copied but the Host header, the first bytes of the body and the
 * last fifteen bytes searched, so the state is a fixed few hundred bytes
 * per flow.
 *
 * Body checks, each per request:
 *   archive magic  the first bytes of the body, or with multipart bodies
 *                  of the first part's content after its part headers:
 *                  PK\3\4 (ZIP, also docx/jar), 7z\xBC\xAF\x27\x1C,
 *                  Rar!\x1A\x07.
 *                  Splunk counts such POSTs per group and alerts above 20.
 *   recon strings  Splunk's list (wermgr.exe, svchost.exe, ipconfig,
 *                  net view, name="proclist", name="sysinfo"), case
 *                  ignored, in the first scan_bytes of the body, matched
 *                  across segment edges through the fifteen-byte carry.
 *   volume         body bytes per (host, Host header) over the window.
 *   numeric Host   a body above min_body to a Host that is an IP literal
 *                  (or no Host at all): real services are named, stolen
 *                  data posted to a bare address often is not.
 */
#include <stdio.h>
#include <string.h>

#include "chan.h"

#define HTTP_FLUSH	(256 * 1024)	/* body bytes per window update */
#define HTTP_MP_SCAN	2048		/* searched for part headers */
#define HTTP_LINE_LOST	0xff		/* line_n: cut line too long */
#define HTTP_MAXGAP	(16 * 1024 * 1024) /* gap a chunked body may have */

static const char *const chan_recon_strings[] = {
	"wermgr.exe", "svchost.exe", "name=\"proclist\"", "ipconfig",
	"name=\"sysinfo\"", "net view", NULL
};

static int	chan_lc(int);
static int	chan_http_method(const uint8_t *, size_t, uint8_t *);
static int	chan_ieq(const char *, size_t, const char *);
static void	chan_http_header(struct chan_http_state *, const char *,
		    size_t);
static int	chan_http_headers(struct chan_http_state *, const uint8_t *,
		    size_t, size_t *);
static int	chan_recon_find(const char *, size_t);
static int	chan_http_recon_scan(struct chan_http_state *,
		    const uint8_t *, size_t);
static const char *chan_http_magic(const struct chan_http_state *);
static void	chan_http_name(const struct chan_ent *, char *, size_t);
static struct event *chan_http_event(struct chan *, struct chan_ent *,
		    struct chan_ent *, enum detector, xtime_t, struct event *,
		    int *, int);
static void	chan_http_archive(struct chan *, struct chan_ent *, xtime_t,
		    const char *, struct event *, int *, int);
static void	chan_http_recon(struct chan *, struct chan_ent *, xtime_t, int,
		    struct event *, int *, int);
static void	chan_http_numeric(struct chan *, struct chan_ent *, xtime_t,
		    uint64_t, struct event *, int *, int);
static void	chan_http_flush(struct chan *, struct chan_ent *, xtime_t, int,
		    struct event *, int *, int);
static void	chan_http_decide_magic(struct chan *, struct chan_ent *,
		    xtime_t, struct event *, int *, int);
static void	chan_http_req_end(struct chan *, struct chan_ent *, xtime_t,
		    struct event *, int *, int);
static void	chan_http_hdr_done(struct chan *, struct chan_ent *, xtime_t,
		    struct event *, int *, int);
static void	chan_http_body(struct chan *, struct chan_ent *, xtime_t,
		    const uint8_t *, size_t, uint64_t, struct event *, int *,
		    int);
static void	chan_http_gap(struct chan *, struct chan_ent *, xtime_t,
		    uint64_t, struct event *, int *, int);
static void	chan_http_consume(struct chan *, struct chan_ent *, xtime_t,
		    const uint8_t *, size_t, uint64_t, struct event *, int *,
		    int);

static int
chan_lc(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

/*
 * A request line starts here: an upper-case token of 3 to 16 letters, a
 * space, and a request target ('/', an absolute URI or '*').
 */
static int
chan_http_method(const uint8_t *p, size_t len, uint8_t *method)
{
	size_t i;

	for (i = 0; i < len && i < 17 && p[i] >= 'A' && p[i] <= 'Z'; i++)
		;
	if (i < 3 || i > 16 || i + 1 >= len || p[i] != ' ')
		return 0;
	if (p[i + 1] != '/' && p[i + 1] != '*' && p[i + 1] != 'h' &&
	    p[i + 1] != 'H')
		return 0;
	if (i == 4 && memcmp(p, "POST", 4) == 0)
		*method = HM_POST;
	else if (i == 3 && memcmp(p, "PUT", 3) == 0)
		*method = HM_PUT;
	else
		*method = HM_OTHER;
	return 1;
}

/* S (len bytes) equals the lower-case WORD, case ignored. */
static int
chan_ieq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || chan_lc((unsigned char)s[i]) != word[i])
			return 0;
	return word[i] == '\0';
}

static void
chan_http_header(struct chan_http_state *st, const char *l, size_t len)
{
	const char *colon, *v;
	size_t nlen, vlen, i;
	uint64_t num;

	if ((colon = memchr(l, ':', len)) == NULL)
		return;
	nlen = (size_t)(colon - l);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (chan_ieq(l, nlen, "host")) {
		/* Cut the port: "[2001:db8::1]:8080" keeps its brackets. */
		if (vlen > 0 && v[0] == '[') {
			const char *rb = memchr(v, ']', vlen);

			if (rb != NULL)
				vlen = (size_t)(rb - v) + 1;
		} else {
			const char *pc = memchr(v, ':', vlen);

			if (pc != NULL)
				vlen = (size_t)(pc - v);
		}
		if (vlen >= sizeof(st->hosthdr))
			vlen = sizeof(st->hosthdr) - 1;
		for (i = 0; i < vlen; i++)
			st->hosthdr[i] = (char)chan_lc((unsigned char)v[i]);
		st->hosthdr[vlen] = '\0';
		st->hostlen = (uint8_t)vlen;
	} else if (chan_ieq(l, nlen, "content-length")) {
		if (st->have_length || vlen == 0)
			return;		/* the first one counts */
		for (i = 0, num = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return;
			if (num > 1000000000000000ULL)	/* 1 PB: stop growing */
				continue;
			num = num * 10 + (uint64_t)(v[i] - '0');
		}
		st->clen = num;
		st->have_length = 1;
	} else if (chan_ieq(l, nlen, "content-type")) {
		if (vlen >= 10 && chan_ieq(v, 10, "multipart/"))
			st->multipart = MP_PARTHDR;
	} else if (chan_ieq(l, nlen, "transfer-encoding")) {
		for (i = 0; i + 7 <= vlen; i++)
			if (chan_ieq(v + i, 7, "chunked"))
				st->chunked = 1;
	}
}

/*
 * Read header lines from p; 1 with *used = bytes up to and including the
 * blank line when the headers end here, 0 when p ends first.
 */
static int
chan_http_headers(struct chan_http_state *st, const uint8_t *p, size_t len,
    size_t *used)
{
	char buf[CHAN_HTTP_LINE];
	const uint8_t *nl;
	size_t i = 0, ll, bl;

	while (i < len) {
		if (!st->line_start) {	/* the rest of a cut line */
			nl = memchr(p + i, '\n', len - i);
			ll = nl != NULL ? (size_t)(nl - (p + i)) : len - i;
			if (st->line_n != HTTP_LINE_LOST &&
			    st->line_n + ll <= sizeof(st->line)) {
				memcpy(st->line + st->line_n, p + i, ll);
				st->line_n += (uint8_t)ll;
			} else
				st->line_n = HTTP_LINE_LOST;
			if (nl == NULL)
				break;
			if (st->line_n != HTTP_LINE_LOST && !st->reqline) {
				bl = st->line_n;
				memcpy(buf, st->line, bl);
				if (bl > 0 && buf[bl - 1] == '\r')
					bl--;
				chan_http_header(st, buf, bl);
			}
			i = (size_t)(nl - p) + 1;
			st->line_start = 1;
			st->line_n = 0;
			st->reqline = 0;
			continue;
		}
		if (st->cr_only) {
			st->cr_only = 0;
			if (p[i] == '\n') {
				*used = i + 1;
				return 1;
			}
		}
		if (p[i] == '\n') {
			*used = i + 1;
			return 1;
		}
		if (p[i] == '\r') {
			if (i + 1 == len) {
				st->cr_only = 1;
				i++;
				break;
			}
			if (p[i + 1] == '\n') {
				*used = i + 2;
				return 1;
			}
		}
		if ((nl = memchr(p + i, '\n', len - i)) == NULL) {
			/* Keep the cut line's start for the next segment. */
			st->line_start = 0;
			ll = len - i;
			if (ll <= sizeof(st->line)) {
				memcpy(st->line, p + i, ll);
				st->line_n = (uint8_t)ll;
			} else
				st->line_n = HTTP_LINE_LOST;
			break;
		}
		ll = (size_t)(nl - (p + i));
		if (ll > 0 && p[i + ll - 1] == '\r')
			ll--;
		if (!st->reqline)
			chan_http_header(st, (const char *)p + i, ll);
		st->reqline = 0;
		i = (size_t)(nl - p) + 1;
	}
	*used = len;
	return 0;
}

/*
 * Index of the first recon string in s, case ignored, or -1.  A table of
 * first letters, then the second letter, weed out nearly every position
 * before a string is compared: about a nanosecond a byte, and the scan is
 * bounded by scan_bytes per request.
 */
static int
chan_recon_find(const char *s, size_t n)
{
	static const uint8_t plen[] = { 10, 11, 15, 8, 14, 8 };
	static const uint8_t first[256] = {	/* bit k: string k starts so */
		['w'] = 0x01, ['W'] = 0x01, ['s'] = 0x02, ['S'] = 0x02,
		['n'] = 0x34, ['N'] = 0x34, ['i'] = 0x08, ['I'] = 0x08 };
	size_t i, j;
	unsigned m;
	int k, c2;

	for (i = 0; i + 8 <= n; i++) {
		if ((m = first[(uint8_t)s[i]]) == 0)
			continue;
		c2 = chan_lc((unsigned char)s[i + 1]);
		for (k = 0; m != 0; k++, m >>= 1) {
			const char *pat = chan_recon_strings[k];

			if (!(m & 1) || pat[1] != c2 || i + plen[k] > n)
				continue;
			for (j = 2; j < plen[k]; j++)
				if (chan_lc((unsigned char)s[i + j]) != pat[j])
					break;
			if (j == plen[k])
				return k;
		}
	}
	return -1;
}

/* Search p, and the edge between the last segment and p. */
static int
chan_http_recon_scan(struct chan_http_state *st, const uint8_t *p, size_t len)
{
	char tmp[2 * CHAN_RECON_CARRY];
	size_t add = len < CHAN_RECON_CARRY ? len : CHAN_RECON_CARRY, tn;
	int k = -1;

	tn = st->carry_n;
	memcpy(tmp, st->carry, tn);
	memcpy(tmp + tn, p, add);
	if (tn > 0)
		k = chan_recon_find(tmp, tn + add);
	if (k < 0)
		k = chan_recon_find((const char *)p, len);
	if (len >= CHAN_RECON_CARRY) {
		memcpy(st->carry, p + len - CHAN_RECON_CARRY, CHAN_RECON_CARRY);
		st->carry_n = CHAN_RECON_CARRY;
	} else {
		size_t all = tn + add, keep = all < CHAN_RECON_CARRY ? all :
		    CHAN_RECON_CARRY;

		memcpy(st->carry, tmp + all - keep, keep);
		st->carry_n = (uint8_t)keep;
	}
	return k;
}

static const char *
chan_http_magic(const struct chan_http_state *st)
{
	if (st->magic_n >= 4 && memcmp(st->magic, "PK\x03\x04", 4) == 0)
		return "ZIP";
	if (st->magic_n >= 6 && memcmp(st->magic, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return "7z";
	if (st->magic_n >= 6 && memcmp(st->magic, "Rar!\x1a\x07", 6) == 0)
		return "RAR";
	return NULL;
}

/* The Host header, or the server's address when there is none. */
static void
chan_http_name(const struct chan_ent *fe, char *buf, size_t len)
{
	if (fe->u.http.hostlen > 0)
		snprintf(buf, len, "%s", fe->u.http.hosthdr);
	else
		addr_ntop(&fe->k.remote, buf, len);
}

/* An event on a key entry, with the flow's addresses and ports. */
static struct event *
chan_http_event(struct chan *c, struct chan_ent *fe, struct chan_ent *ke,
    enum detector det, xtime_t ts, struct event *out, int *n, int maxout)
{
	struct event *ev;

	if ((ev = chan_event(c, out, n, maxout, det, ts, ke)) == NULL)
		return NULL;
	ev->host = fe->k.host;
	ev->dst = fe->k.remote;
	ev->has_dst = 1;
	ev->sport = fe->k.port;
	ev->dport = fe->k.port2;
	ev->proto = 6;
	snprintf(ev->app, sizeof(ev->app), "HTTP");
	chan_http_name(fe, ev->domain, sizeof(ev->domain));
	return ev;
}

static void
chan_http_archive(struct chan *c, struct chan_ent *fe, xtime_t ts,
    const char *kind, struct event *out, int *n, int maxout)
{
	const struct chan_http_archive_params *p = &c->http_archive;
	struct chan_http_state *st = &fe->u.http;
	char b1[32], b2[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;

	chan_key_set(&k, CK_HTTP_ARCHIVE, &fe->k.host, &fe->k.remote, 0, 0,
	    NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, st->have_length ? st->clen : st->body,
	    1, 0, 0, &sum);
	if (sum.count <= (uint64_t)p->max_posts ||
	    !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_http_event(c, fe, e, DET_HTTP_ARCHIVE_POST, ts, out, n,
	    maxout)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->start = sum.first;
	ev->bytes = sum.bytes;
	ev->count = sum.count;
	ev->window = p->window;
	ev->score = chan_score((double)sum.count, (double)p->max_posts);
	snprintf(ev->reason, sizeof(ev->reason),
	    "%llu HTTP POST/PUT bodies starting with archive magic (latest "
	    "%s, %s in all) sent to %s in %s (threshold %lld)",
	    (unsigned long long)sum.count, kind,
	    chan_fmt_bytes(sum.bytes, b1, sizeof(b1)),
	    addr_ntop(&fe->k.remote, ra, sizeof(ra)),
	    chan_fmt_dur(p->window, b2, sizeof(b2)), (long long)p->max_posts);
	event_comp(ev, "archive_posts", (double)sum.count);
}

static void
chan_http_recon(struct chan *c, struct chan_ent *fe, xtime_t ts, int which,
    struct event *out, int *n, int maxout)
{
	const struct chan_http_recon_params *p = &c->http_recon;
	char b1[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;

	chan_key_set(&k, CK_HTTP_RECON, &fe->k.host, &fe->k.remote, 0, 0,
	    NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, fe->u.http.body, 1, 0, 0, &sum);
	if (!chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_http_event(c, fe, e, DET_HTTP_RECON_POST, ts, out, n,
	    maxout)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->start = sum.first;
	ev->bytes = sum.bytes;
	ev->count = sum.count;
	ev->window = p->window;
	ev->score = chan_score((double)sum.count, 1) * 0.4 + 50;
	snprintf(ev->reason, sizeof(ev->reason),
	    "HTTP %s body sent to %s (Host %.63s) contains '%s', the output of "
	    "system reconnaissance; %llu such request%s in %s",
	    fe->u.http.method == HM_PUT ? "PUT" : "POST",
	    addr_ntop(&fe->k.remote, ra, sizeof(ra)), ev->domain,
	    chan_recon_strings[which], (unsigned long long)sum.count,
	    sum.count == 1 ? "" : "s", chan_fmt_dur(p->window, b1, sizeof(b1)));
	event_comp(ev, "recon_posts", (double)sum.count);
}

static void
chan_http_numeric(struct chan *c, struct chan_ent *fe, xtime_t ts,
    uint64_t size, struct event *out, int *n, int maxout)
{
	const struct chan_http_numeric_params *p = &c->http_numeric;
	struct chan_http_state *st = &fe->u.http;
	char name[CHAN_NAME_MAX], b1[32], b2[32];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;

	st->numeric_done = 1;
	if (st->remote_home && !p->internal)
		return;
	if (st->hostlen > 0 && !chan_host_is_numeric(st->hosthdr, st->hostlen))
		return;
	chan_http_name(fe, name, sizeof(name));
	chan_key_set(&k, CK_HTTP_NUMERIC, &fe->k.host, NULL, 0, 0, name,
	    strlen(name));
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, size, 1, 0, 0, &sum);
	if (!chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_http_event(c, fe, e, DET_HTTP_NUMERIC_HOST, ts, out, n,
	    maxout)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->start = sum.first;
	ev->bytes = size;
	ev->count = sum.count;
	ev->window = p->window;
	ev->score = chan_score((double)size, (double)(p->min_body ?
	    p->min_body : 1));
	snprintf(ev->reason, sizeof(ev->reason),
	    "HTTP %s with a %s body sent to %s, %s rather than a server name "
	    "(threshold %s)", st->method == HM_PUT ? "PUT" : "POST",
	    chan_fmt_bytes(size, b1, sizeof(b1)), name,
	    st->hostlen > 0 ? "an IP address" : "no Host header",
	    chan_fmt_bytes(p->min_body, b2, sizeof(b2)));
	event_comp(ev, "numeric_body", (double)size);
}

/* Move the batched body bytes into the (host, Host) upload window. */
static void
chan_http_flush(struct chan *c, struct chan_ent *fe, xtime_t ts, int reqs,
    struct event *out, int *n, int maxout)
{
	const struct chan_http_upload_params *p = &c->http_upload;
	struct chan_http_state *st = &fe->u.http;
	char name[CHAN_NAME_MAX], b1[32], b2[32], b3[32], ra[ADDR_STRLEN];
	struct chan_key k;
	struct chan_bkt sum;
	struct chan_ent *e;
	struct event *ev;
	uint64_t bytes = st->pending;

	st->pending = 0;
	if (bytes == 0 || (st->remote_home && !p->internal))
		return;
	chan_http_name(fe, name, sizeof(name));
	chan_key_set(&k, CK_HTTP_UPLOAD, &fe->k.host, NULL, 0, 0, name,
	    strlen(name));
	if ((e = chan_ent_get(c, &k, ts, 1)) == NULL)
		return;
	chan_win_add(e, ts, p->window, bytes, (uint64_t)reqs, 0, 0, &sum);
	if (sum.bytes <= p->max_bytes || !chan_win_may_alert(e, ts, p->window))
		return;
	if ((ev = chan_http_event(c, fe, e, DET_HTTP_LARGE_UPLOAD, ts, out, n,
	    maxout)) == NULL)
		return;
	chan_event_done(e, ts, p->window);
	ev->start = sum.first;
	ev->bytes = sum.bytes;
	ev->count = sum.count;
	ev->window = p->window;
	ev->score = chan_score((double)sum.bytes, (double)p->max_bytes);
	snprintf(ev->reason, sizeof(ev->reason),
	    "%s of HTTP request bodies sent to %s (%s) in %s (threshold %s)",
	    chan_fmt_bytes(sum.bytes, b1, sizeof(b1)), name,
	    addr_ntop(&fe->k.remote, ra, sizeof(ra)),
	    chan_fmt_dur(p->window, b2, sizeof(b2)),
	    chan_fmt_bytes(p->max_bytes, b3, sizeof(b3)));
	event_comp(ev, "upload_bytes", (double)sum.bytes);
}

static void
chan_http_decide_magic(struct chan *c, struct chan_ent *fe, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	struct chan_http_state *st = &fe->u.http;
	const char *kind;

	if (st->magic_done)
		return;
	st->magic_done = 1;
	if ((kind = chan_http_magic(st)) != NULL)
		chan_http_archive(c, fe, ts, kind, out, n, maxout);
}

static void
chan_http_req_end(struct chan *c, struct chan_ent *fe, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	struct chan_http_state *st = &fe->u.http;

	if (st->method != HM_OTHER && st->body > 0) {
		chan_http_decide_magic(c, fe, ts, out, n, maxout);
		if (!st->numeric_done && st->body > c->http_numeric.min_body)
			chan_http_numeric(c, fe, ts, st->body, out, n, maxout);
		chan_http_flush(c, fe, ts, 1, out, n, maxout);
	}
	st->phase = HP_IDLE;
	st->pending = 0;
}

static void
chan_http_hdr_done(struct chan *c, struct chan_ent *fe, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	struct chan_http_state *st = &fe->u.http;

	c->st.http_requests++;
	if (st->chunked) {
		st->body_mode = HB_CHUNKED;
		st->phase = HP_BODY;
	} else if (st->have_length && st->clen > 0) {
		st->body_mode = HB_LENGTH;
		st->remaining = st->clen;
		st->phase = HP_BODY;
	} else {
		/* RFC 9112: no length, no chunking: no request body. */
		st->phase = HP_IDLE;
		return;
	}
	if (st->method == HM_OTHER)
		return;
	c->st.http_bodies++;
	/* A declared size decides at once, before the body is on the wire. */
	if (st->have_length && st->clen > c->http_numeric.min_body)
		chan_http_numeric(c, fe, ts, st->clen, out, n, maxout);
}

static void
chan_http_body(struct chan *c, struct chan_ent *fe, xtime_t ts,
    const uint8_t *p, size_t cap, uint64_t wire, struct event *out, int *n,
    int maxout)
{
	struct chan_http_state *st = &fe->u.http;
	size_t i, take;
	uint64_t lim;
	int k;

	st->body += wire;
	st->pending += wire;
	if (st->method == HM_OTHER)
		return;
	/* Archive magic: of the body, or of the first part's content. */
	for (i = 0; i < cap && !st->magic_done; ) {
		if (st->multipart == MP_PARTHDR) {
			if (st->mp_scanned >= HTTP_MP_SCAN) {
				st->magic_done = 1;	/* headers never end */
				break;
			}
			st->mp_scanned++;
			if (p[i] == (st->crlf & 1 ? '\n' : '\r'))
				st->crlf++;
			else
				st->crlf = p[i] == '\r' ? 1 : 0;
			i++;
			if (st->crlf == 4)
				st->multipart = MP_MAGIC;
			continue;
		}
		take = cap - i;
		if (take > 6 - (size_t)st->magic_n)
			take = 6 - (size_t)st->magic_n;
		memcpy(st->magic + st->magic_n, p + i, take);
		st->magic_n += (uint8_t)take;
		i += take;
		if (st->magic_n >= 6)
			chan_http_decide_magic(c, fe, ts, out, n, maxout);
	}
	/* Reconnaissance strings in the first scan_bytes. */
	lim = c->http_recon.scan_bytes;
	if (!st->recon_done && st->scanned < lim && cap > 0) {
		take = cap;
		if (take > lim - st->scanned)
			take = (size_t)(lim - st->scanned);
		st->scanned += take;
		if ((k = chan_http_recon_scan(st, p, take)) >= 0) {
			st->recon_done = 1;
			chan_http_recon(c, fe, ts, k, out, n, maxout);
		}
	}
	if (st->chunked && !st->numeric_done && !st->have_length &&
	    st->body > c->http_numeric.min_body)
		chan_http_numeric(c, fe, ts, st->body, out, n, maxout);
	if (st->pending >= HTTP_FLUSH)
		chan_http_flush(c, fe, ts, 0, out, n, maxout);
}

/* Sequence space we never saw: body it is, or the parse lost its place. */
static void
chan_http_gap(struct chan *c, struct chan_ent *fe, xtime_t ts, uint64_t gap,
    struct event *out, int *n, int maxout)
{
	struct chan_http_state *st = &fe->u.http;

	if (st->phase == HP_HDR) {
		st->phase = HP_IDLE;
		c->st.http_unsynced++;
		return;
	}
	if (st->phase != HP_BODY)
		return;
	if (st->body_mode != HB_LENGTH && gap > HTTP_MAXGAP) {
		/* No length to bound it: a jump this far is not body. */
		st->phase = HP_IDLE;
		c->st.http_unsynced++;
		return;
	}
	st->carry_n = 0;
	if (!st->magic_done) {
		st->magic_done = 1;	/* the start is gone: cannot tell */
		if (st->magic_n >= 4)
			chan_http_decide_magic(c, fe, ts, out, n, maxout);
	}
	if (st->body_mode == HB_LENGTH && gap >= st->remaining) {
		st->body += st->remaining;
		st->pending += st->remaining;
		st->remaining = 0;
		chan_http_req_end(c, fe, ts, out, n, maxout);
		return;
	}
	if (st->body_mode == HB_LENGTH)
		st->remaining -= gap;
	st->body += gap;
	st->pending += gap;
}

/* One in-order slice of the client's stream: cap bytes of wire captured. */
static void
chan_http_consume(struct chan *c, struct chan_ent *fe, xtime_t ts,
    const uint8_t *p, size_t cap, uint64_t wire, struct event *out, int *n,
    int maxout)
{
	struct chan_http_state *st = &fe->u.http;
	uint64_t o = 0, take;
	size_t have, used;
	uint8_t method;

	while (o < wire) {
		have = o < cap ? cap - (size_t)o : 0;
		switch (st->phase) {
		case HP_IDLE:
			/* Stray CRLF after a body: RFC 9112 2.2. */
			if (have > 0 && (p[o] == '\r' || p[o] == '\n')) {
				o++;
				break;
			}
			if (!chan_http_method(p + o, have, &method)) {
				c->st.http_unsynced++;
				return;
			}
			st->method = method;
			st->phase = HP_HDR;
			st->body_mode = HB_NONE;
			st->chunked = st->have_length = 0;
			st->multipart = MP_NONE;
			st->crlf = st->magic_n = st->magic_done = 0;
			st->carry_n = st->recon_done = st->numeric_done = 0;
			st->reqline = st->line_start = 1;
			st->cr_only = st->line_n = 0;
			st->hostlen = 0;
			st->hosthdr[0] = '\0';
			st->mp_scanned = 0;
			st->hdr_bytes = 0;
			st->remaining = st->clen = st->body = st->scanned = 0;
			st->pending = 0;
			break;
		case HP_HDR:
			if (have == 0) {	/* headers beyond the capture */
				st->phase = HP_IDLE;
				c->st.http_unsynced++;
				return;
			}
			if (chan_http_headers(st, p + o, have, &used)) {
				o += used;
				chan_http_hdr_done(c, fe, ts, out, n, maxout);
				break;
			}
			st->hdr_bytes += (uint32_t)have;
			if (st->hdr_bytes > CHAN_HTTP_MAXHDR) {
				st->phase = HP_IDLE;
				c->st.http_hdr_too_long++;
			} else if (cap < wire) {
				st->phase = HP_IDLE;	/* rest not captured */
				c->st.http_unsynced++;
			}
			return;
		case HP_BODY:
			take = wire - o;
			if (st->body_mode == HB_LENGTH && take > st->remaining)
				take = st->remaining;
			chan_http_body(c, fe, ts, p + (o < cap ? o : cap),
			    have < take ? have : (size_t)take, take, out, n,
			    maxout);
			if (st->body_mode == HB_LENGTH) {
				st->remaining -= take;
				o += take;
				if (st->remaining == 0)
					chan_http_req_end(c, fe, ts, out, n,
					    maxout);
				break;
			}
			/* Chunked: the last chunk "0\r\n\r\n" ends the body. */
			if (cap == wire && cap >= 5 &&
			    memcmp(p + cap - 5, "0\r\n\r\n", 5) == 0)
				chan_http_req_end(c, fe, ts, out, n, maxout);
			return;
		}
	}
}

int
chan_http_packet(struct chan *c, const struct pktinfo *pi, struct event *out,
    int *n, int maxout)
{
	const struct pkt_msg *m = pi->m;
	struct chan_http_state *st;
	struct chan_key k;
	struct chan_ent *e;
	size_t cap, skip = 0;
	uint64_t wire = pi->payload_len;
	uint8_t method;
	int32_t d;

	if (pi->host == NULL || pi->remote == NULL)
		return 0;
	cap = pi->payload != NULL ? pi->payload_caplen : 0;
	if (cap > wire)
		cap = (size_t)wire;
	chan_key_set(&k, CK_HTTP_FLOW, pi->host, pi->remote, pi->hport,
	    pi->rport, NULL, 0);
	if ((e = chan_ent_get(c, &k, m->ts, 0)) == NULL) {
		if (!chan_http_method(pi->payload, cap, &method) ||
		    method == HM_OTHER)
			return 0;
		if ((e = chan_ent_get(c, &k, m->ts, 1)) == NULL)
			return 0;
		e->u.http.remote_home = (uint8_t)(pi->from_host ? pi->home_dst :
		    pi->home_src);
	}
	st = &e->u.http;
	e->last = m->ts;
	e->expire = m->ts + CHAN_HTTP_IDLE;
	if (st->seq_ok) {
		d = (int32_t)(m->tcp_seq - st->next_seq);
		if (d < 0) {
			c->st.http_retrans++;
			if ((uint64_t)(-(int64_t)d) >= wire)
				return 1;
			skip = (size_t)(-(int64_t)d);
		} else if (d > 0)
			chan_http_gap(c, e, m->ts, (uint64_t)d, out, n, maxout);
	}
	st->next_seq = m->tcp_seq + (uint32_t)wire;
	st->seq_ok = 1;
	chan_http_consume(c, e, m->ts, pi->payload + (skip < cap ? skip : cap),
	    cap > skip ? cap - skip : 0, wire - skip, out, n, maxout);
	return 1;
}

/* The connection is over: finish a body in flight, free the state. */
void
chan_http_flow_end(struct chan *c, const struct flowinfo *fi, xtime_t ts,
    struct event *out, int *n, int maxout)
{
	struct chan_key k;
	struct chan_ent *e;

	chan_key_set(&k, CK_HTTP_FLOW, fi->host, fi->remote, fi->lport,
	    fi->rport, NULL, 0);
	if ((e = chan_ent_get(c, &k, ts, 0)) == NULL)
		return;
	if (e->u.http.phase == HP_BODY)
		chan_http_req_end(c, e, ts, out, n, maxout);
	chan_ent_drop(c, e);
}

/*
 * An IP literal: "[v6]", a dotted quad, or the dotted/decimal forms
 * browsers and libc also accept ("3232235777", "10.1").  Hex forms are
 * rare enough in clients and common enough as host labels to leave out.
 */
int
chan_host_is_numeric(const char *s, size_t len)
{
	size_t i, digits = 0, dots = 0;

	while (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	if (s[0] == '[')
		return 1;
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 10)
				return 0;
		} else if (s[i] == '.' && digits > 0 && dots < 3) {
			dots++;
			digits = 0;
		} else
			return 0;
	}
	return digits > 0;
}
