/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels swapmem supports (6.1 to 7.3) is
 * hidden here, and LINUX_VERSION_CODE is tested nowhere else.
 */
#ifndef _SWAPMEM_COMPAT_H
#define _SWAPMEM_COMPAT_H

#include <linux/version.h>

#endif /* _SWAPMEM_COMPAT_H */
