// SPDX-License-Identifier: GPL-2.0
#include "caserun.h"
#include "check.h"

static const struct results_case rc = {
	.bench = "mmio", .backing = "bar", .level = "pud", .iface = "", .size = 1,
};

TEST(caserun_keeps_the_first_reason)
{
	struct case_run c;

	case_run_init(&c, &rc, true);
	CHECK(case_run_ok(&c));
	case_run_end(&c, CASE_FAIL, "VFIO_IOMMU_MAP_DMA of BAR 2: No space left on device");
	CHECK(!case_run_ok(&c));
	/* A later failure, or the whole level failing, does not overwrite it. */
	case_run_end(&c, CASE_FAIL, "mmap of BAR 2: Cannot allocate memory");
	case_run_end(&c, CASE_SKIP, "later");
	CHECK_EQ_U64(c.st, CASE_FAIL);
	CHECK_STR(c.why, "VFIO_IOMMU_MAP_DMA of BAR 2: No space left on device");
}

TEST(caserun_a_case_not_measured_never_ends)
{
	struct case_run c;

	case_run_init(&c, &rc, false);
	CHECK(!case_run_ok(&c));
	case_run_end(&c, CASE_SKIP, "a 512M mapping holds no 1G block");
	CHECK_EQ_U64(c.st, CASE_OK);
	CHECK_STR(c.why, "");
	case_run_init(&c, &rc, true);
	case_run_end(&c, CASE_SKIP, "a 512M mapping holds no 1G block");
	CHECK_EQ_U64(c.st, CASE_SKIP);
}
