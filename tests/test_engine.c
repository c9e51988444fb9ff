/*
 * test_engine.c - the event queue and the clock helpers (include/ddwsim/engine.h).
 *
 * The contract under test:
 *   - event_pop() returns the earliest event; equal ticks pop in push order
 *     (the heap is keyed by (tick, seq), seq being the insertion order);
 *   - clock_mhz(f) has a period of round(10^6 / f) ps;
 *   - cycles(c, n) = n * period; clock_edge(c, t) = the first edge at or after t;
 *     both TICK_NEVER when the answer does not fit below 2^64 - 1 ps.
 *
 * The expected orders come from a reference written here: a plain array kept
 * in push order, whose minimum by (tick, push index) is found by a linear scan,
 * or a qsort of the pushed events by (tick, push index). Pseudo-random ticks
 * come from a splitmix64 local to this file, not from src/rng.c.
 */
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "ddwsim/engine.h"

/* A generator for test inputs only (splitmix64, Steele et al. 2014). */
static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One pushed event as the reference sees it: its tick and its push index. */
struct ref_ev {
	uint64_t tick;
	uint32_t idx;
};

static int ref_cmp(const void *x, const void *y)
{
	const struct ref_ev *p = x, *q = y;

	if (p->tick != q->tick)
		return p->tick < q->tick ? -1 : 1;
	return p->idx < q->idx ? -1 : p->idx > q->idx;
}

/*
 * Pops q's next event, which must be the least (tick, push index) of
 * live[0..*n) by a linear scan; it leaves live. Op names the step in a failure.
 */
static struct event pop_least(struct event_queue *q, struct ref_ev *live, uint32_t *n,
			      unsigned op)
{
	struct event ev;
	uint32_t best = 0;

	for (uint32_t i = 1; i < *n; i++)
		if (ref_cmp(&live[i], &live[best]) < 0)
			best = i;
	cr_assert(event_pop(q, &ev));
	if (ev.tick != live[best].tick || ev.a != live[best].idx)
		cr_assert_fail("op %u: (tick %lu, idx %u), want (tick %lu, idx %u)", op,
			       (unsigned long)ev.tick, ev.a, (unsigned long)live[best].tick,
			       live[best].idx);
	live[best] = live[--*n];
	return ev;
}

/* ---- the queue: basic contract ---- */

Test(engine, an_empty_queue_pops_nothing_and_has_no_next_tick)
{
	struct event_queue q;
	struct event ev = { .tick = 99, .kind = 7 };

	event_queue_init(&q);
	cr_expect_eq(event_next_tick(&q), TICK_NEVER);
	cr_expect_not(event_pop(&q, &ev));
	cr_expect_eq(ev.tick, 99, "a failed pop leaves *ev alone");
	cr_expect_eq(q.pushed, 0);
	event_queue_release(&q);
}

Test(engine, events_pop_in_tick_order_with_their_payload)
{
	static const uint64_t ticks[] = { 50, 10, 40, 30, 20, 0, 1000000000000ull };
	static const uint64_t want[] = { 0, 10, 20, 30, 40, 50, 1000000000000ull };
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	/* payload derived from the tick so that each popped event can be checked whole */
	for (unsigned i = 0; i < 7; i++)
		event_push(&q, ticks[i], (uint32_t)(ticks[i] % 97), (uint32_t)i,
			   ticks[i] * 3 + 1);
	cr_expect_eq(event_queued(&q), 7);
	cr_expect_eq(event_next_tick(&q), 0);
	for (unsigned i = 0; i < 7; i++) {
		cr_assert(event_pop(&q, &ev), "pop %u", i);
		cr_expect_eq(ev.tick, want[i], "pop %u: tick %lu, want %lu", i,
			     (unsigned long)ev.tick, (unsigned long)want[i]);
		cr_expect_eq(ev.kind, (uint32_t)(want[i] % 97));
		cr_expect_eq(ev.b, want[i] * 3 + 1);
		cr_expect_eq(ticks[ev.a], want[i], "a is the push index of that tick");
	}
	cr_expect_not(event_pop(&q, &ev));
	cr_expect_eq(event_next_tick(&q), TICK_NEVER);
	event_queue_release(&q);
}

