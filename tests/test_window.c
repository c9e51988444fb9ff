/*
 * test_window.c - window slots of a PE against VFIO's create/remove semantics.
 *
 * Sources: reference/domain.md §7.3 (tce_iommu_create_window and its errnos,
 * the unset_exit rollback), §7.4 (tce_iommu_remove_window), §2.1 (slot 0 at
 * tce32_start = 0, slot 1 at tce_bypass_base = 1<<59), §2.2 (PHB4 TCE sizes
 * 4K/64K/2M/1G, no 16M), §2.3 (the 55-bit limit), §8.2-8.3 (QEMU pseries:
 * 4K|64K|2M|16M, default window 1 GiB of 4K TCEs at 0, the PAPR rule that
 * removing the last non-default window restores the default).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include "ddwsim/tce_table.h"
#include "ddwsim/window.h"

#define MiB	(1ull << 20)
#define GiB	(1ull << 30)
#define TiB	(1ull << 40)
#define DDW_START	(1ull << 59)	/* pe->tce_bypass_base (§2.1) */

/* PowerNV PHB4 host: skiboot hw/phb4.c sizes 12, 16, 21, 30; 2 windows; 5 levels;
 * PAGE_SHIFT 16; the current 55-bit limit; default window 64K TCEs, 2 GiB, 2 levels. */
static const struct window_platform phb4 = {
	.kind = TCE_TABLE_PNV,
	.page_sizes = (1ull << 12) | (1ull << 16) | (1ull << 21) | (1ull << 30),
	.max_windows = 2,
	.max_levels = 5,
	.host_page_shift = 16,
	.max_bits = 55,
	.slot_start = { 0, DDW_START },
	.def_page_shift = 16,
	.def_size = 2 * GiB,
	.def_levels = 2,
	.restore_default = false,
};

/* QEMU pseries guest (spapr_pci.c defaults): 4K|64K|2M|16M, default window
 * 1 GiB of 4K TCEs at 0, DDW at 1<<59, the hypervisor's flat 1-level table. */
static const struct window_platform pseries = {
	.kind = TCE_TABLE_HV,
	.page_sizes = (1ull << 12) | (1ull << 16) | (1ull << 21) | (1ull << 24),
	.max_windows = 2,
	.max_levels = 1,
	.host_page_shift = 16,
	.max_bits = 0,
	.slot_start = { 0, DDW_START },
	.def_page_shift = 12,
	.def_size = 1 * GiB,
	.def_levels = 1,
	.restore_default = true,
};

/* Everything an error must leave as it was. */
struct pe_snap {
	unsigned tables_live;
	uint64_t next_base;
	struct window win[WINDOW_MAX_SLOTS];
	uint32_t programmed[WINDOW_MAX_GROUPS];
};

static void snap(struct pe_snap *s, const struct pe *pe)
{
	memset(s, 0, sizeof(*s));
	s->tables_live = pe->tables_live;
	s->next_base = pe->next_base;
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++)
		s->win[i] = pe->win[i];
	memcpy(s->programmed, pe->programmed, sizeof(s->programmed));
}

/* with_base: also require next_base unchanged (errors before any table is made) */
static void expect_unchanged(const struct pe *pe, const struct pe_snap *s, bool with_base,
			     const char *what)
{
	cr_expect(eq(u32, pe->tables_live, s->tables_live), "%s: tables_live", what);
	if (with_base)
		cr_expect(eq(u64, pe->next_base, s->next_base), "%s: next_base", what);
	for (unsigned i = 0; i < WINDOW_MAX_SLOTS; i++) {
		cr_expect(eq(int, pe->win[i].used, s->win[i].used), "%s: win[%u].used", what, i);
		cr_expect(eq(int, pe->win[i].is_default, s->win[i].is_default),
			  "%s: win[%u].is_default", what, i);
		cr_expect(eq(u64, pe->win[i].start, s->win[i].start), "%s: win[%u].start", what, i);
		cr_expect(eq(u64, pe->win[i].size, s->win[i].size), "%s: win[%u].size", what, i);
		cr_expect(eq(ptr, pe->win[i].tbl, s->win[i].tbl), "%s: win[%u].tbl", what, i);
	}
	for (unsigned g = 0; g < WINDOW_MAX_GROUPS; g++)
		cr_expect(eq(u32, pe->programmed[g], s->programmed[g]),
			  "%s: programmed[%u]", what, g);
}

static void init_pe(struct pe *pe, const struct window_platform *plat, unsigned ngroups)
{
	cr_assert(eq(int, pe_init(pe, plat, 7, ngroups), 0));
}

