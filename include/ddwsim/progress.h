/* progress.h - the progress line on a terminal: part i of n, percent done, rate and time left. */
#ifndef DDWSIM_PROGRESS_H
#define DDWSIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *fp;		/* where the line goes (stderr); NULL = off */
	unsigned part, nparts;	/* the part running (0-based) of nparts: a run's modes */
	char name[64];		/* the part's name */
	double t0;		/* when the first part began, s (monotonic) */
	double part_t0;		/* when the running part began */
	double shown;		/* when the line was last written */
	int report_fd;		/* a point of a sweep or advise: the fraction done goes
				 * to this descriptor (PROGRESS_FD_ENV), -1 = none */
};

/*
 * A sweep or advise runs each point as a ddwsim child with -q. The parent
 * puts a pipe's write end in the child's environment as PROGRESS_FD_ENV
 * (its descriptor number); the child's silent progress then writes "F\n"
 * lines to it, F being the fraction of the child's whole run done (0..1,
 * modes and ops), at most four times a second, and the parent's line
 * counts ops done across points (sweep.c).
 */
#define PROGRESS_FD_ENV	"DDWSIM_PROGRESS_FD"

/*
 * progress_init() starts a progress of nparts parts written to fp, or a
 * silent one when fp is NULL (not a terminal, -q): every call is then a
 * no-op, so callers never test, but for the fractions a silent progress
 * reports to a parent's pipe when PROGRESS_FD_ENV names one.
 */
void progress_init(struct progress *p, FILE *fp, unsigned nparts);
/* Part part (0-based) named name begins: "ddwsim: mode 2/3 ddw-dynamic ...". */
void progress_begin(struct progress *p, unsigned part, const char *name);
/*
 * The running part is frac done (0..1; negative when nothing says how much
 * is left, a trace read from a pipe) after ops operations. Writes the line
 * at most four times a second: percent of the whole, ops/s, and from the
 * second second on the time left at the rate so far.
 */
void progress_update(struct progress *p, double frac, uint64_t ops);
/*
 * A parent's side of PROGRESS_FD_ENV: the last whole fraction in the n
 * bytes of buf (lines "F\n"; a line not yet ended is ignored), or -1 if
 * none. Values outside 0..1 are clamped.
 */
double progress_parse(const char *buf, size_t n);
/* Clears the line. */
void progress_end(struct progress *p);

#endif /* DDWSIM_PROGRESS_H */
