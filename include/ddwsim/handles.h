/* handles.h - live mappings by handle: what each buffer was mapped to. */
#ifndef DDWSIM_HANDLES_H
#define DDWSIM_HANDLES_H

#include <stdint.h>

#include "ddwsim/dma_api.h"

struct mapping {
	uint64_t len;		/* total bytes */
	union {
		struct dma_seg one;	/* nseg <= 1: the bus range, in the record */
		struct dma_seg *ext;	/* nseg > 1: the id's own array (kept across reuse) */
	} u;
	uint32_t nseg;		/* elements mapped (1 for map); the caller may lower it to 0 */
	uint32_t user;		/* the caller's (the timed replay's entry index); 0 when added */
};

/* The nseg bus ranges of m, in buffer order (one in the record: most maps have one). */
static inline struct dma_seg *mapping_seg(struct mapping *m)
{
	return m->nseg > 1 ? m->u.ext : &m->u.one;
}

struct handles;

struct handles *handles_new(void);
void handles_free(struct handles *h);	/* NULL is a no-op */

/* The live mapping of handle, or NULL. */
struct mapping *handles_get(struct handles *h, uint64_t handle);
/*
 * A new mapping for handle with room for nseg segments (len and user 0), or
 * NULL if handle is live. Records and segment arrays are reused, so a steady
 * stream of map/unmap allocates nothing. The pointer is valid until the next
 * add/del; mapping_seg()'s until the next add/del when nseg <= 1 (it lies in
 * the record), until the id's next mapping otherwise.
 */
struct mapping *handles_add(struct handles *h, uint64_t handle, unsigned nseg);
void handles_del(struct handles *h, uint64_t handle);
uint64_t handles_live(const struct handles *h);

#endif /* DDWSIM_HANDLES_H */
