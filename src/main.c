/*
 * main.c: command line, start-up order, threads, signals.
 *
 * Start-up follows the OpenBSD pattern: parse and validate everything while
 * errors still go to stderr, open the privileged resources (the capture),
 * drop privileges, then run.  The capture thread feeds the ring; this
 * thread is the analysis thread.  Signals only set flags; the analysis loop
 * acts on them between messages.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "capture.h"
#include "config.h"
#include "log.h"
#include "priv.h"
#include "ring.h"

static volatile sig_atomic_t sig_stop, sig_hup, sig_usr1;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		sig_stop = 1;
		break;
	case SIGHUP:
		sig_hup = 1;
		break;
	case SIGUSR1:
		sig_usr1 = 1;
		break;
	}
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: exfild [-fTVhv] [-c config] [-i interface | -r file]\n"
	    "  -c FILE   configuration file (default: built-in defaults)\n"
	    "  -i IFACE  capture live on IFACE (overrides capture.interface)\n"
	    "  -r FILE   replay a pcap or pcapng file, then exit\n"
	    "  -T        check the configuration and rules, then exit 0 or 1\n"
	    "  -f        stay in the foreground, log to stderr\n"
	    "  -v        more verbose (with -T: print the effective configuration)\n"
	    "  -V        print the version\n"
	    "  -h        this help\n");
}

static double
thread_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double capture_cpu;	/* written by the capture thread before it ends */

static void *
capture_thread(void *arg)
{
	capture_run(arg);
	capture_cpu = thread_cpu();
	return NULL;
}

static void
print_alert(void *arg, const char *line)
{
	(void)arg;
	fprintf(stdout, "%s\n", line);
}

