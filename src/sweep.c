/*
 * sweep.c - `ddwsim sweep FILE`: a grid of settings over one base config.
 *
 * The sweep file (YAML):
 *
 *   name: tce-cache-entries          results/<name>.csv; letters, digits, . _ -
 *   config: ../configs/default.yaml  the base config, relative to this file
 *   set: [run.ios=20000]             fixed --set overrides (optional)
 *   params:                          the grid: every combination, first key outermost
 *     platform.tce_cache.entries: [64, 128, 256]
 *     platform.tce_cache.ways: {from: 8, to: 64, times: 2}    8, 16, 32, 64
 *     run.seed: {from: 1, to: 3, step: 1}                      1, 2, 3
 *     workload.packet_min,workload.packet_max: [64, 1500]     several keys, one value
 *   full:                            used with --full (make bench FULL=1) (optional)
 *     set: [run.ios=1000000]         replaces `set`
 *     params: {...}                  replaces the params of the same key, adds others
 *
 * Steps of sweep_run():
 *   1. read the file into a grid (values as text, passed to --set as given),
 *      with the config loader's first pass (config_yaml_check: one document,
 *      nesting), at most MAX_BYTES, no key given twice in any mapping, no
 *      NUL byte in a key or value (argv would cut it), and a point count
 *      that fits in 64 bits and in --max-points (10^6 by default);
 *   2. for each point, in grid order, the command line
 *      BIN -q --config C --set ... --format csv -o RESULTS/.points/NAME/I-HASH.csv,
 *      HASH being the point's key (sweep_point_key): FNV-1a 64 of the
 *      arguments after BIN, the build, the bytes of every config file the
 *      point loads and the trace's size, mtime, device and inode, so a
 *      changed command, binary or input never reuses an old result;
 *   3. --print: make RESULTS/.points/NAME, so that the commands can write
 *      there, and print them (one per line, shell-quoted, through outfile so
 *      a full or closed stdout is an error) for a cluster (a Slurm job array,
 *      GNU parallel), then stop; --collect later;
 *   4. otherwise run the points whose file does not exist yet, at most
 *      `jobs` at once, each its own process; ddwsim writes each file
 *      atomically, so a killed sweep leaves no half point and resumes;
 *   5. collect: RESULTS/NAME.csv (atomically) = for every point that has a
 *      file, its rows with the swept values as leading columns, each quoted
 *      per RFC 4180 when it needs it. --collect names each point without a
 *      file and exits 1 unless --partial; no point at all writes no CSV.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "ddwsim/checked.h"
#include "ddwsim/config.h"
#include "ddwsim/err.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/infile.h"
#include "ddwsim/num.h"
#include "ddwsim/outfile.h"
#include "ddwsim/progress.h"
#include "ddwsim/report.h"
#include "ddwsim/sim.h"
#include "ddwsim/sweep.h"
#include "ddwsim/xalloc.h"

#define MAX_PARAMS	8
#define MAX_VALUES	256
#define MAX_SETS	64
#define MAX_BYTES	(1l << 20)	/* a sweep file; the largest in bench/ is under 1 KiB */

struct param {
	char *key;
	char *val[MAX_VALUES];
	unsigned n;
	bool given;		/* named in the params mapping being read: a second time is an error */
};

/* The top-level keys, in the order of the bits of sweep.seen. */
static const char *const top_keys[] = { "name", "config", "set", "params", "full" };

struct sweep {
	const char *file;
	struct sweep_keys *keys;	/* the points' keys, each worked out once */
	char name[128];
	char *config;			/* resolved against the sweep file */
	char *set[MAX_SETS];
	unsigned nset;
	struct param p[MAX_PARAMS];
	unsigned np;
	unsigned seen;			/* top_keys given so far, one bit each */
	unsigned long pline, pcol;	/* where params is, for a grid too large */
	unsigned long points;
};

/* --- reading the file --- */

static int bad(const struct sweep *sw, const yaml_node_t *n, const char *key, const char *msg)
{
	char where[4200];

	snprintf(where, sizeof(where), "%s:%lu:%lu", sw->file,
		 n ? (unsigned long)n->start_mark.line + 1 : 1ul,
		 n ? (unsigned long)n->start_mark.column + 1 : 1ul);
	return ddw_error_at(where, "%s: %s", key, msg);
}

static const char *text(yaml_document_t *d, int i)
{
	yaml_node_t *n = yaml_document_get_node(d, i);

	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int read_sets(struct sweep *sw, yaml_document_t *d, int node)
{
	yaml_node_t *n = yaml_document_get_node(d, node);

	for (unsigned i = 0; i < sw->nset; i++)
		free(sw->set[i]);
	sw->nset = 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(sw, n, "set", "expected a list of KEY=VALUE");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = text(d, *it);

		if (!s || !strchr(s, '=') || sw->nset == MAX_SETS)
			return bad(sw, yaml_document_get_node(d, *it), "set",
				   "expected KEY=VALUE (at most 64 of them)");
		sw->set[sw->nset++] = xstrdup(s);
	}
	return 0;
}

