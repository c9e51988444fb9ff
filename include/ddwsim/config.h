/* config.h - YAML config -> plain validated structs; FILE:LINE:COL errors; --set overrides. */
#ifndef DDWSIM_CONFIG_H
#define DDWSIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ddwsim/dma_api.h"
#include "ddwsim/err.h"
#include "ddwsim/tce_cache.h"

#define CONFIG_MAX_MODES	8
#define CONFIG_NAME_MAX		48
#define CONFIG_PARAMS_WORDS	32	/* generator parameters: 256 bytes */
#define SIZE_RAM		UINT64_MAX /* "ram" where a size may say so */

/* --- the schema: one table per section (habit 10) --- */

enum cfg_type {
	CFG_U32,	/* unsigned int in [min, max] */
	CFG_U64,	/* uint64_t in [min, max] */
	CFG_SIZE,	/* uint64_t bytes: 4096, 4K, 2M, 1G, 0x1000 */
	CFG_SIZE_RAM,	/* like CFG_SIZE, or the word "ram" (stored as SIZE_RAM) */
	CFG_PAGE,	/* a power-of-two size, stored as its shift (unsigned) */
	CFG_PAGE_LIST,	/* a list of page sizes, stored as a uint64_t mask of shifts */
	CFG_BOOL,	/* true/false (yes/no, on/off) */
	CFG_ENUM,	/* one of enums[], stored as its index (int) */
	CFG_STR,	/* a string, stored in char[CONFIG_NAME_MAX] */
	CFG_MAP,	/* a nested section: sub[] */
};

struct cfg_key {
	const char *name;		/* key in the YAML mapping */
	enum cfg_type type;
	size_t off;			/* offset in the section's struct */
	uint64_t min, max;		/* numeric range (CFG_U32/U64/SIZE/PAGE) */
	const char *def;		/* default, as YAML text; NULL = required */
	const char *unit;		/* printed after the value */
	const char *src;		/* where the default comes from, or "assumed" */
	bool assumed;			/* no public figure exists: the value is a guess,
					 * whoever sets it (reports say so) */
	const char *help;		/* one line */
	const char *range_min;		/* assumed keys: the published range (numbers.md),
					 * as --set text, that `ddwsim advise` tries; NULL = none */
	const char *range_max;
	const char *range_src;		/* where the range comes from */
	const struct cfg_key *sub;	/* CFG_MAP: the nested table, ends with name NULL */
	const char *const *enums;	/* CFG_ENUM: names, ends with NULL */
};

/* --- the sections --- */

struct platform_cfg {
	char name[CONFIG_NAME_MAX];	/* e.g. "phb4" */
	int kind;			/* enum plat_kind */
	uint64_t page_sizes;		/* bit n: 2^n-byte TCEs supported */
	unsigned max_windows;		/* windows per PE */
	unsigned max_levels;		/* table levels allowed */
	unsigned max_table_bits;	/* PowerNV 55-bit table limit, 0 = none */
	uint64_t ddw_start;		/* bus address of window 1 */
	uint64_t m32_pci_base;		/* PowerNV: default window hole [this, 4G) */
	bool multi_tce;			/* H_PUT_TCE_INDIRECT / H_STUFF_TCE available */
	uint64_t bypass_base;		/* bypass: bus address of physical 0 */
	struct {
		uint64_t largest_block;	/* ibm,query-pe-dma-window: TCEs */
		unsigned windows_available; /* ... free windows per PE */
		bool limited_addressing; /* ibm,ddw-extensions offers limited addressing */
	} ddw;				/* the hypervisor's offer (mapping: auto) */
	struct {
		unsigned page_shift;
		uint64_t size;		/* bytes or SIZE_RAM */
		unsigned levels;
	} default_window;
	unsigned clock_mhz;		/* PHB clock */
	unsigned memory_latency_ns;	/* a DMA read or write reaching memory */
	struct {
		unsigned entries;
		unsigned ways;
		int policy;		/* enum tce_cache_policy */
		unsigned hit_cycles;	/* lookup time, PHB cycles */
		unsigned busy_cycles;	/* the unit's time per lookup (0: one per cycle) */
	} tce_cache;
	struct {
		unsigned memory_latency_ns; /* one level read */
		unsigned max_outstanding; /* walks in flight */
		unsigned busy_cycles;	/* a walk's extra time in the translation unit */
		bool hit_under_miss;	/* hits pass a pending miss */
		bool miss_under_miss;	/* in order: walks overlap, translations end in order */
	} walk;
	struct {
		int scope;		/* enum kill_scope of one page-kill request */
		bool per_tce;		/* one kill request per TCE */
		bool phb_lock;		/* kills run one at a time (the PHB's lock) */
		bool opal;		/* kill requests are OPAL calls */
		bool on_map;		/* kill after map as well as unmap */
		unsigned cpu_ns;	/* host time per kill request (MMIO + poll, or OPAL call) */
		unsigned stall_ns;	/* translation stall per kill request */
	} kill;
	struct {
		uint64_t page_sizes;	/* host TCE sizes behind a guest (KVM + VFIO); 0 = none */
		unsigned ram_page_shift; /* qemu_minrampagesize(): guest RAM backing page */
		unsigned page_shift;	/* host kernel PAGE_SHIFT (qemu_real_host_page_size) */
	} host_tce;
	struct pcie_cfg {
		unsigned gen;		/* 1..5 */
		unsigned lanes;		/* 1, 2, 4, 8, 16 */
		unsigned mps;		/* max payload size, bytes */
		unsigned mrrs;		/* max read request size, bytes */
		unsigned rcb;		/* read completion boundary, bytes: 64 or 128 */
		bool rcb_chunks;	/* completions cut at every RCB, not every MPS */
		bool ecrc;		/* a 4-byte digest on every TLP */
		unsigned read_tags;	/* the device's read requests in flight, at most */
		unsigned latency_ns;	/* one way, device <-> PHB */
	} pcie;
	struct {
		unsigned entry_exit_cycles; /* hypercall entry + exit */
		unsigned put_tce_cycles;    /* H_PUT_TCE handler work */
		unsigned indirect_tce_cycles; /* per TCE in H_PUT_TCE_INDIRECT */
		unsigned stuff_tce_cycles;  /* per TCE in H_STUFF_TCE */
	} hcall;
};

