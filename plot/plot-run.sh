#!/bin/bash
# Draw the charts of one run directory from vfio-perf-summary's table
# (docs/results.md; written to summary.csv if the run has none): for each
# buffer size of the DMA benchmark, map and unmap throughput per backing
# and interface (dma-<size>.png and .svg); for the MMIO benchmark, the
# charts of plot/mmio.sh (mmio-*.png and .svg). Sizes and names come from
# the table's columns.
set -euo pipefail

prog=${0##*/}
die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}
if [ $# -ne 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	echo "usage: $prog RUN_DIR"
	if [ $# -eq 1 ]; then
		sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
		echo
		echo "Example: plot/plot-run.sh results/20261122T031228Z-6.12.117_deb12-amd64"
		exit 0
	fi
	exit 2
fi
run=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
summary_bin=$here/../build/release/vfio-perf-summary
[ -f "$run/samples.csv" ] || die "$run/samples.csv not found"
[ -x "$summary_bin" ] || die "$summary_bin not built (run make build)"
command -v gnuplot >/dev/null || die "gnuplot not found (run harness/deps.sh)"

# The statistics, read and validated by vfio-perf-summary. A run that
# failed is drawn too (its logs and charts are how it is debugged), and
# its charts say so. The run keeps the first summary.csv it was given.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$summary_bin" --quiet --allow-failed --out "$tmp/summary.csv" "$run" 2>"$tmp/notes" ||
	die "$(tail -n 1 "$tmp/notes")"
if [ ! -f "$run/summary.csv" ]; then
	cp "$tmp/summary.csv" "$run/summary.csv.tmp"
	mv "$run/summary.csv.tmp" "$run/summary.csv"
fi
summary=$tmp/summary.csv

meta() {
	awk -F, -v k="$1" '$1 == k { sub(/^[^,]*,/, ""); gsub(/^"|"$/, ""); print; exit }' "$run/meta.csv"
}
kernel=$(meta kernel)
status=$(meta status)
[ "$status" = ok ] || kernel="$kernel, run ${status:-without a status}"
accel=$(meta accel)
[ -n "$accel" ] || accel=$(meta accel_used)
case $accel in
tcg) clock="TCG, wall clock: emulated, not hardware figures" ;;
icount) clock="TCG icount: guest instructions, deterministic (compare builds only)" ;;
kvm) clock="KVM" ;;
*) clock="bare metal" ;;
esac

# Rows of one phase: "backing  med lo hi" per interface, NaN where absent;
# written buffers only (populate write: the one state every run has).
dat_block() {
	awk -F, -v size="$1" -v phase="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["bench"] == "dma" && $col["size_bytes"] == size &&
	$col["chunk"] == "" && $col["unmap_chunk"] == "" &&
	(!("populate" in col) || $col["populate"] == "write") &&
	$col["metric"] == phase {
		b = $col["backing"]; f = $col["iface"]
		if (!(b in bseen)) { bseen[b] = 1; border[++nb] = b }
		if (!(f in fseen)) { fseen[f] = 1; forder[++nf] = f }
		v[b, f] = $col["gib_per_s"] " " $col["gib_per_s_p5"] " " $col["gib_per_s_p95"]
	}
	END {
		printf "backing"
		for (j = 1; j <= nf; j++) printf " %s lo hi", forder[j]
		print ""
		for (i = 1; i <= nb; i++) {
			printf "%s", border[i]
			for (j = 1; j <= nf; j++)
				printf " %s", ((border[i], forder[j]) in v) ? v[border[i], forder[j]] : "NaN NaN NaN"
			print ""
		}
	}' "$summary"
}

# "BYTES HUMAN" of each DMA buffer size with whole-range calls.
dma_sizes() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["bench"] == "dma" && $col["chunk"] == "" { print $col["size_bytes"], $col["size"] }' \
		"$summary" | sort -n -u
}

dma_sizes >"$tmp/sizes"
while read -r size human; do
	dat=$tmp/dma-$size.dat
	{ dat_block "$size" map; printf '\n\n'; dat_block "$size" unmap; } >"$dat"
	nif=$(head -n 1 "$dat" | awk '{ print (NF - 1) / 3 }')
	gnuplot -e "data='$dat'; out='$run/dma-$human'; nif=$nif" \
		-e "title='vfio-dma-bench $human, whole-range calls: $kernel ($clock)'" \
		"$here/dma-throughput.gp"
	echo "$prog: $run/dma-$human.png, .svg"
done <"$tmp/sizes"

# vfio-mmio-bench's charts, where the run has mmio rows.
# shellcheck source=mmio.sh
. "$here/mmio.sh"
mmio_charts "$run" "$summary" "$kernel" "$accel" "$clock"
