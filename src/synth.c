/*
 * synth.c - synthetic workload generators.
 *
 * nic_rx: a NIC receive path as Linux drivers run it. Each of `queues` rings
 * holds `ring_size` descriptors, each a `buffer_size` buffer mapped
 * DMA_FROM_DEVICE. Per packet the device writes the packet into the next
 * descriptor's buffer (one DMA from offset 0), the driver unmaps the buffer,
 * hands it to the stack and refills the descriptor with a fresh buffer,
 * mapped at once (map per packet, as drivers without page recycling do).
 * Buffers are fragments of kernel pages (page_frag style): a page drawn at
 * random from RAM is cut into page_size / buffer_size buffers handed out in
 * order, so buffers that are close in time share pages, as in a real driver.
 * Queue q is served by CPU q % host.cpus, which picks the allocator pool.
 *
 * Op stream: ring_size * queues maps; then ios times (dma, unmap, map); then
 * an unmap of every descriptor (interface down), so the allocator ends empty.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/rng.h"
#include "ddwsim/synth.h"
#include "ddwsim/xalloc.h"

struct nic_rx_params {
	unsigned ring_size;		/* descriptors per queue */
	unsigned queues;		/* receive queues */
	uint64_t buffer_size;		/* bytes per buffer */
	uint64_t packet_min;		/* smallest packet, bytes */
	uint64_t packet_max;		/* largest packet, bytes (uniform in between) */
	uint64_t line_mbps;		/* wire rate, Mb/s; 0 = as fast as the host allows */
};

_Static_assert(sizeof(struct nic_rx_params) <= CONFIG_PARAMS_WORDS * sizeof(uint64_t),
	       "generator parameters fit in workload_cfg.params");

#define N(f)	offsetof(struct nic_rx_params, f)

static const struct cfg_key nic_rx_keys[] = {
	{ .name = "ring_size", .type = CFG_U32, .off = N(ring_size), .min = 1, .max = 1u << 20,
	  .def = "256", .unit = "descriptors", .src = "assumed (a common RX ring default)",
	  .help = "descriptors per receive ring" },
	{ .name = "queues", .type = CFG_U32, .off = N(queues), .min = 1, .max = 1024, .def = "1",
	  .src = "assumed", .help = "receive queues; queue q runs on CPU q % host.cpus" },
	{ .name = "buffer_size", .type = CFG_SIZE, .off = N(buffer_size), .min = 64, .max = 1u << 30,
	  .def = "2K", .unit = "bytes", .src = "assumed (one 1500-byte frame per 2K fragment)",
	  .help = "receive buffer size" },
	{ .name = "packet_min", .type = CFG_SIZE, .off = N(packet_min), .min = 1, .max = 1u << 30,
	  .def = "1500", .unit = "bytes", .src = "Ethernet MTU", .help = "smallest packet" },
	{ .name = "packet_max", .type = CFG_SIZE, .off = N(packet_max), .min = 1, .max = 1u << 30,
	  .def = "1500", .unit = "bytes", .src = "Ethernet MTU", .help = "largest packet" },
	{ .name = "line_mbps", .type = CFG_U64, .off = N(line_mbps), .min = 0, .max = 10000000,
	  .def = "0", .unit = "Mb/s",
	  .help = "wire rate: packet i arrives at i * (size + 38 B of Ethernet framing) * 8 / rate; 0 = unpaced" },
	{ 0 },
};

struct nic_rx {
	struct nic_rx_params p;
	struct rng rng;
	uint64_t ram;			/* bytes */
	unsigned page_shift;		/* kernel page */
	unsigned cpus;
	uint64_t ios;			/* packets to receive */
	uint64_t *phys;			/* per descriptor: its buffer */
	uint64_t ndesc;
	uint64_t page;			/* current page being cut into buffers */
	uint64_t page_used;		/* bytes of it handed out */
	uint64_t step;			/* position in the op stream */
	uint64_t *next_desc;		/* per queue: next descriptor to fill */
	uint64_t wire_ps;		/* when the wire is free for the next packet */
};

static uint64_t new_buffer(struct nic_rx *g)
{
	uint64_t psize = 1ull << g->page_shift;
	uint64_t len = g->p.buffer_size;

	if (len >= psize) {
		/* whole pages: a random page-aligned run of them */
		uint64_t pages = (len + psize - 1) >> g->page_shift;

		return rng_below(&g->rng, (g->ram >> g->page_shift) - pages + 1) << g->page_shift;
	}
	if (g->page_used + len > psize || g->page_used == 0) {
		g->page = rng_below(&g->rng, g->ram >> g->page_shift) << g->page_shift;
		g->page_used = 0;
	}
	g->page_used += len;
	return g->page + g->page_used - len;
}

