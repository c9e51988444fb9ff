/*
 * test_outputs.c - end-to-end: every output of the binary ($DDWSIM_BIN,
 * default ./ddwsim, run from the repository root) respects what its path
 * names (issue 11, src/outfile.c):
 *   - a FIFO, a character device and a descriptor link are written in place
 *     and stay what they were; a symlink stays a link and its regular target
 *     is replaced atomically, with its mode;
 *   - a full or closed standard output (`trace info`, `--list-keys`,
 *     `sweep --print`, `--help`, the report) is exit 1 with one message;
 *   - no temporary file is left behind.
 * The FIFO, device nodes and links are made in a mkdtemp() folder, never in
 * /dev (a device node needs root: without it those tests are skipped, saying
 * so). A full stdout is /dev/full opened for writing, which replaces nothing.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATHLEN	4096
#define BUF	(1 << 20)

/* a report small enough to run in a blink, and deterministic */
#define REPORT	"--config configs/default.yaml --set run.ios=100 --format csv -q"
#define TRACE	"tests/traces/all-ops.ddwt"
#define SWEEP	"bench/sweeps/walk-levels.yaml"
#define QEMU_LOG "tests/import/dyn-ddw-64k.log"
#define WORKLOAD "workloads/nvme-4k-randread-qd32.yaml"

static char dir[PATHLEN];

struct result {
	int code;		/* exit status, 128 + signal if killed */
	char *err;		/* stderr */
};

/* snprintf that fails the test rather than truncate */
__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < size, "path or command too long");
}

static const char *bin(void)
{
	const char *b = getenv("DDWSIM_BIN");

	return b && *b ? b : "./ddwsim";
}

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* ---- the folder, and what is in it ---- */

