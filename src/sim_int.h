/* sim_int.h - the state of one mode's replay, shared by sim.c (functional) and timed.c. */
#ifndef DDWSIM_SIM_INT_H
#define DDWSIM_SIM_INT_H

#include "ddwsim/dma_api.h"
#include "ddwsim/handles.h"
#include "ddwsim/hist.h"
#include "ddwsim/phb.h"
#include "ddwsim/sim.h"
#include "ddwsim/workload.h"

struct sim {
	const struct config *cfg;
	const struct mode_cfg *mode;
	struct window_platform wp;
	struct pe pe;
	struct tce_cache *cache;
	struct dma_api api;
	struct phb phb;
	struct handles *handles;
	struct mode_stats st;
	struct sim_result *res;		/* histograms go straight here */
	uint64_t nop;			/* ops replayed, for messages */
	struct dma_seg *segbuf;		/* map_sg scratch */
	unsigned segcap;
};

/* Copies op's elements (or its single buffer) into s->segbuf as dma_seg inputs. */
unsigned sim_seg_input(struct sim *s, const struct dma_op *op);

/* The timed replay of src (timed.c). Returns 0 or -1 (reported). */
int timed_replay(struct sim *s, struct op_source *src);

#endif /* DDWSIM_SIM_INT_H */
