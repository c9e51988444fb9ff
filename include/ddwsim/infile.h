/* infile.h - opening an input: a regular file, or a stream where one is fine; never blocks on a FIFO. */
#ifndef DDWSIM_INFILE_H
#define DDWSIM_INFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum infile_flags {
	INFILE_REGULAR = 0,	/* a regular file, or a symlink to one: configs, includes, sweeps */
	INFILE_STREAM = 1,	/* that, or "-" (standard input), a pipe, a FIFO with its writer,
				 * a character device: traces and logs, read once front to back */
	INFILE_BIG_BUFFER = 2,	/* a 1 MiB stdio buffer (line readers; infile_close frees it) */
};

#define INFILE_WHY_MAX	4352	/* a message around a path of up to PATH_MAX */

struct infile {
	FILE *fp;		/* read here, from the first byte */
	const char *name;	/* for messages: the path as given, "<stdin>" for "-" */
	const char *type;	/* what it is: "a regular file", "a FIFO", "standard input", ... */
	bool stream;		/* not a regular file: read once, no seeking, no second pass */
	dev_t dev;		/* device and inode: the file's identity, whatever */
	ino_t ino;		/* the path that led to it ("./x", a symlink) */
	int err;		/* after a failure: errno of open or stat; 0 for a wrong type */
	char why[INFILE_WHY_MAX]; /* after a failure: the message, without "ddwsim: " */
	char *buf;		/* the INFILE_BIG_BUFFER buffer, or NULL */
};

/*
 * infile_open() opens path for reading as flags allow. Returns 0 with in->fp
 * set, or -1 with in->fp NULL and in->why holding the message; it prints
 * nothing, so the caller adds its own prefix (FILE:LINE:COL and key, or
 * "ddwsim: "). The messages, what (e.g. "trace") is a noun or NULL:
 *
 *   cannot open [what ]'PATH': <strerror>
 *   [what ]'PATH' is a FIFO, expected a regular file            (INFILE_REGULAR)
 *   [what ]'PATH' is a directory, expected a regular file or a pipe  (INFILE_STREAM)
 *   [what ]'PATH' is a FIFO with no writer
 *   [what ]'-' is standard input, expected a regular file
 *
 * It never blocks: a path that is not a regular file is refused from its
 * stat() without being opened (a device's open can have effects), and an
 * allowed FIFO is opened with O_NONBLOCK, which is cleared once its writer is
 * seen. "-" is a duplicate of standard input, so fclose() leaves fd 0 alone.
 * The descriptor is close-on-exec. Without INFILE_BIG_BUFFER the FILE can be
 * handed on and fclose()d by its new owner; with it, call infile_close().
 */
int infile_open(struct infile *in, const char *path, unsigned flags, const char *what);

/*
 * infile_check() says whether infile_open() could open path, without taking
 * anything from a stream: a regular file is opened and closed; a FIFO or a
 * device is only stat()ed (in->stream is then true), so its writer never
 * sees a reader come and go. Returns 0, or -1 with in->why set as above.
 */
int infile_check(struct infile *in, const char *path, unsigned flags, const char *what);

/* Closes in->fp and frees the buffer; a closed or failed infile is a no-op. */
void infile_close(struct infile *in);

#endif /* DDWSIM_INFILE_H */
