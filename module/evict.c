// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem eviction: waiting for frames under I/O, unmapping a frame from
 * every process, writing a dirty frame to its slot, evicting a victim,
 * and reclaiming a frame through the replacement policy's victim search.
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "swapmem_drv.h"

/*
 * A fault that needs a dirty page written while the backing device fails
 * waits out its back-off, then tries again, for this long at most before
 * it gives up (SIGBUS).
 */
#define SWAPMEM_WRITE_WAIT	(10 * HZ)

/*
 * A search that passed victims by because their page was held (most
 * references the kernel takes last microseconds: a page_mkwrite, a
 * GUP-fast that lost a race, a zap whose TLB flush is pending) tries again
 * this many times, a tick apart, before the fault gets SIGBUS.
 */
#define SWAPMEM_HELD_RETRIES	8

/**
 * swapmem_unbusy_notify() - a BUSY frame settled: wake everyone waiting
 * @sdev: the device
 *
 * After the frame's BUSY bit is clear: a waiter that read the count before
 * it saw BUSY set (swapmem_unbusy_seq()) then sees the count move.
 *
 * Context: any, read-ahead completions included; takes no lock but the
 * wait queue's.
 */
void swapmem_unbusy_notify(struct swapmem_device *sdev)
{
	/* the cleared bit before the count: pairs with swapmem_unbusy_seq() */
	smp_mb__before_atomic();
	atomic_long_inc(&sdev->unbusy_seq);
	wake_up_all(&sdev->wq);
}

/**
 * swapmem_wake_waiters() - a BUSY frame settled: wake everyone waiting
 * @sdev: the device
 *
 * Context: pool lock held.
 */
void swapmem_wake_waiters(struct swapmem_device *sdev)
{
	lockdep_assert_held(&sdev->pool_lock);
	swapmem_unbusy_notify(sdev);
}

/**
 * swapmem_frame_unbusy() - end a frame's I/O and wake its waiters
 * @sdev: the device
 * @f: the BUSY frame
 *
 * Context: pool lock held.
 */
void swapmem_frame_unbusy(struct swapmem_device *sdev, struct swapmem_frame *f)
{
	/* release: what the I/O put in the page is seen before it is mapped */
	clear_bit_unlock(SWAPMEM_FRAME_BUSY, &f->flags);
	swapmem_wake_waiters(sdev);
}

/*
 * Wait until some BUSY frame settles after swapmem_unbusy_seq() gave
 * @seen: the caller saw a frame BUSY after it read @seen, so the wait ends
 * (a frame that settled meanwhile moved the count already).
 * Returns 0, or -EINTR if @killable and a fatal signal came first. Sleeps;
 * the caller must look again at whatever it read.
 */
static int swapmem_wait_unbusy_since(struct swapmem_device *sdev,
				     unsigned long seen, bool killable)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	int ret = 0;

	mutex_unlock(&sdev->pool_lock);
	if (killable)
		ret = wait_event_killable(sdev->wq,
					  atomic_long_read(&sdev->unbusy_seq) != seen);
	else
		wait_event(sdev->wq, atomic_long_read(&sdev->unbusy_seq) != seen);
	swapmem_race_window(SWAPMEM_RACE_UNBUSY);
	mutex_lock(&sdev->pool_lock);
	return ret ? -EINTR : 0;
}

/**
 * swapmem_wait_unbusy() - wait for a frame seen BUSY to settle
 * @sdev: the device
 * @f: the frame, seen BUSY under the pool lock, which is still held
 * @killable: a fatal signal ends the wait
 *
 * A read-ahead frame settles from its bio's completion, without the pool
 * lock, so the count is read before the bit is looked at again.
 *
 * Context: pool lock held (so @f stays in the pool); dropped and retaken:
 * look again at whatever was read.
 * Return: 0, or -EINTR.
 */
int swapmem_wait_unbusy(struct swapmem_device *sdev, struct swapmem_frame *f,
			bool killable)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned long seen = swapmem_unbusy_seq(sdev);

	if (!swapmem_frame_is_busy(f))
		return 0;
	return swapmem_wait_unbusy_since(sdev, seen, killable);
}

/*
 * Wait a tick for held pages to be let go. Returns 0, or -EINTR if
 * @killable and a fatal signal came first.
 * Context: pool lock held; dropped and retaken: look again.
 */
static int swapmem_wait_tick(struct swapmem_device *sdev, bool killable)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	mutex_unlock(&sdev->pool_lock);
	if (killable)
		schedule_timeout_killable(1);
	else
		schedule_timeout_uninterruptible(1);
	mutex_lock(&sdev->pool_lock);
	return killable && fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * Wait until a failing backing device's back-off ends. Returns 0, or
 * -EINTR if @killable and a fatal signal came first.
 * Context: pool lock held; dropped and retaken: look again.
 */
