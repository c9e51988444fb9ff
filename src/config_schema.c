/*
 * config_schema.c - every config key: type, range, default, unit, and where
 * the default comes from (reference/numbers.md row, a kernel source, or
 * "assumed"). config.c walks these tables; the report prints them; the
 * README's option table is made from them (ddwsim --list-keys).
 */
#include <stddef.h>
#include <string.h>

#include "ddwsim/config.h"
#include "config_schema.h"

#define KIB		1024ull
#define MIB		(KIB * KIB)
#define GIB		(MIB * KIB)
#define TIB		(GIB * KIB)
#define EIB		(TIB * MIB)

const char *const plat_kind_names[] = { "pseries", "powernv", NULL };
const char *const mapping_names[] = { "dynamic", "direct", "bypass", NULL };
const char *const kill_scope_names[] = { "none", "page", "pe", "all", NULL };
static const char *const policy_names[] = { "lru", "fifo", "random", NULL };

#define P(f)	offsetof(struct platform_cfg, f)

static const struct cfg_key default_window_keys[] = {
	{ .name = "page_size", .type = CFG_PAGE, .off = P(default_window.page_shift) - P(default_window),
	  .min = 4 * KIB, .max = 16 * GIB, .help = "TCE size of the default window" },
	{ .name = "size", .type = CFG_SIZE_RAM, .off = P(default_window.size) - P(default_window),
	  .min = 4 * KIB, .max = 512 * 1024 * TIB, .unit = "bytes",
	  .help = "default window size; ram = rounddown_pow_of_two(host.ram) (pnv_pci_ioda2_setup_default_config)" },
	{ .name = "levels", .type = CFG_U32, .off = P(default_window.levels) - P(default_window),
	  .min = 1, .max = 5, .def = "1", .src = "QEMU/PowerVM default windows are flat",
	  .help = "table levels of the default window" },
	{ 0 },
};

static const struct cfg_key tce_cache_keys[] = {
	{ .name = "entries", .type = CFG_U32, .off = P(tce_cache.entries) - P(tce_cache),
	  .min = 1, .max = 1u << 20, .def = "128", .unit = "TCEs",
	  .src = "assumed (numbers.md §5: capacity not public)",
	  .assumed = true,
	  .help = "TCE-cache entries" },
	{ .name = "ways", .type = CFG_U32, .off = P(tce_cache.ways) - P(tce_cache),
	  .min = 1, .max = 1u << 20, .def = "128",
	  .src = "assumed fully associative (numbers.md §5)",
	  .assumed = true,
	  .help = "ways per set; set = TCE index mod (entries / ways)" },
	{ .name = "policy", .type = CFG_ENUM, .off = P(tce_cache.policy) - P(tce_cache),
	  .def = "lru", .enums = policy_names, .src = "assumed (numbers.md §5)",
	  .assumed = true,
	  .help = "replacement: lru, fifo or random (seeded by run.seed)" },
	{ 0 },
};

static const struct cfg_key kill_keys[] = {
	{ .name = "scope", .type = CFG_ENUM, .off = P(kill.scope) - P(kill), .def = "page",
	  .enums = kill_scope_names, .src = "PHB3 kills pages (domain.md §2.9)",
	  .help = "what one page-kill request invalidates: none, page, pe (PHB4/5 HW560152) or all" },
	{ .name = "per_tce", .type = CFG_BOOL, .off = P(kill.per_tce) - P(kill), .def = "true",
	  .src = "pnv_pci_phb3_tce_invalidate: one MMIO store per page (domain.md §2.9)",
	  .help = "one kill request per TCE (true) or one per map/unmap call (false)" },
	{ .name = "opal", .type = CFG_BOOL, .off = P(kill.opal) - P(kill), .def = "false",
	  .src = "PHB3 writes PHB_TCE_KILL directly (domain.md §2.9)",
	  .help = "kill requests are OPAL_PCI_TCE_KILL calls (PHB4/5)" },
	{ .name = "on_map", .type = CFG_BOOL, .off = P(kill.on_map) - P(kill), .def = "false",
	  .src = "pseries guests do not kill; PowerNV sets true (pnv_ioda2_tce_build)",
	  .help = "kill after building TCEs too (PowerNV)" },
	{ 0 },
};

