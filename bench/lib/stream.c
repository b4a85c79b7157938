// SPDX-License-Identifier: GPL-2.0
#include <immintrin.h>

#include "stream.h"
#include "timing.h"

/* Keeps what was read alive so no read can be optimised away. */
static volatile uint64_t stream_sink;

static bool has_avx512(void)
{
	return __builtin_cpu_supports("avx512f");
}

static void read8(void *p, uint64_t len)
{
	const volatile uint64_t *v = p;
	uint64_t acc = 0;

	for (uint64_t i = 0; i < len / 8; i++)
		acc ^= v[i];
	stream_sink = acc;
}

static void write8(void *p, uint64_t len)
{
	volatile uint64_t *v = p;

	for (uint64_t i = 0; i < len / 8; i++)
		v[i] = i;
}

__attribute__((target("avx512f"))) static void read64_avx512(void *p, uint64_t len)
{
	__m512i acc = _mm512_setzero_si512();

	for (uint8_t *c = p, *end = c + len; c < end; c += 64)
		acc = _mm512_xor_si512(acc, _mm512_load_si512((void *)c));
	stream_sink = (uint64_t)_mm512_reduce_add_epi64(acc);
}

__attribute__((target("avx512f"))) static void write64_avx512(void *p, uint64_t len)
{
	__m512i v = _mm512_set1_epi64(0x5a5a5a5a5a5a5a5a);

	for (uint8_t *c = p, *end = c + len; c < end; c += 64)
		_mm512_store_si512((void *)c, v);
}

static void read64_sse2(void *p, uint64_t len)
{
	__m128i acc = _mm_setzero_si128();

	for (uint8_t *c = p, *end = c + len; c < end; c += 64) {
		const __m128i *q = (const __m128i *)c;

		acc = _mm_xor_si128(acc, _mm_load_si128(q));
		acc = _mm_xor_si128(acc, _mm_load_si128(q + 1));
		acc = _mm_xor_si128(acc, _mm_load_si128(q + 2));
		acc = _mm_xor_si128(acc, _mm_load_si128(q + 3));
	}
	stream_sink = (uint64_t)_mm_cvtsi128_si64(acc);
}

static void write64_sse2(void *p, uint64_t len)
{
	__m128i v = _mm_set1_epi64x(0x5a5a5a5a5a5a5a5a);

	for (uint8_t *c = p, *end = c + len; c < end; c += 64) {
		__m128i *q = (__m128i *)c;

		_mm_store_si128(q, v);
		_mm_store_si128(q + 1, v);
		_mm_store_si128(q + 2, v);
		_mm_store_si128(q + 3, v);
	}
}

uint64_t stream_time(void *p, uint64_t len, unsigned int width, bool write)
{
	void (*fn)(void *, uint64_t);
	uint64_t t0;

	if (width == 8)
		fn = write ? write8 : read8;
	else if (has_avx512())
		fn = write ? write64_avx512 : read64_avx512;
	else
		fn = write ? write64_sse2 : read64_sse2;
	t0 = now_ns();
	fn(p, len);
	return now_ns() - t0;
}

const char *stream_width_what(unsigned int width)
{
	if (width == 8)
		return "one 8-byte load or store (volatile)";
	return has_avx512() ? "one 64-byte AVX-512 load or store" :
	       "four 16-byte SSE2 loads or stores (no AVX-512)";
}
