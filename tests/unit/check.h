/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit test framework.  A test is a function declared with
 * TEST(name); it registers itself before main() runs.  A failed CHECK
 * prints where and what, marks the test failed and returns from it, so
 * the code after a failed check never runs on bad state; the next test
 * still runs.
 */
#ifndef VFIO_PERF_CHECK_H
#define VFIO_PERF_CHECK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void check_register(const char *name, void (*fn)(void), const char *file,
		    int line);
void check_failed(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Fixture path "$VFIO_PERF_TESTDIR/fixtures/<rel>" ("tests" by default,
 * for runs from the repository root) in a buffer of PATH_MAX bytes.
 */
const char *check_fixture(char *buf, const char *rel);

/* "<dir>/<name>" in a buffer of PATH_MAX bytes. */
const char *check_path(char *buf, const char *dir, const char *name);

/* Replace @path's content with @text; false if that failed. */
bool check_write_file(const char *path, const char *text);
/* The whole of @path as a malloc()ed string, or NULL. */
char *check_read_file(const char *path);

/* A fresh empty directory under $TMPDIR (or /tmp); aborts on failure. */
void check_tmpdir(char *buf, size_t len);
/* Remove @dir and the plain files in it. */
void check_tmpdir_remove(const char *dir);

#define TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void register_##name(void)	\
	{								\
		check_register(#name, test_##name, __FILE__, __LINE__);	\
	}								\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			check_failed(__FILE__, __LINE__, "%s", #cond);	\
			return;						\
		}							\
	} while (0)

#define CHECK_EQ_U64(a, b)						\
	do {								\
		uint64_t check_a_ = (a), check_b_ = (b);		\
		if (check_a_ != check_b_) {				\
			check_failed(__FILE__, __LINE__,		\
				     "%s == %s (%llu != %llu)", #a, #b,	\
				     (unsigned long long)check_a_,	\
				     (unsigned long long)check_b_);	\
			return;						\
		}							\
	} while (0)

#define CHECK_NEAR(a, b, eps)						\
	do {								\
		double check_a_ = (a), check_b_ = (b);			\
		if (!(fabs(check_a_ - check_b_) <= (eps))) {		\
			check_failed(__FILE__, __LINE__,		\
				     "%s ~= %s (%.17g vs %.17g)", #a, #b, \
				     check_a_, check_b_);		\
			return;						\
		}							\
	} while (0)

/* NULL-safe: NULL equals only NULL. */
#define CHECK_STR(a, b)							\
	do {								\
		const char *check_a_ = (a), *check_b_ = (b);		\
		if (!check_a_ || !check_b_ ?				\
			    check_a_ != check_b_ :			\
			    strcmp(check_a_, check_b_) != 0) {		\
			check_failed(__FILE__, __LINE__,		\
				     "%s == %s (\"%s\" vs \"%s\")", #a,	\
				     #b, check_a_ ? check_a_ : "(null)", \
				     check_b_ ? check_b_ : "(null)");	\
			return;						\
		}							\
	} while (0)

#endif
