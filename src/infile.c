/*
 * infile.c - the one way ddwsim opens an input.
 *
 * Every file a user names comes through here: the config and the files it
 * includes, a trace (replayed, converted, inspected), an importer's log, a
 * sweep file and the point results a sweep collects, and the workload of
 * `trace gen --workload`. Two kinds of input:
 *
 *   INFILE_REGULAR  a regular file, or a symlink to one. A FIFO, a device, a
 *                   socket or a directory is refused with its name and type.
 *   INFILE_STREAM   also "-" (standard input), a pipe or FIFO, a character
 *                   device: read once, front to back. A caller that would read
 *                   it twice refuses up front (config_walk.c: a trace that is a
 *                   stream with several modes).
 *
 * infile_open(), in steps:
 *   1. "-": a close-on-exec duplicate of fd 0, its type checked with fstat.
 *      The shell opened it, so a FIFO there already has its writer.
 *   2. stat(path): a missing file, or a type the caller does not take, is
 *      refused before any open(): opening a device can have effects, and
 *      opening a FIFO wakes its writer.
 *   3. open(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), then fstat: the
 *      type that counts is that of what was opened.
 *   4. A FIFO: one read of one byte that does not wait. A byte: pushed back
 *      in step 6. EAGAIN: a writer holds it, nothing written yet. End of file
 *      with POLLHUP: its writer came and went (an empty stream, which the
 *      reader reports). End of file without POLLHUP: no writer has opened it
 *      since we did, and a read would wait forever: refused.
 *   5. O_NONBLOCK cleared: from here a read waits for the writer.
 *   6. fdopen, the stdio buffer if asked for, the byte pushed back.
 *
 * Nothing here prints: the message goes to in->why, and the caller prefixes
 * it with where the name came from (a config's FILE:LINE:COL and key).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddwsim/err.h"
#include "ddwsim/infile.h"
#include "ddwsim/xalloc.h"

#define BIG_BUFFER	(1u << 20)	/* INFILE_BIG_BUFFER: line readers of long logs */

/* "a FIFO", for "'x' is a FIFO". */
static const char *type_of(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

/* Does the caller take a file of mode m? A socket only as standard input: open() cannot. */
static bool type_ok(mode_t m, unsigned flags, bool is_stdin)
{
	if (S_ISREG(m))
		return true;
	if (!(flags & INFILE_STREAM))
		return false;
	return S_ISFIFO(m) || S_ISCHR(m) || (is_stdin && S_ISSOCK(m));
}

/* Fills in->why with "[what ]'NAME' <fmt>" and in->err; returns -1. */
DDW_PRINTF(5, 6)
static int fail(struct infile *in, int err, const char *path, const char *what, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(in->why, sizeof(in->why), "%s%s'%s' %s", what ? what : "", what ? " " : "",
		 path, msg);
	in->err = err;
	return -1;
}

/* "cannot open [what ]'PATH': <strerror>"; returns -1. */
static int fail_errno(struct infile *in, int err, const char *path, const char *what)
{
	snprintf(in->why, sizeof(in->why), "cannot open %s%s'%s': %s", what ? what : "",
		 what ? " " : "", path, strerror(err));
	in->err = err;
	return -1;
}

static int fail_type(struct infile *in, mode_t m, unsigned flags, const char *path,
		     const char *what)
{
	return fail(in, 0, path, what, "is %s, expected %s", type_of(m),
		    flags & INFILE_STREAM ? "a regular file or a pipe" : "a regular file");
}

/* Step 6: in owns fd from here, whatever happens. c is a byte to push back, or EOF. */
static int finish(struct infile *in, int fd, const struct stat *st, unsigned flags, int c)
{
	in->fp = fdopen(fd, "rb");
	if (!in->fp) {
		int err = errno;

		close(fd);
		return fail_errno(in, err, in->name, NULL);
	}
	if (flags & INFILE_BIG_BUFFER) {
		in->buf = xmalloc(BIG_BUFFER);
		setvbuf(in->fp, in->buf, _IOFBF, BIG_BUFFER);
	}
	if (c != EOF)
		ungetc(c, in->fp);
	if (!in->type)
		in->type = type_of(st->st_mode);
	in->stream = !S_ISREG(st->st_mode);
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	return 0;
}

/* Step 1: "-". */
static int open_stdin(struct infile *in, unsigned flags, const char *what)
{
	struct stat st;
	int fd;

	if (!(flags & INFILE_STREAM))
		return fail(in, 0, "-", what, "is standard input, expected a regular file");
	fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno(in, errno, "-", what);
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		return fail_errno(in, err, "-", what);
	}
	if (!type_ok(st.st_mode, flags, true)) {
		close(fd);
		return fail_type(in, st.st_mode, flags, "-", what);
	}
	in->name = "<stdin>";
	in->type = "standard input";
	if (finish(in, fd, &st, flags, EOF) < 0)
		return -1;
	in->stream = true;	/* even a regular file: its offset is shared, read once */
	return 0;
}

/*
 * Step 4: a FIFO opened without waiting. Returns 1 (go on; *c is the byte
 * read, or EOF), 0 (no writer), or -1 with errno set.
 */
static int probe_writer(int fd, int *c)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char b;
	ssize_t n = read(fd, &b, 1);

	*c = EOF;
	if (n == 1) {
		*c = b;
		return 1;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) ? 1 : 0;
}

/* Steps 3 to 5 on a path stat() took. Returns the fd, or -1 with in->why set. */
static int open_path(struct infile *in, const char *path, unsigned flags, const char *what,
		     struct stat *st, int *c)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), fl, rc;

	if (fd < 0)
		return fail_errno(in, errno, path, what);
	if (fstat(fd, st) != 0)
		goto err_errno;
	if (!type_ok(st->st_mode, flags, false)) {
		fail_type(in, st->st_mode, flags, path, what);	/* it changed since stat() */
		goto err_close;
	}
	if (S_ISFIFO(st->st_mode)) {
		rc = probe_writer(fd, c);
		if (rc < 0)
			goto err_errno;
		if (rc == 0) {
			fail(in, 0, path, what, "is a FIFO with no writer");
			goto err_close;
		}
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		goto err_errno;
	return fd;
err_errno:
	fail_errno(in, errno, path, what);
err_close:
	close(fd);
	return -1;
}

int infile_open(struct infile *in, const char *path, unsigned flags, const char *what)
{
	struct stat st;
	int fd, c = EOF;

	memset(in, 0, sizeof(*in));
	in->name = path;
	if (!strcmp(path, "-"))
		return open_stdin(in, flags, what);
	if (stat(path, &st) != 0)
		return fail_errno(in, errno, path, what);
	if (!type_ok(st.st_mode, flags, false))
		return fail_type(in, st.st_mode, flags, path, what);
	fd = open_path(in, path, flags, what, &st, &c);
	if (fd < 0)
		return -1;
	return finish(in, fd, &st, flags, c);
}

int infile_check(struct infile *in, const char *path, unsigned flags, const char *what)
{
	struct stat st;

	if (strcmp(path, "-") && stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	    type_ok(st.st_mode, flags, false)) {
		memset(in, 0, sizeof(*in));
		in->name = path;
		in->type = type_of(st.st_mode);
		in->stream = true;
		in->dev = st.st_dev;
		in->ino = st.st_ino;
		return 0;
	}
	if (infile_open(in, path, flags & ~INFILE_BIG_BUFFER, what) < 0)
		return -1;
	infile_close(in);
	return 0;
}

void infile_close(struct infile *in)
{
	if (in->fp)
		fclose(in->fp);
	free(in->buf);
	in->fp = NULL;
	in->buf = NULL;
}
