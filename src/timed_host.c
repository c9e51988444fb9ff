/*
 * timed_host.c - the host CPUs: each runs its maps and unmaps one at a time,
 * in program order.
 *
 * A map or unmap takes the cycles of the work the replay context found it
 * did (cost.c: allocator, TCE writes, hypercalls), then kill.cpu_ns per kill
 * request. Each kill reaches the PHB when the host issues it, and stalls
 * translation there (timed_phb.c). With kill.phb_lock, a PHB takes one
 * kill at a time: skiboot's opal_pci_tce_kill (core/pci-opal.c) holds phb_lock over
 * phb4_tce_kill, which busy-polls until the kill and its DMA read sync are
 * done (domain.md §3.2). A CPU whose kill finds the lock held spins until
 * the kill before it ends (first come, first served), and that time is its
 * own (counted apart too, cpu.kill_lock_wait_ns): the neighbours of a
 * device that kills on every map and unmap pay for its kills in CPU time,
 * on their own maps and unmaps.
 */
#include "timed_int.h"

unsigned host_cpu_of(const struct timed *t, const struct ent *x)
{
	return x->op.cpu % t->ncpu;
}

static bool ready(const struct timed *t, const struct ent *x)
{
	if (x->op.kind == OP_UNMAP)	/* no map: it was done and idle */
		return x->map == NONE ||
		       (ent(t, x->map)->state == E_DONE && ent(t, x->map)->dmas == 0);
	return x->prev_unmap == NONE || ent(t, x->prev_unmap)->state == E_DONE;
}

static void start(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	struct mode_stats *st = &timed_rdev(t, x)->st;
	unsigned c = host_cpu_of(t, x);
	ddw_tick t0, at;
	bool unmap;

	x->state = E_RUNNING;
	t->cpu_busy[c] = true;
	if (x->prev_unmap != NONE) {	/* that dependency is met: let the old instance go */
		uint32_t u = x->prev_unmap;

		x->prev_unmap = NONE;
		ent(t, u)->next_map = NONE;
		timed_unref(t, u);
		x = ent(t, i);
	}
	unmap = x->op.kind == OP_UNMAP;
	t0 = timed_edge(t, t->cpu_clk, t->now, unmap ? "an unmap's start" : "a map's start");
	at = timed_add(t, t0, timed_mul(t, x->cycles, t->cpu_clk.period_ps,
					unmap ? "an unmap's CPU time (cycles x period)" :
						"a map's CPU time (cycles x period)"),
		       unmap ? "an unmap's end" : "a map's end");
	for (unsigned k = 0; k < x->nkills && !t->overflowed; k++) {
		if (t->kill_serial && at < t->kill_free) {	/* spins on the PHB's lock: CPU time */
			st->cpu_kill_wait_ps = timed_add(t, st->cpu_kill_wait_ps, t->kill_free - at,
							 "cpu.kill_lock_wait_ns of a device");
			at = t->kill_free;
		}
		timed_push(t, &t->cpu_ch[c], at, EV_KILL, i, k);
		at = timed_add(t, at, timed_mul(t, t->bufs[i].kills[k], t->kill_cpu_ps,
						"a kill's CPU time (requests x ps each)"),
			       "a kill's end");
		t->kill_free = at;
	}
	if (t->overflowed)
		return;			/* the loop stops before the next event */
	if (unmap)
		st->cpu_unmap_ps = timed_add(t, st->cpu_unmap_ps, at - t0, "cpu.unmap_ns of a device");
	else
		st->cpu_map_ps = timed_add(t, st->cpu_map_ps, at - t0, "cpu.map_ns of a device");
	t->cpu_busy_ps[c] = timed_add(t, t->cpu_busy_ps[c], at - t0, "a CPU's busy time");
	timed_push(t, &t->cpu_ch[c], at, EV_HOST_DONE, i, 0);
}

void host_kick(struct timed *t, unsigned c)
{
	struct queue *q = &t->cpuq[c];

	if (t->cpu_busy[c] || q->head == NONE || !ready(t, ent(t, q->head)))
		return;
	start(t, timed_dequeue(t, q));
}

void host_kill(struct timed *t, uint32_t i, unsigned k)
{
	pipe_kill(t, t->bufs[i].kills[k]);
}

void host_done(struct timed *t, uint32_t i)
{
	struct ent *x = ent(t, i);
	unsigned c = host_cpu_of(t, x), dev = x->op.dev;
	/* who may have waited for this op: an unmap its map's, a map its unmap's */
	uint32_t waiter = x->op.kind == OP_UNMAP ? x->next_map : x->unmap;
	bool unmap = x->op.kind == OP_UNMAP;

	t->cpu_busy[c] = false;
	if (unmap) {
		/* no later map took the handle: drop the binding */
		if (timed_unbind(t, dev, x->op.handle, i))
			x->refs--;
	}
	timed_finish(t, i);		/* x may be freed from here on */
	if (!unmap) {
		timed_unbind_idle(t, i);
		dev_kick(t, dev);
	}
	if (waiter != NONE)	/* on another CPU, it waited at its queue's head */
		host_kick(t, host_cpu_of(t, ent(t, waiter)));
	host_kick(t, c);
}
