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
 *   swapped   xa_mk_value(slot): the page lives in that slot only.
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
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "swapmem_drv.h"

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
	unsigned long i;

	sdev->frames = kvcalloc(nr_frames, sizeof(*sdev->frames), GFP_KERNEL);
	if (!sdev->frames)
		return -ENOMEM;
	INIT_LIST_HEAD(&sdev->free_frames);
	for (i = 0; i < nr_frames; i++) {
		struct swapmem_frame *f = &sdev->frames[i];

		f->page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!f->page)
			goto free_pages;
		list_add_tail(&f->free_link, &sdev->free_frames);
	}
	sdev->nr_frames = nr_frames;
	sdev->nr_free = nr_frames;
	sdev->hand = 0;
	return 0;

free_pages:
	while (i--)
		__free_page(sdev->frames[i].page);
	kvfree(sdev->frames);
	sdev->frames = NULL;
	return -ENOMEM;
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
		__free_page(sdev->frames[i].page);
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

/* Give a frame that no page table points to back to the free list. */
static void swapmem_frame_free(struct swapmem_device *sdev,
			       struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
	list_add(&f->free_link, &sdev->free_frames);
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
	clear_bit(SWAPMEM_FRAME_BUSY, &f->flags);
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

/* Remove every user mapping of a resident frame. Sleeps. */
static void swapmem_frame_unmap(struct swapmem_device *sdev,
				struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->lock);
	unmap_mapping_pages(f->space->inode->i_mapping, f->index, 1, false);
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
		return xa_to_value(entry);
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
 * Evict victim @f: unmap it everywhere, write it to a slot if it is dirty,
 * and point its page table entry at the slot (or at nothing, for a clean
 * page that never had one: it is all zeros).
 * Returns 0 with @f owned by nobody and off the free list, or -errno with
 * @f still resident (no slot, or the write failed).
 * Context: pager lock held; dropped and retaken around the write.
 */
static int swapmem_evict(struct swapmem_device *sdev, struct swapmem_frame *f)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	struct swapmem_space *space = f->space;
	pgoff_t index = f->index;
	unsigned long slot;
	int ret;

	lockdep_assert_held(&sdev->lock);
	swapmem_frame_unmap(sdev, f);

	/* DIRTY only changes under the lock, and no PTE maps the frame now. */
	if (!swapmem_frame_is_dirty(f)) {
		if (f->slot)
			xa_store(&space->pt, index, xa_mk_value(f->slot), GFP_NOWAIT);
		else
			xa_erase(&space->pt, index);
		swapmem_stat_inc(sdev, evictions_clean);
		f->space = NULL;
		f->flags = 0;
		f->slot = 0;
		return 0;
	}

	slot = f->slot;
	if (!slot) {
		slot = swapmem_slot_alloc(sdev, swapmem_slot_hint(space, index));
		if (!slot)
			return -ENOSPC;
		f->slot = slot;
	}
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	mutex_unlock(&sdev->lock);
	ret = swapmem_slot_rw(sdev, f->page, slot, true);
	mutex_lock(&sdev->lock);
	if (ret) {
		swapmem_stat_inc(sdev, write_errors);
		swapmem_io_error(sdev, f, slot, true, ret);
		swapmem_slot_retire(sdev, slot);
		f->slot = 0;
		swapmem_frame_unbusy(sdev, f);
		return ret;
	}
	xa_store(&space->pt, index, xa_mk_value(slot), GFP_NOWAIT);
	swapmem_stat_inc(sdev, evictions_dirty);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
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
	struct swapmem_frame *f = &sdev->frames[sdev->hand];

	if (++sdev->hand == sdev->nr_frames) {
		sdev->hand = 0;
		swapmem_stat_inc(sdev, hand_sweeps);
	}
	swapmem_stat_inc(sdev, hand_steps);
	return f;
}

/*
 * Get a frame owned by nobody: a free one, or the CLOCK victim. Returns
 * NULL when every frame is resident, unreferenced and cannot be evicted
 * (dirty with nowhere to write it).
 * Context: pager lock held; dropped and retaken while waiting or writing.
 */
