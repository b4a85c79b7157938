// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "sysfs.h"
#include "vfio_device.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

int vfio_pci_bdf_normalise(const char *in, char *out, size_t len)
{
	unsigned int dom = 0, bus, slot, fn;
	char tail;

	if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &tail) != 4 &&
	    (dom = 0, sscanf(in, "%x:%x.%x%c", &bus, &slot, &fn, &tail)) != 3)
		return -EINVAL;
	if (dom > 0xffff || bus > 0xff || slot > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, slot, fn);
	return 0;
}

/* Last path component of a sysfs symlink, e.g. ".../drivers/vfio-pci". */
static int link_name(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	snprintf(out, len, "%.63s", basename(buf));
	return 0;
}

static void find_cdev(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	out[0] = '\0';
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(out, len, "%.31s", de->d_name);
			break;
		}
	}
	closedir(d);
}

int vfio_pci_device_probe(const char *bdf, struct vfio_pci_device *dev,
			  char *why, size_t whylen)
{
	char path[PATH_MAX], group[32], vendor[16] = "", device[16] = "";

	memset(dev, 0, sizeof(*dev));
	dev->group = -1;
	if (vfio_pci_bdf_normalise(bdf, dev->bdf, sizeof(dev->bdf))) {
		snprintf(why, whylen, "'%s' is not a PCI address (want DDDD:BB:SS.F)", bdf);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s", dev->bdf);
	if (access(path, F_OK)) {
		snprintf(why, whylen, "no PCI device %s (see lspci -D)", dev->bdf);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", dev->bdf);
	sysfs_read_str(path, vendor, sizeof(vendor));
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", dev->bdf);
	sysfs_read_str(path, device, sizeof(device));
	snprintf(dev->ids, sizeof(dev->ids), "%s:%s",
		 vendor + (vendor[0] == '0' && vendor[1] == 'x' ? 2 : 0),
		 device + (device[0] == '0' && device[1] == 'x' ? 2 : 0));

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", dev->bdf);
	if (link_name(path, dev->driver, sizeof(dev->driver)))
		dev->driver[0] = '\0';
	if (strcmp(dev->driver, "vfio-pci")) {
		snprintf(why, whylen,
			 "%s is bound to %s, not vfio-pci: echo vfio-pci > " PCI_DEVICES
			 "/%s/driver_override, unbind it, then echo %s > /sys/bus/pci/drivers_probe",
			 dev->bdf, dev->driver[0] ? dev->driver : "no driver", dev->bdf,
			 dev->bdf);
		return -ENXIO;
	}

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", dev->bdf);
	if (link_name(path, group, sizeof(group))) {
		snprintf(why, whylen,
			 "%s has no IOMMU group: is the IOMMU enabled (intel_iommu=on)?",
			 dev->bdf);
		return -ENODEV;
	}
	dev->group = atoi(group);
	find_cdev(dev->bdf, dev->cdev, sizeof(dev->cdev));
	return 0;
}
