// SPDX-License-Identifier: GPL-2.0
/*
 * S3-FIFO replacement: a small queue for new pages (a tenth of the pool),
 * a main queue, and ghosts, with sampled reference bits.
 *
 * A page's first pass through the small queue unmaps it (SAMPLED); if a
 * program touches it again before its second pass it moves to the main
 * queue, else it is evicted as a ghost (a bit in its page table entry),
 * and a ghost that faults back in goes straight to the main queue. The
 * main queue is a CLOCK, which takes a frame referenced again after its
 * first turn, as CLOCK's hand does. A scan touches each page once, so it
 * passes through the small queue and never displaces the main queue.
 * Pinned frames wait in the main queue, where they do not count against
 * the small queue's tenth. A queue that went twice round without a victim
 * (its frames busy, or dirty with nowhere to go) hands over to the other.
 */
#include "swapmem_drv.h"

/**
 * enum swapmem_s3fifo_queue - where a frame is (swapmem_frame.queue)
 * @SWAPMEM_Q_NONE: not queued (free, or between owners)
 * @SWAPMEM_Q_SMALL: new pages: one sampled pass
 * @SWAPMEM_Q_MAIN: pages referenced again in the small queue, ghosts,
 *	pinned pages
 */
enum swapmem_s3fifo_queue {
	SWAPMEM_Q_NONE,
	SWAPMEM_Q_SMALL,
	SWAPMEM_Q_MAIN,
};

/**
 * struct swapmem_s3fifo - the state of S3-FIFO on a device
 * @small: the small queue, oldest first
 * @main: the main queue, oldest first
 * @nr_small: frames in @small
 * @nr_main: frames in @main
 * @wb_cursor: a list node in @small or @main that a run of the
 *	background writeback goes on from; empty between runs
 * @wb_cursor_main: @wb_cursor is in @main
 * @wb_seen: frames that run has looked at
 */
struct swapmem_s3fifo {
	struct list_head small;
	struct list_head main;
	unsigned long nr_small;
	unsigned long nr_main;
	struct list_head wb_cursor;
	bool wb_cursor_main;
	unsigned long wb_seen;
};

static struct swapmem_s3fifo *swapmem_s3fifo(struct swapmem_device *sdev)
{
	lockdep_assert_held(&sdev->pool_lock);
	return sdev->policy_priv;
}

/* Queue an owned frame at the tail of the small or main queue. */
static void swapmem_queue_add(struct swapmem_s3fifo *p, struct swapmem_frame *f,
			      enum swapmem_s3fifo_queue q)
{
	if (q == SWAPMEM_Q_MAIN) {
		list_add_tail(&f->link, &p->main);
		p->nr_main++;
	} else {
		list_add_tail(&f->link, &p->small);
		p->nr_small++;
	}
	f->queue = q;
}

static void swapmem_queue_del(struct swapmem_s3fifo *p, struct swapmem_frame *f)
{
	if (f->queue == SWAPMEM_Q_NONE)
		return;
	list_del(&f->link);
	if (f->queue == SWAPMEM_Q_MAIN)
		p->nr_main--;
	else
		p->nr_small--;
	f->queue = SWAPMEM_Q_NONE;
}

/* The first frame of queue @q, passing over the writeback's cursor. */
static struct swapmem_frame *swapmem_queue_head(struct swapmem_s3fifo *p,
						struct list_head *q)
{
	struct list_head *e = q->next;

	if (e == &p->wb_cursor)
		e = e->next;
	return e == q ? NULL : list_entry(e, struct swapmem_frame, link);
}

/* Owned frames join the main queue: they have been in use for a while. */
static void swapmem_s3fifo_start(struct swapmem_device *sdev)
{
	struct swapmem_s3fifo *p = swapmem_s3fifo(sdev);
	unsigned long i;

	INIT_LIST_HEAD(&p->small);
	INIT_LIST_HEAD(&p->main);
	INIT_LIST_HEAD(&p->wb_cursor);
	for (i = 0; i < sdev->nr_frames; i++) {
		if (sdev->frames[i]->space)
			swapmem_queue_add(p, sdev->frames[i], SWAPMEM_Q_MAIN);
		if (!(i % SWAPMEM_WALK_BATCH))
			cond_resched();
	}
}

static void swapmem_s3fifo_stop(struct swapmem_device *sdev)
{
	struct swapmem_s3fifo *p = swapmem_s3fifo(sdev);
	struct swapmem_frame *f, *tmp;
	unsigned long n = 0;

	list_del_init(&p->wb_cursor);
	list_for_each_entry_safe(f, tmp, &p->small, link) {
		swapmem_queue_del(p, f);
		if (!(++n % SWAPMEM_WALK_BATCH))
			cond_resched();
	}
	list_for_each_entry_safe(f, tmp, &p->main, link) {
		swapmem_queue_del(p, f);
		if (!(++n % SWAPMEM_WALK_BATCH))
			cond_resched();
	}
}

/* A ghost was referenced again soon after leaving: main queue. */
static void swapmem_s3fifo_inserted(struct swapmem_device *sdev,
				    struct swapmem_frame *f, bool ghost)
{
	/* on no list: f->link is the free list's or a queue's, never both */
	if (WARN_ON_ONCE(f->queue != SWAPMEM_Q_NONE))
		return;
	swapmem_queue_add(swapmem_s3fifo(sdev), f,
			  ghost ? SWAPMEM_Q_MAIN : SWAPMEM_Q_SMALL);
}

