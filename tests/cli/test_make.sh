#!/bin/bash
# The Makefile as a newcomer meets it: a plain `make` on a machine without
# the build's packages says in one line what is missing and how to get it
# (before any compiler error); `make help` lists every target; a failing
# tool's own status is named when make can only exit 2.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A copy of the working tree, as a fresh clone has it, owned by nobody.
base=$(mktemp -d)
trap 'rm -rf "$tmp" "$base"' EXIT
chmod 755 "$base"
git -C "$repo" ls-files -z | (cd "$repo" && xargs -0 cp -P --parents -t "$base")
mkdir "$base/fake"
# dpkg-query that does not know libhwloc-dev: hwloc.h is "not installed".
cat >"$base/fake/dpkg-query" <<'FAKE'
#!/bin/sh
/usr/bin/dpkg-query "$@" | grep -v ' libhwloc-dev$'
FAKE
chmod 755 "$base/fake/dpkg-query"
chown -R 65534:65534 "$base"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$base" PATH="$base/fake:$PATH" "$@"
}
rc=0
as_nobody make -C "$base" --no-print-directory >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make without libhwloc-dev: exit" "$rc" 2
head -n 1 "$tmp/err" | grep -qE '^deps\.sh: error: missing packages: libhwloc-dev; run as root: make deps' ||
	fail "make without libhwloc-dev: first line: $(head -n 1 "$tmp/err")"
if grep -q 'hwloc.h' "$tmp/err"; then
	fail "make without libhwloc-dev still ran the compiler: $(grep -m1 hwloc.h "$tmp/err")"
fi

# make help names every target the Makefile declares.
make -C "$repo" --no-print-directory help >"$tmp/help"
for t in $(sed -n '/^\.PHONY:/,/[^\\]$/p' "$repo/Makefile" | tr -d '\134' | sed 's/^\.PHONY://'); do
	[ "$t" = help ] || [ "$t" = all ] || [ "$t" = build-deps ] ||
		grep -qE "^  ([a-z-]+ )*$t( |$)" "$tmp/help" || fail "make help does not list $t"
done

# A tool's own status survives in the message make prints.
rc=0
make -C "$repo" --no-print-directory compare A="$tmp/none" B="$tmp/none2" >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make compare of missing sides: make's status" "$rc" 2
grep -q "^make compare: plot/report.sh exited 2; make exits 2 for any failure: where the status matters (scripts, git bisect run), run plot/report.sh directly$" "$tmp/err" ||
	fail "make compare: no status line: $(cat "$tmp/err")"
rc=0
"$repo/harness/status.sh" bench sh -c 'exit 3' 2>"$tmp/err" || rc=$?
expect_eq "status.sh passes the status" "$rc" 3
grep -q '^make bench: sh exited 3;' "$tmp/err" || fail "status.sh message: $(cat "$tmp/err")"
expect 0 "" "$repo/harness/status.sh" bench true
# make bisect and make walk: their knobs, and the tool's status named
# (tests/cli/test_bisect.sh runs make bisect to its statuses 0 and 1).
rc=0
make -C "$repo" --no-print-directory bisect TREE="$tmp" GOOD=a BAD=b >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make bisect without CASE" "$rc" 2
grep -qx 'make bisect: set TREE=<git tree> GOOD=<rev> BAD=<rev> CASE=<regex>' "$tmp/err" || fail "make bisect without CASE: $(cat "$tmp/err")"
rc=0
make -C "$repo" --no-print-directory bisect TREE="$tmp" GOOD=a BAD=b CASE=x >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make bisect of no git tree" "$rc" 2
grep -q "^make bisect: harness/bisect.sh exited 2; make exits 2 for any failure" "$tmp/err" || fail "make bisect: no status line: $(cat "$tmp/err")"
rc=0
make -C "$repo" --no-print-directory walk >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "make walk without BUILD" "$rc" 2
grep -qx 'make walk: set BUILD=BASE+SERIES' "$tmp/err" || fail "make walk without BUILD: $(cat "$tmp/err")"
finish
