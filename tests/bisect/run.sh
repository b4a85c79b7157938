#!/bin/bash
# make test-bisect: bisect a kernel history with a planted regression for
# real. tests/bisect/mktree.sh makes the history (the 6.12 base source,
# the type1-contig-batch series, a commit that does not compile and its
# revert, the regression, a harmless commit); harness/bisect.sh must name
# the regression, skip (125) the commit that does not compile whenever it
# tests it, and blame no other commit. Each commit is built incrementally
# from build:6.12 and booted once under icount with a one-case suite.
#
#   tests/bisect/run.sh [DIR]   DIR: where the history and the bisection
#                               go (default: a new temporary directory,
#                               removed when the test passes)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export VFIO_PERF_CACHE=${VFIO_PERF_CACHE:-$repo/.cache}

case ${1:-} in
-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
keep=1 work=${1:-}
if [ -z "$work" ]; then
	keep=0
	work=$(mktemp -d "${TMPDIR:-/tmp}/vp-test-bisect.XXXXXX")
fi
mkdir -p "$work"
t0=$(date +%s)
fail() {
	echo "FAIL: $*" >&2
	echo "test-bisect: the history and the bisection stay in $work" >&2
	exit 1
}

if [ -d "$work/linux/.git" ]; then
	[ "$(git -C "$work/linux" log --format='%s' | grep -c '^vfio/type1: planted regression')" = 1 ] ||
		fail "$work/linux is not a history mktree.sh made"
else
	echo "test-bisect: making the history in $work/linux"
	"$here/mktree.sh" "$work/linux" >"$work/commits" || fail "mktree.sh failed"
fi
git -C "$work/linux" log --reverse --format='%H %s' >"$work/history"
sha() { # sha SUBJECT-REGEX: the commit whose subject matches
	awk -v re="$1" '{ s = $0; sub(/^[^ ]+ /, "", s) } s ~ re { print $1 }' "$work/history"
}
good=$(head -n 1 "$work/history" | cut -d' ' -f1)
bad=$(tail -n 1 "$work/history" | cut -d' ' -f1)
regress=$(sha '^vfio/type1: planted regression')
broken=$(sha '^vfio/type1: a change that does not compile')
{ [ -n "$regress" ] && [ -n "$broken" ]; } || fail "the history lacks the regression or the broken commit"
t1=$(date +%s)

out=$work/bisect-$(date -u +%Y%m%dT%H%M%SZ)
rc=0
"$repo/harness/bisect.sh" --tree "$work/linux" --good "$good" --bad "$bad" \
	--case '^dma/anon-4k-frag/type1v2/256M/unmap$' --threshold 25 --boots 1 --accel icount \
	--suite "$repo/tests/fixtures/bisect/bisect.suite" --base 6.12 --out "$out" || rc=$?
t2=$(date +%s)
[ "$rc" = 0 ] || fail "bisect.sh exited $rc, want 0 ($out)"
grep -q "^first bad commit: $regress " "$out/result.txt" ||
	fail "the first bad commit is not the planted regression ${regress:0:12}: $(head -n 1 "$out/result.txt")"
# The commit that does not compile was skipped, never judged.
gawk -v FPAT='([^,]*)|("([^"]|"")*")' -v b="$broken" 'NR > 1 && $2 == b && $5 != 125 { bad = 1 }
	END { exit bad }' "$out/steps.csv" || fail "the commit that does not compile was judged: $(grep "$broken" "$out/steps.csv")"
grep -q "^[^,]*,$broken,.*,125,skip,\"\{0,1\}the build failed" "$out/steps.csv" ||
	fail "the commit that does not compile was not tested and skipped (it is git bisect's first pick): $(cat "$out/steps.csv")"
# Only the regression and the commits after it are bad.
after=$(git -C "$work/linux" rev-list "$regress^..$bad")
for c in $(gawk -v FPAT='([^,]*)|("([^"]|"")*")' 'NR > 1 && $5 == 1 { print $2 }' "$out/steps.csv"); do
	grep -qx "$c" <<<"$after" || fail "commit ${c:0:12} before the regression was blamed"
done
ls "$out"/timeline-*/timeline-*.png >/dev/null 2>&1 || fail "no timeline chart in $out"

steps=$(($(wc -l <"$out/steps.csv") - 1))
echo "test-bisect: ok: the first bad commit is ${regress:0:12} (the planted regression); $steps commits measured, the one that does not compile skipped"
echo "test-bisect: making the history $(((t1 - t0 + 30) / 60)) min, the bisection $(((t2 - t1 + 30) / 60)) min ($out)"
sed 's/^/  /' "$out/result.txt"
[ "$keep" = 1 ] || rm -rf "$work"
