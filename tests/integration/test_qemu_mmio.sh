#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Boot the QEMU target with the stock Debian 6.12 kernel and run
# vfio-mmio-bench (the ASan/UBSan build) on ivshmem's 2 GiB BAR2: a 1 GiB
# mapping must take exactly 1, 512 and 262144 faults and kprobe-counted
# insertions at the PUD, PMD and PTE levels, mmap(NULL) must get PMDs,
# and a level that was asked for and not obtained must fail its case,
# naming what was obtained, while the level after it still runs. The
# run's charts must be drawn.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

suite=$repo/tests/integration/mmio-small.suite
rc=0
"$repo/harness/bench.sh" --suite "$suite" --accel "${VFIO_PERF_TEST_ACCEL:-tcg}" \
	--results "$tmp/results" --bindir "$repo/build/asan" >"$tmp/bench.log" 2>&1 || rc=$?
cat "$tmp/bench.log"
# The mismatch step fails, so the run does.
expect_eq "bench.sh exit" "$rc" 1
run=$(find "$tmp/results" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$run" ] || { echo "no run directory"; exit 1; }
for f in samples.csv cases.csv meta.csv guest.log summary.csv \
	mmio-faults-1G.png mmio-faults-1G.svg mmio-barmap-1G.png mmio-barmap-1G.svg \
	mmio-load.png mmio-load.svg mmio-bw.png mmio-bw.svg; do
	[ -s "$run/$f" ] || fail "$run/$f missing or empty"
done

meta() {
	csvq "$run/meta.csv" "\$1 == \"$1\"" 'v = $2; gsub(/^"|"$/, "", v); gsub(/""/, "\"", v); print v'
}
# value LEVEL METRIC [SIZE]: the 1G (or SIZE) fault-in case's sample.
value() {
	csvq "$run/samples.csv" "\$c[\"bench\"] == \"mmio\" && \$c[\"backing\"] == \"bar\" && \$c[\"level\"] == \"$1\" && \$c[\"size_bytes\"] == ${3:-1073741824} && \$c[\"chunk_bytes\"] == ${3:-1073741824} && \$c[\"iface\"] == \"\" && \$c[\"metric\"] == \"$2\"" 'print $c["value"]'
}

expect_eq "step mmio exit" "$(meta step.mmio.exit)" 0
expect_eq "container of the BAR DMA-map" "$(meta bar_dma_iface)" type1v2
expect_eq "step mmio-mismatch exit" "$(meta step.mmio-mismatch.exit)" 1

# Exact fault counts, both ways, and the kernel's own insertion counts.
declare -A faults=([pud]=1 [pmd]=512 [pte]=262144)
declare -A probe=([pud]=vmf_insert_pfn_pud [pmd]=vmf_insert_pfn_pmd [pte]=vmf_insert_pfn)
declare -A bytes=([pud]=1073741824 [pmd]=2097152 [pte]=4096)
for l in pud pmd pte; do
	expect_eq "$l faults" "$(value "$l" faults)" "${faults[$l]}"
	expect_eq "$l faults-rusage" "$(value "$l" faults-rusage)" "${faults[$l]}"
	for f in vmf_insert_pfn vmf_insert_pfn_pmd vmf_insert_pfn_pud; do
		want=0
		[ "$f" != "${probe[$l]}" ] || want=${faults[$l]}
		expect_eq "$l kprobe-$f" "$(value "$l" "kprobe-$f")" "$want"
	done
	expect_eq "$l level-obtained" "$(value "$l" level-obtained)" "${bytes[$l]}"
done

# mmap(NULL) on 6.12 aligns the BAR to 2 MiB (thp_get_unmapped_area), and
# to 1 GiB only by chance (1 in 512): then it is a PUD, and says so.
if [ "$(meta auto_va_congruence)" = 1G ]; then
	expect_eq "auto level-obtained (1G-congruent by chance)" "$(value auto level-obtained)" 1073741824
else
	expect_eq "auto_va_congruence" "$(meta auto_va_congruence)" 2M
	expect_eq "auto faults" "$(value auto faults)" 512
	expect_eq "auto kprobe-vmf_insert_pfn_pmd" "$(value auto kprobe-vmf_insert_pfn_pmd)" 512
	expect_eq "auto level-obtained" "$(value auto level-obtained)" 2097152
fi

# Every case of the first step ran and matched; no unavailable figure was
# written as a number.
bad=$(csvq "$run/cases.csv" '$c["bench"] == "mmio" && $c["size_bytes"] != 2147483648 && $c["status"] != "ok"' 'print')
expect_eq "mmio cases not ok" "$bad" ""
ncase=$(csvq "$run/cases.csv" '$c["bench"] == "mmio" && $c["size_bytes"] != 2147483648' 'n++ } END { print n')
# Per level: fault-in, 2 bandwidth, DMA-map, 3 working sets; per baseline: 2 + 3.
expect_eq "mmio cases" "$ncase" $((4 * 7 + 2 * 5))
unver=$(csvq "$run/samples.csv" '$c["bench"] == "mmio" && $c["size_bytes"] != 2147483648 && $c["verified"] != "yes"' 'print')
expect_eq "unverified mmio samples" "$unver" ""
for m in load-ns read-bw write-bw bar-map bar-map-cold fault-in; do
	n=$(csvq "$run/samples.csv" "\$c[\"metric\"] == \"$m\" && !(\$c[\"value\"] > 0)" 'print')
	expect_eq "non-positive $m samples" "$n" ""
done

# The mismatch: failed, naming what was obtained.
why=$(csvq "$run/cases.csv" '$c["level"] == "pud" && $c["size_bytes"] == 2147483648' \
	'r = $c["reason"]; gsub(/^"|"$/, "", r); print $c["status"] ": " r')
[[ $why == "fail: requested pud, obtained pmd: kprobes counted 0 pud, 1024 pmd, 0 pte"* ]] ||
	fail "mismatch case: '$why'"
grep -q 'requested pud, obtained pmd' "$run/guest.log" || fail "guest.log does not report the mismatch"
# The level after the failed one still ran, and passed.
expect_eq "mismatch step: pmd after the failed pud" "$(csvq "$run/cases.csv" \
	'$c["level"] == "pmd" && $c["size_bytes"] == 2147483648' 'print $c["status"]')" ok
expect_eq "mismatch step: pmd faults" "$(value pmd faults-rusage 2147483648)" 1024
# The example that ends --help names the device the guest really has.
expect_eq "ivshmem device" "$(meta device)" 0000:00:02.0

# No PMU under TCG and no page-table dump in Debian's kernel: unavailable,
# with a reason, never a zero.
[[ $(meta counter.hw-cycles) == "unavailable: "* ]] || fail "counter.hw-cycles: '$(meta counter.hw-cycles)'"
[[ $(meta ptdump) == "unavailable: "* ]] || fail "ptdump: '$(meta ptdump)'"
expect_eq "counter.faults" "$(meta counter.faults)" "software page-faults"
for f in vmf_insert_pfn vmf_insert_pfn_pmd vmf_insert_pfn_pud; do
	expect_eq "kprobe.$f" "$(meta "kprobe.$f")" available
done
hw=$(csvq "$run/samples.csv" '$c["metric"] ~ /^hw-/' 'print')
expect_eq "hw-* samples without a PMU" "$hw" ""
expect_eq "accel" "$(meta accel)" "${VFIO_PERF_TEST_ACCEL:-tcg}"
finish
