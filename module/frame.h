/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem frames: one page of a device's pool, its flags and its frame
 * lock (see "Locking" in swapmem_drv.h).
 */
#ifndef _SWAPMEM_FRAME_H
#define _SWAPMEM_FRAME_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/pagemap.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

struct swapmem_space;

/**
 * enum swapmem_frame_bit - bits of swapmem_frame.flags
 * @SWAPMEM_FRAME_REF: referenced since the replacement policy last looked
 *	(every fault that maps the frame sets it; the policy clears it)
 * @SWAPMEM_FRAME_DIRTY: newer than its slot copy (or has none and is not
 *	all zeros); mapped writable only while this is set
 * @SWAPMEM_FRAME_BUSY: under I/O or being filled: never a victim, and its
 *	page is not mapped; waiters sleep on swapmem_device.wq
 * @SWAPMEM_FRAME_AGED: unmapped by the hand to sample its reference bit;
 *	the next minor fault on it is counted as the cost of that
 * @SWAPMEM_FRAME_PINNED: pinned by SWAPMEM_ADV_PIN: never a victim, never
 *	unmapped by the hand
 * @SWAPMEM_FRAME_GONE: taken out of the pool by a shrink
 * @SWAPMEM_FRAME_SAMPLED: S3-FIFO: unmapped once in the small queue, so a
 *	new reference shows
 * @SWAPMEM_FRAME_FRESH: read in by a fault that let go of mmap_lock and
 *	will be retried; its retry maps it without counting a second fault
 * @SWAPMEM_FRAME_IOERR: that read failed: never mapped. The page's next
 *	fault puts it back in its slot, and gives SIGBUS, or, for a page
 *	read ahead (RA set too), reads it again
 * @SWAPMEM_FRAME_RA: read ahead of a sequential fault and not touched yet
 * @SWAPMEM_FRAME_RA_MARK: the first page of a read-ahead window: the fault
 *	that first maps it starts the next window (readahead.c)
 * @SWAPMEM_FRAME_MAPPED: some PTE may map it: set before a fault maps it,
 *	cleared only under its frame lock, by an unmap or as the frame
 *	changes owner, so that an unmap of a frame with it clear (a victim
 *	the hand already unmapped, a page read ahead) can be skipped
 */
enum swapmem_frame_bit {
	SWAPMEM_FRAME_REF,
	SWAPMEM_FRAME_DIRTY,
	SWAPMEM_FRAME_BUSY,
	SWAPMEM_FRAME_AGED,
	SWAPMEM_FRAME_PINNED,
	SWAPMEM_FRAME_GONE,
	SWAPMEM_FRAME_SAMPLED,
	SWAPMEM_FRAME_FRESH,
	SWAPMEM_FRAME_IOERR,
	SWAPMEM_FRAME_RA,
	SWAPMEM_FRAME_MAPPED,
	SWAPMEM_FRAME_RA_MARK,
};

/**
 * struct swapmem_frame - one page frame of a device's pool
 * @page: the page
 * @space: owner, NULL while the frame is free
 * @index: page index in @space
 * @slot: swap slot holding a copy of the page (current unless DIRTY), 0 if
 *	none
 * @flags: enum swapmem_frame_bit
 * @lock: bit 0 is the frame lock (see "Locking")
 * @queue: the replacement policy's: which of its lists the frame is on
 *	while owned, 0 for none (S3-FIFO's enum swapmem_s3fifo_queue)
 * @link: in the pool's free list while free; while owned, in a list of
 *	the replacement policy if it keeps any
 * @dep_map: the frame lock, as lockdep sees it
 */
struct swapmem_frame {
	struct page *page;
	struct swapmem_space *space;
	pgoff_t index;
	unsigned long slot;
	unsigned long flags;
	unsigned long lock;
	unsigned int queue;
	struct list_head link;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
};

/*
 * A swapped page's page table entry: its slot, and whether it left the
 * small queue without being referenced again (a ghost, for S3-FIFO).
 */
static inline void *swapmem_swapped(unsigned long slot, bool ghost)
{
	return xa_mk_value(slot << 1 | ghost);
}

static inline unsigned long swapmem_entry_slot(void *entry)
{
	return xa_to_value(entry) >> 1;
}

static inline bool swapmem_entry_is_ghost(void *entry)
{
	return xa_to_value(entry) & 1;
}

