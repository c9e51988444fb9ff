/* phb.h - the PHB's translation of device DMA: PCIe requests, TCE-cache lookups, walks, faults. */
#ifndef DDWSIM_PHB_H
#define DDWSIM_PHB_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/stats.h"
#include "ddwsim/tce_cache.h"
#include "ddwsim/window.h"

struct phb {
	struct tce_cache *cache;
	unsigned mps;			/* writes are split at this many bytes */
	unsigned mrrs;			/* reads are split at this many bytes */
	struct mode_stats *st;
};

/*
 * A device DMA of len bytes at bus address bus: split into PCIe requests at
 * naturally aligned MPS (write) / MRRS (read) boundaries, which also keeps
 * every request inside one 4 KiB block and one IOMMU page; each request is
 * translated by pe's window holding it (a TCE-cache lookup; on a miss a walk
 * of the table, filling the cache when it finds a TCE). w == NULL means
 * bypass: no translation. A request outside every window, under a missing
 * level, on a zero TCE or without the permission it needs is a fault.
 */
void phb_dma(struct phb *p, struct pe *pe, uint64_t bus, uint64_t len, bool write,
	     bool bypass);

#endif /* DDWSIM_PHB_H */
