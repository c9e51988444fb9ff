/*
 * test_synth.c - the synthetic generators of src/synth.c: exact op streams
 * for small runs, the replay's invariants, determinism, the cross-field
 * checks, and every workload file run end to end.
 *
 * Configs are in tests/synth/: NAME.yaml is one generator with parameters
 * small enough to work the stream out by hand (the qemu-pseries platform
 * and the qemu-guest-2g host: 2 GiB, 2 CPUs, 64K pages; run.ios 10);
 * e2e-WORKLOAD.yaml runs workloads/WORKLOAD.yaml in three modes. Variants
 * change keys as --set does. Expected values are worked out in the comments
 * from the op streams described above each generator in src/synth.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "ddwsim/config.h"
#include "ddwsim/synth.h"
#include "ddwsim/trace.h"

#define DIR		"tests/synth/"
#define MAX_OPS		4096	/* ops a test keeps for order checks */
#define MAX_SG		65536	/* sg elements kept, over all kept ops */
#define MAX_LIVE	4096	/* live mappings the checker tracks */
#define KIB		1024ull
#define MIB		(1024 * KIB)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Parameterized tests take an index into their case table: Criterion runs
 * each test in a fresh process, where pointers in a copied case would not
 * point at anything.
 */
static unsigned indices[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

/* ---- draining a generator, checking the replay's rules on the way ---- */

struct rec {			/* one op, as kept */
	enum op_kind kind;
	enum dma_dir dir;
	unsigned cpu, nsg, flags;
	uint64_t handle, addr, len, time_ps;
	unsigned sg_at;		/* MAP_SG: its first element in stream.sg */
};

struct live {			/* a mapping the checker knows */
	uint64_t handle, len;
	enum dma_dir dir;
};

struct stream {
	struct rec op[MAX_OPS];
	unsigned nop;		/* kept */
	uint64_t total;		/* seen */
	struct sg_elem sg[MAX_SG];
	unsigned nsg;
	uint64_t count[OP_WIN_RESET + 1];
	uint64_t declared;	/* the max_seg_size of a leading `device` op, 0 if none */
	uint64_t aux;		/* DMAs with OP_F_AUX (count[OP_DMA] includes them) */
	uint64_t hash;		/* every field of every op, sg included */
	uint64_t phys_hash;	/* the physical addresses mapped */
	struct live live[MAX_LIVE];
	unsigned nlive, max_live;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static int live_find(const struct stream *st, uint64_t handle)
{
	for (unsigned i = 0; i < st->nlive; i++)
		if (st->live[i].handle == handle)
			return (int)i;
	return -1;
}

/* A map: fresh handle, 1..4096 non-empty elements inside RAM, a known CPU. */
static void check_map(struct stream *st, const struct dma_op *op, const struct config *cfg)
{
	unsigned n = op->kind == OP_MAP ? 1 : op->nsg;
	uint64_t len = 0;

	cr_assert(live_find(st, op->handle) < 0, "op %" PRIu64 ": handle %" PRIu64
		  " mapped while live", st->total, op->handle);
	cr_assert(n >= 1 && n <= 4096, "op %" PRIu64 ": %u elements", st->total, n);
	cr_assert(op->cpu < cfg->host.cpus, "op %" PRIu64 ": cpu %u", st->total, op->cpu);
	for (unsigned i = 0; i < n; i++) {
		uint64_t phys = op->kind == OP_MAP ? op->addr : op->sg[i].phys;
		uint64_t l = op->kind == OP_MAP ? op->len : op->sg[i].len;

		cr_assert(l > 0 && phys + l <= cfg->host.ram, "op %" PRIu64 ": element %u "
			  "[%#" PRIx64 ", +%" PRIu64 ") outside RAM", st->total, i, phys, l);
		len += l;
		st->phys_hash = mix(st->phys_hash, phys);
	}
	cr_assert(st->nlive < MAX_LIVE);
	st->live[st->nlive++] = (struct live){ .handle = op->handle, .len = len, .dir = op->dir };
	if (st->nlive > st->max_live)
		st->max_live = st->nlive;
}

/* A DMA: on a live handle, inside it, in a direction its mapping allows. */
static void check_dma(struct stream *st, const struct dma_op *op)
{
	int i = live_find(st, op->handle);

	cr_assert(i >= 0, "op %" PRIu64 ": DMA on handle %" PRIu64 ", not mapped",
		  st->total, op->handle);
	cr_assert(op->len > 0 && op->addr + op->len <= st->live[i].len, "op %" PRIu64
		  ": DMA [%" PRIu64 ", +%" PRIu64 ") past the mapping's %" PRIu64 " bytes",
		  st->total, op->addr, op->len, st->live[i].len);
	cr_assert(op->dir == DMA_DIR_TO_DEVICE || op->dir == DMA_DIR_FROM_DEVICE);
	if (st->live[i].dir != DMA_DIR_BIDIRECTIONAL)
		cr_assert(eq(int, op->dir, st->live[i].dir), "op %" PRIu64 ": DMA direction",
			  st->total);
}

static void check_unmap(struct stream *st, const struct dma_op *op, const struct config *cfg)
{
	int i = live_find(st, op->handle);

	cr_assert(i >= 0, "op %" PRIu64 ": unmap of handle %" PRIu64 ", not mapped",
		  st->total, op->handle);
	cr_assert(op->cpu < cfg->host.cpus);
	st->live[i] = st->live[--st->nlive];
}

static void keep(struct stream *st, const struct dma_op *op)
{
	struct rec *r;

	st->hash = mix(mix(mix(mix(st->hash, op->kind), op->handle), op->addr), op->len);
	st->hash = mix(mix(mix(mix(st->hash, op->dir), op->cpu), op->flags), op->time_ps);
	for (unsigned i = 0; op->kind == OP_MAP_SG && i < op->nsg; i++)
		st->hash = mix(mix(st->hash, op->sg[i].phys), op->sg[i].len);
	if (st->nop == MAX_OPS)
		return;
	r = &st->op[st->nop++];
	*r = (struct rec){ .kind = op->kind, .dir = op->dir, .cpu = op->cpu, .flags = op->flags,
			   .handle = op->handle, .addr = op->addr, .len = op->len,
			   .time_ps = op->time_ps, .sg_at = st->nsg };
	if (op->kind == OP_MAP_SG && st->nsg + op->nsg <= MAX_SG) {
		r->nsg = op->nsg;
		memcpy(&st->sg[st->nsg], op->sg, op->nsg * sizeof(*op->sg));
		st->nsg += op->nsg;
	}
}

/*
 * Loads DIR name.yaml with sets, opens generator gen through synth_find(),
 * drains it checking every op, and checks that nothing is left mapped.
 */
static struct stream *drain(const char *gen, const char *name, const char **sets, unsigned nsets)
{
	struct stream *st = calloc(1, sizeof(*st));
	struct op_source src = { 0 };
	struct config cfg;
	struct dma_op op;
	char path[256];
	int rc;

	cr_assert(st != NULL);
	snprintf(path, sizeof(path), DIR "%s.yaml", name);
	cr_assert(eq(int, config_load(&cfg, path, (char *const *)sets, nsets), 0), "%s", path);
	cr_assert(eq(str, cfg.workload.generator, (char *)gen));
	cr_assert(synth_find(gen) != NULL, "%s", gen);
	cr_assert(eq(int, synth_find(gen)->open(&src, &cfg), 0));
	while ((rc = op_source_next(&src, &op)) > 0) {
		if (op.kind == OP_MAP || op.kind == OP_MAP_SG)
			check_map(st, &op, &cfg);
		else if (op.kind == OP_DMA)
			check_dma(st, &op);
		else if (op.kind == OP_UNMAP)
			check_unmap(st, &op, &cfg);
		else if (op.kind == OP_DEVICE && st->total == 0 && op.dev == 0)
			st->declared = op.len;	/* the driver's DMA parameters, first */
		else
			cr_fatal("op %" PRIu64 ": kind %d from a generator", st->total, op.kind);
		if (op.kind == OP_DEVICE) {
			st->total++;
			continue;
		}
		st->count[op.kind]++;
		st->aux += op.kind == OP_DMA && (op.flags & OP_F_AUX);
		keep(st, &op);
		st->total++;
	}
	cr_assert(eq(int, rc, 0));
	op_source_close(&src);
	config_release(&cfg);
	cr_assert(eq(u32, st->nlive, 0), "%u mappings left at the end", st->nlive);
	return st;
}

/* The kinds of the kept ops as letters: M map, S map_sg, D dma, U unmap. */
static char *kinds(const struct stream *st, char *buf, size_t n)
{
	static const char letter[] = { [OP_MAP] = 'M', [OP_MAP_SG] = 'S', [OP_DMA] = 'D',
				       [OP_UNMAP] = 'U' };
	unsigned i;

	for (i = 0; i < st->nop && i + 1 < n; i++)
		buf[i] = letter[st->op[i].kind];
	buf[i] = '\0';
	return buf;
}

static void expect_counts(const struct stream *st, uint64_t map, uint64_t map_sg, uint64_t dma,
			  uint64_t unmap)
{
	cr_expect(eq(u64, st->count[OP_MAP], map), "maps");
	cr_expect(eq(u64, st->count[OP_MAP_SG], map_sg), "map_sg");
	cr_expect(eq(u64, st->count[OP_DMA], dma), "dmas");
	cr_expect(eq(u64, st->count[OP_UNMAP], unmap), "unmaps");
}

/* The handles of the kept ops of one kind, in order. */
static void expect_handles(const struct stream *st, enum op_kind kind, const uint64_t *want,
			   unsigned n)
{
	unsigned j = 0;

	for (unsigned i = 0; i < st->nop; i++) {
		if (st->op[i].kind != kind)
			continue;
		cr_assert(j < n, "more than %u ops of kind %d", n, kind);
		cr_expect(eq(u64, st->op[i].handle, want[j]), "kind %d #%u", kind, j);
		j++;
	}
	cr_expect(eq(u32, j, n), "ops of kind %d", kind);
}

/* ---- nic_rx ---- */

/*
 * 2 rings of 4: maps of descriptors 0..7 (CPU d / 4 % 2), then per packet p
 * (queue p % 2, its next descriptor) DMA, unmap, map; then unmaps of 0..7.
 * Packets 0..9 use descriptors 0 4 1 5 2 6 3 7 0 4.
 * Maps 8 + 10, DMAs 10, unmaps 10 + 8.
 */
Test(synth, nic_rx_two_rings_of_four_map_ring_then_dma_unmap_refill_per_packet)
{
	static const uint64_t dma[] = { 0, 4, 1, 5, 2, 6, 3, 7, 0, 4 };
	struct stream *st = drain("nic_rx", "nic-rx", NULL, 0);
	char k[128];

	expect_counts(st, 18, 0, 10, 18);
	cr_expect(eq(str, kinds(st, k, sizeof(k)),
		     "MMMMMMMM" "DUMDUMDUMDUMDUMDUMDUMDUMDUMDUM" "UUUUUUUU"));
	expect_handles(st, OP_DMA, dma, 10);
	for (unsigned i = 0; i < 8; i++) {
		cr_expect(eq(u64, st->op[i].handle, i));
		cr_expect(eq(u32, st->op[i].cpu, i / 4));
		cr_expect(eq(int, st->op[i].dir, DMA_DIR_FROM_DEVICE));
		cr_expect(eq(u64, st->op[i].len, 2048));
	}
	for (unsigned p = 0; p < 10; p++) {
		const struct rec *d = &st->op[8 + 3 * p];

		cr_expect(eq(u64, d->len, 1500));
		cr_expect(eq(u64, d->time_ps, OP_NO_TIME));
		cr_expect(eq(u64, st->op[8 + 3 * p + 1].handle, d->handle));
		cr_expect(eq(u64, st->op[8 + 3 * p + 2].handle, d->handle));
	}
	free(st);
}

/*
 * refill_batch 4: the device takes 4 packets, then the driver unmaps and
 * refills those 4 (NAPI); 10 packets = batches of 4, 4, 2.
 */
Test(synth, nic_rx_refill_batch_unmaps_and_refills_after_each_batch)
{
	const char *sets[] = { "workload.refill_batch=4" };
	struct stream *st = drain("nic_rx", "nic-rx", sets, 1);
	char k[128];

	expect_counts(st, 18, 0, 10, 18);
	cr_expect(eq(str, kinds(st, k, sizeof(k)),
		     "MMMMMMMM" "DDDDUMUMUMUM" "DDDDUMUMUMUM" "DDUMUM" "UUUUUUUU"));
	free(st);
}

/* recycle: page_pool DMA mapping: buffers mapped once, 10 DMAs, no per-packet work. */
Test(synth, nic_rx_recycle_maps_the_ring_once)
{
	const char *sets[] = { "workload.recycle=true" };
	struct stream *st = drain("nic_rx", "nic-rx", sets, 1);
	char k[128];

	expect_counts(st, 8, 0, 10, 8);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "MMMMMMMM" "DDDDDDDDDD" "UUUUUUUU"));
	free(st);
}

