// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: the ioctls of uapi/linux/swapmem.h, their success paths
 * and every error. Built twice: natively and as a 32-bit program, which
 * reaches the module through compat_ioctl.
 *
 * Loads swapmem.ko ($SWAPMEM_KO) with a 1 MiB pool on $SWAPMEM_DISK.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/swapmem.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL

FIXTURE(ioc) {
	int fd;
	char *base;
	size_t pages;
};

FIXTURE_SETUP(ioc)
{
	char params[128];

	self->fd = -1;
	self->base = MAP_FAILED;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	snprintf(params, sizeof(params), "pool_size=1M backing_dev=%s", sm_disk(0));
	ASSERT_EQ(0, sm_reload(params));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	self->pages = 4 * POOL_PAGES;
	self->base = mmap(NULL, self->pages * SM_PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->base != MAP_FAILED);
}

FIXTURE_TEARDOWN(ioc)
{
	if (self->base != MAP_FAILED)
		munmap(self->base, self->pages * SM_PAGE);
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/* INFO describes the device and the caller's space. */
TEST_F(ioc, info)
{
	struct swapmem_info info;
	size_t i;

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_INFO, &info));
	EXPECT_EQ(0, info.device_id);
	EXPECT_EQ(SM_PAGE, info.page_size);
	EXPECT_EQ(SWAPMEM_POLICY_CLOCK, info.policy);
	EXPECT_EQ(SWAPMEM_ACCT_OVERCOMMIT, info.accounting);
	EXPECT_EQ(POOL_PAGES, info.pool_frames);
	EXPECT_EQ(sm_stat("slots_total"), info.slots_total);
	EXPECT_NE(0, info.backing_major + info.backing_minor);
	EXPECT_EQ(POOL_PAGES / 4, info.pin_limit);
	EXPECT_EQ(self->pages * SM_PAGE, info.space_size);
	EXPECT_EQ(1ULL << 40, info.space_max);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, info.reserved[i]);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/* STATS: the device's counters match sysfs; the space's follow its pages. */
TEST_F(ioc, stats)
{
	struct swapmem_stats st;

	sm_fill(self->base, 0, 2 * POOL_PAGES, 1);
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	EXPECT_EQ(sm_stat("zero_fill_faults"), st.device.zero_fill_faults);
	EXPECT_GE(sm_stat("evictions_dirty"), st.device.evictions_dirty);
	/* background writeback may write more after the snapshot */
	EXPECT_GE(sm_stat("swap_writes"), st.device.swap_writes);
	EXPECT_EQ(sm_stat("frames_used"), st.device.frames_used);
	EXPECT_GE(sm_stat("slots_used"), st.device.slots_used);
	EXPECT_EQ(1, st.device.nr_spaces);
	EXPECT_EQ(2 * POOL_PAGES, st.space.zero_fill_faults);
	EXPECT_EQ(POOL_PAGES, st.space.resident);
	EXPECT_EQ(POOL_PAGES, st.space.swapped);
	EXPECT_EQ(POOL_PAGES, st.space.evictions);
	/* background writeback may clean some between the two counts */
	EXPECT_LE(st.space.dirty, POOL_PAGES);
	EXPECT_LE(st.device.frames_dirty, POOL_PAGES);
	EXPECT_EQ(sm_stat("slot_retries"), st.device.slot_retries);
	EXPECT_EQ(sm_stat("held_skips"), st.device.held_skips);
	EXPECT_EQ(sm_stat("frames_held"), st.device.frames_held);
	EXPECT_EQ(sm_stat("around_pages"), st.device.around_pages);

	/* unknown flags, non-zero reserved field, bad pointer */
	memset(&st, 0, sizeof(st));
	st.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
	memset(&st, 0, sizeof(st));
	st.reserved0 = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_STATS, &st));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_STATS, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* SYNC writes dirty pages and keeps them; PAGEOUT frees the frames. */
TEST_F(ioc, sync_and_pageout)
{
	struct swapmem_stats st;
	__u64 done;
	long major0;

	sm_fill(self->base, 0, 64, 1);
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_SYNC, 0, 64, &done));
	EXPECT_EQ(64, done);
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	EXPECT_EQ(0, st.space.dirty);
	EXPECT_EQ(64, st.space.resident);

	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PAGEOUT, 0, 64, &done));
	EXPECT_EQ(64, done);
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	EXPECT_EQ(0, st.space.resident);
	EXPECT_EQ(64, st.space.swapped);
	/* read back by their own faults or ahead of them */
	major0 = sm_stat("major_faults") + sm_stat("readahead_hits");
	EXPECT_EQ(0, sm_bad(self->base, 0, 64, 1));
	EXPECT_EQ(64, sm_stat("major_faults") + sm_stat("readahead_hits") - major0);
}

