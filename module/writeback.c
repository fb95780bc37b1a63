// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem writeback: the background writeback that keeps a reserve of the
 * frames the replacement policy will look at next clean, and msync (and
 * SWAPMEM_ADV_SYNC), which writes a range of a space and keeps it.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

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

/*
 * Dirty, idle frame @f joins write batch @b: it gets a slot, is unmapped
 * and BUSY while written, so nobody can dirty it. One that someone outside
 * the pool still holds once unmapped (swapmem_frame_held()) is passed by:
 * an O_DIRECT read may still be writing to it. Returns false when no slot
 * is left. Context: pool lock held, never dropped.
 */
static bool swapmem_batch_take(struct swapmem_device *sdev,
			       struct swapmem_batch_io *b, struct swapmem_frame *f)
{
	unsigned long slot = f->slot;

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

/**
 * swapmem_writeback_offer() - a policy offers a frame to the writeback
 * @sdev: the device
 * @b: the batch being filled
 * @f: a frame that the policy will look at soon
 *
 * A frame that is dirty and idle (not BUSY, not pinned, of a space that
 * is not being torn down) joins the batch (swapmem_batch_take()); other
 * frames are passed by.
 *
 * Context: pool lock held, never dropped.
 * Return: false when no slot is left: the policy stops offering.
 */
bool swapmem_writeback_offer(struct swapmem_device *sdev,
			     struct swapmem_batch_io *b, struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	if (!f->space || f->space->dying || !swapmem_frame_is_dirty(f) ||
	    swapmem_frame_is_busy(f) || swapmem_frame_is_pinned(f))
		return true;
	return swapmem_batch_take(sdev, b, f);
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
 * Settle a write batch that was written: its pages clean, or, where the
 * write failed, dirty with no slot. Successes first, so that the store
 * ends up backing off if any write failed. Returns how many were written;
 * *@failed says whether one was not.
 * Context: pool lock held.
 */
static unsigned int swapmem_batch_settle(struct swapmem_device *sdev,
					 struct swapmem_batch_io *b, bool *failed)
{
	struct swapmem_frame *f;
	unsigned int i, n = 0;

	lockdep_assert_held(&sdev->pool_lock);
	*failed = false;
	for (i = 0; i < b->n; i++) {
		f = b->frames[i];
		if (b->errs[i])
			continue;
		swapmem_slot_written(sdev, f->slot, 0);
		swapmem_frame_clear_dirty(sdev, f);
		n++;
	}
	for (i = 0; i < b->n; i++) {
		f = b->frames[i];
		if (b->errs[i]) {
			swapmem_slot_written(sdev, f->slot, b->errs[i]);
			swapmem_io_error(sdev, f, f->slot, true, b->errs[i]);
			f->slot = 0;
			*failed = true;
		}
		clear_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	}
	swapmem_wake_waiters(sdev);
	return n;
}

/*
 * Write batch @b in slot order, and settle it (swapmem_batch_settle()).
 * Context: pool lock held; dropped and retaken.
 */
static unsigned int swapmem_batch_write(struct swapmem_device *sdev,
					struct swapmem_batch_io *b, bool *failed)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned int n;

	*failed = false;
	if (!b->n)
		return 0;
	swapmem_batch_sort(b);
	mutex_unlock(&sdev->pool_lock);
	swapmem_slots_rw(sdev, b, true);
	mutex_lock(&sdev->pool_lock);
	n = swapmem_batch_settle(sdev, b, failed);
	b->n = 0;
	return n;
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
	bool failed = false;

	mutex_lock(&sdev->pool_lock);
	while (!failed && swapmem_store(sdev) && !swapmem_store_backing_off(sdev) &&
	       swapmem_writeback_pick(sdev, b)) {
		swapmem_stat_add(sdev, writeback_pages,
				 swapmem_batch_write(sdev, b, &failed));
		swapmem_stat_inc(sdev, writeback_batches);
		mutex_unlock(&sdev->pool_lock);
		cond_resched();
		mutex_lock(&sdev->pool_lock);
	}
	/* the next run starts from the front of the policy's window */
	if (sdev->policy->writeback_end)
		sdev->policy->writeback_end(sdev);
	mutex_unlock(&sdev->pool_lock);
}

/**
 * swapmem_space_sync() - write a range of a space's dirty pages to swap
 * @space: the space
 * @first: first page index
 * @last: last page index
 * @done: if not NULL, where to add the pages written
 *
 * The pages stay resident and become clean, so evicting them later needs
 * no write. They go out in batches of up to SWAPMEM_BATCH_MAX, sorted by
 * slot, one bio per run of adjacent slots (swapmem_batch_write()); a batch
 * is written before the sync waits for a frame under I/O. Without a
 * backing device there is nothing to write to. A page that finds no free
 * slot is left as it is (mapped, dirty), and so is one that someone
 * outside the pool holds (an O_DIRECT transfer in flight); the first
 * batch with a failed write ends the sync.
 *
 * Context: process context, no pool lock held; sleeps.
 * Return: 0, -EIO if a write failed (the page stays dirty), -ENOSPC if
 * the store is full, -ENOMEM if there is no memory for a batch, or
 * -EINTR if the caller was killed.
 */
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last,
		       unsigned long *done)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, steps = 0, written = 0;
	struct swapmem_batch_io *b;
	bool failed = false, tail_failed;
	struct swapmem_frame *f;
	void *entry;
	int ret = 0;

	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->n = 0;
	if (mutex_lock_killable(&sdev->pool_lock)) {
		kfree(b);
		return -EINTR;
	}
	xa_for_each_range(&space->pt, index, entry, first, last) {
		/* the page table first: a frame it no longer points to may be gone */
		while ((f = swapmem_pt_frame(space, index)) && swapmem_frame_is_busy(f)) {
			/* ours go out before anyone else's is waited for */
			written += swapmem_batch_write(sdev, b, &failed);
			if (failed)
				goto out;
			if (swapmem_wait_unbusy(sdev, f, true)) {
				ret = -EINTR;
				goto out;
			}
		}
		/* looked at under the lock, again after each time it was let go */
		if (!swapmem_store(sdev))
			break;
		if (f && swapmem_frame_is_dirty(f) && !swapmem_batch_take(sdev, b, f))
			ret = -ENOSPC;
		if (b->n == SWAPMEM_BATCH_MAX) {
			written += swapmem_batch_write(sdev, b, &failed);
			if (failed)
				goto out;
		}
		if (swapmem_walk_pause(sdev, &steps)) {
			ret = -EINTR;
			break;
		}
	}
out:
	/* what was taken goes out, however the walk ended */
	written += swapmem_batch_write(sdev, b, &tail_failed);
	if (failed || tail_failed)
		ret = -EIO;
	mutex_unlock(&sdev->pool_lock);
	kfree(b);
	if (done)
		*done += written;
	return ret;
}
