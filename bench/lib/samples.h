/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of run directories (docs/results.md): meta.csv,
 * cases.csv and samples.csv of every run of every side, validated as
 * they are read.  vfio-perf-compare, vfio-perf-summary and through them
 * the report read results only through here.
 *
 * A run is refused, with one line naming the file, the line and the
 * reason, when anything in it is not what the schema says: a header
 * that is not exactly the schema's, a short or long row, a value that is
 * not a finite number of its unit's domain, a case or metric outside the
 * vocabularies, a sample row twice, a case whose samples do not add up
 * to the reps cases.csv promises, a status other than ok (unless
 * allowed).  Either every row of a run is read or the run is refused:
 * nothing is skipped quietly.
 */
#ifndef VFIO_PERF_SAMPLES_H
#define VFIO_PERF_SAMPLES_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "case.h"

struct samples_opts {
	bool allow_failed;	/* read runs whose status is not ok */
	bool allow_same_run;	/* one run in two sides: a check of the tool on identical data */
	const char *bench;	/* keep only this bench, or NULL */
	const regex_t *metric;	/* keep only metrics it matches, or NULL */
	FILE *notes;		/* warnings and notes, one line each; or NULL */
};

/* One run directory: one boot of one kernel. */
struct samples_run {
	char *dir;
	char *run_id;
	unsigned long boot;
	char *kernel;		/* release, as uname -r in the guest */
	char *kernel_spec;	/* what was asked for: 6.12, sid, build:NAME */
	char *kernel_source;	/* kind=debian;suite=...;version=... or kind=build;... */
	char *accel;
	char *status;		/* ok, failed (...), ...; "" when meta.csv has none */
	char *commit;		/* vfio_perf_commit, or "" */
	char *bench_suite;	/* the suite file's name, or "" */
	char *bench_suite_sha256;
	char *config_sha256;	/* kernel_config_sha256: of the kernel's .config, or "" */
	bool incomplete;	/* its directory is named *.incomplete */
	size_t nsamples;	/* rows of its samples.csv */
};

/* One sample that passed the filters. */
struct samples_obs {
	size_t kase;		/* index into samples_set.cases */
	size_t run;		/* index into the side's runs (one boot each) */
	double value;
	bool verified;
};

struct samples_side {
	char name[16];		/* base, new, new2, ...: set by the caller */
	const char *arg;	/* as given */
	struct samples_run *runs;
	size_t nruns, runs_cap;
	struct samples_obs *obs;
	size_t nobs, obs_cap;
	size_t nbad;		/* runs whose status is not ok */
};

struct samples_set {
	struct case_key *cases;	/* every case of every side, first seen first */
	size_t ncases, cases_cap, last;
	struct samples_side *sides;
	size_t nsides;
	char err[1024];		/* after a failure: the one line that says why */
};

/*
 * Read side @arg: a run directory, a directory of run directories (a
 * "failed-attempts" subdirectory is skipped with a note), or a
 * comma-separated list of run directories.  Appends the side to @set
 * under @name.  Returns 0, or -EINVAL / -ENOMEM / -errno with set->err.
 */
int samples_read_side(struct samples_set *set, const char *name,
		      const char *arg, const struct samples_opts *o);

/*
 * Read one run from open streams, named as if they were @dir's files:
 * the reader under samples_read_side(), for tests.  @sd must be one of
 * set->sides.
 */
int samples_read_run_streams(struct samples_set *set, struct samples_side *sd,
			     const char *dir, FILE *meta, FILE *cases,
			     FILE *samples, const struct samples_opts *o);

/*
 * What holds across sides: no run in two sides (or twice in one), one
 * accel mode for all.  Warns on @o->notes about a side that pools runs
 * of several vfio-perf commits or suite files.  Returns 0 or -EINVAL
 * with set->err.
 */
int samples_check_sides(struct samples_set *set, const struct samples_opts *o);

/*
 * The name people know side @sd's kernel by: the build name
 * (kernel_spec build:NAME), else the Debian package version
 * (kernel_source version=...), else the kernel release.  -EINVAL with
 * set->err when the runs disagree.
 */
int samples_side_label(struct samples_set *set, const struct samples_side *sd,
		       char *buf, size_t len);

/* "a, b" of the distinct kernel releases of @sd, in @buf. */
const char *samples_side_kernels(const struct samples_side *sd, char *buf,
				 size_t len);

void samples_free(struct samples_set *set);

#endif
