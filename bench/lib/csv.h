/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 4180 CSV, written atomically and never over an existing file.
 *
 * A result that exists under its final name is complete: rows go to
 * "<path>.tmp.<pid>" and only csv_commit() gives them the final name, with
 * a rename that refuses to replace anything.  An interrupted run leaves at
 * most a .tmp file, never a truncated CSV that looks whole.
 */
#ifndef VFIO_PERF_CSV_H
#define VFIO_PERF_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct csv_writer {
	FILE *fp;
	char *tmp_path;
	char *path;
	size_t ncols;
	size_t nfields;	/* fields so far in the current row */
	int err;	/* first error; sticky, so csv_commit() refuses */
};

/*
 * Start @path with header row @cols.  Returns 0, -EEXIST when @path
 * already exists, -EINVAL when @ncols is 0, or another -errno.  On failure
 * nothing is left behind and csv_abort() is a no-op.
 */
int csv_open(struct csv_writer *w, const char *path, const char *const *cols,
	     size_t ncols);

/*
 * Append one field to the current row.  Strings are quoted only when they
 * must be (comma, quote, CR, LF, or leading/trailing blank); NULL is an
 * empty field.  Doubles print exactly: integral values below 2^53 as
 * integers, others with 17 significant digits; NaN is an empty field.
 * Each returns 0 or the writer's sticky error.
 */
int csv_put_str(struct csv_writer *w, const char *s);
int csv_put_u64(struct csv_writer *w, uint64_t v);
int csv_put_i64(struct csv_writer *w, int64_t v);
int csv_put_double(struct csv_writer *w, double v);

/*
 * End the row.  -EINVAL when it does not have exactly ncols fields; the
 * file is then poisoned and csv_commit() will refuse it.
 */
int csv_end_row(struct csv_writer *w);

/*
 * Flush, fsync and close, then give the file its final name.  Returns 0,
 * -EEXIST when the name was taken meanwhile, or the first error of the
 * writer.  On any failure the temporary file is removed.  Either way the
 * writer is released.
 */
int csv_commit(struct csv_writer *w);

/* Drop the temporary file and release the writer. */
void csv_abort(struct csv_writer *w);

struct csv_reader {
	FILE *fp;
	char *buf;		/* the current row's fields, NUL-separated */
	size_t buf_len, buf_cap;
	size_t *starts;		/* offset of each field in buf */
	size_t starts_cap;
	char **fields;		/* from starts, once buf stops moving */
	size_t fields_cap;
	size_t nfields;
};

void csv_reader_init(struct csv_reader *r, FILE *fp);

/*
 * Read the next record: quoted fields may hold commas, doubled quotes and
 * line breaks; records end in LF, CRLF or a lone CR.  Returns 1 with
 * *fields / *n set (valid until the next call), 0 at end of file, -EINVAL
 * on malformed input (unterminated quote, text after a closing quote, a
 * quote inside an unquoted field), -EIO or -ENOMEM.
 */
int csv_read_row(struct csv_reader *r, char ***fields, size_t *n);

/* Free the reader's buffers; the FILE stays open. */
void csv_reader_free(struct csv_reader *r);

/* Index of column @name in header @hdr, or -ENOENT. */
int csv_column_index(char **hdr, size_t n, const char *name);

#endif
