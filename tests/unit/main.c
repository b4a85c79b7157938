// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

struct check_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
};

static struct check_test *check_tests;
static size_t check_ntests;
static bool check_current_failed;

void check_register(const char *name, void (*fn)(void), const char *file,
		    int line)
{
	struct check_test *t;

	t = realloc(check_tests, (check_ntests + 1) * sizeof(*t));
	if (!t) {
		perror("check_register");
		exit(1);
	}
	check_tests = t;
	check_tests[check_ntests++] = (struct check_test){
		.name = name, .fn = fn, .file = file, .line = line,
	};
}

void check_failed(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	check_current_failed = true;
}

const char *check_fixture(char *buf, const char *rel)
{
	const char *dir = getenv("VFIO_PERF_TESTDIR");

	snprintf(buf, PATH_MAX, "%s/fixtures/%s", dir ? dir : "tests", rel);
	return buf;
}

const char *check_path(char *buf, const char *dir, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
	return buf;
}

bool check_write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return false;
	fputs(text, fp);
	return !fclose(fp);
}

char *check_read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int c;

	if (!fp)
		return NULL;
	mem = open_memstream(&buf, &len);
	while (mem && (c = getc(fp)) != EOF)
		putc(c, mem);
	if (mem)
		fclose(mem);
	fclose(fp);
	return buf;
}

void check_tmpdir(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/vfio-perf-test.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(buf)) {
		perror(buf);
		exit(1);
	}
}

void check_tmpdir_remove(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		unlink(check_path(path, dir, d->d_name));
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

/* Source order: file, then line, whatever order constructors ran in. */
static int check_cmp(const void *a, const void *b)
{
	const struct check_test *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int passed = 0, failed = 0;
	size_t i;

	qsort(check_tests, check_ntests, sizeof(*check_tests), check_cmp);
	for (i = 0; i < check_ntests; i++) {
		const struct check_test *t = &check_tests[i];

		if (filter && !strstr(t->name, filter))
			continue;
		check_current_failed = false;
		t->fn();
		fflush(stdout);
		if (check_current_failed)
			failed++;
		else
			passed++;
		printf("%s %u - %s\n", check_current_failed ? "not ok" : "ok",
		       passed + failed, t->name);
	}
	printf("%u passed, %u failed\n", passed, failed);
	free(check_tests);
	return failed ? 1 : 0;
}
