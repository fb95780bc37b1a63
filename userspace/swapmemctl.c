// SPDX-License-Identifier: GPL-2.0
/*
 * swapmemctl - set up and inspect swapmem devices
 *
 * Modelled on util-linux zramctl. Devices are added, removed and configured
 * through sysfs ($SWAPMEMCTL_SYSFS, /sys/class/swapmem by default). The
 * ioctls of <linux/swapmem.h> act on an open space: the tool's own fresh
 * open of /dev/swapmemN ($SWAPMEMCTL_DEV, /dev by default), or for --advise
 * --pid another process's open file, taken with pidfd_getfd(2).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/types.h>
#include <linux/swapmem.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SWAPMEMCTL_VERSION	"0.1"
#define DEFAULT_SYSFS		"/sys/class/swapmem"
#define DEFAULT_DEV		"/dev"
#define ATTR_MAX		4096

/* Generic syscall numbers, for C libraries that predate them */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif

#define NELEMS(a)		(sizeof(a) / sizeof((a)[0]))

enum action {
	A_NONE = 0,	/* list devices, or configure the one named */
	A_LIST,
	A_CONFIG,
	A_ADD,
	A_REMOVE,
	A_STAT,
	A_RESET,
	A_INFO,
	A_ADVISE,
};

/* Where a column's value comes from and how it prints */
enum col_kind {
	CK_NAME,	/* the device node's path */
	CK_STR,		/* a sysfs attribute, as text */
	CK_NUM,		/* an integer attribute or counter */
	CK_BYTES,	/* a size attribute, in bytes */
	CK_PAGES,	/* a gauge, in pages */
};

struct colinfo {
	const char *name;
	const char *attr;	/* relative to the device's sysfs directory */
	enum col_kind kind;
	const char *help;
};

static const struct colinfo infos[] = {
	{ "NAME",	NULL,			CK_NAME,  "device name" },
	{ "POOL",	"pool_size",		CK_BYTES, "size of the RAM frame pool" },
	{ "BACKING",	"backing_dev",		CK_STR,   "backing block device" },
	{ "POLICY",	"policy",		CK_STR,   "replacement policy" },
	{ "ACCT",	"accounting",		CK_STR,   "accounting mode" },
	{ "SPACES",	"nr_spaces",		CK_NUM,   "address spaces open" },
	{ "FREE",	"stats/frames_free",	CK_PAGES, "pool memory holding no page" },
	{ "USED",	"stats/frames_used",	CK_PAGES, "pool memory holding pages" },
	{ "DIRTY",	"stats/frames_dirty",	CK_PAGES, "pool memory newer than its slots" },
	{ "PINNED",	"stats/frames_pinned",	CK_PAGES, "pool memory pinned" },
	{ "PINLIMIT",	"pin_limit",		CK_BYTES, "most pool memory that can be pinned" },
	{ "SLOTS",	"stats/slots_total",	CK_PAGES, "swap space on the backing device" },
	{ "SLOTSUSED",	"stats/slots_used",	CK_NUM,   "swap slots holding a page" },
	{ "SLOTSBAD",	"stats/slots_bad",	CK_NUM,   "swap slots retired after errors" },
	{ "MINFLT",	"stats/minor_faults",	CK_NUM,   "faults served from the pool" },
	{ "MAJFLT",	"stats/major_faults",	CK_NUM,   "faults that read a slot" },
	{ "ZEROFLT",	"stats/zero_fill_faults", CK_NUM, "first-touch faults" },
	{ "EVICTCLEAN",	"stats/evictions_clean", CK_NUM,  "evictions without a write" },
	{ "EVICTDIRTY",	"stats/evictions_dirty", CK_NUM,  "evictions written to a slot" },
	{ "READS",	"stats/swap_reads",	CK_NUM,   "pages read from the backing device" },
	{ "WRITES",	"stats/swap_writes",	CK_NUM,   "pages written to the backing device" },
	{ "RDERR",	"stats/read_errors",	CK_NUM,   "failed swap-ins" },
	{ "WRERR",	"stats/write_errors",	CK_NUM,   "failed write-outs" },
	{ "NOMEM",	"stats/nomem_faults",	CK_NUM,   "faults that found no frame" },
	{ "SWEEPS",	"stats/hand_sweeps",	CK_NUM,   "full turns of the CLOCK hand" },
	{ "CHANCES",	"stats/second_chances",	CK_NUM,   "second chances given" },
};

static const char * const default_columns[] = {
	"NAME", "POOL", "BACKING", "POLICY", "ACCT", "SPACES", "USED", "DIRTY",
	"SLOTS", "MAJFLT",
};

/* The files of stats/, in the order --stat prints them */
static const char * const stat_names[] = {
	"minor_faults", "major_faults", "zero_fill_faults", "ref_faults",
	"evictions_clean", "evictions_dirty", "swap_reads", "swap_writes",
	"read_errors", "write_errors", "nomem_faults", "hand_steps",
	"hand_sweeps", "second_chances", "discards", "frames_free",
	"frames_used", "frames_dirty", "frames_pinned", "slots_used",
	"slots_bad", "slots_total", "retry_faults", "readahead_pages",
	"readahead_hits", "readahead_wasted", "writeback_pages",
	"writeback_batches", "slot_retries", "held_skips", "frames_held",
	"around_pages",
};

struct advice_name {
	const char *name;
	__u32 advice;
};

static const struct advice_name advices[] = {
	{ "prefetch",	SWAPMEM_ADV_PREFETCH },
	{ "pageout",	SWAPMEM_ADV_PAGEOUT },
	{ "drop",	SWAPMEM_ADV_DROP },
	{ "sync",	SWAPMEM_ADV_SYNC },
	{ "pin",	SWAPMEM_ADV_PIN },
	{ "unpin",	SWAPMEM_ADV_UNPIN },
};

