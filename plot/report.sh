#!/bin/bash
# Compare kernel builds and draw the comparison into a new directory:
# vfio-perf-compare's table (table.txt) and CSV (compare.csv), each
# side's statistics (summary-SIDE.csv), charts (PNG and SVG) and a
# static report.html. The exit code is vfio-perf-compare's, given once
# everything that can be drawn is drawn.
set -Eeuo pipefail

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bin=$repo/build/release
# Glob order of run directories as vfio-perf-compare's scandir(); "." decimals.
export LC_ALL=C

usage() {
	cat <<EOF
usage: $prog [options] BASE NEW [NEW...]
       $prog --timeline CASE [options] SIDE SIDE [SIDE...]

Compare NEW against BASE with vfio-perf-compare and draw the comparison
into a new directory: table.txt, compare.csv, summary-SIDE.csv, charts
(PNG and SVG) and report.html. A side is what vfio-perf-compare takes: a
run directory, a directory of run directories, or a comma-separated list
of run directories. All sides must share one accel mode.

Charts: DMA map/unmap GiB/s against buffer size with the new/base ratio
(per backing, interface and chunking with two sizes or more); bars per
side for each backing at one size, and per page-table level for BAR
pfnmaps (faults, fault-in, bar-map, load-ns).

With --timeline, one case (as the last column of vfio-perf-compare's
table names it, e.g. dma/hugetlb-2m/type1v2/1G/map) across SIDEs in
order: median and CI per side, marked where it regressed or improved
against the previous side (or the first).

  -o, --out DIR      directory to create (never reused); default
                     results/compare-<UTC time>-<labels> or
                     results/timeline-<UTC time>-<case>
  --label NAME       label of the next side (repeat), as vfio-perf-compare
  --threshold PCT    smallest change that counts (default 2)
  --size SIZE        buffer size of the DMA bar charts, e.g. 1G (default:
                     the size with the most cases)
  --timeline CASE    draw the timeline of CASE
  --against WHICH    timeline verdicts against the "previous" side
                     (default) or the "first"
  -h, --help         this text

Exit: 0 no regression, 1 a case regressed, 2 incomplete data (or a chart
that could not be drawn), a refused comparison, or bad usage.
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

# --size 1G, 64M, 4096: dma_size in bytes.
parse_size() {
	local n=${1%[KkMmGgTt]} shift=0
	case ${1: -1} in
	[Kk]) shift=10 ;;
	[Mm]) shift=20 ;;
	[Gg]) shift=30 ;;
	[Tt]) shift=40 ;;
	esac
	[[ $n =~ ^[1-9][0-9]{0,12}$ ]] || usage_error "--size wants a size like 1G, not '$1'"
	dma_size=$((n << shift))
}

