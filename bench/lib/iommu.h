/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU interfaces a vfio device's DMA can be mapped through, as a
 * table: adding an interface is adding a row.
 *
 *   type1           legacy container, VFIO_TYPE1_IOMMU
 *   type1v2         legacy container, VFIO_TYPE1v2_IOMMU
 *   iommufd-compat  /dev/vfio/vfio served by iommufd, type1v2 ioctls
 *   iommufd         /dev/iommu + device cdev, IOMMU_IOAS_MAP
 *   iommufd-file    /dev/iommu + device cdev, IOMMU_IOAS_MAP_FILE
 */
#ifndef VFIO_PERF_IOMMU_H
#define VFIO_PERF_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio_device.h"

/* Where a buffer lives, for the map call: by address or by file offset. */
struct dma_region {
	void *va;
	int fd;			/* -1 unless the backing is a file */
	uint64_t fd_off;
	uint64_t iova;
};

struct dma_ctx;

struct dma_iface {
	const char *name;
	const char *what;
	bool needs_fd;		/* maps by file descriptor, not address */
	int (*open)(struct dma_ctx *ctx, const struct vfio_pci_device *dev,
		    char *why, size_t whylen);
	int (*map)(struct dma_ctx *ctx, const struct dma_region *r,
		   uint64_t off, uint64_t len);
	int (*unmap)(struct dma_ctx *ctx, uint64_t iova, uint64_t len);
};

struct dma_ctx {
	const struct dma_iface *iface;
	int iommu_fd;		/* container or iommufd */
	int group_fd;		/* legacy only */
	int device_fd;		/* cdev only */
	uint32_t ioas_id;
};

extern const struct dma_iface dma_ifaces[];
extern const size_t dma_nifaces;

const struct dma_iface *dma_iface_find(const char *name);

/*
 * Attach @dev to a fresh address space through @iface. Returns 0, or
 * -EOPNOTSUPP when this kernel does not provide the interface (a skip),
 * or another negative errno (a failure); @why says which and why.
 */
int dma_ctx_open(struct dma_ctx *ctx, const struct dma_iface *iface,
		 const struct vfio_pci_device *dev, char *why, size_t whylen);
void dma_ctx_close(struct dma_ctx *ctx);

/* Map [off, off+len) of @r at r->iova + off. Returns 0 or -errno. */
static inline int dma_map(struct dma_ctx *ctx, const struct dma_region *r,
			  uint64_t off, uint64_t len)
{
	return ctx->iface->map(ctx, r, off, len);
}

static inline int dma_unmap(struct dma_ctx *ctx, uint64_t iova, uint64_t len)
{
	return ctx->iface->unmap(ctx, iova, len);
}

#endif
