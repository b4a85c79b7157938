#!/bin/sh
# Runs inside the guest (busybox sh), started by /init from the 9p share:
# executes the suite's steps and copies each step's result directory into
# the share. Reads job.env (run id, boot, accelerator, CPU) and steps (the
# suite, one `step NAME PROGRAM ARGS...` per line) from the share.
#
# Results are written to tmpfs first and copied afterwards, so no 9p
# traffic happens while a benchmark is timing anything.
set -eu

# shellcheck source=/dev/null
. ./job.env
# qemu.sh decides the accelerator (auto: KVM if it works) and says which.
if [ -f accel ]; then
	ACCEL=$(sed -n 's/^accel=//p' accel | tail -n 1)
fi

# PCI address of the first device with vendor:device $1 (e.g. 1234:11e8).
dev_by_id() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x${1%%:*}:0x${1##*:}" ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# shmem only gets THP when asked for; "advise" lets the shmem-thp case
# ask with MADV_HUGEPAGE while plain shmem stays 4K. Recorded in meta.csv.
if [ -w /sys/kernel/mm/transparent_hugepage/shmem_enabled ]; then
	echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled
fi

dma_device=$(dev_by_id "$DMA_IDS") || {
	echo "vfio-perf: no DMA device $DMA_IDS in the guest" >&2
	exit 1
}
# The ivshmem-plain device whose 2 GiB BAR2 vfio-mmio-bench maps.
mmio_device=$(dev_by_id "$MMIO_IDS") || mmio_device=""

mkdir -p /tmp/raw raw
status=0 nsteps=0 nskip=0
while read -r name prog args; do
	[ -n "$name" ] || continue
	case $prog in
	vfio-dma-bench)
		dev=$dma_device
		extra="--hugetlbfs $HUGETLBFS"
		;;
	vfio-mmio-bench)
		dev=$mmio_device
		extra=""
		if [ -z "$dev" ]; then
			echo "vfio-perf: step $name: no ivshmem device $MMIO_IDS in the guest" >&2
			status=1
			continue
		fi
		;;
	*)
		echo "vfio-perf: step $name: unknown program $prog" >&2
		status=1
		continue
		;;
	esac
	echo "vfio-perf: step $name: $prog $args"
	rc=0
	# $extra and $args are word lists from the suite file.
	# shellcheck disable=SC2086
	"$prog" --device "$dev" --out "/tmp/raw/$name" --run-id "$RUN_ID" \
		--boot "$BOOT" --target qemu --accel "$ACCEL" --cpu "$CPU" \
		--node 0 $extra $args || rc=$?
	mkdir -p "/tmp/raw/$name"
	echo "$rc" >"/tmp/raw/$name/exit"
	cp -r "/tmp/raw/$name" raw/
	echo "vfio-perf: step $name: exit $rc"
	nsteps=$((nsteps + 1))
	case $rc in
	0) ;;
	4) nskip=$((nskip + 1)) ;;
	*) status=1 ;;
	esac
done <steps
sync
# Every step skipped everything: say so (kselftest's 4), never "ok".
if [ "$status" = 0 ] && [ "$nsteps" -gt 0 ] && [ "$nskip" = "$nsteps" ]; then
	status=4
fi
exit "$status"
