// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-ktap: the cases.csv rows of one kernel selftest program
 * (bench "selftest": one row per test case, from its KTAP output, its
 * test list and its exit status) or of one exec step (bench "exec": its
 * exit status).  The harness runs it on the host when it collects a run;
 * the guest only runs the programs and keeps their output
 * (README.md, "The selftest gate"; docs/results.md, "Checks").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "cli.h"
#include "csv.h"
#include "ktap.h"
#include "log.h"
#include "results.h"

#define MAX_NOT_RUN 16

struct opts {
	const char *run_id, *program, *exec, *out, *list, *skip, *tap;
	int exit;
	const char *not_run[MAX_NOT_RUN];	/* "WORD=REASON" */
	size_t nnot_run;
};

struct tally {
	unsigned long total, pass, fail, skip;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-ktap --run-id ID --program NAME --exit N --out FILE\n"
"                      [--list FILE] [--not-run WORD=REASON]... TAPFILE\n"
"       vfio-perf-ktap --run-id ID --program NAME --exit N --out FILE\n"
"                      [--list FILE] --skip REASON\n"
"       vfio-perf-ktap --run-id ID --exec STEP --program NAME --exit N --out FILE\n"
"\n"
"Write FILE, a cases.csv (docs/results.md) with the rows of one check:\n"
"\n"
"  a selftest   bench selftest, backing NAME, level the test case\n"
"               (FIXTURE.VARIANT.TEST), status ok, skip or fail with the\n"
"               reason. TAPFILE is what NAME printed (stdout and stderr);\n"
"               --exit its exit status; --list what `NAME -l` printed: every\n"
"               test gets a row, and one the output never reports is failed\n"
"               (the program stopped before it) unless its variant starts\n"
"               with a WORD of --not-run, which the harness excluded: then\n"
"               it is skipped with REASON. A program that ran no test (or,\n"
"               without --list, crashed before its plan was done) gets a\n"
"               row of its own with level empty\n"
"  --skip       the program was not run: every test of --list (or one row\n"
"               for the program) skipped with REASON\n"
"  --exec STEP  bench exec, backing NAME, level STEP: ok for exit 0, skip\n"
"               for 4, fail otherwise\n"
"\n"
"FILE must not exist; it is written whole or not at all. Prints one line\n"
"on stdout: NAME TOTAL PASSED FAILED SKIPPED (rows of each status).\n"
"\n"
"Exit: 0 nothing failed, 1 something failed, 2 bad usage or input.\n"
"\n"
"Example (an exec step that exited 0):\n"
"  build/release/vfio-perf-ktap --run-id r1 --exec hello --program hello \\\n"
"      --exit 0 --out /tmp/hello-cases.csv\n");
}

static struct opts parse_opts(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "run-id", required_argument, NULL, 'r' },
		{ "program", required_argument, NULL, 'p' },
		{ "exec", required_argument, NULL, 'e' },
		{ "exit", required_argument, NULL, 'x' },
		{ "out", required_argument, NULL, 'o' },
		{ "list", required_argument, NULL, 'l' },
		{ "not-run", required_argument, NULL, 'n' },
		{ "skip", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .exit = -1 };
	int c;

	while ((c = cli_getopt(argc, argv, "h", lo)) != -1) {
		switch (c) {
		case 'r': o.run_id = optarg; break;
		case 'p': o.program = optarg; break;
		case 'e': o.exec = optarg; break;
		case 'x': o.exit = (int)cli_uint("--exit", optarg, 0, 255); break;
		case 'o': o.out = optarg; break;
		case 'l': o.list = optarg; break;
		case 's': o.skip = optarg; break;
		case 'n':
			if (o.nnot_run == MAX_NOT_RUN)
				die_usage("more than %d --not-run", MAX_NOT_RUN);
			if (!strchr(optarg, '=') || *optarg == '=')
				die_usage("--not-run wants WORD=REASON, not '%s'", optarg);
			o.not_run[o.nnot_run++] = optarg;
			break;
		case 'h': usage(stdout); exit(EXIT_OK);
		}
	}
	if (!o.run_id || !o.program || o.exit < 0 || !o.out)
		die_usage("--run-id, --program, --exit and --out are required");
	if (o.exec && (o.skip || o.list || o.nnot_run || optind != argc))
		die_usage("--exec takes no TAPFILE, --list, --not-run or --skip");
	if (!o.exec && !o.skip && optind != argc - 1)
		die_usage("want one TAPFILE (or --skip REASON)");
	if (o.skip && optind != argc)
		die_usage("--skip takes no TAPFILE");
	o.tap = optind < argc ? argv[optind] : NULL;
	return o;
}

