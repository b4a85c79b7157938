// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uapi.h"
#include "vfio_bar.h"

#define SZ_1G (UINT64_C(1) << 30)
#define NR_BARS 6

/* Start address of BAR @index from /sys/bus/pci/devices/BDF/resource. */
static int bar_phys(const char *bdf, int index, uint64_t *phys)
{
	unsigned long long start, end, flags;
	char path[128], line[128];
	int i = 0, ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (i++ != index)
			continue;
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 && start) {
			*phys = start;
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

static int region_info(int fd, int index, struct vfio_region_info *ri)
{
	*ri = (struct vfio_region_info){ .argsz = sizeof(*ri), .index = (__u32)index };
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri) ? -errno : 0;
}

static bool mmappable(const struct vfio_region_info *ri)
{
	return ri->size && (ri->flags & VFIO_REGION_INFO_FLAG_MMAP);
}

/* BAR @index, or the largest mmappable one if @index < 0. */
static int pick_bar(int fd, int index, struct vfio_region_info *ri,
		    char *why, size_t whylen)
{
	struct vfio_region_info r;

	if (index >= 0) {
		if (region_info(fd, index, ri) || !mmappable(ri)) {
			snprintf(why, whylen, "BAR %d is absent or cannot be mmapped", index);
			return -ENODEV;
		}
		return 0;
	}
	ri->size = 0;
	for (int i = 0; i < NR_BARS; i++)
		if (!region_info(fd, i, &r) && mmappable(&r) && r.size > ri->size)
			*ri = r;
	if (!ri->size) {
		snprintf(why, whylen, "the device has no BAR that can be mmapped");
		return -ENODEV;
	}
	return 0;
}

int vfio_bar_open(struct vfio_bar *bar, int device_fd, const char *bdf,
		  int index, char *why, size_t whylen)
{
	struct vfio_region_info ri;
	int ret;

	*bar = (struct vfio_bar){ .device_fd = fcntl(device_fd, F_DUPFD_CLOEXEC, 0) };
	if (bar->device_fd < 0) {
		ret = -errno;
		snprintf(why, whylen, "duplicating the device fd of %s: %s", bdf, strerror(errno));
		return ret;
	}
	ret = pick_bar(bar->device_fd, index, &ri, why, whylen);
	if (!ret) {
		bar->index = (int)ri.index;
		bar->size = ri.size;
		bar->fd_offset = ri.offset;
		ret = bar_phys(bdf, bar->index, &bar->phys);
		if (ret)
			snprintf(why, whylen, "no address for BAR %d in /sys/bus/pci/devices/%s/resource",
				 bar->index, bdf);
	}
	if (ret)
		vfio_bar_close(bar);
	return ret;
}

void vfio_bar_close(struct vfio_bar *bar)
{
	if (bar->device_fd >= 0)
		close(bar->device_fd);
	bar->device_fd = -1;
}

int vfio_bar_map(const struct vfio_bar *bar, uint64_t off, uint64_t len,
		 uint64_t residue, struct bar_mapping *m)
{
	uintptr_t base, va;
	void *p;

	*m = (struct bar_mapping){ .len = len, .pa = bar->phys + off,
				   .resv_len = len + SZ_1G };
	/* PROT_NONE and NORESERVE: address space only, no memory. */
	m->resv = mmap(NULL, m->resv_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->resv == MAP_FAILED) {
		m->resv = NULL;
		return -errno;
	}
	base = (uintptr_t)m->resv;
	va = base + (residue - base % SZ_1G + SZ_1G) % SZ_1G;
	p = mmap((void *)va, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 bar->device_fd, (off_t)(bar->fd_offset + off));
	if (p == MAP_FAILED) {
		int ret = -errno;

		vfio_bar_unmap(m);
		return ret;
	}
	m->va = p;
	return 0;
}

int vfio_bar_unmap(struct bar_mapping *m)
{
	int ret = 0;

	/* The BAR's VMA lies inside the reservation: one call removes both. */
	if (m->resv && munmap(m->resv, m->resv_len))
		ret = -errno;
	m->resv = NULL;
	m->va = NULL;
	return ret;
}
