#!/bin/bash
# harness/kbuild.sh without compiling a kernel: usage errors, the build
# list, the identity (patch code, config and toolchain count, commit
# messages do not), and a series that does not apply, on a tiny git base
# of our own; harness/toolchain.sh's arguments, with a toolchain record
# of our own (no debootstrap).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kb=$repo/harness/kbuild.sh
export VFIO_PERF_CACHE=$tmp/cache

expect 0 '' "$kb" --help
grep -q '^usage: ' "$tmp/stdout" || fail "kbuild.sh --help prints no usage line"
expect 2 '^kbuild\.sh: error: missing build NAME' "$kb"
expect 2 "^kbuild\.sh: error: bad build name 'a b'" "$kb" 'a b'
expect 2 "^kbuild\.sh: error: bad build name '6\.12\+'" "$kb" '6.12+'
expect 2 "^kbuild\.sh: error: unknown base '5\.4'" "$kb" 5.4
expect 2 '^kbuild\.sh: error: exactly one build NAME expected' "$kb" 6.12 7.2
expect 2 "^kbuild\.sh: error: unknown profile '@fast'" "$kb" 6.12@fast
expect 2 "^kbuild\.sh: error: bad build name '6\.12@tiny\+x'" "$kb" 6.12@tiny+x

# The guest's module list (profile debian keeps these modules) is what
# harness/initramfs.sh loads.
expect_eq "configs/guest.modules" \
	"$(sed 's/#.*//' "$repo/kernel-patches/configs/guest.modules" | awk 'NF { printf "%s ", $1 }')" \
	"$(sed -n 's/^DEFAULT_MODULES=(\(.*\))$/\1 /p' "$repo/harness/initramfs.sh")"
# The debian profile's fragments keep Debian's preemption, memcg and
# mitigations: they may not switch off what the build must keep.
for o in PREEMPT PREEMPT_DYNAMIC PREEMPT_VOLUNTARY MEMCG MITIGATION_RETPOLINE MITIGATION_RETHUNK \
	MITIGATION_PAGE_TABLE_ISOLATION INIT_ON_ALLOC_DEFAULT_ON RANDOMIZE_BASE SHUFFLE_PAGE_ALLOCATOR; do
	! grep -qE "CONFIG_${o}[= ]" "$repo/kernel-patches/configs/debian.config" "$repo/kernel-patches/configs/guest.config" ||
		fail "a debian-profile fragment sets CONFIG_$o"
done

# The list is the builds file, and every build in it names a real series.
expect 0 '' "$kb" --list
expect_eq "--list" "$(tr '\n' ' ' <"$tmp/stdout")" \
	"$(sed 's/#.*//' "$repo/kernel-patches/builds" | awk 'NF { printf "%s ", $1 }')"
while read -r b; do
	IFS=+ read -r -a parts <<<"${b%@*}"
	for s in "${parts[@]:1}"; do
		[ -f "$repo/kernel-patches/${parts[0]}/$s/series" ] || fail "build $b: no series $s"
	done
done <"$tmp/stdout"

# A private kernel-patches/ over a one-file git "kernel".
kp=$tmp/kp src=$tmp/src
mkdir -p "$kp/configs" "$kp/t/good" "$kp/t/bad" "$src"
git -C "$src" init -q
printf 'int a;\nint b;\nint c;\n' >"$src/f.c"
git -C "$src" add f.c
git -C "$src" -c user.name=t -c user.email=t@t commit -qm base
printf 't git %s file:configs/t-debian\n' "$src" >"$kp/bases"
echo 'CONFIG_X=y' >"$kp/configs/guest.config"
echo 'CONFIG_Z=y' >"$kp/configs/debian.config"
echo 'CONFIG_T=y' >"$kp/configs/tiny.config"
echo '# CONFIG_SPARSEMEM_VMEMMAP is not set' >"$kp/configs/novmemmap.config"
echo 'CONFIG_IOMMU_DEBUGFS=y' >"$kp/configs/iommu-debugfs.config"
printf 'CONFIG_PREEMPT_DYNAMIC=y\nCONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-16 (Debian 16.2.0-4) 16.2.0"\n' >"$kp/configs/t-debian"
echo 'vfio-pci' >"$kp/configs/guest.modules"
sig='-- ' # git format-patch's signature separator
mkpatch() { # mkpatch FILE SUBJECT OLD NEW
	cat >"$1" <<EOF
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
Subject: [PATCH] $2

$2, explained.
---
diff --git a/f.c b/f.c
--- a/f.c
+++ b/f.c
@@ -1,3 +1,3 @@
 int a;
-$3
+$4
 int c;
$sig
2.39.5
EOF
}
mkpatch "$kp/t/good/0001-b.patch" "rename b" "int b;" "int bb;"
echo 0001-b.patch >"$kp/t/good/series"
mkpatch "$kp/t/bad/0001-z.patch" "rename z" "int z;" "int zz;"
echo 0001-z.patch >"$kp/t/bad/series"
export VP_KERNEL_PATCHES=$kp

