/*
 * fuzz_config.c: libFuzzer target for the files an operator (or whoever
 * can write to /etc/exfild) hands the daemon: yamldoc.c, config.c and
 * rules.c.
 *
 * An input is a YAML document.  It is loaded as a bare tree
 * (ydoc_load_string), as the configuration (config_load_string, and
 * config_dump when it loads, since -T -v prints whatever was accepted),
 * and as a rule file: rules_load reads a directory, so the input is
 * written to rules.yaml in a private temporary directory first.  Both
 * loaders must either return a value or report at least one error,
 * never neither.  LeakSanitizer checks that every error path frees what
 * the half-built configuration or ruleset held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "detectors.h"
#include "fuzz.h"
#include "rules.h"
#include "yamldoc.h"

static char dir[4096];
static char path[4096 + 16];
static FILE *devnull;

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fuzz_config.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_config: mkdtemp");
		abort();
	}
	snprintf(path, sizeof(path), "%s/rules.yaml", dir);
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	atexit(cleanup);
}

static void
load_rules(const uint8_t *data, size_t size)
{
	struct ruleset *rs;
	struct yerrs e;
	FILE *f;
	size_t i;

	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	memset(&e, 0, sizeof(e));
	rs = rules_load(dir, detector_params, &e);
	if (rs == NULL && e.count == 0)
		abort();
	if (rs != NULL) {
		for (i = 0; i < rules_count(rs); i++)
			if (rules_find(rs, rules_get(rs, i)->id) == NULL)
				abort();
		(void)rules_for(rs, DET_DNS_TUNNEL);
	}
	rules_free(rs);
	yerr_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c;
	struct ydoc *d;
	struct yerrs e;
	char err[4096];

	if (dir[0] == '\0')
		setup();

	memset(&e, 0, sizeof(e));
	d = ydoc_load_string("fuzz.yaml", (const char *)data, size, &e);
	ydoc_free(d);
	yerr_free(&e);

	err[0] = '\0';
	c = config_load_string("fuzz.yaml", (const char *)data, size, err,
	    sizeof(err));
	if (c == NULL && err[0] == '\0')
		abort();
	if (c != NULL)
		config_dump(devnull, c);
	config_free(c);

	load_rules(data, size);
	return 0;
}
