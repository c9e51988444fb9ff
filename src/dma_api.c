/*
 * dma_api.c - what the host does per map and unmap, in each mapping model.
 *
 * dynamic (reference/domain.md §4, §5.2, §2.9):
 *   map     npages = iommu_num_pages(phys, len, tce_size); align = PAGE_SHIFT -
 *           it_page_shift when the TCE is smaller than a kernel page, len >=
 *           PAGE_SIZE and phys is page aligned (iommu_map_page);
 *           iommu_range_alloc(); then it_ops->set:
 *             pseries  npages == 1 or no multi-TCE: one H_PUT_TCE per page,
 *                      else ceil(npages / 512) H_PUT_TCE_INDIRECT
 *                      (tce_buildmulti_pSeriesLP);
 *             powernv  npages table writes (pnv_tce_build), then a kill
 *                      (pnv_pci_ioda2_tce_invalidate).
 *   unmap   it_ops->clear, then the bits freed (__iommu_free):
 *             pseries  ceil(npages / 512) H_STUFF_TCE, or one H_PUT_TCE(0)
 *                      per page without multi-TCE (tce_freemulti_pSeriesLP);
 *             powernv  npages zeroed, then a kill.
 * direct: [0, RAM) is mapped once when the window is set up; a map is then
 *   dma = window start + phys, no work.
 *   pseries  tce_setrange_multi_pSeriesLP: ceil(RAM / tce_size / 512)
 *            H_PUT_TCE_INDIRECT. Under KVM + VFIO (kill_on_map) each guest
 *            TCE also reaches the host table and its kill, as any map does
 *            (kvmppc_h_put_tce_indirect -> kvmppc_tce_iommu_map): one
 *            iommu_tce_kill per guest TCE (Linux >= 5.18, "KVM: PPC: Fix TCE
 *            handling for VFIO"; kill_per_tce) or one per hcall (5.4-5.17,
 *            after "Split out TCE invalidation from TCE updates"; kill_per_tce
 *            false). Linux before 5.4 killed per host TCE inside
 *            iommu_tce_xchg: not modelled (with guest TCE = host TCE it is the
 *            per-guest-TCE count).
 *   powernv  Linux itself uses bypass for a direct window (domain.md §2.8);
 *            the one user that maps all RAM into a TCE window is a VFIO user
 *            (QEMU, DPDK): VFIO_IOMMU_MAP_DMA per range of vfio_map_size
 *            bytes, each tce_iommu_map_dma -> tce_iommu_build_v2 (one
 *            iommu_tce_xchg_no_kill per TCE) then one iommu_tce_kill for the
 *            range (domain.md §7.5). QEMU's vfio listener maps each RAM
 *            section in one ioctl (vfio_listener_region_add): one range.
 * bypass: dma = bypass base + phys, no TCEs, no translation.
 *
 * Kills: one iommu_tce_kill / pnv_pci_ioda2_tce_invalidate per map or unmap
 * call (PowerNV), per guest TCE (KVM, kill_per_tce) or per hcall (KVM,
 * !kill_per_tce). A kill's requests: PHB3 writes one MMIO store per page
 * (kill_per_tce), PHB4/5 makes one OPAL_PCI_TCE_KILL call. Each request
 * invalidates kill_scope: the pages themselves, or the whole PE on PHB4/PHB5
 * (HW560152 escalation). The pages are the PHB's TCEs: behind a host IOMMU a
 * guest TCE is 1 << (guest shift - host shift) host TCEs from entry <<
 * (guest shift - host shift) (kvmppc_tce_iommu_map's io_entry, subpages).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/dma_api.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

void dma_api_count_build(const struct dma_api_cfg *cfg, uint64_t npages, struct mode_stats *st)
{
	if (npages == 1 || !cfg->multi_tce)
		st->h_put_tce += npages;
	else
		st->h_put_tce_indirect += div_up(npages, HCALL_MAX_TCES);
}

uint64_t dma_api_clear_hcalls(const struct dma_api_cfg *cfg, uint64_t npages)
{
	return cfg->multi_tce ? div_up(npages, HCALL_MAX_TCES) : npages;
}

void dma_api_count_clear(const struct dma_api_cfg *cfg, uint64_t npages, struct mode_stats *st)
{
	if (!cfg->multi_tce)
		st->h_put_tce += dma_api_clear_hcalls(cfg, npages);
	else
		st->h_stuff_tce += dma_api_clear_hcalls(cfg, npages);
}

/*
 * Kill requests for one build or clear of npages window TCEs: one per TCE
 * when kill_per_tce; else, on pseries (KVM), one per hypercall the guest made
 * (tce_buildmulti/freemulti_pSeriesLP: one per TCE alone or without
 * multi-TCE, else per 512); on PowerNV one for the call.
 */
