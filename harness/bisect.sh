#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Bisect a performance regression over a git range: git bisect run with
# harness/bisect-step.sh, after checking that BAD is slower than GOOD on
# the case and that the setup can call a change of the size asked about;
# then the first bad commit and the case's timeline over the tested commits.
# shellcheck disable=SC2016 # csv runs the awk programs given in single quotes
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: bisect.sh --tree TREE --good REV --bad REV --case REGEX
                 [--threshold PCT] [--suite S] [--boots N] [--accel A]
                 [--calibration DIR] [--base NAME] [--out DIR] [--reuse DIR]

Find the commit between GOOD and BAD of the git tree TREE that made the
cases matching REGEX (extended, over case names such as
dma/anon-4k-frag/type1v2/256M/unmap) slower. Each commit tested is built
incrementally from a cached base build (harness/commitbuild.sh), booted
BOOTS times and compared with GOOD (harness/bisect-step.sh, which git
bisect run calls; a commit that does not build or boot is skipped, 125,
and recorded). TREE's checkout is not touched (git bisect start
--no-checkout), and a bisection in progress there is refused.

PCT is the change asked about. Before bisecting: with --calibration, a
matching case whose calibrated floor (the smallest change a comparison
can call, docs/results.md) at BOOTS boots a side is above PCT is refused:
the change asked about is below what the setup can detect. Then GOOD and
BAD are measured, and the bisection is refused unless BAD regressed on a
matching case, or if the floor of that comparison (from the boots' own
spread, the calibration, or with one boot a side the accel mode's: 10%
under icount) is above PCT for a matching case.

