/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages and exit codes shared by every vfio-perf program.
 *
 * The exit codes follow kselftest so that a harness (or `git bisect run`)
 * can tell "the kernel failed" from "you called me wrong" from "this
 * machine cannot run this case".
 */
#ifndef VFIO_PERF_LOG_H
#define VFIO_PERF_LOG_H

#include <stdnoreturn.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_SKIP = 4,
};

/* Set once from main(); prefixes every message. */
extern const char *log_prog;

/* One line on stderr: "<prog>: <message>". */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress line on stderr, for anything that takes more than a moment. */
void log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "<prog>: error: <message>" ("skip: " for EXIT_SKIP), then exit(@code). */
noreturn void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * "<prog>: error: <message>" and exit 2: input refused.  To scripts and
 * `git bisect run`, 2 is "could not judge", never "regressed" (1).
 */
noreturn void die_refused(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define die_usage(...) die(EXIT_USAGE, __VA_ARGS__)
#define die_fail(...) die(EXIT_FAIL, __VA_ARGS__)
#define die_skip(...) die(EXIT_SKIP, __VA_ARGS__)

#endif
