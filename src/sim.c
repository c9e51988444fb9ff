/*
 * sim.c - one mode, one replay.
 *
 *   1. the PE with its default window (window.c), then the mode's DDW if it
 *      has one (counted in window_ops);
 *   2. the TCE cache, the DMA API bound to the window (direct maps all RAM
 *      here), the PHB;
 *   3. the op stream, op by op: maps and unmaps through the DMA API, DMAs
 *      through the PHB at the bus addresses the maps returned;
 *   4. the counters, with the cache's and the window's figures folded in.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/dma_api.h"
#include "ddwsim/engine.h"
#include "ddwsim/err.h"
#include "ddwsim/handles.h"
#include "ddwsim/phb.h"
#include "ddwsim/sim.h"
#include "ddwsim/synth.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"
#include "sim_int.h"

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
}

static void api_cfg_of(const struct sim *s, uint64_t win_size, struct dma_api_cfg *a)
{
	const struct config *cfg = s->cfg;
	const struct platform_cfg *p = &cfg->platform;

	*a = (struct dma_api_cfg){
		.model = (enum mapping_model)s->mode->mapping,
		.kind = (enum plat_kind)p->kind,
		.multi_tce = p->multi_tce,
		.kill_on_map = p->kill.on_map,
		.kill_per_tce = p->kill.per_tce,
		.kill_opal = p->kill.opal,
		.kill_scope = (enum kill_scope)p->kill.scope,
		.host_page_shift = cfg->host.page_shift,
		.dma_mask = cfg->host.dma_mask,
		.seg_boundary = cfg->host.seg_boundary,
		.max_seg_size = cfg->host.max_seg_size,
		.ram = cfg->host.ram,
		.bypass_base = p->bypass_base,
	};
	/* PowerNV default window: the allocator skips the 32-bit MMIO hole (§2.7) */
	if (s->mode->default_window && p->m32_pci_base && win_size > p->m32_pci_base) {
		a->res_start = p->m32_pci_base;
		a->res_end = win_size < (4ull << 30) ? win_size : 4ull << 30;
	}
}

/*
 * CPU time of mapping all RAM at window creation (direct): the hypercalls
 * with their TCEs (pseries), or the table writes and kills (PowerNV).
 */
static uint64_t setup_time(const struct config *cfg, const struct mode_stats *st)
{
	const struct platform_cfg *p = &cfg->platform;
	struct ddw_clock cpu = clock_mhz(cfg->host.cpu_mhz);

	if (p->kind == PLAT_PSERIES)
		return cycles(cpu, st->setup_hcalls * p->hcall.entry_exit_cycles +
			      st->setup_tces * p->hcall.indirect_tce_cycles);
	return cycles(cpu, st->setup_tces * cfg->host.cost.tce_write_cycles) +
	       st->setup_kills * clock_edge(cpu, p->kill.cpu_ns * 1000ull);
}

static int setup(struct sim *s)
{
	struct tce_cache_cfg cc = {
		.entries = s->cfg->platform.tce_cache.entries,
		.ways = s->cfg->platform.tce_cache.ways,
		.policy = (enum tce_cache_policy)s->cfg->platform.tce_cache.policy,
		.seed = s->cfg->run.seed,
	};

	platform_of(s->cfg, &s->wp);
	if (tce_cache_new(&s->cache, &cc) < 0)
		return ddw_error("mode '%s': bad TCE cache geometry", s->mode->name);
	s->phb = (struct phb){ .cache = s->cache, .mps = s->cfg->platform.pcie.mps,
			       .mrrs = s->cfg->platform.pcie.mrrs };
	/* device 0 exists from the start, so that a mode's set-up is always shown */
	return sim_device(s, 0) ? 0 : -1;
}

static bool mode_has_ddw(const struct mode_cfg *m)
{
	return m->mapping != MAP_BYPASS && !m->default_window;
}

/* Binds d's DMA API to the window at d->api_start (or to none, for bypass). */
static int bind_api(struct sim *s, struct device *d)
{
	struct dma_api_cfg ac;
	int rc;

	api_cfg_of(s, s->mode->size, &ac);
	rc = dma_api_init(&d->api, &ac, &d->pe, d->api_start, s->cache, &d->st);
	if (rc < 0)
		return ddw_error("mode '%s': device %u: cannot set up the mapping: %s", s->mode->name,
				 d->pe.number, ddw_errno_name(rc));
	return 0;
}

