/*
 * advise.c - `ddwsim advise --config FILE`: which DMA window should this
 * workload use on this platform, and what does each choice cost?
 *
 * Steps of advise_run():
 *   1. load the config (its platform, host and workload; its modes are not
 *      run: every window worth trying is a candidate, the config's own choices
 *      included, so they need no separate baseline);
 *   2. enumerate the candidates (below) from the platform's rules;
 *   3. run each as one mode of its own: `ddwsim -q --config FILE [--set ...]
 *      --set modes[N].name=advise-X --set modes[N].mapping=... --mode advise-X
 *      --format csv -o RESULTS/.points/advise/HASH.csv`, N being one past the
 *      config's modes (config_set.c appends it), through the sweep's batch
 *      runner (sweep_batch_run): -j at once, a point whose file exists is not
 *      run again (HASH is the sweep's key of a point, sweep_point_key: the
 *      command, the build, the config files' bytes, the trace's identity);
 *   4. read each CSV row; rank (advise_cmp) and mark the Pareto front;
 *   5. robustness: re-run the leading 3 with each assumed key of the schema
 *      that has a published range (cfg_key.range_min/max, numbers.md §5) at
 *      both ends, rank the leaders again, and say whether the winner holds;
 *   6. write the table (text, JSON, CSV) and, with -o FIG.png|svg, draw CPU per
 *      I/O against throughput with the front marked (plot_draw, gnuplot).
 *
 * Candidates (each creatable as window_create would create it):
 *   default-window  dynamic mapping in the platform's default window: always;
 *   bypass          PowerNV only, when bypass_base + RAM fits the DMA mask
 *                   (pnv_pci_ioda_dma_64bit_bypass);
 *   auto            pseries only: what Linux's enable_ddw would choose;
 *   direct-P        for each TCE size P: a DDW of 2^order_base_2(RAM) bytes
 *                   mapping all RAM (enable_ddw's direct window);
 *   dynamic-P-S     for each P and S in {1G, 4G, 64G, the RAM-sized window}
 *                   up to the RAM-sized one: a DDW mapped per I/O.
 * A DDW needs max_windows >= 2, S >= P, ddw_start + S within host.dma_mask,
 * on pseries S/P TCEs within the offer's largest block (ibm,query-pe-dma-window,
 * when the config gives one), and a table tce_geom_compute accepts: levels
 * 1..max_levels, the PowerNV 55-bit limit (pnv_pci_ioda2_table_alloc_pages).
 * The fewest levels that work are taken: more levels only add walk reads.
 * A candidate whose run fails or whose maps do not all fit ("map failures")
 * is listed but not usable: it is never best and never on the front.
 *
 * Several devices (`devices:`): a candidate is every device's window, each
 * device its own PE with its own window and table. The rules above read only
 * what every device shares (the platform, host.ram, host.dma_mask: an item
 * has its workload and its link, no mask of its own), so a window they allow
 * is valid for every device. What N devices add is N tables: host.memlock
 * (one count for the process) and run.max_memory refuse a run whose tables
 * do not fit, and that candidate is shown as failed. A run's figures are its
 * totals over the devices (report.c): CPU per I/O over all their I/Os,
 * throughput summed, p99 over all their DMAs, set-up time and table memory
 * (window.table_bytes) summed; the report says so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ddwsim/advise.h"
#include "ddwsim/config_schema.h"
#include "ddwsim/csv.h"
#include "ddwsim/dma_api.h"
#include "ddwsim/enable_ddw.h"
#include "ddwsim/err.h"
#include "ddwsim/outfile.h"
#include "ddwsim/plot.h"
#include "ddwsim/sweep.h"
#include "ddwsim/tce_table.h"
#include "ddwsim/xalloc.h"

#define LEADERS		3	/* candidates re-run over the assumed ranges */
#define MAX_RANGES	32	/* assumed keys with a range */
#define GIB		(1ull << 30)

static const char *const objective_names[] = { "cpu", "throughput", "p99", "memory" };

int advise_objective_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, objective_names[i]))
			return i;
	return -1;
}

const char *advise_objective_name(enum advise_objective o)
{
	return objective_names[o];
}

/* --- candidates --- */

static void size_name(char *buf, size_t n, uint64_t bytes)
{
	static const char suf[] = "KMGTPE";
	unsigned i = 0;

	while (bytes >= 1024 && !(bytes & 1023) && i < 6)
		bytes >>= 10, i++;
	if (i)
		snprintf(buf, n, "%" PRIu64 "%c", bytes, suf[i - 1]);
	else
		snprintf(buf, n, "%" PRIu64, bytes);
}

