/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault-in of a mapping: read one word of every 4 KiB page, timed, and
 * count the faults two ways, the perf software event (perfev.h) and the
 * thread's rusage. On a pfnmap each fault maps one page-table entry, so
 * the count is the number of entries the kernel made (pfnlevel.h).
 */
#ifndef VFIO_PERF_FAULTIN_H
#define VFIO_PERF_FAULTIN_H

#include <stdint.h>

#include "perfev.h"

struct faultin_figs {
	double faults;		/* perf's count; NaN if it has none */
	double faults_rusage;	/* minor plus major faults */
	uint64_t ns;		/* the touch, timed */
};

/* Touch [va, va + len) once; @len is a multiple of 4K. */
void faultin_measure(struct perfev_set *pe, const void *va, uint64_t len,
		     struct faultin_figs *f);

#endif
