/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem internal definitions.
 *
 * Locking
 * =======
 * Outermost first; no path takes them in another order:
 *
 *   swapmem_devices_lock  mutex (main.c): the device table, the module's
 *                         state; a device removed under it waits for its
 *                         sysfs calls, and for its writeback work when
 *                         that drops the last reference
 *     config_lock         mutex, per device: pool size, backing device
 *       lock              mutex, per device, "the pager lock"; faults take
 *                         it under mmap_lock
 *         frame lock      bit 0 of swapmem_frame.lock, a sleeping bit lock
 *                         with a lockdep_map (swapmem_frame.dep_map)
 *           i_mmap_rwsem  of a space's mapping (unmap_mapping_pages())
 *             page table locks (vmf_insert_pfn_prot(), zapping)
 *
 * Nothing in swapmem takes mmap_lock, holds two frame locks, or waits for
 * the pager lock while holding a frame lock. The exceptions to the order:
 * lockless faults (minor faults, pfn_mkwrite) take a frame lock without
 * the pager lock, by trylock under RCU.
 *
 * The pager lock guards the pool (free list, hand, queues), each frame's
 * owner, index and slot, each space's page table and counts, and the slot
 * map. It is not held across block I/O (such a frame is BUSY, and its
 * waiters sleep on swapmem_device.wq), nor while touching user memory.
 * Walks of a space and victim searches let go of it every
 * SWAPMEM_WALK_BATCH steps; readahead's search and the writeback's pick,
 * bounded by the pool, keep it.
 *
 * Every PTE of a frame is installed under its frame lock, after MAPPED is
 * set; every unmap clears MAPPED and zaps under it. Eviction, write-out and
 * drop hold the pager lock and the frame lock from before their unmap
 * until the frame is BUSY or out of the page table, so MAPPED clear means
 * that no PTE maps the frame. Flags of a frame that a fault can reach
 * change by atomic bit operations: faults set REF, DIRTY and MAPPED and
 * clear RA, FRESH, AGED (and pfn_mkwrite MAPPED) under the frame lock;
 * all other changes are under the pager lock. DIRTY is cleared only
 * under the pager lock on a frame that is BUSY or out of every page table.
 * A frame gets its owner under the pager lock before the page table
 * publishes it, and a lockless fault checks the entry again once it holds
 * the frame lock. Frames leave the pool (shrink) only after an RCU grace
 * period and a pass through their lock.
 */
#ifndef _SWAPMEM_DRV_H
#define _SWAPMEM_DRV_H

#include <linux/atomic.h>
#include <linux/blkdev.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "compat.h"

/*
 * A swapped page's slot lives in an xarray value, BITS_PER_LONG - 1 bits
 * wide: a 32-bit kernel could not hold the slots of a 4 TiB device.
 */
#if BITS_PER_LONG < 64
#error "swapmem needs a 64-bit kernel"
#endif

#define SWAPMEM_MAX_DEVICES	64
#define SWAPMEM_POOL_MIN	(64UL << 10)

/* Largest the pools of all devices together may be: half of RAM. */
static inline unsigned long swapmem_pool_max(void)
{
	return (totalram_pages() / 2) << PAGE_SHIFT;
}

/* Walks under the pager lock let go of it after this many entries. */
#define SWAPMEM_WALK_BATCH	64

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
 * @SWAPMEM_FRAME_PINNED: pinned by SWAPMEM_ADV_PIN: never a victim, never
 *	unmapped by the hand
 * @SWAPMEM_FRAME_GONE: taken out of the pool by a shrink
 * @SWAPMEM_FRAME_SAMPLED: S3-FIFO: unmapped once in the small queue, so a
 *	new reference shows
 * @SWAPMEM_FRAME_FRESH: read in by a fault that let go of mmap_lock and
 *	will be retried; its retry maps it without counting a second fault
 * @SWAPMEM_FRAME_IOERR: that read failed: the page's next fault gives
 *	SIGBUS and puts the page back in its slot; never mapped
 * @SWAPMEM_FRAME_RA: read ahead of a sequential fault and not touched yet
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
};

