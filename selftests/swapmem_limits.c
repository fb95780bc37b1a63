// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: the limits the module keeps, each where it once did
 * not: the half-of-RAM cap over all pools, a pool the machine cannot spare
 * refused rather than paid for by the OOM killer, PIN all or nothing,
 * strict accounting rechecked when the device shrinks, advice cut to the
 * space, a pool partly pinned that still pages under every policy, and
 * msync on a full store that unmaps only what it wrote.
 *
 * Each fixture loads swapmem.ko ($SWAPMEM_KO) with what it needs, on the
 * lab guest's scratch disks ($SWAPMEM_DISK, $SWAPMEM_DISK2), and unloads it
 * after.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <linux/swapmem.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL		/* pool_size=1M */
#define MIB		(1024UL * 1024)

#define HOT_ADD		"/sys/class/swapmem/hot_add"
#define HOT_REMOVE	"/sys/class/swapmem/hot_remove"

#define DM_TINY		"swapmem-tiny"
#define DM_TINY_SECTORS	256		/* 32 slots, slot 0 unused */

/* A line of /proc/meminfo, in KiB; -1 if it is not there. */
static long meminfo_kb(const char *key)
{
	size_t klen = strlen(key);
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			kb = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* Lines of the kernel log that contain @needle, each shown; -1 on error. */
static int dmesg_count(const char *needle)
{
	char line[1024];
	int n = 0;
	FILE *f;

	f = popen("dmesg", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle)) {
			fprintf(stderr, "# dmesg: %s", line);
			n++;
		}
	if (pclose(f))
		return -1;
	return n;
}

/* ---- swapmem0 with a pool of nearly half of RAM ---- */

FIXTURE(half_ram) {
	unsigned long pool_mib;
};

FIXTURE_SETUP(half_ram)
{
	long total = meminfo_kb("MemTotal");
	char params[128];

	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	ASSERT_GT(total, 0);
	/* half of RAM rounded down to MiB, less 8 MiB: 16 more do not fit */
	self->pool_mib = total / 1024 / 2 - 8;
	TH_LOG("MemTotal %ld KiB, MemAvailable %ld KiB: swapmem0's pool %lu MiB",
	       total, meminfo_kb("MemAvailable"), self->pool_mib);
	snprintf(params, sizeof(params), "pool_size=%luM nr_devices=1", self->pool_mib);
	ASSERT_EQ(0, sm_reload(params));
	ASSERT_EQ(self->pool_mib * MIB, sm_attr("pool_size"));
}

FIXTURE_TEARDOWN(half_ram)
{
	sm_unload();
}

/*
 * The half-of-RAM cap covers the pools of all devices together: hot_add
 * of a 16 MiB pool past it is ENOMEM, says so once in the kernel log and
 * leaves no device; shrinking swapmem0 makes room for it.
 */