static void emit_map(struct nic_rx *g, uint64_t d, struct dma_op *op)
{
	g->phys[d] = new_buffer(g);
	*op = (struct dma_op){
		.kind = OP_MAP, .dir = DMA_DIR_FROM_DEVICE, .handle = d, .addr = g->phys[d],
		.len = g->p.buffer_size, .cpu = (unsigned)((d / g->p.ring_size) % g->cpus),
		.rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME,
	};
}

static int nic_rx_next(void *state, struct dma_op *op)
{
	struct nic_rx *g = state;
	uint64_t s = g->step++, pkt, q, d;

	if (s < g->ndesc) {
		emit_map(g, s, op);
		return 1;
	}
	s -= g->ndesc;
	pkt = s / 3;
	if (pkt < g->ios) {
		q = pkt % g->p.queues;
		d = q * g->p.ring_size + g->next_desc[q];
		switch (s % 3) {
		case 0: {
			uint64_t span = g->p.packet_max - g->p.packet_min + 1;
			uint64_t len = g->p.packet_min + (span > 1 ? rng_below(&g->rng, span) : 0);

			*op = (struct dma_op){ .kind = OP_DMA, .dir = DMA_DIR_FROM_DEVICE, .handle = d,
					       .addr = 0, .len = len, .time_ps = OP_NO_TIME };
			if (g->p.line_mbps) {
				/* preamble+SFD 8, header 14, FCS 4, gap 12: 38 bytes around the
				 * payload on the wire (IEEE 802.3) */
				op->time_ps = g->wire_ps;
				g->wire_ps += (len + 38) * 8 * 1000000 / g->p.line_mbps;
			}
			return 1;
		}
		case 1:
			*op = (struct dma_op){ .kind = OP_UNMAP, .handle = d,
					       .cpu = (unsigned)(q % g->cpus), .time_ps = OP_NO_TIME };
			return 1;
		default:
			emit_map(g, d, op);
			g->next_desc[q] = (g->next_desc[q] + 1) % g->p.ring_size;
			return 1;
		}
	}
	s -= g->ios * 3;
	if (s < g->ndesc) {
		*op = (struct dma_op){ .kind = OP_UNMAP, .handle = s, .time_ps = OP_NO_TIME,
				       .cpu = (unsigned)((s / g->p.ring_size) % g->cpus) };
		return 1;
	}
	return 0;
}

static void nic_rx_close(void *state)
{
	struct nic_rx *g = state;

	free(g->phys);
	free(g->next_desc);
	free(g);
}

static const struct op_source_ops nic_rx_ops = {
	.name = "nic_rx", .next = nic_rx_next, .close = nic_rx_close,
};

static const char *nic_rx_check(const struct config *cfg, const char **key)
{
	const struct nic_rx_params *p = (const void *)cfg->workload.params;

	if (p->packet_min > p->packet_max)
		return *key = "packet_min", "larger than workload.packet_max";
	if (p->packet_max > p->buffer_size)
		return *key = "packet_max", "a packet must fit its buffer: at most workload.buffer_size";
	if (p->buffer_size > cfg->host.ram / 4)
		return *key = "buffer_size", "buffers must be far smaller than host.ram";
	return NULL;
}

static int nic_rx_open(struct op_source *src, const struct config *cfg)
{
	struct nic_rx *g = xcalloc(1, sizeof(*g));

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	g->ram = cfg->host.ram;
	g->page_shift = cfg->host.page_shift;
	g->cpus = cfg->host.cpus;
	g->ios = cfg->run.ios;
	g->ndesc = (uint64_t)g->p.ring_size * g->p.queues;
	g->phys = xcalloc(g->ndesc, sizeof(*g->phys));
	g->next_desc = xcalloc(g->p.queues, sizeof(*g->next_desc));
	src->ops = &nic_rx_ops;
	src->state = g;
	return 0;
}

/*
 * dma_bench: pcie-bench's DMA tests (Neugebauer et al., SIGCOMM 2018). One
 * buffer of `window` bytes is mapped once; the device then makes `ios` DMAs
 * of `access` bytes at random (or sequential) access-aligned offsets in it,
 * one at a time (outstanding: 1, as the latency test) or pipelined (0, as
 * the bandwidth test); finally the buffer is unmapped.
 */
struct dma_bench_params {
	uint64_t window;		/* bytes mapped */
	uint64_t access;		/* bytes per DMA */
	int direction;			/* 0 read, 1 write */
	int pattern;			/* 0 random, 1 sequential */
	unsigned outstanding;		/* 1 = wait for each DMA; 0 = pipelined */
};