/* One device: its number, its sysfs directory and its device node */
struct swdev {
	unsigned int id;
	char sysdir[PATH_MAX];
	char name[PATH_MAX];
};

/* Settings for --add or for a DEVICE; NULL when not given */
struct settings {
	const char *pool_size;
	const char *backing_dev;
	const char *policy;
	const char *accounting;
	const char *pin_limit;
};

/* A table cell: NULL text when the value could not be read */
struct cell {
	char *text;
	bool number;
};

/* One --stat sample of a device */
struct sample {
	size_t n;
	char **names;
	__u64 *values;
};

static const char *sysfs_root = DEFAULT_SYSFS;
static const char *dev_dir = DEFAULT_DEV;
static unsigned long page_bytes = 4096;

static noreturn void usage(void)
{
	size_t i;

	fputs("\nUsage:\n"
	      " swapmemctl [options] [<device>...]\n"
	      " swapmemctl --add [--pool-size <size>] [--backing-dev <dev>] [--policy <policy>]\n"
	      "            [--accounting <mode>] [--pin-limit <size>]\n"
	      " swapmemctl <device> [--pool-size <size>] [--backing-dev <dev>|none]\n"
	      "            [--policy <policy>] [--accounting <mode>] [--pin-limit <size>]\n"
	      " swapmemctl --remove <device>...\n"
	      " swapmemctl --stat [<device>...] [--interval <sec> [--count <n>]]\n"
	      " swapmemctl --reset-stats <device>...\n"
	      " swapmemctl --info <device>\n"
	      " swapmemctl --advise <advice> [--offset <off>] --length <len>\n"
	      "            (--pid <pid> --fd <fd> [<device>] | <device>)\n"
	      "\nSet up and inspect swapmem devices.\n"
	      "\nActions:\n"
	      " -a, --add                 add a device, set it up, print its name\n"
	      " -r, --remove              remove the devices\n"
	      "     --stat                print the counters of the devices\n"
	      "     --reset-stats         zero the counters of the devices\n"
	      "     --info                print what SWAPMEM_IOC_INFO reports\n"
	      "     --advise <advice>     prefetch, pageout, drop, sync, pin or unpin\n"
	      "\nSettings (with --add or a device):\n"
	      " -s, --pool-size <size>    size of the RAM frame pool\n"
	      "     --backing-dev <dev>   backing block device, or none\n"
	      "     --policy <policy>     replacement policy: clock, fifo or s3fifo\n"
	      "     --accounting <mode>   overcommit or strict\n"
	      "     --pin-limit <size>    most pool memory that can be pinned\n"
	      "\nListing:\n"
	      " -b, --bytes               print sizes in bytes\n"
	      " -J, --json                use JSON output format\n"
	      " -n, --noheadings          don't print headings\n"
	      " -o, --output <list>       columns to use, +<list> to add to the default\n"
	      "     --output-all          output all columns\n"
	      "     --raw                 use raw output format\n"
	      "\n--stat:\n"
	      " -i, --interval <sec>      print deltas every <sec> seconds\n"
	      " -c, --count <n>           stop after <n> reports\n"
	      "\n--advise:\n"
	      "     --offset <off>        first byte of the range (default 0)\n"
	      "     --length <len>        bytes in the range\n"
	      "     --pid <pid>           process whose space to advise\n"
	      "     --fd <fd>             its file descriptor open on the device\n"
	      "\n"
	      " -h, --help                display this help\n"
	      " -V, --version             display version\n"
	      "\nSizes take a K, M, G or T suffix (powers of 1024).\n"
	      "\nAvailable output columns:\n", stdout);
	for (i = 0; i < NELEMS(infos); i++)
		printf(" %11s  %s\n", infos[i].name, infos[i].help);
	puts("\nFor more details see swapmemctl(8).");
	exit(EXIT_SUCCESS);
}

static noreturn void errtryhelp(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
		program_invocation_short_name);
	exit(EXIT_FAILURE);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		err(EXIT_FAILURE, "cannot allocate memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		err(EXIT_FAILURE, "cannot allocate memory");
	return p;
}

/* Parse a decimal __u64 with nothing around it */
static int parse_u64(const char *s, __u64 *res)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
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

/* Parse a size: digits, then K, M, G or T (powers of 1024), maybe with iB */
static int parse_size(const char *s, __u64 *res)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (shift) {
		end++;
		if (*end && strcmp(end, "iB"))
			return -EINVAL;
		if (v > (ULLONG_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*res = v;
	return 0;
}

static __u64 size_or_err(const char *s, const char *what)
{
	__u64 v;
	int ret = parse_size(s, &v);

	if (ret == -ERANGE)
		errx(EXIT_FAILURE, "%s too large: '%s'", what, s);
	if (ret)
		errx(EXIT_FAILURE, "invalid %s: '%s'", what, s);
	return v;
}

static unsigned long ulong_or_err(const char *s, const char *what, unsigned long max)
{
	__u64 v;

	if (parse_u64(s, &v) || v > max)
		errx(EXIT_FAILURE, "invalid %s: '%s'", what, s);
	return v;
}

/* Parse a positive number of seconds, with a fraction if wanted */
static struct timespec interval_or_err(const char *s)
{
	struct timespec ts;
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (!isdigit((unsigned char)*s) || errno || *end || !(v > 0) || v > 1e6)
		errx(EXIT_FAILURE, "invalid interval: '%s'", s);
	ts.tv_sec = (time_t)v;
	ts.tv_nsec = (long)((v - (double)ts.tv_sec) * 1e9);
	if (!ts.tv_sec && !ts.tv_nsec)
		ts.tv_nsec = 1;
	return ts;
}

/* Format bytes like util-linux: 512B, 16M, 1.5G */
static void human_size(__u64 bytes, char *buf, size_t size)
{
	static const char units[] = "BKMGTPE";
	unsigned int exp = 0, shift;
	__u64 dec, frac;

	while (exp < 6 && bytes >= (1ULL << (10 * (exp + 1))))
		exp++;
	if (!exp) {
		snprintf(buf, size, "%lluB", (unsigned long long)bytes);
		return;
	}
	shift = 10 * exp;
	dec = bytes >> shift;
	frac = (bytes & ((1ULL << shift) - 1)) >> (shift - 10);
	frac = (frac * 1000 / 1024 + 50) / 100;
	if (frac == 10) {
		dec++;
		frac = 0;
	}
	if (frac)
		snprintf(buf, size, "%llu.%llu%c", (unsigned long long)dec,
			 (unsigned long long)frac, units[exp]);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)dec, units[exp]);
}

