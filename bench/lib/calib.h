/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A calibration: how far the boots of one kernel scatter, per case, in
 * one accel mode on one setup (docs/results.md, "Calibration").
 * vfio-perf-calibrate measures it from a campaign of a single kernel
 * and writes calibration.csv; vfio-perf-compare --calibration reads it
 * back, so that a comparison of few boots knows the spread its own
 * boots cannot show.
 */
#ifndef VFIO_PERF_CALIB_H
#define VFIO_PERF_CALIB_H

#include <stddef.h>

#include "case.h"
#include "compare.h"

/* Boots per side of the table of floors and minimum detectable effects. */
#define CALIB_NBOOTS 5
extern const unsigned int calib_boots[CALIB_NBOOTS];

/* What holds for the whole calibration. */
struct calib_meta {
	const char *accel;
	const char *label;	/* the kernel's label (build name, Debian version) */
	const char *kernel;	/* its release(s) */
	size_t boots;		/* boots measured, over all sides */
	size_t family;		/* judged cases of one comparison: the Bonferroni family */
	double threshold;
	double scale;		/* the known change of the power check (1.03) */
};

/* One case of a calibration as vfio-perf-calibrate measured it. */
struct calib_row {
	const struct case_key *k;
	enum compare_goal goal;
	size_t n;		/* samples, over all boots */
	size_t boots;		/* boots that measured it */
	double median;
	double within_sd;	/* sd of ln(sample) within a boot, pooled */
	double boot_sd;		/* sd of ln(boot median), pooled over sides */
	double df;		/* degrees of freedom of boot_sd */
	double floor[CALIB_NBOOTS], mde[CALIB_NBOOTS];
	size_t aa_comparisons, aa_false, aa_unstable;
	size_t scaled_comparisons, scaled_regressed;
};

/* @rows into @path (a new file).  0 or -errno (-EEXIST: @path exists). */
int calib_write_csv(const char *path, const struct calib_meta *m,
		    const struct calib_row *rows, size_t n);

/* A calibration as vfio-perf-compare uses it. */
struct calib_entry {
	char name[CASE_NAME_LEN];
	struct compare_spread spread;
};

struct calib {
	char path[4096];	/* the calibration.csv read */
	char accel[16];
	char label[128];
	unsigned long boots;
	struct calib_entry *e;
	size_t n, cap;
};

/*
 * Read @path: a calibration directory or its calibration.csv.  Returns 0, or
 * -EINVAL / -ENOMEM / -errno with one line in @err ("FILE:LINE: reason").
 */
int calib_read(struct calib *c, const char *path, char *err, size_t errlen);

/* The spread of the case named @name, or NULL (none, or not measured). */
const struct compare_spread *calib_find(const struct calib *c, const char *name);

void calib_free(struct calib *c);

#endif
