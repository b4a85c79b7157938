// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-dma-bench: what VFIO_IOMMU_MAP_DMA / UNMAP_DMA (and their iommufd
 * equivalents) cost, per memory backing, size and chunk size.
 *
 * One sample is one buffer's life: mmap, populate (the case's populate
 * state: written, read or untouched, populate.h), map into the device's
 * IOMMU address space, unmap, munmap; every phase timed on its own. The
 * populate state (pages present, resident and dirty) is verified before
 * the map, and what the kernel really backed the buffer with (THP bytes,
 * huge pages consumed, physical contiguity) once the buffer has its
 * pages: before the map when it was written, after it when the pin
 * faulted them in (read: the zero page replaced; none: every page); all
 * outside the timed phases. A -frag backing first puts free memory in a
 * known state, untimed (memstate.h): every page of the buffer its own
 * run of contiguous PFNs, whatever earlier samples left. Where the kernel
 * dumps the IOMMU's page table (iommupt.h), the IOMMU leaves (4K, 2M,
 * 1G) of every mapping are counted after the map, untimed, and must
 * cover the buffer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backing.h"
#include "case.h"
#include "cli.h"
#include "iommu.h"
#include "iommupt.h"
#include "log.h"
#include "meta.h"
#include "place.h"
#include "populate.h"
#include "results.h"
#include "size.h"
#include "sysfs.h"
#include "timing.h"
#include "vfio_device.h"
#include "vfio_device_meta.h"

/*
 * IOVA of every buffer: 4 GiB, above the 32-bit MSI window and 1 GiB
 * aligned so that 1G pages can use the IOMMU's 1G superpages. QEMU's
 * intel-iommu gives 39 address bits, so hundreds of GiB fit above it.
 */
#define IOVA_BASE (UINT64_C(1) << 32)

enum phase { PH_MMAP, PH_POPULATE, PH_MAP, PH_UNMAP, PH_MUNMAP, NR_PHASES };
static const char *const phase_name[NR_PHASES] = {
	"mmap", "populate", "map", "unmap", "munmap",
};

struct opts {
	const char *device;
	const struct backing *backing[32];
	size_t nbacking;
	const struct dma_iface *iface[16];
	size_t niface;
	const char *const *populate[POPULATE_NSTATES];	/* into populate_names */
	size_t npopulate;
	int mem_node[8];	/* --mem-node: each a case; -1 alone: unbound */
	size_t nmem_node;
	uint64_t *sizes;
	size_t nsizes;
	uint64_t map_chunk;	/* 0: the whole buffer in one call */
	uint64_t unmap_chunk;	/* 0: the whole buffer in one call */
	unsigned int reps, warmup;
	bool plan;		/* --plan: print the memory needed, run nothing */
	bool cases;		/* --cases: print the case names, run nothing */
	char iommupt[128];	/* the IOMMU page-table dump, "" if none */
	char iommupt_why[512];	/* where the leaf counts come from, or why none */
	struct backing_opts bo;
	struct cli_run run;
};

/* One sample's figures. */
struct sample {
	uint64_t t[NR_PHASES];
	struct buffer buf;
	struct populate_seen seen;
	struct pfnmap_entries leaves;	/* IOMMU leaves, if o->iommupt */
	int node;			/* the case's memory node, -1: none */
	uint64_t off_node;		/* pages found elsewhere */
	bool verified;
};

