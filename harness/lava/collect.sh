#!/bin/bash
# shellcheck source-path=SCRIPTDIR/..
# Bring the finished LAVA jobs of a campaign back as ordinary run
# directories: results/NAME/SIDE/<run-id>/, collected by bench.sh
# --replay from what the guest handed back in the job's log (the archive
# of harness/guest-embedded.sh), checked against LAVA's structured
# results, with the LAVA job id, worker and device in meta.csv and the
# guest's console as console.log. A job that failed, was cancelled or
# did not hand its archive back is a run that failed (<run-id>.incomplete,
# status failed (guest: LAVA job N ...)): `make compare` refuses it.
# `make lava-collect` calls this.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() {
	cat <<'EOF'
usage: collect.sh --jobs DIR [--identity ID] [--results DIR]

  --jobs DIR      a campaign of harness/lava/jobs.sh, submitted by
                  submit.sh (DIR/submitted.csv: job file, LAVA job id)
  --identity ID   lavacli identity of the lab: fetch each job's details,
                  results, log and device into DIR/fetched/<LAVA id>/
                  (job.yaml, results.yaml, log.yaml, device.yaml); without
                  it, what DIR/fetched/ holds already is collected
  --results DIR   parent of the campaign's results (default results/)

Every job of plan.csv becomes RESULTS/NAME/SIDE/<run-id> (complete) or
<run-id>.incomplete (failed: the reason is its meta.csv status), and a
row of RESULTS/NAME/lava.csv. A job not finished yet is left for a later
collect; one collected already is not collected again.

Exit: 0 every job is collected and complete; 1 a run failed or a job is
not finished; 2 bad usage.

Example:
  harness/lava/collect.sh --jobs lava/campaign-X --identity vfio-perf-lab
EOF
}

jobs="" identity="" results=$(vp_repo)/results
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--jobs | --identity | --results) vp_need_value "$1" $# ;;
	*) vp_usage_error "unknown option '$1'" ;;
	esac
	case $1 in
	--jobs) jobs=$2 ;;
	--identity) identity=$2 ;;
	--results) results=$2 ;;
	esac
	shift 2
done
[ -n "$jobs" ] || vp_usage_error "--jobs DIR is required"
if ! [ -f "$jobs/plan.csv" ] || ! [ -f "$jobs/campaign.txt" ]; then
	vp_usage_error "--jobs $jobs is not a campaign of harness/lava/jobs.sh (no plan.csv)"
fi
[ -f "$jobs/submitted.csv" ] || vp_usage_error "$jobs has no submitted.csv: submit it first (make lava-submit)"
jobs=$(cd "$jobs" && pwd)
[ -z "$identity" ] || vp_need_cmd lavacli

setting() {
	sed -n "s/^$1=//p" "$jobs/campaign.txt" | head -n 1
}
name=$(setting name)
suite=$(setting suite)
# A suite file named relative to the source tree.
[ -f "$suite" ] || [ ! -f "$(vp_repo)/$suite" ] || suite=$(vp_repo)/$suite
campaign=$results/$name
mkdir -p "$campaign"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vfio-perf-lava.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# yaml_field FILE KEY: a top-level scalar of lavacli's YAML.
yaml_field() {
	sed -n "s/^$2: //p" "$1" | head -n 1 | sed "s/^'\\(.*\\)'\$/\\1/"
}

# fetch ID DIR: the job as lavacli gives it.
fetch() {
	local id=$1 d=$2 dev
	mkdir -p "$d"
	lavacli -i "$identity" jobs show "$id" --yaml >"$d/job.yaml.tmp" &&
		mv "$d/job.yaml.tmp" "$d/job.yaml" || return 1
	[ "$(yaml_field "$d/job.yaml" state)" = Finished ] || return 0
	lavacli -i "$identity" results "$id" --yaml >"$d/results.yaml.tmp" &&
		lavacli -i "$identity" jobs logs "$id" --raw >"$d/log.yaml.tmp" || return 1
	dev=$(yaml_field "$d/job.yaml" device)
	if [ -n "$dev" ] && [ "$dev" != null ]; then
		lavacli -i "$identity" devices show "$dev" --yaml >"$d/device.yaml" || return 1
	fi
	mv "$d/results.yaml.tmp" "$d/results.yaml"
	mv "$d/log.yaml.tmp" "$d/log.yaml"
}

