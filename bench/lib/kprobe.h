/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting calls of kernel functions with kprobe events (tracefs).
 *
 * The kernel's own count of what it did: how many times
 * vmf_insert_pfn_pud() ran during a fault-in says how many PUD entries
 * were made, where fault counts cannot (6.1 maps a whole VMA with PTEs on
 * the first fault). The probes are enabled only in a private trace
 * instance whose buffer is switched off, so a hit costs the kprobe and a
 * counter increment, and nothing global (tracing_on, the main buffer) is
 * touched. Probes slow the code they count: use them in a pass of their
 * own, never around a timed one.
 */
#ifndef VFIO_PERF_KPROBE_H
#define VFIO_PERF_KPROBE_H

#include <stddef.h>
#include <stdint.h>

#define KPROBE_MAX 8

struct kprobe_count {
	const char *func;
	char event[64];
	int created;
	char why[192];		/* why it is unavailable; "" if it is not */
	uint64_t hits, missed;	/* at kprobe_set_start() */
};

struct kprobe_set {
	char tracefs[64];
	char group[32];
	char instance[160];
	struct kprobe_count k[KPROBE_MAX];
	size_t n;
};

/*
 * Create and enable a probe on each of @funcs. Returns how many are
 * available (a function this kernel lacks gets a reason in k[i].why), or
 * -errno with the reason in @why when tracefs cannot be used at all. On
 * success the probes stay until kprobe_set_close(), which also runs at
 * exit.
 */
int kprobe_set_open(struct kprobe_set *s, const char *const *funcs, size_t n,
		    char *why, size_t whylen);

/* Take the hit counts the next kprobe_set_read() subtracts. 0 or -errno. */
int kprobe_set_start(struct kprobe_set *s);

/*
 * Hits of each available probe since kprobe_set_start() into hits[i]
 * (unavailable ones are left alone). -EIO with the reason in @why if a
 * probe missed hits (the count would be short).
 */
int kprobe_set_read(struct kprobe_set *s, uint64_t *hits, char *why, size_t whylen);

/* Disable and remove the probes and the trace instance. */
void kprobe_set_close(struct kprobe_set *s);

#endif
