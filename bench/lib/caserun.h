/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A case while it runs: the samples written against it, and what became
 * of it. Each case ends on its own: one that failed or was skipped keeps
 * the first reason it was given, and the others go on. Closing it writes
 * its one row of cases.csv (results.h).
 */
#ifndef VFIO_PERF_CASERUN_H
#define VFIO_PERF_CASERUN_H

#include <stdbool.h>

#include "results.h"

struct case_run {
	struct results_case rc;
	bool on;			/* measured in this run at all */
	enum case_status st;		/* CASE_OK until it fails or is skipped */
	unsigned int bad;		/* samples that failed verification */
	char why[512];
};

/* How the closed cases ended. */
struct case_tally {
	unsigned int ok, fail, skip;	/* fail counts unverified ones too */
};

void case_run_init(struct case_run *c, const struct results_case *rc, bool on);

/* Measured in this run, and nothing went wrong with it so far. */
bool case_run_ok(const struct case_run *c);

/* End the case as CASE_FAIL or CASE_SKIP with @why, unless it has ended. */
void case_run_end(struct case_run *c, enum case_status st, const char *why);

/* A sample of the case; a NaN value (unavailable) is not written. */
void case_run_sample(struct results *r, struct case_run *c, const char *metric,
		     unsigned int rep, double v, const char *unit, bool verified);

/*
 * Write the case's row: as ended, else ok, or unverified (with
 * @unverified as the reason) if a sample was not verified. A case not
 * measured in this run has no row.
 */
void case_run_close(struct results *r, struct case_run *c, unsigned int reps,
		    const char *unverified, struct case_tally *t);

#endif
