/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics over samples: order statistics, a bootstrap confidence
 * interval of the median, and the tests the comparison tool needs
 * (Mann-Whitney U, Holm correction).  Medians rather than means, because
 * timing samples on a shared host have a long right tail.
 */
#ifndef VFIO_PERF_STATS_H
#define VFIO_PERF_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * xoshiro256**, seeded through splitmix64.  Deterministic so that a
 * bootstrap CI printed today is the same number tomorrow.
 */
struct stats_rng {
	uint64_t s[4];
};

void stats_rng_seed(struct stats_rng *rng, uint64_t seed);
uint64_t stats_rng_u64(struct stats_rng *rng);
/* Uniform in [0, n) without modulo bias; n must be > 0 (0 returns 0). */
uint64_t stats_rng_below(struct stats_rng *rng, uint64_t n);
/* Uniform in [0, 1) with 53 random bits. */
double stats_rng_double(struct stats_rng *rng);

/*
 * Quantile @q in [0, 1] of @n ascending samples, interpolating linearly
 * between order statistics (Hyndman and Fan type 7, R's default).
 * NaN when n == 0.
 */
double stats_quantile(const double *sorted, size_t n, double q);

/* Median of @n unsorted samples (not modified); NaN when n == 0. */
double stats_median(const double *v, size_t n);

/* Number of bootstrap resamples behind ci_lo/ci_hi. */
#define STATS_BOOTSTRAP_RESAMPLES 2000

struct stats_summary {
	size_t n;
	double min, max, mean, median, p5, p95, p99;
	/* Bootstrap 95% percentile confidence interval of the median. */
	double ci_lo, ci_hi;
};

/*
 * Summarize @n samples (not modified).  @seed drives the bootstrap.
 * Returns 0, -EINVAL (n == 0 or a NaN sample) or -ENOMEM.
 */
int stats_summarize(const double *v, size_t n, uint64_t seed,
		    struct stats_summary *out);

/*
 * Two-sided p-value of the Mann-Whitney U test that @a and @b come from
 * the same distribution.  Uses the normal approximation with tie and
 * continuity corrections, so it matches R's
 * wilcox.test(a, b, exact = FALSE, correct = TRUE).  1 when every value
 * is tied; NaN when either sample is empty or memory runs out.
 */
double stats_mann_whitney_p(const double *a, size_t na, const double *b,
			    size_t nb);

/*
 * Holm-Bonferroni adjusted p-values of @n tests into @adjusted, which must
 * not overlap @p: monotone in p and capped at 1, like R's
 * p.adjust(p, "holm").
 */
void stats_holm(const double *p, size_t n, double *adjusted);

/*
 * Student's t distribution with @df degrees of freedom (df > 0; INFINITY
 * is the standard normal): P(T <= @t), and the @p quantile for p in
 * (0, 1).  For the boot-level test of vfio-perf-compare, where the
 * spread of a handful of boot medians is itself an estimate.  NaN for
 * arguments outside those ranges.
 */
double stats_t_cdf(double t, double df);
double stats_t_quantile(double p, double df);

#endif
