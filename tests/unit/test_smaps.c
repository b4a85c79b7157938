// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "smaps.h"

#define KiB UINT64_C(1024)
#define MiB (KiB << 10)
#define GiB (MiB << 10)

static int smaps_fixture(const char *name, uintptr_t start, uintptr_t end,
			 struct smaps_counts *c)
{
	char path[PATH_MAX];

	return smaps_range(check_fixture(path, name), start, end, c);
}

TEST(smaps_thp_buffer_fully_huge)
{
	struct smaps_counts c;

	CHECK(smaps_fixture("smaps-thp.txt", 0x7f0000000000,
			    0x7f0040000000, &c) == 0);
	CHECK_EQ_U64(c.vmas, 1);
	CHECK_EQ_U64(c.rss, GiB);
	CHECK_EQ_U64(c.anon, GiB);
	CHECK_EQ_U64(c.anon_huge, GiB);
	CHECK_EQ_U64(c.shmem_pmd, 0);
	CHECK_EQ_U64(c.private_hugetlb, 0);
	CHECK_EQ_U64(c.kernel_page_size, 4096);
	CHECK_EQ_U64(c.mmu_page_size, 4096);
}

TEST(smaps_partial_overlap_counts_whole_vmas)
{
	struct smaps_counts c;

	/* All of the half-THP VMA and one page of its neighbour. */
	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f1000000000,
			    0x7f1004001000, &c) == 0);
	CHECK_EQ_U64(c.vmas, 2);
	CHECK_EQ_U64(c.rss, 64 * MiB + 16 * MiB);
	CHECK_EQ_U64(c.anon, 80 * MiB);
	CHECK_EQ_U64(c.anon_huge, 32 * MiB);
	CHECK_EQ_U64(c.kernel_page_size, 4096);

	/* [start, end) is half-open: ending where the next VMA starts. */
	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f1000000000,
			    0x7f1004000000, &c) == 0);
	CHECK_EQ_U64(c.vmas, 1);
	CHECK_EQ_U64(c.anon_huge, 32 * MiB);

	/* One page inside a VMA still reports the whole VMA. */
	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f1004002000,
			    0x7f1004003000, &c) == 0);
	CHECK_EQ_U64(c.vmas, 1);
	CHECK_EQ_U64(c.rss, 16 * MiB);
	CHECK_EQ_U64(c.anon_huge, 0);
}

TEST(smaps_hugetlb_and_shmem)
{
	struct smaps_counts c;

	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f1040000000,
			    0x7f1080000000, &c) == 0);
	CHECK_EQ_U64(c.vmas, 1);
	CHECK_EQ_U64(c.private_hugetlb, GiB);
	CHECK_EQ_U64(c.shared_hugetlb, 0);
	/* hugetlb pages are not part of Rss. */
	CHECK_EQ_U64(c.rss, 0);
	CHECK_EQ_U64(c.kernel_page_size, GiB);
	CHECK_EQ_U64(c.mmu_page_size, GiB);

	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f10c0000000,
			    0x7f10e0000000, &c) == 0);
	CHECK_EQ_U64(c.shmem_pmd, 512 * MiB);
	CHECK_EQ_U64(c.rss, 512 * MiB);
	CHECK_EQ_U64(c.anon, 0);
	CHECK_EQ_U64(c.anon_huge, 0);

	/* Three VMAs: page sizes come from the first one. */
	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f1040000000,
			    0x7f1100400000, &c) == 0);
	CHECK_EQ_U64(c.vmas, 3);
	CHECK_EQ_U64(c.private_hugetlb, GiB + 4 * MiB);
	CHECK_EQ_U64(c.shmem_pmd, 512 * MiB);
	CHECK_EQ_U64(c.kernel_page_size, GiB);
}

TEST(smaps_no_overlap_is_enoent)
{
	struct smaps_counts c;

	/* The gap between the 64 MiB VMAs and the hugetlb one. */
	CHECK(smaps_fixture("smaps-mixed.txt", 0x7f1008000000,
			    0x7f1040000000, &c) == -ENOENT);
	CHECK_EQ_U64(c.vmas, 0);
	CHECK(smaps_fixture("no-such-smaps.txt", 0, UINTPTR_MAX, &c) ==
	      -ENOENT);
}

TEST(smaps_live_process)
{
	size_t len = 4 * MiB, page = (size_t)sysconf(_SC_PAGESIZE);
	struct smaps_counts c;
	char *p;
	int ret;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 1, len);
	ret = smaps_range("/proc/self/smaps", (uintptr_t)p,
			  (uintptr_t)p + len, &c);
	munmap(p, len);
	CHECK(ret == 0);
	/* The VMA may have merged with a neighbour, never shrunk. */
	CHECK(c.vmas >= 1);
	CHECK(c.rss >= len);
	CHECK(c.anon >= len);
	CHECK_EQ_U64(c.kernel_page_size, page);
}
