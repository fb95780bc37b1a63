// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: where pages go on the backing device.
 *
 * The device is a small device-mapper target on the lab guest's second
 * scratch disk ($SWAPMEM_DISK2), read back raw (O_DIRECT, no page cache)
 * to see which slot holds which page: slot N is bytes N * 4096 to
 * N * 4096 + 4095, and every page the tests write says which page and
 * generation it is (sm_page_make()).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define DM_NAME		"swapmem-layout"
#define DM_SECTORS	16384		/* 8 MiB: slots 1 to 2047 */
#define NR_SLOTS	(DM_SECTORS / 8)

FIXTURE(layout) {
	int fd;
};

FIXTURE_SETUP(layout)
{
	char table[128];

	self->fd = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	if (sm_dm_available())
		SKIP(return, "device mapper is not available");
	snprintf(table, sizeof(table), "0 %d linear %s 0\\n", DM_SECTORS, sm_disk(1));
	ASSERT_EQ(0, sm_dm_create(DM_NAME, table));
	ASSERT_EQ(0, sm_reload("pool_size=1M backing_dev=/dev/mapper/" DM_NAME));
	/* nothing is written behind the test's back */
	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "0"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(layout)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
	if (sm_dm("remove", DM_NAME))
		perror("dmsetup remove");
}

/*
 * The whole device as it is now, read raw: NR_SLOTS pages, or NULL.
 * O_DIRECT, so what the module wrote, not an old copy in the page cache.
 */
static __u64 *read_device(void)
{
	size_t len = (size_t)NR_SLOTS * SM_PAGE;
	void *buf;
	int fd;

	if (posix_memalign(&buf, SM_PAGE, len))
		return NULL;
	fd = open("/dev/mapper/" DM_NAME, O_RDONLY | O_DIRECT);
	if (fd < 0 || pread(fd, buf, len, 0) != (ssize_t)len) {
		perror("read /dev/mapper/" DM_NAME);
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	close(fd);
	return buf;
}

/* The slot holding page @index of generation @gen, or -1. */
static long slot_of(const __u64 *dev, __u64 index, __u64 gen)
{
	long s;

	for (s = 1; s < NR_SLOTS; s++) {
		const __u64 *p = dev + (size_t)s * SM_WORDS;

		if (p[0] == index && p[1] == gen && !sm_page_check(p, index, gen))
			return s;
	}
	return -1;
}

/*
 * A write batch whose pages have no slot gets a run of adjacent slots for
 * adjacent pages, even where the free slots nearest are scattered: the
 * device is filled, every other slot of its first half is freed, and a
 * run of 128 is freed further on; then 64 adjacent pages of another space
 * are synced. They must land in 64 adjacent slots, in page order (one
 * bio), not one per hole (64 bios, and a readahead of 64 runs later).
 */
TEST_F_TIMEOUT(layout, batch_gets_a_run, 300)
{
	size_t n = NR_SLOTS - 1, runs = 64, hole = 1536, i;
	char *a, *c;
	__u64 *dev;
	long first, s;
	int fd2;

	a = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, a);
	sm_fill(a, 0, n, 1);
	ASSERT_EQ(0, msync(a, n * SM_PAGE, MS_SYNC));
	/* the premise: filled in page order, page i in slot i + 1 */
	dev = read_device();
	ASSERT_NE(NULL, dev);
	for (i = 0; i < n; i++)
		if (sm_page_check(dev + (i + 1) * SM_WORDS, i, 1))
			break;
	ASSERT_EQ(n, i) TH_LOG("page %zu is not in slot %zu", i, i + 1);
	free(dev);
	for (i = 1; i < hole; i += 2)
		ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_DROP, i, 1, NULL));
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_DROP, hole, 128, NULL));

	fd2 = open(SM_DEV, O_RDWR);
	ASSERT_GE(fd2, 0);
	c = mmap(NULL, runs * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, c);
	sm_fill(c, 0, runs, 2);
	ASSERT_EQ(0, msync(c, runs * SM_PAGE, MS_SYNC));
	dev = read_device();
	ASSERT_NE(NULL, dev);
	first = slot_of(dev, 0, 2);
	ASSERT_LT(0, first);
	for (i = 1; i < runs; i++) {
		s = slot_of(dev, i, 2);
		EXPECT_EQ(first + (long)i, s) TH_LOG("page %zu in slot %ld", i, s);
	}
	TH_LOG("64 pages synced into slots %ld to %ld", first, slot_of(dev, runs - 1, 2));
	free(dev);
	/* and both spaces read back right */
	EXPECT_EQ(0, sm_bad(c, 0, runs, 2));
	for (i = 0; i < n; i++) {
		__u64 *p = (__u64 *)(a + i * SM_PAGE);
		bool dropped = (i < hole && (i & 1)) || (i >= hole && i < hole + 128);

		/* a dropped page reads as zeros */
		EXPECT_EQ(0, dropped ? !sm_page_is_zero(p) : sm_page_check(p, i, 1))
			TH_LOG("page %zu", i);
	}
	munmap(c, runs * SM_PAGE);
	close(fd2);
	munmap(a, n * SM_PAGE);
}

TEST_HARNESS_MAIN
