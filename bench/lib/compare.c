// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "compare.h"
#include "stats.h"

/* The standard normal's 97.5% quantile: a 95% interval's half width in sds. */
#define COMPARE_Z975 1.959963984540054

/*
 * Figures that show what the kernel gave us (THP coverage, page runs,
 * the level a BAR was mapped at, which kprobes fired) are marked
 * CASE_M_INFO in case.c: a change there explains a change in cost; it
 * is not one itself.
 */
enum compare_goal compare_goal_of(const char *metric, const char *unit)
{
	const struct case_metric *m = case_metric_find(metric);

	if (m && (m->flags & CASE_M_INFO))
		return COMPARE_INFO_ONLY;
	if (!strcmp(unit, "ns") || !strcmp(unit, "count"))
		return COMPARE_LOWER;
	if (!strcmp(unit, "B/s"))
		return COMPARE_HIGHER;
	/* No way to tell better from worse: report, never judge. */
	return COMPARE_INFO_ONLY;
}

const char *compare_verdict_name(enum compare_verdict v)
{
	static const char *const names[] = {
		[COMPARE_SAME] = "~",
		[COMPARE_IMPROVED] = "improved",
		[COMPARE_REGRESSED] = "regressed",
		[COMPARE_UNSTABLE] = "unstable",
		[COMPARE_MISSING] = "missing",
		[COMPARE_INFO] = "info",
	};

	return names[v];
}

const char *compare_spread_source_name(enum compare_spread_source s)
{
	static const char *const names[] = {
		[COMPARE_SPREAD_NONE] = "",
		[COMPARE_SPREAD_DATA] = "data",
		[COMPARE_SPREAD_CALIBRATION] = "calibration",
		[COMPARE_SPREAD_DEFAULT] = "default",
	};

	return names[s];
}

/*
 * The committed campaigns (docs/results.md, "One boot per side"):
 * under icount, the largest change between two boots of one kernel that
 * the within-boot tests would call is 7.0% (hugetlb-2m/64M/munmap on
 * 7.2); 10% stands above it.  Wall-clock boots of one kernel differ by
 * up to 2x under TCG, and KVM and the host have no committed figures:
 * from one boot of each, nothing can be called.
 */
double compare_one_boot_floor(const char *accel)
{
	return !strcmp(accel, "icount") ? 0.10 : INFINITY;
}

/*
 * The boot-level test compares ln(ratio) with the spread of a
 * difference of means of boot medians, s = sd * sqrt(1/a + 1/b), by a
 * t test with the spread's degrees of freedom, Holm-corrected over the
 * cases of a comparison like the Mann-Whitney p.  The floor is where
 * that test can first pass: Holm's last step, at COMPARE_ALPHA itself.
 * The minimum detectable effect takes the Bonferroni level of the whole
 * family, Holm's first step: the power it promises does not depend on
 * how many other cases changed.
 */
static double compare_boot_se(double sd, size_t a, size_t b)
{
	return sd * sqrt(1 / (double)a + 1 / (double)b);
}

static double compare_crit(double df, size_t family)
{
	return stats_t_quantile(1 - COMPARE_ALPHA / (2.0 * (double)(family ? family : 1)), df);
}

double compare_floor(double sd, double df, size_t boots_a, size_t boots_b,
		     double threshold)
{
	double s = compare_boot_se(sd, boots_a, boots_b);

	return expm1(fmax(log1p(threshold), compare_crit(df, 1) * s));
}

double compare_mde(double sd, double df, size_t boots_a, size_t boots_b,
		   size_t family, double threshold, double ci_sd)
{
	double s = compare_boot_se(sd, boots_a, boots_b);
	double c = fmax(fmax(log1p(threshold), compare_crit(df, family) * s),
			COMPARE_Z975 * ci_sd);

	return expm1(c + stats_t_quantile(COMPARE_POWER, df) * fmax(s, ci_sd));
}

