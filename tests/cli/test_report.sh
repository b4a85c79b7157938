#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# plot/report.sh: the comparison's table, CSV, charts and report.html in a
# new directory, vfio-perf-compare's exit code, its refusals surfaced,
# the timeline mode, and the report's images loading in headless
# Chromium.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

r=$repo/plot/report.sh
fx=$repo/tests/fixtures/compare
# Three builds, two boots each: sizes 2M..1G, BAR pfnmaps per level. New
# maps hugetlb-2m 15% slower at 64M and 1G and faults PUDs in 3x slower;
# newer restores the maps.
fr=$repo/tests/fixtures/report

command -v chromium >/dev/null || fail "chromium not found (run harness/deps.sh)"

# title FILE: the page's title once it has loaded, as headless Chromium
# sees it (report.html sets "charts-ok N" or "charts-broken K").
title() {
	local profile
	profile=$(mktemp -d "$tmp/chromium.XXXXXX")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" --virtual-time-budget=5000 \
		--dump-dom "file://$1" 2>/dev/null | sed -n 's:.*<title>\([^<]*\)</title>.*:\1:p'
}

# csvfield FILE COLUMN MATCH-COLUMN MATCH: COLUMN of the rows where
# MATCH-COLUMN is MATCH, one a line.
csvfield() {
	awk -F, -v c="$2" -v m="$3" -v v="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col[m] == v { print $col[c] }' "$1"
}

# Base against new: the map regression makes it exit 1.
out=$tmp/cmp
expect 1 "" "$r" -o "$out" "$fx/base" "$fx/new"
for f in table.txt compare.csv sides.csv report.html \
	bars-dma-type1v2-1G.png bars-dma-type1v2-1G.svg; do
	[ -s "$out/$f" ] || fail "$f not written"
done
# One buffer size: no sweep.
! ls "$out"/sweep-* >/dev/null 2>&1 || fail "a sweep chart from one size"
"$bin/vfio-perf-compare" "$fx/base" "$fx/new" >"$tmp/direct.txt" || true
cmp -s "$out/table.txt" "$tmp/direct.txt" || fail "table.txt is not vfio-perf-compare's table"
head -n "$(wc -l <"$out/table.txt")" "$tmp/stdout" | cmp -s - "$out/table.txt" ||
	fail "the table is not on stdout"
expect_eq "csv rows" "$(($(wc -l <"$out/compare.csv") - 1))" 11
expect_eq "csv map" "$(csvq "$out/compare.csv" '$c["side"] == 1 && $c["metric"] == "map"' 'print $c["verdict"]' | head -n 1)" regressed
grep -q '<td class="v v-regressed">regressed</td>' "$out/report.html" ||
	fail "report.html has no regressed verdict cell"
grep -q 'icount: deterministic, guest instructions' "$out/report.html" ||
	fail "report.html does not say the accel mode"
grep -q 'not wall-clock time' "$out/report.html" || fail "report.html lacks the icount note"
grep -q '<img src="bars-dma-type1v2-1G.png"' "$out/report.html" || fail "chart not embedded"
! grep -qE '(src|href)="(/|[a-z]+:)' "$out/report.html" || fail "report.html links outside its directory"
nimg=$(grep -c '<img ' "$out/report.html")
expect_eq "chromium: compare report" "$(title "$out/report.html")" "charts-ok $nimg"

# The image check itself: a missing chart is seen.
cp -r "$out" "$tmp/broken"
rm "$tmp/broken/bars-dma-type1v2-1G.png"
expect_eq "chromium: missing chart" "$(title "$tmp/broken/report.html")" "charts-broken 1"

# Never over an existing directory; refusals of vfio-perf-compare are ours.
expect 2 "cmp: exists; not overwriting it" "$r" -o "$out" "$fx/base" "$fx/same"
expect 2 "different accel modes \(base icount, new tcg\): refusing" "$r" -o "$tmp/mixed" "$fx/base" "$fx/tcg"
[ ! -e "$tmp/mixed" ] || fail "a refused comparison left a directory"
# Incomplete: exit 2, but the report is drawn.
expect 2 "incomplete: 1 case" "$r" -o "$tmp/partial" "$fx/base" "$fx/partial"
[ -s "$tmp/partial/report.html" ] || fail "incomplete comparison: no report"

