/*
 * synth_multi.c - the devices of a config's `devices:` list as one op
 * stream: one generator per device, merged.
 *
 * Device k (numbered in list order, the counts expanded) runs its item's
 * generator as a one-device workload would, with three changes:
 *
 *   seed   run.seed + k x 0x9e3779b97f4a7c15 (splitmix64's increment): each
 *          drive draws its own buffers and addresses; device 0 keeps
 *          run.seed, so one device listed is the workload run alone
 *   cpu    (c + k x max(1, host.cpus / devices)) % host.cpus: each device's
 *          queues on CPUs of its own, spread over the host, as each NVMe
 *          drive's interrupt vectors are spread over the CPUs
 *   dev    k: its own PE, windows, handles, allocator pools and link
 *
 * run.ios is per device: each generator makes run.ios I/Os, so the devices
 * together make run.ios x devices, and adding a device adds load, as adding
 * a drive to a rack does.
 *
 * The merge rule: round-robin by I/O. Device k's ops are passed on until it
 * makes an I/O (a DMA without OP_F_AUX), then device k + 1's, and so on;
 * a device that has ended is skipped. Why by I/O: the devices run at once
 * and, being alike, at about the same rate, so their I/Os alternate; the
 * functional replay takes the ops in this order, and this order decides
 * what the shared TCE cache holds and which kills hit it. Time stamps are
 * not used to merge: only packet generators with line_mbps make them, and
 * the timed replay holds each DMA back to its own stamp on its own device
 * whatever the order. The order is fixed by the config and seed alone, so
 * runs are byte-identical.
 *
 * Memory: the devices' generators, each its own state (synth_load per
 * device); one scratch config per item to open them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/err.h"
#include "ddwsim/synth.h"
#include "ddwsim/synth_multi.h"
#include "ddwsim/xalloc.h"

struct multi {
	unsigned n;			/* devices */
	unsigned cur;			/* the device whose turn it is */
	unsigned left;			/* devices not yet ended */
	unsigned ncpu;			/* host.cpus */
	unsigned stride;		/* CPUs between two devices' first CPUs */
	struct op_source *src;		/* per device */
	bool *ended;			/* per device */
};

static void multi_close(void *state)
{
	struct multi *m = state;

	for (unsigned k = 0; k < m->n; k++)
		op_source_close(&m->src[k]);
	free(m->src);
	free(m->ended);
	free(m);
}

/* The next device after k that has not ended (k itself when it is the last). */
static unsigned next_dev(const struct multi *m, unsigned k)
{
	for (unsigned i = 1; i <= m->n; i++)
		if (!m->ended[(k + i) % m->n])
			return (k + i) % m->n;
	return k;
}

static int multi_next(void *state, struct dma_op *op)
{
	struct multi *m = state;
	int rc;

	while (m->left) {
		unsigned k = m->cur;

		rc = op_source_next(&m->src[k], op);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			m->ended[k] = true;
			m->left--;
			m->cur = next_dev(m, k);
			continue;
		}
		op->dev = k;
		op->cpu = (unsigned)((op->cpu + (uint64_t)k * m->stride) % m->ncpu);
		if ((op->kind == OP_DMA || op->kind == OP_DMA_BUS) && !(op->flags & OP_F_AUX))
			m->cur = next_dev(m, k);	/* an I/O: the next device's turn */
		return 1;
	}
	return 0;
}

static const struct op_source_ops multi_ops = {
	.name = "devices",
	.next = multi_next,
	.close = multi_close,
};

uint64_t synth_multi_seed(uint64_t seed, unsigned dev)
{
	return seed + (uint64_t)dev * 0x9e3779b97f4a7c15ull;
}

/* Opens device k's generator with one, a copy of the config made item's. */
static int open_one(struct multi *m, struct config *one, unsigned k, uint64_t seed)
{
	const struct synth_gen *gen = synth_find(one->workload.generator);

	one->run.seed = synth_multi_seed(seed, k);
	if (!gen || gen->open(&m->src[k], one) < 0)
		return ddw_error("cannot open workload '%s' of device %u", one->workload.generator, k);
	return 0;
}

int synth_multi_open(struct op_source *src, const struct config *cfg)
{
	struct multi *m = xcalloc(1, sizeof(*m));
	struct config *one = xmalloc(sizeof(*one));
	int rc = 0;

	m->n = m->left = cfg->ndevices;
	m->ncpu = cfg->host.cpus;
	m->stride = cfg->host.cpus / cfg->ndevices ? cfg->host.cpus / cfg->ndevices : 1;
	m->src = xcalloc(m->n, sizeof(*m->src));
	m->ended = xcalloc(m->n, sizeof(*m->ended));
	op_source_set(src, &multi_ops, m);
	for (unsigned i = 0; i < cfg->ndevitems && rc == 0; i++) {
		*one = *cfg;
		config_as_device(one, i);
		for (unsigned k = cfg->devices[i].first; k - cfg->devices[i].first < cfg->devices[i].count && rc == 0; k++)
			rc = open_one(m, one, k, cfg->run.seed);
	}
	free(one);
	return rc;
}
