#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Walk a patch series patch by patch: the base, then the base with the
# first 1, 2, ... N patches, each an ordinary build (kbuild.sh's
# BASE+SERIES:K), measured with interleaved boots, and reported as a
# timeline: every case after each patch, judged against the step before.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: walk.sh BUILD [--suite S] [--boots N] [--accel A] [--threshold PCT]
               [--calibration DIR] [--out DIR] [--runs CAMPAIGN] [--plan]
               [campaign.sh and bench.sh options]

BUILD is BASE+SERIES (more series before the last are part of every
step: BASE+A+B walks B on top of BASE+A). The steps are the build without
the last series, then BUILD:1, BUILD:2, ... (harness/kbuild.sh --help,
:K) and BUILD itself. Every step is built (incrementally, from a copy of
its base's tree) and booted BOOTS times, interleaved, through
campaign.sh; then plot/report.sh judges each step against the one
before it. The walk directory (default results/walk-<UTC time>-<build>,
never reused) holds:

  steps.csv      step,build,patch,subject (step 0: the build without the
                 series; patch: its file under kernel-patches/)
  campaign-*/    the runs (campaign.sh), one directory per step
  compare/       every case at every step, each step against the previous
                 one: table.txt, compare.csv, charts, report.html
  moves.csv      the cases a step moved: case,step,build,subject,verdict,change_pct
  timelines/     per moved case, its timeline (plot/report.sh --timeline):
                 the value after each patch with its CI, the step marked
  index.html     the steps, the moves (each naming the patch by its
                 subject) and links to the reports

  --suite S        the suite (default patches-dma)
  --boots N        boots per step (default 2)
  --accel A        default icount: the mode that compares code paths
  --threshold PCT  smallest change that counts (default 2)
  --calibration DIR  as plot/report.sh --calibration
  --out DIR        the walk directory
  --runs CAMPAIGN  report the runs of an earlier walk's campaign instead
                   of booting (its directories named after the steps)
  --plan           print the steps (step, build, subject) and stop

Exit: 0 no step regressed a case, 1 some step regressed a case (see
moves.csv), 2 bad usage, a build or boot that failed (the runs stay in
the walk directory) or a report that could not be made.

Example: harness/walk.sh 6.12+type1-contig-batch --boots 2 --suite patches-dma
EOF
}

# subject PATCH: the patch's subject, without its [PATCH ...] tag.
subject() {
	git mailinfo /dev/null /dev/null <"$1" | sed -n 's/^Subject: //p'
}

# html TEXT: TEXT escaped for HTML.
html() {
	sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g' <<<"$1"
}

# A directory name part: no '/', ':' or '+'.
safe() {
	local s=${1//[^A-Za-z0-9._-]/_}
	printf '%s\n' "${s:0:100}"
}

build="" suite=patches-dma boots=2 accel=icount threshold=2 calibration="" out="" runs="" plan=0
pass=()
[ $# -gt 0 ] || vp_usage_error "missing BUILD"
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--plan) plan=1; shift; continue ;;
	--no-plot) pass+=("$1"); shift; continue ;;
	--suite | --boots | --accel | --threshold | --calibration | --out | --runs) vp_need_value "$1" $# ;;
	--kernels) vp_usage_error "--kernels is the walk's: the steps of BUILD" ;;
	--*)
		vp_need_value "$1" $#
		pass+=("$1" "$2")
		shift 2
		continue
		;;
	*)
		[ -z "$build" ] || vp_usage_error "unexpected argument '$1' (one BUILD)"
		build=$1
		shift
		continue
		;;
	esac
	case $1 in
	--suite) suite=$2 ;;
	--boots) boots=$2 ;;
	--accel) accel=$2 ;;
	--threshold) threshold=$2 ;;
	--calibration) calibration=$2 ;;
	--out) out=$2 ;;
	--runs) runs=$2 ;;
	esac
	shift 2
