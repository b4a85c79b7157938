// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <hwloc.h>
#include <numa.h>
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

int place_node(int node, char *why, size_t whylen)
{
	struct bitmask *nodes;

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
	nodes = numa_allocate_nodemask();
	numa_bitmask_setbit(nodes, (unsigned int)node);
	/* Strict binding: a silent fallback to another node would skew results. */
	numa_set_bind_policy(1);
	numa_set_membind(nodes);
	numa_bitmask_free(nodes);
	return 0;
}
