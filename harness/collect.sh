#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Merge the per-step result directories of one boot into a run directory:
# samples.csv and cases.csv concatenated under one header (no samples.csv
# when no step measured anything: the selftests and exec steps have rows
# in cases.csv only), and meta.csv
# with the harness's keys, then the steps' keys in suite order. A key is
# written once: a step whose value differs from the one already written
# gets its own row, prefixed step.NAME. (README.md, "Run directories".)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: collect.sh --raw DIR --run DIR [--order FILE] [--meta KEY=VALUE]...

  --raw DIR        directory with one subdirectory per step (samples.csv,
                   cases.csv, meta.csv, exit)
  --run DIR        run directory to write: it must exist and hold no
                   samples.csv or cases.csv; a meta.csv there must be the
                   placeholder of a run not yet collected (status lost)
  --order FILE     the suite's steps, "NAME PROGRAM ARGS..." per line: the
                   order of the steps in the merged files (default: by name)
  --meta KEY=VAL   metadata row (repeatable), written first, in order

Every file is written to a temporary name and renamed; meta.csv, which
replaces the placeholder, comes last.

Example:
  harness/collect.sh --raw .cache/runs/ID/raw --run results/ID.incomplete \
      --meta status=ok
EOF
}

raw="" run="" order=""
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--raw | --run | --order | --meta) vp_need_value "$1" $# ;;
	*) vp_usage_error "unknown option '$1'" ;;
	esac
	case $1 in
	--raw) raw=$2 ;;
	--run) run=$2 ;;
	--order) order=$2 ;;
	--meta)
		[[ $2 == ?*=* ]] || vp_usage_error "--meta wants KEY=VALUE, not '$2'"
		extra+=("$2")
		;;
	esac
	shift 2
done
[ -d "$raw" ] || vp_usage_error "--raw DIR is required and must exist"
[ -d "$run" ] || vp_usage_error "--run DIR is required and must exist"
for f in samples.csv cases.csv; do
	[ ! -e "$run/$f" ] || vp_die "$run/$f exists; results are never overwritten"
done
if [ -e "$run/meta.csv" ] && ! grep -q '^status,"\{0,1\}lost' "$run/meta.csv"; then
	vp_die "$run/meta.csv exists and is not a placeholder; results are never overwritten"
fi

# Steps in suite order; a step directory the suite does not name (or all
# of them, without --order) follows by name.
mapfile -t steps < <(
	{
		[ -z "$order" ] || awk '{ print $1 }' "$order"
		find "$raw" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort
	} | awk '!seen[$0]++'
)
present=()
for s in "${steps[@]}"; do
	[ ! -d "$raw/$s" ] || present+=("$s")
done
steps=("${present[@]}")
[ ${#steps[@]} -gt 0 ] || vp_die "no step results in $raw"
have=0 have_cases=0
for s in "${steps[@]}"; do
	[ ! -f "$raw/$s/samples.csv" ] || have=1
	[ ! -f "$raw/$s/cases.csv" ] || have_cases=1
done
[ "$have" = 1 ] || [ "$have_cases" = 1 ] ||
	vp_die "no step of $raw produced samples or cases; nothing to collect"

# Concatenate one CSV of every step under the first header. Our writers
# never put a newline inside a field, so lines are rows; a step whose
# header differs from the first would misalign columns and is refused.
# (Called where set -e does not reach: every command checks its status.)
merge_csv() {
	local name=$1 header="" s
	for s in "${steps[@]}"; do
		[ -f "$raw/$s/$name" ] || continue
		if [ -z "$header" ]; then
			header=$(head -n 1 "$raw/$s/$name") || return 1
			cat "$raw/$s/$name" || return 1
		elif [ "$(head -n 1 "$raw/$s/$name")" = "$header" ]; then
			tail -n +2 "$raw/$s/$name" || return 1
		else
			vp_log "error: $raw/$s/$name: its header differs from the other steps'"
			return 2
		fi
	done
}

# KEY,VALUE rows: the harness's, then each step's; a key seen before
# with the same value is skipped, with another value it is prefixed.
meta_rows() {
	local kv s
	for kv in "${extra[@]}"; do
		printf '\x1f%s,%s\n' "${kv%%=*}" "$(vp_csv_field "${kv#*=}")"
	done
	for s in "${steps[@]}"; do
		printf '%s\x1fstep.%s.exit,%s\n' "$s" "$s" "$(cat "$raw/$s/exit" 2>/dev/null || echo missing)"
		[ -f "$raw/$s/meta.csv" ] || continue
		tail -n +2 "$raw/$s/meta.csv" | sed "s/^/$s\x1f/"
	done
}

merge_meta() {
	meta_rows | awk -F '\x1f' '
	BEGIN { print "key,value" }
	{
		step = $1; row = $2
		key = row; sub(/,.*/, "", key)
		if (!(key in seen)) { seen[key] = row; print row }
		else if (seen[key] != row && step != "") print "step." step "." row
	}'
}

# The writers run in this shell (not in a pipeline), so a write error or a
# refused step stops the collection before anything is renamed into place.
merge_all() {
	local f
	local f rc
	for f in samples.csv cases.csv; do
		[ "$f" != samples.csv ] || [ "$have" = 1 ] || continue
		rc=0
		vp_atomic_output "$run/$f" merge_csv "$f" 2>"$err" || rc=$?
		[ "$rc" != 2 ] || { cat "$err" >&2; exit 1; }
		[ "$rc" = 0 ] || vp_die "cannot write $run/$f$(vp_df_note "$run")"
	done
	vp_atomic_output "$run/meta.csv" merge_meta 2>"$err" ||
		vp_die "cannot write $run/meta.csv$(vp_df_note "$run")"
}

err=$(mktemp)
trap 'rm -f "$run"/*.csv.??????.tmp "$err"' EXIT
merge_all
vp_log "collected ${#steps[@]} steps into $run"
