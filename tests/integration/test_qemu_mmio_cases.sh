#!/bin/bash
# The awk programs below are meant to be in single quotes.
# shellcheck disable=SC2016
#
# Every case of vfio-mmio-bench stands on its own. Boots the QEMU guest
# (stock Debian 6.12, TCG) with a 512 MiB ivshmem BAR, which no 1 GiB
# entry fits, and runs the ASan/UBSan build twice:
#   - --level pud,pmd,pte: pud is skipped, saying why; pmd and pte still
#     run and are verified (256 and 131072 faults).
#   - with type1's dma_entry_limit at 0, so that every VFIO_IOMMU_MAP_DMA
#     fails with ENOSPC: each level's DMA-map case fails with that reason,
#     while its fault-in and bandwidth cases, the next level and the
#     anonymous baseline still run; the program exits 1.
# About 3 minutes.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
h=$repo/harness
accel=${VFIO_PERF_TEST_ACCEL:-tcg}

kdir=$("$h/kernel.sh" "${VFIO_PERF_TEST_KERNEL:-6.12}")
"$h/initramfs.sh" --kernel-dir "$kdir" --out "$tmp/initrd.cpio.gz" \
	--bin "$repo/build/asan/vfio-mmio-bench" 2>/dev/null
share=$tmp/share
mkdir -p "$share"
cat >"$share/job.sh" <<JOB
read -r bdf id group </run/vfio-perf/bound
run() {
	name=\$1
	shift
	rc=0
	vfio-mmio-bench --device "\$bdf" --out "/tmp/\$name" --target qemu --accel $accel \\
		--reps 2 --warmup 0 "\$@" || rc=\$?
	mkdir -p "/tmp/\$name"
	echo "\$rc" >"/tmp/\$name/exit"
	cp -r "/tmp/\$name" .
}
run small --level pud,pmd,pte --phases bar-map --baseline none
# type1 refuses a mapping past dma_entry_limit (read at container open).
echo 0 >/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
run nodma --level pmd,pte --phases bw,bar-map --bw-size 4M --baseline anon-4k
JOB
rc=0
"$h/qemu.sh" --kernel-dir "$kdir" --initrd "$tmp/initrd.cpio.gz" --share "$share" \
	--accel "$accel" --bind 1af4:1110 --ivshmem 512M --timeout 900 2>"$tmp/qemu.err" || rc=$?
cat "$share/job.log" 2>/dev/null || true
[ "$rc" = 0 ] || { tail -n 40 "$tmp/qemu.err"; fail "qemu.sh exited $rc"; finish; }

# case RUN LEVEL SIZE CHUNK IFACE: "status: reason" of one BAR case.
case_of() {
	csvq "$share/$1/cases.csv" "\$c[\"level\"] == \"$2\" && \$c[\"size_bytes\"] == $3 && \$c[\"chunk_bytes\"] == $4 && \$c[\"iface\"] == \"$5\"" \
		'r = $c["reason"]; gsub(/^"|"$/, "", r); print $c["status"] (r == "" ? "" : ": " r)'
}
# samples RUN LEVEL METRIC: the values of a metric, one line per rep.
samples() {
	csvq "$share/$1/samples.csv" "\$c[\"level\"] == \"$2\" && \$c[\"metric\"] == \"$3\"" 'print $c["value"]'
}
M512=536870912

# A level the BAR cannot give is skipped with the reason; the others run.
expect_eq "small: exit" "$(cat "$share/small/exit")" 0
for iface in "" type1v2; do
	expect_eq "small: pud ${iface:-fault-in}" "$(case_of small pud $M512 $M512 "$iface")" \
		"skip: BAR 2 has 512M from offset 0, less than the 1G one pud entry maps"
	for l in pmd pte; do
		expect_eq "small: $l ${iface:-fault-in}" "$(case_of small "$l" $M512 $M512 "$iface")" ok
	done
done
expect_eq "small: pud samples" "$(samples small pud faults)" ""
expect_eq "small: pmd faults" "$(samples small pmd faults-rusage | paste -sd' ')" "256 256"
expect_eq "small: pte faults" "$(samples small pte faults-rusage | paste -sd' ')" "131072 131072"
expect_eq "small: pmd kprobe" "$(samples small pmd kprobe-vmf_insert_pfn_pmd)" 256
expect_eq "small: pmd bar-map samples" "$(samples small pmd bar-map | wc -l)" 2
unver=$(csvq "$share/small/samples.csv" '$c["verified"] != "yes"' 'print')
expect_eq "small: unverified samples" "$unver" ""

# DMA-map fails, case by case; nothing else does.
expect_eq "nodma: exit" "$(cat "$share/nodma/exit")" 1
for l in pmd pte; do
	why=$(case_of nodma "$l" $M512 $M512 type1v2)
	[[ $why =~ ^fail:\ VFIO_IOMMU_MAP_DMA\ of\ BAR\ 2\ at\ 0x[0-9a-f]+:\ No\ space\ left\ on\ device$ ]] ||
		fail "nodma: $l DMA-map case: '$why'"
	expect_eq "nodma: $l fault-in" "$(case_of nodma "$l" $M512 $M512 "")" ok
	for w in 8 64; do
		expect_eq "nodma: $l bw $w" "$(case_of nodma "$l" 4194304 "$w" "")" ok
	done
	expect_eq "nodma: $l bar-map samples" "$(samples nodma "$l" bar-map)" ""
	expect_eq "nodma: $l read-bw samples" "$(samples nodma "$l" read-bw | wc -l)" 4
done
base=$(csvq "$share/nodma/cases.csv" '$c["backing"] == "anon-4k"' 'print $c["chunk_bytes"] ":" $c["status"]' | paste -sd' ')
expect_eq "nodma: anon-4k cases" "$base" "8:ok 64:ok"
grep -q 'fail: VFIO_IOMMU_MAP_DMA of BAR 2 at' "$share/job.log" || fail "job.log does not report the DMA-map failure"
grep -q '10 cases: 8 ok, 2 failed, 0 skipped' "$share/job.log" || fail "job.log lacks the nodma tally"
finish
