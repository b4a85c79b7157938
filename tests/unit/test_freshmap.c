// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "freshmap.h"

/* A fresh process's maps after mmap(NULL) of 1 GiB of a BAR (vfio). */
static const char maps[] =
	"555555554000-555555556000 r--p 00000000 00:02 7 /usr/bin/x\n"
	"7ffe80000000-7fff00000000 rw-s 20000000000 00:05 9 anon_inode:[vfio-device]\n"
	"7fff00000000-7fff00001000 rw-p 00000000 00:00 0\n"
	"7fff00200000-7fff00222000 r-xp 00000000 00:02 5 /lib/ld.so\n"
	"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]\n";

static bool read_maps(const char *text, uint64_t va, uint64_t len, uint64_t *above)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	bool seen;

	if (!f)
		return false;
	seen = freshmap_read_maps(f, va, len, above);
	fclose(f);
	return seen;
}

TEST(freshmap_unused_above)
{
	uint64_t above = 1;

	/* A mapping must be there exactly: 1G of its 2G is not it. */
	CHECK(!read_maps(maps, 0x7ffe80000000, 1ull << 30, &above));
	/* Right below the next mapping: nothing skipped. */
	CHECK(read_maps(maps, 0x7ffe80000000, 2ull << 30, &above));
	CHECK_EQ_U64(above, 0);
	/* The next mapping above starts 2 MiB past the end. */
	CHECK(read_maps(maps, 0x7fff00000000, 0x1000, &above));
	CHECK_EQ_U64(above, 0x1ff000);
	/* Nothing above. */
	CHECK(read_maps(maps, 0x7ffffffde000, 0x21000, &above));
	CHECK_EQ_U64(above, 0);
	/* Lines that are not mappings are skipped. */
	CHECK(!read_maps("garbage\n", 0x1000, 0x1000, &above));
	CHECK_EQ_U64(above, 0);
}
