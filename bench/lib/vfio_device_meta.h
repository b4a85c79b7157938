/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The meta.csv rows that say which device a benchmark drove: address,
 * vendor:device IDs, IOMMU group and the group's domain type (DMA,
 * DMA-FQ, identity), which changes what a map or unmap costs.
 */
#ifndef VFIO_PERF_VFIO_DEVICE_META_H
#define VFIO_PERF_VFIO_DEVICE_META_H

#include "meta.h"
#include "vfio_device.h"

void vfio_pci_device_describe(const struct vfio_pci_device *dev, struct meta *m);

#endif
