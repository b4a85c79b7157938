/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4), to find a run's kernel config by the hash its
 * meta.csv records (kernel_config_sha256, sha256sum of the config).
 */
#ifndef VFIO_PERF_SHA256_H
#define VFIO_PERF_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* 64 hex digits and the NUL. */
#define SHA256_HEX_LEN 65

/* The lowercase hex digest of @len bytes at @data into @hex. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN]);

#endif
