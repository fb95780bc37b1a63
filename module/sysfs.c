// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem sysfs: /sys/class/swapmem/swapmemN/, one value per file, and its
 * counters in stats/.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "swapmem_drv.h"

static ssize_t pool_size_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", swapmem_dev(dev)->nr_frames << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(pool_size);

static ssize_t nr_spaces_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&swapmem_dev(dev)->nr_spaces));
}
static DEVICE_ATTR_RO(nr_spaces);

static ssize_t backing_dev_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	return sysfs_emit(buf, "%s\n", sdev->has_store ? sdev->store.path : "none");
}
static DEVICE_ATTR_RO(backing_dev);

static struct attribute *swapmem_dev_attrs[] = {
	&dev_attr_pool_size.attr,
	&dev_attr_nr_spaces.attr,
	&dev_attr_backing_dev.attr,
	NULL,
};

static const struct attribute_group swapmem_dev_group = {
	.attrs = swapmem_dev_attrs,
};

/* stats/: counters, then gauges of the pool and the store. */
#define SWAPMEM_STAT_ATTR(name)						\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lu\n",					\
		atomic_long_read(&swapmem_dev(dev)->stats.name));	\
}									\
static DEVICE_ATTR_RO(name)

SWAPMEM_STAT_ATTR(minor_faults);
SWAPMEM_STAT_ATTR(major_faults);
SWAPMEM_STAT_ATTR(zero_fill_faults);
SWAPMEM_STAT_ATTR(ref_faults);
SWAPMEM_STAT_ATTR(evictions_clean);
SWAPMEM_STAT_ATTR(evictions_dirty);
SWAPMEM_STAT_ATTR(swap_reads);
SWAPMEM_STAT_ATTR(swap_writes);
SWAPMEM_STAT_ATTR(read_errors);
SWAPMEM_STAT_ATTR(write_errors);
SWAPMEM_STAT_ATTR(nomem_faults);
SWAPMEM_STAT_ATTR(hand_steps);
SWAPMEM_STAT_ATTR(hand_sweeps);
SWAPMEM_STAT_ATTR(second_chances);
SWAPMEM_STAT_ATTR(discards);

static ssize_t frames_free_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(swapmem_dev(dev)->nr_free));
}
static DEVICE_ATTR_RO(frames_free);

static ssize_t frames_used_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	return sysfs_emit(buf, "%lu\n", sdev->nr_frames - READ_ONCE(sdev->nr_free));
}
static DEVICE_ATTR_RO(frames_used);

static ssize_t slots_used_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	return sysfs_emit(buf, "%lu\n", sdev->has_store ? READ_ONCE(sdev->store.used) : 0);
}
static DEVICE_ATTR_RO(slots_used);

static ssize_t slots_bad_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	return sysfs_emit(buf, "%lu\n", sdev->has_store ? READ_ONCE(sdev->store.bad) : 0);
}
static DEVICE_ATTR_RO(slots_bad);

static ssize_t slots_total_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	/* slot 0 is never used */
	return sysfs_emit(buf, "%lu\n", sdev->has_store ? sdev->store.nr_slots - 1 : 0);
}
static DEVICE_ATTR_RO(slots_total);

static struct attribute *swapmem_stats_attrs[] = {
	&dev_attr_minor_faults.attr,
	&dev_attr_major_faults.attr,
	&dev_attr_zero_fill_faults.attr,
	&dev_attr_ref_faults.attr,
	&dev_attr_evictions_clean.attr,
	&dev_attr_evictions_dirty.attr,
	&dev_attr_swap_reads.attr,
	&dev_attr_swap_writes.attr,
	&dev_attr_read_errors.attr,
	&dev_attr_write_errors.attr,
	&dev_attr_nomem_faults.attr,
	&dev_attr_hand_steps.attr,
	&dev_attr_hand_sweeps.attr,
	&dev_attr_second_chances.attr,
	&dev_attr_discards.attr,
	&dev_attr_frames_free.attr,
	&dev_attr_frames_used.attr,
	&dev_attr_slots_used.attr,
	&dev_attr_slots_bad.attr,
	&dev_attr_slots_total.attr,
	NULL,
};

static const struct attribute_group swapmem_stats_group = {
	.name = "stats",
	.attrs = swapmem_stats_attrs,
};

const struct attribute_group *swapmem_dev_groups[] = {
	&swapmem_dev_group,
	&swapmem_stats_group,
	NULL,
};