Test(engine, equal_ticks_pop_in_push_order)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	for (uint32_t i = 0; i < 64; i++)
		event_push(&q, 100, 0, i, 0);
	for (uint32_t i = 0; i < 64; i++) {
		cr_assert(event_pop(&q, &ev));
		cr_expect_eq(ev.a, i, "pop %u gave the event pushed %u-th", i, ev.a);
	}
	event_queue_release(&q);
}

Test(engine, ties_are_broken_by_push_order_among_other_ticks)
{
	/* pushed: (5,a0) (3,a1) (5,a2) (3,a3) (5,a4) (4,a5) (3,a6)
	 * by (tick, push order): a1 a3 a6 | a5 | a0 a2 a4 */
	static const uint64_t ticks[] = { 5, 3, 5, 3, 5, 4, 3 };
	static const uint32_t want[] = { 1, 3, 6, 5, 0, 2, 4 };
	struct event_queue q;
	struct event ev;
	uint64_t last_seq = 0;

	event_queue_init(&q);
	for (uint32_t i = 0; i < 7; i++)
		event_push(&q, ticks[i], 0, i, 0);
	for (unsigned i = 0; i < 7; i++) {
		cr_assert(event_pop(&q, &ev));
		cr_expect_eq(ev.a, want[i], "pop %u: a%u, want a%u", i, ev.a, want[i]);
		if (i && ticks[want[i - 1]] == ticks[want[i]])
			cr_expect_gt(ev.seq, last_seq, "seq grows with push order within a tick");
		last_seq = ev.seq;
	}
	event_queue_release(&q);
}

Test(engine, an_event_pushed_later_at_the_same_tick_pops_after_those_already_queued)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	event_push(&q, 10, 0, 'A', 0);
	event_push(&q, 10, 0, 'B', 0);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.a, 'A');
	event_push(&q, 10, 0, 'C', 0);		/* same tick as B, pushed after it */
	event_push(&q, 5, 0, 'D', 0);		/* earlier: goes first */
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.a, 'D');
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.a, 'B');
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.a, 'C');
	cr_expect_not(event_pop(&q, &ev));
	event_queue_release(&q);
}

Test(engine, extreme_ticks_order_correctly)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	event_push(&q, UINT64_MAX - 1, 0, 2, 0);
	event_push(&q, 1ull << 63, 0, 1, 0);
	event_push(&q, 0, 0, 0, 0);
	event_push(&q, (1ull << 63) - 1, 0, 9, 0);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.tick, 0);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.tick, (1ull << 63) - 1, "ticks compare unsigned, not signed");
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.tick, 1ull << 63);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.tick, UINT64_MAX - 1);
	event_queue_release(&q);
}

Test(engine, next_tick_follows_the_earliest_event)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	event_push(&q, 700, 0, 0, 0);
	cr_expect_eq(event_next_tick(&q), 700);
	event_push(&q, 900, 0, 0, 0);
	cr_expect_eq(event_next_tick(&q), 700, "a later push does not move it");
	event_push(&q, 300, 0, 0, 0);
	cr_expect_eq(event_next_tick(&q), 300);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(event_next_tick(&q), 700);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(event_next_tick(&q), 900);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(event_next_tick(&q), TICK_NEVER);
	event_queue_release(&q);
}

Test(engine, pushed_counts_every_event_ever_scheduled)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	for (unsigned i = 0; i < 3000; i++) {	/* past the first heap doubling */
		event_push(&q, i % 17, 0, 0, 0);
		if (i % 3 == 0)
			cr_assert(event_pop(&q, &ev));
	}
	cr_expect_eq(q.pushed, 3000, "pops do not decrement it");
	cr_expect_eq(event_queued(&q), 3000 - 1000);
	event_queue_release(&q);
}

