// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem pager: the frame pool, the fault path, CLOCK replacement and
 * eviction.
 *
 * A page of a space is in one of three states, kept in the space's page
 * table (an xarray indexed by page):
 *
 *   none      no entry: never touched, or dropped while all zeros; reads
 *             as zeros. First touch takes a free frame, zeroes it.
 *   resident  a struct swapmem_frame: clean (its slot copy, if any, is
 *             current, or it is all zeros) or dirty. While it is being read
 *             in or written out the frame is BUSY and not mapped.
 *   swapped   swapmem_swapped(slot, ghost): the page lives in that slot
 *             only.
 *
 * CLOCK uses a software reference bit: every fault that maps a frame sets
 * REF. When the hand meets a frame with REF set it clears REF and unmaps
 * the frame from every process (a second chance), so the next access by
 * any program faults (a minor fault, no I/O) and sets REF again; a frame
 * the hand meets with REF clear is the victim. This reflects real accesses
 * by programs, not only the faults that brought pages in, and works on
 * every kernel from 6.1 to 7.3, where reading hardware accessed bits of
 * VM_PFNMAP mappings has no exported interface (see
 * Documentation/swapmem/design.rst for the comparison and the cost).
 */
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/swapmem.h>

#include "swapmem_drv.h"

static struct lock_class_key swapmem_frame_lock_key;

static struct swapmem_frame *swapmem_frame_alloc(void)
{
	struct swapmem_frame *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!f->page) {
		kfree(f);
		return NULL;
	}
	lockdep_init_map_wait(&f->dep_map, "swapmem_frame.lock",
			      &swapmem_frame_lock_key, 0, LD_WAIT_SLEEP);
	return f;
}

static void swapmem_frame_release(struct swapmem_frame *f)
{
	__free_page(f->page);
	kfree(f);
}

/* Allocate @n free frames onto @list. Sleeps. */
static int swapmem_frames_alloc(struct list_head *list, unsigned long n)
{
	struct swapmem_frame *f, *tmp;

	while (n--) {
		f = swapmem_frame_alloc();
		if (!f)
			goto free;
		list_add_tail(&f->link, list);
		cond_resched();
	}
	return 0;
free:
	list_for_each_entry_safe(f, tmp, list, link)
		swapmem_frame_release(f);
	INIT_LIST_HEAD(list);
	return -ENOMEM;
}

/**
 * swapmem_pool_init() - allocate a device's frame pool
 * @sdev: device being created
 * @nr_frames: frames to allocate
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int swapmem_pool_init(struct swapmem_device *sdev, unsigned long nr_frames)
{
	struct swapmem_frame *f;
	unsigned long i = 0;

	INIT_LIST_HEAD(&sdev->free_frames);
	sdev->frames = kvcalloc(nr_frames, sizeof(*sdev->frames), GFP_KERNEL);
	if (!sdev->frames)
		return -ENOMEM;
	if (swapmem_frames_alloc(&sdev->free_frames, nr_frames)) {
		kvfree(sdev->frames);
		sdev->frames = NULL;
		return -ENOMEM;
	}
	list_for_each_entry(f, &sdev->free_frames, link)
		sdev->frames[i++] = f;
	sdev->nr_frames = nr_frames;
	sdev->nr_free = nr_frames;
	sdev->hand = 0;
	return 0;
}

/**
 * swapmem_pool_exit() - free a device's frame pool
 * @sdev: device with no spaces
 *
 * Context: process context.
 */
void swapmem_pool_exit(struct swapmem_device *sdev)
{
	unsigned long i;

	if (!sdev->frames)
		return;
	for (i = 0; i < sdev->nr_frames; i++)
		swapmem_frame_release(sdev->frames[i]);
	kvfree(sdev->frames);
	sdev->frames = NULL;
}

static bool swapmem_frame_is_busy(struct swapmem_frame *f)
{
	return test_bit(SWAPMEM_FRAME_BUSY, &f->flags);
}

static bool swapmem_frame_is_dirty(struct swapmem_frame *f)
{
	return test_bit(SWAPMEM_FRAME_DIRTY, &f->flags);
}

static bool swapmem_frame_is_pinned(struct swapmem_frame *f)
{
	return test_bit(SWAPMEM_FRAME_PINNED, &f->flags);
}

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

/* Wake the background writeback if too few frames are clean or free. */
static void swapmem_writeback_kick(struct swapmem_device *sdev)
{
	if (READ_ONCE(sdev->has_store) &&
	    swapmem_frames_clean(sdev) < swapmem_wb_low(sdev))
		queue_work(system_unbound_wq, &sdev->wb_work);
}

/*
 * The frame lock: see "Locking" in swapmem_drv.h. lockdep sees it through
 * the frame's dep_map, told of a wait before it begins.
 */
static void __swapmem_frame_lock(struct swapmem_frame *f)
{
	lock_map_acquire(&f->dep_map);
	wait_on_bit_lock(&f->lock, 0, TASK_UNINTERRUPTIBLE);
}

/* Lock a frame of the pool, with the pager lock held. Sleeps. */
static void swapmem_frame_lock(struct swapmem_device *sdev,
			       struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	__swapmem_frame_lock(f);
}

static bool swapmem_frame_trylock(struct swapmem_frame *f)
{
	if (test_and_set_bit_lock(0, &f->lock))
		return false;
	lock_map_acquire_try(&f->dep_map);
	return true;
}

static void swapmem_frame_unlock(struct swapmem_frame *f)
{
	lock_map_release(&f->dep_map);
	clear_bit_unlock(0, &f->lock);
	/* the cleared bit before wake_up_bit()'s waitqueue_active() check */
	smp_mb__after_atomic();
	wake_up_bit(&f->lock, 0);
}

/* Held by someone (a bit lock has no owner), and by us as lockdep sees it. */
static void swapmem_frame_assert_locked(struct swapmem_frame *f)
{
	WARN_ON_ONCE(!test_bit(0, &f->lock));
	lockdep_assert_held(f);
}

/*
 * DIRTY changes only here, so nr_dirty stays exact: set by faults under
 * the frame lock, cleared under the pager lock on frames no fault can map
 * (BUSY, or out of every page table).
 */
static void swapmem_frame_set_dirty(struct swapmem_device *sdev,
				    struct swapmem_frame *f)
{
	swapmem_frame_assert_locked(f);
	if (test_and_set_bit(SWAPMEM_FRAME_DIRTY, &f->flags))
		return;
	atomic_long_inc(&sdev->nr_dirty);
	swapmem_writeback_kick(sdev);
}

static void swapmem_frame_clear_dirty(struct swapmem_device *sdev,
				      struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	if (test_and_clear_bit(SWAPMEM_FRAME_DIRTY, &f->flags))
		atomic_long_dec(&sdev->nr_dirty);
}

/* Queue an owned frame at the tail of the small or main queue. */
static void swapmem_queue_add(struct swapmem_device *sdev,
			      struct swapmem_frame *f, enum swapmem_queue q)
{
	lockdep_assert_held(&sdev->lock);
	if (q == SWAPMEM_Q_MAIN) {
		list_add_tail(&f->link, &sdev->main);
		sdev->nr_main++;
	} else {
		list_add_tail(&f->link, &sdev->small);
		sdev->nr_small++;
	}
	f->queue = q;
}

static void swapmem_queue_del(struct swapmem_device *sdev,
			      struct swapmem_frame *f)
{
	if (f->queue == SWAPMEM_Q_NONE)
		return;
	list_del(&f->link);
	if (f->queue == SWAPMEM_Q_MAIN)
		sdev->nr_main--;
	else
		sdev->nr_small--;
	f->queue = SWAPMEM_Q_NONE;
}

/*
 * Give a frame that no page table points to back to the free list, with
 * its frame lock held if a fault could reach it.
 */
static void swapmem_frame_free(struct swapmem_device *sdev,
			       struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	swapmem_frame_clear_dirty(sdev, f);
	swapmem_queue_del(sdev, f);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
	list_add(&f->link, &sdev->free_frames);
	sdev->nr_free++;
}

/* A BUSY frame settled: wake everyone waiting for one. */
static void swapmem_wake_waiters(struct swapmem_device *sdev)
{
	lockdep_assert_held(&sdev->lock);
	WRITE_ONCE(sdev->unbusy_seq, sdev->unbusy_seq + 1);
	wake_up_all(&sdev->wq);
}

