// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem file operations: each open() of /dev/swapmemN is an address space,
 * mapped with mmap(MAP_SHARED).
 *
 * Every space gets an inode of its own from a private pseudo filesystem,
 * and the file's f_mapping points at that inode's mapping, so that the
 * vmas of one space, in every process that maps it (fork included), hang
 * off one i_mmap tree: unmap_mapping_pages() on it reaches them all and
 * nothing of another space.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/swapmem.h>

#include "swapmem_drv.h"

#define SWAPMEM_FS_MAGIC	0x53574d45	/* "SWME" */

static struct vfsmount *swapmem_mnt;

static int swapmem_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, SWAPMEM_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type swapmem_fs_type = {
	.name = "swapmem",
	/* no .owner: the internal mount must not pin the module */
	.init_fs_context = swapmem_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * swapmem_fs_init() - mount the pseudo filesystem that spaces' inodes live on
 *
 * Context: module init.
 * Return: 0 or -errno.
 */
int swapmem_fs_init(void)
{
	swapmem_mnt = kern_mount(&swapmem_fs_type);
	return PTR_ERR_OR_ZERO(swapmem_mnt);
}

/**
 * swapmem_fs_exit() - unmount it
 *
 * Context: module exit.
 */
void swapmem_fs_exit(void)
{
	kern_unmount(swapmem_mnt);
}

static int swapmem_open(struct inode *inode, struct file *file)
{
	struct swapmem_device *sdev;
	struct swapmem_space *space;
	int ret;

	sdev = container_of(inode->i_cdev, struct swapmem_device, cdev);
	space = kzalloc(sizeof(*space), GFP_KERNEL);
	if (!space)
		return -ENOMEM;
	space->inode = alloc_anon_inode(swapmem_mnt->mnt_sb);
	if (IS_ERR(space->inode)) {
		ret = PTR_ERR(space->inode);
		goto free_space;
	}
	ret = swapmem_space_enter(sdev);
	if (ret)
		goto put_inode;
	xa_init(&space->pt);
	space->sdev = sdev;
	get_device(&sdev->dev);
	file->f_mapping = space->inode->i_mapping;
	file->private_data = space;
	return 0;

put_inode:
	iput(space->inode);
free_space:
	kfree(space);
	return ret;
}

static int swapmem_release(struct inode *inode, struct file *file)
{
	struct swapmem_space *space = file->private_data;
	struct swapmem_device *sdev = space->sdev;

	swapmem_space_teardown(space);
	iput(space->inode);
	kfree(space);
	atomic_dec(&sdev->nr_spaces);
	put_device(&sdev->dev);
	return 0;
}

/*
 * MAP_SHARED only: MAP_PRIVATE would need copy-on-write copies outside the
 * pool (EINVAL). No PROT_EXEC (EPERM), now or later by mprotect (EACCES).
 */
static int swapmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct swapmem_space *space = file->private_data;
	struct swapmem_device *sdev = space->sdev;
	unsigned long pages = vma_pages(vma), end, grow, cap;

	if (!(vma->vm_flags & VM_MAYSHARE)) {
		pr_err_ratelimited("swapmem%d: mmap: MAP_PRIVATE is not supported, use MAP_SHARED\n",
				   sdev->id);
		return -EINVAL;
	}
	if (vma->vm_flags & VM_EXEC) {
		pr_err_ratelimited("swapmem%d: mmap: PROT_EXEC is not allowed\n",
				   sdev->id);
		return -EPERM;
	}
	if (vma->vm_pgoff >= SWAPMEM_SPACE_MAX_PAGES ||
	    pages > SWAPMEM_SPACE_MAX_PAGES - vma->vm_pgoff) {
		pr_err_ratelimited("swapmem%d: mmap: range ends past the %lu GiB a space can hold\n",
				   sdev->id, SWAPMEM_SPACE_MAX_PAGES >> (30 - PAGE_SHIFT));
		return -EINVAL;
	}
	/* A space grows to cover its highest mapping; strict caps the total. */
	mutex_lock(&sdev->pool_lock);
	end = vma->vm_pgoff + pages;
	if (end > space->size >> PAGE_SHIFT) {
		grow = end - (space->size >> PAGE_SHIFT);
		cap = swapmem_capacity(sdev);
		if (sdev->accounting == SWAPMEM_ACCT_STRICT &&
		    sdev->committed + grow > cap) {
			mutex_unlock(&sdev->pool_lock);
			pr_err_ratelimited("swapmem%d: mmap: %lu more pages would pass the %lu the device holds (strict accounting)\n",
					   sdev->id, grow, cap);
			return -ENOMEM;
		}
		sdev->committed += grow;
		/* read without the lock by advice, to cut its range */
		WRITE_ONCE(space->size, (u64)end << PAGE_SHIFT);
		/* the core checks faults against the file's size */
		i_size_write(space->inode, (loff_t)end << PAGE_SHIFT);
	}
	mutex_unlock(&sdev->pool_lock);
	/*
	 * Refcounted pages (get_user_pages() finds them), never merged or
	 * grown, which also keeps mlock, NUMA balancing and khugepaged away.
	 */
	vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYEXEC);
	vma->vm_ops = &swapmem_vm_ops;
	return 0;
}

static int swapmem_fsync(struct file *file, loff_t start, loff_t end,
			 int datasync)
{
	struct swapmem_space *space = file->private_data;

	if (start < 0 || end < start)
		return -EINVAL;
	return swapmem_space_sync(space, start >> PAGE_SHIFT, end >> PAGE_SHIFT,
				  NULL);
}

const struct file_operations swapmem_fops = {
	.owner = THIS_MODULE,
	.open = swapmem_open,
	.release = swapmem_release,
	.mmap = swapmem_mmap,
	.fsync = swapmem_fsync,
	.unlocked_ioctl = swapmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
