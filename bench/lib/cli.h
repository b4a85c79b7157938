/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line plumbing every benchmark shares: numbers, sizes and name
 * lists that die with a usage error (exit 2) naming the option, and the
 * options that say where and as what a run executes (--cpu, --node,
 * --run-id, --boot, --target, --accel), so each program's getopt loop
 * only spells out what it measures.
 */
#ifndef VFIO_PERF_CLI_H
#define VFIO_PERF_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "meta.h"
#include "results.h"

/* A size in multiples of 4K ("4K", "2M", "1G"); dies naming @opt. */
uint64_t cli_size(const char *opt, const char *s);

/* A decimal number from @min to @max; dies naming @opt and the range. */
unsigned int cli_uint(const char *opt, const char *s, unsigned int min,
		      unsigned int max);

/*
 * getopt_long() that refuses an unknown option, a missing argument or an
 * argument to an option that takes none with one line naming it (exit
 * 2), where getopt would print its own message and the program its
 * whole usage. Never returns '?' or ':'.
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/*
 * Split the comma list @list and look each name up with @find, filling
 * the array @out (its length is the limit) and the count @n; dies on an
 * unknown name, too many, or none.
 */
#define CLI_NAMES(list, out, n, find, what)				\
	do {								\
		char *dup_ = strdup(list), *save_ = NULL, *tok_;	\
		for (tok_ = strtok_r(dup_, ",", &save_); tok_;		\
		     tok_ = strtok_r(NULL, ",", &save_)) {		\
			if ((n) == sizeof(out) / sizeof((out)[0]))	\
				die_usage("too many " what "s");	\
			if (!((out)[(n)++] = find(tok_)))		\
				die_usage("unknown " what " '%s' (see --list)", tok_); \
		}							\
		free(dup_);						\
		if (!(n))						\
			die_usage("empty " what " list");		\
	} while (0)

/* Where and as what this run executes. */
struct cli_run {
	int cpu, node;		/* -1: not placed */
	struct results_opts ro;
};

/* getopt values of the run options; a program's own start at CLI_O_NEXT. */
enum {
	CLI_O_CPU = 256, CLI_O_NODE, CLI_O_RUNID, CLI_O_BOOT, CLI_O_TARGET,
	CLI_O_ACCEL, CLI_O_NEXT,
};

#define CLI_RUN_LONGOPTS						\
	{ "cpu", required_argument, NULL, CLI_O_CPU },			\
	{ "node", required_argument, NULL, CLI_O_NODE },		\
	{ "run-id", required_argument, NULL, CLI_O_RUNID },		\
	{ "boot", required_argument, NULL, CLI_O_BOOT },		\
	{ "target", required_argument, NULL, CLI_O_TARGET },		\
	{ "accel", required_argument, NULL, CLI_O_ACCEL }

#define CLI_RUN_USAGE							\
"      --cpu N             pin to logical CPU N (hwloc)\n"		\
"      --node N            take memory from NUMA node N only (libnuma)\n" \
"      --run-id ID         run identifier for the CSV (default: time+kernel)\n" \
"      --boot N            boot index of this run (default 0)\n"	\
"      --target NAME       where this runs: qemu or host (default host)\n" \
"      --accel NAME        accelerator: kvm, tcg, icount, none (default none)\n"

/*
 * The checks every benchmark makes when getopt is done: no argument
 * left over, a device, an output directory (neither for a --plan, which
 * is asked of a suite's arguments before any device exists).
 */
void cli_finish(int argc, char **argv, const char *device,
		const struct cli_run *r, bool plan);

/* Defaults: unplaced, host, no accelerator, boot 0. */
void cli_run_init(struct cli_run *r);

/* Take getopt's @c if it is a run option; false if it is not one. */
bool cli_run_option(struct cli_run *r, int c, const char *arg);

/*
 * Pin and bind as asked (dies if that fails), record "cpu" and "node" in
 * @m and point r->ro.cpu and r->ro.node at them.
 */
void cli_run_place(struct cli_run *r, struct meta *m);

#endif