/*
 * One side made ready for resampling.  Every sample is sorted once;
 * a boot is the list of its samples' positions in that order.  A
 * resample then only counts how often each position is drawn, and the
 * median falls out of a walk over the counts, with no sorting per
 * resample.
 */
struct compare_pool {
	double *sorted;		/* every sample of the side, ascending */
	size_t n;
	size_t nboots;		/* boots with samples */
	size_t *start;		/* boot b: pos[start[b] .. start[b + 1]) */
	size_t *pos;		/* indices into sorted, grouped by boot */
	size_t *counts;		/* draws per position in one resample */
};

struct compare_tagged {
	double v;
	size_t boot;
};

static int compare_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int compare_cmp_tagged(const void *a, const void *b)
{
	return compare_cmp_double(&((const struct compare_tagged *)a)->v,
				  &((const struct compare_tagged *)b)->v);
}

static void compare_pool_free(struct compare_pool *p)
{
	free(p->sorted);
	free(p->start);
	free(p->pos);
	free(p->counts);
	*p = (struct compare_pool){ 0 };
}

static int compare_pool_init(struct compare_pool *p,
			     const struct compare_side *s)
{
	struct compare_tagged *t = NULL;
	size_t b, i, j, k;
	int ret = -ENOMEM;

	*p = (struct compare_pool){ 0 };
	for (b = 0; s && b < s->nboots; b++) {
		p->n += s->n[b];
		p->nboots += s->n[b] > 0;
	}
	if (!p->n)
		return 0;
	t = malloc(p->n * sizeof(*t));
	p->sorted = malloc(p->n * sizeof(*p->sorted));
	p->start = calloc(p->nboots + 1, sizeof(*p->start));
	p->pos = malloc(p->n * sizeof(*p->pos));
	p->counts = malloc(p->n * sizeof(*p->counts));
	if (!t || !p->sorted || !p->start || !p->pos || !p->counts)
		goto out;
	for (b = 0, i = 0, k = 0; b < s->nboots; b++) {
		if (!s->n[b])
			continue;
		for (j = 0; j < s->n[b]; j++) {
			/* NaN has no place in an order; refuse, not guess. */
			if (isnan(s->values[b][j])) {
				ret = -EINVAL;
				goto out;
			}
			t[i++] = (struct compare_tagged){ s->values[b][j], k };
		}
		p->start[k + 1] = p->start[k] + s->n[b];
		k++;
	}
	qsort(t, p->n, sizeof(*t), compare_cmp_tagged);
	/* counts doubles as each boot's fill cursor: nboots <= n. */
	memcpy(p->counts, p->start, p->nboots * sizeof(*p->counts));
	for (i = 0; i < p->n; i++) {
		p->sorted[i] = t[i].v;
		p->pos[p->counts[t[i].boot]++] = i;
	}
	ret = 0;
out:
	free(t);
	if (ret)
		compare_pool_free(p);
	return ret;
}

/*
 * ln of each boot's median into @out (p->nboots of them): a boot's
 * positions are in ascending order of value, so its median is read off
 * them.  False when a median is not above 0 (no logarithm).
 */
static bool compare_pool_log_medians(const struct compare_pool *p, double *out)
{
	for (size_t b = 0; b < p->nboots; b++) {
		const size_t *pos = &p->pos[p->start[b]];
		size_t m = p->start[b + 1] - p->start[b];
		double lo = p->sorted[pos[(m - 1) / 2]], hi = p->sorted[pos[m / 2]];
		double med = lo + 0.5 * (hi - lo);

		if (!(med > 0))
			return false;
		out[b] = log(med);
	}
	return true;
}

