// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: many pages per fault (fault-around).
 *
 * A read fault maps its page and the resident neighbours of its block of
 * fault_around pages (sysfs, default 16) that were referenced since the
 * replacement policy last looked, or read ahead and not used yet; a page
 * the policy unmapped to sample its reference stays unmapped and faults.
 * A tmpfs file mapped the same way, with the kernel's fault-around window
 * (debugfs fault_around_bytes) at its default of 64 KiB, set for these
 * tests and put back after, takes as many faults as swapmem does.
 */
#include <sys/mman.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL		/* pool_size=1M */
#define FAB		"/sys/kernel/debug/fault_around_bytes"

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Map @n pages of @fd @skew pages past an address aligned to 64 KiB: the
 * blocks fault-around maps are aligned in the address space, as the
 * kernel aligns its own window.
 */
static char *map_skewed(int fd, size_t n, int prot, size_t skew)
{
	size_t len = (n + skew) * SM_PAGE, align = 16 * SM_PAGE;
	char *r, *a;

	r = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return r;
	a = (char *)(((unsigned long)r + align - 1) & ~(align - 1));
	if (a > r)
		munmap(r, a - r);
	munmap(a + len, r + len + align - (a + len));
	if (skew)
		munmap(a, skew * SM_PAGE);
	return mmap(a + skew * SM_PAGE, n * SM_PAGE, prot, MAP_SHARED | MAP_FIXED,
		    fd, 0);
}

static char *map_aligned(int fd, size_t n, int prot)
{
	return map_skewed(fd, n, prot, 0);
}

/* Read the first word of pages [first, first + n); returns their sum. */
static __u64 read_pages(const char *base, size_t first, size_t n)
{
	__u64 sum = 0;
	size_t i;

	for (i = first; i < first + n; i++)
		sum += sm_peek(base + i * SM_PAGE);
	return sum;
}

FIXTURE(around) {
	int fd;
	char fab[32];
};

