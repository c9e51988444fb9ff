/* outfile.h - atomic output files: write to a temporary name, then rename. */
#ifndef DDWSIM_OUTFILE_H
#define DDWSIM_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *fp;		/* write here; stdout when path is "-" or NULL */
	char *path;		/* final name, or NULL for stdout */
	char *tmp;		/* "<path>.tmp.<pid>" while open */
};

/*
 * outfile_open() creates "<path>.tmp.<pid>" (or uses stdout for NULL or "-").
 * Returns 0, or -1 after reporting the error.
 * outfile_commit() flushes, closes and renames: all or nothing; returns 0 or -1.
 * outfile_abort() closes and unlinks the temporary file. Both release *of.
 */
int outfile_open(struct outfile *of, const char *path);
/* Unlinks every temporary file still open: for fatal exits (out of memory)
 * and, through the handlers outfile_open installs, SIGINT/SIGTERM/SIGHUP. */
void outfile_cleanup(void);
int outfile_commit(struct outfile *of);
void outfile_abort(struct outfile *of);

#endif /* DDWSIM_OUTFILE_H */