Test(engine, a_released_queue_can_be_initialised_again)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	event_push(&q, 1, 0, 1, 0);
	event_queue_release(&q);
	cr_expect_null(q.heap);
	cr_expect_eq(event_queued(&q), 0);
	event_queue_init(&q);
	cr_expect_eq(event_next_tick(&q), TICK_NEVER, "nothing survives release + init");
	event_push(&q, 2, 0, 2, 0);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.a, 2);
	event_queue_release(&q);
	event_queue_release(&q);	/* twice is harmless: free(NULL) */
}

/* ---- the queue: many events against a sorted copy ---- */

/* Pushes n events with ticks from mix() (modulo tick_mod unless 0), then checks
 * the whole pop order against a qsort of (tick, push index). */
static void check_against_sorted(uint32_t n, uint64_t seed, uint64_t tick_mod)
{
	struct ref_ev *ref = malloc(n * sizeof(*ref));
	struct event_queue q;
	struct event ev;

	cr_assert_not_null(ref);
	event_queue_init(&q);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t t = mix(&seed);

		ref[i].tick = tick_mod ? t % tick_mod : t;
		ref[i].idx = i;
		event_push(&q, ref[i].tick, i & 0xff, i, ~(uint64_t)i);
	}
	qsort(ref, n, sizeof(*ref), ref_cmp);
	for (uint32_t i = 0; i < n; i++) {
		cr_assert(event_pop(&q, &ev), "pop %u of %u", i, n);
		if (ev.tick != ref[i].tick || ev.a != ref[i].idx)
			cr_assert_fail("pop %u: (tick %lu, idx %u), want (tick %lu, idx %u)", i,
				       (unsigned long)ev.tick, ev.a,
				       (unsigned long)ref[i].tick, ref[i].idx);
		cr_assert_eq(ev.kind, ref[i].idx & 0xff);
		cr_assert_eq(ev.b, ~(uint64_t)ref[i].idx);
	}
	cr_expect_not(event_pop(&q, &ev));
	event_queue_release(&q);
	free(ref);
}

Test(engine, hundred_thousand_random_ticks_pop_as_a_sorted_copy)
{
	/* full 64-bit ticks, nearly all distinct */
	check_against_sorted(100000, 1, 0);
}

Test(engine, hundred_thousand_ticks_with_many_ties_pop_as_a_stable_sort)
{
	check_against_sorted(100000, 2, 100);		/* ~1000 events per tick */
}

/*
 * Random interleaving of pushes and pops (the queue grows past its first
 * 1024 slots, then drains), each pop compared with a linear scan for the
 * minimum (tick, push index) of the events still queued in the reference.
 */
Test(engine, interleaved_push_and_pop_match_a_linear_scan)
{
	enum { OPS = 20000, MAXLIVE = 2500 };
	struct ref_ev *live = malloc(MAXLIVE * sizeof(*live));
	struct event_queue q;
	struct event ev;
	uint64_t seed = 3;
	uint32_t nlive = 0, pushed = 0;

	cr_assert_not_null(live);
	event_queue_init(&q);
	for (unsigned op = 0; op < OPS; op++) {
		/* first half pushes 3 of 4 times, second half 1 of 4 */
		unsigned push_in_4 = op < OPS / 2 ? 3 : 1;
		uint64_t r = mix(&seed);
		bool push = nlive < MAXLIVE && (nlive == 0 || r % 4 < push_in_4);

		if (push) {
			uint64_t t = (r >> 8) % 5000;

			live[nlive++] = (struct ref_ev){ .tick = t, .idx = pushed };
			event_push(&q, t, 0, pushed++, 0);
			continue;
		}
		pop_least(&q, live, &nlive, op);
		cr_assert_eq(event_queued(&q), nlive);
	}
	cr_expect_gt(pushed, 1024u, "the heap had to grow while interleaving");
	while (nlive)		/* drain: still in order */
		pop_least(&q, live, &nlive, OPS);
	cr_expect_not(event_pop(&q, &ev));
	event_queue_release(&q);
	free(live);
}

