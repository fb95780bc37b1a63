// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: the paging engine.
 *
 * Each fixture loads swapmem.ko ($SWAPMEM_KO) with the pool and backing
 * device it needs, on the lab guest's scratch disks ($SWAPMEM_DISK,
 * $SWAPMEM_DISK2; /dev/vda and /dev/vdb by default), and unloads it after.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL		/* pool_size=1M */

static void *map_space(int fd, size_t pages, int prot)
{
	return mmap(NULL, pages * SM_PAGE, prot, MAP_SHARED, fd, 0);
}

/* Write every page of @order as generation @gen. */
static void write_pages(char *base, const size_t *order, size_t n, __u64 gen)
{
	size_t i;

	for (i = 0; i < n; i++)
		sm_page_make((__u64 *)(base + order[i] * SM_PAGE), order[i], gen);
}

/* Count the pages of @order that are not generation @gen(index). */
static size_t bad_pages(char *base, const size_t *order, size_t n,
			__u64 (*gen)(size_t index))
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (sm_page_check((__u64 *)(base + order[i] * SM_PAGE),
				  order[i], gen(order[i])))
			bad++;
	return bad;
}

static size_t *seq_order(size_t n)
{
	size_t *o = malloc(n * sizeof(*o)), i;

	for (i = 0; o && i < n; i++)
		o[i] = i;
	return o;
}

/* Stride 7 over the space, wrapping, each page once (7 is coprime with n). */
static size_t *stride_order(size_t n)
{
	size_t *o = malloc(n * sizeof(*o)), i;

	for (i = 0; o && i < n; i++)
		o[i] = (i * 7) % n;
	return o;
}

static __u64 gen1(size_t index) { return 1; }
static __u64 gen2(size_t index) { return 2; }
static __u64 gen3(size_t index) { return 3; }

