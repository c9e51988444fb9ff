/*
 * handles.c - handle -> mapping, as an open-addressing hash (linear probing,
 * backward-shift deletion) over a pool of records with a free list.
 * Lookups are O(1); the table doubles at 50% load; freed records keep their
 * segment arrays for the next mapping, so the steady state allocates nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/handles.h"
#include "ddwsim/outfile.h"
#include "ddwsim/xalloc.h"

#define NONE	UINT32_MAX

struct handles {
	struct mapping *rec;	/* records */
	uint32_t nrec, caprec;
	uint32_t free_head;	/* first free record, NONE if none */
	uint32_t *slot;		/* hash: record + 1, 0 = empty */
	uint64_t mask;		/* buckets - 1 */
	uint64_t live;
};

static uint64_t bucket(const struct handles *h, uint64_t key)
{
	return ((key * 0x9e3779b97f4a7c15ull) >> 20) & h->mask;
}

struct handles *handles_new(void)
{
	struct handles *h = xcalloc(1, sizeof(*h));

	h->mask = 1023;
	h->slot = xcalloc(h->mask + 1, sizeof(*h->slot));
	h->free_head = NONE;
	return h;
}

void handles_free(struct handles *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < h->nrec; i++)
		free(h->rec[i].seg);
	free(h->rec);
	free(h->slot);
	free(h);
}

static uint64_t find(const struct handles *h, uint64_t key)
{
	uint64_t b = bucket(h, key);

	while (h->slot[b] && h->rec[h->slot[b] - 1].handle != key)
		b = (b + 1) & h->mask;
	return b;
}

struct mapping *handles_get(struct handles *h, uint64_t handle)
{
	uint64_t b = find(h, handle);

	return h->slot[b] ? &h->rec[h->slot[b] - 1] : NULL;
}

static void grow(struct handles *h)
{
	uint32_t *old = h->slot;
	uint64_t oldn = h->mask + 1;

	h->mask = oldn * 2 - 1;
	h->slot = xcalloc(oldn * 2, sizeof(*h->slot));
	for (uint64_t i = 0; i < oldn; i++)
		if (old[i])
			h->slot[find(h, h->rec[old[i] - 1].handle)] = old[i];
	free(old);
}

static uint32_t new_record(struct handles *h)
{
	uint32_t r = h->free_head;

	if (r != NONE) {
		h->free_head = h->rec[r].next_free;
		return r;
	}
	if (h->nrec == h->caprec) {
		if (h->caprec >= 1u << 31) {	/* the next doubling would wrap 32 bits */
			fprintf(stderr, "ddwsim: more than 2^31 live mappings on one device\n");
			outfile_cleanup();
			exit(1);
		}
		h->caprec = h->caprec ? h->caprec * 2 : 64;
		h->rec = xrealloc(h->rec, st_mul(h->caprec, sizeof(*h->rec)));
	}
	memset(&h->rec[h->nrec], 0, sizeof(h->rec[0]));
	return h->nrec++;
}

struct mapping *handles_add(struct handles *h, uint64_t handle, unsigned nseg)
{
	struct mapping *m;
	uint64_t b = find(h, handle);
	uint32_t r;

	if (h->slot[b])
		return NULL;
	if ((h->live + 1) * 2 > h->mask + 1) {
		grow(h);
		b = find(h, handle);
	}
	r = new_record(h);
	h->slot[b] = r + 1;
	h->live++;
	m = &h->rec[r];
	if (m->cap < nseg) {
		free(m->seg);
		m->cap = nseg < 4 ? 4 : nseg;
		m->seg = xmalloc(st_mul(m->cap, sizeof(*m->seg)));
	}
	m->handle = handle;
	m->nseg = nseg;
	m->len = 0;
	return m;
}

void handles_del(struct handles *h, uint64_t handle)
{
	uint64_t b = find(h, handle), j = b;
	uint32_t r;

	if (!h->slot[b])
		return;
	r = h->slot[b] - 1;
	h->rec[r].next_free = h->free_head;
	h->free_head = r;
	h->live--;
	h->slot[b] = 0;
	for (;;) {
		uint64_t home;

		j = (j + 1) & h->mask;
		if (!h->slot[j])
			return;
		home = bucket(h, h->rec[h->slot[j] - 1].handle);
		if ((j > b && (home <= b || home > j)) || (j < b && home <= b && home > j)) {
			h->slot[b] = h->slot[j];
			h->slot[j] = 0;
			b = j;
		}
	}
}

uint64_t handles_live(const struct handles *h)
{
	return h->live;
}
