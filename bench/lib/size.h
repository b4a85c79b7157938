/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human-readable byte sizes: "4096", "2M", "2MiB", "1g", and lists of them
 * ("512M,1G,2G" or the doubling sweep "4K..1G") as used on command lines
 * and in suite definitions.  Suffixes are binary (K = 1024), because every
 * size we care about is a page or huge page multiple.
 */
#ifndef VFIO_PERF_SIZE_H
#define VFIO_PERF_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for UINT64_MAX in bytes plus a suffix and the NUL. */
#define SIZE_FMT_LEN 24

/*
 * Parse one size.  Returns 0, -EINVAL (empty, sign, garbage, trailing
 * junk, zero) or -ERANGE (does not fit in 64 bits).
 */
int size_parse(const char *s, uint64_t *out);

/*
 * Format @v exactly in its shortest form: the largest unit that divides it
 * ("4K", "1536M", "4097").  Returns @buf.
 */
char *size_format(uint64_t v, char *buf, size_t len);

/*
 * Parse "a,b,c" or "min..max" (min, 2*min, 4*min, ... up to and including
 * max; max must be min times a power of two).  On success *out is a
 * malloc()ed array of *n sizes the caller frees.  Returns 0, -EINVAL or
 * -ENOMEM.
 */
int size_list_parse(const char *s, uint64_t **out, size_t *n);

bool size_is_pow2(uint64_t v);

#endif
