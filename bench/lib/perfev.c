// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <perf/core.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfev.h"
#include "sysfs.h"

static const char *const perfev_names[PERFEV_NR] = {
	[PERFEV_FAULTS] = "faults",
	[PERFEV_CYCLES] = "hw-cycles",
	[PERFEV_INSTRUCTIONS] = "hw-instructions",
	[PERFEV_DTLB_MISSES] = "hw-dtlb-load-misses",
	[PERFEV_WALK_4K] = "hw-walks-4k",
	[PERFEV_WALK_2M] = "hw-walks-2m",
	[PERFEV_WALK_1G] = "hw-walks-1g",
	[PERFEV_WALK_CYCLES] = "hw-walk-cycles",
};

/*
 * Raw page-walk events of one family of cores: completed walks of loads
 * by the size of the page they found, and cycles with a walk in flight.
 * 0 where the cores have no such event.
 */
struct walk_events {
	const char *cores;
	const unsigned char *models;	/* Intel family 6 models, 0-ended */
	unsigned int amd_family;	/* or an AMD family */
	uint64_t walk[3], cycles;
};

/* Intel: event | umask << 8 | cmask << 24. */
#define INTEL(ev, umask, cmask) ((ev) | (umask) << 8 | (uint64_t)(cmask) << 24)

/* DTLB_LOAD_MISSES.WALK_COMPLETED_{4K,2M_4M,1G} and .WALK_ACTIVE. */
static const unsigned char intel_08[] = {
	0x3c, 0x3f, 0x45, 0x46, 0x3d, 0x47, 0x4f, 0x56,	/* Haswell, Broadwell */
	0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0xa5, 0xa6,	/* Skylake and kin */
	0x6a, 0x6c, 0x7d, 0x7e, 0x8c, 0x8d, 0xa7, 0,	/* Ice, Tiger, Rocket */
};
static const unsigned char intel_12[] = {
	0x97, 0x9a, 0xb7, 0xba, 0xbf, 0xaa, 0xac,	/* Alder, Raptor, Meteor */
	0x8f, 0xcf, 0xad, 0xae, 0,			/* Sapphire Rapids and on */
};

static const struct walk_events walk_table[] = {
	{ "Intel Haswell to Ice Lake", intel_08, 0,
	  { INTEL(0x08, 0x02, 0), INTEL(0x08, 0x04, 0), INTEL(0x08, 0x08, 0) },
	  INTEL(0x08, 0x10, 1) },
	{ "Intel Alder Lake, Sapphire Rapids and later", intel_12, 0,
	  { INTEL(0x12, 0x02, 0), INTEL(0x12, 0x04, 0), INTEL(0x12, 0x08, 0) },
	  INTEL(0x12, 0x10, 1) },
	/* L1_DTLB_MISS: reloads that missed the L2 TLB, i.e. walked. */
	{ "AMD Zen 1-2", NULL, 0x17, { 0x3045, 0x4045, 0x8045 }, 0 },
	{ "AMD Zen 3-4", NULL, 0x19, { 0x3045, 0x4045, 0x8045 }, 0 },
	{ "AMD Zen 5", NULL, 0x1a, { 0x3045, 0x4045, 0x8045 }, 0 },
};

static const struct walk_events *walk_events_of_cpu(char *desc, size_t len)
{
	char vendor[32] = "", family[16] = "", model[16] = "";
	unsigned int fam, mod;

	sysfs_read_field("/proc/cpuinfo", "vendor_id", vendor, sizeof(vendor));
	sysfs_read_field("/proc/cpuinfo", "cpu family", family, sizeof(family));
	sysfs_read_field("/proc/cpuinfo", "model", model, sizeof(model));
	fam = (unsigned int)strtoul(family, NULL, 10);
	mod = (unsigned int)strtoul(model, NULL, 10);
	snprintf(desc, len, "%s family 0x%x model 0x%x", vendor, fam, mod);
	for (size_t i = 0; i < sizeof(walk_table) / sizeof(walk_table[0]); i++) {
		const struct walk_events *w = &walk_table[i];

		if (w->models && !strcmp(vendor, "GenuineIntel") && fam == 6)
			for (const unsigned char *m = w->models; *m; m++)
				if (*m == mod)
					return w;
		if (w->amd_family && !strcmp(vendor, "AuthenticAMD") && fam == w->amd_family)
			return w;
	}
	return NULL;
}

