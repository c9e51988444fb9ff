/* counters.h - the counters one mode's replay keeps, per device and in total. */
#ifndef DDWSIM_COUNTERS_H
#define DDWSIM_COUNTERS_H

#include <stdint.h>

/* Errnos a window operation can fail with, counted by name in the report. */
enum win_err {
	WIN_ERR_EINVAL, WIN_ERR_ENOSPC, WIN_ERR_ENOMEM, WIN_ERR_EPERM, WIN_ERR_OTHER,
	WIN_ERR_RTAS_PARAM,	/* pseries: RTAS_OUT_PARAM_ERROR (-3) */
	WIN_ERR_RTAS_HW,	/* pseries: RTAS_OUT_HW_ERROR (-1) */
	WIN_ERR_COUNT,
};

/*
 * Every counter a mode keeps. All are uint64_t (counters_add relies on it),
 * counts unless the name says ps. What each means for the reader is in the
 * report's registry (stats.c), which is the only place that names them.
 */
struct mode_stats {
	uint64_t ios;			/* workload I/Os: DMAs without OP_F_AUX */
	uint64_t dmas;			/* every DMA the device made */
	uint64_t bytes;			/* bytes those DMAs moved */
	uint64_t map_calls;		/* map and map_sg calls */
	uint64_t map_failures;		/* maps whose TCE allocation failed */
	uint64_t map_tces;		/* TCEs written by per-I/O maps */
	uint64_t unmap_calls;		/* unmap calls */
	uint64_t unmap_tces;		/* TCEs cleared by unmaps */
	uint64_t setup_hcalls;		/* hypercalls made to set the window up (direct) */
	uint64_t setup_tces;		/* TCEs written to set the window up (direct) */
	uint64_t setup_clears;		/* TCEs the guest cleared in a window it was given
					 * (boot, dynamic DDW: iommu_init_table) */
	uint64_t setup_kills;		/* TCE kills made while setting up */
	uint64_t h_put_tce;		/* H_PUT_TCE calls, per-I/O */
	uint64_t h_put_tce_indirect;	/* H_PUT_TCE_INDIRECT calls, per-I/O */
	uint64_t h_stuff_tce;		/* H_STUFF_TCE calls, per-I/O */
	uint64_t kill_page;		/* page-scope TCE kills the PHB performed */
	uint64_t kill_pe;		/* PE-scope TCE kills */
	uint64_t kill_all;		/* whole-cache TCE kills */
	uint64_t opal_kill_calls;	/* OPAL_PCI_TCE_KILL calls (PowerNV PHB4/5) */
	uint64_t alloc_words;		/* it_map words the allocator read */
	uint64_t alloc_peak;		/* most TCEs allocated at once */
	uint64_t alloc_recorded;	/* maps whose real bus address the trace recorded */
	uint64_t alloc_matched;		/* of those, where ddwsim chose the same page */
	uint64_t cache_lookups;		/* TCE-cache lookups (one per translated request) */
	uint64_t cache_hits;
	uint64_t cache_misses;
	uint64_t cache_evictions;
	uint64_t cache_invalidations;	/* valid entries removed by kills */
	uint64_t requests;		/* PCIe requests the DMAs were split into */
	uint64_t walks;			/* table walks (one per miss) */
	uint64_t walk_reads;		/* memory reads the walks made */
	uint64_t faults;		/* DMA faults: no window, missing level, no TCE, no permission */
	uint64_t unmapped_dmas;		/* DMAs naming a handle that was not mapped */
	uint64_t win_created;		/* window create operations that succeeded */
	uint64_t win_removed;		/* window remove operations that succeeded */
	uint64_t win_skipped;		/* trace window ops a DDW mode did not replay */
	uint64_t win_errors[WIN_ERR_COUNT]; /* failed window operations by errno */
	/* timed replay only (ps) */
	uint64_t time_ps;		/* the last event */
	uint64_t dma_first_ps;		/* first DMA started */
	uint64_t dma_last_ps;		/* last DMA completed */
	uint64_t cpu_map_ps;		/* CPU time in maps (all CPUs) */
	uint64_t cpu_unmap_ps;		/* CPU time in unmaps */
	uint64_t cpu_kill_wait_ps;	/* of that map and unmap time, spent spinning
					 * on the PHB's kill lock (kill.phb_lock) */
	uint64_t cpu_busiest_ps;	/* CPU time of the busiest CPU */
	uint64_t link_busiest_ps;	/* busy time of the busiest link direction */
	uint64_t upstream_busiest_ps;	/* the same, of the PHB's own link (platform.pcie) */
	uint64_t walker_ps;		/* walk time summed over walks (walker occupancy) */
	uint64_t stall_ps;		/* time requests waited for translation resources */
	uint64_t walks_merged;		/* lookups that found their entry still being
					 * filled by a walk in flight, and waited for it */
	uint64_t events;		/* events the engine processed */
	uint64_t setup_ps;		/* CPU time of the direct window's set-up */
};

/* a += b, counter by counter. */
void counters_add(struct mode_stats *a, const struct mode_stats *b);
enum win_err win_err_of(int err);
const char *win_err_name(enum win_err e);

#endif /* DDWSIM_COUNTERS_H */