uint64_t dma_api_kill_requests(const struct dma_api_cfg *cfg, uint64_t npages)
{
	if (cfg->kill_per_tce)
		return npages;
	if (cfg->kind == PLAT_PSERIES)
		return npages == 1 || !cfg->multi_tce ? npages : div_up(npages, HCALL_MAX_TCES);
	return 1;
}

static uint64_t kill_requests(const struct dma_api *d, uint64_t npages)
{
	return dma_api_kill_requests(&d->cfg, npages);
}

/* log2 of the PHB's TCEs per window TCE: host TCEs behind a guest TCE, else 0. */
static unsigned sub_shift(const struct dma_api *d)
{
	unsigned shift = tce_table_geom(d->win->tbl)->page_shift;

	return shift - phb_host_shift(&d->phb->host, shift);
}

/* Kill window TCEs [idx, idx + npages): count it, and the PHB applies it to its TCEs. */
static void kill_range(struct dma_api *d, uint64_t idx, uint64_t npages)
{
	unsigned sub = sub_shift(d);
	struct kill_req k = {
		.scope = d->cfg.kill_scope, .pe = d->pe->number, .win = d->win->num,
		.idx = idx << sub, .npages = npages << sub, .requests = kill_requests(d, npages),
	};
	struct mode_stats *st = d->st;

	if (d->cfg.kill_opal)
		st->opal_kill_calls += k.requests;
	if (k.scope == KILL_PAGE)
		st->kill_page += k.npages;
	else if (k.scope == KILL_PE)
		st->kill_pe += k.requests;
	else if (k.scope == KILL_ALL)
		st->kill_all += k.requests;
	phb_kill(d->phb, &k);
}

/* Kill requests made while mapping all RAM: counted, not sent to the PHB
 * (nothing is cached yet). */
static void setup_kills(struct dma_api *d, uint64_t requests)
{
	d->st->setup_kills += requests;
	if (d->cfg.kill_opal)
		d->st->opal_kill_calls += requests;
}

static uint64_t win_idx(const struct dma_api *d, uint64_t dma)
{
	return (dma - d->win->start) >> tce_table_geom(d->win->tbl)->page_shift;
}

/* it_ops->set for npages at window entry idx, real pages from phys. */
static void build(struct dma_api *d, uint64_t idx, uint64_t npages, uint64_t phys,
		  enum dma_dir dir)
{
	unsigned shift = tce_table_geom(d->win->tbl)->page_shift;
	uint64_t perm = tce_perm_for_dir(dir);

	for (uint64_t i = 0; i < npages; i++)
		tce_table_set(d->win->tbl, idx + i, tce_make(phys + (i << shift), shift, perm));
	d->st->map_tces += npages;
	if (d->cfg.kind == PLAT_PSERIES)
		dma_api_count_build(&d->cfg, npages, d->st);
	if (d->cfg.kill_on_map)
		kill_range(d, idx, npages);
}

/* it_ops->clear for npages at window entry idx, then the allocator bits. */
static void clear(struct dma_api *d, uint64_t idx, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++)
		tce_table_clear(d->win->tbl, idx + i);
	d->st->unmap_tces += npages;
	if (d->cfg.kind == PLAT_PSERIES)
		dma_api_count_clear(&d->cfg, npages, d->st);
	kill_range(d, idx, npages);
	tce_alloc_free(&d->alloc, idx, npages);
}