TEST_F_TIMEOUT(half_ram, pool_cap_all_devices, 600)
{
	char buf[32];

	ASSERT_EQ(0, system("dmesg -C"));
	EXPECT_EQ(-ENOMEM, sm_file_read(HOT_ADD, buf, sizeof(buf)));
	EXPECT_NE(0, access("/dev/swapmem1", F_OK));
	EXPECT_NE(0, access("/sys/class/swapmem/swapmem1", F_OK));
	EXPECT_EQ(1, dmesg_count("over half of RAM"));

	ASSERT_EQ(0, sm_write(0, "pool_size", "16M"));
	EXPECT_EQ(16 * MIB, sm_attr("pool_size"));
	ASSERT_EQ(0, sm_file_read(HOT_ADD, buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(0, access("/dev/swapmem1", F_OK));
	EXPECT_EQ(0, sm_file_write(HOT_REMOVE, "1"));
	EXPECT_NE(0, access("/sys/class/swapmem/swapmem1", F_OK));
}

/* ---- swapmem0 with a 1 MiB pool, on a machine whose memory is busy ---- */

FIXTURE(pressure) {
	pid_t hog;
};

FIXTURE_SETUP(pressure)
{
	self->hog = 0;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	ASSERT_EQ(0, sm_reload("pool_size=1M"));
}

FIXTURE_TEARDOWN(pressure)
{
	if (self->hog > 0) {
		kill(self->hog, SIGKILL);
		waitpid(self->hog, NULL, 0);
	}
	sm_unload();
}

/*
 * A child that writes every page of @bytes of anonymous memory, says so on
 * @done, and sleeps until it is killed.
 */
static void hog_run(size_t bytes, int done)
{
	char *p, ok = 1;
	size_t i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	p = malloc(bytes);
	if (!p)
		_exit(1);
	for (i = 0; i < bytes; i += SM_PAGE)
		p[i] = 1;
	if (write(done, &ok, 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

/*
 * Growing a pool within the documented range while the machine's memory
 * is busy is refused with ENOMEM, naming what is available: the OOM
 * killer does not run and the process holding the memory lives on.
 */
TEST_F_TIMEOUT(pressure, pool_refused_under_memory_pressure, 600)
{
	long avail = meminfo_kb("MemAvailable"), now;
	int pipefd[2], st;
	size_t bytes;
	char ok = 0;

	ASSERT_GT(avail, 200 * 1024);
	bytes = (size_t)(avail - 100 * 1024) * 1024;
	ASSERT_EQ(0, pipe(pipefd));
	fflush(stdout);
	fflush(stderr);
	self->hog = fork();
	ASSERT_GE(self->hog, 0);
	if (!self->hog) {
		close(pipefd[0]);
		hog_run(bytes, pipefd[1]);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &ok, 1));
	close(pipefd[0]);
	TH_LOG("hog wrote %zu MiB of the %ld MiB available: %ld MiB available now",
	       bytes / MIB, avail / 1024, meminfo_kb("MemAvailable") / 1024);

	ASSERT_EQ(0, system("dmesg -C"));
	EXPECT_EQ(-ENOMEM, sm_write(0, "pool_size", "300M"));
	EXPECT_EQ(MIB, sm_attr("pool_size"));
	EXPECT_EQ(0, kill(self->hog, 0));
	EXPECT_EQ(0, waitpid(self->hog, &st, WNOHANG));
	EXPECT_EQ(0, dmesg_count("Out of memory"));
	EXPECT_EQ(0, dmesg_count("oom-kill"));
	EXPECT_LE(1, dmesg_count("of RAM available"));

	ASSERT_EQ(0, kill(self->hog, SIGKILL));
	ASSERT_EQ(self->hog, waitpid(self->hog, &st, 0));
	self->hog = 0;
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	now = meminfo_kb("MemAvailable");
	TH_LOG("hog gone: %ld MiB available", now / 1024);
	ASSERT_EQ(0, sm_write(0, "pool_size", "64M"));
	EXPECT_EQ(64 * MIB, sm_attr("pool_size"));
	ASSERT_EQ(0, sm_write(0, "pool_size", "1M"));
	EXPECT_EQ(MIB, sm_attr("pool_size"));
}

/* ---- swapmem0 with a 1 MiB pool and no backing device ---- */

FIXTURE(pool_only) {
	int fd;
	char *base;
	size_t pages;
};

FIXTURE_SETUP(pool_only)
{
	self->fd = -1;
	self->base = MAP_FAILED;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	ASSERT_EQ(0, sm_reload("pool_size=1M"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(pool_only)
{
	if (self->base != MAP_FAILED)
		munmap(self->base, self->pages * SM_PAGE);
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/*
 * A PIN within the pin limit that runs out of frames half-way fails with
 * ENOMEM and undoes the pins it made; a later PIN that fits succeeds.
 */
TEST_F_TIMEOUT(pool_only, partial_pin_is_undone, 600)
{
	struct swapmem_stats st;
	__u64 done = 0;

	ASSERT_EQ(0, sm_write(0, "pin_limit", "512K"));
	self->pages = 4 * POOL_PAGES;
	self->base = mmap(NULL, self->pages * SM_PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->base != MAP_FAILED);
	/* 200 dirty frames that have nowhere to go: 56 are left */
	sm_fill(self->base, 0, 200, 1);
	EXPECT_EQ(POOL_PAGES - 200, sm_stat("frames_free"));

	errno = 0;
	EXPECT_EQ(-1, sm_advise(self->fd, SWAPMEM_ADV_PIN, 200, 100, NULL));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(0, sm_stat("frames_pinned"));
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	TH_LOG("after the failed PIN: %llu pinned (space %llu), %llu free, %llu used",
	       (unsigned long long)st.device.frames_pinned,
	       (unsigned long long)st.space.pinned,
	       (unsigned long long)st.device.frames_free,
	       (unsigned long long)st.device.frames_used);
	EXPECT_EQ(0, st.device.frames_pinned);
	EXPECT_EQ(0, st.space.pinned);

	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PIN, 300, 40, &done));
	EXPECT_EQ(40, done);
	EXPECT_EQ(40, sm_stat("frames_pinned"));
	ASSERT_EQ(0, sm_stats(self->fd, &st));
	EXPECT_EQ(40, st.space.pinned);
	EXPECT_EQ(0, sm_bad(self->base, 0, 200, 1));
}

/*
 * ADVISE ranges are cut to the space (the end of its highest mapping):
 * pages past it are left alone and counted nowhere; past 1 TiB is EINVAL.
 */
TEST_F(pool_only, advise_cut_to_space)
{
	static const __u32 advice[] = { SWAPMEM_ADV_PREFETCH, SWAPMEM_ADV_PAGEOUT,
					SWAPMEM_ADV_DROP, SWAPMEM_ADV_SYNC,
					SWAPMEM_ADV_PIN, SWAPMEM_ADV_UNPIN };
	struct swapmem_info info;
	__u64 done = 0, max;
	size_t i;
	char *far;

	self->pages = 16;
	self->base = mmap(NULL, self->pages * SM_PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->base != MAP_FAILED);
	sm_fill(self->base, 0, 16, 1);
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_INFO, &info));
	EXPECT_EQ(16 * SM_PAGE, info.space_size);
	max = info.space_max;

	/* each advice past the space: nothing done, nothing counted */
	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		done = 1;
		EXPECT_EQ(0, sm_advise(self->fd, advice[i], 100, 10, &done));
		EXPECT_EQ(0, done);
	}
	EXPECT_EQ(0, sm_stat("frames_pinned"));
	EXPECT_EQ(16, sm_stat("frames_used"));
	EXPECT_EQ(0, sm_bad(self->base, 0, 16, 1));

	/* a range from inside to far past it: the 16 pages only */
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_DROP, 0, 1024, &done));
	EXPECT_EQ(16, done);
	EXPECT_EQ(POOL_PAGES, sm_stat("frames_free"));

	/* up to the last page below 1 TiB is a range; past it is not */
	done = 1;
	EXPECT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PIN, max / SM_PAGE - 1, 1, &done));
	EXPECT_EQ(0, done);
	errno = 0;
	EXPECT_EQ(-1, sm_advise(self->fd, SWAPMEM_ADV_PIN, max / SM_PAGE - 1, 2, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, sm_advise(self->fd, SWAPMEM_ADV_PREFETCH, max / SM_PAGE, 1, NULL));
	EXPECT_EQ(EINVAL, errno);

	/* a mapping further up grows the space: the same PIN now acts */
	far = mmap(NULL, SM_PAGE, PROT_READ, MAP_SHARED, self->fd, 200 * SM_PAGE);
	ASSERT_TRUE(far != MAP_FAILED);
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_INFO, &info));
	EXPECT_EQ(201 * SM_PAGE, info.space_size);
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PIN, 100, 10, &done));
	EXPECT_EQ(10, done);
	EXPECT_EQ(10, sm_stat("frames_pinned"));
	munmap(far, SM_PAGE);
	for (i = 0; i < 16; i++)
		EXPECT_TRUE(sm_page_is_zero((__u64 *)(self->base + i * SM_PAGE)));
}