/*
 * desc_size 16: a ring mapping per queue first (handles 8 and 9, 4 * 16
 * bytes), then per packet: read its descriptor, the packet, write the
 * completion (DMAs on the ring at descriptor * 16), unmap, refill.
 */
Test(synth, nic_rx_descriptors_are_read_and_completed_in_the_ring_mapping)
{
	const char *sets[] = { "workload.desc_size=16", "run.ios=2" };
	struct stream *st = drain("nic_rx", "nic-rx", sets, 2);
	char k[128];

	expect_counts(st, 2 + 8 + 2, 0, 6, 8 + 2 + 2);
	cr_expect(eq(str, kinds(st, k, sizeof(k)),
		     "MM" "MMMMMMMM" "DDDUM" "DDDUM" "UUUUUUUUUU"));
	cr_expect(eq(u64, st->op[0].len, 64));
	/* packet 1 is queue 1's first: descriptor 4, ring handle 9, offset 0 */
	cr_expect(eq(u64, st->op[15].handle, 9));
	cr_expect(eq(u64, st->op[15].addr, 0));
	cr_expect(eq(int, st->op[15].dir, DMA_DIR_TO_DEVICE));
	cr_expect(eq(u32, st->op[15].flags, OP_F_AUX), "the descriptor read is not the packet");
	cr_expect(eq(u64, st->op[16].handle, 4));
	cr_expect(eq(u32, st->op[16].flags, 0), "the packet write is the I/O");
	cr_expect(eq(u64, st->op[17].handle, 9));
	cr_expect(eq(int, st->op[17].dir, DMA_DIR_FROM_DEVICE));
	cr_expect(eq(u32, st->op[17].flags, OP_F_AUX), "the completion is not the packet");
	free(st);
}

