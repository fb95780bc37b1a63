// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem: swap-backed virtual memory on a block device, mapped with mmap().
 *
 * This file holds the module parameters, the size parser they share with
 * sysfs, and module init and exit; device.c creates the devices.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "swapmem_drv.h"

static unsigned long swapmem_pool_size = SWAPMEM_POOL_DEFAULT;
static char *swapmem_backing_dev;

static unsigned int swapmem_nr_devices = 1;

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
static int __init swapmem_init(void)
{
	int ret;

	ret = swapmem_fs_init();
	if (ret)
		return ret;
	ret = swapmem_devices_create(swapmem_nr_devices, swapmem_pool_size,
				     swapmem_backing_dev);
	if (ret) {
		swapmem_fs_exit();
		/* kmod words ENOENT as "Unknown symbol in module" */
		return ret == -ENOENT ? -ENODEV : ret;
	}
	return 0;
}

static void __exit swapmem_exit(void)
{
	swapmem_devices_remove();
	swapmem_fs_exit();
}

module_init(swapmem_init);
module_exit(swapmem_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Swap-backed virtual memory on a block device, mapped with mmap()");
MODULE_AUTHOR("The swapmem developers");
