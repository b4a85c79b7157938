// SPDX-License-Identifier: GPL-2.0
/*
 * The KTAP reader on selftest output as kselftest_harness prints it
 * (tests/fixtures/ktap/): results, directives, what a failed test said on
 * stderr, KTAP nesting, a crash mid-output, a skipped program, a bail-out,
 * and the test list of `PROGRAM -l`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "check.h"
#include "ktap.h"

static int parse_fixture(const char *name, struct ktap_report *r)
{
	char path[PATH_MAX], rel[128];
	FILE *fp;
	int ret;

	snprintf(rel, sizeof(rel), "ktap/%s", name);
	fp = fopen(check_fixture(path, rel), "re");
	if (!fp)
		return -errno;
	ret = ktap_parse(fp, r);
	fclose(fp);
	return ret;
}

static int list_fixture(const char *name, struct ktap_list *l)
{
	char path[PATH_MAX], rel[128];
	FILE *fp;
	int ret;

	snprintf(rel, sizeof(rel), "ktap/%s", name);
	fp = fopen(check_fixture(path, rel), "re");
	if (!fp)
		return -errno;
	ret = ktap_parse_list(fp, l);
	fclose(fp);
	return ret;
}

TEST(ktap_harness_results)
{
	struct ktap_report r;
	const struct ktap_test *t;

	CHECK(!parse_fixture("harness.tap", &r));
	CHECK_EQ_U64(r.plan, 5);
	CHECK_EQ_U64(r.ntests, 5);
	CHECK_EQ_U64(r.missing, 0);
	CHECK(!r.bailed && !r.skip_all);
	t = ktap_find(&r, "vfio_dma_mapping_test.vfio_type1_iommu_anonymous.dma_map_unmap");
	CHECK(t && t->result == KTAP_PASS);
	t = ktap_find(&r, "vfio_dma_mapping_test.vfio_type1_iommu_anonymous_hugetlb_1gb.dma_map_unmap");
	CHECK(t && t->result == KTAP_SKIP);
	CHECK_STR(t->reason, "mmap() failed: Cannot allocate memory (12)");
	t = ktap_find(&r, "vfio_dma_map_limit_test.vfio_type1_iommu.unmap_range");
	CHECK(t && t->result == KTAP_FAIL && ktap_failed(t->result));
	CHECK_STR(t->reason, "");
	/* The assertion on stderr, its source path cut to the file name. */
	CHECK_STR(t->note, "iommu.h:40: Assertion Failure; [errno: 28 - No space left on device]");
	t = ktap_find(&r, "vfio_pci_irq_test.msi.enable_trigger_disable");
	CHECK(t && t->result == KTAP_XFAIL && !ktap_failed(t->result));
	CHECK_STR(t->reason, "edu raises no MSI under TCG");
	t = ktap_find(&r, "vfio_pci_irq_test.msix.enable_trigger_disable");
	CHECK(t && t->result == KTAP_FAIL);
	CHECK_STR(t->reason, "timed out");
	CHECK(!ktap_find(&r, "vfio_pci_irq_test"));
	ktap_free(&r);
}

TEST(ktap_crash_mid_output)
{
	struct ktap_report r;

	CHECK(!parse_fixture("crash.tap", &r));
	CHECK_EQ_U64(r.plan, 4);
	CHECK_EQ_U64(r.top, 1);
	CHECK_EQ_U64(r.missing, 3);
	CHECK_STR(r.last_line, "#  RUN           vfio_dma_map_limit_test.vfio_type1_iommu.unmap_all ...");
	ktap_free(&r);
}

TEST(ktap_nested_subtests)
{
	struct ktap_report r;
	const struct ktap_test *t;

	CHECK(!parse_fixture("nested.tap", &r));
	CHECK_EQ_U64(r.plan, 2);
	CHECK_EQ_U64(r.top, 2);
	CHECK_EQ_U64(r.ntests, 6);
	CHECK_EQ_U64(r.missing, 0);
	t = ktap_find(&r, "type1/map");
	CHECK(t && t->result == KTAP_PASS && t->depth == 1);
	t = ktap_find(&r, "type1/unmap");
	CHECK(t && t->result == KTAP_SKIP);
	CHECK_STR(t->reason, "no device");
	t = ktap_find(&r, "type1");
	CHECK(t && t->result == KTAP_PASS && t->depth == 0);
	t = ktap_find(&r, "iommufd/attach/inner");
	CHECK(t && t->result == KTAP_PASS && t->depth == 2);
	t = ktap_find(&r, "iommufd/attach");
	CHECK(t && t->result == KTAP_FAIL);
	t = ktap_find(&r, "iommufd");
	CHECK(t && t->result == KTAP_FAIL);
	ktap_free(&r);
}

