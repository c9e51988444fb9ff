/*
 * handles.c - handle -> mapping: a record map (hashmap.c) whose 24-byte
 * slots hold the handle and its mapping packed in 16 bytes.
 *
 *   live:   handle -> packed          24-byte slots, 74..85 % full, grown x1.15
 *   big:    handle -> struct big      the mappings the packed form cannot hold
 *   all:    every segment array made  freed by handles_free
 *   spare:  arrays of unmapped handles, reused LIFO by the next long map
 *
 *   packed  OFFSET  SIZE  DESCRIPTION
 *           0       8     bus address of the one range (one.dma)
 *           8       8     bits 0..31 len (= one.len), 32..61 user, 62 nseg (0 or 1),
 *                         63 BIG: the mapping is in `big` instead
 *
 * A mapping of one element (a map, most map_sgs) of less than 4 GiB, whose
 * user (the replay's window binding: window and generation) is below 2^30,
 * packs: its slot is all it costs, 24 bytes at 74 to 85 % load, 28.2 to 32.5
 * bytes of table a live mapping (measured with bench/live-mem.yaml: see
 * replay_bytes_per_mapping() in replay.c). Any other (more elements, a
 * longer one, a large user) is a struct big in the `big` record map, its
 * packed word only the BIG bit; a longer one adds its array (16 bytes a
 * segment, at least SEG_MIN, behind its 16-byte header and malloc's 16) and
 * two pointers in all and spare. Arrays are kept when their handle is
 * unmapped and handed to the next long map, grown if short: a steady stream
 * of map/unmap allocates nothing.
 *
 * The callers read and write a struct mapping: get and add hand out
 * h->cur, unpacked, and the next get, add or del on h first packs it back
 * into its slot (or moves it to `big`), so a caller's writes are kept.
 *
 * Before (an idpool of 32-byte records named by a 16-byte u64map slot at
 * half load, grown by doubling with the old table copied out): 93 bytes a
 * live mapping with the TCE table, against 63 now.
 */
#include <stdlib.h>
#include <string.h>

#include "ddwsim/handles.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/xalloc.h"

#define SEG_MIN		4	/* smallest segment array (assumed: few maps have more than 4) */
#define LIVE_LOAD	85	/* %: most load of the tables (see hashmap.c: 22.7 probes a miss) */
#define LIVE_GROW	115	/* %: their growth, so they run at 74..85 % (64..80 % and x1.25
				 * held 64-65 bytes a live mapping, above issue 13's 64) */
#define P_LEN_MAX	UINT32_MAX		/* the longest packed length */
#define P_USER_MAX	((1u << 30) - 1)	/* the largest packed user */
#define P_NSEG		(1ull << 62)
#define P_BIG		(1ull << 63)

/* A segment array, kept across mappings. */
struct segbuf {
	size_t cap;			/* segments */
	size_t idx;			/* its index in all */
	struct dma_seg seg[];
};

/* A mapping that does not pack. */
struct big {
	struct mapping m;
	struct segbuf *buf;		/* its array (m.nseg may be lowered to 0), or NULL */
};

struct handles {
	struct u64map live;		/* handle -> uint64_t[2], packed */
	struct u64map big;		/* handle -> struct big */
	struct mapping cur;		/* the mapping get or add handed out, unpacked */
	uint64_t *cur_slot;		/* its packed value, to write back; NULL: none */
	uint64_t cur_handle;
	struct segbuf *cur_buf;		/* its array, if add made it one */
	struct segbuf **all;		/* every array made, nall of them (room for cap) */
	struct segbuf **spare;		/* free arrays, nspare of them (room for cap) */
	size_t nall, nspare, cap;
};

struct handles *handles_new(void)
{
	struct handles *h = xcalloc(1, sizeof(*h));

	u64map_init_rec(&h->live, 2 * sizeof(uint64_t), LIVE_LOAD, LIVE_GROW);
	u64map_init_rec(&h->big, sizeof(struct big), LIVE_LOAD, LIVE_GROW);
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
	u64map_release(&h->big);
	u64map_release(&h->live);
	free(h);
}

/* Writes h->cur back: packed into its slot, or into `big` with its array. */
static void put_back(struct handles *h)
{
	const struct mapping *m = &h->cur;
	uint64_t *v = h->cur_slot;
	struct big *b;

	if (!v)
		return;
	h->cur_slot = NULL;
	if (!h->cur_buf && m->nseg <= 1 && m->len <= P_LEN_MAX && m->user <= P_USER_MAX) {
		v[0] = m->one.dma;
		v[1] = m->len | (uint64_t)m->user << 32 | (m->nseg ? P_NSEG : 0);
		return;
	}
	b = u64map_add(&h->big, h->cur_handle, NULL);
	b->m = *m;
	b->buf = h->cur_buf;
	v[1] = P_BIG;
}

struct mapping *handles_get(struct handles *h, uint64_t handle)
{
	uint64_t *v;

	if (h->cur_slot && h->cur_handle == handle)	/* the one handed out: as it stands */
		return &h->cur;
	put_back(h);
	v = u64map_at(&h->live, handle);
	if (!v)
		return NULL;
	if (v[1] & P_BIG)
		return &((struct big *)u64map_at(&h->big, handle))->m;
	h->cur.one.dma = v[0];
	h->cur.len = (uint32_t)v[1];
	h->cur.user = (uint32_t)(v[1] >> 32) & P_USER_MAX;
	h->cur.nseg = (v[1] & P_NSEG) != 0;
	h->cur_slot = v;
	h->cur_handle = handle;
	h->cur_buf = NULL;
	return &h->cur;
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
	uint64_t *v;
	bool added;

	put_back(h);
	v = u64map_add(&h->live, handle, &added);
	if (!added)
		return NULL;
	h->cur = (struct mapping){ .nseg = nseg };
	h->cur_buf = nseg > 1 ? segbuf_for(h, nseg) : NULL;
	if (h->cur_buf)
		h->cur.ext = h->cur_buf->seg;
	h->cur_slot = v;
	h->cur_handle = handle;
	return &h->cur;
}

void handles_del(struct handles *h, uint64_t handle)
{
	uint64_t *v;
	struct big *b;

	put_back(h);
	v = u64map_at(&h->live, handle);
	if (!v)
		return;
	if (v[1] & P_BIG) {
		b = u64map_at(&h->big, handle);
		if (b->buf)
			h->spare[h->nspare++] = b->buf;
		u64map_del(&h->big, handle);
	}
	u64map_del(&h->live, handle);
}

uint64_t handles_live(const struct handles *h)
{
	return u64map_count(&h->live);
}
