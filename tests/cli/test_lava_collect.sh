#!/bin/bash
# harness/lava/collect.sh on jobs a LAVA lab ran (tests/fixtures/lava/:
# lavacli's own output for a Complete, a Canceled and an Incomplete job):
# the complete one becomes an ordinary run (the samples of the guest's
# archive, checked against LAVA's structured results; the job id, worker
# and device in meta.csv; the console), the others failed runs that
# compare refuses; damaged copies of the complete job fail too.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
collect=$repo/harness/lava/collect.sh
fx=$repo/tests/fixtures/lava/campaign
good=20261201T151038Z-6.12-b0

expect 2 "^collect\.sh: error: --jobs $tmp is not a campaign" "$collect" --jobs "$tmp"

c=$tmp/results/lava-fixture
expect 1 '' "$collect" --jobs "$fx" --results "$tmp/results"
grep -q "3 of 3 job(s) collected, 1 complete" "$tmp/stderr" || fail "collect.sh's summary: $(tail -n 1 "$tmp/stderr")"
r=$c/6.12/$good
[ -d "$r" ] || fail "the Complete job is not the run $r"
meta() {
	sed -n "s/^$2,//p" "$1/meta.csv" | sed 's/^"//; s/"$//'
}
expect_eq status "$(meta "$r" status)" ok
expect_eq lava_job_id "$(meta "$r" lava_job_id)" 3
expect_eq lava_worker "$(meta "$r" lava_worker)" lab-worker-2
expect_eq lava_device "$(meta "$r" lava_device)" qemu-02
expect_eq accel "$(meta "$r" accel)" icount
expect_eq run_id "$(meta "$r" run_id)" "$good"
[ -z "$(meta "$r" host_kernel)" ] || fail "$r: host_kernel is the collecting host's, not the worker's"
# Every sample: 2 cases x 5 phases x 3 reps, and the verification figures.
# shellcheck disable=SC2016 # awk's fields
expect_eq "map samples" "$(csvq "$r/samples.csv" '$c["metric"] == "map"' 'print' | wc -l)" 6
expect 0 '' "$bin/vfio-perf-summary" "$r"
grep -q 'hugetlb-2m .* map .*n=3' "$tmp/stdout" || fail "vfio-perf-summary does not read $r"
grep -q '^# /usr/bin/qemu-system-x86_64 .*-device edu,addr=03.0' "$r/console.log" ||
	fail "$r/console.log does not start with LAVA's QEMU command"
grep -q 'vfio-perf: step dma: exit 0' "$r/console.log" || fail "$r/console.log is not the guest's console"

# The Canceled and the Incomplete job: failed runs, and why.
for row in "b1 5 Canceled its archive is of run $good" "b2 1 Incomplete the guest handed no archive back"; do
	read -r b id health why <<<"$row"
	f=$c/6.12/20261201T151038Z-6.12-$b.incomplete
	[ -d "$f" ] || { fail "LAVA job $id is not the failed run $f"; continue; }
	st=$(meta "$f" status)
	[[ $st == "failed (guest: LAVA job $id ended $health on qemu-0"*": $why"* ]] || fail "$f: status '$st'"
	# shellcheck disable=SC2016 # awk's fields
	grep -q "^$id\$" <(csvq "$c/lava.csv" "\$c[\"status\"] ~ /^\"?failed/" 'print $c["lava_id"]') ||
		fail "lava.csv does not say that job $id failed"
done
expect 2 'a run that never completed' "$bin/vfio-perf-compare" "$c/6.12" "$c/6.12"
expect 2 'a run that never completed' "$bin/vfio-perf-compare" "$r" "$c/6.12"
# Flagged, when asked to read what completed.
expect 0 '' "$bin/vfio-perf-compare" --allow-failed --allow-same-run "$r" "$c/6.12"
grep -q "note: .*6.12-b1.incomplete: an incomplete run without samples, nothing to read" "$tmp/stderr" ||
	fail "compare --allow-failed does not flag the cancelled run: $(cat "$tmp/stderr")"

# Collected once: a second collect leaves every run as it is.
before=$(find "$c" -type f -newer "$fx/plan.csv" | sort | xargs sha256sum)
expect 1 '' "$collect" --jobs "$fx" --results "$tmp/results"
expect_eq "a second collect" "$(find "$c" -type f -newer "$fx/plan.csv" ! -name lava.csv | sort | xargs sha256sum)" \
	"$(grep -v lava.csv <<<"$before")"

# Damaged copies of the Complete job: a measurement LAVA stored that the
# archive does not have, and an archive cut in the middle.
damage() {
	local name=$1 file=$2 script=$3 d=$tmp/$1
	mkdir -p "$d/fetched"
	cp "$fx"/campaign.txt "$d/"
	sed -i "s/^name=.*/name=$name/" "$d/campaign.txt"
	head -n 2 "$fx/plan.csv" >"$d/plan.csv"
	head -n 2 "$fx/submitted.csv" >"$d/submitted.csv"
	cp -r "$fx/fetched/3" "$d/fetched/3"
	sed -i "$script" "$d/fetched/3/$file"
	cmp -s "$d/fetched/3/$file" "$fx/fetched/3/$file" && fail "damage $name changed nothing"
	expect 1 '' "$collect" --jobs "$d" --results "$tmp/results"
	meta "$tmp/results/$name/6.12/$good.incomplete" status
}
st=$(damage measured results.yaml "0,/^  measurement: '1559354'/s//  measurement: '1559355'/")
[[ $st == *"its structured results disagree with the archive"*"LAVA has 1559355 ns"* ]] || fail "a changed measurement: status '$st'"
st=$(damage cut log.yaml '800d')
[[ $st == *"its archive came back damaged"* ]] || fail "a cut archive: status '$st'"
finish
