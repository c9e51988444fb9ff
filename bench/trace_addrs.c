/*
 * trace_addrs.c - the device addresses of a trace's DMAs as 8-byte records,
 * for bench/tight_loop.c (make speed).
 *
 *   trace_addrs TRACE OUT
 *
 * Reads TRACE (.ddwt or .ddwb, through the library's reader) and writes, for
 * each DMA, the host physical address it starts at (the buffer's map address
 * plus the DMA's offset) as one little-endian uint64_t. In a direct window
 * the TCE index of that access is address >> page_shift, which is what the
 * tight loop looks up. Only contiguous maps (OP_MAP) are followed, as the
 * random-DMA trace has: another op kind is an error. Exit status 0 or 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ddwsim/trace.h"
#include "ddwsim/workload.h"

#define MAX_HANDLES	64		/* live maps followed at once */

struct live {
	uint64_t handle, phys;
};

static int put_u64(FILE *out, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return fwrite(b, 8, 1, out) == 1 ? 0 : -1;
}

static int one_op(const struct dma_op *op, struct live *h, unsigned *n, FILE *out)
{
	unsigned i;

	if (op->kind == OP_MAP) {
		if (*n == MAX_HANDLES)
			return -1;
		h[(*n)++] = (struct live){ .handle = op->handle, .phys = op->addr };
		return 0;
	}
	for (i = 0; i < *n && h[i].handle != op->handle; i++)
		;
	if (i == *n || (op->kind != OP_DMA && op->kind != OP_UNMAP))
		return -1;
	if (op->kind == OP_UNMAP) {
		h[i] = h[--*n];
		return 0;
	}
	return put_u64(out, h[i].phys + op->addr);
}

int main(int argc, char **argv)
{
	struct op_source src;
	struct live h[MAX_HANDLES];
	struct dma_op op;
	unsigned n = 0;
	FILE *out;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: trace_addrs TRACE OUT\n");
		return 1;
	}
	if (trace_open(&src, argv[1]) < 0)
		return 1;
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	while ((rc = op_source_next(&src, &op)) > 0)
		if (one_op(&op, h, &n, out) < 0) {
			fprintf(stderr, "trace_addrs: '%s': an op other than map, dma, unmap "
				"of up to %d buffers\n", argv[1], MAX_HANDLES);
			rc = -1;
			break;
		}
	op_source_close(&src);
	if (fclose(out) != 0 || rc < 0) {
		remove(argv[2]);
		return 1;
	}
	return 0;
}
