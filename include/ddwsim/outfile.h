/* outfile.h - every output of ddwsim: files replaced atomically, anything else written in place. */
#ifndef DDWSIM_OUTFILE_H
#define DDWSIM_OUTFILE_H

#include <stdio.h>

/* How an output is written; what the path names decides it (outfile_open). */
enum outfile_kind {
	OUTFILE_STDOUT,		/* NULL or "-": stdout, flushed at commit, never closed */
	OUTFILE_ATOMIC,		/* a regular file or a new name: temporary name, then rename */
	OUTFILE_IN_PLACE,	/* a device, a FIFO or a descriptor of ours: never replaced */
};

struct outfile {
	FILE *fp;		/* write here; stdout for OUTFILE_STDOUT */
	char *path;		/* the name given, or NULL for stdout */
	char *tmp;		/* OUTFILE_ATOMIC: "<final>.tmp.<pid>" while open; else NULL */
	char *final;		/* OUTFILE_ATOMIC: the name commit renames onto (path, or the
				   file its symlinks lead to); else NULL */
	enum outfile_kind kind;
};

/*
 * outfile_open() opens path for writing, by what it names:
 *   - NULL or "-": standard output.
 *   - a regular file, or a name that does not exist yet: a new file
 *     "<name>.tmp.<pid>" in the same folder (O_EXCL, so a planted file or
 *     symlink is never followed; ".<n>" is added if that name is taken),
 *     with the old file's mode (and, where allowed, owner); outfile_commit()
 *     renames it over <name>: all or nothing.
 *   - a symlink: whatever its last target is, by these same rules. A regular
 *     or missing target is replaced atomically; the link stays a link.
 *   - /dev/stdout, /dev/fd/N, /proc/self/fd/N (however reached): descriptor N
 *     of this process, duplicated, so its offset and O_APPEND are kept.
 *   - a character or block device or a FIFO: opened and written in place,
 *     never replaced (opening a FIFO waits for its reader). A socket is
 *     tried the same way, and open() refuses it (ENXIO).
 *   - a directory: an error.
 * Returns 0, or -1 after reporting ("cannot create '<tmp>'", "cannot open
 * '<path>'", "cannot write '<path>': Is a directory"); *of is then released.
 * The first call ignores SIGPIPE, so that a closed pipe is a write error
 * (EPIPE) that commit reports, not a silent death, and installs the
 * SIGINT/SIGTERM/SIGHUP handlers that unlink the temporary files.
 *
 * outfile_commit() flushes and checks every write: a short write, ENOSPC,
 * EPIPE, EIO, an error an earlier flush saw, and for a temporary file fsync
 * and close. Then a temporary file is renamed (unless <name> has become
 * something other than a regular file meanwhile: then it is an error and
 * <name> is left alone); an in-place output is closed; stdout stays open.
 * Returns 0, or -1 after reporting "cannot write '<tmp or path>': <why>" or
 * "cannot write to standard output: <why>"; on -1 a temporary file is gone
 * and any old file is as it was.
 * outfile_abort() closes and unlinks a temporary file; an in-place output
 * is closed (what was written there stays written); stdout is left open.
 * Both release *of.
 */
int outfile_open(struct outfile *of, const char *path);
int outfile_commit(struct outfile *of);
void outfile_abort(struct outfile *of);

/* Unlinks every temporary file this process still has open, however many:
 * for fatal exits (out of memory) and, through the handlers outfile_open
 * installs, SIGINT/SIGTERM/SIGHUP. Async-signal-safe. */
void outfile_cleanup(void);

/* s as a JSON string: quoted, '"' and '\\' escaped, control bytes as \u00XX. */
void outfile_json_str(FILE *fp, const char *s);

#endif /* DDWSIM_OUTFILE_H */
