// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem spaces: a space's page table, making a page resident (already
 * resident, zero-filled, or swapped in), and the teardown of a dead space.
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
 */
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "swapmem_drv.h"

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
 * NULL (nothing), keeping the space's counts. A new entry may need memory,
 * from @gfp. Returns 0 or -ENOMEM. Context: pool lock held.
 */
static int __swapmem_pt_set(struct swapmem_space *space, pgoff_t index,
			    void *entry, gfp_t gfp)
{
	void *old;

	lockdep_assert_held(&space->sdev->pool_lock);
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

/**
 * swapmem_pt_set() - replace or erase a page's page table entry
 * @space: the space
 * @index: the page, which has an entry
 * @entry: a frame, swapmem_swapped() or NULL (nothing)
 *
 * Replacing or erasing an entry needs no memory, so this cannot fail.
 *
 * Context: pool lock held.
 */
void swapmem_pt_set(struct swapmem_space *space, pgoff_t index, void *entry)
{
	WARN_ON_ONCE(__swapmem_pt_set(space, index, entry, GFP_NOWAIT));
}

/**
 * swapmem_pt_frame() - the frame a page is resident in
 * @space: the space
 * @index: the page
 *
 * Context: pool lock held.
 * Return: the frame, or NULL.
 */
struct swapmem_frame *swapmem_pt_frame(struct swapmem_space *space, pgoff_t index)
{
	void *entry = xa_load(&space->pt, index);

	return entry && !xa_is_value(entry) ? entry : NULL;
}

/**
 * swapmem_walk_pause() - let others have the pool lock during a walk
 * @sdev: the device
 * @steps: the walk's steps, counted here
 *
 * Every SWAPMEM_WALK_BATCH steps.
 *
 * Context: pool lock held; dropped and retaken: look again.
 * Return: 0, or -EINTR when the caller was killed.
 */
int swapmem_walk_pause(struct swapmem_device *sdev, unsigned long *steps)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	if (++*steps % SWAPMEM_WALK_BATCH)
		return 0;
	mutex_unlock(&sdev->pool_lock);
	cond_resched();
	mutex_lock(&sdev->pool_lock);
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * Let go of mmap_lock or the vma's lock (the fault will return
 * VM_FAULT_RETRY); the space's file is pinned in *ld->fpin until then.
 * After this the vma must not be touched: it may be gone.
 */
static void swapmem_fault_unlock(struct swapmem_load *ld)
{
	*ld->fpin = get_file(ld->vmf->vma->vm_file);
	swapmem_release_fault_lock(ld->vmf);
}

/*
 * Free @f, a frame never mapped (never seen un-BUSY, or IOERR), and put
 * @entry back for its page.
 */
static void swapmem_page_unload(struct swapmem_space *space, pgoff_t index,
				struct swapmem_frame *f, void *entry)
{
	swapmem_frame_lock(space->sdev, f);
	swapmem_pt_set(space, index, entry);
	swapmem_free_list_add(space->sdev, f);
	swapmem_frame_unlock(f);
}

/*
 * Page @index of @space is resident in @f. If @f is BUSY, wait for it: a
 * fault that may retry waits without mmap_lock and returns -EAGAIN; else
 * NULL after the wait means "look again". A failed read's frame (IOERR)
 * goes and the page is back in its slot: -EIO, or NULL (look again: read
 * it) if it was read ahead. A fault that finds a window's marker says so
 * in @ld->ra_mark.
 */
static struct swapmem_frame *swapmem_load_resident(struct swapmem_space *space,
						   pgoff_t index,
						   struct swapmem_frame *f,
						   struct swapmem_load *ld)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	/* before BUSY: a read-ahead frame settles without the pool lock */
	unsigned long seen = swapmem_unbusy_seq(sdev);

	if (swapmem_frame_is_busy(f)) {
		ld->kind = SWAPMEM_LOAD_RESIDENT;
		if (!swapmem_fault_may_unlock(ld->vmf)) {
			if (swapmem_wait_unbusy(sdev, f, ld->killable))
				return ERR_PTR(-EINTR);
			return NULL;
		}
		mutex_unlock(&sdev->pool_lock);
		swapmem_fault_unlock(ld);
		/* a fatal signal ends the wait; the retry never comes */
		wait_event_killable(sdev->wq,
				    atomic_long_read(&sdev->unbusy_seq) != seen);
		mutex_lock(&sdev->pool_lock);
		return ERR_PTR(-EAGAIN);
	}
	if (test_bit(SWAPMEM_FRAME_IOERR, &f->flags)) {
		bool ra = test_bit(SWAPMEM_FRAME_RA, &f->flags);

		/* back to the slot; the fault's own read failure was counted */
		swapmem_page_unload(space, index, f, swapmem_swapped(f->slot, false));
		return ra ? NULL : ERR_PTR(-EIO);
	}
	if (ld->vmf && test_and_clear_bit(SWAPMEM_FRAME_RA_MARK, &f->flags)) {
		ld->ra_mark = true;
		/*
		 * A write maps on its next pass, which counts the hit: until
		 * then RA keeps the next window's search off the frame.
		 */
		if (ld->vmf->flags & FAULT_FLAG_WRITE) {
			ld->kind = SWAPMEM_LOAD_RESIDENT;
			return f;
		}
	}
	if (test_and_clear_bit(SWAPMEM_FRAME_RA, &f->flags))
		swapmem_readahead_hit(space);
	ld->kind = test_and_clear_bit(SWAPMEM_FRAME_FRESH, &f->flags) ?
		   SWAPMEM_LOAD_FRESH : SWAPMEM_LOAD_RESIDENT;
	return f;
}

