#!/bin/bash
# vfio-dma-bench rejects bad input with one clear line and the right exit
# code (2 usage, 1 failure), before touching any device or file.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

b=$bin/vfio-dma-bench
expect 2 'device BDF is required' "$b" --out "$tmp/o"
expect 2 'out DIR is required' "$b" --device 00:03.0
expect 2 "unknown backing 'thp'" "$b" -d 00:03.0 -o "$tmp/o" --backing anon-4k,thp
expect 2 "unknown interface 'vfio'" "$b" -d 00:03.0 -o "$tmp/o" --iface vfio
expect 2 "empty backing list" "$b" -d 00:03.0 -o "$tmp/o" --backing ,
expect 2 "unknown populate state 'dirty' \(see --list\)" "$b" -d 00:03.0 -o "$tmp/o" --populate write,dirty
expect 2 "empty populate state list" "$b" -d 00:03.0 -o "$tmp/o" --populate ,
expect 2 "^vfio-dma-bench: error: --populate: 'none' twice: one case each$" "$b" -d 00:03.0 -o "$tmp/o" --populate none,read,none
expect 2 "^vfio-dma-bench: error: --mem-node: node 1 twice: one case each$" "$b" -d 00:03.0 -o "$tmp/o" --mem-node 1,0,1
expect 2 "mem-node: 'x' is not a number from 0 to 1023" "$b" -d 00:03.0 -o "$tmp/o" --mem-node 0,x
expect 2 "mem-node: empty list" "$b" -d 00:03.0 -o "$tmp/o" --mem-node ,
expect 2 "not a size list" "$b" -d 00:03.0 -o "$tmp/o" --size 1G..4K
expect 2 "not a size list" "$b" -d 00:03.0 -o "$tmp/o" --size 12Q
expect 2 "not a multiple of 4K" "$b" -d 00:03.0 -o "$tmp/o" --size 6000
expect 2 "map-chunk: '3M5'" "$b" -d 00:03.0 -o "$tmp/o" --map-chunk 3M5
expect 2 "multiple of --map-chunk" "$b" -d 00:03.0 -o "$tmp/o" --map-chunk 2M --unmap-chunk 3M
expect 2 "multiple of --map-chunk" "$b" -d 00:03.0 -o "$tmp/o" --unmap-chunk 2M
expect 2 "reps: '0' is not a number from 1 to 100000" "$b" -d 00:03.0 -o "$tmp/o" --reps 0
expect 2 "^vfio-dma-bench: error: unknown option '--foo' \(see --help\)$" "$b" -d 00:03.0 -o "$tmp/o" --foo
expect 2 "^vfio-dma-bench: error: option '--iface' needs an argument \(see --help\)$" "$b" -d 00:03.0 -o "$tmp/o" --iface
expect 2 "reps: '-3'" "$b" -d 00:03.0 -o "$tmp/o" --reps -3
expect 2 "unexpected argument 'extra'" "$b" -d 00:03.0 -o "$tmp/o" extra
expect 2 "not a PCI address" "$b" -d 00:zz -o "$tmp/o"
expect 1 "no PCI device 0000:7f:1f.7" "$b" -d 7f:1f.7 -o "$tmp/o"
# --cases names every case as the results will, with each judged metric;
# it needs no device and writes nothing.
expect 0 '' "$b" --cases --size 1G --iface type1v2 --backing hugetlb-2m --populate write,none --mem-node 1
grep -qx 'dma/hugetlb-2m@node1/type1v2/1G/populate-none/map' "$tmp/stdout" || fail "--cases: no populate-none map case: $(head -n 3 "$tmp/stdout")"
grep -qx 'dma/hugetlb-2m@node1/type1v2/1G/unmap' "$tmp/stdout" || fail "--cases: no written unmap case"
grep -q 'pfn-runs' "$tmp/stdout" && fail "--cases lists an information metric"
# Nothing was written by any of the refusals above.
[ ! -e "$tmp/o" ] || fail "a refused run created $tmp/o"

# A device that exists but is not bound to vfio-pci says how to bind it.
for d in /sys/bus/pci/devices/*; do
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null || true)
	if [ -n "$drv" ] && [ "$drv" != vfio-pci ]; then
		expect 1 "bound to $drv, not vfio-pci: echo vfio-pci > .*driver_override" \
			"$b" -d "$(basename "$d")" -o "$tmp/o"
		break
	fi
done

expect 0 "" "$b" --help
grep -q -- '--unmap-chunk' "$tmp/stdout" || fail "--help does not document --unmap-chunk"
# It ends with the quick suite's first step as the QEMU guest runs it
# (harness/guest-job.sh adds --hugetlbfs; the edu device is 00:03.0).
suite_args=$(sed -n 's/^step dma vfio-dma-bench //p' "$repo/harness/suites/quick.suite")
expect_eq "--help example" "$(tail -n 1 "$tmp/stdout")" \
	"  vfio-dma-bench --device 0000:00:03.0 --out /tmp/dma --hugetlbfs /mnt/huge-2M $suite_args"
expect 0 "" "$b" --list
# Each populate state with the method this kernel gets it by.
grep -Eq '^  write +(MADV_POPULATE_WRITE|write loop)$' "$tmp/stdout" || fail "--list: no write state: $(cat "$tmp/stdout")"
grep -Eq '^  none +nothing$' "$tmp/stdout" || fail "--list: no none state"
for name in anon-4k anon-thp shmem shmem-thp memfd memfd-2m memfd-1g hugetlb-2m hugetlb-1g hugetlbfs \
	anon-4k-frag shmem-frag memfd-frag memfd-2m-frag memfd-1g-frag hugetlb-2m-frag hugetlb-1g-frag hugetlbfs-frag \
	type1 type1v2 iommufd-compat iommufd iommufd-file; do
	grep -qE "^  $name " "$tmp/stdout" || fail "--list lacks $name"
done
# --target and --accel name what ran: anything else is refused.
expect 2 "^vfio-dma-bench: error: --accel must be kvm, tcg, icount or none, not 'bogus'$" "$bin/vfio-dma-bench" --accel bogus --plan
expect 2 "^vfio-dma-bench: error: --target must be qemu or host, not 'cloud'$" "$bin/vfio-dma-bench" --target cloud --plan
# --plan needs no device and prints POOL BYTES lines.
expect 0 "" "$bin/vfio-dma-bench" --plan --size 512M
grep -qx 'normal 536870912' "$tmp/stdout" || fail "--plan --size 512M: $(cat "$tmp/stdout")"
# A fragmented 4K buffer plans for its holder, 2 x (P + P/128 + 256) pages
# and 9 bytes of bookkeeping each (the buffer takes the half the holder
# gives back); the hugetlb pools
# are only reordered. The default backings leave the -frag ones out.
expect 0 "" "$bin/vfio-dma-bench" --plan --size 64M --backing anon-4k,anon-4k-frag,hugetlb-2m-frag
expect_eq "--plan of -frag backings" "$(cat "$tmp/stdout")" "normal $((2 * (16384 + 128 + 256) * 4105))
hugetlb-2m 67108864"
expect 0 "" "$bin/vfio-dma-bench" --plan --size 1G --backing memfd-frag,memfd-1g-frag
expect_eq "--plan of 1G -frag" "$(cat "$tmp/stdout")" "normal $((2 * (262144 + 2048 + 256) * 4105))
hugetlb-1g 1073741824"
expect 0 "" "$bin/vfio-dma-bench" --plan --size 64M
expect_eq "--plan of the default backings" "$(head -n 1 "$tmp/stdout")" "normal 67108864"
finish
