// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem-sim - page-reference traces and a page replacement simulator
 *
 * The performance lab replays one fio iolog (version 2, what fio's
 * read_iolog= takes) twice: through fio's mmap engine on /dev/swapmem0,
 * where the module's misses are zero_fill_faults + major_faults, and
 * through "swapmem-sim sim", and compares the module's misses under each
 * of its policies with those of the simulated policy of that name: CLOCK,
 * FIFO or S3-FIFO. LRU and OPT (Belady's MIN, the fewest misses any
 * policy can have) put the module's hit ratio in perspective.
 *
 *   gen  writes the iolog of a synthetic workload: uniform, zipf, scanhot
 *        or loop, the same for the same seed on every machine.
 *   sim  reads a trace (an iolog of version 2 or 3, or one page number a
 *        line) and counts the misses of each policy with F frames.
 *
 * The simulated CLOCK follows the module's (module/policy_clock.c): the frame
 * table is handed out in order, 0, 1, 2, ..., while frames are free, and
 * the hand, which starts at 0, only moves to find a victim; it clears the
 * reference bit of each frame it passes and takes the first frame found
 * clear. A page comes in referenced. In the module a page stays mapped
 * only while its reference bit is set (a second chance unmaps it, and the
 * next access faults and sets the bit again), so every hit on a page
 * leaves its bit set, as it does here. FIFO is the same hand without
 * reference bits, as in the module.
 *
 * The simulated S3-FIFO follows the module's (module/policy_s3fifo.c)
 * decision for decision. Free frames are handed out first, in order. A
 * page comes in at the tail of the small queue, or of the main queue if it
 * is a ghost. A victim search looks at the head of the small queue while
 * that holds more than a tenth of the frames (at least one) or the main
 * queue is empty, else at the head of the main queue, and switches
 * queues, as the module does, after two rounds of one without a victim;
 * each frame it looks at goes to the tail of its queue. In the small
 * queue a frame's first turn unmaps it (SAMPLED) and clears its reference
 * bit; at its second, a frame referenced since moves to the main queue,
 * unmapped again with its bit cleared, and one that was not is the victim
 * and leaves as a ghost. In the main queue a referenced frame is spared
 * (unmapped, its bit cleared) in the search's first round over the queue,
 * and taken in the second. There is no frequency counter: a frame's
 * history is its reference bit (at most one reference, however many
 * faults) and SAMPLED. There is no ghost queue either: a ghost is a bit in
 * the page's page table entry, kept for as long as the page is out, so no
 * ghost is ever forgotten for lack of room, and it goes when the page
 * comes back.
 *
 * References reach S3-FIFO only through faults, as in the module, so the
 * simulator knows whether each resident page is mapped, read-only or
 * writable. A use of a page that is not mapped faults and sets the
 * reference bit; so does the first write to a page mapped read-only
 * (->page_mkwrite), which makes it dirty; any other use is not seen.
 * Every turn in a queue that clears a frame's bit also unmaps it (the
 * move to the main queue too, as the module's swapmem_frame_spare()
 * does), so a page is mapped exactly while its bit is set, and, as with
 * CLOCK, every hit leaves the bit set.
 *
 * A ghost needs a slot: a page leaves a ghost only if it has a copy in a
 * slot, that is if it was written (an iolog write) before it left. A page
 * only ever read is all zeros: it leaves nothing behind, and comes back
 * as a first touch, into the small queue. A page list has no writes: its
 * pages are taken to hold data, as after gen --populate.
 *
 * Not simulated, for any policy: readahead and background writeback (the
 * lab turns both off for these runs), pinned pages, pages held outside
 * the pool, I/O errors, and threads racing for a page. Fault-around does
 * not change what the module's policies see: it maps only neighbours
 * whose reference bit is set, and in a replay those are mapped already.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>

#include <linux/types.h>

#define SIM_VERSION	"0.1"
#define EXIT_USAGE	2
#define PAGE_SHIFT	12
#define BIT_ULL(nr)	(1ULL << (nr))
#define PAGE_BYTES	BIT_ULL(PAGE_SHIFT)
#define MAX_PAGES	BIT_ULL(32)	/* gen --pages, for 32-bit page ids */
#define MAX_NAME	256		/* fio reads iolog names with %256s */
#define FILE_SHIFT	52		/* trace key: file << 52 | page */
#define MAX_FILES	(1U << (64 - FILE_SHIFT))
#define NONE		UINT32_MAX	/* no page, no frame, no next use */
#define MAX_REFS	((size_t)UINT32_MAX - 1)

#define NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