/* libperf reports through this; our callers report what matters. */
static int perfev_quiet(enum libperf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void open_one(struct perfev_set *s, enum perfev_id id, uint32_t type,
		     uint64_t config)
{
	struct perfev *e = &s->ev[id];
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING,
		/* What the measured loop does, not what the kernel does for it. */
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int ret;

	e->evsel = perf_evsel__new(&attr);
	if (!e->evsel) {
		snprintf(e->why, sizeof(e->why), "out of memory");
		return;
	}
	ret = perf_evsel__open(e->evsel, NULL, s->threads);
	if (!ret)
		return;
	ret = ret < 0 ? -ret : ret;
	snprintf(e->why, sizeof(e->why), "perf_event_open: %s%s", strerror(ret),
		 ret == ENOENT || ret == EOPNOTSUPP || ret == ENODEV ?
		 " (no such counter: no PMU, e.g. a VM without a virtual PMU or TCG)" :
		 ret == EACCES || ret == EPERM ?
		 " (see /proc/sys/kernel/perf_event_paranoid, or run as root)" : "");
	perf_evsel__delete(e->evsel);
	e->evsel = NULL;
}

void perfev_open(struct perfev_set *s)
{
	const struct walk_events *w;
	char cpu[96];

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < PERFEV_NR; i++)
		s->ev[i].name = perfev_names[i];
	libperf_init(perfev_quiet);
	s->threads = perf_thread_map__new_dummy();
	if (!s->threads) {
		for (int i = 0; i < PERFEV_NR; i++)
			snprintf(s->ev[i].why, sizeof(s->ev[i].why), "out of memory");
		return;
	}
	perf_thread_map__set_pid(s->threads, 0, 0);	/* this thread */

	snprintf(s->ev[PERFEV_FAULTS].what, sizeof(s->ev[0].what), "software page-faults");
	open_one(s, PERFEV_FAULTS, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS);
	snprintf(s->ev[PERFEV_CYCLES].what, sizeof(s->ev[0].what), "cpu-cycles");
	open_one(s, PERFEV_CYCLES, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);
	snprintf(s->ev[PERFEV_INSTRUCTIONS].what, sizeof(s->ev[0].what), "instructions");
	open_one(s, PERFEV_INSTRUCTIONS, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS);
	snprintf(s->ev[PERFEV_DTLB_MISSES].what, sizeof(s->ev[0].what), "dTLB-load-misses");
	open_one(s, PERFEV_DTLB_MISSES, PERF_TYPE_HW_CACHE,
		 PERF_COUNT_HW_CACHE_DTLB | PERF_COUNT_HW_CACHE_OP_READ << 8 |
		 PERF_COUNT_HW_CACHE_RESULT_MISS << 16);

	w = walk_events_of_cpu(cpu, sizeof(cpu));
	for (int i = PERFEV_WALK_4K; i <= PERFEV_WALK_CYCLES; i++) {
		uint64_t config = !w ? 0 : i == PERFEV_WALK_CYCLES ? w->cycles :
				  w->walk[i - PERFEV_WALK_4K];
		struct perfev *e = &s->ev[i];

		if (!config) {
			snprintf(e->why, sizeof(e->why), w ?
				 "%s have no such event" : "no page-walk events known for %s",
				 w ? w->cores : cpu);
			continue;
		}
		snprintf(e->what, sizeof(e->what), "raw 0x%llx (%s)",
			 (unsigned long long)config, w->cores);
		open_one(s, i, PERF_TYPE_RAW, config);
	}
}

void perfev_close(struct perfev_set *s)
{
	for (int i = 0; i < PERFEV_NR; i++) {
		if (!s->ev[i].evsel)
			continue;
		perf_evsel__close(s->ev[i].evsel);
		perf_evsel__delete(s->ev[i].evsel);
		s->ev[i].evsel = NULL;
	}
	if (s->threads)
		perf_thread_map__put(s->threads);
	s->threads = NULL;
}

/* The count so far, scaled up if the counter ran only part of the time. */
static double read_scaled(struct perfev *e)
{
	struct perf_counts_values c = { 0 };

	if (perf_evsel__read(e->evsel, 0, 0, &c) || !c.run)
		return NAN;
	return (double)c.val * ((double)c.ena / (double)c.run);
}

void perfev_start(struct perfev_set *s, unsigned int mask)
{
	for (int i = 0; i < PERFEV_NR; i++)
		if ((mask & PERFEV_BIT(i)) && s->ev[i].evsel)
			s->ev[i].start = read_scaled(&s->ev[i]);
}

void perfev_stop(struct perfev_set *s, unsigned int mask, double v[PERFEV_NR])
{
	for (int i = PERFEV_NR - 1; i >= 0; i--) {
		v[i] = NAN;
		if ((mask & PERFEV_BIT(i)) && s->ev[i].evsel)
			v[i] = read_scaled(&s->ev[i]) - s->ev[i].start;
	}
}
