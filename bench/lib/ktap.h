/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP/TAP output of a kernel selftest (kselftest.h, kselftest_harness.h)
 * and the test list `PROGRAM -l` prints, read into results the harness
 * can judge (README.md, "The selftest gate").
 *
 * What is read:
 *   "TAP version 13" / "KTAP version 1"    ignored
 *   "1..N"                                 the plan (depth 0 only)
 *   "1..0 # SKIP REASON"                   the whole program skipped
 *   "ok N NAME", "not ok N NAME"           a result; after " # " a
 *       directive (SKIP, TODO, XFAIL, XPASS, error; any case) and its
 *       reason, or a diagnostic ("not ok 3 name #  why")
 *   "Bail out! REASON"                     the program gave up
 *   "# Subtest: NAME"                      ignored (the result names it)
 *   lines indented by 4 spaces per level   subtests (KTAP nesting): they
 *       belong to the next result line one level up, and are named
 *       "PARENT/SUB"
 *   anything else (diagnostics, stderr)     ignored
 * A plan that promises more results than came is a crash mid-output:
 * ktap_report.missing says how many.
 */
#ifndef VFIO_PERF_KTAP_H
#define VFIO_PERF_KTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ktap_result {
	KTAP_PASS,
	KTAP_FAIL,
	KTAP_SKIP,
	KTAP_XFAIL,	/* expected to fail, and failed: counts as a pass */
	KTAP_XPASS,	/* expected to fail, and passed: counts as a pass */
	KTAP_ERROR,	/* "not ok N # error": the test could not run */
};

struct ktap_test {
	char *name;	/* "FIXTURE.VARIANT.TEST", or "PARENT/SUB" */
	enum ktap_result result;
	char *reason;	/* the directive's text or the diagnostic; "" */
	char *note;	/* what the test printed outside TAP before its
			 * result (an assertion on stderr): the first and
			 * the last such line, "FIRST; LAST"; "" if none */
	int depth;
};

struct ktap_report {
	long plan;		/* tests planned at depth 0; -1: no plan line */
	bool skip_all;		/* "1..0 # SKIP" */
	char *skip_reason;	/* its reason, or "" */
	bool bailed;		/* "Bail out!" */
	char *bail_reason;
	struct ktap_test *tests;
	size_t ntests;
	size_t top;		/* results at depth 0 */
	size_t missing;		/* planned results that never came */
	char *last_line;	/* the last non-blank line, for a crash's reason */
	char *stray[2];		/* first, last non-TAP line since the last result */
};

/* Read @fp to the end.  Returns 0, or -ENOMEM / -EIO. */
int ktap_parse(FILE *fp, struct ktap_report *r);

/* Whether @res counts as a failure (FAIL, ERROR). */
bool ktap_failed(enum ktap_result res);

/* "pass", "fail", "skip", "xfail", "xpass", "error". */
const char *ktap_result_name(enum ktap_result res);

/* The result named @name in @r (first one), or NULL. */
const struct ktap_test *ktap_find(const struct ktap_report *r,
				  const char *name);

void ktap_free(struct ktap_report *r);

/*
 * The tests of `PROGRAM -l` (kselftest_harness's list: a header line,
 * then per fixture rows of "FIXTURE VARIANT TEST" columns whose variants
 * and tests each run down their own column, blocks separated by dashes).
 * Every test is run once per variant: the names are
 * "FIXTURE.VARIANT.TEST", or "FIXTURE.TEST" for a fixture without
 * variants, in the order the harness runs them.
 */
struct ktap_entry {
	char *name;
	char *variant;		/* "" for a fixture without variants */
};

struct ktap_list {
	struct ktap_entry *e;
	size_t n;
};

/*
 * Read @fp.  Returns 0, -ENOMEM, -EIO, or -EINVAL when it is not such a
 * list (no header line).
 */
int ktap_parse_list(FILE *fp, struct ktap_list *l);
void ktap_list_free(struct ktap_list *l);

#endif
