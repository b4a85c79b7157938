// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "iommupt.h"

#define G (UINT64_C(1) << 30)
#define M2 (UINT64_C(2) << 20)

static int count(uint64_t iova, uint64_t len, struct pfnmap_entries *e,
		 uint64_t *covered)
{
	char path[PATH_MAX];

	return iommupt_count(check_fixture(path, "iommupt-intel.txt"), iova, len,
			     e, covered);
}

TEST(iommupt_counts_leaves_by_size)
{
	struct pfnmap_entries e;
	uint64_t covered;

	/* At 4G: one 1G PDPE leaf, then two 2M PDE leaves and two PTEs. */
	CHECK_EQ_U64(count(4 * G, G + 2 * M2 + 8192, &e, &covered), 0);
	CHECK_EQ_U64(e.n[PFNMAP_PUD], 1);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 2);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 2);
	CHECK_EQ_U64(covered, G + 2 * M2 + 8192);
}

TEST(iommupt_counts_only_the_range)
{
	struct pfnmap_entries e;
	uint64_t covered;

	/* 4K inside the 1G leaf: that leaf, 4K of it. */
	CHECK_EQ_U64(count(4 * G + G / 2, 4096, &e, &covered), 0);
	CHECK_EQ_U64(e.n[PFNMAP_PUD], 1);
	CHECK_EQ_U64(e.n[PFNMAP_PMD] + e.n[PFNMAP_PTE], 0);
	CHECK_EQ_U64(covered, 4096);
	/* A range with a hole: the leaves cover less than it. */
	CHECK_EQ_U64(count(5 * G, 8 * M2, &e, &covered), 0);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 2);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 2);
	CHECK_EQ_U64(covered, 2 * M2 + 8192);
	/* The 4K leaf at IOVA 0x1000 alone. */
	CHECK_EQ_U64(count(0, 2 * G, &e, &covered), 0);
	CHECK_EQ_U64(pfnmap_entries_total(&e), 1);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 1);
}

TEST(iommupt_refuses_a_leaf_line_it_does_not_understand)
{
	char text[] = "IOVA_PFN\tPML5E\n0x0000000100000 |\t0x0000000000000000\n";
	struct pfnmap_entries e;
	uint64_t covered;
	FILE *f = fmemopen(text, strlen(text), "r");

	CHECK(f != NULL);
	CHECK_EQ_U64(iommupt_parse(f, 0, 8 * G, &e, &covered), (uint64_t)-EINVAL);
	fclose(f);
}

TEST(iommupt_find_says_why_there_is_no_dump)
{
	char dir[PATH_MAX], sub[PATH_MAX], buf[PATH_MAX], why[512];
	FILE *f;

	CHECK_EQ_U64(iommupt_find("/nonexistent/intel", "0000:00:03.0", buf,
				  sizeof(buf), why, sizeof(why)), (uint64_t)-ENOENT);
	CHECK(!strncmp(why, "unavailable: no /nonexistent/intel", 34));
	CHECK(strstr(why, "CONFIG_INTEL_IOMMU_DEBUGFS") != NULL);
	/* The directory without the device's file. */
	check_tmpdir(dir, sizeof(dir));
	CHECK_EQ_U64(iommupt_find(dir, "0000:00:03.0", buf, sizeof(buf), why,
				  sizeof(why)), (uint64_t)-ENOENT);
	CHECK(strstr(why, "0000:00:03.0/domain_translation_struct") != NULL);
	/* Both: its path, and where the counts come from. */
	CHECK(mkdir(check_path(sub, dir, "0000:00:03.0"), 0755) == 0);
	f = fopen(check_path(buf, sub, "domain_translation_struct"), "w");
	CHECK(f != NULL);
	fclose(f);
	CHECK_EQ_U64(iommupt_find(dir, "0000:00:03.0", buf, sizeof(buf), why,
				  sizeof(why)), 0);
	CHECK(strstr(buf, "/0000:00:03.0/domain_translation_struct") != NULL);
	CHECK(strstr(why, "after each map, untimed") != NULL);
}