/* The fewest levels (1..max_levels) whose table the kernel would make, or 0. */
static unsigned fewest_levels(const struct config *cfg, unsigned shift, uint64_t size)
{
	const struct platform_cfg *p = &cfg->platform;
	struct tce_table_req r = {
		.kind = p->kind == PLAT_POWERNV ? TCE_TABLE_PNV : TCE_TABLE_HV,
		.page_shift = shift, .window_size = size, .host_page_shift = cfg->host.page_shift,
		.max_bits = p->kind == PLAT_POWERNV ? p->max_table_bits : 0,
	};
	struct tce_geom g;

	for (unsigned l = 1; l <= p->max_levels && l <= TCE_MAX_LEVELS; l++) {
		r.levels = l;
		if (tce_geom_compute(&g, &r) == 0)
			return l;
	}
	return 0;
}

/* [start, start + size) within the device's DMA mask. */
static bool fits_mask(const struct config *cfg, uint64_t start, uint64_t size)
{
	uint64_t mask = cfg->host.dma_mask;

	return size && start <= mask && size - 1 <= mask - start;
}

/* The levels of a DDW of 2^shift TCEs and size bytes the platform allows, or 0. */
static unsigned ddw_levels(const struct config *cfg, unsigned shift, uint64_t size)
{
	const struct platform_cfg *p = &cfg->platform;

	if (p->max_windows < 2 || size < (1ull << shift) || !fits_mask(cfg, p->ddw_start, size))
		return 0;
	if (p->kind == PLAT_PSERIES && p->ddw.largest_block && (size >> shift) > p->ddw.largest_block)
		return 0;
	return fewest_levels(cfg, shift, size);
}

static bool add(struct advise_cand *c, unsigned *n, unsigned max, const struct advise_cand *x)
{
	if (*n == max)
		return false;
	c[(*n)++] = *x;
	return true;
}

static void add_ddw(const struct config *cfg, struct advise_cand *c, unsigned *n, unsigned max,
		    int mapping, unsigned shift, uint64_t size)
{
	struct advise_cand x = { .mapping = mapping, .page_shift = shift, .size = size };
	char ps[24], ws[24];

	x.levels = ddw_levels(cfg, shift, size);
	if (!x.levels)
		return;
	size_name(ps, sizeof(ps), 1ull << shift);
	size_name(ws, sizeof(ws), size);
	if (mapping == MAP_DIRECT)
		snprintf(x.name, sizeof(x.name), "direct-%s", ps);
	else
		snprintf(x.name, sizeof(x.name), "dynamic-%s-%s", ps, ws);
	if (x.levels > 1)
		snprintf(x.name + strlen(x.name), sizeof(x.name) - strlen(x.name), "-L%u", x.levels);
	add(c, n, max, &x);
}

unsigned advise_candidates(const struct config *cfg, struct advise_cand *c, unsigned max)
{
	static const uint64_t dyn_sizes[] = { 1 * GIB, 4 * GIB, 64 * GIB };
	const struct platform_cfg *p = &cfg->platform;
	uint64_t ram = 1ull << ddw_order_base_2(cfg->host.ram);
	unsigned n = 0;

	add(c, &n, max, &(struct advise_cand){ .name = "default-window", .mapping = MAP_DYNAMIC,
					       .default_window = true });
	if (p->kind == PLAT_POWERNV && fits_mask(cfg, p->bypass_base, cfg->host.ram))
		add(c, &n, max, &(struct advise_cand){ .name = "bypass", .mapping = MAP_BYPASS });
	if (p->kind == PLAT_PSERIES)
		add(c, &n, max, &(struct advise_cand){ .name = "auto", .mapping = MAP_AUTO });
	for (unsigned s = 12; s < 64; s++)
		if (p->page_sizes >> s & 1)
			add_ddw(cfg, c, &n, max, MAP_DIRECT, s, ram);
	for (unsigned s = 12; s < 64; s++) {
		if (!(p->page_sizes >> s & 1))
			continue;
		for (unsigned i = 0; i < 3; i++)
			if (dyn_sizes[i] < ram)
				add_ddw(cfg, c, &n, max, MAP_DYNAMIC, s, dyn_sizes[i]);
		add_ddw(cfg, c, &n, max, MAP_DYNAMIC, s, ram);
	}
	return n;
}