TEST(ktap_skip_all_and_bail_out)
{
	struct ktap_report r;

	CHECK(!parse_fixture("skip-all.tap", &r));
	CHECK(r.skip_all);
	CHECK_EQ_U64(r.plan, 0);
	CHECK_EQ_U64(r.ntests, 0);
	CHECK_STR(r.skip_reason, "SR-IOV may not be supported by the PF: 0000:00:02.0");
	ktap_free(&r);

	CHECK(!parse_fixture("bail.tap", &r));
	CHECK(r.bailed);
	CHECK_STR(r.bail_reason, "cannot open /dev/vfio/vfio");
	CHECK_EQ_U64(r.missing, 2);
	ktap_free(&r);
}

TEST(ktap_directives_any_case)
{
	static const char text[] =
		"1..6\n"
		"ok 1 a # skip lower case\n"
		"not ok 2 b # TODO not yet\n"
		"ok 3 c # TODO done early\n"
		"not ok 4 - d # error could not start\n"
		"ok 5 # XPASS\n"
		"not ok 6 f\\#g\n";
	struct ktap_report r;
	const struct ktap_test *t;
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");

	CHECK(fp);
	CHECK(!ktap_parse(fp, &r));
	fclose(fp);
	CHECK_EQ_U64(r.ntests, 6);
	CHECK(r.tests[0].result == KTAP_SKIP);
	CHECK_STR(r.tests[0].reason, "lower case");
	CHECK(r.tests[1].result == KTAP_XFAIL);
	CHECK(r.tests[2].result == KTAP_XPASS);
	t = ktap_find(&r, "d");
	CHECK(t && t->result == KTAP_ERROR && ktap_failed(t->result));
	CHECK_STR(t->reason, "could not start");
	/* No name: the number stands in; an escaped # is part of the name. */
	CHECK_STR(r.tests[4].name, "#5");
	CHECK(r.tests[4].result == KTAP_XPASS);
	CHECK_STR(r.tests[5].name, "f\\#g");
	CHECK_STR(ktap_result_name(KTAP_XFAIL), "xfail");
	ktap_free(&r);
}

TEST(ktap_list_variants_times_tests)
{
	struct ktap_list l;

	CHECK(!list_fixture("dma-mapping.list", &l));
	/* 15 variants x 1 test, then 5 variants x 3 tests. */
	CHECK_EQ_U64(l.n, 30);
	CHECK_STR(l.e[0].name, "vfio_dma_mapping_test.vfio_type1_iommu_anonymous.dma_map_unmap");
	CHECK_STR(l.e[0].variant, "vfio_type1_iommu_anonymous");
	/* Variants wider than their column push the test column right. */
	CHECK_STR(l.e[14].name, "vfio_dma_mapping_test.iommufd_anonymous_hugetlb_1gb.dma_map_unmap");
	CHECK_STR(l.e[15].name, "vfio_dma_map_limit_test.vfio_type1_iommu.unmap_range");
	CHECK_STR(l.e[17].name, "vfio_dma_map_limit_test.vfio_type1_iommu.overflow");
	CHECK_STR(l.e[29].name, "vfio_dma_map_limit_test.iommufd.overflow");
	CHECK_STR(l.e[29].variant, "iommufd");
	ktap_list_free(&l);
}

TEST(ktap_list_fixtures_without_variants)
{
	struct ktap_list l;

	CHECK(!list_fixture("pci-device.list", &l));
	CHECK_EQ_U64(l.n, 5);
	CHECK_STR(l.e[0].name, "vfio_pci_device_test.config_space_read_write");
	CHECK_STR(l.e[0].variant, "");
	CHECK_STR(l.e[2].name, "vfio_pci_device_test.reset");
	CHECK_STR(l.e[3].name, "vfio_pci_irq_test.msi.enable_trigger_disable");
	CHECK_STR(l.e[4].name, "vfio_pci_irq_test.msix.enable_trigger_disable");
	ktap_list_free(&l);
	/* TAP is not a list. */
	CHECK(list_fixture("harness.tap", &l) == -EINVAL);
	CHECK_EQ_U64(l.n, 0);
}
