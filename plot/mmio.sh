# shellcheck shell=bash
# The charts of vfio-mmio-bench, sourced by plot-run.sh: per BAR mapping
# size, page faults and fault-in time per
# page-table level (mmio-faults-SIZE) and BAR DMA-map time per level
# (mmio-barmap-SIZE); load latency against working-set size per level
# beside anonymous memory (mmio-load); read and write bandwidth
# (mmio-bw). PNG and SVG, from vfio-perf-summary's table (sizes as its
# "size" column writes them).

# The x labels of every chart, in this order: BAR levels, then baselines.
MMIO_ORDER="pte pmd pud auto anon-4k anon-thp"

# mmio_rows SUMMARY SIZE CHUNK IFACE DIVISOR METRIC...: a header, then per
# x label "label med p5 p95" for each METRIC, divided by DIVISOR, NaN
# where absent. SIZE or CHUNK empty: any.
mmio_rows() {
	local summary=$1 size=$2 chunk=$3 iface=$4 div=$5
	shift 5
	awk -F, -v size="$size" -v chunk="$chunk" -v iface="$iface" -v div="$div" \
		-v mets="$*" -v order="$MMIO_ORDER" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; nm = split(mets, m, " "); next }
	$col["bench"] == "mmio" && (size == "" || $col["size_bytes"] == size) &&
	(chunk == "" || $col["chunk_bytes"] == chunk) && $col["iface"] == iface {
		x = $col["backing"] == "bar" ? $col["level"] : $col["backing"]
		# A window from an offset: its level at the offset (auto@512M).
		if ($col["backing"] ~ /^bar@/)
			x = $col["level"] substr($col["backing"], 4)
		v[x, $col["metric"]] = $col["median"] / div " " $col["p5"] / div " " $col["p95"] / div
		if (!(x in seen)) {
			seen[x] = 1
			xs[++nx] = x
		}
	}
	END {
		n = split(order, o, " ")
		for (i = 1; i <= n; i++)
			known[o[i]] = 1
		# The labels MMIO_ORDER does not name follow, as first seen.
		for (i = 1; i <= nx; i++)
			if (!(xs[i] in known))
				o[++n] = xs[i]
		printf "x"
		for (j = 1; j <= nm; j++) printf " %s lo hi", m[j]
		print ""
		for (i = 1; i <= n; i++) {
			for (j = 1; j <= nm && !((o[i], m[j]) in v); j++)
				;
			if (j > nm)
				continue	# none of the metrics
			printf "%s", o[i]
			for (j = 1; j <= nm; j++)
				printf " %s", ((o[i], m[j]) in v) ? v[o[i], m[j]] : "NaN NaN NaN"
			print ""
		}
	}' "$summary"
}

# mmio_load_blocks SUMMARY: per x label with load cases, a block of rows
# "ws median p5 p95" (ns; the medians over samples of each sample's
# per-load median, p5 and p95), blocks in MMIO_ORDER separated by two
# blank lines; the labels of the blocks, in order, go to fd 3.
mmio_load_blocks() {
	awk -F, -v order="$MMIO_ORDER" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i; next }
	$col["bench"] == "mmio" && $col["chunk_bytes"] == 4096 && $col["metric"] ~ /^load-ns(-p5|-p95)?$/ {
		x = $col["backing"] == "bar" ? $col["level"] : $col["backing"]
		k = rank[x] " " $col["size_bytes"]
		v[k, $col["metric"]] = $col["median"]
		key[k] = x
	}
	END {
		for (k in key)
			print k, v[k, "load-ns"], v[k, "load-ns-p5"], v[k, "load-ns-p95"], key[k]
	}' "$1" | sort -k1,1n -k2,2n | awk -v labels=3 '
	$1 != last {
		if (NR > 1) printf "\n\n"
		last = $1
		print $6 > "/dev/fd/" labels
	}
	{ print $2, $3, $4, $5 }'
}

# mmio_plot SCRIPT OUT TITLE SUBTITLE DATA [VAR=VALUE...]: draw OUT.png
# and .svg; SUBTITLE (the kernel and clock) is the title's second line.
mmio_plot() {
	local gp=$1 out=$2 title=$3 sub=$4 data=$5 vars=""
	shift 5
	for v; do vars+="; $v"; done
	# Titles go inside gnuplot quotes: no quotes in them.
	gnuplot -e "data='$data'; out='$out'; title='${title//\'/}'; sub='${sub//\'/}'$vars" \
		"$MMIO_PLOT_DIR/$gp"
	echo "plot-run.sh: $out.png, .svg"
}

# mmio_charts RUN SUMMARY KERNEL ACCEL CLOCK: every mmio chart of RUN.
mmio_charts() {
	local run=$1 summary=$2 kernel=$3 accel=$4 clock=$5
	local size human dat labels tlb=""
	MMIO_PLOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	grep -q ',mmio/' "$summary" || return 0
	case $accel in
	tcg | icount) tlb="; load latency here is that of the QEMU TLB emulation, not of a hardware TLB" ;;
	esac
	dat=$(mktemp "${TMPDIR:-/tmp}/vfio-perf-mmio.XXXXXX.dat")
	# The fault-in cases: BAR mappings (chunk = size, no interface).
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["bench"] == "mmio" && $c["metric"] == "faults" { print $c["size_bytes"], $c["size"] }' \
		"$summary" | sort -n -u >"$dat.sizes"
	while read -r size human; do
		mmio_rows "$summary" "$size" "$size" "" 1 faults fault-in fault-ns >"$dat"
		mmio_plot mmio-faults.gp "$run/mmio-faults-$human" \
			"vfio-mmio-bench: page faults and fault-in of a $human BAR mapping per page-table level" \
			"$kernel ($clock)" "$dat"
		mmio_rows "$summary" "$size" "$size" type1v2 1e6 bar-map bar-map-cold bar-unmap bar-unmap-cold >"$dat"
		if [ "$(wc -l <"$dat")" -gt 1 ]; then
			mmio_plot mmio-barmap.gp "$run/mmio-barmap-$human" \
				"vfio-mmio-bench: VFIO DMA-map of a $human BAR mapping per page-table level (type1v2)" \
				"$kernel ($clock)" "$dat"
		fi
	done <"$dat.sizes"
	labels=$(mmio_load_blocks "$summary" 3>&1 >"$dat" | xargs)
	if [ -n "$labels" ]; then
		mmio_plot mmio-load.gp "$run/mmio-load" \
			"vfio-mmio-bench: dependent-load latency against working set, BAR per page-table level and anonymous memory" \
			"$kernel ($clock$tlb)" "$dat" "labels='$labels'"
	fi
	{
		mmio_rows "$summary" "" 8 "" 1e9 read-bw write-bw
		printf '\n\n'
		mmio_rows "$summary" "" 64 "" 1e9 read-bw write-bw
	} >"$dat"
	if [ "$(wc -l <"$dat")" -gt 5 ]; then
		mmio_plot mmio-bw.gp "$run/mmio-bw" \
			"vfio-mmio-bench: sequential bandwidth, BAR per page-table level and anonymous memory" \
			"$kernel ($clock)" "$dat"
	fi
	rm -f "$dat" "$dat.sizes"
}
