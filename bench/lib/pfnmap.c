// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "pfnmap.h"

#define SZ_4K (UINT64_C(1) << 12)
#define SZ_2M (UINT64_C(1) << 21)
#define SZ_1G (UINT64_C(1) << 30)

const char *const pfnmap_level_name[PFNMAP_NR_LEVELS] = {
	[PFNMAP_PTE] = "pte", [PFNMAP_PMD] = "pmd", [PFNMAP_PUD] = "pud",
	[PFNMAP_AUTO] = "auto",
};

static const uint64_t level_size[PFNMAP_NR_SIZES] = { SZ_4K, SZ_2M, SZ_1G };

int pfnmap_level_find(const char *name)
{
	for (int l = 0; l < PFNMAP_NR_LEVELS; l++)
		if (!strcmp(pfnmap_level_name[l], name))
			return l;
	return -1;
}

uint64_t pfnmap_level_size(enum pfnmap_level l)
{
	return l < PFNMAP_NR_SIZES ? level_size[l] : 0;
}

void pfnmap_expect(uint64_t va, uint64_t pa, uint64_t len,
		   enum pfnmap_level max, struct pfnmap_entries *e)
{
	uint64_t end = va + len;

	memset(e, 0, sizeof(*e));
	while (va < end) {
		int l = max < PFNMAP_NR_SIZES ? (int)max : PFNMAP_PUD;

		/* The fault handler's test: aligned both ways, inside the VMA. */
		for (; l > PFNMAP_PTE; l--)
			if (!(va % level_size[l]) && !(pa % level_size[l]) &&
			    end - va >= level_size[l])
				break;
		e->n[l]++;
		va += level_size[l];
		pa += level_size[l];
	}
}

uint64_t pfnmap_entries_total(const struct pfnmap_entries *e)
{
	uint64_t t = 0;

	for (int l = 0; l < PFNMAP_NR_SIZES; l++)
		t += e->n[l];
	return t;
}

const char *pfnmap_entries_format(const struct pfnmap_entries *e, char *buf,
				  size_t len)
{
	snprintf(buf, len, "%llu pud, %llu pmd, %llu pte",
		 (unsigned long long)e->n[PFNMAP_PUD], (unsigned long long)e->n[PFNMAP_PMD],
		 (unsigned long long)e->n[PFNMAP_PTE]);
	return buf;
}

enum pfnmap_level pfnmap_entries_level(const struct pfnmap_entries *e)
{
	for (int l = PFNMAP_PUD; l >= PFNMAP_PTE; l--)
		if (e->n[l])
			return l;
	return PFNMAP_NR_SIZES;
}

uint64_t pfnmap_residue(uint64_t pa, enum pfnmap_level l)
{
	/* Shift by a page of the level below the one that must not match. */
	static const uint64_t shift[PFNMAP_NR_SIZES] = { SZ_4K, SZ_2M, 0 };

	return (pa + shift[l]) % SZ_1G;
}

enum pfnmap_level pfnmap_congruence(uint64_t va, uint64_t pa)
{
	for (int l = PFNMAP_PUD; l > PFNMAP_PTE; l--)
		if (va % level_size[l] == pa % level_size[l])
			return l;
	return PFNMAP_PTE;
}
