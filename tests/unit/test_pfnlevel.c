// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <math.h>

#include "check.h"
#include "pfnlevel.h"
#include "ptdump.h"

#define G1 (UINT64_C(1) << 30)

/* Indexes into pfnlevel_probes[]. */
enum { P_PTE, P_PMD, P_PMD_PROT, P_PUD, P_PUD_PROT, P_REMAP };

/* 6.12: the plain names; 6.1: only the _prot ones, and remap_pfn_range. */
static const bool k612[PFNLEVEL_NR_PROBES] = { true, true, false, true, false, true };
static const bool k61[PFNLEVEL_NR_PROBES] = { true, false, true, false, true, true };

static struct pfnlevel_probemap pm612, pm61;

static void maps(void)
{
	pfnlevel_probemap_init(&pm612, k612);
	pfnlevel_probemap_init(&pm61, k61);
}

static struct pfnlevel_want want(enum pfnmap_level l, uint64_t pte, uint64_t pmd,
				 uint64_t pud, int place_as)
{
	return (struct pfnlevel_want){
		.level = l, .place_as = place_as,
		.expect = { .n = { [PFNMAP_PTE] = pte, [PFNMAP_PMD] = pmd, [PFNMAP_PUD] = pud } },
	};
}

/* A pass over 1 GiB (or @len) that counted @probe @n times in @faults faults. */
static struct pfnlevel_seen probed(uint64_t len, int probe, uint64_t n, double faults)
{
	struct pfnlevel_seen s = { .len = len, .faults = faults, .probed = true };

	s.hits[probe] = n;
	return s;
}

TEST(pfnlevel_probemap_takes_the_first_name_per_level)
{
	struct pfnlevel_probemap pm;
	bool none[PFNLEVEL_NR_PROBES] = { 0 }, all[PFNLEVEL_NR_PROBES];

	CHECK(pfnlevel_probemap_init(&pm, k612));
	CHECK_EQ_U64(pm.of[PFNMAP_PMD], P_PMD);
	CHECK_EQ_U64(pm.of[PFNMAP_PUD], P_PUD);
	CHECK_EQ_U64(pm.remap, P_REMAP);
	CHECK(pfnlevel_probemap_init(&pm, k61));
	CHECK_EQ_U64(pm.of[PFNMAP_PMD], P_PMD_PROT);
	CHECK_EQ_U64(pm.of[PFNMAP_PUD], P_PUD_PROT);
	/* Both names: one calls the other, so only the first counts. */
	for (int i = 0; i < PFNLEVEL_NR_PROBES; i++)
		all[i] = true;
	CHECK(pfnlevel_probemap_init(&pm, all));
	CHECK_EQ_U64(pm.of[PFNMAP_PMD], P_PMD);
	/* No PUD probe: kprobes cannot decide. */
	all[P_PUD] = all[P_PUD_PROT] = false;
	CHECK(!pfnlevel_probemap_init(&pm, all));
	CHECK(!pfnlevel_probemap_init(&pm, none));
	CHECK(pm.remap < 0 && pm.of[PFNMAP_PTE] < 0);
}

TEST(pfnlevel_kprobes_verify_each_level_exactly)
{
	struct pfnlevel_want w;
	struct pfnlevel_seen s;
	struct pfnlevel_verdict v;

	maps();
	w = want(PFNMAP_PUD, 0, 0, 1, -1);
	s = probed(G1, P_PUD, 1, 1);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified);
	CHECK_STR(v.source, "kprobes");
	CHECK_EQ_U64(v.obtained, PFNMAP_PUD);
	CHECK_NEAR(v.expect_faults, 1, 0);
	CHECK_STR(v.why, "");
	w = want(PFNMAP_PMD, 0, 512, 0, -1);
	s = probed(G1, P_PMD, 512, 512);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified && v.obtained == PFNMAP_PMD);
	w = want(PFNMAP_PTE, 262144, 0, 0, -1);
	s = probed(G1, P_PTE, 262144, 262144);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified && v.obtained == PFNMAP_PTE);
	CHECK_NEAR(v.expect_faults, 262144, 0);
	/* 6.1's names count the same. */
	w = want(PFNMAP_PMD, 0, 512, 0, -1);
	s = probed(G1, P_PMD_PROT, 512, 512);
	pfnlevel_judge(&pm61, &s, &w, &v);
	CHECK(v.verified);
}

TEST(pfnlevel_mismatch_names_what_was_obtained)
{
	struct pfnlevel_want w = want(PFNMAP_PUD, 0, 0, 1, -1);
	struct pfnlevel_seen s = probed(G1, P_PMD, 512, 512);
	struct pfnlevel_verdict v;

	maps();
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(!v.verified);
	CHECK_EQ_U64(v.obtained, PFNMAP_PMD);
	CHECK_STR(v.why, "requested pud, obtained pmd: kprobes counted 0 pud, 512 pmd, 0 pte, expected 1 pud, 0 pmd, 0 pte for this placement");
	/* Placed as pmd on purpose: the entries match, the level does not. */
	w = want(PFNMAP_PUD, 0, 1024, 0, PFNMAP_PMD);
	s = probed(2 * G1, P_PMD, 1024, 1024);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(!v.verified);
	CHECK_STR(v.why, "requested pud, obtained pmd: kprobes counted 0 pud, 1024 pmd, 0 pte, as expected where --place-as pmd put the mapping");
	/* Nothing inserted at all. */
	w = want(PFNMAP_PMD, 0, 512, 0, -1);
	s = probed(G1, P_PMD, 0, 0);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(!v.verified);
	CHECK_EQ_U64(v.obtained, PFNMAP_NR_SIZES);
	CHECK(strstr(v.why, "requested pmd, obtained nothing: ") == v.why);
}

