// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem fault path: ->fault and ->page_mkwrite of a space's mappings.
 * Minor faults look the page up without the pool lock, under RCU and the
 * frame lock; the rest load the page under the pool lock (space.c) and map
 * it under its frame lock, with the read itself, on a fault's first
 * attempt, done without mmap_lock (VM_FAULT_RETRY).
 */
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/mm.h>

#include "swapmem_drv.h"

/*
 * A write fault: hand @f's page to the core, locked and referenced, as the
 * page cache does; the core calls ->page_mkwrite and maps the page
 * writable in this one fault. The core installs that PTE after the frame
 * lock is gone, but until then its reference keeps the frame from being
 * evicted, written or reused (swapmem_frame_held(); a drop parks it), and
 * ->page_mkwrite looks the page up again and sets MAPPED, under the frame
 * lock, before the PTE is installed under the page lock, which every
 * unmap takes. Returns 0 if the page lock is taken (the caller maps the
 * page read-only instead: the write faults again, through ->page_mkwrite).
 */
static vm_fault_t swapmem_frame_hand_over(struct vm_fault *vmf,
					  struct swapmem_frame *f)
{
	struct folio *folio = page_folio(f->page);

	/* never sleep for it under the frame lock (and maybe the pool lock) */
	if (!folio_trylock(folio))
		return 0;
	lock_map_acquire_try(&swapmem_page_lock_map);
	if (unlikely(folio_test_hwpoison(folio))) {
		swapmem_page_unlock(f->page);
		return VM_FAULT_HWPOISON;
	}
	/*
	 * Dirty, as the core makes it anyway once mapped: a poison found
	 * after this check then cannot make the core take the page for a
	 * page cache page and evict it (a dirty one it leaves alone).
	 */
	folio_mark_dirty(folio);
	flush_dcache_folio(folio);
	folio_get(folio);
	vmf->page = f->page;
	/* the core unlocks it */
	lock_map_release(&swapmem_page_lock_map);
	return VM_FAULT_LOCKED;
}

/*
 * Map resident frame @f at the faulting address, as a refcounted page
 * (VM_MIXEDMAP). A read maps it read-only (the vma's protection with
 * write notification), so that the first write to it goes through
 * ->page_mkwrite; a write hands the page to the core, which calls
 * ->page_mkwrite and maps it writable.
 * Context: @f's frame lock held: every PTE of a frame is installed under
 * it (or, for a write, under its page lock with a reference held), so an
 * unmap that clears MAPPED under it is never overtaken.
 */
static vm_fault_t swapmem_frame_map(struct vm_fault *vmf, struct swapmem_frame *f)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret;

	swapmem_frame_assert_locked(f);
	/* this page's frame, settled: its owner changes only under the lock */
	if (WARN_ON_ONCE(f->space != vma->vm_file->private_data ||
			 f->index != vmf->pgoff || swapmem_frame_is_busy(f)))
		return VM_FAULT_SIGBUS;
	set_bit(SWAPMEM_FRAME_REF, &f->flags);
	/* before the PTE: an unmap that follows must not skip it */
	set_bit(SWAPMEM_FRAME_MAPPED, &f->flags);
	swapmem_race_window(SWAPMEM_RACE_MAP);
	if (vmf->flags & FAULT_FLAG_WRITE) {
		ret = swapmem_frame_hand_over(vmf, f);
		if (ret)
			return ret;
	}
	ret = vmf_insert_page(vma, vmf->address & PAGE_MASK, f->page);
	/* only an unmap under the frame lock clears it: none overtook us */
	WARN_ON_ONCE(!test_bit(SWAPMEM_FRAME_MAPPED, &f->flags));
	return ret;
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
 * The lockless lookup of minor faults: the frame of page @index of @space,
 * with its frame lock held, if it is resident and nothing is going on with
 * it (not BUSY, no failed read);
 * else NULL, and the caller takes the pool lock. The frame lock keeps any
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
				struct swapmem_frame *f, enum swapmem_load_kind how)
{
	struct swapmem_device *sdev = space->sdev;

