// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-summary: per-case statistics of a samples.csv.
 *
 * Groups samples by their case fields and metric (DESIGN.md section 8)
 * and writes one row per group: median, p5/p95, min/max and a bootstrap
 * 95% CI of the median, plus throughput for timed phases. The charts and
 * the human summaries are drawn from this, never from raw samples.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "csv.h"
#include "log.h"
#include "size.h"
#include "stats.h"

/* Columns that identify a group, in output order. */
static const char *const key_cols[] = {
	"bench", "backing", "level", "iface", "size_bytes", "chunk_bytes",
	"unmap_chunk_bytes", "metric", "unit",
};
#define NKEYS (sizeof(key_cols) / sizeof(key_cols[0]))

struct sample {
	char *key;		/* key fields joined by '\x1f' */
	size_t order;		/* first appearance of its group */
	double value;
	int verified;
};

struct table {
	struct sample *s;
	size_t n, cap;
};

static int cmp_sample(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return 0;
}

/* First appearance order of each key, with a linear probe over seen keys. */
struct seen {
	char **keys;
	size_t n, cap;
};

static size_t seen_order(struct seen *sn, const char *key)
{
	for (size_t i = 0; i < sn->n; i++)
		if (!strcmp(sn->keys[i], key))
			return i;
	if (sn->n == sn->cap) {
		sn->cap = sn->cap ? 2 * sn->cap : 64;
		sn->keys = realloc(sn->keys, sn->cap * sizeof(*sn->keys));
		if (!sn->keys)
			die_fail("out of memory");
	}
	sn->keys[sn->n] = strdup(key);
	return sn->n++;
}

static void table_add(struct table *t, struct sample s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->s = realloc(t->s, t->cap * sizeof(*t->s));
		if (!t->s)
			die_fail("out of memory");
	}
	t->s[t->n++] = s;
}

static void read_samples(const char *path, struct table *t, struct seen *sn)
{
	int idx[NKEYS], ival, iver;
	struct csv_reader r;
	size_t n, line = 1;
	char **f, key[1024];
	FILE *fp = fopen(path, "re");
	int ret;

	if (!fp)
		die_fail("cannot open %s: %s", path, strerror(errno));
	csv_reader_init(&r, fp);
	if (csv_read_row(&r, &f, &n) != 1)
		die_fail("%s: empty or malformed header", path);
	for (size_t k = 0; k < NKEYS; k++) {
		idx[k] = csv_column_index(f, n, key_cols[k]);
		if (idx[k] < 0 && strcmp(key_cols[k], "unmap_chunk_bytes"))
			die_fail("%s: no column '%s'", path, key_cols[k]);
	}
	ival = csv_column_index(f, n, "value");
	iver = csv_column_index(f, n, "verified");
	if (ival < 0)
		die_fail("%s: no column 'value'", path);

	while ((ret = csv_read_row(&r, &f, &n)) == 1) {
		struct sample s = { 0 };
		size_t len = 0;
		char *end;

		line++;
		if (n <= (size_t)ival)
			die_fail("%s:%zu: %zu fields, want more than %d", path, line, n, ival);
		for (size_t k = 0; k < NKEYS; k++)
			len += (size_t)snprintf(key + len, sizeof(key) - len, "%s\x1f",
						idx[k] >= 0 && (size_t)idx[k] < n ? f[idx[k]] : "");
		if (len >= sizeof(key))
			die_fail("%s:%zu: case fields too long", path, line);
		s.value = strtod(f[ival], &end);
		if (end == f[ival] || *end)
			die_fail("%s:%zu: value '%s' is not a number", path, line, f[ival]);
		s.verified = iver < 0 || (size_t)iver >= n || strcmp(f[iver], "no");
		s.order = seen_order(sn, key);
		s.key = sn->keys[s.order];
		table_add(t, s);
	}
	if (ret < 0)
		die_fail("%s:%zu: malformed CSV", path, line + 1);
	csv_reader_free(&r);
	fclose(fp);
}

static const char *const out_cols[] = {
	"bench", "backing", "level", "iface", "size_bytes", "chunk_bytes",
	"unmap_chunk_bytes", "metric", "unit", "n", "median", "p5", "p95",
	"min", "max", "ci_lo", "ci_hi", "verified", "gib_per_s",
	"gib_per_s_p5", "gib_per_s_p95",
};

/*
 * Throughput in GiB/s for a time spent on all @size bytes; NaN if not
 * such a time. Metrics named "*-ns*" (load-ns-p99, fault-ns) are
 * per-event latencies: a throughput of those would be meaningless.
 */
static double gibps(const char *metric, const char *unit, double size, double ns)
{
	if (strcmp(unit, "ns") || size <= 0 || ns <= 0 || strstr(metric, "-ns"))
		return 0.0 / 0.0;
	return size / (double)(1 << 30) / (ns / 1e9);
}

