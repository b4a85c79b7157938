#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# Bisection without booting: harness/commitbuild.sh on a one-file git
# "kernel" (the base's commit, a commit's diff as a series, the errors),
# harness/bisect-step.sh's exit codes on runs given beforehand (a
# fixture's, as if measured), and harness/bisect.sh over a small history
# whose commits' runs are reused (--reuse), one of which "does not build";
# `make bisect` names the tool's status.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cb=$repo/harness/commitbuild.sh st=$repo/harness/bisect-step.sh bs=$repo/harness/bisect.sh
export VFIO_PERF_CACHE=$tmp/cache
fx=$repo/tests/fixtures/compare

for t in "$cb" "$st" "$bs"; do
	expect 0 '' "$t" --help
	tail -n 2 "$tmp/stdout" | grep -q '^Example' || fail "$t --help does not end with an example"
	tail -n 1 "$tmp/stdout" | grep -q 'harness/' || fail "$t --help: the last line is no command"
done

# expect_last CODE REGEX CMD...: CMD exits CODE, its last stderr line
# matches REGEX (the lines before it are progress).
expect_last() {
	local code=$1 re=$2
	shift 2
	expect "$code" '' "$@"
	tail -n 1 "$tmp/stderr" | grep -qE -- "$re" || fail "$*: last stderr line does not match /$re/: $(tail -n 1 "$tmp/stderr")"
}

# A one-file kernel: the base t is the HEAD of src; the tree under test
# is a clone with more commits.
kp=$tmp/kp src=$tmp/src tree=$tmp/tree
mkdir -p "$kp/configs" "$src"
git -C "$src" init -q
printf 'int a;\nint b;\n' >"$src/f.c"
git -C "$src" add f.c
gc() { git -C "$1" -c user.name=t -c user.email=t@t commit -q "${@:2}"; }
gc "$src" -m base
printf 't git %s file:configs/t-debian\n' "$src" >"$kp/bases"
for f in guest.config debian.config tiny.config t-debian; do echo 'CONFIG_X=y' >"$kp/configs/$f"; done
echo vfio-pci >"$kp/configs/guest.modules"
export VP_KERNEL_PATCHES=$kp
git clone -q "$src" "$tree"
c0=$(git -C "$tree" rev-parse HEAD)
commit_f() { # commit_f SUBJECT LINE: f.c gets LINE appended
	echo "$2" >>"$tree/f.c"
	gc "$tree" -am "$1"
	git -C "$tree" rev-parse HEAD
}
c1=$(commit_f "harmless" 'int c;')
c2=$(commit_f "does not build" 'int d;')
c3=$(commit_f "the fix" 'int e;')
c4=$(commit_f "the regression" 'int f;')
c5=$(commit_f "after it" 'int g;')

expect 2 '^commitbuild\.sh: error: want --tree TREE --patches DIR COMMIT' "$cb" --tree "$tree" HEAD
expect 2 "is not a git tree" "$cb" --tree "$tmp" --patches "$tmp/kp2" HEAD
expect 2 "nope is no commit of" "$cb" --tree "$tree" --patches "$tmp/kp2" nope
expect 2 "unknown base 'u'" "$cb" --tree "$tree" --patches "$tmp/kp2" --base u HEAD
expect 0 '' "$cb" --tree "$tree" --patches "$tmp/kp2" "$c0"
expect_eq "the base's own commit" "$(cat "$tmp/stdout")" t
[ -f "$tmp/kp2/bases" ] || fail "commitbuild.sh made no copy of kernel-patches/"
[ -s "$VFIO_PERF_CACHE/ksrc/git-$c0.git-tree" ] || fail "no git tree id kept for the base's source"
expect_eq "the source's tree id" "$(cat "$VFIO_PERF_CACHE/ksrc/git-$c0.git-tree")" "$(git -C "$tree" rev-parse "$c0^{tree}")"
expect 0 '' "$cb" --tree "$tree" --patches "$tmp/kp2" "$c3"
expect_eq "a later commit" "$(cat "$tmp/stdout")" "t+git-${c3:0:12}"
p=$tmp/kp2/t/git-${c3:0:12}/0001-git-${c3:0:12}.patch
[ -f "$p" ] || fail "no series for ${c3:0:12}"
grep -qx 'Subject: \[PATCH\] the fix' "$p" || fail "the patch has not the commit's subject: $(head -n 3 "$p")"
{ grep -qx '+int e;' "$p" && grep -qx '+int c;' "$p"; } || fail "the patch is not the diff from the base's commit: $(cat "$p")"
# kbuild.sh reads it as any series: its identity is the base's plus the diff.
VP_KERNEL_PATCHES=$tmp/kp2 "$repo/harness/kbuild.sh" --manifest "t+git-${c3:0:12}" >"$tmp/m" ||
	fail "kbuild.sh --manifest of a commit's build failed"
grep -q "^patch t/git-${c3:0:12} $(awk '/^diff --git / { on = 1 } /^-- $/ { on = 0 } on' "$p" | sha256sum | cut -d' ' -f1)$" "$tmp/m" ||
	fail "the manifest does not carry the diff's code: $(cat "$tmp/m")"