# split_log LOG DIR: from the job's log (one JSON object a line), the
# guest's console (DIR/console.log, its first line the QEMU command as
# LAVA ran it), the archive (DIR/archive.b64, its sha256 and size in
# DIR/archive.sum) and LAVA's last error (DIR/error).
split_log() {
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import json
import sys

log, out = sys.argv[1:]
console, archive, total, error = [], [], None, ""
inside = False
with open(log, errors="replace") as f:
    for line in f:
        if not line.startswith("- {"):
            continue
        try:
            entry = json.loads(line[2:])
        except ValueError:
            continue
        msg, lvl = entry.get("msg"), entry.get("lvl")
        if lvl == "info" and isinstance(msg, str) and msg.startswith("Boot command: "):
            console.append("# " + msg[len("Boot command: "):])
        if lvl == "results" and isinstance(msg, dict) and msg.get("error_msg"):
            error = str(msg["error_msg"])
        if lvl != "target" or not isinstance(msg, str):
            continue
        console.append(msg)
        if msg.startswith("vfio-perf-archive-begin "):
            inside, archive, total = True, [], msg.split()[1:3]
        elif msg == "vfio-perf-archive-end":
            inside = False
        elif inside:
            archive.append(msg.strip())
with open(out + "/console.log", "w") as f:
    f.write("\n".join(console) + "\n")
if total and not inside:
    with open(out + "/archive.b64", "w") as f:
        f.write("\n".join(archive) + "\n")
    with open(out + "/archive.sum", "w") as f:
        f.write(" ".join(total) + "\n")
with open(out + "/error", "w") as f:
    f.write(error + "\n" if error else "")
EOF
}

# unpack DIR SHARE: the archive into SHARE, if whole. Prints why not.
unpack() {
	local d=$1 share=$2 sum size
	[ -s "$d/archive.sum" ] || { echo "the guest handed no archive back"; return 1; }
	read -r sum size <"$d/archive.sum"
	base64 -d "$d/archive.b64" >"$d/archive.tgz" 2>/dev/null || { echo "its archive is not base64"; return 1; }
	if [ "$(wc -c <"$d/archive.tgz")" != "$size" ] ||
		[ "$(sha256sum "$d/archive.tgz" | cut -d' ' -f1)" != "$sum" ]; then
		echo "its archive came back damaged (size or sha256 differs)"
		return 1
	fi
	tar -xzf "$d/archive.tgz" -C "$share" || { echo "its archive does not unpack"; return 1; }
}

# crosscheck RESULTS SHARE: every sample of the archive is a test case of
# LAVA's results with the same value and unit, and no other measurement
# is there. Prints the first difference.
crosscheck() {
	local f
	for f in "$2"/raw/*/samples.csv; do
		[ -f "$f" ] || continue
		awk -f "$(vp_repo)/harness/sample-names.awk" "$f" |
			sed "s|^|$(basename "$(dirname "$f")") |"
	done | sort >"$SCRATCH/archive.txt"
	# lavacli's YAML: name, measurement, unit and the set of each case of
	# the test definition.
	awk '
		/^- id: / { if (n != "") out(); n = ""; m = ""; u = ""; s = ""; d = 0 }
		/^  name: / { n = $2 }
		/^  measurement: / { m = $2; gsub("\x27", "", m) }
		/^  unit: / { u = $2; gsub("\x27", "", u) }
		/^  suite: / { d = ($2 ~ /_vfio-perf$/) }
		/set: / { t = $0; sub(/.*set: /, "", t); sub(/[,}].*/, "", t); s = t }
		function out() { if (d && m != "None" && m != "" && n !~ /^(case\.|job$)/) print s, n, m, u }
		END { if (n != "") out() }
	' "$1" | sort >"$SCRATCH/lava.txt"
	awk 'NR == FNR { a[$1 " " $2] = $3 " " $4; next }
		{
			k = $1 " " $2
			if (!(k in a)) { print "LAVA has " k " that the archive lacks"; bad = 1; exit }
			split(a[k], v, " ")
			d = v[1] - $3; if (d < 0) d = -d
			if (d > 1e-9 * ($3 < 0 ? -$3 : ($3 > 1 ? $3 : 1)) || v[2] != $4) {
				print k ": LAVA has " $3 " " $4 ", the archive " a[k]; bad = 1; exit
			}
			seen[k] = 1
		}
		END {
			if (bad) exit 1
			for (k in a) if (!(k in seen)) { print "the archive has " k " that LAVA lacks"; exit 1 }
		}' "$SCRATCH/archive.txt" "$SCRATCH/lava.txt"
}

