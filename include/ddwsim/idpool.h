/* idpool.h - pool of fixed-size records named by 32-bit ids; freed ids are reused first. */
#ifndef DDWSIM_IDPOOL_H
#define DDWSIM_IDPOOL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ids start at 1, so 0 (IDPOOL_NONE) can mean "no record" in the caller's
 * links and hash values. idpool_get() hands out the most recently freed id
 * (a LIFO free list), else the next id never used: 1, 2, 3, ... The records
 * sit in one array that doubles through xrealloc when full, so they MOVE:
 * keep ids, and take a pointer with idpool_at() only until the next
 * idpool_get(). The array never shrinks: a stream that frees as much as it
 * takes allocates nothing once it has reached its peak.
 *
 * At most max (IDPOOL_MAX = 2^31) records are live at once; one more stops
 * the program through xfatal_limit() ("ddwsim: more than 2147483648 WHAT"),
 * which unlinks temporary outputs first. Memory runs out long before
 * (2^31 records of 40 bytes are 80 GiB).
 *
 * The caller owns the struct: idpool_init() (or idpool_init_named()), then
 * idpool_release().
 */
#define IDPOOL_NONE	0u		/* no record */
#define IDPOOL_MAX	(1u << 31)	/* most live records: ids 1..2^31 */
#define IDPOOL_MIN_CAP	64u		/* records allocated at the first get (assumed) */

struct idpool {
	/* private: */
	unsigned char *rec;	/* cap records; id i at (i - 1) * size */
	uint32_t *link;		/* per id: IDPOOL_LIVE, or the next free id (0 ends) */
	size_t size;		/* bytes per record */
	uint32_t cap;		/* records allocated */
	uint32_t span;		/* ids handed out so far (live or free): 1..span */
	uint32_t live;		/* ids live */
	uint32_t free_head;	/* the most recently freed id, 0 = none */
	uint32_t max;		/* most live records: IDPOOL_MAX (tests lower it) */
	const char *what;	/* the records, plural, for the limit message */
};

#define IDPOOL_LIVE	UINT32_MAX	/* link of a live id (not a valid id) */

/* An empty pool of rec_size-byte records (rec_size >= 1), named "pool records". */
void idpool_init(struct idpool *p, size_t rec_size);
/* The same, with what naming the records in the limit message ("live mappings"). */
void idpool_init_named(struct idpool *p, size_t rec_size, const char *what);
/* Frees the records; p is empty again (same size and name) and may be reused. */
void idpool_release(struct idpool *p);

/* A live id whose record is all zero bytes. Cannot fail (see above). */
uint32_t idpool_get(struct idpool *p);
/* Frees live id: its record is left as it is until the id is handed out again. */
void idpool_put(struct idpool *p, uint32_t id);
/* Live ids. */
uint32_t idpool_live(const struct idpool *p);
/* The smallest live id above id (0 to start), or IDPOOL_NONE: walks the ids in order. */
uint32_t idpool_next(const struct idpool *p, uint32_t id);

/*
 * idpool_at() for records of size bytes, the pool's: with a constant size
 * the address is a shift and an add, not a multiplication by p->size (the
 * timed replay's entries are looked up about fifteen times a request).
 */
static inline void *idpool_at_size(const struct idpool *p, uint32_t id, size_t size)
{
	assert(size == p->size);
	assert(id != IDPOOL_NONE && id <= p->span && p->link[id - 1] == IDPOOL_LIVE);
	return p->rec + (size_t)(id - 1) * size;
}

/* The record of live id; valid until the next idpool_get() on p. */
static inline void *idpool_at(const struct idpool *p, uint32_t id)
{
	return idpool_at_size(p, id, p->size);
}

/*
 * idpool_get() whose record the caller sets whole: a freed id is taken here,
 * its record left as it was (no zeroing: the caller's stores are cheaper
 * than a memset, which GCC makes `rep stos` at this size); the first use of
 * an id goes through idpool_get().
 */
static inline uint32_t idpool_get_unzeroed(struct idpool *p)
{
	uint32_t id = p->free_head;

	if (!id)
		return idpool_get(p);
	p->free_head = p->link[id - 1];
	p->link[id - 1] = IDPOOL_LIVE;
	p->live++;
	return id;
}

#endif /* DDWSIM_IDPOOL_H */
