/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem internal definitions.
 *
 * Locking, outermost first; lockdep checks the order:
 *
 *   swapmem_devices_lock  mutex (device.c): the device table, the module's
 *                         state
 *     config_lock         mutex, per device: pool size, backing device
 *       pool_lock         mutex, per device: the pool and its policy, each
 *                         frame's owner, the spaces' page tables, the slot
 *                         map; faults take it under mmap_lock
 *         frame lock      bit 0 of swapmem_frame.lock, a sleeping bit lock
 *                         with a lockdep_map
 *           page lock     of the frame's page (lock_page()), taken by
 *                         every unmap; one lockdep_map for all of them
 *             i_mmap_rwsem  of a space's mapping (unmap_mapping_pages())
 *               page table locks (vm_insert_page(), zapping)
 *
 * The exceptions: minor faults, and the fault-around after any read
 * fault, take a frame lock without the pool lock, by trylock under RCU,
 * and page_mkwrite does so holding the page lock (which the core lets go
 * once the PTE is writable); a pool shrink locks
 * the frames it took out, once no lookup can reach them, without it.
 * Nothing takes mmap_lock, holds two frame locks, or waits for the pool
 * lock holding a frame lock; the pool lock is not held across block I/O
 * or while touching user memory. What
 * each lock keeps, and why: Documentation/swapmem/design.rst, "Locking".
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
#include "frame.h"
#include "policy.h"
#include "stats.h"

/*
 * A swapped page's slot lives in an xarray value, BITS_PER_LONG - 1 bits
 * wide: a 32-bit kernel could not hold the slots of a 4 TiB device.
 */
#if BITS_PER_LONG < 64
#error "swapmem needs a 64-bit kernel"
#endif

#define SWAPMEM_MAX_DEVICES	64
/* The pool of a device that hot_add or nr_devices creates, and swapmem0's default. */
#define SWAPMEM_POOL_DEFAULT	(16UL << 20)
#define SWAPMEM_POOL_MIN	(64UL << 10)

/* Largest the pools of all devices together may be: half of RAM. */
static inline unsigned long swapmem_pool_max(void)
{
	return (totalram_pages() / 2) << PAGE_SHIFT;
}

/* Walks under the pool lock let go of it after this many entries. */
#define SWAPMEM_WALK_BATCH	64

/* A space is at most this large (1 TiB), so offsets never overflow. */
#define SWAPMEM_SPACE_MAX_PAGES	(1UL << (40 - PAGE_SHIFT))

/* Most pages one batch of I/O carries (readahead, background writeback). */
#define SWAPMEM_BATCH_MAX	64
/* Largest background writeback reserve, percent of the pool. */
#define SWAPMEM_WB_RESERVE_MAX	50
/* Largest readahead window, in pages after the faulting one. */
#define SWAPMEM_RA_MAX		(SWAPMEM_BATCH_MAX - 1)
/* Most pages a read fault maps, its own included (sysfs fault_around). */
#define SWAPMEM_FAULT_AROUND_MAX	16

struct swapmem_batch_io;

/* One bio of a batch, for its completion (store.c): @n pages from @err on. */
struct swapmem_batch_bio {
	struct swapmem_batch_io *io;
	int *err;
	unsigned int n;
};

/**
 * struct swapmem_batch_io - the pages of one batch of I/O
 * @n: how many
 * @frames: their frames
 * @pages: the frames' pages
 * @slots: their slots
 * @errs: each page's result
 * @ctx: the completion context of each bio (one per run of adjacent slots)
 * @sdev: a read-ahead batch's device
 * @pending: its bios in flight, and one for whoever submits them
 * @done: all bios completed; a read-ahead batch: its lead page's bio did
 * @lead: a read-ahead batch: how many pages, from the first on, a fault
 *	waits for (0 or 1); the rest settle in their bios' completions
 * @async: a read-ahead batch (swapmem_slots_read_ahead()), freed once read
 */
