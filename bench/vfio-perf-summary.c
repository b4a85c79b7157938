// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-summary: per-case statistics of one side, the one-side case
 * of vfio-perf-compare.
 *
 * Reads the side through samples.c (validated: docs/results.md) and
 * writes the long table of table.c without ratios: median, p5/p95,
 * min/max and the hierarchical bootstrap 95% CI of the median per case,
 * plus throughput for timed phases.  A run's charts are drawn from this,
 * never from raw samples.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "samples.h"
#include "table.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-summary [-o OUT.csv] [-q] [--allow-failed] SIDE\n"
"\n"
"Per-case statistics of SIDE (a run directory, its samples.csv, a\n"
"directory of runs or a comma-separated list of runs): n, median, p5,\n"
"p95, min, max, hierarchical bootstrap 95%% CI of the median, and GiB/s\n"
"for timed phases. Writes OUT.csv (the columns of vfio-perf-compare\n"
"--csv, never overwriting it) and a table of the timed phases on stdout.\n"
"\n"
"  -o, --out FILE     summary CSV to write\n"
"  -q, --quiet        no table on stdout\n"
"  --allow-failed     read runs whose status is not ok (said on stderr)\n"
"  -h, --help         this text\n"
"\n"
"Exit: 0, or 2 for a refused input (one line: file, line, reason) or bad\n"
"usage.\n"
"\n"
"Example (the committed reference run of make bench):\n"
"  build/release/vfio-perf-summary results/20261122T090641Z-6.12.117_deb12-amd64\n");
}

int main(int argc, char **argv)
{
	enum { O_ALLOW_FAILED = 256 };
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "allow-failed", no_argument, NULL, O_ALLOW_FAILED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts co = COMPARE_OPTS_INIT;
	struct samples_opts so = { .notes = stderr };
	struct samples_set set = { 0 };
	const char *out = NULL;
	bool quiet = false;
	struct table t;
	char *side;
	size_t len;
	int c, ret;

	log_prog = "vfio-perf-summary";
	while ((c = cli_getopt(argc, argv, "o:qh", lo)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'q': quiet = true; break;
		case O_ALLOW_FAILED: so.allow_failed = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		}
	}
	if (optind != argc - 1)
		die_usage("want exactly one side (see --help)");
	if (out && !access(out, F_OK))
		die_refused("%s: exists; not overwriting it", out);
	/* "RUN/samples.csv" names its run, as it did before runs were read whole. */
	side = strdup(argv[optind]);
	if (!side)
		die_refused("out of memory");
	len = strlen(side);
	if (len > 12 && !strcmp(side + len - 12, "/samples.csv"))
		side[len - 12] = '\0';

	if (samples_read_side(&set, "run", side, &so) ||
	    samples_check_sides(&set, &so) ||
	    table_build(&t, &set, NULL, TABLE_AGAINST_FIRST, &co, NULL))
		die_refused("%s", set.err);
	if (!set.sides[0].nobs)
		die_refused("%s: no samples", side);
	ret = out ? table_write_csv(&t, out) : 0;
	if (ret)
		die_refused("%s: %s", out, ret == -EEXIST ?
			    "exists; not overwriting it" : strerror(-ret));
	if (!quiet)
		table_print_summary(&t, stdout);
	table_free(&t);
	samples_free(&set);
	free(side);
	return EXIT_OK;
}