/* Read a sysfs attribute without its trailing newline; 0 or -errno */
static int sysfs_read(const char *dir, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return ret;
}

/* Write a value to a sysfs attribute in one write(); 0 or -errno */
static int sysfs_write(const char *dir, const char *attr, const char *val)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, val, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	if (close(fd))
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int sysfs_read_u64(const char *dir, const char *attr, __u64 *v)
{
	char buf[ATTR_MAX];
	int ret = sysfs_read(dir, attr, buf, sizeof(buf));

	return ret ? ret : parse_u64(buf, v);
}

/* Stop unless the sysfs root exists: the module is not loaded */
static void check_root(void)
{
	struct stat st;

	if (stat(sysfs_root, &st))
		errx(EXIT_FAILURE, "%s: %s (is the swapmem module loaded?)", sysfs_root,
		     strerror(errno));
	if (!S_ISDIR(st.st_mode))
		errx(EXIT_FAILURE, "%s: not a directory", sysfs_root);
}

/* N of "swapmemN", or -1 */
static long swapmem_number(const char *s)
{
	__u64 v;

	if (strncmp(s, "swapmem", 7))
		return -1;
	s += 7;
	if (s[0] == '0' && s[1])
		return -1;
	if (parse_u64(s, &v) || v > INT_MAX)
		return -1;
	return (long)v;
}

static void swdev_init(struct swdev *d, unsigned int id)
{
	d->id = id;
	if (snprintf(d->sysdir, sizeof(d->sysdir), "%s/swapmem%u", sysfs_root, id) >=
	    (int)sizeof(d->sysdir) ||
	    snprintf(d->name, sizeof(d->name), "%s/swapmem%u", dev_dir, id) >=
	    (int)sizeof(d->name))
		errx(EXIT_FAILURE, "swapmem%u: %s", id, strerror(ENAMETOOLONG));
}

/*
 * A device named N, swapmemN or any path ending in swapmemN. A path names
 * the node to open; the others the one in $SWAPMEMCTL_DEV.
 */
static void swdev_parse(struct swdev *d, const char *arg)
{
	const char *base = strrchr(arg, '/');
	__u64 v;
	long id;

	base = base ? base + 1 : arg;
	id = swapmem_number(base);
	if (id < 0 && base == arg && !(arg[0] == '0' && arg[1]) &&
	    !parse_u64(arg, &v) && v <= INT_MAX)
		id = (long)v;
	if (id < 0)
		errx(EXIT_FAILURE, "%s: not a swapmem device name", arg);
	swdev_init(d, id);
	if (base != arg)
		snprintf(d->name, sizeof(d->name), "%s", arg);
}

/* Stop unless the device exists in sysfs */
static void swdev_check(const struct swdev *d)
{
	struct stat st;

	check_root();
	if (stat(d->sysdir, &st) || !S_ISDIR(st.st_mode))
		errx(EXIT_FAILURE, "%s: no such device", d->name);
}

static int cmp_swdev(const void *a, const void *b)
{
	const struct swdev *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The devices named on the command line, or every device there is */
static struct swdev *get_devices(int argc, char **argv, size_t *nr)
{
	struct swdev *devs;
	struct dirent *de;
	size_t n = 0, max = 16;
	struct stat st;
	DIR *dir;
	int i;

	check_root();
	if (argc) {
		devs = xcalloc(argc, sizeof(*devs));
		for (i = 0; i < argc; i++) {
			swdev_parse(&devs[i], argv[i]);
			swdev_check(&devs[i]);
		}
		*nr = argc;
		return devs;
	}
	dir = opendir(sysfs_root);
	if (!dir)
		err(EXIT_FAILURE, "cannot open %s", sysfs_root);
	devs = xcalloc(max, sizeof(*devs));
	while ((de = readdir(dir))) {
		long id = swapmem_number(de->d_name);

		if (id < 0)
			continue;
		if (n == max) {
			max *= 2;
			devs = reallocarray(devs, max, sizeof(*devs));
			if (!devs)
				err(EXIT_FAILURE, "cannot allocate memory");
		}
		swdev_init(&devs[n], id);
		/* sysfs class entries are symlinks: follow them */
		if (stat(devs[n].sysdir, &st) || !S_ISDIR(st.st_mode))
			continue;
		n++;
	}
	closedir(dir);
	qsort(devs, n, sizeof(*devs), cmp_swdev);
	*nr = n;
	return devs;
}

/* --- settings --- */

static const char *choice_or_err(const char *s, const char *what, const char *a, const char *b)
{
	if (!strcasecmp(s, a))
		return a;
	if (!strcasecmp(s, b))
		return b;
	errx(EXIT_FAILURE, "invalid %s: '%s' (use %s or %s)", what, s, a, b);
}

static const char *policy_or_err(const char *s)
{
	static const char * const names[] = { "clock", "fifo", "s3fifo" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i]))
			return names[i];
	errx(EXIT_FAILURE, "invalid policy: '%s' (use clock, fifo or s3fifo)", s);
}

static bool settings_given(const struct settings *s)
{
	return s->pool_size || s->backing_dev || s->policy || s->accounting || s->pin_limit;
}

