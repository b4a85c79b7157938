#!/bin/bash
# Every user-facing tool answers --help on stdout with exit 0, and its
# help ends with one example (a line starting "Example"), as README
# promises: the programs, the harness and plot scripts, tests/run.sh.
# guest-job.sh runs only inside the guest and is not a user tool.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tools=(tests/run.sh)
for f in "$repo"/harness/*.sh "$repo"/harness/lava/*.sh "$repo"/plot/*.sh; do
	[[ -x $f && ${f##*/} != guest-job.sh ]] && tools+=("${f#"$repo"/}")
done
for f in "$bin"/*; do
	[[ -f $f && -x $f ]] && tools+=("build/release/${f##*/}")
done
((${#tools[@]} >= 20)) || fail "only ${#tools[@]} tools found: ${tools[*]}"
for t in "${tools[@]}"; do
	expect 0 '' "$repo/$t" --help
	[[ -s $tmp/stderr ]] && fail "$t --help wrote to stderr: $(head -c 200 "$tmp/stderr")"
	grep -q '^ *Example' "$tmp/stdout" || fail "$t --help has no Example"
	# The example is the last thing the help says (a few lines at most).
	tail -n 6 "$tmp/stdout" | grep -q '^ *Example' ||
		fail "$t --help: the example is not at its end: $(tail -n 3 "$tmp/stdout")"
done
finish