static void make_dir(void)
{
	fmt(dir, sizeof(dir), "%s/ddwsim-outputs-XXXXXX", tmpdir());
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
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

static void at(char *buf, const char *name)
{
	fmt(buf, PATHLEN, "%s/%s", dir, name);
}

/* How many entries path has, and fails the test naming any "*.tmp.*" among them. */
static unsigned entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned n = 0;

	cr_assert_not_null(d, "cannot read '%s'", path);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		cr_expect_null(strstr(e->d_name, ".tmp."), "temporary file left: %s/%s", path,
			       e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static char *slurp_fd(int fd)
{
	char *buf = calloc(1, BUF + 1);
	size_t n = 0;
	ssize_t r;

	cr_assert_not_null(buf);
	while (n < BUF && (r = read(fd, buf + n, BUF - n)) > 0)
		n += (size_t)r;
	return buf;
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *s;

	cr_assert_geq(fd, 0, "cannot read '%s'", path);
	s = slurp_fd(fd);
	close(fd);
	return s;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot create '%s'", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* ---- running the binary ---- */

/* A scratch file outside the test folder (so entries() does not see it), unlinked at once. */
static int scratch(void)
{
	char path[PATHLEN];
	int fd;

	fmt(path, sizeof(path), "%s/ddwsim-outputs-scratch-XXXXXX", tmpdir());
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

/*
 * Runs "bin args" through sh with stdout on out_fd, stdin on /dev/null, and
 * SIGPIPE at its default, so that only ddwsim's own handling of it counts.
 */
static struct result run_to(int out_fd, const char *args)
{
	char cmd[8192];
	struct result r;
	int err = scratch(), st;
	pid_t pid;

	fmt(cmd, sizeof(cmd), "exec %s %s </dev/null", bin(), args);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(out_fd, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	lseek(err, 0, SEEK_SET);
	r.err = slurp_fd(err);
	close(err);
	return r;
}

/* Runs with stdout captured; *out gets it. */
static struct result run_capture(const char *args, char **out)
{
	int fd = scratch();
	struct result r = run_to(fd, args);

	lseek(fd, 0, SEEK_SET);
	*out = slurp_fd(fd);
	close(fd);
	return r;
}

/* What the command writes on stdout when all goes well: the reference. */
static char *reference(const char *args)
{
	char *out;
	struct result r = run_capture(args, &out);

	cr_assert_eq(r.code, 0, "reference '%s': exit %d: %s", args, r.code, r.err);
	free(r.err);
	return out;
}

static void expect_ok(struct result r, const char *what)
{
	cr_expect_eq(r.code, 0, "%s: exit %d, stderr: %s", what, r.code, r.err);
	cr_expect_str_eq(r.err, "", "%s", what);
	free(r.err);
}

static void expect_fail(struct result r, const char *msg, const char *what)
{
	cr_expect_eq(r.code, 1, "%s: exit %d, stderr: %s", what, r.code, r.err);
	cr_expect_str_eq(r.err, msg, "%s", what);
	free(r.err);
}

/* ---- FIFOs: written in place, with a reader; the FIFO stays ---- */

/*
 * A child that copies the FIFO to a scratch file; returns its pid, *copy the
 * file. It gives up after 30 s, so that a FIFO nobody opens (or one replaced
 * under it) never leaves it behind.
 */
static pid_t fifo_reader(const char *fifo, int *copy)
{
	pid_t pid;

	*copy = scratch();
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char buf[65536];
		int fd;
		ssize_t n;

		alarm(30);
		fd = open(fifo, O_RDONLY);

		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			if (write(*copy, buf, (size_t)n) != n)
				_exit(1);
		_exit(fd < 0);
	}
	return pid;
}

/* Waits for the reader; if nothing opened the FIFO, opening it here lets the reader see EOF. */
static char *reader_done(const char *fifo, pid_t pid, int copy)
{
	int st, w = open(fifo, O_WRONLY | O_NONBLOCK);
	char *s;

	if (w >= 0)
		close(w);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the reader failed");
	lseek(copy, 0, SEEK_SET);
	s = slurp_fd(copy);
	close(copy);
	return s;
}

static void expect_fifo(const char *path)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "'%s' is gone", path);
	cr_expect(S_ISFIFO(st.st_mode), "'%s' is still a FIFO", path);
}

/* Runs args (which name the FIFO `name` as their output) with a reader on it. */
static void check_fifo_output(const char *name, const char *args_fmt, const char *ref_args)
{
	char fifo[PATHLEN], args[2 * PATHLEN], *want, *got;
	pid_t reader;
	int copy;

	at(fifo, name);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	want = reference(ref_args);
	reader = fifo_reader(fifo, &copy);
	fmt(args, sizeof(args), args_fmt, fifo);
	expect_ok(run_to(STDOUT_FILENO, args), args);
	got = reader_done(fifo, reader, copy);
	cr_expect_str_eq(got, want, "what came through the FIFO");
	expect_fifo(fifo);
	cr_expect_eq(entries(dir), 1, "only the FIFO");
	free(want);
	free(got);
}

Test(outputs, a_report_to_a_fifo_goes_through_it_and_the_fifo_stays, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	check_fifo_output("report.csv", REPORT " -o %s", REPORT);
}

Test(outputs, a_trace_converted_to_a_fifo_goes_through_it_and_the_fifo_stays, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	check_fifo_output("out.ddwt", "trace convert " TRACE " %s", "trace convert " TRACE " -");
}

/* ---- symlinks: the link stays, its regular target is replaced with its mode ---- */

Test(outputs, a_report_to_a_symlink_replaces_its_target_and_keeps_the_link, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	char sub[PATHLEN], target[PATHLEN], link[PATHLEN], args[2 * PATHLEN], *want, *got;
	struct stat st;

	at(sub, "sub");
	at(target, "sub/real.csv");
	at(link, "report.csv");
	cr_assert_eq(mkdir(sub, 0755), 0);
	put(target, "old\n");
	cr_assert_eq(chmod(target, 0640), 0);
	cr_assert_eq(symlink("sub/real.csv", link), 0);
	want = reference(REPORT);
	fmt(args, sizeof(args), REPORT " -o %s", link);
	expect_ok(run_to(STDOUT_FILENO, args), args);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link is still a link");
	got = slurp(target);
	cr_expect_str_eq(got, want, "the target has the report");
	cr_assert_eq(stat(target, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640, "the target's mode is kept (%o)", st.st_mode & 07777);
	cr_expect_eq(entries(dir), 2, "the link and sub/");
	cr_expect_eq(entries(sub), 1, "the target alone");
	free(want);
	free(got);
}

Test(outputs, a_trace_imported_to_a_dangling_symlink_creates_its_target, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	char target[PATHLEN], link[PATHLEN], args[2 * PATHLEN], ref[PATHLEN], *want, *got;
	struct stat st;
	struct result r;

	at(target, "made.ddwt");
	at(link, "link.ddwt");
	cr_assert_eq(symlink("made.ddwt", link), 0);
	fmt(ref, sizeof(ref), "trace import --from qemu %s -", QEMU_LOG);
	want = reference(ref);
	fmt(args, sizeof(args), "trace import --from qemu %s %s", QEMU_LOG, link);
	r = run_to(STDOUT_FILENO, args);
	cr_expect_eq(r.code, 0, "exit %d: %s", r.code, r.err);
	free(r.err);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link is still a link");
	got = slurp(target);
	cr_expect_str_eq(got, want);
	cr_expect_eq(entries(dir), 2);
	free(want);
	free(got);
}

/* ---- character devices made here: written in place, never replaced ---- */

/* dir/name as a character device 1:minor (/dev/null is 1:3, /dev/full 1:7). */
static void make_node(char *path, const char *name, unsigned minor)
{
	int fd;

	at(path, name);
	if (mknod(path, S_IFCHR | 0666, makedev(1, minor)) != 0)
		cr_skip_test("cannot make a device node (%s): these tests need root", strerror(errno));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		cr_skip_test("cannot open a device node here (%s): mounted nodev?", strerror(errno));
	close(fd);
}

static void expect_device(const char *path, unsigned minor)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "'%s' is gone", path);
	cr_expect(S_ISCHR(st.st_mode), "'%s' is still a character device", path);
	cr_expect_eq(st.st_rdev, makedev(1, minor));
}

Test(outputs, a_report_to_a_null_device_leaves_it_a_device, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
	char null[PATHLEN], args[2 * PATHLEN];

	make_node(null, "null", 3);
	fmt(args, sizeof(args), REPORT " -o %s", null);
	expect_ok(run_to(STDOUT_FILENO, args), args);
	expect_device(null, 3);
	cr_expect_eq(entries(dir), 1);
}

Test(outputs, trace_outputs_to_a_null_device_leave_it_a_device, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	char null[PATHLEN], args[2 * PATHLEN];

	make_node(null, "null.ddwb", 3);
	fmt(args, sizeof(args), "trace convert " TRACE " %s", null);
	expect_ok(run_to(STDOUT_FILENO, args), args);
	fmt(args, sizeof(args), "trace gen --workload " WORKLOAD " --set run.ios=50 %s", null);
	expect_ok(run_to(STDOUT_FILENO, args), args);
	expect_device(null, 3);
	cr_expect_eq(entries(dir), 1);
}

Test(outputs, a_report_to_a_full_device_exits_1_and_leaves_it_a_device, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	char full[PATHLEN], args[2 * PATHLEN], msg[2 * PATHLEN];

	make_node(full, "full", 7);
	fmt(args, sizeof(args), REPORT " -o %s", full);
	fmt(msg, sizeof(msg), "ddwsim: cannot write '%s': No space left on device\n", full);
	expect_fail(run_to(STDOUT_FILENO, args), msg, args);
	fmt(args, sizeof(args), "trace convert " TRACE " %s", full);
	expect_fail(run_to(STDOUT_FILENO, args), msg, args);
	expect_device(full, 7);
	cr_expect_eq(entries(dir), 1);
}

/* ---- descriptor links (what /dev/stdout is), made here ---- */

Test(outputs, a_link_to_proc_self_fd_1_writes_to_stdout_and_stays, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	char link[PATHLEN], args[2 * PATHLEN], *want, *got;
	struct stat st;
	struct result r;

	if (access("/proc/self/fd/1", F_OK) != 0)
		cr_skip_test("no /proc/self/fd");
	at(link, "stdout");
	cr_assert_eq(symlink("/proc/self/fd/1", link), 0);
	want = reference(REPORT);
	fmt(args, sizeof(args), REPORT " -o %s", link);
	r = run_capture(args, &got);
	expect_ok(r, args);
	cr_expect_str_eq(got, want);
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link is still a link");
	cr_expect_eq(entries(dir), 1);
	free(want);
	free(got);
}

/* ---- a full standard output: exit 1, one message, whatever wrote it ---- */

static const char *const stdout_commands[] = {
	"--list-keys",
	"--help",
	"--version",
	"trace info " TRACE,
	"trace info " TRACE " --format json",
	"trace convert " TRACE " -",
	REPORT,
	REPORT " -o -",
};

static void each_stdout_command(int out_fd, const char *msg)
{
	char args[2 * PATHLEN];

	for (size_t i = 0; i < sizeof(stdout_commands) / sizeof(stdout_commands[0]); i++)
		expect_fail(run_to(out_fd, stdout_commands[i]), msg, stdout_commands[i]);
	fmt(args, sizeof(args), "sweep " SWEEP " --print --results %s/results", dir);
	expect_fail(run_to(out_fd, args), msg, args);
}

static int dev_full(void)
{
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0)
		cr_skip_test("no /dev/full: %s", strerror(errno));
	return fd;
}

