#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# vfio-perf-compare: verdicts per case, exit codes for `git bisect run`
# (0 no regression, 1 regression, 2 incomplete or refused), sides given
# as directories of runs or lists of runs, and its refusals.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c=$bin/vfio-perf-compare
fx=$repo/tests/fixtures/compare
map=dma/hugetlb-2m/type1v2/1G/map
unmap=dma/hugetlb-2m/type1v2/1G/unmap
map4k=dma/anon-4k/type1v2/1G/map

# verdict CASE: the verdict column of CASE's row in the last table.
verdict() {
	awk -v c="$1" '$NF == c { v = $(NF - 1) } END { print v }' "$tmp/stdout"
}

# side NAME COLUMN: a column of the header row of side NAME.
side() {
	awk -v s="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == s { print $col[c]; exit }' "$tmp/stdout"
}

# Base: 2 runs of one boot each; new: map 20% slower, read bandwidth
# 20% higher, hugetlb pages halved (info only), a kprobe count only new
# has (new coverage: missing, but not incomplete).
expect 1 "" "$c" "$fx/base" "$fx/new"
expect_eq "map" "$(verdict $map)" regressed
expect_eq "unmap" "$(verdict $unmap)" "~"
expect_eq "4K map" "$(verdict $map4k)" "~"
expect_eq "read bandwidth" "$(verdict mmio/bar/pud/1G/read-bw)" improved
expect_eq "hugetlb pages" "$(verdict dma/hugetlb-2m/type1v2/1G/hugetlb-pages)" info
expect_eq "new-only case" "$(verdict mmio/bar/pud/1G/kprobe-vmf_insert_pfn_pud)" missing
grep -qE "^ +100\.1 ms ± +0\.2% +\+20\.0% +120\.2 ms ± +0\.2% +[0-9.]+% +regressed +$map\$" "$tmp/stdout" ||
	fail "map row not in the table format: $(grep " $map\$" "$tmp/stdout")"
grep -q '^6 cases: 2 ~, 1 improved, 1 regressed, 0 unstable, 1 missing, 1 info$' "$tmp/stdout" ||
	fail "footer: $(tail -n 1 "$tmp/stdout")"
expect_eq "base label" "$(side base label)" 6.12.117
expect_eq "base kernel" "$(side base kernel)" 6.12.117
expect_eq "base runs" "$(side base runs)" 2
expect_eq "base boots" "$(side base boots)" 2
expect_eq "new samples" "$(side new samples)" 52
expect_eq "new accel" "$(side new accel)" icount

# The same base as a list of run directories.
expect 1 "" "$c" "$fx/base/20250101T000000Z-6.12.117,$fx/base/20250101T010000Z-6.12.117" "$fx/new"
expect_eq "list: base runs" "$(side base runs)" 2
expect_eq "list: map" "$(verdict $map)" regressed

# Identical figures: nothing to report, exit 0.
expect 0 "" "$c" "$fx/base" "$fx/same"
expect_eq "same: map" "$(verdict $map)" "~"
expect_eq "same: pages" "$(verdict dma/hugetlb-2m/type1v2/1G/hugetlb-pages)" info
expect_eq "same: runs" "$(side new runs)" 2
expect_eq "same: boots" "$(side new boots)" 2
! grep -qE 'regressed|improved|missing' <(grep -v cases: "$tmp/stdout") ||
	fail "identical sides got a verdict: $(cat "$tmp/stdout")"

# A verification figure base has and new cannot give (a kprobe new's
# kernel lacks, a page-table dump it was built without): missing and
# said, never incomplete. The timed cases decide: new's read bandwidth
# is lower, a regression.
expect 1 "" "$c" "$fx/new" "$fx/base"
expect_eq "info only on base" "$(verdict mmio/bar/pud/1G/kprobe-vmf_insert_pfn_pud)" missing
grep -q '^note: base vs new: 1 verification figure(s) measured on one side only .*: shown as missing, not incomplete$' "$tmp/stdout" ||
	fail "no note on the verification figure measured on one side"

