// SPDX-License-Identifier: GPL-2.0
/*
 * uffd-pager: a user-space pager built on userfaultfd, the performance
 * lab's measured peer of swapmem, after the approach of LLNL's umap.
 *
 * The space is private anonymous memory registered with userfaultfd for
 * missing pages. Handler threads share the userfaultfd; for each page fault
 * one of them reads the page from the block device with O_DIRECT (no page
 * cache in between, as swapmem's own reads) into an aligned buffer and
 * installs it with UFFDIO_COPY, which wakes the faulting thread. At most
 * "resident" pages are in at once: before a read, when the limit is
 * reached, the oldest page installed is dropped with MADV_DONTNEED (FIFO,
 * a ring under a mutex). The next touch of a dropped page faults again.
 *
 * umap's design: a buffer of page descriptors of a set size, filler threads
 * that read pages in (UMAP_PAGE_FILLERS), with optional read-ahead, and
 * evictor threads (UMAP_PAGE_EVICTORS) that, between high and low water
 * marks, drop the oldest present pages in batches and first write back the
 * dirty ones, which it tracks with userfaultfd write protection
 * (UFFDIO_REGISTER_MODE_WP, UFFDIO_COPY_MODE_WP). This peer keeps the part
 * that the lab's read-only workloads exercise: N handlers that each both
 * fill and evict, in the faulting path, one page at a time, FIFO, no
 * read-ahead, no write-back (a page stored to is lost when it is evicted),
 * no write protection. Its figures are those of a lean umap: the cost of
 * the round trip to a user-space handler, one read per fault.
 *
 * The device is filled (uffd_pager_fill) with O_DIRECT writes, never
 * through the mapping; remapping drops every resident page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uffd-pager.h"

#define PAGE		4096UL
#define FILL_PAGES	256UL		/* 1 MiB a write */
#define MAX_HANDLERS	64

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif

static const char *dev_path;
static int dev_fd = -1, uffd = -1, stop_pipe[2] = { -1, -1 };
static unsigned long npages, limit;
static unsigned int nhandlers;
static char *base;
static pthread_t handlers[MAX_HANDLERS];
static struct uffd_pager_stats stats;

/* The FIFO: pages installed, oldest at head; inflight: reads under way. */
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long *ring, ring_head, ring_n, inflight;

static noreturn void fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "swapmem-bench: uffd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fprintf(stderr, "\n");
	exit(1);
}

void uffd_pager_open(const char *path, unsigned long n, unsigned long resident,
		     unsigned int nh, int writable)
{
	unsigned long long size;
	struct stat sb;

	dev_path = path;
	npages = n;
	limit = resident;
	nhandlers = nh;
	if (!nh || nh > MAX_HANDLERS || resident < nh) {
		errno = 0;
		fail("--resident must be at least --uffd-handlers (1 to 64)");
	}
	dev_fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (dev_fd < 0)
		fail(errno == EINVAL ? "%s: cannot be opened with O_DIRECT" : "%s", path);
	if (fstat(dev_fd, &sb))
		fail("fstat %s", path);
	size = sb.st_size;
	if (S_ISBLK(sb.st_mode) && ioctl(dev_fd, BLKGETSIZE64, &size))
		fail("BLKGETSIZE64 %s", path);
	if (size < npages * PAGE) {
		errno = 0;
		fail("%s holds %llu bytes, less than the space (%lu)", path, size, npages * PAGE);
	}
	ring = calloc(limit, sizeof(*ring));
	if (!ring)
		fail("calloc");
}

void uffd_pager_fill(__u64 (*word)(unsigned long p))
{
	unsigned long p, i, n;
	void *buf;
	ssize_t r;

	if (posix_memalign(&buf, PAGE, FILL_PAGES * PAGE))
		fail("posix_memalign");
	for (p = 0; p < npages; p += n) {
		n = npages - p < FILL_PAGES ? npages - p : FILL_PAGES;
		memset(buf, 0, n * PAGE);
		for (i = 0; i < n; i++)
			*(__u64 *)((char *)buf + i * PAGE) = word(p + i);
		r = pwrite(dev_fd, buf, n * PAGE, p * PAGE);
		if (r != (ssize_t)(n * PAGE)) {
			if (r >= 0)
				errno = EIO;
			fail("O_DIRECT write to %s", dev_path);
		}
	}
	free(buf);
}

