// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-mmio-bench: what a vfio-pci BAR mapped into a process costs with
 * PTE, PMD or PUD page-table entries (pfnmaps), and with the entries the
 * kernel picks itself for mmap(NULL).
 *
 * Per level, first a verification pass: the BAR is mapped at an address
 * that admits that level and no larger one (pfnmap.h), every 4 KiB is
 * touched with kprobes counting vmf_insert_pfn{,_pmd,_pud}, and the level
 * fails unless the kernel inserted exactly the entries the placement
 * implies. Then each repetition maps the BAR afresh and times touching
 * it (fault-in, with fault counts), dependent loads over a sweep of
 * working sets, sequential reads and writes, and VFIO DMA-map of the
 * mapping itself (the peer-to-peer path), prefaulted and cold. Anonymous
 * memory with 4K and with huge pages gets the same load and bandwidth
 * runs, as the baseline beside the BAR.
 *
 * samples.csv (DESIGN.md section 8), bench "mmio":
 *   backing bar, anon-4k or anon-thp; level = the level requested (pte,
 *   pmd, pud, auto; empty for anonymous memory).
 *   fault-in case (size = mapping): faults, faults-rusage (count),
 *     fault-in, fault-ns (ns), and from the verification pass (rep 0)
 *     kprobe-vmf_insert_pfn{,_pmd,_pud} and ptdump-{pte,pmd,pud} (count).
 *   load cases (size = working set, chunk = 4096: one load per 4 KiB
 *     page, which also keeps them apart from the fault-in case of the
 *     same size): load-ns is the median per-load
 *     latency of one sample's batches; load-ns-p5, -p95, -p99 the other
 *     quantiles of the same batches; load-overhead-ns what was subtracted;
 *     hw-* counts over the sample's loads where the CPU has counters.
 *   bandwidth cases (size = bytes streamed, chunk = access width 8 or
 *     64): read-bw, write-bw (B/s).
 *   DMA-map case (iface type1v2, size = mapping): bar-map, bar-unmap of
 *     the prefaulted mapping, bar-map-cold, bar-unmap-cold of a fresh one.
 *   Every BAR sample set also carries level-obtained (bytes: 4096,
 *   2097152, 1073741824) and every anon-thp one thp-fraction, so a row
 *   can be checked on its own; "verified" says whether it matched.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "backing.h"
#include "chase.h"
#include "cli.h"
#include "freshmap.h"
#include "iommu.h"
#include "kprobe.h"
#include "log.h"
#include "meta.h"
#include "perfev.h"
#include "pfnmap.h"
#include "ptdump.h"
#include "results.h"
#include "size.h"
#include "stream.h"
#include "timing.h"
#include "vfio_bar.h"
#include "vfio_device.h"
#include "vfio_device_meta.h"

/* IOVA of the BAR's DMA mapping: as vfio-dma-bench's, above 4 GiB. */
#define IOVA_BASE (UINT64_C(1) << 32)
/* Seed of the pointer chains: the same chain for the same working set. */
#define CHASE_SEED UINT64_C(0x7666696f2d706572)

/* The measurements beside fault-in, which always runs. */
enum phase { PH_LOAD, PH_BW, PH_BARMAP, NR_PHASES };
static const struct phase_desc {
	const char *name, *what;
} phase_descs[NR_PHASES] = {
	[PH_LOAD] = { "load", "dependent-load latency over the working sets" },
	[PH_BW] = { "bw", "sequential read and write bandwidth, 8 and 64 byte accesses" },
	[PH_BARMAP] = { "bar-map", "VFIO_IOMMU_MAP_DMA of the mapped BAR, prefaulted and cold" },
};

static const char *const level_what[PFNMAP_NR_LEVELS] = {
	[PFNMAP_PTE] = "4 KiB entries",
	[PFNMAP_PMD] = "2 MiB entries",
	[PFNMAP_PUD] = "1 GiB entries",
	[PFNMAP_AUTO] = "where mmap(NULL) puts the BAR in a fresh process",
};

/*
 * Kernel functions whose calls count the page-table entries a fault-in
 * makes, per level; a renamed function's older name follows it (6.1 has
 * only the _prot ones). remap_pfn_range() is how vfio-pci mapped a BAR
 * before 6.12: the whole VMA with PTEs, at its first fault.
 */
static const struct insert_probe {
	const char *func;
	int level;		/* enum pfnmap_level; -1: a whole VMA of PTEs */
} insert_probes[] = {
	{ "vmf_insert_pfn", PFNMAP_PTE },
	{ "vmf_insert_pfn_pmd", PFNMAP_PMD },
	{ "vmf_insert_pfn_pmd_prot", PFNMAP_PMD },
	{ "vmf_insert_pfn_pud", PFNMAP_PUD },
	{ "vmf_insert_pfn_pud_prot", PFNMAP_PUD },
	{ "remap_pfn_range", -1 },
};
#define NR_PROBES (sizeof(insert_probes) / sizeof(insert_probes[0]))
_Static_assert(NR_PROBES <= KPROBE_MAX, "more insert probes than a kprobe_set holds");

static const unsigned int bw_widths[] = { 8, 64 };
#define NR_WIDTHS (sizeof(bw_widths) / sizeof(bw_widths[0]))

struct opts {
	const char *device;
	int bar;			/* -1: the largest mmappable one */
	uint64_t size, offset;
	const int *level[PFNMAP_NR_LEVELS];
	size_t nlevel;
	int place_as;			/* -1: where the level asks */
	const struct phase_desc *phase[NR_PHASES];
	size_t nphase;
	unsigned int phases;		/* 1 << enum phase */
	uint64_t *ws;
	size_t nws;
	bool ws_default;		/* --working-set not given */
	const struct backing *baseline[2];
	size_t nbaseline;
	uint64_t bw_size;
	unsigned int batches, reps, warmup;
	bool plan;			/* --plan: print the memory needed */
	struct cli_run run;
};