/* ---- a device with a pool of 256 frames and a backing disk ---- */

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
	ASSERT_EQ(POOL_PAGES * SM_PAGE, sm_attr("pool_size"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(backed)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/*
 * A space 16x the pool, written and read back sequentially, randomly and
 * strided, byte-exact each time; evictions and major faults happened.
 */
TEST_F_TIMEOUT(backed, integrity_16x_pool, 900)
{
	size_t n = 16 * POOL_PAGES, *seq = seq_order(n), *rnd, *str = stride_order(n);
	long major0 = sm_stat("major_faults"), dirty0 = sm_pages_written();
	char *base;

	rnd = malloc(n * sizeof(*rnd));
	ASSERT_TRUE(seq && rnd && str);
	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);

	write_pages(base, seq, n, 1);
	EXPECT_EQ(0, bad_pages(base, seq, n, gen1));
	sm_shuffle(rnd, n, 42);
	write_pages(base, rnd, n, 2);
	sm_shuffle(rnd, n, 4242);
	EXPECT_EQ(0, bad_pages(base, rnd, n, gen2));
	write_pages(base, str, n, 3);
	EXPECT_EQ(0, bad_pages(base, str, n, gen3));
	EXPECT_EQ(0, bad_pages(base, seq, n, gen3));

	EXPECT_GE(sm_pages_written() - dirty0, 3 * (n - POOL_PAGES));
	EXPECT_GE(sm_stat("major_faults") - major0, 3 * (n - POOL_PAGES));
	EXPECT_LE(sm_stat("frames_used"), POOL_PAGES);
	EXPECT_EQ(0, sm_stat("read_errors") + sm_stat("write_errors"));
	munmap(base, n * SM_PAGE);
	free(seq);
	free(rnd);
	free(str);
}

struct thread_arg {
	char *base;
	size_t n, t, nthreads;
	pthread_barrier_t *barrier;
	size_t bad;
};

static void *integrity_thread(void *p)
{
	struct thread_arg *a = p;
	__u64 seed = 1000 + a->t;
	size_t i, k, *order = malloc(a->n * sizeof(*order));

	if (!order) {
		a->bad = a->n;
		return NULL;
	}
	/* write this thread's pages (every nthreads-th), in random order */
	sm_shuffle(order, a->n, seed);
	for (i = 0; i < a->n; i++)
		if (order[i] % a->nthreads == a->t)
			sm_page_make((__u64 *)(a->base + order[i] * SM_PAGE),
				     order[i], 10 + a->t);
	pthread_barrier_wait(a->barrier);
	/* then check every page, whoever wrote it */
	sm_shuffle(order, a->n, seed * 7);
	for (i = 0; i < a->n; i++) {
		k = order[i];
		if (sm_page_check((__u64 *)(a->base + k * SM_PAGE), k,
				  10 + k % a->nthreads))
			a->bad++;
	}
	free(order);
	return NULL;
}

/* 4 threads write and check a space 8x the pool at once. */
TEST_F_TIMEOUT(backed, integrity_4_threads, 900)
{
	size_t n = 8 * POOL_PAGES, t;
	struct thread_arg args[4];
	pthread_t threads[4];
	pthread_barrier_t barrier;
	long major0 = sm_stat("major_faults");
	char *base;

	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	pthread_barrier_init(&barrier, NULL, 4);
	for (t = 0; t < 4; t++) {
		args[t] = (struct thread_arg){ base, n, t, 4, &barrier, 0 };
		ASSERT_EQ(0, pthread_create(&threads[t], NULL, integrity_thread, &args[t]));
	}
	for (t = 0; t < 4; t++) {
		pthread_join(threads[t], NULL);
		EXPECT_EQ(0, args[t].bad);
	}
	EXPECT_GT(sm_stat("major_faults") - major0, n);
	EXPECT_GT(sm_pages_written(), n - POOL_PAGES);
	munmap(base, n * SM_PAGE);
}

static __u64 gen_fork(size_t index) { return index % 2 ? 2 : 1; }

/*
 * A parent and a forked child share one space 8x the pool: the child sees
 * what the parent wrote, and the parent sees what the child wrote.
 */
TEST_F_TIMEOUT(backed, integrity_fork, 900)
{
	size_t n = 8 * POOL_PAGES, i, *seq = seq_order(n), *rnd = malloc(n * sizeof(*rnd));
	long used;
	char *base;
	int status;
	pid_t pid;

	ASSERT_TRUE(seq && rnd);
	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	write_pages(base, seq, n, 1);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		sm_shuffle(rnd, n, 7);
		if (bad_pages(base, rnd, n, gen1))
			_exit(1);
		for (i = 1; i < n; i += 2)
			sm_page_make((__u64 *)(base + i * SM_PAGE), i, 2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* the child's exit took nothing away: the space is the file's */
	used = sm_stat("frames_used");
	EXPECT_EQ(POOL_PAGES, used);
	sm_shuffle(rnd, n, 77);
	EXPECT_EQ(0, bad_pages(base, rnd, n, gen_fork));
	munmap(base, n * SM_PAGE);
	free(seq);
	free(rnd);
}

/* First touch reads zeros, by reads and by writes, and counts zero fills. */
TEST_F(backed, zero_fill_first_touch)
{
	size_t n = 4 * POOL_PAGES, i;
	long zf0 = sm_stat("zero_fill_faults");
	__u64 *p;
	char *base;

	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	for (i = 0; i < n; i++) {
		p = (__u64 *)(base + i * SM_PAGE);
		if (i % 2)
			sm_poke(&p[SM_WORDS - 1], 0);	/* a write fault */
		ASSERT_TRUE(sm_page_is_zero(p));
	}
	EXPECT_EQ(n, sm_stat("zero_fill_faults") - zf0);
	munmap(base, n * SM_PAGE);
}

/*
 * Isolation: a space filled and released leaves nothing for the next one,
 * and two live spaces never see each other's pages.
 */
TEST_F_TIMEOUT(backed, isolation, 900)
{
	size_t n = 8 * POOL_PAGES, i, *seq = seq_order(n);
	char *a, *b;
	int fd2;

	ASSERT_NE(NULL, seq);
	a = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, a);
	write_pages(a, seq, n, 5);
	EXPECT_GT(sm_stat("slots_used"), 0);
	munmap(a, n * SM_PAGE);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(POOL_PAGES, sm_stat("frames_free"));
	EXPECT_EQ(0, sm_stat("slots_used"));

	/* a new space after the old one is gone: zeros everywhere */
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
	b = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, b);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(sm_page_is_zero((__u64 *)(b + i * SM_PAGE)));

	/* two spaces at once */
	fd2 = open(SM_DEV, O_RDWR);
	ASSERT_GE(fd2, 0);
	a = map_space(fd2, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, a);
	write_pages(a, seq, n, 6);
	for (i = 0; i < n; i++)
		ASSERT_TRUE(sm_page_is_zero((__u64 *)(b + i * SM_PAGE)));
	write_pages(b, seq, n, 7);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, sm_page_check((__u64 *)(a + i * SM_PAGE), i, 6));
		ASSERT_EQ(0, sm_page_check((__u64 *)(b + i * SM_PAGE), i, 7));
	}
	munmap(a, n * SM_PAGE);
	munmap(b, n * SM_PAGE);
	close(fd2);
	free(seq);
}

