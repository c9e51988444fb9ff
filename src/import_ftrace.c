/*
 * import_ftrace.c - Linux ftrace text (dma:* and iommu:* events) lifted to
 * ddwsim DMA ops.
 *
 * Input: the text of an ftrace buffer, either the tracefs `trace` (or
 * `trace_pipe`) file or the output of `trace-cmd report`. One event a line:
 *
 *   tracefs, irq-info on   TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: ARGS
 *             <idle>-0       [003] d.h2.   812.004512: dma_map_page: 0000:01:00.0 dir=...
 *   trace-cmd report       TASK-PID [CPU] TIMESTAMP: EVENT: ARGS   (EVENT: may be padded)
 *             fio-1432  [001]   812.004512: dma_unmap_page:       0000:01:00.0 dir=...
 *
 * The CPU column is the first "[...]" field with a blank on each side that
 * is followed by one optional FLAGS field (any characters but blanks and no
 * final ':'), the time stamp (a field ending in ':') and EVENT: (letters,
 * digits, _ - .), so TASK may hold blanks and brackets, and a tgid column
 * "(  1432)" may come before it. Such a line is an event line, and its
 * numbers must parse (num.c; decimal, leading zeros allowed as the kernel
 * pads them): the CPU in 0..2^32-1, the time stamp SEC.FRAC: (any number of
 * fraction digits) or a bare integer, taken as ns (the counter and TSC
 * clocks). A bad one is an error naming the line, whatever the event: such
 * a line is never dropped. Lines whose first non-blank character is '#'
 * (the tracefs header) and blank lines are skipped. Any other line
 * (trace-cmd's "cpus=4", "CPU:2 [LOST 7 EVENTS]") is counted as ignored; a
 * "[LOST N EVENTS]" line is warned about once, since unmaps of the lost
 * maps will not match.
 *
 * Event formats, from the kernel's TP_printk (torvalds/linux):
 *   include/trace/events/iommu.h, commit 03ab8e6297acd1bc0eedaa050e2a1635c576fd11
 *     map     "IOMMU: iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%zu"
 *     unmap   "IOMMU: iova=0x%016llx - 0x%016llx size=%zu unmapped_size=%zu"
 *             The "- 0x%016llx" (iova + size) came with 94aedac49d92 ("iommu: Log
 *             iova range in map/unmap trace events", v5.17); older kernels print
 *             "IOMMU: iova=0x%016llx paddr=0x%016llx size=%zu" and
 *             "IOMMU: iova=0x%016llx size=%zu unmapped_size=%zu". Both are read.
 *   include/trace/events/dma.h, commits 7362b5b493102c6b71827c2da22117b475528f6d
 *   and 0b9828c7231e2e46b25d286da555510a79c0d6fa; added by 038eb433dc14
 *   ("dma-mapping: add tracing for dma-mapping API calls", v6.12)
 *     dma_map_page, dma_map_phys, dma_map_resource (class dma_map)
 *             "%s dir=%s dma_addr=%llx size=%zu phys_addr=%llx attrs=%s"
 *     dma_unmap_page, dma_unmap_phys, dma_unmap_resource (class dma_unmap)
 *             "%s dir=%s dma_addr=%llx size=%zu attrs=%s"
 *             dma_*map_page became dma_*map_phys in Leon Romanovsky's "rename
 *             trace_dma_*map_page() to be trace_dma_*map_phys()" (2025, the
 *             v6.18 map_phys series). The current file has no dma_*map_resource:
 *             an MMIO map is a dma_map_phys with attrs=MMIO.
 *     dma_map_sg
 *             "%s dir=%s dma_addrs=%s sizes=%s phys_addrs=%s attrs=%s"
 *             and, since daafcc0ef0b3 ("tracing/dma: Cap dma_map_sg tracepoint
 *             arrays", 2026, proposed for the 6.12+ stable trees), with each
 *             array capped at DMA_TRACE_MAX_ENTRIES = 128:
 *             "%s dir=%s nents=%d/%d ents=%d/%d%s dma_addrs=%s sizes=%s
 *             phys_addrs=%s attrs=%s" (one line; nents=traced/full, and the
 *             third %s is "" or " [TRUNCATED]")
 *     dma_unmap_sg
 *             "%s dir=%s phys_addrs=%s attrs=%s"
 *   %s device: dev_name(), e.g. 0000:01:00.0. dir: BIDIRECTIONAL, TO_DEVICE,
 *   FROM_DEVICE (NONE is an error). attrs: flag names joined by '|', or empty;
 *   not read. Arrays are __print_array: "{0x1000,0x2000}" (trace_print_array_seq
 *   in kernel/trace/trace_output.c). libtraceevent (trace-cmd) prints them the
 *   same way since 1.8.4; older versions printed "4096 8192" and could not
 *   parse sizeof(u64), so trace-cmd prints such an event as "[FAILED TO PARSE]"
 *   and its raw fields: an error here. dma_map_sg's phys_addrs has one entry
 *   per scatterlist element (nents); dma_addrs and sizes one per DMA segment
 *   the mapping made (ents <= nents: the IOMMU may merge elements).
 *   A line too long for the kernel's trace_seq is printed as
 *   "EVENT[LINE TOO BIG]" (kernel/trace/trace.c, since v6.7).
 *
 * Lifting, event by event (CPU C: the line's [CPU]; H: a fresh handle, one
 * counter for all devices, from 0x1)
 *   Devices: each dma_* event names its device; devices are numbered 0, 1, ...
 *   in the order their names first appear in a lifted event. iommu map and
 *   unmap name none: device 0.
 *   map (iommu)                        `map 0 H PADDR SIZE bidi cpu=C bus=IOVA`
 *   dma_map_page / _phys / _resource   `map DEV H PHYS_ADDR SIZE DIR cpu=C bus=DMA_ADDR`
 *       DIR: TO_DEVICE to, FROM_DEVICE from, BIDIRECTIONAL bidi; the iommu
 *       event has no direction: bidi. A dma_addr of all ones is
 *       DMA_MAPPING_ERROR (the map failed; the event is traced anyway): no op,
 *       counted in failed_maps. The live mapping is remembered by (device,
 *       bus address) with its length.
 *   dma_map_sg                         `map_sg DEV H DIR P0:L0,P1:L1,... cpu=C bus=DMA0`
 *       When ents == nents, no element was merged and segment i is element i:
 *       elements (phys_addrs[i], sizes[i]), exact. When ents < nents, the IOMMU
 *       merged elements (ppc_iommu_map_sg merges an element whose TCEs follow
 *       the previous one's) and the trace lacks the elements' own lengths:
 *       each DMA segment j is lifted as one element (phys of its first
 *       element, sizes[j]), counted in sg_merged. Segment 0 starts at element
 *       0; segment j at the first later element whose offset in a 4 KiB page
 *       equals that of dma_addrs[j] (a TCE keeps the page offset: dma address
 *       = TCE index << shift | (phys & (TCE size - 1))), leaving one element
 *       for each later segment, or else at the next element. The lifted
 *       element spans exactly the segment's bus range, so ddwsim maps as many
 *       TCEs as the kernel did; only the physical pages after each segment's
 *       first element are assumed contiguous. A [TRUNCATED] event maps only
 *       the traced (first 128) segments: counted in sg_truncated, warned once.
 *       The mapping is remembered by (device, phys_addrs[0]).
 *   unmap (iommu)                      `unmap 0 H cpu=C` for each mapping found
 *       The live mapping of device 0 that starts at iova, else one that
 *       contains it (the first in the pool), then every other one that starts in
 *       [iova, iova + size): iommu_unmap() can take several maps at once. A
 *       mapping only partly inside is unmapped whole.
 *   dma_unmap_page / _phys / _resource `unmap DEV H cpu=C`
 *       The live mapping (not map_sg) of that device that starts at dma_addr,
 *       else one that contains it.
 *   dma_unmap_sg                       `unmap DEV H cpu=C`
 *       The event prints physical addresses only: the live map_sg of that
 *       device whose first element is at phys_addrs[0].
 *   Two live mappings at the same key (a direct window maps the same page
 *   twice) are told apart by nothing: an unmap takes the older one.
 *   An unmap that finds no mapping writes nothing (unmatched_unmaps): the
 *   trace may start after the map. An event printed as "[LINE TOO BIG]" is
 *   lost (counted, warned once). Every other event is ignored unparsed
 *   (dma_sync_*, dma_alloc*, dma_free*, dma_map_sg_err, sched_*, ...).
 *   The events carry no device accesses: no dma or dmab op is written.
 *   A trace from an arch whose DMA API maps through the IOMMU API (dma-iommu:
 *   x86, arm64) with both dma:* and iommu:* enabled has each mapping twice;
 *   enable one of them. pseries and PowerNV map TCEs without the IOMMU API.
 *
 * Time: with_time stamps every op with the time of its line in ps since the
 * first event line, never decreasing, saturated below OP_NO_TIME.
 *
 * Errors: a lifted event whose arguments do not parse stops the import with
 * "FILE:LINE: EVENT: expected ..., got '...'" (the field quoted, cut at 64
 * bytes), then the rule of num.h a number broke, if any. Numbers are read
 * by num.c, 64-bit: %llx hex with or without 0x (leading zeros allowed),
 * %zu decimal (no sign, no leading 0).
 * A lifted line longer than 256 KiB is an error (a 4096-element dma_map_sg
 * takes under 200 KiB); longer lines of other events are ignored. More than
 * TRACE_SG_MAX (4096) elements or segments in one dma_map_sg is an error.
 *
 * Data layout and cost
 *
 *   maps:  idpool of struct fmap, ids from 1, freed ids reused first
 *   keys:  u64map key_of(sg?, device, address) -> the oldest live mapping
 *          with that key; the others follow it in a chain, oldest first
 *          (struct fmap.same): equal keys, and the rare distinct triples
 *          whose keys collide
 *   devs:  device names, in number order
 *   phys, dma, len, sg: one dma_map_sg's arrays, TRACE_SG_MAX each
 *
 * A map, a map_sg and an exact unmap cost O(1) hash operations (plus the
 * elements, and the mappings live at the same key); an unmap that misses the
 * exact key, and an iommu unmap wider than the mapping it found, scan the
 * pool: O(most mappings live at once). Memory is flat in the trace length
 * except for the live mappings and the device names: the line buffer, the
 * arrays, the pool and the hash are reused, so the steady state allocates
 * nothing. Running out of memory, or more than 2^31 live mappings, stops the
 * program through xalloc.c's one fatal exit, which unlinks the output's
 * temporary file.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/err.h"
#include "ddwsim/hashmap.h"
#include "ddwsim/idpool.h"
#include "ddwsim/infile.h"
#include "ddwsim/import_ftrace.h"
#include "ddwsim/num.h"
#include "ddwsim/tce.h"
#include "ddwsim/trace.h"
#include "ddwsim/workload.h"
#include "ddwsim/xalloc.h"

#define FLINE_MAX	(256u << 10)	/* longest lifted line, without its newline */
#define FTOK_MAX	12		/* most argument fields of a lifted event (dma_map_sg: 10) */
#define FQUOTE_MAX	64		/* most bytes of input quoted in a message */
#define PAGE_OFF_MASK	0xfffull	/* offset in the smallest TCE (4 KiB) */
#define DMA_MAPPING_ERROR UINT64_MAX	/* include/linux/dma-mapping.h: (~(dma_addr_t)0) */
#define PS_PER_S	1000000000000ull
#define PS_PER_NS	1000ull
#define NS_PER_S	1000000000ull
#define LINE_TOO_BIG	"[LINE TOO BIG]"
#define TRUNCATED	"[TRUNCATED]"
#define FAILED_PARSE	"[FAILED TO PARSE]"	/* trace-cmd: libtraceevent could not print it */

