/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-mmio-bench's options: what to map, which levels, which
 * measurements, and the checks that need the BAR (mmio_opts_fit()).
 */
#ifndef VFIO_PERF_MMIO_OPTS_H
#define VFIO_PERF_MMIO_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backing.h"
#include "cli.h"
#include "pfnmap.h"
#include "vfio_bar.h"

/* The measurements beside fault-in, which always runs. */
enum phase { PH_LOAD, PH_BW, PH_BARMAP, NR_PHASES };
struct phase_desc {
	const char *name, *what;
};

/* Bandwidth access widths, bytes. */
extern const unsigned int bw_widths[];
#define NR_WIDTHS 2

struct opts {
	const char *device;
	int bar;			/* -1: the largest mmappable one */
	uint64_t size, offset;
	const int *level[PFNMAP_NR_LEVELS];
	size_t nlevel;
	int place_as;			/* -1: where the level asks */
	const struct phase_desc *phase[NR_PHASES];
	size_t nphase;
	unsigned int phases;		/* 1 << enum phase */
	uint64_t *ws;
	size_t nws;
	bool ws_default;		/* --working-set not given */
	const struct backing *baseline[2];
	size_t nbaseline;
	uint64_t bw_size;
	unsigned int batches, reps, warmup;
	bool plan;			/* --plan: print the memory needed */
	bool cases;			/* --cases: print the case names */
	struct cli_run run;
};

/* Parse the command line (exits 2 on bad usage, 0 for --help/--list). */
void mmio_opts_parse(int argc, char **argv, struct opts *o);

/*
 * Fit the defaults to the BAR (map 1G or the whole BAR, sweep up to the
 * mapping). -EINVAL, with the reason in @why, for what cannot fit.
 */
int mmio_opts_fit(struct opts *o, const struct vfio_bar *bar, char *why, size_t whylen);

bool mmio_phase_on(const struct opts *o, enum phase p);

/*
 * The baselines' buffer: the stream, and the largest working set if loads
 * are measured, neither beyond a mapping of @size (mmio_opts_fit() cuts
 * them so before a run; --plan asks before there is a BAR).
 */
uint64_t mmio_baseline_len(const struct opts *o, uint64_t size);

/* --plan: print the guest memory the cases take. */
void mmio_opts_print_plan(const struct opts *o);

#endif
