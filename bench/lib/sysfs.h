/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing the one-line files of sysfs and procfs.  Every
 * function returns 0 or a negative errno.
 */
#ifndef VFIO_PERF_SYSFS_H
#define VFIO_PERF_SYSFS_H

#include <stddef.h>
#include <stdint.h>

/*
 * First line of @path without its line break and trailing blanks; an empty
 * file gives "".  -ERANGE if the line does not fit in @len.
 */
int sysfs_read_str(const char *path, char *buf, size_t len);

/* @path holds one decimal number (surrounding blanks allowed). */
int sysfs_read_u64(const char *path, uint64_t *v);

/*
 * Write @s with a single write(), as sysfs attributes want; a short
 * write is -EIO.
 */
int sysfs_write_str(const char *path, const char *s);

/*
 * Value of the first "Name: value" line of @path with name @name, blanks
 * around the value stripped ("model name" in /proc/cpuinfo, "MemTotal" in
 * /proc/meminfo).  -ENOENT if there is none, -ERANGE if it does not fit.
 */
int sysfs_read_field(const char *path, const char *name, char *buf,
		     size_t len);

/* Parse a decimal number with optional surrounding blanks; -EINVAL else. */
int sysfs_parse_u64(const char *s, uint64_t *v);

/*
 * The value of @line if it is "@name<blanks>:<blanks>value", else NULL.
 * Trailing blanks are the caller's to strip.
 */
const char *sysfs_field_value(const char *line, const char *name);

/*
 * The selected word of a choice line: "madvise" from
 * "always [madvise] never".  -EINVAL if no word is bracketed, -ERANGE if
 * it does not fit in @len.
 */
int sysfs_bracketed(const char *line, char *out, size_t len);

#endif