struct host_cfg {
	uint64_t ram;			/* bytes */
	unsigned cpus;
	unsigned page_shift;		/* kernel PAGE_SHIFT */
	uint64_t dma_mask;		/* device DMA mask */
	uint64_t memory_hotplug_max;	/* ddw_memory_hotplug_max(), bytes (SIZE_RAM resolved) */
	bool pmem;			/* an ibm,pmemory node exists */
	uint64_t memlock;		/* RLIMIT_MEMLOCK for VFIO tables, bytes; 0 = unlimited */
	unsigned iommu_groups;		/* IOMMU groups in the VFIO container */
	uint64_t group_page_sizes;	/* TCE sizes groups 2..N's PHBs take; 0 = as platform */
	uint64_t seg_boundary;		/* DMA segment boundary mask */
	uint64_t max_seg_size;		/* DMA max segment size */
	unsigned cpu_mhz;		/* core clock */
	uint64_t vfio_map_size;		/* PowerNV direct: bytes per VFIO_IOMMU_MAP_DMA, or SIZE_RAM */
	struct {
		unsigned alloc_cycles;	/* per TCE allocation call */
		unsigned alloc_word_cycles; /* per it_map word scanned */
		unsigned tce_write_cycles; /* per TCE written or cleared by the host */
		unsigned direct_cycles;	/* per direct/bypass map or unmap */
	} cost;
};

struct mode_cfg {
	char name[CONFIG_NAME_MAX];
	int mapping;			/* enum mapping_model */
	bool default_window;		/* window: default */
	unsigned page_shift;		/* otherwise: the DDW to create */
	uint64_t size;			/* bytes (SIZE_RAM resolved at load) */
	unsigned levels;
};

struct workload_cfg {
	char generator[CONFIG_NAME_MAX]; /* "" when a trace is given */
	char trace[4096];		/* trace path, resolved against the config's folder */
	uint64_t params[CONFIG_PARAMS_WORDS]; /* the generator's parameter struct */
};

/*
 * One item of `devices:`: a generator's workload, `count` devices running it
 * (devices first .. first + count - 1), each behind its own PCIe link.
 */
struct device_cfg {
	char generator[CONFIG_NAME_MAX];
	uint64_t params[CONFIG_PARAMS_WORDS]; /* the generator's parameter struct */
	unsigned count;			/* devices running it, 1.. */
	unsigned first;			/* the first one's device number */
	struct pcie_cfg pcie;		/* platform.pcie, with the item's device.pcie over it */
};

#define CONFIG_MAX_DEVICE_ITEMS	16	/* items in devices: (each with a count) */

