// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem-bench: the fault-path workloads of the performance lab
 * (scripts/bench). One run maps one target, optionally fills it, and times
 * one access pattern, printing key=value lines for the lab to collect.
 *
 * Targets: a swapmem device (/dev/swapmemN: one open, one space), a file
 * (a tmpfs file for the minor-fault baseline; it is sized with ftruncate),
 * or "anon": private anonymous memory, which the kernel's own swap pages
 * out when the program runs in a memory-limited cgroup, or "uffd:DEVICE":
 * the userfaultfd pager of uffd-pager.c, the peer measured against
 * swapmem, which keeps --resident pages in and reads the others from
 * DEVICE with O_DIRECT at page * 4096. The pager never writes back, so a
 * uffd target only reads (no --write-pct, no --replay).
 *
 * Phases, in order:
 *   populate  write every page once, in order (a word that names the page);
 *             uffd: straight to the device, nothing is resident after it
 *   clean     swapmem: SWAPMEM_ADV_SYNC over the space, so every resident
 *             frame is clean (files: msync; anon, uffd: nothing)
 *   remap     munmap and mmap again: resident pages now minor-fault (uffd:
 *             the pager drops every page and starts again, so they fault
 *             in from the device)
 *   measure   --ops accesses in --pattern over --range, each timed alone;
 *             --threads splits them over threads, each with its own part
 *             of the range
 *
 * Every read of a populated page is checked against the word written to
 * it; a mismatch fails the run (exit 1), so a benchmark that silently
 * read wrong data cannot report a figure.
 *
 * --replay FILE replays a fio version 2 iolog (swapmem-sim gen) instead:
 * each write stores to its pages, each read copies its bytes out, timed
 * alone, in one open, so the space keeps what the log wrote. (fio 3.33's
 * own mmap engine fails to map the file when it replays a log.) The
 * percentiles are those of the reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/swapmem.h>
#include <linux/types.h>

#include "uffd-pager.h"

#define PAGE		4096UL
#define MAX_THREADS	64
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif

enum pattern { PAT_RANDOM, PAT_SEQ, PAT_STRIDE, PAT_SHUFFLE };

static const char *target;
static int fd = -1;
static int is_swapmem;
static int is_uffd;
static unsigned long resident;
static unsigned int uffd_handlers = 1;
static char *map;
static unsigned long npages;
static unsigned long range_lo, range_hi;
static unsigned long ops = 10000;
static unsigned int nthreads = 1;
static unsigned int write_pct;
static enum pattern pattern = PAT_RANDOM;
static int populated;
static __u64 seed = 1;
static unsigned long mismatches;
static const char *replay;
static unsigned long rounds = 1;

struct op {
	unsigned long page, len;
	int write;
};

struct worker {
	pthread_t tid;
	unsigned int id;
	unsigned long lo, hi, ops, base;
	__u64 *lat;
	__u64 bytes;
	unsigned long bad;
};

static void die(const char *what)
{
	fprintf(stderr, "swapmem-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: swapmem-bench --target PATH|anon|uffd:DEVICE --space SIZE [options]\n"
		"  --populate          write every page first\n"
		"  --clean             then make resident pages clean (swapmem: ADVISE SYNC)\n"
		"  --remap             then unmap and map again\n"
		"  --pattern P         random (default), seq (whole pages), stride (one page per\n"
		"                      64 KiB, shuffled), shuffle (every page once, shuffled)\n"
		"  --range LO:HI       pages measured (default the whole space)\n"
		"  --ops N             accesses measured (default 10000; seq: the range once)\n"
		"  --threads N         measuring threads (default 1)\n"
		"  --write-pct N       percent of accesses that write (default 0)\n"
		"  --seed N            random seed (default 1)\n"
		"  --replay FILE       replay a fio v2 iolog instead of a pattern\n"
		"  --rounds N          with --remap: measure N times, mapping again before each\n"
		"  --resident PAGES    uffd: pages the pager keeps in (required)\n"
		"  --uffd-handlers N   uffd: fault-handling threads (default 1)\n");
	exit(2);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 splitmix(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s)
		print_usage();
	switch (*end) {
	case 'G':
	case 'g':
		v <<= 10;
		fallthrough;
	case 'M':
	case 'm':
		v <<= 10;
		fallthrough;
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	case '\0':
		break;
	default:
		print_usage();
	}
	if (*end)
		print_usage();
	return v;
}

