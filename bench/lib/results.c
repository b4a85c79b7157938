// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <time.h>

#include "case.h"
#include "log.h"
#include "results.h"
#include "size.h"
#include "stats.h"

/*
 * The header of samples.csv and cases.csv: docs/results.md.  Columns
 * that came later follow the older ones, so every earlier header is a
 * prefix of today's.
 */
static const char *const sample_cols[] = {
	"run_id", "bench", "backing", "level", "iface", "size_bytes",
	"chunk_bytes", "metric", "boot", "rep", "value", "unit",
	"unmap_chunk_bytes", "kernel", "target", "accel", "device", "cpu",
	"node", "verified", "populate",
};

const char *const results_case_cols[RESULTS_NCASE_COLS] = {
	"run_id", "bench", "backing", "level", "iface", "size_bytes",
	"chunk_bytes", "unmap_chunk_bytes", "status", "reps", "reason",
	"populate",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *case_status_name(enum case_status st)
{
	static const char *const names[] = {
		[CASE_OK] = "ok", [CASE_SKIP] = "skip", [CASE_FAIL] = "fail",
		[CASE_UNVERIFIED] = "unverified",
	};
	return names[st];
}

static int open_csv(struct csv_writer *w, const char *dir, const char *name,
		    const char *const *cols, size_t n, char *why, size_t whylen)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = csv_open(w, path, cols, n);
	if (ret)
		snprintf(why, whylen, "%s: %s", path,
			 ret == -EEXIST ? "exists; results are never overwritten" :
			 strerror(-ret));
	return ret;
}

int results_open(struct results *r, const struct results_opts *o,
		 struct meta *m, char *why, size_t whylen)
{
	struct utsname u;
	char stamp[32];
	time_t now = time(NULL);
	int ret;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->meta = m;
	uname(&u);
	snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(r->run_id, sizeof(r->run_id), "%s",
		 o->run_id ? o->run_id : stamp);
	if (!o->run_id)
		snprintf(r->run_id + strlen(r->run_id),
			 sizeof(r->run_id) - strlen(r->run_id), "-%s", u.release);

	if (mkdir(o->dir, 0755) && errno != EEXIST) {
		snprintf(why, whylen, "cannot create %s: %s", o->dir, strerror(errno));
		return -errno;
	}
	snprintf(r->meta_path, sizeof(r->meta_path), "%s/meta.csv", o->dir);
	if (!access(r->meta_path, F_OK)) {
		snprintf(why, whylen, "%s: exists; results are never overwritten",
			 r->meta_path);
		return -EEXIST;
	}
	ret = open_csv(&r->samples, o->dir, "samples.csv", sample_cols,
		       ARRAY_SIZE(sample_cols), why, whylen);
	if (ret)
		return ret;
	ret = open_csv(&r->cases, o->dir, "cases.csv", results_case_cols,
		       RESULTS_NCASE_COLS, why, whylen);
	if (ret) {
		csv_abort(&r->samples);
		return ret;
	}
	meta_set(m, "run_id", "%s", r->run_id);
	meta_set(m, "target", "%s", o->target);
	meta_set(m, "accel", "%s", o->accel);
	meta_set(m, "boot", "%u", o->boot);
	return 0;
}

static void put_case(struct csv_writer *w, const struct results *r,
		     const struct results_case *c)
{
	csv_put_str(w, r->run_id);
	csv_put_str(w, c->bench);
	csv_put_str(w, c->backing);
	csv_put_str(w, c->level);
	csv_put_str(w, c->iface);
	csv_put_u64(w, c->size);
	csv_put_u64(w, c->chunk ? c->chunk : c->size);
}

void results_sample(struct results *r, const struct results_case *c,
		    const char *metric, unsigned int rep, double value,
		    const char *unit, bool verified)
{
	struct csv_writer *w = &r->samples;

	put_case(w, r, c);
	csv_put_str(w, metric);
	csv_put_u64(w, r->o.boot);
	csv_put_u64(w, rep);
	csv_put_double(w, value);
	csv_put_str(w, unit);
	csv_put_u64(w, c->unmap_chunk ? c->unmap_chunk : c->size);
	csv_put_str(w, r->kernel);
	csv_put_str(w, r->o.target);
	csv_put_str(w, r->o.accel);
	csv_put_str(w, r->o.device);
	csv_put_str(w, r->o.cpu);
	csv_put_str(w, r->o.node);
	csv_put_str(w, verified ? "yes" : "no");
	csv_put_str(w, c->populate);
	csv_end_row(w);
}

void results_case_done(struct results *r, const struct results_case *c,
		       enum case_status st, unsigned int reps, const char *reason)
{
	struct csv_writer *w = &r->cases;

	put_case(w, r, c);
	csv_put_u64(w, c->unmap_chunk ? c->unmap_chunk : c->size);
	csv_put_str(w, case_status_name(st));
	csv_put_u64(w, reps);
	csv_put_str(w, st == CASE_OK ? "" : reason);
	csv_put_str(w, c->populate);
	csv_end_row(w);
	if (st != CASE_OK)
		log_msg("  %s: %s", case_status_name(st), reason);
}

void results_report(const struct results_case *c, const char *metric,
		    const double *ns, size_t n)
{
	struct stats_summary s;
	char sz[32];

	if (stats_summarize(ns, n, 1, &s))
		return;
	size_format(c->size, sz, sizeof(sz));
	log_msg("  %-8s median %12.0f ns  p5 %12.0f  p95 %12.0f  %8.2f GiB/s",
		metric, s.median, s.p5, s.p95,
		(double)c->size / (1 << 30) / (s.median / 1e9));
}

int results_commit(struct results *r, char *why, size_t whylen)
{
	int ret = csv_commit(&r->samples);

	if (!ret)
		ret = csv_commit(&r->cases);
	if (!ret)
		ret = meta_write(r->meta, r->meta_path);
	if (ret)
		snprintf(why, whylen, "writing results in %s: %s", r->o.dir,
			 strerror(-ret));
	return ret;
}

int results_case_names(FILE *f, const struct results_case *c)
{
	struct case_key k = { 0 };
	char buf[CASE_NAME_LEN], num[24], why[128];
	const char *text[CASE_METRIC] = {
		[CASE_BENCH] = c->bench, [CASE_BACKING] = c->backing,
		[CASE_LEVEL] = c->level ? c->level : "",
		[CASE_IFACE] = c->iface ? c->iface : "",
		[CASE_POPULATE] = c->populate ? c->populate : "",
	};
	uint64_t bytes[CASE_METRIC] = {
		[CASE_SIZE] = c->size, [CASE_CHUNK] = c->chunk,
		[CASE_UNMAP_CHUNK] = c->unmap_chunk,
	};

	for (int fld = 0; fld < CASE_METRIC; fld++) {
		const char *s = text[fld];

		if (fld == CASE_SIZE || fld == CASE_CHUNK || fld == CASE_UNMAP_CHUNK) {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)bytes[fld]);
			s = num;
		}
		if (case_set_field(&k, fld, s, why, sizeof(why)))
			return -EINVAL;
	}
	for (size_t i = 0; i < case_metric_count(); i++) {
		const struct case_metric *m = case_metric_at(i);

		if (m->flags & CASE_M_INFO)
			continue;
		snprintf(k.metric, sizeof(k.metric), "%s", m->name);
		snprintf(k.unit, sizeof(k.unit), "%s", m->unit);
		fprintf(f, "%s\n", case_name(&k, buf, sizeof(buf)));
	}
	return 0;
}