static noreturn void usage(void)
{
	fputs("\nUsage:\n"
	      " swapmem-sim gen --workload <name> --pages <n> --ops <m> [--seed <s>]\n"
	      "                 [--populate] [--file <name>] [--theta <t>] [--hot <h>]\n"
	      "                 [--scan <k>]\n"
	      " swapmem-sim sim --frames <f> [--policy <policy>] [--csv] <file>\n"
	      "\nGenerate page-reference traces and simulate page replacement on them.\n"
	      "\ngen: write a fio iolog (version 2) of <m> page reads to standard output\n"
	      "     --workload <name>     uniform, zipf, scanhot or loop\n"
	      "     --pages <n>           pages 0 to <n>-1 are referenced\n"
	      "     --ops <m>             number of reads\n"
	      "     --seed <s>            seed of the random numbers (default 1)\n"
	      "     --populate            write every page once, in order, first\n"
	      "     --file <name>         file of the iolog (default /dev/swapmem0)\n"
	      "     --theta <t>           zipf: exponent (default 1.2)\n"
	      "     --hot <h>             scanhot: hot pages 0 to <h>-1 (default <n>/16)\n"
	      "     --scan <k>            scanhot: the scan loops over pages <h> to\n"
	      "                           <h>+<k>-1 (default to the last page)\n"
	      "\nsim: count the misses of a cache of <f> frames on the trace in <file>\n"
	      "     --frames <f>          number of frames\n"
	      "     --policy <policy>     clock, lru, fifo, s3fifo, opt or all (default all)\n"
	      "     --csv                 print CSV\n"
	      "     <file>                a fio iolog (version 2 or 3) or one page\n"
	      "                           number a line (reads of pages written\n"
	      "                           before); - for standard input\n"
	      "\nWorkloads:\n"
	      "     uniform               every page equally likely\n"
	      "     zipf                  Zipf's law, hot pages scattered over the range\n"
	      "     scanhot               half the reads from the hot pages, the other\n"
	      "                           half a sequential scan over the rest\n"
	      "     loop                  pages 0, 1, ..., <n>-1, 0, 1, ...\n"
	      "\n"
	      " -h, --help                display this help\n"
	      " -V, --version             display version\n", stdout);
	exit(EXIT_SUCCESS);
}

static noreturn void errtryhelp(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
		program_invocation_short_name);
	exit(EXIT_USAGE);
}

static noreturn void version(void)
{
	printf("%s from swapmem %s\n", program_invocation_short_name, SIM_VERSION);
	exit(EXIT_SUCCESS);
}

static void *xmalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		errx(EXIT_FAILURE, "cannot allocate memory");
	p = malloc(n && size ? n * size : 1);
	if (!p)
		err(EXIT_FAILURE, "cannot allocate memory");
	return p;
}

static void *xrealloc(void *old, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		errx(EXIT_FAILURE, "cannot allocate memory");
	p = realloc(old, n && size ? n * size : 1);
	if (!p)
		err(EXIT_FAILURE, "cannot allocate memory");
	return p;
}

/* An array of @n NONE */
static __u32 *xnones(size_t n)
{
	__u32 *p = xmalloc(n, sizeof(*p));

	memset(p, 0xff, n * sizeof(*p));
	return p;
}

/* Parse a decimal number with nothing around it */
static int parse_u64(const char *s, __u64 *res)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

/* A number option between @min and @max, or a usage error */
static __u64 u64_or_usage(const char *s, const char *what, __u64 min,
			  __u64 max)
{
	__u64 v;

	if (parse_u64(s, &v) || v < min || v > max)
		errx(EXIT_USAGE, "invalid %s: '%s'", what, s);
	return v;
}

/*
 * The random numbers: splitmix64, so that a seed gives the same trace on
 * every machine.
 */
static __u64 rng_next(__u64 *state)
{
	__u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, @n), @n > 0, without modulo bias */
static __u64 rng_below(__u64 *state, __u64 n)
{
	__u64 r, min = -n % n;

	do
		r = rng_next(state);
	while (r < min);
	return r % n;
}

/* Uniform in [0, 1) */
static double rng_double(__u64 *state)
{
	return ldexp((double)(rng_next(state) >> 11), -53);
}

enum workload {
	W_UNIFORM,
	W_ZIPF,
	W_SCANHOT,
	W_LOOP,
};

static const char * const workload_names[] = {
	[W_UNIFORM] = "uniform",
	[W_ZIPF] = "zipf",
	[W_SCANHOT] = "scanhot",
	[W_LOOP] = "loop",
};

struct gen {
	enum workload workload;
	__u64 pages;
	__u64 seed;
	__u64 state;		/* of the random numbers */
	__u64 i;		/* next op */
	/* zipf: cumulative weights of the ranks, and the page of each rank */
	double *cdf;
	__u32 *perm;
	/* scanhot: the hot pages are [0, hot), the scan goes over [hot, hot + scan) */
	__u64 hot;
	__u64 scan;
	__u64 scan_next;
};

static void zipf_init(struct gen *g, double theta)
{
	__u64 n = g->pages, k, j;
	double sum = 0;
	__u32 t;

	g->cdf = xmalloc(n, sizeof(*g->cdf));
	g->perm = xmalloc(n, sizeof(*g->perm));
	for (k = 0; k < n; k++) {
		sum += pow((double)(k + 1), -theta);
		g->cdf[k] = sum;
		g->perm[k] = k;
	}
	/* Fisher-Yates: scatter the ranks over the pages */
	for (k = n - 1; k > 0; k--) {
		j = rng_below(&g->state, k + 1);
		t = g->perm[k];
		g->perm[k] = g->perm[j];
		g->perm[j] = t;
	}
}

