/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel configs of the sides of a comparison, and the options they
 * differ in (docs/results.md, "Kernel configs").  A run keeps its
 * config as config.gz beside meta.csv, whose kernel_config_sha256 is
 * the sha256 of the uncompressed config; a run from before config.gz is
 * looked up by that hash in the kernel cache (CACHE/kernels/<dir>/config,
 * CACHE/kbuild/<dir>/config).  Two sides of different configs compare
 * configs as much as code: the table says so before any verdict.
 */
#ifndef VFIO_PERF_CONFDIFF_H
#define VFIO_PERF_CONFDIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "kconfig.h"
#include "sha256.h"
#include "table.h"

struct confdiff_side {
	char sha256[SHA256_HEX_LEN];	/* of the side's first run; "" not recorded */
	char from[4096];		/* the file the config was read from; "" none */
	bool have;			/* cfg holds it */
	struct kconfig cfg;
};

struct confdiff {
	struct confdiff_side *s;	/* one per side of the table */
	size_t n;
	char cache[4096];		/* the kernel cache searched; "" none */
};

/*
 * The configs of @t's sides: config.gz of each side's first run, else
 * the config of kernel cache @cache (NULL: none) with the recorded
 * hash.  What cannot be found stays unknown (said by confdiff_print());
 * a config.gz that does not hash to its meta.csv's kernel_config_sha256
 * is used and said on @notes.  Returns 0, or -ENOMEM / -EINVAL (a
 * config that does not parse) with one line in @err.
 */
int confdiff_load(struct confdiff *d, const struct table *t, const char *cache,
		  FILE *notes, char *err, size_t errlen);

/*
 * Per pair of the table (each side and its reference): whether their
 * configs are the same, differ (listing the options of the groups
 * before "other", at most @per_group each, then a count of the rest),
 * differ without a config to list, or are not recorded.
 */
void confdiff_print(const struct confdiff *d, const struct table *t,
		    size_t per_group, FILE *out);

/*
 * Every differing option of every pair into @path (a new file):
 * side,side_name,ref_side,group,option,ref_value,value.  0 or -errno.
 */
int confdiff_write_csv(const struct confdiff *d, const struct table *t,
		       const char *path);

void confdiff_free(struct confdiff *d);

#endif
