// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: a mapping used the way programs use memory, through
 * the kernel's get_user_pages(): O_DIRECT to and from files and block
 * devices, process-shared futexes, ptrace and /proc/PID/mem, process_vm_*,
 * vmsplice and io_uring. Each test runs on a swapmem space eight times its
 * pool (pages are evicted and faulted back while the kernel uses them) and
 * on a tmpfs MAP_SHARED file, which is what swapmem must match.
 *
 * The pool is 1 MiB on $SWAPMEM_DISK; $SWAPMEM_DISK2 is split by device
 * mapper into a raw half and an ext4 half for the O_DIRECT targets.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/fs.h>
#include <linux/io_uring.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL			/* pool_size=1M */
#define SPACE_PAGES	(8 * POOL_PAGES)
#define SPACE_SIZE	(SPACE_PAGES * SM_PAGE)
#define CHUNK		(16 * SM_PAGE)		/* one O_DIRECT transfer */

#define TMPFS_DIR	"/tmp/swapmem-gup-tmpfs"
#define TMPFS_FILE	TMPFS_DIR "/space"
#define EXT4_DIR	"/tmp/swapmem-gup-ext4"
#define EXT4_FILE	EXT4_DIR "/data"
/* device mapper names of this test's own, so that none waits on another's removal */
#define DM_RAW		self->dm_raw
#define DM_FS		self->dm_fs
#define RAW_DEV		self->raw_dev

FIXTURE(gup) {
	int fd;
	char *base;
	int disks;
	unsigned long raw_sectors;
	char dm_raw[32], dm_fs[32], raw_dev[64], fs_dev[64];
};

FIXTURE_VARIANT(gup) {
	int swapmem;
};

FIXTURE_VARIANT_ADD(gup, swapmem) {
	.swapmem = 1,
};

FIXTURE_VARIANT_ADD(gup, tmpfs) {
	.swapmem = 0,
};

/* A new space (or tmpfs file) of SPACE_PAGES, mapped at self->base. */
static int space_open(struct __test_metadata *_metadata,
		      struct _test_data_gup *self, int swapmem)
{
	self->fd = swapmem ? open(SM_DEV, O_RDWR) :
		   open(TMPFS_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (self->fd < 0)
		return -1;
	if (!swapmem && ftruncate(self->fd, SPACE_SIZE))
		return -1;
	self->base = mmap(NULL, SPACE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->fd, 0);
	return self->base == MAP_FAILED ? -1 : 0;
}

static void space_close(struct _test_data_gup *self, int swapmem)
{
	if (self->base != MAP_FAILED)
		munmap(self->base, SPACE_SIZE);
	self->base = MAP_FAILED;
	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
	if (!swapmem)
		unlink(TMPFS_FILE);
}

/* The two halves of $SWAPMEM_DISK2, the second with ext4 mounted. */
static int disks_up(struct _test_data_gup *self)
{
	unsigned long long bytes;
	char table[256], cmd[256];
	int fd;

	snprintf(self->dm_raw, sizeof(self->dm_raw), "swapmem-gup-raw-%d", getpid());
	snprintf(self->dm_fs, sizeof(self->dm_fs), "swapmem-gup-fs-%d", getpid());
	snprintf(self->raw_dev, sizeof(self->raw_dev), "/dev/mapper/%s", self->dm_raw);
	snprintf(self->fs_dev, sizeof(self->fs_dev), "/dev/mapper/%s", self->dm_fs);
	if (sm_dm_available())
		return -1;
	/* the guest loads no module by itself (the debug kernel has it built in) */
	if (system("modprobe ext4 2>/dev/null; true"))
		return -1;
	fd = open(sm_disk(1), O_RDONLY);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes))
		return -1;
	close(fd);
	self->raw_sectors = bytes / 512 / 2;
	snprintf(table, sizeof(table), "0 %lu linear %s 0", self->raw_sectors,
		 sm_disk(1));
	if (sm_dm_create(DM_RAW, table)) {
		fprintf(stderr, "# dmsetup create %s failed\n", DM_RAW);
		return -1;
	}
	snprintf(table, sizeof(table), "0 %lu linear %s %lu", self->raw_sectors,
		 sm_disk(1), self->raw_sectors);
	if (sm_dm_create(DM_FS, table)) {
		sm_dm("remove", DM_RAW);
		fprintf(stderr, "# dmsetup create %s failed\n", DM_FS);
		return -1;
	}
	self->disks = 1;
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1", self->fs_dev);
	if (system(cmd)) {
		fprintf(stderr, "# mkfs.ext4 %s failed\n", self->fs_dev);
		return -1;
	}
	mkdir(EXT4_DIR, 0700);
	if (mount(self->fs_dev, EXT4_DIR, "ext4", 0, NULL)) {
		fprintf(stderr, "# mount %s: %s\n", self->fs_dev, strerror(errno));
		return -1;
	}
	self->disks = 2;
	return 0;
}

