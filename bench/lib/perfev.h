/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters of the calling thread through libperf: page faults (a
 * software event every kernel has) and, where the CPU exposes them,
 * cycles, instructions, dTLB load misses, page walks completed per page
 * size and page-walk cycles.
 *
 * A counter that cannot be opened is unavailable, with the reason, and
 * reads as NaN: a VM without a virtual PMU has no cycles, which is not
 * the same as zero cycles. Page-walk events are model-specific raw
 * events, known here for recent Intel and AMD cores only.
 */
#ifndef VFIO_PERF_PERFEV_H
#define VFIO_PERF_PERFEV_H

#include <stdbool.h>
#include <stdint.h>

enum perfev_id {
	PERFEV_FAULTS,
	PERFEV_CYCLES,
	PERFEV_INSTRUCTIONS,
	PERFEV_DTLB_MISSES,
	PERFEV_WALK_4K,
	PERFEV_WALK_2M,
	PERFEV_WALK_1G,
	PERFEV_WALK_CYCLES,
	PERFEV_NR,
};

#define PERFEV_BIT(id) (1u << (id))
/* Every hardware counter (all but the page faults). */
#define PERFEV_HW (((1u << PERFEV_NR) - 1) & ~PERFEV_BIT(PERFEV_FAULTS))

struct perf_evsel;
struct perf_thread_map;

struct perfev {
	const char *name;	/* CSV metric: "faults", "hw-cycles", ... */
	char what[96];		/* the event, for meta.csv */
	char why[160];		/* why it is unavailable; "" if it is not */
	struct perf_evsel *evsel;
	double start;
};

struct perfev_set {
	struct perfev ev[PERFEV_NR];
	struct perf_thread_map *threads;
};

/* Open every counter this machine has; the others get a reason. */
void perfev_open(struct perfev_set *s);
void perfev_close(struct perfev_set *s);

static inline bool perfev_available(const struct perfev_set *s, enum perfev_id id)
{
	return s->ev[id].evsel != NULL;
}

/* Remember the counts of the counters in @mask (PERFEV_BIT()s). */
void perfev_start(struct perfev_set *s, unsigned int mask);
/*
 * Counts since perfev_start() into v[id] for the counters in @mask,
 * scaled if the kernel multiplexed them; NaN for unavailable ones.
 */
void perfev_stop(struct perfev_set *s, unsigned int mask, double v[PERFEV_NR]);

#endif
