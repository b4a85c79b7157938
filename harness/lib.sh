# shellcheck shell=bash
# Helpers sourced by the harness scripts: messages, the cache directory,
# locks, atomic writes, and apt access to any Debian suite.
#
# Every script sources this right after `set -euo pipefail`:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VP_PROG=${0##*/}

# Root of the source tree (the directory above harness/).
vp_repo() {
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	printf '%s\n' "$here"
}

# The cache directory (created on first use). Everything downloaded or
# built lives here: packages, extracted kernels, images, probe results.
vp_cache() {
	local dir=${VFIO_PERF_CACHE:-$(vp_repo)/.cache}
	mkdir -p "$dir" || vp_die "cannot create cache directory $dir"
	(cd "$dir" && pwd)
}

vp_log() {
	printf '%s: %s\n' "$VP_PROG" "$*" >&2
}

vp_die() {
	printf '%s: error: %s\n' "$VP_PROG" "$*" >&2
	exit 1
}

# Bad command line: exit 2, as the benchmarks do.
vp_usage_error() {
	printf '%s: error: %s (see --help)\n' "$VP_PROG" "$*" >&2
	exit 2
}

# vp_need_cmd CMD [PACKAGE]: fail unless CMD is on PATH.
vp_need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	vp_die "command '$1' not found (install package ${2:-$1}, or run harness/deps.sh)"
}

# vp_atomic_write FILE: copy stdin to FILE through a temporary file in the
# same directory, so FILE is either absent, the old one, or complete.
vp_atomic_write() {
	local file=$1 tmp
	tmp=$(mktemp "$file.XXXXXX.tmp") || vp_die "cannot write $file"
	if ! cat >"$tmp"; then
		rm -f "$tmp"
		vp_die "cannot write $file"
	fi
	chmod 0644 "$tmp"
	mv -f "$tmp" "$file"
}

# vp_lock NAME: take an exclusive lock on $cache/locks/NAME.lock, held
# until the calling process exits. Says so when it has to wait.
vp_lock() {
	local dir fd
	dir=$(vp_cache)/locks
	mkdir -p "$dir"
	exec {fd}>"$dir/$1.lock"
	if ! flock -n "$fd"; then
		vp_log "waiting for lock $dir/$1.lock (another run holds it)"
		flock "$fd"
	fi
}

# ---- apt access to Debian suites --------------------------------------
#
# The host's own suite is used through the system's apt lists. Any other
# suite (trixie, sid, or bookworm on a newer host) gets a private apt
# configuration and state under $cache/apt/<suite>/, so the system's
# sources are never touched.

VP_DEBIAN_MIRROR=${VP_DEBIAN_MIRROR:-http://deb.debian.org}
VP_DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

vp_host_suite() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null
}

# Options that point apt at the private state of SUITE.
vp_apt_private_opts() {
	local d
	d=$(vp_cache)/apt/$1
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$d/sources.list" \
		-o "Dir::Etc::SourceParts=$d/sources.list.d" \
		-o "Dir::Etc::Preferences=$d/preferences" \
		-o "Dir::Etc::PreferencesParts=$d/preferences.d" \
		-o "Dir::State=$d/state" \
		-o "Dir::State::status=$d/state/status" \
		-o "Dir::Cache=$d/cache" \
		-o "Acquire::Languages=none"
}

# Write the private sources list of SUITE (stable suites also get their
# -updates and -security archives, where kernel updates land).
vp_apt_private_setup() {
	local suite=$1 d key=$VP_DEBIAN_KEYRING
	d=$(vp_cache)/apt/$suite
	[[ -r $key ]] || vp_die "$key missing (install debian-archive-keyring)"
	mkdir -p "$d/sources.list.d" "$d/preferences.d" \
		"$d/state/lists/partial" "$d/cache/archives/partial"
	touch "$d/state/status" "$d/preferences"
	{
		echo "deb [signed-by=$key] $VP_DEBIAN_MIRROR/debian $suite main"
		case $suite in
		sid | unstable | experimental) ;;
		*)
			echo "deb [signed-by=$key] $VP_DEBIAN_MIRROR/debian ${suite}-updates main"
			echo "deb [signed-by=$key] $VP_DEBIAN_MIRROR/debian-security ${suite}-security main"
			;;
		esac
	} | vp_atomic_write "$d/sources.list"
}

# vp_apt_opts SUITE: the apt options for SUITE, one per line.
vp_apt_opts() {
	[[ $(id -u) == 0 ]] && printf '%s\n' -o APT::Sandbox::User=root
	[[ $1 == "$(vp_host_suite)" ]] || vp_apt_private_opts "$1"
}

