/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * swapmem: swap-backed virtual memory on a block device, mapped with mmap().
 *
 * Each open() of /dev/swapmemN is one virtual address space. This header
 * holds what user space shares with the module: its ioctls and structures.
 * Every ioctl acts on the caller's own open file (its space) and on the
 * device it lives on. Unknown commands answer ENOTTY; unknown flags, advice
 * or non-zero reserved fields EINVAL; bad pointers EFAULT.
 */
#ifndef _UAPI_LINUX_SWAPMEM_H
#define _UAPI_LINUX_SWAPMEM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ioctl type shared by every swapmem command */
#define SWAPMEM_IOCTL_BASE	0xB9

/* Accounting policies (struct swapmem_info.accounting) */
#define SWAPMEM_ACCT_OVERCOMMIT	0	/* mmap always works; SIGBUS when full */
#define SWAPMEM_ACCT_STRICT	1	/* mmap fails with ENOMEM past capacity */

/* Replacement policies (struct swapmem_info.policy) */
#define SWAPMEM_POLICY_CLOCK	0	/* second chance, the default */
#define SWAPMEM_POLICY_FIFO	1	/* oldest page first, for comparison */
#define SWAPMEM_POLICY_S3FIFO	2	/* scan-resistant: small, main, ghost */

/**
 * struct swapmem_info - what SWAPMEM_IOC_INFO reports
 * @device_id: (out) N of /dev/swapmemN
 * @page_size: (out) bytes in a page, the unit of everything below
 * @policy: (out) SWAPMEM_POLICY_*
 * @accounting: (out) SWAPMEM_ACCT_*
 * @backing_major: (out) major number of the backing device, 0 if none
 * @backing_minor: (out) minor number of the backing device
 * @pool_frames: (out) frames in the device's pool
 * @slots_total: (out) swap slots on the backing device, 0 if none
 * @pin_limit: (out) frames the device lets be pinned, all spaces together
 * @space_size: (out) bytes of this space mapped so far: the end of the
 *	highest mapping made of it
 * @space_max: (out) the most bytes a space can map
 * @reserved: (out) zero
 */
struct swapmem_info {
	__u32 device_id;
	__u32 page_size;
	__u32 policy;
	__u32 accounting;
	__u32 backing_major;
	__u32 backing_minor;
	__u64 pool_frames;
	__u64 slots_total;
	__u64 pin_limit;
	__u64 space_size;
	__u64 space_max;
	__u64 reserved[8];
};

/**
 * struct swapmem_dev_counters - a device's counters and gauges
 * @minor_faults: (out) faults served from a resident frame
 * @major_faults: (out) faults that read the page from its slot
 * @zero_fill_faults: (out) first touches, served with a zeroed frame
 * @ref_faults: (out) minor faults caused by CLOCK sampling a reference bit
 * @evictions_clean: (out) victims dropped without a write
 * @evictions_dirty: (out) victims written to their slot first
 * @swap_reads: (out) pages read from the backing device
 * @swap_writes: (out) pages written to the backing device
 * @read_errors: (out) failed swap-ins
 * @write_errors: (out) failed write-outs
 * @nomem_faults: (out) faults that got SIGBUS for lack of a frame
 * @hand_steps: (out) frames the replacement hand looked at
 * @hand_sweeps: (out) full turns of the hand
 * @second_chances: (out) referenced frames the hand spared
 * @discards: (out) freed slots discarded
 * @frames_free: (out) gauge: frames holding no page
 * @frames_used: (out) gauge: frames holding a page
 * @frames_dirty: (out) gauge: frames newer than their slot copy
 * @frames_pinned: (out) gauge: frames pinned by SWAPMEM_ADV_PIN
 * @slots_used: (out) gauge: slots holding a page
 * @slots_bad: (out) gauge: slots retired after a write error
 * @nr_spaces: (out) gauge: spaces open on the device
 * @retry_faults: (out) major faults whose read ran without mmap_lock
 * @readahead_pages: (out) pages read ahead of sequential faults
 * @readahead_hits: (out) pages read ahead that were used
 * @readahead_wasted: (out) pages read ahead and evicted unused
 * @writeback_pages: (out) dirty pages written ahead of demand
 * @writeback_batches: (out) batches of background writes
 * @slot_retries: (out) retired slots given another chance once the
 *	backing device wrote again
 * @held_skips: (out) frames not evicted or written because something
 *	outside the pool held their page (O_DIRECT, a pipe, a futex lookup)
 * @frames_held: (out) gauge: frames of closed spaces whose page is still
 *	held outside the pool (a pipe): out of use until let go
 * @around_pages: (out) resident pages a read fault mapped beside its own
 */