/*
 * CLOCK: a hot set that fits in the pool stays resident while a cold
 * stream 8x the pool passes through: once the hand has settled (the first
 * sweep finds every frame referenced and degrades to FIFO, as CLOCK does),
 * no major fault, and the hot pages are intact.
 */
TEST_F_TIMEOUT(backed, clock_keeps_hot_set, 900)
{
	size_t hot = POOL_PAGES / 4, warm = 2 * POOL_PAGES, cold = 8 * POOL_PAGES;
	size_t total = hot + warm + cold, i, h;
	long major0 = 0, evict0 = 0, sc0 = 0;
	__u64 sink = 0;
	char *base;

	base = map_space(self->fd, total, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	for (h = 0; h < hot; h++)
		sm_page_make((__u64 *)(base + h * SM_PAGE), h, 1);
	for (i = 0; i < warm + cold; i++) {
		if (i == warm) {
			major0 = sm_stat("major_faults");
			evict0 = sm_stat("evictions_clean") + sm_stat("evictions_dirty");
			sc0 = sm_stat("second_chances");
		}
		/* a cold page: read once, never again */
		sink += sm_peek(base + (hot + i) * SM_PAGE);
		if (i % 16 == 15)
			for (h = 0; h < hot; h++)
				sink += sm_peek(base + h * SM_PAGE + 8);
	}
	/* cold pages read zero, hot word 1 is the generation, 1 */
	EXPECT_EQ(hot * ((warm + cold) / 16), sink);
	EXPECT_EQ(0, sm_stat("major_faults") - major0);
	EXPECT_GE(sm_stat("evictions_clean") + sm_stat("evictions_dirty") - evict0, cold);
	EXPECT_GT(sm_stat("second_chances") - sc0, 0);
	EXPECT_GT(sm_stat("ref_faults"), 0);
	for (h = 0; h < hot; h++)
		EXPECT_EQ(0, sm_page_check((__u64 *)(base + h * SM_PAGE), h, 1));
	munmap(base, total * SM_PAGE);
}

struct reader_arg {
	__u64 *p;
	pthread_barrier_t *barrier;
	__u64 seen;
};

static void *reader(void *p)
{
	struct reader_arg *a = p;

	pthread_barrier_wait(a->barrier);
	a->seen = sm_peek(a->p);
	return NULL;
}

/* Eight threads faulting the same swapped page cause exactly one read. */
TEST_F_TIMEOUT(backed, one_read_for_many_faults, 600)
{
	size_t n = 3 * POOL_PAGES, i;
	struct reader_arg args[8];
	pthread_t threads[8];
	pthread_barrier_t barrier;
	long reads0, major0;
	char *base;

	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	/* page 0, then enough others that page 0 is evicted */
	for (i = 0; i < n; i++)
		*(__u64 *)(base + i * SM_PAGE) = 1000 + i;
	for (i = 1; i < n; i++)
		*(__u64 *)(base + i * SM_PAGE) += 1;
	reads0 = sm_stat("swap_reads");
	major0 = sm_stat("major_faults");
	pthread_barrier_init(&barrier, NULL, 8);
	for (i = 0; i < 8; i++) {
		args[i] = (struct reader_arg){ (__u64 *)base, &barrier, 0 };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, reader, &args[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_EQ(1000, args[i].seen);
	}
	EXPECT_EQ(1, sm_stat("swap_reads") - reads0);
	EXPECT_EQ(1, sm_stat("major_faults") - major0);
	munmap(base, n * SM_PAGE);
}

/*
 * msync writes dirty pages and keeps them; evicting them afterwards needs
 * no write, and neither does evicting pages that were only read back.
 */
TEST_F_TIMEOUT(backed, msync_and_clean_evictions, 600)
{
	size_t half = POOL_PAGES / 2, n = 4 * POOL_PAGES, i;
	long writes0, major0, clean0;
	char *base;

	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	for (i = 0; i < half; i++)
		sm_page_make((__u64 *)(base + i * SM_PAGE), i, 1);
	writes0 = sm_stat("swap_writes");
	major0 = sm_stat("major_faults") + sm_stat("readahead_hits");
	ASSERT_EQ(0, msync(base, half * SM_PAGE, MS_SYNC));
	EXPECT_EQ(half, sm_stat("swap_writes") - writes0);
	/* still resident: reading them needs no I/O */
	for (i = 0; i < half; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	EXPECT_EQ(0, sm_stat("major_faults") + sm_stat("readahead_hits") - major0);

	/* push them out by reading zero pages: clean victims, no writes */
	writes0 = sm_stat("swap_writes");
	clean0 = sm_stat("evictions_clean");
	for (i = half; i < n; i++)
		ASSERT_TRUE(sm_page_is_zero((__u64 *)(base + i * SM_PAGE)));
	EXPECT_EQ(0, sm_stat("swap_writes") - writes0);
	EXPECT_GE(sm_stat("evictions_clean") - clean0, n - POOL_PAGES);

	/* read them back (major faults), push them out again: still no write */
	for (i = 0; i < half; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	/* read in by their own faults, or ahead of them */
	EXPECT_GE(sm_stat("major_faults") + sm_stat("readahead_hits") - major0, half);
	for (i = half; i < n; i++)
		ASSERT_TRUE(sm_page_is_zero((__u64 *)(base + i * SM_PAGE)));
	EXPECT_EQ(0, sm_stat("swap_writes") - writes0);
	munmap(base, n * SM_PAGE);
}

/*
 * Lifetimes: munmap keeps the pages (they are the space's), close returns
 * every frame and slot; kill -9 in the middle of major faults, fork and
 * child exit leak nothing.
 */
TEST_F_TIMEOUT(backed, lifetimes_and_kill, 900)
{
	size_t n = 8 * POOL_PAGES, i, round;
	__u64 seed = 99;
	int status;
	char *base;
	pid_t pid;

	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	for (i = 0; i < n; i++)
		sm_page_make((__u64 *)(base + i * SM_PAGE), i, 1);
	munmap(base, n * SM_PAGE);
	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	for (i = 0; i < n; i += 17)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));

	for (round = 0; round < 6; round++) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			__u64 sink = 0;

			for (;;) {
				i = sm_rand(&seed) % n;
				sink += sm_peek(base + i * SM_PAGE);
				if (i % 3 == 0)	/* a write fault, same data */
					sm_poke(base + i * SM_PAGE + 16,
						sm_peek(base + i * SM_PAGE + 16));
			}
		}
		usleep(20000 + 15000 * round);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
	}
	/* nothing was lost or torn by the killed faults */
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	EXPECT_EQ(POOL_PAGES, sm_stat("frames_used"));
	munmap(base, n * SM_PAGE);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(POOL_PAGES, sm_stat("frames_free"));
	EXPECT_EQ(0, sm_stat("frames_used"));
	EXPECT_EQ(0, sm_stat("slots_used"));
	EXPECT_EQ(0, sm_attr("nr_spaces"));
}

