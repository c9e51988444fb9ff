/*
 * window.c - the DMA windows of one PE.
 *
 * A PE has at most two windows (IOMMU_TABLE_GROUP_MAX_TABLES): slot 0 at the
 * default window's bus address, slot 1 at 1<<59 (pnv_pci_ioda2_create_table:
 * bus_offset = num ? tce_bypass_base : tce32_start). Create and remove follow
 * VFIO's tce_iommu_create_window / tce_iommu_remove_window as merged
 * (reference/domain.md §7.3, §7.4), errors checked in the kernel's order:
 *
 *   1. a free slot (tce_iommu_find_free_table)            else -ENOSPC
 *   2. page size in the platform's mask                   else -EINVAL
 *      slot start + size at most 2^64 - 1 (ddwsim's own)  else -EINVAL
 *   3. get_table_size() != 0 (levels 1..5, size pow2)     else -EINVAL
 *      account_locked_vm(table_size >> PAGE_SHIFT)        else -ENOMEM
 *   4. create_table(): levels <= max_levels, 55-bit limit else -EINVAL
 *   5. set_window() on every group; on a failure, unset_window() on every
 *      group (also those never set) and free the table; return its code.
 *
 * Step 2 looks at the first group only (list_first_entry of the container's
 * group_list: its pgsizes), and attach checked only that the groups share
 * create_table (tce_iommu_attach_group). A later group on a PHB whose
 * firmware does not take the TCE size fails in step 5: set_window is
 * pnv_pci_ioda2_set_window -> opal_pci_map_pe_dma_window, and skiboot's
 * phb4_map_pe_dma_window answers a size outside its switch
 * with OPAL_PARAMETER, returned raw (-1, which the VFIO user reads as EPERM).
 * plat->group_page_sizes is that PHB's set for groups 1..ngroups-1.
 *
 * The slot is only taken after step 5 succeeded, so no error leaves state.
 * The current kernel keeps the locked_vm charge when create_table() fails
 * (domain.md §7.3); ddwsim gives it back, as the early v2 text did.
 *
 * On pseries (plat->rtas) the ops are QEMU's RTAS calls
 * (hw/ppc/spapr_rtas_ddw.c, domain.md §8.2) and return its status codes in
 * its order: rtas_ibm_create_pe_dma_window checks the parameters (page
 * shift in page_size_mask, window_shift >= page_shift: RTAS_OUT_PARAM_ERROR)
 * before it counts windows (SPAPR_PCI_DMA_MAX_WINDOWS: RTAS_OUT_HW_ERROR);
 * rtas_ibm_remove_pe_dma_window answers a window that is not enabled with
 * RTAS_OUT_PARAM_ERROR. Hypervisor tables are not charged to memlock by
 * the guest; behind KVM the host process locks memory for each (KVM's TCE
 * table, VFIO's host table), which plat->host_lock_bytes gives: counted in
 * locked_vm with the window, the limit left to the replay.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/window.h"

static int create_default(struct pe *pe);

int pe_init(struct pe *pe, const struct window_platform *plat, unsigned number,
	    unsigned ngroups)
{
	int rc;

	assert(ngroups >= 1 && ngroups <= WINDOW_MAX_GROUPS);
	memset(pe, 0, sizeof(*pe));
	pe->plat = plat;
	pe->number = number;
	pe->ngroups = ngroups;
	pe->next_base = 1ull << 40;	/* synthetic: tables live above 1 TiB */
	rc = create_default(pe);
	if (rc < 0)
		memset(pe, 0, sizeof(*pe));
	return rc;
}

static void unset_all_groups(struct pe *pe, unsigned num)
{
	for (unsigned g = 0; g < pe->ngroups; g++)
		pe->programmed[g] &= ~(1u << num);
}

/* set_window on group g: its PHB firmware's answer (see the top), then the test hook's. */
static int set_group(struct pe *pe, unsigned g, unsigned num, unsigned page_shift)
{
	uint64_t sizes = pe->plat->group_page_sizes;

	if (g > 0 && sizes && !(sizes & (1ull << page_shift)))
		return OPAL_PARAMETER;
	return pe->set_hook ? pe->set_hook(pe->set_hook_arg, g, num) : 0;
}

