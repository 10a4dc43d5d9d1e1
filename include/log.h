/*
 * log.h: two-phase logging, as OpenBSD daemons do it.
 *
 * Owns: whether messages go to stderr (before the daemon is up, in the
 * foreground, or in offline replay) or to syslog(3).  Operational messages
 * only: alerts have their own outputs (alert.c), so that an operator can
 * route them separately.  Never called per packet.
 *
 * API
 *   log_init(to_stderr, facility, ident), log_setverbose(n)
 *   log_warn (appends strerror(errno)), log_warnx, log_info, log_debug
 *   fatal / fatalx: log and exit(1).
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

void	log_init(int to_stderr, int facility, const char *ident);
void	log_setverbose(int);
int	log_getverbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
