// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem frame pool: a device's frames, the free list, dirty counts, the
 * memory all pools take together, and growing and shrinking a pool live.
 */
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/swapmem.h>
#include <linux/vmalloc.h>

#include "swapmem_drv.h"

/*
 * Pool memory is asked for without the OOM killer: a pool the machine
 * cannot give fails with ENOMEM, and nothing else pays for the attempt.
 */
#define SWAPMEM_POOL_GFP	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Frames in the pools of all devices together, at most half of RAM. */
static atomic_long_t swapmem_pool_frames = ATOMIC_LONG_INIT(0);

static struct lock_class_key swapmem_frame_lock_key;

#ifdef CONFIG_DEBUG_LOCK_ALLOC
static struct lock_class_key swapmem_page_lock_key;
struct lockdep_map swapmem_page_lock_map = {
	.name = "swapmem_page_lock",
	.key = &swapmem_page_lock_key,
	.wait_type_inner = LD_WAIT_SLEEP,
};
#endif

/*
 * swapmem_pool_charge() - count @frames more pool frames, if they may be had
 * @id: the device that wants them, for the message
 * @frames: how many
 *
 * The pools of all devices together stay within half of RAM, and a pool
 * grows only if the machine has that much memory available and an eighth
 * of RAM to spare besides, so that no allocation of swapmem's wakes the
 * OOM killer. Returns 0, or -ENOMEM with the cause logged. Undo with
 * swapmem_pool_uncharge().
 */
static int swapmem_pool_charge(int id, unsigned long frames)
{
	unsigned long max = swapmem_pool_max() >> PAGE_SHIFT;
	unsigned long keep = totalram_pages() / 8;
	long avail = si_mem_available();
	long total;

	total = atomic_long_add_return(frames, &swapmem_pool_frames);
	if (total > max) {
		atomic_long_sub(frames, &swapmem_pool_frames);
		pr_err_ratelimited("swapmem%d: pool_size: the pools of all devices would take %lu MiB, over half of RAM (%lu MiB): ask for less, or shrink or remove another device\n",
				   id, (unsigned long)total >> (20 - PAGE_SHIFT),
				   max >> (20 - PAGE_SHIFT));
		return -ENOMEM;
	}
	if (avail < 0 || frames + keep > (unsigned long)avail) {
		atomic_long_sub(frames, &swapmem_pool_frames);
		pr_err_ratelimited("swapmem%d: pool_size: %lu MiB more asked, %lu MiB of RAM available and %lu MiB of it kept for the rest of the machine: free memory or ask for less\n",
				   id, frames >> (20 - PAGE_SHIFT),
				   max(avail, 0L) >> (20 - PAGE_SHIFT),
				   keep >> (20 - PAGE_SHIFT));
		return -ENOMEM;
	}
	return 0;
}

/*
 * swapmem_pool_uncharge() - count @frames pool frames freed
 * @frames: how many
 *
 * Context: any.
 */
static void swapmem_pool_uncharge(unsigned long frames)
{
	atomic_long_sub(frames, &swapmem_pool_frames);
}

static struct swapmem_frame *swapmem_frame_create(void)
{
	struct swapmem_frame *f = kzalloc(sizeof(*f), SWAPMEM_POOL_GFP);

	if (!f)
		return NULL;
	f->page = alloc_page(SWAPMEM_POOL_GFP);
	if (!f->page) {
		kfree(f);
		return NULL;
	}
	lockdep_init_map_wait(&f->dep_map, "swapmem_frame.lock",
			      &swapmem_frame_lock_key, 0, LD_WAIT_SLEEP);
	return f;
}

/*
 * Its page goes back to the page allocator once nobody else holds it: put,
 * not freed, for a page still held outside the pool (a pipe).
 */
static void swapmem_frame_destroy(struct swapmem_frame *f)
{
	put_page(f->page);
	kfree(f);
}

/*
 * Allocate @n free frames onto @list: 0, -ENOMEM, or -EINTR when the
 * caller was killed meanwhile (nothing is left allocated). Sleeps.
 */
