/*
 * lookup_bench.c - ns per tce_cache_lookup, alone, for the geometries ddwsim
 * runs (make speed prints it).
 *
 * Each case replays the same stream of 2^22 TCE indexes, drawn uniformly
 * from `span` consecutive ones, as phb.c uses the cache: a lookup, and a fill
 * on a miss. span = entries gives hits only once warm (every set holds its
 * `ways` indexes); span > entries gives misses too. The figure is the CPU
 * time of the fastest pass over the stream (other processes sharing the
 * core add to the others) divided by its lookups, fills included; the
 * indexes are computed before the clock starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ddwsim/tce_cache.h"

#define STREAM	(1u << 22)
#define ROUNDS	6		/* the first warms up; the fastest of the others counts */

struct bench_case {
	const char *what;
	unsigned entries, ways;
	enum tce_cache_policy policy;
	unsigned span;			/* distinct indexes in the stream */
};

static const struct bench_case cases[] = {
	{ "512 x 4-way lru, 90% hits (issue 13)", 512, 4, TCE_CACHE_LRU, 568 },
	{ "512 x 4-way lru, hits only", 512, 4, TCE_CACHE_LRU, 512 },
	{ "512 x 4-way fifo, 90% hits", 512, 4, TCE_CACHE_FIFO, 568 },
	{ "512 x 4-way random, 90% hits", 512, 4, TCE_CACHE_RANDOM, 568 },
	{ "1024 x 8-way lru, hits only (speed.yaml)", 1024, 8, TCE_CACHE_LRU, 1024 },
	{ "96 x 4-way lru (24 sets), 90% hits", 96, 4, TCE_CACHE_LRU, 106 },
	{ "128 fully assoc. lru, 90% hits (default)", 128, 128, TCE_CACHE_LRU, 142 },
	{ "160 fully assoc. lru, 90% hits (calibration)", 160, 160, TCE_CACHE_LRU, 178 },
	{ "4096 fully assoc. lru, 90% hits", 4096, 4096, TCE_CACHE_LRU, 4551 },
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double run_case(const struct bench_case *bc, const uint32_t *rnd, uint64_t *idx,
		       uint64_t *hits)
{
	struct tce_cache_cfg cfg = {
		.entries = bc->entries, .ways = bc->ways, .policy = bc->policy, .seed = 1,
	};
	struct tce_cache *c;
	uint64_t tce, sum = 0;
	double best = 1e9;

	if (tce_cache_new(&c, &cfg) < 0)
		return -1;
	for (unsigned i = 0; i < STREAM; i++)
		idx[i] = rnd[i] % bc->span;
	for (unsigned r = 0; r < ROUNDS; r++) {
		double t0 = now_s();

		for (unsigned i = 0; i < STREAM; i++) {
			if (tce_cache_lookup(c, 1, 0, idx[i], &tce))
				sum += tce;
			else
				tce_cache_fill(c, 1, 0, idx[i], idx[i] << 12 | 3);
		}
		t0 = now_s() - t0;
		if (r && t0 < best)
			best = t0;
	}
	*hits = tce_cache_stats(c)->hits + (sum & 0);
	tce_cache_free(c);
	return best * 1e9 / STREAM;
}

int main(int argc, char **argv)
{
	uint32_t *rnd = malloc(STREAM * sizeof(*rnd));
	uint64_t *idx = malloc(STREAM * sizeof(*idx));
	uint64_t x = 88172645463325252ull;

	if (!rnd || !idx)
		return 1;
	for (unsigned i = 0; i < STREAM; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		rnd[i] = (uint32_t)(x >> 32);
	}
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint64_t hits = 0;
		double ns;

		if (argc > 1 && (size_t)atoi(argv[1]) != k)
			continue;		/* one case, by number, for a profiler */
		ns = run_case(&cases[k], rnd, idx, &hits);

		printf("lookup_ns %6.2f  hit rate %.3f  %s\n", ns,
		       (double)hits / ((double)STREAM * ROUNDS), cases[k].what);
	}
	free(rnd);
	free(idx);
	return 0;
}
