/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem internal definitions.
 *
 * Locking
 * =======
 * Two swapmem locks, and where the kernel's own locks sit around them. The
 * one legal order, outermost first:
 *
 *   mmap_lock (read; held by the core around ->fault and ->pfn_mkwrite)
 *     swapmem_device.lock (mutex, "the pager lock")
 *       i_mmap_rwsem of a space's mapping (unmap_mapping_pages())
 *         page table locks (vmf_insert_pfn_prot(), zapping)
 *
 *   swapmem_devices_lock (mutex, module-wide) is never held with any of
 *   the above; it protects the device table.
 *
 * swapmem_device.lock protects the frame pool (free list, CLOCK hand, every
 * frame's owner, index, slot and flags), every space's page table
 * (swapmem_space.pt) and the slot bitmap. It is a mutex because eviction
 * unmaps (which sleeps) while holding it. It is never held across block
 * I/O: a frame under I/O is marked SWAPMEM_FRAME_BUSY, the lock is dropped,
 * and whoever needs that frame waits on swapmem_device.wq and looks again
 * after retaking the lock. It is never held while touching user memory.
 *
 * The pager lock ranks like the page lock of the page cache: taken under
 * mmap_lock by faults, it may unmap pages of any space (this takes the
 * victim mapping's i_mmap_rwsem, never any mmap_lock), which is safe from
 * the fault path of another process. Nothing in swapmem takes mmap_lock.
 */
#ifndef _SWAPMEM_DRV_H
#define _SWAPMEM_DRV_H

#include <linux/atomic.h>
#include <linux/blkdev.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "compat.h"

#define SWAPMEM_MAX_DEVICES	64
/* A space is at most this large (1 TiB), so offsets never overflow. */
#define SWAPMEM_SPACE_MAX_PAGES	(1UL << (40 - PAGE_SHIFT))

/**
 * enum swapmem_frame_bit - bits of swapmem_frame.flags
 * @SWAPMEM_FRAME_REF: referenced since the CLOCK hand last passed
 * @SWAPMEM_FRAME_DIRTY: newer than its slot copy (or has none and is not
 *	all zeros); mapped writable only while this is set
 * @SWAPMEM_FRAME_BUSY: under I/O or being filled: never a victim, and its
 *	page is not mapped; waiters sleep on swapmem_device.wq
 * @SWAPMEM_FRAME_AGED: unmapped by the hand to sample its reference bit;
 *	the next minor fault on it is counted as the cost of that
 */
enum swapmem_frame_bit {
	SWAPMEM_FRAME_REF,
	SWAPMEM_FRAME_DIRTY,
	SWAPMEM_FRAME_BUSY,
	SWAPMEM_FRAME_AGED,
};

/**
 * struct swapmem_frame - one page frame of a device's pool
 * @page: the page
 * @space: owner, NULL while the frame is free
 * @index: page index in @space
 * @slot: swap slot holding a copy of the page (current unless DIRTY), 0 if
 *	none
 * @flags: enum swapmem_frame_bit
 * @free_link: link in swapmem_device.free_frames while free
 */
struct swapmem_frame {
	struct page *page;
	struct swapmem_space *space;
	pgoff_t index;
	unsigned long slot;
	unsigned long flags;
	struct list_head free_link;
};

/**
 * struct swapmem_stats - a device's counters; each is an atomic_long_t
 * @minor_faults: faults served from a resident frame (faults)
 * @major_faults: faults that read the page from its slot (faults)
 * @zero_fill_faults: first touches served with a zeroed frame (faults)
 * @ref_faults: minor faults on frames the hand had unmapped to sample
 *	their reference bit: the cost of the software reference bit (faults)
 * @evictions_clean: victims dropped without a write (frames)
 * @evictions_dirty: victims written to their slot first (frames)
 * @swap_reads: pages read from the backing device (pages)
 * @swap_writes: pages written to the backing device (pages)
 * @read_errors: failed swap-ins; the access got SIGBUS (pages)
 * @write_errors: failed write-outs; the page stayed resident (pages)
 * @nomem_faults: faults that found neither a frame nor a slot and got
 *	SIGBUS (faults)
 * @hand_steps: frames the CLOCK hand looked at (frames)
 * @hand_sweeps: full turns of the CLOCK hand (turns)
 * @second_chances: referenced frames the hand spared (frames)
 * @discards: slots discarded on the backing device after being freed (slots)
 */
struct swapmem_stats {
	atomic_long_t minor_faults;
	atomic_long_t major_faults;
	atomic_long_t zero_fill_faults;
	atomic_long_t ref_faults;
	atomic_long_t evictions_clean;
	atomic_long_t evictions_dirty;
	atomic_long_t swap_reads;
	atomic_long_t swap_writes;
	atomic_long_t read_errors;
	atomic_long_t write_errors;
	atomic_long_t nomem_faults;
	atomic_long_t hand_steps;
	atomic_long_t hand_sweeps;
	atomic_long_t second_chances;
	atomic_long_t discards;
};

#define swapmem_stat_inc(sdev, name) atomic_long_inc(&(sdev)->stats.name)

/**
 * struct swapmem_store - the swap store on a backing block device
 * @bdev: the exclusively opened block device (compat handle)
 * @path: the path it was opened by
 * @nr_slots: slots on it, slot 0 included (slot 0 is never used: it means
 *	"no slot")
 * @bitmap: allocated (or bad) slots, bit per slot; under the pager lock
 * @used: slots allocated to pages
 * @bad: slots retired after a write error
 * @cursor: where the next-fit search starts
 * @discard: the device supports discard
 */
struct swapmem_store {
	struct swapmem_bdev bdev;
	char path[64];
	unsigned long nr_slots;
	unsigned long *bitmap;
	unsigned long used;
	unsigned long bad;
	unsigned long cursor;
	bool discard;
};

/**
 * struct swapmem_device - one /dev/swapmemN
 * @dev: the class device (/sys/class/swapmem/swapmemN)
 * @cdev: the character device
 * @id: N
 * @lock: the pager lock; see "Locking" above
 * @wq: where faults and teardown wait for BUSY frames
 * @unbusy_seq: bumped whenever a BUSY frame settles; what @wq waits on
 * @frames: the pool
 * @nr_frames: frames in the pool
 * @free_frames: frames owned by no space
 * @nr_free: length of @free_frames
 * @hand: the CLOCK hand, an index into @frames
 * @store: the swap store, valid if @has_store
 * @has_store: a backing device is attached
 * @nr_spaces: address spaces (opens) alive
 * @stats: counters
 */
struct swapmem_device {
	struct device dev;
	struct cdev cdev;
	int id;

	struct mutex lock;
	wait_queue_head_t wq;
	unsigned long unbusy_seq;
	struct swapmem_frame *frames;
	unsigned long nr_frames;
	struct list_head free_frames;
	unsigned long nr_free;
	unsigned long hand;

	struct swapmem_store store;
	bool has_store;

	atomic_t nr_spaces;
	struct swapmem_stats stats;
};

/**
 * struct swapmem_space - one open() of a device: a virtual address space
 * @sdev: the device it lives on
 * @inode: private inode whose mapping holds every vma of this space, so
 *	unmapping one page of it reaches every process and no other space
 * @pt: the page table: index -> nothing (reads as zeros), a
 *	struct swapmem_frame * (resident) or xa_mk_value(slot) (swapped out);
 *	under the pager lock
 */
struct swapmem_space {
	struct swapmem_device *sdev;
	struct inode *inode;
	struct xarray pt;
};

extern const struct file_operations swapmem_fops;
extern const struct attribute_group *swapmem_dev_groups[];

static inline struct swapmem_device *swapmem_dev(struct device *dev)
{
	return container_of(dev, struct swapmem_device, dev);
}

/* pager.c */
int swapmem_pool_init(struct swapmem_device *sdev, unsigned long nr_frames);
void swapmem_pool_exit(struct swapmem_device *sdev);
vm_fault_t swapmem_pager_fault(struct swapmem_space *space, struct vm_fault *vmf);
vm_fault_t swapmem_pager_mkwrite(struct swapmem_space *space, struct vm_fault *vmf);
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last);
void swapmem_space_teardown(struct swapmem_space *space);

/* store.c */
int swapmem_store_attach(struct swapmem_device *sdev, const char *path);
void swapmem_store_detach(struct swapmem_device *sdev);
unsigned long swapmem_slot_alloc(struct swapmem_device *sdev, unsigned long hint);
void swapmem_slot_free(struct swapmem_device *sdev, unsigned long slot);
void swapmem_slot_retire(struct swapmem_device *sdev, unsigned long slot);
int swapmem_slot_rw(struct swapmem_device *sdev, struct page *page,
		    unsigned long slot, bool write);
void swapmem_slots_release(struct swapmem_device *sdev, unsigned long *slots,
			   unsigned long n);

/* file.c */
int swapmem_fs_init(void);
void swapmem_fs_exit(void);

#endif /* _SWAPMEM_DRV_H */