/* programmed[g] == mask for the first ngroups groups, 0 beyond */
static void expect_programmed(const struct pe *pe, uint32_t mask)
{
	for (unsigned g = 0; g < WINDOW_MAX_GROUPS; g++)
		cr_expect(eq(u32, pe->programmed[g], g < pe->ngroups ? mask : 0),
			  "programmed[%u]", g);
}

/* ------------------------------------------------------------------ */
/* pe_init / create                                                   */
/* ------------------------------------------------------------------ */

Test(window, pe_init_creates_default_window_at_zero)
{
	struct pe pe;
	const struct tce_geom *g;

	init_pe(&pe, &phb4, 3);
	cr_expect(eq(u32, pe.number, 7));
	cr_expect(eq(u32, pe.ngroups, 3));
	cr_expect(eq(u32, pe.tables_live, 1));
	cr_assert(pe.win[0].used);
	cr_expect(pe.win[0].is_default);
	cr_expect(eq(u32, pe.win[0].num, 0));
	cr_expect(eq(u64, pe.win[0].start, 0));
	cr_expect(eq(u64, pe.win[0].size, 2 * GiB));
	cr_expect(not(pe.win[1].used));
	expect_programmed(&pe, 0x1);
	cr_expect(eq(ptr, window_at(&pe, 0), &pe.win[0]));
	cr_expect(eq(ptr, window_find(&pe, 2 * GiB - 1), &pe.win[0]));
	cr_expect(eq(ptr, window_find(&pe, 2 * GiB), NULL));

	/* 2 GiB / 64K / 2 levels, P = 16: E = 15, it_size = 2^15 = 32768;
	 * per = 8, ls = max(11, 16) = 16, lb = 13 */
	g = tce_table_geom(pe.win[0].tbl);
	cr_expect(eq(u32, g->page_shift, 16));
	cr_expect(eq(u32, g->levels, 2));
	cr_expect(eq(u64, g->it_size, 32768));
	cr_expect(eq(u32, g->level_bits, 13));
	pe_release(&pe);
	cr_expect(eq(u32, pe.tables_live, 0));
}

Test(window, pseries_pe_init_creates_1g_4k_default_window)
{
	struct pe pe;
	const struct tce_geom *g;

	init_pe(&pe, &pseries, 1);
	cr_assert(pe.win[0].used);
	cr_expect(pe.win[0].is_default);
	cr_expect(eq(u64, pe.win[0].start, 0));
	cr_expect(eq(u64, pe.win[0].size, 1 * GiB));
	/* 2^30 / 2^12 = 2^18 TCEs, flat */
	g = tce_table_geom(pe.win[0].tbl);
	cr_expect(eq(u32, g->page_shift, 12));
	cr_expect(eq(u32, g->levels, 1));
	cr_expect(eq(u64, g->it_size, 1ull << 18));
	pe_release(&pe);
}

Test(window, ddw_of_64k_pages_starts_at_1_shl_59)
{
	struct pe pe;
	uint64_t start = 0;

	init_pe(&pe, &phb4, 2);
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_expect(eq(u64, start, DDW_START));
	cr_assert(pe.win[1].used);
	cr_expect(not(pe.win[1].is_default));
	cr_expect(eq(u32, pe.win[1].num, 1));
	cr_expect(eq(u64, pe.win[1].start, DDW_START));
	cr_expect(eq(u64, pe.win[1].size, 1 * TiB));
	/* 1 TiB / 64K / 2 levels: it_size = 2^24, lb = 13 */
	cr_expect(eq(u64, tce_table_geom(pe.win[1].tbl)->it_size, 1ull << 24));
	cr_expect(eq(u32, tce_table_geom(pe.win[1].tbl)->level_bits, 13));
	cr_expect(eq(u32, pe.tables_live, 2));
	expect_programmed(&pe, 0x3);
	cr_expect(eq(ptr, window_at(&pe, DDW_START), &pe.win[1]));
	cr_expect(eq(ptr, window_find(&pe, DDW_START + TiB - 1), &pe.win[1]));
	cr_expect(eq(ptr, window_find(&pe, DDW_START + TiB), NULL));
	pe_release(&pe);
	cr_expect(eq(u32, pe.tables_live, 0));
}

Test(window, third_create_is_enospc_and_changes_nothing)
{
	struct pe pe;
	struct pe_snap s;
	uint64_t start;

	init_pe(&pe, &phb4, 2);
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	snap(&s, &pe);
	cr_expect(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), -ENOSPC));
	expect_unchanged(&pe, &s, true, "enospc");
	/* the slot check comes first (tce_iommu_find_free_table): even a bad
	 * page size or level count is -ENOSPC when both slots are taken */
	cr_expect(eq(int, window_create(&pe, 24, 1 * TiB, 2, &start), -ENOSPC));
	cr_expect(eq(int, window_create(&pe, 16, 1 * TiB, 0, &start), -ENOSPC));
	expect_unchanged(&pe, &s, true, "enospc first");
	pe_release(&pe);
}

