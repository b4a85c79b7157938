#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# Your own programs in the guest: a static build of
# tests/integration/exec-hello.c goes in with --extra (make bench
# EXTRA=...) and runs as two exec steps of the suite, one exiting 0 and
# one 3, beside a small vfio-mmio-bench step, on the stock Debian 6.12
# kernel (whose source has no VFIO selftests). The run keeps each step's
# stdout, stderr, exit status and the file it wrote in raw/NAME/, has a
# cases.csv row per exec step with its exit status, fails for the step
# that failed, and lists the guest's changes and the selftests' absence
# in meta.csv.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

gcc -static -O2 -Wall -Wextra -Werror -o "$tmp/exec-hello" "$repo/tests/integration/exec-hello.c"
cat >"$tmp/exec.suite" <<'SUITE'
exec hello exec-hello 0
exec sad exec-hello 3
step mmio vfio-mmio-bench --size 16M --level pte --phases none --baseline none --reps 1 --warmup 0
SUITE
set +e
"$repo/harness/bench.sh" --suite "$tmp/exec.suite" --extra "$tmp/exec-hello" \
	--accel "${VFIO_PERF_TEST_ACCEL:-tcg}" --results "$tmp/results" --no-plot \
	2>&1 | tee "$tmp/bench.log"
rc=${PIPESTATUS[0]}
set -e
expect_eq "bench.sh exit" "$rc" 1
run=$(find "$tmp/results" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$run" ] || { echo "no run directory"; exit 1; }
[[ $run == *.incomplete ]] || fail "a run with a failed exec step is $run"
meta() { csvq "$run/meta.csv" "\$1 == \"$1\"" 'print $2'; }
expect_eq "status" "$(meta status)" "failed (step sad exit 3)"

# What the program printed and wrote, and its exit status, are kept.
id=$(meta run_id)
grep -q "^hello from exec-hello: run $id, DMA device 0000:[0-9a-f:.]*, MMIO device 0000:[0-9a-f:.]*, CPU 1\$" \
	"$run/raw/hello/stdout" || fail "raw/hello/stdout: $(cat "$run/raw/hello/stdout" 2>&1)"
grep -q "writing .*/out/hello.txt" "$run/raw/hello/stderr" || fail "raw/hello/stderr: $(cat "$run/raw/hello/stderr" 2>&1)"
expect_eq "hello.txt" "$(cat "$run/raw/hello/out/hello.txt" 2>&1)" "written in the guest"
expect_eq "hello exit" "$(cat "$run/raw/hello/exit")" 0
expect_eq "sad exit" "$(cat "$run/raw/sad/exit")" 3
[ -f "$run/raw/sad/out/hello.txt" ] || fail "raw/sad/out/hello.txt missing"

# One row per exec step, its exit status; the benchmark's cases beside.
# (by column name: the table gains columns, docs/results.md)
expect_eq "exec rows" "$(csvq "$run/cases.csv" '$c["bench"] == "exec"' \
	'print $c["backing"] "/" $c["level"] "/" $c["size_bytes"] "/" $c["status"] "/" $c["reason"]')" \
	"exec-hello/hello/0/ok/exit 0
exec-hello/sad/0/fail/exit 3"
nmmio=$(csvq "$run/cases.csv" '$c["bench"] == "mmio" && $c["status"] == "ok"' 'n++ } END { print n + 0')
[ "$nmmio" -gt 0 ] || fail "no ok mmio case"
[ -s "$run/samples.csv" ] || fail "no samples"
# The reader takes the run (it failed, so only with --allow-failed).
expect 2 "did not complete" "$bin/vfio-perf-summary" "$run"
expect 0 "" "$bin/vfio-perf-summary" --allow-failed "$run"

# No VFIO selftests in linux-source-6.12; the guest's changes are listed.
[[ $(meta selftests) == "none (linux-source-6.12_"*"has no tools/testing/selftests/vfio)" ]] ||
	fail "selftests: $(meta selftests)"
[ ! -e "$run/selftests" ] || fail "a run without selftests has $run/selftests"
changes=$(meta guest_changes)
for want in "transparent_hugepage/shmem_enabled=advise" "vfio_iommu_type1.dma_entry_limit=2000000" \
	"driver_override=vfio-pci" "mount=hugetlbfs pagesize=2M on /mnt/huge-2M" "hugepages-1048576kB.nr_hugepages=2"; do
	[[ $changes == *"$want"* ]] || fail "guest_changes lacks $want: $changes"
done
finish
