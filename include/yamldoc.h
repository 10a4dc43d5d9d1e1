/*
 * yamldoc.h: a YAML file as a small tree of positioned nodes, plus typed
 * readers that report "file:line:column: message" into an error collector.
 *
 * Owns: the node tree of one document and the error collector it fills.
 * Calls: libyaml (event API), netset_parse for prefixes, libc.  Never logs.
 *
 * Why a tree of our own rather than libyaml's document API: we need every
 * node's 1-based line and column for error messages (libyaml marks are
 * 0-based; we add 1 once, here), and we must refuse what a configuration
 * file never needs but an attacker can abuse.  So the loader
 *   - refuses aliases (a "billion laughs" file cannot expand),
 *   - bounds nesting depth (YD_MAX_DEPTH), node count (YD_MAX_NODES) and
 *     file size (YD_MAX_FILE),
 *   - refuses duplicate keys in a mapping and non-scalar keys,
 *   - accepts exactly one document.
 * Errors are collected, never just the first, so that one run of `exfild
 * -T` shows everything that is wrong.  A load that found only semantic
 * errors (duplicate keys) still returns the tree so more can be reported;
 * the caller decides by errs->count.
 *
 * Value syntax shared by every file exfild reads:
 *   bool      true/false, yes/no, on/off (also Capitalised or UPPER).
 *   size      number with optional decimals and unit: B, KB MB GB TB
 *             (powers of 1000), KiB MiB GiB TiB (powers of 1024); a bare
 *             number is bytes.  "1.5GiB" = 1610612736.  Must come out as
 *             whole bytes.
 *   duration  number with optional decimals and unit: us ms s m h d w; a
 *             bare number is seconds.  "250ms", "1.5h".  Stored as xtime_t
 *             microseconds, must come out whole.
 *   null      an empty plain value, "~" or "null": an empty string or list.
 *
 * API
 *   yerr_add / yerr_addpos / yerr_free:  collect "file:line:col: msg".
 *   yerr_sort:       order collected lines by position.
 *   ydoc_load_file / ydoc_load_string / ydoc_free:  build / drop a tree.
 *   ydoc_err:        yerr_add with the document's file and collector.
 *   ymap_get / ymap_next:  look up / iterate the pairs of a mapping.
 *   ynode_is_null, ynode_kind_name, ynode_show:  node tests and text
 *                    used in messages.
 *   yd_bool, yd_int, yd_size, yd_duration, yd_string, yd_cidr:  read one
 *                    scalar; on failure add an error and return -1.
 *   yd_seq:          check a node is a list (null counts as empty).
 *   yd_parse_size / yd_parse_duration:  the text parsers behind the above.
 *   yd_parse_ports:  a port list, "80, 8080 8000" (rule parameters).
 *   yd_format_size / yd_format_duration:  the inverse, largest exact unit.
 */
#ifndef YAMLDOC_H
#define YAMLDOC_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "exfild.h"

#define YD_MAX_DEPTH	64		/* nested lists/mappings */
#define YD_MAX_NODES	262144		/* nodes per document */
#define YD_MAX_FILE	(4 << 20)	/* bytes read from a file */
#define YD_ERRS_MAX	65536		/* error text kept; the count goes on */
#define YD_SHOWLEN	48		/* buffer for ynode_show */

struct yerrs {
	char	*buf;		/* error lines joined by '\n', NUL-terminated */
	size_t	 len, cap;
	int	 count;		/* all errors, also those beyond YD_ERRS_MAX */
	int	 full;		/* text stopped at YD_ERRS_MAX */
};

enum ynode_kind {
	YN_SCALAR,
	YN_SEQ,
	YN_MAP
};

struct ypair {
	struct ynode	*key;		/* always a scalar */
	struct ynode	*val;
};

struct ynode {
	enum ynode_kind	 kind;
	int		 line, col;	/* 1-based */
	int		 plain;		/* unquoted scalar: null/bool apply */
	char		*str;		/* YN_SCALAR, NUL-terminated */
	size_t		 len;		/* bytes in str (may hold a NUL) */
	size_t		 n;		/* items or pairs */
	struct ynode	**items;	/* YN_SEQ */
	struct ypair	*pairs;		/* YN_MAP, in file order */
};

struct ydoc {
	char		*file;		/* name used in messages */
	struct ynode	*root;		/* NULL for an empty document */
	struct yerrs	*errs;		/* caller's; must outlive the doc */
	size_t		 nnodes;
};

void	 yerr_add(struct yerrs *, const char *file, const struct ynode *,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* line 0 gives "file: msg"; col 0 gives "file:line: msg". */
void	 yerr_addpos(struct yerrs *, const char *file, int line, int col,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Orders the lines of FILE by line and column, file-level ones first. */
void	 yerr_sort(struct yerrs *, const char *file);
const char *yerr_str(const struct yerrs *);
void	 yerr_free(struct yerrs *);

/* NULL after a syntax error, a refused construct, or an unreadable file. */
struct ydoc *ydoc_load_file(const char *path, struct yerrs *);
struct ydoc *ydoc_load_string(const char *name, const char *buf, size_t len,
	    struct yerrs *);
void	 ydoc_free(struct ydoc *);
void	 ydoc_err(struct ydoc *, const struct ynode *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

struct ynode *ymap_get(const struct ynode *map, const char *key);
/* for (i = 0; ymap_next(map, &i, &k, &v);) ... */
int	 ymap_next(const struct ynode *map, size_t *iter,
	    const struct ynode **key, const struct ynode **val);
int	 ynode_is_null(const struct ynode *);
const char *ynode_kind_name(const struct ynode *);
/* A scalar for a message: first 40 bytes, unprintables as '?'. */
const char *ynode_show(const struct ynode *, char *, size_t);

/*
 * Readers.  WHAT names the value in the message ("capture.snaplen: ...");
 * it may be NULL.  Each returns 0, or -1 after adding one error.
 */
int	 yd_bool(struct ydoc *, const struct ynode *, const char *what,
	    int *);
int	 yd_int(struct ydoc *, const struct ynode *, const char *what,
	    int64_t min, int64_t max, int64_t *);
int	 yd_size(struct ydoc *, const struct ynode *, const char *what,
	    uint64_t min, uint64_t max, uint64_t *);
int	 yd_duration(struct ydoc *, const struct ynode *, const char *what,
	    xtime_t min, xtime_t max, xtime_t *);
/* *out is malloc'd; null gives "".  Longer than maxlen bytes is an error. */
int	 yd_string(struct ydoc *, const struct ynode *, const char *what,
	    size_t maxlen, char **out);
/* plen is family-relative, as for netset_add. */
int	 yd_cidr(struct ydoc *, const struct ynode *, const char *what,
	    addr_t *, int *plen);
/* Number of items (0 for null), or -1 if the node is not a list. */
ssize_t	 yd_seq(struct ydoc *, const struct ynode *, const char *what);

/* Text parsers: 0 or -1 with a static reason in *why. */
int	 yd_parse_bool(const char *, int *);
int	 yd_parse_int(const char *, int64_t *);
int	 yd_parse_size(const char *, uint64_t *, const char **why);
int	 yd_parse_duration(const char *, xtime_t *, const char **why);
/* Up to max ports 1-65535 separated by commas or blanks; *n of them. */
int	 yd_parse_ports(const char *, uint16_t *v, int max, int *n,
	    const char **why);
const char *yd_format_size(uint64_t, char *, size_t);
const char *yd_format_duration(xtime_t, char *, size_t);

#endif
