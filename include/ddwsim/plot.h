/* plot.h - `ddwsim plot`: a report's or a sweep's CSV drawn as the standard comparison, with gnuplot. */
#ifndef DDWSIM_PLOT_H
#define DDWSIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PLOT_MAX_Y	8	/* panels: one per --y key */

struct plot_opts {
	const char *csv;	/* a report's CSV (--format csv) or a sweep's results/NAME.csv; "-" = stdin */
	const char *out;	/* FIG.png or FIG.svg; NULL = the CSV's name with .png */
	const char *x;		/* the x column; NULL = the sweep's first swept key */
	const char *y[PLOT_MAX_Y]; /* the y columns; none = the defaults (plot.c) */
	unsigned ny;
	bool script;		/* write the gnuplot script to stdout instead of drawing */
};

/*
 * plot_run() draws o->csv: modes as bars (a report: one row per mode) or
 * lines against the x column (a sweep: the swept keys lead, before `seed`),
 * one panel per y column, legends outside the data. gnuplot writes the
 * figure to a pipe and ddwsim writes it to o->out through outfile.c: all or
 * nothing. Returns an exit status (enum ddw_exit): 2 for a bad option or a
 * CSV that is not ddwsim's, 1 when reading, gnuplot or writing fails.
 */
int plot_run(const struct plot_opts *o);

/* s as a gnuplot string: in single quotes, ' doubled, a control byte as '?'. Whatever s holds, it stays text. */
void plot_put_label(FILE *fp, const char *s);

/*
 * plot_script() is plot_run() up to the drawing, for o->out (required: the
 * format follows its name): the gnuplot script in *script, *len bytes,
 * which the caller frees, with `set output` only when o->script. Returns
 * the same exit status; *script is NULL unless 0.
 */
int plot_script(const struct plot_opts *o, char **script, size_t *len);

/* "png" or "svg" in *fmt for path's extension; 0, or -1 after reporting. */
int plot_out_format(const char *path, const char **fmt);

/*
 * plot_draw() runs gnuplot on script (len bytes; a script with no `set
 * output`) and writes what it draws to out through outfile.c; what names the
 * figure's data in messages. Returns an exit status (enum ddw_exit).
 * `ddwsim advise -o` draws its Pareto front through it.
 */
int plot_draw(const char *what, const char *script, size_t len, const char *out);

#endif /* DDWSIM_PLOT_H */
