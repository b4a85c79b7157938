#!/bin/bash
# The test suite: unit tests (ASan/UBSan), lint, command-line tests, and
# the integration test that boots the QEMU guest. Ends with one line
# "N passed, M failed" and exits non-zero if anything failed.
#
#   tests/run.sh [--quick] [FILTER]
#     --quick   skip the integration tests (no guest boot)
#     FILTER    run only tests whose name contains FILTER
#
# Example: tests/run.sh --quick test_samples
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cd "$repo"

quick=0 filter=""
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	-h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) filter=$a ;;
	esac
done

# The guests of the tests run TCG single-threaded (harness/qemu.sh,
# VP_TCG_THREAD): multi-threaded TCG crashed a test guest now and then in
# kernel text being patched. Tests check behaviour, not speed.
export VP_TCG_THREAD=${VP_TCG_THREAD:-single}

passed=0 failed=0
failures=()
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

# run_test NAME CMD...: one test; its output is shown only if it fails.
run_test() {
	local name=$1 start rc=0
	shift
	[[ -z $filter || $name == *"$filter"* ]] || return 0
	start=$(date +%s)
	"$@" >"$logdir/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		printf 'ok   %-40s %4ss\n' "$name" $(($(date +%s) - start))
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAIL %-40s %4ss (exit %s)\n' "$name" $(($(date +%s) - start)) "$rc"
		sed 's/^/    | /' "$logdir/out" | tail -n 60
	fi
}

# The C unit tests count as their own tests: fold their tally in.
unit_tests() {
	local out rc=0 p f
	[[ -z $filter || unit == *"$filter"* ]] || return 0
	out=$(build/asan/unit-tests 2>&1) || rc=$?
	if ! tail -n 1 <<<"$out" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
		failed=$((failed + 1))
		failures+=("unit-tests (crashed, exit $rc)")
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/    | /'
		return
	fi
	read -r p _ f _ < <(tail -n 1 <<<"$out")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
		failures+=("unit-tests ($f failed)")
		grep -E '^not ok|FAIL|ERROR|runtime error' <<<"$out" | sed 's/^/    | /' | head -n 40
		[ "$f" != 0 ] || failed=$((failed + 1))
	fi
	printf 'ok   %-40s (%s unit tests)\n' "unit-tests" "$p"
}

unit_tests
run_test lint tests/lint.sh
for t in tests/cli/test_*.sh; do
	run_test "$(basename "$t" .sh)" "$t"
done
if [ "$quick" = 0 ]; then
	for t in tests/integration/test_*.sh; do
		run_test "$(basename "$t" .sh)" "$t"
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
