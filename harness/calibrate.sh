#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Calibrate a setup: how far do boots of one kernel scatter, and what can
# a comparison of a given number of boots call? Boots one kernel N times
# through campaign.sh (or takes the boots of an existing campaign) and
# runs vfio-perf-calibrate over them: A/A splits with their false
# verdicts, the power to see a known 3% change, and per case the floor
# and minimum detectable effect for 1, 2, 3, 5 and 8 boots a side
# (docs/results.md, "Calibration"). vfio-perf-compare --calibration DIR
# reads the result.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF2'
usage: calibrate.sh --kernel SPEC [--boots N] [--out DIR] [calibration options]
                    [campaign.sh and bench.sh options]
       calibrate.sh --analyze SIDE [SIDE...] [--out DIR] [calibration options]

With --kernel: boot SPEC (harness/kernel.sh --help) N times, 4 to 999
(default 6), through campaign.sh, then analyze its boots. The campaign
lands in OUT/campaign-<time>/. Other options go to campaign.sh and
bench.sh (--suite compare, --accel icount, --mem, --cpus, --retries).

With --analyze: the boots of kernels measured already. A SIDE is a
directory of runs of one kernel (a campaign's <kernel>/ directory) or a
comma list of runs, 2 boots or more; several SIDEs pool their spreads.

  --out DIR          the calibration directory, never reused (default
                     results/calibration-<UTC time>-<kernel>)
  --threshold PCT    smallest change that counts (default 2)
  --scale FACTOR     the known change of the power check (default 1.03)
  --target PCT       count the cases whose mde is at most PCT (default 5)
  --max-splits N     at most N A/A comparisons per split size (default 100)

OUT gets report.txt (vfio-perf-calibrate's report), calibration.csv (per
case; what vfio-perf-compare --calibration OUT reads), splits.csv (every
A/A comparison), aa.csv (per split size: false verdicts, power), mde.csv
and the chart mde.png/mde.svg (mde against boots a side), sides.txt (the
SIDEs analyzed, one a line).

Exit: 0 no A/A comparison called a change; 1 some did (the setup's
spread fools the rules: see report.txt); 2 bad usage or a refused input;
3 with --kernel, a boot did not complete (OUT/campaign-*/campaign.csv;
analyze the complete boots with --analyze); 129/130/143 interrupted.

Example (the committed TCG campaign, both kernels, 4 boots each):
  harness/calibrate.sh --analyze results/campaign-20261122T031245Z/6.12 results/campaign-20261122T031245Z/sid --out /tmp/calibration-tcg
EOF2
}

# Every failure here exits 2: 1 says "false verdicts".
die() {
	printf '%s: error: %s\n' "$VP_PROG" "$*" >&2
	exit 2
}

