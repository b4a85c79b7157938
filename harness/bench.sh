#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Run a suite on a target (a QEMU guest, or this host) and leave a new
# run directory under results/: samples.csv, cases.csv, meta.csv, the
# logs and the charts. `make bench` calls this.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=rundir.sh
. "$(dirname "${BASH_SOURCE[0]}")/rundir.sh"

usage() {
	cat <<'EOF'
usage: bench.sh [options]

Run a suite on a target and leave a new run directory under --results.

  --target qemu|host   where to run (default qemu)
  --kernel SPEC        guest kernel for qemu (default 6.12; see
                       harness/kernel.sh --help: 6.1, sid, build:NAME, ...)
  --suite NAME|FILE    harness/suites/NAME.suite or a suite file (default quick)
  --accel MODE         auto (KVM if it works, else TCG), kvm, tcg, or icount
                       (TCG with an instruction-counting clock; deterministic)
  --mem SIZE           guest memory, e.g. 6G or 6144M (default 6G)
  --cpus N             guest CPUs, 1 to 99 (default 2)
  --guest-numa N       guest NUMA nodes, 1 (default) to --cpus: memory and
                       CPUs split evenly (qemu.sh --numa); for the suites'
                       --mem-node cases (harness/suites/numa.suite)
  --append TEXT        extra guest kernel command line (recorded in meta.csv)
  --timeout S          limit in seconds for the guest's whole run (default
                       1800 with kvm, 7200 otherwise: an emulated guest on
                       a busy host runs several times slower, and under
                       icount that changes no figure, only the wait)
  --extra PATH[,PATH]  a program of yours (static binary or script) put into
                       the guest for the suite's exec lines (repeatable)
  --no-selftests       do not run the kernel's VFIO selftests before the
                       steps (meta.csv says so)
  --device BDF         host target: the device you bound to vfio-pci
  --results DIR        where run directories go (default results/)
  --boot N             boot index recorded in the samples (default 0)
  --bindir DIR         where the built programs are (default build/release)
  --no-plot            do not draw charts
  --prepare DIR        qemu target, for a launcher of our own guest elsewhere
                       (a LAVA lab: harness/lava/jobs.sh): boot nothing;
                       write DIR/vmlinuz, DIR/initramfs.cpio.gz (the job in
                       /etc/vfio-perf/job/, run by its run.sh,
                       harness/guest-embedded.sh) and DIR/guest.txt
                       (qemu.sh --describe: the kernel command line and
                       QEMU arguments); --accel tcg, icount or kvm
  --replay DIR         qemu target: collect, as a run, the results of such a
                       guest: DIR holds what the guest wrote (job.exit,
                       raw/, selftests/, job.log, accel; console.log;
                       guest.failure when it did not finish); with --run-id
  --run-id ID          (--replay) the run id the guest used
  --meta KEY=VALUE     (--replay) a metadata row more (repeatable)
  -h, --help           this text

A suite has `step NAME PROGRAM ARGS...` lines (our benchmarks) and
`exec NAME PROGRAM ARGS...` lines (a program given with --extra; its
output is kept in the run's raw/NAME/). On the qemu target the kernel's
VFIO selftests run first, when its source has them (harness/selftests.sh):
their results are rows of cases.csv (bench selftest), their output is kept
in selftests/, and a failed one fails the run (README.md, "The selftest
gate").

A run is written as DIR/<id>.incomplete and renamed to DIR/<id> only when
it is complete (meta.csv status ok). A run that failed, was interrupted or
lost its data keeps the .incomplete name, with a status row saying which,
and everything measured before the fault.

Exit: 0 ok; 1 a benchmark case, exec step or selftest failed, or the run
could not be collected or drawn; 2 bad usage; 3 the guest failed (panic, hang, QEMU died); 4
every case skipped; 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM.
Kernel provisioning errors exit with harness/kernel.sh's status (1 or 2).

Example (the embedded default, a few minutes under TCG):
  harness/bench.sh --kernel 6.12 --suite quick
EOF
}

target=qemu kernel=6.12 suite=quick accel=auto mem=6G cpus=2 numa=1 device=""
boot=0 plot=1 append="" selftests=1 extras=() timeout="" prepare="" replay="" run_id="" more_meta=()
results=$(vp_repo)/results
bindir=$(vp_repo)/build/release
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--no-plot) plot=0; shift; continue ;;
	--no-selftests) selftests=0; shift; continue ;;
	--target | --kernel | --suite | --accel | --mem | --cpus | --guest-numa | --device | \
		--results | --boot | --bindir | --append | --extra | --timeout | --prepare | \
		--replay | --run-id | --meta)
		vp_need_value "$1" $#
		;;
	*) vp_usage_error "unknown option '$1'" ;;
	esac
	case $1 in
	--target) target=$2 ;;
	--kernel) kernel=$2 ;;
	--suite) suite=$2 ;;
	--accel) accel=$2 ;;
	--mem) mem=$2 ;;
	--cpus) cpus=$2 ;;
	--guest-numa) numa=$2 ;;
	--device) device=$2 ;;
	--results) results=$2 ;;
	--boot) boot=$2 ;;
	--bindir) bindir=$2 ;;
	--append) append=${append:+$append }$2 ;;
	--timeout) timeout=$2 ;;
	--extra) IFS=, read -r -a more <<<"$2" && extras+=("${more[@]}") ;;
	--prepare) prepare=$2 ;;
	--replay) replay=$2 ;;
	--run-id) run_id=$2 ;;
	--meta)
		[[ $2 == ?*=* ]] || vp_usage_error "--meta wants KEY=VALUE, not '$2'"
		more_meta+=("$2")
		;;
	esac
	shift 2
