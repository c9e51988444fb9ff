/*
 * progress.c - the progress line on a terminal.
 *
 * One line, rewritten in place ("\r...\033[K"), on stderr when it is a
 * terminal: the caller decides that and passes NULL otherwise, so logs and
 * pipes never get control characters. The time left is the elapsed time
 * scaled by what remains of the whole (parts done plus the running part's
 * fraction), so it follows the work actually done, op by op, not the number
 * of parts.
 */
#include <string.h>
#include <time.h>

#include "ddwsim/err.h"
#include "ddwsim/progress.h"

#define PROGRESS_PERIOD	0.25	/* s between two writes of the line */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_init(struct progress *p, FILE *fp, unsigned nparts)
{
	memset(p, 0, sizeof(*p));
	p->fp = fp;
	p->nparts = nparts ? nparts : 1;
	p->t0 = now();
}

void progress_begin(struct progress *p, unsigned part, const char *name)
{
	if (!p->fp)
		return;
	p->part = part;
	snprintf(p->name, sizeof(p->name), "%s", name);
	fprintf(p->fp, "\rddwsim: mode %u/%u %s ...\033[K", part + 1, p->nparts, p->name);
	fflush(p->fp);
	ddw_status_line(p->fp == stderr);
	p->shown = p->part_t0 = now();
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
	double t = now(), el = t - p->t0, whole, rate;
	char left[32];

	if (!p->fp || t - p->shown < PROGRESS_PERIOD)
		return;
	p->shown = t;
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

void progress_end(struct progress *p)
{
	if (!p->fp)
		return;
	fputs("\r\033[K", p->fp);
	fflush(p->fp);
	ddw_status_line(false);
}
