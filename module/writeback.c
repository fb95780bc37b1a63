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

/* Pages of batch @b that have no slot yet (swapmem_batch_slots()). */
static unsigned long swapmem_batch_unslotted(struct swapmem_batch_io *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < b->n; i++)
		n += !b->slots[i];
	return n;
}

/*
 * Dirty, idle frame @f joins write batch @b: it is unmapped and BUSY
 * while written, so nobody can dirty it; if it has no slot, it gets one
 * when the batch is written (swapmem_batch_slots()). One that someone
 * outside the pool still holds once unmapped (swapmem_frame_held()) is
 * passed by: an O_DIRECT read may still be writing to it. Returns false
 * when no slot is left for it. Context: pool lock held, never dropped.
 */
static bool swapmem_batch_take(struct swapmem_device *sdev,
			       struct swapmem_batch_io *b, struct swapmem_frame *f)
{
	if (!f->slot && swapmem_batch_unslotted(b) >= swapmem_slots_left(sdev))
		return false;
	swapmem_frame_lock(sdev, f);
	/* a pin may still write to it: it stays dirty, unwritten */
	if (!swapmem_frame_unmap_unheld(sdev, f))
		return true;
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	swapmem_frame_unlock(f);
	b->frames[b->n] = f;
	b->pages[b->n] = f->page;
	b->slots[b->n++] = f->slot;
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

/* Does the page of @f go before that of @g: by space, then index? */
static bool swapmem_frame_before(struct swapmem_frame *f, struct swapmem_frame *g)
{
	if (f->space != g->space)
		return (unsigned long)f->space < (unsigned long)g->space;
	return f->index < g->index;
}

/*
 * Put a batch in slot order (@by_slot), so that frames in adjacent slots
 * go out in one bio (swapmem_slots_rw()), or in page order. Insertion
 * sort: a batch is at most 64 frames, and picked in the policy's order,
 * which is often slot order.
 */
static void swapmem_batch_sort(struct swapmem_batch_io *b, bool by_slot)
{
	struct swapmem_frame *f;
	unsigned long slot;
	unsigned int i, j;

	for (i = 1; i < b->n; i++) {
		f = b->frames[i];
		slot = b->slots[i];
		for (j = i; j > 0; j--) {
			if (by_slot ? b->slots[j - 1] <= slot :
				      !swapmem_frame_before(f, b->frames[j - 1]))
				break;
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
 * Give the pages of batch @b that have no slot one each, in page order: a
 * run of adjacent pages of a space gets a run of adjacent slots
 * (swapmem_slot_alloc_run()), next to the slot of the page before it
 * where that is free. The pages no slot is found for (no memory for a
 * chunk's bitmap) leave the batch, dirty: returns how many.
 * Context: pool lock held.
 */
static unsigned int swapmem_batch_slots(struct swapmem_device *sdev,
					struct swapmem_batch_io *b)
{
	unsigned int i, j, k, run, dropped = 0;
	struct swapmem_frame *f;
	unsigned long slot;

	if (!swapmem_batch_unslotted(b))
		return 0;
	swapmem_batch_sort(b, false);
	for (i = 0; i < b->n; i += run) {
		f = b->frames[i];
		if (f->slot) {
			run = 1;
			continue;
		}
		for (run = 1; i + run < b->n; run++) {
			if (b->frames[i + run]->slot ||
			    b->frames[i + run]->space != f->space ||
			    b->frames[i + run]->index != f->index + run)
				break;
		}
		run = swapmem_slot_alloc_run(sdev, swapmem_slot_hint(f->space, f->index),
					     run, &slot);
		if (!run)
			break;
		for (k = 0; k < run; k++) {
			b->frames[i + k]->slot = slot + k;
			b->slots[i + k] = slot + k;
		}
	}
	/* left without a slot: out of the batch, as they were */
	for (i = 0, j = 0; i < b->n; i++) {
		f = b->frames[i];
		if (!f->slot) {
			clear_bit(SWAPMEM_FRAME_BUSY, &f->flags);
			dropped++;
			continue;
		}
		b->frames[j] = f;
		b->pages[j] = f->page;
		b->slots[j++] = f->slot;
	}
	b->n = j;
	if (dropped)
		swapmem_wake_waiters(sdev);
	return dropped;
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
 * Returns how many pages were written; *@err is -EIO if a write failed,
 * -ENOSPC or -ENOMEM if a page found no slot (none left, or no memory
 * for the slot map), else 0.
 * Context: pool lock held; dropped and retaken.
 */
static unsigned int swapmem_batch_write(struct swapmem_device *sdev,
					struct swapmem_batch_io *b, int *err)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned int n;
	bool failed;

	*err = 0;
	if (b->n && swapmem_batch_slots(sdev, b))
		*err = swapmem_slots_left(sdev) ? -ENOMEM : -ENOSPC;
	if (!b->n)
		return 0;
	swapmem_batch_sort(b, true);
	mutex_unlock(&sdev->pool_lock);
	swapmem_slots_rw(sdev, b, true);
	mutex_lock(&sdev->pool_lock);
	n = swapmem_batch_settle(sdev, b, &failed);
	if (failed)
		*err = -EIO;
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
	int err = 0;

	mutex_lock(&sdev->pool_lock);
	while (!err && swapmem_store(sdev) && !swapmem_store_backing_off(sdev) &&
	       swapmem_writeback_pick(sdev, b)) {
		swapmem_stat_add(sdev, writeback_pages,
				 swapmem_batch_write(sdev, b, &err));
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
 * no write. They go out in batches of up to SWAPMEM_BATCH_MAX, pages
 * with no slot given adjacent slots in page order (swapmem_batch_slots()),
 * sorted by slot, one bio per run of adjacent slots; a batch
 * is written before the sync waits for a frame under I/O. Without a
 * backing device there is nothing to write to. A page no slot is left
 * for stays dirty (-ENOSPC; the walk goes on), and so does one that
 * someone outside the pool holds (an O_DIRECT transfer in flight); the
 * first batch with a failed write, or whose slots could not all be
 * allocated, ends the sync.
 *
 * Context: process context, no pool lock held; sleeps.
 * Return: 0, -EIO if a write failed (the page stays dirty), -ENOSPC if
 * the store is full, -ENOMEM if there is no memory for a batch or a
 * slot map chunk, or
 * -EINTR if the caller was killed.
 */
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last,
		       unsigned long *done)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, steps = 0, written = 0;
	struct swapmem_batch_io *b;
	int err = 0, tail_err;
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
			if (b->n) {
				written += swapmem_batch_write(sdev, b, &err);
				if (err)
					goto out;
				/* the lock was let go: @f may be gone */
				continue;
			}
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
		/* full, or the walk lets go of the lock next: not BUSY for longer */
		if (b->n == SWAPMEM_BATCH_MAX ||
		    (b->n && !((steps + 1) % SWAPMEM_WALK_BATCH))) {
			written += swapmem_batch_write(sdev, b, &err);
			if (err)
				goto out;
		}
		if (swapmem_walk_pause(sdev, &steps)) {
			ret = -EINTR;
			break;
		}
	}
out:
	/* what was taken goes out, however the walk ended */
	written += swapmem_batch_write(sdev, b, &tail_err);
	if (err || tail_err)
		ret = err ?: tail_err;
	mutex_unlock(&sdev->pool_lock);
	kfree(b);
	if (done)
		*done += written;
	return ret;
}
