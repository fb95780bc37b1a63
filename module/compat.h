/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels swapmem supports (6.1 to 7.3) is
 * hidden here, and LINUX_VERSION_CODE is tested nowhere else.
 */
#ifndef _SWAPMEM_COMPAT_H
#define _SWAPMEM_COMPAT_H

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/version.h>

/* vm_flags became read-only behind helpers in 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * Class attribute callbacks take a const class since 6.4, and a const
 * attribute in later kernels (6.12 has it, 6.1 not): module/Kbuild probes
 * the headers for that one and defines SWAPMEM_CONST_CLASS_ATTR.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define SWAPMEM_CLASS_CONST const
#else
#define SWAPMEM_CLASS_CONST
#endif
#ifdef SWAPMEM_CONST_CLASS_ATTR
#define SWAPMEM_CLASS_ATTR_CONST const
#else
#define SWAPMEM_CLASS_ATTR_CONST
#endif

/*
 * An exclusively opened block device: blkdev_get_by_path() with FMODE_EXCL
 * until 6.8, a struct file from bdev_file_open_by_path() since 6.9.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
struct swapmem_bdev {
	struct file *file;
	struct block_device *bdev;
};

static inline int swapmem_bdev_open(struct swapmem_bdev *h, const char *path,
				    void *holder)
{
	struct file *file;

	file = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE,
				      holder, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	h->file = file;
	h->bdev = file_bdev(file);
	return 0;
}

static inline void swapmem_bdev_close(struct swapmem_bdev *h)
{
	bdev_fput(h->file);
	h->file = NULL;
	h->bdev = NULL;
}
#else
struct swapmem_bdev {
	struct block_device *bdev;
};

#define SWAPMEM_BDEV_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

static inline int swapmem_bdev_open(struct swapmem_bdev *h, const char *path,
				    void *holder)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, SWAPMEM_BDEV_MODE, holder);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	h->bdev = bdev;
	return 0;
}

static inline void swapmem_bdev_close(struct swapmem_bdev *h)
{
	blkdev_put(h->bdev, SWAPMEM_BDEV_MODE);
	h->bdev = NULL;
}
#endif

/*
 * Drop the lock a fault runs under before blocking I/O, the first half of
 * the VM_FAULT_RETRY protocol: mmap_lock, or, since 6.4, the vma's own
 * lock, which the core takes first for a file whose vm_ops have
 * ->map_pages. Only release_fault_lock() (6.7) knows which; swapmem
 * offers ->map_pages (SWAPMEM_MAP_PAGES) only where it exists or where
 * there are no per-vma locks, so mmap_read_unlock() is right otherwise.
 */
#if defined(SWAPMEM_HAVE_RELEASE_FAULT_LOCK) || \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define SWAPMEM_MAP_PAGES
#endif

static inline void swapmem_release_fault_lock(struct vm_fault *vmf)
{
#ifdef SWAPMEM_HAVE_RELEASE_FAULT_LOCK
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

#endif /* _SWAPMEM_COMPAT_H */
