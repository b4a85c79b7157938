/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's page-table dump of the current process
 * (/sys/kernel/debug/page_tables/, CONFIG_PTDUMP_DEBUGFS): which entries
 * really map a range. current_kernel walks the process's page tables,
 * user half included; current_user, present only with page-table
 * isolation, is the user copy. Debian's stock kernels lack both; our own
 * builds have current_kernel.
 *
 * x86 prints runs of entries with the same level and flags as
 *   0x00007f0000000000-0x00007f0040000000           1G USR RW  PCD PSE  NX pud
 * so an entry count is the run's overlap with the range divided by the
 * level's page size; runs without flags are holes, not entries.
 */
#ifndef VFIO_PERF_PTDUMP_H
#define VFIO_PERF_PTDUMP_H

#include <stdint.h>
#include <stdio.h>

#include "pfnmap.h"

#define PTDUMP_DIR "/sys/kernel/debug/page_tables"

/* The first readable dump of the current process in @dir, or NULL. */
const char *ptdump_find(const char *dir, char *buf, size_t len);

/*
 * Count the present entries of each level that map [start, end) in the
 * dump at @path. 0, or -ENOENT when the kernel has no such dump (or
 * debugfs is not mounted), or another -errno.
 */
int ptdump_count(const char *path, uint64_t start, uint64_t end,
		 struct pfnmap_entries *e);

/* The same over an open dump (for tests). */
int ptdump_parse(FILE *f, uint64_t start, uint64_t end, struct pfnmap_entries *e);

#endif
