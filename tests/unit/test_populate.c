// SPDX-License-Identifier: GPL-2.0
/*
 * Populate states: the rule that tells them apart (populate_check()) on
 * figures, then on real memory of this process: a buffer populated each
 * way must be judged in its own state and in no other.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "check.h"
#include "populate.h"

#define PAGES 1024
#define SIZE ((uint64_t)PAGES * 4096)

TEST(populate_names)
{
	for (int i = 0; i < POPULATE_NSTATES; i++)
		CHECK(populate_find(populate_names[i]) == i);
	CHECK(populate_find("") < 0);
	CHECK(populate_find("Write") < 0);
	CHECK(populate_find("dirty") < 0);
	CHECK_STR(populate_method(POPULATE_NONE), "nothing");
}

/* Whether @seen passes as state @s. */
static bool is(enum populate_state s, struct populate_seen seen)
{
	char why[256];

	return populate_check(s, &seen, why, sizeof(why));
}

TEST(populate_check_rules)
{
	struct populate_seen none = { .pages = PAGES, .dirty_visible = true, .vma_bytes = SIZE };
	/* A private buffer only read maps the zero page: present, not resident. */
	struct populate_seen zero = { .pages = PAGES, .present = PAGES, .dirty_visible = true,
				      .vma_bytes = SIZE };
	struct populate_seen clean = zero, written = zero, half = zero, huge = zero;
	char why[256];

	clean.resident = SIZE;
	written.resident = written.dirty = SIZE;
	half.resident = SIZE;
	half.dirty = SIZE / 2;
	huge.dirty_visible = false;
	huge.resident = SIZE;

	CHECK(is(POPULATE_NONE, none) && !is(POPULATE_READ, none) && !is(POPULATE_WRITE, none));
	CHECK(is(POPULATE_READ, zero) && !is(POPULATE_NONE, zero) && !is(POPULATE_WRITE, zero));
	CHECK(is(POPULATE_READ, clean) && !is(POPULATE_WRITE, clean));
	CHECK(is(POPULATE_WRITE, written) && !is(POPULATE_READ, written));
	CHECK(!is(POPULATE_READ, half) && !is(POPULATE_WRITE, half));
	/* Hugetlb shows no dirty bytes: read and write ask it all resident. */
	CHECK(is(POPULATE_READ, huge) && is(POPULATE_WRITE, huge));
	huge.resident = SIZE - 4096;
	CHECK(!is(POPULATE_READ, huge) && !is(POPULATE_WRITE, huge));
	/* One page missing, or one present in an untouched buffer, fails. */
	written.present--;
	CHECK(!populate_check(POPULATE_WRITE, &written, why, sizeof(why)));
	CHECK_STR(why, "populate write: 1023 of 1024 pages present before the map");
	none.present = 1;
	CHECK(!populate_check(POPULATE_NONE, &none, why, sizeof(why)));
	CHECK_STR(why, "populate none: 1 of 1024 pages present, 0 bytes resident before the map (want none)");
	CHECK(!populate_check(POPULATE_READ, &half, why, sizeof(why)));
	CHECK_STR(why, "populate read: 2097152 of 4194304 bytes dirty before the map (want none: written, not read)");
	/* smaps counts whole VMAs: one merged with a neighbour says nothing. */
	clean.vma_bytes = 2 * SIZE;
	CHECK(!populate_check(POPULATE_READ, &clean, why, sizeof(why)));
	CHECK_STR(why, "populate read: smaps counts 8388608 bytes of VMAs for a buffer of 4194304 (merged with a neighbour?): its figures are not the buffer's");
}

/*
 * A fresh buffer of @flags populated to @s must read back as @s and as
 * no other state: pagemap's present bits and smaps need no privilege.
 */
static bool real_buffer(int flags, enum populate_state s)
{
	struct populate_seen seen;
	bool ok = true;
	char why[256];
	void *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED)
		return false;
	/* 4K pages, so that a THP default cannot make this buffer its own case. */
	madvise(p, SIZE, MADV_NOHUGEPAGE);
	if (populate_buffer(p, SIZE, s) || populate_observe(p, SIZE, false, &seen)) {
		munmap(p, SIZE);
		return false;
	}
	for (int t = 0; t < POPULATE_NSTATES; t++) {
		bool got = populate_check(t, &seen, why, sizeof(why));

		if (got != (t == (int)s)) {
			printf("# %s buffer populated %s (%s): taken for %s: %s\n",
			       flags & MAP_SHARED ? "shared" : "private", populate_names[s],
			       populate_method(s), populate_names[t], got ? "passes" : why);
			ok = false;
		}
	}
	munmap(p, SIZE);
	return ok;
}

TEST(populate_real_private)
{
	for (int s = 0; s < POPULATE_NSTATES; s++)
		CHECK(real_buffer(MAP_PRIVATE | MAP_ANONYMOUS, s));
}

TEST(populate_real_shared)
{
	for (int s = 0; s < POPULATE_NSTATES; s++)
		CHECK(real_buffer(MAP_SHARED | MAP_ANONYMOUS, s));
}