static const struct cfg_key pcie_keys[] = {
	{ .name = "mps", .type = CFG_U32, .off = P(pcie.mps) - P(pcie), .min = 128, .max = 4096,
	  .def = "256", .unit = "bytes",
	  .src = "assumed after kernel tuning (numbers.md §5 'MPS default')",
	  .assumed = true,
	  .help = "max payload size: DMA writes are split at it" },
	{ .name = "mrrs", .type = CFG_U32, .off = P(pcie.mrrs) - P(pcie), .min = 128, .max = 4096,
	  .def = "512", .unit = "bytes", .src = "numbers.md §5 'MRRS default' (lspci example)",
	  .help = "max read request size: DMA reads are split at it" },
	{ 0 },
};

static const struct cfg_key platform_keys[] = {
	{ .name = "name", .type = CFG_STR, .off = P(name), .def = "custom",
	  .help = "a name for reports" },
	{ .name = "kind", .type = CFG_ENUM, .off = P(kind), .enums = plat_kind_names,
	  .help = "pseries (guest, hypercalls) or powernv (bare metal, TCE kills)" },
	{ .name = "page_sizes", .type = CFG_PAGE_LIST, .off = P(page_sizes), .min = 4 * KIB,
	  .max = 16 * GIB, .help = "TCE sizes the PHB supports (domain.md §2.2, §8.3)" },
	{ .name = "max_windows", .type = CFG_U32, .off = P(max_windows), .min = 1, .max = 2,
	  .def = "2", .src = "IOMMU_TABLE_GROUP_MAX_TABLES (domain.md §2.1)",
	  .help = "DMA windows per PE" },
	{ .name = "max_levels", .type = CFG_U32, .off = P(max_levels), .min = 1, .max = 5,
	  .def = "5", .src = "POWERNV_IOMMU_MAX_LEVELS (domain.md §2.1)",
	  .help = "TCE table levels allowed" },
	{ .name = "max_table_bits", .type = CFG_U32, .off = P(max_table_bits), .min = 0, .max = 64,
	  .def = "0", .src = "no limit on hypervisor tables; PowerNV: 55 (domain.md §2.3)",
	  .help = "reject tables with (level_shift-3)*levels+page_shift >= this (0 = no limit)" },
	{ .name = "ddw_start", .type = CFG_U64, .off = P(ddw_start), .min = 0, .max = UINT64_MAX,
	  .def = "0x800000000000000", .src = "1<<59: tce_bypass_base, dma64_win_addr (domain.md §2.1, §8.3)",
	  .help = "bus address of the second window" },
	{ .name = "m32_pci_base", .type = CFG_SIZE, .off = P(m32_pci_base), .min = 0, .max = 4 * GIB,
	  .def = "0", .unit = "bytes", .src = "no MMIO hole in pseries windows; PowerNV: 2G (domain.md §2.7)",
	  .help = "default window: allocator skips [this, 4G) when the window is bigger (0 = none)" },
	{ .name = "multi_tce", .type = CFG_BOOL, .off = P(multi_tce), .def = "true",
	  .src = "QEMU/PowerVM offer hcall-multi-tce (domain.md §5.2)",
	  .help = "H_PUT_TCE_INDIRECT and H_STUFF_TCE are available" },
	{ .name = "bypass_base", .type = CFG_U64, .off = P(bypass_base), .min = 0, .max = UINT64_MAX,
	  .def = "0x800000000000000", .src = "tce_bypass_base = 1<<59 (domain.md §2.8)",
	  .help = "bypass: bus address of physical address 0" },
	{ .name = "default_window", .type = CFG_MAP, .off = P(default_window), .sub = default_window_keys,
	  .help = "the window every PE starts with" },
	{ .name = "tce_cache", .type = CFG_MAP, .off = P(tce_cache), .sub = tce_cache_keys,
	  .help = "the PHB's TCE cache" },
	{ .name = "kill", .type = CFG_MAP, .off = P(kill), .sub = kill_keys,
	  .help = "TCE kill behaviour" },
	{ .name = "pcie", .type = CFG_MAP, .off = P(pcie), .sub = pcie_keys,
	  .help = "the device's PCIe link" },
	{ 0 },
};

#define H(f)	offsetof(struct host_cfg, f)