# A case base measured and new did not: incomplete.
expect 2 "incomplete: 1 case\(s\) measured on a reference side" "$c" "$fx/base" "$fx/partial"
expect_eq "partial: 4K map" "$(verdict $map4k)" missing
# Several NEW sides: one table each; incomplete wins over regressed.
expect 2 "incomplete" "$c" "$fx/base" "$fx/new" "$fx/partial"
expect_eq "tables" "$(grep -c '^base (6.12.117) vs new[12] (7.2.13), threshold 2%$' "$tmp/stdout")" 2

# icount against wall clock: refused, naming the modes found.
expect 2 "different accel modes \(base icount, new tcg\): refusing" "$c" "$fx/base" "$fx/tcg"
expect 2 "new \(.*\) mixes accel modes icount, tcg" "$c" "$fx/base" "$fx/same/same-boot0,$fx/tcg/tcg-b0"

# Options: threshold, filters, labels.
expect 0 "" "$c" --threshold 25 "$fx/base" "$fx/new"
expect_eq "25%: map" "$(verdict $map)" "~"
expect 0 "" "$c" --metric '^unmap$' "$fx/base" "$fx/new"
expect_eq "--metric rows" "$(grep -c ' dma/' "$tmp/stdout")" 1
expect 0 "" "$c" --bench mmio "$fx/base" "$fx/new"
expect_eq "--bench: map gone" "$(verdict $map)" ""
expect_eq "--bench: read-bw" "$(verdict mmio/bar/pud/1G/read-bw)" improved
expect 1 "" "$c" --label before --label after "$fx/base" "$fx/new"
grep -q '^base (before) vs new (after)' "$tmp/stdout" || fail "labels not used"

# --csv: the long table, a row per side and case, never overwriting.
expect 1 "" "$c" --csv "$tmp/cmp.csv" --sides-csv "$tmp/sides.csv" "$fx/base" "$fx/new"
# csvfield SIDE METRIC BACKING COLUMN
csvfield() {
	csvq "$tmp/cmp.csv" "\$c[\"side\"] == $1 && \$c[\"metric\"] == \"$2\" && \$c[\"backing\"] == \"$3\"" "print \$c[\"$4\"]"
}
expect_eq "csv rows" "$(($(wc -l <"$tmp/cmp.csv") - 1))" 11
expect_eq "csv verdict" "$(csvfield 1 map hugetlb-2m verdict)" regressed
expect_eq "csv ratio" "$(csvfield 1 map hugetlb-2m ratio)" 1.2
expect_eq "csv change" "$(csvfield 1 map hugetlb-2m change)" +20.0%
expect_eq "csv base boots" "$(csvfield 0 map hugetlb-2m boots)" 2
expect_eq "csv new n" "$(csvfield 1 map hugetlb-2m n)" 10
expect_eq "csv case" "$(csvfield 1 map hugetlb-2m case)" $map
expect_eq "csv size" "$(csvfield 1 map hugetlb-2m size)" 1G
expect_eq "csv base has no ratio" "$(csvfield 0 map hugetlb-2m ratio)$(csvfield 0 map hugetlb-2m verdict)" ""
expect_eq "csv median text" "$(csvfield 0 map hugetlb-2m median_text)" "100.1 ms"
# Two boots a side: the spread between boots comes from them (2 df).
expect_eq "csv spread source" "$(csvfield 1 map hugetlb-2m spread_source)" data
expect_eq "csv boot df" "$(csvfield 1 map hugetlb-2m boot_df)" 2
awk -v f="$(csvfield 1 map hugetlb-2m floor)" -v m="$(csvfield 1 map hugetlb-2m mde)" \
	'BEGIN { exit !(f >= 0.02 && m > f && m < 0.2) }' || fail "floor/mde of map out of range"
expect_eq "csv info has no mde" "$(csvfield 1 hugetlb-pages hugetlb-2m mde)$(csvfield 1 hugetlb-pages hugetlb-2m floor)" ""
grep -q '^note: base vs new: spread between boots of [0-9]* cases from these boots (t with 2 degrees of freedom)' "$tmp/stdout" ||
	fail "no note on where the spread between boots comes from"