FIXTURE_SETUP(around)
{
	char params[128];

	self->fd = -1;
	self->fab[0] = 0;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	if (sm_file_read(FAB, self->fab, sizeof(self->fab)))
		SKIP(return, "no %s (debugfs)", FAB);
	ASSERT_EQ(0, sm_file_write(FAB, "65536"));
	snprintf(params, sizeof(params), "pool_size=1M backing_dev=%s", sm_disk(0));
	ASSERT_EQ(0, sm_reload(params));
	/* nothing moves behind the test's back */
	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "0"));
	ASSERT_EQ(16, sm_attr("fault_around"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(around)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
	if (self->fab[0])
		sm_file_write(FAB, self->fab);
}

/*
 * Resident, referenced pages mapped again: one fault maps its block of 16
 * (15 counted in around_pages), as a tmpfs file takes one fault for 16; a
 * smaller fault_around maps a smaller block, and 1 maps the page alone.
 */
TEST_F(around, maps_resident_neighbours)
{
	size_t n = 64, i;
	long m0, a0, f0, tmpfs_faults;
	char *base, path[] = "/dev/shm/swapmem_around.XXXXXX";
	int tfd;

	/* the reference: a tmpfs file, resident, mapped again */
	tfd = mkstemp(path);
	ASSERT_GE(tfd, 0);
	unlink(path);
	ASSERT_EQ(0, ftruncate(tfd, n * SM_PAGE));
	base = map_aligned(tfd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	sm_fill(base, 0, n, 1);
	munmap(base, n * SM_PAGE);
	base = map_aligned(tfd, n, PROT_READ);
	ASSERT_NE(MAP_FAILED, base);
	f0 = minflt();
	read_pages(base, 0, 16);
	tmpfs_faults = minflt() - f0;
	munmap(base, n * SM_PAGE);
	close(tfd);

	base = map_aligned(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	sm_fill(base, 0, n, 1);
	munmap(base, n * SM_PAGE);
	base = map_aligned(self->fd, n, PROT_READ);
	ASSERT_NE(MAP_FAILED, base);

	m0 = sm_stat("minor_faults");
	a0 = sm_stat("around_pages");
	f0 = minflt();
	read_pages(base, 0, 16);
	EXPECT_EQ(1, minflt() - f0);
	EXPECT_EQ(tmpfs_faults, minflt() - f0);
	EXPECT_EQ(1, sm_stat("minor_faults") - m0);
	EXPECT_EQ(15, sm_stat("around_pages") - a0);
	/* a fault in the middle of the next block maps all of it */
	read_pages(base, 20, 1);
	read_pages(base, 16, 16);
	EXPECT_EQ(2, sm_stat("minor_faults") - m0);
	EXPECT_EQ(30, sm_stat("around_pages") - a0);
	EXPECT_EQ(0, sm_bad(base, 0, n, 1));
	munmap(base, n * SM_PAGE);

	/* blocks of 4: page 5 brings 4, 6 and 7, not 8 */
	ASSERT_EQ(0, sm_write(0, "fault_around", "4"));
	base = map_aligned(self->fd, n, PROT_READ);
	ASSERT_NE(MAP_FAILED, base);
	m0 = sm_stat("minor_faults");
	a0 = sm_stat("around_pages");
	read_pages(base, 5, 1);
	read_pages(base, 4, 4);
	EXPECT_EQ(1, sm_stat("minor_faults") - m0);
	EXPECT_EQ(3, sm_stat("around_pages") - a0);
	read_pages(base, 8, 1);
	EXPECT_EQ(2, sm_stat("minor_faults") - m0);
	munmap(base, n * SM_PAGE);

	/* 1: a fault per page */
	ASSERT_EQ(0, sm_write(0, "fault_around", "1"));
	base = map_aligned(self->fd, n, PROT_READ);
	ASSERT_NE(MAP_FAILED, base);
	m0 = sm_stat("minor_faults");
	a0 = sm_stat("around_pages");
	read_pages(base, 0, 16);
	EXPECT_EQ(16, sm_stat("minor_faults") - m0);
	EXPECT_EQ(0, sm_stat("around_pages") - a0);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	munmap(base, n * SM_PAGE);

	/* a mapping 5 pages past a 64 KiB boundary: blocks of 11, then 16 */
	ASSERT_EQ(0, sm_write(0, "fault_around", "16"));
	base = map_skewed(self->fd, n, PROT_READ, 5);
	ASSERT_NE(MAP_FAILED, base);
	m0 = sm_stat("minor_faults");
	a0 = sm_stat("around_pages");
	read_pages(base, 0, 11);
	EXPECT_EQ(1, sm_stat("minor_faults") - m0);
	EXPECT_EQ(10, sm_stat("around_pages") - a0);
	read_pages(base, 11, 16);
	EXPECT_EQ(2, sm_stat("minor_faults") - m0);
	EXPECT_EQ(25, sm_stat("around_pages") - a0);
	EXPECT_EQ(0, sm_bad(base, 0, n, 1));
	munmap(base, n * SM_PAGE);
	ASSERT_EQ(0, sm_write(0, "fault_around", "1"));

	/* 0 and 17 are refused; the value stays */
	EXPECT_NE(0, sm_write(0, "fault_around", "0"));
	EXPECT_NE(0, sm_write(0, "fault_around", "17"));
	EXPECT_EQ(1, sm_attr("fault_around"));
}

/*
 * Pages the CLOCK hand unmapped to sample their reference are not mapped
 * around a fault: each access to one faults, and counts as a reference.
 */
TEST_F(around, aged_pages_fault_again)
{
	size_t n = POOL_PAGES + 1;
	long a0, r0;
	char *base;

	base = map_aligned(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	/* fills the pool, all referenced; the last page sends the hand round */
	sm_fill(base, 0, n, 1);
	EXPECT_LE(POOL_PAGES - 1, sm_stat("second_chances"));
	a0 = sm_stat("around_pages");
	r0 = sm_stat("ref_faults");
	read_pages(base, 17, 1);
	EXPECT_EQ(0, sm_stat("around_pages") - a0);
	EXPECT_EQ(1, sm_stat("ref_faults") - r0);
	read_pages(base, 18, 1);
	read_pages(base, 17, 2);
	EXPECT_EQ(2, sm_stat("ref_faults") - r0);
	/* the faulting pages, referenced again, are mapped around later faults */
	munmap(base, n * SM_PAGE);
	base = map_aligned(self->fd, n, PROT_READ);
	ASSERT_NE(MAP_FAILED, base);
	read_pages(base, 19, 1);
	EXPECT_EQ(2, sm_stat("around_pages") - a0);
	EXPECT_EQ(0, sm_bad(base, 1, n - 1, 1));
	munmap(base, n * SM_PAGE);
}

/*
 * A sequential read of swapped pages: the pages each readahead window
 * brings in are mapped by the first fault into the window, so most pages
 * take no fault of their own, and every one reads back right.
 */
TEST_F_TIMEOUT(around, readahead_window_mapped, 300)
{
	size_t n = 8 * POOL_PAGES, reads = 4 * POOL_PAGES;
	long faults0, hits0, a0, faults;
	char *base;

	/* as shipped: the background writeback keeps clean frames to read into */
	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "25"));
	base = map_aligned(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	sm_fill(base, 0, n, 2);
	faults0 = sm_stat("major_faults") + sm_stat("minor_faults");
	hits0 = sm_stat("readahead_hits");
	a0 = sm_stat("around_pages");
	EXPECT_EQ(0, sm_bad(base, 0, reads, 2));
	faults = sm_stat("major_faults") + sm_stat("minor_faults") - faults0;
	TH_LOG("%zu pages read: %ld faults, %ld read-ahead pages used, %ld mapped around",
	       reads, faults, sm_stat("readahead_hits") - hits0,
	       sm_stat("around_pages") - a0);
	EXPECT_LE(faults * 4, (long)reads);
	EXPECT_LE((long)reads / 2, sm_stat("readahead_hits") - hits0);
	EXPECT_LE((long)reads / 2, sm_stat("around_pages") - a0);
	munmap(base, n * SM_PAGE);
}

/*
 * Asynchronous readahead: each window is started from a marker in the
 * one before it, by the fault that first maps the marker, so a sequential
 * reader finds its pages read ahead instead of starting a window with a
 * major fault every window's length: here, at most one major fault per
 * 100 pages read. (With windows read only by a major fault, it takes one
 * per window: 19 for these 1024 pages, before windows had markers.)
 */
TEST_F_TIMEOUT(around, readahead_async_ahead, 300)
{
	size_t n = 8 * POOL_PAGES, reads = 4 * POOL_PAGES;
	long major0, hits0, wasted0, ref0, major, hits;
	char *base;

	base = map_aligned(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	sm_fill(base, 0, n, 3);
	/*
	 * Every frame clean, so a window always finds frames to read into:
	 * with the background writeback instead, how many are clean when a
	 * window starts is a race with the reader.
	 */
	ASSERT_EQ(0, msync(base, n * SM_PAGE, MS_SYNC));
	major0 = sm_stat("major_faults");
	hits0 = sm_stat("readahead_hits");
	wasted0 = sm_stat("readahead_wasted");
	ref0 = sm_stat("ref_faults");
	EXPECT_EQ(0, sm_bad(base, 0, reads, 3));
	major = sm_stat("major_faults") - major0;
	hits = sm_stat("readahead_hits") - hits0;
	TH_LOG("%zu pages read: %ld major faults, %ld read ahead and used",
	       reads, major, hits);
	TH_LOG("%ld read ahead and evicted unused, %ld ref faults",
	       sm_stat("readahead_wasted") - wasted0, sm_stat("ref_faults") - ref0);
	EXPECT_LE(major, (long)reads / 100);
	EXPECT_LE((long)reads * 9 / 10, hits);
	munmap(base, n * SM_PAGE);
}

/*
 * The same sequence written instead of read: a write fault that meets a
 * marker (on a resident page, or on one still being read ahead, which it
 * waits for) starts the next window before it maps its page, since the
 * mapped page stays locked while the core makes it writable. Every page
 * written and every page behind them reads back right, and the windows
 * still serve most of the sequence.
 */
TEST_F_TIMEOUT(around, readahead_async_write, 300)
{
	size_t n = 8 * POOL_PAGES, writes = 4 * POOL_PAGES;
	long major0, hits0, major, hits;
	char *base;

	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "25"));
	base = map_aligned(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	sm_fill(base, 0, n, 5);
	major0 = sm_stat("major_faults");
	hits0 = sm_stat("readahead_hits");
	sm_fill(base, 0, writes, 6);
	major = sm_stat("major_faults") - major0;
	hits = sm_stat("readahead_hits") - hits0;
	TH_LOG("%zu pages written: %ld major faults, %ld read ahead and used",
	       writes, major, hits);
	EXPECT_EQ(0, sm_bad(base, 0, writes, 6));
	EXPECT_EQ(0, sm_bad(base, writes, n - writes, 5));
	EXPECT_LE((long)writes / 2, hits);
	munmap(base, n * SM_PAGE);
}

TEST_HARNESS_MAIN