/* --- state --- */

struct fimp;
typedef int (*lift_fn)(struct fimp *q);

/* One event the importer lifts; every other event name is ignored. */
struct fevent {
	const char *name;
	lift_fn lift;
};

/* One live mapping (a record of q->maps). */
struct fmap {
	uint64_t handle;	/* the op stream's name for it */
	uint64_t addr;		/* its key: first bus address (map), first element's phys (map_sg) */
	uint64_t len;		/* map: bytes from addr; map_sg: 0 (never searched by range) */
	uint32_t dev;		/* device */
	uint32_t same;		/* next newer live mapping at the same hash key (id), 0 ends */
	bool sg;		/* made by dma_map_sg: keyed by phys */
};

/* The head of an event line. */
struct fhead {
	unsigned cpu;		/* the [CPU] column */
	uint64_t sec;		/* time stamp: whole seconds */
	uint64_t frac_ps;	/* and the rest, in ps (< 10^12) */
	char *name;		/* event name, NUL-terminated in place */
	char *args;		/* the rest of the line */
	bool too_big;		/* "[LINE TOO BIG]" instead of ": ARGS" */
};

enum fwarn { W_LOST, W_TRUNCATED, W_DROPPED, NWARN };

struct fimp {
	const char *path;	/* the trace's name in messages */
	struct infile in;	/* the open log: in.fp, in.name */
	FILE *fp;		/* in.fp */
	char *line;		/* the line being read, FLINE_MAX + 2 bytes, NUL-terminated */
	bool longline;		/* it was cut at FLINE_MAX bytes */
	uint64_t lineno;	/* its number, from 1 */
	const char *ev;		/* its event's name */
	char *tok[FTOK_MAX + 1];	/* its argument fields */
	unsigned ntok, ti;	/* fields, and the next one to read */
	char quote[FQUOTE_MAX + 4];	/* a field quoted in a message */
	struct trace_writer *w;
	bool with_time;
	bool t0_set;
	uint64_t t0_sec, t0_frac;	/* time of the first event line */
	uint64_t now_ps;	/* time of this line, ps since the first */
	unsigned cpu;		/* CPU of this line */
	uint64_t handles;	/* last handle given */
	unsigned warned;	/* 1 << enum fwarn: already reported */
	char **devs;		/* device names; the index is the device number */
	unsigned ndevs, capdevs;
	struct idpool maps;	/* struct fmap, ids from 1 */
	struct u64map keys;	/* key_of(sg, dev, addr) -> oldest | newest << 32 live mapping with that key */
	struct u64map devkeys;	/* FNV-1a of the device name, probed -> its number */
	uint64_t *phys;		/* dma_map_sg phys_addrs, TRACE_SG_MAX */
	uint64_t *dma;		/* dma_addrs, TRACE_SG_MAX */
	uint64_t *len;		/* sizes, TRACE_SG_MAX */
	struct sg_elem *sg;	/* the lifted elements, TRACE_SG_MAX */
	struct import_ftrace_stats st;
};

