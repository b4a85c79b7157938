/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical contiguity of a buffer, from /proc/self/pagemap.
 *
 * type1 coalesces physically contiguous pages into one IOMMU mapping, so
 * the same buffer size can cost very different amounts of work depending
 * on how fragmented its pages are. Recording the number of contiguous
 * runs per sample lets a reader see why two samples differ.
 */
#ifndef VFIO_PERF_PAGEMAP_H
#define VFIO_PERF_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Number of runs of physically contiguous 4 KiB frames backing
 * [va, va+len), or -1 if PFNs are not visible (not root, or a page is
 * not present).
 */
int64_t pagemap_pfn_runs(const void *va, uint64_t len);

/*
 * The PFNs of the @n pages at @va, @va + @stride, ... (@stride a multiple
 * of 4 KiB: 4K pages, or the first frame of each huge page) into @pfn.
 * 0, -EPERM if a page is not present or its PFN is hidden (not
 * CAP_SYS_ADMIN), or -errno if pagemap cannot be read.
 */
int pagemap_pfns(const void *va, uint64_t n, uint64_t stride, uint64_t *pfn);

/*
 * How many of the 4 KiB pages of [va, va+len) are present (a page of the
 * shared zero page too), or -errno if pagemap cannot be read.  The
 * present bit needs no privilege.
 */
int64_t pagemap_present(const void *va, uint64_t len);

/* How many of @n pagemap entries are present. */
uint64_t pagemap_count_present(const uint64_t *entries, size_t n);

/* Count runs in an array of pagemap entries; -1 if any is not present. */
int64_t pagemap_count_runs(const uint64_t *entries, size_t n, uint64_t *last_pfn);

#endif
