/* hist.h - log-linear histogram of 64-bit values: fixed memory, exact counts, percentiles. */
#ifndef DDWSIM_HIST_H
#define DDWSIM_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	7	/* values below 128 are exact; above, relative error < 1/64 */
#define HIST_BUCKETS	((64 - HIST_SUB_BITS + 2) << (HIST_SUB_BITS - 1))

struct hist {
	uint64_t count;			/* values recorded */
	uint64_t max;			/* largest value recorded */
	double sum;			/* of all values, for the mean */
	uint64_t bucket[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
/*
 * The value at quantile q (0 < q <= 1): the largest value of the first bucket
 * whose cumulative count reaches ceil(q * count), capped by the max recorded.
 * 0 for an empty histogram.
 */
uint64_t hist_quantile(const struct hist *h, double q);
/* Mean of the values recorded (exact up to double rounding); 0 if none. */
double hist_mean(const struct hist *h);
/* Bucket of v, and the largest value that bucket holds (for tests). */
unsigned hist_bucket(uint64_t v);
uint64_t hist_bucket_max(unsigned b);

#endif /* DDWSIM_HIST_H */
