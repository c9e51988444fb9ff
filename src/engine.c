/*
 * engine.c - the event queue: a binary min-heap keyed by (tick, seq).
 * The sequence number makes equal ticks pop in the order they were pushed,
 * so a run is the same on every machine (Redis ae's O(N) timer list is what
 * we avoid; STYLE.md habit 17).
 */
#include <stdlib.h>

#include "ddwsim/engine.h"
#include "ddwsim/xalloc.h"

void event_queue_init(struct event_queue *q)
{
	q->cap = 1024;
	q->n = 0;
	q->next_seq = 0;
	q->pushed = 0;
	q->heap = xmalloc(st_mul(q->cap, sizeof(*q->heap)));
}

void event_queue_release(struct event_queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->n = q->cap = 0;
}

static inline bool before(const struct event *x, const struct event *y)
{
	return x->tick < y->tick || (x->tick == y->tick && x->seq < y->seq);
}

void event_push(struct event_queue *q, ddw_tick tick, uint32_t kind, uint32_t a, uint64_t b)
{
	struct event ev = { .tick = tick, .seq = q->next_seq++, .kind = kind, .a = a, .b = b };
	uint64_t i;

	if (q->n == q->cap) {
		q->cap *= 2;
		q->heap = xrealloc(q->heap, st_mul(q->cap, sizeof(*q->heap)));
	}
	i = q->n++;
	while (i) {
		uint64_t parent = (i - 1) / 2;

		if (!before(&ev, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = ev;
	q->pushed++;
}

bool event_pop(struct event_queue *q, struct event *ev)
{
	struct event last;
	uint64_t i = 0;

	if (!q->n)
		return false;
	*ev = q->heap[0];
	last = q->heap[--q->n];
	for (;;) {
		uint64_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	q->heap[i] = last;
	return true;
}
