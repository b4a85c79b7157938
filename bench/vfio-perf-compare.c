// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-compare: is NEW faster or slower than BASE, by how much, and
 * how sure are we?
 *
 * Reads run directories (samples.csv + meta.csv, DESIGN.md section 8),
 * matches cases across sides, and prints one LKP-style table per NEW
 * side against BASE with a verdict per case (DESIGN.md section 6).  The
 * exit code answers `git bisect run`: 0 no regression, 1 a regression,
 * 2 the comparison itself could not be made as asked.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare.h"
#include "csv.h"
#include "log.h"
#include "size.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Columns that identify a case across runs and kernels, in this order. */
static const char *const key_cols[] = {
	"bench", "backing", "level", "iface", "size_bytes", "chunk_bytes",
	"unmap_chunk_bytes", "metric", "unit",
};
enum { K_BENCH, K_BACKING, K_LEVEL, K_IFACE, K_SIZE, K_CHUNK, K_UNMAP_CHUNK,
       K_METRIC, K_UNIT, NKEYS };

/*
 * Every failure exits 2, never 1: to `git bisect run` and to scripts,
 * 1 means "this kernel regressed", and an unreadable file must not pass
 * for that.
 */
static noreturn void die_incomplete(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void die_incomplete(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg("error: %s", msg);
	exit(EXIT_USAGE);
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = realloc(p, (n ? n : 1) * size);
	if (!p)
		die_incomplete("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die_incomplete("out of memory");
	return d;
}

/*
 * Distinct strings numbered in order of first appearance: case keys,
 * boots, accel modes, kernels.  Rows of one case come in runs, so the
 * last hit is tried first.
 */
struct strtab {
	char **s;
	size_t n, cap, last;
};

static size_t strtab_intern(struct strtab *t, const char *s)
{
	if (t->last < t->n && !strcmp(t->s[t->last], s))
		return t->last;
	for (t->last = 0; t->last < t->n; t->last++)
		if (!strcmp(t->s[t->last], s))
			return t->last;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->s = xrealloc(t->s, t->cap, sizeof(*t->s));
	}
	t->s[t->n] = xstrdup(s);
	return t->last = t->n++;
}

/* "a, b, c": the strings of @t, for messages. */
static const char *strtab_list(const struct strtab *t, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", t->s[i]);
	return buf;
}

static void strtab_free(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	*t = (struct strtab){ 0 };
}

struct obs {
	size_t kase;		/* index into cases */
	size_t boot;		/* index into the side's boots */
	double value;
	bool verified;
};

struct side {
	const char *arg;	/* as given on the command line */
	const char *label;
	char name[32];		/* base, new, new2, ... */
	size_t nruns;
	struct strtab boots;	/* "<run_id>\x1f<boot>" */
	struct strtab accels;
	struct strtab kernels;
	struct obs *obs;
	size_t nobs, cap;
	/* After side_index(): obs sorted by (case, boot). */
	size_t *case_start;	/* case c: obs[case_start[c] .. [c + 1]) */
	double *values;		/* obs values in that order */
	const double **boot_values;	/* compare_side views, reused */
	size_t *boot_n;
};

struct filter {
	const char *bench;
	regex_t *metric;
};

static struct strtab cases;	/* case keys, fields joined by '\x1f' */

/* The @k-th field of case key @key, into @buf. */
static const char *case_field(const char *key, size_t k, char *buf,
			      size_t len)
{
	const char *end;

	for (; k; k--)
		key = strchr(key, '\x1f') + 1;
	end = strchr(key, '\x1f');
	snprintf(buf, len, "%.*s", (int)(end - key), key);
	return buf;
}

/* "<dir>/<name>" into @buf; a path too long to hold is an error. */
static char *join_path(char *buf, size_t len, const char *dir,
		       const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		die_incomplete("%s/%s: path too long", dir, name);
	return buf;
}

/* A CSV file of a run, with its header read; dies if it cannot be. */
static FILE *open_csv(const char *dir, const char *name, struct csv_reader *r,
		      char *path, size_t len, char ***hdr, size_t *n)
{
	FILE *fp;

	fp = fopen(join_path(path, len, dir, name), "re");
	if (!fp)
		die_incomplete("cannot open %s: %s", path, strerror(errno));
	csv_reader_init(r, fp);
	if (csv_read_row(r, hdr, n) != 1)
		die_incomplete("%s: empty or malformed header", path);
	return fp;
}

static void read_meta(struct side *sd, const char *dir)
{
	bool have_kernel = false, have_accel = false;
	char path[4096], **f;
	struct csv_reader r;
	size_t n;
	FILE *fp = open_csv(dir, "meta.csv", &r, path, sizeof(path), &f, &n);
	int ret;

	while ((ret = csv_read_row(&r, &f, &n)) == 1) {
		if (n < 2)
			continue;
		if (!strcmp(f[0], "kernel")) {
			strtab_intern(&sd->kernels, f[1]);
			have_kernel = true;
		} else if (!strcmp(f[0], "accel")) {
			strtab_intern(&sd->accels, f[1]);
			have_accel = true;
		}
	}
	if (ret < 0)
		die_incomplete("%s: malformed CSV", path);
	if (!have_kernel || !have_accel)
		die_incomplete("%s: no '%s' key", path,
			       have_kernel ? "accel" : "kernel");
	csv_reader_free(&r);
	fclose(fp);
}

static void side_add(struct side *sd, struct obs o)
{
	if (sd->nobs == sd->cap) {
		sd->cap = sd->cap ? 2 * sd->cap : 1024;
		sd->obs = xrealloc(sd->obs, sd->cap, sizeof(*sd->obs));
	}
	sd->obs[sd->nobs++] = o;
}

/* Column @name of header @f, or -1; dies if it is required and absent. */
static int column(char **f, size_t n, const char *name, bool required,
		  const char *path)
{
	int i = csv_column_index(f, n, name);

	if (i < 0 && required)
		die_incomplete("%s: no column '%s'", path, name);
	return i < 0 ? -1 : i;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static const char *field_or_empty(char **f, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? f[i] : "";
}

static void read_samples(struct side *sd, const char *dir,
			 const struct filter *flt)
{
	int ik[NKEYS], irun, iboot, ival, iver, iaccel, ikernel, last = 0;
	/* Boots seen before this run: meeting one again means a copy. */
	size_t first_boot = sd->boots.n, line = 1, n;
	char path[4096], key[1024], boot[512], **f;
	struct csv_reader r;
	FILE *fp = open_csv(dir, "samples.csv", &r, path, sizeof(path), &f, &n);
	int ret;

	/* Older runs lack unmap_chunk_bytes: whole-range unmaps. */
	for (size_t k = 0; k < NKEYS; k++)
		ik[k] = column(f, n, key_cols[k], k != K_UNMAP_CHUNK, path);
	irun = column(f, n, "run_id", true, path);
	iboot = column(f, n, "boot", true, path);
	ival = column(f, n, "value", true, path);
	iver = column(f, n, "verified", false, path);
	iaccel = column(f, n, "accel", false, path);
	ikernel = column(f, n, "kernel", false, path);
	/* Every required column must be there in each row. */
	for (size_t k = 0; k < NKEYS; k++)
		last = max_int(last, ik[k]);
	last = max_int(max_int(last, irun), max_int(iboot, ival));

	while ((ret = csv_read_row(&r, &f, &n)) == 1) {
		struct obs o = { .verified = true };
		size_t len = 0;
		char *end;

		line++;
		if (n <= (size_t)last)
			die_incomplete("%s:%zu: %zu fields, want more than %d",
				       path, line, n, last);
		if ((flt->bench && strcmp(f[ik[K_BENCH]], flt->bench)) ||
		    (flt->metric && regexec(flt->metric, f[ik[K_METRIC]], 0,
					    NULL, 0)))
			continue;
		for (size_t k = 0; k < NKEYS; k++)
			len += (size_t)snprintf(key + len, sizeof(key) - len,
						"%s\x1f", field_or_empty(f, n, ik[k]));
		if (len >= sizeof(key))
			die_incomplete("%s:%zu: case fields too long", path, line);
		o.kase = strtab_intern(&cases, key);
		if ((size_t)snprintf(boot, sizeof(boot), "%s\x1f%s", f[irun],
				     f[iboot]) >= sizeof(boot))
			die_incomplete("%s:%zu: run_id too long", path, line);
		o.boot = strtab_intern(&sd->boots, boot);
		if (o.boot < first_boot)
			die_incomplete("%s: run %s boot %s also appears in another run directory of %s",
				       path, f[irun], f[iboot], sd->arg);
		o.value = strtod(f[ival], &end);
		if (end == f[ival] || *end || isnan(o.value))
			die_incomplete("%s:%zu: value '%s' is not a number",
				       path, line, f[ival]);
		o.verified = strcmp(field_or_empty(f, n, iver), "no");
		/* Rows carry accel and kernel too: trust neither source alone. */
		if (*field_or_empty(f, n, iaccel))
			strtab_intern(&sd->accels, f[iaccel]);
		if (*field_or_empty(f, n, ikernel))
			strtab_intern(&sd->kernels, f[ikernel]);
		side_add(sd, o);
	}
	if (ret < 0)
		die_incomplete("%s:%zu: malformed CSV", path, line + 1);
	csv_reader_free(&r);
	fclose(fp);
}

static bool is_run_dir(const char *dir)
{
	char path[4096];
	struct stat st;

	join_path(path, sizeof(path), dir, "samples.csv");
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static void side_read_run(struct side *sd, const char *dir,
			  const struct filter *flt)
{
	if (!is_run_dir(dir))
		die_incomplete("%s: not a run directory (no samples.csv)", dir);
	read_meta(sd, dir);
	read_samples(sd, dir, flt);
	sd->nruns++;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * A side is a run directory, a directory of run directories (every
 * boot of one kernel, say), or a comma-separated list of run
 * directories.
 */
static void side_read(struct side *sd, const struct filter *flt)
{
	struct dirent **ents;
	char path[4096];
	int n;

	if (strchr(sd->arg, ',')) {
		char *list = xstrdup(sd->arg), *save = NULL;

		if (sd->arg[0] == ',' || sd->arg[strlen(sd->arg) - 1] == ',' ||
		    strstr(sd->arg, ",,"))
			die_incomplete("%s: empty entry in the list", sd->arg);
		for (char *d = strtok_r(list, ",", &save); d;
		     d = strtok_r(NULL, ",", &save))
			side_read_run(sd, d, flt);
		free(list);
		return;
	}
	if (is_run_dir(sd->arg)) {
		side_read_run(sd, sd->arg, flt);
		return;
	}
	/* Sorted, so that boots and cases come in the same order each time. */
	n = scandir(sd->arg, &ents, skip_dots, alphasort);
	if (n < 0)
		die_incomplete("cannot read %s: %s", sd->arg, strerror(errno));
	for (int i = 0; i < n; i++) {
		join_path(path, sizeof(path), sd->arg, ents[i]->d_name);
		if (is_run_dir(path))
			side_read_run(sd, path, flt);
		free(ents[i]);
	}
	free(ents);
	if (!sd->nruns)
		die_incomplete("%s: no samples.csv in it or in its subdirectories",
			       sd->arg);
}

static int cmp_obs(const void *a, const void *b)
{
	const struct obs *x = a, *y = b;

	if (x->kase != y->kase)
		return x->kase < y->kase ? -1 : 1;
	return (x->boot > y->boot) - (x->boot < y->boot);
}

/* Sort the side's samples by case and boot, so each case is one range. */
static void side_index(struct side *sd)
{
	qsort(sd->obs, sd->nobs, sizeof(*sd->obs), cmp_obs);
	sd->case_start = xrealloc(NULL, cases.n + 1, sizeof(*sd->case_start));
	sd->values = xrealloc(NULL, sd->nobs, sizeof(*sd->values));
	sd->boot_values = xrealloc(NULL, sd->boots.n, sizeof(*sd->boot_values));
	sd->boot_n = xrealloc(NULL, sd->boots.n, sizeof(*sd->boot_n));
	for (size_t c = 0, i = 0; c <= cases.n; c++) {
		sd->case_start[c] = i;
		for (; i < sd->nobs && sd->obs[i].kase == c; i++)
			sd->values[i] = sd->obs[i].value;
	}
}

/*
 * The samples of case @c on side @sd, boot by boot; NULL when the side
 * has none.  Valid until the next call for the same side.
 */
static const struct compare_side *side_case(struct side *sd, size_t c,
					    struct compare_side *cs,
					    bool *verified)
{
	size_t lo = sd->case_start[c], hi = sd->case_start[c + 1], nb = 0;

	if (lo == hi)
		return NULL;
	for (size_t i = lo; i < hi; i++) {
		if (i == lo || sd->obs[i].boot != sd->obs[i - 1].boot) {
			sd->boot_values[nb] = &sd->values[i];
			sd->boot_n[nb++] = 0;
		}
		sd->boot_n[nb - 1]++;
		*verified &= sd->obs[i].verified;
	}
	*cs = (struct compare_side){ nb, sd->boot_values, sd->boot_n };
	return cs;
}

static void side_free(struct side *sd)
{
	strtab_free(&sd->boots);
	strtab_free(&sd->accels);
	strtab_free(&sd->kernels);
	free(sd->obs);
	free(sd->case_start);
	free(sd->values);
	free(sd->boot_values);
	free(sd->boot_n);
}

/* What a comparison's table row shows besides its compare_result. */
struct row {
	size_t kase;
	bool verified;	/* every sample of either side verified */
};

/*
 * "dma/hugetlb-2m/type1v2/1G/map": the case fields that are set, sizes
 * in binary units, chunks only when a range is not mapped whole.
 */
static const char *case_name(size_t c, char *buf, size_t len)
{
	char f[NKEYS][256], sz[SIZE_FMT_LEN];
	size_t off = 0;
	uint64_t v;

	for (size_t k = 0; k < NKEYS; k++)
		case_field(cases.s[c], k, f[k], sizeof(f[k]));
	buf[0] = '\0';
	for (size_t k = 0; k < K_UNIT && off < len; k++) {
		const char *s = f[k], *pre = "";

		if (k == K_CHUNK || k == K_UNMAP_CHUNK) {
			/* Whole-range calls record the size (0 in old runs). */
			if (!strcmp(s, f[K_SIZE]) || !strcmp(s, "0"))
				continue;
			pre = k == K_CHUNK ? "chunk-" : "unmap-chunk-";
		}
		if (!*s)
			continue;
		if (k >= K_SIZE && k <= K_UNMAP_CHUNK && !size_parse(s, &v))
			s = size_format(v, sz, sizeof(sz));
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s",
					off ? "/" : "", pre, s);
	}
	return buf;
}

/*
 * A value in the unit a reader thinks in: times from ns to s, rates in
 * binary multiples of B/s, about four significant digits.
 */
static const char *format_value(double v, const char *unit, char *buf,
				size_t len)
{
	static const char *const ns_units[] = { "ns", "us", "ms", "s" };
	static const char *const bps_units[] = {
		"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s",
	};
	const char *const *units = NULL;
	double step = 1000, a;
	size_t nunits = 0, u = 0;

	if (isnan(v))
		return "-";
	if (!strcmp(unit, "ns")) {
		units = ns_units;
		nunits = ARRAY_SIZE(ns_units);
	} else if (!strcmp(unit, "B/s")) {
		units = bps_units;
		nunits = ARRAY_SIZE(bps_units);
		step = 1024;
	}
	if (!units) {
		/* Counts stay whole: 262144 faults, not 2.621e+05. */
		snprintf(buf, len, v == trunc(v) && fabs(v) < 1e15 ? "%.0f" :
			 "%.4g", v);
		return buf;
	}
	for (a = fabs(v); a >= step && u + 1 < nunits; u++, a /= step)
		v /= step;
	snprintf(buf, len, a >= 100 ? "%.1f %s" : a >= 10 ? "%.2f %s" :
		 "%.3f %s", v, units[u]);
	return buf;
}

/* " ±  0.2%", or blanks; "±" is two bytes but one column, hence no %9s. */
static void print_spread(double spread)
{
	if (isnan(spread))
		printf("%9s", "");
	else
		printf(" ±%6.1f%%", spread);
}

static const char *format_change(const struct compare_result *r, char *buf,
				 size_t len)
{
	if (isnan(r->ratio))
		return "-";
	snprintf(buf, len, "%+.1f%%", 100 * (r->ratio - 1));
	return buf;
}

static void print_row(const struct row *w, const struct compare_result *r)
{
	char unit[64], name[1024], buf[32];

	case_field(cases.s[w->kase], K_UNIT, unit, sizeof(unit));
	printf("%12s", format_value(r->base.median, unit, buf, sizeof(buf)));
	print_spread(r->base.spread);
	printf(" %9s", format_change(r, buf, sizeof(buf)));
	printf(" %12s", format_value(r->new.median, unit, buf, sizeof(buf)));
	print_spread(r->new.spread);
	printf("  %-9s  %s%s\n", compare_verdict_name(r->verdict),
	       case_name(w->kase, name, sizeof(name)),
	       w->verified ? "" : "  UNVERIFIED");
}

static const char *const out_cols[] = {
	"base_label", "new_side", "new_label", "bench", "backing", "level",
	"iface", "size_bytes", "chunk_bytes", "unmap_chunk_bytes", "metric",
	"unit", "base_median", "base_p5", "base_p95", "base_spread_pct",
	"base_n", "base_boots", "new_median", "new_p5", "new_p95",
	"new_spread_pct", "new_n", "new_boots", "ratio", "ci_lo", "ci_hi",
	"p", "p_holm", "verdict", "verified",
};

static void put_stats(struct csv_writer *w, const struct compare_stats *st)
{
	csv_put_double(w, st->median);
	csv_put_double(w, st->p5);
	csv_put_double(w, st->p95);
	csv_put_double(w, st->spread);
	csv_put_u64(w, st->n);
	csv_put_u64(w, st->nboots);
}

static void put_row(struct csv_writer *w, const struct side *base,
		    size_t side, const struct side *new, const struct row *rw,
		    const struct compare_result *r)
{
	char f[256];

	csv_put_str(w, base->label);
	csv_put_u64(w, side);
	csv_put_str(w, new->label);
	for (size_t k = 0; k < NKEYS; k++)
		csv_put_str(w, case_field(cases.s[rw->kase], k, f, sizeof(f)));
	put_stats(w, &r->base);
	put_stats(w, &r->new);
	csv_put_double(w, r->ratio);
	csv_put_double(w, r->ci_lo);
	csv_put_double(w, r->ci_hi);
	csv_put_double(w, r->p);
	csv_put_double(w, r->p_holm);
	csv_put_str(w, compare_verdict_name(r->verdict));
	csv_put_str(w, rw->verified ? "yes" : "no");
	csv_end_row(w);
}

#define NVERDICTS (COMPARE_INFO + 1)

/*
 * BASE against the NEW side @side: every case either side measured.
 * Adds the verdicts to @tally, and to *@incomplete the cases the base
 * measured that cannot be compared.
 */
static void compare_sides(struct side *base, struct side *new, size_t side,
			  const struct compare_opts *o, struct csv_writer *w,
			  size_t *tally, size_t *incomplete)
{
	struct row *rows = xrealloc(NULL, cases.n, sizeof(*rows));
	struct compare_result *res = xrealloc(NULL, cases.n, sizeof(*res));
	struct compare_side cb, cn;
	size_t nrows = 0, counts[NVERDICTS] = { 0 };
	char metric[256], unit[64];
	int ret = 0;

	for (size_t c = 0; c < cases.n && !ret; c++) {
		struct row *rw = &rows[nrows];
		const struct compare_side *sb, *sn;

		rw->kase = c;
		rw->verified = true;
		sb = side_case(base, c, &cb, &rw->verified);
		sn = side_case(new, c, &cn, &rw->verified);
		if (!sb && !sn)
			continue;
		ret = compare_case(sb, sn, compare_goal_of(
			case_field(cases.s[c], K_METRIC, metric, sizeof(metric)),
			case_field(cases.s[c], K_UNIT, unit, sizeof(unit))),
			o, &res[nrows]);
		nrows++;
	}
	if (ret || compare_judge(res, nrows, o)) {
		if (w)
			csv_abort(w);
		die_incomplete("statistics failed: %s", strerror(ret ? -ret : ENOMEM));
	}

	printf("\n%s (%s) vs %s (%s), threshold %g%%\n\n", base->name,
	       base->label, new->name, new->label, 100 * o->threshold);
	printf("%12s ±%7s %9s %12s ±%7s  %-9s  %s\n", "base", "%spread",
	       "%change", "new", "%spread", "verdict", "case");
	for (size_t i = 0; i < nrows; i++) {
		print_row(&rows[i], &res[i]);
		if (w)
			put_row(w, base, side, new, &rows[i], &res[i]);
		counts[res[i].verdict]++;
		tally[res[i].verdict]++;
		/* A case only the new side has is new coverage, not a gap. */
		*incomplete += res[i].verdict == COMPARE_MISSING &&
			       res[i].base.n > 0;
	}
	printf("\n%zu cases:", nrows);
	for (int v = 0; v < NVERDICTS; v++)
		printf(" %zu %s%s", counts[v],
		       compare_verdict_name((enum compare_verdict)v),
		       v + 1 < NVERDICTS ? "," : "\n");
	free(res);
	free(rows);
}

static void print_sides(const struct side *sd, size_t nsides)
{
	printf("%-5s %-24s %5s %6s %8s  %-7s %s\n", "side", "label", "runs",
	       "boots", "samples", "accel", "source");
	for (size_t i = 0; i < nsides; i++)
		printf("%-5s %-24s %5zu %6zu %8zu  %-7s %s\n", sd[i].name,
		       sd[i].label, sd[i].nruns, sd[i].boots.n, sd[i].nobs,
		       sd[i].accels.s[0], sd[i].arg);
}

/*
 * Icount figures count guest instructions, TCG figures are emulated
 * wall-clock time, KVM and host figures are real time: a ratio between
 * two of them measures the accelerator, not the kernel.  Refuse.
 */
static void check_accel(const struct side *sd, size_t nsides)
{
	char list[512], buf[256];
	size_t off = 0;
	bool mixed = false;

	for (size_t i = 0; i < nsides; i++) {
		if (sd[i].accels.n != 1)
			die_incomplete("%s (%s) mixes accel modes %s: compare runs of one mode",
				       sd[i].name, sd[i].arg,
				       strtab_list(&sd[i].accels, buf, sizeof(buf)));
		mixed |= strcmp(sd[i].accels.s[0], sd[0].accels.s[0]) != 0;
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s %s",
					i ? ", " : "", sd[i].name,
					sd[i].accels.s[0]);
		if (off >= sizeof(list))
			off = sizeof(list) - 1;
	}
	if (mixed)
		die_incomplete("sides were measured under different accel modes (%s): refusing to compare them",
			       list);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-compare [options] BASE NEW [NEW...]\n"
"\n"
"Compare the cases of NEW against BASE: ratio of medians with a\n"
"hierarchical bootstrap 95%% CI (boots, then samples), Mann-Whitney U\n"
"p-value with Holm correction, and a verdict per case: improved,\n"
"regressed, ~ (no significant change), unstable (too noisy to call),\n"
"missing, info (verification figures, never judged).\n"
"\n"
"Each side is a run directory, a directory of run directories, or a\n"
"comma-separated list of run directories; its boots are told apart by\n"
"(run_id, boot). All sides must share one accel mode.\n"
"\n"
"  --threshold PCT  smallest change that counts (default 2)\n"
"  --csv FILE       write the comparison as CSV (never overwriting)\n"
"  --label NAME     name of the next side (repeat: BASE, NEW, ...);\n"
"                   default: the side's kernel release\n"
"  --metric REGEX   only metrics matching REGEX (extended)\n"
"  --bench NAME     only this bench (dma, mmio)\n"
"  -h, --help       this text\n"
"\n"
"Exit: 0 no regression, 1 a case regressed, 2 incomplete data (a case of\n"
"BASE missing from NEW, unreadable input, mixed accel modes) or bad usage.\n");
}

int main(int argc, char **argv)
{
	enum { O_THRESHOLD = 256, O_CSV, O_LABEL, O_METRIC, O_BENCH };
	static const struct option lo[] = {
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "csv", required_argument, NULL, O_CSV },
		{ "label", required_argument, NULL, O_LABEL },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "bench", required_argument, NULL, O_BENCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts o = COMPARE_OPTS_INIT;
	size_t nlabels = 0, nsides, tally[NVERDICTS] = { 0 };
	const char *csv_path = NULL, **labels = NULL;
	struct filter flt = { 0 };
	struct csv_writer w;
	size_t incomplete = 0;
	regex_t metric_re;
	struct side *sd;
	char buf[256], *end;
	int c, ret;

	log_prog = "vfio-perf-compare";
	labels = xrealloc(NULL, (size_t)argc, sizeof(*labels));
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_THRESHOLD:
			o.threshold = strtod(optarg, &end) / 100;
			if (end == optarg || *end || !(o.threshold >= 0) ||
			    o.threshold >= 1)
				die_usage("--threshold wants a percentage in [0, 100), not '%s'",
					  optarg);
			break;
		case O_CSV: csv_path = optarg; break;
		case O_LABEL: labels[nlabels++] = optarg; break;
		case O_METRIC:
			if (flt.metric)
				die_usage("--metric given twice: join the expressions with '|'");
			ret = regcomp(&metric_re, optarg, REG_EXTENDED | REG_NOSUB);
			if (ret) {
				regerror(ret, &metric_re, buf, sizeof(buf));
				die_usage("--metric '%s': %s", optarg, buf);
			}
			flt.metric = &metric_re;
			break;
		case O_BENCH: flt.bench = optarg; break;
		case 'h':
		default:
			free(labels);
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (argc - optind < 2)
		die_usage("want BASE and at least one NEW (see --help)");
	nsides = (size_t)(argc - optind);
	if (nlabels > nsides)
		die_usage("%zu labels for %zu sides", nlabels, nsides);

	sd = xrealloc(NULL, nsides, sizeof(*sd));
	for (size_t i = 0; i < nsides; i++) {
		sd[i] = (struct side){ .arg = argv[optind + (int)i] };
		if (!i)
			snprintf(sd[i].name, sizeof(sd[i].name), "base");
		else if (nsides == 2)
			snprintf(sd[i].name, sizeof(sd[i].name), "new");
		else
			snprintf(sd[i].name, sizeof(sd[i].name), "new%zu", i);
		side_read(&sd[i], &flt);
		if (!sd[i].nobs)
			die_incomplete("%s (%s): no samples%s", sd[i].name,
				       sd[i].arg, flt.bench || flt.metric ?
				       " match --bench/--metric" : "");
		sd[i].label = i < nlabels ? labels[i] : sd[i].kernels.s[0];
		/* The label must say what was measured; guessing one of two would not. */
		if (i >= nlabels && sd[i].kernels.n > 1)
			die_incomplete("%s (%s) mixes kernels %s: give it a --label or split it",
				       sd[i].name, sd[i].arg,
				       strtab_list(&sd[i].kernels, buf, sizeof(buf)));
	}
	check_accel(sd, nsides);
	for (size_t i = 0; i < nsides; i++)
		side_index(&sd[i]);

	/* Refuse an existing CSV before any work, not after the table. */
	if (csv_path) {
		ret = csv_open(&w, csv_path, out_cols, ARRAY_SIZE(out_cols));
		if (ret)
			die_incomplete("%s: %s", csv_path, ret == -EEXIST ?
				       "exists; not overwriting it" : strerror(-ret));
	}
	print_sides(sd, nsides);
	for (size_t i = 1; i < nsides; i++)
		compare_sides(&sd[0], &sd[i], i, &o, csv_path ? &w : NULL, tally,
			      &incomplete);
	fflush(stdout);
	if (csv_path && (ret = csv_commit(&w)))
		die_incomplete("%s: %s", csv_path, strerror(-ret));

	for (size_t i = 0; i < nsides; i++)
		side_free(&sd[i]);
	free(sd);
	free(labels);
	strtab_free(&cases);
	if (flt.metric)
		regfree(flt.metric);
	if (incomplete) {
		log_msg("incomplete: %zu case(s) measured on base cannot be compared (missing)",
			incomplete);
		return EXIT_USAGE;
	}
	return tally[COMPARE_REGRESSED] ? EXIT_FAIL : EXIT_OK;
}
