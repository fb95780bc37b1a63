// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem writeback: the background writeback that keeps a reserve of the
 * frames the replacement policy will look at next clean, and msync (and
 * SWAPMEM_ADV_SYNC), which writes a range of a space and keeps it.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "swapmem_drv.h"

/*
 * Background writeback keeps clean or free frames between these marks:
 * below the low one a fault wakes it, and it writes until the high one,
 * writeback_reserve percent of the pool (0: no background writeback).
 */
static unsigned long swapmem_wb_high(struct swapmem_device *sdev)
{
	return sdev->nr_frames * READ_ONCE(sdev->wb_reserve) / 100;
}

static unsigned long swapmem_wb_low(struct swapmem_device *sdev)
{
	return swapmem_wb_high(sdev) / 2;
}

/* Clean or free frames: what the background writeback keeps a reserve of. */
static unsigned long swapmem_frames_clean(struct swapmem_device *sdev)
{
	return READ_ONCE(sdev->nr_frames) - atomic_long_read(&sdev->nr_dirty);
}

/**
 * swapmem_writeback_kick() - wake the background writeback if needed
 * @sdev: the device
 *
 * When too few frames are clean or free.
 *
 * Context: any.
 */
void swapmem_writeback_kick(struct swapmem_device *sdev)
{
	if (rcu_access_pointer(sdev->store) &&
	    swapmem_frames_clean(sdev) < swapmem_wb_low(sdev))
		queue_work(system_unbound_wq, &sdev->wb_work);
}

/**
 * swapmem_writeback_offer() - a policy offers a frame to the writeback
 * @sdev: the device
 * @b: the batch being filled
 * @f: a frame that the policy will look at soon
 *
 * A frame that is dirty and idle joins the batch: it gets a slot, is
 * unmapped and BUSY while written, so nobody can dirty it. Other frames
 * are passed by, and so is one that someone outside the pool still holds
 * once unmapped (swapmem_frame_held()): an O_DIRECT read may still be
 * writing to it.
 *
 * Context: pool lock held, never dropped.
 * Return: false when no slot is left: the policy stops offering.
 */
bool swapmem_writeback_offer(struct swapmem_device *sdev,
			     struct swapmem_batch_io *b, struct swapmem_frame *f)
{
	unsigned long slot = f->slot;

	lockdep_assert_held(&sdev->pool_lock);
	if (!f->space || f->space->dying || !swapmem_frame_is_dirty(f) ||
	    swapmem_frame_is_busy(f) || swapmem_frame_is_pinned(f))
		return true;
	if (!slot)
		slot = swapmem_slot_alloc(sdev, swapmem_slot_hint(f->space, f->index));
	if (!slot)
		return false;
	f->slot = slot;
	swapmem_frame_lock(sdev, f);
	/* a pin may still write to it: it stays dirty, unwritten */
	if (!swapmem_frame_unmap_unheld(sdev, f))
		return true;
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	swapmem_frame_unlock(f);
	b->frames[b->n] = f;
	b->pages[b->n] = f->page;
	b->slots[b->n++] = slot;
	return true;
}

/*
 * Pick up to a batch of frames to write among the next writeback_reserve
 * percent of the pool that the replacement policy will look at. A run of
 * the work goes through that window once, batch after batch: the policy
 * remembers where the last batch stopped. Returns how many.
 * Context: pool lock held, never dropped.
 */
static unsigned int swapmem_writeback_pick(struct swapmem_device *sdev,
					   struct swapmem_batch_io *b)
{
	lockdep_assert_held(&sdev->pool_lock);
	b->n = 0;
	if (sdev->policy->writeback_pick)
		sdev->policy->writeback_pick(sdev, b, min(swapmem_wb_high(sdev),
							  sdev->nr_frames));
	return b->n;
}

/*
 * Put a batch in slot order, so that frames in adjacent slots go out in
 * one bio (swapmem_slots_rw()). Insertion sort: a batch is at most 64
 * frames, and picked in the policy's order, which is often slot order.
 */
static void swapmem_batch_sort(struct swapmem_batch_io *b)
{
	struct swapmem_frame *f;
	unsigned long slot;
	unsigned int i, j;

	for (i = 1; i < b->n; i++) {
		f = b->frames[i];
		slot = b->slots[i];
		for (j = i; j > 0 && b->slots[j - 1] > slot; j--) {
			b->frames[j] = b->frames[j - 1];
			b->pages[j] = b->pages[j - 1];
			b->slots[j] = b->slots[j - 1];
		}
		b->frames[j] = f;
		b->pages[j] = f->page;
		b->slots[j] = slot;
	}
}

/*
 * Settle a background batch that was written: its pages clean, or, where
 * the write failed, dirty with no slot. Successes first, so that the
 * store ends up backing off if any write failed. Returns false if one did.
 * Context: pool lock held.
 */
static bool swapmem_writeback_done(struct swapmem_device *sdev,
				   struct swapmem_batch_io *b)
{
	struct swapmem_frame *f;
	bool ok = true;
	unsigned int i;