/* One case of the CSV and how many of its samples failed verification. */
struct mcase {
	struct results_case rc;
	unsigned int bad;
};

/* The rows that say what a sample ran on. */
struct provenance {
	bool verified;
	double level_obtained;	/* bytes; NaN for anonymous memory */
	double thp_fraction;	/* NaN unless a THP backing */
};

/* What one level is asked for, where it is placed, and what it gave. */
struct level_run {
	int level;			/* requested, enum pfnmap_level */
	uint64_t residue;		/* of the mapping's address modulo 1G */
	struct pfnmap_entries expect;	/* what that placement must give */
	double expect_faults;		/* per fault-in */
	int obtained;			/* PFNMAP_NR_SIZES: unknown */
	bool verified;
	char why[512];
};

struct bench {
	const struct opts *o;
	struct results res;
	struct dma_ctx ctx;
	struct vfio_bar bar;
	struct perfev_set pe;
	struct kprobe_set kp;
	int probe_of[PFNMAP_NR_SIZES];	/* insert_probes[] index per level, or -1 */
	int remap_probe;		/* insert_probes[] index, or -1 */
	bool kprobes;			/* every level has a probe */
	bool ptdump;
	char ptdump_path[64];
	unsigned int nok, nfail, nskip;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-mmio-bench --device BDF --out DIR [options]\n"
"\n"
"Map a BAR of a vfio-pci device with PTE, PMD or PUD page-table entries (and\n"
"where mmap(NULL) puts it), verify the level obtained, and measure fault-in,\n"
"load latency, bandwidth and VFIO DMA-map of the mapping, beside anonymous\n"
"memory. The BAR is read and written: use a memory BAR (ivshmem's BAR2, a\n"
"GPU's VRAM), never one with registers. Writes DIR/samples.csv, cases.csv\n"
"and meta.csv.\n"
"\n"
"  -d, --device BDF        PCI device bound to vfio-pci (e.g. 0000:00:04.0)\n"
"  -o, --out DIR           result directory (created; its files must not exist)\n"
"      --bar N             BAR index (default: the largest mmappable BAR)\n"
"  -s, --size SIZE         bytes of the BAR to map (default 1G, or the BAR)\n"
"      --offset SIZE       where in the BAR the mapping starts (default 0)\n"
"  -L, --level LIST        pte,pmd,pud,auto (default all four, in that order)\n"
"  -p, --phases LIST       measurements beside fault-in (which always runs):\n"
"                          load,bw,bar-map (default all), or none\n"
"  -W, --working-set LIST  load-latency working sets: 4K,2M or a doubling\n"
"                          sweep 4K..1G (default 4K..1G, up to --size)\n"
"  -b, --baseline LIST     anonymous memory measured beside the BAR:\n"
"                          anon-4k,anon-thp (default) or none\n"
"      --bw-size SIZE      bytes read and written per bandwidth sample\n"
"                          (default 64M, at most --size)\n"
"      --batches N         timed batches of %u loads per load sample (default 1024)\n"
"  -r, --reps N            recorded repetitions per case (default 3)\n"
"  -w, --warmup N          unrecorded repetitions before them (default 1); each\n"
"                          repetition maps the BAR afresh\n"
CLI_RUN_USAGE
"      --plan              print the guest memory the cases need ('normal BYTES':\n"
"                          the anonymous baselines; the BAR is not RAM) and exit;\n"
"                          needs no device\n"
"      --place-as LEVEL    testing: place every mapping as for LEVEL, whatever\n"
"                          level is asked for (a level mismatch must fail)\n"
"  -l, --list              list levels, phases and baselines, and exit\n"
"  -h, --help              this text\n"
"\n"
"Exit: 0 ok, 1 a case failed or a level was not obtained, 2 bad usage,\n"
"4 every case skipped (reasons in cases.csv and on stderr).\n", CHASE_BATCH);
}

static void list_tables(void)
{
	printf("levels:\n");
	for (int l = 0; l < PFNMAP_NR_LEVELS; l++)
		printf("  %-8s %s\n", pfnmap_level_name[l], level_what[l]);
	printf("phases:\n");
	for (int p = 0; p < NR_PHASES; p++)
		printf("  %-8s %s\n", phase_descs[p].name, phase_descs[p].what);
	printf("baselines:\n");
	for (size_t i = 0; i < nbackings; i++)
		if (backings[i].kind == BK_ANON)
			printf("  %-8s %s\n", backings[i].name, backings[i].what);
}

static const int *level_find(const char *name)
{
	static const int levels[PFNMAP_NR_LEVELS] = {
		PFNMAP_PTE, PFNMAP_PMD, PFNMAP_PUD, PFNMAP_AUTO,
	};
	int l = pfnmap_level_find(name);

	return l < 0 ? NULL : &levels[l];
}

static const struct phase_desc *phase_find(const char *name)
{
	for (int p = 0; p < NR_PHASES; p++)
		if (!strcmp(phase_descs[p].name, name))
			return &phase_descs[p];
	return NULL;
}

