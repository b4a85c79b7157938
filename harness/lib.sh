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

# vp_need_value OPTION ARGC: an option that takes a value must have one.
vp_need_value() {
	[ "$2" -ge 2 ] || vp_usage_error "$1 needs a value"
}

# The guest's layout (harness/guest.conf): VP_GUEST_* variables.
# shellcheck source=guest.conf
. "$(dirname "${BASH_SOURCE[0]}")/guest.conf"

# vp_bytes SIZE: SIZE (4K, 2M, 6G, 6144M, or plain bytes) in bytes, by the
# benchmarks' own parser (vfio-perf-size, built by make build); fails,
# silently, for anything else.
vp_bytes() {
	local tool
	tool=$(vp_repo)/build/release/vfio-perf-size
	[ -x "$tool" ] || vp_die "$tool is not built (run make build)"
	"$tool" --bytes "$1" 2>/dev/null
}

# ---- children that can be interrupted ---------------------------------
#
# Bash runs a trap only when the foreground command ends, so a long child
# (a kernel download, a guest) would keep an interrupt waiting for
# minutes. vp_run starts the child in the background and waits for it;
# the traps of vp_trap_signals then run at once and pass the signal on.
# A non-interactive shell starts background children with SIGINT
# ignored, so SIGTERM is what they get, whichever signal came.

VP_CHILD=""
VP_SIGNAL=""

# vp_run CMD...: run CMD, return its status; an interrupt stops it.
vp_run() {
	local rc
	"$@" &
	VP_CHILD=$!
	while :; do
		rc=0
		wait "$VP_CHILD" || rc=$?
		# A trapped signal ends the wait early: wait again until the
		# child is gone (a zombie still answers kill -0).
		if ((rc > 128)) && kill -0 "$VP_CHILD" 2>/dev/null; then
			continue
		fi
		break
	done
	VP_CHILD=""
	return "$rc"
}

# shellcheck disable=SC2317 # run by the traps
vp_on_signal() {
	[ -n "$VP_SIGNAL" ] || VP_SIGNAL=$1
	vp_log "interrupted (SIG$1): stopping"
	if [ -n "$VP_CHILD" ]; then
		kill -TERM "$VP_CHILD" 2>/dev/null || true
	fi
}

# vp_trap_signals: remember SIGINT/SIGTERM/SIGHUP in VP_SIGNAL and stop
# the running vp_run child. The caller checks vp_interrupted after each
# step and leaves with vp_signal_status.
vp_trap_signals() {
	trap 'vp_on_signal INT' INT
	trap 'vp_on_signal TERM' TERM
	trap 'vp_on_signal HUP' HUP
}

vp_interrupted() {
	[ -n "$VP_SIGNAL" ]
}

# The exit status for the signal that came: 128 + its number.
vp_signal_status() {
	case $VP_SIGNAL in
	INT) echo 130 ;; TERM) echo 143 ;; HUP) echo 129 ;; *) echo 1 ;;
	esac
}

# Temporary directories to remove when the script exits: add to
# VP_TMPDIRS and `trap vp_tmpdirs_remove EXIT`.
VP_TMPDIRS=()
vp_tmpdirs_remove() {
	local d
	for d in "${VP_TMPDIRS[@]}"; do
		[ -z "$d" ] || rm -rf "$d"
	done
}

# vp_need_cmd CMD [PACKAGE]: fail unless CMD is on PATH.
vp_need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	vp_die "command '$1' not found (install package ${2:-$1}, or run harness/deps.sh)"
}

# vp_name TEXT: TEXT as a file name of ours (letters, digits, . _ -; every
# other character _): a kernel spec as the directory of its side.
vp_name() {
	printf '%s\n' "${1//[^A-Za-z0-9._-]/_}"
}

# vp_csv_field TEXT: TEXT as one RFC 4180 field.
vp_csv_field() {
	case $1 in
	*[\",$'\n']* | ' '* | *' ') printf '"%s"' "${1//\"/\"\"}" ;;
	*) printf '%s' "$1" ;;
	esac
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

# vp_atomic_output FILE CMD...: write CMD's output to FILE through a
# temporary file, renamed into place only if CMD succeeded (so a failed
# command leaves no half-written FILE). Fails like CMD, or 1.
vp_atomic_output() {
	local file=$1 tmp rc=0
	shift
	tmp=$(mktemp "$file.XXXXXX.tmp") || vp_die "cannot write $file"
	"$@" >"$tmp" || rc=$?
	if [ "$rc" != 0 ]; then
		rm -f "$tmp"
		return "$rc"
	fi
	chmod 0644 "$tmp"
	mv -f "$tmp" "$file" || { rm -f "$tmp"; return 1; }
}

# vp_df_note DIR: " (N KiB free on its file system)", for messages
# about writes that failed.
vp_df_note() {
	local avail
	avail=$(df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
	[ -z "$avail" ] || printf ' (%s KiB free on its file system)' "$avail"
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
