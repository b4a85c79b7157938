#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Boot the vfio-perf guest, let it run the share's job.sh, and wait for it.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: qemu.sh --kernel-dir DIR --initrd FILE --share DIR [options]

Boot the kernel in DIR (kernel.sh) with FILE (initramfs.sh) under QEMU (q35,
intel-iommu with caching-mode=on, the edu device), export the share DIR over
9p, and wait for the guest to run DIR/job.sh and power off.

  --kernel-dir DIR      kernel directory from kernel.sh
  --initrd FILE         initramfs from initramfs.sh
  --share DIR           9p share (tag vpshare, mounted at /mnt/share in the
                        guest); must hold job.sh
  --mem SIZE            guest RAM, e.g. 6G or 6144M (default 6G); must hold
                        the huge pages reserved on the command line and
                        VP_GUEST_MIN_FREE_MIB more (harness/guest.conf);
                        refused when the host's MemAvailable cannot hold
                        it and --ivshmem (an OOM kill would lose the run)
  --cpus N              vCPUs (default 2)
  --numa N              NUMA nodes, 1 (default) to --cpus: the memory split
                        evenly (memory-backend-ram each), the vCPUs in
                        blocks (2 nodes, 2 cpus: cpu 0 on node 0, cpu 1 on
                        node 1); the kernel spreads the boot-time huge
                        pages over the nodes
  --accel MODE          auto|kvm|tcg|icount (default auto). icount is TCG
                        with -icount shift=0,sleep=off: deterministic, the
                        guest clock counts instructions. auto uses KVM only
                        if a probe boot reached the guest, else TCG; the
                        verdict is cached in $VFIO_PERF_CACHE/accel-probe/
                        per host kernel and QEMU version (delete to redo).
                        VP_TCG_THREAD=single runs TCG's vCPUs on one host
                        thread (-accel tcg,thread=single; the test suite's
                        choice, said in the accel reason).
  --bind IDS            VVVV:DDDD[,...]: PCI IDs the guest binds to vfio-pci
                        (the edu device is 1234:11e8)
  --ivshmem SIZE        add an ivshmem-plain device with a SIZE (e.g. 2G)
                        shared-memory BAR backed by /dev/shm
  --hugepages SPEC      huge pages reserved at boot, SIZE:COUNT[,...] with
                        SIZE 1G or 2M, or "none" (default: harness/guest.conf)
  --append TEXT         extra kernel command line (repeatable); it comes
                        after DIR/cmdline, the parameters kernel.sh chose
                        for this kernel (e.g. hugepage_alloc_threads=2)
  --qemu-arg ARG        extra QEMU argument (repeatable)
  --timeout S           limit for the whole run (default 1800)
  --boot-timeout S      limit to reach "vfio-perf: guest ready" (default 300)
  --log FILE            console log (default SHARE/console.log)
  --verbose             copy the whole console to stderr, not only the
                        guest's "vfio-perf:" lines
  --describe            boot nothing: print the guest another launcher (a
                        LAVA lab, harness/lava/) must start, as lines
                        "cmdline=KERNEL COMMAND LINE" (no 9p share: the job
                        is in the initramfs) and "qemu-arg=ARG", one per
                        machine, accelerator and device argument (ivshmem
                        backed by a memfd, freed with QEMU); --accel must
                        be tcg, icount or kvm; --initrd and --share unused

Before booting, SHARE/accel is written: qemu=VERSION, reason=WHY, and as the
last line accel=kvm|tcg|icount. The guest writes SHARE/job.log (the job's
output) and SHARE/job.exit (its status). When the guest fails, qemu.sh
writes the reason, one line, to SHARE/guest.failure.

Exit status: the job's exit status; 2 for bad usage; 3 if the guest failed
(kernel panic, guest setup failed, QEMU exited without job.exit, boot
timeout, or run timeout), after printing the last 40 console lines.

Example (the guest prints its kernel release into /tmp/share/job.log):
  mkdir -p /tmp/share && echo 'uname -r' >/tmp/share/job.sh &&
  harness/initramfs.sh --kernel-dir "$(harness/kernel.sh 6.12)" --out /tmp/guest.cpio.gz &&
  harness/qemu.sh --kernel-dir "$(harness/kernel.sh 6.12)" --initrd /tmp/guest.cpio.gz --share /tmp/share
EOF
}