static int swapmem_wait_backoff(struct swapmem_device *sdev, bool killable)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	long left = (long)(swapmem_store(sdev)->retry_at - jiffies);

	if (left <= 0)
		return 0;
	mutex_unlock(&sdev->pool_lock);
	if (killable)
		schedule_timeout_killable(left);
	else
		schedule_timeout_uninterruptible(left);
	mutex_lock(&sdev->pool_lock);
	return killable && fatal_signal_pending(current) ? -EINTR : 0;
}

/**
 * swapmem_frame_unmap() - remove every user mapping of a resident frame
 * @sdev: the device
 * @f: the frame, its frame lock held
 *
 * Only a frame that may have any (MAPPED) is unmapped, but the page lock
 * is taken either way: a ->page_mkwrite holds it from marking the frame
 * dirty until the core has made its PTE writable, and whoever unmaps a
 * frame to clean it must come before or after that, never between (see
 * swapmem_page_mkwrite()).
 *
 * Context: pool lock and @f's frame lock held; sleeps.
 */
void swapmem_frame_unmap(struct swapmem_device *sdev, struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	/* MAPPED is set before any PTE and cleared only here, locked */
	swapmem_frame_assert_locked(f);
	swapmem_page_lock(f->page);
	if (test_and_clear_bit(SWAPMEM_FRAME_MAPPED, &f->flags)) {
		swapmem_race_window(SWAPMEM_RACE_UNMAP);
		unmap_mapping_pages(f->space->inode->i_mapping, f->index, 1, false);
	}
	swapmem_page_unlock(f->page);
}

/**
 * swapmem_frame_unmap_unheld() - unmap a frame that is to be written or reused
 * @sdev: the device
 * @f: the frame, its frame lock held
 *
 * Unmaps @f, then makes sure nobody outside the pool holds its page
 * (swapmem_frame_held()): pins win, and such a frame is neither written
 * (a DMA may still change it) nor reused (one may still read it).
 *
 * Context: pool lock and @f's frame lock held; sleeps.
 * Return: true with @f unmapped and still locked; false with @f unlocked
 * and counted in held_skips.
 */
bool swapmem_frame_unmap_unheld(struct swapmem_device *sdev,
				struct swapmem_frame *f)
{
	swapmem_frame_unmap(sdev, f);
	if (!swapmem_frame_held(f))
		return true;
	swapmem_frame_unlock(f);
	swapmem_stat_inc(sdev, held_skips);
	return false;
}

/**
 * swapmem_slot_hint() - where a page is best written
 * @space: its space
 * @index: its index
 *
 * Context: pool lock held.
 * Return: the slot of the page before it, or 0 for none.
 */
unsigned long swapmem_slot_hint(struct swapmem_space *space, pgoff_t index)
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

/**
 * swapmem_io_error() - say, rate-limited, that a page's I/O failed
 * @sdev: the device
 * @f: the page's frame
 * @slot: the slot
 * @write: a write (the page stays resident), or a read (SIGBUS)
 * @err: the error
 */
void swapmem_io_error(struct swapmem_device *sdev, struct swapmem_frame *f,
		      unsigned long slot, bool write, int err)
{
	pr_err_ratelimited("swapmem%d: %s error %d on slot %lu (page %lu of a space): %s\n",
			   sdev->id, write ? "write" : "read", err, slot,
			   (unsigned long)f->index,
			   write ? "page kept resident" : "access gets SIGBUS");
}

/**
 * swapmem_frame_write() - write an unmapped dirty frame to its slot
 * @sdev: the device, with a store
 * @f: the frame, its frame lock held
 *
 * Allocates a slot next to its neighbour's if @f has none. After an error
 * the slot is retired and @f keeps no slot.
 *
 * Context: pool lock and @f's frame lock held; the pool lock is dropped
 * and retaken around the write.
 * Return: -ENOSPC (no slot; nothing done, @f still locked), or 0 or the
 * write's error with @f BUSY and its frame lock released, for the caller
 * to settle.
 */
int swapmem_frame_write(struct swapmem_device *sdev, struct swapmem_frame *f)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned long slot = f->slot;
	int ret;

	lockdep_assert_held(&sdev->pool_lock);
	swapmem_frame_assert_locked(f);
	/* callers look at the store under the pool lock first */
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
	mutex_unlock(&sdev->pool_lock);
	ret = swapmem_slot_rw(sdev, f->page, slot, true);
	mutex_lock(&sdev->pool_lock);
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
			    unsigned int how)
{
	struct swapmem_space *space = f->space;

	swapmem_frame_assert_locked(f);
	swapmem_pt_set(space, f->index, f->slot ?
		       swapmem_swapped(f->slot, how & SWAPMEM_EVICT_GHOST) : NULL);
	space->evictions++;
	if (test_bit(SWAPMEM_FRAME_RA, &f->flags)) {
		swapmem_stat_inc(sdev, readahead_wasted);
		WRITE_ONCE(space->ra_win, READ_ONCE(space->ra_win) / 2);
	}
	swapmem_frame_clear_dirty(sdev, f);
	swapmem_policy_removed(sdev, f);
	swapmem_page_disown(f->page);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
}