# collect_job JOB ROUND KERNEL SIDE BOOT RUN_ID LAVA_ID: one run.
collect_job() {
	local job=$1 round=$2 kernel=$3 side=$4 boot=$5 run_id=$6 id=$7
	local d=$jobs/fetched/$id w=$SCRATCH/$id share=$SCRATCH/$id/share
	local health device worker why="" rc=0 entry status
	if [ -n "$identity" ]; then
		fetch "$id" "$d" || { vp_log "error: job $id ($job): lavacli cannot fetch it"; return 1; }
	fi
	[ -f "$d/job.yaml" ] || { vp_log "error: job $id ($job): nothing fetched in $d"; return 1; }
	if [ "$(yaml_field "$d/job.yaml" state)" != Finished ]; then
		vp_log "job $id ($job) is $(yaml_field "$d/job.yaml" state): not finished, collect it later"
		return 1
	fi
	if ! [ -f "$d/log.yaml" ] || ! [ -f "$d/results.yaml" ]; then
		vp_log "error: job $id ($job): its log or results were not fetched"
		return 1
	fi
	health=$(yaml_field "$d/job.yaml" health)
	device=$(yaml_field "$d/job.yaml" device)
	worker=$(yaml_field "$d/device.yaml" worker 2>/dev/null) || worker=""
	mkdir -p "$share"
	split_log "$d/log.yaml" "$w"
	cp "$w/console.log" "$share/console.log"
	if ! why=$(unpack "$w" "$share"); then
		rm -f "$share/job.exit"
	elif ! grep -qx "RUN_ID='$run_id'" "$share/job.env" 2>/dev/null; then
		why="its archive is of run $(sed -n "s/^RUN_ID='\(.*\)'$/\1/p" "$share/job.env" 2>/dev/null), not $run_id"
		rm -rf "${share:?}"/*
		cp "$w/console.log" "$share/console.log"
	elif ! why=$(crosscheck "$d/results.yaml" "$share"); then
		why="its structured results disagree with the archive: $why"
		rm -f "$share/job.exit"
	elif [ "$health" != Complete ]; then
		why="the archive is whole, but LAVA says $health"
		rm -f "$share/job.exit"
	fi
	if [ -n "$why" ]; then
		# What the launcher was asked to run, as the guest says it.
		[ -f "$share/accel" ] || echo "accel=$(setting accel)" >"$share/accel"
		why="LAVA job $id ended $health on $device: $why"
		[ ! -s "$w/error" ] || why+=" ($(head -c 200 "$w/error"))"
		printf '%s\n' "$why" >"$share/guest.failure"
		vp_log "job $id ($job): $why"
	fi
	local qemu
	qemu=$(awk '/qemu_version: /{ v = $0; sub(/.*qemu_version: /, "", v); sub(/[}].*/, "", v); gsub("\x27", "", v); print v; exit }' "$d/results.yaml")
	local opts=(--replay "$share" --run-id "$run_id" --kernel "$kernel" --boot "$boot"
		--results "$campaign/$side" --suite "$suite" --accel "$(setting accel)"
		--mem "$(setting mem)" --cpus "$(setting cpus)" --no-plot
		--meta "lava_job_id=$id" --meta "lava_job=$job" --meta "lava_health=$health"
		--meta "lava_device=$device" --meta "lava_worker=$worker"
		--meta "lava_device_type=$(yaml_field "$d/job.yaml" device_type)"
		--meta "lava_campaign=$name" --meta "lava_round=$round"
		--meta "qemu_version=${qemu:+Debian package $qemu on LAVA worker $worker}")
	"$(vp_repo)/harness/bench.sh" "${opts[@]}" || rc=$?
	entry=$run_id
	[ -d "$campaign/$side/$entry" ] || entry=$run_id.incomplete
	status=$(sed -n 's/^status,//p' "$campaign/$side/$entry/meta.csv" 2>/dev/null | head -n 1 |
		sed 's/^"//; s/"$//; s/""/"/g')
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$job" "$id" "$round" "$(vp_csv_field "$kernel")" \
		"$boot" "$run_id" "$health" "$device" "$worker" "$rc" "$(vp_csv_field "${status:-lost}")" \
		>>"$campaign/lava.csv"
	[ "$rc" = 0 ]
}

[ -f "$campaign/lava.csv" ] || echo "job,lava_id,round,kernel,boot,run_id,health,device,worker,exit,status" >"$campaign/lava.csv"
declare -A lava_id=()
while IFS=, read -r job id; do
	lava_id[$job]=$id
done < <(tail -n +2 "$jobs/submitted.csv")
failed=0 done_=0 total=0
while IFS=, read -r job round kernel side boot run_id; do
	total=$((total + 1))
	kernel=${kernel#\"} kernel=${kernel%\"}
	if [ -z "${lava_id[$job]:-}" ]; then
		vp_log "job $job was not submitted"
		failed=$((failed + 1))
		continue
	fi
	if [ -e "$campaign/$side/$run_id" ] || [ -e "$campaign/$side/$run_id.incomplete" ]; then
		done_=$((done_ + 1))
		[ -e "$campaign/$side/$run_id" ] || failed=$((failed + 1))
		continue
	fi
	if collect_job "$job" "$round" "$kernel" "$side" "$boot" "$run_id" "${lava_id[$job]}"; then
		done_=$((done_ + 1))
	else
		failed=$((failed + 1))
		[ ! -e "$campaign/$side/$run_id.incomplete" ] || done_=$((done_ + 1))
	fi
done < <(tail -n +2 "$jobs/plan.csv")
vp_log "campaign $campaign: $done_ of $total job(s) collected, $((total - failed)) complete (lava.csv)"
[ "$failed" = 0 ]
