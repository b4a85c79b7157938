#!/bin/bash
# Harness scripts without booting a guest: --help, usage errors, the
# initramfs layout (built against fake kernel directories), and the
# up-front memory check of qemu.sh.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
h=$repo/harness

for s in deps.sh kernel.sh initramfs.sh qemu.sh selftests.sh collect.sh; do
	expect 0 '' "$h/$s" --help
	grep -q '^usage: ' "$tmp/stdout" || fail "$s --help prints no usage line"
done

expect 2 '^kernel\.sh: error: missing SPEC' "$h/kernel.sh"
expect 2 "^kernel\.sh: error: unknown kernel spec 'foo'" "$h/kernel.sh" foo
expect 1 '^kernel\.sh: error: /etc/passwd is not an x86 bzImage' "$h/kernel.sh" local:/etc/passwd
# The spec grammar, checked before apt is asked anything.
expect 2 "^kernel\.sh: error: unknown Debian suite 'potato' in 'potato:6\.1'" "$h/kernel.sh" potato:6.1
expect 2 "^kernel\.sh: error: nothing after 'sid:' in 'sid:'" "$h/kernel.sh" sid:
expect 2 "^kernel\.sh: error: bad kernel selector '7\.x' in 'sid:7\.x'" "$h/kernel.sh" sid:7.x
expect 2 "^kernel\.sh: error: bad kernel selector 'latest' in 'trixie:latest'" "$h/kernel.sh" trixie:latest
expect 2 "^kernel\.sh: error: unknown kernel spec '6\.12\.1\.2'" "$h/kernel.sh" 6.12.1.2
expect 2 "^kernel\.sh: error: unknown kernel spec 'SID'" "$h/kernel.sh" SID
expect 2 '^kernel\.sh: error: local: needs a bzImage path' "$h/kernel.sh" local:
expect 2 '^kernel\.sh: error: exactly one SPEC expected' "$h/kernel.sh" sid trixie
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

expect 2 "^qemu\.sh: error: --ivshmem wants NM or NG, got '5X'" \
	"$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" --share "$share" --ivshmem 5X

# qemu.sh refuses a guest the host has no memory for, before it boots.
printf 'MemTotal: 25165824 kB\nMemAvailable: 4194304 kB\n' >"$tmp/meminfo"
expect 1 '^qemu\.sh: error: the guest needs 6144 MiB \(--mem 6G\), the host has 4096 MiB available' \
	env VP_MEMINFO="$tmp/meminfo" "$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" \
	--share "$share" --accel tcg
expect 1 '^qemu\.sh: error: the guest needs 4608 MiB \(--mem 4G and --ivshmem 512M\)' \
	env VP_MEMINFO="$tmp/meminfo" "$h/qemu.sh" --kernel-dir "$k" --initrd "$tmp/img/a.cpio.gz" \
	--share "$share" --accel tcg --mem 4G --ivshmem 512M --hugepages none

# kernel.sh writes the parameters a kernel needs into DIR/cmdline, looked
# up in the decompressed image: hugepage_alloc_threads=2 only for images
# that know the parameter. Fake bzImages: a boot header and a gzip payload.
le_bytes() { # le_bytes FILE OFFSET SIZE VALUE: a little-endian header field
	local i v=$4 s=''
	for ((i = 0; i < $3; i++)); do
		s+=$(printf '\\x%02x' $((v & 255)))
		v=$((v >> 8))
	done
	printf '%b' "$s" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
fake_bzimage() { # fake_bzimage FILE RELEASE PAYLOAD-TEXT
	local f=$1 len
	mkdir -p "$(dirname "$f")"
	printf '%s' "$3" | gzip -c >"$f.payload"
	len=$(stat -c %s "$f.payload")
	head -c 1024 /dev/zero >"$f"
	le_bytes "$f" 0x1f1 1 1 # one setup sector: the payload area starts at 1024
	printf HdrS | dd of="$f" bs=1 seek=$((0x202)) conv=notrunc status=none
	le_bytes "$f" 0x206 2 0x20f # boot protocol 2.15
	le_bytes "$f" 0x20e 2 0x100 # the version string is at 0x300
	printf '%s (test@host) #1\0' "$2" | dd of="$f" bs=1 seek=$((0x300)) conv=notrunc status=none
	le_bytes "$f" 0x248 4 0 # payload offset
	le_bytes "$f" 0x24c 4 "$len"
	cat "$f.payload" >>"$f"
	echo '# CONFIG_MODULES is not set' >"$(dirname "$f")/.config"
}
fake_bzimage "$tmp/k-new/bzImage" 9.9.9-new 'early hugepage_alloc_threads= param'
fake_bzimage "$tmp/k-old/bzImage" 9.9.8-old 'early hugepagesz= param'
declare -A kd
for v in new old; do
	expect 0 '' env VFIO_PERF_CACHE="$tmp/cache" "$h/kernel.sh" "local:$tmp/k-$v/bzImage"
	kdir=$(cat "$tmp/stdout")
	kd[$v]=$kdir
	for f in vmlinuz config release source cmdline modroot/lib/modules/$(cat "$kdir/release" 2>/dev/null)/modules.dep; do
		[ -e "$kdir/$f" ] || fail "local kernel $v: $kdir/$f missing"
	done
done
expect_eq "release of the fake image" "$(cat "${kd[new]}/release")" 9.9.9-new
expect_eq "cmdline of a kernel with hugepage_alloc_threads" "$(cat "${kd[new]}/cmdline")" hugepage_alloc_threads=2
expect_eq "cmdline of a kernel without it" "$(cat "${kd[old]}/cmdline")" ""

# qemu.sh puts DIR/cmdline on the kernel command line, before --append
# (which may override it). A fake QEMU that exits at once: qemu.sh fails
# (3), and the console log's first line holds the command.
mkdir -p "$tmp/fakebin"
cat >"$tmp/fakebin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && echo "QEMU emulator version 0.0.0"
exit 0
EOF
chmod +x "$tmp/fakebin/qemu-system-x86_64"
expect 3 '' env PATH="$tmp/fakebin:$PATH" "$h/qemu.sh" --kernel-dir "${kd[new]}" \
	--initrd "$tmp/img/a.cpio.gz" --share "$share" --accel tcg --log "$tmp/q-new.log" \
	--append hugepage_alloc_threads=1
head -n 1 "$tmp/q-new.log" | grep -q 'hugepages=512\\ hugepage_alloc_threads=2\\ .*hugepage_alloc_threads=1' ||
	fail "qemu.sh: DIR/cmdline not appended before --append: $(head -n 1 "$tmp/q-new.log")"
expect 3 '' env PATH="$tmp/fakebin:$PATH" "$h/qemu.sh" --kernel-dir "${kd[old]}" \
	--initrd "$tmp/img/a.cpio.gz" --share "$share" --accel tcg --log "$tmp/q-old.log"
grep -q 'hugepage_alloc_threads' "$tmp/q-old.log" && fail "qemu.sh: hugepage_alloc_threads for a kernel without it"

finish
