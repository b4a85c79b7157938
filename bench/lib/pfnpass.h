/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verification pass of a BAR mapping level: map the BAR at a chosen
 * placement, touch every 4 KiB page with the kernel's insert functions
 * counted (kprobe.h), read the page-table dump (ptdump.h), and hand what
 * was seen to pfnlevel_judge(). The probes slow the faults they count,
 * so this pass is never one that is timed.
 */
#ifndef VFIO_PERF_PFNPASS_H
#define VFIO_PERF_PFNPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kprobe.h"
#include "meta.h"
#include "perfev.h"
#include "pfnlevel.h"
#include "vfio_bar.h"

/* The sources of the kernel's own counts that this kernel offers. */
struct pfnpass {
	struct kprobe_set kp;		/* on pfnlevel_probes[], in order */
	struct pfnlevel_probemap pm;
	bool kprobes;			/* every level has a probe */
	bool ptdump;
	char ptdump_path[64];
};

/*
 * Open the probes and find the dump; record in @m which are available
 * and why not (kprobe.FUNC, ptdump, level_verification).
 */
void pfnpass_open(struct pfnpass *p, struct meta *m);
void pfnpass_close(struct pfnpass *p);

/* Whether pfnlevel_probes[@i] could be placed on this kernel. */
bool pfnpass_has_probe(const struct pfnpass *p, size_t i);

/*
 * Map [@off, @off + @len) of @bar at @residue modulo 1G, touch it once
 * with the faults counted through @pe, and unmap it. 0, or -errno if the
 * mmap failed; what was seen goes to @s, whose probe_note points into
 * @note when the probe counts could not be read.
 */
int pfnpass_run(struct pfnpass *p, struct perfev_set *pe, const struct vfio_bar *bar,
		uint64_t off, uint64_t len, uint64_t residue,
		struct pfnlevel_seen *s, char *note, size_t notelen);

#endif
