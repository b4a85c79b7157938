// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memstate.h"
#include "pagemap.h"
#include "sysfs.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE UINT64_C(4096)
/* Rounds of growing a holder whose pages paired up too rarely. */
#define HOLDER_ROUNDS 4
/* Room a growing holder leaves the rest of the system. */
#define HOLDER_SPARE (UINT64_C(64) << 20)

uint64_t memstate_min_runs(uint64_t pages)
{
	return (uint64_t)ceil(MEMSTATE_MIN_RUNS_FRACTION * (double)pages);
}

uint64_t memstate_free_target(uint64_t buf_pages)
{
	return buf_pages + buf_pages / 128 + 256;
}

uint64_t memstate_plan_bytes(uint64_t size)
{
	/* Each holder page and its entries in the PFN and drop arrays. */
	return 2 * memstate_free_target(size / PAGE) * (PAGE + sizeof(uint64_t) + 1);
}

int64_t memstate_pick(const uint64_t *pfn, uint64_t n, uint8_t *drop)
{
	uint64_t lo = UINT64_MAX, hi = 0, span, *held;
	int64_t picked = 0;

	if (!n)
		return 0;
	for (uint64_t i = 0; i < n; i++) {
		lo = pfn[i] < lo ? pfn[i] : lo;
		hi = pfn[i] > hi ? pfn[i] : hi;
	}
	/* A bitmap of the PFNs held, from the lowest to the highest. */
	span = hi - lo + 1;
	held = calloc(span / 64 + 1, sizeof(*held));
	if (!held)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		held[(pfn[i] - lo) / 64] |= UINT64_C(1) << ((pfn[i] - lo) % 64);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t b = pfn[i] - 1 - lo;

		drop[i] = (pfn[i] & 1) && pfn[i] > lo &&
			  (held[b / 64] >> (b % 64) & 1);
		picked += drop[i];
	}
	free(held);
	return picked;
}

uint64_t memstate_available(void)
{
	char v[64];
	unsigned long long kb;

	if (sysfs_read_field("/proc/meminfo", "MemAvailable", v, sizeof(v)) ||
	    sscanf(v, "%llu", &kb) != 1)
		return 0;
	return (uint64_t)kb << 10;
}

/* A counter of /proc/vmstat ("name value" lines); 0 if there is none. */
static uint64_t vmstat(const char *name)
{
	unsigned long long v;
	char line[128], key[64];
	uint64_t found = 0;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", key, &v) == 2 && !strcmp(key, name)) {
			found = v;
			break;
		}
	}
	fclose(f);
	return found;
}

uint64_t memstate_compacted(const struct memstate_holder *h)
{
	return vmstat("compact_isolated") - h->compacted;
}

/* Fault in pages [from, to) of the holder, in address order. */
static int holder_populate(struct memstate_holder *h, uint64_t from,
			   uint64_t to)
{
	volatile uint8_t *p = h->va;

	if (!madvise(h->va + from * PAGE, (to - from) * PAGE, MADV_POPULATE_WRITE))
		return 0;
	if (errno != EINVAL)	/* before 5.14 there is no MADV_POPULATE_WRITE */
		return -errno;
	for (uint64_t i = from; i < to; i++)
		p[i * PAGE] = 1;
	return 0;
}

/* Give back the pages marked to drop, each maximal stretch in one call. */
static int holder_drop(struct memstate_holder *h)
{
	const uint8_t *drop = h->drop;

	for (uint64_t i = 0, j; i < h->pages; i = j) {
		for (j = i; j < h->pages && drop[j] == drop[i]; j++)
			;
		if (drop[i] && madvise(h->va + i * PAGE, (j - i) * PAGE, MADV_DONTNEED))
			return -errno;
	}
	return 0;
}

/* Pin to the CPU we run on, unless pinned to one already. */
static void holder_pin(struct memstate_holder *h)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(h->cpus), &h->cpus) ||
	    CPU_COUNT(&h->cpus) == 1)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	h->pinned = !sched_setaffinity(0, sizeof(one), &one);
}

/*
 * Populate the holder until the pages it can give back reach @target:
 * first twice that; then, if too few of its pages have their buddy in
 * it too, twice the shortfall more, while memory allows.
 */
