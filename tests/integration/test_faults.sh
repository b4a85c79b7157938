#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Fault injection: every way a run can go wrong must end with the right
# exit status, one clear message first, no QEMU or ivshmem file left
# behind, and a run directory that is either complete (status ok) or
# named *.incomplete with a status row saying failed, interrupted or lost,
# keeping what was measured before the fault. Boots the guest eleven times
# with a two-step suite (the second step slow enough to be interrupted);
# about three minutes under TCG.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

b=$repo/harness/bench.sh
cache=${VFIO_PERF_CACHE:-$repo/.cache}
cat >"$tmp/two.suite" <<'EOF'
step a vfio-dma-bench --size 4M --reps 1 --warmup 0 --iface type1v2 --backing anon-4k
step b vfio-dma-bench --size 1G --reps 50 --warmup 0 --iface type1v2 --backing anon-4k
EOF
args=(--suite "$tmp/two.suite" --accel tcg --no-plot)

# The one run directory under $1.
run_of() {
	local d
	d=$(find "$1" -mindepth 1 -maxdepth 1 -type d)
	[ "$(printf '%s\n' "$d" | grep -c .)" = 1 ] || { fail "$1 holds '$d', not one run"; return; }
	printf '%s\n' "$d"
}

meta() {
	csvq "$1/meta.csv" "\$1 == \"$2\"" 'v = $2; gsub(/^"|"$/, "", v); print v'
}

# The first line of $1 that is an error or an interrupt.
first_message() {
	grep -m1 -E '(error|interrupted)' "$1" || true
}

# no_leftovers RUN NAME [keep]: no QEMU of the run runs any more, and its
# share in the cache is gone (unless kept on purpose).
no_leftovers() {
	local id
	id=$(basename "${1%.incomplete}")
	if pgrep -f "qemu-system-x86_64 .*/runs/$id" >/dev/null; then
		fail "$2: a QEMU of this run is still running"
	fi
	if compgen -G "$cache/runs/$id*" >/dev/null && [ "${3:-}" != keep ]; then
		fail "$2: the run's share is still in the cache"
	fi
}

