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

unsigned int cli_uint(const char *opt, const char *s, unsigned int min,
		      unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die_usage("%s: '%s' is not a number from %u to %u", opt, s, min, max);
	return (unsigned int)v;
}

/* The long name of the option getopt returns as @val, or NULL. */
static const char *long_name(const struct option *lo, int val)
{
	for (; lo->name; lo++)
		if (!lo->flag && lo->val == val)
			return lo->name;
	return NULL;
}

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	const char *name;
	char so[128], opt[64];
	int c;

	/* A leading ':' tells a missing argument (':') from the rest ('?'). */
	snprintf(so, sizeof(so), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, so, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	name = optopt ? long_name(longopts, optopt) : NULL;
	if (name)
		snprintf(opt, sizeof(opt), "--%s", name);
	else if (optopt)
		snprintf(opt, sizeof(opt), "-%c", optopt);
	else	/* an unknown long option, the word getopt just passed */
		snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(argv[optind - 1], "="),
			 argv[optind - 1]);
	if (c == ':')
		die_usage("option '%s' needs an argument (see --help)", opt);
	if (name || (optopt && strchr(shortopts, optopt)))
		die_usage("option '%s' takes no argument (see --help)", opt);
	die_usage("unknown option '%s' (see --help)", opt);
}

void cli_finish(int argc, char **argv, const char *device,
		const struct cli_run *r, bool plan)
{
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
	/* A plan is asked before any device or output directory exists. */
	if (plan)
		return;
	if (!device)
		die_usage("--device BDF is required (see --help)");
	if (!r->ro.dir)
		die_usage("--out DIR is required (see --help)");
}

void cli_run_init(struct cli_run *r)
{
	*r = (struct cli_run){ .cpu = -1, .node = -1 };
	r->ro = (struct results_opts){ .target = "host", .accel = "none" };
}

/* @arg if it is one of the NULL-terminated @names; else a usage error. */
static const char *cli_word(const char *opt, const char *arg,
			    const char *const *names, const char *list)
{
	for (; *names; names++)
		if (!strcmp(*names, arg))
			return *names;
	die_usage("%s must be %s, not '%s'", opt, list, arg);
}

bool cli_run_option(struct cli_run *r, int c, const char *arg)
{
	static const char *const targets[] = { "qemu", "host", NULL };
	static const char *const accels[] = { "kvm", "tcg", "icount", "none", NULL };

	switch (c) {
	case CLI_O_CPU: r->cpu = (int)cli_uint("--cpu", arg, 0, 65535); break;
	case CLI_O_NODE: r->node = (int)cli_uint("--node", arg, 0, 1023); break;
	case CLI_O_RUNID: r->ro.run_id = arg; break;
	case CLI_O_BOOT: r->ro.boot = cli_uint("--boot", arg, 0, 1000000); break;
	case CLI_O_TARGET:
		r->ro.target = cli_word("--target", arg, targets, "qemu or host");
		break;
	case CLI_O_ACCEL:
		r->ro.accel = cli_word("--accel", arg, accels, "kvm, tcg, icount or none");
		break;
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
	if (r->cpu >= 0) {
		meta_set(m, "cpu", "%d", r->cpu);
		/* What "local" memory is for NAME@nodeN cases. */
		meta_set(m, "cpu_node", "%d", place_cpu_node(r->cpu));
	} else
		meta_set(m, "cpu", "unpinned");
	if (r->node >= 0)
		meta_set(m, "node", "%d", r->node);
	else
		meta_set(m, "node", "unbound");
	r->ro.cpu = meta_get(m, "cpu");
	r->ro.node = meta_get(m, "node");
}