/* --- ranking --- */

bool advise_usable(const struct advise_cand *c)
{
	return c->ran && !c->map_failures;
}

enum { F_CPU, F_GBPS, F_P99, F_SETUP, F_TABLE, F_COUNT };

/* Figure k of c, lower is better (throughput negated). */
static double figure(const struct advise_cand *c, unsigned k)
{
	switch (k) {
	case F_CPU:	return c->ns_per_io;
	case F_GBPS:	return -c->gbps;
	case F_P99:	return c->p99_ns;
	case F_SETUP:	return c->setup_ns;
	default:	return (double)c->table_bytes;
	}
}

/* The figures in the order they decide: the objective, then throughput, p99, set-up, table, CPU. */
static unsigned decide_order(enum advise_objective obj, unsigned *order)
{
	static const unsigned obj_fig[] = { F_CPU, F_GBPS, F_P99, F_TABLE };
	static const unsigned ties[] = { F_GBPS, F_P99, F_SETUP, F_TABLE, F_CPU };
	unsigned n = 0;

	order[n++] = obj_fig[obj];
	for (unsigned i = 0; i < 5; i++)
		if (ties[i] != obj_fig[obj])
			order[n++] = ties[i];
	return n;
}

int advise_cmp(const struct advise_cand *a, const struct advise_cand *b, enum advise_objective obj)
{
	unsigned order[F_COUNT], n = decide_order(obj, order);

	if (advise_usable(a) != advise_usable(b))
		return advise_usable(a) ? -1 : 1;
	if (advise_usable(a))
		for (unsigned i = 0; i < n; i++) {
			double x = figure(a, order[i]), y = figure(b, order[i]);

			if (x != y)
				return x < y ? -1 : 1;
		}
	return strcmp(a->name, b->name);
}

/* a dominates b: no worse in every figure, better in one. */
static bool dominates(const struct advise_cand *a, const struct advise_cand *b)
{
	bool better = false;

	for (unsigned k = 0; k < F_COUNT; k++) {
		if (figure(a, k) > figure(b, k))
			return false;
		better |= figure(a, k) < figure(b, k);
	}
	return better;
}

void advise_rank(struct advise_cand *c, unsigned n, enum advise_objective obj)
{
	for (unsigned i = 1; i < n; i++) {	/* insertion sort: stable, n <= ADVISE_MAX_CANDS */
		struct advise_cand x = c[i];
		unsigned j = i;

		for (; j > 0 && advise_cmp(&x, &c[j - 1], obj) < 0; j--)
			c[j] = c[j - 1];
		c[j] = x;
	}
	for (unsigned i = 0; i < n; i++) {
		c[i].pareto = advise_usable(&c[i]);
		for (unsigned j = 0; j < n && c[i].pareto; j++)
			if (j != i && advise_usable(&c[j]) && dominates(&c[j], &c[i]))
				c[i].pareto = false;
	}
}

/* --- running --- */

/* One run: candidate cand, with the override set ("KEY=VALUE") or none. */
struct job {
	unsigned cand;
	const char *set;
};

/* An assumed key with a published range, and what its ends did. */
struct range_check {
	char key[128];
	const struct cfg_key *k;
	char value[64];		/* the config's value */
	char winner[2][64];	/* at range_min, at range_max: the leaders' best */
};

struct advise {
	const struct advise_opts *o;
	struct config cfg;
	struct advise_cand c[ADVISE_MAX_CANDS];
	unsigned n;
	struct advise_cand lead[LEADERS];
	unsigned nlead;
	struct range_check r[MAX_RANGES];
	unsigned nr;
	char sets[MAX_RANGES][2][200];	/* the --set text of each range end */
	struct job *jobs;
	unsigned long njobs;
	char dir[4200];
	struct sweep_keys *keys;	/* the jobs' cache keys, each worked out once */
};

/* own[*no++] = a new string: --set modes[N].KEY=PREFIXVALUE. */
static void mode_set(char **argv, size_t *n, char **own, unsigned *no, unsigned nmodes,
		     const char *key, const char *prefix, const char *value)
{
	size_t len = strlen(key) + strlen(prefix) + strlen(value) + 32;

	own[*no] = xmalloc(len);
	snprintf(own[*no], len, "modes[%u].%s=%s%s", nmodes, key, prefix, value);
	argv[(*n)++] = "--set";
	argv[(*n)++] = own[(*no)++];
}

