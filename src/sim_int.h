/* sim_int.h - the state of one mode's replay, shared by sim.c (functional) and timed.c. */
#ifndef DDWSIM_SIM_INT_H
#define DDWSIM_SIM_INT_H

#include "ddwsim/dma_api.h"
#include "ddwsim/err.h"
#include "ddwsim/handles.h"
#include "ddwsim/hist.h"
#include "ddwsim/phb.h"
#include "ddwsim/sim.h"
#include "ddwsim/workload.h"

/* One device: its own PE, windows, DMA API and counters. */
struct device {
	struct pe pe;
	struct dma_api api;		/* bound to the window the mode maps into */
	uint64_t api_start;		/* that window's start */
	struct dma_api alt;		/* dynamic mode: the PE's other window, where a
					 * trace recorded maps (e.g. a DDW it created) */
	bool alt_on;
	struct handles *handles;	/* its live mappings by handle */
	struct mode_stats st;
};

struct sim {
	const struct config *cfg;
	const struct mode_cfg *mode;
	struct window_platform wp;
	struct tce_cache *cache;	/* one PHB's cache, shared by the devices' PEs */
	struct phb phb;			/* its st points at the device being served */
	struct device *dev[SIM_MAX_DEVICES];
	unsigned ndev;			/* highest device number seen + 1 */
	struct mode_stats st;		/* totals, filled at the end */
	struct sim_result *res;		/* histograms go straight here */
	uint64_t nop;			/* ops replayed, for messages */
	struct op_source *src;		/* the workload, for where an op came from */
	struct dma_seg *segbuf;		/* map_sg scratch */
	unsigned segcap;
};

/* Device dev, set up on first use (PE, the mode's DDW, the DMA API); NULL after reporting. */
struct device *sim_device(struct sim *s, unsigned dev);

/*
 * The DMA API a map goes through: the other window's when the trace
 * recorded the map there (rec_bus in it), else the mode's. which: 0 or 1,
 * to give the unmap the same one (sim_api_of).
 */
struct dma_api *sim_api_for(struct device *d, uint64_t rec_bus, unsigned *which);
static inline struct dma_api *sim_api_of(struct device *d, unsigned which)
{
	return which ? &d->alt : &d->api;
}

/* Reports "WHERE: message" about the op just read (trace file:line or record,
 * or the generator and op number) and returns -1. */
int sim_op_error(struct sim *s, const char *fmt, ...) DDW_PRINTF(2, 3);

/* Checks an op's device (setting it up on first use); 0 or -1 (reported). */
int sim_check_op(struct sim *s, const struct dma_op *op);

/* Copies op's elements (or its single buffer) into s->segbuf as dma_seg inputs. */
unsigned sim_seg_input(struct sim *s, const struct dma_op *op);

/* A window create/remove/reset from the workload, on d. 0 or -1 (reported). */
int sim_window_op(struct sim *s, struct device *d, const struct dma_op *op);

/* The timed replay of src (timed.c). Returns 0 or -1 (reported). */
int timed_replay(struct sim *s, struct op_source *src);

#endif /* DDWSIM_SIM_INT_H */
