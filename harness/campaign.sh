#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Run one suite on several kernels, interleaved boot by boot (A B C A B C
# ...), so that drift of a shared, noisy host hits every kernel alike.
# Each boot is its own run directory, grouped per kernel:
#
#   results/campaign-<UTC time>/<kernel>/<run-id>/
#
# so that `vfio-perf-compare results/campaign-X/<A> results/campaign-X/<B>`
# treats boots as the unit of repetition.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: campaign.sh --kernels "SPEC SPEC..." [options] [bench.sh options]

  --kernels LIST   kernel specs (see harness/kernel.sh --help), at least one
  --boots N        boots per kernel, 1 to 999 (default 3)
  --retries N      further attempts, 0 to 9, for a boot whose guest failed
                   (panic, hang, QEMU died: bench.sh exit 3); default 2
  --results DIR    parent of the campaign directory (default results/)
  other options    passed to every bench.sh run (--suite, --accel, --mem, ...)

Every attempt is a line of CAMPAIGN/campaign.csv (round, kernel, attempt,
exit, status, run). A failed attempt that a retry replaced moves to
CAMPAIGN/<kernel>/failed-attempts/; one that was not replaced stays in
<kernel>/ as <run-id>.incomplete, so no comparison can take the side for
complete. A boot that fails otherwise (a case failed, exit 1) is not
retried. An interrupt stops the campaign at once.

Exit: 0 every boot of every kernel is complete; 1 some boot is not (see
campaign.csv); 2 bad usage; 129/130/143 interrupted.

Example (two stock kernels, deterministic clock):
  harness/campaign.sh --kernels "6.12 sid" --boots 2 --suite compare --accel icount
EOF
}

kernels="" boots=3 retries=2 results=$(vp_repo)/results
pass=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--kernels | --boots | --retries | --results) vp_need_value "$1" $# ;;
	--boot | --target | --device)
		vp_usage_error "$1 is chosen by the campaign (qemu target, one boot index per round)"
		;;
	--no-plot) pass+=("$1"); shift; continue ;;
	--*)
		vp_need_value "$1" $#
		pass+=("$1" "$2")
		shift 2
		continue
		;;
	*) vp_usage_error "unexpected argument '$1'" ;;
	esac
	case $1 in
	--kernels) kernels=$2 ;;
	--boots) boots=$2 ;;
	--retries) retries=$2 ;;
	--results) results=$2 ;;
	esac
	shift 2
done
read -r -a specs <<<"$kernels"
[ ${#specs[@]} -gt 0 ] || vp_usage_error "--kernels needs at least one kernel spec"
[[ $boots =~ ^[1-9][0-9]{0,2}$ ]] || vp_usage_error "--boots must be a number from 1 to 999, not '$boots'"
[[ $retries =~ ^[0-9]$ ]] || vp_usage_error "--retries must be a number from 0 to 9, not '$retries'"
vp_trap_signals

# Provision every kernel first: a typo should fail now, not after an hour.
declare -A release=()
for k in "${specs[@]}"; do
	rc=0
	vp_run "$(vp_repo)/harness/kernel.sh" "$k" >"$(vp_cache)/campaign-kdir.$$" || rc=$?
	kdir=$(cat "$(vp_cache)/campaign-kdir.$$")
	rm -f "$(vp_cache)/campaign-kdir.$$"
	! vp_interrupted || exit "$(vp_signal_status)"
	[ "$rc" = 0 ] || exit "$rc"
	release[$k]=$(cat "$kdir/release")
done

mkdir -p "$results"
# Two campaigns started in the same second get -2, -3, ...
dir=$results/campaign-$(date -u +%Y%m%dT%H%M%SZ)
n=1 base=$dir
while ! mkdir "$dir" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -le 9 ] || vp_die "cannot create a campaign directory like $base"
	dir=$base-$n
done
printf '%s\n' "kernels=$kernels" "boots=$boots" "retries=$retries" "options=${pass[*]}" >"$dir/campaign.txt"
echo "round,kernel,attempt,exit,status,run" >"$dir/campaign.csv"

# The run directory an attempt left in SIDE: the entry that is new.
new_entry() {
	comm -13 <(printf '%s\n' "${@:2}" | sort) <(find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort) |
		grep -v '^failed-attempts$' | head -n 1
}

# The status row of a run, or what its absence means.
run_status() {
	local v
	v=$(sed -n 's/^status,//p' "$1/meta.csv" 2>/dev/null | head -n 1 | sed 's/^"//; s/"$//')
	printf '%s\n' "${v:-lost (no meta.csv)}"
}

# attempt ROUND KERNEL: boot KERNEL until it gives a complete run or the
# retries are spent. Returns 0 if the boot is complete.
attempt() {
	local b=$1 k=$2 side a rc entry before status
	side=$dir/$(vp_name "$k")
	for ((a = 1; a <= retries + 1; a++)); do
		mapfile -t before < <(find "$side" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null)
		vp_log "round $((b + 1))/$boots, kernel $k, attempt $a of at most $((retries + 1))"
		rc=0
		vp_run "$(vp_repo)/harness/bench.sh" --kernel "$k" --boot "$b" \
			--results "$side" --no-plot "${pass[@]}" || rc=$?
		entry=$(new_entry "$side" "${before[@]}")
		status=ok
		[ -z "$entry" ] || status=$(run_status "$side/$entry")
		[ -n "$entry" ] || [ "$rc" = 0 ] || status="no run directory (bench.sh exit $rc)"
		printf '%s,%s,%s,%s,%s,%s\n' "$((b + 1))" "$(vp_csv_field "$k")" "$a" "$rc" \
			"$(vp_csv_field "$status")" "$(vp_csv_field "${entry:+${side#"$dir"/}/$entry}")" >>"$dir/campaign.csv"
		vp_interrupted && return 1
		[ "$rc" != 0 ] || return 0
		# Only a guest failure is worth another boot.
		[ "$rc" = 3 ] && ((a <= retries)) || return 1
		vp_log "the guest failed (exit 3): booting again"
		if [ -n "$entry" ]; then
			mkdir -p "$side/failed-attempts"
			mv "$side/$entry" "$side/failed-attempts/"
		fi
	done
	return 1
}

failed=0 retried=0
for ((b = 0; b < boots; b++)); do
	for k in "${specs[@]}"; do
		# A spec must mean the same kernel all along (a build:NAME whose
		# patches changed, a suite that got a new kernel): boots of two
		# kernels under one label would be compared as one.
		kdir=$("$(vp_repo)/harness/kernel.sh" "$k")
		[ "$(cat "$kdir/release")" = "${release[$k]}" ] ||
			vp_die "kernel $k is now $(cat "$kdir/release"), not ${release[$k]} as at the start of the campaign: stopping"
		if ! attempt "$b" "$k"; then
			if vp_interrupted; then
				vp_log "campaign $dir interrupted; every attempt is in campaign.csv"
				exit "$(vp_signal_status)"
			fi
			vp_log "boot $((b + 1)) of kernel $k is not complete; going on with the others"
			failed=$((failed + 1))
		fi
	done
done
retried=$(awk -F, 'NR > 1 && $3 > 1' "$dir/campaign.csv" | wc -l)
vp_log "campaign in $dir: $((boots * ${#specs[@]} - failed)) of $((boots * ${#specs[@]})) boots complete, $retried retried attempt(s) (campaign.csv)"
vp_log "compare with: make compare A=$dir/<kernel> B=$dir/<kernel>"
[ "$failed" = 0 ]
