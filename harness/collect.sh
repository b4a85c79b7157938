#!/bin/bash
# Merge the per-step result directories of one boot into a run directory:
# samples.csv and cases.csv concatenated under one header, meta.csv with
# the harness's keys, the first step's keys, and every other step's keys
# that differ (prefixed with the step name).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: collect.sh --raw DIR --run DIR [--meta KEY=VALUE]...

  --raw DIR        directory with one subdirectory per step (samples.csv,
                   cases.csv, meta.csv, exit)
  --run DIR        run directory to write (must exist; its CSVs must not)
  --meta KEY=VAL   extra metadata row (repeatable), written first
EOF
}

raw="" run=""
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--raw) raw=${2:?}; shift 2 ;;
	--run) run=${2:?}; shift 2 ;;
	--meta) extra+=("${2:?}"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) vp_usage_error "unknown argument '$1'" ;;
	esac
done
[ -d "$raw" ] || vp_usage_error "--raw DIR is required and must exist"
[ -d "$run" ] || vp_usage_error "--run DIR is required and must exist"
for f in samples.csv cases.csv meta.csv; do
	[ ! -e "$run/$f" ] || vp_die "$run/$f exists; results are never overwritten"
done

mapfile -t steps < <(find "$raw" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
[ ${#steps[@]} -gt 0 ] || vp_die "no step results in $raw"
have=0
for s in "${steps[@]}"; do
	[ ! -f "$raw/$s/samples.csv" ] || have=1
done
[ "$have" = 1 ] || vp_die "no step of $raw produced samples; nothing to collect"

# Concatenate one CSV of every step under the first header. Our writers
# never put a newline inside a field, so lines are rows.
merge_csv() {
	local name=$1 first=1 s
	for s in "${steps[@]}"; do
		[ -f "$raw/$s/$name" ] || continue
		if [ $first = 1 ]; then
			cat "$raw/$s/$name"
			first=0
		else
			tail -n +2 "$raw/$s/$name"
		fi
	done
}

csv_quote() {
	case $1 in
	*[\",$'\n']* | ' '* | *' ') printf '"%s"' "${1//\"/\"\"}" ;;
	*) printf '%s' "$1" ;;
	esac
}

merge_meta() {
	local kv s first=""
	echo "key,value"
	for kv in "${extra[@]}"; do
		printf '%s,%s\n' "${kv%%=*}" "$(csv_quote "${kv#*=}")"
	done
	for s in "${steps[@]}"; do
		printf 'step.%s.exit,%s\n' "$s" "$(cat "$raw/$s/exit" 2>/dev/null || echo missing)"
		[ -f "$raw/$s/meta.csv" ] || continue
		if [ -z "$first" ]; then
			first=$s
			tail -n +2 "$raw/$s/meta.csv"
		else
			# Rows of this step that the first step does not have verbatim.
			tail -n +2 "$raw/$s/meta.csv" |
				grep -vxF -f <(tail -n +2 "$raw/$first/meta.csv") |
				sed "s/^/step.$s./" || true
		fi
	done
}

merge_csv samples.csv | vp_atomic_write "$run/samples.csv"
merge_csv cases.csv | vp_atomic_write "$run/cases.csv"
merge_meta | vp_atomic_write "$run/meta.csv"
vp_log "collected ${#steps[@]} steps into $run"
