/* engine.h - time and the event queue: ticks in picoseconds, a heap ordered by (tick, seq). */
#ifndef DDWSIM_ENGINE_H
#define DDWSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/checked.h"

typedef uint64_t ddw_tick;		/* picoseconds */

/*
 * Not a time: "no event", and what the clock functions below return when the
 * exact answer does not fit. A time is 0..2^64 - 2 ps (about 213 days), so a
 * caller that gets TICK_NEVER from a sum knows the clock overflowed.
 */
#define TICK_NEVER	UINT64_MAX

/* A clock: its period in picoseconds, rounded to a whole picosecond. */
struct ddw_clock {
	uint64_t period_ps;
};

/* Period of an f MHz clock: round(10^6 / f) ps (3800 MHz -> 263 ps). */
static inline struct ddw_clock clock_mhz(double mhz)
{
	struct ddw_clock c = { (uint64_t)(1e6 / mhz + 0.5) };

	if (!c.period_ps)
		c.period_ps = 1;
	return c;
}

/* n cycles of c, in ps; TICK_NEVER if that is 2^64 - 1 ps or more. */
static inline ddw_tick cycles(struct ddw_clock c, uint64_t n)
{
	return sat_mul(n, c.period_ps);
}

/*
 * The first edge of c at or after t; TICK_NEVER if t is TICK_NEVER or that
 * edge is past 2^64 - 2 ps. Rounds without forming t + period - 1, which
 * would wrap near 2^64.
 */
static inline ddw_tick clock_edge(struct ddw_clock c, ddw_tick t)
{
	uint64_t down = t / c.period_ps * c.period_ps, up;

	if (t == TICK_NEVER)
		return TICK_NEVER;
	if (down == t)
		return t;
	return ck_add(down, c.period_ps, &up) ? TICK_NEVER : up;
}

/* One scheduled event; its meaning is the owner's (kind, a, b). */
struct event {
	ddw_tick tick;
	uint64_t seq;			/* insertion order: breaks ties deterministically */
	uint32_t kind;
	uint32_t a;
	uint64_t b;
};

struct event_queue {
	struct event *heap;
	uint64_t n, cap;
	uint64_t next_seq;
	uint64_t pushed;		/* events ever scheduled */
};

void event_queue_init(struct event_queue *q);
void event_queue_release(struct event_queue *q);
/* Schedules an event. Amortised O(log n); grows the heap by doubling, so a
 * steady state allocates nothing. */
void event_push(struct event_queue *q, ddw_tick tick, uint32_t kind, uint32_t a, uint64_t b);
/* Removes the earliest event into *ev; false if the queue is empty. */
bool event_pop(struct event_queue *q, struct event *ev);
/* Tick of the earliest event, TICK_NEVER if empty. */
static inline ddw_tick event_next_tick(const struct event_queue *q)
{
	return q->n ? q->heap[0].tick : TICK_NEVER;
}

#endif /* DDWSIM_ENGINE_H */
