// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem file operations: each open() of /dev/swapmemN is an address space.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "swapmem_drv.h"

static int swapmem_open(struct inode *inode, struct file *file)
{
	struct swapmem_device *sdev;
	struct swapmem_space *space;

	sdev = container_of(inode->i_cdev, struct swapmem_device, cdev);
	space = kzalloc(sizeof(*space), GFP_KERNEL);
	if (!space)
		return -ENOMEM;
	space->sdev = sdev;
	get_device(&sdev->dev);
	atomic_inc(&sdev->nr_spaces);
	file->private_data = space;
	return 0;
}

static int swapmem_release(struct inode *inode, struct file *file)
{
	struct swapmem_space *space = file->private_data;
	struct swapmem_device *sdev = space->sdev;

	atomic_dec(&sdev->nr_spaces);
	kfree(space);
	put_device(&sdev->dev);
	return 0;
}

static int swapmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}

static long swapmem_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return -ENOTTY;
}

const struct file_operations swapmem_fops = {
	.owner = THIS_MODULE,
	.open = swapmem_open,
	.release = swapmem_release,
	.mmap = swapmem_mmap,
	.unlocked_ioctl = swapmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
