// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem swap store: page-sized slots on an exclusively opened block
 * device (their allocator is slots.c), and bio I/O.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "swapmem_drv.h"

#define SWAPMEM_SECTORS_PER_SLOT	(PAGE_SIZE >> SECTOR_SHIFT)
/* At least this many slots, slot 0 included, or the device is refused. */
#define SWAPMEM_STORE_MIN_SLOTS		16

/* Why a backing device could not be opened, in words, and what to do. */
static const char *swapmem_open_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such file: check the path (ls -l /dev/disk/by-id/)";
	case -ENOTBLK:
		return "not a block device";
	case -EBUSY:
		return "in use (mounted, swapped on, or held by another driver): free it first";
	case -ENXIO:
	case -ENODEV:
		return "no such device behind that device node";
	case -EACCES:
	case -EROFS:
		return "cannot be opened for writing";
	case -ENOMEM:
		return "out of memory for its slot map";
	default:
		return "cannot open it";
	}
}

/* Open @path as the store of device @id held by @holder. Sleeps. */
static struct swapmem_store *swapmem_store_open(int id, void *holder, const char *path)
{
	struct block_device *bdev;
	struct swapmem_store *st;
	unsigned int lbs;
	int ret = -ENOMEM;

	size_t len = strlen(path) + 1;

	st = kzalloc(struct_size(st, path, len), GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	memcpy(st->path, path, len);
	ret = swapmem_bdev_open(&st->bdev, st->path, holder);
	if (ret) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: %s (error %d)\n",
				   id, st->path, swapmem_open_error(ret), ret);
		goto free;
	}
	bdev = st->bdev.bdev;

	lbs = bdev_logical_block_size(bdev);
	if (lbs > PAGE_SIZE) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: logical block size %u is over the page size %lu: use another device\n",
				   id, st->path, lbs, PAGE_SIZE);
		ret = -EINVAL;
		goto close;
	}
	if (bdev_nr_sectors(bdev) / SWAPMEM_SECTORS_PER_SLOT < SWAPMEM_STORE_MIN_SLOTS) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: too small (%llu bytes, at least %lu needed)\n",
				   id, st->path, (unsigned long long)bdev_nr_bytes(bdev),
				   SWAPMEM_STORE_MIN_SLOTS * PAGE_SIZE);
		ret = -EINVAL;
		goto close;
	}
	ret = swapmem_slots_init(st, bdev_nr_sectors(bdev) / SWAPMEM_SECTORS_PER_SLOT);
	if (ret) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: %s\n", id, st->path,
				   swapmem_open_error(ret));
		goto close;
	}
	st->discard = bdev_max_discard_sectors(bdev) > 0;
	return st;

close:
	swapmem_bdev_close(&st->bdev);
free:
	kfree(st);
	return ERR_PTR(ret);
}

/* Close a store no device points to any more; lockless readers may still look. */
static void swapmem_store_close(struct swapmem_store *st)
{
	swapmem_slots_exit(st);
	swapmem_bdev_close(&st->bdev);
	kfree_rcu(st, rcu);
}

/**
 * swapmem_store_attach() - open a backing device and size its slot map
 * @sdev: device, with no store attached, not yet in use
 * @path: block device path, e.g. "/dev/vdb"
 *
 * Opens @path exclusively: a device that is mounted, swapped on or held by
 * another swapmem device is refused with -EBUSY.
 *
 * Context: process context, may sleep.
 * Return: 0 or -errno.
 */
int swapmem_store_attach(struct swapmem_device *sdev, const char *path)
{
	struct swapmem_store *st = swapmem_store_open(sdev->id, sdev, path);

	if (IS_ERR(st))
		return PTR_ERR(st);
	rcu_assign_pointer(sdev->store, st);
	return 0;
}

/**
 * swapmem_store_detach() - close the backing device
 * @sdev: device with no spaces, being freed
 *
 * Context: process context, may sleep.
 */
void swapmem_store_detach(struct swapmem_device *sdev)
{
	struct swapmem_store *st = rcu_dereference_protected(sdev->store, true);

	if (!st)
		return;
	RCU_INIT_POINTER(sdev->store, NULL);
	swapmem_store_close(st);
}

