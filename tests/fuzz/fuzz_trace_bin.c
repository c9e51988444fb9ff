/*
 * fuzz_trace_bin.c - libFuzzer target: trace_open() on one .ddwb file (either
 * version, as its header says), read to its end three times: by batches
 * (op_source_next_batch), by runs (op_source_next_run, each run's DMAs made
 * whole) and one op at a time (fuzz_drain), which must agree.
 * A file that reads without error must then convert losslessly: its text and
 * the text of its version 2 copy are the same bytes. The input is the file
 * after its 8-byte magic, which the harness writes, so every input reaches
 * the binary reader.
 */
#include "fuzz.h"

/* A running hash of the ops read: their fields but the sg pointer. */
static uint64_t fuzz_op_hash(uint64_t h, const struct dma_op *op)
{
	const uint64_t f[] = { op->kind, op->dir, op->cpu, op->dev, op->win, op->flags, op->handle,
			       op->addr, op->len, op->page_shift, op->levels, op->nsg, op->rec_bus,
			       op->time_ps, op->clear };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		h = (h ^ f[i]) * 0x100000001b3ull;
	return h;
}

/* Reads path by batches: the last value (0 or -1), *n the ops, *h their hash; every op must be one both formats carry. */
static int fuzz_drain_batches(const char *path, uint64_t *n, uint64_t *h)
{
	const struct dma_op *ops;
	struct op_source src;
	char why[128];
	long got;

	*n = 0;
	*h = 0;
	if (trace_open(&src, path) < 0)
		return -1;
	while ((got = op_source_next_batch(&src, &ops)) > 0)
		for (long i = 0; i < got; i++, ++*n) {
			if (trace_op_problem(&ops[i], why, sizeof(why)))
				abort();
			*h = fuzz_op_hash(*h, &ops[i]);
		}
	op_source_close(&src);
	return (int)got;
}

/* Reads path by runs (op_source_next_run), each DMA of a run made whole: as fuzz_drain_batches. */
static int fuzz_drain_runs(const char *path, uint64_t *n, uint64_t *h)
{
	struct op_source src;
	struct op_run b;
	long got;

	*n = 0;
	*h = 0;
	if (trace_open(&src, path) < 0)
		return -1;
	while ((got = op_source_next_run(&src, &b)) > 0)
		for (long i = 0; i < got; i++, ++*n) {
			struct dma_op op = b.addr ? b.ops[0] : b.ops[i];

			if (b.addr) {
				if (op.kind != OP_DMA || (i == 0 && op.addr != b.addr[0]))
					abort();	/* a run is of DMAs, its first whole */
				op.addr = b.addr[i];
			}
			*h = fuzz_op_hash(*h, &op);
		}
	op_source_close(&src);
	return (int)got;
}

/* Are files a and b the same bytes? */
static int fuzz_same(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, same = fa && fb;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX], v2[PATH_MAX], t1[PATH_MAX], t2[PATH_MAX];
	uint64_t n, h, rn, rh;
	int rc;

	if (!path[0]) {
		fuzz_path(path, sizeof(path), "fuzz.ddwb");
		fuzz_path(v2, sizeof(v2), "fuzz-v2.ddwb");
		fuzz_path(t1, sizeof(t1), "fuzz-1.ddwt");
		fuzz_path(t2, sizeof(t2), "fuzz-2.ddwt");
	}
	if (fuzz_write(path, TRACE_BIN_MAGIC, TRACE_BIN_MAGIC_LEN, data, size) != 0)
		return 0;
	rc = fuzz_drain_batches(path, &n, &h);
	if (fuzz_drain(path) != rc)
		abort();	/* batches and single ops disagree */
	if (fuzz_drain_runs(path, &rn, &rh) != rc || rn != n || rh != h)
		abort();	/* runs and batches disagree */
	if (rc != 0 || n > 100000)
		return 0;
	if (trace_convert(path, t1) != 0 || trace_convert_fmt(path, v2, TRACE_BIN) != 0 ||
	    trace_convert(v2, t2) != 0 || !fuzz_same(t1, t2))
		abort();	/* a good file must convert losslessly through version 2 */
	return 0;
}