/* PREFETCH reads swapped pages in, so touching them is a minor fault. */
TEST_F(ioc, prefetch)
{
	long major0, reads0;
	__u64 done;

	sm_fill(self->base, 0, 32, 2);
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PAGEOUT, 0, 32, &done));
	EXPECT_EQ(32, done);
	reads0 = sm_stat("swap_reads");
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PREFETCH, 0, 32, &done));
	EXPECT_EQ(32, done);
	EXPECT_EQ(32, sm_stat("swap_reads") - reads0);
	major0 = sm_stat("major_faults");
	EXPECT_EQ(0, sm_bad(self->base, 0, 32, 2));
	EXPECT_EQ(0, sm_stat("major_faults") - major0);
}

/* DROP discards a range: it reads as zeros, its slots are freed. */
TEST_F(ioc, drop)
{
	struct swapmem_stats st;
	__u64 done;
	size_t i;

	sm_fill(self->base, 0, 2 * POOL_PAGES, 3);
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	ASSERT_GT(st.space.swapped, 0);
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_DROP, 0, 2 * POOL_PAGES, &done));
	EXPECT_EQ(2 * POOL_PAGES, done);
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	EXPECT_EQ(0, st.space.swapped + st.space.resident);
	EXPECT_EQ(0, sm_stat("slots_used"));
	EXPECT_EQ(POOL_PAGES, sm_stat("frames_free"));
	for (i = 0; i < 2 * POOL_PAGES; i++)
		ASSERT_TRUE(sm_page_is_zero((__u64 *)(self->base + i * SM_PAGE)));
}

/*
 * PIN keeps pages resident while a stream 3x the pool passes; it is bounded
 * by the pin limit, all or nothing; UNPIN lets them go.
 */
TEST_F(ioc, pin_and_unpin)
{
	struct swapmem_stats st;
	long major0;
	__u64 done;
	size_t i;

	sm_fill(self->base, 0, 16, 4);
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PIN, 0, 16, &done));
	EXPECT_EQ(16, done);
	EXPECT_EQ(16, sm_stat("frames_pinned"));
	for (i = 16; i < self->pages; i++)
		sm_poke(self->base + i * SM_PAGE, i);
	major0 = sm_stat("major_faults");
	EXPECT_EQ(0, sm_bad(self->base, 0, 16, 4));
	EXPECT_EQ(0, sm_stat("major_faults") - major0);

	/* past the limit (64 frames): refused, and nothing more pinned */
	errno = 0;
	EXPECT_EQ(-1, sm_advise(self->fd, SWAPMEM_ADV_PIN, 16, 64, NULL));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(16, sm_stat("frames_pinned"));

	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_UNPIN, 0, 16, &done));
	EXPECT_EQ(16, done);
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	EXPECT_EQ(0, st.space.pinned);
	EXPECT_EQ(0, st.device.frames_pinned);
}

/* Every malformed advice is EINVAL, a bad pointer EFAULT. */
TEST_F(ioc, advise_errors)
{
	struct swapmem_advice adv;

	memset(&adv, 0, sizeof(adv));
	adv.length = SM_PAGE;
	adv.advice = 99;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	adv.advice = 0;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);

	adv.advice = SWAPMEM_ADV_SYNC;
	adv.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	adv.flags = 0;
	adv.reserved[1] = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	adv.reserved[1] = 0;

	errno = 0;
	EXPECT_EQ(-1, sm_advise(self->fd, SWAPMEM_ADV_SYNC, 0, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	adv.offset = 100;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	adv.offset = 0;
	adv.length = SM_PAGE + 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	/* overflow, and past the end of a space */
	adv.offset = ~0ULL << 12;
	adv.length = 2 * SM_PAGE;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	adv.offset = (1ULL << 40) - SM_PAGE;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(EINVAL, errno);
	adv.length = SM_PAGE;
	EXPECT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SWAPMEM_IOC_ADVISE, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

/* RESET_STATS zeroes the counters for root, and is EPERM for others. */
TEST_F(ioc, reset_stats)
{
	int status;
	pid_t pid;

	sm_fill(self->base, 0, 8, 1);
	ASSERT_GT(sm_stat("zero_fill_faults"), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* nobody: no CAP_SYS_ADMIN, the open file stays usable */
		if (setgid(65534) || setuid(65534))
			_exit(2);
		errno = 0;
		if (ioctl(self->fd, SWAPMEM_IOC_RESET_STATS) != -1 || errno != EPERM)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_GT(sm_stat("zero_fill_faults"), 0);
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_RESET_STATS));
	EXPECT_EQ(0, sm_stat("zero_fill_faults"));
	EXPECT_EQ(0, sm_stat("swap_writes"));
	/* gauges are not counters: they stay */
	EXPECT_EQ(8, sm_stat("frames_used"));
}

/* An unknown command of swapmem's own type is ENOTTY. */
TEST_F(ioc, unknown_command)
{
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(SWAPMEM_IOCTL_BASE, 0x7f, __u64), NULL));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