/* The word a populated page holds: it names the page. */
static __u64 page_word(unsigned long p)
{
	return 0x5a5a000000000000ULL ^ ((__u64)p * 2654435761ULL) ^ seed;
}

static void do_map(void)
{
	int flags = MAP_SHARED;

	if (is_uffd) {
		map = uffd_pager_map();
		return;
	}
	if (fd < 0)
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
	map = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
}

static void do_unmap(void)
{
	if (is_uffd)
		uffd_pager_unmap();
	else if (munmap(map, npages * PAGE))
		die("munmap");
}

static void dev_stats(struct swapmem_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (is_swapmem && ioctl(fd, SWAPMEM_IOC_STATS, st))
		die("SWAPMEM_IOC_STATS");
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The mapped words are read and written through these, as relaxed atomics,
 * so that the compiler can neither elide nor merge the page touches that
 * the program exists to make.
 */
static inline __u64 load_word(const __u64 *q)
{
	return __atomic_load_n(q, __ATOMIC_RELAXED);
}

static inline void store_word(__u64 *q, __u64 v)
{
	__atomic_store_n(q, v, __ATOMIC_RELAXED);
}

/* One access: a word, or the whole page for sequential reads. */
static void touch(struct worker *w, unsigned long p, int write)
{
	__u64 *q = (__u64 *)(map + p * PAGE);
	__u64 v, sum = 0;
	unsigned int i;

	if (write) {
		store_word(q, page_word(p));
		return;
	}
	if (pattern == PAT_SEQ) {
		for (i = 0; i < PAGE / sizeof(*q); i++)
			sum += load_word(&q[i]);
		w->bytes += PAGE;
		v = load_word(q);
		(void)sum;
	} else {
		v = load_word(q);
	}
	if (populated && v != page_word(p))
		w->bad++;
}

static void *measure(void *arg)
{
	struct worker *w = arg;
	unsigned long span = w->hi - w->lo, i, n = 0, p = w->lo, *order = NULL;
	__u64 s = seed * 1000003 + w->id, t;

	if (pattern == PAT_STRIDE || pattern == PAT_SHUFFLE) {
		/*
		 * stride: one page per 64 KiB window, windows in random order;
		 * shuffle: every page once, in random order (then again)
		 */
		unsigned long step = pattern == PAT_STRIDE ? 16 : 1, j, k, tmp;

		n = span / step ? span / step : 1;
		order = malloc(n * sizeof(*order));
		if (!order)
			die("malloc");
		for (j = 0; j < n; j++)
			order[j] = w->lo + j * step;
		for (j = n - 1; j > 0; j--) {
			k = splitmix(&s) % (j + 1);
			tmp = order[j];
			order[j] = order[k];
			order[k] = tmp;
		}
		if (pattern == PAT_STRIDE && w->ops > n)
			w->ops = n;
	}
	for (i = 0; i < w->ops; i++) {
		int wr = write_pct && splitmix(&s) % 100 < write_pct;

		if (pattern == PAT_RANDOM)
			p = w->lo + splitmix(&s) % span;
		else if (pattern == PAT_STRIDE || pattern == PAT_SHUFFLE)
			p = order[i % n];
		t = now_ns();
		touch(w, p, wr);
		w->lat[w->base + i] = now_ns() - t;
		if (pattern == PAT_SEQ && ++p == w->hi)
			p = w->lo;
	}
	free(order);
	return NULL;
}

static void print_stats(const char *pfx, const struct swapmem_stats *a,
			const struct swapmem_stats *b)
{
	static const struct {
		const char *name;
		size_t off;
	} deltas[] = {
#define DELTA(field) { #field, offsetof(struct swapmem_dev_counters, field) }
		DELTA(major_faults), DELTA(minor_faults), DELTA(zero_fill_faults),
		DELTA(evictions_dirty), DELTA(evictions_clean), DELTA(swap_reads),
		DELTA(swap_writes),
#undef DELTA
	};
	const struct swapmem_dev_counters *x = &a->device, *y = &b->device;
	size_t i;

	if (!is_swapmem)
		return;
	for (i = 0; i < ARRAY_SIZE(deltas); i++)
		printf("%s%s=%llu\n", pfx, deltas[i].name,
		       (unsigned long long)(*(const __u64 *)((const char *)y + deltas[i].off) -
					    *(const __u64 *)((const char *)x + deltas[i].off)));
}

/* Read a fio version 2 iolog: its reads and writes, in order. */
static struct op *load_iolog(const char *path, unsigned long *n)
{
	char line[512], name[300], act[32];
	unsigned long long off, len;
	size_t cap = 0, i = 0;
	struct op *v = NULL;
	FILE *fp = fopen(path, "r");

	if (!fp)
		die(path);
	if (!fgets(line, sizeof(line), fp) || strncmp(line, "fio version 2 iolog", 19)) {
		fprintf(stderr, "swapmem-bench: %s: not a fio version 2 iolog\n", path);
		exit(1);
	}
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%299s %31s %llu %llu", name, act, &off, &len) != 4)
			continue;	/* add, open, close */
		if (strcmp(act, "read") && strcmp(act, "write"))
			continue;
		if (!len || (off + len + PAGE - 1) / PAGE > npages) {
			fprintf(stderr, "swapmem-bench: %s: access outside the space: %s",
				path, line);
			exit(1);
		}
		if (i == cap) {
			cap = cap ? 2 * cap : 65536;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("realloc");
		}
		v[i].page = off / PAGE;
		v[i].len = len;
		v[i++].write = !strcmp(act, "write");
	}
	fclose(fp);
	*n = i;
	return v;
}

