/*
 * ring.h: the single-producer single-consumer byte ring that carries
 * messages from the capture thread to the analysis thread.
 *
 * Owns: its buffer.  Calls: nothing.  Messages are variable length and
 * 8-byte aligned; a message never wraps (the producer pads to the end
 * instead), so the consumer always sees it in one piece and can use it in
 * place without copying.  Head and tail are C11 atomics on separate cache
 * lines; the producer publishes with release, the consumer reads with
 * acquire, which is all the ordering an SPSC ring needs.
 *
 * API
 *   ring_init / ring_free:  allocate / release the buffer (power of two).
 *   ring_reserve:  producer gets space for a message, or NULL when full.
 *   ring_commit:   producer publishes what it reserved.
 *   ring_peek:     consumer gets the next message, or NULL when empty.
 *   ring_release:  consumer frees the message it peeked.
 */
#ifndef RING_H
#define RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t		*buf;
	size_t		 size;		/* power of two */
	size_t		 mask;
	_Alignas(64) _Atomic size_t head;	/* written by the producer */
	size_t		 cached_tail;		/* producer's view */
	size_t		 pend_head;		/* producer: head after the reserved message */
	_Alignas(64) _Atomic size_t tail;	/* written by the consumer */
	size_t		 cached_head;		/* consumer's view */
	size_t		 pend;			/* consumer: bytes of the peeked message */
};

struct ring_msg {
	uint32_t	 len;		/* bytes after this header */
	uint16_t	 type;		/* MSG_* (see pipeline.h); 0 = padding */
	uint16_t	 aux;
};

int		 ring_init(struct ring *, size_t size);
void		 ring_free(struct ring *);
void		*ring_reserve(struct ring *, uint16_t type, uint32_t len);
void		 ring_commit(struct ring *);
struct ring_msg	*ring_peek(struct ring *);
void		 ring_release(struct ring *);
size_t		 ring_used(struct ring *);

#endif
