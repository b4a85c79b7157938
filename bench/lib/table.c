// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "populate.h"
#include "size.h"
#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

size_t table_ref(const struct table *t, size_t s)
{
	if (!s)
		return 0;
	return t->against == TABLE_AGAINST_PREVIOUS ? s - 1 : 0;
}

const struct compare_side *table_side_case(const struct samples_side *sd,
					   size_t c, struct table_scratch *s,
					   bool *verified,
					   struct compare_side *cs)
{
	size_t n = 0, nb = 0;

	for (size_t r = 0; r < sd->nruns; r++) {
		size_t first = n;

		for (size_t i = 0; i < sd->nobs; i++) {
			if (sd->obs[i].kase != c || sd->obs[i].run != r)
				continue;
			s->values[n++] = sd->obs[i].value;
			*verified &= sd->obs[i].verified;
		}
		if (n == first)
			continue;
		s->views[nb] = &s->values[first];
		s->counts[nb++] = n - first;
	}
	if (!n)
		return NULL;
	*cs = (struct compare_side){ nb, s->views, s->counts };
	return cs;
}

int table_scratch_init(struct table_scratch *s, const struct samples_side *sd)
{
	s->values = malloc((sd->nobs ? sd->nobs : 1) * sizeof(*s->values));
	s->views = malloc((sd->nruns ? sd->nruns : 1) * sizeof(*s->views));
	s->counts = malloc((sd->nruns ? sd->nruns : 1) * sizeof(*s->counts));
	return s->values && s->views && s->counts ? 0 : -ENOMEM;
}

void table_scratch_free(struct table_scratch *s)
{
	free(s->values);
	free(s->views);
	free(s->counts);
}

static bool table_side_has(const struct samples_side *sd, size_t c)
{
	for (size_t i = 0; i < sd->nobs; i++)
		if (sd->obs[i].kase == c)
			return true;
	return false;
}

/*
 * The range of @sd's samples of case @c into @lo, @hi; false if it has
 * none.
 */
static bool table_side_range(const struct samples_side *sd, size_t c,
			     double *lo, double *hi)
{
	bool any = false;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < sd->nobs; i++) {
		if (sd->obs[i].kase != c)
			continue;
		*lo = fmin(*lo, sd->obs[i].value);
		*hi = fmax(*hi, sd->obs[i].value);
		any = true;
	}
	return any;
}

/*
 * fault-ns is the time of one fault, and one fault does the work of the
 * entry it inserts: 4 KiB for a PTE, 1 GiB for a PUD.  Where the two
 * sides' level-obtained of the case differ, fault-ns compares different
 * events: it is shown, not judged (docs/results.md, "Verdicts").  Sides
 * without level-obtained cannot tell, and are judged.
 */
static bool table_levels_differ(const struct samples_set *set,
				const struct samples_side *a,
				const struct samples_side *b, size_t c)
{
	struct case_key want = set->cases[c];
	double alo, ahi, blo, bhi;

	if (strcmp(want.metric, "fault-ns"))
		return false;
	snprintf(want.metric, sizeof(want.metric), "level-obtained");
	snprintf(want.unit, sizeof(want.unit), "bytes");
	for (size_t i = 0; i < set->ncases; i++) {
		if (case_cmp(&set->cases[i], &want, CASE_NFIELDS))
			continue;
		if (!table_side_range(a, i, &alo, &ahi) ||
		    !table_side_range(b, i, &blo, &bhi))
			return false;
		return alo != blo || ahi != bhi;
	}
	return false;
}

/* A judged metric the table does not judge (table_levels_differ()). */
static bool table_level_changed(const struct case_key *k,
				const struct compare_result *r)
{
	return r->goal == COMPARE_INFO_ONLY &&
	       compare_goal_of(k->metric, k->unit) != COMPARE_INFO_ONLY;
}

