#!/bin/sh
# Runs inside the guest (busybox sh) when the job is embedded in the
# initramfs (bench.sh --prepare puts it in /etc/vfio-perf/job/ with
# guest-job.sh as job.sh) and there is no 9p share: the guest was booted
# by a launcher elsewhere, a LAVA lab, whose test shell runs
#
#   sh /etc/vfio-perf/job/run.sh RUN_ID BOOT ACCEL [KEY=VALUE...]
#
# (KEY=VALUE: more job.env settings, e.g. the PCI IDs and TARGET=host of
# a bare-metal machine.)
# It runs the job in a scratch copy of the share, exactly as /init runs
# it from the 9p share, and then hands back what the job wrote:
#
#   - to the console, as one gzipped tar in base64 between the lines
#     "vfio-perf-archive-begin SHA256 BYTES" and "vfio-perf-archive-end":
#     harness/lava/collect.sh cuts it out of the job's log, checks it, and
#     collects it with bench.sh --replay as any run;
#   - when LAVA's lava-test-case is on PATH, through LAVA's structured
#     results too: one test set per step, one test case per sample
#     (named by sample-names.awk, with its measurement and units), one
#     per case row of cases.csv (case.BENCH.BACKING.LEVEL.IFACE.SIZE.CHUNK.
#     UNMAPCHUNK: pass, skip or fail), and "job" (pass when the
#     job exited 0, its exit status as the measurement).
#
# Exits 0 once everything is handed back (the job's status is in the
# archive's job.exit and the "job" test case); 2 for bad usage.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: run.sh RUN_ID BOOT ACCEL [KEY=VALUE...]" >&2
	exit 2
fi
share=/tmp/vfio-perf-share
rm -rf "$share"
mkdir -p "$share"
cp /etc/vfio-perf/job/* "$share/"
cd "$share"
printf "RUN_ID='%s'\nBOOT=%s\n" "$1" "$2" >>job.env
# What the launcher was asked to run: its QEMU is not ours to ask.
echo "accel=$3" >accel
echo "vfio-perf: run $1, boot $2, accel $3"
shift 3
for kv; do
	case $kv in
	[A-Z]*=*) echo "$kv" >>job.env ;;
	*) echo "run.sh: '$kv' is not KEY=VALUE" >&2; exit 2 ;;
	esac
done

{
	sh ./job.sh </dev/null 2>&1
	echo $? >/tmp/job.rc
} | tee job.log
rc=$(cat /tmp/job.rc 2>/dev/null || echo 1)
echo "$rc" >job.exit
echo "vfio-perf: job exited with status $rc"

# report_step DIR: the test cases of one step's samples.csv and cases.csv,
# one a line: NAME RESULT [VALUE UNIT].
report_step() {
	d=$1
	if [ -f "$d/samples.csv" ]; then
		awk -f /etc/vfio-perf/job/sample-names.awk "$d/samples.csv" |
			while read -r name value unit; do
				echo "$name pass $value $unit"
			done
	fi
	if [ -f "$d/cases.csv" ]; then
		# The fields before status are plain (the reason, last, may be
		# quoted): bench to unmap_chunk_bytes, then status.
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			n = "case"
			for (i = c["bench"]; i <= c["unmap_chunk_bytes"]; i++)
				n = n "." ($i == "" ? "-" : $i)
			s = $c["status"]
			print n, s == "ok" ? "pass" : s == "skip" ? "skip" : "fail"
		}' "$d/cases.csv"
	fi
}

if command -v lava-test-case >/dev/null 2>&1; then
	for d in raw/*/; do
		[ -d "$d" ] || continue
		set_name=$(basename "$d")
		lava-test-set start "$set_name"
		report_step "$d" | while read -r name result value unit; do
			value=${value:-} unit=${unit:-}
			if [ -n "$value" ]; then
				lava-test-case "$name" --result "$result" --measurement "$value" --units "$unit"
			else
				lava-test-case "$name" --result "$result"
			fi
		done
		lava-test-set stop "$set_name"
	done
fi

sync
tar -czf /tmp/vfio-perf-share.tgz -C "$share" .
echo "vfio-perf-archive-begin $(sha256sum /tmp/vfio-perf-share.tgz | cut -d' ' -f1) $(wc -c </tmp/vfio-perf-share.tgz)"
base64 /tmp/vfio-perf-share.tgz
echo "vfio-perf-archive-end"
if command -v lava-test-case >/dev/null 2>&1; then
	result=fail
	[ "$rc" != 0 ] || result=pass
	lava-test-case job --result "$result" --measurement "$rc" --units status
fi
exit 0