# run_id DIR: the id of the run being made in DIR (its .incomplete name).
run_id() {
	local d
	for d in "$1"/*.incomplete; do
		[ -d "$d" ] && basename "$d" .incomplete && return 0
	done
}

# expect_run NAME DIR STATUS-REGEX: an .incomplete run whose status says so.
expect_run() {
	local run
	run=$(run_of "$2")
	[ -n "$run" ] || return 0
	[[ $run == *.incomplete ]] || fail "$1: run $run is not named .incomplete"
	meta "$run" status | grep -qE "$3" || fail "$1: status '$(meta "$run" status)' does not match /$3/"
	printf '%s\n' "$run"
}

# expect_step_a NAME RUN: the first step's samples were kept.
expect_step_a() {
	local n
	n=$(csvq "$2/samples.csv" '$c["metric"] == "map" && $c["size_bytes"] == 4194304' 'n++ } END { print n + 0')
	expect_eq "$1: samples of the step measured before the fault" "$n" 1
	expect_eq "$1: meta step.a.exit" "$(meta "$2" step.a.exit)" 0
}

# start NAME: bench.sh in the background, in its own process group and
# with SIGINT at its default (a shell starts background jobs with SIGINT
# ignored, and so would this test's own caller), so that it takes SIGINT
# like a command in a terminal does.
start() {
	set -m
	env --default-signal=INT,TERM "$b" "${args[@]}" --results "$tmp/$1" >"$tmp/$1.log" 2>&1 &
	pid=$!
	set +m
	for _ in $(seq 400); do
		grep -q 'step a: exit' "$tmp/$1.log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	grep -q 'step a: exit' "$tmp/$1.log" || fail "$1: the first step never ended: $(tail -n 5 "$tmp/$1.log")"
	sleep 2
}

# wait_run: wait for the run start() began; sets rc and secs.
wait_run() {
	local t0=$SECONDS
	rc=0
	wait "$pid" 2>/dev/null || rc=$?
	secs=$((SECONDS - t0))
}

# 1. A kernel spec that does not exist: kernel.sh's own error and status,
#    and no run directory at all.
expect 1 "^kernel.sh: error: no amd64 kernel 6\.12\.999\.\* in bookworm" \
	"$b" "${args[@]}" --kernel 6.12.999 --results "$tmp/nokernel"
[ ! -e "$tmp/nokernel" ] || [ -z "$(ls -A "$tmp/nokernel")" ] || fail "nokernel: a run directory was made"

# 2. SIGINT and SIGTERM while the second step runs: stop within seconds,
#    keep the first step's results, say interrupted.
for sig in INT TERM; do
	start "sig$sig"
	kill "-$sig" "$pid"
	wait_run
	want=130
	[ "$sig" = INT ] || want=143
	expect_eq "SIG$sig: exit" "$rc" "$want"
	((secs <= 20)) || fail "SIG$sig: took $secs s to stop"
	case $(first_message "$tmp/sig$sig.log") in
	"bench.sh: interrupted (SIG$sig): stopping") ;;
	*) fail "SIG$sig: first message: $(first_message "$tmp/sig$sig.log")" ;;
	esac
	run=$(expect_run "SIG$sig" "$tmp/sig$sig" "^interrupted \(SIG$sig\)$")
	[ -z "$run" ] || expect_step_a "SIG$sig" "$run"
	[ -z "$run" ] || no_leftovers "$run" "SIG$sig"
done

# 3. QEMU killed under the guest's feet.
start qkill
# Only this run's QEMU: the cache, and so other people's guests, may be shared.
id=$(run_id "$tmp/qkill")
[ -n "$id" ] || fail "qkill: no run directory"
pkill -KILL -f "qemu-system-x86_64 .*$cache/runs/$id" || fail "qkill: no QEMU to kill"
wait_run
expect_eq "QEMU SIGKILL: exit" "$rc" 3
expect_eq "QEMU SIGKILL: first message" "$(first_message "$tmp/qkill.log")" \
	"qemu.sh: error: QEMU was killed by signal 9 (KILL) before the job ended"
run=$(expect_run "QEMU SIGKILL" "$tmp/qkill" '^failed \(guest: QEMU was killed by signal 9')
[ -z "$run" ] || expect_step_a "QEMU SIGKILL" "$run"
[ -z "$run" ] || no_leftovers "$run" "QEMU SIGKILL"

# 3b. The harness itself killed: its guest stops within seconds, and the
#     run directory it leaves says lost.
start hkill
id=$(run_id "$tmp/hkill")
kill -KILL "$pid"
wait_run
for _ in $(seq 20); do
	pgrep -f "qemu-system-x86_64 .*/runs/$id" >/dev/null || break
	sleep 1
done
run=$(expect_run "bench.sh SIGKILL" "$tmp/hkill" '^lost \(the harness stopped')
[ -z "$run" ] || no_leftovers "$run" "bench.sh SIGKILL" keep
[ -z "$run" ] || rm -rf "$cache/runs/$(basename "${run%.incomplete}")"*

# 3c. The ivshmem file of a qemu.sh that was killed outright (no trap
#     ran) is RAM held for nothing: the next boot removes it, unless a
#     live process still has it open.
sh -c 'exit 0' &
dead=$!
wait "$dead"
stale=/dev/shm/vfio-perf-$dead-faults
held=/dev/shm/vfio-perf-$dead-held
head -c 4096 /dev/zero >"$stale"
head -c 4096 /dev/zero >"$held"
(exec 3<"$held" && sleep 300) &
holder=$!

# 4. A guest kernel that panics at boot (no init to run): exit 3 at once,
#    the panic named, and the metadata of what was tried.
rc=0
"$b" "${args[@]}" --append rdinit=/nonexistent --results "$tmp/panic" >"$tmp/panic.log" 2>&1 || rc=$?
[ ! -e "$stale" ] || fail "stale ivshmem file $stale was not removed"
grep -q "qemu.sh: removed $stale, the ivshmem memory of a killed run" "$tmp/panic.log" ||
	fail "no message about removing $stale"
[ -e "$held" ] || fail "an ivshmem file a live process holds open was removed"
pkill -P "$holder" 2>/dev/null || true
kill "$holder" 2>/dev/null || true
rm -f "$stale" "$held"
expect_eq "panic: exit" "$rc" 3
first_message "$tmp/panic.log" | grep -q '^qemu.sh: error: kernel panic: VFS: Unable to mount root' ||
	fail "panic: first message: $(first_message "$tmp/panic.log")"
run=$(expect_run panic "$tmp/panic" '^failed \(guest: kernel panic: VFS')
if [ -n "$run" ]; then
	expect_eq "panic: meta cmdline_append" "$(meta "$run" cmdline_append)" rdinit=/nonexistent
	expect_eq "panic: meta kernel_spec" "$(meta "$run" kernel_spec)" 6.12
	[ -s "$run/console.log" ] || fail "panic: no console.log"
	[ ! -e "$run/samples.csv" ] || fail "panic: a samples.csv"
	no_leftovers "$run" panic
fi

# 4b. Every case skipped (stock kernels have no IOMMUFD): exit 4, and the
#     run says skipped, never ok.
printf 'step fd vfio-dma-bench --size 4M --reps 1 --iface iommufd --backing anon-4k\n' >"$tmp/skip.suite"
rc=0
"$b" --suite "$tmp/skip.suite" --accel tcg --no-plot --results "$tmp/skip" >"$tmp/skip.log" 2>&1 || rc=$?
expect_eq "all skipped: exit" "$rc" 4
run=$(expect_run "all skipped" "$tmp/skip" '^skipped \(every case skipped')
if [ -n "$run" ]; then
	csvq "$run/cases.csv" '$c["status"] == "skip" && $c["reason"] ~ /IOMMUFD/' 'n++ } END { exit n != 1' ||
		fail "all skipped: cases.csv lacks the skip and its reason"
fi

# 4c. A campaign whose guest always panics: every attempt is booted and
#     recorded, the replaced ones move to failed-attempts/, the last stays
#     in the side as .incomplete, and the campaign fails.
rc=0
"$repo/harness/campaign.sh" --kernels 6.12 --boots 1 --retries 2 --suite "$tmp/two.suite" \
	--accel tcg --append rdinit=/nonexistent --results "$tmp/camp" >"$tmp/camp.log" 2>&1 || rc=$?
expect_eq "campaign: exit" "$rc" 1
c=$(find "$tmp/camp" -mindepth 1 -maxdepth 1 -name 'campaign-*' -type d)
if [ -n "$c" ]; then
	expect_eq "campaign: attempts recorded" "$(tail -n +2 "$c/campaign.csv" | cut -d, -f3,4 | paste -sd' ')" "1,3 2,3 3,3"
	expect_eq "campaign: replaced attempts" "$(find "$c/6.12/failed-attempts" -mindepth 1 -maxdepth 1 -name '*.incomplete' | wc -l)" 2
	expect_eq "campaign: the attempt left in the side" "$(find "$c/6.12" -mindepth 1 -maxdepth 1 -name '*.incomplete' | wc -l)" 1
else
	fail "campaign: no campaign directory"
fi

# 5. A results disk too small for the run: the collection fails, the run
#    says lost, and the guest's raw results stay in the cache.
mkdir -p "$tmp/full"
if mount -t tmpfs -o size=36k tmpfs "$tmp/full" 2>/dev/null; then
	trap 'umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"' EXIT
	args=(--suite "$tmp/two.suite" --accel tcg --no-plot)
	sed -i '2d' "$tmp/two.suite"
	rc=0
	"$b" "${args[@]}" --results "$tmp/full" >"$tmp/full.log" 2>&1 || rc=$?
	expect_eq "full disk: exit" "$rc" 1
	first_message "$tmp/full.log" | grep -qE '^(collect|bench)\.sh: error: cannot (write|copy) ' ||
		fail "full disk: first message: $(first_message "$tmp/full.log")"
	run=$(expect_run "full disk" "$tmp/full" '^lost ')
	kept=$(sed -n 's/^bench.sh: the raw results are kept in //p' "$tmp/full.log")
	if [ -z "$kept" ] || ! compgen -G "$kept/raw/a/samples.csv" >/dev/null; then
		fail "full disk: raw results not kept ($kept)"
	fi
	[ -z "$run" ] || no_leftovers "$run" "full disk" keep
	rm -rf "$kept"
else
	fail "full disk: cannot mount a tmpfs (the test needs root)"
fi
finish
