/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel's .config as a set of options, and the options two configs
 * differ in, grouped so that what changes kernel costs comes first:
 * memory model, preemption, debugging, mitigations, IOMMU and VFIO.
 * A config differing there makes a comparison of kernels a comparison
 * of configs too (docs/results.md, "Kernel configs").
 */
#ifndef VFIO_PERF_KCONFIG_H
#define VFIO_PERF_KCONFIG_H

#include <stddef.h>

/* One option: its name without CONFIG_, its value as written ("y", "m", "64", "\"str\""). */
struct kconfig_opt {
	char *name;
	char *value;		/* "n" for "# CONFIG_X is not set" */
};

struct kconfig {
	struct kconfig_opt *o;	/* sorted by name */
	size_t n, cap;
};

/*
 * Parse the .config text @text (@len bytes): "CONFIG_X=value" and
 * "# CONFIG_X is not set" lines; other comments and blank lines are
 * skipped.  Returns 0, or -EINVAL with "line N: reason" in @err (any
 * other line, an option twice), or -ENOMEM.
 */
int kconfig_parse(struct kconfig *c, const char *text, size_t len, char *err,
		  size_t errlen);

/* The value of option @name (without CONFIG_), or NULL when absent. */
const char *kconfig_get(const struct kconfig *c, const char *name);

void kconfig_free(struct kconfig *c);

enum kconfig_group {
	KCONFIG_MEMORY,		/* memory model: SPARSEMEM*, MEMORY_HOTPLUG*, THP, hugetlb, memcg */
	KCONFIG_PREEMPT,	/* PREEMPT* */
	KCONFIG_DEBUG,		/* DEBUG_*, *_DEBUG*, KASAN, LOCKDEP, PROVE_*, ... */
	KCONFIG_MITIGATION,	/* MITIGATION_*, RETPOLINE, PAGE_TABLE_ISOLATION, ... */
	KCONFIG_IOMMU,		/* IOMMU*, INTEL_IOMMU*, VFIO*, IOMMUFD*, ... */
	KCONFIG_OTHER,
	KCONFIG_NGROUPS,
};

/* "memory model", "preemption", "debug", "mitigations", "IOMMU/VFIO", "other". */
const char *kconfig_group_name(enum kconfig_group g);

/* The group of option @name (without CONFIG_). */
enum kconfig_group kconfig_group_of(const char *name);

/* An option whose value differs; NULL: absent or not set. */
struct kconfig_change {
	const char *name;
	const char *a, *b;
	enum kconfig_group group;
};

/*
 * The options @a and @b differ in, by group then name, in a malloc()ed
 * array of *n (pointing into @a and @b).  An option absent from one
 * config and not set ("n") in the other does not differ: both are off.
 * LOCALVERSION never differs: it names a build (the kernel release,
 * which the sides table gives), and every build has its own.
 * Returns 0 or -ENOMEM.
 */
int kconfig_diff(const struct kconfig *a, const struct kconfig *b,
		 struct kconfig_change **out, size_t *n);

#endif