done

repo=$(vp_repo)
case $target in
qemu | host) ;;
*) vp_usage_error "--target must be qemu or host, not '$target'" ;;
esac
case $accel in
auto | kvm | tcg | icount) ;;
*) vp_usage_error "--accel must be auto, kvm, tcg or icount, not '$accel'" ;;
esac
[[ $cpus =~ ^[1-9][0-9]?$ ]] || vp_usage_error "--cpus must be a number from 1 to 99, not '$cpus'"
{ [[ $numa =~ ^[1-9][0-9]?$ ]] && ((numa <= cpus)); } ||
	vp_usage_error "--guest-numa must be a number of nodes from 1 to --cpus ($cpus), not '$numa'"
if [ -z "$timeout" ]; then
	timeout=7200
	[ "$accel" != kvm ] || timeout=1800
fi
[[ $timeout =~ ^[1-9][0-9]{0,5}$ ]] || vp_usage_error "--timeout must be a number of seconds from 1 to 999999, not '$timeout'"
[[ $boot =~ ^[0-9]{1,6}$ ]] || vp_usage_error "--boot must be a number from 0 to 999999, not '$boot'"
# QEMU reads a bare number as MiB, our parser as bytes: a suffix is needed.
[[ $mem =~ ^[0-9]{1,7}[MG]$ ]] || vp_usage_error "--mem wants a size like 6G or 6144M, not '$mem'"
mem_bytes=$(vp_bytes "$mem")
[ -d "$bindir" ] || vp_usage_error "--bindir $bindir does not exist (run make build)"
bindir=$(cd "$bindir" && pwd)
if [ -f "$suite" ]; then
	suite_file=$suite
else
	suite_file=$repo/harness/suites/$suite.suite
	[ -f "$suite_file" ] || vp_usage_error "no suite '$suite' (have: $(find "$repo/harness/suites" -name '*.suite' -printf '%f\n' | sed 's/\.suite$//' | sort | xargs))"
fi
[ "$target" = qemu ] || [ -z "$append" ] || vp_usage_error "--append is for the qemu target"
[ "$target" = qemu ] || [ -z "$prepare$replay" ] || vp_usage_error "--prepare and --replay are for the qemu target"
[ -z "$prepare" ] || [ -z "$replay" ] || vp_usage_error "--prepare and --replay exclude each other"
[ -z "$prepare" ] || [ "$accel" != auto ] || vp_usage_error "--prepare needs --accel tcg, icount or kvm (auto probes this host, not the guest's)"
if [ -n "$replay" ]; then
	[ -d "$replay" ] || vp_usage_error "--replay $replay: no such directory"
	[[ $run_id =~ ^[A-Za-z0-9._-]+$ ]] || vp_usage_error "--replay needs --run-id ID (letters, digits, . _ -)"