/* One rejected create: expected rc, and the PE untouched. */
struct bad_create {
	const char *name;
	bool pseries;
	unsigned page_shift;
	uint64_t size;
	unsigned levels;
};

static struct bad_create bad_creates[] = {
	/* PHB4 has no 16M TCEs (§2.2): pgsizes check -> -EINVAL */
	{ "phb4_16M_pages", false, 24, 1 * TiB, 1 },
	/* 8K is on no platform */
	{ "phb4_8K_pages", false, 13, 1 * TiB, 1 },
	{ "pseries_1G_pages", true, 30, 1 * TiB, 1 },
	/* get_table_size() == 0 for levels 0 and 6 (§2.5) */
	{ "phb4_levels_0", false, 16, 1 * TiB, 0 },
	{ "phb4_levels_6", false, 16, 1 * TiB, 6 },
	/* pseries max_levels = 1 */
	{ "pseries_levels_2", true, 16, 1 * TiB, 2 },
	{ "pseries_levels_0", true, 16, 1 * TiB, 0 },
	/* 3 GiB is not a power of two */
	{ "phb4_non_pow2", false, 16, 3 * GiB, 2 },
	{ "pseries_non_pow2", true, 16, 3 * GiB, 1 },
	/* 16 TiB / 64K / 3 levels: E = 28, per = 10, ls = max(13, 16) = 16,
	 * 13*3 + 16 = 55 >= 55 -> -EINVAL (§2.3) */
	{ "phb4_16T_64K_3lvl_55bit", false, 16, 16 * TiB, 3 },
	/* 2^55 / 64K / 1 level: E = 39, 39 + 16 = 55 >= 55 */
	{ "phb4_2^55_64K_1lvl_55bit", false, 16, 1ull << 55, 1 },
	/* 1 TiB / 4K / 5 levels with PAGE_SHIFT 16: ls = 16, 13*5 + 12 = 77 >= 55 */
	{ "phb4_5_levels_always_too_big", false, 12, 1 * TiB, 5 },
};

ParameterizedTestParameters(window, bad_create_is_einval_and_changes_nothing)
{
	return cr_make_param_array(struct bad_create, bad_creates,
				   sizeof(bad_creates) / sizeof(bad_creates[0]));
}

ParameterizedTest(struct bad_create *c, window, bad_create_is_einval_and_changes_nothing)
{
	struct pe pe;
	struct pe_snap s;
	uint64_t start = 0xdead;

	init_pe(&pe, c->pseries ? &pseries : &phb4, 2);
	snap(&s, &pe);
	cr_expect(eq(int, window_create(&pe, c->page_shift, c->size, c->levels, &start), -EINVAL),
		  "%s", c->name);
	expect_unchanged(&pe, &s, true, c->name);
	/* and the free slot still works */
	cr_expect(eq(int, window_create(&pe, 16, 1 * GiB, 1, &start), 0), "%s: retry", c->name);
	cr_expect(eq(u64, start, DDW_START), "%s: retry start", c->name);
	pe_release(&pe);
}

/*
 * A window [start, start + size) must end at 2^64 - 1 at most: with slot 1 at
 * 2^64 - 1G (a ddw_start near 2^64), a 1G window would end at exactly 2^64,
 * which wraps to 0; -EINVAL before any table is made. 512M fits (the largest
 * power of two that does).
 */
Test(window, window_ending_past_2_64_is_einval_and_changes_nothing)
{
	struct window_platform top = pseries;
	struct pe pe;
	struct pe_snap s;
	uint64_t start = 0xdead;

	top.slot_start[1] = 0ull - 1 * GiB;	/* 0xffffffffc0000000 */
	init_pe(&pe, &top, 1);
	snap(&s, &pe);
	cr_expect(eq(int, window_create(&pe, 16, 1 * GiB, 1, &start), -EINVAL));
	cr_expect(eq(int, window_create(&pe, 16, 1ull << 62, 1, &start), -EINVAL));
	expect_unchanged(&pe, &s, true, "wraps");
	cr_expect(eq(u64, start, 0xdead));
	cr_expect(eq(int, window_create(&pe, 16, 512 * MiB, 1, &start), 0));
	cr_expect(eq(u64, start, 0xffffffffc0000000ull));
	cr_expect(window_find(&pe, 0xffffffffdfffffffull) != NULL, "its last byte is in it");
	cr_expect(window_find(&pe, 0xffffffffe0000000ull) == NULL);
	pe_release(&pe);
}

