// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "check.h"
#include "sysfs.h"

TEST(sysfs_bracketed_picks_selected_word)
{
	char out[16];

	CHECK(sysfs_bracketed("always [madvise] never", out, sizeof(out)) ==
	      0);
	CHECK_STR(out, "madvise");
	CHECK(sysfs_bracketed("[always] madvise never\n", out,
			      sizeof(out)) == 0);
	CHECK_STR(out, "always");
	CHECK(sysfs_bracketed("always within_size advise [never] deny force",
			      out, sizeof(out)) == 0);
	CHECK_STR(out, "never");
	CHECK(sysfs_bracketed("always madvise never", out, sizeof(out)) ==
	      -EINVAL);
	CHECK(sysfs_bracketed("always [] never", out, sizeof(out)) ==
	      -EINVAL);
	CHECK(sysfs_bracketed("always [madvise", out, sizeof(out)) ==
	      -EINVAL);
	CHECK(sysfs_bracketed("", out, sizeof(out)) == -EINVAL);
	CHECK(sysfs_bracketed("a [madvise] b", out, 7) == -ERANGE);
	CHECK(sysfs_bracketed("a [madvise] b", out, 8) == 0);
}

TEST(sysfs_field_value_matches_whole_names)
{
	CHECK_STR(sysfs_field_value("model name\t: QEMU TCG\n", "model name"),
		  "QEMU TCG\n");
	CHECK_STR(sysfs_field_value("model\t\t: 6\n", "model"), "6\n");
	/* "model" must not match the "model name" line, nor vice versa. */
	CHECK(!sysfs_field_value("model name\t: QEMU TCG", "model"));
	CHECK(!sysfs_field_value("model\t\t: 6", "model name"));
	CHECK_STR(sysfs_field_value("MemTotal:        6091520 kB",
				    "MemTotal"), "6091520 kB");
	CHECK(!sysfs_field_value("MemFree:  1 kB", "MemTotal"));
}

TEST(sysfs_parse_u64_strict)
{
	uint64_t v = 0;

	CHECK(sysfs_parse_u64("42\n", &v) == 0);
	CHECK_EQ_U64(v, 42);
	CHECK(sysfs_parse_u64(" 7 ", &v) == 0);
	CHECK_EQ_U64(v, 7);
	CHECK(sysfs_parse_u64("18446744073709551615", &v) == 0);
	CHECK_EQ_U64(v, UINT64_MAX);
	CHECK(sysfs_parse_u64("0", &v) == 0);
	CHECK_EQ_U64(v, 0);
	CHECK(sysfs_parse_u64("-1", &v) == -EINVAL);
	CHECK(sysfs_parse_u64("", &v) == -EINVAL);
	CHECK(sysfs_parse_u64("12x", &v) == -EINVAL);
	CHECK(sysfs_parse_u64("1 2", &v) == -EINVAL);
	CHECK(sysfs_parse_u64("18446744073709551616", &v) == -ERANGE);
	CHECK_EQ_U64(v, 0);
}

TEST(sysfs_read_files)
{
	char path[PATH_MAX], buf[128];
	uint64_t v;

	CHECK(sysfs_read_str(check_fixture(path,
		"sysroot/sys/kernel/mm/transparent_hugepage/enabled"),
		buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "always [madvise] never");
	CHECK(sysfs_read_str(path, buf, 22) == -ERANGE);
	CHECK(sysfs_read_str(path, buf, 23) == 0);
	CHECK(sysfs_read_u64(check_fixture(path, "sysroot/sys/kernel/mm/"
		"hugepages/hugepages-2048kB/nr_hugepages"), &v) == 0);
	CHECK_EQ_U64(v, 512);
	/* A CPU list is not a number. */
	CHECK(sysfs_read_u64(check_fixture(path,
		"sysroot/sys/devices/system/cpu/online"), &v) == -EINVAL);
	/* Nor does a line too long for a number pass as one. */
	CHECK(sysfs_read_u64(check_fixture(path, "sysroot/proc/cmdline"),
			     &v) == -ERANGE);
	CHECK(sysfs_read_field(check_fixture(path, "sysroot/proc/cpuinfo"),
			       "model name", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "QEMU TCG CPU version 2.5+");
	CHECK(sysfs_read_field(path, "no such field", buf, sizeof(buf)) ==
	      -ENOENT);
	CHECK(sysfs_read_str(check_fixture(path, "sysroot/no-such-file"),
			     buf, sizeof(buf)) == -ENOENT);
}

TEST(sysfs_write_then_read)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[32];

	check_tmpdir(dir, sizeof(dir));
	check_path(path, dir, "attr");
	/* Like a sysfs attribute, the file must exist already. */
	CHECK(sysfs_write_str(path, "1\n") == -ENOENT);
	CHECK(check_write_file(path, "a much longer previous value\n"));
	CHECK(sysfs_write_str(path, "65536\n") == 0);
	CHECK(sysfs_read_str(path, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "65536");
	CHECK(sysfs_write_str(path, "") == 0);
	CHECK(sysfs_read_str(path, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "");
	check_tmpdir_remove(dir);
}