static void cand_sets(const struct advise *a, const struct advise_cand *c, char **argv, size_t *n,
		      char **own, unsigned *no)
{
	unsigned nm = a->cfg.nmodes;
	char ps[24], ws[24], lv[8];

	mode_set(argv, n, own, no, nm, "name", "advise-", c->name);
	mode_set(argv, n, own, no, nm, "mapping", "", mapping_names[c->mapping]);
	if (c->default_window)
		mode_set(argv, n, own, no, nm, "window", "", "default");
	if (!c->levels)
		return;
	snprintf(ps, sizeof(ps), "%" PRIu64, (uint64_t)1 << c->page_shift);
	snprintf(ws, sizeof(ws), "%" PRIu64, c->size);
	snprintf(lv, sizeof(lv), "%u", c->levels);
	mode_set(argv, n, own, no, nm, "window.page_size", "", ps);
	mode_set(argv, n, own, no, nm, "window.size", "", ws);
	mode_set(argv, n, own, no, nm, "window.levels", "", lv);
}

static char **job_argv(void *arg, unsigned long i, char *out, size_t outn, char ***store)
{
	struct advise *a = arg;
	const struct advise_cand *c = &a->c[a->jobs[i].cand];
	size_t n = 0, max = 32 + 2 * (size_t)a->o->nsets;
	char **argv = xcalloc(max, sizeof(char *)), **own = xcalloc(16, sizeof(char *));
	unsigned no = 0;

	argv[n++] = (char *)a->o->bin;
	argv[n++] = "-q";
	argv[n++] = "--config";
	argv[n++] = (char *)a->o->config;
	for (unsigned k = 0; k < a->o->nsets; k++) {
		argv[n++] = "--set";
		argv[n++] = a->o->sets[k];
	}
	if (a->jobs[i].set) {
		argv[n++] = "--set";
		argv[n++] = (char *)a->jobs[i].set;
	}
	cand_sets(a, c, argv, &n, own, &no);
	own[no] = xmalloc(strlen(c->name) + 8);
	sprintf(own[no], "advise-%s", c->name);
	argv[n++] = "--mode";
	argv[n++] = own[no++];
	argv[n++] = "--format";
	argv[n++] = "csv";
	snprintf(out, outn, "%s/%016" PRIx64 ".csv", a->dir, sweep_point_key(a->keys, argv));
	argv[n++] = "-o";
	argv[n++] = out;
	*store = own;
	return argv;
}

static double col_num(const struct csv *t, const char *name)
{
	int col = csv_col(t, name);

	return col < 0 || t->nrows < 1 ? 0 : strtod(csv_at(t, 1, (unsigned)col), NULL);
}

static void col_str(const struct csv *t, const char *name, char *buf, size_t n)
{
	int col = csv_col(t, name);

	snprintf(buf, n, "%s", col < 0 || t->nrows < 1 ? "" : csv_at(t, 1, (unsigned)col));
}

/* Fills c's evidence from job i's CSV; c->ran stays false when there is none. */
static void read_result(struct advise *a, unsigned long i, struct advise_cand *c)
{
	char out[4200], **own, **argv = job_argv(a, i, out, sizeof(out), &own);
	struct csv t;
	int err;

	sweep_argv_free(argv, own);
	c->ran = false;
	if (access(out, F_OK) < 0)
		return;
	err = csv_read(&t, out);
	if (err == 0 && t.nrows == 1) {
		c->ran = true;
		c->map_failures = (uint64_t)col_num(&t, "map.failures");
		c->ns_per_io = col_num(&t, "cpu.ns_per_io");
		c->gbps = col_num(&t, "device.throughput_gbps");
		c->p99_ns = col_num(&t, "device.latency_ns.p99");
		c->setup_ns = col_num(&t, "setup.time_ns");
		c->table_bytes = (uint64_t)col_num(&t, "window.table_bytes");
		col_str(&t, "bottleneck", c->bottleneck, sizeof(c->bottleneck));
		if (c->mapping == MAP_AUTO)
			col_str(&t, "setup.reason", c->decided, sizeof(c->decided));
	}
	csv_release(&t);
}

static int run_jobs(struct advise *a)
{
	struct sweep_batch b = { .n = a->njobs, .argv_of = job_argv, .arg = a, .jobs = a->o->jobs,
				 .quiet = a->o->quiet, .what = "advise" };

	return sweep_batch_run(&b);
}