static int swapmem_frames_create(struct list_head *list, unsigned long n)
{
	struct swapmem_frame *f, *tmp;
	int ret = -ENOMEM;

	while (n--) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free;
		}
		f = swapmem_frame_create();
		if (!f)
			goto free;
		list_add_tail(&f->link, list);
		cond_resched();
	}
	return 0;
free:
	list_for_each_entry_safe(f, tmp, list, link)
		swapmem_frame_destroy(f);
	INIT_LIST_HEAD(list);
	return ret;
}

/**
 * swapmem_pool_init() - allocate a device's frame pool
 * @sdev: device being created
 * @nr_frames: frames to allocate
 *
 * The frames count against the pools of all devices together (at most
 * half of RAM) and must leave the machine memory to spare.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOMEM (cause logged) or -EINTR.
 */
int swapmem_pool_init(struct swapmem_device *sdev, unsigned long nr_frames)
{
	struct swapmem_frame *f;
	unsigned long i = 0;
	int ret;

	INIT_LIST_HEAD(&sdev->free_frames);
	INIT_LIST_HEAD(&sdev->held_frames);
	ret = swapmem_pool_charge(sdev->id, nr_frames);
	if (ret)
		return ret;
	sdev->frames = kvcalloc(nr_frames, sizeof(*sdev->frames), SWAPMEM_POOL_GFP);
	ret = sdev->frames ? swapmem_frames_create(&sdev->free_frames, nr_frames) : -ENOMEM;
	if (ret) {
		kvfree(sdev->frames);
		sdev->frames = NULL;
		swapmem_pool_uncharge(nr_frames);
		if (ret == -ENOMEM)
			pr_err("swapmem%d: cannot allocate a %lu KiB pool: out of memory\n",
			       sdev->id, nr_frames << (PAGE_SHIFT - 10));
		return ret;
	}
	list_for_each_entry(f, &sdev->free_frames, link)
		sdev->frames[i++] = f;
	sdev->nr_frames = nr_frames;
	sdev->nr_free = nr_frames;
	return 0;
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
		swapmem_frame_destroy(sdev->frames[i]);
	kvfree(sdev->frames);
	sdev->frames = NULL;
	swapmem_pool_uncharge(sdev->nr_frames);
}

/**
 * swapmem_frame_set_dirty() - mark a frame newer than its slot copy
 * @sdev: the device
 * @f: an owned frame, its frame lock held
 *
 * DIRTY changes only here and in swapmem_frame_clear_dirty(), so the
 * dirty counts stay exact: set by faults under the frame lock, cleared
 * under the pool lock on frames no fault can map (BUSY, or out of every
 * page table). May wake the background writeback.
 */
void swapmem_frame_set_dirty(struct swapmem_device *sdev, struct swapmem_frame *f)
{
	swapmem_frame_assert_locked(f);
	if (test_and_set_bit(SWAPMEM_FRAME_DIRTY, &f->flags))
		return;
	atomic_long_inc(&sdev->nr_dirty);
	atomic_long_inc(&f->space->nr_dirty);
	swapmem_writeback_kick(sdev);
}

/**
 * swapmem_frame_clear_dirty() - mark a frame clean
 * @sdev: the device
 * @f: a frame that is BUSY or out of every page table
 *
 * Context: pool lock held.
 */
void swapmem_frame_clear_dirty(struct swapmem_device *sdev,
			       struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	if (!test_and_clear_bit(SWAPMEM_FRAME_DIRTY, &f->flags))
		return;
	atomic_long_dec(&sdev->nr_dirty);
	atomic_long_dec(&f->space->nr_dirty);
}

/**
 * swapmem_free_list_add() - give a frame back to the free list
 * @sdev: the device
 * @f: a frame that no page table points to and that nothing maps, its
 *	frame lock held if a fault could reach it
 *
 * The frame leaves its owner and the policy (if it has an owner: a frame
 * reclaimed and given back unused has none), and keeps no slot; its page
 * leaves the space's mapping. A frame whose page someone outside the pool
 * still holds (the space was closed with an O_DIRECT transfer in flight,
 * or a page of it sits in a pipe) is not reused until they let go: it
 * waits on the held list (swapmem_free_list_take() looks there).
 *
 * Context: pool lock held.
 */