FAILED=3
QEMU=qemu-system-x86_64
# no_timer_check: at boot, check_timer() busy-waits a fixed number of TSC
# cycles and panics ("timer doesn't work through Interrupt-remapped
# IO-APIC") unless 4 jiffies passed meanwhile. Under TCG on a loaded host
# the vCPU threads are descheduled at random, so the check fails while
# the timer works; KVM guests skip it for the same reason (the kernel
# sets no_timer_check in paravirt_ops_setup()). It changes nothing after
# boot. README.md, "When a run goes wrong", has the measurements.
BASE_CMDLINE="console=ttyS0 intel_iommu=on panic=-1 no_timer_check vp.share=vpshare"

# size_mib SIZE: SIZE (NM or NG; QEMU reads a bare N as MiB) in MiB.
size_mib() {
	local b
	[[ $1 =~ ^[0-9]+$ ]] && { echo "$1"; return; }
	[[ $1 =~ ^[0-9]+[MG]$ ]] || return 1
	b=$(vp_bytes "$1") || return 1
	echo $((b >> 20))
}

# hugepages_cmdline SPEC: the kernel parameters for SIZE:COUNT[,...].
hugepages_cmdline() {
	local item out='' n i per counts
	[[ $1 == none ]] && return 0
	for item in ${1//,/ }; do
		[[ $item =~ ^(1G|2M):([0-9]+)$ ]] ||
			vp_usage_error "--hugepages wants SIZE:COUNT[,...] with SIZE 1G or 2M, or none; got '$1'"
		n=${BASH_REMATCH[2]}
		if ((NUMA > 1)); then
			# Per node (hugepages=NODE:COUNT,...): left to itself the
			# kernel takes every gigantic page from the last node.
			counts='' per=$((n / NUMA))
			for ((i = 0; i < NUMA; i++)); do
				counts+=",$i:$((i < NUMA - 1 ? per : n - per * (NUMA - 1)))"
			done
			n=${counts#,}
		fi
		out+=" hugepagesz=${BASH_REMATCH[1]} hugepages=$n"
	done
	printf '%s\n' "${out# }"
}

# hugepages_mib CMDLINE: MiB of huge pages the kernel reserves at boot.
# hugepages=N applies to the hugepagesz= before it (2M if none).
hugepages_mib() {
	local word size=2 total=0
	for word in $1; do
		case $word in
		hugepagesz=*)
			case ${word#*=} in
			1G | 1g) size=1024 ;;
			2M | 2m) size=2 ;;
			*) vp_usage_error "unknown huge page size in $word" ;;
			esac
			;;
		hugepages=*:*)
			# Per node: NODE:COUNT,...
			local pair v=${word#*=}
			for pair in ${v//,/ }; do
				total=$((total + ${pair#*:} * size))
			done
			;;
		hugepages=*) total=$((total + ${word#*=} * size)) ;;
		esac
	done
	echo "$total"
}

qemu_version() {
	"$QEMU" --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p'
}

# QPID is a subshell that runs QEMU and writes its exit status to QSTATUS:
# so bash never reports a killed QEMU ("Killed") before our own message.
qemu_alive() {
	[[ -n ${QPID:-} ]] && kill -0 "$QPID" 2>/dev/null
}

# QEMU's own pid: from its -pidfile, or the subshell's child.
qemu_pid() {
	cat "$QPIDFILE" 2>/dev/null || pgrep -P "$QPID" 2>/dev/null | head -n 1
}

signal_qemu() {
	local pid
	pid=$(qemu_pid)
	[[ -z $pid ]] || kill "-$1" "$pid" 2>/dev/null || true
}

stop_qemu() {
	qemu_alive || return 0
	signal_qemu TERM
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		qemu_alive || break
		sleep 0.5
	done
	if qemu_alive; then
		signal_qemu KILL
	fi
	wait "$QPID" 2>/dev/null || true
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_qemu
	if [[ -n ${SHM:-} ]]; then
		rm -f "$SHM"
	fi
}

# reclaim_shm: remove the ivshmem files of qemu.sh runs that were killed
# (SIGKILL leaves no trap to run): /dev/shm/vfio-perf-PID-* whose qemu.sh
# PID is gone and that no process has open. Each is guest memory (2 GiB
# by default) held in RAM until removed.
reclaim_shm() {
	local f pid
	for f in /dev/shm/vfio-perf-*-*; do
		[[ -f $f ]] || continue
		pid=${f#/dev/shm/vfio-perf-}
		pid=${pid%%-*}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		! kill -0 "$pid" 2>/dev/null || continue
		[[ -z $(find /proc/[0-9]*/fd /proc/[0-9]*/map_files -lname "$f" -print -quit 2>/dev/null) ]] || continue
		rm -f "$f" && vp_log "removed $f, the ivshmem memory of a killed run (pid $pid)"
	done
}

# Boot once with KVM and a trivial job; the verdict is cached per host
# kernel and QEMU version, since the host's KVM (a nested "PVM" flavour
# here) may open fine and still not run a stock guest.
kvm_probe() {
	local dir file share
	if ! [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
		printf 'accel=tcg\nreason=/dev/kvm missing or not accessible\n'
		return
	fi
	dir=$(vp_cache)/accel-probe
	file=$dir/$(uname -r)-qemu-$(qemu_version)
	mkdir -p "$dir"
	(
		vp_lock accel-probe
		[[ -f $file ]] && exit 0
		vp_log "probing KVM: one boot of at most 60 s (verdict cached in $file)"
		share=$(mktemp -d "${TMPDIR:-/tmp}/vfio-perf-kvm-probe.XXXXXX")
		trap 'rm -rf "$share"' EXIT
		echo true >"$share/job.sh"
		if "$BASH" "$0" --kernel-dir "$KDIR" --initrd "$INITRD" --share "$share" \
			--mem 2G --hugepages none --cpus "$CPUS" --accel kvm \
			--boot-timeout 60 --timeout 60 >/dev/null 2>"$share/stderr"; then
			printf 'accel=kvm\nreason=KVM probe boot reached the guest\n'
		else
			printf 'accel=tcg\nreason=KVM probe boot failed: %s\n' \
				"$(grep -m1 "^$VP_PROG: error:" "$share/stderr" | cut -d: -f3- | sed 's/^ *//')"
		fi | vp_atomic_write "$file"
		cp "$share/console.log" "$file.console.log" 2>/dev/null || true
	)
	cat "$file"
}

# Sets ACCEL, ACCEL_REASON and ACCEL_ARGS.
choose_accel() {
	local verdict
	case $ACCEL in
	tcg) ACCEL_ARGS=(-accel tcg) ACCEL_REASON="requested" ;;
	icount)
		ACCEL_ARGS=(-accel tcg -icount "shift=0,sleep=off")
		ACCEL_REASON="requested (deterministic: guest time counts instructions)"
		;;
	kvm) ACCEL_ARGS=(-accel kvm) ACCEL_REASON="requested" ;;
	auto)
		verdict=$(kvm_probe)
		ACCEL=$(sed -n 's/^accel=//p' <<<"$verdict")
		ACCEL_REASON="auto: $(sed -n 's/^reason=//p' <<<"$verdict")"
		ACCEL_ARGS=(-accel "$ACCEL")
		;;
	*) vp_usage_error "--accel must be auto, kvm, tcg or icount" ;;
	esac
	# QEMU's TCG runs each vCPU on a host thread of its own; with
	# VP_TCG_THREAD=single all on one (icount always is). The test suite
	# asks for it: multi-threaded, the guest crashed twice in about 30
	# test boots with its RIP inside a 5-byte NOP the kernel was
	# patching (cross-modifying code between vCPUs); benchmarks keep
	# QEMU's default, the mode their TCG calibration was measured in.
	if [[ $ACCEL == tcg && ${VP_TCG_THREAD:-} == single ]]; then
		ACCEL_ARGS=(-accel "tcg,thread=single")
		ACCEL_REASON+="; single-threaded TCG (VP_TCG_THREAD=single)"
	fi
}

# Read the console lines written since the last call: copy them to stderr
# and look for the markers. Only whole lines are read.
scan_console() {
	local total chunk line
	total=$(wc -l <"$LOG")
	((total > SHOWN)) || return 0
	chunk=$(sed -n "$((SHOWN + 1)),${total}p" "$LOG" | tr -d '\r')
	SHOWN=$total
	while IFS= read -r line; do
		if ((VERBOSE)) || [[ $line == "vfio-perf: "* ]]; then
			printf 'guest| %s\n' "$line" >&2
		fi
		case $line in
		"vfio-perf: guest ready"*)
			if ((!READY)); then
				READY=1 READY_AT=$SECONDS LAST_PROGRESS=$SECONDS
				vp_log "guest ready after $((SECONDS - START)) s (accel=$ACCEL)"
			fi
			;;
		"vfio-perf: guest setup failed"*) FAILURE=${line#vfio-perf: } ;;
		*"KVM internal error"*) FAILURE="KVM: ${line#*KVM }" ;;
		"Kernel panic - not syncing"* | "["*"] Kernel panic - not syncing"*)
			FAILURE="kernel panic: ${line#*Kernel panic - not syncing: }"
			;;
		esac
	done <<<"$chunk"
}

