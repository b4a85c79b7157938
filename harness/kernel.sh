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
of its directory on stdout (and nothing else). A kernel provisioned before
is not fetched again (a SPEC naming a suite still asks apt which kernel it
means, which takes a second).

SPEC is [SUITE:]SELECTOR or SUITE (a Debian kernel), local:... (yours) or
build:NAME (built from source with kernel-patches/):

  SUITE        bookworm, trixie, forky or sid; bookworm when left out. The
               host's own suite uses the system's apt lists; any other gets
               private apt lists under $VFIO_PERF_CACHE/apt/SUITE/ (refreshed
               daily), so the system's apt sources are never touched.
  SUITE alone  the suite's default kernel: the one linux-image-amd64 of
               SUITE depends on
  SELECTOR, one of:
    X[.Y[.Z]]  the newest amd64 kernel of SUITE whose upstream version is X,
               X.Y or X.Y.Z (7, 6.12, 6.12.115); newest by package version
    RELEASE    exactly this kernel release, as uname -r prints it; ends in
               -amd64 (6.1.0-56-amd64, 7.2.13+deb14-amd64; the -cloud-amd64
               and -rt-amd64 flavours only this way)
    VERSION    the amd64 kernel whose Debian package version is VERSION: it
               has a -REVISION and does not end in -amd64 (6.12.115-2)
  local:BZIMAGE[:MODROOT]
               your own image; MODROOT holds lib/modules/RELEASE
               (e.g. from make modules_install INSTALL_MOD_PATH=).
               Without MODROOT, .config and modules.builtin are taken
               from the build tree around BZIMAGE if there.

  build:NAME   a kernel built by harness/kbuild.sh (see its --help):
               NAME is BASE[+SERIES...], e.g. 6.12, 6.12+type1-contig-batch,
               7.2+vfio-pci-huge-align, 6.12@tiny; built once per
               identity, then provisioned like local: with the build's
               modules (profile debian; @tiny has everything built in)

Examples:
  6.1 | bookworm           bookworm's 6.1 (6.1.0-N-amd64)
  6.12                     newest 6.12.*+deb12-amd64 (bookworm-security)
  trixie | trixie:6.12     trixie's 6.12 (6.12.N+deb13-amd64)
  sid | sid:7              sid's newest 7.x (7.2.N+deb14-amd64)
  sid:7.2.13+deb14-amd64   that release
  trixie:6.12.115-2        package version 6.12.115-2 of trixie, i.e.
                           release 6.12.115+deb13.1-amd64

A Debian kernel is linux-image-RELEASE plus the linux-*-RELEASE packages it
depends on: in sid, linux-image-RELEASE is a metapackage and the kernel is
in linux-binary-RELEASE (usr/lib/modules/RELEASE/vmlinuz), the modules in
linux-modules-RELEASE and the config in linux-base-RELEASE; older suites
have one package with /boot/vmlinuz-RELEASE. Both layouts work.

The directory holds: vmlinuz, config, release (uname -r), source (where it
came from), cmdline (kernel parameters qemu.sh adds for this kernel, e.g.
hugepage_alloc_threads=2 when the image knows that parameter; may be empty),
and modroot/lib/modules/RELEASE/ with the modules and a depmod-generated
modules.dep. Debian kernels live in kernels/RELEASE/; local kernels are
cached per image SHA256 and MODROOT in kernels/local-RELEASE-HASH12/.

Exit status: 0, 1 on failure (nothing matches SPEC, download failed), 2 for
a SPEC that does not parse.

Environment: VFIO_PERF_CACHE (default <repo>/.cache), VP_DEBIAN_MIRROR
(default http://deb.debian.org), VP_APT_REFRESH=1 (refresh the apt lists).

Example: harness/kernel.sh 6.12
EOF
}

KNOWN_SUITES=(bookworm trixie forky sid)
DEFAULT_SUITE=bookworm
# A kernel release of the default amd64 flavour: X.Y.Z, then an ABI
# (6.1.0-56) or a +debN tag (6.12.117+deb13, 6.12.115+deb13.1), then -amd64.
RELEASE_RE='^[0-9]+\.[0-9]+\.[0-9]+[-+][0-9A-Za-z.+~-]*-amd64$'
OTHER_FLAVOUR_RE='-(cloud|rt)-amd64$'

is_suite() {
	local s
	for s in "${KNOWN_SUITES[@]}"; do
		[[ $1 == "$s" ]] && return 0
	done
	return 1
}