/* Replay an iolog; reads are timed and checked against what was written. */
static void do_replay(struct worker *w, struct op *v, unsigned long n)
{
	unsigned char *written = calloc(npages, 1);
	char *buf = malloc(1 << 20);
	unsigned long i, p, reads = 0;
	__u64 t, word;

	if (!written || !buf)
		die("malloc");
	for (i = 0; i < n; i++) {
		if (v[i].write) {
			for (p = v[i].page; p * PAGE < v[i].page * PAGE + v[i].len; p++) {
				store_word((__u64 *)(map + p * PAGE), page_word(p));
				written[p] = 1;
			}
			continue;
		}
		t = now_ns();
		memcpy(buf, map + v[i].page * PAGE, v[i].len < (1 << 20) ? v[i].len : 1 << 20);
		w->lat[reads++] = now_ns() - t;
		memcpy(&word, buf, sizeof(word));
		if (word != (written[v[i].page] ? page_word(v[i].page) : 0))
			w->bad++;
	}
	w->ops = reads;
	free(written);
	free(buf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "space", required_argument, NULL, 's' },
		{ "populate", no_argument, NULL, 'P' },
		{ "clean", no_argument, NULL, 'C' },
		{ "remap", no_argument, NULL, 'R' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "range", required_argument, NULL, 'r' },
		{ "ops", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 'T' },
		{ "write-pct", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 'S' },
		{ "replay", required_argument, NULL, 'L' },
		{ "rounds", required_argument, NULL, 'N' },
		{ "resident", required_argument, NULL, 'M' },
		{ "uffd-handlers", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c, do_populate = 0, do_clean = 0, do_remap = 0, ops_set = 0;
	unsigned long space = 0, i, total_ops = 0, part;
	struct worker w[MAX_THREADS];
	struct swapmem_stats st0, st1;
	struct uffd_pager_stats us0, us1;
	struct rusage ru0, ru1;
	__u64 t0, t1, *all, sum = 0, bytes = 0;
	char *colon;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 's':
			space = parse_size(optarg);
			break;
		case 'P':
			do_populate = 1;
			break;
		case 'C':
			do_clean = 1;
			break;
		case 'R':
			do_remap = 1;
			break;
		case 'p':
			if (!strcmp(optarg, "random"))
				pattern = PAT_RANDOM;
			else if (!strcmp(optarg, "seq"))
				pattern = PAT_SEQ;
			else if (!strcmp(optarg, "stride"))
				pattern = PAT_STRIDE;
			else if (!strcmp(optarg, "shuffle"))
				pattern = PAT_SHUFFLE;
			else
				print_usage();
			break;
		case 'r':
			range_lo = strtoul(optarg, &colon, 0);
			if (*colon != ':')
				print_usage();
			range_hi = strtoul(colon + 1, NULL, 0);
			break;
		case 'n':
			ops = parse_size(optarg);
			ops_set = 1;
			break;
		case 'T':
			nthreads = parse_size(optarg);
			break;
		case 'w':
			write_pct = parse_size(optarg);
			break;
		case 'S':
			seed = parse_size(optarg);
			break;
		case 'L':
			replay = optarg;
			break;
		case 'N':
			rounds = parse_size(optarg);
			break;
		case 'M':
			resident = parse_size(optarg);
			break;
		case 'H':
			uffd_handlers = parse_size(optarg);
			break;
		default:
			print_usage();
		}
	}
	if (!target || space < PAGE || optind != argc || !nthreads ||
	    nthreads > MAX_THREADS || write_pct > 100 || !rounds ||
	    (rounds > 1 && (!do_remap || pattern == PAT_STRIDE || replay)))
		print_usage();
	npages = space / PAGE;
	if (!range_hi)
		range_hi = npages;
	if (range_lo >= range_hi || range_hi > npages ||
	    range_hi - range_lo < nthreads)
		print_usage();
	if ((pattern == PAT_SEQ || pattern == PAT_SHUFFLE) && !ops_set)
		ops = range_hi - range_lo;

	if (!strncmp(target, "uffd:", 5)) {
		is_uffd = 1;
		if (!resident || write_pct || replay) {
			fprintf(stderr, "swapmem-bench: %s: %s\n", target, !resident ?
				"a uffd target needs --resident PAGES" :
				"the uffd pager never writes back: no --write-pct, no --replay");
			exit(1);
		}
		uffd_pager_open(target + 5, npages, resident, uffd_handlers,
				do_populate);
	} else if (strcmp(target, "anon")) {
		struct stat sb;

		fd = open(target, O_RDWR | O_CREAT, 0600);
		if (fd < 0)
			die(target);
		if (fstat(fd, &sb))
			die("fstat");
		is_swapmem = S_ISCHR(sb.st_mode);
		if (S_ISREG(sb.st_mode) && ftruncate(fd, space))
			die("ftruncate");
	}
	do_map();

	t0 = now_ns();
	if (do_populate) {
		if (is_uffd)
			uffd_pager_fill(page_word);
		else
			for (i = 0; i < npages; i++)
				store_word((__u64 *)(map + i * PAGE), page_word(i));
		populated = 1;
	}
	t1 = now_ns();
	if (do_populate)
		printf("populate_secs=%.3f\n", (t1 - t0) / 1e9);
	if (do_clean) {
		if (is_swapmem) {
			struct swapmem_advice adv = {
				.offset = 0, .length = npages * PAGE,
				.advice = SWAPMEM_ADV_SYNC,
			};

			if (ioctl(fd, SWAPMEM_IOC_ADVISE, &adv))
				die("SWAPMEM_ADV_SYNC");
			printf("cleaned_pages=%llu\n", (unsigned long long)adv.pages);
		} else if (fd >= 0 && msync(map, npages * PAGE, MS_SYNC)) {
			die("msync");
		}
	}
	if (do_remap) {
		do_unmap();
		do_map();
	}

	part = (range_hi - range_lo) / nthreads;
	for (i = 0; i < nthreads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].lo = range_lo + i * part;
		w[i].hi = i == nthreads - 1 ? range_hi : w[i].lo + part;
		w[i].ops = ops / nthreads;
		w[i].lat = calloc(w[i].ops ? w[i].ops * rounds : 1, sizeof(__u64));
		if (!w[i].lat)
			die("calloc");
	}
	if (replay) {
		unsigned long n;
		struct op *v = load_iolog(replay, &n);

		free(w[0].lat);
		w[0].lat = calloc(n ? n : 1, sizeof(__u64));
		if (!w[0].lat)
			die("calloc");
		nthreads = 1;
		dev_stats(&st0);
		getrusage(RUSAGE_SELF, &ru0);
		t0 = now_ns();
		do_replay(&w[0], v, n);
		t1 = now_ns();
		free(v);
	} else {
		__u64 busy = 0, r0;
		unsigned long r;

		dev_stats(&st0);
		if (is_uffd)
			uffd_pager_get_stats(&us0);
		getrusage(RUSAGE_SELF, &ru0);
		t0 = now_ns();
		for (r = 0; r < rounds; r++) {
			if (r) {
				/* not timed: fresh mappings, resident pages */
				do_unmap();
				do_map();
			}
			r0 = now_ns();
			for (i = 0; i < nthreads; i++) {
				w[i].base = r * w[i].ops;
				if (pthread_create(&w[i].tid, NULL, measure, &w[i]))
					die("pthread_create");
			}
			for (i = 0; i < nthreads; i++)
				pthread_join(w[i].tid, NULL);
			busy += now_ns() - r0;
		}
		for (i = 0; i < nthreads; i++)
			w[i].ops *= rounds;
		t1 = t0 + busy;
	}
	getrusage(RUSAGE_SELF, &ru1);
	dev_stats(&st1);
	if (is_uffd)
		uffd_pager_get_stats(&us1);

	for (i = 0; i < nthreads; i++)
		total_ops += w[i].ops;
	all = malloc((total_ops ? total_ops : 1) * sizeof(*all));
	if (!all)
		die("malloc");
	total_ops = 0;
	for (i = 0; i < nthreads; i++) {
		memcpy(all + total_ops, w[i].lat, w[i].ops * sizeof(*all));
		total_ops += w[i].ops;
		bytes += w[i].bytes;
		mismatches += w[i].bad;
	}
	qsort(all, total_ops, sizeof(*all), cmp_u64);
	for (i = 0; i < total_ops; i++)
		sum += all[i];

	printf("target=%s\nspace_pages=%lu\nrange=%lu:%lu\nthreads=%u\n",
	       target, npages, range_lo, range_hi, nthreads);
	printf("ops=%lu\nsecs=%.6f\n", total_ops, (t1 - t0) / 1e9);
	if (total_ops) {
		printf("p50_ns=%llu\n", (unsigned long long)all[total_ops / 2]);
		printf("p99_ns=%llu\n",
		       (unsigned long long)all[total_ops * 99 / 100]);
		printf("mean_ns=%llu\n", (unsigned long long)(sum / total_ops));
	}
	printf("ops_per_sec=%.1f\n", total_ops / ((t1 - t0) / 1e9));
	if (bytes)
		printf("mib_per_sec=%.2f\n", bytes / 1048576.0 / ((t1 - t0) / 1e9));
	printf("majflt=%ld\nminflt=%ld\n", ru1.ru_majflt - ru0.ru_majflt,
	       ru1.ru_minflt - ru0.ru_minflt);
	printf("faults_per_sec=%.1f\n",
	       (ru1.ru_majflt - ru0.ru_majflt + ru1.ru_minflt - ru0.ru_minflt) /
	       ((t1 - t0) / 1e9));
	if (is_swapmem)
		printf("dirty_at_start=%llu\n",
		       (unsigned long long)st0.device.frames_dirty);
	print_stats("sm_", &st0, &st1);
	if (is_uffd)
		printf("uffd_faults=%lu\nuffd_evictions=%lu\nuffd_already_in=%lu\n",
		       us1.faults - us0.faults, us1.evictions - us0.evictions,
		       us1.already - us0.already);
	printf("mismatches=%lu\n", mismatches);
	if (mismatches) {
		fprintf(stderr, "swapmem-bench: %lu pages read back wrong\n",
			mismatches);
		return 1;
	}
	return 0;
}
