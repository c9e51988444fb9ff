/*
 * config_check.c - step 4 of config_load(): what no single key can check,
 * because values must agree with each other.
 *
 * Also resolves the values that depend on others, so the structs hold plain
 * numbers afterwards:
 *   tce_cache.ways 0          -> entries (fully associative)
 *   default_window.size ram   -> rounddown_pow_of_two(host.ram)
 *                                (pnv_pci_ioda2_setup_default_config, domain.md §2.7)
 *   modes[].window.size ram   -> 2^order_base_2(host.ram) (enable_ddw, domain.md §5.4)
 *   modes[].window: default   -> the platform's default window
 *   host.memory_hotplug_max ram -> host.ram
 *
 * An error points at the value's origin (cfg_err_path): the file, line and
 * column it was written at, or the --set that gave it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ddwsim/checked.h"
#include "ddwsim/config.h"
#include "ddwsim/synth.h"
#include "ddwsim/tce_table.h"
#include "ddwsim/xalloc.h"
#include "config_int.h"

static uint64_t pow2_down(uint64_t x)
{
	return x ? 1ull << (63 - __builtin_clzll(x)) : 0;
}

static uint64_t pow2_up(uint64_t x)
{
	return x <= 1 ? 1 : (x > (1ull << 63) ? 0 : 1ull << (64 - __builtin_clzll(x - 1)));
}

/*
 * A guest window behind a host IOMMU needs a host TCE no bigger than its own
 * and than the RAM backing page (vfio_spapr_create_window: "Host doesn't
 * support page size"); only a guest has a host side.
 */
static int check_host_backing(const struct config *c, unsigned page_shift)
{
	const struct platform_cfg *p = &c->platform;
	struct phb_host h = { .page_sizes = p->host_tce.page_sizes,
			      .ram_shift = p->host_tce.ram_page_shift };
	char a[32], b[32];

	if (!h.page_sizes)
		return 0;
	if (p->kind != PLAT_PSERIES)
		return cfg_err_path(c, "platform.host_tce.page_sizes", "a host IOMMU behind the windows needs a guest (platform.kind: pseries), this platform is the host");
	if (!phb_host_shift(&h, page_shift))
		return cfg_err_path(c, "platform.host_tce.page_sizes", "no host TCE size <= min(%s guest TCEs, ram_page_size %s) to back them (vfio_spapr_create_window)",
				    config_size_str(1ull << page_shift, a, sizeof(a)),
				    config_size_str(1ull << h.ram_shift, b, sizeof(b)));
	return 0;
}

/* A window the platform can make: its TCE size, levels, size and table limit. */
static int check_window(const struct config *c, const char *path, unsigned page_shift,
			uint64_t size, unsigned levels)
{
	const struct platform_cfg *p = &c->platform;
	char kp[PATH_MAX_LEN], a[32], b[32];
	struct tce_geom g;
	struct tce_table_req req = {
		.kind = p->kind == PLAT_POWERNV ? TCE_TABLE_PNV : TCE_TABLE_HV,
		.page_shift = page_shift, .window_size = size, .levels = levels,
		.host_page_shift = c->host.page_shift, .max_bits = p->max_table_bits,
	};

	cfg_key_path(kp, sizeof(kp), path, "page_size");
	if (!(p->page_sizes & (1ull << page_shift)))
		return cfg_err_path(c, kp, "%s TCEs are not supported by platform '%s'",
				    config_size_str(1ull << page_shift, a, sizeof(a)), p->name);
	if (check_host_backing(c, page_shift) < 0)
		return -1;
	cfg_key_path(kp, sizeof(kp), path, "levels");
	if (levels < 1 || levels > p->max_levels)
		return cfg_err_path(c, kp, "%u levels, platform '%s' allows 1..%u", levels, p->name,
				    p->max_levels);
	cfg_key_path(kp, sizeof(kp), path, "size");
	if (!size || (size & (size - 1)) || size < (1ull << page_shift) || size > (1ull << 59))
		return cfg_err_path(c, kp, "window of %s bytes, expected a power of two in %s..512P",
				    config_size_str(size, a, sizeof(a)),
				    config_size_str(1ull << page_shift, b, sizeof(b)));
	if (tce_geom_compute(&g, &req) < 0)
		return cfg_err_path(c, kp, "a %s window of %s TCEs in %u levels needs a table beyond the %u-bit limit (pnv_pci_ioda2_table_alloc_pages), use more levels or bigger TCEs",
				    config_size_str(size, a, sizeof(a)),
				    config_size_str(1ull << page_shift, b, sizeof(b)), levels,
				    p->max_table_bits);
	return 0;
}

