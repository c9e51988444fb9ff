/*
 * hist.c - log-linear buckets (the HdrHistogram shape): values below
 * 2^SUB are their own bucket; above, each power of two is split into
 * 2^(SUB-1) equal buckets. Counts are exact; a reported percentile is the
 * top of its bucket, so it errs high by less than 1/64 of the value.
 */
#include <math.h>
#include <string.h>

#include "ddwsim/hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned hist_bucket(uint64_t v)
{
	unsigned msb, shift;

	if (v < (1ull << HIST_SUB_BITS))
		return (unsigned)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS + 1;
	return (shift << (HIST_SUB_BITS - 1)) + (unsigned)(v >> shift);
}

uint64_t hist_bucket_max(unsigned b)
{
	unsigned half = 1u << (HIST_SUB_BITS - 1), shift, top;

	if (b < (1u << HIST_SUB_BITS))
		return b;
	shift = b / half - 1;
	top = b % half + half;
	if (shift >= 64 - HIST_SUB_BITS + 1)
		return UINT64_MAX;
	return ((uint64_t)(top + 1) << shift) - 1;
}

void hist_add(struct hist *h, uint64_t v)
{
	h->bucket[hist_bucket(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v > h->max)
		h->max = v;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0;

	if (!h->count)
		return 0;
	/* ceil(q * count) with q a decimal like 0.07 that a double holds a hair
	 * high (0.07 * 100 = 7.000000000000001): a relative 1e-12 below is
	 * taken as exact, far below any rank step for counts under 2^39 */
	want = (uint64_t)ceill((long double)q * (long double)h->count * (1.0L - 1e-12L));
	if (want < 1)
		want = 1;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= want) {
			uint64_t top = hist_bucket_max(b);

			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}
