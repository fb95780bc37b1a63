// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem swap store: page-sized slots on an exclusively opened block
 * device, a bitmap allocator, and bio I/O.
 *
 * Slot 0 is never handed out: it means "no slot". Slots are allocated next
 * to the slot of the page's lower neighbour when that one is free, so pages
 * evicted together from one space lie together on the device, and next-fit
 * from a cursor otherwise. A slot that failed a write is retired (kept
 * allocated, counted as bad) and never used again while the device stays
 * attached.
 */
#include <linux/bio.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "swapmem_drv.h"

#define SWAPMEM_SECTORS_PER_SLOT	(PAGE_SIZE >> SECTOR_SHIFT)
/* At least this many slots, slot 0 included, or the device is refused. */
#define SWAPMEM_STORE_MIN_SLOTS		16

/* Open @path into @st, for device @id held by @holder. Sleeps. */
static int swapmem_store_open(struct swapmem_store *st, int id, void *holder,
			      const char *path)
{
	struct block_device *bdev;
	unsigned int lbs;
	int ret;

	memset(st, 0, sizeof(*st));
	if (strscpy(st->path, path, sizeof(st->path)) < 0) {
		pr_err("swapmem%d: backing_dev: path too long\n", id);
		return -EINVAL;
	}
	strim(st->path);
	ret = swapmem_bdev_open(&st->bdev, st->path, holder);
	if (ret) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: cannot open it exclusively: %d\n",
				   id, st->path, ret);
		return ret;
	}
	bdev = st->bdev.bdev;

	lbs = bdev_logical_block_size(bdev);
	if (lbs > PAGE_SIZE) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: logical block size %u is over the page size\n",
				   id, st->path, lbs);
		ret = -EINVAL;
		goto close;
	}
	st->nr_slots = bdev_nr_sectors(bdev) / SWAPMEM_SECTORS_PER_SLOT;
	if (st->nr_slots < SWAPMEM_STORE_MIN_SLOTS) {
		pr_err_ratelimited("swapmem%d: backing_dev %s: too small (%lu slots)\n",
				   id, st->path, st->nr_slots);
		ret = -EINVAL;
		goto close;
	}
	st->bitmap = bitmap_zalloc(st->nr_slots, GFP_KERNEL);
	if (!st->bitmap) {
		ret = -ENOMEM;
		goto close;
	}
	set_bit(0, st->bitmap);
	st->cursor = 1;
	st->discard = bdev_max_discard_sectors(bdev) > 0;
	return 0;

close:
	swapmem_bdev_close(&st->bdev);
	return ret;
}

static void swapmem_store_close(struct swapmem_store *st)
{
	bitmap_free(st->bitmap);
	st->bitmap = NULL;
	swapmem_bdev_close(&st->bdev);
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
	int ret = swapmem_store_open(&sdev->store, sdev->id, sdev, path);

	if (!ret)
		sdev->has_store = true;
	return ret;
}

/**
 * swapmem_store_detach() - close the backing device
 * @sdev: device with no spaces
 *
 * Context: process context, may sleep.
 */
void swapmem_store_detach(struct swapmem_device *sdev)
{
	if (!sdev->has_store)
		return;
	sdev->has_store = false;
	swapmem_store_close(&sdev->store);
}

/**
 * swapmem_store_change() - attach, replace or detach the backing device live
 * @sdev: the device
 * @path: the new backing device, or NULL for none
 *
 * Refused with -EBUSY while pages live on the current backing device (any
 * slot in use); the new device is opened before the old one is let go.
 *
 * Context: process context, config lock held, pager lock not held; sleeps.
 * Return: 0 or -errno.
 */
int swapmem_store_change(struct swapmem_device *sdev, const char *path)
{
	struct swapmem_store new, old;
	bool had;
	int ret;

	lockdep_assert_held(&sdev->config_lock);
	if (path) {
		ret = swapmem_store_open(&new, sdev->id, sdev, path);
		if (ret)
			return ret;
	}
	mutex_lock(&sdev->lock);
	if (sdev->has_store && sdev->store.used) {
		mutex_unlock(&sdev->lock);
		pr_err_ratelimited("swapmem%d: backing_dev: %lu pages live on %s: busy\n",
				   sdev->id, sdev->store.used, sdev->store.path);
		if (path)
			swapmem_store_close(&new);
		return -EBUSY;
	}
	had = sdev->has_store;
	old = sdev->store;
	if (path)
		sdev->store = new;
	sdev->has_store = !!path;
	mutex_unlock(&sdev->lock);
	if (had)
		swapmem_store_close(&old);
	return 0;
}

/**
 * swapmem_slot_alloc() - allocate a slot
 * @sdev: device with a store
 * @hint: a slot whose neighbour would be best, or 0
 *
 * Context: pager lock held.
 * Return: the slot, or 0 if the store is full.
 */
unsigned long swapmem_slot_alloc(struct swapmem_device *sdev, unsigned long hint)
{
	struct swapmem_store *st = &sdev->store;
	unsigned long slot;

	lockdep_assert_held(&sdev->lock);
	if (hint && hint + 1 < st->nr_slots && !test_bit(hint + 1, st->bitmap)) {
		slot = hint + 1;
	} else {
		slot = find_next_zero_bit(st->bitmap, st->nr_slots, st->cursor);
		if (slot >= st->nr_slots)
			slot = find_next_zero_bit(st->bitmap, st->nr_slots, 1);
		if (slot >= st->nr_slots)
			return 0;
	}
	set_bit(slot, st->bitmap);
	st->used++;
	st->cursor = slot + 1;
	return slot;
}