static void swapmem_frame_unbusy(struct swapmem_device *sdev,
				 struct swapmem_frame *f)
{
	/* release: what the I/O put in the page is seen before it is mapped */
	clear_bit_unlock(SWAPMEM_FRAME_BUSY, &f->flags);
	swapmem_wake_waiters(sdev);
}

/*
 * Wait until some BUSY frame settles. The caller saw one under the lock, so
 * the wait ends. Sleeps; the caller must look again at whatever it read.
 */
static void swapmem_wait_unbusy(struct swapmem_device *sdev)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	unsigned long seen = sdev->unbusy_seq;

	mutex_unlock(&sdev->lock);
	wait_event(sdev->wq, READ_ONCE(sdev->unbusy_seq) != seen);
	mutex_lock(&sdev->lock);
}

/*
 * Remove every user mapping of a resident frame, if it may have any.
 * Context: the frame lock held, and the pager lock unless the caller is a
 * fault that only upgrades the frame (pfn_mkwrite); sleeps.
 */
static void __swapmem_frame_unmap(struct swapmem_frame *f)
{
	/* MAPPED is set before any PTE and cleared only here, locked */
	swapmem_frame_assert_locked(f);
	if (!test_and_clear_bit(SWAPMEM_FRAME_MAPPED, &f->flags))
		return;
	swapmem_race_window(SWAPMEM_RACE_UNMAP);
	unmap_mapping_pages(f->space->inode->i_mapping, f->index, 1, false);
}

static void swapmem_frame_unmap(struct swapmem_device *sdev,
				struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	__swapmem_frame_unmap(f);
}

/* The slot next to which a page of @space at @index is best written. */
static unsigned long swapmem_slot_hint(struct swapmem_space *space,
				       pgoff_t index)
{
	void *entry;

	if (!index)
		return 0;
	entry = xa_load(&space->pt, index - 1);
	if (xa_is_value(entry))
		return swapmem_entry_slot(entry);
	if (entry)
		return ((struct swapmem_frame *)entry)->slot;
	return 0;
}

static void swapmem_io_error(struct swapmem_device *sdev,
			     struct swapmem_frame *f, unsigned long slot,
			     bool write, int err)
{
	pr_err_ratelimited("swapmem%d: %s error %d on slot %lu (page %lu of a space): %s\n",
			   sdev->id, write ? "write" : "read", err, slot,
			   (unsigned long)f->index,
			   write ? "page kept resident" : "access gets SIGBUS");
}

/*
 * Write dirty frame @f, already unmapped, to its slot, allocating one next
 * to its neighbour's if it has none. Returns -ENOSPC (no slot; nothing
 * done, @f still locked), or 0 or the write's error with @f BUSY and its
 * frame lock released, for the caller to settle; after an error the slot
 * is retired and @f keeps no slot.
 * Context: pager lock and @f's frame lock held; the pager lock is dropped
 * and retaken around the write.
 */
static int swapmem_frame_write(struct swapmem_device *sdev,
			       struct swapmem_frame *f)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	unsigned long slot = f->slot;
	int ret;

	lockdep_assert_held(&sdev->lock);
	if (!slot)
		slot = swapmem_slot_alloc(sdev, swapmem_slot_hint(f->space, f->index));
	if (!slot)
		return -ENOSPC;
	f->slot = slot;
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	/* BUSY keeps faults off it now; nobody may wait for it unlocked */
	swapmem_frame_unlock(f);
	mutex_unlock(&sdev->lock);
	ret = swapmem_slot_rw(sdev, f->page, slot, true);
	mutex_lock(&sdev->lock);
	if (ret) {
		swapmem_stat_inc(sdev, WRITE_ERRORS);
		swapmem_io_error(sdev, f, slot, true, ret);
		swapmem_slot_retire(sdev, slot);
		f->slot = 0;
	}
	return ret;
}

/*
 * Evict victim @f: unmap it everywhere, write it to a slot if it is dirty,
 * and point its page table entry at the slot (or at nothing, for a clean
 * page that never had one: it is all zeros); @ghost marks a page that left
 * the S3-FIFO small queue unreferenced.
 * With @clean_only, a victim that turns out dirty (a lockless fault wrote
 * to it after the caller looked) is left alone: -EBUSY, nothing dropped.
 * Returns 0 with @f owned by nobody and off the free list, or -errno with
 * @f still resident (no slot, or the write failed).
 * Context: pager lock held; dropped and retaken around the write (never
 * with @clean_only).
 */
static int swapmem_evict(struct swapmem_device *sdev, struct swapmem_frame *f,
			 bool ghost, bool clean_only)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	struct swapmem_space *space = f->space;
	pgoff_t index = f->index;
	int ret;

	lockdep_assert_held(&sdev->lock);
	/* until the page table no longer points here, or @f is BUSY */
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	/* dirtied by a lockless fault since the caller looked: not now */
	if (clean_only && swapmem_frame_is_dirty(f)) {
		swapmem_frame_unlock(f);
		return -EBUSY;
	}
	space->evictions++;

	if (test_bit(SWAPMEM_FRAME_RA, &f->flags)) {
		swapmem_stat_inc(sdev, READAHEAD_WASTED);
		WRITE_ONCE(space->ra_win, READ_ONCE(space->ra_win) / 2);
	}
	/* No PTE maps it, and no fault can map or dirty it: it is locked. */
	if (!swapmem_frame_is_dirty(f)) {
		if (f->slot)
			xa_store(&space->pt, index, swapmem_swapped(f->slot, ghost),
				 GFP_NOWAIT);
		else
			xa_erase(&space->pt, index);
		swapmem_stat_inc(sdev, EVICTIONS_CLEAN);
		swapmem_queue_del(sdev, f);
		f->space = NULL;
		f->flags = 0;
		f->slot = 0;
		swapmem_frame_unlock(f);
		return 0;
	}

	/* a fault waits for this write: the writeback is behind */
	if (sdev->has_store && READ_ONCE(sdev->wb_reserve))
		queue_work(system_unbound_wq, &sdev->wb_work);
	ret = swapmem_frame_write(sdev, f);
	if (ret == -ENOSPC) {
		swapmem_frame_unlock(f);
		return ret;
	}
	if (ret) {
		swapmem_frame_unbusy(sdev, f);
		return ret;
	}
	/*
	 * A lockless fault may have locked it, BUSY, during the write: it
	 * changes owner under its lock, so that such a fault sees it as it
	 * was or as it is now, never half of each.
	 */
	swapmem_frame_lock(sdev, f);
	xa_store(&space->pt, index, swapmem_swapped(f->slot, ghost), GFP_NOWAIT);
	swapmem_stat_inc(sdev, EVICTIONS_DIRTY);
	swapmem_frame_clear_dirty(sdev, f);
	swapmem_queue_del(sdev, f);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
	swapmem_frame_unlock(f);
	swapmem_wake_waiters(sdev);
	return 0;
}

/* Can @f leave the pool now? A dirty page needs somewhere to go. */
static bool swapmem_frame_is_evictable(struct swapmem_device *sdev,
				       struct swapmem_frame *f)
{
	if (!swapmem_frame_is_dirty(f))
		return true;
	if (!sdev->has_store)
		return false;
	return f->slot || sdev->store.used + sdev->store.bad + 1 < sdev->store.nr_slots;
}

/* Advance the CLOCK hand by one frame and return the frame it was on. */
static struct swapmem_frame *swapmem_hand_step(struct swapmem_device *sdev)
{
	struct swapmem_frame *f = sdev->frames[sdev->hand];

	if (++sdev->hand == sdev->nr_frames) {
		sdev->hand = 0;
		swapmem_stat_inc(sdev, HAND_SWEEPS);
	}
	swapmem_stat_inc(sdev, HAND_STEPS);
	return f;
}

/* Spare a referenced frame: unmap it, so its next use shows (and counts). */
static void swapmem_frame_spare(struct swapmem_device *sdev,
				struct swapmem_frame *f)
{
	set_bit(SWAPMEM_FRAME_AGED, &f->flags);
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	swapmem_frame_unlock(f);
	swapmem_stat_inc(sdev, SECOND_CHANCES);
}