/* Write the settings given, in a fixed order; 0 or -errno and the attr */
static int apply_settings(const struct swdev *d, const struct settings *s, const char **attr)
{
	static const char * const attrs[] = {
		"pool_size", "accounting", "policy", "pin_limit", "backing_dev",
	};
	const char *vals[NELEMS(attrs)];
	size_t i;
	int ret;

	vals[0] = s->pool_size;
	vals[1] = s->accounting;
	vals[2] = s->policy;
	vals[3] = s->pin_limit;
	vals[4] = s->backing_dev;

	for (i = 0; i < NELEMS(attrs); i++) {
		if (!vals[i])
			continue;
		ret = sysfs_write(d->sysdir, attrs[i], vals[i]);
		if (ret) {
			*attr = attrs[i];
			return ret;
		}
	}
	return 0;
}

static int do_config(const struct swdev *d, const struct settings *s)
{
	const char *attr;
	int ret;

	swdev_check(d);
	ret = apply_settings(d, s, &attr);
	if (ret)
		errx(EXIT_FAILURE, "%s: cannot set %s: %s", d->name, attr, strerror(-ret));
	return EXIT_SUCCESS;
}

static int do_add(const struct settings *s)
{
	char buf[ATTR_MAX], num[32];
	const char *attr;
	struct swdev d;
	__u64 id;
	int ret;

	check_root();
	ret = sysfs_read(sysfs_root, "hot_add", buf, sizeof(buf));
	if (ret)
		errx(EXIT_FAILURE, "%s/hot_add: cannot add a device: %s", sysfs_root,
		     strerror(-ret));
	if (parse_u64(buf, &id) || id > INT_MAX)
		errx(EXIT_FAILURE, "%s/hot_add: unexpected answer: '%s'", sysfs_root, buf);
	swdev_init(&d, id);
	ret = apply_settings(&d, s, &attr);
	if (ret) {
		warnx("%s: cannot set %s: %s", d.name, attr, strerror(-ret));
		snprintf(num, sizeof(num), "%u", d.id);
		ret = sysfs_write(sysfs_root, "hot_remove", num);
		if (ret)
			warnx("%s: cannot remove the new device again: %s", d.name,
			      strerror(-ret));
		return EXIT_FAILURE;
	}
	printf("%s\n", d.name);
	return EXIT_SUCCESS;
}

static int do_remove(int argc, char **argv)
{
	int i, ret, rc = EXIT_SUCCESS;
	struct swdev d;
	char num[32];

	if (!argc) {
		warnx("no device specified");
		errtryhelp();
	}
	check_root();
	for (i = 0; i < argc; i++) {
		swdev_parse(&d, argv[i]);
		snprintf(num, sizeof(num), "%u", d.id);
		ret = sysfs_write(sysfs_root, "hot_remove", num);
		if (ret) {
			warnx("%s: cannot remove: %s%s", d.name, strerror(-ret),
			      ret == -EBUSY ? " (spaces are open on it)" : "");
			rc = EXIT_FAILURE;
		}
	}
	return rc;
}

static int do_reset(int argc, char **argv)
{
	int i, ret, rc = EXIT_SUCCESS;
	struct swdev d;

	if (!argc) {
		warnx("no device specified");
		errtryhelp();
	}
	for (i = 0; i < argc; i++) {
		swdev_parse(&d, argv[i]);
		swdev_check(&d);
		ret = sysfs_write(d.sysdir, "reset_stats", "1");
		if (ret) {
			warnx("%s: cannot reset statistics: %s", d.name, strerror(-ret));
			rc = EXIT_FAILURE;
		}
	}
	return rc;
}

/* --- listing --- */

struct listing {
	const struct colinfo **cols;
	size_t ncols;
	bool bytes, json, raw, noheadings;
};

static const struct colinfo *column_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < NELEMS(infos); i++)
		if (!strcasecmp(infos[i].name, name))
			return &infos[i];
	return NULL;
}

static void add_column(struct listing *l, const char *name, size_t max)
{
	const struct colinfo *ci = column_by_name(name);

	if (!ci)
		errx(EXIT_FAILURE, "unknown column: '%s'", name);
	if (l->ncols == max)
		errx(EXIT_FAILURE, "too many columns");
	l->cols[l->ncols++] = ci;
}

/* -o LIST: comma separated names; +LIST adds to the default columns */
static void parse_columns(struct listing *l, const char *list)
{
	size_t i, max = NELEMS(default_columns) + 1;
	char *copy, *p, *name;

	for (p = (char *)list; *p; p++)
		max += *p == ',';
	l->cols = xcalloc(max, sizeof(*l->cols));
	l->ncols = 0;
	if (*list == '+') {
		for (i = 0; i < NELEMS(default_columns); i++)
			add_column(l, default_columns[i], max);
		list++;
		if (!*list)
			return;
	}
	copy = xstrdup(list);
	p = copy;
	do {
		name = strsep(&p, ",");
		add_column(l, name, max);
	} while (p);
	free(copy);
}

/*
 * The choice a sysfs file of choices has made: "clock [fifo] s3fifo"
 * gives "fifo", as the block layer's scheduler file reads; a file of one
 * value gives that value. Works in place.
 */
static const char *selected(char *buf)
{
	char *open = strchr(buf, '['), *close;

	if (!open)
		return buf;
	close = strchr(open, ']');
	if (!close)
		return buf;
	*close = '\0';
	return open + 1;
}

static void fill_cell(const struct listing *l, const struct swdev *d,
		      const struct colinfo *ci, struct cell *c)
{
	char buf[ATTR_MAX];
	__u64 v;

	c->text = NULL;
	c->number = false;
	if (ci->kind == CK_NAME) {
		c->text = xstrdup(d->name);
		return;
	}
	if (sysfs_read(d->sysdir, ci->attr, buf, sizeof(buf)))
		return;
	if (ci->kind == CK_STR) {
		c->text = xstrdup(selected(buf));
		return;
	}
	if (parse_u64(buf, &v))
		return;
	if (ci->kind == CK_PAGES)
		v = v > ULLONG_MAX / page_bytes ? ULLONG_MAX : v * page_bytes;
	if (ci->kind == CK_NUM || l->bytes) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		c->number = true;
	} else {
		human_size(v, buf, sizeof(buf));
	}
	c->text = xstrdup(buf);
}

