/*
 * replay.c - the replay context: devices, windows, handles, window ops and
 * op checks, the same for the functional and the timed replay.
 *
 *   1. the PE with its default window (window.c), then the mode's DDW if it
 *      has one, or (mapping: auto) the DDW the guest asks for after
 *      enable_ddw() decided from the offer and the device's DMA mask
 *      (counted in window_ops; the choice and its reason go in the report);
 *   2. the TCE cache, the PHB, the DMA API bound to the window (direct maps
 *      all RAM here);
 *   3. op by op: maps and unmaps through the DMA API, DMAs through the PHB at
 *      the bus addresses the maps returned, window ops on the device's PE;
 *   4. the counters, with the cache's and the window's figures folded in.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/cost.h"
#include "ddwsim/replay.h"
#include "ddwsim/xalloc.h"

static void platform_of(const struct config *cfg, struct window_platform *wp)
{
	const struct platform_cfg *p = &cfg->platform;

	memset(wp, 0, sizeof(*wp));
	wp->kind = p->kind == PLAT_POWERNV ? TCE_TABLE_PNV : TCE_TABLE_HV;
	wp->page_sizes = p->page_sizes;
	wp->max_windows = p->max_windows;
	wp->max_levels = p->max_levels;
	wp->host_page_shift = cfg->host.page_shift;
	wp->max_bits = p->max_table_bits;
	wp->slot_start[0] = 0;
	wp->slot_start[1] = p->ddw_start;
	wp->def_page_shift = p->default_window.page_shift;
	wp->def_size = p->default_window.size;
	wp->def_levels = p->default_window.levels;
	wp->restore_default = p->kind == PLAT_PSERIES;
	wp->rtas = p->kind == PLAT_PSERIES;
	wp->memlock = cfg->host.memlock;
	wp->group_page_sizes = cfg->host.group_page_sizes;
}

/* --- the host process's locked memory (KVM guests) --- */

/* sizeof(struct kvmppc_spapr_tce_table): assumed 128 bytes (its fields on ppc64:
 * list and RCU heads, kvm, liobn, page_shift, offset, size, a mutex, a list). */
#define KVM_STT_BYTES	128u

static uint64_t pages_up(uint64_t bytes, unsigned shift)
{
	return (bytes >> shift) + !!(bytes & ((1ull << shift) - 1));
}

/*
 * What QEMU's process locks for a guest window (window_platform.host_lock_bytes):
 *   KVM's TCE table, kvm_vm_ioctl_create_spapr_tce: account_locked_vm of
 *     kvmppc_stt_pages(kvmppc_tce_pages(size)), that is tce_pages =
 *     ceil(TCEs x 8 / PAGE_SIZE), plus ceil((sizeof(stt) + tce_pages x 8) /
 *     PAGE_SIZE) for the struct and its page pointers;
 *   behind VFIO (platform.host_tce), the host table QEMU creates
 *     (vfio_spapr_create_window -> tce_iommu_create_table: account_locked_vm
 *     of pnv_pci_ioda2_get_table_size >> PAGE_SHIFT, its userspace view included).
 * PAGE_SIZE is the host kernel's (platform.host_tce.kernel_page_size).
 */
static uint64_t qemu_lock_bytes(const void *arg, unsigned page_shift, uint64_t size)
{
	const struct replay *r = arg;
	unsigned hs = r->cfg->platform.host_tce.page_shift;
	uint64_t tce_pages = pages_up((size >> page_shift) * 8, hs);
	uint64_t stt = tce_pages + pages_up(KVM_STT_BYTES + tce_pages * 8, hs);
	struct tce_geom g = { .page_shift = page_shift, .window_size = size };

	return (stt << hs) + phb_host_table_bytes(&r->phb.host, &g);
}

/*
 * host.memlock against the QEMU process's locked_vm (a pseries guest; on
 * PowerNV window.c refuses the table with -ENOMEM instead). Past it QEMU
 * cannot go on: VFIO_IOMMU_SPAPR_REGISTER_MEMORY or the host window fails
 * in its memory listener, which stops the machine (vfio_listener_region_add:
 * hw_error "vfio: DMA mapping failed, unable to continue"). KVM's own table
 * would fall back to one QEMU keeps (spapr_tce_alloc_table), with every
 * hcall on it handled in QEMU: ddwsim does not model that path and stops too.
 */
static int check_qemu_memlock(const struct replay *r, const char *what)
{
	uint64_t limit = r->cfg->host.memlock, shift = r->wp.lock_page_shift;

	if (!r->wp.host_lock_bytes || !limit || r->locked_vm <= limit >> shift)
		return 0;
	return ddw_error("mode '%s': %s: the QEMU process would lock %llu bytes, above host.memlock %llu, and stops (account_locked_vm; see the README on host.memlock)",
			 r->mode->name, what, (unsigned long long)(r->locked_vm << shift),
			 (unsigned long long)limit);
}

/*
 * QEMU registers all guest RAM with VFIO before the guest runs (its
 * vfio_prereg_listener: VFIO_IOMMU_SPAPR_REGISTER_MEMORY -> mm_iommu_new ->
 * account_locked_vm of every page), so a KVM guest with a VFIO device locks
 * its RAM besides the tables.
 */
static void qemu_locks(struct replay *r)
{
	const struct platform_cfg *p = &r->cfg->platform;

	if (p->kind != PLAT_PSERIES)
		return;
	r->wp.host_lock_bytes = qemu_lock_bytes;
	r->wp.host_lock_arg = r;
	r->wp.lock_page_shift = p->host_tce.page_shift;
	if (p->host_tce.page_sizes)
		r->locked_vm += pages_up(r->cfg->host.ram, p->host_tce.page_shift);
}

/*
 * The device's DMA mask: its `device` declaration's, else host.dma_mask
 * (replay_device_dma). What mapping: auto decides from.
 */