static void usage(void)
{
	printf(
"usage: vfio-dma-bench --device BDF --out DIR [options]\n"
"\n"
"Time VFIO DMA map and unmap of buffers of each memory backing through each\n"
"IOMMU interface. Writes DIR/samples.csv, DIR/cases.csv and DIR/meta.csv.\n"
"\n"
"  -d, --device BDF        PCI device bound to vfio-pci (e.g. 0000:00:03.0)\n"
"  -o, --out DIR           result directory (created; its files must not exist)\n"
"  -b, --backing LIST      comma list of backings (default: all but the -frag\n"
"                          ones, which take buffers from fragmented free\n"
"                          memory; see --list)\n"
"  -i, --iface LIST        comma list of IOMMU interfaces (default: all)\n"
"  -s, --size LIST         sizes: 512M,1G or a doubling sweep 4K..1G (default 256M)\n"
"  -c, --map-chunk SIZE    map in chunks of SIZE (default: whole buffer, one call)\n"
"  -u, --unmap-chunk SIZE  unmap in chunks of SIZE, a multiple of the map chunk\n"
"                          (default: whole buffer)\n"
"  -p, --populate LIST     comma list of populate states, each a case of its own\n"
"                          (default write): write (every 4 KiB written before the\n"
"                          map), read (only read: a private buffer maps the zero\n"
"                          page, which the pin replaces page by page),\n"
"                          none (untouched: the map faults in and zeroes every\n"
"                          page, so it is the whole cost and there is no populate\n"
"                          phase); MADV_POPULATE_WRITE/_READ where the kernel has\n"
"                          them, else one access per 4 KiB (meta.csv: populate.*)\n"
"  -n, --mem-node LIST     comma list of NUMA nodes, each a case of its own\n"
"                          (backing NAME@nodeN): every allocation of a sample\n"
"                          (buffer, -frag holder, pages the pin faults in) is\n"
"                          bound to node N (MPOL_BIND); the buffer's pages are\n"
"                          checked to be there (move_pages(2)) before the unmap.\n"
"                          A node this machine lacks is a skip (default: no\n"
"                          binding beyond --node)\n"
"  -r, --reps N            recorded repetitions per case, 1 to 100000 (default 5)\n"
"  -w, --warmup N          unrecorded repetitions before them, 0 to 1000\n"
"                          (default 1)\n"
"      --hugetlbfs DIR     hugetlbfs mount for the 'hugetlbfs' backing\n"
CLI_RUN_USAGE
"      --plan              print the memory the cases need, per pool, and exit:\n"
"                          lines 'POOL BYTES' (normal, hugetlb-2m, hugetlb-1g,\n"
"                          hugetlbfs), the largest buffer taken from each\n"
"                          (cases run one at a time); needs no device\n"
"      --cases             print the name of every case with each judged metric\n"
"                          of the schema, one a line, and exit; needs no device\n"
"  -l, --list              list backings and interfaces, and exit\n"
"  -h, --help              this text\n"
"\n"
"Exit: 0 ok, 1 a case failed or got the wrong backing, 2 bad usage,\n"
"4 every case skipped (reasons in cases.csv and on stderr).\n"
"\n"
"Example, in the QEMU guest of make bench (the edu device is 0000:00:03.0):\n"
"  vfio-dma-bench --device 0000:00:03.0 --out /tmp/dma --hugetlbfs /mnt/huge-2M --size 256M --reps 5 --warmup 1\n");
}

static void list_tables(void)
{
	printf("backings:\n");
	for (size_t i = 0; i < nbackings; i++)
		printf("  %-15s %s\n", backings[i].name, backings[i].what);
	printf("interfaces:\n");
	for (size_t i = 0; i < dma_nifaces; i++)
		printf("  %-15s %s\n", dma_ifaces[i].name, dma_ifaces[i].what);
	printf("populate states:\n");
	for (int i = 0; i < POPULATE_NSTATES; i++)
		printf("  %-15s %s\n", populate_names[i], populate_method(i));
}

/* For CLI_NAMES: the state's entry in populate_names, or NULL. */
static const char *const *populate_entry(const char *name)
{
	int i = populate_find(name);

	return i < 0 ? NULL : &populate_names[i];
}

