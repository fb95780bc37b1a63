// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: a backing device that fails for a while, or hangs.
 *
 * The device is a device-mapper target on the lab guest's second scratch
 * disk ($SWAPMEM_DISK2): its table is switched to "error" for an outage
 * and back, or the device is suspended (I/O waits) and resumed.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL		/* pool_size=1M */
#define DM_NAME		"swapmem-outage"
#define DM_SECTORS	131072		/* 64 MiB: 16383 slots */

FIXTURE(outage) {
	int fd;
	char linear[128];
};

FIXTURE_SETUP(outage)
{
	self->fd = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	if (sm_dm_available())
		SKIP(return, "device mapper is not available");
	snprintf(self->linear, sizeof(self->linear), "0 %d linear %s 0\\n",
		 DM_SECTORS, sm_disk(1));
	ASSERT_EQ(0, sm_dm_create(DM_NAME, self->linear));
	ASSERT_EQ(0, sm_reload("pool_size=1M backing_dev=/dev/mapper/" DM_NAME));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(outage)
{
	sm_dm("resume", DM_NAME);
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
	if (sm_dm("remove", DM_NAME))
		perror("dmsetup remove");
}

/* What the writer process and the test share, read and written with get()/set(). */
struct outage_log {
	long healed, stop, passes, sigbus_before, sigbus_after;
};

static long get(long *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void set(long *p, long v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/*
 * Write every page of @base, generation after generation, until told to
 * stop after a full pass; an access that gets SIGBUS (its page could not
 * be read or written while the device failed) is tried again a little
 * later, and counted as before or after the device healed.
 */
static void outage_writer(char *base, size_t n, struct outage_log *log)
{
	__u64 page[SM_WORDS], gen;
	size_t i;

	sm_catch_sigbus();
	for (gen = 1; !get(&log->stop); gen++) {
		for (i = 0; i < n; i++) {
			sm_page_make(page, i, gen);
			while (sm_try_copy(base + i * SM_PAGE, page)) {
				if (get(&log->healed))
					set(&log->sigbus_after, log->sigbus_after + 1);
				else
					set(&log->sigbus_before, log->sigbus_before + 1);
				usleep(20000);
			}
		}
		set(&log->passes, gen);
	}
	_exit(0);
}

/*
 * Dirty fresh pages of @base (no read needed), over and over, dropping
 * them after each round, so that victims must be written out all along:
 * the outage meets writes, not only reads. Their bytes do not matter.
 */
static void outage_dirtier(int fd, char *base, size_t first, size_t n,
			   struct outage_log *log)
{
	__u64 page[SM_WORDS];
	size_t i;

	sm_catch_sigbus();
	memset(page, 0x5a, sizeof(page));
	while (!get(&log->stop)) {
		for (i = first; i < first + n; i++)
			sm_try_copy(base + i * SM_PAGE, page);
		sm_advise(fd, SWAPMEM_ADV_DROP, first, n, NULL);
	}
	_exit(0);
}

/*
 * A backing device that fails every I/O for two seconds, mid-run, costs
 * nothing once it is back: the writes that failed meanwhile backed off
 * instead of burning a slot per fault, the slots they retired get another
 * chance, and then no access fails and every page reads back. (One such
 * outage used to retire 15,221 of 16,383 slots for good, and SIGBUS
 * followed on a healthy device.)
 */
TEST_F_TIMEOUT(outage, transient_outage_costs_nothing, 900)
{
	size_t n = 8 * POOL_PAGES, i, bad = 0;
	struct outage_log *log;
	long passes, err0;
	pid_t pid, dirtier;
	char table[64];
	double t;
	int status;
	char *base;

	/* the checked pages, then as many the dirtier writes and drops */
	base = mmap(NULL, (n + POOL_PAGES) * SM_PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, base);
	log = mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, log);
	memset(log, 0, sizeof(*log));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		outage_writer(base, n, log);
	for (t = sm_now(); !get(&log->passes) && sm_now() < t + 300; )
		usleep(10000);
	ASSERT_GT(log->passes, 0);
	dirtier = fork();
	ASSERT_GE(dirtier, 0);
	if (!dirtier)
		outage_dirtier(self->fd, base, n, POOL_PAGES, log);

	/* the outage: two seconds of errors, in the middle of a pass */
	err0 = sm_stat("write_errors");
	snprintf(table, sizeof(table), "0 %d error\\n", DM_SECTORS);
	ASSERT_EQ(0, sm_dm_table(DM_NAME, table));
	usleep(2000000);
	ASSERT_EQ(0, sm_dm_table(DM_NAME, self->linear));
	set(&log->healed, 1);
	TH_LOG("outage: %ld write errors, %ld slots retired at its end",
	       sm_stat("write_errors") - err0, sm_stat("slots_bad"));

	/* two whole passes on the healed device */
	passes = get(&log->passes);
	for (t = sm_now(); get(&log->passes) < passes + 2 && sm_now() < t + 600; )
		usleep(10000);
	set(&log->stop, 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(dirtier, waitpid(dirtier, &status, 0));
	TH_LOG("SIGBUS: %ld during the outage, %ld after it; %ld passes",
	       log->sigbus_before, log->sigbus_after, log->passes);
	TH_LOG("slots: %ld bad, %ld given another chance, %ld of %ld used",
	       sm_stat("slots_bad"), sm_stat("slot_retries"),
	       sm_stat("slots_used"), sm_stat("slots_total"));
	EXPECT_GT(sm_stat("write_errors") - err0, 0);
	EXPECT_EQ(0, log->sigbus_after);
	EXPECT_EQ(0, sm_stat("slots_bad"));
	EXPECT_GT(sm_stat("slot_retries"), 0);
	for (i = 0; i < n; i++)
		if (sm_page_check((__u64 *)(base + i * SM_PAGE), i, log->passes))
			bad++;
	EXPECT_EQ(0, bad);
	munmap(log, sizeof(*log));
	munmap(base, (n + POOL_PAGES) * SM_PAGE);
}

/* Has @pid exited within @secs seconds? Reaps it if so. */
static bool exits_within(pid_t pid, double secs)
{
	double end = sm_now() + secs;
	int status;

	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return true;
		usleep(20000);
	} while (sm_now() < end);
	return false;
}

/*
 * While the backing device hangs (suspended: I/O waits), a process that
 * waits for another's read of the same page dies at once when killed;
 * the reader itself waits for the device, as any block I/O does, and
 * reads the page when the device is back. (Every wait of a fault used to
 * be uninterruptible.)
 */
TEST_F_TIMEOUT(outage, hung_device_waiters_die, 600)
{
	size_t n = 4 * POOL_PAGES, i;
	pid_t reader, waiter;
	int status;
	char *base;

	base = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, base);
	for (i = 0; i < n; i++)
		sm_page_make((__u64 *)(base + i * SM_PAGE), i, 1);
	/* page 0 went out long ago; no I/O is pending */
	ASSERT_EQ(0, msync(base, n * SM_PAGE, MS_SYNC));
	ASSERT_EQ(0, sm_dm("suspend", DM_NAME));

	reader = fork();
	ASSERT_GE(reader, 0);
	if (!reader)
		_exit(sm_page_check((__u64 *)base, 0, 1) ? 1 : 0);
	usleep(300000);
	waiter = fork();
	ASSERT_GE(waiter, 0);
	if (!waiter)
		_exit(sm_page_check((__u64 *)base, 0, 1) ? 1 : 0);
	usleep(300000);
	/* both wait: the reader for its read, the waiter for the reader */
	EXPECT_FALSE(exits_within(reader, 0.2));
	EXPECT_FALSE(exits_within(waiter, 0.2));
	kill(waiter, SIGKILL);
	EXPECT_TRUE(exits_within(waiter, 5));

	ASSERT_EQ(0, sm_dm("resume", DM_NAME));
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	if (!exits_within(waiter, 5)) {
		kill(waiter, SIGKILL);
		waitpid(waiter, &status, 0);
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	munmap(base, n * SM_PAGE);
}

/*
 * One bad sector under pages read ahead: only the page in that slot gets
 * SIGBUS, every other page of its readahead run (one bio) reads back.
 * Pages are written in order, so page i lives in slot i + 1.
 */
TEST_F_TIMEOUT(outage, bad_sector_fails_only_its_page, 600)
{
	size_t n = 8 * POOL_PAGES, i, bad = 103, sigbus = 0, wrong = 0;
	__u64 page[SM_WORDS];
	char table[256], *base;

	ASSERT_EQ(0, sm_write(0, "writeback_reserve", "0"));
	ASSERT_EQ(0, sm_write(0, "policy", "clock"));
	base = mmap(NULL, n * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, base);
	sm_fill(base, 0, n, 1);
	/* pages left in order, one write each, each next to the last */
	ASSERT_EQ(n - POOL_PAGES, sm_stat("evictions_dirty"));
	ASSERT_EQ(n - POOL_PAGES, sm_stat("swap_writes"));
	snprintf(table, sizeof(table),
		 "0 %zu linear %s 0\\n%zu 8 error\\n%zu %zu linear %s %zu\\n",
		 (bad + 1) * 8, sm_disk(1), (bad + 1) * 8, (bad + 2) * 8,
		 DM_SECTORS - (bad + 2) * 8, sm_disk(1), (bad + 2) * 8);
	ASSERT_EQ(0, sm_dm_table(DM_NAME, table));
	sm_catch_sigbus();
	for (i = 0; i < n - POOL_PAGES; i++) {
		if (sm_try_copy(page, base + i * SM_PAGE)) {
			TH_LOG("SIGBUS on page %zu", i);
			sigbus++;
			continue;
		}
		if (sm_page_check(page, i, 1))
			wrong++;
	}
	EXPECT_EQ(1, sigbus);
	EXPECT_EQ(0, wrong);
	EXPECT_LT(0, sm_stat("readahead_hits"));
	munmap(base, n * SM_PAGE);
}

TEST_HARNESS_MAIN
