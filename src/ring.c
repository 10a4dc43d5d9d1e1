/*
 * ring.c: SPSC byte ring.  The producer's reserved-but-uncommitted message
 * is remembered in r->pend_head so that reserve/commit pairs stay cheap; the
 * cached opposite index means the shared cache line is touched only when
 * the ring looks full (producer) or empty (consumer).
 */
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)

int
ring_init(struct ring *r, size_t size)
{
	size_t sz = 4096;

	while (sz < size)
		sz <<= 1;
	memset(r, 0, sizeof(*r));
	if ((r->buf = aligned_alloc(64, sz)) == NULL)
		return -1;
	/*
	 * Touch every page now, while only one thread runs: a first touch
	 * later, with both threads up, costs a page fault plus a TLB
	 * shootdown on the other core for every 4 KB of the first lap.
	 */
	memset(r->buf, 0, sz);
	r->size = sz;
	r->mask = sz - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void
ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static int
ring_room(struct ring *r, size_t head, size_t need)
{
	if (head + need - r->cached_tail <= r->size)
		return 1;
	r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	return head + need - r->cached_tail <= r->size;
}

void *
ring_reserve(struct ring *r, uint16_t type, uint32_t len)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t need = ALIGN8(sizeof(struct ring_msg) + len);
	size_t off = head & r->mask;
	struct ring_msg *m;

	if (need > r->size / 2)
		return NULL;
	if (off + need > r->size) {
		/* Pad to the end so that no message wraps. */
		size_t pad = r->size - off;

		if (!ring_room(r, head, pad + need))
			return NULL;
		m = (struct ring_msg *)(r->buf + off);
		m->len = (uint32_t)(pad - sizeof(*m));
		m->type = 0;
		head += pad;
		atomic_store_explicit(&r->head, head, memory_order_release);
		off = 0;
	} else if (!ring_room(r, head, need))
		return NULL;
	m = (struct ring_msg *)(r->buf + off);
	m->len = len;
	m->type = type;
	m->aux = 0;
	r->pend_head = head + need;
	return m + 1;
}

void
ring_commit(struct ring *r)
{
	atomic_store_explicit(&r->head, r->pend_head, memory_order_release);
}

struct ring_msg *
ring_peek(struct ring *r)
{
	size_t tail, off;
	struct ring_msg *m;

	for (;;) {
		tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		if (tail == r->cached_head) {
			r->cached_head = atomic_load_explicit(&r->head,
			    memory_order_acquire);
			if (tail == r->cached_head)
				return NULL;
		}
		off = tail & r->mask;
		m = (struct ring_msg *)(r->buf + off);
		r->pend = ALIGN8(sizeof(*m) + m->len);
		if (m->type != 0)
			return m;
		atomic_store_explicit(&r->tail, tail + r->pend,
		    memory_order_release);
	}
}

void
ring_release(struct ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + r->pend, memory_order_release);
}

size_t
ring_used(struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_relaxed) -
	    atomic_load_explicit(&r->tail, memory_order_relaxed);
}
