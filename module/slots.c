// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem slot allocator: which page-sized slots of the backing device are
 * taken, in memory that follows the slots in use rather than the size of
 * the device, and what happens to a slot whose write failed.
 *
 * The device is cut into chunks of SWAPMEM_CHUNK_SLOTS slots (a page of
 * bits: 128 MiB of device with 4 KiB pages). A chunk has a bitmap only
 * while some slot in it is taken; an xarray holds those bitmaps, a bitmap
 * over the chunks says which are full and an array counts each chunk's
 * taken slots. A 16 TiB device costs 16 KiB + 512 KiB when it is attached
 * and a page per 128 MiB in use, where one flat bitmap would take 512 MiB.
 * A chunk bitmap is made under the pool lock, which eviction holds, so
 * one spare is kept ready (the last one let go, or one made ahead): a
 * device that grows into a new chunk under memory pressure still finds a
 * slot.
 *
 * Slot 0 is never handed out: it means "no slot". A page goes next to the
 * slot of its lower neighbour when that one is free, so pages evicted
 * together lie together; otherwise next-fit from a cursor, and when the
 * cursor's chunk is full, from the start of the lowest chunk with room, so
 * the slots in use stay packed at the start of the device.
 *
 * A slot whose write failed is retired: kept taken, counted bad. The store
 * then backs off: dirty pages are not written for a while (250 ms, doubling
 * with each failure up to 8 s), so a failing device sees a few writes, not
 * one per fault. The first write that succeeds ends the back-off and gives
 * the retired slots another chance; a slot that failed
 * SWAPMEM_SLOT_MAX_FAILS writes in a row stays retired until the device is
 * detached.
 */
#include <linux/bitmap.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "swapmem_drv.h"

#define SWAPMEM_CHUNK_SLOTS	(PAGE_SIZE * BITS_PER_BYTE)
#define SWAPMEM_BACKOFF_MIN	msecs_to_jiffies(250)
#define SWAPMEM_BACKOFF_MAX	msecs_to_jiffies(8000)
/* Failed writes in a row after which a slot is retired for good. */
#define SWAPMEM_SLOT_MAX_FAILS	3
/* Retired slots given another chance per successful write, at most. */
#define SWAPMEM_RETRY_BATCH	256

/* Slots in chunk @c: SWAPMEM_CHUNK_SLOTS, fewer for the last one. */
static unsigned long swapmem_chunk_size(struct swapmem_store *st, unsigned long c)
{
	return min(st->nr_slots - c * SWAPMEM_CHUNK_SLOTS, SWAPMEM_CHUNK_SLOTS);
}

/* Make sure a spare chunk bitmap is ready; false if memory is short. */
static bool swapmem_chunk_spare(struct swapmem_store *st, gfp_t gfp)
{
	if (!st->spare)
		st->spare = kzalloc(SWAPMEM_CHUNK_SLOTS / BITS_PER_BYTE, gfp);
	return st->spare;
}

/* Chunk @c's bitmap, made if it has none; NULL if that needs memory there is not. */
static unsigned long *swapmem_chunk_get(struct swapmem_store *st, unsigned long c,
					gfp_t gfp)
{
	unsigned long *map = xa_load(&st->chunks, c);

	if (map)
		return map;
	if (!swapmem_chunk_spare(st, gfp))
		return NULL;
	if (xa_err(xa_store(&st->chunks, c, st->spare, gfp)))
		return NULL;
	map = st->spare;
	st->spare = NULL;
	/* the next one, ahead of need; no harm if memory is short now */
	swapmem_chunk_spare(st, gfp);
	return map;
}

/* Take slot @s of chunk bitmap @map. */
static void swapmem_slot_take(struct swapmem_store *st, unsigned long *map,
			      unsigned long s)
{
	unsigned long c = s / SWAPMEM_CHUNK_SLOTS;

	__set_bit(s % SWAPMEM_CHUNK_SLOTS, map);
	if (++st->chunk_used[c] == swapmem_chunk_size(st, c))
		__set_bit(c, st->full);
}