static uint64_t device_dma_mask(const struct replay *r, const struct rp_device *d)
{
	(void)r;
	return replay_device_dma(d)->dma_mask;
}

static void api_cfg_of(const struct replay *r, const struct rp_device *d, uint64_t win_size,
		       struct dma_api_cfg *a)
{
	const struct config *cfg = r->cfg;
	const struct platform_cfg *p = &cfg->platform;
	const struct rp_dma *dd = replay_device_dma(d);

	*a = (struct dma_api_cfg){
		.model = (enum mapping_model)d->mapping,
		.kind = (enum plat_kind)p->kind,
		.multi_tce = p->multi_tce,
		.kill_on_map = p->kill.on_map,
		.kill_per_tce = p->kill.per_tce,
		.kill_opal = p->kill.opal,
		.kill_scope = (enum kill_scope)p->kill.scope,
		.host_page_shift = cfg->host.page_shift,
		.dma_mask = dd->dma_mask,
		.seg_boundary = dd->seg_boundary,
		.max_seg_size = dd->max_seg_size,
		.ram = cfg->host.ram,
		.vfio_map_size = cfg->host.vfio_map_size == SIZE_RAM ? UINT64_MAX
								      : cfg->host.vfio_map_size,
		.bypass_base = p->bypass_base,
	};
	/* PowerNV default window: the allocator skips the 32-bit MMIO hole (§2.7) */
	if (!d->own_ddw && p->m32_pci_base && win_size > p->m32_pci_base) {
		a->res_start = p->m32_pci_base;
		a->res_end = win_size < (4ull << 30) ? win_size : 4ull << 30;
	}
}

static bool mode_has_ddw(const struct mode_cfg *m)
{
	return m->mapping != MAP_BYPASS && m->mapping != MAP_AUTO && !m->default_window;
}

/* Binds d's DMA API to the window at d->api_start (or to none, for bypass). */
static int bind_api(struct replay *r, struct rp_device *d)
{
	struct dma_api_cfg ac;
	int rc;

	api_cfg_of(r, d, d->own_ddw ? d->ddw_size : r->mode->size, &ac);
	d->gen[0] = (d->gen[0] + 1) & 0x7fffffff;
	rc = dma_api_init(&d->api, &ac, &d->pe, d->api_start, &r->phb, &d->st);
	if (rc < 0)
		return ddw_error("mode '%s': device %u: cannot set up the mapping: %s", r->mode->name,
				 d->pe.number, ddw_errno_name(rc));
	return 0;
}

/*
 * The guest clearing n TCEs of a window it was just given, counted as
 * set-up: iommu_init_table -> iommu_table_clear -> it_ops->clear over the
 * whole table, which on pseries is tce_freemulti_pSeriesLP (H_STUFF_TCE of
 * <= 512 TCEs, or one H_PUT_TCE(0) each without multi-TCE). Behind a host
 * IOMMU (KVM + VFIO, platform.host_tce) each cleared guest TCE is also
 * unmapped from the host table and killed: kvmppc_h_stuff_tce ->
 * kvmppc_tce_iommu_unmap -> iommu_tce_kill per guest TCE (Linux >= 5.18),
 * once per hypercall before (kill.per_tce: false). Nothing is cached yet,
 * so the kills are counted and cost CPU time but reach no cache entry.
 */
static void guest_clear(struct replay *r, struct rp_device *d, uint64_t n)
{
	const struct config *cfg = r->cfg;
	const struct platform_cfg *p = &cfg->platform;
	struct dma_api_cfg ac;
	uint64_t kills;

	d->st.setup_clears += n;
	if (p->kind != PLAT_PSERIES)
		return;
	api_cfg_of(r, d, 0, &ac);
	d->st.setup_hcalls += dma_api_clear_hcalls(&ac, n);
	if (!p->host_tce.page_sizes)
		return;
	kills = dma_api_kill_requests(&ac, n);
	d->st.setup_kills += kills;
	if (p->kill.opal)
		d->st.opal_kill_calls += kills;
}

/* The mode's own DDW (an explicit mode), made at set-up. */
static int mode_ddw(struct replay *r, struct rp_device *d)
{
	const struct mode_cfg *m = r->mode;
	int rc = window_create(&d->pe, m->page_shift, m->size, m->levels, &d->api_start);

	if (rc < 0) {
		d->st.win_errors[window_err_of(&r->wp, rc)]++;
		return ddw_error("mode '%s': the platform refused the window: %s", m->name,
				 window_status_name(&r->wp, rc));
	}
	d->st.win_created++;
	d->own_ddw = true;
	d->ddw_size = m->size;
	/* a pseries guest's dynamic DDW: enable_ddw's iommu_init_table(newtbl) clears it
	 * whole; a VFIO window on PowerNV starts zeroed (pnv_alloc_tce_level), no TCE written */
	if (m->mapping == MAP_DYNAMIC && r->wp.rtas)
		guest_clear(r, d, m->size >> m->page_shift);
	return 0;
}

/* An explicit mode's choice, said as such. */
static void config_choice(const struct replay *r, struct rp_device *d)
{
	const struct mode_cfg *m = r->mode;
	char a[32], b[32];

	d->ddw.kind = !d->own_ddw ? DDW_NONE : m->mapping == MAP_DIRECT ? DDW_DIRECT : DDW_DYNAMIC;
	d->ddw.page_shift = m->page_shift;
	d->ddw.window_shift = ddw_order_base_2(m->size);
	if (m->mapping == MAP_BYPASS)
		snprintf(d->ddw.reason, sizeof(d->ddw.reason), "set by the config: mapping bypass, no window");
	else if (!d->own_ddw)
		snprintf(d->ddw.reason, sizeof(d->ddw.reason), "set by the config: mapping %s in the default window",
			 mapping_names[m->mapping]);
	else
		snprintf(d->ddw.reason, sizeof(d->ddw.reason), "set by the config: mapping %s in a %s DDW of %s TCEs",
			 mapping_names[m->mapping], config_size_str(m->size, a, sizeof(a)),
			 config_size_str(1ull << m->page_shift, b, sizeof(b)));
}

