/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark's result directory: samples.csv (one row per sample, long
 * format, docs/results.md), cases.csv (one row per case: ran,
 * skipped or failed, and why) and meta.csv. All three are written to
 * temporary files and renamed into place at the end, so an interrupted
 * run never leaves a result that looks complete.
 */
#ifndef VFIO_PERF_RESULTS_H
#define VFIO_PERF_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "meta.h"

struct results_opts {
	const char *dir;
	const char *run_id;	/* NULL: <UTC time>-<kernel release> */
	const char *target;	/* qemu, host */
	const char *accel;	/* kvm, tcg, icount, none */
	unsigned int boot;
	const char *device;
	const char *cpu;
	const char *node;
};

/* The case fields: what identifies one case across runs and kernels. */
struct results_case {
	const char *bench;
	const char *backing;
	const char *level;
	const char *iface;
	uint64_t size;
	uint64_t chunk;		/* 0: whole */
	uint64_t unmap_chunk;	/* 0: whole */
	const char *populate;	/* dma: write, read, none; NULL: "" */
};

enum case_status { CASE_OK, CASE_SKIP, CASE_FAIL, CASE_UNVERIFIED };

/*
 * --cases: print to @f the name of @c with each judged metric of the
 * schema ("dma/anon-4k-frag/type1v2/256M/map", one a line), whether or
 * not this case records it: what a bisection matches its case against
 * to keep only the suite steps it needs (harness/suite-cut.sh).
 * Returns 0, or -EINVAL (a field the schema refuses).
 */
int results_case_names(FILE *f, const struct results_case *c);

/* The header of cases.csv (docs/results.md). */
#define RESULTS_NCASE_COLS 12
extern const char *const results_case_cols[RESULTS_NCASE_COLS];

struct results {
	struct results_opts o;
	char run_id[160];
	char kernel[128];
	char meta_path[4096];
	struct meta *meta;
	struct csv_writer samples;
	struct csv_writer cases;
};

/* Create the directory and open the writers; fails if results exist. */
int results_open(struct results *r, const struct results_opts *o,
		 struct meta *m, char *why, size_t whylen);
void results_sample(struct results *r, const struct results_case *c,
		    const char *metric, unsigned int rep, double value,
		    const char *unit, bool verified);
void results_case_done(struct results *r, const struct results_case *c,
		       enum case_status st, unsigned int reps, const char *reason);
/* One summary line on stderr: median, p5, p95 and, for sizes, GiB/s. */
void results_report(const struct results_case *c, const char *metric,
		    const double *ns, size_t n);
int results_commit(struct results *r, char *why, size_t whylen);

const char *case_status_name(enum case_status st);

#endif
