#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Build libperf (tools/lib/perf of the kernel tree) from a Debian
# linux-source package: Debian does not package libperf.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: libperf.sh --out DIR

Build the static libperf of the kernel tree (and the libapi it needs) into
DIR: DIR/include/perf/*.h, DIR/lib/libperf.a, DIR/lib/libapi.a and
DIR/source (which package it came from). A DIR that is complete is left
alone, so a second call returns at once.

The source is the newest linux-source-6.12 .deb already in
$VFIO_PERF_CACHE/pkgs, else the one apt-get download fetches from
bookworm(-security) (about 150 MB). Only tools/ is unpacked (about 20 s);
the build itself takes seconds.

Example: harness/libperf.sh --out /tmp/libperf
EOF
}

SUITE=bookworm
PACKAGE=linux-source-6.12
TMPDIR_BUILD=''

# The linux-source .deb to build from.
source_deb() {
	local deb
	deb=$(find "$(vp_cache)/pkgs" -maxdepth 1 -name "${PACKAGE}_*_all.deb" 2>/dev/null |
		sort -V | tail -n 1)
	if [[ -z $deb ]]; then
		deb=$(vp_apt_download "$SUITE" "$PACKAGE")
	fi
	printf '%s\n' "$deb"
}

main() {
	local out='' deb tarball tmp
	while (($#)); do
		case $1 in
		-h | --help)
			usage
			exit 0
			;;
		--out)
			(($# >= 2)) || vp_usage_error "--out needs a value"
			out=$2
			shift 2
			;;
		*) vp_usage_error "unknown argument '$1'" ;;
		esac
	done
	[[ -n $out ]] || vp_usage_error "--out DIR is required"
	[[ -f $out/source ]] && return 0
	vp_need_cmd dpkg-deb dpkg
	vp_need_cmd xz xz-utils
	vp_lock libperf
	[[ -f $out/source ]] && return 0

	deb=$(source_deb)
	vp_log "building libperf from $(basename "$deb") into $out"
	mkdir -p "$(dirname "$out")"
	tmp=$(mktemp -d "$out.XXXXXX.tmp")
	TMPDIR_BUILD=$tmp
	trap 'rm -rf "$TMPDIR_BUILD"' EXIT
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.*'
	tarball=$(find "$tmp/usr/src" -name 'linux-source-*.tar.*' | head -n 1)
	[[ -n $tarball ]] || vp_die "$deb holds no linux-source tarball"
	# libperf's Makefile needs tools/{lib,include,arch,build,scripts}.
	tar -x -C "$tmp" -f "$tarball" --strip-components=1 --wildcards \
		'*/tools/lib/perf/*' '*/tools/lib/api/*' '*/tools/lib/*.c' \
		'*/tools/include/*' '*/tools/arch/x86/*' '*/tools/build/*' \
		'*/tools/scripts/*'
	rm -rf "${tmp:?}/usr"
	mkdir -p "$tmp/build"
	make -s -C "$tmp/tools/lib/perf" -j"$(nproc)" OUTPUT="$tmp/build/" \
		DESTDIR="$tmp/out" prefix=/ libdir=/lib install_lib install_headers >&2 ||
		vp_die "building libperf failed"
	cp "$tmp/build/libapi.a" "$tmp/out/lib/"
	rm -f "$tmp/out/lib/"libperf.so*
	printf 'deb=%s\n' "$(basename "$deb")" >"$tmp/out/source"
	rm -rf "$out"
	mv "$tmp/out" "$out"
	vp_log "libperf ready in $out"
}

main "$@"
