// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "chase.h"
#include "stats.h"
#include "timing.h"

#define PAGE 4096u
#define LINE 64u

/* Keeps the chain's end alive so no loop can be optimised away. */
static void *volatile chase_sink;

/* Sattolo's shuffle: drawing j < i (never i) makes a single cycle. */
static void cycle_shuffle(uint32_t *perm, uint64_t n, struct stats_rng *rng)
{
	for (uint64_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = stats_rng_below(rng, i);
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

void *chase_build(uint8_t *base, uint64_t ws, uint64_t seed)
{
	uint64_t n = ws / PAGE;
	uint32_t *next = malloc(n * sizeof(*next));
	uint16_t *line = malloc(n * sizeof(*line));
	struct stats_rng rng;
	void *head = NULL;

	if (!next || !line || !n)
		goto out;
	stats_rng_seed(&rng, seed);
	cycle_shuffle(next, n, &rng);
	for (uint64_t i = 0; i < n; i++)
		line[i] = (uint16_t)(stats_rng_below(&rng, PAGE / LINE) * LINE);
	/* Page i's element points at page next[i]'s. */
	for (uint64_t i = 0; i < n; i++)
		*(void **)(base + i * PAGE + line[i]) =
			base + next[i] * (uint64_t)PAGE + line[next[i]];
	head = base + line[0];
out:
	free(line);
	free(next);
	return head;
}

#define STEP4(s) s s s s
#define STEP16(s) STEP4(s) STEP4(s) STEP4(s) STEP4(s)

/*
 * The measured loop: nothing but dependent loads (not even ASan's
 * shadow checks, so that a sanitizer build measures the same loads).
 */
__attribute__((noinline, no_sanitize_address)) void *chase_run(void *p, uint64_t loads)
{
	for (; loads >= 16; loads -= 16) {
		STEP16(p = *(void **)p;)
	}
	chase_sink = p;
	return p;
}

/*
 * The same loop with the load replaced by a register dependency the
 * compiler must keep: what a batch costs besides its loads (loop, timer
 * reads), subtracted from every batch.
 */
__attribute__((noinline)) static void *idle_run(void *p, uint64_t n)
{
	for (; n >= 16; n -= 16) {
		STEP16(__asm__ volatile("" : "+r"(p));)
	}
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Times of @batches batches of @run, sorted. */
static void time_batches(void *(*run)(void *, uint64_t), void **p,
			 unsigned int batches, double *t)
{
	for (unsigned int b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();

		*p = run(*p, CHASE_BATCH);
		t[b] = (double)(now_ns() - t0);
	}
	qsort(t, batches, sizeof(*t), cmp_double);
}

int chase_measure(void *head, uint64_t ws, unsigned int batches,
		  struct chase_result *r)
{
	double *t = malloc(batches * sizeof(*t)), overhead;
	void *p = head;

	if (!t || !batches) {
		free(t);
		return -ENOMEM;
	}
	time_batches(idle_run, &p, batches, t);
	overhead = stats_quantile(t, batches, 0.5);
	p = chase_run(head, (ws / PAGE + 15) / 16 * 16);
	time_batches(chase_run, &p, batches, t);
	for (unsigned int b = 0; b < batches; b++)
		t[b] = (t[b] - overhead) / CHASE_BATCH;
	r->p5 = stats_quantile(t, batches, 0.05);
	r->p50 = stats_quantile(t, batches, 0.50);
	r->p95 = stats_quantile(t, batches, 0.95);
	r->p99 = stats_quantile(t, batches, 0.99);
	r->overhead_ns = overhead / CHASE_BATCH;
	free(t);
	return 0;
}