/* ---- channels: monotone streams out of the heap, the same order ---- */

Test(engine, a_channel_keeps_only_its_first_event_in_the_heap)
{
	struct event_queue q;
	struct event ev;
	uint32_t ch;

	event_queue_init(&q);
	ch = event_chan_new(&q);
	cr_assert_eq(ch, 1, "channels are numbered from 1");
	for (uint32_t i = 0; i < 1000; i++)	/* ticks 0, 0, 5, 5, 10, ...: not decreasing */
		event_push_chan(&q, ch, i / 2 * 5, 1, i, 0);
	cr_expect_eq(event_queued(&q), 1, "999 events wait in the channel's ring");
	cr_expect_eq(q.pushed, 1000);
	/* earlier than the channel's last (2495): the heap orders it, first */
	event_push_chan(&q, ch, 3, 2, 1000, 0);
	cr_expect_eq(event_queued(&q), 2);
	event_push(&q, 5, 3, 1001, 0);		/* a tie with events 2 and 3, pushed after them */
	cr_assert(event_pop(&q, &ev));
	cr_expect(ev.tick == 0 && ev.a == 0);
	cr_assert(event_pop(&q, &ev));
	cr_expect(ev.tick == 0 && ev.a == 1);
	cr_assert(event_pop(&q, &ev));
	cr_expect(ev.tick == 3 && ev.a == 1000 && ev.kind == 2);
	for (uint32_t i = 2; i < 1000; i++) {
		cr_assert(event_pop(&q, &ev));
		cr_assert_eq(ev.a, i, "pop of channel event %u", i);
		cr_assert_eq(ev.tick, i / 2 * 5);
		if (i == 3) {	/* then the plain event of tick 5, pushed after both */
			cr_assert(event_pop(&q, &ev));
			cr_assert_eq(ev.a, 1001);
		}
	}
	cr_expect_not(event_pop(&q, &ev));
	event_queue_release(&q);
}

/* The aside slot holds one event; it pops in its place by (tick, push index). */
Test(engine, an_event_pushed_aside_pops_in_its_order)
{
	struct event_queue q;
	struct event ev;

	event_queue_init(&q);
	event_push(&q, 10, 0, 0, 0);
	event_push_aside(&q, 10, 0, 1, 0);	/* a tie: after event 0 */
	event_push_aside(&q, 5, 0, 2, 0);	/* the slot is taken: to the side slots */
	event_push(&q, 7, 0, 3, 0);
	cr_expect_eq(event_queued(&q), 4);
	cr_expect_eq(event_next_tick(&q), 5);
	for (unsigned k = 0; k < 4; k++) {
		static const uint32_t order[] = { 2, 3, 0, 1 };

		cr_assert(event_pop(&q, &ev));
		cr_assert_eq(ev.a, order[k], "pop %u", k);
	}
	cr_expect_not(event_pop(&q, &ev));
	event_push_aside(&q, 1, 0, 4, 0);	/* the slot is free again; alone in the queue */
	cr_expect_eq(event_next_tick(&q), 1);
	cr_assert(event_pop(&q, &ev));
	cr_expect_eq(ev.a, 4);
	event_queue_release(&q);
}

/*
 * Random pushes, each through one of three channels, aside (stream 4) or
 * none, with ticks mostly after the stream's last and sometimes before it,
 * and random pops: each pop is the minimum (tick, push index) of a linear
 * scan, exactly as without channels or the aside slot.
 */