/* mmap refuses what it cannot do, with the documented errnos. */
TEST_F(backed, mmap_errors)
{
	void *p;
	int ro;

	errno = 0;
	p = mmap(NULL, SM_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	errno = 0;
	p = mmap(NULL, SM_PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);

	/* past 1 TiB */
	errno = 0;
	p = mmap(NULL, SM_PAGE, PROT_READ, MAP_SHARED, self->fd, 1LL << 40);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	p = mmap(NULL, 2 * SM_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (1LL << 40) - SM_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* a mapping may not become executable later */
	p = mmap(NULL, SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	errno = 0;
	EXPECT_EQ(-1, mprotect(p, SM_PAGE, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(p, SM_PAGE);

	/* a read-only open maps read-only, and reads zeros; no writable map */
	ro = open(SM_DEV, O_RDONLY);
	ASSERT_GE(ro, 0);
	errno = 0;
	p = mmap(NULL, SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, 4 * SM_PAGE, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(sm_page_is_zero((__u64 *)((char *)p + 3 * SM_PAGE)));
	munmap(p, 4 * SM_PAGE);
	close(ro);

	/* the highest page a space can hold works */
	p = mmap(NULL, SM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 (1LL << 40) - SM_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	sm_poke(p, 1);
	EXPECT_EQ(1, sm_peek(p));
	munmap(p, SM_PAGE);
}

/* ---- a device with a pool and no backing disk ---- */

FIXTURE(pool_only) {
	int fd;
};

FIXTURE_SETUP(pool_only)
{
	self->fd = -1;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");
	ASSERT_EQ(0, sm_reload("pool_size=1M"));
	self->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(pool_only)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
}

/*
 * Without a backing device, clean pages come and go, and dirty pages stay:
 * the first page that finds the pool full of them gets SIGBUS (overcommit),
 * counted, and the others are intact.
 */
TEST_F(pool_only, sigbus_when_pool_is_dirty)
{
	size_t n = 16 * POOL_PAGES, i;
	__u64 page[SM_WORDS];
	char *base;

	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	/* a space 16x the pool of zeros reads fine */
	for (i = 0; i < n; i++)
		ASSERT_TRUE(sm_page_is_zero((__u64 *)(base + i * SM_PAGE)));
	for (i = 0; i < POOL_PAGES; i++)
		sm_page_make((__u64 *)(base + i * SM_PAGE), i, 1);
	sm_catch_sigbus();
	sm_page_make(page, POOL_PAGES, 1);
	EXPECT_EQ(-1, sm_try_copy(base + POOL_PAGES * SM_PAGE, page));
	EXPECT_EQ(1, sm_stat("nomem_faults"));
	for (i = 0; i < POOL_PAGES; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	/* msync has nowhere to write, and says so by doing nothing */
	EXPECT_EQ(0, msync(base, n * SM_PAGE, MS_SYNC));
	munmap(base, n * SM_PAGE);
}

/* ---- a device whose backing disk fails on demand (device mapper) ---- */

#define DM_NAME		"swapmem-test"
#define DM_SECTORS	16384		/* 8 MiB: 2048 slots */

FIXTURE(faulty) {
	int fd;
	char linear[128];
};

FIXTURE_SETUP(faulty)
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

FIXTURE_TEARDOWN(faulty)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_unload();
	if (sm_dm("remove", DM_NAME))
		perror("dmsetup remove");
}

/*
 * Read errors on swap-in give SIGBUS for the affected pages only; the
 * others read back exactly, the counter moves, and once the disk heals
 * every page reads back.
 */
TEST_F_TIMEOUT(faulty, read_errors_sigbus_only_there, 900)
{
	size_t n = 4 * POOL_PAGES, i, ok = 0, sigbus = 0, *seq = seq_order(n);
	__u64 page[SM_WORDS];
	char table[256];
	char *base;

	ASSERT_NE(NULL, seq);
	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	write_pages(base, seq, n, 1);
	/*
	 * Slots 1 to 399 fail: part of the evicted pages. Slots after them
	 * work, so dirty pages can still be written out.
	 */
	snprintf(table, sizeof(table),
		 "0 8 linear %s 0\\n8 3192 error\\n3200 %d linear %s 3200\\n",
		 sm_disk(1), DM_SECTORS - 3200, sm_disk(1));
	ASSERT_EQ(0, sm_dm_table(DM_NAME, table));
	sm_catch_sigbus();
	for (i = 0; i < n; i++) {
		if (sm_try_copy(page, base + i * SM_PAGE)) {
			sigbus++;
			continue;
		}
		EXPECT_EQ(0, sm_page_check(page, i, 1));
		ok++;
	}
	EXPECT_GT(sigbus, 0);
	EXPECT_GT(ok, POOL_PAGES);
	EXPECT_EQ(sigbus, sm_stat("read_errors"));
	/* the disk heals: the same pages read back */
	ASSERT_EQ(0, sm_dm_table(DM_NAME, self->linear));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, sm_try_copy(page, base + i * SM_PAGE));
		EXPECT_EQ(0, sm_page_check(page, i, 1));
	}
	munmap(base, n * SM_PAGE);
	free(seq);
}

/*
 * The fault path's helpers, each seen working in its counters: a
 * sequential read of swapped pages is read ahead and the pages read ahead
 * are used; random reads hardly read ahead; swap-ins ran without
 * mmap_lock (retried faults); dirtying more than the pool woke the
 * background writeback, so that some victims of the read-back were clean.
 * Every page reads back exactly.
 */
TEST_F_TIMEOUT(backed, readahead_writeback_retry, 600)
{
	size_t n = 8 * POOL_PAGES, *seq = seq_order(n), *rnd = malloc(n * sizeof(*rnd));
	long ra0, hits0, retry0, wb0, dirty0, clean0;
	char *base;

	ASSERT_TRUE(seq && rnd);
	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	wb0 = sm_stat("writeback_pages");
	write_pages(base, seq, n, 1);
	EXPECT_GT(sm_stat("writeback_pages") - wb0, 0);
	EXPECT_GT(sm_stat("writeback_batches"), 0);
	dirty0 = sm_stat("evictions_dirty");
	clean0 = sm_stat("evictions_clean");

	ra0 = sm_stat("readahead_pages");
	hits0 = sm_stat("readahead_hits");
	retry0 = sm_stat("retry_faults");
	EXPECT_EQ(0, bad_pages(base, seq, n - POOL_PAGES, gen1));
	TH_LOG("sequential: %ld read ahead, %ld used, %ld retried",
	       sm_stat("readahead_pages") - ra0, sm_stat("readahead_hits") - hits0,
	       sm_stat("retry_faults") - retry0);
	EXPECT_GT(sm_stat("readahead_pages") - ra0, (long)(n - 2 * POOL_PAGES) / 2);
	EXPECT_GT(sm_stat("readahead_hits") - hits0, (long)(n - 2 * POOL_PAGES) / 2);
	EXPECT_GT(sm_stat("retry_faults") - retry0, 0);
	TH_LOG("victims of the read-back: %ld written first, %ld clean",
	       sm_stat("evictions_dirty") - dirty0, sm_stat("evictions_clean") - clean0);
	EXPECT_GT(sm_stat("evictions_clean") - clean0, 0);

	sm_shuffle(rnd, n, 99);
	ra0 = sm_stat("readahead_pages");
	EXPECT_EQ(0, bad_pages(base, rnd, n, gen1));
	TH_LOG("random: %ld read ahead for %zu reads", sm_stat("readahead_pages") - ra0, n);
	EXPECT_LT(sm_stat("readahead_pages") - ra0, (long)n / 4);
	munmap(base, n * SM_PAGE);
	free(seq);
	free(rnd);
}

/*
 * Write errors on eviction never lose a page: it stays resident, the fault
 * that needed its frame gets SIGBUS, and once the disk heals everything is
 * written out and reads back.
 */
TEST_F_TIMEOUT(faulty, write_errors_keep_pages, 900)
{
	size_t n = 2 * POOL_PAGES, i, *seq = seq_order(n);
	__u64 page[SM_WORDS];
	char table[128];
	char *base;

	ASSERT_NE(NULL, seq);
	snprintf(table, sizeof(table), "0 %d error\\n", DM_SECTORS);
	ASSERT_EQ(0, sm_dm_table(DM_NAME, table));
	base = map_space(self->fd, n, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, base);
	write_pages(base, seq, POOL_PAGES, 1);
	sm_catch_sigbus();
	sm_page_make(page, POOL_PAGES, 1);
	EXPECT_EQ(-1, sm_try_copy(base + POOL_PAGES * SM_PAGE, page));
	EXPECT_GT(sm_stat("write_errors"), 0);
	EXPECT_GT(sm_stat("nomem_faults"), 0);
	/* the background writeback may be retiring slots of its own batch */
	for (i = 0; i < 200 && sm_stat("write_errors") != sm_stat("slots_bad"); i++)
		usleep(10000);
	EXPECT_EQ(sm_stat("write_errors"), sm_stat("slots_bad"));
	for (i = 0; i < POOL_PAGES; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));

	ASSERT_EQ(0, sm_dm_table(DM_NAME, self->linear));
	write_pages(base, seq + POOL_PAGES, n - POOL_PAGES, 1);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, sm_page_check((__u64 *)(base + i * SM_PAGE), i, 1));
	EXPECT_GE(sm_pages_written(), n - POOL_PAGES);
	munmap(base, n * SM_PAGE);
	free(seq);
}

TEST_HARNESS_MAIN
