#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Boot the QEMU target with the stock Debian 6.12 kernel and run
# vfio-dma-bench (the ASan/UBSan build) on buffers from fragmented free
# memory and as found: every sample is verified, a fragmented 4K buffer
# of 64M or 1G has a PFN run per page (>= 90%; in practice all or nearly),
# a -frag hugetlb buffer exactly one per huge page, while a 4K buffer as
# found gets far fewer runs (type1 coalesces them); meta.csv says how the
# state was made.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

suite=$repo/tests/integration/memstate-small.suite
"$repo/harness/bench.sh" --suite "$suite" --accel "${VFIO_PERF_TEST_ACCEL:-tcg}" \
	--results "$tmp/results" --bindir "$repo/build/asan" --no-plot 2>&1 | tee "$tmp/bench.log"
run=$(find "$tmp/results" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$run" ] || { echo "no run directory"; exit 1; }

bad=$(csvq "$run/cases.csv" '$c["status"] != "ok"' 'print $c["backing"], $c["status"], $c["reason"]')
expect_eq "cases not ok" "$bad" ""
unver=$(csvq "$run/samples.csv" '$c["verified"] != "yes"' 'print')
expect_eq "unverified samples" "$unver" ""

# runs BACKING SIZE AGG: the fewest (min) or most (max) pfn-runs of its
# samples of SIZE bytes, after their count.
runs() {
	csvq "$run/samples.csv" "\$c[\"backing\"] == \"$1\" && \$c[\"size_bytes\"] == $2 && \$c[\"metric\"] == \"pfn-runs\"" \
		"v = \$c[\"value\"] + 0; n++; if (n == 1 || (\"$3\" == \"min\" ? v < m : v > m)) m = v } END { print n, m"
}
m64=$((64 << 20)) g1=$((1 << 30))
# 64 MiB is 16384 4K pages, 32 2M pages; 1 GiB 262144 4K pages.
for b in anon-4k-frag shmem-frag memfd-frag; do
	read -r n least < <(runs "$b" $m64 min)
	expect_eq "$b pfn-runs samples" "$n" 2
	[ "$least" -ge 14746 ] || fail "$b: a sample has $least pfn-runs of 16384 pages (want >= 90%)"
	echo "$b 64M: fewest pfn-runs $least of 16384 pages"
done
read -r n least < <(runs anon-4k-frag $g1 min)
expect_eq "anon-4k-frag 1G pfn-runs samples" "$n" 1
[ "$least" -ge 235930 ] || fail "anon-4k-frag 1G: $least pfn-runs of 262144 pages (want >= 90%)"
echo "anon-4k-frag 1G: $least pfn-runs of 262144 pages"
for b in hugetlb-2m-frag hugetlbfs-frag; do
	expect_eq "$b fewest pfn-runs" "$(runs "$b" $m64 min)" "2 32"
	expect_eq "$b most pfn-runs" "$(runs "$b" $m64 max)" "2 32"
done
# As found, a 1G buffer mostly comes from whole blocks the allocator
# splits in address order: type1 coalesces it into far fewer runs
# (about a tenth of its pages in a fresh guest).
read -r _ most < <(runs anon-4k $g1 max)
echo "anon-4k 1G as found: most pfn-runs $most of 262144 pages"
[ "$most" -lt 131072 ] || fail "anon-4k 1G as found: a sample has $most pfn-runs of 262144 pages (want < 50%)"
# The 2M pool as found: whatever order boot and the cases before left
# (under icount it alternates between long runs and one run per page,
# sample by sample; under TCG the boot's parallel allocation leaves it
# scattered). Shown, not judged.
echo "hugetlb-2m 1G as found: pfn-runs from $(runs hugetlb-2m $g1 min | cut -d' ' -f2) to $(runs hugetlb-2m $g1 max | cut -d' ' -f2) of 512 pages"

for k in memstate.frag_4k memstate.frag_hugetlb vm.compaction_proactiveness; do
	v=$(csvq "$run/meta.csv" "\$1 == \"$k\"" 'print $2')
	[ -n "$v" ] || fail "meta.csv has no $k"
done
finish
