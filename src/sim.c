/*
 * sim.c - one mode, one run: the workload opened, replayed through the
 * replay context (functionally, or in time by timed.c), the result filled;
 * and the run's memory budget, checked before any of it is allocated.
 *
 * The budget (run.max_memory; 0 = half the machine's RAM). A generator's run
 * is sized from its parameters (synth_load): per mode, the most it holds at
 * once is
 *
 *   state                               the generator's own arrays
 *   + live x replay_bytes_per_mapping   40 for one segment (its 24-byte hash
 *                                       slot, packed, 74..85 % full); more
 *                                       segments: + 128 + 16 x max(nseg, 4) (replay.c)
 *                                       (timed: nothing more; an idle mapping
 *                                       holds no timed state, timed.c)
 *   + timed_bytes_fixed                 timed: the request outcomes read ahead,
 *                                       1.5 x pow2(min(2^26, 4096 x R) + R) bytes,
 *                                       R = dma_max / min(mps, mrrs) + 2
 *   + 8.125 x min(entries, window)      dynamic modes: a TCE (8 bytes) and an
 *                                       allocator bit per table entry in use,
 *     entries = live_bytes / TCE size + 16 x live x nseg (an allocation may round
 *     up to IOMMU_BLOCKSIZE 16 entries and straddle one more page)
 *
 * Measured against the formula (RSS, /usr/bin/time, bench/live-mem.yaml):
 * 2^20 live 64-byte nic_rx buffers in 4K TCEs hold 64 bytes each, counting
 * only or timed (the formula: 48, TCE and allocator bit included: the TCE
 * table's sparse leaves, a third full, held 24 bytes a mapping, not 8); 93
 * and 408 with the idpool records and a timed entry per mapping; 196 and 628
 * before the segment moved into the record.
 * Above the limit, the run is refused naming the parameter that drives live
 * (exit 2). A trace cannot be sized before it is read: its replay stops
 * (exit 1) once its live mappings alone would pass the limit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddwsim/alloc.h"
#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/progress.h"
#include "ddwsim/replay.h"
#include "ddwsim/sim.h"
#include "ddwsim/synth.h"
#include "ddwsim/synth_multi.h"
#include "ddwsim/timed.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"

static int functional_replay(struct replay *r, struct op_source *src, struct sim_result *res)
{
	struct op_run b;
	long more;

	while ((more = op_source_next_run(src, &b)) > 0)
		if (replay_run(r, &b) < 0)
			return -1;
	if (more < 0)
		return -1;
	replay_result(r, res);
	return 0;
}

static int open_workload(const struct config *cfg, struct op_source *src)
{
	const struct synth_gen *gen = synth_find(cfg->workload.generator);

	if (cfg->workload.trace[0])
		return trace_open(src, cfg->workload.trace);
	if (cfg->ndevices)
		return synth_multi_open(src, cfg);
	if (!gen || gen->open(src, cfg) < 0)
		return ddw_error("cannot open workload '%s'", cfg->workload.generator);
	return 0;
}

static const char *io_name_of(const struct config *cfg)
{
	const struct synth_gen *gen = synth_find(cfg->workload.generator);

	if (cfg->workload.trace[0] || !gen || !gen->io_name)
		return "DMA";
	return gen->io_name;
}

uint64_t sim_memory_limit(const struct config *cfg)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);

	if (cfg->run.max_memory)
		return cfg->run.max_memory;
	if (pages <= 0 || page <= 0)
		return UINT64_MAX;	/* the machine does not say: no limit */
	return sat_mul((uint64_t)pages, (uint64_t)page) / 2;
}

/* TCE table and allocator bytes of mode m's window for ld's live mappings. */
static uint64_t tce_bytes(const struct mode_cfg *m, const struct synth_load *ld)
{
	uint64_t entries, win;

	if (m->mapping != MAP_DYNAMIC && m->mapping != MAP_AUTO)
		return 0;	/* direct: an identity range, bypass: no table */
	/* auto: as dynamic in the default window (m's window), the guest's
	 * choice not being known before the replay: 4K TCEs, the most entries */
	win = m->size >> m->page_shift;
	entries = sat_add(ld->live_bytes >> m->page_shift,
			  sat_mul(sat_mul(ld->live, ld->nseg), IOMMU_BLOCKSIZE));
	if (entries > win)
		entries = win;
	return sat_add(sat_mul(entries, TCE_ENTRY_SIZE), entries / 8);
}

/* The most mode m of a generator's run holds at once, bytes (see the top). */
static uint64_t mode_estimate(const struct config *cfg, const struct mode_cfg *m,
			      const struct synth_load *ld)
{
	const struct platform_cfg *p = &cfg->platform;
	uint64_t est = sat_add(ld->state, sat_mul(ld->live, replay_bytes_per_mapping(ld->nseg)));

	if (cfg->run.timing)
		est = sat_add(est, timed_bytes_fixed(ld->dma_max, p->pcie.mps < p->pcie.mrrs ?
								  p->pcie.mps : p->pcie.mrrs));
	return sat_add(est, tce_bytes(m, ld));
}

