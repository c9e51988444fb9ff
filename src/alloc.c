/*
 * alloc.c - the Linux TCE allocator, arch/powerpc/kernel/iommu.c (6.4 .. 6.17 text).
 *
 * One bit per TCE in it_map. The window (if >= 1 GiB) is split into 4 small
 * pools over the bottom 3/4 and a large pool over the top 1/4:
 *
 *   0          poolsize     2*poolsize   3*poolsize   4*poolsize       it_size
 *   | pool 0   | pool 1     | pool 2     | pool 3     | large pool     |
 *
 * (iommu_init_table: poolsize = (it_size * 3 / 4) / nr_pools). A map made on
 * CPU c starts in pool hash_32(c, 2) & (nr_pools - 1), or in the large pool
 * when npages > 15, at the pool's hint. iommu_range_alloc() then tries, in
 * order (pass numbers as in the kernel):
 *
 *   pass 0          the pool, from *handle (SG continuation, if inside it) or the hint
 *   pass 1          the same pool from its start
 *   pass 2..nr+1    the next pools in turn, (pool_nr + 1) & (nr_pools - 1), from
 *                   their starts (with 4 pools pass 5 is the first pool again)
 *   pass nr+2       the large pool from its start
 *   then            give up: DMA_MAPPING_ERROR ("iommu_alloc failed")
 *
 * A DMA mask below the window clamps the limit; after pass 0 (or when the
 * masked start is past the limit) the search moves to pool 0 from its start.
 * iommu_area_alloc() never uses the last entry below the limit (size -= 1),
 * honours alignment, and restarts at the next segment boundary when an area
 * would cross one (boundaries in absolute index: shift = it_offset).
 * On success a small allocation sets hint = ALIGN(end, it_blocksize = 16), a
 * large one hint = end; *handle = end. Freeing never moves a hint.
 *
 * The bitmap is held in a sparse array of 64-bit words, so a 2^59-byte
 * window's map costs memory only where entries were allocated. The search
 * counts the words it reads (the allocator's CPU cost grows with them).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "ddwsim/alloc.h"

#define BITS	64

static inline uint64_t map_word(struct tce_alloc *a, uint64_t w)
{
	a->st.words_scanned++;
	return sparse_get(&a->map, w);
}

/* find_next_zero_bit(map, size, start) */
static uint64_t next_zero_bit(struct tce_alloc *a, uint64_t size, uint64_t start)
{
	while (start < size) {
		uint64_t w = ~map_word(a, start / BITS) >> (start % BITS);

		if (w) {
			start += (uint64_t)__builtin_ctzll(w);
			return start < size ? start : size;
		}
		start = (start / BITS + 1) * BITS;
	}
	return size;
}

/* find_next_bit(map, size, start) */
static uint64_t next_set_bit(struct tce_alloc *a, uint64_t size, uint64_t start)
{
	while (start < size) {
		uint64_t w = map_word(a, start / BITS) >> (start % BITS);

		if (w) {
			start += (uint64_t)__builtin_ctzll(w);
			return start < size ? start : size;
		}
		start = (start / BITS + 1) * BITS;
	}
	return size;
}

static void set_bits(struct tce_alloc *a, uint64_t n, uint64_t nr, bool on)
{
	while (nr) {
		uint64_t off = n % BITS, cnt = BITS - off < nr ? BITS - off : nr;
		uint64_t mask = (cnt == BITS ? ~0ull : ((1ull << cnt) - 1)) << off;
		uint64_t w = sparse_get(&a->map, n / BITS);

		sparse_set(&a->map, n / BITS, on ? w | mask : w & ~mask);
		n += cnt;
		nr -= cnt;
	}
}

bool tce_alloc_test(const struct tce_alloc *a, uint64_t n)
{
	return (sparse_get(&a->map, n / BITS) >> (n % BITS)) & 1;
}

/* bitmap_find_next_zero_area_off(map, size, start, nr, align_mask, 0) */
static uint64_t find_zero_area(struct tce_alloc *a, uint64_t size, uint64_t start,
			       uint64_t nr, uint64_t align_mask)
{
	for (;;) {
		uint64_t index = next_zero_bit(a, size, start), end, i;

		index = (index + align_mask) & ~align_mask;
		end = index + nr;
		if (end > size)
			return end;
		i = next_set_bit(a, end, index);
		if (i >= end)
			return index;
		start = i + 1;
	}
}

/* iommu_area_alloc(map, size, start, nr, shift, boundary, align_mask); -1 on failure */
static uint64_t area_alloc(struct tce_alloc *a, uint64_t size, uint64_t start, uint64_t nr,
			   uint64_t boundary, uint64_t align_mask)
{
	uint64_t shift = a->it_offset;

	if (size == 0)
		return UINT64_MAX;
	size -= 1;	/* "We don't want the last of the limit" */
	for (;;) {
		uint64_t index = find_zero_area(a, size, start, nr, align_mask);

		if (index >= size)
			return UINT64_MAX;
		/* iommu_is_span_boundary() */
		if (((shift + index) & (boundary - 1)) + nr > boundary) {
			start = ((shift + index + boundary - 1) & ~(boundary - 1)) - shift;
			continue;
		}
		set_bits(a, index, nr, true);
		return index;
	}
}

unsigned tce_alloc_pool_hash(unsigned cpu)
{
	/* hash_32(val, bits) = (val * GOLDEN_RATIO_32) >> (32 - bits) */
	return (uint32_t)(cpu * 0x61C88647u) >> (32 - IOMMU_POOL_HASHBITS);
}

