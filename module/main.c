// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem: swap-backed virtual memory on a block device, mapped with mmap().
 *
 * This file holds the module parameters, the device class and the life of
 * each /dev/swapmemN.
 */
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "swapmem_drv.h"

#define SWAPMEM_POOL_DEFAULT	(16UL << 20)

static unsigned long swapmem_pool_size = SWAPMEM_POOL_DEFAULT;
static char *swapmem_backing_dev;

static unsigned int swapmem_nr_devices = 1;

static dev_t swapmem_devt;
static DEFINE_MUTEX(swapmem_devices_lock);
static struct swapmem_device *swapmem_devices[SWAPMEM_MAX_DEVICES];

/*
 * Where the module is in its life, under swapmem_devices_lock: hot_add and
 * hot_remove act only while it is live, so that neither can race the
 * devices that init creates or exit removes.
 */
static enum {
	SWAPMEM_LOADING,
	SWAPMEM_LIVE,
	SWAPMEM_UNLOADING,
} swapmem_state;

/* Frames in the pools of all devices together, at most half of RAM. */
static atomic_long_t swapmem_pool_frames = ATOMIC_LONG_INIT(0);

static const struct attribute_group *swapmem_class_groups[];

static struct class swapmem_class = {
	.name = "swapmem",
	.class_groups = swapmem_class_groups,
};

/**
 * swapmem_parse_size() - parse a size in bytes: digits, an optional K, M, G
 *	or T suffix (powers of 1024), an optional trailing newline
 * @buf: the text
 * @size: where to put the size
 *
 * Unlike memparse(), refuses signs, garbage and values that overflow.
 *
 * Context: any.
 * Return: 0, or -EINVAL.
 */
int swapmem_parse_size(const char *buf, u64 *size)
{
	size_t len = strcspn(buf, "KkMmGgTt\n");
	unsigned int shift = 0;
	const char *end;
	char num[24];
	u64 v;

	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, buf, len);
	num[len] = '\0';
	if (num[0] == '+' || kstrtoull(num, 10, &v))
		return -EINVAL;
	end = buf + len;
	switch (*end) {
	case 'T': case 't':
		shift += 10;
		fallthrough;
	case 'G': case 'g':
		shift += 10;
		fallthrough;
	case 'M': case 'm':
		shift += 10;
		fallthrough;
	case 'K': case 'k':
		shift += 10;
		end++;
	}
	if (*end == '\n')
		end++;
	if (*end || (shift && v > (U64_MAX >> shift)))
		return -EINVAL;
	*size = v << shift;
	return 0;
}

static int swapmem_pool_size_set(const char *val, const struct kernel_param *kp)
{
	u64 size;

	if (swapmem_parse_size(val, &size)) {
		pr_err("pool_size: '%s' is not a size\n", val);
		return -EINVAL;
	}
	if (size < SWAPMEM_POOL_MIN || size > swapmem_pool_max()) {
		pr_err("pool_size: %llu bytes is outside %lu KiB to half of RAM (%lu MiB)\n",
		       size, SWAPMEM_POOL_MIN >> 10, swapmem_pool_max() >> 20);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = PAGE_ALIGN(size);
	return 0;
}

static const struct kernel_param_ops swapmem_pool_size_ops = {
	.set = swapmem_pool_size_set,
	.get = param_get_ulong,
};

module_param_cb(pool_size, &swapmem_pool_size_ops, &swapmem_pool_size, 0444);
MODULE_PARM_DESC(pool_size,
		 "Bytes of RAM in swapmem0's frame pool, K/M/G suffixes accepted, rounded up to pages. Range: 64K to half of RAM. Default: 16M");

module_param_named(backing_dev, swapmem_backing_dev, charp, 0444);
MODULE_PARM_DESC(backing_dev,
		 "Block device that holds swapmem0's swap slots, opened exclusively, logical block size at most the page size. Default: none (the pool alone)");

static int swapmem_nr_devices_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < 1 || n > SWAPMEM_MAX_DEVICES) {
		pr_err("nr_devices: '%s' is not in [1, %d]\n", val, SWAPMEM_MAX_DEVICES);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops swapmem_nr_devices_ops = {
	.set = swapmem_nr_devices_set,
	.get = param_get_uint,
};

module_param_cb(nr_devices, &swapmem_nr_devices_ops, &swapmem_nr_devices, 0444);
MODULE_PARM_DESC(nr_devices,
		 "Devices created at load: swapmem0 (pool_size, backing_dev) and others with a 16M pool and no backing device. Range: 1 to 64. Default: 1");

/**
 * swapmem_pool_charge() - count @frames more pool frames, if they may be had
 * @id: the device that wants them, for the message
 * @frames: how many
 *
 * The pools of all devices together stay within half of RAM, and a pool
 * grows only if the machine has that much memory available and an eighth
 * of RAM to spare besides, so that no allocation of swapmem's wakes the
 * OOM killer. Undo with swapmem_pool_uncharge().
 *
 * Context: any process context.
 * Return: 0, or -ENOMEM with the cause logged.
 */
int swapmem_pool_charge(int id, unsigned long frames)
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

/**
 * swapmem_pool_uncharge() - count @frames pool frames freed
 * @frames: how many
 *
 * Context: any.
 */
void swapmem_pool_uncharge(unsigned long frames)
{
	atomic_long_sub(frames, &swapmem_pool_frames);
}

static void swapmem_dev_release(struct device *dev)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	cancel_work_sync(&sdev->wb_work);
	swapmem_store_detach(sdev);
	swapmem_pool_exit(sdev);
	mutex_destroy(&sdev->lock);
	mutex_destroy(&sdev->config_lock);
	kfree(sdev);
}