/* ---- swapmem0 with a 1 MiB pool on $SWAPMEM_DISK ---- */

FIXTURE(backed) {
	int fd;
};

FIXTURE_SETUP(backed)
{
	char params[128];

	self->fd = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	snprintf(params, sizeof(params), "pool_size=1M backing_dev=%s", sm_disk(0));
	ASSERT_EQ(0, sm_reload(params));
}

FIXTURE_TEARDOWN(backed)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/*
 * Strict accounting is kept when the device shrinks: a smaller pool or no
 * backing device is EBUSY while the spaces map more than that would hold,
 * and strict itself is EBUSY while they already map more.
 */
TEST_F_TIMEOUT(backed, strict_rechecked, 600)
{
	struct swapmem_info info;
	char buf[256];
	size_t cap, n;
	void *p;

	ASSERT_EQ(0, sm_write(0, "accounting", "strict"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_INFO, &info));
	cap = info.pool_frames + info.slots_total;
	n = cap - 16;
	TH_LOG("strict: %llu frames + %llu slots, %zu pages mapped",
	       (unsigned long long)info.pool_frames,
	       (unsigned long long)info.slots_total, n);
	ASSERT_EQ(POOL_PAGES, info.pool_frames);
	ASSERT_GT(info.slots_total, 16);
	p = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);

	EXPECT_EQ(-EBUSY, sm_write(0, "pool_size", "512K"));
	EXPECT_EQ(MIB, sm_attr("pool_size"));
	EXPECT_EQ(-EBUSY, sm_write(0, "backing_dev", "none"));
	EXPECT_EQ(0, sm_read(0, "backing_dev", buf, sizeof(buf)));
	EXPECT_STREQ(sm_disk(0), buf);
	EXPECT_EQ(info.slots_total, sm_stat("slots_total"));
	/* growing is always fine, and so is a shrink that still holds them */
	EXPECT_EQ(0, sm_write(0, "pool_size", "2M"));
	EXPECT_EQ(2 * MIB, sm_attr("pool_size"));
	EXPECT_EQ(0, sm_write(0, "pool_size", "1M"));
	EXPECT_EQ(MIB, sm_attr("pool_size"));
	EXPECT_EQ(-EBUSY, sm_write(0, "pool_size", "512K"));

	munmap(p, n * SM_PAGE);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, sm_write(0, "pool_size", "512K"));
	EXPECT_EQ(MIB / 2, sm_attr("pool_size"));

	/* overcommit maps past the device; strict is then refused */
	ASSERT_EQ(0, sm_write(0, "accounting", "overcommit"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, ioctl(self->fd, SWAPMEM_IOC_INFO, &info));
	n = info.pool_frames + info.slots_total + 16;
	p = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(-EBUSY, sm_write(0, "accounting", "strict"));
	EXPECT_EQ(0, sm_read(0, "accounting", buf, sizeof(buf)));
	EXPECT_STREQ("overcommit", buf);
	munmap(p, n * SM_PAGE);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, sm_write(0, "accounting", "strict"));
	EXPECT_EQ(0, sm_read(0, "accounting", buf, sizeof(buf)));
	EXPECT_STREQ("strict", buf);
}

