/* alloc.h - the Linux TCE allocator (arch/powerpc/kernel/iommu.c): it_map, pools, hints. */
#ifndef DDWSIM_ALLOC_H
#define DDWSIM_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/sparse.h"

#define IOMMU_NR_POOLS		4	/* asm/iommu.h */
#define IOMMU_POOL_HASHBITS	2	/* asm/iommu.h */
#define IOMMU_LARGE_ALLOC	15	/* iommu_range_alloc: largealloc = npages > 15 */
#define IOMMU_BLOCKSIZE		16	/* it_blocksize (pnv_pci_setup_iommu_table,
					 * iommu_table_setparms_common) */
#define IOMMU_ALLOC_FAILED	UINT64_MAX /* DMA_MAPPING_ERROR */

struct iommu_pool {
	uint64_t start;			/* first entry (relative to it_offset) */
	uint64_t end;			/* one past the last */
	uint64_t hint;			/* where the next search starts */
};

struct tce_alloc_stats {
	uint64_t allocs;		/* successful range allocations */
	uint64_t failures;		/* iommu_range_alloc returned DMA_MAPPING_ERROR */
	uint64_t frees;			/* ranges freed */
	uint64_t words_scanned;		/* bitmap words read while searching */
	uint64_t live;			/* entries allocated now (reserved ones excluded) */
	uint64_t peak;			/* most entries allocated at once */
};

/* One iommu_table's allocator state. */
struct tce_alloc {
	uint64_t it_offset;		/* first TCE index of the window */
	uint64_t it_size;		/* entries */
	unsigned it_page_shift;
	unsigned nr_pools;		/* 4 if the window is >= 1 GiB, else 1 */
	struct iommu_pool pools[IOMMU_NR_POOLS];
	struct iommu_pool large_pool;	/* top quarter */
	struct sparse map;		/* it_map: one bit per entry, 64 per word */
	struct tce_alloc_stats st;
};

/*
 * iommu_init_table() + iommu_table_reserve_pages(): bit 0 is reserved when
 * it_offset == 0, and so is [res_start, res_end) (absolute TCE indexes,
 * clipped to the window; res_start >= res_end reserves nothing).
 */
void tce_alloc_init(struct tce_alloc *a, uint64_t it_offset, uint64_t it_size,
		    unsigned it_page_shift, uint64_t res_start, uint64_t res_end);
void tce_alloc_release(struct tce_alloc *a);

/* hash_32(cpu, IOMMU_POOL_HASHBITS) (setup_iommu_pool_hash, include/linux/hash.h). */
unsigned tce_alloc_pool_hash(unsigned cpu);

/*
 * iommu_range_alloc(): npages entries for a map made on cpu.
 * handle: SG continuation (NULL, or in/out "end of the previous element").
 * mask: highest usable absolute TCE index (dma_mask >> it_page_shift).
 * align_order: the start is aligned to 1 << align_order entries.
 * boundary: segment boundary in entries (a power of two; an allocation never
 * crosses a multiple of it in absolute index).
 * Returns the entry relative to it_offset, or IOMMU_ALLOC_FAILED.
 */
uint64_t tce_alloc_range(struct tce_alloc *a, unsigned cpu, uint64_t npages,
			 uint64_t *handle, uint64_t mask, unsigned align_order,
			 uint64_t boundary);

/*
 * Takes [entry, entry + npages) (relative) as the kernel's allocator took it,
 * with the hint update iommu_range_alloc makes in the pool holding entry
 * (get_pool). Used to follow a trace's recorded choices. Returns 0, or
 * -EBUSY (nothing changes) if an entry of the range is already in use.
 */
int tce_alloc_claim(struct tce_alloc *a, uint64_t entry, uint64_t npages);

/* __iommu_free(): clears the bits of [entry, entry + npages) (relative). */
void tce_alloc_free(struct tce_alloc *a, uint64_t entry, uint64_t npages);

/* Is relative entry n allocated (or reserved)? */
bool tce_alloc_test(const struct tce_alloc *a, uint64_t n);

#endif /* DDWSIM_ALLOC_H */
