// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "split.h"

/* The next k-combination of {0 .. m-1} in @c, lexicographic; false after the last. */
static bool split_comb_next(size_t *c, size_t k, size_t m)
{
	size_t i = k;

	while (i > 0 && c[i - 1] == m - k + i - 1)
		i--;
	if (!i)
		return false;
	c[i - 1]++;
	for (size_t j = i; j < k; j++)
		c[j] = c[j - 1] + 1;
	return true;
}

static void split_first_comb(size_t *c, size_t k)
{
	for (size_t i = 0; i < k; i++)
		c[i] = i;
}

/* rest = {0 .. n-1} minus a. */
static void split_fill_rest(struct split_iter *it)
{
	size_t j = 0, r = 0;

	for (size_t v = 0; v < it->n; v++) {
		if (j < it->k && it->a[j] == v)
			j++;
		else
			it->rest[r++] = v;
	}
}

void split_init(struct split_iter *it, size_t n, size_t k)
{
	*it = (struct split_iter){ .n = n, .k = k };
	it->done = !k || 2 * k > n || n > SPLIT_MAX_BOOTS;
}

/* Advance to the next (a, b) in order, valid or not; false at the end. */
static bool split_step(struct split_iter *it)
{
	if (!it->started) {
		it->started = true;
		split_first_comb(it->a, it->k);
		split_fill_rest(it);
		split_first_comb(it->bi, it->k);
		return true;
	}
	if (split_comb_next(it->bi, it->k, it->n - it->k))
		return true;
	if (!split_comb_next(it->a, it->k, it->n))
		return false;
	split_fill_rest(it);
	split_first_comb(it->bi, it->k);
	return true;
}

bool split_next(struct split_iter *it)
{
	while (!it->done) {
		if (!split_step(it)) {
			it->done = true;
			break;
		}
		/* Each unordered pair once: the side with the lowest boot is a. */
		if (it->rest[it->bi[0]] < it->a[0])
			continue;
		for (size_t i = 0; i < it->k; i++)
			it->b[i] = it->rest[it->bi[i]];
		return true;
	}
	return false;
}

static size_t split_choose(size_t n, size_t k)
{
	size_t c = 1;

	for (size_t i = 1; i <= k; i++)
		c = c * (n - k + i) / i;
	return c;
}

size_t split_count(size_t n, size_t k)
{
	if (!k || 2 * k > n)
		return 0;
	return split_choose(n, k) * split_choose(n - k, k) / 2;
}

/*
 * Side @dst of the runs @idx of @from, samples of the judged metrics
 * times @scale: a verification figure (the level a mapping got, pages
 * counted) is what the kernel gave, and a known change of the time does
 * not change it.
 */
static int split_side(struct samples_side *dst, const struct samples_side *from,
		      const struct case_key *cases, const char *name,
		      const size_t *idx, size_t k, double scale)
{
	size_t *map = malloc(from->nruns * sizeof(*map));

	*dst = (struct samples_side){ .arg = from->arg };
	snprintf(dst->name, sizeof(dst->name), "%s", name);
	dst->runs = malloc(k * sizeof(*dst->runs));
	dst->obs = malloc((from->nobs ? from->nobs : 1) * sizeof(*dst->obs));
	if (!map || !dst->runs || !dst->obs) {
		free(map);
		return -ENOMEM;
	}
	for (size_t r = 0; r < from->nruns; r++)
		map[r] = SIZE_MAX;
	for (size_t i = 0; i < k; i++) {
		dst->runs[i] = from->runs[idx[i]];
		map[idx[i]] = i;
	}
	dst->nruns = dst->runs_cap = k;
	for (size_t i = 0; i < from->nobs; i++) {
		struct samples_obs o = from->obs[i];

		if (map[o.run] == SIZE_MAX)
			continue;
		o.run = map[o.run];
		if (compare_goal_of(cases[o.kase].metric, cases[o.kase].unit) !=
		    COMPARE_INFO_ONLY)
			o.value *= scale;
		dst->obs[dst->nobs++] = o;
	}
	dst->obs_cap = dst->nobs;
	free(map);
	return 0;
}

int split_set(struct samples_set *dst, const struct samples_set *src,
	      size_t side, const size_t *a, const size_t *b, size_t k,
	      double scale)
{
	const struct samples_side *from = &src->sides[side];
	int ret;

	*dst = (struct samples_set){
		.cases = src->cases, .ncases = src->ncases, .nsides = 2,
	};
	dst->sides = calloc(2, sizeof(*dst->sides));
	if (!dst->sides)
		return -ENOMEM;
	ret = split_side(&dst->sides[0], from, src->cases, "base", a, k, 1);
	ret = ret ? ret : split_side(&dst->sides[1], from, src->cases, "new", b, k, scale);
	if (ret)
		split_set_free(dst);
	return ret;
}

void split_set_free(struct samples_set *dst)
{
	for (size_t s = 0; dst->sides && s < dst->nsides; s++) {
		free(dst->sides[s].runs);
		free(dst->sides[s].obs);
	}
	free(dst->sides);
	*dst = (struct samples_set){ 0 };
}
