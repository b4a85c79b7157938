#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# One step of a performance bisection, as `git bisect run` calls it: build
# the commit under test (incrementally, harness/commitbuild.sh), boot it,
# run the suite, compare the case against the good commit's runs, and say
# good (0), bad (1) or skip (125: it could not be built, booted or judged).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: bisect-step.sh --tree TREE --good REV --case REGEX --out DIR
                      [--threshold PCT] [--suite S] [--boots N] [--accel A]
                      [--calibration DIR] [--base NAME] [COMMIT]

Judge COMMIT of the git tree TREE (default: BISECT_HEAD when a bisection
started with --no-checkout is in progress, else HEAD) against REV on the
cases whose name matches REGEX (extended, as the last column of
vfio-perf-compare's table names them: dma/anon-4k-frag/type1v2/256M/unmap).
Each commit is built as harness/commitbuild.sh names it (its kernel-patches
directory is DIR/kernel-patches), booted BOOTS times through campaign.sh
(its runs in DIR/commits/<12 hex digits>/, reused when that commit was
measured before: REV is measured once) and compared with
vfio-perf-compare against REV's runs. Every step is a line of
DIR/steps.csv: time,commit,subject,build,exit,result,reason,minutes,runs.

  --threshold PCT    smallest change that counts (default 2)
  --suite S          the suite (default patches-dma), cut once to the steps
                     that can produce a matching case (harness/suite-cut.sh;
                     the cut suite is DIR/suite.cut): each step boots it
  --boots N          boots per commit (default 1)
  --accel A          default icount (deterministic: code paths compare)
  --calibration DIR  as vfio-perf-compare --calibration
  --base NAME        as harness/commitbuild.sh --base

Exit (what git bisect run understands): 0 good (no matching case
regressed), 1 bad (one did), 125 skip (the build, the boot or the
comparison failed, or a matching case is unstable or missing: recorded
in steps.csv), 128 abort the bisection (REV cannot be measured, REGEX
matches no case, bad usage).

Example (by hand, in a tree where `git bisect start --no-checkout BAD GOOD` ran):
  git bisect run harness/bisect-step.sh --tree . --good GOOD --case '/anon-4k-frag/type1v2/256M/unmap$' --threshold 25 --suite tests/fixtures/bisect/bisect.suite --out /tmp/bisect
EOF
}

# Bad usage aborts a bisection too (git bisect run reads 2 as "bad").
abort() {
	printf '%s: error: %s\n' "$VP_PROG" "$*" >&2
	exit 128
}

tree="" good="" re="" out="" threshold=2 suite=patches-dma boots=1 accel=icount calibration="" base="" commit=""
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree | --good | --case | --out | --threshold | --suite | --boots | --accel | --calibration | --base)
		[ $# -ge 2 ] || abort "$1 wants a value"
		case $1 in
		--tree) tree=$2 ;;
		--good) good=$2 ;;
		--case) re=$2 ;;
		--out) out=$2 ;;
		--threshold) threshold=$2 ;;
		--suite) suite=$2 ;;
		--boots) boots=$2 ;;
		--accel) accel=$2 ;;
		--calibration) calibration=$2 ;;
		--base) base=$2 ;;
		esac
		shift 2
		;;
	-*) abort "unknown option '$1' (see --help)" ;;
	*)
		[ -z "$commit" ] || abort "unexpected argument '$1' (see --help)"
		commit=$1
		shift
		;;
	esac
done
if [ -z "$tree" ] || [ -z "$good" ] || [ -z "$re" ] || [ -z "$out" ]; then
	abort "want --tree, --good, --case and --out (see --help)"
fi
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || abort "$tree is not a git tree"
if [ -z "$commit" ]; then
	commit=BISECT_HEAD
	git -C "$tree" rev-parse -q --verify BISECT_HEAD >/dev/null || commit=HEAD
fi
rev=$commit
commit=$(git -C "$tree" rev-parse -q --verify "$rev^{commit}") || abort "$rev is no commit of $tree"
rev=$good
good=$(git -C "$tree" rev-parse -q --verify "$rev^{commit}") || abort "$rev is no commit of $tree"
mkdir -p "$out/commits"
out=$(cd "$out" && pwd)
# Only the steps the case needs, once per bisection (again if the case
# or the suite is not the one the cut was made for).
key=$(printf '%s\n%s\n' "$re" "$suite" | sha256sum | cut -c1-16)
if [ ! -f "$out/suite.cut" ] || [ "$(cat "$out/suite.cut.key" 2>/dev/null)" != "$key" ]; then
	"$(dirname "${BASH_SOURCE[0]}")/suite-cut.sh" "$suite" "$re" >"$out/suite.cut.tmp" 2>"$out/suite-cut.log" || {
		rm -f "$out/suite.cut.tmp"
		abort "$(grep -m 1 'error:' "$out/suite-cut.log" || tail -n 1 "$out/suite-cut.log")"
	}
	mv "$out/suite.cut.tmp" "$out/suite.cut"
	echo "$key" >"$out/suite.cut.key"
	vp_log "$(tail -n 1 "$out/suite-cut.log")"
fi
suite=$out/suite.cut
[ -f "$out/steps.csv" ] ||
	echo "time,commit,subject,build,exit,result,reason,minutes,runs" | vp_atomic_write "$out/steps.csv"
