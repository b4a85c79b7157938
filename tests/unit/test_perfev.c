// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <sys/mman.h>

#include "check.h"
#include "perfev.h"

/* Faults are a software event: every kernel counts them for us. */
TEST(perfev_counts_faults_and_explains_what_is_missing)
{
	const size_t pages = 64;
	struct perfev_set s;
	double v[PERFEV_NR];
	volatile char *p;

	perfev_open(&s);
	p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (perfev_available(&s, PERFEV_FAULTS)) {
		perfev_start(&s, PERFEV_BIT(PERFEV_FAULTS));
		for (size_t i = 0; i < pages; i++)
			p[i * 4096] = 1;
		perfev_stop(&s, PERFEV_BIT(PERFEV_FAULTS), v);
		CHECK(v[PERFEV_FAULTS] >= (double)pages);
		CHECK(isnan(v[PERFEV_CYCLES]));	/* not asked for */
	}
	/* Unavailable counters say why; available ones say what they are. */
	for (int i = 0; i < PERFEV_NR; i++)
		CHECK(perfev_available(&s, i) ? s.ev[i].what[0] != '\0' : s.ev[i].why[0] != '\0');
	perfev_close(&s);
	munmap((void *)p, pages * 4096);
}
