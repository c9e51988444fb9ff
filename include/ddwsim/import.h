/* import.h - real traces lifted to ddwsim DMA ops: QEMU's spapr_iommu_* trace log. */
#ifndef DDWSIM_IMPORT_H
#define DDWSIM_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What one import read and wrote. Every trace-event line is exactly one of:
 * lifted (it made ops, or changed the replay's state), firmware_skipped or
 * ignored. The rules are in the header comment of src/import_qemu.c.
 */
struct import_stats {
	uint64_t lines;			/* lines read, blank ones included */
	uint64_t events;		/* trace-event lines (all lines but blank ones) */
	uint64_t maps;			/* map and map_sg ops written */
	uint64_t unmaps;		/* unmap ops written */
	uint64_t dmas;			/* dma ops written (inside a live mapping) */
	uint64_t dmabs;			/* dmab ops written (by bus address) */
	uint64_t windows;		/* wcreate + wremove + wreset ops written */
	uint64_t firmware_skipped;	/* SLOF's lines: default window before the kernel's clear */
	uint64_t ignored;		/* event lines that change nothing the ops model */
	/* details, not in the brief's list: */
	uint64_t map_sgs;		/* of maps, map_sg ops: hypercalls of one dma_map_sg grouped */
	uint64_t sg_elements;		/* elements of those map_sg ops (one map hypercall each) */
	uint64_t ram_maps;		/* of maps: hcalls mapping all RAM into a direct DDW (set-up) */
	uint64_t partial;		/* H_STUFF_TCEs that left a mapping partly mapped (it waits) */
	uint64_t unfinished;		/* mappings partly cleared and still live at the end */
	uint64_t splits;		/* mappings split: a map reused TCEs a clear took from them */
	uint64_t overwritten;		/* TCEs a map set over a page a live mapping still held */
	uint64_t forced;		/* groups closed because QPEND_MAX ops waited behind them */
	/* devices, vCPUs and multi-TCE off: */
	uint64_t devices;		/* device ops written (driver DMA parameters, boot clear) */
	uint64_t boot_clear;		/* TCEs of default windows the kernel cleared at boot */
	uint64_t threads;		/* vCPU threads seen */
	uint64_t pools_known;		/* of them, threads whose pool a small map showed */
	uint64_t pool_late;		/* threads that had a provisional CPU of another pool */
	uint64_t pool_unknown;		/* threads with ops whose pool no small map showed */
	uint64_t pool_moves;		/* small maps outside their thread's pool */
	bool per_tce;			/* the kernel cleared with H_PUT_TCE: multi-TCE off */
	uint64_t merged;		/* per-TCE puts merged into the element before them */
	uint64_t ambiguous;		/* per-TCE maps of 2+ runs: one map_sg or several maps */
	uint64_t held_splits;		/* groups split where separate large maps met */
	uint64_t reordered;		/* large maps moved before another CPU's later one */
};

/*
 * Reads QEMU's spapr_iommu_* trace log (the `log` backend with -msg
 * timestamp=on, as in shared/data/qemu; "-" = stdin) and writes the ops to
 * out (format from its name: .ddwb binary, else .ddwt text), atomically.
 * with_time: give ops @time stamps (ps since the first line). Returns 0, or
 * -1 after reporting `FILE:LINE: message` for a malformed line (or an I/O
 * error through ddw_error()); out is then not created. st may be NULL; it is
 * filled in either way, with what was read up to the error.
 * Oddities that do not stop the import (a TCE set twice, a window dropped
 * with live mappings, ...) are reported once each as
 * "ddwsim: warning: FILE:LINE: ...", and mappings left partly cleared at the
 * end once in total.
 */
int import_qemu(const char *in, const char *out, bool with_time, struct import_stats *st);

#endif /* DDWSIM_IMPORT_H */