/* Anonymous private memory only: what the BAR is compared with. */
static const struct backing *baseline_find(const char *name)
{
	const struct backing *b = backing_find(name);

	return b && b->kind == BK_ANON ? b : NULL;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_BAR = CLI_O_NEXT, O_OFFSET, O_BWSIZE, O_BATCHES, O_PLACEAS, O_PLAN };
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "bar", required_argument, NULL, O_BAR },
		{ "size", required_argument, NULL, 's' },
		{ "offset", required_argument, NULL, O_OFFSET },
		{ "level", required_argument, NULL, 'L' },
		{ "phases", required_argument, NULL, 'p' },
		{ "working-set", required_argument, NULL, 'W' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "bw-size", required_argument, NULL, O_BWSIZE },
		{ "batches", required_argument, NULL, O_BATCHES },
		{ "reps", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "place-as", required_argument, NULL, O_PLACEAS },
		{ "plan", no_argument, NULL, O_PLAN },
		CLI_RUN_LONGOPTS,
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ws = "4K..1G";
	bool ws_given = false;
	int c;

	*o = (struct opts){ .bar = -1, .place_as = -1, .bw_size = 64 << 20,
			    .batches = 1024, .reps = 3, .warmup = 1 };
	cli_run_init(&o->run);
	while ((c = getopt_long(argc, argv, "d:o:s:L:p:W:b:r:w:lh", lo, NULL)) != -1) {
		if (cli_run_option(&o->run, c, optarg))
			continue;
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'o': o->run.ro.dir = optarg; break;
		case O_BAR: o->bar = (int)cli_uint("--bar", optarg, 5); break;
		case 's': o->size = cli_size("--size", optarg); break;
		case O_OFFSET: o->offset = cli_size("--offset", optarg); break;
		case 'L':
			o->nlevel = 0;
			CLI_NAMES(optarg, o->level, o->nlevel, level_find, "level");
			break;
		case 'p':
			o->nphase = 0;
			if (strcmp(optarg, "none"))
				CLI_NAMES(optarg, o->phase, o->nphase, phase_find, "phase");
			else
				o->phase[o->nphase++] = NULL;
			break;
		case 'W': ws = optarg; ws_given = true; break;
		case 'b':
			o->nbaseline = 0;
			if (strcmp(optarg, "none"))
				CLI_NAMES(optarg, o->baseline, o->nbaseline, baseline_find,
					  "baseline");
			else
				o->baseline[o->nbaseline++] = NULL;
			break;
		case O_BWSIZE: o->bw_size = cli_size("--bw-size", optarg); break;
		case O_BATCHES: o->batches = cli_uint("--batches", optarg, 1 << 20); break;
		case 'r': o->reps = cli_uint("--reps", optarg, 100000); break;
		case 'w': o->warmup = cli_uint("--warmup", optarg, 1000); break;
		case O_PLACEAS:
			o->place_as = pfnmap_level_find(optarg);
			if (o->place_as < 0 || o->place_as == PFNMAP_AUTO)
				die_usage("--place-as: '%s' is not pte, pmd or pud", optarg);
			break;
		case O_PLAN: o->plan = true; break;
		case 'l': list_tables(); exit(EXIT_OK);
		case 'h': usage(stdout); exit(EXIT_OK);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	/* A plan is asked of a suite's arguments, before any device exists. */
	if (o->plan && !o->device)
		o->device = "none";
	if (o->plan && !o->run.ro.dir)
		o->run.ro.dir = "none";
	cli_finish(argc, argv, o->device, &o->run, o->reps);
	if (!o->batches)
		die_usage("--batches must be at least 1");
	if (size_list_parse(ws, &o->ws, &o->nws))
		die_usage("--working-set: '%s' is not a size list (4K,2M) or sweep (4K..1G)", ws);
	for (size_t i = 0; i < o->nws; i++)
		if (o->ws[i] % SZ_4K)
			die_usage("--working-set: %llu is not a multiple of 4K",
				  (unsigned long long)o->ws[i]);
	o->ws_default = !ws_given;	/* cut to the mapping later */
	if (!o->nlevel)
		for (int l = 0; l < PFNMAP_NR_LEVELS; l++)
			o->level[o->nlevel++] = level_find(pfnmap_level_name[l]);
	if (!o->nphase)
		for (int p = 0; p < NR_PHASES; p++)
			o->phase[o->nphase++] = &phase_descs[p];
	for (size_t i = 0; i < o->nphase; i++)
		if (o->phase[i])
			o->phases |= 1u << (int)(o->phase[i] - phase_descs);
	if (!o->nbaseline) {
		o->baseline[o->nbaseline++] = backing_find("anon-4k");
		o->baseline[o->nbaseline++] = backing_find("anon-thp");
	}
	if (!o->baseline[0])
		o->nbaseline = 0;	/* "none" */
}

/*
 * Fit the defaults to the BAR (map 1G or the whole BAR, sweep up to the
 * mapping) and refuse what cannot fit.
 */
static void fit_to_bar(struct opts *o, const struct vfio_bar *bar)
{
	char a[32], b[32], c[32];
	size_t n = 0;

	if (o->offset >= bar->size)
		die_fail("--offset %s is beyond BAR %d's %s", size_format(o->offset, a, sizeof(a)),
			 bar->index, size_format(bar->size, b, sizeof(b)));
	if (!o->size)
		o->size = bar->size - o->offset < SZ_1G ? bar->size - o->offset : SZ_1G;
	if (o->offset + o->size > bar->size)
		die_fail("--offset %s --size %s does not fit in BAR %d (%s)",
			 size_format(o->offset, a, sizeof(a)), size_format(o->size, b, sizeof(b)),
			 bar->index, size_format(bar->size, c, sizeof(c)));
	if (o->ws_default) {
		for (size_t i = 0; i < o->nws && o->ws[i] <= o->size; i++)
			n++;
		o->nws = n;
	}
	for (size_t i = 0; i < o->nws; i++)
		if (o->ws[i] > o->size)
			die_fail("--working-set %s is larger than the mapping (--size %s)",
				 size_format(o->ws[i], a, sizeof(a)), size_format(o->size, b, sizeof(b)));
	if (o->bw_size > o->size)
		o->bw_size = o->size;
}

/*
 * --plan: the anonymous memory the baselines take (the largest working
 * set or stream, at most the mapping: fit_to_bar() cuts them so), with
 * the mapping's size as --size says or its default, 1G.
 */
static void print_plan(const struct opts *o)
{
	uint64_t size = o->size ? o->size : SZ_1G, need = 0;

	if (!o->nbaseline || !(o->phases & (1u << PH_LOAD | 1u << PH_BW)))
		return;
	if (o->phases & 1u << PH_BW)
		need = o->bw_size < size ? o->bw_size : size;
	for (size_t i = 0; (o->phases & 1u << PH_LOAD) && i < o->nws; i++)
		if (o->ws[i] <= size && o->ws[i] > need)
			need = o->ws[i];
	if (need)
		printf("normal %llu\n", (unsigned long long)need);
}

