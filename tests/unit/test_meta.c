// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "check.h"
#include "csv.h"
#include "meta.h"

/* Keys meta_collect_system() fills from files. */
static const char *const meta_file_keys[] = {
	"cmdline", "cpu_model", "cpus_online", "numa_nodes", "mem_total_kb",
	"thp_enabled", "thp_defrag", "thp_shmem_enabled",
	"hugepages_2M_total", "hugepages_2M_free", "hugepages_1G_total",
	"hugepages_1G_free", "iommu_class", "vfio_dma_entry_limit",
};

TEST(meta_set_replaces_and_keeps_order)
{
	struct meta m = { 0 };

	CHECK(!meta_get(&m, "a"));
	meta_set(&m, "a", "%d", 1);
	meta_set(&m, "b", "%s-%s", "x", "y");
	meta_set(&m, "a", "%d", 2);
	CHECK_EQ_U64(m.n, 2);
	CHECK_STR(meta_get(&m, "a"), "2");
	CHECK_STR(meta_get(&m, "b"), "x-y");
	CHECK_STR(m.entries[0].key, "a");
	CHECK(!meta_get(&m, "c"));
	meta_free(&m);
	CHECK_EQ_U64(m.n, 0);
}

TEST(meta_collect_fake_tree)
{
	char root[PATH_MAX];
	struct meta m = { 0 };
	struct utsname u;
	const char *date;

	check_fixture(root, "sysroot");
	meta_collect_system_at(&m, root);
	CHECK_STR(meta_get(&m, "cmdline"),
		  "BOOT_IMAGE=/vmlinuz-6.12.0-vfio-perf console=ttyS0 "
		  "intel_iommu=on hugepagesz=1G hugepages=2 hugepagesz=2M "
		  "hugepages=512 panic=-1");
	CHECK_STR(meta_get(&m, "cpu_model"), "QEMU TCG CPU version 2.5+");
	CHECK_STR(meta_get(&m, "cpus_online"), "0-1");
	CHECK_STR(meta_get(&m, "numa_nodes"), "0");
	CHECK_STR(meta_get(&m, "mem_total_kb"), "6091520");
	CHECK_STR(meta_get(&m, "thp_enabled"), "madvise");
	CHECK_STR(meta_get(&m, "thp_defrag"), "madvise");
	CHECK_STR(meta_get(&m, "thp_shmem_enabled"), "never");
	CHECK_STR(meta_get(&m, "hugepages_2M_total"), "512");
	CHECK_STR(meta_get(&m, "hugepages_2M_free"), "500");
	/* The fixture has no 1 GiB pool: unavailable, not 0. */
	CHECK_STR(meta_get(&m, "hugepages_1G_total"), META_UNAVAILABLE);
	CHECK_STR(meta_get(&m, "hugepages_1G_free"), META_UNAVAILABLE);
	CHECK_STR(meta_get(&m, "iommu_class"), "dmar0,dmar1");
	CHECK_STR(meta_get(&m, "vfio_dma_entry_limit"), "65535");
	CHECK_STR(meta_get(&m, "iommufd"), "absent");
	CHECK_STR(meta_get(&m, "vfio_container"), "present");
	CHECK(uname(&u) == 0);
	CHECK_STR(meta_get(&m, "kernel"), u.release);
	CHECK_STR(meta_get(&m, "machine"), u.machine);
	date = meta_get(&m, "date_utc");
	CHECK(date && strlen(date) == 20 && date[10] == 'T' &&
	      date[19] == 'Z');
	meta_free(&m);
}

TEST(meta_collect_missing_tree_is_unavailable)
{
	char dir[PATH_MAX];
	struct meta m = { 0 };
	size_t i;

	check_tmpdir(dir, sizeof(dir));
	meta_collect_system_at(&m, dir);
	for (i = 0; i < sizeof(meta_file_keys) / sizeof(meta_file_keys[0]);
	     i++)
		CHECK_STR(meta_get(&m, meta_file_keys[i]), META_UNAVAILABLE);
	CHECK_STR(meta_get(&m, "iommufd"), "absent");
	CHECK_STR(meta_get(&m, "vfio_container"), "absent");
	meta_free(&m);
	check_tmpdir_remove(dir);
}

TEST(meta_collect_live_system_sets_every_key)
{
	struct meta m = { 0 };
	size_t i;

	meta_collect_system(&m);
	for (i = 0; i < sizeof(meta_file_keys) / sizeof(meta_file_keys[0]);
	     i++) {
		const char *v = meta_get(&m, meta_file_keys[i]);

		CHECK(v && *v);
	}
	CHECK(meta_get(&m, "kernel_version") && meta_get(&m, "hostname"));
	CHECK(meta_get(&m, "date_utc"));
	meta_free(&m);
}

TEST(meta_write_key_value_csv)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct meta m = { 0 };
	struct csv_reader r;
	char **f;
	size_t n;
	FILE *fp;

	check_tmpdir(dir, sizeof(dir));
	check_path(path, dir, "meta.csv");
	meta_set(&m, "cmdline", "console=ttyS0 a=\"b,c\"");
	meta_set(&m, "hugepages_1G_total", "%d", 2);
	CHECK(meta_write(&m, path) == 0);
	/* Never over an existing run's metadata. */
	CHECK(meta_write(&m, path) == -EEXIST);
	meta_free(&m);

	fp = fopen(path, "r");
	CHECK(fp);
	csv_reader_init(&r, fp);
	CHECK(csv_read_row(&r, &f, &n) == 1);
	CHECK(n == 2 && !strcmp(f[0], "key") && !strcmp(f[1], "value"));
	CHECK(csv_read_row(&r, &f, &n) == 1);
	CHECK_STR(f[0], "cmdline");
	CHECK_STR(f[1], "console=ttyS0 a=\"b,c\"");
	CHECK(csv_read_row(&r, &f, &n) == 1);
	CHECK_STR(f[0], "hugepages_1G_total");
	CHECK_STR(f[1], "2");
	CHECK(csv_read_row(&r, &f, &n) == 0);
	csv_reader_free(&r);
	fclose(fp);
	check_tmpdir_remove(dir);
}
