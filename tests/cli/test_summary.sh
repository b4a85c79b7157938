#!/bin/bash
# vfio-perf-summary groups samples by case and metric, computes the
# median and GiB/s, marks unverified groups, and never overwrites.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

s=$bin/vfio-perf-summary
fx=$repo/tests/fixtures/samples-small.csv
expect 0 "" "$s" --out "$tmp/sum.csv" "$fx"

# field GROUP-MATCH COLUMN: value of COLUMN in the row whose backing and
# metric match.
field() {
	awk -F, -v b="$1" -v m="$2" -v c="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["backing"] == b && $col["metric"] == m { print $col[c] }' "$tmp/sum.csv"
}
expect_eq "groups" "$(($(wc -l <"$tmp/sum.csv") - 1))" 4
expect_eq "anon-4k map n" "$(field anon-4k map n)" 4
# 250, 500, 750, 1000 ms: the median is 625 ms; 1 GiB / 0.625 s = 1.6 GiB/s.
expect_eq "anon-4k map median" "$(field anon-4k map median)" 625000000
expect_eq "anon-4k map GiB/s" "$(field anon-4k map gib_per_s)" 1.6000000000000001
expect_eq "anon-4k map min" "$(field anon-4k map min)" 250000000
expect_eq "anon-4k map verified" "$(field anon-4k map verified)" yes
expect_eq "anon-thp map verified" "$(field anon-thp map verified)" no
expect_eq "fraction has no GiB/s" "$(field anon-thp thp-fraction gib_per_s)" ""
# The table marks unverified cases.
expect 0 "" "$s" "$fx"
grep -q 'anon-thp .*UNVERIFIED' "$tmp/stdout" || fail "table does not flag the unverified case"

# A per-event latency (*-ns) gets no throughput; a whole-buffer time does.
{
	head -n 1 "$fx"
	grep ',map,' "$fx" | head -n 1 | sed 's/,map,/,fault-ns,/'
	grep ',map,' "$fx" | head -n 1 | sed 's/,map,/,load-ns-p99,/'
} >"$tmp/lat.csv"
expect 0 "" "$s" --out "$tmp/lat-sum.csv" "$tmp/lat.csv"
expect_eq "latency GiB/s" "$(cut -d, -f19 <"$tmp/lat-sum.csv" | tail -n +2 | tr -d '\n')" ""

# Refusals: existing output, missing input, malformed input.
expect 1 "exists; not overwriting" "$s" --out "$tmp/sum.csv" "$fx"
expect 1 "cannot open" "$s" "$tmp/none.csv"
printf 'run_id,bench\nx,y\n' >"$tmp/bad.csv"
expect 1 "no column 'backing'" "$s" "$tmp/bad.csv"
head -n 2 "$fx" | sed 's/,1000000000,ns/,fast,ns/' >"$tmp/nan.csv"
expect 1 "value 'fast' is not a number" "$s" "$tmp/nan.csv"
expect 2 "exactly one samples.csv" "$s"
finish