static int device_init(struct sim *s, struct device *d, unsigned n)
{
	const struct mode_cfg *m = s->mode;
	int rc = pe_init(&d->pe, &s->wp, n, 1);

	if (rc < 0)
		return ddw_error("mode '%s': cannot create the default window: %s", m->name,
				 ddw_errno_name(rc));
	if (mode_has_ddw(m)) {
		rc = window_create(&d->pe, m->page_shift, m->size, m->levels, &d->api_start);
		if (rc < 0) {
			d->st.win_errors[win_err_of(rc)]++;
			return ddw_error("mode '%s': the platform refused the window: %s", m->name,
					 ddw_errno_name(rc));
		}
		d->st.win_created++;
	}
	if (bind_api(s, d) < 0)
		return -1;
	d->st.setup_ps = setup_time(s->cfg, &d->st);
	return 0;
}

struct device *sim_device(struct sim *s, unsigned n)
{
	struct device *d;

	if (n >= SIM_MAX_DEVICES) {
		sim_op_error(s, "device %u is out of range: a replay has devices 0..%d", n,
			     SIM_MAX_DEVICES - 1);
		return NULL;
	}
	if (s->dev[n])
		return s->dev[n];
	d = xcalloc(1, sizeof(*d));
	d->handles = handles_new();
	s->dev[n] = d;
	if (n >= s->ndev)
		s->ndev = n + 1;
	if (device_init(s, d, n) < 0)
		return NULL;
	return d;
}

int sim_op_error(struct sim *s, const char *fmt, ...)
{
	char where[4200];
	va_list ap;

	if (s->src && s->src->ops && s->src->ops->where)
		s->src->ops->where(s->src->state, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "workload %s: op %llu", s->cfg->workload.generator,
			 (unsigned long long)s->nop);
	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	return -1;
}

int sim_check_op(struct sim *s, const struct dma_op *op)
{
	return sim_device(s, op->dev) ? 0 : -1;
}

/*
 * In a dynamic mode, a window of the PE other than the mode's gets its own
 * DMA API (dynamic, its own allocator): maps a trace recorded there go to
 * it. Bound again whenever that window changes.
 */
static int bind_alt(struct sim *s, struct device *d)
{
	struct window *w = NULL;
	struct dma_api_cfg ac;

	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		if (d->pe.win[i].used && d->pe.win[i].start != d->api_start)
			w = &d->pe.win[i];
	if (d->alt_on && w && d->alt.win == w && d->alt.win->tbl == w->tbl)
		return 0;
	if (d->alt_on)
		dma_api_release(&d->alt);
	d->alt_on = false;
	if (!w || s->mode->mapping != MAP_DYNAMIC)
		return 0;
	api_cfg_of(s, w->size, &ac);
	ac.res_start = ac.res_end = 0;
	if (dma_api_init(&d->alt, &ac, &d->pe, w->start, s->cache, &d->st) < 0)
		return 0;
	d->alt_on = true;
	return 0;
}

/*
 * Window ops from the workload. A mode that makes its own DDW keeps it: the
 * trace's window ops are counted as skipped. Otherwise they are applied to
 * the device's PE, and the DMA API is bound again if its window changed.
 */
int sim_window_op(struct sim *s, struct device *d, const struct dma_op *op)
{
	struct window *before = window_at(&d->pe, d->api_start);
	const struct tce_table *tbl = before ? before->tbl : NULL;
	uint64_t start;
	int rc;

	if (mode_has_ddw(s->mode)) {
		d->st.win_skipped++;
		return 0;
	}
	if (op->kind == OP_WIN_CREATE)
		rc = window_create(&d->pe, op->page_shift, op->len, op->levels, &start);
	else if (op->kind == OP_WIN_REMOVE)
		rc = window_remove(&d->pe, op->addr);
	else
		rc = window_reset(&d->pe);
	if (rc < 0)
		d->st.win_errors[win_err_of(rc)]++;
	else if (op->kind == OP_WIN_CREATE)
		d->st.win_created++;
	else
		d->st.win_removed++;
	before = window_at(&d->pe, d->api_start);
	if (s->mode->mapping != MAP_BYPASS && (!before || before->tbl != tbl)) {
		dma_api_release(&d->api);
		if (before && bind_api(s, d) < 0)
			return -1;
		if (!before)
			memset(&d->api, 0, sizeof(d->api));
	}
	return bind_alt(s, d);
}

