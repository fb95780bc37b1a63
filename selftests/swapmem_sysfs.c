// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: configuration through sysfs, live, and several devices.
 *
 * Every writable file of /sys/class/swapmem/swapmemN/ with good values, bad
 * values (empty, negative, overflow, garbage: EINVAL, old value kept) and
 * busy states (EBUSY); writes by a user without privilege refused; the
 * policies changed under load without losing data; hot_add and hot_remove.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/swapmem.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL

/* The file's value must still be @want after the write of @bad failed. */
static int refused_keeps(int dev, const char *file, const char *bad, int err,
			 const char *want)
{
	char buf[128];
	int ret = sm_write(dev, file, bad);

	if (ret != err) {
		fprintf(stderr, "# %s <- '%s': %d, wanted %d\n", file, bad, ret, err);
		return -1;
	}
	if (sm_read(dev, file, buf, sizeof(buf)) || strcmp(buf, want)) {
		fprintf(stderr, "# %s is '%s' after '%s', wanted '%s'\n", file, buf, bad, want);
		return -1;
	}
	return 0;
}

FIXTURE(cfg) {
	int fd;
};

FIXTURE_SETUP(cfg)
{
	self->fd = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	ASSERT_EQ(0, sm_reload("pool_size=1M nr_devices=2"));
}

FIXTURE_TEARDOWN(cfg)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/* pool_size: grows and shrinks live, refuses bad values, keeps data. */
TEST_F_TIMEOUT(cfg, pool_size_live, 600)
{
	static const char * const bads[] = { "\n", "-1", "abc", "4Mx", "1K", "99999999999999999999",
			       "1024G" };
	size_t n = 4 * POOL_PAGES, i;
	char *base;

	for (i = 0; i < ARRAY_SIZE(bads); i++)
		EXPECT_EQ(0, refused_keeps(0, "pool_size", bads[i], -EINVAL, "1048576"));
	ASSERT_EQ(0, sm_write(0, "backing_dev", sm_disk(0)));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	sm_fill(base, 0, n, 1);

	ASSERT_EQ(0, sm_write(0, "pool_size", "2M"));
	EXPECT_EQ(2 * POOL_PAGES * SM_PAGE, sm_attr("pool_size"));
	sm_fill(base, 0, n, 2);
	EXPECT_EQ(2 * POOL_PAGES, sm_stat("frames_used"));
	/* shrink with every frame dirty: they are written out first */
	ASSERT_EQ(0, sm_write(0, "pool_size", "512K"));
	EXPECT_EQ(128, sm_stat("frames_used") + sm_stat("frames_free"));
	EXPECT_EQ(0, sm_bad(base, 0, n, 2));
	munmap(base, n * SM_PAGE);
}

/* Without a backing device, dirty pages cannot leave: shrinking is EBUSY. */
TEST_F(cfg, pool_size_busy)
{
	char *base;

	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, POOL_PAGES * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	sm_fill(base, 0, POOL_PAGES, 1);
	EXPECT_EQ(0, refused_keeps(0, "pool_size", "512K", -EBUSY, "1048576"));
	EXPECT_EQ(0, sm_bad(base, 0, POOL_PAGES, 1));
	munmap(base, POOL_PAGES * SM_PAGE);
}

/* backing_dev: attach, busy while pages live on it, detach, bad paths. */
TEST_F(cfg, backing_dev_live)
{
	/* as long as /dev/disk/by-id/ names get: 64 bytes was once the limit */
	static const char longpath[] =
		"/tmp/nvme-SAMSUNG_MZVL2512HCJQ-00B00_S675NX0T123456-part1-by-id-names-are-long";
	char buf[256];
	char *base;

	EXPECT_EQ(0, sm_read(0, "backing_dev", buf, sizeof(buf)));
	EXPECT_STREQ("none", buf);
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", "\n", -EINVAL, "none"));
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", "/dev/swapmem-none", -ENOENT, "none"));
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", "/dev/null", -ENOTBLK, "none"));
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", "-1", -ENOENT, "none"));
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", longpath, -ENOENT, "none"));
	ASSERT_EQ(0, symlink(sm_disk(0), longpath));
	EXPECT_EQ(0, sm_write(0, "backing_dev", longpath));
	EXPECT_EQ(0, sm_read(0, "backing_dev", buf, sizeof(buf)));
	EXPECT_STREQ(longpath, buf);
	EXPECT_EQ(0, sm_write(0, "backing_dev", "none"));
	unlink(longpath);
	ASSERT_EQ(0, sm_write(0, "backing_dev", sm_disk(0)));
	EXPECT_EQ(0, sm_read(0, "backing_dev", buf, sizeof(buf)));
	EXPECT_STREQ(sm_disk(0), buf);
	/* another device cannot take the same disk */
	EXPECT_EQ(0, refused_keeps(1, "backing_dev", sm_disk(0), -EBUSY, "none"));

	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, 2 * POOL_PAGES * SM_PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	sm_fill(base, 0, 2 * POOL_PAGES, 1);
	ASSERT_GT(sm_stat("slots_used"), 0);
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", "none", -EBUSY, sm_disk(0)));
	EXPECT_EQ(0, refused_keeps(0, "backing_dev", sm_disk(1), -EBUSY, sm_disk(0)));
	EXPECT_EQ(0, sm_bad(base, 0, 2 * POOL_PAGES, 1));
	munmap(base, 2 * POOL_PAGES * SM_PAGE);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, sm_stat("slots_used"));
	ASSERT_EQ(0, sm_write(0, "backing_dev", "none"));
	EXPECT_EQ(0, sm_stat("slots_total"));
}

