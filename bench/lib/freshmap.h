/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where mmap(NULL) puts a file mapping in a fresh address space.
 *
 * The kernel's choice depends on what the process mapped and unmapped
 * before: a BAR mapped right after a large reservation is freed can
 * inherit that reservation's alignment. So the question is asked of a
 * new process: the program re-executes itself with FRESHMAP_ARG, maps
 * the file once with no hint, reports the address and the address space
 * the placement left free above it (from /proc/self/maps) on a pipe and
 * exits.
 */
#ifndef VFIO_PERF_FRESHMAP_H
#define VFIO_PERF_FRESHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FRESHMAP_ARG "--internal-freshmap"

/* What mmap(NULL) gave in the fresh process. */
struct freshmap {
	uint64_t va;
	/*
	 * Address space left free between the mapping and the next one
	 * above it: what a placement skipped over, with the default
	 * top-down layout, where an unaligned mmap(NULL) lands right below
	 * the lowest mapping (0).
	 */
	uint64_t unused_above;
	/* /proc/self/maps showed a mapping of exactly [va, va + len). */
	bool vma_seen;
};

/*
 * Where mmap(NULL, @len, PROT_READ | PROT_WRITE, MAP_SHARED, @fd, @off)
 * puts the mapping in a freshly executed copy of this program. 0 or
 * -errno, with the reason in @why.
 */
int freshmap_probe(int fd, uint64_t off, uint64_t len, struct freshmap *fm,
		   char *why, size_t whylen);

/*
 * From the lines of /proc/PID/maps in @maps: whether a mapping of exactly
 * [@va, @va + @len) is there, and the free bytes between its end and the
 * next mapping above (0 if none is above). Returns vma_seen.
 */
bool freshmap_read_maps(FILE *maps, uint64_t va, uint64_t len, uint64_t *unused_above);

/*
 * Call first in main(): if this process is such a copy (argv[1] is
 * FRESHMAP_ARG), do the mapping, print the address and exit.
 */
void freshmap_child(int argc, char **argv);

#endif
