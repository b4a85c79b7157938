#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Name the build of one commit of a kernel git tree so that kbuild.sh
# makes it incrementally: from the cached build of a base whose source an
# ancestor of the commit holds, plus the diff from that ancestor to the
# commit as a one-patch series.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: commitbuild.sh --tree TREE --patches DIR [--base NAME] COMMIT

Print the kbuild.sh build name of COMMIT of the git tree TREE, after
writing what that name needs into DIR, a kernel-patches directory (a copy
of the repository's kernel-patches/ when DIR does not exist yet): run
kbuild.sh, kernel.sh or campaign.sh with VP_KERNEL_PATCHES=DIR.

The nearest first-parent ancestor of COMMIT (COMMIT itself included, at
most 1000 back) whose tree is exactly the source of a base of
kernel-patches/bases (every file, as `git add -A -f` of the unpacked
source records it: same paths, contents, executable bits and symlinks)
is that base's commit. If it is COMMIT, the build is the base (NAME).
Otherwise it is NAME+git-<first 12 hex digits of COMMIT>: the series
DIR/NAME/git-<12>/ holds one patch, `git diff` from the base's commit to
COMMIT. Its identity follows kbuild.sh's rules (the base's identity, the
series name and the code of the diff), and kbuild.sh builds it from a
copy of the base build's tree, so only what the diff touches is
recompiled. A diff with binary files cannot be applied: an error.

The git tree id of each base's source is computed once (hashing every
file, about a minute for a kernel; nothing is written into TREE) and kept
in $VFIO_PERF_CACHE/ksrc/<source>.git-tree.

  --tree TREE     the git tree (read only: COMMIT need not be checked out)
  --patches DIR   the kernel-patches directory to write the series into
  --base NAME     consider only this base (default: every base)

Exit: 0, 1 on failure (no ancestor holds a base's source, a binary diff),
2 bad usage.

Example: harness/commitbuild.sh --tree /src/linux --patches /tmp/kp HEAD
EOF
}

tree="" kp="" only="" commit=""
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--tree | --patches | --base)
		vp_need_value "$1" $#
		case $1 in
		--tree) tree=$2 ;;
		--patches) kp=$2 ;;
		--base) only=$2 ;;
		esac
		shift 2
		;;
	-*) vp_usage_error "unknown option '$1'" ;;
	*)
		[ -z "$commit" ] || vp_usage_error "unexpected argument '$1' (one COMMIT)"
		commit=$1
		shift
		;;
	esac
done
if [ -z "$tree" ] || [ -z "$kp" ] || [ -z "$commit" ]; then
	vp_usage_error "want --tree TREE --patches DIR COMMIT"
fi
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || vp_usage_error "$tree is not a git tree"
rev=$commit
commit=$(git -C "$tree" rev-parse --verify -q "$rev^{commit}") || vp_usage_error "$rev is no commit of $tree"

trap vp_tmpdirs_remove EXIT

if ! [ -d "$kp" ]; then
	mkdir -p "$(dirname "$kp")"
	cp -a "${VP_KERNEL_PATCHES:-$(vp_repo)/kernel-patches}" "$kp.tmp.$$"
	mv -T "$kp.tmp.$$" "$kp"
fi
export VP_KERNEL_PATCHES=$kp

