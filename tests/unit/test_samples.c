// SPDX-License-Identifier: GPL-2.0
/*
 * The run reader under mutation: every input made from a good run by
 * cutting, flipping, inserting or deleting bytes, repeating, dropping or
 * swapping lines and fields, or planting non-finite and out-of-domain
 * numbers is either refused (an error naming the run) or read as exactly
 * the cases of the good run with all their samples: no phantom case, no
 * sample dropped or counted twice.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case.h"
#include "check.h"
#include "samples.h"
#include "stats.h"

#define FUZZ_FILES 3
static const char *const fuzz_names[FUZZ_FILES] = { "meta.csv", "cases.csv", "samples.csv" };

struct fuzz {
	char dir[PATH_MAX], run[PATH_MAX];
	char *orig[FUZZ_FILES];
	size_t len[FUZZ_FILES];
	/* The good run: its cases, in order, and their sample counts. */
	struct case_key *cases;
	size_t *counts, ncases;
	size_t inputs, refused, accepted, wrong;
	struct stats_rng rng;
};

static bool fuzz_write(const char *path, const char *buf, size_t len)
{
	FILE *fp = fopen(path, "w");
	bool ok = fp && fwrite(buf, 1, len, fp) == len;

	return fp && !fclose(fp) && ok;
}

/* Read the run as a side; the set's cases and per-case counts. */
static int fuzz_read(struct fuzz *fz, struct samples_set *set, size_t **counts)
{
	struct samples_opts o = { 0 };
	int ret = samples_read_side(set, "base", fz->run, &o);

	*counts = NULL;
	if (ret)
		return ret;
	*counts = calloc(set->ncases + 1, sizeof(**counts));
	for (size_t i = 0; *counts && i < set->sides[0].nobs; i++)
		(*counts)[set->sides[0].obs[i].kase]++;
	return 0;
}

/* One mutated input: file @f replaced by @buf; the other two original. */
static void fuzz_one(struct fuzz *fz, int f, const char *buf, size_t len)
{
	struct samples_set set = { 0 };
	char path[PATH_MAX];
	size_t *counts;
	bool same;
	int ret;

	check_path(path, fz->run, fuzz_names[f]);
	if (!fuzz_write(path, buf, len)) {
		fz->wrong++;
		return;
	}
	fz->inputs++;
	ret = fuzz_read(fz, &set, &counts);
	if (ret) {
		/* Refused: one line that names the run. */
		if (!strstr(set.err, fz->run) || strchr(set.err, '\n')) {
			printf("# refusal without the run's name: %s\n", set.err);
			fz->wrong++;
		}
		fz->refused++;
	} else {
		/* The same cases, in any order, each with as many samples. */
		same = set.ncases == fz->ncases;
		for (size_t c = 0; same && c < fz->ncases; c++) {
			size_t d = 0;

			while (d < set.ncases && case_cmp(&set.cases[d], &fz->cases[c], CASE_NFIELDS))
				d++;
			same = d < set.ncases && counts[d] == fz->counts[c];
		}
		if (!same) {
			printf("# accepted, but not the good run's cases (file %s, %zu bytes, %zu cases)\n",
			       fuzz_names[f], len, set.ncases);
			fz->wrong++;
		}
		fz->accepted++;
	}
	free(counts);
	samples_free(&set);
	fuzz_write(path, fz->orig[f], fz->len[f]);
}

/* A mutable copy of file @f with room to grow. */
static char *fuzz_copy(const struct fuzz *fz, int f, size_t extra)
{
	char *b = malloc(fz->len[f] + extra + 1);

	memcpy(b, fz->orig[f], fz->len[f]);
	return b;
}

static size_t fuzz_below(struct fuzz *fz, size_t n)
{
	return (size_t)stats_rng_below(&fz->rng, n);
}

/* Offsets of the line starts of file @f, and their count. */
static size_t fuzz_lines(const struct fuzz *fz, int f, size_t *start)
{
	size_t n = 0;

	for (size_t i = 0; i < fz->len[f]; i++)
		if (!i || fz->orig[f][i - 1] == '\n')
			start[n++] = i;
	start[n] = fz->len[f];
	return n;
}

static void fuzz_truncate(struct fuzz *fz, int f, size_t step)
{
	for (size_t at = 0; at < fz->len[f]; at += step)
		fuzz_one(fz, f, fz->orig[f], at);
	/* Every cut point of the last two lines: where a lost tail hides. */
	for (size_t at = fz->len[f] > 400 ? fz->len[f] - 400 : 0; at < fz->len[f]; at++)
		fuzz_one(fz, f, fz->orig[f], at);
}