lo=$(csvfield 1 map hugetlb-2m ratio_ci_lo) hi=$(csvfield 1 map hugetlb-2m ratio_ci_hi)
awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo > 1.19 && lo < 1.2 && hi > 1.2 && hi < 1.21) }' ||
	fail "ratio CI of map not around 1.2: [$lo, $hi]"
# The side's own median CI (hierarchical bootstrap) brackets its median.
lo=$(csvfield 0 map hugetlb-2m ci_lo) hi=$(csvfield 0 map hugetlb-2m ci_hi)
awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo < 100149850 && hi > 100149850) }' ||
	fail "median CI of base map does not bracket its median: [$lo, $hi]"
expect_eq "sides csv" "$(csvq "$tmp/sides.csv" '$c["side"] == 1' 'print $c["label"], $c["runs"], $c["kernel"]')" "7.2.13 2 7.2.13"
cp "$tmp/cmp.csv" "$tmp/before.csv"
expect 2 "cmp.csv: exists; not overwriting it" "$c" --csv "$tmp/cmp.csv" "$fx/base" "$fx/same"
cmp -s "$tmp/cmp.csv" "$tmp/before.csv" || fail "--csv overwrote an existing file"

# One boot a side (committed runs). The two icount boots of each kernel
# of campaign-20261122T062325Z, boot against boot: nothing called (7.2's
# hugetlb-2m/64M munmap differs by 7.0% between its boots, every rep),
# verification rows (kprobe counts, once per boot) are info, not
# missing, and the note says what one boot cannot tell.
for k in 6.12 sid; do
	mapfile -t boots < <(ls -d "$repo/results/campaign-20261122T062325Z/$k"/*/)
	expect 0 "" "$c" "${boots[0]}" "${boots[1]}"
	! grep -qE ' (improved|regressed|missing) ' "$tmp/stdout" ||
		fail "A/A of $k's two boots called: $(grep -E ' (improved|regressed|missing) ' "$tmp/stdout")"
	grep -q '^note: base vs new: one boot on a side: .* changes smaller than 10% cannot be called' "$tmp/stdout" ||
		fail "A/A of $k: no one-boot note"
	expect_eq "A/A $k: kprobe row" "$(verdict mmio/bar/pmd/1G/kprobe-vmf_insert_pfn_pmd)" info
done
expect_eq "7.2 A/A: hugetlb-2m/64M munmap" "$(verdict dma/hugetlb-2m/type1v2/64M/munmap)" unstable
grep -qE -- '-7\.0% .* >10% +unstable +dma/hugetlb-2m/type1v2/64M/munmap$' "$tmp/stdout" ||
	fail "7.2 A/A: munmap row: $(grep ' dma/hugetlb-2m/type1v2/64M/munmap$' "$tmp/stdout")"

# The committed reference run against itself: refused as data compared
# with itself, unless asked for as a check of the tool; against a copy
# under another run id it is an ordinary one-boot comparison. Either way
# exit 0 and no change (TCG, one boot: no change could be called).
ref=$repo/results/20261122T090641Z-6.12.117_deb12-amd64
expect 2 "a comparison of data with itself \(--allow-same-run" "$c" "$ref" "$ref"
expect 0 "both hold run .*: a check of the tool on identical data" "$c" --allow-same-run "$ref" "$ref"
! grep -qE ' (improved|regressed|missing) ' "$tmp/stdout" || fail "reference run against itself called a change"
grep -q '^note: base vs new: one boot on a side (tcg, a wall-clock mode): .* no change can be called' "$tmp/stdout" ||
	fail "reference run against itself: no wall-clock note"
mkdir "$tmp/copy"
for f in meta.csv cases.csv samples.csv; do
	sed 's/20261122T090641Z-6\.12\.117_deb12-amd64/copy-of-the-reference/' "$ref/$f" >"$tmp/copy/$f"
done
expect 0 "" "$c" "$ref" "$tmp/copy"
! grep -qE ' (improved|regressed|missing) ' "$tmp/stdout" || fail "reference run against its copy called a change"

# fault-ns, the time of one fault, is judged only where both sides got
# the same mapping level: base PUD faults of 2 ms, new PMD faults of
# 5 us is a change of level, shown and noted; the same level with
# slower faults is a regression.
# faults SIDE LEVEL NS: fault-ns and level-obtained rows (5 reps) into
# copies of side SIDE of the fixtures, under $tmp/lv-SIDE.
faults() {
	local run
	cp -r "$fx/$1" "$tmp/lv-$1"
	for run in "$tmp/lv-$1"/*/; do
		run=${run%/}
		awk -F, -v l="$2" -v ns="$3" -v OFS=, 'NR == 2 {
			for (rep = 0; rep < 5; rep++) {
				$2 = "mmio"; $3 = "bar"; $4 = "auto"; $5 = ""
				$6 = $7 = $13 = 1073741824; $10 = rep
				$8 = "fault-ns"; $11 = ns + rep; $12 = "ns"; print
				$8 = "level-obtained"; $11 = l; $12 = "bytes"; print
			}
		}' "$run/samples.csv" >"$run/samples.csv.add"
		cat "$run/samples.csv.add" >>"$run/samples.csv"
		rm "$run/samples.csv.add"
		awk -F, -v OFS=, 'NR == 2 { $2 = "mmio"; $3 = "bar"; $4 = "auto"; $5 = ""; print }' \
			"$run/cases.csv" >"$run/cases.add"
		cat "$run/cases.add" >>"$run/cases.csv"
		rm "$run/cases.add"
	done
}
faults base 1073741824 2000000
faults same 2097152 5000
expect 0 "" "$c" --bench mmio --csv "$tmp/lv.csv" "$tmp/lv-base" "$tmp/lv-same"
expect_eq "fault-ns across levels" "$(verdict mmio/bar/auto/1G/fault-ns)" info
expect_eq "its goal" "$(awk -F, '$1 == 1 && $5 == "mmio/bar/auto/1G/fault-ns" { print $18 }' "$tmp/lv.csv")" info
grep -q "^note: base vs new: 1 fault-ns case(s) shown, not judged: the sides got different mapping levels" "$tmp/stdout" ||
	fail "no note on fault-ns across levels: $(grep note: "$tmp/stdout")"
