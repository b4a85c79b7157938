/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a case is: the fields that identify one measured series across
 * runs and kernels, its name ("dma/hugetlb-2m/type1v2/1G/map"), and the
 * vocabularies its fields are drawn from (docs/results.md, "Cases").
 *
 * A case is what ran (bench, backing, level, iface, size, chunk, unmap
 * chunk, populate state: one row of cases.csv) plus what was measured of
 * it (metric and unit: the rows of samples.csv).  Everything that matches, names or
 * groups cases goes through here; nothing else spells the key out.
 */
#ifndef VFIO_PERF_CASE_H
#define VFIO_PERF_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum case_field {
	CASE_BENCH, CASE_BACKING, CASE_LEVEL, CASE_IFACE, CASE_SIZE,
	CASE_CHUNK, CASE_UNMAP_CHUNK, CASE_POPULATE, CASE_METRIC, CASE_UNIT,
	CASE_NFIELDS,
};

/* cases.csv has the fields before CASE_METRIC: what ran. */
#define CASE_NRUN_FIELDS CASE_METRIC

/* The CSV column of each field ("bench", ..., "size_bytes", ..., "unit"). */
extern const char *const case_columns[CASE_NFIELDS];

struct case_key {
	char bench[16];
	char backing[64];	/* for checks: the program */
	char level[128];	/* for checks: the test case or exec step */
	char iface[32];
	uint64_t size;		/* bytes, > 0 */
	uint64_t chunk;		/* bytes; == size for whole-range calls */
	uint64_t unmap_chunk;	/* bytes; == size for whole-range calls */
	/*
	 * What touched a dma buffer before its map: "write", "read" or
	 * "none" (populate.h); "" for every other bench.
	 */
	char populate[8];
	char metric[64];	/* "" in a cases.csv row */
	char unit[16];		/* "" in a cases.csv row */
};

/*
 * Checks beside the measurements (docs/results.md, "Checks"): bench
 * "selftest" (a kernel selftest's test case: backing = the program,
 * level = the case, or empty for the program as a whole) and "exec" (a
 * user's program run by an exec step: backing = the program, level = the
 * step).  They have no size (0), no iface and no samples.
 */
bool case_is_check(const struct case_key *k);

/*
 * The backing of a BAR window from @offset: "bar" from the start,
 * "bar@512M" (size_format()) from further in.  Returns @buf.
 */
const char *case_bar_backing(uint64_t offset, char *buf, size_t len);

/* Whether @backing names a BAR window: "bar" or "bar@OFFSET", OFFSET > 0. */
bool case_is_bar(const char *backing);

/*
 * The backing of a buffer bound to NUMA node @node: "hugetlb-2m@node1";
 * @name itself for @node < 0.  Returns @buf.
 */
const char *case_node_backing(const char *name, int node, char *buf, size_t len);

/*
 * Whether @backing is a vfio-dma-bench backing bound to a node,
 * "NAME@nodeN" with N in decimal without leading zeros.
 */
bool case_is_node_backing(const char *backing);

/* How a metric's samples come and what they mean (case_metric_find()). */
enum {
	CASE_M_ONCE = 1 << 0,	/* one sample per case and boot, rep 0 */
	CASE_M_SPARSE = 1 << 1,	/* a rep whose value was unavailable has no row */
	CASE_M_INFO = 1 << 2,	/* a verification figure: reported, never judged */
};

struct case_metric {
	const char *name;
	const char *unit;
	unsigned int flags;
};

/* The metric named @name, or NULL when the schema has none of that name. */
const struct case_metric *case_metric_find(const char *name);

/* The schema's metrics, 0 to case_metric_count() - 1. */
size_t case_metric_count(void);
const struct case_metric *case_metric_at(size_t i);

/*
 * Fill the field @f of @k from its CSV text @s.  Sizes are plain
 * decimal bytes; a chunk of 0 (runs before chunks were recorded) means
 * whole-range calls and becomes the size, so call this for CASE_SIZE
 * first.  Returns 0, or -EINVAL with @why saying what is wrong.
 */
int case_set_field(struct case_key *k, enum case_field f, const char *s,
		   char *why, size_t whylen);

/*
 * Check the fields of @k against the vocabularies: bench, backing,
 * level, iface and, when @with_metric, metric and its unit.  Returns 0
 * or -EINVAL with @why.
 */
int case_check(const struct case_key *k, bool with_metric, char *why,
	       size_t whylen);

/*
 * The value of field @f in a run written before the field existed
 * (its column absent): "write" for the populate state of a dma case,
 * since every buffer was written before populate states were cases;
 * "" otherwise.  Call it once the bench is set.
 */
const char *case_field_default(const struct case_key *k, enum case_field f);

/* The text of field @f of @k (sizes in decimal bytes), in @buf. */
const char *case_field_text(const struct case_key *k, enum case_field f,
			    char *buf, size_t len);

/* 0 when @a and @b are the same case; the first @nfields fields count. */
int case_cmp(const struct case_key *a, const struct case_key *b,
	     size_t nfields);

/* Long enough for any case name or size. */
#define CASE_NAME_LEN 256

/*
 * "dma/hugetlb-2m/type1v2/1G/map": the fields that are set, sizes in
 * size_format()'s binary units, the chunks ("chunk-2M",
 * "unmap-chunk-64M") only when a range is not mapped whole, the
 * populate state only when it is not "write" ("populate-none"), then the
 * metric (left out of a cases.csv row's name).  Returns @buf.
 */
const char *case_name(const struct case_key *k, char *buf, size_t len);

/*
 * A size as case names write it ("1G", "1536M", "4097"), or "" for a
 * chunk of whole-range calls (@v == @size).  Returns @buf.
 */
const char *case_size_text(uint64_t v, uint64_t size, char *buf, size_t len);

/*
 * Whether @v is a value of @unit: finite, and for ns, count, bytes and
 * B/s not below 0, for fraction within [0, 1].  NULL when it is, else
 * what is wrong with it.
 */
const char *case_value_check(const char *unit, double v);

#endif
