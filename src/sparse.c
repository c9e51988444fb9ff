/*
 * sparse.c - radix tree of 64-bit words.
 *
 *   key = | dir bits (10 per level) ... | leaf bits (9) |
 *   root -> dir[1024] -> ... -> leaf[512] of uint64_t
 *
 * Cost: depth + 1 dependent loads per access; depth is fixed at init from
 * the key width, so it is 0..6.
 *
 * Each node carries one extra word after its slots: a directory counts its
 * non-NULL children, a leaf counts its nonzero words (kept by sparse_set
 * only). sparse_set frees a leaf when its last nonzero word is cleared, and
 * then every directory it leaves empty, so memory follows the live words,
 * not every word ever written. A few emptied nodes (SPARE_MAX of each kind)
 * are kept for the next to be made: a leaf that empties and fills again as
 * a few mappings come and go at its edge costs no calloc of 4 KiB each time.
 */
#include <assert.h>
#include <stdlib.h>

#include "ddwsim/sparse.h"
#include "ddwsim/xalloc.h"

#define LEAF_BITS	9
#define DIR_BITS	10
#define LEAF_N		(1u << LEAF_BITS)
#define DIR_N		(1u << DIR_BITS)

#define SPARE_MAX	4

void sparse_init(struct sparse *s, unsigned key_bits)
{
	assert(key_bits <= 64);
	*s = (struct sparse){
		.depth = key_bits > LEAF_BITS ? (key_bits - LEAF_BITS + DIR_BITS - 1) / DIR_BITS : 0,
	};
}

/* A zeroed node of n words: a spare of kind k (0 leaf, 1 directory), else a new one. */
static void *node_new(struct sparse *s, unsigned k, size_t n)
{
	void **node = s->spare[k];

	if (!node)
		return xcalloc(n, sizeof(void *));
	s->spare[k] = node[0];
	s->nspare[k]--;
	node[0] = NULL;
	return node;
}

/* An emptied node (every word zero) of kind k: kept as a spare, or freed. */
static void node_drop(struct sparse *s, unsigned k, void *node)
{
	if (s->nspare[k] == SPARE_MAX) {
		free(node);
		return;
	}
	((void **)node)[0] = s->spare[k];
	s->spare[k] = node;
	s->nspare[k]++;
}

#define LEAF_COUNT(leaf)	(((uint64_t *)(leaf))[LEAF_N])
#define DIR_BYTES	((DIR_N + 1) * sizeof(void *))
#define LEAF_BYTES	((LEAF_N + 1) * sizeof(uint64_t))

/* Adds delta to a directory's child count (kept in its extra slot). */
static inline uintptr_t dir_count_add(void *dir, int delta)
{
	void **slot = &((void **)dir)[DIR_N];

	*slot = (void *)((uintptr_t)*slot + (uintptr_t)(intptr_t)delta);
	return (uintptr_t)*slot;
}

static void free_node(void *node, unsigned depth)
{
	void **dir = node;

	if (!node)
		return;
	if (depth)
		for (unsigned i = 0; i < DIR_N; i++)
			free_node(dir[i], depth - 1);
	free(node);
}

void sparse_release(struct sparse *s)
{
	free_node(s->root, s->depth);
	for (unsigned k = 0; k < 2; k++)
		while (s->spare[k]) {
			void **node = s->spare[k];

			s->spare[k] = node[0];
			free(node);
		}
	*s = (struct sparse){ .depth = s->depth };	/* empty, ready for use again */
}

static inline unsigned dir_index(uint64_t key, unsigned level)
{
	return (unsigned)(key >> (LEAF_BITS + (level - 1) * DIR_BITS)) & (DIR_N - 1);
}

uint64_t *sparse_peek(const struct sparse *s, uint64_t key)
{
	void *node = s->root;

	for (unsigned d = s->depth; d && node; d--)
		node = ((void **)node)[dir_index(key, d)];
	if (!node)
		return NULL;
	return (uint64_t *)node + (key & (LEAF_N - 1));
}

uint64_t sparse_get(const struct sparse *s, uint64_t key)
{
	uint64_t *p = sparse_peek(s, key);

	return p ? *p : 0;
}

/* Walks to key's leaf, creating nodes on the way; path[d] = link at level d. */
static uint64_t *walk_create(struct sparse *s, uint64_t key, void ***path)
{
	void **link = &s->root;
	void *parent = NULL;

	for (unsigned d = s->depth; d; d--) {
		if (!*link) {
			*link = node_new(s, 1, DIR_N + 1);
			s->bytes += DIR_BYTES;
			if (parent)
				dir_count_add(parent, 1);
		}
		if (path)
			path[d] = link;
		parent = *link;
		link = &((void **)*link)[dir_index(key, d)];
	}
	if (!*link) {
		_Static_assert(sizeof(uint64_t) == sizeof(void *), "a leaf word holds a link");
		*link = node_new(s, 0, LEAF_N + 1);
		s->bytes += LEAF_BYTES;
		if (parent)
			dir_count_add(parent, 1);
	}
	if (path)
		path[0] = link;
	return (uint64_t *)*link + (key & (LEAF_N - 1));
}

uint64_t *sparse_slot(struct sparse *s, uint64_t key)
{
	return walk_create(s, key, NULL);
}

void sparse_set(struct sparse *s, uint64_t key, uint64_t v)
{
	void **path[8];
	uint64_t *p;

	if (!v) {
		p = sparse_peek(s, key);
		if (!p || !*p)
			return;
	}
	p = walk_create(s, key, path);
	if (!*p == !v) {
		*p = v;
		return;
	}
	*p = v;
	if (v) {
		LEAF_COUNT(*path[0])++;
		return;
	}
	if (--LEAF_COUNT(*path[0]))
		return;
	/* The leaf is empty: free it and every directory that empties. */
	node_drop(s, 0, *path[0]);
	*path[0] = NULL;
	s->bytes -= LEAF_BYTES;
	for (unsigned d = 1; d <= s->depth; d++) {
		if (dir_count_add(*path[d], -1))
			return;
		node_drop(s, 1, *path[d]);
		*path[d] = NULL;
		s->bytes -= DIR_BYTES;
	}
}