/*
 * ibm,create-pe-dma-window for what enable_ddw() chose; on its failure the
 * out_failed path: the default window back (reset_dma_window) if it was
 * removed, and the device stays in the default window.
 */
static int guest_create(struct replay *r, struct rp_device *d)
{
	struct ddw_choice *c = &d->ddw;
	bool removed = c->default_removed;
	uint64_t size = c->window_shift < 64 ? 1ull << c->window_shift : 0;
	int rc;

	if (removed && window_remove(&d->pe, r->wp.slot_start[0]) == 0)
		d->st.win_removed++;	/* remove_dma_window(default) */
	rc = window_create(&d->pe, c->page_shift, size, 1, &d->api_start);
	if (rc == 0) {
		d->st.win_created++;
		d->own_ddw = true;
		d->ddw_size = size;
		d->mapping = c->kind == DDW_DIRECT ? MAP_DIRECT : MAP_DYNAMIC;
		if (c->kind == DDW_DYNAMIC)	/* iommu_init_table(newtbl): the whole DDW */
			guest_clear(r, d, size >> c->page_shift);
		return 0;
	}
	d->st.win_errors[window_err_of(&r->wp, rc)]++;
	enable_ddw_failed(c, "ibm,create-pe-dma-window", rc);
	d->api_start = r->wp.slot_start[0];
	if (removed && (rc = window_reset(&d->pe)) < 0)
		return ddw_error("mode '%s': device %u: cannot restore the default window: %s",
				 r->mode->name, d->pe.number, window_status_name(&r->wp, rc));
	return 0;
}

/* mapping: auto - the guest decides from the offer, as Linux's enable_ddw(). */
static int guest_decides(struct replay *r, struct rp_device *d)
{
	const struct config *cfg = r->cfg;
	const struct ddw_offer o = {
		.windows_available = cfg->platform.ddw.windows_available,
		.largest_block = cfg->platform.ddw.largest_block,
		.page_sizes = cfg->platform.page_sizes,
		.limited_addressing = cfg->platform.ddw.limited_addressing,
	};
	const struct ddw_guest g = {
		.dma_mask = device_dma_mask(r, d),
		.hotplug_max = cfg->host.memory_hotplug_max,
		.pmem = cfg->host.pmem,
	};

	d->mapping = MAP_DYNAMIC;	/* the default window, unless a DDW is made */
	enable_ddw(&o, &g, &d->ddw);
	return d->ddw.kind == DDW_NONE ? 0 : guest_create(r, d);
}

static int device_init(struct replay *r, struct rp_device *d, unsigned n)
{
	const struct mode_cfg *m = r->mode;
	char what[96];
	int rc = pe_init(&d->pe, &r->wp, n, r->cfg->host.iommu_groups);

	if (rc < 0)
		return ddw_error("mode '%s': cannot create the default window: %s", m->name,
				 window_status_name(&r->wp, rc));
	d->mapping = m->mapping;
	if (m->mapping == MAP_AUTO)
		rc = guest_decides(r, d);
	else if (mode_has_ddw(m))
		rc = mode_ddw(r, d);
	if (rc < 0)
		return -1;
	if (m->mapping != MAP_AUTO)
		config_choice(r, d);
	snprintf(what, sizeof(what), "device %u's windows (KVM's and VFIO's tables)", n);
	if (check_qemu_memlock(r, what) < 0 || bind_api(r, d) < 0)
		return -1;
	d->st.setup_ps = cost_setup_ps(r->cfg, &d->st);
	return 0;
}

/* A `device` op's parameters over d's (0 = not declared). */
static void take_decl(struct rp_dma *dd, const struct dma_op *op)
{
	if (op->addr)
		dd->dma_mask = op->addr;
	if (op->len)
		dd->max_seg_size = op->len;
	if (op->handle)
		dd->seg_boundary = op->handle;
}

/*
 * Device n, made on its first op: its DMA parameters are the host.* keys,
 * or what that first op declares (a `device` op comes first in an imported
 * trace), so that mapping: auto decides from the device's own mask.
 */
static struct rp_device *device_get(struct replay *r, unsigned n, const struct dma_op *first)
{
	struct rp_device *d;

	if (n >= SIM_MAX_DEVICES) {
		replay_op_error(r, "device %u is out of range: a replay has devices 0..%d", n,
				SIM_MAX_DEVICES - 1);
		return NULL;
	}
	if (r->dev[n])
		return r->dev[n];
	d = xcalloc(1, sizeof(*d));
	d->handles = handles_new();
	r->dev[n] = d;
	if (n >= r->ndev)
		r->ndev = n + 1;
	d->dma = (struct rp_dma){ .dma_mask = r->cfg->host.dma_mask,
				  .max_seg_size = r->cfg->host.max_seg_size,
				  .seg_boundary = r->cfg->host.seg_boundary };
	d->mps = config_pcie(r->cfg, n)->mps;
	d->mrrs = config_pcie(r->cfg, n)->mrrs;
	if (first && first->kind == OP_DEVICE)
		take_decl(&d->dma, first);
	if (device_init(r, d, n) < 0)
		return NULL;
	return d;
}

struct rp_device *replay_device(struct replay *r, const struct dma_op *op)
{
	return device_get(r, op->dev, op);
}

int replay_op_error(struct replay *r, const char *fmt, ...)
{
	char where[4200];
	va_list ap;

	if (r->batched && r->src && r->src->ops && r->src->ops->where_at)
		r->src->ops->where_at(r->src->state, r->at, where, sizeof(where));
	else if (r->src && r->src->ops && r->src->ops->where)
		r->src->ops->where(r->src->state, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "workload %s: op %llu", r->cfg->workload.generator,
			 (unsigned long long)r->nop);
	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	return -1;
}

