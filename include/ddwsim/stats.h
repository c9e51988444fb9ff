/* stats.h - the counters of one simulated mode, and the registry that names them. */
#ifndef DDWSIM_STATS_H
#define DDWSIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "ddwsim/counters.h"

enum stat_kind {
	STAT_U64,		/* a uint64_t counter */
	STAT_RATIO,		/* num / den, printed with 4 decimals */
};

/* One reported figure: where it is and what it means. */
struct stat_desc {
	const char *path;	/* JSON path, dotted: "tce_cache.hits" */
	enum stat_kind kind;
	size_t off;		/* offset of the counter (STAT_U64) or numerator */
	size_t den;		/* offset of the denominator (STAT_RATIO) */
	const char *help;	/* one line for the text report and the README */
};

/* The registry, in report order; ends with a NULL path. */
extern const struct stat_desc mode_stat_table[];

uint64_t stat_u64(const struct mode_stats *s, const struct stat_desc *d);
double stat_ratio(const struct mode_stats *s, const struct stat_desc *d);

#endif /* DDWSIM_STATS_H */
