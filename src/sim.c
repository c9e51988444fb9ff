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
#include <stdlib.h>
#include <string.h>

#include "ddwsim/dma_api.h"
#include "ddwsim/engine.h"
#include "ddwsim/err.h"
#include "ddwsim/handles.h"
#include "ddwsim/phb.h"
#include "ddwsim/sim.h"
#include "ddwsim/synth.h"
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
	const struct mode_cfg *m = s->mode;
	struct tce_cache_cfg cc = {
		.entries = s->cfg->platform.tce_cache.entries,
		.ways = s->cfg->platform.tce_cache.ways,
		.policy = (enum tce_cache_policy)s->cfg->platform.tce_cache.policy,
		.seed = s->cfg->run.seed,
	};
	struct dma_api_cfg ac;
	uint64_t start = 0;
	int rc;

	platform_of(s->cfg, &s->wp);
	rc = pe_init(&s->pe, &s->wp, 0, 1);
	if (rc < 0)
		return ddw_error("mode '%s': cannot create the default window: %s", m->name,
				 ddw_errno_name(rc));
	if (m->mapping != MAP_BYPASS && !m->default_window) {
		rc = window_create(&s->pe, m->page_shift, m->size, m->levels, &start);
		if (rc < 0) {
			s->st.win_errors[win_err_of(rc)]++;
			return ddw_error("mode '%s': the platform refused the window: %s", m->name,
					 ddw_errno_name(rc));
		}
		s->st.win_created++;
	}
	if (tce_cache_new(&s->cache, &cc) < 0)
		return ddw_error("mode '%s': bad TCE cache geometry", m->name);
	api_cfg_of(s, m->size, &ac);
	rc = dma_api_init(&s->api, &ac, &s->pe, start, s->cache, &s->st);
	if (rc < 0)
		return ddw_error("mode '%s': cannot set up the mapping: %s", m->name, ddw_errno_name(rc));
	s->st.setup_ps = setup_time(s->cfg, &s->st);
	s->phb = (struct phb){ .cache = s->cache, .mps = s->cfg->platform.pcie.mps,
			       .mrrs = s->cfg->platform.pcie.mrrs, .st = &s->st };
	s->handles = handles_new();
	return 0;
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

static int do_map(struct sim *s, const struct dma_op *op)
{
	unsigned n = op->kind == OP_MAP ? 1 : op->nsg;
	struct mapping *m = handles_add(s->handles, op->handle, n);
	int rc;

	if (!m)
		return ddw_error("op %llu: handle %llu mapped while already mapped",
				 (unsigned long long)s->nop, (unsigned long long)op->handle);
	sim_seg_input(s, op);
	for (unsigned i = 0; i < n; i++)
		m->len += s->segbuf[i].len;
	rc = dma_api_map_sg(&s->api, op->cpu, s->segbuf, n, op->dir, m->seg);
	if (rc < 0)	/* counted in map.failures; the workload goes on */
		handles_del(s->handles, op->handle);
	return 0;
}

static int do_dma(struct sim *s, const struct dma_op *op)
{
	struct mapping *m = handles_get(s->handles, op->handle);
	uint64_t off = op->addr, len = op->len;
	bool write = op->dir != DMA_DIR_TO_DEVICE;

	s->st.ios++;
	s->st.bytes += op->len;
	if (!m || off + len > m->len) {
		s->st.unmapped_dmas++;
		return 0;
	}
	for (unsigned i = 0; i < m->nseg && len; i++) {
		uint64_t take;

		if (off >= m->seg[i].len) {
			off -= m->seg[i].len;
			continue;
		}
		take = m->seg[i].len - off < len ? m->seg[i].len - off : len;
		phb_dma(&s->phb, &s->pe, m->seg[i].dma + off, take, write,
			s->mode->mapping == MAP_BYPASS);
		len -= take;
		off = 0;
	}
	return 0;
}

static int do_op(struct sim *s, const struct dma_op *op)
{
	struct mapping *m;

	switch (op->kind) {
	case OP_MAP:
	case OP_MAP_SG:
		return do_map(s, op);
	case OP_DMA:
		return do_dma(s, op);
	case OP_UNMAP:
		m = handles_get(s->handles, op->handle);
		if (!m)
			return ddw_error("op %llu: unmap of handle %llu, which is not mapped",
					 (unsigned long long)s->nop, (unsigned long long)op->handle);
		dma_api_unmap(&s->api, m->seg, m->nseg);
		handles_del(s->handles, op->handle);
		return 0;
	default:
		return ddw_error("op %llu: operation kind %d is not supported yet",
				 (unsigned long long)s->nop, (int)op->kind);
	}
}

static void fill_result(struct sim *s, struct sim_result *res)
{
	const struct tce_cache_stats *cs = tce_cache_stats(s->cache);
	struct window *w = s->api.win;

	s->st.cache_lookups = cs->lookups;
	s->st.cache_hits = cs->hits;
	s->st.cache_misses = cs->misses;
	s->st.cache_evictions = cs->evictions;
	s->st.cache_invalidations = cs->invalidations;
	res->st = s->st;
	res->live_at_end = handles_live(s->handles);
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
	handles_free(s->handles);
	dma_api_release(&s->api);
	tce_cache_free(s->cache);
	pe_release(&s->pe);
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
	if (!gen || gen->open(&src, cfg) < 0) {
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
