// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: races, widened on purpose.
 *
 * In the lab's debug lane swapmem.ko is built with SWAPMEM_DEBUG_RACES and
 * these tests set its race_delay_us parameter: the windows of the pager's
 * lockless paths (a PTE installed after MAPPED is set, an unmap between
 * clearing MAPPED and zapping, a frame looked up before it is locked, a
 * BUSY frame settling) then wait a random while, so that interleavings
 * that take days on a real machine happen within seconds. On the other
 * lanes the same stress runs without the delays.
 *
 * Every word a test writes says whose it is: space, page, generation. A
 * page must only ever read as zeros or as words of its own space and page:
 * anything else is a page seen through a stale mapping.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define RACE_PARAM	"/sys/module/swapmem/parameters/race_delay_us"
#define RACE_DELAY_US	"2000"

/* A word of page @index of space @space, generation @gen. */
static __u64 tag(unsigned int space, __u64 index, __u64 gen)
{
	return (__u64)space << 56 | (index & 0xffffffffffULL) << 16 | (gen & 0xffff);
}

static void page_fill(__u64 *p, unsigned int space, __u64 index, __u64 gen)
{
	size_t i;

	for (i = 0; i < SM_WORDS; i++)
		sm_poke(&p[i], tag(space, index, gen));
}

/*
 * 0 if page @index of space @space reads as zeros or as its own words
 * (torn between generations is fine: writers race readers); else says
 * what it found.
 */
static int page_own(const __u64 *p, unsigned int space, __u64 index)
{
	__u64 w, own = tag(space, index, 0) & ~0xffffULL;
	size_t i;

	for (i = 0; i < SM_WORDS; i++) {
		w = sm_peek(&p[i]);
		if (w && (w & ~0xffffULL) != own) {
			fprintf(stderr, "# space %u page %llu word %zu: %#llx: %llu's %llu\n",
				space, (unsigned long long)index, i,
				(unsigned long long)w,
				(unsigned long long)(w >> 56),
				(unsigned long long)((w >> 16) & 0xffffffffffULL));
			return -1;
		}
	}
	return 0;
}

/* ---- one device, two spaces, one of them mapped twice ---- */

#define HOT	2		/* pages of space A that every thread fights over */
#define B_PAGES	256		/* space B: 4x the pool, so frames change hands */
/* How long each race runs: with its windows widened, and without */
#define SECONDS_WIDENED	15
#define SECONDS		5

/*
 * Widen the race windows where the module has them (the debug lane's
 * build): true if it does.
 */
static bool races_widened(void)
{
	return !sm_file_write(RACE_PARAM, RACE_DELAY_US);
}

/*
 * How long each race runs, its windows widened first where they can be:
 * SECONDS_WIDENED then, else SECONDS (a smoke test of the same
 * interleavings at full speed), or $SWAPMEM_RACE_SECONDS.
 */
static double race_seconds(void)
{
	const char *s = getenv("SWAPMEM_RACE_SECONDS");
	bool widened = races_widened();

	printf("# race windows widened: %s\n", widened ? "yes, " RACE_DELAY_US " us" : "no");
	if (s)
		return atof(s);
	return widened ? SECONDS_WIDENED : SECONDS;
}

struct race {
	char *a1, *a2, *b;	/* space A mapped twice, space B once */
	int fd_a;
	double end;
	int failed;		/* __atomic: every thread may set it */
	unsigned long reads, writes, advices;
};

static void race_fail(struct race *r)
{
	__atomic_store_n(&r->failed, 1, __ATOMIC_RELAXED);
}

static bool race_on(struct race *r)
{
	return !__atomic_load_n(&r->failed, __ATOMIC_RELAXED) && sm_now() < r->end;
}

