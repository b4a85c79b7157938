// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <sys/resource.h>

#include "faultin.h"
#include "timing.h"

#define SZ_4K (UINT64_C(1) << 12)

/*
 * Read one word of every 4 KiB page: each page faults at most once.
 * Not instrumented by ASan, whose shadow-memory checks would add faults
 * of their own to the count.
 */
__attribute__((no_sanitize_address))
static void touch_pages(const uint8_t *p, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += SZ_4K)
		(void)*(const volatile uint64_t *)(p + off);
}

static uint64_t rusage_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)(ru.ru_minflt + ru.ru_majflt);
}

void faultin_measure(struct perfev_set *pe, const void *va, uint64_t len,
		     struct faultin_figs *f)
{
	double v[PERFEV_NR];
	uint64_t r0, t0, t1;

	r0 = rusage_faults();
	perfev_start(pe, PERFEV_BIT(PERFEV_FAULTS));
	t0 = now_ns();
	touch_pages(va, len);
	t1 = now_ns();
	perfev_stop(pe, PERFEV_BIT(PERFEV_FAULTS), v);
	f->faults_rusage = (double)(rusage_faults() - r0);
	f->faults = v[PERFEV_FAULTS];
	f->ns = t1 - t0;
}
