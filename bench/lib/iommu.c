// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "iommu.h"
#include "uapi.h"

#define why_set(...) snprintf(why, whylen, __VA_ARGS__)

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/*
 * iommufd's compat container answers iommufd ioctls on the same fd; the
 * legacy container does not. Allocating (and dropping) an IOAS is the
 * cheapest unambiguous way to tell which one /dev/vfio/vfio is.
 */
static bool container_is_iommufd(int fd)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_destroy d = { .size = sizeof(d) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &a))
		return false;
	d.id = a.out_ioas_id;
	ioctl(fd, IOMMU_DESTROY, &d);
	return true;
}

static int container_open(struct dma_ctx *ctx, const struct vfio_pci_device *dev,
			  unsigned long type, bool want_iommufd,
			  char *why, size_t whylen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int ret;

	ctx->iommu_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (ctx->iommu_fd < 0) {
		why_set("no /dev/vfio/vfio: vfio not loaded or built without a container");
		return -EOPNOTSUPP;
	}
	if (ioctl(ctx->iommu_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		why_set("/dev/vfio/vfio speaks an unknown VFIO API version");
		return -EPROTO;
	}
	if (container_is_iommufd(ctx->iommu_fd) != want_iommufd) {
		why_set(want_iommufd ?
			"/dev/vfio/vfio is the legacy container, not iommufd's compat one (CONFIG_IOMMUFD_VFIO_CONTAINER is off)" :
			"/dev/vfio/vfio is iommufd's compat container here, not vfio_iommu_type1");
		return -EOPNOTSUPP;
	}
	if (ioctl(ctx->iommu_fd, VFIO_CHECK_EXTENSION, type) <= 0) {
		why_set("container lacks IOMMU type %lu (is vfio_iommu_type1 loaded?)", type);
		return -EOPNOTSUPP;
	}

	snprintf(path, sizeof(path), "/dev/vfio/%d", dev->group);
	ctx->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ctx->group_fd < 0) {
		ret = -errno;
		why_set("cannot open %s: %s%s", path, strerror(errno),
			errno == EBUSY ? " (group in use by another process)" : "");
		return ret;
	}
	ret = xioctl(ctx->group_fd, VFIO_GROUP_GET_STATUS, &st);
	if (ret || !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		why_set("IOMMU group %d is not viable: bind every device in /sys/kernel/iommu_groups/%d/devices to vfio-pci or leave it unbound",
			dev->group, dev->group);
		return ret ? ret : -EPERM;
	}
	ret = xioctl(ctx->group_fd, VFIO_GROUP_SET_CONTAINER, &ctx->iommu_fd);
	if (!ret)
		ret = ioctl(ctx->iommu_fd, VFIO_SET_IOMMU, type) ? -errno : 0;
	if (ret) {
		why_set("attaching group %d to the container: %s", dev->group,
			strerror(-ret));
		return ret;
	}
	/*
	 * The device's fd, as a VMM opens it: iommufd's compat container
	 * attaches the device to its address space only then, and until
	 * it does, a map only records the range (nothing pinned, nothing
	 * in the IOMMU: 2 us for 1 GiB). type1 attached at VFIO_SET_IOMMU.
	 */
	ctx->device_fd = ioctl(ctx->group_fd, VFIO_GROUP_GET_DEVICE_FD, dev->bdf);
	if (ctx->device_fd < 0) {
		ret = -errno;
		why_set("opening device %s through group %d: %s", dev->bdf,
			dev->group, strerror(errno));
	}
	return ret;
}

static int type1_open(struct dma_ctx *ctx, const struct vfio_pci_device *dev,
		      char *why, size_t whylen)
{
	return container_open(ctx, dev, VFIO_TYPE1_IOMMU, false, why, whylen);
}

static int type1v2_open(struct dma_ctx *ctx, const struct vfio_pci_device *dev,
			char *why, size_t whylen)
{
	return container_open(ctx, dev, VFIO_TYPE1v2_IOMMU, false, why, whylen);
}

static int compat_open(struct dma_ctx *ctx, const struct vfio_pci_device *dev,
		       char *why, size_t whylen)
{
	if (access("/dev/iommu", F_OK)) {
		why_set("no /dev/iommu: kernel built without CONFIG_IOMMUFD");
		return -EOPNOTSUPP;
	}
	return container_open(ctx, dev, VFIO_TYPE1v2_IOMMU, true, why, whylen);
}

static int container_map(struct dma_ctx *ctx, const struct dma_region *r,
			 uint64_t off, uint64_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)r->va + off,
		.iova = r->iova + off,
		.size = len,
	};

	return xioctl(ctx->iommu_fd, VFIO_IOMMU_MAP_DMA, &m);
}

static int container_unmap(struct dma_ctx *ctx, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = len,
	};
	int ret = xioctl(ctx->iommu_fd, VFIO_IOMMU_UNMAP_DMA, &u);

	/* type1 reports how much it unmapped; anything else is a bug. */
	if (!ret && u.size != len)
		ret = -EIO;
	return ret;
}

