#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# vfio-perf-ktap turns a selftest program's output, its test list and its
# exit status (or an exec step's status) into cases.csv rows; the reader
# (vfio-perf-compare, vfio-perf-summary) takes runs with those rows and
# refuses them malformed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

k=$bin/vfio-perf-ktap
fx=$repo/tests/fixtures/ktap
prog=vfio_dma_mapping_test

# Bad usage: one line, exit 2, no file.
expect 2 "--run-id, --program, --exit and --out are required" "$k" --program p "$fx/harness.tap"
expect 2 "want one TAPFILE" "$k" --run-id r --program p --exit 0 --out "$tmp/x.csv"
expect 2 "--exit: '300' is not a number from 0 to 255" "$k" --run-id r --program p --exit 300 --out "$tmp/x.csv" "$fx/harness.tap"
expect 2 "--not-run wants WORD=REASON" "$k" --run-id r --program p --exit 0 --not-run x --out "$tmp/x.csv" "$fx/harness.tap"
expect 2 "--exec takes no TAPFILE" "$k" --run-id r --exec s --program p --exit 0 --out "$tmp/x.csv" "$fx/harness.tap"
expect 2 "cannot read $tmp/none.tap" "$k" --run-id r --program p --exit 0 --out "$tmp/x.csv" "$tmp/none.tap"
expect 2 "backing 'a b' of a selftest row is not a program name" "$k" --run-id r --program 'a b' --exit 0 --skip why --out "$tmp/x.csv"
[ ! -e "$tmp/x.csv" ] || fail "a refused call left $tmp/x.csv"

# Every listed test has a row: reported ones as reported (a failure with
# the assertion it printed), iommufd variants the guest excluded as
# skipped with the reason, the rest failed as never run.
expect 1 "" "$k" --run-id r1 --program $prog --exit 1 --list "$fx/dma-mapping.list" \
	--not-run "iommufd=iommufd mode: no /dev/iommu" --out "$tmp/a.csv" "$fx/harness.tap"
# 30 listed (3 reported, 18 excluded, 9 never ran) and 2 not listed.
expect_eq "summary" "$(cat "$tmp/stdout")" "$prog 32 2 11 19"
expect_eq "header" "$(head -n 1 "$tmp/a.csv")" \
	"run_id,bench,backing,level,iface,size_bytes,chunk_bytes,unmap_chunk_bytes,status,reps,reason,populate"
row() { csvq "$tmp/a.csv" "\$c[\"level\"] == \"$1\"" "print \$c[\"status\"] \"|\" \$c[\"reason\"]"; }
expect_eq "pass" "$(row $prog.vfio_type1_iommu_anonymous.dma_map_unmap)" "ok|"
expect_eq "skip" "$(row $prog.vfio_type1_iommu_anonymous_hugetlb_1gb.dma_map_unmap)" \
	"skip|mmap() failed: Cannot allocate memory (12)"
expect_eq "fail" "$(row vfio_dma_map_limit_test.vfio_type1_iommu.unmap_range)" \
	"fail|iommu.h:40: Assertion Failure; [errno: 28 - No space left on device]"
expect_eq "excluded" "$(row vfio_dma_map_limit_test.iommufd_compat_type1.overflow)" \
	"skip|iommufd mode: no /dev/iommu"
expect_eq "never ran" "$(row vfio_dma_map_limit_test.vfio_type1v2_iommu.overflow)" \
	'fail|exit 1: # Totals: pass:1 fail:2 xfail:1 xpass:0 skip:1 error:0'
# Not in the list: the irq results still get rows (XFAIL counts as ok).
expect_eq "xfail" "$(row vfio_pci_irq_test.msi.enable_trigger_disable)" \
	"ok|xfail: edu raises no MSI under TCG"
expect_eq "no size, no iface, no reps" "$(csvq "$tmp/a.csv" '$c["bench"] != "selftest" || $c["backing"] != "'$prog'" || $c["iface"] != "" || $c["size_bytes"] != 0 || $c["reps"] != 0' print)" ""
# Results are never overwritten.
expect 2 "cannot write $tmp/a.csv: it exists" "$k" --run-id r1 --program $prog --exit 0 --out "$tmp/a.csv" "$fx/harness.tap"

# A crash mid-output, no list: a row for the program says so.
expect 1 "" "$k" --run-id r1 --program $prog --exit 139 --out "$tmp/crash.csv" "$fx/crash.tap"
expect_eq "crash" "$(csvq "$tmp/crash.csv" '$c["level"] == ""' 'print $c["status"] "|" $c["reason"]')" \
	'fail|stopped before its plan was done: exit 139 (signal 11)'