fail_run() {
	vp_log "error: $1"
	# For the harness: why the guest failed, in one line.
	printf '%s\n' "$1" >"$SHARE_DIR/guest.failure" 2>/dev/null || true
	vp_log "last 40 console lines ($LOG):"
	tail -n 40 "$LOG" | tr -d '\r' | sed 's/^/  | /' >&2
	exit "$FAILED"
}

# machine_args file|memfd: MACHINE_ARGS, the machine, accelerator and
# devices of the guest (what --describe prints): q35, intel-iommu, no NIC,
# ivshmem-plain (when --ivshmem) and edu. ivshmem's memory is a file of
# its own in /dev/shm (file: removed on every exit path, by the trap), or
# a memfd (for a launcher that cannot clean up after QEMU). Their PCI
# slots are fixed (ivshmem 00:02.0, edu 00:03.0, where they land beside
# the 9p device of our own boots), so that the device column of a run
# does not depend on who launched the guest.
machine_args() {
	local shm_free
	MACHINE_ARGS=(-M q35 "${ACCEL_ARGS[@]}" -cpu max -nic none -vga none
		-device "intel-iommu,caching-mode=on")
	if [[ -n $IVSHMEM ]]; then
		if [[ $1 == memfd ]]; then
			MACHINE_ARGS+=(-object "memory-backend-memfd,id=vpshm,size=${SHM_MIB}M,share=on,prealloc=on")
		else
			reclaim_shm
			shm_free=$(df -Pm /dev/shm | awk 'NR == 2 { print $4 }')
			((SHM_MIB <= shm_free)) ||
				vp_die "--ivshmem $IVSHMEM does not fit in /dev/shm ($shm_free MiB free)"
			SHM=$(mktemp -u /dev/shm/vfio-perf-$$-XXXXXX)
			MACHINE_ARGS+=(-object "memory-backend-file,id=vpshm,size=${SHM_MIB}M,mem-path=$SHM,share=on,prealloc=on")
		fi
		MACHINE_ARGS+=(-device "ivshmem-plain,memdev=vpshm,addr=02.0")
	fi
	MACHINE_ARGS+=(-device "edu,addr=03.0")
	numa_args
}

