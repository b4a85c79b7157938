/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placement: which CPU runs the benchmark and which NUMA node its memory
 * comes from. Both change pinning cost (page allocation, IOMMU page-table
 * memory), so both are chosen explicitly and recorded.
 */
#ifndef VFIO_PERF_PLACE_H
#define VFIO_PERF_PLACE_H

#include <stddef.h>
#include <stdint.h>

/* Pin the process to logical CPU @cpu (hwloc PU index). 0 or -errno. */
int place_cpu(int cpu, char *why, size_t whylen);
/* Bind all future allocations to NUMA node @node (libnuma). 0 or -errno. */
int place_node(int node, char *why, size_t whylen);

/*
 * 0 if NUMA node @node is online here; else -EOPNOTSUPP (no NUMA) or
 * -EINVAL, and @why says which nodes there are.
 */
int place_node_online(int node, char *why, size_t whylen);

/* The NUMA node of logical CPU @cpu, or -1 (no NUMA, no such CPU). */
int place_cpu_node(int cpu);

/* The calling thread's memory policy, to put back after a bind. */
struct place_policy {
	int mode;
	unsigned long mask[16];		/* up to 1024 nodes */
};

/*
 * Save the thread's policy in @saved and bind its allocations to @node,
 * strictly (MPOL_BIND). 0 or -errno.
 */
int place_mem_bind(int node, struct place_policy *saved);
/* Put back the policy place_mem_bind() saved. 0 or -errno. */
int place_mem_restore(const struct place_policy *saved);

/*
 * How many of the pages of [va, va + len), one looked up every @stride
 * bytes, are not on node @node (a page not present counts as not on
 * it), by a move_pages(2) query. 0 or -errno.
 */
int place_pages_off_node(void *va, uint64_t len, uint64_t stride, int node,
			 uint64_t *off);

#endif