/* --- robustness --- */

/* Collects the assumed keys with a range under path (a section's table, recursively). */
static void find_ranges(struct advise *a, const struct cfg_key *tab, const char *path)
{
	for (const struct cfg_key *k = tab; k && k->name && a->nr < MAX_RANGES; k++) {
		char kp[128];

		snprintf(kp, sizeof(kp), "%s.%s", path, k->name);
		if (k->type == CFG_MAP)
			find_ranges(a, k->sub, kp);
		else if (k->assumed && k->range_min && k->range_max &&
			 !(a->cfg.platform.kind == PLAT_POWERNV && !strncmp(kp, "platform.hcall.", 15))) {
			/* hypercall costs mean nothing on bare metal */
			snprintf(a->r[a->nr].key, sizeof(a->r[a->nr].key), "%s", kp);
			a->r[a->nr++].k = k;
		}
	}
}

/* Jobs: every leader at each end of every range; then the jobs of phase 1 are gone. */
static void robust_jobs(struct advise *a)
{
	unsigned long j = 0;

	free(a->jobs);
	a->njobs = (unsigned long)a->nr * 2 * a->nlead;
	a->jobs = xcalloc(a->njobs ? a->njobs : 1, sizeof(*a->jobs));
	for (unsigned r = 0; r < a->nr; r++)
		for (unsigned e = 0; e < 2; e++) {
			snprintf(a->sets[r][e], sizeof(a->sets[r][e]), "%s=%s", a->r[r].key,
				 e ? a->r[r].k->range_max : a->r[r].k->range_min);
			for (unsigned l = 0; l < a->nlead; l++)
				a->jobs[j++] = (struct job){ .cand = l, .set = a->sets[r][e] };
		}
}

/* The leaders' winner at each end of each range. */
static void robust_read(struct advise *a)
{
	unsigned long j = 0;

	for (unsigned r = 0; r < a->nr; r++)
		for (unsigned e = 0; e < 2; e++) {
			struct advise_cand l[LEADERS];

			for (unsigned i = 0; i < a->nlead; i++) {
				l[i] = a->c[i];
				read_result(a, j++, &l[i]);
			}
			advise_rank(l, a->nlead, a->o->objective);
			snprintf(a->r[r].winner[e], sizeof(a->r[r].winner[e]), "%s",
				 advise_usable(&l[0]) ? l[0].name : "none");
		}
}

static void range_value(void *arg, const char *path, const char *value, const char *unit,
			const char *src, bool assumed)
{
	struct advise *a = arg;

	(void)unit, (void)src, (void)assumed;
	for (unsigned r = 0; r < a->nr; r++)
		if (!strcmp(a->r[r].key, path))
			snprintf(a->r[r].value, sizeof(a->r[r].value), "%s", value);
}

static int robustness(struct advise *a)
{
	int rc;

	for (unsigned s = 0; s < SEC_COUNT; s++)
		if (cfg_section_keys[s])
			find_ranges(a, cfg_section_keys[s], cfg_section_names[s]);
	config_params(&a->cfg, range_value, a);
	a->nlead = 0;
	while (a->nlead < LEADERS && a->nlead < a->n && advise_usable(&a->c[a->nlead]))
		a->nlead++;
	if (a->nlead < 2) {	/* nothing to compare */
		a->nr = 0;
		return 0;
	}
	robust_jobs(a);
	rc = run_jobs(a);
	robust_read(a);
	return rc;
}

/* "robust", or "depends on KEY ..." for the first range end where another leader wins. */
static void verdict(const struct advise *a, char *buf, size_t n)
{
	snprintf(buf, n, "%s", a->nr ? "robust" : !a->o->robust ? "not checked (--no-robust)" :
		 "not checked (fewer than 2 usable candidates)");
	for (unsigned r = 0; r < a->nr; r++)
		for (unsigned e = 0; e < 2; e++)
			if (strcmp(a->r[r].winner[e], a->c[0].name)) {
				snprintf(buf, n, "depends on %s %s %s: %s wins at %s", a->r[r].key,
					 e ? "above" : "below", a->r[r].value,
					 a->r[r].winner[e], e ? a->r[r].k->range_max : a->r[r].k->range_min);
				return;
			}
}

/* --- output --- */