/* First touch of page @index: frame @f, zeroed. */
static struct swapmem_frame *swapmem_load_zero(struct swapmem_space *space,
					       pgoff_t index,
					       struct swapmem_frame *f,
					       struct swapmem_load *ld)
{
	f->slot = 0;
	clear_highpage(f->page);
	swapmem_policy_inserted(space->sdev, f, false);
	if (__swapmem_pt_set(space, index, f, GFP_KERNEL)) {
		swapmem_free_list_add(space->sdev, f);
		return ERR_PTR(-ENOMEM);
	}
	ld->kind = SWAPMEM_LOAD_ZERO;
	return f;
}

/*
 * Read swapped page @index (page table entry @entry) into frame @f, with
 * readahead for a fault. A fault that may retry reads without mmap_lock
 * and returns -EAGAIN: the page is then resident (FRESH) or IOERR.
 */
static struct swapmem_frame *swapmem_load_swapped(struct swapmem_space *space,
						  pgoff_t index,
						  struct swapmem_frame *f,
						  void *entry,
						  struct swapmem_load *ld)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long slot = swapmem_entry_slot(entry);
	struct swapmem_batch_io *ra = NULL;
	bool unlocked;
	int ret;

	swapmem_policy_inserted(sdev, f, swapmem_entry_is_ghost(entry));
	f->slot = slot;
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	swapmem_pt_set(space, index, f);
	if (ld->vmf)
		ra = swapmem_readahead_prepare(space, index, f);
	mutex_unlock(&sdev->pool_lock);
	unlocked = swapmem_fault_may_unlock(ld->vmf);
	if (unlocked)
		swapmem_fault_unlock(ld);
	/* the pages read ahead settle by themselves: @ra is gone */
	ret = swapmem_page_read(sdev, f, slot, ra);
	mutex_lock(&sdev->pool_lock);
	if (ret) {
		swapmem_stat_inc(sdev, read_errors);
		swapmem_io_error(sdev, f, slot, false, ret);
		ld->kind = SWAPMEM_LOAD_RESIDENT;
		if (unlocked) {
			set_bit(SWAPMEM_FRAME_IOERR, &f->flags);
			swapmem_frame_unbusy(sdev, f);
			return ERR_PTR(-EAGAIN);
		}
		swapmem_page_unload(space, index, f, entry);
		swapmem_wake_waiters(sdev);
		return ERR_PTR(-EIO);
	}
	ld->kind = SWAPMEM_LOAD_READ;
	if (unlocked) {
		/* referenced: the policy spares it once before the retry maps it */
		set_bit(SWAPMEM_FRAME_REF, &f->flags);
		set_bit(SWAPMEM_FRAME_FRESH, &f->flags);
		swapmem_frame_unbusy(sdev, f);
		return ERR_PTR(-EAGAIN);
	}
	swapmem_frame_unbusy(sdev, f);
	return f;
}

/*
 * A failing device backs off: a fault that may retry waits for it without
 * mmap_lock (-EAGAIN).
 */
static void swapmem_load_backoff(struct swapmem_space *space,
				 struct swapmem_load *ld)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	long left = (long)(swapmem_store(sdev)->retry_at - jiffies);

	mutex_unlock(&sdev->pool_lock);
	swapmem_fault_unlock(ld);
	if (left > 0)
		schedule_timeout_killable(left);
	mutex_lock(&sdev->pool_lock);
	ld->kind = SWAPMEM_LOAD_RESIDENT;
}

