#!/bin/bash
# shellcheck source-path=SCRIPTDIR/..
# Write the LAVA jobs of a campaign: for each round and kernel, one job
# that boots the kernel with the guest initramfs (bench.sh --prepare: the
# same kernel, programs, selftests and job as `make bench`) and runs the
# suite; the artifacts the jobs fetch by URL; and plan.csv, which
# submit.sh and collect.sh follow. `make lava-jobs` calls this.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
	cat <<'EOF'
usage: jobs.sh --kernels "SPEC SPEC..." [options]

  --kernels LIST     kernel specs (harness/kernel.sh --help), at least one
  --boots N          boots per kernel, 1 to 999 (default 3)
  --suite NAME|FILE  as bench.sh (default quick)
  --accel MODE       qemu family: tcg or icount (default), or kvm on a lab
                     whose workers have it; x86 family: none
  --mem SIZE         qemu family: guest memory (default 6G)
  --cpus N           qemu family: guest CPUs (default 2)
  --family F         qemu (default: LAVA's qemu device type, the guest of
                     make bench) or x86 (a bare-metal machine: iPXE, TFTP)
  --device-type T    x86 family: the lab's device type (default x86)
  --bind IDS         x86 family: VVVV:DDDD of the DMA device and of the
                     MMIO device (BAR2), bound to vfio-pci by our /init;
                     one ID serves both
  --url BASE         where the lab fetches the artifacts: BASE/artifacts/...
                     (default file://OUT, for a lab on this machine); copy
                     OUT/artifacts to that place yourself
  --name NAME        campaign name (default campaign-<UTC time>)
  --out DIR          where the jobs go (default lava/NAME); must not exist
  --minutes N        time limit of a job's test action (default 60)

Writes OUT/campaign.txt (the options), OUT/plan.csv (job file, round,
kernel, side, boot, run id: the run ids are fixed here, each job runs
one), OUT/jobs/NNN-SIDE-bB.yaml in round order (A B A B ...), and
OUT/artifacts/SIDE/{vmlinuz,initramfs.cpio.gz,guest.txt} per kernel.
Results come back with harness/lava/collect.sh into results/NAME/SIDE/.

Exit: 0 written; 1 a kernel or image could not be made; 2 bad usage.

Example (two stock kernels, two boots each, deterministic clock):
  harness/lava/jobs.sh --kernels "6.12 sid" --boots 2 --suite compare --accel icount
EOF
}

kernels="" boots=3 suite=quick accel="" mem=6G cpus=2 family=qemu device_type=x86
bind="" url="" name="" out="" minutes=60
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--kernels | --boots | --suite | --accel | --mem | --cpus | --family | --device-type | \
		--bind | --url | --name | --out | --minutes)
		vp_need_value "$1" $#
		;;
	*) vp_usage_error "unknown option '$1'" ;;
	esac
	case $1 in
	--kernels) kernels=$2 ;;
	--boots) boots=$2 ;;
	--suite) suite=$2 ;;
	--accel) accel=$2 ;;
	--mem) mem=$2 ;;
	--cpus) cpus=$2 ;;
	--family) family=$2 ;;
	--device-type) device_type=$2 ;;
	--bind) bind=$2 ;;
	--url) url=$2 ;;
	--name) name=$2 ;;
	--out) out=$2 ;;
	--minutes) minutes=$2 ;;
	esac
	shift 2
done
read -r -a specs <<<"$kernels"
[ ${#specs[@]} -gt 0 ] || vp_usage_error "--kernels needs at least one kernel spec"
[[ $boots =~ ^[1-9][0-9]{0,2}$ ]] || vp_usage_error "--boots must be a number from 1 to 999, not '$boots'"
[[ $minutes =~ ^[1-9][0-9]{0,3}$ ]] || vp_usage_error "--minutes must be a number from 1 to 9999, not '$minutes'"
case $family in
qemu)
	accel=${accel:-icount}
	case $accel in tcg | icount | kvm) ;; *) vp_usage_error "--accel must be tcg, icount or kvm for the qemu family, not '$accel'" ;; esac
	[ -z "$bind" ] || vp_usage_error "--bind is for the x86 family (the qemu guest has its devices)"
	;;