static struct swapmem_frame *swapmem_frame_get(struct swapmem_device *sdev)
	__releases(&sdev->lock) __acquires(&sdev->lock)
{
	struct swapmem_frame *f;
	unsigned long scanned;
	bool busy, write_failed = false;

	lockdep_assert_held(&sdev->lock);
	for (;;) {
		f = list_first_entry_or_null(&sdev->free_frames,
					     struct swapmem_frame, free_link);
		if (f) {
			list_del(&f->free_link);
			sdev->nr_free--;
			return f;
		}

		busy = false;
		for (scanned = 0; scanned < 2 * sdev->nr_frames; scanned++) {
			f = swapmem_hand_step(sdev);
			if (!f->space)
				continue;
			if (swapmem_frame_is_busy(f)) {
				busy = true;
				continue;
			}
			if (test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
				set_bit(SWAPMEM_FRAME_AGED, &f->flags);
				swapmem_frame_unmap(sdev, f);
				swapmem_stat_inc(sdev, second_chances);
				continue;
			}
			if (!swapmem_frame_is_evictable(sdev, f) ||
			    (write_failed && swapmem_frame_is_dirty(f)))
				continue;
			/*
			 * On failure (no slot, or the write failed) the frame
			 * stays resident and the hand moves on. After a failed
			 * write only clean victims are tried: a failing disk
			 * gets one write per call, and the scan stays bounded.
			 */
			if (!swapmem_evict(sdev, f))
				return f;
			write_failed = true;
		}
		if (!busy)
			return NULL;
		swapmem_wait_unbusy(sdev);
	}
}

/* Map resident frame @f at the faulting address; writable only if dirty. */
static vm_fault_t swapmem_frame_map(struct vm_fault *vmf, struct swapmem_frame *f)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_flags_t flags = vma->vm_flags;

	set_bit(SWAPMEM_FRAME_REF, &f->flags);
	if (vmf->flags & FAULT_FLAG_WRITE)
		set_bit(SWAPMEM_FRAME_DIRTY, &f->flags);
	/* A clean frame is mapped read-only, so its first write is seen. */
	if (!swapmem_frame_is_dirty(f))
		flags &= ~VM_SHARED;
	return vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK,
				   page_to_pfn(f->page), vm_get_page_prot(flags));
}

/**
 * swapmem_pager_fault() - serve a fault on a page of a space
 * @space: the space
 * @vmf: the fault
 *
 * Maps a resident page (minor fault), or takes a frame (free, or evicted
 * by CLOCK) and fills it with zeros (first touch) or from its slot (major
 * fault). Threads faulting the same page while it is read in wait for that
 * one read.
 *
 * Context: process context, mmap_lock held for read; sleeps.
 * Return: VM_FAULT_NOPAGE (with VM_FAULT_MAJOR after a read) when the page
 * is mapped; VM_FAULT_SIGBUS after a read error or when neither a frame
 * nor a slot is left; VM_FAULT_OOM when the page table cannot grow.
 */
vm_fault_t swapmem_pager_fault(struct swapmem_space *space, struct vm_fault *vmf)
{
	struct swapmem_device *sdev = space->sdev;
	pgoff_t index = vmf->pgoff;
	struct swapmem_frame *f;
	unsigned long slot;
	vm_fault_t major = 0;
	void *entry;
	int ret;

	mutex_lock(&sdev->lock);
again:
	entry = xa_load(&space->pt, index);
	if (entry && !xa_is_value(entry)) {
		f = entry;
		if (swapmem_frame_is_busy(f)) {
			swapmem_wait_unbusy(sdev);
			goto again;
		}
		swapmem_stat_inc(sdev, minor_faults);
		if (test_and_clear_bit(SWAPMEM_FRAME_AGED, &f->flags))
			swapmem_stat_inc(sdev, ref_faults);
		goto map;
	}

	f = swapmem_frame_get(sdev);
	if (!f) {
		swapmem_stat_inc(sdev, nomem_faults);
		pr_err_ratelimited("swapmem%d: no frame can be freed (pool full of dirty pages and no swap slot): SIGBUS\n",
				   sdev->id);
		mutex_unlock(&sdev->lock);
		return VM_FAULT_SIGBUS;
	}
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
			mutex_unlock(&sdev->lock);
			return VM_FAULT_OOM;
		}
		swapmem_stat_inc(sdev, zero_fill_faults);
		goto map;
	}

	slot = xa_to_value(entry);
	f->slot = slot;
	set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
	xa_store(&space->pt, index, f, GFP_NOWAIT);
	mutex_unlock(&sdev->lock);
	ret = swapmem_slot_rw(sdev, f->page, slot, false);
	mutex_lock(&sdev->lock);
	if (ret) {
		swapmem_stat_inc(sdev, read_errors);
		swapmem_io_error(sdev, f, slot, false, ret);
		xa_store(&space->pt, index, entry, GFP_NOWAIT);
		swapmem_frame_unbusy(sdev, f);
		swapmem_frame_free(sdev, f);
		mutex_unlock(&sdev->lock);
		return VM_FAULT_SIGBUS;
	}
	swapmem_frame_unbusy(sdev, f);
	swapmem_stat_inc(sdev, major_faults);
	major = VM_FAULT_MAJOR;
