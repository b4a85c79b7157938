// SPDX-License-Identifier: GPL-2.0
/*
 * A user's program for an exec step (README.md, "Your own programs"):
 * prints what the harness told it, writes a file into its output
 * directory, and exits with the status given as its argument.
 *
 *   gcc -static -O2 -o exec-hello tests/integration/exec-hello.c
 *   make bench KERNEL=sid SUITE=my.suite EXTRA=./exec-hello
 *   # my.suite: exec hello exec-hello 0
 */
#include <stdio.h>
#include <stdlib.h>

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "(unset)";
}

int main(int argc, char **argv)
{
	const char *out = getenv("VFIO_PERF_OUT");
	char path[4096];
	FILE *fp;

	printf("hello from %s: run %s, DMA device %s, MMIO device %s, CPU %s\n",
	       argv[0], env("VFIO_PERF_RUN_ID"), env("VFIO_PERF_DMA_DEVICE"),
	       env("VFIO_PERF_MMIO_DEVICE"), env("VFIO_PERF_CPU"));
	fprintf(stderr, "exec-hello: writing %s/hello.txt\n", out ? out : "(unset)");
	if (!out)
		return 1;
	snprintf(path, sizeof(path), "%s/hello.txt", out);
	fp = fopen(path, "w");
	if (!fp || fprintf(fp, "written in the guest\n") < 0 || fclose(fp))
		return 1;
	return argc > 1 ? atoi(argv[1]) : 0;
}
