// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <sys/mman.h>

#include "chase.h"
#include "check.h"

/* Follow the chain: every page once, back to the start, one line each. */
TEST(chase_chain_is_one_cycle_over_every_page)
{
	const uint64_t pages = 1000, ws = pages * 4096;
	uint8_t *base = mmap(NULL, ws, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *seen = calloc(pages, 1);
	void *head, *p;
	uint64_t n = 0;

	CHECK(base != MAP_FAILED && seen);
	head = chase_build(base, ws, 42);
	CHECK(head);
	p = head;
	do {
		uint64_t off = (uint64_t)((uint8_t *)p - base);

		CHECK(off < ws && off % 64 == 0);
		CHECK(!seen[off / 4096]);
		seen[off / 4096] = 1;
		p = *(void **)p;
	} while (p != head && ++n < pages);
	CHECK_EQ_U64(n, pages - 1);
	CHECK(chase_run(head, pages * 16) == head);
	free(seen);
	munmap(base, ws);
}

TEST(chase_measure_gives_ordered_quantiles)
{
	const uint64_t ws = 64 * 4096;
	uint8_t *base = mmap(NULL, ws, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct chase_result r;
	void *head;

	CHECK(base != MAP_FAILED);
	head = chase_build(base, ws, 1);
	CHECK(head);
	CHECK_EQ_U64(chase_measure(head, ws, 64, &r), 0);
	CHECK(r.p5 <= r.p50 && r.p50 <= r.p95 && r.p95 <= r.p99);
	CHECK(r.overhead_ns >= 0);
	munmap(base, ws);
}
