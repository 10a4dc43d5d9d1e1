/*
 * priv.c: drop to an unprivileged user and clear capabilities (priv.h).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "config.h"
#include "priv.h"

/* The state file and the alert log must stay writable after the drop. */
static void
priv_prepare_dir(const char *path, uid_t uid, gid_t gid)
{
	char *copy, *dir;

	if (path == NULL || path[0] == '\0')
		return;
	if ((copy = strdup(path)) == NULL)
		return;
	dir = dirname(copy);
	(void)mkdir(dir, 0750);
	(void)chown(dir, uid, gid);
	if (access(path, F_OK) == 0)
		(void)chown(path, uid, gid);
	free(copy);
}

int
priv_drop(const struct config *conf, char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || conf->user == NULL || conf->user[0] == '\0') {
		/*
		 * Keep the identity but give up capabilities: under the
		 * systemd unit exfild starts as its own user with CAP_NET_RAW,
		 * which is no longer needed once the capture is open.
		 */
		/* Only root may also empty the bounding set. */
		capng_select_t what = geteuid() == 0 ? CAPNG_SELECT_BOTH :
		    CAPNG_SELECT_CAPS;

		capng_clear(what);
		if (capng_apply(what) != 0) {
			snprintf(err, errlen, "cannot clear capabilities");
			return -1;
		}
		return 0;
	}
	if ((pw = getpwnam(conf->user)) == NULL) {
		snprintf(err, errlen, "user \"%s\" does not exist (create it or "
		    "set user: \"\" to keep running as root)", conf->user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (conf->group != NULL && conf->group[0] != '\0') {
		if ((gr = getgrnam(conf->group)) == NULL) {
			snprintf(err, errlen, "group \"%s\" does not exist",
			    conf->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	priv_prepare_dir(conf->state.path, uid, gid);
	priv_prepare_dir(conf->alerts.json_file, uid, gid);
	priv_prepare_dir(conf->flows.log, uid, gid);
	/*
	 * capng_change_id switches groups and ids and empties the bounding
	 * set while we are still root (clearing it needs CAP_SETPCAP), so
	 * nothing can be regained later, not even through an exec.
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_change_id((int)uid, (int)gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", conf->user,
		    strerror(errno));
		return -1;
	}
	if (setresuid(0, 0, 0) != -1 || geteuid() == 0) {
		snprintf(err, errlen, "privilege drop did not stick");
		return -1;
	}
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		snprintf(err, errlen, "capabilities remain after the drop");
		return -1;
	}
	return 0;
}

void
priv_notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void
priv_notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

void
priv_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