static const char *dash_or(char *buf, size_t n, uint64_t bytes)
{
	if (!bytes)
		return "-";
	size_name(buf, n, bytes);
	return buf;
}

static void text_row(FILE *fp, const struct advise_cand *c, unsigned rank)
{
	char ps[24], ws[24], tb[24];

	fprintf(fp, "%4u%c %-22s %-7s %5s %5s %3s ", rank, c->pareto ? '*' : ' ', c->name,
		mapping_names[c->mapping], c->page_shift ? dash_or(ps, sizeof(ps), (uint64_t)1 << c->page_shift) : "-",
		dash_or(ws, sizeof(ws), c->size), c->levels ? (snprintf(tb, sizeof(tb), "%u", c->levels), tb) : "-");
	if (!c->ran) {
		fputs("  (the run failed: see its message above)\n", fp);
		return;
	}
	fprintf(fp, "%10.1f %7.3f %9.1f %12.1f %7s  %s", c->ns_per_io, c->gbps, c->p99_ns, c->setup_ns,
		dash_or(tb, sizeof(tb), c->table_bytes), c->bottleneck);
	if (c->map_failures)
		fprintf(fp, ", %" PRIu64 " map failures: not usable", c->map_failures);
	if (c->decided[0])
		fprintf(fp, " (%s)", c->decided);
	fputc('\n', fp);
}

static void write_text(FILE *fp, const struct advise *a, const char *v)
{
	const struct config *cfg = &a->cfg;
	char ram[24];

	fprintf(fp, "ddwsim advise: %s: platform %s (%s), %s of RAM, DMA mask %#" PRIx64 "\n",
		a->o->config, cfg->platform.name, plat_kind_names[cfg->platform.kind],
		dash_or(ram, sizeof(ram), cfg->host.ram), cfg->host.dma_mask);
	if (cfg->ndevices > 1)
		fprintf(fp, "%u devices, each its own PE with the candidate window: figures are totals over the %u "
			"devices (CPU per I/O over all their I/Os, throughput summed, p99 over all their DMAs, "
			"set-up time and table memory summed)\n", cfg->ndevices, cfg->ndevices);
	fprintf(fp, "objective: %s; ties broken by throughput, p99, set-up time, table memory, CPU per I/O\n"
		"* = on the Pareto front (CPU per I/O, throughput, p99, set-up time, table memory)\n\n",
		advise_objective_name(a->o->objective));
	fprintf(fp, "%5s %-22s %-7s %5s %5s %3s %10s %7s %9s %12s %7s  %s\n", "rank", "candidate",
		"mapping", "page", "size", "lvl", "cpu ns/io", "Gb/s", "p99 ns", "setup ns", "table",
		"bottleneck");
	for (unsigned i = 0; i < a->n; i++)
		text_row(fp, &a->c[i], i + 1);
	if (advise_usable(&a->c[0]))
		fprintf(fp, "\nbest: %s\n", a->c[0].name);
	else
		fputs("\nbest: none (no candidate ran without map failures)\n", fp);
	fprintf(fp, "robustness: %s\n", v);
	if (a->nr)
		fprintf(fp, "  the leading %u again at each end of every assumed key's published range; winner at low / high end:\n",
			a->nlead);
	for (unsigned r = 0; r < a->nr; r++)
		fprintf(fp, "  %-36s %6s..%-6s (now %s): %s / %s  [%s]\n", a->r[r].key, a->r[r].k->range_min,
			a->r[r].k->range_max, a->r[r].value, a->r[r].winner[0], a->r[r].winner[1],
			a->r[r].k->range_src);
}

static void json_cand(FILE *fp, const struct advise_cand *c, unsigned rank)
{
	fprintf(fp, "    {\"rank\": %u, \"name\": ", rank);
	outfile_json_str(fp, c->name);
	fprintf(fp, ", \"mapping\": \"%s\", ", mapping_names[c->mapping]);
	if (c->levels)
		fprintf(fp, "\"page_size\": %" PRIu64 ", \"levels\": %u, \"size\": %" PRIu64 ", ",
			(uint64_t)1 << c->page_shift, c->levels, c->size);
	else
		fputs("\"page_size\": null, \"levels\": null, \"size\": null, ", fp);
	fprintf(fp, "\"usable\": %s, \"ran\": %s, \"map_failures\": %" PRIu64 ", ",
		advise_usable(c) ? "true" : "false", c->ran ? "true" : "false", c->map_failures);
	fprintf(fp, "\"cpu\": {\"ns_per_io\": %.1f}, \"device\": {\"throughput_gbps\": %.3f, "
		"\"latency_ns\": {\"p99\": %.1f}}, \"setup\": {\"time_ns\": %.1f}, "
		"\"table_bytes\": %" PRIu64 ", \"bottleneck\": ", c->ns_per_io, c->gbps, c->p99_ns,
		c->setup_ns, c->table_bytes);
	outfile_json_str(fp, c->bottleneck);
	fputs(", \"decided\": ", fp);
	outfile_json_str(fp, c->decided);
	fprintf(fp, ", \"pareto\": %s}", c->pareto ? "true" : "false");
}