int replay_init(struct replay *r, const struct config *cfg, unsigned mode, bool logging)
{
	struct tce_cache_cfg cc = {
		.entries = cfg->platform.tce_cache.entries,
		.ways = cfg->platform.tce_cache.ways,
		.policy = (enum tce_cache_policy)cfg->platform.tce_cache.policy,
		.seed = cfg->run.seed,
	};

	memset(r, 0, sizeof(*r));
	r->max_live = UINT64_MAX;
	r->cfg = cfg;
	r->mode = &cfg->modes[mode];
	r->logging = logging;
	platform_of(cfg, &r->wp);
	r->wp.locked_vm = &r->locked_vm;	/* one process: one locked_vm */
	qemu_locks(r);
	if (r->mode->mapping == MAP_AUTO && r->wp.max_windows > 1 + cfg->platform.ddw.windows_available)
		r->wp.max_windows = 1 + cfg->platform.ddw.windows_available; /* the offer's slots */
	if (tce_cache_new(&r->cache, &cc) < 0)
		return ddw_error("mode '%s': bad TCE cache geometry", r->mode->name);
	r->phb = (struct phb){ .cache = r->cache, .mps = cfg->platform.pcie.mps,
			       .mrrs = cfg->platform.pcie.mrrs,
			       .kills = logging ? &r->kills : NULL,
			       .host = { .page_sizes = cfg->platform.host_tce.page_sizes,
					 .ram_shift = cfg->platform.host_tce.ram_page_shift,
					 .page_shift = cfg->platform.host_tce.page_shift } };
	if (check_qemu_memlock(r, "guest RAM registered with VFIO") < 0)
		return -1;
	return device_get(r, 0, NULL) ? 0 : -1;
}

void replay_release(struct replay *r)
{
	for (unsigned i = 0; i < r->ndev; i++) {
		struct rp_device *d = r->dev[i];

		if (!d)
			continue;
		handles_free(d->handles);
		if (d->alt_on)
			dma_api_release(&d->alt);
		dma_api_release(&d->api);
		pe_release(&d->pe);
		phb_log_release(&d->log);
		free(d);
	}
	tce_cache_free(r->cache);
	free(r->kills.requests);
	free(r->segbuf);
	memset(r, 0, sizeof(*r));
}

/* --- window operations --- */

/*
 * Which table a window has, 0 for none: its synthetic real address, unique
 * per table a PE made (pe.next_base only grows). Not the pointer: a table
 * freed by a reset and the one made next may share an address.
 */
static uint64_t table_id(const struct window *w)
{
	return w ? tce_table_base(w->tbl) : 0;
}

/*
 * In a dynamic mode, a window of the PE other than the mode's gets its own
 * DMA API (dynamic, its own allocator): maps a trace recorded there go to
 * it. Bound again whenever that window changes.
 */
static void bind_alt(struct replay *r, struct rp_device *d)
{
	struct window *w = NULL;
	struct dma_api_cfg ac;

	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		if (d->pe.win[i].used && d->pe.win[i].start != d->api_start)
			w = &d->pe.win[i];
	if (d->alt_on && w && d->alt.win == w && d->alt_tbl == table_id(w))
		return;
	if (d->alt_on)
		dma_api_release(&d->alt);
	d->alt_on = false;
	if (!w || d->mapping != MAP_DYNAMIC)
		return;
	api_cfg_of(r, d, w->size, &ac);
	ac.res_start = ac.res_end = 0;
	if (dma_api_init(&d->alt, &ac, &d->pe, w->start, &r->phb, &d->st) < 0)
		return;
	d->alt_on = true;
	d->alt_tbl = table_id(w);
	d->gen[1] = (d->gen[1] + 1) & 0x7fffffff;
}

static int apply_window_op(struct rp_device *d, const struct dma_op *op)
{
	uint64_t start;

	if (op->kind == OP_WIN_CREATE)
		return window_create(&d->pe, op->page_shift, op->len, op->levels, &start);
	if (op->kind == OP_WIN_REMOVE)
		return window_remove(&d->pe, op->addr);
	return window_reset(&d->pe);
}

/*
 * Window ops from the workload. A mode that makes its own DDW keeps it: the
 * trace's window ops are counted as skipped. Otherwise they are applied to
 * the device's PE, and the DMA API is bound again if its window changed.
 * Setting or unsetting a window kills the PE's TCE-cache entries
 * (pnv_pci_ioda2_set_window and pnv_pci_ioda2_unset_window invalidate the
 * PE; tce_iommu_remove_window clears the table first).
 */
static int window_op(struct replay *r, struct rp_device *d, const struct dma_op *op)
{
	struct window *before = window_at(&d->pe, d->api_start);
	uint64_t tbl = table_id(before);
	int rc;

	if (d->own_ddw) {
		d->st.win_skipped++;
		return 0;
	}
	rc = apply_window_op(d, op);
	if (rc < 0) {
		d->st.win_errors[window_err_of(&r->wp, rc)]++;
		return 0;
	}
	if (op->kind == OP_WIN_CREATE)
		d->st.win_created++;
	else
		d->st.win_removed++;
	if (check_qemu_memlock(r, "a window op's tables (KVM's and VFIO's)") < 0)
		return -1;
	tce_cache_kill_pe(r->cache, d->pe.number);
	before = window_at(&d->pe, d->api_start);
	if (d->mapping != MAP_BYPASS && (!before || table_id(before) != tbl)) {
		dma_api_release(&d->api);
		if (before && bind_api(r, d) < 0)
			return -1;
		if (!before)
			memset(&d->api, 0, sizeof(d->api));
	}
	bind_alt(r, d);
	return 0;
}

