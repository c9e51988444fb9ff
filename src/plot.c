/*
 * plot.c - `ddwsim plot FILE.csv`: the standard comparison of any report or
 * sweep CSV, drawn by gnuplot.
 *
 * What the CSV is decides the figure (report.c and sweep.c write them):
 *
 *   report   seed,name,mapping,...          one row per mode
 *            -> one bar per mode in each panel
 *   sweep    KEY1,KEY2,...,seed,name,...    the swept keys lead, one row per
 *                                           (point, mode)
 *            -> lines against --x (default KEY1), one line per mode and value
 *               of the other swept keys ("ddw-direct, tce_cache.entries=256")
 *
 * A report written with --per-device has a `device` column after seed and a
 * row per device after each mode's: only the modes' rows (device `all`, the
 * totals) are drawn, so it gives the figure the plain report gives.
 *
 * One panel per y column (--y, default: CPU per I/O, throughput and p99
 * latency, those the CSV holds a number for). The axes fit the data: a size
 * or count axis spanning 16x or more is log2, with tics at the swept values
 * as the sweep wrote them ("4K", "64K"), and the legend sits outside the
 * plot area, so it never covers a point.
 *
 * Safety. The CSV may come from anywhere, and a gnuplot script runs
 * commands (`system`). So nothing of the CSV reaches the script unchecked:
 * values are written only once they read as numbers (num.c's grammar, or a
 * decimal fraction), and labels only inside single quotes, with ' doubled
 * and control bytes replaced. gnuplot is run without a shell
 * (posix_spawnp), fed the script on a pipe, and writes the figure to
 * another pipe, which goes to the output through outfile.c (replaced
 * atomically, or written in place for a device or FIFO).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ddwsim/csv.h"
#include "ddwsim/err.h"
#include "ddwsim/num.h"
#include "ddwsim/outfile.h"
#include "ddwsim/plot.h"
#include "ddwsim/xalloc.h"

extern char **environ;

#define MAX_SERIES	64	/* lines in a panel: beyond that nobody reads the legend */
#define MAX_CATS	256	/* categories on a non-numeric x axis */
#define MAX_TICS	24	/* explicit tics at the swept values, up to this many */

static const char *const default_y[] = {
	"cpu.ns_per_io", "device.throughput_gbps", "device.latency_ns.p99",
};

enum xkind { X_BARS, X_CAT, X_INT, X_REAL };

struct plot {
	const struct plot_opts *o;
	struct csv t;
	int seed, name, x;		/* columns; x = -1 for bars */
	int y[PLOT_MAX_Y];
	unsigned ny;
	enum xkind xkind;
	bool xlog, xsized;		/* log2 axis; a value was written with a K/M/G suffix */
	uint64_t xmin, xmax;		/* X_INT */
	size_t series[MAX_SERIES];	/* the first row of each line */
	unsigned nseries;
	size_t cat[MAX_CATS];		/* X_CAT, X_BARS: the first row of each category */
	unsigned ncats;
	const char *fmt;		/* "png" or "svg" */
};

/* A decimal number as report.c writes one: -?D+(.D+)?([eE][+-]?D+)? */
static bool is_real(const char *s)
{
	const char *p = s + (*s == '-');
	size_t d = strspn(p, "0123456789");

	if (!d)
		return false;
	p += d;
	if (*p == '.') {
		d = strspn(++p, "0123456789");
		if (!d)
			return false;
		p += d;
	}
	if (*p == 'e' || *p == 'E') {
		p += 1 + (p[1] == '+' || p[1] == '-');
		d = strspn(p, "0123456789");
		if (!d)
			return false;
		p += d;
	}
	return *p == '\0';
}

void plot_put_label(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", fp);
		else
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
	}
	fputc('\'', fp);
}

int plot_out_format(const char *path, const char **fmt)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".png"))
		*fmt = "png";
	else if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".svg"))
		*fmt = "svg";
	else
		return ddw_error("plot: the output '%s' must end in .png or .svg", path);
	return 0;
}

static bool column_has_number(const struct plot *p, int col)
{
	for (size_t r = 1; r <= p->t.nrows; r++)
		if (is_real(csv_at(&p->t, r, (unsigned)col)))
			return true;
	return false;
}

static int need_col(const struct plot *p, const char *key, const char *opt)
{
	int c = csv_col(&p->t, key);

	if (c < 0)
		ddw_error("plot: %s '%s' is not a column of '%s'", opt, key, p->o->csv);
	return c;
}

