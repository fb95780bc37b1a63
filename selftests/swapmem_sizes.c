// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem selftests: backing devices of the sizes users have.
 *
 * The slot map was once one flat bitmap of an unsigned int's worth of bits:
 * over 128 GiB attaching failed (a kernel warning and ENOMEM), and from
 * 16 TiB the bit count was truncated, so that slot searches ran off the end
 * after some 256 evictions. Each variant backs swapmem0 with a sparse file
 * of that size on a tmpfs of its own, through a loop device (tmpfs punches
 * holes, so discards give the memory back), and checks that the slots are
 * all counted, that attaching costs little memory, and that a space 16x
 * the pool pages through it byte-exact.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "kselftest_harness.h"
#include "swapmem_lib.h"

#define POOL_PAGES	256UL		/* pool_size=1M */
#define SIZES_DIR	"/run/swapmem-sizes"
#define SIZES_FILE	SIZES_DIR "/backing"
/* What attaching may cost: a flat bitmap for 16 TiB alone took 512 MiB. */
#define ATTACH_MAX_KIB	(16L << 10)

/* MemAvailable of /proc/meminfo in KiB, or -1. */
static long mem_available_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * What a test set up, for the cleanup to undo whatever the test's fate:
 * the teardown runs in the harness's parent process, so that a test killed
 * by a signal is cleaned up too. Its space's file and mapping are the test
 * process's (@owner) and went away with it.
 */
struct sizes_state {
	pid_t owner;
	int fd;
	int mounted;
	int file_made;
	char loop[64];
	char *base;
	size_t len;
	long cost_kib;
};

FIXTURE(sizes) {
	struct sizes_state s;
};

FIXTURE_VARIANT(sizes) {
	unsigned long long bytes;
};

FIXTURE_VARIANT_ADD(sizes, gib_200) {
	.bytes = 200ULL << 30,
};

/* 2^32 + 256 slots: what a 32-bit slot count truncated to 256 */
FIXTURE_VARIANT_ADD(sizes, tib_16_and_1m) {
	.bytes = (16ULL << 40) + (1ULL << 20),
};

/* Undo whatever setup got done, in reverse; safe to call twice. */
static void sizes_cleanup(struct sizes_state *st)
{
	char cmd[128];

	if (getpid() == st->owner) {
		if (st->base)
			munmap(st->base, st->len);
		if (st->fd >= 0)
			close(st->fd);
	}
	st->base = NULL;
	st->fd = -1;
	sm_unload();
	if (st->loop[0]) {
		snprintf(cmd, sizeof(cmd), "losetup -d %s", st->loop);
		if (system(cmd))
			fprintf(stderr, "# %s failed\n", cmd);
		st->loop[0] = '\0';
	}
	if (st->file_made) {
		unlink(SIZES_FILE);
		st->file_made = 0;
	}
	if (st->mounted) {
		if (umount2(SIZES_DIR, 0))
			fprintf(stderr, "# umount %s: %s\n", SIZES_DIR, strerror(errno));
		rmdir(SIZES_DIR);
		st->mounted = 0;
	}
}

/*
 * What a run killed by its timeout (no teardown then) may have left: the
 * module holding a loop device on SIZES_FILE, on the tmpfs at SIZES_DIR.
 */
static void stale_cleanup(void)
{
	if (access(SIZES_FILE, F_OK))
		return;
	sm_unload();
	if (system("for l in $(losetup -n -O NAME -j " SIZES_FILE "); do losetup -d $l; done; "
		   "rm -f " SIZES_FILE "; umount " SIZES_DIR))
		fprintf(stderr, "# could not clean up after an earlier run\n");
}

/* KiB the tmpfs at SIZES_DIR holds, or -1. */
static long tmpfs_used_kib(void)
{
	struct statvfs sv;

	if (statvfs(SIZES_DIR, &sv))
		return -1;
	return (long)((sv.f_blocks - sv.f_bfree) * sv.f_frsize >> 10);
}

/* Attach SIZES_FILE to a free loop device; its name in st->loop. */
static int attach_loop(struct sizes_state *st)
{
	FILE *p = popen("losetup --find --show " SIZES_FILE, "r");
	char *nl;

	if (!p)
		return -1;
	if (!fgets(st->loop, sizeof(st->loop), p))
		st->loop[0] = '\0';
	nl = strchr(st->loop, '\n');
	if (nl)
		*nl = '\0';
	if (pclose(p) || strncmp(st->loop, "/dev/loop", 9)) {
		fprintf(stderr, "# losetup said '%s'\n", st->loop);
		return -1;
	}
	return 0;
}

