// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem replacement policies: the table of them, and switching a
 * device from one to another (policy.h).
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swapmem.h>

#include "swapmem_drv.h"

/*
 * Every policy there is, at its SWAPMEM_POLICY_* number (uapi): a new
 * policy is a file of its own and a line here.
 */
const struct swapmem_policy_ops *const swapmem_policies[] = {
	[SWAPMEM_POLICY_CLOCK] = &swapmem_policy_clock,
	[SWAPMEM_POLICY_FIFO] = &swapmem_policy_fifo,
	[SWAPMEM_POLICY_S3FIFO] = &swapmem_policy_s3fifo,
	NULL,
};

/**
 * swapmem_policy_find() - a policy by name
 * @buf: the name, with or without a trailing newline
 *
 * Return: its index in swapmem_policies[], or -EINVAL.
 */
int swapmem_policy_find(const char *buf)
{
	int i;

	for (i = 0; swapmem_policies[i]; i++)
		if (sysfs_streq(buf, swapmem_policies[i]->name))
			return i;
	return -EINVAL;
}

/**
 * swapmem_policy_index() - a policy's SWAPMEM_POLICY_* number
 * @ops: one of swapmem_policies[]
 *
 * Return: its index in swapmem_policies[].
 */
int swapmem_policy_index(const struct swapmem_policy_ops *ops)
{
	int i;

	for (i = 0; swapmem_policies[i]; i++)
		if (swapmem_policies[i] == ops)
			return i;
	WARN_ON_ONCE(1);
	return 0;
}

/**
 * swapmem_policy_set() - make a policy the device's
 * @sdev: the device
 * @index: the policy's index in swapmem_policies[]
 *
 * The old policy lets go of the owned frames and the new one takes them
 * in; no page moves. Variants of one implementation (the same @start:
 * CLOCK and FIFO) keep its state, the hand where it is. A victim search
 * of the old policy that let go of the pool lock meanwhile ends, and its
 * caller searches again with the new one (sdev->policy_seq).
 *
 * Context: process context, no pool lock held; sleeps.
 * Return: 0, -ENOMEM or -EINTR.
 */
int swapmem_policy_set(struct swapmem_device *sdev, unsigned int index)
{
	const struct swapmem_policy_ops *ops = swapmem_policies[index];
	void *priv = NULL, *old;

	/* variants of one implementation (CLOCK, FIFO) share its state */
	if (mutex_lock_killable(&sdev->pool_lock))
		return -EINTR;
	if (sdev->policy && sdev->policy->start == ops->start &&
	    sdev->policy->priv_size == ops->priv_size) {
		if (sdev->policy != ops) {
			WRITE_ONCE(sdev->policy, ops);
			sdev->policy_seq++;
		}
		mutex_unlock(&sdev->pool_lock);
		return 0;
	}
	mutex_unlock(&sdev->pool_lock);

	if (ops->priv_size) {
		priv = kzalloc(ops->priv_size, GFP_KERNEL);
		if (!priv)
			return -ENOMEM;
	}
	if (mutex_lock_killable(&sdev->pool_lock)) {
		kfree(priv);
		return -EINTR;
	}
	if (sdev->policy == ops) {
		/* another switch to it came first */
		mutex_unlock(&sdev->pool_lock);
		kfree(priv);
		return 0;
	}
	if (sdev->policy)
		sdev->policy->stop(sdev);
	old = sdev->policy_priv;
	sdev->policy_priv = priv;
	WRITE_ONCE(sdev->policy, ops);
	sdev->policy_seq++;
	ops->start(sdev);
	mutex_unlock(&sdev->pool_lock);
	kfree(old);
	return 0;
}

/**
 * swapmem_policy_exit() - a device's policy lets go, its state is freed
 * @sdev: a device with no spaces
 */
void swapmem_policy_exit(struct swapmem_device *sdev)
{
	mutex_lock(&sdev->pool_lock);
	if (sdev->policy)
		sdev->policy->stop(sdev);
	sdev->policy = NULL;
	mutex_unlock(&sdev->pool_lock);
	kfree(sdev->policy_priv);
	sdev->policy_priv = NULL;
}