ident() { "$kb" --manifest "$1" | sed -n 's/^identity //p'; }
id0=$(ident t+good)
[ -n "$id0" ] || fail "--manifest prints no identity"
# The manifest names the profile and the Debian config (its SHA-256).
expect 0 '' "$kb" --manifest t+good
grep -qx 'profile debian' "$tmp/stdout" || fail "the manifest names no profile: $(cat "$tmp/stdout")"
grep -qx "debian-config file:configs/t-debian - $(sha256sum <"$kp/configs/t-debian" | cut -d' ' -f1)" "$tmp/stdout" ||
	fail "the manifest names no Debian config: $(cat "$tmp/stdout")"
grep -qx "config configs/tiny.config .*" "$tmp/stdout" && fail "the debian profile's manifest names tiny.config"
# The host's compiler and ld by default, by their --version lines.
grep -qxF "toolchain host $(gcc --version | head -n 1); $(ld --version | head -n 1)" "$tmp/stdout" ||
	fail "the manifest names no host toolchain: $(cat "$tmp/stdout")"
# The tiny profile is another build, and says so.
expect 0 '' "$kb" --manifest t+good@tiny
grep -qx 'profile tiny' "$tmp/stdout" || fail "the @tiny manifest names no profile tiny"
grep -q '^debian-config ' "$tmp/stdout" && fail "the @tiny manifest names a Debian config"
[ "$(ident t+good@tiny)" != "$id0" ] || fail "the tiny and debian profiles share an identity"
# The novmemmap profile is the tiny one with its own fragment.
expect 0 '' "$kb" --manifest t+good@novmemmap
grep -qx 'profile novmemmap' "$tmp/stdout" || fail "the @novmemmap manifest names no profile novmemmap"
grep -q '^config configs/tiny\.config ' "$tmp/stdout" || fail "the @novmemmap manifest names no tiny.config"
grep -q '^config configs/novmemmap\.config ' "$tmp/stdout" || fail "the @novmemmap manifest names no novmemmap.config"
[ "$(ident t+good@novmemmap)" != "$(ident t+good@tiny)" ] || fail "the tiny and novmemmap profiles share an identity"
# The iommu-debugfs profile is the Debian one with its fragment last.
expect 0 '' "$kb" --manifest t+good@iommu-debugfs
grep -qx 'profile iommu-debugfs' "$tmp/stdout" || fail "the @iommu-debugfs manifest names no profile iommu-debugfs"
grep -q '^debian-config ' "$tmp/stdout" || fail "the @iommu-debugfs manifest names no Debian config"
grep '^config ' "$tmp/stdout" | cut -d' ' -f2 | tr '\n' ' ' | grep -qx 'configs/debian.config configs/guest.config configs/iommu-debugfs.config ' ||
	fail "the @iommu-debugfs fragments are not debian, guest, iommu-debugfs in that order: $(grep '^config ' "$tmp/stdout")"
