/*
 * test_outfile.c - atomic output files (include/ddwsim/outfile.h).
 *
 * The contract under test:
 *   - outfile_open(path) writes "<path>.tmp.<pid>"; the final name is not
 *     touched until outfile_commit(), which renames: all or nothing;
 *   - outfile_abort() and outfile_cleanup() unlink the temporary file and
 *     leave any old file as it was;
 *   - errors return -1 after a "ddwsim: ..." message;
 *   - NULL or "-" is standard output, never a file.
 * And the one issue 11 asks for: "a regular file is written atomically; any
 * other target (device, FIFO, /dev/stdout, a symlink's target) is written in
 * place, never replaced". Today's code replaces them; those tests are
 * disabled and say so.
 *
 * Every test works in its own mkdtemp() directory, removed by its .fini.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "ddwsim/outfile.h"

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

/* ---- the temporary directory and small file helpers ---- */

static void make_dir(void)
{
	const char *t = getenv("TMPDIR");

	fmt(dir, sizeof(dir), "%s/ddwsim-outfile-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void redirect_and_make_dir(void)
{
	cr_redirect_stdout();
	make_dir();
}

static void redirect_err_and_make_dir(void)
{
	cr_redirect_stderr();
	make_dir();
}

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[PATHLEN];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		fmt(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static void remove_dir(void)
{
	if (dir[0])
		rm_rf(dir);
}

/* buf = dir/name */
static void at(char *buf, const char *name)
{
	fmt(buf, PATHLEN, "%s/%s", dir, name);
}

/* buf = "<path>.tmp.<pid>", the name the header promises */
static void tmp_of(char *buf, const char *path)
{
	fmt(buf, PATHLEN, "%s.tmp.%ld", path, (long)getpid());
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot create '%s'", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* The whole file as a string (static buffer), or NULL if it cannot be read. */
static const char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static unsigned entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void expect_released(const struct outfile *of)
{
	cr_expect_null(of->fp);
	cr_expect_null(of->path);
	cr_expect_null(of->tmp);
}

/* ---- regular files: temp name, commit, abort ---- */

Test(outfile, a_new_file_appears_only_at_commit, .init = make_dir, .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN];
	struct outfile of;

	at(path, "out.txt");
	tmp_of(tmp, path);
	cr_assert_eq(outfile_open(&of, path), 0);
	cr_expect_str_eq(of.path, path);
	cr_expect_str_eq(of.tmp, tmp, "the temporary name is <path>.tmp.<pid>");
	cr_expect(exists(tmp), "the temporary file exists while writing");
	cr_expect_not(exists(path), "the final name does not exist before commit");
	fputs("hello\n", of.fp);
	fflush(of.fp);
	cr_expect_str_eq(slurp(tmp), "hello\n");
	cr_expect_not(exists(path), "still not, even after a flush");
	cr_assert_eq(outfile_commit(&of), 0);
	cr_expect_str_eq(slurp(path), "hello\n");
	cr_expect_not(exists(tmp), "the temporary name is gone after commit");
	cr_expect_eq(entries(dir), 1, "nothing else is left in the directory");
	expect_released(&of);
}

Test(outfile, an_old_file_is_untouched_until_commit_replaces_it, .init = make_dir,
     .fini = remove_dir)
{
	char path[PATHLEN];
	struct outfile of;
	char seen[16] = { 0 };
	int old_fd;

	at(path, "out.txt");
	put(path, "old\n");
	old_fd = open(path, O_RDONLY);		/* a reader of the old file */
	cr_assert_geq(old_fd, 0);
	cr_assert_eq(outfile_open(&of, path), 0);
	fputs("new and longer\n", of.fp);
	fflush(of.fp);
	cr_expect_str_eq(slurp(path), "old\n", "the final name still has the old content");
	cr_assert_eq(outfile_commit(&of), 0);
	cr_expect_str_eq(slurp(path), "new and longer\n");
	/* rename, not rewrite: the reader still sees the whole old file */
	cr_expect_eq(read(old_fd, seen, sizeof(seen) - 1), 4);
	cr_expect_str_eq(seen, "old\n");
	close(old_fd);
	cr_expect_eq(entries(dir), 1);
}

Test(outfile, abort_unlinks_the_temp_and_keeps_the_old_file, .init = make_dir, .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN];
	struct outfile of;

	at(path, "out.txt");
	tmp_of(tmp, path);
	put(path, "old\n");
	cr_assert_eq(outfile_open(&of, path), 0);
	fputs("half a report", of.fp);
	outfile_abort(&of);
	cr_expect_not(exists(tmp));
	cr_expect_str_eq(slurp(path), "old\n");
	cr_expect_eq(entries(dir), 1);
	expect_released(&of);
}

Test(outfile, abort_without_an_old_file_leaves_nothing, .init = make_dir, .fini = remove_dir)
{
	char path[PATHLEN];
	struct outfile of;

	at(path, "out.txt");
	cr_assert_eq(outfile_open(&of, path), 0);
	fputs("x", of.fp);
	outfile_abort(&of);
	cr_expect_eq(entries(dir), 0);
}

Test(outfile, two_open_files_are_independent, .init = make_dir, .fini = remove_dir)
{
	char a[PATHLEN], b[PATHLEN];
	struct outfile oa, ob;

	at(a, "a.csv");
	at(b, "b.json");
	cr_assert_eq(outfile_open(&oa, a), 0);
	cr_assert_eq(outfile_open(&ob, b), 0);
	fputs("a\n", oa.fp);
	fputs("b\n", ob.fp);
	outfile_abort(&ob);
	cr_assert_eq(outfile_commit(&oa), 0);
	cr_expect_str_eq(slurp(a), "a\n");
	cr_expect_not(exists(b));
	cr_expect_eq(entries(dir), 1);
}

/* ---- outfile_cleanup: the fatal-exit and signal path ---- */

Test(outfile, cleanup_unlinks_every_open_temp_and_keeps_old_files, .init = make_dir,
     .fini = remove_dir)
{
	char a[PATHLEN], b[PATHLEN], ta[PATHLEN], tb[PATHLEN];
	struct outfile oa, ob;

	at(a, "a.txt");
	at(b, "b.txt");
	tmp_of(ta, a);
	tmp_of(tb, b);
	put(b, "old b\n");
	cr_assert_eq(outfile_open(&oa, a), 0);
	cr_assert_eq(outfile_open(&ob, b), 0);
	fputs("new a", oa.fp);
	fputs("new b", ob.fp);
	outfile_cleanup();
	cr_expect_not(exists(ta));
	cr_expect_not(exists(tb));
	cr_expect_not(exists(a));
	cr_expect_str_eq(slurp(b), "old b\n");
	cr_expect_eq(entries(dir), 1);
	outfile_abort(&oa);		/* what a fatal path may still do: harmless */
	outfile_abort(&ob);
	cr_expect_eq(entries(dir), 1);
}

Test(outfile, cleanup_spares_committed_files, .init = make_dir, .fini = remove_dir)
{
	char a[PATHLEN], b[PATHLEN], tb[PATHLEN];
	struct outfile oa, ob;

	at(a, "done.txt");
	at(b, "open.txt");
	tmp_of(tb, b);
	cr_assert_eq(outfile_open(&oa, a), 0);
	fputs("done\n", oa.fp);
	cr_assert_eq(outfile_commit(&oa), 0);
	cr_assert_eq(outfile_open(&ob, b), 0);
	outfile_cleanup();
	cr_expect_str_eq(slurp(a), "done\n");
	cr_expect_not(exists(tb));
	outfile_abort(&ob);
	cr_expect_eq(entries(dir), 1);
}

Test(outfile, sigterm_unlinks_the_open_temp, .init = make_dir, .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN];
	struct outfile of;
	pid_t pid;
	int status;

	at(path, "out.txt");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {		/* the child opens, writes and is killed */
		if (outfile_open(&of, path) != 0)
			_exit(3);
		fputs("partial", of.fp);
		fflush(of.fp);
		raise(SIGTERM);
		_exit(4);	/* not reached: the handler re-raises with SIG_DFL */
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
		  "the child dies of SIGTERM (status %#x)", status);
	fmt(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)pid);
	cr_expect_not(exists(tmp), "the child's temporary file is gone");
	cr_expect_eq(entries(dir), 0);
}