static int set_all_groups(struct pe *pe, unsigned num, unsigned page_shift)
{
	for (unsigned g = 0; g < pe->ngroups; g++) {
		int rc = set_group(pe, g, num, page_shift);

		if (rc < 0)
			return rc;
		pe->programmed[g] |= 1u << num;
	}
	return 0;
}

static int find_free_slot(const struct pe *pe)
{
	for (unsigned i = 0; i < pe->plat->max_windows; i++)
		if (!pe->win[i].used)
			return (int)i;
	return -ENOSPC;
}

/* The locked_vm counter the PE's tables are charged to: the process's, or its own. */
static uint64_t *locked_vm(struct pe *pe)
{
	return pe->plat->locked_vm ? pe->plat->locked_vm : &pe->locked_pages;
}

/* account_locked_vm(mm, npages, true): -ENOMEM past RLIMIT_MEMLOCK (mm/util.c). */
static int charge(struct pe *pe, uint64_t bytes, uint64_t *pages)
{
	const struct window_platform *p = pe->plat;
	uint64_t n = bytes >> p->host_page_shift;

	if (p->memlock && *locked_vm(pe) + n > p->memlock >> p->host_page_shift)
		return -ENOMEM;
	*locked_vm(pe) += n;
	*pages = n;
	return 0;
}

static int create_table(struct pe *pe, unsigned page_shift, uint64_t size, unsigned levels,
			struct tce_table **tbl, uint64_t *pages)
{
	const struct window_platform *p = pe->plat;
	struct tce_table_req req = {
		.kind = p->kind, .page_shift = page_shift, .window_size = size,
		.levels = levels, .host_page_shift = p->host_page_shift,
		.max_bits = p->max_bits, .base = pe->next_base,
	};
	int rc;

	*pages = 0;
	if (p->kind != TCE_TABLE_PNV && p->host_lock_bytes) {	/* QEMU's, counted only */
		*pages = p->host_lock_bytes(p->host_lock_arg, page_shift, size) >> p->lock_page_shift;
		*locked_vm(pe) += *pages;
	}
	if (p->kind == TCE_TABLE_PNV) {
		uint64_t bytes = tce_pnv_get_table_size(page_shift, size, levels, p->host_page_shift);

		if (!bytes)
			return -EINVAL;
		if ((rc = charge(pe, bytes, pages)) < 0)
			return rc;
	}
	rc = levels < 1 || levels > p->max_levels ? -EINVAL : tce_table_new(tbl, &req);
	if (rc < 0)
		goto err_uncharge;
	pe->next_base += 1ull << 36;	/* 64 GiB of synthetic address space per table */
	pe->tables_live++;
	return 0;
err_uncharge:
	*locked_vm(pe) -= *pages;
	return rc;
}

/* A free slot and a page size, in VFIO's order or QEMU's (see the top). */
static int check_create(const struct pe *pe, unsigned page_shift, uint64_t size)
{
	const struct window_platform *p = pe->plat;
	bool offered = page_shift < 64 && (p->page_sizes & (1ull << page_shift));
	int num;

	if (p->rtas) {
		if (!offered || size < (1ull << page_shift) || (size & (size - 1)))
			return RTAS_OUT_PARAM_ERROR;	/* window_shift < page_shift */
		num = find_free_slot(pe);
		return num < 0 ? RTAS_OUT_HW_ERROR : num;
	}
	num = find_free_slot(pe);
	if (num < 0)
		return num;
	return offered ? num : -EINVAL;
}

