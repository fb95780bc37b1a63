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
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/swapmem.h>

#include "swapmem_drv.h"

/*
 * Pool memory is asked for without the OOM killer: a pool the machine
 * cannot give fails with ENOMEM, and nothing else pays for the attempt.
 */
#define SWAPMEM_POOL_GFP	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * A fault that needs a dirty page written while the backing device fails
 * waits out its back-off, then tries again, for this long at most before
 * it gives up (SIGBUS).
 */
#define SWAPMEM_WRITE_WAIT	(10 * HZ)

static struct lock_class_key swapmem_frame_lock_key;

static struct swapmem_frame *swapmem_frame_alloc(void)
{
	struct swapmem_frame *f = kzalloc(sizeof(*f), SWAPMEM_POOL_GFP);

	if (!f)
		return NULL;
	f->page = alloc_page(SWAPMEM_POOL_GFP);
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

/*
 * Allocate @n free frames onto @list: 0, -ENOMEM, or -EINTR when the
 * caller was killed meanwhile (nothing is left allocated). Sleeps.
 */
static int swapmem_frames_alloc(struct list_head *list, unsigned long n)
{
	struct swapmem_frame *f, *tmp;
	int ret = -ENOMEM;

	while (n--) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free;
		}
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
	return ret;
}

/**
 * swapmem_pool_init() - allocate a device's frame pool
 * @sdev: device being created
 * @nr_frames: frames to allocate
 *
 * The frames count against the pools of all devices together (at most
 * half of RAM) and must leave the machine memory to spare.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOMEM (cause logged) or -EINTR.
 */
