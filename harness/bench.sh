#!/bin/bash
# Run a suite on a target (a QEMU guest, or this host) and leave a new
# run directory under results/: samples.csv, cases.csv, meta.csv, the
# logs and the charts. `make bench` calls this.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: bench.sh [options]

  --target qemu|host   where to run (default qemu)
  --kernel SPEC        guest kernel for qemu: 6.12 (default), 6.1, a Debian
                       release like 6.12.117+deb12-amd64, or local:<bzImage>
  --suite NAME|FILE    harness/suites/NAME.suite or a suite file (default quick)
  --accel MODE         auto (KVM if it works, else TCG), kvm, tcg, or icount
                       (TCG with an instruction-counting clock; deterministic)
  --mem SIZE           guest memory (default 6G)
  --cpus N             guest CPUs (default 2)
  --device BDF         host target: the device bound to vfio-pci to use
  --results DIR        where run directories go (default results/)
  --boot N             boot index recorded in the samples (default 0)
  --bindir DIR         where the built programs are (default build/release)
  --no-plot            do not draw charts
  -h, --help           this text
EOF
}

target=qemu kernel=6.12 suite=quick accel=auto mem=6G cpus=2 device=""
boot=0 plot=1
results=$(vp_repo)/results
bindir=$(vp_repo)/build/release
while [ $# -gt 0 ]; do
	case $1 in
	--target) target=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--suite) suite=${2:?}; shift 2 ;;
	--accel) accel=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--cpus) cpus=${2:?}; shift 2 ;;
	--device) device=${2:-}; shift 2 ;;
	--results) results=${2:?}; shift 2 ;;
	--boot) boot=${2:?}; shift 2 ;;
	--bindir) bindir=${2:?}; shift 2 ;;
	--no-plot) plot=0; shift ;;
	-h | --help) usage; exit 0 ;;
	*) vp_usage_error "unknown argument '$1'" ;;
	esac
done

repo=$(vp_repo)
[ -d "$bindir" ] || vp_usage_error "--bindir $bindir does not exist (run make build)"
bindir=$(cd "$bindir" && pwd)
case $target in
qemu | host) ;;
*) vp_usage_error "--target must be qemu or host, not '$target'" ;;
esac
case $accel in
auto | kvm | tcg | icount) ;;
*) vp_usage_error "--accel must be auto, kvm, tcg or icount, not '$accel'" ;;
esac
[[ $cpus =~ ^[1-9][0-9]?$ ]] || vp_usage_error "--cpus must be a number from 1 to 99"
[[ $boot =~ ^[0-9]+$ ]] || vp_usage_error "--boot must be a number"
if [ -f "$suite" ]; then
	suite_file=$suite
else
	suite_file=$repo/harness/suites/$suite.suite
	[ -f "$suite_file" ] || vp_usage_error "no suite '$suite' (have: $(find "$repo/harness/suites" -name '*.suite' -printf '%f\n' | sed 's/\.suite$//' | sort | xargs))"
fi
if [ "$target" = host ]; then
	[ -n "$device" ] || vp_usage_error "--target host needs --device BDF (a device you bound to vfio-pci)"
	# We never bind or unbind host devices: the user does, and says which.
	[[ $device == ????:* ]] || device=0000:$device
	[ -e "/sys/bus/pci/devices/$device" ] || vp_die "no PCI device $device (see lspci -D)"
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$device/driver" 2>/dev/null)" 2>/dev/null || true)
	[ "$drv" = vfio-pci ] || vp_die "$device is bound to ${drv:-no driver}, not vfio-pci; bind it yourself first (see README)"
fi
# Every program a step names must have been built.
while read -r kw name prog _; do
	[ "$kw" = step ] || continue
	[ -n "$name" ] || vp_die "$suite_file: a step without a name"
	[ -x "$bindir/$prog" ] || vp_die "$suite_file: step $name: $bindir/$prog is not built (run make build)"
done <"$suite_file"

# to_bytes 512M -> 536870912 (K, M, G, T suffixes, binary).
to_bytes() {
	local v=${1%[KkMmGgTt]} u=${1: -1} m=1
	[[ $v =~ ^[0-9]+$ ]] || { echo 0; return; }
	case $u in
	[Kk]) m=$((1 << 10)) ;; [Mm]) m=$((1 << 20)) ;;
	[Gg]) m=$((1 << 30)) ;; [Tt]) m=$((1 << 40)) ;;
	esac
	echo $((v * m))
}

