/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The statistics of sides read by samples.c, as one long table: a row
 * per side and case with the side's median, p5, p95, min, max and the
 * hierarchical bootstrap CI of its median, and for every side but the
 * first its ratio to a reference side (the first, or the previous) with
 * CI, p-values and verdict (compare.h).  vfio-perf-compare prints it as
 * LKP-style tables and writes it as CSV; vfio-perf-summary is the case
 * of one side; the report draws from the CSV as it is.  The columns are
 * in docs/results.md, "The comparison table".
 */
#ifndef VFIO_PERF_TABLE_H
#define VFIO_PERF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "calib.h"
#include "compare.h"
#include "samples.h"

#define TABLE_NVERDICTS (COMPARE_INFO + 1)

enum table_against {
	TABLE_AGAINST_FIRST,	/* every side against the first */
	TABLE_AGAINST_PREVIOUS,	/* each side against the one before it */
};

struct table_row {
	size_t side, kase;
	struct compare_stats st;	/* this side's figures, with the CI */
	bool verified;		/* every sample of the row's sides verified */
	bool has_ref;		/* side > 0: r holds the ratio to ref */
	struct compare_result r;
};

struct table {
	const struct samples_set *set;
	enum table_against against;
	struct compare_opts o;
	const struct calib *cal;	/* boot-to-boot spreads, or NULL */
	char (*labels)[128];	/* per side */
	struct table_row *rows;
	size_t nrows;
	size_t tally[TABLE_NVERDICTS];
	size_t incomplete;	/* cases of a reference missing on its side */
};

/* The side side @s is compared against; @s itself for the first. */
size_t table_ref(const struct table *t, size_t s);

/*
 * Build the table of @set, whose sides have been read and checked.
 * @labels: one per side (NULL entries: samples_side_label()).  @cal:
 * a calibration of the sides' accel mode, or NULL.  With one boot on a
 * side and no calibration of a case, o->one_boot_floor is the mode's
 * (compare_one_boot_floor()).  Returns 0, or -EINVAL / -ENOMEM with a
 * reason in set->err.
 */
int table_build(struct table *t, struct samples_set *set,
		const char *const *labels, enum table_against against,
		const struct compare_opts *o, const struct calib *cal);

/* Room for one side's samples of one case, boot by boot. */
struct table_scratch {
	double *values;
	const double **views;
	size_t *counts;
};

int table_scratch_init(struct table_scratch *s, const struct samples_side *sd);
void table_scratch_free(struct table_scratch *s);

/*
 * The samples of case @c on side @sd, boot by boot, as compare.h wants
 * them, in @cs (pointing into @s); NULL when the side has none.
 * *verified is cleared when a sample was not verified.
 */
const struct compare_side *table_side_case(const struct samples_side *sd,
					   size_t c, struct table_scratch *s,
					   bool *verified,
					   struct compare_side *cs);

/* The sides: label, kernel release, runs, boots, samples, accel, source. */
void table_print_sides(const struct table *t, FILE *out);

/*
 * One LKP-style table per side but the first, with a verdict count and
 * notes on what the verdicts cannot know (one boot on a side, where
 * the boot-to-boot spread comes from).
 */
void table_print_verdicts(const struct table *t, FILE *out);

/* Per case of the first side, its timed phases: median, p5, p95, GiB/s. */
void table_print_summary(const struct table *t, FILE *out);

/*
 * The long table into @path (a new file: never over an existing one),
 * or the sides with @sides.  0 or -errno (-EEXIST: @path exists).
 */
int table_write_csv(const struct table *t, const char *path);
int table_write_sides_csv(const struct table *t, const char *path);

void table_free(struct table *t);

#endif
