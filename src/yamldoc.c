/*
 * yamldoc.c: libyaml events into a positioned node tree, and the typed
 * readers every exfild file format shares.  The event API is used rather
 * than yaml_parser_load() because it lets us stop at the first alias and
 * at the depth and size bounds, before anything grows; see yamldoc.h.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "netset.h"
#include "yamldoc.h"

#define YD_MSGMAX	1024	/* one error line */

/* ---- error collector ---------------------------------------------------- */

static void
yerr_append(struct yerrs *e, const char *line)
{
	static const char more[] = "(further errors not shown)";
	size_t n, need;
	char *p;

	e->count++;
	if (e->full)
		return;
	n = strlen(line);
	if (e->len + n + 1 > YD_ERRS_MAX) {
		line = more;		/* say once that text was dropped */
		n = sizeof(more) - 1;
		e->full = 1;
	}
	need = e->len + n + 2;
	if (need > e->cap) {
		size_t ncap = e->cap ? e->cap : 256;

		while (ncap < need)
			ncap *= 2;
		if ((p = realloc(e->buf, ncap)) == NULL)
			return;		/* the count still says it failed */
		e->buf = p;
		e->cap = ncap;
	}
	if (e->len > 0)
		e->buf[e->len++] = '\n';
	/* One error, one line: a quoted value must not split or forge one. */
	for (p = e->buf + e->len; *line != '\0'; line++)
		*p++ = (unsigned char)*line < 0x20 || *line == 0x7f ? '?' : *line;
	*p = '\0';
	e->len += n;
}

static void
yerr_vaddpos(struct yerrs *e, const char *file, int line, int col,
    const char *fmt, va_list ap)
{
	char msg[YD_MSGMAX], out[YD_MSGMAX + 256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file == NULL)
		file = "<string>";
	if (line <= 0)
		snprintf(out, sizeof(out), "%s: %s", file, msg);
	else if (col <= 0)
		snprintf(out, sizeof(out), "%s:%d: %s", file, line, msg);
	else
		snprintf(out, sizeof(out), "%s:%d:%d: %s", file, line, col,
		    msg);
	yerr_append(e, out);
}

void
yerr_addpos(struct yerrs *e, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_vaddpos(e, file, line, col, fmt, ap);
	va_end(ap);
}

