// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "backing.h"
#include "pagemap.h"
#include "smaps.h"
#include "sysfs.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#define HUGE_FLAG(sz) ((uint64_t)__builtin_ctzll(sz) << MAP_HUGE_SHIFT)

/* A THP buffer that is less than this much THP is not a THP buffer. */
#define THP_MIN_FRACTION 0.90

const struct backing backings[] = {
	{ "anon-4k", "private anonymous, THP disabled (MADV_NOHUGEPAGE)",
	  BK_ANON, SZ_4K, false, false, false },
	{ "anon-thp", "private anonymous, 2M aligned, MADV_HUGEPAGE",
	  BK_ANON, SZ_2M, true, false, false },
	{ "shmem", "shared anonymous (shmem), 4K pages",
	  BK_SHMEM, SZ_4K, false, false, false },
	{ "shmem-thp", "shared anonymous, MADV_HUGEPAGE (needs shmem_enabled)",
	  BK_SHMEM, SZ_2M, true, false, false },
	{ "memfd", "memfd_create(), 4K pages",
	  BK_MEMFD, SZ_4K, false, true, false },
	{ "memfd-2m", "memfd_create(MFD_HUGETLB | MFD_HUGE_2MB)",
	  BK_MEMFD, SZ_2M, false, true, false },
	{ "memfd-1g", "memfd_create(MFD_HUGETLB | MFD_HUGE_1GB)",
	  BK_MEMFD, SZ_1G, false, true, false },
	{ "hugetlb-2m", "MAP_HUGETLB | MAP_HUGE_2MB",
	  BK_HUGETLB, SZ_2M, false, false, false },
	{ "hugetlb-1g", "MAP_HUGETLB | MAP_HUGE_1GB",
	  BK_HUGETLB, SZ_1G, false, false, false },
	{ "hugetlbfs", "a file on the hugetlbfs mount given by --hugetlbfs",
	  BK_HUGETLBFS, 0, false, true, false },
	/* The same from fragmented free memory: every page its own run. */
	{ "anon-4k-frag", "anon-4k from free memory fragmented to isolated 4K pages",
	  BK_ANON, SZ_4K, false, false, true },
	{ "shmem-frag", "shmem from free memory fragmented to isolated 4K pages",
	  BK_SHMEM, SZ_4K, false, false, true },
	{ "memfd-frag", "memfd from free memory fragmented to isolated 4K pages",
	  BK_MEMFD, SZ_4K, false, true, true },
	{ "memfd-2m-frag", "memfd-2m, pool pages handed out highest PFN first",
	  BK_MEMFD, SZ_2M, false, true, true },
	{ "memfd-1g-frag", "memfd-1g, pool pages handed out highest PFN first",
	  BK_MEMFD, SZ_1G, false, true, true },
	{ "hugetlb-2m-frag", "hugetlb-2m, pool pages handed out highest PFN first",
	  BK_HUGETLB, SZ_2M, false, false, true },
	{ "hugetlb-1g-frag", "hugetlb-1g, pool pages handed out highest PFN first",
	  BK_HUGETLB, SZ_1G, false, false, true },
	{ "hugetlbfs-frag", "hugetlbfs, pool pages handed out highest PFN first",
	  BK_HUGETLBFS, 0, false, true, true },
};
const size_t nbackings = sizeof(backings) / sizeof(backings[0]);

const struct backing *backing_find(const char *name)
{
	for (size_t i = 0; i < nbackings; i++)
		if (!strcmp(backings[i].name, name))
			return &backings[i];
	return NULL;
}

static bool is_hugetlb(const struct backing *b)
{
	return b->kind == BK_HUGETLB || b->kind == BK_HUGETLBFS ||
	       (b->kind == BK_MEMFD && b->page_size > SZ_4K);
}

const char *backing_pool(const struct backing *b)
{
	if (b->kind == BK_HUGETLBFS)
		return "hugetlbfs";
	if (!is_hugetlb(b))
		return "normal";
	return b->page_size == SZ_1G ? "hugetlb-1g" : "hugetlb-2m";
}

