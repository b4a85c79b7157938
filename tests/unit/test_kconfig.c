// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kconfig.h"
#include "sha256.h"

TEST(sha256_vectors)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[SHA256_HEX_LEN], *big;

	/* FIPS 180-4 examples, and sha256sum of 1000000 'a's. */
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(two_blocks, strlen(two_blocks), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	big = malloc(1000000);
	CHECK(big);
	memset(big, 'a', 1000000);
	sha256_hex(big, 1000000, hex);
	free(big);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static const char config_a[] =
	"#\n"
	"# Automatically generated file; DO NOT EDIT.\n"
	"# Linux/x86 6.12.117 Kernel Configuration\n"
	"#\n"
	"CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
	"CONFIG_SPARSEMEM_VMEMMAP=y\n"
	"CONFIG_PREEMPT_VOLUNTARY=y\n"
	"# CONFIG_PREEMPT is not set\n"
	"CONFIG_HZ=250\n"
	"CONFIG_MITIGATION_RETPOLINE=y\n"
	"CONFIG_VFIO=m\n"
	"# CONFIG_KASAN is not set\n"
	"# CONFIG_IOMMUFD is not set\n"
	"CONFIG_LOCALVERSION=\"\"\n";

static const char config_b[] =
	"CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
	"CONFIG_SPARSEMEM_VMEMMAP=y\n"
	"# CONFIG_PREEMPT_VOLUNTARY is not set\n"
	"CONFIG_PREEMPT=y\r\n"
	"CONFIG_HZ=1000\n"
	"CONFIG_VFIO=y\n"
	"CONFIG_IOMMUFD=y\n"
	"CONFIG_DEBUG_VM=y\n"
	"CONFIG_LOCALVERSION=\"-vp1234\"";

TEST(kconfig_parse_and_get)
{
	struct kconfig c;
	char err[128];

	CHECK(kconfig_parse(&c, config_a, strlen(config_a), err, sizeof(err)) == 0);
	CHECK_EQ_U64(c.n, 10);
	CHECK_STR(kconfig_get(&c, "VFIO"), "m");
	CHECK_STR(kconfig_get(&c, "PREEMPT"), "n");
	CHECK_STR(kconfig_get(&c, "HZ"), "250");
	CHECK_STR(kconfig_get(&c, "LOCALVERSION"), "\"\"");
	CHECK_STR(kconfig_get(&c, "CC_VERSION_TEXT"), "\"gcc (Debian 12.2.0-14) 12.2.0\"");
	CHECK(kconfig_get(&c, "DEBUG_VM") == NULL);
	kconfig_free(&c);
	/* A line a .config cannot hold, an option twice. */
	CHECK(kconfig_parse(&c, "CONFIG_A=y\nhello\n", 17, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "line 2: 'hello' is neither CONFIG_X=value nor a comment");
	CHECK(kconfig_parse(&c, "CONFIG_A=y\n# CONFIG_A is not set\n", 32, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "CONFIG_A twice");
	CHECK(kconfig_parse(&c, "CONFIG_=y\n", 10, err, sizeof(err)) == -EINVAL);
	/* The harness's placeholder for a kernel without a .config. */
	CHECK(kconfig_parse(&c, "# unknown: no .config found\n", 28, err, sizeof(err)) == 0);
	CHECK_EQ_U64(c.n, 0);
	kconfig_free(&c);
}

TEST(kconfig_groups)
{
	CHECK(kconfig_group_of("SPARSEMEM_VMEMMAP") == KCONFIG_MEMORY);
	CHECK(kconfig_group_of("MEMORY_HOTPLUG") == KCONFIG_MEMORY);
	CHECK(kconfig_group_of("TRANSPARENT_HUGEPAGE") == KCONFIG_MEMORY);
	CHECK(kconfig_group_of("PREEMPT_DYNAMIC") == KCONFIG_PREEMPT);
	CHECK(kconfig_group_of("DEBUG_VM") == KCONFIG_DEBUG);
	CHECK(kconfig_group_of("PROVE_LOCKING") == KCONFIG_DEBUG);
	CHECK(kconfig_group_of("KASAN") == KCONFIG_DEBUG);
	CHECK(kconfig_group_of("SCHED_DEBUG") == KCONFIG_DEBUG);
	/* The kernel's own debugging; a driver's debug knob is not. */
	CHECK(kconfig_group_of("IOMMU_DEBUGFS") == KCONFIG_IOMMU);
	CHECK(kconfig_group_of("AIC79XX_DEBUG_ENABLE") == KCONFIG_OTHER);
	CHECK(kconfig_group_of("PTDUMP_DEBUGFS") == KCONFIG_DEBUG);
	/* DMAR, the VT-d tables; not DMARD09, an accelerometer. */
	CHECK(kconfig_group_of("DMAR_TABLE") == KCONFIG_IOMMU);
	CHECK(kconfig_group_of("DMARD09") == KCONFIG_OTHER);
	CHECK(kconfig_group_of("MITIGATION_RETPOLINE") == KCONFIG_MITIGATION);
	CHECK(kconfig_group_of("PAGE_TABLE_ISOLATION") == KCONFIG_MITIGATION);
	CHECK(kconfig_group_of("CPU_SRSO") == KCONFIG_MITIGATION);
	CHECK(kconfig_group_of("INTEL_IOMMU_SVM") == KCONFIG_IOMMU);
	CHECK(kconfig_group_of("VFIO_PCI") == KCONFIG_IOMMU);
	CHECK(kconfig_group_of("IOMMUFD") == KCONFIG_IOMMU);
	CHECK(kconfig_group_of("HZ") == KCONFIG_OTHER);
	CHECK_STR(kconfig_group_name(KCONFIG_IOMMU), "IOMMU/VFIO");
}

TEST(kconfig_diff_grouped)
{
	static const char *const want[][4] = {
		{ "PREEMPT", "n", "y", "preemption" },
		{ "PREEMPT_VOLUNTARY", "y", "n", "preemption" },
		{ "DEBUG_VM", "n", "y", "debug" },
		{ "MITIGATION_RETPOLINE", "y", "n", "mitigations" },
		{ "IOMMUFD", "n", "y", "IOMMU/VFIO" },
		{ "VFIO", "m", "y", "IOMMU/VFIO" },
		{ "HZ", "250", "1000", "other" },
	};
	struct kconfig a, b;
	struct kconfig_change *ch;
	char err[128];
	size_t n;

	CHECK(kconfig_parse(&a, config_a, strlen(config_a), err, sizeof(err)) == 0);
	CHECK(kconfig_parse(&b, config_b, strlen(config_b), err, sizeof(err)) == 0);
	CHECK(kconfig_diff(&a, &b, &ch, &n) == 0);
	/*
	 * KASAN: not set in a, absent in b: both off, no difference.
	 * LOCALVERSION ("" and "-vp1234"): the build's name, no difference.
	 */
	CHECK_EQ_U64(n, 7);
	for (size_t i = 0; i < n; i++) {
		CHECK_STR(ch[i].name, want[i][0]);
		CHECK_STR(ch[i].a ? ch[i].a : "n", want[i][1]);
		CHECK_STR(ch[i].b ? ch[i].b : "n", want[i][2]);
		CHECK_STR(kconfig_group_name(ch[i].group), want[i][3]);
	}
	free(ch);
	CHECK(kconfig_diff(&a, &a, &ch, &n) == 0);
	CHECK_EQ_U64(n, 0);
	free(ch);
	kconfig_free(&a);
	kconfig_free(&b);
}
