/*
 * stats.c - the registry of reported figures.
 *
 * Stats are data: each figure is registered once with its JSON path and
 * meaning, and the text, JSON and CSV writers (report.c) all walk this table,
 * so the three formats always agree. Window errors are a map of errno names,
 * written by report.c after the table.
 */
#include <errno.h>
#include <stddef.h>

#include "ddwsim/stats.h"

#define U(p, f, h)	{ p, STAT_U64, offsetof(struct mode_stats, f), 0, h }
#define R(p, n, d, h)	{ p, STAT_RATIO, offsetof(struct mode_stats, n), \
			  offsetof(struct mode_stats, d), h }

const struct stat_desc mode_stat_table[] = {
	U("ios", ios, "DMA operations made by the device"),
	U("bytes", bytes, "bytes moved by those DMAs"),
	U("map.calls", map_calls, "per-I/O map and map_sg calls"),
	U("map.failures", map_failures, "maps that found no free TCEs (iommu_alloc failed)"),
	U("map.tces_written", map_tces, "TCEs written by per-I/O maps"),
	U("unmap.calls", unmap_calls, "per-I/O unmap calls"),
	U("unmap.tces_cleared", unmap_tces, "TCEs cleared by unmaps"),
	U("setup.hcalls", setup_hcalls, "hypercalls made once to map all RAM (direct)"),
	U("setup.tces_written", setup_tces, "TCEs written once to map all RAM (direct)"),
	U("setup.kills", setup_kills, "TCE kills made while mapping all RAM"),
	U("hcalls.h_put_tce", h_put_tce, "per-I/O H_PUT_TCE calls"),
	U("hcalls.h_put_tce_indirect", h_put_tce_indirect, "per-I/O H_PUT_TCE_INDIRECT calls"),
	U("hcalls.h_stuff_tce", h_stuff_tce, "per-I/O H_STUFF_TCE calls"),
	U("kills.page", kill_page, "page-scope TCE kills performed by the PHB"),
	U("kills.pe", kill_pe, "PE-scope TCE kills performed by the PHB"),
	U("kills.all", kill_all, "whole-cache TCE kills performed by the PHB"),
	U("kills.opal_calls", opal_kill_calls, "OPAL_PCI_TCE_KILL calls made by the host"),
	U("allocator.words_scanned", alloc_words, "it_map words read by the TCE allocator"),
	U("allocator.peak_tces", alloc_peak, "most TCEs allocated at once"),
	U("allocator.recorded", alloc_recorded, "maps whose real bus address the trace recorded"),
	U("allocator.matched", alloc_matched, "of those, maps where ddwsim chose the same page"),
	R("allocator.match_rate", alloc_matched, alloc_recorded, "matched / recorded"),
	U("requests", requests, "PCIe requests the DMAs were split into"),
	U("tce_cache.lookups", cache_lookups, "TCE-cache lookups"),
	U("tce_cache.hits", cache_hits, "TCE-cache hits"),
	U("tce_cache.misses", cache_misses, "TCE-cache misses"),
	R("tce_cache.hit_rate", cache_hits, cache_lookups, "hits / lookups"),
	U("tce_cache.evictions", cache_evictions, "valid entries replaced by fills"),
	U("tce_cache.invalidations", cache_invalidations, "valid entries removed by kills"),
	U("walks.count", walks, "table walks (one per miss)"),
	U("walks.memory_reads", walk_reads, "memory reads made by walks"),
	U("faults", faults, "DMA faults: missing level, no TCE or no permission"),
	U("unmapped_dmas", unmapped_dmas, "DMAs naming a handle that was not mapped"),
	U("window_ops.created", win_created, "windows created"),
	U("window_ops.removed", win_removed, "windows removed"),
	U("window_ops.skipped", win_skipped, "trace window ops not replayed (the mode made its own DDW)"),
	{ NULL, STAT_U64, 0, 0, NULL },
};

uint64_t stat_u64(const struct mode_stats *s, const struct stat_desc *d)
{
	return *(const uint64_t *)((const char *)s + d->off);
}

double stat_ratio(const struct mode_stats *s, const struct stat_desc *d)
{
	uint64_t num = *(const uint64_t *)((const char *)s + d->off);
	uint64_t den = *(const uint64_t *)((const char *)s + d->den);

	return den ? (double)num / (double)den : 0.0;
}