static bool right_aligned(const struct colinfo *ci)
{
	return ci->kind != CK_NAME && ci->kind != CK_STR;
}

/* Print a table cell, escaping what would break the layout as \xHH */
static size_t print_escaped(const char *s, bool raw)
{
	size_t len = 0;

	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f || (raw && (c == ' ' || c == '\\'))) {
			printf("\\x%02x", c);
			len += 4;
		} else {
			putchar(c);
			len++;
		}
	}
	return len;
}

static size_t escaped_len(const char *s, bool raw)
{
	size_t len = 0;

	for (; *s; s++) {
		unsigned char c = *s;

		len += (c < 0x20 || c == 0x7f || (raw && (c == ' ' || c == '\\'))) ? 4 : 1;
	}
	return len;
}

/* Bytes in the valid UTF-8 sequence at s, or 0 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* Print a JSON string; bytes that are not UTF-8 become U+FFFD */
static void print_json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putchar('"');
	while (*s) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
		} else {
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", stdout);
				s++;
				continue;
			}
			fwrite(s, 1, n, stdout);
			s += n;
		}
	}
	putchar('"');
}

static void print_json_key(const char *name)
{
	putchar('"');
	for (; *name; name++)
		putchar(tolower((unsigned char)*name));
	putchar('"');
}

static void print_json(const struct listing *l, struct cell *cells, size_t ndevs)
{
	size_t i, j;

	printf("{\n   \"swapmem\": [");
	for (i = 0; i < ndevs; i++) {
		printf("%s\n      {", i ? "," : "");
		for (j = 0; j < l->ncols; j++) {
			const struct cell *c = &cells[i * l->ncols + j];

			printf("%s\n         ", j ? "," : "");
			print_json_key(l->cols[j]->name);
			fputs(": ", stdout);
			if (!c->text)
				fputs("null", stdout);
			else if (c->number)
				fputs(c->text, stdout);
			else
				print_json_string(c->text);
		}
		printf("\n      }");
	}
	printf("\n   ]\n}\n");
}

static void print_row(const struct listing *l, const char * const *texts, const size_t *width)
{
	size_t j, len;

	for (j = 0; j < l->ncols; j++) {
		const char *t = texts[j] ? texts[j] : "-";
		bool last = j + 1 == l->ncols;

		if (j)
			putchar(' ');
		if (l->raw) {
			print_escaped(t, true);
			continue;
		}
		len = escaped_len(t, false);
		if (right_aligned(l->cols[j]))
			printf("%*s", (int)(width[j] - len), "");
		print_escaped(t, false);
		if (!right_aligned(l->cols[j]) && !last)
			printf("%*s", (int)(width[j] - len), "");
	}
	putchar('\n');
}

static int do_list(struct listing *l, int argc, char **argv)
{
	const char **texts;
	struct swdev *devs;
	struct cell *cells;
	size_t ndevs, i, j, *width;

	devs = get_devices(argc, argv, &ndevs);
	cells = xcalloc(ndevs * l->ncols, sizeof(*cells));
	for (i = 0; i < ndevs; i++)
		for (j = 0; j < l->ncols; j++)
			fill_cell(l, &devs[i], l->cols[j], &cells[i * l->ncols + j]);

	if (l->json) {
		print_json(l, cells, ndevs);
	} else if (ndevs) {
		width = xcalloc(l->ncols, sizeof(*width));
		texts = xcalloc(l->ncols, sizeof(*texts));
		for (j = 0; j < l->ncols; j++) {
			width[j] = strlen(l->cols[j]->name);
			for (i = 0; i < ndevs; i++) {
				const char *t = cells[i * l->ncols + j].text;
				size_t len = escaped_len(t ? t : "-", false);

				if (len > width[j])
					width[j] = len;
			}
		}
		if (!l->noheadings) {
			for (j = 0; j < l->ncols; j++)
				texts[j] = l->cols[j]->name;
			print_row(l, texts, width);
		}
		for (i = 0; i < ndevs; i++) {
			for (j = 0; j < l->ncols; j++)
				texts[j] = cells[i * l->ncols + j].text;
			print_row(l, texts, width);
		}
		free(texts);
		free(width);
	}
	for (i = 0; i < ndevs * l->ncols; i++)
		free(cells[i].text);
	free(cells);
	free(devs);
	return EXIT_SUCCESS;
}

/* --- statistics --- */

static int stat_rank(const char *name)
{
	size_t i;

	for (i = 0; i < NELEMS(stat_names); i++)
		if (!strcmp(stat_names[i], name))
			return i;
	return NELEMS(stat_names);
}

static int cmp_stat_name(const void *a, const void *b)
{
	const char *x = *(const char * const *)a, *y = *(const char * const *)b;
	int rx = stat_rank(x), ry = stat_rank(y);

	return rx != ry ? rx - ry : strcmp(x, y);
}

/* Gauges hold a current value; every other file of stats/ counts events */
static bool is_gauge(const char *name)
{
	return !strncmp(name, "frames_", 7) || !strncmp(name, "slots_", 6);
}

