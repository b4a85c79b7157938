/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clock every phase is timed with.
 *
 * CLOCK_MONOTONIC through the vDSO costs tens of nanoseconds, which is
 * noise next to a map/unmap call. Under QEMU's -icount the guest's clock
 * counts instructions, which is what makes that mode deterministic.
 */
#ifndef VFIO_PERF_TIMING_H
#define VFIO_PERF_TIMING_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