# The run directories of side $1, in vfio-perf-compare's order.
side_runs() {
	local d
	if [[ $1 == *,* ]]; then
		tr ',' '\n' <<<"$1"
	elif [ -f "$1/samples.csv" ]; then
		printf '%s\n' "$1"
	else
		for d in "$1"/*; do
			if [ -f "$d/samples.csv" ]; then
				printf '%s\n' "$d"
			fi
		done
	fi
}

# compare_into DIR ARGS...: vfio-perf-compare ARGS into DIR/table.txt and
# DIR/compare.csv; returns its exit code. Without a CSV it refused (mixed
# accel modes, unreadable input): its one-line reason is ours.
compare_into() {
	local dir=$1 rc=0
	shift
	mkdir -p "$dir"
	"$bin/vfio-perf-compare" --csv "$dir/compare.csv" "$@" \
		>"$dir/table.txt" 2>"$dir/stderr" || rc=$?
	if [ ! -f "$dir/compare.csv" ]; then
		[ -s "$dir/stderr" ] || die "vfio-perf-compare exited $rc without a message"
		cat "$dir/stderr" >&2
		exit 2
	fi
	cat "$dir/stderr" >>"$work/compare-messages"
	[ "$rc" -le 2 ] || rc=2
	return "$rc"
}

# The label of each side, in order, as vfio-perf-compare chose them.
side_labels() {
	gawk -f "$here/report-lib.awk" -e '
		FNR == 1 { csv_header($0, col); next }
		{
			csv_split($0, f)
			j = f[col["new_side"]]
			if (j == 1) lab[0] = f[col["base_label"]]
			lab[j] = f[col["new_label"]]
			if (j > n) n = j
		}
		END { for (i = 0; i <= n; i++) print lab[i] }' "$1"
}

# side_stats NAME LABEL ARG: pool the side's runs into one samples file,
# summarize it (vfio-perf-summary: median, bootstrap CI of the median),
# and print its line of sides.tsv.
side_stats() {
	local name=$1 label=$2 arg=$3 runs info nruns nboots nsamples kernels accels
	mapfile -t runs < <(side_runs "$arg")
	info=$(gawk -f "$here/report-lib.awk" -v out="$work/samples-$name.csv" -e '
	BEGIN {
		nw = split("bench backing level iface size_bytes chunk_bytes " \
			   "unmap_chunk_bytes metric unit value verified", want, " ")
		for (w = 1; w <= nw; w++)
			printf "%s%s", want[w], w < nw ? "," : "\n" > out
		for (a = 1; a < ARGC; a++) {
			file = ARGV[a] "/meta.csv"
			while ((getline line < file) > 0) {
				csv_split(line, f)
				if (f[1] == "kernel" && !(("k", f[2]) in seen)) {
					seen["k", f[2]] = 1
					kernels = kernels (kernels == "" ? "" : ", ") f[2]
				} else if (f[1] == "accel" && !(("a", f[2]) in seen)) {
					seen["a", f[2]] = 1
					accels = accels (accels == "" ? "" : ", ") f[2]
				}
			}
			close(file)
			file = ARGV[a] "/samples.csv"
			first = 1
			while ((getline line < file) > 0) {
				if (first) {
					csv_header(line, col)
					first = 0
					continue
				}
				csv_split(line, f)
				for (w = 1; w <= nw; w++)
					printf "%s%s", csv_quote(want[w] in col ? f[col[want[w]]] : ""),
					       w < nw ? "," : "\n" > out
				boots[f[col["run_id"]], f[col["boot"]]] = 1
				n++
			}
			close(file)
		}
		printf "%d\t%d\t%d\t%s\t%s\n", ARGC - 1, length(boots), n, kernels, accels
		exit
	}' "${runs[@]}")
	"$bin/vfio-perf-summary" --quiet --out "$work/summary-$name.csv" \
		"$work/samples-$name.csv" || die "vfio-perf-summary failed on side $name ($arg)"
	IFS=$'\t' read -r nruns nboots nsamples kernels accels <<<"$info"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$kernels" \
		"$nruns" "$nboots" "$nsamples" "$accels" "$arg"
}

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

main() {
	local out="" case_sel="" against=previous dma_size="" threshold=2
	local sides=() labels=() copts=() names=() rc=0 draw_rc=0
	local i lab step bench metric re kind name caption heading

	while [ $# -gt 0 ]; do
		case $1 in
		-o | --out | --label | --threshold | --size | --timeline | --against)
			[ $# -ge 2 ] || usage_error "$1 wants an argument"
			case $1 in
			-o | --out) out=$2 ;;
			--label) labels+=("$2") ;;
			--threshold) threshold=$2 copts+=(--threshold "$2") ;;
			--size) parse_size "$2" ;;
			--timeline) case_sel=$2 ;;
			--against) against=$2 ;;
			esac
			shift 2
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
	[ ${#labels[@]} -le ${#sides[@]} ] ||
		usage_error "${#labels[@]} labels for ${#sides[@]} sides"
	case $against in
	previous | first) ;;
	*) usage_error "--against wants 'previous' or 'first', not '$against'" ;;
	esac
	if [ -n "$case_sel" ] && [[ $case_sel != */* ]]; then
		usage_error "--timeline wants a case like dma/hugetlb-2m/type1v2/1G/map, not '$case_sel'"
	fi
	for i in vfio-perf-compare vfio-perf-summary; do
		[ -x "$bin/$i" ] || die "$bin/$i not built (run make build)"
	done
	command -v gnuplot >/dev/null || die "gnuplot not found (run harness/deps.sh)"
	command -v gawk >/dev/null || die "gawk not found (run harness/deps.sh)"

	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	: >"$work/compare-messages"

	# The comparison: one vfio-perf-compare of all sides, or for a
	# timeline against the previous side one per step, merged into one
	# table and one CSV whose new_side is the side's position.
	if [ -z "$case_sel" ]; then
		for lab in "${labels[@]}"; do
			copts+=(--label "$lab")
		done
		compare_into "$work/cmp" "${copts[@]}" "${sides[@]}" || rc=$?
		cp "$work/cmp/table.txt" "$work/cmp/compare.csv" "$work/"
		names=(base)
		for ((i = 1; i < ${#sides[@]}; i++)); do
			names+=("new$([ ${#sides[@]} = 2 ] || echo "$i")")
		done
	else
		bench=${case_sel%%/*}
		metric=${case_sel##*/}
		# The metric as an extended regex matching only itself.
		# shellcheck disable=SC2001 # a bracket class with backreference
		re=$(sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$metric")
		copts+=(--bench "$bench" --metric "^$re\$")
		for ((i = 0; i < ${#sides[@]}; i++)); do
			names+=("$((i + 1))")
		done
		if [ "$against" = first ]; then
			for lab in "${labels[@]}"; do
				copts+=(--label "$lab")
			done
			compare_into "$work/cmp" "${copts[@]}" "${sides[@]}" || rc=$?
			cp "$work/cmp/table.txt" "$work/cmp/compare.csv" "$work/"
		else
			for ((i = 1; i < ${#sides[@]}; i++)); do
				step=0
				local pair=()
				[ $((i - 1)) -ge ${#labels[@]} ] || pair+=(--label "${labels[i - 1]}")
				[ "$i" -ge ${#labels[@]} ] || pair+=(--label "${labels[i]}")
				compare_into "$work/step$i" "${copts[@]}" "${pair[@]}" \
					"${sides[i - 1]}" "${sides[i]}" || step=$?
				[ "$step" -le "$rc" ] || rc=$step
				[ "$i" = 1 ] || echo >>"$work/table.txt"
				cat "$work/step$i/table.txt" >>"$work/table.txt"
			done
			gawk -f "$here/report-lib.awk" -e '
				FNR == 1 { step++; if (step == 1) print; next }
				{
					n = csv_split($0, f)
					f[2] = step
					for (i = 1; i <= n; i++)
						printf "%s%s", csv_quote(f[i]), i < n ? "," : "\n"
				}' "$work"/step*/compare.csv >"$work/compare.csv"
		fi
	fi

	mapfile -t labels < <(side_labels "$work/compare.csv")
	for i in "${!sides[@]}"; do
		side_stats "${names[i]}" "${labels[i]:-?}" "${sides[i]}"
	done >"$work/sides.tsv"

	if [ -z "$out" ]; then
		if [ -n "$case_sel" ]; then
			out=$repo/results/timeline-$(date -u +%Y%m%dT%H%M%SZ)-$(safe "$case_sel")
		else
			out=$repo/results/compare-$(date -u +%Y%m%dT%H%M%SZ)-$(safe "$(join _vs_ "${labels[@]}")")
		fi
	fi
	[ ! -e "$out" ] || die "$out: exists; not overwriting it"

	local dargs=(kind=sides "$work/sides.tsv")
	for i in "${!names[@]}"; do
		dargs+=(kind=summary "side=$i" "$work/summary-${names[i]}.csv")
	done
	dargs+=(kind=compare "$work/compare.csv")
	i=0
	gawk -f "$here/report-lib.awk" -f "$here/report-data.awk" -v work="$work" \
		-v out="$out" -v threshold="$threshold" -v mode="${case_sel:+timeline}" -v dma_size="$dma_size" \
		-v case_sel="$case_sel" -v against="$against" "${dargs[@]}" \
		>"$work/charts.tsv" 2>"$work/data.err" || i=$?
	[ "$i" = 0 ] || die "$(head -n 1 "$work/data.err")"

	mkdir -p -- "$(dirname -- "$out")"
	mkdir -- "$out" 2>/dev/null || die "cannot create $out (exists?)"
	cp "$work/table.txt" "$work/compare.csv" "$work"/summary-*.csv "$out/"
	[ -z "$case_sel" ] || cp "$work/timeline.csv" "$out/"

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
	gawk -f "$here/report-lib.awk" -f "$here/report-html.awk" -v heading="$heading" \
		-v rc="$rc" -v threshold="$threshold" -v case_sel="$case_sel" \
		-v against="$against" kind=sides "$work/sides.tsv" \
		kind=compare "$work/compare.csv" kind=charts "$work/drawn.tsv" \
		>"$out/report.html"

	cat "$out/table.txt"
	echo
	echo "$prog: $out/report.html"
	# vfio-perf-compare's own messages (incomplete data) come last.
	cat "$work/compare-messages" >&2
	exit "$rc"
}

main "$@"