/* The rank of the first weight that takes the sum past a random point */
static __u64 zipf_next(struct gen *g)
{
	double x = rng_double(&g->state) * g->cdf[g->pages - 1];
	__u64 lo = 0, hi = g->pages - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (g->cdf[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return g->perm[lo];
}

static __u64 gen_next(struct gen *g)
{
	__u64 page;

	switch (g->workload) {
	case W_UNIFORM:
		return rng_below(&g->state, g->pages);
	case W_ZIPF:
		return zipf_next(g);
	case W_SCANHOT:
		if (rng_next(&g->state) >> 63)
			return rng_below(&g->state, g->hot);
		page = g->hot + g->scan_next;
		if (++g->scan_next == g->scan)
			g->scan_next = 0;
		return page;
	case W_LOOP:
	default:
		return g->i++ % g->pages;
	}
}

static int do_gen(int argc, char **argv)
{
	enum {
		OPT_WORKLOAD = CHAR_MAX + 1,
		OPT_PAGES,
		OPT_OPS,
		OPT_SEED,
		OPT_POPULATE,
		OPT_FILE,
		OPT_THETA,
		OPT_HOT,
		OPT_SCAN,
	};
	static const struct option longopts[] = {
		{ "workload",	required_argument, NULL, OPT_WORKLOAD },
		{ "pages",	required_argument, NULL, OPT_PAGES },
		{ "ops",	required_argument, NULL, OPT_OPS },
		{ "seed",	required_argument, NULL, OPT_SEED },
		{ "populate",	no_argument,	   NULL, OPT_POPULATE },
		{ "file",	required_argument, NULL, OPT_FILE },
		{ "theta",	required_argument, NULL, OPT_THETA },
		{ "hot",	required_argument, NULL, OPT_HOT },
		{ "scan",	required_argument, NULL, OPT_SCAN },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "/dev/swapmem0", *workload = NULL, *pages = NULL;
	const char *ops = NULL, *theta_arg = NULL, *hot = NULL, *scan = NULL;
	struct gen g = { .seed = 1 };
	bool populate = false;
	double theta = 1.2;
	__u64 i, nr_ops;
	char *end;
	size_t w;
	int c;

	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_WORKLOAD:
			workload = optarg;
			break;
		case OPT_PAGES:
			pages = optarg;
			break;
		case OPT_OPS:
			ops = optarg;
			break;
		case OPT_SEED:
			g.seed = u64_or_usage(optarg, "seed", 0, UINT64_MAX);
			break;
		case OPT_POPULATE:
			populate = true;
			break;
		case OPT_FILE:
			name = optarg;
			if (!*name || strlen(name) > MAX_NAME || strpbrk(name, " \t\r\n"))
				errx(EXIT_USAGE, "invalid file name: '%s'", name);
			break;
		case OPT_THETA:
			theta_arg = optarg;
			errno = 0;
			theta = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(theta) ||
			    theta < 0)
				errx(EXIT_USAGE, "invalid theta: '%s'", optarg);
			break;
		case OPT_HOT:
			hot = optarg;
			break;
		case OPT_SCAN:
			scan = optarg;
			break;
		case 'h':
			usage();
		case 'V':
			version();
		default:
			errtryhelp();
		}
	}
	if (optind < argc) {
		warnx("gen takes no argument: '%s'", argv[optind]);
		errtryhelp();
	}
	if (!workload || !pages || !ops) {
		warnx("gen needs --workload, --pages and --ops");
		errtryhelp();
	}
	for (w = 0; w < NELEMS(workload_names); w++)
		if (!strcmp(workload, workload_names[w]))
			break;
	if (w == NELEMS(workload_names))
		errx(EXIT_USAGE, "invalid workload: '%s' (use uniform, zipf, scanhot or loop)",
		     workload);
	g.workload = w;
	g.pages = u64_or_usage(pages, "number of pages", 1, MAX_PAGES);
	nr_ops = u64_or_usage(ops, "number of ops", 0, UINT64_MAX);
	if (theta_arg && g.workload != W_ZIPF) {
		warnx("--theta can only be used with --workload zipf");
		errtryhelp();
	}
	if ((hot || scan) && g.workload != W_SCANHOT) {
		warnx("--hot and --scan can only be used with --workload scanhot");
		errtryhelp();
	}
	if (g.workload == W_SCANHOT) {
		if (g.pages < 2)
			errx(EXIT_USAGE, "scanhot needs at least 2 pages");
		g.hot = g.pages / 16 ? g.pages / 16 : 1;
		if (hot)
			g.hot = u64_or_usage(hot, "number of hot pages", 1, g.pages - 1);
		g.scan = g.pages - g.hot;
		if (scan)
			g.scan = u64_or_usage(scan, "scan length", 1, g.pages - g.hot);
	}

	g.state = g.seed;
	if (g.workload == W_ZIPF)
		zipf_init(&g, theta);

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	printf("fio version 2 iolog\n%s add\n%s open\n", name, name);
	if (populate)
		for (i = 0; i < g.pages; i++)
			printf("%s write %llu %llu\n", name,
			       (unsigned long long)(i << PAGE_SHIFT), PAGE_BYTES);
	for (i = 0; i < nr_ops; i++)
		printf("%s read %llu %llu\n", name,
		       (unsigned long long)(gen_next(&g) << PAGE_SHIFT), PAGE_BYTES);
	printf("%s close\n", name);
	if (fflush(stdout) || ferror(stdout))
		err(EXIT_FAILURE, "write error");
	free(g.cdf);
	free(g.perm);
	return EXIT_SUCCESS;
}

