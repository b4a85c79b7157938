#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# vfio-perf-summary groups samples by case and metric, computes the
# median and GiB/s, marks unverified groups, never overwrites, and
# refuses what vfio-perf-compare refuses (test_reader.sh) with exit 2.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

s=$bin/vfio-perf-summary
fx=$repo/tests/fixtures/summary
expect 0 "" "$s" --out "$tmp/sum.csv" "$fx"

# field BACKING METRIC COLUMN: value of COLUMN in the row whose backing
# and metric match.
field() {
	csvq "$tmp/sum.csv" "\$c[\"backing\"] == \"$1\" && \$c[\"metric\"] == \"$2\"" "print \$c[\"$3\"]"
}
expect_eq "groups" "$(($(wc -l <"$tmp/sum.csv") - 1))" 4
expect_eq "case name" "$(field anon-4k map case)" dma/anon-4k/type1v2/1G/map
expect_eq "anon-4k map n" "$(field anon-4k map n)" 4
# 250, 500, 750, 1000 ms: the median is 625 ms; 1 GiB / 0.625 s = 1.6 GiB/s.
expect_eq "anon-4k map median" "$(field anon-4k map median)" 625000000
expect_eq "anon-4k map GiB/s" "$(field anon-4k map gib_per_s)" 1.6000000000000001
expect_eq "anon-4k map min" "$(field anon-4k map min)" 250000000
expect_eq "anon-4k map p95 text" "$(field anon-4k map p95_text)" "962.5 ms"
expect_eq "anon-4k map verified" "$(field anon-4k map verified)" yes
expect_eq "anon-thp map verified" "$(field anon-thp map verified)" no
expect_eq "fraction has no GiB/s" "$(field anon-thp thp-fraction gib_per_s)" ""
# The table marks unverified cases.
expect 0 "" "$s" "$fx"
grep -q 'anon-thp .*UNVERIFIED' "$tmp/stdout" || fail "table does not flag the unverified case"

# A per-event latency (*-ns) gets no throughput; a whole-buffer time does.
cp -r "$fx" "$tmp/lat"
sed -i 's/,unmap,/,fault-ns,/; s/,anon-4k,,type1v2,/,bar,pud,,/; s/^dma,/mmio,/' "$tmp/lat/samples.csv" "$tmp/lat/cases.csv"
sed -i 's/^r1,dma,/r1,mmio,/; s/,dma,anon-4k,,type1v2,/,mmio,bar,pud,,/' "$tmp/lat/samples.csv" "$tmp/lat/cases.csv"
expect 0 "" "$s" --out "$tmp/lat-sum.csv" "$tmp/lat"
expect_eq "latency GiB/s" "$(csvq "$tmp/lat-sum.csv" '$c["metric"] == "fault-ns"' 'print "[" $c["gib_per_s"] "]"')" "[]"

# Refusals: existing output, missing input, malformed input; all exit 2.
expect 2 "exists; not overwriting" "$s" --out "$tmp/sum.csv" "$fx"
expect 2 "none: no run directories|cannot read" "$s" "$tmp/none"
cp -r "$fx" "$tmp/bad"
printf 'run_id,bench\nx,y\n' >"$tmp/bad/samples.csv"
expect 2 "bad/samples.csv:1: header column 3 is '\(none\)', the schema's is 'backing'" "$s" "$tmp/bad"
cp -r "$fx" "$tmp/nan"
sed -i 's/,1000000000,ns,/,fast,ns,/' "$tmp/nan/samples.csv"
expect 2 "value 'fast' is not a decimal number" "$s" "$tmp/nan"
expect 2 "exactly one side" "$s"
finish
