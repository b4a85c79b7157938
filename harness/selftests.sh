#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Find the kernel source of a provisioned kernel and build its VFIO
# selftests (tools/testing/selftests/vfio) once per source identity.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: selftests.sh --kernel-dir DIR

Print, on stdout, the directory of the VFIO selftests built for the kernel
in DIR (from kernel.sh), or one line "none (REASON)" when its source has
none or is unknown. The directory holds bin/ (the test programs),
programs (their names, in the Makefile's order), source (where the source
came from, its identity, and any compat shim), and build.log.

Where the source comes from (the kernel directory's source file):
  kind=debian  linux-source-X.Y of the same suite and version: the tree
               kbuild.sh unpacked in $VFIO_PERF_CACHE/ksrc/ if there, else
               the files the selftests need, unpacked once from the .deb
               (cached in pkgs/, else fetched with apt-get download)
  kind=build   the build's own tree (kbuild.sh's BUILD/tree): the patches
               are in it
  kind=local   the kernel tree around the bzImage, if it is one
The files the build needs (the selftests, tools/include, the uapi headers
and the Kbuild scripts to install them) are copied from the tree; the
SHA-256 of their regular files with the compiler's version is the identity: a build is made once
per identity in $VFIO_PERF_CACHE/selftests/ID/, with the host's gcc
against the source's own uapi headers (make headers), and libuuid.

A source that uses a helper it does not define gets it from
harness/selftests-compat.h, and the source file says so.

Exit: 0 (a directory or none), 1 the build or a download failed, 2 bad
usage.

Example (the embedded default kernel: its source has no VFIO selftests):
  harness/selftests.sh --kernel-dir "$(harness/kernel.sh 6.12)"
EOF
}

# What the selftests' build reads, relative to the top of a kernel tree:
# the selftests, the tools headers, and what `make headers` needs. The
# drivers' headers are the targets of the selftests' own symlinks.
STAGE_PATHS=(Makefile scripts include/uapi include/linux/pci_ids.h
	arch/x86/include/uapi arch/x86/entry/syscalls arch/x86/Makefile
	arch/x86/Makefile_32.cpu arch/x86/tools tools/include
	tools/arch/x86/include tools/scripts tools/build
	'tools/testing/selftests/*.h' 'tools/testing/selftests/*.mk'
	tools/testing/selftests/vfio drivers/dma/ioat drivers/dma/idxd)
# The build recipe: a change here is a new identity.
RECIPE=2
trap vp_tmpdirs_remove EXIT

none() {
	printf 'none (%s)\n' "$*"
	exit 0
}

# source_field KEY: KEY=VALUE of the kernel directory's source file.
source_field() {
	sed -n "s/^$1=//p" "$KDIR/source" | head -n 1
}

# unpack_deb DEB DIR: the STAGE_PATHS of the linux-source tarball in DEB,
# unpacked once into DIR (kept; DIR/.vp-complete when done).
unpack_deb() {
	local deb=$1 dir=$2 tmp tarball top
	[[ -f $dir/.vp-complete ]] && return 0
	vp_lock "selftests-src-$(basename "$dir")"
	[[ -f $dir/.vp-complete ]] && return 0
	vp_log "unpacking the selftests' files from $(basename "$deb")"
	mkdir -p "$(dirname "$dir")"
	tmp=$(mktemp -d "$dir.XXXXXX.tmp")
	VP_TMPDIRS+=("$tmp")
	tarball=$(dpkg-deb -c "$deb" | awk '{ print $NF }' |
		grep -E '/linux-source-[^/]*\.tar\.[a-z]+$' | head -n 1) ||
		vp_die "$deb holds no linux-source tarball"
	top=$(basename "$tarball")
	top=${top%.tar.*}
	# The paths under the tarball's top directory (a directory with all
	# it holds); one the tree lacks matches nothing, which tar reports.
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" | xz -dc -T0 |
		tar -x -C "$tmp" --strip-components=1 --wildcards \
			"${STAGE_PATHS[@]/#/"$top"/}" 2>/dev/null || true
	# A tree without selftests still proves it has none: mark it done.
	[[ -f $tmp/Makefile ]] || vp_die "unpacking $deb failed"
	touch "$tmp/.vp-complete"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	VP_TMPDIRS=("${VP_TMPDIRS[@]/"$tmp"/}")
}

