// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "log.h"
#include "samples.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The exact headers of docs/results.md.  Today's, or the one before the
 * populate column (S_OLD_NCOLS, C_OLD_NCOLS columns), whose dma cases
 * were all written (case_field_default()).
 */
static const char *const samples_cols[] = {
	"run_id", "bench", "backing", "level", "iface", "size_bytes",
	"chunk_bytes", "metric", "boot", "rep", "value", "unit",
	"unmap_chunk_bytes", "kernel", "target", "accel", "device", "cpu",
	"node", "verified", "populate",
};
enum { S_RUN_ID, S_BENCH, S_BACKING, S_LEVEL, S_IFACE, S_SIZE, S_CHUNK,
       S_METRIC, S_BOOT, S_REP, S_VALUE, S_UNIT, S_UNMAP_CHUNK, S_KERNEL,
       S_TARGET, S_ACCEL, S_DEVICE, S_CPU, S_NODE, S_VERIFIED, S_POPULATE,
       S_NCOLS, S_OLD_NCOLS = S_POPULATE };

/* Where each case field stands in samples.csv. */
static const int samples_case_col[CASE_NFIELDS] = {
	S_BENCH, S_BACKING, S_LEVEL, S_IFACE, S_SIZE, S_CHUNK, S_UNMAP_CHUNK,
	S_POPULATE, S_METRIC, S_UNIT,
};

static const char *const cases_cols[] = {
	"run_id", "bench", "backing", "level", "iface", "size_bytes",
	"chunk_bytes", "unmap_chunk_bytes", "status", "reps", "reason",
	"populate",
};
enum { C_RUN_ID, C_STATUS = 8, C_REPS, C_REASON, C_POPULATE, C_NCOLS,
       C_OLD_NCOLS = C_POPULATE };

static const char *const case_statuses[] = { "ok", "skip", "fail", "unverified" };
enum { CS_OK, CS_SKIP, CS_FAIL, CS_UNVERIFIED };

/* A run's status that is not ok: "WORD (REASON)". */
static const char *const run_bad_statuses[] = { "failed", "interrupted", "lost" };

/*
 * Runs before the harness joined kernel_source's parts with ';' wrote
 * "kernel_source,kind=debian" and then each part as a row of its own,
 * one of them "suite,bookworm" beside the benchmark suite's row.
 */
static const char *const meta_old_source_keys[] = {
	"spec", "suite", "package", "version", "packages", "deb", "sha256",
};

/* Keys whose old names still read: { old, new }. */
static const char *const meta_aliases[][2] = {
	{ "suite", "bench_suite" },
	{ "suite_sha256", "bench_suite_sha256" },
};

static int samples_fail(struct samples_set *set, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int samples_fail(struct samples_set *set, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(set->err, sizeof(set->err), fmt, ap);
	va_end(ap);
	return err;
}

static void samples_note(const struct samples_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void samples_note(const struct samples_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->notes)
		return;
	va_start(ap, fmt);
	fprintf(o->notes, "%s: ", log_prog);
	vfprintf(o->notes, fmt, ap);
	va_end(ap);
	fputc('\n', o->notes);
}

/* @p with room for @need elements of @size (doubling), or NULL. */
static void *samples_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = need > 2 * *cap ? need + 15 : 2 * *cap;

	if (need <= *cap)
		return p;
	p = reallocarray(p, n, size);
	*cap = p ? n : *cap;
	return p;
}

static int samples_index(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, words[i]))
			return (int)i;
	return -1;
}

/* A decimal count: digits only, no leading zero but for "0". */
static bool samples_parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (ULONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/*
 * A value as csv_put_double() writes it: [-]digits[.digits][e[+-]digits].
 * strtod() alone would take "inf", "nan", "0x10" and " 5", and turn
 * 1e400 into inf and 1e-400 into 0 with only errno to say so.
 */
static bool samples_parse_value(const char *s, double *out)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p += p[1] == '+' || p[1] == '-';
		if (*++p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && end == p;
}

/*
 * The header of @path must be exactly @cols, of @n columns, or of
 * @n_old (the columns of older runs); *@have says which.
 */
static int samples_header(struct samples_set *set, struct csv_reader *r,
			  const char *path, const char *const *cols, size_t n,
			  size_t n_old, size_t *have)
{
	size_t nf;
	char **f;
	int ret = csv_read_row(r, &f, &nf);

	if (ret < 0 || ret == 0)
		return samples_fail(set, -EINVAL, "%s:1: %s", path,
				    ret ? "malformed CSV" : "empty file, no header");
	if (nf == n_old)
		n = n_old;
	*have = n;
	for (size_t i = 0; i < n || i < nf; i++)
		if (i >= n || i >= nf || strcmp(f[i], cols[i]))
			return samples_fail(set, -EINVAL,
					    "%s:1: header column %zu is '%s', the schema's is '%s' (docs/results.md)",
					    path, i + 1, i < nf ? f[i] : "(none)",
					    i < n ? cols[i] : "(none)");
	return 0;
}

/* csv_read_row() with the line count and one message for bad CSV. */
static int samples_row(struct samples_set *set, struct csv_reader *r,
		       const char *path, size_t *line, size_t want,
		       char ***f, size_t *n)
{
	int ret = csv_read_row(r, f, n);

	++*line;
	if (ret < 0)
		return samples_fail(set, ret, "%s:%zu: %s", path, *line,
				    ret == -EINVAL ? "malformed CSV (a quote out of place or unterminated)" :
				    strerror(-ret));
	if (ret == 1 && want && *n != want)
		return samples_fail(set, -EINVAL, "%s:%zu: %zu fields, the header has %zu (a cut or joined line?)",
				    path, *line, *n, want);
	return ret;
}

/* "<dir>/<name>" in @buf; false when it does not fit. */
static bool samples_join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < len;
}