# Refuse, before booting, a suite whose buffers cannot fit the guest: the
# largest buffer of ordinary memory must fit beside the 3 GiB of huge
# pages the guest reserves, and huge-page buffers must fit their pools.
check_guest_memory() {
	local mem_b normal pool kw name prog args a size backing largest need
	mem_b=$(to_bytes "$mem")
	normal=$((mem_b - (3 << 30) - (768 << 20)))
	[ "$mem_b" -ge $(((3 << 30) + (1536 << 20))) ] ||
		vp_die "--mem $mem is too small: the guest reserves 3 GiB of huge pages and needs 1.5 GiB more"
	while read -r kw name prog args; do
		[ "$kw" = step ] || continue
		size=256M backing=""
		# shellcheck disable=SC2086
		set -- $args
		while [ $# -gt 0 ]; do
			case $1 in
			--size | -s) size=${2:-}; shift ;;
			--backing | -b) backing=${2:-}; shift ;;
			esac
			shift
		done
		largest=0
		for a in ${size//[,.]/ }; do
			a=$(to_bytes "$a")
			[ "$a" -le "$largest" ] || largest=$a
		done
		case ",${backing:-all}," in
		*,all,* | *,anon-* | *,shmem* | *,memfd,*) need=normal pool=$normal ;;
		*1g,*) need="1G pool" pool=$((2 << 30)) ;;
		*) need="2M pool" pool=$((1 << 30)) ;;
		esac
		[ "$largest" -le "$pool" ] ||
			vp_die "step $name: a $((largest >> 20)) MiB buffer does not fit the guest's $need ($((pool >> 20)) MiB with --mem $mem)"
	done <"$suite_file"
}

# A run id is never reused: UTC time plus a short kernel name, and a
# counter should two runs start in the same second.
new_run_dir() {
	local base n=1 dir
	base=$(date -u +%Y%m%dT%H%M%SZ)-$1
	dir=$results/$base
	mkdir -p "$results"
	until mkdir "$dir" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || vp_die "cannot create a run directory under $results"
		dir=$results/$base.$n
	done
	printf '%s\n' "$dir"
}

git_rev() {
	local rev
	rev=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null) || { echo unknown; return; }
	git -C "$repo" diff --quiet HEAD -- bench harness 2>/dev/null || rev="$rev-dirty"
	echo "$rev"
}

common_meta() {
	printf '%s\n' \
		"suite=$(basename "$suite_file" .suite)" \
		"suite_sha256=$(sha256sum "$suite_file" | cut -d' ' -f1)" \
		"vfio_perf_commit=$(git_rev)" \
		"host_kernel=$(uname -r)" \
		"host_cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"host_cpus=$(nproc)"
}

run_qemu() {
	local kdir release short image share rc=0 run qemu_ver
	check_guest_memory
	kdir=$("$repo/harness/kernel.sh" "$kernel")
	release=$(cat "$kdir/release")
	short=$(printf '%s' "$release" | sed 's/[^A-Za-z0-9._-]/_/g')
	run=$(new_run_dir "$short")
	share=$(vp_cache)/runs/$(basename "$run")
	image=$share.cpio.gz
	CLEANUP=("$share" "$image")
	PENDING_RUN=$run
	mkdir -p "$share"
	"$repo/harness/initramfs.sh" --kernel-dir "$kdir" --out "$image" \
		--bin "$bindir/vfio-dma-bench" --bin "$bindir/vfio-mmio-bench"
	cp "$repo/harness/guest-job.sh" "$share/job.sh"
	grep -E '^step[[:space:]]' "$suite_file" >"$share/steps" || true
	cat >"$share/job.env" <<EOF
RUN_ID='$(basename "$run")'
BOOT=$boot
ACCEL=$accel
CPU=$((cpus - 1))
DMA_IDS=1234:11e8
MMIO_IDS=1af4:1110
EOF
	vp_log "run $(basename "$run"): kernel $release, suite $(basename "$suite_file"), accel $accel"
	"$repo/harness/qemu.sh" --kernel-dir "$kdir" --initrd "$image" \
		--share "$share" --mem "$mem" --cpus "$cpus" --accel "$accel" \
		--bind 1234:11e8,1af4:1110 --ivshmem 2G --log "$run/console.log" || rc=$?
	if [ -f "$share/job.log" ]; then
		cp "$share/job.log" "$run/guest.log"
	fi
	if [ ! -d "$share/raw" ]; then
		vp_log "no results came back from the guest (exit $rc); see $run/console.log"
		return "$((rc ? rc : 1))"
	fi
	qemu_ver=$(qemu-system-x86_64 --version | head -n 1)
	collect "$share/raw" "$run" "kernel_spec=$kernel" \
		"kernel_source=$(paste -sd";" "$kdir/source" 2>/dev/null || echo unknown)" \
		"kernel_config_sha256=$(sha256sum "$kdir/config" 2>/dev/null | cut -d' ' -f1)" \
		"qemu_version=$qemu_ver" "guest_mem=$mem" "guest_cpus=$cpus" \
		"accel_requested=$accel" "accel_used=$(sed -n 's/^accel=//p' "$share/accel" 2>/dev/null | tail -n 1)" \
		"guest_exit=$rc" "status=$(run_status "$rc")"
	rm -rf "$share" "$image"
	return "$rc"
}

