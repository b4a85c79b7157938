// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-compare: is NEW faster or slower than BASE, by how much, and
 * how sure are we?
 *
 * Reads the sides through samples.c (every run validated: see
 * docs/results.md), builds the long table of table.c and prints one
 * LKP-style table per NEW side with a verdict per case (compare.h).  The
 * exit code answers `git bisect run`: 0 no regression, 1 a regression,
 * 2 the comparison itself could not be made as asked.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calib.h"
#include "cli.h"
#include "confdiff.h"
#include "log.h"
#include "samples.h"
#include "table.h"
#include "tools.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-compare [options] BASE NEW [NEW...]\n"
"\n"
"Compare the cases of NEW against BASE: ratio of medians with a\n"
"hierarchical bootstrap 95%% CI (boots, then samples), Mann-Whitney U\n"
"p-value with Holm correction, a boot-level floor (the spread between\n"
"boots: from the sides' own boots, a --calibration, or with one boot a\n"
"side the accel mode's floor: 10%% icount, none for wall-clock modes),\n"
"and a verdict per case: improved, regressed, ~ (no significant change),\n"
"unstable (the data cannot tell), missing, info (verification figures,\n"
"never judged); mde: the smallest change called 4 times in 5.\n"
"\n"
"When two sides' kernel configs differ, the options they differ in are\n"
"listed before the verdicts (memory model, preemption, debug,\n"
"mitigations, IOMMU/VFIO first), from each run's config.gz or the config\n"
"of that sha256 in $VFIO_PERF_CACHE/kernels or kbuild.\n"
"\n"
"Each side is a run directory, a directory of run directories (a\n"
"failed-attempts subdirectory is skipped), or a comma-separated list of\n"
"run directories. Every run is validated as it is read (docs/results.md);\n"
"a run whose status is not ok is refused. All sides share one accel mode.\n"
"\n"
"  --threshold PCT    smallest change that counts (default 2)\n"
"  --against WHICH    compare each NEW with the \"first\" side (default) or\n"
"                     the \"previous\" one (a timeline)\n"
"  --csv FILE         write the long table as CSV (never overwriting)\n"
"  --sides-csv FILE   write the sides as CSV (never overwriting)\n"
"  --config-diff FILE write every kernel config option a side and its\n"
"                     reference differ in as CSV (never overwriting)\n"
"  --label NAME       name of the next side (repeat: BASE, NEW, ...);\n"
"                     default: the build name, the Debian version or the\n"
"                     kernel release of the side's runs\n"
"  --calibration DIR  boot-to-boot spreads per case from a calibration of\n"
"                     the sides' accel mode (harness/calibrate.sh): floors\n"
"                     and mde from it, needed to call a change from one\n"
"                     boot a side\n"
"  --metric REGEX     only metrics matching REGEX (extended)\n"
"  --bench NAME       only this bench (dma, mmio)\n"
"  --allow-failed     read runs whose status is not ok (said on stderr)\n"
"  --allow-same-run   let one run stand in two sides: a check of the tool,\n"
"                     identical data must give no change\n"
"  -h, --help         this text\n"
"\n"
"Exit: 0 no regression, 1 a case regressed, 2 incomplete data (a case of\n"
"BASE missing from NEW), a refused input (one line: file, line, reason)\n"
"or bad usage.\n"
"\n"
"Example (stock 6.12 against sid's 7.2, the committed icount campaign):\n"
"  build/release/vfio-perf-compare results/campaign-20261122T062325Z/6.12 results/campaign-20261122T062325Z/sid\n");
}

/* Every failure exits 2, never 1: that would read as a regression. */
static void check(int ret, const struct samples_set *set)
{
	if (ret)
		die_refused("%s", set->err);
}

static void write_csv(int (*fn)(const struct table *, const char *),
		      const struct table *t, const char *path)
{
	if (path)
		tools_written(fn(t, path), path);
}

