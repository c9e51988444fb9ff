/*
 * test_idpool.c - the id pool (src/idpool.c): ids from 1, the most recently
 * freed id reused first, zeroed records, growth that keeps the records, and
 * the limit, which stops the program through the one fatal exit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "ddwsim/idpool.h"
#include "ddwsim/outfile.h"

struct rec {
	uint64_t a;
	uint32_t b;
	char name[20];
};

Test(idpool, ids_start_at_1_and_count_up)
{
	struct idpool p;

	idpool_init(&p, sizeof(struct rec));
	cr_expect(eq(u32, idpool_live(&p), 0));
	cr_expect(eq(u32, idpool_get(&p), 1));
	cr_expect(eq(u32, idpool_get(&p), 2));
	cr_expect(eq(u32, idpool_get(&p), 3));
	cr_expect(eq(u32, idpool_live(&p), 3));
	idpool_release(&p);
}

Test(idpool, the_most_recently_freed_id_comes_back_first)
{
	struct idpool p;

	idpool_init(&p, sizeof(struct rec));
	for (int i = 0; i < 5; i++)
		idpool_get(&p);				/* 1..5 */
	idpool_put(&p, 2);
	idpool_put(&p, 4);
	idpool_put(&p, 1);
	cr_expect(eq(u32, idpool_live(&p), 2));
	cr_expect(eq(u32, idpool_get(&p), 1), "freed last");
	cr_expect(eq(u32, idpool_get(&p), 4));
	cr_expect(eq(u32, idpool_get(&p), 2));
	cr_expect(eq(u32, idpool_get(&p), 6), "no free id left: the next new one");
	cr_expect(eq(u32, idpool_live(&p), 6));
	idpool_release(&p);
}

Test(idpool, a_reused_record_comes_back_zeroed)
{
	struct idpool p;
	struct rec *r;
	uint32_t id;

	idpool_init(&p, sizeof(struct rec));
	id = idpool_get(&p);
	r = idpool_at(&p, id);
	memset(r, 0xa5, sizeof(*r));
	idpool_put(&p, id);
	cr_assert(eq(u32, idpool_get(&p), id));
	r = idpool_at(&p, id);
	cr_expect(eq(u64, r->a, 0));
	cr_expect(eq(u32, r->b, 0));
	for (size_t i = 0; i < sizeof(r->name); i++)
		cr_expect(eq(i8, r->name[i], 0));
	idpool_release(&p);
}

/*
 * idpool_get_unzeroed: a freed id comes back as idpool_get would give it
 * (the most recently freed first), its record as it was left; an id never
 * used comes zeroed (through idpool_get). Live counts the same.
 */
Test(idpool, an_unzeroed_get_leaves_a_reused_record_to_the_caller)
{
	struct idpool p;
	struct rec *r;
	uint32_t a, b;

	idpool_init(&p, sizeof(struct rec));
	a = idpool_get_unzeroed(&p);
	b = idpool_get_unzeroed(&p);
	cr_assert(eq(u32, a, 1));
	cr_assert(eq(u32, b, 2));
	r = idpool_at(&p, b);
	cr_expect(eq(u64, r->a, 0), "never used: zeroed");
	r->a = 77;
	r = idpool_at(&p, a);
	r->a = 55;
	idpool_put(&p, a);
	idpool_put(&p, b);
	cr_expect(eq(u32, idpool_live(&p), 0));
	cr_assert(eq(u32, idpool_get_unzeroed(&p), b), "the last freed first");
	cr_expect(eq(u64, ((struct rec *)idpool_at(&p, b))->a, 77), "left as it was");
	cr_assert(eq(u32, idpool_get_unzeroed(&p), a));
	cr_expect(eq(u64, ((struct rec *)idpool_at(&p, a))->a, 55));
	cr_expect(eq(u32, idpool_live(&p), 2));
	cr_assert(eq(u32, idpool_get_unzeroed(&p), 3), "then a new id");
	cr_expect(eq(u64, ((struct rec *)idpool_at(&p, 3))->a, 0));
	idpool_release(&p);
}

Test(idpool, records_keep_their_contents_when_the_pool_grows)
{
	struct idpool p;
	const uint32_t n = 10000;	/* 64 records at first, then 128, ..., 16384 */

	idpool_init(&p, sizeof(struct rec));
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t id = idpool_get(&p);
		struct rec *r;

		cr_assert(eq(u32, id, i));
		r = idpool_at(&p, id);
		cr_assert(eq(u64, r->a, 0), "new record %u zeroed", id);
		r->a = (uint64_t)id * 1000003;
		r->b = ~id;
		snprintf(r->name, sizeof(r->name), "rec %u", id);
		if (i == 64)
			cr_expect(eq(u32, p.cap, 64), "the first allocation holds 64");
		if (i == 65)
			cr_expect(eq(u32, p.cap, 128), "then it doubles");
	}
	cr_expect(eq(u32, p.cap, 16384));
	for (uint32_t id = 1; id <= n; id++) {
		const struct rec *r = idpool_at(&p, id);
		char want[20];

		snprintf(want, sizeof(want), "rec %u", id);
		cr_assert(eq(u64, r->a, (uint64_t)id * 1000003));
		cr_assert(eq(u32, r->b, ~id));
		cr_assert(eq(str, (char *)r->name, want));
	}
	idpool_release(&p);
}

