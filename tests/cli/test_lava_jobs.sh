#!/bin/bash
# LAVA jobs without a lab: harness/lava/jobs.sh for both device families,
# every job checked offline by LAVA's own validators (the job schema of
# lava-common always; lava-run --validate against a qemu device too when
# lava-dispatcher and lava-server are installed, as make lava-lab does),
# and what the jobs say: the artifacts' checksums, the guest's command
# line and QEMU arguments, the run ids, the embedded job.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
h=$repo/harness/lava
suite=$repo/tests/integration/lava-small.suite

for s in jobs.sh validate.sh submit.sh collect.sh lab.sh; do
	expect 0 '' "$h/$s" --help
	grep -q '^usage: ' "$tmp/stdout" || fail "$s --help prints no usage line"
	grep -q '^Example' "$tmp/stdout" || fail "$s --help has no Example"
done
expect 2 '^jobs\.sh: error: --kernels needs at least one kernel spec' "$h/jobs.sh" --out "$tmp/x"
expect 2 "^jobs\.sh: error: --accel must be tcg, icount or kvm for the qemu family, not 'auto'" \
	"$h/jobs.sh" --kernels 6.12 --accel auto --out "$tmp/x"
expect 2 '^jobs\.sh: error: the x86 family needs --bind' "$h/jobs.sh" --kernels 6.12 --family x86 --out "$tmp/x"
expect 2 "^jobs\.sh: error: --url must start with" "$h/jobs.sh" --kernels 6.12 --url ftp://x --out "$tmp/x"
expect 2 "^jobs\.sh: error: unknown option '--nope'" "$h/jobs.sh" --nope
[ ! -e "$tmp/x" ] || fail "a refused jobs.sh left $tmp/x"
expect 2 '^validate\.sh: error: no job file given' "$h/validate.sh"
expect 2 '^submit\.sh: error: --jobs DIR is required' "$h/submit.sh" --identity x
expect 2 '^collect\.sh: error: --jobs DIR is required' "$h/collect.sh"
expect 2 "^lab\.sh: error: say start, stop, status or crash-worker N" "$h/lab.sh" restart
expect 2 "^lab\.sh: error: crash-worker wants a worker number \(" "$h/lab.sh" crash-worker
expect 2 "^lab\.sh: error: crash-worker wants a worker number from 1 to 9, not '0'" "$h/lab.sh" crash-worker 0
expect 2 "^lab\.sh: error: unknown argument '2'" "$h/lab.sh" crash-worker 1 2
expect 2 "^lab\.sh: error: unknown argument '1'" "$h/lab.sh" stop 1
expect 2 "^bench\.sh: error: --prepare needs --accel tcg, icount or kvm" \
	"$repo/harness/bench.sh" --prepare "$tmp/p" --accel auto
expect 2 "^bench\.sh: error: --replay needs --run-id ID" "$repo/harness/bench.sh" --replay "$tmp"

# ---- the qemu family: two kernels, two boots -------------------------
q=$tmp/q
expect 0 '' "$h/jobs.sh" --kernels "6.12 sid" --boots 2 --suite "$suite" --accel icount \
	--name lava-test --out "$q"
expect_eq "jobs" "$(find "$q/jobs" -name "*.yaml" -printf "%f\n" | sort | xargs)" \
	"001-6.12-b0.yaml 002-sid-b0.yaml 003-6.12-b1.yaml 004-sid-b1.yaml"
expect_eq "plan rows" "$(tail -n +2 "$q/plan.csv" | cut -d, -f1-5 | xargs)" \
	"001-6.12-b0.yaml,1,6.12,6.12,0 002-sid-b0.yaml,1,sid,sid,0 003-6.12-b1.yaml,2,6.12,6.12,1 004-sid-b1.yaml,2,sid,sid,1"
