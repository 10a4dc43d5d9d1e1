/* test_ring: the SPSC ring keeps order, never loses or tears a message,
 * and reports full and empty correctly, single-threaded and across threads. */
#include "testutil.h"

#include <pthread.h>

#include "ring.h"

static void
test_fill_drain(void **state)
{
	struct ring r;
	uint32_t *p, i, n = 0, got = 0;
	struct ring_msg *m;

	(void)state;
	assert_int_equal(ring_init(&r, 4096), 0);
	while ((p = ring_reserve(&r, 1, 100)) != NULL) {
		*p = n++;
		ring_commit(&r);
	}
	assert_true(n > 10 && n < 4096 / 100 + 1);
	for (i = 0; i < n; i++) {
		assert_non_null(m = ring_peek(&r));
		assert_int_equal(*(uint32_t *)(m + 1), i);
		ring_release(&r);
		got++;
	}
	assert_null(ring_peek(&r));
	assert_int_equal(got, n);
	/* Wrap many times with odd sizes. */
	for (i = 0; i < 100000; i++) {
		uint32_t len = 4 + (i * 37) % 700;

		assert_non_null(p = ring_reserve(&r, 2, len));
		*p = i;
		ring_commit(&r);
		assert_non_null(m = ring_peek(&r));
		assert_int_equal(m->len, len);
		assert_int_equal(*(uint32_t *)(m + 1), i);
		ring_release(&r);
	}
	ring_free(&r);
}

#define NMSG 2000000

static void *
producer(void *arg)
{
	struct ring *r = arg;
	uint32_t i, *p;

	for (i = 0; i < NMSG; i++) {
		uint32_t len = 8 + (i % 97) * 4;

		while ((p = ring_reserve(r, 1, len)) == NULL)
			;
		p[0] = i;
		p[(len / 4) - 1] = i ^ 0x5a5a5a5a;
		ring_commit(r);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct ring r;
	pthread_t t;
	struct ring_msg *m;
	uint32_t want = 0, *p;

	(void)state;
	assert_int_equal(ring_init(&r, 65536), 0);
	pthread_create(&t, NULL, producer, &r);
	while (want < NMSG) {
		if ((m = ring_peek(&r)) == NULL)
			continue;
		p = (uint32_t *)(m + 1);
		assert_int_equal(p[0], want);
		assert_int_equal(m->len, 8 + (want % 97) * 4);
		assert_int_equal(p[(m->len / 4) - 1], want ^ 0x5a5a5a5a);
		ring_release(&r);
		want++;
	}
	pthread_join(t, NULL);
	assert_null(ring_peek(&r));
	ring_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_drain),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