/**
 * swapmem_evict() - evict a victim
 * @sdev: the device
 * @f: the victim
 * @how: SWAPMEM_EVICT_GHOST: the page leaves as a ghost (S3-FIFO);
 *	SWAPMEM_EVICT_CLEAN_ONLY: a victim that turns out dirty (a lockless
 *	fault wrote to it after the caller looked) is left alone
 *
 * Unmaps @f everywhere, writes it to a slot if it is dirty, and points its
 * page table entry at the slot (or at nothing, for a clean page that never
 * had one: it is all zeros).
 *
 * Context: pool lock held; dropped and retaken around the write (never
 * with SWAPMEM_EVICT_CLEAN_ONLY).
 * Return: 0 with @f owned by nobody and off the free list; -EBUSY (held
 * by someone outside the pool, see swapmem_frame_held(); or dirty,
 * CLEAN_ONLY), -ENOSPC (no slot) or the write's error with @f resident.
 */
int swapmem_evict(struct swapmem_device *sdev, struct swapmem_frame *f,
		  unsigned int how)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	int ret;

	lockdep_assert_held(&sdev->pool_lock);
	/* until the page table no longer points here, or @f is BUSY */
	swapmem_frame_lock(sdev, f);
	if (!swapmem_frame_unmap_unheld(sdev, f))
		return -EBUSY;
	/* dirtied by a lockless fault since the caller looked: not now */
	if ((how & SWAPMEM_EVICT_CLEAN_ONLY) && swapmem_frame_is_dirty(f)) {
		swapmem_frame_unlock(f);
		return -EBUSY;
	}
	/*
	 * No PTE maps it, and no fault can map or dirty it: it is locked. A
	 * page of a space being torn down is not worth a write.
	 */
	if (!swapmem_frame_is_dirty(f) || f->space->dying) {
		swapmem_evicted(sdev, f, how);
		swapmem_stat_inc(sdev, evictions_clean);
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
	swapmem_evicted(sdev, f, how);
	swapmem_stat_inc(sdev, evictions_dirty);
	swapmem_frame_unlock(f);
	swapmem_wake_waiters(sdev);
	return 0;
}

/**
 * swapmem_frame_is_evictable() - can a frame leave the pool now?
 * @sdev: the device
 * @f: an owned frame
 *
 * Context: pool lock held.
 * Return: true if it is clean, or dirty with somewhere to go and a backing
 * device that is not backing off after a failed write.
 */
bool swapmem_frame_is_evictable(struct swapmem_device *sdev,
				struct swapmem_frame *f)
{
	if (!swapmem_frame_is_dirty(f) || f->space->dying)
		return true;
	if (swapmem_store_backing_off(sdev))
		return false;
	return f->slot || swapmem_slot_available(sdev);
}

/**
 * swapmem_frame_spare() - a policy spares a referenced frame
 * @sdev: the device
 * @f: the frame
 *
 * Unmaps it, so that its next use shows (REF) and counts (ref_faults).
 *
 * Context: pool lock held; sleeps.
 */
void swapmem_frame_spare(struct swapmem_device *sdev, struct swapmem_frame *f)
{
	set_bit(SWAPMEM_FRAME_AGED, &f->flags);
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	swapmem_frame_unlock(f);
	swapmem_stat_inc(sdev, second_chances);
}

/**
 * swapmem_search_try() - a victim search tries a frame it picked
 * @sdev: the device
 * @s: the search
 * @f: an owned frame, not BUSY, not pinned, with no reference left
 * @how: SWAPMEM_EVICT_GHOST if the page is to leave as a ghost
 *
 * Context: pool lock held; dropped and retaken around a write.
 * Return: 1 with @s->victim evicted; 0 to pass it by (it cannot go now);
 * -EAGAIN after a failed write (the lock was dropped; the store now backs
 * off, so the next search takes clean victims only).
 */
