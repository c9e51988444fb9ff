/*
 * tight_loop.c - the floor make speed compares ddwsim with: 8-byte address
 * records (bench/trace_addrs.c) through a set-associative LRU TCE cache in
 * one plain C loop, as a trace-driven cache simulator runs (Dinero IV style).
 *
 *   tight_loop ADDRS ENTRIES WAYS PAGE_SHIFT
 *
 * The TCE index is address >> PAGE_SHIFT, the set its low bits (entries /
 * ways must be a power of two), and a miss fills the lowest free way, else
 * the least recently used: ddwsim's LRU, so the hit count must be ddwsim's.
 * Prints the lookups, the hits and the CPU seconds of reading and looking up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BLOCK	65536			/* records per read */

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned ways = argc == 5 ? (unsigned)atoi(argv[3]) : 0;
	uint64_t sets = ways ? (uint64_t)atoi(argv[2]) / ways : 0;
	uint64_t *tag, *age, *buf, n = 0, hits = 0, now = 0;	/* age 0: way empty */
	FILE *in = argc == 5 ? fopen(argv[1], "rb") : NULL;
	unsigned shift = argc == 5 ? (unsigned)atoi(argv[4]) : 0;
	size_t got;
	double t0;

	if (!in || !sets || (sets & (sets - 1)))
		return fprintf(stderr, "usage: tight_loop ADDRS ENTRIES WAYS PAGE_SHIFT\n"), 1;
	tag = calloc(sets * ways, sizeof(*tag));
	age = calloc(sets * ways, sizeof(*age));
	buf = malloc(BLOCK * sizeof(*buf));
	if (!tag || !age || !buf)
		return 1;
	t0 = cpu_s();
	while ((got = fread(buf, sizeof(*buf), BLOCK, in)) > 0) {
		for (size_t r = 0; r < got; r++) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			uint64_t idx = __builtin_bswap64(buf[r]) >> shift;
#else
			uint64_t idx = buf[r] >> shift;
#endif
			uint64_t *t = tag + (idx & (sets - 1)) * ways, *a = age + (t - tag);
			unsigned w = ways, victim = 0;

			for (unsigned i = 0; i < ways; i++) {	/* conditional moves */
				w = a[i] && t[i] == idx ? i : w;
				victim = a[i] < a[victim] ? i : victim;
			}
			if (w < ways) {
				hits++;
				a[w] = ++now;
			} else {
				t[victim] = idx;
				a[victim] = ++now;
			}
		}
		n += got;
	}
	printf("tight_loop %llu lookups %llu hits %.3f cpu_s\n", (unsigned long long)n,
	       (unsigned long long)hits, cpu_s() - t0);
	return 0;
}
