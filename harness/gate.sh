# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # the run state is bench.sh's, which sources this
# The selftest gate and the exec steps of a run, sourced by bench.sh
# (README.md, "The selftest gate" and "Your own programs"): which VFIO
# selftests the guest runs, how their output and the exec steps' exit
# statuses become cases.csv rows (vfio-perf-ktap), and what the run keeps
# of their output. Uses bench.sh's run state: repo, SCRATCH, SHARE,
# RUN_ID, RUN_DIR, META, steps, selftests, checkpoint and portable.

SELFTESTS_DIR=""	# the kernel's built VFIO selftests (selftests.sh), or ""
GATE=""		# why the gate failed: "selftest PROGRAM: N of M failed; ..."
KTAP=$repo/build/release/vfio-perf-ktap

# provision_selftests KDIR: the kernel's VFIO selftests, built once per
# source (harness/selftests.sh), listed for the guest as lines
# "PROGRAM DEVICE NEEDS" (harness/selftests.conf) in SCRATCH/selftests.list.
provision_selftests() {
	local out rc=0 p
	if [ "$selftests" = 0 ]; then
		META+=("selftests=none (--no-selftests)")
		return 0
	fi
	vp_run "$repo/harness/selftests.sh" --kernel-dir "$1" >"$SCRATCH/selftests" || rc=$?
	checkpoint
	[ "$rc" = 0 ] || exit "$rc"	# selftests.sh said why
	out=$(<"$SCRATCH/selftests")
	if [[ $out == none* ]]; then
		META+=("selftests=$out")
		return 0
	fi
	[ -x "$KTAP" ] || vp_die "$KTAP is not built (run make build)"
	SELFTESTS_DIR=$out
	META+=("selftests_source=$(portable "$(paste -sd';' "$out/source")")")
	while read -r p; do
		sed 's/#.*//' "$repo/harness/selftests.conf" |
			awk -v p="$p" '$1 == p { print $1, $2, $3; found = 1 }
				END { if (!found) print p, "dma", "-" }'
	done <"$out/programs" >"$SCRATCH/selftests.list"
}

# judge_selftests: each selftest program's output (the share's
# selftests/) read by vfio-perf-ktap into the rows of raw/selftests/;
# GATE says which programs had failures, META how many passed.
judge_selftests() {
	local d=$SHARE/selftests out=$SHARE/raw/selftests p args line rc
	local total pass fail skip np=0 sums=(0 0 0 0) failed=()
	[ -s "$SHARE/selftests.list" ] || return 0
	mkdir -p "$out/programs"
	while read -r p _; do
		args=(--run-id "$RUN_ID" --program "$p" --out "$out/programs/$p.csv")
		[ ! -s "$d/$p.list" ] || args+=(--list "$d/$p.list")
		if [ -f "$d/$p.skip" ]; then
			args+=(--exit 0 --skip "$(<"$d/$p.skip")")
		elif [ -f "$d/$p.tap" ]; then
			# No exit file: the guest stopped while it ran (125).
			args+=(--exit "$(cat "$d/$p.exit" 2>/dev/null || echo 125)")
			[ ! -f "$d/$p.not-run" ] || args+=(--not-run "$(<"$d/$p.not-run")")
			args+=("$d/$p.tap")
		else
			continue	# never started: the run's status says why
		fi
		rc=0
		line=$("$KTAP" "${args[@]}" 2>"$SCRATCH/ktap.err") || rc=$?
		if [ "$rc" -gt 1 ]; then
			GATE="selftests could not be judged: $(head -n 1 "$SCRATCH/ktap.err")"
			return 0
		fi
		read -r _ total pass fail skip <<<"$line"
		np=$((np + 1))
		sums=($((sums[0] + total)) $((sums[1] + pass)) $((sums[2] + fail)) $((sums[3] + skip)))
		[ "$fail" = 0 ] || failed+=("selftest $p: $fail of $total failed")
	done <"$SHARE/selftests.list"
	((np)) || return 0
	{
		head -n 1 "$(find "$out/programs" -name '*.csv' | head -n 1)"
		while read -r p _; do
			[ ! -f "$out/programs/$p.csv" ] || tail -n +2 "$out/programs/$p.csv"
		done <"$SHARE/selftests.list"
	} >"$out/cases.csv"
	rm -rf "$out/programs"
	echo "${#failed[@]}" >"$out/exit"
	META+=("selftests=${sums[1]} passed, ${sums[2]} failed, ${sums[3]} skipped of ${sums[0]} ($np programs)")
	if ((${#failed[@]})); then
		GATE=$(printf '%s; ' "${failed[@]}")
		GATE=${GATE%; }
	fi
}

# judge_execs: each exec step's exit status as its row (raw/NAME/cases.csv).
judge_execs() {
	local s name prog args d rc
	for s in "${steps[@]}"; do
		read -r name prog args <<<"$s"
		d=$SHARE/raw/$name
		if [ "$prog" != exec ] || ! [ -f "$d/exit" ]; then
			continue
		fi
		rc=0
		"$KTAP" --run-id "$RUN_ID" --exec "$name" --program "${args%% *}" \
			--exit "$(<"$d/exit")" --out "$d/cases.csv" >/dev/null 2>"$SCRATCH/ktap.err" || rc=$?
		[ "$rc" -le 1 ] || vp_log "error: exec $name: $(head -n 1 "$SCRATCH/ktap.err")"
	done
}

# keep_outputs: what the guest kept verbatim goes into the run: the
# selftests' output (selftests/) and each exec step's raw/NAME/ (stdout,
# stderr, exit, out/), never deleted with the share.
keep_outputs() {
	local s name prog
	if [ -d "$SHARE/selftests" ] && [ ! -e "$RUN_DIR/selftests" ]; then
		cp -r "$SHARE/selftests" "$RUN_DIR/selftests" 2>/dev/null || return 1
	fi
	for s in "${steps[@]}"; do
		read -r name prog _ <<<"$s"
		if [ "$prog" != exec ] || ! [ -d "$SHARE/raw/$name" ] || [ -e "$RUN_DIR/raw/$name" ]; then
			continue
		fi
		mkdir -p "$RUN_DIR/raw" && cp -r "$SHARE/raw/$name" "$RUN_DIR/raw/" 2>/dev/null &&
			rm -f "$RUN_DIR/raw/$name/cases.csv" || return 1
	done
}
