// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "pagemap.h"

#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_PFN_MASK ((UINT64_C(1) << 55) - 1)
#define PAGE 4096
#define BATCH 4096

int64_t pagemap_count_runs(const uint64_t *e, size_t n, uint64_t *last_pfn)
{
	int64_t runs = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = e[i] & PM_PFN_MASK;

		/* Without CAP_SYS_ADMIN the kernel reports PFN 0. */
		if (!(e[i] & PM_PRESENT) || !pfn)
			return -1;
		if (pfn != *last_pfn + 1)
			runs++;
		*last_pfn = pfn;
	}
	return runs;
}

/* @cnt entries of the 4K pages from virtual page @first on; 0 or -1. */
static int pagemap_read(int fd, uint64_t first, size_t cnt, uint64_t *e)
{
	ssize_t got = pread(fd, e, cnt * sizeof(e[0]),
			    (off_t)(first * sizeof(e[0])));

	return got == (ssize_t)(cnt * sizeof(e[0])) ? 0 : -1;
}

int64_t pagemap_pfn_runs(const void *va, uint64_t len)
{
	static uint64_t e[BATCH];
	uint64_t first = (uintptr_t)va / PAGE, n = len / PAGE, last = 0;
	int64_t runs = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (uint64_t i = 0; i < n && runs >= 0; i += BATCH) {
		size_t cnt = n - i < BATCH ? n - i : BATCH;
		int64_t r;

		if (pagemap_read(fd, first + i, cnt, e)) {
			runs = -1;
			break;
		}
		r = pagemap_count_runs(e, cnt, &last);
		runs = r < 0 ? -1 : runs + r;
	}
	close(fd);
	return runs;
}

uint64_t pagemap_count_present(const uint64_t *e, size_t n)
{
	uint64_t present = 0;

	for (size_t i = 0; i < n; i++)
		present += !!(e[i] & PM_PRESENT);
	return present;
}

int64_t pagemap_present(const void *va, uint64_t len)
{
	static uint64_t e[BATCH];
	uint64_t first = (uintptr_t)va / PAGE, n = len / PAGE;
	int64_t present = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (uint64_t i = 0; i < n; i += BATCH) {
		size_t cnt = n - i < BATCH ? n - i : BATCH;

		if (pagemap_read(fd, first + i, cnt, e)) {
			present = -EIO;
			break;
		}
		present += (int64_t)pagemap_count_present(e, cnt);
	}
	close(fd);
	return present;
}

int pagemap_pfns(const void *va, uint64_t n, uint64_t stride, uint64_t *pfn)
{
	uint64_t first = (uintptr_t)va / PAGE, step = stride / PAGE;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	for (uint64_t i = 0; i < n && !ret; ) {
		/* Contiguous 4K entries are read in batches, others one by one. */
		size_t cnt = step == 1 ? (n - i < BATCH ? n - i : BATCH) : 1;

		if (pagemap_read(fd, first + i * step, cnt, pfn + i)) {
			ret = -EIO;
			break;
		}
		for (size_t j = 0; j < cnt && !ret; j++) {
			if (!(pfn[i + j] & PM_PRESENT) || !(pfn[i + j] & PM_PFN_MASK))
				ret = -EPERM;
			pfn[i + j] &= PM_PFN_MASK;
		}
		i += cnt;
	}
	close(fd);
	return ret;
}