/* The rows of side @s: its figures, and its ratios to its reference. */
static int table_side_rows(struct table *t, size_t s)
{
	const struct samples_set *set = t->set;
	const struct samples_side *sd = &set->sides[s];
	const struct samples_side *ref = &set->sides[table_ref(t, s)];
	struct table_scratch a = { 0 }, b = { 0 };
	size_t first = t->nrows;
	int ret;

	ret = table_scratch_init(&a, sd);
	ret = ret ? ret : table_scratch_init(&b, ref);
	for (size_t c = 0; c < set->ncases && !ret; c++) {
		const struct case_key *k = &set->cases[c];
		const struct compare_side *cs, *cr = NULL;
		struct compare_side vs, vr;
		struct table_row *w = &t->rows[t->nrows];

		if (!table_side_has(sd, c) && (!s || !table_side_has(ref, c)))
			continue;
		*w = (struct table_row){ .side = s, .kase = c, .verified = true, .has_ref = s > 0 };
		cs = table_side_case(sd, c, &a, &w->verified, &vs);
		ret = compare_summarize(cs, &t->o, &w->st);
		if (!ret && s) {
			char name[CASE_NAME_LEN];

			cr = table_side_case(ref, c, &b, &w->verified, &vr);
			enum compare_goal goal = compare_goal_of(k->metric, k->unit);

			if (table_levels_differ(set, ref, sd, c))
				goal = COMPARE_INFO_ONLY;
			ret = compare_case(cr, cs, goal,
					   calib_find(t->cal, case_name(k, name, sizeof(name))),
					   &t->o, &w->r);
		}
		t->nrows++;
	}
	if (!ret && s) {
		/* One comparison, one family of p-values: judge them together. */
		struct compare_result *res = malloc((t->nrows - first + 1) * sizeof(*res));

		ret = res ? 0 : -ENOMEM;
		for (size_t i = first; i < t->nrows && res; i++)
			res[i - first] = t->rows[i].r;
		ret = ret ? ret : compare_judge(res, t->nrows - first, &t->o);
		for (size_t i = first; i < t->nrows && !ret; i++) {
			struct table_row *w = &t->rows[i];

			w->r = res[i - first];
			t->tally[w->r.verdict]++;
			/*
			 * A case only the new side has is new coverage, not a
			 * gap; a verification figure one kernel cannot give
			 * (no ptdump, a kprobe renamed) is said, not a gap
			 * either: the timed cases are all there.
			 */
			t->incomplete += w->r.verdict == COMPARE_MISSING && w->r.base.n > 0 &&
					 w->r.goal != COMPARE_INFO_ONLY;
		}
		free(res);
	}
	table_scratch_free(&a);
	table_scratch_free(&b);
	return ret;
}

int table_build(struct table *t, struct samples_set *set,
		const char *const *labels, enum table_against against,
		const struct compare_opts *o, const struct calib *cal)
{
	int ret = 0;

	*t = (struct table){ .set = set, .against = against, .o = *o, .cal = cal };
	/* One accel mode for all sides (samples_check_sides()). */
	if (set->nsides && set->sides[0].nruns)
		t->o.one_boot_floor = compare_one_boot_floor(set->sides[0].runs[0].accel);
	t->labels = calloc(set->nsides, sizeof(*t->labels));
	t->rows = malloc((set->nsides * set->ncases + 1) * sizeof(*t->rows));
	if (!t->labels || !t->rows) {
		snprintf(set->err, sizeof(set->err), "out of memory");
		return -ENOMEM;
	}
	for (size_t s = 0; s < set->nsides && !ret; s++) {
		if (labels && labels[s])
			snprintf(t->labels[s], sizeof(t->labels[s]), "%s", labels[s]);
		else
			ret = samples_side_label(set, &set->sides[s], t->labels[s],
						 sizeof(t->labels[s]));
	}
	for (size_t s = 0; s < set->nsides && !ret; s++) {
		ret = table_side_rows(t, s);
		if (ret)
			snprintf(set->err, sizeof(set->err), "statistics failed: %s",
				 strerror(-ret));
	}
	return ret;
}

void table_free(struct table *t)
{
	free(t->labels);
	free(t->rows);
	*t = (struct table){ 0 };
}

/*
 * Throughput in GiB/s of a time spent on all of a case's bytes; NaN if
 * the figure is not such a time.  Metrics named "*-ns*" (load-ns-p99,
 * fault-ns) are per-event latencies: their throughput would be
 * meaningless.
 */
