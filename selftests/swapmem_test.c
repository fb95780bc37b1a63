// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: the device and the file interface.
 *
 * Needs swapmem.ko loaded, with /dev/swapmem0 present.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/swapmem.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define SWAPMEM_DEV	SM_DEV

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(SWAPMEM_DEV, O_RDWR);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, SWAPMEM_DEV " is missing: is swapmem.ko loaded?");
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Each open is a space: nr_spaces follows opens and closes. */
TEST_F(dev, open_close_counts_spaces)
{
	long base = sm_attr("nr_spaces");
	int fd2;

	ASSERT_GE(base, 1);
	fd2 = open(SWAPMEM_DEV, O_RDWR);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(base + 1, sm_attr("nr_spaces"));
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(base, sm_attr("nr_spaces"));
}

/* A read-only open works as well. */
TEST_F(dev, open_read_only)
{
	int fd2 = open(SWAPMEM_DEV, O_RDONLY);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, close(fd2));
}

/* The pool size in sysfs is a whole number of pages. */
TEST_F(dev, pool_size_in_pages)
{
	long pool = sm_attr("pool_size");

	ASSERT_GT(pool, 0);
	EXPECT_EQ(0, pool % sysconf(_SC_PAGESIZE));
}

/* An ioctl that swapmem does not know answers ENOTTY. */
TEST_F(dev, unknown_ioctl_enotty)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IO(SWAPMEM_IOCTL_BASE, 0xff), 0));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IO('x', 1), 0));
	EXPECT_EQ(ENOTTY, errno);
}

/* read() and write() are not how a space is used: mmap is. */
TEST_F(dev, read_write_einval)
{
	char c = 0;

	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &c, 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