/* The y columns: --y as given, else the defaults the CSV has numbers for. */
static int find_y(struct plot *p)
{
	for (unsigned i = 0; i < p->o->ny; i++) {
		if ((p->y[i] = need_col(p, p->o->y[i], "--y")) < 0)
			return -1;
		if (!column_has_number(p, p->y[i]))
			return ddw_error("plot: --y '%s' holds no number in '%s'", p->o->y[i], p->o->csv);
	}
	p->ny = p->o->ny;
	for (unsigned i = 0; !p->o->ny && i < sizeof(default_y) / sizeof(default_y[0]); i++) {
		int c = csv_col(&p->t, default_y[i]);

		if (c >= 0 && column_has_number(p, c))
			p->y[p->ny++] = c;
	}
	if (!p->ny)
		return ddw_error("plot: '%s' has none of the default columns with numbers (cpu.ns_per_io, device.throughput_gbps, device.latency_ns.p99): name them with --y",
				 p->o->csv);
	return 0;
}

static int find_columns(struct plot *p)
{
	p->seed = csv_col(&p->t, "seed");
	p->name = csv_col(&p->t, "name");
	if (p->seed < 0 || p->name < 0)
		return ddw_error("plot: '%s' is not a ddwsim report or sweep CSV: it has no 'seed' and 'name' columns",
				 p->o->csv);
	if (!p->t.nrows)
		return ddw_error("plot: '%s' has a header and no rows", p->o->csv);
	p->x = -1;
	if (p->o->x && (p->x = need_col(p, p->o->x, "--x")) < 0)
		return -1;
	if (!p->o->x && p->seed > 0)
		p->x = 0;		/* the sweep's first swept key */
	return find_y(p);
}

/* X_INT when every x reads as a number (sizes with K/M/G too), X_REAL when as a decimal, else X_CAT. */
static void classify_x(struct plot *p)
{
	bool ints = true, reals = true;

	p->xmin = UINT64_MAX;
	for (size_t r = 1; r <= p->t.nrows; r++) {
		const char *s = csv_at(&p->t, r, (unsigned)p->x);
		uint64_t v;

		if (num_parse_str(s, NUM_SIZE, &v) == 0) {
			p->xmin = v < p->xmin ? v : p->xmin;
			p->xmax = v > p->xmax ? v : p->xmax;
			p->xsized |= strpbrk(s, "KMGTPEkmgtpe") && strncmp(s, "0x", 2);
		} else {
			ints = false;
		}
		reals &= is_real(s);
	}
	p->xkind = ints ? X_INT : reals ? X_REAL : X_CAT;
	p->xlog = ints && p->xmin > 0 && p->xmax / p->xmin >= 16;
}

/* Rows r and s are on the same line: the same mode and other swept values. */
static bool same_series(const struct plot *p, size_t r, size_t s)
{
	for (int c = 0; c < p->seed; c++)
		if (c != p->x && strcmp(csv_at(&p->t, r, (unsigned)c), csv_at(&p->t, s, (unsigned)c)))
			return false;
	return !strcmp(csv_at(&p->t, r, (unsigned)p->name), csv_at(&p->t, s, (unsigned)p->name));
}

static int series_of(const struct plot *p, size_t r)
{
	for (unsigned i = 0; i < p->nseries; i++)
		if (same_series(p, p->series[i], r))
			return (int)i;
	return -1;
}

/* The category of row r: its x text (X_CAT) or the row itself (bars). */
static int cat_of(const struct plot *p, size_t r)
{
	if (p->xkind == X_BARS)
		return (int)r - 1;
	for (unsigned i = 0; i < p->ncats; i++)
		if (!strcmp(csv_at(&p->t, p->cat[i], (unsigned)p->x), csv_at(&p->t, r, (unsigned)p->x)))
			return (int)i;
	return -1;
}

static int group_rows(struct plot *p)
{
	if (p->x < 0) {
		p->xkind = X_BARS;
		if (p->t.nrows > MAX_CATS)
			return ddw_error("plot: '%s' has %zu rows, more bars than %d: is it a sweep without its swept columns?",
					 p->o->csv, p->t.nrows, MAX_CATS);
		for (size_t r = 1; r <= p->t.nrows; r++)
			p->cat[p->ncats++] = r;
		return 0;
	}
	classify_x(p);
	for (size_t r = 1; r <= p->t.nrows; r++) {
		if (series_of(p, r) < 0) {
			if (p->nseries == MAX_SERIES)
				return ddw_error("plot: '%s' makes more than %d lines: pick the x key with --x, or sweep fewer keys at once",
						 p->o->csv, MAX_SERIES);
			p->series[p->nseries++] = r;
		}
		if (p->xkind == X_CAT && cat_of(p, r) < 0) {
			if (p->ncats == MAX_CATS)
				return ddw_error("plot: '%s' has more than %d values of '%s' that are not numbers",
						 p->o->csv, MAX_CATS, csv_at(&p->t, 0, (unsigned)p->x));
			p->cat[p->ncats++] = r;
		}
	}
	return 0;
}