/*
 * BUG (src/outfile.c:19 and :36-52, MAX_OPEN / track()): only 8 temporary files
 * are tracked; the 9th and later are silently not recorded, so
 * outfile_cleanup() (and the SIGINT/SIGTERM/SIGHUP handler) leave them
 * behind, against the header's "Unlinks every temporary file still open".
 * Input: 9 outfile_open() calls in one directory, then outfile_cleanup().
 * Expected: no "*.tmp.<pid>" left; actual: f8.txt.tmp.<pid> remains.
 * Low severity today (ddwsim opens at most a few outputs at once), but
 * nothing stops a sweep from opening more; track() should fail loudly or grow.
 */
Test(outfile, cleanup_unlinks_a_ninth_open_temp_too, .init = make_dir, .fini = remove_dir,
     .disabled = true)
{
	struct outfile of[9];
	char path[PATHLEN], name[32];

	for (unsigned i = 0; i < 9; i++) {
		fmt(name, sizeof(name), "f%u.txt", i);
		at(path, name);
		cr_assert_eq(outfile_open(&of[i], path), 0);
	}
	cr_expect_eq(entries(dir), 9);
	outfile_cleanup();
	cr_expect_eq(entries(dir), 0, "%u temporary files left behind", entries(dir));
	for (unsigned i = 0; i < 9; i++)
		outfile_abort(&of[i]);
}

