/* dma_api.h - the host's DMA API per mapping model: map, map_sg, unmap; hypercalls and kills. */
#ifndef DDWSIM_DMA_API_H
#define DDWSIM_DMA_API_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/alloc.h"
#include "ddwsim/counters.h"
#include "ddwsim/phb.h"
#include "ddwsim/tce.h"
#include "ddwsim/window.h"

#define HCALL_MAX_TCES	512	/* per H_PUT_TCE_INDIRECT / H_STUFF_TCE (PAPR v2.12 14.5.4.2.3) */

enum mapping_model {
	MAP_DYNAMIC,	/* per-I/O map/unmap through the Linux TCE allocator */
	MAP_DIRECT,	/* all RAM mapped once at window creation, no per-I/O work */
	MAP_BYPASS,	/* no translation at all (PowerNV TVE#1 non-translate) */
	MAP_AUTO,	/* config only: the guest decides per device (enable_ddw.h);
			 * the replay resolves it to one of the above */
};

enum plat_kind {
	PLAT_PSERIES,	/* guest: hypercalls */
	PLAT_POWERNV,	/* bare metal: table writes + TCE kills */
};

struct dma_api_cfg {
	enum mapping_model model;
	enum plat_kind kind;
	bool multi_tce;		/* FW_FEATURE_PUT_TCE_IND + STUFF_TCE (pseries) */
	bool kill_on_map;	/* a kill after building TCEs too (pnv_ioda2_tce_build) */
	bool kill_per_tce;	/* one kill request per TCE (PHB3 MMIO loop, KVM per
				 * guest TCE) rather than one per call (OPAL kill of a range) */
	bool kill_opal;		/* kill requests are OPAL calls (PHB4/5) */
	enum kill_scope kill_scope; /* what one page-kill request invalidates */
	unsigned host_page_shift; /* kernel PAGE_SHIFT */
	uint64_t dma_mask;	/* device DMA mask */
	uint64_t seg_boundary;	/* dma_get_seg_boundary(): PCI default 0xffffffff */
	uint64_t max_seg_size;	/* dma_get_max_seg_size(): PCI default 65536 */
	uint64_t ram;		/* bytes of host RAM (direct maps [0, ram)) */
	uint64_t vfio_map_size;	/* PowerNV direct: bytes per VFIO_IOMMU_MAP_DMA;
				 * UINT64_MAX = all RAM in one */
	uint64_t bypass_base;	/* bus address of physical 0 in bypass (1 << 59) */
	uint64_t res_start;	/* bus range the allocator must not use, bytes: */
	uint64_t res_end;	/* PowerNV's [m32_pci_base, 4G) in the default window */
};

struct dma_api {
	struct dma_api_cfg cfg;
	struct pe *pe;
	struct window *win;	/* NULL for bypass */
	struct phb *phb;	/* where kills go */
	struct tce_alloc alloc;	/* dynamic only */
	struct mode_stats *st;
	uint64_t folded_words;	/* allocator words already added to st */
};

/*
 * dma_api_init() binds the model to a window (the one at win_start; unused
 * for bypass), the PHB its kills go to, and the counters. For MAP_DIRECT it maps
 * all RAM now and counts that as set-up. Returns 0, or -EINVAL if the window
 * is missing or too small for RAM (direct).
 */
int dma_api_init(struct dma_api *d, const struct dma_api_cfg *cfg, struct pe *pe,
		 uint64_t win_start, struct phb *phb, struct mode_stats *st);
void dma_api_release(struct dma_api *d);

/*
 * Maps len bytes at phys for dir, as a map made on cpu. Sets *seg.
 * Returns 0, or -ENOSPC when the allocator found no room (counted in
 * map.failures; nothing stays allocated).
 */
int dma_api_map(struct dma_api *d, unsigned cpu, uint64_t phys, uint64_t len,
		enum dma_dir dir, struct dma_seg *seg);

#define DMA_NO_BUS	UINT64_MAX	/* same as OP_NO_BUS */

/*
 * ppc_iommu_map_sg(): one allocation and one TCE build per non-empty element,
 * the SG handle carried across elements; out[i] is element i's mapping.
 * rec_bus: the bus address a real kernel gave element 0 (a trace's record),
 * or OP_NO_BUS. When it lies in this window, the allocator's choice is
 * compared with it (allocator.recorded / matched) and the recorded one is
 * kept, so that the allocator's state follows the kernel's; a direct
 * window's identity map (rec_bus == start + phys) is written as set-up.
 * Returns 0, or -ENOSPC after undoing the elements already mapped, or
 * (direct, bypass) -ERANGE when an element's bus range would end past
 * 2^64 - 1; both are counted in map.failures.
 */
int dma_api_map_sg(struct dma_api *d, unsigned cpu, const struct dma_seg *in, unsigned n,
		   enum dma_dir dir, uint64_t rec_bus, struct dma_seg *out);

/*
 * Unmaps what map/map_sg returned: ppc_iommu_unmap_sg() frees per merged
 * segment (elements contiguous in bus space, merged up to max_seg_size).
 */
void dma_api_unmap(struct dma_api *d, const struct dma_seg *segs, unsigned n);

/* Hypercalls one pseries build/clear of npages makes (tce_buildmulti/freemulti_pSeriesLP). */
void dma_api_count_build(const struct dma_api_cfg *cfg, uint64_t npages, struct mode_stats *st);
void dma_api_count_clear(const struct dma_api_cfg *cfg, uint64_t npages, struct mode_stats *st);
/* The hypercalls of that clear: one H_STUFF_TCE per 512 TCEs, or one H_PUT_TCE each without multi-TCE. */
uint64_t dma_api_clear_hcalls(const struct dma_api_cfg *cfg, uint64_t npages);
/*
 * Kill requests one build or clear of npages window TCEs makes: one per TCE
 * with kill_per_tce (kvmppc_tce_iommu_map/_unmap, Linux >= 5.18); else on
 * pseries one per hypercall (per 512, or per TCE without multi-TCE), on
 * PowerNV one for the call.
 */
uint64_t dma_api_kill_requests(const struct dma_api_cfg *cfg, uint64_t npages);

/*
 * iommu_num_pages(addr, len, 1 << shift), rounded up without adding
 * page - 1 (which would wrap for a len near 2^64); the caller's range
 * [addr, addr + len) has a 64-bit end, so the offset plus len fits.
 */
static inline uint64_t iommu_num_pages(uint64_t addr, uint64_t len, unsigned shift)
{
	uint64_t mask = (1ull << shift) - 1, size = (addr & mask) + len;

	return (size >> shift) + ((size & mask) != 0);
}

#endif /* DDWSIM_DMA_API_H */