static void sample(struct bench *b, struct mcase *mc, const char *metric,
		   unsigned int rep, double v, const char *unit, bool verified)
{
	if (isnan(v))
		return;		/* unavailable: never written as a number */
	results_sample(&b->res, &mc->rc, metric, rep, v, unit, verified);
	mc->bad += !verified;
}

/* The rows that let each sample be checked on its own. */
static void sample_provenance(struct bench *b, struct mcase *mc, unsigned int rep,
			      const struct provenance *pv)
{
	sample(b, mc, "level-obtained", rep, pv->level_obtained, "bytes", pv->verified);
	sample(b, mc, "thp-fraction", rep, pv->thp_fraction, "fraction", pv->verified);
}

/*
 * Read one word of every 4 KiB page: each page faults at most once.
 * Not instrumented by ASan, whose shadow-memory checks would add faults
 * of their own to the count.
 */
__attribute__((no_sanitize_address))
static void touch_pages(const uint8_t *p, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += SZ_4K)
		(void)*(const volatile uint64_t *)(p + off);
}

static uint64_t rusage_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)(ru.ru_minflt + ru.ru_majflt);
}

struct fault_figs {
	double faults, faults_rusage;
	uint64_t ns;
};

/* Touch the whole mapping once, timed, counting its faults two ways. */
static void fault_in(struct bench *b, const struct bar_mapping *m, struct fault_figs *f)
{
	double v[PERFEV_NR];
	uint64_t r0, t0, t1;

	r0 = rusage_faults();
	perfev_start(&b->pe, PERFEV_BIT(PERFEV_FAULTS));
	t0 = now_ns();
	touch_pages(m->va, m->len);
	t1 = now_ns();
	perfev_stop(&b->pe, PERFEV_BIT(PERFEV_FAULTS), v);
	f->faults_rusage = (double)(rusage_faults() - r0);
	f->faults = v[PERFEV_FAULTS];
	f->ns = t1 - t0;
}

/* "1 pud, 0 pmd, 0 pte" */
static const char *entries_str(const struct pfnmap_entries *e, char *buf, size_t len)
{
	snprintf(buf, len, "%llu pud, %llu pmd, %llu pte",
		 (unsigned long long)e->n[PFNMAP_PUD], (unsigned long long)e->n[PFNMAP_PMD],
		 (unsigned long long)e->n[PFNMAP_PTE]);
	return buf;
}

/* What the verification pass saw. */
struct seen {
	const char *source;		/* kprobes, ptdump or faults */
	struct pfnmap_entries e;
	uint64_t hits[NR_PROBES];
	bool have_pt;
	struct pfnmap_entries pt;
	struct fault_figs f;
	char why[256];
};

/* Map, touch every page with the insertions counted, read the dump. */
static int verify_pass(struct bench *b, const struct level_run *lr, struct seen *sn)
{
	const struct opts *o = b->o;
	struct bar_mapping m;
	int ret, remap = b->remap_probe;

	*sn = (struct seen){ .source = "faults" };
	ret = vfio_bar_map(&b->bar, o->offset, o->size, lr->residue, &m);
	if (ret)
		return ret;
	if (b->kprobes)
		kprobe_set_start(&b->kp);
	fault_in(b, &m, &sn->f);
	if (b->kprobes && !kprobe_set_read(&b->kp, sn->hits, sn->why, sizeof(sn->why))) {
		for (int l = 0; l < PFNMAP_NR_SIZES; l++)
			sn->e.n[l] = sn->hits[b->probe_of[l]];
		if (remap >= 0 && sn->hits[remap])
			sn->e.n[PFNMAP_PTE] += m.len / SZ_4K;
		sn->source = "kprobes";
	}
	if (b->ptdump && !ptdump_count(b->ptdump_path, (uintptr_t)m.va,
				       (uintptr_t)m.va + m.len, &sn->pt)) {
		sn->have_pt = true;
		if (strcmp(sn->source, "kprobes")) {
			sn->e = sn->pt;
			sn->source = "ptdump";
		}
	}
	vfio_bar_unmap(&m);
	/* A fault count alone only says whether it fits the expectation. */
	if (!strcmp(sn->source, "faults")) {
		if (sn->f.faults_rusage == (double)pfnmap_entries_total(&lr->expect))
			sn->e = lr->expect;
		else
			sn->e.n[PFNMAP_PTE] = (uint64_t)sn->f.faults_rusage;
	}
	return 0;
}

/* Why the level failed, naming what was obtained. */
static void level_why(const struct bench *b, struct level_run *lr, const struct seen *sn)
{
	const char *req = pfnmap_level_name[lr->level];
	const char *got = lr->obtained < PFNMAP_NR_SIZES ?
			  pfnmap_level_name[lr->obtained] : "nothing";
	char counted[64], want[64], s[32];

	entries_str(&sn->e, counted, sizeof(counted));
	entries_str(&lr->expect, want, sizeof(want));
	if (b->remap_probe >= 0 && sn->hits[b->remap_probe])
		snprintf(lr->why, sizeof(lr->why),
			 "requested %s, obtained pte: remap_pfn_range() mapped the whole %s VMA with PTEs in %.0f fault(s), as vfio-pci did before 6.12",
			 req, size_format(b->o->size, s, sizeof(s)), sn->f.faults_rusage);
	else if (b->o->place_as >= 0 && !memcmp(&sn->e, &lr->expect, sizeof(sn->e)))
		snprintf(lr->why, sizeof(lr->why),
			 "requested %s, obtained %s: %s counted %s, as expected where --place-as %s put the mapping",
			 req, got, sn->source, counted, pfnmap_level_name[b->o->place_as]);
	else
		snprintf(lr->why, sizeof(lr->why),
			 "requested %s, obtained %s: %s counted %s, expected %s for this placement%s%s",
			 req, got, sn->source, counted, want, sn->why[0] ? "; " : "", sn->why);
}