# A directory name part: no '/', ':' or '+'.
safe() {
	local s=${1//[^A-Za-z0-9._-]/_}
	printf '%s\n' "${s:0:80}"
}

# repo_path SIDE: SIDE (a directory, or a comma list of them) with each
# path relative to the repository when inside it, else absolute: how
# sides.txt names it for tests/cli/test_calibrations.sh, from any cwd.
repo_path() {
	local p out="" IFS=,
	for p in $1; do
		p=$(realpath -m -- "$p")
		out+=${out:+,}${p#"$repo"/}
	done
	printf '%s\n' "$out"
}

# The analysis of SIDE... into OUT, through a staging directory in OUT:
# every file appears complete or not at all.
analyze() {
	local out=$1 rc=0 f
	shift
	stage=$(mktemp -d "$out/.calibrate.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	"$bin/vfio-perf-calibrate" "${copts[@]}" --csv "$stage/calibration.csv" \
		--splits-csv "$stage/splits.csv" --aa-csv "$stage/aa.csv" \
		--mde-csv "$stage/mde.csv" "$@" >"$stage/report.txt" || rc=$?
	[ "$rc" -le 1 ] || exit 2
	for f; do
		repo_path "$f"
	done >"$stage/sides.txt"
	if command -v gnuplot >/dev/null; then
		gnuplot -e "data='$stage/mde.csv'; out='$stage/mde'; title='minimum detectable effect by boots per side: $(tr -d "'" <<<"$label")'" \
			"$repo/plot/style.gp" "$repo/plot/calibration.gp" 2>"$stage/gnuplot.err" ||
			vp_log "warning: the chart could not be drawn: $(tail -n 1 "$stage/gnuplot.err")"
	else
		vp_log "warning: no gnuplot: no chart (harness/deps.sh)"
	fi
	rm -f "$stage/gnuplot.err"
	for f in "$stage"/*; do
		[ ! -e "$out/${f##*/}" ] || die "$out/${f##*/}: exists; not overwriting it"
		mv -- "$f" "$out/"
	done
	cat "$out/report.txt"
	vp_log "calibration in $out (compare with: vfio-perf-compare --calibration $out ...)"
	return "$rc"
}

repo=$(vp_repo)
bin=$repo/build/release
stage=""
kernel="" boots=6 out="" analyze=0
sides=() copts=() pass=()
while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	-h | --help) usage; exit 0 ;;
	--analyze)
		analyze=1
		shift
		while [ $# -gt 0 ] && [[ $1 != --* ]]; do
			sides+=("$1")
			shift
		done
		continue
		;;
	--kernels | --results) vp_usage_error "$opt is chosen by calibrate.sh (one kernel, its own directory)" ;;
	--no-plot) pass+=("$opt"); shift; continue ;;
	--*) vp_need_value "$opt" $# ;;
	*) vp_usage_error "unexpected argument '$opt'" ;;
	esac
	# Options with a value: ours, vfio-perf-calibrate's, or the campaign's.
	case $opt in
	--kernel) kernel=$2 ;;
	--boots) boots=$2 ;;
	--out) out=$2 ;;
	--threshold | --scale | --target | --max-splits) copts+=("$opt" "$2") ;;
	*) pass+=("$opt" "$2") ;;
	esac
	shift 2
done
if ((analyze)); then
	[ -z "$kernel" ] || vp_usage_error "--kernel and --analyze exclude each other"
	[ ${#sides[@]} -gt 0 ] || vp_usage_error "--analyze wants one SIDE or more"
	[ ${#pass[@]} = 0 ] || vp_usage_error "${pass[0]} is an option of a campaign, not of --analyze"
	label=""
	for f in "${sides[@]}"; do
		label+=${label:+ + }$(basename -- "${f%%,*}")
	done
else
	[ -n "$kernel" ] || vp_usage_error "want --kernel SPEC or --analyze SIDE..."
	if ! [[ $boots =~ ^[1-9][0-9]{0,2}$ ]] || [ "$boots" -lt 4 ]; then
		vp_usage_error "--boots must be a number from 4 to 999 (splits of 2 + 2 at least), not '$boots'"
	fi
	label=$kernel
fi
[ -x "$bin/vfio-perf-calibrate" ] || die "$bin/vfio-perf-calibrate not built (run make build)"
vp_trap_signals

if [ -n "$out" ]; then
	mkdir -- "$out" 2>/dev/null || die "$out: exists or cannot be made; not reusing it"
else
	mkdir -p "$repo/results"
	out=$repo/results/calibration-$(date -u +%Y%m%dT%H%M%SZ)-$(safe "$label")
	n=1 base=$out
	until mkdir -- "$out" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -le 9 ] || die "cannot create a directory like $base"
		out=$base-$n
	done
fi

if ((!analyze)); then
	rc=0
	vp_run "$repo/harness/campaign.sh" --kernels "$kernel" --boots "$boots" \
		--results "$out" "${pass[@]}" || rc=$?
	! vp_interrupted || exit "$(vp_signal_status)"
	[ "$rc" != 2 ] || exit 2
	campaign=$(find "$out" -mindepth 1 -maxdepth 1 -type d -name 'campaign-*' | head -n 1)
	[ -n "$campaign" ] || die "campaign.sh left no campaign in $out (exit $rc)"
	if [ "$rc" != 0 ]; then
		vp_log "a boot did not complete (see $campaign/campaign.csv); analyze the complete ones with: $0 --analyze RUN,RUN,..."
		exit 3
	fi
	# campaign.sh's name for the kernel's directory.
	sides=("$campaign/${kernel//[^A-Za-z0-9._-]/_}")
fi
analyze "$out" "${sides[@]}"
