/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options and outputs shared by the programs that read results
 * (vfio-perf-compare, vfio-perf-calibrate): each dies with one line and
 * exit 2 (never 1, which would read as "regressed" or "false verdicts").
 */
#ifndef VFIO_PERF_TOOLS_H
#define VFIO_PERF_TOOLS_H

#include <regex.h>

#include "samples.h"

/* --threshold PCT as a fraction in [0, 1). */
double tools_threshold(const char *arg);

/* --metric REGEX compiled into @re, kept in @so (once only). */
void tools_metric(struct samples_opts *so, regex_t *re, const char *arg);

/* An output that exists is refused before anything is read or written. */
void tools_check_new(const char *path);

/* The result @ret of writing @path: 0, or die naming the file. */
void tools_written(int ret, const char *path);

#endif
