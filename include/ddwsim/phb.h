/*
 * phb.h - the PHB: how a device's DMA is split into PCIe requests, how each
 * request is translated (TCE-cache lookup, walk, fault), and TCE kills.
 *
 * This is the only translation path. The functional replay calls it with no
 * clock; the timed replay calls it too, in the same (trace) order, and keeps
 * each request's outcome in the device's log so that its PHB pipeline
 * (timed_phb.c) only decides *when* each outcome happens.
 */
#ifndef DDWSIM_PHB_H
#define DDWSIM_PHB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddwsim/counters.h"
#include "ddwsim/tce_cache.h"
#include "ddwsim/window.h"

/* One mapped piece: what the device uses and what unmap frees. */
struct dma_seg {
	uint64_t dma;		/* bus address the device uses */
	uint64_t len;		/* bytes */
};

enum kill_scope {
	KILL_NONE,	/* nothing invalidated (a cache kept coherent some other way) */
	KILL_PAGE,	/* the pages named */
	KILL_PE,	/* every entry of the PE (PHB4/5 with HW560152) */
	KILL_ALL,	/* the whole cache */
};

/* One kill the host made: what the PHB must invalidate. */
struct kill_req {
	enum kill_scope scope;	/* what it invalidates */
	unsigned pe, win;
	uint64_t idx, npages;	/* pages named (KILL_PAGE) */
	uint64_t requests;	/* MMIO stores or OPAL calls it took */
};

/*
 * Outcome of one request, one byte: the kind in the high bits, the walk's
 * memory reads (0..5) in the low ones.
 */
#define PHB_HIT		0x00	/* found in the TCE cache */
#define PHB_MISS	0x10	/* walked: PHB_READS(o) dependent reads */
#define PHB_FAULT	0x20	/* or'ed in: the request faulted */
#define PHB_NOWIN	0x40	/* no window holds the address (a fault, no lookup) */
#define PHB_BYPASS	0x80	/* not translated (bypass) */
#define PHB_READS(o)	((unsigned)(o) & 0x0f)

/* A FIFO of request outcomes (one device's), kept for a timed replay. */
struct phb_log {
	uint8_t *buf;
	size_t cap, head, n;		/* ring: n bytes from head */
};

/* Kill requests a host operation made, kept for a timed replay. */
struct phb_kills {
	uint64_t *requests;		/* per kill: its requests */
	unsigned n, cap;
};

/*
 * The host IOMMU behind a guest's windows (KVM + VFIO, reference/domain.md
 * §6, §8.5). QEMU creates a host window for each guest window
 * (vfio_spapr_create_window) with host TCEs of the largest host size no
 * bigger than min(guest TCE, qemu_minrampagesize()); KVM then backs each
 * guest TCE with 1 << (guest shift - host shift) host TCEs
 * (kvmppc_tce_iommu_map). The PHB caches, walks and kills those host TCEs.
 * page_sizes 0: no host side, the PHB walks the guest-visible table
 * (PowerVM, an emulated device, bare metal).
 */
struct phb_host {
	uint64_t page_sizes;		/* host TCE sizes, bit n = 2^n bytes; 0 = none */
	unsigned ram_shift;		/* log2 qemu_minrampagesize(): guest RAM backing page */
	unsigned page_shift;		/* host kernel PAGE_SHIFT (qemu_real_host_page_size) */
};

#define PHB_HOST_MAX_BITS	55	/* pnv_pci_ioda2_table_alloc_pages limit (domain.md §2.3) */

struct phb {
	struct tce_cache *cache;
	struct phb_host host;		/* the host IOMMU behind guest windows, if any */
	uint64_t host_memo_base;	/* table (tce_table_base, never 0) whose host */
	unsigned host_memo_pe;		/* levels are memoised, and its PE; base 0 = none */
	unsigned host_memo_levels;
	unsigned mps;			/* writes are split at this many bytes */
	unsigned mrrs;			/* reads are split at this many bytes */
	struct mode_stats *st;		/* the device being served */
	struct phb_log *log;		/* its outcome log, NULL when not timed */
	struct phb_kills *kills;	/* kills of the host op running, NULL when not timed */
};

/*
 * Walks a DMA of len bytes at offset off of a mapping's segments, one PCIe
 * request at a time: requests end at naturally aligned `unit` boundaries
 * (MPS for writes, MRRS for reads) and at segment ends, which keeps every
 * request inside one 4 KiB block and one IOMMU page.
 */
struct dma_cursor {
	const struct dma_seg *seg;
	unsigned i;			/* current segment */
	uint64_t off;			/* offset in it */
	uint64_t left;			/* bytes still to request */
	uint64_t unit;
};

void dma_cursor_init(struct dma_cursor *c, const struct dma_seg *seg, uint64_t off,
		     uint64_t len, uint64_t unit);
/* The next request's bus address and length; false when the DMA is done. */
bool dma_cursor_next(struct dma_cursor *c, uint64_t *bus, uint64_t *len);

static inline uint64_t phb_unit(const struct phb *p, bool write)
{
	return write ? p->mps : p->mrrs;
}

/*
 * The TCE size the PHB translates a guest window of 2^guest_shift-byte TCEs
 * with: the guest's own without a host side, else the host's
 * (vfio_spapr_create_window: pagesize = min(guest TCE, qemu_minrampagesize()),
 * then the largest host size <= pagesize). 0 when the host has none that
 * small (QEMU: "Host doesn't support page size", the window is refused).
 */
