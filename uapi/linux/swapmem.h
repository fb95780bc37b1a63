/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * swapmem: swap-backed virtual memory on a block device, mapped with mmap().
 *
 * Each open() of /dev/swapmemN is one virtual address space. This header
 * holds what user space shares with the module: its ioctls and structures.
 */
#ifndef _UAPI_LINUX_SWAPMEM_H
#define _UAPI_LINUX_SWAPMEM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ioctl type shared by every swapmem command */
#define SWAPMEM_IOCTL_BASE	0xB7

#endif /* _UAPI_LINUX_SWAPMEM_H */