static void fuzz_bytes(struct fuzz *fz, int f, size_t n)
{
	static const char alphabet[] = "0123456789,\"\n\r-+.eEx ;=okabz";
	char *b = fuzz_copy(fz, f, 1);

	for (size_t i = 0; i < n; i++) {
		size_t at = fuzz_below(fz, fz->len[f]);
		char c = alphabet[fuzz_below(fz, sizeof(alphabet) - 1)];

		switch (i % 3) {
		case 0:		/* flip */
			memcpy(b, fz->orig[f], fz->len[f]);
			b[at] = c;
			fuzz_one(fz, f, b, fz->len[f]);
			break;
		case 1:		/* insert */
			memcpy(b, fz->orig[f], at);
			b[at] = c;
			memcpy(b + at + 1, fz->orig[f] + at, fz->len[f] - at);
			fuzz_one(fz, f, b, fz->len[f] + 1);
			break;
		default:	/* delete */
			memcpy(b, fz->orig[f], at);
			memcpy(b + at, fz->orig[f] + at + 1, fz->len[f] - at - 1);
			fuzz_one(fz, f, b, fz->len[f] - 1);
			break;
		}
	}
	free(b);
}

/* Repeat, drop or swap whole lines; swap two fields of a line. */
static void fuzz_lines_ops(struct fuzz *fz, int f, size_t n)
{
	size_t *start = malloc((fz->len[f] + 2) * sizeof(*start));
	size_t nl = fuzz_lines(fz, f, start);
	char *b = fuzz_copy(fz, f, fz->len[f]);

	for (size_t i = 0; i < n && nl > 1; i++) {
		size_t l = 1 + fuzz_below(fz, nl - 1), a = start[l], e = start[l + 1];
		size_t len = 0;

		switch (i % 4) {
		case 0:		/* repeat line l */
			memcpy(b, fz->orig[f], e);
			memcpy(b + e, fz->orig[f] + a, e - a);
			memcpy(b + e + (e - a), fz->orig[f] + e, fz->len[f] - e);
			len = fz->len[f] + (e - a);
			break;
		case 1:		/* drop line l */
			memcpy(b, fz->orig[f], a);
			memcpy(b + a, fz->orig[f] + e, fz->len[f] - e);
			len = fz->len[f] - (e - a);
			break;
		case 2: {	/* swap line l with the one before */
			size_t p = start[l - 1];

			memcpy(b, fz->orig[f], fz->len[f]);
			memcpy(b + p, fz->orig[f] + a, e - a);
			memcpy(b + p + (e - a), fz->orig[f] + p, a - p);
			len = fz->len[f];
			break;
		}
		default: {	/* swap two neighbouring fields of line l */
			char *line = b + a, *c1, *c2;

			memcpy(b, fz->orig[f], fz->len[f]);
			len = fz->len[f];
			c1 = memchr(line, ',', e - a);
			c2 = c1 ? memchr(c1 + 1, ',', (size_t)(b + e - c1 - 1)) : NULL;
			for (size_t k = fuzz_below(fz, 4); c2 && k; k--) {
				char *c3 = memchr(c2 + 1, ',', (size_t)(b + e - c2 - 1));

				if (!c3)
					break;
				c1 = c2;
				c2 = c3;
			}
			if (c2) {
				size_t la = (size_t)(c1 - line), lb = (size_t)(c2 - c1 - 1);
				char tmp[512];

				if (la + lb + 1 < sizeof(tmp) && la < e - a) {
					/* fields [start..c1) and (c1..c2): swap the second with the one before c1 */
					char *f0 = line;

					for (char *q = c1 - 1; q > line; q--)
						if (*q == ',') {
							f0 = q + 1;
							break;
						}
					la = (size_t)(c1 - f0);
					memcpy(tmp, c1 + 1, lb);
					tmp[lb] = ',';
					memcpy(tmp + lb + 1, f0, la);
					memcpy(f0, tmp, la + lb + 1);
				}
			}
			break;
		}
		}
		fuzz_one(fz, f, b, len);
	}
	free(b);
	free(start);
}

