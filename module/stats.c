// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem counters and fault latency histograms (stats.h): per-CPU
 * copies, summed when read; a reset remembers the sums as the new zero.
 */
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/percpu.h>

#include "swapmem_drv.h"

/**
 * swapmem_stats_init() - allocate a device's counters, all zero
 * @sdev: device being created
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int swapmem_stats_init(struct swapmem_device *sdev)
{
	sdev->stats = alloc_percpu(struct swapmem_dev_stats);
	return sdev->stats ? 0 : -ENOMEM;
}

/**
 * swapmem_stats_exit() - free a device's counters
 * @sdev: device going away
 */
void swapmem_stats_exit(struct swapmem_device *sdev)
{
	free_percpu(sdev->stats);
	sdev->stats = NULL;
}

static unsigned long swapmem_stat_sum(struct swapmem_device *sdev,
				      enum swapmem_stat item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(sdev->stats, cpu)->v[item]);
	return sum;
}

static unsigned long swapmem_lat_sum(struct swapmem_device *sdev,
				     enum swapmem_lat which, int k)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(sdev->stats, cpu)->lat[which][k]);
	return sum;
}

/**
 * swapmem_stat_read() - a counter of a device, since its last reset
 * @sdev: the device
 * @item: which
 *
 * Context: any; a snapshot.
 * Return: the count.
 */
unsigned long swapmem_stat_read(struct swapmem_device *sdev,
				enum swapmem_stat item)
{
	unsigned long base = READ_ONCE(sdev->stats_base.v[item]);
	long d = swapmem_stat_sum(sdev, item) - base;

	/* a reset that summed later than we did: zero, not 2^64 */
	return d > 0 ? d : 0;
}

/**
 * swapmem_lat_read() - a fault latency histogram, since the last reset
 * @sdev: the device
 * @which: minor or major faults
 * @hist: SWAPMEM_LAT_BUCKETS counts to fill
 *
 * Context: any; a snapshot.
 */
void swapmem_lat_read(struct swapmem_device *sdev, enum swapmem_lat which,
		      unsigned long *hist)
{
	unsigned long base;
	long d;
	int k;

	for (k = 0; k < SWAPMEM_LAT_BUCKETS; k++) {
		base = READ_ONCE(sdev->stats_base.lat[which][k]);
		d = swapmem_lat_sum(sdev, which, k) - base;
		hist[k] = d > 0 ? d : 0;
	}
}

/**
 * swapmem_lat_add() - count a fault's latency in its log2 bucket
 * @sdev: the device
 * @which: minor or major fault
 * @start: when the fault began (ktime_get_ns())
 *
 * Context: any.
 */
void swapmem_lat_add(struct swapmem_device *sdev, enum swapmem_lat which,
		     u64 start)
{
	u64 ns = ktime_get_ns() - start;
	int k = ns >> 10 ? ilog2(ns >> 10) + 1 : 0;

	this_cpu_inc(sdev->stats->lat[which][min(k, SWAPMEM_LAT_BUCKETS - 1)]);
}

/**
 * swapmem_stats_reset() - zero a device's counters and histograms (not its gauges)
 * @sdev: the device
 *
 * What each counts now becomes its zero; counting goes on meanwhile. A
 * read that races the reset sees the count before it, or after it, or 0.
 *
 * Context: process context.
 */
void swapmem_stats_reset(struct swapmem_device *sdev)
{
	static DEFINE_MUTEX(reset_lock);	/* resets never move the zero back */
	int i, k;

	mutex_lock(&reset_lock);
	for (i = 0; i < SWAPMEM_NR_STATS; i++)
		WRITE_ONCE(sdev->stats_base.v[i], swapmem_stat_sum(sdev, i));
	for (i = 0; i < SWAPMEM_NR_LAT; i++)
		for (k = 0; k < SWAPMEM_LAT_BUCKETS; k++)
			WRITE_ONCE(sdev->stats_base.lat[i][k],
				   swapmem_lat_sum(sdev, i, k));
	mutex_unlock(&reset_lock);
}