void
yerr_add(struct yerrs *e, const char *file, const struct ynode *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_vaddpos(e, file, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
}

struct yerr_line {
	const char	*s;
	size_t		 len;
	long		 line, col;
	size_t		 idx;		/* keeps equal positions in order */
};

static int
yerr_linecmp(const void *x, const void *y)
{
	const struct yerr_line *a = x, *b = y;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Errors are found out of file order (duplicate keys when a mapping ends,
 * sections a loader reads last); readers want them by position.
 */
void
yerr_sort(struct yerrs *e, const char *file)
{
	struct yerr_line *v;
	size_t n = 1, i, flen = strlen(file), o;
	char *p, *q, *out;

	if (e->buf == NULL || e->len == 0)
		return;
	for (p = e->buf; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	if ((v = calloc(n, sizeof(*v))) == NULL ||
	    (out = malloc(e->len + 1)) == NULL) {
		free(v);
		return;
	}
	for (i = 0, p = e->buf; i < n; i++) {
		q = strchr(p, '\n');
		v[i].s = p;
		v[i].len = q ? (size_t)(q - p) : strlen(p);
		v[i].idx = i;
		v[i].line = v[i].col = 0;
		if (strncmp(p, file, flen) == 0 && p[flen] == ':' &&
		    isdigit((unsigned char)p[flen + 1])) {
			v[i].line = strtol(p + flen + 1, &q, 10);
			if (*q == ':' && isdigit((unsigned char)q[1]))
				v[i].col = strtol(q + 1, NULL, 10);
		} else if (e->full && i == n - 1)
			v[i].line = LONG_MAX;	/* "further errors" stays last */
		p += v[i].len + 1;
	}
	qsort(v, n, sizeof(*v), yerr_linecmp);
	for (i = o = 0; i < n; i++) {
		if (i > 0)
			out[o++] = '\n';
		memcpy(out + o, v[i].s, v[i].len);
		o += v[i].len;
	}
	out[o] = '\0';
	memcpy(e->buf, out, o + 1);
	free(out);
	free(v);
}

const char *
yerr_str(const struct yerrs *e)
{
	if (e->buf == NULL)
		return "";
	return e->buf;
}

void
yerr_free(struct yerrs *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

void
ydoc_err(struct ydoc *d, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yerr_vaddpos(d->errs, d->file, n ? n->line : 0, n ? n->col : 0, fmt,
	    ap);
	va_end(ap);
}

/* ---- tree --------------------------------------------------------------- */

static void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	if (n->kind == YN_SEQ)
		for (i = 0; i < n->n; i++)
			ynode_free(n->items[i]);
	else if (n->kind == YN_MAP)
		for (i = 0; i < n->n; i++) {
			ynode_free(n->pairs[i].key);
			ynode_free(n->pairs[i].val);
		}
	free(n->items);
	free(n->pairs);
	free(n->str);
	free(n);
}

void
ydoc_free(struct ydoc *d)
{
	if (d == NULL)
		return;
	ynode_free(d->root);
	free(d->file);
	free(d);
}

struct yd_frame {
	struct ynode	*node;
	struct ynode	*key;		/* mapping: key waiting for its value */
	size_t		 cap;
};

struct yd_build {
	struct ydoc	*doc;
	struct yd_frame	 stack[YD_MAX_DEPTH];
	int		 depth;
	int		 ndocs;
};

static struct ynode *
yd_newnode(struct yd_build *b, enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n;

	if (++b->doc->nnodes > YD_MAX_NODES) {
		yerr_addpos(b->doc->errs, b->doc->file, (int)m->line + 1,
		    (int)m->column + 1, "more than %d nodes in one document",
		    YD_MAX_NODES);
		return NULL;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		yerr_addpos(b->doc->errs, b->doc->file, 0, 0, "out of memory");
		return NULL;
	}
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

/*
 * Hooks a new node into its parent at once, so that a failed load frees
 * everything through the root.  Only a mapping key waits in its frame.
 */
static int
yd_attach(struct yd_build *b, struct ynode *n)
{
	struct yd_frame *f;
	struct ynode *p;

	if (b->depth == 0) {
		b->doc->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	p = f->node;
	if (p->kind == YN_MAP && f->key == NULL) {
		if (n->kind != YN_SCALAR) {
			yerr_add(b->doc->errs, b->doc->file, n,
			    "mapping keys must be plain values, not %s",
			    ynode_kind_name(n));
			ynode_free(n);
			return -1;
		}
		f->key = n;
		return 0;
	}
	if (p->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 8;
		void *q;

		q = p->kind == YN_SEQ ?
		    reallocarray(p->items, ncap, sizeof(*p->items)) :
		    reallocarray(p->pairs, ncap, sizeof(*p->pairs));
		if (q == NULL) {
			yerr_addpos(b->doc->errs, b->doc->file, 0, 0,
			    "out of memory");
			ynode_free(n);
			return -1;
		}
		if (p->kind == YN_SEQ)
			p->items = q;
		else
			p->pairs = q;
		f->cap = ncap;
	}
	if (p->kind == YN_SEQ)
		p->items[p->n++] = n;
	else {
		p->pairs[p->n].key = f->key;
		p->pairs[p->n++].val = n;
		f->key = NULL;
	}
	return 0;
}

static int
yd_keycmp(const void *x, const void *y)
{
	const struct ypair *a = *(const struct ypair * const *)x;
	const struct ypair *b = *(const struct ypair * const *)y;
	size_t n = a->key->len < b->key->len ? a->key->len : b->key->len;
	int c;

	if ((c = memcmp(a->key->str, b->key->str, n)) != 0)
		return c;
	if (a->key->len != b->key->len)
		return a->key->len < b->key->len ? -1 : 1;
	/* Equal keys in file order, so the first one is the original. */
	if (a->key->line != b->key->line)
		return a->key->line < b->key->line ? -1 : 1;
	return a->key->col < b->key->col ? -1 : a->key->col > b->key->col;
}

const char *
ynode_show(const struct ynode *n, char *buf, size_t len)
{
	size_t i, o = 0;

	if (n == NULL || n->kind != YN_SCALAR) {
		snprintf(buf, len, "%s", ynode_kind_name(n));
		return buf;
	}
	for (i = 0; i < n->len && i < YD_SHOWLEN - 8 && o + 2 < len; i++)
		buf[o++] = isprint((unsigned char)n->str[i]) ? n->str[i] : '?';
	if (i < n->len && o + 5 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Sorting pointers keeps the check O(n log n) for hostile huge mappings. */
static void
yd_dupcheck(struct yd_build *b, const struct ynode *map)
{
	struct ypair **v;
	char show[YD_SHOWLEN];
	size_t i, first;

	if (map->n < 2)
		return;
	if ((v = calloc(map->n, sizeof(*v))) == NULL) {
		yerr_addpos(b->doc->errs, b->doc->file, 0, 0, "out of memory");
		return;
	}
	for (i = 0; i < map->n; i++)
		v[i] = &map->pairs[i];
	qsort(v, map->n, sizeof(*v), yd_keycmp);
	for (i = 1, first = 0; i < map->n; i++) {
		if (v[i]->key->len == v[first]->key->len &&
		    memcmp(v[i]->key->str, v[first]->key->str,
		    v[i]->key->len) == 0)
			yerr_add(b->doc->errs, b->doc->file, v[i]->key,
			    "duplicate key '%s' (first at line %d column %d)",
			    ynode_show(v[i]->key, show, sizeof(show)),
			    v[first]->key->line, v[first]->key->col);
		else
			first = i;
	}
	free(v);
}

static int
yd_event(struct yd_build *b, const yaml_event_t *ev)
{
	struct ydoc *d = b->doc;
	struct ynode *n;
	const yaml_mark_t *m = &ev->start_mark;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1) {
			yerr_addpos(d->errs, d->file, (int)m->line + 1,
			    (int)m->column + 1,
			    "only one YAML document is allowed");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		yerr_addpos(d->errs, d->file, (int)m->line + 1,
		    (int)m->column + 1, "aliases (*%.40s) are not supported",
		    (const char *)ev->data.alias.anchor);
		return -1;
	case YAML_SCALAR_EVENT:
		if ((n = yd_newnode(b, YN_SCALAR, m)) == NULL)
			return -1;
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if ((n->str = malloc(n->len + 1)) == NULL) {
			free(n);
			yerr_addpos(d->errs, d->file, 0, 0, "out of memory");
			return -1;
		}
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		return yd_attach(b, n);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (b->depth == YD_MAX_DEPTH) {
			yerr_addpos(d->errs, d->file, (int)m->line + 1,
			    (int)m->column + 1, "nested deeper than %d levels",
			    YD_MAX_DEPTH);
			return -1;
		}
		n = yd_newnode(b, ev->type == YAML_SEQUENCE_START_EVENT ?
		    YN_SEQ : YN_MAP, m);
		if (n == NULL || yd_attach(b, n) == -1)
			return -1;
		b->stack[b->depth].node = n;
		b->stack[b->depth].key = NULL;
		b->stack[b->depth].cap = 0;
		b->depth++;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth == 0)
			return -1;	/* libyaml never does this */
		b->depth--;
		if (b->stack[b->depth].node->kind == YN_MAP)
			yd_dupcheck(b, b->stack[b->depth].node);
		return 0;
	default:
		return 0;
	}
}

static void
yd_syntax_error(struct ydoc *d, const yaml_parser_t *p, const char *buf,
    size_t len)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	size_t i, off = p->problem_offset < len ? p->problem_offset : len;
	int line = 1, col = 1;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		yerr_addpos(d->errs, d->file, 0, 0, "out of memory");
		break;
	case YAML_READER_ERROR:
		/* The reader reports a byte offset, not a mark. */
		for (i = 0; i < off; i++, col++)
			if (buf[i] == '\n') {
				line++;
				col = 0;
			}
		yerr_addpos(d->errs, d->file, line, col, "%s (byte %zu)",
		    problem, p->problem_offset);
		break;
	default:
		if (p->context != NULL)
			yerr_addpos(d->errs, d->file,
			    (int)p->problem_mark.line + 1,
			    (int)p->problem_mark.column + 1,
			    "syntax error: %s (%s at line %d column %d)",
			    problem, p->context, (int)p->context_mark.line + 1,
			    (int)p->context_mark.column + 1);
		else
			yerr_addpos(d->errs, d->file,
			    (int)p->problem_mark.line + 1,
			    (int)p->problem_mark.column + 1,
			    "syntax error: %s", problem);
		break;
	}
}

struct ydoc *
ydoc_load_string(const char *name, const char *buf, size_t len,
    struct yerrs *errs)
{
	struct yd_build b;
	struct ydoc *d;
	yaml_parser_t parser;
	yaml_event_t ev;
	int done = 0, failed = 0;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->file = strdup(name ? name : "<string>")) == NULL) {
		free(d);
		yerr_addpos(errs, name, 0, 0, "out of memory");
		return NULL;
	}
	d->errs = errs;
	memset(&b, 0, sizeof(b));
	b.doc = d;
	if (!yaml_parser_initialize(&parser)) {
		yerr_addpos(errs, name, 0, 0, "out of memory");
		ydoc_free(d);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && !failed) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yd_syntax_error(d, &parser, buf, len);
			failed = 1;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		failed = yd_event(&b, &ev) == -1;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	while (b.depth > 0)
		ynode_free(b.stack[--b.depth].key);
	if (failed) {
		ydoc_free(d);
		return NULL;
	}
	return d;
}

struct ydoc *
ydoc_load_file(const char *path, struct yerrs *errs)
{
	struct ydoc *d;
	FILE *fp;
	char *buf;
	size_t len;

	if ((fp = fopen(path, "r")) == NULL) {
		yerr_addpos(errs, path, 0, 0, "cannot open: %s",
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(YD_MAX_FILE + 1)) == NULL) {
		fclose(fp);
		yerr_addpos(errs, path, 0, 0, "out of memory");
		return NULL;
	}
	len = fread(buf, 1, YD_MAX_FILE + 1, fp);
	if (ferror(fp)) {
		yerr_addpos(errs, path, 0, 0, "cannot read: %s",
		    strerror(errno));
		d = NULL;
	} else if (len > YD_MAX_FILE) {
		yerr_addpos(errs, path, 0, 0, "larger than %d bytes",
		    YD_MAX_FILE);
		d = NULL;
	} else
		d = ydoc_load_string(path, buf, len, errs);
	free(buf);
	fclose(fp);
	return d;
}

struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	size_t i, klen = strlen(key);

	if (map == NULL || map->kind != YN_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (map->pairs[i].key->len == klen &&
		    memcmp(map->pairs[i].key->str, key, klen) == 0)
			return map->pairs[i].val;
	return NULL;
}

int
ymap_next(const struct ynode *map, size_t *iter, const struct ynode **key,
    const struct ynode **val)
{
	if (map == NULL || map->kind != YN_MAP || *iter >= map->n)
		return 0;
	*key = map->pairs[*iter].key;
	*val = map->pairs[*iter].val;
	(*iter)++;
	return 1;
}

int
ynode_is_null(const struct ynode *n)
{
	if (n == NULL)
		return 1;
	if (n->kind != YN_SCALAR || !n->plain)
		return 0;
	return n->len == 0 || strcmp(n->str, "~") == 0 ||
	    strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	    strcmp(n->str, "NULL") == 0;
}

const char *
ynode_kind_name(const struct ynode *n)
{
	if (ynode_is_null(n))
		return "nothing";
	switch (n->kind) {
	case YN_SEQ:
		return "a list";
	case YN_MAP:
		return "a mapping";
	default:
		return "a single value";
	}
}

/* ---- text parsers ------------------------------------------------------- */

struct yd_unit {
	const char	*name;
	uint64_t	 mult;
};

static const struct yd_unit yd_size_units[] = {
	{ "", 1 }, { "B", 1 },
	{ "KB", 1000ULL }, { "kB", 1000ULL }, { "MB", 1000000ULL },
	{ "GB", 1000000000ULL }, { "TB", 1000000000000ULL },
	{ "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 }, { "GiB", 1ULL << 30 },
	{ "TiB", 1ULL << 40 },
	{ NULL, 0 }
};

static const struct yd_unit yd_duration_units[] = {
	{ "", 1000000ULL }, { "us", 1ULL }, { "ms", 1000ULL },
	{ "s", 1000000ULL }, { "m", 60000000ULL }, { "h", 3600000000ULL },
	{ "d", 86400000000ULL }, { "w", 604800000000ULL },
	{ NULL, 0 }
};

int
yd_parse_ports(const char *s, uint16_t *v, int max, int *n, const char **why)
{
	unsigned long p;
	char *end;

	*n = 0;
	for (;;) {
		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		if (!isdigit((unsigned char)*s)) {
			*why = "not a port number";
			return -1;
		}
		errno = 0;
		p = strtoul(s, &end, 10);
		if (errno != 0 || p == 0 || p > 65535) {
			*why = "port out of range 1-65535";
			return -1;
		}
		if (*end != '\0' && *end != ',' && *end != ' ' && *end != '\t') {
			*why = "not a port number";
			return -1;
		}
		if (*n >= max) {
			*why = "too many ports";
			return -1;
		}
		v[(*n)++] = (uint16_t)p;
		s = end;
	}
}

int
yd_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
	    "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no",
	    "No", "NO", "off", "Off", "OFF", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

int
yd_parse_int(const char *s, int64_t *out)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * "<digits>[.<up to 6 digits>][ ]<unit>" times the unit, in integers so
 * that 1.5GiB is exact.  Six decimals keep frac * mult below 2^64.
 */
static int
yd_parse_units(const char *s, const struct yd_unit *units, uint64_t *out,
    const char **why)
{
	uint64_t ip = 0, fp = 0, scale = 1, v, fv;
	const struct yd_unit *u;

	if (!isdigit((unsigned char)*s)) {
		*why = "expected a number";
		return -1;
	}
	for (; isdigit((unsigned char)*s); s++) {
		if (ip > (UINT64_MAX - 9) / 10) {
			*why = "number too large";
			return -1;
		}
		ip = ip * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s)) {
			*why = "expected digits after the decimal point";
			return -1;
		}
		for (; isdigit((unsigned char)*s); s++) {
			if (scale == 1000000) {
				*why = "more than 6 decimals";
				return -1;
			}
			fp = fp * 10 + (uint64_t)(*s - '0');
			scale *= 10;
		}
	}
	while (*s == ' ')
		s++;
	for (u = units; u->name != NULL; u++)
		if (strcmp(s, u->name) == 0)
			break;
	if (u->name == NULL) {
		*why = "unknown unit";
		return -1;
	}
	if (ip > UINT64_MAX / u->mult) {
		*why = "number too large";
		return -1;
	}
	v = ip * u->mult;
	fv = fp * u->mult;
	if (fv % scale != 0) {
		*why = "not a whole number of the smallest unit";
		return -1;
	}
	if (v > UINT64_MAX - fv / scale) {
		*why = "number too large";
		return -1;
	}
	*out = v + fv / scale;
	return 0;
}

