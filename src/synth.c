/*
 * synth.c - synthetic workload generators: NIC receive and transmit, NVMe,
 * GPU-style bulk buffers, pcie-bench DMAs and a random stress test.
 *
 * Each generator is a parameter struct (filled from its cfg_key table by
 * config.c into workload_cfg.params), a check of the rules the table cannot
 * express, and an op source. A source keeps all its state in its struct:
 * memory grows with rings, queues and live mappings, never with run.ios,
 * and no op allocates. Every random choice comes from one rng seeded with
 * run.seed, in stream order, so the same seed gives the same stream.
 *
 * Every stream is valid for the replay: a DMA names a live handle and stays
 * within its length, an unmap names a live handle, no live handle is mapped
 * again, and the stream ends with everything unmapped. run.ios counts I/Os
 * (the unit is the generator's io_name: a packet, an NVMe command, a DMA).
 * Each I/O has exactly one DMA without OP_F_AUX, the one that moves its
 * data; any other DMA of the I/O (nic_rx's descriptor read and completion
 * write) carries OP_F_AUX, so a report counts I/Os as the DMAs without it.
 *
 *   generator   models                         per I/O                   mapped
 *   nic_rx      NIC receive rings              [aux dma], dma,           per packet
 *                                              [aux dma], unmap, map
 *   nic_tx      NIC transmit rings             map(_sg), dma; unmaps     per packet
 *                                              in completion batches
 *   nvme        NVMe SSD at a queue depth      map_sg, dma, unmap        per I/O
 *   bulk        GPU / accelerator buffers      dma                       once
 *   dma_bench   pcie-bench DMA tests           dma                       once
 *   random      stress: random sizes and       [unmap], map, dma         per I/O
 *               addresses over all RAM
 *
 * Each generator's exact op stream is described above its code.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/rng.h"
#include "ddwsim/synth.h"
#include "ddwsim/xalloc.h"

#define CACHE_LINE	128	/* L1_CACHE_BYTES on ppc64 (asm/cache.h: L1_CACHE_SHIFT 7) */
#define MAP_SG_MAX	4096	/* longest map_sg a trace holds (trace_text.c) */
#define ETH_FRAMING	38	/* preamble+SFD 8, header 14, FCS 4, gap 12 (IEEE 802.3) */

static const char *const dir_names[] = { "read", "write", NULL };
static const char *const pattern_names[] = { "random", "sequential", NULL };

/* --- helpers shared by the generators --- */

/* Uniform in [lo, hi]; draws nothing when lo == hi. */
static uint64_t uniform(struct rng *r, uint64_t lo, uint64_t hi)
{
	return hi > lo ? lo + rng_below(r, hi - lo + 1) : lo;
}