/* ---- meta.csv --------------------------------------------------------- */

struct samples_kv {
	char *key, *value;
	size_t line;
};

struct samples_meta {
	struct samples_kv *kv;
	size_t n, cap;
};

static void samples_meta_free(struct samples_meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->kv[i].key);
		free(m->kv[i].value);
	}
	free(m->kv);
	*m = (struct samples_meta){ 0 };
}

static const struct samples_kv *samples_meta_get(const struct samples_meta *m,
						 const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->kv[i].key, key))
			return &m->kv[i];
	return NULL;
}

static int samples_meta_add(struct samples_meta *m, const char *key,
			    const char *value, size_t line)
{
	struct samples_kv *kv = samples_grow(m->kv, &m->cap, m->n + 1, sizeof(*kv));

	if (!kv)
		return -ENOMEM;
	m->kv = kv;
	kv[m->n] = (struct samples_kv){ strdup(key), strdup(value), line };
	if (!kv[m->n].key || !kv[m->n].value) {
		free(kv[m->n].key);
		free(kv[m->n].value);
		return -ENOMEM;
	}
	m->n++;
	return 0;
}

/* Append ";key=value" to the value of @kv: an old split kernel_source. */
static int samples_meta_fold(struct samples_kv *kv, const char *key,
			     const char *value)
{
	size_t len = strlen(kv->value) + strlen(key) + strlen(value) + 3;
	char *v = malloc(len);

	if (!v)
		return -ENOMEM;
	snprintf(v, len, "%s;%s=%s", kv->value, key, value);
	free(kv->value);
	kv->value = v;
	return 0;
}

static int samples_read_meta(struct samples_set *set, FILE *fp,
			     const char *path, struct samples_meta *m)
{
	size_t line = 1, n, folding = SIZE_MAX;
	struct csv_reader r;
	char **f;
	int ret;

	csv_reader_init(&r, fp);
	ret = samples_header(set, &r, path, (const char *const[]){ "key", "value" }, 2,
			     2, &n);
	while (!ret && (ret = samples_row(set, &r, path, &line, 2, &f, &n)) == 1) {
		const char *key = f[0];
		const struct samples_kv *dup;

		ret = 0;
		if (!*key) {
			ret = samples_fail(set, -EINVAL, "%s:%zu: empty key", path, line);
			break;
		}
		if (folding != SIZE_MAX &&
		    samples_index(key, meta_old_source_keys, ARRAY_SIZE(meta_old_source_keys)) >= 0) {
			ret = samples_meta_fold(&m->kv[folding], key, f[1]);
			continue;
		}
		folding = SIZE_MAX;
		for (size_t i = 0; i < ARRAY_SIZE(meta_aliases); i++)
			if (!strcmp(key, meta_aliases[i][0]))
				key = meta_aliases[i][1];
		dup = samples_meta_get(m, key);
		if (dup) {
			ret = samples_fail(set, -EINVAL, "%s:%zu: key '%s' again (first on line %zu): one key, one meaning",
					   path, line, f[0], dup->line);
			break;
		}
		if (!strcmp(key, "kernel_source") && !strcmp(f[1], "kind=debian"))
			folding = m->n;
		ret = samples_meta_add(m, key, f[1], line);
	}
	csv_reader_free(&r);
	if (ret == -ENOMEM)
		return samples_fail(set, ret, "out of memory");
	return ret < 0 ? ret : 0;
}

/* The value of required key @key, or NULL with set->err. */
static const char *samples_meta_need(struct samples_set *set,
				     const struct samples_meta *m,
				     const char *path, const char *key)
{
	const struct samples_kv *kv = samples_meta_get(m, key);

	if (!kv) {
		samples_fail(set, -EINVAL, "%s: no '%s' row", path, key);
		return NULL;
	}
	return kv->value;
}

static char *samples_meta_dup(const struct samples_meta *m, const char *key)
{
	const struct samples_kv *kv = samples_meta_get(m, key);

	return strdup(kv ? kv->value : "");
}

/* 64 lowercase hex digits, as sha256sum prints them. */
static bool samples_is_sha256(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && !s[n];
}

