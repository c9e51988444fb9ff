/*
 * test_import_qemu.c - QEMU spapr_iommu trace logs lifted to ops (src/import_qemu.c).
 *
 * Samples in tests/import/, cut from the real logs of shared/data/qemu (line
 * numbers of the uncompressed CASE.trace.log, taken with sed -n):
 *   off-first-nvme-io.log  ddw-off 1-6 (new_table x4, 2 SLOF puts), 314 (SLOF xlate),
 *                          629 and 1653 (the kernel's first clears of 0x80000000 and
 *                          0x80000200), 2677-2684 (nvme's first I/O)
 *   off-firmware.log       ddw-off 5, 6, 314, 320 (SLOF's put-clear), 629, 1653, 2677
 *   off-stuff-128.log      ddw-off 629, 87909-87916 (8 indirects of 16 TCEs), 87935,
 *                          87938 (xlates), 88062 (one stuff of 128 TCEs)
 *   off-cpus.log           ddw-off 1, 629 (tid 18085), 2747 (xlate on tid 18086), 2748
 *                          (put on tid 18086), 2756, 2763
 *   on-direct-ddw.log      ddw-on 2677-2684: query, new_table, create (16M TCEs), the
 *                          indirect mapping all RAM, xlates in the direct DDW
 *   dyn-ddw-64k.log        ddw-dynamic-pgsz64k-patched 2677-2680, 2712-2715, 2717-2720,
 *                          2723, 2725, 2726, 2729 (a dynamic DDW with 64K TCEs)
 *   dyn-map-sg.log         ddw-dynamic-pgsz64k-patched 2677-2680, 72625-72633 (one nvme
 *                          map_sg: 8 H_PUT_TCE at TCEs 0x1140..0x1147, an xlate elsewhere),
 *                          72636-72637 (xlates in it), 72653-72654 (the next map_sg),
 *                          72685 (the stuff of 8 TCEs unmapping the first)
 *   dyn-two-cpus.log       ddw-dynamic-pgsz64k-patched 2677-2680, 2270566-2270571 (two
 *                          vCPUs' map_sgs interleaved), 2270576-2270577, 2270584, 2270591
 *                          (xlates), 2270604-2270605, 2270613 (their stuffs)
 *   off-split.log          ddw-off 629, 144964-144966 (a 512K command's last element,
 *                          nvme's dma_pool page, the next command: back to back),
 *                          144970, 145020 (xlates), 145244, 145249 (the two commands'
 *                          stuffs), 227101 (a map over the freed TCEs), 2670829 (an xlate
 *                          of the pool page)
 * Hand-made in the same format (real lines edited; the cases do not occur in
 * the three shared logs):
 *   synthetic-put-clears.log            multitce=off: clears with H_PUT_TCE of 0
 *   synthetic-partial.log               two stuffs, each covering part of a map_sg
 *   synthetic-overwrite.log             a TCE set twice without a clear
 *   synthetic-firmware-per-window.log   each default window has its own first clear
 *   synthetic-windows.log               ddw_remove, ddw_reset, ignored LIOBNs
 *   bad/NAME.log                        malformed lines (table below)
 * Every expected op below was worked out by hand from those lines; the
 * arithmetic is in the comments.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "ddwsim/import.h"
#include "ddwsim/trace.h"

#define DIR	"tests/import/"

/* ---- helpers ---- */

/* A fresh empty file under /tmp whose name ends in suffix. */
static void tmp_name(char *buf, size_t n, const char *suffix)
{
	int fd;

	snprintf(buf, n, "/tmp/ddwsim-import-XXXXXX%s", suffix);
	fd = mkstemps(buf, (int)strlen(suffix));
	cr_assert(fd >= 0, "mkstemps");
	close(fd);
}

static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	cr_assert(fp != NULL);
	cr_assert(fwrite(text, 1, strlen(text), fp) == strlen(text));
	cr_assert(fclose(fp) == 0);
}

/* The whole file, NUL-terminated. The caller frees. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert(buf != NULL);
	cr_assert(fread(buf, 1, (size_t)n, fp) == (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Imports log to a temporary .ddwt and returns its text (the caller frees); st may be NULL. */
static char *import_text(const char *log, bool with_time, struct import_stats *st)
{
	char out[64], *text;

	tmp_name(out, sizeof(out), ".ddwt");
	cr_assert(eq(int, import_qemu(log, out, with_time, st), 0), "import of %s failed", log);
	text = slurp(out);
	unlink(out);
	return text;
}

static void expect_ops(const char *log, const char *want)
{
	char *got = import_text(log, false, NULL);

	cr_expect(eq(str, got, (char *)want), "%s", log);
	free(got);
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* ---- each event kind, on real lines ---- */

/*
 * ddw-off, nvme's first command after boot. SLOF's two puts and its xlate on
 * 0x80000200 come before that window's first clear: dropped.
 *   indirect ioba=0x30000000 iobaN=0xf tceN=0x248f003: n = 0xf + 1 = 16 TCEs of 4K,
 *     first page 0x248f000 - 15 * 0x1000 = 0x2480000, LEN 16 * 4096 = 65536, perm 3 bidi
 *   indirect ioba=0x30010000 tceN=0x21ff003: 0x21ff000 - 0xf000 = 0x21f0000; its first
 *     TCE 0x30010 follows the group's last (0x3000f), same CPU and perm: element 2 of H 0x1
 *   put ioba=0x1000 tce=0x31a2003: 1 TCE at 0x31a2000, not after 0x3001f: H 0x1 is
 *     written (map_sg), H 0x2 opens
 *   xlate 0x30010000 mask=0xfff: H 0x1 at offset 0x10000 = 65536 (element 1's length),
 *     0x1000 - 0 = 4096 bytes, mapped bidi: w; it waits behind the open H 0x2
 *   xlate 0x1000: inside H 0x2, which closes: its map, then the waiting dma, then this one
 *   xlate 0x30000000: H 0x1 offset 0
 *   stuff ioba=0x2000 npages=1: clears [0x2000 - 1 * 0x1000, 0x2000) = TCE 1: H 0x2
 * All hcalls are on tid 18085, the first hypercall thread: cpu 0 (not written).
 */
Test(import_qemu, put_indirect_xlate_and_stuff_of_nvmes_first_io)
{
	struct import_stats st;
	char *got = import_text(DIR "off-first-nvme-io.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map_sg 0 0x1 bidi 0x2480000:65536,0x21f0000:65536 bus=0x30000000\n"
		     "map 0 0x2 0x31a2000 4096 bidi bus=0x1000\n"
		     "dma 0 0x1 65536 4096 w\n"
		     "dma 0 0x2 0 4096 w\n"
		     "dma 0 0x1 0 4096 w\n"
		     "unmap 0 0x2\n"));
	free(got);
	/* 17 lines: 4 new_table + 1 pci_nvme_map_prp ignored, 3 SLOF, 9 lifted */
	cr_expect(eq(u64, st.lines, 17));
	cr_expect(eq(u64, st.events, 17));
	cr_expect(eq(u64, st.maps, 2));
	cr_expect(eq(u64, st.map_sgs, 1));
	cr_expect(eq(u64, st.sg_elements, 2));
	cr_expect(eq(u64, st.unmaps, 1));
	cr_expect(eq(u64, st.dmas, 3));
	cr_expect(eq(u64, st.dmabs, 0));
	cr_expect(eq(u64, st.windows, 0));
	cr_expect(eq(u64, st.firmware_skipped, 3));
	cr_expect(eq(u64, st.ignored, 5));
}