Test(window, pseries_accepts_16m_pages)
{
	struct pe pe;
	uint64_t start = 0;

	init_pe(&pe, &pseries, 1);
	/* 2^40 / 2^24 = 65536 TCEs; 512 KiB table */
	cr_assert(eq(int, window_create(&pe, 24, 1 * TiB, 1, &start), 0));
	cr_expect(eq(u64, start, DDW_START));
	cr_expect(eq(u64, tce_table_geom(pe.win[1].tbl)->it_size, 65536));
	cr_expect(eq(u64, tce_table_geom(pe.win[1].tbl)->table_bytes, 512 * 1024));
	pe_release(&pe);
}

/* ------------------------------------------------------------------ */
/* remove                                                             */
/* ------------------------------------------------------------------ */

Test(window, remove_of_unknown_start_is_einval_and_changes_nothing)
{
	struct pe pe;
	struct pe_snap s;
	uint64_t start;

	init_pe(&pe, &phb4, 2);
	snap(&s, &pe);
	/* no DDW yet */
	cr_expect(eq(int, window_remove(&pe, DDW_START), -EINVAL));
	/* 1 TiB is outside the 2 GiB default window */
	cr_expect(eq(int, window_remove(&pe, 1 * TiB), -EINVAL));
	expect_unchanged(&pe, &s, true, "remove unknown");
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	snap(&s, &pe);
	/* beyond the DDW's end: 2^59 + 2^40 */
	cr_expect(eq(int, window_remove(&pe, DDW_START + TiB), -EINVAL));
	expect_unchanged(&pe, &s, true, "remove past ddw");
	pe_release(&pe);
}

Test(window, remove_of_ddw_frees_it_and_slot_1_is_reused)
{
	struct pe pe;
	uint64_t start = 0;

	init_pe(&pe, &phb4, 2);
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_assert(eq(u32, pe.tables_live, 2));
	cr_expect(eq(int, window_remove(&pe, DDW_START), 0));
	cr_expect(eq(u32, pe.tables_live, 1));
	cr_expect(not(pe.win[1].used));
	cr_expect(pe.win[0].used);
	expect_programmed(&pe, 0x1);
	cr_expect(eq(ptr, window_at(&pe, DDW_START), NULL));

	start = 0;
	cr_expect(eq(int, window_create(&pe, 21, 4 * TiB, 1, &start), 0));
	cr_expect(eq(u64, start, DDW_START));
	cr_expect(pe.win[1].used);
	cr_expect(eq(u32, pe.tables_live, 2));
	expect_programmed(&pe, 0x3);
	pe_release(&pe);
}

Test(window, remove_default_then_create_uses_slot_0_at_zero)
{
	struct pe pe;
	uint64_t start = 0xdead;

	init_pe(&pe, &phb4, 2);
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	cr_expect(not(pe.win[0].used));
	cr_expect(eq(u32, pe.tables_live, 0));
	expect_programmed(&pe, 0);

	/* VFIO takes the first free slot: 0, whose address is the default window's */
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_expect(eq(u64, start, 0));
	cr_expect(pe.win[0].used);
	cr_expect(not(pe.win[0].is_default));
	cr_expect(eq(u32, pe.win[0].num, 0));
	cr_expect(not(pe.win[1].used));
	expect_programmed(&pe, 0x1);
	cr_expect(eq(u32, pe.tables_live, 1));
	pe_release(&pe);
}

Test(window, remove_default_with_ddw_present_refills_slot_0)
{
	struct pe pe;
	uint64_t start = 0;

	init_pe(&pe, &phb4, 1);
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	cr_expect(eq(u32, pe.tables_live, 1));
	expect_programmed(&pe, 0x2);
	start = 0xdead;
	cr_assert(eq(int, window_create(&pe, 12, 1 * GiB, 1, &start), 0));
	cr_expect(eq(u64, start, 0));
	cr_expect(eq(u32, pe.win[0].num, 0));
	expect_programmed(&pe, 0x3);
	cr_expect(eq(u32, pe.tables_live, 2));
	pe_release(&pe);
}

Test(window, phb4_removing_every_window_leaves_the_pe_empty)
{
	struct pe pe;
	uint64_t start;

	/* restore_default is a PAPR (QEMU) rule; VFIO on PowerNV has none */
	init_pe(&pe, &phb4, 1);
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_assert(eq(int, window_remove(&pe, start), 0));
	cr_expect(not(pe.win[0].used));
	cr_expect(not(pe.win[1].used));
	cr_expect(eq(u32, pe.tables_live, 0));
	expect_programmed(&pe, 0);
	pe_release(&pe);
}

