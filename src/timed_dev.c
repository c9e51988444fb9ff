/*
 * timed_dev.c - each device's DMA engine and its PCIe link, and the PHB's own
 * link that devices on links of their own share.
 *
 * The engine starts its DMAs in order, each once its map is done (and, for a
 * time-stamped or `wait` DMA, once its time has come or the previous DMA is
 * complete). It sends a DMA's requests back to back on the upstream link: a
 * write (MWr) carries its payload, a read (MRd) only a header. Each TLP
 * takes its bytes on the wire (link.c: header, framing, LCRC, as the
 * pcie-bench model counts them) / the link's TLP-layer bandwidth (after
 * encoding, ACK and FC DLLPs and SKIPs, link.c) and arrives pcie.latency_ns
 * later. The requests are the ones phb.c's cursor makes (writes split at
 * MPS, reads at MRRS), with the outcomes the replay context logged for them
 * when the DMA was read. A translated request then reaches memory
 * (memory_latency_ns); a read's data comes back down the link as
 * completions cut at MPS (or RCB) boundaries, 20-byte CplD headers each. A
 * DMA is complete when its last request is.
 *
 * Read tags: a read request takes one of the device's pcie.read_tags tags
 * when it goes on the link and gives it back when its last completion
 * arrives (PCIe Base Spec §2.2.6.2: a Requester's outstanding non-posted
 * requests are bounded by its tag space). With none free, the engine waits
 * for one (EV_TAG_FREE); posted writes need none. Timing only: the requests,
 * their order and outcomes are those phb.c decided.
 *
 * The shared upstream link. Devices on links of their own (a devices: list
 * of more than one device, or one whose device.pcie is not platform.pcie; a
 * trace's devices once a second one starts) sit behind a switch, and every
 * TLP also crosses the PHB's own root-port link, platform.pcie (PHB4 Gen4
 * x16, PHB5 Gen5 x16). The same TLP (its bytes as link.c counts them on the
 * device's link) takes its wire time at the platform link's TLP-layer rate
 * (numbers.md §3.2: Gen4 x16 28.43 GB/s; 25.99 GB/s of 256-byte writes,
 * 26.37 GB/s of completion data), one TLP at a time per direction, first
 * come first served:
 *   up    a request goes on the upstream as soon as its head reaches the
 *         switch (when it starts on the device's link) or the upstream is
 *         free, and reaches the PHB when both links have carried it: a
 *         cut-through switch (assumed; store-and-forward would add one
 *         upstream wire time a TLP, 10 ns for a 256-byte write at Gen4 x16).
 *         The device's link takes its next TLP only once this one has
 *         started upstream: the switch holds one TLP a port waiting
 *         (flow-control credits; assumed), so a saturated upstream slows
 *         every device to its share instead of queueing without bound;
 *   down  a read's completions go on the upstream when the memory access is
 *         done or it is free, then on the device's link once their head is
 *         through, and arrive when both have carried them.
 * The switch's own latency is part of pcie.latency_ns (device <-> PHB). One
 * device on the platform's link has no switch: that link is its own, not
 * crossed twice. Nor does a faster upstream delay a lone device: it only
 * counts busy time. The wire table of the platform link serves both.
 */
#include "timed_int.h"

/* A TLP's time on link e: its bytes at the TLP-layer rate, to the nearest ps. */
static ddw_tick wire_calc(const struct engine *e, uint64_t bytes)
{
	return (ddw_tick)((double)bytes * e->ps_per_byte + 0.5);
}

/* wire_calc(), from a table for the short TLPs (a request's header, a small
 * completion): a conversion from double saved on most requests. */
static ddw_tick wire_time(const struct engine *e, uint64_t bytes)
{
	return e->wire_ps && bytes < WIRE_TABLE ? e->wire_ps[bytes] : wire_calc(e, bytes);
}

void dev_setup(struct timed *t)
{
	for (unsigned b = 0; b < WIRE_TABLE; b++)
		t->wire_ps[b] = (ddw_tick)((double)b * t->ps_per_byte + 0.5);
}

/* --- the PHB's own link, shared by devices on links of their own --- */

static bool pcie_same(const struct pcie_cfg *a, const struct pcie_cfg *b)
{
	return a->gen == b->gen && a->lanes == b->lanes && a->mps == b->mps &&
	       a->mrrs == b->mrrs && a->rcb == b->rcb && a->rcb_chunks == b->rcb_chunks &&
	       a->ecrc == b->ecrc && a->read_tags == b->read_tags &&
	       a->latency_ns == b->latency_ns;
}