/*
 * Page keys to dense ids 0, 1, 2, ... in the order they first appear:
 * open addressing, linear probing.
 */
struct idmap {
	__u64 *keys;
	__u32 *ids;		/* NONE: empty slot */
	size_t mask;		/* slots - 1 */
	size_t count;
};

static __u64 mix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void idmap_init(struct idmap *m, size_t slots)
{
	m->keys = xmalloc(slots, sizeof(*m->keys));
	m->ids = xnones(slots);
	m->mask = slots - 1;
	m->count = 0;
}

static void idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	size_t i, s;

	idmap_init(m, (old.mask + 1) * 2);
	m->count = old.count;
	for (i = 0; i <= old.mask; i++) {
		if (old.ids[i] == NONE)
			continue;
		for (s = mix64(old.keys[i]) & m->mask; m->ids[s] != NONE;
		     s = (s + 1) & m->mask)
			;
		m->keys[s] = old.keys[i];
		m->ids[s] = old.ids[i];
	}
	free(old.keys);
	free(old.ids);
}

static __u32 idmap_get(struct idmap *m, __u64 key)
{
	size_t s;

	for (s = mix64(key) & m->mask; m->ids[s] != NONE; s = (s + 1) & m->mask)
		if (m->keys[s] == key)
			return m->ids[s];
	if (m->count >= NONE - 1)
		errx(EXIT_FAILURE, "too many distinct pages");
	m->keys[s] = key;
	m->ids[s] = m->count++;
	/* at most three quarters full */
	if (m->count > m->mask - m->mask / 4)
		idmap_grow(m);
	return m->count - 1;
}

/* A reference string over dense page ids */
struct trace {
	__u32 *refs;
	__u64 *writes;		/* bitmap: reference i is a write */
	bool iolog;		/* else a page list: reads of pages with data */
	size_t nr_refs;
	size_t size;		/* of refs */
	size_t nr_pages;	/* distinct pages */
};

static bool trace_is_write(const struct trace *t, size_t i)
{
	return t->writes[i / 64] >> (i % 64) & 1;
}

/* What is being read, for the trace and for messages */
struct reader {
	const char *path;
	unsigned long line;
	struct idmap map;
	struct trace *t;
	char **files;		/* file names of an iolog */
	unsigned int nr_files;
	unsigned int last_file;
};

static void trace_add(struct reader *r, __u64 key, bool write)
{
	struct trace *t = r->t;
	size_t words = (t->size + 63) / 64;

	if (t->nr_refs == MAX_REFS)
		errx(EXIT_FAILURE, "%s:%lu: too many references", r->path, r->line);
	if (t->nr_refs == t->size) {
		t->size = t->size ? t->size * 2 : 1 << 16;
		if (t->size > MAX_REFS)
			t->size = MAX_REFS;
		t->refs = xrealloc(t->refs, t->size, sizeof(*t->refs));
		t->writes = xrealloc(t->writes, (t->size + 63) / 64,
				     sizeof(*t->writes));
		memset(t->writes + words, 0,
		       ((t->size + 63) / 64 - words) * sizeof(*t->writes));
	}
	if (write)
		t->writes[t->nr_refs / 64] |= BIT_ULL(t->nr_refs % 64);
	t->refs[t->nr_refs++] = idmap_get(&r->map, key);
}

static unsigned int file_index(struct reader *r, const char *name)
{
	unsigned int i;

	if (r->nr_files && !strcmp(r->files[r->last_file], name))
		return r->last_file;
	for (i = 0; i < r->nr_files; i++)
		if (!strcmp(r->files[i], name))
			return r->last_file = i;
	if (r->nr_files == MAX_FILES)
		errx(EXIT_FAILURE, "%s:%lu: too many files", r->path, r->line);
	r->files = xrealloc(r->files, r->nr_files + 1, sizeof(*r->files));
	r->files[r->nr_files] = strdup(name);
	if (!r->files[r->nr_files])
		err(EXIT_FAILURE, "cannot allocate memory");
	return r->last_file = r->nr_files++;
}