Test(outputs, every_stdout_writer_onto_a_full_stdout_exits_1, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
	int full = dev_full();

	each_stdout_command(full, "ddwsim: cannot write to standard output: No space left on device\n");
	close(full);
}

Test(outputs, a_descriptor_link_onto_a_full_stdout_exits_1_naming_it, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
	char link[PATHLEN], args[2 * PATHLEN], msg[2 * PATHLEN];
	int full = dev_full();

	if (access("/proc/self/fd/1", F_OK) != 0)
		cr_skip_test("no /proc/self/fd");
	at(link, "stdout");
	cr_assert_eq(symlink("/proc/self/fd/1", link), 0);
	fmt(args, sizeof(args), REPORT " -o %s", link);
	fmt(msg, sizeof(msg), "ddwsim: cannot write '%s': No space left on device\n", link);
	expect_fail(run_to(full, args), msg, args);
	close(full);
}

/* ---- a closed pipe: EPIPE is an error, not a silent death or exit 0 ---- */

Test(outputs, every_stdout_writer_onto_a_closed_pipe_exits_1, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
	int p[2];

	cr_assert_eq(pipe(p), 0);
	close(p[0]);		/* the reader is gone before anything is written */
	each_stdout_command(p[1], "ddwsim: cannot write to standard output: Broken pipe\n");
	close(p[1]);
}

/* ---- sweep --print: the commands it prints can write their points ---- */

Test(outputs, sweep_print_makes_the_folder_its_commands_write_to, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
	char args[2 * PATHLEN], points[PATHLEN], *out, *nl;
	struct result r;

	fmt(args, sizeof(args), "sweep " SWEEP " --print --results %s/results", dir);
	r = run_capture(args, &out);
	expect_ok(r, args);
	at(points, "results/.points/walk-levels");
	cr_expect_eq(entries(points), 0, "the points folder exists, empty");
	nl = strchr(out, '\n');
	cr_assert_not_null(nl, "no command printed");
	*nl = '\0';
	cr_expect_eq(system(out), 0, "the first printed command runs: %s", out);
	cr_expect_eq(entries(points), 1, "and writes its point");
	free(out);
}