/* A number of samples.csv's value column replaced by a bad one. */
static void fuzz_values(struct fuzz *fz, size_t n)
{
	static const char *const bad[] = {
		"-5", "inf", "-inf", "nan", "NaN", "1e400", "-1e400", "0x10",
		"1e-400", "", " 5", "5 ", "1,5", "--1", "1e", ".5", "5.", "+5",
		"-0.5", "1.5e", "0x1p3", "infinity",
	};
	const int f = 2;
	size_t *start = malloc((fz->len[f] + 2) * sizeof(*start));
	size_t nl = fuzz_lines(fz, f, start);
	char *b = fuzz_copy(fz, f, 64);

	for (size_t i = 0; i < n && nl > 1; i++) {
		size_t l = 1 + fuzz_below(fz, nl - 1), a = start[l], e = start[l + 1];
		const char *v = bad[i % (sizeof(bad) / sizeof(bad[0]))], *p = fz->orig[f] + a;
		size_t from, to, len;

		/* The value is the 11th field: after the 10th comma. */
		for (int commas = 0; p < fz->orig[f] + e && commas < 10; p++)
			commas += *p == ',';
		from = (size_t)(p - fz->orig[f]);
		to = (size_t)((const char *)memchr(p, ',', fz->orig[f] + e - p) - fz->orig[f]);
		memcpy(b, fz->orig[f], from);
		memcpy(b + from, v, strlen(v));
		memcpy(b + from + strlen(v), fz->orig[f] + to, fz->len[f] - to);
		len = fz->len[f] - (to - from) + strlen(v);
		fuzz_one(fz, f, b, len);
	}
	free(b);
	free(start);
}

static bool fuzz_setup(struct fuzz *fz, const char *fixture)
{
	struct samples_set set = { 0 };
	char src[PATH_MAX], path[PATH_MAX];
	const char *name = strrchr(fixture, '/') + 1;

	*fz = (struct fuzz){ 0 };
	stats_rng_seed(&fz->rng, 10);
	check_tmpdir(fz->dir, sizeof(fz->dir));
	check_path(fz->run, fz->dir, name);
	if (mkdir(fz->run, 0755))
		return false;
	for (int f = 0; f < FUZZ_FILES; f++) {
		fz->orig[f] = check_read_file(check_path(path, check_fixture(src, fixture),
							 fuzz_names[f]));
		if (!fz->orig[f])
			return false;
		fz->len[f] = strlen(fz->orig[f]);
		if (!fuzz_write(check_path(path, fz->run, fuzz_names[f]), fz->orig[f], fz->len[f]))
			return false;
	}
	if (fuzz_read(fz, &set, &fz->counts)) {
		printf("# the good run is refused: %s\n", set.err);
		return false;
	}
	fz->ncases = set.ncases;
	fz->cases = malloc(set.ncases * sizeof(*fz->cases));
	memcpy(fz->cases, set.cases, set.ncases * sizeof(*fz->cases));
	samples_free(&set);
	return fz->ncases > 0;
}

static void fuzz_teardown(struct fuzz *fz)
{
	check_tmpdir_remove(fz->run);
	check_tmpdir_remove(fz->dir);
	for (int f = 0; f < FUZZ_FILES; f++)
		free(fz->orig[f]);
	free(fz->cases);
	free(fz->counts);
}

static void fuzz_fixture(const char *fixture, size_t scale, size_t *total)
{
	struct fuzz fz;

	CHECK(fuzz_setup(&fz, fixture));
	fuzz_truncate(&fz, 2, 11);
	fuzz_truncate(&fz, 1, 5);
	fuzz_truncate(&fz, 0, 29);
	for (int f = 0; f < FUZZ_FILES; f++) {
		fuzz_bytes(&fz, f, scale * (f == 2 ? 3 : 1));
		fuzz_lines_ops(&fz, f, scale / 2 * (f == 2 ? 2 : 1));
	}
	fuzz_values(&fz, scale);
	printf("# fuzz %s: %zu inputs, %zu refused, %zu accepted as the good run, %zu wrong\n",
	       fixture, fz.inputs, fz.refused, fz.accepted, fz.wrong);
	*total += fz.inputs;
	fuzz_teardown(&fz);
	CHECK(fz.wrong == 0);
}

TEST(samples_fuzz_old_run)
{
	size_t total = 0;

	/* An old run: meta.csv with kernel_source split over rows. */
	fuzz_fixture("reader/20261122T031228Z-6.12.117_deb12-amd64", 200, &total);
	CHECK(total >= 2000);
}

TEST(samples_fuzz_new_run)
{
	size_t total = 0;

	fuzz_fixture("compare/base/20250101T000000Z-6.12.117", 60, &total);
	CHECK(total >= 500);
}

TEST(samples_fuzz_populate_run)
{
	size_t total = 0;

	/* A run with the populate column: dma cases of each state, an mmio case. */
	fuzz_fixture("populate/20250104T000000Z-6.12.117", 60, &total);
	CHECK(total >= 500);
}

