// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

static bool sysfs_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copy @s without trailing blanks into @buf; -ERANGE if it won't fit. */
static int sysfs_copy_trimmed(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	while (n && sysfs_blank(s[n - 1]))
		n--;
	if (n >= len)
		return -ERANGE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/*
 * The first line of @path when @name is NULL, else the value of its first
 * "@name: value" line.
 */
static int sysfs_scan(const char *path, const char *name, char *buf,
		      size_t len)
{
	FILE *fp = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;

	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) >= 0) {
		const char *v = name ? sysfs_field_value(line, name) : line;

		if (v) {
			ret = sysfs_copy_trimmed(buf, len, v);
			break;
		}
	}
	if (ret == -ENOENT && ferror(fp))
		ret = -EIO;
	else if (ret == -ENOENT && !name)
		ret = sysfs_copy_trimmed(buf, len, "");
	free(line);
	fclose(fp);
	return ret;
}

int sysfs_read_str(const char *path, char *buf, size_t len)
{
	return sysfs_scan(path, NULL, buf, len);
}

int sysfs_read_field(const char *path, const char *name, char *buf,
		     size_t len)
{
	return sysfs_scan(path, name, buf, len);
}

int sysfs_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	while (sysfs_blank(*s))
		s++;
	/* strtoull() would take "-1" as 2^64 - 1. */
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	while (sysfs_blank(*end))
		end++;
	if (*end)
		return -EINVAL;
	*v = x;
	return 0;
}

int sysfs_read_u64(const char *path, uint64_t *v)
{
	char buf[64];
	int ret = sysfs_read_str(path, buf, sizeof(buf));

	return ret ? ret : sysfs_parse_u64(buf, v);
}

int sysfs_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(s);
	ssize_t n;
	int ret = 0;

	if (fd < 0)
		return -errno;
	/* sysfs takes a value in one write(); a second one starts over. */
	n = write(fd, s, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

const char *sysfs_field_value(const char *line, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(line, name, len))
		return NULL;
	line += len;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line++ != ':')
		return NULL;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

int sysfs_bracketed(const char *line, char *out, size_t len)
{
	const char *lb = strchr(line, '[');
	const char *rb = lb ? strchr(lb + 1, ']') : NULL;
	size_t n;

	if (!rb || rb == lb + 1)
		return -EINVAL;
	n = (size_t)(rb - lb - 1);
	if (n >= len)
		return -ERANGE;
	memcpy(out, lb + 1, n);
	out[n] = '\0';
	return 0;
}
