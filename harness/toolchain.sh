#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# A Debian suite's own compiler for kernel builds: a minimal root made
# with debootstrap into the cache, once, and commands run inside it.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: toolchain.sh SUITE [PACKAGE...]
       toolchain.sh --run SUITE [VAR=VALUE...] COMMAND [ARG...]

Make (once) the build toolchain of Debian SUITE and print its directory,
$VFIO_PERF_CACHE/toolchains/SUITE/. It holds root/, a minimal SUITE
system made by debootstrap (variant minbase, from the Debian archive,
checked with debian-archive-keyring) with what a kernel build needs: gcc,
binutils, make, flex, bison, bc, libelf-dev, libssl-dev, openssl, kmod,
cpio, xz-utils, zstd (the compressed bzImage), python3, perl; PACKAGEs (a compiler such as gcc-16) are
installed too, into an existing root if need be. Next to root/:
  packages   every package of the root and its version (dpkg-query)
  versions   "PROGRAM TEXT": the first line of PROGRAM --version for each
             gcc of the root (x86_64-linux-gnu-gcc-16, gcc) and ld;
             what kbuild.sh's build identity names
  made       when and how long debootstrap took, and the root's size
The system's apt sources are never used nor touched: debootstrap and the
root's apt read the archive directly. Needs root (chroot, mount).

--run: run COMMAND inside SUITE's root (which must exist), in a private
mount namespace where the cache directory is bind-mounted at its own path
(so every path under the cache is the same inside and out), with /proc
and /dev, a clean environment (PATH, HOME, LC_ALL=C, TMPDIR=/tmp, and the
VAR=VALUE given), and the current directory's path if it is under the
cache (/ otherwise). Exits as COMMAND does.

Exit status: 0, 1 on failure (debootstrap, apt, a command), 2 for bad
arguments.

Example: harness/toolchain.sh sid gcc-16
EOF
}

# What a kernel build runs besides the compiler (kbuild.sh, in the root).
BASE_PACKAGES=(gcc libc6-dev binutils make flex bison bc libelf-dev libssl-dev openssl zstd
	kmod cpio xz-utils python3 perl)

valid_suite() {
	[[ $1 =~ ^[a-z][a-z0-9-]*$ ]] || vp_usage_error "bad suite name '$1'"
}

