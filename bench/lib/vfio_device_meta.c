// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "sysfs.h"
#include "vfio_device_meta.h"

void vfio_pci_device_describe(const struct vfio_pci_device *dev, struct meta *m)
{
	char path[128], type[32] = META_UNAVAILABLE;

	meta_set(m, "device", "%s", dev->bdf);
	meta_set(m, "device_ids", "%s", dev->ids);
	meta_set(m, "iommu_group", "%d", dev->group);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", dev->group);
	sysfs_read_str(path, type, sizeof(type));
	meta_set(m, "iommu_group_type", "%s", type);
}
