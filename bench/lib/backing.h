/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory backings for DMA buffers: how a buffer is obtained, populated,
 * verified and released. One row of a table per backing.
 *
 * Verification is the point: a "THP" buffer that the kernel backed with
 * 4K pages, or a hugetlb buffer that fell back to nothing, would make a
 * map/unmap figure lie about what it measured.
 */
#ifndef VFIO_PERF_BACKING_H
#define VFIO_PERF_BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memstate.h"

#define SZ_4K (UINT64_C(4) << 10)
#define SZ_2M (UINT64_C(2) << 20)
#define SZ_1G (UINT64_C(1) << 30)

enum backing_kind {
	BK_ANON,	/* MAP_PRIVATE|MAP_ANONYMOUS */
	BK_SHMEM,	/* MAP_SHARED|MAP_ANONYMOUS */
	BK_MEMFD,	/* memfd_create(), MAP_SHARED */
	BK_HUGETLB,	/* MAP_HUGETLB */
	BK_HUGETLBFS,	/* a file on a hugetlbfs mount */
};

struct backing {
	const char *name;	/* CSV name, docs/results.md */
	const char *what;
	enum backing_kind kind;
	uint64_t page_size;	/* the page size the backing promises */
	bool thp;		/* asks for transparent huge pages */
	bool has_fd;		/* can be mapped by file descriptor */
	/*
	 * "-frag": taken from free memory in which no two free pages
	 * continue each other, so that every page of the buffer is a run
	 * of its own (memstate.h); else from free memory as found.
	 */
	bool frag;
};

extern const struct backing backings[];
extern const size_t nbackings;

const struct backing *backing_find(const char *name);

/*
 * The memory pool a buffer of @b is taken from: "normal" (page cache and
 * anonymous memory, THP included), "hugetlb-2m", "hugetlb-1g", or
 * "hugetlbfs" (the pool of the mount's page size, known only where it is
 * mounted). What `--plan` reports, so that a harness can check a suite
 * against a machine before it runs.
 */
const char *backing_pool(const struct backing *b);

/*
 * Bytes a buffer of @size of @b takes from its pool at once: @size, or
 * for a fragmented 4K backing the holder that fragments free memory
 * (which the buffer then draws from).
 */
uint64_t backing_pool_bytes(const struct backing *b, uint64_t size);

/* A buffer and what the kernel really gave us for it. */
struct buffer {
	const struct backing *b;
	uint64_t size;
	void *va;
	int fd;
	uint64_t page_size;	/* hugetlbfs: the mount's page size */
	uint64_t huge_free_before;
	/* Filled by backing_verify(). */
	uint64_t thp_bytes;	/* AnonHugePages or ShmemPmdMapped */
	uint64_t huge_pages;	/* hugetlb pages this buffer consumed */
	int64_t pfn_runs;	/* runs of contiguous PFNs; -1: unreadable */
	struct memstate_holder hold;	/* a -frag 4K buffer's holder */
	/*
	 * Only read before the map: a private THP buffer then holds the
	 * huge zero page, and what the pin's write fault makes of it (a THP,
	 * or 4K pages where the kernel splits it) is the kernel's outcome,
	 * recorded as thp-fraction, not a promise to verify.
	 */
	bool read_populated;
};

/* Per-run options that some backings need. */
struct backing_opts {
	const char *hugetlbfs_dir;	/* for "hugetlbfs" */
};

/*
 * Can @b provide @size bytes here and now? 0 if so; otherwise -errno and
 * a reason that says how to make it possible (a skip, not a failure).
 */
int backing_check(const struct backing *b, uint64_t size,
		  const struct backing_opts *o, char *why, size_t whylen);

/* Describe the buffer to obtain; reads the counters verify compares. */
void buffer_init(struct buffer *buf, const struct backing *b, uint64_t size,
		 const struct backing_opts *o);
/*
 * Put free memory in the state the backing asks for (a -frag backing:
 * memstate.h), untimed, right before backing_mmap(). 0 or -errno with
 * @why. backing_release() undoes it once the buffer is unmapped.
 */
int backing_prepare(struct buffer *buf, char *why, size_t whylen);
/* Reserve address space (and the file, for file backings): timed. */
int backing_mmap(struct buffer *buf, const struct backing_opts *o);
/* Write one byte per 4 KiB: a read could map the shared zero page. */
void backing_populate(struct buffer *buf);
/*
 * Record what was obtained. Returns true if it is what the backing
 * promises (>= 90% THP for THP backings but a private one only read
 * (read_populated), every huge page for hugetlb,
 * for -frag backings pfn-runs >= 90% of the pages and no page isolated
 * by compaction since backing_prepare()), else false with the reason in
 * @why.
 */
bool backing_verify(struct buffer *buf, char *why, size_t whylen);
int backing_munmap(struct buffer *buf);
/* After backing_munmap(), untimed: give back what backing_prepare() took. */
void backing_release(struct buffer *buf);

/* Fraction of the buffer that a THP backing got as huge pages. */
double buffer_thp_fraction(const struct buffer *buf);

#endif