/**
 * swapmem_store_change() - attach, replace or detach the backing device live
 * @sdev: the device
 * @path: the new backing device, or NULL for none
 *
 * Refused with -EBUSY while pages live on the current backing device (any
 * slot in use), and under strict accounting when the device would then
 * hold fewer pages than its spaces map; the new device is opened before
 * the old one is let go. The store changes only here, under the pool lock
 * and while no slot is allocated: whoever uses it looks it up under the
 * pool lock, or holds a slot, so no I/O can reach a device let go.
 *
 * Context: process context, config lock held, pool lock not held; sleeps.
 * Return: 0 or -errno.
 */
int swapmem_store_change(struct swapmem_device *sdev, const char *path)
{
	struct swapmem_store *new = NULL, *old;
	long slots;
	int ret = 0;

	lockdep_assert_held(&sdev->config_lock);
	if (path) {
		new = swapmem_store_open(sdev->id, sdev, path);
		if (IS_ERR(new))
			return PTR_ERR(new);
	}
	swapmem_race_window(SWAPMEM_RACE_STORE);
	mutex_lock(&sdev->pool_lock);
	old = swapmem_store(sdev);
	slots = (new ? (long)new->nr_slots - 1 : 0) -
		(old ? (long)(old->nr_slots - 1 - old->bad) : 0);
	if (old && old->used) {
		pr_err_ratelimited("swapmem%d: backing_dev: %lu pages live on %s: busy; close the spaces that use it first\n",
				   sdev->id, old->used, old->path);
		ret = -EBUSY;
	} else if (!swapmem_capacity_fits(sdev, 0, slots)) {
		pr_err_ratelimited("swapmem%d: backing_dev: its spaces map %lu pages, more than it would hold (strict accounting): busy\n",
				   sdev->id, sdev->committed);
		ret = -EBUSY;
	} else {
		rcu_assign_pointer(sdev->store, new);
	}
	mutex_unlock(&sdev->pool_lock);
	if (ret) {
		if (new)
			swapmem_store_close(new);
		return ret;
	}
	if (old)
		swapmem_store_close(old);
	return 0;
}

/**
 * swapmem_slot_rw() - read or write one page from or to its slot
 * @sdev: device with a store
 * @page: the frame's page
 * @slot: the slot
 * @write: write the page to the slot, else read the slot into the page
 *
 * Synchronous, with an on-stack bio.
 *
 * Context: process context, sleeps; no pool lock held.
 * Return: 0 or -errno.
 */
int swapmem_slot_rw(struct swapmem_device *sdev, struct page *page,
		    unsigned long slot, bool write)
{
	struct bio_vec bvec;
	struct bio bio;
	int ret;

	bio_init(&bio, swapmem_store_of_slot(sdev)->bdev.bdev, &bvec, 1,
		 write ? REQ_OP_WRITE | REQ_SYNC : REQ_OP_READ);
	bio.bi_iter.bi_sector = (sector_t)slot * SWAPMEM_SECTORS_PER_SLOT;
	__bio_add_page(&bio, page, PAGE_SIZE, 0);
	ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
	if (write)
		swapmem_stat_inc(sdev, swap_writes);
	else
		swapmem_stat_inc(sdev, swap_reads);
	return ret;
}

/* A bio of @io is done, or its submitter let go: the last frees a read-ahead batch. */
static void swapmem_batch_put(struct swapmem_batch_io *io)
{
	struct swapmem_device *sdev;

	if (!atomic_dec_and_test(&io->pending))
		return;
	if (!io->async) {
		complete(&io->done);
		return;
	}
	sdev = io->sdev;
	kfree(io);
	/*
	 * Inside an RCU read-side section: once the count is zero,
	 * swapmem_dev_release() may free the device, and the module may go,
	 * after a grace period.
	 */
	rcu_read_lock();
	if (atomic_dec_and_test(&sdev->ra_inflight))
		wake_up_var(&sdev->ra_inflight);
	rcu_read_unlock();
}