int
yd_parse_size(const char *s, uint64_t *out, const char **why)
{
	return yd_parse_units(s, yd_size_units, out, why);
}

int
yd_parse_duration(const char *s, xtime_t *out, const char **why)
{
	uint64_t v;

	if (yd_parse_units(s, yd_duration_units, &v, why) == -1)
		return -1;
	if (v > INT64_MAX) {
		*why = "number too large";
		return -1;
	}
	*out = (xtime_t)v;
	return 0;
}

const char *
yd_format_size(uint64_t v, char *buf, size_t len)
{
	static const struct yd_unit pref[] = {
		{ "TiB", 1ULL << 40 }, { "TB", 1000000000000ULL },
		{ "GiB", 1ULL << 30 }, { "GB", 1000000000ULL },
		{ "MiB", 1ULL << 20 }, { "MB", 1000000ULL },
		{ "KiB", 1ULL << 10 }, { "KB", 1000ULL },
		{ "B", 1 }, { NULL, 0 }
	};
	const struct yd_unit *u;

	for (u = pref; v != 0 && v % u->mult != 0; u++)
		;
	if (v == 0)
		snprintf(buf, len, "0B");
	else
		snprintf(buf, len, "%" PRIu64 "%s", v / u->mult, u->name);
	return buf;
}

