#!/bin/bash
# `make test-kernels`: the full cycle for every build of
# kernel-patches/builds: build it (or reuse it), boot it in the QEMU
# target, run tests/kernels/kernel.suite, and check that
#   - the guest runs the build it was asked for (uname -r ends in -vpID,
#     ID being the build's identity);
#   - every interface ran: type1, type1v2 and native iommufd have samples
#     (iommufd-file too on bases from 6.13 on);
#   - mmap(NULL) of ivshmem's 2 GiB BAR got what the build promises: PUD
#     (2 faults) with vfio-pci-huge-align or vfio-pci-mapping-order, PMD
#     or PTE (1024 or 524288 faults, the mm's own placement) without;
#   - PUD and PMD placements take exactly 2 and 1024 faults;
#   - with either series, BAR windows at offsets get the largest
#     entries they hold (1 PUD for 1G at 1G, 512 PMDs for 1G at 512M), a
#     32-bit task keeps the mm's own placement, and where the address
#     space has no room for 1 GiB of padding the window still gets PMDs
#     (tests/kernels/bar-place.c);
#   - a 1 GiB hugetlb page is mapped and unmapped through type1 three
#     times from the pool of two (a leaked pin would fail the third);
#   - a build of profile novmemmap has classic SPARSEMEM (no
#     SPARSEMEM_VMEMMAP);
#   - a build of profile iommu-debugfs records the IOMMU leaves of each
#     mapping, exactly: 8 2M leaves for 16 MiB of the 2M pool (and of
#     THP, when all of it was THP), one 1G leaf for a 1 GiB page; every
#     other build says the counts are unavailable;
#   - a build of profile iommufd-compat serves /dev/vfio/vfio from
#     iommufd: iommufd-compat runs, type1 and type1v2 skip, and
#     vfio-mmio-bench measures the BAR through iommufd's compat
#     container (its DMA-map case, not run here, is skipped there:
#     iommufd does not map a BAR);
#   - a build of the default profile (or of a verification profile
#     made from it) is Debian's: its source names the profile and the SHA-256 of the Debian config it started
#     from, and its .config keeps what that config has for preemption,
#     memcg, mitigations, init-on-alloc, allocator shuffling and KASLR;
#   - its source and manifest name the toolchain that built it and the
#     compiler kconfig found; a Debian suite's toolchain (toolchain= in
#     kernel-patches/bases) is in the cache and built it with the very
#     compiler Debian's config names.
# Ends with "N passed, M failed"; about a minute per build once built
# (a base build takes 11-14 minutes of two idle cores; README, "Kernels
# built from source").
#
#   tests/kernels/run.sh [BUILD...]   (default: kbuild.sh --list)
#
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

suite=$repo/tests/kernels/kernel.suite
cache=${VFIO_PERF_CACHE:-$repo/.cache}
passed=0 failed=0

# value RUN BENCH-FILTER METRIC: the first sample's value.
value() {
	csvq "$1/samples.csv" "$2 && \$c[\"metric\"] == \"$3\"" 'print $c["value"]; exit'
}

# bar RUN LEVEL SIZE [OFFSET]: faults of the fault-in case of the BAR
# window of SIZE (from OFFSET: backing bar@OFFSET), as case names write
# sizes (2G, 512M).
bar() {
	local backing=bar size
	[[ -z ${4:-} ]] || backing=bar@$4
	size=$("$repo/build/release/vfio-perf-size" --bytes "$3")
	value "$1" "\$c[\"bench\"] == \"mmio\" && \$c[\"backing\"] == \"$backing\" && \$c[\"level\"] == \"$2\" && \$c[\"size_bytes\"] == $size" faults
}

# placed RUN STEP KEY: a key=value line bar-place printed in exec step STEP.
placed() {
	sed -n "s/^$3=//p" "$1/raw/$2/stdout"
}