# Kernels of different configs (one of them an old run: only the hash,
# its config in the kernel cache): the report lists the options that
# differ, the groups that move costs first, every one in
# config-diff.csv; the mde beside each verdict; the notes of the table.
fc=$repo/tests/fixtures/config
VFIO_PERF_CACHE=$fc/cache expect 1 "" "$r" -o "$tmp/configs" "$fc/a" "$fc/old"
grep -q '<h2>Kernel configs</h2>' "$tmp/configs/report.html" || fail "report.html: no kernel configs"
grep -q 'differ in 17 options' "$tmp/configs/report.html" || fail "report.html: no count of differing options"
for o in 'MEMORY_HOTPLUG *y -&gt; n' 'PREEMPT_VOLUNTARY *y -&gt; n' 'DEBUG_VM *n -&gt; y' \
	'MITIGATION_RETPOLINE *y -&gt; n' 'IOMMUFD *n -&gt; y' 'and 5 other options, and 2 modules'; do
	grep -qE "$o" "$tmp/configs/report.html" || fail "report.html: no '$o'"
done
expect_eq "config-diff.csv rows" "$(($(wc -l <"$tmp/configs/config-diff.csv") - 1))" 17
grep -q '<th>mde</th>' "$tmp/configs/report.html" || fail "report.html: no mde column"
grep -q '<td>&gt;10%</td>' "$tmp/configs/report.html" || fail "report.html: no one-boot floor as mde"
grep -q '<li>base vs new: one boot on a side: .* changes smaller than 10% cannot be called' "$tmp/configs/report.html" ||
	fail "report.html: the one-boot note is missing"
# Same config: said in one line; nothing to list.
VFIO_PERF_CACHE=$fc/cache expect 0 "" "$r" -o "$tmp/sameconf" "$fc/b" "$fc/old"
grep -q 'kernel configs of base and new: the same' "$tmp/sameconf/report.html" || fail "same config not said"
expect_eq "config-diff.csv of one config" "$(wc -l <"$tmp/sameconf/config-diff.csv")" 1

# Three builds: sweeps per backing, bars per level, exit 1.
out=$tmp/three
expect 1 "" "$r" -o "$out" "$fr/base" "$fr/new" "$fr/newer"
for f in sweep-anon-4k-type1v2 sweep-hugetlb-2m-type1v2 bars-dma-type1v2-1G bars-mmio-1G; do
	for ext in png svg; do
		[ -s "$out/$f.$ext" ] || fail "$f.$ext not drawn"
	done
done
expect_eq "three: sides" "$(($(wc -l <"$out/sides.csv") - 1))" 3
# 3 regressed in new, 1 in newer.
expect_eq "three: regressed" "$(grep -c 'v-regressed">' "$out/report.html")" 4
expect 1 "" "$r" --size 64M -o "$tmp/64m" "$fr/base" "$fr/new"
[ -s "$tmp/64m/bars-dma-type1v2-64M.png" ] || fail "--size 64M: no 64M bars"
expect 2 "--size 4M: no DMA case" "$r" --size 4M -o "$tmp/4m" "$fr/base" "$fr/new"

# Timelines: against the previous side (regressed, then improved) and
# against the first (the PUD fault-in stays regressed).
out=$tmp/timeline
expect 1 "" "$r" --timeline dma/hugetlb-2m/type1v2/1G/map -o "$out" "$fr/base" "$fr/new" "$fr/newer"
expect_eq "timeline verdicts" "$(csvfield "$out/timeline.csv" verdict unit ns | paste -sd ' ')" " regressed improved"
expect_eq "timeline against" "$(csvfield "$out/timeline.csv" against unit ns | paste -sd ' ')" " 6.12.117 7.2.13"
[ -s "$out/timeline-dma_hugetlb-2m_type1v2_1G_map.png" ] || fail "timeline chart not drawn"
expect_eq "chromium: timeline" "$(title "$out/report.html")" "charts-ok 1"
expect 1 "" "$r" --timeline mmio/bar/pud/1G/fault-in --against first -o "$tmp/first" "$fr/base" "$fr/new" "$fr/newer"
expect_eq "timeline vs first" "$(csvfield "$tmp/first/timeline.csv" verdict unit ns | paste -sd ' ')" " regressed regressed"
expect 2 "no case 'dma/anon-4k/type1v2/4M/map'" "$r" --timeline dma/anon-4k/type1v2/4M/map -o "$tmp/nocase" "$fr/base" "$fr/new"

