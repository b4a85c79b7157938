// SPDX-License-Identifier: GPL-2.0
/*
 * bar-place: where mmap(NULL) puts a window of a vfio-pci BAR, for the
 * checks of `make test-kernels` that no benchmark makes: a 32-bit task
 * (this file built with -m32), and an address space where only a gap too
 * small for the 1 GiB padding is free.
 *
 *   bar-place default SIZE OFFSET
 *       An anonymous PROT_NONE mmap(NULL) of SIZE first shows where the
 *       mm's own placement puts that length (anon=, unmapped again), then
 *       the window [OFFSET, OFFSET + SIZE) of the BAR is mapped with
 *       mmap(NULL) (va=).
 *   bar-place squeeze SIZE OFFSET GAP
 *       Fills the whole address space with PROT_NONE reservations, frees
 *       one gap of GAP bytes starting 4 KiB past a 1 GiB boundary (gap=),
 *       maps the window with mmap(NULL) (va=) and touches every 4 KiB of
 *       it, counting the page faults (faults=, from getrusage()).
 *
 * Both print phys= (the window's physical address) and congruence= (the
 * largest of 1G, 2M and 4K modulo which va and phys agree), one key=value
 * per line. The device is $VFIO_PERF_MMIO_DEVICE, its largest mmappable
 * BAR. Exit 0, 1 if a step failed, 2 for bad usage.
 *
 * Example: bar-place default 1G 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/vfio.h>

#define SZ_4K (UINT64_C(1) << 12)
#define SZ_2M (UINT64_C(1) << 21)
#define SZ_1G (UINT64_C(1) << 30)

struct bar {
	int fd;			/* the device's */
	uint64_t fd_offset;	/* of the BAR's region */
	uint64_t size, phys;
};

/*
 * One line on stdout. snprintf() and write(), not stdio's buffer: once
 * the address space is full, malloc() cannot get one.
 */
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) < 0)
		exit(1);
}

static void __attribute__((noreturn)) die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("bar-place: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* 4K, 2M or 1G with an optional unit, or a plain byte count. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s)
		die(2, "'%s' is not a size (like 1G, 2M, 4K or bytes)", s);
	switch (*end) {
	case 'G': v <<= 30; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'K': v <<= 10; end++; break;
	}
	if (*end)
		die(2, "'%s' is not a size (like 1G, 2M, 4K or bytes)", s);
	if (v % SZ_4K)
		die(2, "'%s' is not a multiple of 4K", s);
	return v;
}

/* The group of @bdf, opened into a type1v2 container. */
static int open_group(const char *bdf)
{
	char link[128], target[256], path[sizeof(target) + 16];
	const char *num;
	ssize_t n;
	int container, group;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		die(1, "%s: %s", link, strerror(errno));
	target[n] = '\0';
	num = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	snprintf(path, sizeof(path), "/dev/vfio/%s", num);
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0)
		die(1, "opening /dev/vfio/vfio and %s: %s", path, strerror(errno));
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die(1, "attaching %s to a type1v2 container: %s", path, strerror(errno));
	return group;
}

/* Start address of BAR @index from sysfs. */
static uint64_t bar_phys(const char *bdf, unsigned int index)
{
	unsigned long long start = 0, end, flags;
	char path[128], line[128];
	unsigned int i = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "re");
	if (!f)
		die(1, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) && i++ < index)
		;
	fclose(f);
	if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 || !start)
		die(1, "%s: no address for BAR %u", path, index);
	return start;
}

/* The largest mmappable BAR of $VFIO_PERF_MMIO_DEVICE. */
static void open_bar(struct bar *bar)
{
	const char *bdf = getenv("VFIO_PERF_MMIO_DEVICE");
	struct vfio_region_info ri, best = { .size = 0 };
	int group;

	if (!bdf)
		die(2, "VFIO_PERF_MMIO_DEVICE is not set (run it as an exec step)");
	group = open_group(bdf);
	bar->fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (bar->fd < 0)
		die(1, "VFIO_GROUP_GET_DEVICE_FD %s: %s", bdf, strerror(errno));
	for (unsigned int i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		ri = (struct vfio_region_info){ .argsz = sizeof(ri), .index = i };
		if (!ioctl(bar->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) &&
		    (ri.flags & VFIO_REGION_INFO_FLAG_MMAP) && ri.size > best.size)
			best = ri;
	}
	if (!best.size)
		die(1, "%s has no BAR that can be mmapped", bdf);
	bar->fd_offset = best.offset;
	bar->size = best.size;
	bar->phys = bar_phys(bdf, best.index);
}

