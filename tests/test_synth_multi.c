/*
 * test_synth_multi.c - a config's devices: list: the merged op stream
 * (src/synth_multi.c) and what the devices share behind the one PHB.
 *
 * Configs: tests/synth/devices-shared-cache.yaml (dma_bench devices, each
 * reading 64 bytes at random in one 384K buffer of 4K TCEs: 96 TCEs, in a
 * 128-entry fully associative LRU cache) and devices-kill-neighbour.yaml
 * (such a device beside an NVMe drive that maps and unmaps per I/O).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "ddwsim/config.h"
#include "ddwsim/synth.h"
#include "ddwsim/synth_multi.h"
#include "json_strict.h"
#include "run_bin.h"

#define DIR	"tests/synth/"

/* ---- the merged stream ---- */

static void load(struct config *cfg, const char *file, char *const *sets, unsigned n)
{
	cr_assert_eq(config_load(cfg, file, sets, n), 0, "%s", file);
}

static bool is_io(const struct dma_op *op)
{
	return (op->kind == OP_DMA || op->kind == OP_DMA_BUS) && !(op->flags & OP_F_AUX);
}

/* Device k's ops in the merged stream are its generator's, opened alone with
 * its seed (run.seed + k x 0x9e3779b97f4a7c15), in the same order: only the
 * device number and the CPU (shifted by k x max(1, cpus / devices)) differ. */
Test(synth_multi, each_device_gets_its_own_generators_ops_in_order)
{
	char *sets[] = { "run.ios=300" };
	struct config cfg, one;
	struct op_source all = { 0 }, alone[2] = { { 0 } };
	struct dma_op op, want;
	unsigned long long seen[2] = { 0, 0 };

	load(&cfg, DIR "devices-kill-neighbour.yaml", sets, 1);
	cr_assert_eq(cfg.ndevices, 2);
	cr_assert_eq(synth_multi_open(&all, &cfg), 0);
	for (unsigned k = 0; k < 2; k++) {
		one = cfg;
		config_as_device(&one, k);
		one.run.seed = synth_multi_seed(cfg.run.seed, k);
		cr_assert_eq(synth_find(one.workload.generator)->open(&alone[k], &one), 0);
	}
	cr_assert_eq(synth_multi_seed(7, 0), 7);
	while (op_source_next(&all, &op) > 0) {
		cr_assert_lt(op.dev, 2u);
		cr_assert_eq(op_source_next(&alone[op.dev], &want), 1, "device %u has more ops", op.dev);
		cr_assert_eq(op.kind, want.kind);
		cr_assert_eq(op.handle, want.handle);
		cr_assert_eq(op.addr, want.addr);
		cr_assert_eq(op.len, want.len);
		/* host.cpus 32 over 2 devices: device 1's CPUs start at 16 */
		cr_assert_eq(op.cpu, (want.cpu + op.dev * 16) % 32);
		seen[op.dev]++;
	}
	for (unsigned k = 0; k < 2; k++)
		cr_assert_eq(op_source_next(&alone[k], &want), 0, "device %u lost ops", k);
	/* dma_bench: map, 300 DMAs, unmap; nvme: its device declaration (max
	 * segment), then 300 x (map, dma, unmap) */
	cr_assert_eq(seen[0], 302);
	cr_assert_eq(seen[1], 901);
	op_source_close(&all);
	op_source_close(&alone[0]);
	op_source_close(&alone[1]);
	config_release(&cfg);
}

/* Round-robin by I/O: while both devices run, the I/Os alternate 0, 1, 0, 1. */
Test(synth_multi, ios_alternate_between_the_devices)
{
	char *sets[] = { "run.ios=100", "devices[0].count=3" };
	struct config cfg;
	struct op_source all = { 0 };
	struct dma_op op;
	unsigned n = 0;

	load(&cfg, DIR "devices-shared-cache.yaml", sets, 2);
	cr_assert_eq(cfg.ndevices, 3);
	cr_assert_eq(synth_multi_open(&all, &cfg), 0);
	while (op_source_next(&all, &op) > 0)
		if (is_io(&op))
			cr_assert_eq(op.dev, n++ % 3, "I/O %u is device %u's", n - 1, op.dev);
	cr_assert_eq(n, 300, "run.ios is per device");
	op_source_close(&all);
	config_release(&cfg);
}

/* ---- end to end: what the devices share ---- */

