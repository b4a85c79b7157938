// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-calibrate: how far do boots of one kernel scatter, and what
 * can a comparison of a given number of boots call on this setup?
 *
 * Reads the boots of one kernel (a campaign's side; several kernels may
 * be pooled, each split within itself), and for every case measures the
 * spread between boots and within them (docs/results.md,
 * "Calibration").  Then it compares the kernel with itself: every way to
 * split its boots into two sides of k (1+1, 2+2, ...), with the rules of
 * vfio-perf-compare; any change called is a false verdict.  The same
 * splits with the new side's samples scaled by a known factor (1.03)
 * show the power: the fraction of judged time cases called regressed.
 * calibration.csv holds per case the spread and the floor and minimum
 * detectable effect for 1, 2, 3, 5 and 8 boots a side; vfio-perf-compare
 * --calibration reads it.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calib.h"
#include "cli.h"
#include "csv.h"
#include "log.h"
#include "samples.h"
#include "split.h"
#include "stats.h"
#include "table.h"
#include "tools.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-calibrate [options] SIDE [SIDE...]\n"
"\n"
"Measure how far boots of one kernel scatter, per case, and what a\n"
"comparison can call on this setup. Each SIDE holds the boots of one\n"
"kernel in one accel mode (a campaign's <kernel>/ directory or a comma\n"
"list of runs), 2 boots or more; several SIDEs (kernels) pool their\n"
"spreads, each split within itself. All SIDEs share one accel mode.\n"
"\n"
"Every way of splitting a SIDE's boots into two sides of k (1+1 up to\n"
"half the boots; at most --max-splits per k) is compared with\n"
"vfio-perf-compare's rules: a change called is a false verdict. The same\n"
"splits with the new side's samples times --scale show the power.\n"
"Per case: the sd of ln(boot median) (boot sd), of ln(sample) within a\n"
"boot, and the floor and mde (the change called 4 times in 5) for 1, 2,\n"
"3, 5 and 8 boots a side. The report goes to stdout.\n"
"\n"
"  --csv FILE         calibration.csv: per case (vfio-perf-compare\n"
"                     --calibration reads it)\n"
"  --splits-csv FILE  every A/A comparison: split, case, change, verdict,\n"
"                     and with the new side scaled\n"
"  --aa-csv FILE      per side and k: comparisons, false verdicts, power\n"
"  --mde-csv FILE     per boots a side: mde over the judged time cases\n"
"                     (median, p90, max, how many within --target)\n"
"  --threshold PCT    smallest change that counts (default 2)\n"
"  --scale FACTOR     the known change of the power check (default 1.03)\n"
"  --target PCT       count the cases whose mde is at most PCT (default 5)\n"
"  --max-splits N     at most N comparisons per k, evenly spread (default 100)\n"
"  --metric REGEX     only metrics matching REGEX (extended)\n"
"  --bench NAME       only this bench (dma, mmio)\n"
"  -h, --help         this text\n"
"\n"
"Files are never overwritten. Exit: 0 no A/A comparison called a change,\n"
"1 some did (false verdicts: see the report), 2 a refused input (one\n"
"line) or bad usage.\n"
"\n"
"Example (the committed TCG campaign: both kernels, 4 boots each):\n"
"  build/release/vfio-perf-calibrate results/campaign-20261122T031245Z/6.12 results/campaign-20261122T031245Z/sid\n");
}

/* What the splits found for one case. */
struct cal_case {
	struct compare_spread_pool pool;
	size_t n, boots;
	double median;
	bool judged;		/* judged in some A/A comparison */
	size_t aa, aa_false, aa_unstable, scaled, scaled_regressed;
};

/* What the splits of one side into k + k found. */
struct cal_k {
	size_t side, k, comparisons, judged, false_verdicts, unstable;
	size_t time_judged, scaled_regressed;
};

struct cal {
	struct samples_set set;
	struct compare_opts o;
	double scale;
	double target;		/* the change of the "mde <= target" row */
	size_t max_splits;
	char (*labels)[128];
	struct cal_case *cases;
	struct cal_k *ks;
	size_t nks;
	size_t family;
	struct csv_writer splits;
	bool with_splits;
};

