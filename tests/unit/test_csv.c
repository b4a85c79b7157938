// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "csv.h"

static const char *const csv_cols[] = { "name", "value", "note" };

/* Entries of @dir other than "." and "..". */
static size_t csv_dir_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *d;
	size_t n = 0;

	while (dp && (d = readdir(dp)))
		n += strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
	if (dp)
		closedir(dp);
	return n;
}

/* @path holds exactly @text and is the only entry of @dir. */
static bool csv_only_file_is(const char *dir, const char *path,
			     const char *text)
{
	char *got = check_read_file(path);
	bool same = got && !strcmp(got, text);

	free(got);
	return same && csv_dir_entries(dir) == 1;
}

/* A fresh directory @dir and a writer for @name in it. */
static bool csv_start(char *dir, char *path, const char *name,
		      struct csv_writer *w)
{
	check_tmpdir(dir, PATH_MAX);
	return csv_open(w, check_path(path, dir, name), csv_cols, 3) == 0;
}

/* Writer output for the nasty rows below, byte for byte. */
static const char csv_expected[] =
	"name,value,note\n"
	"plain,42,\n"
	"\"a,b\",-7,\"say \"\"hi\"\"\"\n"
	"\"line1\nline2\",1.5,\n"
	"\" padded \",,\"cr\r\nlf\"\n"
	",0.10000000000000001,\"\"\"\"\n"
	"\"big \",1.0000000000000001e+300,-3\n"
	"exact,9007199254740991,9007199254740992\n";

static int csv_write_nasty(struct csv_writer *w)
{
	csv_put_str(w, "plain");
	csv_put_u64(w, 42);
	csv_put_str(w, NULL);
	csv_end_row(w);
	csv_put_str(w, "a,b");
	csv_put_i64(w, -7);
	csv_put_str(w, "say \"hi\"");
	csv_end_row(w);
	csv_put_str(w, "line1\nline2");
	csv_put_double(w, 1.5);
	csv_put_str(w, "");
	csv_end_row(w);
	csv_put_str(w, " padded ");
	csv_put_double(w, NAN);
	csv_put_str(w, "cr\r\nlf");
	csv_end_row(w);
	csv_put_str(w, "");
	csv_put_double(w, 0.1);
	csv_put_str(w, "\"");
	csv_end_row(w);
	csv_put_str(w, "big ");
	csv_put_double(w, 1e300);
	csv_put_double(w, -3.0);
	csv_end_row(w);
	csv_put_str(w, "exact");
	csv_put_double(w, 9007199254740991.0);
	csv_put_double(w, 9007199254740992.0);
	return csv_end_row(w);
}

TEST(csv_writer_output_and_round_trip)
{
	static const char *const want[][3] = {
		{ "name", "value", "note" },
		{ "plain", "42", "" },
		{ "a,b", "-7", "say \"hi\"" },
		{ "line1\nline2", "1.5", "" },
		{ " padded ", "", "cr\r\nlf" },
		{ "", "0.10000000000000001", "\"" },
		{ "big ", "1.0000000000000001e+300", "-3" },
		{ "exact", "9007199254740991", "9007199254740992" },
	};
	char dir[PATH_MAX], path[PATH_MAX];
	struct csv_writer w;
	struct csv_reader r;
	char **f, *text;
	size_t n, row;
	FILE *fp;

	CHECK(csv_start(dir, path, "r.csv", &w));
	/* Nothing under the final name until the commit. */
	CHECK(access(path, F_OK) != 0);
	CHECK(csv_write_nasty(&w) == 0);
	CHECK(csv_commit(&w) == 0);
	CHECK_EQ_U64(csv_dir_entries(dir), 1);
	text = check_read_file(path);
	CHECK_STR(text, csv_expected);
	free(text);

	fp = fopen(path, "r");
	CHECK(fp);
	csv_reader_init(&r, fp);
	for (row = 0; row < sizeof(want) / sizeof(want[0]); row++) {
		CHECK(csv_read_row(&r, &f, &n) == 1);
		CHECK_EQ_U64(n, 3);
		CHECK_STR(f[0], want[row][0]);
		CHECK_STR(f[1], want[row][1]);
		CHECK_STR(f[2], want[row][2]);
	}
	CHECK(csv_read_row(&r, &f, &n) == 0);
	csv_reader_free(&r);
	fclose(fp);
	check_tmpdir_remove(dir);
}

TEST(csv_never_overwrites)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct csv_writer w;

	check_tmpdir(dir, sizeof(dir));
	check_path(path, dir, "exists.csv");
	CHECK(check_write_file(path, "keep\n"));
	CHECK(csv_open(&w, path, csv_cols, 3) == -EEXIST);
	csv_abort(&w);
	CHECK(csv_only_file_is(dir, path, "keep\n"));
	unlink(path);

	/* Another run took the name between open and commit. */
	CHECK(csv_open(&w, path, csv_cols, 3) == 0);
	CHECK(check_write_file(path, "other run\n"));
	CHECK(csv_commit(&w) == -EEXIST);
	/* The temporary is gone; only the other run's file is left. */
	CHECK(csv_only_file_is(dir, path, "other run\n"));
	check_tmpdir_remove(dir);
}

