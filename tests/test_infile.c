/*
 * test_infile.c - the one input opener (include/ddwsim/infile.h).
 *
 * The contract under test:
 *   - a regular file, or a symlink to one, opens for both kinds, from its
 *     first byte, with the identity (device, inode) of the file itself;
 *   - where a regular file is needed, a directory, a FIFO, a character
 *     device or a socket is refused with its name and what it is, without
 *     blocking; "-" too;
 *   - where a stream is fine, "-" is standard input (a duplicate: closing it
 *     leaves fd 0 open), a FIFO with its writer opens and reads from its
 *     first byte, and a FIFO with no writer is refused at once instead of
 *     waiting forever (these tests have a timeout for that);
 *   - a missing file gives "cannot open 'PATH': <strerror>" and its errno;
 *   - infile_check() never opens a FIFO; the descriptor is close-on-exec and
 *     blocking once open.
 *
 * Every test works in its own mkdtemp() directory, removed by its .fini.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "ddwsim/infile.h"

#define PATHLEN	4096

static char dir[PATHLEN];

/* snprintf that fails the test rather than truncate */
__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < size, "path or message too long");
}

static void make_dir(void)
{
	const char *t = getenv("TMPDIR");

	fmt(dir, sizeof(dir), "%s/ddwsim-infile-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void remove_dir(void)
{
	char cmd[PATHLEN + 16];

	if (!dir[0])
		return;
	fmt(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(infile, .init = make_dir, .fini = remove_dir, .timeout = 10);

/* cr_skip_test ends the test without its .fini: remove the directory first. */
#define SKIP(...)	do { remove_dir(); cr_skip_test(__VA_ARGS__); } while (0)

/* buf = dir/name */
static void at(char *buf, const char *name)
{
	fmt(buf, PATHLEN, "%s/%s", dir, name);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot create '%s'", path);
	cr_assert(fputs(text, f) >= 0 && fclose(f) == 0);
}

/* What is left to read from fp, as a string (static buffer). */
static const char *rest(FILE *fp)
{
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);

	buf[n] = '\0';
	return buf;
}

/* why must be exactly "'PATH'" + tail. */
static void expect_why(const struct infile *in, const char *path, const char *tail)
{
	char want[PATHLEN + 128];

	fmt(want, sizeof(want), "'%s'%s", path, tail);
	cr_expect_str_eq(in->why, want);
	cr_expect_null(in->fp, "a refused input leaves no FILE");
	cr_expect_eq(in->err, 0, "a wrong type is not an errno");
}

/* ---- regular files and symlinks ---- */

Test(infile, a_regular_file_opens_for_both_kinds_from_its_first_byte)
{
	char path[PATHLEN];
	struct infile in;
	struct stat st;

	at(path, "a.yaml");
	put(path, "platform: x\n");
	cr_assert_eq(stat(path, &st), 0);
	for (unsigned flags = INFILE_REGULAR; flags <= (INFILE_STREAM | INFILE_BIG_BUFFER); flags++) {
		cr_assert_eq(infile_open(&in, path, flags, NULL), 0, "flags %u: %s", flags, in.why);
		cr_expect_str_eq(rest(in.fp), "platform: x\n");
		cr_expect_str_eq(in.name, path);
		cr_expect_str_eq(in.type, "a regular file");
		cr_expect_not(in.stream);
		cr_expect(in.dev == st.st_dev && in.ino == st.st_ino);
		cr_expect_eq(in.buf != NULL, (flags & INFILE_BIG_BUFFER) != 0);
		infile_close(&in);
		cr_expect_null(in.fp);
		infile_close(&in);	/* twice is a no-op */
	}
}

Test(infile, a_symlink_to_a_regular_file_is_that_file)
{
	char path[PATHLEN], link[PATHLEN];
	struct infile in;
	struct stat st;

	at(path, "real.ddwt");
	at(link, "link.ddwt");
	put(path, "# ddwt 1\n");
	cr_assert_eq(symlink("real.ddwt", link), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(infile_open(&in, link, INFILE_REGULAR, NULL), 0, "%s", in.why);
	cr_expect_str_eq(rest(in.fp), "# ddwt 1\n");
	cr_expect(in.dev == st.st_dev && in.ino == st.st_ino,
		  "the identity is the target's, so a cycle through a link is seen");
	infile_close(&in);
}

Test(infile, a_missing_file_gives_its_errno_and_the_path)
{
	char path[PATHLEN], want[PATHLEN + 64];
	struct infile in;

	at(path, "nope.yaml");
	cr_assert_eq(infile_open(&in, path, INFILE_REGULAR, NULL), -1);
	fmt(want, sizeof(want), "cannot open '%s': No such file or directory", path);
	cr_expect_str_eq(in.why, want);
	cr_expect_eq(in.err, ENOENT);
	cr_expect_null(in.fp);
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, "trace"), -1);
	fmt(want, sizeof(want), "cannot open trace '%s': No such file or directory", path);
	cr_expect_str_eq(in.why, want, "the noun goes before the name");
}

Test(infile, a_file_that_cannot_be_read_gives_eacces)
{
	char path[PATHLEN];
	struct infile in;

	if (geteuid() == 0)
		SKIP("root reads a file of mode 000");
	at(path, "secret.yaml");
	put(path, "x: 1\n");
	cr_assert_eq(chmod(path, 0), 0);
	cr_assert_eq(infile_open(&in, path, INFILE_REGULAR, NULL), -1);
	cr_expect_eq(in.err, EACCES);
}

/* ---- what is not a regular file ---- */

Test(infile, a_directory_is_refused_by_name_for_both_kinds)
{
	struct infile in;

	cr_assert_eq(infile_open(&in, dir, INFILE_REGULAR, NULL), -1);
	expect_why(&in, dir, " is a directory, expected a regular file");
	cr_assert_eq(infile_open(&in, dir, INFILE_STREAM, NULL), -1);
	expect_why(&in, dir, " is a directory, expected a regular file or a pipe");
	cr_assert_eq(infile_check(&in, dir, INFILE_STREAM, NULL), -1);
	expect_why(&in, dir, " is a directory, expected a regular file or a pipe");
}

Test(infile, a_fifo_with_no_writer_is_refused_at_once_for_both_kinds)
{
	char path[PATHLEN], want[PATHLEN + 64];
	struct infile in;

	at(path, "p.yaml");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(infile_open(&in, path, INFILE_REGULAR, NULL), -1);
	expect_why(&in, path, " is a FIFO, expected a regular file");
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, NULL), -1, "no writer: no wait");
	expect_why(&in, path, " is a FIFO with no writer");
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, "trace"), -1);
	fmt(want, sizeof(want), "trace '%s' is a FIFO with no writer", path);
	cr_expect_str_eq(in.why, want);
}

