#!/bin/bash
# shellcheck source-path=SCRIPTDIR/..
# Submit the jobs of a campaign (harness/lava/jobs.sh) to a LAVA lab with
# lavacli, in plan order, and wait for them with a progress line.
# `make lava-submit` calls this.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
	cat <<'EOF'
usage: submit.sh --jobs DIR --identity ID [--no-wait] [--poll S]

  --jobs DIR      a campaign of harness/lava/jobs.sh
  --identity ID   lavacli identity of the lab (lavacli identities list)
  --no-wait       submit and return
  --poll S        seconds between two looks at the jobs (default 15)

Each job of DIR/plan.csv is submitted once: DIR/submitted.csv (job file,
LAVA job id) grows by a row per job as it is submitted, so a second call
submits only what the first did not. Then, unless --no-wait, it prints
every --poll seconds how many jobs are queued, running and finished, and
returns when all are finished.

Exit: 0 every job finished Complete; 1 a job could not be submitted or
finished otherwise (Incomplete, Canceled: collect.sh makes it a failed
run); 2 bad usage.

Example:
  harness/lava/submit.sh --jobs lava/campaign-X --identity vfio-perf-lab
EOF
}

jobs="" identity="" wait=1 poll=15
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--no-wait) wait=0; shift; continue ;;
	--jobs | --identity | --poll) vp_need_value "$1" $# ;;
	*) vp_usage_error "unknown option '$1'" ;;
	esac
	case $1 in
	--jobs) jobs=$2 ;;
	--identity) identity=$2 ;;
	--poll) poll=$2 ;;
	esac
	shift 2
done
[ -n "$jobs" ] || vp_usage_error "--jobs DIR is required"
[ -f "$jobs/plan.csv" ] || vp_usage_error "--jobs $jobs is not a campaign of harness/lava/jobs.sh (no plan.csv)"
[ -n "$identity" ] || vp_usage_error "--identity ID is required (lavacli identities list)"
[[ $poll =~ ^[1-9][0-9]{0,3}$ ]] || vp_usage_error "--poll must be a number of seconds from 1 to 9999, not '$poll'"
vp_need_cmd lavacli
vp_trap_signals

sub=$jobs/submitted.csv
[ -f "$sub" ] || echo "job,lava_id" >"$sub"
bad=0
while IFS=, read -r job _; do
	grep -q "^$job," "$sub" && continue
	if id=$(lavacli -i "$identity" jobs submit "$jobs/jobs/$job" 2>"$jobs/submit.err"); then
		echo "$job,$id" >>"$sub"
		vp_log "submitted $job: LAVA job $id"
	else
		vp_log "error: $job: $(head -n 1 "$jobs/submit.err")"
		bad=1
	fi
done < <(tail -n +2 "$jobs/plan.csv")
rm -f "$jobs/submit.err"
[ "$wait" = 1 ] || exit "$bad"

# state_of ID: "STATE HEALTH" of a job.
state_of() {
	lavacli -i "$identity" jobs show "$1" --yaml 2>/dev/null |
		awk '/^state: / { s = $2 } /^health: / { h = $2 } END { print s, h }'
}

start=$SECONDS
mapfile -t ids < <(tail -n +2 "$sub" | cut -d, -f2)
while :; do
	declare -A count=()
	finished=0 not_complete=0
	for id in "${ids[@]}"; do
		read -r state health <<<"$(state_of "$id")"
		count[${state:-unknown}]=$((${count[${state:-unknown}]:-0} + 1))
		if [ "$state" = Finished ]; then
			finished=$((finished + 1))
			[ "$health" = Complete ] || not_complete=$((not_complete + 1))
		fi
	done
	line=""
	for s in "${!count[@]}"; do
		line+="${line:+, }${count[$s]} $s"
	done
	vp_log "$((SECONDS - start)) s: ${#ids[@]} job(s): $line"
	unset count
	if [ "$finished" = "${#ids[@]}" ]; then
		[ "$not_complete" = 0 ] || { vp_log "$not_complete job(s) did not finish Complete"; bad=1; }
		break
	fi
	vp_interrupted && exit "$(vp_signal_status)"
	sleep "$poll" &
	wait $! || true
	vp_interrupted && exit "$(vp_signal_status)"
done
vp_log "collect with: make lava-collect CAMPAIGN=$(basename "$jobs") LAVA=$identity"
exit "$bad"
