// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem readahead: a major fault that continues a sequence reads the
 * swapped pages after it in the same plugged batch, into free frames or
 * clean victims; the window grows when they are used and shrinks when
 * they are evicted untouched.
 */
#include <linux/slab.h>

#include "swapmem_drv.h"

/**
 * swapmem_readahead_prepare() - the readahead batch of a major fault
 * @space: the space
 * @index: the faulting page
 * @f: its frame, BUSY and in the page table
 *
 * If the fault continues a sequence (the page after the last major fault,
 * or after the last window), take frames for the swapped pages that
 * follow, up to the space's window, free ones or clean victims only, and
 * put them BUSY in the page table too.
 *
 * Context: pool lock held, never dropped.
 * Return: the batch (@f first) for swapmem_page_read(), or NULL for a
 * lone read.
 */
struct swapmem_batch_io *swapmem_readahead_prepare(struct swapmem_space *space,
						   pgoff_t index,
						   struct swapmem_frame *f)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned int win, cap = READ_ONCE(sdev->ra_max);
	struct swapmem_batch_io *b;
	struct swapmem_frame *g;
	bool seq;
	void *e;

	lockdep_assert_held(&sdev->pool_lock);
	seq = index == space->ra_last + 1 || (space->ra_end && index == space->ra_end);
	space->ra_last = index;
	if (!seq || !cap) {
		WRITE_ONCE(space->ra_win, 0);
		space->ra_end = 0;
		return NULL;
	}
	win = min(max(READ_ONCE(space->ra_win), 4U), cap);
	b = kmalloc(sizeof(*b), GFP_KERNEL | __GFP_NOWARN);
	if (!b)
		return NULL;
	b->frames[0] = f;
	b->n = 1;
	while (b->n <= win) {
		e = xa_load(&space->pt, index + b->n);
		if (!xa_is_value(e))
			break;
		g = swapmem_frame_reclaim(sdev, SWAPMEM_RECLAIM_CLEAN_ONLY);
		if (IS_ERR(g))
			break;
		/* the lock is not dropped with nowait; look again all the same */
		if (xa_load(&space->pt, index + b->n) != e) {
			swapmem_free_list_add(sdev, g);
			break;
		}
		g->space = space;
		g->index = index + b->n;
		g->slot = swapmem_entry_slot(e);
		g->flags = BIT(SWAPMEM_FRAME_BUSY) | BIT(SWAPMEM_FRAME_RA);
		swapmem_page_own(g->page, space->inode->i_mapping, g->index);
		swapmem_policy_inserted(sdev, g, false);
		/* replaces an entry: needs no memory */
		swapmem_pt_set(space, g->index, g);
		b->entries[b->n] = e;
		b->frames[b->n++] = g;
	}
	space->ra_end = index + b->n;
	if (b->n == 1) {
		kfree(b);
		return NULL;
	}
	swapmem_stat_add(sdev, readahead_pages, b->n - 1);
	return b;
}

/**
 * swapmem_page_read() - read a faulting page, and its readahead batch
 * @sdev: the device
 * @f: the faulting page's frame
 * @slot: its slot
 * @b: the batch from swapmem_readahead_prepare(), or NULL
 *
 * One plugged batch for all of them.
 *
 * Context: no pool lock held; sleeps.
 * Return: the faulting page's result.
 */
int swapmem_page_read(struct swapmem_device *sdev, struct swapmem_frame *f,
		      unsigned long slot, struct swapmem_batch_io *b)
{
	unsigned int i;

	if (!b)
		return swapmem_slot_rw(sdev, f->page, slot, false);
	for (i = 0; i < b->n; i++) {
		b->pages[i] = b->frames[i]->page;
		b->slots[i] = b->frames[i]->slot;
	}
	swapmem_slots_rw(sdev, b, false);
	return b->errs[0];
}

/**
 * swapmem_readahead_finish() - settle the read-ahead pages of a batch
 * @space: the space
 * @b: the batch, read; freed here
 *
 * Resident and not BUSY, or, if their read failed, back in their slots
 * (their own fault reads again).
 *
 * Context: pool lock held.
 */
void swapmem_readahead_finish(struct swapmem_space *space,
			      struct swapmem_batch_io *b)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *g;
	unsigned int i;

	lockdep_assert_held(&sdev->pool_lock);
	for (i = 1; i < b->n; i++) {
		g = b->frames[i];
		if (!b->errs[i]) {
			clear_bit_unlock(SWAPMEM_FRAME_BUSY, &g->flags);
			continue;
		}
		/* never seen un-BUSY: out of the page table, then free */
		swapmem_frame_lock(sdev, g);
		swapmem_pt_set(space, g->index, b->entries[i]);
		swapmem_free_list_add(sdev, g);
		swapmem_frame_unlock(g);
	}
	kfree(b);
}

/**
 * swapmem_readahead_hit() - a fault used a page read ahead
 * @space: the space
 *
 * Counts it and widens the space's window. Under the pool lock or the
 * frame lock; the window is only a heuristic, so its updates may race.
 */
void swapmem_readahead_hit(struct swapmem_space *space)
{
	swapmem_stat_inc(space->sdev, readahead_hits);
	WRITE_ONCE(space->ra_win, min(max(READ_ONCE(space->ra_win), 2U) * 2,
				      (unsigned int)SWAPMEM_RA_MAX));
}