/* --- messages --- */

/* Reports "FILE:LINE: message" at q's line and returns -1. */
#define bad(q, ...)	ddw_error_line((q)->path, (q)->lineno, __VA_ARGS__)
/* The first warning of kind k at q's line, "(reported once)". */
#define warn_once(q, k, ...) \
	ddw_warn_once_line(&(q)->warned, (k), (q)->path, (q)->lineno, __VA_ARGS__)

/* s cut at FQUOTE_MAX bytes ("..." marks the cut), in q->quote. */
static const char *quoted(struct fimp *q, const char *s)
{
	size_t n = strlen(s);

	if (n <= FQUOTE_MAX)
		return s;
	memcpy(q->quote, s, FQUOTE_MAX);
	memcpy(q->quote + FQUOTE_MAX, "...", 4);
	return q->quote;
}

/* "EVENT: expected WHAT, got 'FIELD'" */
static int expected(struct fimp *q, const char *what, const char *got)
{
	return bad(q, "%s: expected %s, got '%s'", q->ev, what, quoted(q, got));
}

/* The same, then the rule of num.h a number in FIELD broke, if rc (enum num_err) names one. */
static int expected_num(struct fimp *q, const char *what, const char *got, int rc)
{
	return bad(q, "%s: expected %s, got '%s'%s", q->ev, what, quoted(q, got), num_why_tail(rc));
}

/* --- live mappings --- */

/*
 * The hash key of (sg, dev, addr): addr itself for device 0's maps, and for
 * each (sg, dev) a different bijection of addr, so that the same bus address
 * on several devices does not make one chain. Distinct triples may share a
 * key (only on purpose): the chain holds them, and map_find compares fields.
 */
static uint64_t key_of(bool sg, uint32_t dev, uint64_t addr)
{
	return addr ^ (((uint64_t)dev << 1 | sg) * 0x9e3779b97f4a7c15ull);
}

static struct fmap *map_of(const struct fimp *q, uint32_t id)
{
	return idpool_at(&q->maps, id);
}

/*
 * A key's chain: the map value holds its oldest mapping (head, low 32 bits)
 * and its newest (tail, high 32 bits), so a mapping joins the chain in O(1)
 * however many live mappings share its key.
 */
static uint64_t chain_val(uint32_t head, uint32_t tail)
{
	return head | (uint64_t)tail << 32;
}

/* Links mapping id last in the chain of its key (the chain runs oldest first). */
static void chain_add(struct fimp *q, uint32_t id, uint64_t key)
{
	bool added;
	uint64_t *v = u64map_ref(&q->keys, key, &added);

	if (!added)
		map_of(q, (uint32_t)(*v >> 32))->same = id;
	*v = chain_val(added ? id : (uint32_t)*v, id);
}

/* Unlinks mapping id from the chain of its key (the oldest in O(1), as unmaps take it). */
static void chain_del(struct fimp *q, uint32_t id, uint64_t key)
{
	bool added;
	uint64_t *v = u64map_ref(&q->keys, key, &added);
	uint32_t head = (uint32_t)*v, tail = (uint32_t)(*v >> 32), prev;
	uint32_t next = map_of(q, id)->same;

	assert(!added);		/* id is live, so its key is there */
	if (head == id) {
		if (next)
			*v = chain_val(next, tail);
		else
			u64map_del(&q->keys, key);
		return;
	}
	for (prev = head; map_of(q, prev)->same != id; prev = map_of(q, prev)->same)
		;
	map_of(q, prev)->same = next;
	if (tail == id)
		*v = chain_val(head, prev);
}

/* A new live mapping with a fresh handle; returns its id. */
static uint32_t map_new(struct fimp *q, bool sg, uint32_t dev, uint64_t addr, uint64_t len)
{
	uint32_t id = idpool_get(&q->maps);

	*map_of(q, id) = (struct fmap){
		.handle = ++q->handles, .addr = addr, .len = len, .dev = dev, .sg = sg,
	};
	chain_add(q, id, key_of(sg, dev, addr));
	return id;
}

static void map_free(struct fimp *q, uint32_t id)
{
	const struct fmap *m = map_of(q, id);

	chain_del(q, id, key_of(m->sg, m->dev, m->addr));
	idpool_put(&q->maps, id);
}

/* The oldest live mapping keyed exactly (sg, dev, addr), or 0. */
static uint32_t map_find(const struct fimp *q, bool sg, uint32_t dev, uint64_t addr)
{
	uint64_t head;
	const struct fmap *m;

	if (!u64map_get(&q->keys, key_of(sg, dev, addr), &head))
		return 0;
	for (uint32_t id = (uint32_t)head; id; id = m->same) {	/* low 32 bits: the oldest */
		m = map_of(q, id);
		if (m->sg == sg && m->dev == dev && m->addr == addr)
			return id;
	}
	return 0;
}