/* A VFIO user's kill requests for n TCEs mapped in ranges of vfio_map_size. */
static uint64_t vfio_setup_requests(const struct dma_api *d, uint64_t n, unsigned shift)
{
	uint64_t per_range = d->cfg.vfio_map_size >> shift, ranges;

	if (!per_range)
		per_range = 1;		/* a range is at least one IOMMU page */
	ranges = n <= per_range ? 1 : div_up(n, per_range);
	return d->cfg.kill_per_tce ? n : ranges;
}

static int setup_direct(struct dma_api *d)
{
	const struct tce_geom *g = tce_table_geom(d->win->tbl);
	uint64_t n = div_up(d->cfg.ram, 1ull << g->page_shift);

	if (n > g->it_size || d->win->size < d->cfg.ram)
		return -EINVAL;
	tce_table_map_identity(d->win->tbl, n, TCE_PCI_READ | TCE_PCI_WRITE);
	d->st->setup_tces = n;
	if (d->cfg.kind == PLAT_PSERIES) {
		/* tce_setrange_multi_pSeriesLP: chunks of <= 512, or one H_PUT_TCE each */
		d->st->setup_hcalls = d->cfg.multi_tce ? div_up(n, HCALL_MAX_TCES) : n;
		if (d->cfg.kill_on_map)
			setup_kills(d, kill_requests(d, n));
		return 0;
	}
	setup_kills(d, vfio_setup_requests(d, n, g->page_shift));
	return 0;
}

int dma_api_init(struct dma_api *d, const struct dma_api_cfg *cfg, struct pe *pe,
		 uint64_t win_start, struct phb *phb, struct mode_stats *st)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->pe = pe;
	d->phb = phb;
	d->st = st;
	if (cfg->model == MAP_BYPASS)
		return 0;
	d->win = window_at(pe, win_start);
	if (!d->win)
		return -EINVAL;
	if (cfg->model == MAP_DIRECT)
		return setup_direct(d);
	{
		const struct tce_geom *g = tce_table_geom(d->win->tbl);
		uint64_t off = d->win->start >> g->page_shift;
		tce_alloc_init(&d->alloc, off, g->it_size, g->page_shift,
			       cfg->res_start >> g->page_shift, cfg->res_end >> g->page_shift);
	}
	return 0;
}

void dma_api_release(struct dma_api *d)
{
	if (d->cfg.model == MAP_DYNAMIC && d->win)
		tce_alloc_release(&d->alloc);
}

static uint64_t seg_boundary_pages(const struct dma_api *d, unsigned shift)
{
	return (d->cfg.seg_boundary >> shift) + 1;
}

/*
 * Follows a recorded choice: rec is the entry the real kernel used. Counts
 * whether ours (entry, IOMMU_ALLOC_FAILED if none) was the same, then makes
 * the kernel's the one in use. Returns the entry to build at.
 */
static uint64_t follow(struct dma_api *d, uint64_t entry, uint64_t rec, uint64_t npages)
{
	d->st->alloc_recorded++;
	if (entry == rec) {
		d->st->alloc_matched++;
		return entry;
	}
	if (getenv("DDWSIM_DEBUG_MATCH"))
		fprintf(stderr, "mismatch pe %u win %u npages %llu ours %#llx rec %#llx\n", d->pe->number,
			d->win->num, (unsigned long long)npages, (unsigned long long)entry,
			(unsigned long long)rec);
	if (entry != IOMMU_ALLOC_FAILED)
		tce_alloc_free(&d->alloc, entry, npages);
	if (tce_alloc_claim(&d->alloc, rec, npages) == 0)
		return rec;
	/* our state has diverged (the range is taken): keep our own choice */
	if (entry != IOMMU_ALLOC_FAILED && tce_alloc_claim(&d->alloc, entry, npages) == 0)
		return entry;
	return IOMMU_ALLOC_FAILED;
}

