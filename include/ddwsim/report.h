/* report.h - text / JSON / CSV reports of the modes, side by side. */
#ifndef DDWSIM_REPORT_H
#define DDWSIM_REPORT_H

#include <stdio.h>

#include "ddwsim/config.h"
#include "ddwsim/result.h"

enum report_fmt { REPORT_TEXT, REPORT_JSON, REPORT_CSV };

/* s as one CSV field (RFC 4180): quoted, each '"' doubled, when it holds a comma, a quote, CR or LF. */
void report_csv_field(FILE *fp, const char *s);

/* "text", "json", "csv" -> format; -1 if unknown. */
int report_fmt_parse(const char *s);

#define REPORT_PER_DEVICE	0x1	/* CSV: a device column, and a row per device after each mode's */

/*
 * Writes the report of n modes to fp: every figure of every mode (from the
 * stats registry), the seed, and the parameters the run used with their
 * sources. Text and JSON always show the per-device figures; CSV has one row
 * per mode (the totals) unless flags has REPORT_PER_DEVICE: then a `device`
 * column follows `seed`, `all` on each mode's row, and after it a row per
 * device (its number) holding its per-device figures (FIG_DEV) and the
 * mode's name (FIG_ROW_KEY), the other cells empty. Never fails by itself;
 * the caller checks fp.
 */
void report_write(FILE *fp, enum report_fmt fmt, const struct config *cfg,
		  const struct sim_result *res, unsigned n, unsigned flags);

#endif /* DDWSIM_REPORT_H */
