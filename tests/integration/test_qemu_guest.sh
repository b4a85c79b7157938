#!/bin/bash
# Boots the QEMU guest (TCG) with the stock 6.12 kernel: the job protocol
# and vfio-pci binding, then each failure qemu.sh must catch: a kernel
# panic, a guest setup failure, and a job that runs past --timeout (with
# an ivshmem file that must not outlive the run). About 1.5 minutes.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
h=$repo/harness

kdir=$("$h/kernel.sh" "${VFIO_PERF_TEST_KERNEL:-6.12}")
"$h/initramfs.sh" --kernel-dir "$kdir" --out "$tmp/initrd.cpio.gz" 2>/dev/null
boot() { "$h/qemu.sh" --kernel-dir "$kdir" --initrd "$tmp/initrd.cpio.gz" --accel tcg "$@"; }

# The job runs, its output and status come back, the edu device is bound.
mkdir "$tmp/ok"
cat >"$tmp/ok/job.sh" <<'JOB'
read -r bdf id group </run/vfio-perf/bound
test -c "/dev/vfio/$group" && echo "vfio group $group for $id"
uname -r >uname.txt
exit 5
JOB
expect 5 '' boot --share "$tmp/ok" --bind 1234:11e8
grep -q '^vfio group [0-9]* for 1234:11e8$' "$tmp/ok/job.log" || fail "no vfio group in job.log"
expect_eq "uname in the guest" "$(cat "$tmp/ok/uname.txt")" "$(cat "$kdir/release")"
expect_eq "accel file" "$(tail -n 1 "$tmp/ok/accel")" accel=tcg

# A kernel panic is caught at once, not at a timeout.
mkdir "$tmp/panic"
echo true >"$tmp/panic/job.sh"
start=$SECONDS
expect 3 '' boot --share "$tmp/panic" --append rdinit=/nonexistent
grep -q 'error: kernel panic' "$tmp/stderr" || fail "panic not reported: $(head -n 3 "$tmp/stderr")"
((SECONDS - start < 60)) || fail "panic took $((SECONDS - start)) s to detect"

# A setup failure in the guest (nothing to bind) fails the run.
mkdir "$tmp/setup"
echo true >"$tmp/setup/job.sh"
expect 3 '' boot --share "$tmp/setup" --bind 1234:ffff
grep -q 'error: guest setup failed: no PCI device 1234:ffff' "$tmp/stderr" ||
	fail "setup failure not reported"
expect_eq "job.exit after a setup failure" "$(cat "$tmp/setup/job.exit")" 125

# A job that never ends is killed at --timeout; its shm file is removed.
mkdir "$tmp/hang"
echo 'while :; do sleep 60; done' >"$tmp/hang/job.sh"
expect 3 '' boot --share "$tmp/hang" --timeout 25 --ivshmem 64M
grep -q 'error: run exceeded --timeout 25 s' "$tmp/stderr" || fail "timeout not reported"
# This VM's own file (the console log starts with QEMU's command line);
# other VMs on the host may have theirs.
shm=$(grep -o 'mem-path=/dev/shm/[^,[:space:]]*' "$tmp/hang/console.log" | head -n 1)
[ -n "$shm" ] || fail "no ivshmem mem-path in the console log"
[ ! -e "${shm#mem-path=}" ] || fail "ivshmem file ${shm#mem-path=} left behind"
pgrep -f "path=$tmp/hang" >/dev/null && fail "QEMU still running after the timeout"

finish