/**
 * swapmem_slot_free() - give a slot back at once, without a discard
 * @sdev: device with a store
 * @slot: an allocated slot
 *
 * Context: pager lock held.
 */
void swapmem_slot_free(struct swapmem_device *sdev, unsigned long slot)
{
	struct swapmem_store *st = &sdev->store;

	lockdep_assert_held(&sdev->lock);
	if (WARN_ON_ONCE(!slot || slot >= st->nr_slots || !test_bit(slot, st->bitmap)))
		return;
	clear_bit(slot, st->bitmap);
	st->used--;
}

/**
 * swapmem_slot_retire() - keep a slot that failed a write out of use
 * @sdev: device with a store
 * @slot: an allocated slot
 *
 * The slot stays allocated until the store is detached.
 *
 * Context: pager lock held.
 */
void swapmem_slot_retire(struct swapmem_device *sdev, unsigned long slot)
{
	lockdep_assert_held(&sdev->lock);
	sdev->store.used--;
	sdev->store.bad++;
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
 * Context: process context, sleeps; no pager lock held.
 * Return: 0 or -errno.
 */
int swapmem_slot_rw(struct swapmem_device *sdev, struct page *page,
		    unsigned long slot, bool write)
{
	struct bio_vec bvec;
	struct bio bio;
	int ret;

	bio_init(&bio, sdev->store.bdev.bdev, &bvec, 1,
		 write ? REQ_OP_WRITE | REQ_SYNC : REQ_OP_READ);
	bio.bi_iter.bi_sector = (sector_t)slot * SWAPMEM_SECTORS_PER_SLOT;
	__bio_add_page(&bio, page, PAGE_SIZE, 0);
	ret = submit_bio_wait(&bio);
	bio_uninit(&bio);
	if (write)
		swapmem_stat_inc(sdev, SWAP_WRITES);
	else
		swapmem_stat_inc(sdev, SWAP_READS);
	return ret;
}

struct swapmem_batch {
	atomic_t pending;
	struct completion done;
};

/* Puts the bio at once, so a batch never holds many mempool bios. */
static void swapmem_batch_end_io(struct bio *bio)
{
	struct swapmem_batch_bio *bb = bio->bi_private;
	struct swapmem_batch *b = bb->batch;

	*bb->err = blk_status_to_errno(bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&b->pending))
		complete(&b->done);
}

/**
 * swapmem_slots_rw() - read or write pages from or to their slots, at once
 * @sdev: device with a store
 * @io: the batch: its pages, their slots (one each), and where each page's
 *	result goes (0 or -errno)
 * @write: write the pages, else read them
 *
 * One bio per page, all submitted under one plug, so that pages in
 * adjacent slots merge into one request; waits for all of them.
 *
 * Context: process context, sleeps; no pager lock held.
 * Return: 0 if every page succeeded, else the first error.
 */
int swapmem_slots_rw(struct swapmem_device *sdev, struct swapmem_batch_io *io,
		     bool write)
{
	struct swapmem_batch b;
	struct blk_plug plug;
	struct bio *bio;
	unsigned int i;
	int ret = 0;

	if (WARN_ON_ONCE(io->n > SWAPMEM_BATCH_MAX))
		return -EINVAL;
	atomic_set(&b.pending, io->n + 1);
	init_completion(&b.done);
	blk_start_plug(&plug);
	for (i = 0; i < io->n; i++) {
		/* from a mempool: never fails with a sleeping allocation */
		bio = bio_alloc(sdev->store.bdev.bdev, 1,
				write ? REQ_OP_WRITE : REQ_OP_READ, GFP_NOIO);
		bio->bi_iter.bi_sector = (sector_t)io->slots[i] * SWAPMEM_SECTORS_PER_SLOT;
		__bio_add_page(bio, io->pages[i], PAGE_SIZE, 0);
		io->ctx[i].batch = &b;
		io->ctx[i].err = &io->errs[i];
		bio->bi_private = &io->ctx[i];
		bio->bi_end_io = swapmem_batch_end_io;
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&b.pending))
		wait_for_completion_io(&b.done);
	for (i = 0; i < io->n; i++)
		if (io->errs[i] && !ret)
			ret = io->errs[i];
	if (write)
		swapmem_stat_add(sdev, SWAP_WRITES, io->n);
	else
		swapmem_stat_add(sdev, SWAP_READS, io->n);
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
 * Context: process context, may sleep; pager lock not held.
 */
void swapmem_slots_release(struct swapmem_device *sdev, unsigned long *slots,
			   unsigned long n)
{
	unsigned long i, start;

	if (sdev->store.discard) {
		for (i = 0; i < n; i = start) {
			for (start = i + 1; start < n; start++)
				if (slots[start] != slots[start - 1] + 1)
					break;
			if (!blkdev_issue_discard(sdev->store.bdev.bdev,
						  slots[i] * SWAPMEM_SECTORS_PER_SLOT,
						  (start - i) * SWAPMEM_SECTORS_PER_SLOT,
						  GFP_KERNEL))
				swapmem_stat_add(sdev, DISCARDS, start - i);
		}
	}
	mutex_lock(&sdev->lock);
	for (i = 0; i < n; i++)
		swapmem_slot_free(sdev, slots[i]);
	mutex_unlock(&sdev->lock);
}