const char *
yd_format_duration(xtime_t t, char *buf, size_t len)
{
	/* Weeks are left out: "7d" reads better than "1w". */
	static const struct yd_unit pref[] = {
		{ "d", 86400000000ULL }, { "h", 3600000000ULL },
		{ "m", 60000000ULL }, { "s", 1000000ULL }, { "ms", 1000ULL },
		{ "us", 1 }, { NULL, 0 }
	};
	const struct yd_unit *u;
	uint64_t v = t < 0 ? -(uint64_t)t : (uint64_t)t;

	for (u = pref; v != 0 && v % u->mult != 0; u++)
		;
	if (v == 0)
		snprintf(buf, len, "0s");
	else
		snprintf(buf, len, "%s%" PRIu64 "%s", t < 0 ? "-" : "",
		    v / u->mult, u->name);
	return buf;
}

/* ---- node readers ------------------------------------------------------- */

static void
yd_fail(struct ydoc *d, const struct ynode *n, const char *what,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
yd_fail(struct ydoc *d, const struct ynode *n, const char *what,
    const char *fmt, ...)
{
	char msg[YD_MSGMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ydoc_err(d, n, "%s%s%s", what ? what : "", what ? ": " : "", msg);
}

/* A present, non-null scalar, or an error naming what was expected. */
static int
yd_scalar(struct ydoc *d, const struct ynode *n, const char *what,
    const char *expected)
{
	if (n != NULL && n->kind == YN_SCALAR && !ynode_is_null(n)) {
		if (memchr(n->str, '\0', n->len) != NULL) {
			yd_fail(d, n, what, "value contains a NUL byte");
			return -1;
		}
		return 0;
	}
	yd_fail(d, n, what, "expected %s, got %s", expected,
	    ynode_kind_name(n));
	return -1;
}

int
yd_bool(struct ydoc *d, const struct ynode *n, const char *what, int *out)
{
	char show[YD_SHOWLEN];

	if (yd_scalar(d, n, what, "true or false") == -1)
		return -1;
	if (yd_parse_bool(n->str, out) == -1) {
		yd_fail(d, n, what, "expected true or false, got '%s'",
		    ynode_show(n, show, sizeof(show)));
		return -1;
	}
	return 0;
}

int
yd_int(struct ydoc *d, const struct ynode *n, const char *what, int64_t min,
    int64_t max, int64_t *out)
{
	char show[YD_SHOWLEN];
	int64_t v;

	if (yd_scalar(d, n, what, "an integer") == -1)
		return -1;
	if (yd_parse_int(n->str, &v) == -1) {
		yd_fail(d, n, what, "expected an integer, got '%s'",
		    ynode_show(n, show, sizeof(show)));
		return -1;
	}
	if (v < min || v > max) {
		yd_fail(d, n, what, "%" PRId64 " is out of range %" PRId64
		    "..%" PRId64, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
yd_size(struct ydoc *d, const struct ynode *n, const char *what,
    uint64_t min, uint64_t max, uint64_t *out)
{
	char show[YD_SHOWLEN], lo[32], hi[32];
	const char *why;
	uint64_t v;

	if (yd_scalar(d, n, what, "a size") == -1)
		return -1;
	if (yd_parse_size(n->str, &v, &why) == -1) {
		yd_fail(d, n, what, "bad size '%s': %s (units: B, KB, MB, GB, "
		    "TB, KiB, MiB, GiB, TiB)", ynode_show(n, show, sizeof(show)),
		    why);
		return -1;
	}
	if (v < min || v > max) {
		yd_fail(d, n, what, "%s is out of range %s..%s",
		    ynode_show(n, show, sizeof(show)),
		    yd_format_size(min, lo, sizeof(lo)),
		    yd_format_size(max, hi, sizeof(hi)));
		return -1;
	}
	*out = v;
	return 0;
}

int
yd_duration(struct ydoc *d, const struct ynode *n, const char *what,
    xtime_t min, xtime_t max, xtime_t *out)
{
	char show[YD_SHOWLEN], lo[32], hi[32];
	const char *why;
	xtime_t v;

	if (yd_scalar(d, n, what, "a duration") == -1)
		return -1;
	if (yd_parse_duration(n->str, &v, &why) == -1) {
		yd_fail(d, n, what, "bad duration '%s': %s (units: us, ms, s, "
		    "m, h, d, w)", ynode_show(n, show, sizeof(show)), why);
		return -1;
	}
	if (v < min || v > max) {
		yd_fail(d, n, what, "%s is out of range %s..%s",
		    ynode_show(n, show, sizeof(show)),
		    yd_format_duration(min, lo, sizeof(lo)),
		    yd_format_duration(max, hi, sizeof(hi)));
		return -1;
	}
	*out = v;
	return 0;
}

int
yd_string(struct ydoc *d, const struct ynode *n, const char *what,
    size_t maxlen, char **out)
{
	const char *s = "";

	if (n != NULL && !ynode_is_null(n)) {
		if (n->kind != YN_SCALAR) {
			yd_fail(d, n, what, "expected a string, got %s",
			    ynode_kind_name(n));
			return -1;
		}
		if (memchr(n->str, '\0', n->len) != NULL) {
			yd_fail(d, n, what, "value contains a NUL byte");
			return -1;
		}
		if (n->len > maxlen) {
			yd_fail(d, n, what, "longer than %zu bytes", maxlen);
			return -1;
		}
		s = n->str;
	}
	if ((*out = strdup(s)) == NULL) {
		yd_fail(d, n, what, "out of memory");
		return -1;
	}
	return 0;
}

int
yd_cidr(struct ydoc *d, const struct ynode *n, const char *what, addr_t *a,
    int *plen)
{
	char why[160];

	if (yd_scalar(d, n, what, "an address or prefix") == -1)
		return -1;
	if (netset_parse(n->str, a, plen, why, sizeof(why)) == -1) {
		yd_fail(d, n, what, "%s", why);
		return -1;
	}
	return 0;
}

ssize_t
yd_seq(struct ydoc *d, const struct ynode *n, const char *what)
{
	if (ynode_is_null(n))
		return 0;
	if (n->kind != YN_SEQ) {
		yd_fail(d, n, what, "expected a list, got %s",
		    ynode_kind_name(n));
		return -1;
	}
	return (ssize_t)n->n;
}