# check_huge_align BUILD RUN: the corners of the placement of
# vfio-pci-huge-align (the driver aligns) and vfio-pci-mapping-order (the
# mm aligns to the order the driver reports), which must agree: BAR
# windows at offsets, a 32-bit task, a squeezed address space.
check_huge_align() {
	local b=$1 run=$2
	# 1 GiB at offset 1G holds a 1G block: one PUD. At 512M it holds
	# none, so 2M padding: 512 PMDs.
	expect_eq "$b: faults of 1G at offset 1G" "$(bar "$run" auto 1G 1G)" 1
	expect_eq "$b: faults of 1G at offset 512M" "$(bar "$run" auto 1G 512M)" 512
	# A 32-bit task keeps the mm's own placement: where an anonymous
	# mapping of the same length goes.
	expect_eq "$b: 32-bit task's placement" "$(placed "$run" place-compat bits)/$(placed "$run" place-compat va)" \
		"32/$(placed "$run" place-compat anon)"
	# Only a gap of 1.5 GiB is free for 1 GiB: no room for 1 GiB of padding,
	# room for 2 MiB: PMD-congruent, 512 faults.
	expect_eq "$b: squeezed placement" \
		"$(placed "$run" place-squeeze congruence) $(placed "$run" place-squeeze faults)" "2097152 512"
}

# check_debian_profile BUILD DIR PROFILE: the build's record and config.
check_debian_profile() {
	local b=$1 bdir=$2 profile=$3 sha deb o want
	grep -qx "profile=$profile" "$bdir/source" || fail "$b: source names no profile=$profile"
	sha=$(sed -n 's/^debian_config_sha256=//p' "$bdir/source")
	deb=$(sed -n 's/^debian_config=cache://p' "$bdir/source")
	[[ -n $deb && -f $cache/$deb ]] || { fail "$b: source names no Debian config in the cache"; return; }
	expect_eq "$b: Debian config SHA-256" "$sha" "$(sha256sum <"$cache/$deb" | cut -d' ' -f1)"
	for o in PREEMPT_DYNAMIC PREEMPT_VOLUNTARY PREEMPT_LAZY MEMCG MITIGATION_RETPOLINE MITIGATION_RETHUNK \
		MITIGATION_PAGE_TABLE_ISOLATION MITIGATION_SRSO INIT_ON_ALLOC_DEFAULT_ON HARDENED_USERCOPY \
		SHUFFLE_PAGE_ALLOCATOR RANDOMIZE_BASE; do
		want=$(grep -E "^CONFIG_$o=" "$cache/$deb" || echo "# CONFIG_$o unset")
		expect_eq "$b: CONFIG_$o" "$(grep -E "^CONFIG_$o=" "$bdir/config" || echo "# CONFIG_$o unset")" "$want"
	done
	local tc cc root
	tc=$(sed -n 's/^toolchain=//p' "$bdir/source")
	cc=$(sed -n 's/^compiler=//p' "$bdir/source")
	[[ -n $tc && -n $cc ]] || fail "$b: source names no toolchain and compiler"
	grep -qF "toolchain $tc $cc; " "$bdir/manifest" || fail "$b: the manifest names no toolchain $tc with $cc"
	if [[ -n $tc && $tc != host ]]; then
		root=$(sed -n 's/^toolchain_root=cache://p' "$bdir/source")
		[[ -n $root && -x $cache/$root/usr/bin/make ]] || fail "$b: source names no toolchain root in the cache ($root)"
		expect_eq "$b: compiler (toolchain $tc)" "$cc" "$(sed -n 's/^debian_compiler=//p' "$bdir/source")"
	fi
	grep -qx 'CONFIG_MODULES=y' "$bdir/config" || fail "$b: no module support"
	[[ -d $bdir/modroot ]] || fail "$b: no modroot/ (the modules Debian has as modules)"
}

# leaves RUN BACKING METRIC: the IOMMU leaf count of the first type1v2
# sample of BACKING.
leaves() {
	value "$1" "\$c[\"bench\"] == \"dma\" && \$c[\"iface\"] == \"type1v2\" && \$c[\"backing\"] == \"$2\"" "$3"
}

