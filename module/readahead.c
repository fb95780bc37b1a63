// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem readahead: a major fault that continues a sequence reads the
 * swapped pages after it too, into free frames or clean victims, and waits
 * only for its own page. The first page read ahead in each window is its
 * marker: the fault that first maps it starts the next window (as
 * PG_readahead does in mm/readahead.c), so that a sequential reader finds
 * its pages read before it gets to them. A window grows when its pages are
 * used and shrinks when they are evicted untouched. Read-ahead pages
 * settle in their bios' completions, without the pool lock.
 */
#include <linux/slab.h>

#include "swapmem_drv.h"

/*
 * Add to @b frames for the swapped pages of @space among the @span from
 * @start on (pages resident or never touched need no read), free ones or
 * clean victims only, BUSY and in the page table; the first is the
 * window's marker. Returns the first page after the window.
 * Context: pool lock held, never dropped.
 */
static pgoff_t swapmem_readahead_fill(struct swapmem_space *space,
				      struct swapmem_batch_io *b,
				      pgoff_t start, unsigned int span)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *g;
	pgoff_t index;
	void *e;

	for (index = start; index < start + span; index++) {
		e = xa_load(&space->pt, index);
		if (!xa_is_value(e))
			continue;
		if (b->n == SWAPMEM_BATCH_MAX)
			break;
		g = swapmem_frame_reclaim(sdev, SWAPMEM_RECLAIM_CLEAN_ONLY);
		if (IS_ERR(g))
			break;
		/* the lock is not dropped with nowait; look again all the same */
		if (xa_load(&space->pt, index) != e) {
			swapmem_free_list_add(sdev, g);
			break;
		}
		g->space = space;
		g->index = index;
		g->slot = swapmem_entry_slot(e);
		g->flags = BIT(SWAPMEM_FRAME_BUSY) | BIT(SWAPMEM_FRAME_RA);
		if (b->n == b->lead)
			g->flags |= BIT(SWAPMEM_FRAME_RA_MARK);
		swapmem_page_own(g->page, space->inode->i_mapping, g->index);
		swapmem_policy_inserted(sdev, g, false);
		/* replaces an entry: needs no memory */
		swapmem_pt_set(space, g->index, g);
		b->frames[b->n++] = g;
	}
	return index;
}

/* A batch for a window, its @lead pages (the fault's) first. */
static struct swapmem_batch_io *swapmem_readahead_alloc(unsigned int lead)
{
	struct swapmem_batch_io *b = kmalloc(sizeof(*b), GFP_KERNEL | __GFP_NOWARN);

	if (b) {
		b->n = 0;
		b->lead = lead;
	}
	return b;
}

/*
 * The window's size: it starts at 4 pages, and is at most a sixteenth of
 * the pool. Two windows are in flight ahead of a sequential reader, and
 * their pages, unreferenced until used, are the policy's first victims: a
 * larger share of a small pool would be evicted before it is used.
 */
static unsigned int swapmem_readahead_win(struct swapmem_space *space,
					  unsigned int cap)
{
	unsigned long share = max(space->sdev->nr_frames / 16, 4UL);

	return min3(max(READ_ONCE(space->ra_win), 4U), cap, (unsigned int)min(share, 64UL));
}

/**
 * swapmem_readahead_prepare() - the readahead batch of a major fault
 * @space: the space
 * @index: the faulting page
 * @f: its frame, BUSY and in the page table
 *
 * If the fault continues a sequence (the page after the last major fault,
 * or after the last window), take frames for the swapped pages among the
 * space's window that follows (swapmem_readahead_fill()).
 *
 * Context: pool lock held, never dropped.
 * Return: the batch (@f first, the lead) for swapmem_page_read(), or NULL
 * for a lone read.
 */
struct swapmem_batch_io *swapmem_readahead_prepare(struct swapmem_space *space,
						   pgoff_t index,
						   struct swapmem_frame *f)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned int cap = READ_ONCE(sdev->ra_max);
	struct swapmem_batch_io *b;
	bool seq;

	lockdep_assert_held(&sdev->pool_lock);
	seq = index == space->ra_last + 1 || (space->ra_end && index == space->ra_end);
	space->ra_last = index;
	if (!seq || !cap) {
		WRITE_ONCE(space->ra_win, 0);
		space->ra_end = 0;
		return NULL;
	}
	b = swapmem_readahead_alloc(1);
	if (!b)
		return NULL;
	b->frames[b->n++] = f;
	space->ra_end = swapmem_readahead_fill(space, b, index + 1,
					       swapmem_readahead_win(space, cap));
	if (b->n == 1) {
		kfree(b);
		return NULL;
	}
	swapmem_stat_add(sdev, readahead_pages, b->n - 1);
	return b;
}

