// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static uint64_t stats_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64: spreads any seed, even 0, over the whole xoshiro state. */
static uint64_t stats_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void stats_rng_seed(struct stats_rng *rng, uint64_t seed)
{
	size_t i;

	for (i = 0; i < 4; i++)
		rng->s[i] = stats_splitmix64(&seed);
}

uint64_t stats_rng_u64(struct stats_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = stats_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = stats_rotl(s[3], 45);
	return result;
}

uint64_t stats_rng_below(struct stats_rng *rng, uint64_t n)
{
	/*
	 * 2^64 mod n values at the bottom would make small results more
	 * likely than large ones; drawing again when we land there keeps
	 * every result equally likely.
	 */
	uint64_t threshold = n ? -n % n : 0;
	uint64_t x;

	if (!n)
		return 0;
	do {
		x = stats_rng_u64(rng);
	} while (x < threshold);
	return x % n;
}

double stats_rng_double(struct stats_rng *rng)
{
	return (double)(stats_rng_u64(rng) >> 11) * 0x1.0p-53;
}

static int stats_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_quantile(const double *sorted, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (!n)
		return NAN;
	q = q < 0 ? 0 : q > 1 ? 1 : q;
	h = (double)(n - 1) * q;
	lo = (size_t)h;
	frac = h - (double)lo;
	/* Equal neighbours need no interpolation, which inf - inf would spoil. */
	if (lo + 1 >= n || frac == 0 || sorted[lo] == sorted[lo + 1])
		return sorted[lo];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

static double *stats_sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), stats_cmp_double);
	return s;
}

double stats_median(const double *v, size_t n)
{
	double *s = n ? stats_sorted_copy(v, n) : NULL;
	double m;

	if (!s)
		return NAN;
	m = stats_quantile(s, n, 0.5);
	free(s);
	return m;
}

/*
 * Median of one bootstrap resample of @sorted.  Counting how often each
 * order statistic is drawn, then walking the counts, finds the middle
 * without sorting the resample: O(n) instead of O(n log n), which matters
 * with 2000 resamples of a few thousand samples.
 */
static double stats_resample_median(const double *sorted, size_t n,
				    size_t *counts, struct stats_rng *rng)
{
	size_t lo = (n - 1) / 2, hi = n / 2, seen = 0, i;
	bool have_lo = false;
	double vlo = 0;

	memset(counts, 0, n * sizeof(*counts));
	for (i = 0; i < n; i++)
		counts[stats_rng_below(rng, n)]++;
	for (i = 0;; i++) {
		seen += counts[i];
		if (!have_lo && seen > lo) {
			vlo = sorted[i];
			have_lo = true;
		}
		/* Same interpolation as stats_quantile(..., 0.5). */
		if (seen > hi)
			return lo == hi ? vlo : vlo + 0.5 * (sorted[i] - vlo);
	}
}

static int stats_bootstrap_median_ci(const double *sorted, size_t n,
				     uint64_t seed, double *ci_lo,
				     double *ci_hi)
{
	double *medians = malloc(STATS_BOOTSTRAP_RESAMPLES * sizeof(*medians));
	size_t *counts = calloc(n, sizeof(*counts));
	struct stats_rng rng;
	size_t i;
	int ret = -ENOMEM;

	if (!medians || !counts)
		goto out;
	stats_rng_seed(&rng, seed);
	for (i = 0; i < STATS_BOOTSTRAP_RESAMPLES; i++)
		medians[i] = stats_resample_median(sorted, n, counts, &rng);
	qsort(medians, STATS_BOOTSTRAP_RESAMPLES, sizeof(*medians),
	      stats_cmp_double);
	*ci_lo = stats_quantile(medians, STATS_BOOTSTRAP_RESAMPLES, 0.025);
	*ci_hi = stats_quantile(medians, STATS_BOOTSTRAP_RESAMPLES, 0.975);
	ret = 0;
out:
	free(counts);
	free(medians);
	return ret;
}

int stats_summarize(const double *v, size_t n, uint64_t seed,
		    struct stats_summary *out)
{
	double sum = 0, *s;
	size_t i;
	int ret;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		/* NaN has no place in an order; refuse rather than guess. */
		if (isnan(v[i]))
			return -EINVAL;
		sum += v[i];
	}
	s = stats_sorted_copy(v, n);
	if (!s)
		return -ENOMEM;
	*out = (struct stats_summary){
		.n = n,
		.min = s[0],
		.max = s[n - 1],
		.mean = sum / (double)n,
		.median = stats_quantile(s, n, 0.5),
		.p5 = stats_quantile(s, n, 0.05),
		.p95 = stats_quantile(s, n, 0.95),
		.p99 = stats_quantile(s, n, 0.99),
	};
	ret = stats_bootstrap_median_ci(s, n, seed, &out->ci_lo, &out->ci_hi);
	free(s);
	return ret;
}