/* "ok", or one of run_bad_statuses followed by " (REASON)". */
static bool samples_status_valid(const char *s)
{
	size_t len = strlen(s);

	if (!strcmp(s, "ok"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(run_bad_statuses); i++) {
		size_t w = strlen(run_bad_statuses[i]);

		if (!strncmp(s, run_bad_statuses[i], w) && s[w] == ' ' &&
		    s[w + 1] == '(' && len > w + 3 && s[len - 1] == ')')
			return true;
	}
	return false;
}

static int samples_run_from_meta(struct samples_set *set,
				 const struct samples_meta *m, const char *path,
				 struct samples_run *run)
{
	static const char *const need[] = { "run_id", "kernel", "accel", "boot" };
	const struct samples_kv *st = samples_meta_get(m, "status");

	for (size_t i = 0; i < ARRAY_SIZE(need); i++)
		if (!samples_meta_need(set, m, path, need[i]))
			return -EINVAL;
	if (!samples_parse_ulong(samples_meta_get(m, "boot")->value, &run->boot))
		return samples_fail(set, -EINVAL, "%s:%zu: boot '%s' is not a number",
				    path, samples_meta_get(m, "boot")->line,
				    samples_meta_get(m, "boot")->value);
	if (st && !samples_status_valid(st->value))
		return samples_fail(set, -EINVAL, "%s:%zu: status '%s' is not ok, failed (...), interrupted (...) or lost (...)",
				    path, st->line, st->value);
	run->run_id = samples_meta_dup(m, "run_id");
	run->kernel = samples_meta_dup(m, "kernel");
	run->kernel_spec = samples_meta_dup(m, "kernel_spec");
	run->kernel_source = samples_meta_dup(m, "kernel_source");
	run->accel = samples_meta_dup(m, "accel");
	run->status = samples_meta_dup(m, "status");
	run->commit = samples_meta_dup(m, "vfio_perf_commit");
	run->bench_suite = samples_meta_dup(m, "bench_suite");
	run->bench_suite_sha256 = samples_meta_dup(m, "bench_suite_sha256");
	run->config_sha256 = samples_meta_dup(m, "kernel_config_sha256");
	if (!run->run_id || !run->kernel || !run->kernel_spec ||
	    !run->kernel_source || !run->accel || !run->status ||
	    !run->commit || !run->bench_suite || !run->bench_suite_sha256 ||
	    !run->config_sha256)
		return samples_fail(set, -ENOMEM, "out of memory");
	if (*run->config_sha256 && !samples_is_sha256(run->config_sha256))
		return samples_fail(set, -EINVAL, "%s:%zu: kernel_config_sha256 '%.70s' is not 64 hex digits",
				    path, samples_meta_get(m, "kernel_config_sha256")->line,
				    run->config_sha256);
	return 0;
}

/* ---- cases.csv -------------------------------------------------------- */

struct samples_rcase {
	struct case_key k;
	int status;
	unsigned long reps;
	size_t line;
	bool has_series;	/* a metric sampled every rep */
};

struct samples_rcases {
	struct samples_rcase *c;
	size_t n, cap, last;
};

/* The cases.csv row of the case fields of @k, or NULL. */
static struct samples_rcase *samples_rcase_find(struct samples_rcases *rc,
						const struct case_key *k)
{
	if (rc->last < rc->n && !case_cmp(&rc->c[rc->last].k, k, CASE_NRUN_FIELDS))
		return &rc->c[rc->last];
	for (rc->last = 0; rc->last < rc->n; rc->last++)
		if (!case_cmp(&rc->c[rc->last].k, k, CASE_NRUN_FIELDS))
			return &rc->c[rc->last];
	return NULL;
}

/*
 * Fill the case fields of @k from row @f, whose field k sits at col[k];
 * a field whose column the row lacks (@nf fields: an older run) takes
 * its default.
 */
static int samples_case_fields(struct samples_set *set, char **f, size_t nf,
			       const int *col, size_t nfields, bool with_metric,
			       const char *path, size_t line, struct case_key *k)
{
	char why[256];

	*k = (struct case_key){ 0 };
	for (size_t i = 0; i < nfields; i++)
		if (case_set_field(k, (enum case_field)i,
				   (size_t)col[i] < nf ? f[col[i]] :
				   case_field_default(k, (enum case_field)i),
				   why, sizeof(why)))
			return samples_fail(set, -EINVAL, "%s:%zu: %s", path, line, why);
	if (case_check(k, with_metric, why, sizeof(why)))
		return samples_fail(set, -EINVAL, "%s:%zu: %s", path, line, why);
	return 0;
}

static int samples_read_cases(struct samples_set *set, FILE *fp,
			      const char *path, const struct samples_run *run,
			      struct samples_rcases *rc)
{
	static const int col[CASE_NRUN_FIELDS] = { 1, 2, 3, 4, 5, 6, 7, C_POPULATE };
	size_t line = 1, n, ncols;
	struct csv_reader r;
	char **f, name[CASE_NAME_LEN];
	int ret;

	csv_reader_init(&r, fp);
	ret = samples_header(set, &r, path, cases_cols, C_NCOLS, C_OLD_NCOLS, &ncols);
	while (!ret && (ret = samples_row(set, &r, path, &line, ncols, &f, &n)) == 1) {
		struct samples_rcase c = { .line = line }, *dup;

		ret = -EINVAL;
		if (strcmp(f[C_RUN_ID], run->run_id)) {
			samples_fail(set, ret, "%s:%zu: run_id '%s' is not meta.csv's '%s'",
				     path, line, f[C_RUN_ID], run->run_id);
			break;
		}
		if (samples_case_fields(set, f, n, col, CASE_NRUN_FIELDS, false, path, line, &c.k))
			break;
		c.status = samples_index(f[C_STATUS], case_statuses, ARRAY_SIZE(case_statuses));
		if (c.status < 0) {
			samples_fail(set, ret, "%s:%zu: status '%s' is not ok, skip, fail or unverified",
				     path, line, f[C_STATUS]);
			break;
		}
		if (!samples_parse_ulong(f[C_REPS], &c.reps)) {
			samples_fail(set, ret, "%s:%zu: reps '%s' is not a count", path, line, f[C_REPS]);
			break;
		}
		dup = samples_rcase_find(rc, &c.k);
		if (dup) {
			samples_fail(set, ret, "%s:%zu: case %s again (first on line %zu)", path,
				     line, case_name(&c.k, name, sizeof(name)), dup->line);
			break;
		}
		rc->c = samples_grow(rc->c, &rc->cap, rc->n + 1, sizeof(*rc->c));
		if (!rc->c) {
			ret = samples_fail(set, -ENOMEM, "out of memory");
			break;
		}
		rc->c[rc->n++] = c;
		ret = 0;
	}
	csv_reader_free(&r);
	return ret < 0 ? ret : 0;
}

/* ---- samples.csv ------------------------------------------------------ */

struct samples_row {
	struct case_key k;
	struct samples_rcase *rc;
	const struct case_metric *m;
	unsigned long rep;
	size_t line;
	double value;
	bool verified;
};

struct samples_rows {
	struct samples_row *r;
	size_t n, cap;
};

/* A column that must hold meta.csv's value. */
static int samples_same(struct samples_set *set, const char *path, size_t line,
			const char *col, const char *got, const char *want)
{
	if (!strcmp(got, want))
		return 0;
	return samples_fail(set, -EINVAL, "%s:%zu: %s '%s' is not meta.csv's '%s'",
			    path, line, col, got, want);
}

static int samples_parse_row(struct samples_set *set, char **f, size_t nf,
			     const char *path, size_t line,
			     const struct samples_run *run,
			     struct samples_rcases *rc, struct samples_row *row)
{
	char name[CASE_NAME_LEN], boot[32];
	const char *why;
	int ret;

	snprintf(boot, sizeof(boot), "%lu", run->boot);
	ret = samples_same(set, path, line, "run_id", f[S_RUN_ID], run->run_id);
	ret = ret ? ret : samples_same(set, path, line, "boot", f[S_BOOT], boot);
	ret = ret ? ret : samples_same(set, path, line, "kernel", f[S_KERNEL], run->kernel);
	ret = ret ? ret : samples_same(set, path, line, "accel", f[S_ACCEL], run->accel);
	ret = ret ? ret : samples_case_fields(set, f, nf, samples_case_col, CASE_NFIELDS,
					      true, path, line, &row->k);
	if (ret)
		return ret;
	row->line = line;
	row->m = case_metric_find(row->k.metric);
	row->rc = samples_rcase_find(rc, &row->k);
	if (!row->rc)
		return samples_fail(set, -EINVAL, "%s:%zu: case %s is not in cases.csv",
				    path, line, case_name(&row->k, name, sizeof(name)));
	if (row->rc->status == CS_SKIP)
		return samples_fail(set, -EINVAL, "%s:%zu: case %s has samples, but cases.csv:%zu says it was skipped",
				    path, line, case_name(&row->k, name, sizeof(name)),
				    row->rc->line);
	if (!samples_parse_ulong(f[S_REP], &row->rep))
		return samples_fail(set, -EINVAL, "%s:%zu: rep '%s' is not a count",
				    path, line, f[S_REP]);
	if (row->rep >= row->rc->reps || ((row->m->flags & CASE_M_ONCE) && row->rep))
		return samples_fail(set, -EINVAL, "%s:%zu: rep %lu of %s, which has %s",
				    path, line, row->rep, case_name(&row->k, name, sizeof(name)),
				    row->m->flags & CASE_M_ONCE ? "rep 0 only" : "fewer reps in cases.csv");
	if (!samples_parse_value(f[S_VALUE], &row->value))
		return samples_fail(set, -EINVAL, "%s:%zu: value '%s' is not a decimal number within double range",
				    path, line, f[S_VALUE]);
	why = case_value_check(row->k.unit, row->value);
	if (why)
		return samples_fail(set, -EINVAL, "%s:%zu: value %s %s, the least a %s value can be",
				    path, line, f[S_VALUE], why, row->k.unit);
	if (strcmp(f[S_VERIFIED], "yes") && strcmp(f[S_VERIFIED], "no"))
		return samples_fail(set, -EINVAL, "%s:%zu: verified '%s' is not yes or no",
				    path, line, f[S_VERIFIED]);
	row->verified = !strcmp(f[S_VERIFIED], "yes");
	return 0;
}

static int samples_read_rows(struct samples_set *set, FILE *fp,
			     const char *path, struct samples_run *run,
			     struct samples_rcases *rc, struct samples_rows *rows)
{
	size_t line = 1, n, ncols;
	struct csv_reader r;
	char **f;
	int ret;

	csv_reader_init(&r, fp);
	ret = samples_header(set, &r, path, samples_cols, S_NCOLS, S_OLD_NCOLS, &ncols);
	while (!ret && (ret = samples_row(set, &r, path, &line, ncols, &f, &n)) == 1) {
		rows->r = samples_grow(rows->r, &rows->cap, rows->n + 1, sizeof(*rows->r));
		if (!rows->r) {
			ret = samples_fail(set, -ENOMEM, "out of memory");
			break;
		}
		ret = samples_parse_row(set, f, n, path, line, run, rc, &rows->r[rows->n]);
		rows->n += !ret;
	}
	csv_reader_free(&r);
	run->nsamples = rows->n;
	return ret < 0 ? ret : 0;
}

/* Order for the completeness check: case, metric, rep. */
static int samples_cmp_rows(const void *a, const void *b)
{
	const struct samples_row *x = *(struct samples_row *const *)a;
	const struct samples_row *y = *(struct samples_row *const *)b;

	if (x->rc != y->rc)
		return x->rc < y->rc ? -1 : 1;
	if (x->m != y->m)
		return x->m < y->m ? -1 : 1;
	return (x->rep > y->rep) - (x->rep < y->rep);
}

/*
 * Whether the verification pass ran @func's kprobe: meta.csv says
 * "kprobe.FUNC,available" (or "step.NAME.kprobe.FUNC" when the mmio step
 * was not the run's first).
 */
static bool samples_probe_available(const struct samples_meta *m, const char *func)
{
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->kv[i].key, *dot;

		if (!strncmp(k, "step.", 5) && (dot = strchr(k + 5, '.')))
			k = dot + 1;
		if (!strncmp(k, "kprobe.", 7) && !strcmp(k + 7, func) &&
		    !strcmp(m->kv[i].value, "available"))
			return true;
	}
	return false;
}