static double table_gibps(const struct case_key *k, double ns)
{
	if (strcmp(k->unit, "ns") || strstr(k->metric, "-ns") || !(ns > 0))
		return NAN;
	return (double)k->size / (double)(1 << 30) / (ns / 1e9);
}

/*
 * A value in the unit a reader thinks in: times from ns to s, rates in
 * binary multiples of B/s, about four significant digits.
 */
static const char *table_value_text(double v, const char *unit, char *buf,
				    size_t len)
{
	static const char *const ns_units[] = { "ns", "us", "ms", "s" };
	static const char *const bps_units[] = {
		"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s",
	};
	const char *const *units = NULL;
	double step = 1000, a;
	size_t nunits = 0, u = 0;

	if (isnan(v))
		return "-";
	if (!strcmp(unit, "ns")) {
		units = ns_units;
		nunits = ARRAY_SIZE(ns_units);
	} else if (!strcmp(unit, "B/s")) {
		units = bps_units;
		nunits = ARRAY_SIZE(bps_units);
		step = 1024;
	}
	if (!units) {
		/* Counts stay whole: 262144 faults, not 2.621e+05. */
		snprintf(buf, len, v == trunc(v) && fabs(v) < 1e15 ? "%.0f" :
			 "%.4g", v);
		return buf;
	}
	for (a = fabs(v); a >= step && u + 1 < nunits; u++, a /= step)
		v /= step;
	snprintf(buf, len, a >= 100 ? "%.1f %s" : a >= 10 ? "%.2f %s" :
		 "%.3f %s", v, units[u]);
	return buf;
}

/*
 * "+20.0%", "-", or for a ratio that cannot be one (a zero base, a zero
 * new rate) "+inf%" / "-100.0%": reported as such, never a crash.
 */
static const char *table_change_text(const struct compare_result *r, char *buf,
				     size_t len)
{
	if (isnan(r->ratio))
		return "-";
	if (isinf(r->ratio))
		return r->ratio > 0 ? "+inf%" : "-inf%";
	snprintf(buf, len, "%+.1f%%", 100 * (r->ratio - 1));
	return buf;
}

/* " ±  0.2%", or blanks; "±" is two bytes but one column, hence no %9s. */
static void table_print_spread(FILE *out, double spread)
{
	if (isnan(spread))
		fprintf(out, "%9s", "");
	else
		fprintf(out, " ±%6.1f%%", spread);
}

/*
 * The smallest change the comparison can call for the case: its minimum
 * detectable effect ("4.1%"), or with one boot on a side and no
 * calibration the mode's floor (">10%") or "none"; "?" when the spread
 * between boots is unknown, "-" for a case not judged.
 */
static const char *table_mde_text(const struct compare_result *r, char *buf,
				  size_t len)
{
	if (!r->judged)
		return "-";
	if (!isnan(r->mde))
		snprintf(buf, len, r->mde < 1 ? "%.1f%%" : "%.0f%%", 100 * r->mde);
	else if (isinf(r->floor))
		return "none";
	else if (r->source == COMPARE_SPREAD_DEFAULT)
		snprintf(buf, len, ">%.0f%%", 100 * r->floor);
	else
		return "?";
	return buf;
}

static void table_print_row(FILE *out, const struct table *t,
			    const struct table_row *w)
{
	const struct case_key *k = &t->set->cases[w->kase];
	char name[CASE_NAME_LEN], buf[32];

	fprintf(out, "%12s", table_value_text(w->r.base.median, k->unit, buf, sizeof(buf)));
	table_print_spread(out, w->r.base.spread);
	fprintf(out, " %9s", table_change_text(&w->r, buf, sizeof(buf)));
	fprintf(out, " %12s", table_value_text(w->r.new.median, k->unit, buf, sizeof(buf)));
	table_print_spread(out, w->r.new.spread);
	fprintf(out, " %7s", table_mde_text(&w->r, buf, sizeof(buf)));
	fprintf(out, "  %-9s  %s%s\n", compare_verdict_name(w->r.verdict),
		case_name(k, name, sizeof(name)), w->verified ? "" : "  UNVERIFIED");
}

