// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-perf-size: the benchmarks' size parser and the case names' size
 * format, for shell scripts, so that no script parses or formats a size
 * of its own.
 *
 *   vfio-perf-size --bytes 6G 2M 4096   ->  6442450944 2097152 4096
 *   vfio-perf-size --human 1073741824   ->  1G
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "size.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-perf-size --bytes SIZE...\n"
"       vfio-perf-size --human BYTES...\n"
"\n"
"--bytes prints the bytes of each SIZE as the benchmarks' --size reads it\n"
"(4096, 4K, 2M, 1G, 6144M, 2MiB; binary units). --human prints each byte\n"
"count as case names write it: the largest binary unit that divides it\n"
"exactly (1G, 1536M, 4097). One line per argument; exit 2 and one line on\n"
"stderr for the first argument that is not a size.\n"
"\n"
"Example (the guest memory of make bench, in bytes):\n"
"  build/release/vfio-perf-size --bytes 6G\n");
}

int main(int argc, char **argv)
{
	char buf[SIZE_FMT_LEN];
	bool human;
	uint64_t v;

	log_prog = "vfio-perf-size";
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc < 3 || (strcmp(argv[1], "--bytes") && strcmp(argv[1], "--human")))
		die_usage("want --bytes SIZE... or --human BYTES... (see --help)");
	human = !strcmp(argv[1], "--human");
	/* Every argument checked before any is printed: all or nothing. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 2; i < argc; i++) {
			int ret = size_parse(argv[i], &v);

			/* Byte counts are plain digits: "1G" is not one. */
			if (!ret && human && strspn(argv[i], "0123456789") != strlen(argv[i]))
				ret = -EINVAL;
			if (ret)
				die_refused("'%s' is not %s", argv[i], ret == -ERANGE ?
					    "a size that fits in 64 bits" : human ?
					    "a byte count (digits, not 0)" :
					    "a size like 4096, 4K, 2M or 1G (not 0)");
			if (pass && human)
				printf("%s\n", size_format(v, buf, sizeof(buf)));
			else if (pass)
				printf("%" PRIu64 "\n", v);
		}
	}
	return EXIT_OK;
}