TEST(pfnlevel_remap_pfn_range_maps_the_whole_vma_with_ptes)
{
	struct pfnlevel_want w = want(PFNMAP_PMD, 0, 512, 0, -1);
	struct pfnlevel_seen s = probed(G1, P_REMAP, 1, 1);
	struct pfnlevel_verdict v;

	maps();
	pfnlevel_judge(&pm61, &s, &w, &v);
	CHECK(!v.verified && v.remapped);
	CHECK_EQ_U64(v.counted.n[PFNMAP_PTE], 262144);
	CHECK_STR(v.why, "requested pmd, obtained pte: remap_pfn_range() mapped the whole 1G VMA with PTEs in 1 fault(s), as vfio-pci did before 6.12");
	/* PTEs were asked for: verified, and later fault-ins take one fault. */
	w = want(PFNMAP_PTE, 262144, 0, 0, -1);
	pfnlevel_judge(&pm61, &s, &w, &v);
	CHECK(v.verified);
	CHECK_NEAR(v.expect_faults, 1, 0);
	CHECK(pfnlevel_faults_agree(&v, NAN, 1));
	CHECK(!pfnlevel_faults_agree(&v, NAN, 262144));
}

TEST(pfnlevel_ptdump_decides_without_kprobes)
{
	char path[PATH_MAX];
	struct pfnlevel_seen s = { .len = G1, .faults = 1, .dumped = true };
	struct pfnlevel_want w = want(PFNMAP_PUD, 0, 0, 1, -1);
	struct pfnlevel_verdict v;

	maps();
	/* The fixture's 1G PUD run, then half of its PMD run. */
	CHECK_EQ_U64(ptdump_count(check_fixture(path, "ptdump-user.txt"), 0x7f0000000000,
				  0x7f0040000000, &s.dump), 0);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified);
	CHECK_STR(v.source, "ptdump");
	CHECK_EQ_U64(ptdump_count(path, 0x7f0040200000, 0x7f0060200000, &s.dump), 0);
	w = want(PFNMAP_PMD, 0, 256, 0, -1);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified && v.obtained == PFNMAP_PMD);
	/* A dump that shows PMDs where a PUD was expected. */
	w = want(PFNMAP_PUD, 0, 0, 1, -1);
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(!v.verified);
	CHECK(strstr(v.why, "ptdump counted 0 pud, 256 pmd, 0 pte") != NULL);
	/* Probes that were read win over the dump. */
	s.probed = true;
	s.hits[P_PUD] = 1;
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified);
	CHECK_STR(v.source, "kprobes");
}

TEST(pfnlevel_faults_alone_only_confirm_the_count)
{
	struct pfnlevel_want w = want(PFNMAP_PMD, 0, 512, 0, -1);
	struct pfnlevel_seen s = { .len = G1, .faults = 512 };
	struct pfnlevel_verdict v;
	char line[256];

	maps();
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified);
	CHECK_STR(v.source, "faults");
	CHECK_STR(pfnlevel_summary(&v, &w, line, sizeof(line)),
		  "obtained pmd (0 pud, 512 pmd, 0 pte by faults, which do not prove the level; expected 0 pud, 512 pmd, 0 pte)");
	/* Another count is taken as PTEs, and the probe's trouble is said. */
	s.faults = 262144;
	s.probe_note = "vmf_insert_pfn missed 3 hits";
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(!v.verified);
	CHECK_STR(v.why, "requested pmd, obtained pte: faults counted 0 pud, 0 pmd, 262144 pte, expected 0 pud, 512 pmd, 0 pte for this placement; vmf_insert_pfn missed 3 hits");
	/* Probes not read for every level do not count. */
	s.probed = true;
	s.hits[P_PMD] = 512;
	pfnlevel_judge(&(struct pfnlevel_probemap){ .of = { 0, 1, -1 }, .remap = -1 },
		       &s, &w, &v);
	CHECK_STR(v.source, "faults");
}

TEST(pfnlevel_auto_takes_whatever_the_placement_gives)
{
	struct pfnlevel_want w = want(PFNMAP_AUTO, 0, 512, 0, -1);
	struct pfnlevel_seen s = probed(G1, P_PMD, 512, 512);
	struct pfnlevel_verdict v;

	maps();
	pfnlevel_judge(&pm612, &s, &w, &v);
	CHECK(v.verified && v.obtained == PFNMAP_PMD);
	/* Before 6.12: PTEs where mmap(NULL) put it, whatever its alignment. */
	s = probed(G1, P_REMAP, 1, 1);
	pfnlevel_judge(&pm61, &s, &w, &v);
	CHECK(!v.verified);
	CHECK(strstr(v.why, "requested auto, obtained pte: remap_pfn_range()") == v.why);
}

TEST(pfnlevel_fault_in_agrees_with_both_counts)
{
	struct pfnlevel_verdict v = { .expect_faults = 512 };

	CHECK(pfnlevel_faults_agree(&v, 512, 512));
	CHECK(pfnlevel_faults_agree(&v, NAN, 512));
	CHECK(!pfnlevel_faults_agree(&v, 511, 512));
	CHECK(!pfnlevel_faults_agree(&v, 513, 513));
}