/* Give slot @s back; a chunk left with no slot taken lets go of its bitmap. */
static void swapmem_slot_untake(struct swapmem_store *st, unsigned long s)
{
	unsigned long c = s / SWAPMEM_CHUNK_SLOTS;
	unsigned long *map = xa_load(&st->chunks, c);

	__clear_bit(s % SWAPMEM_CHUNK_SLOTS, map);
	__clear_bit(c, st->full);
	if (!--st->chunk_used[c]) {
		xa_erase(&st->chunks, c);
		/* all zeros again: the spare, if none is ready */
		if (!st->spare)
			st->spare = map;
		else
			kfree(map);
	}
}

/* Is slot @s taken (allocated or bad)? */
static bool swapmem_slot_is_taken(struct swapmem_store *st, unsigned long s)
{
	unsigned long *map = xa_load(&st->chunks, s / SWAPMEM_CHUNK_SLOTS);

	return map && test_bit(s % SWAPMEM_CHUNK_SLOTS, map);
}

/* Take a free slot of chunk @c at or after @from: the slot, or 0. */
static unsigned long swapmem_chunk_alloc(struct swapmem_store *st,
					 unsigned long c, unsigned long from)
{
	unsigned long base = c * SWAPMEM_CHUNK_SLOTS, bit, *map;

	/* under the pool lock, which eviction holds: no I/O to find memory */
	map = swapmem_chunk_get(st, c, GFP_NOIO | __GFP_NOWARN);
	if (!map)
		return 0;
	bit = find_next_zero_bit(map, swapmem_chunk_size(st, c), from - base);
	if (bit >= swapmem_chunk_size(st, c))
		return 0;
	swapmem_slot_take(st, map, base + bit);
	return base + bit;
}

/**
 * swapmem_slots_init() - set up an empty slot map for a store
 * @st: the store, being opened
 * @nr_slots: slots on its device, slot 0 included
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int swapmem_slots_init(struct swapmem_store *st, unsigned long nr_slots)
{
	unsigned long *map;

	st->nr_slots = nr_slots;
	st->nr_chunks = DIV_ROUND_UP(nr_slots, SWAPMEM_CHUNK_SLOTS);
	xa_init(&st->chunks);
	xa_init(&st->failed);
	st->full = kvcalloc(BITS_TO_LONGS(st->nr_chunks), sizeof(*st->full), GFP_KERNEL);
	st->chunk_used = kvcalloc(st->nr_chunks, sizeof(*st->chunk_used), GFP_KERNEL);
	map = swapmem_chunk_get(st, 0, GFP_KERNEL);
	if (!st->full || !st->chunk_used || !map) {
		swapmem_slots_exit(st);
		return -ENOMEM;
	}
	swapmem_slot_take(st, map, 0);
	st->cursor = 1;
	st->backoff = SWAPMEM_BACKOFF_MIN;
	return 0;
}

/**
 * swapmem_slots_exit() - free a store's slot map
 * @st: the store, being closed; no slot of it is allocated
 *
 * Context: process context.
 */
void swapmem_slots_exit(struct swapmem_store *st)
{
	unsigned long c;
	void *map;

	xa_for_each(&st->chunks, c, map)
		kfree(map);
	xa_destroy(&st->chunks);
	xa_destroy(&st->failed);
	kfree(st->spare);
	st->spare = NULL;
	kvfree(st->full);
	st->full = NULL;
	kvfree(st->chunk_used);
	st->chunk_used = NULL;
}

/**
 * swapmem_slot_available() - is a slot left to allocate?
 * @sdev: the device
 *
 * Context: pool lock held.
 * Return: true if a backing device is attached and has a free slot.
 */
bool swapmem_slot_available(struct swapmem_device *sdev)
{
	struct swapmem_store *st = swapmem_store(sdev);

	return st && st->used + st->bad + 1 < st->nr_slots;
}

/**
 * swapmem_slot_alloc() - allocate a slot
 * @sdev: the device
 * @hint: a slot whose next neighbour would be best, or 0
 *
 * Context: pool lock held; may allocate memory (a chunk's bitmap).
 * Return: the slot, or 0 if there is no backing device, no free slot, or
 * no memory for the bitmap of the chunk that has one.
 */