/*
 * Verification figures come whole: a case with one ptdump-* row has the
 * three levels, one with a kprobe-* row has a row for every probe that
 * meta.csv says was available.  @p: the rows of one case, by metric.
 */
static int samples_check_family(struct samples_set *set, const char *path,
				struct samples_row *const *p, size_t n,
				const char *family, const struct samples_meta *m)
{
	static const char *const ptdump[] = { "pte", "pmd", "pud" };
	static const char *const kprobe[] = {
		"vmf_insert_pfn", "vmf_insert_pfn_pmd", "vmf_insert_pfn_pmd_prot",
		"vmf_insert_pfn_pud", "vmf_insert_pfn_pud_prot", "remap_pfn_range",
	};
	bool is_pt = !strcmp(family, "ptdump-");
	const char *const *members = is_pt ? ptdump : kprobe;
	size_t nmembers = is_pt ? ARRAY_SIZE(ptdump) : ARRAY_SIZE(kprobe);
	size_t flen = strlen(family), i;
	char name[CASE_NAME_LEN];

	for (i = 0; i < n && strncmp(p[i]->k.metric, family, flen); i++)
		;
	if (i == n)
		return 0;
	for (size_t w = 0; w < nmembers; w++) {
		bool found = false;

		if (!is_pt && !samples_probe_available(m, members[w]))
			continue;
		for (size_t j = 0; j < n && !found; j++)
			found = !strncmp(p[j]->k.metric, family, flen) &&
				!strcmp(p[j]->k.metric + flen, members[w]);
		if (!found)
			return samples_fail(set, -EINVAL, "%s:%zu: case %s has %s rows but none for %s%s (rows lost?)",
					    path, p[i]->line, case_name(&p[i]->k, name, sizeof(name)),
					    family, family, members[w]);
	}
	return 0;
}