/* --mem-node LIST: distinct node numbers. */
static void parse_nodes(struct opts *o, const char *list)
{
	char *dup = strdup(list), *save = NULL, *tok;

	o->nmem_node = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int node;

		if (o->nmem_node == sizeof(o->mem_node) / sizeof(o->mem_node[0]))
			die_usage("--mem-node: at most %zu nodes",
				  sizeof(o->mem_node) / sizeof(o->mem_node[0]));
		node = (int)cli_uint("--mem-node", tok, 0, 1023);
		for (size_t i = 0; i < o->nmem_node; i++)
			if (o->mem_node[i] == node)
				die_usage("--mem-node: node %d twice: one case each", node);
		o->mem_node[o->nmem_node++] = node;
	}
	free(dup);
	if (!o->nmem_node)
		die_usage("--mem-node: empty list");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_HUGETLBFS = CLI_O_NEXT, O_PLAN, O_CASES };
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "backing", required_argument, NULL, 'b' },
		{ "iface", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },
		{ "map-chunk", required_argument, NULL, 'c' },
		{ "unmap-chunk", required_argument, NULL, 'u' },
		{ "populate", required_argument, NULL, 'p' },
		{ "mem-node", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "hugetlbfs", required_argument, NULL, O_HUGETLBFS },
		{ "plan", no_argument, NULL, O_PLAN },
		{ "cases", no_argument, NULL, O_CASES },
		CLI_RUN_LONGOPTS,
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sizes = "256M";
	int c;

	*o = (struct opts){ .reps = 5, .warmup = 1 };
	cli_run_init(&o->run);
	while ((c = cli_getopt(argc, argv, "d:o:b:i:s:c:u:p:n:r:w:lh", lo)) != -1) {
		if (cli_run_option(&o->run, c, optarg))
			continue;
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'o': o->run.ro.dir = optarg; break;
		case 'b':
			CLI_NAMES(optarg, o->backing, o->nbacking, backing_find, "backing");
			break;
		case 'i':
			CLI_NAMES(optarg, o->iface, o->niface, dma_iface_find, "interface");
			break;
		case 's': sizes = optarg; break;
		case 'c': o->map_chunk = cli_size("--map-chunk", optarg); break;
		case 'u': o->unmap_chunk = cli_size("--unmap-chunk", optarg); break;
		case 'p':
			o->npopulate = 0;
			CLI_NAMES(optarg, o->populate, o->npopulate, populate_entry,
				  "populate state");
			break;
		case 'n': parse_nodes(o, optarg); break;
		case 'r': o->reps = cli_uint("--reps", optarg, 1, 100000); break;
		case 'w': o->warmup = cli_uint("--warmup", optarg, 0, 1000); break;
		case O_HUGETLBFS: o->bo.hugetlbfs_dir = optarg; break;
		case O_PLAN: o->plan = true; break;
		case O_CASES: o->cases = true; break;
		case 'l': list_tables(); exit(EXIT_OK);
		case 'h': usage(); exit(EXIT_OK);
		}
	}
	cli_finish(argc, argv, o->device, &o->run, o->plan || o->cases);
	if (size_list_parse(sizes, &o->sizes, &o->nsizes))
		die_usage("--size: '%s' is not a size list (512M,1G) or sweep (4K..1G)",
			  sizes);
	for (size_t i = 0; i < o->nsizes; i++)
		if (o->sizes[i] % SZ_4K)
			die_usage("--size: %llu is not a multiple of 4K",
				  (unsigned long long)o->sizes[i]);
	/* type1v2 and iommufd refuse to split a mapping on unmap. */
	if (o->unmap_chunk && (!o->map_chunk || o->unmap_chunk % o->map_chunk))
		die_usage("--unmap-chunk must be a multiple of --map-chunk: an unmap cannot split a mapping");
	if (!o->nbacking)
		for (size_t i = 0; i < nbackings; i++)
			if (!backings[i].frag)
				o->backing[o->nbacking++] = &backings[i];
	if (!o->niface)
		for (size_t i = 0; i < dma_nifaces; i++)
			o->iface[o->niface++] = &dma_ifaces[i];
	if (!o->npopulate)
		o->populate[o->npopulate++] = &populate_names[POPULATE_WRITE];
	if (!o->nmem_node)
		o->mem_node[o->nmem_node++] = -1;
	for (size_t i = 0; i < o->npopulate; i++)
		for (size_t j = 0; j < i; j++)
			if (o->populate[i] == o->populate[j])
				die_usage("--populate: '%s' twice: one case each", *o->populate[i]);
}

/*
 * --plan: the most each pool must give at once. Cases run one after the
 * other and every sample frees its buffer (and a -frag buffer's holder),
 * so the largest is what a pool must hold.
 */
static void print_plan(const struct opts *o)
{
	static const char *const pools[] = {
		"normal", "hugetlb-2m", "hugetlb-1g", "hugetlbfs",
	};

	for (size_t p = 0; p < sizeof(pools) / sizeof(pools[0]); p++) {
		uint64_t need = 0;

		for (size_t j = 0; j < o->nbacking; j++) {
			if (strcmp(backing_pool(o->backing[j]), pools[p]))
				continue;
			for (size_t k = 0; k < o->nsizes; k++) {
				uint64_t n = backing_pool_bytes(o->backing[j], o->sizes[k]);

				need = n > need ? n : need;
			}
		}
		if (need)
			printf("%s %llu\n", pools[p], (unsigned long long)need);
	}
}

/* Map or unmap the whole buffer in calls of @chunk bytes (0: one call). */
static int map_range(struct dma_ctx *ctx, const struct dma_region *r,
		     uint64_t size, uint64_t chunk)
{
	uint64_t step = chunk ? chunk : size, off;
	int ret = 0;

	for (off = 0; off < size && !ret; off += step)
		ret = dma_map(ctx, r, off, size - off < step ? size - off : step);
	if (ret && off > step)
		dma_unmap(ctx, r->iova, off - step);
	return ret;
}

static int unmap_range(struct dma_ctx *ctx, uint64_t iova, uint64_t size,
		       uint64_t chunk)
{
	uint64_t step = chunk ? chunk : size;
	int ret = 0;

	for (uint64_t off = 0; off < size && !ret; off += step)
		ret = dma_unmap(ctx, iova + off, size - off < step ? size - off : step);
	return ret;
}