unsigned long swapmem_slot_alloc(struct swapmem_device *sdev, unsigned long hint)
{
	struct swapmem_store *st = swapmem_store(sdev);
	unsigned long c, slot = 0;

	if (!swapmem_slot_available(sdev))
		return 0;
	if (hint && hint + 1 < st->nr_slots && !swapmem_slot_is_taken(st, hint + 1))
		slot = swapmem_chunk_alloc(st, (hint + 1) / SWAPMEM_CHUNK_SLOTS, hint + 1);
	c = st->cursor / SWAPMEM_CHUNK_SLOTS;
	if (!slot && st->cursor < st->nr_slots && !test_bit(c, st->full))
		slot = swapmem_chunk_alloc(st, c, st->cursor);
	if (!slot) {
		/* some chunk has room: used + bad + 1 < nr_slots */
		c = find_first_zero_bit(st->full, st->nr_chunks);
		if (WARN_ON_ONCE(c >= st->nr_chunks))
			return 0;
		slot = swapmem_chunk_alloc(st, c, c * SWAPMEM_CHUNK_SLOTS);
		if (!slot)
			return 0;
	}
	st->used++;
	st->cursor = slot + 1;
	return slot;
}

/* Take a free run of @n slots of chunk @c at or after @from: its first, or 0. */
static unsigned long swapmem_chunk_alloc_area(struct swapmem_store *st,
					      unsigned long c, unsigned long from,
					      unsigned int n)
{
	unsigned long base = c * SWAPMEM_CHUNK_SLOTS, bit;
	unsigned long *map = xa_load(&st->chunks, c);

	/* a chunk with no bitmap is free from its start: next-fit will do */
	if (!map || test_bit(c, st->full))
		return 0;
	bit = bitmap_find_next_zero_area(map, swapmem_chunk_size(st, c),
					 from - base, n, 0);
	if (bit >= swapmem_chunk_size(st, c))
		return 0;
	swapmem_slot_take(st, map, base + bit);
	st->used++;
	return base + bit;
}

/*
 * The first slot of a run of @n: next to @hint if that is free, else a
 * free run of @n in the cursor's chunk after the cursor, or in the lowest
 * chunk with room (bitmap_find_next_zero_area()), else what
 * swapmem_slot_alloc() gives.
 */
static unsigned long swapmem_run_start(struct swapmem_device *sdev,
				       unsigned long hint, unsigned int n)
{
	struct swapmem_store *st = swapmem_store(sdev);
	unsigned long c, s = 0;

	if (n > 1 && !(hint && hint + 1 < st->nr_slots &&
		       !swapmem_slot_is_taken(st, hint + 1))) {
		if (st->cursor < st->nr_slots)
			s = swapmem_chunk_alloc_area(st, st->cursor / SWAPMEM_CHUNK_SLOTS,
						     st->cursor, n);
		c = find_first_zero_bit(st->full, st->nr_chunks);
		if (!s && c < st->nr_chunks)
			s = swapmem_chunk_alloc_area(st, c, c * SWAPMEM_CHUNK_SLOTS, n);
	}
	return s ?: swapmem_slot_alloc(sdev, hint);
}

/**
 * swapmem_slot_alloc_run() - allocate adjacent slots for pages written together
 * @sdev: the device
 * @hint: a slot whose next neighbour would be best for the first, or 0
 * @n: how many slots are wanted, at most
 * @first: (out) the first slot
 *
 * The first slot goes next to @hint if that one is free; else to the
 * first free run of @n after the cursor in its chunk, or in the lowest
 * chunk with room; else where swapmem_slot_alloc() puts it. The run is
 * then as long as the free slots after the first allow, up to @n, so that
 * the pages go out in one bio.
 *
 * Context: pool lock held; may allocate memory (a chunk's bitmap).
 * Return: how many adjacent slots from *@first were allocated; 0 as for
 * swapmem_slot_alloc().
 */
unsigned int swapmem_slot_alloc_run(struct swapmem_device *sdev,
				    unsigned long hint, unsigned int n,
				    unsigned long *first)
{
	struct swapmem_store *st = swapmem_store(sdev);
	unsigned long s, c, *map;
	unsigned int got;

	lockdep_assert_held(&sdev->pool_lock);
	if (!n || !swapmem_slot_available(sdev))
		return 0;
	s = swapmem_run_start(sdev, hint, n);
	if (!s)
		return 0;
	*first = s;
	c = s / SWAPMEM_CHUNK_SLOTS;
	map = xa_load(&st->chunks, c);
	for (got = 1; got < n && swapmem_slot_available(sdev); got++) {
		s = *first + got;
		if (s >= st->nr_slots || s / SWAPMEM_CHUNK_SLOTS != c ||
		    test_bit(s % SWAPMEM_CHUNK_SLOTS, map))
			break;
		swapmem_slot_take(st, map, s);
		st->used++;
	}
	st->cursor = *first + got;
	return got;
}

