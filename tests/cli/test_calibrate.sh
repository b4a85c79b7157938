#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# vfio-perf-calibrate and harness/calibrate.sh: A/A splits of one
# kernel's boots (every way of k + k, each once) judged with
# vfio-perf-compare's rules, the power check, calibration.csv read back
# by vfio-perf-compare --calibration, and their refusals.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cal=$bin/vfio-perf-calibrate
c=$bin/vfio-perf-compare
tcg=$repo/results/campaign-20261122T031245Z/6.12
icount=$repo/results/campaign-20261122T062325Z

# The committed TCG campaign's 4 boots of 6.12: 6 splits of 1 + 1 and the
# 3 of 2 + 2, none calling a change.
expect 0 "" "$cal" --csv "$tmp/cal.csv" --aa-csv "$tmp/aa.csv" --mde-csv "$tmp/mde.csv" \
	--splits-csv "$tmp/splits.csv" "$tcg"
aa() {
	csvq "$tmp/aa.csv" "\$c[\"k\"] == $1" "print \$c[\"$2\"]"
}
expect_eq "1+1 comparisons" "$(aa 1 comparisons)" 6
expect_eq "2+2 comparisons" "$(aa 2 comparisons)" 3
expect_eq "1+1 false" "$(aa 1 false_verdicts)" 0
expect_eq "2+2 false" "$(aa 2 false_verdicts)" 0
expect_eq "2+2 splits" "$(csvq "$tmp/splits.csv" '$c["k"] == 2 && $c["case"] == "dma/hugetlb-2m/type1v2/1G/map"' 'print $c["base_boots"] "|" $c["new_boots"]' | tr '\n' ' ')" "0 1|2 3 0 2|1 3 0 3|1 2 "
grep -q '^6.12.117-1~deb12u1 *2+2 *3 ' "$tmp/stdout" || fail "no 2+2 line in the report"
# Per case: boots, degrees of freedom, an mde for each boots a side that
# shrinks with more boots; none for info cases.
row() {
	csvq "$tmp/cal.csv" "\$c[\"case\"] == \"$1\"" "print \$c[\"$2\"]"
}
expect_eq "map boots" "$(row dma/hugetlb-2m/type1v2/1G/map case_boots)" 4
expect_eq "map df" "$(row dma/hugetlb-2m/type1v2/1G/map df)" 3
awk -v a="$(row dma/hugetlb-2m/type1v2/1G/map mde_1)" -v b="$(row dma/hugetlb-2m/type1v2/1G/map mde_8)" \
	-v f="$(row dma/hugetlb-2m/type1v2/1G/map floor_1)" 'BEGIN { exit !(a > b && b > 0 && a > f && f > 0.02) }' ||
	fail "map mde not shrinking with boots, or below its floor"
expect_eq "info case has no mde" "$(row dma/hugetlb-2m/type1v2/1G/hugetlb-pages mde_1)" ""
expect_eq "mde rows" "$(csvq "$tmp/mde.csv" 1 'print $c["boots"]' | tr '\n' ' ')" "1 2 3 5 8 "
grep -q '^<=5% ' "$tmp/stdout" || fail "no count of cases within 5%"

# vfio-perf-compare with it: one boot a side of TCG, judged on the
# calibration's per-case spread instead of no call at all.
mapfile -t boots < <(ls -d "$tcg"/*/)
expect 0 "" "$c" --calibration "$tmp/cal.csv" --csv "$tmp/cmp.csv" "${boots[0]}" "${boots[1]}"
grep -q '^note: base vs new: spread between boots of [0-9]* cases from the calibration .*cal.csv (4 boots of 6.12.117-1~deb12u1)' "$tmp/stdout" ||
	fail "no calibration note: $(grep note "$tmp/stdout")"
expect_eq "compare: spread source" "$(csvq "$tmp/cmp.csv" '$c["side"] == 1 && $c["case"] == "dma/hugetlb-2m/type1v2/1G/map"' 'print $c["spread_source"], $c["boot_df"]')" "calibration 3"
# A calibration directory is read as well; another accel mode is refused.
mapfile -t iboots < <(ls -d "$icount/6.12"/*/)
expect 2 "cal.csv: a calibration of accel tcg; the sides are icount" \
	"$c" --calibration "$tmp/cal.csv" "${iboots[0]}" "${iboots[1]}"