struct swapmem_batch_io {
	unsigned int n;
	struct swapmem_frame *frames[SWAPMEM_BATCH_MAX];
	struct page *pages[SWAPMEM_BATCH_MAX];
	unsigned long slots[SWAPMEM_BATCH_MAX];
	int errs[SWAPMEM_BATCH_MAX];
	struct swapmem_batch_bio ctx[SWAPMEM_BATCH_MAX];
	struct swapmem_device *sdev;
	atomic_t pending;
	struct completion done;
	unsigned int lead;
	bool async;
};

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
 * Everything but @bdev, @path, @nr_slots and @discard is under the pool
 * lock. A device's store changes (swapmem_store_change()) only under the
 * pool lock and while no slot is allocated, so I/O to a slot needs no lock
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
 * @pool_lock: guards the pool and its policy, each frame's owner, index
 *	and slot, the spaces' page tables and counts, and the slot map; see
 *	"Locking" above
 * @wq: where faults and teardown wait for BUSY frames
 * @unbusy_seq: bumped whenever a BUSY frame settles; what @wq waits on
 * @ra_inflight: read-ahead batches not yet completed; the device is not
 *	freed before they are
 * @config_lock: serializes configuration changes (pool size, backing
 *	device); see "Locking"
 * @frames: the pool: pointers to the frames (the CLOCK hand's order)
 * @nr_frames: frames in the pool
 * @free_frames: frames owned by no space
 * @nr_free: length of @free_frames
 * @held_frames: frames owned by no space whose page someone outside the
 *	pool still holds (a pin, a pipe): off the free list until let go
 * @nr_held: length of @held_frames
 * @nr_dirty: frames with DIRTY set
 * @policy: the replacement policy, one of swapmem_policies[]; changes
 *	under the pool lock, read without it only for its name
 * @policy_priv: the policy's state (swapmem_policy_ops.priv_size bytes)
 * @policy_seq: bumped when @policy changes; pool lock
 * @wb_work: the background writeback (swapmem_writeback_work())
 * @wb_batch: its batch; only the work item uses it
 * @ra_max: largest readahead window in pages, 0 for none (sysfs readahead)
 * @fault_around: most pages a read fault maps, its own included; 1 maps
 *	only its own (sysfs fault_around)
 * @wb_reserve: percent of the pool background writeback keeps clean or
 *	free (sysfs writeback_reserve), 0 for none
 * @nr_pinned: frames pinned, all spaces together
 * @pin_limit: the most frames that may be pinned
 * @accounting: SWAPMEM_ACCT_*
 * @committed: pages mapped by all spaces together (their sizes)
 * @store: the swap store, NULL without a backing device; changes under
 *	the config lock and the pool lock, freed after RCU
 * @nr_spaces: address spaces (opens) alive; SWAPMEM_GATE_CLOSED once
 *	hot_remove has begun, and no space may open
 * @stats: counters, per CPU
 * @stats_base: what they read at the last reset
 */
struct swapmem_device {
	struct device dev;
	struct cdev cdev;
	int id;

	struct mutex pool_lock;	/* see "Locking" */
	wait_queue_head_t wq;
	atomic_long_t unbusy_seq;
	atomic_t ra_inflight;
	struct mutex config_lock;	/* before the pool lock */
	struct swapmem_frame **frames;
	unsigned long nr_frames;
	struct list_head free_frames;
	unsigned long nr_free;
	struct list_head held_frames;
	unsigned long nr_held;
	atomic_long_t nr_dirty;
	const struct swapmem_policy_ops *policy;
	void *policy_priv;
	unsigned long policy_seq;
	struct work_struct wb_work;
	struct swapmem_batch_io wb_batch;
	unsigned int ra_max;
	unsigned int fault_around;
	unsigned int wb_reserve;
	unsigned long nr_pinned;
	unsigned long pin_limit;
	unsigned int accounting;
	unsigned long committed;

	struct swapmem_store __rcu *store;

	atomic_t nr_spaces;
	struct swapmem_dev_stats __percpu *stats;
	struct swapmem_dev_stats stats_base;
};

/**
 * struct swapmem_space - one open() of a device: a virtual address space
 * @sdev: the device it lives on
 * @inode: private inode whose mapping holds every vma of this space, so
 *	unmapping one page of it reaches every process and no other space
 * @pt: the page table: index -> nothing (reads as zeros), a
 *	struct swapmem_frame * (resident) or swapmem_swapped() (swapped out);
 *	under the pool lock
 * @size: bytes mapped so far: the end of the highest mapping made of it
 * @minor_faults: its faults served from a resident frame
 * @major_faults: its faults that read a slot; pool lock
 * @zero_fill_faults: its first touches; pool lock
 * @evictions: its pages evicted; pool lock
 * @nr_resident: its pages in a frame; pool lock
 * @nr_swapped: its pages only in a slot; pool lock
 * @nr_dirty: its frames with DIRTY set
 * @nr_pinned: its frames with PINNED set; pool lock
 * @ra_last: page of its last major fault; pool lock
 * @ra_end: first page after its last readahead window; pool lock
 * @ra_win: its readahead window: grows when read-ahead pages are used,
 *	shrinks when they are evicted unused; a heuristic, updated under the
 *	pool lock or a frame lock, READ_ONCE/WRITE_ONCE
 * @dying: being torn down (no mapping is left): its dirty pages are
 *	evicted without a write; pool lock
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

extern const struct file_operations swapmem_fops;
extern const struct attribute_group *swapmem_dev_groups[];

static inline struct swapmem_device *swapmem_dev(struct device *dev)
{
	return container_of(dev, struct swapmem_device, dev);
}

/* The device's store, NULL if none: under the pool lock. */
static inline struct swapmem_store *swapmem_store(struct swapmem_device *sdev)
{
	return rcu_dereference_protected(sdev->store, lockdep_is_held(&sdev->pool_lock));
}

/*
 * The store of a slot the caller holds allocated (it does I/O to it, or
 * frees it): the store cannot change while a slot is allocated.
 */
static inline struct swapmem_store *swapmem_store_of_slot(struct swapmem_device *sdev)
{
	return rcu_dereference_protected(sdev->store, true);
}

/* Lock a frame of the pool, with the pool lock held. Sleeps. */
static inline void swapmem_frame_lock(struct swapmem_device *sdev,
				      struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	__swapmem_frame_lock(f);
}

/* The same for a fault that may give up: 0, or -EINTR for a fatal signal. */
static inline int swapmem_frame_lock_killable(struct swapmem_device *sdev,
					      struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	lock_map_acquire(&f->dep_map);
	if (wait_on_bit_lock(&f->lock, 0, TASK_KILLABLE)) {
		lock_map_release(&f->dep_map);
		return -EINTR;
	}
	return 0;
}

/* The replacement policy's hooks that are optional (policy.h). */
static inline void swapmem_policy_inserted(struct swapmem_device *sdev,
					   struct swapmem_frame *f, bool ghost)
{
	lockdep_assert_held(&sdev->pool_lock);
	if (sdev->policy->inserted)
		sdev->policy->inserted(sdev, f, ghost);
}

static inline void swapmem_policy_removed(struct swapmem_device *sdev,
					  struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	if (sdev->policy->removed)
		sdev->policy->removed(sdev, f);
}

static inline void swapmem_policy_pinned(struct swapmem_device *sdev,
					 struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	if (sdev->policy->pinned)
		sdev->policy->pinned(sdev, f);
}

/* pool.c */
int swapmem_pool_init(struct swapmem_device *sdev, unsigned long nr_frames);
void swapmem_pool_exit(struct swapmem_device *sdev);
int swapmem_pool_resize(struct swapmem_device *sdev, unsigned long nr);
unsigned long swapmem_capacity(struct swapmem_device *sdev);
bool swapmem_capacity_fits(struct swapmem_device *sdev, long frames_delta,
			   long slots_delta);
struct swapmem_frame *swapmem_free_list_take(struct swapmem_device *sdev);
void swapmem_free_list_add(struct swapmem_device *sdev, struct swapmem_frame *f);
void swapmem_frame_set_dirty(struct swapmem_device *sdev, struct swapmem_frame *f);
void swapmem_frame_clear_dirty(struct swapmem_device *sdev,
			       struct swapmem_frame *f);
unsigned long swapmem_frames_dirty(struct swapmem_device *sdev);
unsigned long swapmem_frames_used(struct swapmem_device *sdev);

/* evict.c: how swapmem_frame_reclaim() may get a frame */
#define SWAPMEM_RECLAIM_CLEAN_ONLY	BIT(0)	/* free or clean only, the lock kept */
#define SWAPMEM_RECLAIM_KILLABLE	BIT(1)	/* waits end at a fatal signal */
#define SWAPMEM_RECLAIM_NOBACKOFF	BIT(2)	/* no wait for a back-off: -EAGAIN */
/* how swapmem_evict() and swapmem_search_try() evict */
#define SWAPMEM_EVICT_GHOST		BIT(0)	/* the page leaves as a ghost */
#define SWAPMEM_EVICT_CLEAN_ONLY	BIT(1)	/* a dirty victim stays: -EBUSY */

struct swapmem_frame *swapmem_frame_reclaim(struct swapmem_device *sdev,
					    unsigned int how);
int swapmem_evict(struct swapmem_device *sdev, struct swapmem_frame *f,
		  unsigned int how);
bool swapmem_frame_is_evictable(struct swapmem_device *sdev,
				struct swapmem_frame *f);
int swapmem_search_try(struct swapmem_device *sdev, struct swapmem_search *s,
		       struct swapmem_frame *f, unsigned int how);
bool swapmem_search_pause(struct swapmem_device *sdev, struct swapmem_search *s,
			  unsigned long steps);
void swapmem_frame_spare(struct swapmem_device *sdev, struct swapmem_frame *f);
void swapmem_frame_unmap(struct swapmem_device *sdev, struct swapmem_frame *f);
bool swapmem_frame_unmap_unheld(struct swapmem_device *sdev,
				struct swapmem_frame *f);
int swapmem_frame_write(struct swapmem_device *sdev, struct swapmem_frame *f);
unsigned long swapmem_slot_hint(struct swapmem_space *space, pgoff_t index);
void swapmem_io_error(struct swapmem_device *sdev, struct swapmem_frame *f,
		      unsigned long slot, bool write, int err);
void swapmem_unbusy_notify(struct swapmem_device *sdev);
void swapmem_wake_waiters(struct swapmem_device *sdev);
void swapmem_frame_unbusy(struct swapmem_device *sdev, struct swapmem_frame *f);
int swapmem_wait_unbusy(struct swapmem_device *sdev, struct swapmem_frame *f,
			bool killable);

/*
 * The count of BUSY frames that settled, read before the caller looks at
 * any BUSY bit: if it then sees one set, the count moves when that frame
 * settles (swapmem_unbusy_notify()).
 */
static inline unsigned long swapmem_unbusy_seq(struct swapmem_device *sdev)
{
	unsigned long seq = atomic_long_read(&sdev->unbusy_seq);

	/* pairs with swapmem_unbusy_notify() */
	smp_mb();
	return seq;
}

/**
 * enum swapmem_load_kind - how swapmem_page_load() found or made a page
 * @SWAPMEM_LOAD_RESIDENT: it was resident (a minor fault)
 * @SWAPMEM_LOAD_ZERO: first touch, zero-filled
 * @SWAPMEM_LOAD_READ: read from its slot (a major fault)
 * @SWAPMEM_LOAD_FRESH: read by this fault's first attempt, now retried
 */
enum swapmem_load_kind {
	SWAPMEM_LOAD_RESIDENT,
	SWAPMEM_LOAD_ZERO,
	SWAPMEM_LOAD_READ,
	SWAPMEM_LOAD_FRESH,
};

/**
 * struct swapmem_load - how to make a page resident (swapmem_page_load())
 * @vmf: the fault that wants it, or NULL (advice)
 * @fpin: where a fault that lets go of mmap_lock pins the space's file
 * @killable: its waits end at a fatal signal
 * @kind: (out) how the page was found or made resident
 * @ra_mark: (out) a fault found its page was a read-ahead window's marker:
 *	the caller starts the next window (swapmem_readahead_async()); for a
 *	write fault, with no lock held, before it looks the page up again
 */
struct swapmem_load {
	struct vm_fault *vmf;
	struct file **fpin;
	bool killable;
	enum swapmem_load_kind kind;
	bool ra_mark;
};

/* space.c */
struct swapmem_frame *swapmem_page_load(struct swapmem_space *space,
					pgoff_t index, struct swapmem_load *ld);
void swapmem_pt_set(struct swapmem_space *space, pgoff_t index, void *entry);
struct swapmem_frame *swapmem_pt_frame(struct swapmem_space *space,
				       pgoff_t index);
int swapmem_walk_pause(struct swapmem_device *sdev, unsigned long *steps);
void swapmem_space_teardown(struct swapmem_space *space);

/*
 * May this fault let go of mmap_lock to wait for I/O? Only on its first
 * attempt, and not for GUP's NOWAIT (which must not sleep unlocked).
 */
static inline bool swapmem_fault_may_unlock(struct vm_fault *vmf)
{
	return vmf && fault_flag_allow_retry_first(vmf->flags) &&
	       !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT);
}

