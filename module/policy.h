/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem replacement policies: which resident page leaves when a fault
 * needs a frame and none is free. A policy is a struct swapmem_policy_ops
 * in a file of its own and a line in swapmem_policies[] (policy.c); see
 * "Adding a policy" in Documentation/swapmem/design.rst.
 *
 * Every hook runs under the pool lock. References reach a policy as the
 * frame's REF bit, which every fault that maps a frame sets (minor faults
 * without the pool lock, so there is no hook per reference); a policy
 * reads and clears it when it looks at the frame.
 */
#ifndef _SWAPMEM_POLICY_H
#define _SWAPMEM_POLICY_H

#include <linux/types.h>

#include "frame.h"

struct swapmem_device;
struct swapmem_batch_io;

/**
 * struct swapmem_search - one victim search (swapmem_frame_reclaim())
 * @how: SWAPMEM_RECLAIM_* flags of the caller
 * @busy: set by the search if it met frames under I/O, which may settle
 * @held: set by the search if it passed frames by because their page was
 *	held outside the pool (swapmem_frame_held()), which may be let go
 * @victim: the evicted frame, when the search returns 1
 */
struct swapmem_search {
	unsigned int how;
	bool busy;
	bool held;
	struct swapmem_frame *victim;
};

/**
 * struct swapmem_policy_ops - a replacement policy
 * @name: as sysfs policy shows and takes it
 * @priv_size: bytes of state per device (sdev->policy_priv), zeroed for
 *	@start
 * @start: the policy becomes the device's: take in the frames already
 *	owned (f->space set; free ones are not the policy's)
 * @stop: it stops being the device's: let go of every frame
 * @inserted: frame @f got an owner (a fault or readahead brought a page
 *	in); @ghost: the page left the policy's lists recently unreferenced
 *	(swapmem_entry_is_ghost()). Optional.
 * @removed: @f, one of the policy's frames (inserted, or taken in by
 *	@start), leaves its owner (evicted, dropped, torn down). Optional.
 * @pinned: @f was pinned (SWAPMEM_ADV_PIN): it is never a victim while
 *	pinned. Optional.
 * @find_victim: search for a victim: for each frame it picks, a policy
 *	calls swapmem_search_try(), and every SWAPMEM_WALK_BATCH steps
 *	swapmem_search_pause() (which may let go of the pool lock; end the
 *	search when it says so). Return 1 with @s->victim evicted, 0 if no
 *	frame can go now (set @s->busy if some were under I/O), or
 *	swapmem_search_try()'s -EAGAIN. Once swapmem_search_try() returns
 *	anything but 0, return it at once: the lock may have been let go
 *	for a write, and the policy changed meanwhile.
 * @writeback_pick: offer the dirty frames among the next @window frames
 *	that @find_victim will look at to the background writeback
 *	(swapmem_writeback_offer()), until swapmem_writeback_full() or an
 *	offer is refused, going on from where the last call of this run
 *	stopped. Optional: without it there is no background writeback.
 * @writeback_end: a run of the background writeback ended: the next
 *	@writeback_pick starts from the front again. Optional.
 */
struct swapmem_policy_ops {
	const char *name;
	size_t priv_size;
	void (*start)(struct swapmem_device *sdev);
	void (*stop)(struct swapmem_device *sdev);
	void (*inserted)(struct swapmem_device *sdev, struct swapmem_frame *f,
			 bool ghost);
	void (*removed)(struct swapmem_device *sdev, struct swapmem_frame *f);
	void (*pinned)(struct swapmem_device *sdev, struct swapmem_frame *f);
	int (*find_victim)(struct swapmem_device *sdev, struct swapmem_search *s);
	void (*writeback_pick)(struct swapmem_device *sdev,
			       struct swapmem_batch_io *b, unsigned long window);
	void (*writeback_end)(struct swapmem_device *sdev);
};

/*
 * Can a victim search take owned frame @f, at least once its reference is
 * looked at? Not while it is under I/O (the search notes it: it may
 * settle soon) or pinned.
 */
static inline bool swapmem_search_may_take(struct swapmem_search *s,
					   struct swapmem_frame *f)
{
	if (test_bit(SWAPMEM_FRAME_BUSY, &f->flags)) {
		s->busy = true;
		return false;
	}
	return !test_bit(SWAPMEM_FRAME_PINNED, &f->flags);
}

extern const struct swapmem_policy_ops swapmem_policy_clock;
extern const struct swapmem_policy_ops swapmem_policy_fifo;
extern const struct swapmem_policy_ops swapmem_policy_s3fifo;

/* policy.c */
extern const struct swapmem_policy_ops *const swapmem_policies[];
int swapmem_policy_find(const char *buf);
int swapmem_policy_index(const struct swapmem_policy_ops *ops);
int swapmem_policy_set(struct swapmem_device *sdev, unsigned int index);
void swapmem_policy_exit(struct swapmem_device *sdev);

#endif /* _SWAPMEM_POLICY_H */