# Labels: the build name (or Debian version) on charts and tables, the
# kernel release beneath it in the sides table (issue 17).
mkdir -p "$tmp/built"
cp -r "$fr/new"/* "$tmp/built/"
for m in "$tmp"/built/*/meta.csv; do
	printf 'kernel_spec,build:7.2+type1-contig-batch\n' >>"$m"
done
expect 1 "" "$r" -o "$tmp/labels" "$fr/base" "$tmp/built"
grep -q '<td>7.2+type1-contig-batch<br><small>7.2.13</small></td>' "$tmp/labels/report.html" ||
	fail "sides table: no build name with its release beneath"
grep -q '<h1>vfio-perf comparison: 6.12.117 vs 7.2+type1-contig-batch</h1>' "$tmp/labels/report.html" ||
	fail "heading not by build name: $(grep -o '<h1>[^<]*' "$tmp/labels/report.html")"
grep -q '7.2+type1-contig-batch' "$tmp/labels/bars-dma-type1v2-1G.svg" ||
	fail "chart legend not by build name"
! grep -q '>7.2.13<' "$tmp/labels/bars-dma-type1v2-1G.svg" || fail "chart labelled by release"

# A ratio that cannot be finite (a zero base) is reported, never a crash.
mkdir -p "$tmp/zero"
cp -r "$fx/base"/* "$tmp/zero/"
sed -i 's/,map,\([01]\),\([0-9]\),[0-9]*,ns,/,map,\1,\2,0,ns,/' "$tmp"/zero/*/samples.csv
expect 1 "" "$r" -o "$tmp/inf" "$tmp/zero" "$fx/new"
grep -qE '^ +0\.000 ns .* \+inf% .* dma/hugetlb-2m/type1v2/1G/map$' "$tmp/inf/table.txt" ||
	fail "infinite change not in the table: $(grep '/1G/map$' "$tmp/inf/table.txt")"
grep -q '<td>+inf%</td>' "$tmp/inf/report.html" || fail "infinite change not in report.html"

# Two reports started in the same second get two directories.
mkdir "$tmp/res"
VFIO_PERF_RESULTS=$tmp/res "$r" "$fx/base" "$fx/same" >/dev/null 2>&1 &
VFIO_PERF_RESULTS=$tmp/res "$r" "$fx/base" "$fx/same" >/dev/null 2>&1 &
wait
dirs=("$tmp"/res/compare-*)
expect_eq "two reports, two directories" "${#dirs[@]}" 2
for d in "${dirs[@]}"; do
	[ -s "$d/report.html" ] || fail "$d: no report.html"
done
left=("$tmp"/res/.report.*)
[ ! -e "${left[0]}" ] || fail "a staging directory was left behind: ${left[*]}"

# A failed run joins only when asked, and the report says so.
mkdir -p "$tmp/failed"
cp -r "$fx/new"/* "$tmp/failed/"
sed -i 's/^status,ok$/status,failed (exit 3)/' "$tmp"/failed/20250102T000000Z-7.2.13/meta.csv
expect 2 "did not complete: .*failed \(exit 3\)" "$r" -o "$tmp/nofail" "$fx/base" "$tmp/failed"
[ ! -e "$tmp/nofail" ] || fail "a refused comparison left a directory"
expect 1 "" "$r" --allow-failed -o "$tmp/withfail" "$fx/base" "$tmp/failed"
grep -q 'failed (exit 3), read because of --allow-failed' "$tmp/withfail/report.html" ||
	fail "report.html does not say a failed run was read"

# POSIX awk is enough: mawk draws the same report as gawk.
if command -v mawk >/dev/null; then
	mkdir "$tmp/mawk"
	ln -s "$(command -v mawk)" "$tmp/mawk/awk"
	PATH=$tmp/mawk:$PATH expect 1 "" "$r" -o "$tmp/three-mawk" "$fr/base" "$fr/new" "$fr/newer"
	cmp -s "$tmp/three-mawk/report.html" "$tmp/three/report.html" ||
		fail "mawk and gawk wrote different reports"
fi

# Usage.
expect 2 "want BASE and at least one NEW" "$r" "$fx/base"
expect 2 "unknown option '--bogus'" "$r" --bogus "$fx/base" "$fx/new"
expect 2 "--against wants" "$r" --against last "$fx/base" "$fx/new"
expect 0 "" "$r" --help
grep -q '^usage: report.sh' "$tmp/stdout" || fail "--help has no usage line"
finish