int swapmem_pool_init(struct swapmem_device *sdev, unsigned long nr_frames)
{
	struct swapmem_frame *f;
	unsigned long i = 0;
	int ret;

	INIT_LIST_HEAD(&sdev->free_frames);
	ret = swapmem_pool_charge(sdev->id, nr_frames);
	if (ret)
		return ret;
	sdev->frames = kvcalloc(nr_frames, sizeof(*sdev->frames), SWAPMEM_POOL_GFP);
	ret = sdev->frames ? swapmem_frames_alloc(&sdev->free_frames, nr_frames) : -ENOMEM;
	if (ret) {
		kvfree(sdev->frames);
		sdev->frames = NULL;
		swapmem_pool_uncharge(nr_frames);
		if (ret == -ENOMEM)
			pr_err("swapmem%d: cannot allocate a %lu KiB pool: out of memory\n",
			       sdev->id, nr_frames << (PAGE_SHIFT - 10));
		return ret;
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
	swapmem_pool_uncharge(sdev->nr_frames);
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
	if (rcu_access_pointer(sdev->store) &&
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

/* The same for a fault that may give up: 0, or -EINTR for a fatal signal. */
static int swapmem_frame_lock_killable(struct swapmem_device *sdev,
				       struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	lock_map_acquire(&f->dep_map);
	if (wait_on_bit_lock(&f->lock, 0, TASK_KILLABLE)) {
		lock_map_release(&f->dep_map);
		return -EINTR;
	}
	return 0;
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
 * DIRTY changes only here, so the dirty counts stay exact: set by faults
 * under the frame lock, cleared under the pager lock on frames no fault
 * can map (BUSY, or out of every page table).
 */
static void swapmem_frame_set_dirty(struct swapmem_device *sdev,
				    struct swapmem_frame *f)
{
	swapmem_frame_assert_locked(f);
	if (test_and_set_bit(SWAPMEM_FRAME_DIRTY, &f->flags))
		return;
	atomic_long_inc(&sdev->nr_dirty);
	atomic_long_inc(&f->space->nr_dirty);
	swapmem_writeback_kick(sdev);
}

static void swapmem_frame_clear_dirty(struct swapmem_device *sdev,
				      struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	if (!test_and_clear_bit(SWAPMEM_FRAME_DIRTY, &f->flags))
		return;
	atomic_long_dec(&sdev->nr_dirty);
	atomic_long_dec(&f->space->nr_dirty);
}

/* Count page table entry @entry of @space in (@d = 1) or out (-1). */
static void swapmem_pt_count(struct swapmem_space *space, void *entry, long d)
{
	if (!entry)
		return;
	if (xa_is_value(entry))
		WRITE_ONCE(space->nr_swapped, space->nr_swapped + d);
	else
		WRITE_ONCE(space->nr_resident, space->nr_resident + d);
}

/*
 * Point page @index of @space at @entry: a frame, swapmem_swapped() or
 * NULL (nothing), keeping the space's counts. Replacing an entry needs no
 * memory; a new one may need some, from @gfp. Returns 0 or -ENOMEM.
 * Context: pager lock held.
 */
static int swapmem_pt_set(struct swapmem_space *space, pgoff_t index,
			  void *entry, gfp_t gfp)
{
	void *old;

	lockdep_assert_held(&space->sdev->lock);
	if (entry)
		old = xa_store(&space->pt, index, entry, gfp);
	else
		old = xa_erase(&space->pt, index);
	if (xa_is_err(old))
		return xa_err(old);
	swapmem_pt_count(space, old, -1);
	swapmem_pt_count(space, entry, 1);
	return 0;
}

/* The frame page @index of @space is resident in, or NULL. Pager lock held. */
static struct swapmem_frame *swapmem_pt_frame(struct swapmem_space *space,
					      pgoff_t index)
{
	void *entry = xa_load(&space->pt, index);

	return entry && !xa_is_value(entry) ? entry : NULL;
}

/*
 * Let others have the pager lock every SWAPMEM_WALK_BATCH steps of a walk
 * (*@steps counts them). Returns -EINTR when the caller was killed.
 * Context: pager lock held; dropped and retaken: look again.
 */
static int swapmem_walk_pause(struct swapmem_device *sdev, unsigned long *steps)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	if (++*steps % SWAPMEM_WALK_BATCH)
		return 0;
	mutex_unlock(&sdev->lock);
	cond_resched();
	mutex_lock(&sdev->lock);
	return fatal_signal_pending(current) ? -EINTR : 0;
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

/* The first frame of S3-FIFO queue @q, passing over the writeback's cursor. */
static struct swapmem_frame *swapmem_queue_head(struct swapmem_device *sdev,
						struct list_head *q)
{
	struct list_head *e = q->next;

	if (e == &sdev->wb_cursor)
		e = e->next;
	return e == q ? NULL : list_entry(e, struct swapmem_frame, link);
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
 * Wait until some BUSY frame settles after sdev->unbusy_seq read @seen:
 * the caller saw a frame BUSY since it read @seen, so the wait ends (a
 * frame that settled meanwhile bumped the count already).
 * Returns 0, or -EINTR if @killable and a fatal signal came first. Sleeps;
 * the caller must look again at whatever it read.
 */
static int swapmem_wait_unbusy_since(struct swapmem_device *sdev,
				     unsigned long seen, bool killable)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	int ret = 0;

	mutex_unlock(&sdev->lock);
	if (killable)
		ret = wait_event_killable(sdev->wq, READ_ONCE(sdev->unbusy_seq) != seen);
	else
		wait_event(sdev->wq, READ_ONCE(sdev->unbusy_seq) != seen);
	swapmem_race_window(SWAPMEM_RACE_UNBUSY);
	mutex_lock(&sdev->lock);
	return ret ? -EINTR : 0;
}

/* The same, for a BUSY frame seen just now, the lock held since. */
static int swapmem_wait_unbusy(struct swapmem_device *sdev, bool killable)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	return swapmem_wait_unbusy_since(sdev, sdev->unbusy_seq, killable);
}

/*
 * Wait until a failing backing device's back-off ends. Returns 0, or
 * -EINTR if @killable and a fatal signal came first.
 * Context: pager lock held; dropped and retaken: look again.
 */
static int swapmem_wait_backoff(struct swapmem_device *sdev, bool killable)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	long left = (long)(swapmem_store(sdev)->retry_at - jiffies);

	if (left <= 0)
		return 0;
	mutex_unlock(&sdev->lock);
	if (killable)
		schedule_timeout_killable(left);
	else
		schedule_timeout_uninterruptible(left);
	mutex_lock(&sdev->lock);
	return killable && fatal_signal_pending(current) ? -EINTR : 0;
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
	swapmem_frame_assert_locked(f);
	/* callers look at the store under the pager lock first */
	if (WARN_ON_ONCE(!swapmem_store(sdev)))
		return -ENOSPC;
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
	swapmem_slot_written(sdev, slot, ret);
	if (ret) {
		swapmem_io_error(sdev, f, slot, true, ret);
		f->slot = 0;
	}
	return ret;
}

/*
 * Victim @f left its page: point the page table entry at its slot (or at
 * nothing: a clean page with no slot is all zeros) and make @f owned by
 * nobody. Under its frame lock, like every change of owner, so that a
 * lockless fault that holds the lock sees the frame as it was or as it
 * is now, never half of each.
 */
static void swapmem_evicted(struct swapmem_device *sdev, struct swapmem_frame *f,
			    bool ghost)
{
	struct swapmem_space *space = f->space;

	swapmem_frame_assert_locked(f);
	swapmem_pt_set(space, f->index,
		       f->slot ? swapmem_swapped(f->slot, ghost) : NULL, GFP_NOWAIT);
	space->evictions++;
	if (test_bit(SWAPMEM_FRAME_RA, &f->flags)) {
		swapmem_stat_inc(sdev, READAHEAD_WASTED);
		WRITE_ONCE(space->ra_win, READ_ONCE(space->ra_win) / 2);
	}
	swapmem_frame_clear_dirty(sdev, f);
	swapmem_queue_del(sdev, f);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
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
	/*
	 * No PTE maps it, and no fault can map or dirty it: it is locked. A
	 * page of a space being torn down is not worth a write.
	 */
	if (!swapmem_frame_is_dirty(f) || f->space->dying) {
		swapmem_evicted(sdev, f, ghost);
		swapmem_stat_inc(sdev, EVICTIONS_CLEAN);
		swapmem_frame_unlock(f);
		return 0;
	}

	/* a fault waits for this write: the writeback is behind */
	if (READ_ONCE(sdev->wb_reserve))
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
	/* a lockless fault may have locked it, BUSY, during the write */
	swapmem_frame_lock(sdev, f);
	swapmem_evicted(sdev, f, ghost);
	swapmem_stat_inc(sdev, EVICTIONS_DIRTY);
	swapmem_frame_unlock(f);
	swapmem_wake_waiters(sdev);
	return 0;
}

/*
 * Can @f leave the pool now? A dirty page needs somewhere to go, and a
 * backing device that is not backing off after a failed write.
 */
static bool swapmem_frame_is_evictable(struct swapmem_device *sdev,
				       struct swapmem_frame *f)
{
	if (!swapmem_frame_is_dirty(f) || f->space->dying)
		return true;
	if (swapmem_store_backing_off(sdev))
		return false;
	return f->slot || swapmem_slot_available(sdev);
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
 * write (the lock was dropped; the store now backs off, so the search
 * goes on with clean victims only).
 */
static int swapmem_try_evict(struct swapmem_device *sdev,
			     struct swapmem_frame *f, bool ghost,
			     bool clean_only, struct swapmem_frame **victim)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	int ret;

	if (!swapmem_frame_is_evictable(sdev, f) ||
	    (clean_only && swapmem_frame_is_dirty(f)))
		return 0;
	ret = swapmem_evict(sdev, f, ghost, clean_only);
	if (!ret) {
		*victim = f;
		return 1;
	}
	if (ret == -EBUSY || ret == -ENOSPC)
		return 0;	/* dirtied meanwhile, or no slot after all */
	return -EAGAIN;
}

/*
 * Every SWAPMEM_WALK_BATCH steps a victim search lets others have the
 * pager lock, unless it must keep it (@clean_only: readahead). Returns
 * true when it should end now: a frame came free meanwhile, which the
 * caller takes instead.
 * Context: pager lock held; dropped and retaken: look again.
 */
static bool swapmem_scan_pause(struct swapmem_device *sdev, unsigned long steps,
			       bool clean_only)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	if (!steps || steps % SWAPMEM_WALK_BATCH)
		return false;
	if (clean_only) {
		cond_resched();
		return false;
	}
	mutex_unlock(&sdev->lock);
	cond_resched();
	mutex_lock(&sdev->lock);
	return !list_empty(&sdev->free_frames);
}

/*
 * CLOCK (and FIFO) victim search: the hand sweeps the frame table, at most
 * two turns. The first turn spares referenced frames; on the second, a
 * frame referenced again since (a lockless minor fault set its bit behind
 * the hand) is taken all the same, so that a pool of evictable frames
 * always gives a victim. Returns 1 with *@victim evicted, 0 when no frame
 * can go now (*@busy: some were under I/O when the search met them; they
 * may have settled since, while it paused), -EAGAIN after a failed write
 * (the lock was dropped).
 */
static int swapmem_hand_scan(struct swapmem_device *sdev, bool *busy,
			     bool clean_only, struct swapmem_frame **victim)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	struct swapmem_frame *f;
	unsigned long scanned;
	int ret;

	for (scanned = 0; scanned < 2 * sdev->nr_frames; scanned++) {
		if (swapmem_scan_pause(sdev, scanned, clean_only))
			return 0;
		f = swapmem_hand_step(sdev);
		if (!f->space)
			continue;
		if (swapmem_frame_is_busy(f)) {
			*busy = true;
			continue;
		}
		if (swapmem_frame_is_pinned(f))
			continue;
		/*
		 * FIFO: the hand's order is the order pages came in. The
		 * second turn leaves REF alone: a frame it cannot take keeps it.
		 */
		if (sdev->policy == SWAPMEM_POLICY_CLOCK && scanned < sdev->nr_frames &&
		    test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
			swapmem_frame_spare(sdev, f);
			continue;
		}
		ret = swapmem_try_evict(sdev, f, false, clean_only, victim);
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
 * main queue. The main queue is a CLOCK, which takes a frame referenced
 * again after its first turn, as swapmem_hand_scan() does. A scan touches
 * each page once, so it passes through the small queue and never displaces
 * the main queue. A queue that went twice round without a victim (its
 * frames busy, or dirty with nowhere to go) hands over to the other one.
 * Same returns as swapmem_hand_scan().
 */
static int swapmem_s3fifo_scan(struct swapmem_device *sdev, bool *busy,
			       bool clean_only, struct swapmem_frame **victim)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	unsigned long target = max(1UL, sdev->nr_frames / 10);
	unsigned long steps, limit = 2 * (sdev->nr_small + sdev->nr_main) + 2;
	/* per queue (main, small): steps taken in it, and its largest length */
	unsigned long seen[2] = { 0, 0 };
	unsigned long len[2] = { sdev->nr_main, sdev->nr_small };
	struct swapmem_frame *f;
	struct list_head *q;
	bool small;
	int ret;

	for (steps = 0; steps < limit; steps++) {
		if (swapmem_scan_pause(sdev, steps, clean_only))
			return 0;
		len[0] = max(len[0], sdev->nr_main);
		len[1] = max(len[1], sdev->nr_small);
		small = sdev->nr_small > target || !sdev->nr_main;
		if (seen[small] > 2 * len[small] &&
		    (small ? sdev->nr_main : sdev->nr_small))
			small = !small;
		seen[small]++;
		q = small ? &sdev->small : &sdev->main;
		f = swapmem_queue_head(sdev, q);
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
		if (small && test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
			swapmem_queue_del(sdev, f);
			swapmem_queue_add(sdev, f, SWAPMEM_Q_MAIN);
			swapmem_stat_inc(sdev, SECOND_CHANCES);
			continue;
		}
		/* as the hand: the second turn leaves REF alone */
		if (!small && seen[0] <= len[0] &&
		    test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
			swapmem_frame_spare(sdev, f);
			continue;
		}
		ret = swapmem_try_evict(sdev, f, small, clean_only, victim);
		if (ret)
			return ret;
	}
	return 0;
}

/* How swapmem_frame_get() may wait. */
#define SWAPMEM_GET_NOWAIT	BIT(0)	/* free or clean only, the lock kept */
#define SWAPMEM_GET_KILLABLE	BIT(1)	/* waits end at a fatal signal */
#define SWAPMEM_GET_NOBACKOFF	BIT(2)	/* no wait for a back-off: -EAGAIN */

/*
 * Get a frame owned by nobody: a free one, or the victim of the device's
 * replacement policy. Frames under I/O are waited for. While a failing
 * backing device backs off, dirty victims wait for the back-off to end,
 * for SWAPMEM_WRITE_WAIT at most, or, with SWAPMEM_GET_NOBACKOFF, the
 * caller is told to wait itself (ERR_PTR(-EAGAIN)).
 * With SWAPMEM_GET_NOWAIT (readahead) only a free frame or a clean victim
 * will do, and the lock is never dropped.
 * Returns the frame, ERR_PTR(-ENOSPC) when every frame is resident and
 * none can be evicted (dirty with nowhere to write it, or pinned), or
 * ERR_PTR(-EINTR) when a fatal signal cut a killable wait short.
 * Context: pager lock held; dropped and retaken while waiting or writing.
 */
static struct swapmem_frame *swapmem_frame_get(struct swapmem_device *sdev,
					       unsigned int how)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	bool nowait = how & SWAPMEM_GET_NOWAIT, killable = how & SWAPMEM_GET_KILLABLE;
	unsigned long give_up = jiffies + SWAPMEM_WRITE_WAIT;
	struct swapmem_frame *f;
	unsigned long seen;
	bool busy;
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
		/* a BUSY frame the search meets may settle while it pauses */
		seen = sdev->unbusy_seq;
		if (sdev->policy == SWAPMEM_POLICY_S3FIFO)
			ret = swapmem_s3fifo_scan(sdev, &busy, nowait, &f);
		else
			ret = swapmem_hand_scan(sdev, &busy, nowait, &f);
		if (ret > 0)
			return f;
		if (ret == -EAGAIN || !list_empty(&sdev->free_frames))
			continue;
		if (nowait)
			return ERR_PTR(-ENOSPC);
		if (busy) {
			if (swapmem_wait_unbusy_since(sdev, seen, killable))
				return ERR_PTR(-EINTR);
			continue;
		}
		if (swapmem_store_backing_off(sdev) &&
		    atomic_long_read(&sdev->nr_dirty) &&
		    time_before(swapmem_store(sdev)->retry_at, give_up)) {
			if (how & SWAPMEM_GET_NOBACKOFF)
				return ERR_PTR(-EAGAIN);
			if (swapmem_wait_backoff(sdev, killable))
				return ERR_PTR(-EINTR);
			continue;
		}
		return ERR_PTR(-ENOSPC);
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
 * May this fault's waits be cut short by a fatal signal? Where the fault
 * can then let go of its lock and be retried (it never is: the task dies
 * on its way back), which every user-space fault allows.
 */
static bool swapmem_fault_killable(struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_KILLABLE) &&
	       (vmf->flags & FAULT_FLAG_ALLOW_RETRY) &&
	       !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT);
}

