#!/bin/sh
# Runs inside the guest (busybox sh), started by /init from the 9p share:
# runs the kernel's VFIO selftests (the gate), then the suite's steps, and
# copies what each wrote into the share. Reads from the share job.env (run
# id, boot, accelerator, CPU, device IDs; TARGET, qemu unless a bare-metal
# LAVA job says host), steps (the suite: one
# `NAME PROGRAM ARGS...` per line, PROGRAM `exec` for an exec step, which
# runs `NAME exec PROGRAM ARGS...`) and selftests.list (one
# `PROGRAM DEVICE NEEDS` per line; absent when the kernel has none).
#
# Results are written to tmpfs first and copied afterwards, so no 9p
# traffic happens while a benchmark is timing anything. The selftests'
# output is judged on the host (vfio-perf-ktap): here they only run.
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
# ask with MADV_HUGEPAGE while plain shmem stays 4K. Recorded in meta.csv
# (guest_changes, with /init's: /run/vfio-perf/changes).
if [ -w /sys/kernel/mm/transparent_hugepage/shmem_enabled ]; then
	echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled
	echo "transparent_hugepage/shmem_enabled=advise" >>/run/vfio-perf/changes
fi
cp /run/vfio-perf/changes guest-changes 2>/dev/null || : >guest-changes

dma_device=$(dev_by_id "$DMA_IDS") || {
	echo "vfio-perf: no DMA device $DMA_IDS in the guest" >&2
	exit 1
}
# The ivshmem-plain device whose 2 GiB BAR2 vfio-mmio-bench maps.
mmio_device=$(dev_by_id "$MMIO_IDS") || mmio_device=""

# A selftest needs iommufd: /dev/iommu (CONFIG_IOMMUFD) and the device's
# vfio cdev (CONFIG_VFIO_DEVICE_CDEV). Prints why not, or nothing.
iommufd_missing() {
	if [ ! -c /dev/iommu ]; then
		echo "this kernel has no /dev/iommu (CONFIG_IOMMUFD)"
	elif [ ! -d "/sys/bus/pci/devices/$1/vfio-dev" ]; then
		echo "this kernel has no vfio device cdev (CONFIG_VFIO_DEVICE_CDEV)"
	fi
}

# run_selftest PROGRAM DEVICE NEEDS: one selftest program against the DMA
# (edu) or MMIO (ivshmem) device, its output kept verbatim: PROGRAM.tap
# (stdout and stderr), PROGRAM.list (`PROGRAM -l`), PROGRAM.exit, and
# PROGRAM.not-run (WORD=REASON: variants starting with WORD excluded) or
# PROGRAM.skip (REASON: not run at all).
run_selftest() {
	p=$1
	out=/tmp/selftests/$1
	dev=$dma_device
	no=""
	exclude=""
	[ "$2" = mmio ] && dev=$mmio_device
	if [ -z "$dev" ]; then
		echo "no $2 device in the guest" >"$out.skip"
		return 0
	fi
	# The list is on stderr; what main() prints first is on stdout. Even
	# a program that is not run lists its tests (as skipped) if it can.
	VFIO_SELFTESTS_BDF=$dev "$p" -l 2>"$out.list" >/dev/null || true
	case $3 in
	iommufd)
		no=$(iommufd_missing "$dev")
		if [ -n "$no" ]; then
			echo "needs iommufd: $no" >"$out.skip"
			return 0
		fi
		;;
	esac
	# The IOMMU modes are variants named after them: without /dev/iommu
	# the iommufd ones cannot run (their tests are listed as skipped).
	no=$(iommufd_missing "$dev")
	if [ -n "$no" ]; then
		# Words, not lines: the variant is one column of the list.
		# shellcheck disable=SC2013
		for word in $(cat "$out.list"); do
			case $word in iommufd*) exclude="$exclude -V $word" ;; esac
		done
		echo "iommufd=iommufd mode: $no" >"$out.not-run"
	fi
	echo "vfio-perf: selftest $p ($2 device $dev)"
	rc=0
	# $exclude is a list of options.
	# shellcheck disable=SC2086
	VFIO_SELFTESTS_BDF=$dev timeout "$SELFTEST_TIMEOUT" taskset -c "$CPU" \
		"$p" $exclude >"$out.tap" 2>&1 </dev/null || rc=$?
	echo "$rc" >"$out.exit"
	echo "vfio-perf: selftest $p: exit $rc"
}

if [ -s selftests.list ]; then
	mkdir -p /tmp/selftests
	while read -r p devkind needs; do
		[ -n "$p" ] && run_selftest "$p" "$devkind" "$needs"
	done <selftests.list
	mkdir -p selftests
	cp -r /tmp/selftests/. selftests/
	sync
fi

# run_exec NAME PROGRAM ARGS...: a user's program, pinned to the CPU the
# benchmarks use (taskset; the guest has one NUMA node), told where it is
# by VFIO_PERF_* variables; stdout, stderr, exit and the files it writes
# under $VFIO_PERF_OUT go to raw/NAME/ of the run.
run_exec() {
	d=/tmp/raw/$1
	shift
	mkdir -p "$d/out"
	rc=0
	VFIO_PERF_OUT=$d/out VFIO_PERF_RUN_ID=$RUN_ID VFIO_PERF_BOOT=$BOOT \
		VFIO_PERF_ACCEL=$ACCEL VFIO_PERF_CPU=$CPU VFIO_PERF_NODE=0 \
		VFIO_PERF_DMA_DEVICE=$dma_device VFIO_PERF_MMIO_DEVICE=$mmio_device \
		VFIO_PERF_HUGETLBFS=$HUGETLBFS VFIO_PERF_GUEST_CHANGES=/run/vfio-perf/changes \
		taskset -c "$CPU" "$@" >"$d/stdout" 2>"$d/stderr" </dev/null || rc=$?
	return "$rc"
}

mkdir -p /tmp/raw raw
status=0 nsteps=0 nskip=0
while read -r name prog args; do
	[ -n "$name" ] || continue
	if [ "$prog" = exec ]; then
		echo "vfio-perf: step $name: exec $args"
		rc=0
		# $args is a word list from the suite file.
		# shellcheck disable=SC2086
		run_exec "$name" $args || rc=$?
		echo "$rc" >"/tmp/raw/$name/exit"
		cp -r "/tmp/raw/$name" raw/
		echo "vfio-perf: step $name: exit $rc"
		nsteps=$((nsteps + 1))
		case $rc in 0) ;; 4) nskip=$((nskip + 1)) ;; *) status=1 ;; esac
		continue
	fi
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
		--boot "$BOOT" --target "${TARGET:-qemu}" --accel "$ACCEL" --cpu "$CPU" \
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
