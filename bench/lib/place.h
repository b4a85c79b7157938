/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placement: which CPU runs the benchmark and which NUMA node its memory
 * comes from. Both change pinning cost (page allocation, IOMMU page-table
 * memory), so both are chosen explicitly and recorded.
 */
#ifndef VFIO_PERF_PLACE_H
#define VFIO_PERF_PLACE_H

#include <stddef.h>

/* Pin the process to logical CPU @cpu (hwloc PU index). 0 or -errno. */
int place_cpu(int cpu, char *why, size_t whylen);
/* Bind all future allocations to NUMA node @node (libnuma). 0 or -errno. */
int place_node(int node, char *why, size_t whylen);

#endif