/* modes[0].devices[d].figures.KEY of a JSON report, as a number. */
static double dev_fig(const struct run_result *r, unsigned d, const char *key)
{
	char path[256];
	const char *v;

	snprintf(path, sizeof(path), "modes[0].devices[%u].figures.%s", d, key);
	v = json_strict_get(r->out, r->out_len, path, NULL);
	cr_assert(v, "no %s", path);
	return strtod(v, NULL);
}

static double mode_fig(const struct run_result *r, const char *key)
{
	char path[256];
	const char *v;

	snprintf(path, sizeof(path), "modes[0].%s", key);
	v = json_strict_get(r->out, r->out_len, path, NULL);
	cr_assert(v, "no %s", path);
	return strtod(v, NULL);
}

static struct run_result run_json(const char *args)
{
	char cmd[1024], err[256];
	struct run_result r;

	snprintf(cmd, sizeof(cmd), "%s --format json", args);
	r = run_bin(cmd);
	cr_assert_eq(r.code, 0, "%s: %s", cmd, r.err);
	cr_assert_eq(json_strict_check(r.out, r.out_len, err, sizeof(err)), 0, "%s", err);
	return r;
}

/*
 * One device: its 96 TCEs fit the 128 entries; 20000 random reads over 6144
 * 64-byte slots touch every one of the 96 (a TCE is missed by all with
 * probability (95/96)^20000, nil): 96 misses, hit rate 19904/20000 = 0.9952.
 * Two devices: 192 TCEs for 128 entries, referenced uniformly at random
 * (the I/Os alternate): an LRU cache then holds 128 of the 192 and hits
 * 128/192 = 2/3 of the time (independent reference model, after warm-up).
 */
Test(synth_multi, two_devices_sharing_a_128_entry_cache_hit_less_than_one)
{
	struct run_result one = run_json("--config " DIR "devices-shared-cache.yaml");
	struct run_result two = run_json("--config " DIR "devices-shared-cache.yaml --set devices[0].count=2");

	cr_assert_eq(mode_fig(&one, "tce_cache.misses"), 96);
	cr_assert_float_eq(mode_fig(&one, "tce_cache.hit_rate"), 19904.0 / 20000, 1e-4);
	cr_assert_eq(mode_fig(&two, "ios"), 40000, "run.ios is per device");
	cr_assert_eq(mode_fig(&two, "tce_cache.lookups"), 40000);
	cr_assert_float_eq(mode_fig(&two, "tce_cache.hit_rate"), 2.0 / 3, 0.02);
	for (unsigned d = 0; d < 2; d++) {
		cr_assert_eq(dev_fig(&two, d, "ios"), 20000);
		cr_assert_float_eq(dev_fig(&two, d, "tce_cache.hit_rate"), 2.0 / 3, 0.03);
	}
	cr_assert_eq(dev_fig(&two, 0, "walks.count") + dev_fig(&two, 1, "walks.count"),
		     mode_fig(&two, "tce_cache.misses"), "the devices' misses add up to the mode's");
	run_free(&one);
	run_free(&two);
}

/*
 * A PE kill (PHB4's escalated page kill, skiboot phb4_tce_kill: PE |
 * SETFIELD(PENUM, 0, pe), domain.md §3.2) empties the killing PE's entries
 * only: the dma_bench device beside the NVMe drive misses only its 96 TCEs'
 * first touches, as alone. A kill of everything (scope all) empties its
 * entries too: round-robin by I/O puts an NVMe unmap or map (each a kill)
 * between any two of its DMAs, so each of its 20000 DMAs misses.
 */
Test(synth_multi, a_pe_kill_spares_the_neighbours_a_kill_all_does_not)
{
	struct run_result pe = run_json("--config " DIR "devices-kill-neighbour.yaml");
	struct run_result all = run_json("--config " DIR "devices-kill-neighbour.yaml --set platform.kill.scope=all");

	cr_assert_eq(dev_fig(&pe, 1, "kills.pe"), 40000, "the drive: a PE kill per map and per unmap");
	cr_assert_eq(dev_fig(&pe, 0, "walks.count"), 96);
	cr_assert_eq(dev_fig(&all, 0, "walks.count"), 20000);
	/* the drive itself: 16 requests of MPS 256 per 4K read, the first misses: 15/16 */
	cr_assert_float_eq(dev_fig(&pe, 1, "tce_cache.hit_rate"), 15.0 / 16, 1e-4);
	run_free(&pe);
	run_free(&all);
}

/* device.pcie.mps splits that device's DMAs only: the drive at MPS 128 makes
 * 4096 / 128 = 32 requests per read, the platform's 256 would make 16. */
