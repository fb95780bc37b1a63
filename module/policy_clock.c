// SPDX-License-Identifier: GPL-2.0
/*
 * CLOCK and FIFO replacement: a hand that sweeps the pool's frame table.
 *
 * CLOCK uses a software reference bit: every fault that maps a frame sets
 * REF. When the hand meets a frame with REF set it clears REF and unmaps
 * the frame from every process (a second chance), so the next access by
 * any program faults (a minor fault, no I/O) and sets REF again; a frame
 * the hand meets with REF clear is the victim. This reflects real accesses
 * by programs, not only the faults that brought pages in, and works on
 * every kernel from 6.1 to 7.3, where reading hardware accessed bits of
 * VM_PFNMAP mappings has no exported interface (see
 * Documentation/swapmem/design.rst for the comparison and the cost).
 *
 * FIFO is the same hand without second chances: the table's order is the
 * order frames were first used, so the oldest goes first.
 */
#include "swapmem_drv.h"

/**
 * struct swapmem_hand - the state of CLOCK or FIFO on a device
 * @hand: an index into the pool's frame table
 * @wb_next: the frame table index a run of the background writeback goes
 *	on from, ULONG_MAX between runs
 */
struct swapmem_hand {
	unsigned long hand;
	unsigned long wb_next;
};

static struct swapmem_hand *swapmem_hand(struct swapmem_device *sdev)
{
	lockdep_assert_held(&sdev->pool_lock);
	return sdev->policy_priv;
}

static bool swapmem_hand_is_clock(struct swapmem_device *sdev)
{
	return sdev->policy == &swapmem_policy_clock;
}

static void swapmem_hand_start(struct swapmem_device *sdev)
{
	swapmem_hand(sdev)->wb_next = ULONG_MAX;
}

static void swapmem_hand_stop(struct swapmem_device *sdev)
{
}

/* Where the hand is: back at the start if the pool shrank under it. */
static unsigned long swapmem_hand_pos(struct swapmem_device *sdev,
				      struct swapmem_hand *h)
{
	if (h->hand >= sdev->nr_frames)
		h->hand = 0;
	return h->hand;
}

/* Advance the hand by one frame and return the frame it was on. */
static struct swapmem_frame *swapmem_hand_step(struct swapmem_device *sdev)
{
	struct swapmem_hand *h = swapmem_hand(sdev);
	struct swapmem_frame *f = sdev->frames[swapmem_hand_pos(sdev, h)];

	if (++h->hand == sdev->nr_frames) {
		h->hand = 0;
		swapmem_stat_inc(sdev, hand_sweeps);
	}
	swapmem_stat_inc(sdev, hand_steps);
	return f;
}

/*
 * The hand sweeps the frame table, at most two turns. The first turn
 * spares referenced frames (CLOCK); on the second, a frame referenced
 * again since (a lockless minor fault set its bit behind the hand) is
 * taken all the same, so that a pool of evictable frames always gives a
 * victim. The second turn leaves REF alone: a frame it cannot take keeps
 * it. Readahead, which takes clean victims only, looks no further than
 * SWAPMEM_WALK_BATCH frames: in a pool of dirty pages a longer search
 * would send the hand round twice, unmapping every frame, for a window
 * that is only a guess.
 */
static int swapmem_hand_find_victim(struct swapmem_device *sdev,
				    struct swapmem_search *s)
	__releases(&sdev->pool_lock) __acquires(&sdev->pool_lock)
{
	unsigned long most = 2 * sdev->nr_frames;
	bool clock = swapmem_hand_is_clock(sdev);
	struct swapmem_frame *f;
	unsigned long scanned;
	int ret;

	if (s->how & SWAPMEM_RECLAIM_CLEAN_ONLY)
		most = min(most, (unsigned long)SWAPMEM_WALK_BATCH);
	for (scanned = 0; scanned < most; scanned++) {
		if (swapmem_search_pause(sdev, s, scanned))
			return 0;
		f = swapmem_hand_step(sdev);
		if (!f->space || !swapmem_search_may_take(s, f))
			continue;
		if (clock && scanned < sdev->nr_frames &&
		    test_and_clear_bit(SWAPMEM_FRAME_REF, &f->flags)) {
			swapmem_frame_spare(sdev, f);
			continue;
		}
		ret = swapmem_search_try(sdev, s, f, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The frames ahead of the hand, from where the last batch of this run
 * stopped (at the window's end: done), unless the hand has passed it.
 * Under CLOCK a referenced frame is passed over: it gets a second chance
 * before it can be a victim, and may well be written to again by then.
 */
static void swapmem_hand_writeback_pick(struct swapmem_device *sdev,
					struct swapmem_batch_io *b,
					unsigned long window)
{
	struct swapmem_hand *h = swapmem_hand(sdev);
	unsigned long i, nr = sdev->nr_frames, hand = swapmem_hand_pos(sdev, h);
	bool clock = swapmem_hand_is_clock(sdev);
	struct swapmem_frame *f;

	i = h->wb_next < nr ? (h->wb_next + nr - hand) % nr : 0;
	if (i > window)
		i = 0;
	for (; i < window && !swapmem_writeback_full(b); i++) {
		if (i && !(i % SWAPMEM_WALK_BATCH))
			cond_resched();
		f = sdev->frames[(hand + i) % nr];
		if (clock && test_bit(SWAPMEM_FRAME_REF, &f->flags))
			continue;
		if (!swapmem_writeback_offer(sdev, b, f))
			break;
	}
	h->wb_next = (hand + i) % nr;
}

static void swapmem_hand_writeback_end(struct swapmem_device *sdev)
{
	swapmem_hand(sdev)->wb_next = ULONG_MAX;
}

#define SWAPMEM_HAND_POLICY(_name)					\
const struct swapmem_policy_ops swapmem_policy_##_name = {		\
	.name = #_name,							\
	.priv_size = sizeof(struct swapmem_hand),			\
	.start = swapmem_hand_start,					\
	.stop = swapmem_hand_stop,					\
	.find_victim = swapmem_hand_find_victim,			\
	.writeback_pick = swapmem_hand_writeback_pick,			\
	.writeback_end = swapmem_hand_writeback_end,			\
}

SWAPMEM_HAND_POLICY(clock);
SWAPMEM_HAND_POLICY(fifo);