/* A line's title: the mode, then the other swept keys' values. */
static void series_title(FILE *fp, const struct plot *p, size_t r)
{
	size_t n = strlen(csv_at(&p->t, r, (unsigned)p->name)) + 1;
	char *s;

	for (int c = 0; c < p->seed; c++)
		if (c != p->x)
			n += strlen(csv_at(&p->t, 0, (unsigned)c)) + strlen(csv_at(&p->t, r, (unsigned)c)) + 3;
	s = xmalloc(n);
	strcpy(s, csv_at(&p->t, r, (unsigned)p->name));
	for (int c = 0; c < p->seed; c++)
		if (c != p->x)
			sprintf(s + strlen(s), ", %s=%s", csv_at(&p->t, 0, (unsigned)c), csv_at(&p->t, r, (unsigned)c));
	plot_put_label(fp, s);
	free(s);
}

/* Row r's x as gnuplot reads it. */
static void put_x(FILE *fp, const struct plot *p, size_t r)
{
	uint64_t v;

	if (p->xkind == X_INT && num_parse_str(csv_at(&p->t, r, (unsigned)p->x), NUM_SIZE, &v) == 0)
		fprintf(fp, "%llu", (unsigned long long)v);
	else if (p->xkind == X_REAL)
		fputs(csv_at(&p->t, r, (unsigned)p->x), fp);
	else
		fprintf(fp, "%d", cat_of(p, r));
}

/* One datablock per line ($s0, $s1, ...), or $bars: x, then each y (NaN when not a number). */
static void put_data(FILE *fp, const struct plot *p)
{
	unsigned nblocks = p->xkind == X_BARS ? 1 : p->nseries;

	for (unsigned b = 0; b < nblocks; b++) {
		fprintf(fp, p->xkind == X_BARS ? "$bars << EOD\n" : "$s%u << EOD\n", b);
		for (size_t r = 1; r <= p->t.nrows; r++) {
			if (p->xkind != X_BARS && !same_series(p, p->series[b], r))
				continue;
			put_x(fp, p, r);
			for (unsigned i = 0; i < p->ny; i++) {
				const char *v = csv_at(&p->t, r, (unsigned)p->y[i]);

				fprintf(fp, " %s", is_real(v) ? v : "NaN");
			}
			fputc('\n', fp);
		}
		fputs("EOD\n", fp);
	}
}

/* Explicit tics at the swept values as the sweep wrote them, when few. */
static void put_int_tics(FILE *fp, const struct plot *p)
{
	uint64_t seen[MAX_TICS + 1];
	unsigned n = 0;

	for (size_t r = 1; r <= p->t.nrows && n <= MAX_TICS; r++) {
		uint64_t v;
		unsigned i;

		if (num_parse_str(csv_at(&p->t, r, (unsigned)p->x), NUM_SIZE, &v) < 0)
			continue;
		for (i = 0; i < n && seen[i] != v; i++)
			;
		if (i == n) {
			fprintf(fp, "%s", n ? ", " : "set xtics (");
			plot_put_label(fp, csv_at(&p->t, r, (unsigned)p->x));
			fprintf(fp, " %llu", (unsigned long long)v);
			seen[n++] = v;
		}
	}
	if (n > MAX_TICS)
		fputs(")\nset xtics auto\n", fp);	/* too many: gnuplot's own */
	else if (n)
		fputs(")\n", fp);
}

static void put_cat_tics(FILE *fp, const struct plot *p)
{
	int col = p->xkind == X_BARS ? p->name : p->x;

	fprintf(fp, "set xrange [-0.6:%g]\nset xtics rotate by -20 (", p->ncats - 0.4);
	for (unsigned i = 0; i < p->ncats; i++) {
		fputs(i ? ", " : "", fp);
		plot_put_label(fp, csv_at(&p->t, p->cat[i], (unsigned)col));
		fprintf(fp, " %u", i);
	}
	fputs(")\n", fp);
}