/*
 * desc_size 16 makes 3 DMAs per packet: read the descriptor (OP_F_AUX), write
 * the packet (the I/O, no flag), write the completion (OP_F_AUX). Over 1000
 * packets: 3000 DMAs, 1000 without OP_F_AUX, 2000 with it. In the 10-packet
 * run with refill_batch 4 (batches of 4, 4, 2 packets) each batch's DMAs
 * are whole triples, in that order: ring (handle 8 + queue) TO_DEVICE aux,
 * buffer (handle < 8) FROM_DEVICE, ring FROM_DEVICE aux.
 */
Test(synth, nic_rx_with_descriptors_makes_one_io_dma_and_two_aux_dmas_per_packet)
{
	const char *many[] = { "workload.desc_size=16", "run.ios=1000" };
	const char *batched[] = { "workload.desc_size=16", "workload.refill_batch=4" };
	struct stream *st = drain("nic_rx", "nic-rx", many, 2);
	unsigned ndma = 0;

	cr_expect(eq(u64, st->count[OP_DMA], 3000));
	cr_expect(eq(u64, st->count[OP_DMA] - st->aux, 1000), "one I/O DMA per packet");
	cr_expect(eq(u64, st->aux, 2000), "two aux DMAs per packet");
	free(st);
	st = drain("nic_rx", "nic-rx", batched, 2);
	cr_expect(eq(u64, st->count[OP_DMA], 30));
	cr_expect(eq(u64, st->aux, 20));
	for (unsigned i = 0; i < st->nop; i++) {
		const struct rec *r = &st->op[i];
		unsigned k = ndma % 3;

		if (r->kind != OP_DMA)
			continue;
		cr_expect(eq(u32, r->flags, k == 1 ? 0 : OP_F_AUX), "DMA %u", ndma);
		cr_expect(k == 1 ? r->handle < 8 : r->handle >= 8, "DMA %u: handle %" PRIu64,
			  ndma, r->handle);
		cr_expect(eq(int, r->dir, k == 0 ? DMA_DIR_TO_DEVICE : DMA_DIR_FROM_DEVICE),
			  "DMA %u", ndma);
		if (k == 2)	/* a batch never ends inside a packet's triple */
			cr_expect(i + 1 < st->nop && (st->op[i + 1].kind != OP_DMA ||
				  st->op[i + 1].flags == OP_F_AUX), "DMA %u", ndma);
		ndma++;
	}
	cr_expect(eq(u32, ndma, 30));
	free(st);
}

/* 2K buffers from 64K pages: 32 buffers per page, handed out in order. */
Test(synth, nic_rx_buffers_are_consecutive_fragments_of_a_page)
{
	struct stream *st = drain("nic_rx", "nic-rx", NULL, 0);

	for (unsigned i = 1; i < 8; i++)
		cr_expect(eq(u64, st->op[i].addr, st->op[0].addr + 2048 * i));
	cr_expect(eq(u64, st->op[0].addr % (64 * KIB), 0));
	free(st);
}

/* ---- dma_bench ---- */

/* One bidirectional map of 64K, DMAs at 0, 64, ..., 576, each waiting, one unmap. */
Test(synth, dma_bench_sequential_one_map_ten_waiting_reads_one_unmap)
{
	struct stream *st = drain("dma_bench", "dma-bench", NULL, 0);
	char k[64];

	expect_counts(st, 1, 0, 10, 1);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "MDDDDDDDDDDU"));
	cr_expect(eq(u64, st->op[0].len, 64 * KIB));
	cr_expect(eq(int, st->op[0].dir, DMA_DIR_BIDIRECTIONAL));
	for (unsigned i = 0; i < 10; i++) {
		cr_expect(eq(u64, st->op[1 + i].addr, 64 * i));
		cr_expect(eq(u64, st->op[1 + i].len, 64));
		cr_expect(eq(u32, st->op[1 + i].flags, OP_F_WAIT));
		cr_expect(eq(int, st->op[1 + i].dir, DMA_DIR_TO_DEVICE));
	}
	free(st);
}

/* ---- nic_tx ---- */

/*
 * One queue, batch 3, 7 packets: (map, DMA) x 3, 3 unmaps, twice, then the
 * 7th packet and its unmap at the end. Handles are descriptors 0..6.
 */
Test(synth, nic_tx_unmaps_come_in_batches_after_every_third_dma)
{
	static const uint64_t h[] = { 0, 1, 2, 3, 4, 5, 6 };
	struct stream *st = drain("nic_tx", "nic-tx", NULL, 0);
	char k[64];

	expect_counts(st, 7, 0, 7, 7);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "MDMDMDUUUMDMDMDUUUMDU"));
	expect_handles(st, OP_MAP, h, 7);
	expect_handles(st, OP_DMA, h, 7);
	expect_handles(st, OP_UNMAP, h, 7);
	for (unsigned i = 0; i < st->nop; i++) {
		cr_expect(eq(u32, st->op[i].cpu, 0));
		if (st->op[i].kind == OP_MAP) {
			cr_expect(eq(int, st->op[i].dir, DMA_DIR_TO_DEVICE));
			cr_expect(eq(u64, st->op[i].len, 1500));
			cr_expect(eq(u64, st->op[i].addr % 128, 0), "skb heads are cache-line aligned");
		}
		if (st->op[i].kind == OP_DMA)
			cr_expect(eq(int, st->op[i].dir, DMA_DIR_TO_DEVICE));
	}
	free(st);
}

