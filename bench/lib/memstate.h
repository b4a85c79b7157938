/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of the free memory a buffer is taken from.
 *
 * type1 (and iommufd) map each run of physically contiguous pages with
 * one IOMMU call, so what mapping a buffer costs follows how contiguous
 * the free memory it got happened to be: in a freshly booted guest that
 * is anything from a dozen runs to one per page, and it alternates from
 * one sample to the next, because the per-cpu free lists and the
 * hugetlb pool are LIFO and hand the pages of the last buffer back in
 * reverse. The "-frag" backings (docs/results.md) take the buffer from
 * free memory in a known state instead, every page its own run, as on a
 * host that has been up for a while:
 *
 * - 4K pages, memstate_fragment(): a holder mapping takes about twice
 *   the buffer from the page allocator, then gives back each of its
 *   pages whose PFN is odd and whose buddy (the even PFN below it) it
 *   also holds. A page whose buddy is in use cannot merge, so the free
 *   lists get isolated order-0 pages, never two adjacent ones, and the
 *   allocator hands those out (per-cpu list first, then the smallest
 *   order of the buddy lists) before it splits any larger block. The
 *   holder keeps the buddies until the sample's buffer is gone,
 *   memstate_release().
 * - huge pages, memstate_hugetlb_descend(): the buffer's pages are
 *   taken from the pool and given back lowest PFN first; the pool's free
 *   list is LIFO, so the buffer gets them highest PFN first and no page
 *   continues the one before it.
 *
 * Either way the buffer's pfn-runs should equal its page count;
 * memstate_min_runs() is how close verification insists it comes.
 */
#ifndef VFIO_PERF_MEMSTATE_H
#define VFIO_PERF_MEMSTATE_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A fragmented buffer whose pages form fewer runs than this fraction of
 * its page count did not get the state it asked for. A buffer made only
 * of the holder's freed pages has exactly one run per page; what may
 * join two of them is a page something else freed next to one of ours,
 * a handful per sample. Below 90% the mechanism itself failed (the
 * holder could not free enough, or compaction merged the free memory
 * back) and the buffer is in some other state: the sample is marked
 * unverified, as a THP buffer below 90% THP is.
 */
#define MEMSTATE_MIN_RUNS_FRACTION 0.90

/* The least pfn-runs a fragmented buffer of @pages pages must show. */
uint64_t memstate_min_runs(uint64_t pages);

/*
 * Isolated 4K pages to leave free for a buffer of @buf_pages pages: all
 * of them, 1/128 more and 256 pages, so that the buffer never reaches
 * past them into a block that is still whole.
 */
uint64_t memstate_free_target(uint64_t buf_pages);

/*
 * Bytes of ordinary memory a fragmented 4K buffer of @size bytes needs at
 * once: the holder at its fullest (twice the free target) and its
 * bookkeeping (9 bytes a page); the buffer then takes the half the
 * holder gave back. What --plan reports.
 */
uint64_t memstate_plan_bytes(uint64_t size);

/*
 * The pages of a holder to give back: @drop[i] = 1 for each page i whose
 * PFN @pfn[i] is odd and whose buddy (PFN - 1) is also among @pfn (and so
 * kept), else 0. Returns how many, or -ENOMEM.
 */
int64_t memstate_pick(const uint64_t *pfn, uint64_t n, uint8_t *drop);

/* A holder of fragmented memory, alive for one sample. */
struct memstate_holder {
	uint8_t *va;		/* address space reserved for it */
	uint64_t reserved;	/* bytes of it */
	uint64_t pages;		/* 4K pages populated */
	uint64_t freed;		/* of those, given back (isolated) */
	uint64_t *pfn;		/* each page's PFN */
	uint8_t *drop;		/* whether it was given back */
	uint64_t compacted;	/* compact_isolated when it was made */
	bool pinned;		/* pinned itself to this CPU: restore @cpus */
	cpu_set_t cpus;
};

/*
 * Leave at least memstate_free_target() isolated free 4K pages for a
 * buffer of @size bytes, the next thing this process allocates. Pins
 * the process to its current CPU if it is not pinned already (the
 * per-cpu free list holding the freed pages is this CPU's) until
 * memstate_release(). Returns 0, or -errno with @why (the holder is
 * released then). Too few freed pages is not an error here: the
 * buffer's pfn-runs say so.
 */
int memstate_fragment(struct memstate_holder *h, uint64_t size, char *why,
		      size_t whylen);

/*
 * Pages compaction isolated (to move, or as free targets) since @h was
 * made, anywhere: compaction running under a sample would take the
 * isolated free pages and merge what it frees, undoing the state the
 * sample measures in.
 */
uint64_t memstate_compacted(const struct memstate_holder *h);

/* Give the holder back; harmless on one never made or released. */
void memstate_release(struct memstate_holder *h);

/*
 * Order the first @n free pages of a hugetlb pool so that the next @n
 * faults get them highest PFN first. @mmap_flags select the pool
 * (MAP_HUGETLB and the MAP_HUGE_* of @page_size). Costs one fault (a
 * page clear) per page; nothing for @n < 2. 0 or -errno with @why.
 */
int memstate_hugetlb_descend(int mmap_flags, uint64_t page_size, uint64_t n,
			     char *why, size_t whylen);

/* MemAvailable of /proc/meminfo in bytes; 0 if unreadable. */
uint64_t memstate_available(void);

#endif