/* The populate state of each case of @arg, in the order read. */
static bool read_states(const char *arg, char *out, size_t len)
{
	struct samples_opts o = { 0 };
	struct samples_set set = { 0 };
	char path[PATH_MAX];
	size_t off = 0;

	if (samples_read_side(&set, "base", check_fixture(path, arg), &o)) {
		printf("# %s\n", set.err);
		return false;
	}
	out[0] = '\0';
	for (size_t i = 0; i < set.ncases && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s:%s", i ? " " : "",
					set.cases[i].metric, set.cases[i].populate);
	samples_free(&set);
	return true;
}

TEST(samples_populate_column)
{
	char got[1024];

	/* A run before the column: its dma cases were written, mmio has none. */
	CHECK(read_states("compare/base/20250101T000000Z-6.12.117", got, sizeof(got)));
	CHECK(strstr(got, "map:write") && !strstr(got, "map:read") && !strstr(got, "map:none"));
	CHECK(strstr(got, "read-bw:") && !strstr(got, "read-bw:write"));
	/* With it: each state its own case; none has no populate phase. */
	CHECK(read_states("populate/20250104T000000Z-6.12.117", got, sizeof(got)));
	CHECK_STR(got, "populate:write map:write present-pages:write resident-bytes:write "
		  "dirty-bytes:write map:none present-pages:none resident-bytes:none "
		  "dirty-bytes:none populate:read map:read present-pages:read "
		  "resident-bytes:read dirty-bytes:read read-bw:");
}

TEST(case_populate_field)
{
	struct case_key k = { .bench = "dma", .backing = "anon-4k", .iface = "type1v2",
			      .size = 1ull << 30, .chunk = 1ull << 30,
			      .unmap_chunk = 1ull << 30, .populate = "none",
			      .metric = "map", .unit = "ns" };
	struct case_key w = k;
	char buf[CASE_NAME_LEN], why[128];

	CHECK_STR(case_name(&k, buf, sizeof(buf)), "dma/anon-4k/type1v2/1G/populate-none/map");
	CHECK(!case_check(&k, true, why, sizeof(why)));
	/* write is every older run's state: its name is as it always was. */
	snprintf(w.populate, sizeof(w.populate), "write");
	CHECK_STR(case_name(&w, buf, sizeof(buf)), "dma/anon-4k/type1v2/1G/map");
	CHECK(case_cmp(&k, &w, CASE_NRUN_FIELDS) != 0);
	CHECK_STR(case_field_default(&k, CASE_POPULATE), "write");
	CHECK_STR(case_field_default(&k, CASE_LEVEL), "");
	CHECK(!case_set_field(&k, CASE_POPULATE, "dirty", why, sizeof(why)));
	CHECK(case_check(&k, true, why, sizeof(why)));
	CHECK_STR(why, "populate 'dirty' of a dma case is not write, read or none");
	CHECK(!case_set_field(&k, CASE_POPULATE, "", why, sizeof(why)));
	CHECK(case_check(&k, true, why, sizeof(why)));
	/* Only dma buffers are populated. */
	snprintf(k.bench, sizeof(k.bench), "mmio");
	snprintf(k.backing, sizeof(k.backing), "bar");
	snprintf(k.iface, sizeof(k.iface), "%s", "");
	snprintf(k.metric, sizeof(k.metric), "faults");
	snprintf(k.unit, sizeof(k.unit), "count");
	CHECK_STR(case_field_default(&k, CASE_POPULATE), "");
	CHECK(!case_check(&k, true, why, sizeof(why)));
	snprintf(k.populate, sizeof(k.populate), "write");
	CHECK(case_check(&k, true, why, sizeof(why)));
	CHECK_STR(why, "populate 'write' of a mmio case is not empty");
	CHECK(case_set_field(&k, CASE_POPULATE, "writewrite", why, sizeof(why)));
}