/*
 * Two queues (ring 8: queue 1's handles start at 8), batch 2, 7 packets on
 * queues 0 1 0 1 0 1 0. Queue 0 reaches 2 after packet 2 (unmap 0, 1), queue
 * 1 after packet 3 (8, 9), queue 0 again after packet 6 (2, 3); at the end
 * queue 1 still holds packet 5 (10).
 */
Test(synth, nic_tx_batches_are_counted_per_queue)
{
	static const char *sets[] = { "workload.queues=2", "workload.completion_batch=2" };
	static const uint64_t maps[] = { 0, 8, 1, 9, 2, 10, 3 };
	static const uint64_t unmaps[] = { 0, 1, 8, 9, 2, 3, 10 };
	struct stream *st = drain("nic_tx", "nic-tx", sets, 2);
	char k[64];

	expect_counts(st, 7, 0, 7, 7);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "MDMDMDUUMDUUMDMDMDUUU"));
	expect_handles(st, OP_MAP, maps, 7);
	expect_handles(st, OP_UNMAP, unmaps, 7);
	cr_expect(eq(u32, st->op[2].cpu, 1), "queue 1 runs on CPU 1");
	cr_expect(eq(u32, st->op[10].cpu, 1), "and cleans there");
	free(st);
}

/*
 * TSO: sg_frags 2, 3000-byte packets: map_sg of 3 elements, the 66-byte
 * header, then 2934 / 2 = 1467 bytes twice; one 3000-byte DMA. A packet
 * takes 3 descriptors of a 16-entry ring: handles 0 3 6 9 12 15 2.
 */
Test(synth, nic_tx_tso_packet_is_one_map_sg_of_header_and_fragments)
{
	static const char *sets[] = { "workload.ring_size=16", "workload.sg_frags=2",
				      "workload.packet_min=3000", "workload.packet_max=3000" };
	static const uint64_t h[] = { 0, 3, 6, 9, 12, 15, 2 };
	struct stream *st = drain("nic_tx", "nic-tx", sets, 4);
	char k[64];

	expect_counts(st, 0, 7, 7, 7);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "SDSDSDUUUSDSDSDUUUSDU"));
	expect_handles(st, OP_MAP_SG, h, 7);
	expect_handles(st, OP_UNMAP, h, 7);
	for (unsigned i = 0; i < st->nop; i++) {
		const struct rec *r = &st->op[i];
		const struct sg_elem *sg = &st->sg[r->sg_at];

		if (r->kind == OP_DMA)
			cr_expect(eq(u64, r->len, 3000));
		if (r->kind != OP_MAP_SG)
			continue;
		cr_assert(eq(u32, r->nsg, 3));
		cr_expect(eq(u64, sg[0].len, 66));
		cr_expect(eq(u64, sg[1].len, 1467));
		cr_expect(eq(u64, sg[2].len, 1467));
		cr_expect(eq(u64, sg[0].phys % 128, 0));
	}
	free(st);
}

/* 1000 Mb/s, 1500 B: (1500 + 38) * 8 * 10^6 / 1000 = 12,304,000 ps per packet. */
Test(synth, nic_tx_line_rate_stamps_each_dma)
{
	static const char *sets[] = { "workload.line_mbps=1000" };
	struct stream *st = drain("nic_tx", "nic-tx", sets, 1);
	uint64_t n = 0;

	for (unsigned i = 0; i < st->nop; i++) {
		if (st->op[i].kind == OP_DMA)
			cr_expect(eq(u64, st->op[i].time_ps, 12304000 * n++));
		else
			cr_expect(eq(u64, st->op[i].time_ps, OP_NO_TIME));
	}
	cr_expect(eq(u64, n, 7));
	free(st);
}

/* ---- nvme ---- */

/*
 * Queue depth 4, 10 I/Os: (map_sg, DMA) for I/Os 0..3; then (unmap of
 * I/O i - 4, map_sg, DMA) for i = 4..9; then unmaps of I/Os 6..9. The handle
 * is the slot i % 4, on CPU slot % 2.
 */
Test(synth, nvme_queue_depth_four_fills_then_one_io_per_completion)
{
	static const uint64_t maps[] = { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1 };
	static const uint64_t unmaps[] = { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1 };
	struct stream *st = drain("nvme", "nvme", NULL, 0);
	char k[64];

	expect_counts(st, 0, 10, 10, 10);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "SDSDSDSD" "USDUSDUSDUSDUSDUSD" "UUUU"));
	expect_handles(st, OP_MAP_SG, maps, 10);
	expect_handles(st, OP_DMA, maps, 10);
	expect_handles(st, OP_UNMAP, unmaps, 10);
	cr_expect(eq(u32, st->max_live, 4));
	for (unsigned i = 0; i < st->nop; i++) {
		const struct rec *r = &st->op[i];

		if (r->kind != OP_DMA)
			cr_expect(eq(u32, r->cpu, r->handle % 2));
		if (r->kind == OP_DMA) {
			cr_expect(eq(u64, r->addr, 0));
			cr_expect(eq(u64, r->len, 16 * KIB), "one DMA over the whole buffer");
			cr_expect(eq(int, r->dir, DMA_DIR_FROM_DEVICE), "read_pct 100: reads");
		}
		if (r->kind == OP_MAP_SG) {
			/* 16K in a 64K page at a random multiple of 16K: one element */
			cr_expect(eq(u32, r->nsg, 1));
			cr_expect(eq(u64, st->sg[r->sg_at].len, 16 * KIB));
			cr_expect(eq(u64, st->sg[r->sg_at].phys % (16 * KIB), 0));
		}
	}
	free(st);
}

/* 5 I/Os at depth 32: all mapped and moved before the first completion. */
/*
 * The nvme driver sets a 4 GiB - 1 max segment (nvme_probe:
 * dma_set_max_seg_size(dev, 0xffffffff)); the generator declares it first,
 * unless the config sets host.max_seg_size, which then wins. The other
 * generators' drivers keep the PCI default: no declaration.
 */