/* --- device declarations --- */

/* The device's own parameters into a bound DMA API (they are read per map and unmap). */
static void api_take_dma(struct dma_api *api, const struct rp_dma *dd)
{
	api->cfg.dma_mask = dd->dma_mask;
	api->cfg.max_seg_size = dd->max_seg_size;
	api->cfg.seg_boundary = dd->seg_boundary;
}

/*
 * A `device` op: the parameters it declares replace the host.* keys for this
 * device from now on, in the bound DMA APIs too. Its boot-time clear of the
 * default window (iommu_init_table -> iommu_table_clear, then
 * tce_freemulti_pSeriesLP: H_STUFF_TCE of <= 512, or one H_PUT_TCE per TCE
 * without multi-TCE, and their kills behind a host IOMMU: guest_clear) is
 * set-up, as mapping all RAM into a direct window is.
 */
/*
 * Device d (number n), made before its declaration came (device 0 is made
 * at replay_init) and not used since, made again with the declared DMA
 * parameters: mapping: auto decides from the device's own mask.
 */
static int device_redo(struct replay *r, struct rp_device *d, unsigned n)
{
	struct handles *h = d->handles;
	struct rp_dma dma = d->dma;

	if (d->alt_on)
		dma_api_release(&d->alt);
	dma_api_release(&d->api);
	pe_release(&d->pe);
	phb_log_release(&d->log);
	memset(d, 0, sizeof(*d));
	d->handles = h;
	d->dma = dma;
	return device_init(r, d, n);
}

static int device_op(struct replay *r, struct rp_device *d, const struct dma_op *op)
{
	const struct config *cfg = r->cfg;
	uint64_t mask = d->dma.dma_mask;

	take_decl(&d->dma, op);
	if (!d->used && r->mode->mapping == MAP_AUTO && d->dma.dma_mask != mask &&
	    device_redo(r, d, op->dev) < 0)
		return -1;
	api_take_dma(&d->api, &d->dma);
	if (d->alt_on)
		api_take_dma(&d->alt, &d->dma);
	if (!op->clear)
		return 0;
	guest_clear(r, d, op->clear);
	d->st.setup_ps = cost_setup_ps(cfg, &d->st);
	return 0;
}

/* --- maps, unmaps, DMAs --- */

/*
 * The DMA API a map goes through: the other window's when the trace recorded
 * the map there (rec_bus in it), else the mode's. *user records which one
 * and its binding, so that the unmap uses the same one if it still exists.
 */
static struct dma_api *api_for(struct rp_device *d, uint64_t rec_bus, uint32_t *user)
{
	struct window *w = d->alt_on ? d->alt.win : NULL;
	unsigned which = w && rec_bus != OP_NO_BUS && rec_bus >= w->start &&
			 rec_bus - w->start < w->size;

	*user = which | d->gen[which] << 1;
	return which ? &d->alt : &d->api;
}

/*
 * The DMA API that made mapping m, or NULL when its window was removed (or
 * reset) since: removing a window clears its TCEs (tce_iommu_remove_window),
 * so there is nothing left to unmap.
 */
static struct dma_api *api_of(struct rp_device *d, const struct mapping *m)
{
	unsigned which = m->user & 1;
	struct dma_api *api = which ? &d->alt : &d->api;

	if (m->user >> 1 != d->gen[which] || (which && !d->alt_on) || !api->st)
		return NULL;
	return api;
}

/* Copies op's elements (or its single buffer) into r->segbuf as dma_seg inputs. */
static unsigned seg_input(struct replay *r, const struct dma_op *op)
{
	unsigned n = op->kind == OP_MAP ? 1 : op->nsg;

	if (n > r->segcap) {
		r->segcap = n * 2;
		r->segbuf = xrealloc(r->segbuf, st_mul(r->segcap, sizeof(*r->segbuf)));
	}
	for (unsigned i = 0; i < n; i++) {
		r->segbuf[i].dma = op->kind == OP_MAP ? op->addr : op->sg[i].phys;
		r->segbuf[i].len = op->kind == OP_MAP ? op->len : op->sg[i].len;
	}
	return n;
}

/*
 * The length of the mapping op makes, its elements' (r->segbuf) summed into
 * *len; -1 (reported) if an element's range or the sum passes 2^64 - 1. The
 * trace readers refuse both already: this holds the replay to it whatever
 * the source, as the DMA API computes ends from them.
 */
static int map_len(struct replay *r, const struct dma_op *op, unsigned n, uint64_t *len)
{
	const struct dma_seg *s = r->segbuf;

	for (unsigned i = 0; i < n; i++) {
		if (ck_range(s[i].dma, s[i].len))
			return replay_op_error(r, "handle %#llx: PHYS + LEN wraps past 2^64 (%#llx + %llu)",
					       (unsigned long long)op->handle,
					       (unsigned long long)s[i].dma, (unsigned long long)s[i].len);
		if (ck_add(*len, s[i].len, len))
			return replay_op_error(r, "handle %#llx: the mapping's length wraps past 2^64 (%llu + %llu)",
					       (unsigned long long)op->handle,
					       (unsigned long long)(*len - s[i].len),
					       (unsigned long long)s[i].len);
	}
	return 0;
}

/*
 * A failed map is counted in map.failures and the workload goes on: the
 * handle stays known with nothing mapped, so its DMAs count as unmapped and
 * its unmap does nothing (a driver would not unmap what failed).
 */
static int do_map(struct replay *r, struct rp_device *d, const struct dma_op *op,
		  struct replay_fx *fx)
{
	unsigned n = op->kind == OP_MAP ? 1 : op->nsg;
	struct mapping *m;
	struct dma_api *api;
	int rc = -ENODEV;