static int swapmem_dev_add(int id, unsigned long pool_size, const char *backing)
{
	struct swapmem_device *sdev;
	int ret;

	sdev = kzalloc(sizeof(*sdev), GFP_KERNEL);
	if (!sdev)
		return -ENOMEM;
	sdev->id = id;
	mutex_init(&sdev->lock);
	mutex_init(&sdev->config_lock);
	init_waitqueue_head(&sdev->wq);
	INIT_LIST_HEAD(&sdev->small);
	INIT_LIST_HEAD(&sdev->main);
	INIT_WORK(&sdev->wb_work, swapmem_writeback_work);
	INIT_LIST_HEAD(&sdev->wb_cursor);
	sdev->wb_next = ULONG_MAX;
	sdev->ra_max = SWAPMEM_RA_MAX;
	sdev->wb_reserve = 25;
	atomic_set(&sdev->nr_spaces, 0);
	ret = swapmem_pool_init(sdev, pool_size >> PAGE_SHIFT);
	sdev->pin_limit = sdev->nr_frames / 4;
	if (ret)
		goto free_sdev;
	if (backing && backing[0]) {
		ret = swapmem_store_attach(sdev, backing);
		if (ret)
			goto free_pool;
	}

	/* From here on, put_device() undoes everything above. */
	device_initialize(&sdev->dev);
	sdev->dev.class = &swapmem_class;
	sdev->dev.devt = MKDEV(MAJOR(swapmem_devt), id);
	sdev->dev.groups = swapmem_dev_groups;
	sdev->dev.release = swapmem_dev_release;
	ret = dev_set_name(&sdev->dev, "swapmem%d", id);
	if (ret)
		goto put_dev;

	cdev_init(&sdev->cdev, &swapmem_fops);
	sdev->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&sdev->cdev, &sdev->dev);
	if (ret)
		goto put_dev;

	swapmem_devices[id] = sdev;
	pr_info("swapmem%d: %lu KiB pool, backing device %s\n", id,
		sdev->nr_frames << (PAGE_SHIFT - 10),
		backing && backing[0] ? backing : "none");
	return 0;

put_dev:
	pr_err("swapmem%d: cannot register the device (error %d)\n", id, ret);
	put_device(&sdev->dev);
	return ret;

free_pool:
	swapmem_pool_exit(sdev);
free_sdev:
	mutex_destroy(&sdev->config_lock);
	mutex_destroy(&sdev->lock);
	kfree(sdev);
	return ret;
}

static void swapmem_dev_remove(struct swapmem_device *sdev)
{
	lockdep_assert_held(&swapmem_devices_lock);
	swapmem_devices[sdev->id] = NULL;
	cdev_device_del(&sdev->cdev, &sdev->dev);
	put_device(&sdev->dev);
}

