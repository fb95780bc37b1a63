// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem sysfs: /sys/class/swapmem/swapmemN/.
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

static struct attribute *swapmem_dev_attrs[] = {
	&dev_attr_pool_size.attr,
	&dev_attr_nr_spaces.attr,
	NULL,
};

static const struct attribute_group swapmem_dev_group = {
	.attrs = swapmem_dev_attrs,
};

const struct attribute_group *swapmem_dev_groups[] = {
	&swapmem_dev_group,
	NULL,
};