[ "$(ident t+good@iommu-debugfs)" != "$id0" ] || fail "the debian and iommu-debugfs profiles share an identity"
# A profile whose fragment is missing is an error, not the Debian build.
expect 1 'iommufd-compat.config does not exist' "$kb" --manifest t+good@iommufd-compat
expect 2 "unknown profile '@vmemmap'" "$kb" --manifest t+good@vmemmap
# Another Debian config, module list or step-1 fragment is another build.
echo 'CONFIG_MEMCG=y' >>"$kp/configs/t-debian"
[ "$(ident t+good)" != "$id0" ] || fail "changing the Debian config kept the identity"
sed -i '$d' "$kp/configs/t-debian"
echo 9p >>"$kp/configs/guest.modules"
[ "$(ident t+good)" != "$id0" ] || fail "changing the module list kept the identity"
sed -i '$d' "$kp/configs/guest.modules"
echo 'CONFIG_W=y' >>"$kp/configs/debian.config"
[ "$(ident t+good)" != "$id0" ] || fail "changing debian.config kept the identity"
sed -i '$d' "$kp/configs/debian.config"
expect_eq "identity back" "$(ident t+good)" "$id0"
# A base without a Debian config builds only @tiny.
printf 'u git %s\n' "$src" >>"$kp/bases"
expect 1 'base u names no Debian config .*or build u@tiny' "$kb" --manifest u
expect 0 '' "$kb" --manifest u@tiny
expect_eq "identity is stable" "$(ident t+good)" "$id0"
[ "$(ident t)" != "$id0" ] || fail "the base and the patched build share an identity"
# Rewording the commit message is the same build ...
mkpatch "$kp/t/good/0001-b.patch" "rename b, reworded" "int b;" "int bb;"
expect_eq "identity after a reworded message" "$(ident t+good)" "$id0"
# ... and so is a cover letter listed in the series: never applied (its
# text is no patch of f.c) nor hashed.
printf 'Subject: [PATCH 0/1] cover\n\nnot a patch\n' >"$kp/t/good/0000-cover-letter.patch"
printf '0000-cover-letter.patch\n0001-b.patch\n' >"$kp/t/good/series"
expect_eq "identity with a cover letter" "$(ident t+good)" "$id0"
echo 'reworded' >>"$kp/t/good/0000-cover-letter.patch"
expect_eq "identity with a reworded cover letter" "$(ident t+good)" "$id0"
# ... other code or another config fragment is not.
mkpatch "$kp/t/good/0001-b.patch" "rename b" "int b;" "int bbb;"
[ "$(ident t+good)" != "$id0" ] || fail "changing the patch code kept the identity"
mkpatch "$kp/t/good/0001-b.patch" "rename b" "int b;" "int bb;"
echo 'CONFIG_Y=y' >>"$kp/configs/guest.config"
[ "$(ident t+good)" != "$id0" ] || fail "changing the config fragment kept the identity"
# Another toolchain is another build: a sid toolchain of our own (its
# record only: kbuild.sh reads the compiler's --version line from it).
tc=$VFIO_PERF_CACHE/toolchains/sid
mkdir -p "$tc/root"
# Every package toolchain.sh puts into a root, so that it installs none.
{
	sed -n '/^BASE_PACKAGES=(/,/)/p' "$repo/harness/toolchain.sh" | tr -d '()' |
		sed 's/^BASE_PACKAGES=//' | awk '{ for (i = 1; i <= NF; i++) print $i, "1.0" }'
	echo 'gcc-16 16.2.0-4'
} >"$tc/packages"
grep -qx 'zstd 1.0' "$tc/packages" || fail "the fake toolchain's package list lacks BASE_PACKAGES"
printf '%s\n' 'ld GNU ld (GNU Binutils for Debian) 2.47' \
	'x86_64-linux-gnu-gcc-16 x86_64-linux-gnu-gcc-16 (Debian 16.2.0-4) 16.2.0' >"$tc/versions"
id1=$(ident t+good)
cp "$kp/bases" "$tmp/bases"
sed -i 's|^t git .*$|& toolchain=sid|' "$kp/bases"
expect 0 '' "$kb" --manifest t+good
grep -qxF 'toolchain sid x86_64-linux-gnu-gcc-16 (Debian 16.2.0-4) 16.2.0; GNU ld (GNU Binutils for Debian) 2.47' "$tmp/stdout" ||
	fail "the manifest names no sid toolchain with Debian's compiler: $(cat "$tmp/stdout")"