static void disks_down(struct _test_data_gup *self)
{
	/* detached and deferred: a failed test may still hold a file open */
	if (self->disks > 1 && umount2(EXT4_DIR, MNT_DETACH))
		fprintf(stderr, "# umount %s: %s\n", EXT4_DIR, strerror(errno));
	if (self->disks) {
		sm_dm("resume", DM_RAW);
		sm_dm("remove --deferred", DM_FS);
		sm_dm("remove --deferred", DM_RAW);
	}
	self->disks = 0;
}

FIXTURE_SETUP(gup)
{
	char params[128];

	self->fd = -1;
	self->base = MAP_FAILED;
	self->disks = 0;
	if (variant->swapmem) {
		if (!getenv("SWAPMEM_KO"))
			SKIP(return, "SWAPMEM_KO is not set");
		snprintf(params, sizeof(params), "pool_size=1M backing_dev=%s",
			 sm_disk(0));
		ASSERT_EQ(0, sm_reload(params));
	} else {
		mkdir(TMPFS_DIR, 0700);
		ASSERT_EQ(0, mount("swapmem-gup", TMPFS_DIR, "tmpfs", 0, "size=64M"));
	}
	ASSERT_EQ(0, space_open(_metadata, self, variant->swapmem));
	ASSERT_EQ(0, disks_up(self)) TH_LOG("device mapper or ext4 set-up failed");
}

FIXTURE_TEARDOWN(gup)
{
	disks_down(self);
	space_close(self, variant->swapmem);
	if (variant->swapmem)
		sm_unload();
	else if (umount2(TMPFS_DIR, 0))
		fprintf(stderr, "# umount %s: %s\n", TMPFS_DIR, strerror(errno));
}

/* A page-aligned buffer of @n pages, pattern @gen from page @first. */
static __u64 *pattern_buf(size_t first, size_t n, __u64 gen)
{
	__u64 *buf;
	size_t i;

	if (posix_memalign((void **)&buf, SM_PAGE, n * SM_PAGE))
		return NULL;
	for (i = 0; i < n; i++)
		sm_page_make(buf + i * SM_WORDS, first + i, gen);
	return buf;
}

/* Write the whole mapping with O_DIRECT to @path at offset 0, then check it. */
static void odirect_write_check(struct __test_metadata *_metadata,
				struct _test_data_gup *self, const char *path,
				int flags)
{
	size_t off, bad = 0, i;
	__u64 *buf;
	int fd;

	sm_fill(self->base, 0, SPACE_PAGES, 7);
	fd = open(path, O_RDWR | O_DIRECT | flags, 0600);
	ASSERT_GE(fd, 0);
	/* back to front: each transfer faults in pages evicted long ago */
	for (off = SPACE_SIZE; off; off -= CHUNK) {
		ASSERT_EQ(CHUNK, pwrite(fd, self->base + off - CHUNK, CHUNK,
					off - CHUNK)) TH_LOG("pwrite: %s", strerror(errno));
	}
	close(fd);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	buf = pattern_buf(0, 1, 0);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < SPACE_PAGES; i++) {
		ASSERT_EQ(SM_PAGE, pread(fd, buf, SM_PAGE, i * SM_PAGE));
		bad += sm_page_check(buf, i, 7) != 0;
	}
	free(buf);
	close(fd);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, sm_bad(self->base, 0, SPACE_PAGES, 7));
}

/* O_DIRECT from the mapping to a file on ext4 and to a raw device. */
TEST_F_TIMEOUT(gup, odirect_write_ext4, 300)
{
	odirect_write_check(_metadata, self, EXT4_FILE, O_CREAT);
}

TEST_F_TIMEOUT(gup, odirect_write_raw, 300)
{
	odirect_write_check(_metadata, self, RAW_DEV, 0);
}

