// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem advice (SWAPMEM_IOC_ADVISE) on a range of a space: PREFETCH,
 * PAGEOUT, DROP, SYNC, PIN and UNPIN.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swapmem.h>

#include "swapmem_drv.h"

/*
 * Mark @f pinned, counted; false if it already was. A pinned frame is
 * never a victim; the policy is told (S3-FIFO moves it to its main queue).
 * Context: pool lock held.
 */
static bool swapmem_frame_pin(struct swapmem_space *space, struct swapmem_frame *f)
{
	if (test_and_set_bit(SWAPMEM_FRAME_PINNED, &f->flags))
		return false;
	set_bit(SWAPMEM_FRAME_REF, &f->flags);
	swapmem_policy_pinned(space->sdev, f);
	space->nr_pinned++;
	return true;
}

static bool swapmem_frame_unpin(struct swapmem_space *space, struct swapmem_frame *f)
{
	if (!test_and_clear_bit(SWAPMEM_FRAME_PINNED, &f->flags))
		return false;
	space->nr_pinned--;
	space->sdev->nr_pinned--;
	return true;
}

/*
 * Pin the pages [@first, @last] of @space, all or nothing against the pin
 * limit: on failure the pins this call made are undone (@mine, a bitmap
 * of the range, says which). Returns the pages newly pinned, or -errno.
 */
static long swapmem_range_pin(struct swapmem_space *space, pgoff_t first,
			      pgoff_t last, unsigned long *mine)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long index, need = last - first + 1, done = 0, steps = 0;
	struct swapmem_load ld = { .killable = true };
	struct swapmem_frame *f;
	void *entry;
	long err = 0;

	xa_for_each_range(&space->pt, index, entry, first, last)
		if (!xa_is_value(entry) && swapmem_frame_is_pinned(entry))
			need--;
	if (sdev->nr_pinned + need > sdev->pin_limit)
		return -ENOMEM;
	/* Reserve the quota first: the lock is dropped while loading. */
	sdev->nr_pinned += need;
	for (index = first; index <= last; index++) {
		f = swapmem_page_load(space, index, &ld);
		if (IS_ERR(f)) {
			err = PTR_ERR(f) == -ENOSPC ? -ENOMEM : PTR_ERR(f);
			break;
		}
		/* within the reservation, whatever others pin or unpin */
		if (done < need && swapmem_frame_pin(space, f)) {
			__set_bit(index - first, mine);
			done++;
		}
		if (swapmem_walk_pause(sdev, &steps)) {
			err = -EINTR;
			break;
		}
	}
	/* Trade the reservation for what was really pinned. */
	sdev->nr_pinned = sdev->nr_pinned - need + done;
	if (!err)
		return done;
	/* all or nothing: undo this call's pins still in place */
	for_each_set_bit(index, mine, last - first + 1) {
		f = swapmem_pt_frame(space, first + index);
		if (f)
			swapmem_frame_unpin(space, f);
	}
	return err;
}

/* Drop a page: its frame and its slot go back, and it reads as zeros. */
static void swapmem_page_drop(struct swapmem_space *space, pgoff_t index,
			      void *entry)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f = entry;

	lockdep_assert_held(&sdev->pool_lock);
	if (xa_is_value(entry)) {
		swapmem_pt_set(space, index, NULL);
		swapmem_slot_free(sdev, swapmem_entry_slot(entry));
		return;
	}
	swapmem_frame_lock(sdev, f);
	swapmem_frame_unmap(sdev, f);
	swapmem_pt_set(space, index, NULL);
	swapmem_frame_unpin(space, f);
	if (f->slot)
		swapmem_slot_free(sdev, f->slot);
	swapmem_free_list_add(sdev, f);
	swapmem_frame_unlock(f);
}

/* PREFETCH: read a swapped page in, referenced. */
static int swapmem_advise_prefetch(struct swapmem_space *space, pgoff_t index,
				   void *entry)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_load ld = { .killable = true };
	struct swapmem_frame *f;

	if (!xa_is_value(entry))
		return 0;
	f = swapmem_page_load(space, index, &ld);
	if (IS_ERR(f))
		return PTR_ERR(f) == -ENOSPC ? -ENOMEM : PTR_ERR(f);
	set_bit(SWAPMEM_FRAME_REF, &f->flags);
	return ld.kind == SWAPMEM_LOAD_READ;
}

/* PAGEOUT: evict a resident page, written first if dirty. */
static int swapmem_advise_pageout(struct swapmem_space *space, pgoff_t index,
				  void *entry)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_frame *f = swapmem_pt_frame(space, index);
	int err;

	if (!f || swapmem_frame_is_busy(f) || swapmem_frame_is_pinned(f) ||
	    !swapmem_frame_is_evictable(sdev, f))
		return 0;
	err = swapmem_evict(sdev, f, 0);
	if (err == -EBUSY)
		return 0;	/* held outside the pool: it stays */
	if (err)
		return err;
	swapmem_free_list_add(sdev, f);
	return 1;
}

