// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem ioctls (uapi/linux/swapmem.h), on the caller's own space.
 *
 * Arguments are copied in before and out after any paging work: user
 * memory is never touched while a pool lock is held (the buffer could be
 * a mapping of this very device). Every structure has the same layout for
 * 32- and 64-bit callers, so compat_ptr_ioctl serves both.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/swapmem.h>
#include <linux/uaccess.h>

#include "swapmem_drv.h"

static bool swapmem_is_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

static long swapmem_ioc_info(struct swapmem_space *space, void __user *argp)
{
	struct swapmem_device *sdev = space->sdev;
	struct swapmem_store *store;
	struct swapmem_info info;

	memset(&info, 0, sizeof(info));
	info.device_id = sdev->id;
	info.page_size = PAGE_SIZE;
	if (mutex_lock_killable(&sdev->pool_lock))
		return -EINTR;
	info.policy = swapmem_policy_index(sdev->policy);
	info.accounting = sdev->accounting;
	store = swapmem_store(sdev);
	if (store) {
		info.backing_major = MAJOR(store->bdev.bdev->bd_dev);
		info.backing_minor = MINOR(store->bdev.bdev->bd_dev);
		info.slots_total = store->nr_slots - 1;
	}
	info.pool_frames = sdev->nr_frames;
	info.pin_limit = sdev->pin_limit;
	info.space_size = space->size;
	mutex_unlock(&sdev->pool_lock);
	info.space_max = (u64)SWAPMEM_SPACE_MAX_PAGES << PAGE_SHIFT;
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

/* Where each counter of counters.h goes in struct swapmem_dev_counters. */
static const size_t swapmem_counter_offsets[SWAPMEM_NR_STATS] = {
#define SWAPMEM_COUNTER(name) offsetof(struct swapmem_dev_counters, name),
#include "counters.h"
#undef SWAPMEM_COUNTER
};

/* The device's counters, as counters.h lists them, and its gauges. */
static void swapmem_fill_dev_counters(struct swapmem_device *sdev,
				      struct swapmem_dev_counters *c)
{
	struct swapmem_store *st;
	int i;

	for (i = 0; i < SWAPMEM_NR_STATS; i++)
		*(__u64 *)((char *)c + swapmem_counter_offsets[i]) =
			swapmem_stat_read(sdev, i);
	c->frames_free = READ_ONCE(sdev->nr_free);
	c->frames_used = swapmem_frames_used(sdev);
	c->frames_dirty = swapmem_frames_dirty(sdev);
	c->frames_pinned = READ_ONCE(sdev->nr_pinned);
	c->frames_held = READ_ONCE(sdev->nr_held);
	rcu_read_lock();
	st = rcu_dereference(sdev->store);
	if (st) {
		c->slots_used = READ_ONCE(st->used);
		c->slots_bad = READ_ONCE(st->bad);
	}
	rcu_read_unlock();
	c->nr_spaces = swapmem_spaces(sdev);
}

/* The space's own counts, kept as its pages change state: no walk. */
static void swapmem_fill_space_counters(struct swapmem_space *space,
					struct swapmem_space_counters *c)
{
	c->minor_faults = atomic_long_read(&space->minor_faults);
	c->major_faults = READ_ONCE(space->major_faults);
	c->zero_fill_faults = READ_ONCE(space->zero_fill_faults);
	c->evictions = READ_ONCE(space->evictions);
	c->resident = READ_ONCE(space->nr_resident);
	c->swapped = READ_ONCE(space->nr_swapped);
	c->dirty = atomic_long_read(&space->nr_dirty);
	c->pinned = READ_ONCE(space->nr_pinned);
}

static long swapmem_ioc_stats(struct swapmem_space *space, void __user *argp)
{
	struct swapmem_stats *st;
	long ret = 0;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (copy_from_user(st, argp, 2 * sizeof(__u32))) {
		ret = -EFAULT;
		goto out;
	}
	if (st->flags || st->reserved0) {
		ret = -EINVAL;
		goto out;
	}
	swapmem_fill_dev_counters(space->sdev, &st->device);
	swapmem_fill_space_counters(space, &st->space);
	if (copy_to_user(argp, st, sizeof(*st)))
		ret = -EFAULT;
out:
	kfree(st);
	return ret;
}

static long swapmem_ioc_advise(struct swapmem_space *space, void __user *argp)
{
	u64 max = (u64)SWAPMEM_SPACE_MAX_PAGES << PAGE_SHIFT;
	struct swapmem_advice adv;
	long done;

	if (copy_from_user(&adv, argp, sizeof(adv)))
		return -EFAULT;
	if (adv.flags || !swapmem_is_zero(adv.reserved, sizeof(adv.reserved)) ||
	    adv.advice < SWAPMEM_ADV_PREFETCH || adv.advice > SWAPMEM_ADV_UNPIN)
		return -EINVAL;
	if (!adv.length || !PAGE_ALIGNED(adv.offset) || !PAGE_ALIGNED(adv.length) ||
	    adv.offset >= max || adv.length > max - adv.offset)
		return -EINVAL;
	done = swapmem_space_advise(space, adv.advice, adv.offset >> PAGE_SHIFT,
				    (adv.offset + adv.length - 1) >> PAGE_SHIFT);
	if (done < 0)
		return done;
	adv.pages = done;
	return copy_to_user(argp, &adv, sizeof(adv)) ? -EFAULT : 0;
}

/**
 * swapmem_ioctl() - the ioctls of an open space
 * @file: the space's file
 * @cmd: SWAPMEM_IOC_*
 * @arg: user pointer to the command's structure
 *
 * Context: process context, no lock held; sleeps.
 * Return: 0 or -errno: -ENOTTY for an unknown command, -EINVAL for unknown
 * flags, advice or non-zero reserved fields and bad ranges, -EFAULT for
 * bad pointers, -EPERM for a reset without CAP_SYS_ADMIN.
 */
long swapmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct swapmem_space *space = file->private_data;
	void __user *argp = (void __user *)arg;

	BUILD_BUG_ON(sizeof(struct swapmem_info) != 128);
	BUILD_BUG_ON(sizeof(struct swapmem_dev_counters) != 256);
	BUILD_BUG_ON(sizeof(struct swapmem_space_counters) != 128);
	BUILD_BUG_ON(sizeof(struct swapmem_stats) != 392);
	BUILD_BUG_ON(sizeof(struct swapmem_advice) != 48);

	switch (cmd) {
	case SWAPMEM_IOC_INFO:
		return swapmem_ioc_info(space, argp);
	case SWAPMEM_IOC_STATS:
		return swapmem_ioc_stats(space, argp);
	case SWAPMEM_IOC_ADVISE:
		return swapmem_ioc_advise(space, argp);
	case SWAPMEM_IOC_RESET_STATS:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		swapmem_stats_reset(space->sdev);
		return 0;
	default:
		return -ENOTTY;
	}
}