struct stats_ranked {
	double v;
	bool from_a;
};

static int stats_cmp_ranked(const void *a, const void *b)
{
	return stats_cmp_double(&((const struct stats_ranked *)a)->v,
				&((const struct stats_ranked *)b)->v);
}

/*
 * U is the number of (a, b) pairs with a > b (ties count one half).  Under
 * the null hypothesis it is approximately normal with mean na*nb/2 and
 *
 *   var = na*nb/12 * ((N + 1) - sum(t^3 - t) / (N * (N - 1)))
 *
 * where N = na + nb and t runs over the sizes of groups of tied values:
 * ties shrink the variance.  The continuity correction moves |U - mean|
 * half a unit toward the mean because U is discrete.  The approximation is
 * poor for very small samples, but the comparison tool has at least a few
 * repetitions per case and needs one method for all of them.
 */
double stats_mann_whitney_p(const double *a, size_t na, const double *b,
			    size_t nb)
{
	size_t n = na + nb, i, j;
	struct stats_ranked *all;
	double rank_sum_a = 0, ties = 0, u, mean, var, z;

	if (!na || !nb)
		return NAN;
	all = malloc(n * sizeof(*all));
	if (!all)
		return NAN;
	for (i = 0; i < n; i++)
		all[i] = (struct stats_ranked){
			.v = i < na ? a[i] : b[i - na],
			.from_a = i < na,
		};
	qsort(all, n, sizeof(*all), stats_cmp_ranked);
	for (i = 0; i < n; i = j) {
		double t, avg_rank;

		for (j = i + 1; j < n && all[j].v == all[i].v; j++)
			;
		t = (double)(j - i);
		/* Ranks i+1 .. j share their average. */
		avg_rank = (double)(i + 1 + j) / 2;
		ties += t * t * t - t;
		for (; i < j; i++)
			rank_sum_a += all[i].from_a ? avg_rank : 0;
	}
	free(all);

	u = rank_sum_a - (double)na * (double)(na + 1) / 2;
	mean = (double)na * (double)nb / 2;
	var = (double)na * (double)nb / 12 *
	      ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
	if (var <= 0)
		return 1;
	z = fmax(fabs(u - mean) - 0.5, 0) / sqrt(var);
	return fmin(erfc(z / sqrt(2)), 1);
}

/*
 * Holm: sort the p-values, multiply the k-th smallest (k from 0) by n - k,
 * then carry the running maximum so the result stays monotone.  Done in
 * O(n^2) without sorting: one comparison has tens of cases, and this way
 * there is no allocation to fail in a function that cannot report it.
 *
 * Equal p-values end up with the same adjusted value: the first of a tied
 * group has the largest multiplier and the running maximum carries it to
 * the rest, so each p_j's candidate uses the count of strictly smaller
 * values.
 */
void stats_holm(const double *p, size_t n, double *adjusted)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t smaller = 0;

		for (j = 0; j < n; j++)
			smaller += p[j] < p[i];
		adjusted[i] = fmin(1, (double)(n - smaller) * p[i]);
	}
	/*
	 * Running maximum over all p_j <= p_i.  Updating in place is safe:
	 * an entry already replaced by its own maximum only covers p-values
	 * that are <= p_i as well.
	 */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (p[j] <= p[i])
				adjusted[i] = fmax(adjusted[i], adjusted[j]);
}

/*
 * The continued fraction of the regularized incomplete beta function
 * I_x(a, b), evaluated by the modified Lentz method; converges fast for
 * x < (a + 1) / (a + b + 2), which stats_beta_inc() arranges.
 */
static double stats_beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int m = 1; m <= 500; m++) {
		double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		double step;

		d = 1 + even * d;
		c = 1 + even / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		h *= d * (fabs(c) < tiny ? tiny : c);
		d = 1 + odd * d;
		c = 1 + odd / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		step = d * (fabs(c) < tiny ? tiny : c);
		h *= step;
		if (fabs(step - 1) < 1e-15)
			break;
	}
	return h;
}

/* I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0 and x in [0, 1]. */
static double stats_beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * stats_beta_cf(a, b, x) / a;
	return 1 - front * stats_beta_cf(b, a, 1 - x) / b;
}

double stats_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(df))
		return 0.5 * erfc(-t / sqrt(2));
	if (isinf(t))
		return t > 0 ? 1 : 0;
	/* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2). */
	tail = 0.5 * stats_beta_inc(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

double stats_t_quantile(double p, double df)
{
	double lo = 0, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p < 0.5)
		return -stats_t_quantile(1 - p, df);
	/*
	 * The CDF is monotone: bracket, then bisect to the last bit.  A
	 * hundred-odd halvings cost nothing next to a bootstrap, and need
	 * no starting guess that could fail at 1 degree of freedom.
	 */
	while (stats_t_cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
		double mid = lo + (hi - lo) / 2;

		if (stats_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}