/*
 * policy: switching under load loses nothing, and it is real: a hot set
 * that CLOCK keeps while a cold stream passes is refaulted under FIFO.
 */
TEST_F_TIMEOUT(cfg, policy_live, 600)
{
	size_t hot = POOL_PAGES / 4, data = 4 * POOL_PAGES, warm = 2 * POOL_PAGES;
	size_t cold = 4 * POOL_PAGES, total = hot + data + 2 * (warm + cold);
	static const char * const names[] = { "fifo", "clock" };
	size_t i, h, round, next = hot + data;
	long major[2], m0 = 0;
	__u64 sink = 0;
	char *base;

	/* every policy, the device's in brackets, as the block layer's scheduler */
	EXPECT_EQ(0, refused_keeps(0, "policy", "lru", -EINVAL, "[clock] fifo s3fifo"));
	EXPECT_EQ(0, refused_keeps(0, "policy", "\n", -EINVAL, "[clock] fifo s3fifo"));
	ASSERT_EQ(0, sm_write(0, "backing_dev", sm_disk(0)));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, total * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	sm_fill(base, 0, hot + data, 1);
	for (round = 0; round < 6; round++) {
		ASSERT_EQ(0, sm_write(0, "policy", round % 3 == 2 ? "s3fifo" :
						   names[round % 3]));
		if (round % 3 == 2)
			EXPECT_EQ(0, refused_keeps(0, "policy", "clock fifo", -EINVAL,
						   "clock fifo [s3fifo]"));
		EXPECT_EQ(0, sm_bad(base, 0, hot + data, 1));
	}
	/* the same hot set and a fresh cold stream under each policy */
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, sm_write(0, "policy", names[round]));
		for (i = 0; i < warm + cold; i++) {
			if (i == warm)
				m0 = sm_stat("major_faults");
			sink += sm_peek(base + next++ * SM_PAGE);
			if (i % 16 == 15)
				for (h = 0; h < hot; h++)
					sink += sm_peek(base + h * SM_PAGE + 8);
		}
		major[round] = sm_stat("major_faults") - m0;
	}
	EXPECT_EQ(hot * (2 * (warm + cold) / 16), sink);
	TH_LOG("hot-set major faults: fifo %ld, clock %ld", major[0], major[1]);
	EXPECT_GT(major[0], 0);
	EXPECT_EQ(0, major[1]);
	EXPECT_EQ(0, sm_bad(base, 0, hot + data, 1));
	munmap(base, total * SM_PAGE);
}

/*
 * S3-FIFO is scan-resistant: a hot set touched only every 400 pages of a
 * cold stream stays resident under it, while CLOCK, whose hand comes round
 * sooner, refaults it. Two warm-up rounds, then eight measured ones.
 */