# check_iommu_leaves BUILD RUN: exact leaf counts where the kernel dumps
# the IOMMU's page table, "unavailable" where it does not.
check_iommu_leaves() {
	local b=$1 run=$2 why
	why=$(csvq "$run/meta.csv" '$1 == "iommu_leaves"' 'print $2')
	why=${why#\"}
	if [[ $b != *@iommu-debugfs ]]; then
		[[ $why == unavailable:* ]] || fail "$b: meta iommu_leaves is '$why', want unavailable: ..."
		expect_eq "$b: iommu-* rows" "$(csvq "$run/samples.csv" '$c["metric"] ~ /^iommu-/' 'n++ } END { print n + 0')" 0
		return
	fi
	[[ $why == *domain_translation_struct* ]] || fail "$b: meta iommu_leaves is '$why'"
	expect_eq "$b: hugetlb-2m 16M leaves (1G 2M 4K)" \
		"$(leaves "$run" hugetlb-2m iommu-1g) $(leaves "$run" hugetlb-2m iommu-2m) $(leaves "$run" hugetlb-2m iommu-4k)" "0 8 0"
	expect_eq "$b: hugetlb-1g 1G leaves (1G 2M 4K)" \
		"$(leaves "$run" hugetlb-1g iommu-1g) $(leaves "$run" hugetlb-1g iommu-2m) $(leaves "$run" hugetlb-1g iommu-4k)" "1 0 0"
	if [ "$(leaves "$run" anon-thp thp-fraction)" = 1 ]; then
		expect_eq "$b: anon-thp 16M 2M leaves" "$(leaves "$run" anon-thp iommu-2m)" 8
	fi
	# 4K pages: 4K leaves, or a 2M leaf where 512 of them happen to be
	# contiguous and aligned; together always the whole buffer.
	expect_eq "$b: anon-4k 16M covered by leaves" \
		"$(($(leaves "$run" anon-4k iommu-4k) + 512 * $(leaves "$run" anon-4k iommu-2m)))" 4096
}

check_build() {
	local b=$1 bdir id run rel base got_auto f0=$nfail ifaces skipped want
	bdir=$("$repo/harness/kbuild.sh" "$b") || { fail "$b: build failed"; return; }
	id=$(basename "$bdir")
	id=${id##*-}
	case $b in
	*@novmemmap)
		# Classic SPARSEMEM: the memory model whose section boundaries
		# type1-contig-batch must respect.
		grep -qx 'CONFIG_SPARSEMEM=y' "$bdir/config" || fail "$b: no CONFIG_SPARSEMEM"
		! grep -q '^CONFIG_SPARSEMEM_VMEMMAP=y' "$bdir/config" || fail "$b: CONFIG_SPARSEMEM_VMEMMAP is on"
		;;
	*@iommu-debugfs | *@iommufd-compat) check_debian_profile "$b" "$bdir" "${b##*@}" ;;
	*@*) ;;
	*) check_debian_profile "$b" "$bdir" debian ;;
	esac
	# A build without 32-bit emulation (the tiny profiles) cannot run
	# the 32-bit placement check, nor can one whose /dev/vfio/vfio is
	# iommufd's: iommufd has no compat_ioctl, so a 32-bit task's
	# VFIO_SET_IOMMU there fails with ENOTTY (6.12, 7.2).
	local s=$suite
	if ! grep -qx 'CONFIG_IA32_EMULATION=y' "$bdir/config" ||
		grep -qx '# CONFIG_VFIO_CONTAINER is not set' "$bdir/config"; then
		s=$tmp/kernel-no32.suite
		sed '/^exec place-compat /d' "$suite" >"$s"
	fi
	"$repo/harness/bench.sh" --kernel "build:$b" --suite "$s" --accel tcg \
		--results "$tmp/$b" --bindir "$repo/build/asan" --no-plot \
		--extra "$tmp/bar-place,$tmp/bar-place-m32" >"$tmp/$b.log" 2>&1 || {
		# What the failed steps said, then the build counts as failed.
		fail "$b: bench.sh failed: $(tail -n 5 "$tmp/$b.log")$(cat "$tmp/$b"/*/raw/*/stderr 2>/dev/null | tail -n 3 | sed 's/^/\n  /')"
		failed=$((failed + 1))
		echo "FAIL $b"
		return
	}
	run=$(find "$tmp/$b" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	rel=$(csvq "$run/meta.csv" '$1 == "kernel"' 'print $2')
	[[ $rel == *"-vp$id" ]] || fail "$b: guest ran $rel, not a -vp$id kernel"
	# Results move between machines: no path of this one in the metadata.
	! grep -qF -e "$cache" -e "$repo" "$run/meta.csv" ||
		fail "$b: meta.csv holds a path of this machine: $(grep -F -e "$cache" -e "$repo" "$run/meta.csv" | head -n 1)"
	ifaces=(type1 type1v2 iommufd) skipped=(iommufd-compat)
	[[ $b != *@iommufd-compat ]] || ifaces=(iommufd iommufd-compat) skipped=(type1 type1v2)
	for i in "${ifaces[@]}"; do
		[ -n "$(value "$run" "\$c[\"bench\"] == \"dma\" && \$c[\"iface\"] == \"$i\"" map)" ] ||
			fail "$b: no $i map samples"
	done
	if [[ $b == *@iommufd-compat ]]; then
		# The compat container really maps (pins and programs the
		# IOMMU) only once the device is attached: the 2M pool's map
		# costs what native iommufd's does, not a bookkeeping call.
		local nat compat
		nat=$(value "$run" '$c["iface"] == "iommufd" && $c["backing"] == "hugetlb-2m"' map)
		compat=$(value "$run" '$c["iface"] == "iommufd-compat" && $c["backing"] == "hugetlb-2m"' map)
		awk -v n="$nat" -v c="$compat" 'BEGIN { exit !(n > 0 && c > n / 10) }' ||
			fail "$b: iommufd-compat maps 16M of the 2M pool in $compat ns against native iommufd's $nat ns: nothing was mapped"
	fi
	for i in "${skipped[@]}"; do
		expect_eq "$b: $i cases" "$(csvq "$run/cases.csv" "\$c[\"iface\"] == \"$i\"" 'print $c["status"]' | sort -u)" skip
	done
	check_iommu_leaves "$b" "$run"
	base=${b%%+*}
	if [ "$(printf '%s\n' "$base" 6.13 | sort -V | head -n 1)" = 6.13 ]; then
		[ -n "$(value "$run" '$c["bench"] == "dma" && $c["iface"] == "iommufd-file"' map)" ] ||
			fail "$b: no iommufd-file map samples"
	fi
	# A 1 GiB page spans 8 memory sections; mapped and unmapped three
	# times from a pool of two, so a pin that unmap leaked fails the case.
	expect_eq "$b: hugetlb-1g pages" \
		"$(value "$run" '$c["bench"] == "dma" && $c["backing"] == "hugetlb-1g"' hugetlb-pages)" 1
	[ -n "$(value "$run" '$c["bench"] == "dma" && $c["backing"] == "hugetlb-1g"' unmap)" ] ||
		fail "$b: no hugetlb-1g unmap samples"
	got_auto=$(bar "$run" auto 2G)
	case $b in
	*+vfio-pci-huge-align* | *+vfio-pci-mapping-order*)
		expect_eq "$b: mmap(NULL) faults" "$got_auto" 2
		check_huge_align "$b" "$run"
		;;
	*)
		# Without the series the placement is the mm's: PMD or PTE
		# (Debian's 6.12 and our 6.12 build get PMD, sid's 7.2 and our
		# 7.2 build PTE; tinyconfig builds PMD on both), never PUD.
		[[ $got_auto == 1024 || $got_auto == 524288 ]] ||
			fail "$b: mmap(NULL) faults: got '$got_auto', want 1024 (PMD) or 524288 (PTE)"
		;;
	esac
	expect_eq "$b: pud faults" "$(bar "$run" pud 2G)" 2
	expect_eq "$b: pmd faults" "$(bar "$run" pmd 2G)" 1024
	want=type1v2
	[[ $b != *@iommufd-compat ]] || want=iommufd-compat
	expect_eq "$b: vfio-mmio-bench's container" \
		"$(csvq "$run/meta.csv" '$1 == "bar_dma_iface"' 'print $2' | sort -u)" "$want"
	if [ "$nfail" = "$f0" ]; then
		passed=$((passed + 1))
		echo "ok   $b ($rel)"
	else
		failed=$((failed + 1))
		echo "FAIL $b"
	fi
}

# The placement checker of kernel.suite's exec steps, as a 64-bit and a
# 32-bit (gcc-multilib) static program.
for m in 64 32; do
	exe=$tmp/bar-place
	[[ $m == 64 ]] || exe+=-m$m
	gcc -m$m -static -O2 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -o "$exe" \
		"$repo/tests/kernels/bar-place.c" || { echo "FAIL: cannot build tests/kernels/bar-place.c -m$m"; exit 1; }
done

builds=("$@")
[ ${#builds[@]} -gt 0 ] || mapfile -t builds < <("$repo/harness/kbuild.sh" --list)
for b in "${builds[@]}"; do
	check_build "$b"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