/*
 * A 1M O_DIRECT read's first 512K command: 8 indirects of 16 TCEs at
 * 0x34090000 + k * 0x10000 on one CPU, each starting at the TCE after the
 * previous one: one map_sg of 8 elements, first pages tceN - 0xf000
 * (0x2d7f003 -> 0x2d70000, 0x2d0f003 -> 0x2d00000, ...), bus= the first's.
 *   xlate 0x3409f000: inside it (it closes), offset 0x3409f000 - 0x34090000 = 61440
 *   xlate 0x340a1000: element 2, offset 65536 + 0x1000 = 69632
 *   stuff ioba=0x34110000 npages=128: [0x34110000 - 128 * 0x1000, 0x34110000) =
 *     [0x34090000, 0x34110000), all 128 TCEs of H 0x1: one unmap
 * Line 1 (the boot clear) is tid 18085 = cpu 0; the rest is tid 18086 = cpu 1.
 */
Test(import_qemu, eight_back_to_back_indirects_are_one_map_sg_and_one_stuff_unmaps_it)
{
	struct import_stats st;
	char *got = import_text(DIR "off-stuff-128.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map_sg 0 0x1 bidi 0x2d70000:65536,0x2d00000:65536,0x2db0000:65536,0x2d50000:65536,"
		     "0x2d30000:65536,0x2d20000:65536,0x2d60000:65536,0x2d90000:65536 cpu=1"
		     " bus=0x34090000\n"
		     "dma 0 0x1 61440 4096 w\n"
		     "dma 0 0x1 69632 4096 w\n"
		     "unmap 0 0x1 cpu=1\n"));
	free(got);
	cr_expect(eq(u64, st.maps, 1));
	cr_expect(eq(u64, st.map_sgs, 1));
	cr_expect(eq(u64, st.sg_elements, 8));
	cr_expect(eq(u64, st.partial, 0));
}

/*
 * ddw-dynamic, one nvme map_sg of a 512K read: 8 H_PUT_TCE of 1 TCE (64K TCEs) at
 * bus 0x800000011400000 + k * 0x10000, TCEs 0x1140..0x1147 (bus - 2^59 >> 16),
 * back to back on tid 26714 (cpu 0): one map_sg, elements tce & ~0xffff:
 * 0x6e380000, 0x6e350000, 0x6e370000, 0x6e2d0000, 0x6e2f0000, 0x3fd60000,
 * 0x3fd50000, 0x6e2e0000, 65536 bytes each. (Lifted one map per hypercall, the
 * replay placed them at 0x1140, 0x1150, 0x1160, ...: the pool hint is rounded
 * to 16 TCEs after each small allocation.)
 *   xlate 0xc700010: no mapping of this file (nvme's queues): dmab at 2^59 +
 *     0xc700010, 4096 - 0x10 = 4080 bytes; the group is still open, so it waits
 *   xlate 0x11400000: inside the group: it closes, the map_sg is written, then the
 *     dmab, then dma at offset 0
 *   xlate 0x11410000: offset 0x10000 = 65536 (element 2)
 *   put 0x800000011500000, 0x800000011510000: TCEs 0x1150, 0x1151 (the hint after
 *     0x1148, rounded to 16): a new group, H 0x2, still open
 *   stuff ioba=0x800000011480000 npages=8: TCEs 0x1148 - 8 = 0x1140 .. 0x1147, all
 *     of H 0x1: its unmap, written after H 0x2's map (H 0x2 began earlier)
 *   end of the log: H 0x2 closes
 */
Test(import_qemu, one_nvme_map_sg_of_eight_1_tce_puts_in_a_64k_ddw)
{
	expect_ops(DIR "dyn-map-sg.log",
		   "# ddwt 1\n"
		   "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff\n"
		   "wcreate 0 65536 1073741824 1\n"
		   "map_sg 0 0x1 bidi 0x6e380000:65536,0x6e350000:65536,0x6e370000:65536,"
		   "0x6e2d0000:65536,0x6e2f0000:65536,0x3fd60000:65536,0x3fd50000:65536,"
		   "0x6e2e0000:65536 cpu=1 bus=0x800000011400000\n"
		   "dmab 0 1 0x80000000c700010 4080 w\n"
		   "dma 0 0x1 0 4096 w\n"
		   "dma 0 0x1 65536 4096 w\n"
		   "map_sg 0 0x2 bidi 0x6e320000:65536,0x6e310000:65536 cpu=1 bus=0x800000011500000\n"
		   "unmap 0 0x1 cpu=1\n");
}

/*
 * ddw-dynamic, concurrent readers: tid 26714 and tid 26713 map 128K reads (2
 * TCEs each) at the same time. Their CPUs come from their pools, not their
 * order: in the 16384-TCE DDW (poolsize 16384 * 3 / 4 / 4 = 3072), 26714's first
 * map at TCE 0x1190 = 4496 is in pool 1 (cpu 1, hash_32(1, 2) = 1), 26713's at
 * 0xb60 = 2912 in pool 0 (cpu 0).
 *   26714 put TCE 0x1190 (phys 0x2a70000): H 0x1 opens for (device 0, cpu 0)
 *   26713 puts 0xb60, 0xb61: H 0x2 for cpu 1; they do not close H 0x1
 *   26714 put 0x1191: extends H 0x1
 *   26713 put 0xb70: not after 0xb61: H 0x2 closes, H 0x3 opens; 0xb71 extends it
 *   xlates 0x11900000, 0x11910000: H 0x1 offsets 0 and 65536 (H 0x1 and H 0x2 are
 *     written; the dmas wait behind the open H 0x3)
 *   xlate 0xb600000: H 0x2 offset 0; xlate 0xb700000: H 0x3 closes, offset 0
 *   stuffs ioba 0x80000000b620000 and 0x80000000b720000 npages=2: TCEs 0xb60-0xb61
 *     and 0xb70-0xb71, all of H 0x2 and H 0x3 (cpu 1); 0x800000011920000: H 0x1
 */
Test(import_qemu, two_cpus_map_sgs_interleaved_stay_apart)
{
	expect_ops(DIR "dyn-two-cpus.log",
		   "# ddwt 1\n"
		   "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff\n"
		   "wcreate 0 65536 1073741824 1\n"
		   "map_sg 0 0x1 bidi 0x2a70000:65536,0x3fed0000:65536 cpu=1 bus=0x800000011900000\n"
		   "map_sg 0 0x2 bidi 0x3f880000:65536,0x2ba0000:65536 bus=0x80000000b600000\n"
		   "map_sg 0 0x3 bidi 0x2da0000:65536,0x6e2a0000:65536 bus=0x80000000b700000\n"
		   "dma 0 0x1 0 4096 w\n"
		   "dma 0 0x1 65536 4096 w\n"
		   "dma 0 0x2 0 4096 w\n"
		   "dma 0 0x3 0 4096 w\n"
		   "unmap 0 0x2\n"
		   "unmap 0 0x3\n"
		   "unmap 0 0x1 cpu=1\n");
}

/*
 * ddw-off, buffered read: the last element of one 512K command (indirect of
 * 0x4f + 1 = 80 TCEs at 0x30080, phys 0x7f84f000 - 79 * 0x1000 = 0x7f800000), a
 * 64K page nvme's dma_pool took with dma_alloc_coherent (16 TCEs at 0x300d0, phys
 * 0x6c40000) and the next command (128 TCEs at 0x300e0, phys 0x7f8cf000 - 0x7f000 =
 * 0x7f850000) come back to back on one CPU (the large pool's hint is the previous
 * end): one group, H 0x1, that the xlate of 0x300d0000 (offset 0x50000 = 327680)
 * closes.
 *   stuff ioba=0x300d0000 npages=80: TCEs 0x30080..0x300cf, part of H 0x1 (partial)
 *   stuff ioba=0x30160000 npages=128: 0x300e0..0x3015f (partial); the pool page is
 *     never cleared, so H 0x1 stays mapped, its cleared TCEs are ghosts
 *   indirect at 0x300e0 (128 TCEs, perm 1: `to`, phys 0xd61f000 - 0x7f000 =
 *     0xd5a0000) sets ghosts: H 0x1 is split first: unmapped, and its only run
 *     still mapped, TCEs 0x300d0..0x300df, mapped again as H 0x2 (cpu 0,
 *     bus=0x300d0000); then the new map, H 0x3, open to the end
 *   xlate 0x300d0000: H 0x2 offset 0, waiting behind H 0x3
 */
