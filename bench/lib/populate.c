// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "pagemap.h"
#include "populate.h"
#include "smaps.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define POPULATE_STEP 4096

const char *const populate_names[POPULATE_NSTATES] = {
	[POPULATE_WRITE] = "write",
	[POPULATE_READ] = "read",
	[POPULATE_NONE] = "none",
};

int populate_find(const char *name)
{
	for (int i = 0; i < POPULATE_NSTATES; i++)
		if (!strcmp(name, populate_names[i]))
			return i;
	return -1;
}

/* Whether madvise() knows MADV_POPULATE_READ (and _WRITE, of the same release). */
static bool populate_have_madvise(void)
{
	static int have = -1;
	void *p;

	if (have >= 0)
		return have;
	p = mmap(NULL, POPULATE_STEP, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	have = !madvise(p, POPULATE_STEP, MADV_POPULATE_READ);
	munmap(p, POPULATE_STEP);
	return have;
}

const char *populate_method(enum populate_state s)
{
	if (s == POPULATE_NONE)
		return "nothing";
	if (populate_have_madvise())
		return s == POPULATE_WRITE ? "MADV_POPULATE_WRITE" : "MADV_POPULATE_READ";
	return s == POPULATE_WRITE ? "write loop" : "read loop";
}

int populate_buffer(void *va, uint64_t size, enum populate_state s)
{
	volatile uint8_t *p = va;

	if (s == POPULATE_NONE)
		return 0;
	if (populate_have_madvise())
		return madvise(va, size, s == POPULATE_WRITE ? MADV_POPULATE_WRITE :
			       MADV_POPULATE_READ) ? -errno : 0;
	for (uint64_t off = 0; off < size; off += POPULATE_STEP) {
		if (s == POPULATE_WRITE)
			p[off] = 1;
		else
			(void)p[off];
	}
	return 0;
}

int populate_observe(const void *va, uint64_t size, bool hugetlb,
		     struct populate_seen *seen)
{
	struct smaps_counts c;
	int64_t present = pagemap_present(va, size);
	int ret;

	if (present < 0)
		return (int)present;
	ret = smaps_range("/proc/self/smaps", (uintptr_t)va, (uintptr_t)va + size, &c);
	if (ret)
		return ret;
	*seen = (struct populate_seen){
		.pages = size / POPULATE_STEP,
		.present = (uint64_t)present,
		.resident = c.rss + c.shared_hugetlb + c.private_hugetlb,
		.dirty = c.shared_dirty + c.private_dirty,
		.dirty_visible = !hugetlb,
		.vma_bytes = c.vma_bytes,
	};
	return 0;
}

bool populate_check(enum populate_state s, const struct populate_seen *seen,
		    char *why, size_t whylen)
{
	uint64_t size = seen->pages * POPULATE_STEP;
	const char *name = populate_names[s];

	if (seen->vma_bytes != size) {
		snprintf(why, whylen, "populate %s: smaps counts %llu bytes of VMAs for a buffer of %llu (merged with a neighbour?): its figures are not the buffer's",
			 name, (unsigned long long)seen->vma_bytes, (unsigned long long)size);
		return false;
	}
	if (s == POPULATE_NONE) {
		if (!seen->present && !seen->resident)
			return true;
		snprintf(why, whylen, "populate none: %llu of %llu pages present, %llu bytes resident before the map (want none)",
			 (unsigned long long)seen->present, (unsigned long long)seen->pages,
			 (unsigned long long)seen->resident);
		return false;
	}
	if (seen->present != seen->pages) {
		snprintf(why, whylen, "populate %s: %llu of %llu pages present before the map",
			 name, (unsigned long long)seen->present,
			 (unsigned long long)seen->pages);
		return false;
	}
	if (s == POPULATE_READ && seen->dirty_visible && seen->dirty) {
		snprintf(why, whylen, "populate read: %llu of %llu bytes dirty before the map (want none: written, not read)",
			 (unsigned long long)seen->dirty, (unsigned long long)size);
		return false;
	}
	if ((s == POPULATE_WRITE || !seen->dirty_visible) && seen->resident != size) {
		snprintf(why, whylen, "populate %s: %llu of %llu bytes resident before the map",
			 name, (unsigned long long)seen->resident, (unsigned long long)size);
		return false;
	}
	if (s == POPULATE_WRITE && seen->dirty_visible && seen->dirty != size) {
		snprintf(why, whylen, "populate write: %llu of %llu bytes dirty before the map",
			 (unsigned long long)seen->dirty, (unsigned long long)size);
		return false;
	}
	return true;
}
