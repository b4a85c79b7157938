// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <hwloc.h>
#include <numa.h>
#include <numaif.h>
#include <string.h>
#include <stdbool.h>
#include <stdio.h>

#include "place.h"

int place_cpu(int cpu, char *why, size_t whylen)
{
	hwloc_topology_t topo;
	hwloc_obj_t pu;
	int ret = 0;

	if (hwloc_topology_init(&topo) || hwloc_topology_load(topo)) {
		snprintf(why, whylen, "hwloc cannot read the topology");
		return -EIO;
	}
	pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned int)cpu);
	if (!pu) {
		snprintf(why, whylen, "no CPU %d (see lstopo)", cpu);
		ret = -EINVAL;
	} else if (hwloc_set_cpubind(topo, pu->cpuset, HWLOC_CPUBIND_PROCESS)) {
		snprintf(why, whylen, "cannot pin to CPU %d", cpu);
		ret = -errno;
	}
	hwloc_topology_destroy(topo);
	return ret;
}

int place_node_online(int node, char *why, size_t whylen)
{
	if (numa_available() < 0) {
		snprintf(why, whylen, "NUMA is not available (kernel without CONFIG_NUMA?)");
		return -EOPNOTSUPP;
	}
	if (node < 0 || node > numa_max_node() ||
	    !numa_bitmask_isbitset(numa_nodes_ptr, (unsigned int)node)) {
		snprintf(why, whylen, "no NUMA node %d (online: 0-%d)", node,
			 numa_max_node());
		return -EINVAL;
	}
	return 0;
}

int place_node(int node, char *why, size_t whylen)
{
	struct bitmask *nodes;
	int ret = place_node_online(node, why, whylen);

	if (ret)
		return ret;
	nodes = numa_allocate_nodemask();
	numa_bitmask_setbit(nodes, (unsigned int)node);
	/* Strict binding: a silent fallback to another node would skew results. */
	numa_set_bind_policy(1);
	numa_set_membind(nodes);
	numa_bitmask_free(nodes);
	return 0;
}

int place_cpu_node(int cpu)
{
	if (numa_available() < 0)
		return -1;
	return numa_node_of_cpu(cpu);
}

#define PLACE_MAXNODE (sizeof(((struct place_policy *)0)->mask) * 8)

int place_mem_bind(int node, struct place_policy *saved)
{
	unsigned long mask[sizeof(saved->mask) / sizeof(unsigned long)] = { 0 };

	if (node < 0 || (size_t)node >= PLACE_MAXNODE)
		return -EINVAL;
	memset(saved, 0, sizeof(*saved));
	if (get_mempolicy(&saved->mode, saved->mask, PLACE_MAXNODE, NULL, 0))
		return -errno;
	mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
	if (set_mempolicy(MPOL_BIND, mask, PLACE_MAXNODE))
		return -errno;
	return 0;
}

int place_mem_restore(const struct place_policy *saved)
{
	bool none = saved->mode == MPOL_DEFAULT || saved->mode == MPOL_LOCAL;

	if (set_mempolicy(saved->mode, none ? NULL : saved->mask,
			  none ? 0 : PLACE_MAXNODE))
		return -errno;
	return 0;
}

int place_pages_off_node(void *va, uint64_t len, uint64_t stride, int node,
			 uint64_t *off)
{
	enum { CHUNK = 1024 };
	void *pages[CHUNK];
	int status[CHUNK];
	uint64_t n = stride ? len / stride : 0;

	*off = 0;
	for (uint64_t i = 0; i < n; i += CHUNK) {
		unsigned long k = n - i < CHUNK ? (unsigned long)(n - i) : CHUNK;

		for (unsigned long j = 0; j < k; j++)
			pages[j] = (char *)va + (i + j) * stride;
		if (move_pages(0, k, pages, NULL, status, 0))
			return -errno;
		for (unsigned long j = 0; j < k; j++)
			*off += status[j] != node;
	}
	return 0;
}