/* ---- errors ---- */

Test(outfile, a_path_in_a_missing_folder_is_an_error, .init = redirect_err_and_make_dir,
     .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN], msg[2 * PATHLEN];
	struct outfile of;

	at(path, "missing/out.txt");
	tmp_of(tmp, path);
	cr_expect_eq(outfile_open(&of, path), -1);
	expect_released(&of);
	cr_expect_eq(entries(dir), 0);
	outfile_cleanup();		/* nothing was tracked: harmless */
	fmt(msg, sizeof(msg), "ddwsim: cannot create '%s': No such file or directory\n", tmp);
	fflush(stderr);
	cr_expect_stderr_eq_str(msg);
}

Test(outfile, a_path_under_a_regular_file_is_an_error, .init = redirect_err_and_make_dir,
     .fini = remove_dir)
{
	char file[PATHLEN], path[PATHLEN], tmp[PATHLEN], msg[2 * PATHLEN];
	struct outfile of;

	at(file, "plain");
	put(file, "not a directory\n");
	at(path, "plain/out.txt");
	tmp_of(tmp, path);
	cr_expect_eq(outfile_open(&of, path), -1);
	expect_released(&of);
	cr_expect_str_eq(slurp(file), "not a directory\n");
	fmt(msg, sizeof(msg), "ddwsim: cannot create '%s': Not a directory\n", tmp);
	fflush(stderr);
	cr_expect_stderr_eq_str(msg);
}

Test(outfile, an_unwritable_directory_is_an_error, .init = redirect_err_and_make_dir,
     .fini = remove_dir)
{
	char ro[PATHLEN], path[PATHLEN], tmp[PATHLEN], msg[2 * PATHLEN];
	struct outfile of;
	bool root = geteuid() == 0;
	int rc;

	at(ro, "ro");
	cr_assert_eq(mkdir(ro, 0555), 0);
	cr_assert_eq(chmod(ro, 0555), 0);		/* whatever the umask */
	cr_assert_eq(chmod(dir, 0755), 0);		/* traversable by another user */
	at(path, "ro/out.txt");
	tmp_of(tmp, path);
	/* root ignores directory permissions: drop to "nobody" for the open only */
	if (root && seteuid(65534) != 0)
		cr_skip_test("running as root and cannot seteuid: %s", strerror(errno));
	rc = outfile_open(&of, path);
	if (root)
		cr_assert_eq(seteuid(0), 0);
	cr_expect_eq(rc, -1);
	expect_released(&of);
	cr_expect_eq(entries(ro), 0);
	fmt(msg, sizeof(msg), "ddwsim: cannot create '%s': Permission denied\n", tmp);
	fflush(stderr);
	cr_expect_stderr_eq_str(msg);
}

