// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "size.h"

static uint64_t parsed(const char *s)
{
	uint64_t v = 0;

	return size_parse(s, &v) ? 0 : v;
}

TEST(size_parse_accepts_bytes_and_binary_suffixes)
{
	CHECK_EQ_U64(parsed("4096"), 4096);
	CHECK_EQ_U64(parsed("4096B"), 4096);
	CHECK_EQ_U64(parsed("3k"), 3072);
	CHECK_EQ_U64(parsed("2M"), 2 << 20);
	CHECK_EQ_U64(parsed("2MiB"), 2 << 20);
	CHECK_EQ_U64(parsed("2mib"), 2 << 20);
	CHECK_EQ_U64(parsed("2MB"), 2 << 20);
	CHECK_EQ_U64(parsed("1g"), UINT64_C(1) << 30);
	CHECK_EQ_U64(parsed("1536M"), UINT64_C(1536) << 20);
	CHECK_EQ_U64(parsed("1T"), UINT64_C(1) << 40);
	CHECK_EQ_U64(parsed("18446744073709551615"), UINT64_MAX);
	CHECK_EQ_U64(parsed("16777215T"), UINT64_C(16777215) << 40);
}

TEST(size_parse_rejects_garbage)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1.5M", "abc", "1X", "1Mi",
		"1MiBx", "2iB", "1KK", "0", "0K", "M", "0x10",
	};
	uint64_t v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(size_parse(bad[i], &v) == -EINVAL);
	/* Failures leave the output alone. */
	CHECK_EQ_U64(v, 42);
}

TEST(size_parse_rejects_overflow)
{
	uint64_t v;

	CHECK(size_parse("18446744073709551616", &v) == -ERANGE);
	CHECK(size_parse("99999999999999999999999", &v) == -ERANGE);
	CHECK(size_parse("16777216T", &v) == -ERANGE);
	CHECK(size_parse("17179869184G", &v) == -ERANGE);
}

TEST(size_format_is_exact_and_shortest)
{
	char buf[SIZE_FMT_LEN];

	CHECK_STR(size_format(4096, buf, sizeof(buf)), "4K");
	CHECK_STR(size_format(2 << 20, buf, sizeof(buf)), "2M");
	CHECK_STR(size_format(UINT64_C(1) << 30, buf, sizeof(buf)), "1G");
	CHECK_STR(size_format(UINT64_C(1536) << 20, buf, sizeof(buf)),
		  "1536M");
	CHECK_STR(size_format(UINT64_C(2048) << 40, buf, sizeof(buf)),
		  "2048T");
	CHECK_STR(size_format(4097, buf, sizeof(buf)), "4097");
	CHECK_STR(size_format(1, buf, sizeof(buf)), "1");
	CHECK_STR(size_format(0, buf, sizeof(buf)), "0");
	CHECK_STR(size_format(UINT64_MAX, buf, sizeof(buf)),
		  "18446744073709551615");
}

TEST(size_format_round_trips_through_parse)
{
	static const uint64_t v[] = {
		1, 4095, 4096, 12288, 2 << 20, UINT64_C(3) << 30,
		UINT64_C(1) << 40, (UINT64_C(1) << 30) + 4096, UINT64_MAX,
	};
	char buf[SIZE_FMT_LEN];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_EQ_U64(parsed(size_format(v[i], buf, sizeof(buf))), v[i]);
}

TEST(size_is_pow2_only_powers)
{
	CHECK(!size_is_pow2(0));
	CHECK(size_is_pow2(1));
	CHECK(size_is_pow2(4096));
	CHECK(size_is_pow2(UINT64_C(1) << 63));
	CHECK(!size_is_pow2(3));
	CHECK(!size_is_pow2(4097));
	CHECK(!size_is_pow2(UINT64_MAX));
}

TEST(size_list_parse_commas)
{
	uint64_t *v;
	size_t n;

	CHECK(size_list_parse("512M,1G,2G", &v, &n) == 0);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(v[0], UINT64_C(512) << 20);
	CHECK_EQ_U64(v[1], UINT64_C(1) << 30);
	CHECK_EQ_U64(v[2], UINT64_C(2) << 30);
	free(v);
	CHECK(size_list_parse("4096", &v, &n) == 0);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(v[0], 4096);
	free(v);
}

TEST(size_list_parse_doubling_sweep)
{
	uint64_t *v;
	size_t n, i;

	CHECK(size_list_parse("4K..1G", &v, &n) == 0);
	/* 2^12 .. 2^30, both ends included. */
	CHECK_EQ_U64(n, 19);
	for (i = 0; i < n; i++)
		CHECK_EQ_U64(v[i], UINT64_C(4096) << i);
	free(v);
	CHECK(size_list_parse("2M..2M", &v, &n) == 0);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(v[0], 2 << 20);
	free(v);
	CHECK(size_list_parse("3K..12K", &v, &n) == 0);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(v[2], 12288);
	free(v);
}

TEST(size_list_parse_rejects_bad_lists)
{
	static const char *const bad[] = {
		"", ",", "1G,", ",1G", "1G,,2G", "1G;2G", "1G..4K", "..1G",
		"4K..", "..", "3K..1G", "4K..1G..2G", "4K...1G", "0..4K",
		"1G,2X", "1G,99999999999999999999",
	};
	static uint64_t sentinel;
	uint64_t *v = &sentinel;
	size_t i, n = 7;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(size_list_parse(bad[i], &v, &n) == -EINVAL);
		CHECK(v == NULL);
		CHECK_EQ_U64(n, 0);
	}
}
