/*
 * config_schema.c - every config key: type, range, default, unit, and where
 * the default comes from (reference/numbers.md row, a kernel source, or
 * "assumed"). config.c walks these tables; the report prints them; the
 * README's option table is made from them (ddwsim --list-keys).
 */
#include <stddef.h>
#include <string.h>

#include "ddwsim/config.h"
#include "ddwsim/config_schema.h"
#include "ddwsim/workload.h"

#define KIB		1024ull
#define MIB		(KIB * KIB)
#define GIB		(MIB * KIB)
#define TIB		(GIB * KIB)
#define EIB		(TIB * MIB)

const char *const plat_kind_names[] = { "pseries", "powernv", NULL };
const char *const mapping_names[] = { "dynamic", "direct", "bypass", "auto", NULL };
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
	  .range_min = "32", .range_max = "512",
	  .range_src = "numbers.md §5 'TCE cache entries' 32-512",
	  .help = "TCE-cache entries" },
	{ .name = "ways", .type = CFG_U32, .off = P(tce_cache.ways) - P(tce_cache),
	  .min = 0, .max = 1u << 20, .def = "0",
	  .src = "assumed fully associative (numbers.md §5)",
	  .assumed = true,
	  .help = "ways per set (0 = fully associative); set = TCE index mod (entries / ways)" },
	{ .name = "hit_cycles", .type = CFG_U32, .off = P(tce_cache.hit_cycles) - P(tce_cache),
	  .min = 0, .max = 1000, .def = "2", .unit = "PHB cycles", .assumed = true,
	  .src = "assumed (numbers.md §5 'TCE cache hit cost')",
	  .range_min = "1", .range_max = "4",
	  .range_src = "numbers.md §5 'TCE cache hit cost' 1-4 cycles",
	  .help = "TCE-cache lookup time" },
	{ .name = "busy_cycles", .type = CFG_U32, .off = P(tce_cache.busy_cycles) - P(tce_cache),
	  .min = 0, .max = 100000, .def = "0", .unit = "PHB cycles", .assumed = true,
	  .src = "assumed pipelined (nothing public on the PHB's lookup rate)",
	  .help = "the translation unit serves one lookup at a time, busy this long with each "
		  "(0: pipelined)" },
	{ .name = "policy", .type = CFG_ENUM, .off = P(tce_cache.policy) - P(tce_cache),
	  .def = "lru", .enums = policy_names, .src = "assumed (numbers.md §5)",
	  .assumed = true,
	  .help = "replacement: lru, fifo or random (seeded by run.seed)" },
	{ 0 },
};

static const struct cfg_key walk_keys[] = {
	{ .name = "memory_latency_ns", .type = CFG_U32, .off = P(walk.memory_latency_ns) - P(walk),
	  .min = 1, .max = 100000, .def = "197", .unit = "ns",
	  .src = "numbers.md §5 'walk memory read' (SOSP'24 lm fit)",
	  .help = "one dependent table read of a walk" },
	{ .name = "max_outstanding", .type = CFG_U32, .off = P(walk.max_outstanding) - P(walk),
	  .min = 1, .max = 4096, .def = "64", .unit = "walks",
	  .src = "numbers.md §2.3 (PHB4 TCE tag enable: 64; PHB3: 32), derived",
	  .help = "walks in flight at once" },
	{ .name = "busy_cycles", .type = CFG_U32, .off = P(walk.busy_cycles) - P(walk),
	  .min = 0, .max = 100000, .def = "0", .unit = "PHB cycles", .assumed = true,
	  .src = "assumed 0 (nothing public)",
	  .help = "a miss keeps the translation unit busy this much longer than a hit "
		  "(starting its walk)" },
	{ .name = "hit_under_miss", .type = CFG_BOOL, .off = P(walk.hit_under_miss) - P(walk),
	  .def = "true", .assumed = true, .src = "assumed",
	  .help = "later hits pass a pending miss (false: translation is in order)" },
	{ .name = "miss_under_miss", .type = CFG_BOOL, .off = P(walk.miss_under_miss) - P(walk),
	  .def = "false", .assumed = true, .src = "assumed (nothing public on PHB walk ordering)",
	  .help = "with hit_under_miss false: later misses start their walks while one is in flight, "
		  "translations still end in order (false: nothing passes a walk)" },
	{ 0 },
};