/* O_DIRECT from a raw device into the mapping, under pool pressure. */
TEST_F_TIMEOUT(gup, odirect_read_raw, 300)
{
	__u64 *buf = pattern_buf(0, SPACE_PAGES, 9);
	size_t off;
	int fd;

	ASSERT_NE(NULL, buf);
	fd = open(RAW_DEV, O_RDWR | O_DIRECT);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(SPACE_SIZE, pwrite(fd, buf, SPACE_SIZE, 0));
	free(buf);
	/* the space holds something else first: every page is dirty */
	sm_fill(self->base, 0, SPACE_PAGES, 3);
	for (off = 0; off < SPACE_SIZE; off += CHUNK) {
		ASSERT_EQ(CHUNK, pread(fd, self->base + off, CHUNK, off))
			TH_LOG("pread: %s", strerror(errno));
	}
	close(fd);
	EXPECT_EQ(0, sm_bad(self->base, 0, SPACE_PAGES, 9));
	/* and again, after all of it went through the pool once more */
	EXPECT_EQ(0, sm_bad(self->base, 0, SPACE_PAGES, 9));
}

/* The lock and condition of a parent and its children, in page 0. */
struct shared_sync {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long count;
};

#define CHILDREN	3
#define ROUNDS		300

/* A child: ROUNDS increments, each followed by writes all over the space. */
static int futex_child(char *base, unsigned int seed)
{
	struct shared_sync *s = (struct shared_sync *)base;
	int i, j;

	for (i = 0; i < ROUNDS; i++) {
		if (pthread_mutex_lock(&s->lock))
			return 1;
		s->count++;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		for (j = 0; j < 32; j++)
			sm_poke(base + (1 + rand_r(&seed) % (SPACE_PAGES - 1)) * SM_PAGE,
				i);
	}
	return 0;
}

/*
 * A PTHREAD_PROCESS_SHARED mutex and condition variable used by a parent
 * and forked children while the pages around them, and their own, are
 * evicted and faulted back: the futex key must follow the page, not the
 * frame.
 */
TEST_F_TIMEOUT(gup, futex_process_shared, 300)
{
	struct shared_sync *s = (struct shared_sync *)self->base;
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	struct timespec until;
	pid_t pids[CHILDREN];
	int i, status, err = 0;

	ASSERT_EQ(0, pthread_mutexattr_init(&ma));
	ASSERT_EQ(0, pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED));
	ASSERT_EQ(0, pthread_mutex_init(&s->lock, &ma));
	ASSERT_EQ(0, pthread_condattr_init(&ca));
	ASSERT_EQ(0, pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED));
	ASSERT_EQ(0, pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	ASSERT_EQ(0, pthread_cond_init(&s->cond, &ca));
	s->count = 0;
	for (i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i])
			_exit(futex_child(self->base, i + 1));
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 240;
	ASSERT_EQ(0, pthread_mutex_lock(&s->lock));
	while (!err && s->count < CHILDREN * ROUNDS)
		err = pthread_cond_timedwait(&s->cond, &s->lock, &until);
	pthread_mutex_unlock(&s->lock);
	EXPECT_EQ(0, err) TH_LOG("waiting for the children: %s", strerror(err));
	for (i = 0; i < CHILDREN; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	EXPECT_EQ(CHILDREN * ROUNDS, s->count);
}

/* A child that shares the mapping and waits, stopped, to be looked at. */
static pid_t stopped_child(void)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	return pid;
}

static void child_end(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/*
 * ptrace PEEKDATA/POKEDATA and /proc/PID/mem into a traced child's mapping,
 * on pages swapped out at that moment (the space was written through end
 * to end, so its first pages left the pool long ago).
 */
TEST_F_TIMEOUT(gup, ptrace_and_proc_mem, 300)
{
	long majors = variant->swapmem ? sm_stat("major_faults") : 0;
	__u64 want[SM_WORDS], got[SM_WORDS];
	char path[64];
	size_t i;
	pid_t pid;
	long word;
	int fd;

	sm_fill(self->base, 0, SPACE_PAGES, 5);
	pid = stopped_child();
	ASSERT_GT(pid, 0);
	for (i = 0; i < 64; i++) {
		char *p = self->base + i * 3 * SM_PAGE;

		sm_page_make(want, i * 3, 5);
		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, pid, p + 8 * (i % SM_WORDS), NULL);
		ASSERT_EQ(0, errno) TH_LOG("PEEKDATA: %s", strerror(errno));
		EXPECT_EQ((long)want[i % SM_WORDS], word);
		ASSERT_EQ(0, ptrace(PTRACE_POKEDATA, pid, p + 8, (void *)0x5a5aUL));
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR);
	ASSERT_GE(fd, 0);
	for (i = 0; i < 64; i++) {
		off_t at = (off_t)(unsigned long)(self->base + (i * 3 + 1) * SM_PAGE);

		sm_page_make(want, i * 3 + 1, 5);
		ASSERT_EQ(SM_PAGE, pread(fd, got, SM_PAGE, at));
		EXPECT_EQ(0, memcmp(want, got, SM_PAGE));
		got[2] = 0xa5a5;
		ASSERT_EQ(SM_PAGE, pwrite(fd, got, SM_PAGE, at));
	}
	close(fd);
	child_end(pid);
	/* what the debugger wrote, seen through our own mapping */
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(0x5a5a, sm_peek(self->base + i * 3 * SM_PAGE + 8));
		EXPECT_EQ(0xa5a5, sm_peek(self->base + (i * 3 + 1) * SM_PAGE + 16));
	}
	if (variant->swapmem)
		EXPECT_LT(majors, sm_stat("major_faults"));
}