/* A check of @sm failed with @w: the first failure is the reason kept. */
static void unverified(struct sample *sm, const char *w, char *why, size_t whylen)
{
	if (sm->verified)
		snprintf(why, whylen, "%s", w);
	sm->verified = false;
}

/*
 * Verify, untimed, what the buffer holds: its populate state (before the
 * map) or its backing (once it has its pages). The first failure is the
 * reason kept in @why; the figures of each are recorded in any case.
 */
static void verify_state(struct sample *sm, enum populate_state ps,
			 char *why, size_t whylen)
{
	char w[256];
	int ret = populate_observe(sm->buf.va, sm->buf.size,
				   strcmp(backing_pool(sm->buf.b), "normal"), &sm->seen);

	if (ret)
		snprintf(w, sizeof(w), "populate %s: cannot read pagemap or smaps: %s",
			 populate_names[ps], strerror(-ret));
	if (ret || !populate_check(ps, &sm->seen, w, sizeof(w)))
		unverified(sm, w, why, whylen);
}

static void verify_backing(struct sample *sm, char *why, size_t whylen)
{
	char w[256];
	int ret;

	if (!backing_verify(&sm->buf, w, sizeof(w)))
		unverified(sm, w, why, whylen);
	if (sm->node < 0)
		return;
	ret = place_pages_off_node(sm->buf.va, sm->buf.size, SZ_4K, sm->node,
				   &sm->off_node);
	if (ret)
		snprintf(w, sizeof(w), "node %d: move_pages: %s", sm->node, strerror(-ret));
	else if (sm->off_node)
		snprintf(w, sizeof(w), "%llu of %llu pages not on node %d",
			 (unsigned long long)sm->off_node,
			 (unsigned long long)(sm->buf.size / SZ_4K), sm->node);
	else
		return;
	unverified(sm, w, why, whylen);
}

/*
 * The IOMMU leaves that translate the buffer, read from the IOMMU's page
 * table after the map: every byte of it must be covered.
 */
static void verify_leaves(struct sample *sm, const struct opts *o,
			  uint64_t size, char *why, size_t whylen)
{
	uint64_t covered;
	char w[256];
	int ret;

	ret = iommupt_count(o->iommupt, IOVA_BASE, size, &sm->leaves, &covered);
	if (ret)
		snprintf(w, sizeof(w), "IOMMU page table %s: %s", o->iommupt,
			 ret == -EINVAL ? "a leaf line this reader does not understand" : strerror(-ret));
	else if (covered != size)
		snprintf(w, sizeof(w), "IOMMU leaves cover %llu of the buffer's %llu bytes",
			 (unsigned long long)covered, (unsigned long long)size);
	else
		return;
	unverified(sm, w, why, whylen);
}

/*
 * The timed phases of one sample, in the state backing_prepare() made.
 * A written buffer has its pages before the map, and its backing is
 * verified there, as it always was; a read or untouched one gets them
 * (or replaces the zero page) in the pin, so it is verified after the
 * map, before the unmap.
 */
static int run_phases(struct dma_ctx *ctx, const struct opts *o,
		      uint64_t size, enum populate_state ps, struct sample *sm,
		      char *why, size_t whylen)
{
	struct buffer *buf = &sm->buf;
	uint64_t *t = sm->t;
	struct dma_region r;
	uint64_t t0, t1;
	int ret;

	t0 = now_ns();
	ret = backing_mmap(buf, &o->bo);
	t1 = now_ns();
	t[PH_MMAP] = t1 - t0;
	if (ret) {
		snprintf(why, whylen, "mmap: %s", strerror(-ret));
		backing_munmap(buf);
		return ret;
	}
	ret = populate_buffer(buf->va, size, ps);
	t[PH_POPULATE] = now_ns() - t1;
	if (ret) {
		snprintf(why, whylen, "populate %s (%s): %s", populate_names[ps],
			 populate_method(ps), strerror(-ret));
		backing_munmap(buf);
		return ret;
	}

	sm->verified = true;
	verify_state(sm, ps, why, whylen);
	if (ps == POPULATE_WRITE)
		verify_backing(sm, why, whylen);
	r = (struct dma_region){ .va = buf->va, .fd = buf->fd, .iova = IOVA_BASE };

	t0 = now_ns();
	ret = map_range(ctx, &r, size, o->map_chunk);
	t1 = now_ns();
	t[PH_MAP] = t1 - t0;
	if (ret) {
		snprintf(why, whylen, "%s map: %s", ctx->iface->name, strerror(-ret));
		backing_munmap(buf);
		return ret;
	}
	if (ps != POPULATE_WRITE)
		verify_backing(sm, why, whylen);
	if (o->iommupt[0])
		verify_leaves(sm, o, size, why, whylen);
	t1 = now_ns();
	ret = unmap_range(ctx, IOVA_BASE, size, o->unmap_chunk);
	t0 = now_ns();
	t[PH_UNMAP] = t0 - t1;
	if (ret) {
		snprintf(why, whylen, "%s unmap: %s", ctx->iface->name, strerror(-ret));
		backing_munmap(buf);
		return ret;
	}
	ret = backing_munmap(buf);
	t[PH_MUNMAP] = now_ns() - t0;
	if (ret)
		snprintf(why, whylen, "munmap: %s", strerror(-ret));
	return ret;
}

