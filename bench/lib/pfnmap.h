/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-table levels of a pfnmap (a BAR mapped into a process) and the
 * geometry that decides them.
 *
 * vfio-pci's fault handler maps the largest block that is aligned both in
 * the virtual address and in the physical address, and lies wholly inside
 * the VMA: a 1 GiB PUD entry, else a 2 MiB PMD entry, else a 4 KiB PTE.
 * So the level is chosen by where the mapping is placed: a virtual
 * address congruent to the BAR's physical address modulo 1 GiB gets PUDs,
 * congruent modulo 2 MiB only gets PMDs, off by 4 KiB gets PTEs. The
 * functions here compute placements and the entries each one must give,
 * so a measurement can check exactly what it obtained.
 */
#ifndef VFIO_PERF_PFNMAP_H
#define VFIO_PERF_PFNMAP_H

#include <stddef.h>
#include <stdint.h>

enum pfnmap_level {
	PFNMAP_PTE,
	PFNMAP_PMD,
	PFNMAP_PUD,
	PFNMAP_NR_SIZES,		/* the levels above have a page size */
	PFNMAP_AUTO = PFNMAP_NR_SIZES,	/* wherever mmap(NULL) puts it */
	PFNMAP_NR_LEVELS,
};

/* "pte", "pmd", "pud", "auto": the CSV's level column. */
extern const char *const pfnmap_level_name[PFNMAP_NR_LEVELS];

/* -1 if @name is not a level. */
int pfnmap_level_find(const char *name);

/* 4K, 2M, 1G for PTE, PMD, PUD. */
uint64_t pfnmap_level_size(enum pfnmap_level l);

/* Entries of each size that map a range; n[PFNMAP_PTE] and so on. */
struct pfnmap_entries {
	uint64_t n[PFNMAP_NR_SIZES];
};

/*
 * The entries that map [va, va + len) onto [pa, pa + len): the greedy
 * decomposition into blocks aligned in both, no larger than @max.
 * @va, @pa and @len are multiples of 4K.
 */
void pfnmap_expect(uint64_t va, uint64_t pa, uint64_t len,
		   enum pfnmap_level max, struct pfnmap_entries *e);

uint64_t pfnmap_entries_total(const struct pfnmap_entries *e);

/* "1 pud, 0 pmd, 0 pte"; returns @buf. */
const char *pfnmap_entries_format(const struct pfnmap_entries *e, char *buf,
				  size_t len);

/* The largest level with an entry; PFNMAP_NR_SIZES if there is none. */
enum pfnmap_level pfnmap_entries_level(const struct pfnmap_entries *e);

/*
 * The residue modulo 1G of a virtual address that maps @pa with entries
 * of level @l at most: congruent modulo the level's size, and not modulo
 * the next larger one.
 */
uint64_t pfnmap_residue(uint64_t pa, enum pfnmap_level l);

/* The largest level whose size @va and @pa are congruent modulo. */
enum pfnmap_level pfnmap_congruence(uint64_t va, uint64_t pa);

#endif