FIXTURE_SETUP(sizes)
{
	struct sizes_state *st = &self->s;
	char params[128];
	long before, after;
	int fd;

	st->owner = getpid();
	st->fd = -1;
	st->base = NULL;
	st->loop[0] = '\0';
	st->mounted = 0;
	st->file_made = 0;
	if (!getenv("SWAPMEM_KO"))
		SKIP(return, "SWAPMEM_KO is not set");

	/* loop may be built in: then modprobe has nothing to do */
	if (system("modprobe loop 2>/dev/null"))
		TH_LOG("modprobe loop failed; trying with a built-in loop driver");
	stale_cleanup();
	mkdir(SIZES_DIR, 0700);
	ASSERT_EQ(0, mount("swapmem-sizes", SIZES_DIR, "tmpfs", 0, "size=512M")) {
		TH_LOG("mount tmpfs on %s: %s", SIZES_DIR, strerror(errno));
		sizes_cleanup(st);
	}
	st->mounted = 1;
	fd = open(SIZES_FILE, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0) {
		TH_LOG("create %s: %s", SIZES_FILE, strerror(errno));
		sizes_cleanup(st);
	}
	st->file_made = 1;
	ASSERT_EQ(0, ftruncate(fd, variant->bytes)) {
		TH_LOG("truncate %s to %llu bytes: %s", SIZES_FILE, variant->bytes,
		       strerror(errno));
		close(fd);
		sizes_cleanup(st);
	}
	close(fd);
	ASSERT_EQ(0, attach_loop(st)) {
		sizes_cleanup(st);
	}

	/* what loading and attaching cost, the 1 MiB pool included */
	sm_unload();
	snprintf(params, sizeof(params), "pool_size=1M backing_dev=%s", st->loop);
	before = mem_available_kib();
	ASSERT_EQ(0, sm_reload(params)) {
		TH_LOG("insmod with %s failed", params);
		sizes_cleanup(st);
	}
	after = mem_available_kib();
	st->cost_kib = before - after;
	ASSERT_EQ(POOL_PAGES * SM_PAGE, sm_attr("pool_size")) {
		sizes_cleanup(st);
	}
	st->fd = open(SM_DEV, O_RDWR);
	ASSERT_GE(st->fd, 0) {
		sizes_cleanup(st);
	}
}

FIXTURE_TEARDOWN_PARENT(sizes)
{
	struct sizes_state *st = &self->s;

	sizes_cleanup(st);
}

/* Every slot is counted, and attaching costs a few MiB at most. */
TEST_F_TIMEOUT(sizes, attach, 900)
{
	struct sizes_state *st = &self->s;
	long want = (long)(variant->bytes / SM_PAGE) - 1;

	EXPECT_EQ(want, sm_stat("slots_total"));
	EXPECT_EQ(0, sm_stat("slots_used"));
	EXPECT_EQ(0, sm_stat("slots_bad"));
	TH_LOG("%llu bytes, %ld slots: insmod took %ld KiB of MemAvailable",
	       variant->bytes, want, st->cost_kib);
	EXPECT_LT(st->cost_kib, ATTACH_MAX_KIB);
}

/* Write generation @gen to every page of @order; the peak of slots_used. */
static long write_pages(char *base, const size_t *order, size_t n, __u64 gen,
			long peak)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sm_page_make((__u64 *)(base + order[i] * SM_PAGE), order[i], gen);
		if (i % 64 == 63 && sm_stat("slots_used") > peak)
			peak = sm_stat("slots_used");
	}
	return peak;
}

/* Pages of @order that are not generation @gen; the peak of slots_used. */
static size_t bad_pages(char *base, const size_t *order, size_t n, __u64 gen,
			long *peak)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		if (sm_page_check((__u64 *)(base + order[i] * SM_PAGE), order[i], gen))
			bad++;
		if (i % 64 == 63 && sm_stat("slots_used") > *peak)
			*peak = sm_stat("slots_used");
	}
	return bad;
}

/*
 * A space 16x the pool, written in a random order, read back in another,
 * written again in order and read back: byte-exact, with far more slots in
 * use than the 256 a truncated slot count had; closing it frees them all.
 */
TEST_F_TIMEOUT(sizes, paging_16x_pool, 900)
{
	size_t n = 16 * POOL_PAGES, i, *rnd = malloc(n * sizeof(*rnd));
	size_t *seq = malloc(n * sizeof(*seq));
	long major0 = sm_stat("major_faults"), written0 = sm_pages_written();
	long peak = 0, written, major;
	struct sizes_state *st = &self->s;

	ASSERT_TRUE(rnd && seq);
	for (i = 0; i < n; i++)
		seq[i] = i;
	st->len = n * SM_PAGE;
	st->base = mmap(NULL, st->len, PROT_READ | PROT_WRITE, MAP_SHARED, st->fd, 0);
	ASSERT_NE(MAP_FAILED, st->base) {
		st->base = NULL;
	}

	sm_shuffle(rnd, n, 16);
	peak = write_pages(st->base, rnd, n, 1, peak);
	sm_shuffle(rnd, n, 1616);
	EXPECT_EQ(0, bad_pages(st->base, rnd, n, 1, &peak));
	peak = write_pages(st->base, seq, n, 2, peak);
	EXPECT_EQ(0, bad_pages(st->base, seq, n, 2, &peak));

	written = sm_pages_written() - written0;
	major = sm_stat("major_faults") - major0;
	TH_LOG("%llu bytes: peak slots_used %ld, %ld pages written, %ld major faults",
	       variant->bytes, peak, written, major);
	TH_LOG("the backing file holds %ld KiB", tmpfs_used_kib());
	EXPECT_GT(peak, POOL_PAGES);
	EXPECT_GT(written, 0);
	EXPECT_GT(major, 0);
	EXPECT_EQ(0, sm_stat("read_errors") + sm_stat("write_errors"));
	EXPECT_EQ(0, sm_stat("slots_bad"));

	munmap(st->base, st->len);
	st->base = NULL;
	close(st->fd);
	st->fd = -1;
	EXPECT_EQ(0, sm_stat("slots_used"));
	EXPECT_EQ(0, sm_stat("frames_used"));
	TH_LOG("closed: %ld slots discarded, the backing file holds %ld KiB",
	       sm_stat("discards"), tmpfs_used_kib());
	free(rnd);
	free(seq);
}

TEST_HARNESS_MAIN