int window_create(struct pe *pe, unsigned page_shift, uint64_t size, unsigned levels,
		  uint64_t *start)
{
	uint64_t base = pe->next_base, pages;
	struct tce_table *tbl;
	int num, rc;

	num = check_create(pe, page_shift, size);
	if (num < 0)
		return num;
	if (ck_range(pe->plat->slot_start[num], size))	/* would end past 2^64 - 1 */
		return pe->plat->rtas ? RTAS_OUT_PARAM_ERROR : -EINVAL;
	rc = create_table(pe, page_shift, size, levels, &tbl, &pages);
	if (rc < 0)
		return pe->plat->rtas ? RTAS_OUT_HW_ERROR : rc;
	rc = set_all_groups(pe, (unsigned)num, page_shift);
	if (rc < 0)
		goto err_unset;
	pe->win[num] = (struct window){
		.used = true, .num = (unsigned)num, .start = pe->plat->slot_start[num],
		.size = size, .locked_pages = pages, .tbl = tbl,
	};
	*start = pe->win[num].start;
	return 0;
err_unset:
	unset_all_groups(pe, (unsigned)num);
	tce_table_free(tbl);
	pe->tables_live--;
	*locked_vm(pe) -= pages;
	pe->next_base = base;
	return rc;
}

/* The platform's default window, in the first free slot (slot 0 after a reset). */
static int create_default(struct pe *pe)
{
	const struct window_platform *p = pe->plat;
	uint64_t start;
	int rc = window_create(pe, p->def_page_shift, p->def_size, p->def_levels, &start);

	if (rc == 0)
		window_at(pe, start)->is_default = true;
	return rc;
}

static void drop_window(struct pe *pe, struct window *w)
{
	unset_all_groups(pe, w->num);
	tce_table_free(w->tbl);
	pe->tables_live--;
	*locked_vm(pe) -= w->locked_pages;	/* tce_iommu_free_table: account_locked_vm(false) */
	memset(w, 0, sizeof(*w));
}

static bool pe_empty(const struct pe *pe)
{
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		if (pe->win[i].used)
			return false;
	return true;
}

int window_remove(struct pe *pe, uint64_t start)
{
	struct window *w = window_table_find(pe, start);
	bool was_default;

	if (!w)
		return pe->plat->rtas ? RTAS_OUT_PARAM_ERROR : -EINVAL;
	was_default = w->is_default;
	drop_window(pe, w);
	if (pe->plat->restore_default && !was_default && pe_empty(pe))
		return window_reset(pe);
	return 0;
}

int window_reset(struct pe *pe)
{
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		if (pe->win[i].used)
			drop_window(pe, &pe->win[i]);
	return create_default(pe);
}

void pe_release(struct pe *pe)
{
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		if (pe->win[i].used)
			drop_window(pe, &pe->win[i]);
}

struct window *window_find(struct pe *pe, uint64_t bus)
{
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++) {
		struct window *w = &pe->win[i];

		if (w->used && bus >= w->start && bus - w->start < w->size)
			return w;
	}
	return NULL;
}

struct window *window_table_find(struct pe *pe, uint64_t addr)
{
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++) {
		struct window *w = &pe->win[i];
		const struct tce_geom *g;

		if (!w->used)
			continue;
		g = tce_table_geom(w->tbl);
		if (addr >= w->start && ((addr - w->start) >> g->page_shift) < g->it_size)
			return w;
	}
	return NULL;
}

struct window *window_at(struct pe *pe, uint64_t start)
{
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		if (pe->win[i].used && pe->win[i].start == start)
			return &pe->win[i];
	return NULL;
}

const char *window_status_name(const struct window_platform *plat, int rc)
{
	if (plat && plat->rtas && rc == RTAS_OUT_PARAM_ERROR)
		return "RTAS_OUT_PARAM_ERROR";
	if (plat && plat->rtas && rc == RTAS_OUT_HW_ERROR)
		return "RTAS_OUT_HW_ERROR";
	return ddw_errno_name(rc);
}

enum win_err window_err_of(const struct window_platform *plat, int rc)
{
	if (plat && plat->rtas && rc == RTAS_OUT_PARAM_ERROR)
		return WIN_ERR_RTAS_PARAM;
	if (plat && plat->rtas && rc == RTAS_OUT_HW_ERROR)
		return WIN_ERR_RTAS_HW;
	return win_err_of(rc);
}
