// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pfnlevel.h"
#include "size.h"

const struct pfnlevel_probe pfnlevel_probes[PFNLEVEL_NR_PROBES] = {
	{ "vmf_insert_pfn", PFNMAP_PTE },
	{ "vmf_insert_pfn_pmd", PFNMAP_PMD },
	{ "vmf_insert_pfn_pmd_prot", PFNMAP_PMD },
	{ "vmf_insert_pfn_pud", PFNMAP_PUD },
	{ "vmf_insert_pfn_pud_prot", PFNMAP_PUD },
	{ "remap_pfn_range", PFNLEVEL_REMAP },
};

static bool probemap_complete(const struct pfnlevel_probemap *pm)
{
	for (int l = 0; l < PFNMAP_NR_SIZES; l++)
		if (pm->of[l] < 0)
			return false;
	return true;
}

bool pfnlevel_probemap_init(struct pfnlevel_probemap *pm,
			    const bool avail[PFNLEVEL_NR_PROBES])
{
	pm->remap = -1;
	for (int l = 0; l < PFNMAP_NR_SIZES; l++)
		pm->of[l] = -1;
	for (int i = 0; i < PFNLEVEL_NR_PROBES; i++) {
		int l = pfnlevel_probes[i].level;

		if (!avail[i])
			continue;
		if (l == PFNLEVEL_REMAP)
			pm->remap = i;
		else if (pm->of[l] < 0)
			pm->of[l] = i;
	}
	return probemap_complete(pm);
}

static bool entries_equal(const struct pfnmap_entries *a, const struct pfnmap_entries *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The entries the kernel's insert functions say it made. */
static void count_probes(const struct pfnlevel_probemap *pm,
			 const struct pfnlevel_seen *s, struct pfnlevel_verdict *v)
{
	for (int l = 0; l < PFNMAP_NR_SIZES; l++)
		v->counted.n[l] = s->hits[pm->of[l]];
	if (pm->remap >= 0 && s->hits[pm->remap]) {
		v->remapped = true;
		v->counted.n[PFNMAP_PTE] += s->len / pfnmap_level_size(PFNMAP_PTE);
	}
	v->source = "kprobes";
}

/* Why the level failed, naming what was obtained. */
static void explain(const struct pfnlevel_seen *s, const struct pfnlevel_want *w,
		    struct pfnlevel_verdict *v)
{
	const char *req = pfnmap_level_name[w->level];
	const char *got = v->obtained < PFNMAP_NR_SIZES ?
			  pfnmap_level_name[v->obtained] : "nothing";
	const char *note = s->probe_note ? s->probe_note : "";
	char counted[64], want[64], sz[SIZE_FMT_LEN];

	pfnmap_entries_format(&v->counted, counted, sizeof(counted));
	pfnmap_entries_format(&w->expect, want, sizeof(want));
	if (v->remapped)
		snprintf(v->why, sizeof(v->why),
			 "requested %s, obtained pte: remap_pfn_range() mapped the whole %s VMA with PTEs in %.0f fault(s), as vfio-pci did before 6.12",
			 req, size_format(s->len, sz, sizeof(sz)), s->faults);
	else if (w->place_as >= 0 && entries_equal(&v->counted, &w->expect))
		snprintf(v->why, sizeof(v->why),
			 "requested %s, obtained %s: %s counted %s, as expected where --place-as %s put the mapping",
			 req, got, v->source, counted, pfnmap_level_name[w->place_as]);
	else
		snprintf(v->why, sizeof(v->why),
			 "requested %s, obtained %s: %s counted %s, expected %s for this placement%s%s",
			 req, got, v->source, counted, want, note[0] ? "; " : "", note);
}

void pfnlevel_judge(const struct pfnlevel_probemap *pm,
		    const struct pfnlevel_seen *s,
		    const struct pfnlevel_want *w, struct pfnlevel_verdict *v)
{
	uint64_t total = pfnmap_entries_total(&w->expect);

	*v = (struct pfnlevel_verdict){ .source = "faults" };
	if (s->probed && probemap_complete(pm)) {
		count_probes(pm, s, v);
	} else if (s->dumped) {
		v->counted = s->dump;
		v->source = "ptdump";
	} else if (s->faults == (double)total) {
		/* A fault count alone only says whether it fits. */
		v->counted = w->expect;
	} else {
		v->counted.n[PFNMAP_PTE] = (uint64_t)s->faults;
	}
	v->obtained = pfnmap_entries_level(&v->counted);
	v->verified = entries_equal(&v->counted, &w->expect) &&
		      (w->level == PFNMAP_AUTO || v->obtained == w->level);
	/* Mapped whole at the first fault: later fault-ins take as many. */
	v->expect_faults = v->remapped ? s->faults : (double)total;
	if (!v->verified)
		explain(s, w, v);
}

bool pfnlevel_faults_agree(const struct pfnlevel_verdict *v, double faults,
			   double faults_rusage)
{
	return faults_rusage == v->expect_faults &&
	       (isnan(faults) || faults == faults_rusage);
}

const char *pfnlevel_summary(const struct pfnlevel_verdict *v,
			     const struct pfnlevel_want *w, char *buf, size_t len)
{
	char counted[64], want[64];

	snprintf(buf, len, "obtained %s (%s by %s%s; expected %s)",
		 v->obtained < PFNMAP_NR_SIZES ? pfnmap_level_name[v->obtained] : "nothing",
		 pfnmap_entries_format(&v->counted, counted, sizeof(counted)), v->source,
		 strcmp(v->source, "faults") ? "" : ", which do not prove the level",
		 pfnmap_entries_format(&w->expect, want, sizeof(want)));
	return buf;
}