/**
 * swapmem_page_load() - make a page of a space resident
 * @space: the space
 * @index: the page
 * @ld: who asks and how (@ld->kind says, on return, how it went)
 *
 * The page is already resident, or gets a frame (free, or the policy's
 * victim) zero-filled or read from its slot. Threads loading the same
 * page wait for the one read. A fault (@ld->vmf) that may retry waits for
 * a read, its own or another thread's, without mmap_lock: it returns
 * ERR_PTR(-EAGAIN) with that lock let go and the file pinned in
 * *@ld->fpin, and @ld->kind says whether it read. The page is then
 * resident (FRESH, so its retry counts no second fault) or, if the read
 * failed, IOERR, so that its retry gets SIGBUS without reading again.
 *
 * Context: pool lock held; dropped and retaken for I/O and waiting.
 * Return: the frame, not BUSY; ERR_PTR(-ENOSPC) when no frame can be
 * freed, -EIO when the read failed, -ENOMEM when the page table cannot
 * grow, -EINTR when @ld->killable and a fatal signal cut a wait short.
 */
struct swapmem_frame *swapmem_page_load(struct swapmem_space *space,
					pgoff_t index, struct swapmem_load *ld)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned int how = ld->killable ? SWAPMEM_RECLAIM_KILLABLE : 0;
	struct swapmem_frame *f;
	void *entry;

	lockdep_assert_held(&sdev->pool_lock);
	if (swapmem_fault_may_unlock(ld->vmf))
		how |= SWAPMEM_RECLAIM_NOBACKOFF;
	for (;;) {
		entry = xa_load(&space->pt, index);
		if (entry && !xa_is_value(entry)) {
			f = swapmem_load_resident(space, index, entry, ld);
			if (f)
				return f;
			continue;
		}
		f = swapmem_frame_reclaim(sdev, how);
		if (PTR_ERR_OR_ZERO(f) == -EAGAIN) {
			swapmem_load_backoff(space, ld);
			return f;
		}
		if (IS_ERR(f))
			return f;
		/* The lock may have been dropped: if the page moved, start over. */
		if (xa_load(&space->pt, index) == entry)
			break;
		swapmem_free_list_add(sdev, f);
	}
	f->space = space;
	f->index = index;
	f->flags = 0;
	swapmem_page_own(f->page, space->inode->i_mapping, index);
	if (!entry)
		return swapmem_load_zero(space, index, f, ld);
	return swapmem_load_swapped(space, index, f, entry, ld);
}

static int swapmem_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Slots a teardown discards and frees at a time, with the pool lock let
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
 * Context: pool lock held; let go every SWAPMEM_WALK_BATCH pages, and to
 * wait for a BUSY frame.
 */
static unsigned int swapmem_teardown_batch(struct swapmem_space *space,
					   unsigned long *index,
					   unsigned long *slots, unsigned int max)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long steps = 0;
	struct swapmem_frame *f;
	unsigned int n = 0;
	void *entry;

	xa_for_each_start(&space->pt, *index, entry, *index) {
		if (xa_is_value(entry)) {
			slots[n++] = swapmem_entry_slot(entry);
			swapmem_pt_set(space, *index, NULL);
		} else {
			f = entry;
			/* an eviction or a writeback has it: wait, look again */
			if (swapmem_frame_is_busy(f)) {
				swapmem_wait_unbusy(sdev, f, false);
				return n;
			}
			if (test_and_clear_bit(SWAPMEM_FRAME_PINNED, &f->flags)) {
				sdev->nr_pinned--;
				space->nr_pinned--;
			}
			if (f->slot)
				slots[n++] = f->slot;
			/* no mapping is left: no fault can reach it */
			swapmem_pt_set(space, *index, NULL);
			swapmem_free_list_add(sdev, f);
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
 * supports it), exactly once. The pool lock is let go every
 * SWAPMEM_WALK_BATCH pages and while slots are discarded.
 *
 * Context: process context, no pool lock held; sleeps.
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
	mutex_lock(&sdev->pool_lock);
	sdev->committed -= space->size >> PAGE_SHIFT;
	/* its pages are evicted without a write from now on */
	space->dying = true;
	while (index != ULONG_MAX) {
		n = swapmem_teardown_batch(space, &index, slots, max);
		mutex_unlock(&sdev->pool_lock);
		if (n) {
			sort(slots, n, sizeof(*slots), swapmem_cmp_ulong, NULL);
			swapmem_slots_release(sdev, slots, n);
		}
		cond_resched();
		mutex_lock(&sdev->pool_lock);
	}
	WARN_ON_ONCE(!xa_empty(&space->pt));
	xa_destroy(&space->pt);
	mutex_unlock(&sdev->pool_lock);
	if (slots != stack)
		kvfree(slots);
}