static const struct cfg_key host_keys[] = {
	{ .name = "ram", .type = CFG_SIZE, .off = H(ram), .min = 64 * MIB, .max = 1 * EIB / 2,
	  .unit = "bytes", .help = "host (or guest) RAM; direct windows map all of it" },
	{ .name = "cpus", .type = CFG_U32, .off = H(cpus), .min = 1, .max = 4096, .def = "2",
	  .src = "the guest in shared/data/qemu has 2 vCPUs",
	  .help = "CPUs making maps; CPU c uses allocator pool hash_32(c, 2)" },
	{ .name = "page_size", .type = CFG_PAGE, .off = H(page_shift), .min = 4 * KIB,
	  .max = 64 * KIB, .def = "64K", .src = "ppc64 kernels use 64K pages (domain.md §2.7)",
	  .help = "kernel PAGE_SIZE" },
	{ .name = "dma_mask", .type = CFG_U64, .off = H(dma_mask), .min = 0xffffffffull,
	  .max = UINT64_MAX, .def = "0xffffffffffffffff", .src = "a 64-bit capable device",
	  .help = "device DMA mask" },
	{ .name = "seg_boundary", .type = CFG_U64, .off = H(seg_boundary), .min = 0xfff,
	  .max = UINT64_MAX, .def = "0xffffffff",
	  .src = "pci_device_add: dma_set_seg_boundary(0xffffffff)",
	  .help = "DMA segment boundary mask: no mapping crosses it" },
	{ .name = "max_seg_size", .type = CFG_SIZE, .off = H(max_seg_size), .min = 512,
	  .max = 4 * GIB, .def = "64K", .unit = "bytes",
	  .src = "pci_device_add: dma_set_max_seg_size(65536)",
	  .help = "largest merged SG segment" },
	{ 0 },
};

#define R(f)	offsetof(struct run_cfg, f)

static const struct cfg_key run_keys[] = {
	{ .name = "seed", .type = CFG_U64, .off = R(seed), .min = 0, .max = UINT64_MAX, .def = "1",
	  .help = "seed of every random choice; same seed, same output" },
	{ .name = "ios", .type = CFG_U64, .off = R(ios), .min = 1, .max = 1ull << 40,
	  .def = "100000", .unit = "DMAs", .help = "DMAs a generator makes" },
	{ 0 },
};

#define M(f)	offsetof(struct mode_cfg, f)

const struct cfg_key cfg_mode_keys[] = {
	{ .name = "name", .type = CFG_STR, .off = M(name), .help = "column title in the report" },
	{ .name = "mapping", .type = CFG_ENUM, .off = M(mapping), .enums = mapping_names,
	  .help = "dynamic (map per I/O), direct (all RAM once) or bypass (no translation)" },
	{ 0 },
};

const struct cfg_key cfg_window_keys[] = {
	{ .name = "page_size", .type = CFG_PAGE, .off = M(page_shift), .min = 4 * KIB, .max = 16 * GIB,
	  .help = "TCE size of the DDW" },
	{ .name = "size", .type = CFG_SIZE_RAM, .off = M(size), .min = 4 * KIB, .max = 512 * 1024 * TIB,
	  .unit = "bytes", .help = "DDW size, or ram = 2^order_base_2(host.ram) (enable_ddw)" },
	{ .name = "levels", .type = CFG_U32, .off = M(levels), .min = 1, .max = 5, .def = "1",
	  .src = "pseries DDWs are 1 level (max_levels = 1, domain.md §5.4)",
	  .help = "table levels" },
	{ 0 },
};

const char *const cfg_section_names[SEC_COUNT] = {
	[SEC_PLATFORM] = "platform", [SEC_HOST] = "host", [SEC_MODES] = "modes",
	[SEC_WORKLOAD] = "workload", [SEC_RUN] = "run",
};

const char cfg_section_list[] = "platform, host, modes, workload, run";

const struct cfg_key *const cfg_section_keys[SEC_COUNT] = {
	[SEC_PLATFORM] = platform_keys, [SEC_HOST] = host_keys, [SEC_RUN] = run_keys,
};

int cfg_section_find(const char *name)
{
	for (int s = 0; s < SEC_COUNT; s++)
		if (!strcmp(cfg_section_names[s], name))
			return s;
	return -1;
}

bool cfg_section_includable(int s)
{
	return s == SEC_PLATFORM || s == SEC_HOST || s == SEC_WORKLOAD;
}

bool cfg_section_required(int s)
{
	return s != SEC_RUN;
}