static void put_x_axis(FILE *fp, const struct plot *p)
{
	fputs("set xlabel ", fp);
	plot_put_label(fp, p->xkind == X_BARS ? "mode" : csv_at(&p->t, 0, (unsigned)p->x));
	fputc('\n', fp);
	if (p->xkind == X_BARS || p->xkind == X_CAT) {
		put_cat_tics(fp, p);
	} else if (p->xkind == X_REAL) {
		fputs("set offsets graph 0.05, graph 0.05, 0, 0\n", fp);
	} else if (p->xlog) {
		fprintf(fp, "set logscale x 2\nset xrange [%.10g:%.10g]\n", (double)p->xmin / 1.3,
			(double)p->xmax * 1.3);
		put_int_tics(fp, p);
	} else {
		double pad = p->xmax > p->xmin ? (double)(p->xmax - p->xmin) * 0.05 : 1;

		fprintf(fp, "set xrange [%.10g:%.10g]\n", (double)p->xmin - pad, (double)p->xmax + pad);
		put_int_tics(fp, p);
	}
}

/* Panel i: bars, or one line per series, its title in the legend. */
static void put_panel(FILE *fp, const struct plot *p, unsigned i)
{
	const char *key = csv_at(&p->t, 0, (unsigned)p->y[i]);

	fputs("set title ", fp);
	plot_put_label(fp, key);
	fputs("\nset ylabel ", fp);
	plot_put_label(fp, key);
	fputc('\n', fp);
	if (p->xkind == X_BARS) {
		fprintf(fp, "plot $bars using 1:%u with boxes notitle lc rgb '#4477aa', "
			"$bars using 1:%u:(sprintf('%%.4g', column(%u))) with labels offset 0,0.7 notitle\n",
			i + 2, i + 2, i + 2);
		return;
	}
	fputs("plot ", fp);
	for (unsigned s = 0; s < p->nseries; s++) {
		fprintf(fp, "%s$s%u using 1:%u with linespoints title ", s ? ", " : "", s, i + 2);
		series_title(fp, p, p->series[s]);
	}
	fputc('\n', fp);
}

/* The whole script; out is the figure's path (--script) or NULL (stdout). */
static void put_script(FILE *fp, const struct plot *p, const char *out)
{
	unsigned w = p->xkind == X_BARS ? 800 : 1100, h = 300 * p->ny + 60;

	fprintf(fp, "# ddwsim plot\nset terminal %s size %u,%u noenhanced font ',10'\n",
		!strcmp(p->fmt, "png") ? "pngcairo" : "svg", w, h);
	if (out) {
		fputs("set output ", fp);
		plot_put_label(fp, out);
		fputc('\n', fp);
	}
	put_data(fp, p);
	fputs("set grid\nset key outside right top vertical noenhanced\nset yrange [0:*]\nset offsets 0, 0, graph 0.12, 0\n"
	      "set style fill solid 0.5 border -1\nset boxwidth 0.6\n", fp);
	fprintf(fp, "set multiplot layout %u,1 title ", p->ny);
	plot_put_label(fp, p->o->csv);
	fputc('\n', fp);
	put_x_axis(fp, p);
	for (unsigned i = 0; i < p->ny; i++)
		put_panel(fp, p, i);
	fputs("unset multiplot\n", fp);
}

static int spawn_gnuplot(pid_t *pid, int *to, int *from)
{
	int in[2], out[2], rc;
	posix_spawn_file_actions_t fa;
	char *argv[] = { "gnuplot", NULL };

	if (pipe(in) < 0)
		return ddw_error("plot: cannot make a pipe: %s", strerror(errno));
	if (pipe(out) < 0) {
		close(in[0]), close(in[1]);
		return ddw_error("plot: cannot make a pipe: %s", strerror(errno));
	}
	for (int i = 0; i < 2; i++)
		fcntl(in[i], F_SETFD, FD_CLOEXEC), fcntl(out[i], F_SETFD, FD_CLOEXEC);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	rc = posix_spawnp(pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]), close(out[1]);
	if (rc) {
		close(in[1]), close(out[0]);
		if (rc == ENOENT)
			return ddw_error("plot: gnuplot is not installed (apt-get install gnuplot-nox)");
		return ddw_error("plot: cannot run gnuplot: %s", strerror(rc));
	}
	*to = in[1];
	*from = out[0];
	return 0;
}