/* Split @line at blanks into at most @max words; more than @max: @max + 1 */
static int split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return max + 1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/* An iolog line, less its timestamp: <name> <action> [<offset> <length>] */
static void iolog_line(struct reader *r, char **words, int n)
{
	static const char * const ignored[] = {
		"sync", "datasync", "trim", "wait",
	};
	__u64 offset, length, page, last, file;
	const char *act = words[1];
	bool write;
	size_t i;

	if (n == 2) {
		if (strcmp(act, "add") && strcmp(act, "open") && strcmp(act, "close"))
			errx(EXIT_FAILURE, "%s:%lu: unknown file action: '%s'", r->path,
			     r->line, act);
		return;
	}
	if (n != 4)
		errx(EXIT_FAILURE, "%s:%lu: not an iolog line", r->path, r->line);
	if (parse_u64(words[2], &offset))
		errx(EXIT_FAILURE, "%s:%lu: invalid offset: '%s'", r->path, r->line,
		     words[2]);
	if (parse_u64(words[3], &length))
		errx(EXIT_FAILURE, "%s:%lu: invalid length: '%s'", r->path, r->line,
		     words[3]);
	if (strcmp(act, "read") && strcmp(act, "write")) {
		for (i = 0; i < NELEMS(ignored); i++)
			if (!strcmp(act, ignored[i]))
				return;
		errx(EXIT_FAILURE, "%s:%lu: unknown I/O action: '%s'", r->path, r->line,
		     act);
	}
	if (!length)
		errx(EXIT_FAILURE, "%s:%lu: %s of length 0", r->path, r->line, act);
	if (length - 1 > UINT64_MAX - offset)
		errx(EXIT_FAILURE, "%s:%lu: offset + length is too large", r->path,
		     r->line);
	file = (__u64)file_index(r, words[0]) << FILE_SHIFT;
	last = (offset + (length - 1)) >> PAGE_SHIFT;
	write = !strcmp(act, "write");
	for (page = offset >> PAGE_SHIFT; page <= last; page++)
		trace_add(r, file | page, write);
}

enum format {
	F_PAGES,	/* one page number a line */
	F_IOLOG2,
	F_IOLOG3,	/* each line starts with a timestamp */
};

static void read_trace(const char *path, struct trace *t)
{
	struct reader r = { .path = path, .t = t };
	enum format fmt = F_PAGES;
	char *line = NULL, *words[6];
	size_t size = 0, len;
	__u64 v;
	ssize_t got;
	FILE *fp;
	int n;

	if (!strcmp(path, "-")) {
		fp = stdin;
		r.path = "stdin";
	} else {
		fp = fopen(path, "r");
		if (!fp)
			err(EXIT_FAILURE, "cannot open %s", path);
	}
	idmap_init(&r.map, 1 << 16);
	while ((got = getline(&line, &size, fp)) != -1) {
		r.line++;
		len = got;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (strlen(line) != len)
			errx(EXIT_FAILURE, "%s:%lu: NUL character", r.path, r.line);
		if (r.line == 1 && !strncmp(line, "fio version ", 12)) {
			if (!strcmp(line, "fio version 2 iolog"))
				fmt = F_IOLOG2;
			else if (!strcmp(line, "fio version 3 iolog"))
				fmt = F_IOLOG3;
			else
				errx(EXIT_FAILURE, "%s: unsupported iolog: '%s'", r.path,
				     line);
			continue;
		}
		n = split(line, words, NELEMS(words) - 1);
		if (!n)
			continue;
		switch (fmt) {
		case F_PAGES:
			if (n != 1 || parse_u64(words[0], &v))
				errx(EXIT_FAILURE, "%s:%lu: not a page number", r.path,
				     r.line);
			trace_add(&r, v, false);
			break;
		case F_IOLOG2:
			iolog_line(&r, words, n);
			break;
		case F_IOLOG3:
			if (parse_u64(words[0], &v))
				errx(EXIT_FAILURE, "%s:%lu: invalid timestamp: '%s'",
				     r.path, r.line, words[0]);
			iolog_line(&r, words + 1, n - 1);
			break;
		}
	}
	if (ferror(fp))
		err(EXIT_FAILURE, "%s: read error", r.path);
	t->iolog = fmt != F_PAGES;
	if (fp != stdin)
		fclose(fp);
	free(line);
	while (r.nr_files)
		free(r.files[--r.nr_files]);
	free(r.files);
	t->nr_pages = r.map.count;
	free(r.map.keys);
	free(r.map.ids);
}

/*
 * CLOCK as the module has it, or with @use_ref false, FIFO (the module's
 * FIFO is the same hand, ignoring reference bits).
 */
