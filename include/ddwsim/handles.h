/* handles.h - live mappings by handle: what each buffer was mapped to. */
#ifndef DDWSIM_HANDLES_H
#define DDWSIM_HANDLES_H

#include <stdint.h>

#include "ddwsim/dma_api.h"

struct mapping {
	uint64_t handle;	/* the workload's name for the buffer */
	unsigned nseg;		/* elements mapped (1 for map) */
	struct dma_seg *seg;	/* nseg bus ranges, in buffer order */
	uint64_t len;		/* total bytes */
	uint32_t user;		/* the caller's (the timed replay's entry index); 0 when added */
};

struct handles;

struct handles *handles_new(void);
void handles_free(struct handles *h);	/* NULL is a no-op */

/* The live mapping of handle, or NULL. */
struct mapping *handles_get(struct handles *h, uint64_t handle);
/*
 * A new mapping for handle with room for nseg segments (len and user 0), or
 * NULL if handle is live. Records and segment arrays are reused, so a steady
 * stream of map/unmap allocates nothing. The pointer is valid until the next
 * add/del.
 */
struct mapping *handles_add(struct handles *h, uint64_t handle, unsigned nseg);
void handles_del(struct handles *h, uint64_t handle);
uint64_t handles_live(const struct handles *h);

#endif /* DDWSIM_HANDLES_H */
