// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "check.h"
#include "memstate.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The pages a holder gives back: odd PFNs whose even buddy it holds. */
static const struct pick_case {
	const char *what;
	uint64_t pfn[8];
	size_t n;
	uint8_t drop[8];
	int64_t picked;
} pick_cases[] = {
	{ "contiguous, ascending", { 100, 101, 102, 103, 104, 105 }, 6,
	  { 0, 1, 0, 1, 0, 1 }, 3 },
	/* Starting on an odd PFN: its buddy (99) is not held, it stays. */
	{ "odd start keeps the first page", { 101, 102, 103, 104 }, 4,
	  { 0, 0, 1, 0 }, 1 },
	/* The per-cpu lists hand pages out in any order: PFN pairs count. */
	{ "descending", { 7, 6, 5, 4 }, 4, { 1, 0, 1, 0 }, 2 },
	{ "scattered", { 41, 10, 40, 11, 13, 3 }, 6, { 1, 0, 0, 1, 0, 0 }, 2 },
	/* 12's buddy is 13, not 11: 11 and 12 are neighbours, not buddies. */
	{ "neighbours that are not buddies", { 11, 12 }, 2, { 0, 0 }, 0 },
	{ "lowest PFN odd", { 1, 0 }, 2, { 1, 0 }, 1 },
	{ "one page", { 8 }, 1, { 0 }, 0 },
	{ "nothing", { 0 }, 0, { 0 }, 0 },
	/* Far apart: the bitmap spans them. */
	{ "wide span", { UINT64_C(1) << 30, (UINT64_C(1) << 30) + 1, 5 }, 3,
	  { 0, 1, 0 }, 1 },
};

TEST(memstate_pick)
{
	for (size_t i = 0; i < ARRAY_SIZE(pick_cases); i++) {
		const struct pick_case *c = &pick_cases[i];
		uint8_t drop[8];

		memset(drop, 0xff, sizeof(drop));
		if (memstate_pick(c->pfn, c->n, drop) != c->picked) {
			check_failed(__FILE__, __LINE__, "%s: picked %lld, want %lld",
				     c->what, (long long)memstate_pick(c->pfn, c->n, drop),
				     (long long)c->picked);
			return;
		}
		for (size_t j = 0; j < c->n; j++)
			if (drop[j] != c->drop[j]) {
				check_failed(__FILE__, __LINE__, "%s: page %zu drop %u, want %u",
					     c->what, j, drop[j], c->drop[j]);
				return;
			}
	}
}

/* What is freed never touches: no two dropped PFNs are adjacent. */
TEST(memstate_pick_isolates)
{
	enum { N = 4096 };
	uint64_t *pfn = malloc(N * sizeof(*pfn));
	uint8_t *drop = malloc(N), *freed = calloc(3 * N, 1);
	int64_t n;

	CHECK(pfn && drop && freed);
	srand(7);
	for (size_t i = 0; i < N; i++)	/* a shuffled, gappy set */
		pfn[i] = i + (i / 5) * 2;
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		uint64_t t = pfn[i];

		pfn[i] = pfn[j];
		pfn[j] = t;
	}
	n = memstate_pick(pfn, N, drop);
	CHECK(n > N / 3);
	for (size_t i = 0; i < N; i++)
		if (drop[i])
			freed[pfn[i]] = 1;
	for (size_t p = 1; p < 3 * N; p++)
		CHECK(!(freed[p] && freed[p - 1]));
	/* Every dropped page's buddy is held and kept. */
	for (size_t i = 0; i < N; i++) {
		bool held = false;

		if (!drop[i])
			continue;
		for (size_t j = 0; j < N && !held; j++)
			held = pfn[j] == (pfn[i] ^ 1) && !drop[j];
		CHECK(held);
	}
	free(pfn);
	free(drop);
	free(freed);
}

TEST(memstate_sizes)
{
	/* 64 MiB is 16384 pages: 128 and 256 more. */
	CHECK_EQ_U64(memstate_free_target(16384), 16384 + 128 + 256);
	CHECK_EQ_U64(memstate_free_target(0), 256);
	/* Each holder page with its 8-byte PFN and its drop byte. */
	CHECK_EQ_U64(memstate_plan_bytes(UINT64_C(64) << 20),
		     2 * (16384 + 128 + 256) * UINT64_C(4105));
	/* 1 GiB fragmented fits the guest's 2304 MiB of ordinary memory. */
	CHECK(memstate_plan_bytes(SZ_1G) < UINT64_C(2304) << 20);
	CHECK(memstate_plan_bytes(SZ_1G) > 2 * SZ_1G);
}

TEST(memstate_min_runs)
{
	CHECK_EQ_U64(memstate_min_runs(16384), 14746);	/* ceil(14745.6) */
	CHECK_EQ_U64(memstate_min_runs(10), 9);
	CHECK_EQ_U64(memstate_min_runs(1), 1);
	CHECK_EQ_U64(memstate_min_runs(512), 461);
}

/* --plan's figure per backing: a fragmented 4K buffer adds its holder. */
TEST(backing_pool_bytes)
{
	static const struct {
		const char *name, *pool;
		bool holder;
	} rows[] = {
		{ "anon-4k", "normal", false },
		{ "anon-4k-frag", "normal", true },
		{ "shmem-frag", "normal", true },
		{ "memfd-frag", "normal", true },
		{ "hugetlb-2m-frag", "hugetlb-2m", false },
		{ "memfd-1g-frag", "hugetlb-1g", false },
		{ "hugetlbfs-frag", "hugetlbfs", false },
	};
	uint64_t size = UINT64_C(256) << 20;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct backing *b = backing_find(rows[i].name);

		CHECK(b);
		CHECK(!strcmp(backing_pool(b), rows[i].pool));
		CHECK_EQ_U64(backing_pool_bytes(b, size),
			     rows[i].holder ? memstate_plan_bytes(size) : size);
	}
}

/* Every backing with pages of a fixed size has a -frag twin; THP has none. */
TEST(backing_frag_twins)
{
	char name[64];

	for (size_t i = 0; i < nbackings; i++) {
		const struct backing *b = &backings[i], *twin;

		if (b->frag)
			continue;
		snprintf(name, sizeof(name), "%s-frag", b->name);
		twin = backing_find(name);
		CHECK(!twin == b->thp);
		if (!twin)
			continue;
		CHECK(twin->frag && twin->kind == b->kind &&
		      twin->page_size == b->page_size && twin->has_fd == b->has_fd);
	}
}