/* Serve one fault: evict the oldest page if full, read, install. */
static void serve(unsigned long addr, char *buf)
{
	unsigned long page = (addr - (unsigned long)base) / PAGE, victim = -1UL;
	struct uffdio_copy copy = {
		.dst = (unsigned long)base + page * PAGE,
		.src = (unsigned long)buf,
		.len = PAGE,
	};
	int installed = 0;
	ssize_t r;

	if (page >= npages) {
		errno = 0;
		fail("fault outside the space");
	}
	/* inflight reserves a place, so ring_n never passes the limit */
	pthread_mutex_lock(&ring_lock);
	if (ring_n + inflight >= limit && ring_n) {
		victim = ring[ring_head];
		ring_head = (ring_head + 1) % limit;
		ring_n--;
	}
	inflight++;
	pthread_mutex_unlock(&ring_lock);
	if (victim != -1UL) {
		if (madvise(base + victim * PAGE, PAGE, MADV_DONTNEED))
			fail("madvise(MADV_DONTNEED)");
		__atomic_fetch_add(&stats.evictions, 1, __ATOMIC_RELAXED);
	}

	r = pread(dev_fd, buf, PAGE, page * PAGE);
	if (r != (ssize_t)PAGE) {
		if (r >= 0)
			errno = r ? EIO : ENXIO;	/* short, past the end */
		fail("O_DIRECT read from %s", dev_path);
	}
	for (;;) {
		copy.copy = 0;
		if (!ioctl(uffd, UFFDIO_COPY, &copy)) {
			installed = 1;
			break;
		}
		if (errno == EEXIST) {
			/* another handler served the same page first */
			struct uffdio_range range = { .start = copy.dst, .len = PAGE };

			if (ioctl(uffd, UFFDIO_WAKE, &range))
				fail("UFFDIO_WAKE");
			__atomic_fetch_add(&stats.already, 1, __ATOMIC_RELAXED);
			break;
		}
		if (errno != EAGAIN)
			fail("UFFDIO_COPY");
	}
	__atomic_fetch_add(&stats.faults, 1, __ATOMIC_RELAXED);

	pthread_mutex_lock(&ring_lock);
	inflight--;
	if (installed)
		ring[(ring_head + ring_n++) % limit] = page;
	pthread_mutex_unlock(&ring_lock);
}

static void *handler(void *arg)
{
	struct pollfd pfd[2] = {
		{ .fd = uffd, .events = POLLIN },
		{ .fd = stop_pipe[0], .events = POLLIN },
	};
	struct uffd_msg msg;
	void *buf;
	ssize_t r;

	(void)arg;
	if (posix_memalign(&buf, PAGE, PAGE))
		fail("posix_memalign");
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & (POLLERR | POLLHUP)) {
			errno = 0;
			fail("userfaultfd reports an error");
		}
		r = read(uffd, &msg, sizeof(msg));
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;	/* another handler took it */
		if (r != sizeof(msg))
			fail("read from the userfaultfd");
		if (msg.event != UFFD_EVENT_PAGEFAULT) {
			errno = 0;
			fail("unexpected userfaultfd event");
		}
		serve(msg.arg.pagefault.address, buf);
	}
	free(buf);
	return NULL;
}

static int open_uffd(void)
{
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);

	if (fd < 0 && errno == EINVAL)	/* before 5.11 */
		fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EPERM)
		fail("userfaultfd(2) refused: %s",
		     "set /proc/sys/vm/unprivileged_userfaultfd to 1 or run as root");
	if (fd < 0)
		fail("userfaultfd(2) (a kernel without it says: function not implemented)");
	return fd;
}

void *uffd_pager_map(void)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	unsigned int i;

	uffd = open_uffd();
	if (ioctl(uffd, UFFDIO_API, &api))
		fail("UFFDIO_API handshake");
	base = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		fail("mmap");
	/* one fault, one 4 KiB page, as swapmem */
	if (madvise(base, npages * PAGE, MADV_NOHUGEPAGE) && errno != EINVAL)
		fail("madvise(MADV_NOHUGEPAGE)");
	reg.range.start = (unsigned long)base;
	reg.range.len = npages * PAGE;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		fail("UFFDIO_REGISTER (missing pages)");
	if (!(reg.ioctls & (1ULL << _UFFDIO_COPY)) || !(reg.ioctls & (1ULL << _UFFDIO_WAKE))) {
		errno = 0;
		fail("UFFDIO_REGISTER: no UFFDIO_COPY on this range");
	}
	ring_head = 0;
	ring_n = 0;
	inflight = 0;
	if (pipe2(stop_pipe, O_CLOEXEC))
		fail("pipe");
	for (i = 0; i < nhandlers; i++) {
		errno = pthread_create(&handlers[i], NULL, handler, NULL);
		if (errno)
			fail("pthread_create");
	}
	return base;
}

void uffd_pager_unmap(void)
{
	unsigned int i;

	/* no fault is outstanding: the program's threads are done */
	if (write(stop_pipe[1], "", 1) != 1)
		fail("write to the stop pipe");
	for (i = 0; i < nhandlers; i++)
		pthread_join(handlers[i], NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	if (munmap(base, npages * PAGE))
		fail("munmap");
	close(uffd);
	uffd = -1;
}

void uffd_pager_get_stats(struct uffd_pager_stats *st)
{
	st->faults = __atomic_load_n(&stats.faults, __ATOMIC_RELAXED);
	st->evictions = __atomic_load_n(&stats.evictions, __ATOMIC_RELAXED);
	st->already = __atomic_load_n(&stats.already, __ATOMIC_RELAXED);
}
