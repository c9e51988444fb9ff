/*
 * test_config.c - config_load() as a user sees it: where included files and
 * --set paths are found, what a DDW gets when only its page size is given,
 * and what ways: 0 means when entries changes.
 *
 * Each test writes its configs into a fresh directory under /tmp and chdirs
 * there (Criterion runs every test in its own process, so the chdir stays
 * in the test), so messages name short relative paths. The shipped platform
 * files are named by their absolute path, found before the chdir.
 *
 * The small platform below is all the keys without a default, plus a 16M
 * page size and max_levels 1 as pseries has (domain.md §5.4).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddwsim/config.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define PLATFORM \
	"name: t\n" \
	"kind: pseries\n" \
	"page_sizes: [4K, 64K, 16M]\n" \
	"max_levels: 1\n" \
	"default_window: {page_size: 4K, size: 1G}\n"

/* The same, as a flow mapping's inside. */
#define PLATFORM_INLINE \
	"name: t, kind: pseries, page_sizes: [4K, 64K, 16M], max_levels: 1, " \
	"default_window: {page_size: 4K, size: 1G}"

#define REST \
	"modes:\n" \
	"  - {name: dw, mapping: dynamic, window: default}\n" \
	"workload: {generator: nic_rx}\n"

/* Parameterized tests pass an index into their table (a pointer would not survive the worker). */
static unsigned indices[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static char tmp[64];		/* the test's directory */
static char top[PATH_MAX];	/* the repository, where the tests start */

/* Writes text to path (relative to the test's directory), making its folder. */
static void put(const char *path, const char *text)
{
	char dir[256];
	char *slash;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdir(dir, 0755);	/* one level is all the tests need */
	}
	fp = fopen(path, "w");
	cr_assert(fp != NULL, "cannot write %s", path);
	cr_assert(fputs(text, fp) >= 0 && fclose(fp) == 0);
}

static void enter_tmp(void)
{
	cr_assert(getcwd(top, sizeof(top)) != NULL);
	snprintf(tmp, sizeof(tmp), "/tmp/ddwsim-config-XXXXXX");
	cr_assert(mkdtemp(tmp) != NULL);
	cr_assert_eq(chdir(tmp), 0);
}