void swapmem_free_list_add(struct swapmem_device *sdev, struct swapmem_frame *f)
{
	lockdep_assert_held(&sdev->pool_lock);
	swapmem_frame_clear_dirty(sdev, f);
	/* an owner is set only with the policy told (swapmem_policy_inserted()) */
	if (f->space)
		swapmem_policy_removed(sdev, f);
	f->space = NULL;
	f->slot = 0;
	f->flags = 0;
	if (unlikely(swapmem_frame_held(f))) {
		/* a pin's release may be dirtying it: the mapping goes locked */
		swapmem_page_lock(f->page);
		swapmem_page_disown(f->page);
		swapmem_page_unlock(f->page);
		list_add(&f->link, &sdev->held_frames);
		sdev->nr_held++;
		return;
	}
	swapmem_page_disown(f->page);
	list_add(&f->link, &sdev->free_frames);
	sdev->nr_free++;
}

/*
 * Held frames that were let go meanwhile join the free list: a batch of
 * them at most, from the front, the ones still held moving to the back,
 * so that a long list costs each look a batch.
 */
static void swapmem_held_frames_scan(struct swapmem_device *sdev)
{
	unsigned long n = min_t(unsigned long, sdev->nr_held, SWAPMEM_WALK_BATCH);
	struct swapmem_frame *f;

	while (n--) {
		f = list_first_entry(&sdev->held_frames, struct swapmem_frame, link);
		if (swapmem_frame_held(f)) {
			list_move_tail(&f->link, &sdev->held_frames);
			continue;
		}
		/* the last holder's flags, set after the space let go */
		swapmem_page_disown(f->page);
		list_move(&f->link, &sdev->free_frames);
		sdev->nr_held--;
		sdev->nr_free++;
	}
}

/**
 * swapmem_free_list_take() - take a frame off the free list
 * @sdev: the device
 *
 * When the free list is empty, held frames that were let go join it first.
 *
 * Context: pool lock held.
 * Return: a frame owned by nobody, or NULL if none is free.
 */
struct swapmem_frame *swapmem_free_list_take(struct swapmem_device *sdev)
{
	struct swapmem_frame *f;

	lockdep_assert_held(&sdev->pool_lock);
	if (list_empty(&sdev->free_frames) && sdev->nr_held)
		swapmem_held_frames_scan(sdev);
	f = list_first_entry_or_null(&sdev->free_frames, struct swapmem_frame, link);
	if (f) {
		list_del(&f->link);
		sdev->nr_free--;
	}
	return f;
}

/**
 * swapmem_frames_dirty() - count a device's dirty frames
 * @sdev: the device
 *
 * Context: any; a snapshot, without the pool lock.
 * Return: frames holding a page newer than its slot copy.
 */
unsigned long swapmem_frames_dirty(struct swapmem_device *sdev)
{
	return atomic_long_read(&sdev->nr_dirty);
}

/**
 * swapmem_frames_used() - count a device's frames owned by a space
 * @sdev: the device
 *
 * Context: any; a snapshot, without the pool lock (a pool that grows or
 * shrinks meanwhile may make it off by the change, never negative).
 * Return: frames of the pool that are neither free nor held (see
 * swapmem_free_list_add()).
 */
unsigned long swapmem_frames_used(struct swapmem_device *sdev)
{
	unsigned long free = READ_ONCE(sdev->nr_free) + READ_ONCE(sdev->nr_held);
	unsigned long nr = READ_ONCE(sdev->nr_frames);

	return nr > free ? nr - free : 0;
}

