// SPDX-License-Identifier: GPL-2.0
/*
 * swapmem race windows, for stress tests only: built into swapmem.ko when
 * SWAPMEM_DEBUG_RACES=1 is given to make (the lab's debug lane does), never
 * into a release build.
 *
 * The lockless paths of the pager have windows where another thread's
 * change must be either seen or kept out (see "Locking" in swapmem_drv.h):
 * a PTE installed after MAPPED is set, an unmap between clearing MAPPED and
 * zapping, a frame looked up under RCU before it is locked. On a real
 * machine those windows are a few instructions wide and a race that
 * breaks an invariant may need days to show. Here each window waits, one
 * passage in four, a random while of up to race_delay_us microseconds, so
 * that a stress test meets those interleavings in seconds.
 */
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/random.h>

#include "swapmem_drv.h"

static unsigned int swapmem_race_delay_us;
module_param_named(race_delay_us, swapmem_race_delay_us, uint, 0644);
MODULE_PARM_DESC(race_delay_us,
		 "Debug builds only: widen the pager's race windows by a random wait of up to this many microseconds, one passage in four. Default: 0 (off)");

/**
 * swapmem_race_window() - wait a while in a named race window, maybe
 * @where: the window
 *
 * Context: the lookup window runs under RCU and the settle window in a
 * bio's completion: they spin (at most 100 us); every other window may
 * sleep.
 */
void swapmem_race_window(enum swapmem_race where)
{
	unsigned int us = READ_ONCE(swapmem_race_delay_us);

	if (!us || get_random_u32() % 4)
		return;
	us = get_random_u32() % us + 1;
	if (where == SWAPMEM_RACE_LOOKUP || where == SWAPMEM_RACE_SETTLE)
		udelay(min(us, 100U));
	else
		usleep_range(us, us + us / 4 + 1);
}
