/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the swapmem selftests: loading the module, reading its
 * counters, self-describing pages, and touching memory that may SIGBUS.
 */
#ifndef _SWAPMEM_LIB_H
#define _SWAPMEM_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <linux/swapmem.h>
#include <linux/types.h>

#define SM_DEV		"/dev/swapmem0"
#define SM_SYSFS	"/sys/class/swapmem/swapmem0/"
#define SM_PAGE		4096UL
#define SM_WORDS	(SM_PAGE / sizeof(__u64))

/* One load or store that the compiler may neither drop nor merge. */
static inline __u64 sm_peek(const void *p)
{
	return __atomic_load_n((const __u64 *)p, __ATOMIC_RELAXED);
}

static inline void sm_poke(void *p, __u64 v)
{
	__atomic_store_n((__u64 *)p, v, __ATOMIC_RELAXED);
}

/* The first scratch disk of the lab guest, or $SWAPMEM_DISK. */
static inline const char *sm_disk(int n)
{
	const char *d = getenv(n ? "SWAPMEM_DISK2" : "SWAPMEM_DISK");

	return d ? d : (n ? "/dev/vdb" : "/dev/vda");
}

/* Is swapmem loaded? */
static inline int sm_loaded(void)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "swapmem ", 8);
	fclose(f);
	return found;
}

/*
 * rmmod and insmod, as the system calls they make: without a shell or a
 * program to start, which on the debug lane's kernel costs a second a
 * time, for every fixture of every test.
 */
static inline void sm_unload(void)
{
	if (sm_loaded() && syscall(__NR_delete_module, "swapmem", O_NONBLOCK))
		fprintf(stderr, "# rmmod swapmem: %s\n", strerror(errno));
}

/* rmmod swapmem (if loaded), then insmod it with @params. */
static inline int sm_reload(const char *params)
{
	const char *ko = getenv("SWAPMEM_KO");
	int fd, ret;

	if (!ko)
		return -1;
	sm_unload();
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "# insmod: %s: %s\n", ko, strerror(errno));
		return -1;
	}
	ret = syscall(__NR_finit_module, fd, params, 0);
	if (ret)
		fprintf(stderr, "# insmod %s %s: %s\n", ko, params, strerror(errno));
	close(fd);
	return ret ? -1 : 0;
}

static inline long sm_read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 0);
}

/* A counter of stats/, or a file of the device directory. */
static inline long sm_stat(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), SM_SYSFS "stats/%s", name);
	return sm_read_long(path);
}

/*
 * Dirty pages written out, by the eviction that needed the frame or ahead
 * of it by the background writeback: either way once per dirtying.
 */
static inline long sm_pages_written(void)
{
	return sm_stat("evictions_dirty") + sm_stat("writeback_pages");
}

/* Write @val to the (sysfs) file at @path: 0 or -errno. */
static inline int sm_file_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Read the (sysfs) file at @path into @buf, without its newline: 0 or -errno. */
static inline int sm_file_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	n = n < 0 ? -errno : n;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Write @val to swapmem<@dev>/@file: 0 or -errno. */
static inline int sm_write(int dev, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/class/swapmem/swapmem%d/%s", dev, file);
	return sm_file_write(path, val);
}

/* Read swapmem<@dev>/@file into @buf, without its newline: 0 or -errno. */
static inline int sm_read(int dev, const char *file, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/class/swapmem/swapmem%d/%s", dev, file);
	return sm_file_read(path, buf, len);
}

/*
 * SWAPMEM_IOC_ADVISE on pages [@first, @first + @npages) of @fd's space;
 * the pages it acted on in *@done (written back even as 0).
 */
static inline int sm_advise(int fd, __u32 advice, __u64 first, __u64 npages,
			    __u64 *done)
{
	struct swapmem_advice adv;
	int ret;

	memset(&adv, 0, sizeof(adv));
	adv.offset = first * SM_PAGE;
	adv.length = npages * SM_PAGE;
	adv.advice = advice;
	adv.pages = ~0ULL;
	ret = ioctl(fd, SWAPMEM_IOC_ADVISE, &adv);
	if (done)
		*done = adv.pages;
	return ret;
}

static inline int sm_stats(int fd, struct swapmem_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, SWAPMEM_IOC_STATS, st);
}

