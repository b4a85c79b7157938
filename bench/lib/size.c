// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "size.h"

static const char size_units[] = "KMGT";

bool size_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* log2 of the multiplier for suffix @c, or -1 when @c is not one. */
static int size_unit_shift(char c)
{
	const char *u;

	if (!c)
		return -1;
	u = strchr(size_units, toupper((unsigned char)c));
	return u ? 10 * (int)(u - size_units + 1) : -1;
}

/*
 * Parse exactly @len characters of @s.  Digits are read by hand rather
 * than with strtoull() because strtoull() quietly accepts leading blanks
 * and a minus sign ("-1" becomes 2^64 - 1), which a size must never do.
 */
static int size_parse_n(const char *s, size_t len, uint64_t *out)
{
	const char *end = s + len;
	uint64_t v = 0;
	int shift = 0;
	size_t rest;

	if (s == end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (s < end && size_unit_shift(*s) > 0)
		shift = size_unit_shift(*s++);
	rest = (size_t)(end - s);
	/* "B" alone, or "iB" after a unit: "4096B", "2MiB", "2MB". */
	if (rest && !((rest == 1 && strncasecmp(s, "b", 1) == 0) ||
		      (rest == 2 && shift && strncasecmp(s, "ib", 2) == 0)))
		return -EINVAL;
	if (!v)
		return -EINVAL;
	if (shift && v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int size_parse(const char *s, uint64_t *out)
{
	return size_parse_n(s, strlen(s), out);
}

char *size_format(uint64_t v, char *buf, size_t len)
{
	int i = (int)sizeof(size_units) - 2;

	/* Zero divides by everything; print it plainly, not as "0T". */
	for (; v && i >= 0; i--) {
		int shift = 10 * (i + 1);

		if (!(v & ((UINT64_C(1) << shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> shift,
				 size_units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

static int size_sweep_parse(const char *s, const char *dots, uint64_t **out,
			    size_t *n)
{
	uint64_t min, max, v;
	size_t i, count = 1;

	if (size_parse_n(s, (size_t)(dots - s), &min) ||
	    size_parse(dots + 2, &max) || min > max)
		return -EINVAL;
	/* Both ends are included, so max must lie on the doubling path. */
	if (max % min || !size_is_pow2(max / min))
		return -EINVAL;
	for (v = min; v < max; v *= 2)
		count++;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0, v = min; i < count; i++, v *= 2)
		(*out)[i] = v;
	*n = count;
	return 0;
}

static int size_commas_parse(const char *s, uint64_t **out, size_t *n)
{
	size_t count = 1, i;
	const char *p;

	for (p = s; *p; p++)
		count += *p == ',';
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const char *comma = strchrnul(s, ',');

		if (size_parse_n(s, (size_t)(comma - s), &(*out)[i])) {
			free(*out);
			*out = NULL;
			return -EINVAL;
		}
		s = comma + 1;
	}
	*n = count;
	return 0;
}

int size_list_parse(const char *s, uint64_t **out, size_t *n)
{
	const char *dots = strstr(s, "..");

	*out = NULL;
	*n = 0;
	return dots ? size_sweep_parse(s, dots, out, n) :
		      size_commas_parse(s, out, n);
}
