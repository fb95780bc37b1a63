/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uffd-pager: a userfaultfd pager, the performance lab's user-space peer of
 * swapmem (see uffd-pager.c). Read-only: the pager never writes a page back,
 * so the peer's workloads only read; what is stored into the mapping is lost
 * when the page is evicted.
 *
 * Every function prints the cause and exits with status 1 on failure.
 */
#ifndef UFFD_PAGER_H
#define UFFD_PAGER_H

#include <linux/types.h>

struct uffd_pager_stats {
	unsigned long faults;		/* fault events served by a read */
	unsigned long evictions;	/* pages dropped with MADV_DONTNEED */
	unsigned long already;		/* events whose page was already in */
};

/*
 * Open the block device (or file) PATH with O_DIRECT for a space of NPAGES
 * 4 KiB pages, at most RESIDENT of them resident, served by HANDLERS
 * threads (RESIDENT >= HANDLERS >= 1). WRITABLE: open for uffd_pager_fill.
 */
void uffd_pager_open(const char *path, unsigned long npages,
		     unsigned long resident, unsigned int handlers, int writable);

/*
 * Write page P of the device with WORD(P) as its first word, zeros after,
 * for every page, with O_DIRECT in large batches; not through the mapping.
 */
void uffd_pager_fill(__u64 (*word)(unsigned long p));

/*
 * Map the space (private anonymous memory registered with userfaultfd for
 * missing pages) and start the handlers; nothing is resident. Unmapping
 * stops them and drops every resident page.
 */
void *uffd_pager_map(void);
void uffd_pager_unmap(void);

/* Counts since uffd_pager_open, over every mapping. */
void uffd_pager_get_stats(struct uffd_pager_stats *st);

#endif /* UFFD_PAGER_H */
