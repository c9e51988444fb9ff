/*
 * fuzz_replay.c - libFuzzer target: one .ddwt trace replayed whole, through
 * both replays, in a dynamic mode (the trace's own windows) and a direct one.
 *
 * Beyond "no crash, no leak", it checks the design rule: timing decides when,
 * never what. Both replays must succeed or fail alike, and when they succeed
 * every decision counter must be equal, with the functional hits equal to
 * the timed hits plus the timed walks_merged. The trace's .ddwb version 2
 * copy, whose plain DMAs come as runs, must replay (functional) exactly as
 * the text does. Anything else is abort(), a finding. Window ops, unmaps after removal and extreme offsets are what the
 * seed corpus (tests/fuzz/corpus/replay) starts from.
 */
#include "fuzz.h"
#include "ddwsim/sim.h"

/* Counters that are time, or hits (checked apart). */
static int replay_fz_is_time(size_t off)
{
	return off >= offsetof(struct mode_stats, time_ps) ||
	       off == offsetof(struct mode_stats, cache_hits);
}

static void replay_fz_compare(const struct sim_result *f, const struct sim_result *t)
{
	const uint64_t *a = (const uint64_t *)&f->st, *b = (const uint64_t *)&t->st;

	for (size_t i = 0; i < sizeof(f->st) / sizeof(uint64_t); i++)
		if (!replay_fz_is_time(i * sizeof(uint64_t)) && a[i] != b[i])
			abort();
	if (f->st.cache_hits != t->st.cache_hits + t->st.walks_merged)
		abort();
	if (f->live_at_end != t->live_at_end || f->ndev != t->ndev)
		abort();
}

static const char *replay_fz_config(void)
{
	static char path[PATH_MAX];
	char plat[PATH_MAX], host[PATH_MAX];
	FILE *fp;

	if (path[0])
		return path;
	if (!realpath("configs/platforms/qemu-pseries.yaml", plat) ||
	    !realpath("configs/hosts/qemu-guest-2g.yaml", host))
		abort();		/* run from the repository's top */
	fuzz_path(path, sizeof(path), "replay.yaml");
	fp = fopen(path, "w");
	if (!fp)
		abort();
	fprintf(fp, "platform: {include: %s, tce_cache: {entries: 16, ways: 4}}\n"
		"host: {include: %s, ram: 256M}\n"
		"modes:\n"
		"  - {name: as-recorded, mapping: dynamic, window: default}\n"
		"  - {name: direct, mapping: direct, window: {page_size: 64K, size: ram}}\n"
		"workload: {trace: fuzz.ddwt}\n", plat, host);
	if (fclose(fp))
		abort();
	return path;
}

/*
 * The functional replay of the trace's .ddwb version 2 copy, whose plain
 * DMAs come as runs (replay_run), against that of the text (f, rf): the same
 * outcome and every counter the same.
 */
static void replay_fz_bin(unsigned mode, const struct sim_result *f, int rf)
{
	static char trace[PATH_MAX + 32] = "workload.trace=";
	static char *bin_off[] = { "run.timing=false", trace };
	static struct sim_result b;
	struct config cfg;
	int rb;

	if (!trace[sizeof("workload.trace=") - 1])	/* --set paths are the caller's, not the config's */
		fuzz_path(trace + sizeof("workload.trace=") - 1, PATH_MAX, "fuzz-v2.ddwb");
	if (config_load(&cfg, replay_fz_config(), bin_off, 2) < 0)
		abort();
	rb = sim_run(&cfg, mode, &b);
	config_release(&cfg);
	if (rb != rf)
		abort();		/* runs refused what single ops took, or the reverse */
	if (rb == 0 && (memcmp(&f->st, &b.st, sizeof(f->st)) != 0 ||
			f->live_at_end != b.live_at_end || f->ndev != b.ndev))
		abort();
}

static int replay_fz_run(unsigned mode, bool bin)
{
	static char *timed_on[] = { "run.timing=true" }, *timed_off[] = { "run.timing=false" };
	static struct sim_result f, t;
	struct config cfg;
	int rf, rt;

	if (config_load(&cfg, replay_fz_config(), timed_off, 1) < 0)
		abort();
	rf = sim_run(&cfg, mode, &f);
	config_release(&cfg);
	if (config_load(&cfg, replay_fz_config(), timed_on, 1) < 0)
		abort();
	rt = sim_run(&cfg, mode, &t);
	config_release(&cfg);
	if (rf != rt)
		abort();		/* one replay refused what the other took */
	if (rf == 0)
		replay_fz_compare(&f, &t);
	if (bin)
		replay_fz_bin(mode, &f, rf);
	return rf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX], v2[PATH_MAX];
	static const char head[] = "# ddwt 1\n";
	size_t m = size < TRACE_BIN_MAGIC_LEN ? size : TRACE_BIN_MAGIC_LEN;
	bool bin;

	if (m && !memcmp(data, TRACE_BIN_MAGIC, m))
		return -1;
	if (!path[0]) {
		fuzz_path(path, sizeof(path), "fuzz.ddwt");
		fuzz_path(v2, sizeof(v2), "fuzz-v2.ddwb");
	}
	if (fuzz_write(path, head, sizeof(head) - 1, data, size) < 0)
		return 0;
	bin = trace_convert_fmt(path, v2, TRACE_BIN) == 0;
	replay_fz_run(0, bin);
	replay_fz_run(1, bin);
	return 0;
}
