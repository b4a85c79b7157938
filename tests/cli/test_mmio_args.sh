#!/bin/bash
# vfio-mmio-bench rejects bad input with one clear line and the right exit
# code (2 usage, 1 failure), before touching any device or file; --help
# and --list say what it measures.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

b=$bin/vfio-mmio-bench
expect 2 'device BDF is required' "$b" --out "$tmp/o"
expect 2 'out DIR is required' "$b" --device 00:04.0
expect 2 "unknown level 'p4d'" "$b" -d 00:04.0 -o "$tmp/o" --level pte,p4d
expect 2 "empty level list" "$b" -d 00:04.0 -o "$tmp/o" --level ,
expect 2 "unknown phase 'tlb'" "$b" -d 00:04.0 -o "$tmp/o" --phases load,tlb
expect 2 "unknown baseline 'hugetlb-2m'" "$b" -d 00:04.0 -o "$tmp/o" --baseline hugetlb-2m
expect 2 "size: '1G5' is not a size" "$b" -d 00:04.0 -o "$tmp/o" --size 1G5
expect 2 "offset: '6000' is not a size in multiples of 4K" "$b" -d 00:04.0 -o "$tmp/o" --offset 6000
expect 2 "working-set: '1G..4K' is not a size list" "$b" -d 00:04.0 -o "$tmp/o" --working-set 1G..4K
expect 2 "working-set: 6000 is not a multiple of 4K" "$b" -d 00:04.0 -o "$tmp/o" --working-set 6000
expect 2 "bar: '6' is not a number from 0 to 5" "$b" -d 00:04.0 -o "$tmp/o" --bar 6
expect 2 "place-as: 'auto' is not pte, pmd or pud" "$b" -d 00:04.0 -o "$tmp/o" --place-as auto
expect 2 "reps: '0' is not a number from 1 to 100000" "$b" -d 00:04.0 -o "$tmp/o" --reps 0
expect 2 "batches: '0' is not a number from 1 to 1048576" "$b" -d 00:04.0 -o "$tmp/o" --batches 0
expect 2 "warmup: '1001' is not a number from 0 to 1000" "$b" -d 00:04.0 -o "$tmp/o" --warmup 1001
# A bad option is one line naming it, not getopt's message and the usage.
expect 2 "^vfio-mmio-bench: error: unknown option '--foo' \(see --help\)$" "$b" -d 00:04.0 --foo -o "$tmp/o"
expect 2 "^vfio-mmio-bench: error: unknown option '--foo' \(see --help\)$" "$b" --foo=1
expect 2 "^vfio-mmio-bench: error: unknown option '-Z' \(see --help\)$" "$b" -Z
expect 2 "^vfio-mmio-bench: error: option '--size' needs an argument \(see --help\)$" "$b" -d 00:04.0 -o "$tmp/o" --size
expect 2 "^vfio-mmio-bench: error: option '--reps' needs an argument \(see --help\)$" "$b" -d 00:04.0 -o "$tmp/o" -r
expect 2 "^vfio-mmio-bench: error: option '--list' takes no argument \(see --help\)$" "$b" --list=all
expect 2 "cpu: 'x' is not a number" "$b" -d 00:04.0 -o "$tmp/o" --cpu x
expect 2 "unexpected argument 'extra'" "$b" -d 00:04.0 -o "$tmp/o" extra
expect 2 "not a PCI address" "$b" -d 00:zz -o "$tmp/o"
expect 1 "no PCI device 0000:7f:1f.7" "$b" -d 7f:1f.7 -o "$tmp/o"
[ ! -e "$tmp/o" ] || fail "a refused run created $tmp/o"

# The internal re-execution for mmap(NULL) is not a way in.
expect 2 'internal use only' "$b" --internal-freshmap

# libperf, which the build makes from a kernel tree.
expect 0 "" "$repo/harness/libperf.sh" --help
expect 2 '^libperf\.sh: error: --out DIR is required' "$repo/harness/libperf.sh"

expect 0 "" "$b" --help
for opt in --level --phases --working-set --baseline --place-as --bw-size; do
	grep -q -- "$opt" "$tmp/stdout" || fail "--help does not document $opt"
done
# --help ends with the invocation the quick suite runs in the QEMU guest
# (test_qemu_mmio checks that the ivshmem device is 0000:00:02.0 there).
suite_args=$(sed -n 's/^step mmio vfio-mmio-bench //p' "$repo/harness/suites/quick.suite")
expect_eq "--help example" "$(tail -n 1 "$tmp/stdout")" \
	"  vfio-mmio-bench --device 0000:00:02.0 --out /tmp/mmio $suite_args"
expect 0 "" "$b" --list
for name in pte pmd pud auto load bw bar-map anon-4k anon-thp; do
	grep -qE "^  $name " "$tmp/stdout" || fail "--list lacks $name"
done
# --target and --accel name what ran: anything else is refused.
expect 2 "^vfio-mmio-bench: error: --accel must be kvm, tcg, icount or none, not 'bogus'$" "$bin/vfio-mmio-bench" --accel bogus --plan
expect 2 "^vfio-mmio-bench: error: --target must be qemu or host, not 'cloud'$" "$bin/vfio-mmio-bench" --target cloud --plan
# --plan needs no device and prints POOL BYTES lines.
expect 0 "" "$bin/vfio-mmio-bench" --plan --size 512M
grep -qx 'normal 536870912' "$tmp/stdout" || fail "--plan --size 512M: $(cat "$tmp/stdout")"
# --cases needs no device: a window at an offset, its fault-in and its
# DMA-map; no bandwidth case when that phase is off.
expect 0 "" "$bin/vfio-mmio-bench" --cases --size 1G --offset 512M --level auto --phases bar-map --baseline none
grep -qx 'mmio/bar@512M/auto/1G/faults' "$tmp/stdout" || fail "--cases: no faults case: $(head -n 3 "$tmp/stdout")"
grep -qx 'mmio/bar@512M/auto/type1v2/1G/bar-map' "$tmp/stdout" || fail "--cases: no bar-map case"
grep -q '/chunk-' "$tmp/stdout" && fail "--cases: a load or bandwidth case with those phases off: $(grep -m 1 '/chunk-' "$tmp/stdout")"
expect 0 "" "$bin/vfio-mmio-bench" --cases --size 2M --level pmd --phases bw --baseline none
grep -q '^mmio/bar/pmd/.*/chunk-' "$tmp/stdout" || fail "--cases: no bandwidth case with the phase on"
finish
