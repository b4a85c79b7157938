// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int kconfig_cmp_opt(const void *x, const void *y)
{
	return strcmp(((const struct kconfig_opt *)x)->name,
		      ((const struct kconfig_opt *)y)->name);
}

static int kconfig_add(struct kconfig *c, const char *name, size_t nlen,
		       const char *value, size_t vlen)
{
	struct kconfig_opt *o;

	if (c->n == c->cap) {
		o = reallocarray(c->o, c->cap ? 2 * c->cap : 256, sizeof(*o));
		if (!o)
			return -ENOMEM;
		c->o = o;
		c->cap = c->cap ? 2 * c->cap : 256;
	}
	o = &c->o[c->n];
	o->name = strndup(name, nlen);
	o->value = strndup(value, vlen);
	if (!o->name || !o->value) {
		free(o->name);
		free(o->value);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

/* A symbol's characters, as Kconfig allows them. */
static size_t kconfig_symbol_len(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	return i;
}

/* One line: 0 (read or skipped), -EINVAL with @err, -ENOMEM. */
static int kconfig_line(struct kconfig *c, const char *s, size_t len,
			size_t line, char *err, size_t errlen)
{
	static const char unset[] = " is not set";
	size_t nlen;

	if (len >= 9 && !memcmp(s, "# CONFIG_", 9)) {
		nlen = kconfig_symbol_len(s + 9, len - 9);
		/* "# CONFIG_X is not set", or a comment that merely begins so. */
		if (nlen && len - 9 - nlen == sizeof(unset) - 1 &&
		    !memcmp(s + 9 + nlen, unset, sizeof(unset) - 1))
			return kconfig_add(c, s + 9, nlen, "n", 1);
		return 0;
	}
	if (!len || s[0] == '#')
		return 0;
	nlen = len >= 7 && !memcmp(s, "CONFIG_", 7) ? kconfig_symbol_len(s + 7, len - 7) : 0;
	if (!nlen || 7 + nlen >= len || s[7 + nlen] != '=') {
		snprintf(err, errlen, "line %zu: '%.*s' is neither CONFIG_X=value nor a comment",
			 line, (int)(len < 40 ? len : 40), s);
		return -EINVAL;
	}
	return kconfig_add(c, s + 7, nlen, s + 8 + nlen, len - 8 - nlen);
}

int kconfig_parse(struct kconfig *c, const char *text, size_t len, char *err,
		  size_t errlen)
{
	size_t line = 0;
	int ret = 0;

	*c = (struct kconfig){ 0 };
	for (size_t off = 0; off < len && !ret; line++) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - off;

		if (l && text[end - 1] == '\r')
			l--;
		ret = kconfig_line(c, text + off, l, line + 1, err, errlen);
		off = end + 1;
	}
	if (!ret && c->n)
		qsort(c->o, c->n, sizeof(*c->o), kconfig_cmp_opt);
	for (size_t i = 1; i < c->n && !ret; i++)
		if (!strcmp(c->o[i].name, c->o[i - 1].name)) {
			snprintf(err, errlen, "CONFIG_%s twice", c->o[i].name);
			ret = -EINVAL;
		}
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		kconfig_free(c);
	}
	return ret;
}

const char *kconfig_get(const struct kconfig *c, const char *name)
{
	struct kconfig_opt key = { .name = (char *)name };
	const struct kconfig_opt *o = c->n ? bsearch(&key, c->o, c->n, sizeof(*c->o),
						     kconfig_cmp_opt) : NULL;

	return o ? o->value : NULL;
}

void kconfig_free(struct kconfig *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->o[i].name);
		free(c->o[i].value);
	}
	free(c->o);
	*c = (struct kconfig){ 0 };
}

/*
 * What each group holds, as shell patterns over option names, first
 * group first: an option matching two (IOMMU_DEBUGFS) goes to the
 * first.  The memory group holds what decides how a buffer is backed
 * and accounted (THP, hugetlb, memcg), the mitigations group the
 * hardening that zeroes or checks memory, because both move the costs
 * vfio-perf measures.
 */
