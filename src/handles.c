/*
 * handles.c - handle -> mapping: a record map (hashmap.c) whose slots hold
 * the handle and its struct mapping inline.
 *
 *   live:  handle -> struct mapping      32-byte slots (key 8 + record 24),
 *                                         64..80 % full, grown by x1.25
 *   ext:   handle -> struct segbuf *      maps of more than one element only
 *   all:   every segment array made       freed by handles_free
 *   spare: arrays of unmapped handles     reused LIFO by the next long map
 *
 * A mapping of one element (a map, most map_sgs) keeps its bus range in the
 * record, so it costs its slot and nothing else: 32 bytes at 64 to 80 %
 * load, 40 to 50 bytes of table a live mapping (measured with
 * bench/live-mem.yaml: see replay_bytes_per_mapping() in replay.c). A
 * longer one adds its array (16 bytes a segment, at least SEG_MIN, behind
 * its 16-byte header and malloc's 16), its ext slot (16 bytes at most half full) and
 * two pointers in all and spare. Arrays are kept when their handle is
 * unmapped and handed to the next long map, grown if short: a steady
 * stream of map/unmap allocates nothing.
 *
 * Before (an idpool of 32-byte records named by a 16-byte u64map slot at
 * half load, grown by doubling with the old table copied out): 93 bytes a
 * live mapping with the TCE, against 56 now.
 */
#include <stdlib.h>
#include <string.h>

#include "ddwsim/handles.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/xalloc.h"

#define SEG_MIN		4	/* smallest segment array (assumed: few maps have more than 4) */
#define LIVE_LOAD	80	/* %: most load of the live table (see hashmap.c: 13 probes a miss) */
#define LIVE_GROW	125	/* %: its growth, so it runs at 64..80 % */

/* A segment array, kept across mappings. */
struct segbuf {
	size_t cap;			/* segments */
	size_t idx;			/* its index in all */
	struct dma_seg seg[];
};

struct handles {
	struct u64map live;		/* handle -> struct mapping */
	struct u64map ext;		/* handle -> its struct segbuf * (nseg > 1) */
	struct segbuf **all;		/* every array made, nall of them (room for cap) */
	struct segbuf **spare;		/* free arrays, nspare of them (room for cap) */
	size_t nall, nspare, cap;
};

struct handles *handles_new(void)
{
	struct handles *h = xcalloc(1, sizeof(*h));

	u64map_init_rec(&h->live, sizeof(struct mapping), LIVE_LOAD, LIVE_GROW);
	u64map_init(&h->ext);
	return h;
}

void handles_free(struct handles *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nall; i++)
		free(h->all[i]);
	free(h->all);
	free(h->spare);
	u64map_release(&h->ext);
	u64map_release(&h->live);
	free(h);
}

struct mapping *handles_get(struct handles *h, uint64_t handle)
{
	return u64map_at(&h->live, handle);
}

/* An array of at least nseg segments: a spare one (grown if short), else a new one. */
static struct segbuf *segbuf_for(struct handles *h, unsigned nseg)
{
	unsigned cap = nseg < SEG_MIN ? SEG_MIN : nseg;
	struct segbuf *b, *old;

	if (h->nspare) {
		old = h->spare[--h->nspare];
		if (old->cap >= nseg)
			return old;
		b = xrealloc(old, st_add(sizeof(*b), st_mul(cap, sizeof(b->seg[0]))));
		h->all[b->idx] = b;
	} else {
		if (h->nall == h->cap) {
			h->cap = h->cap ? st_mul(h->cap, 2) : 16;
			h->all = xrealloc(h->all, st_mul(h->cap, sizeof(*h->all)));
			h->spare = xrealloc(h->spare, st_mul(h->cap, sizeof(*h->spare)));
		}
		b = xmalloc(st_add(sizeof(*b), st_mul(cap, sizeof(b->seg[0]))));
		b->idx = h->nall;
		h->all[h->nall++] = b;
	}
	b->cap = cap;
	return b;
}

struct mapping *handles_add(struct handles *h, uint64_t handle, unsigned nseg)
{
	struct mapping *m;
	struct segbuf *b;
	bool added;

	m = u64map_add(&h->live, handle, &added);
	if (!added)
		return NULL;
	m->nseg = nseg;
	if (nseg > 1) {
		b = segbuf_for(h, nseg);
		u64map_put(&h->ext, handle, (uint64_t)(uintptr_t)b);
		m->ext = b->seg;
	}
	return m;
}

void handles_del(struct handles *h, uint64_t handle)
{
	uint64_t b;

	if (u64map_count(&h->ext) && u64map_pop(&h->ext, handle, &b))
		h->spare[h->nspare++] = (struct segbuf *)(uintptr_t)b;
	u64map_del(&h->live, handle);
}

uint64_t handles_live(const struct handles *h)
{
	return u64map_count(&h->live);
}