/* Grow the pool by @nr - nr_frames free frames. Config lock held. */
static int swapmem_pool_grow(struct swapmem_device *sdev, unsigned long nr)
{
	unsigned long i, n_old = sdev->nr_frames;
	struct swapmem_frame **table, **old, *f;
	LIST_HEAD(fresh);
	int ret;

	ret = swapmem_pool_charge(sdev->id, nr - n_old);
	if (ret)
		return ret;
	table = kvcalloc(nr, sizeof(*table), SWAPMEM_POOL_GFP);
	ret = table ? swapmem_frames_create(&fresh, nr - n_old) : -ENOMEM;
	if (ret) {
		kvfree(table);
		swapmem_pool_uncharge(nr - n_old);
		if (ret == -ENOMEM)
			pr_err_ratelimited("swapmem%d: pool_size: cannot allocate %lu KiB more: out of memory\n",
					   sdev->id, (nr - n_old) << (PAGE_SHIFT - 10));
		return ret;
	}
	mutex_lock(&sdev->pool_lock);
	memcpy(table, sdev->frames, n_old * sizeof(*table));
	i = n_old;
	list_for_each_entry(f, &fresh, link)
		table[i++] = f;
	old = sdev->frames;
	sdev->frames = table;
	/* the pool before its free frames, for the gauges read unlocked */
	WRITE_ONCE(sdev->nr_frames, nr);
	list_splice(&fresh, &sdev->free_frames);
	WRITE_ONCE(sdev->nr_free, sdev->nr_free + nr - n_old);
	swapmem_wake_waiters(sdev);
	mutex_unlock(&sdev->pool_lock);
	kvfree(old);
	return 0;
}

/*
 * Can the pool shrink by @ndrop frames and keep its promises? Strict
 * accounting must still cover what the spaces map, and pinned frames stay
 * within half the pool. Logs why not. Pager lock held.
 */
static bool swapmem_pool_may_shrink(struct swapmem_device *sdev,
				    unsigned long ndrop)
{
	unsigned long nr = sdev->nr_frames - ndrop;

	if (!swapmem_capacity_fits(sdev, -(long)ndrop, 0)) {
		pr_err_ratelimited("swapmem%d: pool_size: its spaces map %lu pages, more than it would hold (strict accounting): busy\n",
				   sdev->id, sdev->committed);
		return false;
	}
	if (sdev->nr_pinned > nr / 2) {
		pr_err_ratelimited("swapmem%d: pool_size: %lu frames are pinned, more than half of %lu: unpin first; busy\n",
				   sdev->id, sdev->nr_pinned, nr);
		return false;
	}
	return true;
}

/*
 * Take @ndrop frames out of use into @gone, the way a fault takes them,
 * and check again that the pool may shrink (the lock was let go: a space
 * may have grown meanwhile). Returns 0, or -EBUSY / -EINTR with every
 * frame taken given back.
 * Context: pool lock held; dropped and retaken.
 */
static int swapmem_pool_take(struct swapmem_device *sdev, unsigned long ndrop,
			     struct swapmem_frame **gone)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned long i, steps = 0;
	int ret = 0;

	for (i = 0; i < ndrop; i++) {
		/* Unowned and off the free list: nobody else can take it. */
		gone[i] = swapmem_frame_reclaim(sdev, SWAPMEM_RECLAIM_KILLABLE);
		if (IS_ERR(gone[i])) {
			ret = PTR_ERR(gone[i]) == -EINTR ? -EINTR : -EBUSY;
			break;
		}
		set_bit(SWAPMEM_FRAME_GONE, &gone[i]->flags);
		if (swapmem_walk_pause(sdev, &steps)) {
			i++;
			ret = -EINTR;
			break;
		}
	}
	if (ret == -EBUSY)
		pr_err_ratelimited("swapmem%d: pool_size: cannot free %lu frames now (pages that cannot be written out, pinned or in use): busy\n",
				   sdev->id, ndrop);
	if (!ret && !swapmem_pool_may_shrink(sdev, ndrop))
		ret = -EBUSY;
	if (ret)
		while (i--)
			swapmem_free_list_add(sdev, gone[i]);
	return ret;
}

