/* advise.h - `ddwsim advise`: every DMA window the platform allows for a workload, run, ranked, with the evidence. */
#ifndef DDWSIM_ADVISE_H
#define DDWSIM_ADVISE_H

#include <stdbool.h>
#include <stdint.h>

#include "ddwsim/config.h"
#include "ddwsim/report.h"

#define ADVISE_MAX_CANDS	64
#define ADVISE_MAX_SETS		64

/* What "best" means; ties are broken by the others (advise_cmp). */
enum advise_objective {
	ADV_CPU,		/* least CPU per I/O (the default) */
	ADV_THROUGHPUT,		/* most device throughput */
	ADV_P99,		/* lowest p99 DMA latency */
	ADV_MEMORY,		/* smallest TCE table */
};

/* One window to try, and (after the run) its evidence. */
struct advise_cand {
	char name[64];		/* "direct-1G", "dynamic-64K-4G", "default-window", "bypass", "auto" */
	int mapping;		/* enum mapping_model */
	bool default_window;	/* dynamic in the default window */
	unsigned page_shift;	/* DDW TCE size; 0 for default window, bypass, auto */
	uint64_t size;		/* DDW bytes; 0 as above */
	unsigned levels;	/* table levels; 0 as above */
	/* evidence, from the run's CSV row */
	bool ran;		/* the run succeeded */
	uint64_t map_failures;	/* maps the window could not hold */
	double ns_per_io;	/* cpu.ns_per_io */
	double gbps;		/* device.throughput_gbps */
	double p99_ns;		/* device.latency_ns.p99 */
	double setup_ns;	/* setup.time_ns */
	uint64_t table_bytes;	/* window.table_bytes */
	char bottleneck[32];	/* the report's bottleneck */
	char decided[160];	/* auto: setup.reason (what enable_ddw chose) */
	bool pareto;		/* on the Pareto front of the usable candidates */
};

struct advise_opts {
	const char *config;	/* --config FILE */
	char *const *sets;	/* --set KEY=VALUE, applied to every run */
	unsigned nsets;
	const char *bin;	/* the ddwsim binary each run execs */
	const char *results;	/* cache folder (default "results") */
	unsigned jobs;		/* runs at once */
	enum advise_objective objective;
	enum report_fmt fmt;	/* text, json or csv */
	const char *out;	/* -o for the table: NULL = stdout */
	const char *fig;	/* --fig FIG.png|svg: the front drawn, NULL = none */
	bool robust;		/* re-run the leaders over each assumed key's range */
	bool quiet;		/* no progress line */
};

/* "cpu", "throughput", "p99", "memory" -> enum, or -1. */
int advise_objective_parse(const char *s);
const char *advise_objective_name(enum advise_objective o);

/*
 * advise_candidates() fills c[0..return) with the windows cfg's platform
 * allows for its host (see advise.c, "Candidates"); at most max.
 */
unsigned advise_candidates(const struct config *cfg, struct advise_cand *c, unsigned max);

/* Usable: it ran and every map found room. Only usable candidates are ranked first and on the front. */
bool advise_usable(const struct advise_cand *c);

/*
 * advise_cmp(): < 0 when a ranks before b for objective obj, > 0 after, 0
 * never for different names. Usable first; then the objective; ties broken
 * by throughput, p99, set-up time, table bytes, CPU per I/O (each except the
 * objective, in that order), then the name.
 */
int advise_cmp(const struct advise_cand *a, const struct advise_cand *b, enum advise_objective obj);

/* Sorts c by advise_cmp and sets each pareto flag (minimise CPU, p99, set-up, table; maximise throughput). */
void advise_rank(struct advise_cand *c, unsigned n, enum advise_objective obj);

/*
 * advise_run() - the whole command: candidates, runs (sweep_batch_run, the
 * sweep's cache of finished points under RESULTS/.points/advise), ranking,
 * robustness, the table, the figure. Returns an exit status (enum ddw_exit).
 */
int advise_run(const struct advise_opts *o);

#endif /* DDWSIM_ADVISE_H */
