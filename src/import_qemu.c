/*
 * import_qemu.c - QEMU's spapr_iommu_* trace log lifted to ddwsim DMA ops.
 *
 * Input: the `log` trace backend of QEMU 7.2 with -msg timestamp=on, as
 * captured in shared/data/qemu (README there; the event formats are in
 * reference/domain.md §8.4). One line per event:
 *
 *   <tid>@<sec>.<usec>:<event> <arguments>
 *   18085@1795481805.702653:spapr_iommu_pci_indirect liobn=0x80000000 ioba=0x30000000 ...
 *
 * QEMU logs what the guest did to its TCE tables (hcalls, RTAS calls) and
 * every translation a device model made. The importer replays those tables
 * in the small part that matters, the live mappings, and writes the
 * mode-independent ops of workload.h: "buffer H (phys, len, dir) mapped,
 * device reads/writes [off, off + len) of H, H unmapped", plus window
 * create/remove/reset and accesses by bus address. ddwsim then decides in
 * each mode where a buffer lands; the bus address the real kernel chose is
 * kept in each map (bus=).
 *
 * Devices and windows
 *   Only PCI LIOBNs (bit 0x80000000) are lifted; QEMU names them
 *   0x80000000 | phb << 8 | window (SPAPR_PCI_LIOBN). Each device sits alone
 *   on its own PHB in these captures, so
 *       device = (liobn >> 8) & 0xff      window = liobn & 0xff (0 default, 1 DDW).
 *   Lines naming a non-PCI LIOBN (VIO), a LIOBN with bits 16..30 set, a
 *   window above 1, or a DDW no spapr_iommu_ddw_create made are ignored
 *   (the last two with a warning). Window 0 of every device exists from the
 *   start: bus address 0, 4 KiB TCEs, size unknown (QEMU's dma_win_addr,
 *   SPAPR_TCE_PAGE_SHIFT). A DDW takes its start, TCE size and size from its
 *   spapr_iommu_ddw_create line.
 *
 * CPUs (any vCPU count)
 *   Hypercall and RTAS lines (put, indirect, stuff, get, ddw_*; both the pci_
 *   and the plain variants) run on vCPU threads, numbered in order of first
 *   appearance (SLOF's lines count). A thread's number is not its CPU, and
 *   the replay's allocator only needs the CPU's pool: iommu_range_alloc
 *   takes a small allocation (<= 15 TCEs) from pool iommu_pool_hash of the
 *   CPU (hash_32(cpu, 2), setup_iommu_pool_hash), one of 4 pools over the
 *   bottom 3/4 of a table of at least 1 GiB (iommu_init_table: poolsize =
 *   it_size * 3 / 4 / 4), the top 1/4 being the large pool. So the first map
 *   of a thread that starts a new group (not an SG continuation) below the
 *   large pool names its pool, first TCE / poolsize, and the thread gets the
 *   lowest CPU no other thread has whose hash is that pool (learn_pool). The
 *   table's size is the DDW's, or for a default window the extent of the
 *   kernel's boot clear (its whole table, iommu_table_clear). Until its pool
 *   is known a thread has a provisional CPU, its number if free (a large map,
 *   an unmap, a map in a 1-pool window); one whose pool then differs is
 *   counted in pool_late, a later small map in another pool in pool_moves
 *   (warned once). xlate lines never number threads: they mostly run on the
 *   main loop. Maps carry the CPU of their first hypercall's thread, unmaps
 *   the CPU of the line that ends them (cpu=N). A vCPU thread is pinned to
 *   its vCPU (TCG multi-thread: one host thread per vCPU), so a thread's
 *   pool does not change unless its pool was full.
 *
 * Devices
 *   Before the first op of a device (a map, an xlate, a window op), one
 *   `device DEV` op with the DMA parameters of the capture scripts' driver
 *   on that PHB (qdrivers: nvme, virtio-blk, virtio-net, e1000, with the
 *   driver function each comes from; other PHBs: none) and clear= the TCEs
 *   of its default window the kernel cleared before its first map there
 *   (the boot clear), which the replay counts as set-up. The DDW's clear at
 *   creation is not counted (the device was declared before it).
 *
 * Firmware
 *   SLOF uses the default windows before Linux (in ddw-off: puts, put-clears
 *   and xlates on 0x80000200, 624 lines). The kernel starts by clearing each
 *   default window whole, and that clear starts with an H_STUFF_TCE whose
 *   first TCE is TCE 0. So, per default window: until a clear whose first TCE
 *   is TCE 0 (an H_STUFF_TCE; or, as multitce=off kernels clear, an H_PUT_TCE
 *   or indirect without permission bits; seen in the multitce=off captures:
 *   SLOF's put-clears on 0x80000200 start at TCE 7), every put, indirect,
 *   stuff and xlate on it is SLOF's and is dropped (firmware_skipped). That
 *   clear itself is lifted (it unmaps nothing), and counted in the device's
 *   boot clear.
 *
 * Multi-TCE off
 *   The kernel's first clear (above) says whether the guest has multi-TCE:
 *   an H_PUT_TCE of 0 means FW_FEATURE_STUFF_TCE is off (multitce=off clears
 *   it and FW_FEATURE_PUT_TCE_IND), and every map then sets its TCEs with one
 *   H_PUT_TCE each (tce_build_pSeriesLP), every unmap clears them with one
 *   each (tce_free_pSeriesLP). Maps are rebuilt from those lines:
 *   - a put that continues a group (same rules as below) at the real address
 *     right after its last element's end extends that element (merged): one
 *     element is npages physically consecutive pages, at most 2^16 TCEs;
 *   - when a group closes, it is split before every element of more than 15
 *     TCEs that follows one of more than 15: two large allocations end to end
 *     are two maps or one map_sg alike for the allocator, and without
 *     multi-TCE the hypercall counts do not tell them apart either;
 *   - an xlate in an open group keeps its elements after the last large one
 *     that follows the xlate's element open, as a group of their own: the
 *     device uses a submitted map while the CPU sets the next one's TCEs
 *     (keep_tail);
 *   - a group that still has a boundary where a separate small map could have
 *     started (after an element of at most 15 TCEs, at a multiple of 16 TCEs,
 *     where the hint of a small allocation is rounded to) is ambiguous:
 *     counted, the first one named in a warning.
 *   DDWs are created by Linux: nothing on them is firmware.
 *
 * Lifting, line by line (hcalls with ret != 0 changed nothing: ignored)
 *   spapr_iommu_pci_put liobn ioba tce ret
 *       tce has permission bits: a map of 1 TCE, below. tce has none (0):
 *       TCE (ioba - start) / page is cleared, below.
 *   spapr_iommu_pci_indirect liobn ioba tcelist iobaN tceN ret
 *       iobaN is the INDEX of the last TCE written: n = iobaN + 1 TCEs
 *       (at most 512, else the line is an error). Linux fills the list with
 *       consecutive pages and one permission (tce_buildmulti_pSeriesLP), so
 *       the first page's real address is (tceN & ~(page - 1)) - (n - 1) * page.
 *       A map of n TCEs; a tceN without permission bits clears n TCEs.
 *   spapr_iommu_pci_stuff liobn ioba tcevalue npages ret
 *       ioba is the address AFTER the last TCE (QEMU logs its loop variable):
 *       TCEs [(ioba - start) / page - npages, (ioba - start) / page) get
 *       tcevalue. tcevalue without permission bits (Linux only ever stuffs 0):
 *       the TCEs are cleared (see Unmaps, below). Stuffing a permission is
 *       not modelled (ignored, warned once).
 *   map of n TCEs at TCE index first, real address phys, permission perm
 *       One element (phys, n * page) of a dma_map_sg call: it extends the
 *       open group of its device and CPU, or starts a new one (see Grouping,
 *       below). DIR from perm: 1 (read) to, 2 (write) from, 3 bidi (Linux
 *       sets R|W for both from and bidi, so a kernel `from` reads as bidi).
 *       A TCE set over a page a live mapping still holds takes the page away
 *       from it (overwritten, warned once).
 *       Exception, the direct DDW: on a DDW not yet cleared, a map whose
 *       window offset equals its real address (bus = start + phys, the
 *       identity of tce_setrange_multi_pSeriesLP) is the kernel mapping all
 *       RAM at window creation, not a buffer (counted in ram_maps). It is
 *       written as a map with its bus= (which the replay recognises as a
 *       direct window's set-up, written without the allocator) but is not
 *       a live mapping for xlates: DMAs in a direct DDW stay `dmab`, by bus
 *       address. A dynamic DDW is cleared (H_STUFF_TCE) right after its
 *       creation, before any map.
 *   clear of TCEs one by one (put or indirect without permission)
 *       As a stuff of those TCEs (multi-TCE off unmaps page by page).
 *   spapr_iommu_xlate liobn OFF -> ADDR perm mask
 *       OFF is an offset in the window: bus = window start + OFF. The access
 *       length is not logged: LEN = bytes from OFF to the end of its IOMMU
 *       page (mask + 1 bytes) or to the next 4 KiB boundary, whichever comes
 *       first (QEMU translates once per page touched, and a PCIe request never
 *       crosses 4 KiB, so the bytes are comparable whatever the TCE size).
 *       Inside a live mapping of that device and window (it closes the
 *       mapping's group if still open): `dma DEV H OFFSET LEN RW`,
 *       OFFSET = bus - mapping start, the byte offset in the concatenation
 *       of its elements (they are back to back in bus space: the previous
 *       elements' lengths plus the offset in this one), LEN capped at the end
 *       of the element holding bus (elements are whole TCE pages of >= 4 KiB,
 *       so the 4 KiB cap already keeps LEN inside it; the replay walks the
 *       elements by offset), RW = r for a mapping mapped `to`, else w.
 *       Otherwise (a direct DDW, or an address the replay does not know):
 *       `dmab DEV WIN BUS LEN RW`, RW = w if perm has bit 1 (0x2), else r.
 *       perm 0 (a fault) is ignored.
 *       LEN is an upper bound on the access (at most 4096 bytes per line).
 *       Without the 4 KiB cap it grew with the TCE size: the 16M TCEs of
 *       ddw-on's direct DDWs gave 11.2 MB per line on average, against 3.2 KB
 *       in ddw-off, for the same workload.
 *   spapr_iommu_ddw_create buid addr page size requested start addr liobn
 *       `wcreate DEV PAGE_SIZE SIZE 1` (SIZE = requested). A window that
 *       still existed is dropped first (see remove).
 *   spapr_iommu_ddw_remove liobn
 *       Live mappings of the window are unmapped (warned once), then
 *       `wremove DEV START`.
 *   spapr_iommu_ddw_reset buid addr
 *       device = buid - 0x800000020000000 (SPAPR_PCI_BASE_BUID + PHB index).
 *       Live mappings of both windows are unmapped (warned once), then
 *       `wreset DEV`; window 0 is the default one again, window 1 is gone.
 *   Every other line is ignored: spapr_iommu_new_table, _ddw_query, _get,
 *   _pre_save, _post_load, pci_nvme_*, virtio_*, ... Their arguments are not
 *   parsed.
 *
 * Grouping: one dma_map_sg call is one map_sg op
 *   Linux's ppc_iommu_map_sg makes one iommu_range_alloc per scatterlist
 *   element with the SG handle carried across elements: pass 0 starts at
 *   *handle, and *handle = end after each. So its elements lie back to back
 *   in the window, and each element's TCEs are set by their own hypercall(s)
 *   (tce_buildmulti_pSeriesLP: H_PUT_TCE for 1 TCE, else H_PUT_TCE_INDIRECT
 *   of at most 512). Separate maps instead start at the pool hint, which a
 *   small allocation rounds up to 16 TCEs: lifted one hypercall per map, a
 *   map_sg of 1-TCE elements (nvme in a 64K-TCE DDW: 0x1140, 0x1141, ...)
 *   would be replayed at 0x1150, 0x1160, ... So:
 *   - Each (device, CPU) has at most one open group. A map hypercall extends
 *     it when it is on the same window, with the same permission, its first
 *     TCE is the TCE right after the group's last, and the group has fewer
 *     than TRACE_SG_MAX (4096) elements; the group is closed when it reaches
 *     4096. Any other map hypercall of that device and CPU closes the group
 *     and starts a new one (the kernel makes a map_sg's hypercalls one after
 *     the other on its CPU).
 *   - An xlate inside the group closes it: the device uses the buffer, so the
 *     driver has submitted it and dma_map_sg has returned. A clear that
 *     touches its TCEs closes it, and so does the end of its window
 *     (ddw_remove, _reset, _create again) and the end of the log.
 *   - Hypercalls of other CPUs, and xlates and clears elsewhere on the
 *     device, do not close it: the device works on earlier requests while a
 *     CPU maps, and an interrupt may complete (unmap) an I/O on the same CPU
 *     between two elements (34 times in ddw-dynamic's nvme map_sgs). On ddw-dynamic-pgsz64k-patched this makes nvme's
 *     8101 groups: the kernel unmapped 8093 of them with exactly one
 *     H_STUFF_TCE each, covering the whole group (all of nvme's 8093
 *     per-I/O H_STUFF_TCEs), and 8 are still live at the end. Closing a
 *     group on any xlate or clear of its device and on another CPU's
 *     hypercall gave 8212 groups, with 101 H_STUFF_TCEs covering two groups
 *     (one map_sg split in two).
 *   - A closed group is `map_sg DEV H DIR PHYS:LEN,PHYS:LEN,... cpu=C
 *     bus=BUS`, one element per hypercall in order, PHYS its first page's
 *     real address, LEN n * page (the importer sees whole TCE pages only);
 *     a group of one element stays `map DEV H PHYS LEN DIR cpu=C bus=BUS`,
 *     as a map_page of one buffer is. BUS = window start + first TCE * page
 *     (the kernel's choice for the first element; for a DDW the hcall's ioba
 *     is already that), C the CPU of its hypercalls, H a fresh handle, one
 *     counter for all devices, from 0x1. The op takes the place (and time)
 *     of the group's first hypercall in the output (see Output order).
 *   What grouping cannot tell apart: separate maps that happen to be back to
 *   back on one CPU with no xlate between them. A large allocation (> 15
 *   TCEs) sets the pool hint to its end, so two requests mapped in a row (the
 *   two 512K halves of a 1M nvme read in ddw-off, virtio's one map_page per
 *   64K descriptor) become one group. The replay places them where the
 *   kernel did all the same (its SG continuation starts where the hint
 *   would); only their unmap waits for the last one (below).
 *
 * Separate large maps, split by their first clear (multi-TCE)
 *   Two large allocations on one CPU end to end (the large pool's hint stays
 *   at an allocation's end) look like one map_sg. A closed group with an
 *   element of more than 15 TCEs after one of more than 15 is held: its map
 *   op (and everything queued behind it) waits for its first clear. If that
 *   clear covers exactly its elements before such a boundary, or exactly
 *   those from one, those were a map of their own: the group is split there
 *   (split_at: a new handle and map op right after the first part's, the
 *   queued DMAs in the second part moved to it, offsets rebased; held_splits),
 *   and each part is held again while it has such a boundary. Anything else,
 *   the end of the log, or QPEND_MAX ops waiting behind it (forced) write it
 *   whole. Without this the replay unmapped two nvme commands with one
 *   H_STUFF_TCE (nvme's max segment is 0xffffffff) where the kernel made two.
 *
 * Racing CPUs in the large pool
 *   The large pool hands out addresses upwards, so a new group in it below
 *   another CPU's group still in the queue (among the last QRACE_SCAN = 256
 *   entries) was allocated before it, though logged after: its map op moves
 *   before that one, with its time (reordered).
 *
 * Unmaps
 *   A clear (H_STUFF_TCE, or a put or indirect without permission) takes its
 *   TCEs from the mappings that hold them. A mapping is unmapped, `unmap DEV
 *   H cpu=C` with the CPU of that line, once all its TCEs are cleared:
 *   ppc_iommu_unmap_sg frees per merged segment (contiguous elements, up to
 *   max_seg_size; one H_STUFF_TCE per 512 TCEs), so a group goes in one or
 *   a few clears in a row. Until then it stays mapped whole (a stuff that
 *   left part of it counts as partial); clearing TCEs no live mapping holds
 *   (the boot clears) writes nothing. The TCEs cleared while their mapping
 *   stayed live are its ghosts: if a later map sets one again, the kernel had
 *   freed it, so the mapping was two (a group that took in another
 *   allocation, e.g. ddw-off's 64K dma_alloc_coherent page from nvme's
 *   dma_pool growth between two 512K commands, never freed). It is then split
 *   just before that map: `unmap DEV H`, and each run of TCEs it still holds
 *   is mapped again (`map` or `map_sg` of the parts of its elements in the
 *   run, bus= the run's start, its CPU and direction, a new handle); that map
 *   does not continue the open group of its CPU. Without the split the replay
 *   keeps the freed TCEs allocated forever. A mapping still partly cleared at
 *   the end is reported once in total.
 *
 * Output order
 *   Ops are written in the order of the lines that made them, a group's
 *   map op where its first hypercall was: ops made while a group is open
 *   wait in a queue behind it and are written when it closes (the replay's
 *   allocator must see the maps of one window in the kernel's order, and
 *   time stamps never decrease). At most QPEND_MAX (65536) ops wait: past
 *   that the oldest open group is closed (forced; none in the shared logs,
 *   where at most 16384 ops waited).
 *
 * Time: with_time stamps every op with the time of its line in ps since the
 * first line, (us - us_first) * 10^6, never decreasing (QEMU's do not
 * decrease anyway), saturated below OP_NO_TIME.
 *
 * Errors: a line that is not `TID@SEC.USEC:EVENT ...` (SEC.USEC with 6 digits
 * of usec, as QEMU prints them), or a lifted event whose arguments do not
 * parse or contradict QEMU's own checks, stops the import with
 * "FILE:LINE: <event>: expected ..., got '...'". Blank lines are allowed.
 * A lifted line longer than 4096 bytes is an error; longer lines of other
 * events are skipped. Numbers are read by num.c: 64-bit, hex after the
 * format's "0x" (leading zeros allowed), decimal otherwise with no leading 0
 * (but TID@SEC.USEC may have them), and no sign but on ret and npages,
 * which are signed; a number breaking a rule has the rule in the message.
 *
 * Data layout and cost
 *
 *   pages: u64map (device, window, TCE index) -> mapping id   one key per live TCE
 *          key = dev << 53 | window << 52 | index   (index < 2^52: TCEs are >= 4 KiB)
 *   maps:  idpool of struct qmap, ids from 1 (0: none), freed ids reused first
 *   elems: per id, the element arrays of a group of 2 or more, kept when the
 *          id is freed for its next group
 *   win:   [256][2] struct qwin, each with a list of its live mappings
 *   tids:  u64map thread id -> CPU
 *   opened: u64map cpu << 8 | device -> its open group
 *   ghosts: u64map (device, window, TCE index) -> the live mapping a clear
 *          took that TCE from
 *   pend:  ring of the ops waiting behind the oldest open group
 *
 * A put, indirect or xlate costs O(TCEs it names) hash operations (a map one
 * more per TCE while some mapping has ghosts); a stuff O(npages) (the boot
 * clears: 262144 lookups per PHB), or, above 2^20 pages, O(live mappings of
 * the window); its unmaps come in bus order, or newest first in that second
 * case. A split costs O(TCEs of the mapping); a queued op O(1). Memory is
 * flat in the log length except for the live mappings, the distinct vCPU
 * threads and the queue (at most QPEND_MAX ops): the line buffer, the pool,
 * the element arrays, the queue and the hashes are reused, so the steady
 * state allocates nothing. Running out of memory, or more than 2^31 live
 * mappings, stops the program through xalloc.c's one fatal exit, which
 * unlinks the output's temporary file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/alloc.h"
#include "ddwsim/err.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/idpool.h"
#include "ddwsim/infile.h"
#include "ddwsim/import.h"
#include "ddwsim/num.h"
#include "ddwsim/tce.h"
#include "ddwsim/trace.h"
#include "ddwsim/workload.h"
#include "ddwsim/xalloc.h"

#define QLINE_MAX	4096		/* longest lifted line, without its newline (QEMU's: < 200) */
#define QDEV_MAX	256		/* devices: (liobn >> 8) & 0xff */
#define QWIN_MAX	2		/* windows per PE (SPAPR_PCI_DMA_MAX_WINDOWS) */
#define QF_MAX		6		/* most arguments of a lifted event */
#define QSCAN_MAX	(1ull << 20)	/* a clear of more TCEs walks the window's mappings */
#define QINDIRECT_MAX	512		/* TCEs per H_PUT_TCE_INDIRECT (h_put_tce_indirect) */
#define QQUOTE_MAX	64		/* most bytes of input quoted in a message */
#define QPEND_MAX	65536		/* most ops waiting behind an open group */
#define LIOBN_PCI	0x80000000ull	/* SPAPR_IS_PCI_LIOBN */
#define LIOBN_HIGH	0x7fff0000ull	/* set in no LIOBN of a PHB index below 256 */
#define PCI_BASE_BUID	0x800000020000000ull	/* SPAPR_PCI_BASE_BUID: PHB i is base + i */
#define DEF_SHIFT	12		/* default window TCE size (SPAPR_TCE_PAGE_SHIFT) */
#define PAGE_SHIFT_MAX	48		/* largest DDW TCE accepted (QEMU offers up to 16G = 2^34) */
#define PS_PER_US	1000000ull
#define QPOOL_MIN_BYTES	(1ull << 30)	/* iommu_init_table: 4 pools from a 1 GiB table on */
#define QMERGE_MAX	(1ull << 16)	/* most TCEs per-TCE puts are merged into (one element) */
#define QLARGE_TCES	15		/* iommu_range_alloc: a larger allocation is "large" */
#define QRACE_SCAN	256		/* queue entries a new large map looks back over */
#define US_PER_S	1000000ull

