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

/*
 * One scheduled event; its meaning is the owner's (kind, a, b). seq holds the
 * insertion order in its high 48 bits (it breaks ties deterministically) and
 * the channel the event went through in its low 16 (0: none); ev_seq() gives
 * the order alone.
 */
struct event {
	ddw_tick tick;
	uint64_t seq;			/* insertion order << 16 | channel */
	uint32_t kind;
	uint32_t a;
	uint64_t b;
};

#define EV_CHAN_BITS	16
#define EV_MAX_CHANS	((1u << EV_CHAN_BITS) - 1)	/* channels 1..EV_MAX_CHANS */
#define EV_MAX_SEQ	(UINT64_C(1) << (64 - EV_CHAN_BITS))	/* events ever pushed, at most */

static inline uint64_t ev_seq(const struct event *e)
{
	return e->seq >> EV_CHAN_BITS;
}

/*
 * A channel: a FIFO of events whose ticks do not decrease, kept out of the
 * heap but for its first event. Owners with such streams (a link's arrivals,
 * a CPU's ops) push through one, so the heap holds a few heads instead of
 * every event in flight (see engine.c).
 */
struct event_chan {
	struct event *ring;		/* the events after the one in the heap (or a side slot) */
	uint32_t head, n, cap;		/* ring: n events from head; cap a power of two */
	bool active;			/* its first event is in the heap (or a side slot) */
	ddw_tick last;			/* tick of the last event it took */
};

#define EV_SIDE		4		/* side slots (engine.c): the streams of one device */

struct event_queue {
	struct event *heap;
	uint64_t n, cap;
	uint64_t next_seq;		/* next insertion order */
	uint64_t pushed;		/* events ever scheduled */
	struct event_chan *chan;	/* [1..nchan]; [0] unused */
	uint32_t nchan;
	struct event side[EV_SIDE];	/* events kept beside the heap (engine.c) */
	unsigned nside;			/* side[0..nside) hold one each */
	unsigned side_min;		/* the least of them, if nside */
	unsigned side_2nd;		/* the least of the others (a free slot if none) */
	struct event aside;		/* an event pushed with event_push_aside, if has_aside */
	bool has_aside;
};

void event_queue_init(struct event_queue *q);
void event_queue_release(struct event_queue *q);
/* Schedules an event. Amortised O(log n); grows the heap by doubling, so a
 * steady state allocates nothing. Stops the program (xfatal_limit) after
 * 2^48 events, the most seq can order. */
void event_push(struct event_queue *q, ddw_tick tick, uint32_t kind, uint32_t a, uint64_t b);
/*
 * A new channel's number (1, 2, ...); the queue owns it. At most
 * EV_MAX_CHANS (then the program stops, xfatal_limit).
 */
uint32_t event_chan_new(struct event_queue *q);
/* The slow paths of event_push_chan(): a channel's first event, an event out
 * of its order, a full ring. Not for callers. */
void event_push_chan_slow(struct event_queue *q, uint32_t ch, ddw_tick tick, uint32_t kind,
			  uint32_t a, uint64_t b);

/*
 * As event_push, for an event its owner expects to pop soon, before most
 * others (an engine's next step, a few picoseconds ahead): one slot keeps it
 * out of the heap and the side slots, and a pop compares it with their least
 * (engine.c). When the slot is taken, the event goes where event_push puts it.
 * The same order of events results.
 */
void event_push_aside(struct event_queue *q, ddw_tick tick, uint32_t kind, uint32_t a, uint64_t b);

/*
 * As event_push, through channel ch: the same order of events results (by
 * (tick, seq)), whatever the channel. An event earlier than the channel's
 * last goes to the heap directly; otherwise it waits in the channel's FIFO
 * for O(1) and the heap holds only the channel's first event. Inline: the
 * common case is a store into the ring.
 */
static inline void event_push_chan(struct event_queue *q, uint32_t ch, ddw_tick tick,
				   uint32_t kind, uint32_t a, uint64_t b)
{
	struct event_chan *c = &q->chan[ch];

	if (!c->active || tick < c->last || c->n == c->cap || q->next_seq + 1 == EV_MAX_SEQ) {
		event_push_chan_slow(q, ch, tick, kind, a, b);
		return;
	}
	c->last = tick;
	c->ring[(c->head + c->n) & (c->cap - 1)] = (struct event){ .tick = tick,
		.seq = q->next_seq++ << EV_CHAN_BITS | ch, .kind = kind, .a = a, .b = b };
	c->n++;
	q->pushed++;
}

/* Events waiting in the heap, its side slots and the aside slot (not in channel rings). */
static inline uint64_t event_queued(const struct event_queue *q)
{
	return q->n + q->nside + q->has_aside;
}

/* Removes the earliest event into *ev; false if the queue is empty. */
bool event_pop(struct event_queue *q, struct event *ev);
/* Tick of the earliest event, TICK_NEVER if empty. */
static inline ddw_tick event_next_tick(const struct event_queue *q)
{
	ddw_tick h = q->n ? q->heap[0].tick : TICK_NEVER;

	if (q->nside && q->side[q->side_min].tick < h)
		h = q->side[q->side_min].tick;
	return q->has_aside && q->aside.tick < h ? q->aside.tick : h;
}

#endif /* DDWSIM_ENGINE_H */
