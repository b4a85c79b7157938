#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The steps of a suite that can produce a case whose name matches a regex.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF2'
usage: suite-cut.sh [--bindir DIR] SUITE REGEX

Print SUITE (harness/suites/NAME.suite or a suite file) with only the
`step` lines whose program, asked with --cases, names a case matching
REGEX (extended, as vfio-perf-compare's table names cases:
dma/anon-4k-frag/type1v2/256M/unmap); comments and `exec` lines are kept.
--cases lists every case of the step with every judged metric of the
schema, so the cut may keep a step too many, never drop one the case
needs. What a bisection (harness/bisect-step.sh) boots for each commit.

  --bindir DIR   where vfio-dma-bench and vfio-mmio-bench are
                 (default build/release)

Exit: 0, 1 no step matches REGEX or a program refused its step, 2 bad usage.

Example:
  harness/suite-cut.sh patches-dma '^dma/hugetlb-2m-frag/type1v2/1G/unmap$'
EOF2
}

bindir=$(vp_repo)/build/release
args=()
while (($#)); do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--bindir) vp_need_value "$1" $#; bindir=$2; shift 2 ;;
	-*) vp_usage_error "unknown option '$1'" ;;
	*) args+=("$1"); shift ;;
	esac
done
((${#args[@]} == 2)) || vp_usage_error "want SUITE and REGEX"
suite=${args[0]} re=${args[1]}
file=$suite
[[ -f $file ]] || file=$(vp_repo)/harness/suites/$suite.suite
[[ -f $file ]] || vp_usage_error "no suite '$suite' (harness/suites/NAME.suite or a file)"
# An invalid regex is gawk's fatal error: test it once.
gawk -v re="$re" 'BEGIN { if ("" ~ re) {} }' 2>/dev/null || vp_usage_error "'$re' is not an extended regular expression"

out=() kept=0 steps=0
while IFS= read -r line; do
	if [[ $line =~ ^step[[:space:]]+([^[:space:]]+)[[:space:]]+([^[:space:]]+)(.*)$ ]]; then
		name=${BASH_REMATCH[1]} prog=${BASH_REMATCH[2]}
		steps=$((steps + 1))
		[[ $prog == vfio-dma-bench || $prog == vfio-mmio-bench ]] ||
			vp_die "$suite: step $name: unknown program $prog"
		# The suite's words, as guest-job.sh passes them.
		# shellcheck disable=SC2086
		names=$("$bindir/$prog" ${BASH_REMATCH[3]} --cases) ||
			vp_die "$suite: step $name: $prog refused its arguments"
		gawk -v re="$re" '$0 ~ re { found = 1; exit } END { exit !found }' <<<"$names" || continue
		kept=$((kept + 1))
	fi
	out+=("$line")
done <"$file"
((kept)) || vp_die "no step of $suite has a case matching '$re'"
printf '%s\n' "${out[@]}"
vp_log "$kept of $steps step(s) of $suite have a case matching '$re'"
