// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "split.h"

/* "012|345" for the pair a = {0,1,2}, b = {3,4,5}. */
static const char *test_pair(const struct split_iter *it, char *buf, size_t len)
{
	size_t off = 0;

	for (size_t i = 0; i < it->k; i++)
		off += (size_t)snprintf(buf + off, len - off, "%zu", it->a[i]);
	off += (size_t)snprintf(buf + off, len - off, "|");
	for (size_t i = 0; i < it->k; i++)
		off += (size_t)snprintf(buf + off, len - off, "%zu", it->b[i]);
	return buf;
}

TEST(split_six_boots_three_and_three)
{
	static const char *const want[] = {
		"012|345", "013|245", "014|235", "015|234", "023|145",
		"024|135", "025|134", "034|125", "035|124", "045|123",
	};
	struct split_iter it;
	char buf[32];
	size_t n = 0;

	/* The criterion: the 10 ways to split 6 boots 3 + 3. */
	split_init(&it, 6, 3);
	while (split_next(&it)) {
		CHECK(n < 10);
		CHECK_STR(test_pair(&it, buf, sizeof(buf)), want[n]);
		n++;
	}
	CHECK_EQ_U64(n, 10);
	CHECK_EQ_U64(split_count(6, 3), 10);
	CHECK(!split_next(&it));
}

TEST(split_counts)
{
	static const size_t cases[][3] = {
		/* n, k, unordered pairs of disjoint k-sets */
		{ 4, 2, 3 }, { 4, 1, 6 }, { 6, 2, 45 }, { 6, 1, 15 }, { 2, 1, 1 },
		{ 5, 2, 15 }, { 8, 4, 35 }, { 3, 2, 0 }, { 4, 0, 0 },
	};
	struct split_iter it;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t n = 0;

		split_init(&it, cases[c][0], cases[c][1]);
		while (split_next(&it)) {
			/* Disjoint, and the lowest boot on side a. */
			for (size_t i = 0; i < it.k; i++)
				for (size_t j = 0; j < it.k; j++)
					CHECK(it.a[i] != it.b[j]);
			CHECK(it.a[0] < it.b[0]);
			n++;
		}
		CHECK_EQ_U64(n, cases[c][2]);
		CHECK_EQ_U64(split_count(cases[c][0], cases[c][1]), cases[c][2]);
	}
}

TEST(split_set_scales_new_side)
{
	struct samples_run runs[4] = {
		{ .run_id = "r0" }, { .run_id = "r1" }, { .run_id = "r2" }, { .run_id = "r3" },
	};
	struct samples_obs obs[8];
	struct samples_side side = { .runs = runs, .nruns = 4, .obs = obs, .nobs = 8 };
	struct case_key cases[2] = {
		{ .bench = "mmio", .metric = "fault-in", .unit = "ns" },
		{ .bench = "mmio", .metric = "level-obtained", .unit = "bytes" },
	};
	struct samples_set src = { .nsides = 1, .sides = &side, .cases = cases, .ncases = 2 };
	static const size_t a[] = { 0, 3 }, b[] = { 1, 2 };
	struct samples_set dst;

	for (size_t i = 0; i < 8; i++)
		obs[i] = (struct samples_obs){ .kase = i % 2, .run = i / 2, .value = 100 };
	CHECK(split_set(&dst, &src, 0, a, b, 2, 1.03) == 0);
	CHECK_EQ_U64(dst.nsides, 2);
	CHECK_STR(dst.sides[0].name, "base");
	CHECK_STR(dst.sides[1].runs[1].run_id, "r2");
	CHECK_EQ_U64(dst.sides[0].nobs, 4);
	CHECK_EQ_U64(dst.sides[1].nobs, 4);
	/*
	 * Runs renumbered within each side, only new's samples scaled, and
	 * of those only the timed metric's: the level a mapping got stays.
	 */
	CHECK_EQ_U64(dst.sides[0].obs[3].run, 1);
	CHECK_NEAR(dst.sides[0].obs[0].value, 100, 0);
	CHECK_NEAR(dst.sides[1].obs[0].value, 103, 1e-12);
	CHECK_EQ_U64(dst.sides[1].obs[1].kase, 1);
	CHECK_NEAR(dst.sides[1].obs[1].value, 100, 0);
	CHECK(dst.cases == src.cases);
	split_set_free(&dst);
}