/*
 * Today the open succeeds and the rename fails (EISDIR); after issue 11 the
 * open may fail instead (a directory cannot be written in place). Either
 * way: -1, a message, no temporary file, the directory untouched.
 */
Test(outfile, writing_onto_a_directory_fails_and_leaves_it_intact,
     .init = redirect_err_and_make_dir, .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN], inside[PATHLEN], msg[256] = { 0 };
	struct outfile of;
	struct stat st;
	int rc;

	at(path, "results");
	cr_assert_eq(mkdir(path, 0755), 0);
	at(inside, "results/keep.csv");
	put(inside, "kept\n");
	tmp_of(tmp, path);
	rc = outfile_open(&of, path);
	if (rc == 0) {
		fputs("report\n", of.fp);
		rc = outfile_commit(&of);
	}
	cr_expect_eq(rc, -1);
	expect_released(&of);
	cr_expect_not(exists(tmp));
	cr_assert_eq(lstat(path, &st), 0);
	cr_expect(S_ISDIR(st.st_mode), "the directory is still a directory");
	cr_expect_str_eq(slurp(inside), "kept\n");
	cr_expect_eq(entries(dir), 1);
	fflush(stderr);
	fgets(msg, sizeof(msg), cr_get_redirected_stderr());
	cr_expect(!strncmp(msg, "ddwsim: cannot ", 15), "a message: '%s'", msg);
}

/* RLIMIT_FSIZE makes writes past 4096 bytes fail with EFBIG (SIGXFSZ ignored). */
static void limit_file_size(void)
{
	struct rlimit rl;

	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = 4096;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

Test(outfile, a_write_error_fails_commit_and_keeps_the_old_file, .init = redirect_err_and_make_dir,
     .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN], msg[2 * PATHLEN];
	struct outfile of;

	at(path, "out.txt");
	tmp_of(tmp, path);
	put(path, "old\n");
	limit_file_size();
	cr_assert_eq(outfile_open(&of, path), 0);
	for (unsigned i = 0; i < 10000; i++)
		fputc('x', of.fp);
	cr_expect_eq(outfile_commit(&of), -1);
	expect_released(&of);
	cr_expect_str_eq(slurp(path), "old\n", "no partial file replaces the old one");
	cr_expect_not(exists(tmp));
	cr_expect_eq(entries(dir), 1);
	fmt(msg, sizeof(msg), "ddwsim: cannot write '%s': File too large\n", tmp);
	fflush(stderr);
	cr_expect_stderr_eq_str(msg);
}

Test(outfile, an_error_seen_by_an_earlier_flush_still_fails_commit,
     .init = redirect_err_and_make_dir, .fini = remove_dir)
{
	char path[PATHLEN], tmp[PATHLEN];
	struct outfile of;

	at(path, "out.txt");
	tmp_of(tmp, path);
	put(path, "old\n");
	limit_file_size();
	cr_assert_eq(outfile_open(&of, path), 0);
	for (unsigned i = 0; i < 5000; i++)
		fputc('y', of.fp);
	cr_expect_neq(fflush(of.fp), 0, "the flush hits the limit");	/* buffer now empty */
	cr_expect_eq(outfile_commit(&of), -1, "the lost bytes are not forgotten");
	cr_expect_str_eq(slurp(path), "old\n");
	cr_expect_not(exists(tmp));
}

/* ---- standard output ---- */