	if (r->live >= r->max_live)
		return replay_op_error(r, "more than %llu mappings live at once: the replay's state would pass run.max_memory",
				       (unsigned long long)r->max_live);
	m = handles_add(d->handles, op->handle, n);
	if (!m)
		return replay_op_error(r, "handle %#llx mapped while already mapped",
				       (unsigned long long)op->handle);
	r->live++;
	seg_input(r, op);
	if (map_len(r, op, n, &m->len) < 0)
		return -1;
	api = api_for(d, op->rec_bus, &m->user);
	if (api->st)
		rc = dma_api_map_sg(api, op->cpu, r->segbuf, n, op->dir, op->rec_bus,
				    mapping_seg(m));
	else	/* the window the mode maps into was removed */
		d->st.map_calls++, d->st.map_failures++;
	if (rc < 0)
		m->nseg = 0;
	fx->ok = rc == 0;
	fx->seg = mapping_seg(m);
	fx->nseg = m->nseg;
	fx->len = m->len;
	return 0;
}

static int do_unmap(struct replay *r, struct rp_device *d, const struct dma_op *op)
{
	struct mapping *m = handles_get(d->handles, op->handle);
	struct dma_api *api;

	if (!m)
		return replay_op_error(r, "unmap of handle %#llx, which is not mapped",
				       (unsigned long long)op->handle);
	api = api_of(d, m);
	if (m->nseg && api)
		dma_api_unmap(api, mapping_seg(m), m->nseg);
	else if (m->nseg)	/* its window is gone, and its TCEs with it */
		d->st.unmap_calls++;
	handles_del(d->handles, op->handle);
	r->live--;
	return 0;
}

/*
 * Counts a DMA; -1 (reported) if the bytes moved (in the whole replay, so
 * that no device's sum nor the mode's can wrap) pass 2^64 - 1. Its range
 * [addr, addr + len) has a 64-bit end: every source proves that of each op
 * it gives (trace_op_problem, the generators by construction), and the
 * replay does not check it again (issue 13); a DMA's range is checked
 * against its mapping (dma_within), a bus DMA's by the PHB's window.
 */
static inline int count_dma(struct replay *r, struct rp_device *d, const struct dma_op *op)
{
	if (ck_add(r->bytes, op->len, &r->bytes))
		return replay_op_error(r, "the bytes the DMAs move pass 2^64 - 1 (%llu + %llu)",
				       (unsigned long long)(r->bytes - op->len),
				       (unsigned long long)op->len);
	d->st.dmas++;
	d->st.ios += !(op->flags & OP_F_AUX);
	d->st.bytes += op->len;
	return 0;
}

/* The PHB serves device d: its counters, its log, its link's request sizes. */
static void serve(struct replay *r, struct rp_device *d)
{
	r->phb.st = &d->st;
	r->phb.log = r->logging ? &d->log : NULL;
	r->phb.mps = d->mps;
	r->phb.mrrs = d->mrrs;
}

static int dma_counts(struct replay *r, struct rp_device *d, const struct dma_op *op)
{
	if (count_dma(r, d, op) < 0)
		return -1;
	serve(r, d);
	return 0;
}

/*
 * The segments a DMA of len bytes at offset off reaches through mapping m
 * (NULL: its handle is not mapped), or NULL when it does not lie within the
 * mapping's m->len bytes.
 */
static inline const struct dma_seg *dma_mapped(struct mapping *m, uint64_t off, uint64_t len)
{
	if (!m || !m->nseg || !dma_within(m->len, off, len))
		return NULL;
	return mapping_seg(m);
}

/* The memo for op's device and handle (struct replay_memo): false when its device is not made yet. */
static bool memo_for(struct replay *r, const struct dma_op *op)
{
	struct replay_memo *mm = &r->memo;

	if (!mm->d || op->dev != mm->dev || op->handle != mm->handle) {
		struct rp_device *d = op->dev < SIM_MAX_DEVICES ? r->dev[op->dev] : NULL;

		if (!d)
			return false;
		if (d != mm->d)
			phb_stream_begin(&mm->s, &d->pe);
		mm->d = d;
		mm->m = handles_get(d->handles, op->handle);
		mm->dev = op->dev;
		mm->handle = op->handle;
	}
	mm->d->used = true;
	return true;
}

/*
 * A DMA at [op->addr, + op->len) of the remembered mapping (r->memo, made
 * for op), its requests in the memo's PHB stream.
 */
static int do_dma(struct replay *r, const struct dma_op *op, struct replay_fx *fx)
{
	struct rp_device *d = r->memo.d;
	const struct dma_seg *seg;

	if (dma_counts(r, d, op) < 0)
		return -1;
	seg = dma_mapped(r->memo.m, op->addr, op->len);
	if (!seg) {
		d->st.unmapped_dmas += op->len != 0;
		return 0;
	}
	if (d->mapping == MAP_BYPASS)
		phb_dma(&r->phb, &d->pe, seg, op->addr, op->len, op->dir != DMA_DIR_TO_DEVICE, true);
	else
		phb_stream_dma(&r->phb, &r->memo.s, seg, op->addr, op->len,
			       op->dir != DMA_DIR_TO_DEVICE);
	fx->ok = true;
	fx->seg = seg;
	return 0;
}

static int do_dma_bus(struct replay *r, struct rp_device *d, const struct dma_op *op,
		      struct replay_fx *fx)
{
	struct dma_seg seg = { .dma = op->addr, .len = op->len };

	if (dma_counts(r, d, op) < 0)
		return -1;
	if (!op->len)
		return 0;
	phb_dma(&r->phb, &d->pe, &seg, 0, op->len, op->dir != DMA_DIR_TO_DEVICE, false);
	fx->ok = true;
	return 0;
}

static int host_op(struct replay *r, struct rp_device *d, const struct dma_op *op,
		   struct replay_fx *fx)
{
	struct mode_stats before = d->st;
	int rc;