	lockdep_assert_held(&sdev->pool_lock);
	for (i = 0; i < b->n; i++) {
		f = b->frames[i];
		if (b->errs[i])
			continue;
		swapmem_slot_written(sdev, f->slot, 0);
		swapmem_frame_clear_dirty(sdev, f);
		swapmem_stat_inc(sdev, writeback_pages);
	}
	for (i = 0; i < b->n; i++) {
		f = b->frames[i];
		if (b->errs[i]) {
			swapmem_slot_written(sdev, f->slot, b->errs[i]);
			swapmem_io_error(sdev, f, f->slot, true, b->errs[i]);
			f->slot = 0;
			ok = false;
		}
		clear_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	}
	swapmem_stat_inc(sdev, writeback_batches);
	swapmem_wake_waiters(sdev);
	return ok;
}

/**
 * swapmem_writeback_work() - write dirty frames ahead of demand
 * @work: the device's wb_work
 *
 * Runs when a fault had to write its victim, or when fewer than half of
 * writeback_reserve percent of the frames are clean or free, and writes
 * the dirty frames among the next writeback_reserve percent that the
 * replacement policy will look at, in plugged batches, going once through
 * that window. They stay resident, clean, so the faults that evict them
 * need no write. A failed write keeps its page dirty and ends the run;
 * nothing is written while the store backs off after a failure.
 *
 * Context: process context (workqueue); takes the pool lock.
 */
void swapmem_writeback_work(struct work_struct *work)
{
	struct swapmem_device *sdev = container_of(work, struct swapmem_device,
						   wb_work);
	struct swapmem_batch_io *b = &sdev->wb_batch;
	bool ok = true;

	mutex_lock(&sdev->pool_lock);
	while (ok && swapmem_store(sdev) && !swapmem_store_backing_off(sdev) &&
	       swapmem_writeback_pick(sdev, b)) {
		swapmem_batch_sort(b);
		mutex_unlock(&sdev->pool_lock);
		swapmem_slots_rw(sdev, b, true);
		mutex_lock(&sdev->pool_lock);
		ok = swapmem_writeback_done(sdev, b);
		mutex_unlock(&sdev->pool_lock);
		cond_resched();
		mutex_lock(&sdev->pool_lock);
	}
	/* the next run starts from the front of the policy's window */
	if (sdev->policy->writeback_end)
		sdev->policy->writeback_end(sdev);
	mutex_unlock(&sdev->pool_lock);
}

/*
 * Write dirty frame @f of a sync to its slot and keep it, clean. Returns
 * 0, -ENOSPC (no slot: not even unmapped), -EBUSY (held by someone
 * outside the pool once unmapped: left dirty) or the write's error.
 * Context: pool lock held, a store attached; dropped and retaken.
 */
static int swapmem_frame_sync(struct swapmem_device *sdev, struct swapmem_frame *f)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	int err;

	if (!f->slot && !swapmem_slot_available(sdev))
		return -ENOSPC;
	swapmem_frame_lock(sdev, f);
	if (!swapmem_frame_unmap_unheld(sdev, f))
		return -EBUSY;
	/* BUSY and unmapped while written: nobody can dirty it */
	err = swapmem_frame_write(sdev, f);
	if (err == -ENOSPC) {
		swapmem_frame_unlock(f);
		return err;
	}
	if (!err)
		swapmem_frame_clear_dirty(sdev, f);
	swapmem_frame_unbusy(sdev, f);
	return err;
}

/**
 * swapmem_space_sync() - write a range of a space's dirty pages to swap
 * @space: the space
 * @first: first page index
 * @last: last page index
 * @done: if not NULL, where to add the pages written
 *
 * The pages stay resident and become clean, so evicting them later needs
 * no write. Without a backing device there is nothing to write to. A page
 * that finds no free slot is left as it is (mapped, dirty), and so is one
 * that someone outside the pool holds (an O_DIRECT transfer in flight);
 * the first failed write ends the sync.
 *
 * Context: process context, no pool lock held; sleeps.
 * Return: 0, -EIO if a write failed (the page stays dirty), -ENOSPC if
 * the store is full, or -EINTR if the caller was killed.
 */
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last,
		       unsigned long *done)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, steps = 0;
	struct swapmem_frame *f;
	int err, ret = 0;
	void *entry;

	if (mutex_lock_killable(&sdev->pool_lock))
		return -EINTR;
	xa_for_each_range(&space->pt, index, entry, first, last) {
		/* the page table first: a frame it no longer points to may be gone */
		while ((f = swapmem_pt_frame(space, index)) && swapmem_frame_is_busy(f)) {
			if (swapmem_wait_unbusy(sdev, f, true)) {
				ret = -EINTR;
				goto out;
			}
		}
		/* looked at under the lock, again after each time it was let go */
		if (!swapmem_store(sdev))
			break;
		if (f && swapmem_frame_is_dirty(f)) {
			err = swapmem_frame_sync(sdev, f);
			if (!err && done)
				(*done)++;
			if (err == -ENOSPC) {
				ret = err;
			} else if (err && err != -EBUSY) {
				ret = -EIO;
				break;
			}
		}
		if (swapmem_walk_pause(sdev, &steps)) {
			ret = -EINTR;
			break;
		}
	}
out:
	mutex_unlock(&sdev->pool_lock);
	return ret;
}