static void swapmem_s3fifo_removed(struct swapmem_device *sdev,
				   struct swapmem_frame *f)
{
	swapmem_queue_del(swapmem_s3fifo(sdev), f);
}

static void swapmem_s3fifo_pinned(struct swapmem_device *sdev,
				  struct swapmem_frame *f)
{
	struct swapmem_s3fifo *p = swapmem_s3fifo(sdev);

	if (f->queue == SWAPMEM_Q_SMALL) {
		swapmem_queue_del(p, f);
		swapmem_queue_add(p, f, SWAPMEM_Q_MAIN);
	}
}

/*
 * What to do with @f at the head of the small queue (@small) or the main
 * one, whose @first turn this is: 1 to spare it, 0 to try it as a victim.
 */
static int swapmem_s3fifo_spare(struct swapmem_device *sdev,
				struct swapmem_s3fifo *p, struct swapmem_frame *f,
				bool small, bool first)
{
	if (small && !test_and_set_bit(SWAPMEM_FRAME_SAMPLED, &f->flags)) {
		clear_bit(SWAPMEM_FRAME_REF, &f->flags);
		swapmem_frame_spare(sdev, f);
		return 1;
	}
	if (small && test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
		swapmem_queue_del(p, f);
		swapmem_queue_add(p, f, SWAPMEM_Q_MAIN);
		/* unmapped, or its uses in the main queue would never show */
		swapmem_frame_spare(sdev, f);
		return 1;
	}
	/* as the hand: the second turn leaves REF alone */
	if (!small && first && test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
		swapmem_frame_spare(sdev, f);
		return 1;
	}
	return 0;
}

static int swapmem_s3fifo_find_victim(struct swapmem_device *sdev,
				      struct swapmem_search *s)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	struct swapmem_s3fifo *p = swapmem_s3fifo(sdev);
	unsigned long target = max(1UL, sdev->nr_frames / 10);
	unsigned long steps, limit = 2 * (p->nr_small + p->nr_main) + 2;
	/* per queue (main, small): steps taken in it, and its largest length */
	unsigned long seen[2] = { 0, 0 };
	unsigned long len[2] = { p->nr_main, p->nr_small };
	struct swapmem_frame *f;
	struct list_head *q;
	bool small;
	int ret;

	/* readahead's clean-only search: no further than the hand's (CLOCK) */
	if (s->how & SWAPMEM_RECLAIM_CLEAN_ONLY)
		limit = min(limit, (unsigned long)SWAPMEM_WALK_BATCH);
	for (steps = 0; steps < limit; steps++) {
		if (swapmem_search_pause(sdev, s, steps))
			return 0;
		len[0] = max(len[0], p->nr_main);
		len[1] = max(len[1], p->nr_small);
		small = p->nr_small > target || !p->nr_main;
		if (seen[small] > 2 * len[small] &&
		    (small ? p->nr_main : p->nr_small))
			small = !small;
		seen[small]++;
		q = small ? &p->small : &p->main;
		f = swapmem_queue_head(p, q);
		if (!f)
			return 0;
		swapmem_stat_inc(sdev, hand_steps);
		/* whatever happens to it now, it is looked at last next time */
		list_move_tail(&f->link, q);
		if (!swapmem_search_may_take(s, f) ||
		    swapmem_s3fifo_spare(sdev, p, f, small, seen[0] <= len[0]))
			continue;
		ret = swapmem_search_try(sdev, s, f, small ? SWAPMEM_EVICT_GHOST : 0);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The frames at the heads of the small and then the main queue, on from
 * the cursor where the last batch of this run stopped.
 */
static void swapmem_s3fifo_writeback_pick(struct swapmem_device *sdev,
					  struct swapmem_batch_io *b,
					  unsigned long window)
{
	struct swapmem_s3fifo *p = swapmem_s3fifo(sdev);
	struct swapmem_frame *f;
	struct list_head *q, *e;

	if (list_empty(&p->wb_cursor)) {
		p->wb_seen = 0;
		p->wb_cursor_main = false;
		list_add(&p->wb_cursor, &p->small);
	}
	q = p->wb_cursor_main ? &p->main : &p->small;
	for (e = p->wb_cursor.next; e != &p->main; e = e->next) {
		if (e == &p->small) {
			/* the small queue is done: the main one, from its head */
			q = &p->main;
			e = &p->main;
			continue;
		}
		if (p->wb_seen >= window || swapmem_writeback_full(b))
			break;
		if (!(++p->wb_seen % SWAPMEM_WALK_BATCH))
			cond_resched();
		f = list_entry(e, struct swapmem_frame, link);
		if (!swapmem_writeback_offer(sdev, b, f))
			break;
	}
	/* the next batch starts at @e, in queue @q */
	list_move_tail(&p->wb_cursor, e);
	p->wb_cursor_main = q == &p->main;
}

static void swapmem_s3fifo_writeback_end(struct swapmem_device *sdev)
{
	list_del_init(&swapmem_s3fifo(sdev)->wb_cursor);
}

const struct swapmem_policy_ops swapmem_policy_s3fifo = {
	.name = "s3fifo",
	.priv_size = sizeof(struct swapmem_s3fifo),
	.start = swapmem_s3fifo_start,
	.stop = swapmem_s3fifo_stop,
	.inserted = swapmem_s3fifo_inserted,
	.removed = swapmem_s3fifo_removed,
	.pinned = swapmem_s3fifo_pinned,
	.find_victim = swapmem_s3fifo_find_victim,
	.writeback_pick = swapmem_s3fifo_writeback_pick,
	.writeback_end = swapmem_s3fifo_writeback_end,
};