/*
 * A search's verdict on a frame with no reference left: 1 with *@victim
 * evicted, 0 to pass it by (it cannot go now), -EAGAIN after a failed
 * eviction (the lock was dropped; only clean victims from now on).
 */
static int swapmem_try_evict(struct swapmem_device *sdev,
			     struct swapmem_frame *f, bool ghost,
			     bool *write_failed, struct swapmem_frame **victim)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	int ret;

	if (!swapmem_frame_is_evictable(sdev, f) ||
	    (*write_failed && swapmem_frame_is_dirty(f)))
		return 0;
	ret = swapmem_evict(sdev, f, ghost, *write_failed);
	if (!ret) {
		*victim = f;
		return 1;
	}
	if (ret == -EBUSY)
		return 0;	/* a lockless fault dirtied it meanwhile */
	*write_failed = true;
	return -EAGAIN;
}

/*
 * CLOCK (and FIFO) victim search: the hand sweeps the frame table, at most
 * two turns. Returns 1 with *@victim evicted, 0 when no frame can go now
 * (*@busy: some are under I/O), -EAGAIN after a failed eviction (the lock
 * was dropped).
 */
static int swapmem_hand_scan(struct swapmem_device *sdev, bool *busy,
			     bool *write_failed, struct swapmem_frame **victim)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	struct swapmem_frame *f;
	unsigned long scanned;
	int ret;

	for (scanned = 0; scanned < 2 * sdev->nr_frames; scanned++) {
		f = swapmem_hand_step(sdev);
		if (!f->space)
			continue;
		if (swapmem_frame_is_busy(f)) {
			*busy = true;
			continue;
		}
		if (swapmem_frame_is_pinned(f))
			continue;
		/* FIFO: the hand's order is the order pages came in. */
		if (sdev->policy == SWAPMEM_POLICY_CLOCK &&
		    test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
			swapmem_frame_spare(sdev, f);
			continue;
		}
		ret = swapmem_try_evict(sdev, f, false, write_failed, victim);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * S3-FIFO victim search over the small queue (new pages, a tenth of the
 * pool) and the main queue, with sampled reference bits: a page's first
 * pass through the small queue unmaps it (SAMPLED); if a program touches
 * it again before its second pass it moves to the main queue, else it is
 * evicted as a ghost, and a ghost that faults back in goes straight to the
 * main queue. The main queue is a CLOCK. A scan touches each page once, so
 * it passes through the small queue and never displaces the main queue.
 * Same returns as swapmem_hand_scan().
 */
static int swapmem_s3fifo_scan(struct swapmem_device *sdev, bool *busy,
			       bool *write_failed, struct swapmem_frame **victim)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	unsigned long target = max(1UL, sdev->nr_frames / 10);
	unsigned long steps, limit = 2 * (sdev->nr_small + sdev->nr_main) + 2;
	struct swapmem_frame *f;
	struct list_head *q;
	bool small;
	int ret;

	for (steps = 0; steps < limit; steps++) {
		small = sdev->nr_small > target || !sdev->nr_main;
		q = small ? &sdev->small : &sdev->main;
		f = list_first_entry_or_null(q, struct swapmem_frame, link);
		if (!f)
			return 0;
		swapmem_stat_inc(sdev, HAND_STEPS);
		/* whatever happens to it now, it is looked at last next time */
		list_move_tail(&f->link, q);
		if (swapmem_frame_is_busy(f)) {
			*busy = true;
			continue;
		}
		if (swapmem_frame_is_pinned(f))
			continue;
		if (small && !test_and_set_bit(SWAPMEM_FRAME_SAMPLED, &f->flags)) {
			clear_bit(SWAPMEM_FRAME_REF, &f->flags);
			swapmem_frame_spare(sdev, f);
			continue;
		}
		if (test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
			if (small) {
				swapmem_queue_del(sdev, f);
				swapmem_queue_add(sdev, f, SWAPMEM_Q_MAIN);
				swapmem_stat_inc(sdev, SECOND_CHANCES);
			} else {
				swapmem_frame_spare(sdev, f);
			}
			continue;
		}
		ret = swapmem_try_evict(sdev, f, small, write_failed, victim);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Get a frame owned by nobody: a free one, or the victim of the device's
 * replacement policy. Returns NULL when every frame is resident and cannot
 * be evicted (dirty with nowhere to write it, or pinned).
 * After a failed write only clean victims are tried, so a failing disk
 * sees one write per call and the search ends.
 * With @nowait (readahead) only a free frame or a clean victim will do,
 * and the lock is never dropped: NULL if there is none now.
 * Context: pager lock held; dropped and retaken while waiting or writing.
 */
static struct swapmem_frame *swapmem_frame_get(struct swapmem_device *sdev,
					       bool nowait)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	bool busy, write_failed = nowait;
	struct swapmem_frame *f;
	int ret;

	lockdep_assert_held(&sdev->lock);
	for (;;) {
		f = list_first_entry_or_null(&sdev->free_frames,
					     struct swapmem_frame, link);
		if (f) {
			list_del(&f->link);
			sdev->nr_free--;
			return f;
		}

		busy = false;
		if (sdev->policy == SWAPMEM_POLICY_S3FIFO)
			ret = swapmem_s3fifo_scan(sdev, &busy, &write_failed, &f);
		else
			ret = swapmem_hand_scan(sdev, &busy, &write_failed, &f);
		if (ret > 0)
			return f;
		if (ret == -EAGAIN || !list_empty(&sdev->free_frames))
			continue;
		if (!busy || nowait)
			return NULL;
		swapmem_wait_unbusy(sdev);
	}
}

/*
 * Map resident frame @f at the faulting address; writable only if dirty.
 * Context: @f's frame lock held: every PTE of a frame is installed under
 * it, so an unmap that clears MAPPED under it is never overtaken.
 */
static vm_fault_t swapmem_frame_map(struct vm_fault *vmf, struct swapmem_frame *f)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_flags_t flags = vma->vm_flags;
	vm_fault_t ret;

	swapmem_frame_assert_locked(f);
	/* this page's frame, settled: its owner changes only under the lock */
	if (WARN_ON_ONCE(f->space != vma->vm_file->private_data ||
			 f->index != vmf->pgoff || swapmem_frame_is_busy(f)))
		return VM_FAULT_SIGBUS;
	set_bit(SWAPMEM_FRAME_REF, &f->flags);
	if (vmf->flags & FAULT_FLAG_WRITE)
		swapmem_frame_set_dirty(f->space->sdev, f);
	/* A clean frame is mapped read-only, so its first write is seen. */
	if (!swapmem_frame_is_dirty(f))
		flags &= ~VM_SHARED;
	/* before the PTE: an unmap that follows must not skip it */
	set_bit(SWAPMEM_FRAME_MAPPED, &f->flags);
	swapmem_race_window(SWAPMEM_RACE_MAP);
	ret = vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK,
				  page_to_pfn(f->page), vm_get_page_prot(flags));
	/* only an unmap under the frame lock clears it: none overtook us */
	WARN_ON_ONCE(!test_bit(SWAPMEM_FRAME_MAPPED, &f->flags));
	return ret;
}

/* How swapmem_page_load() found or made a page resident. */
enum swapmem_load {
	SWAPMEM_LOAD_RESIDENT,
	SWAPMEM_LOAD_ZERO,
	SWAPMEM_LOAD_READ,
	SWAPMEM_LOAD_FRESH,
};

/*
 * May this fault let go of mmap_lock to wait for I/O? Only on its first
 * attempt, and not for GUP's NOWAIT (which must not sleep unlocked).
 */
static bool swapmem_fault_may_unlock(struct vm_fault *vmf)
{
	return vmf && fault_flag_allow_retry_first(vmf->flags) &&
	       !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT);
}

/*
 * Let go of mmap_lock (the fault will return VM_FAULT_RETRY); the space's
 * file is pinned in *@fpin until then. After this the vma must not be
 * touched: it may be gone.
 */
static void swapmem_fault_unlock(struct vm_fault *vmf, struct file **fpin)
{
	*fpin = get_file(vmf->vma->vm_file);
	swapmem_release_fault_lock(vmf);
}