struct swapmem_dev_counters {
	__u64 minor_faults;
	__u64 major_faults;
	__u64 zero_fill_faults;
	__u64 ref_faults;
	__u64 evictions_clean;
	__u64 evictions_dirty;
	__u64 swap_reads;
	__u64 swap_writes;
	__u64 read_errors;
	__u64 write_errors;
	__u64 nomem_faults;
	__u64 hand_steps;
	__u64 hand_sweeps;
	__u64 second_chances;
	__u64 discards;
	__u64 frames_free;
	__u64 frames_used;
	__u64 frames_dirty;
	__u64 frames_pinned;
	__u64 slots_used;
	__u64 slots_bad;
	__u64 nr_spaces;
	__u64 retry_faults;
	__u64 readahead_pages;
	__u64 readahead_hits;
	__u64 readahead_wasted;
	__u64 writeback_pages;
	__u64 writeback_batches;
	__u64 slot_retries;
	__u64 held_skips;
	__u64 frames_held;
	__u64 around_pages;
};

/**
 * struct swapmem_space_counters - the caller's own space
 * @minor_faults: (out) its faults served from a resident frame
 * @major_faults: (out) its faults that read the page from its slot
 * @zero_fill_faults: (out) its first touches
 * @evictions: (out) its pages evicted
 * @resident: (out) gauge: its pages in a frame
 * @dirty: (out) gauge: its resident pages newer than their slot copy
 * @swapped: (out) gauge: its pages only in a slot
 * @pinned: (out) gauge: its pages pinned
 * @reserved: (out) zero
 */
struct swapmem_space_counters {
	__u64 minor_faults;
	__u64 major_faults;
	__u64 zero_fill_faults;
	__u64 evictions;
	__u64 resident;
	__u64 dirty;
	__u64 swapped;
	__u64 pinned;
	__u64 reserved[8];
};

/**
 * struct swapmem_stats - what SWAPMEM_IOC_STATS reports
 * @flags: (in) zero
 * @reserved0: (in) zero
 * @device: (out) the device's counters
 * @space: (out) the caller's space's counters
 */
struct swapmem_stats {
	__u32 flags;
	__u32 reserved0;
	struct swapmem_dev_counters device;
	struct swapmem_space_counters space;
};

/* Advice on a range of the caller's space (struct swapmem_advice.advice) */
#define SWAPMEM_ADV_PREFETCH	1	/* read swapped pages in now */
#define SWAPMEM_ADV_PAGEOUT	2	/* write dirty pages, free the frames */
#define SWAPMEM_ADV_DROP	3	/* discard: the range reads as zeros */
#define SWAPMEM_ADV_SYNC	4	/* write dirty pages, keep them */
#define SWAPMEM_ADV_PIN		5	/* bring in and keep resident */
#define SWAPMEM_ADV_UNPIN	6	/* let pinned pages go again */

/**
 * struct swapmem_advice - a SWAPMEM_IOC_ADVISE request
 * @offset: (in) first byte of the range in the space, page aligned
 * @length: (in) bytes in the range, page aligned, not zero; the range must
 *	end at or before struct swapmem_info.space_max, and is cut to the
 *	space (struct swapmem_info.space_size): pages past it are left alone
 * @advice: (in) SWAPMEM_ADV_*
 * @flags: (in) zero
 * @pages: (out) pages the advice acted on
 * @reserved: (in) zero
 */
struct swapmem_advice {
	__u64 offset;
	__u64 length;
	__u32 advice;
	__u32 flags;
	__u64 pages;
	__u64 reserved[2];
};

#define SWAPMEM_IOC_INFO	_IOR(SWAPMEM_IOCTL_BASE, 0x00, struct swapmem_info)
#define SWAPMEM_IOC_STATS	_IOWR(SWAPMEM_IOCTL_BASE, 0x01, struct swapmem_stats)
#define SWAPMEM_IOC_ADVISE	_IOWR(SWAPMEM_IOCTL_BASE, 0x02, struct swapmem_advice)
/* Zero the device's counters (not its gauges). Needs CAP_SYS_ADMIN. */
#define SWAPMEM_IOC_RESET_STATS	_IO(SWAPMEM_IOCTL_BASE, 0x03)

#endif /* _UAPI_LINUX_SWAPMEM_H */
