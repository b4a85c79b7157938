#!/bin/bash
# Compare kernel builds and draw the comparison into a new directory:
# glue around vfio-perf-compare, whose tables (table.txt, compare.csv,
# sides.csv; docs/results.md) hold every figure, name and verdict; awk
# only selects their columns for gnuplot and the HTML page. The exit code
# is vfio-perf-compare's, given once everything that can be drawn is
# drawn.
set -Eeuo pipefail

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bin=$repo/build/release
export LC_ALL=C

usage() {
	cat <<EOF
usage: $prog [options] BASE NEW [NEW...]
       $prog --timeline CASE [options] SIDE SIDE [SIDE...]

Compare NEW against BASE with vfio-perf-compare and draw the comparison
into a new directory: table.txt, compare.csv, sides.csv, config-diff.csv
(every kernel config option a side and its reference differ in), charts
(PNG and SVG) and report.html. A side is what vfio-perf-compare takes: a
run directory, a directory of run directories, or a comma-separated list
of run directories. All sides must share one accel mode. Beside every
verdict: the smallest change the setup can call (mde), and under each
table what the verdicts cannot know (vfio-perf-compare's notes).

Charts: DMA map/unmap GiB/s against buffer size with the new/base ratio
(per backing, interface and chunking with two sizes or more); bars per
side for each backing at one size, and per page-table level for BAR
pfnmaps (faults, fault-in, bar-map, load-ns). Sides are labelled by
build name or Debian version; the sides table gives the kernel release.

With --timeline, one case (as the last column of vfio-perf-compare's
table names it, e.g. dma/hugetlb-2m/type1v2/1G/map) across SIDEs in
order: median and CI per side, marked where it regressed or improved
against the previous side (or the first).

  -o, --out DIR      directory to create (never reused); default
                     results/compare-<UTC time>-<labels> or
                     results/timeline-<UTC time>-<case>, made unique
                     (\$VFIO_PERF_RESULTS instead of results/ if set)
  --label NAME       label of the next side (repeat), as vfio-perf-compare
  --threshold PCT    smallest change that counts (default 2)
  --calibration DIR  boot-to-boot spreads from harness/calibrate.sh, as
                     vfio-perf-compare --calibration
  --size SIZE        buffer size of the DMA bar charts, e.g. 1G (default:
                     the size with the most cases)
  --timeline CASE    draw the timeline of CASE
  --against WHICH    verdicts against the "previous" side or the "first"
                     (default: previous for a timeline, first otherwise)
  --allow-failed     include runs whose status is not ok (the report
                     lists them)
  -h, --help         this text

Exit: 0 no regression, 1 a case regressed, 2 incomplete data (or a chart
that could not be drawn), a refused comparison, or bad usage.

Example (stock 6.12 against sid's 7.2, the committed icount campaign):
  plot/report.sh -o /tmp/report-icount results/campaign-20261122T062325Z/6.12 results/campaign-20261122T062325Z/sid
EOF
}

# Every failure exits 2: 1 would read as "a case regressed".
die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 2
}
usage_error() {
	die "$* (see --help)"
}
trap 'die "line $LINENO: $BASH_COMMAND failed"' ERR

# join SEP WORD...: the words with SEP between them.
join() {
	local sep=$1 s=$2 w
	shift 2
	for w; do
		s+=$sep$w
	done
	printf '%s\n' "$s"
}

# A file name part: labels and cases without '/', spaces or '+'.
safe() {
	local s=${1//[^A-Za-z0-9._-]/_}
	printf '%s\n' "${s:0:100}"
}

# reserve BASE: create BASE, or BASE-2, BASE-3, ... if taken. mkdir is
# atomic: two reports started in the same second never share one.
reserve() {
	local d=$1 n=1
	until mkdir -- "$d" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || die "cannot create a directory like $1"
		d=$1-$n
	done
	printf '%s\n' "$d"
}

# The labels of the sides, in order, from sides.csv.
labels_of() {
	awk -f "$here/report-lib.awk" -f "$here/report-labels.awk" "$1"
}

main() {
	local out="" case_sel="" against="" dma_size="" dma_size_text=""
	local threshold=2 sides=() copts=() labels=() rc=0 draw_rc=0 parent
	local i bench metric re kind name caption heading

	while [ $# -gt 0 ]; do
		case $1 in
		-o | --out | --label | --threshold | --size | --timeline | --against | --calibration)
			[ $# -ge 2 ] || usage_error "$1 wants an argument"
			case $1 in
			-o | --out) out=$2 ;;
			--label) copts+=(--label "$2") ;;
			--threshold) threshold=$2 copts+=(--threshold "$2") ;;
			--calibration) copts+=(--calibration "$2") ;;
			--size)
				dma_size=$("$bin/vfio-perf-size" --bytes "$2" 2>/dev/null) ||
					usage_error "--size wants a size like 1G, not '$2'"
				dma_size_text=$2
				;;
			--timeline) case_sel=$2 ;;
			--against) against=$2 ;;
			esac
			shift 2
			;;
		--allow-failed)
			copts+=(--allow-failed)
			shift
			;;
		-h | --help)
			usage
			exit 0
			;;
		--)
			shift
			sides+=("$@")
			break
			;;
		-*) usage_error "unknown option '$1'" ;;
		*)
			sides+=("$1")
			shift
			;;
		esac
	done
	[ ${#sides[@]} -ge 2 ] || usage_error "want BASE and at least one NEW"
	[ -n "$against" ] || against=${case_sel:+previous}
	against=${against:-first}
	case $against in
	previous | first) ;;
	*) usage_error "--against wants 'previous' or 'first', not '$against'" ;;
	esac
	if [ -n "$case_sel" ] && [[ $case_sel != */* ]]; then
		usage_error "--timeline wants a case like dma/hugetlb-2m/type1v2/1G/map, not '$case_sel'"
	fi
	for i in vfio-perf-compare vfio-perf-size; do
		[ -x "$bin/$i" ] || die "$bin/$i not built (run make build)"
	done
	command -v gnuplot >/dev/null || die "gnuplot not found (run harness/deps.sh)"
	[ -z "$out" ] || [ ! -e "$out" ] || die "$out: exists; not overwriting it"

	# Everything is made in a staging directory beside the result, then
	# renamed: a report directory appears whole or not at all.
	parent=${out:+$(dirname -- "$out")}
	parent=${parent:-${VFIO_PERF_RESULTS:-$repo/results}}
	mkdir -p -- "$parent"
	work=$(mktemp -d)
	stage=$(mktemp -d "$parent/.report.XXXXXX")
	trap 'rm -rf "$work" "$stage"' EXIT

	# The comparison. A timeline is one case: its bench and its metric
	# (as an extended regex matching only itself), each side against
	# the previous one or the first.
	if [ -n "$case_sel" ]; then
		bench=${case_sel%%/*}
		metric=${case_sel##*/}
		# shellcheck disable=SC2001 # a bracket class with backreference
		re=$(sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$metric")
		copts+=(--bench "$bench" --metric "^$re\$")
	fi
	copts+=(--against "$against")
	# Old runs' configs are looked up by hash in the kernel cache.
	export VFIO_PERF_CACHE=${VFIO_PERF_CACHE:-$repo/.cache}
	"$bin/vfio-perf-compare" --csv "$stage/compare.csv" --sides-csv "$stage/sides.csv" \
		--config-diff "$stage/config-diff.csv" "${copts[@]}" "${sides[@]}" \
		>"$stage/table.txt" 2>"$work/messages" || rc=$?
	if [ ! -f "$stage/compare.csv" ]; then
		# Refused (a bad run, mixed accel modes): its one line is ours.
		[ -s "$work/messages" ] || die "vfio-perf-compare exited $rc without a message"
		cat "$work/messages" >&2
		exit 2
	fi
	[ "$rc" -le 2 ] || rc=2
	mapfile -t labels < <(labels_of "$stage/sides.csv")

	i=0
	awk -f "$here/report-lib.awk" -f "$here/report-data.awk" -v work="$work" \
		-v out="$stage" -v threshold="$threshold" -v mode="${case_sel:+timeline}" \
		-v dma_size="$dma_size" -v dma_size_text="$dma_size_text" \
		-v case_sel="$case_sel" -v against="$against" kind=sides "$stage/sides.csv" \
		kind=compare "$stage/compare.csv" >"$work/charts.tsv" 2>"$work/data.err" || i=$?
	[ "$i" = 0 ] || die "$(head -n 1 "$work/data.err")"
	[ -z "$case_sel" ] || cp "$work/timeline.csv" "$stage/"

	: >"$work/drawn.tsv"
	while IFS=$'\t' read -r kind name caption; do
		if gnuplot "$here/style.gp" "$work/$name.vars.gp" "$here/$kind.gp" \
			2>"$work/gnuplot.err"; then
			printf '%s\t%s\t%s\n' "$kind" "$name" "$caption" >>"$work/drawn.tsv"
		else
			printf '%s: error: chart %s: %s\n' "$prog" "$name" \
				"$(grep -v '^ *$' "$work/gnuplot.err" | tail -n 1)" >&2
			draw_rc=2
		fi
	done <"$work/charts.tsv"
	[ "$draw_rc" = 0 ] || [ "$rc" != 0 ] || rc=2

	if [ -n "$case_sel" ]; then
		heading="vfio-perf timeline: $case_sel"
	else
		heading="vfio-perf comparison: $(join " vs " "${labels[@]}")"
	fi
	# Notes: vfio-perf-compare's messages, then those under its tables;
	# the config blocks ("kernel configs ..." and their indented lines).
	{
		sed 's/^[^:]*: //' "$work/messages"
		sed -n 's/^note: //p' "$stage/table.txt"
	} >"$work/notes"
	awk '/^kernel configs / { on = 1; print; next } on && /^  / { print; next } { on = 0 }' \
		"$stage/table.txt" >"$work/configs"
	awk -f "$here/report-lib.awk" -f "$here/report-html.awk" -v heading="$heading" \
		-v rc="$rc" -v threshold="$threshold" -v case_sel="$case_sel" \
		-v against="$against" kind=sides "$stage/sides.csv" \
		kind=compare "$stage/compare.csv" kind=charts "$work/drawn.tsv" \
		kind=notes "$work/notes" kind=configs "$work/configs" >"$stage/report.html"

	if [ -n "$out" ]; then
		mkdir -- "$out" 2>/dev/null || die "$out: exists; not overwriting it"
	elif [ -n "$case_sel" ]; then
		out=$(reserve "$parent/timeline-$(date -u +%Y%m%dT%H%M%SZ)-$(safe "$case_sel")")
	else
		out=$(reserve "$parent/compare-$(date -u +%Y%m%dT%H%M%SZ)-$(safe "$(join _vs_ "${labels[@]}")")")
	fi
	# rename(2) replaces the empty directory just reserved.
	chmod 755 "$stage"
	mv -T -- "$stage" "$out"

	cat "$out/table.txt"
	echo
	echo "$prog: $out/report.html"
	# vfio-perf-compare's own messages (warnings, incomplete data) come last.
	cat "$work/messages" >&2
	exit "$rc"
}

main "$@"