Test(outfile, a_dash_is_standard_output, .init = redirect_and_make_dir, .fini = remove_dir)
{
	char tmp[PATHLEN];
	struct outfile of;

	tmp_of(tmp, "-");
	cr_assert_eq(outfile_open(&of, "-"), 0);
	cr_expect_eq(of.fp, stdout);
	cr_expect_null(of.path);
	cr_expect_null(of.tmp);
	cr_expect_not(exists(tmp), "no temporary '-.tmp.<pid>' in the working directory");
	fputs("to stdout\n", of.fp);
	cr_expect_eq(outfile_commit(&of), 0);
	expect_released(&of);
	cr_expect_not(exists("-"), "no file named '-' in the working directory");
	cr_expect_stdout_eq_str("to stdout\n");
}

Test(outfile, a_null_path_is_standard_output, .init = redirect_and_make_dir, .fini = remove_dir)
{
	struct outfile of;

	cr_assert_eq(outfile_open(&of, NULL), 0);
	cr_expect_eq(of.fp, stdout);
	cr_expect_null(of.path);
	fputs("null path\n", of.fp);
	cr_expect_eq(outfile_commit(&of), 0);
	cr_expect_stdout_eq_str("null path\n");
}

Test(outfile, abort_on_standard_output_leaves_it_open, .init = redirect_and_make_dir,
     .fini = remove_dir)
{
	struct outfile of;

	cr_assert_eq(outfile_open(&of, "-"), 0);
	fputs("before ", of.fp);
	outfile_abort(&of);
	expect_released(&of);
	/* stdout is not closed: later output still arrives */
	cr_expect_geq(fputs("after\n", stdout), 0);
	cr_expect_eq(fflush(stdout), 0);
	cr_expect_stdout_eq_str("before after\n");
}

/* stdout (fd 1) onto /dev/full: every write to it fails with ENOSPC. */
static void stdout_to_dev_full(void)
{
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0)
		cr_skip_test("no /dev/full: %s", strerror(errno));
	cr_assert_eq(dup2(fd, 1), 1);
	close(fd);
}

Test(outfile, a_full_standard_output_fails_commit, .init = redirect_err_and_make_dir,
     .fini = remove_dir)
{
	struct outfile of;

	stdout_to_dev_full();
	cr_assert_eq(outfile_open(&of, "-"), 0);
	fputs("lost\n", of.fp);
	cr_expect_eq(outfile_commit(&of), -1);
	fflush(stderr);
	cr_expect_stderr_eq_str(
		"ddwsim: cannot write to standard output: No space left on device\n");
}

/*
 * BUG (src/outfile.c:97-99, outfile_commit on stdout): only fflush(stdout)
 * is checked, never ferror(stdout). When an earlier flush already failed -
 * stdio flushes by itself whenever its buffer fills, and after every line
 * when stdout is a terminal - the buffer is empty by commit time, fflush
 * returns 0 and commit returns 0 although output was lost. Input: stdout on
 * /dev/full, write "lost\n", fflush (fails, ferror set), outfile_commit.
 * Expected -1; actual 0. Without the explicit fflush it depends on where the
 * output ends relative to stdio's buffer: measured with outfile on /dev/full,
 * 4097 bytes of fputc then commit gives 0, while 4096, 4100 and 8192 give -1
 * (ddwsim's default text, CSV and JSON reports happen to be caught: exit 1).
 * The regular-file path does check ferror (line 103).
 */
Test(outfile, an_earlier_stdout_error_still_fails_commit, .init = redirect_err_and_make_dir,
     .fini = remove_dir, .disabled = true)
{
	struct outfile of;

	stdout_to_dev_full();
	cr_assert_eq(outfile_open(&of, "-"), 0);
	fputs("lost\n", of.fp);
	cr_expect_neq(fflush(of.fp), 0, "the flush fails on /dev/full");
	cr_expect_eq(outfile_commit(&of), -1, "the lost line is reported");
}

/* ---- issue 11: non-regular targets are written in place, never replaced ---- */

/*
 * issue 11: a symlink is replaced today. outfile_commit() renames
 * "<link>.tmp.<pid>" over the link itself, so the link becomes a regular file
 * and its target keeps the old content. Wanted: the link stays a link and
 * the file it points at gets the output.
 */
