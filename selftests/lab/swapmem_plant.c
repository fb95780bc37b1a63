// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately broken module for the lab's own test: loading it raises the
 * kernel report named by the "plant" parameter, and scripts/vm-run must then
 * fail the run. It never loads for good: init returns -EAGAIN.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int swapmem_plant_warn = 1;
module_param_named(warn, swapmem_plant_warn, int, 0444);
MODULE_PARM_DESC(warn, "1: raise a WARN when loaded. Default: 1");

static int __init swapmem_plant_init(void)
{
	WARN(swapmem_plant_warn, "swapmem_plant: planted warning for the lab's runner test\n");
	return -EAGAIN;
}
module_init(swapmem_plant_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("swapmem lab: a planted kernel warning");