static inline bool swapmem_frame_is_busy(struct swapmem_frame *f)
{
	return test_bit(SWAPMEM_FRAME_BUSY, &f->flags);
}

static inline bool swapmem_frame_is_dirty(struct swapmem_frame *f)
{
	return test_bit(SWAPMEM_FRAME_DIRTY, &f->flags);
}

static inline bool swapmem_frame_is_pinned(struct swapmem_frame *f)
{
	return test_bit(SWAPMEM_FRAME_PINNED, &f->flags);
}

/*
 * The frame lock: see "Locking" in swapmem_drv.h. lockdep sees it through
 * the frame's dep_map, told of a wait before it begins.
 */
static inline void __swapmem_frame_lock(struct swapmem_frame *f)
{
	lock_map_acquire(&f->dep_map);
	wait_on_bit_lock(&f->lock, 0, TASK_UNINTERRUPTIBLE);
}

static inline bool swapmem_frame_trylock(struct swapmem_frame *f)
{
	if (test_and_set_bit_lock(0, &f->lock))
		return false;
	lock_map_acquire_try(&f->dep_map);
	return true;
}

static inline void swapmem_frame_unlock(struct swapmem_frame *f)
{
	lock_map_release(&f->dep_map);
	clear_bit_unlock(0, &f->lock);
	/* the cleared bit before wake_up_bit()'s waitqueue_active() check */
	smp_mb__after_atomic();
	wake_up_bit(&f->lock, 0);
}

/* Held by someone (a bit lock has no owner), and by us as lockdep sees it. */
static inline void swapmem_frame_assert_locked(struct swapmem_frame *f)
{
	WARN_ON_ONCE(!test_bit(0, &f->lock));
	lockdep_assert_held(f);
}

/*
 * The page lock of a frame's page, which the core's page_mkwrite protocol
 * holds from ->page_mkwrite until the PTE is writable; taken after the
 * frame lock (see "Locking"). lockdep sees every such page lock as one.
 */
#ifdef CONFIG_DEBUG_LOCK_ALLOC
extern struct lockdep_map swapmem_page_lock_map;
#endif

static inline void swapmem_page_lock(struct page *page)
{
	lock_map_acquire(&swapmem_page_lock_map);
	lock_page(page);
}

static inline void swapmem_page_unlock(struct page *page)
{
	unlock_page(page);
	lock_map_release(&swapmem_page_lock_map);
}

/*
 * Does anyone but the pool hold a reference to @f's page: a pin from
 * O_DIRECT, io_uring or process_vm_*, a pipe it was vmspliced into, a
 * futex lookup, a debugger? Asked after the frame was unmapped under its
 * lock, when no new reference can be taken (no PTE leads to it).
 */
static inline bool swapmem_frame_held(struct swapmem_frame *f)
{
	/*
	 * The PTE cleared before the count read: a GUP-fast that took its
	 * reference after this read finds the PTE gone and drops it.
	 */
	smp_mb();
	return page_ref_count(f->page) != 1;
}

/*
 * A frame's page takes its page's identity: the core files it as page
 * @index of the space's @mapping, which futex keys and GUP-fast need.
 * Context: the frame lock held, or the frame unreachable.
 */
static inline void swapmem_page_own(struct page *page,
				    struct address_space *mapping, pgoff_t index)
{
	struct folio *folio = page_folio(page);

	folio->index = index;
	WRITE_ONCE(folio->mapping, mapping);
}

/*
 * ... and leaves it: no mapping, and none of the flags the core sets on a
 * mapped page (dirty from a dirty PTE or a pin's release, referenced and
 * workingset from a young PTE at zap time). A PTE left (every one was
 * removed under the frame lock) or a flag the core never sets on a page
 * outside the LRU (VM_MIXEDMAP keeps mlock away) warns.
 */
static inline void swapmem_page_disown(struct page *page)
{
	struct folio *folio = page_folio(page);

	WRITE_ONCE(folio->mapping, NULL);
	folio->index = 0;
	folio_clear_dirty(folio);
	folio_clear_referenced(folio);
	folio_clear_workingset(folio);
	WARN_ON_ONCE(folio_mapped(folio) ||
		     folio_test_lru(folio) || folio_test_active(folio) ||
		     folio_test_unevictable(folio) || folio_test_mlocked(folio));
}

#endif /* _SWAPMEM_FRAME_H */