TEST_F_TIMEOUT(cfg, s3fifo_resists_scans, 600)
{
	size_t hot = POOL_PAGES / 4, every = 400, rounds = 10, cold = rounds * every;
	size_t total = hot + 2 * cold, i, h, r, next;
	static const char * const names[] = { "clock", "s3fifo" };
	long major[2], m0 = 0;
	char *base;

	ASSERT_EQ(0, sm_write(0, "backing_dev", sm_disk(0)));
	/* the policies alone: no readahead, no writes ahead of the hand */
	ASSERT_EQ(0, sm_write(0, "readahead", "0"));
	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "0"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, total * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	next = hot;
	for (r = 0; r < 2; r++) {
		ASSERT_EQ(0, sm_write(0, "policy", names[r]));
		sm_fill(base, 0, hot, 1 + r);
		for (i = 0; i < cold; i++) {
			if (i == 2 * every)
				m0 = sm_stat("major_faults");
			/* a fresh page of the stream, read once */
			ASSERT_EQ(0, sm_peek(base + next++ * SM_PAGE));
			if (i % every == every - 1)
				for (h = 0; h < hot; h++)
					ASSERT_EQ(1 + r, sm_peek(base + h * SM_PAGE + 8));
		}
		major[r] = sm_stat("major_faults") - m0;
	}
	TH_LOG("hot-set major faults after warm-up: clock %ld, s3fifo %ld",
	       major[0], major[1]);
	EXPECT_GT(major[0], 0);
	EXPECT_EQ(0, major[1]);
	EXPECT_EQ(0, sm_bad(base, 0, hot, 2));
	munmap(base, total * SM_PAGE);
}

/* accounting: strict refuses mappings past pool + slots; overcommit maps. */
TEST_F(cfg, accounting_strict)
{
	struct swapmem_info info;
	size_t cap;
	void *p;

	EXPECT_EQ(0, refused_keeps(0, "accounting", "lazy", -EINVAL, "overcommit"));
	EXPECT_EQ(0, refused_keeps(0, "accounting", "\n", -EINVAL, "overcommit"));
	EXPECT_EQ(0, refused_keeps(0, "accounting", "-1", -EINVAL, "overcommit"));
	ASSERT_EQ(0, sm_write(0, "accounting", "strict"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_INFO, &info));
	EXPECT_EQ(SWAPMEM_ACCT_STRICT, info.accounting);
	cap = POOL_PAGES;	/* no backing device: the pool */
	errno = 0;
	p = mmap(NULL, (cap + 1) * SM_PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(ENOMEM, errno);
	p = mmap(NULL, cap * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	sm_fill(p, 0, cap, 1);
	EXPECT_EQ(0, sm_bad(p, 0, cap, 1));
	munmap(p, cap * SM_PAGE);
	ASSERT_EQ(0, sm_write(0, "accounting", "overcommit"));
	p = mmap(NULL, 16 * cap * SM_PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	munmap(p, 16 * cap * SM_PAGE);
}

/* readahead: 0 to 63 pages; writeback_reserve: 0 to 50 percent. */
TEST_F(cfg, readahead_and_writeback_reserve)
{
	EXPECT_EQ(63, sm_attr("readahead"));
	EXPECT_EQ(25, sm_attr("writeback_reserve"));
	EXPECT_EQ(0, refused_keeps(0, "readahead", "64", -EINVAL, "63"));
	EXPECT_EQ(0, refused_keeps(0, "readahead", "-1", -EINVAL, "63"));
	EXPECT_EQ(0, refused_keeps(0, "readahead", "x", -EINVAL, "63"));
	EXPECT_EQ(0, refused_keeps(0, "writeback_reserve", "51", -EINVAL, "25"));
	EXPECT_EQ(0, refused_keeps(0, "writeback_reserve", "\n", -EINVAL, "25"));
	EXPECT_EQ(0, refused_keeps(0, "writeback_reserve", "99999999999", -EINVAL, "25"));
	ASSERT_EQ(0, sm_write(0, "readahead", "0"));
	EXPECT_EQ(0, sm_attr("readahead"));
	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "50"));
	EXPECT_EQ(50, sm_attr("writeback_reserve"));
}

/* pin_limit: bytes, at most half the pool, never below what is pinned. */
TEST_F(cfg, pin_limit)
{
	struct swapmem_advice adv;
	char *base;

	EXPECT_EQ(0, refused_keeps(0, "pin_limit", "1M", -EINVAL, "262144"));
	EXPECT_EQ(0, refused_keeps(0, "pin_limit", "x", -EINVAL, "262144"));
	EXPECT_EQ(0, refused_keeps(0, "pin_limit", "-4096", -EINVAL, "262144"));
	EXPECT_EQ(0, refused_keeps(0, "pin_limit", "\n", -EINVAL, "262144"));
	EXPECT_EQ(0, refused_keeps(0, "pin_limit", "99999999999999999999", -EINVAL, "262144"));
	ASSERT_EQ(0, sm_write(0, "pin_limit", "512K"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, 64 * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	memset(&adv, 0, sizeof(adv));
	adv.length = 64 * SM_PAGE;
	adv.advice = SWAPMEM_ADV_PIN;
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_ADVISE, &adv));
	EXPECT_EQ(0, refused_keeps(0, "pin_limit", "128K", -EBUSY, "524288"));
	munmap(base, 64 * SM_PAGE);
}

/* reset_stats takes 1; writes by a user without privilege are refused. */
TEST_F(cfg, reset_and_privilege)
{
	int status;
	pid_t pid;

	EXPECT_EQ(-EINVAL, sm_write(0, "reset_stats", "0"));
	EXPECT_EQ(-EINVAL, sm_write(0, "reset_stats", "maybe"));
	EXPECT_EQ(0, sm_write(0, "reset_stats", "1"));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (sm_write(0, "pool_size", "2M") != -EACCES ||
		    sm_write(0, "backing_dev", "none") != -EACCES ||
		    sm_write(0, "policy", "fifo") != -EACCES ||
		    sm_write(0, "accounting", "strict") != -EACCES ||
		    sm_write(0, "pin_limit", "128K") != -EACCES ||
		    sm_write(0, "reset_stats", "1") != -EACCES)
			_exit(1);
		if (open("/sys/class/swapmem/hot_remove", O_WRONLY) != -1 ||
		    errno != EACCES)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(POOL_PAGES * SM_PAGE, sm_attr("pool_size"));
	EXPECT_EQ(0, access("/sys/class/swapmem/swapmem1", F_OK));
}

/* Sum the counts of a latency histogram; -1 if its format is wrong. */
static long hist_sum(const char *file)
{
	char path[128], bound[32];
	long sum = 0, count;
	int lines = 0;
	FILE *f;

	snprintf(path, sizeof(path), SM_SYSFS "latency/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%31s %ld", bound, &count) == 2) {
		if (lines < 23 && strtoull(bound, NULL, 10) != 1ULL << (lines + 10))
			break;
		sum += count;
		lines++;
	}
	fclose(f);
	return lines == 24 && !strcmp(bound, "inf") ? sum : -1;
}