static const struct cfg_key hcall_keys[] = {
	{ .name = "entry_exit_cycles", .type = CFG_U32, .off = P(hcall.entry_exit_cycles) - P(hcall),
	  .min = 0, .max = 10000000, .def = "4700", .unit = "CPU cycles",
	  .src = "numbers.md §5: KVM P9 virtual-mode null hcall (Piggin 2021)",
	  .help = "hypercall entry + exit" },
	{ .name = "put_tce_cycles", .type = CFG_U32, .off = P(hcall.put_tce_cycles) - P(hcall),
	  .min = 0, .max = 10000000, .def = "380", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed 100 ns at 3.8 GHz (numbers.md §5)",
	  .range_min = "190", .range_max = "1900",
	  .range_src = "numbers.md §5 'H_PUT_TCE handler work' 50-500 ns at 3.8 GHz",
	  .help = "H_PUT_TCE handler work beyond entry/exit" },
	{ .name = "indirect_tce_cycles", .type = CFG_U32, .off = P(hcall.indirect_tce_cycles) - P(hcall),
	  .min = 0, .max = 1000000, .def = "76", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed 20 ns at 3.8 GHz (numbers.md §5)",
	  .range_min = "38", .range_max = "380",
	  .range_src = "numbers.md §5 'per-TCE cost inside H_PUT_TCE_INDIRECT' 10-100 ns at 3.8 GHz",
	  .help = "per TCE in H_PUT_TCE_INDIRECT" },
	{ .name = "stuff_tce_cycles", .type = CFG_U32, .off = P(hcall.stuff_tce_cycles) - P(hcall),
	  .min = 0, .max = 1000000, .def = "38", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed 10 ns at 3.8 GHz (numbers.md §5)",
	  .range_min = "19", .range_max = "190",
	  .range_src = "numbers.md §5 'per-TCE cost inside H_STUFF_TCE' 5-50 ns at 3.8 GHz",
	  .help = "per TCE in H_STUFF_TCE" },
	{ 0 },
};

static const struct cfg_key kill_keys[] = {
	{ .name = "scope", .type = CFG_ENUM, .off = P(kill.scope) - P(kill), .def = "page",
	  .enums = kill_scope_names, .src = "PHB3 kills pages (domain.md §2.9)",
	  .help = "what one page-kill request invalidates: none, page, pe (PHB4/5 HW560152) or all" },
	{ .name = "per_tce", .type = CFG_BOOL, .off = P(kill.per_tce) - P(kill), .def = "true",
	  .src = "pnv_pci_phb3_tce_invalidate: one MMIO store per page (domain.md §2.9)",
	  .help = "one kill request per TCE (true: PHB3's MMIO store per page; KVM's iommu_tce_kill per guest TCE, Linux >= 5.18) or one per call (false: PowerNV per map/unmap; KVM per hypercall, 5.4-5.17)" },
	{ .name = "opal", .type = CFG_BOOL, .off = P(kill.opal) - P(kill), .def = "false",
	  .src = "PHB3 writes PHB_TCE_KILL directly (domain.md §2.9)",
	  .help = "kill requests are OPAL_PCI_TCE_KILL calls (PHB4/5)" },
	{ .name = "on_map", .type = CFG_BOOL, .off = P(kill.on_map) - P(kill), .def = "false",
	  .src = "pseries guests do not kill; PowerNV sets true (pnv_ioda2_tce_build)",
	  .help = "kill after building TCEs too (PowerNV)" },
	{ .name = "phb_lock", .type = CFG_BOOL, .off = P(kill.phb_lock) - P(kill), .def = "false",
	  .src = "off where kills are no OPAL call: PHB3 writes PHB_TCE_KILL itself (domain.md §2.9), QEMU's is its own; the PHB4/PHB5 and kvm-vfio-phb4 platform files set true: skiboot core/pci-opal.c opal_pci_tce_kill holds phb_lock over phb4_tce_kill's busy-poll (domain.md §3.2)",
	  .help = "kills on one PHB run one at a time, a CPU spinning (CPU time) while another CPU's kill holds the PHB's lock; false: kills overlap" },
	{ .name = "cpu_ns", .type = CFG_U32, .off = P(kill.cpu_ns) - P(kill), .min = 0, .max = 1000000,
	  .def = "0", .unit = "ns", .src = "pseries: the hypervisor's work is in the hcall costs",
	  .help = "host time per kill request (MMIO store + poll, or an OPAL call)" },
	{ .name = "stall_ns", .type = CFG_U32, .off = P(kill.stall_ns) - P(kill), .min = 0,
	  .max = 1000000, .def = "0", .unit = "ns", .assumed = true,
	  .src = "assumed: no public figure (domain.md §10)",
	  .help = "translation stall while the PHB processes one kill request" },
	{ 0 },
};

