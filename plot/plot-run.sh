#!/bin/bash
# Draw the charts of one run directory: summary.csv (per-case statistics)
# and, for each buffer size of the DMA benchmark, map and unmap throughput
# per backing and interface (dma-<size>.png and .svg); for the MMIO
# benchmark, the charts of plot/mmio.sh (mmio-*.png and .svg).
set -euo pipefail

prog=${0##*/}
die() {
	printf '%s: error: %s\n' "$prog" "$*" >&2
	exit 1
}
if [ $# -ne 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	echo "usage: $prog RUN_DIR"
	[ $# -eq 1 ] && exit 0
	exit 2
fi
run=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
summary_bin=$here/../build/release/vfio-perf-summary
[ -f "$run/samples.csv" ] || die "$run/samples.csv not found"
[ -x "$summary_bin" ] || die "$summary_bin not built (run make build)"
command -v gnuplot >/dev/null || die "gnuplot not found (run harness/deps.sh)"

# The summary is derived from samples.csv; it is written once.
if [ ! -f "$run/summary.csv" ]; then
	"$summary_bin" --quiet --out "$run/summary.csv" "$run/samples.csv"
fi

meta() {
	awk -F, -v k="$1" '$1 == k { sub(/^[^,]*,/, ""); gsub(/^"|"$/, ""); print; exit }' "$run/meta.csv"
}
kernel=$(meta kernel)
accel=$(meta accel)
[ -n "$accel" ] || accel=$(meta accel_used)
case $accel in
tcg) clock="TCG, wall clock: emulated, not hardware figures" ;;
icount) clock="TCG icount: guest instructions, deterministic (compare builds only)" ;;
kvm) clock="KVM" ;;
*) clock="bare metal" ;;
esac

# Rows of one phase: "backing  med lo hi" per interface, NaN where absent.
dat_block() {
	awk -F, -v size="$1" -v phase="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["bench"] == "dma" && $col["size_bytes"] == size &&
	$col["chunk_bytes"] == size && $col["unmap_chunk_bytes"] == size &&
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
	}' "$run/summary.csv"
}

# 1073741824 -> 1G, 268435456 -> 256M: exact, never rounded.
human_size() {
	local v=$1 u last=""
	for u in K M G T; do
		if [ $((v % 1024)) != 0 ] || [ "$v" -lt 1024 ]; then
			break
		fi
		v=$((v / 1024))
		last=$u
	done
	printf '%s%s\n' "$v" "${last:-}"
}

sizes=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["bench"] == "dma" && $col["chunk_bytes"] == $col["size_bytes"] { print $col["size_bytes"] }' \
	"$run/summary.csv" | sort -n -u)
for size in $sizes; do
	dat=$run/dma-$size.dat
	{ dat_block "$size" map; printf '\n\n'; dat_block "$size" unmap; } >"$dat.tmp"
	mv "$dat.tmp" "$dat"
	nif=$(head -n 1 "$dat" | awk '{ print (NF - 1) / 3 }')
	human=$(human_size "$size")
	gnuplot -e "data='$dat'; out='$run/dma-$human'; nif=$nif" \
		-e "title='vfio-dma-bench $human, whole-range calls: $kernel ($clock)'" \
		"$here/dma-throughput.gp"
	rm -f "$dat"
	echo "$prog: $run/dma-$human.png, .svg"
done

# vfio-mmio-bench's charts, where the run has mmio rows.
# shellcheck source=mmio.sh
. "$here/mmio.sh"
mmio_charts "$run" "$kernel" "$accel" "$clock"