static int iommufd_open(struct dma_ctx *ctx, const struct vfio_pci_device *dev,
			char *why, size_t whylen)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	char path[64];
	int ret;

	ctx->iommu_fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (ctx->iommu_fd < 0) {
		why_set("no /dev/iommu: kernel built without CONFIG_IOMMUFD");
		return -EOPNOTSUPP;
	}
	if (!dev->cdev[0]) {
		why_set("%s has no vfio cdev: kernel built without CONFIG_VFIO_DEVICE_CDEV",
			dev->bdf);
		return -EOPNOTSUPP;
	}
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", dev->cdev);
	ctx->device_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ctx->device_fd < 0) {
		ret = -errno;
		why_set("cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	bind.iommufd = ctx->iommu_fd;
	ret = xioctl(ctx->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (!ret)
		ret = xioctl(ctx->iommu_fd, IOMMU_IOAS_ALLOC, &a);
	if (!ret) {
		ctx->ioas_id = a.out_ioas_id;
		at.pt_id = a.out_ioas_id;
		ret = xioctl(ctx->device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	}
	if (ret)
		why_set("binding %s to iommufd: %s", dev->bdf, strerror(-ret));
	return ret;
}

static int iommufd_file_open(struct dma_ctx *ctx,
			     const struct vfio_pci_device *dev,
			     char *why, size_t whylen)
{
	struct iommu_ioas_map_file probe = { .size = sizeof(probe), .fd = -1 };
	int ret = iommufd_open(ctx, dev, why, whylen);

	if (ret)
		return ret;
	/* A kernel without MAP_FILE does not know the ioctl at all. */
	probe.ioas_id = ctx->ioas_id;
	if (ioctl(ctx->iommu_fd, IOMMU_IOAS_MAP_FILE, &probe) && errno == ENOTTY) {
		why_set("kernel lacks IOMMU_IOAS_MAP_FILE (added in Linux 6.13)");
		return -EOPNOTSUPP;
	}
	return 0;
}

#define IOAS_MAP_FLAGS (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
			IOMMU_IOAS_MAP_WRITEABLE)

static int iommufd_map(struct dma_ctx *ctx, const struct dma_region *r,
		       uint64_t off, uint64_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOAS_MAP_FLAGS,
		.ioas_id = ctx->ioas_id,
		.user_va = (uintptr_t)r->va + off,
		.length = len,
		.iova = r->iova + off,
	};

	return xioctl(ctx->iommu_fd, IOMMU_IOAS_MAP, &m);
}

static int iommufd_file_map(struct dma_ctx *ctx, const struct dma_region *r,
			    uint64_t off, uint64_t len)
{
	struct iommu_ioas_map_file m = {
		.size = sizeof(m),
		.flags = IOAS_MAP_FLAGS,
		.ioas_id = ctx->ioas_id,
		.fd = r->fd,
		.start = r->fd_off + off,
		.length = len,
		.iova = r->iova + off,
	};

	return xioctl(ctx->iommu_fd, IOMMU_IOAS_MAP_FILE, &m);
}

static int iommufd_unmap(struct dma_ctx *ctx, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ctx->ioas_id,
		.iova = iova,
		.length = len,
	};
	int ret = xioctl(ctx->iommu_fd, IOMMU_IOAS_UNMAP, &u);

	if (!ret && u.length != len)
		ret = -EIO;
	return ret;
}

const struct dma_iface dma_ifaces[] = {
	{ "type1", "legacy container, VFIO_TYPE1_IOMMU", false,
	  type1_open, container_map, container_unmap },
	{ "type1v2", "legacy container, VFIO_TYPE1v2_IOMMU", false,
	  type1v2_open, container_map, container_unmap },
	{ "iommufd-compat", "iommufd's /dev/vfio/vfio, type1v2 ioctls", false,
	  compat_open, container_map, container_unmap },
	{ "iommufd", "/dev/iommu + vfio cdev, IOMMU_IOAS_MAP", false,
	  iommufd_open, iommufd_map, iommufd_unmap },
	{ "iommufd-file", "/dev/iommu + vfio cdev, IOMMU_IOAS_MAP_FILE", true,
	  iommufd_file_open, iommufd_file_map, iommufd_unmap },
};
const size_t dma_nifaces = sizeof(dma_ifaces) / sizeof(dma_ifaces[0]);

const struct dma_iface *dma_iface_find(const char *name)
{
	for (size_t i = 0; i < dma_nifaces; i++)
		if (!strcmp(dma_ifaces[i].name, name))
			return &dma_ifaces[i];
	return NULL;
}

int dma_ctx_open(struct dma_ctx *ctx, const struct dma_iface *iface,
		 const struct vfio_pci_device *dev, char *why, size_t whylen)
{
	int ret;

	*ctx = (struct dma_ctx){
		.iface = iface, .iommu_fd = -1, .group_fd = -1, .device_fd = -1,
	};
	ret = iface->open(ctx, dev, why, whylen);
	if (ret)
		dma_ctx_close(ctx);
	return ret;
}

void dma_ctx_close(struct dma_ctx *ctx)
{
	/* Closing the device and group detaches them; order matters. */
	if (ctx->device_fd >= 0)
		close(ctx->device_fd);
	if (ctx->group_fd >= 0)
		close(ctx->group_fd);
	if (ctx->iommu_fd >= 0)
		close(ctx->iommu_fd);
	ctx->device_fd = ctx->group_fd = ctx->iommu_fd = -1;
}
