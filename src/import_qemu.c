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
 * CPUs
 *   Hypercall and RTAS lines (put, indirect, stuff, get, ddw_*; both the pci_
 *   and the plain variants) run on vCPU threads. Their distinct thread ids,
 *   numbered in order of first appearance, are the CPUs 0, 1, ... (SLOF runs
 *   first, on vCPU 0; its lines count for the numbering even though they are
 *   dropped). xlate lines never number CPUs: they mostly run on the main
 *   loop. Maps and unmaps carry the CPU of their line (cpu=N).
 *
 * Firmware
 *   SLOF uses the default windows before Linux (in ddw-off: puts, put-clears
 *   and xlates on 0x80000200, 624 lines). The kernel starts by clearing each
 *   default window whole, and that clear starts with an H_STUFF_TCE whose
 *   first TCE is TCE 0. So, per default window: until a clear whose first TCE
 *   is TCE 0 (an H_STUFF_TCE; or, as multitce=off kernels clear, an H_PUT_TCE
 *   or indirect without permission bits; that variant is untested on a real
 *   log), every put, indirect, stuff and xlate on it is SLOF's and is dropped
 *   (firmware_skipped). That clear itself is lifted (it unmaps nothing).
 *   DDWs are created by Linux: nothing on them is firmware.

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
 *       an unmap of every live mapping of the window that lies in the range.
 *       A mapping only partly inside is unmapped whole anyway (partial; the
 *       first one is warned about). Stuffing a permission is not modelled
 *       (ignored, warned once).
 *   map of n TCEs at TCE index first, real address phys, permission perm
 *       `map DEV H PHYS LEN DIR cpu=C bus=BUS`: LEN = n * page;
 *       DIR from perm: 1 (read) to, 2 (write) from, 3 bidi (Linux sets R|W for
 *       both from and bidi, so a kernel `from` reads as bidi); BUS = window
 *       start + first * page (the bus address the kernel chose; for a DDW the
 *       hcall's ioba is already that); H a fresh handle, one counter for all
 *       devices, from 0x1. A TCE set over a page a live mapping still holds
 *       takes the page away from it (overwritten, warned once).
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
 *       Each cleared TCE leaves its mapping; a mapping whose every TCE was
 *       cleared this way (multi-TCE off unmaps page by page) is unmapped then:
 *       `unmap DEV H cpu=C`. Clearing TCEs no live mapping holds (the boot
 *       clears) writes nothing.
 *   spapr_iommu_xlate liobn OFF -> ADDR perm mask
 *       OFF is an offset in the window: bus = window start + OFF. The access
 *       length is not logged: LEN = bytes from OFF to the end of its IOMMU
 *       page (mask + 1 bytes) or to the next 4 KiB boundary, whichever comes
 *       first (QEMU translates once per page touched, and a PCIe request never
 *       crosses 4 KiB, so the bytes are comparable whatever the TCE size). Inside a live
 *       mapping of that device and window: `dma DEV H OFFSET LEN RW`,
 *       OFFSET = bus - mapping start, LEN capped at the mapping's end, RW = r
 *       for a mapping mapped `to`, else w. Otherwise (a direct DDW, or an
 *       address the replay does not know): `dmab DEV WIN BUS LEN RW`, RW = w
 *       if perm has bit 1 (0x2), else r. perm 0 (a fault) is ignored.
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
 * Time: with_time stamps every op with the time of its line in ps since the
 * first line, (us - us_first) * 10^6, never decreasing (QEMU's do not
 * decrease anyway), saturated below OP_NO_TIME.
 *
 * Errors: a line that is not `TID@SEC.USEC:EVENT ...` (SEC.USEC with 6 digits
 * of usec, as QEMU prints them), or a lifted event whose arguments do not
 * parse or contradict QEMU's own checks, stops the import with
 * "FILE:LINE: <event>: expected ..., got '...'". Blank lines are allowed.
 * A lifted line longer than 4096 bytes is an error; longer lines of other
 * events are skipped. Numbers are 64-bit; ret and npages are signed.
 *
 * Data layout and cost
 *
 *   pages: hash (device, window, TCE index) -> mapping id     one slot per live TCE
 *          key = dev << 53 | window << 52 | index   (index < 2^52: TCEs are >= 4 KiB)
 *   maps:  pool of struct qmap, ids from 1, freed records reused (free list)
 *   win:   [256][2] struct qwin, each with a list of its live mappings
 *   tids:  hash thread id -> CPU + 1
 *
 * A put, indirect or xlate costs O(TCEs it names) hash operations; a stuff
 * O(npages) (the boot clears: 262144 lookups per PHB), or, above 2^20 pages,
 * O(live mappings of the window); its unmaps come in bus order, or newest first
 * in that second case. Memory is flat in the log length except
 * for the live mappings and the distinct vCPU threads: the line buffer, the
 * pool and the hashes are reused, so the steady state allocates nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/err.h"
#include "ddwsim/import.h"
#include "ddwsim/tce.h"
#include "ddwsim/trace.h"
#include "ddwsim/workload.h"
#include "ddwsim/xalloc.h"

#define QLINE_MAX	4096		/* longest lifted line, without its newline (QEMU's: < 200) */
#define QREAD_BUF	(1u << 20)	/* stdio buffer of the log */
#define QDEV_MAX	256		/* devices: (liobn >> 8) & 0xff */
#define QWIN_MAX	2		/* windows per PE (SPAPR_PCI_DMA_MAX_WINDOWS) */
#define QF_MAX		6		/* most arguments of a lifted event */
#define QSCAN_MAX	(1ull << 20)	/* a clear of more TCEs walks the window's mappings */
#define QINDIRECT_MAX	512		/* TCEs per H_PUT_TCE_INDIRECT (h_put_tce_indirect) */
#define QQUOTE_MAX	64		/* most bytes of input quoted in a message */
#define LIOBN_PCI	0x80000000ull	/* SPAPR_IS_PCI_LIOBN */
#define LIOBN_HIGH	0x7fff0000ull	/* set in no LIOBN of a PHB index below 256 */
#define PCI_BASE_BUID	0x800000020000000ull	/* SPAPR_PCI_BASE_BUID: PHB i is base + i */
#define DEF_SHIFT	12		/* default window TCE size (SPAPR_TCE_PAGE_SHIFT) */
#define PAGE_SHIFT_MAX	48		/* largest DDW TCE accepted (QEMU offers up to 16G = 2^34) */
#define PS_PER_US	1000000ull
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

/* One live mapping: n consecutive TCEs set by one put or indirect. */
struct qmap {
	uint64_t handle;	/* the op stream's name for it */
	uint64_t first;		/* index of its first TCE in the window */
	uint64_t npages;	/* TCEs */
	uint64_t live;		/* of them, still held (present in the page hash) */
	uint32_t prev, next;	/* the window's live mappings (ids, 0 ends); next links free records */
	uint8_t dev;		/* device */
	uint8_t win;		/* window number */
	uint8_t dir;		/* enum dma_dir of the map */
};

struct qwin {
	uint64_t start;		/* bus address of TCE 0 */
	uint64_t npages;	/* TCEs; 0 = not known (a default window) */
	unsigned shift;		/* TCE page shift */
	bool exists;		/* default window, or created and not removed */
	bool ddw;		/* made by spapr_iommu_ddw_create */
	bool linux_owned;	/* default window: the kernel's first clear was seen */
	bool cleared;		/* DDW: an H_STUFF_TCE was seen, so it is mapped per I/O */
	uint32_t head;		/* first live mapping (id), 0 = none */
};

/* Open addressing, linear probing, backward-shift deletion; val 0 = empty slot. */
struct u64map {
	uint64_t *key;
	uint32_t *val;
	size_t cap;		/* slots, a power of two */
	size_t n;		/* used */
};

enum qwarn { W_PARTIAL, W_OVERWRITE, W_NOWIN, W_WINNUM, W_VALUE, W_DROP, NWARN };

struct qimp {
	const char *path;	/* the log's name in messages */
	FILE *fp;
	char *iobuf;		/* fp's stdio buffer, QREAD_BUF bytes */
	char line[QLINE_MAX + 2];	/* the line being lifted, NUL-terminated */
	bool longline;		/* it was cut at QLINE_MAX bytes */
	uint64_t lineno;	/* its number, from 1 */
	const char *ev;		/* its event's name */
	struct trace_writer *w;
	bool with_time;
	bool t0_set;
	uint64_t t0_us;		/* time of the first line, us */
	uint64_t now_ps;	/* time of this line, ps since the first */
	unsigned cpu;		/* CPU of the last vCPU line */
	unsigned dev, wn;	/* device and window the line names (set by slot_of) */
	uint64_t handles;	/* last handle given */
	unsigned ncpus;		/* distinct vCPU threads seen */
	unsigned warned;	/* 1 << enum qwarn: already reported */
	struct u64map tids, pages;
	struct qmap *maps;	/* pool; id = index + 1 */
	uint32_t nmaps, capmaps;	/* records used (live or free), allocated */
	uint32_t free_head;	/* first free record id, 0 = none */
	struct import_stats st;
	struct qwin win[QDEV_MAX][QWIN_MAX];
};

/* --- messages --- */

/* Reports "FILE:LINE: message" and returns -1. */
DDW_PRINTF(2, 3)
static int bad(struct qimp *q, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%" PRIu64 ": ", q->path, q->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* The first warning of kind k, as "ddwsim: warning: FILE:LINE: message (reported once)". */
DDW_PRINTF(3, 4)
static void warn_once(struct qimp *q, enum qwarn k, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (q->warned & (1u << k))
		return;
	q->warned |= 1u << k;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ddw_warn("%s:%" PRIu64 ": %s (reported once)", q->path, q->lineno, msg);
}

static int ignore(struct qimp *q)
{
	q->st.ignored++;
	return 0;
}

/* --- the u64 -> u32 hash --- */

static size_t slot_of_key(uint64_t key, size_t cap)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static uint32_t u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return 0;
	for (i = slot_of_key(key, m->cap); m->val[i]; i = (i + 1) & (m->cap - 1))
		if (m->key[i] == key)
			return m->val[i];
	return 0;
}

static void u64map_put(struct u64map *m, uint64_t key, uint32_t val);

/* Doubles the table (first size 1024 slots). */
static void u64map_grow(struct u64map *m)
{
	struct u64map g = { .cap = m->cap ? st_mul(m->cap, 2) : 1024 };

	g.key = xmalloc(st_mul(g.cap, sizeof(*g.key)));
	g.val = xcalloc(g.cap, sizeof(*g.val));
	for (size_t i = 0; i < m->cap; i++)
		if (m->val[i])
			u64map_put(&g, m->key[i], m->val[i]);
	free(m->key);
	free(m->val);
	*m = g;
}

/* Adds key (absent) -> val (not 0). */
static void u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		u64map_grow(m);
	for (i = slot_of_key(key, m->cap); m->val[i]; i = (i + 1) & (m->cap - 1))
		;
	m->key[i] = key;
	m->val[i] = val;
	m->n++;
}

