# shellcheck shell=bash
# Assertions for the command-line tests. Each test script sources this,
# runs commands through `expect`, and ends with `finish`.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export bin=$repo/build/release
nfail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	nfail=$((nfail + 1))
}

# expect CODE REGEX CMD...: CMD exits with CODE and its stderr is exactly
# one line matching REGEX (empty REGEX: stderr not checked).
expect() {
	local code=$1 re=$2 rc=0 lines
	shift 2
	"$@" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
	if [ "$rc" != "$code" ]; then
		fail "$* exited $rc, want $code; stderr: $(head -c 300 "$tmp/stderr")"
		return
	fi
	[ -n "$re" ] || return 0
	lines=$(wc -l <"$tmp/stderr")
	if [ "$lines" != 1 ] || ! grep -qE -- "$re" "$tmp/stderr"; then
		fail "$*: stderr is not one line matching /$re/: $(cat "$tmp/stderr")"
	fi
}

# guest_run SUITE [ARG...]: run SUITE in the QEMU guest with the ASan
# build (accel $VFIO_PERF_TEST_ACCEL, tcg by default) into $tmp/results,
# its output on stdout and in $tmp/bench.log; sets run to the run
# directory, and fails the test at once when there is none.
guest_run() {
	local suite=$1
	shift
	"$repo/harness/bench.sh" --suite "$suite" --accel "${VFIO_PERF_TEST_ACCEL:-tcg}" \
		--results "$tmp/results" --bindir "$repo/build/asan" "$@" 2>&1 | tee "$tmp/bench.log"
	run=$(find "$tmp/results" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$run" ] || { echo "no run directory"; exit 1; }
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# csvq FILE AWK-CONDITION AWK-PRINT: query a CSV by column names (c["x"]).
csvq() {
	gawk -v FPAT='([^,]*)|("([^"]|"")*")' "NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next } $2 { $3 }" "$1"
}

finish() {
	[ "$nfail" = 0 ] || { echo "$nfail assertion(s) failed" >&2; exit 1; }
	echo "all assertions passed"
}
