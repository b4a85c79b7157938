#!/bin/bash
# harness/cache.sh: list and prune the cache's kernel builds by their
# last use, keeping a build whose lock a running kbuild.sh holds and
# removing partial builds of runs that are gone; its usage errors.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c=$repo/harness/cache.sh
export VFIO_PERF_CACHE=$tmp/cache
k=$VFIO_PERF_CACHE/kbuild
mkdir -p "$k" "$VFIO_PERF_CACHE/kcheck" "$VFIO_PERF_CACHE/locks"
# build NAME DAYS: a finished build directory last used DAYS days ago.
build() {
	mkdir -p "$1/tree"
	head -c 2097152 /dev/zero >"$1/tree/vmlinux"
	echo 6.12.117-vp >"$1/release"
	touch -d "$2 days ago" "$1/release" "$1/last-used"
}
build "$k/6.12-aaaaaaaaaaaa" 30
build "$k/6.12+s~1-bbbbbbbbbbbb" 20
build "$k/7.2-cccccccccccc" 1
build "$VFIO_PERF_CACHE/kcheck/6.12-debian-dddddddddddd" 40
mkdir "$k/6.12@x-eeeeeeeeeeee.Ab12Cd.tmp" "$k/7.2@y-ffffffffffff.Xy34Zw.tmp"
# An old build without a last-used stamp counts from its release file.
build "$k/6.1-999999999999" 30
rm "$k/6.1-999999999999/last-used"
# A running kbuild.sh holds the locks of one old build (a walk step:
# NAME:K kept as NAME~K) and of one partial build, each named after the
# build's directory.
exec {fd1}>"$VFIO_PERF_CACHE/locks/kbuild-6.12+s~1-bbbbbbbbbbbb.lock"
exec {fd2}>"$VFIO_PERF_CACHE/locks/kbuild-7.2@y-ffffffffffff.lock"
flock "$fd1"
flock "$fd2"

expect 0 "" "$c" list
expect_eq "list lines" "$(grep -c ' kbuild \| kcheck ' "$tmp/stdout")" 7
grep -q "^2026-[0-9-]*T[0-9:]*Z \+[23] kbuild 7.2-cccccccccccc$" "$tmp/stdout" || fail "list: $(cat "$tmp/stdout")"
grep -q "^total [0-9]* MiB in $VFIO_PERF_CACHE$" "$tmp/stdout" || fail "no total: $(tail -n 1 "$tmp/stdout")"

expect 0 "" "$c" prune --days 7 --dry-run
[ -d "$k/6.12-aaaaaaaaaaaa" ] || fail "--dry-run removed a build"
grep -q "would remove 6.12-aaaaaaaaaaaa ([23] MiB, last used" "$tmp/stderr" || fail "dry run: $(cat "$tmp/stderr")"

expect 0 "" "$c" prune --days 7
for d in 6.12-aaaaaaaaaaaa 6.1-999999999999 6.12@x-eeeeeeeeeeee.Ab12Cd.tmp; do
	[ ! -e "$k/$d" ] || fail "prune kept $d"
done
[ ! -e "$VFIO_PERF_CACHE/kcheck/6.12-debian-dddddddddddd" ] || fail "prune kept the old prepared tree"
for d in 7.2-cccccccccccc 6.12+s~1-bbbbbbbbbbbb 7.2@y-ffffffffffff.Xy34Zw.tmp; do
	[ -d "$k/$d" ] || fail "prune removed $d"
done
grep -q "keeping 6.12+s~1-bbbbbbbbbbbb: a running kbuild.sh holds its lock" "$tmp/stderr" ||
	fail "locked build not said: $(cat "$tmp/stderr")"
grep -q "removed 6.12@x-eeeeeeeeeeee.Ab12Cd.tmp ([01] MiB, a partial build of a run that is gone)" "$tmp/stderr" ||
	fail "partial build not said: $(cat "$tmp/stderr")"
freed=$(sed -n 's/^cache\.sh: freed \([0-9]*\) MiB$/\1/p' "$tmp/stderr")
[[ $freed -ge 8 && $freed -le 13 ]] || fail "freed: $(tail -n 1 "$tmp/stderr")"

# Once the lock is released, the old build goes too.
exec {fd1}>&-
expect 0 "" "$c" prune --days 7
[ ! -e "$k/6.12+s~1-bbbbbbbbbbbb" ] || fail "prune kept an unlocked old build"
[ -d "$k/7.2-cccccccccccc" ] || fail "prune removed a build used a day ago"

expect 2 "^cache\.sh: error: --days wants a whole number of days, 1 or more, not '0'" "$c" prune --days 0
expect 2 "^cache\.sh: error: --days needs a value" "$c" prune --days
expect 2 "^cache\.sh: error: say list or prune" "$c" clean
expect 2 "^cache\.sh: error: --days and --dry-run are options of prune" "$c" list --dry-run
expect 2 "^cache\.sh: error: unknown argument '--all'" "$c" prune --all
expect 0 "" "$c" --help
grep -q '^usage: cache.sh list' "$tmp/stdout" || fail "--help has no usage line"
finish