/* Mode m (at path "modes[i].window") maps through the platform's default window. */
static void use_default_window(struct config *c, struct mode_cfg *m, const char *path)
{
	static const char *const keys[] = { "page_size", "size", "levels", NULL };
	const struct platform_cfg *p = &c->platform;
	char kp[PATH_MAX_LEN];

	m->page_shift = p->default_window.page_shift;
	m->size = p->default_window.size;
	m->levels = p->default_window.levels;
	for (const char *const *k = keys; *k; k++) {
		cfg_key_path(kp, sizeof(kp), path, *k);
		cfg_origin_add(c, kp, "platform.default_window");
	}
}

/*
 * The device must reach the whole DDW: its last byte, ddw_start + size - 1,
 * at most host.dma_mask (the kernel never makes a window past fls64(mask):
 * enable_ddw's ddw_sz; an explicit one past it would fault at run time).
 */
static int check_reach(const struct config *c, const struct mode_cfg *m, const char *path)
{
	uint64_t last = c->platform.ddw_start + (m->size - 1);
	char a[32];

	if (last <= c->host.dma_mask)
		return 0;
	return cfg_err_path(c, path, "a %s DDW (window.size) at platform.ddw_start %#" PRIx64 " ends at %#" PRIx64 ", above host.dma_mask %#" PRIx64 ": the device cannot reach it",
			    config_size_str(m->size, a, sizeof(a)), c->platform.ddw_start, last,
			    c->host.dma_mask);
}

/* Mode m creates a DDW: its size resolved, then checked against the platform. */
static int check_ddw(struct config *c, struct mode_cfg *m, const char *path)
{
	const struct platform_cfg *p = &c->platform;
	char a[32];

	if (m->size == SIZE_RAM)
		m->size = pow2_up(c->host.ram);	/* enable_ddw: order_base_2(RAM) */
	if (check_window(c, path, m->page_shift, m->size, m->levels) < 0)
		return -1;
	if (p->max_windows < 2)
		return cfg_err_path(c, path, "platform '%s' allows %u window per PE, so no DDW can be created",
				    p->name, p->max_windows);
	if (ck_range(p->ddw_start, m->size))	/* the DDW is [ddw_start, ddw_start + size) */
		return cfg_err_path(c, "platform.ddw_start", "the %s DDW of %s would end past 2^64 - 1 (%#" PRIx64 " + %" PRIu64 ")",
				    config_size_str(m->size, a, sizeof(a)), path, p->ddw_start, m->size);
	return check_reach(c, m, path);
}

/* A bypass mode's bus addresses are bypass_base + phys, phys in [0, host.ram). */
static int check_bypass(const struct config *c, const char *path)
{
	const struct platform_cfg *p = &c->platform;
	char a[32];

	if (ck_range(p->bypass_base, c->host.ram))
		return cfg_err_path(c, "platform.bypass_base", "bypassing %s of host.ram for %s would end past 2^64 - 1 (%#" PRIx64 " + %" PRIu64 ")",
				    config_size_str(c->host.ram, a, sizeof(a)), path, p->bypass_base,
				    c->host.ram);
	return 0;
}