id2=$(ident t+good)
[ "$id2" != "$id1" ] || fail "the host and sid toolchains share an identity"
# ... and so is another compiler version in it.
sed -i 's/16\.2\.0-4/16.2.0-5/' "$tc/versions"
[ "$(ident t+good)" != "$id2" ] || fail "another compiler version kept the identity"
sed -i 's/16\.2\.0-5/16.2.0-4/' "$tc/versions"
expect_eq "identity with the sid toolchain back" "$(ident t+good)" "$id2"
# The compiler is the one Debian's config names: a toolchain without it
# has no version line for it.
sed -i 's/gcc-16 (Debian/gcc-17 (Debian/; s/x86_64-linux-gnu-gcc-16 x86/x86_64-linux-gnu-gcc-17 x86/' "$tc/versions"
expect 1 'toolchain .* has no x86_64-linux-gnu-gcc-16 \(gcc-16\)' "$kb" --manifest t+good
sed -i 's/gcc-17/gcc-16/g' "$tc/versions"
# --check compiles with the host's compiler and never makes a toolchain.
mv "$tc" "$tmp/tc-sid"
"$kb" --check t+bad >"$tmp/out" 2>&1 && fail "--check of a series that does not apply succeeded (toolchain sid)"
grep -q 'check compiles with the host compiler' "$tmp/out" || fail "--check says nothing of the host compiler: $(cat "$tmp/out")"
grep -q 'error: patch t/bad/0001-z.patch does not apply' "$tmp/out" || fail "--check (toolchain sid): $(cat "$tmp/out")"
[ ! -e "$VFIO_PERF_CACHE/toolchains/sid" ] || fail "--check made the sid toolchain"
mv "$tmp/tc-sid" "$tc"
# A compiler that no Debian suite's gcc package is, a bad toolchain name
# and a line with too many words are errors.
sed -i 's/x86_64-linux-gnu-gcc-16 (Debian/clang (Debian/' "$kp/configs/t-debian"
expect 1 "config names the compiler 'clang', which is no gcc" "$kb" --manifest t+good
sed -i 's/clang (Debian/x86_64-linux-gnu-gcc-16 (Debian/' "$kp/configs/t-debian"
sed -i 's/toolchain=sid/toolchain=Sid!/' "$kp/bases"
expect 1 "bad toolchain 'Sid!' for base t" "$kb" --manifest t+good
sed -i 's/toolchain=Sid!/extra toolchain=sid/' "$kp/bases"
expect 1 'the line of base t has more than' "$kb" --manifest t+good
cp "$tmp/bases" "$kp/bases"
expect_eq "identity with the host toolchain back" "$(ident t+good)" "$id1"

# toolchain.sh: arguments, and --run of a toolchain that is not there.
ts=$repo/harness/toolchain.sh
expect 0 '' "$ts" --help
tail -n 1 "$tmp/stdout" | grep -q '^Example: ' || fail "toolchain.sh --help ends with no example"
expect 2 '^toolchain\.sh: error: missing SUITE' "$ts"
expect 2 "^toolchain\.sh: error: bad suite name 'a/b'" "$ts" a/b
expect 2 '^toolchain\.sh: error: --run needs SUITE and a COMMAND' "$ts" --run sid
expect 1 '^toolchain\.sh: error: no trixie toolchain in .*harness/toolchain\.sh trixie' "$ts" --run trixie true
# An existing toolchain that has the packages is printed, nothing made.
expect 0 '' "$ts" sid gcc-16
expect_eq "toolchain.sh sid gcc-16" "$(cat "$tmp/stdout")" "$tc"

# BASE+SERIES:K: the first K patches of the last series, an identity of
# its own that is the identity of a series of just those K patches.
mkdir -p "$kp/t/two" "$kp/t/one"
mkpatch "$kp/t/two/0001-b.patch" "rename b" "int b;" "int bb;"
cat >"$kp/t/two/0002-c.patch" <<EOF
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
Subject: [PATCH 2/2] rename c

---
diff --git a/f.c b/f.c
--- a/f.c
+++ b/f.c
@@ -1,3 +1,3 @@
 int a;
 int bb;
