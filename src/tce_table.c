/*
 * tce_table.c - the TCE table of one DMA window.
 *
 * Geometry (PowerNV, reference/domain.md §2.3-2.5), from
 * pnv_pci_ioda2_table_alloc_pages() (pci-ioda-tce.c):
 *
 *   entries_shift = ilog2(window_size) - page_shift
 *   table_shift   = max(entries_shift + 3, PAGE_SHIFT)     flat-equivalent bytes
 *   entries_shift = ceil(entries_shift / levels)
 *   level_shift   = max(entries_shift + 3, PAGE_SHIFT)     bytes of one level
 *   -EINVAL if (level_shift - 3) * levels + page_shift >= 55
 *   it_size       = (1 << table_shift) >> 3                entries
 *   it_level_size = 1 << (level_shift - 3)                 entries per level
 *
 * and table_bytes = pnv_pci_ioda2_get_table_size() / 2 (pci-ioda.c; the
 * other half is the userspace copy VFIO keeps).
 *
 * Layout, as the PHB sees it (pnv_tce; QEMU pnv_phb4_translate_tve):
 *
 *   top level (allocated at creation)          lower levels (allocated on first set)
 *   +-----------------------+                  +-----------------------+
 *   | n = idx >> (L*bits)   | --> addr|R|W --> | ...        leaf: TCE  |
 *   +-----------------------+                  +-----------------------+
 *
 * Storage: one sparse array per level, keyed by the entry's global number at
 * that level, idx >> (L * level_bits) (L = 0 for leaves). A level-L node exists
 * iff its parent entry is non-zero, exactly as in the kernel, so the memory
 * this program uses grows with the entries written, never with the window.
 * Level allocations get synthetic real addresses, base + serial << level_shift,
 * so that walks can report the addresses they read.
 *
 * Cost: set/get/clear/walk are O(levels) sparse accesses.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "ddwsim/tce.h"
#include "ddwsim/tce_table.h"
#include "ddwsim/xalloc.h"

struct tce_table {
	struct tce_geom g;
	enum tce_table_kind kind;
	unsigned host_page_shift;
	uint64_t base;			/* real address of the top level */
	uint64_t nodes;			/* PNV: level allocations made, top included */
	uint64_t hv_pages;		/* HV: host pages of the table filled in */
	struct sparse lv[TCE_MAX_LEVELS]; /* lv[0] = leaves, lv[levels-1] = top */
	struct sparse hv_touched;	/* HV: one word per host page, 1 = present */
	uint64_t ident_n;		/* entries [0, ident_n) are identity-mapped */
	uint64_t ident_perm;		/* their permission bits */
};

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static unsigned ilog2_u64(uint64_t x)
{
	return 63 - (unsigned)__builtin_clzll(x);
}