void up_setup(struct timed *t)
{
	const struct config *cfg = t->r->cfg;

	t->up.wire_ps = t->wire_ps;
	t->solo = NO_DEV;
	t->shared = cfg->ndevices > 1 ||
		    (cfg->ndevices == 1 && !pcie_same(&cfg->devices[0].pcie, &cfg->platform.pcie));
}

/*
 * Until a second device starts, the one that did is alone on the platform's
 * link (a trace's devices all have it): the upstream has carried its TLPs
 * and no others, at the same rate, so its link's times are the upstream's.
 */
void up_join(struct timed *t, unsigned dev)
{
	const struct engine *s;

	if (t->shared)
		return;
	if (t->solo == NO_DEV || t->solo == dev) {
		t->solo = dev;
		return;
	}
	s = &t->dev[t->solo];
	t->up.up_free = s->up_free;
	t->up.down_free = s->down_free;
	t->up.up_busy = s->up_busy;
	t->up.down_busy = s->down_busy;
	t->shared = true;
}

void up_figures(const struct timed *t, struct sim_result *res)
{
	const struct engine *u = t->shared ? &t->up : t->solo != NO_DEV ? &t->dev[t->solo] : NULL;
	ddw_tick b = !u ? 0 : u->up_busy > u->down_busy ? u->up_busy : u->down_busy;

	res->st.upstream_busiest_ps = b;
}

/*
 * A request that started on device link e at `start` and ends there at
 * `end` crosses the upstream (see the head comment). Returns when both
 * links have carried it.
 */
static ddw_tick up_request(struct timed *t, struct engine *e, ddw_tick start, ddw_tick end,
			   uint64_t bytes)
{
	struct engine *u = &t->up;
	ddw_tick us = start > u->up_free ? start : u->up_free, took = wire_time(u, bytes);

	u->up_free = timed_add(t, us, took, "a request's end on the shared upstream link");
	u->up_busy = timed_add(t, u->up_busy, took, "the shared upstream link's busy time");
	if (us > e->up_free)		/* its link waits for the switch to take it */
		e->up_free = us;
	return u->up_free > end ? u->up_free : end;
}

/*
 * Completions leaving the PHB at `done` cross the upstream first. Sets *end
 * to when the upstream has carried them; returns when they may start on the
 * device's link (their head is through).
 */
static ddw_tick up_completion(struct timed *t, ddw_tick done, uint64_t bytes, ddw_tick *end)
{
	struct engine *u = &t->up;
	ddw_tick us = done > u->down_free ? done : u->down_free, took = wire_time(u, bytes);

	u->down_free = timed_add(t, us, took, "a completion's end on the shared upstream link");
	u->down_busy = timed_add(t, u->down_busy, took, "the shared upstream link's busy time");
	*end = u->down_free;
	return us;
}

static bool is_write(const struct ent *x)
{
	return x->op.dir != DMA_DIR_TO_DEVICE;
}

void dev_dma_done(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	struct mode_stats *st = &timed_rdev(t, x)->st;
	unsigned dev = x->op.dev;
	uint32_t m = x->map;

	if (t->now > st->dma_last_ps)
		st->dma_last_ps = t->now;
	if (!(x->op.flags & OP_F_AUX))
		hist_add(&t->res->dma_latency, t->now - x->start);
	t->dev[dev].outstanding--;
	timed_finish(t, i);
	if (m != NONE) {
		ent(t, m)->dmas--;
		if (ent(t, m)->unmap != NONE)
			host_kick(t, host_cpu_of(t, ent(t, ent(t, m)->unmap)));
		else
			timed_unbind_idle(t, m);
	}
	dev_kick(t, dev);
}

/* Puts x's next request on its device's upstream link. */
void dev_issue(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	struct engine *e = &t->dev[x->op.dev];
	ddw_tick start = t->now > e->up_free ? t->now : e->up_free, took, at;
	uint64_t bus, chunk, bytes;
	unsigned o;

	if (!is_write(x)) {
		if (e->tags_out == e->read_tags) {	/* wait for a completion */
			e->tag_wait = i;
			return;
		}
		e->tags_out++;
	}
	dma_cursor_next(&x->cur, &bus, &chunk);
	o = phb_log_pop(&timed_rdev(t, x)->log);
	t->pending_reqs--;
	bytes = is_write(x) ? link_mwr_bytes(&e->link, bus, (unsigned)chunk)
			    : link_mrd_bytes(&e->link, bus, (unsigned)chunk);
	took = wire_time(e, bytes);
	e->up_free = timed_add(t, start, took, "a request's end on the upstream link");
	e->up_busy = timed_add(t, e->up_busy, took, "the upstream link's busy time");
	at = t->shared ? up_request(t, e, start, e->up_free, bytes) : e->up_free;
	x->reqs_out++;
	timed_push(t, &e->ch_req, timed_add(t, at, e->lat_ps, "a request's arrival at the PHB"),
		   EV_REQ_KIND(o, chunk), i, bus);
	/* the engine's next step: soon, and mostly the next event (engine.h) */
	if (x->cur.left)
		event_push_aside(&t->q, e->up_free, EV_ISSUE, i, 0);
	else
		event_push_aside(&t->q, e->up_free, EV_DEV_FREE, x->op.dev, 0);
}

