#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Boot the QEMU target with two NUMA nodes (bench.sh --guest-numa 2) and
# run vfio-dma-bench (the ASan/UBSan build) with buffers bound to node 0,
# node 1 and node 2, which the guest lacks: every page of a bound buffer
# is on its node (pages-off-node 0, verified per sample), written or
# faulted in by the pin, anonymous, shared or from the huge page pool;
# the missing node is a skip that says why; meta.csv records the guest's
# nodes and the node of the benchmark's CPU.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

guest_run "$repo/tests/integration/numa-small.suite" --guest-numa 2 --no-selftests --no-plot
[[ $run != *.incomplete ]] || fail "the run is $run"

expect_eq "cases" "$(csvq "$run/cases.csv" 1 'print $c["backing"] "/" $c["populate"] "/" $c["status"]' | sort | tr '\n' ' ')" \
	"anon-4k@node0/none/ok anon-4k@node0/write/ok anon-4k@node1/none/ok anon-4k@node1/write/ok anon-4k@node2/none/skip anon-4k@node2/write/skip hugetlb-2m@node0/none/ok hugetlb-2m@node0/write/ok hugetlb-2m@node1/none/ok hugetlb-2m@node1/write/ok hugetlb-2m@node2/none/skip hugetlb-2m@node2/write/skip shmem@node0/none/ok shmem@node0/write/ok shmem@node1/none/ok shmem@node1/write/ok shmem@node2/none/skip shmem@node2/write/skip "
reason=$(csvq "$run/cases.csv" '$c["backing"] == "anon-4k@node2" && $c["populate"] == "write"' 'print $c["reason"]')
expect_eq "node 2's skip" "$reason" "no NUMA node 2 (online: 0-1): a guest with two nodes is bench.sh --guest-numa 2"
unver=$(csvq "$run/samples.csv" '$c["verified"] != "yes"' 'print')
expect_eq "unverified samples" "$unver" ""
# Every sample of every bound case has its pages on its node.
expect_eq "pages-off-node values" "$(csvq "$run/samples.csv" '$c["metric"] == "pages-off-node"' 'print $c["value"]' | sort -u | tr '\n' ' ')" "0 "
expect_eq "pages-off-node rows" "$(csvq "$run/samples.csv" '$c["metric"] == "pages-off-node"' 'n++ } END { print n + 0')" 24
# The pool's pages came from the bound node's share of the pool.
expect_eq "hugetlb-2m@node1 pages" "$(csvq "$run/samples.csv" '$c["backing"] == "hugetlb-2m@node1" && $c["metric"] == "hugetlb-pages"' 'print $c["value"]' | sort -u)" 8
meta() { csvq "$run/meta.csv" "\$1 == \"$1\"" 'print $2'; }
expect_eq "guest nodes" "$(meta numa_nodes)" "0-1"
expect_eq "guest_numa_nodes" "$(meta guest_numa_nodes)" 2
# The boot-time huge pages are split over the nodes (left to itself the
# kernel takes both 1G pages from node 1, leaving it no room for 4K).
[[ $(meta cmdline) == *"hugepagesz=1G hugepages=0:1,1:1"* ]] || fail "the 1G pages are not split over the nodes: $(meta cmdline)"
[[ $(meta cpu_node) =~ ^[01]$ ]] || fail "meta.csv cpu_node is '$(meta cpu_node)'"
grep -q 'MPOL_BIND' <<<"$(meta mem_node.verify)" || fail "meta.csv has no mem_node.verify"
# The comparison tools read the bound backings as cases of their own.
"$repo/build/release/vfio-perf-summary" "$run" >"$tmp/summary.txt" || fail "vfio-perf-summary exit $?"
grep -q 'hugetlb-2m@node1' "$tmp/summary.txt" || fail "the summary has no hugetlb-2m@node1 case"
finish
