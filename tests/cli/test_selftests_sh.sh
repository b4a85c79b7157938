#!/bin/bash
# harness/selftests.sh: where a kernel's VFIO selftests come from, and the
# one line "none (REASON)" for a kernel whose source has none or is not
# known (nothing is built or downloaded for those).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

st=$repo/harness/selftests.sh
export VFIO_PERF_CACHE=$tmp/cache
# kerneldir NAME SOURCE-LINES...: a kernel directory with that source file.
kerneldir() {
	local d=$tmp/k/$1
	shift
	mkdir -p "$d"
	echo 9.9.9-test >"$d/release"
	printf '%s\n' "$@" >"$d/source"
	echo "$d"
}

expect 2 "--kernel-dir is required" "$st"
expect 2 "unknown argument '--x'" "$st" --x
expect 1 "is not a kernel directory" "$st" --kernel-dir "$tmp"

# A Debian kernel whose linux-source (unpacked, as kbuild.sh leaves it) has
# no VFIO selftests.
d=$(kerneldir deb kind=debian suite=bookworm version=9.9.9-1)
mkdir -p "$VFIO_PERF_CACHE/ksrc/linux-source-9.9_9.9.9-1_all/tools"
touch "$VFIO_PERF_CACHE/ksrc/linux-source-9.9_9.9.9-1_all/"{.vp-complete,Makefile}
expect 0 "" "$st" --kernel-dir "$d"
expect_eq "debian" "$(cat "$tmp/stdout")" "none (linux-source-9.9_9.9.9-1_all.deb has no tools/testing/selftests/vfio)"
# Kernels whose source is not known.
d=$(kerneldir local kind=local image=/nonexistent/arch/x86/boot/bzImage)
expect 0 "" "$st" --kernel-dir "$d"
expect_eq "local" "$(cat "$tmp/stdout")" "none (local kernel: no kernel tree around /nonexistent/arch/x86/boot/bzImage)"
d=$(kerneldir odd kind=odd)
expect 0 "" "$st" --kernel-dir "$d"
expect_eq "odd" "$(cat "$tmp/stdout")" "none (kernel of kind 'odd': its source is not known)"
d=$(kerneldir build kind=build build=7.2 build_dir="$tmp/nobuild" identity=x)
expect 0 "" "$st" --kernel-dir "$d"
expect_eq "build" "$(cat "$tmp/stdout")" "none (build 7.2 has no tree at $tmp/nobuild/tree)"
[ ! -d "$VFIO_PERF_CACHE/selftests" ] || fail "a kernel without selftests built something"

expect 0 "" "$st" --help
grep -q 'Example' "$tmp/stdout" || fail "--help has no example"
finish
