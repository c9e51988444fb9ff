/*
 * enable_ddw.c - the pseries guest's DDW decision, as Linux makes it.
 *
 * Modelled on arch/powerpc/platforms/pseries/iommu.c, the text with limited
 * addressing (enable_ddw(dev, pdn, dma_mask), 6.13 and later; reference/domain.md
 * §5.4). Where that text and the older one (6.1..6.12) differ, this says so:
 *
 *   1. iommu_bypass_supported_pSeriesLP: a mask of 32 bits or less gets no DDW.
 *      (Before limited addressing: anything below 64 bits got none.)
 *   2. query_ddw: windows available, largest block (TCEs), page sizes.
 *   3. limited_addr_req = mask != 64 bits: limited_dma_window() needs the
 *      ibm,ddw-extensions limited-addressing entry, else out_failed. QEMU's
 *      ibm,ddw-extensions has 2 entries (reset, query-out-size): none.
 *   4. windows_available == 0: remove_dma_window() on the default window,
 *      query again. ddwsim's hypervisor then offers the default's window
 *      (QEMU: avail = SPAPR_PCI_DMA_MAX_WINDOWS - active windows).
 *   5. page_shift = iommu_get_page_shift(): the largest LoPAR size offered
 *      (4K 64K 16M 32M 64M 128M 256M 16G, and 2M); 0 = none, out_failed.
 *   6. ddw_sz = min(order_base_2(largest_block << page_shift), fls64(mask)).
 *      The shift is a u64 shift as in the kernel: an offer of 2^64 bytes or
 *      more wraps, and the kernel then asks for a window it cannot get.
 *   7. len = order_base_2(ddw_memory_hotplug_max()), or MAX_PHYSMEM_BITS when
 *      ibm,pmemory exists and ddw_sz reaches it ("Skipping ibm,pmemory" else).
 *   8. ddw_sz < len: "can't map partition max ..." -> dynamic, len = ddw_sz
 *      (a DMA64 window with its own iommu_table; Linux 5.16 and later).
 *      Else direct = !default_removed || len == MAX_PHYSMEM_BITS ||
 *      (!pmem && len == max_ram_len); with vPMEM and the default removed, the
 *      hybrid split if 2^ddw_sz >= MIN_DDW_VPMEM_DMA_WINDOW + 2^max_ram_len,
 *      else dynamic; either way len = ddw_sz.
 *   9. create_ddw(page_shift, len): done by the caller (replay.c), whose
 *      failure is out_failed: enable_ddw_failed(), default window restored.
 *
 * Not modelled: find_existing_ddw and failed_ddw_pdn_list (each ddwsim device
 * is its own PE and is set up once), disable_ddw, iommu_table_in_use (nothing
 * is mapped at set-up).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/enable_ddw.h"

/* The IO page sizes LoPAR defines (iommu_get_page_shift's table), as shifts. */
static const uint64_t lopar_sizes = (1ull << 12) | (1ull << 16) | (1ull << 24) | (1ull << 25) |
				    (1ull << 26) | (1ull << 27) | (1ull << 28) | (1ull << 34) |
				    (1ull << 21);

unsigned ddw_order_base_2(uint64_t x)
{
	return x <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(x - 1);
}