/* What the verdicts of one pair rest on, for its notes. */
struct table_basis {
	size_t by_source[COMPARE_SPREAD_DEFAULT + 1];
	double floor_lo, floor_hi;	/* over the calibrated cases */
	double df_lo, df_hi;		/* over the cases judged on their own boots */
	double default_floor;
	size_t info_differ, info_missing;
	size_t unpopulated;	/* map rows of populate-none cases */
	size_t level_changed;	/* table_level_changed() */
};

/* A populate-none case's map row: its map is the whole cost. */
static bool table_unpopulated_map(const struct case_key *k)
{
	return !strcmp(k->populate, populate_names[POPULATE_NONE]) &&
	       !strcmp(k->metric, "map");
}

static void table_note_unpopulated(FILE *out, const char *who, size_t n)
{
	if (n)
		fprintf(out, "note: %s%zu populate-none case(s): nothing touched the buffer before its map, so the map is the whole cost (the pin faults in and zeroes every page: what a VMM without prealloc waits for); they have no populate phase\n",
			who, n);
}

static void table_basis_add(struct table_basis *b, const struct case_key *k,
			    const struct compare_result *r)
{
	b->unpopulated += table_unpopulated_map(k);
	if (table_level_changed(k, r)) {
		b->level_changed++;
		return;
	}
	if (r->verdict == COMPARE_INFO && r->ratio != 1)
		b->info_differ++;
	if (r->verdict == COMPARE_MISSING && r->goal == COMPARE_INFO_ONLY)
		b->info_missing++;
	if (!r->judged)
		return;
	b->by_source[r->source]++;
	if (r->source == COMPARE_SPREAD_DEFAULT)
		b->default_floor = r->floor;
	if (r->source == COMPARE_SPREAD_CALIBRATION) {
		b->floor_lo = fmin(b->floor_lo, r->floor);
		b->floor_hi = fmax(b->floor_hi, r->floor);
	}
	if (r->source == COMPARE_SPREAD_DATA) {
		b->df_lo = fmin(b->df_lo, r->df);
		b->df_hi = fmax(b->df_hi, r->df);
	}
}

/* "2", or "2 to 6" degrees of freedom. */
static const char *table_range(double lo, double hi, char *buf, size_t len)
{
	snprintf(buf, len, lo == hi ? "%g" : "%g to %g", lo, hi);
	return buf;
}

/*
 * Lines beginning "note: " under a pair's table (plot/report.sh shows
 * them in the report): what the verdicts cannot know.
 */
