/*
 * engine.c - the event queue: a 4-ary min-heap keyed by (tick, seq), and
 * channels that keep monotone streams of events out of it.
 * The sequence number makes equal ticks pop in the order they were pushed,
 * so a run is the same on every machine (Redis ae's O(N) timer list is what
 * we avoid; STYLE.md habit 17).
 *
 * Channels. Most of a timed replay's events come in streams whose ticks do
 * not decrease: the requests arriving over one link (each leaves after the
 * one before), one CPU's ops. A channel keeps such a stream in a FIFO ring
 * and puts only its first event in the heap; when that one pops, the next
 * takes its place at the root (one sift-down, no push). Each stream is sorted
 * by (tick, seq) already, so merging the heads in the heap pops every event in
 * exactly the (tick, seq) order a single heap would: which channel an event
 * took never changes the order (an event earlier than its channel's last one
 * goes to the heap itself). The random-dma replay kept about 400 events in
 * the heap; with channels, about ten.
 *
 * The side slots. A few events (channel heads or plain events) wait beside
 * the heap instead of in it: a push that would go into the heap takes a
 * free slot, and a pop takes the least slot's event when its (tick, seq) is
 * below the root's (the least of both is the least of all). When that event
 * heads a channel, the channel's next event takes its slot. The timed
 * replay of one device has four streams (its engine's wake-ups, requests,
 * completions, walks): all their heads sit in the slots, so a push is a
 * store, with no heap at all; more streams spill into the heap. The queue
 * knows the least slot and the least of the others (side_2nd): a stream's
 * events pop in runs (the timed replay's requests reach the PHB a few at a
 * time, then their completions come back), so after a channel's next event
 * takes the slot, one compare with side_2nd mostly finds it still the least
 * (four side pops in five on the random-dma replay); only when another slot
 * becomes the least are the four ranked.
 *
 * The aside slot. One more event may wait beside both (event_push_aside):
 * one its owner expects to pop soon, mostly next. A pop takes it when it is
 * below the least side slot and the root, so that event costs two compares
 * instead of a side slot's ranking and a channel's bookkeeping. The timed
 * replay puts a device engine's next step there (the end of a request on the
 * link, a few ns ahead): on the random-dma replay, one event in three.
 *
 *   side:  [ e | e | e | e ]   heap: [ ... ]   pop: the earlier of the least e and heap[0]
 *
 *   heap:  [ head of chan 3 | head of chan 1 | walk done | ... ]   a few
 *   chan 1 ring: e e e e e ... (ticks not decreasing)              hundreds
 */
#include <stdlib.h>
#include <string.h>

#include "ddwsim/engine.h"
#include "ddwsim/xalloc.h"

#define CHAN_MASK	((UINT64_C(1) << EV_CHAN_BITS) - 1)
/* A free side slot: its key is above every event's (seq < EV_MAX_SEQ << EV_CHAN_BITS). */
#define SIDE_FREE	((struct event){ .tick = UINT64_MAX, .seq = UINT64_MAX })

void event_queue_init(struct event_queue *q)
{
	memset(q, 0, sizeof(*q));
	q->cap = 1024;
	q->heap = xmalloc(st_mul(q->cap, sizeof(*q->heap)));
	for (unsigned j = 0; j < EV_SIDE; j++)
		q->side[j] = SIDE_FREE;
}

void event_queue_release(struct event_queue *q)
{
	for (uint32_t c = 1; c <= q->nchan; c++)
		free(q->chan[c].ring);
	free(q->chan);
	free(q->heap);
	q->heap = NULL;
	q->chan = NULL;
	q->n = q->cap = 0;
	q->nchan = 0;
	q->nside = 0;
	q->has_aside = false;
}

/*
 * (tick, seq) as one 128-bit key: one comparison orders two events, and no
 * two keys are equal (seq is unique). GCC and Clang have the type; the
 * __extension__ keeps -Wpedantic quiet.
 */
__extension__ typedef unsigned __int128 ev_key;

static inline ev_key key_of(const struct event *e)
{
	return (ev_key)e->tick << 64 | e->seq;
}