Test(synth_multi, a_devices_own_mps_splits_its_dmas)
{
	struct run_result r = run_json("--config " DIR "devices-kill-neighbour.yaml --set devices[1].device.pcie.mps=128");

	cr_assert_eq(dev_fig(&r, 1, "tce_cache.lookups"), 20000.0 * 32);
	cr_assert_eq(dev_fig(&r, 0, "tce_cache.lookups"), 20000, "64-byte reads: one request each");
	run_free(&r);
}

/*
 * Each device's DMAs cross its own link. Two drives reading 2000 x 4K each
 * (8.192 MB): the first on its Gen4 x4 (16 GT/s x 4 x 128/130 = 7.88 GB/s:
 * 1.04 ms of data), the second on the platform's Gen4 x16, the run takes
 * under 2 ms; with the second on Gen1 x1 (2.5 GT/s, 8b/10b: 250 MB/s before
 * TLP overheads) its 8.192 MB take at least 8192000 / 250e6 s = 32.8 ms.
 */
Test(synth_multi, a_devices_own_link_times_its_dmas)
{
	struct run_result fast = run_json("--config configs/phb4-nvme-4drives.yaml --set devices[0].count=1 "
					  "--set devices[1].generator=nvme --set run.ios=2000 --mode ddw-direct");
	struct run_result slow = run_json("--config configs/phb4-nvme-4drives.yaml --set devices[0].count=1 "
					  "--set devices[1].generator=nvme --set devices[1].device.pcie.gen=1 "
					  "--set devices[1].device.pcie.lanes=1 --set run.ios=2000 --mode ddw-direct");

	cr_assert_lt(mode_fig(&fast, "time.sim_ns"), 2e6);
	cr_assert_geq(mode_fig(&slow, "time.sim_ns"), 32.8e6);
	run_free(&fast);
	run_free(&slow);
}

/* One device listed is the workload run alone: same stream, same figures. */
Test(synth_multi, one_device_listed_is_the_workload_alone)
{
	struct run_result a = run_bin("--config configs/phb4-nvme.yaml --set run.ios=3000 --format csv");
	struct run_result b = run_bin("--config " DIR "devices-phb4-nvme-one.yaml --set run.ios=3000 --format csv");

	cr_assert_eq(a.code, 0, "%s", a.err);
	cr_assert_eq(b.code, 0, "%s", b.err);
	cr_assert_str_eq(a.out, b.out);
	run_free(&a);
	run_free(&b);
}

/* `trace gen` of a devices: config writes the merged stream, each op with its
 * device number: replaying the trace decides as the config's run does. */
Test(synth_multi, trace_gen_writes_every_device_and_replays_the_same)
{
	char trace[] = "/tmp/ddwsim-devs-XXXXXX.ddwb", cfg[] = "/tmp/ddwsim-devs-XXXXXX.yaml";
	char text[2048], args[512], cwd[512];
	struct run_result gen, a, b;
	int fd = mkstemps(trace, 5);

	cr_assert_geq(fd, 0);
	cr_assert(getcwd(cwd, sizeof(cwd)));
	close(fd);
	snprintf(args, sizeof(args), "trace gen --config " DIR "devices-kill-neighbour.yaml --set run.ios=3000 %s",
		 trace);
	gen = run_bin(args);
	cr_assert_eq(gen.code, 0, "%s", gen.err);
	snprintf(text, sizeof(text),
		 "platform: {include: %s/configs/platforms/phb4.yaml, tce_cache: {entries: 128, ways: 0, policy: lru}}\n"
		 "host: %s/configs/hosts/power9-256g.yaml\n"
		 "modes: [{name: ddw4k, mapping: dynamic, window: {page_size: 4K, size: 1G, levels: 1}}]\n"
		 "workload: {trace: %s}\nrun: {seed: 7, timing: false}\n",
		 cwd, cwd, trace);
	run_write(cfg, 5, text, strlen(text));
	snprintf(args, sizeof(args), "--config %s --format csv", cfg);
	a = run_bin(args);
	b = run_bin("--config " DIR "devices-kill-neighbour.yaml --set run.ios=3000 --format csv");
	cr_assert_eq(a.code, 0, "%s", a.err);
	cr_assert_eq(b.code, 0, "%s", b.err);
	cr_assert_str_eq(a.out, b.out);
	unlink(trace);
	unlink(cfg);
	run_free(&gen);
	run_free(&a);
	run_free(&b);
}