static unsigned umax(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

uint64_t tce_pnv_get_table_size(unsigned page_shift, uint64_t window_size,
				unsigned levels, unsigned host_page_shift)
{
	unsigned entries_shift;
	uint64_t tce_table_size, direct_table_size, bytes = 0;

	if (!levels || levels > TCE_MAX_LEVELS || !is_pow2(window_size) ||
	    ilog2_u64(window_size) < page_shift)
		return 0;
	entries_shift = ilog2_u64(window_size) - page_shift;
	tce_table_size = 1ull << (entries_shift + 3);
	if (tce_table_size < 0x1000)
		tce_table_size = 0x1000;
	entries_shift = (entries_shift + levels - 1) / levels;
	direct_table_size = 1ull << umax(entries_shift + 3, host_page_shift);
	for (; levels; --levels) {
		bytes += align_up(tce_table_size, direct_table_size);
		tce_table_size /= direct_table_size;
		tce_table_size <<= 3;
		if (tce_table_size < direct_table_size)
			tce_table_size = direct_table_size;
	}
	return bytes + bytes;
}

static int geom_hv(struct tce_geom *g, const struct tce_table_req *req)
{
	uint64_t page = 1ull << req->host_page_shift;

	if (req->levels != 1)
		return -EINVAL;
	g->level_bits = g->entries_shift;
	g->level_shift = g->entries_shift + 3;
	g->it_size = 1ull << g->entries_shift;
	g->table_bytes = align_up(g->it_size * TCE_ENTRY_SIZE, page);
	return 0;
}

static int geom_pnv(struct tce_geom *g, const struct tce_table_req *req)
{
	unsigned table_shift = umax(g->entries_shift + 3, req->host_page_shift);
	unsigned per_level = (g->entries_shift + req->levels - 1) / req->levels;

	g->level_shift = umax(per_level + 3, req->host_page_shift);
	if (req->max_bits &&
	    (g->level_shift - 3) * req->levels + req->page_shift >= req->max_bits)
		return -EINVAL;
	g->level_bits = g->level_shift - 3;
	g->it_size = (1ull << table_shift) >> 3;
	g->table_bytes = tce_pnv_get_table_size(req->page_shift, req->window_size,
						req->levels, req->host_page_shift) / 2;
	return 0;
}

int tce_geom_compute(struct tce_geom *g, const struct tce_table_req *req)
{
	if (!req->levels || req->levels > TCE_MAX_LEVELS || !is_pow2(req->window_size) ||
	    ilog2_u64(req->window_size) < req->page_shift || req->page_shift < 12)
		return -EINVAL;
	g->page_shift = req->page_shift;
	g->levels = req->levels;
	g->window_size = req->window_size;
	g->entries_shift = ilog2_u64(req->window_size) - req->page_shift;
	return req->kind == TCE_TABLE_HV ? geom_hv(g, req) : geom_pnv(g, req);
}

int tce_table_new(struct tce_table **out, const struct tce_table_req *req)
{
	struct tce_geom g;
	struct tce_table *t;
	int rc = tce_geom_compute(&g, req);

	if (rc < 0)
		return rc;
	t = xcalloc(1, sizeof(*t));
	t->g = g;
	t->kind = req->kind;
	t->host_page_shift = req->host_page_shift;
	t->base = req->base;
	t->nodes = 1;
	for (unsigned l = 0; l < g.levels; l++) {
		unsigned shift = l * g.level_bits;
		unsigned bits = g.level_bits * g.levels > shift ? g.level_bits * g.levels - shift : 1;

		sparse_init(&t->lv[l], bits > 60 ? 60 : bits);
	}
	sparse_init(&t->hv_touched, 48);
	*out = t;
	return 0;
}

void tce_table_free(struct tce_table *t)
{
	if (!t)
		return;
	for (unsigned l = 0; l < t->g.levels; l++)
		sparse_release(&t->lv[l]);
	sparse_release(&t->hv_touched);
	free(t);
}

const struct tce_geom *tce_table_geom(const struct tce_table *t)
{
	return &t->g;
}

uint64_t tce_table_bytes_allocated(const struct tce_table *t)
{
	if (t->kind == TCE_TABLE_HV)
		return t->hv_pages << t->host_page_shift;
	return t->nodes << t->g.level_shift;
}

uint64_t tce_table_base(const struct tce_table *t)
{
	return t->base;
}

/* Key of idx's entry at level l (0 = leaf). */
static inline uint64_t level_key(const struct tce_table *t, uint64_t idx, unsigned l)
{
	return idx >> (l * t->g.level_bits);
}

static uint64_t div_up(uint64_t a, unsigned shift)
{
	return (a + (1ull << shift) - 1) >> shift;
}

/*
 * Is level l's entry key (l >= 1) one of the identity range's? Those point
 * at lower levels that exist, as the kernel would have allocated them while
 * writing the range (tce_table_map_identity).
 */
static inline bool ident_covers(const struct tce_table *t, unsigned l, uint64_t key)
{
	return t->ident_n && key < div_up(t->ident_n, l * t->g.level_bits);
}

/* Makes sure every level above the leaf exists for idx (pnv_tce, alloc=true). */
static void alloc_levels(struct tce_table *t, uint64_t idx)
{
	for (unsigned l = t->g.levels - 1; l > 0; l--) {
		uint64_t *e;

		if (ident_covers(t, l, level_key(t, idx, l)))
			continue;
		e = sparse_slot(&t->lv[l], level_key(t, idx, l));
		if (!*e) {
			uint64_t addr = t->base + (t->nodes << t->g.level_shift);

			t->nodes++;
			*e = tce_to_be(addr | TCE_PCI_READ | TCE_PCI_WRITE);
		}
	}
}

static void hv_touch(struct tce_table *t, uint64_t idx)
{
	uint64_t page = idx >> (t->host_page_shift - 3), *p;

	if (page < div_up(t->ident_n * TCE_ENTRY_SIZE, t->host_page_shift))
		return;		/* filled in by the identity range */
	p = sparse_slot(&t->hv_touched, page);
	if (!*p) {
		*p = 1;
		t->hv_pages++;
	}
}

void tce_table_set(struct tce_table *t, uint64_t idx, uint64_t tce)
{
	assert(idx < t->g.it_size);
	if (t->kind == TCE_TABLE_HV)
		hv_touch(t, idx);
	else
		alloc_levels(t, idx);
	sparse_set(&t->lv[0], idx, tce_to_be(tce));
}

/* Are all levels above idx's leaf present? */
static bool levels_present(const struct tce_table *t, uint64_t idx)
{
	for (unsigned l = t->g.levels - 1; l > 0; l--)
		if (!ident_covers(t, l, level_key(t, idx, l)) &&
		    !sparse_get(&t->lv[l], level_key(t, idx, l)))
			return false;
	return true;
}

void tce_table_clear(struct tce_table *t, uint64_t idx)
{
	assert(idx < t->g.it_size);
	if (!levels_present(t, idx))
		return;
	sparse_set(&t->lv[0], idx, 0);	/* frees the leaf once it empties */
}

uint64_t tce_table_get(const struct tce_table *t, uint64_t idx)
{
	if (idx < t->ident_n)
		return (idx << t->g.page_shift) | t->ident_perm;
	if (idx >= t->g.it_size || !levels_present(t, idx))
		return 0;
	return tce_from_be(sparse_get(&t->lv[0], idx));
}

/* Synthetic address of the level below level-l entry key of the identity range. */
static uint64_t ident_node(const struct tce_table *t, uint64_t key)
{
	return (t->base + (1ull << 35) + (key << t->g.level_shift)) | TCE_PCI_READ | TCE_PCI_WRITE;
}

void tce_table_map_identity(struct tce_table *t, uint64_t count, uint64_t perm)
{
	assert(count <= t->g.it_size && t->ident_n == 0);
	t->ident_n = count;
	t->ident_perm = perm & TCE_PERM_MASK;
	if (t->kind == TCE_TABLE_HV) {
		t->hv_pages += div_up(count * TCE_ENTRY_SIZE, t->host_page_shift);
		return;
	}
	/* Nodes below the top: level l (0 = leaves) needs one per 2^((l+1)*bits) entries. */
	for (unsigned l = 0; l + 1 < t->g.levels; l++)
		t->nodes += div_up(count, (l + 1) * t->g.level_bits);
}

int tce_table_walk(const struct tce_table *t, uint64_t idx, struct tce_walk *w)
{
	uint64_t node = t->base, mask = (1ull << t->g.level_bits) - 1;

	w->reads = 0;
	w->tce = 0;
	if (idx >= t->g.it_size)
		return -ERANGE;
	for (unsigned l = t->g.levels; l-- > 0;) {
		uint64_t key = level_key(t, idx, l);
		uint64_t v = tce_from_be(sparse_get(&t->lv[l], key));

		if (l ? ident_covers(t, l, key) : idx < t->ident_n)
			v = l ? ident_node(t, key) : tce_table_get(t, idx);

		w->addr[w->reads++] = node + (key & mask) * TCE_ENTRY_SIZE;
		if (l == 0) {
			w->tce = v;
			return 0;
		}
		if (!(v & TCE_PERM_MASK))
			return -ENOENT;
		node = v & ~0xfffull;
	}
	return 0;
}