void dev_request(struct timed *t, uint32_t i, uint64_t bus, unsigned len, unsigned outcome)
{
	struct ent *x = ent(t, i);
	struct engine *e = &t->dev[x->op.dev];
	ddw_tick done, xdone;

	if (outcome & PHB_BYPASS)
		xdone = t->now;
	else if (!(xdone = pipe_translate(t, i, bus, len, outcome)))
		return;
	done = timed_add(t, xdone, t->mem_ps, "a request's memory access");
	if (!is_write(x)) {	/* the completions come back down; then the tag is free */
		uint64_t bytes = link_cpl_bytes(&e->link, bus, len);
		ddw_tick up_end = 0, from = t->shared ? up_completion(t, done, bytes, &up_end) : done;
		ddw_tick cs = from > e->down_free ? from : e->down_free;
		ddw_tick took = wire_time(e, bytes);

		e->down_free = timed_add(t, cs, took, "a completion's end on the downstream link");
		e->down_busy = timed_add(t, e->down_busy, took, "the downstream link's busy time");
		done = timed_add(t, e->down_free > up_end ? e->down_free : up_end, e->lat_ps,
				 "a completion's arrival at the device");
		if (x->reqs_out == 1 && x->cur.left == 0 && x->last <= done) {
			/* the tag and the DMA at the same tick, one after the other */
			x->reqs_out = 0;
			x->last = done;
			timed_push(t, &e->ch_cpl, done, EV_READ_DONE, i, 0);
			return;
		}
		timed_push(t, &e->ch_cpl, done, EV_TAG_FREE, x->op.dev, 0);
	}
	if (done > x->last)
		x->last = done;
	if (--x->reqs_out == 0 && x->cur.left == 0)
		timed_push(t, &e->ch_cpl, x->last, EV_DMA_DONE, i, 0);
}

void dev_tag_free(struct timed *t, unsigned dev)
{
	struct engine *e = &t->dev[dev];
	uint32_t i = e->tag_wait;

	e->tags_out--;
	if (i != NONE) {
		e->tag_wait = NONE;
		dev_issue(t, i);
	}
}

static void start_dma(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	struct engine *e = &t->dev[x->op.dev];
	const struct dma_seg *seg;
	const struct rp_device *d;

	x->state = E_RUNNING;
	x->start = t->now;
	e->outstanding++;
	if (!e->started) {
		e->started = true;
		timed_rdev(t, x)->st.dma_first_ps = t->now;
		up_join(t, x->op.dev);
	}
	if (!x->ok) {		/* unmapped: nothing reaches the PHB */
		timed_push(t, &e->ch_cpl, t->now, EV_DMA_DONE, i, 0);
		return;
	}
	e->busy = true;
	seg = t->bufs[i].seg;		/* from the DMA's first byte (timed.c) */
	/* its device's MPS or MRRS, as phb.c split it when the DMA was applied
	 * (not the PHB's: that is the device served last) */
	d = timed_rdev(t, x);
	dma_cursor_init(&x->cur, seg, 0, x->op.len, is_write(x) ? d->mps : d->mrrs);
	dev_issue(t, i);
}

void dev_start(struct timed *t, unsigned dev)
{
	struct engine *e = &t->dev[dev];
	struct ent *h;

	while (!e->busy && e->q.head != NONE) {
		h = ent(t, e->q.head);
		if (h->map != NONE && ent(t, h->map)->state != E_DONE)
			return;
		if ((h->op.flags & OP_F_WAIT) && e->outstanding)
			return;
		if (h->op.time_ps != OP_NO_TIME && h->op.time_ps > t->now) {
			if (e->wake != h->op.time_ps) {
				e->wake = h->op.time_ps;
				timed_push(t, &e->ch_up, h->op.time_ps, EV_DEV_WAKE, dev, 0);
			}
			return;
		}
		start_dma(t, timed_dequeue(t, &e->q));
	}
}