static uint64_t congruence(uint64_t va, uint64_t pa)
{
	if (va % SZ_1G == pa % SZ_1G)
		return SZ_1G;
	return va % SZ_2M == pa % SZ_2M ? SZ_2M : SZ_4K;
}

static void *map_window(const struct bar *bar, uint64_t off, uint64_t len)
{
	void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, bar->fd,
		       (off_t)(bar->fd_offset + off));

	if (p == MAP_FAILED)
		die(1, "mmap(NULL) of %" PRIu64 " bytes at offset %" PRIu64 " of the BAR: %s",
		    len, off, strerror(errno));
	say("va=0x%" PRIxPTR "\nphys=0x%" PRIx64 "\ncongruence=%" PRIu64 "\n", (uintptr_t)p,
	    bar->phys + off, congruence((uintptr_t)p, bar->phys + off));
	return p;
}

static void place_default(const struct bar *bar, uint64_t off, uint64_t len)
{
	void *anon = mmap(NULL, (size_t)len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (anon == MAP_FAILED)
		die(1, "anonymous mmap(NULL) of %" PRIu64 " bytes: %s", len, strerror(errno));
	munmap(anon, (size_t)len);
	say("anon=0x%" PRIxPTR "\n", (uintptr_t)anon);
	map_window(bar, off, len);
}

/*
 * Reserve every free range of the address space, largest pieces first,
 * and return the lowest address of the first (largest) reservation.
 */
static uintptr_t fill_address_space(void)
{
	uintptr_t first = 0;

	for (int shift = sizeof(size_t) == 8 ? 46 : 31; shift >= 12; shift--) {
		for (;;) {
			void *p = mmap(NULL, (size_t)1 << shift, PROT_NONE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

			if (p == MAP_FAILED)
				break;
			if (!first)
				first = (uintptr_t)p;
		}
	}
	return first;
}

static void place_squeeze(const struct bar *bar, uint64_t off, uint64_t len, uint64_t gap)
{
	uintptr_t hole = fill_address_space();
	struct rusage r0, r1;
	volatile uint8_t *p;

	if (!hole)
		die(1, "could not reserve the address space");
	/*
	 * 4 KiB past a 1 GiB boundary: neither the mm's own placement (at the
	 * top of the gap) nor a PMD-aligned one is congruent modulo 1 GiB.
	 */
	hole = (hole + SZ_1G - 1) / SZ_1G * SZ_1G + SZ_4K;
	if (munmap((void *)hole, (size_t)gap))
		die(1, "munmap of the gap: %s", strerror(errno));
	say("gap=0x%" PRIxPTR "\ngap_size=%" PRIu64 "\n", hole, gap);
	p = map_window(bar, off, len);
	getrusage(RUSAGE_SELF, &r0);
	for (uint64_t i = 0; i < len; i += SZ_4K)
		(void)p[i];
	getrusage(RUSAGE_SELF, &r1);
	say("faults=%ld\n", r1.ru_minflt - r0.ru_minflt);
}

int main(int argc, char **argv)
{
	struct bar bar;
	uint64_t off, len;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: bar-place default SIZE OFFSET | squeeze SIZE OFFSET GAP\n"
		     "(see the top of tests/kernels/bar-place.c)\n\n"
		     "Example: bar-place default 1G 0");
		return 0;
	}
	if (argc < 4 || (strcmp(argv[1], "default") && strcmp(argv[1], "squeeze")) ||
	    argc != (strcmp(argv[1], "squeeze") ? 4 : 5))
		die(2, "usage: bar-place default SIZE OFFSET | squeeze SIZE OFFSET GAP (see --help)");
	len = parse_size(argv[2]);
	off = parse_size(argv[3]);
	open_bar(&bar);
	if (!len || off + len > bar.size)
		die(2, "the window [%s, +%s) is not inside the %" PRIu64 "-byte BAR", argv[3],
		    argv[2], bar.size);
	say("bits=%zu\n", sizeof(void *) * 8);
	if (argc == 4)
		place_default(&bar, off, len);
	else
		place_squeeze(&bar, off, len, parse_size(argv[4]));
	return 0;
}