/*
 * Puts the bio at once, so a batch never holds many mempool bios. The
 * pages of a read-ahead bio settle here, maybe in interrupt context.
 */
static void swapmem_batch_end_io(struct bio *bio)
{
	struct swapmem_batch_bio *bb = bio->bi_private;
	struct swapmem_batch_io *io = bb->io;
	int err = blk_status_to_errno(bio->bi_status);
	unsigned int i, first = bb->err - io->errs;

	for (i = 0; i < bb->n; i++)
		bb->err[i] = err;
	bio_put(bio);
	if (io->async) {
		if (first < io->lead)
			complete(&io->done);
		else
			swapmem_readahead_settle(io, first, bb->n, err);
	}
	swapmem_batch_put(io);
}

/*
 * Submit pages [@first, @first + @n) of @io, one bio per run of adjacent
 * slots, with @opf; returns how many bios.
 */
static unsigned int swapmem_batch_submit(struct block_device *bdev,
					 struct swapmem_batch_io *io,
					 unsigned int first, unsigned int n,
					 blk_opf_t opf, unsigned int nbios)
{
	unsigned int i, j, run;
	struct bio *bio;

	for (i = first; i < first + n; i += run) {
		for (run = 1; i + run < first + n; run++)
			if (io->slots[i + run] != io->slots[i] + run)
				break;
		/* from a mempool: never fails with a sleeping allocation */
		bio = bio_alloc(bdev, run, opf, GFP_NOIO);
		bio->bi_iter.bi_sector = (sector_t)io->slots[i] * SWAPMEM_SECTORS_PER_SLOT;
		io->ctx[nbios].io = io;
		io->ctx[nbios].err = &io->errs[i];
		io->ctx[nbios].n = run;
		for (j = 0; j < run; j++)
			__bio_add_page(bio, io->pages[i + j], PAGE_SIZE, 0);
		bio->bi_private = &io->ctx[nbios++];
		bio->bi_end_io = swapmem_batch_end_io;
		atomic_inc(&io->pending);
		submit_bio(bio);
	}
	return nbios;
}

/*
 * Try each page of failed run @bb alone, so that a bad sector fails only
 * its own page. Two failures in a row over the batch (*@fails) end the
 * retries: the device, not a sector, is failing, and a device that times
 * out must not make a fault wait a timeout per page; the pages left keep
 * their run's error. Returns how many pages were tried.
 */
static unsigned int swapmem_run_retry(struct swapmem_device *sdev,
				      struct swapmem_batch_io *io,
				      struct swapmem_batch_bio *bb, bool write,
				      unsigned int *fails)
{
	unsigned int i, first = bb->err - io->errs;

	for (i = first; i < first + bb->n && *fails < 2; i++) {
		io->errs[i] = swapmem_slot_rw(sdev, io->pages[i], io->slots[i],
					      write);
		*fails = io->errs[i] ? *fails + 1 : 0;
	}
	return i - first;
}

/**
 * swapmem_slots_rw() - read or write pages from or to their slots, at once
 * @sdev: device with a store
 * @io: the batch: its pages, their slots (one each), and where each page's
 *	result goes (0 or -errno)
 * @write: write the pages, else read them
 *
 * One bio per run of pages in adjacent slots, in the batch's order (a
 * caller that wants long runs sorts by slot), all submitted under one
 * plug; waits for all of them. The pages of a run that failed are tried
 * again one by one, so that a bad sector fails only its own page.
 *
 * Context: process context, sleeps; no pool lock held.
 * Return: 0 if every page succeeded, else the first error.
 */
