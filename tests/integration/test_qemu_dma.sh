#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Boot the QEMU target with the stock Debian 6.12 kernel and run
# vfio-dma-bench (the ASan/UBSan build) on every backing and interface at
# small sizes; then check the run directory: every case ran or was
# skipped with a reason, times are positive, THP and hugetlb figures are
# verified, metadata names the kernel, and the chart exists.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

suite=$repo/tests/integration/dma-small.suite
"$repo/harness/bench.sh" --suite "$suite" --accel "${VFIO_PERF_TEST_ACCEL:-tcg}" \
	--results "$tmp/results" --bindir "$repo/build/asan" 2>&1 | tee "$tmp/bench.log"
run=$(find "$tmp/results" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$run" ] || { echo "no run directory"; exit 1; }
for f in samples.csv cases.csv meta.csv console.log guest.log summary.csv dma-16M.png dma-16M.svg dma-1G.png; do
	[ -s "$run/$f" ] || fail "$run/$f missing or empty"
done

# Every case of the suite is in cases.csv, ok or skipped with a reason.
ncase=$(csvq "$run/cases.csv" 1 'n++ } END { print n')
expect_eq "cases" "$ncase" $((5 * 10 + 2 + 2 * 2))
bad=$(csvq "$run/cases.csv" '$c["status"] != "ok" && ($c["status"] != "skip" || $c["reason"] == "")' 'print')
expect_eq "cases neither ok nor skipped with a reason" "$bad" ""

# Stock Debian kernels have no IOMMUFD: those interfaces are skipped, and
# say why; the legacy ones run every backing.
nofd=$(csvq "$run/cases.csv" '$c["iface"] ~ /^iommufd/ && $c["reason"] !~ /IOMMUFD/' 'print')
expect_eq "iommufd skips without the reason" "$nofd" ""
for iface in type1 type1v2; do
	for b in anon-4k anon-thp shmem shmem-thp memfd memfd-2m hugetlb-2m hugetlbfs; do
		st=$(csvq "$run/cases.csv" "\$c[\"iface\"] == \"$iface\" && \$c[\"backing\"] == \"$b\" && \$c[\"size_bytes\"] == 16777216 && \$c[\"chunk_bytes\"] == 16777216" 'print $c["status"]')
		expect_eq "$iface $b status" "$st" ok
	done
done
for b in hugetlb-1g memfd-1g; do
	st=$(csvq "$run/cases.csv" "\$c[\"backing\"] == \"$b\" && \$c[\"size_bytes\"] == 1073741824" 'print $c["status"]')
	expect_eq "$b 1G status" "$st" ok
	st=$(csvq "$run/cases.csv" "\$c[\"backing\"] == \"$b\" && \$c[\"size_bytes\"] == 16777216 && \$c[\"iface\"] == \"type1v2\"" 'print $c["reason"]')
	[[ $st == *"not a multiple of the 1048576K page"* ]] || fail "$b 16M skip reason: '$st'"
done

# Every timed phase of every ok case has one positive sample per rep.
for ph in mmap populate map unmap munmap; do
	nonpos=$(csvq "$run/samples.csv" "\$c[\"metric\"] == \"$ph\" && !(\$c[\"value\"] > 0)" 'print')
	expect_eq "non-positive $ph samples" "$nonpos" ""
done
nmap=$(csvq "$run/samples.csv" '$c["metric"] == "map"' 'n++ } END { print n')
expect_eq "map samples" "$nmap" $((2 * 8 * 2 + 2 * 1 + 2 * 2 * 2))
# Required columns first, in order; every row says where it came from.
expect_eq "header" "$(head -n 1 "$run/samples.csv" | cut -d, -f1-12)" \
	"run_id,bench,backing,level,iface,size_bytes,chunk_bytes,metric,boot,rep,value,unit"
nowhere=$(csvq "$run/samples.csv" '$c["kernel"] !~ /^6\.12\./ || $c["target"] != "qemu" || $c["accel"] == "" || $c["device"] == ""' 'print')
expect_eq "rows without provenance" "$nowhere" ""

# What was obtained is what was asked for.
unver=$(csvq "$run/samples.csv" '$c["verified"] != "yes"' 'print')
expect_eq "unverified samples" "$unver" ""
thp=$(csvq "$run/samples.csv" '$c["backing"] == "anon-thp" && $c["metric"] == "thp-fraction" && $c["value"] < 0.9' 'print')
expect_eq "anon-thp samples under 90% THP" "$thp" ""
nthp=$(csvq "$run/samples.csv" '$c["backing"] ~ /thp$/ && $c["metric"] == "thp-fraction"' 'n++ } END { print n')
expect_eq "thp-fraction rows" "$nthp" 8
pages=$(csvq "$run/samples.csv" '$c["backing"] == "hugetlb-2m" && $c["metric"] == "hugetlb-pages" && $c["size_bytes"] == 16777216' 'print $c["value"]' | sort -u)
expect_eq "2M pages for 16M" "$pages" 8
pages=$(csvq "$run/samples.csv" '$c["backing"] ~ /1g$/ && $c["metric"] == "hugetlb-pages"' 'print $c["value"]' | sort -u)
expect_eq "1G pages for 1G" "$pages" 1
# A 4K buffer has many PFN runs; a 1G page is one.
runs=$(csvq "$run/samples.csv" '$c["backing"] == "hugetlb-1g" && $c["metric"] == "pfn-runs"' 'print $c["value"]' | sort -u)
expect_eq "pfn runs of a 1G page" "$runs" 1

# Metadata: the guest's kernel, the accelerator, THP settings, the device.
for k in kernel accel thp_enabled thp_shmem_enabled device iommu_class qemu_version bench_suite case_order; do
	v=$(csvq "$run/meta.csv" "\$1 == \"$k\"" 'print $2')
	[ -n "$v" ] || fail "meta.csv has no $k"
done
grep -q 'vfio-perf: guest ready' "$run/console.log" || fail "console log lacks the guest's ready line"
finish