/* A direct mode's window must cover all of host.ram. */
static int check_direct(const struct config *c, const struct mode_cfg *m, const char *path)
{
	char kp[PATH_MAX_LEN], a[32];

	if (m->mapping != MAP_DIRECT || m->size >= c->host.ram)
		return 0;
	if (!m->default_window) {
		cfg_key_path(kp, sizeof(kp), path, "size");
		return cfg_err_path(c, kp, "a direct window must cover host.ram (%s), write 'size: ram'",
				    config_size_str(c->host.ram, a, sizeof(a)));
	}
	return cfg_err_path(c, path, "the default window (%s) cannot map all of host.ram (%s) directly",
			    config_size_str(m->size, kp, sizeof(kp)),
			    config_size_str(c->host.ram, a, sizeof(a)));
}

/* mapping: auto is the pseries guest's enable_ddw, which picks the window itself. */
static int check_auto(const struct config *c, const struct mode_cfg *m, const char *path,
		      unsigned i)
{
	char kp[64];

	if (!m->default_window)
		return cfg_err_path(c, path, "mapping: auto decides the DDW itself (enable_ddw), leave 'window' out");
	snprintf(kp, sizeof(kp), "modes[%u].mapping", i);
	if (c->platform.kind != PLAT_PSERIES)
		return cfg_err_path(c, kp, "auto models the pseries guest's enable_ddw, platform '%s' is %s",
				    c->platform.name, plat_kind_names[c->platform.kind]);
	return 0;
}

static int check_modes(struct config *c)
{
	char path[64];

	for (unsigned i = 0; i < c->nmodes; i++) {
		struct mode_cfg *m = &c->modes[i];

		snprintf(path, sizeof(path), "modes[%u].window", i);
		if (m->mapping == MAP_BYPASS) {
			if (!m->default_window)
				return cfg_err_path(c, path, "a bypass mode uses no window, write 'window: default' or leave it out");
			snprintf(path, sizeof(path), "modes[%u]", i);
			if (check_bypass(c, path) < 0)
				return -1;
			continue;
		}
		if (m->mapping == MAP_AUTO && check_auto(c, m, path, i) < 0)
			return -1;
		if (m->default_window)
			use_default_window(c, m, path);
		else if (check_ddw(c, m, path) < 0)
			return -1;
		if (check_direct(c, m, path) < 0)
			return -1;
	}
	return 0;
}

/* The TCE cache's shape; ways 0 means fully associative (one set of all entries). */
static int check_cache(struct config *c)
{
	struct platform_cfg *p = &c->platform;

	if (!p->tce_cache.ways)
		p->tce_cache.ways = p->tce_cache.entries;	/* fully associative */
	if (p->tce_cache.ways > p->tce_cache.entries || p->tce_cache.entries % p->tce_cache.ways)
		return cfg_err_path(c, "platform.tce_cache.ways", "%u ways do not divide %u entries, expected a divisor of platform.tce_cache.entries",
				    p->tce_cache.ways, p->tce_cache.entries);
	return 0;
}

/* A link's values that the key table cannot check; path: "platform.pcie", "devices[1].device.pcie". */
static int check_link(const struct config *c, const struct pcie_cfg *l, const char *path)
{
	const char *key = NULL, *exp = NULL;
	char kp[PATH_MAX_LEN];

	if (l->mrrs & (l->mrrs - 1))
		key = "mrrs", exp = "a power of two in 128..4096";
	else if (l->mps & (l->mps - 1))
		key = "mps", exp = "a power of two in 128..4096";
	else if (l->lanes & (l->lanes - 1))
		key = "lanes", exp = "1, 2, 4, 8 or 16";
	else if (l->rcb != 64 && l->rcb != 128)
		key = "rcb", exp = "64 or 128";
	if (!key)
		return 0;
	cfg_key_path(kp, sizeof(kp), path, key);
	return cfg_err_path(c, kp, "expected %s", exp);
}

/*
 * Groups whose PHBs take other TCE sizes than the first: a VFIO container
 * on a PowerNV host, with a second group, and the default window's size
 * among them (VFIO programs it on every group as well).
 */