Test(infile, a_symlink_to_a_fifo_is_a_fifo)
{
	char path[PATHLEN], link[PATHLEN];
	struct infile in;

	at(path, "p");
	at(link, "link.yaml");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(symlink("p", link), 0);
	cr_assert_eq(infile_open(&in, link, INFILE_REGULAR, NULL), -1);
	expect_why(&in, link, " is a FIFO, expected a regular file");
}

/*
 * The test holds the FIFO open read-write (Linux: that never blocks and
 * counts as a writer), so whether a byte is waiting at open time (the byte
 * read to see the writer is pushed back) or not (the read gets EAGAIN) is
 * under its control.
 */
Test(infile, a_fifo_with_its_writer_opens_blocking_from_its_first_byte)
{
	char path[PATHLEN];
	struct infile in;
	int w;

	at(path, "t.ddwt");
	cr_assert_eq(mkfifo(path, 0600), 0);
	w = open(path, O_RDWR);
	cr_assert_geq(w, 0);
	cr_assert_eq(write(w, "# ddwt 1\n", 9), 9);
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, NULL), 0, "%s", in.why);
	cr_expect(in.stream);
	cr_expect_str_eq(in.type, "a FIFO");
	cr_expect_eq(fcntl(fileno(in.fp), F_GETFL) & O_NONBLOCK, 0, "reads wait for the writer");
	cr_expect_neq(fcntl(fileno(in.fp), F_GETFD) & FD_CLOEXEC, 0, "close-on-exec");
	cr_assert_eq(write(w, "map\n", 4), 4);
	cr_assert_eq(close(w), 0);
	cr_expect_str_eq(rest(in.fp), "# ddwt 1\nmap\n", "the probed byte comes first");
	infile_close(&in);
}

Test(infile, a_fifo_whose_writer_wrote_nothing_yet_opens_and_then_waits)
{
	char path[PATHLEN];
	struct infile in;
	int w;

	at(path, "t.log");
	cr_assert_eq(mkfifo(path, 0600), 0);
	w = open(path, O_RDWR);
	cr_assert_geq(w, 0);
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM | INFILE_BIG_BUFFER, NULL), 0, "%s",
		     in.why);
	cr_assert_eq(write(w, "abc", 3), 3);
	cr_assert_eq(close(w), 0);
	cr_expect_str_eq(rest(in.fp), "abc");
	infile_close(&in);
}

Test(infile, a_fifo_is_only_looked_at_by_infile_check)
{
	char path[PATHLEN];
	struct infile in;

	at(path, "t.ddwt");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(infile_check(&in, path, INFILE_STREAM, NULL), 0, "%s", in.why);
	cr_expect(in.stream);
	cr_expect_str_eq(in.type, "a FIFO");
	cr_expect_null(in.fp);
	cr_assert_eq(infile_check(&in, path, INFILE_REGULAR, NULL), -1);
	expect_why(&in, path, " is a FIFO, expected a regular file");
}

