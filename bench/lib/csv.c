// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "csv.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

/* Free everything; unlink the temporary file if we still own one. */
static void csv_writer_release(struct csv_writer *w, bool unlink_tmp)
{
	if (w->fp)
		fclose(w->fp);
	if (unlink_tmp && w->tmp_path)
		unlink(w->tmp_path);
	free(w->tmp_path);
	free(w->path);
	*w = (struct csv_writer){ 0 };
}

static int csv_fail(struct csv_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

int csv_open(struct csv_writer *w, const char *path, const char *const *cols,
	     size_t ncols)
{
	struct stat st;
	size_t i;
	int fd;

	*w = (struct csv_writer){ .ncols = ncols };
	if (!ncols)
		return -EINVAL;
	/* Cheap early refusal; csv_commit() enforces it without a race. */
	if (lstat(path, &st) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	w->path = strdup(path);
	if (!w->path || asprintf(&w->tmp_path, "%s.tmp.%d", path,
				 (int)getpid()) < 0) {
		w->tmp_path = NULL;
		csv_writer_release(w, false);
		return -ENOMEM;
	}
	/* O_EXCL: never write into a file someone else is writing. */
	fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = -errno;

		csv_writer_release(w, false);
		return err;
	}
	w->fp = fdopen(fd, "w");
	if (!w->fp) {
		close(fd);
		csv_writer_release(w, true);
		return -ENOMEM;
	}
	for (i = 0; i < ncols; i++)
		csv_put_str(w, cols[i]);
	if (csv_end_row(w)) {
		int err = w->err;

		csv_writer_release(w, true);
		return err;
	}
	return 0;
}

/*
 * Quote only when the field would otherwise be misread.  Leading and
 * trailing blanks are quoted too: many readers trim them from bare fields.
 */
static bool csv_needs_quotes(const char *s)
{
	size_t len = strlen(s);

	return strpbrk(s, ",\"\r\n") ||
	       (len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
			s[len - 1] == '\t'));
}

int csv_put_str(struct csv_writer *w, const char *s)
{
	if (w->err)
		return w->err;
	if (w->nfields++)
		putc(',', w->fp);
	if (!s)
		s = "";
	if (!csv_needs_quotes(s)) {
		fputs(s, w->fp);
	} else {
		putc('"', w->fp);
		for (; *s; s++) {
			if (*s == '"')
				putc('"', w->fp);
			putc(*s, w->fp);
		}
		putc('"', w->fp);
	}
	return ferror(w->fp) ? csv_fail(w, -EIO) : 0;
}

int csv_put_u64(struct csv_writer *w, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return csv_put_str(w, buf);
}

int csv_put_i64(struct csv_writer *w, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return csv_put_str(w, buf);
}

int csv_put_double(struct csv_writer *w, double v)
{
	char buf[32];

	if (isnan(v))
		return csv_put_str(w, NULL);
	/*
	 * Counts and nanoseconds are integers and should read as such;
	 * below 2^53 every integer is exact in a double.  Anything else
	 * gets 17 significant digits, enough to read back the same double.
	 */
	if (v == trunc(v) && fabs(v) < 0x1.0p53)
		snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)v);
	else
		snprintf(buf, sizeof(buf), "%.17g", v);
	return csv_put_str(w, buf);
}

int csv_end_row(struct csv_writer *w)
{
	if (w->err)
		return w->err;
	if (w->nfields != w->ncols)
		return csv_fail(w, -EINVAL);
	w->nfields = 0;
	putc('\n', w->fp);
	return ferror(w->fp) ? csv_fail(w, -EIO) : 0;
}

/*
 * Move @from to @to unless @to exists.  RENAME_NOREPLACE does it in one
 * step; called through syscall() because glibc only wraps renameat2()
 * since 2.28 and musl not at all.  Filesystems that lack the flag say
 * EINVAL: link() then gives the same guarantee, as it fails with EEXIST
 * rather than replace anything.
 */