static inline unsigned phb_host_shift(const struct phb_host *h, unsigned guest_shift)
{
	unsigned cap = guest_shift < h->ram_shift ? guest_shift : h->ram_shift;
	uint64_t fit;

	if (!h->page_sizes)
		return guest_shift;
	fit = h->page_sizes & ((2ull << cap) - 1);
	return fit ? 63u - (unsigned)__builtin_clzll(fit) : 0;
}

/*
 * The host table QEMU creates behind a guest window of geometry guest
 * (vfio_spapr_create_window): page shift phb_host_shift(); levels guessed as
 * ceil(ctz(entries * 8) / (ctz(host page) + 8)) (QEMU's entries is 32 bits:
 * 64 from 2^32 entries on) and raised while the host
 * kernel refuses them (pnv_pci_ioda2_table_alloc_pages' 55-bit limit), up to
 * (64 - page shift) / ctz(host page). Fills *out with the PowerNV geometry
 * (tce_geom_compute). Returns 0, or -EINVAL without a host side or when no
 * level count fits.
 */
int phb_host_geom(const struct phb_host *h, const struct tce_geom *guest, struct tce_geom *out);

/*
 * Host memory of that table: the hardware table plus the userspace view VFIO
 * keeps (it_userspace), pnv_pci_ioda2_get_table_size(); 0 without a host side.
 */
uint64_t phb_host_table_bytes(const struct phb_host *h, const struct tce_geom *guest);

/*
 * The window of pe whose table holds bus (the TVE covers the table's it_size
 * entries), and the index of bus's TCE in it, in the TCEs the PHB caches:
 * the host's when a host side backs the window with smaller TCEs
 * (phb_host_shift), else the window's own. NULL if none.
 */
struct window *phb_window(const struct phb *p, struct pe *pe, uint64_t bus, uint64_t *idx);

/*
 * A device DMA of len bytes at offset off of the segments seg: every request
 * counted and translated (bypass: counted, not translated). A request is
 * translated in pe's window holding it: a TCE-cache lookup keyed by (PE,
 * window, TCE index), on a miss a walk of the table (a zero indirect entry
 * or a zero TCE is a fault and is not cached), then the permission. Counts
 * into p->st; logs each outcome to p->log when there is one.
 */
void phb_dma(struct phb *p, struct pe *pe, const struct dma_seg *seg, uint64_t off,
	     uint64_t len, bool write, bool bypass);

/*
 * A stream of DMAs of one PE with no window op between them (a run of a
 * trace's DMAs): the window found for one is kept for the next, so a
 * stream of small DMAs in one window looks it up once. phb_dma() is one
 * DMA of a stream begun for it; both go through the same translation.
 */
struct phb_stream {
	struct pe *pe;
	struct window *w;		/* the window found last, NULL: none */
	uint64_t start, it_size;	/* w's bus start and entries (0: none) */
	unsigned page_shift;		/* w's TCE size */
	unsigned idx_shift;		/* the PHB's TCEs: phb_host_shift() */
	uint64_t key;			/* w's TCE-cache key (tce_cache_key) */
	uint64_t before_start;		/* a used slot before w: its bus start, */
	uint64_t before_size;		/* entries (0: none) */
	unsigned before_shift;		/* and TCE size */
};

static inline void phb_stream_begin(struct phb_stream *s, struct pe *pe)
{
	*s = (struct phb_stream){ .pe = pe };
}

/* One DMA of the stream, as phb_dma() without bypass. */
void phb_stream_dma(struct phb *p, struct phb_stream *s, const struct dma_seg *seg,
		    uint64_t off, uint64_t len, bool write);

/*
 * A DMA of len bytes at offset off lies within a mapping of mlen bytes (0:
 * none): len >= 1 (len - 1 wraps for 0), and off + len <= mlen without
 * computing a sum that could wrap.
 */
static inline bool dma_within(uint64_t mlen, uint64_t off, uint64_t len)
{
	return len - 1 < mlen && off <= mlen - len;
}

/*
 * Does one request carry the len bytes at bus: are they within one naturally
 * aligned unit? For len <= unit (the caller's test): in a loop over bus,
 * unit - len is computed once.
 */
static inline bool dma_one_unit(uint64_t bus, uint64_t len, uint64_t unit)
{
	return (bus & (unit - 1)) <= unit - len;
}

/*
 * A run of n DMAs of len bytes of one PE, at the offsets off[0..n) of the
 * mapping whose segments are seg (mlen bytes in all; 0: not mapped), with
 * no window op between them: each within the mapping (dma_within) as
 * phb_dma() without bypass, in one stream; the others not translated.
 * Returns how many are not within it (len 0 aside: none are).
 */
uint64_t phb_run(struct phb *p, struct pe *pe, const struct dma_seg *seg, uint64_t mlen,
		 const uint64_t *off, uint64_t n, uint64_t len, bool write);

/* A kill reaching the PHB: invalidates what k names; logs its requests. */
void phb_kill(struct phb *p, const struct kill_req *k);

/* The outcome logs. */
void phb_log_push(struct phb_log *l, uint8_t o);
/* n outcomes o at once, as n phb_log_push() would log them. */
void phb_log_push_n(struct phb_log *l, uint8_t o, size_t n);
uint8_t phb_log_pop(struct phb_log *l);
void phb_log_release(struct phb_log *l);

#endif /* DDWSIM_PHB_H */