static const struct cfg_key host_tce_keys[] = {
	{ .name = "page_sizes", .type = CFG_PAGE_LIST, .off = P(host_tce.page_sizes) - P(host_tce),
	  .min = 4 * KIB, .max = 16 * GIB, .def = "none",
	  .src = "none: the PHB walks the guest's own tables (PowerVM, emulated devices); KVM + VFIO on PHB4: 4K 64K 2M 1G (skiboot phb4 ibm,supported-tce-sizes, domain.md §2.2)",
	  .help = "host TCE sizes behind a guest's windows (KVM + VFIO): QEMU backs each guest TCE with the largest of them <= min(guest TCE, ram_page_size), and the PHB caches, walks and kills those (vfio_spapr_create_window, kvmppc_tce_iommu_map)" },
	{ .name = "ram_page_size", .type = CFG_PAGE, .off = P(host_tce.ram_page_shift) - P(host_tce),
	  .min = 4 * KIB, .max = 16 * GIB, .def = "64K",
	  .src = "guest RAM in the host's 64K base pages, no hugetlbfs (qemu_minrampagesize, domain.md §8.5)",
	  .help = "page size backing guest RAM on the host: host TCEs are no bigger" },
	{ .name = "kernel_page_size", .type = CFG_PAGE, .off = P(host_tce.page_shift) - P(host_tce),
	  .min = 4 * KIB, .max = 64 * KIB, .def = "64K", .src = "ppc64 kernels use 64K pages (domain.md §2.7)",
	  .help = "host kernel PAGE_SIZE: QEMU's levels guess and the host table's level size" },
	{ 0 },
};

