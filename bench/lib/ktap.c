// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ktap.h"

static const char *const ktap_names[] = {
	[KTAP_PASS] = "pass", [KTAP_FAIL] = "fail", [KTAP_SKIP] = "skip",
	[KTAP_XFAIL] = "xfail", [KTAP_XPASS] = "xpass", [KTAP_ERROR] = "error",
};

const char *ktap_result_name(enum ktap_result res)
{
	return ktap_names[res];
}

bool ktap_failed(enum ktap_result res)
{
	return res == KTAP_FAIL || res == KTAP_ERROR;
}

/* @s without its trailing blanks and line end, in place. */
static char *ktap_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static const char *ktap_skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Whether @s starts with the word @w, any case; *rest is what follows. */
static bool ktap_word(const char *s, const char *w, const char **rest)
{
	size_t n = strlen(w);

	if (strncasecmp(s, w, n) || (s[n] && !isspace((unsigned char)s[n])))
		return false;
	*rest = ktap_skip_blanks(s + n);
	return true;
}

/*
 * Adopt the results just before the new one at depth @depth that sit
 * deeper: they are its subtests.  Their names get "PARENT/" in front.
 */
static int ktap_adopt(struct ktap_report *r, const char *parent, int depth)
{
	for (size_t i = r->ntests; i-- > 0 && r->tests[i].depth > depth;) {
		char *name;

		if (asprintf(&name, "%s/%s", parent, r->tests[i].name) < 0)
			return -ENOMEM;
		free(r->tests[i].name);
		r->tests[i].name = name;
	}
	return 0;
}

static void ktap_stray_reset(struct ktap_report *r)
{
	free(r->stray[0]);
	free(r->stray[1]);
	r->stray[0] = r->stray[1] = NULL;
}

/*
 * A line outside TAP (stderr of an assertion): remembered as the first
 * or last of the test's, a source path cut to its file name.
 */
static int ktap_stray(struct ktap_report *r, const char *s)
{
	const char *colon = strchr(s, ':'), *slash;
	int i = r->stray[0] ? 1 : 0;

	s = ktap_skip_blanks(s);
	if (!*s || *s == '#')
		return 0;
	slash = colon ? memrchr(s, '/', (size_t)(colon - s)) : NULL;
	if (slash && *s == '/')
		s = slash + 1;
	free(r->stray[i]);
	r->stray[i] = strdup(s);
	return r->stray[i] ? 0 : -ENOMEM;
}