/* ------------------------------------------------------------------ */
/* reset and the PAPR default-window rule                             */
/* ------------------------------------------------------------------ */

static void expect_only_default(const struct pe *pe, uint64_t size, unsigned page_shift)
{
	cr_expect(pe->win[0].used);
	cr_expect(pe->win[0].is_default);
	cr_expect(eq(u64, pe->win[0].start, 0));
	cr_expect(eq(u64, pe->win[0].size, size));
	cr_expect(eq(u32, tce_table_geom(pe->win[0].tbl)->page_shift, page_shift));
	cr_expect(not(pe->win[1].used));
	cr_expect(eq(u32, pe->tables_live, 1));
	expect_programmed(pe, 0x1);
}

Test(window, reset_removes_every_window_and_recreates_the_default)
{
	struct pe pe;
	uint64_t start;

	init_pe(&pe, &phb4, 2);
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_assert(eq(int, window_reset(&pe), 0));
	expect_only_default(&pe, 2 * GiB, 16);
	pe_release(&pe);
}

Test(window, reset_replaces_a_ddw_in_slot_0_by_the_default)
{
	struct pe pe;
	uint64_t start;

	init_pe(&pe, &phb4, 2);
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	cr_assert(eq(int, window_create(&pe, 21, 1 * TiB, 1, &start), 0));
	cr_assert(eq(u64, start, 0));
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0));
	cr_assert(eq(u64, start, DDW_START));
	cr_assert(eq(int, window_reset(&pe), 0));
	expect_only_default(&pe, 2 * GiB, 16);
	pe_release(&pe);
}

Test(window, pseries_removing_last_ddw_restores_the_default)
{
	struct pe pe;
	uint64_t start = 0xdead;

	init_pe(&pe, &pseries, 1);
	/* removing the default window itself does not bring it back */
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	cr_expect(not(pe.win[0].used));
	cr_expect(eq(u32, pe.tables_live, 0));
	/* with no window left, the DDW takes slot 0 (QEMU: windows == 0 ? dma_win_addr) */
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 1, &start), 0));
	cr_expect(eq(u64, start, 0));
	cr_expect(not(pe.win[0].is_default));
	/* it was the last window and not the default: the default comes back */
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	expect_only_default(&pe, 1 * GiB, 12);
	pe_release(&pe);
}

Test(window, pseries_removing_a_ddw_beside_the_default_restores_nothing)
{
	struct pe pe;
	uint64_t start;
	struct tce_table *def;

	init_pe(&pe, &pseries, 1);
	def = pe.win[0].tbl;
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 1, &start), 0));
	cr_assert(eq(int, window_remove(&pe, start), 0));
	/* the same default window, not a recreated one */
	expect_only_default(&pe, 1 * GiB, 12);
	cr_expect(eq(ptr, pe.win[0].tbl, def));
	pe_release(&pe);
}

Test(window, pseries_restore_waits_for_the_last_window)
{
	struct pe pe;
	uint64_t a, b;

	init_pe(&pe, &pseries, 1);
	cr_assert(eq(int, window_remove(&pe, 0), 0));
	cr_assert(eq(int, window_create(&pe, 16, 1 * TiB, 1, &a), 0));
	cr_assert(eq(int, window_create(&pe, 21, 4 * TiB, 1, &b), 0));
	cr_assert(eq(u64, a, 0));
	cr_assert(eq(u64, b, DDW_START));
	/* one DDW left: no restore yet */
	cr_assert(eq(int, window_remove(&pe, a), 0));
	cr_expect(not(pe.win[0].used));
	cr_expect(pe.win[1].used);
	cr_expect(eq(u32, pe.tables_live, 1));
	/* the last one: default restored */
	cr_assert(eq(int, window_remove(&pe, b), 0));
	expect_only_default(&pe, 1 * GiB, 12);
	pe_release(&pe);
}

/* ------------------------------------------------------------------ */
/* Rollback when set_window fails on one group (§7.3 unset_exit)      */
/* ------------------------------------------------------------------ */

struct hook_state {
	bool armed;
	unsigned fail_group;
	int fail_rc;
	unsigned calls;
	unsigned groups[WINDOW_MAX_GROUPS];	/* group of each call, in order */
	unsigned nums[WINDOW_MAX_GROUPS];	/* slot of each call */
};