static const char *const splits_cols[] = {
	"side", "label", "k", "split", "base_boots", "new_boots", "case",
	"verdict", "change", "scaled_verdict", "scaled_change",
};

/* Every failure exits 2: 1 says "false verdicts". */
static void check(int ret, const struct samples_set *set)
{
	if (ret)
		die_refused("%s", set->err);
}

static bool cal_is_time(const struct case_key *k)
{
	return !strcmp(k->unit, "ns");
}

/* "0 2 4": the boot numbers of runs @idx of side @sd. */
static const char *cal_boots_text(const struct samples_side *sd, const size_t *idx,
				  size_t k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%lu", i ? " " : "",
					sd->runs[idx[i]].boot);
	return buf;
}

/* The rows of the new side of @t, by case: the one comparison's verdicts. */
static const struct table_row *cal_row(const struct table *t, size_t kase)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].side == 1 && t->rows[i].kase == kase)
			return &t->rows[i];
	return NULL;
}

/*
 * The table of one split, as vfio-perf-compare would build it without a
 * calibration (one boot a side: the accel mode's floor).
 */
static int cal_build(struct cal *c, struct table *t, struct samples_set *view,
		     size_t side, const struct split_iter *it, double scale)
{
	const char *labels[2] = { c->labels[side], c->labels[side] };
	int ret = split_set(view, &c->set, side, it->a, it->b, it->k, scale);

	if (ret)
		return ret;
	ret = table_build(t, view, labels, TABLE_AGAINST_FIRST, &c->o, NULL);
	if (ret)
		split_set_free(view);
	return ret;
}

/* One split of side @side, as is and scaled: tallies and splits.csv rows. */
static int cal_split(struct cal *c, size_t side, const struct split_iter *it,
		     size_t nsplit, struct cal_k *kt)
{
	const struct samples_side *sd = &c->set.sides[side];
	struct samples_set view, sview;
	struct table t, st;
	size_t judged = 0;
	int ret;

	ret = cal_build(c, &t, &view, side, it, 1);
	if (ret)
		return ret;
	ret = cal_build(c, &st, &sview, side, it, c->scale);
	if (ret) {
		table_free(&t);
		split_set_free(&view);
		return ret;
	}
	kt->comparisons++;
	for (size_t kase = 0; kase < c->set.ncases; kase++) {
		const struct table_row *w = cal_row(&t, kase), *sw = cal_row(&st, kase);
		const struct case_key *key = &c->set.cases[kase];
		struct cal_case *cc = &c->cases[kase];
		enum compare_verdict v, sv;
		char buf[CASE_NAME_LEN];

		if (!w || !sw)
			continue;
		v = w->r.verdict;
		sv = sw->r.verdict;
		if (w->r.judged) {
			judged++;
			cc->judged = true;
			cc->aa++;
			cc->aa_false += v == COMPARE_IMPROVED || v == COMPARE_REGRESSED;
			cc->aa_unstable += v == COMPARE_UNSTABLE;
			kt->judged++;
			kt->false_verdicts += v == COMPARE_IMPROVED || v == COMPARE_REGRESSED;
			kt->unstable += v == COMPARE_UNSTABLE;
		}
		if (sw->r.judged && cal_is_time(key)) {
			cc->scaled++;
			cc->scaled_regressed += sv == COMPARE_REGRESSED;
			kt->time_judged++;
			kt->scaled_regressed += sv == COMPARE_REGRESSED;
		}
		if (!c->with_splits)
			continue;
		csv_put_u64(&c->splits, side);
		csv_put_str(&c->splits, c->labels[side]);
		csv_put_u64(&c->splits, it->k);
		csv_put_u64(&c->splits, nsplit);
		csv_put_str(&c->splits, cal_boots_text(sd, it->a, it->k, buf, sizeof(buf)));
		csv_put_str(&c->splits, cal_boots_text(sd, it->b, it->k, buf, sizeof(buf)));
		csv_put_str(&c->splits, case_name(key, buf, sizeof(buf)));
		csv_put_str(&c->splits, compare_verdict_name(v));
		csv_put_double(&c->splits, w->r.ratio - 1);
		csv_put_str(&c->splits, compare_verdict_name(sv));
		csv_put_double(&c->splits, sw->r.ratio - 1);
		csv_end_row(&c->splits);
	}
	c->family = judged > c->family ? judged : c->family;
	table_free(&t);
	table_free(&st);
	split_set_free(&view);
	split_set_free(&sview);
	return 0;
}

