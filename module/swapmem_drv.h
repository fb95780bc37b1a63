/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem internal definitions.
 *
 * Locking
 * =======
 * swapmem_devices_lock (mutex) protects the device table and each device's
 * nr_spaces transitions from and to zero that gate removal. Nothing else is
 * taken inside it.
 */
#ifndef _SWAPMEM_DRV_H
#define _SWAPMEM_DRV_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "compat.h"

#define SWAPMEM_MAX_DEVICES	64

/**
 * struct swapmem_device - one /dev/swapmemN
 * @dev: the class device (/sys/class/swapmem/swapmemN)
 * @cdev: the character device
 * @id: N
 * @nr_frames: frames in the pool
 * @nr_spaces: open address spaces
 */
struct swapmem_device {
	struct device dev;
	struct cdev cdev;
	int id;
	unsigned long nr_frames;
	atomic_t nr_spaces;
};

/**
 * struct swapmem_space - one open() of a device: a virtual address space
 * @sdev: the device it lives on
 */
struct swapmem_space {
	struct swapmem_device *sdev;
};

extern const struct file_operations swapmem_fops;
extern const struct attribute_group *swapmem_dev_groups[];

static inline struct swapmem_device *swapmem_dev(struct device *dev)
{
	return container_of(dev, struct swapmem_device, dev);
}

#endif /* _SWAPMEM_DRV_H */
