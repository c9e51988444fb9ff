/*
 * cost.c - host CPU cycles per operation, from the counters it changed.
 *
 * One formula for the per-I/O work and one for the set-up; both replays use
 * them (the functional replay does not report time, the timed one puts these
 * cycles on the op's CPU). Costs and their sources: config_schema.c.
 */
#include "ddwsim/checked.h"
#include "ddwsim/cost.h"
#include "ddwsim/dma_api.h"
#include "ddwsim/engine.h"

/* Sums of counts times costs saturate at UINT64_MAX (see cost.h). */
static uint64_t sat_mul_add(uint64_t c, uint64_t n, uint64_t each)
{
	return sat_add(c, sat_mul(n, each));
}

static uint64_t pseries_cycles(const struct platform_cfg *p, const struct mode_stats *a,
			       const struct mode_stats *b)
{
	uint64_t put = b->h_put_tce - a->h_put_tce, ind = b->h_put_tce_indirect - a->h_put_tce_indirect;
	uint64_t stuff = b->h_stuff_tce - a->h_stuff_tce;
	uint64_t mapped = b->map_tces - a->map_tces, cleared = b->unmap_tces - a->unmap_tces;
	uint64_t c = sat_mul(put, (uint64_t)p->hcall.entry_exit_cycles + p->hcall.put_tce_cycles);

	c = sat_mul_add(c, ind, p->hcall.entry_exit_cycles);
	if (ind)	/* TCEs not written by single H_PUT_TCEs went through INDIRECT */
		c = sat_mul_add(c, mapped > put ? mapped - put : 0, p->hcall.indirect_tce_cycles);
	c = sat_mul_add(c, stuff, p->hcall.entry_exit_cycles);
	if (stuff)
		c = sat_mul_add(c, cleared, p->hcall.stuff_tce_cycles);
	return c;
}

uint64_t cost_op_cycles(const struct config *cfg, int mapping, const struct mode_stats *a,
			const struct mode_stats *b)
{
	const struct platform_cfg *p = &cfg->platform;
	uint64_t c;

	if (mapping != MAP_DYNAMIC)
		return cfg->host.cost.direct_cycles;
	c = sat_mul_add(cfg->host.cost.alloc_cycles, b->alloc_words - a->alloc_words,
			cfg->host.cost.alloc_word_cycles);
	if (p->kind == PLAT_POWERNV)
		return sat_mul_add(c, sat_add(b->map_tces - a->map_tces, b->unmap_tces - a->unmap_tces),
				   cfg->host.cost.tce_write_cycles);
	return sat_add(c, pseries_cycles(p, a, b));
}

uint64_t cost_setup_ps(const struct config *cfg, const struct mode_stats *st)
{
	const struct platform_cfg *p = &cfg->platform;
	struct ddw_clock cpu = clock_mhz(cfg->host.cpu_mhz);

	uint64_t c;

	/* pseries: hcalls, their TCEs (written by INDIRECT, cleared by H_STUFF_TCE or,
	 * without multi-TCE, one H_PUT_TCE(0) each), then the host's kills inside them */
	if (p->kind == PLAT_PSERIES)
		c = cycles(cpu, sat_mul_add(sat_mul_add(sat_mul(st->setup_hcalls,
								 p->hcall.entry_exit_cycles),
							 st->setup_tces, p->hcall.indirect_tce_cycles),
					    st->setup_clears, p->multi_tce ? p->hcall.stuff_tce_cycles
									   : p->hcall.put_tce_cycles));
	else
		c = cycles(cpu, sat_mul(sat_add(st->setup_tces, st->setup_clears),
					cfg->host.cost.tce_write_cycles));
	return sat_mul_add(c, st->setup_kills, clock_edge(cpu, p->kill.cpu_ns * 1000ull));
}
