/* workload.h - the mode-independent stream of DMA operations, and its sources. */
#ifndef DDWSIM_WORKLOAD_H
#define DDWSIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ddwsim/tce.h"

enum op_kind {
	OP_MAP,		/* map handle: [addr, addr + len) of host memory, dir */
	OP_MAP_SG,	/* map handle: sg[0..nsg) of host memory, dir */
	OP_DMA,		/* device accesses [addr, addr + len) of handle's buffer */
	OP_DMA_BUS,	/* device accesses bus address addr (window win) */
	OP_UNMAP,	/* unmap handle */
	OP_WIN_CREATE,	/* create a window: page_shift, len = size, levels */
	OP_WIN_REMOVE,	/* remove the window starting at addr */
	OP_WIN_RESET,	/* reset the PE's windows to the default one */
	OP_DEVICE,	/* declares the device's DMA parameters and boot set-up (below) */
};

struct sg_elem {
	uint64_t phys;	/* host physical address */
	uint64_t len;	/* bytes */
};

/* One operation. Pointers in it belong to the source (see op_source_next). */
struct dma_op {
	enum op_kind kind;
	enum dma_dir dir;	/* MAP/MAP_SG: direction; DMA: TO_DEVICE = read, FROM_DEVICE = write */
	unsigned cpu;		/* CPU making a map/unmap (picks the allocator pool) */
	unsigned dev;		/* device (its own PE), 0.. */
	unsigned win;		/* DMA_BUS: window number (0 default, 1 DDW) */
	unsigned flags;		/* OP_F_* (here, beside win: no padding; 96 bytes in all) */
	uint64_t handle;	/* buffer name, for MAP/MAP_SG/DMA/UNMAP */
	uint64_t addr;		/* MAP: phys; DMA: offset; DMA_BUS: bus address; WIN_REMOVE: start */
	uint64_t len;		/* bytes (MAP, DMA, DMA_BUS); WIN_CREATE: window size */
	unsigned page_shift;	/* WIN_CREATE */
	unsigned levels;	/* WIN_CREATE */
	unsigned nsg;		/* MAP_SG: elements */
	const struct sg_elem *sg; /* MAP_SG: the elements */
	uint64_t rec_bus;	/* MAP/MAP_SG: bus address the real kernel chose
				 * (first element), OP_NO_BUS if not recorded */
	uint64_t time_ps;	/* time stamp in picoseconds, OP_NO_TIME if none; a
				 * timed replay starts no DMA before its stamp */
	uint64_t clear;		/* DEVICE: TCEs of its default window the kernel
				 * cleared at boot (iommu_table_clear), < 2^32 */
};

/*
 * OP_DEVICE: the device's own DMA parameters, as its driver set them; 0 in a
 * field = not declared (the replay then takes the host.* key):
 *   addr    dma_mask (dma_set_mask)
 *   len     max_seg_size (dma_set_max_seg_size)
 *   handle  seg_boundary (dma_set_seg_boundary), 2^k - 1 >= 0xfff
 *   clear   boot-time clear of its default window, counted as set-up
 */

#define OP_F_WAIT	0x1	/* DMA: starts only when the device's previous DMA completed
				 * (one outstanding DMA, as latency benchmarks run) */
#define OP_F_AUX	0x2	/* DMA: part of an I/O but not the I/O itself (a descriptor
				 * fetch, a completion write): reports count a workload's
				 * I/Os as its DMAs without this flag */
#define WORKLOAD_MAX_DEVICES 256	/* devices a workload may use: 0..255 */
#define OP_NO_BUS	UINT64_MAX
#define OP_NO_TIME	UINT64_MAX

struct op_source;

/*
 * A batch as op_source_next_run() gives it: n ops at ops; or, when addr is
 * set, a run of n DMAs (OP_DMA) that differ only in their offsets: DMA k is
 * *ops with addr = addr[k]. A trace's plain DMAs come as runs (.ddwb version
 * 2 codes them as one offset each), so the replay of a run reads 8 bytes a
 * DMA, not a 96-byte op (issue 13).
 */
struct op_run {
	const struct dma_op *ops;
	const uint64_t *addr;		/* NULL: n ops at ops */
	long n;
};