static void table_print_notes(FILE *out, const struct table *t, size_t s,
			      const struct table_basis *b)
{
	const char *accel = t->set->sides[0].runs[0].accel;
	size_t n = b->by_source[COMPARE_SPREAD_DEFAULT];
	char r1[64], pair[72];

	snprintf(pair, sizeof(pair), "%s vs %s", t->set->sides[table_ref(t, s)].name,
		 t->set->sides[s].name);

	if (n && isinf(b->default_floor))
		fprintf(out, "note: %s: one boot on a side (%s, a wall-clock mode): the spread between boots cannot be measured from one boot, and wall-clock boots of one kernel differ far more than samples of one boot: no change can be called (%zu cases); run several boots a side, or pass --calibration (harness/calibrate.sh)\n",
			pair, accel, n);
	else if (n)
		fprintf(out, "note: %s: one boot on a side: the spread between boots cannot be measured from one boot; changes smaller than %.0f%% cannot be called (%zu cases; the %s floor, docs/results.md), and are unstable where they pass the %g%% threshold; pass --calibration (harness/calibrate.sh) for each case's own floor\n",
			pair, 100 * b->default_floor, n, accel, 100 * t->o.threshold);
	if (b->by_source[COMPARE_SPREAD_CALIBRATION])
		fprintf(out, "note: %s: spread between boots of %zu cases from the calibration %s (%lu boots of %s): changes smaller than %s%% cannot be called (per case: the floor column of --csv)\n",
			pair, b->by_source[COMPARE_SPREAD_CALIBRATION], t->cal->path, t->cal->boots,
			t->cal->label, table_range(round(1000 * b->floor_lo) / 10,
						   round(1000 * b->floor_hi) / 10, r1, sizeof(r1)));
	if (b->by_source[COMPARE_SPREAD_DATA])
		fprintf(out, "note: %s: spread between boots of %zu cases from these boots (t with %s degrees of freedom); mde: the change called 4 times in 5 at this number of boots (docs/results.md)\n",
			pair, b->by_source[COMPARE_SPREAD_DATA],
			table_range(b->df_lo, b->df_hi, r1, sizeof(r1)));
	if (b->info_missing)
		fprintf(out, "note: %s: %zu verification figure(s) measured on one side only (a kernel without the page-table dump or a kprobe: see meta.csv): shown as missing, not incomplete\n",
			pair, b->info_missing);
	if (b->info_differ)
		fprintf(out, "note: %s: %zu verification figure(s) differ between the sides (info rows with a change): what the kernel gave differs (mapping level, pages, contiguity)\n",
			pair, b->info_differ);
	if (b->level_changed)
		fprintf(out, "note: %s: %zu fault-ns case(s) shown, not judged: the sides got different mapping levels (level-obtained), so one fault does different work (4 KiB for a PTE, 1 GiB for a PUD); fault-in and the fault counts compare the whole\n",
			pair, b->level_changed);
	strcat(pair, ": ");
	table_note_unpopulated(out, pair, b->unpopulated);
}

void table_print_verdicts(const struct table *t, FILE *out)
{
	const struct samples_set *set = t->set;

	for (size_t s = 1; s < set->nsides; s++) {
		size_t ref = table_ref(t, s), counts[TABLE_NVERDICTS] = { 0 }, n = 0;

		fprintf(out, "\n%s (%s) vs %s (%s), threshold %g%%\n\n",
			set->sides[ref].name, t->labels[ref], set->sides[s].name,
			t->labels[s], 100 * t->o.threshold);
		struct table_basis b = {
			.floor_lo = INFINITY, .floor_hi = -INFINITY,
			.df_lo = INFINITY, .df_hi = -INFINITY,
		};

		fprintf(out, "%12s ±%7s %9s %12s ±%7s %7s  %-9s  %s\n", "base", "%spread",
			"%change", "new", "%spread", "mde", "verdict", "case");
		for (size_t i = 0; i < t->nrows; i++) {
			if (t->rows[i].side != s)
				continue;
			table_print_row(out, t, &t->rows[i]);
			counts[t->rows[i].r.verdict]++;
			table_basis_add(&b, &t->set->cases[t->rows[i].kase], &t->rows[i].r);
			n++;
		}
		fprintf(out, "\n%zu cases:", n);
		for (int v = 0; v < TABLE_NVERDICTS; v++)
			fprintf(out, " %zu %s%s", counts[v],
				compare_verdict_name((enum compare_verdict)v),
				v + 1 < TABLE_NVERDICTS ? "," : "\n");
		table_print_notes(out, t, s, &b);
	}
}

static size_t table_side_boots(const struct samples_side *sd)
{
	size_t n = 0;

	for (size_t r = 0; r < sd->nruns; r++)
		for (size_t i = 0; i < sd->nobs; i++)
			if (sd->obs[i].run == r) {
				n++;
				break;
			}
	return n;
}

void table_print_sides(const struct table *t, FILE *out)
{
	const struct samples_set *set = t->set;
	char kernels[256];

	fprintf(out, "%-5s %-24s %-28s %5s %6s %8s  %-7s %s\n", "side", "label",
		"kernel", "runs", "boots", "samples", "accel", "source");
	for (size_t i = 0; i < set->nsides; i++) {
		const struct samples_side *sd = &set->sides[i];

		fprintf(out, "%-5s %-24s %-28s %5zu %6zu %8zu  %-7s %s\n", sd->name,
			t->labels[i], samples_side_kernels(sd, kernels, sizeof(kernels)),
			sd->nruns, table_side_boots(sd), sd->nobs, sd->runs[0].accel,
			sd->arg);
	}
}