fi
[ -n "$replay" ] || { [ -z "$run_id" ] && [ ${#more_meta[@]} = 0 ]; } ||
	vp_usage_error "--run-id and --meta are for --replay"
if [ "$target" = host ]; then
	[ -n "$device" ] || vp_usage_error "--target host needs --device BDF (a device you bound to vfio-pci)"
	# We never bind or unbind host devices: the user does, and says which.
	[[ $device == ????:* ]] || device=0000:$device
	[ -e "/sys/bus/pci/devices/$device" ] || vp_die "no PCI device $device (see lspci -D)"
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$device/driver" 2>/dev/null)" 2>/dev/null || true)
	[ "$drv" = vfio-pci ] || vp_die "$device is bound to ${drv:-no driver}, not vfio-pci; bind it yourself first (see README)"
fi

# Programs of the user's (--extra), by the name the guest knows them by.
declare -A extra_path=()
for x in "${extras[@]}"; do
	[ -n "$x" ] || continue
	if ! [ -f "$x" ] || ! [ -x "$x" ]; then
		vp_usage_error "--extra $x: not an executable file"
	fi
	xn=$(basename "$x")
	[ -z "${extra_path[$xn]:-}" ] || vp_usage_error "--extra: two programs named $xn"
	[ ! -e "$bindir/$xn" ] || vp_usage_error "--extra $x: $xn is the name of one of ours"
	extra_path[$xn]=$(realpath "$x")
done

# The steps of the suite, in order: "NAME PROGRAM ARGS..." per line for a
# step line, "NAME exec PROGRAM ARGS..." for an exec line.
mapfile -t steps < <(sed -n -e 's/^step[[:space:]]\{1,\}//p' \
	-e 's/^exec[[:space:]]\{1,\}\([^[:space:]]*\)/\1 exec/p' "$suite_file")
[ ${#steps[@]} -gt 0 ] || vp_die "$suite_file has no step or exec lines"
declare -A seen_step=()
for s in "${steps[@]}"; do
	read -r name prog args <<<"$s"
	[[ $name =~ ^[A-Za-z0-9._-]+$ && $name != selftests ]] ||
		vp_die "$suite_file: '$name' cannot name a step (letters, digits, . _ -; not selftests)"
	[ -z "${seen_step[$name]:-}" ] || vp_die "$suite_file: two steps named $name"
	seen_step[$name]=1
	[ -n "$prog" ] || vp_die "$suite_file: step '$name' names no program"
	if [ "$prog" = exec ]; then
		read -r prog _ <<<"$args"
		[ -n "$prog" ] || vp_die "$suite_file: exec $name names no program"
		[ -n "${extra_path[$prog]:-}" ] ||
			vp_die "$suite_file: exec $name: $prog is not a program given with --extra (make bench EXTRA=path/to/$prog)"
		[ "$target" = qemu ] || vp_usage_error "$suite_file: exec $name: exec lines run in the qemu guest only"
		continue
	fi
	[ -x "$bindir/$prog" ] || vp_die "$suite_file: step $name: $bindir/$prog is not built (run make build)"
done

# ---- will the suite fit the guest? ------------------------------------

# Bytes of each huge page pool of the guest (guest.conf).
declare -A pool=([normal]=0 [hugetlb-2m]=0 [hugetlb-1g]=0)
huge_bytes=0
for item in ${VP_GUEST_HUGEPAGES//,/ }; do
	case ${item%%:*} in
	2M) p=hugetlb-2m bytes=$((${item#*:} << 21)) ;;
	1G) p=hugetlb-1g bytes=$((${item#*:} << 30)) ;;
	*) vp_die "harness/guest.conf: VP_GUEST_HUGEPAGES has '$item', not 2M:N or 1G:N" ;;
	esac
	pool[$p]=$bytes
	huge_bytes=$((huge_bytes + bytes))
done
# vfio-dma-bench gets the 2M hugetlbfs mount of the guest.
pool[hugetlbfs]=${pool[hugetlb-2m]}
pool[normal]=$((mem_bytes - huge_bytes - (VP_GUEST_SYSTEM_MIB << 20)))

# Ask each step's program what it needs (--plan: computed by the code that
# allocates) and refuse, before booting, what the guest cannot hold.
check_guest_memory() {
	local s name prog args plan p bytes
	[ "$mem_bytes" -ge $((huge_bytes + (VP_GUEST_MIN_FREE_MIB << 20))) ] ||
		vp_usage_error "--mem $mem is too small: the guest reserves $((huge_bytes >> 20)) MiB of huge pages and needs $VP_GUEST_MIN_FREE_MIB MiB more"
	for s in "${steps[@]}"; do
		read -r name prog args <<<"$s"
		# A program of the user's does not say what it needs.
		[ "$prog" != exec ] || continue
		# $args is a word list from the suite file.
		# shellcheck disable=SC2086
		plan=$("$bindir/$prog" --plan $args 2>"$SCRATCH/plan.err") ||
			vp_die "$suite_file: step $name: $(grep -m1 . "$SCRATCH/plan.err")"
		while read -r p bytes; do
			[ -n "$p" ] || continue
			[ -n "${pool[$p]:-}" ] || vp_die "step $name: $prog plans for an unknown pool '$p'"
			[ "$bytes" -le "${pool[$p]}" ] ||
				vp_die "step $name: needs $((bytes >> 20)) MiB of the guest's $p memory at once, which has $((pool[$p] >> 20)) MiB with --mem $mem"
		done <<<"$plan"
	done
}

# ---- metadata ----------------------------------------------------------

git_rev() {
	local rev
	rev=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null) || { echo unknown; return; }
	git -C "$repo" diff --quiet HEAD -- bench harness 2>/dev/null || rev="$rev-dirty"
	echo "$rev"
}

# Paths of this machine's cache are not part of a result: they are
# recorded relative to the cache (results move between machines).
portable() {
	local c
	c=$(vp_cache)
	printf '%s\n' "${1//"$c"\//cache:}"
}

# A log with the cache's paths (the QEMU command line) made portable.
portable_log() {
	local c
	c=$(vp_cache)
	sed "s|$c/|cache:|g" "$1"
}

common_meta() {
	printf '%s\n' \
		"bench_suite=$(basename "$suite_file" .suite)" \
		"bench_suite_sha256=$(sha256sum "$suite_file" | cut -d' ' -f1)" \
		"vfio_perf_commit=$(git_rev)"
	# A guest launched elsewhere (--replay) ran on a host we do not know:
	# its launcher's keys (--meta) say which.
	[ -n "$replay" ] || printf '%s\n' \
		"host_kernel=$(uname -r)" \
		"host_cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"host_cpus=$(nproc)"
}

# meta_rows KEY=VALUE...: meta.csv of a run without samples.
meta_rows() {
	local kv
	echo "key,value"
	while IFS= read -r kv; do
		[ -n "$kv" ] || continue
		printf '%s,%s\n' "${kv%%=*}" "$(vp_csv_field "${kv#*=}")"
	done < <(echo "run_id=$RUN_ID"; common_meta; printf '%s\n' "${META[@]}" "$@")
}

# ---- ending a run ------------------------------------------------------

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vfio-perf-bench.XXXXXX")
SELFTEST_TIMEOUT=${VP_SELFTEST_TIMEOUT:-600}	# seconds per selftest program
SHARE=""	# where the steps' raw results are, until collected
CONFIG=""	# the kernel's .config, kept in the run as config.gz
KEEP_SHARE=0
META=()

# Why each step that did not succeed failed, from the raw results.
failed_steps() {
	local d st out=""
	for d in "$SHARE"/raw/*/; do
		# The selftests are the gate's: judge_selftests says what failed.
		if ! [ -f "$d/exit" ] || [ "$(basename "$d")" = selftests ]; then
			continue
		fi
		st=$(<"$d/exit")
		case $st in 0 | 4) ;; *) out+="${out:+, }step $(basename "$d") exit $st" ;; esac
	done
	printf '%s\n' "${out:-no step failed}"
}

# collect_run STATUS: everything the run produced goes into the run
# directory: the steps' results under one header first (they matter
# most), then the logs. On failure the raw results stay in the cache, and
# the message says where.
collect_run() {
	local status=$1 args=() kv f rc=0
	[ -n "$RUN_DIR" ] || return 0
	if compgen -G "$SHARE/raw/*/samples.csv" >/dev/null ||
		compgen -G "$SHARE/raw/*/cases.csv" >/dev/null; then
		while IFS= read -r kv; do
			args+=(--meta "$kv")
		done < <(common_meta; printf '%s\n' "${META[@]}")
		# The selftests' rows first: they say whether the rest counts.
		{ echo selftests; cat "$SHARE/steps"; } >"$SCRATCH/order"
		"$repo/harness/collect.sh" --raw "$SHARE/raw" --run "$RUN_DIR" \
			--order "$SCRATCH/order" "${args[@]}" --meta "status=$status" || rc=$?
	else
		# Nothing measured: the metadata alone says what was tried.
		vp_atomic_output "$RUN_DIR/meta.csv" meta_rows "status=$status" 2>/dev/null ||
			rundir_set_status "$status"
	fi
	if ! keep_outputs; then
		vp_log "error: cannot copy the selftests' or exec steps' output into $RUN_DIR$(vp_df_note "$RUN_DIR")"
		rc=1
	fi
	# The kernel's whole config: comparisons list where two sides differ.
	if [ -r "$CONFIG" ] && ! vp_atomic_output "$RUN_DIR/config.gz" gzip -9cn "$CONFIG" 2>/dev/null; then
		vp_log "error: cannot write config.gz into $RUN_DIR$(vp_df_note "$RUN_DIR")"
		rc=1
	fi
	for f in console.log:console.log job.log:guest.log bench.log:bench.log; do
		[ -f "$SHARE/${f%%:*}" ] || continue
		if ! vp_atomic_output "$RUN_DIR/${f#*:}" portable_log "$SHARE/${f%%:*}" 2>/dev/null; then
			vp_log "error: cannot copy ${f%%:*} into $RUN_DIR$(vp_df_note "$RUN_DIR")"
			rc=1
		fi
	done
	if [ "$rc" != 0 ]; then
		KEEP_SHARE=1
		rundir_set_status "lost (the run could not be collected; the raw results were kept in $(portable "$SHARE"))"
		return 1
	fi
}

# finish STATUS EXIT: collect, draw, name the run for what it is, and exit.
finish() {
	local status=$1 rc=$2
	trap - EXIT
	if ! collect_run "$status"; then
		status="lost"
		[ "$rc" != 0 ] || rc=1
	fi
	# A failed run with samples is drawn too (it helps to see what went
	# wrong); an interrupted one is not (it was asked to stop).
	if [ "$plot" = 1 ] && [ -f "$RUN_DIR/samples.csv" ] && ! vp_interrupted &&
		! "$repo/plot/plot-run.sh" "$RUN_DIR"; then
		if [ "$status" = ok ]; then
			vp_log "error: the charts could not be drawn; the results are complete (redraw: plot/plot-run.sh $RUN_DIR)"
			rc=1
		fi
	fi
	if [ "$status" = ok ] && vp_interrupted; then
		status="interrupted (SIG$VP_SIGNAL)" rc=$(vp_signal_status)
		rundir_set_status "$status"
	fi
	[ "$status" != ok ] || rundir_commit
	cleanup
	if rundir_complete; then
		vp_log "results: $RUN_DIR"
	elif [ -n "$RUN_DIR" ]; then
		vp_log "run kept in $RUN_DIR (status: $status)"
	fi
	exit "$rc"
}

# shellcheck disable=SC2317 # run by finish and the EXIT trap
cleanup() {
	rm -rf "$SCRATCH"
	[ -n "$SHARE" ] || return 0
	rm -f "$SHARE.cpio.gz"
	if [ "$KEEP_SHARE" = 1 ]; then
		vp_log "the raw results are kept in $SHARE"
	else
		rm -rf "$SHARE"
	fi
}

# Any other way out (a failed command under set -e, a bug) is a lost run.
# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
	local rc=$?
	[ "$rc" != 0 ] || rc=1
	if [ -n "$RUN_DIR" ] && ! rundir_complete; then
		KEEP_SHARE=1
		rundir_set_status "lost (bench.sh stopped with status $rc before the run was collected)" || true
		vp_log "run kept in $RUN_DIR (status: lost)"
	fi
	cleanup
	exit "$rc"
}
trap on_exit EXIT
vp_trap_signals

# Leave now if a signal came: what was measured is kept.
checkpoint() {
	vp_interrupted || return 0
	[ -n "$RUN_DIR" ] || exit "$(vp_signal_status)"
	finish "interrupted (SIG$VP_SIGNAL)" "$(vp_signal_status)"
}

# ---- the selftest gate and exec steps: harness/gate.sh ----------------

# shellcheck source=gate.sh
. "$repo/harness/gate.sh"

# ---- the targets --------------------------------------------------------

# The guest every launcher boots: qemu.sh's options but the share's.
GUEST_ARGS=(--mem "$mem" --cpus "$cpus" --numa "$numa" --accel "$accel" --hugepages "$VP_GUEST_HUGEPAGES"
	--bind "$VP_GUEST_DMA_IDS,$VP_GUEST_MMIO_IDS" --ivshmem "$VP_GUEST_IVSHMEM")
[ -z "$append" ] || GUEST_ARGS+=(--append "$append")

# guest_image KDIR OUT [initramfs.sh options]: the guest's initramfs: our
# programs, the user's, the kernel's selftests.
guest_image() {
	local bins=(--bin "$bindir/vfio-dma-bench" --bin "$bindir/vfio-mmio-bench") x p
	for x in "${extra_path[@]}"; do
		bins+=(--bin "$x")
	done
	if [ -n "$SELFTESTS_DIR" ]; then
		while read -r p _; do
			bins+=(--bin "$SELFTESTS_DIR/bin/$p")
		done <"$SCRATCH/selftests.list"
	fi
	vp_run "$repo/harness/initramfs.sh" --kernel-dir "$1" --out "$2" "${bins[@]}" "${@:3}"
}

# job_files DIR: what guest-job.sh reads (job.sh itself, steps, job.env,
# selftests.list). Without a run (--prepare), job.env has no RUN_ID and
# BOOT: the guest's launcher adds them (harness/guest-embedded.sh).
job_files() {
	cp "$repo/harness/guest-job.sh" "$1/job.sh"
	printf '%s\n' "${steps[@]}" >"$1/steps"
	[ -z "$SELFTESTS_DIR" ] || cp "$SCRATCH/selftests.list" "$1/selftests.list"
	{
		[ -z "$RUN_ID" ] || printf '%s\n' "RUN_ID='$RUN_ID'" "BOOT=$boot"
		cat <<EOF
CPU=$((cpus - 1))
DMA_IDS=$VP_GUEST_DMA_IDS
MMIO_IDS=$VP_GUEST_MMIO_IDS
HUGETLBFS=$VP_GUEST_HUGETLBFS
SELFTEST_TIMEOUT=$SELFTEST_TIMEOUT
EOF
	} >"$1/job.env"
}

# prepare_guest KDIR: --prepare: the kernel, the initramfs with the job
# embedded, and how to boot them, for a launcher elsewhere.
prepare_guest() {
	local d=$SCRATCH/job f files=() rc=0
	mkdir -p "$d" "$prepare"
	job_files "$d"
	cp "$repo/harness/guest-embedded.sh" "$d/run.sh"
	cp "$repo/harness/sample-names.awk" "$d/"
	for f in "$d"/*; do
		files+=(--file "$f:/etc/vfio-perf/job/${f##*/}")
	done
	guest_image "$1" "$prepare/initramfs.cpio.gz" "${files[@]}" || rc=$?
	checkpoint
	[ "$rc" = 0 ] || exit 1
	cp "$1/vmlinuz" "$prepare/vmlinuz"
	"$repo/harness/qemu.sh" --kernel-dir "$1" --describe "${GUEST_ARGS[@]}" >"$prepare/guest.txt"
	vp_log "prepared $prepare: kernel $(<"$1/release"), suite $(basename "$suite_file"), accel $accel"
}

run_qemu() {
	local kdir release rc=0 status used
	check_guest_memory
	vp_run "$repo/harness/kernel.sh" "$kernel" >"$SCRATCH/kdir" || rc=$?
	checkpoint
	[ "$rc" = 0 ] || exit "$rc"	# kernel.sh said why
	kdir=$(<"$SCRATCH/kdir")
	release=$(<"$kdir/release")
	CONFIG=$kdir/config
	provision_selftests "$kdir"
	if [ -n "$prepare" ]; then
		prepare_guest "$kdir"
		trap - EXIT
		cleanup
		exit 0
	fi
	rundir_create "$results" "$(vp_name "$release")" ${run_id:+"$run_id"}
	SHARE=$(vp_cache)/runs/$RUN_ID
	mkdir -p "$SHARE"
	if [ -n "$replay" ]; then
		cp -r "$replay/." "$SHARE/" || finish "lost (cannot copy $replay)" 1
	else
		guest_image "$kdir" "$SHARE.cpio.gz" || rc=$?
		checkpoint
		[ "$rc" = 0 ] || finish "failed (initramfs.sh exit $rc)" 1
		job_files "$SHARE"
	fi
	META+=("kernel_spec=$kernel"
		"kernel_source=$(portable "$(paste -sd';' "$kdir/source" 2>/dev/null || echo unknown)")"
		"kernel_config_sha256=$(sha256sum "$kdir/config" 2>/dev/null | cut -d' ' -f1)"
		"guest_mem=$mem" "guest_cpus=$cpus" "guest_numa_nodes=$numa" "guest_hugepages=$VP_GUEST_HUGEPAGES"
		"cmdline_append=$append" "accel_requested=$accel")
	rc=0
	if [ -n "$replay" ]; then
		META+=("${more_meta[@]}")
		vp_log "run $RUN_ID: kernel $release, suite $(basename "$suite_file"), collected from $replay"
		# No job.exit: the guest did not finish (guest.failure says why).
		rc=$(cat "$SHARE/job.exit" 2>/dev/null) || rc=3
		[[ $rc =~ ^[0-9]{1,3}$ ]] || { echo "job.exit holds '$rc', not a status" >"$SHARE/guest.failure"; rc=3; }
		[ "$rc" != 3 ] || [ -s "$SHARE/guest.failure" ] || echo "the guest did not finish (no job.exit)" >"$SHARE/guest.failure"
	else
		META+=("qemu_version=$(qemu-system-x86_64 --version | head -n 1)")
		vp_log "run $RUN_ID: kernel $release, suite $(basename "$suite_file"), accel $accel"
		vp_run "$repo/harness/qemu.sh" --kernel-dir "$kdir" --initrd "$SHARE.cpio.gz" \
			--share "$SHARE" --log "$SHARE/console.log" --timeout "$timeout" \
			"${GUEST_ARGS[@]}" || rc=$?
	fi
	# What ran, as qemu.sh chose it (auto: KVM if a probe boot worked).
	used=$(sed -n 's/^accel=//p' "$SHARE/accel" 2>/dev/null | tail -n 1)
	META+=("accel_used=$used" "accel=$used" "guest_exit=$rc"
		"guest_changes=$(paste -sd';' "$SHARE/guest-changes" 2>/dev/null || true)")
	checkpoint
	judge_selftests
	judge_execs
	case $rc in
	0) status=ok ;;
	3) status="failed (guest: $(cat "$SHARE/guest.failure" 2>/dev/null || echo "see console.log"))" ;;
	4) status="skipped (every case skipped; the reasons are in cases.csv)" ;;
	*) status="failed ($(failed_steps))" ;;
	esac
	# The gate: a failed selftest fails the run, whatever else happened
	# (a guest failure says more and stays first).
	if [ -n "$GATE" ] && [ "$rc" != 3 ]; then
		case $rc in
		0 | 4) status="failed ($GATE)" ;;
		*) status="failed ($GATE; $(failed_steps))" ;;
		esac
		rc=1
	fi
	finish "$status" "$rc"
}