	switch (how) {
	case SWAPMEM_LOAD_RESIDENT:
		swapmem_stat_inc(sdev, minor_faults);
		atomic_long_inc(&space->minor_faults);
		if (test_and_clear_bit(SWAPMEM_FRAME_AGED, &f->flags))
			swapmem_stat_inc(sdev, ref_faults);
		break;
	case SWAPMEM_LOAD_ZERO:
		swapmem_stat_inc(sdev, zero_fill_faults);
		space->zero_fill_faults++;
		break;
	case SWAPMEM_LOAD_READ:
		swapmem_stat_inc(sdev, major_faults);
		space->major_faults++;
		break;
	case SWAPMEM_LOAD_FRESH:
		/* the retry of a major fault, counted when it read */
		break;
	}
}

/*
 * Map neighbour @f of a read fault at @index read-only, if that hides no
 * access the replacement policy must see: a page referenced since the
 * policy last looked at it (REF: the policy treats it as used either way),
 * or one read ahead and not touched yet (RA: the sequence it was read for
 * reached its window; counted as a readahead hit, and referenced). A page
 * the policy unmapped to sample its reference stays unmapped, so that its
 * next access faults and counts; so does one whose major fault has yet to
 * be retried (FRESH: the retry counts it). Returns true if it mapped a
 * read-ahead window's marker.
 * Context: @f's frame lock held.
 */
static bool swapmem_frame_map_around(struct vm_fault *vmf,
				     struct swapmem_frame *f, pgoff_t index)
{
	struct vm_area_struct *vma = vmf->vma;
	struct swapmem_space *space = vma->vm_file->private_data;
	unsigned long addr = vma->vm_start +
			     ((index - vma->vm_pgoff) << PAGE_SHIFT);
	bool ra = false;

	swapmem_frame_assert_locked(f);
	if (test_bit(SWAPMEM_FRAME_FRESH, &f->flags))
		return false;
	if (!test_bit(SWAPMEM_FRAME_REF, &f->flags)) {
		if (!test_bit(SWAPMEM_FRAME_RA, &f->flags))
			return false;
		ra = true;
	}
	if (WARN_ON_ONCE(f->space != space || f->index != index))
		return false;
	set_bit(SWAPMEM_FRAME_MAPPED, &f->flags);
	swapmem_race_window(SWAPMEM_RACE_MAP);
	/* not vmf_insert_page(): a PTE already there (-EBUSY) maps nothing */
	if (vm_insert_page(vma, addr, f->page))
		return false;
	/*
	 * Referenced only once mapped. (A REF page's bit is left alone: if
	 * the policy cleared it meanwhile, it unmaps the page once it has the
	 * frame lock.)
	 */
	if (ra) {
		set_bit(SWAPMEM_FRAME_REF, &f->flags);
		if (test_and_clear_bit(SWAPMEM_FRAME_RA, &f->flags))
			swapmem_readahead_hit(space);
	}
	swapmem_stat_inc(space->sdev, around_pages);
	return test_and_clear_bit(SWAPMEM_FRAME_RA_MARK, &f->flags);
}

/*
 * After a read fault mapped its page: map its resident neighbours, as
 * swapmem_frame_map_around() decides, in the block of the device's
 * fault_around pages that holds the faulting address, aligned to a
 * multiple of that many pages in the address space (as the core aligns its
 * own window, for a power of two), within the vma. A page not resident,
 * busy, or whose frame lock is taken is left to its own fault. Then, if
 * the fault's own page (@mark) or a neighbour mapped was a read-ahead
 * window's marker, start the next window.
 * Context: a read fault; mmap_lock or the vma's lock held for read; no
 * swapmem lock, no page lock.
 */