# Asked again: the same name, the series unchanged.
expect 0 '' "$cb" --tree "$tree" --patches "$tmp/kp2" "$c3"
expect_eq "again" "$(cat "$tmp/stdout")" "t+git-${c3:0:12}"
# A binary change, and a history without the base's source, are errors.
git -C "$tree" checkout -q -b bin "$c1"
printf '\0\1\2' >"$tree/blob.bin"
git -C "$tree" add blob.bin
gc "$tree" -m binary
expect 1 'changes binary files since' "$cb" --tree "$tree" --patches "$tmp/kp2" bin
git -C "$tree" checkout -q -
other=$tmp/other
git -C "$tmp" init -q other
echo x >"$other/x"
git -C "$other" add x
gc "$other" -m other
expect 1 'no first-parent ancestor of .* holds the source of a base' "$cb" --tree "$other" --patches "$tmp/kp2" HEAD

# bisect-step.sh: the commits' runs given beforehand, as a bisection
# directory keeps them (commits/<12>/runs and build).
seed() { # seed DIR COMMIT RUNS
	mkdir -p "$1/commits/${2:0:12}"
	echo "$3" >"$1/commits/${2:0:12}/runs"
	echo seeded >"$1/commits/${2:0:12}/build"
}
o=$tmp/step
seed "$o" "$c0" "$fx/base"
seed "$o" "$c1" "$fx/same"
seed "$o" "$c4" "$fx/new"
re='^dma/hugetlb-2m/type1v2/1G/map$'
expect 0 '' "$st" --tree "$tree" --good "$c0" --case "$re" --out "$o" "$c1"
expect 1 '' "$st" --tree "$tree" --good "$c0" --case "$re" --out "$o" "$c4"
expect 0 '' "$st" --tree "$tree" --good "$c0" --case "$re" --out "$o" "$c0"
# A change below the threshold is no regression.
expect 0 '' "$st" --tree "$tree" --good "$c0" --case "$re" --threshold 30 --out "$o" "$c4"
# The commit that "does not build" (the one-file kernel has no Makefile).
expect 125 '' "$st" --tree "$tree" --good "$c0" --case "$re" --out "$o" "$c2"
grep -q "^[^,]*,$c2,does not build,t+git-${c2:0:12},125,skip,\"\{0,1\}the build failed" "$o/steps.csv" ||
	fail "the skip is not recorded: $(cat "$o/steps.csv")"
expect 128 "no step of patches-dma has a case matching '\\^nothing\\$'" "$st" --tree "$tree" --good "$c0" --case '^nothing$' --out "$o" "$c4"
# The suite is cut to the steps the case needs: patches-dma's type1v2
# step, not its iommufd one.
expect_eq "the cut suite's steps" "$(grep '^step ' "$o/suite.cut" | cut -d' ' -f2)" dma
expect 128 'want --tree, --good, --case and --out' "$st" --tree "$tree" --good "$c0" "$c4"
expect 128 'unknown option' "$st" --bogus
# A good commit that cannot be measured aborts the bisection.
expect 128 '' "$st" --tree "$tree" --good "$c2" --case "$re" --out "$tmp/step2" "$c3"
grep -q '^bisect-step\.sh: error: the good commit .* cannot be measured: the build failed' "$tmp/stderr" ||
	fail "no error for a good commit that cannot be measured: $(cat "$tmp/stderr")"
# (A case no step can produce is refused before any commit is measured,
# like bad usage: no line.)
expect_eq "steps.csv lines" "$(wc -l <"$o/steps.csv")" 6
csvq "$o/steps.csv" '$c["commit"] == "'"$c4"'" && $c["exit"] == 1' 'print $c["result"], $c["runs"]' >"$tmp/bad"
expect_eq "the bad step's record" "$(cat "$tmp/bad")" "bad $fx/new"

