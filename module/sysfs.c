// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem sysfs: /sys/class/swapmem/swapmemN/, one value per file, and its
 * counters in stats/.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swapmem.h>
#include <linux/sysfs.h>

#include "swapmem_drv.h"

static ssize_t pool_size_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(swapmem_dev(dev)->nr_frames) << PAGE_SHIFT);
}

static ssize_t pool_size_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	u64 size;
	int ret;

	if (swapmem_parse_size(buf, &size) || size < SWAPMEM_POOL_MIN ||
	    size > swapmem_pool_max()) {
		pr_err_ratelimited("swapmem%d: pool_size: not a size from %lu KiB to half of RAM (%lu MiB)\n",
				   sdev->id, SWAPMEM_POOL_MIN >> 10, swapmem_pool_max() >> 20);
		return -EINVAL;
	}
	if (mutex_lock_killable(&sdev->config_lock))
		return -EINTR;
	ret = swapmem_pool_resize(sdev, PAGE_ALIGN(size) >> PAGE_SHIFT);
	mutex_unlock(&sdev->config_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(pool_size);

static ssize_t nr_spaces_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", swapmem_spaces(swapmem_dev(dev)));
}
static DEVICE_ATTR_RO(nr_spaces);

static ssize_t backing_dev_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	struct swapmem_store *st;
	ssize_t ret;

	/* no lock any user could wait on behind a slow change: RCU */
	rcu_read_lock();
	st = rcu_dereference(sdev->store);
	ret = sysfs_emit(buf, "%s\n", st ? st->path : "none");
	rcu_read_unlock();
	return ret;
}

static ssize_t backing_dev_store(struct device *dev, struct device_attribute *attr,
				 const char *buf, size_t len)
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	char *path, *p;
	int ret;

	/* any path sysfs passes: a page at most, /dev/disk/by-id/ names too */
	path = kstrndup(buf, len, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	p = strim(path);
	ret = -EINVAL;
	if (!*p)
		goto out;
	ret = -EINTR;
	if (mutex_lock_killable(&sdev->config_lock))
		goto out;
	ret = swapmem_store_change(sdev, strcmp(p, "none") ? p : NULL);
	mutex_unlock(&sdev->config_lock);
out:
	kfree(path);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(backing_dev);

static const char * const swapmem_acct_names[] = {
	[SWAPMEM_ACCT_OVERCOMMIT] = "overcommit",
	[SWAPMEM_ACCT_STRICT] = "strict",
};

/* Every policy, the device's in brackets, as the block layer's scheduler. */
static ssize_t policy_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	const struct swapmem_policy_ops *cur = READ_ONCE(swapmem_dev(dev)->policy);
	int i, len = 0;

	for (i = 0; swapmem_policies[i]; i++)
		len += sysfs_emit_at(buf, len, swapmem_policies[i] == cur ?
				     "%s[%s]" : "%s%s", i ? " " : "",
				     swapmem_policies[i]->name);
	return len + sysfs_emit_at(buf, len, "\n");
}

/* A new policy takes effect at the next victim search; no page moves. */
static ssize_t policy_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	int i = swapmem_policy_find(buf);

	if (i < 0)
		return -EINVAL;
	i = swapmem_policy_set(swapmem_dev(dev), i);
	return i ? i : len;
}
static DEVICE_ATTR_RW(policy);

static ssize_t accounting_show(struct device *dev, struct device_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  swapmem_acct_names[READ_ONCE(swapmem_dev(dev)->accounting)]);
}

/*
 * Applies to mappings made from now on; strict is refused (EBUSY) while
 * the spaces already map more than the device holds.
 */
static ssize_t accounting_store(struct device *dev, struct device_attribute *attr,
				const char *buf, size_t len)
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	int i = sysfs_match_string(swapmem_acct_names, buf), ret = 0;

	if (i < 0)
		return -EINVAL;
	if (mutex_lock_killable(&sdev->pool_lock))
		return -EINTR;
	if (i == SWAPMEM_ACCT_STRICT && sdev->committed > swapmem_capacity(sdev)) {
		pr_err_ratelimited("swapmem%d: accounting: its spaces map %lu pages, more than the %lu it holds: busy\n",
				   sdev->id, sdev->committed, swapmem_capacity(sdev));
		ret = -EBUSY;
	} else {
		sdev->accounting = i;
	}
	mutex_unlock(&sdev->pool_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(accounting);

static ssize_t pin_limit_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  READ_ONCE(swapmem_dev(dev)->pin_limit) << PAGE_SHIFT);
}