Test(synth, nvme_declares_its_drivers_max_segment_unless_the_config_sets_one)
{
	const char *sets[] = { "host.max_seg_size=64K" };
	struct stream *st = drain("nvme", "nvme", NULL, 0);

	cr_expect(eq(u64, st->declared, 0xffffffffull));
	free(st);
	st = drain("nvme", "nvme", sets, 1);
	cr_expect(eq(u64, st->declared, 0));
	free(st);
	st = drain("nic_rx", "nic-rx", NULL, 0);
	cr_expect(eq(u64, st->declared, 0));
	free(st);
}

Test(synth, nvme_fewer_ios_than_the_queue_depth)
{
	static const char *sets[] = { "workload.queue_depth=32", "run.ios=5" };
	static const uint64_t h[] = { 0, 1, 2, 3, 4 };
	struct stream *st = drain("nvme", "nvme", sets, 2);
	char k[32];

	cr_expect(eq(str, kinds(st, k, sizeof(k)), "SDSDSDSDSDUUUUU"));
	expect_handles(st, OP_UNMAP, h, 5);
	free(st);
}

struct sg_case {
	const char *name;
	const char *page, *block, *folio, *sgl;	/* --set values */
	unsigned nsg;				/* elements per I/O */
	uint64_t len;				/* bytes of each */
};

/*
 * 4K pages: a 16K I/O in a 64K folio touches 4 pages, one contiguous run.
 * 64K pages: a 256K I/O filling a 256K folio touches 4 pages, one run.
 */
static const struct sg_case sg_cases[] = {
	{ "4K pages, PRP-style", "4K", "16K", "64K", "false", 4, 4 * KIB },
	{ "4K pages, merged", "4K", "16K", "64K", "true", 1, 16 * KIB },
	{ "64K pages, PRP-style", "64K", "256K", "256K", "false", 4, 64 * KIB },
	{ "64K pages, merged", "64K", "256K", "256K", "true", 1, 256 * KIB },
};

ParameterizedTestParameters(synth, nvme_sgl_false_maps_pages_sgl_true_merges_them)
{
	return cr_make_param_array(unsigned, indices, NELEM(sg_cases));
}

ParameterizedTest(unsigned *ix, synth, nvme_sgl_false_maps_pages_sgl_true_merges_them)
{
	const struct sg_case *c = &sg_cases[*ix];
	char s[4][64];
	const char *sets[4] = { s[0], s[1], s[2], s[3] };
	struct stream *st;

	snprintf(s[0], sizeof(s[0]), "host.page_size=%s", c->page);
	snprintf(s[1], sizeof(s[1]), "workload.block_size=%s", c->block);
	snprintf(s[2], sizeof(s[2]), "workload.folio_size=%s", c->folio);
	snprintf(s[3], sizeof(s[3]), "workload.sgl=%s", c->sgl);
	st = drain("nvme", "nvme", sets, 4);
	for (unsigned i = 0; i < st->nop; i++) {
		const struct rec *r = &st->op[i];
		const struct sg_elem *sg = &st->sg[r->sg_at];

		if (r->kind != OP_MAP_SG)
			continue;
		cr_assert(eq(u32, r->nsg, c->nsg), "%s", c->name);
		for (unsigned j = 0; j < r->nsg; j++) {
			cr_expect(eq(u64, sg[j].len, c->len), "%s", c->name);
			cr_expect(eq(u64, sg[j].phys, sg[0].phys + j * c->len), "%s: one run",
				  c->name);
		}
	}
	free(st);
}

/* sequential: 16K I/Os fill a 64K folio in turn: 4 per folio, folio-aligned first. */
Test(synth, nvme_sequential_ios_fill_a_folio_in_turn)
{
	static const char *sets[] = { "workload.pattern=sequential", "run.ios=12" };
	struct stream *st = drain("nvme", "nvme", sets, 2);
	uint64_t phys[12];
	unsigned n = 0;

	for (unsigned i = 0; i < st->nop; i++)
		if (st->op[i].kind == OP_MAP_SG)
			phys[n++] = st->sg[st->op[i].sg_at].phys;
	cr_assert(eq(u32, n, 12));
	for (unsigned i = 0; i < 12; i++) {
		if (i % 4 == 0)
			cr_expect(eq(u64, phys[i] % (64 * KIB), 0), "I/O %u starts a folio", i);
		else
			cr_expect(eq(u64, phys[i], phys[i - 1] + 16 * KIB), "I/O %u follows", i);
	}
	free(st);
}

/* read_pct 0: writes (the device reads); 50: both, each DMA as its map says. */
Test(synth, nvme_read_pct_decides_each_io_direction)
{
	static const char *wr[] = { "workload.read_pct=0" };
	static const char *mixed[] = { "workload.read_pct=50", "run.ios=400" };
	struct stream *st = drain("nvme", "nvme", wr, 1);
	unsigned reads = 0, writes = 0;

	for (unsigned i = 0; i < st->nop; i++)
		if (st->op[i].kind != OP_UNMAP)
			cr_expect(eq(int, st->op[i].dir, DMA_DIR_TO_DEVICE));
	free(st);
	st = drain("nvme", "nvme", mixed, 2);	/* drain() checks DMA dir == map dir */
	for (unsigned i = 0; i < st->nop; i++) {
		if (st->op[i].kind != OP_DMA)
			continue;
		reads += st->op[i].dir == DMA_DIR_FROM_DEVICE;
		writes += st->op[i].dir == DMA_DIR_TO_DEVICE;
	}
	cr_expect(eq(u32, reads + writes, 400));
	cr_expect(reads > 120 && writes > 120, "reads %u, writes %u", reads, writes);
	free(st);
}

/* ---- bulk ---- */

/*
 * 4 buffers of 8M in 2M chunks: 4 map_sg of 4 chunk-aligned 2M elements
 * (handles 0..3, CPU b % 2), 20 DMAs of 1M at 64K-aligned offsets <= 7M,
 * 4 unmaps. No chunk is used twice.
 */