# bisect.sh over c0..c5, the runs reused (copies under other run ids:
# a comparison refuses one run on two sides): c2 is skipped, c4 named.
copy_runs() { # copy_runs SIDE DEST TAG: SIDE's runs as other runs
	local r id
	mkdir -p "$2"
	for r in "$1"/*/; do
		id=$(basename "$r")
		cp -r "$r" "$2/$id-$3"
		sed -i "s/$id/$id-$3/g" "$2/$id-$3"/*.csv
	done
}
old=$tmp/old
copy_runs "$fx/same" "$tmp/same-c3" c3
copy_runs "$fx/new" "$tmp/new-c5" c5
seed "$old" "$c0" "$fx/base"
seed "$old" "$c1" "$fx/same"
seed "$old" "$c3" "$tmp/same-c3"
seed "$old" "$c4" "$fx/new"
seed "$old" "$c5" "$tmp/new-c5"
args=(--tree "$tree" --good "$c0" --bad "$c5" --case "$re" --threshold 5 --reuse "$old")
expect 0 '' "$bs" "${args[@]}" --out "$tmp/b1"
grep -qx "first bad commit: $c4 the regression" "$tmp/b1/result.txt" || fail "bisect.sh named no first bad commit: $(cat "$tmp/b1/result.txt")"
grep -q "^steps: .* 1 skipped" "$tmp/b1/result.txt" || fail "result.txt counts no skip: $(cat "$tmp/b1/result.txt")"
[ -f "$tmp/b1/timeline-dma_hugetlb-2m_type1v2_1G_map/timeline-dma_hugetlb-2m_type1v2_1G_map.svg" ] ||
	fail "no timeline of the case: $(ls "$tmp/b1")"
csvq "$tmp/b1/timeline-dma_hugetlb-2m_type1v2_1G_map/timeline.csv" 'NR > 1' 'print $c["verdict"]' | tr '\n' ' ' >"$tmp/v"
grep -q 'regressed' "$tmp/v" || fail "the timeline marks no regression: $(cat "$tmp/v")"
grep -q "bisect start" "$tmp/b1/bisect.log" || fail "no git bisect log"
git -C "$tree" rev-parse -q --verify refs/bisect/bad >/dev/null && fail "the bisection was not reset"
expect_eq "the tree's HEAD is untouched" "$(git -C "$tree" rev-parse HEAD)" "$c5"
# Only skipped commits between the last good and the first bad: none named.
seed "$tmp/old2" "$c0" "$fx/base"
seed "$tmp/old2" "$c1" "$fx/same"
seed "$tmp/old2" "$c5" "$fx/new"
expect 1 '' "$bs" --tree "$tree" --good "$c0" --bad "$c5" --case "$re" --threshold 5 --reuse "$tmp/old2" --out "$tmp/b2"
grep -q "^no first bad commit named" "$tmp/b2/result.txt" || fail "b2: $(cat "$tmp/b2/result.txt")"
# Refused: BAD that is not slower, a threshold below the mde, a range
# that is not one, a bisection in progress, a calibration that says no.
expect_last 2 'is not slower than GOOD' "$bs" --tree "$tree" --good "$c0" --bad "$c1" --case "$re" --threshold 5 --reuse "$old" --out "$tmp/b3"
# One boot a side under icount: nothing below 10% can be called.
seed "$tmp/old3" "$c0" "$(find "$fx/base" -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)"
seed "$tmp/old3" "$c5" "$(find "$fx/new" -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)"
expect_last 2 'below what the setup can detect: a change of 5% in dma/hugetlb-2m/type1v2/1G/map \(floor 10\.0%\) with 1 boot' \
	"$bs" --tree "$tree" --good "$c0" --bad "$c5" --case "$re" --threshold 5 --reuse "$tmp/old3" --out "$tmp/b4"
expect 2 'is not an ancestor of BAD' "$bs" --tree "$tree" --good "$c5" --bad "$c0" --case "$re"
expect 2 'want --tree, --good, --bad and --case' "$bs" --tree "$tree" --good "$c0" --bad "$c5"
expect 2 'is not a git tree' "$bs" --tree "$tmp" --good "$c0" --bad "$c5" --case x
expect 2 "exists; not overwriting it" "$bs" "${args[@]}" --out "$tmp/b1"
cal=$(find "$repo"/results -path '*/calibration/calibration.csv' -printf '%h\n' | sort | head -n 1)
expect 2 "below what the setup can detect: a change of 2% in dma/anon-4k/type1v2/1G/map \(floor [0-9.]+% at 1 boot\(s\) a side\)" \
	"$bs" --tree "$tree" --good "$c0" --bad "$c5" --case '^dma/anon-4k/type1v2/1G/map$' --accel tcg --calibration "$cal"
expect 2 "the calibration .* has no icount case matching" \
	"$bs" --tree "$tree" --good "$c0" --bad "$c5" --case '^dma/anon-4k/type1v2/1G/map$' --calibration "$cal"
git -C "$tree" bisect start --no-checkout "$c5" "$c0" >/dev/null
expect 2 'a bisection is in progress' "$bs" "${args[@]}" --out "$tmp/b5"
git -C "$tree" bisect reset >/dev/null 2>&1

# make bisect: make exits 2, and says the tool's own status.
rc=0
make -C "$repo" --no-print-directory bisect TREE="$tree" GOOD="$c0" BAD="$c5" CASE="$re" \
	OUT="$tmp/b6" THRESHOLD=5 REUSE="$tmp/old2" >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make bisect without a named commit: make's status" "$rc" 2
grep -q "^make bisect: harness/bisect.sh exited 1; make exits 2 for any failure" "$tmp/err" ||
	fail "make bisect: no status line: $(cat "$tmp/err")"
rc=0
make -C "$repo" --no-print-directory bisect TREE="$tree" GOOD="$c0" BAD="$c5" CASE="$re" \
	OUT="$tmp/b7" THRESHOLD=5 REUSE="$old" >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make bisect that names the commit" "$rc" 0
grep -qx "first bad commit: $c4 the regression" "$tmp/out" || fail "make bisect: $(cat "$tmp/out")"
finish