/* ---- swapmem0 with a 1 MiB pool on $SWAPMEM_DISK, a quarter of it pinned ---- */

#define PINNED		64		/* past S3-FIFO's small queue: 25 frames */
#define STREAM		1000

FIXTURE(pinned) {
	int fd, fd2;
	char *base, *other;
};

FIXTURE_VARIANT(pinned) {
	const char *policy;
};

FIXTURE_VARIANT_ADD(pinned, clock) {
	.policy = "clock",
};

FIXTURE_VARIANT_ADD(pinned, fifo) {
	.policy = "fifo",
};

FIXTURE_VARIANT_ADD(pinned, s3fifo) {
	.policy = "s3fifo",
};

FIXTURE_SETUP(pinned)
{
	char params[128];

	self->fd = -1;
	self->fd2 = -1;
	self->base = MAP_FAILED;
	self->other = MAP_FAILED;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	snprintf(params, sizeof(params), "pool_size=1M backing_dev=%s", sm_disk(0));
	ASSERT_EQ(0, sm_reload(params));
	ASSERT_EQ(0, sm_write(0, "policy", variant->policy));
	/* the victim search alone: no page read ahead or written behind */
	ASSERT_EQ(0, sm_write(0, "readahead", "0"));
	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "0"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(pinned)
{
	if (self->other != MAP_FAILED)
		munmap(self->other, SM_PAGE);
	if (self->base != MAP_FAILED)
		munmap(self->base, (PINNED + STREAM) * SM_PAGE);
	if (self->fd2 >= 0)
		close(self->fd2);
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/*
 * With a quarter of the pool pinned, the rest still pages: 1000 pages are
 * written and read back through it, byte-exact, and another space gets a
 * frame. (Pinned frames once stayed in S3-FIFO's small queue, which then
 * never shrank to its tenth of the pool: each victim search went round it,
 * among pinned frames only, and every fault of the device got SIGBUS while
 * three quarters of the pool were free to go.)
 */
TEST_F_TIMEOUT(pinned, rest_of_pool_pages, 600)
{
	size_t i, sigbus = 0, bad = 0;
	__u64 page[SM_WORDS], done = 0;

	self->base = mmap(NULL, (PINNED + STREAM) * SM_PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->base != MAP_FAILED);
	ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_PIN, 0, PINNED, &done));
	ASSERT_EQ(PINNED, done);
	sm_catch_sigbus();
	for (i = PINNED; i < PINNED + STREAM; i++) {
		sm_page_make(page, i, 1);
		sigbus += !!sm_try_copy(self->base + i * SM_PAGE, page);
	}
	for (i = PINNED; i < PINNED + STREAM; i++) {
		if (sm_try_copy(page, self->base + i * SM_PAGE))
			sigbus++;
		else if (sm_page_check(page, i, 1))
			bad++;
	}
	TH_LOG("%s: %zu SIGBUS, %zu pages wrong; %ld major faults, %ld nomem faults",
	       variant->policy, sigbus, bad, sm_stat("major_faults"),
	       sm_stat("nomem_faults"));
	EXPECT_EQ(0, sigbus);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, sm_stat("nomem_faults"));
	EXPECT_EQ(PINNED, sm_stat("frames_pinned"));
	EXPECT_GT(sm_stat("major_faults"), 0);

	self->fd2 = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd2, 0);
	self->other = mmap(NULL, SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd2, 0);
	ASSERT_TRUE(self->other != MAP_FAILED);
	ASSERT_EQ(0, sm_try_copy(page, self->other));
	EXPECT_TRUE(sm_page_is_zero(page));
}

