/*
 * test_equality.c - timing decides when, never what.
 *
 * Every shipped config and workload, and a replay of each shared QEMU
 * capture and of each capture in ../captures/out (other guest shapes), run
 * with run.timing true and false: every figure that is a
 * decision (allocator choices and matches, hypercalls, kills, TCE writes,
 * map failures, lookups, misses, walks, faults, unmapped DMAs, window ops)
 * must be equal. TCE-cache hits may differ only by the lookups the timed
 * replay found still being filled by a walk in flight:
 * functional hits = timed hits + timed translation.walks_merged.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXCOL	256
#define CAPTURES "../shared/data/qemu"
#define OWN_CAPTURES "../captures/out"	/* other guest shapes (captures/README.md) */

static const char *bin(void)
{
	const char *b = getenv("DDWSIM_BIN");

	return b && *b ? b : "./ddwsim";
}

struct table {
	char *text;
	unsigned ncol, nrow;
	char *cell[16][MAXCOL];		/* [0] = header */
};

/* The field at *p, decoded in place (RFC 4180: "..." with "" for a quote, as
 * setup.reason needs: "ibm,create-pe-dma-window"); *p moves past its comma,
 * or to NULL after the last field. */
static char *csv_field(char **p)
{
	char *s = *p, *w = s, *r = s;

	if (*r == '"') {
		for (r++; *r && !(r[0] == '"' && r[1] != '"'); r++) {
			if (r[0] == '"')
				r++;
			*w++ = *r;
		}
		r += *r == '"';
	} else {
		while (*r && *r != ',')
			*w++ = *r++;
	}
	*p = *r == ',' ? r + 1 : NULL;
	*w = '\0';
	return s;
}

/* Splits the CSV into cells. */
static void split(struct table *t)
{
	char *line = t->text, *next;

	for (t->nrow = 0; line && *line && t->nrow < 16; line = next, t->nrow++) {
		unsigned c = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (char *q = line; q && c < MAXCOL;)
			t->cell[t->nrow][c++] = csv_field(&q);
		if (t->nrow == 0)
			t->ncol = c;
		cr_assert_eq(c, t->ncol, "row %u has %u cells, the header %u", t->nrow, c, t->ncol);
	}
}

