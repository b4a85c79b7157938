#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Provision a guest kernel and print its directory.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: kernel.sh SPEC

Provision a guest kernel under $VFIO_PERF_CACHE/kernels/ and print the path
of its directory on stdout (and nothing else). A second call with the same
SPEC returns at once.

SPEC:
  6.12                     newest linux-image-6.12.*+deb12-amd64 (bookworm
                           and bookworm-security)
  6.1                      the bookworm 6.1 kernel that linux-image-amd64
                           depends on (linux-image-6.1.0-N-amd64)
  RELEASE                  a Debian kernel release of bookworm, as uname -r
                           prints it: 6.12.117+deb12-amd64, 6.1.0-56-amd64
  local:BZIMAGE[:MODROOT]  your own image; MODROOT holds lib/modules/RELEASE
                           (e.g. from make modules_install INSTALL_MOD_PATH=).
                           Without MODROOT, .config and modules.builtin are
                           taken from the build tree around BZIMAGE if there.

The directory holds: vmlinuz, config, release (uname -r), source (where it
came from), and modroot/lib/modules/RELEASE/ with the modules and a
depmod-generated modules.dep. Local kernels are cached per image SHA256 and
MODROOT in kernels/local-RELEASE-HASH12/.

Environment: VFIO_PERF_CACHE (default <repo>/.cache).
EOF
}

# The Debian suite the packaged specs come from.
SUITE=bookworm

# Echo the kernel directory for RELEASE if it is complete.
kernel_dir_ready() {
	local dir=$1
	[[ -f $dir/release && -f $dir/vmlinuz ]] || return 1
	printf '%s\n' "$dir"
}