/* "12.5 GiB" or "640.0 MiB". */
static const char *mem_str(uint64_t b, char *buf, size_t n)
{
	if (b >= 1ull << 30)
		snprintf(buf, n, "%.1f GiB", (double)b / (1ull << 30));
	else
		snprintf(buf, n, "%.1f MiB", (double)b / (1ull << 20));
	return buf;
}

static const char *limit_str(const struct config *cfg, uint64_t limit, char *buf, size_t n)
{
	char m[32];

	if (cfg->run.max_memory)
		return config_size_str(limit, buf, n);
	snprintf(buf, n, "%s, half the machine's RAM", mem_str(limit, m, sizeof(m)));
	return buf;
}

/*
 * With devices:, each device holds its own generator, mappings and table:
 * mode m's estimate is the sum over the items of count x one device's
 * (item's config made with config_as_device). *worst is the item that
 * holds the most, whose parameter the message names.
 */
static uint64_t devices_estimate(const struct config *cfg, const struct mode_cfg *m,
				 struct config *one, unsigned *worst, struct synth_load *wl)
{
	uint64_t est = 0, most = 0, e;
	struct synth_load ld;

	for (unsigned i = 0; i < cfg->ndevitems; i++) {
		*one = *cfg;
		config_as_device(one, i);
		synth_find(one->workload.generator)->load(one, &ld);
		e = sat_mul(mode_estimate(one, m, &ld), cfg->devices[i].count);
		est = sat_add(est, e);
		if (e >= most)
			most = e, *worst = i, *wl = ld;
	}
	return est;
}

int sim_budget(const struct config *cfg)
{
	const struct synth_gen *gen = synth_find(cfg->workload.generator);
	uint64_t limit = sim_memory_limit(cfg), est;
	struct synth_load ld;
	struct config *one = cfg->ndevices ? xmalloc(sizeof(*one)) : NULL;
	unsigned worst = 0;
	char key[64], lim[64], need[32];
	int rc = 0;

	if (cfg->workload.trace[0] || !gen || !gen->load)
		return 0;
	gen->load(cfg, &ld);
	for (unsigned i = 0; i < cfg->nmodes && rc == 0; i++) {
		est = one ? devices_estimate(cfg, &cfg->modes[i], one, &worst, &ld)
			  : mode_estimate(cfg, &cfg->modes[i], &ld);
		if (est <= limit)
			continue;
		if (one)
			snprintf(key, sizeof(key), "devices[%u].%s", worst, ld.key);
		else
			snprintf(key, sizeof(key), "workload.%s", ld.key);
		rc = config_error_key(cfg, key, "needs about %s in mode '%s' (%" PRIu64 " mappings live at once%s: %s), above run.max_memory (%s)",
				      mem_str(est, need, sizeof(need)), cfg->modes[i].name, ld.live,
				      one ? " per device" : "", ld.why, limit_str(cfg, limit, lim, sizeof(lim)));
	}
	free(one);
	return rc;
}

uint64_t sim_expected_ios(const struct config *cfg)
{
	if (cfg->workload.trace[0])
		return 0;
	return sat_mul(cfg->run.ios, cfg->ndevices ? cfg->ndevices : 1);	/* run.ios is per device */
}

static struct progress *sim_progress;

void sim_set_progress(struct progress *p)
{
	sim_progress = p;
}

struct sim_tick {
	const struct config *cfg;
	struct replay *r;
	struct op_source *src;
};

/* Every OP_TICK_EVERY ops: how far the run is, for the progress line. */
static void tick(void *arg, uint64_t nops)
{
	const struct sim_tick *t = arg;
	double frac = -1;
	uint64_t ios = 0;

	if (t->src->ops && t->src->ops->done) {
		frac = t->src->ops->done(t->src->state);
	} else if (!t->cfg->workload.trace[0] && t->cfg->run.ios) {
		for (unsigned d = 0; d < t->r->ndev; d++)
			ios += t->r->dev[d] ? t->r->dev[d]->st.ios : 0;
		frac = (double)ios / (double)sim_expected_ios(t->cfg);
	}
	progress_update(sim_progress, frac, nops);
}

int sim_run(const struct config *cfg, unsigned mode, struct sim_result *res)
{
	struct replay r;
	struct op_source src = { 0 };
	struct sim_tick st = { .cfg = cfg, .r = &r, .src = &src };
	struct op_tick tk = { .fn = tick, .arg = &st };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->mode = &cfg->modes[mode];
	res->io_name = io_name_of(cfg);
	res->timed = cfg->run.timing;
	res->cpus = cfg->host.cpus;
	hist_init(&res->dma_latency);
	hist_init(&res->walk_latency);
	if (replay_init(&r, cfg, mode, cfg->run.timing) < 0)
		goto out;
	r.src = &src;
	r.max_live = sim_memory_limit(cfg) / replay_bytes_per_mapping(1);
	if (open_workload(cfg, &src) < 0)
		goto out;
	if (sim_progress)
		src.tick = &tk;
	if (cfg->run.timing)
		rc = timed_replay(&r, &src, res);
	else
		rc = functional_replay(&r, &src, res);
out:
	op_source_close(&src);
	replay_release(&r);
	return rc;
}
