#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# The run reader (bench/lib/samples.c) through vfio-perf-compare and
# vfio-perf-summary: every bad input of issue #10 is refused with exit 2
# and one line naming the file, the line and the reason; old runs still
# read; sides of mixed commits are warned about.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c=$bin/vfio-perf-compare
s=$bin/vfio-perf-summary
fx=$repo/tests/fixtures/compare
run=20250101T000000Z-6.12.117

# fresh NAME: a copy of a good base run in $tmp/NAME, the run's directory.
fresh() {
	rm -rf "${tmp:?}/$1"
	mkdir -p "$tmp/$1"
	cp -r "$fx/base/$run" "$tmp/$1/"
	echo "$tmp/$1/$run"
}

# with_value NAME VALUE: the run with the first map sample's value set.
with_value() {
	local d
	d=$(fresh "$1")
	sed -i '2s/,99800000,ns,/,'"$2"',ns,/' "$d/samples.csv"
	echo "$d"
}

expect 0 "" "$c" "$fx/base" "$fx/same"

# A samples.csv cut mid-line: the short row is named, no phantom case.
d=$(fresh cut)
head -c 1500 "$fx/base/$run/samples.csv" >"$d/samples.csv"
expect 2 "cut/$run/samples.csv:[0-9]+: [0-9]+ fields, the header has 20" "$c" "$d" "$fx/same"
# Cut at a line's end: the rows lost are seen against cases.csv.
d=$(fresh cutline)
head -n 9 "$fx/base/$run/samples.csv" >"$d/samples.csv"
expect 2 "cutline/$run/samples.csv:9: case dma/hugetlb-2m/type1v2/1G/unmap has 3 of the 5 samples cases.csv:2 promises \(rows lost\?\)" "$c" "$d" "$fx/same"

# Values that are not a finite number of their unit's domain.
for v in -5 inf 1e400 0x10 1e-400 nan " 5"; do
	d=$(with_value "v$v" "$v")
	if [ "$v" = -5 ]; then
		re="samples.csv:2: value -5 is below 0, the least a ns value can be"
	else
		re="samples.csv:2: value '$v' is not a decimal number within double range"
	fi
	expect 2 "$re" "$c" "$d" "$fx/same"
	expect 2 "$re" "$s" "$d"
done
d=$(fresh frac)
sed -i '0,/,hugetlb-pages,/s/,hugetlb-pages,\(.*\),count,/,thp-fraction,\1,fraction,/' "$d/samples.csv"
sed -i 's/,thp-fraction,0,0,512,fraction,/,thp-fraction,0,0,1.5,fraction,/' "$d/samples.csv"
grep -q ',1.5,fraction,' "$d/samples.csv" || fail "fixture: no fraction to spoil"
expect 2 "value 1.5 is not a fraction in \[0, 1\]" "$s" "$d"

# A duplicated row counts once... by being refused, naming both lines.
d=$(fresh dup)
sed -i '3p' "$d/samples.csv"
expect 2 "dup/$run/samples.csv:4: sample dma/hugetlb-2m/type1v2/1G/map rep 1 again \(first on line 3\)" "$c" "$d" "$fx/same"

# A failed run is refused unless asked for, then said.
d=$(fresh failed)
sed -i 's/^status,ok$/status,failed (exit 3)/' "$d/meta.csv"
expect 2 "base \(.*\): 1 run\(s\) did not complete: .*failed/$run \(failed \(exit 3\)\); leave them out or pass --allow-failed" "$c" "$tmp/failed" "$fx/same"
expect 0 "note: .*failed/$run: failed \(exit 3\), read because of --allow-failed" "$c" --allow-failed "$tmp/failed" "$fx/same"
sed -i 's/^status,.*/status,broken/' "$d/meta.csv"
expect 2 "meta.csv:[0-9]+: status 'broken' is not ok, failed \(...\)" "$c" --allow-failed "$tmp/failed" "$fx/same"
# A run named .incomplete, and a side directory holding something else.
d=$(fresh inc)
mv "$d" "$d.incomplete"
expect 2 "did not complete: .*$run.incomplete \(named .incomplete\)" "$c" "$tmp/inc" "$fx/same"
mkdir -p "$tmp/other/$run" "$tmp/other/notes"
cp "$fx/base/$run"/* "$tmp/other/$run/"
expect 2 "other/notes: neither a run directory" "$c" "$tmp/other" "$fx/same"
# Failed attempts of a campaign are skipped, with a note.
d=$(fresh retried)
mkdir -p "$tmp/retried/failed-attempts/x.incomplete" "$tmp/retried/failed-attempts/y.incomplete"
expect 0 "note: base: ignored 2 failed attempt\(s\) in .*retried/failed-attempts" "$c" "$tmp/retried" "$fx/same"

# A=B: the same runs on both sides are no comparison.
expect 2 "base and new both hold run $run boot 0" "$c" "$fx/base" "$fx/base"

# A side pooling runs of two vfio-perf commits: a warning names them.
mkdir -p "$tmp/commits"
cp -r "$fx/new"/* "$tmp/commits/"
sed -i 's/^vfio_perf_commit,.*/vfio_perf_commit,52a10116125b-dirty/' "$tmp/commits/20250102T000000Z-7.2.13/meta.csv"
expect 1 "warning: new \(.*\) pools runs of vfio-perf commits 52a10116125b-dirty \(1 run\), 0123456789ab \(1 run\)" "$c" "$fx/base" "$tmp/commits"