/*
 * Every sample once, and every case complete: a metric sampled per rep
 * has a row for each of the reps cases.csv gives (a sparse one at most
 * that), a once-only metric one row, and a case that ran has at least
 * one metric sampled per rep.  A cut or edited samples.csv shows up
 * here, not as a case with fewer samples than it had.
 */
static int samples_check_rows(struct samples_set *set, const char *path,
			      const char *cases_path, struct samples_rows *rows,
			      struct samples_rcases *rc, const struct samples_meta *m)
{
	struct samples_row **p = malloc((rows->n ? rows->n : 1) * sizeof(*p));
	char name[CASE_NAME_LEN];
	int ret = 0;

	if (!p)
		return samples_fail(set, -ENOMEM, "out of memory");
	for (size_t i = 0; i < rows->n; i++)
		p[i] = &rows->r[i];
	qsort(p, rows->n, sizeof(*p), samples_cmp_rows);
	for (size_t i = 0, j; i < rows->n && !ret; i = j) {
		const struct samples_row *x = p[i];
		bool complete = x->rc->status == CS_OK || x->rc->status == CS_UNVERIFIED;
		unsigned long want = x->m->flags & CASE_M_ONCE ? 1 : x->rc->reps;

		for (j = i + 1; j < rows->n && p[j]->rc == x->rc && p[j]->m == x->m; j++)
			if (p[j]->rep == p[j - 1]->rep) {
				const struct samples_row *a = p[j - 1], *b = p[j];

				if (a->line > b->line) {
					a = p[j];
					b = p[j - 1];
				}
				ret = samples_fail(set, -EINVAL, "%s:%zu: sample %s rep %lu again (first on line %zu)",
						   path, b->line, case_name(&b->k, name, sizeof(name)),
						   b->rep, a->line);
				break;
			}
		if (ret)
			break;
		if (!(x->m->flags & CASE_M_ONCE))
			x->rc->has_series = true;
		if (complete && !(x->m->flags & CASE_M_SPARSE) && j - i != want)
			ret = samples_fail(set, -EINVAL, "%s:%zu: case %s has %zu of the %lu samples cases.csv:%zu promises (rows lost?)",
					   path, p[j - 1]->line, case_name(&x->k, name, sizeof(name)),
					   j - i, want, x->rc->line);
	}
	for (size_t i = 0, j; i < rows->n && !ret; i = j) {
		for (j = i + 1; j < rows->n && p[j]->rc == p[i]->rc; j++)
			;
		ret = samples_check_family(set, path, p + i, j - i, "ptdump-", m) ?:
		      samples_check_family(set, path, p + i, j - i, "kprobe-", m);
	}
	for (size_t i = 0; i < rc->n && !ret; i++) {
		const struct samples_rcase *c = &rc->c[i];

		if ((c->status == CS_OK || c->status == CS_UNVERIFIED) && c->reps &&
		    !c->has_series)
			ret = samples_fail(set, -EINVAL, "%s:%zu: case %s ran %lu reps, but %s has no sample of it per rep (rows lost?)",
					   cases_path, c->line, case_name(&c->k, name, sizeof(name)),
					   c->reps, path);
	}
	free(p);
	return ret;
}

/* ---- sides ------------------------------------------------------------ */