# Echo the kernel directory DIR if it is complete. Directories made before
# kernel.sh wrote cmdline files get one now.
kernel_dir_ready() {
	local dir=$1
	[[ -f $dir/release && -f $dir/vmlinuz ]] || return 1
	if ! [[ -f $dir/cmdline ]]; then
		kernel_cmdline "$dir/vmlinuz" | vp_atomic_write "$dir/cmdline"
	fi
	printf '%s\n' "$dir"
}

# suite_releases SUITE: the releases of SUITE's default-flavour
# linux-image-RELEASE packages (not the linux-image-X.Y-amd64 metapackages).
suite_releases() {
	local names
	names=$(vp_apt "$1" apt-cache pkgnames linux-image-) ||
		vp_die "apt-cache pkgnames failed for suite $1"
	sed -n 's/^linux-image-//p' <<<"$names" | grep -E "$RELEASE_RE" |
		grep -vE -- "$OTHER_FLAVOUR_RE" | sort -V || true
}

# newest_release SUITE RELEASE...: the RELEASE whose linux-image package
# has the highest version (ties: the highest release string).
newest_release() {
	local suite=$1 best='' bestver='' pkg ver pairs
	shift
	pairs=$(vp_apt_versions "$suite" "${@/#/linux-image-}")
	while read -r pkg ver; do
		[[ -n $pkg ]] || continue
		if [[ -z $best ]] || dpkg --compare-versions "$ver" gt "$bestver" ||
			{ dpkg --compare-versions "$ver" eq "$bestver" &&
				[[ $(printf '%s\n' "$best" "$pkg" | sort -V | tail -n 1) == "$pkg" ]]; }; then
			best=$pkg bestver=$ver
		fi
	done <<<"$pairs"
	printf '%s\n' "${best#linux-image-}"
}

# The release linux-image-amd64 of SUITE depends on.
resolve_default() {
	local suite=$1 rel
	rel=$(vp_apt_show "$suite" linux-image-amd64 | vp_stanza_field Depends |
		tr ',|' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' |
		grep -E "$RELEASE_RE" | head -n 1) || true
	[[ -n $rel ]] || vp_die "cannot find the kernel linux-image-amd64 depends on in $suite"
	printf '%s\n' "$rel"
}