/*
 * The verification pass and its verdict: the kernel must have made
 * exactly the entries the placement implies, of the level asked for.
 * The counts go into the fault-in case as rep 0.
 */
static void level_verify(struct bench *b, struct level_run *lr, struct mcase *fc)
{
	char metric[64], counted[64], want[64];
	struct seen sn;
	int ret = verify_pass(b, lr, &sn);

	if (ret) {
		snprintf(lr->why, sizeof(lr->why), "mmap of BAR %d: %s", b->bar.index,
			 strerror(-ret));
		return;
	}
	lr->obtained = pfnmap_entries_level(&sn.e);
	lr->verified = !memcmp(&sn.e, &lr->expect, sizeof(sn.e)) &&
		       (lr->level == PFNMAP_AUTO || lr->obtained == lr->level);
	/* Mapped whole at the first fault: later fault-ins take as many. */
	lr->expect_faults = b->remap_probe >= 0 && sn.hits[b->remap_probe] ?
			    sn.f.faults_rusage : (double)pfnmap_entries_total(&lr->expect);
	for (size_t i = 0; !strcmp(sn.source, "kprobes") && i < NR_PROBES; i++) {
		if (b->kp.k[i].why[0])
			continue;
		snprintf(metric, sizeof(metric), "kprobe-%s", insert_probes[i].func);
		sample(b, fc, metric, 0, (double)sn.hits[i], "count", lr->verified);
	}
	for (int l = 0; sn.have_pt && l < PFNMAP_NR_SIZES; l++) {
		snprintf(metric, sizeof(metric), "ptdump-%s", pfnmap_level_name[l]);
		sample(b, fc, metric, 0, (double)sn.pt.n[l], "count", lr->verified);
	}
	log_msg("  %s: obtained %s (%s by %s%s; expected %s)", pfnmap_level_name[lr->level],
		lr->obtained < PFNMAP_NR_SIZES ? pfnmap_level_name[lr->obtained] : "nothing",
		entries_str(&sn.e, counted, sizeof(counted)), sn.source,
		strcmp(sn.source, "faults") ? "" : ", which do not prove the level",
		entries_str(&lr->expect, want, sizeof(want)));
	if (!lr->verified)
		level_why(b, lr, &sn);
}

/* Dependent-load latency over each working set from @base. */
static void run_loads(struct bench *b, uint8_t *base, struct mcase *lc,
		      unsigned int rep, const struct provenance *pv)
{
	const struct opts *o = b->o;
	struct chase_result r;
	double hw[PERFEV_NR];
	void *head;

	for (size_t i = 0; i < o->nws; i++) {
		struct mcase *mc = &lc[i];

		head = chase_build(base, o->ws[i], CHASE_SEED ^ o->ws[i]);
		if (!head || chase_measure(head, o->ws[i], o->batches, &r))
			die_fail("out of memory");
		sample(b, mc, "load-ns", rep, r.p50, "ns", pv->verified);
		sample(b, mc, "load-ns-p5", rep, r.p5, "ns", pv->verified);
		sample(b, mc, "load-ns-p95", rep, r.p95, "ns", pv->verified);
		sample(b, mc, "load-ns-p99", rep, r.p99, "ns", pv->verified);
		sample(b, mc, "load-overhead-ns", rep, r.overhead_ns, "ns", pv->verified);
		/* Counted over an untimed run of as many loads as were timed. */
		perfev_start(&b->pe, PERFEV_HW);
		chase_run(head, (uint64_t)o->batches * CHASE_BATCH);
		perfev_stop(&b->pe, PERFEV_HW, hw);
		for (int e = 0; e < PERFEV_NR; e++)
			if (PERFEV_HW & PERFEV_BIT(e))
				sample(b, mc, b->pe.ev[e].name, rep, hw[e], "count", pv->verified);
		sample_provenance(b, mc, rep, pv);
	}
}

/* Sequential read and write bandwidth at each access width. */
static void run_bw(struct bench *b, uint8_t *base, struct mcase *bc,
		   unsigned int rep, const struct provenance *pv)
{
	uint64_t len = b->o->bw_size;

	for (size_t w = 0; w < NR_WIDTHS; w++) {
		double rd = (double)stream_time(base, len, bw_widths[w], false);
		double wr = (double)stream_time(base, len, bw_widths[w], true);

		sample(b, &bc[w], "read-bw", rep, (double)len / rd * 1e9, "B/s", pv->verified);
		sample(b, &bc[w], "write-bw", rep, (double)len / wr * 1e9, "B/s", pv->verified);
		sample_provenance(b, &bc[w], rep, pv);
	}
}

/* VFIO_IOMMU_MAP_DMA of the mapped BAR, then its unmap; both timed. */
static void bar_dma_map(struct bench *b, const struct bar_mapping *m,
			uint64_t *map_ns, uint64_t *unmap_ns)
{
	struct dma_region r = { .va = m->va, .fd = -1, .iova = IOVA_BASE };
	uint64_t t0, t1;
	int ret;

	t0 = now_ns();
	ret = dma_map(&b->ctx, &r, 0, m->len);
	t1 = now_ns();
	if (ret)
		die_fail("VFIO_IOMMU_MAP_DMA of BAR %d at %p: %s", b->bar.index,
			 (void *)m->va, strerror(-ret));
	*map_ns = t1 - t0;
	ret = dma_unmap(&b->ctx, IOVA_BASE, m->len);
	*unmap_ns = now_ns() - t1;
	if (ret)
		die_fail("VFIO_IOMMU_UNMAP_DMA of BAR %d: %s", b->bar.index, strerror(-ret));
}

/* The cases of one backing (and level): fault-in, bw, bar-map, loads. */
enum { C_FAULT, C_BW, C_BARMAP = C_BW + NR_WIDTHS, C_LOAD };

