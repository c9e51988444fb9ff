/*
 * outfile.c - every output of ddwsim: the report, traces, sweep CSVs and
 * points, and standard output. What the path names decides how it is written:
 *
 *   the path names             written to                          at commit
 *   -------------------------  ----------------------------------  ---------------------------
 *   NULL or "-"                stdout                              fflush; stdout stays open
 *   nothing yet, or a regular  "<name>.tmp.<pid>" beside it,       fflush, fsync, fclose, then
 *   file                       O_EXCL, the old file's mode         rename onto <name>
 *   a symlink                  its last target, by this table; the link stays a link
 *   descriptor N of ours       a duplicate of N (its offset and    fflush, fclose the duplicate
 *   (/dev/stdout, /dev/fd/N,   O_APPEND kept)
 *   /proc/self/fd/N)
 *   a device or FIFO (or a     itself, opened in place             fflush, fclose; never replaced
 *   socket, which open refuses)
 *   a directory                an error
 *
 * A symlink's regular target is replaced atomically rather than rewritten in
 * place: a regular file is all or nothing however it is named, so a failed
 * run never leaves it half-written. The price is that of any atomic save: the
 * target gets a new inode (hard links to it part ways) and its folder must be
 * writable.
 *
 * outfile_open, in steps:
 *   1. NULL or "-": stdout.
 *   2. Follow the last component's symlinks, at most MAX_HOPS, a relative
 *      target being relative to the link's folder (the kernel follows the
 *      folders). Stop in /proc, whose links (/proc/self/fd/N) are
 *      descriptors, not names.
 *   3. What is left: in /proc, a descriptor of ours is duplicated and
 *      anything else opened in place; missing or regular, atomic; a
 *      directory, an error; anything else, in place.
 *
 * Every failed write is an error at commit: stdio keeps an error flag, and
 * commit checks it as well as fflush, fsync and fclose. SIGPIPE is ignored so
 * that a closed pipe is EPIPE. When the write that failed was an earlier
 * flush (stdio flushes by itself when its buffer fills), its errno is gone
 * and the message says "an earlier write failed".
 *
 * The temporary files open now, in an array that grows as needed, are the
 * one piece of global state here: a signal handler has no other way to reach
 * them. The array changes only with SIGINT, SIGTERM and SIGHUP blocked, so
 * the handler always sees it whole; each entry keeps the pid that made it,
 * so a forked child never unlinks its parent's files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"

#define MAX_HOPS	40	/* symlinks followed, as Linux's MAXSYMLINKS */
#define TMP_TRIES	100	/* "<name>.tmp.<pid>", then ".1" .. ".99" when taken */

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

#define NSIGNALS	(sizeof(cleanup_signals) / sizeof(cleanup_signals[0]))

/* --- the temporary files, for cleanup --- */

struct tmp_entry {
	char *name;		/* the temporary file (the string belongs to its outfile) */
	pid_t pid;		/* the process that created it */
};

static struct tmp_entry *volatile tmps;	/* ntmps used of cap */
static volatile size_t ntmps;
static size_t cap;

void outfile_cleanup(void)
{
	pid_t me = getpid();

	for (size_t i = 0; i < ntmps; i++)
		if (tmps[i].pid == me)
			unlink(tmps[i].name);	/* async-signal-safe */
}

static void on_signal(int sig)
{
	outfile_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);		/* delivered, and fatal, once the handler returns */
}

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
	int e = errno;

	sigprocmask(SIG_SETMASK, old, NULL);
	errno = e;
}

/* With the signals blocked: name is a temporary file to remove on a signal. */
static void track(char *name)
{
	if (ntmps == cap) {
		size_t n = cap ? 2 * cap : 8;

		tmps = xrealloc(tmps, st_mul(n, sizeof(struct tmp_entry)));
		cap = n;
	}
	tmps[ntmps] = (struct tmp_entry){ .name = name, .pid = getpid() };
	ntmps++;
}

/* Forgets of's temporary file, unlinking it first if asked. */
static void forget_tmp(struct outfile *of, bool remove)
{
	sigset_t old;

	block_signals(&old);
	if (remove)
		unlink(of->tmp);
	for (size_t i = 0; i < ntmps; i++) {
		if (tmps[i].name == of->tmp) {
			tmps[i] = tmps[ntmps - 1];
			ntmps--;
			break;
		}
	}
	restore_signals(&old);
}

/*
 * Once: the cleanup handlers (not where a signal is ignored, as nohup leaves
 * SIGHUP) and SIGPIPE ignored, so that a closed pipe is an EPIPE to report.
 */
