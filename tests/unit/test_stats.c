// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "check.h"
#include "stats.h"

TEST(stats_quantile_type7)
{
	static const double x[] = { 1, 2, 3, 4 };
	double one = 7;

	/* R: quantile(1:4, c(0, .05, .5, .95, 1)) */
	CHECK_NEAR(stats_quantile(x, 4, 0), 1, 1e-12);
	CHECK_NEAR(stats_quantile(x, 4, 0.05), 1.15, 1e-12);
	CHECK_NEAR(stats_quantile(x, 4, 0.5), 2.5, 1e-12);
	CHECK_NEAR(stats_quantile(x, 4, 0.95), 3.85, 1e-12);
	CHECK_NEAR(stats_quantile(x, 4, 1), 4, 1e-12);
	CHECK_NEAR(stats_quantile(&one, 1, 0.3), 7, 0);
	CHECK(isnan(stats_quantile(x, 0, 0.5)));
}

TEST(stats_median_leaves_input_alone)
{
	double v[] = { 5, 1, 4, 2, 3 };
	double even[] = { 10, 40, 20, 30 };

	CHECK_NEAR(stats_median(v, 5), 3, 0);
	CHECK(v[0] == 5 && v[1] == 1 && v[4] == 3);
	CHECK_NEAR(stats_median(even, 4), 25, 0);
	CHECK(isnan(stats_median(v, 0)));
}