	r->kills.n = 0;
	if (op->kind == OP_UNMAP)
		rc = do_unmap(r, d, op);
	else
		rc = do_map(r, d, op, fx);
	fx->cycles = cost_op_cycles(r->cfg, d->mapping, &before, &d->st);
	return rc;
}

int replay_op(struct replay *r, const struct dma_op *op, struct replay_fx *fx)
{
	struct replay_fx none;
	struct rp_device *d;

	if (!fx)
		fx = &none;
	memset(fx, 0, sizeof(*fx));
	if (op->kind == OP_DMA && memo_for(r, op))
		return do_dma(r, op, fx);
	r->memo.d = NULL;	/* the op may change mappings or windows */
	d = op->dev < SIM_MAX_DEVICES && r->dev[op->dev] ? r->dev[op->dev] : replay_device(r, op);
	if (!d)
		return -1;
	d->used |= op->kind != OP_DEVICE;
	switch (op->kind) {
	case OP_MAP:
	case OP_MAP_SG:
	case OP_UNMAP:
		return host_op(r, d, op, fx);
	case OP_DMA:		/* its device made just now */
		return memo_for(r, op) ? do_dma(r, op, fx) : -1;
	case OP_DMA_BUS:
		return do_dma_bus(r, d, op, fx);
	case OP_DEVICE:
		return device_op(r, d, op);
	default:
		return window_op(r, d, op);
	}
}

/* How many of n DMAs of len bytes (> 0) fit the bytes the DMAs move below 2^64. */
static uint64_t bytes_fit(const struct replay *r, uint64_t len, uint64_t n)
{
	return (UINT64_MAX - r->bytes) / len < n ? (UINT64_MAX - r->bytes) / len : n;
}

/* Counts k DMAs of tpl's length on device d (bytes_fit: they fit), as count_dma counts each. */
static void count_dmas(struct replay *r, struct rp_device *d, const struct dma_op *tpl,
		       uint64_t k)
{
	r->bytes += k * tpl->len;
	d->st.dmas += k;
	d->st.ios += tpl->flags & OP_F_AUX ? 0 : k;
	d->st.bytes += k * tpl->len;
}

/*
 * A run of n DMAs on one device's mapping m (NULL: not mapped), each *tpl but
 * for its offset addr[k] (struct op_run): each counted as do_dma counts it,
 * and translated as one PHB run (phb_run: the window found once),
 * for the functional replay (no log to fill; bypass and the timed replay
 * take do_dma). The DMAs whose bytes still fit 2^64 - 1 go first; the one
 * that passes is reported (count_dma). 0 or -1.
 */
__attribute__((flatten))
static int dma_run(struct replay *r, struct rp_device *d, struct mapping *m,
		   const struct dma_op *tpl, const uint64_t *restrict addr, long n)
{
	const struct dma_seg *seg = m && m->nseg ? mapping_seg(m) : NULL;
	const uint64_t mlen = seg ? m->len : 0, len = tpl->len;
	const uint64_t fit = len ? bytes_fit(r, len, (uint64_t)n) : (uint64_t)n;
	uint64_t unmapped;

	serve(r, d);
	unmapped = phb_run(&r->phb, &d->pe, seg, mlen, addr, fit, len,
			   tpl->dir != DMA_DIR_TO_DEVICE);
	count_dmas(r, d, tpl, fit);
	r->nop += fit;
	d->st.unmapped_dmas += unmapped;
	if (fit == (uint64_t)n)
		return 0;
	r->nop++;
	r->at = (long)fit;
	return count_dma(r, d, tpl);	/* names the DMA whose bytes wrap */
}

/*
 * For the timed replay, which applies each op as it reads it: the first of
 * the n DMAs tpl/addr[0..n) of a run that each make one request within a
 * mapping of one segment (one naturally aligned unit: as phb_run gathers
 * them), applied now, ahead of their reading: counted as do_dma counts them
 * (those whose bytes fit 2^64 - 1; the one that passes is left to
 * replay_op, which reports it), translated as one PHB run, an outcome each
 * logged. Nothing else is applied between, so the lookups, walks and faults
 * are those of the DMAs one by one. *seg gets the mapping's segment. Returns
 * how many (0: not the first; the caller takes replay_op for it), or -1 when
 * none of the run can be (its length, its direction's unit, its mapping).
 */
long replay_run_ahead(struct replay *r, const struct dma_op *tpl, const uint64_t *addr, long n,
		      struct dma_seg *seg)
{
	const uint64_t len = tpl->len;
	const bool write = tpl->dir != DMA_DIR_TO_DEVICE;
	struct rp_device *d;
	struct mapping *m;
	uint64_t unit, fit, k;

	if (tpl->kind != OP_DMA || !len || !r->logging)
		return -1;
	if (!memo_for(r, tpl))
		return 0;	/* its device is made by replay_op */
	d = r->memo.d;
	m = r->memo.m;
	if (d->mapping == MAP_BYPASS || !m || m->nseg != 1)
		return -1;
	*seg = *mapping_seg(m);
	serve(r, d);
	unit = phb_unit(&r->phb, write);
	if (len > unit)
		return -1;
	fit = bytes_fit(r, len, (uint64_t)n);
	for (k = 0; k < fit; k++)
		if (!dma_within(m->len, addr[k], len) || !dma_one_unit(seg->dma + addr[k], len, unit))
			break;
	if (!k)
		return 0;
	phb_run(&r->phb, &d->pe, seg, m->len, addr, k, len, write);
	count_dmas(r, d, tpl, k);
	return (long)k;
}

/* Op i of a batch: 0 or -1 (reported). */
static int batch_op(struct replay *r, const struct dma_op *op, long i)
{
	r->nop++;
	r->at = i;
	return replay_op(r, op, NULL);
}

int replay_ops(struct replay *r, const struct dma_op *ops, long n)
{
	r->batched = true;
	for (long i = 0; i < n; i++)
		if (batch_op(r, &ops[i], i) < 0)
			return -1;
	return 0;
}