/* Recorded entry of rec_bus in this window, or UINT64_MAX if it is not in it. */
static uint64_t recorded_entry(const struct dma_api *d, uint64_t rec_bus)
{
	unsigned shift = tce_table_geom(d->win->tbl)->page_shift;

	if (rec_bus == DMA_NO_BUS || rec_bus < d->win->start || rec_bus - d->win->start >= d->win->size)
		return UINT64_MAX;
	return (rec_bus - d->win->start) >> shift;
}

/* One element: allocate, build, fill *seg. handle is the SG continuation or NULL. */
static int map_one(struct dma_api *d, unsigned cpu, uint64_t phys, uint64_t len,
		   enum dma_dir dir, uint64_t *handle, uint64_t rec_bus, struct dma_seg *seg)
{
	unsigned shift = tce_table_geom(d->win->tbl)->page_shift;
	unsigned hps = d->cfg.host_page_shift, align = 0;
	uint64_t npages = iommu_num_pages(phys, len, shift), entry;
	uint64_t rec = recorded_entry(d, rec_bus);

	if (shift < hps && len >= (1ull << hps) && !(phys & ((1ull << hps) - 1)))
		align = hps - shift;
	entry = tce_alloc_range(&d->alloc, cpu, npages, handle, d->cfg.dma_mask >> shift,
				align, seg_boundary_pages(d, shift));
	if (rec != UINT64_MAX) {
		entry = follow(d, entry, rec, npages);
		if (handle && entry != IOMMU_ALLOC_FAILED)
			*handle = entry + npages;	/* the next element follows the kernel's */
	}
	if (entry == IOMMU_ALLOC_FAILED)
		return -ENOSPC;
	build(d, entry, npages, phys & ~((1ull << shift) - 1), dir);
	seg->dma = ((entry + d->alloc.it_offset) << shift) | (phys & ((1ull << shift) - 1));
	seg->len = len;
	return 0;
}

static void unmap_segs(struct dma_api *d, const struct dma_seg *segs, unsigned n);

/* Adds what the allocator did since the last fold (a device's two windows
 * each have an allocator, and both count into the device's counters). */
static void fold_alloc_stats(struct dma_api *d)
{
	d->st->alloc_words += d->alloc.st.words_scanned - d->folded_words;
	d->folded_words = d->alloc.st.words_scanned;
	if (d->alloc.st.peak > d->st->alloc_peak)
		d->st->alloc_peak = d->alloc.st.peak;
}

int dma_api_map(struct dma_api *d, unsigned cpu, uint64_t phys, uint64_t len,
		enum dma_dir dir, struct dma_seg *seg)
{
	struct dma_seg in = { .dma = phys, .len = len };

	return dma_api_map_sg(d, cpu, &in, 1, dir, DMA_NO_BUS, seg);
}

/*
 * A trace's map of a direct DDW: the real kernel wrote identity TCEs
 * (rec_bus == window start + phys) without the allocator. Writes them as the
 * set-up did; returns true if this was one.
 */
static bool identity_map(struct dma_api *d, const struct dma_seg *in, unsigned n,
			 uint64_t rec_bus, struct dma_seg *out)
{
	const struct tce_geom *g;
	uint64_t first, npages;

	/* only before the window's first allocation: a direct window is set up
	 * when it is created, and a dynamic one may place a buffer at its own
	 * physical address by chance */
	uint64_t bus;

	if (d->cfg.model != MAP_DYNAMIC || n != 1 || d->win->num == 0 || d->alloc.st.allocs ||
	    ck_add(d->win->start, in[0].dma, &bus) || rec_bus != bus ||
	    in[0].dma > d->win->size || in[0].len > d->win->size - in[0].dma)
		return false;
	g = tce_table_geom(d->win->tbl);
	first = in[0].dma >> g->page_shift;
	npages = iommu_num_pages(in[0].dma, in[0].len, g->page_shift);
	if (tce_alloc_claim(&d->alloc, first, npages) < 0)
		return false;
	for (uint64_t i = 0; i < npages; i++)
		tce_table_set(d->win->tbl, first + i,
			      tce_make((first + i) << g->page_shift, g->page_shift,
				       TCE_PCI_READ | TCE_PCI_WRITE));
	d->st->setup_tces += npages;
	if (d->cfg.kind == PLAT_PSERIES)
		d->st->setup_hcalls += d->cfg.multi_tce ? div_up(npages, HCALL_MAX_TCES) : npages;
	if (d->cfg.kill_on_map)
		setup_kills(d, kill_requests(d, npages));
	out[0].dma = rec_bus;
	out[0].len = in[0].len;
	return true;
}

