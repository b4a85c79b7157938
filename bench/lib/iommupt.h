/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU's own page table for a device, as the Intel IOMMU driver
 * dumps it in debugfs (CONFIG_INTEL_IOMMU_DEBUGFS): which leaves, 4K
 * PTEs, 2M PDEs or 1G PDPEs, really translate an IOVA range. Read after
 * a map and outside every timed phase, it verifies the IOMMU page size
 * a mapping obtained, as the page-table dump does for a BAR mmap.
 *
 * /sys/kernel/debug/iommu/intel/<BDF>/domain_translation_struct has one
 * line per leaf, the IOVA's page frame number then the entries on the
 * path to the leaf, one per level from PML5E down:
 *   0x0000000100000 |	0x0...	0x0...	0x0...		(a PDPE leaf: 1G)
 *   0x0000000100200 |	0x0...	0x0...	0x0...	0x0...	(a PDE leaf: 2M)
 * and a fifth entry, the PTE, for a 4K leaf; other lines are headers.
 * Stock Debian kernels lack the file; harness/kbuild.sh's @iommu-debugfs
 * profile has it.
 */
#ifndef VFIO_PERF_IOMMUPT_H
#define VFIO_PERF_IOMMUPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pfnmap.h"

#define IOMMUPT_DIR "/sys/kernel/debug/iommu/intel"

/*
 * The dump of device @bdf's domain in @dir (IOMMUPT_DIR): 0 and its path
 * in @buf, or a negative errno and in @why, for the meta data, why
 * there is none here.
 */
int iommupt_find(const char *dir, const char *bdf, char *buf, size_t len,
		 char *why, size_t whylen);

/*
 * Count the leaves of each size (n[PFNMAP_PTE] 4K, n[PFNMAP_PMD] 2M,
 * n[PFNMAP_PUD] 1G) that translate some of [iova, iova + len) and the
 * bytes of the range they cover (@covered). 0, -EINVAL for a leaf line
 * this parser does not understand, or another negative errno.
 */
int iommupt_parse(FILE *f, uint64_t iova, uint64_t len,
		  struct pfnmap_entries *e, uint64_t *covered);

/* The same from the dump at @path. */
int iommupt_count(const char *path, uint64_t iova, uint64_t len,
		  struct pfnmap_entries *e, uint64_t *covered);

#endif