# A program that skips itself, one the guest did not run, a bail-out.
expect 0 "" "$k" --run-id r1 --program vfio_pci_sriov_uapi_test --exit 4 --out "$tmp/s.csv" "$fx/skip-all.tap"
expect_eq "skip all" "$(tail -n +2 "$tmp/s.csv")" \
	"r1,selftest,vfio_pci_sriov_uapi_test,,,0,0,0,skip,0,SR-IOV may not be supported by the PF: 0000:00:02.0,"
expect 0 "" "$k" --run-id r1 --program vfio_pci_device_test --exit 0 --skip "needs iommufd: no /dev/iommu" --out "$tmp/n.csv"
expect_eq "not run" "$(cat "$tmp/stdout")" "vfio_pci_device_test 1 0 0 1"
# ... and with its list, every test is listed as skipped.
expect 0 "" "$k" --run-id r1 --program vfio_pci_device_test --exit 0 --list "$fx/pci-device.list" \
	--skip "needs iommufd: no /dev/iommu" --out "$tmp/n2.csv"
expect_eq "not run, listed" "$(cat "$tmp/stdout")" "vfio_pci_device_test 5 0 0 5"
expect_eq "listed skip" "$(sed -n 2p "$tmp/n2.csv")" \
	"r1,selftest,vfio_pci_device_test,vfio_pci_device_test.config_space_read_write,,0,0,0,skip,0,needs iommufd: no /dev/iommu,"
expect 1 "" "$k" --run-id r1 --program p --exit 1 --out "$tmp/b.csv" "$fx/bail.tap"
expect_eq "bail out" "$(csvq "$tmp/b.csv" '$c["level"] == ""' 'print $c["reason"]')" \
	"stopped before its plan was done: Bail out! cannot open /dev/vfio/vfio"
# A program that printed nothing and failed.
: >"$tmp/empty.tap"
expect 1 "" "$k" --run-id r1 --program p --exit 1 --out "$tmp/e.csv" "$tmp/empty.tap"
expect_eq "empty" "$(tail -n +2 "$tmp/e.csv")" "r1,selftest,p,,,0,0,0,fail,0,exit 1,"

# exec steps: ok, skip (4), fail, killed.
for x in 0:ok:exit 4:skip:exit 3:fail:exit 137:fail:exit; do
	IFS=: read -r code st _ <<<"$x"
	want=0
	[ "$st" != fail ] || want=1
	expect "$want" "" "$k" --run-id r1 --exec hello --program exec-hello --exit "$code" --out "$tmp/x$code.csv"
done
expect_eq "exec ok" "$(tail -n +2 "$tmp/x0.csv")" "r1,exec,exec-hello,hello,,0,0,0,ok,0,exit 0,"
expect_eq "exec killed" "$(tail -n +2 "$tmp/x137.csv")" "r1,exec,exec-hello,hello,,0,0,0,fail,0,exit 137 (signal 9),"

# The reader takes a run whose cases.csv has selftest and exec rows
# beside the measured cases (a run with the populate column, as this
# build writes), and refuses such a row with a size.
src=$repo/tests/fixtures/populate/20250104T000000Z-6.12.117
id=$(basename "$src")
mkdir -p "$tmp/side"
cp -r "$src" "$tmp/side/"
d=$tmp/side/$id
sed "s/^r1,/$id,/" <(tail -n +2 "$tmp/a.csv"; tail -n +2 "$tmp/x0.csv"; tail -n +2 "$tmp/s.csv") >>"$d/cases.csv"
expect 0 "" "$bin/vfio-perf-summary" "$d"
cp -r "$tmp/side" "$tmp/bad"
sed -i "\$s/,0,0,0,skip,/,4096,4096,4096,skip,/" "$tmp/bad/$id/cases.csv"
expect 2 "cases.csv:[0-9]+: a selftest row has no iface and size 0" "$bin/vfio-perf-summary" "$tmp/bad/$id"
cp -r "$tmp/side" "$tmp/bad2"
sed -i "\$s/,vfio_pci_sriov_uapi_test,,/,vfio_pci_sriov_uapi_test,a b,/" "$tmp/bad2/$id/cases.csv"
expect 2 "level 'a b' of a selftest row is not a test or step name" "$bin/vfio-perf-summary" "$tmp/bad2/$id"

expect 0 "" "$k" --help
grep -q -- '--not-run WORD=REASON' "$tmp/stdout" || fail "--help lacks --not-run"
finish
