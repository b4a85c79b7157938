#!/bin/bash
# Harness scripts without booting a guest: --help, usage errors, the
# initramfs layout (built against fake kernel directories), and the
# up-front memory check of qemu.sh.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
h=$repo/harness

for s in deps.sh kernel.sh initramfs.sh qemu.sh; do
	expect 0 '' "$h/$s" --help
	grep -q '^usage: ' "$tmp/stdout" || fail "$s --help prints no usage line"
done

expect 2 '^kernel\.sh: error: missing SPEC' "$h/kernel.sh"
expect 2 "^kernel\.sh: error: unknown kernel spec 'foo'" "$h/kernel.sh" foo
expect 1 '^kernel\.sh: error: /etc/passwd is not an x86 bzImage' "$h/kernel.sh" local:/etc/passwd
expect 2 '^initramfs\.sh: error: --kernel-dir is required' "$h/initramfs.sh" --out "$tmp/x.cpio.gz"
expect 2 '^qemu\.sh: error: --kernel-dir is required' "$h/qemu.sh"
expect 2 "^deps\.sh: error: unknown option '--nope'" "$h/deps.sh" --nope

# A kernel without module support: no modules, and the rest of the image.
k=$tmp/kernel-nomod
mkdir -p "$k/modroot/lib/modules/0.0.0-test"
echo 0.0.0-test >"$k/release"
echo '# CONFIG_MODULES is not set' >"$k/config"
expect 0 '' "$h/initramfs.sh" --kernel-dir "$k" --out "$tmp/img/a.cpio.gz" --bin /bin/true
zcat "$tmp/img/a.cpio.gz" >"$tmp/a.cpio"
(cd "$tmp" && cpio -it --quiet <a.cpio >list) || fail "cpio cannot list the image"
for f in init bin/busybox bin/sh sbin/insmod usr/bin/true lib64/ld-linux-x86-64.so.2 \
	etc/vfio-perf/modules etc/vfio-perf/release mnt/share mnt/huge-1G; do
	grep -qx "$f" "$tmp/list" || fail "image lacks $f"
done
grep -q 'libc\.so\.6$' "$tmp/list" || fail "image lacks the libc of --bin /bin/true"
# /dev/console comes in a second archive appended to the first.
expect_eq "archives in the image" "$(grep -ac 'TRAILER!!!' "$tmp/a.cpio")" 2
grep -aq 'dev/console' "$tmp/a.cpio" || fail "image lacks /dev/console"
for f in "$tmp"/img/*.tmp; do
	[ ! -e "$f" ] || fail "initramfs.sh left $f"
done

# Modules are supported but neither built in nor present: named error.
k=$tmp/kernel-mod
mkdir -p "$k/modroot/lib/modules/0.0.0-test"
touch "$k/modroot/lib/modules/0.0.0-test/modules."{order,builtin,builtin.modinfo}
depmod -b "$k/modroot" 0.0.0-test
echo 0.0.0-test >"$k/release"
echo 'CONFIG_MODULES=y' >"$k/config"
expect 1 '^initramfs\.sh: error: module vfio_iommu_type1 is neither built into 0\.0\.0-test' \
	"$h/initramfs.sh" --kernel-dir "$k" --out "$tmp/img/b.cpio.gz"

# qemu.sh refuses memory that cannot hold the reserved huge pages.
share=$tmp/share
mkdir -p "$share"
touch "$k/vmlinuz" "$share/job.sh"
expect 1 '^qemu\.sh: error: --mem 4G is too small: .* 3072 MiB of huge pages' \
	"$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" --share "$share" --mem 4G
expect 1 '^qemu\.sh: error: --mem 6G is too small: .* 5120 MiB' \
	"$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" --share "$share" \
	--hugepages 1G:5
expect 2 "^qemu\.sh: error: --hugepages wants" \
	"$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" --share "$share" \
	--hugepages 4K:1
expect 2 "^qemu\.sh: error: --bind wants" \
	"$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" --share "$share" --bind edu

finish