/*
 * Readahead for the major fault on page @index of @space, whose frame @f
 * is BUSY and in the page table: if the fault continues a sequence (the
 * page after the last major fault, or after the last window), take frames
 * for the swapped pages that follow, up to the space's window, free ones
 * or clean victims only, and put them BUSY in the page table too. Returns
 * the batch (@f first) for swapmem_page_read(), or NULL for a lone read.
 * Context: pager lock held, never dropped.
 */
static struct swapmem_batch_io *swapmem_readahead_prepare(struct swapmem_space *space,
							  pgoff_t index,
							  struct swapmem_frame *f)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned int win, cap = READ_ONCE(sdev->ra_max);
	struct swapmem_batch_io *b;
	struct swapmem_frame *g;
	bool seq;
	void *e;

	lockdep_assert_held(&sdev->lock);
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
		g = swapmem_frame_get(sdev, true);
		if (!g)
			break;
		/* the lock is not dropped with nowait; look again all the same */
		if (xa_load(&space->pt, index + b->n) != e) {
			swapmem_frame_free(sdev, g);
			break;
		}
		g->space = space;
		g->index = index + b->n;
		g->slot = swapmem_entry_slot(e);
		g->flags = BIT(SWAPMEM_FRAME_BUSY) | BIT(SWAPMEM_FRAME_RA);
		swapmem_queue_add(sdev, g, SWAPMEM_Q_SMALL);
		/* replaces an entry: needs no memory */
		xa_store(&space->pt, g->index, g, GFP_NOWAIT);
		b->entries[b->n] = e;
		b->frames[b->n++] = g;
	}
	space->ra_end = index + b->n;
	if (b->n == 1) {
		kfree(b);
		return NULL;
	}
	swapmem_stat_add(sdev, READAHEAD_PAGES, b->n - 1);
	return b;
}

/*
 * Read the faulting page (@f, from @slot), and the pages of batch @b if
 * there is one, in one plugged batch. Returns the faulting page's result.
 * Context: no pager lock held; sleeps.
 */
static int swapmem_page_read(struct swapmem_device *sdev, struct swapmem_frame *f,
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

/*
 * Settle the read-ahead pages of batch @b: resident and not BUSY, or, if
 * their read failed, back in their slots (their own fault reads again).
 * Context: pager lock held.
 */
static void swapmem_readahead_finish(struct swapmem_space *space,
				     struct swapmem_batch_io *b)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *g;
	unsigned int i;

	lockdep_assert_held(&sdev->lock);
	for (i = 1; i < b->n; i++) {
		g = b->frames[i];
		if (!b->errs[i]) {
			clear_bit_unlock(SWAPMEM_FRAME_BUSY, &g->flags);
			continue;
		}
		/* never seen un-BUSY: out of the page table, then free */
		swapmem_frame_lock(sdev, g);
		xa_store(&space->pt, g->index, b->entries[i], GFP_NOWAIT);
		swapmem_frame_free(sdev, g);
		swapmem_frame_unlock(g);
	}
	kfree(b);
}

/*
 * A fault used a page read ahead: count it and widen the space's window.
 * Under the pager lock or the frame lock; the window is only a heuristic,
 * so its updates may race.
 */
static void swapmem_readahead_hit(struct swapmem_space *space)
{
	swapmem_stat_inc(space->sdev, READAHEAD_HITS);
	WRITE_ONCE(space->ra_win, min(max(READ_ONCE(space->ra_win), 2U) * 2,
				      (unsigned int)SWAPMEM_RA_MAX));
}

/*
 * Make page @index of @space resident and return its frame, not BUSY:
 * already resident, or a frame (free, or the CLOCK victim's) zero-filled
 * or read from the page's slot. Threads loading the same page wait for the
 * one read. Returns ERR_PTR(-ENOSPC) when no frame can be freed,
 * ERR_PTR(-EIO) when the read failed, ERR_PTR(-ENOMEM) when the page table
 * cannot grow.
 *
 * A fault (@vmf not NULL) that may retry waits for a read, its own or
 * another thread's, without mmap_lock: it returns ERR_PTR(-EAGAIN) with the
 * lock let go and the file pinned in *@fpin, and *@how says whether it
 * read. The page is then resident (FRESH, so its retry counts no second
 * fault) or, if the read failed, IOERR, so that its retry gets SIGBUS
 * without reading again.
 * Context: pager lock held; dropped and retaken for I/O and waiting.
 */
static struct swapmem_frame *swapmem_page_load(struct swapmem_space *space,
					       pgoff_t index,
					       enum swapmem_load *how,
					       struct vm_fault *vmf,
					       struct file **fpin)
	__releases(&space->sdev->lock) __acquires(&space->sdev->lock)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_batch_io *ra = NULL;
	struct swapmem_frame *f;
	unsigned long slot, seen;
	bool unlocked;
	void *entry;
	int ret;

	lockdep_assert_held(&sdev->lock);
again:
	entry = xa_load(&space->pt, index);
	if (entry && !xa_is_value(entry)) {
		f = entry;
		if (swapmem_frame_is_busy(f)) {
			if (!swapmem_fault_may_unlock(vmf)) {
				swapmem_wait_unbusy(sdev);
				goto again;
			}
			seen = sdev->unbusy_seq;
			mutex_unlock(&sdev->lock);
			swapmem_fault_unlock(vmf, fpin);
			wait_event(sdev->wq, READ_ONCE(sdev->unbusy_seq) != seen);
			mutex_lock(&sdev->lock);
			*how = SWAPMEM_LOAD_RESIDENT;
			return ERR_PTR(-EAGAIN);
		}
		if (test_bit(SWAPMEM_FRAME_IOERR, &f->flags)) {
			/* its read failed, counted then: back to the slot */
			swapmem_frame_lock(sdev, f);
			xa_store(&space->pt, index, swapmem_swapped(f->slot, false),
				 GFP_NOWAIT);
			swapmem_frame_free(sdev, f);
			swapmem_frame_unlock(f);
			return ERR_PTR(-EIO);
		}
		if (test_and_clear_bit(SWAPMEM_FRAME_RA, &f->flags))
			swapmem_readahead_hit(space);
		*how = test_and_clear_bit(SWAPMEM_FRAME_FRESH, &f->flags) ?
		       SWAPMEM_LOAD_FRESH : SWAPMEM_LOAD_RESIDENT;
		return f;
	}

	f = swapmem_frame_get(sdev, false);
	if (!f)
		return ERR_PTR(-ENOSPC);
	/* The lock may have been dropped: if the page moved, start over. */
	if (xa_load(&space->pt, index) != entry) {
		swapmem_frame_free(sdev, f);
		goto again;
	}
	f->space = space;
	f->index = index;
	f->flags = 0;

	if (!entry) {
		f->slot = 0;
		clear_highpage(f->page);
		if (xa_err(xa_store(&space->pt, index, f, GFP_KERNEL))) {
			swapmem_frame_free(sdev, f);
			return ERR_PTR(-ENOMEM);
		}
		swapmem_queue_add(sdev, f, SWAPMEM_Q_SMALL);
		*how = SWAPMEM_LOAD_ZERO;
		return f;
	}

	/* A ghost was referenced again soon after leaving: main queue. */
	swapmem_queue_add(sdev, f, swapmem_entry_is_ghost(entry) ?
			  SWAPMEM_Q_MAIN : SWAPMEM_Q_SMALL);
	slot = swapmem_entry_slot(entry);
	f->slot = slot;
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	xa_store(&space->pt, index, f, GFP_NOWAIT);
	if (vmf)
		ra = swapmem_readahead_prepare(space, index, f);
	mutex_unlock(&sdev->lock);
	unlocked = swapmem_fault_may_unlock(vmf);
	if (unlocked)
		swapmem_fault_unlock(vmf, fpin);
	ret = swapmem_page_read(sdev, f, slot, ra);
	mutex_lock(&sdev->lock);
	if (ra)
		swapmem_readahead_finish(space, ra);
	if (ret) {
		swapmem_stat_inc(sdev, READ_ERRORS);
		swapmem_io_error(sdev, f, slot, false, ret);
		if (unlocked) {
			set_bit(SWAPMEM_FRAME_IOERR, &f->flags);
			swapmem_frame_unbusy(sdev, f);
			*how = SWAPMEM_LOAD_RESIDENT;
			return ERR_PTR(-EAGAIN);
		}
		/* never seen un-BUSY: out of the page table, then free */
		swapmem_frame_lock(sdev, f);
		xa_store(&space->pt, index, entry, GFP_NOWAIT);
		swapmem_frame_free(sdev, f);
		swapmem_frame_unlock(f);
		swapmem_wake_waiters(sdev);
		return ERR_PTR(-EIO);
	}
	*how = SWAPMEM_LOAD_READ;
	if (unlocked) {
		/* referenced: the hand spares it once before the retry maps it */
		set_bit(SWAPMEM_FRAME_REF, &f->flags);
		set_bit(SWAPMEM_FRAME_FRESH, &f->flags);
		swapmem_frame_unbusy(sdev, f);
		return ERR_PTR(-EAGAIN);
	}
	swapmem_frame_unbusy(sdev, f);
	return f;
}

