/* testutil.h: what every cmocka test program includes. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* Real captures live beside the project; tests skip when they are absent. */
static inline const char *
pcaps_dir(void)
{
	const char *d = getenv("EXFILD_PCAPS");
	return d != NULL ? d : "../shared/pcaps";
}

static inline int
pcaps_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", pcaps_dir(), rel);
	return access(buf, R_OK) == 0;
}

#define SKIP_UNLESS_PCAP(buf, rel) do {					\
	if (!pcaps_path((buf), sizeof(buf), (rel))) {			\
		fprintf(stderr, "skip: %s not present\n", (rel));	\
		skip();							\
	}								\
} while (0)

#endif