The bisection directory (default results/bisect-<UTC time>-<case>, never
reused) holds steps.csv (every commit tested: bisect-step.sh --help),
commits/<12 hex digits>/ (each commit's runs, build log, comparison),
kernel-patches/ (the series the commit builds are made of), bisect.log
(git bisect log), result.txt (the first bad commit, steps, minutes) and
timeline-<case>/ (plot/report.sh --timeline over GOOD and the tested
commits in history order, each against GOOD).

  --threshold PCT    smallest change that counts (default 2)
  --suite S          the suite (default patches-dma); give one with only
                     the steps the case needs: every step boots it
  --boots N          boots per commit (default 1)
  --accel A          default icount (deterministic: code paths compare)
  --calibration DIR  a calibration (harness/calibrate.sh) of the accel mode
  --base NAME        as harness/commitbuild.sh --base
  --out DIR          the bisection directory
  --reuse DIR        take the commits an earlier bisection DIR measured
                     (its commits/*/runs) instead of booting them again:
                     another case or threshold over the same runs

Exit: 0 the first bad commit is named (result.txt), 1 the bisection
ended without one commit to name (skipped commits left: result.txt
lists them), 2 bad usage, a refused bisection or a failure.

Example (the history tests/bisect/mktree.sh makes):
  harness/bisect.sh --tree /tmp/linux-bisect --good HEAD~6 --bad HEAD --case '/anon-4k-frag/type1v2/256M/unmap$' --threshold 25 --suite tests/fixtures/bisect/bisect.suite
EOF
}

# Every failure here exits 2: 1 says "no commit named".
die() {
	printf '%s: error: %s\n' "$VP_PROG" "$*" >&2
	exit 2
}

tree="" good="" bad="" re="" out="" threshold=2 suite=patches-dma boots=1 accel=icount calibration="" base="" reuse=""
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree | --good | --bad | --case | --out | --threshold | --suite | --boots | --accel | --calibration | --base | --reuse)
		vp_need_value "$1" $#
		case $1 in
		--tree) tree=$2 ;;
		--good) good=$2 ;;
		--bad) bad=$2 ;;
		--case) re=$2 ;;
		--out) out=$2 ;;
		--threshold) threshold=$2 ;;
		--suite) suite=$2 ;;
		--boots) boots=$2 ;;
		--accel) accel=$2 ;;
		--calibration) calibration=$2 ;;
		--base) base=$2 ;;
		--reuse) reuse=$2 ;;
		esac
		shift 2
		;;
	*) vp_usage_error "unexpected argument '$1'" ;;
	esac
done
if [ -z "$tree" ] || [ -z "$good" ] || [ -z "$bad" ] || [ -z "$re" ]; then
	vp_usage_error "want --tree, --good, --bad and --case"
fi
[[ $threshold =~ ^[0-9]+(\.[0-9]+)?$ ]] || vp_usage_error "--threshold wants a percentage, not '$threshold'"
[[ $boots =~ ^[1-9][0-9]?$ ]] || vp_usage_error "--boots wants 1 to 99, not '$boots'"
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || vp_usage_error "$tree is not a git tree"
tree=$(cd "$tree" && pwd)
good=$(git -C "$tree" rev-parse -q --verify "$good^{commit}") || vp_usage_error "--good: no commit $good in $tree"
bad=$(git -C "$tree" rev-parse -q --verify "$bad^{commit}") || vp_usage_error "--bad: no commit $bad in $tree"
[ "$good" != "$bad" ] || vp_usage_error "GOOD and BAD are one commit"
git -C "$tree" merge-base --is-ancestor "$good" "$bad" || vp_usage_error "GOOD ${good:0:12} is not an ancestor of BAD ${bad:0:12}"
if git -C "$tree" rev-parse -q --verify refs/bisect/bad >/dev/null ||
	[ -e "$(git -C "$tree" rev-parse --git-path BISECT_START)" ]; then
	die "$tree: a bisection is in progress (git bisect log; git bisect reset ends it)"
fi
[ -z "$calibration" ] || [ -f "$calibration/calibration.csv" ] || vp_usage_error "--calibration $calibration has no calibration.csv"
[ -z "$reuse" ] || [ -d "$reuse/commits" ] || vp_usage_error "--reuse $reuse is no bisection directory (no commits/)"
rc=0
grep -qE -- "$re" <<<"" 2>/dev/null || rc=$?
[ "$rc" -le 1 ] || vp_usage_error "--case: bad regex '$re'"
# git bisect run calls the step in TREE: paths made absolute.
[ ! -f "$suite" ] || suite=$(cd "$(dirname "$suite")" && pwd)/$(basename "$suite")
[ -z "$calibration" ] || calibration=$(cd "$calibration" && pwd)

csv() {
	gawk -v FPAT='([^,]*)|("([^"]|"")*")' "$@"
}

# The calibration's word first: the floor of each matching case (the
# smallest change a comparison can ever call) at the largest calibrated
# number of boots not above BOOTS.
if [ -n "$calibration" ]; then
	refused=$(csv -v re="$re" -v accel="$accel" -v boots="$boots" -v t="$threshold" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
			k = 1; split("1 2 3 5 8", ks, " "); for (i in ks) if (ks[i] + 0 <= boots + 0 && ks[i] + 0 > k) k = ks[i] + 0
			col = c["floor_" k]; next }
		$c["accel"] == accel && $c["case"] ~ re && $col != "" {
			n++; if (100 * $col > t + 1e-9) printf "%s (floor %.1f%% at %d boot(s) a side)\n", $c["case"], 100 * $col, k }
		END { if (!n) print "none" }' "$calibration/calibration.csv")
	[ "$refused" != none ] || die "the calibration $calibration has no $accel case matching '$re'"
	[ -z "$refused" ] || die "below what the setup can detect: a change of $threshold% in $(paste -sd';' <<<"$refused" | sed 's/;/; /g') (--calibration $calibration): ask about a larger change or give more --boots"
fi

if [ -z "$out" ]; then
	parent=${VFIO_PERF_RESULTS:-$(vp_repo)/results}
	mkdir -p "$parent"
	s=${re//[^A-Za-z0-9._-]/_}
	out=$parent/bisect-$(date -u +%Y%m%dT%H%M%SZ)-${s:0:60}
fi
mkdir -p "$(dirname "$out")"
mkdir "$out" 2>/dev/null || die "$out: exists; not overwriting it"
out=$(cd "$out" && pwd)
t0=$(date +%s)
if [ -n "$reuse" ]; then
	for d in "$reuse"/commits/*/; do
		[ -f "$d/runs" ] || continue
		mkdir -p "$out/commits/$(basename "$d")"
		cp "$d/runs" "$d/build" "$out/commits/$(basename "$d")/"
	done
fi
step=("$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bisect-step.sh" --tree "$tree" --good "$good" --case "$re" --out "$out"
	--threshold "$threshold" --suite "$suite" --boots "$boots" --accel "$accel"
	${calibration:+--calibration "$calibration"} ${base:+--base "$base"})

# GOOD and BAD: BAD must be a regression the setup can call.
vp_log "measuring GOOD ${good:0:12} and BAD ${bad:0:12}; the bisection in $out"
rc=0
"${step[@]}" "$bad" || rc=$?
case $rc in
1) ;;
0) die "BAD ${bad:0:12} is not slower than GOOD ${good:0:12} on '$re' ($out/commits/${bad:0:12}/table.txt): nothing to bisect" ;;
125) die "BAD ${bad:0:12} cannot be judged: $(tail -n 1 "$out/steps.csv")" ;;
*) die "the measurement of GOOD or BAD failed (exit $rc; $out/steps.csv)" ;;
esac
above=$(csv -v re="$re" -v t="$threshold" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["side"] == 1 && $c["case"] ~ re && $c["verdict"] != "info" && $c["floor"] != "" && 100 * $c["floor"] > t + 1e-9 {
		printf "%s (floor %.1f%%)\n", $c["case"], 100 * $c["floor"] }' "$out/commits/${bad:0:12}/compare.csv")
[ -z "$above" ] || die "below what the setup can detect: a change of $threshold% in $(paste -sd';' <<<"$above" | sed 's/;/; /g') with $boots boot(s) a commit ($out/commits/${bad:0:12}/table.txt): ask about a larger change, give more --boots or a --calibration"

# The bisection, without touching TREE's checkout.
git -C "$tree" bisect start --no-checkout "$bad" "$good" >"$out/bisect-run.log" 2>&1 ||
	die "git bisect start failed: $(tail -n 1 "$out/bisect-run.log")"
rc=0
git -C "$tree" bisect run "${step[@]}" >>"$out/bisect-run.log" 2>&1 || rc=$?
git -C "$tree" bisect log >"$out/bisect.log" 2>&1 || true
first=""
if grep -q ' is the first bad commit$' "$out/bisect-run.log"; then
	first=$(git -C "$tree" rev-parse refs/bisect/bad)
fi
git -C "$tree" bisect reset >/dev/null 2>&1 || vp_log "warning: git bisect reset failed in $tree"
minutes=$(((($(date +%s) - t0) + 30) / 60))
tested=$(($(wc -l <"$out/steps.csv") - 1))
skipped=$(csv 'NR > 1 && $5 == 125' "$out/steps.csv" | wc -l)
{
	if [ -n "$first" ]; then
		echo "first bad commit: $first $(git -C "$tree" log -n 1 --format=%s "$first")"
	else
		echo "no first bad commit named (git bisect run exit $rc): $(grep -A 20 -E "only 'skip'ped commits left|bisect run failed|bisect run cannot continue" "$out/bisect-run.log" | head -n 20 | paste -sd' ')"
	fi
	echo "case: $re; threshold $threshold%; $boots boot(s) a commit; suite $suite; accel $accel"
	echo "good: $good; bad: $bad"
	echo "steps: $tested commit(s) measured (GOOD and BAD included), $skipped skipped; $minutes minute(s)"
} >"$out/result.txt"

# The case over the tested commits, in history order, each against GOOD.
sides=() labels=()
while read -r c; do
	d=$out/commits/${c:0:12}
	[ -f "$d/runs" ] || continue
	sides+=("$(<"$d/runs")")
	labels+=(--label "${c:0:7} $(git -C "$tree" log -n 1 --format=%s "$c" | cut -c1-40)")
done < <(
	echo "$good"
	git -C "$tree" rev-list --reverse --topo-order "$good..$bad"
)
if [ ${#sides[@]} -ge 2 ]; then
	while read -r c; do
		s=${c//[^A-Za-z0-9._-]/_}
		t=0
		"$(vp_repo)/plot/report.sh" -o "$out/timeline-$s" --timeline "$c" --against first \
			--threshold "$threshold" ${calibration:+--calibration "$calibration"} \
			"${labels[@]}" "${sides[@]}" >/dev/null 2>"$out/timeline.err" || t=$?
		[ "$t" -le 1 ] || vp_log "warning: the timeline of $c failed (exit $t): $(tail -n 1 "$out/timeline.err")"
	done < <(cut -d' ' -f1 "$out/commits/${bad:0:12}/verdicts")
	rm -f "$out/timeline.err"
fi

cat "$out/result.txt"
echo "bisect.sh: $out"
[ -n "$first" ]
