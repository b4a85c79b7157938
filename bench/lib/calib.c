// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calib.h"
#include "csv.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const unsigned int calib_boots[CALIB_NBOOTS] = { 1, 2, 3, 5, 8 };

/* docs/results.md, "Calibration": the columns of calibration.csv. */
static const char *const calib_cols[] = {
	"accel", "label", "kernel", "boots", "family", "threshold", "scale",
	"case", "bench", "backing", "level", "iface", "size_bytes",
	"chunk_bytes", "unmap_chunk_bytes", "metric", "unit", "goal", "n",
	"case_boots", "median", "within_sd", "boot_sd", "df",
	"floor_1", "floor_2", "floor_3", "floor_5", "floor_8",
	"mde_1", "mde_2", "mde_3", "mde_5", "mde_8",
	"aa_comparisons", "aa_false", "aa_unstable",
	"scaled_comparisons", "scaled_regressed", "populate",
};
enum { K_ACCEL, K_LABEL, K_KERNEL, K_BOOTS, K_CASE = 7, K_BOOT_SD = 22, K_DF };
/* Calibrations written before the populate column have one column less. */
#define CALIB_OLD_NCOLS (ARRAY_SIZE(calib_cols) - 1)

static const char *calib_goal_name(enum compare_goal g)
{
	return g == COMPARE_LOWER ? "lower" : g == COMPARE_HIGHER ? "higher" : "info";
}

static void calib_put_row(struct csv_writer *w, const struct calib_meta *m,
			  const struct calib_row *r)
{
	char buf[CASE_NAME_LEN];

	csv_put_str(w, m->accel);
	csv_put_str(w, m->label);
	csv_put_str(w, m->kernel);
	csv_put_u64(w, m->boots);
	csv_put_u64(w, m->family);
	csv_put_double(w, m->threshold);
	csv_put_double(w, m->scale);
	csv_put_str(w, case_name(r->k, buf, sizeof(buf)));
	/* populate came later: its column is the last (docs/results.md). */
	for (size_t f = 0; f < CASE_NFIELDS; f++)
		if (f != CASE_POPULATE)
			csv_put_str(w, case_field_text(r->k, (enum case_field)f, buf, sizeof(buf)));
	csv_put_str(w, calib_goal_name(r->goal));
	csv_put_u64(w, r->n);
	csv_put_u64(w, r->boots);
	csv_put_double(w, r->median);
	csv_put_double(w, r->within_sd);
	csv_put_double(w, r->boot_sd);
	csv_put_double(w, r->df);
	for (size_t i = 0; i < CALIB_NBOOTS; i++)
		csv_put_double(w, r->floor[i]);
	for (size_t i = 0; i < CALIB_NBOOTS; i++)
		csv_put_double(w, r->mde[i]);
	csv_put_u64(w, r->aa_comparisons);
	csv_put_u64(w, r->aa_false);
	csv_put_u64(w, r->aa_unstable);
	csv_put_u64(w, r->scaled_comparisons);
	csv_put_u64(w, r->scaled_regressed);
	csv_put_str(w, r->k->populate);
	csv_end_row(w);
}

int calib_write_csv(const char *path, const struct calib_meta *m,
		    const struct calib_row *rows, size_t n)
{
	struct csv_writer w;
	int ret = csv_open(&w, path, calib_cols, ARRAY_SIZE(calib_cols));

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		calib_put_row(&w, m, &rows[i]);
	return csv_commit(&w);
}

