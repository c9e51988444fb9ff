/* window.h - DMA window slots of a PE: create/remove/reset with VFIO's errno semantics. */
#ifndef DDWSIM_WINDOW_H
#define DDWSIM_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/counters.h"
#include "ddwsim/tce_table.h"

#define WINDOW_MAX_SLOTS	2	/* IOMMU_TABLE_GROUP_MAX_TABLES (asm/iommu.h) */
#define WINDOW_MAX_GROUPS	32

/* What the window API needs to know of the platform. */
struct window_platform {
	enum tce_table_kind kind;	/* PNV host table or hypervisor (pseries) table */
	uint64_t page_sizes;		/* bit n set: 2^n-byte TCEs supported */
	unsigned max_windows;		/* slots, 1..WINDOW_MAX_SLOTS */
	unsigned max_levels;		/* 1..5 */
	unsigned host_page_shift;	/* kernel PAGE_SHIFT */
	unsigned max_bits;		/* PNV table limit (55), 0 = none */
	uint64_t slot_start[WINDOW_MAX_SLOTS]; /* bus address of each slot (0, 1<<59) */
	unsigned def_page_shift;	/* default window: TCE page shift */
	uint64_t def_size;		/* default window: bytes */
	unsigned def_levels;		/* default window: levels */
	bool restore_default;		/* PAPR: removing the last window that is
					 * not the default restores the default
					 * (spapr_rtas_ddw.c, newer text) */
	bool rtas;			/* pseries: window ops are RTAS calls and
					 * return RTAS status codes, not errnos */
	uint64_t memlock;		/* VFIO on PowerNV: RLIMIT_MEMLOCK bytes the
					 * tables are charged to; 0 = unlimited */
	uint64_t *locked_vm;		/* the process's locked_vm (pages), which every
					 * PE of it shares; NULL: each PE's own locked_pages */
	/*
	 * KVM guest (pseries): the bytes the host process (QEMU) locks for a
	 * guest window of 2^page_shift-byte TCEs and size bytes, KVM's TCE
	 * table and VFIO's host table (account_locked_vm in
	 * kvm_vm_ioctl_create_spapr_tce and tce_iommu_create_table). Added to
	 * *locked_vm in 2^lock_page_shift pages and given back with the window;
	 * never refused here (the replay checks host.memlock: past it QEMU
	 * stops rather than failing the RTAS call). NULL: nothing locked.
	 */
	uint64_t (*host_lock_bytes)(const void *arg, unsigned page_shift, uint64_t size);
	const void *host_lock_arg;
	unsigned lock_page_shift;	/* the host kernel's PAGE_SHIFT, for host_lock_bytes */
	uint64_t group_page_sizes;	/* PowerNV: the TCE sizes the PHB firmware of
					 * groups 1..ngroups-1 takes in
					 * opal_pci_map_pe_dma_window; 0 = page_sizes.
					 * Only group 0's (page_sizes) is checked
					 * before the table is made */
};

/* OPAL_PARAMETER (opal-api.h): what skiboot's map_pe_dma_window returns for a
 * TCE size or level count its PHB does not take; pnv_pci_ioda2_set_window
 * passes it back raw, so VFIO's caller sees -1 (errno EPERM). */
#define OPAL_PARAMETER		(-1)

/* RTAS status codes (hw/ppc/spapr.h, include/asm/rtas.h) */
#define RTAS_OUT_SUCCESS	0
#define RTAS_OUT_HW_ERROR	(-1)
#define RTAS_OUT_PARAM_ERROR	(-3)

struct window {
	bool used;
	bool is_default;		/* made by pe_init/reset, not by create */
	unsigned num;			/* slot number = TVE (pe<<1)+num */
	uint64_t start;			/* bus address */
	uint64_t size;			/* bytes */
	uint64_t locked_pages;		/* charged to memlock (account_locked_vm) */
	struct tce_table *tbl;
};