/*
 * A pipe named through /dev/fd (a shell's <(cmd)): its writer came and went,
 * so it is an empty stream (POLLHUP), not a FIFO waiting for a writer.
 */
Test(infile, a_pipe_whose_writer_has_gone_is_an_empty_stream)
{
	char path[PATHLEN];
	struct infile in;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(close(p[1]), 0);
	fmt(path, sizeof(path), "/dev/fd/%d", p[0]);
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, NULL), 0, "%s", in.why);
	cr_expect(in.stream);
	cr_expect_str_eq(rest(in.fp), "");
	infile_close(&in);
}

Test(infile, a_pipe_through_dev_fd_reads_what_was_written)
{
	char path[PATHLEN];
	struct infile in;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "xy", 2), 2);
	cr_assert_eq(close(p[1]), 0);
	fmt(path, sizeof(path), "/dev/fd/%d", p[0]);
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, NULL), 0, "%s", in.why);
	cr_expect_str_eq(rest(in.fp), "xy");
	infile_close(&in);
}

/* A /dev/null of our own (major 1, minor 3), where mknod is allowed (root). */
Test(infile, a_character_device_is_refused_for_a_file_and_read_as_a_stream)
{
	char path[PATHLEN];
	struct infile in;

	at(path, "null");
	if (mknod(path, S_IFCHR | 0600, makedev(1, 3)) != 0)
		SKIP("mknod: %s", strerror(errno));
	cr_assert_eq(infile_open(&in, path, INFILE_REGULAR, NULL), -1);
	expect_why(&in, path, " is a character device, expected a regular file");
	if (infile_open(&in, path, INFILE_STREAM, NULL) < 0) {
		cr_expect_eq(in.err, EACCES, "%s", in.why);	/* a nodev mount */
		SKIP("%s", in.why);
	}
	cr_expect(in.stream);
	cr_expect_str_eq(in.type, "a character device");
	cr_expect_str_eq(rest(in.fp), "");
	infile_close(&in);
}

Test(infile, a_socket_is_refused_by_name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char path[PATHLEN];
	struct infile in;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	at(path, "s");
	cr_assert_lt(strlen(path), sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	cr_assert_geq(s, 0);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0, "bind: %s", strerror(errno));
	cr_assert_eq(infile_open(&in, path, INFILE_REGULAR, NULL), -1);
	expect_why(&in, path, " is a socket, expected a regular file");
	cr_assert_eq(infile_open(&in, path, INFILE_STREAM, NULL), -1);
	expect_why(&in, path, " is a socket, expected a regular file or a pipe");
	close(s);
}

/* ---- "-" ---- */

/* Makes fd 0 the file path (Criterion runs each test in its own process). */
static void stdin_from(const char *path)
{
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
}

Test(infile, dash_is_standard_input_where_a_stream_is_fine)
{
	char path[PATHLEN];
	struct infile in;

	at(path, "in.log");
	put(path, "line 1\n");
	stdin_from(path);
	cr_assert_eq(infile_open(&in, "-", INFILE_STREAM | INFILE_BIG_BUFFER, NULL), 0, "%s",
		     in.why);
	cr_expect_str_eq(in.name, "<stdin>");
	cr_expect_str_eq(in.type, "standard input");
	cr_expect(in.stream, "read once, even from a regular file: the offset is shared");
	cr_expect_str_eq(rest(in.fp), "line 1\n");
	infile_close(&in);
	cr_expect_neq(fcntl(STDIN_FILENO, F_GETFD), -1, "closing it left fd 0 open");
}

Test(infile, dash_is_refused_where_a_regular_file_is_needed)
{
	struct infile in;

	cr_assert_eq(infile_open(&in, "-", INFILE_REGULAR, NULL), -1);
	expect_why(&in, "-", " is standard input, expected a regular file");
}

Test(infile, dash_on_a_directory_is_refused)
{
	struct infile in;

	stdin_from(dir);
	cr_assert_eq(infile_open(&in, "-", INFILE_STREAM, NULL), -1);
	expect_why(&in, "-", " is a directory, expected a regular file or a pipe");
}

Test(infile, infile_check_of_dash_is_a_stream)
{
	char path[PATHLEN];
	struct infile in;

	at(path, "t.ddwt");
	put(path, "# ddwt 1\n");
	stdin_from(path);
	cr_assert_eq(infile_check(&in, "-", INFILE_STREAM, NULL), 0, "%s", in.why);
	cr_expect(in.stream);
	cr_expect_str_eq(in.type, "standard input");
	cr_expect_null(in.fp);
}