Test(engine, events_through_channels_pop_as_a_linear_scan_says)
{
	enum { OPS = 40000, MAXLIVE = 3000, ASIDE = 4 };
	struct ref_ev *live = malloc(MAXLIVE * sizeof(*live));
	struct event_queue q;
	struct event ev;
	uint64_t seed = 4, now = 0, last[5] = { 0 };
	uint32_t ch[4] = { 0 }, nlive = 0, pushed = 0;

	cr_assert_not_null(live);
	event_queue_init(&q);
	for (unsigned c = 1; c < 4; c++)
		ch[c] = event_chan_new(&q);
	for (unsigned op = 0; op < OPS || nlive; op++) {
		uint64_t r = mix(&seed);
		unsigned c = (unsigned)(r >> 40) % 5;
		bool push = op < OPS && nlive < MAXLIVE && (nlive == 0 || r % 8 < 5);

		if (push) {
			/* a stream: its last tick plus 0..15; 1 in 16 up to 60 before it */
			uint64_t t = (r >> 8) % 16 ? last[c] + (r >> 12) % 16
						   : now + (r >> 12) % 60;

			t = t < now ? now : t;
			if (c && t > last[c])
				last[c] = t;
			live[nlive++] = (struct ref_ev){ .tick = t, .idx = pushed };
			if (c == ASIDE)
				event_push_aside(&q, t, c, pushed++, 0);
			else if (c)
				event_push_chan(&q, ch[c], t, c, pushed++, 0);
			else
				event_push(&q, t, c, pushed++, 0);
			continue;
		}
		now = pop_least(&q, live, &nlive, op).tick;
		cr_assert_leq(event_queued(&q), nlive);
	}
	cr_expect_not(event_pop(&q, &ev));
	cr_expect_gt(pushed, 20000u);
	event_queue_release(&q);
	free(live);
}

/* ---- clocks ---- */

Test(engine, clock_mhz_rounds_the_period_to_the_nearest_ps)
{
	/* 10^6 / f, by hand:
	 *   1000 MHz -> 1000 ps exactly      2000 -> 500        1600 -> 625
	 *   3800 MHz -> 263.157.. -> 263     3000 -> 333.3.. -> 333
	 *   1500 MHz -> 666.6.. -> 667       2400 -> 416.6.. -> 417
	 *   3200 MHz -> 312.5 exactly -> 313 (half rounds up, as round() does)
	 *   400000 MHz -> 2.5 -> 3           1 MHz -> 10^6 ps */
	cr_expect_eq(clock_mhz(1000).period_ps, 1000);
	cr_expect_eq(clock_mhz(2000).period_ps, 500);
	cr_expect_eq(clock_mhz(1600).period_ps, 625);
	cr_expect_eq(clock_mhz(3800).period_ps, 263);
	cr_expect_eq(clock_mhz(3000).period_ps, 333);
	cr_expect_eq(clock_mhz(1500).period_ps, 667);
	cr_expect_eq(clock_mhz(2400).period_ps, 417);
	cr_expect_eq(clock_mhz(3200).period_ps, 313);
	cr_expect_eq(clock_mhz(400000).period_ps, 3);
	cr_expect_eq(clock_mhz(1).period_ps, 1000000);
	cr_expect_eq(clock_mhz(0.25).period_ps, 4000000, "fractional MHz: 4 us");
}

Test(engine, a_clock_too_fast_for_a_ps_keeps_a_period_of_one)
{
	/* 3*10^6 MHz is 0.33 ps, which rounds to 0; a zero period would make
	 * clock_edge divide by zero, so the period stays at 1 ps. */
	cr_expect_eq(clock_mhz(3e6).period_ps, 1);
	cr_expect_eq(clock_edge(clock_mhz(3e6), 12345), 12345);
}

Test(engine, cycles_are_whole_periods)
{
	struct ddw_clock c = clock_mhz(3800);	/* 263 ps */

	cr_expect_eq(cycles(c, 0), 0);
	cr_expect_eq(cycles(c, 1), 263);
	cr_expect_eq(cycles(c, 1000), 263000);
	cr_expect_eq(cycles(c, 1000000007ull), 263000001841ull);	/* 263 * 1000000007 */
	cr_expect_eq(cycles(clock_mhz(2000), 3), 1500);
}