const struct cfg_key cfg_pcie_keys[] = {
	{ .name = "gen", .type = CFG_U32, .off = P(pcie.gen) - P(pcie), .min = 1, .max = 5, .def = "3",
	  .src = "assumed (a Gen3 x8 adapter, numbers.md §3.2)",
	  .help = "PCIe generation: 2.5, 5, 8, 16, 32 GT/s per lane" },
	{ .name = "lanes", .type = CFG_U32, .off = P(pcie.lanes) - P(pcie), .min = 1, .max = 16,
	  .def = "8", .src = "assumed (numbers.md §3.2)",
	  .help = "link width: 1, 2, 4, 8 or 16 (the widths pcie-model's ACK/FC tables have)" },
	{ .name = "latency_ns", .type = CFG_U32, .off = P(pcie.latency_ns) - P(pcie), .min = 0,
	  .max = 100000, .def = "160", .unit = "ns", .assumed = true,
	  .src = "assumed so that a 64 B read with a TCE hit takes about 533 ns (numbers.md §3.1)",
	  .help = "one-way latency between device and PHB" },
	{ .name = "mps", .type = CFG_U32, .off = P(pcie.mps) - P(pcie), .min = 128, .max = 4096,
	  .def = "256", .unit = "bytes",
	  .src = "assumed after kernel tuning (numbers.md §5 'MPS default')",
	  .assumed = true,
	  .range_min = "128", .range_max = "512",
	  .range_src = "numbers.md §5 'MPS default' 128 / 256 / 512",
	  .help = "max payload size: DMA writes and read completions are split at it" },
	{ .name = "mrrs", .type = CFG_U32, .off = P(pcie.mrrs) - P(pcie), .min = 128, .max = 4096,
	  .def = "512", .unit = "bytes", .src = "numbers.md §5 'MRRS default' (lspci example)",
	  .help = "max read request size: DMA reads are split at it" },
	{ .name = "rcb", .type = CFG_U32, .off = P(pcie.rcb) - P(pcie), .min = 64, .max = 128,
	  .def = "64", .unit = "bytes", .src = "pcie-model pcie_bw.py --rcb default (numbers.md §3.2)",
	  .help = "read completion boundary, 64 or 128 (used with rcb_chunks)" },
	{ .name = "rcb_chunks", .type = CFG_BOOL, .off = P(pcie.rcb_chunks) - P(pcie),
	  .def = "false",
	  .src = "pcie-model Cfg(rcb_chunks=False), as pcie_bw.py runs it (numbers.md §3.2)",
	  .help = "completions are cut at every RCB (older chipsets) instead of every MPS" },
	{ .name = "ecrc", .type = CFG_BOOL, .off = P(pcie.ecrc) - P(pcie), .def = "false",
	  .src = "pcie-model pcie_bw.py --ecrc 0 (numbers.md §3.2)",
	  .help = "every TLP carries a 4-byte end-to-end CRC" },
	{ .name = "read_tags", .type = CFG_U32, .off = P(pcie.read_tags) - P(pcie), .min = 1,
	  .max = 768, .def = "256", .unit = "reads",
	  .src = "8-bit tags: Linux pci_configure_extended_tags() sets Extended Tag Field Enable "
		 "(32 without it; 768 with 10-bit tags, PCIe 4.0+)",
	  .help = "read requests the device has in flight at most (one tag each)" },
	{ 0 },
};