/* Every split of every side, k = 1 .. boots / 2, at most max_splits each. */
static int cal_splits(struct cal *c)
{
	for (size_t s = 0; s < c->set.nsides; s++) {
		size_t n = c->set.sides[s].nruns;

		for (size_t k = 1; 2 * k <= n; k++) {
			size_t total = split_count(n, k), step, i = 0, nsplit = 0;
			struct cal_k *kt = &c->ks[c->nks++];
			struct split_iter it;

			*kt = (struct cal_k){ .side = s, .k = k };
			step = (total + c->max_splits - 1) / c->max_splits;
			log_progress("%s: %zu + %zu boots, %zu of %zu splits", c->labels[s], k, k,
				     (total + step - 1) / step, total);
			split_init(&it, n, k);
			while (split_next(&it)) {
				int ret = i++ % step ? 0 : cal_split(c, s, &it, nsplit++, kt);

				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

/* Pooled spreads and the median of every case over all sides. */
static int cal_spreads(struct cal *c)
{
	struct table_scratch *sc = calloc(c->set.nsides, sizeof(*sc));
	size_t total = 0;
	double *all;
	int ret = sc ? 0 : -ENOMEM;

	for (size_t s = 0; s < c->set.nsides && !ret; s++) {
		ret = table_scratch_init(&sc[s], &c->set.sides[s]);
		total += c->set.sides[s].nobs;
	}
	all = ret ? NULL : malloc((total ? total : 1) * sizeof(*all));
	ret = ret ? ret : all ? 0 : -ENOMEM;
	for (size_t kase = 0; kase < c->set.ncases && !ret; kase++) {
		struct cal_case *cc = &c->cases[kase];

		for (size_t s = 0; s < c->set.nsides && !ret; s++) {
			struct compare_side view;
			bool verified = true;
			const struct compare_side *cs = table_side_case(&c->set.sides[s], kase,
									&sc[s], &verified, &view);

			if (!cs)
				continue;
			for (size_t b = 0; b < cs->nboots; b++)
				for (size_t i = 0; i < cs->n[b]; i++)
					all[cc->n++] = cs->values[b][i];
			cc->boots += cs->nboots;
			ret = compare_spread_pool_add(&cc->pool, cs);
			ret = ret == -EDOM ? 0 : ret;
		}
		cc->median = stats_median(all, cc->n);
	}
	for (size_t s = 0; sc && s < c->set.nsides; s++)
		table_scratch_free(&sc[s]);
	free(sc);
	free(all);
	return ret;
}

/*
 * The standard error of ln(ratio) that the samples of one boot imply
 * per side for @k boots a side: the median of m samples of sd sigma
 * varies by sqrt(pi / 2) sigma / sqrt(m), and k boots divide that.
 */
static double cal_ci_sd(const struct cal_case *cc, size_t k)
{
	double m = (double)cc->n / (double)cc->boots;
	double w = cc->pool.within_df > 0 ? sqrt(cc->pool.within_ss / cc->pool.within_df) : 0;

	return sqrt(2 * (M_PI / 2) * w * w / m / (double)k);
}

static void cal_row_of(const struct cal *c, size_t kase, struct calib_row *r)
{
	const struct cal_case *cc = &c->cases[kase];
	const struct case_key *k = &c->set.cases[kase];

	*r = (struct calib_row){
		.k = k,
		.goal = compare_goal_of(k->metric, k->unit),
		.n = cc->n,
		.boots = cc->boots,
		.median = cc->median,
		.within_sd = cc->pool.within_df > 0 ? sqrt(cc->pool.within_ss / cc->pool.within_df) : NAN,
		.boot_sd = cc->pool.boot_df > 0 ? sqrt(cc->pool.boot_ss / cc->pool.boot_df) : NAN,
		.df = cc->pool.boot_df > 0 ? cc->pool.boot_df : NAN,
		.aa_comparisons = cc->aa,
		.aa_false = cc->aa_false,
		.aa_unstable = cc->aa_unstable,
		.scaled_comparisons = cc->scaled,
		.scaled_regressed = cc->scaled_regressed,
	};
	for (size_t i = 0; i < CALIB_NBOOTS; i++) {
		unsigned int b = calib_boots[i];
		bool judged = r->goal != COMPARE_INFO_ONLY && !isnan(r->boot_sd);

		r->floor[i] = judged ? compare_floor(r->boot_sd, r->df, b, b,
						     c->o.threshold) : NAN;
		r->mde[i] = judged ? compare_mde(r->boot_sd, r->df, b, b, c->family,
						 c->o.threshold, cal_ci_sd(cc, b)) : NAN;
	}
}

static int cal_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, p90 and max of the @n values at @v (sorted in place). */
static void cal_quantiles(double *v, size_t n, double q[3])
{
	qsort(v, n, sizeof(*v), cal_cmp_double);
	q[0] = stats_quantile(v, n, 0.5);
	q[1] = stats_quantile(v, n, 0.9);
	q[2] = n ? v[n - 1] : NAN;
}

/* "12.3%", "-" */
static const char *cal_pct(double v, char *buf, size_t len)
{
	if (isnan(v))
		return "-";
	snprintf(buf, len, v < 10 ? "%.1f%%" : "%.0f%%", 100 * v);
	return buf;
}

/*
 * The judged time cases: each one's spread and mde per boots a side,
 * as their median, p90 and max (@q[field][quantile]), and per boots a
 * side how many have an mde of at most c->target (@hit); @worst is the
 * case with the largest boot sd.  Returns how many cases there are.
 */
static size_t cal_summary(const struct cal *c, const struct calib_row *rows,
			  double q[CALIB_NBOOTS + 1][3], size_t hit[CALIB_NBOOTS],
			  const struct calib_row **worst)
{
	double *v = malloc((c->set.ncases + 1) * sizeof(*v));
	size_t n = 0;

	*worst = NULL;
	for (size_t f = 0; f <= CALIB_NBOOTS; f++) {
		n = 0;
		for (size_t i = 0; v && i < c->set.ncases; i++) {
			const struct calib_row *r = &rows[i];

			if (!c->cases[i].judged || !cal_is_time(r->k) || isnan(r->boot_sd))
				continue;
			v[n++] = f ? r->mde[f - 1] : r->boot_sd;
			if (f)
				hit[f - 1] += r->mde[f - 1] <= c->target;
			if (!f && (!*worst || r->boot_sd > (*worst)->boot_sd))
				*worst = r;
		}
		cal_quantiles(v, n, q[f]);
	}
	free(v);
	return n;
}

static void cal_report(const struct cal *c, const struct calib_row *rows, FILE *out)
{
	const struct calib_row *worst;
	double q[CALIB_NBOOTS + 1][3];
	char a[32], b[32], d[32], name[CASE_NAME_LEN], kern[256];
	size_t hit[CALIB_NBOOTS] = { 0 };
	size_t ntime = cal_summary(c, rows, q, hit, &worst), boots = 0;

	for (size_t s = 0; s < c->set.nsides; s++)
		boots += c->set.sides[s].nruns;
	fprintf(out, "vfio-perf calibration: %s, %zu boots of %zu kernel(s), threshold %g%%, %zu judged cases a comparison\n",
		c->set.sides[0].runs[0].accel, boots, c->set.nsides, 100 * c->o.threshold, c->family);
	for (size_t s = 0; s < c->set.nsides; s++)
		fprintf(out, "  %s (%s): %zu boots, %s\n", c->labels[s],
			samples_side_kernels(&c->set.sides[s], kern, sizeof(kern)),
			c->set.sides[s].nruns, c->set.sides[s].arg);
	fprintf(out, "\nA/A: boots of one kernel split into two sides of k, compared as vfio-perf-compare does; a change called is a false verdict. Power: the new side's samples times %g.\n\n",
		c->scale);
	fprintf(out, "%-24s %6s %11s %7s %6s %9s   %-s\n", "kernel", "boots", "comparisons",
		"judged", "false", "unstable", "power: time cases regressed");
	for (size_t i = 0; i < c->nks; i++) {
		const struct cal_k *k = &c->ks[i];
		char kk[16];

		snprintf(kk, sizeof(kk), "%zu+%zu", k->k, k->k);
		fprintf(out, "%-24s %6s %11zu %7zu %6zu %9zu   %zu of %zu (%s)\n",
			c->labels[k->side], kk, k->comparisons, k->judged, k->false_verdicts,
			k->unstable, k->scaled_regressed, k->time_judged,
			cal_pct(k->time_judged ? (double)k->scaled_regressed / (double)k->time_judged : NAN,
				a, sizeof(a)));
	}
	fprintf(out, "\nSpread between boots (sd of ln boot median) of the %zu judged time cases: median %s, p90 %s, max %s (%s)\n",
		ntime, cal_pct(q[0][0], a, sizeof(a)), cal_pct(q[0][1], b, sizeof(b)),
		cal_pct(q[0][2], d, sizeof(d)), worst ? case_name(worst->k, name, sizeof(name)) : "-");
	fprintf(out, "\nMinimum detectable effect (the change called 4 times in 5) of the judged time cases, by boots a side:\n\n%-8s", "boots");
	for (size_t i = 0; i < CALIB_NBOOTS; i++)
		fprintf(out, " %8u", calib_boots[i]);
	for (size_t j = 0; j < 3; j++) {
		fprintf(out, "\n%-8s", (const char *[]){ "median", "p90", "max" }[j]);
		for (size_t i = 0; i < CALIB_NBOOTS; i++)
			fprintf(out, " %8s", cal_pct(q[i + 1][j], a, sizeof(a)));
	}
	snprintf(b, sizeof(b), "<=%g%%", 100 * c->target);
	fprintf(out, "\n%-8s", b);
	for (size_t i = 0; i < CALIB_NBOOTS; i++) {
		snprintf(a, sizeof(a), "%zu/%zu", hit[i], ntime);
		fprintf(out, " %8s", a);
	}
	fprintf(out, "\n(<=%g%%: cases whose mde is at most %g%%; the mde of k boots a side uses this calibration's spread, with as many degrees of freedom as the case has boots less kernels: %zu for a case of every boot)",
		100 * c->target, 100 * c->target, boots - c->set.nsides);
	fprintf(out, "\n\nPer case (boot sd: sd of ln boot median; within: sd of ln sample in a boot; mde@k: k boots a side; false: A/A comparisons that called it):\n\n");
	fprintf(out, "%8s %8s", "boot sd", "within");
	for (size_t i = 0; i < CALIB_NBOOTS; i++)
		fprintf(out, "  mde@%-3u", calib_boots[i]);
	fprintf(out, " %7s  %s\n", "false", "case");
	for (size_t i = 0; i < c->set.ncases; i++) {
		const struct calib_row *r = &rows[i];
		char f[32];

		if (!c->cases[i].judged)
			continue;
		fprintf(out, "%8s %8s", cal_pct(r->boot_sd, a, sizeof(a)),
			cal_pct(r->within_sd, b, sizeof(b)));
		for (size_t j = 0; j < CALIB_NBOOTS; j++)
			fprintf(out, " %8s", cal_pct(r->mde[j], a, sizeof(a)));
		snprintf(f, sizeof(f), "%zu/%zu", r->aa_false, r->aa_comparisons);
		fprintf(out, " %7s  %s\n", f, case_name(r->k, name, sizeof(name)));
	}
}

static const char *const aa_cols[] = {
	"side", "label", "k", "comparisons", "judged", "false_verdicts",
	"unstable", "time_judged", "scaled_regressed", "scale",
};

static int cal_write_aa(const struct cal *c, const char *path)
{
	struct csv_writer w;
	int ret = csv_open(&w, path, aa_cols, ARRAY_SIZE(aa_cols));

	for (size_t i = 0; i < c->nks && !ret; i++) {
		const struct cal_k *k = &c->ks[i];

		csv_put_u64(&w, k->side);
		csv_put_str(&w, c->labels[k->side]);
		csv_put_u64(&w, k->k);
		csv_put_u64(&w, k->comparisons);
		csv_put_u64(&w, k->judged);
		csv_put_u64(&w, k->false_verdicts);
		csv_put_u64(&w, k->unstable);
		csv_put_u64(&w, k->time_judged);
		csv_put_u64(&w, k->scaled_regressed);
		csv_put_double(&w, c->scale);
		ret = csv_end_row(&w);
	}
	return ret ? (csv_abort(&w), ret) : csv_commit(&w);
}

static const char *const mde_cols[] = {
	"boots", "cases", "mde_median", "mde_p90", "mde_max", "target",
	"cases_within_target",
};

static int cal_write_mde(const struct cal *c, const struct calib_row *rows,
			 const char *path)
{
	const struct calib_row *worst;
	double q[CALIB_NBOOTS + 1][3];
	size_t hit[CALIB_NBOOTS] = { 0 };
	size_t n = cal_summary(c, rows, q, hit, &worst);
	struct csv_writer w;
	int ret = csv_open(&w, path, mde_cols, ARRAY_SIZE(mde_cols));

	for (size_t i = 0; i < CALIB_NBOOTS && !ret; i++) {
		csv_put_u64(&w, calib_boots[i]);
		csv_put_u64(&w, n);
		for (size_t j = 0; j < 3; j++)
			csv_put_double(&w, q[i + 1][j]);
		csv_put_double(&w, c->target);
		csv_put_u64(&w, hit[i]);
		ret = csv_end_row(&w);
	}
	return ret ? (csv_abort(&w), ret) : csv_commit(&w);
}

/* @sep and @s at the end of the string @buf, as much as fits. */
static void cal_append(char *buf, size_t len, const char *sep, const char *s)
{
	size_t off = strlen(buf);

	snprintf(buf + off, len - off, "%s%s", sep, s);
}

int main(int argc, char **argv)
{
	enum { O_CSV = 256, O_SPLITS, O_AA, O_MDE, O_THRESHOLD, O_SCALE, O_MAX,
	       O_METRIC, O_BENCH, O_TARGET };
	static const struct option lo[] = {
		{ "csv", required_argument, NULL, O_CSV },
		{ "splits-csv", required_argument, NULL, O_SPLITS },
		{ "aa-csv", required_argument, NULL, O_AA },
		{ "mde-csv", required_argument, NULL, O_MDE },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "scale", required_argument, NULL, O_SCALE },
		{ "target", required_argument, NULL, O_TARGET },
		{ "max-splits", required_argument, NULL, O_MAX },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "bench", required_argument, NULL, O_BENCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cal c = { .o = COMPARE_OPTS_INIT, .scale = 1.03, .target = 0.05,
			 .max_splits = 100 };
	const char *csv = NULL, *splits = NULL, *aa = NULL, *mde = NULL;
	struct samples_opts so = { .notes = stderr };
	struct calib_row *rows;
	size_t nks = 0, false_total = 0, boots = 0;
	struct calib_meta meta;
	char buf[256], kern[512], label[512], *end;
	regex_t metric_re;
	int opt, ret;

	log_prog = "vfio-perf-calibrate";
	while ((opt = cli_getopt(argc, argv, "h", lo)) != -1) {
		switch (opt) {
		case O_CSV: csv = optarg; break;
		case O_SPLITS: splits = optarg; break;
		case O_AA: aa = optarg; break;
		case O_MDE: mde = optarg; break;
		case O_THRESHOLD: c.o.threshold = tools_threshold(optarg); break;
		case O_SCALE:
			c.scale = strtod(optarg, &end);
			if (end == optarg || *end || !(c.scale > 1) || c.scale > 100)
				die_usage("--scale wants a factor above 1 (1.03), not '%s'", optarg);
			break;
		case O_TARGET:
			c.target = strtod(optarg, &end) / 100;
			if (end == optarg || *end || !(c.target > 0) || c.target >= 10)
				die_usage("--target wants a percentage above 0, not '%s'", optarg);
			break;
		case O_MAX:
			c.max_splits = cli_uint("--max-splits", optarg, 1, 100000);
			break;
		case O_METRIC: tools_metric(&so, &metric_re, optarg); break;
		case O_BENCH: so.bench = optarg; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		}
	}
	if (optind == argc)
		die_usage("want one SIDE or more: the boots of one kernel (see --help)");
	tools_check_new(csv);
	tools_check_new(splits);
	tools_check_new(aa);
	tools_check_new(mde);

	for (int i = optind; i < argc; i++) {
		const struct samples_side *sd;

		snprintf(buf, sizeof(buf), "kernel%d", i - optind + 1);
		check(samples_read_side(&c.set, buf, argv[i], &so), &c.set);
		sd = &c.set.sides[c.set.nsides - 1];
		if (sd->nruns < 2 || sd->nruns > SPLIT_MAX_BOOTS)
			die_refused("%s: %zu boot(s); a calibration takes 2 to %d boots of a kernel (4 or more for splits of 2 + 2)",
				    argv[i], sd->nruns, SPLIT_MAX_BOOTS);
		if (!sd->nobs)
			die_refused("%s: no samples%s", argv[i], so.bench || so.metric ?
				    " match --bench/--metric" : "");
		boots += sd->nruns;
		for (size_t k = 1; 2 * k <= sd->nruns; k++)
			nks++;
	}
	check(samples_check_sides(&c.set, &so), &c.set);
	c.labels = calloc(c.set.nsides, sizeof(*c.labels));
	c.cases = calloc(c.set.ncases, sizeof(*c.cases));
	c.ks = calloc(nks, sizeof(*c.ks));
	rows = calloc(c.set.ncases + 1, sizeof(*rows));
	if (!c.labels || !c.cases || !c.ks || !rows)
		die_refused("out of memory");
	for (size_t s = 0; s < c.set.nsides; s++)
		check(samples_side_label(&c.set, &c.set.sides[s], c.labels[s],
					 sizeof(c.labels[s])), &c.set);

	if (splits) {
		ret = csv_open(&c.splits, splits, splits_cols, ARRAY_SIZE(splits_cols));
		tools_written(ret, splits);
		c.with_splits = true;
	}
	ret = cal_spreads(&c);
	ret = ret ? ret : cal_splits(&c);
	if (ret)
		die_refused("statistics failed: %s", strerror(-ret));
	if (splits)
		tools_written(csv_commit(&c.splits), splits);
	for (size_t i = 0; i < c.set.ncases; i++)
		cal_row_of(&c, i, &rows[i]);
	for (size_t i = 0; i < c.nks; i++)
		false_total += c.ks[i].false_verdicts;

	/* Kernels pooled: "6.12.117-1~deb12u1 + 7.2.13-1". */
	label[0] = kern[0] = '\0';
	for (size_t s = 0; s < c.set.nsides; s++) {
		char one[256];

		cal_append(label, sizeof(label), s ? " + " : "", c.labels[s]);
		cal_append(kern, sizeof(kern), s ? " + " : "",
			   samples_side_kernels(&c.set.sides[s], one, sizeof(one)));
	}
	meta = (struct calib_meta){
		.accel = c.set.sides[0].runs[0].accel,
		.label = label,
		.kernel = kern,
		.boots = boots,
		.family = c.family,
		.threshold = c.o.threshold,
		.scale = c.scale,
	};
	if (csv)
		tools_written(calib_write_csv(csv, &meta, rows, c.set.ncases), csv);
	if (aa)
		tools_written(cal_write_aa(&c, aa), aa);
	if (mde)
		tools_written(cal_write_mde(&c, rows, mde), mde);
	cal_report(&c, rows, stdout);
	if (false_total)
		log_msg("%zu false verdict(s): A/A comparisons of one kernel called a change (the per-case column 'false')",
			false_total);

	free(rows);
	free(c.ks);
	free(c.cases);
	free(c.labels);
	samples_free(&c.set);
	if (so.metric)
		regfree(&metric_re);
	return false_total ? EXIT_FAIL : EXIT_OK;
}