static void stats_shuffled_1_to_101(double *v)
{
	struct stats_rng rng;
	size_t i;

	for (i = 0; i < 101; i++)
		v[i] = (double)(i + 1);
	stats_rng_seed(&rng, 7);
	for (i = 100; i > 0; i--) {
		size_t j = stats_rng_below(&rng, i + 1);
		double t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

TEST(stats_summarize_1_to_101)
{
	struct stats_summary s, again;
	double v[101], copy[101];

	stats_shuffled_1_to_101(v);
	memcpy(copy, v, sizeof(v));
	CHECK(stats_summarize(v, 101, 1, &s) == 0);
	CHECK(memcmp(copy, v, sizeof(v)) == 0);
	CHECK_EQ_U64(s.n, 101);
	CHECK_NEAR(s.min, 1, 0);
	CHECK_NEAR(s.max, 101, 0);
	CHECK_NEAR(s.mean, 51, 1e-12);
	CHECK_NEAR(s.median, 51, 0);
	CHECK_NEAR(s.p5, 6, 1e-12);
	CHECK_NEAR(s.p95, 96, 1e-12);
	CHECK_NEAR(s.p99, 100, 1e-12);
	/*
	 * The median of 101 uniform values has a standard error of about
	 * 1.25 * 29.3 / sqrt(101) ~= 3.7, so the 95% CI spans roughly
	 * +-7: it must hold 51, be far narrower than the range, and not
	 * collapse to a point.
	 */
	CHECK(s.ci_lo < 51 && s.ci_hi > 51);
	CHECK(s.ci_lo >= 38 && s.ci_hi <= 64);
	CHECK(s.ci_lo <= 49 && s.ci_hi >= 53);
	/* Same seed, same interval. */
	CHECK(stats_summarize(v, 101, 1, &again) == 0);
	CHECK(again.ci_lo == s.ci_lo && again.ci_hi == s.ci_hi);
}

TEST(stats_summarize_edge_cases)
{
	struct stats_summary s;
	double one = 42, bad[] = { 1, NAN, 3 };

	CHECK(stats_summarize(&one, 1, 3, &s) == 0);
	CHECK(s.median == 42 && s.ci_lo == 42 && s.ci_hi == 42);
	CHECK(s.p5 == 42 && s.p99 == 42 && s.mean == 42);
	CHECK(stats_summarize(&one, 0, 3, &s) == -EINVAL);
	CHECK(stats_summarize(bad, 3, 3, &s) == -EINVAL);
}

TEST(stats_rng_is_deterministic_and_uniform)
{
	struct stats_rng a, b;
	unsigned int hist[10] = { 0 };
	double sum = 0;
	size_t i;

	stats_rng_seed(&a, 123);
	stats_rng_seed(&b, 123);
	for (i = 0; i < 100; i++)
		CHECK_EQ_U64(stats_rng_u64(&a), stats_rng_u64(&b));
	stats_rng_seed(&b, 124);
	CHECK(stats_rng_u64(&a) != stats_rng_u64(&b));
	for (i = 0; i < 100000; i++) {
		uint64_t k = stats_rng_below(&a, 10);
		double d = stats_rng_double(&a);

		CHECK(k < 10);
		CHECK(d >= 0 && d < 1);
		hist[k]++;
		sum += d;
	}
	/* Each bin expects 10000 with a standard deviation of ~95. */
	for (i = 0; i < 10; i++)
		CHECK(hist[i] > 9500 && hist[i] < 10500);
	CHECK_NEAR(sum / 100000, 0.5, 0.01);
	CHECK_EQ_U64(stats_rng_below(&a, 1), 0);
}

TEST(stats_mann_whitney_separated_samples)
{
	static const double a[] = { 1, 2, 3, 4, 5 };
	static const double b[] = { 6, 7, 8, 9, 10 };

	/*
	 * U = 0, mean 12.5, var = 25/12 * 11, z = (12.5 - 0.5) / 4.787
	 * = 2.5067: p = 0.012186, as wilcox.test(exact = FALSE) says.
	 */
	CHECK_NEAR(stats_mann_whitney_p(a, 5, b, 5), 0.0121858, 1e-6);
	CHECK_NEAR(stats_mann_whitney_p(b, 5, a, 5), 0.0121858, 1e-6);
}

TEST(stats_mann_whitney_ties)
{
	static const double a[] = { 1, 2, 2, 3 };
	static const double b[] = { 2, 3, 4, 5 };
	static const double same[] = { 1, 1, 1 };

	/*
	 * Ranks: 1 -> 1, the three 2s -> 3, the two 3s -> 5.5, 4 -> 7,
	 * 5 -> 8.  R_a = 12.5, U = 2.5, mean 8; ties sum(t^3 - t) = 30,
	 * var = 16/12 * (9 - 30/56) = 11.2857; z = 5/3.3594 = 1.48835,
	 * p = 0.136658.
	 */
	CHECK_NEAR(stats_mann_whitney_p(a, 4, b, 4), 0.136658, 1e-6);
	/* Every value tied: no evidence of a difference at all. */
	CHECK_NEAR(stats_mann_whitney_p(same, 3, same, 2), 1, 0);
	/* U at its mean: the continuity correction must not go negative. */
	CHECK_NEAR(stats_mann_whitney_p(a, 4, a, 4), 1, 1e-12);
	CHECK(isnan(stats_mann_whitney_p(a, 0, b, 4)));
}

TEST(stats_holm_adjusts_like_p_adjust)
{
	static const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	static const double big[] = { 0.5, 0.6 };
	static const double tied[] = { 0.01, 0.5, 0.01 };
	double adj[4];

	/*
	 * Sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06,
	 * 0.04 * 1 = 0.04 raised to 0.06 by the running maximum.
	 */
	stats_holm(p, 4, adj);
	CHECK_NEAR(adj[0], 0.03, 1e-12);
	CHECK_NEAR(adj[1], 0.06, 1e-12);
	CHECK_NEAR(adj[2], 0.06, 1e-12);
	CHECK_NEAR(adj[3], 0.02, 1e-12);
	/* 0.5 * 2 = 1, then 0.6 carried up to 1: capped, monotone. */
	stats_holm(big, 2, adj);
	CHECK_NEAR(adj[0], 1, 0);
	CHECK_NEAR(adj[1], 1, 0);
	/* p.adjust(c(.01, .5, .01), "holm") = 0.03 0.5 0.03 */
	stats_holm(tied, 3, adj);
	CHECK_NEAR(adj[0], 0.03, 1e-12);
	CHECK_NEAR(adj[1], 0.5, 1e-12);
	CHECK_NEAR(adj[2], 0.03, 1e-12);
}

TEST(stats_t_distribution)
{
	/* Closed forms: df 1 is Cauchy, df 2 has t / (2 sqrt(2 + t^2)). */
	CHECK_NEAR(stats_t_cdf(2, 1), 0.5 + atan(2) / M_PI, 1e-12);
	CHECK_NEAR(stats_t_cdf(-2, 1), 0.5 - atan(2) / M_PI, 1e-12);
	CHECK_NEAR(stats_t_cdf(2, 2), 0.5 + 2 / (2 * sqrt(6)), 1e-12);
	CHECK_NEAR(stats_t_cdf(0, 7), 0.5, 1e-15);
	CHECK_NEAR(stats_t_cdf(1.959963984540054, INFINITY), 0.975, 1e-12);
	/* R: qt(0.975, c(1, 2, 4, 5, 30)), qt(0.8, c(2, 5)). */
	CHECK_NEAR(stats_t_quantile(0.975, 1), 12.70620474, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.975, 2), 4.30265273, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.975, 4), 2.77644511, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.975, 5), 2.57058184, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.975, 30), 2.04227246, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.8, 2), 1.06066017, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.8, 5), 0.91954378, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.025, 5), -2.57058184, 1e-7);
	CHECK_NEAR(stats_t_quantile(0.975, INFINITY), 1.95996398, 1e-7);
	/* Far tails, as a Bonferroni correction over 80 cases asks. */
	CHECK_NEAR(stats_t_cdf(stats_t_quantile(1 - 0.05 / 160, 3), 3),
		   1 - 0.05 / 160, 1e-12);
	CHECK(isnan(stats_t_quantile(1, 3)) && isnan(stats_t_quantile(0.5, 0)));
	CHECK(isnan(stats_t_cdf(1, -1)));
}