static int set_hook(void *arg, unsigned group, unsigned num)
{
	struct hook_state *h = arg;

	if (h->calls < WINDOW_MAX_GROUPS) {
		h->groups[h->calls] = group;
		h->nums[h->calls] = num;
	}
	h->calls++;
	return h->armed && group == h->fail_group ? h->fail_rc : 0;
}

static unsigned fail_groups[] = { 0, 2, 3 };

ParameterizedTestParameters(window, set_window_failure_on_group_k_undoes_everything)
{
	return cr_make_param_array(unsigned, fail_groups,
				   sizeof(fail_groups) / sizeof(fail_groups[0]));
}

ParameterizedTest(unsigned *k, window, set_window_failure_on_group_k_undoes_everything)
{
	struct pe pe;
	struct pe_snap s;
	struct hook_state h;
	uint64_t start = 0;

	init_pe(&pe, &phb4, 4);
	memset(&h, 0, sizeof(h));
	h.armed = true;
	h.fail_group = *k;
	h.fail_rc = -1;		/* OPAL_PARAMETER, passed back raw (§2.6) */
	pe.set_hook = set_hook;
	pe.set_hook_arg = &h;
	snap(&s, &pe);

	cr_expect(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), -1), "k=%u", *k);
	/* set_window was tried on groups 0..k in order, for slot 1, and no further */
	cr_expect(eq(u32, h.calls, *k + 1), "k=%u: calls", *k);
	for (unsigned i = 0; i <= *k && i < WINDOW_MAX_GROUPS; i++) {
		cr_expect(eq(u32, h.groups[i], i), "k=%u: call %u group", *k, i);
		cr_expect(eq(u32, h.nums[i], 1), "k=%u: call %u slot", *k, i);
	}
	/* no group keeps bit 1; the default window's bit 0 is untouched */
	for (unsigned g = 0; g < 4; g++)
		cr_expect(eq(u32, pe.programmed[g], 0x1), "k=%u: programmed[%u]", *k, g);
	cr_expect(eq(u32, pe.tables_live, 1), "k=%u: tables_live", *k);
	cr_expect(not(pe.win[1].used), "k=%u: win[1]", *k);
	expect_unchanged(&pe, &s, false, "rollback");

	/* the same create succeeds once the group stops failing */
	h.armed = false;
	h.calls = 0;
	cr_expect(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), 0), "k=%u: retry", *k);
	cr_expect(eq(u64, start, DDW_START));
	cr_expect(eq(u32, h.calls, 4), "k=%u: retry calls", *k);
	for (unsigned g = 0; g < 4; g++)
		cr_expect(eq(u32, pe.programmed[g], 0x3), "k=%u: retry programmed[%u]", *k, g);
	cr_expect(eq(u32, pe.tables_live, 2));
	pe_release(&pe);
}

Test(window, set_window_failure_rc_is_passed_back_raw)
{
	struct pe pe;
	struct hook_state h;
	uint64_t start;

	init_pe(&pe, &phb4, 2);
	memset(&h, 0, sizeof(h));
	h.armed = true;
	h.fail_group = 1;
	h.fail_rc = -6;		/* OPAL_HARDWARE, not an errno */
	pe.set_hook = set_hook;
	pe.set_hook_arg = &h;
	cr_expect(eq(int, window_create(&pe, 16, 1 * TiB, 2, &start), -6));
	cr_expect(eq(u32, pe.tables_live, 1));
	expect_programmed(&pe, 0x1);
	pe_release(&pe);
}

/* ------------------------------------------------------------------ */
/* pseries: RTAS status codes in QEMU's order                         */
/* ------------------------------------------------------------------ */

/* The same QEMU PHB, its window ops made as RTAS calls (hw/ppc/spapr_rtas_ddw.c). */
static struct window_platform rtas_of(const struct window_platform *p)
{
	struct window_platform r = *p;

	r.rtas = true;
	return r;
}