/* Does slot j's key, whose home is h, stay reachable if the hole i is left empty? */
static bool probe_passes(size_t h, size_t i, size_t j)
{
	return i <= j ? (h > i && h <= j) : (h > i || h <= j);
}

/* Deletes key if it maps to val; true if it did. */
static bool u64map_del(struct u64map *m, uint64_t key, uint32_t val)
{
	size_t mask = m->cap - 1, i, j;

	if (!m->cap)
		return false;
	for (i = slot_of_key(key, m->cap); m->val[i] && m->key[i] != key; i = (i + 1) & mask)
		;
	if (m->val[i] != val)
		return false;
	for (j = (i + 1) & mask; m->val[j]; j = (j + 1) & mask) {
		if (probe_passes(slot_of_key(m->key[j], m->cap), i, j))
			continue;
		m->key[i] = m->key[j];
		m->val[i] = m->val[j];
		i = j;
	}
	m->val[i] = 0;
	m->n--;
	return true;
}

static void u64map_release(struct u64map *m)
{
	free(m->key);
	free(m->val);
	*m = (struct u64map){ 0 };
}

/* --- the log, line by line --- */

static int qimp_open(struct qimp *q, const char *in)
{
	if (!strcmp(in, "-")) {
		q->path = "<stdin>";
		q->fp = stdin;
		return 0;
	}
	q->path = in;
	q->fp = fopen(in, "r");
	if (!q->fp)
		return ddw_error("cannot open trace '%s': %s", in, strerror(errno));
	q->iobuf = xmalloc(QREAD_BUF);
	setvbuf(q->fp, q->iobuf, _IOFBF, QREAD_BUF);
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
 * Scans an unsigned number in base 10 or 16 at s, at most maxd digits.
 * Returns the end, or NULL for no digit, too many, or more than 64 bits.
 */
static const char *scan_u64(const char *s, unsigned base, unsigned maxd, uint64_t *v)
{
	unsigned n, d;

	for (n = 0, *v = 0;; n++) {
		char c = s[n];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (n == maxd || *v > (UINT64_MAX - d) / base)
			return NULL;
		*v = *v * base + d;
	}
	return n ? s + n : NULL;
}

/* One argument of kind k at s, followed by a separator or the end; its end, or NULL. */
static const char *scan_num(const char *s, enum qnum k, uint64_t *v)
{
	bool neg = k == N_DEC && *s == '-';

	s = scan_u64(s + neg, k == N_HEX ? 16 : 10, k == N_HEX ? 16 : 20, v);
	if (!s || (*s && *s != ' ' && *s != ','))
		return NULL;
	if (k == N_DEC && *v > (uint64_t)INT64_MAX + neg)
		return NULL;
	if (neg)
		*v = -*v;
	return s;
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

/* "EVENT: expected KEY=0xHEX, got '...'" for field f, the input at s. */
static int field_error(struct qimp *q, const struct qfield *f, const char *s)
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
	return bad(q, "%s: expected %s%s, got '%.*s'", q->ev, key, f->kind == N_HEX ? "HEX" : "DEC",
		   (int)n, s);
}

/* Parses the arguments of e at s into v; 0 or -1 reported. */
static int parse_args(struct qimp *q, const struct qevent *e, const char *s, uint64_t *v)
{
	for (unsigned i = 0; i < e->nf; i++) {
		const struct qfield *f = &e->f[i];
		size_t n = strlen(f->lit);
		const char *at = s;

		if (strncmp(s, f->lit, n) || !(s = scan_num(s + n, f->kind, &v[i])))
			return field_error(q, f, at);
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

/* Parses "TID@SEC.USEC:NAME[ ARGS]"; false if the line is not a trace event. */
static bool parse_head(char *s, struct qhead *h)
{
	uint64_t sec, usec;
	const char *p;
	char *name;

	p = scan_u64(s, 10, 20, &h->tid);
	if (!p || *p++ != '@' || !(p = scan_u64(p, 10, 20, &sec)) || *p++ != '.')
		return false;
	if (!(name = (char *)scan_u64(p, 10, 6, &usec)) || name - p != 6 || *name++ != ':')
		return false;
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

/* --- ops --- */

static struct dma_op op_for(struct qimp *q, enum op_kind kind, unsigned dev)
{
	return (struct dma_op){
		.kind = kind, .dev = dev, .rec_bus = OP_NO_BUS,
		.time_ps = q->with_time ? q->now_ps : OP_NO_TIME,
	};
}

static int emit(struct qimp *q, const struct dma_op *op)
{
	if (trace_write(q->w, op) < 0)
		return -1;
	switch (op->kind) {
	case OP_MAP:
		q->st.maps++;
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
	default:
		q->st.windows++;
		break;
	}
	return 0;
}

/* --- live mappings --- */

static uint64_t page_key(unsigned dev, unsigned win, uint64_t page)
{
	return (uint64_t)dev << 53 | (uint64_t)win << 52 | page;
}

static struct qmap *map_of(struct qimp *q, uint32_t id)
{
	return &q->maps[id - 1];
}

/* A free record (id), linked first in w's list. */
static uint32_t map_new(struct qimp *q, struct qwin *w)
{
	uint32_t id = q->free_head;

	if (id) {
		q->free_head = map_of(q, id)->next;
	} else {
		if (q->nmaps == q->capmaps) {
			if (q->capmaps >= UINT32_MAX / 2)
				abort();	/* 2^31 live mappings: memory ran out long before */
			q->capmaps = q->capmaps ? 2 * q->capmaps : 1024;
			q->maps = xrealloc(q->maps, st_mul(q->capmaps, sizeof(*q->maps)));
		}
		id = ++q->nmaps;
	}
	*map_of(q, id) = (struct qmap){ .next = w->head };
	if (w->head)
		map_of(q, w->head)->prev = id;
	w->head = id;
	return id;
}

/* Writes the unmap of mapping id (every page already dropped) and frees its record. */
static int map_end(struct qimp *q, uint32_t id)
{
	struct qmap *m = map_of(q, id);
	struct qwin *w = &q->win[m->dev][m->win];
	struct dma_op op = op_for(q, OP_UNMAP, m->dev);

	op.handle = m->handle;
	op.cpu = q->cpu;
	if (m->prev)
		map_of(q, m->prev)->next = m->next;
	else
		w->head = m->next;
	if (m->next)
		map_of(q, m->next)->prev = m->prev;
	m->next = q->free_head;
	q->free_head = id;
	return emit(q, &op);
}

/* Drops the pages of mapping id in [lo, hi) that it still holds. */
static void map_drop(struct qimp *q, uint32_t id, uint64_t lo, uint64_t hi)
{
	struct qmap *m = map_of(q, id);
	uint64_t a = lo > m->first ? lo : m->first;
	uint64_t b = hi < m->first + m->npages ? hi : m->first + m->npages;

	for (uint64_t p = a; p < b; p++)
		if (u64map_del(&q->pages, page_key(m->dev, m->win, p), id))
			m->live--;
}

/*
 * Clears the TCEs [lo, hi) of mapping id. Unmaps it once it holds no page;
 * with whole (an H_STUFF_TCE), also when the range left part of it (partial).
 */
static int map_clear(struct qimp *q, uint32_t id, uint64_t lo, uint64_t hi, bool whole)
{
	struct qmap *m = map_of(q, id);

	map_drop(q, id, lo, hi);
	if (m->live && whole) {
		warn_once(q, W_PARTIAL, "%s clears TCEs 0x%" PRIx64 "..0x%" PRIx64
			  " of device %u window %u, only part of mapping 0x%" PRIx64
			  " (TCEs 0x%" PRIx64 "..0x%" PRIx64 "); unmapping it whole", q->ev, lo,
			  hi - 1, m->dev, m->win, m->handle, m->first, m->first + m->npages - 1);
		q->st.partial++;
		map_drop(q, id, m->first, m->first + m->npages);
	}
	return m->live ? 0 : map_end(q, id);
}

/* Clears TCEs [first, first + n) of the line's window (see map_clear). */
static int clear_range(struct qimp *q, struct qwin *w, uint64_t first, uint64_t n, bool whole)
{
	uint32_t id, next;

	if (n > QSCAN_MAX) {
		for (id = w->head; id; id = next) {
			struct qmap *m = map_of(q, id);

			next = m->next;
			if (m->first < first + n && first < m->first + m->npages &&
			    map_clear(q, id, first, first + n, whole) < 0)
				return -1;
		}
		return 0;
	}
	for (uint64_t p = first; p < first + n; p++) {
		id = u64map_get(&q->pages, page_key(q->dev, q->wn, p));
		if (id && map_clear(q, id, first, first + n, whole) < 0)
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

		if (map_clear(q, w->head, m->first, m->first + m->npages, false) < 0)
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
		uint32_t old = u64map_get(&q->pages, page_key(q->dev, q->wn, p));

		if (!old)
			continue;
		warn_once(q, W_OVERWRITE, "%s sets TCE 0x%" PRIx64 " of device %u window %u, still"
			  " held by mapping 0x%" PRIx64 "; the page leaves it", q->ev, p, q->dev,
			  q->wn, map_of(q, old)->handle);
		q->st.overwritten++;
		if (map_clear(q, old, p, p + 1, false) < 0)
			return -1;
	}
	return 0;
}

/* A map of n TCEs from TCE first of the line's window, real address phys. */
static int map_pages(struct qimp *q, struct qwin *w, uint64_t first, uint64_t phys, uint64_t n,
		     uint64_t perm)
{
	struct dma_op op = op_for(q, OP_MAP, q->dev);
	struct qmap *m;
	uint32_t id;

	if (w->ddw && !w->cleared && phys == first << w->shift) {
		q->st.ram_maps++;
		op.handle = ++q->handles;
		op.addr = phys;
		op.len = n << w->shift;
		op.dir = (enum dma_dir)dir_of_perm(perm);
		op.cpu = q->cpu;
		op.rec_bus = w->start + (first << w->shift);
		return emit(q, &op);
	}
	if (take_pages(q, first, n) < 0)
		return -1;
	id = map_new(q, w);
	m = map_of(q, id);
	m->handle = ++q->handles;
	m->first = first;
	m->npages = m->live = n;
	m->dev = (uint8_t)q->dev;
	m->win = (uint8_t)q->wn;
	m->dir = (uint8_t)dir_of_perm(perm);
	for (uint64_t p = first; p < first + n; p++)
		u64map_put(&q->pages, page_key(q->dev, q->wn, p), id);
	op.handle = m->handle;
	op.addr = phys;
	op.len = n << w->shift;
	op.dir = (enum dma_dir)m->dir;
	op.cpu = q->cpu;
	op.rec_bus = w->start + (first << w->shift);
	return emit(q, &op);
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
static void note_clear(struct qwin *w, uint64_t first)
{
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
		note_clear(w, page);
		if (firmware(q, w))
			return 0;
		return clear_range(q, w, page, 1, false);
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
		note_clear(w, page);
		return firmware(q, w) ? 0 : clear_range(q, w, page, n, false);
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
		note_clear(w, end - n);
	if (firmware(q, w))
		return 0;
	return clear_range(q, w, end - n, n, true);
}

enum { X_LIOBN, X_OFF, X_ADDR, X_PERM, X_MASK };

/* `dma DEV H OFFSET LEN RW` inside live mapping id: bus, len before the cap. */
static int xlate_dma(struct qimp *q, const struct qwin *w, uint32_t id, uint64_t bus, uint64_t len)
{
	const struct qmap *m = map_of(q, id);
	uint64_t start = w->start + (m->first << w->shift);
	uint64_t end_left = (m->npages << w->shift) - (bus - start);
	struct dma_op op = op_for(q, OP_DMA, q->dev);

	op.handle = m->handle;
	op.addr = bus - start;
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
	id = u64map_get(&q->pages, page_key(q->dev, q->wn, off >> w->shift));
	if (id)
		return xlate_dma(q, w, id, bus, len);
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
	if (w->exists && drop_window(q, w) < 0)
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
	if (drop_window(q, w) < 0)
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

	if (buid < PCI_BASE_BUID || buid - PCI_BASE_BUID >= QDEV_MAX)
		return ignore(q);
	q->dev = (unsigned)(buid - PCI_BASE_BUID);
	for (unsigned i = 0; i < QWIN_MAX; i++) {
		q->wn = i;
		if (drop_window(q, &q->win[q->dev][i]) < 0)
			return -1;
	}
	q->win[q->dev][0] = default_window();
	q->win[q->dev][0].linux_owned = true;
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

/* The CPU of vCPU thread tid: numbered in order of first appearance. */
static unsigned cpu_of(struct qimp *q, uint64_t tid)
{
	uint32_t v = u64map_get(&q->tids, tid);

	if (!v) {
		v = ++q->ncpus;
		u64map_put(&q->tids, tid, v);
	}
	return v - 1;
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
			q->cpu = cpu_of(q, h.tid);
		return ignore(q);
	}
	q->ev = e->name;
	if (e->vcpu)
		q->cpu = cpu_of(q, h.tid);
	if (q->longline)
		return bad(q, "%s: line longer than %u bytes", e->name, QLINE_MAX);
	if (parse_args(q, e, h.args, v) < 0)
		return -1;
	return e->lift(q, v);
}

/* After the last line: totals of what was warned about once. */
static void warn_totals(const struct qimp *q)
{
	if (q->st.partial > 1)
		ddw_warn("%s: %" PRIu64 " H_STUFF_TCE unmaps covered only part of their mapping",
			 q->path, q->st.partial);
	if (q->st.overwritten > 1)
		ddw_warn("%s: %" PRIu64 " TCEs were set over a page a live mapping held", q->path,
			 q->st.overwritten);
}

static void qimp_release(struct qimp *q)
{
	if (q->fp && q->fp != stdin)
		fclose(q->fp);
	free(q->iobuf);
	free(q->maps);
	u64map_release(&q->tids);
	u64map_release(&q->pages);
	free(q);
}

int import_qemu(const char *in, const char *out, bool with_time, struct import_stats *st)
{
	struct qimp *q = xcalloc(1, sizeof(*q));
	int rc = -1;

	q->with_time = with_time;
	for (unsigned d = 0; d < QDEV_MAX; d++)
		q->win[d][0] = default_window();
	if (qimp_open(q, in) < 0 || trace_writer_open(&q->w, out, trace_fmt_for_path(out)) < 0)
		goto out;
	while ((rc = read_line(q)) > 0)
		if (import_line(q) < 0) {
			rc = -1;
			break;
		}
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