# numa_args: NUMA nodes of the guest (--numa), each with its share of
# the memory ($mem_mib, the sizes add up to it) and a block of vCPUs.
numa_args() {
	local i size lo hi
	((NUMA > 1)) || return 0
	for ((i = 0; i < NUMA; i++)); do
		size=$((mem_mib / NUMA))
		((i < NUMA - 1)) || size=$((mem_mib - size * (NUMA - 1)))
		lo=$((i * CPUS / NUMA)) hi=$(((i + 1) * CPUS / NUMA - 1))
		MACHINE_ARGS+=(-object "memory-backend-ram,id=vpnode$i,size=${size}M"
			-numa "node,nodeid=$i,memdev=vpnode$i,cpus=$lo-$hi")
	done
}

# host_mem_check MIB: the host must have the guest's MIB and its ivshmem
# file (SHM_MIB) available (MemAvailable of $VP_MEMINFO, /proc/meminfo):
# a guest that outgrows the host is OOM-killed mid-run (two campaigns of
# 3 guests on 24 GiB were), and its run lost; it is refused before it
# boots.
host_mem_check() {
	local need=$(($1 + SHM_MIB)) avail
	avail=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' "${VP_MEMINFO:-/proc/meminfo}")
	[[ $avail =~ ^[0-9]+$ ]] || return 0
	((need <= avail)) ||
		vp_die "the guest needs $need MiB (--mem $MEM${IVSHMEM:+ and --ivshmem $IVSHMEM}), the host has $avail MiB available: stop other guests, or lower --mem"
}