static __u64 sim_clock(const struct trace *t, size_t nr_frames, bool use_ref)
{
	__u32 *frame_of = xnones(t->nr_pages);
	__u32 *page = xmalloc(nr_frames, sizeof(*page));
	unsigned char *ref = xmalloc(nr_frames, 1);
	size_t i, used = 0, hand = 0, f;
	__u64 misses = 0;
	__u32 p;

	for (i = 0; i < t->nr_refs; i++) {
		p = t->refs[i];
		if (frame_of[p] != NONE) {
			ref[frame_of[p]] = 1;
			continue;
		}
		misses++;
		if (used < nr_frames) {
			f = used++;
		} else {
			for (;;) {
				f = hand;
				if (++hand == nr_frames)
					hand = 0;
				if (use_ref && ref[f]) {
					ref[f] = 0;
					continue;
				}
				break;
			}
			frame_of[page[f]] = NONE;
		}
		page[f] = p;
		frame_of[p] = f;
		ref[f] = 1;
	}
	free(frame_of);
	free(page);
	free(ref);
	return misses;
}

/* LRU: a list of the resident pages, most recently used first */
static __u64 sim_lru(const struct trace *t, size_t nr_frames)
{
	__u32 head = t->nr_pages;	/* the list head, after the pages */
	__u32 *prev = xnones(t->nr_pages + 1);
	__u32 *next = xnones(t->nr_pages + 1);
	size_t i, used = 0;
	__u64 misses = 0;
	__u32 p, v;

	prev[head] = head;
	next[head] = head;
	for (i = 0; i < t->nr_refs; i++) {
		p = t->refs[i];
		if (prev[p] != NONE) {
			next[prev[p]] = next[p];
			prev[next[p]] = prev[p];
		} else {
			misses++;
			if (used < nr_frames) {
				used++;
			} else {
				v = prev[head];
				next[prev[v]] = head;
				prev[head] = prev[v];
				prev[v] = NONE;
			}
		}
		prev[p] = head;
		next[p] = next[head];
		prev[next[head]] = p;
		next[head] = p;
	}
	free(prev);
	free(next);
	return misses;
}

/*
 * S3-FIFO as the module has it (module/policy_s3fifo.c): the flags of a
 * frame, the small and main queues as lists of frames after two heads, and
 * the two bits of a page's page table entry that matter.
 */
enum {
	S3_REF		= 1 << 0,	/* SWAPMEM_FRAME_REF */
	S3_SAMPLED	= 1 << 1,	/* SWAPMEM_FRAME_SAMPLED */
	S3_DIRTY	= 1 << 2,	/* SWAPMEM_FRAME_DIRTY */
	S3_MAPPED	= 1 << 3,	/* a PTE maps it, read-only ... */
	S3_WRITABLE	= 1 << 4,	/* ... or writable */
};

enum {
	S3_SLOT		= 1 << 0,	/* the page has a slot copy */
	S3_GHOST	= 1 << 1,	/* it left the small queue unreferenced */
};

/* Queue 0 is the main one, 1 the small one, as in the module's search. */
struct s3fifo {
	size_t nr_frames;
	__u32 *next;		/* frames, then the heads of main and small */
	__u32 *prev;
	size_t nr[2];		/* frames in main, in small */
};

static void s3fifo_del(struct s3fifo *s, __u32 f, unsigned int q)
{
	s->next[s->prev[f]] = s->next[f];
	s->prev[s->next[f]] = s->prev[f];
	s->nr[q]--;
}

static void s3fifo_add_tail(struct s3fifo *s, __u32 f, unsigned int q)
{
	__u32 head = s->nr_frames + q;

	s->next[f] = head;
	s->prev[f] = s->prev[head];
	s->next[s->prev[head]] = f;
	s->prev[head] = f;
	s->nr[q]++;
}

/*
 * swapmem_s3fifo_find_victim() with every frame evictable: the victim
 * frame, out of its queue, and in *@small whether it left the small one.
 */
static __u32 s3fifo_victim(struct s3fifo *s, unsigned char *flags,
			   unsigned int *small)
{
	size_t target = s->nr_frames / 10 ? s->nr_frames / 10 : 1;
	size_t steps, limit = 2 * (s->nr[0] + s->nr[1]) + 2;
	size_t seen[2] = { 0, 0 }, len[2] = { s->nr[0], s->nr[1] };
	unsigned int q;
	__u32 f;

	for (steps = 0; steps < limit; steps++) {
		if (s->nr[0] > len[0])
			len[0] = s->nr[0];
		if (s->nr[1] > len[1])
			len[1] = s->nr[1];
		q = s->nr[1] > target || !s->nr[0];
		if (seen[q] > 2 * len[q] && s->nr[!q])
			q = !q;
		seen[q]++;
		f = s->next[s->nr_frames + q];
		if (f >= s->nr_frames)
			break;
		/* looked at last next time, whatever happens to it now */
		s3fifo_del(s, f, q);
		s3fifo_add_tail(s, f, q);
		if (q && !(flags[f] & S3_SAMPLED)) {
			/* first pass: unmapped, so that a new use faults */
			flags[f] |= S3_SAMPLED;
			flags[f] &= ~(S3_REF | S3_MAPPED | S3_WRITABLE);
			continue;
		}
		if (q && (flags[f] & S3_REF)) {
			/* used since: main queue, unmapped so that its uses show */
			flags[f] &= ~(S3_REF | S3_MAPPED | S3_WRITABLE);
			s3fifo_del(s, f, 1);
			s3fifo_add_tail(s, f, 0);
			continue;
		}
		if (!q && seen[0] <= len[0] && (flags[f] & S3_REF)) {
			flags[f] &= ~(S3_REF | S3_MAPPED | S3_WRITABLE);
			continue;
		}
		s3fifo_del(s, f, q);
		*small = q;
		return f;
	}
	errx(EXIT_FAILURE, "s3fifo: no victim in %zu frames", s->nr_frames);
}

