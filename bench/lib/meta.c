// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "log.h"
#include "meta.h"
#include "sysfs.h"

void meta_set(struct meta *m, const char *key, const char *fmt, ...)
{
	struct meta_entry *e;
	char *value;
	va_list ap;
	int ret;
	size_t i;

	va_start(ap, fmt);
	ret = vasprintf(&value, fmt, ap);
	va_end(ap);
	/* Nothing useful can run once a few bytes cannot be had. */
	if (ret < 0)
		die_fail("out of memory");
	for (i = 0; i < m->n; i++) {
		if (!strcmp(m->entries[i].key, key)) {
			free(m->entries[i].value);
			m->entries[i].value = value;
			return;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 32;

		e = realloc(m->entries, cap * sizeof(*e));
		if (!e)
			die_fail("out of memory");
		m->entries = e;
		m->cap = cap;
	}
	e = &m->entries[m->n];
	e->key = strdup(key);
	if (!e->key)
		die_fail("out of memory");
	e->value = value;
	m->n++;
}

const char *meta_get(const struct meta *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->entries[i].key, key))
			return m->entries[i].value;
	return NULL;
}

void meta_free(struct meta *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->entries[i].key);
		free(m->entries[i].value);
	}
	free(m->entries);
	*m = (struct meta){ 0 };
}

/* How a source file turns into a value. */
enum meta_kind {
	META_LINE,		/* the first line */
	META_U64,		/* a number */
	META_FIELD,		/* the value of a "Name: value" line */
	META_FIELD_KB,		/* the same, "123 kB", recorded as 123 */
	META_BRACKETED,		/* the selected word of "a [b] c" */
	META_EXISTS,		/* "present" or "absent" */
	META_DIR,		/* sorted entry names, comma-separated */
};

#define META_THP "/sys/kernel/mm/transparent_hugepage/"
#define META_HUGE_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define META_HUGE_1G "/sys/kernel/mm/hugepages/hugepages-1048576kB/"
#define META_TYPE1 "/sys/module/vfio_iommu_type1/parameters/"

/* Each system fact is a row: adding one is adding a line here. */
static const struct meta_source {
	const char *key;
	enum meta_kind kind;
	const char *path;
	const char *field;	/* the Name of META_FIELD* lines */
} meta_sources[] = {
	{ "cmdline", META_LINE, "/proc/cmdline", NULL },
	{ "cpu_model", META_FIELD, "/proc/cpuinfo", "model name" },
	{ "cpus_online", META_LINE, "/sys/devices/system/cpu/online", NULL },
	{ "numa_nodes", META_LINE, "/sys/devices/system/node/online", NULL },
	{ "mem_total_kb", META_FIELD_KB, "/proc/meminfo", "MemTotal" },
	{ "thp_enabled", META_BRACKETED, META_THP "enabled", NULL },
	{ "thp_defrag", META_BRACKETED, META_THP "defrag", NULL },
	{ "thp_shmem_enabled", META_BRACKETED, META_THP "shmem_enabled", NULL },
	{ "hugepages_2M_total", META_U64, META_HUGE_2M "nr_hugepages", NULL },
	{ "hugepages_2M_free", META_U64, META_HUGE_2M "free_hugepages", NULL },
	{ "hugepages_1G_total", META_U64, META_HUGE_1G "nr_hugepages", NULL },
	{ "hugepages_1G_free", META_U64, META_HUGE_1G "free_hugepages", NULL },
	{ "iommu_class", META_DIR, "/sys/class/iommu", NULL },
	{ "vfio_dma_entry_limit", META_U64,
	  META_TYPE1 "dma_entry_limit", NULL },
	{ "iommufd", META_EXISTS, "/dev/iommu", NULL },
	{ "vfio_container", META_EXISTS, "/dev/vfio/vfio", NULL },
};

