#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Boot the QEMU target with the stock Debian 6.12 kernel and run
# vfio-dma-bench (the ASan/UBSan build) in every populate state: each
# sample is verified in its state (pages present, resident and dirty
# before the map), an untouched buffer has no populate phase and its map
# costs more than a written one's, the backing is still verified (THP,
# huge pages), and meta.csv says how each state was made.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

guest_run "$repo/tests/integration/populate-small.suite" --no-plot
[[ $run != *.incomplete ]] || fail "the run is $run"

bad=$(csvq "$run/cases.csv" '$c["status"] != "ok" && $c["backing"] !~ /-frag$/' 'print $c["backing"], $c["populate"], $c["status"], $c["reason"]')
expect_eq "cases not ok" "$bad" ""
expect_eq "cases" "$(csvq "$run/cases.csv" '$c["backing"] !~ /-frag$/' 'print $c["backing"] "/" $c["populate"]' | sort | tr '\n' ' ')" \
	"anon-4k/none anon-4k/read anon-4k/write anon-thp/none anon-thp/read anon-thp/write hugetlb-2m/none hugetlb-2m/read hugetlb-2m/write shmem/none shmem/read shmem/write "
# -frag pages the pin allocates (unmovable) are skipped with the reason;
# a shared buffer only read was populated from user space: measured.
expect_eq "-frag cases" "$(csvq "$run/cases.csv" '$c["backing"] ~ /-frag$/' 'print $c["backing"] "/" $c["populate"] "/" $c["status"]' | sort | tr '\n' ' ')" \
	"anon-4k-frag/none/skip anon-4k-frag/read/skip shmem-frag/none/skip shmem-frag/read/ok "
why=$(csvq "$run/cases.csv" '$c["backing"] == "anon-4k-frag" && $c["populate"] == "read"' 'print $c["reason"]')
[[ $why == *"unmovable (a long-term pin clears __GFP_MOVABLE)"* ]] || fail "anon-4k-frag read: skip reason '$why'"
unver=$(csvq "$run/samples.csv" '$c["verified"] != "yes"' 'print')
expect_eq "unverified samples" "$unver" ""

# fig BACKING STATE METRIC: the distinct values of its samples.
fig() {
	csvq "$run/samples.csv" "\$c[\"backing\"] == \"$1\" && \$c[\"populate\"] == \"$2\" && \$c[\"metric\"] == \"$3\"" \
		'print $c["value"]' | sort -u | tr '\n' ' '
}
pages=4096 bytes=$((16 << 20))
for b in anon-4k anon-thp shmem hugetlb-2m; do
	expect_eq "$b none: present pages" "$(fig $b none present-pages)" "0 "
	expect_eq "$b none: resident" "$(fig $b none resident-bytes)" "0 "
	expect_eq "$b none: no populate phase" "$(fig $b none populate)" ""
	expect_eq "$b read: present pages" "$(fig $b read present-pages)" "$pages "
	expect_eq "$b write: present pages" "$(fig $b write present-pages)" "$pages "
	expect_eq "$b write: resident" "$(fig $b write resident-bytes)" "$bytes "
done
# A private buffer only read maps the zero page: nothing resident, nothing
# dirty; a shared one holds clean pages.
for b in anon-4k anon-thp; do
	expect_eq "$b read: resident" "$(fig $b read resident-bytes)" "0 "
done
expect_eq "shmem read: resident" "$(fig shmem read resident-bytes)" "$bytes "
for b in anon-4k anon-thp shmem; do
	expect_eq "$b read: dirty" "$(fig $b read dirty-bytes)" "0 "
	expect_eq "$b write: dirty" "$(fig $b write dirty-bytes)" "$bytes "
done
# Hugetlb shows no dirty bytes in smaps: no such row, and every page resident.
expect_eq "hugetlb-2m: dirty rows" "$(fig hugetlb-2m write dirty-bytes)$(fig hugetlb-2m read dirty-bytes)" ""
expect_eq "hugetlb-2m read: resident" "$(fig hugetlb-2m read resident-bytes)" "$bytes "
# The pin faults the backing in: still THP, still the pool's pages.
for st in write read none; do
	expect_eq "hugetlb-2m $st: pages" "$(fig hugetlb-2m $st hugetlb-pages)" "8 "
done
for st in write none; do
	expect_eq "anon-thp $st: thp-fraction" "$(fig anon-thp $st thp-fraction)" "1 "
done
# Only read, a private THP buffer holds the huge zero page: what the
# pin's write fault makes of it is the kernel's (stock 6.12 splits it
# into 4K pages), recorded every sample, not required.
n=$(csvq "$run/samples.csv" '$c["backing"] == "anon-thp" && $c["populate"] == "read" && $c["metric"] == "thp-fraction"' 'n++ } END { print n + 0')
expect_eq "anon-thp read: thp-fraction rows" "$n" 2
echo "anon-thp read: thp-fraction after the pin: $(fig anon-thp read thp-fraction)"
# Untouched, the map faults in and zeroes every page: it costs more
# than mapping the same buffer written (every sample against every one).
slowest_write=$(csvq "$run/samples.csv" '$c["backing"] == "anon-4k" && $c["populate"] == "write" && $c["metric"] == "map"' \
	'v = $c["value"] + 0; if (v > m) m = v } END { print m')
fastest_none=$(csvq "$run/samples.csv" '$c["backing"] == "anon-4k" && $c["populate"] == "none" && $c["metric"] == "map"' \
	'v = $c["value"] + 0; if (!n++ || v < m) m = v } END { print m')
echo "anon-4k 16M map: written at most $slowest_write ns, untouched at least $fastest_none ns"
[ "$fastest_none" -gt "$slowest_write" ] || fail "an untouched anon-4k map ($fastest_none ns) is not slower than a written one ($slowest_write ns)"
for st in write read none; do
	v=$(csvq "$run/meta.csv" "\$1 == \"populate.$st\"" 'print $2')
	[[ $v =~ ^(MADV_POPULATE_WRITE|MADV_POPULATE_READ|write\ loop|read\ loop|nothing)$ ]] || fail "meta.csv populate.$st is '$v'"
done
# The summary says that an untouched buffer's map is the whole cost.
"$repo/build/release/vfio-perf-summary" "$run" >"$tmp/summary.txt"
grep -q '^note: 4 populate-none case(s): nothing touched the buffer before its map' "$tmp/summary.txt" ||
	fail "the summary has no populate-none note: $(tail -n 3 "$tmp/summary.txt")"
finish
