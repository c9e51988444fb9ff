/* outfile.c - atomic output: temp name, then rename (commit) or unlink (abort). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"

/*
 * The temporary files open now, so that a fatal exit or a signal removes
 * them: the one piece of global state here, since a signal handler has no
 * other way to reach them.
 */
#define MAX_OPEN	8
static char *volatile open_tmp[MAX_OPEN];

void outfile_cleanup(void)
{
	for (unsigned i = 0; i < MAX_OPEN; i++)
		if (open_tmp[i])
			unlink(open_tmp[i]);	/* async-signal-safe */
}

static void on_signal(int sig)
{
	outfile_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track(char *tmp, bool on)
{
	static bool handlers;

	for (unsigned i = 0; i < MAX_OPEN; i++) {
		if (on && !open_tmp[i]) {
			open_tmp[i] = tmp;
			break;
		}
		if (!on && open_tmp[i] == tmp) {
			open_tmp[i] = NULL;
			break;
		}
	}
	if (on && !handlers) {
		handlers = true;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
	}
}

int outfile_open(struct outfile *of, const char *path)
{
	size_t n;

	memset(of, 0, sizeof(*of));
	if (!path || !strcmp(path, "-")) {
		of->fp = stdout;
		return 0;
	}
	n = strlen(path) + 32;
	of->path = xstrdup(path);
	of->tmp = xmalloc(n);
	snprintf(of->tmp, n, "%s.tmp.%ld", path, (long)getpid());
	of->fp = fopen(of->tmp, "w");
	if (!of->fp) {
		ddw_error("cannot create '%s': %s", of->tmp, strerror(errno));
		free(of->path);
		free(of->tmp);
		memset(of, 0, sizeof(*of));
		return -1;
	}
	track(of->tmp, true);
	return 0;
}

static void release(struct outfile *of)
{
	if (of->tmp)
		track(of->tmp, false);
	free(of->path);
	free(of->tmp);
	memset(of, 0, sizeof(*of));
}

int outfile_commit(struct outfile *of)
{
	bool err;
	int rc = 0;

	if (!of->path) {
		if (fflush(stdout) != 0)
			rc = ddw_error("cannot write to standard output: %s", strerror(errno));
		release(of);
		return rc;
	}
	err = ferror(of->fp) != 0;	/* fclose even then: the FILE must not leak */
	if (fclose(of->fp) != 0 || err) {
		rc = ddw_error("cannot write '%s': %s", of->tmp, strerror(errno));
		unlink(of->tmp);
	} else if (rename(of->tmp, of->path) != 0) {
		rc = ddw_error("cannot rename '%s' to '%s': %s", of->tmp, of->path,
			       strerror(errno));
		unlink(of->tmp);
	}
	release(of);
	return rc;
}

void outfile_abort(struct outfile *of)
{
	if (of->path) {
		if (of->fp)
			fclose(of->fp);
		unlink(of->tmp);
	}
	release(of);
}