/* latency/: each histogram counts every fault once; the scan cost shows. */
TEST_F(cfg, latency_histograms)
{
	size_t n = 3 * POOL_PAGES;
	char ratio[32];
	char *base;

	ASSERT_EQ(0, sm_write(0, "backing_dev", sm_disk(0)));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	base = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	sm_fill(base, 0, n, 1);
	EXPECT_EQ(0, sm_bad(base, 0, n, 1));
	ASSERT_GT(sm_stat("major_faults"), 0);
	EXPECT_EQ(sm_stat("major_faults"), hist_sum("major_fault_ns"));
	EXPECT_EQ(sm_stat("minor_faults"), hist_sum("minor_fault_ns"));
	/* the hand looked at one frame per victim at least */
	ASSERT_EQ(0, sm_read(0, "stats/scanned_per_eviction", ratio, sizeof(ratio)));
	TH_LOG("frames scanned per eviction: %s", ratio);
	EXPECT_GE(strtod(ratio, NULL), 1.0);
	ASSERT_EQ(0, sm_write(0, "reset_stats", "1"));
	EXPECT_EQ(0, hist_sum("major_fault_ns"));
	EXPECT_EQ(0, hist_sum("minor_fault_ns"));
	munmap(base, n * SM_PAGE);
}

/* Control: nr_devices at load, hot_add, hot_remove and their errors. */
TEST_F(cfg, hot_add_remove)
{
	char buf[32];
	int fd, id, n;

	EXPECT_EQ(0, access("/sys/class/swapmem/swapmem1", F_OK));
	fd = open("/sys/class/swapmem/hot_add", O_RDONLY);
	ASSERT_GE(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_GT(n, 0);
	buf[n] = '\0';
	id = atoi(buf);
	EXPECT_EQ(2, id);
	EXPECT_EQ(0, access("/dev/swapmem2", F_OK));

	/* busy while a space is open on it */
	fd = open("/dev/swapmem2", O_RDWR);
	ASSERT_GE(fd, 0);
	n = open("/sys/class/swapmem/hot_remove", O_WRONLY);
	ASSERT_GE(n, 0);
	errno = 0;
	EXPECT_EQ(-1, write(n, "2", 1));
	EXPECT_EQ(EBUSY, errno);
	close(fd);
	EXPECT_EQ(1, write(n, "2", 1));
	EXPECT_NE(0, access("/sys/class/swapmem/swapmem2", F_OK));
	errno = 0;
	EXPECT_EQ(-1, write(n, "2", 1));
	EXPECT_EQ(ENODEV, errno);
	errno = 0;
	EXPECT_EQ(-1, write(n, "x", 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(n, "-1", 2));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(n, "99999999999", 11));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(n, "\n", 1));
	EXPECT_EQ(EINVAL, errno);
	close(n);
}

TEST_HARNESS_MAIN
