/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vfio-pci device's BAR as a region of its device fd, and mappings of
 * it placed at a chosen address, so that the caller decides which
 * page-table level the kernel can use for it (see pfnmap.h).
 *
 * The mapping is made in two steps: an address range twice as large as
 * needed is reserved, then the BAR is mapped over part of it with
 * MAP_FIXED. The kernel's own choice of address (mmap with no hint) is a
 * measurement of its own: see freshmap.h.
 */
#ifndef VFIO_PERF_VFIO_BAR_H
#define VFIO_PERF_VFIO_BAR_H

#include <stddef.h>
#include <stdint.h>

struct vfio_bar {
	int device_fd;
	int index;		/* VFIO_PCI_BARn_REGION_INDEX */
	uint64_t size;		/* region size as vfio reports it */
	uint64_t fd_offset;	/* where the region starts in the device fd */
	uint64_t phys;		/* the BAR's address, from sysfs "resource" */
};

/*
 * Describe BAR @index of @bdf, or its largest mmappable BAR if @index is
 * -1, through a duplicate of @device_fd (the device's fd, opened by
 * dma_ctx_open(): its container has an IOMMU set), which
 * vfio_bar_close() closes. 0, or -errno with the reason in @why.
 */
int vfio_bar_open(struct vfio_bar *bar, int device_fd, const char *bdf,
		  int index, char *why, size_t whylen);
void vfio_bar_close(struct vfio_bar *bar);

struct bar_mapping {
	uint8_t *va;
	uint64_t len;
	uint64_t pa;		/* physical address behind va[0] */
	void *resv;		/* the reservation the mapping sits in */
	uint64_t resv_len;
};

/*
 * Map [off, off + len) of the BAR read-write and shared at an address
 * whose residue modulo 1 GiB is @residue. 0 or -errno.
 */
int vfio_bar_map(const struct vfio_bar *bar, uint64_t off, uint64_t len,
		 uint64_t residue, struct bar_mapping *m);
int vfio_bar_unmap(struct bar_mapping *m);

#endif
