#!/bin/bash
# Run one suite on several kernels, interleaved boot by boot (A B C A B C
# ...), so that drift of a shared, noisy host hits every kernel alike.
# Each boot is its own run directory, grouped per kernel:
#
#   results/campaign-<UTC time>/<kernel>/<run-id>/
#
# so that `vfio-perf-compare results/campaign-X/<A> results/campaign-X/<B>`
# treats boots as the unit of repetition.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: campaign.sh --kernels "SPEC SPEC..." [--boots N] [bench.sh options]

  --kernels LIST   kernel specs (see harness/kernel.sh --help), at least one
  --boots N        boots per kernel (default 3)
  --results DIR    parent of the campaign directory (default results/)
  other options    passed to every bench.sh run (--suite, --accel, --mem, ...)
EOF
}

kernels="" boots=3 results=$(vp_repo)/results
pass=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) kernels=${2:?}; shift 2 ;;
	--boots) boots=${2:?}; shift 2 ;;
	--results) results=${2:?}; shift 2 ;;
	--boot | --target | --device) vp_usage_error "$1 is chosen by the campaign (qemu target, one boot index per round)" ;;
	-h | --help) usage; exit 0 ;;
	*) pass+=("$1"); shift ;;
	esac
done
read -r -a specs <<<"$kernels"
[ ${#specs[@]} -gt 0 ] || vp_usage_error "--kernels needs at least one kernel spec"
[[ $boots =~ ^[1-9][0-9]*$ ]] || vp_usage_error "--boots must be a positive number"

# Provision every kernel first: a typo should fail now, not after an hour.
declare -A release=()
for k in "${specs[@]}"; do
	kdir=$("$(vp_repo)/harness/kernel.sh" "$k")
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
printf '%s\n' "kernels=$kernels" "boots=$boots" "options=${pass[*]}" >"$dir/campaign.txt"
failed=0
for ((b = 0; b < boots; b++)); do
	for k in "${specs[@]}"; do
		label=$(printf '%s' "$k" | sed 's/[^A-Za-z0-9._-]/_/g')
		vp_log "boot $((b + 1))/$boots of kernel $k"
		# A spec must mean the same kernel all along (a build:NAME whose
		# patches changed, a suite that got a new kernel): boots of two
		# kernels under one label would be compared as one.
		kdir=$("$(vp_repo)/harness/kernel.sh" "$k")
		[ "$(cat "$kdir/release")" = "${release[$k]}" ] ||
			vp_die "kernel $k is now $(cat "$kdir/release"), not ${release[$k]} as at the start of the campaign: stopping"
		if ! "$(vp_repo)/harness/bench.sh" --kernel "$k" --boot "$b" \
			--results "$dir/$label" --no-plot "${pass[@]}"; then
			vp_log "boot $((b + 1)) of kernel $k failed; going on with the others"
			failed=$((failed + 1))
		fi
	done
done
vp_log "campaign in $dir ($failed failed boots)"
vp_log "compare with: make compare A=$dir/<kernel> B=$dir/<kernel>"
[ "$failed" = 0 ]
