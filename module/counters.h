/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's counters, one line each, in the order of the files of stats/:
 * SWAPMEM_COUNTER(name). The enum swapmem_stat (SWAPMEM_STAT_name), the
 * files of stats/, the fill of SWAPMEM_IOC_STATS (struct
 * swapmem_dev_counters has a field of each name) and the reset are made
 * from this list; a new counter is one line here and a field there.
 *
 * Included with SWAPMEM_COUNTER defined, so no include guard.
 */
/* faults served from a resident frame (faults) */
SWAPMEM_COUNTER(minor_faults)
/* faults that read the page from its slot (faults) */
SWAPMEM_COUNTER(major_faults)
/* first touches served with a zeroed frame (faults) */
SWAPMEM_COUNTER(zero_fill_faults)
/* minor faults on frames unmapped to sample their reference (faults) */
SWAPMEM_COUNTER(ref_faults)
/* victims dropped without a write (frames) */
SWAPMEM_COUNTER(evictions_clean)
/* victims written to their slot first (frames) */
SWAPMEM_COUNTER(evictions_dirty)
/* pages read from the backing device (pages) */
SWAPMEM_COUNTER(swap_reads)
/* pages written to the backing device (pages) */
SWAPMEM_COUNTER(swap_writes)
/* failed swap-ins; the access got SIGBUS (pages) */
SWAPMEM_COUNTER(read_errors)
/* failed write-outs; the page stayed resident (pages) */
SWAPMEM_COUNTER(write_errors)
/* faults that found no frame to free and got SIGBUS (faults) */
SWAPMEM_COUNTER(nomem_faults)
/* frames the replacement policy looked at (frames) */
SWAPMEM_COUNTER(hand_steps)
/* full turns of the CLOCK hand (turns) */
SWAPMEM_COUNTER(hand_sweeps)
/* referenced frames the policy spared (frames) */
SWAPMEM_COUNTER(second_chances)
/* freed slots discarded on the backing device (slots) */
SWAPMEM_COUNTER(discards)
/* major faults whose read ran without mmap_lock, then retried (faults) */
SWAPMEM_COUNTER(retry_faults)
/* pages read ahead of a sequential fault (pages) */
SWAPMEM_COUNTER(readahead_pages)
/* pages read ahead that a fault then found resident (pages) */
SWAPMEM_COUNTER(readahead_hits)
/* pages read ahead and evicted untouched (pages) */
SWAPMEM_COUNTER(readahead_wasted)
/* dirty pages the background writeback wrote ahead of demand (pages) */
SWAPMEM_COUNTER(writeback_pages)
/* plugged batches of writes the background writeback issued (batches) */
SWAPMEM_COUNTER(writeback_batches)
/* retired slots given another chance once the device wrote again (slots) */
SWAPMEM_COUNTER(slot_retries)
/* frames kept unwritten and unevicted: held outside the pool (frames) */
SWAPMEM_COUNTER(held_skips)
/* resident pages a read fault mapped beside its own (pages) */
SWAPMEM_COUNTER(around_pages)