rm -r "$tmp/lv-same"
faults same 1073741824 3000000
expect 1 "" "$c" --bench mmio "$tmp/lv-base" "$tmp/lv-same"
expect_eq "fault-ns at one level" "$(verdict mmio/bar/auto/1G/fault-ns)" regressed
! grep -q "fault-ns case(s) shown, not judged" "$tmp/stdout" || fail "fault-ns at one level noted as not judged"

# Refusals: every one exits 2, never 1 (that would read as a regression).
expect 2 "mixes kernels 6.12.117, 7.2.13: give it a --label" "$c" "$fx/new" "$fx/base/20250101T000000Z-6.12.117,$fx/same/same-boot0"
expect 2 "boot 0 also appears in .*: a sample must count once" "$c" "$fx/base" "$fx/same/same-boot0,$fx/same/same-boot0"
expect 2 "cannot read .*/none" "$c" "$fx/base" "$tmp/none"
mkdir "$tmp/empty"
expect 2 "empty: no run directories in it" "$c" "$fx/base" "$tmp/empty"
mkdir "$tmp/nometa"
cp "$fx/same/same-boot0/samples.csv" "$tmp/nometa/"
expect 2 "cannot open .*nometa/meta.csv" "$c" "$fx/base" "$tmp/nometa"
expect 2 "no samples match --bench/--metric" "$c" --bench nope "$fx/base" "$fx/new"
expect 2 "want BASE and at least one NEW" "$c" "$fx/base"
expect 2 "--threshold wants a percentage" "$c" --threshold -1 "$fx/base" "$fx/new"
expect 2 "3 labels for 2 sides" "$c" --label a --label b --label c "$fx/base" "$fx/new"
expect 2 "--against wants first or previous" "$c" --against last "$fx/base" "$fx/new"
expect 0 "" "$c" --help
grep -q '^usage: vfio-perf-compare' "$tmp/stdout" || fail "--help has no usage line"
finish