TEST(case_names_and_sizes)
{
	struct case_key k = { .bench = "dma", .backing = "hugetlb-2m", .iface = "type1v2",
			      .size = 1ull << 30, .chunk = 1ull << 30,
			      .unmap_chunk = 1ull << 30, .populate = "write",
			      .metric = "map", .unit = "ns" };
	char buf[CASE_NAME_LEN], why[128];

	CHECK_STR(case_name(&k, buf, sizeof(buf)), "dma/hugetlb-2m/type1v2/1G/map");
	k.chunk = 2 << 20;
	k.unmap_chunk = 107374ull;
	CHECK_STR(case_name(&k, buf, sizeof(buf)),
		  "dma/hugetlb-2m/type1v2/1G/chunk-2M/unmap-chunk-107374/map");
	CHECK_STR(case_size_text(1ull << 30, 1ull << 30, buf, sizeof(buf)), "");
	CHECK_STR(case_size_text(1536ull << 20, 1ull << 30, buf, sizeof(buf)), "1536M");
	/* A chunk of 0 is an old run's whole-range call. */
	CHECK(!case_set_field(&k, CASE_CHUNK, "0", why, sizeof(why)));
	CHECK_EQ_U64(k.chunk, 1ull << 30);
	CHECK(case_set_field(&k, CASE_SIZE, "0", why, sizeof(why)));
	CHECK(case_set_field(&k, CASE_SIZE, "1G", why, sizeof(why)));
	CHECK(case_set_field(&k, CASE_SIZE, "01", why, sizeof(why)));
	CHECK(!case_check(&k, true, why, sizeof(why)));
	snprintf(k.unit, sizeof(k.unit), "count");
	CHECK(case_check(&k, true, why, sizeof(why)));
	CHECK_STR(why, "unit 'count' of metric map is not its unit ns");
	CHECK(case_value_check("ns", -1) != NULL);
	CHECK(case_value_check("fraction", 1.5) != NULL);
	CHECK(case_value_check("fraction", 1) == NULL);
	CHECK(case_value_check("B/s", 1.0 / 0.0) != NULL);
}

TEST(case_node_backings)
{
	struct case_key k = { .bench = "dma", .backing = "hugetlb-2m@node1",
			      .iface = "type1v2", .size = 1ull << 30,
			      .chunk = 1ull << 30, .unmap_chunk = 1ull << 30,
			      .populate = "write", .metric = "map", .unit = "ns" };
	static const char *const bad[] = {
		"hugetlb-2m@node01", "hugetlb-2m@node", "hugetlb-2m@node-1",
		"hugetlb-2m@node1024", "hugetlb-2m@node1x", "thp@node1",
		"hugetlb-2m@1", "hugetlb-2m@node1@node1",
	};
	char buf[CASE_NAME_LEN], why[160];

	CHECK_STR(case_node_backing("anon-4k", 0, buf, sizeof(buf)), "anon-4k@node0");
	CHECK_STR(case_node_backing("anon-4k", -1, buf, sizeof(buf)), "anon-4k");
	CHECK(!case_check(&k, true, why, sizeof(why)));
	CHECK_STR(case_name(&k, buf, sizeof(buf)), "dma/hugetlb-2m@node1/type1v2/1G/map");
	snprintf(k.metric, sizeof(k.metric), "pages-off-node");
	snprintf(k.unit, sizeof(k.unit), "count");
	CHECK(!case_check(&k, true, why, sizeof(why)));
	/* One spelling per node, of a real backing. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(k.backing, sizeof(k.backing), "%s", bad[i]);
		CHECK(case_check(&k, true, why, sizeof(why)));
		CHECK(!case_is_node_backing(bad[i]));
	}
}

TEST(case_bar_windows)
{
	struct case_key k = { .bench = "mmio", .backing = "bar", .level = "auto",
			      .size = 1ull << 30, .chunk = 1ull << 30, .unmap_chunk = 1ull << 30,
			      .metric = "faults", .unit = "count" };
	char buf[CASE_NAME_LEN], why[128];

	CHECK_STR(case_bar_backing(0, buf, sizeof(buf)), "bar");
	CHECK_STR(case_bar_backing(512ull << 20, buf, sizeof(buf)), "bar@512M");
	CHECK(!case_check(&k, true, why, sizeof(why)));
	snprintf(k.backing, sizeof(k.backing), "bar@1G");
	CHECK(!case_check(&k, true, why, sizeof(why)));
	CHECK_STR(case_name(&k, buf, sizeof(buf)), "mmio/bar@1G/auto/1G/faults");
	/* One spelling per offset, and never 0. */
	snprintf(k.backing, sizeof(k.backing), "bar@1024M");
	CHECK(case_check(&k, true, why, sizeof(why)));
	CHECK_STR(why, "backing 'bar@1024M' is not one of vfio-dma-bench --list (or NAME@nodeN), bar or bar@OFFSET");
	snprintf(k.backing, sizeof(k.backing), "bar@0");
	CHECK(case_check(&k, true, why, sizeof(why)));
	snprintf(k.backing, sizeof(k.backing), "bar@");
	CHECK(case_check(&k, true, why, sizeof(why)));
}
