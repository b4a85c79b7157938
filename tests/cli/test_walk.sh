#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# harness/walk.sh without booting: the steps of a series (its --plan),
# and the report of runs measured already (--runs, fixture runs standing
# for the steps): each step judged against the one before, the moves
# naming the patch by its subject, a timeline per moved case; usage errors.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
w=$repo/harness/walk.sh
fx=$repo/tests/fixtures/compare
export VFIO_PERF_CACHE=$tmp/cache

expect 0 '' "$w" --help
tail -n 1 "$tmp/stdout" | grep -q '^Example: harness/walk\.sh ' || fail "walk.sh --help ends with no example"

# A private kernel-patches/: base t, series s of two patches, u of one.
kp=$tmp/kp
mkdir -p "$kp/t/s" "$kp/t/u"
echo "t git $tmp/none" >"$kp/bases"
for i in 1 2; do
	printf 'From x\nSubject: [PATCH %s/2] t: the patch number %s,\n folded\n\nbody\n' "$i" "$i" >"$kp/t/s/000$i.patch"
	echo "000$i.patch" >>"$kp/t/s/series"
done
printf 'Subject: [PATCH] u: one\n\n' >"$kp/t/u/0001.patch"
echo 0001.patch >"$kp/t/u/series"
export VP_KERNEL_PATCHES=$kp

expect 0 '' "$w" t+s --plan
expect_eq "--plan" "$(cat "$tmp/stdout")" "$(printf '0\tt\t(without the series)\n1\tt+s:1\tt: the patch number 1, folded\n2\tt+s\tt: the patch number 2, folded')"
expect 0 '' "$w" t+u+s@tiny --plan
expect_eq "--plan over a series and a profile" "$(cut -f2 "$tmp/stdout" | tr '\n' ' ')" "t+u@tiny t+u+s:1@tiny t+u+s@tiny "

expect 2 "^walk\.sh: error: missing BUILD" "$w"
expect 2 "^walk\.sh: error: 't' has no series to walk" "$w" t
expect 2 "^walk\.sh: error: 't\+s:1' is a step already" "$w" t+s:1
expect 2 "^kbuild\.sh: error: no series 'x' for base t" "$w" t+x
expect 2 "^walk\.sh: error: unexpected argument 'b'" "$w" t+s b
expect 2 "^walk\.sh: error: --kernels is the walk's" "$w" t+s --kernels 6.12
expect 2 "^walk\.sh: error: --runs $tmp/nope: no such directory" "$w" t+s --runs "$tmp/nope"

# The runs of the three steps, as a campaign names them.
camp=$tmp/campaign
mkdir -p "$camp"
cp -r "$fx/base" "$camp/build_t"
cp -r "$fx/new" "$camp/build_t_s_1"
cp -r "$fx/same" "$camp/build_t_s"
expect 1 '' "$w" t+s --runs "$camp" --out "$tmp/walk"
o=$tmp/walk
expect_eq "steps.csv" "$(cat "$o/steps.csv")" "$(printf '%s\n' 'step,build,patch,subject' '0,t,,' \
	'1,t+s:1,t/s/0001.patch,"t: the patch number 1, folded"' '2,t+s,t/s/0002.patch,"t: the patch number 2, folded"')"
# Step 1 made the hugetlb map 20% slower, step 2 gave it back.
csvq "$o/moves.csv" '$c["case"] == "dma/hugetlb-2m/type1v2/1G/map"' 'print $c["step"], $c["build"], $c["verdict"], $c["change_pct"]' >"$tmp/m"
expect_eq "the moves of the hugetlb map" "$(cat "$tmp/m")" "$(printf '1 t+s:1 regressed 20.0\n2 t+s improved -16.7')"
expect_eq "moves" "$(($(wc -l <"$o/moves.csv") - 1))" 4
for f in compare/table.txt compare/report.html timelines/dma_hugetlb-2m_type1v2_1G_map/timeline-dma_hugetlb-2m_type1v2_1G_map.svg \
	timelines/dma_hugetlb-2m_type1v2_1G_map/timeline-dma_hugetlb-2m_type1v2_1G_map.png timelines/mmio_bar_pud_1G_read-bw/report.html; do
	[ -s "$o/$f" ] || fail "the walk has no $f"
done
[ ! -e "$o/timelines/dma_anon-4k_type1v2_1G_map" ] || fail "a timeline of a case no step moved"
# Each step against the previous one, labelled by its patch's subject.
grep -q '^new1 (+1 t: the patch number 1, folded) vs new2 (+2 t: the patch number 2, folded)' "$o/compare/table.txt" ||
	fail "step 2 is not judged against step 1: $(grep ' vs ' "$o/compare/table.txt")"
grep -q '<td><a href="timelines/dma_hugetlb-2m_type1v2_1G_map/report.html">dma/hugetlb-2m/type1v2/1G/map</a></td><td>1</td><td>t: the patch number 1, folded</td><td>regressed</td><td>+20.0%</td>' "$o/index.html" ||
	fail "index.html does not name the patch where the case moved"
# Never overwritten; a step without runs is an error.
expect 1 'exists; not overwriting it' "$w" t+s --runs "$camp" --out "$o"
rm -r "$camp/build_t_s_1"
expect 2 "has no runs of step 1 \(t\+s:1\)" "$w" t+s --runs "$camp" --out "$tmp/walk2"
finish