/*
 * Test hook for "programming window num on group g" (set_window): returns 0
 * or a negative code, which create passes back raw, as VFIO passes back
 * PowerNV's raw OPAL code (reference/domain.md §2.6, §7.3).
 */
typedef int (*window_set_hook)(void *arg, unsigned group, unsigned num);

struct pe {
	const struct window_platform *plat;
	unsigned number;		/* PE number: the TCE-cache tag */
	unsigned ngroups;		/* IOMMU groups sharing these windows */
	struct window win[WINDOW_MAX_SLOTS];
	uint32_t programmed[WINDOW_MAX_GROUPS]; /* per group: bit num = window set */
	window_set_hook set_hook;	/* NULL in normal runs */
	void *set_hook_arg;
	uint64_t next_base;		/* synthetic real address for the next table */
	unsigned tables_live;		/* tables allocated and not freed */
	uint64_t locked_pages;		/* locked_vm its tables are charged, PAGE_SIZE pages
					 * (counted here when plat->locked_vm is NULL) */
};

/*
 * pe_init() sets up a PE with ngroups groups (1..WINDOW_MAX_GROUPS) and its
 * default window in slot 0. Returns 0 or the errno of creating it (the PE is
 * then empty and needs no release).
 */
int pe_init(struct pe *pe, const struct window_platform *plat, unsigned number,
	    unsigned ngroups);
void pe_release(struct pe *pe);

/*
 * window_create() - VFIO_IOMMU_SPAPR_TCE_CREATE as merged (tce_iommu_create_window).
 * Takes the first free slot; the platform picks its start (slot 0: the
 * default window's address, slot 1: 1<<59) and *start is set.
 * Returns 0, or:
 *   -ENOSPC  every slot is in use;
 *   -EINVAL  page size not supported, levels outside 1..max_levels, size not a
 *            power of two or below one page, or the table too big (55-bit limit);
 *   -ENOMEM  memlock cannot cover the table (account_locked_vm);
 *   rc       the code a group's set_window returned (a group g >= 1 whose
 *            plat->group_page_sizes lacks the page size: OPAL_PARAMETER):
 *            every group is unset again and the table freed.
 * With plat->rtas (ibm,create-pe-dma-window, QEMU's rtas_ibm_create_pe_dma_window,
 * parameters checked before windows are counted):
 *   RTAS_OUT_PARAM_ERROR  page size not offered, the window below one page
 *                         (window_shift < page_shift), or not a power of two;
 *   RTAS_OUT_HW_ERROR     every slot is in use, or the table cannot be made.
 * On any error the PE is exactly as it was.
 */
int window_create(struct pe *pe, unsigned page_shift, uint64_t size, unsigned levels,
		  uint64_t *start);

/*
 * window_remove() - VFIO_IOMMU_SPAPR_TCE_REMOVE: unsets the window on every
 * group and frees its table. The window is found as tce_iommu_find_table
 * finds it: any address in [start, start + (it_size << page_shift)) names it.
 * Returns 0, or -EINVAL when no window holds start (nothing changes);
 * with plat->rtas RTAS_OUT_PARAM_ERROR instead (rtas_ibm_remove_pe_dma_window).
 */
int window_remove(struct pe *pe, uint64_t start);

/* ibm,reset-pe-dma-window: removes every window, then recreates the default one. */
int window_reset(struct pe *pe);

/* A code window_create/remove returned, by name: "ENOSPC", "RTAS_OUT_PARAM_ERROR". */
const char *window_status_name(const struct window_platform *plat, int rc);

/* The counter a failed window op goes in: by errno, or by RTAS status on pseries. */
enum win_err window_err_of(const struct window_platform *plat, int rc);

/* The window whose bus range holds bus, or NULL. */
struct window *window_find(struct pe *pe, uint64_t bus);
/* tce_iommu_find_table(): the window whose table range holds addr, or NULL. */
struct window *window_table_find(struct pe *pe, uint64_t addr);
/* The window starting at start, or NULL. */
struct window *window_at(struct pe *pe, uint64_t start);

#endif /* DDWSIM_WINDOW_H */