static size_t samples_intern(struct samples_set *set, const struct case_key *k)
{
	if (set->last < set->ncases && !case_cmp(&set->cases[set->last], k, CASE_NFIELDS))
		return set->last;
	for (set->last = 0; set->last < set->ncases; set->last++)
		if (!case_cmp(&set->cases[set->last], k, CASE_NFIELDS))
			return set->last;
	set->cases = samples_grow(set->cases, &set->cases_cap, set->ncases + 1,
				  sizeof(*set->cases));
	if (!set->cases)
		return SIZE_MAX;
	set->cases[set->ncases] = *k;
	return set->last = set->ncases++;
}

static bool samples_keep(const struct case_key *k, const struct samples_opts *o)
{
	return (!o->bench || !strcmp(k->bench, o->bench)) &&
	       (!o->metric || !regexec(o->metric, k->metric, 0, NULL, 0));
}

static int samples_add_obs(struct samples_set *set, struct samples_side *sd,
			   const struct samples_rows *rows,
			   const struct samples_opts *o)
{
	for (size_t i = 0; i < rows->n; i++) {
		const struct samples_row *w = &rows->r[i];
		size_t kase;

		if (!samples_keep(&w->k, o))
			continue;
		kase = samples_intern(set, &w->k);
		sd->obs = samples_grow(sd->obs, &sd->obs_cap, sd->nobs + 1, sizeof(*sd->obs));
		if (kase == SIZE_MAX || !sd->obs)
			return samples_fail(set, -ENOMEM, "out of memory");
		sd->obs[sd->nobs++] = (struct samples_obs){
			.kase = kase, .run = sd->nruns - 1,
			.value = w->value, .verified = w->verified,
		};
	}
	return 0;
}

static void samples_run_free(struct samples_run *r)
{
	free(r->dir);
	free(r->run_id);
	free(r->kernel);
	free(r->kernel_spec);
	free(r->kernel_source);
	free(r->accel);
	free(r->status);
	free(r->commit);
	free(r->bench_suite);
	free(r->bench_suite_sha256);
	free(r->config_sha256);
}

static bool samples_name_incomplete(const char *dir)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	return len >= 11 && !strncmp(dir + len - 11, ".incomplete", 11);
}

/* A new run of @sd for @dir; NULL with set->err. */
static struct samples_run *samples_new_run(struct samples_set *set,
					   struct samples_side *sd,
					   const char *dir)
{
	struct samples_run *r = samples_grow(sd->runs, &sd->runs_cap, sd->nruns + 1,
					     sizeof(*r));

	if (!r) {
		samples_fail(set, -ENOMEM, "out of memory");
		return NULL;
	}
	sd->runs = r;
	r = &sd->runs[sd->nruns++];
	*r = (struct samples_run){ .dir = strdup(dir),
				   .incomplete = samples_name_incomplete(dir) };
	if (!r->dir) {
		samples_fail(set, -ENOMEM, "out of memory");
		return NULL;
	}
	return r;
}

/* Whether run @r may join: one boot once per side, status ok or allowed. */
static int samples_admit(struct samples_set *set, struct samples_side *sd,
			 struct samples_run *r, const struct samples_opts *o)
{
	for (size_t i = 0; i + 1 < sd->nruns; i++)
		if (!strcmp(sd->runs[i].run_id, r->run_id) && sd->runs[i].boot == r->boot)
			return samples_fail(set, -EINVAL, "%s: run %s boot %lu also appears in %s (in %s): a sample must count once",
					    r->dir, r->run_id, r->boot, sd->runs[i].dir, sd->arg);
	if (strcmp(r->status, "ok") || r->incomplete) {
		sd->nbad++;
		if (o->allow_failed)
			samples_note(o, "note: %s: %s, read because of --allow-failed", r->dir,
				     *r->status ? r->status : "no status row");
	}
	return 0;
}

int samples_read_run_streams(struct samples_set *set, struct samples_side *sd,
			     const char *dir, FILE *meta, FILE *cases,
			     FILE *samples, const struct samples_opts *o)
{
	struct samples_meta m = { 0 };
	struct samples_rcases rc = { 0 };
	struct samples_rows rows = { 0 };
	char mpath[4096], cpath[4096], spath[4096];
	struct samples_run *run = samples_new_run(set, sd, dir);
	int ret = run ? 0 : -ENOMEM;

	if (!samples_join(mpath, sizeof(mpath), dir, "meta.csv") ||
	    !samples_join(cpath, sizeof(cpath), dir, "cases.csv") ||
	    !samples_join(spath, sizeof(spath), dir, "samples.csv"))
		ret = ret ? ret : samples_fail(set, -ENAMETOOLONG, "%s: path too long", dir);
	ret = ret ? ret : samples_read_meta(set, meta, mpath, &m);
	ret = ret ? ret : samples_run_from_meta(set, &m, mpath, run);
	ret = ret ? ret : samples_read_cases(set, cases, cpath, run, &rc);
	ret = ret ? ret : samples_read_rows(set, samples, spath, run, &rc, &rows);
	ret = ret ? ret : samples_check_rows(set, spath, cpath, &rows, &rc, &m);
	ret = ret ? ret : samples_admit(set, sd, run, o);
	ret = ret ? ret : samples_add_obs(set, sd, &rows, o);
	samples_meta_free(&m);
	free(rc.c);
	free(rows.r);
	return ret;
}