# debian_tree: the tree of linux-source-X.Y at the kernel's version.
debian_tree() {
	local suite version xy pkg key deb got
	suite=$(source_field suite)
	version=$(source_field version)
	[[ -n $suite && -n $version ]] || none "the kernel's source file names no suite and version"
	xy=$(grep -oE '^[0-9]+\.[0-9]+' <<<"$version") || none "cannot tell X.Y from version $version"
	pkg=linux-source-$xy
	key=${pkg}_${version//:/%3a}_all
	SRC_DESC="deb=$key.deb"
	if [[ -f $(vp_cache)/ksrc/$key/.vp-complete ]]; then
		TREE=$(vp_cache)/ksrc/$key
		return 0
	fi
	TREE=$(vp_cache)/selftests/src/$key
	[[ -f $TREE/.vp-complete ]] && return 0
	deb=$(vp_cache)/pkgs/$key.deb
	if ! [[ -f $deb ]]; then
		got=$(vp_apt_download "$suite" "$pkg") || exit 1
		[[ $(basename "$got" .deb) == "$key" ]] ||
			none "$suite has $(basename "$got" .deb), not $key, the kernel's own version"
		deb=$got
	fi
	unpack_deb "$deb" "$TREE"
}

# find_tree: TREE (a kernel source tree) and SRC_DESC, or none.
find_tree() {
	local kind img
	[[ -f $KDIR/source ]] || none "the kernel directory has no source file"
	kind=$(source_field kind)
	case $kind in
	debian) debian_tree ;;
	build)
		TREE=$(source_field build_dir)/tree
		SRC_DESC="build=$(source_field build);identity=$(source_field identity)"
		[[ -f $TREE/Makefile ]] || none "build $(source_field build) has no tree at $TREE"
		;;
	local)
		img=$(source_field image)
		TREE=$(realpath -m "$(dirname "$img")/../../..")
		SRC_DESC="tree=$TREE"
		[[ -f $TREE/Makefile && -d $TREE/tools ]] ||
			none "local kernel: no kernel tree around $img"
		;;
	*) none "kernel of kind '${kind:-unknown}': its source is not known" ;;
	esac
	[[ -f $TREE/tools/testing/selftests/vfio/Makefile ]] ||
		none "${SRC_DESC#*=} has no tools/testing/selftests/vfio"
}

# stage DIR: the STAGE_PATHS of TREE copied to DIR. Links stay links:
# those the build follows point into STAGE_PATHS (the drivers' headers,
# include/linux/pci_ids.h); others (scripts/dtc's) may dangle.
stage() {
	local out=$1 paths=() p hit hits
	mkdir -p "$out"
	for p in "${STAGE_PATHS[@]}"; do
		# Globs are meant: *.h, *.mk.
		# shellcheck disable=SC2206
		hits=("$TREE"/$p)
		for hit in "${hits[@]}"; do
			[[ -e $hit ]] && paths+=("${hit#"$TREE"/}")
		done
	done
	tar -c -C "$TREE" "${paths[@]}" | tar -x -C "$out" ||
		vp_die "cannot copy the selftests' files from $TREE"
}

# The compat shims the staged source needs: a helper used, not defined.
compat_needs() {
	local d=$1/tools/testing/selftests/vfio
	if grep -rqw calloc_assert "$d" --include='*.c' &&
		! grep -rqE '(define|\*|void) *calloc_assert' "$d" --include='*.h'; then
		echo calloc_assert
	fi
}

