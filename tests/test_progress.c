/*
 * test_progress.c - the progress line: what it says, that it is rate-limited,
 * and that a silent progress (not a terminal, -q) writes nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