/* process_vm_readv and process_vm_writev on a child's mapping. */
TEST_F_TIMEOUT(gup, process_vm, 300)
{
	__u64 *want = pattern_buf(0, 64, 0), *got = pattern_buf(0, 64, 0);
	struct iovec local, remote[64];
	size_t i;
	pid_t pid;

	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, got);
	sm_fill(self->base, 0, SPACE_PAGES, 11);
	pid = stopped_child();
	ASSERT_GT(pid, 0);
	for (i = 0; i < 64; i++) {
		remote[i].iov_base = self->base + i * 31 * SM_PAGE;
		remote[i].iov_len = SM_PAGE;
		sm_page_make(want + i * SM_WORDS, i * 31, 11);
	}
	local.iov_base = got;
	local.iov_len = 64 * SM_PAGE;
	EXPECT_EQ(64 * SM_PAGE, process_vm_readv(pid, &local, 1, remote, 64, 0))
		TH_LOG("process_vm_readv: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(want, got, 64 * SM_PAGE));
	for (i = 0; i < 64; i++)
		sm_page_make(want + i * SM_WORDS, i * 31, 12);
	local.iov_base = want;
	EXPECT_EQ(64 * SM_PAGE, process_vm_writev(pid, &local, 1, remote, 64, 0))
		TH_LOG("process_vm_writev: %s", strerror(errno));
	child_end(pid);
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(0, sm_page_check((__u64 *)(self->base + i * 31 * SM_PAGE),
					   i * 31, 12));
	}
	free(want);
	free(got);
}

/*
 * vmsplice a page into a pipe, page through the whole space, close it and
 * fill a new one: the pipe still reads the page as it was. (A frame given
 * to another space while the pipe held its page would show that space's
 * data.)
 */
TEST_F_TIMEOUT(gup, vmsplice_outlives_space, 300)
{
	long held = variant->swapmem ? sm_stat("held_skips") : 0;
	__u64 want[SM_WORDS], got[SM_WORDS];
	struct iovec iov;
	int pfd[2];

	ASSERT_EQ(0, pipe(pfd));
	sm_fill(self->base, 0, SPACE_PAGES, 13);
	iov.iov_base = self->base + 5 * SM_PAGE;
	iov.iov_len = SM_PAGE;
	ASSERT_EQ(SM_PAGE, vmsplice(pfd[1], &iov, 1, 0));
	/* twice through the pool: the pipe's page is passed by */
	sm_fill(self->base, 6, SPACE_PAGES - 6, 14);
	EXPECT_EQ(0, sm_bad(self->base, 6, SPACE_PAGES - 6, 14));
	if (variant->swapmem)
		EXPECT_LT(held, sm_stat("held_skips"));
	space_close(self, variant->swapmem);
	/* the closed space's frame waits for the pipe, out of use */
	if (variant->swapmem)
		EXPECT_EQ(1, sm_stat("frames_held"));
	ASSERT_EQ(0, space_open(_metadata, self, variant->swapmem));
	sm_fill(self->base, 0, SPACE_PAGES, 15);
	EXPECT_EQ(0, sm_bad(self->base, 0, SPACE_PAGES, 15));
	sm_page_make(want, 5, 13);
	ASSERT_EQ(SM_PAGE, read(pfd[0], got, SM_PAGE));
	EXPECT_EQ(0, memcmp(want, got, SM_PAGE));
	close(pfd[0]);
	close(pfd[1]);
	/* the held frame comes back to the pool: this space pages as before */
	sm_fill(self->base, 0, SPACE_PAGES, 16);
	EXPECT_EQ(0, sm_bad(self->base, 0, SPACE_PAGES, 16));
	if (variant->swapmem) {
		EXPECT_EQ(0, sm_stat("frames_held"));
		EXPECT_EQ(POOL_PAGES, sm_stat("frames_used") + sm_stat("frames_free"));
	}
}