/* A fatal signal cut a killable fault's wait short: end the fault. */
static vm_fault_t swapmem_fault_killed(struct vm_fault *vmf)
{
	swapmem_release_fault_lock(vmf);
	return VM_FAULT_RETRY;
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
		g = swapmem_frame_get(sdev, SWAPMEM_GET_NOWAIT);
		if (IS_ERR(g))
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
		swapmem_pt_set(space, g->index, g, GFP_NOWAIT);
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
		swapmem_pt_set(space, g->index, b->entries[i], GFP_NOWAIT);
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
 * cannot grow, ERR_PTR(-EINTR) when @killable and a fatal signal cut a
 * wait short.
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
					       struct file **fpin, bool killable)
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
				if (swapmem_wait_unbusy(sdev, killable))
					return ERR_PTR(-EINTR);
				goto again;
			}
			seen = sdev->unbusy_seq;
			mutex_unlock(&sdev->lock);
			swapmem_fault_unlock(vmf, fpin);
			/* a fatal signal ends the wait; the retry never comes */
			wait_event_killable(sdev->wq, READ_ONCE(sdev->unbusy_seq) != seen);
			mutex_lock(&sdev->lock);
			*how = SWAPMEM_LOAD_RESIDENT;
			return ERR_PTR(-EAGAIN);
		}
		if (test_bit(SWAPMEM_FRAME_IOERR, &f->flags)) {
			/* its read failed, counted then: back to the slot */
			swapmem_frame_lock(sdev, f);
			swapmem_pt_set(space, index, swapmem_swapped(f->slot, false),
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

	f = swapmem_frame_get(sdev, (killable ? SWAPMEM_GET_KILLABLE : 0) |
			      (swapmem_fault_may_unlock(vmf) ? SWAPMEM_GET_NOBACKOFF : 0));
	if (PTR_ERR_OR_ZERO(f) == -EAGAIN) {
		/* a failing device backs off: wait for it without mmap_lock */
		long left = (long)(swapmem_store(sdev)->retry_at - jiffies);

		mutex_unlock(&sdev->lock);
		swapmem_fault_unlock(vmf, fpin);
		if (left > 0)
			schedule_timeout_killable(left);
		mutex_lock(&sdev->lock);
		*how = SWAPMEM_LOAD_RESIDENT;
		return f;
	}
	if (IS_ERR(f))
		return f;
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
		if (swapmem_pt_set(space, index, f, GFP_KERNEL)) {
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
	swapmem_pt_set(space, index, f, GFP_NOWAIT);
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
		swapmem_pt_set(space, index, entry, GFP_NOWAIT);
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

/* Count a fault served by swapmem_page_load() as what it was. */
static void swapmem_fault_count(struct swapmem_space *space,
				struct swapmem_frame *f, enum swapmem_load how)
{
	struct swapmem_device *sdev = space->sdev;

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
}

/* A minor fault (or a major one's retry) served without the pager lock. */
static vm_fault_t swapmem_fault_lockless(struct swapmem_space *space,
					 struct vm_fault *vmf,
					 struct swapmem_frame *f, u64 start)
{
	struct swapmem_device *sdev = space->sdev;
	enum swapmem_load how;
	vm_fault_t ret;

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

/* The fault's answer to a page swapmem_page_load() could not make resident. */
static vm_fault_t swapmem_fault_error(struct swapmem_device *sdev,
				      struct vm_fault *vmf, long err)
{
	switch (err) {
	case -EINTR:
		return swapmem_fault_killed(vmf);
	case -ENOMEM:
		return VM_FAULT_OOM;
	case -ENOSPC:
		swapmem_stat_inc(sdev, NOMEM_FAULTS);
		pr_err_ratelimited("swapmem%d: no frame can be freed (pool full of dirty or pinned pages, no swap slot, or the backing device failing): SIGBUS\n",
				   sdev->id);
		return VM_FAULT_SIGBUS;
	default:
		return VM_FAULT_SIGBUS;
	}
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
 * page (the VM_FAULT_RETRY protocol). Waits for locks and for other
 * threads' I/O end early for a fatal signal where the fault allows it.
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
	bool killable = swapmem_fault_killable(vmf);
	u64 start = ktime_get_ns();
	struct file *fpin = NULL;
	enum swapmem_load how;
	struct swapmem_frame *f;
	vm_fault_t ret;

	f = swapmem_frame_find_locked(space, vmf->pgoff);
	if (f)
		return swapmem_fault_lockless(space, vmf, f, start);

	if (!killable)
		mutex_lock(&sdev->lock);
	else if (mutex_lock_killable(&sdev->lock))
		return swapmem_fault_killed(vmf);
	f = swapmem_page_load(space, vmf->pgoff, &how, vmf, &fpin, killable);
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
		mutex_unlock(&sdev->lock);
		return swapmem_fault_error(sdev, vmf, PTR_ERR(f));
	}
	/* mapped under its frame lock, as every frame is */
	if (!killable) {
		swapmem_frame_lock(sdev, f);
	} else if (swapmem_frame_lock_killable(sdev, f)) {
		mutex_unlock(&sdev->lock);
		return swapmem_fault_killed(vmf);
	}
	ret = swapmem_frame_map(vmf, f);
	swapmem_fault_count(space, f, how);
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

/*
 * Write dirty frame @f of a sync to its slot and keep it, clean. Returns
 * 0, -ENOSPC (no slot: not even unmapped) or the write's error.
 * Context: pager lock held, a store attached; dropped and retaken.
 */
static int swapmem_frame_sync(struct swapmem_device *sdev, struct swapmem_frame *f)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	int err;

	if (!f->slot && !swapmem_slot_available(sdev))
		return -ENOSPC;
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
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
 * that finds no free slot is left as it is (mapped, dirty); the first
 * failed write ends the sync.
 *
 * Context: process context, no pager lock held; sleeps.
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

	if (mutex_lock_killable(&sdev->lock))
		return -EINTR;
	xa_for_each_range(&space->pt, index, entry, first, last) {
		/* the page table first: a frame it no longer points to may be gone */
		while ((f = swapmem_pt_frame(space, index)) && swapmem_frame_is_busy(f)) {
			if (swapmem_wait_unbusy(sdev, true)) {
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
			} else if (err) {
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
	if (!f->space || f->space->dying || !swapmem_frame_is_dirty(f) ||
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
 * (S3-FIFO). A run of the work goes through that window once, batch after
 * batch: sdev->wb_next (an index into the frame table) or sdev->wb_cursor
 * (a list node in a queue) says where the last batch stopped, and
 * sdev->wb_seen how far into the window that was. Returns how many.
 * Context: pager lock held, never dropped.
 */
static unsigned int swapmem_writeback_pick(struct swapmem_device *sdev,
					   struct swapmem_batch_io *b)
{
	unsigned long i, nr = sdev->nr_frames, window = min(swapmem_wb_high(sdev), nr);
	struct list_head *q, *e;
	struct swapmem_frame *f;

	lockdep_assert_held(&sdev->lock);
	b->n = 0;
	if (sdev->policy != SWAPMEM_POLICY_S3FIFO) {
		list_del_init(&sdev->wb_cursor);
		/*
		 * On from the last batch (at the window's end: done), unless
		 * the hand has passed it.
		 */
		i = sdev->wb_next < nr ? (sdev->wb_next + nr - sdev->hand) % nr : 0;
		if (i > window)
			i = 0;
		for (; i < window && b->n < SWAPMEM_BATCH_MAX; i++) {
			if (i && !(i % SWAPMEM_WALK_BATCH))
				cond_resched();
			f = sdev->frames[(sdev->hand + i) % nr];
			if (swapmem_writeback_wanted(sdev, f) &&
			    !swapmem_writeback_take(sdev, b, f))
				break;
		}
		sdev->wb_next = (sdev->hand + i) % nr;
		return b->n;
	}
	sdev->wb_next = ULONG_MAX;
	/* on from the cursor, or from the head of the small queue */
	if (list_empty(&sdev->wb_cursor)) {
		sdev->wb_seen = 0;
		sdev->wb_cursor_main = false;
		list_add(&sdev->wb_cursor, &sdev->small);
	}
	q = sdev->wb_cursor_main ? &sdev->main : &sdev->small;
	for (e = sdev->wb_cursor.next; e != &sdev->main; e = e->next) {
		if (e == &sdev->small) {
			/* the small queue is done: the main one, from its head */
			q = &sdev->main;
			e = &sdev->main;
			continue;
		}
		if (sdev->wb_seen >= window || b->n == SWAPMEM_BATCH_MAX)
			break;
		if (!(++sdev->wb_seen % SWAPMEM_WALK_BATCH))
			cond_resched();
		f = list_entry(e, struct swapmem_frame, link);
		if (swapmem_writeback_wanted(sdev, f) &&
		    !swapmem_writeback_take(sdev, b, f))
			break;
	}
	/* the next batch starts at @e, in queue @q */
	list_move_tail(&sdev->wb_cursor, e);
	sdev->wb_cursor_main = q == &sdev->main;
	return b->n;
}

/*
 * Settle a background batch that was written: its pages clean, or, where
 * the write failed, dirty with no slot. Successes first, so that the
 * store ends up backing off if any write failed. Returns false if one did.
 * Context: pager lock held.
 */
static bool swapmem_writeback_done(struct swapmem_device *sdev,
				   struct swapmem_batch_io *b)
{
	struct swapmem_frame *f;
	bool ok = true;
	unsigned int i;

	lockdep_assert_held(&sdev->lock);
	for (i = 0; i < b->n; i++) {
		f = b->frames[i];
		if (b->errs[i])
			continue;
		swapmem_slot_written(sdev, f->slot, 0);
		swapmem_frame_clear_dirty(sdev, f);
		swapmem_stat_inc(sdev, WRITEBACK_PAGES);
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
	swapmem_stat_inc(sdev, WRITEBACK_BATCHES);
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
 * Context: process context (workqueue); takes the pager lock.
 */
void swapmem_writeback_work(struct work_struct *work)
{
	struct swapmem_device *sdev = container_of(work, struct swapmem_device,
						   wb_work);
	struct swapmem_batch_io *b = &sdev->wb_batch;
	bool ok = true;

	mutex_lock(&sdev->lock);
	while (ok && swapmem_store(sdev) && !swapmem_store_backing_off(sdev) &&
	       swapmem_writeback_pick(sdev, b)) {
		mutex_unlock(&sdev->lock);
		swapmem_slots_rw(sdev, b, true);
		mutex_lock(&sdev->lock);
		ok = swapmem_writeback_done(sdev, b);
		mutex_unlock(&sdev->lock);
		cond_resched();
		mutex_lock(&sdev->lock);
	}
	/* the next run starts from the hand, or the queues' heads */
	list_del_init(&sdev->wb_cursor);
	sdev->wb_next = ULONG_MAX;
	mutex_unlock(&sdev->lock);
}

static int swapmem_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Slots a teardown discards and frees at a time, with the pager lock let
 * go: runs of adjacent slots make one discard each, so the more at once
 * the fewer. On the stack when there is no memory for more.
 */
#define SWAPMEM_TEARDOWN_SLOTS	4096
#define SWAPMEM_TEARDOWN_MIN	64

/*
 * Take pages of dead @space out of its page table, from *@index on, until
 * @max slots are collected in @slots: frames go back to the free list.
 * Returns how many slots, with *@index where to go on, or ULONG_MAX when
 * the page table is empty.
 * Context: pager lock held; let go every SWAPMEM_WALK_BATCH pages, and to
 * wait for a BUSY frame.
 */
static unsigned int swapmem_teardown_batch(struct swapmem_space *space,
					   unsigned long *index,
					   unsigned long *slots, unsigned int max)
	__releases(&space->sdev->lock) __acquires(&space->sdev->lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long steps = 0;
	struct swapmem_frame *f;
	unsigned int n = 0;
	void *entry;

	xa_for_each_start(&space->pt, *index, entry, *index) {
		if (xa_is_value(entry)) {
			slots[n++] = swapmem_entry_slot(entry);
			swapmem_pt_set(space, *index, NULL, 0);
		} else {
			f = entry;
			/* an eviction or a writeback has it: wait, look again */
			if (swapmem_frame_is_busy(f)) {
				swapmem_wait_unbusy(sdev, false);
				return n;
			}
			if (test_and_clear_bit(SWAPMEM_FRAME_PINNED, &f->flags)) {
				sdev->nr_pinned--;
				space->nr_pinned--;
			}
			if (f->slot)
				slots[n++] = f->slot;
			/* no mapping is left: no fault can reach it */
			swapmem_pt_set(space, *index, NULL, 0);
			swapmem_frame_free(sdev, f);
		}
		if (n == max)
			return n;
		/* a dying task tears down all the same */
		swapmem_walk_pause(sdev, &steps);
	}
	*index = ULONG_MAX;
	return n;
}

/**
 * swapmem_space_teardown() - return all frames and slots of a dead space
 * @space: a space with no mappings left
 *
 * Waits for frames of the space that another thread is writing out, then
 * frees every frame and every slot (discarding them when the device
 * supports it), exactly once. The pager lock is let go every
 * SWAPMEM_WALK_BATCH pages and while slots are discarded.
 *
 * Context: process context, no pager lock held; sleeps.
 */
void swapmem_space_teardown(struct swapmem_space *space)
{
	unsigned long stack[SWAPMEM_TEARDOWN_MIN], *slots, index = 0;
	unsigned int n, max = SWAPMEM_TEARDOWN_SLOTS;
	struct swapmem_device *sdev = space->sdev;

	slots = kvmalloc_array(max, sizeof(*slots), GFP_KERNEL | __GFP_NOWARN);
	if (!slots) {
		slots = stack;
		max = ARRAY_SIZE(stack);
	}
	mutex_lock(&sdev->lock);
	sdev->committed -= space->size >> PAGE_SHIFT;
	/* its pages are evicted without a write from now on */
	space->dying = true;
	while (index != ULONG_MAX) {
		n = swapmem_teardown_batch(space, &index, slots, max);
		mutex_unlock(&sdev->lock);
		if (n) {
			sort(slots, n, sizeof(*slots), swapmem_cmp_ulong, NULL);
			swapmem_slots_release(sdev, slots, n);
		}
		cond_resched();
		mutex_lock(&sdev->lock);
	}
	WARN_ON_ONCE(!xa_empty(&space->pt));
	xa_destroy(&space->pt);
	mutex_unlock(&sdev->lock);
	if (slots != stack)
		kvfree(slots);
}

/*
 * Mark @f pinned, counted; false if it already was. A pinned frame is
 * never a victim, so it waits in S3-FIFO's main queue, where it does not
 * count against the small queue's tenth of the pool.
 * Context: pager lock held.
 */
static bool swapmem_frame_pin(struct swapmem_space *space, struct swapmem_frame *f)
{
	if (test_and_set_bit(SWAPMEM_FRAME_PINNED, &f->flags))
		return false;
	set_bit(SWAPMEM_FRAME_REF, &f->flags);
	if (f->queue == SWAPMEM_Q_SMALL) {
		swapmem_queue_del(space->sdev, f);
		swapmem_queue_add(space->sdev, f, SWAPMEM_Q_MAIN);
	}
	space->nr_pinned++;
	return true;
}

static bool swapmem_frame_unpin(struct swapmem_space *space, struct swapmem_frame *f)
{
	if (!test_and_clear_bit(SWAPMEM_FRAME_PINNED, &f->flags))
		return false;
	space->nr_pinned--;
	space->sdev->nr_pinned--;
	return true;
}

/*
 * Pin the pages [@first, @last] of @space, all or nothing against the pin
 * limit: on failure the pins this call made are undone (@mine, a bitmap
 * of the range, says which). Returns the pages newly pinned, or -errno.
 */
static long swapmem_range_pin(struct swapmem_space *space, pgoff_t first,
			      pgoff_t last, unsigned long *mine)
	__releases(&space->sdev->lock) __acquires(&space->sdev->lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, need = last - first + 1, done = 0, steps = 0;
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
		f = swapmem_page_load(space, index, &how, NULL, NULL, true);
		if (IS_ERR(f)) {
			err = PTR_ERR(f) == -ENOSPC ? -ENOMEM : PTR_ERR(f);
			break;
		}
		/* within the reservation, whatever others pin or unpin */
		if (done < need && swapmem_frame_pin(space, f)) {
			__set_bit(index - first, mine);
			done++;
		}
		if (swapmem_walk_pause(sdev, &steps)) {
			err = -EINTR;
			break;
		}
	}
	/* Trade the reservation for what was really pinned. */
	sdev->nr_pinned = sdev->nr_pinned - need + done;
	if (!err)
		return done;
	/* all or nothing: undo this call's pins still in place */
	for_each_set_bit(index, mine, last - first + 1) {
		f = swapmem_pt_frame(space, first + index);
		if (f)
			swapmem_frame_unpin(space, f);
	}
	return err;
}

/* Drop a page: its frame and its slot go back, and it reads as zeros. */
static void swapmem_page_drop(struct swapmem_space *space, pgoff_t index,
			      void *entry)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f = entry;

	lockdep_assert_held(&sdev->lock);
	if (xa_is_value(entry)) {
		swapmem_pt_set(space, index, NULL, 0);
		swapmem_slot_free(sdev, swapmem_entry_slot(entry));
		return;
	}
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	swapmem_pt_set(space, index, NULL, 0);
	swapmem_frame_unpin(space, f);
	if (f->slot)
		swapmem_slot_free(sdev, f->slot);
	swapmem_frame_free(sdev, f);
	swapmem_frame_unlock(f);
}

/* One advice on the pages of [@first, @last] that have an entry. */
static long swapmem_advise_walk(struct swapmem_space *space, unsigned int advice,
				pgoff_t first, pgoff_t last)
	__releases(&space->sdev->lock) __acquires(&space->sdev->lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, steps = 0, done = 0;
	enum swapmem_load how;
	struct swapmem_frame *f;
	long ret = 0;
	void *entry;
	int err;

	xa_for_each_range(&space->pt, index, entry, first, last) {
		switch (advice) {
		case SWAPMEM_ADV_PREFETCH:
			if (!xa_is_value(entry))
				break;
			f = swapmem_page_load(space, index, &how, NULL, NULL, true);
			if (IS_ERR(f)) {
				ret = PTR_ERR(f) == -ENOSPC ? -ENOMEM : PTR_ERR(f);
				goto out;
			}
			set_bit(SWAPMEM_FRAME_REF, &f->flags);
			done += how == SWAPMEM_LOAD_READ;
			break;
		case SWAPMEM_ADV_PAGEOUT:
			f = swapmem_pt_frame(space, index);
			if (!f || swapmem_frame_is_busy(f) || swapmem_frame_is_pinned(f) ||
			    !swapmem_frame_is_evictable(sdev, f))
				break;
			err = swapmem_evict(sdev, f, false, false);
			if (err) {
				ret = err;	/* the others go on */
				break;
			}
			swapmem_frame_free(sdev, f);
			done++;
			break;
		case SWAPMEM_ADV_DROP:
			while ((f = swapmem_pt_frame(space, index)) &&
			       swapmem_frame_is_busy(f)) {
				if (swapmem_wait_unbusy(sdev, true)) {
					ret = -EINTR;
					goto out;
				}
			}
			entry = xa_load(&space->pt, index);
			if (!entry)
				break;
			swapmem_page_drop(space, index, entry);
			done++;
			break;
		case SWAPMEM_ADV_UNPIN:
			f = swapmem_pt_frame(space, index);
			if (f && swapmem_frame_unpin(space, f))
				done++;
			break;
		}
		if (swapmem_walk_pause(sdev, &steps)) {
			ret = -EINTR;
			break;
		}
	}
out:
	return ret < 0 ? ret : done;
}

/**
 * swapmem_space_advise() - act on a range of a space
 * @space: the caller's space
 * @advice: SWAPMEM_ADV_*
 * @first: first page index
 * @last: last page index
 *
 * The range is cut to the space (what its mappings have covered); pages
 * past it are not part of it. PREFETCH reads the range's swapped pages
 * in; PAGEOUT writes its dirty pages and frees the frames of all its pages
 * (pinned ones excepted); DROP discards it (frames and slots go back, it
 * reads as zeros); SYNC writes its dirty pages and keeps them; PIN brings
 * it in and keeps it resident, within the device's pin limit, all or
 * nothing; UNPIN lets it go again.
 *
 * Context: process context, no pager lock held; sleeps.
 * Return: the pages acted on, or -EINVAL (unknown advice), -ENOMEM (pin
 * limit, or no frame), -EIO (an I/O error), -ENOSPC (store full), -EINTR
 * (the caller was killed).
 */
long swapmem_space_advise(struct swapmem_space *space, unsigned int advice,
			  pgoff_t first, pgoff_t last)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long *mine = NULL, done = 0;
	long ret;

	if (advice < SWAPMEM_ADV_PREFETCH || advice > SWAPMEM_ADV_UNPIN)
		return -EINVAL;
	/* the space's size only grows (under the pager lock): cut to it */
	last = min_t(u64, last, (READ_ONCE(space->size) >> PAGE_SHIFT) - 1);
	if (!READ_ONCE(space->size) || first > last)
		return 0;
	if (advice == SWAPMEM_ADV_PIN) {
		/* more pages than the pool holds cannot all be pinned */
		if (last - first >= READ_ONCE(sdev->nr_frames))
			return -ENOMEM;
		mine = kvcalloc(BITS_TO_LONGS(last - first + 1), sizeof(*mine),
				GFP_KERNEL | __GFP_NOWARN);
		if (!mine)
			return -ENOMEM;
	}
	if (advice == SWAPMEM_ADV_SYNC) {
		ret = swapmem_space_sync(space, first, last, &done);
		return ret ? ret : done;
	}
	if (mutex_lock_killable(&sdev->lock)) {
		kvfree(mine);
		return -EINTR;
	}
	if (advice == SWAPMEM_ADV_PIN)
		ret = swapmem_range_pin(space, first, last, mine);
	else
		ret = swapmem_advise_walk(space, advice, first, last);
	mutex_unlock(&sdev->lock);
	kvfree(mine);
	return ret;
}

/**
 * swapmem_space_counters() - fill the counters of a space
 * @space: the space
 * @c: where to put them (zeroed by the caller)
 *
 * Context: any process context; a snapshot, without the pager lock.
 */
void swapmem_space_counters(struct swapmem_space *space,
			    struct swapmem_space_counters *c)
{
	c->minor_faults = atomic_long_read(&space->minor_faults);
	c->major_faults = READ_ONCE(space->major_faults);
	c->zero_fill_faults = READ_ONCE(space->zero_fill_faults);
	c->evictions = READ_ONCE(space->evictions);
	c->resident = READ_ONCE(space->nr_resident);
	c->swapped = READ_ONCE(space->nr_swapped);
	c->dirty = atomic_long_read(&space->nr_dirty);
	c->pinned = READ_ONCE(space->nr_pinned);
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
 * swapmem_frames_used() - count a device's frames owned by a space
 * @sdev: the device
 *
 * Context: any; a snapshot, without the pager lock (a pool that grows or
 * shrinks meanwhile may make it off by the change, never negative).
 * Return: frames of the pool that are not free.
 */
unsigned long swapmem_frames_used(struct swapmem_device *sdev)
{
	unsigned long free = READ_ONCE(sdev->nr_free), nr = READ_ONCE(sdev->nr_frames);

	return nr > free ? nr - free : 0;
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
	struct swapmem_store *st;

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
	c->slot_retries = atomic_long_read(&v[SWAPMEM_STAT_SLOT_RETRIES]);
	c->frames_free = READ_ONCE(sdev->nr_free);
	c->frames_used = swapmem_frames_used(sdev);
	c->frames_dirty = swapmem_frames_dirty(sdev);
	c->frames_pinned = READ_ONCE(sdev->nr_pinned);
	rcu_read_lock();
	st = rcu_dereference(sdev->store);
	if (st) {
		c->slots_used = READ_ONCE(st->used);
		c->slots_bad = READ_ONCE(st->bad);
	}
	rcu_read_unlock();
	c->nr_spaces = swapmem_spaces(sdev);
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

/* Grow the pool by @nr - nr_frames free frames. Config lock held. */
static int swapmem_pool_grow(struct swapmem_device *sdev, unsigned long nr)
{
	unsigned long i, n_old = sdev->nr_frames;
	struct swapmem_frame **table, **old, *f;
	LIST_HEAD(fresh);
	int ret;

	ret = swapmem_pool_charge(sdev->id, nr - n_old);
	if (ret)
		return ret;
	table = kvcalloc(nr, sizeof(*table), SWAPMEM_POOL_GFP);
	ret = table ? swapmem_frames_alloc(&fresh, nr - n_old) : -ENOMEM;
	if (ret) {
		kvfree(table);
		swapmem_pool_uncharge(nr - n_old);
		if (ret == -ENOMEM)
			pr_err_ratelimited("swapmem%d: pool_size: cannot allocate %lu KiB more: out of memory\n",
					   sdev->id, (nr - n_old) << (PAGE_SHIFT - 10));
		return ret;
	}
	mutex_lock(&sdev->lock);
	memcpy(table, sdev->frames, n_old * sizeof(*table));
	i = n_old;
	list_for_each_entry(f, &fresh, link)
		table[i++] = f;
	old = sdev->frames;
	sdev->frames = table;
	/* the pool before its free frames, for the gauges read unlocked */
	WRITE_ONCE(sdev->nr_frames, nr);
	list_splice(&fresh, &sdev->free_frames);
	WRITE_ONCE(sdev->nr_free, sdev->nr_free + nr - n_old);
	swapmem_wake_waiters(sdev);
	mutex_unlock(&sdev->lock);
	kvfree(old);
	return 0;
}

/*
 * Can the pool shrink by @ndrop frames and keep its promises? Strict
 * accounting must still cover what the spaces map, and pinned frames stay
 * within half the pool. Logs why not. Pager lock held.
 */
static bool swapmem_pool_may_shrink(struct swapmem_device *sdev,
				    unsigned long ndrop)
{
	unsigned long nr = sdev->nr_frames - ndrop;

	if (!swapmem_capacity_fits(sdev, -(long)ndrop, 0)) {
		pr_err_ratelimited("swapmem%d: pool_size: its spaces map %lu pages, more than it would hold (strict accounting): busy\n",
				   sdev->id, sdev->committed);
		return false;
	}
	if (sdev->nr_pinned > nr / 2) {
		pr_err_ratelimited("swapmem%d: pool_size: %lu frames are pinned, more than half of %lu: unpin first; busy\n",
				   sdev->id, sdev->nr_pinned, nr);
		return false;
	}
	return true;
}

/*
 * Take @ndrop frames out of use into @gone, the way a fault takes them,
 * and check again that the pool may shrink (the lock was let go: a space
 * may have grown meanwhile). Returns 0, or -EBUSY / -EINTR with every
 * frame taken given back.
 * Context: pager lock held; dropped and retaken.
 */
static int swapmem_pool_take(struct swapmem_device *sdev, unsigned long ndrop,
			     struct swapmem_frame **gone)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	unsigned long i, steps = 0;
	int ret = 0;

	for (i = 0; i < ndrop; i++) {
		/* Unowned and off the free list: nobody else can take it. */
		gone[i] = swapmem_frame_get(sdev, SWAPMEM_GET_KILLABLE);
		if (IS_ERR(gone[i])) {
			ret = PTR_ERR(gone[i]) == -EINTR ? -EINTR : -EBUSY;
			break;
		}
		set_bit(SWAPMEM_FRAME_GONE, &gone[i]->flags);
		if (swapmem_walk_pause(sdev, &steps)) {
			i++;
			ret = -EINTR;
			break;
		}
	}
	if (ret == -EBUSY)
		pr_err_ratelimited("swapmem%d: pool_size: cannot free %lu frames now (pages that cannot be written out, pinned or in use): busy\n",
				   sdev->id, ndrop);
	if (!ret && !swapmem_pool_may_shrink(sdev, ndrop))
		ret = -EBUSY;
	if (ret)
		while (i--)
			swapmem_frame_free(sdev, gone[i]);
	return ret;
}

/* Shrink the pool to @nr frames. Config lock held. */
static int swapmem_pool_shrink(struct swapmem_device *sdev, unsigned long nr)
{
	unsigned long i, j, n_old = sdev->nr_frames, ndrop = n_old - nr;
	struct swapmem_frame **table, **gone;
	int ret = -ENOMEM;

	table = kvcalloc(nr, sizeof(*table), SWAPMEM_POOL_GFP);
	gone = kvcalloc(ndrop, sizeof(*gone), SWAPMEM_POOL_GFP);
	if (!table || !gone)
		goto free;
	ret = -EINTR;
	if (mutex_lock_killable(&sdev->lock))
		goto free;
	ret = -EBUSY;
	if (!swapmem_pool_may_shrink(sdev, ndrop))
		goto unlock;
	ret = swapmem_pool_take(sdev, ndrop, gone);
	if (ret)
		goto unlock;
	for (i = 0, j = 0; i < n_old; i++)
		if (!test_bit(SWAPMEM_FRAME_GONE, &sdev->frames[i]->flags))
			table[j++] = sdev->frames[i];
	swap(sdev->frames, table);
	WRITE_ONCE(sdev->nr_frames, nr);
	sdev->hand = 0;
	sdev->pin_limit = min(sdev->pin_limit, nr / 2);
	mutex_unlock(&sdev->lock);
	/* lockless faults may still look at them: wait them out */
	synchronize_rcu();
	for (i = 0; i < ndrop; i++) {
		__swapmem_frame_lock(gone[i]);
		lock_map_release(&gone[i]->dep_map);
		swapmem_frame_release(gone[i]);
	}
	swapmem_pool_uncharge(ndrop);
	goto free;
unlock:
	mutex_unlock(&sdev->lock);
free:
	kvfree(gone);
	kvfree(table);
	return ret;
}

/**
 * swapmem_pool_resize() - grow or shrink a device's pool, live
 * @sdev: the device
 * @nr: frames wanted
 *
 * Growing adds free frames, if the pools of all devices together stay
 * within half of RAM and the machine can spare the memory. Shrinking
 * takes frames out of use the way a fault would take them, free ones
 * first and then victims (written out when dirty), so no page is lost; it
 * fails with -EBUSY, changing nothing, when not enough frames can be freed
 * (dirty pages with nowhere to go, pinned or busy pages) or when strict
 * accounting would no longer cover what the spaces map. The pin limit
 * shrinks with the pool.
 *
 * Context: process context, the device's config lock held; sleeps.
 * Return: 0, -ENOMEM (cause logged), -EBUSY or -EINTR.
 */
int swapmem_pool_resize(struct swapmem_device *sdev, unsigned long nr)
{
	lockdep_assert_held(&sdev->config_lock);
	if (nr == sdev->nr_frames)
		return 0;
	if (nr > sdev->nr_frames)
		return swapmem_pool_grow(sdev, nr);
	return swapmem_pool_shrink(sdev, nr);
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
	struct swapmem_store *st = swapmem_store(sdev);

	if (!st)
		return sdev->nr_frames;
	return sdev->nr_frames + st->nr_slots - 1 - st->bad;
}

/**
 * swapmem_capacity_fits() - would strict accounting still hold after a change?
 * @sdev: the device
 * @frames_delta: frames the pool would gain (or lose, negative)
 * @slots_delta: good slots the store would gain (or lose, negative)
 *
 * Context: pager lock held.
 * Return: true under overcommit, or if the pages the spaces map would
 * still fit in the device.
 */
bool swapmem_capacity_fits(struct swapmem_device *sdev, long frames_delta,
			   long slots_delta)
{
	long cap = swapmem_capacity(sdev) + frames_delta + slots_delta;

	lockdep_assert_held(&sdev->lock);
	return sdev->accounting != SWAPMEM_ACCT_STRICT || sdev->committed <= cap;
}
