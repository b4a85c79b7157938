#!/bin/bash
# Every series under kernel-patches/ applies exactly to its base (the
# Debian linux-source package of kernel-patches/bases), every patch is
# clean under the base's own scripts/checkpatch.pl --strict, and the C files it
# touches compile without a warning in the guest configuration (profile
# debian: Debian's config for the base, which keeps Debian's preemption,
# memcg and mitigations, with the guest's modules). The full
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
	grep -q "^kbuild\.sh: $name: checkpatch\.pl --strict of linux-source-[^ ]*: [1-9][0-9]* patch(es) clean$" "$tmp/out" ||
		fail "$name: no checkpatch.pl --strict line of the base's source"
	tree=$(sed -n "s/^kbuild\.sh: $name: compiling against \(.*\) (profile debian)$/\1/p" "$tmp/out")
	[[ -n $tree && -f $tree/.config && -f $tree/.vp-debian.config ]] ||
		{ fail "$name: not compiled against a debian-profile tree"; continue; }
	for o in PREEMPT_DYNAMIC MEMCG MITIGATION_RETPOLINE MITIGATION_RETHUNK INIT_ON_ALLOC_DEFAULT_ON \
		SHUFFLE_PAGE_ALLOCATOR RANDOMIZE_BASE; do
		want=$(grep -E "^CONFIG_$o=" "$tree/.vp-debian.config") || { fail "$name: Debian's config has no CONFIG_$o"; continue; }
		grep -qxF "$want" "$tree/.config" || fail "$name: the checked config lost $want"
	done
	grep -qx 'CONFIG_VFIO_IOMMU_TYPE1=m' "$tree/.config" || fail "$name: vfio_iommu_type1 is not a module, as in Debian"
	grep -qx 'CONFIG_IOMMUFD=m' "$tree/.config" || fail "$name: no iommufd"
done
[ "$n" -ge 3 ] || fail "only $n series found under kernel-patches/"
finish