printf 'case,boot_sd\nx,1\n' >"$tmp/bad.csv"
expect 2 "bad.csv:1: header column 1 is 'case', a calibration's is 'accel'" "$c" --calibration "$tmp/bad.csv" "${boots[0]}" "${boots[1]}"
expect 2 "cannot open .*nothing: No such file" "$c" --calibration "$tmp/nothing" "${boots[0]}" "${boots[1]}"

# A kernel whose two boots land 20% apart, every sample: the one-boot
# A/A under icount (no calibration, the 10% floor) calls it: exit 1 and
# a false verdict per case.
mkdir -p "$tmp/drift"
for r in "$repo"/tests/fixtures/compare/base/*/; do
	cp -r "$r" "$tmp/drift/"
done
runs=("$tmp"/drift/*/)
run1=${runs[-1]}
awk -F, -v OFS=, 'NR > 1 && $12 == "ns" { $11 = $11 * 1.2 } { print }' "$run1/samples.csv" >"$tmp/s.csv"
mv "$tmp/s.csv" "$run1/samples.csv"
expect 1 "" "$cal" --aa-csv "$tmp/drift-aa.csv" "$tmp/drift"
grep -q '^vfio-perf-calibrate: [0-9]* false verdict(s): A/A comparisons of one kernel called a change' "$tmp/stderr" ||
	fail "drift: no false verdicts said: $(cat "$tmp/stderr")"
awk -F, 'NR == 2 { exit !($6 > 0) }' "$tmp/drift-aa.csv" || fail "drift: no false verdict counted"

# Refusals: one line, exit 2.
expect 2 "want one SIDE or more" "$cal"
expect 2 "1 boot\(s\); a calibration takes 2 to 32 boots" "$cal" "${boots[0]}"
expect 2 "different accel modes" "$cal" "$repo/results/campaign-20261122T031245Z/sid" "$tmp/drift"
expect 2 "cal.csv: exists; not overwriting it" "$cal" --csv "$tmp/cal.csv" "$tcg"
expect 2 "--scale wants a factor above 1" "$cal" --scale 0.9 "$tcg"
expect 0 "" "$cal" --help
tail -n 1 "$tmp/stdout" | grep -q '^  build/release/vfio-perf-calibrate results/' || fail "--help does not end with an example"

# harness/calibrate.sh --analyze: the directory, never reused.
h=$repo/harness/calibrate.sh
expect 0 "" "$h" --analyze "$tcg" --out "$tmp/dir" --max-splits 2
for f in report.txt calibration.csv splits.csv aa.csv mde.csv sides.txt; do
	[ -s "$tmp/dir/$f" ] || fail "calibrate.sh: no $f"
done
expect_eq "calibrate.sh: at most 2 splits a size" "$(awk -F, 'NR > 1 { print $4 }' "$tmp/dir/aa.csv" | tr '\n' ' ')" "2 2 "
# Named from the repository, whatever the cwd: tests/cli/test_calibrations.sh reruns them.
expect_eq "calibrate.sh: sides.txt" "$(cat "$tmp/dir/sides.txt")" "results/campaign-20261122T031245Z/6.12"
left=("$tmp"/dir/.calibrate.*)
[ ! -e "${left[0]}" ] || fail "calibrate.sh left its staging directory"
expect 2 "exists or cannot be made; not reusing it" "$h" --analyze "$tcg" --out "$tmp/dir"
expect 2 "want --kernel SPEC or --analyze SIDE" "$h"
expect 2 "--boots must be a number from 4 to 999" "$h" --kernel 6.12 --boots 3
expect 2 "--kernels is chosen by calibrate.sh" "$h" --kernel 6.12 --kernels "6.12 sid"
expect 2 "--suite is an option of a campaign, not of --analyze" "$h" --analyze "$tcg" --suite compare
expect 0 "" "$h" --help
finish
