// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>

#include "check.h"
#include "ptdump.h"

static int count(uint64_t start, uint64_t end, struct pfnmap_entries *e)
{
	char path[PATH_MAX];

	return ptdump_count(check_fixture(path, "ptdump-user.txt"), start, end, e);
}

TEST(ptdump_counts_present_entries_per_level)
{
	struct pfnmap_entries e;

	/* 1 PUD, 511 PMDs after a 2M hole, then 511 PTEs after a 4K hole. */
	CHECK_EQ_U64(count(0x7f0000000000, 0x7f00c0000000, &e), 0);
	CHECK_EQ_U64(e.n[PFNMAP_PUD], 1);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 511);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 511);
}

TEST(ptdump_counts_only_the_range)
{
	struct pfnmap_entries e;

	/* Half of the PMD run, none of its neighbours. */
	CHECK_EQ_U64(count(0x7f0040200000, 0x7f0060200000, &e), 0);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 256);
	CHECK_EQ_U64(e.n[PFNMAP_PUD] + e.n[PFNMAP_PTE], 0);
	/* Holes (runs without flags) are not entries. */
	CHECK_EQ_U64(count(0x600000, 0x7f0000000000, &e), 0);
	CHECK_EQ_U64(pfnmap_entries_total(&e), 0);
}

TEST(ptdump_missing_file_is_enoent)
{
	struct pfnmap_entries e;

	CHECK_EQ_U64(ptdump_count("/nonexistent/current_user", 0, 1, &e), (uint64_t)-ENOENT);
}

TEST(ptdump_find_prefers_current_kernel)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[PATH_MAX];
	FILE *f;

	check_tmpdir(dir, sizeof(dir));
	/* No dump at all. */
	CHECK(ptdump_find(dir, buf, sizeof(buf)) == NULL);
	/* Only the PTI user copy. */
	f = fopen(check_path(path, dir, "current_user"), "w");
	CHECK(f != NULL);
	fclose(f);
	CHECK_STR(ptdump_find(dir, buf, sizeof(buf)), path);
	/* Both: the process's own tables win. */
	f = fopen(check_path(path, dir, "current_kernel"), "w");
	CHECK(f != NULL);
	fclose(f);
	CHECK_STR(ptdump_find(dir, buf, sizeof(buf)), path);
	/* A buffer too small for the path finds nothing. */
	CHECK(ptdump_find(dir, buf, 8) == NULL);
	check_tmpdir_remove(dir);
}