static void swapmem_map_around(struct swapmem_space *space, struct vm_fault *vmf,
			       bool mark)
{
	unsigned int around = READ_ONCE(space->sdev->fault_around);
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t k, first, last, index, marker = vmf->pgoff;
	struct swapmem_frame *f;

	if (around <= 1)
		goto next;
	k = (vmf->address >> PAGE_SHIFT) % around;
	first = vmf->pgoff - min_t(pgoff_t, k, vmf->pgoff - vma->vm_pgoff);
	last = min_t(pgoff_t, vmf->pgoff + around - 1 - k,
		     vma->vm_pgoff + vma_pages(vma) - 1);
	for (index = first; index <= last; index++) {
		if (index == vmf->pgoff)
			continue;
		f = swapmem_frame_find_locked(space, index);
		if (!f)
			continue;
		if (swapmem_frame_map_around(vmf, f, index)) {
			mark = true;
			marker = index;
		}
		swapmem_frame_unlock(f);
	}
next:
	if (mark)
		swapmem_readahead_async(space, marker);
}

/* A minor fault (or a major one's retry) served without the pool lock. */
static vm_fault_t swapmem_fault_lockless(struct swapmem_space *space,
					 struct vm_fault *vmf,
					 struct swapmem_frame *f, u64 start)
{
	struct swapmem_device *sdev = space->sdev;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	enum swapmem_load_kind how;
	bool mark = false;
	vm_fault_t ret;

	/* a write's marker was seen to by swapmem_fault() */
	if (!write)
		mark = test_and_clear_bit(SWAPMEM_FRAME_RA_MARK, &f->flags);
	how = test_and_clear_bit(SWAPMEM_FRAME_FRESH, &f->flags) ?
	      SWAPMEM_LOAD_FRESH : SWAPMEM_LOAD_RESIDENT;
	if (how == SWAPMEM_LOAD_RESIDENT) {
		swapmem_stat_inc(sdev, minor_faults);
		atomic_long_inc(&space->minor_faults);
	}
	if (test_and_clear_bit(SWAPMEM_FRAME_RA, &f->flags))
		swapmem_readahead_hit(space);
	if (test_and_clear_bit(SWAPMEM_FRAME_AGED, &f->flags))
		swapmem_stat_inc(sdev, ref_faults);
	ret = swapmem_frame_map(vmf, f);
	swapmem_frame_unlock(f);
	/* the fault's own latency: what it took to map its page */
	if (how == SWAPMEM_LOAD_RESIDENT)
		swapmem_lat_add(sdev, SWAPMEM_LAT_MINOR, start);
	if (ret == VM_FAULT_NOPAGE && !write)
		swapmem_map_around(space, vmf, mark);
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
		swapmem_stat_inc(sdev, nomem_faults);
		pr_err_ratelimited("swapmem%d: no frame can be freed (dirty pages with no swap slot or a failing backing device, pinned pages, or pages held by O_DIRECT or a pipe): SIGBUS; grow pool_size or the backing device\n",
				   sdev->id);
		return VM_FAULT_SIGBUS;
	default:
		return VM_FAULT_SIGBUS;
	}
}

/*
 * swapmem_fault() - serve a fault on a page of a space (->fault)
 * @vmf: the fault
 *
 * Maps a resident page (minor fault), or takes a frame (free, or evicted
 * by the replacement policy) and fills it with zeros (first touch) or from
 * its slot (major fault); a read fault then maps resident neighbours
 * (swapmem_map_around()). Threads faulting the same page while it is read in wait for that
 * one read. On a fault's first attempt the read, or the wait for another
 * thread's, happens without mmap_lock, and the fault is retried to map the
 * page (the VM_FAULT_RETRY protocol). Waits for locks and for other
 * threads' I/O end early for a fatal signal where the fault allows it.
 *
 * Context: process context, mmap_lock or the vma's lock held for read;
 * sleeps.
 * Return: VM_FAULT_NOPAGE (with VM_FAULT_MAJOR after a read) when the page
 * is mapped, or VM_FAULT_LOCKED with vmf->page for a write fault (the
 * core maps it); VM_FAULT_RETRY (with VM_FAULT_MAJOR after a read) with
 * that lock released; VM_FAULT_SIGBUS after a read error or when neither a
 * frame nor a slot is left; VM_FAULT_OOM when the page table cannot grow.
 */
