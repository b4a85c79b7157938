// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "backing.h"
#include "cli.h"
#include "place.h"
#include "size.h"

uint64_t cli_size(const char *opt, const char *s)
{
	uint64_t v;

	if (size_parse(s, &v) || v % SZ_4K)
		die_usage("%s: '%s' is not a size in multiples of 4K (e.g. 4K, 2M, 1G)",
			  opt, s);
	return v;
}

unsigned int cli_uint(const char *opt, const char *s, unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die_usage("%s: '%s' is not a number from 0 to %u", opt, s, max);
	return (unsigned int)v;
}

void cli_finish(int argc, char **argv, const char *device,
		const struct cli_run *r, unsigned int reps)
{
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
	if (!device)
		die_usage("--device BDF is required (see --help)");
	if (!r->ro.dir)
		die_usage("--out DIR is required (see --help)");
	if (!reps)
		die_usage("--reps must be at least 1");
}

void cli_run_init(struct cli_run *r)
{
	*r = (struct cli_run){ .cpu = -1, .node = -1 };
	r->ro = (struct results_opts){ .target = "host", .accel = "none" };
}

bool cli_run_option(struct cli_run *r, int c, const char *arg)
{
	switch (c) {
	case CLI_O_CPU: r->cpu = (int)cli_uint("--cpu", arg, 65535); break;
	case CLI_O_NODE: r->node = (int)cli_uint("--node", arg, 1023); break;
	case CLI_O_RUNID: r->ro.run_id = arg; break;
	case CLI_O_BOOT: r->ro.boot = cli_uint("--boot", arg, 1000000); break;
	case CLI_O_TARGET: r->ro.target = arg; break;
	case CLI_O_ACCEL: r->ro.accel = arg; break;
	default: return false;
	}
	return true;
}

void cli_run_place(struct cli_run *r, struct meta *m)
{
	char why[256];

	if (r->cpu >= 0 && place_cpu(r->cpu, why, sizeof(why)))
		die_fail("%s", why);
	if (r->node >= 0 && place_node(r->node, why, sizeof(why)))
		die_fail("%s", why);
	if (r->cpu >= 0)
		meta_set(m, "cpu", "%d", r->cpu);
	else
		meta_set(m, "cpu", "unpinned");
	if (r->node >= 0)
		meta_set(m, "node", "%d", r->node);
	else
		meta_set(m, "node", "unbound");
	r->ro.cpu = meta_get(m, "cpu");
	r->ro.node = meta_get(m, "node");
}