static int holder_fill(struct memstate_holder *h, uint64_t target,
		       char *why, size_t whylen)
{
	uint64_t want = 2 * target, max = h->reserved / PAGE;
	int64_t got = 0;
	int ret;

	for (int round = 0; round < HOLDER_ROUNDS; round++) {
		ret = holder_populate(h, h->pages, want);
		if (ret) {
			snprintf(why, whylen, "fragmenting: populating the holder: %s",
				 strerror(-ret));
			return ret;
		}
		h->pages = want;
		ret = pagemap_pfns(h->va, h->pages, PAGE, h->pfn);
		if (ret) {
			snprintf(why, whylen, "fragmenting: reading the holder's PFNs from /proc/self/pagemap: %s",
				 strerror(-ret));
			return ret;
		}
		got = memstate_pick(h->pfn, h->pages, h->drop);
		if (got < 0) {
			snprintf(why, whylen, "fragmenting: %s", strerror((int)-got));
			return (int)got;
		}
		if ((uint64_t)got >= target)
			break;
		want = h->pages + 2 * (target - (uint64_t)got);
		if (want > max ||
		    (want - h->pages) * PAGE + HOLDER_SPARE > memstate_available())
			break;
	}
	h->freed = (uint64_t)got;
	return 0;
}

int memstate_fragment(struct memstate_holder *h, uint64_t size, char *why,
		      size_t whylen)
{
	uint64_t target = memstate_free_target(size / PAGE);
	int ret;

	*h = (struct memstate_holder){ .reserved = 4 * target * PAGE };
	h->va = mmap(NULL, h->reserved, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->va == MAP_FAILED) {
		ret = -errno;
		h->va = NULL;
		snprintf(why, whylen, "fragmenting: mmap of the holder: %s", strerror(-ret));
		return ret;
	}
	holder_pin(h);
	/*
	 * Kept until memstate_release(): memory freed between giving the
	 * holder's pages back and populating the buffer would be handed
	 * to the buffer first.
	 */
	h->pfn = malloc(h->reserved / PAGE * sizeof(*h->pfn));
	h->drop = malloc(h->reserved / PAGE);
	ret = h->pfn && h->drop ? 0 : -ENOMEM;
	/* 4K pages only: a THP would be one 2M block, never split. */
	if (!ret && madvise(h->va, h->reserved, MADV_NOHUGEPAGE))
		ret = -errno;
	if (ret)
		snprintf(why, whylen, "fragmenting: %s", strerror(-ret));
	if (!ret)
		ret = holder_fill(h, target, why, whylen);
	if (!ret) {
		h->compacted = vmstat("compact_isolated");
		ret = holder_drop(h);
		if (ret)
			snprintf(why, whylen, "fragmenting: MADV_DONTNEED: %s",
				 strerror(-ret));
	}
	if (ret)
		memstate_release(h);
	return ret;
}

void memstate_release(struct memstate_holder *h)
{
	if (h->va)
		munmap(h->va, h->reserved);
	if (h->pinned)
		sched_setaffinity(0, sizeof(h->cpus), &h->cpus);
	free(h->pfn);
	free(h->drop);
	h->va = NULL;
	h->pfn = NULL;
	h->drop = NULL;
	h->pinned = false;
}

/* Sorting (PFN, index) pairs by PFN. */
struct pfn_index {
	uint64_t pfn, i;
};

static int pfn_index_cmp(const void *a, const void *b)
{
	const struct pfn_index *x = a, *y = b;

	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

int memstate_hugetlb_descend(int mmap_flags, uint64_t page_size, uint64_t n,
			     char *why, size_t whylen)
{
	struct pfn_index *pi;
	uint64_t *pfn;
	uint8_t *va;
	int ret = 0;

	if (n < 2)
		return 0;
	va = mmap(NULL, n * page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | mmap_flags, -1, 0);
	if (va == MAP_FAILED) {
		ret = -errno;
		snprintf(why, whylen, "ordering the hugetlb pool: mmap: %s", strerror(-ret));
		return ret;
	}
	pfn = calloc(n, sizeof(*pfn));
	pi = calloc(n, sizeof(*pi));
	if (!pfn || !pi)
		ret = -ENOMEM;
	for (uint64_t i = 0; i < n && !ret; i++)
		((volatile uint8_t *)va)[i * page_size] = 1;
	if (!ret)
		ret = pagemap_pfns(va, n, page_size, pfn);
	if (ret) {
		snprintf(why, whylen, "ordering the hugetlb pool: %s", strerror(-ret));
	} else {
		for (uint64_t i = 0; i < n; i++)
			pi[i] = (struct pfn_index){ pfn[i], i };
		qsort(pi, n, sizeof(*pi), pfn_index_cmp);
		/* Lowest first: the last one given back is the first taken. */
		for (uint64_t i = 0; i < n; i++)
			munmap(va + pi[i].i * page_size, page_size);
	}
	munmap(va, n * page_size);
	free(pfn);
	free(pi);
	return ret;
}