/* Sum of squared deviations from their mean of @n values. */
static double compare_ss(const double *v, size_t n)
{
	double mean = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		mean += v[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	return ss;
}

/*
 * The spread of ln(boot median) pooled over both sides, each around
 * its own mean (the sides may differ; their boots scatter alike), into
 * r->boot_sd with r->df.  1 when set; 0 without two boots a side or
 * when a median is not above 0; -ENOMEM.
 */
static int compare_data_spread(const struct compare_pool *pb,
			       const struct compare_pool *pn,
			       struct compare_result *r)
{
	double *lm;
	int ret = 0;

	if (pb->nboots < 2 || pn->nboots < 2)
		return 0;
	lm = malloc((pb->nboots + pn->nboots) * sizeof(*lm));
	if (!lm)
		return -ENOMEM;
	if (compare_pool_log_medians(pb, lm) &&
	    compare_pool_log_medians(pn, lm + pb->nboots)) {
		r->df = (double)(pb->nboots + pn->nboots - 2);
		r->boot_sd = sqrt((compare_ss(lm, pb->nboots) +
				   compare_ss(lm + pb->nboots, pn->nboots)) / r->df);
		r->source = COMPARE_SPREAD_DATA;
		ret = 1;
	}
	free(lm);
	return ret;
}

/*
 * Median of the multiset holding sorted[i] counts[i] times, @total
 * values in all; the same interpolation as stats_quantile(..., 0.5).
 */
static double compare_counts_median(const double *sorted,
				    const size_t *counts, size_t total)
{
	size_t lo = (total - 1) / 2, hi = total / 2, seen = 0, i = 0;
	double vlo;

	for (; seen + counts[i] <= lo; i++)
		seen += counts[i];
	vlo = sorted[i];
	for (; seen + counts[i] <= hi; i++)
		seen += counts[i];
	return vlo + 0.5 * (sorted[i] - vlo);
}

/*
 * One hierarchical resample: draw as many boots as there are, with
 * replacement, then from each drawn boot as many of its samples as it
 * has, with replacement.  With a single boot this is the ordinary
 * bootstrap.
 */
static double compare_pool_resample_median(struct compare_pool *p,
					   struct stats_rng *rng)
{
	size_t k, j, total = 0;

	memset(p->counts, 0, p->n * sizeof(*p->counts));
	for (k = 0; k < p->nboots; k++) {
		size_t b = stats_rng_below(rng, p->nboots);
		size_t first = p->start[b], m = p->start[b + 1] - first;

		for (j = 0; j < m; j++)
			p->counts[p->pos[first + stats_rng_below(rng, m)]]++;
		total += m;
	}
	return compare_counts_median(p->sorted, p->counts, total);
}

int compare_spread_pool_add(struct compare_spread_pool *pool,
			    const struct compare_side *s)
{
	struct compare_pool p;
	double *lm = NULL, *lv = NULL;
	int ret = compare_pool_init(&p, s);

	if (ret || !p.n)
		return ret;
	lm = malloc(p.nboots * sizeof(*lm));
	lv = malloc(p.n * sizeof(*lv));
	ret = lm && lv ? 0 : -ENOMEM;
	if (!ret && (!compare_pool_log_medians(&p, lm) || !(p.sorted[0] > 0)))
		ret = -EDOM;
	for (size_t b = 0; b < p.nboots && !ret; b++) {
		size_t m = p.start[b + 1] - p.start[b];

		for (size_t j = 0; j < m; j++)
			lv[j] = log(p.sorted[p.pos[p.start[b] + j]]);
		pool->within_ss += compare_ss(lv, m);
		pool->within_df += (double)(m - 1);
	}
	if (!ret) {
		pool->boot_ss += compare_ss(lm, p.nboots);
		pool->boot_df += (double)(p.nboots - 1);
	}
	free(lm);
	free(lv);
	compare_pool_free(&p);
	return ret;
}

/*
 * new / base, with 0 / 0 = 1: a count that stays at zero (no faults
 * before, none after) has not changed.
 */
static double compare_ratio(double new, double base)
{
	if (base == 0)
		return new == 0 ? 1 : copysign(INFINITY, new);
	return new / base;
}

static void compare_pool_stats(const struct compare_pool *p,
			       struct compare_stats *st)
{
	double sum = 0, sq = 0, mean;
	size_t i;

	*st = (struct compare_stats){
		.n = p->n,
		.nboots = p->nboots,
		.median = stats_quantile(p->sorted, p->n, 0.5),
		.p5 = stats_quantile(p->sorted, p->n, 0.05),
		.p95 = stats_quantile(p->sorted, p->n, 0.95),
		.min = p->n ? p->sorted[0] : NAN,
		.max = p->n ? p->sorted[p->n - 1] : NAN,
		.spread = NAN,
		.ci_lo = NAN,
		.ci_hi = NAN,
	};
	if (p->n < 2)
		return;
	for (i = 0; i < p->n; i++)
		sum += p->sorted[i];
	mean = sum / (double)p->n;
	/* Two passes: timings share many leading digits. */
	for (i = 0; i < p->n; i++)
		sq += (p->sorted[i] - mean) * (p->sorted[i] - mean);
	if (mean != 0)
		st->spread = 100 * sqrt(sq / (double)(p->n - 1)) / fabs(mean);
}

static int compare_ratio_ci(struct compare_pool *base,
			    struct compare_pool *new,
			    const struct compare_opts *o,
			    struct compare_result *r)
{
	double *ratios = malloc(o->resamples * sizeof(*ratios));
	struct stats_rng rng;
	unsigned int i;

	if (!ratios)
		return -ENOMEM;
	/*
	 * The two sides are independent measurements, so each resample
	 * draws both afresh; the interval then carries the noise of both.
	 */
	stats_rng_seed(&rng, o->seed);
	for (i = 0; i < o->resamples; i++) {
		double mb = compare_pool_resample_median(base, &rng);
		double mn = compare_pool_resample_median(new, &rng);

		ratios[i] = compare_ratio(mn, mb);
	}
	qsort(ratios, o->resamples, sizeof(*ratios), compare_cmp_double);
	r->ci_lo = stats_quantile(ratios, o->resamples, 0.025);
	r->ci_hi = stats_quantile(ratios, o->resamples, 0.975);
	free(ratios);
	return 0;
}

int compare_summarize(const struct compare_side *s,
		      const struct compare_opts *o, struct compare_stats *st)
{
	struct compare_pool p;
	double *medians;
	struct stats_rng rng;
	int ret;

	if (!o->resamples)
		return -EINVAL;
	ret = compare_pool_init(&p, s);
	if (ret)
		return ret;
	compare_pool_stats(&p, st);
	if (!p.n)
		return 0;
	medians = malloc(o->resamples * sizeof(*medians));
	if (!medians) {
		compare_pool_free(&p);
		return -ENOMEM;
	}
	stats_rng_seed(&rng, o->seed);
	for (unsigned int i = 0; i < o->resamples; i++)
		medians[i] = compare_pool_resample_median(&p, &rng);
	qsort(medians, o->resamples, sizeof(*medians), compare_cmp_double);
	st->ci_lo = stats_quantile(medians, o->resamples, 0.025);
	st->ci_hi = stats_quantile(medians, o->resamples, 0.975);
	free(medians);
	compare_pool_free(&p);
	return 0;
}

/*
 * Which boot-to-boot spread judges the case: a calibration's, else the
 * boots' own (two or more a side), else, with one boot on a side, the
 * mode's floor.  The two-sided p of the boot-level t test goes with a
 * measured spread.
 */
static int compare_boot_model(const struct compare_pool *pb,
			      const struct compare_pool *pn,
			      const struct compare_spread *spread,
			      struct compare_result *r)
{
	double s, d = fabs(log(r->ratio));
	int ret = 0;

	if (spread && spread->df > 0 && spread->sd >= 0) {
		r->source = COMPARE_SPREAD_CALIBRATION;
		r->boot_sd = spread->sd;
		r->df = spread->df;
	} else if ((ret = compare_data_spread(pb, pn, r)) <= 0) {
		r->source = pb->nboots == 1 || pn->nboots == 1 ?
			    COMPARE_SPREAD_DEFAULT : COMPARE_SPREAD_NONE;
		return ret;
	}
	s = compare_boot_se(r->boot_sd, pb->nboots, pn->nboots);
	if (isnan(d))
		r->p_boot = 1;
	else if (s == 0)
		r->p_boot = d == 0 ? 1 : 0;
	else
		r->p_boot = fmin(1, 2 * stats_t_cdf(-d / s, r->df));
	return 0;
}

int compare_case(const struct compare_side *base,
		 const struct compare_side *new, enum compare_goal goal,
		 const struct compare_spread *spread,
		 const struct compare_opts *o, struct compare_result *r)
{
	struct compare_pool pb, pn;
	int ret;

	*r = (struct compare_result){
		.goal = goal,
		.ratio = NAN, .ci_lo = NAN, .ci_hi = NAN,
		.p = NAN, .p_holm = NAN,
		.boot_sd = NAN, .df = NAN, .p_boot = NAN, .p_boot_holm = NAN,
		.floor = NAN, .mde = NAN,
		.verdict = COMPARE_SAME,
	};
	if (!o->resamples)
		return -EINVAL;
	ret = compare_pool_init(&pb, base);
	if (ret)
		return ret;
	ret = compare_pool_init(&pn, new);
	if (ret)
		goto out;
	compare_pool_stats(&pb, &r->base);
	compare_pool_stats(&pn, &r->new);
	if (!pb.n || !pn.n) {
		r->verdict = COMPARE_MISSING;
		goto out;
	}
	/*
	 * A verification figure comes once per boot (kprobe and ptdump
	 * counts) or once per sample: one of each side is enough to show
	 * both and whether they differ.  A timed metric with a single
	 * sample on a side has no spread at all to judge it by.
	 */
	if (goal == COMPARE_INFO_ONLY)
		r->verdict = COMPARE_INFO;
	else if (pb.n < 2 || pn.n < 2)
		r->verdict = COMPARE_UNSTABLE;
	else
		r->judged = true;
	r->ratio = compare_ratio(r->new.median, r->base.median);
	r->p = stats_mann_whitney_p(pb.sorted, pb.n, pn.sorted, pn.n);
	ret = isnan(r->p) ? -ENOMEM : compare_ratio_ci(&pb, &pn, o, r);
	if (!ret && r->judged)
		ret = compare_boot_model(&pb, &pn, spread, r);
out:
	compare_pool_free(&pb);
	compare_pool_free(&pn);
	return ret;
}

/* The ln-scale standard error the ratio's bootstrap CI implies. */
static double compare_ci_sd(const struct compare_result *r)
{
	double w = log(r->ci_hi / r->ci_lo) / (2 * COMPARE_Z975);

	return isfinite(w) && w > 0 ? w : 0;
}

/* The floor and minimum detectable effect of a judged case of @family. */
static void compare_set_floor(struct compare_result *r, size_t family,
			      const struct compare_opts *o)
{
	switch (r->source) {
	case COMPARE_SPREAD_DATA:
	case COMPARE_SPREAD_CALIBRATION:
		r->floor = compare_floor(r->boot_sd, r->df, r->base.nboots,
					 r->new.nboots, o->threshold);
		r->mde = compare_mde(r->boot_sd, r->df, r->base.nboots,
				     r->new.nboots, family, o->threshold,
				     compare_ci_sd(r));
		break;
	case COMPARE_SPREAD_DEFAULT:
		r->floor = fmax(o->threshold, o->one_boot_floor);
		break;
	case COMPARE_SPREAD_NONE:
		r->floor = o->threshold;
		break;
	}
}

static enum compare_verdict compare_verdict_of(const struct compare_result *r,
					       double t)
{
	bool up, down;

	/*
	 * An interval that holds both a meaningful gain and a meaningful
	 * loss says the data cannot tell; calling it "~" would claim
	 * the builds are equal.
	 */
	if (r->ci_lo < 1 - t && r->ci_hi > 1 + t)
		return COMPARE_UNSTABLE;
	up = r->ci_lo > 1 && r->ratio > 1 + t;
	down = r->ci_hi < 1 && r->ratio < 1 - t;
	if (!(up || down))
		return COMPARE_SAME;
	/*
	 * The samples see a change; whether boots of one kernel land this
	 * far apart is for the boot-level test to say.  With a measured
	 * spread the boot is the unit of replication, and the test of the
	 * change against it is the significance test: the Mann-Whitney
	 * test of pooled samples, which takes samples of one boot for
	 * independent, is only reported (with 8 samples a boot it could
	 * never pass Holm's correction from one boot a side).  Without a
	 * spread, the Mann-Whitney test decides, and with one boot on a
	 * side the mode's floor bounds what it may call.  A change that the
	 * spread between boots could explain is neither a change nor its
	 * absence, and neither is one the test is too weak to confirm (4
	 * samples a side never pass Holm's correction over 5 cases): the
	 * samples saw it, so "~" would be the lie.
	 */
	if (r->source == COMPARE_SPREAD_DATA || r->source == COMPARE_SPREAD_CALIBRATION) {
		if (!(r->p_boot_holm < COMPARE_ALPHA))
			return COMPARE_UNSTABLE;
	} else if (!(r->p_holm < COMPARE_ALPHA)) {
		return COMPARE_UNSTABLE;
	} else if (!(fabs(log(r->ratio)) > log1p(r->floor))) {
		return COMPARE_UNSTABLE;
	}
	return up == (r->goal == COMPARE_LOWER) ? COMPARE_REGRESSED :
						  COMPARE_IMPROVED;
}

/* The double at offset @off of @r. */
static double *compare_field(struct compare_result *r, size_t off)
{
	return (double *)((char *)r + off);
}

/*
 * Holm-adjust the p-values at offset @p_off of the judged cases among
 * @n that have one, into the field at @adj_off.
 */
static int compare_holm_of(struct compare_result *r, size_t n, size_t p_off,
			   size_t adj_off)
{
	double *p = calloc(n ? n : 1, sizeof(*p));
	double *adj = calloc(n ? n : 1, sizeof(*adj));
	size_t i, k;

	if (!p || !adj) {
		free(p);
		free(adj);
		return -ENOMEM;
	}
	for (i = 0, k = 0; i < n; i++)
		if (r[i].judged && !isnan(*compare_field(&r[i], p_off)))
			p[k++] = *compare_field(&r[i], p_off);
	stats_holm(p, k, adj);
	for (i = 0, k = 0; i < n; i++)
		if (r[i].judged && !isnan(*compare_field(&r[i], p_off)))
			*compare_field(&r[i], adj_off) = adj[k++];
	free(p);
	free(adj);
	return 0;
}

int compare_judge(struct compare_result *r, size_t n,
		  const struct compare_opts *o)
{
	size_t family = 0;
	int ret;

	/*
	 * The family is the cases that can be judged: a missing case or
	 * a single sample has no test, and an info case's test would only
	 * make the others harder to pass without being reported as a
	 * change itself.
	 */
	ret = compare_holm_of(r, n, offsetof(struct compare_result, p),
			      offsetof(struct compare_result, p_holm));
	ret = ret ? ret : compare_holm_of(r, n, offsetof(struct compare_result, p_boot),
					  offsetof(struct compare_result, p_boot_holm));
	for (size_t i = 0; i < n && !ret; i++)
		family += r[i].judged;
	for (size_t i = 0; i < n && !ret; i++) {
		if (!r[i].judged)
			continue;
		compare_set_floor(&r[i], family, o);
		r[i].verdict = compare_verdict_of(&r[i], o->threshold);
	}
	return ret;
}
