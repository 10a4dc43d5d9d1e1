/*
 * log.c: stderr or syslog.  The destination is process-wide by nature
 * (syslog(3) itself is), which is why this is the one module with file
 * scope state besides the loaded configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_stderr = 1;
static int	log_journal;	/* stderr is the journal: "<N>" priorities */
static int	verbose;

void
log_init(int to_stderr, int facility, const char *ident)
{
	log_stderr = to_stderr;
	/* systemd sets JOURNAL_STREAM when stderr goes to the journal. */
	log_journal = to_stderr && getenv("JOURNAL_STREAM") != NULL;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_setverbose(int v)
{
	verbose = v;
}

int
log_getverbose(void)
{
	return verbose;
}

static void
vlog(int pri, const char *fmt, va_list ap, int with_errno)
{
	char buf[2048];
	int saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (with_errno) {
		size_t n = strlen(buf);

		snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(saved));
	}
	if (log_journal) {
		fprintf(stderr, "<%d>%s\n", pri, buf);
		fflush(stderr);
	} else if (log_stderr) {
		fprintf(stderr, "exfild: %s\n", buf);
		fflush(stderr);
	} else
		syslog(pri, "%s", buf);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbose < 2)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
