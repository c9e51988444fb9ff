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

const struct synth_gen synth_gens[] = {
	{ .name = "nic_rx", .help = "NIC receive rings: map per packet, DMA write, unmap",
	  .keys = nic_rx_keys, .check = nic_rx_check, .open = nic_rx_open },
	{ 0 },
};

const struct synth_gen *synth_find(const char *name)
{
	for (const struct synth_gen *g = synth_gens; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}