# A run whose job failed keeps its results for debugging, marked so that
# no comparison takes it for a good one.
run_status() {
	if [ "$1" = 0 ]; then echo ok; else echo "failed (exit $1)"; fi
}

# collect RAW RUN KEY=VALUE...: merge the steps' results into RUN.
collect() {
	local raw=$1 run=$2 kv args=()
	shift 2
	while IFS= read -r kv; do
		args+=(--meta "$kv")
	done < <(common_meta; printf '%s\n' "$@")
	"$repo/harness/collect.sh" --raw "$raw" --run "$run" "${args[@]}"
	RUN_DIR=$run
}

# The same steps on this machine, against a device the user bound to
# vfio-pci. Nothing is bound or unbound here.
run_host() {
	local run raw rc=0 st name prog args
	run=$(new_run_dir "$(uname -r | sed 's/[^A-Za-z0-9._-]/_/g')")
	raw=$(mktemp -d)
	CLEANUP=("$raw")
	PENDING_RUN=$run
	while read -r kw name prog args; do
		[ "$kw" = step ] || continue
		vp_log "step $name: $prog $args"
		st=0
		# $args is a word list from the suite file.
		# shellcheck disable=SC2086
		"$bindir/$prog" --device "$device" --out "$raw/$name" \
			--run-id "$(basename "$run")" --boot "$boot" --target host \
			--accel none $args 2>&1 | tee -a "$run/bench.log" || st=${PIPESTATUS[0]}
		mkdir -p "$raw/$name"
		echo "$st" >"$raw/$name/exit"
		case $st in 0 | 4) ;; *) rc=1 ;; esac
	done <"$suite_file"
	collect "$raw" "$run" "host_device=$device" "status=$(run_status "$rc")"
	rm -rf "$raw"
	return "$rc"
}

# On any exit: remove scratch files; a run directory that never got its
# samples is removed if empty, else renamed *.incomplete (its logs stay
# for debugging, and nobody can mistake it for a result).
CLEANUP=()
PENDING_RUN=""
# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
	rm -rf "${CLEANUP[@]}"
	if [ -n "$PENDING_RUN" ] && [ ! -f "$PENDING_RUN/samples.csv" ]; then
		rmdir "$PENDING_RUN" 2>/dev/null ||
			{ mv "$PENDING_RUN" "$PENDING_RUN.incomplete" &&
				vp_log "incomplete run kept in $PENDING_RUN.incomplete"; }
	fi
}
trap on_exit EXIT

RUN_DIR=""
rc=0
case $target in
qemu) run_qemu || rc=$? ;;
host) run_host || rc=$? ;;
esac
if [ -n "$RUN_DIR" ] && [ "$plot" = 1 ]; then
	"$repo/plot/plot-run.sh" "$RUN_DIR" || vp_log "charts failed (results are intact)"
fi
if [ -n "$RUN_DIR" ]; then
	vp_log "results: $RUN_DIR"
fi
[ "$rc" = 0 ] || vp_log "the run failed (exit $rc); see the logs in ${RUN_DIR:-the output above}"
exit "$rc"