int main(int argc, char **argv)
{
	enum { O_THRESHOLD = 256, O_CSV, O_SIDES_CSV, O_LABEL, O_METRIC,
	       O_BENCH, O_ALLOW_FAILED, O_AGAINST, O_CALIBRATION, O_ALLOW_SAME,
	       O_CONFIG_DIFF };
	static const struct option lo[] = {
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "against", required_argument, NULL, O_AGAINST },
		{ "csv", required_argument, NULL, O_CSV },
		{ "sides-csv", required_argument, NULL, O_SIDES_CSV },
		{ "config-diff", required_argument, NULL, O_CONFIG_DIFF },
		{ "label", required_argument, NULL, O_LABEL },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "bench", required_argument, NULL, O_BENCH },
		{ "allow-failed", no_argument, NULL, O_ALLOW_FAILED },
		{ "allow-same-run", no_argument, NULL, O_ALLOW_SAME },
		{ "calibration", required_argument, NULL, O_CALIBRATION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts co = COMPARE_OPTS_INIT;
	struct samples_opts so = { .notes = stderr };
	enum table_against against = TABLE_AGAINST_FIRST;
	const char *csv_path = NULL, *sides_path = NULL, *cal_path = NULL, **labels;
	const char *confdiff_path = NULL;
	struct confdiff cd = { 0 };
	struct calib cal = { 0 };
	struct samples_set set = { 0 };
	size_t nlabels = 0, nsides;
	struct table t;
	regex_t metric_re;
	int c, ret;

	log_prog = "vfio-perf-compare";
	labels = calloc((size_t)argc, sizeof(*labels));
	if (!labels)
		die_refused("out of memory");
	while ((c = cli_getopt(argc, argv, "h", lo)) != -1) {
		switch (c) {
		case O_THRESHOLD: co.threshold = tools_threshold(optarg); break;
		case O_AGAINST:
			if (strcmp(optarg, "first") && strcmp(optarg, "previous"))
				die_usage("--against wants first or previous, not '%s'", optarg);
			against = strcmp(optarg, "first") ? TABLE_AGAINST_PREVIOUS :
							    TABLE_AGAINST_FIRST;
			break;
		case O_CSV: csv_path = optarg; break;
		case O_SIDES_CSV: sides_path = optarg; break;
		case O_CONFIG_DIFF: confdiff_path = optarg; break;
		case O_LABEL: labels[nlabels++] = optarg; break;
		case O_METRIC: tools_metric(&so, &metric_re, optarg); break;
		case O_BENCH: so.bench = optarg; break;
		case O_ALLOW_FAILED: so.allow_failed = true; break;
		case O_ALLOW_SAME: so.allow_same_run = true; break;
		case O_CALIBRATION: cal_path = optarg; break;
		case 'h':
			free(labels);
			usage(stdout);
			return EXIT_OK;
		}
	}
	if (argc - optind < 2)
		die_usage("want BASE and at least one NEW (see --help)");
	nsides = (size_t)(argc - optind);
	if (nlabels > nsides)
		die_usage("%zu labels for %zu sides", nlabels, nsides);

	tools_check_new(csv_path);
	tools_check_new(sides_path);
	tools_check_new(confdiff_path);
	for (size_t i = 0; i < nsides; i++) {
		char name[16];

		snprintf(name, sizeof(name), i ? nsides == 2 ? "new" : "new%zu" : "base", i);
		check(samples_read_side(&set, name, argv[optind + (int)i], &so), &set);
		if (!set.sides[i].nobs)
			die_refused("%s (%s): no samples%s", name,
			    set.sides[i].arg, so.bench || so.metric ?
			    " match --bench/--metric" : "");
	}
	check(samples_check_sides(&set, &so), &set);
	if (cal_path) {
		if (calib_read(&cal, cal_path, set.err, sizeof(set.err)))
			die_refused("%s", set.err);
		if (strcmp(cal.accel, set.sides[0].runs[0].accel))
			die_refused("%s: a calibration of accel %s; the sides are %s", cal.path,
				    cal.accel, set.sides[0].runs[0].accel);
	}
	check(table_build(&t, &set, labels, against, &co, cal_path ? &cal : NULL), &set);
	check(confdiff_load(&cd, &t, getenv("VFIO_PERF_CACHE"), stderr, set.err,
			    sizeof(set.err)), &set);

	/* Refuse an existing output before any is written. */
	write_csv(table_write_csv, &t, csv_path);
	write_csv(table_write_sides_csv, &t, sides_path);
	if (confdiff_path)
		tools_written(confdiff_write_csv(&cd, &t, confdiff_path), confdiff_path);
	table_print_sides(&t, stdout);
	fputc('\n', stdout);
	confdiff_print(&cd, &t, 12, stdout);
	table_print_verdicts(&t, stdout);
	fflush(stdout);

	ret = t.incomplete ? EXIT_USAGE : t.tally[COMPARE_REGRESSED] ? EXIT_FAIL : EXIT_OK;
	if (t.incomplete)
		log_msg("incomplete: %zu case(s) measured on a reference side cannot be compared (missing)",
			t.incomplete);
	confdiff_free(&cd);
	table_free(&t);
	samples_free(&set);
	calib_free(&cal);
	free(labels);
	if (so.metric)
		regfree(&metric_re);
	return ret;
}