# When this run started; VP_APT_REFRESH=1 refreshes lists older than that
# (once per run, not once per apt call). Child scripts inherit it.
export VP_RUN_START=${VP_RUN_START:-$(date +%s)}

# vp_apt_stale SUITE: whether the private lists of SUITE need a refresh.
vp_apt_stale() {
	local f
	f=$(vp_cache)/apt/$1/updated
	[[ -f $f ]] || return 0
	[[ -z $(find "$f" -mmin +1440) ]] || return 0
	[[ ${VP_APT_REFRESH:-0} == 1 ]] && (($(stat -c %Y "$f") < VP_RUN_START)) && return 0
	return 1
}

# vp_apt_refresh SUITE: refresh the private lists of SUITE when they are
# missing or older than a day (VP_APT_REFRESH=1: older than this run);
# nothing for the host's suite. Progress and errors go to stderr.
vp_apt_refresh() {
	local suite=$1 d opts
	[[ $suite != "$(vp_host_suite)" ]] || return 0
	vp_apt_stale "$suite" || return 0
	vp_lock "apt-$suite"
	# Another run may have refreshed them while we waited.
	vp_apt_stale "$suite" || return 0
	d=$(vp_cache)/apt/$suite
	vp_apt_private_setup "$suite"
	mapfile -t opts < <(vp_apt_opts "$suite")
	vp_log "apt-get update ($suite, private lists under $d)"
	apt-get "${opts[@]}" -q update >&2 ||
		vp_die "apt-get update failed for suite $suite"
	touch "$d/updated"
}

# vp_apt SUITE apt-get|apt-cache ARGS...: run an apt tool against SUITE
# (after vp_apt_refresh).
vp_apt() {
	local suite=$1 tool=$2 opts
	shift 2
	vp_apt_refresh "$suite"
	mapfile -t opts < <(vp_apt_opts "$suite")
	"$tool" "${opts[@]}" "$@"
}

# vp_apt_show SUITE PACKAGE: the control stanza of PACKAGE's candidate
# version (empty if SUITE has no such package).
vp_apt_show() {
	vp_apt_refresh "$1"
	vp_apt "$1" apt-cache show --no-all-versions "$2" 2>/dev/null || true
}

# vp_apt_versions SUITE PACKAGE...: one line "PACKAGE VERSION" for the
# candidate of each PACKAGE that SUITE has (unknown ones are left out).
vp_apt_versions() {
	local suite=$1
	shift
	(($#)) || return 0
	vp_apt_refresh "$suite"
	vp_apt "$suite" apt-cache show --no-all-versions "$@" 2>/dev/null |
		awk '/^Package: / { p = $2 } /^Version: / { print p, $2 }' || true
}

# vp_stanza_field FIELD: FIELD of the stanza on stdin.
vp_stanza_field() {
	sed -n "s/^$1: //p" | head -n 1
}

# vp_apt_download SUITE PACKAGE...: fetch the candidate version of each
# PACKAGE into $cache/pkgs/ (kept across runs, checked against the archive's
# SHA256) and print the path of each .deb on stdout.
vp_apt_download() {
	local suite=$1 pkg stanza ver arch sum deb dir
	shift
	dir=$(vp_cache)/pkgs
	mkdir -p "$dir"
	for pkg; do
		stanza=$(vp_apt_show "$suite" "$pkg")
		ver=$(vp_stanza_field Version <<<"$stanza")
		[[ -n $ver ]] || vp_die "package $pkg not available in $suite"
		arch=$(vp_stanza_field Architecture <<<"$stanza")
		sum=$(vp_stanza_field SHA256 <<<"$stanza")
		deb=$dir/${pkg}_${ver//:/%3a}_${arch}.deb
		if ! [[ -f $deb ]] || ! sha256sum --status -c <<<"$sum  $deb"; then
			vp_log "downloading $pkg $ver ($suite)"
			rm -f "$deb"
			(cd "$dir" && vp_apt "$suite" apt-get -q download "$pkg=$ver" >&2) ||
				vp_die "apt-get download $pkg=$ver failed ($suite)"
			[[ -f $deb ]] || vp_die "apt-get download did not produce $deb"
			sha256sum --status -c <<<"$sum  $deb" ||
				vp_die "$deb does not match the archive's SHA256"
		fi
		printf '%s\n' "$deb"
	done
}