Test(import_qemu, a_map_over_tces_cleared_from_a_live_group_splits_it)
{
	struct import_stats st;
	char *got = import_text(DIR "off-split.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map 0 0x1 0x7f800000 327680 bidi bus=0x30080000\n"
		     "map 0 0x2 0x6c40000 65536 bidi bus=0x300d0000\n"
		     "map 0 0x3 0x7f850000 524288 bidi bus=0x300e0000\n"
		     "dma 0 0x2 0 4096 w\n"
		     "dma 0 0x1 0 4096 w\n"
		     "unmap 0 0x1\n"
		     "unmap 0 0x3\n"
		     "map 0 0x4 0xd5a0000 524288 to bus=0x300e0000\n"
		     "dma 0 0x2 0 4096 w\n"));
	free(got);
	cr_expect(eq(u64, st.held_splits, 2));
	cr_expect(eq(u64, st.partial, 0));
	cr_expect(eq(u64, st.splits, 0));
	cr_expect(eq(u64, st.unfinished, 0));
	cr_expect(eq(u64, st.maps, 4));
	cr_expect(eq(u64, st.unmaps, 2));
}

/*
 * ddw-on: the nvme DDW (16M TCEs, 2 GiB at 2^59). The indirect right after
 * create maps TCE k to real page k (ioba - start = 0 = first page
 * 0x7f000000 - 127 * 0x1000000): all RAM, made at window creation. It is
 * written as a map of 128 * 16M = 2 GiB at phys 0 with bus=2^59 (the replay's
 * direct-window set-up), counted in ram_maps, and is not a live mapping:
 * the xlates then hit no mapping: dmab by bus address 2^59 + OFF, LEN to the
 * end of the 16M page (mask 0xffffff) or the next 4 KiB boundary, whichever
 * is first: all three offsets are 4K-aligned, so 4096 bytes each.
 */
Test(import_qemu, direct_ddw_is_a_wcreate_then_dmab_by_bus_address)
{
	struct import_stats st;
	char *got = import_text(DIR "on-direct-ddw.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff\n"
		     "wcreate 0 16777216 2147483648 1\n"
		     "map 0 0x1 0x0 2147483648 bidi bus=0x800000000000000\n"
		     "dmab 0 1 0x800000002430000 4096 w\n"
		     "dmab 0 1 0x80000000494f000 4096 w\n"
		     "dmab 0 1 0x800000002140000 4096 w\n"));
	free(got);
	/* ignored: ddw_query, new_table, pci_nvme_map_prp */
	cr_expect(eq(u64, st.ignored, 3));
	cr_expect(eq(u64, st.ram_maps, 1));
	cr_expect(eq(u64, st.maps, 1));
	cr_expect(eq(u64, st.windows, 1));
	cr_expect(eq(u64, st.dmabs, 3));
}

/*
 * The patched case: a 1 GiB DDW of 64K TCEs at 2^59, cleared first (stuff
 * ioba=0x800000002000000 npages=512: TCEs [0x200 - 512, 0x200) = from TCE 0),
 * then mapped per I/O with H_PUT_TCE whose ioba is already the full bus address.
 *   xlate 0xc100000 mask=0xffff: H 0x2 offset 0, 4096 bytes (to the next
 *     4 KiB boundary, before the 64K page's end)
 *   stuff ioba=0x80000000c210000 npages=1: TCE at 0x80000000c200000: H 0x3
 *   xlate 0xc30a000: H 0x4 (0x80000000c300000) offset 0xa000 = 40960,
 *     4096 bytes
 *   put tce=0x6100001: perm 1, mapped `to`, so its xlate (perm=1) is a read
 * The thread's first map, TCE 0xc000000 >> 16 = 0xc00 = 3072, lies in pool
 * 3072 / 3072 = 1 (16384 TCEs: poolsize = 16384 * 3 / 4 / 4 = 3072), and the
 * lowest CPU in pool 1 is 1 (hash_32(1, 2) = 0x61c88647 >> 30 = 1): cpu=1.
 */
Test(import_qemu, dynamic_ddw_maps_64k_tces_and_dma_inside_them)
{
	expect_ops(DIR "dyn-ddw-64k.log",
		   "# ddwt 1\n"
		   "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff\n"
		   "wcreate 0 65536 1073741824 1\n"
		   "map 0 0x1 0x23b0000 65536 bidi cpu=1 bus=0x80000000c000000\n"
		   "map 0 0x2 0x2150000 65536 bidi cpu=1 bus=0x80000000c100000\n"
		   "map 0 0x3 0x4060000 65536 bidi cpu=1 bus=0x80000000c200000\n"
		   "dma 0 0x2 0 4096 w\n"
		   "dma 0 0x3 0 4096 w\n"
		   "dma 0 0x1 0 4096 w\n"
		   "unmap 0 0x3 cpu=1\n"
		   "map 0 0x4 0x4060000 65536 bidi cpu=1 bus=0x80000000c300000\n"
		   "dma 0 0x4 40960 4096 w\n"
		   "unmap 0 0x4 cpu=1\n"
		   "map 0 0x5 0x6100000 65536 to cpu=1 bus=0x80000000c400000\n"
		   "dma 0 0x5 0 4096 r\n");
}

/* ---- firmware ---- */

/*
 * SLOF's puts at 0x1000 and 0x2000, its xlate and its put-clear at 0x7000 on
 * 0x80000200 all come before the kernel's clear of 0x80000200 (line 6, first
 * TCE 0x200000 - 512 * 0x1000 = 0): 4 lines dropped. The indirect after the
 * clear of 0x80000000 is Linux's.
 */
Test(import_qemu, slof_lines_before_the_kernels_first_clear_are_dropped)
{
	struct import_stats st;
	char *got = import_text(DIR "off-firmware.log", false, &st);

	cr_expect(eq(str, got, "# ddwt 1\n" "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map 0 0x1 0x2480000 65536 bidi bus=0x30000000\n"));
	free(got);
	cr_expect(eq(u64, st.firmware_skipped, 4));
	cr_expect(eq(u64, st.ignored, 0));
}

/*
 * The clear of 0x80000000 does not make 0x80000200 Linux's; neither does a
 * stuff on 0x80000200 whose first TCE is 0x400000 / 0x1000 - 512 = 0x200.
 * Only the one starting at TCE 0 does.
 */
Test(import_qemu, each_default_window_waits_for_its_own_clear_from_tce_0)
{
	struct import_stats st;
	char *got = import_text(DIR "synthetic-firmware-per-window.log", false, &st);

	cr_expect(eq(str, got, "# ddwt 1\n"
		     "device 2 mask=64 max_seg=65536 seg_boundary=0xffffffff clear=512\n"
		     "map 2 0x1 0x7e370000 4096 bidi bus=0x1000\n"));
	free(got);
	cr_expect(eq(u64, st.firmware_skipped, 2));
}

/* ---- CPUs ---- */

/*
 * Threads: 18083 (new_table, xlate: the main loop), 18085 (stuff), 18086
 * (xlate first, then put and stuff). Only hypercall lines number CPUs: 18085 =
 * cpu 0, 18086 = cpu 1. Numbering every line would give 18086 cpu 2.
 * The xlate of 0x30020000 hits no mapping of this file: dmab, 4096 bytes.
 */