/*
 * One sample: free memory put in the backing's state, then the timed
 * phases back to back; verification, which reads smaps and pagemap,
 * happens between them, untimed, and so do the preparing and its
 * release.
 */
static int run_sample(struct dma_ctx *ctx, const struct opts *o,
		      const struct backing *b, uint64_t size, int node,
		      enum populate_state ps, struct sample *sm,
		      char *why, size_t whylen)
{
	struct place_policy pol;
	int ret;

	sm->node = node;
	sm->off_node = 0;
	if (node >= 0) {
		ret = place_mem_bind(node, &pol);
		if (ret) {
			snprintf(why, whylen, "binding memory to node %d: %s", node,
				 strerror(-ret));
			return ret;
		}
	}
	buffer_init(&sm->buf, b, size, &o->bo);
	sm->buf.read_populated = ps == POPULATE_READ;
	ret = backing_prepare(&sm->buf, why, whylen);
	if (!ret)
		ret = run_phases(ctx, o, size, ps, sm, why, whylen);
	backing_release(&sm->buf);
	if (node >= 0 && place_mem_restore(&pol) && !ret) {
		ret = -errno;
		snprintf(why, whylen, "restoring the memory policy: %s", strerror(errno));
	}
	return ret;
}

/* An untouched buffer has no populate phase: nothing populated it. */
static bool has_phase(enum populate_state ps, int p)
{
	return p != PH_POPULATE || ps != POPULATE_NONE;
}

static void emit_sample(struct results *res, const struct opts *o,
			const struct results_case *rc, unsigned int rep,
			enum populate_state ps, const struct sample *sm)
{
	static const char *const leaf_metric[PFNMAP_NR_SIZES] = {
		"iommu-4k", "iommu-2m", "iommu-1g",
	};
	const struct buffer *buf = &sm->buf;
	bool verified = sm->verified;

	for (int p = 0; p < NR_PHASES; p++)
		if (has_phase(ps, p))
			results_sample(res, rc, phase_name[p], rep, (double)sm->t[p],
				       "ns", verified);
	results_sample(res, rc, "present-pages", rep, (double)sm->seen.present,
		       "count", verified);
	results_sample(res, rc, "resident-bytes", rep, (double)sm->seen.resident,
		       "bytes", verified);
	if (sm->seen.dirty_visible)
		results_sample(res, rc, "dirty-bytes", rep, (double)sm->seen.dirty,
			       "bytes", verified);
	if (buf->b->thp || buf->thp_bytes)
		results_sample(res, rc, "thp-fraction", rep,
			       buffer_thp_fraction(buf), "fraction", verified);
	if (buf->huge_pages)
		results_sample(res, rc, "hugetlb-pages", rep,
			       (double)buf->huge_pages, "count", verified);
	if (buf->pfn_runs >= 0)
		results_sample(res, rc, "pfn-runs", rep, (double)buf->pfn_runs,
			       "count", verified);
	if (sm->node >= 0)
		results_sample(res, rc, "pages-off-node", rep, (double)sm->off_node,
			       "count", verified);
	if (o->iommupt[0])
		for (int l = 0; l < PFNMAP_NR_SIZES; l++)
			results_sample(res, rc, leaf_metric[l], rep,
				       (double)sm->leaves.n[l], "count", verified);
}

/*
 * A backing of huge pages whose mapping the IOMMU translated with
 * smaller leaves: its page sizes, not the memory, decided; the rows
 * show it, and so does the log.
 */
static void note_leaves(const struct opts *o, const struct results_case *rc,
			const struct backing *b, const struct sample *sm)
{
	enum pfnmap_level want = b->page_size >= pfnmap_level_size(PFNMAP_PUD) ? PFNMAP_PUD :
				 b->page_size >= pfnmap_level_size(PFNMAP_PMD) ? PFNMAP_PMD : PFNMAP_PTE;
	char s[32], p[32];

	if (!o->iommupt[0] || want == PFNMAP_PTE ||
	    pfnmap_entries_level(&sm->leaves) >= want)
		return;
	log_msg("note: %s %s %s: %s pages, but the IOMMU translated them with %llu 1G, %llu 2M and %llu 4K leaves",
		rc->iface, rc->backing, size_format(rc->size, s, sizeof(s)),
		size_format(b->page_size, p, sizeof(p)),
		(unsigned long long)sm->leaves.n[PFNMAP_PUD],
		(unsigned long long)sm->leaves.n[PFNMAP_PMD],
		(unsigned long long)sm->leaves.n[PFNMAP_PTE]);
}