static void json_ranges(FILE *fp, const struct advise *a)
{
	fputs("  \"robustness\": [", fp);
	for (unsigned r = 0; r < a->nr; r++) {
		fputs(r ? ",\n    {\"key\": " : "\n    {\"key\": ", fp);
		outfile_json_str(fp, a->r[r].key);
		fputs(", \"value\": ", fp);
		outfile_json_str(fp, a->r[r].value);
		fprintf(fp, ", \"min\": \"%s\", \"max\": \"%s\", \"source\": ",
			a->r[r].k->range_min, a->r[r].k->range_max);
		outfile_json_str(fp, a->r[r].k->range_src);
		fputs(", \"winner_at_min\": ", fp);
		outfile_json_str(fp, a->r[r].winner[0]);
		fputs(", \"winner_at_max\": ", fp);
		outfile_json_str(fp, a->r[r].winner[1]);
		fputc('}', fp);
	}
	fputs(a->nr ? "\n  ]\n}\n" : "]\n}\n", fp);
}

static void write_json(FILE *fp, const struct advise *a, const char *v)
{
	fputs("{\n  \"config\": ", fp);
	outfile_json_str(fp, a->o->config);
	fprintf(fp, ",\n  \"objective\": \"%s\",\n  \"devices\": ", advise_objective_name(a->o->objective));
	if (a->cfg.workload.trace[0])	/* a trace declares its own devices */
		fputs("null", fp);
	else
		fprintf(fp, "%u", a->cfg.ndevices ? a->cfg.ndevices : 1);
	fputs(",\n  \"best\": ", fp);
	if (advise_usable(&a->c[0]))
		outfile_json_str(fp, a->c[0].name);
	else
		fputs("null", fp);
	fputs(",\n  \"candidates\": [\n", fp);
	for (unsigned i = 0; i < a->n; i++) {
		json_cand(fp, &a->c[i], i + 1);
		fputs(i + 1 < a->n ? ",\n" : "\n", fp);
	}
	fputs("  ],\n  \"verdict\": ", fp);
	outfile_json_str(fp, v);
	fputs(",\n", fp);
	json_ranges(fp, a);
}

static void write_csv(FILE *fp, const struct advise *a)
{
	fputs("rank,name,mapping,page_size,size,levels,usable,map_failures,cpu.ns_per_io,"
	      "device.throughput_gbps,device.latency_ns.p99,setup.time_ns,table_bytes,bottleneck,pareto\n", fp);
	for (unsigned i = 0; i < a->n; i++) {
		const struct advise_cand *c = &a->c[i];

		fprintf(fp, "%u,%s,%s,", i + 1, c->name, mapping_names[c->mapping]);
		if (c->levels)
			fprintf(fp, "%" PRIu64 ",%" PRIu64 ",%u,", (uint64_t)1 << c->page_shift, c->size, c->levels);
		else
			fputs(",,,", fp);
		fprintf(fp, "%d,%" PRIu64 ",%.1f,%.3f,%.1f,%.1f,%" PRIu64 ",", advise_usable(c), c->map_failures,
			c->ns_per_io, c->gbps, c->p99_ns, c->setup_ns, c->table_bytes);
		report_csv_field(fp, c->bottleneck);
		fprintf(fp, ",%d\n", c->pareto);
	}
}