static void put_group(struct csv_writer *w, char *const *fields, size_t n,
		      const struct stats_summary *st, bool verified, double size)
{
	for (size_t k = 0; k < NKEYS; k++)
		csv_put_str(w, fields[k]);
	csv_put_u64(w, n);
	csv_put_double(w, st->median);
	csv_put_double(w, st->p5);
	csv_put_double(w, st->p95);
	csv_put_double(w, st->min);
	csv_put_double(w, st->max);
	csv_put_double(w, st->ci_lo);
	csv_put_double(w, st->ci_hi);
	csv_put_str(w, verified ? "yes" : "no");
	/* Slower samples give lower throughput: p95 time is p5 GiB/s. */
	csv_put_double(w, gibps(fields[7], fields[8], size, st->median));
	csv_put_double(w, gibps(fields[7], fields[8], size, st->p95));
	csv_put_double(w, gibps(fields[7], fields[8], size, st->p5));
	csv_end_row(w);

}

/* "whole", or "2M/64M" for map/unmap chunks, for the table. */
static const char *chunks(const char *size, const char *map, const char *unmap,
			  char *buf, size_t len)
{
	char a[32], b[32];

	if (!strcmp(map, size) && (!*unmap || !strcmp(unmap, size)))
		return "whole";
	size_format(strtoull(map, NULL, 10), a, sizeof(a));
	size_format(strtoull(*unmap ? unmap : size, NULL, 10), b, sizeof(b));
	snprintf(buf, len, "%s/%s", a, b);
	return buf;
}

static void write_group(struct csv_writer *w, const struct sample *g, size_t n,
			FILE *human)
{
	char *fields[NKEYS], *dup = strdup(g->key), *p = dup, sz[32], ch[80], bw[32];
	double rate;
	struct stats_summary st;
	double *v = malloc(n * sizeof(*v)), size;
	bool all_verified = true;

	for (size_t k = 0; k < NKEYS; k++) {
		fields[k] = p;
		p = strchr(p, '\x1f');
		*p++ = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		v[i] = g[i].value;
		all_verified &= g[i].verified;
	}
	stats_summarize(v, n, 1, &st);
	size = strtod(fields[4], NULL);
	if (w)
		put_group(w, fields, n, &st, all_verified, size);
	rate = gibps(fields[7], fields[8], size, st.median);
	snprintf(bw, sizeof(bw), rate == rate ? "%8.2f GiB/s" : "", rate);
	if (human && !strcmp(fields[8], "ns"))
		fprintf(human, "%-4s %-11s %-4s %-14s %6s %-11s %-14s n=%-3zu median %12.0f ns  p5 %12.0f  p95 %12.0f  %s%s\n",
			fields[0], fields[1], fields[2], fields[3],
			size_format((uint64_t)size, sz, sizeof(sz)),
			chunks(fields[4], fields[5], fields[6], ch, sizeof(ch)), fields[7], n,
			st.median, st.p5, st.p95, bw,
			all_verified ? "" : "  UNVERIFIED");
	free(v);
	free(dup);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-summary [-o OUT.csv] [-q] SAMPLES.csv\n"
"\n"
"Per-case statistics of a samples.csv: median, p5, p95, min, max, bootstrap\n"
"95%% CI of the median, and GiB/s for timed phases. Writes OUT.csv (never\n"
"overwriting it) and a table of the timed phases on stdout.\n"
"\n"
"  -o, --out FILE   summary CSV to write\n"
"  -q, --quiet      no table on stdout\n"
"  -h, --help       this text\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct table t = { 0 };
	struct seen sn = { 0 };
	struct csv_writer w;
	const char *out = NULL;
	bool quiet = false;
	int c, ret;

	log_prog = "vfio-perf-summary";
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		die_usage("want exactly one samples.csv (see --help)");
	read_samples(argv[optind], &t, &sn);
	if (!t.n)
		die_fail("%s: no samples", argv[optind]);
	qsort(t.s, t.n, sizeof(*t.s), cmp_sample);

	if (out) {
		ret = csv_open(&w, out, out_cols, sizeof(out_cols) / sizeof(out_cols[0]));
		if (ret)
			die_fail("%s: %s", out, ret == -EEXIST ?
				 "exists; not overwriting it" : strerror(-ret));
	}
	for (size_t i = 0, j; i < t.n; i = j) {
		for (j = i + 1; j < t.n && t.s[j].order == t.s[i].order; j++)
			;
		write_group(out ? &w : NULL, &t.s[i], j - i, quiet ? NULL : stdout);
	}
	if (out && (ret = csv_commit(&w)))
		die_fail("%s: %s", out, strerror(-ret));
	for (size_t i = 0; i < sn.n; i++)
		free(sn.keys[i]);
	free(sn.keys);
	free(t.s);
	return EXIT_OK;
}