/* "whole", or "2M/64M" for map/unmap chunks. */
static const char *table_chunks(const struct case_key *k, char *buf, size_t len)
{
	char a[SIZE_FMT_LEN], b[SIZE_FMT_LEN];

	if (k->chunk == k->size && k->unmap_chunk == k->size)
		return "whole";
	snprintf(buf, len, "%s/%s", size_format(k->chunk, a, sizeof(a)),
		 size_format(k->unmap_chunk, b, sizeof(b)));
	return buf;
}

void table_print_summary(const struct table *t, FILE *out)
{
	size_t unpopulated = 0;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct table_row *w = &t->rows[i];
		const struct case_key *k = &t->set->cases[w->kase];
		char sz[SIZE_FMT_LEN], ch[64], bw[32];
		double rate = table_gibps(k, w->st.median);

		if (w->side || strcmp(k->unit, "ns"))
			continue;
		unpopulated += table_unpopulated_map(k);
		snprintf(bw, sizeof(bw), isnan(rate) ? "" : "%8.2f GiB/s", rate);
		fprintf(out, "%-4s %-11s %-4s %-14s %6s %-11s %-5s %-14s n=%-3zu median %12.0f ns  p5 %12.0f  p95 %12.0f  %s%s\n",
			k->bench, k->backing, k->level, k->iface,
			size_format(k->size, sz, sizeof(sz)), table_chunks(k, ch, sizeof(ch)),
			k->populate, k->metric, w->st.n, w->st.median, w->st.p5, w->st.p95, bw,
			w->verified ? "" : "  UNVERIFIED");
	}
	table_note_unpopulated(out, "", unpopulated);
}

static const char *const table_cols[] = {
	"side", "side_name", "label", "ref_side", "case", "bench", "backing",
	"level", "iface", "size_bytes", "chunk_bytes", "unmap_chunk_bytes",
	"metric", "unit", "size", "chunk", "unmap_chunk", "goal", "n", "boots",
	"median", "p5", "p95", "min", "max", "ci_lo", "ci_hi", "spread_pct",
	"median_text", "p5_text", "p95_text", "gib_per_s", "gib_per_s_ci_lo",
	"gib_per_s_ci_hi", "gib_per_s_p5", "gib_per_s_p95", "ratio",
	"ratio_ci_lo", "ratio_ci_hi", "change", "p", "p_holm", "p_boot",
	"boot_sd", "boot_df", "spread_source", "floor", "mde", "mde_text",
	"verdict", "verified", "populate",
};

static const char *table_goal_name(enum compare_goal g)
{
	return g == COMPARE_LOWER ? "lower" : g == COMPARE_HIGHER ? "higher" : "info";
}