-int c;
+int cc;
$sig
2.39.5
EOF
printf '0001-b.patch\n0002-c.patch\n' >"$kp/t/two/series"
cp "$kp/t/two/0001-b.patch" "$kp/t/one/"
echo 0001-b.patch >"$kp/t/one/series"
expect 0 '' "$kb" --patches t+two:1
expect_eq "--patches t+two:1" "$(cat "$tmp/stdout")" "$kp/t/two/0001-b.patch"
expect 0 '' "$kb" --patches t+two
expect_eq "--patches t+two" "$(tr '\n' ' ' <"$tmp/stdout")" "$kp/t/two/0001-b.patch $kp/t/two/0002-c.patch "
expect 0 '' "$kb" --patches t
expect_eq "--patches t" "$(cat "$tmp/stdout")" ""
expect 0 '' "$kb" --patches t+good+two:1
expect_eq "--patches t+good+two:1" "$(tr '\n' ' ' <"$tmp/stdout")" "$kp/t/good/0001-b.patch $kp/t/two/0001-b.patch "
id1=$(ident t+two:1)
[ "$id1" != "$(ident t+two)" ] || fail "t+two:1 and t+two share an identity"
[ "$id1" != "$(ident t)" ] || fail "t+two:1 and its base share an identity"
"$kb" --manifest t+two:1 | grep '^patch ' | sed 's|t/two|t/one|' >"$tmp/m1"
"$kb" --manifest t+one | grep '^patch ' >"$tmp/m2"
cmp -s "$tmp/m1" "$tmp/m2" || fail "t+two:1 does not carry the code of the first patch only: $(cat "$tmp/m1")"
expect 2 'series t/two has 2 patch\(es\): :K wants 1 to 1 \(all of them: the name without :2\)' "$kb" --manifest t+two:2
expect 2 "bad build name 't\+two:0'" "$kb" --manifest t+two:0
expect 2 "'t:1': :K takes the first K patches of a series, and t names none" "$kb" --manifest t:1
expect 2 "bad build name 't\+two:1\+one'" "$kb" --manifest t+two:1+one
expect 0 '' "$kb" --manifest t+two:1@tiny
grep -qx 'profile tiny' "$tmp/stdout" || fail "t+two:1@tiny is not the tiny profile"
# --source: the base's unpacked source.
expect 0 '' "$kb" --source t+two:1
expect_eq "--source t" "$(cat "$tmp/stdout")" "$VFIO_PERF_CACHE/ksrc/git-$(git -C "$src" rev-parse HEAD)"
[ -f "$(cat "$tmp/stdout")/f.c" ] || fail "--source printed a directory without the source"

# A dirty git base has no identity.
echo 'int d;' >>"$src/f.c"
expect 1 'uncommitted changes' "$kb" --manifest t
git -C "$src" checkout -q f.c

# A series that does not apply fails, naming the patch, before any build.
"$kb" --check t+bad >"$tmp/out" 2>&1 && fail "--check of a series that does not apply succeeded"
grep -q "error: patch t/bad/0001-z.patch does not apply to git-" "$tmp/out" ||
	fail "no error naming the patch: $(cat "$tmp/out")"
# --check runs the base's own scripts/checkpatch.pl --strict on every
# patch but the cover letter, from the base's tree, before compiling:
# here a checkpatch of our own that objects to a patch adding "int bb;"
# and to the cover letter's text.
mkdir -p "$src/scripts"
cat >"$src/scripts/checkpatch.pl" <<'EOF'
my ($strict, $quiet, $patch) = @ARGV;
die "want --strict --quiet PATCH\n" unless $strict eq '--strict' && $quiet eq '--quiet' && -f $patch;
die "run outside the tree\n" unless -f 'f.c';
open(my $fh, '<', $patch) or die;
while (<$fh>) {
	if (/^\+int bb;|not a patch/) { print "ERROR: bad style\n"; exit 1; }
}
EOF
git -C "$src" add scripts/checkpatch.pl
git -C "$src" -c user.name=t -c user.email=t@t commit -qm checkpatch
"$kb" --check t+good >"$tmp/out" 2>&1 && fail "--check of a series checkpatch objects to succeeded"
grep -qx '  ERROR: bad style' "$tmp/out" || fail "--check does not show checkpatch's report: $(cat "$tmp/out")"
grep -q 'error: t+good: checkpatch.pl --strict of git-[0-9a-f]* finds problems in t/good/0001-b.patch (above)$' "$tmp/out" ||
	fail "--check names no checkpatch problem: $(cat "$tmp/out")"
mkpatch "$kp/t/good/0001-b.patch" "rename b" "int b;" "int b2;"
"$kb" --check t+good >"$tmp/out" 2>&1 || true
grep -q 't+good: checkpatch.pl --strict of git-[0-9a-f]*: 1 patch(es) clean$' "$tmp/out" ||
	fail "--check of a clean series says no checkpatch line: $(cat "$tmp/out")"
echo 0002-missing.patch >>"$kp/t/good/series"
expect 1 'series t/good lists 0002-missing.patch, which does not exist' "$kb" --manifest t+good

finish
