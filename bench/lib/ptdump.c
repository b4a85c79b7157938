// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ptdump.h"

/* The level named by the last word of a line, or -1. */
static int line_level(const char *line)
{
	const char *w = strrchr(line, ' ');
	char name[8];

	if (!w || sscanf(w, " %7s", name) != 1)
		return -1;
	return pfnmap_level_find(name);
}

int ptdump_parse(FILE *f, uint64_t start, uint64_t end, struct pfnmap_entries *e)
{
	unsigned long long lo, hi;
	char line[256];

	memset(e, 0, sizeof(*e));
	while (fgets(line, sizeof(line), f)) {
		int l = line_level(line);
		uint64_t a, b;

		if (sscanf(line, "0x%llx-0x%llx", &lo, &hi) != 2 ||
		    l < 0 || l >= PFNMAP_NR_SIZES)
			continue;
		/* A present run says RW or ro; a hole has no flags at all. */
		if (!strstr(line, " RW ") && !strstr(line, " ro "))
			continue;
		a = lo > start ? lo : start;
		b = hi < end ? hi : end;
		if (a < b)
			e->n[l] += (b - a) / pfnmap_level_size(l);
	}
	return ferror(f) ? -EIO : 0;
}

int ptdump_count(const char *path, uint64_t start, uint64_t end,
		 struct pfnmap_entries *e)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f)
		return -errno;
	ret = ptdump_parse(f, start, end, e);
	fclose(f);
	return ret;
}

const char *ptdump_find(const char *dir, char *buf, size_t len)
{
	static const char *const names[] = { "current_kernel", "current_user" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n = snprintf(buf, len, "%s/%s", dir, names[i]);

		if (n > 0 && (size_t)n < len && !access(buf, R_OK))
			return buf;
	}
	return NULL;
}