t0=$(date +%s)

# record COMMIT EXIT RESULT REASON [BUILD] [RUNS]: a line of steps.csv.
record() {
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" \
		"$(vp_csv_field "$(git -C "$tree" log -n 1 --format=%s "$1")")" "$(vp_csv_field "${5:-}")" \
		"$2" "$3" "$(vp_csv_field "$4")" "$((($(date +%s) - t0 + 30) / 60))" \
		"$(vp_csv_field "${6:+${6#"$out"/}}")" >>"$out/steps.csv"
}

# measure COMMIT: build and boot it (once); sets RUNS (its runs) and
# BUILD, or WHY and returns 1.
measure() {
	local c=$1 d log k rc=0
	d=$out/commits/${c:0:12}
	RUNS="" BUILD="" WHY=""
	if [ -f "$d/runs" ]; then
		RUNS=$(<"$d/runs") BUILD=$(<"$d/build")
		return 0
	fi
	mkdir -p "$d"
	log=$d/build.log
	BUILD=$("$(dirname "${BASH_SOURCE[0]}")/commitbuild.sh" --tree "$tree" --patches "$out/kernel-patches" \
		${base:+--base "$base"} "$c" 2>"$log") || {
		WHY="no build: $(tail -n 1 "$log")"
		return 1
	}
	export VP_KERNEL_PATCHES=$out/kernel-patches
	vp_log "${c:0:12}: building $BUILD (log: $log)"
	"$(dirname "${BASH_SOURCE[0]}")/kbuild.sh" "$BUILD" >/dev/null 2>>"$log" || {
		WHY="the build failed: $(grep -m 1 -E 'error:' "$log" || tail -n 1 "$log")"
		return 1
	}
	vp_log "${c:0:12}: booting build:$BUILD $boots time(s)"
	"$(dirname "${BASH_SOURCE[0]}")/campaign.sh" --kernels "build:$BUILD" --boots "$boots" \
		--suite "$suite" --accel "$accel" --results "$d" --no-plot >"$d/campaign.log" 2>&1 || rc=$?
	k=$(find "$d" -mindepth 2 -maxdepth 2 -type d -path '*/campaign-*/build_*' | head -n 1)
	if [ "$rc" != 0 ] || [ -z "$k" ]; then
		WHY="the boot failed (campaign.sh exit $rc: ${k:-no runs})"
		return 1
	fi
	printf '%s\n' "$k" >"$d/runs"
	printf '%s\n' "$BUILD" >"$d/build"
	RUNS=$k
}

if ! measure "$good"; then
	record "$good" 128 abort "the good commit: $WHY" "$BUILD"
	abort "the good commit ${good:0:12} cannot be measured: $WHY"
fi
good_runs=$RUNS
if [ "$commit" = "$good" ]; then
	record "$commit" 0 good "the good commit itself" "$BUILD" "$RUNS"
	exit 0
fi
if ! measure "$commit"; then
	record "$commit" 125 skip "$WHY" "$BUILD"
	vp_log "${commit:0:12}: skip: $WHY"
	exit 125
fi

d=$out/commits/${commit:0:12}
rm -f "$d/compare.csv" "$d/table.txt"
rc=0
"$(vp_repo)/build/release/vfio-perf-compare" --threshold "$threshold" ${calibration:+--calibration "$calibration"} \
	--csv "$d/compare.csv" --label "good ${good:0:12}" --label "${commit:0:12}" \
	"$good_runs" "$RUNS" >"$d/table.txt" 2>"$d/compare.err" || rc=$?
if [ ! -f "$d/compare.csv" ]; then
	record "$commit" 125 skip "the comparison was refused: $(head -n 1 "$d/compare.err")" "$BUILD" "$RUNS"
	exit 125
fi
# The verdicts of the matching cases (information rows aside).
verdicts=$(gawk -v FPAT='([^,]*)|("([^"]|"")*")' -v re="$re" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["side"] == 1 && $c["case"] ~ re && $c["verdict"] != "info" { print $c["case"], $c["verdict"] }' "$d/compare.csv")
if [ -z "$verdicts" ]; then
	record "$commit" 128 abort "no case matches $re" "$BUILD" "$RUNS"
	abort "no case of the suite matches '$re' (see $d/table.txt)"
fi
printf '%s\n' "$verdicts" >"$d/verdicts"
if grep -q ' regressed$' <<<"$verdicts"; then
	record "$commit" 1 bad "$(grep ' regressed$' <<<"$verdicts" | cut -d' ' -f1 | paste -sd' ') regressed" "$BUILD" "$RUNS"
	vp_log "${commit:0:12}: bad"
	exit 1
fi
if grep -qE ' (unstable|missing)$' <<<"$verdicts"; then
	record "$commit" 125 skip "cannot tell: $(grep -E ' (unstable|missing)$' <<<"$verdicts" | paste -sd' ')" "$BUILD" "$RUNS"
	vp_log "${commit:0:12}: skip (cannot tell)"
	exit 125
fi
record "$commit" 0 good "no matching case regressed" "$BUILD" "$RUNS"
vp_log "${commit:0:12}: good"
exit 0