/*
 * type1 caps the number of mappings per container (dma_entry_limit,
 * 65535 by default); past it MAP_DMA fails with ENOSPC halfway through.
 */
static bool too_many_mappings(const struct dma_ctx *ctx, const struct opts *o,
			      uint64_t size, char *why, size_t whylen)
{
	const char *limit_path = "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit";
	uint64_t limit, calls;

	if (!o->map_chunk || strncmp(ctx->iface->name, "type1", 5) ||
	    sysfs_read_u64(limit_path, &limit))
		return false;
	calls = (size + o->map_chunk - 1) / o->map_chunk;
	if (calls <= limit)
		return false;
	snprintf(why, whylen, "%llu mappings exceed dma_entry_limit %llu: raise %s",
		 (unsigned long long)calls, (unsigned long long)limit, limit_path);
	return true;
}

/*
 * Pages the pin itself allocates (an untouched buffer, or a private one
 * only read, whose zero page the pin replaces) come from a long-term
 * pin, which clears __GFP_MOVABLE (memalloc_pin_save()): they are taken
 * from unmovable free memory, which a -frag holder, made of movable
 * pages, does not shape (measured: 74 PFN runs for 16384 pages). The
 * huge page pools are shaped by PFN order and do not care.
 */
static bool frag_unshaped(const struct backing *b, enum populate_state ps)
{
	return b->frag && !strcmp(backing_pool(b), "normal") &&
	       (ps == POPULATE_NONE || (ps == POPULATE_READ && b->kind == BK_ANON));
}

static enum populate_state state_of(const struct opts *o, size_t i)
{
	return (enum populate_state)(o->populate[i] - populate_names);
}

/* What case number @n of interface @i runs, beside its results_case. */
struct case_pick {
	const struct backing *b;
	int node;
	enum populate_state ps;
};

/*
 * Case @n of interface @i: backings, then nodes, then populate states,
 * then sizes, the last varying fastest.
 */
static struct results_case case_of(const struct opts *o, size_t i, size_t n,
				   struct case_pick *cp, char *backing, size_t len)
{
	size_t k = n % o->nsizes;

	cp->b = o->backing[n / (o->nmem_node * o->npopulate * o->nsizes)];
	cp->node = o->mem_node[n / (o->npopulate * o->nsizes) % o->nmem_node];
	cp->ps = state_of(o, n / o->nsizes % o->npopulate);
	return (struct results_case){
		.bench = "dma",
		.backing = case_node_backing(cp->b->name, cp->node, backing, len),
		.level = "", .iface = o->iface[i]->name,
		.size = o->sizes[k], .chunk = o->map_chunk,
		.unmap_chunk = o->unmap_chunk,
		.populate = populate_names[cp->ps],
	};
}

/* --cases: every case's names, as the results will write them. */
static void print_cases(const struct opts *o)
{
	size_t per = o->nbacking * o->nmem_node * o->npopulate * o->nsizes;

	for (size_t i = 0; i < o->niface; i++)
		for (size_t n = 0; n < per; n++) {
			char backing[CASE_NAME_LEN];
			struct case_pick cp;
			struct results_case rc = case_of(o, i, n, &cp, backing, sizeof(backing));

			if (results_case_names(stdout, &rc))
				die_usage("case %s/%s: not a case of the schema", rc.backing, rc.iface);
		}
}

/* Returns the case's status. */
static enum case_status run_case(struct results *res, struct dma_ctx *ctx,
				 const struct opts *o, struct results_case *rc,
				 const struct backing *b, int node,
				 enum populate_state ps, char *why, size_t whylen)
{
	unsigned int total = o->warmup + o->reps, bad = 0;
	double *v[NR_PHASES];
	struct sample sm;

