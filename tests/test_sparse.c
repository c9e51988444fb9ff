/*
 * test_sparse.c - the sparse word store (src/sparse.c) and the memory
 * bound it gives the allocator bitmap: memory follows the live words.
 *
 * Node sizes, worked out from the layout (one count word per node):
 *   leaf      = (512 + 1) * 8  = 4104 bytes
 *   directory = (1024 + 1) * 8 = 8200 bytes
 * A 60-bit key has 60 - 9 = 51 directory bits -> ceil(51 / 10) = 6 levels,
 * so the first word costs 6 * 8200 + 4104 = 53304 bytes.
 */
#include <stdint.h>

#include <criterion/criterion.h>

#include "ddwsim/alloc.h"
#include "ddwsim/sparse.h"

#define LEAF	4104u
#define DIR	8200u

Test(sparse, first_word_builds_the_path)
{
	struct sparse s;

	sparse_init(&s, 60);
	cr_expect_eq(s.depth, 6);
	sparse_set(&s, 12345, 7);
	cr_expect_eq(s.bytes, 6 * DIR + LEAF);
	cr_expect_eq(sparse_get(&s, 12345), 7);
	cr_expect_eq(sparse_get(&s, 12346), 0);
	sparse_release(&s);
	cr_expect_eq(s.bytes, 0);
}

Test(sparse, clearing_the_last_word_frees_leaf_and_empty_dirs)
{
	struct sparse s;

	sparse_init(&s, 60);
	sparse_set(&s, 1ull << 50, 1);
	sparse_set(&s, (1ull << 50) + 1, 2);	/* same leaf */
	cr_expect_eq(s.bytes, 6 * DIR + LEAF);
	sparse_set(&s, 1ull << 50, 0);
	cr_expect_eq(s.bytes, 6 * DIR + LEAF, "one live word keeps the leaf");
	sparse_set(&s, (1ull << 50) + 1, 5);	/* nonzero over nonzero: count unchanged */
	sparse_set(&s, (1ull << 50) + 1, 0);
	cr_expect_eq(s.bytes, 0, "an empty tree holds nothing");
	cr_expect_null(s.root);
	cr_expect_eq(sparse_get(&s, (1ull << 50) + 1), 0);
	sparse_release(&s);
}

Test(sparse, a_freed_leaf_keeps_its_shared_directories)
{
	struct sparse s;

	sparse_init(&s, 60);
	sparse_set(&s, 0, 1);
	sparse_set(&s, 512, 1);			/* next leaf, same bottom directory */
	cr_expect_eq(s.bytes, 6 * DIR + 2 * LEAF);
	sparse_set(&s, 1ull << 19, 1);		/* 512 * 1024: next bottom directory */
	cr_expect_eq(s.bytes, 7 * DIR + 3 * LEAF);
	sparse_set(&s, 512, 0);
	cr_expect_eq(s.bytes, 7 * DIR + 2 * LEAF);
	sparse_set(&s, 1ull << 19, 0);
	cr_expect_eq(s.bytes, 6 * DIR + LEAF);
	cr_expect_eq(sparse_get(&s, 0), 1);
	sparse_release(&s);
}

Test(sparse, writing_zero_where_nothing_lives_allocates_nothing)
{
	struct sparse s;

	sparse_init(&s, 40);
	sparse_set(&s, 99, 0);
	cr_expect_eq(s.bytes, 0);
	cr_expect_null(s.root);
	sparse_release(&s);
}

Test(sparse, depth_zero_tree_is_a_lone_leaf)
{
	struct sparse s;

	sparse_init(&s, 9);
	cr_expect_eq(s.depth, 0);
	sparse_set(&s, 511, 3);
	cr_expect_eq(s.bytes, LEAF);
	sparse_set(&s, 511, 0);
	cr_expect_eq(s.bytes, 0);
	sparse_release(&s);
}

/*
 * A 2^59-byte window of 4K TCEs mapped one page per I/O: the allocator's
 * hint walks on through fresh bitmap words, so without freeing empty leaves
 * the bitmap grows by a leaf every 512 * 64 = 32768 maps, forever. With them
 * freed it holds only the leaves of live bits.
 */
Test(sparse, huge_window_bitmap_stays_flat)
{
	struct tce_alloc a;
	size_t before, peak = 0;

	tce_alloc_init(&a, 0, 1ull << 47, 12, 0, 0);
	before = a.map.bytes;
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t e = tce_alloc_range(&a, 0, 1, NULL, UINT64_MAX, 0, 1ull << 20);

		cr_assert_neq(e, IOMMU_ALLOC_FAILED);
		if (a.map.bytes > peak)
			peak = a.map.bytes;
		tce_alloc_free(&a, e, 1);
	}
	/* 200000 maps would have needed 200000 / 32768 = 6+ leaves had none been freed. */
	cr_expect_leq(peak, before + 2 * DIR + 2 * LEAF);
	cr_expect_leq(a.map.bytes, before + 2 * DIR + LEAF);
	tce_alloc_release(&a);
}
