/*
 * phb.c - the PHB's DMA translation, functional (no time).
 *
 * Per PCIe request (reference/domain.md §3.1, QEMU pnv_phb4_translate_tve):
 *   1. the window: bus address bit 59 picks the TVE; here, the PE's window
 *      whose range holds the address, else a fault;
 *   2. TCE-cache lookup keyed by (PE, window, TCE index);
 *   3. on a miss, a walk: one dependent 8-byte read per level; a zero
 *      indirect entry stops it (fault); a non-zero leaf is cached;
 *   4. permission: a write needs TCE_PCI_WRITE, a read TCE_PCI_READ.
 * Requests split at naturally aligned MPS/MRRS boundaries (assumed: device
 * DMA engines issue aligned requests; PCIe forbids crossing 4 KiB, and
 * MPS/MRRS <= 4 KiB divide it, so no request crosses a TCE either).
 */
#include "ddwsim/phb.h"
#include "ddwsim/tce.h"

static void translate(struct phb *p, struct pe *pe, uint64_t bus, bool write)
{
	struct window *w = window_find(pe, bus);
	const struct tce_geom *g;
	struct tce_walk walk;
	uint64_t idx, tce;

	if (!w) {
		p->st->faults++;
		return;
	}
	g = tce_table_geom(w->tbl);
	idx = (bus - w->start) >> g->page_shift;
	p->st->cache_lookups++;
	if (tce_cache_lookup(p->cache, pe->number, w->num, idx, &tce)) {
		p->st->cache_hits++;
	} else {
		p->st->cache_misses++;
		int rc = tce_table_walk(w->tbl, idx, &walk);

		p->st->walks++;
		p->st->walk_reads += walk.reads;
		tce = walk.tce;
		if (rc < 0 || !tce) {
			p->st->faults++;
			return;
		}
		tce_cache_fill(p->cache, pe->number, w->num, idx, tce);
	}
	if (!tce_allows(tce, write))
		p->st->faults++;
}

void phb_dma(struct phb *p, struct pe *pe, uint64_t bus, uint64_t len, bool write,
	     bool bypass)
{
	uint64_t unit = write ? p->mps : p->mrrs;

	while (len) {
		uint64_t chunk = unit - (bus & (unit - 1));

		if (chunk > len)
			chunk = len;
		p->st->requests++;
		if (!bypass)
			translate(p, pe, bus, write);
		bus += chunk;
		len -= chunk;
	}
}