/**
 * swapmem_readahead_next() - the window after a marker
 * @space: the space
 * @index: the marker's page, which a fault just mapped or found
 *
 * If the marker is in the space's latest window, take frames for the
 * window that follows it (swapmem_readahead_fill()). A marker of an older
 * window starts none: its sequence was overtaken or given up.
 *
 * Context: pool lock held, never dropped.
 * Return: the batch, with no lead, for swapmem_readahead_async(), or NULL.
 */
struct swapmem_batch_io *swapmem_readahead_next(struct swapmem_space *space,
						pgoff_t index)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned int cap = READ_ONCE(sdev->ra_max);
	struct swapmem_batch_io *b;

	lockdep_assert_held(&sdev->pool_lock);
	if (!cap || index >= space->ra_end || space->ra_end - index > SWAPMEM_RA_MAX)
		return NULL;
	b = swapmem_readahead_alloc(0);
	if (!b)
		return NULL;
	space->ra_last = space->ra_end - 1;
	space->ra_end = swapmem_readahead_fill(space, b, space->ra_end,
					       swapmem_readahead_win(space, cap));
	if (!b->n) {
		kfree(b);
		return NULL;
	}
	swapmem_stat_add(sdev, readahead_pages, b->n);
	return b;
}

/**
 * swapmem_readahead_start() - read a read-ahead batch
 * @sdev: the device
 * @b: the batch, from swapmem_readahead_prepare() or
 *	swapmem_readahead_next(); let go of here
 *
 * Waits for its lead page only, if it has one.
 *
 * Context: no pool lock held; sleeps.
 * Return: the lead page's result, or 0.
 */
int swapmem_readahead_start(struct swapmem_device *sdev,
			    struct swapmem_batch_io *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		b->pages[i] = b->frames[i]->page;
		b->slots[i] = b->frames[i]->slot;
	}
	return swapmem_slots_read_ahead(sdev, b);
}

/**
 * swapmem_page_read() - read a faulting page, and start its readahead
 * @sdev: the device
 * @f: the faulting page's frame
 * @slot: its slot
 * @b: the batch from swapmem_readahead_prepare(), or NULL; let go of here
 *
 * Waits for the faulting page only; the pages read ahead settle as their
 * reads complete (swapmem_readahead_settle()).
 *
 * Context: no pool lock held; sleeps.
 * Return: the faulting page's result.
 */
int swapmem_page_read(struct swapmem_device *sdev, struct swapmem_frame *f,
		      unsigned long slot, struct swapmem_batch_io *b)
{
	if (!b)
		return swapmem_slot_rw(sdev, f->page, slot, false);
	return swapmem_readahead_start(sdev, b);
}

/**
 * swapmem_readahead_async() - a fault met a window's marker: read the next
 * @space: the space
 * @index: the marker's page
 *
 * Starts the window after it (swapmem_readahead_next()) and waits for none
 * of it.
 *
 * Context: a fault, mmap_lock or the vma's lock held for read; no swapmem
 * lock and no page lock held; sleeps.
 */
void swapmem_readahead_async(struct swapmem_space *space, pgoff_t index)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_batch_io *b;

	/* a fault being killed reads nothing ahead */
	if (mutex_lock_killable(&sdev->pool_lock))
		return;
	b = swapmem_readahead_next(space, index);
	mutex_unlock(&sdev->pool_lock);
	if (b)
		swapmem_readahead_start(sdev, b);
}

/**
 * swapmem_readahead_settle() - read-ahead pages were read
 * @b: their batch
 * @first: the first of them
 * @n: how many
 * @err: their read's result
 *
 * Each is resident and not BUSY from now on or, if the read failed,
 * IOERR as well: its own fault then puts it back in its slot and reads it
 * again. A frame is not looked at once it is not BUSY: it may be evicted
 * and reused at once.
 *
 * Context: a bio's completion, maybe in interrupt context; no lock held.
 */
void swapmem_readahead_settle(struct swapmem_batch_io *b, unsigned int first,
			      unsigned int n, int err)
{
	struct swapmem_frame *g;
	unsigned int i;

	for (i = first; i < first + n; i++) {
		g = b->frames[i];
		if (err)
			set_bit(SWAPMEM_FRAME_IOERR, &g->flags);
		/* release: what the read put in the page is seen before it is mapped */
		clear_bit_unlock(SWAPMEM_FRAME_BUSY, &g->flags);
	}
	swapmem_race_window(SWAPMEM_RACE_SETTLE);
	swapmem_unbusy_notify(b->sdev);
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
