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
 * implies (pfnlevel.h). Then each repetition maps the BAR afresh and
 * times touching it (fault-in, with fault counts), dependent loads over a
 * sweep of working sets, sequential reads and writes, and VFIO DMA-map of
 * the mapping itself (the peer-to-peer path), prefaulted and cold.
 * Anonymous memory with 4K and with huge pages gets the same load and
 * bandwidth runs, as the baseline beside the BAR.
 *
 * Each case stands alone: a level that cannot be placed is skipped, one
 * that is not obtained fails, and a mapping or DMA-map that fails fails
 * its case with the reason; the other cases and levels still run.
 *
 * samples.csv (README.md, "Run directories"), bench "mmio":
 *   backing bar (bar@OFFSET for a window from --offset), anon-4k or
 *   anon-thp; level = the level requested (pte,
 *   pmd, pud, auto; empty for anonymous memory).
 *   fault-in case (size = mapping): faults, faults-rusage (count),
 *     fault-in, fault-ns (ns), and from the verification pass (rep 0)
 *     kprobe-vmf_insert_pfn{,_pmd,_pud} and ptdump-{pte,pmd,pud} (count);
 *     for level auto, also from the fresh process's mmap(NULL) (rep 0):
 *     va-unused-above (bytes of address space left free between the
 *     mapping and the next one above it, freshmap.h) and va-vma-seen
 *     (1 if /proc/self/maps showed the mapping as mmap() returned it).
 *   load cases (size = working set, chunk = 4096: one load per 4 KiB
 *     page, which also keeps them apart from the fault-in case of the
 *     same size): load-ns is the median per-load
 *     latency of one sample's batches; load-ns-p5, -p95, -p99 the other
 *     quantiles of the same batches; load-overhead-ns what was subtracted;
 *     hw-* counts over the sample's loads where the CPU has counters.
 *   bandwidth cases (size = bytes streamed, chunk = access width 8 or
 *     64): read-bw, write-bw (B/s).
 *   DMA-map case (iface type1v2, or iommufd-compat where /dev/vfio/vfio
 *     is iommufd's: meta bar_dma_iface; size = mapping): bar-map,
 *     bar-unmap of the prefaulted mapping, bar-map-cold, bar-unmap-cold
 *     of a fresh one.
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

#include "backing.h"
#include "chase.h"
#include "case.h"
#include "caserun.h"
#include "cli.h"
#include "faultin.h"
#include "freshmap.h"
#include "iommu.h"
#include "log.h"
#include "meta.h"
#include "perfev.h"
#include "pfnlevel.h"
#include "pfnmap.h"
#include "pfnpass.h"
#include "results.h"
#include "size.h"
#include "stream.h"
#include "timing.h"
#include "vfio_bar.h"
#include "vfio_device.h"
#include "vfio_device_meta.h"
#include "mmio/opts.h"

/* IOVA of the BAR's DMA mapping: as vfio-dma-bench's, above 4 GiB. */
#define IOVA_BASE (UINT64_C(1) << 32)
/* Seed of the pointer chains: the same chain for the same working set. */
#define CHASE_SEED UINT64_C(0x7666696f2d706572)

/* The cases of one backing (and level). */
struct case_set {
	struct case_run fault;		/* BAR only */
	struct case_run bw[NR_WIDTHS];
	struct case_run barmap;		/* BAR only */
	struct case_run *load;		/* one per working set */
	size_t nload;
	struct case_run **all;		/* each of the above, in cases.csv order */
	size_t nall;
	char unverified[256];		/* the reason of an unverified case */
};

/* What the loads over one working set measured. */
struct load_figs {
	struct chase_result r;
	double hw[PERFEV_NR];		/* NaN where there is no counter */
};

struct bw_figs {
	double read, write;		/* B/s */
};

struct barmap_figs {
	uint64_t map_ns, unmap_ns, cold_ns, cold_unmap_ns;
};

/* What one repetition measured, per case. */
struct rep_figs {
	struct faultin_figs fault;
	struct load_figs *load;		/* per working set */
	struct bw_figs bw[NR_WIDTHS];
	struct barmap_figs barmap;
};

/* The rows that say what a sample ran on. */
struct provenance {
	bool verified;
	double level_obtained;	/* bytes; NaN for anonymous memory */
	double thp_fraction;	/* NaN unless a THP backing */
};

/* What one level is asked for, where it is placed, and what it gave. */
struct level_run {
	struct pfnlevel_want want;
	uint64_t residue;		/* of the mapping's address modulo 1G */
	struct freshmap fresh;		/* level auto: what mmap(NULL) gave */
	struct pfnlevel_verdict v;
	char why[512];			/* why it is skipped or failed */
};

struct bench {
	const struct opts *o;
	struct results res;
	struct dma_ctx ctx;
	struct vfio_bar bar;
	struct perfev_set pe;
	struct pfnpass pass;
	struct case_set cs;		/* of the level or baseline running */
	struct rep_figs figs;		/* of its repetition running */
	double *t_fault, *t_map, *t_cold; /* per recorded rep, for the log */
	struct case_tally tally;
};

/* ---- Cases: each one ok, skipped or failed on its own ---------------- */

static void case_set_add(struct case_set *cs, struct case_run *c,
			 const struct results_case *rc, bool on)
{
	case_run_init(c, rc, on);
	cs->all[cs->nall++] = c;
}

/* The cases of a backing, BAR (with fault-in and DMA-map) or anonymous. */
static void case_set_init(struct bench *b, const char *backing, const char *level, bool bar)
{
	const struct opts *o = b->o;
	struct case_set *cs = &b->cs;
	struct results_case rc = { .bench = "mmio", .backing = backing, .level = level,
				   .iface = "", .size = o->size };

	cs->nall = 0;
	case_set_add(cs, &cs->fault, &rc, bar);
	for (size_t w = 0; w < NR_WIDTHS; w++) {
		struct results_case bw = rc;

		bw.size = o->bw_size;
		bw.chunk = bw_widths[w];
		case_set_add(cs, &cs->bw[w], &bw, mmio_phase_on(o, PH_BW));
	}
	/* --cases opens no container: name the usual one. */
	rc.iface = b->ctx.iface ? b->ctx.iface->name : "type1v2";
	case_set_add(cs, &cs->barmap, &rc, bar && mmio_phase_on(o, PH_BARMAP));
	rc.iface = "";
	/* One load per 4 KiB page (see the top of this file). */
	rc.chunk = SZ_4K;
	for (size_t i = 0; i < cs->nload; i++) {
		rc.size = o->ws[i];
		case_set_add(cs, &cs->load[i], &rc, mmio_phase_on(o, PH_LOAD));
	}
	snprintf(cs->unverified, sizeof(cs->unverified), "%s",
		 "a sample's fault count or level did not match (verified=no rows)");
}

/* Every case still running is skipped or fails, with @why. */
static void case_set_mark(struct case_set *cs, enum case_status st, const char *why)
{
	for (size_t i = 0; i < cs->nall; i++)
		case_run_end(cs->all[i], st, why);
}

/* Their rows in cases.csv. */
static void case_set_close(struct bench *b)
{
	for (size_t i = 0; i < b->cs.nall; i++)
		case_run_close(&b->res, b->cs.all[i], b->o->reps, b->cs.unverified, &b->tally);
}

/* ---- Rows: every sample of samples.csv is written here ---------------- */

static void sample(struct bench *b, struct case_run *mc, const char *metric,
		   unsigned int rep, double v, const char *unit, bool verified)
{
	case_run_sample(&b->res, mc, metric, rep, v, unit, verified);
}

/* The rows that let each sample be checked on its own. */
static void emit_provenance(struct bench *b, struct case_run *mc, unsigned int rep,
			    const struct provenance *pv)
{
	sample(b, mc, "level-obtained", rep, pv->level_obtained, "bytes", pv->verified);
	sample(b, mc, "thp-fraction", rep, pv->thp_fraction, "fraction", pv->verified);
}

/* The verification pass's counts, as rep 0 of the fault-in case. */
static void emit_verify(struct bench *b, const struct pfnlevel_seen *s,
			const struct pfnlevel_verdict *v)
{
	struct case_run *fc = &b->cs.fault;
	char metric[64];

	for (size_t i = 0; s->probed && i < PFNLEVEL_NR_PROBES; i++) {
		if (!pfnpass_has_probe(&b->pass, i))
			continue;
		snprintf(metric, sizeof(metric), "kprobe-%s", pfnlevel_probes[i].func);
		sample(b, fc, metric, 0, (double)s->hits[i], "count", v->verified);
	}
	for (int l = 0; s->dumped && l < PFNMAP_NR_SIZES; l++) {
		snprintf(metric, sizeof(metric), "ptdump-%s", pfnmap_level_name[l]);
		sample(b, fc, metric, 0, (double)s->dump.n[l], "count", v->verified);
	}
}

/*
 * What mmap(NULL) left unused above the mapping, as rep 0 of the fault-in
 * case; verified when /proc/self/maps showed the mapping as mmap() gave it.
 */
static void emit_fresh(struct bench *b, const struct freshmap *fm)
{
	struct case_run *fc = &b->cs.fault;

	sample(b, fc, "va-unused-above", 0, (double)fm->unused_above, "bytes", fm->vma_seen);
	sample(b, fc, "va-vma-seen", 0, fm->vma_seen, "count", fm->vma_seen);
}

static void emit_fault(struct bench *b, struct case_run *mc, unsigned int rep,
		       const struct faultin_figs *f, const struct provenance *pv)
{
	sample(b, mc, "faults", rep, f->faults, "count", pv->verified);
	sample(b, mc, "faults-rusage", rep, f->faults_rusage, "count", pv->verified);
	sample(b, mc, "fault-in", rep, (double)f->ns, "ns", pv->verified);
	sample(b, mc, "fault-ns", rep,
	       f->faults_rusage ? (double)f->ns / f->faults_rusage : NAN, "ns", pv->verified);
}

static void emit_load(struct bench *b, struct case_run *mc, unsigned int rep,
		      const struct load_figs *f, const struct provenance *pv)
{
	sample(b, mc, "load-ns", rep, f->r.p50, "ns", pv->verified);
	sample(b, mc, "load-ns-p5", rep, f->r.p5, "ns", pv->verified);
	sample(b, mc, "load-ns-p95", rep, f->r.p95, "ns", pv->verified);
	sample(b, mc, "load-ns-p99", rep, f->r.p99, "ns", pv->verified);
	sample(b, mc, "load-overhead-ns", rep, f->r.overhead_ns, "ns", pv->verified);
	for (int e = 0; e < PERFEV_NR; e++)
		if (PERFEV_HW & PERFEV_BIT(e))
			sample(b, mc, b->pe.ev[e].name, rep, f->hw[e], "count", pv->verified);
}

static void emit_barmap(struct bench *b, struct case_run *mc, unsigned int rep,
			const struct barmap_figs *f, const struct provenance *pv)
{
	sample(b, mc, "bar-map", rep, (double)f->map_ns, "ns", pv->verified);
	sample(b, mc, "bar-unmap", rep, (double)f->unmap_ns, "ns", pv->verified);
	sample(b, mc, "bar-map-cold", rep, (double)f->cold_ns, "ns", pv->verified);
	sample(b, mc, "bar-unmap-cold", rep, (double)f->cold_unmap_ns, "ns", pv->verified);
}

/* Every row of one recorded repetition, for the cases still running. */
static void emit_rep(struct bench *b, unsigned int rep, const struct provenance *pv)
{
	struct case_set *cs = &b->cs;
	const struct rep_figs *f = &b->figs;

	if (case_run_ok(&cs->fault)) {
		emit_fault(b, &cs->fault, rep, &f->fault, pv);
		emit_provenance(b, &cs->fault, rep, pv);
		b->t_fault[rep] = (double)f->fault.ns;
	}
	for (size_t i = 0; i < cs->nload; i++) {
		if (!case_run_ok(&cs->load[i]))
			continue;
		emit_load(b, &cs->load[i], rep, &f->load[i], pv);
		emit_provenance(b, &cs->load[i], rep, pv);
	}
	for (size_t w = 0; w < NR_WIDTHS; w++) {
		if (!case_run_ok(&cs->bw[w]))
			continue;
		sample(b, &cs->bw[w], "read-bw", rep, f->bw[w].read, "B/s", pv->verified);
		sample(b, &cs->bw[w], "write-bw", rep, f->bw[w].write, "B/s", pv->verified);
		emit_provenance(b, &cs->bw[w], rep, pv);
	}
	if (case_run_ok(&cs->barmap)) {
		emit_barmap(b, &cs->barmap, rep, &f->barmap, pv);
		emit_provenance(b, &cs->barmap, rep, pv);
		b->t_map[rep] = (double)f->barmap.map_ns;
		b->t_cold[rep] = (double)f->barmap.cold_ns;
	}
}

/* ---- Measurements: figures, or an error with the reason --------------- */

/* Dependent-load latency over @ws bytes from @base. 0 or -ENOMEM. */
static int measure_load(struct bench *b, uint8_t *base, uint64_t ws, struct load_figs *f)
{
	void *head = chase_build(base, ws, CHASE_SEED ^ ws);

	if (!head || chase_measure(head, ws, b->o->batches, &f->r))
		return -ENOMEM;
	/* Counted over an untimed run of as many loads as were timed. */
	perfev_start(&b->pe, PERFEV_HW);
	chase_run(head, (uint64_t)b->o->batches * CHASE_BATCH);
	perfev_stop(&b->pe, PERFEV_HW, f->hw);
	return 0;
}

/* Sequential read and write bandwidth over @len bytes from @base. */
static void measure_bw(uint8_t *base, uint64_t len, unsigned int width, struct bw_figs *f)
{
	double rd = (double)stream_time(base, len, width, false);
	double wr = (double)stream_time(base, len, width, true);

	f->read = (double)len / rd * 1e9;
	f->write = (double)len / wr * 1e9;
}

/* Loads and bandwidth over the memory at @base, for the cases running. */
static void measure_access(struct bench *b, uint8_t *base)
{
	struct case_set *cs = &b->cs;
	char why[64], s[SIZE_FMT_LEN];

	for (size_t i = 0; i < cs->nload; i++) {
		if (!case_run_ok(&cs->load[i]) ||
		    !measure_load(b, base, b->o->ws[i], &b->figs.load[i]))
			continue;
		snprintf(why, sizeof(why), "the load chain over %s: out of memory",
			 size_format(b->o->ws[i], s, sizeof(s)));
		case_run_end(&cs->load[i], CASE_FAIL, why);
	}
	for (size_t w = 0; w < NR_WIDTHS; w++)
		if (case_run_ok(&cs->bw[w]))
			measure_bw(base, b->o->bw_size, bw_widths[w], &b->figs.bw[w]);
}

/*
 * VFIO_IOMMU_MAP_DMA of the mapped BAR, then its unmap; both timed.
 * 0, or -errno with the reason in @why.
 */
static int bar_dma_map(struct bench *b, const struct bar_mapping *m, uint64_t *map_ns,
		       uint64_t *unmap_ns, char *why, size_t whylen)
{
	struct dma_region r = { .va = m->va, .fd = -1, .iova = IOVA_BASE };
	uint64_t t0, t1;
	int ret;

	t0 = now_ns();
	ret = dma_map(&b->ctx, &r, 0, m->len);
	t1 = now_ns();
	if (ret) {
		snprintf(why, whylen, "VFIO_IOMMU_MAP_DMA of BAR %d at %p: %s",
			 b->bar.index, (void *)m->va, strerror(-ret));
		return ret;
	}
	*map_ns = t1 - t0;
	ret = dma_unmap(&b->ctx, IOVA_BASE, m->len);
	*unmap_ns = now_ns() - t1;
	if (ret)
		snprintf(why, whylen, "VFIO_IOMMU_UNMAP_DMA of BAR %d: %s", b->bar.index,
			 strerror(-ret));
	return ret;
}

/*
 * End the BAR DMA-map case after bar_dma_map() failed with @why: a
 * failure, but for iommufd's compat container, which does not map
 * VM_PFNMAP memory (a BAR) at all: its Kconfig help lists peer-to-peer
 * DMA among what it lacks, so there the case is skipped, saying so.
 */
static void bar_dma_map_failed(struct bench *b, const char *why)
{
	char msg[384];

	if (strcmp(b->ctx.iface->name, "iommufd-compat")) {
		case_run_end(&b->cs.barmap, CASE_FAIL, why);
		return;
	}
	snprintf(msg, sizeof(msg), "%s: iommufd's compat container does not map a BAR (VM_PFNMAP: no peer-to-peer DMA); vfio_iommu_type1 does",
		 why);
	case_run_end(&b->cs.barmap, CASE_SKIP, msg);
}

/* The same on a fresh mapping: the map call itself faults the BAR in. */
static void bar_dma_map_cold(struct bench *b, const struct level_run *lr)
{
	const struct opts *o = b->o;
	struct barmap_figs *f = &b->figs.barmap;
	struct bar_mapping m;
	char why[256];
	int ret;

	ret = vfio_bar_map(&b->bar, o->offset, o->size, lr->residue, &m);
	if (ret) {
		snprintf(why, sizeof(why), "mmap of BAR %d for the cold DMA-map: %s",
			 b->bar.index, strerror(-ret));
		case_run_end(&b->cs.barmap, CASE_FAIL, why);
		return;
	}
	if (bar_dma_map(b, &m, &f->cold_ns, &f->cold_unmap_ns, why, sizeof(why)))
		bar_dma_map_failed(b, why);
	vfio_bar_unmap(&m);
}

/* ---- Levels ------------------------------------------------------------ */

/*
 * One repetition of a level: a fresh mapping, faulted in, then measured
 * (only the DMA-map case in a warm-up). 0, or -errno if the BAR could not
 * be mapped.
 */
static int level_rep(struct bench *b, const struct level_run *lr, bool rec,
		     struct provenance *pv)
{
	const struct opts *o = b->o;
	struct barmap_figs *bf = &b->figs.barmap;
	struct bar_mapping m;
	char why[256];
	int ret;

	ret = vfio_bar_map(&b->bar, o->offset, o->size, lr->residue, &m);
	if (ret)
		return ret;
	faultin_measure(&b->pe, m.va, m.len, &b->figs.fault);
	pv->verified = pfnlevel_faults_agree(&lr->v, b->figs.fault.faults,
					     b->figs.fault.faults_rusage);
	if (rec)
		measure_access(b, m.va);
	if (case_run_ok(&b->cs.barmap) &&
	    bar_dma_map(b, &m, &bf->map_ns, &bf->unmap_ns, why, sizeof(why)))
		bar_dma_map_failed(b, why);
	vfio_bar_unmap(&m);
	if (case_run_ok(&b->cs.barmap))
		bar_dma_map_cold(b, lr);
	return 0;
}

/* The repetitions of a verified level, then its summary lines. */
static void level_measure(struct bench *b, const struct level_run *lr)
{
	const struct opts *o = b->o;
	struct case_set *cs = &b->cs;
	struct provenance pv = {
		.level_obtained = (double)pfnmap_level_size(lr->v.obtained),
		.thp_fraction = NAN,
	};
	char why[256];
	int ret;

	for (unsigned int i = 0; i < o->warmup + o->reps; i++) {
		ret = level_rep(b, lr, i >= o->warmup, &pv);
		if (ret) {
			snprintf(why, sizeof(why), "mmap of BAR %d: %s", b->bar.index,
				 strerror(-ret));
			case_set_mark(&b->cs, CASE_FAIL, why);
			return;
		}
		if (i >= o->warmup)
			emit_rep(b, i - o->warmup, &pv);
	}
	if (case_run_ok(&cs->fault))
		results_report(&cs->fault.rc, "fault-in", b->t_fault, o->reps);
	if (case_run_ok(&cs->barmap)) {
		results_report(&cs->barmap.rc, "bar-map", b->t_map, o->reps);
		results_report(&cs->barmap.rc, "bar-map-cold", b->t_cold, o->reps);
	}
}

/* Where the level's mapping goes: the residue of its address mod 1G. */
static int level_place(struct bench *b, struct level_run *lr, struct meta *m)
{
	const struct opts *o = b->o;
	uint64_t pa = b->bar.phys + o->offset, va;
	char s[SIZE_FMT_LEN];
	int ret;

	if (lr->want.level != PFNMAP_AUTO) {
		lr->residue = pfnmap_residue(pa, o->place_as >= 0 ?
					     (enum pfnmap_level)o->place_as : lr->want.level);
		return 0;
	}
	ret = freshmap_probe(b->bar.device_fd, b->bar.fd_offset + o->offset, o->size,
			     &lr->fresh, lr->why, sizeof(lr->why));
	if (ret)
		return ret;
	va = lr->fresh.va;
	/* The same residue gives the same entries: mapping there is equivalent. */
	lr->residue = va % SZ_1G;
	meta_set(m, "auto_va", "0x%llx", (unsigned long long)va);
	meta_set(m, "auto_va_congruence", "%s",
		 size_format(pfnmap_level_size(pfnmap_congruence(va, pa)), s, sizeof(s)));
	return 0;
}

/* Why the mapping holds no entry of the level asked for. */
static void level_unfit(const struct bench *b, struct level_run *lr)
{
	const struct opts *o = b->o;
	enum pfnmap_level l = lr->want.level;
	uint64_t need = pfnmap_level_size(l);
	char s[SIZE_FMT_LEN], off[SIZE_FMT_LEN], n[SIZE_FMT_LEN];

	size_format(need, n, sizeof(n));
	size_format(o->offset, off, sizeof(off));
	if (b->bar.size - o->offset < need)
		snprintf(lr->why, sizeof(lr->why),
			 "BAR %d has %s from offset %s, less than the %s one %s entry maps",
			 b->bar.index, size_format(b->bar.size - o->offset, s, sizeof(s)),
			 off, n, pfnmap_level_name[l]);
	else
		snprintf(lr->why, sizeof(lr->why),
			 "a %s mapping at offset %s of BAR %d holds no %s-aligned %s block for a %s entry: map more (--size) or from an aligned --offset",
			 size_format(o->size, s, sizeof(s)), off, b->bar.index, n, n,
			 pfnmap_level_name[l]);
}

/*
 * The verification pass and its verdict; its counts go into the fault-in
 * case as rep 0. 0 or -errno (the mmap), with the reason in lr->why.
 */
static int level_verify(struct bench *b, struct level_run *lr)
{
	char note[192] = "", line[256];
	struct pfnlevel_seen s;
	int ret = pfnpass_run(&b->pass, &b->pe, &b->bar, b->o->offset, b->o->size,
			      lr->residue, &s, note, sizeof(note));

	if (ret) {
		snprintf(lr->why, sizeof(lr->why), "mmap of BAR %d: %s", b->bar.index,
			 strerror(-ret));
		return ret;
	}
	pfnlevel_judge(&b->pass.pm, &s, &lr->want, &lr->v);
	emit_verify(b, &s, &lr->v);
	if (lr->want.level == PFNMAP_AUTO)
		emit_fresh(b, &lr->fresh);
	log_msg("  %s: %s", pfnmap_level_name[lr->want.level],
		pfnlevel_summary(&lr->v, &lr->want, line, sizeof(line)));
	snprintf(lr->why, sizeof(lr->why), "%s", lr->v.why);
	return 0;
}

/* Place and verify: CASE_OK to measure, else CASE_SKIP or CASE_FAIL. */
static enum case_status level_prepare(struct bench *b, struct level_run *lr,
				      struct meta *meta)
{
	const struct opts *o = b->o;
	enum pfnmap_level l = lr->want.level;

	if (level_place(b, lr, meta))
		return CASE_FAIL;
	pfnmap_expect(lr->residue, b->bar.phys + o->offset, o->size, PFNMAP_PUD,
		      &lr->want.expect);
	if (l != PFNMAP_AUTO && o->place_as < 0 && !lr->want.expect.n[l]) {
		level_unfit(b, lr);
		return CASE_SKIP;
	}
	if (level_verify(b, lr) || !lr->v.verified)
		return CASE_FAIL;
	return CASE_OK;
}

static void run_level(struct bench *b, enum pfnmap_level level, struct meta *meta)
{
	const struct opts *o = b->o;
	struct level_run lr = { .want = { .level = level, .place_as = o->place_as } };
	enum case_status st;
	char s[SIZE_FMT_LEN], backing[SIZE_FMT_LEN + 4];

	case_set_init(b, case_bar_backing(o->offset, backing, sizeof(backing)),
		      pfnmap_level_name[level], true);
	log_progress("level %s: %s of BAR %d, %u+%u reps", pfnmap_level_name[level],
		     size_format(o->size, s, sizeof(s)), b->bar.index, o->warmup, o->reps);
	st = level_prepare(b, &lr, meta);
	if (st == CASE_OK)
		level_measure(b, &lr);
	else
		case_set_mark(&b->cs, st, lr.why);
	case_set_close(b);
}

/* ---- Baselines ---------------------------------------------------------- */

/* The same loads and streams on anonymous memory, as the baseline. */
static void run_baseline(struct bench *b, const struct backing *bk)
{
	const struct opts *o = b->o;
	struct provenance pv = { .level_obtained = NAN, .thp_fraction = NAN };
	struct backing_opts bo = { 0 };
	uint64_t len = mmio_baseline_len(o, o->size);
	char why[256] = "", s[SIZE_FMT_LEN];
	struct buffer buf;
	int ret;

	case_set_init(b, bk->name, "", false);
	log_progress("baseline %s: %u reps after populating", bk->name, o->reps);
	if (backing_check(bk, len, &bo, why, sizeof(why))) {
		case_set_mark(&b->cs, CASE_SKIP, why);
		goto out;
	}
	buffer_init(&buf, bk, len, &bo);
	ret = backing_mmap(&buf, &bo);
	if (ret) {
		snprintf(why, sizeof(why), "mmap of %s of %s: %s", size_format(len, s, sizeof(s)),
			 bk->name, strerror(-ret));
		backing_munmap(&buf);
		case_set_mark(&b->cs, CASE_FAIL, why);
		goto out;
	}
	backing_populate(&buf);
	pv.verified = backing_verify(&buf, b->cs.unverified, sizeof(b->cs.unverified));
	if (bk->thp)
		pv.thp_fraction = buffer_thp_fraction(&buf);
	/* Populating the buffer warmed it up: every repetition is recorded. */
	for (unsigned int rep = 0; rep < o->reps; rep++) {
		measure_access(b, buf.va);
		emit_rep(b, rep, &pv);
	}
	backing_munmap(&buf);
out:
	case_set_close(b);
}

/* ---- Setup -------------------------------------------------------------- */

/* The counters of the calling thread, for the metadata. */
static void open_counters(struct bench *b, struct meta *m)
{
	char key[64];

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
	char buf[1024] = "", lo[SIZE_FMT_LEN], hi[SIZE_FMT_LEN];
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

/* What the cases need per working set and per repetition. 0 or -ENOMEM. */
static int bench_alloc(struct bench *b)
{
	const struct opts *o = b->o;

	b->cs.nload = o->nws;
	b->cs.load = calloc(o->nws + 1, sizeof(*b->cs.load));
	b->cs.all = calloc(o->nws + NR_WIDTHS + 2, sizeof(*b->cs.all));
	b->figs.load = calloc(o->nws + 1, sizeof(*b->figs.load));
	b->t_fault = calloc(o->reps, sizeof(double));
	b->t_map = calloc(o->reps, sizeof(double));
	b->t_cold = calloc(o->reps, sizeof(double));
	return b->cs.load && b->cs.all && b->figs.load && b->t_fault && b->t_map &&
	       b->t_cold ? 0 : -ENOMEM;
}

/*
 * The container the device's group is attached to, and the BAR DMA-map
 * case maps through: vfio_iommu_type1's (type1v2), or, on a kernel whose
 * /dev/vfio/vfio is iommufd's compat container (VFIO_CONTAINER off),
 * that one (iface iommufd-compat): without a container there is no
 * device to measure.  0, or -errno with the reason in @why.
 */
static int bench_open_container(struct bench *b, const struct vfio_pci_device *dev,
				char *why, size_t whylen)
{
	char err[224], err2[224];
	int ret;

	ret = dma_ctx_open(&b->ctx, dma_iface_find("type1v2"), dev, err, sizeof(err));
	if (ret != -EOPNOTSUPP) {
		if (ret)
			snprintf(why, whylen, "type1v2 container: %s", err);
		return ret;
	}
	ret = dma_ctx_open(&b->ctx, dma_iface_find("iommufd-compat"), dev, err2, sizeof(err2));
	if (ret) {
		snprintf(why, whylen, "type1v2 container: %s; iommufd-compat: %s", err, err2);
		return ret;
	}
	log_msg("%s; the BAR DMA-map case maps through iommufd's compat container (iface iommufd-compat)",
		 err);
	return 0;
}

/*
 * Everything the cases share: the device, its BAR, the container for
 * DMA-map, the verifiers and the result files. EXIT_OK, or the exit code
 * with the reason in @why: without them no case can run.
 */
static int bench_open(struct bench *b, struct opts *o, struct vfio_pci_device *dev,
		      struct meta *meta, char *why, size_t whylen)
{
	char err[448];
	int ret;

	ret = vfio_pci_device_probe(o->device, dev, why, whylen);
	if (ret)
		return ret == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	ret = bench_open_container(b, dev, why, whylen);
	if (ret)
		return ret == -EOPNOTSUPP ? EXIT_SKIP : EXIT_FAIL;
	meta_set(meta, "bar_dma_iface", "%s", b->ctx.iface->name);
	if (vfio_bar_open(&b->bar, b->ctx.device_fd, dev->bdf, o->bar, err, sizeof(err))) {
		snprintf(why, whylen, "%s: %s", dev->bdf, err);
		return EXIT_FAIL;
	}
	if (mmio_opts_fit(o, &b->bar, why, whylen))
		return EXIT_USAGE;
	if (bench_alloc(b)) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAIL;
	}
	cli_run_place(&o->run, meta);
	meta_collect_system(meta);
	describe_run(b, dev, meta);
	pfnpass_open(&b->pass, meta);
	open_counters(b, meta);
	o->run.ro.device = dev->bdf;
	return results_open(&b->res, &o->run.ro, meta, why, whylen) ? EXIT_FAIL : EXIT_OK;
}

/* What bench_alloc() took. */
static void bench_free(struct bench *b)
{
	free(b->cs.load);
	free(b->cs.all);
	free(b->figs.load);
	free(b->t_fault);
	free(b->t_map);
	free(b->t_cold);
}

static void bench_close(struct bench *b)
{
	pfnpass_close(&b->pass);
	perfev_close(&b->pe);
	vfio_bar_close(&b->bar);
	dma_ctx_close(&b->ctx);
	bench_free(b);
}

/* --cases: the case names of every level and baseline that would run. */
static int print_cases(struct bench *b)
{
	const struct opts *o = b->o;
	char backing[SIZE_FMT_LEN + 4];

	if (bench_alloc(b))
		return -ENOMEM;
	for (size_t i = 0; i < o->nlevel + o->nbaseline; i++) {
		if (i < o->nlevel)
			case_set_init(b, case_bar_backing(o->offset, backing, sizeof(backing)),
				      pfnmap_level_name[*o->level[i]], true);
		else if (mmio_phase_on(o, PH_LOAD) || mmio_phase_on(o, PH_BW))
			case_set_init(b, o->baseline[i - o->nlevel]->name, "", false);
		else
			continue;
		for (size_t c = 0; c < b->cs.nall; c++)
			if (b->cs.all[c]->on && results_case_names(stdout, &b->cs.all[c]->rc))
				return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct vfio_pci_device dev;
	struct meta meta = { 0 };
	struct bench b = { 0 };
	struct opts o;
	char why[512];
	int code;

	freshmap_child(argc, argv);
	log_prog = "vfio-mmio-bench";
	mmio_opts_parse(argc, argv, &o);
	b.o = &o;
	if (o.plan || o.cases) {
		code = EXIT_OK;
		if (o.plan)
			mmio_opts_print_plan(&o);
		else if (print_cases(&b))
			code = EXIT_FAIL;
		/* No device was opened: only what bench_alloc() took. */
		bench_free(&b);
		free(o.ws);
		return code;
	}
	code = bench_open(&b, &o, &dev, &meta, why, sizeof(why));
	if (code != EXIT_OK)
		die(code, "%s", why);

	for (size_t i = 0; i < o.nlevel; i++)
		run_level(&b, *o.level[i], &meta);
	for (size_t i = 0; i < o.nbaseline; i++)
		if (mmio_phase_on(&o, PH_LOAD) || mmio_phase_on(&o, PH_BW))
			run_baseline(&b, o.baseline[i]);

	code = results_commit(&b.res, why, sizeof(why));
	bench_close(&b);
	meta_free(&meta);
	free(o.ws);
	if (code)
		die(EXIT_FAIL, "%s", why);
	log_msg("%u cases: %u ok, %u failed, %u skipped; results in %s",
		b.tally.ok + b.tally.fail + b.tally.skip, b.tally.ok, b.tally.fail,
		b.tally.skip, o.run.ro.dir);
	if (b.tally.fail)
		return EXIT_FAIL;
	return b.tally.ok ? EXIT_OK : EXIT_SKIP;
}
