// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>

#include "caserun.h"

void case_run_init(struct case_run *c, const struct results_case *rc, bool on)
{
	*c = (struct case_run){ .rc = *rc, .on = on, .st = CASE_OK };
}

bool case_run_ok(const struct case_run *c)
{
	return c->on && c->st == CASE_OK;
}

void case_run_end(struct case_run *c, enum case_status st, const char *why)
{
	if (!case_run_ok(c))
		return;
	c->st = st;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

void case_run_sample(struct results *r, struct case_run *c, const char *metric,
		     unsigned int rep, double v, const char *unit, bool verified)
{
	if (isnan(v))
		return;
	results_sample(r, &c->rc, metric, rep, v, unit, verified);
	c->bad += !verified;
}

void case_run_close(struct results *r, struct case_run *c, unsigned int reps,
		    const char *unverified, struct case_tally *t)
{
	enum case_status st = c->st;

	if (!c->on)
		return;
	if (st == CASE_OK && c->bad)
		st = CASE_UNVERIFIED;
	results_case_done(r, &c->rc, st, st == CASE_SKIP ? 0 : reps,
			  st == CASE_UNVERIFIED ? unverified : c->why);
	t->ok += st == CASE_OK;
	t->fail += st == CASE_FAIL || st == CASE_UNVERIFIED;
	t->skip += st == CASE_SKIP;
}