/* Feeds the script to gnuplot's stdin while its stdout goes to fp; both at once, so neither pipe fills. */
static int pump(int to, int from, const char *s, size_t len, FILE *fp, uint64_t *got)
{
	struct pollfd fds[2] = { { .fd = to, .events = POLLOUT }, { .fd = from, .events = POLLIN } };
	char buf[65536];
	size_t off = 0;

	while (fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return ddw_error("plot: poll: %s", strerror(errno));
		if (fds[0].fd >= 0 && fds[0].revents) {
			ssize_t w = write(to, s + off, len - off);

			off += w > 0 ? (size_t)w : 0;
			if (off == len || (w < 0 && errno != EAGAIN && errno != EINTR))
				close(to), fds[0].fd = -1;	/* all sent, or gnuplot stopped reading */
		}
		if (fds[1].revents) {
			ssize_t n = read(from, buf, sizeof(buf));

			if (n > 0)
				*got += fwrite(buf, 1, (size_t)n, fp);
			else if (n == 0 || errno != EINTR)
				close(from), fds[1].fd = -1;
		}
	}
	if (fds[0].fd >= 0)
		close(to);
	return 0;
}

int plot_draw(const char *csv, const char *script, size_t len, const char *out)
{
	struct outfile of;
	uint64_t got = 0;
	int to = -1, from = -1, status = 0;
	pid_t pid;

	if (outfile_open(&of, out) < 0)
		return DDW_EXIT_RUNTIME;
	if (spawn_gnuplot(&pid, &to, &from) < 0) {
		outfile_abort(&of);
		return DDW_EXIT_RUNTIME;
	}
	pump(to, from, script, len, of.fp, &got);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !got) {
		outfile_abort(&of);
		ddw_error("plot: gnuplot failed on '%s'%s", csv,
			  got ? " (its message is above)" : " and drew nothing (its message is above)");
		return DDW_EXIT_RUNTIME;
	}
	return outfile_commit(&of) < 0 ? DDW_EXIT_RUNTIME : DDW_EXIT_OK;
}

/* The default output: the CSV's name with .png for .csv (or added). */
static char *default_out(const char *csv)
{
	size_t n = strlen(csv);
	char *s = xmalloc(n + 5);

	memcpy(s, csv, n + 1);
	if (n > 4 && !strcasecmp(s + n - 4, ".csv"))
		s[n - 4] = '\0';
	strcat(s, ".png");
	return s;
}

/* A report written with --per-device: only its modes' rows (device `all`) are drawn. */
static void drop_device_rows(struct plot *p)
{
	int seed = csv_col(&p->t, "seed"), dev = csv_col(&p->t, "device");

	if (seed >= 0 && dev == seed + 1)
		csv_keep_rows(&p->t, (unsigned)dev, "all");
}

int plot_script(const struct plot_opts *o, char **script, size_t *len)
{
	struct plot p = { .o = o };
	int rc = DDW_EXIT_USAGE;
	FILE *fp;

	*script = NULL;
	*len = 0;
	if (plot_out_format(o->out, &p.fmt) == 0 && csv_read(&p.t, o->csv) < 0)
		rc = DDW_EXIT_RUNTIME;
	else if (p.fmt)
		drop_device_rows(&p);
	if (rc == DDW_EXIT_USAGE && p.fmt && find_columns(&p) == 0 && group_rows(&p) == 0) {
		if (!(fp = open_memstream(script, len))) {
			ddw_error("plot: out of memory");
			rc = DDW_EXIT_RUNTIME;
		} else {
			put_script(fp, &p, o->script ? o->out : NULL);
			rc = fclose(fp) == 0 ? DDW_EXIT_OK : DDW_EXIT_RUNTIME;
		}
	}
	if (rc != DDW_EXIT_OK) {
		free(*script);
		*script = NULL;
	}
	csv_release(&p.t);
	return rc;
}

/* The output named once: -o, else the CSV's name with .png (none for stdin). */
int plot_run(const struct plot_opts *o)
{
	struct plot_opts d = *o;
	char *script, *out = NULL;
	size_t len;
	int rc;

	if (!d.out && !strcmp(d.csv, "-")) {
		ddw_error("plot: a CSV on standard input needs -o FIG.png or FIG.svg");
		return DDW_EXIT_USAGE;
	}
	if (!d.out)
		d.out = out = default_out(d.csv);
	rc = plot_script(&d, &script, &len);
	if (rc == DDW_EXIT_OK && d.script)
		rc = fwrite(script, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : DDW_EXIT_RUNTIME;
	else if (rc == DDW_EXIT_OK)
		rc = plot_draw(d.csv, script, len, d.out);
	free(script);
	free(out);
	return rc;
}
