/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel really gave us: /proc/<pid>/smaps counters of the VMAs
 * behind a buffer.  A "THP" backing that came back as 4 KiB pages, or a
 * shared mapping that never got PMDs, looks fine until smaps says so.
 */
#ifndef VFIO_PERF_SMAPS_H
#define VFIO_PERF_SMAPS_H

#include <stdint.h>

/* All sizes in bytes. */
struct smaps_counts {
	uint64_t rss;
	uint64_t anon;			/* Anonymous */
	uint64_t anon_huge;		/* AnonHugePages */
	uint64_t shmem_pmd;		/* ShmemPmdMapped */
	uint64_t file_pmd;		/* FilePmdMapped */
	uint64_t shared_hugetlb;	/* Shared_Hugetlb */
	uint64_t private_hugetlb;	/* Private_Hugetlb */
	uint64_t shared_dirty;		/* Shared_Dirty */
	uint64_t private_dirty;		/* Private_Dirty */
	/* KernelPageSize / MMUPageSize of the first VMA counted. */
	uint64_t kernel_page_size, mmu_page_size;
	uint64_t vma_bytes;		/* the size of the VMAs counted */
	unsigned int vmas;		/* VMAs counted */
};

/*
 * Sum the counters of every VMA in smaps file @path that overlaps
 * [start, end).  A VMA that only partly overlaps counts whole: smaps has
 * no finer grain, so map the buffer as its own VMA to measure it alone.
 * Returns 0, -ENOENT when no VMA overlaps (or @path does not exist),
 * -EINVAL on a malformed counter line, or another -errno.
 */
int smaps_range(const char *path, uintptr_t start, uintptr_t end,
		struct smaps_counts *out);

#endif