/* The figure: CPU per I/O (log x) against throughput, the front apart and labelled. */
static int draw_front(const struct advise *a)
{
	const char *ext;
	char title[4400];
	double lo = 1e300, hi = 0;
	char *script = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	if (plot_out_format(a->o->fig, &ext) < 0)
		return DDW_EXIT_USAGE;
	if (!(fp = open_memstream(&script, &len))) {
		ddw_error("advise: out of memory");
		return DDW_EXIT_RUNTIME;
	}
	fprintf(fp, "set terminal %s size 1000,600 noenhanced font ',10'\n",
		!strcmp(ext, "png") ? "pngcairo" : "svg");
	snprintf(title, sizeof(title), "ddwsim advise: %s (objective %s; filled = Pareto front)",
		 a->o->config, advise_objective_name(a->o->objective));
	fputs("set title ", fp);
	plot_put_label(fp, title);	/* the config's name may hold any byte */
	fputs("\nset xlabel 'CPU per I/O (ns, log scale)'\nset ylabel 'device throughput (Gb/s)'\n"
	      "set logscale x\nset grid\nset key outside right top\nset yrange [0:*]\n"
	      "set offsets 0, 0, graph 0.1, 0\n", fp);
	for (unsigned i = 0; i < a->n; i++)
		if (advise_usable(&a->c[i]) && a->c[i].ns_per_io > 0) {
			lo = a->c[i].ns_per_io < lo ? a->c[i].ns_per_io : lo;
			hi = a->c[i].ns_per_io > hi ? a->c[i].ns_per_io : hi;
		}
	if (hi > 0)	/* the axis ends at the data, with room for the labels */
		fprintf(fp, "set xrange [%.6g:%.6g]\n", lo / 2, hi * 4);
	for (unsigned f = 0; f < 2; f++) {
		fprintf(fp, "$%s << EOD\n", f ? "front" : "rest");
		for (unsigned i = 0; i < a->n; i++)
			if (advise_usable(&a->c[i]) && a->c[i].pareto == (bool)f && a->c[i].ns_per_io > 0)
				fprintf(fp, "%.1f %.3f %s\n", a->c[i].ns_per_io, a->c[i].gbps, a->c[i].name);
		fputs("EOD\n", fp);
	}
	fputs("plot $rest using 1:2 with points pt 6 ps 1.5 title 'dominated', "
	      "$front using 1:2 with points pt 7 ps 2 title 'Pareto front', "
	      "$front using 1:2:3 with labels offset char 1,1 left notitle\n", fp);
	fclose(fp);
	rc = plot_draw(a->o->config, script, len, a->o->fig);
	free(script);
	return rc;
}

static int write_out(const struct advise *a)
{
	struct outfile of;
	char v[512];

	verdict(a, v, sizeof(v));
	if (outfile_open(&of, a->o->out) < 0)
		return DDW_EXIT_RUNTIME;
	if (a->o->fmt == REPORT_JSON)
		write_json(of.fp, a, v);
	else if (a->o->fmt == REPORT_CSV)
		write_csv(of.fp, a);
	else
		write_text(of.fp, a, v);
	if (outfile_commit(&of) < 0)
		return DDW_EXIT_RUNTIME;
	return a->o->fig ? draw_front(a) : DDW_EXIT_OK;
}

/* --- the command --- */

static int evaluate(struct advise *a)
{
	int rc;

	a->njobs = a->n;
	a->jobs = xcalloc(a->n, sizeof(*a->jobs));
	for (unsigned i = 0; i < a->n; i++)
		a->jobs[i] = (struct job){ .cand = i };
	rc = run_jobs(a);
	for (unsigned i = 0; i < a->n; i++)
		read_result(a, i, &a->c[i]);
	advise_rank(a->c, a->n, a->o->objective);
	return rc;
}

int advise_run(const struct advise_opts *o)
{
	struct advise *a = xcalloc(1, sizeof(*a));
	int rc = DDW_EXIT_USAGE;

	a->o = o;
	a->keys = sweep_keys_new();
	if (config_load(&a->cfg, o->config, o->sets, o->nsets) < 0)
		goto out;
	if (o->fig && plot_out_format(o->fig, &(const char *){ NULL }) < 0)
		goto out;
	rc = DDW_EXIT_RUNTIME;
	snprintf(a->dir, sizeof(a->dir), "%s/.points/advise", o->results);
	if (sweep_mkdirs(a->dir) < 0)
		goto out;
	a->n = advise_candidates(&a->cfg, a->c, ADVISE_MAX_CANDS);
	evaluate(a);	/* a failed run is shown as such in the table */
	if (o->robust)
		robustness(a);
	rc = write_out(a);
out:
	free(a->jobs);
	config_release(&a->cfg);
	sweep_keys_free(a->keys);
	free(a);
	return rc;
}