/* Reads space A through its first mapping. */
static void *reader_a(void *p)
{
	struct race *r = p;
	size_t i;

	while (race_on(r)) {
		for (i = 0; i < HOT; i++)
			if (page_own((__u64 *)(r->a1 + i * SM_PAGE), 'A', i))
				race_fail(r);
		r->reads++;
	}
	return NULL;
}

/*
 * Touches a page of space A through its second mapping, then writes it:
 * a read fault (mapped read-only), then pfn_mkwrite, while the reader may
 * be faulting the same page in through the other mapping.
 */
static void *writer_a(void *p)
{
	struct race *r = p;
	__u64 seed = 7, gen = 0, i;

	while (race_on(r)) {
		i = sm_rand(&seed) % HOT;
		if (page_own((__u64 *)(r->a2 + i * SM_PAGE), 'A', i))
			race_fail(r);
		page_fill((__u64 *)(r->a2 + i * SM_PAGE), 'A', i, ++gen);
		r->writes++;
	}
	return NULL;
}

/*
 * Drops pages of space A, mostly, so that faults on them start over
 * (zero-fill, the slow path); pages them out and syncs them too.
 */
static void *adviser_a(void *p)
{
	struct race *r = p;
	__u64 seed = 11, first, n;

	while (race_on(r)) {
		first = sm_rand(&seed) % HOT;
		n = 1 + sm_rand(&seed) % (HOT - first);
		switch (sm_rand(&seed) % 8) {
		case 0:
			sm_advise(r->fd_a, SWAPMEM_ADV_PAGEOUT, first, n, NULL);
			break;
		case 1:
			msync(r->a1 + first * SM_PAGE, n * SM_PAGE, MS_SYNC);
			break;
		default:
			sm_advise(r->fd_a, SWAPMEM_ADV_DROP, first, n, NULL);
			break;
		}
		r->advices++;
	}
	return NULL;
}

/* Fills space B, 4x the pool, and checks it: frames go back and forth. */
static void *writer_b(void *p)
{
	struct race *r = p;
	__u64 gen = 0;
	size_t i;

	while (race_on(r)) {
		gen++;
		for (i = 0; i < B_PAGES && race_on(r); i++) {
			if (page_own((__u64 *)(r->b + i * SM_PAGE), 'B', i))
				race_fail(r);
			page_fill((__u64 *)(r->b + i * SM_PAGE), 'B', i, gen);
		}
	}
	return NULL;
}

FIXTURE(race) {
	int fd_a, fd_b;
};

FIXTURE_SETUP(race)
{
	char params[128];

	self->fd_a = -1;
	self->fd_b = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	snprintf(params, sizeof(params), "pool_size=256K backing_dev=%s", sm_disk(0));
	ASSERT_EQ(0, sm_reload(params));
	self->fd_a = open(SM_DEV, O_RDWR);
	self->fd_b = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd_a, 0);
	ASSERT_GE(self->fd_b, 0);
}

FIXTURE_TEARDOWN(race)
{
	if (self->fd_a >= 0)
		close(self->fd_a);
	if (self->fd_b >= 0)
		close(self->fd_b);
	sm_unload();
}

/*
 * Two spaces on one device, one mapped twice: readers, writers, DROP,
 * PAGEOUT, msync, eviction and background writeback all at once, and no
 * page ever reads as another page's bytes, of its own space or the other.
 */