# source_tree DIR: the git tree id of every file under DIR (kbuild.sh's
# .vp-complete marker aside), from their hashes: no object is written
# but the trees, into a scratch repository.
source_tree() {
	local src=$1 rec gd
	rec=$(vp_cache)/ksrc/$(basename "$src").git-tree
	if [ -s "$rec" ]; then
		cat "$rec"
		return 0
	fi
	vp_log "hashing $(basename "$src") once (its git tree id, kept in $rec)"
	gd=$(mktemp -d)
	VP_TMPDIRS+=("$gd")
	git init -q --bare "$gd/git"
	(
		cd "$src"
		export GIT_DIR=$gd/git GIT_INDEX_FILE=$gd/index
		find . -type f ! -path ./.vp-complete -printf '%P\n' | LC_ALL=C sort >"$gd/files"
		find . -type f -perm -u+x -printf '%P\n' | LC_ALL=C sort >"$gd/exec"
		# shellcheck disable=SC2094 # both read files/, neither writes it
		git hash-object --no-filters --stdin-paths <"$gd/files" |
			paste - "$gd/files" |
			awk -F'\t' 'FILENAME == ARGV[1] { x[$0] = 1; next }
				{ printf "%s %s\t%s\n", ($2 in x) ? "100755" : "100644", $1, $2 }' "$gd/exec" - >"$gd/info"
		find . -type l -printf '%P\n' | while IFS= read -r l; do
			printf '120000 %s\t%s\n' "$(printf '%s' "$(readlink "$l")" | git hash-object --stdin)" "$l"
		done >>"$gd/info"
		git update-index --index-info <"$gd/info"
		git write-tree --missing-ok
	) >"$gd/tree" || vp_die "hashing $src failed"
	vp_atomic_write "$rec" <"$gd/tree"
	cat "$gd/tree"
}

declare -A base_of=()
bases=$(sed -e 's/#.*//' "$kp/bases" | awk 'NF { print $1 }')
[ -z "$only" ] || grep -qxF -- "$only" <<<"$bases" || vp_usage_error "unknown base '$only' (kernel-patches/bases)"
for b in $bases; do
	[ -z "$only" ] || [ "$b" = "$only" ] || continue
	src=$("$(dirname "${BASH_SOURCE[0]}")/kbuild.sh" --source "$b") || vp_die "cannot get the source of base $b"
	base_of[$(source_tree "$src")]=$b
done

name="" at=""
while read -r c t; do
	if [ -n "${base_of[$t]:-}" ]; then
		name=${base_of[$t]} at=$c
		break
	fi
done < <(git -C "$tree" log --first-parent -n 1000 --format='%H %T' "$commit")
[ -n "$name" ] || vp_die "no first-parent ancestor of ${commit:0:12} (1000 back) holds the source of ${only:-a base of kernel-patches/bases} (every file, as git add -A -f records it)"
if [ "$at" = "$commit" ]; then
	vp_log "${commit:0:12} holds the source of base $name"
	printf '%s\n' "$name"
	exit 0
fi
if git -C "$tree" diff --numstat "$at" "$commit" | grep -q $'^-\t-\t'; then
	vp_die "${commit:0:12} changes binary files since ${at:0:12} (base $name): a diff GNU patch cannot apply"
fi
s=git-${commit:0:12}
dir=$kp/$name/$s
tmp=$(mktemp -d)
VP_TMPDIRS+=("$tmp")
{
	printf 'From %s Mon Sep 17 00:00:00 2001\n' "$commit"
	printf 'Subject: [PATCH] %s\n\n' "$(git -C "$tree" log -n 1 --format=%s "$commit")"
	printf 'The tree of commit %s against %s, the source of base %s.\n---\n' "$commit" "$at" "$name"
	git -C "$tree" diff --no-renames --no-color --no-ext-diff --full-index "$at" "$commit"
} >"$tmp/0001-$s.patch"
echo "0001-$s.patch" >"$tmp/series"
if ! [ -d "$dir" ]; then
	mkdir -p "$kp/$name"
	mv -T "$tmp" "$dir" 2>/dev/null || [ -d "$dir" ] || vp_die "cannot write $dir"
fi
cmp -s "$dir/0001-$s.patch" "$tmp/0001-$s.patch" 2>/dev/null || [ ! -d "$tmp" ] ||
	vp_die "$dir exists with another diff"
vp_log "${commit:0:12}: base $name (its source is ${at:0:12}) + git diff ${at:0:12} ${commit:0:12}"
printf '%s+%s\n' "$name" "$s"
