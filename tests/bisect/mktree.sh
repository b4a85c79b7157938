#!/bin/bash
# Make the kernel git history that `make test-bisect` bisects, in DIR:
#
#   base     the unpacked linux-source-6.12 of build:6.12, every file
#   s1, s2   the type1-contig-batch series, a commit a patch
#   broken   a change that does not compile (to be skipped, not blamed)
#   fix      its revert
#   regress  the planted regression: extra work per page on unmap
#   harmless a comment
#
# Authors and dates are fixed, so the same inputs give the same commits
# (and kbuild.sh reuses their builds). No working tree is checked out:
# the commits are made from the index. Prints "NAME SHA" a commit a line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
fix=$repo/tests/fixtures/bisect

case ${1:-} in
-h | --help)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	echo "usage: tests/bisect/mktree.sh DIR"
	echo "Example: tests/bisect/mktree.sh /tmp/linux-bisect"
	exit 0
	;;
"") echo "mktree.sh: error: missing DIR (see --help)" >&2; exit 2 ;;
esac
dir=$1
[ ! -e "$dir" ] || { echo "mktree.sh: error: $dir exists" >&2; exit 2; }
src=$("$repo/harness/kbuild.sh" --source 6.12)
mapfile -t series < <("$repo/harness/kbuild.sh" --patches 6.12+type1-contig-batch)

export GIT_DIR=$dir/.git GIT_WORK_TREE=$src
export GIT_AUTHOR_NAME='vfio-perf test-bisect' GIT_AUTHOR_EMAIL=test@vfio-perf.invalid
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
n=0
# commit NAME SUBJECT: the index as a commit, one minute after the last.
commit() {
	n=$((n + 1))
	GIT_AUTHOR_DATE="2026-01-01T00:$(printf %02d "$n"):00Z" GIT_COMMITTER_DATE="2026-01-01T00:$(printf %02d "$n"):00Z" \
		git commit -q --no-verify -m "$2"
	printf '%s %s\n' "$1" "$(git rev-parse HEAD)"
}
# message PATCH: its subject without the [PATCH] tag.
message() {
	git mailinfo /dev/null /dev/null <"$1" | sed -n 's/^Subject: //p'
}
# apply NAME PATCH [-R]: PATCH (or its reverse) on the index, committed.
apply() {
	git apply --cached ${3:+"$3"} "$2" || { echo "mktree.sh: error: $2 does not apply" >&2; exit 1; }
	if [ -n "${3:-}" ]; then
		commit "$1" "Revert \"$(message "$2")\""
	else
		commit "$1" "$(message "$2")"
	fi
}

mkdir -p "$dir"
git init -q
git config core.bigFileThreshold 1g
git add -A -f .
git rm -q --cached .vp-complete
commit base "$(basename "$src") as unpacked for build:6.12"
i=0
for p in "${series[@]}"; do
	i=$((i + 1))
	apply "s$i" "$p"
done
apply broken "$fix/0002-break-build.patch"
apply fix "$fix/0002-break-build.patch" -R
apply regress "$fix/0001-regress-unmap.patch"
apply harmless "$fix/0003-harmless.patch"
# The source was the working tree only while its files were added.
git config --unset core.worktree