static ssize_t hot_add_show(SWAPMEM_CLASS_CONST struct class *class,
			    SWAPMEM_CLASS_ATTR_CONST struct class_attribute *attr,
			    char *buf)
{
	int id, ret;

	mutex_lock(&swapmem_devices_lock);
	for (id = 0; id < SWAPMEM_MAX_DEVICES; id++)
		if (!swapmem_devices[id])
			break;
	if (swapmem_state != SWAPMEM_LIVE)
		ret = -ENODEV;
	else if (id == SWAPMEM_MAX_DEVICES)
		ret = -ENOSPC;
	else
		ret = swapmem_dev_add(id, SWAPMEM_POOL_DEFAULT, NULL);
	mutex_unlock(&swapmem_devices_lock);
	if (ret == -ENOSPC)
		pr_err_ratelimited("hot_add: all %d devices exist: remove one first\n",
				   SWAPMEM_MAX_DEVICES);
	return ret ? ret : sysfs_emit(buf, "%d\n", id);
}

/* reading it creates a device: root only */
static struct class_attribute class_attr_hot_add = __ATTR_RO_MODE(hot_add, 0400);

static ssize_t hot_remove_store(SWAPMEM_CLASS_CONST struct class *class,
				SWAPMEM_CLASS_ATTR_CONST struct class_attribute *attr,
				const char *buf, size_t len)
{
	struct swapmem_device *sdev;
	int id, ret = 0;

	if (kstrtoint(buf, 10, &id) || id < 0 || id >= SWAPMEM_MAX_DEVICES)
		return -EINVAL;
	mutex_lock(&swapmem_devices_lock);
	sdev = swapmem_devices[id];
	if (!sdev || swapmem_state != SWAPMEM_LIVE) {
		ret = -ENODEV;
	} else if (!swapmem_spaces_close_gate(sdev)) {
		pr_err_ratelimited("swapmem%d: hot_remove: %d spaces are open: busy\n",
				   id, swapmem_spaces(sdev));
		ret = -EBUSY;
	} else {
		swapmem_dev_remove(sdev);
	}
	mutex_unlock(&swapmem_devices_lock);
	return ret ? ret : len;
}
static CLASS_ATTR_WO(hot_remove);

static struct attribute *swapmem_class_attrs[] = {
	&class_attr_hot_add.attr,
	&class_attr_hot_remove.attr,
	NULL,
};
ATTRIBUTE_GROUPS(swapmem_class);

static int __init swapmem_init(void)
{
	int id = 0, ret;

	ret = swapmem_fs_init();
	if (ret)
		return ret;

	ret = class_register(&swapmem_class);
	if (ret)
		goto exit_fs;

	ret = alloc_chrdev_region(&swapmem_devt, 0, SWAPMEM_MAX_DEVICES,
				  "swapmem");
	if (ret)
		goto unregister_class;

	mutex_lock(&swapmem_devices_lock);
	for (id = 0; id < swapmem_nr_devices; id++) {
		ret = id ? swapmem_dev_add(id, SWAPMEM_POOL_DEFAULT, NULL) :
			   swapmem_dev_add(0, swapmem_pool_size, swapmem_backing_dev);
		if (ret)
			break;
	}
	if (ret) {
		pr_err("not loaded: swapmem%d could not be created (error %d, cause above)\n",
		       id, ret);
		while (id--)
			swapmem_dev_remove(swapmem_devices[id]);
		mutex_unlock(&swapmem_devices_lock);
		/* kmod words ENOENT as "Unknown symbol in module" */
		if (ret == -ENOENT)
			ret = -ENODEV;
		goto unregister_region;
	}
	swapmem_state = SWAPMEM_LIVE;
	mutex_unlock(&swapmem_devices_lock);
	return 0;

unregister_region:
	unregister_chrdev_region(swapmem_devt, SWAPMEM_MAX_DEVICES);
unregister_class:
	class_unregister(&swapmem_class);
exit_fs:
	swapmem_fs_exit();
	return ret;
}

static void __exit swapmem_exit(void)
{
	int id;

	/* from here on, hot_add and hot_remove refuse */
	mutex_lock(&swapmem_devices_lock);
	swapmem_state = SWAPMEM_UNLOADING;
	for (id = 0; id < SWAPMEM_MAX_DEVICES; id++)
		if (swapmem_devices[id])
			swapmem_dev_remove(swapmem_devices[id]);
	mutex_unlock(&swapmem_devices_lock);
	unregister_chrdev_region(swapmem_devt, SWAPMEM_MAX_DEVICES);
	class_unregister(&swapmem_class);
	swapmem_fs_exit();
}

module_init(swapmem_init);
module_exit(swapmem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Swap-backed virtual memory on a block device, mapped with mmap()");
MODULE_AUTHOR("The swapmem developers");