void tce_alloc_init(struct tce_alloc *a, uint64_t it_offset, uint64_t it_size,
		    unsigned it_page_shift, uint64_t res_start, uint64_t res_end)
{
	uint64_t poolsize;
	unsigned i;

	memset(a, 0, sizeof(*a));
	a->it_offset = it_offset;
	a->it_size = it_size;
	a->it_page_shift = it_page_shift;
	sparse_init(&a->map, 58);
	/* iommu_table_reserve_pages() */
	if (it_offset == 0)
		set_bits(a, 0, 1, true);
	if (res_start < it_offset)
		res_start = it_offset;
	if (res_end > it_offset + it_size)
		res_end = it_offset + it_size;
	if (res_start < res_end)
		set_bits(a, res_start - it_offset, res_end - res_start, true);
	/* "We only split the IOMMU table if we have 1GB or more of space" */
	a->nr_pools = (it_size << it_page_shift) >= (1ull << 30) ? IOMMU_NR_POOLS : 1;
	/* "We reserve the top 1/4 of the table for large allocations" */
	poolsize = (it_size * 3 / 4) / a->nr_pools;
	for (i = 0; i < a->nr_pools; i++) {
		a->pools[i].start = a->pools[i].hint = poolsize * i;
		a->pools[i].end = poolsize * i + poolsize;
	}
	a->large_pool.start = a->large_pool.hint = poolsize * i;
	a->large_pool.end = it_size;
}

void tce_alloc_release(struct tce_alloc *a)
{
	sparse_release(&a->map);
}

/* After pass `pass` failed in *pool: the pool for the next pass, or NULL to give up. */
static struct iommu_pool *next_pass(struct tce_alloc *a, unsigned pass, unsigned *pool_nr,
				    struct iommu_pool *pool)
{
	if (pass == 0)
		pool->hint = pool->start;
	else if (pass <= a->nr_pools) {
		*pool_nr = (*pool_nr + 1) & (a->nr_pools - 1);
		pool = &a->pools[*pool_nr];
		pool->hint = pool->start;
	} else if (pass == a->nr_pools + 1) {
		pool = &a->large_pool;
		pool->hint = pool->start;
	} else {
		return NULL;
	}
	return pool;
}

uint64_t tce_alloc_range(struct tce_alloc *a, unsigned cpu, uint64_t npages,
			 uint64_t *handle, uint64_t mask, unsigned align_order,
			 uint64_t boundary)
{
	bool largealloc = npages > IOMMU_LARGE_ALLOC;
	uint64_t align_mask = (1ull << align_order) - 1, n, end;
	unsigned pool_nr = tce_alloc_pool_hash(cpu) & (a->nr_pools - 1), pass = 0;
	struct iommu_pool *pool = largealloc ? &a->large_pool : &a->pools[pool_nr];

	assert(boundary && !(boundary & (boundary - 1)));
	/* npages == 0 is a kernel WARN; a mask below the window never gets here
	 * in the kernel (dma_iommu_dma_supported checks it_offset <= mask). An
	 * area larger than the segment boundary can never fit: the kernel's
	 * iommu_area_alloc would restart at the same aligned index forever (the
	 * block layer keeps segments inside the boundary, so it never tries); we
	 * fail the map instead. */
	if (npages == 0 || mask < a->it_offset || npages > boundary)
		goto fail;
	for (;;) {
		uint64_t start, limit;

		if (pass == 0 && handle && *handle && *handle >= pool->start &&
		    *handle < pool->end)
			start = *handle;
		else
			start = pool->hint;
		limit = pool->end;
		if (start >= limit)
			start = pool->start;
		if (limit + a->it_offset > mask) {
			limit = mask - a->it_offset + 1;
			if ((start & mask) >= limit || pass > 0) {
				pool = &a->pools[0];
				start = pool->start;
			} else {
				start &= mask;
			}
		}
		n = area_alloc(a, limit, start, npages, boundary, align_mask);
		if (n != UINT64_MAX)
			break;
		pool = next_pass(a, pass++, &pool_nr, pool);
		if (!pool)
			goto fail;
	}
	end = n + npages;
	if (largealloc)
		pool->hint = end;
	else
		pool->hint = (end + IOMMU_BLOCKSIZE - 1) & ~(uint64_t)(IOMMU_BLOCKSIZE - 1);
	if (handle)
		*handle = end;
	a->st.allocs++;
	a->st.live += npages;
	if (a->st.live > a->st.peak)
		a->st.peak = a->st.live;
	return n;
fail:
	a->st.failures++;
	return IOMMU_ALLOC_FAILED;
}

void tce_alloc_free(struct tce_alloc *a, uint64_t entry, uint64_t npages)
{
	assert(entry + npages <= a->it_size);
	set_bits(a, entry, npages, false);
	a->st.frees++;
	a->st.live -= npages;
}

int tce_alloc_claim(struct tce_alloc *a, uint64_t entry, uint64_t npages)
{
	struct iommu_pool *pool = &a->large_pool;
	uint64_t end = entry + npages;

	if (!npages || end > a->it_size || next_set_bit(a, end, entry) < end)
		return -EBUSY;
	set_bits(a, entry, npages, true);
	/* get_pool(): the large pool is the top one, else entry / poolsize */
	if (entry < a->large_pool.start)
		pool = &a->pools[entry / (a->pools[0].end - a->pools[0].start)];
	if (npages > IOMMU_LARGE_ALLOC)
		pool->hint = end;
	else
		pool->hint = (end + IOMMU_BLOCKSIZE - 1) & ~(uint64_t)(IOMMU_BLOCKSIZE - 1);
	a->st.live += npages;
	if (a->st.live > a->st.peak)
		a->st.peak = a->st.live;
	return 0;
}