/* At most half the pool; not below what is pinned now (-EBUSY). */
static ssize_t pin_limit_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	int ret = 0;
	u64 size;

	if (swapmem_parse_size(buf, &size))
		return -EINVAL;
	if (mutex_lock_killable(&sdev->pool_lock))
		return -EINTR;
	if (size >> PAGE_SHIFT > sdev->nr_frames / 2)
		ret = -EINVAL;
	else if (size >> PAGE_SHIFT < sdev->nr_pinned)
		ret = -EBUSY;
	else
		sdev->pin_limit = size >> PAGE_SHIFT;
	mutex_unlock(&sdev->pool_lock);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(pin_limit);

static ssize_t reset_stats_store(struct device *dev, struct device_attribute *attr,
				 const char *buf, size_t len)
{
	bool reset;

	if (kstrtobool(buf, &reset) || !reset)
		return -EINVAL;
	swapmem_stats_reset(swapmem_dev(dev));
	return len;
}
static DEVICE_ATTR_WO(reset_stats);

static ssize_t readahead_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(swapmem_dev(dev)->ra_max));
}

/* Pages read ahead of a sequential major fault, at most; 0 turns it off. */
static ssize_t readahead_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t len)
{
	unsigned int pages;

	if (kstrtouint(buf, 10, &pages) || pages > SWAPMEM_RA_MAX)
		return -EINVAL;
	WRITE_ONCE(swapmem_dev(dev)->ra_max, pages);
	return len;
}
static DEVICE_ATTR_RW(readahead);

static ssize_t fault_around_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(swapmem_dev(dev)->fault_around));
}

/* Most pages a read fault maps, its own included; 1 maps its own only. */
static ssize_t fault_around_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t len)
{
	unsigned int pages;

	if (kstrtouint(buf, 10, &pages) || !pages ||
	    pages > SWAPMEM_FAULT_AROUND_MAX)
		return -EINVAL;
	WRITE_ONCE(swapmem_dev(dev)->fault_around, pages);
	return len;
}
static DEVICE_ATTR_RW(fault_around);

static ssize_t writeback_reserve_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(swapmem_dev(dev)->wb_reserve));
}

/* Percent of the pool kept clean or free ahead of demand; 0 turns it off. */
static ssize_t writeback_reserve_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t len)
{
	unsigned int pct;

	if (kstrtouint(buf, 10, &pct) || pct > SWAPMEM_WB_RESERVE_MAX)
		return -EINVAL;
	WRITE_ONCE(swapmem_dev(dev)->wb_reserve, pct);
	return len;
}
static DEVICE_ATTR_RW(writeback_reserve);

static struct attribute *swapmem_dev_attrs[] = {
	&dev_attr_pool_size.attr,
	&dev_attr_nr_spaces.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_policy.attr,
	&dev_attr_accounting.attr,
	&dev_attr_pin_limit.attr,
	&dev_attr_reset_stats.attr,
	&dev_attr_readahead.attr,
	&dev_attr_fault_around.attr,
	&dev_attr_writeback_reserve.attr,
	NULL,
};

static const struct attribute_group swapmem_dev_group = {
	.attrs = swapmem_dev_attrs,
};

/* stats/: the counters, then gauges of the pool and the store. */
struct swapmem_stat_attr {
	struct device_attribute attr;
	enum swapmem_stat item;
};

static ssize_t swapmem_stat_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct swapmem_stat_attr *sa = container_of(attr, struct swapmem_stat_attr, attr);

	return sysfs_emit(buf, "%lu\n", swapmem_stat_read(swapmem_dev(dev), sa->item));
}

static struct swapmem_stat_attr swapmem_stat_attrs[] = {
#define SWAPMEM_COUNTER(name) \
	{ __ATTR(name, 0444, swapmem_stat_show, NULL), SWAPMEM_STAT_##name },
#include "counters.h"
#undef SWAPMEM_COUNTER
};

/* What the hand costs: frames it looked at per victim, two decimals. */
static ssize_t scanned_per_eviction_show(struct device *dev,
					 struct device_attribute *attr, char *buf)
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	unsigned long steps = swapmem_stat_read(sdev, SWAPMEM_STAT_hand_steps);
	unsigned long ev = swapmem_stat_read(sdev, SWAPMEM_STAT_evictions_clean) +
			   swapmem_stat_read(sdev, SWAPMEM_STAT_evictions_dirty);
	unsigned long x100 = ev ? steps * 100 / ev : 0;

	return sysfs_emit(buf, "%lu.%02lu\n", x100 / 100, x100 % 100);
}
static DEVICE_ATTR_RO(scanned_per_eviction);

