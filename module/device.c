// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem devices: the device table, the device class, adding and
 * removing a /dev/swapmemN (at load and unload, and by hot_add and
 * hot_remove), and the open gate (swapmem_space_enter() in swapmem_drv.h).
 */
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/swapmem.h>
#include <linux/wait_bit.h>

#include "swapmem_drv.h"

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

static const struct attribute_group *swapmem_class_groups[];

static struct class swapmem_class = {
	.name = "swapmem",
	.class_groups = swapmem_class_groups,
};

static void swapmem_dev_release(struct device *dev)
{
	struct swapmem_device *sdev = swapmem_dev(dev);

	/* a read-ahead completion may still be on its way out */
	wait_var_event(&sdev->ra_inflight, !atomic_read(&sdev->ra_inflight));
	/* and out of wake_up_var() (swapmem_batch_put()) */
	synchronize_rcu();
	cancel_work_sync(&sdev->wb_work);
	swapmem_store_detach(sdev);
	swapmem_policy_exit(sdev);
	swapmem_pool_exit(sdev);
	swapmem_stats_exit(sdev);
	mutex_destroy(&sdev->pool_lock);
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
	mutex_init(&sdev->pool_lock);
	mutex_init(&sdev->config_lock);
	init_waitqueue_head(&sdev->wq);
	INIT_WORK(&sdev->wb_work, swapmem_writeback_work);
	sdev->ra_max = SWAPMEM_RA_MAX;
	sdev->fault_around = SWAPMEM_FAULT_AROUND_MAX;
	sdev->wb_reserve = 25;
	atomic_set(&sdev->nr_spaces, 0);
	ret = swapmem_stats_init(sdev);
	if (ret)
		goto free_sdev;
	ret = swapmem_policy_set(sdev, SWAPMEM_POLICY_CLOCK);
	if (ret)
		goto free_stats;
	ret = swapmem_pool_init(sdev, pool_size >> PAGE_SHIFT);
	sdev->pin_limit = sdev->nr_frames / 4;
	if (ret)
		goto free_policy;
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
free_policy:
	swapmem_policy_exit(sdev);
free_stats:
	swapmem_stats_exit(sdev);
free_sdev:
	mutex_destroy(&sdev->config_lock);
	mutex_destroy(&sdev->pool_lock);
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

/**
 * swapmem_devices_create() - register the class and create the first devices
 * @nr: how many
 * @pool_size: swapmem0's pool, in bytes (the others get SWAPMEM_POOL_DEFAULT)
 * @backing: swapmem0's backing device, or NULL or "" for none
 *
 * Context: module init.
 * Return: 0, or -errno with nothing left behind (the cause logged).
 */
int swapmem_devices_create(unsigned int nr, unsigned long pool_size,
			   const char *backing)
{
	int id = 0, ret;

	ret = class_register(&swapmem_class);
	if (ret)
		return ret;
	ret = alloc_chrdev_region(&swapmem_devt, 0, SWAPMEM_MAX_DEVICES,
				  "swapmem");
	if (ret)
		goto unregister_class;

	mutex_lock(&swapmem_devices_lock);
	for (id = 0; id < nr; id++) {
		ret = id ? swapmem_dev_add(id, SWAPMEM_POOL_DEFAULT, NULL) :
			   swapmem_dev_add(0, pool_size, backing);
		if (ret)
			break;
	}
	if (ret) {
		pr_err("not loaded: swapmem%d could not be created (error %d, cause above)\n",
		       id, ret);
		while (id--)
			swapmem_dev_remove(swapmem_devices[id]);
		mutex_unlock(&swapmem_devices_lock);
		goto unregister_region;
	}
	swapmem_state = SWAPMEM_LIVE;
	mutex_unlock(&swapmem_devices_lock);
	return 0;

unregister_region:
	unregister_chrdev_region(swapmem_devt, SWAPMEM_MAX_DEVICES);
unregister_class:
	class_unregister(&swapmem_class);
	return ret;
}

/**
 * swapmem_devices_remove() - remove every device and the class
 *
 * From here on, hot_add and hot_remove refuse.
 *
 * Context: module exit.
 */
void swapmem_devices_remove(void)
{
	int id;

	mutex_lock(&swapmem_devices_lock);
	swapmem_state = SWAPMEM_UNLOADING;
	for (id = 0; id < SWAPMEM_MAX_DEVICES; id++)
		if (swapmem_devices[id])
			swapmem_dev_remove(swapmem_devices[id]);
	mutex_unlock(&swapmem_devices_lock);
	unregister_chrdev_region(swapmem_devt, SWAPMEM_MAX_DEVICES);
	class_unregister(&swapmem_class);
}