/*
 * Direct and bypass: the bus address is a fixed offset from phys (the
 * window's start, or the bypass base). -ERANGE, a failed map, when the
 * element would end past 2^64 - 1 there: dma_direct_map_page's
 * dma_capable() refuses a range whose end wraps.
 */
static int map_fixed(const struct dma_api *d, const struct dma_seg *in, struct dma_seg *out)
{
	uint64_t base = d->cfg.model == MAP_BYPASS ? d->cfg.bypass_base : d->win->start;

	if (ck_add(base, in->dma, &out->dma) || ck_range(out->dma, in->len))
		return -ERANGE;
	return 0;
}

int dma_api_map_sg(struct dma_api *d, unsigned cpu, const struct dma_seg *in, unsigned n,
		   enum dma_dir dir, uint64_t rec_bus, struct dma_seg *out)
{
	uint64_t handle = 0;
	unsigned i;
	int rc = 0;

	d->st->map_calls++;
	if (identity_map(d, in, n, rec_bus, out)) {
		d->st->map_calls--;	/* set-up, not a per-I/O map */
		return 0;
	}
	for (i = 0; i < n; i++) {
		out[i].len = in[i].len;
		if (d->cfg.model != MAP_DYNAMIC) {
			if ((rc = map_fixed(d, &in[i], &out[i])) < 0)
				break;
		} else if (in[i].len == 0)
			out[i].dma = 0;
		else if ((rc = map_one(d, cpu, in[i].dma, in[i].len, dir, n > 1 ? &handle : NULL,
				       i ? DMA_NO_BUS : rec_bus, &out[i])) < 0)
			break;
	}
	if (d->cfg.model == MAP_DYNAMIC)
		fold_alloc_stats(d);
	if (rc == 0)
		return 0;
	/* ppc_iommu_map_sg's failure path frees what it built (counted as
	 * TCEs cleared, not as an unmap call), then returns -EIO. */
	d->st->map_failures++;
	unmap_segs(d, out, i);
	return rc;
}

/* Frees one merged segment [dma, dma + len). */
static void unmap_seg(struct dma_api *d, uint64_t dma, uint64_t len)
{
	unsigned shift = tce_table_geom(d->win->tbl)->page_shift;

	clear(d, win_idx(d, dma), iommu_num_pages(dma, len, shift));
}

static void unmap_segs(struct dma_api *d, const struct dma_seg *segs, unsigned n)
{
	uint64_t start = 0, len = 0, next = 0;

	if (d->cfg.model != MAP_DYNAMIC)
		return;
	/* Rebuild ppc_iommu_map_sg's output segments, then free each. */
	for (unsigned i = 0; i < n; i++) {
		if (segs[i].len == 0) {
			next = 0;
			continue;
		}
		if (len && segs[i].dma == next && len + segs[i].len <= d->cfg.max_seg_size) {
			len += segs[i].len;
		} else {
			if (len)
				unmap_seg(d, start, len);
			start = segs[i].dma;
			len = segs[i].len;
		}
		next = segs[i].dma + segs[i].len;
	}
	if (len)
		unmap_seg(d, start, len);
	fold_alloc_stats(d);
}

void dma_api_unmap(struct dma_api *d, const struct dma_seg *segs, unsigned n)
{
	d->st->unmap_calls++;
	unmap_segs(d, segs, n);
}