static vm_fault_t swapmem_fault(struct vm_fault *vmf)
{
	struct swapmem_space *space = vmf->vma->vm_file->private_data;
	struct swapmem_device *sdev = space->sdev;
	bool killable = swapmem_fault_killable(vmf);
	u64 start = ktime_get_ns();
	struct file *fpin = NULL;
	struct swapmem_load ld = { .vmf = vmf, .fpin = &fpin, .killable = killable };
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct swapmem_frame *f;
	vm_fault_t ret;

again:
	f = swapmem_frame_find_locked(space, vmf->pgoff);
	if (f && write && test_bit(SWAPMEM_FRAME_RA_MARK, &f->flags)) {
		/*
		 * A write holds the page lock once mapped, and the next window
		 * needs the pool lock: start it first.
		 */
		clear_bit(SWAPMEM_FRAME_RA_MARK, &f->flags);
		swapmem_frame_unlock(f);
		swapmem_readahead_async(space, vmf->pgoff);
		f = swapmem_frame_find_locked(space, vmf->pgoff);
	}
	if (f)
		return swapmem_fault_lockless(space, vmf, f, start);

	if (!killable)
		mutex_lock(&sdev->pool_lock);
	else if (mutex_lock_killable(&sdev->pool_lock))
		return swapmem_fault_killed(vmf);
	f = swapmem_page_load(space, vmf->pgoff, &ld);
	if (PTR_ERR_OR_ZERO(f) == -EAGAIN) {
		/* mmap_lock is gone: the retry maps the page */
		ret = VM_FAULT_RETRY;
		if (ld.kind == SWAPMEM_LOAD_READ) {
			swapmem_stat_inc(sdev, major_faults);
			swapmem_stat_inc(sdev, retry_faults);
			space->major_faults++;
			ret |= VM_FAULT_MAJOR;
		}
		mutex_unlock(&sdev->pool_lock);
		fput(fpin);
		if (ld.kind == SWAPMEM_LOAD_READ)
			swapmem_lat_add(sdev, SWAPMEM_LAT_MAJOR, start);
		return ret;
	}
	if (IS_ERR(f)) {
		mutex_unlock(&sdev->pool_lock);
		return swapmem_fault_error(sdev, vmf, PTR_ERR(f));
	}
	if (ld.ra_mark && write) {
		/* as above: the next window first, then map the page */
		mutex_unlock(&sdev->pool_lock);
		swapmem_readahead_async(space, vmf->pgoff);
		ld.ra_mark = false;
		goto again;
	}
	/* mapped under its frame lock, as every frame is */
	if (!killable) {
		swapmem_frame_lock(sdev, f);
	} else if (swapmem_frame_lock_killable(sdev, f)) {
		mutex_unlock(&sdev->pool_lock);
		return swapmem_fault_killed(vmf);
	}
	ret = swapmem_frame_map(vmf, f);
	swapmem_fault_count(space, f, ld.kind);
	swapmem_frame_unlock(f);
	mutex_unlock(&sdev->pool_lock);
	/* the fault's own latency: what it took to map its page */
	if (ld.kind == SWAPMEM_LOAD_RESIDENT)
		swapmem_lat_add(sdev, SWAPMEM_LAT_MINOR, start);
	else if (ld.kind == SWAPMEM_LOAD_READ)
		swapmem_lat_add(sdev, SWAPMEM_LAT_MAJOR, start);
	if (ret == VM_FAULT_NOPAGE && !write)
		swapmem_map_around(space, vmf, ld.ra_mark);
	return ld.kind == SWAPMEM_LOAD_READ ? ret | VM_FAULT_MAJOR : ret;
}