static int ktap_add(struct ktap_report *r, const char *name,
		    enum ktap_result res, const char *reason, int depth)
{
	/* A program has tens of tests: no need for spare room. */
	struct ktap_test *t = reallocarray(r->tests, r->ntests + 1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	r->tests = t;
	if (ktap_adopt(r, name, depth))
		return -ENOMEM;
	t = &r->tests[r->ntests];
	*t = (struct ktap_test){ .result = res, .depth = depth };
	t->name = strdup(name);
	t->reason = strdup(reason);
	if (!r->stray[0])
		t->note = strdup("");
	else if (!r->stray[1] || !strcmp(r->stray[0], r->stray[1]))
		t->note = strdup(r->stray[0]);
	else if (asprintf(&t->note, "%s; %s", r->stray[0], r->stray[1]) < 0)
		t->note = NULL;
	if (!t->name || !t->reason || !t->note) {
		free(t->name);
		free(t->reason);
		free(t->note);
		return -ENOMEM;
	}
	ktap_stray_reset(r);
	r->ntests++;
	if (!depth)
		r->top++;
	return 0;
}

/*
 * "ok N NAME # DIRECTIVE", "not ok N - NAME #  diagnostic", after the
 * indentation.  Returns 1 when @s is a result line (added), 0 when it is
 * not, or -ENOMEM.
 */
static int ktap_result_line(struct ktap_report *r, char *s, int depth)
{
	bool ok = true;
	const char *dir = "", *rest;
	char *name, *hash, numbuf[32];
	enum ktap_result res;

	if (!strncmp(s, "not ok", 6) && (!s[6] || s[6] == ' ')) {
		ok = false;
		s += 6;
	} else if (!strncmp(s, "ok", 2) && (!s[2] || s[2] == ' ')) {
		s += 2;
	} else {
		return 0;
	}
	s = (char *)ktap_skip_blanks(s);
	name = s;
	while (isdigit((unsigned char)*s))
		s++;
	snprintf(numbuf, sizeof(numbuf), "#%.*s", (int)(s - name), name);
	s = (char *)ktap_skip_blanks(s);
	if (s[0] == '-' && s[1] == ' ')
		s += 2;
	name = s;
	hash = strstr(s, "#");
	while (hash && hash > name && hash[-1] == '\\')
		hash = strstr(hash + 1, "#");
	if (hash) {
		dir = ktap_skip_blanks(hash + 1);
		*hash = '\0';
	}
	ktap_rtrim(name);
	if (!*name)
		name = numbuf;
	if (ktap_word(dir, "SKIP", &rest))
		res = KTAP_SKIP;
	else if (ktap_word(dir, "TODO", &rest))
		res = ok ? KTAP_XPASS : KTAP_XFAIL;
	else if (ktap_word(dir, "XFAIL", &rest))
		res = KTAP_XFAIL;
	else if (ktap_word(dir, "XPASS", &rest))
		res = KTAP_XPASS;
	else if (!ok && ktap_word(dir, "error", &rest))
		res = KTAP_ERROR;
	else if ((rest = dir) && ok)
		res = KTAP_PASS;
	else
		res = KTAP_FAIL;
	return ktap_add(r, name, res, rest, depth) ? -ENOMEM : 1;
}

/* "1..N [# SKIP reason]" at depth 0. Returns 1 when it was a plan line. */
static int ktap_plan_line(struct ktap_report *r, const char *s)
{
	const char *p = s + 3, *rest;
	char *end;
	long n;

	if (strncmp(s, "1..", 3) || !isdigit((unsigned char)*p))
		return 0;
	n = strtol(p, &end, 10);
	r->plan = n;
	p = ktap_skip_blanks(end);
	if (!n && *p == '#' && ktap_word(ktap_skip_blanks(p + 1), "SKIP", &rest)) {
		r->skip_all = true;
		free(r->skip_reason);
		r->skip_reason = strdup(rest);
		if (!r->skip_reason)
			return -ENOMEM;
	}
	return 1;
}

static int ktap_line(struct ktap_report *r, char *line)
{
	int depth = 0;
	char *s = line;

	for (; !strncmp(s, "    ", 4); s += 4)
		depth++;
	if (!depth && ktap_plan_line(r, s))
		return r->skip_all && !r->skip_reason ? -ENOMEM : 0;
	if (!depth && (!strncmp(s, "TAP version", 11) || !strncmp(s, "KTAP version", 12)))
		return 0;
	if (!depth && !strncmp(s, "Bail out!", 9)) {
		r->bailed = true;
		free(r->bail_reason);
		r->bail_reason = strdup(ktap_skip_blanks(s + 9));
		return r->bail_reason ? 0 : -ENOMEM;
	}
	switch (ktap_result_line(r, s, depth)) {
	case 0:
		return ktap_stray(r, line);
	case 1:
		return 0;
	default:
		return -ENOMEM;
	}
}

int ktap_parse(FILE *fp, struct ktap_report *r)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	*r = (struct ktap_report){ .plan = -1 };
	while (!ret && getline(&line, &cap, fp) >= 0) {
		ktap_rtrim(line);
		if (*ktap_skip_blanks(line)) {
			free(r->last_line);
			r->last_line = strdup(ktap_skip_blanks(line));
			if (!r->last_line)
				ret = -ENOMEM;
		}
		if (!ret)
			ret = ktap_line(r, line);
	}
	free(line);
	if (!ret && ferror(fp))
		ret = -EIO;
	if (r->plan > 0 && (size_t)r->plan > r->top)
		r->missing = (size_t)r->plan - r->top;
	return ret;
}

const struct ktap_test *ktap_find(const struct ktap_report *r,
				  const char *name)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, name))
			return &r->tests[i];
	return NULL;
}

void ktap_free(struct ktap_report *r)
{
	for (size_t i = 0; i < r->ntests; i++) {
		free(r->tests[i].name);
		free(r->tests[i].reason);
		free(r->tests[i].note);
	}
	ktap_stray_reset(r);
	free(r->tests);
	free(r->skip_reason);
	free(r->bail_reason);
	free(r->last_line);
	*r = (struct ktap_report){ .plan = -1 };
}

/* ---- the list of `PROGRAM -l` ------------------------------------------ */