int replay_run(struct replay *r, const struct op_run *b)
{
	if (!b->addr)
		return replay_ops(r, b->ops, b->n);
	r->batched = true;
	if (!r->logging && memo_for(r, b->ops) && r->memo.d->mapping != MAP_BYPASS)
		return dma_run(r, r->memo.d, r->memo.m, b->ops, b->addr, b->n);
	for (long k = 0; k < b->n; k++) {
		struct dma_op op = *b->ops;

		op.addr = b->addr[k];
		if (batch_op(r, &op, k) < 0)
			return -1;
	}
	return 0;
}

/* --- memory --- */

/*
 * A mapping of one element: its hash slot (handles.c: the handle and the
 * mapping packed in 16 bytes, 24 bytes) in a table kept 74 to 85 % full,
 * so 28.2 to 32.5 bytes; growing, the old table is given back as the new one
 * fills (hashmap.c), so the peak is the new table, rounded to 2 MiB pages.
 * Measured (bench/live-mem.yaml): 2^20 live one-segment mappings hold 59
 * bytes each (64 with the table kept 64 to 80 % full, 93 before), of which
 * about 35 are the table (1415110 slots, 74 % full: 32.4, and the growth's
 * overlap) and 24 the TCE table's leaves (a third full). MAP_BYTES keeps the
 * 40 the table took at 64 %: a budget errs high. A map of more elements is
 * kept whole beside the table (a 40-byte slot at 64 %: 63; 54 at 74 %),
 * with its array's header and malloc's (32), two pointers at half use (32),
 * and the array (16 x max(nseg, 4)).
 */
#define MAP_BYTES	40
#define EXT_BYTES	128
#define SEG_MIN_N	4	/* handles.c's SEG_MIN: the smallest segment array */

uint64_t replay_bytes_per_mapping(unsigned nseg)
{
	if (nseg <= 1)
		return MAP_BYTES;
	return MAP_BYTES + EXT_BYTES +
	       sizeof(struct dma_seg) * (uint64_t)(nseg > SEG_MIN_N ? nseg : SEG_MIN_N);
}

/* --- results --- */

/*
 * The table VFIO keeps for the window on the host, with its userspace view
 * (pnv_pci_ioda2_get_table_size): behind a KVM guest's window the host table
 * QEMU created (phb.c), for a PowerNV direct window the VFIO user's own.
 * Sets its geometry in res and returns its bytes (0: none).
 */
static uint64_t host_table(const struct replay *r, const struct tce_geom *g,
			   struct sim_result *res)
{
	struct tce_geom h;

	if (r->phb.host.page_sizes && phb_host_geom(&r->phb.host, g, &h) == 0) {
		res->host_page_shift = h.page_shift;
		res->host_levels = h.levels;
		return tce_pnv_get_table_size(h.page_shift, h.window_size, h.levels,
					      r->phb.host.page_shift);
	}
	if (r->cfg->platform.kind == PLAT_POWERNV && r->mode->mapping == MAP_DIRECT) {
		res->host_page_shift = g->page_shift;
		res->host_levels = g->levels;
		return tce_pnv_get_table_size(g->page_shift, g->window_size, g->levels,
					      r->cfg->host.page_shift);
	}
	return 0;
}

/* Whether device i maps through a window an earlier device already counted. */
static bool window_counted(const struct replay *r, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (r->dev[j] && r->dev[j]->api.win == r->dev[i]->api.win)
			return true;
	return false;
}

/*
 * The window figures: device 0's window (start, size, geometry), and the
 * table memory of every device's window summed (each device is its own PE
 * with its own tables, so the host holds them all).
 */
static void fill_window(const struct replay *r, struct sim_result *res)
{
	struct window *w = r->dev[0]->api.win;

	res->table_bytes = res->table_bytes_allocated = res->host_table_bytes = 0;
	if (!w) {
		res->win_start = r->cfg->platform.bypass_base;
	} else {
		res->win_start = w->start;
		res->win_size = w->size;
		res->win_page_shift = tce_table_geom(w->tbl)->page_shift;
		res->win_levels = tce_table_geom(w->tbl)->levels;
	}
	for (unsigned i = 0; i < r->ndev; i++) {
		if (!r->dev[i] || !(w = r->dev[i]->api.win) || window_counted(r, i))
			continue;
		res->table_bytes += tce_table_geom(w->tbl)->table_bytes;
		res->table_bytes_allocated += tce_table_bytes_allocated(w->tbl);
		res->host_table_bytes += host_table(r, tce_table_geom(w->tbl), res);
	}
}

void replay_result(struct replay *r, struct sim_result *res)
{
	const struct tce_cache_stats *cs = tce_cache_stats(r->cache);
	uint64_t first = UINT64_MAX, last = 0;

	memset(&res->st, 0, sizeof(res->st));
	res->live_at_end = 0;
	for (unsigned i = 0; i < r->ndev; i++) {
		const struct mode_stats *ds;

		if (!r->dev[i])
			continue;
		ds = &r->dev[i]->st;
		res->dev[i] = *ds;
		res->ddw[i] = r->dev[i]->ddw;
		counters_add(&res->st, ds);
		if (ds->dmas && ds->dma_first_ps < first)
			first = ds->dma_first_ps;
		if (ds->dma_last_ps > last)
			last = ds->dma_last_ps;
		res->live_at_end += handles_live(r->dev[i]->handles);
	}
	/* whole-run figures are not sums: the timed replay sets the others */
	res->st.dma_first_ps = first == UINT64_MAX ? 0 : first;
	res->st.dma_last_ps = last;
	res->ndev = r->ndev;
	res->st.cache_evictions = cs->evictions;	/* the cache is shared: whole-run only */
	res->st.cache_invalidations = cs->invalidations;
	fill_window(r, res);
}