build() {
	local stage=$1 dir=$2 id=$3 compat=$4 tmp out cflags=() p progs=()
	tmp=$(mktemp -d "$dir.XXXXXX.tmp")
	VP_TMPDIRS+=("$tmp")
	out=$tmp/build
	mkdir -p "$out/hdr" "$out/bin"
	vp_log "building the VFIO selftests of ${SRC_DESC} (identity $id; log in $dir/build.log)"
	{
		echo "# make headers"
		make -C "$stage" O="$out/hdr" headers
	} >"$tmp/build.log" 2>&1 || {
		tail -n 20 "$tmp/build.log" >&2
		vp_die "make headers failed for ${SRC_DESC}"
	}
	for p in $compat; do
		cflags+=(-include "$(vp_repo)/harness/selftests-compat.h" "-DVFIO_PERF_COMPAT_${p^^}")
	done
	{
		echo "# make -C tools/testing/selftests/vfio"
		make -C "$stage/tools/testing/selftests/vfio" OUTPUT="$out/bin" \
			KHDR_INCLUDES="-isystem $out/hdr/usr/include" EXTRA_CFLAGS="${cflags[*]}"
	} >>"$tmp/build.log" 2>&1 || {
		tail -n 20 "$tmp/build.log" >&2
		vp_die "the VFIO selftests of ${SRC_DESC} do not build (log: $tmp/build.log)"
	}
	# The Makefile's own list of programs, in its order.
	# shellcheck disable=SC2016 # make expands it
	mapfile -t progs < <(make -s -C "$stage/tools/testing/selftests/vfio" OUTPUT="$out/bin" \
		--eval 'vp-progs: ; @echo $(TEST_GEN_PROGS)' vp-progs 2>/dev/null |
		tr ' ' '\n' | sed -n 's|.*/||p')
	((${#progs[@]})) || vp_die "cannot list the selftests' programs"
	mkdir -p "$tmp/bin"
	for p in "${progs[@]}"; do
		[[ -x $out/bin/$p ]] || vp_die "the build made no $p"
		cp "$out/bin/$p" "$tmp/bin/"
	done
	printf '%s\n' "${progs[@]}" >"$tmp/programs"
	{
		echo "source=$SRC_DESC"
		echo "identity=$id"
		echo "compiler=$(gcc --version | head -n 1)"
		[[ -z $compat ]] || echo "compat=$compat (used but not defined by this source; from harness/selftests-compat.h)"
	} >"$tmp/source"
	rm -rf "$out"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	VP_TMPDIRS=("${VP_TMPDIRS[@]/"$tmp"/}")
}

main() {
	local stage id dir compat
	KDIR=''
	while (($#)); do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--kernel-dir)
			vp_need_value "$1" $#
			KDIR=$2
			shift 2
			;;
		*) vp_usage_error "unknown argument '$1'" ;;
		esac
	done
	[[ -n $KDIR ]] || vp_usage_error "--kernel-dir is required"
	[[ -f $KDIR/release ]] || vp_die "$KDIR is not a kernel directory (no release file; see kernel.sh)"
	TREE='' SRC_DESC=''
	find_tree
	vp_need_cmd make
	vp_need_cmd gcc
	[[ -f /usr/include/uuid/uuid.h ]] || vp_die "the VFIO selftests need libuuid (install uuid-dev, or run harness/deps.sh)"
	stage=$(mktemp -d "${TMPDIR:-/tmp}/vfio-perf-selftests.XXXXXX")
	VP_TMPDIRS+=("$stage")
	stage "$stage/src"
	compat=$(compat_needs "$stage/src")
	id=$({
		echo "recipe $RECIPE"
		gcc --version | head -n 1
		echo "compat $compat"
		[[ -z $compat ]] || sha256sum <"$(vp_repo)/harness/selftests-compat.h"
		(cd "$stage/src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
	} | sha256sum | cut -c1-12)
	dir=$(vp_cache)/selftests/$id
	if ! [[ -f $dir/programs ]]; then
		mkdir -p "$(vp_cache)/selftests"
		vp_lock "selftests-$id"
		[[ -f $dir/programs ]] || build "$stage/src" "$dir" "$id" "$compat"
	fi
	printf '%s\n' "$dir"
}

main "$@"