static __u64 sim_s3fifo(const struct trace *t, size_t nr_frames)
{
	struct s3fifo s = { .nr_frames = nr_frames };
	__u32 *frame_of = xnones(t->nr_pages);
	__u32 *page = xmalloc(nr_frames, sizeof(*page));
	unsigned char *flags = xmalloc(nr_frames, 1);
	/* a page list reads pages that hold data, as after --populate */
	unsigned char *pflags = xmalloc(t->nr_pages, 1);
	unsigned int small, q;
	size_t i, used = 0;
	__u64 misses = 0;
	bool write;
	__u32 p, f;

	memset(pflags, t->iolog ? 0 : S3_SLOT, t->nr_pages);
	s.next = xmalloc(nr_frames + 2, sizeof(*s.next));
	s.prev = xmalloc(nr_frames + 2, sizeof(*s.prev));
	for (q = 0; q < 2; q++) {
		s.next[nr_frames + q] = nr_frames + q;
		s.prev[nr_frames + q] = nr_frames + q;
	}
	for (i = 0; i < t->nr_refs; i++) {
		p = t->refs[i];
		write = trace_is_write(t, i);
		f = frame_of[p];
		if (f != NONE) {
			/* a minor fault, or a first write through ->page_mkwrite */
			if (!(flags[f] & S3_MAPPED) ||
			    (write && !(flags[f] & S3_WRITABLE)))
				flags[f] |= S3_REF | S3_MAPPED |
					    (write ? S3_WRITABLE | S3_DIRTY : 0);
			continue;
		}
		misses++;
		if (used < nr_frames) {
			f = used++;
		} else {
			f = s3fifo_victim(&s, flags, &small);
			/* a dirty page is written to a slot, which it keeps */
			if (flags[f] & S3_DIRTY)
				pflags[page[f]] |= S3_SLOT;
			/* a clean page with no slot leaves nothing behind */
			if (small && (pflags[page[f]] & S3_SLOT))
				pflags[page[f]] |= S3_GHOST;
			else
				pflags[page[f]] &= ~S3_GHOST;
			frame_of[page[f]] = NONE;
		}
		page[f] = p;
		frame_of[p] = f;
		flags[f] = S3_REF | S3_MAPPED | (write ? S3_WRITABLE | S3_DIRTY : 0);
		s3fifo_add_tail(&s, f, !(pflags[p] & S3_GHOST));
		pflags[p] &= ~S3_GHOST;
	}
	free(frame_of);
	free(page);
	free(flags);
	free(pflags);
	free(s.next);
	free(s.prev);
	return misses;
}

/* OPT: the resident pages in a max-heap on the time of their next use */
struct opt_heap {
	__u32 *heap;		/* pages */
	__u32 *pos;		/* of each page in heap, NONE if not resident */
	__u32 *key;		/* next use of each resident page, NONE: never */
	size_t size;
};

static void opt_set(struct opt_heap *h, size_t i, __u32 p)
{
	h->heap[i] = p;
	h->pos[p] = i;
}

static void opt_up(struct opt_heap *h, size_t i)
{
	__u32 p = h->heap[i];
	size_t parent;

	while (i) {
		parent = (i - 1) / 2;
		if (h->key[h->heap[parent]] >= h->key[p])
			break;
		opt_set(h, i, h->heap[parent]);
		i = parent;
	}
	opt_set(h, i, p);
}

static void opt_down(struct opt_heap *h, size_t i)
{
	__u32 p = h->heap[i];
	size_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= h->size)
			break;
		if (child + 1 < h->size &&
		    h->key[h->heap[child + 1]] > h->key[h->heap[child]])
			child++;
		if (h->key[h->heap[child]] <= h->key[p])
			break;
		opt_set(h, i, h->heap[child]);
		i = child;
	}
	opt_set(h, i, p);
}

