/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing one case between two kernel builds: the ratio of medians
 * new/base with a hierarchical bootstrap confidence interval, a
 * Mann-Whitney U p-value, and a verdict (docs/results.md, "Verdicts").
 *
 * Samples come in boots.  Samples of one boot share that boot's memory
 * layout, huge page pool order and host load, so they agree with each
 * other more than with samples of another boot; pooling them as if they
 * were independent would give intervals that are far too narrow.  The
 * bootstrap therefore resamples boots first, then samples within each
 * drawn boot.
 *
 * Verdicts need every p-value of a comparison (Holm correction), so they
 * come in two steps: compare_case() per case, then compare_judge() once
 * over all of them.
 */
#ifndef VFIO_PERF_COMPARE_H
#define VFIO_PERF_COMPARE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One side of a case: @nboots boots, boot b holding the @n[b] samples
 * @values[b][0 .. n[b]).  Boots without samples are ignored.
 */
struct compare_side {
	size_t nboots;
	const double *const *values;
	const size_t *n;
};

/* Which way a metric gets better; set by compare_goal_of(). */
enum compare_goal {
	COMPARE_LOWER,		/* ns, count: less is better */
	COMPARE_HIGHER,		/* B/s: more is better */
	COMPARE_INFO_ONLY,	/* verification figures, unknown units */
};

enum compare_verdict {
	COMPARE_SAME,		/* "~": no significant, practical change */
	COMPARE_IMPROVED,
	COMPARE_REGRESSED,
	COMPARE_UNSTABLE,	/* the data cannot tell */
	COMPARE_MISSING,	/* a side has no sample of the case */
	COMPARE_INFO,		/* reported, never judged */
};

/* Family-wise error rate of the verdicts of one comparison. */
#define COMPARE_ALPHA 0.05
/* Power at the minimum detectable effect: a change that large is called 4 times in 5. */
#define COMPARE_POWER 0.8

/*
 * Where the boot-to-boot spread of a case comes from (docs/results.md,
 * "Boot-to-boot spread").  Samples of one boot tell nothing about how
 * far the next boot lands: that takes boots, of these sides or of a
 * calibration.
 */
enum compare_spread_source {
	COMPARE_SPREAD_NONE,	/* not judged, or no model (a boot median <= 0) */
	COMPARE_SPREAD_DATA,	/* the compared boots: 2 or more on each side */
	COMPARE_SPREAD_CALIBRATION, /* a calibration of the accel mode */
	COMPARE_SPREAD_DEFAULT,	/* one boot on a side, no calibration: the mode's floor */
};

/* A case's boot-to-boot spread measured elsewhere (a calibration). */
struct compare_spread {
	double sd;		/* standard deviation of ln(boot median) */
	double df;		/* its degrees of freedom: boots - 1, pooled */
};

struct compare_opts {
	double threshold;	/* smallest change that matters, 0.02 = 2% */
	unsigned int resamples;	/* bootstrap resamples of the ratio CI */
	uint64_t seed;		/* same seed, same interval */
	/*
	 * With one boot on a side and no calibration: the smallest change
	 * that may be called (0.10 = 10%), INFINITY for none, 0 to judge on
	 * the samples alone (tests of the within-boot rules).
	 * compare_one_boot_floor() gives each accel mode's.
	 */
	double one_boot_floor;
};

#define COMPARE_OPTS_INIT { .threshold = 0.02, .resamples = 2000, .seed = 1, \
			    .one_boot_floor = INFINITY }

/*
 * A boot-to-boot spread pooled over sides (kernels) of a calibration:
 * sums of squared deviations of ln(boot median) from its side's mean
 * and of ln(sample) from its boot's mean, with their degrees of
 * freedom.  sd = sqrt(ss / df).
 */
struct compare_spread_pool {
	double boot_ss, boot_df;
	double within_ss, within_df;
};

/* One side's figures, all boots pooled; NaN where there are no samples. */
struct compare_stats {
	size_t n;		/* samples */
	size_t nboots;		/* boots with at least one sample */
	double median, p5, p95, min, max;
	double spread;		/* stddev / mean in percent, like LKP's ±% */
	/* 95% CI of the median, resampling boots then samples; NaN but from
	 * compare_summarize(). */
	double ci_lo, ci_hi;
};

struct compare_result {
	enum compare_goal goal;
	bool judged;		/* in the family of tests: neither info nor missing
				 * nor a single sample */
	struct compare_stats base, new;
	double ratio;		/* median(new) / median(base) */
	double ci_lo, ci_hi;	/* bootstrap 95% CI of the ratio */
	double p;		/* Mann-Whitney U, pooled samples */
	double p_holm;		/* p Holm-adjusted; NaN if not judged */
	/* The boot-level test: the change against the boot-to-boot spread. */
	enum compare_spread_source source;
	double boot_sd;		/* sd of ln(boot median); NaN unless DATA or CALIBRATION */
	double df;		/* its degrees of freedom */
	double p_boot;		/* two-sided t test of ln(ratio), before correction */
	double p_boot_holm;	/* p_boot Holm-adjusted over the cases that have one */
	double floor;		/* smallest change that can be called (0.05 = 5%);
				 * INFINITY: none can; NaN if not judged */
	double mde;		/* smallest true change called with COMPARE_POWER;
				 * NaN: unknown */
	enum compare_verdict verdict;
};

