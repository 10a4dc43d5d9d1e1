/*
 * addr.c: text form of the 16-byte address used everywhere.
 * IPv4-mapped addresses print as dotted quads because that is what an
 * analyst searches for in other tools.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "exfild.h"

const char *
addr_ntop(const addr_t *x, char *buf, size_t len)
{
	if (addr_is_v4(x)) {
		if (inet_ntop(AF_INET, x->a + 12, buf, len) == NULL)
			snprintf(buf, len, "?");
	} else if (inet_ntop(AF_INET6, x->a, buf, len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

int
addr_pton(const char *s, addr_t *x)
{
	uint8_t v4[4];

	if (inet_pton(AF_INET, s, v4) == 1) {
		addr_from_v4(x, v4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, x->a) == 1)
		return 0;
	return -1;
}
