/*
 * progress.c - the progress line on a terminal.
 *
 * One line, rewritten in place ("\r...\033[K"), on stderr when it is a
 * terminal: the caller decides that and passes NULL otherwise, so logs and
 * pipes never get control characters. The time left is the elapsed time
 * scaled by what remains of the whole (parts done plus the running part's
 * fraction), so it follows the work actually done, op by op, not the number
 * of parts.
 *
 * A point of a sweep or advise (a child with -q) has no line; it reports
 * its fraction done to the parent's pipe instead (PROGRESS_FD_ENV), as text
 * lines, and sweep.c adds the points' fractions into its own line.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ddwsim/err.h"
#include "ddwsim/progress.h"

#define PROGRESS_PERIOD	0.25	/* s between two writes of the line */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The parent's pipe named by PROGRESS_FD_ENV, or -1. */
static int report_fd(void)
{
	const char *s = getenv(PROGRESS_FD_ENV);
	char *end;
	long fd;

	if (!s || !*s)
		return -1;
	fd = strtol(s, &end, 10);
	return *end || fd < 0 || fd > 65535 ? -1 : (int)fd;
}

/* Writes the whole fraction done to the parent's pipe (a full pipe drops it). */
static void report(struct progress *p, double whole)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%.4f\n", whole);

	if (write(p->report_fd, line, (size_t)n) != n)
		p->report_fd = -1;	/* the parent is gone: stop */
}

void progress_init(struct progress *p, FILE *fp, unsigned nparts)
{
	memset(p, 0, sizeof(*p));
	p->fp = fp;
	p->nparts = nparts ? nparts : 1;
	p->t0 = now();
	p->report_fd = fp ? -1 : report_fd();
}

void progress_begin(struct progress *p, unsigned part, const char *name)
{
	p->part = part;
	p->shown = p->part_t0 = now();
	if (p->report_fd >= 0)
		report(p, (double)part / p->nparts);
	if (!p->fp)
		return;
	snprintf(p->name, sizeof(p->name), "%s", name);
	fprintf(p->fp, "\rddwsim: mode %u/%u %s ...\033[K", part + 1, p->nparts, p->name);
	fflush(p->fp);
	ddw_status_line(p->fp == stderr);
}

/* "1h02m", "3m20s" or "12s". */
static const char *dur(double s, char *buf, size_t n)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, n, "%luh%02lum", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, n, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, n, "%lus", t);
	return buf;
}

void progress_update(struct progress *p, double frac, uint64_t ops)
{
	double t, el, whole, rate;
	char left[32];

	if (!p->fp && p->report_fd < 0)
		return;
	t = now();
	el = t - p->t0;
	if (t - p->shown < PROGRESS_PERIOD)
		return;
	p->shown = t;
	if (!p->fp) {
		if (frac >= 0)
			report(p, (p->part + (frac > 1 ? 1 : frac)) / p->nparts);
		return;
	}
	rate = t > p->part_t0 ? (double)ops / (t - p->part_t0) : 0;
	fprintf(p->fp, "\rddwsim: mode %u/%u %s: ", p->part + 1, p->nparts, p->name);
	if (frac < 0) {
		fprintf(p->fp, "%.3g M ops, %.3g M ops/s\033[K", ops / 1e6, rate / 1e6);
	} else {
		whole = (p->part + (frac > 1 ? 1 : frac)) / p->nparts;
		fprintf(p->fp, "%.0f%%, %.3g M ops/s", 100 * whole, rate / 1e6);
		if (el >= 1 && whole > 0)
			fprintf(p->fp, ", about %s left", dur(el * (1 - whole) / whole, left, sizeof(left)));
		fputs("\033[K", p->fp);
	}
	fflush(p->fp);
	ddw_status_line(p->fp == stderr);
}

double progress_parse(const char *buf, size_t n)
{
	size_t end = n, start;
	char line[32];
	double v;

	while (end && buf[end - 1] != '\n')	/* a line not yet ended */
		end--;
	if (!end)
		return -1;
	start = end - 1;
	while (start && buf[start - 1] != '\n')
		start--;
	if (end - 1 - start >= sizeof(line))
		return -1;
	memcpy(line, buf + start, end - 1 - start);
	line[end - 1 - start] = '\0';
	v = strtod(line, NULL);
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

void progress_end(struct progress *p)
{
	if (!p->fp)
		return;
	fputs("\r\033[K", p->fp);
	fflush(p->fp);
	ddw_status_line(false);
}