/* readahead.c */
struct swapmem_batch_io *swapmem_readahead_prepare(struct swapmem_space *space,
						   pgoff_t index,
						   struct swapmem_frame *f);
struct swapmem_batch_io *swapmem_readahead_next(struct swapmem_space *space,
						pgoff_t index);
int swapmem_page_read(struct swapmem_device *sdev, struct swapmem_frame *f,
		      unsigned long slot, struct swapmem_batch_io *b);
int swapmem_readahead_start(struct swapmem_device *sdev,
			    struct swapmem_batch_io *b);
void swapmem_readahead_async(struct swapmem_space *space, pgoff_t index);
void swapmem_readahead_settle(struct swapmem_batch_io *b, unsigned int first,
			      unsigned int n, int err);
void swapmem_readahead_hit(struct swapmem_space *space);

/* fault.c */
extern const struct vm_operations_struct swapmem_vm_ops;

/* writeback.c */
void swapmem_writeback_work(struct work_struct *work);
void swapmem_writeback_kick(struct swapmem_device *sdev);
bool swapmem_writeback_offer(struct swapmem_device *sdev,
			     struct swapmem_batch_io *b, struct swapmem_frame *f);
int swapmem_space_sync(struct swapmem_space *space, pgoff_t first, pgoff_t last,
		       unsigned long *done);