/* DROP: discard a page, once no I/O is going on with it. */
static int swapmem_advise_drop(struct swapmem_space *space, pgoff_t index,
			       void *entry)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	struct swapmem_frame *f;

	while ((f = swapmem_pt_frame(space, index)) && swapmem_frame_is_busy(f))
		if (swapmem_wait_unbusy(space->sdev, f, true))
			return -EINTR;
	entry = xa_load(&space->pt, index);
	if (!entry)
		return 0;
	swapmem_page_drop(space, index, entry);
	return 1;
}

/* UNPIN: let a pinned page go again. */
static int swapmem_advise_unpin(struct swapmem_space *space, pgoff_t index,
				void *entry)
{
	struct swapmem_frame *f = swapmem_pt_frame(space, index);

	return f && swapmem_frame_unpin(space, f);
}

/*
 * The advice that act page by page on the pages that have an entry: each
 * returns 1 if it acted on the page, 0 if not, or -errno, which ends the
 * walk unless @goes_on (the walk then returns the last error).
 */
static const struct swapmem_advice_op {
	int (*act)(struct swapmem_space *space, pgoff_t index, void *entry);
	bool goes_on;
} swapmem_advices[] = {
	[SWAPMEM_ADV_PREFETCH] = { swapmem_advise_prefetch },
	[SWAPMEM_ADV_PAGEOUT] = { swapmem_advise_pageout, true },
	[SWAPMEM_ADV_DROP] = { swapmem_advise_drop },
	[SWAPMEM_ADV_UNPIN] = { swapmem_advise_unpin },
};

/* One advice of swapmem_advices[] on the pages of [@first, @last]. */
static long swapmem_advise_walk(struct swapmem_space *space,
				const struct swapmem_advice_op *adv,
				pgoff_t first, pgoff_t last)
	__releases(&space->sdev->pool_lock) __acquires(&space->sdev->pool_lock)
{
	unsigned long index, steps = 0, done = 0;
	long err = 0;
	void *entry;
	int ret;

	xa_for_each_range(&space->pt, index, entry, first, last) {
		ret = adv->act(space, index, entry);
		if (ret > 0)
			done += ret;
		if (ret < 0) {
			err = ret;
			if (!adv->goes_on)
				break;
		}
		if (swapmem_walk_pause(space->sdev, &steps)) {
			err = -EINTR;
			break;
		}
	}
	return err ? err : done;
}

/**
 * swapmem_space_advise() - act on a range of a space
 * @space: the caller's space
 * @advice: SWAPMEM_ADV_*
 * @first: first page index
 * @last: last page index
 *
 * The range is cut to the space (what its mappings have covered); pages
 * past it are not part of it. PREFETCH reads the range's swapped pages
 * in; PAGEOUT writes its dirty pages and frees the frames of all its pages
 * (pinned ones excepted); DROP discards it (frames and slots go back, it
 * reads as zeros); SYNC writes its dirty pages and keeps them; PIN brings
 * it in and keeps it resident, within the device's pin limit, all or
 * nothing; UNPIN lets it go again.
 *
 * Context: process context, no pool lock held; sleeps.
 * Return: the pages acted on, or -EINVAL (unknown advice), -ENOMEM (pin
 * limit, or no frame), -EIO (an I/O error), -ENOSPC (store full), -EINTR
 * (the caller was killed).
 */
long swapmem_space_advise(struct swapmem_space *space, unsigned int advice,
			  pgoff_t first, pgoff_t last)
{
	struct swapmem_device *sdev = space->sdev;
	unsigned long *mine = NULL, done = 0;
	long ret;

	if (advice < SWAPMEM_ADV_PREFETCH || advice > SWAPMEM_ADV_UNPIN)
		return -EINVAL;
	/* the space's size only grows (under the pool lock): cut to it */
	last = min_t(u64, last, (READ_ONCE(space->size) >> PAGE_SHIFT) - 1);
	if (!READ_ONCE(space->size) || first > last)
		return 0;
	if (advice == SWAPMEM_ADV_PIN) {
		/* more pages than the pool holds cannot all be pinned */
		if (last - first >= READ_ONCE(sdev->nr_frames))
			return -ENOMEM;
		mine = kvcalloc(BITS_TO_LONGS(last - first + 1), sizeof(*mine),
				GFP_KERNEL | __GFP_NOWARN);
		if (!mine)
			return -ENOMEM;
	}
	if (advice == SWAPMEM_ADV_SYNC) {
		ret = swapmem_space_sync(space, first, last, &done);
		return ret ? ret : done;
	}
	if (mutex_lock_killable(&sdev->pool_lock)) {
		kvfree(mine);
		return -EINTR;
	}
	if (advice == SWAPMEM_ADV_PIN)
		ret = swapmem_range_pin(space, first, last, mine);
	else
		ret = swapmem_advise_walk(space, &swapmem_advices[advice], first, last);
	mutex_unlock(&sdev->pool_lock);
	kvfree(mine);
	return ret;
}