/* One row; its fields are checked as the reader will check them. */
static void put_row(struct csv_writer *w, const struct opts *o,
		    struct tally *t, const char *bench, const char *level,
		    const char *status, const char *reason)
{
	struct case_key k = { 0 };
	char why[256];

	if (case_set_field(&k, CASE_BENCH, bench, why, sizeof(why)) ||
	    case_set_field(&k, CASE_BACKING, o->program, why, sizeof(why)) ||
	    case_set_field(&k, CASE_LEVEL, level, why, sizeof(why)) ||
	    case_check(&k, false, why, sizeof(why))) {
		csv_abort(w);
		die_refused("%s", why);
	}
	csv_put_str(w, o->run_id);
	csv_put_str(w, bench);
	csv_put_str(w, o->program);
	csv_put_str(w, level);
	csv_put_str(w, "");
	for (int i = 0; i < 3; i++)
		csv_put_str(w, "0");
	csv_put_str(w, status);
	csv_put_str(w, "0");
	csv_put_str(w, reason);
	csv_put_str(w, "");	/* populate: a check touches no buffer */
	csv_end_row(w);
	t->total++;
	if (!strcmp(status, "ok"))
		t->pass++;
	else if (!strcmp(status, "skip"))
		t->skip++;
	else
		t->fail++;
}

/* A test's row: XFAIL and XPASS count as passes, with what they were. */
static void put_test(struct csv_writer *w, const struct opts *o,
		     struct tally *t, const struct ktap_test *kt)
{
	const char *status = ktap_failed(kt->result) ? "fail" :
			     kt->result == KTAP_SKIP ? "skip" : "ok";
	char reason[1024];

	if (kt->result == KTAP_XFAIL || kt->result == KTAP_XPASS || kt->result == KTAP_ERROR)
		snprintf(reason, sizeof(reason), "%s%s%s", ktap_result_name(kt->result),
			 *kt->reason ? ": " : "", kt->reason);
	else if (ktap_failed(kt->result) && !*kt->reason)
		snprintf(reason, sizeof(reason), "%.1000s", kt->note);
	else
		snprintf(reason, sizeof(reason), "%s", kt->reason);
	put_row(w, o, t, "selftest", kt->name, status, reason);
}

/* "exit 1: <its last line>", why a program stopped. */
static const char *ended(const struct opts *o, const struct ktap_report *r,
			 char *buf, size_t len)
{
	if (r->bailed)
		snprintf(buf, len, "Bail out! %s", r->bail_reason);
	else if (o->exit > 128)
		snprintf(buf, len, "exit %d (signal %d)", o->exit, o->exit - 128);
	else
		snprintf(buf, len, "exit %d%s%.200s", o->exit,
			 r->last_line ? ": " : "", r->last_line ? r->last_line : "");
	return buf;
}

/* The WORD=REASON of --not-run whose WORD starts @variant, or NULL. */
static const char *not_run(const struct opts *o, const char *variant)
{
	for (size_t i = 0; i < o->nnot_run; i++) {
		const char *eq = strchr(o->not_run[i], '=');
		size_t n = (size_t)(eq - o->not_run[i]);

		if (*variant && !strncmp(variant, o->not_run[i], n))
			return eq + 1;
	}
	return NULL;
}

static void read_list(const struct opts *o, struct ktap_list *l)
{
	FILE *fp;
	int ret;

	*l = (struct ktap_list){ 0 };
	if (!o->list)
		return;
	fp = fopen(o->list, "re");
	if (!fp)
		die_refused("cannot read %s: %s", o->list, strerror(errno));
	/* A program that died before listing has no list: rows from TAP. */
	ret = ktap_parse_list(fp, l);
	fclose(fp);
	if (ret && ret != -EINVAL)
		die_refused("cannot read %s: %s", o->list, strerror(-ret));
}

