/*
 * stats.h - the registry of every figure a report shows.
 *
 * A report is a tree of sections. Each section is one JSON object, declared
 * once as one array of items; an item is a figure or a subsection. The text,
 * JSON and CSV writers (report.c) only walk this tree, so the three formats
 * cannot disagree, and a key cannot appear twice in an object unless it is
 * written twice in one array (stats_check() and the tests refuse that).
 */
#ifndef DDWSIM_STATS_H
#define DDWSIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddwsim/result.h"

enum fig_kind {
	FIG_U64,	/* a counter of struct mode_stats, at off */
	FIG_HEX,	/* the same, shown 0x... in text and CSV */
	FIG_RATIO,	/* counter off / counter den, 4 decimals */
	FIG_NUM,	/* num(): a number with `digits` decimals; NaN = not known (- / null) */
	FIG_STR,	/* str(): a string */
	FIG_SECTION,	/* a nested object: sub */
	FIG_DEVICES,	/* JSON only: an array of per-device objects
			 * {"device": N, "figures": {the FIG_DEV figures}} */
};

#define FIG_DEV		0x1	/* also a per-device figure (counters only) */
#define FIG_DEV_TEXT	0x2	/* shown in the text report's per-device table */
#define FIG_RESULT	0x4	/* FIG_U64/FIG_HEX: off is in struct sim_result, not the counters */
#define FIG_TEXT_NOTE	0x8	/* FIG_STR too long for a column: the text report shows it
				 * under the table, a line per mode (and per device) */
#define FIG_ROW_KEY	0x10	/* names the mode's row: repeated on its per-device CSV rows */

/* What a figure is computed from: one mode's result, and the first mode's. */
struct fig_ctx {
	const struct sim_result *r;
	const struct sim_result *first;
	const struct mode_stats *st;	/* r->st, or one device's counters */
};

struct figure {
	const char *key;		/* its name within its section */
	enum fig_kind kind;
	size_t off, den;		/* FIG_U64, FIG_HEX, FIG_RATIO */
	double (*num)(const struct fig_ctx *c);
	const char *(*str)(const struct fig_ctx *c);
	int digits;			/* FIG_NUM */
	unsigned flags;			/* FIG_DEV, FIG_DEV_TEXT */
	const struct figure *sub;	/* FIG_SECTION: its items, ending with a NULL key */
	const char *help;		/* one line: what it means */
};

/* A mode's figures (the root section of each entry of "modes"). */
extern const struct figure stats_mode[];
/*
 * The summary that opens every report, one line per mode: a selection of the
 * mode's figures (by path), with a JSON key and a text title each.
 */
struct summary_col {
	const char *key;		/* in the JSON summary */
	const char *title;		/* in the text summary */
	const char *path;		/* the figure in stats_mode */
};
extern const struct summary_col stats_summary[];

/* The figure at a dotted path under root, or NULL. */
const struct figure *stats_find(const struct figure *root, const char *path);

/* A figure's value as text (text and CSV) and as a JSON value. */
void stats_text(const struct figure *f, const struct fig_ctx *c, char *buf, size_t n);
void stats_json(const struct figure *f, const struct fig_ctx *c, char *buf, size_t n);

/*
 * Visits every figure under root in report order with its dotted path (the
 * text row and the CSV column). dev_only: only FIG_DEV figures.
 */
typedef void (*stats_visit_fn)(void *arg, const char *path, const struct figure *f);
void stats_walk(const struct figure *root, bool dev_only, stats_visit_fn fn, void *arg);

/* Does the section hold a figure a per-device object shows? */
bool stats_has_dev(const struct figure *section);

/* 0 if no section repeats a key; else -1 with the repeated path in buf. */
int stats_check(const struct figure *root, char *buf, size_t n);

/* What limits the throughput of a timed mode ("host CPU", "link", ...). */
const char *stats_bottleneck(const struct sim_result *r);

#endif /* DDWSIM_STATS_H */
