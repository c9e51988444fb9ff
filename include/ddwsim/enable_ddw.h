/* enable_ddw.h - the guest's own DDW decision: what Linux's enable_ddw() makes of the hypervisor's offer. */
#ifndef DDWSIM_ENABLE_DDW_H
#define DDWSIM_ENABLE_DDW_H

#include <stdbool.h>
#include <stdint.h>

#define DDW_MAX_PHYSMEM_BITS	51	/* book3s/64/mmu.h, 64K pages + SPARSEMEM_VMEMMAP/EXTREME */
#define DDW_MIN_VPMEM_WINDOW	(2ull << 30) /* MIN_DDW_VPMEM_DMA_WINDOW = SZ_2G (pseries/iommu.c) */
#define DDW_REASON_MAX		320

/* What ibm,query-pe-dma-window (and ibm,ddw-extensions) tell the guest. */
struct ddw_offer {
	unsigned windows_available;	/* free windows for the PE */
	uint64_t largest_block;		/* largest_available_block, TCEs */
	uint64_t page_sizes;		/* bit n set: 2^n-byte TCEs offered (the
					 * IO page-size bits already decoded) */
	bool limited_addressing;	/* ibm,ddw-extensions has the limited-addressing
					 * entry (DDW_EXT_LIMITED_ADDR_MODE) */
};

/* What the guest knows of itself. */
struct ddw_guest {
	uint64_t dma_mask;		/* the device's DMA mask */
	uint64_t hotplug_max;		/* ddw_memory_hotplug_max(), bytes */
	bool pmem;			/* an ibm,pmemory node exists */
};

enum ddw_kind {
	DDW_NONE,			/* no DDW: the device maps through the default window */
	DDW_DIRECT,			/* a DDW mapping all RAM once */
	DDW_DYNAMIC,			/* a DDW mapped per I/O (DMA64_PROPNAME) */
};

/* The decision, and why, in the kernel's own terms. */
struct ddw_choice {
	enum ddw_kind kind;
	unsigned page_shift;		/* TCE size of the DDW (iommu_get_page_shift) */
	unsigned window_shift;		/* len: the DDW to create is 2^len bytes */
	unsigned max_ram_len;		/* order_base_2(ddw_memory_hotplug_max()) */
	unsigned ddw_sz;		/* what the offer and the mask allow, log2 bytes */
	bool default_removed;		/* the default window was removed for it */
	bool pmem_dynamic;		/* vPMEM mapped per I/O above 2^max_ram_len
					 * in the same DDW (the hybrid split) */
	char reason[DDW_REASON_MAX];	/* one line a kernel engineer recognises */
};

/*
 * enable_ddw() decides as iommu_bypass_supported_pSeriesLP() and enable_ddw()
 * (arch/powerpc/platforms/pseries/iommu.c, the limited-addressing text)
 * decide, up to ibm,create-pe-dma-window: whether the device gets a DDW, of
 * which TCE size and size, direct or dynamic, and whether the default window
 * is removed for it. It cannot fail; *c is always filled.
 */
void enable_ddw(const struct ddw_offer *o, const struct ddw_guest *g, struct ddw_choice *c);

/*
 * enable_ddw_failed() turns *c into "no DDW" after the step `what` (e.g.
 * "ibm,create-pe-dma-window") returned rc: enable_ddw's out_failed path,
 * which restores the default window (reset_dma_window) if it was removed.
 */
void enable_ddw_failed(struct ddw_choice *c, const char *what, int rc);

/* "none", "direct" or "dynamic". */
const char *ddw_kind_name(enum ddw_kind k);

/* order_base_2(x): the smallest n with 2^n >= x; 0 for x <= 1 (include/linux/log2.h). */
unsigned ddw_order_base_2(uint64_t x);

#endif /* DDWSIM_ENABLE_DDW_H */