static int calib_fail(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int calib_fail(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return ret;
}

/* A number csv_put_double() wrote, or an empty field (NaN). */
static bool calib_number(const char *s, double *out)
{
	char *end;

	if (!*s) {
		*out = NAN;
		return true;
	}
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && isfinite(*out);
}

static int calib_row_in(struct calib *c, char **f, size_t line, char *err,
			size_t len)
{
	struct calib_entry *e;
	double boots, sd, df;

	if (!calib_number(f[K_BOOTS], &boots) || !(boots >= 2) ||
	    !calib_number(f[K_BOOT_SD], &sd) || !calib_number(f[K_DF], &df))
		return calib_fail(err, len, -EINVAL, "%s:%zu: boots, boot_sd or df is not a number in its range",
				  c->path, line);
	if (!*c->accel) {
		snprintf(c->accel, sizeof(c->accel), "%s", f[K_ACCEL]);
		snprintf(c->label, sizeof(c->label), "%s", f[K_LABEL]);
		c->boots = (unsigned long)boots;
	} else if (strcmp(c->accel, f[K_ACCEL])) {
		return calib_fail(err, len, -EINVAL, "%s:%zu: accel '%s' is not the first row's '%s'",
				  c->path, line, f[K_ACCEL], c->accel);
	}
	if (!*f[K_CASE] || strlen(f[K_CASE]) >= CASE_NAME_LEN)
		return calib_fail(err, len, -EINVAL, "%s:%zu: no case name", c->path, line);
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].name, f[K_CASE]))
			return calib_fail(err, len, -EINVAL, "%s:%zu: case %s again",
					  c->path, line, f[K_CASE]);
	/* No spread (a value not above 0) leaves the case uncalibrated. */
	if (isnan(sd) != isnan(df) || sd < 0 || df <= 0)
		return calib_fail(err, len, -EINVAL, "%s:%zu: boot_sd '%s' or df '%s' out of range",
				  c->path, line, f[K_BOOT_SD], f[K_DF]);
	if (c->n == c->cap) {
		e = reallocarray(c->e, c->cap ? 2 * c->cap : 64, sizeof(*e));
		if (!e)
			return calib_fail(err, len, -ENOMEM, "out of memory");
		c->e = e;
		c->cap = c->cap ? 2 * c->cap : 64;
	}
	e = &c->e[c->n++];
	snprintf(e->name, sizeof(e->name), "%s", f[K_CASE]);
	e->spread = (struct compare_spread){ .sd = sd, .df = df };
	return 0;
}

int calib_read(struct calib *c, const char *path, char *err, size_t len)
{
	struct csv_reader r;
	size_t line = 1, n, ncols;
	struct stat st;
	char **f;
	FILE *fp;
	int ret;

	*c = (struct calib){ 0 };
	err[0] = '\0';
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		snprintf(c->path, sizeof(c->path), "%s/calibration.csv", path);
	else
		snprintf(c->path, sizeof(c->path), "%s", path);
	fp = fopen(c->path, "re");
	if (!fp)
		return calib_fail(err, len, -errno, "cannot open %s: %s", c->path, strerror(errno));
	csv_reader_init(&r, fp);
	ret = csv_read_row(&r, &f, &n);
	ncols = ret == 1 && n == CALIB_OLD_NCOLS ? CALIB_OLD_NCOLS : ARRAY_SIZE(calib_cols);
	for (size_t i = 0; ret == 1 && (i < n || i < ncols); i++)
		if (i >= n || i >= ncols || strcmp(f[i], calib_cols[i]))
			ret = calib_fail(err, len, -EINVAL, "%s:1: header column %zu is '%s', a calibration's is '%s' (docs/results.md)",
					 c->path, i + 1, i < n ? f[i] : "(none)",
					 i < ncols ? calib_cols[i] : "(none)");
	if (ret == 0)
		ret = calib_fail(err, len, -EINVAL, "%s:1: empty file, no header", c->path);
	while (ret == 1) {
		ret = csv_read_row(&r, &f, &n);
		line++;
		if (ret == 1 && n != ncols)
			ret = calib_fail(err, len, -EINVAL, "%s:%zu: %zu fields, the header has %zu",
					 c->path, line, n, ncols);
		else if (ret == 1)
			ret = calib_row_in(c, f, line, err, len) ?: 1;
	}
	if (ret < 0 && !*err)
		calib_fail(err, len, ret, "%s:%zu: %s", c->path, line,
			   ret == -EINVAL ? "malformed CSV" : strerror(-ret));
	csv_reader_free(&r);
	fclose(fp);
	if (!ret && !*c->accel)
		ret = calib_fail(err, len, -EINVAL, "%s: no cases", c->path);
	if (ret)
		calib_free(c);
	return ret;
}

const struct compare_spread *calib_find(const struct calib *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->e[i].name, name))
			return isnan(c->e[i].spread.sd) ? NULL : &c->e[i].spread;
	return NULL;
}

void calib_free(struct calib *c)
{
	free(c->e);
	c->e = NULL;
	c->n = c->cap = 0;
}