/* Count a fault's latency in its log2 bucket. */
static void swapmem_lat_add(atomic_long_t *hist, u64 start)
{
	u64 ns = ktime_get_ns() - start;
	int k = ns >> 10 ? ilog2(ns >> 10) + 1 : 0;

	atomic_long_inc(&hist[min(k, SWAPMEM_LAT_BUCKETS - 1)]);
}

/*
 * The lockless lookup of minor faults: the frame of page @index of @space,
 * with its frame lock held, if it is resident and nothing is going on with
 * it (not BUSY, no failed read);
 * else NULL, and the caller takes the pager lock. The frame lock keeps any
 * unmapping change out until it is released (see "Locking").
 */
static struct swapmem_frame *swapmem_frame_find_locked(struct swapmem_space *space,
						       pgoff_t index)
{
	const unsigned long slow = BIT(SWAPMEM_FRAME_BUSY) | BIT(SWAPMEM_FRAME_IOERR);
	struct swapmem_frame *f;
	void *entry;

	rcu_read_lock();
	entry = xa_load(&space->pt, index);
	/* the frame may leave the page table, or the pool, meanwhile */
	swapmem_race_window(SWAPMEM_RACE_LOOKUP);
	if (!entry || xa_is_value(entry) || !swapmem_frame_trylock(entry)) {
		rcu_read_unlock();
		return NULL;
	}
	rcu_read_unlock();
	f = entry;
	if (xa_load(&space->pt, index) != f) {
		swapmem_frame_unlock(f);
		return NULL;
	}
	/* the entry before the flags: pairs with BUSY set before publishing */
	smp_rmb();
	/* a BUSY frame may settle and change owner meanwhile, but not locked */
	swapmem_race_window(SWAPMEM_RACE_FLAGS);
	if (READ_ONCE(f->flags) & slow) {
		swapmem_frame_unlock(f);
		return NULL;
	}
	return f;
}

/**
 * swapmem_pager_fault() - serve a fault on a page of a space
 * @space: the space
 * @vmf: the fault
 *
 * Maps a resident page (minor fault), or takes a frame (free, or evicted
 * by CLOCK) and fills it with zeros (first touch) or from its slot (major
 * fault). Threads faulting the same page while it is read in wait for that
 * one read. On a fault's first attempt the read, or the wait for another
 * thread's, happens without mmap_lock, and the fault is retried to map the
 * page (the VM_FAULT_RETRY protocol).
 *
 * Context: process context, mmap_lock held for read; sleeps.
 * Return: VM_FAULT_NOPAGE (with VM_FAULT_MAJOR after a read) when the page
 * is mapped; VM_FAULT_RETRY (with VM_FAULT_MAJOR after a read) with
 * mmap_lock released; VM_FAULT_SIGBUS after a read error or when neither a
 * frame nor a slot is left; VM_FAULT_OOM when the page table cannot grow.
 */
vm_fault_t swapmem_pager_fault(struct swapmem_space *space, struct vm_fault *vmf)
{
	struct swapmem_device *sdev = space->sdev;
	u64 start = ktime_get_ns();
	struct file *fpin = NULL;
	enum swapmem_load how;
	struct swapmem_frame *f;
	vm_fault_t ret;

	f = swapmem_frame_find_locked(space, vmf->pgoff);
	if (f) {
		/* without the pager lock: a minor fault, or a major one's retry */
		how = test_and_clear_bit(SWAPMEM_FRAME_FRESH, &f->flags) ?
		      SWAPMEM_LOAD_FRESH : SWAPMEM_LOAD_RESIDENT;
		if (how == SWAPMEM_LOAD_RESIDENT) {
			swapmem_stat_inc(sdev, MINOR_FAULTS);
			atomic_long_inc(&space->minor_faults);
		}
		if (test_and_clear_bit(SWAPMEM_FRAME_RA, &f->flags))
			swapmem_readahead_hit(space);
		if (test_and_clear_bit(SWAPMEM_FRAME_AGED, &f->flags))
			swapmem_stat_inc(sdev, REF_FAULTS);
		ret = swapmem_frame_map(vmf, f);
		swapmem_frame_unlock(f);
		if (how == SWAPMEM_LOAD_RESIDENT)
			swapmem_lat_add(sdev->stats.lat_minor, start);
		return ret;
	}

	mutex_lock(&sdev->lock);
	f = swapmem_page_load(space, vmf->pgoff, &how, vmf, &fpin);
	if (PTR_ERR_OR_ZERO(f) == -EAGAIN) {
		/* mmap_lock is gone: the retry maps the page */
		ret = VM_FAULT_RETRY;
		if (how == SWAPMEM_LOAD_READ) {
			swapmem_stat_inc(sdev, MAJOR_FAULTS);
			swapmem_stat_inc(sdev, RETRY_FAULTS);
			space->major_faults++;
			ret |= VM_FAULT_MAJOR;
		}
		mutex_unlock(&sdev->lock);
		fput(fpin);
		if (how == SWAPMEM_LOAD_READ)
			swapmem_lat_add(sdev->stats.lat_major, start);
		return ret;
	}
	if (IS_ERR(f)) {
		ret = VM_FAULT_SIGBUS;
		if (PTR_ERR(f) == -ENOMEM) {
			ret = VM_FAULT_OOM;
		} else if (PTR_ERR(f) == -ENOSPC) {
			swapmem_stat_inc(sdev, NOMEM_FAULTS);
			pr_err_ratelimited("swapmem%d: no frame can be freed (pool full of dirty or pinned pages, no swap slot): SIGBUS\n",
					   sdev->id);
		}
		mutex_unlock(&sdev->lock);
		return ret;
	}
	switch (how) {
	case SWAPMEM_LOAD_RESIDENT:
		swapmem_stat_inc(sdev, MINOR_FAULTS);
		atomic_long_inc(&space->minor_faults);
		if (test_and_clear_bit(SWAPMEM_FRAME_AGED, &f->flags))
			swapmem_stat_inc(sdev, REF_FAULTS);
		break;
	case SWAPMEM_LOAD_ZERO:
		swapmem_stat_inc(sdev, ZERO_FILL_FAULTS);
		space->zero_fill_faults++;
		break;
	case SWAPMEM_LOAD_READ:
		swapmem_stat_inc(sdev, MAJOR_FAULTS);
		space->major_faults++;
		break;
	case SWAPMEM_LOAD_FRESH:
		/* the retry of a major fault, counted when it read */
		break;
	}
	/* mapped under its frame lock, as every frame is */
	swapmem_frame_lock(sdev, f);
	ret = swapmem_frame_map(vmf, f);
	swapmem_frame_unlock(f);
	mutex_unlock(&sdev->lock);
	if (how == SWAPMEM_LOAD_RESIDENT)
		swapmem_lat_add(sdev->stats.lat_minor, start);
	else if (how == SWAPMEM_LOAD_READ)
		swapmem_lat_add(sdev->stats.lat_major, start);
	return how == SWAPMEM_LOAD_READ ? ret | VM_FAULT_MAJOR : ret;
}

/**
 * swapmem_pager_mkwrite() - first write to a page mapped read-only
 * @space: the space
 * @vmf: the write-protect fault
 *
 * Marks the frame dirty and removes its read-only PTE, so that the write
 * faults again and ->fault maps the frame writable. If the frame is busy
 * or locked, or is not the one the PTE points to (the page moved since
 * the PTE was read), the page is only unmapped and the write faults again
 * through ->fault, which waits for whatever goes on.
 *
 * Context: process context, mmap_lock held for read; sleeps; takes no
 * pager lock.
 * Return: VM_FAULT_NOPAGE: the write is retried.
 */
