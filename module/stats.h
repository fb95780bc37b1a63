/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swapmem counters: per-CPU, so that faults on many CPUs share no cache
 * line; summed when read. A reset remembers the sums instead of writing
 * other CPUs' counters, so an increment racing it is never lost or undone.
 */
#ifndef _SWAPMEM_STATS_H
#define _SWAPMEM_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

/*
 * enum swapmem_stat - a device's counters, one file each in stats/: one
 * per line of counters.h, where each is described; SWAPMEM_NR_STATS
 * counts them.
 */
enum swapmem_stat {
#define SWAPMEM_COUNTER(name) SWAPMEM_STAT_##name,
#include "counters.h"
#undef SWAPMEM_COUNTER
	SWAPMEM_NR_STATS,
};

/* Fault latency histograms: bucket k counts latencies below 2^(k+10) ns. */
#define SWAPMEM_LAT_BUCKETS	24

/**
 * enum swapmem_lat - the fault latency histograms (latency/)
 * @SWAPMEM_LAT_MINOR: minor faults
 * @SWAPMEM_LAT_MAJOR: major faults
 * @SWAPMEM_NR_LAT: how many
 */
enum swapmem_lat {
	SWAPMEM_LAT_MINOR,
	SWAPMEM_LAT_MAJOR,
	SWAPMEM_NR_LAT,
};

/**
 * struct swapmem_dev_stats - a device's counters, one copy per CPU
 * @v: one per enum swapmem_stat; units in counters.h
 * @lat: per enum swapmem_lat, log2 buckets (faults)
 */
struct swapmem_dev_stats {
	unsigned long v[SWAPMEM_NR_STATS];
	unsigned long lat[SWAPMEM_NR_LAT][SWAPMEM_LAT_BUCKETS];
};

#define swapmem_stat_inc(sdev, item) \
	this_cpu_inc((sdev)->stats->v[SWAPMEM_STAT_##item])
#define swapmem_stat_add(sdev, item, n) \
	this_cpu_add((sdev)->stats->v[SWAPMEM_STAT_##item], n)

struct swapmem_device;

/* stats.c */
int swapmem_stats_init(struct swapmem_device *sdev);
void swapmem_stats_exit(struct swapmem_device *sdev);
unsigned long swapmem_stat_read(struct swapmem_device *sdev,
				enum swapmem_stat item);
void swapmem_lat_read(struct swapmem_device *sdev, enum swapmem_lat which,
		      unsigned long *hist);
void swapmem_lat_add(struct swapmem_device *sdev, enum swapmem_lat which,
		     u64 start);
void swapmem_stats_reset(struct swapmem_device *sdev);

#endif /* _SWAPMEM_STATS_H */
