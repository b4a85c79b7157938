// SPDX-License-Identifier: GPL-2.0
#include "check.h"
#include "pfnmap.h"

#define K4 (UINT64_C(1) << 12)
#define M2 (UINT64_C(1) << 21)
#define G1 (UINT64_C(1) << 30)

/* A BAR at a 1 GiB-aligned address, as SeaBIOS places ivshmem's BAR2. */
#define PA (UINT64_C(0x380000000))

static void expect(uint64_t va, uint64_t pa, uint64_t len, struct pfnmap_entries *e)
{
	pfnmap_expect(va, pa, len, PFNMAP_PUD, e);
}

TEST(pfnmap_residues_give_exactly_their_level)
{
	struct pfnmap_entries e;

	/* 1 GiB of the BAR: 1, 512 and 262144 entries. */
	expect(pfnmap_residue(PA, PFNMAP_PUD), PA, G1, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PUD], 1);
	CHECK_EQ_U64(pfnmap_entries_total(&e), 1);
	expect(pfnmap_residue(PA, PFNMAP_PMD), PA, G1, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 512);
	CHECK_EQ_U64(pfnmap_entries_total(&e), 512);
	expect(pfnmap_residue(PA, PFNMAP_PTE), PA, G1, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 262144);
	CHECK_EQ_U64(pfnmap_entries_total(&e), 262144);
	CHECK_EQ_U64(pfnmap_entries_level(&e), PFNMAP_PTE);
}

TEST(pfnmap_residue_depends_on_the_physical_address)
{
	uint64_t pa = PA + 6 * M2 + 3 * K4;	/* an offset into the BAR */

	CHECK_EQ_U64(pfnmap_congruence(pfnmap_residue(pa, PFNMAP_PUD), pa), PFNMAP_PUD);
	CHECK_EQ_U64(pfnmap_congruence(pfnmap_residue(pa, PFNMAP_PMD), pa), PFNMAP_PMD);
	CHECK_EQ_U64(pfnmap_congruence(pfnmap_residue(pa, PFNMAP_PTE), pa), PFNMAP_PTE);
	CHECK(pfnmap_residue(pa, PFNMAP_PUD) < G1);
}

TEST(pfnmap_expect_splits_at_the_vma_edges)
{
	struct pfnmap_entries e;

	/* 1.5 GiB from a 1G-congruent address: 1 PUD, then 256 PMDs. */
	expect(PA, PA, G1 + G1 / 2, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PUD], 1);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 256);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 0);
	/* Starting 4 KiB into a 2M block: 511 PTEs before the first PMD. */
	expect(PA + K4, PA + K4, 4 * M2, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 511 + 1);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 3);
	/* A 512 MiB mapping can hold no 1G block, whatever its address. */
	expect(PA, PA, G1 / 2, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PUD], 0);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 256);
}

TEST(pfnmap_expect_respects_the_largest_level)
{
	struct pfnmap_entries e;

	pfnmap_expect(PA, PA, G1, PFNMAP_PMD, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PMD], 512);
	pfnmap_expect(PA, PA, G1, PFNMAP_PTE, &e);
	CHECK_EQ_U64(e.n[PFNMAP_PTE], 262144);
}

TEST(pfnmap_level_names)
{
	CHECK_EQ_U64(pfnmap_level_find("pud"), PFNMAP_PUD);
	CHECK_EQ_U64(pfnmap_level_find("auto"), PFNMAP_AUTO);
	CHECK(pfnmap_level_find("p4d") < 0);
	CHECK_EQ_U64(pfnmap_level_size(PFNMAP_PMD), M2);
	CHECK_EQ_U64(pfnmap_level_size(PFNMAP_AUTO), 0);
	struct pfnmap_entries none = { 0 };
	CHECK_EQ_U64(pfnmap_entries_level(&none), PFNMAP_NR_SIZES);
}
