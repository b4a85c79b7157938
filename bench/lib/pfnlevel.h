/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdict on a BAR mapping's page-table level: which level the kernel
 * really used, and whether that is the one asked for.
 *
 * A verification pass maps the BAR where pfnmap.h says a level must come
 * out, touches every 4 KiB page and reports what it saw: the calls of the
 * kernel's insert functions (kprobe.h), the page-table dump (ptdump.h)
 * and the number of faults. The kernel's own counts decide, in this
 * order: kprobe hits when every level has a probe, else the dump. A fault
 * count alone can only agree or disagree with the expected entry count;
 * it never proves a level. This module is the judgement, without any I/O,
 * so that every branch of it can be tested.
 */
#ifndef VFIO_PERF_PFNLEVEL_H
#define VFIO_PERF_PFNLEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfnmap.h"

/* pfnlevel_probe.level of remap_pfn_range(): a whole VMA of PTEs. */
#define PFNLEVEL_REMAP (-1)

/*
 * A kernel function whose calls count the entries a fault-in makes. A
 * renamed function's older name follows it (6.1 has only the _prot
 * ones). remap_pfn_range() is how vfio-pci mapped a BAR before 6.12: the
 * whole VMA with PTEs, at its first fault.
 */
struct pfnlevel_probe {
	const char *func;
	int level;		/* enum pfnmap_level, or PFNLEVEL_REMAP */
};

#define PFNLEVEL_NR_PROBES 6
extern const struct pfnlevel_probe pfnlevel_probes[PFNLEVEL_NR_PROBES];

/* Which of pfnlevel_probes[] count each level on this kernel. */
struct pfnlevel_probemap {
	int of[PFNMAP_NR_SIZES];	/* the probe counting each level, or -1 */
	int remap;			/* the remap_pfn_range() probe, or -1 */
};

/*
 * Take, for each level, the first probe in @avail (indexed like
 * pfnlevel_probes[]): where a kernel has a function under both names,
 * one calls the other, and counting both would count twice. True if
 * every level has a probe, i.e. kprobe hits can decide the level.
 */
bool pfnlevel_probemap_init(struct pfnlevel_probemap *pm,
			    const bool avail[PFNLEVEL_NR_PROBES]);

/* What a verification pass saw. */
struct pfnlevel_seen {
	uint64_t len;			/* bytes mapped and touched */
	double faults;			/* faults the touch took */
	bool probed;			/* @hits were read, for every level */
	uint64_t hits[PFNLEVEL_NR_PROBES];
	const char *probe_note;		/* why they were not, or NULL */
	bool dumped;			/* @dump was read */
	struct pfnmap_entries dump;	/* present entries in the range */
};

/* What was asked for. */
struct pfnlevel_want {
	enum pfnmap_level level;	/* PFNMAP_AUTO: whatever it gives */
	struct pfnmap_entries expect;	/* what the placement must give */
	int place_as;			/* --place-as level, or -1 */
};

struct pfnlevel_verdict {
	const char *source;		/* "kprobes", "ptdump" or "faults" */
	struct pfnmap_entries counted;
	enum pfnmap_level obtained;	/* PFNMAP_NR_SIZES: nothing */
	bool verified;
	bool remapped;			/* by remap_pfn_range(), at once */
	double expect_faults;		/* of each later fault-in */
	char why[512];			/* why not verified; "" if it is */
};

/*
 * Judge a pass: verified if the kernel made exactly the expected entries
 * and, unless PFNMAP_AUTO was asked for, they are of the level asked for.
 */
void pfnlevel_judge(const struct pfnlevel_probemap *pm,
		    const struct pfnlevel_seen *s,
		    const struct pfnlevel_want *w, struct pfnlevel_verdict *v);

/*
 * Whether a later fault-in of the same mapping agrees with the verdict:
 * each fault maps one entry, so rusage's count must be the entry count,
 * and the perf count (NaN if unavailable) the same.
 */
bool pfnlevel_faults_agree(const struct pfnlevel_verdict *v, double faults,
			   double faults_rusage);

/*
 * "obtained pmd (0 pud, 512 pmd, 0 pte by kprobes; expected 0 pud,
 * 512 pmd, 0 pte)", for the log.
 */
const char *pfnlevel_summary(const struct pfnlevel_verdict *v,
			     const struct pfnlevel_want *w, char *buf, size_t len);

#endif
