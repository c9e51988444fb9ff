/* handles.h - live mappings by handle: what each buffer was mapped to. */
#ifndef DDWSIM_HANDLES_H
#define DDWSIM_HANDLES_H

#include <stdint.h>

#include "ddwsim/dma_api.h"

/*
 * What the callers read and write (handles.c keeps most mappings packed in
 * 16 bytes). A mapping of one element keeps its bus range in `one`, whose
 * length is the mapping's (the DMA API returns each element's range with
 * the element's length), so `len` and `one.len` are the same bytes. A
 * longer one keeps its ranges in an array (`ext`) and its total length in
 * `len`.
 */
struct mapping {
	union {
		struct dma_seg one;		/* nseg <= 1: the bus range; one.len is len */
		struct {
			struct dma_seg *ext;	/* nseg > 1: its array (reused after the unmap) */
			uint64_t len;		/* total bytes */
		};
	};
	uint32_t nseg;		/* elements mapped (1 for map); the caller may lower it to 0 */
	uint32_t user;		/* the caller's (the replay's window binding); 0 when added */
};

_Static_assert(sizeof(struct mapping) == 24, "a mapping: 24 bytes");

/* The nseg bus ranges of m, in buffer order (one in the record: most maps have one). */
static inline struct dma_seg *mapping_seg(struct mapping *m)
{
	return m->nseg > 1 ? m->ext : &m->one;
}

struct handles;

struct handles *handles_new(void);
void handles_free(struct handles *h);	/* NULL is a no-op */

/*
 * The live mapping of handle, or NULL. The caller may change it through the
 * pointer: the change is kept. The pointer, and mapping_seg()'s when nseg
 * <= 1, is valid until the next get, add or del on h.
 */
struct mapping *handles_get(struct handles *h, uint64_t handle);
/*
 * A new mapping for handle with room for nseg segments (all else 0), or NULL
 * if handle is live; the caller fills it in through the pointer. Slots and
 * segment arrays are reused, so a steady stream of map/unmap allocates
 * nothing. The pointer, and mapping_seg()'s when nseg <= 1, is valid until
 * the next get, add or del on h; the array of a longer mapping until its
 * handle's del.
 */
struct mapping *handles_add(struct handles *h, uint64_t handle, unsigned nseg);
void handles_del(struct handles *h, uint64_t handle);
uint64_t handles_live(const struct handles *h);

#endif /* DDWSIM_HANDLES_H */
