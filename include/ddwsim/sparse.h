/* sparse.h - sparse array of 64-bit words indexed by a key of up to 60 bits. */
#ifndef DDWSIM_SPARSE_H
#define DDWSIM_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A radix tree with 512-word leaves (4 KiB) and 1024-pointer directories,
 * as deep as the key width needs. Words never written read as 0; memory
 * grows only with the leaves written. This is how a 2^59-byte window's
 * table is held without allocating it.
 */
struct sparse {
	void *root;		/* directory or leaf; NULL when empty */
	unsigned depth;		/* directory levels above the leaves */
	size_t bytes;		/* host bytes held by the tree (not its spares) */
	void *spare[2];		/* emptied leaves [0] and directories [1], all zero */
	unsigned nspare[2];	/* but a link in their first slot; a few kept */
};

void sparse_init(struct sparse *s, unsigned key_bits);
void sparse_release(struct sparse *s);
/* Value at key, 0 if never written. */
uint64_t sparse_get(const struct sparse *s, uint64_t key);
/*
 * Slot for key; allocates its leaf. The pointer stays valid until release.
 * Do not use on a sparse that is also written with sparse_set: writes
 * through the slot bypass the leaf's nonzero count.
 */
uint64_t *sparse_slot(struct sparse *s, uint64_t key);
/*
 * Writes v at key, keeping the leaf's nonzero count; clearing the last
 * nonzero word of a leaf frees it (and directories left empty). Writing 0
 * where no leaf exists allocates nothing.
 */
void sparse_set(struct sparse *s, uint64_t key, uint64_t v);
/* Slot for key if its leaf exists, else NULL. */
uint64_t *sparse_peek(const struct sparse *s, uint64_t key);

#endif /* DDWSIM_SPARSE_H */