/*
 * A range bound or step: a number as num.h reads it, size suffixes allowed
 * ({from: 4K, to: 1M, times: 2}); the value node's length is used, so a NUL
 * byte is seen. 0, or -1 reported with the rule the text breaks.
 */
static int range_num(struct sweep *sw, yaml_node_t *vn, const char *key, const char *what,
		     uint64_t *x)
{
	char msg[320], shown[96];
	int rc = num_parse((const char *)vn->data.scalar.value, vn->data.scalar.length, NUM_SIZE, x);

	if (rc == 0)
		return 0;
	num_show(shown, sizeof(shown), (const char *)vn->data.scalar.value, vn->data.scalar.length);
	snprintf(msg, sizeof(msg), "%s: expected a whole number (decimal or 0x hex, sizes like 4K), got '%s'%s",
		 what, shown, num_why_tail(rc));
	return bad(sw, vn, key, msg);
}

/* {from, to, times | step}: integer values, geometric or arithmetic. */
static int read_range(struct sweep *sw, yaml_document_t *d, yaml_node_t *n, struct param *p)
{
	static const char *const keys[] = { "from", "to", "times", "step" };
	uint64_t x[4] = { 0 }, from, to, times, step;
	unsigned seen = 0;

	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		const char *k = text(d, q->key), *v = text(d, q->value);
		yaml_node_t *kn = yaml_document_get_node(d, q->key);
		unsigned i = 0;

		if (!k || !v)
			return bad(sw, n, p->key, "a range is {from: N, to: N, times: N} or {from, to, step}");
		while (i < 4 && strcmp(k, keys[i]))
			i++;
		if (i == 4)
			return bad(sw, kn, p->key, "unknown range key, expected from, to, times or step");
		if (seen & 1u << i)
			return bad(sw, kn, p->key, i == 0 ? "from: given twice" : i == 1 ? "to: given twice" :
				   i == 2 ? "times: given twice" : "step: given twice");
		seen |= 1u << i;
		if (range_num(sw, yaml_document_get_node(d, q->value), p->key, k, &x[i]) < 0)
			return -1;
	}
	from = x[0], to = x[1], times = x[2], step = x[3];
	if ((seen & 3) != 3 || from > to || (!times == !step) || times == 1 || (times && !from))
		return bad(sw, n, p->key, "a range needs from <= to and one of times (>= 2, from >= 1) or step (>= 1)");
	for (uint64_t v = from; v <= to; v = times ? v * times : v + step) {
		char buf[32];

		if (p->n == MAX_VALUES)
			return bad(sw, n, p->key, "more than 256 values");
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
		p->val[p->n++] = xstrdup(buf);
		if ((times && v > to / times) || (step && v > to - step))
			break;
	}
	return 0;
}

static struct param *param_for(struct sweep *sw, const char *key)
{
	for (unsigned i = 0; i < sw->np; i++)
		if (!strcmp(sw->p[i].key, key))
			return &sw->p[i];
	if (sw->np == MAX_PARAMS)
		return NULL;
	sw->p[sw->np].key = xstrdup(key);
	sw->p[sw->np].n = 0;
	return &sw->p[sw->np++];
}

static int read_params(struct sweep *sw, yaml_document_t *d, int node)
{
	yaml_node_t *n = yaml_document_get_node(d, node);

	if (n->type != YAML_MAPPING_NODE || n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		return bad(sw, n, "params", "expected a mapping of KEY: [values] or KEY: {from, to, times|step}");
	sw->pline = (unsigned long)n->start_mark.line + 1;
	sw->pcol = (unsigned long)n->start_mark.column + 1;
	for (unsigned i = 0; i < sw->np; i++)
		sw->p[i].given = false;
	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < n->data.mapping.pairs.top; q++) {
		const char *k = text(d, q->key);
		yaml_node_t *v = yaml_document_get_node(d, q->value);
		struct param *p;

		if (!k)
			return bad(sw, n, "params", "keys are setting paths like platform.tce_cache.entries");
		if (!(p = param_for(sw, k)))
			return bad(sw, v, k, "at most 8 swept settings");
		if (p->given)
			return bad(sw, yaml_document_get_node(d, q->key), k, "given twice");
		p->given = true;
		for (unsigned i = 0; i < p->n; i++)
			free(p->val[i]);
		p->n = 0;
		if (v->type == YAML_MAPPING_NODE) {
			if (read_range(sw, d, v, p) < 0)
				return -1;
			continue;
		}
		if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top == v->data.sequence.items.start)
			return bad(sw, v, k, "expected a list of values or a range");
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			const char *s = text(d, *it);

			if (!s || p->n == MAX_VALUES)
				return bad(sw, yaml_document_get_node(d, *it), k,
					   "expected plain values (at most 256)");
			p->val[p->n++] = xstrdup(s);
		}
	}
	return 0;
}