/* The widths kselftest_harness pads the fixture and variant columns to. */
#define KTAP_FIXTURE_COL 20
#define KTAP_VARIANT_COL 25

/* One fixture block: its name, its variants and its tests. */
struct ktap_block {
	char *fixture;
	char **col[2];		/* variants, tests */
	size_t n[2];
};

static int ktap_block_push(struct ktap_block *b, int which, const char *s)
{
	char **v = reallocarray(b->col[which], b->n[which] + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	b->col[which] = v;
	v[b->n[which]] = strdup(s);
	return v[b->n[which]++] ? 0 : -ENOMEM;
}

static void ktap_block_free(struct ktap_block *b)
{
	for (int c = 0; c < 2; c++) {
		for (size_t i = 0; i < b->n[c]; i++)
			free(b->col[c][i]);
		free(b->col[c]);
	}
	free(b->fixture);
	*b = (struct ktap_block){ 0 };
}

static int ktap_list_add(struct ktap_list *l, const char *fixture,
			 const char *variant, const char *test)
{
	struct ktap_entry *e = reallocarray(l->e, l->n + 1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	l->e = e;
	e = &l->e[l->n];
	e->variant = strdup(variant);
	if (asprintf(&e->name, "%s%s%s.%s", fixture, *variant ? "." : "",
		     variant, test) < 0)
		e->name = NULL;
	if (!e->name || !e->variant) {
		free(e->name);
		free(e->variant);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* Every test of the block, once per variant, in the harness's order. */
static int ktap_block_end(struct ktap_list *l, struct ktap_block *b)
{
	size_t nv = b->n[0] ? b->n[0] : 1;
	int ret = 0;

	for (size_t v = 0; v < nv && !ret; v++)
		for (size_t t = 0; t < b->n[1] && !ret; t++)
			ret = ktap_list_add(l, b->fixture ? b->fixture : "",
					    b->n[0] ? b->col[0][v] : "", b->col[1][t]);
	ktap_block_free(b);
	return ret;
}

/* The word of @line at column @col, if one starts there; its length. */
static size_t ktap_column(const char *line, size_t col, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	if (strlen(line) <= col || line[col] == ' ')
		return 0;
	while (line[col + n] && line[col + n] != ' ')
		n++;
	snprintf(out, len, "%.*s", (int)n, line + col);
	return n;
}

static int ktap_list_row(struct ktap_block *b, const char *line)
{
	char fixture[256], variant[256];
	size_t fw, vw, col;
	int ret = 0;

	fw = ktap_column(line, 0, fixture, sizeof(fixture));
	if (fw && !b->fixture) {
		b->fixture = strdup(fixture);
		if (!b->fixture)
			return -ENOMEM;
	}
	col = (fw > KTAP_FIXTURE_COL ? fw : KTAP_FIXTURE_COL) + 1;
	vw = ktap_column(line, col, variant, sizeof(variant));
	if (vw)
		ret = ktap_block_push(b, 0, variant);
	col += (vw > KTAP_VARIANT_COL ? vw : KTAP_VARIANT_COL) + 1;
	if (!ret && strlen(line) > col && *ktap_skip_blanks(line + col))
		ret = ktap_block_push(b, 1, ktap_skip_blanks(line + col));
	return ret;
}

int ktap_parse_list(FILE *fp, struct ktap_list *l)
{
	struct ktap_block b = { 0 };
	char *line = NULL;
	size_t cap = 0;
	bool header = false;
	int ret = 0;

	*l = (struct ktap_list){ 0 };
	while (!ret && getline(&line, &cap, fp) >= 0) {
		ktap_rtrim(line);
		if (!header) {
			header = !strncmp(line, "# FIXTURE", 9);
			continue;
		}
		if (!*line)
			continue;
		if (strspn(line, "-") == strlen(line))
			ret = ktap_block_end(l, &b);
		else
			ret = ktap_list_row(&b, line);
	}
	if (!ret)
		ret = ktap_block_end(l, &b);
	ktap_block_free(&b);
	free(line);
	if (!ret && ferror(fp))
		ret = -EIO;
	if (!ret && !header)
		ret = -EINVAL;
	if (ret)
		ktap_list_free(l);
	return ret;
}

void ktap_list_free(struct ktap_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].name);
		free(l->e[i].variant);
	}
	free(l->e);
	*l = (struct ktap_list){ 0 };
}
