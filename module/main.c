// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem: swap-backed virtual memory on a block device, mapped with mmap().
 *
 * This file holds the module parameters, the device class and the life of
 * each /dev/swapmemN.
 */
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "swapmem_drv.h"

#define SWAPMEM_POOL_MIN	(64UL << 10)
#define SWAPMEM_POOL_DEFAULT	(16UL << 20)

static unsigned long swapmem_pool_size = SWAPMEM_POOL_DEFAULT;
static char swapmem_backing_dev[64];

static dev_t swapmem_devt;
static struct swapmem_device *swapmem_devices[SWAPMEM_MAX_DEVICES];

static struct class swapmem_class = {
	.name = "swapmem",
};

/* Largest pool one device may own: half of RAM. */
static unsigned long swapmem_pool_max(void)
{
	return (totalram_pages() / 2) << PAGE_SHIFT;
}

static int swapmem_pool_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long size;
	char *end;

	size = memparse(val, &end);
	if (*end == '\n')
		end++;
	if (end == val || *end) {
		pr_err("pool_size: '%s' is not a size\n", val);
		return -EINVAL;
	}
	if (size < SWAPMEM_POOL_MIN || size > swapmem_pool_max()) {
		pr_err("pool_size: %llu is outside [%lu, %lu]\n",
		       size, SWAPMEM_POOL_MIN, swapmem_pool_max());
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

module_param_string(backing_dev, swapmem_backing_dev,
		    sizeof(swapmem_backing_dev), 0444);
MODULE_PARM_DESC(backing_dev,
		 "Block device that holds swapmem0's swap slots, opened exclusively, logical block size at most the page size. Default: none (the pool alone)");

static void swapmem_dev_release(struct device *dev)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	swapmem_store_detach(sdev);
	swapmem_pool_exit(sdev);
	mutex_destroy(&sdev->lock);
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
	init_waitqueue_head(&sdev->wq);
	atomic_set(&sdev->nr_spaces, 0);
	ret = swapmem_pool_init(sdev, pool_size >> PAGE_SHIFT);
	if (ret) {
		pr_err("swapmem%d: cannot allocate a %lu KiB pool\n", id,
		       pool_size >> 10);
		goto free_sdev;
	}
	if (backing[0]) {
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
	return 0;

put_dev:
	put_device(&sdev->dev);
	return ret;

free_pool:
	swapmem_pool_exit(sdev);
free_sdev:
	mutex_destroy(&sdev->lock);
	kfree(sdev);
	return ret;
}

static void swapmem_dev_remove(struct swapmem_device *sdev)
{
	swapmem_devices[sdev->id] = NULL;
	cdev_device_del(&sdev->cdev, &sdev->dev);
	put_device(&sdev->dev);
}

static int __init swapmem_init(void)
{
	int ret;

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

	ret = swapmem_dev_add(0, swapmem_pool_size, swapmem_backing_dev);
	if (ret) {
		pr_err("cannot create swapmem0: %d\n", ret);
		goto unregister_region;
	}
	pr_info("swapmem0: %lu KiB pool, backing device %s\n",
		swapmem_pool_size >> 10,
		swapmem_backing_dev[0] ? swapmem_backing_dev : "none");
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

	for (id = 0; id < SWAPMEM_MAX_DEVICES; id++)
		if (swapmem_devices[id])
			swapmem_dev_remove(swapmem_devices[id]);
	unregister_chrdev_region(swapmem_devt, SWAPMEM_MAX_DEVICES);
	class_unregister(&swapmem_class);
	swapmem_fs_exit();
}

module_init(swapmem_init);
module_exit(swapmem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Swap-backed virtual memory on a block device, mapped with mmap()");
MODULE_AUTHOR("The swapmem developers");