/* Behaviour of one kind of source (habit 9: a const methods table per kind). */
struct op_source_ops {
	const char *name;				/* "synth", "text", ... */
	int (*next)(void *state, struct dma_op *op);	/* 1 = op, 0 = end, <0 = error (reported) */
	void (*close)(void *state);
	/* Where the last op came from, for messages ("FILE:LINE", "FILE: record N");
	 * NULL when the source has no position (generators). */
	void (*where)(void *state, char *buf, size_t n);
	/* How much of the source was read, 0..1; NULL or negative when unknown
	 * (a pipe). For the progress line only. */
	double (*done)(void *state);
	/* Sets *ops to the next n >= 1 ops, already validated, valid until the next call; returns n,
	 * 0 at the end, -1 after reporting an error (whose position is the failing op's). NULL: no batches. */
	long (*next_batch)(void *state, const struct dma_op **ops);
	/* Where op i of the last batch came from, as where(); NULL: where() for all. */
	void (*where_at)(void *state, long i, char *buf, size_t n);
	/* As next_batch, but may give a run (struct op_run); NULL: next_batch's batches. */
	long (*next_run)(void *state, struct op_run *b);
};

/* A call every OP_TICK_EVERY ops: the progress line (sim.c). */
#define OP_TICK_EVERY	65536u
struct op_tick {
	void (*fn)(void *arg, uint64_t nops);
	void *arg;
	uint64_t n;		/* ops read */
};

struct op_source {
	const struct op_source_ops *ops;
	void *state;
	struct op_tick *tick;	/* NULL: no progress */
	struct dma_op one;	/* op_source_next_batch's one-op batch, for sources without next_batch */
};

/* Every opener sets its source with this: ops, state, and no tick yet. */
static inline void op_source_set(struct op_source *s, const struct op_source_ops *ops, void *state)
{
	s->ops = ops;
	s->state = state;
	s->tick = NULL;
}

/*
 * op_source_next() fills *op. Any memory op points at (sg) belongs to the
 * source and stays valid until the next call. Returns 1, 0 at the end, or
 * -1 after reporting an error with its position.
 */
static inline int op_source_next(struct op_source *s, struct dma_op *op)
{
	if (s->tick && ++s->tick->n % OP_TICK_EVERY == 0)
		s->tick->fn(s->tick->arg, s->tick->n);
	return s->ops->next(s->state, op);
}

/* n ops read (n <= 0: none): the tick when the count crosses a multiple of OP_TICK_EVERY; n. */
static inline long op_source_ticks(struct op_source *s, long n)
{
	if (n > 0 && s->tick) {
		uint64_t before = s->tick->n;

		s->tick->n += (uint64_t)n;
		if (s->tick->n / OP_TICK_EVERY != before / OP_TICK_EVERY)
			s->tick->fn(s->tick->arg, s->tick->n);
	}
	return n;
}

/*
 * op_source_next_batch() sets *ops to the next n >= 1 ops and returns n; 0 at
 * the end, -1 after reporting an error with its position (where() names the
 * failing op). The ops, and what they point at, belong to the source and stay
 * valid until the next call. A source without next_batch (text, synth) gives
 * batches of one op, read into s->one. The tick is called whenever the op
 * count crosses a multiple of OP_TICK_EVERY (counted n per batch).
 */
static inline long op_source_next_batch(struct op_source *s, const struct dma_op **ops)
{
	long n;

	if (s->ops->next_batch) {
		n = s->ops->next_batch(s->state, ops);
	} else {
		n = s->ops->next(s->state, &s->one);
		*ops = &s->one;
		if (n < 0)
			n = -1;
	}
	return op_source_ticks(s, n);
}

/*
 * op_source_next_run() fills *b with the next n >= 1 ops or a run of n DMAs
 * and returns n; otherwise as op_source_next_batch(), whose batches a source
 * without next_run gives (b->addr NULL).
 */
static inline long op_source_next_run(struct op_source *s, struct op_run *b)
{
	if (!s->ops->next_run) {
		b->addr = NULL;
		return b->n = op_source_next_batch(s, &b->ops);
	}
	return b->n = op_source_ticks(s, s->ops->next_run(s->state, b));
}

/* Releases the source; a NULL or closed source is a no-op. */
static inline void op_source_close(struct op_source *s)
{
	if (s->ops)
		s->ops->close(s->state);
	s->ops = NULL;
	s->state = NULL;
	s->tick = NULL;
}

#endif /* DDWSIM_WORKLOAD_H */