struct dma_api *sim_api_for(struct device *d, uint64_t rec_bus, unsigned *which)
{
	struct window *w = d->alt_on ? d->alt.win : NULL;

	*which = w && rec_bus != OP_NO_BUS && rec_bus >= w->start && rec_bus - w->start < w->size;
	return sim_api_of(d, *which);
}

unsigned sim_seg_input(struct sim *s, const struct dma_op *op)
{
	unsigned n = op->kind == OP_MAP ? 1 : op->nsg;

	if (n > s->segcap) {
		s->segcap = n * 2;
		s->segbuf = xrealloc(s->segbuf, st_mul(s->segcap, sizeof(*s->segbuf)));
	}
	for (unsigned i = 0; i < n; i++) {
		s->segbuf[i].dma = op->kind == OP_MAP ? op->addr : op->sg[i].phys;
		s->segbuf[i].len = op->kind == OP_MAP ? op->len : op->sg[i].len;
	}
	return n;
}

static int do_map(struct sim *s, struct device *d, const struct dma_op *op)
{
	unsigned n = op->kind == OP_MAP ? 1 : op->nsg;
	struct mapping *m = handles_add(d->handles, op->handle, n);
	struct dma_api *api;
	int rc = -ENODEV;

	if (!m)
		return sim_op_error(s, "handle %#llx mapped while already mapped",
				    (unsigned long long)op->handle);
	sim_seg_input(s, op);
	for (unsigned i = 0; i < n; i++)
		m->len += s->segbuf[i].len;
	api = sim_api_for(d, op->rec_bus, &m->user);
	if (api->st)
		rc = dma_api_map_sg(api, op->cpu, s->segbuf, n, op->dir, op->rec_bus, m->seg);
	else	/* the window the mode maps into was removed */
		d->st.map_calls++, d->st.map_failures++;
	/* A failed map is counted in map.failures and the workload goes on: the
	 * handle stays known with nothing mapped, so its DMAs count as unmapped
	 * and its unmap does nothing (a driver would not unmap what failed). */
	if (rc < 0)
		m->nseg = 0;
	return 0;
}

static void dma_bytes(struct sim *s, struct device *d, const struct dma_op *op)
{
	d->st.ios++;
	d->st.bytes += op->len;
	s->phb.st = &d->st;
}

static int do_dma(struct sim *s, struct device *d, const struct dma_op *op)
{
	struct mapping *m = handles_get(d->handles, op->handle);
	uint64_t off = op->addr, len = op->len;
	bool write = op->dir != DMA_DIR_TO_DEVICE;

	dma_bytes(s, d, op);
	if (!m || !m->nseg || off + len > m->len) {
		d->st.unmapped_dmas++;
		return 0;
	}
	for (unsigned i = 0; i < m->nseg && len; i++) {
		uint64_t take;

		if (off >= m->seg[i].len) {
			off -= m->seg[i].len;
			continue;
		}
		take = m->seg[i].len - off < len ? m->seg[i].len - off : len;
		phb_dma(&s->phb, &d->pe, m->seg[i].dma + off, take, write,
			s->mode->mapping == MAP_BYPASS);
		len -= take;
		off = 0;
	}
	return 0;
}

static int do_op(struct sim *s, const struct dma_op *op)
{
	struct device *d;
	struct mapping *m;

	if (sim_check_op(s, op) < 0)
		return -1;
	d = s->dev[op->dev];
	switch (op->kind) {
	case OP_MAP:
	case OP_MAP_SG:
		return do_map(s, d, op);
	case OP_DMA:
		return do_dma(s, d, op);
	case OP_DMA_BUS:
		dma_bytes(s, d, op);
		phb_dma(&s->phb, &d->pe, op->addr, op->len, op->dir != DMA_DIR_TO_DEVICE, false);
		return 0;
	case OP_UNMAP:
		m = handles_get(d->handles, op->handle);
		if (!m)
			return sim_op_error(s, "unmap of handle %#llx, which is not mapped",
					    (unsigned long long)op->handle);
		if (sim_api_of(d, m->user)->st && m->nseg)
			dma_api_unmap(sim_api_of(d, m->user), m->seg, m->nseg);
		handles_del(d->handles, op->handle);
		return 0;
	default:
		return sim_window_op(s, d, op);
	}
}

