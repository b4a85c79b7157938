#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Boot the QEMU target with the stock Debian 6.12 kernel and run
# vfio-dma-bench (the ASan/UBSan build) on 64 MiB buffers as found and
# from fragmented free memory: every -frag sample is verified, a
# fragmented 4K buffer has a PFN run per page (>= 90%; in practice all),
# a -frag hugetlb buffer exactly one per huge page, while the same
# buffers as found get far fewer runs in some sample (type1 coalesces
# them); meta.csv says how the state was made.
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

# runs BACKING AGG: the fewest (min) or most (max) pfn-runs of its samples.
runs() {
	csvq "$run/samples.csv" "\$c[\"backing\"] == \"$1\" && \$c[\"metric\"] == \"pfn-runs\"" \
		"v = \$c[\"value\"] + 0; n++; if (n == 1 || ($2 == \"min\" ? v < m : v > m)) m = v } END { print n, m"
}
# 64 MiB is 16384 4K pages, 32 2M pages; 2 samples each.
for b in anon-4k-frag shmem-frag memfd-frag; do
	read -r n least < <(runs "$b" min)
	expect_eq "$b pfn-runs samples" "$n" 2
	[ "$least" -ge 14746 ] || fail "$b: a sample has $least pfn-runs of 16384 pages (want >= 90%)"
	echo "$b: fewest pfn-runs $least of 16384 pages"
done
for b in hugetlb-2m-frag hugetlbfs-frag; do
	expect_eq "$b pfn-runs" "$(runs "$b" min)" "2 32"
	expect_eq "$b pfn-runs" "$(runs "$b" max)" "2 32"
done
# As found, the same buffers get longer runs: in a fresh boot the free
# lists hand out ascending pages in at least one of two samples (the
# per-cpu list and the pool are LIFO: the next sample gets them reversed).
read -r _ least < <(runs anon-4k min)
echo "anon-4k: fewest pfn-runs $least of 16384 pages"
[ "$least" -lt 8192 ] || fail "anon-4k as found: every sample has >= $least pfn-runs of 16384 pages"
read -r _ least < <(runs hugetlb-2m min)
echo "hugetlb-2m: fewest pfn-runs $least of 32 pages"
[ "$least" -lt 32 ] || fail "hugetlb-2m as found: every sample has one run per page"

for k in memstate.frag_4k memstate.frag_hugetlb vm.compaction_proactiveness; do
	v=$(csvq "$run/meta.csv" "\$1 == \"$k\"" 'print $2')
	[ -n "$v" ] || fail "meta.csv has no $k"
done
finish