# in_root ROOT CMD...: CMD inside ROOT (see --run).
in_root() {
	local root=$1 cache wd=/
	shift
	cache=$(vp_cache)
	case $PWD in "$cache" | "$cache"/*) wd=$PWD ;; esac
	mkdir -p "$root$cache"
	# shellcheck disable=SC2016 # the inner shell expands them
	unshare --mount --propagation private -- /bin/sh -euc '
		root=$1 cache=$2 wd=$3
		shift 3
		mount --bind "$cache" "$root$cache"
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LC_ALL=C TMPDIR=/tmp /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$wd" "$@"
	' sh "$root" "$cache" "$wd" "$@"
}

# record DIR: packages and versions of DIR/root.
record() {
	local dir=$1 p
	# shellcheck disable=SC2016 # dpkg-query's format
	in_root "$dir/root" dpkg-query -W -f '${Package} ${Version}\n' | LC_ALL=C sort |
		vp_atomic_write "$dir/packages"
	{
		for p in $(in_root "$dir/root" sh -c 'ls /usr/bin | grep -E "^(x86_64-linux-gnu-)?gcc(-[0-9]+)?$"'); do
			echo "$p $(in_root "$dir/root" "$p" --version | head -n 1)"
		done
		echo "ld $(in_root "$dir/root" ld --version | head -n 1)"
	} | LC_ALL=C sort | vp_atomic_write "$dir/versions"
}

make_root() {
	local suite=$1 dir=$2 tmp t0 include
	shift 2
	vp_need_cmd debootstrap
	[[ -r $VP_DEBIAN_KEYRING ]] || vp_die "$VP_DEBIAN_KEYRING missing (install debian-archive-keyring)"
	mkdir -p "$(dirname "$dir")"
	rm -rf "$dir".*.tmp
	tmp=$(mktemp -d "$dir.XXXXXX.tmp")
	VP_TMPDIRS+=("$tmp")
	include=$(printf '%s,' "$@") # BASE_PACKAGES and the ones asked for
	vp_log "debootstrap $suite into $dir/root (once; several minutes; log in $dir/debootstrap.log)"
	t0=$(date +%s)
	if ! debootstrap --variant=minbase --keyring="$VP_DEBIAN_KEYRING" --include="${include%,}" \
		"$suite" "$tmp/root" "$VP_DEBIAN_MIRROR/debian" >"$tmp/debootstrap.log" 2>&1; then
		tail -n 20 "$tmp/debootstrap.log" >&2
		vp_die "debootstrap of $suite failed (log above)"
	fi
	in_root "$tmp/root" apt-get clean
	rm -rf "$tmp/root/var/lib/apt/lists/"*
	record "$tmp"
	{
		echo "suite $suite"
		echo "mirror $VP_DEBIAN_MIRROR/debian"
		echo "made $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "debootstrap_seconds $(($(date +%s) - t0))"
		echo "size_mb $(du -sm "$tmp/root" | cut -f1)"
	} >"$tmp/made"
	mv "$tmp" "$dir"
}

# missing_packages DIR PACKAGE...: the PACKAGEs DIR/root lacks.
missing_packages() {
	local dir=$1 p
	shift
	for p; do
		awk -v p="$p" '$1 == p { f = 1 } END { exit !f }' "$dir/packages" || printf '%s\n' "$p"
	done
}

# add_packages DIR PACKAGE...: install what DIR/root lacks.
add_packages() {
	local dir=$1 todo
	shift
	mapfile -t todo < <(missing_packages "$dir" "$@")
	((${#todo[@]})) || return 0
	vp_log "installing ${todo[*]} into $dir/root"
	{ in_root "$dir/root" apt-get -q -o Acquire::Check-Valid-Until=false update && in_root "$dir/root" env DEBIAN_FRONTEND=noninteractive \
		apt-get -q -y --no-install-recommends install "${todo[@]}" && in_root "$dir/root" apt-get clean; } \
		>>"$dir/apt.log" 2>&1 || {
		tail -n 20 "$dir/apt.log" >&2
		vp_die "installing ${todo[*]} into the $(basename "$dir") toolchain failed (log above)"
	}
	rm -rf "$dir/root/var/lib/apt/lists/"*
	record "$dir"
}

ensure() {
	local suite=$1 dir
	shift
	valid_suite "$suite"
	dir=$(vp_cache)/toolchains/$suite
	# A root made before a package joined BASE_PACKAGES gets it too.
	set -- "${BASE_PACKAGES[@]}" "$@"
	if ! [[ -f $dir/versions && -d $dir/root ]] || [[ -n $(missing_packages "$dir" "$@") ]]; then
		[[ $(id -u) == 0 ]] || vp_die "making the $suite toolchain needs root (debootstrap, chroot)"
		vp_lock "toolchain-$suite"
		[[ -f $dir/versions && -d $dir/root ]] || make_root "$suite" "$dir" "$@"
		add_packages "$dir" "$@"
	fi
	printf '%s\n' "$dir"
}

main() {
	case ${1:-} in
	-h | --help)
		usage
		exit 0
		;;
	"") vp_usage_error "missing SUITE" ;;
	--run)
		shift
		(($# >= 2)) || vp_usage_error "--run needs SUITE and a COMMAND"
		valid_suite "$1"
		local root
		root=$(vp_cache)/toolchains/$1/root
		[[ -f $root/../versions && -d $root ]] || vp_die "no $1 toolchain in $(vp_cache)/toolchains/ (make it: harness/toolchain.sh $1)"
		shift
		in_root "$root" env "$@"
		;;
	-*) vp_usage_error "unknown option '$1'" ;;
	*)
		trap vp_tmpdirs_remove EXIT
		ensure "$@"
		;;
	esac
}

# On one line: bash reads a script as it runs it, and this one may be
# replaced while a long --run goes on.
main "$@"; exit