/* --- state --- */

struct qimp;
typedef int (*lift_fn)(struct qimp *q, const uint64_t *v);

enum qnum {
	N_HEX,			/* after "0x" in the literal: 1..16 hex digits */
	N_DEC,			/* signed decimal, 64-bit (PRId64) */
	N_UDEC,			/* unsigned decimal, 64-bit */
};

struct qfield {
	const char *lit;	/* text before the number, separators included */
	enum qnum kind;
};

/* One event the importer knows; the table is below the lifting functions. */
struct qevent {
	const char *name;
	bool vcpu;		/* logged on a vCPU thread: numbers the CPUs */
	lift_fn lift;		/* NULL: the line is ignored, unparsed */
	unsigned nf;		/* arguments */
	struct qfield f[QF_MAX];
};

/*
 * One live mapping: the TCEs one dma_map_sg (or map_page) call set, with one
 * hypercall per element: elements back to back from TCE first (a group).
 * A record of q->maps; from 2 elements on, they are in q->elems[id - 1].
 */
struct qmap {
	uint64_t handle;	/* the op stream's name for it */
	uint64_t first;		/* index of its first TCE in the window */
	uint64_t npages;	/* TCEs, all elements */
	uint64_t live;		/* of them, still held (present in the page hash) */
	uint64_t ghosts;	/* of them, cleared while it stayed live (in q->ghosts) */
	struct sg_elem sg0;	/* the first element (phys, len) */
	uint32_t nsg;		/* elements */
	uint32_t prev, next;	/* the window's live mappings (ids, 0 ends) */
	unsigned cpu;		/* the CPU whose hypercalls made it */
	unsigned thr;		/* its vCPU thread (index in q->thr_tab) */
	uint8_t dev;		/* device */
	uint8_t win;		/* window number */
	uint8_t dir;		/* enum dma_dir of the map */
	bool open;		/* its map_sg may still take elements (in q->opened) */
	bool held;		/* closed, but its map op waits for its first clear (splits) */
	bool pending;		/* its map op waits in the output queue */
	bool dead;		/* unmapped while pending: freed once the map op is written */
};

