/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run metadata: the key/value rows of meta.csv that let a result be
 * understood later (kernel, command line, THP and hugepage settings,
 * IOMMU).  Keys are unique and keep the order they were first set in.
 */
#ifndef VFIO_PERF_META_H
#define VFIO_PERF_META_H

#include <stddef.h>

/* The value of a key whose source could not be read: never a fake 0. */
#define META_UNAVAILABLE "unavailable"

struct meta_entry {
	char *key;
	char *value;
};

/* Zero-initialise: struct meta m = { 0 }; */
struct meta {
	struct meta_entry *entries;
	size_t n, cap;
};

/* Set @key to the formatted value, replacing any earlier value. */
void meta_set(struct meta *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The value of @key, or NULL if it was never set. */
const char *meta_get(const struct meta *m, const char *key);

/*
 * Describe the running system: uname, /proc and /sys facts about CPUs,
 * memory, THP, hugepages, IOMMU and VFIO, and the UTC date.
 */
void meta_collect_system(struct meta *m);

/*
 * The same with every /proc, /sys and /dev path prefixed by @root ("" for
 * the live system), so tests can feed it a fake tree.  The uname keys
 * (kernel, kernel_version, machine, hostname) come from the uname()
 * system call, not from a file, and are always those of this system.
 */
void meta_collect_system_at(struct meta *m, const char *root);

/* Write "key,value" rows to a new CSV file @path (never overwritten). */
int meta_write(const struct meta *m, const char *path);

void meta_free(struct meta *m);

#endif