# The newest release of SUITE whose version starts with PREFIX (X[.Y[.Z]]).
resolve_prefix() {
	local suite=$1 prefix=$2 all rels rel
	all=$(suite_releases "$suite")
	rels=()
	while read -r rel; do
		if [[ $rel == "$prefix"[.+-]* ]]; then
			rels+=("$rel")
		fi
	done <<<"$all"
	((${#rels[@]})) ||
		vp_die "no amd64 kernel $prefix.* in $suite (it has: $(summarize "$all"))"
	rel=$(newest_release "$suite" "${rels[@]}")
	[[ -n $rel ]] || vp_die "apt knows no version of linux-image-$prefix.* in $suite"
	printf '%s\n' "$rel"
}

# RELEASE itself, if SUITE has linux-image-RELEASE.
resolve_release() {
	local suite=$1 rel=$2 mm all near
	if [[ -n $(vp_apt_show "$suite" "linux-image-$rel") ]]; then
		printf '%s\n' "$rel"
		return 0
	fi
	all=$(suite_releases "$suite")
	mm=$(grep -oE '^[0-9]+\.[0-9]+' <<<"$rel") || true
	near=$(grep -E "^${mm//./\\.}[.+-]" <<<"$all") || near=$all
	vp_die "no kernel release $rel in $suite (it has: $(summarize "$near"))"
}

# The release of SUITE whose linux-image package has version VERSION.
resolve_version() {
	local suite=$1 want=$2 all pairs pkg ver
	all=$(suite_releases "$suite")
	[[ -n $all ]] || vp_die "no amd64 kernels in $suite"
	mapfile -t rels <<<"$all"
	pairs=$(vp_apt_versions "$suite" "${rels[@]/#/linux-image-}")
	while read -r pkg ver; do
		if [[ $ver == "$want" ]]; then
			printf '%s\n' "${pkg#linux-image-}"
			return 0
		fi
	done <<<"$pairs"
	vp_die "no amd64 kernel package of version $want in $suite (it has: $(awk '{ print $2 }' <<<"$pairs" | sort -V | summarize))"
}

# summarize [LINES]: the lines (or stdin) on one line, the last 6 only.
summarize() {
	local text
	if (($#)); then text=$1; else text=$(cat); fi
	[[ -n $text ]] || { echo "nothing"; return 0; }
	local n
	n=$(wc -l <<<"$text")
	if ((n > 6)); then
		printf '... %s\n' "$(tail -n 6 <<<"$text" | paste -sd' ')"
	else
		paste -sd' ' <<<"$text"
	fi
}

# image_packages SUITE RELEASE: linux-image-RELEASE and every
# linux-*-RELEASE package it depends on, transitively.
image_packages() {
	local suite=$1 rel=$2 pkg dep deps
	local todo=("linux-image-$2")
	local -A seen=()
	while ((${#todo[@]})); do
		pkg=${todo[0]}
		todo=("${todo[@]:1}")
		[[ -z ${seen[$pkg]:-} ]] || continue
		seen[$pkg]=1
		printf '%s\n' "$pkg"
		deps=$(vp_apt_show "$suite" "$pkg" |
			sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | tr ',|' '\n' |
			sed 's/^ *//; s/[ (].*//')
		while read -r dep; do
			if [[ $dep == linux-*-"$rel" ]]; then
				todo+=("$dep")
			fi
		done <<<"$deps"
	done
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

# find_file ROOT WHAT PATH...: the first PATH (relative to ROOT) that is a
# file; failing that, the only file below ROOT named like the first PATH.
find_file() {
	local root=$1 what=$2 c hits
	shift 2
	for c; do
		if [[ -f $root/$c ]]; then
			printf '%s\n' "$root/$c"
			return 0
		fi
	done
	hits=$(find "$root" -type f -name "$(basename "$1")")
	[[ -n $hits && $(wc -l <<<"$hits") == 1 ]] ||
		vp_die "no $what in the packages (looked for $*)"
	printf '%s\n' "$hits"
}

# assemble_from_tree ROOT RELEASE OUT: lay out the kernel directory OUT
# from the unpacked packages in ROOT, whichever layout they use: /boot and
# /lib/modules (bookworm), /boot and /usr/lib/modules (trixie), or only
# /usr/lib/modules/RELEASE/{vmlinuz,config} (sid, split over packages).
assemble_from_tree() {
	local root=$1 rel=$2 out=$3 f d mdir=$3/modroot/lib/modules/$2 found=0
	mkdir -p "$out"
	f=$(find_file "$root" "vmlinuz for $rel" "boot/vmlinuz-$rel" \
		"usr/lib/modules/$rel/vmlinuz" "lib/modules/$rel/vmlinuz")
	mv "$f" "$out/vmlinuz"
	f=$(find_file "$root" "config for $rel" "boot/config-$rel" \
		"usr/lib/modules/$rel/config" "lib/modules/$rel/config" "usr/lib/linux/config-$rel")
	mv "$f" "$out/config"
	# Modules may be spread over both trees; merge them (hard links).
	mkdir -p "$mdir"
	for d in "$root/lib/modules/$rel" "$root/usr/lib/modules/$rel"; do
		[[ -d $d && ! -L $d ]] || continue
		cp -a -l -f "$d/." "$mdir/" || vp_die "cannot copy the modules of $rel"
		found=1
	done
	((found)) || vp_die "no modules directory for $rel in the packages"
	rm -f "$mdir/vmlinuz" "$mdir/config" "$mdir/System.map" "$mdir/build" "$mdir/source"
}

# run_depmod OUT RELEASE
run_depmod() {
	vp_log "depmod $2"
	depmod -b "$1/modroot" "$2" || vp_die "depmod failed for $2"
}

# provision_debian SUITE RELEASE SPEC: download, unpack and lay out the
# packages of a Debian kernel.
provision_debian() {
	local suite=$1 rel=$2 spec=$3 dir tmp deb pkgs debs ver img_rel
	local names=() sums=()
	dir=$(vp_cache)/kernels/$rel
	kernel_dir_ready "$dir" && return 0
	vp_lock "kernels"
	kernel_dir_ready "$dir" && return 0

	mkdir -p "$(vp_cache)/kernels"
	pkgs=$(image_packages "$suite" "$rel")
	vp_log "kernel $rel from $suite: $(paste -sd' ' <<<"$pkgs")"
	# shellcheck disable=SC2086 # package names have no spaces
	debs=$(vp_apt_download "$suite" $pkgs)
	tmp=$(mktemp -d "$(vp_cache)/kernels/.tmp-$rel.XXXXXX")
	TMPDIRS+=("$tmp")
	while read -r deb; do
		vp_log "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$tmp/root" || vp_die "cannot unpack $deb"
		names+=("$(basename "$deb")")
		sums+=("$(sha256sum <"$deb" | cut -d' ' -f1)")
	done <<<"$debs"
	ver=$(dpkg-deb -f "$(head -n 1 <<<"$debs")" Version)
	assemble_from_tree "$tmp/root" "$rel" "$tmp/out"
	img_rel=$(bzimage_release "$tmp/out/vmlinuz")
	[[ $img_rel == "$rel" ]] || vp_die "the vmlinuz of linux-image-$rel says it is $img_rel"
	printf '%s\n' "$rel" >"$tmp/out/release"
	kernel_cmdline "$tmp/out/vmlinuz" >"$tmp/out/cmdline"
	{
		echo "kind=debian"
		echo "spec=$spec"
		echo "suite=$suite"
		echo "package=linux-image-$rel"
		echo "version=$ver"
		echo "packages=$(paste -sd' ' <<<"$pkgs")"
		echo "deb=${names[*]}"
		echo "sha256=${sums[*]}"
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

# header_u IMG OFFSET BYTES: an unsigned little-endian field of the header.
header_u() {
	od -An -tu"$3" -j "$2" -N"$3" "$1" | tr -d ' '
}

# bzimage_has_string IMG STRING: whether the decompressed kernel in IMG
# contains STRING. The boot header (protocol 2.08+) gives the compressed
# payload's offset (0x248, from the end of the setup sectors) and length
# (0x24c); its magic tells the compressor.
bzimage_has_string() {
	local img=$1 str=$2 setup off len tmp magic n
	local -a dec
	(($(header_u "$img" $((0x206)) 2) >= 0x208)) || return 1
	setup=$(header_u "$img" $((0x1f1)) 1)
	((setup)) || setup=4
	off=$(header_u "$img" $((0x248)) 4)
	len=$(header_u "$img" $((0x24c)) 4)
	tmp=$(mktemp "${TMPDIR:-/tmp}/vfio-perf-payload.XXXXXX")
	TMPDIRS+=("$tmp")
	dd if="$img" of="$tmp" bs=64K skip=$(((setup + 1) * 512 + off)) count="$len" \
		iflag=skip_bytes,count_bytes status=none || return 1
	magic=$(od -An -tx1 -N6 "$tmp" | tr -d ' \n')
	case $magic in
	1f8b*) dec=(gzip -dc) ;;
	fd377a585a00) dec=(xz -dc) ;;
	28b52ffd*) dec=(zstd -qdc) ;;
	5d0000*) dec=(xz --format=lzma -dc) ;;
	425a68*) dec=(bzip2 -dc) ;;
	02214c18*) dec=(lz4 -dc) ;;
	*) dec=() ;;
	esac
	if ! ((${#dec[@]})) || ! command -v "${dec[0]}" >/dev/null; then
		vp_log "warning: cannot decompress the kernel in $img (magic $magic)"
		rm -f "$tmp"
		return 1
	fi
	# The decompressors complain about the size trailer the kernel build
	# appends; what they wrote is complete.
	n=$("${dec[@]}" <"$tmp" 2>/dev/null | grep -a -c -F -e "$str") || true
	rm -f "$tmp"
	((${n:-0} > 0))
}

# kernel_cmdline IMG: the kernel parameters qemu.sh adds for this kernel.
# Since 6.15 boot-time huge page allocation runs in
# hugepage_alloc_threads threads, by default a quarter of the CPUs: one
# in the 2-vCPU guest, which makes reserving 3 GiB slow (DESIGN.md, 4).
# The image is searched for the parameter, so custom builds and
# backports get it exactly when they know it.
kernel_cmdline() {
	if bzimage_has_string "$1" 'hugepage_alloc_threads='; then
		echo "hugepage_alloc_threads=2"
	fi
	return 0
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
	kernel_cmdline "$tmp/out/vmlinuz" >"$tmp/out/cmdline"
	{
		if ((${#EXTRA_SOURCE[@]})); then
			printf '%s\n' "${EXTRA_SOURCE[@]}"
		else
			echo "kind=local"
		fi
		echo "image=$(in_cache "$img")"
		echo "sha256=$sum"
		echo "modroot=$(in_cache "${modroot:-}")"
		echo "config=$(in_cache "${cfg:-}")"
	} >"$tmp/out/source"
	run_depmod "$tmp/out" "$rel"
	mv "$tmp/out" "$dir"
	printf '%s\n' "$dir"
}

# provision_build NAME: build (or reuse) the kernel, then provision its
# image (and modules, when the build has them) like a local one,
# recording which build it is, its profile and the Debian config it
# started from (paths relative to the cache: results carry this).
provision_build() {
	local name=$1 bdir c modroot=
	[[ -n $name ]] || vp_usage_error "build: needs a build name (see harness/kbuild.sh --list)"
	bdir=$("$(dirname "${BASH_SOURCE[0]}")/kbuild.sh" "$name") || exit $?
	c=$(vp_cache)
	EXTRA_SOURCE=("kind=build" "build=$name" "build_dir=cache:${bdir#"$c"/}"
		"identity=$(basename "$bdir")")
	if [[ -f $bdir/source ]]; then
		mapfile -t -O ${#EXTRA_SOURCE[@]} EXTRA_SOURCE <"$bdir/source"
	fi
	[[ -d $bdir/modroot ]] && modroot=$bdir/modroot
	provision_local "$bdir/tree/arch/x86/boot/bzImage" "$modroot"
}

# in_cache PATH: PATH as cache:RELATIVE when it is in the cache.
in_cache() {
	local c
	c=$(vp_cache)
	if [[ $1 == "$c"/* ]]; then
		printf 'cache:%s\n' "${1#"$c"/}"
	else
		printf '%s\n' "$1"
	fi
}

cleanup() {
	local d
	for d in "${TMPDIRS[@]}"; do
		rm -rf "$d"
	done
}

# provision_spec SPEC: a Debian kernel spec (everything but local:).
provision_spec() {
	local spec=$1 suite sel rel
	if [[ $spec == *:* ]]; then
		suite=${spec%%:*} sel=${spec#*:}
		is_suite "$suite" ||
			vp_usage_error "unknown Debian suite '$suite' in '$spec' (known: ${KNOWN_SUITES[*]})"
		[[ -n $sel ]] || vp_usage_error "nothing after '$suite:' in '$spec'"
	elif is_suite "$spec"; then
		suite=$spec sel=
	else
		suite=$DEFAULT_SUITE sel=$spec
	fi
	if [[ -z $sel ]]; then
		rel=$(resolve_default "$suite")
	elif [[ $sel =~ ^[0-9]+(\.[0-9]+){0,2}$ ]]; then
		rel=$(resolve_prefix "$suite" "$sel")
	elif [[ $sel =~ ^[0-9][0-9A-Za-z.+~-]*-amd64$ ]]; then
		# Provisioned before: no need to ask apt.
		kernel_dir_ready "$(vp_cache)/kernels/$sel" && return 0
		rel=$(resolve_release "$suite" "$sel")
	elif [[ $sel =~ ^[0-9][0-9A-Za-z.+~]*-[0-9A-Za-z.+~]+$ ]]; then
		rel=$(resolve_version "$suite" "$sel")
	elif [[ $spec == "$sel" ]]; then
		vp_usage_error "unknown kernel spec '$spec': want SUITE, [SUITE:]X[.Y[.Z]], [SUITE:]RELEASE, [SUITE:]VERSION or local:BZIMAGE"
	else
		vp_usage_error "bad kernel selector '$sel' in '$spec': want X[.Y[.Z]], RELEASE (ends in -amd64) or VERSION (has a -REVISION)"
	fi
	provision_debian "$suite" "$rel" "$spec"
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
	local spec=$1 img modroot
	TMPDIRS=()
	EXTRA_SOURCE=()
	trap cleanup EXIT
	case $spec in
	build:*)
		vp_need_cmd depmod kmod
		provision_build "${spec#build:}"
		;;
	local:*)
		spec=${spec#local:}
		img=${spec%%:*}
		modroot=
		[[ $spec == *:* ]] && modroot=${spec#*:}
		[[ -n $img ]] || vp_usage_error "local: needs a bzImage path"
		vp_need_cmd depmod kmod
		provision_local "$img" "$modroot"
		;;
	*)
		vp_need_cmd depmod kmod
		vp_need_cmd dpkg-deb dpkg
		provision_spec "$spec"
		;;
	esac
}

main "$@"
