/* tce.h - the TCE entry: encoding, permissions, byte order (reference/domain.md §1). */
#ifndef DDWSIM_TCE_H
#define DDWSIM_TCE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One TCE, as the PHB reads it from memory (asm/tce.h, pnv_tce_build):
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       8     big-endian 64-bit word:
 *                   bits 63..page_shift  real page number << page_shift
 *                   bits page_shift-1..2 zero
 *                   bit 1 (0x2)          TCE_PCI_WRITE: the device may write memory
 *                   bit 0 (0x1)          TCE_PCI_READ: the device may read memory
 *
 * A TCE of 0 is unmapped. An indirect (non-leaf) entry of a multi-level table
 * is the next level's address | R | W (pnv_pci_ioda2_table_do_alloc_pages).
 */
#define TCE_ENTRY_SIZE	8
#define TCE_PCI_READ	0x1ull
#define TCE_PCI_WRITE	0x2ull
#define TCE_PERM_MASK	(TCE_PCI_READ | TCE_PCI_WRITE)

/* DMA directions, as the Linux DMA API names them. */
enum dma_dir {
	DMA_DIR_BIDIRECTIONAL = 0,
	DMA_DIR_TO_DEVICE = 1,		/* device reads memory */
	DMA_DIR_FROM_DEVICE = 2,	/* device writes memory */
};

/*
 * Permission bits Linux writes for a direction. Both pseries
 * (tce_buildmulti_pSeriesLP: R always, W unless DMA_TO_DEVICE) and PowerNV
 * (pnv_tce_build: iommu_direction_to_tce_perm, then R forced whenever W)
 * end with: TO_DEVICE -> R, otherwise R|W.
 */
static inline uint64_t tce_perm_for_dir(enum dma_dir dir)
{
	return dir == DMA_DIR_TO_DEVICE ? TCE_PCI_READ : TCE_PCI_READ | TCE_PCI_WRITE;
}

/* Leaf TCE for physical address phys: ((phys >> shift) << shift) | perm. */
static inline uint64_t tce_make(uint64_t phys, unsigned page_shift, uint64_t perm)
{
	return ((phys >> page_shift) << page_shift) | (perm & TCE_PERM_MASK);
}

/* Real page base of a leaf TCE. */
static inline uint64_t tce_addr(uint64_t tce, unsigned page_shift)
{
	return (tce >> page_shift) << page_shift;
}

/* Does tce allow a device write (write=true) or read? */
static inline bool tce_allows(uint64_t tce, bool write)
{
	return (tce & (write ? TCE_PCI_WRITE : TCE_PCI_READ)) != 0;
}

/* Host <-> table byte order: the table holds big-endian words. */
static inline uint64_t tce_to_be(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

static inline uint64_t tce_from_be(uint64_t v)
{
	return tce_to_be(v);
}

#endif /* DDWSIM_TCE_H */