Test(import_qemu, cpus_are_numbered_by_hypercall_threads_only)
{
	expect_ops(DIR "off-cpus.log",
		   "# ddwt 1\n"
		   "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		   "dmab 0 0 0x30020000 4096 w\n"
		   "map 0 0x1 0x4055000 4096 bidi cpu=1 bus=0xc000000\n"
		   "dma 0 0x1 0 4096 w\n"
		   "unmap 0 0x1 cpu=1\n");
}

/* ---- clears ---- */

/*
 * multitce=off: the kernel clears with H_PUT_TCE of 0 from TCE 0 (that also
 * ends the firmware phase), and unmaps page by page. The indirect iobaN=0x2
 * maps 3 TCEs from 0x2d7f000 - 2 * 0x1000 = 0x2d7d000 (12288 bytes); clearing
 * TCEs 0 and 2 leaves TCE 1, whose xlate at 0x34091800 is offset 0x1800 = 6144,
 * 0x1000 - 0x800 = 2048 bytes; clearing TCE 1 unmaps; clearing it again is nothing.
 */
Test(import_qemu, page_by_page_clears_unmap_with_the_last_tce)
{
	expect_ops(DIR "synthetic-put-clears.log",
		   "# ddwt 1\n"
		   "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=2\n"
		   "map 0 0x1 0x2d7d000 12288 bidi cpu=1 bus=0x34090000\n"
		   "dma 0 0x1 6144 2048 w\n"
		   "unmap 0 0x1 cpu=1\n");
}

/*
 * The two indirects (0x34090..0x3409f, 0x340a0..0x340af, tid 18086) are one
 * map_sg, H 0x1. stuff ioba=0x34098000 npages=8 clears TCEs 0x34090..0x34097,
 * part of it: nothing is written (partial), H 0x1 waits for the rest. The next
 * stuff (TCEs 0x340b0 - 24 = 0x34098 .. 0x340af) clears the rest: unmapped.
 */
Test(import_qemu, a_stuff_over_part_of_a_mapping_waits_for_the_rest, .init = cr_redirect_stderr)
{
	struct import_stats st;
	char *got = import_text(DIR "synthetic-partial.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map_sg 0 0x1 bidi 0x2d70000:65536,0x2d00000:65536 cpu=1 bus=0x34090000\n"
		     "unmap 0 0x1 cpu=1\n"));
	free(got);
	cr_expect(eq(u64, st.partial, 1));
	cr_expect(eq(u64, st.unfinished, 0));
	fflush(stderr);
	cr_assert_stderr_eq_str("");
}

/* Without the second stuff, H 0x1 stays mapped: one warning at the end. */
Test(import_qemu, a_mapping_left_partly_cleared_stays_mapped_with_one_warning,
     .init = cr_redirect_stderr)
{
	char log[64], want[256], *got;
	struct import_stats st;

	tmp_name(log, sizeof(log), ".log");
	put_file(log, "18085@1795481804.288850:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
		 "tcevalue=0x0 npages=512 ret=0\n"
		 "18086@1795481808.220565:spapr_iommu_pci_indirect liobn=0x80000000 ioba=0x34090000 "
		 "tcelist=0x21a0000 iobaN=0xf tceN=0x2d7f003 ret=0\n"
		 "18086@1795481808.222236:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x34098000 "
		 "tcevalue=0x0 npages=8 ret=0\n");
	got = import_text(log, false, &st);
	cr_expect(eq(str, got, "# ddwt 1\n" "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map 0 0x1 0x2d70000 65536 bidi cpu=1 bus=0x34090000\n"));
	cr_expect(eq(u64, st.partial, 1));
	cr_expect(eq(u64, st.unfinished, 1));
	free(got);
	snprintf(want, sizeof(want), "ddwsim: warning: %s: 1 mappings had only part of their TCEs "
		 "cleared at the end of the log; they stay mapped\n", log);
	unlink(log);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

/*
 * 4097 H_PUT_TCE at TCEs 1..4097 of one window, one CPU, back to back: the
 * group closes at TRACE_SG_MAX = 4096 elements, and TCE 4097 starts a new one.
 */
Test(import_qemu, a_group_closes_at_4096_elements)
{
	char log[64], out[64];
	struct import_stats st;
	struct op_source src;
	struct dma_op op;
	FILE *fp;

	tmp_name(log, sizeof(log), ".log");
	tmp_name(out, sizeof(out), ".ddwb");
	fp = fopen(log, "w");
	cr_assert(fp != NULL);
	fprintf(fp, "18085@1795481804.288850:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
		"tcevalue=0x0 npages=512 ret=0\n");
	for (unsigned i = 1; i <= 4097; i++)
		fprintf(fp, "18085@1795481805.715464:spapr_iommu_pci_put liobn=0x80000000 ioba=0x%x "
			"tce=0x%x003 ret=0\n", i << 12, 0x100000 + i);
	cr_assert(fclose(fp) == 0);
	cr_assert(eq(int, import_qemu(log, out, false, &st), 0));
	cr_expect(eq(u64, st.maps, 2));
	cr_expect(eq(u64, st.map_sgs, 1));
	cr_expect(eq(u64, st.sg_elements, 4096));
	cr_assert(eq(int, trace_open(&src, out), 0));
	cr_assert(eq(int, op_source_next(&src, &op), 1));
	cr_expect(eq(int, op.kind, OP_DEVICE));		/* nvme's, its boot clear of 512 */
	cr_expect(eq(u64, op.clear, 512));
	cr_assert(eq(int, op_source_next(&src, &op), 1));
	cr_expect(eq(int, op.kind, OP_MAP_SG));
	cr_expect(eq(u32, op.nsg, 4096));
	cr_expect(eq(u64, op.rec_bus, 0x1000));
	cr_expect(eq(u64, op.sg[4095].phys, 0x101000000ull));	/* put 4096: tce 0x101000003 */
	cr_assert(eq(int, op_source_next(&src, &op), 1));
	cr_expect(eq(int, op.kind, OP_MAP));
	cr_expect(eq(u64, op.rec_bus, 4097ull << 12));
	cr_expect(eq(int, op_source_next(&src, &op), 0));
	op_source_close(&src);
	unlink(log);
	unlink(out);
}

/*
 * An open group holds back the ops after it; when QPEND_MAX = 65536 ops wait
 * (the group and 65535 dmabs of device 3) the group is closed (forced): the
 * next put, right after it, starts a new group.
 */
Test(import_qemu, at_most_65536_ops_wait_behind_an_open_group)
{
	char log[64], *got, *line2;
	struct import_stats st;
	FILE *fp;

	tmp_name(log, sizeof(log), ".log");
	fp = fopen(log, "w");
	cr_assert(fp != NULL);
	fprintf(fp, "18085@1795481804.288850:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
		"tcevalue=0x0 npages=512 ret=0\n"
		"18085@1795481804.288850:spapr_iommu_pci_stuff liobn=0x80000300 ioba=0x200000 "
		"tcevalue=0x0 npages=512 ret=0\n"
		"18085@1795481805.715464:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 "
		"tce=0x31a2003 ret=0\n");
	for (unsigned i = 0; i < 65535; i++)
		fprintf(fp, "18083@1795481805.715904:spapr_iommu_xlate liobn=0x80000300 0x5000 -> "
			"0x7000 perm=1 mask=0xfff\n");
	fprintf(fp, "18085@1795481805.715999:spapr_iommu_pci_put liobn=0x80000000 ioba=0x2000 "
		"tce=0x31a3003 ret=0\n");
	cr_assert(fclose(fp) == 0);
	got = import_text(log, false, &st);
	cr_expect(eq(u64, st.forced, 1));
	cr_expect(eq(u64, st.maps, 2));
	cr_expect(eq(u64, st.map_sgs, 0));
	cr_expect(eq(u64, st.dmabs, 65535));
	line2 = strchr(strchr(got, '\n') + 1, '\n') + 1;	/* after the header and device 0 */
	cr_expect(eq(int, strncmp(line2, "map 0 0x1 0x31a2000 4096 bidi bus=0x1000\n", 41), 0));
	cr_expect(eq(str, got + strlen(got) - 41, "map 0 0x2 0x31a3000 4096 bidi bus=0x2000\n"));
	free(got);
	unlink(log);
}

/* A second put on TCE 1 without a clear: the page leaves H 0x1, which is then empty. */
Test(import_qemu, a_tce_set_over_a_live_page_takes_it_from_its_mapping,
     .init = cr_redirect_stderr)
{
	struct import_stats st;
	char *got = import_text(DIR "synthetic-overwrite.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map 0 0x1 0x31a2000 4096 bidi bus=0x1000\n"
		     "unmap 0 0x1\n"
		     "map 0 0x2 0x31a3000 4096 to bus=0x1000\n"
		     "dma 0 0x2 16 4080 r\n"));
	free(got);
	cr_expect(eq(u64, st.overwritten, 1));
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"ddwsim: warning: " DIR "synthetic-overwrite.log:3: spapr_iommu_pci_put sets TCE 0x1 "
		"of device 0 window 0, still held by mapping 0x1; the page leaves it (reported once)\n");
}

