/* outfile.c - atomic output: temp name, then rename (commit) or unlink (abort). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"

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
	return 0;
}

static void release(struct outfile *of)
{
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