Test(window, rtas_create_checks_parameters_before_counting_windows)
{
	const struct window_platform plat = rtas_of(&pseries);
	struct pe pe;
	struct pe_snap s;
	uint64_t start;

	init_pe(&pe, &plat, 1);
	cr_assert(eq(int, window_create(&pe, 16, 1 * GiB, 1, &start), 0));
	snap(&s, &pe);
	/* both windows in use (windows == SPAPR_PCI_DMA_MAX_WINDOWS), and a page shift not in
	 * page_size_mask: rtas_ibm_create_pe_dma_window answers PARAM_ERROR (-3) first;
	 * VFIO's tce_iommu_create_window would say -ENOSPC first */
	cr_expect(eq(int, window_create(&pe, 30, 1 * GiB, 1, &start), RTAS_OUT_PARAM_ERROR));
	/* window_shift 11 < page_shift 12: PARAM_ERROR */
	cr_expect(eq(int, window_create(&pe, 12, 2048, 1, &start), RTAS_OUT_PARAM_ERROR));
	/* good parameters, no free window: HW_ERROR (-1) */
	cr_expect(eq(int, window_create(&pe, 16, 1 * GiB, 1, &start), RTAS_OUT_HW_ERROR));
	expect_unchanged(&pe, &s, true, "rtas errors");
	/* rtas_ibm_remove_pe_dma_window of a window that is not enabled: PARAM_ERROR */
	cr_expect(eq(int, window_remove(&pe, 4 * GiB), RTAS_OUT_PARAM_ERROR));
	expect_unchanged(&pe, &s, true, "rtas remove");
	pe_release(&pe);
}

Test(window, rtas_and_errno_codes_are_counted_apart)
{
	const struct window_platform plat = rtas_of(&pseries);

	/* -1 is RTAS_OUT_HW_ERROR on pseries but -EPERM from VFIO */
	cr_expect(eq(int, window_err_of(&plat, RTAS_OUT_HW_ERROR), WIN_ERR_RTAS_HW));
	cr_expect(eq(int, window_err_of(&plat, RTAS_OUT_PARAM_ERROR), WIN_ERR_RTAS_PARAM));
	cr_expect(eq(int, window_err_of(&phb4, -1), WIN_ERR_EPERM));
	cr_expect(eq(int, window_err_of(&phb4, -ENOSPC), WIN_ERR_ENOSPC));
	cr_expect(eq(str, (char *)window_status_name(&plat, -3), "RTAS_OUT_PARAM_ERROR"));
	cr_expect(eq(str, (char *)window_status_name(&phb4, -ENOMEM), "ENOMEM"));
}

/* ------------------------------------------------------------------ */
/* VFIO: tables charged to the locked-memory limit                    */
/* ------------------------------------------------------------------ */

/*
 * pnv_pci_ioda2_get_table_size, PAGE_SHIFT 16 (domain.md §2.5):
 *   default 2 GiB of 64K, 2 levels: entries_shift 15, tce_table_size 2^18 = 256K;
 *     per level 8 bits, direct 1 << max(11, 16) = 64K; 256K + 64K = 320K, x2 = 640K = 10 pages
 *   DDW 64 GiB of 64K, 1 level: entries_shift 20, 2^23 = 8M, direct 8M; x2 = 16M = 256 pages
 */
#define DEF_PAGES	10ull
#define DDW64G_PAGES	256ull

Test(window, vfio_tables_are_charged_to_memlock_and_given_back)
{
	struct window_platform plat = phb4;
	struct pe pe;
	uint64_t start;

	plat.memlock = (DEF_PAGES + DDW64G_PAGES) << 16;	/* exactly both */
	init_pe(&pe, &plat, 1);
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES));
	cr_assert(eq(int, window_create(&pe, 16, 64 * GiB, 1, &start), 0));
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES + DDW64G_PAGES));
	cr_assert(eq(int, window_remove(&pe, start), 0));
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES));	/* tce_iommu_free_table */
	pe_release(&pe);
}

Test(window, vfio_table_past_memlock_is_enomem_and_changes_nothing)
{
	struct window_platform plat = phb4;
	struct pe pe;
	struct pe_snap s;
	uint64_t start;

	plat.memlock = (DEF_PAGES + DDW64G_PAGES - 1) << 16;	/* one page short */
	init_pe(&pe, &plat, 1);
	snap(&s, &pe);
	cr_expect(eq(int, window_create(&pe, 16, 64 * GiB, 1, &start), -ENOMEM));
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES));
	expect_unchanged(&pe, &s, true, "memlock");
	/* a limit below the default window's 10 pages: the container cannot even start */
	plat.memlock = (DEF_PAGES - 1) << 16;
	pe_release(&pe);
	cr_expect(eq(int, pe_init(&pe, &plat, 7, 1), -ENOMEM));
}

Test(window, set_window_failure_gives_the_memlock_charge_back)
{
	struct window_platform plat = phb4;
	struct pe pe;
	struct hook_state h;
	uint64_t start;

	plat.memlock = 1ull << 30;
	init_pe(&pe, &plat, 3);
	memset(&h, 0, sizeof(h));
	h.armed = true;
	h.fail_group = 2;
	h.fail_rc = -1;
	pe.set_hook = set_hook;
	pe.set_hook_arg = &h;
	cr_expect(eq(int, window_create(&pe, 16, 64 * GiB, 1, &start), -1));
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES));	/* unset_exit: tce_iommu_free_table */
	pe_release(&pe);
}