int swapmem_slots_rw(struct swapmem_device *sdev, struct swapmem_batch_io *io,
		     bool write)
{
	unsigned int i, j, n, nbios, fails = 0;
	struct blk_plug plug;
	int ret = 0;

	if (WARN_ON_ONCE(io->n > SWAPMEM_BATCH_MAX))
		return -EINVAL;
	io->async = false;
	/* one for each bio, and ours until all are submitted */
	atomic_set(&io->pending, 1);
	init_completion(&io->done);
	blk_start_plug(&plug);
	nbios = swapmem_batch_submit(swapmem_store_of_slot(sdev)->bdev.bdev, io,
				     0, io->n,
				     write ? REQ_OP_WRITE : REQ_OP_READ, 0);
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&io->pending))
		wait_for_completion_io(&io->done);
	n = io->n;
	for (j = 0; j < nbios; j++) {
		/* swapmem_slot_rw() counts the pages it tries again */
		if (io->ctx[j].n > 1 && io->ctx[j].err[0])
			n -= swapmem_run_retry(sdev, io, &io->ctx[j], write,
					       &fails);
	}
	for (i = 0; i < io->n; i++)
		if (io->errs[i] && !ret)
			ret = io->errs[i];
	if (write)
		swapmem_stat_add(sdev, swap_writes, n);
	else
		swapmem_stat_add(sdev, swap_reads, n);
	return ret;
}

/**
 * swapmem_slots_read_ahead() - read a read-ahead batch, waiting at most for
 *	its lead page
 * @sdev: device with a store
 * @io: a kmalloc()ed batch, its pages and slots set, @io->lead its pages
 *	a fault waits for (0 or 1); the batch is freed once read
 *
 * The lead page goes first, in a bio of its own that no other merges
 * with, so that its fault waits for one page only; the rest follow as
 * REQ_RAHEAD bios, one per run of adjacent slots, whose completions
 * settle their pages (swapmem_readahead_settle()). @io must not be used
 * once this returns.
 *
 * Context: process context, sleeps; no pool lock held.
 * Return: the lead page's result, or 0 if none.
 */
int swapmem_slots_read_ahead(struct swapmem_device *sdev,
			     struct swapmem_batch_io *io)
{
	struct block_device *bdev = swapmem_store_of_slot(sdev)->bdev.bdev;
	unsigned int nbios = 0, lead = io->lead;
	struct blk_plug plug;
	int ret = 0;

	io->sdev = sdev;
	io->async = true;
	atomic_set(&io->pending, 1);
	init_completion(&io->done);
	atomic_inc(&sdev->ra_inflight);
	swapmem_stat_add(sdev, swap_reads, io->n);
	if (lead)
		nbios = swapmem_batch_submit(bdev, io, 0, lead,
					     REQ_OP_READ | REQ_NOMERGE, 0);
	blk_start_plug(&plug);
	swapmem_batch_submit(bdev, io, lead, io->n - lead,
			     REQ_OP_READ | REQ_RAHEAD, nbios);
	blk_finish_plug(&plug);
	if (lead) {
		wait_for_completion_io(&io->done);
		ret = io->errs[0];
	}
	swapmem_batch_put(io);
	return ret;
}

/**
 * swapmem_slots_release() - discard and free the slots of a dead space
 * @sdev: device with a store
 * @slots: allocated slots, in ascending order
 * @n: how many
 *
 * Runs of adjacent slots are discarded with one request when the device
 * supports it; only then are the slots freed, so that no new write can
 * land in a slot before its discard.
 *
 * Context: process context, may sleep; pool lock not held.
 */
void swapmem_slots_release(struct swapmem_device *sdev, unsigned long *slots,
			   unsigned long n)
{
	struct swapmem_store *st = swapmem_store_of_slot(sdev);
	unsigned long i, start;

	if (st->discard) {
		for (i = 0; i < n; i = start) {
			for (start = i + 1; start < n; start++)
				if (slots[start] != slots[start - 1] + 1)
					break;
			if (!blkdev_issue_discard(st->bdev.bdev,
						  (sector_t)slots[i] * SWAPMEM_SECTORS_PER_SLOT,
						  (sector_t)(start - i) * SWAPMEM_SECTORS_PER_SLOT,
						  GFP_KERNEL))
				swapmem_stat_add(sdev, discards, start - i);
		}
	}
	mutex_lock(&sdev->pool_lock);
	for (i = 0; i < n; i++)
		swapmem_slot_free(sdev, slots[i]);
	mutex_unlock(&sdev->pool_lock);
}