static bool samples_is_file(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	return samples_join(path, sizeof(path), dir, name) &&
	       !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool samples_is_run(const char *dir)
{
	return samples_is_file(dir, "samples.csv") || samples_is_file(dir, "meta.csv");
}

static int samples_read_run(struct samples_set *set, struct samples_side *sd,
			    const char *dir, const struct samples_opts *o)
{
	static const char *const names[] = { "meta.csv", "cases.csv", "samples.csv" };
	FILE *fp[ARRAY_SIZE(names)] = { NULL };
	char path[4096];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names) && !ret; i++) {
		if (!samples_join(path, sizeof(path), dir, names[i]))
			ret = samples_fail(set, -ENAMETOOLONG, "%s: path too long", dir);
		else if (!(fp[i] = fopen(path, "re")))
			ret = samples_fail(set, -errno, "cannot open %s: %s", path, strerror(errno));
	}
	if (!ret)
		ret = samples_read_run_streams(set, sd, dir, fp[0], fp[1], fp[2], o);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (fp[i])
			fclose(fp[i]);
	return ret;
}

static int samples_skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Entries of @dir but "." and "..". */
static size_t samples_count_entries(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, samples_skip_dots, NULL);

	for (int i = 0; i < n; i++)
		free(ents[i]);
	if (n >= 0)
		free(ents);
	return n > 0 ? (size_t)n : 0;
}

/* Every run below @dir, sorted; "failed-attempts" only counted. */
static int samples_read_dir(struct samples_set *set, struct samples_side *sd,
			    const char *dir, const struct samples_opts *o)
{
	struct dirent **ents;
	size_t attempts = 0;
	char path[4096];
	int n, ret = 0;
	struct stat st;

	n = scandir(dir, &ents, samples_skip_dots, alphasort);
	if (n < 0)
		return samples_fail(set, -errno, "cannot read %s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (!ret && !samples_join(path, sizeof(path), dir, ents[i]->d_name))
			ret = samples_fail(set, -ENAMETOOLONG, "%s: path too long", dir);
		if (ret || stat(path, &st) || !S_ISDIR(st.st_mode))
			;	/* files beside the runs are not runs */
		else if (!strcmp(ents[i]->d_name, "failed-attempts"))
			attempts += samples_count_entries(path);
		else if (samples_is_run(path) &&
			 (!samples_name_incomplete(path) || samples_is_file(path, "samples.csv")))
			ret = samples_read_run(set, sd, path, o);
		/* A run that failed before any sample: its meta.csv says why. */
		else if (samples_name_incomplete(path) && o->allow_failed)
			samples_note(o, "note: %s: an incomplete run without samples, nothing to read", path);
		else if (samples_name_incomplete(path))
			ret = samples_fail(set, -EINVAL, "%s: a run that never completed (no samples.csv); move it out of %s",
					   path, dir);
		else
			ret = samples_fail(set, -EINVAL, "%s: neither a run directory (no samples.csv, no meta.csv) nor failed-attempts",
					   path);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	if (!ret && attempts)
		samples_note(o, "note: %s: ignored %zu failed attempt(s) in %s/failed-attempts",
			     sd->name, attempts, dir);
	if (!ret && !sd->nruns)
		ret = samples_fail(set, -EINVAL, "%s: no run directories in it", dir);
	return ret;
}

/* The runs of @sd that are not ok, for the refusal, in @buf. */
static const char *samples_bad_runs(const struct samples_side *sd, char *buf,
				    size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sd->nruns && off < len; i++) {
		const struct samples_run *r = &sd->runs[i];

		if (!strcmp(r->status, "ok") && !r->incomplete)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)",
					off ? ", " : "", r->dir,
					!*r->status ? "no status row" :
					strcmp(r->status, "ok") ? r->status : "named .incomplete");
	}
	return buf;
}

int samples_read_side(struct samples_set *set, const char *name,
		      const char *arg, const struct samples_opts *o)
{
	struct samples_side *sd = realloc(set->sides, (set->nsides + 1) * sizeof(*sd));
	char buf[700];
	int ret = 0;

	if (!sd)
		return samples_fail(set, -ENOMEM, "out of memory");
	set->sides = sd;
	sd = &set->sides[set->nsides++];
	*sd = (struct samples_side){ .arg = arg };
	snprintf(sd->name, sizeof(sd->name), "%s", name);
	if (strchr(arg, ',')) {
		char *list = strdup(arg), *save = NULL;

		if (!list)
			return samples_fail(set, -ENOMEM, "out of memory");
		if (arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
			ret = samples_fail(set, -EINVAL, "%s: empty entry in the list", arg);
		for (char *d = strtok_r(list, ",", &save); d && !ret;
		     d = strtok_r(NULL, ",", &save))
			ret = samples_is_run(d) ? samples_read_run(set, sd, d, o) :
			      samples_fail(set, -EINVAL, "%s: not a run directory (no samples.csv, no meta.csv)", d);
		free(list);
	} else if (samples_is_run(arg)) {
		ret = samples_read_run(set, sd, arg, o);
	} else {
		ret = samples_read_dir(set, sd, arg, o);
	}
	if (!ret && sd->nbad && !o->allow_failed)
		ret = samples_fail(set, -EINVAL, "%s (%s): %zu run(s) did not complete: %s; leave them out or pass --allow-failed",
				   sd->name, arg, sd->nbad, samples_bad_runs(sd, buf, sizeof(buf)));
	return ret;
}

/* ---- across sides ----------------------------------------------------- */

/* The distinct values of a run field over @sd, "a (2 runs), b (1 run)". */
static size_t samples_distinct(const struct samples_side *sd,
			       size_t field_off, bool counts, char *buf,
			       size_t len)
{
	size_t off = 0, n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sd->nruns; i++) {
		const char *v = *(char *const *)((const char *)&sd->runs[i] + field_off);
		size_t same = 0, j;

		for (j = 0; j < i; j++)
			if (!strcmp(*(char *const *)((const char *)&sd->runs[j] + field_off), v))
				break;
		if (j < i)
			continue;
		for (j = i; j < sd->nruns; j++)
			same += !strcmp(*(char *const *)((const char *)&sd->runs[j] + field_off), v);
		n++;
		if (off >= len)
			continue;
		if (counts)
			off += (size_t)snprintf(buf + off, len - off, "%s%s (%zu run%s)",
						off ? ", " : "", *v ? v : "unknown", same,
						same == 1 ? "" : "s");
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? ", " : "", *v ? v : "unknown");
	}
	return n;
}

