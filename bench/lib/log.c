// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

const char *log_prog = "vfio-perf";

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", log_prog, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void log_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fflush(stderr);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(code == EXIT_SKIP ? "skip: " : "error: ", fmt, ap);
	va_end(ap);
	exit(code);
}

void die_refused(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}