/* ---- windows and ignored lines ---- */

/*
 * Device 1 (PHB 1, buid 0x800000020000001):
 *   create 64K x 1 GiB; its clear; a map at TCE 0xc00 (pool 3072 / 3072 = 1 of
 *   16384 TCEs: tid 18054 gets cpu 1, the lowest of pool 1); remove, on tid
 *   18055 (thread 1, no map: a provisional cpu, its number 1 is taken: the
 *   lowest free, 0), unmaps it
 *   then a put on the removed DDW, on window 2, on a VIO LIOBN, and one with
 *   ret=-4: 4 lines ignored
 *   reset: wreset; window 0 is Linux's default window again (4K TCEs)
 *   create again with 16M TCEs
 */
Test(import_qemu, remove_reset_and_create_again, .init = cr_redirect_stderr)
{
	struct import_stats st;
	char *got = import_text(DIR "synthetic-windows.log", false, &st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 1 mask=64 max_seg=65536 seg_boundary=0xffffffff\n"
		     "wcreate 1 65536 1073741824 1\n"
		     "map 1 0x1 0x23b0000 65536 bidi cpu=1 bus=0x80000000c000000\n"
		     "unmap 1 0x1\n"
		     "wremove 1 0x800000000000000\n"
		     "wreset 1\n"
		     "map 1 0x2 0x23b0000 4096 to cpu=1 bus=0x5000\n"
		     "wcreate 1 16777216 2147483648 1\n"));
	free(got);
	cr_expect(eq(u64, st.ignored, 4));
	cr_expect(eq(u64, st.windows, 4));
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"ddwsim: warning: " DIR "synthetic-windows.log:4: spapr_iommu_ddw_remove drops live "
		"mappings of device 1 window 1; unmapping them (reported once)\n"
		"ddwsim: warning: " DIR "synthetic-windows.log:5: spapr_iommu_pci_put names "
		"liobn=0x80000101, a window no spapr_iommu_ddw_create made; ignored (reported once)\n"
		"ddwsim: warning: " DIR "synthetic-windows.log:6: spapr_iommu_pci_put names window 2 "
		"of liobn=0x80000102; only 0 and 1 exist; ignored (reported once)\n");
}

/* ---- time, formats, input handling ---- */

/*
 * Stamps are ps since line 1 (1795481797.543174). The map_sg's first hypercall
 * is at 1795481805.702653: 8.159479 s = 8159479000000 ps; the ops keep their own
 * lines' times, whatever waited for the group to close.
 */
Test(import_qemu, time_stamps_are_ps_since_the_first_line)
{
	char *got = import_text(DIR "off-first-nvme-io.log", true, NULL);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "@8159479000000 device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff"
		     " clear=512\n"
		     "@8159479000000 map_sg 0 0x1 bidi 0x2480000:65536,0x21f0000:65536 bus=0x30000000\n"
		     "@8172290000000 map 0 0x2 0x31a2000 4096 bidi bus=0x1000\n"
		     "@8172730000000 dma 0 0x1 65536 4096 w\n"
		     "@8172770000000 dma 0 0x2 0 4096 w\n"
		     "@8172782000000 dma 0 0x1 0 4096 w\n"
		     "@8173677000000 unmap 0 0x2\n"));
	free(got);
}

Test(import_qemu, binary_output_holds_the_same_ops)
{
	char bin[64], txt[64], *a, *b;

	tmp_name(bin, sizeof(bin), ".ddwb");
	tmp_name(txt, sizeof(txt), ".ddwt");
	cr_assert(eq(int, import_qemu(DIR "dyn-ddw-64k.log", bin, true, NULL), 0));
	cr_assert(eq(int, trace_convert(bin, txt), 0));
	a = slurp(txt);
	b = import_text(DIR "dyn-ddw-64k.log", true, NULL);
	cr_expect(eq(str, a, b));
	free(a);
	free(b);
	unlink(bin);
	unlink(txt);
}

/*
 * Blank lines and CR LF ends are accepted; a 5000-byte line of an event that is
 * not lifted is skipped whole, and the line after it is line 4.
 */
Test(import_qemu, blank_lines_crlf_and_long_ignored_lines_are_accepted)
{
	char log[64], *text, *got;
	struct import_stats st;
	size_t n = 0, cap = 8192;

	text = malloc(cap);
	cr_assert(text != NULL);
	n += (size_t)snprintf(text + n, cap - n, "18085@1795481804.288850:spapr_iommu_pci_stuff "
			      "liobn=0x80000000 ioba=0x200000 tcevalue=0x0 npages=512 ret=0\r\n\n");
	n += (size_t)snprintf(text + n, cap - n, "18083@1795481805.764010:pci_nvme_read cid 192 ");
	memset(text + n, 'x', 5000);
	n += 5000;
	n += (size_t)snprintf(text + n, cap - n, "\n18085@1795481805.715464:spapr_iommu_pci_put "
			      "liobn=0x80000000 ioba=0x1000 tce=0x31a2003 ret=0");
	tmp_name(log, sizeof(log), ".log");
	put_file(log, text);
	got = import_text(log, false, &st);
	cr_expect(eq(str, got, "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map 0 0x1 0x31a2000 4096 bidi bus=0x1000\n"));
	cr_expect(eq(u64, st.lines, 4));
	cr_expect(eq(u64, st.events, 3));
	cr_expect(eq(u64, st.ignored, 1));
	free(got);
	free(text);
	unlink(log);
}

/* "-" reads standard input; the file name in messages is then <stdin>. */
Test(import_qemu, dash_reads_standard_input, .init = cr_redirect_stdin)
{
	FILE *in = cr_get_redirected_stdin();
	char *got;

	fputs("18085@1795481804.288850:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
	      "tcevalue=0x0 npages=512 ret=0\n"
	      "18085@1795481805.715464:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 "
	      "tce=0x31a2003 ret=0\n", in);
	fclose(in);
	got = import_text("-", false, NULL);
	cr_expect(eq(str, got, "# ddwt 1\n" "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=512\n"
		     "map 0 0x1 0x31a2000 4096 bidi bus=0x1000\n"));
	free(got);
}