TEST_F_TIMEOUT(race, isolation_under_races, 600)
{
	pthread_t t[4];
	struct race r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.fd_a = self->fd_a;
	r.a1 = mmap(NULL, HOT * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd_a, 0);
	r.a2 = mmap(NULL, HOT * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd_a, 0);
	r.b = mmap(NULL, B_PAGES * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd_b, 0);
	ASSERT_NE(MAP_FAILED, r.a1);
	ASSERT_NE(MAP_FAILED, r.a2);
	ASSERT_NE(MAP_FAILED, r.b);
	r.end = sm_now() + race_seconds();
	ASSERT_EQ(0, pthread_create(&t[0], NULL, reader_a, &r));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, writer_a, &r));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, adviser_a, &r));
	ASSERT_EQ(0, pthread_create(&t[3], NULL, writer_b, &r));
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	sm_file_write(RACE_PARAM, "0");
	TH_LOG("%lu sweeps read, %lu pages written, %lu advices; %ld evictions, %ld second chances",
	       r.reads, r.writes, r.advices,
	       sm_stat("evictions_clean") + sm_stat("evictions_dirty"),
	       sm_stat("second_chances"));
	EXPECT_EQ(0, r.failed);
	/* and once everything is quiet, through both mappings */
	for (i = 0; i < HOT; i++) {
		EXPECT_EQ(0, page_own((__u64 *)(r.a1 + i * SM_PAGE), 'A', i));
		EXPECT_EQ(0, page_own((__u64 *)(r.a2 + i * SM_PAGE), 'A', i));
	}
	for (i = 0; i < B_PAGES; i++)
		EXPECT_EQ(0, page_own((__u64 *)(r.b + i * SM_PAGE), 'B', i));
	EXPECT_GT(r.reads, 0);
	EXPECT_GT(r.writes, 0);
	EXPECT_GT(sm_stat("evictions_clean") + sm_stat("evictions_dirty"), 0);
	munmap(r.a1, HOT * SM_PAGE);
	munmap(r.a2, HOT * SM_PAGE);
	munmap(r.b, B_PAGES * SM_PAGE);
}

/* ---- the backing device toggled under msync ---- */

#define SYNC_PAGES	4

struct toggle {
	const char *disk;
	double end;
	unsigned long attached, detached, refused;
};

static void *toggler(void *p)
{
	struct toggle *t = p;

	while (sm_now() < t->end) {
		if (!sm_file_write(SM_SYSFS "backing_dev", t->disk))
			t->attached++;
		else
			t->refused++;
		if (!sm_file_write(SM_SYSFS "backing_dev", "none"))
			t->detached++;
		else
			t->refused++;
	}
	return NULL;
}

FIXTURE(toggled) {
	int fd;
};

