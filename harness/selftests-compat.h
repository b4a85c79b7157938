/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-perf: what some kernel sources' VFIO selftests use but do not
 * define, so that they build as shipped otherwise. harness/selftests.sh
 * force-includes this only into a source that needs it, and records that
 * it did (the "compat" line of the build's source file, meta.csv
 * selftests_source). Nothing here changes what a test checks.
 */
#ifndef VFIO_PERF_SELFTESTS_COMPAT_H
#define VFIO_PERF_SELFTESTS_COMPAT_H

#include <stdio.h>
#include <stdlib.h>

/*
 * linux-source-7.2 7.2.13-1: lib/vfio_pci_device.c calls calloc_assert(),
 * which no header of that tree declares. Our version: calloc, or stop the
 * test as a failed assertion would (exit 1, KSFT_FAIL).
 */
#ifdef VFIO_PERF_COMPAT_CALLOC_ASSERT
static inline void *vfio_perf_calloc_assert(size_t n, size_t size,
					    const char *file, int line)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "%s:%d: calloc(%zu, %zu) failed\n", file, line,
			n, size);
		exit(1);
	}
	return p;
}
#define calloc_assert(n, size) \
	vfio_perf_calloc_assert((n), (size), __FILE__, __LINE__)
#endif

#endif
