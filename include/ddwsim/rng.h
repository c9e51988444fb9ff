/* rng.h - seeded deterministic PRNG: splitmix64 seeding xoshiro256**. */
#ifndef DDWSIM_RNG_H
#define DDWSIM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];		/* xoshiro256** state, never all zero */
};

/* Same seed, same sequence, on every machine. */
void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. Unbiased (Lemire's method with rejection). */
uint64_t rng_below(struct rng *r, uint64_t n);

#endif /* DDWSIM_RNG_H */