/* An io_uring instance with one submission and one completion at a time. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -1;
	r->sq_map = sq;
	r->cq_map = cq;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* One read (@op IORING_OP_READ or READ_FIXED), waited for: its result. */
static int ring_read(struct ring *r, int op, int fd, void *buf, unsigned int len,
		     __u64 off)
{
	unsigned int tail = *r->sq_tail, head;
	struct io_uring_sqe *sqe = &r->sqes[0];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (unsigned long)buf;
	sqe->len = len;
	sqe->off = off;
	sqe->buf_index = 0;
	r->sq_array[tail & *r->sq_mask] = 0;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* Kernel release as a number: 6.1 -> 601, 6.12 -> 612, 7.3 -> 703. */
static int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major * 100 + minor;
}

/*
 * io_uring reads into the mapping, buffered from ext4 and O_DIRECT from
 * the raw device; then the mapping as a registered buffer. A long-term
 * writable pin of a file mapping that needs dirty tracking is refused by
 * the kernel from 6.5 on (EFAULT, get_user_pages()'s FOLL_LONGTERM rule);
 * 6.1's io_uring itself takes no file-backed buffer but tmpfs's and
 * hugetlbfs's (EOPNOTSUPP). tmpfs is allowed everywhere.
 */
TEST_F_TIMEOUT(gup, io_uring, 300)
{
	__u64 *buf = pattern_buf(0, 64, 17);
	struct iovec iov;
	struct ring r;
	int fd, raw, ret, want;
	size_t i;

	ASSERT_NE(NULL, buf);
	fd = open(EXT4_FILE, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(64 * SM_PAGE, pwrite(fd, buf, 64 * SM_PAGE, 0));
	raw = open(RAW_DEV, O_RDWR | O_DIRECT);
	ASSERT_GE(raw, 0);
	ASSERT_EQ(64 * SM_PAGE, pwrite(raw, buf, 64 * SM_PAGE, 0));
	free(buf);
	ASSERT_EQ(0, ring_init(&r)) TH_LOG("io_uring: %s", strerror(errno));
	sm_fill(self->base, 0, SPACE_PAGES, 1);
	/* into pages spread over the space: most are swapped out */
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(SM_PAGE, ring_read(&r, IORING_OP_READ, fd,
					     self->base + i * 32 * SM_PAGE,
					     SM_PAGE, i * SM_PAGE));
		ASSERT_EQ(SM_PAGE, ring_read(&r, IORING_OP_READ, raw,
					     self->base + (i * 32 + 1) * SM_PAGE,
					     SM_PAGE, i * SM_PAGE));
	}
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(0, sm_page_check((__u64 *)(self->base + i * 32 * SM_PAGE),
					   i, 17));
		EXPECT_EQ(0, sm_page_check((__u64 *)(self->base + (i * 32 + 1) * SM_PAGE),
					   i, 17));
	}
	iov.iov_base = self->base;
	iov.iov_len = 16 * SM_PAGE;
	ret = syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS, &iov, 1);
	ret = ret ? -errno : 0;
	want = !variant->swapmem ? 0 : kernel_version() >= 605 ? -EFAULT : -EOPNOTSUPP;
	TH_LOG("%s: IORING_REGISTER_BUFFERS: %s", variant->swapmem ? "swapmem" : "tmpfs",
	       ret ? strerror(-ret) : "registered");
	EXPECT_EQ(want, ret);
	if (!ret) {
		EXPECT_EQ(16 * SM_PAGE, ring_read(&r, IORING_OP_READ_FIXED, fd,
						  self->base, 16 * SM_PAGE, 0));
		for (i = 0; i < 16; i++) {
			EXPECT_EQ(0, sm_page_check((__u64 *)(self->base + i * SM_PAGE),
						   i, 17));
		}
	}
	close(r.fd);
	close(raw);
	close(fd);
}

struct slow_read {
	int fd;
	char *dst;
	size_t len;
	ssize_t ret;
	int err;
	int done;
};