/**
 * swapmem_slots_left() - free slots on the backing device
 * @sdev: the device
 *
 * Context: pool lock held.
 * Return: how many slots could still be allocated (0 with no store).
 */
unsigned long swapmem_slots_left(struct swapmem_device *sdev)
{
	struct swapmem_store *st = swapmem_store(sdev);

	return swapmem_slot_available(sdev) ? st->nr_slots - 1 - st->used - st->bad : 0;
}

/**
 * swapmem_slot_free() - give a slot back at once, without a discard
 * @sdev: device with a store
 * @slot: an allocated slot
 *
 * Context: pool lock held.
 */
void swapmem_slot_free(struct swapmem_device *sdev, unsigned long slot)
{
	struct swapmem_store *st = swapmem_store(sdev);

	if (WARN_ON_ONCE(!st || !slot || slot >= st->nr_slots ||
			 !swapmem_slot_is_taken(st, slot)))
		return;
	swapmem_slot_untake(st, slot);
	st->used--;
}

/* Keep @slot, whose write just failed, out of use; count the failure. */
static void swapmem_slot_retire(struct swapmem_store *st, unsigned long slot)
{
	unsigned long fails = xa_to_value(xa_load(&st->failed, slot)) + 1;

	st->used--;
	st->bad++;
	/* if this needs memory there is not, the slot stays retired */
	if (xa_err(xa_store(&st->failed, slot, xa_mk_value(fails),
			    GFP_NOIO | __GFP_NOWARN)))
		return;
	if (fails < SWAPMEM_SLOT_MAX_FAILS)
		xa_set_mark(&st->failed, slot, XA_MARK_0);
}

/* The device wrote again: give retired slots another chance. */
static void swapmem_slots_retry(struct swapmem_device *sdev,
				struct swapmem_store *st)
{
	unsigned long slot, n = 0;
	void *entry;

	xa_for_each_marked(&st->failed, slot, entry, XA_MARK_0) {
		xa_clear_mark(&st->failed, slot, XA_MARK_0);
		swapmem_slot_untake(st, slot);
		st->bad--;
		if (++n == SWAPMEM_RETRY_BATCH)
			break;
	}
	swapmem_stat_add(sdev, slot_retries, n);
}

/**
 * swapmem_slot_written() - account for a finished write of a slot
 * @sdev: the device
 * @slot: the slot written, allocated
 * @err: 0, or the write's error
 *
 * After an error the slot is retired (counted in slots_bad) and the store
 * backs off; after a success the back-off ends, the slot's past failures
 * are forgotten and retired slots get another chance.
 *
 * Context: pool lock held.
 */
void swapmem_slot_written(struct swapmem_device *sdev, unsigned long slot,
			  int err)
{
	struct swapmem_store *st = swapmem_store(sdev);

	if (err) {
		swapmem_stat_inc(sdev, write_errors);
		swapmem_slot_retire(st, slot);
		st->retry_at = jiffies + st->backoff;
		st->backoff = min(2 * st->backoff, SWAPMEM_BACKOFF_MAX);
		st->failing = true;
		return;
	}
	st->backoff = SWAPMEM_BACKOFF_MIN;
	st->failing = false;
	if (xa_empty(&st->failed))
		return;
	xa_erase(&st->failed, slot);
	swapmem_slots_retry(sdev, st);
}

/**
 * swapmem_store_backing_off() - should dirty pages wait before being written?
 * @sdev: the device
 *
 * Context: pool lock held.
 * Return: true for a while after a failed write.
 */
bool swapmem_store_backing_off(struct swapmem_device *sdev)
{
	struct swapmem_store *st = swapmem_store(sdev);

	return st && st->failing && time_before(jiffies, st->retry_at);
}