	if (ctx->iface->needs_fd && !b->has_fd) {
		snprintf(why, whylen, "%s maps file descriptors: memfd and hugetlbfs backings only",
			 ctx->iface->name);
		return CASE_SKIP;
	}
	if (backing_check(b, rc->size, &o->bo, why, whylen))
		return CASE_SKIP;
	if (node >= 0 && place_node_online(node, why, whylen)) {
		size_t n = strlen(why);

		snprintf(why + n, whylen - n, ": a guest with two nodes is bench.sh --guest-numa 2");
		return CASE_SKIP;
	}
	if (too_many_mappings(ctx, o, rc->size, why, whylen))
		return CASE_SKIP;
	if (frag_unshaped(b, ps)) {
		snprintf(why, whylen,
			 "%s populate %s: the pin allocates these pages itself, unmovable (a long-term pin clears __GFP_MOVABLE), from free memory the fragmenting holder does not shape: measure the backing without -frag",
			 b->name, populate_names[ps]);
		return CASE_SKIP;
	}

	for (int p = 0; p < NR_PHASES; p++)
		v[p] = calloc(o->reps, sizeof(double));
	for (unsigned int i = 0; i < total; i++) {
		if (run_sample(ctx, o, b, rc->size, node, ps, &sm, why, whylen))
			goto fail;
		if (i < o->warmup)
			continue;
		emit_sample(res, o, rc, i - o->warmup, ps, &sm);
		if (i == o->warmup)
			note_leaves(o, rc, b, &sm);
		if (!sm.verified)
			bad++;
		for (int p = 0; p < NR_PHASES; p++)
			v[p][i - o->warmup] = (double)sm.t[p];
	}
	for (int p = 0; p < NR_PHASES; p++)
		if (has_phase(ps, p))
			results_report(rc, phase_name[p], v[p], o->reps);
	for (int p = 0; p < NR_PHASES; p++)
		free(v[p]);
	/* @why still holds the last verification failure, if any. */
	return bad ? CASE_UNVERIFIED : CASE_OK;
fail:
	for (int p = 0; p < NR_PHASES; p++)
		free(v[p]);
	return CASE_FAIL;
}

/*
 * Root (CAP_IPC_LOCK) pins without limit; anyone else is held to
 * RLIMIT_MEMLOCK, and finding out at the first ENOMEM wastes a run.
 */
static void check_memlock(const struct opts *o)
{
	uint64_t largest = 0;
	struct rlimit rl;

	for (size_t i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > largest)
			largest = o->sizes[i];
	if (!geteuid() || getrlimit(RLIMIT_MEMLOCK, &rl) ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= largest)
		return;
	die_fail("RLIMIT_MEMLOCK is %llu bytes but the largest case pins %llu: raise it (ulimit -l) or run as root",
		 (unsigned long long)rl.rlim_cur, (unsigned long long)largest);
}

/* How the -frag backings of this run make their state (memstate.h). */
static void describe_memstate(const struct opts *o, struct meta *m)
{
	bool frag4k = false, fraghuge = false;
	char v[32];

	for (size_t j = 0; j < o->nbacking; j++) {
		const struct backing *b = o->backing[j];

		frag4k |= b->frag && !strcmp(backing_pool(b), "normal");
		fraghuge |= b->frag && strcmp(backing_pool(b), "normal");
	}
	if (frag4k)
		meta_set(m, "memstate.frag_4k",
			 "before each sample a holder (private anonymous 4K, MADV_NOHUGEPAGE) populates 2 x (P + P/128 + 256) pages for a buffer of P pages (more while too few pair up) and gives back with MADV_DONTNEED each page of odd PFN whose buddy it holds; kept until the buffer is unmapped; pinned to the CPU; verified: pfn-runs >= %.0f%% of P and no page isolated by compaction meanwhile (compact_isolated)",
			 100 * MEMSTATE_MIN_RUNS_FRACTION);
	if (fraghuge)
		meta_set(m, "memstate.frag_hugetlb",
			 "before each sample the buffer's pages are taken from the pool and given back lowest PFN first, so the LIFO pool hands them out highest PFN first; verified: pfn-runs >= %.0f%% of the pages",
			 100 * MEMSTATE_MIN_RUNS_FRACTION);
	if ((frag4k || fraghuge) &&
	    !sysfs_read_str("/proc/sys/vm/compaction_proactiveness", v, sizeof(v)))
		meta_set(m, "vm.compaction_proactiveness", "%s", v);
}

static void describe_run(const struct opts *o, const struct vfio_pci_device *dev,
			 struct meta *m)
{
	char buf[4096] = "", s[32];
	size_t len = 0;

