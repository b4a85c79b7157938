// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confdiff.h"
#include "csv.h"
#include "log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* All of @fp into a malloc()ed buffer (NUL-terminated); NULL on failure. */
static char *confdiff_slurp(FILE *fp, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap), *p;

	while (buf && (got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
		n += got;
		if (cap - n - 1 > 0)
			continue;
		p = realloc(buf, 2 * cap);
		if (!p) {
			free(buf);
			return NULL;
		}
		buf = p;
		cap *= 2;
	}
	if (!buf || ferror(fp)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static char *confdiff_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "re");
	char *buf;

	if (!fp)
		return NULL;
	buf = confdiff_slurp(fp, len);
	fclose(fp);
	return buf;
}

/*
 * config.gz through gzip -dc: gzip is part of every Debian system
 * (Essential), where zlib would be one more build dependency.
 */
static char *confdiff_gunzip(const char *path, size_t *len)
{
	char *buf = NULL;
	int fd[2], status;
	pid_t pid;
	FILE *fp;

	if (pipe2(fd, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return NULL;
	}
	if (!pid) {
		if (dup2(fd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execlp("gzip", "gzip", "-dc", "--", path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	fp = fdopen(fd[0], "r");
	if (fp) {
		buf = confdiff_slurp(fp, len);
		fclose(fp);
	} else {
		close(fd[0]);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "<a>/<b><c>" in @buf; false when it does not fit. */
static bool confdiff_path(char *buf, size_t len, const char *a, const char *b,
			  const char *c)
{
	int n = snprintf(buf, len, "%s/%s%s", a, b, c);

	return n >= 0 && (size_t)n < len;
}

/* The config under CACHE/kernels or CACHE/kbuild whose sha256 is @sha. */
static char *confdiff_from_cache(const char *cache, const char *sha,
				 size_t *len, char *from, size_t fromlen)
{
	static const char *const parts[] = { "kernels", "kbuild" };
	char dir[4096], hex[SHA256_HEX_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		struct dirent **ents;
		char *found = NULL;
		int n;

		n = confdiff_path(dir, sizeof(dir), cache, parts[i], "") ?
		    scandir(dir, &ents, NULL, alphasort) : -1;
		for (int j = 0; j < n; j++) {
			char *buf = NULL;

			if (!found && ents[j]->d_name[0] != '.' &&
			    confdiff_path(from, fromlen, dir, ents[j]->d_name, "/config")) {
				buf = confdiff_read_file(from, len);
				if (buf)
					sha256_hex(buf, *len, hex);
				/* Said as the cache's name for it: the same on every machine. */
				if (buf && !strcmp(hex, sha)) {
					found = buf;
					snprintf(from, fromlen, "$VFIO_PERF_CACHE/%s/%.200s/config",
						 parts[i], ents[j]->d_name);
				} else {
					free(buf);
				}
			}
			free(ents[j]);
		}
		if (n >= 0)
			free(ents);
		if (found)
			return found;
	}
	from[0] = '\0';
	return NULL;
}

static int confdiff_load_side(struct confdiff *d, struct confdiff_side *cs,
			      const struct samples_run *run, FILE *notes,
			      char *err, size_t errlen)
{
	char gz[4096], hex[SHA256_HEX_LEN], why[256];
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int ret;

	snprintf(cs->sha256, sizeof(cs->sha256), "%s", run->config_sha256);
	if (!confdiff_path(gz, sizeof(gz), run->dir, "config.gz", ""))
		return snprintf(err, errlen, "%s: path too long", run->dir), -ENAMETOOLONG;
	if (!stat(gz, &st)) {
		text = confdiff_gunzip(gz, &len);
		if (!text)
			return snprintf(err, errlen, "%s: cannot be read with gzip -dc", gz), -EINVAL;
		snprintf(cs->from, sizeof(cs->from), "%s", gz);
		sha256_hex(text, len, hex);
		if (*cs->sha256 && strcmp(hex, cs->sha256) && notes)
			fprintf(notes, "%s: warning: %s has sha256 %.12s, meta.csv's kernel_config_sha256 is %.12s\n",
				log_prog, gz, hex, cs->sha256);
		if (!*cs->sha256)
			memcpy(cs->sha256, hex, sizeof(hex));
	} else if (*cs->sha256 && *d->cache) {
		text = confdiff_from_cache(d->cache, cs->sha256, &len, cs->from,
					   sizeof(cs->from));
	}
	if (!text)
		return 0;
	ret = kconfig_parse(&cs->cfg, text, len, why, sizeof(why));
	free(text);
	if (ret)
		return snprintf(err, errlen, "%.3000s: %s", cs->from, why), ret;
	cs->have = true;
	return 0;
}

int confdiff_load(struct confdiff *d, const struct table *t, const char *cache,
		  FILE *notes, char *err, size_t errlen)
{
	const struct samples_set *set = t->set;
	int ret = 0;

	*d = (struct confdiff){ .n = set->nsides };
	snprintf(d->cache, sizeof(d->cache), "%s", cache ? cache : "");
	d->s = calloc(set->nsides, sizeof(*d->s));
	if (!d->s)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	for (size_t i = 0; i < set->nsides && !ret; i++)
		ret = confdiff_load_side(d, &d->s[i], &set->sides[i].runs[0], notes,
					 err, errlen);
	return ret;
}

/* The value an option has in a config: "n" when off. */
static const char *confdiff_value(const char *v)
{
	return v ? v : "n";
}

/*
 * A module one side builds and the other does not (m against off): what
 * localmodconfig cuts from a distribution config. Thousands of them say
 * little about the paths measured, so they are counted, not listed,
 * except where IOMMU and VFIO code is concerned.
 */
static bool confdiff_module_only(const struct kconfig_change *ch)
{
	const char *on = ch->a ? ch->a : ch->b;

	return ch->group != KCONFIG_IOMMU && (!ch->a || !ch->b) && !strcmp(on, "m");
}

static void confdiff_print_pair(const struct confdiff *d, const struct table *t,
				size_t s, size_t per_group, FILE *out)
{
	const struct samples_set *set = t->set;
	size_t ref = table_ref(t, s), n, shown[KCONFIG_NGROUPS] = { 0 };
	size_t count[KCONFIG_NGROUPS] = { 0 }, modules = 0;
	const struct confdiff_side *a = &d->s[ref], *b = &d->s[s];
	const char *an = set->sides[ref].name, *bn = set->sides[s].name;
	struct kconfig_change *ch;

	if (!*a->sha256 || !*b->sha256) {
		fprintf(out, "kernel configs of %s and %s: not recorded (%s has no kernel_config_sha256): cannot tell whether they differ\n",
			an, bn, !*a->sha256 ? an : bn);
		return;
	}
	if (!strcmp(a->sha256, b->sha256)) {
		fprintf(out, "kernel configs of %s and %s: the same (sha256 %.12s)\n", an, bn,
			a->sha256);
		return;
	}
	if (!a->have || !b->have) {
		fprintf(out, "kernel configs of %s (%.12s) and %s (%.12s) differ, but cannot be listed: %s has no config.gz, and %s\n",
			an, a->sha256, bn, b->sha256, !a->have ? an : bn,
			*d->cache ? "the kernel cache ($VFIO_PERF_CACHE/kernels, kbuild) has no config of that hash" :
				    "VFIO_PERF_CACHE is not set (no kernel cache to look in)");
		return;
	}
	if (kconfig_diff(&a->cfg, &b->cfg, &ch, &n)) {
		fprintf(out, "kernel configs of %s and %s differ (out of memory listing them)\n", an, bn);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (confdiff_module_only(&ch[i]))
			modules++;
		else
			count[ch[i].group]++;
	}
	if (!n) {
		fprintf(out, "kernel configs of %s and %s: the same but for LOCALVERSION, each build's name (sha256 %.12s, %.12s)\n",
			an, bn, a->sha256, b->sha256);
		free(ch);
		return;
	}
	fprintf(out, "kernel configs of %s (%.12s) and %s (%.12s) differ in %zu options (%s: %s; %s: %s):\n",
		an, a->sha256, bn, b->sha256, n, an, a->from, bn, b->from);
	for (size_t i = 0; i < n; i++) {
		enum kconfig_group g = ch[i].group;

		if (g == KCONFIG_OTHER || confdiff_module_only(&ch[i]) ||
		    shown[g]++ >= per_group)
			continue;
		fprintf(out, "  %-13s %-36s %s -> %s\n", kconfig_group_name(g), ch[i].name,
			confdiff_value(ch[i].a), confdiff_value(ch[i].b));
		if (shown[g] == per_group && count[g] > per_group)
			fprintf(out, "  %-13s and %zu more\n", kconfig_group_name(g),
				count[g] - per_group);
	}
	fprintf(out, "  and %zu other options, and %zu modules one side builds and the other does not (every one: --config-diff)\n",
		count[KCONFIG_OTHER], modules);
	free(ch);
}

void confdiff_print(const struct confdiff *d, const struct table *t,
		    size_t per_group, FILE *out)
{
	for (size_t s = 1; s < d->n; s++)
		confdiff_print_pair(d, t, s, per_group, out);
}

static const char *const confdiff_cols[] = {
	"side", "side_name", "ref_side", "group", "option", "ref_value", "value",
};

int confdiff_write_csv(const struct confdiff *d, const struct table *t,
		       const char *path)
{
	struct csv_writer w;
	int ret = csv_open(&w, path, confdiff_cols, ARRAY_SIZE(confdiff_cols));

	for (size_t s = 1; s < d->n && !ret; s++) {
		const struct confdiff_side *a = &d->s[table_ref(t, s)], *b = &d->s[s];
		struct kconfig_change *ch;
		size_t n;

		if (!a->have || !b->have || !strcmp(a->sha256, b->sha256))
			continue;
		ret = kconfig_diff(&a->cfg, &b->cfg, &ch, &n);
		if (ret)
			break;
		for (size_t i = 0; i < n && !ret; i++) {
			csv_put_u64(&w, s);
			csv_put_str(&w, t->set->sides[s].name);
			csv_put_u64(&w, table_ref(t, s));
			csv_put_str(&w, kconfig_group_name(ch[i].group));
			csv_put_str(&w, ch[i].name);
			csv_put_str(&w, confdiff_value(ch[i].a));
			csv_put_str(&w, confdiff_value(ch[i].b));
			ret = csv_end_row(&w);
		}
		free(ch);
	}
	if (ret) {
		csv_abort(&w);
		return ret;
	}
	return csv_commit(&w);
}

void confdiff_free(struct confdiff *d)
{
	for (size_t i = 0; i < d->n; i++)
		kconfig_free(&d->s[i].cfg);
	free(d->s);
	*d = (struct confdiff){ 0 };
}