map:
	ret = swapmem_frame_map(vmf, f);
	mutex_unlock(&sdev->lock);
	return ret | major;
}

/**
 * swapmem_pager_mkwrite() - first write to a page mapped read-only
 * @space: the space
 * @vmf: the write-protect fault
 *
 * Marks the frame dirty, so the core may make the PTE writable. If the
 * page has left the frame the PTE pointed to, the fault is retried.
 *
 * Context: process context, mmap_lock held for read; sleeps.
 * Return: 0 to let the core map it writable, or VM_FAULT_NOPAGE to retry.
 */
vm_fault_t swapmem_pager_mkwrite(struct swapmem_space *space, struct vm_fault *vmf)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f;
	vm_fault_t ret = VM_FAULT_NOPAGE;
	void *entry;

	mutex_lock(&sdev->lock);
	entry = xa_load(&space->pt, vmf->pgoff);
	if (entry && !xa_is_value(entry)) {
		f = entry;
		if (!swapmem_frame_is_busy(f) &&
		    page_to_pfn(f->page) == pte_pfn(vmf->orig_pte)) {
			set_bit(SWAPMEM_FRAME_DIRTY, &f->flags);
			set_bit(SWAPMEM_FRAME_REF, &f->flags);
			ret = 0;
		}
	}
	mutex_unlock(&sdev->lock);
	return ret;
}

/**
 * swapmem_space_sync() - write a range of a space's dirty pages to swap
 * @space: the space
 * @first: first page index
 * @last: last page index
 *
 * The pages stay resident and become clean, so evicting them later needs
 * no write. Without a backing device there is nothing to write to.
 *
 * Context: process context, no pager lock held; sleeps.
 * Return: 0, -EIO if a write failed (the page stays dirty), or -ENOSPC if
 * the store is full.
 */
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f;
	unsigned long index, slot;
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
		slot = f->slot;
		if (!slot)
			slot = swapmem_slot_alloc(sdev, swapmem_slot_hint(space, index));
		if (!slot) {
			ret = -ENOSPC;
			continue;
		}
		f->slot = slot;
		swapmem_frame_unmap(sdev, f);
		clear_bit(SWAPMEM_FRAME_DIRTY, &f->flags);
		set_bit(SWAPMEM_FRAME_BUSY, &f->flags);
		mutex_unlock(&sdev->lock);
		err = swapmem_slot_rw(sdev, f->page, slot, true);
		mutex_lock(&sdev->lock);
		if (err) {
			swapmem_stat_inc(sdev, write_errors);
			swapmem_io_error(sdev, f, slot, true, err);
			swapmem_slot_retire(sdev, slot);
			f->slot = 0;
			set_bit(SWAPMEM_FRAME_DIRTY, &f->flags);
			ret = -EIO;
		}
		swapmem_frame_unbusy(sdev, f);
	}
	mutex_unlock(&sdev->lock);
	return ret;
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
restart:
	xa_for_each(&space->pt, index, entry) {
		if (xa_is_value(entry))
			continue;
		f = entry;
		if (swapmem_frame_is_busy(f)) {
			swapmem_wait_unbusy(sdev);
			goto restart;
		}
		if (f->slot)
			xa_store(&space->pt, index, xa_mk_value(f->slot), GFP_NOWAIT);
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
			swapmem_slot_free(sdev, xa_to_value(entry));
		n = 0;
	} else {
		n = 0;
		xa_for_each(&space->pt, index, entry)
			slots[n++] = xa_to_value(entry);
	}
	xa_destroy(&space->pt);
	mutex_unlock(&sdev->lock);

	if (n) {
		sort(slots, n, sizeof(*slots), swapmem_cmp_ulong, NULL);
		swapmem_slots_release(sdev, slots, n);
	}
	kvfree(slots);
}