static void install_handlers(void)
{
	static bool done;
	struct sigaction sa, was;

	if (done)
		return;
	done = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaddset(&sa.sa_mask, cleanup_signals[i]);
	for (size_t i = 0; i < NSIGNALS; i++)
		if (sigaction(cleanup_signals[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN)
			sigaction(cleanup_signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --- what the path names (steps 2 and 3) --- */

/* The length of path's folder part with its slash: "a/b" -> 2, "b" -> 0. */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Is path's folder in /proc (the same filesystem as /proc/self)? */
static bool in_proc(const char *path)
{
	size_t n = dir_len(path);
	char *dir = xmalloc(n + 2);
	struct stat d, p;
	bool yes;

	memcpy(dir, path, n);
	strcpy(dir + n, ".");
	yes = stat(dir, &d) == 0 && stat("/proc/self", &p) == 0 && d.st_dev == p.st_dev;
	free(dir);
	return yes;
}

/* The link's target as a path: relative to the link's folder unless absolute. */
static char *join_target(const char *link, const char *target)
{
	size_t n = target[0] == '/' ? 0 : dir_len(link);
	char *s = xmalloc(st_add(n, strlen(target) + 1));

	memcpy(s, link, n);
	strcpy(s + n, target);
	return s;
}

/* Step 2: path with its last component's symlinks followed; NULL with errno set. */
static char *resolve(const char *path)
{
	char *cur = xstrdup(path), *target = xmalloc(PATH_MAX), *next;
	struct stat st;
	ssize_t n;

	for (unsigned hop = 0;; hop++) {
		if (in_proc(cur) || lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			break;
		errno = ELOOP;
		n = hop < MAX_HOPS ? readlink(cur, target, PATH_MAX) : -1;
		if (n >= PATH_MAX)
			errno = ENAMETOOLONG;
		if (n < 0 || n >= PATH_MAX) {
			free(cur);
			cur = NULL;
			break;
		}
		target[n] = '\0';
		next = join_target(cur, target);
		free(cur);
		cur = next;
	}
	free(target);
	return cur;
}

static int wrap_fd(struct outfile *of, int fd)
{
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		int e = errno;

		close(fd);
		return ddw_error("cannot open '%s': %s", of->path, strerror(e));
	}
	of->kind = OUTFILE_IN_PLACE;
	return 0;
}

static int open_in_place(struct outfile *of, const char *where)
{
	/* O_TRUNC: the kernel ignores it for devices and FIFOs */
	int fd = open(where, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_TRUNC);

	if (fd < 0)
		return ddw_error("cannot open '%s': %s", of->path, strerror(errno));
	return wrap_fd(of, fd);
}

/* N if where (in /proc) is ".../N" and names the same file as our descriptor N; else -1. */
static int own_fd(const char *where)
{
	const char *base = where + dir_len(where);
	struct stat a, b;
	char *end;
	long n;

	if (*base < '0' || *base > '9')
		return -1;
	n = strtol(base, &end, 10);
	if (*end || n > INT_MAX || stat(where, &a) != 0 || fstat((int)n, &b) != 0)
		return -1;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? (int)n : -1;
}

/* Step 3 in /proc: our descriptor is duplicated, anything else opened in place. */
static int open_descriptor(struct outfile *of, const char *where)
{
	int n = own_fd(where), fd;

	if (n < 0)
		return open_in_place(of, where);
	if (n == STDOUT_FILENO)
		fflush(stdout);		/* what stdout holds goes first */
	fd = fcntl(n, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return ddw_error("cannot open '%s': %s", of->path, strerror(errno));
	return wrap_fd(of, fd);
}

/* --- atomic files --- */

/* Creates of->tmp beside of->final with O_EXCL and tracks it: the fd, or -1 (errno). */
static int create_tmp(struct outfile *of, mode_t mode)
{
	size_t n = st_add(strlen(of->final), 48);
	long pid = (long)getpid();
	sigset_t old;
	int fd = -1;

	of->tmp = xmalloc(n);
	block_signals(&old);
	for (unsigned i = 0; fd < 0 && i < TMP_TRIES; i++) {
		if (i)
			snprintf(of->tmp, n, "%s.tmp.%ld.%u", of->final, pid, i);
		else
			snprintf(of->tmp, n, "%s.tmp.%ld", of->final, pid);
		fd = open(of->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0)
		track(of->tmp);
	restore_signals(&old);
	return fd;
}

/*
 * The replaced file's owner, where we may give it (root, or a group we are
 * in), and its permission bits; set-id and sticky bits are not copied. Best
 * effort: a filesystem without modes (vfat) keeps its own.
 */
static void keep_owner_and_mode(int fd, const struct stat *old)
{
	if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
	    fchown(fd, old->st_uid, old->st_gid) != 0) {
		/* not allowed: the new file is ours */
	}
	if (fchmod(fd, old->st_mode & 0777) != 0) {
		/* no modes here */
	}
}

/* A temporary file for final (old: the regular file it replaces, or NULL). */
static int open_atomic(struct outfile *of, const char *final, const struct stat *old)
{
	int fd, rc;

	of->kind = OUTFILE_ATOMIC;
	of->final = xstrdup(final);
	/* 0600 until the old mode is set, so the content is never more visible than before */
	fd = create_tmp(of, old ? 0600 : 0666);
	if (fd < 0)
		return ddw_error("cannot create '%s': %s", of->tmp, strerror(errno));
	if (old)
		keep_owner_and_mode(fd, old);
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		rc = ddw_error("cannot create '%s': %s", of->tmp, strerror(errno));
		close(fd);
		forget_tmp(of, true);
		return rc;
	}
	return 0;
}

static void release(struct outfile *of)
{
	free(of->path);
	free(of->tmp);
	free(of->final);
	memset(of, 0, sizeof(*of));
}

int outfile_open(struct outfile *of, const char *path)
{
	struct stat st;
	char *where;
	int rc;

	memset(of, 0, sizeof(*of));
	install_handlers();
	if (!path || !strcmp(path, "-")) {
		of->fp = stdout;
		return 0;
	}
	of->path = xstrdup(path);
	errno = ENOENT;
	where = *path ? resolve(path) : NULL;
	if (!where)
		rc = ddw_error("cannot open '%s': %s", path, strerror(errno));
	else if (in_proc(where))
		rc = open_descriptor(of, where);
	else if (lstat(where, &st) != 0)
		rc = open_atomic(of, where, NULL);
	else if (S_ISREG(st.st_mode))
		rc = open_atomic(of, where, &st);
	else if (S_ISDIR(st.st_mode))
		rc = ddw_error("cannot write '%s': %s", path, strerror(EISDIR));
	else
		rc = open_in_place(of, where);
	free(where);
	if (rc < 0)
		release(of);
	return rc;
}

/* --- commit and abort --- */

/*
 * Flushes fp, checks its error flag, fsyncs if asked and closes it (stdout
 * stays open). Returns 0, the first errno, or -1 for an error an earlier
 * flush saw, whose errno is gone.
 */
static int finish_stream(FILE *fp, bool sync)
{
	int err = 0;

	errno = 0;
	if (fflush(fp) != 0)
		err = errno ? errno : EIO;
	else if (ferror(fp))
		err = -1;
	else if (sync && fsync(fileno(fp)) != 0)
		err = errno;
	if (fp != stdout && fclose(fp) != 0 && !err)
		err = errno;
	return err;
}

static const char *why(int err)
{
	return err > 0 ? strerror(err) : "an earlier write failed";
}

static int commit_atomic(struct outfile *of)
{
	int err = finish_stream(of->fp, true), rc = 0;
	struct stat st;

	if (err)
		rc = ddw_error("cannot write '%s': %s", of->tmp, why(err));
	else if (lstat(of->final, &st) == 0 && !S_ISREG(st.st_mode))
		rc = ddw_error("cannot replace '%s': it is no longer a regular file", of->final);
	else if (rename(of->tmp, of->final) != 0)
		rc = ddw_error("cannot rename '%s' to '%s': %s", of->tmp, of->final,
			       strerror(errno));
	forget_tmp(of, rc < 0);
	return rc;
}

int outfile_commit(struct outfile *of)
{
	int err, rc = 0;

	switch (of->kind) {
	case OUTFILE_ATOMIC:
		rc = commit_atomic(of);
		break;
	case OUTFILE_IN_PLACE:
		err = finish_stream(of->fp, false);
		if (err)
			rc = ddw_error("cannot write '%s': %s", of->path, why(err));
		break;
	case OUTFILE_STDOUT:
		err = finish_stream(stdout, false);
		if (err)
			rc = ddw_error("cannot write to standard output: %s", why(err));
		break;
	}
	release(of);
	return rc;
}

void outfile_abort(struct outfile *of)
{
	if (of->kind != OUTFILE_STDOUT && of->fp)
		fclose(of->fp);
	if (of->kind == OUTFILE_ATOMIC && of->tmp)
		forget_tmp(of, true);
	release(of);
}

void outfile_json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}