/*
 * The elements of a group of 2 or more, kept by its id when the id is freed:
 * the id's next groups reuse the arrays (a pool record comes back zeroed).
 */
struct qelems {
	struct sg_elem *sg;	/* each element (phys, len) */
	uint32_t *pgoff;	/* each one's first TCE, counted from the group's first */
	uint32_t cap;		/* elements allocated, at most TRACE_SG_MAX */
};

/* An op waiting in the output queue: a finished op, or the map op of group id. */
struct qpend {
	struct dma_op op;	/* id: every field but the element(s), filled in when written */
	uint32_t id;		/* 0, or the group whose map op this is */
};

struct qwin {
	uint64_t start;		/* bus address of TCE 0 */
	uint64_t npages;	/* TCEs; 0 = not known (a default window) */
	unsigned shift;		/* TCE page shift */
	bool exists;		/* default window, or created and not removed */
	bool ddw;		/* made by spapr_iommu_ddw_create */
	bool linux_owned;	/* default window: the kernel's first clear was seen */
	bool cleared;		/* DDW: an H_STUFF_TCE was seen, so it is mapped per I/O */
	bool used;		/* the kernel mapped in it (its boot clear is over) */
	uint64_t boot_clear;	/* default window: TCEs the kernel cleared before using it */
	uint64_t boot_end;	/* and the end of that clear: the window's TCEs (it_size) */
	uint32_t head;		/* first live mapping (id), 0 = none */
	uint64_t live;		/* live mappings in that list */
};

enum qwarn { W_OVERWRITE, W_NOWIN, W_WINNUM, W_VALUE, W_DROP, W_MOVED, W_AMBIG, NWARN };

/* One vCPU thread: the allocator pool its CPU hashes to, and the CPU ddwsim gives it. */
struct qthread {
	int pool;		/* pool of the window its small maps fall in; -1 unknown */
	unsigned cpu;		/* cpu= of its ops */
	bool has_cpu;		/* cpu given (a provisional one while pool is -1) */
};

struct qscan;

struct qimp {
	const char *path;	/* the log's name in messages */
	struct infile in;	/* the open log: in.fp, in.name */
	FILE *fp;		/* in.fp */
	char line[QLINE_MAX + 2];	/* the line being lifted, NUL-terminated */
	bool longline;		/* it was cut at QLINE_MAX bytes */
	uint64_t lineno;	/* its number, from 1 */
	const char *ev;		/* its event's name */
	struct trace_writer *w;
	bool with_time;
	bool t0_set;
	uint64_t t0_us;		/* time of the first line, us */
	uint64_t now_ps;	/* time of this line, ps since the first */
	unsigned thr;		/* vCPU thread of the last vCPU line (index in thr_tab) */
	struct qthread *thr_tab;	/* per vCPU thread, in order of first appearance */
	unsigned nthr, capthr;
	bool per_tce;		/* the kernel clears with H_PUT_TCE: multi-TCE is off */
	bool declared[QDEV_MAX];	/* its device op was written */
	unsigned dev, wn;	/* device and window the line names (set by slot_of) */
	uint64_t handles;	/* last handle given */
	unsigned warned;	/* 1 << enum qwarn: already reported */
	struct u64map tids;	/* vCPU thread id -> CPU */
	struct u64map pages;	/* page_key -> the live mapping holding that TCE */
	struct u64map opened;	/* (cpu << 8 | device) -> its open group */
	struct u64map ghosts;	/* page_key -> the live mapping a clear took that TCE from */
	uint64_t *runs;		/* map_split's scratch: [start, end) pairs, capruns pairs */
	size_t capruns;
	struct qpend *pend;	/* output queue, a ring of pcap (a power of two) */
	size_t pcap, phead, plen;
	struct idpool maps;	/* struct qmap, ids from 1 (0: none) */
	struct qscan *scan;	/* clear_range's list of overlapping mappings */
	size_t nscan;
	struct qelems *elems;	/* per id (index id - 1), nelems of them */
	uint32_t nelems;
	struct import_stats st;
	struct qwin win[QDEV_MAX][QWIN_MAX];
};

/* --- messages --- */

/* Reports "FILE:LINE: message" at q's line and returns -1. */
#define bad(q, ...)	ddw_error_line((q)->path, (q)->lineno, __VA_ARGS__)
/* The first warning of kind k at q's line, "(reported once)". */
#define warn_once(q, k, ...) \
	ddw_warn_once_line(&(q)->warned, (k), (q)->path, (q)->lineno, __VA_ARGS__)

static int ignore(struct qimp *q)
{
	q->st.ignored++;
	return 0;
}

/* --- the hashes: u64map values here are mapping ids (never 0) or CPUs --- */

/* The id key maps to, or 0 if it is absent. */
static uint32_t id_at(const struct u64map *m, uint64_t key)
{
	uint64_t v;

	return u64map_get(m, key, &v) ? (uint32_t)v : 0;
}

/* --- the log, line by line --- */

static int qimp_open(struct qimp *q, const char *in)
{
	if (infile_open(&q->in, in, INFILE_STREAM | INFILE_BIG_BUFFER, "trace") < 0)
		return ddw_error("%s", q->in.why);	/* "-" is standard input */
	q->path = q->in.name;
	q->fp = q->in.fp;
	return 0;
}

/* The next line into q->line, without its newline and trailing blanks; 1, 0 at the end, -1. */
static int read_line(struct qimp *q)
{
	size_t n;
	int c;

	if (!fgets(q->line, sizeof(q->line), q->fp)) {
		if (ferror(q->fp))
			return ddw_error("cannot read trace '%s': %s", q->path, strerror(errno));
		return 0;
	}
	q->lineno++;
	n = strlen(q->line);
	q->longline = false;
	if (n && q->line[n - 1] == '\n') {
		n--;
	} else if (n == QLINE_MAX + 1) {
		q->longline = true;
		n = QLINE_MAX;
		while ((c = getc(q->fp)) != EOF && c != '\n')
			;
		if (ferror(q->fp))
			return ddw_error("cannot read trace '%s': %s", q->path, strerror(errno));
	}
	while (n && (q->line[n - 1] == '\r' || q->line[n - 1] == ' ' || q->line[n - 1] == '\t'))
		n--;
	q->line[n] = '\0';
	return 1;
}

/*
 * The argument of kind k at *s, up to a separator (' ', ',') or the end,
 * read by num.c; *s moves past it. Returns 0 or an enum num_err.
 */
static int scan_num(const char **s, enum qnum k, uint64_t *v)
{
	static const unsigned flags[] = {
		[N_HEX] = NUM_HEX, [N_DEC] = NUM_DEC | NUM_NEG, [N_UDEC] = NUM_DEC,
	};
	size_t n = strcspn(*s, " ,");
	int rc = num_parse(*s, n, flags[k], v);

	*s += n;
	return rc;
}

/* Length of the input to quote: as many space-separated words as the key has, no final comma. */
static size_t quote_len(const char *s, unsigned words)
{
	size_t n = 0;

	for (;;) {
		n += strcspn(s + n, " ");
		if (--words == 0 || !s[n])
			break;
		n++;
	}
	if (n && s[n - 1] == ',')
		n--;
	return n > QQUOTE_MAX ? QQUOTE_MAX : n;
}

/*
 * "EVENT: expected KEY=0xHEX, got '...'" for field f, the input at s; then
 * the rule of num.h the number broke, if rc (enum num_err) names one.
 */
static int field_error(struct qimp *q, const struct qfield *f, const char *s, int rc)
{
	const char *key = f->lit + strspn(f->lit, " ,");
	unsigned words = 1;

	size_t n;

	for (const char *p = key; *p; p++)
		words += *p == ' ';
	s += strspn(s, " ,");
	n = quote_len(s, words);
	if (f->lit[0] == ',')		/* ", page size=0x...": up to the next comma */
		n = strcspn(s, ",") < QQUOTE_MAX ? strcspn(s, ",") : QQUOTE_MAX;
	return bad(q, "%s: expected %s%s, got '%.*s'%s", q->ev, key, f->kind == N_HEX ? "HEX" : "DEC",
		   (int)n, s, num_why_tail(rc));
}

/* Parses the arguments of e at s into v; 0 or -1 reported. */
static int parse_args(struct qimp *q, const struct qevent *e, const char *s, uint64_t *v)
{
	for (unsigned i = 0; i < e->nf; i++) {
		const struct qfield *f = &e->f[i];
		size_t n = strlen(f->lit);
		const char *at = s;
		int rc;

		if (strncmp(s, f->lit, n))
			return field_error(q, f, at, NUM_ESYNTAX);
		s += n;
		if ((rc = scan_num(&s, f->kind, &v[i])) < 0)
			return field_error(q, f, at, rc);
	}
	if (*s) {
		s += strspn(s, " ,");
		return bad(q, "%s: expected end of line, got '%.*s'", q->ev,
			   (int)quote_len(s, 1), s);
	}
	return 0;
}

/* The line's head: thread id, time, event name (NUL-terminated in place), arguments. */
struct qhead {
	uint64_t tid;
	uint64_t us;		/* sec * 10^6 + usec */
	const char *name;
	const char *args;
};

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * Parses "TID@SEC.USEC:NAME[ ARGS]"; false if the line is not a trace event.
 * The numbers are decimal, leading zeros allowed (QEMU pads USEC to 6 digits).
 */
static bool parse_head(char *s, struct qhead *h)
{
	const unsigned dec = NUM_DEC | NUM_ZEROS;
	size_t nt = strcspn(s, "@"), ns, nu;
	uint64_t sec, usec;
	const char *p;
	char *name;

	if (!s[nt] || num_parse(s, nt, dec, &h->tid) < 0)
		return false;
	p = s + nt + 1;
	ns = strcspn(p, ".");
	if (!p[ns] || num_parse(p, ns, dec, &sec) < 0)
		return false;
	p += ns + 1;
	nu = strcspn(p, ":");
	if (nu != 6 || !p[nu] || num_parse(p, nu, dec, &usec) < 0)
		return false;
	name = (char *)p + nu + 1;
	if (sec > (UINT64_MAX - usec) / US_PER_S)
		return false;
	h->us = sec * US_PER_S + usec;
	for (p = name; is_name_char(*p); p++)
		;
	if (p == name || (*p && *p != ' '))
		return false;
	h->name = name;
	h->args = *p ? p + 1 : p;
	name[p - name] = '\0';
	return true;
}

/* --- vCPU threads, CPUs and allocator pools --- */

/*
 * The drivers of the capture scripts' devices, by PHB (= device) index
 * (shared/data/qemu/scripts/run-capture.sh), with the DMA parameters each
 * sets in Linux 6.1:
 *   nvme        nvme_pci_enable: dma_set_mask_and_coherent(DMA_BIT_MASK(64));
 *               nvme_reset_work: dma_set_max_seg_size(0xffffffff)
 *   virtio-*    vp_modern_probe: dma_set_mask_and_coherent(DMA_BIT_MASK(64));
 *               max_seg_size left at the PCI default
 *   e1000       e1000_probe: DMA_BIT_MASK(64) only on PCI-X, the 82540EM is
 *               plain PCI: DMA_BIT_MASK(32); max_seg_size the PCI default
 *   all         pci_device_add: dma_set_max_seg_size(65536),
 *               dma_set_seg_boundary(0xffffffff), unless the driver changes it
 */
static const struct qdriver {
	uint64_t mask, max_seg, seg_boundary;
} qdrivers[] = {
	[0] = { UINT64_MAX, 0xffffffffull, 0xffffffffull },	/* nvme */
	[1] = { UINT64_MAX, 65536, 0xffffffffull },		/* virtio-blk */
	[2] = { UINT64_MAX, 65536, 0xffffffffull },		/* virtio-net */
	[3] = { 0xffffffffull, 65536, 0xffffffffull },		/* e1000 (82540EM) */
};

#define NQDRIVERS	(sizeof(qdrivers) / sizeof(qdrivers[0]))