/*
 * The goal of @metric measured in @unit.  Verification figures
 * (thp-fraction, hugetlb-pages, pfn-runs, level-obtained, kprobe-*) and
 * units without a better direction (fraction, bytes) are info only.
 */
enum compare_goal compare_goal_of(const char *metric, const char *unit);

/*
 * Statistics of one case into @r.  @base or @new may be NULL (the case
 * was not measured on that side).  @spread: the case's boot-to-boot
 * spread from a calibration, or NULL.  Leaves r->verdict at
 * COMPARE_MISSING (a side has no sample), COMPARE_INFO (info goal, a
 * sample on each side: verification figures are shown whatever their
 * count) or COMPARE_UNSTABLE (a judged metric with a single sample on a
 * side), otherwise provisional until compare_judge().  Returns 0,
 * -EINVAL (a NaN sample, no resamples) or -ENOMEM.
 */
int compare_case(const struct compare_side *base,
		 const struct compare_side *new, enum compare_goal goal,
		 const struct compare_spread *spread,
		 const struct compare_opts *o, struct compare_result *r);

/*
 * One side's figures into @st, with the hierarchical bootstrap CI of its
 * median (the same resampling as the ratio's, seeded with o->seed).
 * @s may be NULL or empty: then n is 0 and the figures NaN.  Returns 0,
 * -EINVAL (a NaN sample, no resamples) or -ENOMEM.
 */
int compare_summarize(const struct compare_side *s,
		      const struct compare_opts *o, struct compare_stats *st);

/*
 * Add the boots of side @s to @pool.  A side whose values are not all
 * above 0 has no logarithms and adds nothing: -EDOM.  Returns 0,
 * -EDOM, -EINVAL (a NaN sample) or -ENOMEM.
 */
int compare_spread_pool_add(struct compare_spread_pool *pool,
			    const struct compare_side *s);

/*
 * Holm-adjust the p-values of the judged cases among the @n of one
 * comparison, set each one's floor and minimum detectable effect, and
 * give it its verdict (docs/results.md, "Verdicts"):
 *   unstable  the CI reaches below 1 - threshold and above 1 + threshold;
 *             or the change passes the tests below but not its floor:
 *             the boot-to-boot spread could explain it;
 *   improved/regressed  the CI excludes 1, the ratio of medians moves
 *             beyond the threshold, and the change is significant: by
 *             the boot-level test when the spread is measured, else by
 *             the adjusted Mann-Whitney p < COMPARE_ALPHA and, with one
 *             boot on a side, beyond o->one_boot_floor;
 *   ~         otherwise.
 * The boot-level test: with a measured spread (data or calibration),
 * the t test of ln(ratio) against the spread of the difference,
 * Holm-adjusted p_boot < COMPARE_ALPHA; with one boot on a side and no
 * calibration, |ln ratio| beyond ln(1 + o->one_boot_floor).
 * Idempotent.  Returns 0 or -ENOMEM.
 */
int compare_judge(struct compare_result *r, size_t n,
		  const struct compare_opts *o);

/* "improved", "regressed", "~", "unstable", "missing", "info". */
const char *compare_verdict_name(enum compare_verdict v);

/* "data", "calibration", "default", "" (none). */
const char *compare_spread_source_name(enum compare_spread_source s);

/*
 * The floor of one-boot comparisons without a calibration for accel
 * mode @accel (docs/results.md, "One boot per side"): 0.10 for icount,
 * INFINITY (no change can be called) for the wall-clock modes tcg, kvm
 * and none (the host).
 */
double compare_one_boot_floor(const char *accel);

/*
 * The smallest change (0.05 = 5%) the boot-level test can call, for
 * boot medians of spread @sd (ln scale, @df degrees of freedom),
 * @boots_a and @boots_b boots per side, at @threshold: the threshold or
 * the t quantile of 1 - COMPARE_ALPHA / 2 times sd * sqrt(1/a + 1/b),
 * whichever is larger.  Holm's correction may ask more of a case, never
 * less.
 */
double compare_floor(double sd, double df, size_t boots_a, size_t boots_b,
		     double threshold);

/*
 * The minimum detectable effect: the smallest true change the whole
 * rule calls with COMPARE_POWER among @family judged cases.  A change
 * must pass the threshold and the boot-level test at the Bonferroni
 * level COMPARE_ALPHA / family (Holm's strictest step: what a case
 * needs when few others changed), and the ratio's 95% CI must exclude
 * 1; @ci_sd is the ln-scale standard error behind that CI (its ln
 * width / (2 * 1.96); 0 if unknown).  mde = exp(c + q * s) - 1 with c
 * the largest of those three critical values, s the larger of the two
 * standard errors and q the t quantile of COMPARE_POWER.  The calibration's table of boots
 * per side and vfio-perf-compare's mde column both come from here.
 */
double compare_mde(double sd, double df, size_t boots_a, size_t boots_b,
		   size_t family, double threshold, double ci_sd);

#endif