const char *samples_side_kernels(const struct samples_side *sd, char *buf,
				 size_t len)
{
	samples_distinct(sd, offsetof(struct samples_run, kernel), false, buf, len);
	return buf;
}

int samples_check_sides(struct samples_set *set, const struct samples_opts *o)
{
	char list[512], buf[512];
	size_t off = 0;
	bool mixed = false;

	for (size_t s = 0; s < set->nsides; s++) {
		const struct samples_side *sd = &set->sides[s];

		for (size_t t = 0; t < s; t++)
			for (size_t i = 0; i < sd->nruns; i++)
				for (size_t j = 0; j < set->sides[t].nruns; j++) {
					const struct samples_run *a = &set->sides[t].runs[j];
					const struct samples_run *b = &sd->runs[i];

					if (strcmp(a->run_id, b->run_id) || a->boot != b->boot)
						continue;
					if (!o->allow_same_run)
						return samples_fail(set, -EINVAL, "%s and %s both hold run %s boot %lu (%s, %s): a comparison of data with itself (--allow-same-run to check the tool on it)",
								    set->sides[t].name, sd->name, b->run_id,
								    b->boot, a->dir, b->dir);
					samples_note(o, "note: %s and %s both hold run %s boot %lu: a check of the tool on identical data, not a comparison",
						     set->sides[t].name, sd->name, b->run_id, b->boot);
				}
		if (samples_distinct(sd, offsetof(struct samples_run, accel), false, buf, sizeof(buf)) != 1)
			return samples_fail(set, -EINVAL, "%s (%s) mixes accel modes %s: compare runs of one mode",
					    sd->name, sd->arg, buf);
		mixed |= strcmp(sd->runs[0].accel, set->sides[0].runs[0].accel) != 0;
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s %s",
						s ? ", " : "", sd->name, sd->runs[0].accel);
		if (samples_distinct(sd, offsetof(struct samples_run, commit), true, buf, sizeof(buf)) > 1)
			samples_note(o, "warning: %s (%s) pools runs of vfio-perf commits %s",
				     sd->name, sd->arg, buf);
		if (samples_distinct(sd, offsetof(struct samples_run, bench_suite_sha256), true, buf, sizeof(buf)) > 1)
			samples_note(o, "warning: %s (%s) pools runs of different suite files (sha256 %s)",
				     sd->name, sd->arg, buf);
		if (samples_distinct(sd, offsetof(struct samples_run, config_sha256), true, buf, sizeof(buf)) > 1)
			samples_note(o, "warning: %s (%s) pools runs of different kernel configs (sha256 %s)",
				     sd->name, sd->arg, buf);
	}
	/*
	 * Icount figures count guest instructions, TCG figures are emulated
	 * wall-clock time, KVM and host figures are real time: a ratio
	 * between two of them measures the accelerator, not the kernel.
	 */
	if (mixed)
		return samples_fail(set, -EINVAL, "sides were measured under different accel modes (%s): refusing to compare them",
				    list);
	return 0;
}

/* The value of "key=" in a "k=v;k=v" list, into @buf; false if absent. */
static bool samples_source_get(const char *src, const char *key, char *buf,
			       size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = src; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *end = strchrnul(p + klen + 1, ';');

			snprintf(buf, len, "%.*s", (int)(end - p - klen - 1), p + klen + 1);
			return *buf != '\0';
		}
	}
	return false;
}

static void samples_run_label(const struct samples_run *r, char *buf, size_t len)
{
	if (!strncmp(r->kernel_spec, "build:", 6) && r->kernel_spec[6])
		snprintf(buf, len, "%s", r->kernel_spec + 6);
	else if (!samples_source_get(r->kernel_source, "version", buf, len))
		snprintf(buf, len, "%s", r->kernel);
}

int samples_side_label(struct samples_set *set, const struct samples_side *sd,
		       char *buf, size_t len)
{
	char other[128], list[512];

	samples_run_label(&sd->runs[0], buf, len);
	for (size_t i = 1; i < sd->nruns; i++) {
		samples_run_label(&sd->runs[i], other, sizeof(other));
		if (strcmp(buf, other))
			return samples_fail(set, -EINVAL, "%s (%s) mixes kernels %s: give it a --label or split it",
					    sd->name, sd->arg,
					    samples_side_kernels(sd, list, sizeof(list)));
	}
	return 0;
}

void samples_free(struct samples_set *set)
{
	for (size_t s = 0; s < set->nsides; s++) {
		for (size_t i = 0; i < set->sides[s].nruns; i++)
			samples_run_free(&set->sides[s].runs[i]);
		free(set->sides[s].runs);
		free(set->sides[s].obs);
	}
	free(set->sides);
	free(set->cases);
	*set = (struct samples_set){ 0 };
}