static void run_csv(const char *args, bool timing, struct table *t)
{
	char cmd[4096];
	FILE *fp;
	size_t n = 0, cap = 1 << 16;
	size_t got;

	snprintf(cmd, sizeof(cmd), "%s %s --set run.timing=%s --format csv -q </dev/null", bin(),
		 args, timing ? "true" : "false");
	fp = popen(cmd, "r");
	cr_assert(fp != NULL);
	t->text = malloc(cap + 1);
	while ((got = fread(t->text + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			t->text = realloc(t->text, (cap *= 2) + 1);
	}
	t->text[n] = '\0';
	cr_assert_eq(pclose(fp), 0, "%s failed", cmd);
	split(t);
}

static int col(const struct table *t, const char *name)
{
	for (unsigned c = 0; c < t->ncol; c++)
		if (!strcmp(t->cell[0][c], name))
			return (int)c;
	cr_assert_fail("no column %s", name);
	return -1;
}

/* Figures that are time, or derived from time (and the hits, checked apart). */
static bool is_time(const char *path)
{
	static const char *const pre[] = { "time.", "device.", "cpu.", "link.", "translation.",
					   "setup.time_ns", "speedup", "bottleneck",
					   "tce_cache.hits", "tce_cache.hit_rate" };

	for (unsigned i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(path, pre[i], strlen(pre[i])))
			return true;
	return false;
}

static unsigned compare(const char *args)
{
	struct table f, t;
	unsigned checked = 0;

	run_csv(args, false, &f);
	run_csv(args, true, &t);
	cr_assert_eq(f.ncol, t.ncol);
	cr_assert_eq(f.nrow, t.nrow);
	for (unsigned r = 1; r < f.nrow; r++) {
		unsigned long long hf = strtoull(f.cell[r][col(&f, "tce_cache.hits")], NULL, 10);
		unsigned long long ht = strtoull(t.cell[r][col(&t, "tce_cache.hits")], NULL, 10);
		unsigned long long mg = strtoull(t.cell[r][col(&t, "translation.walks_merged")], NULL, 10);

		for (unsigned c = 0; c < f.ncol; c++) {
			if (is_time(f.cell[0][c]))
				continue;
			cr_expect_str_eq(f.cell[r][c], t.cell[r][c], "%s: mode %s: %s is %s untimed, %s timed",
					 args, f.cell[r][1], f.cell[0][c], f.cell[r][c], t.cell[r][c]);
			checked++;
		}
		cr_expect_eq(hf, ht + mg, "%s: mode %s: hits %llu untimed, %llu + %llu merged timed", args,
			     f.cell[r][1], hf, ht, mg);
	}
	free(f.text);
	free(t.text);
	return checked;
}

Test(equality, every_shipped_config_and_workload_decides_the_same_timed_or_not, .timeout = 900)
{
	static const char *const pats[] = { "configs/*.yaml", "configs/calibration/*.yaml",
					    "tests/synth/e2e-*.yaml" };
	unsigned files = 0;

	for (unsigned p = 0; p < 3; p++) {
		glob_t g;

		cr_assert_eq(glob(pats[p], 0, NULL, &g), 0, "%s", pats[p]);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char args[1024];

			snprintf(args, sizeof(args), "--config %s --set run.ios=20000", g.gl_pathv[i]);
			cr_expect_gt(compare(args), 30u, "%s", g.gl_pathv[i]);
			files++;
		}
		globfree(&g);
	}
	cr_expect_geq(files, 15u);
}

/* The timing-only mechanisms of the link and the translation unit at work:
 * few read tags, a busy unit, in-order translation with overlapping walks,
 * pipelined reads that miss a third of the time. */
Test(equality, read_tags_busy_unit_and_in_order_walks)
{
	compare("--config configs/calibration/pcie-bench-iotlb.yaml --set run.ios=20000"
		" --set workload.window=1M --set workload.outstanding=0 --set platform.pcie.read_tags=4"
		" --set platform.walk.hit_under_miss=false --set platform.walk.miss_under_miss=true"
		" --set platform.walk.max_outstanding=2");
}

/* A trace that removes a window under live mappings, then creates a new one
 * and DMAs at the same bus address: the same faults and hits either way. */
Test(equality, window_removed_under_live_mappings)
{
	compare("--config tests/traces/equality-window-reuse.yaml");
}

/*
 * Imports capture xz (a QEMU trace log) into dir and checks that its replay
 * decides the same timed or not; a log made with multitce=off (its name says
 * so) is replayed with platform.multi_tce=false, as the guest ran.
 */
static void compare_capture(const char *dir, const char *xz)
{
	const char *base = strrchr(xz, '/') ? strrchr(xz, '/') + 1 : xz;
	char cmd[2048], out[512], args[1024];

	snprintf(out, sizeof(out), "%s/%.*s.ddwb", dir, (int)strcspn(base, "."), base);
	snprintf(cmd, sizeof(cmd), "xzcat %s | %s trace import --from qemu - %s 2>/dev/null", xz,
		 bin(), out);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	snprintf(args, sizeof(args),
		 "--config configs/replay-qemu-capture.yaml --set workload.trace=%s%s", out,
		 strstr(base, "multitce-off") ? " --set platform.multi_tce=false" : "");
	cr_expect_gt(compare(args), 30u, "%s", xz);
	unlink(out);
}

Test(equality, every_shared_capture_decides_the_same_timed_or_not, .timeout = 1800)
{
	static const char *const caps[] = { "ddw-off", "ddw-on", "ddw-dynamic-pgsz64k-patched" };
	char dir[] = "/tmp/ddwsim-eq-XXXXXX";
	struct stat sb;

	if (stat(CAPTURES, &sb) < 0)
		cr_skip_test("no shared captures at %s", CAPTURES);
	cr_assert(mkdtemp(dir) != NULL);
	for (unsigned i = 0; i < 3; i++) {
		char xz[512];

		snprintf(xz, sizeof(xz), "%s/%s.trace.log.xz", CAPTURES, caps[i]);
		compare_capture(dir, xz);
	}
	rmdir(dir);
}

/* The same over every capture of other guest shapes (vCPUs, RAM, multitce=off) there is. */
Test(equality, every_own_capture_decides_the_same_timed_or_not, .timeout = 3600)
{
	char dir[] = "/tmp/ddwsim-eq-XXXXXX";
	glob_t g;

	if (glob(OWN_CAPTURES "/*.trace.log.xz", 0, NULL, &g) != 0)
		cr_skip_test("no captures at %s", OWN_CAPTURES);
	cr_assert(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < g.gl_pathc; i++)
		compare_capture(dir, g.gl_pathv[i]);
	globfree(&g);
	rmdir(dir);
}

/* A map and its unmap on different CPUs with no DMA between them: the timed
 * replay must wake the unmap when the map completes (it used to stop with
 * "a dependency cycle"; found by the replay fuzzer). */
Test(equality, a_map_wakes_its_unmap_on_another_cpu)
{
	compare("--config tests/traces/equality-window-reuse.yaml "
		"--set workload.trace=tests/traces/map-unmap-other-cpu.ddwt");
}

/*
 * A `device` op: the device's own max_seg_size and its boot clear
 * (tests/traces/device-max-seg.ddwt; qemu-pseries, host.max_seg_size 64K).
 * The map_sg's two 16-TCE elements are two large allocations back to back at
 * 0x30000 and 0x30010 (one H_PUT_TCE_INDIRECT each): one DMA segment of
 * 128K when max_seg is 0xffffffff, so one H_STUFF_TCE unmaps it
 * (ppc_iommu_unmap_sg frees per segment); with the host's 64K, two. The boot
 * clear of 512 TCEs is one H_STUFF_TCE of set-up: setup.hcalls 1 and
 * tces_cleared 512 in both modes; the direct mode adds its own set-up,
 * 2 GiB of RAM in 16M TCEs = 128 TCEs written by one indirect: 2 hcalls.
 */
Test(equality, a_device_op_sets_its_max_segment_and_counts_its_boot_clear_as_set_up)
{
	static const char *const want[2][5] = { { "1", "2", "1", "0", "512" },
						{ "0", "0", "2", "128", "512" } };
	static const char *const figs[5] = { "hcalls.h_stuff_tce", "hcalls.h_put_tce_indirect",
					     "setup.hcalls", "setup.tces_written", "setup.tces_cleared" };
	struct table t;

	run_csv("--config configs/replay-qemu-capture.yaml "
		"--set workload.trace=tests/traces/device-max-seg.ddwt", false, &t);
	cr_assert_eq(t.nrow, 3);
	for (unsigned r = 0; r < 2; r++)
		for (unsigned f = 0; f < 5; f++)
			cr_expect_str_eq(t.cell[r + 1][col(&t, figs[f])], want[r][f], "mode %u: %s", r,
					 figs[f]);
	free(t.text);
}

/*
 * mapping: auto decides per device from the mask its `device` op declares,
 * device 0 included, which replay_init makes before its declaration: the
 * 32-bit device 0 keeps the default window (iommu_bypass_supported_pSeriesLP
 * refuses a DDW for a mask of 32 bits or less), the 64-bit device 1 gets
 * qemu-pseries' direct DDW; the same timed or not.
 */
Test(equality, auto_decides_from_each_devices_declared_mask)
{
	char cmd[1024], buf[1 << 16];
	size_t n;
	FILE *fp;

	compare("--config tests/traces/auto-device-masks.yaml");
	for (int timed = 0; timed < 2; timed++) {
		snprintf(cmd, sizeof(cmd), "%s -q --config tests/traces/auto-device-masks.yaml "
			 "--set run.timing=%s --format json", bin(), timed ? "true" : "false");
		fp = popen(cmd, "r");
		cr_assert(fp);
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		buf[n] = '\0';
		cr_assert_eq(pclose(fp), 0);
		const char *d0 = strstr(buf, "\"device\": 0"), *d1 = strstr(buf, "\"device\": 1");

		cr_assert(d0 && d1 && d0 < d1, "%s", buf);
		cr_expect(strstr(d0, "\"reason\": \"no DDW: DMA mask 32 bits") &&
			  strstr(d0, "\"reason\": \"no DDW: DMA mask 32 bits") < d1, "device 0: %.400s", d0);
		cr_expect(strstr(d1, "\"ddw\": \"direct\""), "device 1: %.400s", d1);
	}
}

/* Devices of a devices: list on links of their own (an NVMe drive on Gen3 x4
 * with MPS 128 beside a dma_bench device on the platform's link): the same
 * decisions, timed or not (the CSV rows: the devices' totals). */
Test(equality, devices_on_their_own_links)
{
	compare("--config tests/synth/devices-kill-neighbour.yaml --set devices[1].device.pcie.mps=128");
	compare("--config configs/phb4-nvme-4drives.yaml --set devices[1].generator=dma_bench --set run.ios=5000");
}

/*
 * A .ddwb is replayed in batches (one mapping lookup per run of DMAs on a
 * handle, replay_ops), its .ddwt one op at a time: batch-memo.ddwt breaks
 * such runs with every op that changes what a handle maps to (unmap, map
 * again, other devices on the same handle, a device not made yet, a window
 * created and reset under a live mapping), and holds runs (a .ddwb's plain
 * DMAs, replay_run) within and past a mapping, across a request unit, in a
 * DDW and after it is removed under them, and writes the mapping refuses
 * between reads, as misses and as hits (tce_cache_hit_run's stops). Every figure, in every mode, must
 * be the same from either file, timed or not.
 */
/*
 * Replays tests/traces/NAME.ddwt and its .ddwb (version 2) through
 * batch-memo.yaml's four modes, timing off then on: the same figures, all of
 * them, from either file; *t (text) and *b (.ddwb) get the tables of timing
 * 0 and 1 (t[timing]).
 */
static void text_and_runs(const char *name, struct table t[2], struct table b[2])
{
	char dir[] = "/tmp/ddwsim-batch-XXXXXX", cmd[1024], args[1024];

	cr_assert(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd), "%s trace convert tests/traces/%s.ddwt %s/b.ddwb --version 2",
		 bin(), name, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	for (int timing = 0; timing < 2; timing++) {
		snprintf(args, sizeof(args), "--config tests/traces/batch-memo.yaml --set workload.trace=tests/traces/%s.ddwt",
			 name);
		run_csv(args, timing, &t[timing]);
		snprintf(args, sizeof(args), "--config tests/traces/batch-memo.yaml --set workload.trace=%s/b.ddwb",
			 dir);
		run_csv(args, timing, &b[timing]);
		cr_assert_eq(t[timing].ncol, b[timing].ncol);
		cr_assert_eq(t[timing].nrow, 5, "four modes");
		cr_assert_eq(b[timing].nrow, t[timing].nrow);
		for (unsigned r = 1; r < t[timing].nrow; r++)
			for (unsigned c = 0; c < t[timing].ncol; c++)
				cr_expect_str_eq(t[timing].cell[r][c], b[timing].cell[r][c],
						 "%s, timing %d: mode %s: %s is %s from the text, %s from the .ddwb",
						 name, timing, t[timing].cell[r][1], t[timing].cell[0][c],
						 t[timing].cell[r][c], b[timing].cell[r][c]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(equality, a_batch_replays_as_one_op_at_a_time)
{
	struct table tt[2], bb[2];

	text_and_runs("batch-memo", tt, bb);
	for (int timing = 0; timing < 2; timing++) {
		struct table t = tt[timing], b = bb[timing];

		/* worked out from the trace: 8000 + 400 past 8192; handle 2 never
		 * mapped; two after the unmap; 4033 + 64 past 4096; device 2 before
		 * its map; 0x3 after its unmap; device 1 after its unmap; in the
		 * runs, 8100 + 200 and 8192 + 200 past 8192, 65473 + 64 past 65536 */
		cr_expect_str_eq(t.cell[1][col(&t, "unmapped_dmas")], "11");
		/* the last run's three writes into a read-only mapping fault in the
		 * dynamic modes (4 before it in the default window, 0 in the DDW);
		 * the direct window's TCEs allow both directions */
		cr_expect_str_eq(t.cell[1][col(&t, "faults")], "7");
		cr_expect_str_eq(t.cell[2][col(&t, "faults")], "3");
		cr_expect_str_eq(t.cell[3][col(&t, "faults")], "0");
		free(t.text);
		free(b.text);
	}
}

/*
 * The timed replay applies a run's DMAs of one request each AHEAD_DMAS (256)
 * at a time, ahead of reading them (timed.c, run_ahead): long-runs.ddwt's
 * runs of 600, 300, 400 and 300 DMAs cross that bound, with DMAs past the
 * mapping and across a unit inside them, writes the mapping refuses and a
 * window removed under a live mapping. Same figures as one op at a time,
 * timing included; from the trace's rule: 6 of run 1 past the mapping, 6
 * of two requests, so 1600 DMAs make 1600 - 6 + 6 = 1600 requests; run 2's
 * 300 writes fault where the TCEs are the mapping's (the dynamic modes), not
 * in the direct window, whose TCEs allow both directions.
 */
Test(equality, long_runs_applied_ahead_replay_as_one_op_at_a_time)
{
	struct table t[2], b[2];

	text_and_runs("long-runs", t, b);
	for (int timing = 0; timing < 2; timing++) {
		for (unsigned r = 1; r < t[timing].nrow; r++) {
			cr_expect_str_eq(t[timing].cell[r][col(&t[timing], "dmas")], "1600");
			cr_expect_str_eq(t[timing].cell[r][col(&t[timing], "unmapped_dmas")], "6");
			cr_expect_str_eq(t[timing].cell[r][col(&t[timing], "requests")], "1600");
		}
		cr_expect_str_eq(t[timing].cell[1][col(&t[timing], "faults")], "300");
		cr_expect_str_eq(t[timing].cell[3][col(&t[timing], "faults")], "0");
		free(t[timing].text);
		free(b[timing].text);
	}
}

/*
 * kill.phb_lock (on in the PHB4 platform file): skiboot's opal_pci_tce_kill
 * holds the PHB's lock over the whole busy-polled kill, so the kills of four
 * NVMe drives on one PHB4 run one at a time. Each 4 KiB command maps and unmaps in the default window,
 * one OPAL kill each (kill.per_tce false) of kill.cpu_ns 5500: the PHB ends
 * at most one command per 11 us, 32768 bits / 11000 ns = 2.979 Gb/s for all
 * four drives together, whatever their CPUs. The lock decides when, never
 * what: the same decisions timed or not.
 */
Test(equality, kills_on_one_phb_wait_for_its_lock)
{
	const char *args = "--config configs/phb4-nvme-4drives.yaml --set run.ios=5000";
	struct table t;
	double gbps;

	compare(args);
	run_csv(args, true, &t);
	cr_assert_str_eq(t.cell[1][1], "default-window");
	gbps = strtod(t.cell[1][col(&t, "device.throughput_gbps")], NULL);
	cr_expect(gbps > 2.979 * 0.99 && gbps < 2.979 * 1.01, "%.3f Gb/s, expected 2.979", gbps);
	free(t.text);
}

/* The row of mode `name` in t. */
static unsigned row(const struct table *t, const char *name)
{
	for (unsigned r = 1; r < t->nrow; r++)
		if (!strcmp(t->cell[r][1], name))
			return r;
	cr_assert_fail("no mode %s", name);
	return 0;
}

static double num(const struct table *t, unsigned r, const char *name)
{
	return strtod(t->cell[r][col(t, name)], NULL);
}

/*
 * 32 NVMe drives (4 KiB random reads at queue depth 32, each on its own Gen4
 * x4 link) behind one PHB4, direct window: every TLP also crosses the PHB's
 * own Gen4 x16 link, which bounds them all. Worked out by hand (pcie-model,
 * numbers.md §3.2):
 *   Gen4 x16 raw: 16 GT/s x 16 lanes x 128/130 = 252.062 Gb/s per direction;
 *   less an 8 B ACK and an 8 B FC DLLP every 168 symbol times (x16, MPS 256)
 *   and a 4 B SKIP every 1538 B: x (1 - 16/168 - 4/1538) = 227.400 Gb/s.
 *   A read makes the drive write 4 KiB into memory: 16 MWr of 256 B, each
 *   with a 4-DW header (the DDW is at 1<<59) and 8 B of framing: 280 B.
 *   So at most 227.400 x 256 / 280 = 207.909 Gb/s (25.99 GB/s, numbers.md).
 *   Each drive's x4 link (every 214 symbol times): 63.015 x (1 - 16/214 -
 *   4/1538) x 256/280 = 53.156 Gb/s; 32 of them 1701 Gb/s, where the model
 *   without the shared link ended (1.67 Tb/s).
 * The throughput runs from the first DMA's start to the last completion: the
 * ramp at each end costs a little, so 98 % of the bound at least. The PHB's
 * link is busy nearly all the run, and is what limits it. Timing only: the
 * same decisions timed or not.
 */
Test(equality, many_drives_share_the_phb_link)
{
	const char *args = "--config configs/sweep-many-drives.yaml --set devices[0].count=32 "
			   "--set run.ios=1000";
	struct table t;
	unsigned r;
	double gbps;

	compare(args);
	run_csv(args, true, &t);
	r = row(&t, "direct-1g");
	gbps = num(&t, r, "device.throughput_gbps");
	cr_expect(gbps > 207.909 * 0.98 && gbps <= 207.909, "%.3f Gb/s, expected up to 207.909", gbps);
	cr_expect_geq(num(&t, r, "link.upstream_utilization"), 0.99);
	cr_expect_str_eq(t.cell[r][col(&t, "bottleneck")], "PHB link");
	free(t.text);
}

/*
 * One drive on a Gen4 x4 link of its own behind the PHB4's Gen4 x16: the
 * faster PHB link never delays it (cut-through, and nothing else on it), so
 * every figure but the PHB link's busy share is that of the same drive with
 * the x4 link as the platform's own (no switch). That share is the drive
 * link's x 58.140 / 227.400 (the x4 and x16 TLP-layer rates: 63.015 x (1 -
 * 16/214 - 4/1538) and 252.062 x (1 - 16/168 - 4/1538)) = 0.2557 of it.
 */
Test(equality, a_lone_drive_is_not_slowed_by_a_faster_phb_link)
{
	const char *args = "--config configs/sweep-many-drives.yaml --set run.ios=2000";
	struct table s, o;

	run_csv(args, true, &s);
	run_csv("--config configs/sweep-many-drives.yaml --set run.ios=2000 "
		"--set platform.pcie.lanes=4", true, &o);
	cr_assert_eq(s.nrow, 4, "three modes");
	for (unsigned r = 1; r < s.nrow; r++) {
		double own = num(&s, r, "link.utilization"), up = num(&s, r, "link.upstream_utilization");

		for (unsigned c = 0; c < s.ncol; c++)
			if (strcmp(s.cell[0][c], "link.upstream_utilization"))
				cr_expect_str_eq(s.cell[r][c], o.cell[r][c], "mode %s: %s is %s, %s without the switch",
						 s.cell[r][1], s.cell[0][c], s.cell[r][c], o.cell[r][c]);
		cr_expect_str_eq(o.cell[r][col(&o, "link.upstream_utilization")],
				 o.cell[r][col(&o, "link.utilization")], "no switch: the one link is the PHB's");
		cr_expect(up > own * 0.2557 - 0.0002 && up < own * 0.2557 + 0.0002,
			  "mode %s: PHB link %.4f, drive link %.4f", s.cell[r][1], up, own);
	}
	free(s.text);
	free(o.text);
}