TEST(csv_abort_leaves_nothing)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct csv_writer w;

	CHECK(csv_start(dir, path, "aborted.csv", &w));
	CHECK_EQ_U64(csv_dir_entries(dir), 1);
	CHECK(csv_write_nasty(&w) == 0);
	csv_abort(&w);
	CHECK_EQ_U64(csv_dir_entries(dir), 0);
	/* A released writer stays released. */
	csv_abort(&w);
	CHECK(csv_commit(&w) == -EINVAL);
	check_tmpdir_remove(dir);
}

TEST(csv_field_count_mismatch_poisons_the_file)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct csv_writer w;

	CHECK(csv_start(dir, path, "short.csv", &w));
	CHECK(csv_put_str(&w, "only") == 0);
	CHECK(csv_put_u64(&w, 1) == 0);
	CHECK(csv_end_row(&w) == -EINVAL);
	/* Later rows cannot repair it, and it is never committed. */
	CHECK(csv_put_str(&w, "x") == -EINVAL);
	CHECK(csv_commit(&w) == -EINVAL);
	CHECK_EQ_U64(csv_dir_entries(dir), 0);

	check_path(path, dir, "long.csv");
	CHECK(csv_open(&w, path, csv_cols, 3) == 0);
	CHECK(csv_write_nasty(&w) == 0);
	csv_put_str(&w, "a");
	csv_put_str(&w, "b");
	csv_put_str(&w, "c");
	csv_put_str(&w, "d");
	CHECK(csv_end_row(&w) == -EINVAL);
	CHECK(csv_commit(&w) == -EINVAL);
	CHECK_EQ_U64(csv_dir_entries(dir), 0);

	/* A row left open at commit would be a truncated record. */
	check_path(path, dir, "open.csv");
	CHECK(csv_open(&w, path, csv_cols, 3) == 0);
	csv_put_str(&w, "a");
	CHECK(csv_commit(&w) == -EINVAL);
	CHECK_EQ_U64(csv_dir_entries(dir), 0);
	CHECK(csv_open(&w, path, csv_cols, 0) == -EINVAL);
	check_tmpdir_remove(dir);
}

/* Read every row of @text; return the last csv_read_row() result. */
static int csv_read_all(const char *text, size_t *rows, char *last,
			size_t len)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct csv_reader r;
	char **f;
	size_t n;
	int ret;

	*rows = 0;
	csv_reader_init(&r, fp);
	while ((ret = csv_read_row(&r, &f, &n)) == 1) {
		(*rows)++;
		snprintf(last, len, "%zu:%s|%s", n, f[0], n > 1 ? f[1] : "");
	}
	csv_reader_free(&r);
	fclose(fp);
	return ret;
}

TEST(csv_reader_crlf_and_quoting)
{
	char last[64];
	size_t rows;

	CHECK(csv_read_all("a,b\r\n\"x\"\"y\",\"1\r\n2\"\r\n,\r\n", &rows,
			   last, sizeof(last)) == 0);
	CHECK_EQ_U64(rows, 3);
	CHECK_STR(last, "2:|");
	CHECK(csv_read_all("a,b\n\"x\"\"y\",\"1,2\"", &rows, last,
			   sizeof(last)) == 0);
	CHECK_EQ_U64(rows, 2);
	CHECK_STR(last, "2:x\"y|1,2");
	/* A lone CR ends a record too, without eating the next one. */
	CHECK(csv_read_all("a,b\rc,d\r", &rows, last, sizeof(last)) == 0);
	CHECK_EQ_U64(rows, 2);
	CHECK_STR(last, "2:c|d");
	CHECK(csv_read_all("", &rows, last, sizeof(last)) == 0);
	CHECK_EQ_U64(rows, 0);
	CHECK(csv_read_all("\n", &rows, last, sizeof(last)) == 0);
	CHECK_EQ_U64(rows, 1);
	CHECK_STR(last, "1:|");
}

TEST(csv_reader_rejects_malformed)
{
	char last[64];
	size_t rows;

	CHECK(csv_read_all("a,b\n\"unterminated,x\n", &rows, last,
			   sizeof(last)) == -EINVAL);
	CHECK_EQ_U64(rows, 1);
	CHECK(csv_read_all("\"ab\"c,d\n", &rows, last, sizeof(last)) ==
	      -EINVAL);
	CHECK(csv_read_all("ab\"c,d\n", &rows, last, sizeof(last)) ==
	      -EINVAL);
}

TEST(csv_column_index_finds_names)
{
	char a[] = "run_id", b[] = "metric", c[] = "value";
	char *hdr[] = { a, b, c };

	CHECK(csv_column_index(hdr, 3, "run_id") == 0);
	CHECK(csv_column_index(hdr, 3, "value") == 2);
	CHECK(csv_column_index(hdr, 3, "unit") == -ENOENT);
	CHECK(csv_column_index(hdr, 2, "value") == -ENOENT);
}