FIXTURE_SETUP(toggled)
{
	self->fd = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	ASSERT_EQ(0, sm_reload("pool_size=1M"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(toggled)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/*
 * msync of dirty pages that have no slot yet, while the backing device is
 * attached and detached in a loop: each msync either writes to the device
 * it finds under the pager lock or has nothing to write to, and no page
 * changes. (msync used to test for the device without the lock, then
 * allocate slots in the bitmap of a device being detached.)
 */
TEST_F_TIMEOUT(toggled, msync_vs_detach, 600)
{
	struct toggle t = { .disk = sm_disk(0) };
	unsigned long syncs = 0, written = 0, gen = 0;
	pthread_t th;
	char *base;
	size_t i;
	int ret;

	base = mmap(NULL, SYNC_PAGES * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, base);
	t.end = sm_now() + race_seconds();
	ASSERT_EQ(0, pthread_create(&th, NULL, toggler, &t));
	while (sm_now() < t.end) {
		gen++;
		for (i = 0; i < SYNC_PAGES; i++)
			page_fill((__u64 *)(base + i * SM_PAGE), 'S', i, gen);
		ret = msync(base, SYNC_PAGES * SM_PAGE, MS_SYNC);
		if (ret)
			TH_LOG("msync: %s", strerror(errno));
		EXPECT_EQ(0, ret);
		syncs++;
		written = sm_stat("swap_writes");
		for (i = 0; i < SYNC_PAGES; i++) {
			__u64 *p = (__u64 *)(base + i * SM_PAGE);

			ASSERT_EQ(0, page_own(p, 'S', i));
			ASSERT_EQ(tag('S', i, gen), sm_peek(&p[SM_WORDS - 1]));
		}
		/* their slots go back, so the device can be let go again */
		ASSERT_EQ(0, sm_advise(self->fd, SWAPMEM_ADV_DROP, 0, SYNC_PAGES, NULL));
	}
	pthread_join(th, NULL);
	sm_file_write(RACE_PARAM, "0");
	TH_LOG("%lu msyncs, %lu pages written; attached %lu, detached %lu, refused %lu times",
	       syncs, written, t.attached, t.detached, t.refused);
	EXPECT_GT(syncs, 0);
	EXPECT_GT(t.attached, 0);
	EXPECT_GT(t.detached, 0);
	munmap(base, SYNC_PAGES * SM_PAGE);
}

/* ---- the control plane against the data plane ---- */

#define WORK_PAGES	512	/* 2x the pool of swapmem0 */
#define SMALL_PAGES	96	/* fits swapmem1's pool at its smallest */

/*
 * A worker process: open a space of device @dev, write it all, sync part,
 * page out, prefetch and drop parts, check every page, close, exit.
 * Exits 0 when every byte was where it belonged.
 */
static int work(int dev, size_t pages, __u64 seed)
{
	__u64 gen = seed & 0xffff;
	char path[64];
	size_t i, bad = 0, first, n;
	char *dropped, *base;
	int fd;

	snprintf(path, sizeof(path), "/dev/swapmem%d", dev);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return errno == ENOENT || errno == ENXIO || errno == ENODEV ? 0 : 10;
	dropped = calloc(pages, 1);
	base = mmap(NULL, pages * SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED || !dropped)
		return 11;
	for (i = 0; i < pages; i++)
		page_fill((__u64 *)(base + i * SM_PAGE), 'W', i, gen);
	msync(base, pages / 4 * SM_PAGE, MS_SYNC);
	first = sm_rand(&seed) % pages;
	n = 1 + sm_rand(&seed) % (pages - first);
	sm_advise(fd, SWAPMEM_ADV_PAGEOUT, first, n, NULL);
	sm_advise(fd, SWAPMEM_ADV_PREFETCH, first, n, NULL);
	first = sm_rand(&seed) % pages;
	n = 1 + sm_rand(&seed) % 8;
	if (first + n > pages)
		n = pages - first;
	if (!sm_advise(fd, SWAPMEM_ADV_DROP, first, n, NULL))
		memset(dropped + first, 1, n);
	for (i = 0; i < pages; i++) {
		__u64 *p = (__u64 *)(base + i * SM_PAGE);

		if (dropped[i] ? !sm_page_is_zero(p) :
		    sm_peek(&p[0]) != tag('W', i, gen) ||
		    sm_peek(&p[SM_WORDS - 1]) != tag('W', i, gen)) {
			fprintf(stderr, "# swapmem%d page %zu: %#llx, wanted %s\n", dev, i,
				(unsigned long long)sm_peek(&p[0]),
				dropped[i] ? "zeros" : "its own");
			bad++;
		}
	}
	munmap(base, pages * SM_PAGE);
	close(fd);
	free(dropped);
	return bad ? 1 : 0;
}

/* Keep a worker running on @dev until @end; returns failed rounds. */
static int workers(int dev, size_t pages, double end, unsigned long *rounds)
{
	int status, failed = 0;
	__u64 seed = 1 + dev;
	pid_t pid;

	while (sm_now() < end) {
		seed = sm_rand(&seed);
		pid = fork();
		if (!pid)
			_exit(work(dev, pages, seed));
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "# worker on swapmem%d: status %#x\n", dev, status);
			failed++;
		}
		(*rounds)++;
	}
	return failed;
}

struct control {
	double end;
	const char *disk[3];
	unsigned long changes, refused, rounds;
};

static void *controller(void *p)
{
	static const char * const policies[] = { "clock", "fifo", "s3fifo" };
	static const char * const pools[] = { "1M", "2M", "512K", "768K" };
	static const char * const numbers[] = { "0", "8", "63" };
	struct control *c = p;
	char file[128];
	__u64 seed = 5;
	int dev, ret;

	while (sm_now() < c->end) {
		dev = sm_rand(&seed) % 2;
		switch (sm_rand(&seed) % 6) {
		case 0:
			snprintf(file, sizeof(file), "/sys/class/swapmem/swapmem%d/policy", dev);
			ret = sm_file_write(file, policies[sm_rand(&seed) % 3]);
			break;
		case 1:
			snprintf(file, sizeof(file), "/sys/class/swapmem/swapmem%d/pool_size", dev);
			ret = sm_file_write(file, pools[sm_rand(&seed) % 4]);
			break;
		case 2:
			snprintf(file, sizeof(file), "/sys/class/swapmem/swapmem%d/readahead", dev);
			ret = sm_file_write(file, numbers[sm_rand(&seed) % 3]);
			break;
		case 3:
			/* swapmem0 moves between two disks, swapmem1 also to none */
			snprintf(file, sizeof(file), "/sys/class/swapmem/swapmem%d/backing_dev",
				 dev);
			if (dev)
				ret = sm_file_write(file, sm_rand(&seed) % 2 ? "none" : c->disk[1]);
			else
				ret = sm_file_write(file, c->disk[sm_rand(&seed) % 2 ? 0 : 2]);
			break;
		case 4:
			ret = sm_file_write("/sys/class/swapmem/hot_remove", "2");
			break;
		default: {
			char buf[16];
			int fd = open("/sys/class/swapmem/hot_add", O_RDONLY);

			ret = fd >= 0 && read(fd, buf, sizeof(buf)) > 0 ? 0 : -1;
			if (fd >= 0)
				close(fd);
			break;
		}
		}
		if (ret)
			c->refused++;
		else
			c->changes++;
		usleep(2000);
	}
	return NULL;
}

FIXTURE(plane) {
	int unused;
};

FIXTURE_SETUP(plane)
{
	char params[128];

	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	snprintf(params, sizeof(params), "pool_size=1M nr_devices=3 backing_dev=%s",
		 sm_disk(0));
	ASSERT_EQ(0, sm_reload(params));
}

FIXTURE_TEARDOWN(plane)
{
	sm_unload();
}

/*
 * Policies, pool sizes, readahead and backing devices changed, devices
 * removed and added, in a loop, while processes fault, msync, advise and
 * exit on three devices: no process loses a byte, no kernel report.
 */
TEST_F_TIMEOUT(plane, control_vs_data, 900)
{
	struct control c = { .disk = { sm_disk(0), sm_disk(1), getenv("SWAPMEM_DISK3") } };
	unsigned long r0 = 0, r1 = 0, r2 = 0;
	int status, failed = 0;
	pid_t pid[3];
	pthread_t th;
	int d;

	if (!c.disk[2])
		c.disk[2] = "/dev/vdc";
	c.end = sm_now() + 2 * race_seconds();
	for (d = 0; d < 3; d++) {
		pid[d] = fork();
		ASSERT_GE(pid[d], 0);
		if (!pid[d]) {
			unsigned long *rounds = d == 0 ? &r0 : d == 1 ? &r1 : &r2;
			int bad = workers(d, d == 0 ? WORK_PAGES : SMALL_PAGES, c.end, rounds);

			fprintf(stderr, "# swapmem%d: %lu worker rounds, %d failed\n",
				d, *rounds, bad);
			_exit(bad ? 1 : 0);
		}
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, controller, &c));
	pthread_join(th, NULL);
	for (d = 0; d < 3; d++) {
		ASSERT_EQ(pid[d], waitpid(pid[d], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	sm_file_write(RACE_PARAM, "0");
	TH_LOG("control plane: %lu changes made, %lu refused", c.changes, c.refused);
	EXPECT_EQ(0, failed);
	EXPECT_GT(c.changes, 0);
}

TEST_HARNESS_MAIN