static int meta_not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int meta_read_dir(const char *path, char *buf, size_t len)
{
	struct dirent **names;
	size_t used = 0;
	int i, n, ret = 0;

	/* Sorted, so that the same system always gives the same string. */
	n = scandir(path, &names, meta_not_dot, alphasort);
	if (n < 0)
		return -errno;
	snprintf(buf, len, "%s", n ? "" : "none");
	for (i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 names[i]->d_name);

		if (!ret && (w < 0 || (size_t)w >= len - used))
			ret = -ERANGE;
		if (!ret)
			used += (size_t)w;
		free(names[i]);
	}
	free(names);
	return ret;
}

static int meta_read_source(const struct meta_source *src, const char *path,
			    char *buf, size_t len)
{
	char line[256];
	uint64_t v;
	int ret;

	switch (src->kind) {
	case META_LINE:
		return sysfs_read_str(path, buf, len);
	case META_U64:
		ret = sysfs_read_u64(path, &v);
		break;
	case META_FIELD:
		return sysfs_read_field(path, src->field, buf, len);
	case META_FIELD_KB:
		ret = sysfs_read_field(path, src->field, line, sizeof(line));
		if (!ret && strlen(line) > 3 &&
		    !strcmp(line + strlen(line) - 3, " kB"))
			line[strlen(line) - 3] = '\0';
		if (!ret)
			ret = sysfs_parse_u64(line, &v);
		break;
	case META_BRACKETED:
		ret = sysfs_read_str(path, line, sizeof(line));
		return ret ? ret : sysfs_bracketed(line, buf, len);
	case META_EXISTS:
		snprintf(buf, len, "%s", access(path, F_OK) ? "absent" :
			 "present");
		return 0;
	case META_DIR:
		return meta_read_dir(path, buf, len);
	default:
		return -EINVAL;
	}
	if (!ret)
		snprintf(buf, len, "%" PRIu64, v);
	return ret;
}

static void meta_collect_uname(struct meta *m)
{
	struct utsname u;

	if (uname(&u)) {
		meta_set(m, "kernel", META_UNAVAILABLE);
		meta_set(m, "kernel_version", META_UNAVAILABLE);
		meta_set(m, "machine", META_UNAVAILABLE);
		meta_set(m, "hostname", META_UNAVAILABLE);
		return;
	}
	meta_set(m, "kernel", "%s", u.release);
	meta_set(m, "kernel_version", "%s", u.version);
	meta_set(m, "machine", "%s", u.machine);
	meta_set(m, "hostname", "%s", u.nodename);
}

void meta_collect_system_at(struct meta *m, const char *root)
{
	char path[PATH_MAX], value[4096];
	char date[sizeof("1970-01-01T00:00:00Z")];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	meta_collect_uname(m);
	for (i = 0; i < sizeof(meta_sources) / sizeof(meta_sources[0]); i++) {
		const struct meta_source *src = &meta_sources[i];
		int n = snprintf(path, sizeof(path), "%s%s", root, src->path);

		if (n < 0 || (size_t)n >= sizeof(path) ||
		    meta_read_source(src, path, value, sizeof(value)))
			meta_set(m, src->key, META_UNAVAILABLE);
		else
			meta_set(m, src->key, "%s", value);
	}
	if (gmtime_r(&now, &tm) &&
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm))
		meta_set(m, "date_utc", "%s", date);
	else
		meta_set(m, "date_utc", META_UNAVAILABLE);
}

void meta_collect_system(struct meta *m)
{
	meta_collect_system_at(m, "");
}

int meta_write(const struct meta *m, const char *path)
{
	static const char *const cols[] = { "key", "value" };
	struct csv_writer w;
	size_t i;
	int ret;

	ret = csv_open(&w, path, cols, 2);
	for (i = 0; !ret && i < m->n; i++) {
		csv_put_str(&w, m->entries[i].key);
		csv_put_str(&w, m->entries[i].value);
		ret = csv_end_row(&w);
	}
	if (ret) {
		csv_abort(&w);
		return ret;
	}
	return csv_commit(&w);
}
