/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PCI device as vfio sees it: which group it is in, whether it is
 * bound to vfio-pci, and which cdev it has. Read from sysfs only, so the
 * checks can run before anything is opened.
 */
#ifndef VFIO_PERF_VFIO_DEVICE_H
#define VFIO_PERF_VFIO_DEVICE_H

#include <stddef.h>

struct vfio_pci_device {
	char bdf[32];		/* 0000:00:03.0 */
	char driver[64];	/* bound driver, "" if none */
	int group;		/* IOMMU group number, -1 if none */
	char cdev[32];		/* vfioN under /dev/vfio/devices, "" if none */
	char ids[16];		/* vendor:device, e.g. 1234:11e8 */
};

/*
 * Fill @dev from sysfs. Returns 0 when the device is bound to vfio-pci
 * and has an IOMMU group; otherwise a negative errno and a one-line
 * explanation (what is wrong and how to fix it) in @why.
 */
int vfio_pci_device_probe(const char *bdf, struct vfio_pci_device *dev,
			  char *why, size_t whylen);

/* Normalise "00:03.0" to "0000:00:03.0"; -EINVAL if it is not a BDF. */
int vfio_pci_bdf_normalise(const char *in, char *out, size_t len);

#endif