/*
 * Device mapper: does it work here? Then (re)create target @name with
 * @table ("\\n" between lines, printf style), give it another table, run
 * dmsetup @cmd (suspend, resume, remove) on it. 0, or -1.
 */
static inline int sm_dm_available(void)
{
	return system("modprobe dm-mod 2>/dev/null; dmsetup version >/dev/null 2>&1") ? -1 : 0;
}

static inline int sm_dm_create(const char *name, const char *table)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "dmsetup --noudevsync remove %s 2>/dev/null", name);
	if (system(cmd) == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "printf '%s' | dmsetup --noudevsync create %s", table, name);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), "dmsetup mknodes %s", name);
	return system(cmd) ? -1 : 0;
}

static inline int sm_dm_table(const char *name, const char *table)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "printf '%s' | dmsetup --noudevsync reload %s && dmsetup --noudevsync resume %s",
		 table, name, name);
	return system(cmd) ? -1 : 0;
}

static inline int sm_dm(const char *cmd, const char *name)
{
	char line[256];

	snprintf(line, sizeof(line), "dmsetup --noudevsync %s %s", cmd, name);
	return system(line) ? -1 : 0;
}

/* Seconds on the monotonic clock. */
static inline double sm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline long sm_attr(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), SM_SYSFS "%s", name);
	return sm_read_long(path);
}

/* xorshift64: deterministic, so every run sees the same orders. */
static inline __u64 sm_rand(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A self-describing page: word 0 its index, word 1 its generation, word 2
 * a checksum of the rest, which is a stream seeded by (index, generation).
 */
static inline void sm_page_make(__u64 *p, __u64 index, __u64 gen)
{
	__u64 s = (index + 1) * 0x9E3779B97F4A7C15ULL ^ (gen << 40) ^ 0x5bd1e995;
	__u64 sum = 0;
	size_t i;

	p[0] = index;
	p[1] = gen;
	for (i = 3; i < SM_WORDS; i++) {
		p[i] = sm_rand(&s);
		sum += p[i] * i;
	}
	p[2] = sum;
}

/* 0 if @p is exactly page @index of generation @gen; else says what it is. */
static inline int sm_page_check(const __u64 *p, __u64 index, __u64 gen)
{
	__u64 want[SM_WORDS];

	sm_page_make(want, index, gen);
	if (!memcmp(p, want, SM_PAGE))
		return 0;
	fprintf(stderr, "# page %llu: found index %llu gen %llu sum %s (want gen %llu)\n",
		(unsigned long long)index, (unsigned long long)p[0],
		(unsigned long long)p[1], p[2] == want[2] ? "ok" : "bad",
		(unsigned long long)gen);
	return -1;
}

static inline int sm_page_is_zero(const __u64 *p)
{
	size_t i;

	for (i = 0; i < SM_WORDS; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Write pages [@first, @first + @n) of @base as generation @gen. */
static inline void sm_fill(char *base, size_t first, size_t n, __u64 gen)
{
	size_t i;

	for (i = first; i < first + n; i++)
		sm_page_make((__u64 *)(base + i * SM_PAGE), i, gen);
}

/* How many of pages [@first, @first + @n) of @base are not generation @gen. */
static inline size_t sm_bad(char *base, size_t first, size_t n, __u64 gen)
{
	size_t i, b = 0;

	for (i = first; i < first + n; i++)
		b += !!sm_page_check((__u64 *)(base + i * SM_PAGE), i, gen);
	return b;
}

/* A random permutation of 0..n-1. */
static inline void sm_shuffle(size_t *order, size_t n, __u64 seed)
{
	size_t i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = sm_rand(&seed) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

/* Touching memory that may raise SIGBUS: sm_try() is 0, or -1 on SIGBUS. */
static sigjmp_buf sm_jmp;

static inline void sm_sigbus(int sig)
{
	siglongjmp(sm_jmp, 1);
}

static inline void sm_catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sm_sigbus;
	sigaction(SIGBUS, &sa, NULL);
}

/* Copy a page out of (or into) the mapping; -1 if the access got SIGBUS. */
static inline int sm_try_copy(void *dst, const void *src)
{
	if (sigsetjmp(sm_jmp, 1))
		return -1;
	memcpy(dst, src, SM_PAGE);
	return 0;
}

#endif /* _SWAPMEM_LIB_H */
