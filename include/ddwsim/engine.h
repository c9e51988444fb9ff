/* engine.h - time and the event queue: ticks in picoseconds, a heap ordered by (tick, seq). */
#ifndef DDWSIM_ENGINE_H
#define DDWSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t ddw_tick;		/* picoseconds */

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

/* n cycles of c, in ps. */
static inline ddw_tick cycles(struct ddw_clock c, uint64_t n)
{
	return n * c.period_ps;
}

/* The first edge of c at or after t. */
static inline ddw_tick clock_edge(struct ddw_clock c, ddw_tick t)
{
	return (t + c.period_ps - 1) / c.period_ps * c.period_ps;
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