static __u64 sim_opt(const struct trace *t, size_t nr_frames)
{
	__u32 *next_use = xmalloc(t->nr_refs, sizeof(*next_use));
	__u32 *last = xnones(t->nr_pages);
	struct opt_heap h = { .size = 0 };
	__u64 misses = 0;
	__u32 p;
	size_t i;

	for (i = t->nr_refs; i--; ) {
		p = t->refs[i];
		next_use[i] = last[p];
		last[p] = i;
	}
	free(last);
	h.heap = xmalloc(nr_frames, sizeof(*h.heap));
	h.pos = xnones(t->nr_pages);
	h.key = xmalloc(t->nr_pages, sizeof(*h.key));
	for (i = 0; i < t->nr_refs; i++) {
		p = t->refs[i];
		h.key[p] = next_use[i];
		if (h.pos[p] != NONE) {
			/* its next use moved from now to later */
			opt_up(&h, h.pos[p]);
			continue;
		}
		misses++;
		if (h.size < nr_frames) {
			opt_set(&h, h.size++, p);
			opt_up(&h, h.size - 1);
		} else {
			h.pos[h.heap[0]] = NONE;
			opt_set(&h, 0, p);
			opt_down(&h, 0);
		}
	}
	free(next_use);
	free(h.heap);
	free(h.pos);
	free(h.key);
	return misses;
}

enum policy {
	P_CLOCK,
	P_LRU,
	P_FIFO,
	P_S3FIFO,
	P_OPT,
	P_ALL,
};

static const char * const policy_names[] = {
	[P_CLOCK] = "clock",
	[P_LRU] = "lru",
	[P_FIFO] = "fifo",
	[P_S3FIFO] = "s3fifo",
	[P_OPT] = "opt",
	[P_ALL] = "all",
};

static int do_sim(int argc, char **argv)
{
	enum {
		OPT_FRAMES = CHAR_MAX + 1,
		OPT_POLICY,
		OPT_CSV,
	};
	static const struct option longopts[] = {
		{ "frames",	required_argument, NULL, OPT_FRAMES },
		{ "policy",	required_argument, NULL, OPT_POLICY },
		{ "csv",	no_argument,	   NULL, OPT_CSV },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum policy policy = P_ALL, pol;
	struct trace t = { NULL };
	const char *frames_arg = NULL;
	__u64 frames = 0, misses;
	size_t nr_frames, i;
	bool csv = false;
	double ratio;
	int c;

	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FRAMES:
			frames_arg = optarg;
			frames = u64_or_usage(optarg, "number of frames", 1, UINT64_MAX);
			break;
		case OPT_POLICY:
			for (i = 0; i < NELEMS(policy_names); i++)
				if (!strcmp(optarg, policy_names[i]))
					break;
			if (i == NELEMS(policy_names))
				errx(EXIT_USAGE,
				     "invalid policy: '%s' (use clock, lru, fifo, s3fifo, opt or all)",
				     optarg);
			policy = i;
			break;
		case OPT_CSV:
			csv = true;
			break;
		case 'h':
			usage();
		case 'V':
			version();
		default:
			errtryhelp();
		}
	}
	if (!frames_arg) {
		warnx("sim needs --frames");
		errtryhelp();
	}
	if (argc - optind != 1) {
		warnx(argc > optind ? "sim takes one file" : "no file specified");
		errtryhelp();
	}

	read_trace(argv[optind], &t);
	/* more frames than pages: the pages never fill them */
	nr_frames = frames < t.nr_pages ? frames : t.nr_pages;
	if (csv)
		puts("policy,frames,refs,misses,hit_ratio");
	for (pol = P_CLOCK; pol < P_ALL; pol++) {
		if (policy != P_ALL && policy != pol)
			continue;
		switch (pol) {
		case P_CLOCK:
			misses = sim_clock(&t, nr_frames, true);
			break;
		case P_LRU:
			misses = sim_lru(&t, nr_frames);
			break;
		case P_FIFO:
			misses = sim_clock(&t, nr_frames, false);
			break;
		case P_S3FIFO:
			misses = sim_s3fifo(&t, nr_frames);
			break;
		case P_OPT:
		default:
			misses = sim_opt(&t, nr_frames);
			break;
		}
		ratio = t.nr_refs ? (double)(t.nr_refs - misses) / t.nr_refs : 0;
		printf(csv ? "%s,%llu,%zu,%llu,%.4f\n" :
		       "policy=%s frames=%llu refs=%zu misses=%llu hit_ratio=%.4f\n",
		       policy_names[pol], (unsigned long long)frames, t.nr_refs,
		       (unsigned long long)misses, ratio);
	}
	free(t.refs);
	free(t.writes);
	if (fflush(stdout) || ferror(stdout))
		err(EXIT_FAILURE, "write error");
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	/* getopt_long() names the program after argv[0] in its messages */
	argv[0] = program_invocation_short_name;
	if (argc < 2) {
		warnx("no command specified");
		errtryhelp();
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage();
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		version();
	if (!strcmp(argv[1], "gen")) {
		argv[1] = argv[0];
		return do_gen(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "sim")) {
		argv[1] = argv[0];
		return do_sim(argc - 1, argv + 1);
	}
	warnx("unknown command: '%s'", argv[1]);
	errtryhelp();
}