static void table_put_row(struct csv_writer *w, const struct table *t,
			  const struct table_row *r)
{
	const struct samples_side *sd = &t->set->sides[r->side];
	const struct case_key *k = &t->set->cases[r->kase];
	const struct compare_stats *st = &r->st;
	char buf[CASE_NAME_LEN];

	csv_put_u64(w, r->side);
	csv_put_str(w, sd->name);
	csv_put_str(w, t->labels[r->side]);
	if (r->has_ref)
		csv_put_u64(w, table_ref(t, r->side));
	else
		csv_put_str(w, NULL);
	csv_put_str(w, case_name(k, buf, sizeof(buf)));
	/* populate came later: its column is the last (docs/results.md). */
	for (size_t f = 0; f < CASE_NFIELDS; f++)
		if (f != CASE_POPULATE)
			csv_put_str(w, case_field_text(k, (enum case_field)f, buf, sizeof(buf)));
	csv_put_str(w, size_format(k->size, buf, sizeof(buf)));
	csv_put_str(w, case_size_text(k->chunk, k->size, buf, sizeof(buf)));
	csv_put_str(w, case_size_text(k->unmap_chunk, k->size, buf, sizeof(buf)));
	csv_put_str(w, table_goal_name(r->has_ref ? r->r.goal :
					  compare_goal_of(k->metric, k->unit)));
	csv_put_u64(w, st->n);
	csv_put_u64(w, st->nboots);
	csv_put_double(w, st->median);
	csv_put_double(w, st->p5);
	csv_put_double(w, st->p95);
	csv_put_double(w, st->min);
	csv_put_double(w, st->max);
	csv_put_double(w, st->ci_lo);
	csv_put_double(w, st->ci_hi);
	csv_put_double(w, st->spread);
	csv_put_str(w, table_value_text(st->median, k->unit, buf, sizeof(buf)));
	csv_put_str(w, table_value_text(st->p5, k->unit, buf, sizeof(buf)));
	csv_put_str(w, table_value_text(st->p95, k->unit, buf, sizeof(buf)));
	/* A slower time is a lower rate: the CI's high end is GiB/s's low. */
	csv_put_double(w, table_gibps(k, st->median));
	csv_put_double(w, table_gibps(k, st->ci_hi));
	csv_put_double(w, table_gibps(k, st->ci_lo));
	csv_put_double(w, table_gibps(k, st->p95));
	csv_put_double(w, table_gibps(k, st->p5));
	if (r->has_ref) {
		csv_put_double(w, r->r.ratio);
		csv_put_double(w, r->r.ci_lo);
		csv_put_double(w, r->r.ci_hi);
		csv_put_str(w, table_change_text(&r->r, buf, sizeof(buf)));
		csv_put_double(w, r->r.p);
		csv_put_double(w, r->r.p_holm);
		csv_put_double(w, r->r.p_boot);
		csv_put_double(w, r->r.boot_sd);
		csv_put_double(w, r->r.df);
		csv_put_str(w, compare_spread_source_name(r->r.source));
		csv_put_double(w, r->r.floor);
		csv_put_double(w, r->r.mde);
		csv_put_str(w, table_mde_text(&r->r, buf, sizeof(buf)));
		csv_put_str(w, compare_verdict_name(r->r.verdict));
	} else {
		for (int i = 0; i < 14; i++)
			csv_put_str(w, NULL);
	}
	csv_put_str(w, r->verified ? "yes" : "no");
	csv_put_str(w, k->populate);
	csv_end_row(w);
}

int table_write_csv(const struct table *t, const char *path)
{
	struct csv_writer w;
	int ret = csv_open(&w, path, table_cols, ARRAY_SIZE(table_cols));

	if (ret)
		return ret;
	for (size_t i = 0; i < t->nrows; i++)
		table_put_row(&w, t, &t->rows[i]);
	return csv_commit(&w);
}

static const char *const table_side_cols[] = {
	"side", "side_name", "label", "kernel", "runs", "boots", "samples",
	"accel", "runs_not_ok", "commits", "source",
};

int table_write_sides_csv(const struct table *t, const char *path)
{
	const struct samples_set *set = t->set;
	struct csv_writer w;
	char buf[512];
	int ret = csv_open(&w, path, table_side_cols, ARRAY_SIZE(table_side_cols));

	for (size_t i = 0; i < set->nsides && !ret; i++) {
		const struct samples_side *sd = &set->sides[i];
		size_t off = 0;

		csv_put_u64(&w, i);
		csv_put_str(&w, sd->name);
		csv_put_str(&w, t->labels[i]);
		csv_put_str(&w, samples_side_kernels(sd, buf, sizeof(buf)));
		csv_put_u64(&w, sd->nruns);
		csv_put_u64(&w, table_side_boots(sd));
		csv_put_u64(&w, sd->nobs);
		csv_put_str(&w, sd->runs[0].accel);
		csv_put_u64(&w, sd->nbad);
		buf[0] = '\0';
		for (size_t r = 0; r < sd->nruns && off < sizeof(buf); r++)
			if (!strstr(buf, *sd->runs[r].commit ? sd->runs[r].commit : "unknown"))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
							off ? " " : "",
							*sd->runs[r].commit ? sd->runs[r].commit : "unknown");
		csv_put_str(&w, buf);
		csv_put_str(&w, sd->arg);
		csv_end_row(&w);
	}
	return ret ? ret : csv_commit(&w);
}