/* ------------------------------------------------------------------ */
/* Groups on PHBs that take other TCE sizes (tce_iommu_create_window:  */
/* pgsizes of the first group only; set_window -> OPAL per PHB)        */
/* ------------------------------------------------------------------ */

/*
 * Three groups; groups 1 and 2 sit on PHBs whose firmware takes 4K and 64K
 * only. A 2M window passes the check of group 0's pgsizes (PHB4: 4K, 64K,
 * 2M, 1G), its table is made and charged, group 0 is set, group 1's
 * opal_pci_map_pe_dma_window answers OPAL_PARAMETER (-1), returned raw; then
 * unset_exit unsets every group and tce_iommu_free_table gives the charge
 * back. 1 TiB of 2M TCEs in 1 level: 2^19 entries x 8 = 4 MiB, x2 (userspace
 * view) = 8 MiB = 128 pages of 64K, charged and then given back.
 */
Test(window, group_without_the_page_size_fails_set_window_and_everything_is_undone)
{
	struct window_platform plat = phb4;
	struct pe pe;
	struct pe_snap s;
	uint64_t start = 0;

	plat.group_page_sizes = (1ull << 12) | (1ull << 16);
	plat.memlock = 1ull << 40;
	init_pe(&pe, &plat, 3);
	snap(&s, &pe);
	cr_expect(eq(int, window_create(&pe, 21, 1 * TiB, 1, &start), OPAL_PARAMETER));
	cr_expect(eq(str, (char *)window_status_name(&plat, OPAL_PARAMETER), "EPERM"));
	for (unsigned g = 0; g < 3; g++)
		cr_expect(eq(u32, pe.programmed[g], 0x1), "programmed[%u]", g);
	cr_expect(eq(u32, pe.tables_live, 1));
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES));
	cr_expect(not(pe.win[1].used));
	expect_unchanged(&pe, &s, false, "group rollback");
	/* 64K is in every group's set: the same slot is made and set on all three */
	cr_expect(eq(int, window_create(&pe, 16, 64 * GiB, 1, &start), 0));
	cr_expect(eq(u64, start, DDW_START));
	for (unsigned g = 0; g < 3; g++)
		cr_expect(eq(u32, pe.programmed[g], 0x3), "programmed[%u]", g);
	cr_expect(eq(u64, pe.locked_pages, DEF_PAGES + DDW64G_PAGES));
	pe_release(&pe);
}

/* With one group only group 0's pgsizes count: the other groups' set is never asked. */
Test(window, group_page_sizes_do_not_apply_to_the_first_group)
{
	struct window_platform plat = phb4;
	struct pe pe;
	uint64_t start = 0;

	plat.group_page_sizes = (1ull << 12) | (1ull << 16);
	init_pe(&pe, &plat, 1);
	cr_expect(eq(int, window_create(&pe, 21, 1 * TiB, 1, &start), 0));
	cr_expect(eq(u32, pe.programmed[0], 0x3));
	pe_release(&pe);
}

/* ------------------------------------------------------------------ */
/* A KVM guest's windows: the host process's locked memory, counted   */
/* ------------------------------------------------------------------ */

/* What the host locks for a window, in this test: one 64K page per GiB of window (at least one). */
static uint64_t one_page_per_gib(const void *arg, unsigned page_shift, uint64_t size)
{
	(void)arg;
	(void)page_shift;
	return size < GiB ? 1ull << 16 : (size / GiB) << 16;
}

/*
 * host_lock_bytes is counted in locked_vm with each guest window and given
 * back with it, and never refused (memlock is the replay's to check): the
 * default 1 GiB window 1 page, a 4 GiB DDW 4 more, back to 1 on remove.
 */
Test(window, a_guest_windows_host_memory_is_counted_and_given_back)
{
	struct window_platform plat = pseries;
	uint64_t locked = 0, start;
	struct pe pe;

	plat.host_lock_bytes = one_page_per_gib;
	plat.lock_page_shift = 16;
	plat.locked_vm = &locked;
	plat.memlock = 1;	/* a PowerNV limit: a guest's windows are not refused by it */
	init_pe(&pe, &plat, 1);
	cr_expect(eq(u64, locked, 1));
	cr_assert(eq(int, window_create(&pe, 16, 4 * GiB, 1, &start), 0));
	cr_expect(eq(u64, locked, 5));
	cr_expect(eq(int, window_remove(&pe, start), 0));
	cr_expect(eq(u64, locked, 1));
	pe_release(&pe);
	cr_expect(eq(u64, locked, 0));
}
