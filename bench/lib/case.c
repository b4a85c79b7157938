// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "case.h"
#include "iommu.h"
#include "populate.h"
#include "size.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *const case_columns[CASE_NFIELDS] = {
	[CASE_BENCH] = "bench",
	[CASE_BACKING] = "backing",
	[CASE_LEVEL] = "level",
	[CASE_IFACE] = "iface",
	[CASE_SIZE] = "size_bytes",
	[CASE_CHUNK] = "chunk_bytes",
	[CASE_UNMAP_CHUNK] = "unmap_chunk_bytes",
	[CASE_POPULATE] = "populate",
	[CASE_METRIC] = "metric",
	[CASE_UNIT] = "unit",
};

/*
 * Every metric the benchmarks write (the top comments of
 * vfio-dma-bench.c and vfio-mmio-bench.c), with its unit.  A metric
 * missing here is refused by the reader: add it here and to
 * docs/results.md together.
 */
static const struct case_metric case_metrics[] = {
	/* vfio-dma-bench: the five timed phases of one buffer's life. */
	{ "mmap", "ns", 0 },
	{ "populate", "ns", 0 },
	{ "map", "ns", 0 },
	{ "unmap", "ns", 0 },
	{ "munmap", "ns", 0 },
	/* What the kernel backed the buffer with. */
	{ "thp-fraction", "fraction", CASE_M_INFO },
	{ "hugetlb-pages", "count", CASE_M_INFO },
	{ "pfn-runs", "count", CASE_M_INFO },
	/* The populate state before the map (populate.h). */
	{ "present-pages", "count", CASE_M_INFO },
	{ "resident-bytes", "bytes", CASE_M_INFO },
	{ "dirty-bytes", "bytes", CASE_M_INFO },
	/* Pages of a buffer bound to a node (NAME@nodeN) found elsewhere. */
	{ "pages-off-node", "count", CASE_M_INFO },
	/* The IOMMU leaves that translate the buffer (iommupt.h). */
	{ "iommu-4k", "count", CASE_M_INFO },
	{ "iommu-2m", "count", CASE_M_INFO },
	{ "iommu-1g", "count", CASE_M_INFO },
	/* vfio-mmio-bench: fault-in of a BAR mapping. */
	{ "faults", "count", 0 },
	{ "faults-rusage", "count", 0 },
	{ "fault-in", "ns", 0 },
	{ "fault-ns", "ns", 0 },
	{ "level-obtained", "bytes", CASE_M_INFO },
	/* The verification pass: which kernel functions inserted entries. */
	{ "kprobe-vmf_insert_pfn", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "kprobe-vmf_insert_pfn_pmd", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "kprobe-vmf_insert_pfn_pmd_prot", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "kprobe-vmf_insert_pfn_pud", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "kprobe-vmf_insert_pfn_pud_prot", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "kprobe-remap_pfn_range", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "ptdump-pte", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "ptdump-pmd", "count", CASE_M_ONCE | CASE_M_INFO },
	{ "ptdump-pud", "count", CASE_M_ONCE | CASE_M_INFO },
	/* mmap(NULL) in a fresh process: the address space it left unused. */
	{ "va-unused-above", "bytes", CASE_M_ONCE | CASE_M_INFO },
	{ "va-vma-seen", "count", CASE_M_ONCE | CASE_M_INFO },
	/* Dependent loads over a working set. */
	{ "load-ns", "ns", 0 },
	{ "load-ns-p5", "ns", 0 },
	{ "load-ns-p95", "ns", 0 },
	{ "load-ns-p99", "ns", 0 },
	{ "load-overhead-ns", "ns", CASE_M_INFO },
	/* Hardware counters: a rep whose counter never ran has no row. */
	{ "hw-cycles", "count", CASE_M_SPARSE },
	{ "hw-instructions", "count", CASE_M_SPARSE },
	{ "hw-dtlb-load-misses", "count", CASE_M_SPARSE },
	{ "hw-walks-4k", "count", CASE_M_SPARSE },
	{ "hw-walks-2m", "count", CASE_M_SPARSE },
	{ "hw-walks-1g", "count", CASE_M_SPARSE },
	{ "hw-walk-cycles", "count", CASE_M_SPARSE },
	/* Sequential bandwidth and the BAR's own DMA mapping. */
	{ "read-bw", "B/s", 0 },
	{ "write-bw", "B/s", 0 },
	{ "bar-map", "ns", 0 },
	{ "bar-unmap", "ns", 0 },
	{ "bar-map-cold", "ns", 0 },
	{ "bar-unmap-cold", "ns", 0 },
};

static const char *const case_benches[] = { "dma", "mmio", "selftest", "exec" };
/* Empty: a mapping whose page-table level is not what is studied. */
static const char *const case_levels[] = { "", "pte", "pmd", "pud", "auto" };

bool case_is_check(const struct case_key *k)
{
	return !strcmp(k->bench, "selftest") || !strcmp(k->bench, "exec");
}