_Static_assert(sizeof(struct dma_bench_params) <= CONFIG_PARAMS_WORDS * sizeof(uint64_t),
	       "generator parameters fit in workload_cfg.params");

static const char *const dir_names[] = { "read", "write", NULL };
static const char *const pattern_names[] = { "random", "sequential", NULL };

#define B(f)	offsetof(struct dma_bench_params, f)

static const struct cfg_key dma_bench_keys[] = {
	{ .name = "window", .type = CFG_SIZE, .off = B(window), .min = 64, .max = 1ull << 40,
	  .def = "64M", .unit = "bytes", .src = "pcie-bench windows are 8K..64M (numbers.md §4)",
	  .help = "bytes mapped once, which the DMAs land in" },
	{ .name = "access", .type = CFG_SIZE, .off = B(access), .min = 1, .max = 1u << 30,
	  .def = "64", .unit = "bytes", .src = "pcie-bench 64 B tests (numbers.md §4)",
	  .help = "bytes per DMA; offsets are multiples of it" },
	{ .name = "direction", .type = CFG_ENUM, .off = B(direction), .enums = dir_names,
	  .def = "read", .help = "read (device reads memory) or write" },
	{ .name = "pattern", .type = CFG_ENUM, .off = B(pattern), .enums = pattern_names,
	  .def = "random", .help = "random or sequential offsets" },
	{ .name = "outstanding", .type = CFG_U32, .off = B(outstanding), .min = 0, .max = 1,
	  .def = "1", .help = "1: one DMA at a time (latency test); 0: pipelined (bandwidth test)" },
	{ 0 },
};

struct dma_bench {
	struct dma_bench_params p;
	struct rng rng;
	uint64_t phys, ios, step, slots;
};

static int dma_bench_next(void *state, struct dma_op *op)
{
	struct dma_bench *g = state;
	uint64_t s = g->step++;
	enum dma_dir dir = g->p.direction ? DMA_DIR_FROM_DEVICE : DMA_DIR_TO_DEVICE;

	*op = (struct dma_op){ .rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME };
	if (s == 0) {
		op->kind = OP_MAP;
		op->dir = DMA_DIR_BIDIRECTIONAL;
		op->addr = g->phys;
		op->len = g->p.window;
		return 1;
	}
	if (s <= g->ios) {
		uint64_t slot = g->p.pattern ? (s - 1) % g->slots : rng_below(&g->rng, g->slots);

		op->kind = OP_DMA;
		op->dir = dir;
		op->addr = slot * g->p.access;
		op->len = g->p.access;
		op->flags = g->p.outstanding ? OP_F_WAIT : 0;
		return 1;
	}
	if (s == g->ios + 1) {
		op->kind = OP_UNMAP;
		return 1;
	}
	return 0;
}

static void dma_bench_close(void *state)
{
	free(state);
}

static const struct op_source_ops dma_bench_ops = {
	.name = "dma_bench", .next = dma_bench_next, .close = dma_bench_close,
};

static const char *dma_bench_check(const struct config *cfg, const char **key)
{
	const struct dma_bench_params *p = (const void *)cfg->workload.params;

	if (p->access > p->window)
		return *key = "access", "larger than workload.window";
	if (p->window > cfg->host.ram / 2)
		return *key = "window", "at most half of host.ram";
	return NULL;
}

static int dma_bench_open(struct op_source *src, const struct config *cfg)
{
	struct dma_bench *g = xcalloc(1, sizeof(*g));
	uint64_t page = 1ull << cfg->host.page_shift, pages;

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	pages = (g->p.window + page - 1) / page;
	g->phys = rng_below(&g->rng, (cfg->host.ram / page) - pages + 1) * page;
	g->ios = cfg->run.ios;
	g->slots = g->p.window / g->p.access;
	src->ops = &dma_bench_ops;
	src->state = g;
	return 0;
}

const struct synth_gen synth_gens[] = {
	{ .name = "nic_rx", .help = "NIC receive rings: map per packet, DMA write, unmap",
	  .keys = nic_rx_keys, .check = nic_rx_check, .open = nic_rx_open },
	{ .name = "dma_bench", .help = "pcie-bench style DMAs into one buffer mapped once",
	  .keys = dma_bench_keys, .check = dma_bench_check, .open = dma_bench_open },
	{ 0 },
};

const struct synth_gen *synth_find(const char *name)
{
	for (const struct synth_gen *g = synth_gens; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}