Test(synth, bulk_maps_every_buffer_once_then_dmas_then_unmaps)
{
	static const uint64_t h[] = { 0, 1, 2, 3 };
	struct stream *st = drain("bulk", "bulk", NULL, 0);
	char k[64];

	expect_counts(st, 0, 4, 20, 4);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "SSSS" "DDDDDDDDDDDDDDDDDDDD" "UUUU"));
	expect_handles(st, OP_MAP_SG, h, 4);
	expect_handles(st, OP_UNMAP, h, 4);
	for (unsigned i = 0; i < st->nop; i++) {
		const struct rec *r = &st->op[i];

		if (r->kind == OP_MAP_SG) {
			cr_expect(eq(u32, r->nsg, 4));
			cr_expect(eq(u32, r->cpu, r->handle % 2));
			cr_expect(eq(int, r->dir, DMA_DIR_BIDIRECTIONAL));
			for (unsigned j = 0; j < r->nsg; j++) {
				cr_expect(eq(u64, st->sg[r->sg_at + j].len, 2 * MIB));
				cr_expect(eq(u64, st->sg[r->sg_at + j].phys % (2 * MIB), 0));
			}
		}
		if (r->kind == OP_DMA) {
			cr_expect(eq(u64, r->len, MIB));
			cr_expect(eq(u64, r->addr % (64 * KIB), 0));
			cr_expect(r->addr <= 7 * MIB);
		}
	}
	for (unsigned a = 0; a < st->nsg; a++)
		for (unsigned b = a + 1; b < st->nsg; b++)
			cr_expect(st->sg[a].phys != st->sg[b].phys, "chunks %u and %u", a, b);
	free(st);
}

/* 5M in 2M chunks: 2M, 2M and a short 1M; 256 chunks of 2G's 1024, all distinct. */
Test(synth, bulk_last_chunk_is_short_and_chunks_never_overlap)
{
	static const char *short_sets[] = { "workload.buffer_size=5M" };
	static const char *many_sets[] = { "workload.buffers=64" };
	struct stream *st = drain("bulk", "bulk", short_sets, 1);

	cr_assert(eq(u32, st->op[0].nsg, 3));
	cr_expect(eq(u64, st->sg[2].len, MIB));
	free(st);
	st = drain("bulk", "bulk", many_sets, 1);
	cr_assert(eq(u32, st->nsg, 256));
	for (unsigned a = 0; a < st->nsg; a++)
		for (unsigned b = a + 1; b < st->nsg; b++)
			cr_assert(st->sg[a].phys != st->sg[b].phys, "chunks %u and %u", a, b);
	free(st);
}

/* ---- random ---- */

/*
 * live 4, 10 I/Os: (map, DMA) for I/Os 0..3; then (unmap of a random live
 * one, map, DMA) for 4..9; then the 4 still live. Maps of handles 0..9, each
 * DMA right after its map over the whole buffer.
 */