/* The first live map (not map_sg) of dev in the pool whose range holds addr, or 0. */
static uint32_t map_containing(const struct fimp *q, uint32_t dev, uint64_t addr)
{
	const struct fmap *m;

	for (uint32_t id = idpool_next(&q->maps, 0); id; id = idpool_next(&q->maps, id)) {
		m = map_of(q, id);
		if (!m->sg && m->dev == dev && addr >= m->addr && addr - m->addr < m->len)
			return id;
	}
	return 0;
}

/* --- ops --- */

static struct dma_op op_new(const struct fimp *q, enum op_kind kind)
{
	return (struct dma_op){
		.kind = kind, .cpu = q->cpu, .rec_bus = OP_NO_BUS,
		.time_ps = q->with_time ? q->now_ps : OP_NO_TIME,
	};
}

/* An op neither format can hold (a range wrapping past 2^64): reported, -1. */
static int check_op(struct fimp *q, const struct dma_op *op)
{
	char why[112];

	if (trace_op_problem(op, why, sizeof(why)))
		return bad(q, "%s: %s", q->ev, why);
	return 0;
}

static int emit(struct fimp *q, const struct dma_op *op)
{
	return check_op(q, op) < 0 ? -1 : trace_write(q->w, op);
}

/* `map DEV H PHYS LEN DIR cpu=C bus=BUS`, remembered by (dev, bus). */
static int map_one(struct fimp *q, uint32_t dev, uint64_t bus, uint64_t phys, uint64_t len,
		   enum dma_dir dir)
{
	struct dma_op op = op_new(q, OP_MAP);

	if (bus == DMA_MAPPING_ERROR) {
		q->st.failed_maps++;
		return 0;
	}
	op.dev = dev;
	op.addr = phys;
	op.len = len;
	op.dir = dir;
	op.rec_bus = bus;
	if (check_op(q, &op) < 0)
		return -1;
	op.handle = map_of(q, map_new(q, false, dev, bus, len))->handle;
	q->st.maps++;
	return emit(q, &op);
}

/* `unmap DEV H cpu=C` of live mapping id, which is then forgotten. */
static int unmap_op(struct fimp *q, uint32_t id)
{
	struct dma_op op = op_new(q, OP_UNMAP);

	op.dev = map_of(q, id)->dev;
	op.handle = map_of(q, id)->handle;
	map_free(q, id);
	q->st.unmaps++;
	return emit(q, &op);
}

/* Unmaps every live map of dev that starts in [addr, addr + span); 1 if any, 0 if none, or -1. */
static int unmap_starting_in(struct fimp *q, uint32_t dev, uint64_t addr, uint64_t span)
{
	int any = 0;

	for (uint32_t id = idpool_next(&q->maps, 0); id; id = idpool_next(&q->maps, id)) {
		const struct fmap *m = map_of(q, id);

		if (m->sg || m->dev != dev || m->addr - addr >= span)
			continue;
		any = 1;
		if (unmap_op(q, id) < 0)
			return -1;
	}
	return any;
}

/*
 * Unmaps the live map of dev that starts at addr, else one that holds addr.
 * With span > 0, also every other one that starts in [addr, addr + span),
 * unless the first one covered all of it.
 */
static int unmap_bus(struct fimp *q, uint32_t dev, uint64_t addr, uint64_t span)
{
	uint32_t id = map_find(q, false, dev, addr);
	bool covered = false, any = false;
	const struct fmap *m;
	int rc;

	if (!id)
		id = map_containing(q, dev, addr);
	if (id) {
		m = map_of(q, id);
		covered = span <= m->len - (addr - m->addr);
		any = true;
		if (unmap_op(q, id) < 0)
			return -1;
	}
	if (span && !covered) {
		rc = unmap_starting_in(q, dev, addr, span);
		if (rc < 0)
			return -1;
		any |= rc > 0;
	}
	if (!any)
		q->st.unmatched_unmaps++;
	return 0;
}

/*
 * The number of the device called name, numbering it if it is new: a hashed
 * lookup (names whose hashes collide take the next free key), so a trace of
 * many devices costs O(1) per line. More devices than a replay takes is an
 * error here, not a trace the replay then refuses.
 */
static int dev_of(struct fimp *q, const char *name, uint32_t *dev)
{
	uint64_t key = fnv1a(FNV1A_BASIS, name, strlen(name)), val;

	for (; u64map_get(&q->devkeys, key, &val); key++)
		if (!strcmp(q->devs[val], name)) {
			*dev = (uint32_t)val;
			return 0;
		}
	if (q->ndevs == WORKLOAD_MAX_DEVICES)
		return bad(q, "%s: device '%s' would be the %uth: a replay takes at most %u devices",
			   q->ev, quoted(q, name), WORKLOAD_MAX_DEVICES + 1, WORKLOAD_MAX_DEVICES);
	if (q->ndevs == q->capdevs) {
		q->capdevs = q->capdevs ? 2 * q->capdevs : 16;
		q->devs = xrealloc(q->devs, st_mul(q->capdevs, sizeof(*q->devs)));
	}
	q->devs[q->ndevs] = xstrdup(name);
	u64map_put(&q->devkeys, key, q->ndevs);
	*dev = q->ndevs++;
	return 0;
}

/* --- argument fields --- */

enum fnum { FN_0X, FN_HEX, FN_DEC };	/* 0x%llx, %llx (0x allowed), %zu */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The number s[0..n) of the kind's form, read by num.c; 0 or an enum num_err. */
static int parse_fnum(const char *s, size_t n, enum fnum kind, uint64_t *v)
{
	bool has_0x = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	if (kind == FN_DEC)
		return num_parse(s, n, NUM_DEC, v);
	if (kind == FN_0X && !has_0x)
		return NUM_ESYNTAX;
	return has_0x ? num_parse(s + 2, n - 2, NUM_HEX, v) : num_parse(s, n, NUM_HEX, v);
}