/* True with probability pct / 100 (pct in 0..100); always draws one number. */
static bool chance(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

/*
 * Wire pacing: the packet of len bytes starts when the wire is free; it
 * then holds the wire for (len + 38 bytes of framing) * 8 / mbps. Returns
 * its start, ps. The sums stay below 2^64 - 1 ps: stamps_overflow() refused
 * the parameters that would take them there.
 */
static uint64_t wire_slot(uint64_t *wire_ps, uint64_t len, uint64_t mbps)
{
	uint64_t t = *wire_ps;

	*wire_ps += (len + ETH_FRAMING) * 8 * 1000000 / mbps;
	return t;
}

/*
 * True if ios packets of up to packet_max bytes, paced at mbps, would be
 * stamped at 2^64 - 1 ps or later (TICK_NEVER; 1 Mb/s and 1G packets reach it
 * after 2147 of them). Each slot is at most (packet_max + 38) * 8 * 10^6 / mbps
 * ps, which itself fits: packet_max <= 2^30.
 */
static bool stamps_overflow(const struct config *cfg, uint64_t packet_max, uint64_t mbps)
{
	uint64_t slot, last;

	if (!mbps)
		return false;
	slot = (packet_max + ETH_FRAMING) * 8 * 1000000 / mbps;
	return ck_mul(slot, cfg->run.ios, &last) || last == UINT64_MAX;
}

#define STAMPS_MSG "the packets' time stamps would pass 2^64 - 2 ps: run.ios x (packet_max + 38) x 8 x 10^6 / line_mbps must stay below it"

/*
 * page_frag-style buffers: a kernel page drawn at random from RAM is cut
 * into pieces handed out in order, so pieces close in time share pages, as
 * with a driver's or a socket's page_frag. A piece of a page or more is a
 * random page-aligned run of pages of its own.
 */
struct frag_pool {
	uint64_t ram;			/* bytes */
	unsigned page_shift;		/* kernel page */
	uint64_t page;			/* page being cut */
	uint64_t used;			/* bytes of it handed out; 0 = none yet */
};

static void frag_init(struct frag_pool *f, const struct config *cfg)
{
	*f = (struct frag_pool){ .ram = cfg->host.ram, .page_shift = cfg->host.page_shift };
}

static uint64_t frag_alloc(struct frag_pool *f, struct rng *r, uint64_t len)
{
	uint64_t psize = 1ull << f->page_shift;

	if (len >= psize) {
		uint64_t pages = (len + psize - 1) >> f->page_shift;

		return rng_below(r, (f->ram >> f->page_shift) - pages + 1) << f->page_shift;
	}
	if (f->used + len > psize || f->used == 0) {
		f->page = rng_below(r, f->ram >> f->page_shift) << f->page_shift;
		f->used = 0;
	}
	f->used += len;
	return f->page + f->used - len;
}

/*
 * nic_rx: a NIC receive path as Linux drivers run it. Each of `queues` rings
 * holds `ring_size` descriptors, each a `buffer_size` buffer mapped
 * DMA_FROM_DEVICE. Per packet the device writes the packet into the next
 * descriptor's buffer (one DMA from offset 0), the driver unmaps the buffer,
 * hands it to the stack and refills the descriptor with a fresh buffer,
 * mapped at once (map per packet, as drivers without page recycling do).
 * Buffers come from a frag_pool (page_frag style). Packet i goes to queue
 * i % queues; queue q is served by CPU q % host.cpus, which picks the
 * allocator pool. Descriptor d of queue q is handle q * ring_size + d.
 *
 * With desc_size, each queue's descriptors live in one long-lived ring
 * mapping, and per packet the device also reads its descriptor before the
 * packet and writes its completion after it: both are DMAs of the packet
 * that are not the packet, so they carry OP_F_AUX (3 DMAs per packet, one
 * of them without OP_F_AUX).
 *
 * Op stream: ring_size * queues maps; then ios times (dma, unmap, map); then
 * an unmap of every descriptor (interface down), so the allocator ends empty.
 * With desc_size the queues' ring mappings come first and are unmapped last,
 * and each packet's dma becomes (aux dma, dma, aux dma); refill_batch and
 * recycle regroup or drop the unmaps and maps (rx_packets).
 */
struct nic_rx_params {
	unsigned ring_size;		/* descriptors per queue */
	unsigned queues;		/* receive queues */
	uint64_t buffer_size;		/* bytes per buffer */
	uint64_t packet_min;		/* smallest packet, bytes */
	uint64_t packet_max;		/* largest packet, bytes (uniform in between) */
	uint64_t line_mbps;		/* wire rate, Mb/s; 0 = as fast as the host allows */
	uint64_t desc_size;		/* descriptor bytes; 0 = no descriptor DMA */
	uint64_t refill_batch;		/* packets handled per poll before unmap + refill */
	bool recycle;			/* buffers mapped once and reused (page_pool DMA) */
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
	{ .name = "desc_size", .type = CFG_SIZE, .off = N(desc_size), .min = 0, .max = 4096,
	  .def = "0", .unit = "bytes", .src = "0 leaves descriptors out; real NICs use 16-64 B",
	  .help = "each ring's descriptors live in one long-lived mapping; per packet the device "
		  "reads its descriptor and writes a completion of this size (0 = not modelled)" },
	{ .name = "refill_batch", .type = CFG_U64, .off = N(refill_batch), .min = 1, .max = 1u << 20,
	  .def = "1", .unit = "packets", .src = "1 = unmap and refill after each packet; NAPI polls up to 64 (NAPI_POLL_WEIGHT)",
	  .help = "interrupt coalescing: packets received before the driver unmaps and refills them" },
	{ .name = "recycle", .type = CFG_BOOL, .off = N(recycle), .def = "false",
	  .src = "false = map per packet; true = page_pool with PP_FLAG_DMA_MAP",
	  .help = "buffers are mapped once at ring set-up and reused, with no per-packet map or unmap" },
	{ 0 },
};

struct nic_rx {
	struct nic_rx_params p;
	struct rng rng;
	struct frag_pool frag;		/* where buffers come from */
	unsigned cpus;
	uint64_t ios;			/* packets to receive */
	uint64_t ndesc;
	uint64_t step;			/* position in the op stream */
	uint64_t wire_ps;		/* when the wire is free for the next packet */
	uint64_t nring;			/* descriptor-ring mappings: queues, or 0 */
	unsigned per_pkt;		/* ops per packet: device ops (1, or 3 with descriptors)
					 * + 2 host ops unless buffers are recycled */
};

static void rx_map(struct nic_rx *g, uint64_t d, struct dma_op *op)
{
	*op = (struct dma_op){
		.kind = OP_MAP, .dir = DMA_DIR_FROM_DEVICE, .handle = d,
		.addr = frag_alloc(&g->frag, &g->rng, g->p.buffer_size),
		.len = g->p.buffer_size, .cpu = (unsigned)((d / g->p.ring_size) % g->cpus),
		.rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME,
	};
}

/*
 * A DMA of the device on queue q's descriptor d (read the descriptor, or
 * write its completion): part of the packet's I/O, not the packet, so OP_F_AUX.
 */
static void rx_desc(struct nic_rx *g, uint64_t q, uint64_t d, bool write, struct dma_op *op)
{
	*op = (struct dma_op){ .kind = OP_DMA, .handle = g->ndesc + q,
			       .dir = write ? DMA_DIR_FROM_DEVICE : DMA_DIR_TO_DEVICE,
			       .addr = (d % g->p.ring_size) * g->p.desc_size, .len = g->p.desc_size,
			       .flags = OP_F_AUX, .time_ps = OP_NO_TIME };
}

/* Packet p's descriptor: packets go round-robin over the queues. */
static uint64_t rx_slot(const struct nic_rx *g, uint64_t p)
{
	uint64_t q = p % g->p.queues;

	return q * g->p.ring_size + (p / g->p.queues) % g->p.ring_size;
}

/* Device op k of packet p: [read its descriptor], write the packet, [write the completion]. */
static void rx_dev_op(struct nic_rx *g, uint64_t p, unsigned k, struct dma_op *op)
{
	uint64_t q = p % g->p.queues, d = rx_slot(g, p), len;

	if (g->nring && k != 1) {
		rx_desc(g, q, d, k == 2, op);
		return;
	}
	len = uniform(&g->rng, g->p.packet_min, g->p.packet_max);
	*op = (struct dma_op){ .kind = OP_DMA, .dir = DMA_DIR_FROM_DEVICE, .handle = d,
			       .addr = 0, .len = len, .time_ps = OP_NO_TIME };
	if (g->p.line_mbps)
		op->time_ps = wire_slot(&g->wire_ps, len, g->p.line_mbps);
}

/* Host op k of packet p: 0 = unmap its buffer, 1 = refill the descriptor. */
static void rx_host_op(struct nic_rx *g, uint64_t p, unsigned k, struct dma_op *op)
{
	uint64_t d = rx_slot(g, p);

	if (k == 0) {
		*op = (struct dma_op){ .kind = OP_UNMAP, .handle = d, .time_ps = OP_NO_TIME,
				       .cpu = (unsigned)((p % g->p.queues) % g->cpus) };
		return;
	}
	rx_map(g, d, op);
}

/*
 * Op s of the packets: batches of refill_batch packets; each batch is the
 * device's ops for its packets, then (unless buffers are recycled) an unmap
 * and a refill per packet, as a NAPI poll does.
 */
static void rx_packets(struct nic_rx *g, uint64_t s, struct dma_op *op)
{
	uint64_t n = g->p.refill_batch, dev = g->nring ? 3 : 1, host = g->p.recycle ? 0 : 2;
	uint64_t per_batch = n * (dev + host), b = s / per_batch, o = s % per_batch;
	uint64_t first = b * n, in = g->ios - first < n ? g->ios - first : n;

	if (o < in * dev) {
		rx_dev_op(g, first + o / dev, (unsigned)(o % dev), op);
		return;
	}
	o -= in * dev;
	rx_host_op(g, first + o / 2, (unsigned)(o % 2), op);
}

static int nic_rx_next(void *state, struct dma_op *op)
{
	struct nic_rx *g = state;
	uint64_t s = g->step++;

	if (s < g->nring) {	/* the rings, as dma_alloc_coherent maps them */
		*op = (struct dma_op){ .kind = OP_MAP, .dir = DMA_DIR_BIDIRECTIONAL,
				       .handle = g->ndesc + s, .cpu = (unsigned)(s % g->cpus),
				       .len = g->p.ring_size * g->p.desc_size, .rec_bus = OP_NO_BUS,
				       .time_ps = OP_NO_TIME };
		op->addr = frag_alloc(&g->frag, &g->rng, op->len);
		return 1;
	}
	s -= g->nring;
	if (s < g->ndesc) {
		rx_map(g, s, op);
		return 1;
	}
	s -= g->ndesc;
	if (s < g->ios * g->per_pkt) {
		rx_packets(g, s, op);
		return 1;
	}
	s -= g->ios * g->per_pkt;
	if (s < g->ndesc + g->nring) {
		*op = (struct dma_op){ .kind = OP_UNMAP, .handle = s, .time_ps = OP_NO_TIME,
				       .cpu = (unsigned)((s < g->ndesc ? s / g->p.ring_size :
							  s - g->ndesc) % g->cpus) };
		return 1;
	}
	return 0;
}

static void nic_rx_close(void *state)
{
	struct nic_rx *g = state;

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
	if (stamps_overflow(cfg, p->packet_max, p->line_mbps))
		return *key = "line_mbps", STAMPS_MSG;
	return NULL;
}

/* The descriptors' buffers, plus the descriptor rings with desc_size. */
static void nic_rx_load(const struct config *cfg, struct synth_load *ld)
{
	const struct nic_rx_params *p = (const void *)cfg->workload.params;
	uint64_t ndesc = (uint64_t)p->ring_size * p->queues, nring = p->desc_size ? p->queues : 0;

	*ld = (struct synth_load){
		.state = sizeof(struct nic_rx), .live = ndesc + nring, .nseg = 1,
		.live_bytes = sat_add(sat_mul(ndesc, p->buffer_size),
				      sat_mul(nring, sat_mul(p->ring_size, p->desc_size))),
		.dma_max = p->packet_max > p->desc_size ? p->packet_max : p->desc_size,
		.key = "ring_size", .why = "ring_size x queues buffers",
	};
}

static int nic_rx_open(struct op_source *src, const struct config *cfg)
{
	struct nic_rx *g = xcalloc(1, sizeof(*g));

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	frag_init(&g->frag, cfg);
	g->cpus = cfg->host.cpus;
	g->ios = cfg->run.ios;
	g->ndesc = (uint64_t)g->p.ring_size * g->p.queues;
	g->nring = g->p.desc_size ? g->p.queues : 0;
	g->per_pkt = (g->nring ? 3 : 1) + (g->p.recycle ? 0 : 2);
	op_source_set(src, &nic_rx_ops, g);
	return 0;
}

#undef N

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

#define B(f)	offsetof(struct dma_bench_params, f)

static const struct cfg_key dma_bench_keys[] = {
	{ .name = "window", .type = CFG_SIZE, .off = B(window), .min = 64, .max = 1ull << 40,
	  .def = "64M", .unit = "bytes", .src = "pcie-bench windows are 8K..64M (numbers.md §4)",
	  .help = "bytes mapped once, which the DMAs land in" },
	{ .name = "access", .type = CFG_SIZE, .off = B(access), .min = 1, .max = 1u << 30,
	  .def = "64", .unit = "bytes", .src = "pcie-bench 64 B tests (numbers.md §4)",
	  .help = "bytes per DMA; offsets are multiples of it" },
	{ .name = "direction", .type = CFG_ENUM, .off = B(direction), .enums = dir_names,
	  .def = "read", .src = "pcie-bench latency test: 64 B reads (numbers.md §4)",
	  .help = "read (device reads memory) or write" },
	{ .name = "pattern", .type = CFG_ENUM, .off = B(pattern), .enums = pattern_names,
	  .def = "random", .src = "pcie-bench: uniformly random addresses (numbers.md §4)",
	  .help = "random or sequential offsets" },
	{ .name = "outstanding", .type = CFG_U32, .off = B(outstanding), .min = 0, .max = 1,
	  .def = "1", .src = "pcie-bench latency test: one DMA at a time",
	  .help = "1: one DMA at a time (latency test); 0: pipelined (bandwidth test)" },
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

static void dma_bench_load(const struct config *cfg, struct synth_load *ld)
{
	const struct dma_bench_params *p = (const void *)cfg->workload.params;

	*ld = (struct synth_load){ .state = sizeof(struct dma_bench), .live = 1, .nseg = 1,
				   .live_bytes = p->window, .dma_max = p->access, .key = "window",
				   .why = "one window" };
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
	op_source_set(src, &dma_bench_ops, g);
	return 0;
}

#undef B

/*
 * nic_tx: a NIC transmit path. Per packet the driver maps the packet
 * DMA_TO_DEVICE (ndo_start_xmit) and the device reads it: one DMA over the
 * whole mapping. The device reports completions and the driver cleans them
 * in batches of `completion_batch` per queue (interrupt moderation: mlx5
 * raises a TX completion event per 32 completions), unmapping the queue's
 * oldest packets in ring order.
 *
 * Packet i goes to queue i % queues; queue q runs on CPU q % host.cpus. A
 * packet takes sg_frags + 1 descriptors of its ring, and its handle is
 * q * ring_size + its first descriptor. At most completion_batch packets
 * per queue wait for cleaning, so handles stay unique when
 * completion_batch * (sg_frags + 1) <= ring_size, which the check demands.
 *
 * Buffers. sg_frags 0 is a linear skb: the packet's bytes sit in an skb head,
 * cut from kernel pages page_frag style as nic_rx's buffers (each head
 * rounded up to the 128-byte cache line), mapped with one map. sg_frags k is
 * a TSO/GSO skb: header_size bytes of headers in the skb head, then the
 * payload split as evenly as it goes into k fragments cut in order from the
 * socket's page_frag (a second pool), mapped with one map_sg of k + 1
 * elements. Consecutive packets share pages, as in a real stack. (TCP would
 * merge two touching fragments of one skb into one; we keep the k asked for.)
 *
 * With line_mbps set, packet i's DMA is stamped i * (size + 38) * 8 / rate, as
 * nic_rx does; a TSO packet counts as one frame (the framing of the segments
 * it becomes on the wire is not added).
 *
 * Op stream: per packet, map (or map_sg) then DMA; when that DMA brings its
 * queue's uncleaned packets to completion_batch, that many unmaps of the
 * queue's packets, oldest first. At the end each queue's remaining packets
 * are unmapped, queue 0 first. ios packets give ios maps, DMAs and unmaps.
 */
struct nic_tx_params {
	unsigned ring_size;		/* descriptors per queue */
	unsigned queues;		/* transmit queues */
	uint64_t packet_min;		/* smallest packet, bytes */
	uint64_t packet_max;		/* largest packet, bytes (uniform in between) */
	uint64_t line_mbps;		/* wire rate, Mb/s; 0 = unpaced */
	unsigned completion_batch;	/* packets cleaned per completion event */
	unsigned sg_frags;		/* 0 = linear skb; k = header + k page fragments */
	uint64_t header_size;		/* bytes of headers in the skb head (sg_frags > 0) */
};

_Static_assert(sizeof(struct nic_tx_params) <= CONFIG_PARAMS_WORDS * sizeof(uint64_t),
	       "generator parameters fit in workload_cfg.params");

#define T(f)	offsetof(struct nic_tx_params, f)

static const struct cfg_key nic_tx_keys[] = {
	{ .name = "ring_size", .type = CFG_U32, .off = T(ring_size), .min = 1, .max = 1u << 20,
	  .def = "1024", .unit = "descriptors",
	  .src = "mlx5e: MLX5E_PARAMS_DEFAULT_LOG_SQ_SIZE 0xa (1024-entry send queue)",
	  .help = "descriptors per transmit ring; a packet takes sg_frags + 1" },
	{ .name = "queues", .type = CFG_U32, .off = T(queues), .min = 1, .max = 1024, .def = "1",
	  .src = "assumed (one queue, as nic_rx)",
	  .help = "transmit queues; packet i uses queue i % queues, run by CPU queue % host.cpus" },
	{ .name = "packet_min", .type = CFG_SIZE, .off = T(packet_min), .min = 1, .max = 1u << 20,
	  .def = "1500", .unit = "bytes", .src = "Ethernet MTU", .help = "smallest packet" },
	{ .name = "packet_max", .type = CFG_SIZE, .off = T(packet_max), .min = 1, .max = 1u << 20,
	  .def = "1500", .unit = "bytes", .src = "Ethernet MTU",
	  .help = "largest packet (uniform in between); TSO packets reach 64K" },
	{ .name = "line_mbps", .type = CFG_U64, .off = T(line_mbps), .min = 0, .max = 10000000,
	  .def = "0", .unit = "Mb/s", .src = "unpaced: each DMA starts once its map is done",
	  .help = "wire rate: packet i is read at i * (size + 38 B framing) * 8 / rate; 0 = unpaced" },
	{ .name = "completion_batch", .type = CFG_U32, .off = T(completion_batch), .min = 1,
	  .max = 1u << 20, .def = "32", .unit = "packets",
	  .src = "mlx5e: MLX5E_PARAMS_DEFAULT_TX_CQ_MODERATION_PKTS 0x20",
	  .help = "completions per interrupt: a queue's packets are unmapped in batches of this many" },
	{ .name = "sg_frags", .type = CFG_U32, .off = T(sg_frags), .min = 0, .max = 17, .def = "0",
	  .unit = "fragments", .src = "a linear skb (no TSO); at most MAX_SKB_FRAGS 17",
	  .help = "0: linear skb, one map; k: header + k page fragments, one map_sg of k + 1" },
	{ .name = "header_size", .type = CFG_SIZE, .off = T(header_size), .min = 1, .max = 1024,
	  .def = "66", .unit = "bytes", .src = "Ethernet 14 + IPv4 20 + TCP with timestamps 32",
	  .help = "bytes of headers in the skb head when sg_frags > 0" },
	{ 0 },
};

struct tx_queue {
	unsigned use;			/* next descriptor to fill */
	unsigned clean;			/* oldest descriptor not yet cleaned */
	unsigned pending;		/* packets sent, not yet cleaned */
};

struct nic_tx {
	struct nic_tx_params p;
	struct rng rng;
	struct frag_pool head;		/* skb heads */
	struct frag_pool data;		/* the socket's page_frag: payload fragments */
	unsigned cpus;
	uint64_t ios;			/* packets to send */
	uint64_t pkt;			/* packets whose DMA was emitted */
	bool mapped;			/* packet pkt is mapped; its DMA comes next */
	uint64_t handle, len;		/* packet pkt */
	unsigned unmap_q, unmap_left;	/* a completion batch being cleaned */
	unsigned flush_q;		/* at the end: next queue to drain */
	uint64_t wire_ps;		/* when the wire is free for the next packet */
	struct tx_queue *q;		/* per queue */
	struct sg_elem *sg;		/* sg_frags + 1 elements */
};

/* Fills the map_sg elements of a TSO packet of g->len bytes. */
static void tx_fill_sg(struct nic_tx *g)
{
	unsigned k = g->p.sg_frags;
	uint64_t hdr = g->p.header_size, pay = g->len - hdr;

	g->sg[0].phys = frag_alloc(&g->head, &g->rng, round_up(hdr, CACHE_LINE));
	g->sg[0].len = hdr;
	for (unsigned j = 0; j < k; j++) {
		g->sg[j + 1].len = pay / k + (j < pay % k);
		g->sg[j + 1].phys = frag_alloc(&g->data, &g->rng, g->sg[j + 1].len);
	}
}

static void tx_map(struct nic_tx *g, struct dma_op *op)
{
	unsigned qi = (unsigned)(g->pkt % g->p.queues);
	struct tx_queue *q = &g->q[qi];

	g->len = uniform(&g->rng, g->p.packet_min, g->p.packet_max);
	g->handle = (uint64_t)qi * g->p.ring_size + q->use;
	q->use = (q->use + g->p.sg_frags + 1) % g->p.ring_size;
	*op = (struct dma_op){ .kind = OP_MAP, .dir = DMA_DIR_TO_DEVICE, .handle = g->handle,
			       .cpu = qi % g->cpus, .rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME };
	if (g->p.sg_frags) {
		tx_fill_sg(g);
		op->kind = OP_MAP_SG;
		op->nsg = g->p.sg_frags + 1;
		op->sg = g->sg;
	} else {
		op->addr = frag_alloc(&g->head, &g->rng, round_up(g->len, CACHE_LINE));
		op->len = g->len;
	}
	g->mapped = true;
}

static void tx_dma(struct nic_tx *g, struct dma_op *op)
{
	unsigned qi = (unsigned)(g->pkt % g->p.queues);
	struct tx_queue *q = &g->q[qi];

	*op = (struct dma_op){ .kind = OP_DMA, .dir = DMA_DIR_TO_DEVICE, .handle = g->handle,
			       .addr = 0, .len = g->len, .time_ps = OP_NO_TIME };
	if (g->p.line_mbps)
		op->time_ps = wire_slot(&g->wire_ps, g->len, g->p.line_mbps);
	g->mapped = false;
	g->pkt++;
	if (++q->pending == g->p.completion_batch) {
		g->unmap_q = qi;
		g->unmap_left = q->pending;
		q->pending = 0;
	}
}

static void tx_unmap(struct nic_tx *g, struct dma_op *op)
{
	struct tx_queue *q = &g->q[g->unmap_q];

	*op = (struct dma_op){ .kind = OP_UNMAP, .cpu = g->unmap_q % g->cpus,
			       .handle = (uint64_t)g->unmap_q * g->p.ring_size + q->clean,
			       .time_ps = OP_NO_TIME };
	q->clean = (q->clean + g->p.sg_frags + 1) % g->p.ring_size;
	g->unmap_left--;
}

static int nic_tx_next(void *state, struct dma_op *op)
{
	struct nic_tx *g = state;

	if (!g->unmap_left && g->pkt < g->ios) {
		if (g->mapped)
			tx_dma(g, op);
		else
			tx_map(g, op);
		return 1;
	}
	/* the end: what no full batch cleaned, queue by queue */
	while (!g->unmap_left && g->flush_q < g->p.queues) {
		g->unmap_q = g->flush_q++;
		g->unmap_left = g->q[g->unmap_q].pending;
		g->q[g->unmap_q].pending = 0;
	}
	if (!g->unmap_left)
		return 0;
	tx_unmap(g, op);
	return 1;
}

static void nic_tx_close(void *state)
{
	struct nic_tx *g = state;

	free(g->q);
	free(g->sg);
	free(g);
}

static const struct op_source_ops nic_tx_ops = {
	.name = "nic_tx", .next = nic_tx_next, .close = nic_tx_close,
};

static const char *nic_tx_check(const struct config *cfg, const char **key)
{
	const struct nic_tx_params *p = (const void *)cfg->workload.params;

	if (p->packet_min > p->packet_max)
		return *key = "packet_min", "larger than workload.packet_max";
	if (p->packet_max > cfg->host.ram / 4)
		return *key = "packet_max", "packets must be far smaller than host.ram";
	if ((uint64_t)p->completion_batch * (p->sg_frags + 1) > p->ring_size)
		return *key = "completion_batch",
		       "packets awaiting completion must fit the ring: completion_batch * (sg_frags + 1) at most workload.ring_size";
	if (p->sg_frags && p->packet_min < p->header_size + p->sg_frags)
		return *key = "packet_min",
		       "with workload.sg_frags, a packet must hold its header and a byte per fragment: at least workload.header_size + workload.sg_frags";
	if (stamps_overflow(cfg, p->packet_max, p->line_mbps))
		return *key = "line_mbps", STAMPS_MSG;
	return NULL;
}

/* Each queue holds at most completion_batch packets until they are cleaned. */
static void nic_tx_load(const struct config *cfg, struct synth_load *ld)
{
	const struct nic_tx_params *p = (const void *)cfg->workload.params;
	uint64_t live = (uint64_t)p->queues * p->completion_batch;

	*ld = (struct synth_load){
		.state = sat_add(sizeof(struct nic_tx),
				 (uint64_t)p->queues * sizeof(struct tx_queue) +
				 (p->sg_frags + 1ull) * sizeof(struct sg_elem)),
		.live = live, .live_bytes = sat_mul(live, p->packet_max), .nseg = p->sg_frags + 1,
		.dma_max = p->packet_max,
		.key = "completion_batch", .why = "queues x completion_batch packets",
	};
}

static int nic_tx_open(struct op_source *src, const struct config *cfg)
{
	struct nic_tx *g = xcalloc(1, sizeof(*g));

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	frag_init(&g->head, cfg);
	frag_init(&g->data, cfg);
	g->cpus = cfg->host.cpus;
	g->ios = cfg->run.ios;
	g->q = xcalloc(g->p.queues, sizeof(*g->q));
	g->sg = xcalloc(g->p.sg_frags + 1, sizeof(*g->sg));
	op_source_set(src, &nic_tx_ops, g);
	return 0;
}

#undef T

/*
 * nvme: an NVMe SSD driven fio-style at a fixed queue depth. Per I/O the
 * driver maps the data buffer with one map_sg (DMA_FROM_DEVICE for a read,
 * DMA_TO_DEVICE for a write; each I/O is a read with probability
 * read_pct %), the device moves the whole buffer in one DMA over the mapping
 * (the replay splits it into PCIe requests across the elements, as the PRP
 * or SGL entries would; one DMA per I/O keeps run.ios = I/Os), and the
 * completion unmaps it. queue_depth I/Os are in flight: the first
 * queue_depth are mapped before the first completion, and from then on each
 * new I/O follows the completion of the oldest. (Completions come in
 * submission order, a simplification: a device completes out of order.)
 * I/O i's command slot is i % queue_depth; that is its handle, and the slot
 * runs on CPU slot % host.cpus (blk-mq per-CPU queues, several fio jobs).
 *
 * Buffers are page-cache memory, which comes in folios: physically
 * contiguous, folio_size-aligned runs drawn at random from RAM. Disk
 * addresses are not modelled (the IOMMU never sees them), so `pattern`
 * decides only where buffers sit in memory:
 *   random      each I/O draws a fresh folio, and its buffer starts at a
 *               random multiple of block_size in it (a small random read
 *               fills part of a folio);
 *   sequential  consecutive I/Os fill consecutive bytes of one folio
 *               (readahead of consecutive file offsets into a large folio);
 *               a fresh folio is drawn when it is full.
 * A buffer longer than what is left of its folio goes on in a fresh folio.
 *
 * Elements: `sgl: false` gives one element per kernel page the buffer
 * touches (host.page_size pieces, the pages a PRP list names); `sgl: true`
 * merges physically contiguous pages into one element (blk_rq_map_sg, with
 * NVMe's max segment size of 4 GiB). Linux maps the same merged scatterlist
 * whether it then writes PRPs or SGLs, so true is the closer model of a
 * Linux host and false is the per-page bound.
 *
 * Op stream, qd = queue_depth, n = min(qd, ios): for i < n: map_sg(i),
 * dma(i); for i in qd..ios-1: unmap(i - qd), map_sg(i), dma(i); then the
 * unmaps of I/Os ios - n .. ios - 1, oldest first.
 */
struct nvme_params {
	unsigned queue_depth;		/* I/Os in flight */
	uint64_t block_size;		/* bytes per I/O */
	unsigned read_pct;		/* % of I/Os that are reads */
	int pattern;			/* 0 random, 1 sequential */
	bool sgl;			/* merge contiguous pages into one element */
	unsigned folio_shift;		/* physically contiguous runs of 2^this bytes */
};

_Static_assert(sizeof(struct nvme_params) <= CONFIG_PARAMS_WORDS * sizeof(uint64_t),
	       "generator parameters fit in workload_cfg.params");

#define V(f)	offsetof(struct nvme_params, f)

static const struct cfg_key nvme_keys[] = {
	{ .name = "queue_depth", .type = CFG_U32, .off = V(queue_depth), .min = 1, .max = 65535,
	  .def = "32", .unit = "I/Os", .src = "assumed (a common fio iodepth)",
	  .help = "I/Os in flight: mapped before the first completion, then one per completion" },
	{ .name = "block_size", .type = CFG_SIZE, .off = V(block_size), .min = 512, .max = 8u << 20,
	  .def = "4K", .unit = "bytes", .src = "assumed (the usual random-I/O benchmark size)",
	  .help = "bytes per I/O, a multiple of 512, at most 8M (NVME_MAX_KB_SZ)" },
	{ .name = "read_pct", .type = CFG_U32, .off = V(read_pct), .min = 0, .max = 100,
	  .def = "100", .unit = "%", .src = "assumed (a read test)",
	  .help = "share of I/Os that are reads (the device writes memory); a seeded draw per I/O" },
	{ .name = "pattern", .type = CFG_ENUM, .off = V(pattern), .enums = pattern_names,
	  .def = "random", .src = "assumed (random I/O)",
	  .help = "buffer placement: random (a folio per I/O) or sequential (I/Os fill a folio)" },
	{ .name = "sgl", .type = CFG_BOOL, .off = V(sgl), .def = "false",
	  .src = "nvme sgl_threshold 32K: PRPs below it (drivers/nvme/host/pci.c)",
	  .help = "false: one element per kernel page; true: contiguous pages merged into one element" },
	{ .name = "folio_size", .type = CFG_PAGE, .off = V(folio_shift), .min = 4096,
	  .max = 1u << 30, .def = "64K", .unit = "bytes", .assumed = true,
	  .src = "assumed (one base page of a 64K-page kernel: no contiguity beyond it)",
	  .help = "buffers come in physically contiguous, aligned runs of this size (folios)" },
	{ 0 },
};

struct nvme {
	struct nvme_params p;
	struct rng rng;
	uint64_t ram;			/* bytes */
	unsigned page_shift;		/* kernel page */
	unsigned cpus;
	uint64_t ios;			/* I/Os */
	uint64_t step;			/* position in the op stream */
	uint64_t folio;			/* folio being filled */
	uint64_t used;			/* bytes of it used */
	enum dma_dir dir;		/* the I/O being mapped: its DMA's direction */
	struct sg_elem *sg;		/* its elements */
	unsigned nsg;
	bool declare;			/* the `device` op is still to come */
};

/*
 * The nvme driver's DMA max segment: nvme_probe() -> dma_set_max_seg_size(dev,
 * 0xffffffff) (drivers/nvme/host/pci.c), where the PCI default is 64K. The
 * generator declares it in a `device` op first, as the QEMU importer does for
 * an nvme device, unless the config sets host.max_seg_size itself.
 */
#define NVME_MAX_SEG	0xffffffffull

/* Appends [phys, phys + len) to the element list, split or merged as sgl says. */
static void nvme_add(struct nvme *g, uint64_t phys, uint64_t len)
{
	uint64_t psize = 1ull << g->page_shift;
	struct sg_elem *last = g->nsg ? &g->sg[g->nsg - 1] : NULL;

	if (g->p.sgl && last && last->phys + last->len == phys) {
		last->len += len;
		return;
	}
	while (len) {
		uint64_t take = g->p.sgl ? len : psize - (phys & (psize - 1));

		take = take < len ? take : len;
		g->sg[g->nsg++] = (struct sg_elem){ .phys = phys, .len = take };
		phys += take;
		len -= take;
	}
}

static void nvme_new_folio(struct nvme *g)
{
	g->folio = rng_below(&g->rng, g->ram >> g->p.folio_shift) << g->p.folio_shift;
	g->used = 0;
}

/* Places one I/O's buffer (steps at the top of the nvme comment) into g->sg. */
static void nvme_buffer(struct nvme *g)
{
	uint64_t fsize = 1ull << g->p.folio_shift, left = g->p.block_size;

	g->nsg = 0;
	if (g->p.pattern == 0) {	/* random */
		nvme_new_folio(g);
		if (left < fsize)
			g->used = rng_below(&g->rng, fsize / left) * left;
	}
	while (left) {
		uint64_t take;

		if (g->used == fsize)
			nvme_new_folio(g);
		take = fsize - g->used < left ? fsize - g->used : left;
		nvme_add(g, g->folio + g->used, take);
		g->used += take;
		left -= take;
	}
}

static void nvme_map(struct nvme *g, uint64_t i, struct dma_op *op)
{
	unsigned slot = (unsigned)(i % g->p.queue_depth);

	g->dir = chance(&g->rng, g->p.read_pct) ? DMA_DIR_FROM_DEVICE : DMA_DIR_TO_DEVICE;
	nvme_buffer(g);
	*op = (struct dma_op){ .kind = OP_MAP_SG, .dir = g->dir, .handle = slot,
			       .cpu = slot % g->cpus, .nsg = g->nsg, .sg = g->sg,
			       .rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME };
}

static void nvme_op(struct nvme *g, enum op_kind kind, uint64_t i, struct dma_op *op)
{
	unsigned slot = (unsigned)(i % g->p.queue_depth);

	if (kind == OP_MAP_SG)
		nvme_map(g, i, op);
	else if (kind == OP_DMA)
		*op = (struct dma_op){ .kind = OP_DMA, .dir = g->dir, .handle = slot,
				       .addr = 0, .len = g->p.block_size, .time_ps = OP_NO_TIME };
	else
		*op = (struct dma_op){ .kind = OP_UNMAP, .handle = slot, .cpu = slot % g->cpus,
				       .time_ps = OP_NO_TIME };
}

static int nvme_next(void *state, struct dma_op *op)
{
	static const enum op_kind fill[2] = { OP_MAP_SG, OP_DMA };
	static const enum op_kind steady[3] = { OP_UNMAP, OP_MAP_SG, OP_DMA };
	struct nvme *g = state;
	uint64_t qd = g->p.queue_depth, n = qd < g->ios ? qd : g->ios, s;

	if (g->declare) {			/* the driver's DMA parameters first */
		g->declare = false;
		*op = (struct dma_op){ .kind = OP_DEVICE, .len = NVME_MAX_SEG, .rec_bus = OP_NO_BUS,
				       .time_ps = OP_NO_TIME };
		return 1;
	}
	s = g->step++;
	if (s < 2 * n) {			/* filling the queue */
		nvme_op(g, fill[s % 2], s / 2, op);
		return 1;
	}
	s -= 2 * n;
	if (s < 3 * (g->ios - n)) {		/* steady state: I/O n + s / 3 */
		uint64_t i = n + s / 3;

		nvme_op(g, steady[s % 3], s % 3 ? i : i - qd, op);
		return 1;
	}
	s -= 3 * (g->ios - n);
	if (s < n) {				/* draining */
		nvme_op(g, OP_UNMAP, g->ios - n + s, op);
		return 1;
	}
	return 0;
}

static void nvme_close(void *state)
{
	struct nvme *g = state;

	free(g->sg);
	free(g);
}

static const struct op_source_ops nvme_ops = {
	.name = "nvme", .next = nvme_next, .close = nvme_close,
};

static const char *nvme_check(const struct config *cfg, const char **key)
{
	const struct nvme_params *p = (const void *)cfg->workload.params;

	if (p->block_size % 512)
		return *key = "block_size", "expected a multiple of 512 bytes (a sector)";
	if (p->folio_shift < cfg->host.page_shift)
		return *key = "folio_size", "a folio is at least one kernel page: at least host.page_size";
	if (p->block_size > cfg->host.ram / 4)
		return *key = "block_size", "buffers must be far smaller than host.ram";
	if ((1ull << p->folio_shift) > cfg->host.ram / 4)
		return *key = "folio_size", "folios must be far smaller than host.ram";
	return NULL;
}

static void nvme_load(const struct config *cfg, struct synth_load *ld)
{
	const struct nvme_params *p = (const void *)cfg->workload.params;
	uint64_t nsg = (p->block_size >> cfg->host.page_shift) + 2;	/* as nvme_open sizes it */

	*ld = (struct synth_load){
		.state = sizeof(struct nvme) + nsg * sizeof(struct sg_elem), .live = p->queue_depth,
		.live_bytes = (uint64_t)p->queue_depth * p->block_size, .nseg = (unsigned)nsg,
		.dma_max = p->block_size, .key = "queue_depth", .why = "queue_depth I/Os",
	};
}

static int nvme_open(struct op_source *src, const struct config *cfg)
{
	struct nvme *g = xcalloc(1, sizeof(*g));

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	g->ram = cfg->host.ram;
	g->page_shift = cfg->host.page_shift;
	g->cpus = cfg->host.cpus;
	g->ios = cfg->run.ios;
	g->used = 1ull << g->p.folio_shift;	/* no folio yet */
	g->declare = config_is_default(cfg, "host.max_seg_size");
	/* a buffer touches at most block_size / page + 2 pages */
	g->sg = xcalloc((g->p.block_size >> g->page_shift) + 2, sizeof(*g->sg));
	op_source_set(src, &nvme_ops, g);
	return 0;
}

#undef V

/*
 * bulk: a GPU or accelerator with long-lived buffers. `buffers` buffers of
 * buffer_size bytes are pinned and mapped once at start, DMA_BIDIRECTIONAL,
 * each with one map_sg of its chunks: chunk_size bytes (huge pages),
 * physically contiguous and chunk-aligned; the last one is short when
 * chunk_size does not divide buffer_size. No two chunks overlap: chunk n of
 * all the buffers' chunks is RAM chunk perm(n), perm a seeded bijection of
 * RAM's chunk numbers, so no table of used chunks is kept. The device then
 * makes ios DMAs of transfer_size bytes, pipelined (copy engines keep
 * several in flight), each into a random buffer at a random offset that is
 * a multiple of host.page_size; a DMA reads host memory (a host-to-device
 * copy) with probability read_pct %. Finally every buffer is unmapped.
 * Buffer b is handle b, mapped and unmapped on CPU b % host.cpus.
 *
 * Op stream: buffers map_sg (buffer 0 first), ios DMAs, buffers unmaps
 * (buffer 0 first).
 */
struct bulk_params {
	unsigned buffers;		/* buffers mapped at start */
	uint64_t buffer_size;		/* bytes per buffer */
	unsigned chunk_shift;		/* physically contiguous chunks of 2^this bytes */
	uint64_t transfer_size;		/* bytes per DMA */
	unsigned read_pct;		/* % of DMAs that read host memory */
};

_Static_assert(sizeof(struct bulk_params) <= CONFIG_PARAMS_WORDS * sizeof(uint64_t),
	       "generator parameters fit in workload_cfg.params");

#define K(f)	offsetof(struct bulk_params, f)

static const struct cfg_key bulk_keys[] = {
	{ .name = "buffers", .type = CFG_U32, .off = K(buffers), .min = 1, .max = 65536,
	  .def = "16", .unit = "buffers", .src = "assumed (several buffers in use at once)",
	  .help = "buffers mapped once at start and kept mapped" },
	{ .name = "buffer_size", .type = CFG_SIZE, .off = K(buffer_size), .min = 4096,
	  .max = 1ull << 36, .def = "32M", .unit = "bytes",
	  .src = "assumed (16 x 32M fit a 2G guest's 1G default window)",
	  .help = "bytes per buffer" },
	{ .name = "chunk_size", .type = CFG_PAGE, .off = K(chunk_shift), .min = 4096,
	  .max = 1u << 30, .def = "2M", .unit = "bytes",
	  .src = "a PMD huge page of the radix MMU with 64K pages (POWER9 and later)",
	  .help = "physically contiguous, aligned chunks: one map_sg element each" },
	{ .name = "transfer_size", .type = CFG_SIZE, .off = K(transfer_size), .min = 1,
	  .max = 1u << 30, .def = "4M", .unit = "bytes",
	  .src = "assumed (a large copy-engine transfer)",
	  .help = "bytes per DMA, at a random page-aligned offset of a random buffer" },
	{ .name = "read_pct", .type = CFG_U32, .off = K(read_pct), .min = 0, .max = 100,
	  .def = "50", .unit = "%", .src = "assumed (as many copies to the device as from it)",
	  .help = "share of DMAs that read host memory (host-to-device copies)" },
	{ 0 },
};

/*
 * A seeded bijection of [0, n): two rounds of (odd multiply, add, xorshift)
 * on the next power of two, walked along its cycle back into [0, n).
 */
struct perm {
	uint64_t n, mask;
	unsigned shift;
	uint64_t mul[2], add[2];
};

static void perm_init(struct perm *p, struct rng *r, uint64_t n)
{
	unsigned bits = 1;

	while (bits < 64 && (1ull << bits) < n)
		bits++;
	p->n = n;
	p->mask = bits < 64 ? (1ull << bits) - 1 : UINT64_MAX;
	p->shift = (bits + 1) / 2;
	for (int i = 0; i < 2; i++) {
		p->mul[i] = rng_next(r) | 1;
		p->add[i] = rng_next(r);
	}
}

static uint64_t perm_round(const struct perm *p, uint64_t x, int i)
{
	x = (x * p->mul[i] + p->add[i]) & p->mask;
	return x ^ (x >> p->shift);
}

static uint64_t perm_at(const struct perm *p, uint64_t x)
{
	do
		x = perm_round(p, perm_round(p, x, 0), 1);
	while (x >= p->n);
	return x;
}

struct bulk {
	struct bulk_params p;
	struct rng rng;
	struct perm perm;		/* chunk number -> RAM chunk */
	unsigned cpus;
	uint64_t chunks;		/* per buffer */
	uint64_t align;			/* DMA offsets are multiples of it: host.page_size */
	uint64_t slots;			/* offsets a DMA may start at, per buffer */
	uint64_t ios, step;
	struct sg_elem *sg;		/* chunks elements */
};

static void bulk_map(struct bulk *g, unsigned b, struct dma_op *op)
{
	uint64_t csize = 1ull << g->p.chunk_shift;

	for (uint64_t j = 0; j < g->chunks; j++) {
		uint64_t left = g->p.buffer_size - j * csize;

		g->sg[j].phys = perm_at(&g->perm, b * g->chunks + j) << g->p.chunk_shift;
		g->sg[j].len = left < csize ? left : csize;
	}
	*op = (struct dma_op){ .kind = OP_MAP_SG, .dir = DMA_DIR_BIDIRECTIONAL, .handle = b,
			       .cpu = b % g->cpus, .nsg = (unsigned)g->chunks, .sg = g->sg,
			       .rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME };
}

static void bulk_dma(struct bulk *g, struct dma_op *op)
{
	uint64_t b = rng_below(&g->rng, g->p.buffers);
	uint64_t off = rng_below(&g->rng, g->slots) * g->align;
	bool read = chance(&g->rng, g->p.read_pct);

	*op = (struct dma_op){ .kind = OP_DMA, .handle = b, .addr = off, .len = g->p.transfer_size,
			       .dir = read ? DMA_DIR_TO_DEVICE : DMA_DIR_FROM_DEVICE,
			       .time_ps = OP_NO_TIME };
}

static int bulk_next(void *state, struct dma_op *op)
{
	struct bulk *g = state;
	uint64_t s = g->step++, nb = g->p.buffers;

	if (s < nb) {
		bulk_map(g, (unsigned)s, op);
		return 1;
	}
	if (s < nb + g->ios) {
		bulk_dma(g, op);
		return 1;
	}
	s -= nb + g->ios;
	if (s < nb) {
		*op = (struct dma_op){ .kind = OP_UNMAP, .handle = s,
				       .cpu = (unsigned)(s % g->cpus), .time_ps = OP_NO_TIME };
		return 1;
	}
	return 0;
}

static void bulk_close(void *state)
{
	struct bulk *g = state;

	free(g->sg);
	free(g);
}

static const struct op_source_ops bulk_ops = {
	.name = "bulk", .next = bulk_next, .close = bulk_close,
};

static const char *bulk_check(const struct config *cfg, const char **key)
{
	const struct bulk_params *p = (const void *)cfg->workload.params;
	uint64_t csize = 1ull << p->chunk_shift, chunks = (p->buffer_size + csize - 1) / csize;

	if (p->transfer_size > p->buffer_size)
		return *key = "transfer_size", "larger than workload.buffer_size";
	if (p->chunk_shift < cfg->host.page_shift)
		return *key = "chunk_size", "a chunk is at least one kernel page: at least host.page_size";
	if (chunks > MAP_SG_MAX)
		return *key = "buffer_size",
		       "at most 4096 chunks per buffer (one map_sg): raise workload.chunk_size";
	if (chunks * p->buffers > (cfg->host.ram >> p->chunk_shift) / 2)
		return *key = "buffers",
		       "the buffers must fit in half of host.ram: buffers * buffer_size, in whole chunks, at most host.ram / 2";
	return NULL;
}

static void bulk_load(const struct config *cfg, struct synth_load *ld)
{
	const struct bulk_params *p = (const void *)cfg->workload.params;
	uint64_t csize = 1ull << p->chunk_shift, chunks = p->buffer_size / csize + 1;

	*ld = (struct synth_load){
		.state = sizeof(struct bulk) + chunks * sizeof(struct sg_elem), .live = p->buffers,
		.live_bytes = sat_mul(p->buffers, p->buffer_size), .nseg = (unsigned)chunks,
		.dma_max = p->transfer_size, .key = "buffers", .why = "buffers",
	};
}

static int bulk_open(struct op_source *src, const struct config *cfg)
{
	struct bulk *g = xcalloc(1, sizeof(*g));
	uint64_t csize;

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	perm_init(&g->perm, &g->rng, cfg->host.ram >> g->p.chunk_shift);
	g->cpus = cfg->host.cpus;
	csize = 1ull << g->p.chunk_shift;
	g->chunks = (g->p.buffer_size + csize - 1) / csize;
	g->align = 1ull << cfg->host.page_shift;
	g->slots = (g->p.buffer_size - g->p.transfer_size) / g->align + 1;
	g->ios = cfg->run.ios;
	g->sg = xcalloc(g->chunks, sizeof(*g->sg));
	op_source_set(src, &bulk_ops, g);
	return 0;
}

#undef K

/*
 * random: a stress test with no device behind it. Each I/O maps a buffer of
 * a size uniform in size_min..size_max at a uniformly random physical
 * address in RAM (page-aligned with probability aligned_pct %, any byte
 * otherwise), in a random direction (to device, from device or
 * bidirectional), on a random CPU; the device then accesses the whole
 * buffer in one DMA (a read for DMA_TO_DEVICE, a write for FROM_DEVICE,
 * either for BIDIRECTIONAL). At most `live` mappings stay mapped: when that
 * many are, a random one of them is unmapped first, on a random CPU. I/O i
 * is handle i; handles are never reused.
 *
 * Op stream: per I/O, [unmap of a random live mapping, when `live` are
 * mapped], map, DMA; then the mappings still live are unmapped in the order
 * of the live table (removal swaps the last entry into the hole). ios I/Os
 * give ios maps, DMAs and unmaps, min(ios, live) of the unmaps at the end.
 */
struct random_params {
	uint64_t size_min;		/* smallest buffer, bytes */
	uint64_t size_max;		/* largest buffer, bytes (uniform in between) */
	unsigned live;			/* mappings kept mapped at most */
	unsigned aligned_pct;		/* % of buffers that start on a page */
};

_Static_assert(sizeof(struct random_params) <= CONFIG_PARAMS_WORDS * sizeof(uint64_t),
	       "generator parameters fit in workload_cfg.params");

#define R(f)	offsetof(struct random_params, f)

static const struct cfg_key random_keys[] = {
	{ .name = "size_min", .type = CFG_SIZE, .off = R(size_min), .min = 1, .max = 1u << 30,
	  .def = "1", .unit = "bytes", .src = "assumed (down to one byte)",
	  .help = "smallest buffer" },
	{ .name = "size_max", .type = CFG_SIZE, .off = R(size_max), .min = 1, .max = 1u << 30,
	  .def = "256K", .unit = "bytes", .src = "assumed (up to a few 64K pages)",
	  .help = "largest buffer (uniform in between)" },
	{ .name = "live", .type = CFG_U32, .off = R(live), .min = 1, .max = 1u << 20,
	  .def = "512", .unit = "mappings",
	  .src = "assumed (pressure well below a 1G default window)",
	  .help = "mappings kept at most; when full a random one is unmapped before the next map" },
	{ .name = "aligned_pct", .type = CFG_U32, .off = R(aligned_pct), .min = 0, .max = 100,
	  .def = "50", .unit = "%", .src = "assumed (half page-aligned, half not)",
	  .help = "share of buffers that start on a kernel page; the others start at any byte" },
	{ 0 },
};

struct random_gen {
	struct random_params p;
	struct rng rng;
	uint64_t ram;			/* bytes */
	unsigned page_shift, cpus;
	uint64_t ios;			/* I/Os */
	uint64_t io;			/* I/Os whose DMA was emitted */
	unsigned sub;			/* next op of I/O io: 0 evict or map, 1 map, 2 DMA */
	uint64_t len;			/* I/O io's buffer */
	enum dma_dir dir;		/* its mapping's direction */
	uint64_t *live;			/* live handles, p.live at most */
	unsigned nlive, drained;
};

static void random_unmap(struct random_gen *g, unsigned at, struct dma_op *op)
{
	*op = (struct dma_op){ .kind = OP_UNMAP, .handle = g->live[at], .time_ps = OP_NO_TIME,
			       .cpu = (unsigned)rng_below(&g->rng, g->cpus) };
}

static void random_map(struct random_gen *g, struct dma_op *op)
{
	static const enum dma_dir dirs[3] = {
		DMA_DIR_BIDIRECTIONAL, DMA_DIR_TO_DEVICE, DMA_DIR_FROM_DEVICE,
	};
	uint64_t psize = 1ull << g->page_shift, phys;

	g->len = uniform(&g->rng, g->p.size_min, g->p.size_max);
	if (chance(&g->rng, g->p.aligned_pct))
		phys = rng_below(&g->rng, (g->ram - g->len) / psize + 1) * psize;
	else
		phys = rng_below(&g->rng, g->ram - g->len + 1);
	g->dir = dirs[rng_below(&g->rng, 3)];
	*op = (struct dma_op){ .kind = OP_MAP, .dir = g->dir, .handle = g->io, .addr = phys,
			       .len = g->len, .cpu = (unsigned)rng_below(&g->rng, g->cpus),
			       .rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME };
	g->live[g->nlive++] = g->io;
}

static void random_dma(struct random_gen *g, struct dma_op *op)
{
	enum dma_dir dir = g->dir;

	if (dir == DMA_DIR_BIDIRECTIONAL)
		dir = rng_below(&g->rng, 2) ? DMA_DIR_FROM_DEVICE : DMA_DIR_TO_DEVICE;
	*op = (struct dma_op){ .kind = OP_DMA, .dir = dir, .handle = g->io, .addr = 0,
			       .len = g->len, .time_ps = OP_NO_TIME };
}

static int random_next(void *state, struct dma_op *op)
{
	struct random_gen *g = state;

	if (g->io >= g->ios) {
		if (g->drained == g->nlive)
			return 0;
		random_unmap(g, g->drained++, op);
		return 1;
	}
	if (g->sub == 0 && g->nlive == g->p.live) {
		unsigned at = (unsigned)rng_below(&g->rng, g->nlive);

		random_unmap(g, at, op);
		g->live[at] = g->live[--g->nlive];
		g->sub = 1;
	} else if (g->sub < 2) {
		random_map(g, op);
		g->sub = 2;
	} else {
		random_dma(g, op);
		g->sub = 0;
		g->io++;
	}
	return 1;
}

static void random_close(void *state)
{
	struct random_gen *g = state;

	free(g->live);
	free(g);
}

static const struct op_source_ops random_ops = {
	.name = "random", .next = random_next, .close = random_close,
};

static const char *random_check(const struct config *cfg, const char **key)
{
	const struct random_params *p = (const void *)cfg->workload.params;

	if (p->size_min > p->size_max)
		return *key = "size_min", "larger than workload.size_max";
	if (p->size_max > cfg->host.ram / 4)
		return *key = "size_max", "buffers must be far smaller than host.ram";
	return NULL;
}

static void random_load(const struct config *cfg, struct synth_load *ld)
{
	const struct random_params *p = (const void *)cfg->workload.params;

	*ld = (struct synth_load){
		.state = sizeof(struct random_gen) + (uint64_t)p->live * sizeof(uint64_t),
		.live = p->live, .live_bytes = sat_mul(p->live, p->size_max), .nseg = 1,
		.dma_max = p->size_max, .key = "live", .why = "live buffers",
	};
}

static int random_open(struct op_source *src, const struct config *cfg)
{
	struct random_gen *g = xcalloc(1, sizeof(*g));

	memcpy(&g->p, cfg->workload.params, sizeof(g->p));
	rng_init(&g->rng, cfg->run.seed);
	g->ram = cfg->host.ram;
	g->page_shift = cfg->host.page_shift;
	g->cpus = cfg->host.cpus;
	g->ios = cfg->run.ios;
	g->live = xcalloc(g->p.live, sizeof(*g->live));
	op_source_set(src, &random_ops, g);
	return 0;
}

#undef R

const struct synth_gen synth_gens[] = {
	{ .name = "nic_rx", .help = "NIC receive rings: map per packet, DMA write, unmap",
	  .io_name = "packet",
	  .keys = nic_rx_keys, .check = nic_rx_check, .load = nic_rx_load,
	  .open = nic_rx_open },
	{ .name = "dma_bench", .help = "pcie-bench style DMAs into one buffer mapped once",
	  .io_name = "DMA",
	  .keys = dma_bench_keys, .check = dma_bench_check, .load = dma_bench_load,
	  .open = dma_bench_open },
	{ .name = "nic_tx", .help = "NIC transmit rings: map per packet, DMA read, batched unmaps",
	  .io_name = "packet",
	  .keys = nic_tx_keys, .check = nic_tx_check, .load = nic_tx_load,
	  .open = nic_tx_open },
	{ .name = "nvme", .help = "NVMe I/O at a queue depth: map_sg, DMA, unmap per I/O",
	  .io_name = "NVMe command",
	  .keys = nvme_keys, .check = nvme_check, .load = nvme_load,
	  .open = nvme_open },
	{ .name = "bulk", .help = "GPU-style huge-page buffers mapped once, large DMAs into them",
	  .io_name = "DMA",
	  .keys = bulk_keys, .check = bulk_check, .load = bulk_load,
	  .open = bulk_open },
	{ .name = "random", .help = "stress: random sizes, addresses, directions and CPUs",
	  .io_name = "DMA",
	  .keys = random_keys, .check = random_check, .load = random_load,
	  .open = random_open },
	{ 0 },
};

const struct synth_gen *synth_find(const char *name)
{
	for (const struct synth_gen *g = synth_gens; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}