static int
setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1 ||
	    sigaction(SIGUSR1, &sa, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* One log line even when the errors are many: "; " between them. */
static void
oneline(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n')
			*s = s[1] != '\0' ? ';' : '\0';
}

static void
reload(struct analysis *an, const char *path, struct config **confp)
{
	char err[8192];
	struct config *nc;

	if (path == NULL) {
		log_warnx("reload: running on built-in defaults, nothing to reload");
		return;
	}
	if ((nc = config_load(path, err, sizeof(err))) == NULL) {
		oneline(err);
		log_warnx("reload refused, keeping the running configuration: %s",
		    err);
		return;
	}
	if (analysis_reload(an, nc, err, sizeof(err)) == -1) {
		oneline(err);
		log_warnx("reload refused, keeping the running configuration: %s",
		    err);
		config_free(nc);
		return;
	}
	config_free(*confp);
	*confp = nc;
	log_info("reloaded %s", path);
}

int
main(int argc, char *argv[])
{
	const char *conffile = NULL, *iface = NULL, *rfile = NULL;
	int ch, checkonly = 0, foreground = 0, verbose = 0;
	struct config *conf;
	struct capture *cap;
	struct analysis *an;
	struct ring ring;
	struct pipe_ctl ctl;
	struct analysis_counters ac;
	struct capture_counters cc;
	const struct ring_msg *m;
	pthread_t tid;
	char err[8192];
	xtime_t last_stats = 0, last_house = 0;
	unsigned idle = 0;
	int n;
	int rc = 0;

	while ((ch = getopt(argc, argv, "c:fhi:r:TvV")) != -1) {
		switch (ch) {
		case 'c': conffile = optarg; break;
		case 'f': foreground = 1; break;
		case 'h': usage(stdout); return 0;
		case 'i': iface = optarg; break;
		case 'r': rfile = optarg; break;
		case 'T': checkonly = 1; break;
		case 'v': verbose++; break;
		case 'V': printf("exfild %s\n", EXFILD_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (iface != NULL && rfile != NULL) {
		fprintf(stderr, "exfild: -i and -r are exclusive\n");
		return 1;
	}
	log_init(1, LOG_DAEMON, "exfild");
	log_setverbose(verbose);

	conf = conffile != NULL ? config_load(conffile, err, sizeof(err)) :
	    config_default();
	if (conf == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (checkonly) {
		an = analysis_new(conf, NULL, err, sizeof(err));
		if (an == NULL) {
			fprintf(stderr, "exfild: %s\n", err);
			config_free(conf);
			return 1;
		}
		if (verbose)
			config_dump(stdout, conf);
		analysis_free(an);
		config_free(conf);
		fprintf(stderr, "exfild: configuration OK\n");
		return 0;
	}

	if ((cap = calloc(1, sizeof(*cap))) == NULL)
		fatal("calloc");
	if (rfile != NULL)
		rc = capture_open_offline(cap, rfile, conf->capture.bpf, err,
		    sizeof(err));
	else
		rc = capture_open_live(cap, iface != NULL ? iface :
		    conf->capture.interface, conf->capture.bpf,
		    conf->capture.snaplen, conf->capture.buffer_size,
		    conf->capture.promiscuous, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, "exfild: %s\n", err);
		capture_close(cap);
		free(cap);
		config_free(conf);
		return 1;
	}
	if (!decode_dlt_supported(cap->dlt))
		log_warnx("link type %d (%s) is not supported: every frame "
		    "will be counted as decode.linktype",
		    cap->dlt, pcap_datalink_val_to_name(cap->dlt) ?
		    pcap_datalink_val_to_name(cap->dlt) : "?");

	if (ring_init(&ring, conf->capture.ring_size) == -1)
		fatal("ring");
	ctl.n = (uint32_t)conf->flows.max_flows;
	if ((ctl.w = calloc(ctl.n, sizeof(*ctl.w))) == NULL)
		fatal("calloc");
	if (capture_setup(cap, (uint32_t)conf->flows.max_flows,
	    conf->flows.idle_timeout, conf->flows.tcp_close_timeout,
	    conf->flows.update_interval, conf->dpi.enabled,
	    (uint32_t)conf->dpi.packet_limit, &ring, &ctl, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if ((an = analysis_new(conf, &ctl, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (rfile != NULL)
		analysis_set_alert_cb(an, print_alert, NULL);

	if (rfile == NULL) {
		if (priv_drop(conf, err, sizeof(err)) == -1)
			fatalx("%s", err);
		if (!foreground) {
			if (daemon(0, 0) == -1)
				fatal("daemon");
			log_init(0, LOG_DAEMON, "exfild");
		}
	}
	if (setup_signals() == -1)
		fatal("sigaction");
	priv_notify_ready();

	if ((errno = pthread_create(&tid, NULL, capture_thread, cap)) != 0)
		fatal("pthread_create");

	for (;;) {
		if (sig_stop) {
			sig_stop = 0;
			priv_notify_stopping();
			capture_stop(cap);
		}
		if (sig_hup) {
			sig_hup = 0;
			reload(an, conffile, &conf);
		}
		if (sig_usr1) {
			sig_usr1 = 0;
			analysis_stats(an, cap, 1);
		}
		for (n = 0; n < 4096 && (m = ring_peek(&ring)) != NULL; n++) {
			analysis_message(an, m);
			ring_release(&ring);
		}
		/* Housekeeping on the clock, busy or idle. */
		if (rfile == NULL && xtime_clock(CLOCK_MONOTONIC) - last_house >= XT_SEC) {
			last_house = xtime_clock(CLOCK_MONOTONIC);
			priv_notify_watchdog();
			capture_snapshot(cap, &cc);
			if (conf->stats.interval > 0 &&
			    cc.now - last_stats >= conf->stats.interval) {
				if (last_stats != 0)
					analysis_stats(an, cap, 1);
				last_stats = cc.now;
			}
		}
		if (n > 0) {
			idle = 0;
			continue;
		}
		if (atomic_load_explicit(&cap->done, memory_order_acquire) &&
		    ring_peek(&ring) == NULL)
			break;
		/*
		 * Nothing to do: yield a little, then sleep briefly (a replay
		 * has the other thread about to produce), and on a quiet live
		 * link back off to 2 ms.
		 */
		if (++idle < 16)
			sched_yield();
		else {
			struct timespec ts = { 0, rfile != NULL || idle < 1024 ?
			    20000 : 2000000 };

			nanosleep(&ts, NULL);
		}
	}
	pthread_join(tid, NULL);
	analysis_shutdown(an);
	capture_snapshot(cap, &cc);
	analysis_counters(an, &ac);
	if (rfile != NULL || foreground)
		analysis_stats(an, cap, log_getverbose() > 0);
	if (log_getverbose() > 0)
		log_info("cpu capture=%.2fs analysis=%.2fs", capture_cpu,
		    thread_cpu());
	rc = atomic_load(&cap->done) == 2 ? 1 : 0;
	fflush(stdout);
	fprintf(stderr, "summary packets=%llu bytes=%llu flows=%llu alerts=%llu "
	    "drops=%llu\n", (unsigned long long)cc.packets,
	    (unsigned long long)cc.bytes, (unsigned long long)cc.flows,
	    (unsigned long long)ac.alerts,
	    (unsigned long long)(cc.kernel_drops + cc.ring_drops_pkt +
	    cc.ring_drops_rec));
	analysis_free(an);
	capture_close(cap);
	free(cap);
	ring_free(&ring);
	free(ctl.w);
	config_free(conf);
	return rc;
}