done
[ -n "$build" ] || vp_usage_error "missing BUILD"
[[ $build == *+* ]] || vp_usage_error "'$build' has no series to walk: want BASE+SERIES"
[[ $build != *:* ]] || vp_usage_error "'$build' is a step already: walk the whole series (no :K)"
[ -z "$runs" ] || [ -d "$runs" ] || vp_usage_error "--runs $runs: no such directory"
[ -z "$out" ] || [ ! -e "$out" ] || vp_die "$out: exists; not overwriting it"

# The steps: the build without its last series, then each prefix of it.
kb=$(vp_repo)/harness/kbuild.sh
profile=
if [[ $build == *@* ]]; then
	profile=@${build#*@}
	build=${build%@*}
fi
prev=${build%+*}
list=$("$kb" --patches "$build$profile") || exit 2
mapfile -t all <<<"$list"
list=$("$kb" --patches "$prev$profile") || exit 2
before=()
[ -z "$list" ] || mapfile -t before <<<"$list"
series=("${all[@]:${#before[@]}}")
((${#series[@]})) || vp_die "$build: its last series has no patches"
steps=("$prev$profile") patches=("") subjects=("")
for ((k = 1; k <= ${#series[@]}; k++)); do
	if ((k < ${#series[@]})); then
		steps+=("$build:$k$profile")
	else
		steps+=("$build$profile")
	fi
	patches+=("${series[k - 1]#"${VP_KERNEL_PATCHES:-$(vp_repo)/kernel-patches}"/}")
	subjects+=("$(subject "${series[k - 1]}")")
done
if ((plan)); then
	for k in "${!steps[@]}"; do
		printf '%s\t%s\t%s\n' "$k" "${steps[k]}" "${subjects[k]:-(without the series)}"
	done
	exit 0
fi

if [ -z "$out" ]; then
	parent=${VFIO_PERF_RESULTS:-$(vp_repo)/results}
	mkdir -p "$parent"
	out=$parent/walk-$(date -u +%Y%m%dT%H%M%SZ)-$(safe "$build$profile")
	n=1 b=$out
	until mkdir "$out" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -le 9 ] || vp_die "cannot create a directory like $b"
		out=$b-$n
	done
else
	mkdir -p "$(dirname "$out")"
	mkdir "$out" || vp_die "$out: exists; not overwriting it"
fi
{
	echo "step,build,patch,subject"
	for k in "${!steps[@]}"; do
		printf '%s,%s,%s,%s\n' "$k" "$(vp_csv_field "${steps[k]}")" \
			"$(vp_csv_field "${patches[k]}")" "$(vp_csv_field "${subjects[k]}")"
	done
} >"$out/steps.csv"

# The runs: one campaign over every step, interleaved.
if [ -z "$runs" ]; then
	specs=()
	for s in "${steps[@]}"; do
		specs+=("build:$s")
	done
	vp_log "walking $build$profile: ${#steps[@]} steps, $boots boot(s) each, suite $suite, accel $accel; in $out"
	rc=0
	"$(vp_repo)/harness/campaign.sh" --kernels "${specs[*]}" --boots "$boots" \
		--suite "$suite" --accel "$accel" --results "$out" "${pass[@]}" || rc=$?
	runs=$(find "$out" -mindepth 1 -maxdepth 1 -type d -name 'campaign-*' | head -n 1)
	if [ "$rc" != 0 ]; then
		vp_log "error: the campaign failed (exit $rc): ${runs:-no campaign directory}; the runs stay in $out"
		exit 2
	fi
fi
sides=() labels=()
for k in "${!steps[@]}"; do
	d=$runs/$(safe "build:${steps[k]}")
	[ -d "$d" ] || { vp_log "error: $runs has no runs of step $k (${steps[k]}): want $d"; exit 2; }
	sides+=("$d")
	if ((k == 0)); then
		labels+=("${steps[0]}")
	else
		labels+=("+$k ${subjects[k]:0:48}")
	fi
done
lopts=()
for l in "${labels[@]}"; do
	lopts+=(--label "$l")
done
copts=(--threshold "$threshold" ${calibration:+--calibration "$calibration"})

rc=0
"$(vp_repo)/plot/report.sh" -o "$out/compare" --against previous "${copts[@]}" "${lopts[@]}" \
	"${sides[@]}" >"$out/compare.log" 2>&1 || rc=$?
if [ "$rc" -gt 1 ] || [ ! -f "$out/compare/compare.csv" ]; then
	vp_log "error: the report failed (exit $rc): $(tail -n 1 "$out/compare.log")"
	exit 2
fi

# The moves: every case a step called regressed or improved.
gawk -v FPAT='([^,]*)|("([^"]|"")*")' -v steps="$out/steps.csv" '
	function unq(s) { if (s ~ /^"/) { s = substr(s, 2, length(s) - 2); gsub(/""/, "\"", s) } return s }
	BEGIN {
		while ((getline line < steps) > 0)
			if (n++) { split("", f); patsplit(line, f); build[f[1]] = f[2]; subj[f[1]] = f[4] }
		print "case,step,build,subject,verdict,change_pct"
	}
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["verdict"] == "regressed" || $c["verdict"] == "improved" {
		s = $c["side"]
		printf "%s,%s,%s,%s,%s,%.1f\n", $c["case"], s, build[s], subj[s], $c["verdict"], unq($c["change"])
	}' "$out/compare/compare.csv" >"$out/moves.csv"

mkdir "$out/timelines"
while IFS= read -r c; do
	t=0
	"$(vp_repo)/plot/report.sh" -o "$out/timelines/$(safe "$c")" --timeline "$c" --against previous \
		"${copts[@]}" "${lopts[@]}" "${sides[@]}" >/dev/null 2>"$out/timelines/.err" || t=$?
	if [ "$t" -gt 1 ]; then
		vp_log "error: the timeline of $c failed (exit $t): $(tail -n 1 "$out/timelines/.err")"
		rc=2
	fi
done < <(tail -n +2 "$out/moves.csv" | cut -d, -f1 | sort -u)
rm -f "$out/timelines/.err"

{
	echo "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>vfio-perf walk: $(html "$build$profile")</title></head><body>"
	echo "<h1>vfio-perf walk: $(html "$build$profile")</h1>"
	echo "<p>Each step judged against the step before it (threshold $threshold%); the runs: $(html "${runs#"$out"/}"). <a href=\"compare/report.html\">Every case at every step</a>.</p>"
	echo "<h2>Steps</h2><table border=\"1\"><tr><th>step</th><th>build</th><th>patch</th></tr>"
	for k in "${!steps[@]}"; do
		echo "<tr><td>$k</td><td>$(html "${steps[k]}")</td><td>$(html "${subjects[k]:-(without the series)}")</td></tr>"
	done
	echo "</table><h2>Where each case moved</h2>"
	if [ "$(wc -l <"$out/moves.csv")" -le 1 ]; then
		echo "<p>No step moved a case.</p>"
	else
		echo "<table border=\"1\"><tr><th>case</th><th>step</th><th>patch</th><th>verdict</th><th>change</th></tr>"
		tail -n +2 "$out/moves.csv" | gawk -v FPAT='([^,]*)|("([^"]|"")*")' '
			function unq(s) { if (s ~ /^"/) { s = substr(s, 2, length(s) - 2); gsub(/""/, "\"", s) } return s }
			function h(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
			{ d = $1; gsub(/[^A-Za-z0-9._-]/, "_", d)
			  printf "<tr><td><a href=\"timelines/%s/report.html\">%s</a></td><td>%s</td><td>%s</td><td>%s</td><td>%+.1f%%</td></tr>\n",
				substr(d, 1, 100), h($1), $2, h(unq($4)), $5, $6 }'
		echo "</table>"
	fi
	echo "</body></html>"
} >"$out/index.html"

cat "$out/compare/table.txt"
echo
column -s, -t "$out/moves.csv" 2>/dev/null || cat "$out/moves.csv"
echo
echo "walk.sh: $out/index.html"
exit "$rc"