# Newest linux-image-6.12.N+deb12-amd64 that apt can fetch.
resolve_6_12() {
	local pkg
	pkg=$(vp_apt "$SUITE" apt-cache pkgnames linux-image-6.12. |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' | sort -V | tail -n 1) ||
		true
	[[ -n $pkg ]] || vp_die "no linux-image-6.12.*+deb12-amd64 in $SUITE (is bookworm-security in the apt sources? apt-get update?)"
	printf '%s\n' "$pkg"
}

# The image package linux-image-amd64 depends on (bookworm: 6.1).
resolve_6_1() {
	local dep
	dep=$(vp_apt_show "$SUITE" linux-image-amd64 | vp_stanza_field Depends |
		tr ',' '\n' | sed -n 's/^ *\(linux-image-6\.1\.[^ ]*-amd64\) .*/\1/p' | head -n 1)
	[[ -n $dep ]] || vp_die "cannot find the 6.1 image that linux-image-amd64 depends on in $SUITE"
	printf '%s\n' "$dep"
}

# first_existing PATH...: the first PATH that exists.
first_existing() {
	local c
	for c; do
		if [[ -e $c ]]; then
			printf '%s\n' "$c"
			return 0
		fi
	done
	return 1
}

# assemble ROOT RELEASE OUT: lay out the kernel directory OUT from an
# unpacked package tree ROOT. Knows both the bookworm layout (/boot,
# /lib/modules) and the newer one (/usr/lib/modules/RELEASE/vmlinuz).
assemble_from_tree() {
	local root=$1 rel=$2 out=$3 f
	mkdir -p "$out/modroot/lib/modules"
	f=$(first_existing "$root/boot/vmlinuz-$rel" "$root/usr/lib/modules/$rel/vmlinuz" \
		"$root/lib/modules/$rel/vmlinuz") || vp_die "no vmlinuz for $rel in the package"
	mv "$f" "$out/vmlinuz"
	f=$(first_existing "$root/boot/config-$rel" "$root/usr/lib/modules/$rel/config" \
		"$root/lib/modules/$rel/config" "$root/usr/lib/linux/config-$rel") ||
		vp_die "no config for $rel in the package"
	mv "$f" "$out/config"
	f=$(first_existing "$root/lib/modules/$rel" "$root/usr/lib/modules/$rel") ||
		vp_die "no modules directory for $rel in the package"
	mv "$f" "$out/modroot/lib/modules/$rel"
	rm -f "$out/modroot/lib/modules/$rel/vmlinuz" "$out/modroot/lib/modules/$rel/config"
}

# run_depmod OUT RELEASE
run_depmod() {
	vp_log "depmod $2"
	depmod -b "$1/modroot" "$2" || vp_die "depmod failed for $2"
}

# provision_package PACKAGE: download, unpack and lay out a Debian image.
provision_package() {
	local pkg=$1 rel=${1#linux-image-} dir tmp deb ver
	dir=$(vp_cache)/kernels/$rel
	kernel_dir_ready "$dir" && return 0
	vp_lock "kernels"
	kernel_dir_ready "$dir" && return 0

	deb=$(vp_apt_download "$SUITE" "$pkg")
	ver=$(dpkg-deb -f "$deb" Version)
	tmp=$(mktemp -d "$(vp_cache)/kernels/.tmp-$rel.XXXXXX")
	TMPDIRS+=("$tmp")
	vp_log "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$tmp/root" || vp_die "cannot unpack $deb"
	assemble_from_tree "$tmp/root" "$rel" "$tmp/out"
	printf '%s\n' "$rel" >"$tmp/out/release"
	{
		echo "kind=debian"
		echo "suite=$SUITE"
		echo "package=$pkg"
		echo "version=$ver"
		echo "deb=$(basename "$deb")"
		echo "sha256=$(sha256sum <"$deb" | cut -d' ' -f1)"
	} >"$tmp/out/source"
	run_depmod "$tmp/out" "$rel"
	mv "$tmp/out" "$dir"
	printf '%s\n' "$dir"
}

# The release string of a bzImage: the x86 boot header holds a pointer
# (at 0x20e, relative to 0x200) to "RELEASE (user@host) #N ...".
bzimage_release() {
	local img=$1 magic off
	magic=$(dd if="$img" bs=1 skip=$((0x202)) count=4 2>/dev/null)
	[[ $magic == HdrS ]] || vp_die "$img is not an x86 bzImage (no HdrS header)"
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$img" | tr -d ' ')
	dd if="$img" bs=1 skip=$((off + 0x200)) count=256 2>/dev/null |
		tr '\0' '\n' | awk 'NR == 1 { print $1 }'
}

# provision_local BZIMAGE [MODROOT]
provision_local() {
	local img=$1 modroot=${2:-} rel sum key dir tmp tree cfg mdir
	[[ -f $img ]] || vp_die "no such image: $img"
	img=$(realpath "$img")
	rel=$(bzimage_release "$img")
	[[ -n $rel ]] || vp_die "cannot read the release string of $img"
	if [[ -n $modroot ]]; then
		modroot=$(realpath "$modroot")
		[[ -d $modroot/lib/modules/$rel ]] ||
			vp_die "$modroot/lib/modules/$rel does not exist (image release is $rel)"
	fi
	sum=$(sha256sum <"$img" | cut -d' ' -f1)
	# The same image with other modules is another kernel directory.
	key=$(printf '%s\n' "$sum" "$modroot" | sha256sum | cut -c1-12)
	dir=$(vp_cache)/kernels/local-$rel-$key
	kernel_dir_ready "$dir" && return 0
	vp_lock "kernels"
	kernel_dir_ready "$dir" && return 0

	mkdir -p "$(vp_cache)/kernels"
	tmp=$(mktemp -d "$(vp_cache)/kernels/.tmp-local.XXXXXX")
	TMPDIRS+=("$tmp")
	mdir=$tmp/out/modroot/lib/modules/$rel
	mkdir -p "$(dirname "$mdir")"
	cp "$img" "$tmp/out/vmlinuz"
	# A kernel build tree keeps the image in arch/x86/boot/.
	tree=$(realpath -m "$(dirname "$img")/../../..")
	if [[ -n $modroot ]]; then
		cp -a "$modroot/lib/modules/$rel" "$mdir"
		rm -f "$mdir/build" "$mdir/source"
	else
		mkdir -p "$mdir"
		if [[ -f $tree/modules.builtin ]]; then
			cp "$tree/modules.builtin" "$mdir/"
		fi
		# No modules; an absent modules.builtin means "nothing known to be
		# built in", which initramfs.sh then reports module by module.
		touch "$mdir/modules.order" "$mdir/modules.builtin" "$mdir/modules.builtin.modinfo"
	fi
	if cfg=$(first_existing "$img.config" "$(dirname "$img")/config-$rel" \
		"$(dirname "$img")/.config" "$(dirname "$img")/config" "$tree/.config"); then
		cp "$cfg" "$tmp/out/config"
	else
		vp_log "warning: no .config found next to $img; config left empty"
		echo "# unknown: no .config found next to $img" >"$tmp/out/config"
		cfg=
	fi
	printf '%s\n' "$rel" >"$tmp/out/release"
	{
		echo "kind=local"
		echo "image=$img"
		echo "sha256=$sum"
		echo "modroot=${modroot:-}"
		echo "config=${cfg:-}"
	} >"$tmp/out/source"
	run_depmod "$tmp/out" "$rel"
	mv "$tmp/out" "$dir"
	printf '%s\n' "$dir"
}

cleanup() {
	local d
	for d in "${TMPDIRS[@]}"; do
		rm -rf "$d"
	done
}

main() {
	case ${1:-} in
	-h | --help)
		usage
		exit 0
		;;
	"") vp_usage_error "missing SPEC" ;;
	esac
	[[ $# == 1 ]] || vp_usage_error "exactly one SPEC expected"
	local spec=$1 img modroot pkg
	TMPDIRS=()
	trap cleanup EXIT
	vp_need_cmd depmod kmod
	mkdir -p "$(vp_cache)/kernels"
	case $spec in
	local:*)
		spec=${spec#local:}
		img=${spec%%:*}
		modroot=
		[[ $spec == *:* ]] && modroot=${spec#*:}
		[[ -n $img ]] || vp_usage_error "local: needs a bzImage path"
		provision_local "$img" "$modroot"
		;;
	6.12)
		pkg=$(resolve_6_12)
		provision_package "$pkg"
		;;
	6.1)
		pkg=$(resolve_6_1)
		provision_package "$pkg"
		;;
	[0-9]*.*-*)
		[[ $spec =~ ^[0-9A-Za-z.+~-]+$ ]] || vp_usage_error "bad kernel release '$spec'"
		provision_package "linux-image-$spec"
		;;
	*) vp_usage_error "unknown kernel spec '$spec'" ;;
	esac
}

main "$@"