Test(synth, random_keeps_at_most_live_mappings)
{
	static const uint64_t h[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct stream *st = drain("random", "random", NULL, 0);
	char k[64];

	expect_counts(st, 10, 0, 10, 10);
	cr_expect(eq(str, kinds(st, k, sizeof(k)), "MDMDMDMD" "UMDUMDUMDUMDUMDUMD" "UUUU"));
	expect_handles(st, OP_MAP, h, 10);
	expect_handles(st, OP_DMA, h, 10);
	cr_expect(eq(u32, st->max_live, 4));
	for (unsigned i = 0; i + 1 < st->nop; i++) {
		const struct rec *m = &st->op[i];

		if (m->kind != OP_MAP)
			continue;
		cr_expect(m->len >= 1 && m->len <= 64 * KIB);
		cr_expect(eq(u64, st->op[i + 1].addr, 0));
		cr_expect(eq(u64, st->op[i + 1].len, m->len));
	}
	free(st);
}

/* aligned_pct 100: every buffer on a 64K page; 0: some off a page. */
Test(synth, random_aligned_pct_places_buffers_on_pages)
{
	static const char *all[] = { "workload.aligned_pct=100", "run.ios=200" };
	static const char *none[] = { "workload.aligned_pct=0", "run.ios=200" };
	struct stream *st = drain("random", "random", all, 2);
	unsigned off = 0;

	for (unsigned i = 0; i < st->nop; i++)
		if (st->op[i].kind == OP_MAP)
			cr_expect(eq(u64, st->op[i].addr % (64 * KIB), 0));
	free(st);
	st = drain("random", "random", none, 2);
	for (unsigned i = 0; i < st->nop; i++)
		off += st->op[i].kind == OP_MAP && st->op[i].addr % (64 * KIB);
	cr_expect(off > 190, "%u of 200 off a page", off);
	free(st);
}

/* ---- every generator: invariants over longer runs, and determinism ---- */

struct gen_case {
	const char *gen, *config;
	const char *sets[4];
	unsigned nsets;
	unsigned aux_per_io;	/* DMAs with OP_F_AUX per I/O */
};

static const struct gen_case gen_cases[] = {
	{ "nic_rx", "nic-rx", { "run.ios=2000", "workload.packet_min=64" }, 2, 0 },
	{ "nic_rx", "nic-rx", { "run.ios=2000", "workload.desc_size=32", "workload.refill_batch=8" },
	  3, 2 },
	{ "dma_bench", "dma-bench", { "run.ios=2000", "workload.pattern=random" }, 2, 0 },
	{ "nic_tx", "nic-tx", { "run.ios=2000", "workload.queues=3", "workload.packet_min=64" }, 3, 0 },
	{ "nic_tx", "nic-tx", { "run.ios=2000", "workload.sg_frags=4", "workload.ring_size=64",
				"workload.packet_max=64K" }, 4, 0 },
	{ "nvme", "nvme", { "run.ios=2000", "workload.read_pct=30", "workload.block_size=200K",
			    "workload.pattern=sequential" }, 4, 0 },
	{ "nvme", "nvme", { "run.ios=2000", "workload.block_size=1536", "workload.sgl=true" }, 3, 0 },
	{ "bulk", "bulk", { "run.ios=2000", "workload.buffer_size=7M", "workload.transfer_size=3M" },
	  3, 0 },
	{ "random", "random", { "run.ios=2000", "workload.live=100" }, 2, 0 },
};

ParameterizedTestParameters(synth, every_stream_is_valid_and_the_same_for_the_same_seed)
{
	return cr_make_param_array(unsigned, indices, NELEM(gen_cases));
}

/* drain() checks each op; the same seed gives the same stream, another seed other addresses. */
ParameterizedTest(unsigned *ix, synth, every_stream_is_valid_and_the_same_for_the_same_seed)
{
	const struct gen_case *c = &gen_cases[*ix];
	const char *sets[5];
	struct stream *a, *b, *d;

	memcpy(sets, c->sets, c->nsets * sizeof(*sets));
	a = drain(c->gen, c->config, sets, c->nsets);
	b = drain(c->gen, c->config, sets, c->nsets);
	sets[c->nsets] = "run.seed=2";
	d = drain(c->gen, c->config, sets, c->nsets + 1);
	cr_expect(eq(u64, a->count[OP_DMA] - a->aux, 2000),
		  "%s: run.ios I/Os, each one DMA without OP_F_AUX", c->gen);
	cr_expect(eq(u64, a->aux, 2000 * c->aux_per_io), "%s: aux DMAs", c->gen);
	cr_expect(eq(u64, a->count[OP_MAP] + a->count[OP_MAP_SG], a->count[OP_UNMAP]),
		  "%s: every map unmapped", c->gen);
	cr_expect(eq(u64, a->total, b->total), "%s", c->gen);
	cr_expect(eq(u64, a->hash, b->hash), "%s: same seed, same stream", c->gen);
	cr_expect(a->phys_hash != d->phys_hash, "%s: another seed, other addresses", c->gen);
	free(a);
	free(b);
	free(d);
}

/* Every generator is registered, and every key has a default, a source and help. */
Test(synth, generators_are_found_by_name_and_unknown_names_are_not)
{
	static const char *const names[] = { "nic_rx", "dma_bench", "nic_tx", "nvme", "bulk",
					     "random" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct synth_gen *g = synth_find(names[i]);

		cr_assert(g != NULL, "%s", names[i]);
		cr_expect(g->keys && g->check && g->open && g->help, "%s", names[i]);
		for (const struct cfg_key *k = g->keys; k->name; k++) {
			/* nic_rx.line_mbps predates the rule; a source for it would change
			 * the golden reports, which print it */
			bool exempt = !strcmp(names[i], "nic_rx") && !strcmp(k->name, "line_mbps");

			cr_expect(k->def && (k->src || exempt) && k->help,
				  "%s.%s: default, source, help", names[i], k->name);
		}
	}
	cr_expect(synth_find("nic_tx9") == NULL);
}

/* What one I/O is: the unit a report counts, one DMA without OP_F_AUX each. */
Test(synth, every_generator_names_its_io)
{
	static const char *const want[][2] = {
		{ "nic_rx", "packet" }, { "nic_tx", "packet" }, { "nvme", "NVMe command" },
		{ "bulk", "DMA" }, { "random", "DMA" }, { "dma_bench", "DMA" },
	};
	unsigned n = 0;

	for (unsigned i = 0; i < NELEM(want); i++) {
		const struct synth_gen *g = synth_find(want[i][0]);

		cr_assert(g != NULL, "%s", want[i][0]);
		cr_expect(g->io_name && !strcmp(g->io_name, want[i][1]), "%s: io_name '%s'",
			  want[i][0], g->io_name ? g->io_name : "(null)");
	}
	for (const struct synth_gen *g = synth_gens; g->name; g++)
		n++;
	cr_expect(eq(u32, n, NELEM(want)), "every generator is in the table above");
}

/* ---- the cross-field checks: exact messages ---- */

struct bad_case {
	const char *config;
	const char *sets[3];
	unsigned nsets;
	const char *msg;	/* stderr */
};

static const struct bad_case bad_cases[] = {
	{ "nic-tx", { "workload.completion_batch=9" }, 1,
	  "--set workload.completion_batch=9: workload.completion_batch: packets awaiting "
	  "completion must fit the ring: completion_batch * (sg_frags + 1) at most "
	  "workload.ring_size\n" },
	{ "nic-tx", { "workload.ring_size=16", "workload.sg_frags=2", "workload.packet_min=60" }, 3,
	  "--set workload.packet_min=60: workload.packet_min: with workload.sg_frags, a packet "
	  "must hold its header and a byte per fragment: at least workload.header_size + "
	  "workload.sg_frags\n" },
	{ "nic-tx", { "workload.packet_min=2000" }, 1,
	  "--set workload.packet_min=2000: workload.packet_min: larger than workload.packet_max\n" },
	{ "nvme", { "workload.block_size=1000" }, 1,
	  "--set workload.block_size=1000: workload.block_size: expected a multiple of 512 bytes "
	  "(a sector)\n" },
	{ "nvme", { "workload.folio_size=16K" }, 1,
	  "--set workload.folio_size=16K: workload.folio_size: a folio is at least one kernel "
	  "page: at least host.page_size\n" },
	{ "bulk", { "workload.chunk_size=16K" }, 1,
	  "--set workload.chunk_size=16K: workload.chunk_size: a chunk is at least one kernel "
	  "page: at least host.page_size\n" },
	{ "bulk", { "host.page_size=4K", "workload.chunk_size=4K", "workload.buffer_size=32M" }, 3,
	  "--set workload.buffer_size=32M: workload.buffer_size: at most 4096 chunks per buffer "
	  "(one map_sg): raise workload.chunk_size\n" },
	{ "bulk", { "workload.buffers=200" }, 1,
	  "--set workload.buffers=200: workload.buffers: the buffers must fit in half of "
	  "host.ram: buffers * buffer_size, in whole chunks, at most host.ram / 2\n" },
	{ "bulk", { "workload.transfer_size=16M" }, 1,
	  "--set workload.transfer_size=16M: workload.transfer_size: larger than "
	  "workload.buffer_size\n" },
	{ "random", { "workload.size_min=128K" }, 1,
	  "--set workload.size_min=128K: workload.size_min: larger than workload.size_max\n" },
	{ "random", { "workload.size_max=1G" }, 1,
	  "--set workload.size_max=1G: workload.size_max: buffers must be far smaller than "
	  "host.ram\n" },
};

ParameterizedTestParameters(synth, cross_field_rules_name_the_key_and_the_rule)
{
	return cr_make_param_array(unsigned, indices, NELEM(bad_cases));
}

ParameterizedTest(unsigned *ix, synth, cross_field_rules_name_the_key_and_the_rule,
		  .init = cr_redirect_stderr)
{
	const struct bad_case *c = &bad_cases[*ix];
	struct config cfg;
	char path[256];

	snprintf(path, sizeof(path), DIR "%s.yaml", c->config);
	cr_expect(eq(int, config_load(&cfg, path, (char *const *)c->sets, c->nsets), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str(c->msg);
}

/* A rule broken in a file points at the value there. */
Test(synth, cross_field_rule_broken_in_a_file_points_at_the_value, .init = cr_redirect_stderr)
{
	struct config cfg;

	cr_expect(eq(int, config_load(&cfg, DIR "bad-bulk-transfer.yaml", NULL, 0), -1));
	config_release(&cfg);
	fflush(stderr);
	cr_assert_stderr_eq_str(DIR "bad-bulk-transfer.yaml:12:18: workload.transfer_size: "
				"larger than workload.buffer_size\n");
}

/* ---- end to end: each workload file through ./ddwsim ---- */

static const char *bin(void)
{
	const char *b = getenv("DDWSIM_BIN");

	return b && *b ? b : "./ddwsim";
}

/* Runs bin args; returns the exit code, stdout in out (n bytes). */
static int run_bin(const char *args, char *out, size_t n)
{
	char cmd[4096], tmp[] = "/tmp/ddwsim-synth-XXXXXX";
	int fd = mkstemp(tmp), st;
	FILE *fp;
	size_t got;

	cr_assert(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s >%s </dev/null", bin(), args, tmp);
	st = system(cmd);
	fp = fopen(tmp, "r");
	cr_assert(fp != NULL);
	got = fread(out, 1, n - 1, fp);
	out[got] = '\0';
	fclose(fp);
	unlink(tmp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Runs bin --config DIR e2e-NAME.yaml extra; returns the exit code, stdout in out. */
static int run_e2e(const char *name, const char *extra, char *out, size_t n)
{
	char args[1024];

	snprintf(args, sizeof(args), "--config " DIR "e2e-%s.yaml %s", name, extra);
	return run_bin(args, out, n);
}

static const char *const workloads[] = {
	"nic-tx-100g-1500", "nvme-4k-randread-qd32", "bulk-gpu-4m", "random-stress",
	"nic-rx-1500", "pcie-bench-64b-read",
};

_Static_assert(NELEM(sg_cases) <= NELEM(indices) && NELEM(gen_cases) <= NELEM(indices) &&
	       NELEM(bad_cases) <= NELEM(indices) && NELEM(workloads) <= NELEM(indices),
	       "an index for every case");

ParameterizedTestParameters(synth, every_workload_file_runs_end_to_end)
{
	return cr_make_param_array(unsigned, indices, NELEM(workloads));
}

/* Timed and functional replays exit 0 with nothing failed, faulted or left mapped. */
ParameterizedTest(unsigned *ix, synth, every_workload_file_runs_end_to_end)
{
	const char *const *name = &workloads[*ix];
	static const char *const zero[] = { "map.failures", "faults", "unmapped_dmas",
					    "live_mappings_at_end" };
	static const char *const extra[] = { "", "--set run.timing=false" };
	char *out = malloc(1 << 20);

	cr_assert(out != NULL);
	for (unsigned e = 0; e < 2; e++) {
		cr_assert(eq(int, run_e2e(*name, extra[e], out, 1 << 20), 0), "%s %s", *name,
			  extra[e]);
		for (unsigned z = 0; z < sizeof(zero) / sizeof(zero[0]); z++) {
			const char *line = strstr(out, zero[z]);
			unsigned long long a, b, c;

			cr_assert(line != NULL, "%s: %s", *name, zero[z]);
			cr_assert(eq(int, sscanf(line + strlen(zero[z]), "%llu %llu %llu", &a, &b, &c),
				     3), "%s: %s", *name, zero[z]);
			cr_expect(a == 0 && b == 0 && c == 0, "%s %s: %s %llu %llu %llu", *name,
				  extra[e], zero[z], a, b, c);
		}
	}
	free(out);
}

/* ---- end to end: a generated trace carries OP_F_AUX ---- */

#define GEN_SETS	"--set workload.desc_size=16 --set run.ios=300"

/* The DMAs of trace path, and how many of them carry OP_F_AUX. */
static void count_trace_dmas(const char *path, uint64_t *dmas, uint64_t *aux)
{
	struct op_source src;
	struct dma_op op;
	int rc;

	*dmas = *aux = 0;
	cr_assert(eq(int, trace_open(&src, path), 0), "%s", path);
	while ((rc = op_source_next(&src, &op)) > 0) {
		*dmas += op.kind == OP_DMA;
		*aux += op.kind == OP_DMA && (op.flags & OP_F_AUX);
	}
	cr_expect(eq(int, rc, 0), "%s", path);
	op_source_close(&src);
}

/* Writes dir/c.yaml: e2e-nic-rx-1500.yaml's platform, host and modes, replaying trace. */
static void write_replay_config(const char *dir, const char *trace, char *cfg, size_t n)
{
	char cwd[512];
	FILE *fp;

	cr_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(cfg, n, "%s/c.yaml", dir);
	fp = fopen(cfg, "w");
	cr_assert(fp != NULL);
	fprintf(fp, "platform: %s/configs/platforms/qemu-pseries.yaml\n", cwd);
	fprintf(fp, "host: %s/configs/hosts/qemu-guest-2g.yaml\n", cwd);
	fprintf(fp, "modes:\n"
		    "  - {name: default-window, mapping: dynamic, window: default}\n"
		    "  - {name: ddw-dynamic, mapping: dynamic, window: {page_size: 64K, size: 1G, levels: 1}}\n"
		    "  - {name: ddw-direct, mapping: direct, window: {page_size: 16M, size: ram, levels: 1}}\n"
		    "workload: {trace: %s}\nrun: {seed: 1}\n", trace);
	cr_assert(eq(int, fclose(fp), 0));
}

/*
 * nic_rx with descriptors through `trace gen`, in both formats: 300 packets
 * make 900 DMAs, 600 of them OP_F_AUX (a descriptor read and a completion
 * per packet), all in the file; replayed, the trace gives the generator's
 * own CSV report byte for byte.
 */
Test(synth, generated_trace_keeps_aux_dmas_and_replays_to_the_same_report, .timeout = 120)
{
	static const char *const ext[] = { "ddwb", "ddwt" };
	char dir[] = "/tmp/ddwsim-synth-gen-XXXXXX", args[1024], trace[256], cfg[320];
	char *want = malloc(1 << 20), *got = malloc(1 << 20);
	uint64_t dmas, aux;

	cr_assert(want && got && mkdtemp(dir));
	cr_assert(eq(int, run_e2e("nic-rx-1500", GEN_SETS " --format csv", want, 1 << 20), 0));
	for (unsigned e = 0; e < NELEM(ext); e++) {
		snprintf(trace, sizeof(trace), "%s/t.%s", dir, ext[e]);
		snprintf(args, sizeof(args), "trace gen --config " DIR "e2e-nic-rx-1500.yaml "
			 GEN_SETS " %s", trace);
		cr_assert(eq(int, run_bin(args, got, 1 << 20), 0), "%s", args);
		count_trace_dmas(trace, &dmas, &aux);
		cr_expect(eq(u64, dmas, 900), "%s", ext[e]);
		cr_expect(eq(u64, aux, 600), "%s", ext[e]);
		write_replay_config(dir, trace, cfg, sizeof(cfg));
		snprintf(args, sizeof(args), "--config %s --format csv", cfg);
		cr_assert(eq(int, run_bin(args, got, 1 << 20), 0), "%s", args);
		cr_expect(eq(str, got, want), "%s replay differs from the generator", ext[e]);
		unlink(trace);
		unlink(cfg);
	}
	cr_expect(eq(int, rmdir(dir), 0));
	free(want);
	free(got);
}