/* Splits s at blanks into q->tok: at most FTOK_MAX + 1 fields (one more: too many). */
static void split(struct fimp *q, char *s)
{
	q->ntok = q->ti = 0;
	while (q->ntok <= FTOK_MAX) {
		while (is_blank(*s))
			s++;
		if (!*s)
			return;
		q->tok[q->ntok++] = s;
		while (*s && !is_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The next field, or "" past the last. */
static const char *next_field(struct fimp *q)
{
	if (q->ti >= q->ntok)
		return "";
	return q->tok[q->ti++];
}

static const char *peek_field(const struct fimp *q)
{
	return q->ti < q->ntok ? q->tok[q->ti] : "";
}

static int field_lit(struct fimp *q, const char *lit)
{
	const char *t = next_field(q);
	char what[32];

	if (!strcmp(t, lit))
		return 0;
	snprintf(what, sizeof(what), "'%s'", lit);
	return expected(q, what, t);
}

/* KEY=NUMBER */
static int field_num(struct fimp *q, const char *key, enum fnum kind, uint64_t *v)
{
	static const char *const forms[] = {
		[FN_0X] = "0x<hex>", [FN_HEX] = "<hex>", [FN_DEC] = "<decimal>",
	};
	const char *t = next_field(q);
	size_t n = strlen(key);
	char what[48];
	int rc = NUM_ESYNTAX;

	if (!strncmp(t, key, n) && (rc = parse_fnum(t + n, strlen(t + n), kind, v)) == 0)
		return 0;
	snprintf(what, sizeof(what), "%s%s", key, forms[kind]);
	return expected_num(q, what, t, rc);
}

/* size=N of a map: N >= 1. */
static int field_size(struct fimp *q, uint64_t *v)
{
	if (field_num(q, "size=", FN_DEC, v) < 0)
		return -1;
	if (!*v)
		return expected(q, "size=<decimal> of at least 1", q->tok[q->ti - 1]);
	return 0;
}

/* KEY=A/B, both decimal (nents=%d/%d). */
static int field_pair(struct fimp *q, const char *key, uint64_t *a, uint64_t *b)
{
	const char *t = next_field(q), *slash;
	size_t n = strlen(key);
	char what[48];
	int rc = NUM_ESYNTAX;

	if (!strncmp(t, key, n) && (slash = strchr(t + n, '/')) &&
	    (rc = parse_fnum(t + n, (size_t)(slash - t) - n, FN_DEC, a)) == 0 &&
	    (rc = parse_fnum(slash + 1, strlen(slash + 1), FN_DEC, b)) == 0)
		return 0;
	snprintf(what, sizeof(what), "%s<decimal>/<decimal>", key);
	return expected_num(q, what, t, rc);
}

/* The iova range's end, "- 0x%016llx", if there (v5.17 on); not used. */
static int field_iova_end(struct fimp *q)
{
	const char *t;
	uint64_t end;
	int rc;

	if (strcmp(peek_field(q), "-"))
		return 0;
	q->ti++;
	t = next_field(q);
	if ((rc = parse_fnum(t, strlen(t), FN_0X, &end)) == 0)
		return 0;
	return expected_num(q, "0x<hex> after '-'", t, rc);
}

/* The device name field, as its device number. */
static int field_dev(struct fimp *q, uint32_t *dev)
{
	const char *name = next_field(q);

	return *name ? dev_of(q, name, dev) : expected(q, "a device name", name);
}

static int field_dir(struct fimp *q, enum dma_dir *dir)
{
	static const struct {
		const char *field;
		enum dma_dir dir;
	} dirs[] = {
		{ "dir=BIDIRECTIONAL", DMA_DIR_BIDIRECTIONAL },
		{ "dir=TO_DEVICE", DMA_DIR_TO_DEVICE },
		{ "dir=FROM_DEVICE", DMA_DIR_FROM_DEVICE },
	};
	const char *t = next_field(q);

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strcmp(t, dirs[i].field)) {
			*dir = dirs[i].dir;
			return 0;
		}
	return expected(q, "dir=BIDIRECTIONAL, TO_DEVICE or FROM_DEVICE", t);
}

/* attrs=FLAG|FLAG..., possibly empty; the flags are not read. */
static int field_attrs(struct fimp *q)
{
	const char *t = next_field(q);

	return strncmp(t, "attrs=", 6) ? expected(q, "attrs=<flags>", t) : 0;
}

static int field_end(struct fimp *q)
{
	return q->ti < q->ntok ? expected(q, "end of line", q->tok[q->ti]) : 0;
}

/*
 * KEY={0xN,0xN,...} (__print_array), one number at least and at most max:
 * the first keep of them go to buf; *n is how many there are.
 */
static int field_array(struct fimp *q, const char *key, uint64_t *buf, unsigned keep,
		       unsigned max, unsigned *n)
{
	const char *t = next_field(q), *p;
	size_t kl = strlen(key), len;
	char what[80];
	uint64_t v;
	int rc;

	*n = 0;
	snprintf(what, sizeof(what), "%s{0x<hex>,...}", key);
	if (strncmp(t, key, kl) || t[kl] != '{')
		return expected(q, what, t);
	for (p = t + kl; *p != '}'; (*n)++) {
		len = strcspn(p + 1, ",}");
		if ((rc = parse_fnum(p + 1, len, FN_0X, &v)) < 0)
			return expected_num(q, what, t, rc);
		p += 1 + len;
		if (*p != ',' && *p != '}')
			return expected(q, what, t);
		if (*n == max) {
			snprintf(what, sizeof(what), "%s with at most %u numbers", key, max);
			return expected(q, what, t);
		}
		if (*n < keep)
			buf[*n] = v;
	}
	return p[1] ? expected(q, what, t) : 0;
}

/* --- lifting, event by event --- */

/* nents=A/B ents=C/D of a capped dma_map_sg (traced/full), if there. */
struct sg_counts {
	bool present;
	uint64_t nents, full_nents;
	uint64_t ents, full_ents;
};

static int lift_iommu_map(struct fimp *q)
{
	uint64_t iova, paddr, size;

	if (field_lit(q, "IOMMU:") < 0 || field_num(q, "iova=", FN_0X, &iova) < 0 ||
	    field_iova_end(q) < 0 || field_num(q, "paddr=", FN_0X, &paddr) < 0 ||
	    field_size(q, &size) < 0 || field_end(q) < 0)
		return -1;
	return map_one(q, 0, iova, paddr, size, DMA_DIR_BIDIRECTIONAL);
}

static int lift_iommu_unmap(struct fimp *q)
{
	uint64_t iova, size, unmapped;

	if (field_lit(q, "IOMMU:") < 0 || field_num(q, "iova=", FN_0X, &iova) < 0 ||
	    field_iova_end(q) < 0 || field_num(q, "size=", FN_DEC, &size) < 0 ||
	    field_num(q, "unmapped_size=", FN_DEC, &unmapped) < 0 || field_end(q) < 0)
		return -1;
	return unmap_bus(q, 0, iova, size ? size : 1);
}

/* dma_map_page, dma_map_phys, dma_map_resource */
static int lift_dma_map(struct fimp *q)
{
	uint64_t dma, size, phys;
	enum dma_dir dir;
	uint32_t dev;

	if (field_dev(q, &dev) < 0 || field_dir(q, &dir) < 0 ||
	    field_num(q, "dma_addr=", FN_HEX, &dma) < 0 || field_size(q, &size) < 0 ||
	    field_num(q, "phys_addr=", FN_HEX, &phys) < 0 || field_attrs(q) < 0 ||
	    field_end(q) < 0)
		return -1;
	return map_one(q, dev, dma, phys, size, dir);
}

/* dma_unmap_page, dma_unmap_phys, dma_unmap_resource */
static int lift_dma_unmap(struct fimp *q)
{
	uint64_t dma, size;
	enum dma_dir dir;
	uint32_t dev;

	if (field_dev(q, &dev) < 0 || field_dir(q, &dir) < 0 ||
	    field_num(q, "dma_addr=", FN_HEX, &dma) < 0 ||
	    field_num(q, "size=", FN_DEC, &size) < 0 || field_attrs(q) < 0 || field_end(q) < 0)
		return -1;
	return unmap_bus(q, dev, dma, 0);
}

static int field_counts(struct fimp *q, struct sg_counts *c)
{
	if (strncmp(peek_field(q), "nents=", 6))
		return 0;
	c->present = true;
	if (field_pair(q, "nents=", &c->nents, &c->full_nents) < 0 ||
	    field_pair(q, "ents=", &c->ents, &c->full_ents) < 0)
		return -1;
	if (!strcmp(peek_field(q), TRUNCATED))
		q->ti++;
	return 0;
}

/* The three arrays of a dma_map_sg agree with each other and with its counts. */
static int check_sg(struct fimp *q, const struct sg_counts *c, unsigned nd, unsigned nl,
		    unsigned np)
{
	if (nl != nd)
		return bad(q, "%s: expected as many sizes as dma_addrs (%u), got %u", q->ev, nd, nl);
	if (nd > np)
		return bad(q, "%s: expected at most as many dma_addrs as phys_addrs (%u), got %u",
			   q->ev, np, nd);
	for (unsigned i = 0; i < nl; i++)
		if (!q->len[i])
			return bad(q, "%s: expected sizes of at least 1, got 0 for segment %u", q->ev,
				   i + 1);
	if (!c->present)
		return 0;
	if (c->nents > c->full_nents || c->ents > c->full_ents || c->full_ents > c->full_nents)
		return bad(q, "%s: expected traced counts within the full ones and ents <= nents, "
			   "got nents=%" PRIu64 "/%" PRIu64 " ents=%" PRIu64 "/%" PRIu64, q->ev,
			   c->nents, c->full_nents, c->ents, c->full_ents);
	if (np != c->nents || nd != c->ents)
		return bad(q, "%s: expected %" PRIu64 " phys_addrs and %" PRIu64 " dma_addrs "
			   "(nents, ents), got %u and %u", q->ev, c->nents, c->ents, np, nd);
	return 0;
}

/*
 * q->sg for nseg < nphys: the IOMMU merged elements, whose own lengths the
 * trace lacks. Segment j becomes one element: the phys of its first element,
 * sizes[j]. Segment 0 starts at element 0, segment j at the first later
 * element with the page offset of dma_addrs[j] that leaves one element for
 * each later segment, else at the next element.
 */
static void sg_merged(struct fimp *q, unsigned nphys, unsigned nseg)
{
	unsigned k = 0, i, last;

	for (unsigned j = 0; j < nseg; j++) {
		if (j) {
			last = nphys - nseg + j;
			for (i = k + 1; i <= last; i++)
				if (!((q->phys[i] ^ q->dma[j]) & PAGE_OFF_MASK))
					break;
			k = i <= last ? i : k + 1;
		}
		q->sg[j] = (struct sg_elem){ .phys = q->phys[k], .len = q->len[j] };
	}
}

/* `map_sg DEV H DIR P:L,... cpu=C bus=DMA0` of q->phys, q->dma, q->len; remembered by phys[0]. */
static int map_sg(struct fimp *q, uint32_t dev, enum dma_dir dir, const struct sg_counts *c,
		  unsigned nd, unsigned np)
{
	struct dma_op op = op_new(q, OP_MAP_SG);
	bool merged = c->present ? c->full_ents < c->full_nents : nd < np;

	if (q->dma[0] == DMA_MAPPING_ERROR) {
		q->st.failed_maps++;
		return 0;
	}
	if (merged) {
		sg_merged(q, np, nd);
		q->st.sg_merged++;
	} else {
		for (unsigned i = 0; i < nd; i++)
			q->sg[i] = (struct sg_elem){ .phys = q->phys[i], .len = q->len[i] };
	}
	if (c->present && (c->nents < c->full_nents || c->ents < c->full_ents)) {
		q->st.sg_truncated++;
		warn_once(q, W_TRUNCATED, "%s: the kernel traced %u of %" PRIu64 " segments "
			  "(" TRUNCATED "): only those are mapped", q->ev, nd, c->full_ents);
	}
	op.dev = dev;
	op.dir = dir;
	op.nsg = nd;
	op.sg = q->sg;
	op.rec_bus = q->dma[0];
	if (check_op(q, &op) < 0)
		return -1;
	op.handle = map_of(q, map_new(q, true, dev, q->phys[0], 0))->handle;
	q->st.maps++;
	return emit(q, &op);
}

static int lift_dma_map_sg(struct fimp *q)
{
	struct sg_counts c = { 0 };
	unsigned nd, nl, np;
	enum dma_dir dir;
	uint32_t dev;

	if (field_dev(q, &dev) < 0 || field_dir(q, &dir) < 0 || field_counts(q, &c) < 0 ||
	    field_array(q, "dma_addrs=", q->dma, TRACE_SG_MAX, TRACE_SG_MAX, &nd) < 0 ||
	    field_array(q, "sizes=", q->len, TRACE_SG_MAX, TRACE_SG_MAX, &nl) < 0 ||
	    field_array(q, "phys_addrs=", q->phys, TRACE_SG_MAX, TRACE_SG_MAX, &np) < 0 ||
	    field_attrs(q) < 0 || field_end(q) < 0 || check_sg(q, &c, nd, nl, np) < 0)
		return -1;
	return map_sg(q, dev, dir, &c, nd, np);
}

static int lift_dma_unmap_sg(struct fimp *q)
{
	enum dma_dir dir;
	uint32_t dev;
	uint32_t id;
	unsigned np;

	if (field_dev(q, &dev) < 0 || field_dir(q, &dir) < 0 ||
	    field_array(q, "phys_addrs=", q->phys, 1, UINT_MAX, &np) < 0 || field_attrs(q) < 0 ||
	    field_end(q) < 0)
		return -1;
	id = map_find(q, true, dev, q->phys[0]);
	if (!id) {
		q->st.unmatched_unmaps++;
		return 0;
	}
	return unmap_op(q, id);
}

static const struct fevent fevents[] = {
	{ "map", lift_iommu_map },
	{ "unmap", lift_iommu_unmap },
	{ "dma_map_page", lift_dma_map },
	{ "dma_map_phys", lift_dma_map },
	{ "dma_map_resource", lift_dma_map },
	{ "dma_unmap_page", lift_dma_unmap },
	{ "dma_unmap_phys", lift_dma_unmap },
	{ "dma_unmap_resource", lift_dma_unmap },
	{ "dma_map_sg", lift_dma_map_sg },
	{ "dma_unmap_sg", lift_dma_unmap_sg },
};

static const struct fevent *find_event(const char *name)
{
	for (size_t i = 0; i < sizeof(fevents) / sizeof(fevents[0]); i++)
		if (!strcmp(fevents[i].name, name))
			return &fevents[i];
	return NULL;
}

/* --- the trace, line by line --- */

static int fimp_open(struct fimp *q, const char *in)
{
	if (infile_open(&q->in, in, INFILE_STREAM | INFILE_BIG_BUFFER, "trace") < 0)
		return ddw_error("%s", q->in.why);	/* "-" is standard input */
	q->path = q->in.name;
	q->fp = q->in.fp;
	return 0;
}

/* Reads the next line into q->line, without newline and trailing blanks; 1, 0 at the end, -1. */
static int read_line(struct fimp *q)
{
	size_t n;
	int c;

	if (!fgets(q->line, FLINE_MAX + 2, q->fp)) {
		if (ferror(q->fp))
			return ddw_error("cannot read trace '%s': %s", q->path, strerror(errno));
		return 0;
	}
	q->lineno++;
	n = strlen(q->line);
	q->longline = false;
	if (n && q->line[n - 1] == '\n') {
		n--;
	} else if (n == FLINE_MAX + 1) {
		q->longline = true;
		n = FLINE_MAX;
		while ((c = getc(q->fp)) != EOF && c != '\n')
			;
		if (ferror(q->fp))
			return ddw_error("cannot read trace '%s': %s", q->path, strerror(errno));
	}
	while (n && (q->line[n - 1] == '\r' || is_blank(q->line[n - 1])))
		n--;
	q->line[n] = '\0';
	return 1;
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

static size_t field_len(const char *s)
{
	size_t n = 0;

	while (s[n] && !is_blank(s[n]))
		n++;
	return n;
}

static bool is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '-' || c == '.';
}

/* Where the columns of an event line are, found before any number in them is read. */
struct fcols {
	const char *cpu;	/* the "[N]" field */
	size_t cpu_len;
	const char *stamp;	/* the time stamp field, its ':' included */
	size_t stamp_len;
	char *name;		/* the event name */
	char *name_end;		/* the ':' after it, or "[LINE TOO BIG]" */
};

/*
 * Whether the "[...]" field at p (n bytes) is followed as the CPU column
 * is: [FLAGS] STAMP: NAME: (or NAME[LINE TOO BIG]); fills c if so. The
 * stamp is known by its final ':' (flags have none), so a stamp that does
 * not parse still marks the line as an event line, to be reported.
 */
static bool cols_after(char *p, size_t n, struct fcols *c)
{
	char *s = skip_blanks(p + n), *t;
	size_t m = field_len(s);

	if (m && s[m - 1] != ':') {		/* the irq-info flags */
		s = skip_blanks(s + m);
		m = field_len(s);
	}
	if (!m || s[m - 1] != ':')
		return false;
	c->stamp = s;
	c->stamp_len = m;
	s = skip_blanks(s + m);
	for (t = s; is_name_char(*t); t++)
		;
	if (t == s || (*t != ':' && strcmp(t, LINE_TOO_BIG)))
		return false;
	c->name = s;
	c->name_end = t;
	return true;
}

/*
 * The columns of an event line: the CPU column is the first field "[...]"
 * with a blank on each side that cols_after() accepts (TASK may hold blanks
 * and brackets). false if there is none: not an event line.
 */
static bool find_cols(char *s, struct fcols *c)
{
	for (char *p = strchr(s, '['); p; p = strchr(p + 1, '[')) {
		size_t n = field_len(p);

		if (p == s || !is_blank(p[-1]) || n < 2 || p[n - 1] != ']' || !is_blank(p[n]))
			continue;
		if (cols_after(p, n, c)) {
			c->cpu = p;
			c->cpu_len = n;
			return true;
		}
	}
	return false;
}

/*
 * The time stamp s[0..n) (its final ':' included), "SEC.FRAC:": whole
 * seconds and the rest in ps (digits past 12 dropped); or "NS:", a bare
 * integer in ns. Decimal, leading zeros allowed. 0 or an enum num_err.
 */
static int parse_stamp(const char *s, size_t n, uint64_t *sec, uint64_t *frac_ps)
{
	const char *dot = memchr(s, '.', n - 1);
	size_t fn = dot ? (size_t)(s + n - 1 - dot) - 1 : 0, k = fn < 12 ? fn : 12;
	uint64_t v, f, scale = 1;
	int rc = num_parse(s, dot ? (size_t)(dot - s) : n - 1, NUM_DEC | NUM_ZEROS, &v);

	if (rc < 0)
		return rc;
	if (!dot) {
		*sec = v / NS_PER_S;
		*frac_ps = v % NS_PER_S * PS_PER_NS;
		return 0;
	}
	if ((rc = num_parse(dot + 1, k, NUM_DEC | NUM_ZEROS, &f)) < 0)
		return rc;
	for (size_t i = k; i < fn; i++)
		if (!is_digit(dot[1 + i]))
			return NUM_ESYNTAX;
	for (size_t i = k; i < 12; i++)
		scale *= 10;
	*sec = v;
	*frac_ps = f * scale;
	return 0;
}

/*
 * Splits an event line into h (the name and args in place): 1; 0 if s is
 * not an event line; -1 reported, for an event line whose [CPU] or time
 * stamp is not a number (never dropped silently).
 */
static int parse_head(struct fimp *q, char *s, struct fhead *h)
{
	char text[FQUOTE_MAX + 4];
	struct fcols c;
	uint64_t cpu;
	int rc;

	if (!find_cols(s, &c))
		return 0;
	h->name = c.name;
	h->too_big = *c.name_end != ':';
	h->args = h->too_big ? c.name_end + strlen(c.name_end) : skip_blanks(c.name_end + 1);
	*c.name_end = '\0';
	rc = num_parse(c.cpu + 1, c.cpu_len - 2, NUM_DEC | NUM_ZEROS, &cpu);
	if (rc < 0 || cpu > UINT32_MAX)
		return bad(q, "%s: expected [CPU], a decimal CPU number in 0..4294967295, got '%s'%s",
			   h->name, num_show(text, sizeof(text), c.cpu, c.cpu_len),
			   rc < 0 ? num_why_tail(rc) : "");
	h->cpu = (unsigned)cpu;
	rc = parse_stamp(c.stamp, c.stamp_len, &h->sec, &h->frac_ps);
	if (rc < 0)
		return bad(q, "%s: expected a time stamp SEC.FRAC: or NS: (decimal), got '%s'%s",
			   h->name, num_show(text, sizeof(text), c.stamp, c.stamp_len),
			   num_why_tail(rc));
	return 1;
}

/* Sets q->now_ps from the line's time stamp: ps since the first event line, never decreasing. */
static void set_time(struct fimp *q, const struct fhead *h)
{
	uint64_t ds, ps;

	if (!q->t0_set) {
		q->t0_set = true;
		q->t0_sec = h->sec;
		q->t0_frac = h->frac_ps;
	}
	if (h->sec < q->t0_sec || (h->sec == q->t0_sec && h->frac_ps <= q->t0_frac))
		return;
	ds = h->sec - q->t0_sec;
	if (ds > (OP_NO_TIME - 1 - PS_PER_S) / PS_PER_S)
		ps = OP_NO_TIME - 1;
	else
		ps = ds * PS_PER_S + h->frac_ps - q->t0_frac;
	if (ps > q->now_ps)
		q->now_ps = ps;
}

/* A line that is not an event line, a comment or blank. */
static int other_line(struct fimp *q, const char *s)
{
	q->st.ignored++;
	if (strstr(s, "[LOST ") && strstr(s, " EVENTS]"))
		warn_once(q, W_DROPPED, "the kernel lost events ('%s'): unmaps of maps it lost "
			  "will not match", quoted(q, s));
	return 0;
}

static int import_line(struct fimp *q)
{
	const char *s = q->line + strspn(q->line, " \t");
	const struct fevent *e;
	struct fhead h = { 0 };	/* set by parse_head() when it returns 1 */
	int rc;

	q->st.lines++;
	if (!*s || *s == '#')
		return 0;
	if ((rc = parse_head(q, q->line, &h)) <= 0)
		return rc < 0 ? -1 : other_line(q, s);
	q->st.events++;
	set_time(q, &h);
	q->cpu = h.cpu;
	e = find_event(h.name);
	if (!e) {
		q->st.ignored++;
		return 0;
	}
	q->ev = e->name;
	if (h.too_big) {
		q->st.lost++;
		warn_once(q, W_LOST, "%s: the kernel printed '" LINE_TOO_BIG "' instead of its "
			  "fields: no op", e->name);
		return 0;
	}
	if (q->longline)
		return bad(q, "%s: line longer than %u bytes", e->name, FLINE_MAX);
	if (!strncmp(h.args, FAILED_PARSE, strlen(FAILED_PARSE)))
		return expected(q, "the event's printed fields", h.args);
	split(q, h.args);
	return e->lift(q);
}

/* Event lines of lifted events: each made ops or is counted in one of these. */
static uint64_t lifted(const struct import_ftrace_stats *st)
{
	return st->maps + st->unmaps + st->unmatched_unmaps + st->failed_maps + st->lost;
}

/* After the last line: totals of what was warned about once, and empty imports. */
static void warn_totals(const struct fimp *q)
{
	if (q->st.lost > 1)
		ddw_warn("%s: %" PRIu64 " lifted events were printed as '" LINE_TOO_BIG "' and lost",
			 q->path, q->st.lost);
	if (q->st.sg_truncated > 1)
		ddw_warn("%s: %" PRIu64 " dma_map_sg events were " TRUNCATED, q->path,
			 q->st.sg_truncated);
	if (!q->st.events && q->st.ignored)
		ddw_warn("%s: no ftrace event lines (%" PRIu64 " other lines ignored)", q->path,
			 q->st.ignored);
	else if (q->st.events && !lifted(&q->st))
		ddw_warn("%s: none of the %" PRIu64 " event lines is a dma:* or iommu:* map or unmap",
			 q->path, q->st.events);
}

static void fimp_release(struct fimp *q)
{
	infile_close(&q->in);
	free(q->line);
	for (unsigned i = 0; i < q->ndevs; i++)
		free(q->devs[i]);
	free(q->devs);
	idpool_release(&q->maps);
	u64map_release(&q->keys);
	u64map_release(&q->devkeys);
	free(q->phys);
	free(q->dma);
	free(q->len);
	free(q->sg);
	free(q);
}

int import_ftrace(const char *in, const char *out, bool with_time, struct import_ftrace_stats *st)
{
	struct fimp *q = xcalloc(1, sizeof(*q));
	int rc = -1;

	q->with_time = with_time;
	idpool_init_named(&q->maps, sizeof(struct fmap), "live mappings");
	u64map_init(&q->keys);
	q->line = xmalloc(FLINE_MAX + 2);
	q->phys = xmalloc(TRACE_SG_MAX * sizeof(*q->phys));
	q->dma = xmalloc(TRACE_SG_MAX * sizeof(*q->dma));
	q->len = xmalloc(TRACE_SG_MAX * sizeof(*q->len));
	q->sg = xmalloc(TRACE_SG_MAX * sizeof(*q->sg));
	if (fimp_open(q, in) < 0 || trace_writer_open(&q->w, out, trace_fmt_for_path(out)) < 0)
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
	fimp_release(q);
	return rc < 0 ? -1 : 0;
}