static const struct cfg_key ddw_keys[] = {
	{ .name = "largest_block", .type = CFG_U64, .off = P(ddw.largest_block) - P(ddw), .min = 0,
	  .max = UINT64_MAX, .def = "0x2000000000", .unit = "TCEs",
	  .src = "QEMU >= 7.1 rtas_ibm_query_pe_dma_window, 6 outputs: 0x20:0x0 = 2^37 (domain.md §8.2)",
	  .help = "largest block of TCEs the hypervisor offers a PE (ibm,query-pe-dma-window)" },
	{ .name = "windows_available", .type = CFG_U32, .off = P(ddw.windows_available) - P(ddw),
	  .min = 0, .max = 2, .def = "1",
	  .src = "SPAPR_PCI_DMA_MAX_WINDOWS 2 - the default window (spapr_rtas_ddw.c, domain.md §8.2)",
	  .help = "free windows the query reports; 0 makes the guest remove its default window" },
	{ .name = "limited_addressing", .type = CFG_BOOL, .off = P(ddw.limited_addressing) - P(ddw),
	  .def = "false", .src = "QEMU's ibm,ddw-extensions = {2, reset, 1}: no entry 3 (domain.md §8.2)",
	  .help = "ibm,ddw-extensions offers limited addressing (DDWs for DMA masks of 33..63 bits)" },
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
	{ .name = "ddw", .type = CFG_MAP, .off = P(ddw), .sub = ddw_keys,
	  .help = "the hypervisor's DDW offer, which mapping: auto decides from" },
	{ .name = "clock_mhz", .type = CFG_U32, .off = P(clock_mhz), .min = 1, .max = 100000,
	  .def = "2000", .unit = "MHz", .assumed = true, .src = "assumed (PHB clock not public)",
	  .help = "PHB clock: translation latencies are whole cycles of it" },
	{ .name = "memory_latency_ns", .type = CFG_U32, .off = P(memory_latency_ns), .min = 0,
	  .max = 100000, .def = "197", .unit = "ns", .assumed = true,
	  .src = "assumed equal to a walk read (numbers.md §5)",
	  .range_min = "70", .range_max = "200",
	  .range_src = "numbers.md §5 'walk memory read' 70-200 ns, which it is assumed equal to",
	  .help = "a DMA read or write reaching memory" },
	{ .name = "default_window", .type = CFG_MAP, .off = P(default_window), .sub = default_window_keys,
	  .help = "the window every PE starts with" },
	{ .name = "tce_cache", .type = CFG_MAP, .off = P(tce_cache), .sub = tce_cache_keys,
	  .help = "the PHB's TCE cache" },
	{ .name = "walk", .type = CFG_MAP, .off = P(walk), .sub = walk_keys,
	  .help = "table walks on TCE-cache misses" },
	{ .name = "hcall", .type = CFG_MAP, .off = P(hcall), .sub = hcall_keys,
	  .help = "hypercall costs (pseries)" },
	{ .name = "kill", .type = CFG_MAP, .off = P(kill), .sub = kill_keys,
	  .help = "TCE kill behaviour" },
	{ .name = "host_tce", .type = CFG_MAP, .off = P(host_tce), .sub = host_tce_keys,
	  .help = "the host IOMMU behind a guest (KVM + VFIO)" },
	{ .name = "pcie", .type = CFG_MAP, .off = P(pcie), .sub = cfg_pcie_keys,
	  .help = "the device's PCIe link" },
	{ 0 },
};

#define H(f)	offsetof(struct host_cfg, f)