/* The names of the files in a device's stats/, known ones first */
static void stat_list(const struct swdev *d, struct sample *s)
{
	char path[PATH_MAX + 8];
	struct dirent *de;
	size_t max = 32;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/stats", d->sysdir);
	dir = opendir(path);
	if (!dir)
		err(EXIT_FAILURE, "%s: cannot open %s", d->name, path);
	s->n = 0;
	s->names = xcalloc(max, sizeof(*s->names));
	while ((de = readdir(dir))) {
		__u64 v;

		/* integers only: ratios such as scanned_per_eviction are not summed */
		if (de->d_name[0] == '.' || sysfs_read_u64(path, de->d_name, &v) == -EINVAL)
			continue;
		if (s->n == max) {
			max *= 2;
			s->names = reallocarray(s->names, max, sizeof(*s->names));
			if (!s->names)
				err(EXIT_FAILURE, "cannot allocate memory");
		}
		s->names[s->n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	qsort(s->names, s->n, sizeof(*s->names), cmp_stat_name);
	s->values = xcalloc(s->n, sizeof(*s->values));
}

static void stat_read(const struct swdev *d, struct sample *s)
{
	char path[PATH_MAX + 8];
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "%s/stats", d->sysdir);
	for (i = 0; i < s->n; i++) {
		ret = sysfs_read_u64(path, s->names[i], &s->values[i]);
		if (ret)
			errx(EXIT_FAILURE, "%s: cannot read stats/%s: %s", d->name,
			     s->names[i], strerror(-ret));
	}
}

/* A block of name value lines; deltas for counters when prev is given */
static void stat_print(const struct swdev *d, const struct sample *cur,
		       const struct sample *prev, bool *first)
{
	size_t i;
	__u64 v;

	if (!*first)
		putchar('\n');
	*first = false;
	printf("%s\n", d->name);
	for (i = 0; i < cur->n; i++) {
		v = cur->values[i];
		/* a counter that went down was reset: show it since then */
		if (prev && !is_gauge(cur->names[i]) && v >= prev->values[i])
			v -= prev->values[i];
		printf("%s %llu\n", cur->names[i], (unsigned long long)v);
	}
}

static void timespec_add(struct timespec *t, const struct timespec *d)
{
	t->tv_sec += d->tv_sec;
	t->tv_nsec += d->tv_nsec;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int do_stat(int argc, char **argv, const struct timespec *interval,
		   unsigned long count)
{
	struct sample *cur, *prev, *tmp;
	struct timespec next;
	struct swdev *devs;
	bool first = true;
	size_t ndevs, i;
	unsigned long n;

	devs = get_devices(argc, argv, &ndevs);
	cur = xcalloc(ndevs, sizeof(*cur));
	prev = xcalloc(ndevs, sizeof(*prev));
	for (i = 0; i < ndevs; i++) {
		stat_list(&devs[i], &cur[i]);
		prev[i].n = cur[i].n;
		prev[i].names = cur[i].names;
		prev[i].values = xcalloc(cur[i].n, sizeof(*prev[i].values));
		stat_read(&devs[i], &cur[i]);
	}
	if (!interval) {
		for (i = 0; i < ndevs; i++)
			stat_print(&devs[i], &cur[i], NULL, &first);
		return EXIT_SUCCESS;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (n = 0; !count || n < count; n++) {
		timespec_add(&next, interval);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		tmp = prev;
		prev = cur;
		cur = tmp;
		for (i = 0; i < ndevs; i++)
			stat_read(&devs[i], &cur[i]);
		for (i = 0; i < ndevs; i++)
			stat_print(&devs[i], &cur[i], &prev[i], &first);
		if (fflush(stdout))
			err(EXIT_FAILURE, "write error");
	}
	return EXIT_SUCCESS;
}

/* --- ioctls --- */

/* Open a space of the device ourselves */
static int open_space(const struct swdev *d)
{
	int fd = open(d->name, O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS))
		fd = open(d->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(EXIT_FAILURE, "%s: cannot open", d->name);
	return fd;
}

static const char *ioctl_error(int e)
{
	return e == ENOTTY ? "not a swapmem device" : strerror(e);
}

static const char *policy_name(__u32 v)
{
	switch (v) {
	case SWAPMEM_POLICY_CLOCK:
		return "clock";
	case SWAPMEM_POLICY_FIFO:
		return "fifo";
	case SWAPMEM_POLICY_S3FIFO:
		return "s3fifo";
	default:
		return NULL;
	}
}

static const char *accounting_name(__u32 v)
{
	return v == SWAPMEM_ACCT_OVERCOMMIT ? "overcommit" :
	       v == SWAPMEM_ACCT_STRICT ? "strict" : NULL;
}

static void print_name_u32(const char *field, const char *name, __u32 v)
{
	if (name)
		printf("%s %s\n", field, name);
	else
		printf("%s %u\n", field, v);
}

static int do_info(int argc, char **argv)
{
	struct swapmem_info info;
	struct swdev d;
	int fd;

	if (argc != 1) {
		warnx(argc ? "--info takes one device" : "no device specified");
		errtryhelp();
	}
	swdev_parse(&d, argv[0]);
	fd = open_space(&d);
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SWAPMEM_IOC_INFO, &info) < 0)
		errx(EXIT_FAILURE, "%s: SWAPMEM_IOC_INFO: %s", d.name, ioctl_error(errno));
	close(fd);
	printf("device_id %u\n", info.device_id);
	printf("page_size %u\n", info.page_size);
	print_name_u32("policy", policy_name(info.policy), info.policy);
	print_name_u32("accounting", accounting_name(info.accounting), info.accounting);
	printf("backing_major %u\n", info.backing_major);
	printf("backing_minor %u\n", info.backing_minor);
	printf("pool_frames %llu\n", (unsigned long long)info.pool_frames);
	printf("slots_total %llu\n", (unsigned long long)info.slots_total);
	printf("pin_limit %llu\n", (unsigned long long)info.pin_limit);
	printf("space_size %llu\n", (unsigned long long)info.space_size);
	printf("space_max %llu\n", (unsigned long long)info.space_max);
	return EXIT_SUCCESS;
}

/* Take file descriptor tfd of process pid; needs ptrace permission */
static int take_fd(pid_t pid, int tfd)
{
	int pidfd, fd;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		err(EXIT_FAILURE, "pid %d: cannot open a pidfd", (int)pid);
	fd = syscall(SYS_pidfd_getfd, pidfd, tfd, 0);
	if (fd < 0 && (errno == EPERM || errno == EACCES))
		errx(EXIT_FAILURE, "pid %d: cannot take fd %d: %s (ptrace permission is needed)",
		     (int)pid, tfd, strerror(errno));
	if (fd < 0)
		err(EXIT_FAILURE, "pid %d: cannot take fd %d", (int)pid, tfd);
	close(pidfd);
	return fd;
}

struct advise_args {
	const char *advice;
	const char *offset;
	const char *length;
	const char *pid;
	const char *fd;
};

static int do_advise(const struct advise_args *a, int argc, char **argv)
{
	struct swapmem_advice adv;
	char what[PATH_MAX + 64];
	struct stat st, dst;
	struct swdev d;
	size_t i;
	int fd;

	memset(&adv, 0, sizeof(adv));
	for (i = 0; i < NELEMS(advices); i++)
		if (!strcasecmp(a->advice, advices[i].name))
			adv.advice = advices[i].advice;
	if (!adv.advice)
		errx(EXIT_FAILURE,
		     "invalid advice: '%s' (use prefetch, pageout, drop, sync, pin or unpin)",
		     a->advice);
	if (!a->length) {
		warnx("--advise needs --length");
		errtryhelp();
	}
	if (!!a->pid != !!a->fd) {
		warnx("--pid and --fd go together");
		errtryhelp();
	}
	if (argc > 1 || (!argc && !a->pid)) {
		warnx(argc ? "--advise takes one device" : "no device specified");
		errtryhelp();
	}
	adv.offset = a->offset ? size_or_err(a->offset, "offset") : 0;
	adv.length = size_or_err(a->length, "length");
	if (!adv.length)
		errx(EXIT_FAILURE, "invalid length: '%s': must not be zero", a->length);
	if (adv.offset % page_bytes || adv.length % page_bytes)
		errx(EXIT_FAILURE, "offset and length must be multiples of the page size (%lu)",
		     page_bytes);
	if (adv.offset + adv.length < adv.offset)
		errx(EXIT_FAILURE, "offset + length is too large");

	if (argc)
		swdev_parse(&d, argv[0]);
	if (a->pid) {
		pid_t pid = ulong_or_err(a->pid, "pid", INT_MAX);
		int tfd = ulong_or_err(a->fd, "fd", INT_MAX);

		fd = take_fd(pid, tfd);
		snprintf(what, sizeof(what), "pid %d fd %d", (int)pid, tfd);
		if (fstat(fd, &st))
			err(EXIT_FAILURE, "%s", what);
		if (!S_ISCHR(st.st_mode))
			errx(EXIT_FAILURE, "%s: not a swapmem device", what);
		if (argc && stat(d.name, &dst))
			err(EXIT_FAILURE, "%s: cannot access", d.name);
		if (argc && (!S_ISCHR(dst.st_mode) || dst.st_rdev != st.st_rdev))
			errx(EXIT_FAILURE, "%s: not open on %s", what, d.name);
	} else {
		fd = open_space(&d);
		snprintf(what, sizeof(what), "%s", d.name);
	}
	if (ioctl(fd, SWAPMEM_IOC_ADVISE, &adv) < 0)
		errx(EXIT_FAILURE, "%s: cannot advise %s: %s", what, a->advice,
		     ioctl_error(errno));
	close(fd);
	printf("%llu pages\n", (unsigned long long)adv.pages);
	return EXIT_SUCCESS;
}

/* --- main --- */

static void set_action(enum action *action, enum action a, const char *opt)
{
	static const char *first;

	if (*action != A_NONE && *action != a) {
		warnx("%s and %s are mutually exclusive", first, opt);
		errtryhelp();
	}
	*action = a;
	first = opt;
}

static void only_with(bool given, bool allowed, const char *opt, const char *what)
{
	if (given && !allowed) {
		warnx("%s can only be used %s", opt, what);
		errtryhelp();
	}
}

int main(int argc, char **argv)
{
	enum {
		OPT_RAW = CHAR_MAX + 1,
		OPT_OUTPUT_ALL,
		OPT_BACKING,
		OPT_POLICY,
		OPT_ACCOUNTING,
		OPT_PIN_LIMIT,
		OPT_STAT,
		OPT_RESET,
		OPT_INFO,
		OPT_ADVISE,
		OPT_OFFSET,
		OPT_LENGTH,
		OPT_PID,
		OPT_FD,
	};
	static const struct option longopts[] = {
		{ "add",	 no_argument,	    NULL, 'a' },
		{ "remove",	 no_argument,	    NULL, 'r' },
		{ "stat",	 no_argument,	    NULL, OPT_STAT },
		{ "reset-stats", no_argument,	    NULL, OPT_RESET },
		{ "info",	 no_argument,	    NULL, OPT_INFO },
		{ "advise",	 required_argument, NULL, OPT_ADVISE },
		{ "pool-size",	 required_argument, NULL, 's' },
		{ "backing-dev", required_argument, NULL, OPT_BACKING },
		{ "policy",	 required_argument, NULL, OPT_POLICY },
		{ "accounting",	 required_argument, NULL, OPT_ACCOUNTING },
		{ "pin-limit",	 required_argument, NULL, OPT_PIN_LIMIT },
		{ "bytes",	 no_argument,	    NULL, 'b' },
		{ "json",	 no_argument,	    NULL, 'J' },
		{ "noheadings",	 no_argument,	    NULL, 'n' },
		{ "output",	 required_argument, NULL, 'o' },
		{ "output-all",	 no_argument,	    NULL, OPT_OUTPUT_ALL },
		{ "raw",	 no_argument,	    NULL, OPT_RAW },
		{ "interval",	 required_argument, NULL, 'i' },
		{ "count",	 required_argument, NULL, 'c' },
		{ "offset",	 required_argument, NULL, OPT_OFFSET },
		{ "length",	 required_argument, NULL, OPT_LENGTH },
		{ "pid",	 required_argument, NULL, OPT_PID },
		{ "fd",		 required_argument, NULL, OPT_FD },
		{ "help",	 no_argument,	    NULL, 'h' },
		{ "version",	 no_argument,	    NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec interval_ts, *interval = NULL;
	struct advise_args adv = { NULL };
	struct settings set = { NULL };
	struct listing list = { NULL };
	const char *output = NULL, *count_arg = NULL;
	enum action action = A_NONE;
	struct swdev dev;
	bool list_opts = false, output_all = false;
	unsigned long count = 0;
	char num[32];
	const char *env;
	long ps;
	size_t i;
	int c;

	/* getopt_long() names the program after argv[0] in its messages */
	argv[0] = program_invocation_short_name;
	env = getenv("SWAPMEMCTL_SYSFS");
	if (env && *env)
		sysfs_root = env;
	env = getenv("SWAPMEMCTL_DEV");
	if (env && *env)
		dev_dir = env;
	ps = sysconf(_SC_PAGESIZE);
	if (ps > 0)
		page_bytes = ps;

	while ((c = getopt_long(argc, argv, "abc:hi:Jno:rs:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			set_action(&action, A_ADD, "--add");
			break;
		case 'r':
			set_action(&action, A_REMOVE, "--remove");
			break;
		case OPT_STAT:
			set_action(&action, A_STAT, "--stat");
			break;
		case OPT_RESET:
			set_action(&action, A_RESET, "--reset-stats");
			break;
		case OPT_INFO:
			set_action(&action, A_INFO, "--info");
			break;
		case OPT_ADVISE:
			set_action(&action, A_ADVISE, "--advise");
			adv.advice = optarg;
			break;
		case 's':
			snprintf(num, sizeof(num), "%llu",
				 (unsigned long long)size_or_err(optarg, "pool size"));
			set.pool_size = xstrdup(num);
			break;
		case OPT_PIN_LIMIT:
			snprintf(num, sizeof(num), "%llu",
				 (unsigned long long)size_or_err(optarg, "pin limit"));
			set.pin_limit = xstrdup(num);
			break;
		case OPT_BACKING:
			if (!*optarg)
				errx(EXIT_FAILURE, "invalid backing device: ''");
			set.backing_dev = optarg;
			break;
		case OPT_POLICY:
			set.policy = policy_or_err(optarg);
			break;
		case OPT_ACCOUNTING:
			set.accounting = choice_or_err(optarg, "accounting", "overcommit",
						       "strict");
			break;
		case 'b':
			list.bytes = true;
			list_opts = true;
			break;
		case 'J':
			list.json = true;
			list_opts = true;
			break;
		case 'n':
			list.noheadings = true;
			list_opts = true;
			break;
		case 'o':
			output = optarg;
			list_opts = true;
			break;
		case OPT_OUTPUT_ALL:
			output_all = true;
			list_opts = true;
			break;
		case OPT_RAW:
			list.raw = true;
			list_opts = true;
			break;
		case 'i':
			interval_ts = interval_or_err(optarg);
			interval = &interval_ts;
			break;
		case 'c':
			count_arg = optarg;
			count = ulong_or_err(optarg, "count", ULONG_MAX);
			if (!count)
				errx(EXIT_FAILURE, "invalid count: '%s'", optarg);
			break;
		case OPT_OFFSET:
			adv.offset = optarg;
			break;
		case OPT_LENGTH:
			adv.length = optarg;
			break;
		case OPT_PID:
			adv.pid = optarg;
			break;
		case OPT_FD:
			adv.fd = optarg;
			break;
		case 'h':
			usage();
		case 'V':
			printf("%s from swapmem %s\n", program_invocation_short_name,
			       SWAPMEMCTL_VERSION);
			return EXIT_SUCCESS;
		default:
			errtryhelp();
		}
	}
	argc -= optind;
	argv += optind;

	if (action == A_NONE)
		action = settings_given(&set) ? A_CONFIG : A_LIST;
	only_with(settings_given(&set), action == A_CONFIG || action == A_ADD,
		  "--pool-size, --backing-dev, --policy, --accounting and --pin-limit",
		  "with --add or a device");
	only_with(list_opts, action == A_LIST, "-b, -J, -n, -o, --output-all and --raw",
		  "when listing devices");
	only_with(interval || count_arg, action == A_STAT, "--interval and --count",
		  "with --stat");
	only_with(count_arg && !interval, false, "--count", "with --interval");
	only_with(adv.offset || adv.length || adv.pid || adv.fd, action == A_ADVISE,
		  "--offset, --length, --pid and --fd", "with --advise");
	if (list.json && list.raw) {
		warnx("--json and --raw are mutually exclusive");
		errtryhelp();
	}

	switch (action) {
	case A_LIST:
		if (output_all) {
			list.cols = xcalloc(NELEMS(infos), sizeof(*list.cols));
			for (i = 0; i < NELEMS(infos); i++)
				list.cols[i] = &infos[i];
			list.ncols = NELEMS(infos);
		} else {
			parse_columns(&list, output ? output : "+");
		}
		return do_list(&list, argc, argv);
	case A_CONFIG:
		if (argc != 1) {
			warnx(argc ? "settings apply to one device" : "no device specified");
			errtryhelp();
		}
		swdev_parse(&dev, argv[0]);
		return do_config(&dev, &set);
	case A_ADD:
		if (argc) {
			warnx("--add takes no device");
			errtryhelp();
		}
		return do_add(&set);
	case A_REMOVE:
		return do_remove(argc, argv);
	case A_STAT:
		return do_stat(argc, argv, interval, count);
	case A_RESET:
		return do_reset(argc, argv);
	case A_INFO:
		return do_info(argc, argv);
	case A_ADVISE:
		return do_advise(&adv, argc, argv);
	default:
		break;
	}
	return EXIT_FAILURE;
}