/* A program, test case or step name: [A-Za-z0-9._+/-], not empty. */
const char *case_bar_backing(uint64_t offset, char *buf, size_t len)
{
	char off[SIZE_FMT_LEN];

	if (offset)
		snprintf(buf, len, "bar@%s", size_format(offset, off, sizeof(off)));
	else
		snprintf(buf, len, "bar");
	return buf;
}

bool case_is_bar(const char *backing)
{
	char canon[SIZE_FMT_LEN + 4];
	uint64_t off;

	if (!strcmp(backing, "bar"))
		return true;
	/* One spelling per window: the offset as case names write sizes. */
	return !strncmp(backing, "bar@", 4) && !size_parse(backing + 4, &off) &&
	       !strcmp(backing, case_bar_backing(off, canon, sizeof(canon)));
}

const char *case_node_backing(const char *name, int node, char *buf, size_t len)
{
	if (node < 0)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s@node%d", name, node);
	return buf;
}

bool case_is_node_backing(const char *backing)
{
	const char *at = strrchr(backing, '@');
	char name[64], canon[96];
	char *end;
	long node;

	if (!at || (size_t)(at - backing) >= sizeof(name) || strncmp(at, "@node", 5) ||
	    at[5] < '0' || at[5] > '9')
		return false;
	memcpy(name, backing, (size_t)(at - backing));
	name[at - backing] = '\0';
	errno = 0;
	node = strtol(at + 5, &end, 10);
	if (*end || errno || node > 1023 || !backing_find(name))
		return false;
	/* One spelling per node: no leading zeros. */
	return !strcmp(backing, case_node_backing(name, (int)node, canon, sizeof(canon)));
}

static bool case_check_word(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._+/-") == strlen(s);
}

/* The fields of a selftest or exec row (case_is_check()). */
static int case_check_fields(const struct case_key *k, bool with_metric,
			     char *why, size_t whylen)
{
	if (with_metric)
		snprintf(why, whylen, "bench '%s' has no samples", k->bench);
	else if (!case_check_word(k->backing))
		snprintf(why, whylen, "backing '%s' of a %s row is not a program name",
			 k->backing, k->bench);
	else if (*k->level && !case_check_word(k->level))
		snprintf(why, whylen, "level '%s' of a %s row is not a test or step name",
			 k->level, k->bench);
	else if (*k->iface || k->size)
		snprintf(why, whylen, "a %s row has no iface and size 0", k->bench);
	else
		return 0;
	return -EINVAL;
}

size_t case_metric_count(void)
{
	return ARRAY_SIZE(case_metrics);
}

const struct case_metric *case_metric_at(size_t i)
{
	return i < ARRAY_SIZE(case_metrics) ? &case_metrics[i] : NULL;
}

const struct case_metric *case_metric_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(case_metrics); i++)
		if (!strcmp(case_metrics[i].name, name))
			return &case_metrics[i];
	return NULL;
}

