// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chase.h"
#include "log.h"
#include "opts.h"
#include "size.h"

static const struct phase_desc phase_descs[NR_PHASES] = {
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

const unsigned int bw_widths[NR_WIDTHS] = { 8, 64 };

static void usage(void)
{
	printf(
"usage: vfio-mmio-bench --device BDF --out DIR [options]\n"
"\n"
"Map a BAR of a vfio-pci device with PTE, PMD or PUD page-table entries (and\n"
"where mmap(NULL) puts it), verify the level obtained, and measure fault-in,\n"
"load latency, bandwidth and VFIO DMA-map of the mapping, beside anonymous\n"
"memory. The BAR is read and written: use a memory BAR (ivshmem's BAR2, a\n"
"GPU's VRAM), never one with registers. Writes DIR/samples.csv, cases.csv\n"
"and meta.csv.\n"
"\n"
"  -d, --device BDF        PCI device bound to vfio-pci (e.g. 0000:00:02.0)\n"
"  -o, --out DIR           result directory (created; its files must not exist)\n"
"      --bar N             BAR index, 0 to 5 (default: the largest mmappable BAR)\n"
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
"      --batches N         timed batches of %u loads per load sample,\n"
"                          1 to 1048576 (default 1024)\n"
"  -r, --reps N            recorded repetitions per case, 1 to 100000 (default 3)\n"
"  -w, --warmup N          unrecorded repetitions before them, 0 to 1000\n"
"                          (default 1); each repetition maps the BAR afresh\n"
CLI_RUN_USAGE
"      --plan              print the guest memory the cases need ('normal BYTES':\n"
"                          the anonymous baselines; the BAR is not RAM) and exit;\n"
"                          needs no device\n"
"      --cases             print the name of every case with each judged metric\n"
"                          of the schema, one a line, and exit; needs no device\n"
"      --place-as LEVEL    testing: place every mapping as for LEVEL, whatever\n"
"                          level is asked for (a level mismatch must fail)\n"
"  -l, --list              list levels, phases and baselines, and exit\n"
"  -h, --help              this text\n"
"\n"
"A level the mapping cannot hold is skipped; one not obtained, or a mapping\n"
"or DMA-map that fails, fails its cases; the others still run.\n"
"Exit: 0 ok, 1 a case failed or a level was not obtained, 2 bad usage (also\n"
"--offset, --size or --working-set that do not fit the BAR), 4 every case\n"
"skipped (reasons in cases.csv and on stderr).\n"
"\n"
"Example, in the QEMU guest of make bench (ivshmem's 2G BAR2 is 0000:00:02.0):\n"
"  vfio-mmio-bench --device 0000:00:02.0 --out /tmp/mmio --reps 3 --warmup 0 --working-set 4K,64K,1M,16M,256M,1G --bw-size 16M --batches 256\n",
	       CHASE_BATCH);
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
		if (backings[i].kind == BK_ANON && !backings[i].frag)
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

/*
 * Anonymous private memory only, as found (a -frag backing's state is
 * made per DMA sample): what the BAR is compared with.
 */
static const struct backing *baseline_find(const char *name)
{
	const struct backing *b = backing_find(name);

	return b && b->kind == BK_ANON && !b->frag ? b : NULL;
}

bool mmio_phase_on(const struct opts *o, enum phase p)
{
	return o->phases & 1u << p;
}

/* The defaults of what was not given, and the checks across options. */
static void opts_complete(struct opts *o, const char *ws, bool ws_given)
{
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

void mmio_opts_parse(int argc, char **argv, struct opts *o)
{
	enum { O_BAR = CLI_O_NEXT, O_OFFSET, O_BWSIZE, O_BATCHES, O_PLACEAS, O_PLAN,
	       O_CASES };
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
		{ "cases", no_argument, NULL, O_CASES },
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
	while ((c = cli_getopt(argc, argv, "d:o:s:L:p:W:b:r:w:lh", lo)) != -1) {
		if (cli_run_option(&o->run, c, optarg))
			continue;
		switch (c) {
		case 'd': o->device = optarg; break;
		case 'o': o->run.ro.dir = optarg; break;
		case O_BAR: o->bar = (int)cli_uint("--bar", optarg, 0, 5); break;
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
		case O_BATCHES: o->batches = cli_uint("--batches", optarg, 1, 1 << 20); break;
		case 'r': o->reps = cli_uint("--reps", optarg, 1, 100000); break;
		case 'w': o->warmup = cli_uint("--warmup", optarg, 0, 1000); break;
		case O_PLAN: o->plan = true; break;
		case O_CASES: o->cases = true; break;
		case O_PLACEAS:
			o->place_as = pfnmap_level_find(optarg);
			if (o->place_as < 0 || o->place_as == PFNMAP_AUTO)
				die_usage("--place-as: '%s' is not pte, pmd or pud", optarg);
			break;
		case 'l': list_tables(); exit(EXIT_OK);
		case 'h': usage(); exit(EXIT_OK);
		}
	}
	cli_finish(argc, argv, o->device, &o->run, o->plan || o->cases);
	opts_complete(o, ws, ws_given);
}

int mmio_opts_fit(struct opts *o, const struct vfio_bar *bar, char *why, size_t whylen)
{
	char a[SIZE_FMT_LEN], b[SIZE_FMT_LEN], c[SIZE_FMT_LEN];
	size_t n = 0;

	if (o->offset >= bar->size) {
		snprintf(why, whylen, "--offset %s is beyond BAR %d's %s",
			 size_format(o->offset, a, sizeof(a)), bar->index,
			 size_format(bar->size, b, sizeof(b)));
		return -EINVAL;
	}
	if (!o->size)
		o->size = bar->size - o->offset < SZ_1G ? bar->size - o->offset : SZ_1G;
	if (o->offset + o->size > bar->size) {
		snprintf(why, whylen, "--offset %s --size %s does not fit in BAR %d (%s)",
			 size_format(o->offset, a, sizeof(a)), size_format(o->size, b, sizeof(b)),
			 bar->index, size_format(bar->size, c, sizeof(c)));
		return -EINVAL;
	}
	if (o->ws_default) {
		for (size_t i = 0; i < o->nws && o->ws[i] <= o->size; i++)
			n++;
		o->nws = n;
	}
	for (size_t i = 0; i < o->nws; i++) {
		if (o->ws[i] <= o->size)
			continue;
		snprintf(why, whylen, "--working-set %s is larger than the mapping (--size %s)",
			 size_format(o->ws[i], a, sizeof(a)), size_format(o->size, b, sizeof(b)));
		return -EINVAL;
	}
	if (o->bw_size > o->size)
		o->bw_size = o->size;
	return 0;
}

uint64_t mmio_baseline_len(const struct opts *o, uint64_t size)
{
	uint64_t len = o->bw_size < size ? o->bw_size : size;

	for (size_t i = 0; mmio_phase_on(o, PH_LOAD) && i < o->nws; i++)
		if (o->ws[i] <= size && o->ws[i] > len)
			len = o->ws[i];
	return len;
}

/* The BAR is not RAM; the baselines are, at --size or its default. */
void mmio_opts_print_plan(const struct opts *o)
{
	if (o->nbaseline && (mmio_phase_on(o, PH_LOAD) || mmio_phase_on(o, PH_BW)))
		printf("normal %llu\n", (unsigned long long)mmio_baseline_len(o, o->size ? o->size : SZ_1G));
}

