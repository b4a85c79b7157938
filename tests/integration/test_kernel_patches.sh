#!/bin/bash
# Every series under kernel-patches/ applies exactly to its base (the
# Debian linux-source package of kernel-patches/bases) and the C files it
# touches compile without a warning in the guest configuration. The full
# build-boot-bench cycle is `make test-kernels` (tests/kernels/run.sh).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

n=0
for s in "$repo"/kernel-patches/*/*/series; do
	d=${s%/series}
	name=$(basename "$(dirname "$d")")+$(basename "$d")
	n=$((n + 1))
	if ! "$repo/harness/kbuild.sh" --check "$name" >"$tmp/out" 2>&1; then
		fail "$name: $(tail -n 20 "$tmp/out")"
	fi
	cat "$tmp/out"
	grep -q "$name: ok" "$tmp/out" || fail "$name: no ok line"
done
[ "$n" -ge 3 ] || fail "only $n series found under kernel-patches/"
finish
