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

/* A range of a fixture and what smaps_range() must make of it. */
static const struct smaps_case {
	const char *what;
	const char *file;
	uintptr_t start, end;
	int ret;
	struct smaps_counts want;
} smaps_cases[] = {
#define SMAPS_4K .kernel_page_size = 4096, .mmu_page_size = 4096
	{ "1 GiB anon, fully THP", "smaps-thp.txt", 0x7f0000000000,
	  0x7f0040000000, 0, { .vmas = 1, .vma_bytes = GiB, .rss = GiB, .anon = GiB,
	  .anon_huge = GiB, SMAPS_4K } },
	/* All of the half-THP VMA and one page of its neighbour. */
	{ "partial overlap counts whole VMAs", "smaps-mixed.txt",
	  0x7f1000000000, 0x7f1004001000, 0, { .vmas = 2, .vma_bytes = 128 * MiB,
	  .rss = 80 * MiB,
	  .anon = 80 * MiB, .anon_huge = 32 * MiB, SMAPS_4K } },
	/* [start, end) is half-open: ending where the next VMA starts. */
	{ "end is exclusive", "smaps-mixed.txt", 0x7f1000000000,
	  0x7f1004000000, 0, { .vmas = 1, .vma_bytes = 64 * MiB, .rss = 64 * MiB,
	  .anon = 64 * MiB,
	  .anon_huge = 32 * MiB, SMAPS_4K } },
	{ "one page inside a VMA reports all of it", "smaps-mixed.txt",
	  0x7f1004002000, 0x7f1004003000, 0,
	  { .vmas = 1, .vma_bytes = 64 * MiB, .rss = 16 * MiB, .anon = 16 * MiB,
	    SMAPS_4K } },
	/* hugetlb pages are not part of Rss. */
	{ "hugetlb 1G", "smaps-mixed.txt", 0x7f1040000000, 0x7f1080000000, 0,
	  { .vmas = 1, .vma_bytes = GiB, .private_hugetlb = GiB, .kernel_page_size = GiB,
	    .mmu_page_size = GiB } },
	{ "shmem with PMDs", "smaps-mixed.txt", 0x7f10c0000000,
	  0x7f10e0000000, 0, { .vmas = 1, .vma_bytes = 512 * MiB, .rss = 512 * MiB,
	  .shmem_pmd = 512 * MiB, SMAPS_4K } },
	/* Page sizes come from the first VMA. */
	{ "hugetlb 1G, shmem, memfd hugetlb 2M", "smaps-mixed.txt",
	  0x7f1040000000, 0x7f1100400000, 0, { .vmas = 3,
	  .vma_bytes = GiB + 512 * MiB + 4 * MiB, .rss = 512 * MiB,
	  .shmem_pmd = 512 * MiB, .private_hugetlb = GiB + 4 * MiB,
	  .kernel_page_size = GiB, .mmu_page_size = GiB } },
	{ "gap between VMAs", "smaps-mixed.txt", 0x7f1008000000,
	  0x7f1040000000, -ENOENT, { .vmas = 0 } },
	{ "missing file", "no-such-smaps.txt", 0, UINTPTR_MAX, -ENOENT,
	  { .vmas = 0 } },
#undef SMAPS_4K
};

#define SMAPS_EXPECT(c, got, field)					\
	do {								\
		if ((got)->field != (c)->want.field)			\
			check_failed(__FILE__, __LINE__,		\
				     "%s: %s = %llu, want %llu",	\
				     (c)->what, #field,			\
				     (unsigned long long)(got)->field,	\
				     (unsigned long long)(c)->want.field); \
	} while (0)

TEST(smaps_fixture_ranges)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(smaps_cases) / sizeof(smaps_cases[0]); i++) {
		const struct smaps_case *c = &smaps_cases[i];
		struct smaps_counts got;
		int ret;

		ret = smaps_range(check_fixture(path, c->file), c->start,
				  c->end, &got);
		if (ret != c->ret)
			check_failed(__FILE__, __LINE__, "%s: returned %d",
				     c->what, ret);
		SMAPS_EXPECT(c, &got, vmas);
		SMAPS_EXPECT(c, &got, vma_bytes);
		SMAPS_EXPECT(c, &got, rss);
		SMAPS_EXPECT(c, &got, anon);
		SMAPS_EXPECT(c, &got, anon_huge);
		SMAPS_EXPECT(c, &got, shmem_pmd);
		SMAPS_EXPECT(c, &got, file_pmd);
		SMAPS_EXPECT(c, &got, shared_hugetlb);
		SMAPS_EXPECT(c, &got, private_hugetlb);
		if (!c->ret) {
			SMAPS_EXPECT(c, &got, kernel_page_size);
			SMAPS_EXPECT(c, &got, mmu_page_size);
		}
	}
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