int swapmem_search_try(struct swapmem_device *sdev, struct swapmem_search *s,
		       struct swapmem_frame *f, unsigned int how)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	bool clean_only = s->how & SWAPMEM_RECLAIM_CLEAN_ONLY;
	int ret;

	/* nor does readahead evict a page read ahead and not used yet */
	if (!swapmem_frame_is_evictable(sdev, f) ||
	    (clean_only && (swapmem_frame_is_dirty(f) ||
			    test_bit(SWAPMEM_FRAME_RA, &f->flags))))
		return 0;
	ret = swapmem_evict(sdev, f, how | (clean_only ? SWAPMEM_EVICT_CLEAN_ONLY : 0));
	if (!ret) {
		s->victim = f;
		return 1;
	}
	if (ret == -EBUSY)
		s->held = true;	/* held, or dirtied meanwhile */
	if (ret == -EBUSY || ret == -ENOSPC)
		return 0;	/* or no slot after all */
	return -EAGAIN;
}

/**
 * swapmem_search_pause() - a victim search lets others have the pool lock
 * @sdev: the device
 * @s: the search
 * @steps: the search's steps so far
 *
 * Every SWAPMEM_WALK_BATCH steps, unless the search must keep the lock
 * (SWAPMEM_RECLAIM_CLEAN_ONLY: readahead).
 *
 * Context: pool lock held; dropped and retaken: look again.
 * Return: true when the search should end now: a frame came free
 * meanwhile, which the caller takes instead, or the policy changed.
 */
bool swapmem_search_pause(struct swapmem_device *sdev, struct swapmem_search *s,
			  unsigned long steps)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned long seq = sdev->policy_seq;

	if (!steps || steps % SWAPMEM_WALK_BATCH)
		return false;
	if (s->how & SWAPMEM_RECLAIM_CLEAN_ONLY) {
		cond_resched();
		return false;
	}
	mutex_unlock(&sdev->pool_lock);
	cond_resched();
	mutex_lock(&sdev->pool_lock);
	return !list_empty(&sdev->free_frames) || sdev->policy_seq != seq;
}

/**
 * swapmem_frame_reclaim() - get a frame owned by nobody
 * @sdev: the device
 * @how: SWAPMEM_RECLAIM_* flags
 *
 * A free frame, or the victim of the device's replacement policy. Frames
 * under I/O are waited for. While a failing backing device backs off,
 * dirty victims wait for the back-off to end, for SWAPMEM_WRITE_WAIT at
 * most, or, with SWAPMEM_RECLAIM_NOBACKOFF, the caller is told to wait
 * itself (ERR_PTR(-EAGAIN)). With SWAPMEM_RECLAIM_CLEAN_ONLY (readahead)
 * only a free frame or a clean victim will do, and the lock is never
 * dropped.
 *
 * Context: pool lock held; dropped and retaken while waiting or writing.
 * Return: the frame; ERR_PTR(-ENOSPC) when every frame is resident and
 * none can be evicted (dirty with nowhere to write it, pinned, or held
 * outside the pool through SWAPMEM_HELD_RETRIES more searches);
 * ERR_PTR(-EINTR) when a fatal signal cut a killable wait short.
 */
struct swapmem_frame *swapmem_frame_reclaim(struct swapmem_device *sdev,
					    unsigned int how)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	bool killable = how & SWAPMEM_RECLAIM_KILLABLE;
	unsigned long give_up = jiffies + SWAPMEM_WRITE_WAIT;
	unsigned int held_retries = 0;
	struct swapmem_search s;
	struct swapmem_frame *f;
	unsigned long seen, seq;
	int ret;

	lockdep_assert_held(&sdev->pool_lock);
	for (;;) {
		f = swapmem_free_list_take(sdev);
		if (f)
			return f;

		s = (struct swapmem_search){ .how = how };
		/* a BUSY frame the search meets may settle while it pauses */
		seen = swapmem_unbusy_seq(sdev);
		seq = sdev->policy_seq;
		ret = sdev->policy->find_victim(sdev, &s);
		if (ret > 0)
			return s.victim;
		if (ret == -EAGAIN || !list_empty(&sdev->free_frames) ||
		    sdev->policy_seq != seq)
			continue;
		if (how & SWAPMEM_RECLAIM_CLEAN_ONLY)
			return ERR_PTR(-ENOSPC);
		if (s.busy) {
			if (swapmem_wait_unbusy_since(sdev, seen, killable))
				return ERR_PTR(-EINTR);
			continue;
		}
		if (s.held && held_retries++ < SWAPMEM_HELD_RETRIES) {
			if (swapmem_wait_tick(sdev, killable))
				return ERR_PTR(-EINTR);
			continue;
		}
		if (swapmem_store_backing_off(sdev) &&
		    atomic_long_read(&sdev->nr_dirty) &&
		    time_before(swapmem_store(sdev)->retry_at, give_up)) {
			if (how & SWAPMEM_RECLAIM_NOBACKOFF)
				return ERR_PTR(-EAGAIN);
			if (swapmem_wait_backoff(sdev, killable))
				return ERR_PTR(-EINTR);
			continue;
		}
		return ERR_PTR(-ENOSPC);
	}
}