static ssize_t frames_free_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(swapmem_dev(dev)->nr_free));
}
static DEVICE_ATTR_RO(frames_free);

static ssize_t frames_used_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", swapmem_frames_used(swapmem_dev(dev)));
}
static DEVICE_ATTR_RO(frames_used);

static ssize_t frames_dirty_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", swapmem_frames_dirty(swapmem_dev(dev)));
}
static DEVICE_ATTR_RO(frames_dirty);

static ssize_t frames_pinned_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(swapmem_dev(dev)->nr_pinned));
}
static DEVICE_ATTR_RO(frames_pinned);

static ssize_t frames_held_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(swapmem_dev(dev)->nr_held));
}
static DEVICE_ATTR_RO(frames_held);

/* A gauge of the store, 0 without one; what @get reads of it, under RCU. */
static ssize_t swapmem_store_gauge(struct device *dev, char *buf,
				   unsigned long (*get)(struct swapmem_store *st))
{
	struct swapmem_device *sdev = swapmem_dev(dev);
	struct swapmem_store *st;
	unsigned long v = 0;

	rcu_read_lock();
	st = rcu_dereference(sdev->store);
	if (st)
		v = get(st);
	rcu_read_unlock();
	return sysfs_emit(buf, "%lu\n", v);
}

static unsigned long swapmem_store_used(struct swapmem_store *st)
{
	return READ_ONCE(st->used);
}

static unsigned long swapmem_store_bad(struct swapmem_store *st)
{
	return READ_ONCE(st->bad);
}

/* slot 0 is never used */
static unsigned long swapmem_store_total(struct swapmem_store *st)
{
	return st->nr_slots - 1;
}

static ssize_t slots_used_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return swapmem_store_gauge(dev, buf, swapmem_store_used);
}
static DEVICE_ATTR_RO(slots_used);

static ssize_t slots_bad_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return swapmem_store_gauge(dev, buf, swapmem_store_bad);
}
static DEVICE_ATTR_RO(slots_bad);

static ssize_t slots_total_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return swapmem_store_gauge(dev, buf, swapmem_store_total);
}
static DEVICE_ATTR_RO(slots_total);

static struct attribute *swapmem_stats_attrs[] = {
#define SWAPMEM_COUNTER(name) (&swapmem_stat_attrs[SWAPMEM_STAT_##name].attr.attr),
#include "counters.h"
#undef SWAPMEM_COUNTER
	&dev_attr_scanned_per_eviction.attr,
	&dev_attr_frames_free.attr,
	&dev_attr_frames_used.attr,
	&dev_attr_frames_dirty.attr,
	&dev_attr_frames_pinned.attr,
	&dev_attr_frames_held.attr,
	&dev_attr_slots_used.attr,
	&dev_attr_slots_bad.attr,
	&dev_attr_slots_total.attr,
	NULL,
};

static const struct attribute_group swapmem_stats_group = {
	.name = "stats",
	.attrs = swapmem_stats_attrs,
};

/*
 * latency/: one histogram per file, one bucket per line: the bucket's
 * upper bound in nanoseconds (2^(k+10); the last line is "inf") and how
 * many faults took less than that and at least the bound of the line above.
 */
static ssize_t swapmem_hist_emit(struct device *dev, enum swapmem_lat which,
				 char *buf)
{
	unsigned long hist[SWAPMEM_LAT_BUCKETS];
	int k, len = 0;

	swapmem_lat_read(swapmem_dev(dev), which, hist);
	for (k = 0; k < SWAPMEM_LAT_BUCKETS - 1; k++)
		len += sysfs_emit_at(buf, len, "%llu %lu\n", 1ULL << (k + 10), hist[k]);
	len += sysfs_emit_at(buf, len, "inf %lu\n", hist[k]);
	return len;
}

static ssize_t minor_fault_ns_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return swapmem_hist_emit(dev, SWAPMEM_LAT_MINOR, buf);
}
static DEVICE_ATTR_RO(minor_fault_ns);

static ssize_t major_fault_ns_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return swapmem_hist_emit(dev, SWAPMEM_LAT_MAJOR, buf);
}
static DEVICE_ATTR_RO(major_fault_ns);

static struct attribute *swapmem_latency_attrs[] = {
	&dev_attr_minor_fault_ns.attr,
	&dev_attr_major_fault_ns.attr,
	NULL,
};

static const struct attribute_group swapmem_latency_group = {
	.name = "latency",
	.attrs = swapmem_latency_attrs,
};

const struct attribute_group *swapmem_dev_groups[] = {
	&swapmem_dev_group,
	&swapmem_stats_group,
	&swapmem_latency_group,
	NULL,
};