uint64_t backing_pool_bytes(const struct backing *b, uint64_t size)
{
	return b->frag && !is_hugetlb(b) ? memstate_plan_bytes(size) : size;
}

static int hugetlb_counter(uint64_t page_size, const char *name, uint64_t *v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/%s",
		 (unsigned long long)(page_size >> 10), name);
	return sysfs_read_u64(path, v);
}

static int hugetlbfs_page_size(const char *dir, uint64_t *ps)
{
	struct statfs st;

	if (statfs(dir, &st))
		return -errno;
	if (st.f_type != HUGETLBFS_MAGIC)
		return -EINVAL;
	*ps = (uint64_t)st.f_bsize;
	return 0;
}

static int check_thp(const struct backing *b, char *why, size_t whylen)
{
	const char *file = b->kind == BK_SHMEM ? "shmem_enabled" : "enabled";
	char path[96], line[128], mode[32];

	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/%s", file);
	if (sysfs_read_str(path, line, sizeof(line)) ||
	    sysfs_bracketed(line, mode, sizeof(mode))) {
		snprintf(why, whylen, "no %s: kernel without THP", path);
		return -EOPNOTSUPP;
	}
	/* "advise"/"madvise" honour MADV_HUGEPAGE; so do the eager modes. */
	if (!strcmp(mode, "never") || !strcmp(mode, "deny")) {
		snprintf(why, whylen, "%s is '%s': echo %s > %s", path, mode,
			 b->kind == BK_SHMEM ? "advise" : "madvise", path);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * A -frag backing picks pages by PFN and verifies them by PFN: pagemap
 * shows PFNs to CAP_SYS_ADMIN only.
 */
static int check_pfns(char *why, size_t whylen)
{
	static uint8_t probe[SZ_4K] __attribute__((aligned(SZ_4K)));
	uint64_t pfn;

	probe[0] = 1;
	if (!pagemap_pfns(probe, 1, SZ_4K, &pfn))
		return 0;
	snprintf(why, whylen, "fragmented memory needs PFNs from /proc/self/pagemap: run as root (CAP_SYS_ADMIN)");
	return -EPERM;
}

int backing_check(const struct backing *b, uint64_t size,
		  const struct backing_opts *o, char *why, size_t whylen)
{
	uint64_t ps = b->page_size, free_pages = 0;

	if (b->kind == BK_HUGETLBFS) {
		if (!o->hugetlbfs_dir) {
			snprintf(why, whylen, "needs --hugetlbfs DIR (a hugetlbfs mount)");
			return -EOPNOTSUPP;
		}
		if (hugetlbfs_page_size(o->hugetlbfs_dir, &ps)) {
			snprintf(why, whylen, "%s is not a hugetlbfs mount",
				 o->hugetlbfs_dir);
			return -EINVAL;
		}
	}
	if (size % ps) {
		snprintf(why, whylen, "size %llu is not a multiple of the %lluK page",
			 (unsigned long long)size, (unsigned long long)(ps >> 10));
		return -EINVAL;
	}
	if (b->thp && check_thp(b, why, whylen))
		return -EOPNOTSUPP;
	if (b->frag && check_pfns(why, whylen))
		return -EOPNOTSUPP;
	if (!is_hugetlb(b)) {
		/* Refuse up front rather than let the OOM killer decide. */
		uint64_t avail = memstate_available(), need = backing_pool_bytes(b, size);

		if (avail && need > avail / 10 * 9) {
			snprintf(why, whylen, "needs %llu MiB%s, only %llu MiB available",
				 (unsigned long long)(need >> 20),
				 b->frag ? " (the buffer and the holder fragmenting free memory)" : "",
				 (unsigned long long)(avail >> 20));
			return -ENOMEM;
		}
		return 0;
	}
	if (hugetlb_counter(ps, "free_hugepages", &free_pages)) {
		snprintf(why, whylen, "kernel has no %lluK huge pages",
			 (unsigned long long)(ps >> 10));
		return -EOPNOTSUPP;
	}
	if (free_pages < size / ps) {
		snprintf(why, whylen,
			 "needs %llu free %lluK huge pages, %llu free: boot with hugepagesz=%s hugepages=%llu or write nr_hugepages",
			 (unsigned long long)(size / ps), (unsigned long long)(ps >> 10),
			 (unsigned long long)free_pages, ps == SZ_1G ? "1G" : "2M",
			 (unsigned long long)(size / ps));
		return -ENOSPC;
	}
	return 0;
}

static int memfd_flags(const struct backing *b)
{
	if (b->page_size == SZ_4K)
		return MFD_CLOEXEC;
	return MFD_CLOEXEC | MFD_HUGETLB | (int)HUGE_FLAG(b->page_size);
}

/* Anonymous THP: over-reserve, then trim to a 2M-aligned window. */
static void *mmap_aligned(uint64_t size, uint64_t align, int flags)
{
	uint8_t *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, flags, -1, 0);
	uintptr_t start, end;

	if (p == MAP_FAILED)
		return p;
	start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	end = start + size;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	if ((uintptr_t)p + size + align > end)
		munmap((void *)end, (uintptr_t)p + size + align - end);
	return (void *)start;
}

static int open_file(struct buffer *buf, const struct backing_opts *o)
{
	char path[4096];

	if (buf->b->kind == BK_MEMFD) {
		buf->fd = memfd_create("vfio-perf", (unsigned int)memfd_flags(buf->b));
	} else {
		snprintf(path, sizeof(path), "%s/vfio-perf.XXXXXX", o->hugetlbfs_dir);
		buf->fd = mkostemp(path, O_CLOEXEC);
		if (buf->fd >= 0)
			unlink(path);
	}
	if (buf->fd < 0)
		return -errno;
	if (ftruncate(buf->fd, (off_t)buf->size))
		return -errno;
	return 0;
}

void buffer_init(struct buffer *buf, const struct backing *b, uint64_t size,
		 const struct backing_opts *o)
{
	*buf = (struct buffer){ .b = b, .size = size, .fd = -1, .pfn_runs = -1,
				.page_size = b->page_size };
	if (b->kind == BK_HUGETLBFS)
		hugetlbfs_page_size(o->hugetlbfs_dir, &buf->page_size);
	if (is_hugetlb(b))
		hugetlb_counter(buf->page_size, "free_hugepages",
				&buf->huge_free_before);
}

int backing_prepare(struct buffer *buf, char *why, size_t whylen)
{
	if (!buf->b->frag)
		return 0;
	if (is_hugetlb(buf->b))
		return memstate_hugetlb_descend(MAP_HUGETLB | (int)HUGE_FLAG(buf->page_size),
						buf->page_size, buf->size / buf->page_size,
						why, whylen);
	return memstate_fragment(&buf->hold, buf->size, why, whylen);
}

int backing_mmap(struct buffer *buf, const struct backing_opts *o)
{
	const struct backing *b = buf->b;
	const int prot = PROT_READ | PROT_WRITE;
	uint64_t size = buf->size;
	int ret;

	switch (b->kind) {
	case BK_ANON:
		buf->va = b->thp ? mmap_aligned(size, SZ_2M, MAP_PRIVATE | MAP_ANONYMOUS) :
			mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case BK_SHMEM:
		buf->va = b->thp ? mmap_aligned(size, SZ_2M, MAP_SHARED | MAP_ANONYMOUS) :
			mmap(NULL, size, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		break;
	case BK_HUGETLB:
		buf->va = mmap(NULL, size, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			       (int)HUGE_FLAG(b->page_size), -1, 0);
		break;
	case BK_MEMFD:
	case BK_HUGETLBFS:
		ret = open_file(buf, o);
		if (ret)
			return ret;
		buf->va = mmap(NULL, size, prot, MAP_SHARED, buf->fd, 0);
		break;
	}
	if (buf->va == MAP_FAILED) {
		buf->va = NULL;
		return -errno;
	}
	/* The advice is part of obtaining the backing, so it is timed too. */
	if (b->kind == BK_ANON || b->kind == BK_SHMEM)
		if (madvise(buf->va, size, b->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
			return -errno;
	return 0;
}

void backing_populate(struct buffer *buf)
{
	volatile uint8_t *p = buf->va;

	for (uint64_t off = 0; off < buf->size; off += SZ_4K)
		p[off] = 1;
}

double buffer_thp_fraction(const struct buffer *buf)
{
	return (double)buf->thp_bytes / (double)buf->size;
}

/* Every page its own run, and nothing moved since the state was made. */
static bool verify_frag(const struct buffer *buf, char *why, size_t whylen)
{
	uint64_t pages = buf->size / buf->page_size, compacted;

	if (buf->pfn_runs < (int64_t)memstate_min_runs(pages)) {
		snprintf(why, whylen, "pfn-runs %lld of %llu pages (want >= %.0f%%): %s",
			 (long long)buf->pfn_runs, (unsigned long long)pages,
			 100 * MEMSTATE_MIN_RUNS_FRACTION,
			 is_hugetlb(buf->b) ? "the pool did not hand out its pages highest PFN first" :
			 "free memory was not fragmented");
		return false;
	}
	compacted = buf->hold.va ? memstate_compacted(&buf->hold) : 0;
	if (compacted) {
		snprintf(why, whylen, "compaction isolated %llu pages while the buffer was obtained",
			 (unsigned long long)compacted);
		return false;
	}
	return true;
}

/* The pages are of the promised kind: huge pages consumed, THP or not. */
static bool verify_pages(struct buffer *buf, char *why, size_t whylen)
{
	uintptr_t start = (uintptr_t)buf->va;
	struct smaps_counts c;
	uint64_t free_after = 0;

	if (is_hugetlb(buf->b)) {
		hugetlb_counter(buf->page_size, "free_hugepages", &free_after);
		buf->huge_pages = buf->huge_free_before - free_after;
		if (buf->huge_pages != buf->size / buf->page_size) {
			snprintf(why, whylen, "consumed %llu huge pages, expected %llu",
				 (unsigned long long)buf->huge_pages,
				 (unsigned long long)(buf->size / buf->page_size));
			return false;
		}
		return true;
	}
	if (smaps_range("/proc/self/smaps", start, start + buf->size, &c)) {
		snprintf(why, whylen, "cannot read /proc/self/smaps");
		return false;
	}
	buf->thp_bytes = buf->b->kind == BK_ANON ? c.anon_huge : c.shmem_pmd;
	if (buf->b->thp && buffer_thp_fraction(buf) < THP_MIN_FRACTION &&
	    !(buf->read_populated && buf->b->kind == BK_ANON)) {
		snprintf(why, whylen, "only %.1f%% of the buffer is THP (want >= %.0f%%)",
			 100 * buffer_thp_fraction(buf), 100 * THP_MIN_FRACTION);
		return false;
	}
	if (!buf->b->thp && buf->thp_bytes) {
		snprintf(why, whylen, "%.1f%% of a 4K buffer is THP",
			 100 * buffer_thp_fraction(buf));
		return false;
	}
	return true;
}

bool backing_verify(struct buffer *buf, char *why, size_t whylen)
{
	buf->pfn_runs = pagemap_pfn_runs(buf->va, buf->size);
	if (!verify_pages(buf, why, whylen))
		return false;
	return !buf->b->frag || verify_frag(buf, why, whylen);
}

int backing_munmap(struct buffer *buf)
{
	int ret = 0;

	if (buf->va && munmap(buf->va, buf->size))
		ret = -errno;
	if (buf->fd >= 0)
		close(buf->fd);
	buf->va = NULL;
	buf->fd = -1;
	return ret;
}

void backing_release(struct buffer *buf)
{
	memstate_release(&buf->hold);
}