/* The index of vCPU thread tid, numbered in order of first appearance. */
static unsigned thread_of(struct qimp *q, uint64_t tid)
{
	bool added;
	uint64_t *t = u64map_ref(&q->tids, tid, &added);

	if (added) {
		if (q->nthr == q->capthr) {
			q->capthr = q->capthr ? 2 * q->capthr : 8;
			q->thr_tab = xrealloc(q->thr_tab, st_mul(q->capthr, sizeof(*q->thr_tab)));
		}
		q->thr_tab[q->nthr] = (struct qthread){ .pool = -1 };
		*t = q->nthr++;
	}
	return (unsigned)*t;
}

static int pool_of_cpu(unsigned cpu)
{
	return (int)(tce_alloc_pool_hash(cpu) & (IOMMU_NR_POOLS - 1));
}

/* Whether a thread has CPU cpu already. */
static bool cpu_taken(const struct qimp *q, unsigned cpu)
{
	for (unsigned i = 0; i < q->nthr; i++)
		if (q->thr_tab[i].has_cpu && q->thr_tab[i].cpu == cpu)
			return true;
	return false;
}

/* The lowest CPU no thread has, whose pool is pool (any CPU for pool -1). */
static unsigned free_cpu(const struct qimp *q, int pool)
{
	unsigned c = 0;

	while (cpu_taken(q, c) || (pool >= 0 && pool_of_cpu(c) != pool))
		c++;
	return c;
}

/* cpu= for the line's vCPU thread: its pool's, or a provisional one until that is known. */
static unsigned line_cpu(struct qimp *q)
{
	struct qthread *t;

	if (!q->nthr)
		return 0;
	t = &q->thr_tab[q->thr];
	if (!t->has_cpu) {	/* provisional: its number, as long as it is free */
		t->cpu = cpu_taken(q, q->thr) ? free_cpu(q, -1) : q->thr;
		t->has_cpu = true;
	}
	return t->cpu;
}

/*
 * A new map (not an SG continuation) at TCE first of w by the line's thread:
 * if it lies in one of the 4 small pools, that is the pool of the thread's
 * CPU (iommu_range_alloc: pool = iommu_pool_hash of the CPU, pass 0 and 1
 * stay in it), and the thread gets a CPU that ddwsim's allocator puts in
 * that pool. A map in the large pool says nothing. A later small map in
 * another pool (the thread's was full, or it ran on another CPU) is counted.
 */
static void learn_pool(struct qimp *q, const struct qwin *w, uint64_t first)
{
	uint64_t size = w->ddw ? w->npages : w->boot_end, poolsize;
	struct qthread *t;
	int pool;

	if (!q->nthr || !size || size > (UINT64_MAX >> w->shift) ||
	    (size << w->shift) < QPOOL_MIN_BYTES)
		return;
	poolsize = size * 3 / 4 / IOMMU_NR_POOLS;
	if (!poolsize || first >= poolsize * IOMMU_NR_POOLS)
		return;
	pool = (int)(first / poolsize);
	t = &q->thr_tab[q->thr];
	if (t->pool == pool)
		return;
	if (t->pool >= 0) {
		q->st.pool_moves++;
		warn_once(q, W_MOVED, "vCPU thread %u maps in pool %d, not its pool %d; counted"
			  " in pool_moves", q->thr, pool, t->pool);
		return;
	}
	t->pool = pool;
	q->st.pools_known++;
	if (t->has_cpu && pool_of_cpu(t->cpu) == pool)
		return;
	q->st.pool_late += t->has_cpu;
	t->has_cpu = false;
	t->cpu = free_cpu(q, pool);
	t->has_cpu = true;
}

/* --- ops, written in the order the kernel made them --- */

static void split_all(struct qimp *q, uint32_t id);
static uint32_t candidate(struct qimp *q, uint32_t id, uint32_t from);
static bool ambiguous(struct qimp *q, uint32_t id);
static void keep_tail(struct qimp *q, uint32_t id, uint64_t page);

static struct dma_op op_for(struct qimp *q, enum op_kind kind, unsigned dev)
{
	return (struct dma_op){
		.kind = kind, .dev = dev, .rec_bus = OP_NO_BUS,
		.time_ps = q->with_time ? q->now_ps : OP_NO_TIME,
	};
}

static struct qmap *map_of(struct qimp *q, uint32_t id)
{
	return idpool_at(&q->maps, id);
}

/* The element arrays of mapping id (used from its 2nd element on). */
static struct qelems *elems_of(struct qimp *q, uint32_t id)
{
	return &q->elems[id - 1];
}

/* Frees record id; its element arrays stay with the id for reuse. */
static void map_free(struct qimp *q, uint32_t id)
{
	idpool_put(&q->maps, id);
}

/* Writes op to the trace and counts it. */
static int write_op(struct qimp *q, const struct dma_op *op)
{
	if (trace_write(q->w, op) < 0)
		return -1;
	switch (op->kind) {
	case OP_MAP:
		q->st.maps++;
		break;
	case OP_MAP_SG:
		q->st.maps++;
		q->st.map_sgs++;
		q->st.sg_elements += op->nsg;
		break;
	case OP_UNMAP:
		q->st.unmaps++;
		break;
	case OP_DMA:
		q->st.dmas++;
		break;
	case OP_DMA_BUS:
		q->st.dmabs++;
		break;
	case OP_DEVICE:
		break;		/* counted when made (declare) */
	default:
		q->st.windows++;
		break;
	}
	return 0;
}

/* The op of a closed group (entry e): `map` for one element, else `map_sg`. */
static struct dma_op group_op(struct qimp *q, const struct qpend *e)
{
	const struct qmap *m = map_of(q, e->id);
	struct dma_op op = e->op;

	if (m->nsg == 1) {
		op.addr = m->sg0.phys;
		op.len = m->sg0.len;
	} else {
		op.kind = OP_MAP_SG;
		op.nsg = m->nsg;
		op.sg = elems_of(q, e->id)->sg;
	}
	return op;
}

/* Writes the waiting ops, oldest first, up to the first group still open. */
static int flush(struct qimp *q)
{
	while (q->plen) {
		const struct qpend *e = &q->pend[q->phead];
		struct dma_op op = e->op;
		uint32_t id = e->id;

		if (id) {
			if (map_of(q, id)->open || map_of(q, id)->held)
				return 0;
			op = group_op(q, e);
		}
		if (write_op(q, &op) < 0)
			return -1;
		if (id) {
			map_of(q, id)->pending = false;
			if (map_of(q, id)->dead)
				map_free(q, id);
		}
		q->phead = (q->phead + 1) & (q->pcap - 1);
		q->plen--;
	}
	return 0;
}

/* A new entry at the end of the queue (doubling it when full). */
static struct qpend *pend_push(struct qimp *q)
{
	if (q->plen == q->pcap) {
		size_t cap = q->pcap ? 2 * q->pcap : 256;
		struct qpend *p = xmalloc(st_mul(cap, sizeof(*p)));

		for (size_t i = 0; i < q->plen; i++)
			p[i] = q->pend[(q->phead + i) & (q->pcap - 1)];
		free(q->pend);
		q->pend = p;
		q->pcap = cap;
		q->phead = 0;
	}
	q->plen++;
	return &q->pend[(q->phead + q->plen - 1) & (q->pcap - 1)];
}

static uint64_t open_key(unsigned dev, unsigned cpu)
{
	return (uint64_t)cpu << 8 | dev;
}

/* Closes group id if it is open: it takes no more elements, and its op can be written. */
static int group_close(struct qimp *q, uint32_t id)
{
	struct qmap *m = map_of(q, id);

	if (!m->open)
		return 0;
	m->open = false;
	u64map_del_if(&q->opened, open_key(m->dev, m->thr), id);
	if (q->per_tce)
		split_all(q, id);
	else
		m->held = candidate(q, id, 0) != 0;
	m = map_of(q, id);
	if (q->per_tce && ambiguous(q, id)) {
		q->st.ambiguous++;
		warn_once(q, W_AMBIG, "device %u: map 0x%" PRIx64 " (%u runs of per-TCE puts back to"
			  " back) may be one dma_map_sg or several maps; counted in ambiguous",
			  (unsigned)m->dev, m->handle, m->nsg);
	}
	return flush(q);
}

/* Keeps the queue below QPEND_MAX: closes the oldest open group (the first entry). */
static int pend_limit(struct qimp *q)
{
	uint32_t id;

	if (q->plen < QPEND_MAX)
		return 0;
	q->st.forced++;
	id = q->pend[q->phead].id;
	if (id && map_of(q, id)->held) {
		map_of(q, id)->held = false;
		return flush(q);
	}
	return group_close(q, id);
}

/* Writes op now, or queues it behind the open group that came first. */
static int emit(struct qimp *q, const struct dma_op *op)
{
	struct qpend *e;

	if (!q->plen)
		return write_op(q, op);
	e = pend_push(q);
	e->op = *op;
	e->id = 0;
	return pend_limit(q);
}

/*
 * The device op of the line's device, before its first other op: its
 * driver's DMA parameters (qdrivers, by PHB index; none for another PHB) and
 * its default window's boot clear, which is over by then (the kernel clears
 * each table in iommu_init_table, before any driver maps).
 */
static int declare(struct qimp *q)
{
	const struct qwin *w0 = &q->win[q->dev][0];
	struct dma_op op;

	if (q->declared[q->dev])
		return 0;
	q->declared[q->dev] = true;
	op = op_for(q, OP_DEVICE, q->dev);
	if (q->dev < NQDRIVERS) {
		op.addr = qdrivers[q->dev].mask;
		op.len = qdrivers[q->dev].max_seg;
		op.handle = qdrivers[q->dev].seg_boundary;
	}
	op.clear = w0->boot_clear < UINT32_MAX ? w0->boot_clear : UINT32_MAX;
	q->st.devices++;
	q->st.boot_clear += op.clear;
	return emit(q, &op);
}

/* --- live mappings --- */

static uint64_t page_key(unsigned dev, unsigned win, uint64_t page)
{
	return (uint64_t)dev << 53 | (uint64_t)win << 52 | page;
}

/* Makes q->elems cover id: per-id arrays, new entries empty. */
static void elems_cover(struct qimp *q, uint32_t id)
{
	uint32_t n = q->nelems ? q->nelems : 1024;

	if (id <= q->nelems)
		return;
	while (n < id)
		n *= 2;
	q->elems = xrealloc(q->elems, st_mul(n, sizeof(*q->elems)));
	memset(&q->elems[q->nelems], 0, (n - q->nelems) * sizeof(*q->elems));
	q->nelems = n;
}

/* A new mapping (id), all zero, linked first in w's list. */
static uint32_t map_new(struct qimp *q, struct qwin *w)
{
	uint32_t id = idpool_get(&q->maps);

	elems_cover(q, id);
	map_of(q, id)->next = w->head;
	if (w->head)
		map_of(q, w->head)->prev = id;
	w->head = id;
	w->live++;
	return id;
}

/* Room for one more element in x, which holds cap elements now. */
static void elems_grow(struct qelems *x)
{
	x->cap = x->cap ? 2 * x->cap : 16;
	if (x->cap > TRACE_SG_MAX)
		x->cap = TRACE_SG_MAX;
	x->sg = xrealloc(x->sg, st_mul(x->cap, sizeof(*x->sg)));
	x->pgoff = xrealloc(x->pgoff, st_mul(x->cap, sizeof(*x->pgoff)));
}

/* Appends an element of n TCEs (len bytes at phys) to group id, right after its last TCE. */
static void group_add(struct qimp *q, uint32_t id, uint64_t phys, uint64_t len, uint64_t n)
{
	struct qmap *m = map_of(q, id);
	struct qelems *x = elems_of(q, id);

	if (!m->nsg) {
		m->sg0 = (struct sg_elem){ .phys = phys, .len = len };
		m->nsg = 1;
		m->npages = m->live = n;
		return;
	}
	if (m->nsg >= x->cap)
		elems_grow(x);
	if (m->nsg == 1) {
		x->sg[0] = m->sg0;
		x->pgoff[0] = 0;
	}
	x->sg[m->nsg] = (struct sg_elem){ .phys = phys, .len = len };
	x->pgoff[m->nsg] = (uint32_t)m->npages;	/* < 4096 * 512 TCEs */
	m->nsg++;
	m->npages += n;
	m->live += n;
}