/*
 * swapmem_map_pages() - the core's fault-around (->map_pages): maps nothing
 * @vmf: the read fault
 * @start: first page the core offers
 * @end: last page the core offers
 *
 * Since 6.4 the core runs a fault on a file under the vma's own lock, not
 * mmap_lock, only if its vm_ops have ->map_pages (vmf_can_call_fault());
 * this hook is how swapmem's faults get that. It maps nothing: the core
 * calls it under RCU, where vm_insert_page() must not run, since it may
 * allocate a page table that a concurrent MADV_DONTNEED has freed (7.3
 * frees empty page tables). swapmem maps around a fault from ->fault
 * instead (swapmem_map_around()), where it may sleep.
 *
 * Context: mmap_lock or the vma's lock held for read; maybe under RCU.
 * Return: 0: ->fault follows.
 */
static vm_fault_t swapmem_map_pages(struct vm_fault *vmf, pgoff_t start,
				    pgoff_t end)
{
	return 0;
}

/*
 * swapmem_page_mkwrite() - first write to a page mapped read-only
 * @vmf: the write-protect fault (->page_mkwrite), on vmf->page
 *
 * Marks the frame dirty and returns with the page locked: the core then
 * makes this PTE writable if it is still there (or, on a write fault that
 * ->fault handed the page over, installs it writable), and unlocks the
 * page.
 * Whoever unmaps a frame takes the page lock too (swapmem_frame_unmap()),
 * so no write-out can clean the frame, and no read fault map it read-only
 * again with the very same PTE, between the two: the PTE made writable is
 * one of a dirty frame. If the frame is busy or locked, or is not the one
 * the PTE points to (the page moved since the PTE was read), the page is
 * only unmapped and the write faults again through ->fault, which waits
 * for whatever goes on.
 *
 * Context: process context, mmap_lock or the vma's lock held for read;
 * sleeps; takes no pool lock.
 * Return: VM_FAULT_LOCKED, or VM_FAULT_NOPAGE: the write is retried.
 */
static vm_fault_t swapmem_page_mkwrite(struct vm_fault *vmf)
{
	struct swapmem_space *space = vmf->vma->vm_file->private_data;
	struct swapmem_device *sdev = space->sdev;
	struct page *page = vmf->page;
	struct swapmem_frame *f;

	swapmem_race_window(SWAPMEM_RACE_MKWRITE);
	/* the page lock, then the frame lock by trylock only */
	swapmem_page_lock(page);
	f = swapmem_frame_find_locked(space, vmf->pgoff);
	if (f && f->page == page) {
		swapmem_frame_set_dirty(sdev, f);
		set_bit(SWAPMEM_FRAME_REF, &f->flags);
		/* a write fault's PTE comes after this (an unmap may have run) */
		set_bit(SWAPMEM_FRAME_MAPPED, &f->flags);
		swapmem_frame_unlock(f);
		/* held until the PTE is writable: the core unlocks it */
		lock_map_release(&swapmem_page_lock_map);
		swapmem_race_window(SWAPMEM_RACE_MKWRITE);
		return VM_FAULT_LOCKED;
	}
	if (f)
		swapmem_frame_unlock(f);
	swapmem_page_unlock(page);
	/*
	 * Zapping needs no lock (it only takes PTEs away, and MAPPED may stay
	 * set): a PTE of a frame the page has left must not stay, or the
	 * write would come back here for ever.
	 */
	unmap_mapping_pages(space->inode->i_mapping, vmf->pgoff, 1, false);
	return VM_FAULT_NOPAGE;
}

const struct vm_operations_struct swapmem_vm_ops = {
	.fault = swapmem_fault,
#ifdef SWAPMEM_MAP_PAGES
	.map_pages = swapmem_map_pages,
#endif
	.page_mkwrite = swapmem_page_mkwrite,
};
