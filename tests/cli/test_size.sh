#!/bin/bash
# vfio-perf-size: the benchmarks' size parser and the case names' size
# format for shell scripts; all arguments or none, exit 2 on a bad one.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

s=$bin/vfio-perf-size
expect 0 "" "$s" --bytes 4096 4K 2M 1G 6144M 2MiB
expect_eq "bytes" "$(paste -sd ' ' "$tmp/stdout")" "4096 4096 2097152 1073741824 6442450944 2097152"
expect 0 "" "$s" --human 1073741824 1610612736 4097 268435456
expect_eq "human" "$(paste -sd ' ' "$tmp/stdout")" "1G 1536M 4097 256M"
expect 2 "'0' is not a size like 4096" "$s" --bytes 4K 0
expect_eq "nothing printed before a refusal" "$(cat "$tmp/stdout")" ""
expect 2 "'1G' is not a byte count" "$s" --human 1G
expect 2 "'-1' is not a size" "$s" --bytes -1
expect 2 "fits in 64 bits" "$s" --bytes 99999999999999999999
expect 2 "" "$s" --bogus 1
expect 0 "" "$s" --help
finish