static struct mcase *cases_new(const struct opts *o, const char *backing,
			       const char *level)
{
	struct mcase *c = calloc(C_LOAD + o->nws, sizeof(*c));

	if (!c)
		die_fail("out of memory");
	for (size_t i = 0; i < C_LOAD + o->nws; i++)
		c[i].rc = (struct results_case){ .bench = "mmio", .backing = backing,
						 .level = level, .iface = "", .size = o->size };
	for (size_t w = 0; w < NR_WIDTHS; w++) {
		c[C_BW + w].rc.size = o->bw_size;
		c[C_BW + w].rc.chunk = bw_widths[w];
	}
	c[C_BARMAP].rc.iface = "type1v2";
	/* One load per 4 KiB page (see the top of this file). */
	for (size_t i = 0; i < o->nws; i++) {
		c[C_LOAD + i].rc.size = o->ws[i];
		c[C_LOAD + i].rc.chunk = SZ_4K;
	}
	return c;
}

/* Close every case that ran: ok, or unverified if any sample was not. */
static void cases_done(struct bench *b, struct mcase *c, bool bar,
		       enum case_status st, const char *why)
{
	const struct opts *o = b->o;

	for (size_t i = 0; i < C_LOAD + b->o->nws; i++) {
		enum case_status cs = st;

		if ((i == C_FAULT && !bar) ||
		    (i == C_BARMAP && (!bar || !(o->phases & 1u << PH_BARMAP))) ||
		    (i >= C_BW && i < C_BARMAP && !(o->phases & 1u << PH_BW)) ||
		    (i >= C_LOAD && !(o->phases & 1u << PH_LOAD)))
			continue;
		if (cs == CASE_OK && c[i].bad)
			cs = CASE_UNVERIFIED;
		results_case_done(&b->res, &c[i].rc, cs, cs == CASE_SKIP ? 0 : o->reps,
				  cs == CASE_UNVERIFIED ? "a sample's fault count or level did not match (verified=no rows)" : why);
		b->nok += cs == CASE_OK;
		b->nfail += cs == CASE_FAIL || cs == CASE_UNVERIFIED;
		b->nskip += cs == CASE_SKIP;
	}
}

/* One repetition of a level: a fresh mapping, faulted in, then measured. */
static void level_rep(struct bench *b, const struct level_run *lr, struct mcase *c,
		      unsigned int i, double *t_fault, double *t_map, double *t_cold)
{
	const struct opts *o = b->o;
	bool rec = i >= o->warmup;
	unsigned int rep = rec ? i - o->warmup : 0;
	struct provenance pv = {
		.level_obtained = (double)pfnmap_level_size(lr->obtained),
		.thp_fraction = NAN,
	};
	uint64_t map_ns, unmap_ns, cold_ns, cold_unmap_ns;
	struct bar_mapping m;
	struct fault_figs f;
	int ret;

	ret = vfio_bar_map(&b->bar, o->offset, o->size, lr->residue, &m);
	if (ret)
		die_fail("mmap of BAR %d: %s", b->bar.index, strerror(-ret));
	fault_in(b, &m, &f);
	/* Each fault maps one entry, so the count must be the entry count. */
	pv.verified = f.faults_rusage == lr->expect_faults &&
		      (isnan(f.faults) || f.faults == f.faults_rusage);
	if (rec) {
		sample(b, &c[C_FAULT], "faults", rep, f.faults, "count", pv.verified);
		sample(b, &c[C_FAULT], "faults-rusage", rep, f.faults_rusage, "count", pv.verified);
		sample(b, &c[C_FAULT], "fault-in", rep, (double)f.ns, "ns", pv.verified);
		sample(b, &c[C_FAULT], "fault-ns", rep,
		       f.faults_rusage ? (double)f.ns / f.faults_rusage : NAN, "ns", pv.verified);
		sample_provenance(b, &c[C_FAULT], rep, &pv);
		t_fault[rep] = (double)f.ns;
	}
	if (rec && (o->phases & 1u << PH_LOAD))
		run_loads(b, m.va, &c[C_LOAD], rep, &pv);
	if (rec && (o->phases & 1u << PH_BW))
		run_bw(b, m.va, &c[C_BW], rep, &pv);
	if (o->phases & 1u << PH_BARMAP)
		bar_dma_map(b, &m, &map_ns, &unmap_ns);
	vfio_bar_unmap(&m);
	if (!(o->phases & 1u << PH_BARMAP))
		return;

	/* Cold: the map call itself faults the BAR in, page by page. */
	ret = vfio_bar_map(&b->bar, o->offset, o->size, lr->residue, &m);
	if (ret)
		die_fail("mmap of BAR %d: %s", b->bar.index, strerror(-ret));
	bar_dma_map(b, &m, &cold_ns, &cold_unmap_ns);
	vfio_bar_unmap(&m);
	if (!rec)
		return;
	sample(b, &c[C_BARMAP], "bar-map", rep, (double)map_ns, "ns", pv.verified);
	sample(b, &c[C_BARMAP], "bar-unmap", rep, (double)unmap_ns, "ns", pv.verified);
	sample(b, &c[C_BARMAP], "bar-map-cold", rep, (double)cold_ns, "ns", pv.verified);
	sample(b, &c[C_BARMAP], "bar-unmap-cold", rep, (double)cold_unmap_ns, "ns", pv.verified);
	sample_provenance(b, &c[C_BARMAP], rep, &pv);
	t_map[rep] = (double)map_ns;
	t_cold[rep] = (double)cold_ns;
}