static int read_name(struct sweep *sw, yaml_node_t *vn, const char *v)
{
	if (!v || !*v || strlen(v) >= sizeof(sw->name) || strspn(v,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(v))
		return bad(sw, vn, "name", "expected letters, digits, '.', '_' or '-'");
	if (!strcmp(v, ".") || !strcmp(v, ".."))	/* RESULTS/.. would be outside the folder */
		return bad(sw, vn, "name", "expected a file name, not '.' or '..'");
	strcpy(sw->name, v);
	return 0;
}

/* config: v resolved against the sweep file's directory unless absolute. */
static int read_config(struct sweep *sw, yaml_node_t *vn, const char *v)
{
	const char *slash = strrchr(sw->file, '/');
	size_t dl = slash && v && *v != '/' ? (size_t)(slash - sw->file) + 1 : 0;

	if (!v)
		return bad(sw, vn, "config", "expected a file name");
	sw->config = xmalloc(dl + strlen(v) + 1);
	memcpy(sw->config, sw->file, dl);
	strcpy(sw->config + dl, v);
	return 0;
}

/* One key of the top mapping; `full` is only noted in *full_node, read after the others. */
static int read_top_key(struct sweep *sw, yaml_document_t *d, yaml_node_pair_t *q, int *full_node)
{
	const char *k = text(d, q->key), *v = text(d, q->value);
	yaml_node_t *vn = yaml_document_get_node(d, q->value);
	unsigned i = 0;

	while (k && i < 5 && strcmp(k, top_keys[i]))
		i++;
	if (k && i < 5 && (sw->seen & 1u << i))
		return bad(sw, yaml_document_get_node(d, q->key), k, "given twice");
	if (k && i < 5)
		sw->seen |= 1u << i;
	if (k && !strcmp(k, "name"))
		return read_name(sw, vn, v);
	if (k && !strcmp(k, "config"))
		return read_config(sw, vn, v);
	if (k && !strcmp(k, "set"))
		return read_sets(sw, d, q->value);
	if (k && !strcmp(k, "params"))
		return read_params(sw, d, q->value);
	if (k && !strcmp(k, "full")) {
		*full_node = q->value;
		return 0;
	}
	return bad(sw, yaml_document_get_node(d, q->key), k ? k : "?",
		   "unknown key, expected name, config, set, params or full");
}

/* full: its set replaces `set`, its params replace or add to `params`. */
static int read_full(struct sweep *sw, yaml_document_t *d, int full_node)
{
	yaml_node_t *fn = yaml_document_get_node(d, full_node);

	if (fn->type != YAML_MAPPING_NODE)
		return bad(sw, fn, "full", "expected a mapping with set and/or params");
	unsigned seen = 0;

	for (yaml_node_pair_t *q = fn->data.mapping.pairs.start; q < fn->data.mapping.pairs.top; q++) {
		const char *k = text(d, q->key);
		unsigned bit = k && !strcmp(k, "set") ? 1 : k && !strcmp(k, "params") ? 2 : 0;
		int rc;

		if (bit & seen)
			return bad(sw, yaml_document_get_node(d, q->key), bit == 1 ? "full.set" : "full.params",
				   "given twice");
		seen |= bit;
		rc = bit == 1 ? read_sets(sw, d, q->value) : bit == 2 ? read_params(sw, d, q->value) :
		     bad(sw, fn, "full", "expected set and/or params");
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int read_top(struct sweep *sw, yaml_document_t *d, bool full)
{
	yaml_node_t *root = yaml_document_get_root_node(d);
	int full_node = 0;

	if (!root || root->type != YAML_MAPPING_NODE)
		return bad(sw, root, "sweep", "expected a mapping with name, config and params");
	for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++)
		if (read_top_key(sw, d, q, &full_node) < 0)
			return -1;
	if (!sw->name[0] || !sw->config || !sw->np)
		return bad(sw, root, !sw->name[0] ? "name" : !sw->config ? "config" : "params",
			   "missing");
	if (full && full_node)
		return read_full(sw, d, full_node);
	return 0;
}

/* Every key and value is text without a NUL byte: a value goes to --set through argv, where it would be cut. */
static int check_nul(struct sweep *sw, yaml_document_t *d)
{
	for (yaml_node_t *n = d->nodes.start; n < d->nodes.top; n++) {
		char shown[96], msg[160];

		if (n->type != YAML_SCALAR_NODE || strlen((const char *)n->data.scalar.value) == n->data.scalar.length)
			continue;
		num_show(shown, sizeof(shown), (const char *)n->data.scalar.value, n->data.scalar.length);
		snprintf(msg, sizeof(msg), "expected keys and values without NUL bytes, got '%s'", shown);
		return bad(sw, n, "sweep", msg);
	}
	return 0;
}

/* The checks config_load() makes first (config_yaml_check), and the size. 0, or -1 after reporting. */
static int precheck(FILE *fp, const char *file)
{
	struct stat st;

	if (fstat(fileno(fp), &st) == 0 && st.st_size > MAX_BYTES)
		return ddw_error_at(file, "sweep: expected at most %ld bytes, got %lld", MAX_BYTES,
				    (long long)st.st_size);
	return config_yaml_check(fp, file, "a sweep file");
}

static int sweep_load(struct sweep *sw, const char *file, bool full)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct infile in;
	FILE *fp;
	int rc;

	memset(sw, 0, sizeof(*sw));
	sw->file = file;
	if (infile_open(&in, file, INFILE_REGULAR, NULL) < 0)	/* a directory, a FIFO: by name */
		return in.err ? ddw_error_at(file, "cannot open: %s", strerror(in.err)) :
				ddw_error("%s", in.why);
	fp = in.fp;
	if (precheck(fp, file) < 0) {
		fclose(fp);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		char where[4200];

		snprintf(where, sizeof(where), "%s:%lu:%lu", file,
			 (unsigned long)parser.problem_mark.line + 1,
			 (unsigned long)parser.problem_mark.column + 1);
		ddw_error_at(where, "yaml: %s", parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		fclose(fp);
		return -1;
	}
	rc = check_nul(sw, &doc);
	if (rc == 0)
		rc = read_top(sw, &doc, full);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

/*
 * sw->points = the product of the value counts, checked: a product past
 * ULONG_MAX (256^8 = 2^64) is an error, not 0 points, and so is one above
 * max (a grid of 10^9 points is a typo more often than a plan).
 */
static int count_points(struct sweep *sw, uint64_t max)
{
	char where[4200];
	uint64_t n = 1;
	bool over = false;

	for (unsigned i = 0; i < sw->np && !over; i++)
		over = ck_mul(n, sw->p[i].n, &n);
	snprintf(where, sizeof(where), "%s:%lu:%lu", sw->file, sw->pline, sw->pcol);
	if (over)
		return ddw_error_at(where, "params: expected a grid of at most %" PRIu64 " points, got more than %" PRIu64,
				    max, UINT64_MAX);
	if (n > max)
		return ddw_error_at(where, "params: expected a grid of at most %" PRIu64 " points, got %" PRIu64 " (--max-points N allows more)",
				    max, n);
	sw->points = n;
	return 0;
}

static void sweep_release(struct sweep *sw)
{
	free(sw->config);
	for (unsigned i = 0; i < sw->nset; i++)
		free(sw->set[i]);
	for (unsigned i = 0; i < sw->np; i++) {
		free(sw->p[i].key);
		for (unsigned j = 0; j < sw->p[i].n; j++)
			free(sw->p[i].val[j]);
	}
}

/* --- points --- */

/* Value of parameter k at point i (first parameter outermost). */
static const char *value_at(const struct sweep *sw, unsigned long i, unsigned k)
{
	for (unsigned j = sw->np; j-- > k + 1;)
		i /= sw->p[j].n;
	return sw->p[k].val[i % sw->p[k].n];
}

/* argv of point i (NULL-terminated, strings owned by *store), its result file and (hash) key. */
static char **point_argv(const struct sweep *sw, const struct sweep_opts *o, unsigned long i,
			 char *out, size_t outn, char ***store, uint64_t *hash)
{
	size_t n = 0, max = 12 + 2 * sw->nset;
	char **argv, **own;
	uint64_t h;
	unsigned no = 0;

	for (unsigned k = 0; k < sw->np; k++)
		for (const char *c = sw->p[k].key; *c; c++)
			max += 2 * (*c == ',');
	max += 2 * sw->np;
	argv = xcalloc(max, sizeof(char *));
	own = xcalloc(max, sizeof(char *));
	argv[n++] = (char *)o->bin;
	argv[n++] = "-q";
	argv[n++] = "--config";
	argv[n++] = sw->config;
	for (unsigned k = 0; k < sw->nset; k++) {
		argv[n++] = "--set";
		argv[n++] = sw->set[k];
	}
	for (unsigned k = 0; k < sw->np; k++) {
		const char *key = sw->p[k].key;

		while (*key) {	/* "a,b: v" sets a=v and b=v */
			size_t kl = strcspn(key, ","), len = kl + strlen(value_at(sw, i, k)) + 2;

			own[no] = xmalloc(len);
			snprintf(own[no], len, "%.*s=%s", (int)kl, key, value_at(sw, i, k));
			argv[n++] = "--set";
			argv[n++] = own[no++];
			key += kl + (key[kl] == ',');
		}
	}
	argv[n++] = "--format";
	argv[n++] = "csv";
	argv[n] = NULL;
	h = sweep_point_key(sw->keys, argv);
	if (hash)
		*hash = h;
	snprintf(out, outn, "%s/.points/%s/%05lu-%016" PRIx64 ".csv", o->results, sw->name, i, h);
	argv[n++] = "-o";
	argv[n++] = out;
	*store = own;
	return argv;
}

/* --- a point's key (sweep.h: sweep_point_key) --- */

/*
 * The build id: a hash of the sources, Makefile and headers the binary was
 * built from (the Makefile's BUILD_ID), the same for the same sources
 * whatever the build (release, sanitizers). Built without the Makefile it
 * is "unknown", and rebuilding no longer renames the points.
 */
#ifndef DDWSIM_BUILD_ID
#define DDWSIM_BUILD_ID "unknown"
#endif

const char *sweep_build(void)
{
	return "ddwsim " DDWSIM_VERSION " (build " DDWSIM_BUILD_ID ")";
}

#define MAX_POINT_SETS	128	/* --sets of a point its config is loaded with */

/*
 * config_load() of the --config and --sets in argv, with stderr silenced:
 * the messages are the point's own to give when it runs. 0 or -1; the
 * caller releases *cfg either way.
 */
static int load_point(char *const *argv, struct config *cfg)
{
	const char *config = "";
	char *sets[MAX_POINT_SETS];
	unsigned n = 0;
	int err = dup(STDERR_FILENO), nul = open("/dev/null", O_WRONLY), rc;

	for (unsigned k = 1; argv[k] && argv[k + 1]; k++) {
		if (!strcmp(argv[k], "--config"))
			config = argv[++k];
		else if (!strcmp(argv[k], "--set") && n < MAX_POINT_SETS)
			sets[n++] = argv[++k];
	}
	fflush(stderr);
	if (nul >= 0)
		dup2(nul, STDERR_FILENO);
	rc = config_load(cfg, config, sets, n);
	fflush(stderr);
	if (err >= 0)
		dup2(err, STDERR_FILENO), close(err);
	if (nul >= 0)
		close(nul);
	return rc;
}

/*
 * Steps 2 to 4 of the key (sweep.h), from h, the command's hash; and from
 * the same load, the point's expected ops for the progress line (*weight):
 * sim_expected_ios() (run.ios x devices) or a trace's bytes, times its
 * modes; 0 when its config fails.
 */
static uint64_t inputs_key(uint64_t h, char *const *argv, double *weight)
{
	const char *build = sweep_build();
	struct config cfg;
	struct stat st;
	int rc;

	h = fnv1a(h, build, strlen(build) + 1);
	rc = load_point(argv, &cfg);	/* a config that fails fails its point too */
	h = fnv1a_u64(h, cfg.files_hash);
	*weight = rc == 0 ? (double)sim_expected_ios(&cfg) : 0;
	if (cfg.workload.trace[0] && stat(cfg.workload.trace, &st) == 0) {
		h = fnv1a_u64(h, (uint64_t)st.st_size);
		h = fnv1a_u64(h, (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec);
		h = fnv1a_u64(h, (uint64_t)st.st_dev);
		h = fnv1a_u64(h, (uint64_t)st.st_ino);
		*weight = rc == 0 ? (double)st.st_size : 0;
	}
	*weight *= rc == 0 ? cfg.nmodes : 0;
	config_release(&cfg);
	return h;
}

struct sweep_keys {
	struct u64map memo;	/* FNV-1a 64 of argv[1..] -> the point's key */
	struct u64map weight;	/* the point's key -> its weight's bits (inputs_key) */
};

struct sweep_keys *sweep_keys_new(void)
{
	return xcalloc(1, sizeof(struct sweep_keys));	/* zeroes: an empty map */
}

uint64_t sweep_point_key(struct sweep_keys *k, char *const *argv)
{
	uint64_t cmd = FNV1A_BASIS, key;

	for (size_t i = 1; argv[i]; i++)	/* the command, not the binary's path */
		cmd = fnv1a(cmd, argv[i], strlen(argv[i]) + 1);
	double w;
	uint64_t bits;

	if (u64map_get(&k->memo, cmd, &key))
		return key;
	key = inputs_key(cmd, argv, &w);
	u64map_put(&k->memo, cmd, key);
	memcpy(&bits, &w, sizeof(bits));
	u64map_put(&k->weight, key, bits);
	return key;
}

/* The weight inputs_key found for the point of key (sweep_point_key made it). */
static double key_weight(const struct sweep_keys *k, uint64_t key)
{
	uint64_t bits = 0;
	double w;

	u64map_get(&k->weight, key, &bits);
	memcpy(&w, &bits, sizeof(w));
	return w;
}

void sweep_keys_free(struct sweep_keys *k)
{
	if (!k)
		return;
	u64map_release(&k->memo);
	u64map_release(&k->weight);
	free(k);
}

void sweep_argv_free(char **argv, char **own)
{
	for (size_t i = 0; own[i]; i++)
		free(own[i]);
	free(own);
	free(argv);
}

static void print_quoted(FILE *fp, char **argv)
{
	for (size_t i = 0; argv[i]; i++) {
		fputs(i ? " '" : "'", fp);
		for (const char *c = argv[i]; *c; c++)
			if (*c == '\'')
				fputs("'\\''", fp);
			else
				fputc(*c, fp);
		fputc('\'', fp);
	}
	fputc('\n', fp);
}

/*
 * head, then argv quoted, on stderr in one write: the points still running
 * write there too, and a line written piecemeal could be cut by theirs.
 */
static void say_point(const char *head, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m) {
		fputs(head, stderr);
		print_quoted(stderr, argv);
		return;
	}
	fputs(head, m);
	print_quoted(m, argv);
	fclose(m);
	fwrite(buf, 1, len, stderr);
	free(buf);
}

int sweep_mkdirs(const char *path)
{
	char buf[4200];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return ddw_error("cannot create '%s': %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return ddw_error("cannot create '%s': %s", buf, strerror(errno));
	return 0;
}

/* --print: the folder the commands write to, then the commands on stdout. 0 or 1. */
static int print_points(const struct sweep *sw, const struct sweep_opts *o, const char *dir)
{
	struct outfile of;

	if (sweep_mkdirs(dir) < 0 || outfile_open(&of, "-") < 0)
		return 1;
	for (unsigned long i = 0; i < sw->points; i++) {
		char out[4200], **own, **argv = point_argv(sw, o, i, out, sizeof(out), &own, NULL);

		print_quoted(of.fp, argv);
		sweep_argv_free(argv, own);
	}
	return outfile_commit(&of) < 0 ? 1 : 0;
}

/* --- running (sweep_batch_run: also `ddwsim advise`'s runner) --- */

struct running {
	pid_t pid;
	unsigned long point;
	int fd;				/* its progress pipe's read end, or -1 */
	double frac;			/* its whole run done, 0..1 (progress.h) */
};

/*
 * The progress line counts work, not points: each point weighs its expected
 * ops (weight_of), finished points count whole, running ones by the fraction
 * their child reports through its pipe. The time left is the time so far
 * scaled by the work left over the work done.
 */
#define WEIGH_MAX	4096	/* points weighed by their configs; more: all alike */

struct batch_progress {
	bool on;			/* a terminal, not -q */
	time_t start;
	double *w;			/* each point's weight, or NULL: all 1 */
	double total, done;		/* weights: all points, the points finished */
	unsigned long points_done;
};

static double weight(const struct batch_progress *bp, unsigned long i)
{
	return bp->w ? bp->w[i] : 1;
}

/* Weighs the points (the progress line's work), once, before any runs. */
static void weigh(const struct sweep_batch *b, struct batch_progress *bp)
{
	if (b->weight_of && b->n <= WEIGH_MAX) {
		bp->w = xcalloc(b->n, sizeof(*bp->w));
		for (unsigned long i = 0; i < b->n; i++) {
			bp->w[i] = b->weight_of(b->arg, i);
			if (!(bp->w[i] > 0))
				bp->w[i] = 1;
		}
	}
	for (unsigned long i = 0; i < b->n; i++)
		bp->total += weight(bp, i);
}

static void progress(const struct sweep_batch *b, const struct batch_progress *bp,
		     const struct running *run, unsigned nrun)
{
	double el = difftime(time(NULL), bp->start), done = bp->done;

	if (!bp->on)
		return;
	for (unsigned i = 0; i < nrun; i++)
		done += run[i].frac * weight(bp, run[i].point);
	fprintf(stderr, "\rddwsim: %s: %lu/%lu points, %.0f%%", b->what, bp->points_done, b->n,
		100 * done / bp->total);
	if (el >= 1 && done > 0 && bp->points_done < b->n)
		fprintf(stderr, ", about %.0f s left", el * (bp->total - done) / done);
	fprintf(stderr, "\033[K");
	if (bp->points_done == b->n)
		fputc('\n', stderr);
	ddw_status_line(bp->points_done < b->n);
}

/* Reads what the running points wrote to their pipes, waiting at most ms. */
static void read_pipes(struct running *run, unsigned nrun, int ms)
{
	struct pollfd fds[64];
	unsigned n = nrun < 64 ? nrun : 64;
	char buf[512];

	for (unsigned i = 0; i < n; i++)
		fds[i] = (struct pollfd){ .fd = run[i].fd, .events = POLLIN };
	if (poll(fds, n, ms) <= 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		ssize_t got;
		double f;

		if (run[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
			continue;
		got = read(run[i].fd, buf, sizeof(buf));
		if (got > 0 && (f = progress_parse(buf, (size_t)got)) >= 0)
			run[i].frac = f;
		if (got == 0) {		/* its end: waitpid has it next */
			close(run[i].fd);
			run[i].fd = -1;
		}
	}
}

/* The next point to end (its pid), showing progress while the others run. */
static pid_t wait_next(const struct sweep_batch *b, const struct batch_progress *bp,
		       struct running *run, unsigned nrun, int *status)
{
	pid_t pid;

	if (!bp->on)
		return wait(status);
	while ((pid = waitpid(-1, status, WNOHANG)) == 0) {
		read_pipes(run, nrun, 250);
		progress(b, bp, run, nrun);
	}
	return pid;
}

static int wait_one(const struct sweep_batch *b, struct batch_progress *bp, struct running *run,
		    unsigned *nrun)
{
	int status, failed = 0;
	pid_t pid = wait_next(b, bp, run, *nrun, &status);

	for (unsigned i = 0; i < *nrun; i++) {
		if (run[i].pid != pid)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			char out[4200], head[300], **own, **argv = b->argv_of(b->arg, run[i].point, out, sizeof(out), &own);

			snprintf(head, sizeof(head), "%sddwsim: %s: point %lu failed (%s %d): ",
				 bp->on ? "\r\033[K" : "", b->what, run[i].point,
				 WIFEXITED(status) ? "exit" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			say_point(head, argv);
			sweep_argv_free(argv, own);
			failed = 1;
		}
		if (run[i].fd >= 0)
			close(run[i].fd);
		bp->done += weight(bp, run[i].point);
		bp->points_done++;
		run[i] = run[--*nrun];
		break;
	}
	progress(b, bp, run, *nrun);
	return failed;
}

/*
 * Starts argv as a point: with the progress line on, its progress pipe's
 * write end goes to the child as PROGRESS_FD_ENV. The pid, or -1.
 */
static pid_t start_point(const struct sweep_batch *b, const struct batch_progress *bp,
			 char **argv, int *rfd)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	*rfd = -1;
	if (bp->on && pipe(pfd) < 0)
		pfd[0] = pfd[1] = -1;	/* no pipe: that point counts when it ends */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char fd[16];

		if (pfd[1] >= 0) {
			close(pfd[0]);
			snprintf(fd, sizeof(fd), "%d", pfd[1]);
			setenv(PROGRESS_FD_ENV, fd, 1);
		}
		execv(argv[0], argv);
		fprintf(stderr, "ddwsim: %s: cannot run '%s': %s\n", b->what, argv[0], strerror(errno));
		_exit(127);
	}
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (pid < 0 && pfd[0] >= 0)
		close(pfd[0]);
	else if (pfd[0] >= 0)
		*rfd = pfd[0];
	return pid;
}

int sweep_batch_run(const struct sweep_batch *b)
{
	unsigned jobs = b->jobs ? b->jobs : 1;
	struct running *run = xcalloc(jobs, sizeof(*run));
	struct batch_progress bp = { .on = !b->quiet && isatty(STDERR_FILENO), .start = time(NULL) };
	unsigned nrun = 0;
	int failed = 0;

	if (bp.on)
		weigh(b, &bp);
	for (unsigned long i = 0; i < b->n; i++) {
		char out[4200], **own, **argv = b->argv_of(b->arg, i, out, sizeof(out), &own);
		pid_t pid;
		int fd;

		if (access(out, F_OK) == 0) {	/* done in an earlier run */
			bp.done += weight(&bp, i);
			bp.points_done++;
			progress(b, &bp, run, nrun);
			sweep_argv_free(argv, own);
			continue;
		}
		while (nrun == jobs)
			failed |= wait_one(b, &bp, run, &nrun);
		pid = start_point(b, &bp, argv, &fd);
		sweep_argv_free(argv, own);
		if (pid < 0) {
			failed = ddw_error("%s: cannot start a point: %s", b->what, strerror(errno)) ? 1 : 1;
			break;
		}
		run[nrun++] = (struct running){ .pid = pid, .point = i, .fd = fd };
	}
	while (nrun)
		failed |= wait_one(b, &bp, run, &nrun);
	free(bp.w);
	free(run);
	return failed;
}

struct point_ctx {
	const struct sweep *sw;
	const struct sweep_opts *o;
};

static char **point_argv_cb(void *arg, unsigned long i, char *out, size_t outn, char ***own)
{
	const struct point_ctx *c = arg;

	return point_argv(c->sw, c->o, i, out, outn, own, NULL);
}

/*
 * Point i's expected ops, for the progress line: what the load that made
 * its key found (inputs_key), not a second load of its config.
 */
static double point_weight(void *arg, unsigned long i)
{
	const struct point_ctx *c = arg;
	char out[4200], **own, **argv;
	uint64_t key;

	argv = point_argv(c->sw, c->o, i, out, sizeof(out), &own, &key);
	sweep_argv_free(argv, own);
	return key_weight(c->sw->keys, key);
}

static int run_points(const struct sweep *sw, const struct sweep_opts *o)
{
	struct point_ctx c = { sw, o };
	struct sweep_batch b = { .n = sw->points, .argv_of = point_argv_cb, .arg = &c,
				 .jobs = o->jobs, .quiet = o->quiet, .what = "sweep",
				 .weight_of = point_weight };

	return sweep_batch_run(&b);
}

/* --- collecting --- */

/* The leading fields of a row: the swept keys ("a,b" -> "a+b") for the header, else point i's values. */
static void lead(FILE *fp, const struct sweep *sw, unsigned long i, bool header)
{
	for (unsigned k = 0; k < sw->np; k++) {
		char *key = header ? xstrdup(sw->p[k].key) : NULL;

		for (char *c = key; c && *c; c++)
			*c = *c == ',' ? '+' : *c;
		report_csv_field(fp, header ? key : value_at(sw, i, k));
		fputc(',', fp);
		free(key);
	}
}

/*
 * Appends point i's rows (its report's header too, if *header is false) to
 * fp. Returns 1, 0 when the point has no file, or -1 after reporting.
 */
static int collect_point(const struct sweep *sw, const struct sweep_opts *o, unsigned long i,
			 FILE *fp, bool *header)
{
	char out[4200], line[1 << 12], **own, **argv = point_argv(sw, o, i, out, sizeof(out), &own, NULL);
	bool first = true, bol = true;
	struct infile in;

	if (infile_open(&in, out, INFILE_REGULAR, NULL) < 0) {
		if (in.err == ENOENT && o->collect) {	/* missing: never run, or failed */
			fprintf(stderr, "ddwsim: sweep: point %lu has no result: ", i);
			print_quoted(stderr, argv);
		}
		sweep_argv_free(argv, own);
		return in.err == ENOENT ? 0 : ddw_error("sweep: %s", in.why);
	}
	sweep_argv_free(argv, own);
	while (fgets(line, sizeof(line), in.fp)) {
		bool skip = first && *header;

		if (bol && !skip)
			lead(fp, sw, i, first);
		if (!skip)
			fputs(line, fp);
		bol = strchr(line, '\n') != NULL;	/* a line longer than the buffer goes on */
		if (bol && first)
			*header = true, first = false;
	}
	fclose(in.fp);
	return 1;
}

/*
 * RESULTS/NAME.csv from every point that has a file. *missing = the points
 * without one (with --collect each is named with its command). No point at
 * all writes no CSV: an empty one would look like a result. 0, or -1 after
 * reporting.
 */
static int collect(const struct sweep *sw, const struct sweep_opts *o, unsigned long *missing)
{
	char path[4200];
	struct outfile of;
	bool header = false;
	int failed = 0;

	*missing = 0;
	snprintf(path, sizeof(path), "%s/%s.csv", o->results, sw->name);
	if (outfile_open(&of, path) < 0)
		return -1;
	for (unsigned long i = 0; i < sw->points; i++) {
		int rc = collect_point(sw, o, i, of.fp, &header);

		failed |= rc < 0;
		*missing += rc == 0;
	}
	if (!header) {
		outfile_abort(&of);
		return ddw_error("sweep: no point of '%s' has a result, so '%s' was not written", sw->name, path);
	}
	if (outfile_commit(&of) < 0)
		return -1;
	if (!o->quiet)
		fprintf(stderr, "ddwsim: sweep: wrote %s\n", path);
	return failed ? -1 : 0;
}

/* --results: a folder name that fits the paths made from it. 0, or -1 after reporting. */
static int check_results(const char *results)
{
	if (!results || !*results)
		return ddw_error("sweep: --results: expected a folder name, got ''");
	if (strlen(results) > 3800)
		return ddw_error("sweep: --results: expected a folder name of at most 3800 bytes");
	return 0;
}

/* Collects; with --collect a missing point fails the sweep unless --partial. 0 or 1. */
static int finish(const struct sweep *sw, const struct sweep_opts *o, int rc)
{
	unsigned long missing;

	if (collect(sw, o, &missing) < 0)
		return 1;
	if (missing && o->collect && !o->partial) {
		ddw_error("sweep: %lu of %lu points have no result, so %s/%s.csv lacks them (run the sweep again, or accept it with --partial)",
			  missing, sw->points, o->results, sw->name);
		return 1;
	}
	return rc;
}

int sweep_run(const struct sweep_opts *o)
{
	struct sweep_keys *keys = sweep_keys_new();
	struct sweep sw;
	char dir[4200];
	int rc = 2;

	if (check_results(o->results) < 0) {
		sweep_keys_free(keys);
		return 2;
	}
	if (sweep_load(&sw, o->file, o->full) < 0 ||
	    count_points(&sw, o->max_points ? o->max_points : SWEEP_MAX_POINTS) < 0)
		goto out;
	sw.keys = keys;
	snprintf(dir, sizeof(dir), "%s/.points/%s", o->results, sw.name);
	if (o->print) {
		rc = print_points(&sw, o, dir);
		goto out;
	}
	rc = 1;
	if (sweep_mkdirs(dir) < 0)
		goto out;
	rc = finish(&sw, o, o->collect ? 0 : run_points(&sw, o));
out:
	sweep_release(&sw);
	sweep_keys_free(keys);
	return rc;
}
