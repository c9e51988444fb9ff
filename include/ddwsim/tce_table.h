/* tce_table.h - multi-level TCE table: kernel geometry and sizes, lazy levels, entries, walks. */
#ifndef DDWSIM_TCE_TABLE_H
#define DDWSIM_TCE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/sparse.h"

#define TCE_MAX_LEVELS	5	/* POWERNV_IOMMU_MAX_LEVELS (powernv/pci.h) */

/* Who holds the table, which decides its size rules. */
enum tce_table_kind {
	/* PowerNV host kernel table (pci-ioda-tce.c): pnv_pci_ioda2_table_alloc_pages */
	TCE_TABLE_PNV,
	/* Hypervisor's table behind a pseries guest window (QEMU/KVM): flat, 1 level,
	 * entries*8 bytes, host pages filled in lazily (book3s_64_vio.c
	 * kvm_spapr_get_tce_page). */
	TCE_TABLE_HV,
};

/* Geometry of one table; every field follows the kernel function named. */
struct tce_geom {
	unsigned page_shift;	/* IOMMU page shift (12 = 4K) */
	unsigned levels;	/* 1..5 */
	unsigned entries_shift;	/* ilog2(window_size) - page_shift */
	unsigned level_shift;	/* log2 bytes of one level allocation */
	unsigned level_bits;	/* log2 entries per level (it_level_size) */
	uint64_t window_size;	/* bytes of bus address space */
	uint64_t it_size;	/* entries the allocator manages (tce_table_size >> 3) */
	uint64_t table_bytes;	/* fully populated hardware table, bytes */
};

struct tce_table_req {
	enum tce_table_kind kind;
	unsigned page_shift;	/* IOMMU page shift */
	uint64_t window_size;	/* bytes, power of two */
	unsigned levels;	/* 1..5 */
	unsigned host_page_shift; /* kernel PAGE_SHIFT (16 on ppc64 64K) */
	unsigned max_bits;	/* PNV: reject (level_shift-3)*levels+page_shift >= this
				 * (55 today, 60 in older kernels); 0 = no limit */
	uint64_t base;		/* real address given to the top level (synthetic) */
};

/*
 * pnv_pci_ioda2_get_table_size() (pci-ioda.c): bytes for the hardware table
 * plus the userspace copy, fully populated; 0 for bad levels or a window
 * that is not a power of two.
 */
uint64_t tce_pnv_get_table_size(unsigned page_shift, uint64_t window_size,
				unsigned levels, unsigned host_page_shift);

/*
 * Fills *g for req. Returns 0, or -EINVAL (levels outside 1..5, a window
 * that is not a power of two or smaller than one page, HV tables with more
 * than 1 level, or the max_bits limit of pnv_pci_ioda2_table_alloc_pages).
 */
int tce_geom_compute(struct tce_geom *g, const struct tce_table_req *req);

struct tce_table;

/* Returns 0 and a table with only its top level allocated, or -EINVAL as above. */
int tce_table_new(struct tce_table **out, const struct tce_table_req *req);
void tce_table_free(struct tce_table *t);	/* NULL is a no-op */

const struct tce_geom *tce_table_geom(const struct tce_table *t);
/* Bytes of table memory allocated so far: top level plus lazily added levels. */
uint64_t tce_table_bytes_allocated(const struct tce_table *t);
/* The real address given to the top level (req.base): it names the table, as
 * no two tables of a PE share one, where a freed table's pointer may be reused. */
uint64_t tce_table_base(const struct tce_table *t);

/*
 * Entries are addressed by idx relative to the window (index - it_offset),
 * idx < it_size; values are host-order TCEs (stored big-endian).
 * set allocates missing lower levels (pnv_tce(..., alloc=true)); clear and
 * get never allocate (pnv_tce_free, pnv_tce_get) and see a missing level as 0.
 */
void tce_table_set(struct tce_table *t, uint64_t idx, uint64_t tce);
void tce_table_clear(struct tce_table *t, uint64_t idx);
uint64_t tce_table_get(const struct tce_table *t, uint64_t idx);

/*
 * Maps entries [0, count) to themselves: entry idx = (idx << page_shift) | perm,
 * i.e. window offset == real address, as a direct-mapped DDW does
 * (tce_setrange_multi_pSeriesLP, "identity: TCE RPN = phys"). The entries
 * are implied, not stored, so mapping 1 TiB costs no memory here; the levels
 * they need are counted as allocated. Call once, on an empty table.
 */
void tce_table_map_identity(struct tce_table *t, uint64_t count, uint64_t perm);

/* What the PHB does on a TCE-cache miss: one dependent read per level. */
struct tce_walk {
	unsigned reads;				/* entries read from memory */
	uint64_t addr[TCE_MAX_LEVELS];		/* real address of each entry read */
	uint64_t tce;				/* leaf TCE, host order; 0 = none */
};

/*
 * Walks idx from the top level. Returns 0 when the leaf was read (w->tce may
 * be 0: not mapped), -ENOENT when an indirect entry was 0 (a missing level:
 * w->reads counts the reads up to and including that entry), -ERANGE for
 * idx >= it_size (no read).
 */
int tce_table_walk(const struct tce_table *t, uint64_t idx, struct tce_walk *w);

#endif /* DDWSIM_TCE_TABLE_H */