static const struct cfg_key cost_keys[] = {
	{ .name = "alloc_cycles", .type = CFG_U32, .off = H(cost.alloc_cycles) - H(cost), .min = 0,
	  .max = 10000000, .def = "1140", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed 300 ns at 3.8 GHz (numbers.md §5 'IOVA/TCE allocator cost')",
	  .range_min = "380", .range_max = "3800",
	  .range_src = "numbers.md §5 'IOVA/TCE allocator cost' 100 ns-1 us at 3.8 GHz",
	  .help = "per TCE allocation or free call (locking, bookkeeping)" },
	{ .name = "alloc_word_cycles", .type = CFG_U32, .off = H(cost.alloc_word_cycles) - H(cost),
	  .min = 0, .max = 100000, .def = "2", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed (one load and a test per 64-bit word)",
	  .help = "per it_map word the allocator reads" },
	{ .name = "tce_write_cycles", .type = CFG_U32, .off = H(cost.tce_write_cycles) - H(cost),
	  .min = 0, .max = 100000, .def = "10", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed (pnv_tce walk + one 8-byte store)",
	  .help = "per TCE the host writes or clears itself (PowerNV)" },
	{ .name = "direct_cycles", .type = CFG_U32, .off = H(cost.direct_cycles) - H(cost), .min = 0,
	  .max = 100000, .def = "50", .unit = "CPU cycles", .assumed = true,
	  .src = "assumed (dma-direct: phys + dma_offset)",
	  .help = "per map or unmap in direct and bypass modes" },
	{ 0 },
};

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
	{ .name = "memory_hotplug_max", .type = CFG_SIZE_RAM, .off = H(memory_hotplug_max),
	  .min = 64 * MIB, .max = 1 * EIB / 2, .def = "ram", .unit = "bytes",
	  .src = "ddw_memory_hotplug_max(): the end of RAM with no hot-pluggable memory (QEMU without maxmem)",
	  .help = "the most memory the guest may have (QEMU maxmem); ram = host.ram" },
	{ .name = "pmem", .type = CFG_BOOL, .off = H(pmem), .def = "false",
	  .src = "no ibm,pmemory node (QEMU without nvdimm)",
	  .help = "the guest has persistent memory (an ibm,pmemory node): direct DDWs must reach MAX_PHYSMEM_BITS" },
	{ .name = "memlock", .type = CFG_SIZE, .off = H(memlock), .min = 0, .max = 1 * EIB / 2,
	  .def = "0", .unit = "bytes", .assumed = true,
	  .src = "assumed unlimited: libvirt raises RLIMIT_MEMLOCK for VFIO guests (README: host.memlock)",
	  .help = "RLIMIT_MEMLOCK of the process the tables are charged to (account_locked_vm): a VFIO user on PowerNV; QEMU for a pseries guest (KVM's TCE tables, and with a VFIO device its host tables and all guest RAM); 0 = unlimited" },
	{ .name = "iommu_groups", .type = CFG_U32, .off = H(iommu_groups), .min = 1, .max = 32,
	  .def = "1", .src = "one device, one group",
	  .help = "IOMMU groups in the container: every window is set on each (tce_iommu_create_window)" },
	{ .name = "group_page_sizes", .type = CFG_PAGE_LIST, .off = H(group_page_sizes), .min = 4 * KIB,
	  .max = 16 * GIB, .def = "none",
	  .src = "none: every group's PHB takes platform.page_sizes (one PHB model per machine)",
	  .help = "TCE sizes the PHB firmware of groups 2..N takes (its ibm,supported-tce-sizes): VFIO checks the first group's only, so another size fails in that group's set_window (OPAL_PARAMETER, -1) and the window is undone on every group" },
	{ .name = "seg_boundary", .type = CFG_U64, .off = H(seg_boundary), .min = 0xfff,
	  .max = UINT64_MAX, .def = "0xffffffff",
	  .src = "pci_device_add: dma_set_seg_boundary(0xffffffff)",
	  .help = "DMA segment boundary mask: no mapping crosses it" },
	{ .name = "max_seg_size", .type = CFG_SIZE, .off = H(max_seg_size), .min = 512,
	  .max = 4 * GIB, .def = "64K", .unit = "bytes",
	  .src = "pci_device_add: dma_set_max_seg_size(65536)",
	  .help = "largest merged SG segment" },
	{ .name = "cpu_mhz", .type = CFG_U32, .off = H(cpu_mhz), .min = 1, .max = 100000,
	  .def = "3800", .unit = "MHz", .assumed = true,
	  .src = "assumed 3.8 GHz (numbers.md §5 caveats)",
	  .help = "core clock: host costs are whole cycles of it" },
	{ .name = "vfio_map_size", .type = CFG_SIZE_RAM, .off = H(vfio_map_size), .min = 4 * KIB,
	  .max = 1 * EIB / 2, .def = "ram", .unit = "bytes",
	  .src = "QEMU's vfio listener maps each RAM section with one VFIO_IOMMU_MAP_DMA (vfio_listener_region_add)",
	  .help = "PowerNV direct: a VFIO user maps RAM in ranges of this size, one VFIO_IOMMU_MAP_DMA and one TCE kill each (tce_iommu_map_dma); ram = one range" },
	{ .name = "cost", .type = CFG_MAP, .off = H(cost), .sub = cost_keys,
	  .help = "kernel DMA-API costs" },
	{ 0 },
};

#define R(f)	offsetof(struct run_cfg, f)