/* Most pages one batch of I/O carries (readahead, background writeback). */
#define SWAPMEM_BATCH_MAX	64
/* Largest background writeback reserve, percent of the pool. */
#define SWAPMEM_WB_RESERVE_MAX	50
/* Largest readahead window, in pages after the faulting one. */
#define SWAPMEM_RA_MAX		(SWAPMEM_BATCH_MAX - 1)

struct swapmem_batch;

/* One bio of a batch, for its completion (store.c). */
struct swapmem_batch_bio {
	struct swapmem_batch *batch;
	int *err;
};

/**
 * struct swapmem_batch_io - the pages of one batch of I/O
 * @n: how many
 * @frames: their frames
 * @pages: the frames' pages
 * @slots: their slots
 * @errs: each page's result
 * @entries: readahead: each page's page table entry before it
 * @ctx: each page's bio's completion context
 */
struct swapmem_batch_io {
	unsigned int n;
	struct swapmem_frame *frames[SWAPMEM_BATCH_MAX];
	struct page *pages[SWAPMEM_BATCH_MAX];
	unsigned long slots[SWAPMEM_BATCH_MAX];
	int errs[SWAPMEM_BATCH_MAX];
	void *entries[SWAPMEM_BATCH_MAX];
	struct swapmem_batch_bio ctx[SWAPMEM_BATCH_MAX];
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
 * @queue: enum swapmem_queue: the S3-FIFO queue it is in while owned
 * @link: in swapmem_device.free_frames while free, in the small or main
 *	queue while owned
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

/**
 * enum swapmem_queue - the S3-FIFO queues, kept for every policy
 * @SWAPMEM_Q_NONE: not queued (free, or between owners)
 * @SWAPMEM_Q_SMALL: new pages, a tenth of the pool: one sampled pass
 * @SWAPMEM_Q_MAIN: pages referenced again in the small queue, or ghosts
 */
enum swapmem_queue {
	SWAPMEM_Q_NONE,
	SWAPMEM_Q_SMALL,
	SWAPMEM_Q_MAIN,
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

/**
 * enum swapmem_stat - a device's counters, one file each in stats/
 * @SWAPMEM_STAT_MINOR_FAULTS: faults served from a resident frame (faults)
 * @SWAPMEM_STAT_MAJOR_FAULTS: faults that read the page from its slot (faults)
 * @SWAPMEM_STAT_ZERO_FILL_FAULTS: first touches served with a zeroed frame
 *	(faults)
 * @SWAPMEM_STAT_REF_FAULTS: minor faults on frames the hand had unmapped to
 *	sample their reference bit: the cost of the software bit (faults)
 * @SWAPMEM_STAT_EVICTIONS_CLEAN: victims dropped without a write (frames)
 * @SWAPMEM_STAT_EVICTIONS_DIRTY: victims written to their slot first (frames)
 * @SWAPMEM_STAT_SWAP_READS: pages read from the backing device (pages)
 * @SWAPMEM_STAT_SWAP_WRITES: pages written to the backing device (pages)
 * @SWAPMEM_STAT_READ_ERRORS: failed swap-ins; the access got SIGBUS (pages)
 * @SWAPMEM_STAT_WRITE_ERRORS: failed write-outs; the page stayed resident
 *	(pages)
 * @SWAPMEM_STAT_NOMEM_FAULTS: faults that found no frame to free and got
 *	SIGBUS (faults)
 * @SWAPMEM_STAT_HAND_STEPS: frames the CLOCK hand looked at (frames)
 * @SWAPMEM_STAT_HAND_SWEEPS: full turns of the CLOCK hand (turns)
 * @SWAPMEM_STAT_SECOND_CHANCES: referenced frames the hand spared, each
 *	unmapped to sample its bit again (frames)
 * @SWAPMEM_STAT_DISCARDS: freed slots discarded on the backing device (slots)
 * @SWAPMEM_STAT_RETRY_FAULTS: major faults whose read ran without mmap_lock,
 *	the fault then retried (faults)
 * @SWAPMEM_STAT_READAHEAD_PAGES: pages read ahead of a sequential fault (pages)
 * @SWAPMEM_STAT_READAHEAD_HITS: pages read ahead that a fault then found resident (pages)
 * @SWAPMEM_STAT_READAHEAD_WASTED: pages read ahead and evicted untouched (pages)
 * @SWAPMEM_STAT_WRITEBACK_PAGES: dirty pages written by the background
 *	writeback, ahead of demand (pages)
 * @SWAPMEM_STAT_WRITEBACK_BATCHES: plugged batches of writes the background
 *	writeback issued (batches)
 * @SWAPMEM_STAT_SLOT_RETRIES: retired slots given another chance once the
 *	backing device wrote again (slots)
 * @SWAPMEM_NR_STATS: how many
 */
enum swapmem_stat {
	SWAPMEM_STAT_MINOR_FAULTS,
	SWAPMEM_STAT_MAJOR_FAULTS,
	SWAPMEM_STAT_ZERO_FILL_FAULTS,
	SWAPMEM_STAT_REF_FAULTS,
	SWAPMEM_STAT_EVICTIONS_CLEAN,
	SWAPMEM_STAT_EVICTIONS_DIRTY,
	SWAPMEM_STAT_SWAP_READS,
	SWAPMEM_STAT_SWAP_WRITES,
	SWAPMEM_STAT_READ_ERRORS,
	SWAPMEM_STAT_WRITE_ERRORS,
	SWAPMEM_STAT_NOMEM_FAULTS,
	SWAPMEM_STAT_HAND_STEPS,
	SWAPMEM_STAT_HAND_SWEEPS,
	SWAPMEM_STAT_SECOND_CHANCES,
	SWAPMEM_STAT_DISCARDS,
	SWAPMEM_STAT_RETRY_FAULTS,
	SWAPMEM_STAT_READAHEAD_PAGES,
	SWAPMEM_STAT_READAHEAD_HITS,
	SWAPMEM_STAT_READAHEAD_WASTED,
	SWAPMEM_STAT_WRITEBACK_PAGES,
	SWAPMEM_STAT_WRITEBACK_BATCHES,
	SWAPMEM_STAT_SLOT_RETRIES,
	SWAPMEM_NR_STATS,
};

/* Fault latency histograms: bucket k counts latencies below 2^(k+10) ns. */
#define SWAPMEM_LAT_BUCKETS	24

/**
 * struct swapmem_dev_stats - a device's counters
 * @v: one per enum swapmem_stat; units in its description
 * @lat_minor: minor fault latency, log2 buckets (faults)
 * @lat_major: major fault latency, log2 buckets (faults)
 */
struct swapmem_dev_stats {
	atomic_long_t v[SWAPMEM_NR_STATS];
	atomic_long_t lat_minor[SWAPMEM_LAT_BUCKETS];
	atomic_long_t lat_major[SWAPMEM_LAT_BUCKETS];
};

#define swapmem_stat_inc(sdev, item) \
	atomic_long_inc(&(sdev)->stats.v[SWAPMEM_STAT_##item])
#define swapmem_stat_add(sdev, item, n) \
	atomic_long_add(n, &(sdev)->stats.v[SWAPMEM_STAT_##item])

/**
 * struct swapmem_store - the swap store on a backing block device
 * @bdev: the exclusively opened block device (compat handle)
 * @nr_slots: slots on it, slot 0 included (slot 0 is never used: it means
 *	"no slot")
 * @nr_chunks: chunks of SWAPMEM_CHUNK_SLOTS slots (the last may be short)
 * @chunks: chunk -> bitmap of its taken (allocated or bad) slots, only
 *	for chunks with a slot taken
 * @full: bit per chunk: no free slot in it
 * @spare: a zeroed chunk bitmap ready for the next chunk to be used, or NULL
 * @chunk_used: per chunk, its taken slots
 * @failed: slot -> xa_mk_value(write failures), for slots whose last write
 *	failed; marked XA_MARK_0 while retired and due another chance
 * @used: slots allocated to pages
 * @bad: slots retired after a write error
 * @cursor: where the next-fit search starts
 * @retry_at: while @failing, no eviction writes before this (jiffies)
 * @backoff: the next back-off after a failure (jiffies)
 * @failing: the last write failed
 * @discard: the device supports discard
 * @rcu: frees it after lockless readers of its gauges and path
 * @path: the path it was opened by
 *
 * Everything but @bdev, @path, @nr_slots and @discard is under the pager
 * lock. A device's store changes (swapmem_store_change()) only under the
 * pager lock and while no slot is allocated, so I/O to a slot needs no lock
 * to reach it.
 */
struct swapmem_store {
	struct swapmem_bdev bdev;
	unsigned long nr_slots;
	unsigned long nr_chunks;
	struct xarray chunks;
	unsigned long *full;
	unsigned long *spare;
	unsigned int *chunk_used;
	struct xarray failed;
	unsigned long used;
	unsigned long bad;
	unsigned long cursor;
	unsigned long retry_at;
	unsigned long backoff;
	bool failing;
	bool discard;
	struct rcu_head rcu;
	char path[];
};

/**
 * struct swapmem_device - one /dev/swapmemN
 * @dev: the class device (/sys/class/swapmem/swapmemN)
 * @cdev: the character device
 * @id: N
 * @lock: the pager lock; see "Locking" above
 * @wq: where faults and teardown wait for BUSY frames
 * @unbusy_seq: bumped whenever a BUSY frame settles; what @wq waits on
 * @config_lock: serializes configuration changes (pool size, backing
 *	device); see "Locking"
 * @frames: the pool: pointers to the frames, in CLOCK order
 * @nr_frames: frames in the pool
 * @free_frames: frames owned by no space
 * @nr_free: length of @free_frames
 * @hand: the CLOCK hand, an index into @frames
 * @small: S3-FIFO small queue, oldest first
 * @main: S3-FIFO main queue, oldest first
 * @nr_small: frames in @small
 * @nr_main: frames in @main
 * @nr_dirty: frames with DIRTY set
 * @wb_work: the background writeback (swapmem_writeback_work())
 * @wb_batch: its batch; only the work item uses it
 * @wb_next: CLOCK, FIFO: the frame table index a run of the writeback
 *	goes on from, ULONG_MAX between runs
 * @wb_cursor: S3-FIFO: a list node in @small or @main that a run of the
 *	writeback goes on from; empty between runs
 * @wb_cursor_main: @wb_cursor is in @main
 * @wb_seen: S3-FIFO: frames that run has looked at
 * @ra_max: largest readahead window in pages, 0 for none (sysfs readahead)
 * @wb_reserve: percent of the pool background writeback keeps clean or
 *	free (sysfs writeback_reserve), 0 for none
 * @nr_pinned: frames pinned, all spaces together
 * @pin_limit: the most frames that may be pinned
 * @policy: SWAPMEM_POLICY_* (replacement)
 * @accounting: SWAPMEM_ACCT_*
 * @committed: pages mapped by all spaces together (their sizes)
 * @store: the swap store, NULL without a backing device; changes under
 *	the config lock and the pager lock, freed after RCU
 * @nr_spaces: address spaces (opens) alive; SWAPMEM_GATE_CLOSED once
 *	hot_remove has begun, and no space may open
 * @stats: counters
 */
struct swapmem_device {
	struct device dev;
	struct cdev cdev;
	int id;

	struct mutex lock;	/* the pager lock: see "Locking" */
	wait_queue_head_t wq;
	unsigned long unbusy_seq;
	struct mutex config_lock;	/* before the pager lock */
	struct swapmem_frame **frames;
	unsigned long nr_frames;
	struct list_head free_frames;
	unsigned long nr_free;
	unsigned long hand;
	struct list_head small;
	struct list_head main;
	unsigned long nr_small;
	unsigned long nr_main;
	atomic_long_t nr_dirty;
	struct work_struct wb_work;
	struct swapmem_batch_io wb_batch;
	unsigned long wb_next;
	struct list_head wb_cursor;
	bool wb_cursor_main;
	unsigned long wb_seen;
	unsigned int ra_max;
	unsigned int wb_reserve;
	unsigned long nr_pinned;
	unsigned long pin_limit;
	unsigned int policy;
	unsigned int accounting;
	unsigned long committed;

	struct swapmem_store __rcu *store;

	atomic_t nr_spaces;
	struct swapmem_dev_stats stats;
};

/**
 * struct swapmem_space - one open() of a device: a virtual address space
 * @sdev: the device it lives on
 * @inode: private inode whose mapping holds every vma of this space, so
 *	unmapping one page of it reaches every process and no other space
 * @pt: the page table: index -> nothing (reads as zeros), a
 *	struct swapmem_frame * (resident) or swapmem_swapped() (swapped out);
 *	under the pager lock
 * @size: bytes mapped so far: the end of the highest mapping made of it
 * @minor_faults: its faults served from a resident frame
 * @major_faults: its faults that read a slot; pager lock
 * @zero_fill_faults: its first touches; pager lock
 * @evictions: its pages evicted; pager lock
 * @nr_resident: its pages in a frame; pager lock
 * @nr_swapped: its pages only in a slot; pager lock
 * @nr_dirty: its frames with DIRTY set
 * @nr_pinned: its frames with PINNED set; pager lock
 * @ra_last: page of its last major fault; pager lock
 * @ra_end: first page after its last readahead window; pager lock
 * @ra_win: its readahead window: grows when read-ahead pages are used,
 *	shrinks when they are evicted unused; a heuristic, updated under the
 *	pager lock or a frame lock, READ_ONCE/WRITE_ONCE
 * @dying: being torn down (no mapping is left): its dirty pages are
 *	evicted without a write; pager lock
 */
struct swapmem_space {
	struct swapmem_device *sdev;
	struct inode *inode;
	struct xarray pt;
	u64 size;
	atomic_long_t minor_faults;
	unsigned long major_faults;
	unsigned long zero_fill_faults;
	unsigned long evictions;
	unsigned long nr_resident;
	unsigned long nr_swapped;
	atomic_long_t nr_dirty;
	unsigned long nr_pinned;
	pgoff_t ra_last;
	pgoff_t ra_end;
	unsigned int ra_win;
	bool dying;
};

struct swapmem_space_counters;
struct swapmem_dev_counters;

extern const struct file_operations swapmem_fops;
extern const struct attribute_group *swapmem_dev_groups[];

static inline struct swapmem_device *swapmem_dev(struct device *dev)
{
	return container_of(dev, struct swapmem_device, dev);
}

/* The device's store, NULL if none: under the pager lock. */
static inline struct swapmem_store *swapmem_store(struct swapmem_device *sdev)
{
	return rcu_dereference_protected(sdev->store, lockdep_is_held(&sdev->lock));
}

/*
 * The store of a slot the caller holds allocated (it does I/O to it, or
 * frees it): the store cannot change while a slot is allocated.
 */
static inline struct swapmem_store *swapmem_store_of_slot(struct swapmem_device *sdev)
{
	return rcu_dereference_protected(sdev->store, true);
}

/* pager.c */
unsigned long swapmem_capacity(struct swapmem_device *sdev);
bool swapmem_capacity_fits(struct swapmem_device *sdev, long frames_delta,
			   long slots_delta);
int swapmem_pool_init(struct swapmem_device *sdev, unsigned long nr_frames);
int swapmem_pool_resize(struct swapmem_device *sdev, unsigned long nr);
void swapmem_pool_exit(struct swapmem_device *sdev);
vm_fault_t swapmem_pager_fault(struct swapmem_space *space, struct vm_fault *vmf);
vm_fault_t swapmem_pager_mkwrite(struct swapmem_space *space, struct vm_fault *vmf);
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last,
		       unsigned long *done);
long swapmem_space_advise(struct swapmem_space *space, unsigned int advice,
			  pgoff_t first, pgoff_t last);
void swapmem_space_counters(struct swapmem_space *space,
			    struct swapmem_space_counters *c);
void swapmem_dev_counters(struct swapmem_device *sdev,
			  struct swapmem_dev_counters *c);
void swapmem_stats_reset(struct swapmem_device *sdev);
unsigned long swapmem_frames_dirty(struct swapmem_device *sdev);
unsigned long swapmem_frames_used(struct swapmem_device *sdev);
void swapmem_writeback_work(struct work_struct *work);

/* ioctl.c */
long swapmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
void swapmem_space_teardown(struct swapmem_space *space);

/* store.c */
int swapmem_store_attach(struct swapmem_device *sdev, const char *path);
void swapmem_store_detach(struct swapmem_device *sdev);
int swapmem_store_change(struct swapmem_device *sdev, const char *path);
int swapmem_slot_rw(struct swapmem_device *sdev, struct page *page,
		    unsigned long slot, bool write);
int swapmem_slots_rw(struct swapmem_device *sdev, struct swapmem_batch_io *io,
		     bool write);
void swapmem_slots_release(struct swapmem_device *sdev, unsigned long *slots,
			   unsigned long n);

/* slots.c */
int swapmem_slots_init(struct swapmem_store *st, unsigned long nr_slots);
void swapmem_slots_exit(struct swapmem_store *st);
unsigned long swapmem_slot_alloc(struct swapmem_device *sdev, unsigned long hint);
void swapmem_slot_free(struct swapmem_device *sdev, unsigned long slot);
bool swapmem_slot_available(struct swapmem_device *sdev);
void swapmem_slot_written(struct swapmem_device *sdev, unsigned long slot,
			  int err);
bool swapmem_store_backing_off(struct swapmem_device *sdev);

/*
 * The open gate: a new space counts itself in nr_spaces unless hot_remove
 * has closed the gate, which it does only while no space is open.
 */
#define SWAPMEM_GATE_CLOSED	(-1)

/* Count a new space on @sdev: 0, or -ENODEV when the device goes away. */
static inline int swapmem_space_enter(struct swapmem_device *sdev)
{
	return atomic_inc_unless_negative(&sdev->nr_spaces) ? 0 : -ENODEV;
}

/* Close @sdev's gate if no space is open: true if closed. */
static inline bool swapmem_spaces_close_gate(struct swapmem_device *sdev)
{
	return atomic_cmpxchg(&sdev->nr_spaces, 0, SWAPMEM_GATE_CLOSED) == 0;
}

/* Spaces open on @sdev. */
static inline int swapmem_spaces(struct swapmem_device *sdev)
{
	return max(atomic_read(&sdev->nr_spaces), 0);
}

/* main.c */
int swapmem_parse_size(const char *buf, u64 *size);
int swapmem_pool_charge(int id, unsigned long frames);
void swapmem_pool_uncharge(unsigned long frames);

/*
 * Race windows (debug.c): in a build with SWAPMEM_DEBUG_RACES (the lab's
 * debug lane, never a release build), the named windows of the lockless
 * paths wait a random while, up to the race_delay_us module parameter, so
 * that stress tests meet the interleavings that are rare otherwise.
 */
enum swapmem_race {
	SWAPMEM_RACE_LOOKUP,	/* a lockless fault: lookup vs trylock (atomic) */
	SWAPMEM_RACE_FLAGS,	/* a lockless fault: locked, re-checked vs flags */
	SWAPMEM_RACE_MAP,	/* MAPPED set vs the PTE installed */
	SWAPMEM_RACE_UNMAP,	/* MAPPED cleared vs the zap */
	SWAPMEM_RACE_MKWRITE,	/* pfn_mkwrite: before its lookup, after its unmap */
	SWAPMEM_RACE_UNBUSY,	/* a BUSY frame settled vs its waiter's look */
	SWAPMEM_RACE_STORE,	/* backing_dev change vs the pager lock */
};

#ifdef SWAPMEM_DEBUG_RACES
void swapmem_race_window(enum swapmem_race where);
#else
static inline void swapmem_race_window(enum swapmem_race where)
{
}
#endif

/* file.c */
int swapmem_fs_init(void);
void swapmem_fs_exit(void);

#endif /* _SWAPMEM_DRV_H */