vm_fault_t swapmem_pager_mkwrite(struct swapmem_space *space, struct vm_fault *vmf)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f;

	/*
	 * The frame becomes dirty here, but its PTE is not made writable by
	 * the core: that would happen after the frame lock is gone, and a
	 * write-out could clean the frame and a read fault map it read-only
	 * again in between, with the very same PTE. Instead the PTE goes,
	 * and the write faults again through ->fault, which maps the dirty
	 * frame writable under the lock.
	 */
	swapmem_race_window(SWAPMEM_RACE_MKWRITE);
	f = swapmem_frame_find_locked(space, vmf->pgoff);
	if (f && page_to_pfn(f->page) == pte_pfn(vmf->orig_pte)) {
		swapmem_frame_set_dirty(sdev, f);
		set_bit(SWAPMEM_FRAME_REF, &f->flags);
		__swapmem_frame_unmap(f);
		swapmem_frame_unlock(f);
		/* unmapped, MAPPED clear, until the write comes back */
		swapmem_race_window(SWAPMEM_RACE_MKWRITE);
		return VM_FAULT_NOPAGE;
	}
	if (f)
		swapmem_frame_unlock(f);
	/*
	 * Zapping needs no lock (it only takes PTEs away, and MAPPED may stay
	 * set): a PTE of a frame the page has left must not stay, or the
	 * write would come back here for ever.
	 */
	unmap_mapping_pages(space->inode->i_mapping, vmf->pgoff, 1, false);
	return VM_FAULT_NOPAGE;
}

/**
 * swapmem_space_sync() - write a range of a space's dirty pages to swap
 * @space: the space
 * @first: first page index
 * @last: last page index
 * @done: if not NULL, where to add the pages written
 *
 * The pages stay resident and become clean, so evicting them later needs
 * no write. Without a backing device there is nothing to write to.
 *
 * Context: process context, no pager lock held; sleeps.
 * Return: 0, -EIO if a write failed (the page stays dirty), or -ENOSPC if
 * the store is full.
 */
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last,
		       unsigned long *done)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f;
	unsigned long index;
	void *entry;
	int err, ret = 0;

	if (!sdev->has_store)
		return 0;
	mutex_lock(&sdev->lock);
	xa_for_each_range(&space->pt, index, entry, first, last) {
		if (xa_is_value(entry))
			continue;
		f = entry;
		while (swapmem_frame_is_busy(f) && xa_load(&space->pt, index) == f)
			swapmem_wait_unbusy(sdev);
		if (xa_load(&space->pt, index) != f || !swapmem_frame_is_dirty(f))
			continue;
		swapmem_frame_lock(sdev, f);
		swapmem_frame_unmap(sdev, f);
		/* BUSY and unmapped while written: nobody can dirty it */
		err = swapmem_frame_write(sdev, f);
		if (err == -ENOSPC) {
			swapmem_frame_unlock(f);
			ret = -ENOSPC;
			continue;
		}
		if (!err) {
			swapmem_frame_clear_dirty(sdev, f);
			if (done)
				(*done)++;
		} else {
			ret = -EIO;
		}
		swapmem_frame_unbusy(sdev, f);
	}
	mutex_unlock(&sdev->lock);
	return ret;
}

/*
 * Should the background writeback write @f now? Dirty and idle, and, under
 * CLOCK, no longer referenced: a referenced frame gets a second chance
 * before it can be a victim, and may well be written to again by then.
 */
static bool swapmem_writeback_wanted(struct swapmem_device *sdev,
				     struct swapmem_frame *f)
{
	if (!f->space || !swapmem_frame_is_dirty(f) ||
	    swapmem_frame_is_busy(f) || swapmem_frame_is_pinned(f))
		return false;
	return sdev->policy != SWAPMEM_POLICY_CLOCK ||
	       !test_bit(SWAPMEM_FRAME_REF, &f->flags);
}

/* Add @f to the batch: a slot, unmapped, BUSY. False when no slot is left. */
static bool swapmem_writeback_take(struct swapmem_device *sdev,
				   struct swapmem_batch_io *b,
				   struct swapmem_frame *f)
{
	unsigned long slot = f->slot;

	if (!slot)
		slot = swapmem_slot_alloc(sdev, swapmem_slot_hint(f->space, f->index));
	if (!slot)
		return false;
	f->slot = slot;
	/* unmapped and BUSY while written: nobody can dirty it */
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	swapmem_frame_unlock(f);
	b->frames[b->n] = f;
	b->pages[b->n] = f->page;
	b->slots[b->n++] = slot;
	return true;
}

/*
 * Pick up to a batch of frames to write among the next writeback_reserve
 * percent of the pool that the replacement policy will look at: ahead of
 * the hand (CLOCK, FIFO), or at the heads of the small and main queues
 * (S3-FIFO). Returns how many.
 * Context: pager lock held, never dropped.
 */
static unsigned int swapmem_writeback_pick(struct swapmem_device *sdev,
					   struct swapmem_batch_io *b)
{
	unsigned long i, window = min(swapmem_wb_high(sdev), sdev->nr_frames);
	struct swapmem_frame *f;
	struct list_head *q;

	lockdep_assert_held(&sdev->lock);
	b->n = 0;
	if (sdev->policy != SWAPMEM_POLICY_S3FIFO) {
		for (i = 0; i < window && b->n < SWAPMEM_BATCH_MAX; i++) {
			f = sdev->frames[(sdev->hand + i) % sdev->nr_frames];
			if (swapmem_writeback_wanted(sdev, f) &&
			    !swapmem_writeback_take(sdev, b, f))
				break;
		}
		return b->n;
	}
	i = 0;
	for (q = &sdev->small; ; q = &sdev->main) {
		list_for_each_entry(f, q, link) {
			if (i++ >= window || b->n == SWAPMEM_BATCH_MAX)
				return b->n;
			if (swapmem_writeback_wanted(sdev, f) &&
			    !swapmem_writeback_take(sdev, b, f))
				return b->n;
		}
		if (q == &sdev->main)
			return b->n;
	}
}

/**
 * swapmem_writeback_work() - write dirty frames ahead of demand
 * @work: the device's wb_work
 *
 * Runs when a fault had to write its victim, or when fewer than half of
 * writeback_reserve percent of the frames are clean or free, and writes
 * the dirty frames among the next writeback_reserve percent that the
 * replacement policy will look at, in plugged batches, until none is
 * left there. They stay resident, clean, so the faults that evict them
 * need no write. A failed write keeps its page dirty, retires the slot
 * and ends the run.
 *
 * Context: process context (workqueue); takes the pager lock.
 */
void swapmem_writeback_work(struct work_struct *work)
{
	struct swapmem_device *sdev = container_of(work, struct swapmem_device,
						   wb_work);
	struct swapmem_batch_io *b = &sdev->wb_batch;
	struct swapmem_frame *f;
	bool failed = false;
	unsigned int i;

	mutex_lock(&sdev->lock);
	while (!failed && sdev->has_store && swapmem_writeback_pick(sdev, b)) {
		mutex_unlock(&sdev->lock);
		swapmem_slots_rw(sdev, b, true);
		mutex_lock(&sdev->lock);
		for (i = 0; i < b->n; i++) {
			f = b->frames[i];
			if (b->errs[i]) {
				swapmem_stat_inc(sdev, WRITE_ERRORS);
				swapmem_io_error(sdev, f, f->slot, true, b->errs[i]);
				swapmem_slot_retire(sdev, f->slot);
				f->slot = 0;
				failed = true;
			} else {
				swapmem_frame_clear_dirty(sdev, f);
				swapmem_stat_inc(sdev, WRITEBACK_PAGES);
			}
			clear_bit(SWAPMEM_FRAME_BUSY, &f->flags);
		}
		swapmem_stat_inc(sdev, WRITEBACK_BATCHES);
		swapmem_wake_waiters(sdev);
		mutex_unlock(&sdev->lock);
		cond_resched();
		mutex_lock(&sdev->lock);
	}
	mutex_unlock(&sdev->lock);
}