/* The last element of group id. */
static struct sg_elem *last_elem(struct qimp *q, uint32_t id)
{
	struct qmap *m = map_of(q, id);

	return m->nsg == 1 ? &m->sg0 : &elems_of(q, id)->sg[m->nsg - 1];
}

/*
 * Multi-TCE off: whether a put of the TCE right after group id's last, at
 * real address phys, continues its last element. tce_build_pSeriesLP sets
 * one element's npages TCEs with one H_PUT_TCE each, on physically
 * consecutive pages; a new element (a scatterlist entry the block layer did
 * not merge with the previous one) starts elsewhere in memory.
 */
static bool extends(struct qimp *q, uint32_t id, uint64_t phys, unsigned shift)
{
	const struct sg_elem *e = last_elem(q, id);

	return e->phys + e->len == phys && (e->len >> shift) < QMERGE_MAX;
}

/* Grows group id's last element by n TCEs (len bytes): a per-TCE put of the same buffer. */
static void group_extend(struct qimp *q, uint32_t id, uint64_t len, uint64_t n)
{
	struct qmap *m = map_of(q, id);

	last_elem(q, id)->len += len;
	m->npages += n;
	m->live += n;
	q->st.merged++;
}

/* TCEs of element i of mapping id. */
static uint64_t elem_pages(struct qimp *q, uint32_t id, uint32_t i)
{
	const struct qmap *m = map_of(q, id);
	const struct sg_elem *e = m->nsg == 1 ? &m->sg0 : &elems_of(q, id)->sg[i];

	return e->len >> q->win[m->dev][m->win].shift;
}

/*
 * The first element k >= from (k >= 1) of group id where a separate map may
 * start, or 0: elements k - 1 and k are both large allocations (more than 15
 * TCEs). A large allocation leaves its pool's hint at its end, unrounded, so
 * the next large map lands right after it, exactly where an SG continuation
 * would (iommu_range_alloc); after a small one the hint is rounded up to 16
 * TCEs, and a small element after a large one would be in a small pool.
 */
static uint32_t candidate(struct qimp *q, uint32_t id, uint32_t from)
{
	const struct qmap *m = map_of(q, id);

	for (uint32_t k = from ? from : 1; k < m->nsg; k++)
		if (elem_pages(q, id, k - 1) > QLARGE_TCES && elem_pages(q, id, k) > QLARGE_TCES)
			return k;
	return 0;
}

/* The queue position (from the head) of group id's map op; plen if none. */
static size_t pend_pos(const struct qimp *q, uint32_t id)
{
	size_t i;

	for (i = 0; i < q->plen; i++)
		if (q->pend[(q->phead + i) & (q->pcap - 1)].id == id)
			break;
	return i;
}

/* A new queue entry right after position pos, the ones behind moved back. */
static struct qpend *pend_insert(struct qimp *q, size_t pos)
{
	size_t mask;

	pend_push(q);
	mask = q->pcap - 1;
	for (size_t i = q->plen - 1; i > pos + 1; i--)
		q->pend[(q->phead + i) & mask] = q->pend[(q->phead + i - 1) & mask];
	return &q->pend[(q->phead + pos + 1) & mask];
}

/*
 * Splits group id (pending, nothing cleared) before its element k: elements
 * k.. become a new group (returned) with a new handle, its map op queued
 * right after id's; the queued DMAs in them move to it.
 */
static uint32_t split_at(struct qimp *q, uint32_t id, uint32_t k)
{
	struct qwin *w = &q->win[map_of(q, id)->dev][map_of(q, id)->win];
	uint32_t nid = map_new(q, w);
	struct qmap *m = map_of(q, id), *n = map_of(q, nid);
	struct qelems *x = elems_of(q, id);
	uint64_t off = x->pgoff[k], boff = off << w->shift;
	size_t pos = pend_pos(q, id);
	struct qpend *e;

	*n = (struct qmap){ .handle = ++q->handles, .first = m->first + off, .cpu = m->cpu,
			    .thr = m->thr, .dev = m->dev, .win = m->win, .dir = m->dir,
			    .pending = true, .prev = n->prev, .next = n->next };
	for (uint32_t i = k; i < m->nsg; i++)
		group_add(q, nid, x->sg[i].phys, x->sg[i].len, x->sg[i].len >> w->shift);
	for (uint64_t p = n->first; p < n->first + n->npages; p++)
		u64map_put(&q->pages, page_key(m->dev, m->win, p), nid);
	m->nsg = k;
	m->npages = m->live = off;
	if (k == 1)
		m->sg0 = x->sg[0];
	for (size_t i = pos + 1; i < q->plen; i++) {
		struct dma_op *op = &q->pend[(q->phead + i) & (q->pcap - 1)].op;

		if (op->kind == OP_DMA && op->dev == m->dev && op->handle == m->handle &&
		    op->addr >= boff) {
			op->handle = n->handle;
			op->addr -= boff;
		}
	}
	e = pend_insert(q, pos);
	e->id = nid;
	e->op = q->pend[(q->phead + pos) & (q->pcap - 1)].op;
	e->op.handle = n->handle;
	e->op.rec_bus = w->start + (n->first << w->shift);
	q->st.held_splits++;
	return nid;
}

/*
 * Multi-TCE off: whether group id has a boundary where a separate small map
 * could have started as well as an SG continuation: after an element of at
 * most 15 TCEs, at a TCE index that is a multiple of 16 (the hint after a
 * small allocation is rounded up to it_blocksize = 16).
 */
static bool ambiguous(struct qimp *q, uint32_t id)
{
	const struct qmap *m = map_of(q, id);
	const struct qelems *x = elems_of(q, id);

	for (uint32_t k = 1; k < m->nsg; k++)
		if (elem_pages(q, id, k - 1) <= QLARGE_TCES && !((m->first + x->pgoff[k]) & 15))
			return true;
	return false;
}

/*
 * An xlate at TCE page of open group id: the device uses that element, so
 * the map it belongs to was submitted, and the elements the CPU mapped after
 * it that are not in that map are the start of the next one (a large
 * allocation ends that map: the last element after page's whose previous
 * element is more than 15 TCEs). They stay open, as a group of their own,
 * for the rest of that map; the rest of id closes. Without this the next
 * map's element being set TCE by TCE was cut in two. Multi-TCE off only:
 * there every boundary between large elements is split anyway (split_all);
 * with multi-TCE a hypercall is a whole element, and the held group's first
 * clear finds the boundary (cutting at the last large element here split
 * nvme's map_sgs: H_STUFF_TCE +12 % in ddw-off).
 */
static void keep_tail(struct qimp *q, uint32_t id, uint64_t page)
{
	const struct qmap *m = map_of(q, id);
	uint64_t rel = page - m->first;
	uint32_t k, j = 0, cut = 0;
	struct qmap *t;

	if (m->nsg < 2 || !m->pending || m->live != m->npages || m->ghosts)
		return;
	while (j + 1 < m->nsg && elems_of(q, id)->pgoff[j + 1] <= rel)
		j++;			/* the element holding page */
	for (k = j + 1; k < m->nsg; k++)
		if (elem_pages(q, id, k - 1) > QLARGE_TCES)
			cut = k;
	if (!cut)
		return;
	k = split_at(q, id, cut);
	t = map_of(q, k);
	t->open = true;
	u64map_put(&q->opened, open_key(t->dev, t->thr), k);
}

/* Multi-TCE off: splits group id at every candidate, from the last one back. */
static void split_all(struct qimp *q, uint32_t id)
{
	const struct qmap *m = map_of(q, id);
	uint32_t k = 0, last = 0;

	if (!m->pending || m->live != m->npages || m->ghosts)
		return;
	while ((k = candidate(q, id, k + 1)))
		last = k;
	while (last) {
		split_at(q, id, last);
		last = 0;
		for (k = 0; (k = candidate(q, id, k + 1));)
			last = k;
	}
}

/* The element starting TCE off (from group id's first) if it is a candidate, else 0. */
static uint32_t boundary_at(struct qimp *q, uint32_t id, uint64_t off)
{
	const struct qelems *x = elems_of(q, id);

	for (uint32_t k = candidate(q, id, 1); k; k = candidate(q, id, k + 1))
		if (x->pgoff[k] == off)
			return k;
	return 0;
}

/*
 * The first clear [lo, hi) of held group id decides it: the kernel freed
 * exactly its elements before (or from) a candidate, so those were a map of
 * their own, split off; anything else keeps it whole. Returns the group that
 * now holds TCE max(lo, first).
 */
static uint32_t resolve(struct qimp *q, uint32_t id, uint64_t lo, uint64_t hi)
{
	struct qmap *m = map_of(q, id);
	uint64_t end = m->first + m->npages;
	uint32_t k, nid = id;

	m->held = false;
	if (!m->pending || m->live != m->npages || m->ghosts)
		return id;
	if (lo <= m->first && hi < end && (k = boundary_at(q, id, hi - m->first))) {
		nid = split_at(q, id, k);
		map_of(q, nid)->held = candidate(q, nid, 0) != 0;
		return id;
	}
	if (lo > m->first && hi >= end && (k = boundary_at(q, id, lo - m->first))) {
		nid = split_at(q, id, k);
		map_of(q, id)->held = candidate(q, id, 0) != 0;
	}
	return nid;
}

