/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A/A comparisons from the boots of one kernel (docs/results.md,
 * "Calibration"): every way to draw two disjoint sets of k boots out of
 * n, each unordered pair once, and the two-side set that compares them,
 * the new side's samples optionally scaled by a known factor (the power
 * check: does a 3% change get called?).
 */
#ifndef VFIO_PERF_SPLIT_H
#define VFIO_PERF_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "samples.h"

/* Boots of one side that splitting handles. */
#define SPLIT_MAX_BOOTS 32

/*
 * The pairs (a, b) of disjoint k-subsets of {0 .. n-1}, each unordered
 * pair once: a holds the lowest boot of the two.  a and b ascending;
 * pairs in lexicographic order of (a, b).
 */
struct split_iter {
	size_t n, k;
	size_t a[SPLIT_MAX_BOOTS], b[SPLIT_MAX_BOOTS];
	size_t rest[SPLIT_MAX_BOOTS];	/* the boots not in a */
	size_t bi[SPLIT_MAX_BOOTS];	/* b as positions in rest */
	bool started, done;
};

/* Start the pairs of k out of n; 0 < 2k <= n <= SPLIT_MAX_BOOTS, else none. */
void split_init(struct split_iter *it, size_t n, size_t k);

/* The next pair into it->a and it->b; false when there is none. */
bool split_next(struct split_iter *it);

/* How many pairs: C(n, k) * C(n - k, k) / 2. */
size_t split_count(size_t n, size_t k);

/*
 * @dst: two sides "base" and "new" of the runs @a and @b (@k each, run
 * indices) of side @side of @src, new's samples of judged metrics
 * (compare_goal_of()) times @scale, verification figures as they are.  @dst
 * shares @src's cases and runs (do not samples_free() it): release with
 * split_set_free().  Returns 0 or -ENOMEM.
 */
int split_set(struct samples_set *dst, const struct samples_set *src,
	      size_t side, const size_t *a, const size_t *b, size_t k,
	      double scale);

void split_set_free(struct samples_set *dst);

#endif