/* ---- swapmem0 on a backing device of 31 slots (device mapper) ---- */

FIXTURE(tiny) {
	int fd;
	char *base;
	size_t pages;
};

FIXTURE_SETUP(tiny)
{
	char table[128];

	self->fd = -1;
	self->base = MAP_FAILED;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	if (sm_dm_available())
		SKIP(return, "device mapper is not available");
	snprintf(table, sizeof(table), "0 %d linear %s 0\\n", DM_TINY_SECTORS, sm_disk(1));
	ASSERT_EQ(0, sm_dm_create(DM_TINY, table));
	if (sm_reload("pool_size=1M backing_dev=/dev/mapper/" DM_TINY)) {
		/* no teardown after a failed set-up */
		if (sm_dm("remove", DM_TINY))
			perror("dmsetup remove");
		ASSERT_TRUE(0);
	}
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(tiny)
{
	if (self->base != MAP_FAILED)
		munmap(self->base, self->pages * SM_PAGE);
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
	if (sm_dm("remove", DM_TINY))
		perror("dmsetup remove");
}

/*
 * msync on a store too small for the dirty pages fails with ENOSPC and
 * unmaps only the pages it wrote: the others stay mapped, and every page
 * keeps what was written.
 */
TEST_F_TIMEOUT(tiny, msync_full_store_keeps_mappings, 600)
{
	long slots, minor0, minor;
	__u64 sink = 0;
	size_t i;

	slots = sm_stat("slots_total");
	ASSERT_EQ(DM_TINY_SECTORS / 8 - 1, slots);
	self->pages = 100;
	self->base = mmap(NULL, self->pages * SM_PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(self->base != MAP_FAILED);
	sm_fill(self->base, 0, self->pages, 1);
	EXPECT_EQ(self->pages, sm_stat("frames_used"));

	errno = 0;
	EXPECT_EQ(-1, msync(self->base, self->pages * SM_PAGE, MS_SYNC));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(slots, sm_stat("slots_used"));

	minor0 = sm_stat("minor_faults");
	for (i = 0; i < self->pages; i++)
		sink += sm_peek(self->base + i * SM_PAGE);
	minor = sm_stat("minor_faults") - minor0;
	TH_LOG("msync: %ld of %zu pages written (%ld slots), %ld minor faults after",
	       sm_stat("slots_used"), self->pages, slots, minor);
	EXPECT_EQ(self->pages * (self->pages - 1) / 2, sink);
	EXPECT_LE(minor, slots);
	EXPECT_EQ(0, sm_bad(self->base, 0, self->pages, 1));
}

TEST_HARNESS_MAIN