/* TCEs from m's first to the end of the element holding TCE p (counted from m's first). */
static uint64_t elem_end(const struct qmap *m, const struct qelems *x, uint64_t p)
{
	uint32_t lo = 0, hi;

	if (m->nsg == 1)
		return m->npages;
	hi = m->nsg - 1;
	while (lo < hi) {		/* the last element starting at or before p */
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (x->pgoff[mid] <= p)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo + 1 < m->nsg ? x->pgoff[lo + 1] : m->npages;
}

/* Writes the unmap of mapping id (every page already dropped) and frees its record. */
static int map_end(struct qimp *q, uint32_t id)
{
	struct qmap *m;
	struct qwin *w;
	struct dma_op op;

	if (group_close(q, id) < 0)
		return -1;
	m = map_of(q, id);
	for (uint64_t p = m->first; m->ghosts && p < m->first + m->npages; p++)
		m->ghosts -= u64map_del_if(&q->ghosts, page_key(m->dev, m->win, p), id);
	w = &q->win[m->dev][m->win];
	op = op_for(q, OP_UNMAP, m->dev);
	op.handle = m->handle;
	op.cpu = line_cpu(q);
	if (m->prev)
		map_of(q, m->prev)->next = m->next;
	else
		w->head = m->next;
	if (m->next)
		map_of(q, m->next)->prev = m->prev;
	w->live--;
	if (m->pending)
		m->dead = true;		/* freed once its map op is written */
	else
		map_free(q, id);
	return emit(q, &op);
}

/* Drops the pages of mapping id in [lo, hi) that it still holds. */
static void map_drop(struct qimp *q, uint32_t id, uint64_t lo, uint64_t hi)
{
	struct qmap *m = map_of(q, id);
	uint64_t a = lo > m->first ? lo : m->first;
	uint64_t b = hi < m->first + m->npages ? hi : m->first + m->npages;

	for (uint64_t p = a; p < b; p++)
		if (u64map_del_if(&q->pages, page_key(m->dev, m->win, p), id))
			m->live--;
}

enum {
	CL_STUFF = 1,		/* an H_STUFF_TCE: count it if it leaves part of the mapping */
	CL_GHOST = 2,		/* a clear (not an overwrite): remember the TCEs it took */
};

/*
 * Clears the TCEs [lo, hi) of mapping id, closing it if it was an open group.
 * Unmaps it once it holds no page. Else, with CL_GHOST, the cleared TCEs
 * become its ghosts (map_split), and with CL_STUFF the clear counts as partial.
 */
static int map_clear(struct qimp *q, uint32_t id, uint64_t lo, uint64_t hi, unsigned how)
{
	struct qmap *m;
	uint64_t a, b;

	if (group_close(q, id) < 0)
		return -1;
	if (map_of(q, id)->held) {
		id = resolve(q, id, lo, hi);
		if (flush(q) < 0)
			return -1;
	}
	map_drop(q, id, lo, hi);
	m = map_of(q, id);
	if (!m->live)
		return map_end(q, id);
	q->st.partial += !!(how & CL_STUFF);
	if (!(how & CL_GHOST))
		return 0;
	a = lo > m->first ? lo : m->first;
	b = hi < m->first + m->npages ? hi : m->first + m->npages;
	for (uint64_t p = a; p < b; p++) {
		uint64_t key = page_key(m->dev, m->win, p);

		if (id_at(&q->pages, key) != id && !id_at(&q->ghosts, key)) {
			u64map_put(&q->ghosts, key, id);
			m->ghosts++;
		}
	}
	return 0;
}

/* Clears TCEs [first, first + n) of the line's window (see map_clear). */
struct qscan {
	uint64_t from;		/* the mapping's first page in the range cleared */
	uint32_t id;
};

static int scan_cmp(const void *a, const void *b)
{
	const struct qscan *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/*
 * The live mappings of w overlapping [first, first + n), in the order a walk
 * of the pages meets them, in q->scan; returns how many. O(live) and one
 * sort, for a clear of more TCEs than w has live mappings.
 */
static size_t overlapping(struct qimp *q, struct qwin *w, uint64_t first, uint64_t n)
{
	size_t k = 0;

	for (uint32_t id = w->head; id; id = map_of(q, id)->next) {
		const struct qmap *m = map_of(q, id);

		if (m->first >= first + n || first >= m->first + m->npages)
			continue;
		if (k == q->nscan) {
			q->nscan = q->nscan ? st_mul(q->nscan, 2) : 64;
			q->scan = xrealloc(q->scan, st_mul(q->nscan, sizeof(*q->scan)));
		}
		q->scan[k++] = (struct qscan){ .from = m->first > first ? m->first : first, .id = id };
	}
	if (k > 1)
		qsort(q->scan, k, sizeof(*q->scan), scan_cmp);
	return k;
}

/*
 * Clears [first, first + n) of w: by its pages, or by the window's live
 * mappings when there are fewer of those than pages (a boot-time stuff of a
 * whole window costs O(live), not O(npages)).
 */
static int clear_range(struct qimp *q, struct qwin *w, uint64_t first, uint64_t n, unsigned how)
{
	uint32_t id;

	if (!w->ddw && !w->used) {	/* the boot clear (iommu_table_clear) */
		w->boot_clear += n;
		if (first + n > w->boot_end)
			w->boot_end = first + n;
	}

	if (n > QSCAN_MAX || n > w->live) {
		size_t k = overlapping(q, w, first, n);

		for (size_t i = 0; i < k; i++)
			if (map_clear(q, q->scan[i].id, first, first + n, how) < 0)
				return -1;
		return 0;
	}
	for (uint64_t p = first; p < first + n; p++) {
		id = id_at(&q->pages, page_key(q->dev, q->wn, p));
		if (id && map_clear(q, id, first, first + n, how) < 0)
			return -1;
	}
	return 0;
}

/* Unmaps every live mapping of w (a window removed, reset or created again). */
static int drop_window(struct qimp *q, struct qwin *w)
{
	if (w->head)
		warn_once(q, W_DROP, "%s drops live mappings of device %u window %u; unmapping them",
			  q->ev, map_of(q, w->head)->dev, map_of(q, w->head)->win);
	while (w->head) {
		struct qmap *m = map_of(q, w->head);

		if (map_clear(q, w->head, m->first, m->first + m->npages, 0) < 0)
			return -1;
	}
	return 0;
}

static enum dma_dir dir_of_perm(uint64_t perm)
{
	if (perm == TCE_PCI_READ)
		return DMA_DIR_TO_DEVICE;
	if (perm == TCE_PCI_WRITE)
		return DMA_DIR_FROM_DEVICE;
	return DMA_DIR_BIDIRECTIONAL;
}

/* Takes TCEs [first, first + n) from the mappings that hold them (overwritten). */
static int take_pages(struct qimp *q, uint64_t first, uint64_t n)
{
	for (uint64_t p = first; p < first + n; p++) {
		uint32_t old = id_at(&q->pages, page_key(q->dev, q->wn, p));

		if (!old)
			continue;
		warn_once(q, W_OVERWRITE, "%s sets TCE 0x%" PRIx64 " of device %u window %u, still"
			  " held by mapping 0x%" PRIx64 "; the page leaves it", q->ev, p, q->dev,
			  q->wn, map_of(q, old)->handle);
		q->st.overwritten++;
		if (map_clear(q, old, p, p + 1, 0) < 0)
			return -1;
	}
	return 0;
}

/* Queues the map op of closed mapping id (map_split's), run from TCE first of w. */
static void queue_map(struct qimp *q, const struct qwin *w, uint32_t id)
{
	const struct qmap *m = map_of(q, id);
	struct qpend *e = pend_push(q);

	e->id = id;
	e->op = op_for(q, OP_MAP, m->dev);
	e->op.handle = m->handle;
	e->op.dir = (enum dma_dir)m->dir;
	e->op.cpu = m->cpu;
	e->op.rec_bus = w->start + (m->first << w->shift);
}

/* The runs of consecutive TCEs mapping id still holds, into q->runs as [a, b); how many. */
static size_t collect_runs(struct qimp *q, uint32_t id)
{
	const struct qmap *h = map_of(q, id);
	uint64_t end = h->first + h->npages, p = h->first, a;
	unsigned dev = h->dev, wn = h->win;
	size_t nruns = 0;

	while (p < end) {
		while (p < end && id_at(&q->pages, page_key(dev, wn, p)) != id)
			p++;
		if (p == end)
			break;
		for (a = p; p < end && id_at(&q->pages, page_key(dev, wn, p)) == id; p++)
			;
		if (nruns == q->capruns) {
			q->capruns = q->capruns ? 2 * q->capruns : 16;
			q->runs = xrealloc(q->runs, st_mul(q->capruns, 3 * sizeof(*q->runs)));
		}
		q->runs[3 * nruns] = a;
		q->runs[3 * nruns + 1] = p;
		nruns++;
	}
	return nruns;
}

/*
 * A new mapping (its id) made of the parts of mapping id's elements in its
 * TCEs [a, b), which pass to it; its map op is still to be queued.
 */
static uint32_t remap_run(struct qimp *q, uint32_t id, uint64_t a, uint64_t b)
{
	unsigned dev = map_of(q, id)->dev, wn = map_of(q, id)->win;
	const struct qwin *w = &q->win[dev][wn];
	uint32_t nid = map_new(q, &q->win[dev][wn]);
	const struct qmap *h = map_of(q, id);		/* map_new may have moved the pool */
	const struct qelems *x = elems_of(q, id);	/* and the element arrays */
	struct qmap *n = map_of(q, nid);

	n->handle = ++q->handles;
	n->first = a;
	n->cpu = h->cpu;
	n->thr = h->thr;
	n->dev = (uint8_t)dev;
	n->win = (uint8_t)wn;
	n->dir = h->dir;
	n->pending = true;
	for (uint32_t i = 0; i < h->nsg; i++) {
		const struct sg_elem *e = h->nsg == 1 ? &h->sg0 : &x->sg[i];
		uint64_t s0 = h->first + (h->nsg == 1 ? 0 : x->pgoff[i]);
		uint64_t e0 = s0 + (e->len >> w->shift);
		uint64_t lo = a > s0 ? a : s0, hi = b < e0 ? b : e0;

		if (lo < hi)
			group_add(q, nid, e->phys + ((lo - s0) << w->shift), (hi - lo) << w->shift,
				  hi - lo);
	}
	for (uint64_t pg = a; pg < b; pg++)
		u64map_put(&q->pages, page_key(dev, wn, pg), nid);	/* was id's */
	map_of(q, id)->live -= b - a;
	return nid;
}

/*
 * A map sets a TCE that a clear took from mapping id while id stayed live (a
 * ghost): the kernel had freed it, so id was never one mapping. Ends id
 * (`unmap`) and maps what it still holds again, one new mapping per run of
 * consecutive TCEs, made of the parts of its elements in the run.
 */
static int map_split(struct qimp *q, uint32_t id)
{
	const struct qwin *w = &q->win[map_of(q, id)->dev][map_of(q, id)->win];
	size_t nruns = collect_runs(q, id);

	q->st.splits++;
	for (size_t r = 0; r < nruns; r++)
		q->runs[3 * r + 2] = remap_run(q, id, q->runs[3 * r], q->runs[3 * r + 1]);
	if (map_end(q, id) < 0)
		return -1;
	for (size_t r = 0; r < nruns; r++)
		queue_map(q, w, (uint32_t)q->runs[3 * r + 2]);
	return flush(q);
}

/* The open group of the line's device and CPU, if this map continues it (see the header). */
static uint32_t continued(struct qimp *q, uint64_t first, enum dma_dir dir)
{
	uint32_t id = id_at(&q->opened, open_key(q->dev, q->thr));
	const struct qmap *m;

	if (!id)
		return 0;
	m = map_of(q, id);
	return m->win == q->wn && m->dir == dir && m->first + m->npages == first &&
	       m->nsg < TRACE_SG_MAX ? id : 0;
}

/*
 * The kernel mapping RAM into a direct DDW at its creation (see "the direct
 * DDW" above): a map op with its bus address, but no live mapping.
 */
static int map_ram(struct qimp *q, const struct qwin *w, uint64_t first, uint64_t phys,
		   uint64_t n, enum dma_dir dir)
{
	struct dma_op op = op_for(q, OP_MAP, q->dev);
	uint32_t open = id_at(&q->opened, open_key(q->dev, q->thr));

	if (open && group_close(q, open) < 0)
		return -1;
	q->st.ram_maps++;
	op.handle = ++q->handles;
	op.addr = phys;
	op.len = n << w->shift;
	op.dir = dir;
	op.cpu = line_cpu(q);
	op.rec_bus = w->start + (first << w->shift);
	return emit(q, &op);
}

/* Splits each mapping with a ghost among TCEs [first, first + n); *split if one was. */
static int split_ghosts(struct qimp *q, uint64_t first, uint64_t n, bool *split)
{
	for (uint64_t p = first; u64map_count(&q->ghosts) && p < first + n; p++) {
		uint32_t g = id_at(&q->ghosts, page_key(q->dev, q->wn, p));

		if (g && map_split(q, g) < 0)
			return -1;
		*split |= g != 0;
	}
	return 0;
}

/* The first TCE of w's large pool (iommu_init_table), or UINT64_MAX if w has one pool. */
static uint64_t large_start(const struct qwin *w)
{
	uint64_t size = w->ddw ? w->npages : w->boot_end;

	if (!size || size > (UINT64_MAX >> w->shift) || (size << w->shift) < QPOOL_MIN_BYTES)
		return UINT64_MAX;
	return size * 3 / 4 / IOMMU_NR_POOLS * IOMMU_NR_POOLS;
}

/*
 * New group id (its map op last in the queue) in w's large pool: the large
 * pool hands out addresses upwards (the hint is left at each allocation's
 * end), so a group of another CPU still waiting in the queue at a higher
 * address was allocated after this one, though its first hypercall was
 * logged first (two CPUs racing). The new map op moves before it, with its
 * time. Only the last QRACE_SCAN queue entries are looked at.
 */
static void before_later_large(struct qimp *q, const struct qwin *w, uint32_t id)
{
	const struct qmap *m = map_of(q, id);
	size_t mask = q->pcap - 1, last = q->plen - 1, to = last;
	struct qpend e;

	if (m->first < large_start(w))
		return;
	for (size_t i = last; i-- > 0 && last - i <= QRACE_SCAN;) {
		const struct qpend *p = &q->pend[(q->phead + i) & mask];
		const struct qmap *o = p->id ? map_of(q, p->id) : NULL;

		if (o && o->dev == m->dev && o->win == m->win && o->thr != m->thr &&
		    o->first > m->first && !o->dead)
			to = i;
	}
	if (to == last)
		return;
	e = q->pend[(q->phead + last) & mask];
	for (size_t i = last; i > to; i--)
		q->pend[(q->phead + i) & mask] = q->pend[(q->phead + i - 1) & mask];
	e.op.time_ps = q->pend[(q->phead + to + 1) & mask].op.time_ps;
	q->pend[(q->phead + to) & mask] = e;
	q->st.reordered++;
}

/* A new open group of the line's device and CPU, its map op queued: its id. */
static uint32_t group_new(struct qimp *q, struct qwin *w, uint64_t first, uint64_t phys,
			  uint64_t n, enum dma_dir dir)
{
	uint32_t id = map_new(q, w);
	struct qmap *m = map_of(q, id);
	struct qpend *e;

	m->handle = ++q->handles;
	m->first = first;
	group_add(q, id, phys, n << w->shift, n);
	m->cpu = line_cpu(q);
	m->thr = q->thr;
	m->dev = (uint8_t)q->dev;
	m->win = (uint8_t)q->wn;
	m->dir = (uint8_t)dir;
	m->open = m->pending = true;
	u64map_put(&q->opened, open_key(q->dev, q->thr), id);
	e = pend_push(q);
	e->id = id;
	e->op = op_for(q, OP_MAP, q->dev);
	e->op.handle = m->handle;
	e->op.dir = dir;
	e->op.cpu = m->cpu;
	e->op.rec_bus = w->start + (first << w->shift);
	before_later_large(q, w, id);
	return id;
}

/* A map of n TCEs from TCE first of the line's window, real address phys. */
static int map_pages(struct qimp *q, struct qwin *w, uint64_t first, uint64_t phys, uint64_t n,
		     uint64_t perm)
{
	enum dma_dir dir = dir_of_perm(perm);
	bool split = false;
	uint32_t id, open;

	if (declare(q) < 0)
		return -1;
	w->used = true;
	if (w->ddw && !w->cleared && phys == first << w->shift)
		return map_ram(q, w, first, phys, n, dir);
	if (split_ghosts(q, first, n, &split) < 0 || take_pages(q, first, n) < 0)
		return -1;
	id = split ? 0 : continued(q, first, dir);
	open = id_at(&q->opened, open_key(q->dev, q->thr));
	if (open && open != id && group_close(q, open) < 0)
		return -1;
	if (id && q->per_tce && n == 1 && extends(q, id, phys, w->shift))
		group_extend(q, id, n << w->shift, n);
	else if (id)
		group_add(q, id, phys, n << w->shift, n);
	else {
		learn_pool(q, w, first);
		id = group_new(q, w, first, phys, n, dir);
	}
	for (uint64_t p = first; p < first + n; p++)
		u64map_put(&q->pages, page_key(q->dev, q->wn, p), id);
	if (map_of(q, id)->nsg == TRACE_SG_MAX)
		return group_close(q, id);
	return pend_limit(q);
}

/* At the end of the log: closes every open group and writes what waits. */
static int close_all(struct qimp *q)
{
	while (q->plen) {
		uint32_t id = q->pend[q->phead].id;

		map_of(q, id)->held = false;	/* never cleared: as it was mapped */
		if (group_close(q, id) < 0 || flush(q) < 0)
			return -1;
	}
	return 0;
}

/* --- windows --- */

static struct qwin default_window(void)
{
	return (struct qwin){ .shift = DEF_SHIFT, .exists = true };
}

/* The window slot liobn names, setting q->dev and q->wn; NULL (ignored) if not a PCI window. */
static struct qwin *slot_of(struct qimp *q, uint64_t liobn)
{
	if (liobn > UINT32_MAX || !(liobn & LIOBN_PCI) || (liobn & LIOBN_HIGH)) {
		ignore(q);
		return NULL;
	}
	if ((liobn & 0xff) >= QWIN_MAX) {
		warn_once(q, W_WINNUM, "%s names window %u of liobn=0x%" PRIx64 "; only 0 and 1"
			  " exist; ignored", q->ev, (unsigned)(liobn & 0xff), liobn);
		ignore(q);
		return NULL;
	}
	q->dev = (unsigned)(liobn >> 8) & 0xff;
	q->wn = (unsigned)liobn & 0xff;
	return &q->win[q->dev][q->wn];
}

/* slot_of() for a window that must exist (hcalls, xlate, remove). */
static struct qwin *window_of(struct qimp *q, uint64_t liobn)
{
	struct qwin *w = slot_of(q, liobn);

	if (w && !w->exists) {
		warn_once(q, W_NOWIN, "%s names liobn=0x%" PRIx64 ", a window no"
			  " spapr_iommu_ddw_create made; ignored", q->ev, liobn);
		ignore(q);
		return NULL;
	}
	return w;
}

/* SLOF's line (counted) if w is a default window the kernel has not cleared yet. */
static bool firmware(struct qimp *q, const struct qwin *w)
{
	if (w->ddw || w->linux_owned)
		return false;
	q->st.firmware_skipped++;
	return true;
}

/* A clear starting at TCE first: the kernel's first one on a default window starts at TCE 0. */
static void note_clear(struct qimp *q, struct qwin *w, uint64_t first, bool put)
{
	if (first == 0 && !w->ddw && !w->linux_owned)
		q->per_tce = put;	/* tce_freemulti_pSeriesLP without FW_FEATURE_STUFF_TCE */
	if (first == 0)
		w->linux_owned = true;
	if (w->ddw)
		w->cleared = true;
}

/* "EVENT: expected KEY=0xHEX inside the window ..., got 'KEY=0x...'"; returns -1. */
static int window_error(struct qimp *q, const struct qwin *w, const char *key, uint64_t ioba)
{
	uint64_t last = w->npages ? w->start + (w->npages << w->shift) - 1 : UINT64_MAX;

	return bad(q, "%s: expected %s=0xHEX inside the window 0x%" PRIx64 "..0x%" PRIx64
		   " of device %u, got '%s=0x%" PRIx64 "'", q->ev, key, w->start, last, q->dev, key,
		   ioba);
}

/* The TCE index *page of ioba in w, for n TCEs from there; 0, or -1 reported if outside. */
static int tce_index(struct qimp *q, const struct qwin *w, uint64_t ioba, uint64_t n,
		     uint64_t *page)
{
	*page = (ioba - w->start) >> w->shift;
	if (ioba >= w->start && (!w->npages || (*page < w->npages && n <= w->npages - *page)))
		return 0;
	return window_error(q, w, "ioba", ioba);
}

/* --- lifting, one function per event --- */

enum { PUT_LIOBN, PUT_IOBA, PUT_TCE, PUT_RET };

static int lift_put(struct qimp *q, const uint64_t *v)
{
	struct qwin *w = window_of(q, v[PUT_LIOBN]);
	uint64_t tce = v[PUT_TCE], page;

	if (!w)
		return 0;
	if (v[PUT_RET])
		return ignore(q);
	if (tce_index(q, w, v[PUT_IOBA], 1, &page) < 0)
		return -1;
	if (!(tce & TCE_PERM_MASK)) {
		note_clear(q, w, page, true);
		if (firmware(q, w))
			return 0;
		return clear_range(q, w, page, 1, CL_GHOST);
	}
	if (firmware(q, w))
		return 0;
	return map_pages(q, w, page, tce_addr(tce, w->shift), 1, tce & TCE_PERM_MASK);
}

enum { IND_LIOBN, IND_IOBA, IND_LIST, IND_IOBAN, IND_TCEN, IND_RET };

static int lift_indirect(struct qimp *q, const uint64_t *v)
{
	struct qwin *w = window_of(q, v[IND_LIOBN]);
	uint64_t tce = v[IND_TCEN], n = v[IND_IOBAN] + 1, page, last;

	if (!w)
		return 0;
	if (v[IND_RET])
		return ignore(q);
	if (v[IND_IOBAN] >= QINDIRECT_MAX)
		return bad(q, "%s: expected iobaN=0xHEX below 0x%x (the index of the last of at most"
			   " %u TCEs), got 'iobaN=0x%" PRIx64 "'", q->ev, QINDIRECT_MAX,
			   QINDIRECT_MAX, v[IND_IOBAN]);
	if (tce_index(q, w, v[IND_IOBA], n, &page) < 0)
		return -1;
	if (!(tce & TCE_PERM_MASK)) {
		note_clear(q, w, page, false);
		return firmware(q, w) ? 0 : clear_range(q, w, page, n, CL_GHOST);
	}
	if (firmware(q, w))
		return 0;
	last = tce_addr(tce, w->shift);
	if (last < (n - 1) << w->shift)
		return bad(q, "%s: expected tceN=0xHEX at least iobaN TCE pages above 0 (the list"
			   " holds consecutive pages), got 'tceN=0x%" PRIx64 "'", q->ev, tce);
	return map_pages(q, w, page, last - ((n - 1) << w->shift), n, tce & TCE_PERM_MASK);
}

enum { ST_LIOBN, ST_IOBA, ST_VALUE, ST_NPAGES, ST_RET };

static int lift_stuff(struct qimp *q, const uint64_t *v)
{
	struct qwin *w = window_of(q, v[ST_LIOBN]);
	uint64_t n = v[ST_NPAGES], end;

	if (!w)
		return 0;
	if (v[ST_RET])
		return ignore(q);
	if ((int64_t)n < 0)
		return bad(q, "%s: expected npages=DEC of at least 0, got 'npages=%" PRId64 "'",
			   q->ev, (int64_t)n);
	if (v[ST_IOBA] < w->start ||
	    (w->npages && (v[ST_IOBA] - w->start) >> w->shift > w->npages))
		return window_error(q, w, "ioba", v[ST_IOBA]);
	end = (v[ST_IOBA] - w->start) >> w->shift;
	if (n > end)
		return bad(q, "%s: expected ioba=0xHEX at least npages TCEs past the window start"
			   " 0x%" PRIx64 " (QEMU logs the address after the last TCE), got 'ioba=0x%"
			   PRIx64 "'", q->ev, w->start, v[ST_IOBA]);
	if (v[ST_VALUE] & TCE_PERM_MASK) {
		if (firmware(q, w))
			return 0;
		warn_once(q, W_VALUE, "%s stuffs tcevalue=0x%" PRIx64 ", not a clear; ignored",
			  q->ev, v[ST_VALUE]);
		return ignore(q);
	}
	if (n)
		note_clear(q, w, end - n, false);
	if (firmware(q, w))
		return 0;
	return clear_range(q, w, end - n, n, CL_STUFF | CL_GHOST);
}

enum { X_LIOBN, X_OFF, X_ADDR, X_PERM, X_MASK };

/*
 * `dma DEV H OFFSET LEN RW` inside live mapping id: bus, len before the cap.
 * OFFSET is from the mapping's first byte, so within the concatenation of its
 * elements; LEN stops at the end of the element holding bus.
 */
static int xlate_dma(struct qimp *q, const struct qwin *w, uint32_t id, uint64_t bus, uint64_t len)
{
	const struct qmap *m = map_of(q, id);
	uint64_t off = bus - (w->start + (m->first << w->shift));
	uint64_t end_left = (elem_end(m, elems_of(q, id), off >> w->shift) << w->shift) - off;
	struct dma_op op = op_for(q, OP_DMA, q->dev);

	op.handle = m->handle;
	op.addr = off;
	op.len = len < end_left ? len : end_left;
	op.dir = m->dir == DMA_DIR_TO_DEVICE ? DMA_DIR_TO_DEVICE : DMA_DIR_FROM_DEVICE;
	return emit(q, &op);
}

static int lift_xlate(struct qimp *q, const uint64_t *v)
{
	struct qwin *w = window_of(q, v[X_LIOBN]);
	uint64_t off = v[X_OFF], mask = v[X_MASK], bus, len;
	struct dma_op op;
	uint32_t id;

	if (!w)
		return 0;
	if (!v[X_PERM])
		return ignore(q);
	if (firmware(q, w))
		return 0;
	if (mask > UINT32_MAX || (mask & (mask + 1)))	/* QEMU prints it as 32 bits */
		return bad(q, "%s: expected mask=0xHEX one less than a power of two, got 'mask=0x%"
			   PRIx64 "'", q->ev, mask);
	if (off > UINT64_MAX - w->start)
		return bad(q, "%s: expected 0xHEX (an offset in the window at 0x%" PRIx64 ") below"
			   " 2^64 - start, got '0x%" PRIx64 "'", q->ev, w->start, off);
	bus = w->start + off;
	len = mask - (off & mask) + 1;
	if (len > 4096 - (off & 4095))		/* to the next 4 KiB boundary at most */
		len = 4096 - (off & 4095);
	if (len - 1 > UINT64_MAX - bus)
		len = UINT64_MAX - bus + 1;
	if (declare(q) < 0)
		return -1;
	id = id_at(&q->pages, page_key(q->dev, q->wn, off >> w->shift));
	if (id) {	/* the device uses it: the driver has submitted its map_sg */
		if (q->per_tce && map_of(q, id)->open)
			keep_tail(q, id, off >> w->shift);
		if (group_close(q, id) < 0)
			return -1;
		id = id_at(&q->pages, page_key(q->dev, q->wn, off >> w->shift));	/* split? */
		return xlate_dma(q, w, id, bus, len);
	}
	op = op_for(q, OP_DMA_BUS, q->dev);
	op.win = q->wn;
	op.addr = bus;
	op.len = len;
	op.dir = v[X_PERM] & TCE_PCI_WRITE ? DMA_DIR_FROM_DEVICE : DMA_DIR_TO_DEVICE;
	return emit(q, &op);
}

enum { C_BUID, C_ADDR, C_PAGE, C_SIZE, C_START, C_LIOBN };

/* Checks ddw_create's page size, size and start; 0 or -1 reported. */
static int check_create(struct qimp *q, const uint64_t *v)
{
	uint64_t ps = v[C_PAGE];

	if (ps < 4096 || (ps & (ps - 1)) || ps > 1ull << PAGE_SHIFT_MAX)
		return bad(q, "%s: expected page size=0xHEX a power of two in 0x1000..0x%llx, got"
			   " 'page size=0x%" PRIx64 "'", q->ev, 1ull << PAGE_SHIFT_MAX, ps);
	if (v[C_SIZE] < ps || (v[C_SIZE] & (ps - 1)))
		return bad(q, "%s: expected requested=0xHEX a multiple of the page size, got"
			   " 'requested=0x%" PRIx64 "'", q->ev, v[C_SIZE]);
	if ((v[C_START] & (ps - 1)) || v[C_SIZE] - 1 > UINT64_MAX - v[C_START])
		return bad(q, "%s: expected start addr=0xHEX aligned to the page size, the window"
			   " below 2^64, got 'start addr=0x%" PRIx64 "'", q->ev, v[C_START]);
	return 0;
}

static int lift_create(struct qimp *q, const uint64_t *v)
{
	struct qwin *w;
	struct dma_op op;
	unsigned shift;

	if (check_create(q, v) < 0)
		return -1;
	w = slot_of(q, v[C_LIOBN]);
	if (!w)
		return 0;
	if (declare(q) < 0 || (w->exists && drop_window(q, w) < 0))
		return -1;
	shift = (unsigned)__builtin_ctzll(v[C_PAGE]);
	*w = (struct qwin){
		.start = v[C_START], .npages = v[C_SIZE] >> shift, .shift = shift,
		.exists = true, .ddw = true,
	};
	op = op_for(q, OP_WIN_CREATE, q->dev);
	op.page_shift = shift;
	op.len = v[C_SIZE];
	op.levels = 1;
	return emit(q, &op);
}

static int lift_remove(struct qimp *q, const uint64_t *v)
{
	struct qwin *w = window_of(q, v[0]);
	struct dma_op op;

	if (!w)
		return 0;
	if (declare(q) < 0 || drop_window(q, w) < 0)
		return -1;
	op = op_for(q, OP_WIN_REMOVE, q->dev);
	op.addr = w->start;
	*w = (struct qwin){ 0 };
	return emit(q, &op);
}

static int lift_reset(struct qimp *q, const uint64_t *v)
{
	uint64_t buid = v[0];
	struct dma_op op;
	uint64_t size;

	if (buid < PCI_BASE_BUID || buid - PCI_BASE_BUID >= QDEV_MAX)
		return ignore(q);
	q->dev = (unsigned)(buid - PCI_BASE_BUID);
	if (declare(q) < 0)
		return -1;
	size = q->win[q->dev][0].boot_end;
	for (unsigned i = 0; i < QWIN_MAX; i++) {
		q->wn = i;
		if (drop_window(q, &q->win[q->dev][i]) < 0)
			return -1;
	}
	q->win[q->dev][0] = default_window();
	q->win[q->dev][0].linux_owned = true;
	q->win[q->dev][0].used = true;
	q->win[q->dev][0].boot_end = size;	/* the table QEMU restores is the same size */
	q->win[q->dev][1] = (struct qwin){ 0 };
	op = op_for(q, OP_WIN_RESET, q->dev);
	return emit(q, &op);
}

/* --- the events --- */

#define F_LIOBN		{ "liobn=0x", N_HEX }
#define F_IOBA		{ " ioba=0x", N_HEX }
#define F_RET		{ " ret=", N_DEC }
#define F_BUID_ADDR	{ "buid=0x", N_HEX }, { " addr=0x", N_HEX }
#define PUT_ARGS	4, { F_LIOBN, F_IOBA, { " tce=0x", N_HEX }, F_RET }
#define INDIRECT_ARGS	6, { F_LIOBN, F_IOBA, { " tcelist=0x", N_HEX }, { " iobaN=0x", N_HEX }, \
			     { " tceN=0x", N_HEX }, F_RET }
#define STUFF_ARGS	5, { F_LIOBN, F_IOBA, { " tcevalue=0x", N_HEX }, { " npages=", N_DEC }, F_RET }

/* hw/ppc/trace-events of QEMU 7.2 (reference/domain.md §8.4) */
static const struct qevent qevents[] = {
	{ "spapr_iommu_pci_put", true, lift_put, PUT_ARGS },
	{ "spapr_iommu_put", true, lift_put, PUT_ARGS },
	{ "spapr_iommu_pci_indirect", true, lift_indirect, INDIRECT_ARGS },
	{ "spapr_iommu_indirect", true, lift_indirect, INDIRECT_ARGS },
	{ "spapr_iommu_pci_stuff", true, lift_stuff, STUFF_ARGS },
	{ "spapr_iommu_stuff", true, lift_stuff, STUFF_ARGS },
	{ "spapr_iommu_pci_get", true, NULL, 0, { { NULL, N_HEX } } },
	{ "spapr_iommu_get", true, NULL, 0, { { NULL, N_HEX } } },
	{ "spapr_iommu_xlate", false, lift_xlate, 5, { F_LIOBN, { " 0x", N_HEX },
	  { " -> 0x", N_HEX }, { " perm=", N_UDEC }, { " mask=0x", N_HEX } } },
	{ "spapr_iommu_ddw_query", true, NULL, 0, { { NULL, N_HEX } } },
	{ "spapr_iommu_ddw_create", true, lift_create, 6, { F_BUID_ADDR,
	  { ", page size=0x", N_HEX }, { ", requested=0x", N_HEX },
	  { ", start addr=0x", N_HEX }, { ", liobn=0x", N_HEX } } },
	{ "spapr_iommu_ddw_remove", true, lift_remove, 1, { F_LIOBN } },
	{ "spapr_iommu_ddw_reset", true, lift_reset, 2, { F_BUID_ADDR } },
};

#define NQEVENTS	(sizeof(qevents) / sizeof(qevents[0]))

static const struct qevent *find_event(const char *name)
{
	if (strncmp(name, "spapr_iommu_", 12))
		return NULL;
	for (size_t i = 0; i < NQEVENTS; i++)
		if (!strcmp(name + 12, qevents[i].name + 12))
			return &qevents[i];
	return NULL;
}

/* Sets q->now_ps from the line's time us. */
static void set_time(struct qimp *q, uint64_t us)
{
	uint64_t ps = 0;

	if (!q->t0_set) {
		q->t0_set = true;
		q->t0_us = us;
	}
	if (us > q->t0_us)
		ps = us - q->t0_us > (OP_NO_TIME - 1) / PS_PER_US ? OP_NO_TIME - 1
								  : (us - q->t0_us) * PS_PER_US;
	if (ps > q->now_ps)
		q->now_ps = ps;
}

static int import_line(struct qimp *q)
{
	uint64_t v[QF_MAX];
	const struct qevent *e;
	struct qhead h;

	q->st.lines++;
	if (!q->line[strspn(q->line, " \t")])
		return 0;
	q->st.events++;
	if (!parse_head(q->line, &h))
		return bad(q, "expected TID@SEC.USEC:EVENT, got '%.*s'", (int)quote_len(q->line, 1),
			   q->line);
	set_time(q, h.us);
	e = find_event(h.name);
	if (!e || !e->lift) {
		if (e && e->vcpu)
			q->thr = thread_of(q, h.tid);
		return ignore(q);
	}
	q->ev = e->name;
	if (e->vcpu)
		q->thr = thread_of(q, h.tid);
	if (q->longline)
		return bad(q, "%s: line longer than %u bytes", e->name, QLINE_MAX);
	if (parse_args(q, e, h.args, v) < 0)
		return -1;
	return e->lift(q, v);
}

/* After the last line: totals of what was warned about once, and unfinished unmaps. */
static void warn_totals(struct qimp *q)
{
	for (unsigned d = 0; d < QDEV_MAX; d++)
		for (unsigned i = 0; i < QWIN_MAX; i++)
			for (uint32_t id = q->win[d][i].head; id; id = map_of(q, id)->next)
				q->st.unfinished += map_of(q, id)->live < map_of(q, id)->npages;
	if (q->st.unfinished)
		ddw_warn("%s: %" PRIu64 " mappings had only part of their TCEs cleared at the end of"
			 " the log; they stay mapped", q->path, q->st.unfinished);
	if (q->st.overwritten > 1)
		ddw_warn("%s: %" PRIu64 " TCEs were set over a page a live mapping held", q->path,
			 q->st.overwritten);
	q->st.threads = q->nthr;
	q->st.per_tce = q->per_tce;
	for (unsigned t = 0; t < q->nthr; t++)
		q->st.pool_unknown += q->thr_tab[t].has_cpu && q->thr_tab[t].pool < 0;
}

static void qimp_release(struct qimp *q)
{
	infile_close(&q->in);
	free(q->thr_tab);
	for (uint32_t i = 0; i < q->nelems; i++) {
		free(q->elems[i].sg);
		free(q->elems[i].pgoff);
	}
	free(q->elems);
	idpool_release(&q->maps);
	free(q->scan);
	free(q->pend);
	free(q->runs);
	u64map_release(&q->ghosts);
	u64map_release(&q->tids);
	u64map_release(&q->pages);
	u64map_release(&q->opened);
	free(q);
}

int import_qemu(const char *in, const char *out, bool with_time, struct import_stats *st)
{
	struct qimp *q = xcalloc(1, sizeof(*q));
	int rc = -1;

	q->with_time = with_time;
	idpool_init_named(&q->maps, sizeof(struct qmap), "live mappings");
	u64map_init(&q->tids);
	u64map_init(&q->pages);
	u64map_init(&q->opened);
	u64map_init(&q->ghosts);
	for (unsigned d = 0; d < QDEV_MAX; d++)
		q->win[d][0] = default_window();
	if (qimp_open(q, in) < 0 || trace_writer_open(&q->w, out, trace_fmt_for_path(out)) < 0)
		goto out;
	while ((rc = read_line(q)) > 0)
		if (import_line(q) < 0) {
			rc = -1;
			break;
		}
	if (rc == 0)
		rc = close_all(q) < 0 ? -1 : 0;
	if (rc == 0) {
		warn_totals(q);
		rc = trace_writer_commit(q->w);
		q->w = NULL;
	}
out:
	trace_writer_abort(q->w);
	if (st)
		*st = q->st;
	qimp_release(q);
	return rc < 0 ? -1 : 0;
}