Test(engine, clock_edge_is_the_first_edge_at_or_after_t)
{
	struct ddw_clock c = clock_mhz(3800);	/* edges at 0, 263, 526, 789, ... */

	cr_expect_eq(clock_edge(c, 0), 0, "0 is an edge");
	cr_expect_eq(clock_edge(c, 1), 263);
	cr_expect_eq(clock_edge(c, 262), 263);
	cr_expect_eq(clock_edge(c, 263), 263, "already on an edge: stays");
	cr_expect_eq(clock_edge(c, 264), 526, "just after an edge: the next one");
	cr_expect_eq(clock_edge(c, 525), 526);
	cr_expect_eq(clock_edge(c, 526), 526);
	/* 10^9 ps = 1 ms: 10^9 / 263 = 3802281.3.., so the edge is 3802282 * 263 */
	cr_expect_eq(clock_edge(c, 1000000000ull), 1000000166ull);
	cr_expect_eq(clock_edge(c, 263ull * 3802281), 263ull * 3802281);
}

Test(engine, clock_edge_agrees_with_cycles)
{
	struct ddw_clock c = clock_mhz(1500);	/* 667 ps */
	uint64_t seed = 4;

	for (unsigned i = 0; i < 10000; i++) {
		uint64_t t = mix(&seed) >> 20;		/* up to 2^44 ps, no overflow */
		uint64_t e = clock_edge(c, t);

		cr_assert_geq(e, t);
		cr_assert_lt(e - t, 667, "no edge skipped");
		cr_assert_eq(e % 667, 0, "on an edge");
		cr_assert_eq(clock_edge(c, e), e, "an edge maps to itself");
		cr_assert_eq(cycles(c, e / 667), e);
	}
}

/*
 * The rounding-up sum t + period - 1 would wrap when t > UINT64_MAX - (period - 1).
 * With a 263 ps clock, t = UINT64_MAX - 200: the first edge at or after t
 * is 263 * floor(UINT64_MAX / 263) = UINT64_MAX - 103 (UINT64_MAX mod 263 = 103,
 * worked out with Python integers); a wrapping sum would give 61 / 263 * 263 = 0,
 * a time in the far future mapped to the start of the run.
 */
Test(engine, clock_edge_near_the_end_of_time_does_not_wrap)
{
	struct ddw_clock c = clock_mhz(3800);	/* 263 ps */

	cr_expect_eq(clock_edge(c, UINT64_MAX - 200), UINT64_MAX - 103);
	cr_expect_eq(clock_edge(c, UINT64_MAX - 103), UINT64_MAX - 103);
}

/* Past the last edge below 2^64 - 1 there is no edge: TICK_NEVER, never a wrapped time. */
Test(engine, clock_edge_past_the_last_edge_is_never)
{
	struct ddw_clock c = clock_mhz(3800);	/* 263 ps; the last edge is UINT64_MAX - 103 */

	cr_expect_eq(clock_edge(c, UINT64_MAX - 102), TICK_NEVER);
	cr_expect_eq(clock_edge(c, UINT64_MAX - 1), TICK_NEVER);
	cr_expect_eq(clock_edge(c, TICK_NEVER), TICK_NEVER);
	/* a 1 ps clock has an edge at every time */
	cr_expect_eq(clock_edge(clock_mhz(1e6), UINT64_MAX - 1), UINT64_MAX - 1);
}

/* 1 MHz = 10^6 ps per cycle: 2^64 / 10^6 = 18446744073709.55 cycles fit, one more does not. */
Test(engine, cycles_past_2_64_ps_are_never)
{
	struct ddw_clock c = clock_mhz(1);

	cr_expect_eq(c.period_ps, 1000000);
	cr_expect_eq(cycles(c, 18446744073709ull), 18446744073709000000ull);
	cr_expect_eq(cycles(c, 18446744073710ull), TICK_NEVER);
	cr_expect_eq(cycles(c, UINT64_MAX), TICK_NEVER);
}
