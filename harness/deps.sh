#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Install the Debian packages `make bench` and `make test` need.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: deps.sh [--build] [PACKAGE|ALT1|ALT2...]...

Make sure the Debian packages vfio-perf needs are installed: the build
(gcc, make, libhwloc-dev, libnuma-dev), the QEMU target (qemu-system-x86,
busybox-static, cpio, xz-utils, zstd, kmod, debian-archive-keyring,
ca-certificates), charts (gnuplot-nox), lstopo (hwloc-nox), lint
(shellcheck), a headless browser for the report test (chromium), LAVA's
job schema (lava-common), kernel builds (flex, bison, ..., debootstrap)
and 32-bit programs for make test-kernels (gcc-multilib).
Arguments name more packages; "a|b" is satisfied by either. --build: only
what compiling the programs needs (what a plain `make` checks).

Checks with dpkg-query first and returns at once when all are there.
Otherwise, as root, runs apt-get update (once) and apt-get install; not as
root, prints the missing packages and the command to run, and fails.

Example: harness/deps.sh --build
EOF
}

# Where a package has equivalents, any of them will do (the first one is
# what gets installed).
BUILD=(gcc make libc6-dev libhwloc-dev libnuma-dev)
NEEDED=(
	"${BUILD[@]}"
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod
	debian-archive-keyring ca-certificates
	"gnuplot-nox|gnuplot-qt|gnuplot-x11"
	"hwloc-nox|hwloc"
	shellcheck gawk
	chromium
	# Kernel builds (harness/kbuild.sh): kconfig, objtool, patches.
	flex bison bc libelf-dev libssl-dev patch
	# A Debian suite's own toolchain for them (harness/toolchain.sh).
	debootstrap
	# LAVA's job schema, to validate the LAVA jobs offline (harness/lava/
	# validate.sh; two small packages, nothing upgraded). The lab itself
	# (lava-server, lava-dispatcher) is opt-in: make lava-lab.
	lava-common
	# make test-kernels: a 32-bit static program (tests/kernels/bar-place.c).
	gcc-multilib
)

# Print the entries of the arguments that have no installed package.
missing() {
	local installed entry alt ok
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 2>/dev/null |
		awk '$1 == "ii" { print $2 }')
	for entry; do
		ok=0
		for alt in ${entry//|/ }; do
			if grep -qxF "$alt" <<<"$installed"; then
				ok=1
				break
			fi
		done
		((ok)) || printf '%s\n' "$entry"
	done
}

main() {
	local arg wanted=() todo=() entry
	for arg; do
		case $arg in
		-h | --help)
			usage
			exit 0
			;;
		--build) NEEDED=("${BUILD[@]}") ;;
		-*) vp_usage_error "unknown option '$arg'" ;;
		*) wanted+=("$arg") ;;
		esac
	done
	mapfile -t todo < <(missing "${NEEDED[@]}" "${wanted[@]}")
	((${#todo[@]})) || return 0
	for entry in "${!todo[@]}"; do
		todo[entry]=${todo[entry]%%|*}
	done
	if [[ $(id -u) != 0 ]]; then
		vp_die "missing packages: ${todo[*]}; run as root: make deps (or apt-get install --no-install-recommends ${todo[*]})"
	fi
	vp_log "installing ${todo[*]}"
	apt-get -q update >&2 || vp_die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends \
		"${todo[@]}" >&2 || vp_die "apt-get install ${todo[*]} failed"
	mapfile -t todo < <(missing "${NEEDED[@]}" "${wanted[@]}")
	((${#todo[@]} == 0)) || vp_die "still missing after install: ${todo[*]}"
}

main "$@"
