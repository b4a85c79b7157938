/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The populate state of a DMA buffer when it is mapped: what touched its
 * pages before VFIO_IOMMU_MAP_DMA pinned them.  A VMM meets all three:
 *
 *   write  every page written (a guest that ran, QEMU with prealloc): the
 *          pin finds present, writable, dirty pages;
 *   read   every page read (MAP_POPULATE of a shared mapping, memory only
 *          read so far): the pin takes a write fault on each page (the
 *          zero page of a private mapping is replaced, a clean shared page
 *          made writable);
 *   none   nothing touched it (QEMU without prealloc maps guest RAM before
 *          the guest runs): the pin faults in and zeroes every page, so
 *          the map is the whole cost.
 *
 * The state is made in the timed populate phase and verified per sample
 * outside it, from /proc/self/pagemap (present pages) and smaps
 * (resident and dirty bytes): a sample in another state than its case
 * says is unverified.
 */
#ifndef VFIO_PERF_POPULATE_H
#define VFIO_PERF_POPULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum populate_state {
	POPULATE_WRITE, POPULATE_READ, POPULATE_NONE, POPULATE_NSTATES,
};

/* "write", "read", "none": the case field (docs/results.md). */
extern const char *const populate_names[POPULATE_NSTATES];

/* The state named @name, or -1. */
int populate_find(const char *name);

/*
 * How this kernel gets state @s: "MADV_POPULATE_WRITE" and
 * "MADV_POPULATE_READ" where madvise() has them (5.14 and later), else
 * "write loop" and "read loop" (one access per 4 KiB); "nothing" for
 * none.  Probed once, on the first call.
 */
const char *populate_method(enum populate_state s);

/* Put [va, va + size) in state @s by populate_method(s): timed. 0 or -errno. */
int populate_buffer(void *va, uint64_t size, enum populate_state s);

/* What the buffer holds before its map. */
struct populate_seen {
	uint64_t pages;		/* 4 KiB pages of the buffer */
	uint64_t present;	/* of them present in pagemap (the zero page too) */
	uint64_t resident;	/* bytes: smaps Rss, Shared_Hugetlb, Private_Hugetlb */
	uint64_t dirty;		/* bytes: smaps Shared_Dirty + Private_Dirty */
	bool dirty_visible;	/* false for hugetlb: smaps counts no dirty bytes of it */
	uint64_t vma_bytes;	/* the VMAs smaps counted: the buffer's size, or smaps
				 * figures include a neighbour it merged with */
};

/*
 * Read what [va, va + size) holds: pagemap's present bits (readable
 * without privilege) and the smaps counters of its VMA.  @hugetlb: the
 * buffer is of the hugetlb pool.  0 or -errno.
 */
int populate_observe(const void *va, uint64_t size, bool hugetlb,
		     struct populate_seen *seen);

/*
 * Whether @seen is state @s: none has no page present and nothing
 * resident; read has every page present and none dirty (a private
 * buffer holds the zero page, resident 0; a shared one clean pages);
 * write has every page present, resident and dirty.  Hugetlb pages show
 * no dirty figure, so for them read and write both ask every page
 * present and resident, and the method tells them apart.  The smaps
 * figures must be of the buffer alone (vma_bytes its size).  False with
 * the reason in @why.
 */
bool populate_check(enum populate_state s, const struct populate_seen *seen,
		    char *why, size_t whylen);

#endif
