/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequential bandwidth: read or write a range once, front to back, in
 * accesses of 8 or 64 bytes. The width matters for a BAR: every uncached
 * access is a bus transaction of its own, so 64-byte accesses move eight
 * times as much per transaction.
 *
 * 8-byte accesses go through a volatile pointer, so the compiler cannot
 * merge them into wider vector accesses. 64-byte accesses are one AVX-512
 * load or store where the CPU has it, else four 16-byte SSE2 ones;
 * stream_width_what() says which, for the metadata.
 */
#ifndef VFIO_PERF_STREAM_H
#define VFIO_PERF_STREAM_H

#include <stdbool.h>
#include <stdint.h>

/* Nanoseconds to read (or write) [p, p + len); @width 8 or 64. */
uint64_t stream_time(void *p, uint64_t len, unsigned int width, bool write);

/* How accesses of @width bytes are made on this CPU. */
const char *stream_width_what(unsigned int width);

#endif