static void leave_tmp(void)
{
	char cmd[128];

	if (chdir(top) == 0 && tmp[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		cr_expect_eq(system(cmd), 0);
	}
}

/* Criterion runs a test's own .init (cr_redirect_stderr) as well as this one. */
TestSuite(config, .init = enter_tmp, .fini = leave_tmp);

/* Loads path with sets; returns config_load()'s result. The caller releases cfg. */
static int load(struct config *cfg, const char *path, const char **sets, unsigned n)
{
	return config_load(cfg, path, (char *const *)sets, n);
}

/* ---- includes ---- */

/*
 * A section given as a file name is found relative to the file that names
 * it, at every link of a chain: cfg/main.yaml names plat/link.yaml, which
 * holds only the name real.yaml, which is cfg/plat/real.yaml.
 */
Test(config, include_chain_resolves_each_name_against_its_own_file)
{
	struct config cfg;

	put("cfg/main.yaml", "platform: plat/link.yaml\nhost: {ram: 2G}\n" REST);
	mkdir("cfg/plat", 0755);
	put("cfg/plat/link.yaml", "real.yaml\n");
	put("cfg/plat/real.yaml", PLATFORM "tce_cache: {entries: 48, ways: 0}\n");
	cr_assert(eq(int, load(&cfg, "cfg/main.yaml", NULL, 0), 0));
	cr_expect(eq(str, cfg.platform.name, "t"));
	cr_expect(eq(u32, cfg.platform.tce_cache.entries, 48));
	config_release(&cfg);
}

/* {include: FILE, key: value}: FILE's settings, with the keys written beside it on top. */
Test(config, include_with_keys_overrides_only_those_keys)
{
	struct config cfg;

	put("cfg/main.yaml", "platform: {include: p.yaml, tce_cache: {entries: 32}}\n"
			     "host: {ram: 2G}\n" REST);
	put("cfg/p.yaml", PLATFORM "tce_cache: {entries: 64, ways: 4}\n");
	cr_assert(eq(int, load(&cfg, "cfg/main.yaml", NULL, 0), 0));
	cr_expect(eq(u32, cfg.platform.tce_cache.entries, 32));
	cr_expect(eq(u32, cfg.platform.tce_cache.ways, 4), "ways comes from p.yaml");
	cr_expect(eq(str, cfg.platform.name, "t"));
	config_release(&cfg);
}

/*
 * a.yaml names b.yaml, which names a.yaml again: the error is at the name
 * that closes the loop (b.yaml line 1, column 1).
 */
Test(config, include_cycle_is_an_error_at_the_name_that_closes_it, .init = cr_redirect_stderr)
{
	struct config cfg;

	put("main.yaml", "platform: inc/a.yaml\nhost: {ram: 2G}\n" REST);
	put("inc/a.yaml", "b.yaml\n");
	put("inc/b.yaml", "a.yaml\n");
	cr_expect(eq(int, load(&cfg, "main.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("inc/b.yaml:1:1: platform: circular include of 'inc/a.yaml'\n");
}

/*
 * The same loop spelt "./b.yaml" and "./a.yaml": every step makes a new
 * string ("inc/./b.yaml", "inc/././a.yaml"), so names never repeat; the files
 * do (device and inode), and the loop is found at its first turn instead of
 * as "too many included files".
 */
Test(config, include_cycle_is_found_however_the_names_are_spelt, .init = cr_redirect_stderr)
{
	struct config cfg;

	put("main.yaml", "platform: inc/a.yaml\nhost: {ram: 2G}\n" REST);
	put("inc/a.yaml", "./b.yaml\n");
	put("inc/b.yaml", "./a.yaml\n");
	cr_expect(eq(int, load(&cfg, "main.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("inc/./b.yaml:1:1: platform: circular include of 'inc/././a.yaml'\n");
}

/* An include that is a FIFO with no writer is refused by name; it used to block forever. */
Test(config, include_that_is_a_fifo_is_refused_without_blocking, .init = cr_redirect_stderr,
     .timeout = 10)
{
	struct config cfg;

	put("cfg/main.yaml", "platform: p.yaml\nhost: {ram: 2G}\n" REST);
	cr_assert(eq(int, mkfifo("cfg/p.yaml", 0600), 0));
	cr_expect(eq(int, load(&cfg, "cfg/main.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("cfg/main.yaml:1:11: platform: 'cfg/p.yaml' is a FIFO, expected a regular file\n");
}

/* The main file too: it is named, and what it is said. */
Test(config, main_file_that_is_a_fifo_is_refused_without_blocking, .init = cr_redirect_stderr,
     .timeout = 10)
{
	struct config cfg;

	cr_assert(eq(int, mkfifo("main.yaml", 0600), 0));
	cr_expect(eq(int, load(&cfg, "main.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("ddwsim: 'main.yaml' is a FIFO, expected a regular file\n");
}

/*
 * config_load_text(): a main file held in memory. A name it holds is found
 * from the working directory (its name has no '/'), and an error at one of
 * its own nodes names it without LINE:COL, since no file shows them.
 */
Test(config, text_config_resolves_names_from_the_working_directory, .init = cr_redirect_stderr)
{
	struct config cfg;

	put("cfg/p.yaml", PLATFORM);
	cr_assert(eq(int, config_load_text(&cfg, "in memory", "platform: cfg/p.yaml\nhost: {ram: 2G}\n" REST,
					   NULL, 0), 0));
	cr_expect(eq(str, cfg.platform.name, "t"));
	config_release(&cfg);
	cr_expect(eq(int, config_load_text(&cfg, "in memory", "platform: nope.yaml\nhost: {ram: 2G}\n" REST,
					   NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("in memory: platform: cannot open 'nope.yaml': No such file or directory\n");
}

Test(config, missing_include_names_the_file_as_resolved, .init = cr_redirect_stderr)
{
	struct config cfg;

	put("cfg/main.yaml", "platform: nope.yaml\nhost: {ram: 2G}\n" REST);
	cr_expect(eq(int, load(&cfg, "cfg/main.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("cfg/main.yaml:1:11: platform: cannot open 'cfg/nope.yaml': "
				"No such file or directory\n");
}

/* ---- paths given with --set ---- */

/* The layout for the trace tests: cfg/in-cfg.ddwt and top.ddwt, only opened, never read. */
static void trace_layout(void)
{
	put("cfg/main.yaml", "platform: {" "name: t, kind: pseries, page_sizes: [4K], "
			     "default_window: {page_size: 4K, size: 1G}}\n"
			     "host: {ram: 2G}\n"
			     "modes: [{name: dw, mapping: dynamic}]\n"
			     "workload: {trace: in-cfg.ddwt}\n");
	put("cfg/in-cfg.ddwt", "# ddwt 1\n");
	put("top.ddwt", "# ddwt 1\n");
}

/* Written in the file: relative to the file's folder, cfg/. */
Test(config, trace_written_in_a_file_is_relative_to_that_file)
{
	struct config cfg;

	trace_layout();
	cr_assert(eq(int, load(&cfg, "cfg/main.yaml", NULL, 0), 0));
	cr_expect(eq(str, cfg.workload.trace, "cfg/in-cfg.ddwt"));
	config_release(&cfg);
}

/* Given with --set: relative to the working directory, like any command-line path. */
Test(config, trace_given_with_set_is_relative_to_the_working_directory)
{
	const char *sets[] = { "workload.trace=top.ddwt" };
	struct config cfg;

	trace_layout();
	cr_assert(eq(int, load(&cfg, "cfg/main.yaml", sets, 1), 0));
	cr_expect(eq(str, cfg.workload.trace, "top.ddwt"));
	config_release(&cfg);
}

/* in-cfg.ddwt exists only in cfg/, so from the working directory it does not. */
Test(config, trace_given_with_set_is_not_looked_for_beside_the_config, .init = cr_redirect_stderr)
{
	const char *sets[] = { "workload.trace=in-cfg.ddwt" };
	struct config cfg;

	trace_layout();
	cr_expect(eq(int, load(&cfg, "cfg/main.yaml", sets, 1), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("--set workload.trace=in-cfg.ddwt: workload.trace: cannot open "
				"'in-cfg.ddwt': No such file or directory\n");
}

/* An absolute path is itself, from --set or from a file. */
Test(config, absolute_trace_path_from_set_is_kept)
{
	char set[PATH_MAX + 32], want[PATH_MAX + 16];
	const char *sets[] = { set };
	struct config cfg;

	trace_layout();
	snprintf(want, sizeof(want), "%s/top.ddwt", tmp);
	snprintf(set, sizeof(set), "workload.trace=%s", want);
	cr_assert(eq(int, load(&cfg, "cfg/main.yaml", sets, 1), 0));
	cr_expect(eq(str, cfg.workload.trace, want));
	config_release(&cfg);
}

/* ---- a DDW given only its page size ---- */

/*
 * size defaults to ram = 2^order_base_2(host.ram), the smallest power of two
 * at or above RAM (enable_ddw, domain.md §5.4):
 *   2G            = 2^31          -> 2^31
 *   3G            = 3 * 2^30      -> 2^32
 *   4G            = 2^32          -> 2^32
 *   2G + 64K      = 2^31 + 2^16   -> 2^32
 *   64M (minimum) = 2^26          -> 2^26
 * levels defaults to 1.
 */
struct ram_case {
	const char *ram;	/* host.ram as written */
	uint64_t size;		/* the window's size, worked out above */
};

static const struct ram_case ram_cases[] = {
	{ "2G", 1ull << 31 },
	{ "3G", 1ull << 32 },
	{ "4G", 1ull << 32 },
	{ "2148532224", 1ull << 32 },	/* 2G + 64K */
	{ "64M", 1ull << 26 },
};

ParameterizedTestParameters(config, set_page_size_on_a_default_window_makes_a_ram_sized_ddw)
{
	return cr_make_param_array(unsigned, indices, NELEM(ram_cases));
}

ParameterizedTest(unsigned *ix, config, set_page_size_on_a_default_window_makes_a_ram_sized_ddw)
{
	const struct ram_case *c = &ram_cases[*ix];
	const char *sets[] = { "modes[0].window.page_size=16M" };
	struct config cfg;
	char text[1024];

	snprintf(text, sizeof(text), "platform: {" "name: t, kind: pseries, page_sizes: [4K, 16M], "
		 "max_levels: 1, default_window: {page_size: 4K, size: 64M}}\n"
		 "host: {ram: %s}\n" REST, c->ram);
	put("main.yaml", text);
	cr_assert(eq(int, load(&cfg, "main.yaml", sets, 1), 0));
	cr_expect(not(cfg.modes[0].default_window));
	cr_expect(eq(u32, cfg.modes[0].page_shift, 24), "16M = 2^24");
	cr_expect(eq(u64, cfg.modes[0].size, c->size), "host.ram %s", c->ram);
	cr_expect(eq(u32, cfg.modes[0].levels, 1));
	config_release(&cfg);
}

/* The same default in a file, and a direct mode is then big enough for all of RAM. */
Test(config, ddw_without_size_in_a_file_covers_ram_for_direct_mapping)
{
	struct config cfg;

	put("main.yaml", "platform: {" "name: t, kind: pseries, page_sizes: [4K, 16M], "
			 "default_window: {page_size: 4K, size: 1G}}\n"
			 "host: {ram: 3G}\n"
			 "modes: [{name: dd, mapping: direct, window: {page_size: 16M}}]\n"
			 "workload: {generator: nic_rx}\n");
	cr_assert(eq(int, load(&cfg, "main.yaml", NULL, 0), 0));
	cr_expect(eq(u64, cfg.modes[0].size, 1ull << 32), "3G rounds up to 4G");
	config_release(&cfg);
}

struct param_find {
	const char *path;	/* the parameter wanted */
	char value[64];
	char src[256];
};

static void find_param(void *arg, const char *path, const char *value, const char *unit,
		       const char *src, bool assumed)
{
	struct param_find *f = arg;

	(void)unit;
	(void)assumed;
	if (!strcmp(path, f->path)) {
		snprintf(f->value, sizeof(f->value), "%s", value);
		snprintf(f->src, sizeof(f->src), "%s", src);
	}
}

/* The report says the size is a default, and where the default comes from. */
Test(config, defaulted_ddw_size_is_reported_with_its_source)
{
	const char *sets[] = { "modes[0].window.page_size=16M" };
	struct param_find size = { .path = "modes[0].window.size" };
	struct param_find page = { .path = "modes[0].window.page_size" };
	struct config cfg;

	put("main.yaml", "platform: {" "name: t, kind: pseries, page_sizes: [4K, 16M], "
			 "default_window: {page_size: 4K, size: 1G}}\n"
			 "host: {ram: 2G}\n" REST);
	cr_assert(eq(int, load(&cfg, "main.yaml", sets, 1), 0));
	config_params(&cfg, find_param, &size);
	config_params(&cfg, find_param, &page);
	cr_expect(eq(str, size.value, "2G"));
	cr_expect(eq(str, size.src,
		     "enable_ddw sizes a direct DDW 2^order_base_2(RAM) (domain.md §5.4)"));
	cr_expect(eq(str, page.value, "16M"));
	cr_expect(eq(str, page.src, "--set modes[0].window.page_size=16M"));
	config_release(&cfg);
}

/* ---- ways: 0 ---- */

/* Fully associative stays fully associative when only entries changes: ways = entries. */
Test(config, ways_zero_follows_entries_set_on_the_command_line)
{
	const char *sets[] = { "platform.tce_cache.entries=16" };
	struct config cfg;

	put("main.yaml", "platform: {" "name: t, kind: pseries, page_sizes: [4K], "
			 "default_window: {page_size: 4K, size: 1G}, tce_cache: {entries: 128, ways: 0}}\n"
			 "host: {ram: 2G}\n" REST);
	cr_assert(eq(int, load(&cfg, "main.yaml", sets, 1), 0));
	cr_expect(eq(u32, cfg.platform.tce_cache.entries, 16));
	cr_expect(eq(u32, cfg.platform.tce_cache.ways, 16), "one set of 16");
	config_release(&cfg);
}

/* What the shipped platforms used to say: 128 ways cannot divide 16 entries. */
Test(config, ways_equal_to_old_entries_do_not_divide_new_entries, .init = cr_redirect_stderr)
{
	const char *sets[] = { "platform.tce_cache.entries=16" };
	struct config cfg;

	put("main.yaml", "platform: {" "name: t, kind: pseries, page_sizes: [4K], "
			 "default_window: {page_size: 4K, size: 1G}, tce_cache: {entries: 128, ways: 128}}\n"
			 "host: {ram: 2G}\n" REST);
	cr_expect(eq(int, load(&cfg, "main.yaml", sets, 1), -1));
	config_release(&cfg);
	fflush(stderr);
	/* the value 128 after "ways: " starts at byte 128 of line 1: column 129 */
	cr_assert_stderr_eq_str("main.yaml:1:129: platform.tce_cache.ways: 128 ways do not divide "
				"16 entries, expected a divisor of platform.tce_cache.entries\n");
}

/* Every shipped platform takes --set platform.tce_cache.entries=16 (the README's example). */
static const char *platforms[] = { "phb3", "phb4", "phb5", "qemu-pseries", "kvm-vfio-phb4" };

ParameterizedTestParameters(config, shipped_platforms_take_any_entries)
{
	return cr_make_param_array(unsigned, indices, NELEM(platforms));
}

ParameterizedTest(unsigned *ix, config, shipped_platforms_take_any_entries)
{
	const char *sets[] = { "platform.tce_cache.entries=16" };
	struct config cfg;
	char text[2 * PATH_MAX];

	snprintf(text, sizeof(text), "platform: %s/configs/platforms/%s.yaml\n"
		 "host: {ram: 2G}\n" REST, top, platforms[*ix]);
	put("main.yaml", text);
	cr_assert(eq(int, load(&cfg, "main.yaml", sets, 1), 0), "%s", platforms[*ix]);
	cr_expect(eq(u32, cfg.platform.tce_cache.entries, 16));
	cr_expect(eq(u32, cfg.platform.tce_cache.ways, 16), "%s: fully associative",
		  platforms[*ix]);
	config_release(&cfg);
}

/*
 * kill.phb_lock is on exactly where a kill is an OPAL call: skiboot's
 * opal_pci_tce_kill (core/pci-opal.c) takes phb_lock around the PHB's
 * tce_kill op, and only PHB4/PHB5 (hw/phb4.c) have one. PHB3 has no tce_kill
 * op (Linux writes PHB_TCE_KILL itself, domain.md §2.9) and QEMU's pseries
 * kill is not skiboot's; the kvm-vfio-phb4 host kills through OPAL on PHB4.
 */
static const bool platform_locks[] = { false, true, true, false, true };

ParameterizedTestParameters(config, kills_take_the_phb_lock_where_they_are_opal_calls)
{
	return cr_make_param_array(unsigned, indices, NELEM(platforms));
}

ParameterizedTest(unsigned *ix, config, kills_take_the_phb_lock_where_they_are_opal_calls)
{
	struct config cfg;
	char text[2 * PATH_MAX];

	_Static_assert(NELEM(platform_locks) == NELEM(platforms), "one per platform");
	snprintf(text, sizeof(text), "platform: %s/configs/platforms/%s.yaml\n"
		 "host: {ram: 2G}\n" REST, top, platforms[*ix]);
	put("main.yaml", text);
	cr_assert(eq(int, load(&cfg, "main.yaml", NULL, 0), 0), "%s", platforms[*ix]);
	cr_expect(eq(int, cfg.platform.kill.phb_lock, platform_locks[*ix]), "%s", platforms[*ix]);
	cr_expect(eq(int, cfg.platform.kill.phb_lock, cfg.platform.kill.opal), "%s: the lock is OPAL's",
		  platforms[*ix]);
	config_release(&cfg);
}

/* ---- mapping: auto and the offer ---- */

/* An auto mode takes the offer's defaults (QEMU's query) and resolves memory_hotplug_max. */
Test(config, auto_mode_reads_the_offer_with_qemu_defaults)
{
	const char *sets[] = { "modes[0].mapping=auto" };
	struct config cfg;

	put("main.yaml", "platform: {" PLATFORM_INLINE "}\nhost: {ram: 3G}\n" REST);
	cr_assert(eq(int, load(&cfg, "main.yaml", sets, 1), 0));
	cr_expect(eq(int, cfg.modes[0].mapping, MAP_AUTO));
	cr_expect(eq(u64, cfg.platform.ddw.largest_block, 1ull << 37), "0x20:0x0 (6 outputs)");
	cr_expect(eq(u32, cfg.platform.ddw.windows_available, 1), "2 windows, 1 in use");
	cr_expect(not(cfg.platform.ddw.limited_addressing));
	cr_expect(eq(u64, cfg.host.memory_hotplug_max, 3ull << 30), "ram: host.ram");
	cr_expect(not(cfg.host.pmem));
	cr_expect(eq(u32, cfg.host.iommu_groups, 1));
	config_release(&cfg);
}

/* An explicit DDW past the device's DMA mask is refused, naming both keys. */
Test(config, explicit_ddw_past_the_dma_mask_names_both_keys, .init = cr_redirect_stderr)
{
	const char *sets[] = { "host.dma_mask=0xffffffffff" };
	struct config cfg;

	/* [1<<59, +2G) ends at 0x80000007fffffff > 2^40 - 1 */
	put("main.yaml", "platform: {" PLATFORM_INLINE "}\nhost: {ram: 2G}\n"
			 "modes: [{name: dd, mapping: direct, window: {page_size: 16M}}]\n"
			 "workload: {generator: nic_rx}\n");
	cr_expect(eq(int, load(&cfg, "main.yaml", sets, 1), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("main.yaml:3:45: modes[0].window: a 2G DDW (window.size) at platform.ddw_start 0x800000000000000 ends at 0x80000007fffffff, above host.dma_mask 0xffffffffff: the device cannot reach it\n");
}

/* The default window stays legal for any mask: it ends below 4G. */
Test(config, default_window_with_a_32_bit_mask_is_fine)
{
	const char *sets[] = { "host.dma_mask=0xffffffff", "modes[0].mapping=auto" };
	struct config cfg;

	put("main.yaml", "platform: {" PLATFORM_INLINE "}\nhost: {ram: 2G}\n" REST);
	cr_assert(eq(int, load(&cfg, "main.yaml", sets, 2), 0));
	config_release(&cfg);
}

static char *param_of(const struct config *cfg, const char *path, char *src, size_t n)
{
	static struct param_find f;

	memset(&f, 0, sizeof(f));
	f.path = path;
	config_params(cfg, find_param, &f);
	if (src)
		snprintf(src, n, "%s", f.src);
	return f.value;
}

#define WL_HEAD "platform: p.yaml\nhost: {ram: 2G}\nmodes: [{name: dw, mapping: dynamic, window: default}]\n"

/* A workload included with keys: the file's generator and settings, the keys beside include on top. */
Test(config, workload_include_with_keys_overrides_only_those_keys)
{
	struct config cfg;
	char src[256];

	put("cfg/p.yaml", PLATFORM);
	put("cfg/main.yaml", WL_HEAD "workload: {include: w/nvme.yaml, queue_depth: 8}\n");
	put("cfg/w/nvme.yaml", "generator: nvme\nqueue_depth: 32\nblock_size: 64K\n");
	cr_assert(eq(int, load(&cfg, "cfg/main.yaml", NULL, 0), 0));
	cr_expect(eq(str, cfg.workload.generator, "nvme"));
	cr_expect(eq(str, param_of(&cfg, "workload.queue_depth", src, sizeof(src)), "8"));
	cr_expect(eq(str, src, "cfg/main.yaml:4:47"));	/* the 8: column 12 + 22 + 13 */
	cr_expect(eq(str, param_of(&cfg, "workload.block_size", src, sizeof(src)), "64K"));
	cr_expect(eq(str, src, "cfg/w/nvme.yaml:3:13"));
	/* read_pct is in neither file: the generator's default */
	cr_expect(eq(str, param_of(&cfg, "workload.read_pct", NULL, 0), "100"));
	config_release(&cfg);
}

/* The include keeps the file's generator: naming it again is fine, another is an error at the key. */
Test(config, workload_include_keeps_its_generator, .init = cr_redirect_stderr)
{
	struct config cfg;
	char err[512] = "";

	put("cfg/p.yaml", PLATFORM);
	put("cfg/w.yaml", "generator: nvme\nqueue_depth: 4\n");
	put("cfg/same.yaml", WL_HEAD "workload: {include: w.yaml, generator: nvme}\n");
	cr_assert(eq(int, load(&cfg, "cfg/same.yaml", NULL, 0), 0));
	config_release(&cfg);
	put("cfg/other.yaml", WL_HEAD "workload: {include: w.yaml, generator: nic_rx}\n");
	cr_assert(eq(int, load(&cfg, "cfg/other.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert(fread(err, 1, sizeof(err) - 1, cr_get_redirected_stderr()) > 0);
	cr_expect(strstr(err, "cfg/other.yaml:4:40: workload.generator: the included workload is generator 'nvme': an include changes its settings, not its generator") != NULL,
		  "%s", err);
}

/* A trace workload included: nothing may be written beside it but include. */
Test(config, workload_include_of_a_trace, .init = cr_redirect_stderr)
{
	struct config cfg;
	char err[512] = "";

	put("cfg/p.yaml", PLATFORM);
	put("cfg/t.ddwt", "# ddwt 1\nmap 0 0x1 0x1000 4096 to\nunmap 0 0x1\n");
	put("cfg/w.yaml", "trace: t.ddwt\n");
	put("cfg/ok.yaml", WL_HEAD "workload: {include: w.yaml}\n");
	cr_assert(eq(int, load(&cfg, "cfg/ok.yaml", NULL, 0), 0));
	cr_expect(strstr(cfg.workload.trace, "cfg/t.ddwt") != NULL, "%s", cfg.workload.trace);
	config_release(&cfg);
	put("cfg/bad.yaml", WL_HEAD "workload: {include: w.yaml, queue_depth: 4}\n");
	cr_assert(eq(int, load(&cfg, "cfg/bad.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert(fread(err, 1, sizeof(err) - 1, cr_get_redirected_stderr()) > 0);
	cr_expect(strstr(err, "cfg/bad.yaml:4:29: workload: unknown key 'queue_depth' beside trace, expected only trace") != NULL,
		  "%s", err);
}


/* ---- list values given with --set (YAML flow sequence syntax) ---- */

#define LIST_PLATFORM "platform: {name: t, kind: pseries, page_sizes: [4K], max_levels: 1, " \
		      "default_window: {page_size: 4K, size: 64M}}\nhost: {ram: 2G}\n" REST

/*
 * "[4K, 64K, 16M]" is a list of three, whatever the blanks around the items
 * and with a comma before ']' (YAML allows it): bits 12, 16 and 24 =
 * 0x1000 | 0x10000 | 0x1000000 = 0x1011000.
 */
Test(config, set_takes_a_list_in_yaml_flow_syntax)
{
	static const char *const values[] = {
		"platform.page_sizes=[4K,64K,16M]", "platform.page_sizes=[ 4K , 64K,16M ]",
		"platform.page_sizes=[4K, 64K, 16M,]",
	};
	struct config cfg;

	put("main.yaml", LIST_PLATFORM);
	for (unsigned i = 0; i < 3; i++) {
		const char *sets[] = { values[i] };

		cr_assert(eq(int, load(&cfg, "main.yaml", sets, 1), 0), "%s", values[i]);
		cr_expect(eq(u64, cfg.platform.page_sizes, 0x1011000ull), "%s", values[i]);
		config_release(&cfg);
	}
}

/* An item the key refuses is named with the --set that gave it. */
Test(config, set_list_item_errors_name_the_set, .init = cr_redirect_stderr)
{
	const char *sets[] = { "platform.page_sizes=[4K,,64K]" };
	struct config cfg;

	put("main.yaml", LIST_PLATFORM);
	cr_expect(eq(int, load(&cfg, "main.yaml", sets, 1), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("--set platform.page_sizes=[4K,,64K]: platform.page_sizes: expected a "
				"list of power-of-two sizes in 4K..16G, like [4K, 64K, 2M], got ''\n");
}

/*
 * A list key whose default is none (platform.host_tce.page_sizes: no host
 * IOMMU behind the guest's windows) takes none again, so a --set undoes a
 * file's list: the file's [4K, 64K] (0x11000) becomes the empty list, 0.
 * platform.page_sizes has a list for its default and no empty meaning: none
 * is refused there, and its message does not offer it.
 */
Test(config, set_none_empties_a_list_whose_default_is_none, .init = cr_redirect_stderr)
{
	const char *none[] = { "platform.host_tce.page_sizes=none" };
	const char *bad[] = { "platform.page_sizes=none" };
	struct config cfg;

	put("main.yaml", "platform: {name: t, kind: pseries, page_sizes: [4K], max_levels: 1, "
			 "host_tce: {page_sizes: [4K, 64K]}, "
			 "default_window: {page_size: 4K, size: 64M}}\nhost: {ram: 2G}\n" REST);
	cr_assert(eq(int, load(&cfg, "main.yaml", NULL, 0), 0));
	cr_expect(eq(u64, cfg.platform.host_tce.page_sizes, 0x11000ull));
	config_release(&cfg);
	cr_assert(eq(int, load(&cfg, "main.yaml", none, 1), 0));
	cr_expect(eq(u64, cfg.platform.host_tce.page_sizes, 0ull));
	config_release(&cfg);
	cr_expect(eq(int, load(&cfg, "main.yaml", bad, 1), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("--set platform.page_sizes=none: platform.page_sizes: expected a list of "
				"power-of-two sizes in 4K..16G, like [4K, 64K, 2M], got 'none'\n");
}

/* "[]" is an empty list, which page_sizes refuses; "[4K" is no list, one scalar, shown. */
Test(config, set_empty_or_unclosed_list_is_refused, .init = cr_redirect_stderr)
{
	const char *empty[] = { "platform.page_sizes=[]" };
	const char *open[] = { "platform.page_sizes=[4K" };
	struct config cfg;

	put("main.yaml", LIST_PLATFORM);
	cr_expect(eq(int, load(&cfg, "main.yaml", empty, 1), -1));
	config_release(&cfg);
	cr_expect(eq(int, load(&cfg, "main.yaml", open, 1), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str("--set platform.page_sizes=[]: platform.page_sizes: expected a list of "
				"power-of-two sizes in 4K..16G, like [4K, 64K, 2M]\n"
				"--set platform.page_sizes=[4K: platform.page_sizes: expected a list of "
				"power-of-two sizes in 4K..16G, like [4K, 64K, 2M], got '[4K'\n");
}