static void *slow_read_fn(void *arg)
{
	struct slow_read *sr = arg;

	sr->ret = pread(sr->fd, sr->dst, sr->len, 0);
	sr->err = errno;
	__atomic_store_n(&sr->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The raw half suspended: its I/O waits, queued in device mapper, until it
 * is resumed. An O_DIRECT read of it holds its pages pinned meanwhile.
 */
static int raw_hold(struct _test_data_gup *self, int on)
{
	return sm_dm(on ? "suspend" : "resume", DM_RAW);
}

/*
 * A pin held across pool pressure: an O_DIRECT read into page 1 of the
 * space waits on the suspended device while the rest of the space is
 * written through again and again. The pinned frame is passed by (counted
 * in held_skips), never reused; the read lands in the page, nothing else
 * is lost.
 */
TEST_F_TIMEOUT(gup, pin_across_pressure, 300)
{
	long held = variant->swapmem ? sm_stat("held_skips") : 0;
	__u64 *buf = pattern_buf(0, 1, 21);
	struct slow_read sr = { .len = SM_PAGE };
	pthread_t t;
	__u64 gen = 30;

	ASSERT_NE(NULL, buf);
	sr.fd = open(RAW_DEV, O_RDWR | O_DIRECT);
	ASSERT_GE(sr.fd, 0);
	ASSERT_EQ(SM_PAGE, pwrite(sr.fd, buf, SM_PAGE, 0));
	free(buf);
	sm_fill(self->base, 0, SPACE_PAGES, 20);
	ASSERT_EQ(0, raw_hold(self, 1));
	sr.dst = self->base + SM_PAGE;
	ASSERT_EQ(0, pthread_create(&t, NULL, slow_read_fn, &sr));
	usleep(500000);
	/* twice through, and on until the pinned frame was passed by */
	while (gen < 32 || (variant->swapmem && gen < 40 &&
			    sm_stat("held_skips") == held)) {
		sm_fill(self->base, 2, SPACE_PAGES - 2, ++gen);
		sm_fill(self->base, 0, 1, gen);
	}
	EXPECT_FALSE(__atomic_load_n(&sr.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, raw_hold(self, 0));
	pthread_join(t, NULL);
	EXPECT_EQ(SM_PAGE, sr.ret) TH_LOG("pread: %s", strerror(sr.err));
	EXPECT_EQ(0, sm_page_check((__u64 *)(self->base + SM_PAGE), 0, 21));
	EXPECT_EQ(0, sm_bad(self->base, 2, SPACE_PAGES - 2, gen));
	EXPECT_EQ(0, sm_bad(self->base, 0, 1, gen));
	if (variant->swapmem)
		EXPECT_LT(held, sm_stat("held_skips"));
	close(sr.fd);
}

/*
 * Every frame of the pool pinned by one O_DIRECT read larger than the
 * pool, its first bio waiting on the suspended device: the fault that
 * finds no frame to free fails (the read comes back short or EFAULT),
 * with the message, and nothing hangs; once the read is over, the space
 * pages again.
 */
TEST_F_TIMEOUT(gup, all_pinned_fails_cleanly, 300)
{
	size_t len = (POOL_PAGES + 64) * SM_PAGE;
	struct slow_read sr = { .len = len };
	long nomem;
	pthread_t t;
	int i;

	if (!variant->swapmem)
		SKIP(return, "tmpfs has no pool to fill");
	nomem = sm_stat("nomem_faults");
	sr.fd = open(RAW_DEV, O_RDWR | O_DIRECT);
	ASSERT_GE(sr.fd, 0);
	sm_fill(self->base, 0, SPACE_PAGES, 40);
	ASSERT_EQ(0, raw_hold(self, 1));
	sr.dst = self->base;
	ASSERT_EQ(0, pthread_create(&t, NULL, slow_read_fn, &sr));
	/* the first bio waits with the pool pinned; the next one's pages fail */
	for (i = 0; i < 300 && sm_stat("nomem_faults") == nomem &&
	     !__atomic_load_n(&sr.done, __ATOMIC_ACQUIRE); i++)
		usleep(100000);
	ASSERT_EQ(0, raw_hold(self, 0));
	pthread_join(t, NULL);
	EXPECT_TRUE(sr.ret < (ssize_t)len) TH_LOG("pread read %zd", sr.ret);
	EXPECT_LT(nomem, sm_stat("nomem_faults"));
	close(sr.fd);
	sm_fill(self->base, 0, SPACE_PAGES, 41);
	EXPECT_EQ(0, sm_bad(self->base, 0, SPACE_PAGES, 41));
}

TEST_HARNESS_MAIN
