// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kprobe.h"
#include "sysfs.h"

/* The set to remove at exit, should the program die with probes armed. */
static struct kprobe_set *kprobe_live;
static int atexit_registered;

static void kprobe_atexit(void)
{
	if (kprobe_live)
		kprobe_set_close(kprobe_live);
}

/*
 * Append one command to kprobe_events. O_APPEND, never O_TRUNC: opening
 * the file for truncation deletes every probe on the system.
 */
static int events_write(const struct kprobe_set *s, const char *cmd)
{
	char path[128];
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/kprobe_events", s->tracefs);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd, strlen(cmd));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(cmd))
		ret = -EIO;
	close(fd);
	return ret;
}

static bool in_kallsyms(const char *func)
{
	char line[512], name[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", name) == 1 && !strcmp(name, func);
	fclose(f);
	return found;
}

static int find_tracefs(struct kprobe_set *s, char *why, size_t whylen)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/kprobe_events", dirs[i]);
		if (!access(path, F_OK)) {
			if (access(path, W_OK)) {
				snprintf(why, whylen, "%s is not writable: kprobe counts need root", path);
				return -EACCES;
			}
			snprintf(s->tracefs, sizeof(s->tracefs), "%s", dirs[i]);
			return 0;
		}
	}
	if (access("/sys/kernel/tracing/trace", F_OK) && access("/sys/kernel/debug/tracing/trace", F_OK))
		snprintf(why, whylen, "tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing");
	else
		snprintf(why, whylen, "no kprobe_events in tracefs: kernel without CONFIG_KPROBE_EVENTS");
	return -EOPNOTSUPP;
}

static int instance_write(const struct kprobe_set *s, const char *rel, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", s->instance, rel);
	return sysfs_write_str(path, val);
}

static void create_probe(struct kprobe_set *s, struct kprobe_count *k)
{
	char cmd[256], rel[160];
	int ret;

	snprintf(k->event, sizeof(k->event), "vp%d_%.40s", (int)getpid(), k->func);
	snprintf(cmd, sizeof(cmd), "p:%s/%s %s\n", s->group, k->event, k->func);
	ret = events_write(s, cmd);
	if (ret && in_kallsyms(k->func)) {
		snprintf(k->why, sizeof(k->why), "kprobe_events refused a probe on %s: %s",
			 k->func, strerror(-ret));
		return;
	}
	if (ret) {
		snprintf(k->why, sizeof(k->why),
			 "no kernel function %s in /proc/kallsyms (renamed or inlined on this kernel?)",
			 k->func);
		return;
	}
	k->created = 1;
	snprintf(rel, sizeof(rel), "events/%s/%s/enable", s->group, k->event);
	ret = instance_write(s, rel, "1");
	if (ret)
		snprintf(k->why, sizeof(k->why), "enabling the probe on %s: %s",
			 k->func, strerror(-ret));
}

int kprobe_set_open(struct kprobe_set *s, const char *const *funcs, size_t n,
		    char *why, size_t whylen)
{
	int ret, avail = 0;

	memset(s, 0, sizeof(*s));
	if (n > KPROBE_MAX)
		n = KPROBE_MAX;
	ret = find_tracefs(s, why, whylen);
	if (ret)
		return ret;
	snprintf(s->group, sizeof(s->group), "vfio_perf_%d", (int)getpid());
	snprintf(s->instance, sizeof(s->instance), "%s/instances/%s", s->tracefs, s->group);
	if (mkdir(s->instance, 0755)) {
		ret = -errno;
		snprintf(why, whylen, "cannot create trace instance %s: %s", s->instance,
			 strerror(errno));
		return ret;
	}
	/* Hits are counted by the probe itself; nothing needs recording. */
	instance_write(s, "tracing_on", "0");
	instance_write(s, "buffer_size_kb", "4");
	kprobe_live = s;
	if (!atexit_registered++)
		atexit(kprobe_atexit);
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		s->k[i].func = funcs[i];
		create_probe(s, &s->k[i]);
		avail += !s->k[i].why[0];
	}
	return avail;
}

/* Hits and misses of every probe of the set, from kprobe_profile. */
static int read_profile(struct kprobe_set *s, uint64_t *hits, uint64_t *missed)
{
	unsigned long long h, m;
	char path[128], line[512], name[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_profile", s->tracefs);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %llu %llu", name, &h, &m) != 3)
			continue;
		for (size_t i = 0; i < s->n; i++) {
			if (s->k[i].created && !strcmp(s->k[i].event, name)) {
				hits[i] = h;
				missed[i] = m;
			}
		}
	}
	fclose(f);
	return 0;
}

int kprobe_set_start(struct kprobe_set *s)
{
	uint64_t hits[KPROBE_MAX] = { 0 }, missed[KPROBE_MAX] = { 0 };
	int ret = read_profile(s, hits, missed);

	for (size_t i = 0; i < s->n; i++) {
		s->k[i].hits = hits[i];
		s->k[i].missed = missed[i];
	}
	return ret;
}

int kprobe_set_read(struct kprobe_set *s, uint64_t *hits, char *why, size_t whylen)
{
	uint64_t h[KPROBE_MAX] = { 0 }, m[KPROBE_MAX] = { 0 };
	int ret = read_profile(s, h, m);

	if (ret) {
		snprintf(why, whylen, "reading %s/kprobe_profile: %s", s->tracefs, strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->k[i].why[0])
			continue;
		if (m[i] != s->k[i].missed) {
			snprintf(why, whylen, "the probe on %s missed %llu hits",
				 s->k[i].func, (unsigned long long)(m[i] - s->k[i].missed));
			return -EIO;
		}
		hits[i] = h[i] - s->k[i].hits;
	}
	return 0;
}

void kprobe_set_close(struct kprobe_set *s)
{
	char cmd[160];

	if (!s->instance[0])
		return;
	/* Removing the instance disables its events; then the probes can go. */
	rmdir(s->instance);
	for (size_t i = 0; i < s->n; i++) {
		if (!s->k[i].created)
			continue;
		snprintf(cmd, sizeof(cmd), "-:%s/%s\n", s->group, s->k[i].event);
		events_write(s, cmd);
		s->k[i].created = 0;
	}
	s->instance[0] = '\0';
	if (kprobe_live == s)
		kprobe_live = NULL;
}
