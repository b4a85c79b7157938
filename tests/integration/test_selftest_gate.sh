#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# The selftest gate, broken on purpose. Debian sid's 7.2 kernel (whose
# linux-source-7.2 ships the VFIO selftests) boots with
# vfio_iommu_type1.dma_entry_limit=0 on its command line, which /init
# keeps: every VFIO_IOMMU_MAP_DMA of a type1 container fails with ENOSPC,
# so the selftests' mapping tests fail, while the suite (an exec step and
# a vfio-mmio-bench step that maps no DMA) still measures. The run must
# be failed (selftest ...) and stay .incomplete, every selftest program
# must have rows, the iommufd variants must be skipped with the reason,
# and vfio-perf-compare must refuse the run unless --allow-failed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

gcc -static -O2 -o "$tmp/exec-hello" "$repo/tests/integration/exec-hello.c"
cat >"$tmp/gate.suite" <<'SUITE'
exec hello exec-hello 0
step mmio vfio-mmio-bench --size 16M --level pte --phases none --baseline none --reps 2 --warmup 0
SUITE
set +e
"$repo/harness/bench.sh" --kernel sid --suite "$tmp/gate.suite" --extra "$tmp/exec-hello" \
	--append vfio_iommu_type1.dma_entry_limit=0 --accel "${VFIO_PERF_TEST_ACCEL:-tcg}" \
	--results "$tmp/results" --no-plot 2>&1 | tee "$tmp/bench.log"
rc=${PIPESTATUS[0]}
set -e
expect_eq "bench.sh exit" "$rc" 1
run=$(find "$tmp/results" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$run" ] || { echo "no run directory"; exit 1; }
[[ $run == *.incomplete ]] || fail "a run that failed the gate is $run"
meta() { csvq "$run/meta.csv" "\$1 == \"$1\"" 'print $2'; }
status=$(meta status)
[[ $status =~ ^\"?failed\ \(selftest\ vfio_dma_mapping_test:\ [0-9]+\ of\ [0-9]+\ failed ]] ||
	fail "status: $status"
[[ $status != *"step "* ]] || fail "a step failed too: $status"
[[ $(meta guest_changes) == *"vfio_iommu_type1.dma_entry_limit=0 (kernel command line)"* ]] ||
	fail "guest_changes: $(meta guest_changes)"
[[ $(meta selftests_source) == *"deb=linux-source-7.2_"* ]] || fail "selftests_source: $(meta selftests_source)"
[[ $(meta selftests) =~ ^\"?[0-9]+\ passed,\ [1-9][0-9]*\ failed,\ [0-9]+\ skipped\ of\ [0-9]+\ \(7\ programs\)\"?$ ]] ||
	fail "selftests: $(meta selftests)"

# Every program has rows and its verbatim output; the mapping tests
# failed with ENOSPC; iommufd modes are skipped with why.
for p in vfio_dma_mapping_test vfio_dma_mapping_mmio_test vfio_iommufd_setup_test \
	vfio_pci_device_test vfio_pci_device_init_perf_test vfio_pci_driver_test \
	vfio_pci_sriov_uapi_test; do
	n=$(csvq "$run/cases.csv" "\$c[\"bench\"] == \"selftest\" && \$c[\"backing\"] == \"$p\"" 'n++ } END { print n + 0')
	[ "$n" -gt 0 ] || fail "no cases.csv row of $p"
	[ -f "$run/selftests/$p.tap" ] || [ -f "$run/selftests/$p.skip" ] || fail "no selftests/$p.tap or .skip"
done
row() { csvq "$run/cases.csv" "\$c[\"level\"] == \"$1\"" 'print $c["status"] "|" $c["reason"]'; }
r=$(row vfio_dma_mapping_test.vfio_type1v2_iommu_anonymous.dma_map_unmap)
[[ $r == "fail|"*"No space left on device"* ]] || fail "type1v2 dma_map_unmap: $r"
r=$(row vfio_dma_mapping_test.iommufd_anonymous.dma_map_unmap)
expect_eq "iommufd variant" "$r" "skip|iommufd mode: this kernel has no /dev/iommu (CONFIG_IOMMUFD)"
grep -q '^not ok' "$run/selftests/vfio_dma_mapping_test.tap" || fail "the TAP output has no failure"
expect_eq "exec row" "$(grep ',exec,' "$run/cases.csv" | cut -d, -f9,11)" "ok,exit 0"

# vfio-perf-compare refuses the run, and reads it with --allow-failed,
# saying so. The other side: the same measurements as a complete run of
# another id (the refusal is about this run, not about the numbers).
id=$(meta run_id)
good=$tmp/good/${id}-ok
mkdir -p "$tmp/good"
cp -r "$run" "$good"
sed -i "s/$id/${id}-ok/g" "$good"/*.csv
sed -i 's/^status,.*/status,ok/' "$good/meta.csv"
expect 2 "did not complete: .*failed \(selftest vfio_dma_mapping_test" \
	"$bin/vfio-perf-compare" "$good" "$run"
# (Metrics sampled every rep: the once-per-boot ones have too few samples.)
"$bin/vfio-perf-compare" --allow-failed --metric '^(faults|fault-in|fault-ns)$' "$good" "$run" \
	>"$tmp/cmp.out" 2>"$tmp/cmp.err" ||
	fail "compare --allow-failed failed: $(cat "$tmp/cmp.err")"
grep -q "read because of --allow-failed" "$tmp/cmp.err" || fail "compare --allow-failed does not say so: $(cat "$tmp/cmp.err")"
finish