	meta_set(m, "bench", "dma");
	vfio_pci_device_describe(dev, m);
	meta_set(m, "iova_base", "0x%llx", (unsigned long long)IOVA_BASE);
	meta_set(m, "iommu_leaves", "%s", o->iommupt_why);
	if (o->mem_node[0] >= 0)
		meta_set(m, "mem_node.verify",
			 "backing NAME@nodeN: every allocation of a sample bound to node N (MPOL_BIND, restored after it); the buffer's pages looked up with move_pages(2), one per 4 KiB, once they exist (before the map for write, after it for read and none): pages-off-node must be 0; local memory is cpu_node's");
	meta_set(m, "reps", "%u", o->reps);
	meta_set(m, "warmup", "%u", o->warmup);
	meta_set(m, "map_chunk", "%s", o->map_chunk ? size_format(o->map_chunk, s, sizeof(s)) : "whole");
	meta_set(m, "unmap_chunk", "%s", o->unmap_chunk ? size_format(o->unmap_chunk, s, sizeof(s)) : "whole");
	for (size_t i = 0; i < o->npopulate; i++) {
		enum populate_state ps = state_of(o, i);
		char key[32];

		snprintf(key, sizeof(key), "populate.%s", populate_names[ps]);
		meta_set(m, key, "%s", populate_method(ps));
	}
	meta_set(m, "populate.verify",
		 "before the map, untimed: pages present (pagemap), resident and dirty bytes (smaps); none: nothing present or resident; read: all present, nothing dirty; write: all present, resident and dirty (hugetlb shows no dirty bytes: read and write both all resident); the backing (THP, huge pages, pfn-runs) before the map for write, after it for read and none");
	describe_memstate(o, m);
	for (size_t i = 0; i < o->niface; i++)
		for (size_t j = 0; j < o->nbacking; j++)
			len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
						"%s%s/%s", len ? " " : "",
						o->iface[i]->name, o->backing[j]->name);
	meta_set(m, "case_order", "%s (each over populate states, then sizes, in the order given)",
		 buf);
}

int main(int argc, char **argv)
{
	unsigned int nrun = 0, nfail = 0, ncase = 0, total;
	size_t per;
	struct vfio_pci_device dev;
	struct meta meta = { 0 };
	struct results res;
	struct opts o;
	char why[512], s[32];
	int ret;

	log_prog = "vfio-dma-bench";
	parse_args(argc, argv, &o);
	if (o.plan || o.cases) {
		if (o.plan)
			print_plan(&o);
		else
			print_cases(&o);
		free(o.sizes);
		return EXIT_OK;
	}
	ret = vfio_pci_device_probe(o.device, &dev, why, sizeof(why));
	if (ret)
		die(ret == -EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", why);
	check_memlock(&o);
	if (iommupt_find(IOMMUPT_DIR, dev.bdf, o.iommupt, sizeof(o.iommupt),
			 o.iommupt_why, sizeof(o.iommupt_why)))
		o.iommupt[0] = '\0';
	cli_run_place(&o.run, &meta);

	meta_collect_system(&meta);
	describe_run(&o, &dev, &meta);
	o.run.ro.device = dev.bdf;
	if (results_open(&res, &o.run.ro, &meta, why, sizeof(why)))
		die_fail("%s", why);

	per = o.nbacking * o.nmem_node * o.npopulate * o.nsizes;
	total = (unsigned int)(o.niface * per);
	for (size_t i = 0; i < o.niface; i++) {
		struct dma_ctx ctx;
		ret = dma_ctx_open(&ctx, o.iface[i], &dev, why, sizeof(why));

		if (ret)
			log_msg("%s: %s", o.iface[i]->name, why);
		for (size_t n = 0; n < per; n++) {
			char backing[CASE_NAME_LEN];
			struct case_pick cp;
			struct results_case rc = case_of(&o, i, n, &cp, backing, sizeof(backing));
			enum case_status st;

			log_progress("case %u/%u: %s %s populate %s %s: %u+%u reps",
				     ++ncase, total, rc.iface, rc.backing, rc.populate,
				     size_format(rc.size, s, sizeof(s)),
				     o.warmup, o.reps);
			if (ret) {
				/* The interface itself failed or is absent. */
				st = ret == -EOPNOTSUPP ? CASE_SKIP : CASE_FAIL;
			} else {
				why[0] = '\0';
				st = run_case(&res, &ctx, &o, &rc, cp.b, cp.node,
					      cp.ps, why, sizeof(why));
			}
			results_case_done(&res, &rc, st, st == CASE_SKIP ? 0 : o.reps, why);
			nrun += st == CASE_OK;
			nfail += st == CASE_FAIL || st == CASE_UNVERIFIED;
		}
		if (!ret)
			dma_ctx_close(&ctx);
	}
	if (results_commit(&res, why, sizeof(why)))
		die_fail("%s", why);
	meta_free(&meta);
	free(o.sizes);
	log_msg("%u cases: %u ok, %u failed, %u skipped; results in %s",
		total, nrun, nfail, total - nrun - nfail, o.run.ro.dir);
	if (nfail)
		return EXIT_FAIL;
	return nrun ? EXIT_OK : EXIT_SKIP;
}
