// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smaps.h"

/*
 * The counters we read, by their smaps name.  Anything else (Pss,
 * THPeligible, VmFlags, ...) is skipped, so new kernel fields do no harm.
 */
static const struct smaps_field {
	const char *name;
	size_t offset;
	bool first_vma_only;	/* a property, not an amount to add up */
} smaps_fields[] = {
#define SMAPS_SUM(n, member) \
	{ .name = n, .offset = offsetof(struct smaps_counts, member) }
#define SMAPS_FIRST(n, member) \
	{ .name = n, .offset = offsetof(struct smaps_counts, member), \
	  .first_vma_only = true }
	SMAPS_SUM("Rss", rss),
	SMAPS_SUM("Anonymous", anon),
	SMAPS_SUM("AnonHugePages", anon_huge),
	SMAPS_SUM("ShmemPmdMapped", shmem_pmd),
	SMAPS_SUM("FilePmdMapped", file_pmd),
	SMAPS_SUM("Shared_Hugetlb", shared_hugetlb),
	SMAPS_SUM("Private_Hugetlb", private_hugetlb),
	SMAPS_SUM("Shared_Dirty", shared_dirty),
	SMAPS_SUM("Private_Dirty", private_dirty),
	SMAPS_FIRST("KernelPageSize", kernel_page_size),
	SMAPS_FIRST("MMUPageSize", mmu_page_size),
#undef SMAPS_SUM
#undef SMAPS_FIRST
};

/*
 * A VMA header is "start-end perms offset dev inode [name]" in hex.
 * Counter lines can start with a hex digit too ("AnonHugePages:"), but
 * never with hex digits followed by '-'.
 */
static bool smaps_vma_header(const char *line, uintptr_t *start,
			     uintptr_t *end)
{
	char *p;

	*start = strtoull(line, &p, 16);
	if (p == line || *p != '-')
		return false;
	line = p + 1;
	*end = strtoull(line, &p, 16);
	return p != line && *p == ' ';
}

/* Add one "Name:   123 kB" line to @out if it is a counter we know. */
static int smaps_add_field(const char *line, struct smaps_counts *out)
{
	const char *colon = strchr(line, ':');
	unsigned long long kb;
	size_t i, len;
	char *end;

	if (!colon)
		return 0;
	len = (size_t)(colon - line);
	for (i = 0; i < sizeof(smaps_fields) / sizeof(smaps_fields[0]); i++) {
		const struct smaps_field *f = &smaps_fields[i];

		if (strlen(f->name) != len || strncmp(line, f->name, len))
			continue;
		kb = strtoull(colon + 1, &end, 10);
		if (end == colon + 1 || strncmp(end, " kB", 3))
			return -EINVAL;
		if (f->first_vma_only && out->vmas > 1)
			return 0;
		*(uint64_t *)((char *)out + f->offset) += kb * 1024;
		return 0;
	}
	return 0;
}

int smaps_range(const char *path, uintptr_t start, uintptr_t end,
		struct smaps_counts *out)
{
	FILE *fp = fopen(path, "re");
	bool counting = false;
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	*out = (struct smaps_counts){ 0 };
	if (!fp)
		return -errno;
	while (!ret && getline(&line, &cap, fp) > 0) {
		uintptr_t vma_start, vma_end;

		if (smaps_vma_header(line, &vma_start, &vma_end)) {
			counting = vma_start < end && vma_end > start;
			out->vmas += counting;
			out->vma_bytes += counting ? vma_end - vma_start : 0;
		} else if (counting) {
			ret = smaps_add_field(line, out);
		}
	}
	if (!ret && ferror(fp))
		ret = -EIO;
	free(line);
	fclose(fp);
	if (!ret && !out->vmas)
		ret = -ENOENT;
	return ret;
}