/*
 * Linux only stuffs 0. A stuff of a permission would set npages TCEs to one
 * page, which no map op can say: ignored, with one warning.
 */
Test(import_qemu, a_stuff_of_a_permission_is_ignored_with_a_warning, .init = cr_redirect_stderr)
{
	char log[64], want[512], *got;
	struct import_stats st;

	tmp_name(log, sizeof(log), ".log");
	put_file(log, "18085@1795481804.288850:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
		 "tcevalue=0x0 npages=512 ret=0\n"
		 "18085@1795481805.716851:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x2000 "
		 "tcevalue=0x31a2003 npages=1 ret=0\n");
	got = import_text(log, false, &st);
	cr_expect(eq(str, got, "# ddwt 1\n"));
	cr_expect(eq(u64, st.ignored, 1));
	free(got);
	snprintf(want, sizeof(want), "ddwsim: warning: %s:2: spapr_iommu_pci_stuff stuffs "
		 "tcevalue=0x31a2003, not a clear; ignored (reported once)\n", log);
	unlink(log);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

Test(import_qemu, a_missing_log_is_reported_and_writes_nothing, .init = cr_redirect_stderr)
{
	char out[64];

	tmp_name(out, sizeof(out), ".ddwt");
	unlink(out);
	cr_expect(eq(int, import_qemu(DIR "no-such.log", out, false, NULL), -1));
	cr_expect(not(exists(out)));
	fflush(stderr);
	cr_assert_stderr_eq_str("ddwsim: cannot open trace '" DIR "no-such.log': No such file or "
				"directory\n");
}

/* ---- malformed lines: exact message, no output ---- */

struct bad_log {
	const char *file;	/* in tests/import/bad/ */
	const char *msg;	/* after "FILE:" */
};

static const struct bad_log bad_logs[] = {
	{ "not-an-event.log", "2: expected TID@SEC.USEC:EVENT, got 'qemu-system-ppc64:'" },
	{ "usec-five-digits.log", "1: expected TID@SEC.USEC:EVENT, got "
	  "'18085@1795481800.73466:spapr_iommu_pci_put'" },
	{ "put-bad-tce.log", "1: spapr_iommu_pci_put: expected tce=0xHEX, got 'tce=0x7e37zz03'" },
	{ "put-no-ret.log", "1: spapr_iommu_pci_put: expected ret=DEC, got ''" },
	{ "put-ret-word.log", "1: spapr_iommu_pci_put: expected ret=DEC, got 'ret=ok'" },
	{ "put-trailing.log", "1: spapr_iommu_pci_put: expected end of line, got 'extra'" },
	{ "put-liobn-17-digits.log", "1: spapr_iommu_pci_put: expected liobn=0xHEX, got "
	  "'liobn=0x800000000000000000': a number is at most 64 bits" },
	{ "put-too-long.log", "1: spapr_iommu_pci_put: line longer than 4096 bytes" },
	{ "indirect-ioban-512.log", "2: spapr_iommu_pci_indirect: expected iobaN=0xHEX below 0x200 "
	  "(the index of the last of at most 512 TCEs), got 'iobaN=0x200'" },
	{ "indirect-tcen-low.log", "2: spapr_iommu_pci_indirect: expected tceN=0xHEX at least iobaN "
	  "TCE pages above 0 (the list holds consecutive pages), got 'tceN=0x3003'" },
	{ "stuff-ioba-low.log", "1: spapr_iommu_pci_stuff: expected ioba=0xHEX at least npages TCEs "
	  "past the window start 0x0 (QEMU logs the address after the last TCE), got 'ioba=0x1000'" },
	{ "stuff-npages-negative.log", "1: spapr_iommu_pci_stuff: expected npages=DEC of at least 0, "
	  "got 'npages=-1'" },
	{ "xlate-arrow.log", "1: spapr_iommu_xlate: expected -> 0xHEX, got '=> 0x21f0000'" },
	{ "xlate-mask.log", "2: spapr_iommu_xlate: expected mask=0xHEX one less than a power of two, "
	  "got 'mask=0xffe'" },
	{ "create-page-size.log", "1: spapr_iommu_ddw_create: expected page size=0xHEX a power of "
	  "two in 0x1000..0x1000000000000, got 'page size=0x1001'" },
	{ "create-no-requested.log", "1: spapr_iommu_ddw_create: expected requested=0xHEX, got "
	  "'start addr=0x800000000000000'" },
	{ "ddw-put-past-end.log", "2: spapr_iommu_pci_put: expected ioba=0xHEX inside the window "
	  "0x800000000000000..0x80000003fffffff of device 0, got 'ioba=0x800000040000000'" },
	/* numbers follow num.h: no sign (but ret and npages may be negative), no leading 0 */
	{ "put-ioba-sign.log", "1: spapr_iommu_pci_put: expected ioba=0xHEX, got 'ioba=0x-1000': "
	  "a number has no sign" },
	{ "put-ioba-0x-twice.log", "1: spapr_iommu_pci_put: expected ioba=0xHEX, got "
	  "'ioba=0x0x1000'" },
	{ "put-ret-plus.log", "1: spapr_iommu_pci_put: expected ret=DEC, got 'ret=+0': a number "
	  "has no sign" },
	{ "stuff-npages-leading-zero.log", "1: spapr_iommu_pci_stuff: expected npages=DEC, got "
	  "'npages=01': leading zeros are refused, never read as octal: write the number without "
	  "them" },
	{ "xlate-perm-65-bits.log", "2: spapr_iommu_xlate: expected perm=DEC, got "
	  "'perm=18446744073709551616': a number is at most 64 bits" },
	{ "tid-plus.log", "1: expected TID@SEC.USEC:EVENT, got "
	  "'+18085@1795481800.734665:spapr_iommu_pci_put'" },
	{ "usec-sign.log", "1: expected TID@SEC.USEC:EVENT, got "
	  "'18085@1795481800.-34665:spapr_iommu_pci_put'" },
};

/* Parameters are indices: pointers into the parent's data are not valid in the worker. */
static unsigned *indices(size_t n)
{
	unsigned *ix = cr_malloc(n * sizeof(*ix));

	for (size_t i = 0; i < n; i++)
		ix[i] = (unsigned)i;
	return ix;
}

static void free_indices(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

ParameterizedTestParameters(import_qemu, malformed_lines)
{
	size_t n = sizeof(bad_logs) / sizeof(bad_logs[0]);

	return cr_make_param_array(unsigned, indices(n), n, free_indices);
}

ParameterizedTest(unsigned *ix, import_qemu, malformed_lines, .init = cr_redirect_stderr)
{
	const struct bad_log *b = &bad_logs[*ix];
	char path[128], out[64], want[512];

	snprintf(path, sizeof(path), DIR "bad/%s", b->file);
	tmp_name(out, sizeof(out), ".ddwt");
	unlink(out);
	cr_expect(eq(int, import_qemu(path, out, false, NULL), -1));
	cr_expect(not(exists(out)), "no output after an error");
	snprintf(want, sizeof(want), "%s:%s\n", path, b->msg);
	fflush(stderr);
	cr_assert_stderr_eq_str(want);
}

/* ---- a slice of a real log ---- */

/*
 * The first 200000 lines of ddw-off (SLOF, the kernel's clears, module load,
 * nvme phases up to the buffered read), cut with xzcat | head. Expected counts,
 * from the same slice:
 *   map hypercalls 8612 = 14 `pci_put ... tce=0x<non-zero>` after line 628 (the
 *               last SLOF line) + 8598 `pci_indirect` lines (grep -c)
 *   maps 6103, of which 293 map_sg ops of 2802 elements in all, unmaps 6097,
 *               partial 221: from an independent awk replay of the same rules
 *               (tests/import/replay.awk prints maps=6103 map_sgs=293
 *               elements=2802 unmaps=6097 partial=221 splits=0); every map
 *               hypercall is one element: 6103 - 293 + 2802 = 8612. 6 mappings
 *               are still live at the cut, one of them partly cleared (warned)
 *   dmas 165424 = 165430 xlate lines - 6 SLOF xlates (lines < 629); dmabs 0
 *   firmware 624 = lines 5..628 (SLOF's puts and xlates on 0x80000200)
 *   ignored 17022 = lines that are not put/indirect/stuff/xlate (grep -vc)
 * On the whole of ddw-off the awk replay and the importer agree as well:
 * maps=284386 map_sgs=1445 elements=8162 unmaps=284127 partial=3438 splits=1.
 * Since then, groups where two large maps met back to back wait for their
 * first clear, which splits them (held_splits; replay.awk does not model
 * that): 219 groups split, so maps 6103 + 219 = 6322, unmaps 6097 + 219 =
 * 6316, partial 221 - 219 = 2; still one map op per element: 6322 - 431 +
 * 2721 = 8612 map hypercalls. 4 times a held group had 65536 ops waiting
 * behind it and was written whole (forced). All 6 mappings live at the cut
 * are whole.
 * Skipped when shared/data/qemu is not there (DDWSIM_QEMU_DATA overrides its path).
 */
Test(import_qemu, real_ddw_off_slice_matches_the_counts_from_grep_and_awk, .timeout = 120,
     .init = cr_redirect_stderr)
{
	const char *data = getenv("DDWSIM_QEMU_DATA");
	char xz[512], cmd[1200], log[64], out[64];
	struct import_stats st;
	struct op_source src;
	struct dma_op op;
	uint64_t kinds[OP_DEVICE + 1] = { 0 };
	int rc;

	snprintf(xz, sizeof(xz), "%s/ddw-off.trace.log.xz", data ? data : "/work/shared/data/qemu");
	if (!exists(xz))
		cr_skip_test("%s not found", xz);
	tmp_name(log, sizeof(log), ".log");
	tmp_name(out, sizeof(out), ".ddwt");
	snprintf(cmd, sizeof(cmd), "xzcat '%s' | head -n 200000 > '%s'", xz, log);
	cr_assert(eq(int, system(cmd), 0), "%s", cmd);
	cr_assert(eq(int, import_qemu(log, out, true, &st), 0));
	cr_expect(eq(u64, st.lines, 200000));
	cr_expect(eq(u64, st.maps, 6322));
	cr_expect(eq(u64, st.map_sgs, 431));
	cr_expect(eq(u64, st.sg_elements, 2721));
	cr_expect(eq(u64, st.maps - st.map_sgs + st.sg_elements, 8612));
	cr_expect(eq(u64, st.unmaps, 6316));
	cr_expect(eq(u64, st.dmas, 165424));
	cr_expect(eq(u64, st.dmabs, 0));
	cr_expect(eq(u64, st.windows, 0));
	cr_expect(eq(u64, st.firmware_skipped, 624));
	cr_expect(eq(u64, st.ignored, 17022));
	cr_expect(eq(u64, st.partial, 2));
	cr_expect(eq(u64, st.splits, 0));
	cr_expect(eq(u64, st.unfinished, 0));
	cr_expect(eq(u64, st.forced, 4));
	cr_expect(eq(u64, st.overwritten, 0));
	/* the trace reads back: the same ops */
	cr_assert(eq(int, trace_open(&src, out), 0));
	while ((rc = op_source_next(&src, &op)) > 0)
		kinds[op.kind]++;
	op_source_close(&src);
	cr_expect(eq(int, rc, 0));
	cr_expect(eq(u64, kinds[OP_MAP], 5891));
	cr_expect(eq(u64, kinds[OP_MAP_SG], 431));
	cr_expect(eq(u64, kinds[OP_UNMAP], 6316));
	cr_expect(eq(u64, kinds[OP_DEVICE], 3));	/* e1000 has done nothing yet */
	cr_expect(eq(u64, kinds[OP_DMA], 165424));
	unlink(log);
	unlink(out);
}

/* ---- any guest shape: pools, multi-TCE off, device declarations ---- */

/* Writes lines (one string, "\n"-separated) to a fresh .log and imports it. */
static char *import_lines(const char *lines, struct import_stats *st)
{
	char log[64], *got;

	tmp_name(log, sizeof(log), ".log");
	put_file(log, lines);
	got = import_text(log, false, st);
	unlink(log);
	return got;
}

/*
 * Six vCPU threads, numbered 101..106 in order of appearance, not CPUs.
 * The boot clear (one stuff of 262144 TCEs ending at 0x40000000) gives the
 * window's size: 262144 TCEs of 4K = 1 GiB, so 4 pools of
 * poolsize = 262144 * 3 / 4 / 4 = 49152 = 0xc000 TCEs, the large pool from
 * 0x30000 (iommu_init_table). The pool of CPU c is hash_32(c, 2) =
 * (c * 0x61c88647 mod 2^32) >> 30: c = 0..7 -> 0 1 3 0 2 3 1 2.
 *   101 TCE 0x1     pool 0 -> cpu 0
 *   102 TCE 0x18001 pool 0x18001 / 0xc000 = 2 -> the lowest CPU of pool 2: 4
 *   103 TCE 0x24001 pool 3 -> cpu 2
 *   104 TCE 0xc001  pool 1 -> cpu 1
 *   105 TCE 0x10    pool 0; cpu 0 is 101's -> the next CPU of pool 0: 3
 *   106 indirect of 17 TCEs at 0x30000: the large pool, no pool: provisional
 *       cpu = its number 5 (free); then TCE 0x18011: pool 2, but cpu 5 is in
 *       pool 3: late, it gets the lowest free CPU of pool 2, 7 (4 is 102's)
 *   101 again at TCE 0x24101: pool 3, not its pool 0: counted in pool_moves
 * The indirect maps 0x10 + 1 = 17 TCEs from 0x610000 - 16 * 0x1000 = 0x600000.
 */
Test(import_qemu, each_vcpu_thread_gets_a_cpu_of_the_pool_its_small_maps_are_in)
{
	struct import_stats st;
	char *got = import_lines(
		"101@1795481804.000001:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x40000000 tcevalue=0x0 npages=262144 ret=0\n"
		"101@1795481804.000002:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x100003 ret=0\n"
		"102@1795481804.000003:spapr_iommu_pci_put liobn=0x80000000 ioba=0x18001000 tce=0x200003 ret=0\n"
		"103@1795481804.000004:spapr_iommu_pci_put liobn=0x80000000 ioba=0x24001000 tce=0x300003 ret=0\n"
		"104@1795481804.000005:spapr_iommu_pci_put liobn=0x80000000 ioba=0xc001000 tce=0x400003 ret=0\n"
		"105@1795481804.000006:spapr_iommu_pci_put liobn=0x80000000 ioba=0x10000 tce=0x500003 ret=0\n"
		"106@1795481804.000007:spapr_iommu_pci_indirect liobn=0x80000000 ioba=0x30000000 tcelist=0x2200000 iobaN=0x10 tceN=0x610003 ret=0\n"
		"106@1795481804.000008:spapr_iommu_pci_put liobn=0x80000000 ioba=0x18011000 tce=0x700003 ret=0\n"
		"101@1795481804.000009:spapr_iommu_pci_put liobn=0x80000000 ioba=0x24101000 tce=0x800003 ret=0\n",
		&st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=262144\n"
		     "map 0 0x1 0x100000 4096 bidi bus=0x1000\n"
		     "map 0 0x2 0x200000 4096 bidi cpu=4 bus=0x18001000\n"
		     "map 0 0x3 0x300000 4096 bidi cpu=2 bus=0x24001000\n"
		     "map 0 0x4 0x400000 4096 bidi cpu=1 bus=0xc001000\n"
		     "map 0 0x5 0x500000 4096 bidi cpu=3 bus=0x10000\n"
		     "map 0 0x6 0x600000 69632 bidi cpu=5 bus=0x30000000\n"
		     "map 0 0x7 0x700000 4096 bidi cpu=7 bus=0x18011000\n"
		     "map 0 0x8 0x800000 4096 bidi bus=0x24101000\n"));
	free(got);
	cr_expect(eq(u64, st.threads, 6));
	cr_expect(eq(u64, st.pools_known, 6));
	cr_expect(eq(u64, st.pool_late, 1));
	cr_expect(eq(u64, st.pool_unknown, 0));
	cr_expect(eq(u64, st.pool_moves, 1));
	cr_expect(eq(u64, st.boot_clear, 262144));
}

/*
 * multitce=off (tce_build_pSeriesLP / tce_free_pSeriesLP: one H_PUT_TCE per
 * TCE). The kernel's first clear at TCE 0 is a put of 0: multi-TCE is off;
 * its boot clear here is TCEs 0 and 1 (clear=2). Thread 202 (the second:
 * provisional cpu 1, the window's size gives no pools) then puts:
 *   TCEs 0x30000..0x3000f at phys 0x100000.. (consecutive: one element of
 *   16 TCEs = 65536 bytes), 0x30010..0x30011 at 0x200000 (a new element:
 *   8192 bytes): 16 then 2 TCEs, a small element after a large one is an SG
 *   continuation: one map_sg. The xlate of 0x30011000 closes it: offset
 *   0x11000 = 69632, 4096 bytes to the next 4K boundary.
 *   0x30012..0x30021 at 0x300000, 0x30022..0x30031 at 0x400000: two
 *   elements of 16: two large allocations back to back, split into two maps
 *   (H 0x2 and H 0x3, held_splits 1); the xlate of 0x30022000 is H 0x3 offset 0.
 *   18 puts of 0 over 0x30000..0x30011: H 0x1 is unmapped with the last.
 *   0x41..0x4f at 0x500000 (15 TCEs, 61440 bytes), then 0x50 at 0x600000: a
 *   small element ending at 0x50, a multiple of 16, where a separate small
 *   map could start too: ambiguous 1; written at the end of the log.
 * merged puts: 15 + 1 + 15 + 15 + 14 = 60.
 */
Test(import_qemu, multitce_off_puts_are_joined_into_the_kernels_maps)
{
	struct import_stats st;
	char lines[16384];
	size_t n = 0;
	char *got;

#define L(...)	(n += (size_t)snprintf(lines + n, sizeof(lines) - n, __VA_ARGS__))
	L("201@1795481804.000001:spapr_iommu_pci_put liobn=0x80000000 ioba=0x0 tce=0x0 ret=0\n");
	L("201@1795481804.000002:spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x0 ret=0\n");
	for (unsigned i = 0; i < 18; i++)
		L("202@1795481804.000003:spapr_iommu_pci_put liobn=0x80000000 ioba=0x%x tce=0x%x ret=0\n",
		  (0x30000 + i) << 12, i < 16 ? 0x100003 + (i << 12) : 0x200003 + ((i - 16) << 12));
	L("200@1795481804.000004:spapr_iommu_xlate liobn=0x80000000 0x30011000 -> 0x201000 perm=3 mask=0xfff\n");
	for (unsigned i = 0; i < 32; i++)
		L("202@1795481804.000005:spapr_iommu_pci_put liobn=0x80000000 ioba=0x%x tce=0x%x ret=0\n",
		  (0x30012 + i) << 12, (i < 16 ? 0x300003 : 0x400003) + ((i & 15) << 12));
	L("200@1795481804.000006:spapr_iommu_xlate liobn=0x80000000 0x30022000 -> 0x400000 perm=3 mask=0xfff\n");
	for (unsigned i = 0; i < 18; i++)
		L("202@1795481804.000007:spapr_iommu_pci_put liobn=0x80000000 ioba=0x%x tce=0x0 ret=0\n",
		  (0x30000 + i) << 12);
	for (unsigned i = 0; i < 16; i++)
		L("202@1795481804.000008:spapr_iommu_pci_put liobn=0x80000000 ioba=0x%x tce=0x%x ret=0\n",
		  (0x41 + i) << 12, i < 15 ? 0x500003 + (i << 12) : 0x600003);
#undef L
	got = import_lines(lines, &st);
	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 0 mask=64 max_seg=4294967295 seg_boundary=0xffffffff clear=2\n"
		     "map_sg 0 0x1 bidi 0x100000:65536,0x200000:8192 cpu=1 bus=0x30000000\n"
		     "dma 0 0x1 69632 4096 w\n"
		     "map 0 0x2 0x300000 65536 bidi cpu=1 bus=0x30012000\n"
		     "map 0 0x3 0x400000 65536 bidi cpu=1 bus=0x30022000\n"
		     "dma 0 0x3 0 4096 w\n"
		     "unmap 0 0x1 cpu=1\n"
		     "map_sg 0 0x4 bidi 0x500000:61440,0x600000:4096 cpu=1 bus=0x41000\n"));
	free(got);
	cr_expect(st.per_tce);
	cr_expect(eq(u64, st.merged, 60));
	cr_expect(eq(u64, st.held_splits, 1));
	cr_expect(eq(u64, st.ambiguous, 1));
	cr_expect(eq(u64, st.boot_clear, 2));
}