static unsigned fls64(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

const char *ddw_kind_name(enum ddw_kind k)
{
	static const char *const names[] = { "none", "direct", "dynamic" };

	return (unsigned)k < 3 ? names[k] : "none";
}

/* "16M", "2G": a power of two with its unit; other sizes in hex. */
static const char *size_str(uint64_t bytes, char *buf, size_t n)
{
	static const char units[] = "KMGTPE";
	unsigned u = 0;

	if (!bytes || (bytes & (bytes - 1)) || bytes < 1024) {
		snprintf(buf, n, "%#" PRIx64, bytes);
		return buf;
	}
	while (bytes >= 1024 && !(bytes % 1024) && u < 6)
		bytes /= 1024, u++;
	snprintf(buf, n, "%" PRIu64 "%c", bytes, units[u - 1]);
	return buf;
}

static void none(struct ddw_choice *c, const char *why)
{
	c->kind = DDW_NONE;
	snprintf(c->reason, sizeof(c->reason), "no DDW: %.180s", why);
}

/* Steps 1 and 3: the DMA mask. false: *c says why there is no DDW. */
static bool mask_allows(const struct ddw_offer *o, uint64_t mask, struct ddw_choice *c)
{
	char why[DDW_REASON_MAX];

	if (mask <= 0xffffffffull) {
		snprintf(why, sizeof(why), "DMA mask %u bits, a DDW needs more than 32 (iommu_bypass_supported_pSeriesLP): default window",
			 fls64(mask));
		none(c, why);
		return false;
	}
	if (mask != UINT64_MAX && !o->limited_addressing) {
		snprintf(why, sizeof(why), "DMA mask %u bits needs limited addressing, which ibm,ddw-extensions does not offer (limited_dma_window): default window",
			 fls64(mask));
		none(c, why);
		return false;
	}
	return true;
}

/* Step 5: the largest LoPAR page size offered, 0 if none. */
static unsigned largest_page_shift(uint64_t page_sizes)
{
	uint64_t m = page_sizes & lopar_sizes;

	return m ? 63 - (unsigned)__builtin_clzll(m) : 0;
}

/* Step 6: log2 of the biggest window the offer and the mask allow. */
static unsigned window_bits(const struct ddw_offer *o, uint64_t mask, unsigned page_shift)
{
	uint64_t bytes = page_shift < 64 ? o->largest_block << page_shift : 0; /* u64, as the kernel */
	unsigned sz = ddw_order_base_2(bytes);

	return sz < fls64(mask) ? sz : fls64(mask);
}

/* Steps 7 and 8, with the offer covering len: direct, hybrid or dynamic. */
static void decide_covering(const struct ddw_guest *g, struct ddw_choice *c, unsigned len)
{
	bool direct = !c->default_removed || len == DDW_MAX_PHYSMEM_BITS ||
		      (!g->pmem && len == c->max_ram_len);

	c->window_shift = len;
	c->kind = direct ? DDW_DIRECT : DDW_DYNAMIC;
	if (c->default_removed && g->pmem && !direct) {
		unsigned sz = c->ddw_sz;

		if (sz < 64 && (1ull << sz) >= DDW_MIN_VPMEM_WINDOW + (1ull << c->max_ram_len)) {
			c->kind = DDW_DIRECT;
			c->pmem_dynamic = true;
		}
		c->window_shift = sz;
	}
}

static void explain(const struct ddw_offer *o, struct ddw_choice *c, unsigned len)
{
	char a[24], b[24], lb[80];
	const char *removed = c->default_removed ? "; default window removed: no free window" : "";
	const char *pmem = c->pmem_dynamic ? ", vPMEM mapped per I/O above RAM" : "";
	char *r = c->reason;

	snprintf(lb, sizeof(lb), "largest block %#" PRIx64 " TCEs of %s", o->largest_block,
		 size_str(1ull << c->page_shift, a, sizeof(a)));
	if (c->kind == DDW_DYNAMIC && c->ddw_sz < len)
		snprintf(r, DDW_REASON_MAX, "dynamic: can't map partition max %#llx with %" PRIu64 " %llu-sized pages: a %s DDW of %s TCEs%s",
			 len < 64 ? 1ull << len : 0, o->largest_block, 1ull << c->page_shift,
			 size_str(c->window_shift < 64 ? 1ull << c->window_shift : 0, b, sizeof(b)), a,
			 removed);
	else
		snprintf(r, DDW_REASON_MAX, "%s: %s covers partition max %#llx: a %s DDW%s%s",
			 ddw_kind_name(c->kind), lb, len < 64 ? 1ull << len : 0,
			 size_str(c->window_shift < 64 ? 1ull << c->window_shift : 0, b, sizeof(b)),
			 pmem, removed);
}

void enable_ddw(const struct ddw_offer *o, const struct ddw_guest *g, struct ddw_choice *c)
{
	unsigned len;

	memset(c, 0, sizeof(*c));
	c->max_ram_len = ddw_order_base_2(g->hotplug_max);
	if (!mask_allows(o, g->dma_mask, c))
		return;
	if (o->windows_available == 0)
		c->default_removed = true;	/* and the query, made again, offers its window */
	c->page_shift = largest_page_shift(o->page_sizes);
	if (!c->page_shift) {
		none(c, c->default_removed ? "no supported page size in the offer; default window restored"
					   : "no supported page size in the offer: default window");
		c->default_removed = false;
		return;
	}
	c->ddw_sz = window_bits(o, g->dma_mask, c->page_shift);
	len = c->max_ram_len;
	if (g->pmem && c->ddw_sz >= DDW_MAX_PHYSMEM_BITS)
		len = DDW_MAX_PHYSMEM_BITS;
	if (c->ddw_sz < len) {
		c->kind = DDW_DYNAMIC;
		c->window_shift = c->ddw_sz;
	} else {
		decide_covering(g, c, len);
	}
	explain(o, c, len);
}

void enable_ddw_failed(struct ddw_choice *c, const char *what, int rc)
{
	char why[DDW_REASON_MAX];

	snprintf(why, sizeof(why), "%s(page shift %u, window shift %u) returned %d%s", what,
		 c->page_shift, c->window_shift, rc,
		 c->default_removed ? "; default window restored (reset_dma_window)" : ": default window");
	none(c, why);
	c->default_removed = false;
}