struct run_cfg {
	uint64_t seed;
	uint64_t ios;			/* DMAs to generate (generators) */
	bool timing;			/* timed replay (else counts only) */
	uint64_t max_memory;		/* bytes a run may hold; 0 = half the machine's RAM */
};

struct cfg_origin;

struct config {
	char *path;			/* the main file */
	uint64_t files_hash;		/* FNV-1a 64 of every file loaded, in the order
					 * loaded: its bytes, then its size as 8 bytes
					 * (fnv1a_u64); a sweep point's cache key (sweep.h) */
	struct platform_cfg platform;
	struct host_cfg host;
	struct mode_cfg modes[CONFIG_MAX_MODES];
	unsigned nmodes;
	struct workload_cfg workload;	/* devices: the first item's generator */
	struct device_cfg devices[CONFIG_MAX_DEVICE_ITEMS]; /* devices: (ndevices 0: workload:) */
	unsigned ndevitems;		/* items in devices */
	unsigned ndevices;		/* devices, the counts summed; 0 with workload: */
	struct run_cfg run;
	struct cfg_origin *origins;	/* where each value came from (private) */
	unsigned norigins;
};

/*
 * config_load() reads path (and the files it names), applies each "a.b.c=VALUE"
 * of sets[0..nsets) as if written in the file, and validates everything.
 * Returns 0, or -1 after printing "FILE:LINE:COL: key.path: problem" to stderr.
 * The caller releases *cfg with config_release() either way.
 */
int config_load(struct config *cfg, const char *path, char *const *sets, unsigned nsets);
/*
 * config_load_text() is config_load() with the main file held in text, which
 * messages call name (without LINE:COL: the user never saw the text). File
 * names in it are relative to name's folder: to the working directory when
 * name has no '/'. For `trace gen --workload FILE`.
 */
int config_load_text(struct config *cfg, const char *name, const char *text, char *const *sets,
		     unsigned nsets);
void config_release(struct config *cfg);

/*
 * Reports "WHERE: path: message" about the value of key path (e.g.
 * "workload.ring_size"), WHERE being where it was written (FILE:LINE:COL or
 * --set K=V), as config_load()'s own errors do, for checks made after it.
 * Returns -1.
 */
int config_error_key(const struct config *cfg, const char *path, const char *fmt, ...)
	DDW_PRINTF(3, 4);

#define CONFIG_YAML_MAX_NESTING	32	/* a config nests about 4 deep, a sweep file 3 */
/*
 * config_yaml_check() is the first pass config_load() makes over each YAML
 * file, shared with the sweep loader: fp holds at most one document (what
 * names the kind in the message: "a config", "a sweep file"), nested at most
 * CONFIG_YAML_MAX_NESTING deep. It reads events and stops at the first
 * problem, so it is linear where composing the document is not. A syntax
 * error is left for the load to report, with its context. fp is rewound.
 * Returns 0, or -1 after printing "FILE:LINE:COL: problem".
 */
int config_yaml_check(FILE *fp, const char *file, const char *what);

/* Whether key path holds its schema default: no file or --set gave it. */
bool config_is_default(const struct config *cfg, const char *path);

/* The effective parameters, one call per scalar: path, value as text, unit, source. */
typedef void (*config_param_fn)(void *arg, const char *path, const char *value,
				const char *unit, const char *src, bool assumed);
void config_params(const struct config *cfg, config_param_fn fn, void *arg);

/* Size text ("4K", "1G", "3221225472") for bytes; exact, never rounded. num_parse() with
 * NUM_SIZE reads it back. */
const char *config_size_str(uint64_t bytes, char *buf, size_t n);

/* The devices: item device dev runs (NULL with workload:, or past the last). */
const struct device_cfg *config_device(const struct config *cfg, unsigned dev);
/*
 * Makes cfg, a copy of a loaded config, what the devices of devices: item
 * `item` run: its generator and parameters as the workload, its link as
 * platform.pcie. The copy shares the loaded one's origins: release only that.
 */
void config_as_device(struct config *cfg, unsigned item);
/* Device dev's PCIe link: its devices: item's, else platform.pcie. */
const struct pcie_cfg *config_pcie(const struct config *cfg, unsigned dev);

/* Names used in configs and reports. */
extern const char *const plat_kind_names[];
extern const char *const mapping_names[];
extern const char *const kill_scope_names[];

#endif /* DDWSIM_CONFIG_H */
