/* sweep.h - batch sweeps: a grid of --set values over a base config, run in parallel, one CSV. */
#ifndef DDWSIM_SWEEP_H
#define DDWSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWEEP_MAX_POINTS	1000000u	/* a larger grid needs --max-points (issue 11) */

struct sweep_opts {
	const char *file;	/* the sweep YAML */
	const char *bin;	/* the ddwsim binary to run for each point */
	const char *results;	/* results folder (default "results") */
	unsigned jobs;		/* points run at once (default: the number of cores) */
	bool full;		/* use the file's `full:` variant */
	bool print;		/* print the commands, one per line, instead of running them */
	bool collect;		/* only assemble the CSV from points already run */
	bool partial;		/* --collect: a point without a result is not an error */
	uint64_t max_points;	/* the largest grid to run or print; 0 = SWEEP_MAX_POINTS */
	bool quiet;		/* no progress line */
};

/*
 * Runs (or prints) a sweep; see src/sweep.c for the file format. Points whose
 * result file exists are skipped, so an interrupted sweep resumes. Returns 0;
 * 1 if a point failed (the others still ran; results/<name>.csv then has the
 * points that succeeded), if --collect found a point without a result (named
 * on stderr; 0 with partial), or if no point has a result (no CSV is then
 * written); or 2 for a bad sweep file, a grid above max_points or an empty
 * results (reported).
 */
int sweep_run(const struct sweep_opts *o);

/*
 * A batch of ddwsim runs, each its own process, at most jobs at once: the
 * machinery of a sweep, which `ddwsim advise` uses too. argv_of(arg, i, out,
 * outn, &own) returns point i's argv (NULL-terminated, argv[0] the binary)
 * and the file it writes in out; the batch frees both with sweep_argv_free().
 * A point whose file exists is skipped: the cache of finished points.
 */
struct sweep_batch {
	unsigned long n;	/* points */
	char **(*argv_of)(void *arg, unsigned long i, char *out, size_t outn, char ***own);
	void *arg;
	unsigned jobs;		/* at once; 0 = 1 */
	bool quiet;		/* no progress line */
	const char *what;	/* "sweep", "advise": the progress line's and messages' prefix */
	/* The ops point i is expected to replay (its share of the progress
	 * line's work); NULL: every point the same. */
	double (*weight_of)(void *arg, unsigned long i);
};

/* Runs the batch. Returns 0, or 1 if a point failed (named on stderr with its command); the others still ran. */
int sweep_batch_run(const struct sweep_batch *b);

/*
 * The cache key of a point (the HASH of its result file): FNV-1a 64 over
 *   1. argv[1..], each with its NUL (the command, the binary's path left out);
 *   2. sweep_build(), with its NUL: the version and the build id, a hash of
 *      the sources the binary was built from;
 *   3. the config's files_hash (config.h): the bytes and size of every file
 *      config_load() opens for the point's --config and --sets (the config
 *      and every file it includes, recursively), in the order opened;
 *   4. if its workload names a trace that exists: the trace's size, mtime
 *      in ns, device and inode, each as 8 bytes (fnv1a_u64), not its bytes
 *      (traces run to GB): a rewritten or touched trace gets a new key.
 * So a point is reused only by the same command, built from the same
 * sources, over the same files. Each command's key is worked out once per
 * struct sweep_keys (one silent config_load()), then remembered.
 */
struct sweep_keys;
struct sweep_keys *sweep_keys_new(void);
uint64_t sweep_point_key(struct sweep_keys *k, char *const *argv);
void sweep_keys_free(struct sweep_keys *k);	/* NULL is a no-op */

/* "ddwsim VERSION (build ID)": what --version prints, and step 2 of a point's key. */
const char *sweep_build(void);

/* Frees an argv from argv_of: the strings in own (NULL-terminated), own, then argv. */
void sweep_argv_free(char **argv, char **own);

/* mkdir -p path. 0, or -1 after reporting. */
int sweep_mkdirs(const char *path);

#endif /* DDWSIM_SWEEP_H */
