/*
 * handles.c - handle -> mapping: a u64map from handle to record id over an
 * idpool of struct mapping.
 *
 *   ids:  handle -> id            (hashmap.c: O(1), grows at half full)
 *   pool: id -> struct mapping    (idpool.c: freed ids reused first)
 *   segs: id -> segment array     maps of more than one element only; kept when
 *                                 the id is freed, for its next mapping
 *
 * A mapping of one element (a map, most map_sgs) keeps its bus range in the
 * record (32 bytes), so it costs no array: the record, its idpool link (4)
 * and its hash slot (16 at <= half load). A record comes back from the pool
 * zeroed, so the arrays of longer maps live beside it, indexed by id: the
 * id's next mapping reuses its array, and a steady stream of map/unmap
 * allocates nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "ddwsim/handles.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/idpool.h"
#include "ddwsim/xalloc.h"

#define SEG_MIN		4	/* smallest segment array (assumed: few maps have more than 4) */

/* The segment array an id keeps across reuse. */
struct segbuf {
	struct dma_seg *seg;
	unsigned cap;		/* segments */
};

struct handles {
	struct u64map ids;	/* handle -> id in pool */
	struct idpool pool;	/* struct mapping */
	struct segbuf *segs;	/* per id (index id - 1), ncap of them */
	uint32_t ncap;
};

struct handles *handles_new(void)
{
	struct handles *h = xcalloc(1, sizeof(*h));

	u64map_init(&h->ids);
	idpool_init_named(&h->pool, sizeof(struct mapping), "live mappings on one device");
	return h;
}

void handles_free(struct handles *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < h->ncap; i++)
		free(h->segs[i].seg);
	free(h->segs);
	idpool_release(&h->pool);
	u64map_release(&h->ids);
	free(h);
}

struct mapping *handles_get(struct handles *h, uint64_t handle)
{
	uint64_t id;

	return u64map_get(&h->ids, handle, &id) ? idpool_at(&h->pool, (uint32_t)id) : NULL;
}

/* Id's segment array, with room for nseg segments. */
static struct dma_seg *segs_for(struct handles *h, uint32_t id, unsigned nseg)
{
	struct segbuf *b;

	if (id > h->ncap) {
		uint32_t n = h->ncap ? h->ncap : 64;

		while (n < id)
			n *= 2;
		h->segs = xrealloc(h->segs, st_mul(n, sizeof(*h->segs)));
		memset(&h->segs[h->ncap], 0, (n - h->ncap) * sizeof(*h->segs));
		h->ncap = n;
	}
	b = &h->segs[id - 1];
	if (b->cap < nseg) {
		free(b->seg);
		b->cap = nseg < SEG_MIN ? SEG_MIN : nseg;
		b->seg = xmalloc(st_mul(b->cap, sizeof(*b->seg)));
	}
	return b->seg;
}

struct mapping *handles_add(struct handles *h, uint64_t handle, unsigned nseg)
{
	struct mapping *m;
	uint64_t *slot;
	uint32_t id;
	bool added;

	slot = u64map_ref(&h->ids, handle, &added);
	if (!added)
		return NULL;
	id = idpool_get(&h->pool);
	*slot = id;
	m = idpool_at(&h->pool, id);
	m->nseg = nseg;
	if (nseg > 1)
		m->u.ext = segs_for(h, id, nseg);
	return m;
}

void handles_del(struct handles *h, uint64_t handle)
{
	uint64_t id;

	if (u64map_pop(&h->ids, handle, &id))
		idpool_put(&h->pool, (uint32_t)id);
}

uint64_t handles_live(const struct handles *h)
{
	return idpool_live(&h->pool);
}