static const char *const kconfig_patterns[KCONFIG_OTHER][24] = {
	[KCONFIG_MEMORY] = {
		"SPARSEMEM*", "FLATMEM*", "DISCONTIGMEM*", "MEMORY_HOTPLUG*",
		"MEMORY_HOTREMOVE", "ZONE_DEVICE", "TRANSPARENT_HUGEPAGE*",
		"HUGETLB*", "MEMCG*", "NUMA", "NUMA_BALANCING*", "X86_5LEVEL",
		"PGTABLE_LEVELS", "HAVE_ARCH_TRANSPARENT_HUGEPAGE*",
	},
	[KCONFIG_PREEMPT] = { "PREEMPT*" },
	[KCONFIG_DEBUG] = {
		/* The kernel's own debugging, not a driver's debug knob. */
		"DEBUG_*", "SLUB_DEBUG*", "SCHED_DEBUG", "PTDUMP*", "KASAN*",
		"KCSAN*", "KMSAN*", "UBSAN*", "LOCKDEP*", "PROVE_*",
		"LOCK_STAT", "KFENCE*", "KMEMLEAK*", "PAGE_POISONING*",
		"PAGE_OWNER", "GCOV*", "KCOV*",
	},
	[KCONFIG_MITIGATION] = {
		"MITIGATION_*", "CPU_MITIGATIONS", "SPECULATION_MITIGATIONS",
		"RETPOLINE", "RETHUNK", "PAGE_TABLE_ISOLATION", "CPU_SRSO",
		"CPU_UNRET_ENTRY", "CPU_IBPB_ENTRY", "CPU_IBRS_ENTRY", "SLS",
		"CALL_DEPTH_TRACKING", "CALL_THUNKS*", "GDS_FORCE_MITIGATION",
		"X86_KERNEL_IBT", "INIT_ON_ALLOC_DEFAULT_ON",
		"INIT_ON_FREE_DEFAULT_ON", "HARDENED_USERCOPY*",
	},
	[KCONFIG_IOMMU] = {
		"IOMMU*", "INTEL_IOMMU*", "AMD_IOMMU*", "VFIO*", "DMAR_*",
		"DMAR_TABLE", "IRQ_REMAP", "SWIOTLB*",
	},
};

const char *kconfig_group_name(enum kconfig_group g)
{
	static const char *const names[] = {
		[KCONFIG_MEMORY] = "memory model",
		[KCONFIG_PREEMPT] = "preemption",
		[KCONFIG_DEBUG] = "debug",
		[KCONFIG_MITIGATION] = "mitigations",
		[KCONFIG_IOMMU] = "IOMMU/VFIO",
		[KCONFIG_OTHER] = "other",
	};

	return names[g];
}

enum kconfig_group kconfig_group_of(const char *name)
{
	for (int g = 0; g < KCONFIG_OTHER; g++)
		for (size_t i = 0; i < ARRAY_SIZE(kconfig_patterns[g]) && kconfig_patterns[g][i]; i++)
			if (!fnmatch(kconfig_patterns[g][i], name, 0))
				return (enum kconfig_group)g;
	return KCONFIG_OTHER;
}

/* "n" and absence are the same setting: off. */
static const char *kconfig_effective(const char *v)
{
	return v && strcmp(v, "n") ? v : NULL;
}

static int kconfig_cmp_change(const void *x, const void *y)
{
	const struct kconfig_change *a = x, *b = y;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return strcmp(a->name, b->name);
}

int kconfig_diff(const struct kconfig *a, const struct kconfig *b,
		 struct kconfig_change **out, size_t *n)
{
	struct kconfig_change *ch = malloc((a->n + b->n + 1) * sizeof(*ch));
	size_t i = 0, j = 0, k = 0;

	if (!ch)
		return -ENOMEM;
	/* Both sorted by name: one merge walk. */
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->o[i].name, b->o[j].name);
		const char *name = c <= 0 ? a->o[i].name : b->o[j].name;
		const char *va = c <= 0 ? kconfig_effective(a->o[i].value) : NULL;
		const char *vb = c >= 0 ? kconfig_effective(b->o[j].value) : NULL;

		i += c <= 0;
		j += c >= 0;
		if (!va && !vb)
			continue;
		if (va && vb && !strcmp(va, vb))
			continue;
		/* The build's name (its release), not its code. */
		if (!strcmp(name, "LOCALVERSION"))
			continue;
		ch[k++] = (struct kconfig_change){ name, va, vb, kconfig_group_of(name) };
	}
	qsort(ch, k, sizeof(*ch), kconfig_cmp_change);
	*out = ch;
	*n = k;
	return 0;
}