# The same steps on this machine, against a device the user bound to
# vfio-pci. Nothing is bound or unbound here.
run_host() {
	local s name prog args st rc=0 nskip=0
	rundir_create "$results" "$(vp_name "$(uname -r)")"
	SHARE=$(vp_cache)/runs/$RUN_ID
	mkdir -p "$SHARE/raw"
	printf '%s\n' "${steps[@]}" >"$SHARE/steps"
	CONFIG=/boot/config-$(uname -r)
	META+=("host_device=$device" "accel=none" "selftests=none (host target: not run)"
		"kernel_config_sha256=$(sha256sum "$CONFIG" 2>/dev/null | cut -d' ' -f1)")
	for s in "${steps[@]}"; do
		read -r name prog args <<<"$s"
		vp_log "step $name: $prog $args"
		st=0
		# $args is a word list from the suite file.
		# shellcheck disable=SC2086
		vp_run "$bindir/$prog" --device "$device" --out "$SHARE/raw/$name" \
			--run-id "$RUN_ID" --boot "$boot" --target host \
			--accel none $args >>"$SHARE/bench.log" 2>&1 || st=$?
		tail -n 3 "$SHARE/bench.log" | sed 's/^/  | /' >&2
		mkdir -p "$SHARE/raw/$name"
		echo "$st" >"$SHARE/raw/$name/exit"
		checkpoint
		case $st in 0) ;; 4) nskip=$((nskip + 1)) ;; *) rc=1 ;; esac
	done
	if [ "$rc" != 0 ]; then
		finish "failed ($(failed_steps))" 1
	elif [ "$nskip" = ${#steps[@]} ]; then
		finish "skipped (every case skipped; the reasons are in cases.csv)" 4
	fi
	finish ok 0
}

case $target in
qemu) run_qemu ;;
host) run_host ;;
esac