static const struct cfg_key run_keys[] = {
	{ .name = "seed", .type = CFG_U64, .off = R(seed), .min = 0, .max = UINT64_MAX, .def = "1",
	  .help = "seed of every random choice; same seed, same output" },
	{ .name = "ios", .type = CFG_U64, .off = R(ios), .min = 1, .max = 1ull << 40,
	  .def = "100000", .unit = "I/Os", .help = "I/Os a generator makes (packets, NVMe commands, DMAs: see each generator)" },
	{ .name = "timing", .type = CFG_BOOL, .off = R(timing), .def = "true",
	  .help = "replay in time (throughput, latency, CPU); false counts events only, faster" },
	{ .name = "max_memory", .type = CFG_SIZE, .off = R(max_memory), .min = 0, .max = 1ull << 62,
	  .def = "0", .unit = "bytes",
	  .src = "0 = half the machine's RAM: sysconf(_SC_PHYS_PAGES) x sysconf(_SC_PAGE_SIZE) / 2",
	  .help = "memory a run may hold: a generator whose estimate (its state, the replay's per live mapping, TCEs) is above it is refused before it starts (exit 2); a trace stops when its live mappings pass it (exit 1)" },
	{ 0 },
};

#define M(f)	offsetof(struct mode_cfg, f)

const struct cfg_key cfg_mode_keys[] = {
	{ .name = "name", .type = CFG_STR, .off = M(name), .help = "column title in the report" },
	{ .name = "mapping", .type = CFG_ENUM, .off = M(mapping), .enums = mapping_names,
	  .help = "dynamic (map per I/O), direct (all RAM once), bypass (no translation) or auto (the guest decides, as Linux's enable_ddw)" },
	{ 0 },
};

const struct cfg_key cfg_window_keys[] = {
	{ .name = "page_size", .type = CFG_PAGE, .off = M(page_shift), .min = 4 * KIB, .max = 16 * GIB,
	  .help = "TCE size of the DDW" },
	{ .name = "size", .type = CFG_SIZE_RAM, .off = M(size), .min = 4 * KIB, .max = 512 * 1024 * TIB,
	  .def = "ram", .unit = "bytes",
	  .src = "enable_ddw sizes a direct DDW 2^order_base_2(RAM) (domain.md §5.4)",
	  .help = "DDW size, or ram = 2^order_base_2(host.ram) (enable_ddw); ram if left out" },
	{ .name = "levels", .type = CFG_U32, .off = M(levels), .min = 1, .max = 5, .def = "1",
	  .src = "pseries DDWs are 1 level (max_levels = 1, domain.md §5.4)",
	  .help = "table levels" },
	{ 0 },
};

const char *const cfg_section_names[SEC_COUNT] = {
	[SEC_PLATFORM] = "platform", [SEC_HOST] = "host", [SEC_MODES] = "modes",
	[SEC_WORKLOAD] = "workload", [SEC_DEVICES] = "devices", [SEC_RUN] = "run",
};

const char cfg_section_list[] = "platform, host, modes, workload, devices, run";

/*
 * A devices: item: its workload's keys, and these. device.pcie is walked
 * over a copy of platform.pcie (no defaults of its own: a key left out is
 * the platform's).
 */
static const struct cfg_key device_keys[] = {
	{ .name = "pcie", .type = CFG_MAP, .off = offsetof(struct device_cfg, pcie),
	  .sub = cfg_pcie_keys, .help = "the device's own PCIe link: platform.pcie's keys, any of them" },
	{ 0 },
};

const struct cfg_key cfg_device_item_keys[] = {
	{ .name = "count", .type = CFG_U32, .off = offsetof(struct device_cfg, count), .min = 1,
	  .max = WORKLOAD_MAX_DEVICES, .def = "1", .unit = "devices",
	  .src = "one device unless told", .help = "devices running this workload, each its own PE" },
	{ .name = "device", .type = CFG_MAP, .off = 0, .sub = device_keys,
	  .help = "the device: its PCIe link (device.pcie), over platform.pcie" },
	{ 0 },
};

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
	return s != SEC_RUN && s != SEC_DEVICES;
}