static bool case_in(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

/* Plain decimal digits, no sign, no blank, no leading zero but for "0". */
static int case_parse_bytes(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int case_copy(char *dst, size_t len, const char *s, const char *col,
		     char *why, size_t whylen)
{
	if (strlen(s) >= len) {
		snprintf(why, whylen, "%s '%.40s...' is longer than %zu bytes",
			 col, s, len - 1);
		return -EINVAL;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int case_set_field(struct case_key *k, enum case_field f, const char *s,
		   char *why, size_t whylen)
{
	const char *col = case_columns[f];
	uint64_t v;

	switch (f) {
	case CASE_BENCH:
		return case_copy(k->bench, sizeof(k->bench), s, col, why, whylen);
	case CASE_BACKING:
		return case_copy(k->backing, sizeof(k->backing), s, col, why, whylen);
	case CASE_LEVEL:
		return case_copy(k->level, sizeof(k->level), s, col, why, whylen);
	case CASE_IFACE:
		return case_copy(k->iface, sizeof(k->iface), s, col, why, whylen);
	case CASE_POPULATE:
		return case_copy(k->populate, sizeof(k->populate), s, col, why, whylen);
	case CASE_METRIC:
		return case_copy(k->metric, sizeof(k->metric), s, col, why, whylen);
	case CASE_UNIT:
		return case_copy(k->unit, sizeof(k->unit), s, col, why, whylen);
	default:
		break;
	}
	if (case_parse_bytes(s, &v) || (f == CASE_SIZE && !v && !case_is_check(k))) {
		snprintf(why, whylen, "%s '%.40s' is not a byte count", col, s);
		return -EINVAL;
	}
	if (f == CASE_SIZE)
		k->size = v;
	else if (f == CASE_CHUNK)
		k->chunk = v ? v : k->size;
	else
		k->unmap_chunk = v ? v : k->size;
	return 0;
}

int case_check(const struct case_key *k, bool with_metric, char *why,
	       size_t whylen)
{
	const struct case_metric *m;

	if (!case_in(k->bench, case_benches, ARRAY_SIZE(case_benches)))
		snprintf(why, whylen, "bench '%s' is not dma, mmio, selftest or exec", k->bench);
	else if (case_is_check(k))
		return case_check_fields(k, with_metric, why, whylen);
	else if (!case_is_bar(k->backing) && !backing_find(k->backing) &&
		 !case_is_node_backing(k->backing))
		snprintf(why, whylen, "backing '%s' is not one of vfio-dma-bench --list (or NAME@nodeN), bar or bar@OFFSET",
			 k->backing);
	else if (!case_in(k->level, case_levels, ARRAY_SIZE(case_levels)))
		snprintf(why, whylen, "level '%s' is not pte, pmd, pud, auto or empty",
			 k->level);
	else if (*k->iface && !dma_iface_find(k->iface))
		snprintf(why, whylen, "iface '%s' is not one of vfio-dma-bench --list or empty",
			 k->iface);
	else if (!strcmp(k->bench, "dma") && populate_find(k->populate) < 0)
		snprintf(why, whylen, "populate '%s' of a dma case is not write, read or none",
			 k->populate);
	else if (strcmp(k->bench, "dma") && *k->populate)
		snprintf(why, whylen, "populate '%s' of a %s case is not empty",
			 k->populate, k->bench);
	else if (!with_metric)
		return 0;
	else if (!(m = case_metric_find(k->metric)))
		snprintf(why, whylen, "metric '%s' is not in the schema (docs/results.md)",
			 k->metric);
	else if (strcmp(k->unit, m->unit))
		snprintf(why, whylen, "unit '%s' of metric %s is not its unit %s",
			 k->unit, k->metric, m->unit);
	else
		return 0;
	return -EINVAL;
}

const char *case_field_default(const struct case_key *k, enum case_field f)
{
	return f == CASE_POPULATE && !strcmp(k->bench, "dma") ?
	       populate_names[POPULATE_WRITE] : "";
}

/* The text of a string field of @k, or NULL for a size. */
static const char *case_str(const struct case_key *k, size_t f)
{
	switch (f) {
	case CASE_BENCH: return k->bench;
	case CASE_BACKING: return k->backing;
	case CASE_LEVEL: return k->level;
	case CASE_IFACE: return k->iface;
	case CASE_POPULATE: return k->populate;
	case CASE_METRIC: return k->metric;
	case CASE_UNIT: return k->unit;
	default: return NULL;
	}
}

/* A size field of @k. */
static uint64_t case_u64(const struct case_key *k, size_t f)
{
	return f == CASE_SIZE ? k->size : f == CASE_CHUNK ? k->chunk : k->unmap_chunk;
}

const char *case_field_text(const struct case_key *k, enum case_field f,
			    char *buf, size_t len)
{
	const char *s = case_str(k, f);

	if (s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%" PRIu64, case_u64(k, f));
	return buf;
}

int case_cmp(const struct case_key *a, const struct case_key *b,
	     size_t nfields)
{
	int c = 0;

	for (size_t f = 0; f < nfields && !c; f++) {
		if (f >= CASE_SIZE && f <= CASE_UNMAP_CHUNK) {
			uint64_t u = case_u64(a, f), v = case_u64(b, f);

			c = (u > v) - (u < v);
		} else {
			/* The fields themselves: a test case's name is long. */
			c = strcmp(case_str(a, f), case_str(b, f));
		}
	}
	return c;
}

const char *case_size_text(uint64_t v, uint64_t size, char *buf, size_t len)
{
	if (v == size) {
		buf[0] = '\0';
		return buf;
	}
	return size_format(v, buf, len);
}

const char *case_name(const struct case_key *k, char *buf, size_t len)
{
	char size[SIZE_FMT_LEN], chunk[SIZE_FMT_LEN], unmap[SIZE_FMT_LEN];
	/* "write" is left out: every name from before populate states stays. */
	const char *parts[] = {
		k->bench, k->backing, k->level, k->iface,
		k->size ? size_format(k->size, size, sizeof(size)) : "",
		case_size_text(k->chunk, k->size, chunk, sizeof(chunk)),
		case_size_text(k->unmap_chunk, k->size, unmap, sizeof(unmap)),
		strcmp(k->populate, populate_names[POPULATE_WRITE]) ? k->populate : "",
		k->metric,
	};
	static const char *const prefix[] = {
		[CASE_CHUNK] = "chunk-", [CASE_UNMAP_CHUNK] = "unmap-chunk-",
		[CASE_POPULATE] = "populate-",
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(parts) && off < len; i++) {
		if (!*parts[i])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s%s",
					off ? "/" : "",
					i < ARRAY_SIZE(prefix) && prefix[i] ? prefix[i] : "",
					parts[i]);
	}
	return buf;
}

const char *case_value_check(const char *unit, double v)
{
	if (!isfinite(v))
		return "is not a finite number";
	if (!strcmp(unit, "fraction"))
		return v >= 0 && v <= 1 ? NULL : "is not a fraction in [0, 1]";
	return v >= 0 ? NULL : "is below 0";
}
