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
	COMPARE_UNSTABLE,	/* too noisy to call either way */
	COMPARE_MISSING,	/* a side absent or with fewer than 2 samples */
	COMPARE_INFO,		/* reported, never judged */
};

/* Family-wise error rate of the verdicts of one comparison. */
#define COMPARE_ALPHA 0.05

struct compare_opts {
	double threshold;	/* smallest change that matters, 0.02 = 2% */
	unsigned int resamples;	/* bootstrap resamples of the ratio CI */
	uint64_t seed;		/* same seed, same interval */
};

#define COMPARE_OPTS_INIT { .threshold = 0.02, .resamples = 2000, .seed = 1 }

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
	struct compare_stats base, new;
	double ratio;		/* median(new) / median(base) */
	double ci_lo, ci_hi;	/* bootstrap 95% CI of the ratio */
	double p;		/* Mann-Whitney U, pooled samples */
	double p_holm;		/* p Holm-adjusted; NaN if not judged */
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
 * was not measured on that side).  Leaves r->verdict at COMPARE_MISSING
 * or COMPARE_INFO when those apply, otherwise provisional until
 * compare_judge().  Returns 0, -EINVAL (a NaN sample, no resamples) or
 * -ENOMEM.
 */
int compare_case(const struct compare_side *base,
		 const struct compare_side *new, enum compare_goal goal,
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
 * Holm-adjust the p-values of the @n judged cases of one comparison
 * (neither missing nor info) and give each its verdict:
 *   unstable  the CI reaches below 1 - threshold and above 1 + threshold;
 *   improved/regressed  the CI excludes 1, the ratio of medians moves
 *             beyond the threshold and the adjusted p < COMPARE_ALPHA;
 *   ~         otherwise.
 * Idempotent.  Returns 0 or -ENOMEM.
 */
int compare_judge(struct compare_result *r, size_t n,
		  const struct compare_opts *o);

/* "improved", "regressed", "~", "unstable", "missing", "info". */
const char *compare_verdict_name(enum compare_verdict v);

#endif