static int swapmem_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/**
 * swapmem_space_teardown() - return all frames and slots of a dead space
 * @space: a space with no mappings left
 *
 * Waits for frames of the space that another thread is writing out, then
 * frees every frame and every slot (discarding them when the device
 * supports it), exactly once.
 *
 * Context: process context, no pager lock held; sleeps.
 */
void swapmem_space_teardown(struct swapmem_space *space)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, n = 0, *slots;
	struct swapmem_frame *f;
	void *entry;

	mutex_lock(&sdev->lock);
	sdev->committed -= space->size >> PAGE_SHIFT;
restart:
	xa_for_each(&space->pt, index, entry) {
		if (xa_is_value(entry))
			continue;
		f = entry;
		if (swapmem_frame_is_busy(f)) {
			swapmem_wait_unbusy(sdev);
			goto restart;
		}
		if (swapmem_frame_is_pinned(f))
			sdev->nr_pinned--;
		if (f->slot)
			xa_store(&space->pt, index, swapmem_swapped(f->slot, false),
				 GFP_NOWAIT);
		else
			xa_erase(&space->pt, index);
		swapmem_frame_free(sdev, f);
	}
	/* Only slots are left. */
	xa_for_each(&space->pt, index, entry)
		n++;
	slots = n ? kvmalloc_array(n, sizeof(*slots), GFP_KERNEL) : NULL;
	if (!slots) {
		/* No room to batch discards: free them one by one. */
		xa_for_each(&space->pt, index, entry)
			swapmem_slot_free(sdev, swapmem_entry_slot(entry));
		n = 0;
	} else {
		n = 0;
		xa_for_each(&space->pt, index, entry)
			slots[n++] = swapmem_entry_slot(entry);
	}
	xa_destroy(&space->pt);
	mutex_unlock(&sdev->lock);

	if (n) {
		sort(slots, n, sizeof(*slots), swapmem_cmp_ulong, NULL);
		swapmem_slots_release(sdev, slots, n);
	}
	kvfree(slots);
}

/* Pin (or count) pages of a range: all-or-nothing against the pin limit. */
static long swapmem_range_pin(struct swapmem_space *space, pgoff_t first,
			      pgoff_t last)
	__releases(&space->sdev->lock) __acquires(&space->sdev->lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, need = last - first + 1, done = 0;
	enum swapmem_load how;
	struct swapmem_frame *f;
	void *entry;
	long err = 0;

	xa_for_each_range(&space->pt, index, entry, first, last)
		if (!xa_is_value(entry) && swapmem_frame_is_pinned(entry))
			need--;
	if (sdev->nr_pinned + need > sdev->pin_limit)
		return -ENOMEM;
	/* Reserve the quota first: the lock is dropped while loading. */
	sdev->nr_pinned += need;
	for (index = first; index <= last; index++) {
		f = swapmem_page_load(space, index, &how, NULL, NULL);
		if (IS_ERR(f)) {
			err = PTR_ERR(f) == -ENOSPC ? -ENOMEM : PTR_ERR(f);
			break;
		}
		if (!test_and_set_bit(SWAPMEM_FRAME_PINNED, &f->flags)) {
			set_bit(SWAPMEM_FRAME_REF, &f->flags);
			done++;
		}
	}
	/* Trade the reservation for what was really pinned. */
	sdev->nr_pinned = sdev->nr_pinned - need + done;
	return err ? err : done;
}

/* Drop a page: its frame and its slot go back, and it reads as zeros. */
static void swapmem_page_drop(struct swapmem_space *space, pgoff_t index,
			      void *entry)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f = entry;

	lockdep_assert_held(&sdev->lock);
	xa_erase(&space->pt, index);
	if (xa_is_value(entry)) {
		swapmem_slot_free(sdev, swapmem_entry_slot(entry));
		return;
	}
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	if (swapmem_frame_is_pinned(f))
		sdev->nr_pinned--;
	if (f->slot)
		swapmem_slot_free(sdev, f->slot);
	swapmem_frame_free(sdev, f);
	swapmem_frame_unlock(f);
}

/**
 * swapmem_space_advise() - act on a range of a space
 * @space: the caller's space
 * @advice: SWAPMEM_ADV_*
 * @first: first page index
 * @last: last page index
 *
 * PREFETCH reads the range's swapped pages in; PAGEOUT writes its dirty
 * pages and frees the frames of all its pages (pinned ones excepted); DROP
 * discards it (frames and slots go back, it reads as zeros); SYNC writes
 * its dirty pages and keeps them; PIN brings it in and keeps it resident,
 * within the device's pin limit, all or nothing; UNPIN lets it go again.
 *
 * Context: process context, no pager lock held; sleeps.
 * Return: the pages acted on, or -EINVAL (unknown advice), -ENOMEM (pin
 * limit, or no frame), -EIO (an I/O error), -ENOSPC (store full).
 */
long swapmem_space_advise(struct swapmem_space *space, unsigned int advice,
			  pgoff_t first, pgoff_t last)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, done = 0;
	enum swapmem_load how;
	struct swapmem_frame *f;
	long ret = 0;
	void *entry;
	int err;

	if (advice == SWAPMEM_ADV_SYNC) {
		ret = swapmem_space_sync(space, first, last, &done);
		return ret ? ret : done;
	}

	mutex_lock(&sdev->lock);
	switch (advice) {
	case SWAPMEM_ADV_PREFETCH:
		xa_for_each_range(&space->pt, index, entry, first, last) {
			if (!xa_is_value(entry))
				continue;
			f = swapmem_page_load(space, index, &how, NULL, NULL);
			if (IS_ERR(f)) {
				ret = PTR_ERR(f) == -ENOSPC ? -ENOMEM : PTR_ERR(f);
				break;
			}
			set_bit(SWAPMEM_FRAME_REF, &f->flags);
			if (how == SWAPMEM_LOAD_READ)
				done++;
		}
		break;
	case SWAPMEM_ADV_PAGEOUT:
		xa_for_each_range(&space->pt, index, entry, first, last) {
			if (xa_is_value(entry))
				continue;
			f = entry;
			if (xa_load(&space->pt, index) != f ||
			    swapmem_frame_is_busy(f) || swapmem_frame_is_pinned(f) ||
			    !swapmem_frame_is_evictable(sdev, f))
				continue;
			err = swapmem_evict(sdev, f, false, false);
			if (err) {
				ret = err;
				continue;
			}
			swapmem_frame_free(sdev, f);
			done++;
		}
		break;
	case SWAPMEM_ADV_DROP:
		xa_for_each_range(&space->pt, index, entry, first, last) {
			while (entry && !xa_is_value(entry) &&
			       swapmem_frame_is_busy(entry)) {
				swapmem_wait_unbusy(sdev);
				entry = xa_load(&space->pt, index);
			}
			if (!entry)
				continue;
			swapmem_page_drop(space, index, entry);
			done++;
		}
		break;
	case SWAPMEM_ADV_PIN:
		ret = swapmem_range_pin(space, first, last);
		if (ret > 0)
			done = ret;
		break;
	case SWAPMEM_ADV_UNPIN:
		xa_for_each_range(&space->pt, index, entry, first, last) {
			if (xa_is_value(entry))
				continue;
			if (test_and_clear_bit(SWAPMEM_FRAME_PINNED,
					       &((struct swapmem_frame *)entry)->flags)) {
				sdev->nr_pinned--;
				done++;
			}
		}
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&sdev->lock);
	return ret < 0 ? ret : done;
}

/**
 * swapmem_space_counters() - fill the counters of a space
 * @space: the space
 * @c: where to put them (zeroed by the caller)
 *
 * Context: process context, no pager lock held; walks the page table.
 */
void swapmem_space_counters(struct swapmem_space *space,
			    struct swapmem_space_counters *c)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index;
	void *entry;

	mutex_lock(&sdev->lock);
	c->minor_faults = atomic_long_read(&space->minor_faults);
	c->major_faults = space->major_faults;
	c->zero_fill_faults = space->zero_fill_faults;
	c->evictions = space->evictions;
	xa_for_each(&space->pt, index, entry) {
		if (xa_is_value(entry)) {
			c->swapped++;
			continue;
		}
		c->resident++;
		if (swapmem_frame_is_dirty(entry))
			c->dirty++;
		if (swapmem_frame_is_pinned(entry))
			c->pinned++;
	}
	mutex_unlock(&sdev->lock);
}