expect_eq "distinct run ids" "$(tail -n +2 "$q/plan.csv" | cut -d, -f6 | sort -u | wc -l)" 4
expect 0 '' "$h/validate.sh" "$q"/jobs/*.yaml
expect_eq "schema verdicts" "$(grep -c '^ok .*: schema$' "$tmp/stdout")" 4
# The validators can fail: a boot method LAVA does not have.
sed 's/method: qemu/method: qemuu/' "$q/jobs/001-6.12-b0.yaml" >"$tmp/bad.yaml"
expect 1 '' "$h/validate.sh" "$tmp/bad.yaml"
grep -q "^invalid $tmp/bad.yaml: schema: unknown action type" "$tmp/stdout" ||
	fail "validate.sh does not say why bad.yaml is invalid: $(cat "$tmp/stdout")"

j=$q/jobs/003-6.12-b1.yaml
a=$q/artifacts/6.12
run_id=$(awk -F, '$1 == "003-6.12-b1.yaml" { print $6 }' "$q/plan.csv")
grep -qF "sha256sum: $(sha256sum "$a/vmlinuz" | cut -d' ' -f1)" "$j" || fail "$j: not the kernel's sha256"
grep -qF "sha256sum: $(sha256sum "$a/initramfs.cpio.gz" | cut -d' ' -f1)" "$j" || fail "$j: not the initramfs' sha256"
grep -qF "url: 'file://$q/artifacts/6.12/vmlinuz'" "$j" || fail "$j: the kernel's URL is not file://"
grep -qF "'sh /etc/vfio-perf/job/run.sh $run_id 1 icount'" "$j" || fail "$j: the run step does not run $run_id boot 1"
grep -qF "vfio-perf.run_id: '$run_id'" "$j" || fail "$j: no run_id metadata"
# The guest of make bench: its kernel command line and devices, as
# qemu.sh describes them.
cmdline=$(sed -n 's/^cmdline=//p' "$a/guest.txt")
[[ $cmdline == *"intel_iommu=on"*"vp.bind=1234:11e8,1af4:1110"* && $cmdline != *vp.share* ]] ||
	fail "guest.txt: unexpected command line '$cmdline'"
grep -qF -- "-append \"$cmdline\"" "$j" || fail "$j: the kernel command line is not guest.txt's"
for opt in "'-M q35'" "'-icount shift=0,sleep=off'" "'-device intel-iommu,caching-mode=on'" \
	"'-device edu,addr=03.0'" "'-device ivshmem-plain,memdev=vpshm,addr=02.0'" "'-smp 2'"; do
	grep -qF -- "$opt" "$j" || fail "$j: no QEMU option $opt"
done
grep -q '^  no_kvm: true$' "$j" || fail "$j: an icount job asks for KVM"
# The job is in the initramfs; its run id and boot come from the job.
zcat "$a/initramfs.cpio.gz" | (cd "$tmp" && mkdir -p img && cd img && cpio -idm --quiet 2>/dev/null) || true
for f in run.sh job.sh steps job.env sample-names.awk; do
	[ -f "$tmp/img/etc/vfio-perf/job/$f" ] || fail "initramfs: no /etc/vfio-perf/job/$f"
done
cmp -s "$tmp/img/etc/vfio-perf/job/job.sh" "$repo/harness/guest-job.sh" || fail "initramfs: job.sh is not guest-job.sh"
! grep -q '^RUN_ID=\|^BOOT=' "$tmp/img/etc/vfio-perf/job/job.env" || fail "initramfs: job.env has a run id"
grep -q 'dma vfio-dma-bench --size 64M' "$tmp/img/etc/vfio-perf/job/steps" || fail "initramfs: not the suite's steps"
expect 2 "^jobs\.sh: error: --out $q exists" "$h/jobs.sh" --kernels 6.12 --out "$q"

# lava-run builds the pipeline against a device as a lab would render it
# (lava-dispatcher and lava-server: make lava-lab installs them).
if command -v lava-run >/dev/null && [ -d /usr/share/lava-server/device-types ]; then
	printf '%s\n' "{% extends 'qemu.jinja2' %}" "{% set mac_addr = '52:54:00:12:34:59' %}" >"$tmp/qemu-01.jinja2"
	expect 0 '' "$h/validate.sh" --device-dict "$tmp/qemu-01.jinja2" "$q"/jobs/*.yaml
	expect_eq "lava-run verdicts" "$(grep -c '^ok .*: lava-run --validate$' "$tmp/stdout")" 4
	sed '/prompts:/,+1d' "$j" >"$tmp/noprompt.yaml"
	expect 1 '' "$h/validate.sh" --device-dict "$tmp/qemu-01.jinja2" "$tmp/noprompt.yaml"
	grep -q "^invalid .*lava-run --validate: .*boot prompts" "$tmp/stdout" ||
		fail "lava-run --validate accepts a job without prompts: $(cat "$tmp/stdout")"
else
	echo "note: lava-dispatcher or lava-server not installed: lava-run --validate not tried (make lava-lab)"
fi

# ---- the bare-metal family --------------------------------------------
x=$tmp/x86
expect 0 '' "$h/jobs.sh" --kernels 6.12 --boots 1 --suite "$suite" --family x86 \
	--device-type x86-lab --bind 8086:1234,10de:2330 --url https://lab.example.org/vp --out "$x"
xj=$x/jobs/001-6.12-b0.yaml
expect 0 '' "$h/validate.sh" "$xj"
grep -q '^device_type: x86-lab$' "$xj" || fail "$xj: not the device type asked for"
grep -qF "url: 'https://lab.example.org/vp/artifacts/6.12/initramfs.cpio.gz'" "$xj" || fail "$xj: not the base URL"
kargs=$(sed -n "s/^  extra_kernel_args: '\(.*\)'$/\1/p" "$xj")
[[ $kargs == *"vp.bind=8086:1234,10de:2330"* && $kargs != *console=* && $kargs != *no_timer_check* ]] ||
	fail "$xj: kernel arguments '$kargs'"
grep -qF "run.sh $(awk -F, 'NR == 2 { print $6 }' "$x/plan.csv") 0 none DMA_IDS=8086:1234 MMIO_IDS=10de:2330 TARGET=host'" "$xj" ||
	fail "$xj: the run step does not name the machine's devices"
finish