Test(outfile, a_symlink_stays_and_its_target_gets_the_output, .init = make_dir,
     .fini = remove_dir, .disabled = true)
{
	char target[PATHLEN], link[PATHLEN], buf[PATHLEN];
	struct outfile of;
	struct stat st;
	ssize_t n;

	at(target, "real.txt");
	at(link, "link.txt");
	put(target, "old\n");
	cr_assert_eq(symlink("real.txt", link), 0);
	cr_assert_eq(outfile_open(&of, link), 0);
	fputs("new\n", of.fp);
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link is still a symlink");
	n = readlink(link, buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	buf[n] = 0;
	cr_expect_str_eq(buf, "real.txt", "pointing where it did");
	cr_expect_str_eq(slurp(target), "new\n", "the target has the output");
	cr_expect_eq(entries(dir), 2, "no temporary file left");
}

/*
 * issue 11: "a symlink's target is written in place, never replaced": the
 * file the link points at keeps its inode (today it is not written at all,
 * see the test above). Separate from the test above so that an atomic write
 * of the target (rename onto real.txt) shows up as this one failing alone.
 */
Test(outfile, a_symlink_target_is_written_in_place, .init = make_dir, .fini = remove_dir,
     .disabled = true)
{
	char target[PATHLEN], link[PATHLEN];
	struct outfile of;
	struct stat before, after;

	at(target, "real.txt");
	at(link, "link.txt");
	put(target, "old content, longer than the new\n");
	cr_assert_eq(symlink("real.txt", link), 0);
	cr_assert_eq(stat(target, &before), 0);
	cr_assert_eq(outfile_open(&of, link), 0);
	fputs("new\n", of.fp);
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_eq(stat(target, &after), 0);
	cr_expect_eq(after.st_ino, before.st_ino, "the same file, not a replacement");
	cr_expect_str_eq(slurp(target), "new\n", "written from the start and truncated");
}

/*
 * issue 11: a FIFO is replaced today. outfile_open() writes a regular
 * "<fifo>.tmp.<pid>" and commit renames it over the FIFO: the reader gets
 * nothing and the FIFO is gone. Wanted: the output goes through the FIFO and
 * the FIFO stays. (A reader is opened first, non-blocking, so that opening
 * the FIFO for writing does not block.)
 */
Test(outfile, a_fifo_is_written_in_place, .init = make_dir, .fini = remove_dir, .disabled = true)
{
	char fifo[PATHLEN], got[64] = { 0 };
	struct outfile of;
	struct stat st;
	int rd;

	at(fifo, "pipe");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(rd, 0);
	cr_assert_eq(outfile_open(&of, fifo), 0);
	fputs("through the fifo\n", of.fp);
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_expect(S_ISFIFO(st.st_mode), "the FIFO is still a FIFO");
	cr_expect_eq(read(rd, got, sizeof(got) - 1), 17);
	cr_expect_str_eq(got, "through the fifo\n");
	cr_expect_eq(entries(dir), 1, "no temporary file beside it");
	close(rd);
}

/*
 * issue 11: "/dev/stdout" is a symlink to /proc/self/fd/1. The same link in
 * the temporary directory stands in for it, so the test never touches /dev
 * (today's code, given "/dev/stdout" itself, would create
 * /dev/stdout.tmp.<pid> and rename it over /dev/stdout). Today the link is
 * replaced by a regular file holding the output and stdout gets nothing.
 * Wanted: the output arrives on stdout and the link stays.
 */
Test(outfile, a_link_to_proc_self_fd_1_writes_to_stdout, .init = redirect_and_make_dir,
     .fini = remove_dir, .disabled = true)
{
	char link[PATHLEN];
	struct outfile of;
	struct stat st;

	if (lstat("/proc/self/fd/1", &st) != 0)
		cr_skip_test("no /proc/self/fd");
	at(link, "stdout");
	cr_assert_eq(symlink("/proc/self/fd/1", link), 0);
	cr_assert_eq(outfile_open(&of, link), 0);
	fputs("via the link\n", of.fp);
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link is still a symlink");
	cr_expect_eq(entries(dir), 1);
	fflush(stdout);
	cr_expect_stdout_eq_str("via the link\n");
}