/* Shrink the pool to @nr frames. Config lock held. */
static int swapmem_pool_shrink(struct swapmem_device *sdev, unsigned long nr)
{
	unsigned long i, j, n_old = sdev->nr_frames, ndrop = n_old - nr;
	struct swapmem_frame **table, **gone;
	int ret = -ENOMEM;

	table = kvcalloc(nr, sizeof(*table), SWAPMEM_POOL_GFP);
	gone = kvcalloc(ndrop, sizeof(*gone), SWAPMEM_POOL_GFP);
	if (!table || !gone)
		goto free;
	ret = -EINTR;
	if (mutex_lock_killable(&sdev->pool_lock))
		goto free;
	ret = -EBUSY;
	if (!swapmem_pool_may_shrink(sdev, ndrop))
		goto unlock;
	ret = swapmem_pool_take(sdev, ndrop, gone);
	if (ret)
		goto unlock;
	for (i = 0, j = 0; i < n_old; i++)
		if (!test_bit(SWAPMEM_FRAME_GONE, &sdev->frames[i]->flags))
			table[j++] = sdev->frames[i];
	swap(sdev->frames, table);
	WRITE_ONCE(sdev->nr_frames, nr);
	sdev->pin_limit = min(sdev->pin_limit, nr / 2);
	mutex_unlock(&sdev->pool_lock);
	/* lockless faults may still look at them: wait them out */
	synchronize_rcu();
	for (i = 0; i < ndrop; i++) {
		__swapmem_frame_lock(gone[i]);
		lock_map_release(&gone[i]->dep_map);
		swapmem_frame_destroy(gone[i]);
	}
	swapmem_pool_uncharge(ndrop);
	goto free;
unlock:
	mutex_unlock(&sdev->pool_lock);
free:
	kvfree(gone);
	kvfree(table);
	return ret;
}

/**
 * swapmem_pool_resize() - grow or shrink a device's pool, live
 * @sdev: the device
 * @nr: frames wanted
 *
 * Growing adds free frames, if the pools of all devices together stay
 * within half of RAM and the machine can spare the memory. Shrinking
 * takes frames out of use the way a fault would take them, free ones
 * first and then victims (written out when dirty), so no page is lost; it
 * fails with -EBUSY, changing nothing, when not enough frames can be freed
 * (dirty pages with nowhere to go, pinned or busy pages) or when strict
 * accounting would no longer cover what the spaces map. The pin limit
 * shrinks with the pool.
 *
 * Context: process context, the device's config lock held; sleeps.
 * Return: 0, -ENOMEM (cause logged), -EBUSY or -EINTR.
 */
int swapmem_pool_resize(struct swapmem_device *sdev, unsigned long nr)
{
	lockdep_assert_held(&sdev->config_lock);
	if (nr == sdev->nr_frames)
		return 0;
	if (nr > sdev->nr_frames)
		return swapmem_pool_grow(sdev, nr);
	return swapmem_pool_shrink(sdev, nr);
}

/**
 * swapmem_capacity() - pages a device can hold: its pool and its good slots
 * @sdev: the device
 *
 * Context: pool lock held.
 * Return: the capacity in pages, what strict accounting admits; frames
 * held outside the pool after their space closed do not count.
 */
unsigned long swapmem_capacity(struct swapmem_device *sdev)
{
	struct swapmem_store *st = swapmem_store(sdev);
	unsigned long frames = sdev->nr_frames - sdev->nr_held;

	if (!st)
		return frames;
	return frames + st->nr_slots - 1 - st->bad;
}

/**
 * swapmem_capacity_fits() - would strict accounting still hold after a change?
 * @sdev: the device
 * @frames_delta: frames the pool would gain (or lose, negative)
 * @slots_delta: good slots the store would gain (or lose, negative)
 *
 * Context: pool lock held.
 * Return: true under overcommit, or if the pages the spaces map would
 * still fit in the device.
 */
bool swapmem_capacity_fits(struct swapmem_device *sdev, long frames_delta,
			   long slots_delta)
{
	long cap = swapmem_capacity(sdev) + frames_delta + slots_delta;

	lockdep_assert_held(&sdev->pool_lock);
	return sdev->accounting != SWAPMEM_ACCT_STRICT || sdev->committed <= cap;
}
