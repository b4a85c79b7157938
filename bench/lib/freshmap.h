/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where mmap(NULL) puts a file mapping in a fresh address space.
 *
 * The kernel's choice depends on what the process mapped and unmapped
 * before: a BAR mapped right after a large reservation is freed can
 * inherit that reservation's alignment. So the question is asked of a
 * new process: the program re-executes itself with FRESHMAP_ARG, maps
 * the file once with no hint, reports the address on a pipe and exits.
 */
#ifndef VFIO_PERF_FRESHMAP_H
#define VFIO_PERF_FRESHMAP_H

#include <stddef.h>
#include <stdint.h>

#define FRESHMAP_ARG "--internal-freshmap"

/*
 * The address mmap(NULL, @len, PROT_READ | PROT_WRITE, MAP_SHARED, @fd,
 * @off) returns in a freshly executed copy of this program. 0 or -errno,
 * with the reason in @why.
 */
int freshmap_probe(int fd, uint64_t off, uint64_t len, uint64_t *va,
		   char *why, size_t whylen);

/*
 * Call first in main(): if this process is such a copy (argv[1] is
 * FRESHMAP_ARG), do the mapping, print the address and exit.
 */
void freshmap_child(int argc, char **argv);

#endif