/* The batch the background writeback fills is full. */
static inline bool swapmem_writeback_full(struct swapmem_batch_io *b)
{
	return b->n == SWAPMEM_BATCH_MAX;
}

/* advise.c */
long swapmem_space_advise(struct swapmem_space *space, unsigned int advice,
			  pgoff_t first, pgoff_t last);

/* ioctl.c */
long swapmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* store.c */
int swapmem_store_attach(struct swapmem_device *sdev, const char *path);
void swapmem_store_detach(struct swapmem_device *sdev);
int swapmem_store_change(struct swapmem_device *sdev, const char *path);
int swapmem_slot_rw(struct swapmem_device *sdev, struct page *page,
		    unsigned long slot, bool write);
int swapmem_slots_rw(struct swapmem_device *sdev, struct swapmem_batch_io *io,
		     bool write);
int swapmem_slots_read_ahead(struct swapmem_device *sdev,
			     struct swapmem_batch_io *io);
void swapmem_slots_release(struct swapmem_device *sdev, unsigned long *slots,
			   unsigned long n);

/* slots.c */
int swapmem_slots_init(struct swapmem_store *st, unsigned long nr_slots);
void swapmem_slots_exit(struct swapmem_store *st);
unsigned long swapmem_slot_alloc(struct swapmem_device *sdev, unsigned long hint);
unsigned int swapmem_slot_alloc_run(struct swapmem_device *sdev,
				    unsigned long hint, unsigned int n,
				    unsigned long *first);
unsigned long swapmem_slots_left(struct swapmem_device *sdev);
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

/* device.c */
int swapmem_devices_create(unsigned int nr, unsigned long pool_size,
			   const char *backing);
void swapmem_devices_remove(void);

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
	SWAPMEM_RACE_MKWRITE,	/* page_mkwrite: before its lookup, page locked after */
	SWAPMEM_RACE_UNBUSY,	/* a BUSY frame settled vs its waiter's look */
	SWAPMEM_RACE_STORE,	/* backing_dev change vs the pool lock */
	SWAPMEM_RACE_SETTLE,	/* a read-ahead frame settled vs the wake (atomic) */
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
