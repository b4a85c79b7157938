#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# What the cache's kernel builds take, and pruning the ones not used for
# a while: each build of Debian's config keeps its tree (2.4-2.7 GB), and
# walks, bisections and profiles add one per step.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: cache.sh list
       cache.sh prune [--days N] [--dry-run]

The kernel builds of $VFIO_PERF_CACHE (kbuild/: harness/kbuild.sh's
builds; kcheck/: its prepared trees for --check), with their size and
when they were last used (kbuild.sh stamps a build each time it hands it
out; a build from before the stamp counts from when it was built).

  list         one line per build: last used, size in MiB, kind, name
  prune        remove the builds not used for N days, and the partial
               builds (*.tmp) of runs that are gone; a build whose lock a
               running kbuild.sh holds is kept. Removed builds are built
               again on demand (about 25 minutes each on 2 cores)
  --days N     prune: the age in days, 1 or more (default 14): a run
               booting a build holds no lock, and a build it was handed
               today is kept by its stamp
  --dry-run    prune: say what would go, remove nothing

Exit: 0 done; 1 a build could not be removed; 2 bad usage.

Example:
  make cache-prune DAYS=7
EOF
}

CACHE=$(vp_cache)
LOCKS=$CACHE/locks

# last_used DIR: when DIR was last used, in seconds since the epoch.
last_used() {
	local f
	for f in "$1/last-used" "$1/release" "$1/.vp-prepared" "$1"; do
		[[ -e $f ]] && { stat -c %Y "$f"; return; }
	done
}

# lock_of DIR: the lock file kbuild.sh takes while it builds DIR (or the
# partial DIR.XXXXXX.tmp): KIND-NAME.lock, KIND kbuild or kcheck.
lock_of() {
	local base=${1##*/} kind=${1%/*}
	printf '%s/%s-%s.lock\n' "$LOCKS" "${kind##*/}" "${base%.*.tmp}"
}

# in_use DIR: a running kbuild.sh holds DIR's lock.
in_use() {
	local lock
	lock=$(lock_of "$1")
	[[ -e $lock ]] || return 1
	! flock -n "$lock" true
}

builds() {
	local d
	for d in "$CACHE"/kbuild/* "$CACHE"/kcheck/*; do
		[[ -d $d ]] && printf '%s\n' "$d"
	done
}

list() {
	local d
	builds | while read -r d; do
		printf '%s %7s %-6s %s\n' "$(date -u -d "@$(last_used "$d")" +%Y-%m-%dT%H:%MZ)" \
			"$(du -sm "$d" | cut -f1)" "$(basename "$(dirname "$d")")" "$(basename "$d")"
	done
	printf 'total %s MiB in %s\n' "$(du -scm "$CACHE"/kbuild "$CACHE"/kcheck 2>/dev/null | tail -n 1 | cut -f1)" "$CACHE"
}

prune() {
	local days=$1 dry=$2 now d used why mib freed=0 bad=0
	now=$(date +%s)
	while read -r d; do
		if in_use "$d"; then
			vp_log "keeping $(basename "$d"): a running kbuild.sh holds its lock"
			continue
		fi
		used=$(last_used "$d")
		if [[ $d == *.tmp ]]; then
			why="a partial build of a run that is gone"
		elif ((now - used >= days * 86400)); then
			why="last used $(date -u -d "@$used" +%Y-%m-%d)"
		else
			continue
		fi
		mib=$(du -sm "$d" | cut -f1)
		if ((dry)); then
			vp_log "would remove $(basename "$d") ($mib MiB, $why)"
		elif rm -rf "$d"; then
			vp_log "removed $(basename "$d") ($mib MiB, $why)"
		else
			vp_log "error: cannot remove $d"
			bad=1
			continue
		fi
		freed=$((freed + mib))
	done < <(builds)
	vp_log "$( ((dry)) && echo "would free" || echo freed) $freed MiB"
	return "$bad"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
days=14 dry=0
while [ $# -gt 0 ]; do
	case $1 in
	--days)
		vp_need_value "$1" $#
		[[ $2 =~ ^[1-9][0-9]*$ ]] || vp_usage_error "--days wants a whole number of days, 1 or more, not '$2'"
		days=$2
		shift 2
		;;
	--dry-run)
		dry=1
		shift
		;;
	*) vp_usage_error "unknown argument '$1'" ;;
	esac
done
case $cmd in
-h | --help) usage ;;
list)
	[ "$days$dry" = 140 ] || vp_usage_error "--days and --dry-run are options of prune"
	list
	;;
prune) prune "$days" "$dry" ;;
*) vp_usage_error "say list or prune" ;;
esac