# meta.csv: one key, one meaning. A new run's repeated key is refused;
# an old run's second "suite" row (the Debian suite, split out of
# kernel_source) folds back, and labels the side by the Debian version.
d=$(fresh meta2)
sed -i 's/^bench_suite,compare$/suite,compare\nbench_suite,compare/' "$d/meta.csv"
expect 2 "meta2/$run/meta.csv:[0-9]+: key 'bench_suite' again \(first on line [0-9]+\): one key, one meaning" "$c" "$d" "$fx/same"
d=$(fresh oldmeta)
sed -i 's/^bench_suite,/suite,/; s/^bench_suite_sha256,/suite_sha256,/' "$d/meta.csv"
printf 'kernel_source,kind=debian\nsuite,bookworm\npackage,linux-image-6.12\nversion,6.12.117-1~deb12u1\n' >>"$d/meta.csv"
expect 0 "" "$c" "$d" "$fx/same"
grep -qE '^base +6\.12\.117-1~deb12u1 +6\.12\.117 ' "$tmp/stdout" || fail "old meta: side not labelled by its Debian version: $(head -n 2 "$tmp/stdout")"
d=$(fresh build)
printf 'kernel_spec,build:6.12+type1-contig-batch\n' >>"$d/meta.csv"
expect 0 "" "$c" "$d" "$fx/same"
grep -qE '^base +6\.12\+type1-contig-batch +6\.12\.117 ' "$tmp/stdout" || fail "build: side not labelled by its build name: $(head -n 2 "$tmp/stdout")"

# Headers, vocabularies, cross-checks.
d=$(fresh hdr)
sed -i '1s/,value,/,val,/' "$d/samples.csv"
expect 2 "hdr/$run/samples.csv:1: header column 11 is 'val', the schema's is 'value'" "$c" "$d" "$fx/same"
d=$(fresh metric)
sed -i '2s/,map,/,mab,/' "$d/samples.csv"
expect 2 "samples.csv:2: metric 'mab' is not in the schema" "$c" "$d" "$fx/same"
d=$(fresh unit)
sed -i '2s/,ns,/,us,/' "$d/samples.csv"
expect 2 "samples.csv:2: unit 'us' of metric map is not its unit ns" "$c" "$d" "$fx/same"
d=$(fresh phantom)
sed -i '2s/,hugetlb-2m,/,hugetlb-1g,/' "$d/samples.csv"
expect 2 "samples.csv:2: case dma/hugetlb-1g/type1v2/1G/map is not in cases.csv" "$c" "$d" "$fx/same"
d=$(fresh accel)
sed -i '2s/,icount,/,tcg,/' "$d/samples.csv"
expect 2 "samples.csv:2: accel 'tcg' is not meta.csv's 'icount'" "$c" "$d" "$fx/same"
d=$(fresh skip)
sed -i '2s/,ok,/,skip,/' "$d/cases.csv"
expect 2 "samples.csv:[0-9]+: case .* has samples, but cases.csv:2 says it was skipped" "$c" "$d" "$fx/same"
expect 2 "none: not a run directory" "$s" "$tmp/none,$tmp/none2"

# Summary reads what compare reads, and takes RUN/samples.csv for RUN.
expect 0 "" "$s" --out "$tmp/sum.csv" "$fx/base/$run/samples.csv"
expect_eq "summary: map n" "$(csvq "$tmp/sum.csv" '$c["metric"] == "map" && $c["backing"] == "hugetlb-2m"' 'print $c["n"]')" 5
finish
