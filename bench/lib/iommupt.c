// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommupt.h"

int iommupt_find(const char *dir, const char *bdf, char *buf, size_t len,
		 char *why, size_t whylen)
{
	int n;

	if (access(dir, F_OK)) {
		int err = errno;

		snprintf(why, whylen,
			 "unavailable: no %s (this kernel has no CONFIG_INTEL_IOMMU_DEBUGFS, debugfs is not mounted, or the IOMMU is not Intel's; build NAME@iommu-debugfs)",
			 dir);
		return -err;
	}
	n = snprintf(buf, len, "%s/%s/domain_translation_struct", dir, bdf);
	if (n < 0 || (size_t)n >= len) {
		snprintf(why, whylen, "unavailable: path too long");
		return -ENAMETOOLONG;
	}
	if (access(buf, R_OK)) {
		int err = errno;

		snprintf(why, whylen, "unavailable: %s: %s", buf, strerror(err));
		return -err;
	}
	snprintf(why, whylen, "%s after each map, untimed", buf);
	return 0;
}

/* The level of a leaf line's last entry, from how many entries it has. */
static int leaf_level(const char *entries)
{
	int n = 0;

	for (const char *p = entries; (p = strstr(p, "0x")); p += 2)
		n++;
	switch (n) {
	case 3:
		return PFNMAP_PUD;	/* PML5E, PML4E, PDPE */
	case 4:
		return PFNMAP_PMD;	/* ... PDE */
	case 5:
		return PFNMAP_PTE;	/* ... PTE */
	default:
		return -1;
	}
}

int iommupt_parse(FILE *f, uint64_t iova, uint64_t len,
		  struct pfnmap_entries *e, uint64_t *covered)
{
	uint64_t end = iova + len;
	char line[512];

	memset(e, 0, sizeof(*e));
	*covered = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long pfn;
		const char *bar = strchr(line, '|');
		uint64_t lo, hi, a, b;
		int l;

		if (sscanf(line, "0x%llx", &pfn) != 1 || !bar)
			continue;	/* a header */
		l = leaf_level(bar);
		if (l < 0)
			return -EINVAL;
		lo = (uint64_t)pfn << 12;
		hi = lo + pfnmap_level_size(l);
		a = lo > iova ? lo : iova;
		b = hi < end ? hi : end;
		if (a >= b)
			continue;
		e->n[l]++;
		*covered += b - a;
	}
	return ferror(f) ? -EIO : 0;
}

int iommupt_count(const char *path, uint64_t iova, uint64_t len,
		  struct pfnmap_entries *e, uint64_t *covered)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f)
		return -errno;
	ret = iommupt_parse(f, iova, len, e, covered);
	fclose(f);
	return ret;
}
