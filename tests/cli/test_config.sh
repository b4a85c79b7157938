#!/bin/bash
# shellcheck disable=SC2016 # csvq takes awk programs, quoted for awk
# vfio-perf-compare names the kernel config options two sides differ in
# (memory model, preemption, debug, mitigations, IOMMU/VFIO first; the
# rest counted, every one in --config-diff), from a run's config.gz or,
# for runs with only kernel_config_sha256, the config of that hash in
# the kernel cache; and says so when configs differ but cannot be
# listed, are the same, or were not recorded.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

c=$bin/vfio-perf-compare
fx=$repo/tests/fixtures/config
export VFIO_PERF_CACHE=$fx/cache

# Both runs keep config.gz.
expect 1 "" "$c" --config-diff "$tmp/diff.csv" "$fx/a" "$fx/b"
grep -q '^kernel configs of base (2456328d9f41) and new (2e86c47e612e) differ in 17 options (base: .*/a/20250101T000000Z-6.12.117/config.gz; new: .*/config.gz):$' "$tmp/stdout" ||
	fail "no config header: $(grep 'kernel configs' "$tmp/stdout")"
# The groups in order, each option with both values, then the rest counted.
diff -u - <(sed -n '/^kernel configs/,/other options/p' "$tmp/stdout" | tail -n +2 | sed 's/  */ /g') <<'OUT' ||
 memory model MEMCG y -> n
 memory model MEMORY_HOTPLUG y -> n
 preemption PREEMPT_NONE n -> y
 preemption PREEMPT_VOLUNTARY y -> n
 debug DEBUG_VM n -> y
 mitigations MITIGATION_RETPOLINE y -> n
 mitigations PAGE_TABLE_ISOLATION y -> n
 IOMMU/VFIO IOMMUFD n -> y
 IOMMU/VFIO VFIO m -> y
 IOMMU/VFIO VFIO_IOMMU_TYPE1 m -> y
 and 5 other options, and 2 modules one side builds and the other does not (every one: --config-diff)
OUT
	fail "config options listed differently"
# The header comes before the first verdict table.
[ "$(grep -n '^kernel configs' "$tmp/stdout" | cut -d: -f1)" -lt "$(grep -n '^base (6.12.117) vs new' "$tmp/stdout" | cut -d: -f1)" ] ||
	fail "config differences after the verdicts"
expect_eq "config-diff rows" "$(($(wc -l <"$tmp/diff.csv") - 1))" 17
# A module only one side builds (what localmodconfig cuts) and a driver's
# own debug option are counted, not listed among the groups, but in the CSV.
! grep -qE 'SND_HDA|DMARD09|FOO_DEBUG' "$tmp/stdout" || fail "a module or driver debug option listed: $(grep -E 'SND_HDA|DMARD09|FOO_DEBUG' "$tmp/stdout")"
for o in SND_HDA DMARD09 FOO_DEBUG; do
	grep -q ",$o," "$tmp/diff.csv" || fail "$o not in the config-diff CSV"
done
expect_eq "config-diff HZ" "$(csvq "$tmp/diff.csv" '$c["option"] == "HZ"' 'print $c["group"], $c["ref_value"], $c["value"]')" "other 250 1000"
# LOCALVERSION names the build, not its code: never listed.
expect_eq "config-diff LOCALVERSION" "$(csvq "$tmp/diff.csv" '$c["option"] == "LOCALVERSION"' 'print $c["value"]')" ''
expect 2 "diff.csv: exists; not overwriting it" "$c" --config-diff "$tmp/diff.csv" "$fx/a" "$fx/b"

# An old run: only the hash, its config found in the kernel cache.
expect 1 "" "$c" "$fx/a" "$fx/old"
grep -q '^kernel configs of base (2456328d9f41) and new (2e86c47e612e) differ in 17 options (.* new: [$]VFIO_PERF_CACHE/kernels/7.2.13/config):$' "$tmp/stdout" ||
	fail "cache lookup by hash: $(grep 'kernel configs' "$tmp/stdout")"
# Not in the cache: different, and said so, without a list.
VFIO_PERF_CACHE=$tmp expect 1 "" "$c" "$fx/a" "$fx/old"
grep -q '^kernel configs of base (2456328d9f41) and new (2e86c47e612e) differ, but cannot be listed: new has no config.gz, and the kernel cache .* has no config of that hash$' "$tmp/stdout" ||
	fail "unlisted difference: $(grep 'kernel configs' "$tmp/stdout")"
# One config on both sides; none recorded.
expect 0 "" "$c" "$fx/b" "$fx/old"
grep -q '^kernel configs of base and new: the same (sha256 2e86c47e612e)$' "$tmp/stdout" || fail "same config not said"
expect 0 "" "$c" "$repo/tests/fixtures/compare/new/20250102T000000Z-7.2.13" "$fx/old"
grep -q '^kernel configs of base and new: not recorded (base has no kernel_config_sha256)' "$tmp/stdout" ||
	fail "unrecorded config not said"
# Two builds of one config differ only in LOCALVERSION, their name: no
# option to list, and the line says so.
mkdir -p "$tmp/lv/20250103T000000Z-6.12.117"
r=$tmp/lv/20250103T000000Z-6.12.117
cp "$fx/a/20250101T000000Z-6.12.117"/*.csv "$r/"
zcat "$fx/a/20250101T000000Z-6.12.117/config.gz" | sed 's/^CONFIG_LOCALVERSION=.*/CONFIG_LOCALVERSION="-vp1234"/' | gzip -n >"$r/config.gz"
sha=$(zcat "$r/config.gz" | sha256sum | cut -d' ' -f1)
sed -i "s/^kernel_config_sha256,.*/kernel_config_sha256,$sha/; s/20250101T000000Z/20250103T000000Z/g" "$r/meta.csv" "$r/cases.csv" "$r/samples.csv"
expect 0 "" "$c" "$fx/a" "$tmp/lv"
grep -q "^kernel configs of base and new: the same but for LOCALVERSION, each build's name (sha256 2456328d9f41, ${sha:0:12})$" "$tmp/stdout" ||
	fail "a LOCALVERSION-only difference not said: $(grep '^kernel configs' "$tmp/stdout")"
# A hash that is no sha256 is refused by the reader.
mkdir "$tmp/bad"
cp "$fx/b/20250102T000000Z-7.2.13"/*.csv "$tmp/bad/"
sed -i 's/^kernel_config_sha256,.*/kernel_config_sha256,xyz/' "$tmp/bad/meta.csv"
expect 2 "meta.csv:[0-9]+: kernel_config_sha256 'xyz' is not 64 hex digits" "$c" "$fx/a" "$tmp/bad"
finish