x86)
	accel=${accel:-none}
	[ "$accel" = none ] || vp_usage_error "--accel must be none for the x86 family, not '$accel'"
	[[ $bind =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(,[0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$ ]] ||
		vp_usage_error "the x86 family needs --bind VVVV:DDDD[,VVVV:DDDD] (the DMA and MMIO devices), not '$bind'"
	[[ $device_type =~ ^[A-Za-z0-9._-]+$ ]] || vp_usage_error "--device-type '$device_type' is not a device type name"
	;;
*) vp_usage_error "--family must be qemu or x86, not '$family'" ;;
esac
name=${name:-campaign-$(date -u +%Y%m%dT%H%M%SZ)}
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || vp_usage_error "--name '$name': letters, digits, . _ - only"
out=${out:-$(vp_repo)/lava/$name}
[ ! -e "$out" ] || vp_usage_error "--out $out exists: jobs are never overwritten"
case $url in
'') ;;
file:///* | http://* | https://*) url=${url%/} ;;
*) vp_usage_error "--url must start with file:///, http:// or https://, not '$url'" ;;
esac

# yq TEXT: TEXT as a YAML single-quoted scalar.
yq() {
	printf "'%s'" "${1//\'/\'\'}"
}

# qemu_options GUEST_TXT: the QEMU arguments of guest.txt as a YAML flow
# list, an option and its value in one item (LAVA joins the items).
qemu_options() {
	local args=() a items=() i
	mapfile -t args < <(sed -n 's/^qemu-arg=//p' "$1")
	args+=(-smp "$cpus")
	for ((i = 0; i < ${#args[@]}; i++)); do
		a=${args[i]}
		if ((i + 1 < ${#args[@]})) && [[ ${args[i + 1]} != -* ]]; then
			a+=" ${args[i + 1]}"
			i=$((i + 1))
		fi
		items+=("$(yq "$a")")
	done
	local IFS=,
	printf '[%s]\n' "${items[*]}"
}

# render TEMPLATE KEY=VALUE...: the template with each @@KEY@@ replaced.
render() {
	local template=$1 text kv left
	text=$(<"$template")
	shift
	for kv; do
		text=${text//"@@${kv%%=*}@@"/"${kv#*=}"}
	done
	left=$(grep -o '@@[A-Z_]*@@' <<<"$text" | head -n 1) || true
	[ -z "$left" ] || vp_die "$template: field $left has no value"
	printf '%s\n' "$text"
}

mkdir -p "$(dirname "$out")"
mkdir "$out" || vp_die "cannot create $out"
out=$(cd "$out" && pwd)
url=${url:-file://$out}
mkdir -p "$out/artifacts" "$out/jobs"

# The artifacts of each kernel: bench.sh --prepare, the code `make bench`
# runs to build its guest.
declare -A side=() release=()
prepare_opts=(--suite "$suite" --mem "$mem" --cpus "$cpus")
[ "$family" = qemu ] && prepare_opts+=(--accel "$accel") || prepare_opts+=(--accel tcg)
for k in "${specs[@]}"; do
	side[$k]=$(vp_name "$k")
	[ ! -e "$out/artifacts/${side[$k]}" ] || vp_usage_error "--kernels names ${side[$k]} twice"
	vp_log "kernel $k: building its guest image"
	"$(vp_repo)/harness/bench.sh" --kernel "$k" "${prepare_opts[@]}" \
		--prepare "$out/artifacts/${side[$k]}" || vp_die "kernel $k: bench.sh --prepare failed"
	release[$k]=$(cat "$("$(vp_repo)/harness/kernel.sh" "$k")/release")
done
suite_file=$suite
[ -f "$suite_file" ] || suite_file=$(vp_repo)/harness/suites/$suite.suite
commit=$(git -C "$(vp_repo)" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
printf '%s\n' "name=$name" "kernels=$kernels" "boots=$boots" "suite=$suite" \
	"suite_sha256=$(sha256sum "$suite_file" | cut -d' ' -f1)" "accel=$accel" \
	"family=$family" "device_type=$device_type" "bind=$bind" "url=$url" \
	"mem=$mem" "cpus=$cpus" "minutes=$minutes" "vfio_perf_commit=$commit" >"$out/campaign.txt"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
# plan.csv comes last: a directory without it is not a campaign.
plan=("job,round,kernel,side,boot,run_id")
n=0
for ((b = 0; b < boots; b++)); do
	for k in "${specs[@]}"; do
		n=$((n + 1))
		s=${side[$k]}
		a=$out/artifacts/$s
		run_id=$stamp-$s-b$b
		job=$(printf '%03d' "$n")-$s-b$b.yaml
		cmdline=$(sed -n 's/^cmdline=//p' "$a/guest.txt")
		run_args="$run_id $b $accel"
		if [ "$family" = x86 ]; then
			# The machine's console is the device dictionary's; the
			# named devices replace the emulated ones.
			cmdline=$(sed -e 's/\(^\| \)console=[^ ]*//; s/\(^\| \)no_timer_check//' \
				-e "s/vp\\.bind=[^ ]*/vp.bind=$bind/" <<<"$cmdline")
			run_args+=" DMA_IDS=${bind%%,*} MMIO_IDS=${bind##*,} TARGET=host"
		fi
		fields=(
			"JOB_NAME=$(yq "vfio-perf $name $k boot $b")"
			"JOB_MINUTES=$((minutes + 25))" "BOOT_MINUTES=10" "TEST_MINUTES=$minutes"
			"KERNEL_URL=$(yq "$url/artifacts/$s/vmlinuz")"
			"KERNEL_SHA256=$(sha256sum "$a/vmlinuz" | cut -d' ' -f1)"
			"INITRD_URL=$(yq "$url/artifacts/$s/initramfs.cpio.gz")"
			"INITRD_SHA256=$(sha256sum "$a/initramfs.cpio.gz" | cut -d' ' -f1)"
			"DESCRIPTION=$(yq "vfio-perf suite $(basename "$suite_file" .suite) on kernel ${release[$k]}, boot $b of campaign $name")"
			"RUN_STEP=$(yq "sh /etc/vfio-perf/job/run.sh $run_args")"
			"METADATA=$(for kv in "campaign=$name" "round=$((b + 1))" "kernel=$k" "release=${release[$k]}" \
				"side=$s" "boot=$b" "run_id=$run_id" "suite=$(basename "$suite_file" .suite)" \
				"accel=$accel" "vfio_perf_commit=$commit"; do
				printf '  vfio-perf.%s: %s\n' "${kv%%=*}" "$(yq "${kv#*=}")"
			done)"
		)
		if [ "$family" = qemu ]; then
			fields+=("NO_KVM=$([ "$accel" = kvm ] && echo false || echo true)"
				"MEMORY_MIB=$(($(vp_bytes "$mem") >> 20))"
				"QEMU_OPTIONS=$(qemu_options "$a/guest.txt")"
				"KERNEL_ARG=$(yq "-kernel {kernel} -append \"$cmdline\"")")
		else
			fields+=("DEVICE_TYPE=$device_type" "KERNEL_ARGS=$(yq "$cmdline")")
		fi
		render "$(dirname "${BASH_SOURCE[0]}")/$family.yaml" "${fields[@]}" >"$out/jobs/$job"
		plan+=("$job,$((b + 1)),$(vp_csv_field "$k"),$s,$b,$run_id")
	done
done
printf '%s\n' "${plan[@]}" | vp_atomic_write "$out/plan.csv"
vp_log "wrote $n job(s) to $out/jobs (artifacts at $url/artifacts)"
vp_log "validate with: harness/lava/validate.sh $out/jobs/*.yaml; submit with: make lava-submit LAVA=<identity> CAMPAIGN=$name"
