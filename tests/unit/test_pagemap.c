// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "pagemap.h"

#define PM_PRESENT (UINT64_C(1) << 63)

TEST(pagemap_count_runs)
{
	uint64_t e[] = {
		PM_PRESENT | 10, PM_PRESENT | 11, PM_PRESENT | 12,	/* one run */
		PM_PRESENT | 9,						/* descending: a new run */
		PM_PRESENT | 40, PM_PRESENT | 41,
	};
	uint64_t last = 0, absent[] = { PM_PRESENT | 5, 6 }, hidden[] = { PM_PRESENT };

	CHECK(pagemap_count_runs(e, 6, &last) == 3);
	CHECK_EQ_U64(last, 41);
	/* A run goes on across batches. */
	last = 9;
	CHECK(pagemap_count_runs(e, 3, &last) == 0);
	last = 0;
	CHECK(pagemap_count_runs(absent, 2, &last) == -1);
	last = 0;
	CHECK(pagemap_count_runs(hidden, 1, &last) == -1);
}

/*
 * The PFNs of our own pages: visible to root only (else -EPERM), one per
 * @stride, and the runs they make are the runs pagemap_pfn_runs() counts.
 */
TEST(pagemap_pfns)
{
	enum { N = 8 };
	uint8_t *p = mmap(NULL, 2 * N * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t pfn[N], every_other[N / 2], last = 0;
	int64_t runs = 0;
	int ret;

	CHECK(p != MAP_FAILED);
	CHECK(pagemap_pfns(p, 1, 4096, pfn) == -EPERM);	/* not present */
	for (size_t i = 0; i < 2 * N; i++)
		p[i * 4096] = 1;
	ret = pagemap_pfns(p, N, 4096, pfn);
	if (geteuid()) {
		CHECK(ret == -EPERM);
		munmap(p, 2 * N * 4096);
		return;
	}
	CHECK(ret == 0);
	for (size_t i = 0; i < N; i++) {
		CHECK(pfn[i] != 0);
		runs += i == 0 || pfn[i] != last + 1;
		last = pfn[i];
	}
	CHECK(runs == pagemap_pfn_runs(p, N * 4096));
	CHECK(pagemap_pfns(p, N / 2, 2 * 4096, every_other) == 0);
	for (size_t i = 0; i < N / 2; i++)
		CHECK_EQ_U64(every_other[i], pfn[2 * i]);
	munmap(p, 2 * N * 4096);
}