/**
 * swapmem_frames_dirty() - count a device's dirty frames
 * @sdev: the device
 *
 * Context: any; a snapshot, without the pager lock.
 * Return: frames holding a page newer than its slot copy.
 */
unsigned long swapmem_frames_dirty(struct swapmem_device *sdev)
{
	return atomic_long_read(&sdev->nr_dirty);
}

/**
 * swapmem_dev_counters() - fill a device's counters and gauges
 * @sdev: the device
 * @c: where to put them (zeroed by the caller)
 *
 * Context: any process context; a snapshot, without the pager lock.
 */
void swapmem_dev_counters(struct swapmem_device *sdev,
			  struct swapmem_dev_counters *c)
{
	atomic_long_t *v = sdev->stats.v;

	c->minor_faults = atomic_long_read(&v[SWAPMEM_STAT_MINOR_FAULTS]);
	c->major_faults = atomic_long_read(&v[SWAPMEM_STAT_MAJOR_FAULTS]);
	c->zero_fill_faults = atomic_long_read(&v[SWAPMEM_STAT_ZERO_FILL_FAULTS]);
	c->ref_faults = atomic_long_read(&v[SWAPMEM_STAT_REF_FAULTS]);
	c->evictions_clean = atomic_long_read(&v[SWAPMEM_STAT_EVICTIONS_CLEAN]);
	c->evictions_dirty = atomic_long_read(&v[SWAPMEM_STAT_EVICTIONS_DIRTY]);
	c->swap_reads = atomic_long_read(&v[SWAPMEM_STAT_SWAP_READS]);
	c->swap_writes = atomic_long_read(&v[SWAPMEM_STAT_SWAP_WRITES]);
	c->read_errors = atomic_long_read(&v[SWAPMEM_STAT_READ_ERRORS]);
	c->write_errors = atomic_long_read(&v[SWAPMEM_STAT_WRITE_ERRORS]);
	c->nomem_faults = atomic_long_read(&v[SWAPMEM_STAT_NOMEM_FAULTS]);
	c->hand_steps = atomic_long_read(&v[SWAPMEM_STAT_HAND_STEPS]);
	c->hand_sweeps = atomic_long_read(&v[SWAPMEM_STAT_HAND_SWEEPS]);
	c->second_chances = atomic_long_read(&v[SWAPMEM_STAT_SECOND_CHANCES]);
	c->discards = atomic_long_read(&v[SWAPMEM_STAT_DISCARDS]);
	c->retry_faults = atomic_long_read(&v[SWAPMEM_STAT_RETRY_FAULTS]);
	c->readahead_pages = atomic_long_read(&v[SWAPMEM_STAT_READAHEAD_PAGES]);
	c->readahead_hits = atomic_long_read(&v[SWAPMEM_STAT_READAHEAD_HITS]);
	c->readahead_wasted = atomic_long_read(&v[SWAPMEM_STAT_READAHEAD_WASTED]);
	c->writeback_pages = atomic_long_read(&v[SWAPMEM_STAT_WRITEBACK_PAGES]);
	c->writeback_batches = atomic_long_read(&v[SWAPMEM_STAT_WRITEBACK_BATCHES]);
	c->frames_free = READ_ONCE(sdev->nr_free);
	c->frames_used = sdev->nr_frames - c->frames_free;
	c->frames_dirty = swapmem_frames_dirty(sdev);
	c->frames_pinned = READ_ONCE(sdev->nr_pinned);
	c->slots_used = sdev->has_store ? READ_ONCE(sdev->store.used) : 0;
	c->slots_bad = sdev->has_store ? READ_ONCE(sdev->store.bad) : 0;
	c->nr_spaces = atomic_read(&sdev->nr_spaces);
}

/**
 * swapmem_stats_reset() - zero a device's counters and histograms (not its gauges)
 * @sdev: the device
 *
 * Context: any.
 */
void swapmem_stats_reset(struct swapmem_device *sdev)
{
	int i;

	for (i = 0; i < SWAPMEM_NR_STATS; i++)
		atomic_long_set(&sdev->stats.v[i], 0);
	for (i = 0; i < SWAPMEM_LAT_BUCKETS; i++) {
		atomic_long_set(&sdev->stats.lat_minor[i], 0);
		atomic_long_set(&sdev->stats.lat_major[i], 0);
	}
}

/**
 * swapmem_pool_resize() - grow or shrink a device's pool, live
 * @sdev: the device
 * @nr: frames wanted
 *
 * Growing adds free frames. Shrinking takes frames out of use the way a
 * fault would take them, free ones first and then CLOCK victims (written
 * out when dirty), so no page is lost; it fails with -EBUSY, changing
 * nothing, when not enough frames can be freed (dirty pages with nowhere
 * to go, pinned or busy pages). The pin limit shrinks with the pool.
 *
 * Context: process context, the device's config lock held; sleeps.
 * Return: 0, -ENOMEM or -EBUSY.
 */
int swapmem_pool_resize(struct swapmem_device *sdev, unsigned long nr)
{
	struct swapmem_frame **table, **old, **gone = NULL, *f;
	unsigned long i, j, n_old = sdev->nr_frames, ndrop;
	LIST_HEAD(fresh);
	int ret = 0;

	lockdep_assert_held(&sdev->config_lock);
	if (nr == n_old)
		return 0;
	table = kvcalloc(nr, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;

	if (nr > n_old) {
		if (swapmem_frames_alloc(&fresh, nr - n_old)) {
			kvfree(table);
			return -ENOMEM;
		}
		mutex_lock(&sdev->lock);
		memcpy(table, sdev->frames, n_old * sizeof(*table));
		i = n_old;
		list_for_each_entry(f, &fresh, link)
			table[i++] = f;
		list_splice(&fresh, &sdev->free_frames);
		sdev->nr_free += nr - n_old;
		old = sdev->frames;
		sdev->frames = table;
		sdev->nr_frames = nr;
		swapmem_wake_waiters(sdev);
		mutex_unlock(&sdev->lock);
		kvfree(old);
		return 0;
	}

	ndrop = n_old - nr;
	gone = kvcalloc(ndrop, sizeof(*gone), GFP_KERNEL);
	if (!gone) {
		kvfree(table);
		return -ENOMEM;
	}
	mutex_lock(&sdev->lock);
	for (i = 0; i < ndrop; i++) {
		/* Unowned and off the free list: nobody else can take it. */
		gone[i] = swapmem_frame_get(sdev, false);
		if (!gone[i])
			break;
		set_bit(SWAPMEM_FRAME_GONE, &gone[i]->flags);
	}
	if (i < ndrop) {
		while (i--)
			swapmem_frame_free(sdev, gone[i]);
		ret = -EBUSY;
		goto unlock;
	}
	for (i = 0, j = 0; i < n_old; i++)
		if (!test_bit(SWAPMEM_FRAME_GONE, &sdev->frames[i]->flags))
			table[j++] = sdev->frames[i];
	swap(sdev->frames, table);
	sdev->nr_frames = nr;
	sdev->hand = 0;
	sdev->pin_limit = min(sdev->pin_limit, nr / 2);
unlock:
	mutex_unlock(&sdev->lock);
	if (!ret) {
		/* lockless faults may still look at them: wait them out */
		synchronize_rcu();
		for (i = 0; i < ndrop; i++) {
			__swapmem_frame_lock(gone[i]);
			lock_map_release(&gone[i]->dep_map);
			swapmem_frame_release(gone[i]);
		}
	}
	kvfree(gone);
	kvfree(table);
	return ret;
}

/**
 * swapmem_capacity() - pages a device can hold: its pool and its good slots
 * @sdev: the device
 *
 * Context: pager lock held.
 * Return: the capacity in pages, what strict accounting admits.
 */
unsigned long swapmem_capacity(struct swapmem_device *sdev)
{
	lockdep_assert_held(&sdev->lock);
	if (!sdev->has_store)
		return sdev->nr_frames;
	return sdev->nr_frames + sdev->store.nr_slots - 1 - sdev->store.bad;
}