Test(idpool, live_counts_and_a_steady_stream_reuses_the_records)
{
	struct idpool p;
	unsigned char *recs;
	uint32_t ids[100];

	idpool_init(&p, 8);
	for (int i = 0; i < 100; i++)
		ids[i] = idpool_get(&p);
	recs = p.rec;
	for (int round = 0; round < 1000; round++) {	/* free 10, take 10 */
		for (int i = 0; i < 10; i++)
			idpool_put(&p, ids[(round * 7 + i * 10) % 100]);
		cr_assert(eq(u32, idpool_live(&p), 90));
		for (int i = 0; i < 10; i++) {
			uint32_t id = idpool_get(&p);

			cr_assert(id >= 1 && id <= 100, "a freed id, not a new one: %u", id);
			ids[(round * 7 + (9 - i) * 10) % 100] = id;
		}
		cr_assert(eq(u32, idpool_live(&p), 100));
	}
	cr_expect(eq(ptr, (void *)p.rec, (void *)recs), "no reallocation");
	cr_expect(eq(u32, p.span, 100));
	idpool_release(&p);
}

Test(idpool, next_walks_the_live_ids_in_order)
{
	struct idpool p;

	idpool_init(&p, 4);
	cr_expect(eq(u32, idpool_next(&p, 0), IDPOOL_NONE), "empty");
	for (int i = 0; i < 6; i++)
		idpool_get(&p);				/* 1..6 */
	idpool_put(&p, 1);
	idpool_put(&p, 3);
	idpool_put(&p, 4);
	idpool_put(&p, 6);
	cr_expect(eq(u32, idpool_next(&p, 0), 2));
	cr_expect(eq(u32, idpool_next(&p, 2), 5));
	cr_expect(eq(u32, idpool_next(&p, 3), 5), "from a freed id too");
	cr_expect(eq(u32, idpool_next(&p, 5), IDPOOL_NONE));
	idpool_release(&p);
}

Test(idpool, release_leaves_an_empty_reusable_pool)
{
	struct idpool p;

	idpool_init_named(&p, 16, "things");
	idpool_get(&p);
	idpool_get(&p);
	idpool_release(&p);
	cr_expect(eq(u32, idpool_live(&p), 0));
	cr_expect(eq(u32, idpool_get(&p), 1));
	cr_expect(eq(sz, p.size, 16));
	cr_expect(eq(str, (char *)p.what, "things"));
	idpool_release(&p);
}

/* The child's, static so that a leak checker at its exit sees them reachable. */
static struct outfile child_out;
static struct idpool child_pool;

/*
 * In a child: a pool limited to 4 records, an output file open, then a 5th
 * live record. The parent checks the exit status, the message, and that the
 * output's temporary file is gone (the fatal exit ran outfile_cleanup).
 */
static void child_past_the_limit(int errfd, const char *out)
{
	dup2(errfd, 2);
	if (outfile_open(&child_out, out) < 0)
		_exit(3);
	if (access(child_out.tmp, F_OK) != 0)
		_exit(4);
	idpool_init_named(&child_pool, 8, "test records");
	child_pool.max = 4;
	for (int i = 0; i < 4; i++)
		idpool_get(&child_pool);
	idpool_put(&child_pool, 2);
	idpool_get(&child_pool);		/* a reused id: still 4 live */
	idpool_get(&child_pool);		/* the 5th: stops here */
	_exit(5);
}

Test(idpool, one_past_the_limit_stops_through_the_fatal_exit)
{
	char out[64] = "/tmp/ddwsim-idpool-XXXXXX", tmp[96], msg[256] = { 0 };
	bool tmp_left, out_made;
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	cr_assert(mkdtemp(out) != NULL);
	strcat(out, "/out.txt");
	cr_assert(pipe(fd) == 0);
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0)
		child_past_the_limit(fd[1], out);
	close(fd[1]);
	for (size_t got = 0; (n = read(fd[0], msg + got, sizeof(msg) - 1 - got)) > 0;)
		got += (size_t)n;	/* stderr is unbuffered: the message comes in pieces */
	close(fd[0]);
	if (strchr(msg, '\n'))		/* LeakSanitizer in a forked child adds a line of its own */
		strchr(msg, '\n')[1] = '\0';
	cr_assert(waitpid(pid, &status, 0) == pid);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)pid);
	tmp_left = access(tmp, F_OK) == 0;
	out_made = access(out, F_OK) == 0;
	unlink(tmp);			/* clean up first: the asserts may stop the test */
	unlink(out);
	*strrchr(out, '/') = '\0';
	rmdir(out);
	cr_expect(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1), "exit status 1");
	cr_expect(eq(str, msg, "ddwsim: more than 4 test records\n"));
	cr_expect(not(tmp_left), "%s left behind", tmp);
	cr_expect(not(out_made), "no output either");
}