/* Where the level's mapping goes: the residue of its address mod 1G. */
static int level_place(struct bench *b, struct level_run *lr, struct meta *m)
{
	const struct opts *o = b->o;
	uint64_t pa = b->bar.phys + o->offset, va;
	char s[32];
	int ret;

	if (lr->level != PFNMAP_AUTO) {
		lr->residue = pfnmap_residue(pa, o->place_as >= 0 ? o->place_as : lr->level);
		return 0;
	}
	ret = freshmap_probe(b->bar.device_fd, b->bar.fd_offset + o->offset, o->size,
			     &va, lr->why, sizeof(lr->why));
	if (ret)
		return ret;
	/* The same residue gives the same entries: mapping there is equivalent. */
	lr->residue = va % SZ_1G;
	meta_set(m, "auto_va", "0x%llx", (unsigned long long)va);
	meta_set(m, "auto_va_congruence", "%s",
		 size_format(pfnmap_level_size(pfnmap_congruence(va, pa)), s, sizeof(s)));
	return 0;
}

static void run_level(struct bench *b, int level, struct meta *meta)
{
	const struct opts *o = b->o;
	struct level_run lr = { .level = level, .obtained = PFNMAP_NR_SIZES };
	struct mcase *c = cases_new(o, "bar", pfnmap_level_name[level]);
	double *t_fault = calloc(o->reps, sizeof(double));
	double *t_map = calloc(o->reps, sizeof(double));
	double *t_cold = calloc(o->reps, sizeof(double));
	char s[32];

	log_progress("level %s: %s of BAR %d, %u+%u reps", pfnmap_level_name[level],
		     size_format(o->size, s, sizeof(s)), b->bar.index, o->warmup, o->reps);
	if (level_place(b, &lr, meta)) {
		cases_done(b, c, true, CASE_FAIL, lr.why);
		goto out;
	}
	pfnmap_expect(lr.residue, b->bar.phys + o->offset, o->size, PFNMAP_PUD, &lr.expect);
	if (level != PFNMAP_AUTO && o->place_as < 0 && !lr.expect.n[level]) {
		snprintf(lr.why, sizeof(lr.why),
			 "a %s mapping at offset %llu of the BAR holds no %s-aligned block of %s: map more (--size) or from an aligned --offset",
			 size_format(o->size, s, sizeof(s)), (unsigned long long)o->offset,
			 pfnmap_level_name[level], pfnmap_level_name[level]);
		cases_done(b, c, true, CASE_SKIP, lr.why);
		goto out;
	}
	level_verify(b, &lr, &c[C_FAULT]);
	if (!lr.verified) {
		cases_done(b, c, true, CASE_FAIL, lr.why);
		goto out;
	}
	for (unsigned int i = 0; i < o->warmup + o->reps; i++)
		level_rep(b, &lr, c, i, t_fault, t_map, t_cold);
	results_report(&c[C_FAULT].rc, "fault-in", t_fault, o->reps);
	if (o->phases & 1u << PH_BARMAP) {
		results_report(&c[C_BARMAP].rc, "bar-map", t_map, o->reps);
		results_report(&c[C_BARMAP].rc, "bar-map-cold", t_cold, o->reps);
	}
	cases_done(b, c, true, CASE_OK, "");
out:
	free(t_fault);
	free(t_map);
	free(t_cold);
	free(c);
}

/* The same loads and streams on anonymous memory, as the baseline. */
static void run_baseline(struct bench *b, const struct backing *bk)
{
	const struct opts *o = b->o;
	struct mcase *c = cases_new(o, bk->name, "");
	struct backing_opts bo = { 0 };
	struct provenance pv = { .level_obtained = NAN, .thp_fraction = NAN };
	uint64_t len = o->bw_size;
	struct buffer buf;
	char why[256] = "";

	for (size_t i = 0; i < o->nws; i++)
		len = o->ws[i] > len ? o->ws[i] : len;
	log_progress("baseline %s: %u reps after populating", bk->name, o->reps);
	if (backing_check(bk, len, &bo, why, sizeof(why))) {
		cases_done(b, c, false, CASE_SKIP, why);
		free(c);
		return;
	}
	buffer_init(&buf, bk, len, &bo);
	if (backing_mmap(&buf, &bo))
		die_fail("mmap of %llu bytes of %s: %s", (unsigned long long)len, bk->name,
			 strerror(errno));
	backing_populate(&buf);
	pv.verified = backing_verify(&buf, why, sizeof(why));
	if (bk->thp)
		pv.thp_fraction = buffer_thp_fraction(&buf);
	/* Populating the buffer warmed it up: every repetition is recorded. */
	for (unsigned int rep = 0; rep < o->reps; rep++) {
		if (o->phases & 1u << PH_LOAD)
			run_loads(b, buf.va, &c[C_LOAD], rep, &pv);
		if (o->phases & 1u << PH_BW)
			run_bw(b, buf.va, &c[C_BW], rep, &pv);
	}
	backing_munmap(&buf);
	cases_done(b, c, false, CASE_OK, why);
	free(c);
}

/* Which verification sources this kernel offers, for the metadata. */
static void open_verifiers(struct bench *b, struct meta *m)
{
	const char *funcs[NR_PROBES];
	char why[256] = "", key[64];
	struct pfnmap_entries e;
	int n;

	for (size_t i = 0; i < NR_PROBES; i++)
		funcs[i] = insert_probes[i].func;
	n = kprobe_set_open(&b->kp, funcs, NR_PROBES, why, sizeof(why));
	b->kprobes = n > 0;
	b->remap_probe = -1;
	for (int l = 0; l < PFNMAP_NR_SIZES; l++)
		b->probe_of[l] = -1;
	for (size_t i = 0; i < NR_PROBES; i++) {
		int l = insert_probes[i].level;

		snprintf(key, sizeof(key), "kprobe.%s", funcs[i]);
		if (n < 0 || b->kp.k[i].why[0]) {
			meta_set(m, key, "unavailable: %s", n < 0 ? why : b->kp.k[i].why);
			continue;
		}
		meta_set(m, key, "available");
		if (l < 0)
			b->remap_probe = (int)i;
		else if (b->probe_of[l] < 0)
			b->probe_of[l] = (int)i;
	}
	for (int l = 0; l < PFNMAP_NR_SIZES; l++)
		b->kprobes &= b->probe_of[l] >= 0;
	b->ptdump = ptdump_find(PTDUMP_DIR, b->ptdump_path, sizeof(b->ptdump_path)) &&
		    !ptdump_count(b->ptdump_path, 0, 0, &e);
	if (b->ptdump)
		meta_set(m, "ptdump", "%s", b->ptdump_path);
	else
		meta_set(m, "ptdump", "unavailable: no readable dump in %s (CONFIG_PTDUMP_DEBUGFS off, or debugfs not mounted)",
			 PTDUMP_DIR);
	meta_set(m, "level_verification", "%s", b->kprobes ? "kprobes" :
		 b->ptdump ? "ptdump" : "fault counts only (they do not prove the level)");
	perfev_open(&b->pe);
	for (int i = 0; i < PERFEV_NR; i++) {
		snprintf(key, sizeof(key), "counter.%s", b->pe.ev[i].name);
		if (perfev_available(&b->pe, i))
			meta_set(m, key, "%s", b->pe.ev[i].what);
		else
			meta_set(m, key, "unavailable: %s", b->pe.ev[i].why);
	}
}

