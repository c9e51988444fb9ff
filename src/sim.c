/*
 * sim.c - one mode, one run: the workload opened, replayed through the
 * replay context (functionally, or in time by timed.c), the result filled.
 */
#include <string.h>

#include "ddwsim/err.h"
#include "ddwsim/replay.h"
#include "ddwsim/sim.h"
#include "ddwsim/synth.h"
#include "ddwsim/timed.h"
#include "ddwsim/trace.h"

static int functional_replay(struct replay *r, struct op_source *src, struct sim_result *res)
{
	struct dma_op op;
	int more;

	while ((more = op_source_next(src, &op)) > 0) {
		r->nop++;
		if (replay_op(r, &op, NULL) < 0)
			return -1;
	}
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

int sim_run(const struct config *cfg, unsigned mode, struct sim_result *res)
{
	struct replay r;
	struct op_source src = { 0 };
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
	if (open_workload(cfg, &src) < 0)
		goto out;
	if (cfg->run.timing)
		rc = timed_replay(&r, &src, res);
	else
		rc = functional_replay(&r, &src, res);
out:
	op_source_close(&src);
	replay_release(&r);
	return rc;
}