static int check_groups(const struct config *c)
{
	const struct platform_cfg *p = &c->platform;
	uint64_t sizes = c->host.group_page_sizes;
	char a[32];

	if (!sizes)
		return 0;
	if (p->kind != PLAT_POWERNV)
		return cfg_err_path(c, "host.group_page_sizes", "the groups of a VFIO container need a PowerNV host (platform.kind: powernv), this platform is a guest");
	if (c->host.iommu_groups < 2)
		return cfg_err_path(c, "host.group_page_sizes", "applies to groups 2..N, expected host.iommu_groups of 2 or more");
	if (!(sizes & (1ull << p->default_window.page_shift)))
		return cfg_err_path(c, "host.group_page_sizes", "lacks the default window's %s TCEs (platform.default_window.page_size), which every group is set with",
				    config_size_str(1ull << p->default_window.page_shift, a, sizeof(a)));
	return 0;
}

static int check_host_and_link(const struct config *c)
{
	char path[PATH_MAX_LEN];

	if (c->host.ram & ((1ull << c->host.page_shift) - 1))
		return cfg_err_path(c, "host.ram", "not a multiple of host.page_size");
	if (c->host.page_shift != 12 && c->host.page_shift != 16)
		return cfg_err_path(c, "host.page_size", "expected 4K or 64K (ppc64 kernel page sizes)");
	if (c->host.memory_hotplug_max < c->host.ram)
		return cfg_err_path(c, "host.memory_hotplug_max", "below host.ram, expected ram or a size of at least it");
	if (check_link(c, &c->platform.pcie, "platform.pcie") < 0)
		return -1;
	for (unsigned i = 0; i < c->ndevitems; i++) {
		snprintf(path, sizeof(path), "devices[%u].device.pcie", i);
		if (check_link(c, &c->devices[i].pcie, path) < 0)
			return -1;
	}
	return check_groups(c);
}

/*
 * What the generator's own check (synth.c) says about its parameters
 * together: the workload's, or each devices: item's (checked as the
 * workload of a copy of the config, which is what its devices run).
 */
static int check_workload(const struct config *c)
{
	const struct synth_gen *gen = synth_find(c->workload.generator);
	const char *key = NULL, *msg = gen && gen->check ? gen->check(c, &key) : NULL;
	char kp[PATH_MAX_LEN], path[32];
	struct config *one;
	int rc = 0;

	if (msg) {
		cfg_key_path(kp, sizeof(kp), c->ndevitems ? "devices[0]" : "workload", key);
		return cfg_err_path(c, kp, "%s", msg);
	}
	one = xmalloc(sizeof(*one));
	for (unsigned i = 1; i < c->ndevitems && rc == 0; i++) {
		*one = *c;
		config_as_device(one, i);
		gen = synth_find(one->workload.generator);
		msg = gen && gen->check ? gen->check(one, &key) : NULL;
		snprintf(path, sizeof(path), "devices[%u]", i);
		cfg_key_path(kp, sizeof(kp), path, msg ? key : "");
		rc = msg ? cfg_err_path(c, kp, "%s", msg) : 0;
	}
	free(one);
	return rc;
}

int cfg_check_all(struct config *c)
{
	struct platform_cfg *p = &c->platform;

	if (c->host.memory_hotplug_max == SIZE_RAM)
		c->host.memory_hotplug_max = c->host.ram;
	if (check_cache(c) < 0 || check_host_and_link(c) < 0)
		return -1;
	if (p->default_window.size == SIZE_RAM)
		p->default_window.size = pow2_down(c->host.ram); /* §2.7: rounddown_pow_of_two */
	if (check_window(c, "platform.default_window", p->default_window.page_shift,
			 p->default_window.size, p->default_window.levels) < 0)
		return -1;
	if (check_modes(c) < 0)
		return -1;
	return check_workload(c);
}
