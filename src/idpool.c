/*
 * idpool.c - records by 32-bit id, with a free list.
 *
 *   rec:   [ id 1 | id 2 | id 3 | id 4 | ...      ]   cap records of size bytes
 *   link:  [ LIVE | 0    | LIVE | 2    | ...      ]   free list: free_head 4 -> 2 -> end
 *
 * The free list lives in its own array, not in the records, so a record is
 * entirely the caller's, a put leaves it untouched, and idpool_at() can check
 * that an id is live. Cost: O(1) get and put (a doubling is O(cap), amortised
 * O(1)); 4 bytes per record for the link.
 */
#include <stdlib.h>
#include <string.h>

#include "ddwsim/idpool.h"
#include "ddwsim/xalloc.h"

void idpool_init_named(struct idpool *p, size_t rec_size, const char *what)
{
	assert(rec_size >= 1);
	*p = (struct idpool){ .size = rec_size, .max = IDPOOL_MAX, .what = what };
}

void idpool_init(struct idpool *p, size_t rec_size)
{
	idpool_init_named(p, rec_size, "pool records");
}

void idpool_release(struct idpool *p)
{
	free(p->rec);
	free(p->link);
	idpool_init_named(p, p->size, p->what);
}

/* Doubles the arrays (the first time: IDPOOL_MIN_CAP records), up to max records. */
static void grow(struct idpool *p)
{
	uint64_t cap = p->cap ? 2 * (uint64_t)p->cap : IDPOOL_MIN_CAP;

	if (cap > p->max)
		cap = p->max;
	p->rec = xrealloc(p->rec, st_mul((size_t)cap, p->size));
	p->link = xrealloc(p->link, st_mul((size_t)cap, sizeof(*p->link)));
	p->cap = (uint32_t)cap;
}

uint32_t idpool_get(struct idpool *p)
{
	uint32_t id = p->free_head;

	if (id) {
		p->free_head = p->link[id - 1];
	} else {
		if (p->span >= p->max)	/* all max ids live: one more is past the limit */
			xfatal_limit(p->what, p->max);
		if (p->span == p->cap)
			grow(p);
		id = ++p->span;
	}
	p->link[id - 1] = IDPOOL_LIVE;
	p->live++;
	memset(idpool_at(p, id), 0, p->size);
	return id;
}

void idpool_put(struct idpool *p, uint32_t id)
{
	assert(id != IDPOOL_NONE && id <= p->span && p->link[id - 1] == IDPOOL_LIVE);
	p->link[id - 1] = p->free_head;
	p->free_head = id;
	p->live--;
}

uint32_t idpool_live(const struct idpool *p)
{
	return p->live;
}

uint32_t idpool_next(const struct idpool *p, uint32_t id)
{
	while (id < p->span)
		if (p->link[id++] == IDPOOL_LIVE)	/* link[id] is id + 1's */
			return id;
	return IDPOOL_NONE;
}
