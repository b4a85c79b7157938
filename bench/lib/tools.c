// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tools.h"

double tools_threshold(const char *arg)
{
	char *end;
	double t = strtod(arg, &end) / 100;

	if (end == arg || *end || !(t >= 0) || t >= 1)
		die_usage("--threshold wants a percentage in [0, 100), not '%s'", arg);
	return t;
}

void tools_metric(struct samples_opts *so, regex_t *re, const char *arg)
{
	char buf[256];
	int ret;

	if (so->metric)
		die_usage("--metric given twice: join the expressions with '|'");
	ret = regcomp(re, arg, REG_EXTENDED | REG_NOSUB);
	if (ret) {
		regerror(ret, re, buf, sizeof(buf));
		die_usage("--metric '%s': %s", arg, buf);
	}
	so->metric = re;
}

void tools_check_new(const char *path)
{
	if (path && !access(path, F_OK))
		die_refused("%s: exists; not overwriting it", path);
}

void tools_written(int ret, const char *path)
{
	if (ret)
		die_refused("%s: %s", path, ret == -EEXIST ?
			    "exists; not overwriting it" : strerror(-ret));
}
