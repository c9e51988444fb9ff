/*
 * sparse.c - radix tree of 64-bit words.
 *
 *   key = | dir bits (10 per level) ... | leaf bits (9) |
 *   root -> dir[1024] -> ... -> leaf[512] of uint64_t
 *
 * Cost: depth + 1 dependent loads per access; depth is fixed at init from
 * the key width, so it is 0..6.
 */
#include <assert.h>
#include <stdlib.h>

#include "ddwsim/sparse.h"
#include "ddwsim/xalloc.h"

#define LEAF_BITS	9
#define DIR_BITS	10
#define LEAF_N		(1u << LEAF_BITS)
#define DIR_N		(1u << DIR_BITS)

void sparse_init(struct sparse *s, unsigned key_bits)
{
	assert(key_bits <= 64);
	s->root = NULL;
	s->bytes = 0;
	s->depth = key_bits > LEAF_BITS ? (key_bits - LEAF_BITS + DIR_BITS - 1) / DIR_BITS : 0;
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
	s->root = NULL;
	s->bytes = 0;
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

uint64_t *sparse_slot(struct sparse *s, uint64_t key)
{
	void **link = &s->root;

	for (unsigned d = s->depth; d; d--) {
		if (!*link) {
			*link = xcalloc(DIR_N, sizeof(void *));
			s->bytes += DIR_N * sizeof(void *);
		}
		link = &((void **)*link)[dir_index(key, d)];
	}
	if (!*link) {
		*link = xcalloc(LEAF_N, sizeof(uint64_t));
		s->bytes += LEAF_N * sizeof(uint64_t);
	}
	return (uint64_t *)*link + (key & (LEAF_N - 1));
}
