/*
 * priv.h: privilege drop and the service manager.
 *
 * Owns: the process identity after start-up and the systemd notification
 * socket.  Calls: libcap-ng and libsystemd.  exfild opens the capture as
 * root (or with CAP_NET_RAW), then becomes the configured unprivileged user
 * and clears every capability: a parser bug in a packet path must not be a
 * root shell.  Under systemd, readiness and the watchdog go through
 * sd_notify; outside systemd those calls are no-ops.
 *
 * API
 *   priv_drop:  setgroups/setresgid/setresuid to conf->user/group, clear caps,
 *               chown the state and log paths' directories first.
 *   priv_notify_ready / priv_notify_watchdog / priv_notify_status
 */
#ifndef PRIV_H
#define PRIV_H

#include <stddef.h>

struct config;

int	 priv_drop(const struct config *, char *err, size_t errlen);
void	 priv_notify_ready(void);
void	 priv_notify_watchdog(void);
void	 priv_notify_stopping(void);

#endif
