/*
 * test_progress.c - the progress line: what it says, that it is rate-limited,
 * and that a silent progress (not a terminal, -q) writes nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>

#include "ddwsim/progress.h"

static void wait_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static char *contents(FILE *fp)
{
	static char buf[4096];
	size_t n;

	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	return buf;
}

Test(progress, the_line_counts_the_whole_run)
{
	FILE *fp = tmpfile();
	struct progress p;

	cr_assert(fp);
	progress_init(&p, fp, 4);
	progress_begin(&p, 1, "ddw-dynamic");
	cr_assert(strstr(contents(fp), "\rddwsim: mode 2/4 ddw-dynamic ...\033[K"));
	progress_update(&p, 0.5, 100);		/* within 0.25 s of the last write: nothing */
	cr_assert(!strstr(contents(fp), "%"));
	wait_s(0.3);
	/* part 1 of 4 half done: (1 + 0.5) / 4 = 37.5 %, printed %.0f */
	progress_update(&p, 0.5, 100);
	cr_assert(strstr(contents(fp), "\rddwsim: mode 2/4 ddw-dynamic: 38%, "), "%s", contents(fp));
	wait_s(0.3);
	progress_update(&p, -1, 3000000);	/* a pipe: no fraction, the ops so far */
	cr_assert(strstr(contents(fp), "ddw-dynamic: 3 M ops, "), "%s", contents(fp));
	progress_end(&p);
	cr_assert(strstr(contents(fp), "\r\033[K"));
	fclose(fp);
}

Test(progress, time_left_from_the_second_second)
{
	FILE *fp = tmpfile();
	struct progress p;

	cr_assert(fp);
	progress_init(&p, fp, 1);
	progress_begin(&p, 0, "m");
	wait_s(1.1);
	/* 1.1 s (or a little more on a busy machine) for a quarter: three quarters
	 * left take three times that, about 3.3 s */
	progress_update(&p, 0.25, 10);
	{
		const char *a = strstr(contents(fp), ", about ");
		unsigned left = 0;

		cr_assert(strstr(contents(fp), "m: 25%, "), "%s", contents(fp));
		cr_assert(a && sscanf(a, ", about %us left", &left) == 1, "%s", contents(fp));
		cr_assert(left >= 3 && left <= 6, "%u s left", left);
	}
	fclose(fp);
}

Test(progress, silent_when_off)
{
	struct progress p;

	progress_init(&p, NULL, 3);
	progress_begin(&p, 0, "m");
	progress_update(&p, 0.5, 1);
	progress_end(&p);
	cr_assert_null(p.fp);
}

/* A sweep's point (a child with -q): no line, but its fraction of the whole
 * run to the parent's pipe named by PROGRESS_FD_ENV. Mode 2 of 4 begins:
 * 1/4 = 0.25 done; half through it: (1 + 0.5) / 4 = 0.375. */
Test(progress, a_point_reports_its_fraction_to_the_parents_pipe)
{
	int fd[2];
	char env[16], buf[256];
	struct progress p;
	ssize_t n;

	cr_assert_eq(pipe(fd), 0);
	snprintf(env, sizeof(env), "%d", fd[1]);
	setenv(PROGRESS_FD_ENV, env, 1);
	progress_init(&p, NULL, 4);
	progress_begin(&p, 1, "ddw-dynamic");
	progress_update(&p, 0.5, 100);		/* within 0.25 s: nothing */
	wait_s(0.3);
	progress_update(&p, 0.5, 100);
	progress_update(&p, -1, 100);		/* no fraction known: nothing */
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_str_eq(buf, "0.2500\n0.3750\n");
	cr_assert_float_eq(progress_parse(buf, (size_t)n), 0.375, 1e-9);
	close(fd[0]);
	unsetenv(PROGRESS_FD_ENV);
}

/* The parent reads the last whole line; a line still being written is not
 * one; values are clamped to 0..1. */
Test(progress, the_parent_takes_the_last_whole_line)
{
	cr_assert_float_eq(progress_parse("0.2500\n0.5000\n0.7", 18), 0.5, 1e-9);
	cr_assert_eq(progress_parse("0.7", 3), -1);
	cr_assert_eq(progress_parse("", 0), -1);
	cr_assert_float_eq(progress_parse("1.5\n", 4), 1.0, 1e-9);
}