static int csv_rename_noreplace(const char *from, const char *to)
{
#ifdef SYS_renameat2
	if (!syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
		     RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
#endif
	if (link(from, to))
		return -errno;
	unlink(from);
	return 0;
}

/* Make the new directory entry durable too; best effort. */
static void csv_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : NULL;
	int fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int csv_commit(struct csv_writer *w)
{
	int ret = w->err;

	if (!w->fp)
		return -EINVAL;
	/* A row left open would be a truncated record. */
	if (!ret && w->nfields)
		ret = -EINVAL;
	if ((fflush(w->fp) || fsync(fileno(w->fp))) && !ret)
		ret = -errno;
	if (fclose(w->fp) && !ret)
		ret = -errno;
	w->fp = NULL;
	if (!ret)
		ret = csv_rename_noreplace(w->tmp_path, w->path);
	if (!ret)
		csv_sync_dir(w->path);
	csv_writer_release(w, ret != 0);
	return ret;
}

void csv_abort(struct csv_writer *w)
{
	/* Only a writer that still holds its file owns the temporary. */
	csv_writer_release(w, w->fp != NULL);
}

void csv_reader_init(struct csv_reader *r, FILE *fp)
{
	*r = (struct csv_reader){ .fp = fp };
}

/* Return @p grown to hold @need elements of @size, or NULL (p intact). */
static void *csv_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (p)
		*cap = n;
	return p;
}

static int csv_reader_putc(struct csv_reader *r, char c)
{
	char *b = csv_grow(r->buf, &r->buf_cap, r->buf_len + 1, 1);

	if (!b)
		return -ENOMEM;
	r->buf = b;
	r->buf[r->buf_len++] = c;
	return 0;
}

static bool csv_is_delim(int c)
{
	return c == ',' || c == '\n' || c == '\r' || c == EOF;
}

/*
 * Read one field whose first character is *@cp; leave in *@cp the
 * delimiter that ended it.
 */
static int csv_read_field(struct csv_reader *r, int *cp)
{
	size_t *s = csv_grow(r->starts, &r->starts_cap, r->nfields + 1,
			     sizeof(*s));
	int c = *cp, ret = 0;

	if (!s)
		return -ENOMEM;
	r->starts = s;
	r->starts[r->nfields++] = r->buf_len;
	if (c == '"') {
		for (;;) {
			c = getc(r->fp);
			if (c == EOF)
				return ferror(r->fp) ? -EIO : -EINVAL;
			/* A quote ends the field unless doubled. */
			if (c == '"') {
				c = getc(r->fp);
				if (c != '"')
					break;
			}
			ret = csv_reader_putc(r, (char)c);
			if (ret)
				return ret;
		}
	} else {
		for (; !csv_is_delim(c); c = getc(r->fp)) {
			if (c == '"')
				return -EINVAL;
			ret = csv_reader_putc(r, (char)c);
			if (ret)
				return ret;
		}
	}
	if (!csv_is_delim(c))
		return -EINVAL;
	*cp = c;
	return csv_reader_putc(r, '\0');
}

int csv_read_row(struct csv_reader *r, char ***fields, size_t *n)
{
	int c = getc(r->fp), ret;
	char **f;
	size_t i;

	r->buf_len = 0;
	r->nfields = 0;
	if (c == EOF)
		return ferror(r->fp) ? -EIO : 0;
	for (;;) {
		ret = csv_read_field(r, &c);
		if (ret)
			return ret;
		if (c != ',')
			break;
		c = getc(r->fp);
	}
	if (c == '\r') {
		c = getc(r->fp);
		if (c != '\n' && c != EOF)
			ungetc(c, r->fp);
	}
	if (ferror(r->fp))
		return -EIO;
	f = csv_grow(r->fields, &r->fields_cap, r->nfields, sizeof(*f));
	if (!f)
		return -ENOMEM;
	r->fields = f;
	for (i = 0; i < r->nfields; i++)
		r->fields[i] = r->buf + r->starts[i];
	*fields = r->fields;
	*n = r->nfields;
	return 1;
}

void csv_reader_free(struct csv_reader *r)
{
	free(r->buf);
	free(r->starts);
	free(r->fields);
	*r = (struct csv_reader){ .fp = r->fp };
}

int csv_column_index(char **hdr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return (int)i;
	return -ENOENT;
}