static void selftest_rows(struct csv_writer *w, const struct opts *o,
			  struct tally *t)
{
	struct ktap_report r;
	struct ktap_list l;
	char why[512];
	FILE *fp;
	int ret;

	fp = fopen(o->tap, "re");
	if (!fp)
		die_refused("cannot read %s: %s", o->tap, strerror(errno));
	ret = ktap_parse(fp, &r);
	fclose(fp);
	if (ret)
		die_refused("cannot read %s: %s", o->tap, strerror(-ret));
	read_list(o, &l);
	for (size_t i = 0; i < l.n; i++) {
		const struct ktap_test *kt = ktap_find(&r, l.e[i].name);
		const char *reason = not_run(o, l.e[i].variant);

		if (kt)
			put_test(w, o, t, kt);
		else if (reason)
			put_row(w, o, t, "selftest", l.e[i].name, "skip", reason);
		else
			put_row(w, o, t, "selftest", l.e[i].name, "fail",
				ended(o, &r, why, sizeof(why)));
	}
	/* Results the list does not name (subtests, or no list at all). */
	for (size_t i = 0; i < r.ntests; i++) {
		bool listed = false;

		for (size_t j = 0; j < l.n && !listed; j++)
			listed = !strcmp(l.e[j].name, r.tests[i].name);
		if (!listed)
			put_test(w, o, t, &r.tests[i]);
	}
	if (!t->total && r.skip_all)
		put_row(w, o, t, "selftest", "", "skip", r.skip_reason);
	else if (!t->total && (o->exit == 0 || o->exit == EXIT_SKIP))
		put_row(w, o, t, "selftest", "", o->exit ? "skip" : "ok",
			ended(o, &r, why, sizeof(why)));
	else if (!t->total || (!l.n && r.missing) || (o->exit && o->exit != EXIT_SKIP && !t->fail) ||
		 r.bailed) {
		char what[640];

		snprintf(what, sizeof(what), "%s%s", !l.n && r.missing ?
			 "stopped before its plan was done: " : "", ended(o, &r, why, sizeof(why)));
		put_row(w, o, t, "selftest", "", "fail", what);
	}
	ktap_list_free(&l);
	ktap_free(&r);
}

int main(int argc, char **argv)
{
	struct tally t = { 0 };
	struct csv_writer w;
	struct opts o;
	char reason[64];
	int ret;

	log_prog = "vfio-perf-ktap";
	o = parse_opts(argc, argv);
	ret = csv_open(&w, o.out, results_case_cols, RESULTS_NCASE_COLS);
	if (ret)
		die_refused("cannot write %s: %s", o.out,
			    ret == -EEXIST ? "it exists (results are never overwritten)" :
			    strerror(-ret));
	if (o.exec) {
		/* The step's name is the row's level: a program may run twice. */
		if (o.exit > 128)
			snprintf(reason, sizeof(reason), "exit %d (signal %d)", o.exit,
				 o.exit - 128);
		else
			snprintf(reason, sizeof(reason), "exit %d", o.exit);
		put_row(&w, &o, &t, "exec", o.exec, !o.exit ? "ok" :
			o.exit == EXIT_SKIP ? "skip" : "fail", reason);
	} else if (o.skip) {
		struct ktap_list l;

		read_list(&o, &l);
		for (size_t i = 0; i < l.n; i++)
			put_row(&w, &o, &t, "selftest", l.e[i].name, "skip", o.skip);
		if (!l.n)
			put_row(&w, &o, &t, "selftest", "", "skip", o.skip);
		ktap_list_free(&l);
	} else {
		selftest_rows(&w, &o, &t);
	}
	ret = csv_commit(&w);
	if (ret)
		die_refused("cannot write %s: %s", o.out, strerror(-ret));
	printf("%s %lu %lu %lu %lu\n", o.program, t.total, t.pass, t.fail, t.skip);
	return t.fail ? EXIT_FAIL : EXIT_OK;
}