static void describe_run(const struct bench *b, const struct vfio_pci_device *dev,
			 struct meta *m)
{
	const struct opts *o = b->o;
	char buf[1024] = "", lo[32], hi[32];
	size_t len = 0;

	meta_set(m, "bench", "mmio");
	vfio_pci_device_describe(dev, m);
	meta_set(m, "bar_index", "%d", b->bar.index);
	meta_set(m, "bar_size", "%llu", (unsigned long long)b->bar.size);
	meta_set(m, "bar_phys", "0x%llx", (unsigned long long)b->bar.phys);
	meta_set(m, "map_offset", "%llu", (unsigned long long)o->offset);
	meta_set(m, "map_size", "%llu", (unsigned long long)o->size);
	meta_set(m, "iova_base", "0x%llx", (unsigned long long)IOVA_BASE);
	meta_set(m, "reps", "%u", o->reps);
	meta_set(m, "warmup", "%u", o->warmup);
	meta_set(m, "load_batches", "%u", o->batches);
	meta_set(m, "load_batch_len", "%u", CHASE_BATCH);
	meta_set(m, "loads_per_sample", "%llu", (unsigned long long)o->batches * CHASE_BATCH);
	meta_set(m, "bw_size", "%llu", (unsigned long long)o->bw_size);
	for (size_t w = 0; w < NR_WIDTHS; w++) {
		snprintf(buf, sizeof(buf), "bw_access_%u", bw_widths[w]);
		meta_set(m, buf, "%s", stream_width_what(bw_widths[w]));
	}
	if (o->place_as >= 0)
		meta_set(m, "place_as", "%s (testing: levels placed as this one)",
			 pfnmap_level_name[o->place_as]);
	if (!strcmp(o->run.ro.accel, "tcg") || !strcmp(o->run.ro.accel, "icount"))
		meta_set(m, "load_latency_note",
			 "under TCG, load latency reflects QEMU's software TLB (4 KiB entries), not hardware");
	buf[0] = '\0';
	for (size_t i = 0; i < o->nlevel; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%sbar/%s",
					len ? " " : "", pfnmap_level_name[*o->level[i]]);
	for (size_t i = 0; i < o->nbaseline; i++)
		len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
					" %s", o->baseline[i]->name);
	meta_set(m, "case_order", "%s (working sets %s..%s)", buf,
		 o->nws ? size_format(o->ws[0], lo, sizeof(lo)) : "-",
		 o->nws ? size_format(o->ws[o->nws - 1], hi, sizeof(hi)) : "-");
}

int main(int argc, char **argv)
{
	struct vfio_pci_device dev;
	struct meta meta = { 0 };
	struct bench b = { 0 };
	struct opts o;
	char why[512];
	int ret;

	freshmap_child(argc, argv);
	log_prog = "vfio-mmio-bench";
	parse_args(argc, argv, &o);
	if (o.plan) {
		print_plan(&o);
		free(o.ws);
		return EXIT_OK;
	}
	b.o = &o;
	ret = vfio_pci_device_probe(o.device, &dev, why, sizeof(why));
	if (ret)
		die(ret == -EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s", why);
	ret = dma_ctx_open(&b.ctx, dma_iface_find("type1v2"), &dev, why, sizeof(why));
	if (ret)
		die(ret == -EOPNOTSUPP ? EXIT_SKIP : EXIT_FAIL, "type1v2 container: %s", why);
	if (vfio_bar_open(&b.bar, b.ctx.group_fd, dev.bdf, o.bar, why, sizeof(why)))
		die_fail("%s: %s", dev.bdf, why);
	fit_to_bar(&o, &b.bar);
	cli_run_place(&o.run, &meta);

	meta_collect_system(&meta);
	describe_run(&b, &dev, &meta);
	open_verifiers(&b, &meta);
	o.run.ro.device = dev.bdf;
	if (results_open(&b.res, &o.run.ro, &meta, why, sizeof(why)))
		die_fail("%s", why);

	for (size_t i = 0; i < o.nlevel; i++)
		run_level(&b, *o.level[i], &meta);
	for (size_t i = 0; i < o.nbaseline; i++)
		if (o.phases & (1u << PH_LOAD | 1u << PH_BW))
			run_baseline(&b, o.baseline[i]);

	kprobe_set_close(&b.kp);
	perfev_close(&b.pe);
	if (results_commit(&b.res, why, sizeof(why)))
		die_fail("%s", why);
	vfio_bar_close(&b.bar);
	dma_ctx_close(&b.ctx);
	meta_free(&meta);
	free(o.ws);
	log_msg("%u cases: %u ok, %u failed, %u skipped; results in %s",
		b.nok + b.nfail + b.nskip, b.nok, b.nfail, b.nskip, o.run.ro.dir);
	if (b.nfail)
		return EXIT_FAIL;
	return b.nok ? EXIT_OK : EXIT_SKIP;
}