main() {
	local arg share='' mem_mib huge_mib cmdline status qemu_error hugepage_args
	local appends=() qemu_args=()
	KDIR='' INITRD='' MEM=6G CPUS=2 NUMA=1 ACCEL=auto BIND='' IVSHMEM='' LOG=''
	local timeout=1800 boot_timeout=300 hugepages=$VP_GUEST_HUGEPAGES
	VERBOSE=0 DESCRIBE=0
	while (($#)); do
		arg=$1
		case $arg in
		-h | --help)
			usage
			exit 0
			;;
		--verbose | --describe)
			[[ $arg == --verbose ]] && VERBOSE=1 || DESCRIBE=1
			shift
			continue
			;;
		--kernel-dir | --initrd | --share | --mem | --cpus | --numa | --accel | --bind | \
			--ivshmem | --append | --qemu-arg | --timeout | --boot-timeout | --log | \
			--hugepages)
			(($# >= 2)) || vp_usage_error "$arg needs a value"
			;;
		*) vp_usage_error "unknown argument '$arg'" ;;
		esac
		case $arg in
		--kernel-dir) KDIR=$2 ;;
		--initrd) INITRD=$2 ;;
		--share) share=$2 ;;
		--mem) MEM=$2 ;;
		--cpus) CPUS=$2 ;;
		--numa) NUMA=$2 ;;
		--accel) ACCEL=$2 ;;
		--bind) BIND=$2 ;;
		--ivshmem) IVSHMEM=$2 ;;
		--append) appends+=("$2") ;;
		--qemu-arg) qemu_args+=("$2") ;;
		--timeout) timeout=$2 ;;
		--boot-timeout) boot_timeout=$2 ;;
		--log) LOG=$2 ;;
		--hugepages) hugepages=$2 ;;
		esac
		shift 2
	done
	[[ -n $KDIR ]] || vp_usage_error "--kernel-dir is required"
	if ((!DESCRIBE)); then
		[[ -n $INITRD ]] || vp_usage_error "--initrd is required"
		[[ -n $share ]] || vp_usage_error "--share is required"
	fi
	[[ $CPUS =~ ^[1-9][0-9]*$ ]] || vp_usage_error "--cpus must be a positive integer"
	{ [[ $NUMA =~ ^[1-9][0-9]*$ ]] && ((NUMA <= CPUS)); } ||
		vp_usage_error "--numa must be a number of nodes from 1 to --cpus ($CPUS), not '$NUMA'"
	[[ $timeout =~ ^[1-9][0-9]*$ ]] || vp_usage_error "--timeout must be a positive integer"
	[[ $boot_timeout =~ ^[1-9][0-9]*$ ]] || vp_usage_error "--boot-timeout must be a positive integer"
	[[ -z $BIND || $BIND =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(,[0-9a-fA-F]{4}:[0-9a-fA-F]{4})*$ ]] ||
		vp_usage_error "--bind wants VVVV:DDDD[,VVVV:DDDD...], got '$BIND'"
	case $ACCEL in auto | kvm | tcg | icount) ;; *) vp_usage_error "--accel must be auto, kvm, tcg or icount" ;; esac
	mem_mib=$(size_mib "$MEM") || vp_usage_error "--mem wants N, NM or NG, got '$MEM'"
	SHM_MIB=0
	if [[ -n $IVSHMEM ]]; then
		SHM_MIB=$(size_mib "$IVSHMEM") || vp_usage_error "--ivshmem wants NM or NG, got '$IVSHMEM'"
	fi
	[[ -f $KDIR/vmlinuz ]] || vp_die "$KDIR/vmlinuz missing (see kernel.sh)"
	if ((!DESCRIBE)); then
		[[ -f $INITRD ]] || vp_die "no such initramfs: $INITRD"
		[[ -d $share ]] || vp_die "no such share directory: $share"
		[[ -f $share/job.sh ]] || vp_die "$share/job.sh missing: nothing for the guest to run"
		KDIR=$(realpath "$KDIR") INITRD=$(realpath "$INITRD") share=$(realpath "$share")
		SHARE_DIR=$share
		rm -f "$share/guest.failure"
		LOG=$(realpath -m "${LOG:-$share/console.log}")
	fi
	vp_need_cmd "$QEMU" qemu-system-x86

	hugepage_args=$(hugepages_cmdline "$hugepages")
	cmdline="$BASE_CMDLINE${hugepage_args:+ $hugepage_args}"
	# Parameters this kernel needs (kernel.sh), before --append can override.
	if [[ -s $KDIR/cmdline ]]; then
		cmdline+=" $(tr -s '\n' ' ' <"$KDIR/cmdline" | sed 's/ *$//')"
	fi
	[[ -n $BIND ]] && cmdline+=" vp.bind=$BIND"
	((${#appends[@]})) && cmdline+=" ${appends[*]}"
	huge_mib=$(hugepages_mib "$cmdline")
	((mem_mib >= huge_mib + VP_GUEST_MIN_FREE_MIB)) ||
		vp_die "--mem $MEM is too small: the command line reserves $huge_mib MiB of huge pages and the guest needs $VP_GUEST_MIN_FREE_MIB MiB more (use --mem $(((huge_mib + VP_GUEST_MIN_FREE_MIB + 1023) / 1024))G or more)"
	if ((DESCRIBE)); then
		[[ $ACCEL != auto ]] || vp_usage_error "--describe needs --accel tcg, icount or kvm: auto probes this host"
		choose_accel
		machine_args memfd
		printf 'cmdline=%s\n' "${cmdline/ vp.share=vpshare/}"
		printf 'qemu-arg=%s\n' "${MACHINE_ARGS[@]}" "${qemu_args[@]}"
		exit 0
	fi

	host_mem_check "$mem_mib"
	QPID='' QPIDFILE='' SHM=''
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	choose_accel
	vp_log "accel=$ACCEL ($ACCEL_REASON)"
	printf 'qemu=%s\nreason=%s\naccel=%s\n' "$(qemu_version)" "$ACCEL_REASON" "$ACCEL" |
		vp_atomic_write "$share/accel"

	machine_args file
	local args=("$QEMU" "${MACHINE_ARGS[@]}" -smp "$CPUS" -m "$MEM"
		-nographic -no-reboot
		-kernel "$KDIR/vmlinuz" -initrd "$INITRD" -append "$cmdline"
		-virtfs "local,path=${share//,/,,},mount_tag=vpshare,security_model=none,id=vpshare"
		"${qemu_args[@]}")

	rm -f "$share/job.exit" "$share/job.log"
	mkdir -p "$(dirname "$LOG")"
	QPIDFILE=$share/qemu.pid QSTATUS=$share/qemu.status
	rm -f "$QPIDFILE" "$QSTATUS"
	args+=(-pidfile "$QPIDFILE")
	{
		printf '#'
		printf ' %q' "${args[@]}"
		printf '\n'
	} >"$LOG"
	START=$SECONDS READY=0 READY_AT=0 LAST_PROGRESS=0 SHOWN=1 FAILURE=''
	vp_log "booting $(<"$KDIR/release") (mem $MEM, $CPUS cpus$( ((NUMA == 1)) || echo ", $NUMA NUMA nodes"), console $LOG)"
	{
		rc=0
		"${args[@]}" </dev/null >>"$LOG" 2>&1 || rc=$?
		echo "$rc" >"$QSTATUS"
	} 2>/dev/null &
	QPID=$!

	while qemu_alive; do
		sleep 1
		scan_console
		[[ -z $FAILURE ]] || break
		# Whoever started us (bench.sh) was killed: nobody will collect
		# this run, so the guest stops too, rather than run on unseen.
		if ! kill -0 "$PPID" 2>/dev/null; then
			FAILURE="the process that started this guest ($PPID) is gone; QEMU stopped"
		elif ((!READY && SECONDS - START >= boot_timeout)); then
			FAILURE="guest not ready after $boot_timeout s (--boot-timeout)"
		elif ((SECONDS - START >= timeout)); then
			FAILURE="run exceeded --timeout $timeout s; QEMU killed"
		fi
		[[ -z $FAILURE ]] || break
		if ((READY && SECONDS - LAST_PROGRESS >= 60)); then
			vp_log "guest running, $((SECONDS - READY_AT)) s"
			LAST_PROGRESS=$SECONDS
		fi
	done
	if [[ -n $FAILURE ]]; then
		stop_qemu
		scan_console
		fail_run "$FAILURE"
	fi
	wait "$QPID" 2>/dev/null || true
	QPID=''
	status=$(cat "$QSTATUS" 2>/dev/null || echo unknown)
	scan_console
	[[ -z $FAILURE ]] || fail_run "$FAILURE"
	if ! [[ -f $share/job.exit ]]; then
		qemu_error=$(grep -a -m1 "^$QEMU: " "$LOG" | tr -d '\r') || true
		if [[ $status =~ ^[0-9]+$ ]] && ((status > 128)); then
			fail_run "QEMU was killed by signal $((status - 128)) ($(kill -l $((status - 128)) 2>/dev/null || echo '?')) before the job ended${qemu_error:+: $qemu_error}"
		fi
		fail_run "QEMU exited (status $status) without job.exit${qemu_error:+: $qemu_error}"
	fi
	status=$(<"$share/job.exit")
	[[ $status =~ ^[0-9]+$ ]] || fail_run "$share/job.exit holds '$status', not a status"
	vp_log "job exited with status $status after $((SECONDS - START)) s"
	exit "$status"
}

main "$@"