/*
 * A 4-ary heap: the children of i are 4i+1..4i+4, so it is half as deep as a
 * binary one, and a pop reads four adjacent children per level. Measured on
 * the timed random-dma replay's queue (about 400 events, 4 pushes and pops a
 * request): 1.8x faster than the binary heap it replaces.
 */
#define ARITY 4

static inline struct event make_ev(struct event_queue *q, ddw_tick tick, uint32_t ch,
				   uint32_t kind, uint32_t a, uint64_t b)
{
	struct event ev = { .tick = tick, .seq = q->next_seq << EV_CHAN_BITS | ch,
			    .kind = kind, .a = a, .b = b };

	if (++q->next_seq == EV_MAX_SEQ)
		xfatal_limit("events scheduled in one replay", EV_MAX_SEQ - 1);
	q->pushed++;
	return ev;
}

/* Out of line: rarely reached once the side slots take a replay's streams. */
__attribute__((noinline))
static void heap_insert(struct event_queue *q, struct event ev)
{
	ev_key k = key_of(&ev);
	uint64_t i;

	if (q->n == q->cap) {
		q->cap *= 2;
		q->heap = xrealloc(q->heap, st_mul(q->cap, sizeof(*q->heap)));
	}
	i = q->n++;
	while (i) {
		uint64_t parent = (i - 1) / ARITY;

		if (k >= key_of(&q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = ev;
}

/*
 * Ranks the side slots: side_min the least, side_2nd the least of the
 * others (free slots hold a key above every event's, SIDE_FREE).
 */
static void side_rank(struct event_queue *q)
{
	const struct event *s = q->side;
	unsigned m = key_of(&s[1]) < key_of(&s[0]), n = !m;

	for (unsigned j = 2; j < EV_SIDE; j++) {
		if (key_of(&s[j]) < key_of(&s[m])) {
			n = m;
			m = j;
		} else if (key_of(&s[j]) < key_of(&s[n])) {
			n = j;
		}
	}
	q->side_min = m;
	q->side_2nd = n;
}

_Static_assert(EV_SIDE >= 2, "side_rank() ranks two slots or more");

/* An event for the heap: a free side slot takes it, ranked against the least two (see above). */
static inline void queue_insert(struct event_queue *q, struct event ev)
{
	unsigned j = q->nside;

	if (j < EV_SIDE) {
		q->side[j] = ev;
		q->nside++;
		if (!j) {
			q->side_min = 0;
			q->side_2nd = 1;	/* free */
		} else if (key_of(&ev) < key_of(&q->side[q->side_min])) {
			q->side_2nd = q->side_min;
			q->side_min = j;
		} else if (key_of(&ev) < key_of(&q->side[q->side_2nd])) {
			q->side_2nd = j;
		}
		return;
	}
	heap_insert(q, ev);
}

void event_push(struct event_queue *q, ddw_tick tick, uint32_t kind, uint32_t a, uint64_t b)
{
	queue_insert(q, make_ev(q, tick, 0, kind, a, b));
}

void event_push_aside(struct event_queue *q, ddw_tick tick, uint32_t kind, uint32_t a, uint64_t b)
{
	struct event ev = make_ev(q, tick, 0, kind, a, b);

	if (q->has_aside) {
		queue_insert(q, ev);
		return;
	}
	q->aside = ev;
	q->has_aside = true;
}

uint32_t event_chan_new(struct event_queue *q)
{
	if (q->nchan == EV_MAX_CHANS)
		xfatal_limit("event channels", EV_MAX_CHANS);
	if (!(q->nchan & (q->nchan + 1)))	/* [0..nchan] full: double it */
		q->chan = xrealloc(q->chan, st_mul(2 * ((size_t)q->nchan + 1), sizeof(*q->chan)));
	q->nchan++;
	memset(&q->chan[q->nchan], 0, sizeof(*q->chan));
	return q->nchan;
}

/* Doubles c's ring, its events moved to the front in order. */
static void chan_grow(struct event_chan *c)
{
	uint32_t cap = c->cap ? c->cap * 2 : 64;
	struct event *r;

	if (!cap)
		xfatal_limit("events in one event channel", UINT32_MAX);
	r = xmalloc(st_mul(cap, sizeof(*r)));
	for (uint32_t j = 0; j < c->n; j++)
		r[j] = c->ring[(c->head + j) & (c->cap - 1)];
	free(c->ring);
	c->ring = r;
	c->head = 0;
	c->cap = cap;
}

void event_push_chan_slow(struct event_queue *q, uint32_t ch, ddw_tick tick, uint32_t kind,
			  uint32_t a, uint64_t b)
{
	struct event_chan *c = &q->chan[ch];

	if (!c->active) {
		c->active = true;
		c->last = tick;
		queue_insert(q, make_ev(q, tick, ch, kind, a, b));
		return;
	}
	if (tick < c->last) {		/* out of its stream's order: the heap orders it */
		event_push(q, tick, kind, a, b);
		return;
	}
	c->last = tick;
	if (c->n == c->cap)
		chan_grow(c);
	c->ring[(c->head + c->n) & (c->cap - 1)] = make_ev(q, tick, ch, kind, a, b);
	c->n++;
}

/* The least of h[c..] (c < n), the children of one node: *k gets its key. */
static inline uint64_t least_child(const struct event *h, uint64_t c, uint64_t n, ev_key *k)
{
	uint64_t m = c, end = c + ARITY < n ? c + ARITY : n;
	ev_key mk = key_of(&h[c]);

	for (uint64_t j = c + 1; j < end; j++) {
		ev_key jk = key_of(&h[j]);

		if (jk < mk) {
			mk = jk;
			m = j;
		}
	}
	*k = mk;
	return m;
}

/* Puts ev at the root of h[0..n) and sifts it down to its place. */
static inline void sift_down(struct event *h, uint64_t n, struct event ev)
{
	ev_key lk = key_of(&ev), mk;
	uint64_t i = 0, m;

	for (uint64_t c = 1; c < n; c = ARITY * i + 1) {
		m = least_child(h, c, n, &mk);
		if (mk >= lk)
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = ev;
}

/*
 * Pops the least side slot's event; a channel's next event takes the slot,
 * and stays the least if it is below side_2nd (see above).
 */
static inline void pop_side(struct event_queue *q, struct event *ev)
{
	unsigned m = q->side_min;
	uint32_t ch = (uint32_t)(q->side[m].seq & CHAN_MASK);
	struct event_chan *c = ch ? &q->chan[ch] : NULL;

	*ev = q->side[m];
	if (c && c->n) {
		q->side[m] = c->ring[c->head];
		c->head = (c->head + 1) & (c->cap - 1);
		c->n--;
		/* a stream's events pop in runs: its next is mostly still the least */
		if (key_of(&q->side[m]) < key_of(&q->side[q->side_2nd]))
			return;
	} else {
		if (c)
			c->active = false;
		q->side[m] = q->side[--q->nside];
		q->side[q->nside] = SIDE_FREE;
	}
	side_rank(q);
}

/* Whether the aside slot's event is below the side slots' least and the heap's root. */
static inline bool aside_first(const struct event_queue *q)
{
	ev_key k = key_of(&q->aside);

	return (!q->nside || k < key_of(&q->side[q->side_min])) && (!q->n || k < key_of(&q->heap[0]));
}

bool event_pop(struct event_queue *q, struct event *ev)
{
	struct event *h = q->heap;
	uint32_t ch;

	if (q->has_aside && aside_first(q)) {
		*ev = q->aside;
		q->has_aside = false;
		return true;
	}
	if (q->nside && (!q->n || key_of(&q->side[q->side_min]) < key_of(&h[0]))) {
		pop_side(q, ev);
		return true;
	}
	if (!q->n)
		return false;
	*ev = h[0];
	ch = (uint32_t)(ev->seq & CHAN_MASK);
	if (ch) {
		struct event_chan *c = &q->chan[ch];

		if (c->n) {		/* the channel's next event takes the root */
			struct event next = c->ring[c->head];

			c->head = (c->head + 1) & (c->cap - 1);
			c->n--;
			sift_down(h, q->n, next);
			return true;
		}
		c->active = false;
	}
	if (--q->n)
		sift_down(h, q->n, h[q->n]);
	return true;
}