/*
 * Devices are declared before their first op, with their driver's DMA
 * parameters by PHB (run-capture.sh's layout): PHB 3 is e1000, an 82540EM
 * that is not PCI-X: DMA_BIT_MASK(32) (e1000_probe), max_seg_size and
 * seg_boundary the PCI defaults 65536 and 0xffffffff (pci_device_add). PHB 5
 * has no known driver: its boot clear only. Window 0 of PHB 3 was cleared by
 * one stuff of 512 TCEs ([0x200 - 512, 0x200)), PHB 5's by two of 512.
 */
Test(import_qemu, devices_are_declared_with_their_drivers_dma_parameters)
{
	struct import_stats st;
	char *got = import_lines(
		"101@1795481804.000001:spapr_iommu_pci_stuff liobn=0x80000300 ioba=0x200000 tcevalue=0x0 npages=512 ret=0\n"
		"101@1795481804.000002:spapr_iommu_pci_stuff liobn=0x80000500 ioba=0x200000 tcevalue=0x0 npages=512 ret=0\n"
		"101@1795481804.000003:spapr_iommu_pci_stuff liobn=0x80000500 ioba=0x400000 tcevalue=0x0 npages=512 ret=0\n"
		"101@1795481804.000004:spapr_iommu_pci_put liobn=0x80000500 ioba=0x1000 tce=0x100001 ret=0\n"
		"101@1795481804.000005:spapr_iommu_pci_put liobn=0x80000300 ioba=0x1000 tce=0x200002 ret=0\n",
		&st);

	cr_expect(eq(str, got,
		     "# ddwt 1\n"
		     "device 5 clear=1024\n"
		     "map 5 0x1 0x100000 4096 to bus=0x1000\n"
		     "device 3 mask=32 max_seg=65536 seg_boundary=0xffffffff clear=512\n"
		     "map 3 0x2 0x200000 4096 from bus=0x1000\n"));
	free(got);
	cr_expect(eq(u64, st.devices, 2));
	cr_expect(eq(u64, st.boot_clear, 1536));
}
