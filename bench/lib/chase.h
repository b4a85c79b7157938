/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load latency by pointer chasing: every load's address comes from the
 * load before it, so loads cannot overlap and each one costs its full
 * latency, TLB miss and page walk included.
 *
 * The chain visits every 4 KiB page of a working set once per lap, in a
 * random single cycle (Sattolo's shuffle), so neither the prefetchers nor
 * the order of pages in the TLB can help. Each page's element sits at a
 * random cache line of the page: were they all at offset 0, every element
 * would fall into the same cache set and the figure would measure cache
 * conflicts instead of the page walk.
 */
#ifndef VFIO_PERF_CHASE_H
#define VFIO_PERF_CHASE_H

#include <stdint.h>

/* Loads per timed batch; a multiple of the loop's unrolling (16). */
#define CHASE_BATCH 256

/*
 * Link the pages of [base, base + ws) into one random cycle; returns the
 * first element. Deterministic for a given @seed. Writes one pointer per
 * page; @ws is a multiple of 4K.
 */
void *chase_build(uint8_t *base, uint64_t ws, uint64_t seed);

struct chase_result {
	/* Per-load latency over the batches, overhead subtracted, ns. */
	double p5, p50, p95, p99;
	/* Per-load overhead of the timed loop, measured and subtracted. */
	double overhead_ns;
};

/*
 * Follow the chain from @head for one untimed lap of @ws / 4K loads (so
 * caches and TLB hold what they will hold), then @batches timed batches
 * of CHASE_BATCH loads. 0 or -ENOMEM.
 */
int chase_measure(void *head, uint64_t ws, unsigned int batches,
		  struct chase_result *r);

/* The loads chase_measure() times, for counting them (perfev). */
void *chase_run(void *p, uint64_t loads);

#endif