/* Adds every counter of b into a (the stats are all uint64_t). */
static void stats_add(struct mode_stats *a, const struct mode_stats *b)
{
	uint64_t *x = (uint64_t *)a;
	const uint64_t *y = (const uint64_t *)b;

	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		x[i] += y[i];
}

static void fill_result(struct sim *s, struct sim_result *res)
{
	const struct tce_cache_stats *cs = tce_cache_stats(s->cache);
	struct window *w = s->dev[0]->api.win;
	struct mode_stats timing = s->st;	/* the timed replay's whole-run figures */

	uint64_t first = UINT64_MAX, last = 0;

	memset(&s->st, 0, sizeof(s->st));
	for (unsigned i = 0; i < s->ndev; i++) {
		const struct mode_stats *ds;

		if (!s->dev[i])
			continue;
		ds = &s->dev[i]->st;
		res->dev[i] = *ds;
		stats_add(&s->st, ds);
		if (ds->ios && ds->dma_first_ps < first)
			first = ds->dma_first_ps;
		if (ds->dma_last_ps > last)
			last = ds->dma_last_ps;
	}
	s->st.dma_first_ps = first == UINT64_MAX ? 0 : first;
	s->st.dma_last_ps = last;
	res->ndev = s->ndev;
	s->st.time_ps = timing.time_ps;
	s->st.events = timing.events;
	s->st.cache_evictions = cs->evictions;		/* the cache is shared: whole-run only */
	s->st.cache_invalidations = cs->invalidations;
	res->st = s->st;
	res->live_at_end = 0;
	for (unsigned i = 0; i < s->ndev; i++)
		if (s->dev[i])
			res->live_at_end += handles_live(s->dev[i]->handles);
	if (!w) {
		res->win_start = s->cfg->platform.bypass_base;
		return;
	}
	res->win_start = w->start;
	res->win_size = w->size;
	res->win_page_shift = tce_table_geom(w->tbl)->page_shift;
	res->win_levels = tce_table_geom(w->tbl)->levels;
	res->table_bytes = tce_table_geom(w->tbl)->table_bytes;
	res->table_bytes_allocated = tce_table_bytes_allocated(w->tbl);
}

static void teardown(struct sim *s)
{
	for (unsigned i = 0; i < s->ndev; i++) {
		if (!s->dev[i])
			continue;
		handles_free(s->dev[i]->handles);
		if (s->dev[i]->alt_on)
			dma_api_release(&s->dev[i]->alt);
		dma_api_release(&s->dev[i]->api);
		pe_release(&s->dev[i]->pe);
		free(s->dev[i]);
	}
	tce_cache_free(s->cache);
	free(s->segbuf);
}

static int functional_replay(struct sim *s, struct op_source *src)
{
	struct dma_op op;
	int more;

	while ((more = op_source_next(src, &op)) > 0) {
		s->nop++;
		if (do_op(s, &op) < 0)
			return -1;
	}
	return more < 0 ? -1 : 0;
}

int sim_run(const struct config *cfg, unsigned mode, struct sim_result *res)
{
	struct sim s = { .cfg = cfg, .mode = &cfg->modes[mode], .res = res };
	const struct synth_gen *gen = synth_find(cfg->workload.generator);
	struct op_source src = { 0 };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->mode = s.mode;
	res->timed = cfg->run.timing;
	res->cpus = cfg->host.cpus;
	hist_init(&res->dma_latency);
	hist_init(&res->walk_latency);
	if (setup(&s) < 0)
		goto out;
	s.src = &src;
	if (cfg->workload.trace[0]) {
		if (trace_open(&src, cfg->workload.trace) < 0)
			goto out;
	} else if (!gen || gen->open(&src, cfg) < 0) {
		ddw_error("cannot open workload '%s'", cfg->workload.generator);
		goto out;
	}
	if ((cfg->run.timing ? timed_replay(&s, &src) : functional_replay(&s, &src)) < 0)
		goto out;
	fill_result(&s, res);
	rc = 0;
out:
	op_source_close(&src);
	teardown(&s);
	return rc;
}
