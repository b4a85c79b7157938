#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Build a guest kernel from a base source, a patch series and config
# fragments, once per identity, and print its build directory.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: kbuild.sh [--check] NAME
       kbuild.sh --manifest NAME
       kbuild.sh --list

Build kernel NAME = BASE[+SERIES[+SERIES...]] (or reuse it) and print its
build directory on stdout, nothing else. Progress goes to stderr.

  BASE     a line of kernel-patches/bases: a Debian linux-source package
           (6.12 from bookworm, 7.2 from sid) or a local git tree
  SERIES   kernel-patches/BASE/SERIES/: git format-patch files listed in
           order in its `series` file, applied with GNU patch and no fuzz (a
           hunk that does not apply is an error naming the patch)
  config   `make tinyconfig` + kernel-patches/configs/guest.config (+
           kernel-patches/configs/BASE.config if present), merged with
           scripts/kconfig/merge_config.sh; an option of the fragments that
           olddefconfig did not keep is an error

The identity of a build is the SHA-256 of the base source, the code of the
patches (their diffs; a reworded commit message is the same build) and the
fragments; LOCALVERSION is -vp<first 12 hex digits>, so `uname -r` in
the guest names the build. A build is made once per identity and kept in
$VFIO_PERF_CACHE/kbuild/NAME-ID/ (tree/ is the in-tree build, config,
release, manifest, build-seconds, build.log). A patched build starts from
a copy of its base build's tree, so only what the patches touch is
recompiled.

  --check  CI mode: apply every series of NAME to a copy of its base and
           compile the .c files the patches touch, any warning being an
           error (no link, no boot); the configured base is cached in
           $VFIO_PERF_CACHE/kcheck/; prints nothing on stdout
  --manifest  print what the identity of NAME is made of, then the
           identity itself (nothing is built)
  --list   the builds `make kernels` makes (kernel-patches/builds)

Environment: VFIO_PERF_CACHE, VP_KERNEL_PATCHES (default: the repository's
kernel-patches/, for tests).

Exit status: 0, 1 on failure (download, patch, config, compile), 2 for a
NAME that does not parse.
EOF
}

PATCHES=${VP_KERNEL_PATCHES:-$(vp_repo)/kernel-patches}
TMPDIRS=()
cleanup() {
	local d
	for d in "${TMPDIRS[@]}"; do
		rm -rf "$d"
	done
}
trap cleanup EXIT

# Uncommented words of a list file, one per line.
list_words() {
	sed -e 's/#.*//' "$1" | awk 'NF { print $1 }'
}

# base_line BASE: "KIND WHERE" from kernel-patches/bases.
base_line() {
	local line
	line=$(sed -e 's/#.*//' "$PATCHES/bases" | awk -v b="$1" '$1 == b { print $2, $3 }')
	[[ -n $line ]] || vp_usage_error "unknown base '$1' (kernel-patches/bases has: $(list_words "$PATCHES/bases" | tr '\n' ' '))"
	printf '%s\n' "$line"
}

# Unpack SRC_ID's tree once into the cache; print its path.
pristine_deb() {
	local suite=$1 pkg=$2 deb key dir tmp tarball
	deb=$(vp_apt_download "$suite" "$pkg")
	key=$(basename "$deb" .deb)
	dir=$(vp_cache)/ksrc/$key
	if ! [[ -f $dir/.vp-complete ]]; then
		vp_lock "ksrc-$key"
		if ! [[ -f $dir/.vp-complete ]]; then
			vp_log "unpacking $(basename "$deb")"
			mkdir -p "$(vp_cache)/ksrc"
			tmp=$(mktemp -d "$dir.XXXXXX.tmp")
			TMPDIRS+=("$tmp")
			tarball=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | grep -E '/linux-source-[^/]*\.tar\.[a-z]+$' | head -n 1)
			[[ -n $tarball ]] || vp_die "$deb holds no linux-source tarball"
			dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" | xz -dc -T0 |
				tar -x -C "$tmp" --strip-components=1 || vp_die "unpacking $deb failed"
			touch "$tmp/.vp-complete"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		fi
	fi
	SRC_ID=$key SRC_DIR=$dir
}

pristine_git() {
	local path=$1 commit dir tmp
	[[ -d $path ]] || vp_die "git base $path does not exist"
	commit=$(git -C "$path" rev-parse --verify HEAD) || vp_die "$path is not a git tree"
	[[ -z $(git -C "$path" status --porcelain --untracked-files=no) ]] ||
		vp_die "$path has uncommitted changes: a build's identity is a commit"
	dir=$(vp_cache)/ksrc/git-$commit
	if ! [[ -f $dir/.vp-complete ]]; then
		vp_lock "ksrc-git-$commit"
		mkdir -p "$(vp_cache)/ksrc"
		tmp=$(mktemp -d "$dir.XXXXXX.tmp")
		TMPDIRS+=("$tmp")
		git -C "$path" archive HEAD | tar -x -C "$tmp" || vp_die "git archive of $path failed"
		touch "$tmp/.vp-complete"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	SRC_ID=git-$commit SRC_DIR=$dir
}

# Parse NAME into BASE and SERIES, locate the source and the patches.
resolve() {
	local name=$1 line kind where s p
	[[ $name =~ ^[A-Za-z0-9._-]+(\+[A-Za-z0-9._-]+)*$ ]] ||
		vp_usage_error "bad build name '$name': want BASE[+SERIES...]"
	IFS=+ read -r -a parts <<<"$name"
	BASE=${parts[0]}
	SERIES=("${parts[@]:1}")
	line=$(base_line "$BASE") || exit $?
	read -r kind where <<<"$line"
	PATCH_FILES=()
	for s in "${SERIES[@]}"; do
		[[ -f $PATCHES/$BASE/$s/series ]] ||
			vp_usage_error "no series '$s' for base $BASE (kernel-patches/$BASE/$s/series)"
		while read -r p; do
			[[ -f $PATCHES/$BASE/$s/$p ]] || vp_die "series $BASE/$s lists $p, which does not exist"
			PATCH_FILES+=("$PATCHES/$BASE/$s/$p")
		done < <(list_words "$PATCHES/$BASE/$s/series")
	done
	FRAGMENTS=("$PATCHES/configs/guest.config")
	[[ -f $PATCHES/configs/$BASE.config ]] && FRAGMENTS+=("$PATCHES/configs/$BASE.config")
	case $kind in
	deb) pristine_deb "${where%%:*}" "${where#*:}" ;;
	git) pristine_git "$where" ;;
	*) vp_die "kernel-patches/bases: unknown kind '$kind' for $BASE" ;;
	esac
	return 0
}

# The identity manifest: everything the build depends on.
manifest() {
	local f
	echo "vfio-perf kbuild 1"
	echo "base $BASE $SRC_ID"
	for f in "${FRAGMENTS[@]}"; do
		echo "config ${f#"$PATCHES"/} $(sha256sum <"$f" | cut -d' ' -f1)"
	done
	for f in "${PATCH_FILES[@]}"; do
		f=${f#"$PATCHES"/}
		echo "patch ${f%/*} $(patch_code "$PATCHES/$f" | sha256sum | cut -d' ' -f1)"
	done
}

# The code of a patch: its diff, without the commit message and the
# signature, so that rewording a message does not make a new kernel.
patch_code() {
	awk '/^diff --git / { on = 1 } /^-- $/ { on = 0 } on' "$1"
}

# apply_series TREE: every patch, in order, exactly (GNU patch without
# fuzz; git apply would treat a tree inside the repository as part of it).
apply_series() {
	local tree=$1 p
	for p in "${PATCH_FILES[@]}"; do
		patch -d "$tree" -p1 -F0 -N -s --dry-run <"$p" >"$tree/.vp-apply.err" 2>&1 || {
			sed 's/^/  /' "$tree/.vp-apply.err" >&2
			vp_die "patch ${p#"$PATCHES"/} does not apply to $SRC_ID"
		}
		patch -d "$tree" -p1 -F0 -N -s --no-backup-if-mismatch <"$p" ||
			vp_die "patch ${p#"$PATCHES"/} failed to apply"
	done
	rm -f "$tree/.vp-apply.err"
}

# configure TREE LOCALVERSION: tinyconfig + fragments (or the tree's own
# .config when it has one), then check that every fragment line survived.
configure() {
	local tree=$1 lv=$2 f line opt lost=()
	if ! [[ -f $tree/.config ]]; then
		make -s -C "$tree" tinyconfig >/dev/null || vp_die "make tinyconfig failed"
		(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "${FRAGMENTS[@]}") >/dev/null ||
			vp_die "merge_config.sh failed"
	fi
	"$tree/scripts/config" --file "$tree/.config" --set-str LOCALVERSION "$lv" --disable LOCALVERSION_AUTO
	make -s -C "$tree" olddefconfig >/dev/null || vp_die "make olddefconfig failed"
	for f in "${FRAGMENTS[@]}"; do
		while IFS= read -r line; do
			if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
				grep -qxF "$line" "$tree/.config" || lost+=("$line (got: $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$tree/.config" || echo unset))")
			elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
				opt=${BASH_REMATCH[1]}
				! grep -qE "^$opt=" "$tree/.config" || lost+=("$line (got: $(grep -E "^$opt=" "$tree/.config"))")
			fi
		done <"$f"
	done
	if ((${#lost[@]})); then
		printf '  %s\n' "${lost[@]}" >&2
		vp_die "${#lost[@]} requested config option(s) did not survive olddefconfig (above)"
	fi
}

# prepared_tree: the base source configured and prepared for compiling
# single objects (make prepare), cached per base and fragments.
prepared_tree() {
	local key dir tmp
	key=$BASE-$( (echo "$SRC_ID"; cat "${FRAGMENTS[@]}") | sha256sum | cut -c1-12)
	dir=$(vp_cache)/kcheck/$key
	if ! [[ -f $dir/.vp-prepared ]]; then
		vp_lock "kcheck-$key"
		if ! [[ -f $dir/.vp-prepared ]]; then
			vp_log "$BASE: configuring and preparing $SRC_ID for compile checks"
			mkdir -p "$(vp_cache)/kcheck"
			tmp=$(mktemp -d "$dir.XXXXXX.tmp")
			TMPDIRS+=("$tmp")
			cp -a "$SRC_DIR/." "$tmp/"
			configure "$tmp" "-vpcheck"
			make -s -C "$tmp" -j"$(nproc)" prepare >"$tmp/.vp-make.log" 2>&1 || {
				tail -n 30 "$tmp/.vp-make.log" >&2
				vp_die "$BASE: make prepare failed"
			}
			touch "$tmp/.vp-prepared"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		fi
	fi
	printf '%s\n' "$dir"
}

# touched_copy: apply the series to a copy of just the files it touches,
# so that a patch that does not apply fails in seconds.
touched_copy() {
	local tree f
	tree=$(mktemp -d "${TMPDIR:-/tmp}/vp-kapply.XXXXXX")
	TMPDIRS+=("$tree")
	while read -r f; do
		[[ -f $SRC_DIR/$f ]] || continue
		mkdir -p "$tree/$(dirname "$f")"
		cp "$SRC_DIR/$f" "$tree/$f"
	done < <(cat "${PATCH_FILES[@]}" | sed -n 's|^--- a/\(.*\)$|\1|p' | sort -u)
	apply_series "$tree"
}

# check NAME: apply and compile what the patches touch, nothing else.
check() {
	local prepared tree files=() f obj
	((${#PATCH_FILES[@]})) || { vp_log "$1: no patches, nothing to check"; return 0; }
	touched_copy
	prepared=$(prepared_tree)
	tree=$(mktemp -d "$(vp_cache)/kcheck/check.XXXXXX")
	TMPDIRS+=("$tree")
	cp -a "$prepared/." "$tree/"
	apply_series "$tree"
	vp_log "$1: ${#PATCH_FILES[@]} patch(es) apply to $SRC_ID"
	mapfile -t files < <(cat "${PATCH_FILES[@]}" | sed -n 's|^+++ b/\(.*\.c\)$|\1|p' | sort -u)
	for f in "${files[@]}"; do
		obj=${f%.c}.o
		vp_log "$1: compiling $obj"
		make -s -C "$tree" -j"$(nproc)" "$obj" >"$tree/.vp-make.log" 2>&1 || {
			tail -n 30 "$tree/.vp-make.log" >&2
			vp_die "$1: $obj does not compile"
		}
		if grep -E 'warning:' "$tree/.vp-make.log" >&2; then
			vp_die "$1: $obj compiles with warnings (above)"
		fi
	done
	vp_log "$1: ok (${#files[@]} file(s) compiled without warnings)"
}

show_manifest() {
	manifest
	echo "identity $(manifest | sha256sum | cut -c1-12)"
}

build() {
	local name=$1 id dir tmp base_dir start secs rel
	id=$(manifest | sha256sum | cut -c1-12)
	dir=$(vp_cache)/kbuild/$name-$id
	if [[ -f $dir/release ]]; then
		printf '%s\n' "$dir"
		return 0
	fi
	# The base build first: the patched tree starts as a copy of it.
	if ((${#SERIES[@]})); then
		base_dir=$("$0" "$BASE")
	fi
	vp_lock "kbuild-$name-$id"
	if [[ -f $dir/release ]]; then
		printf '%s\n' "$dir"
		return 0
	fi
	mkdir -p "$(vp_cache)/kbuild"
	rm -rf "$dir"
	tmp=$(mktemp -d "$dir.XXXXXX.tmp")
	TMPDIRS+=("$tmp")
	manifest >"$tmp/manifest"
	if [[ -n ${base_dir:-} ]]; then
		vp_log "$name: copying the base build $(basename "$base_dir")"
		cp -a "$base_dir/tree" "$tmp/tree"
		apply_series "$tmp/tree"
		vp_log "$name: ${#PATCH_FILES[@]} patch(es) applied"
	else
		vp_log "$name: copying $SRC_ID"
		cp -a "$SRC_DIR" "$tmp/tree"
		rm -f "$tmp/tree/.vp-complete"
	fi
	configure "$tmp/tree" "-vp$id"
	vp_log "$name: building ($(nproc) jobs; log in $dir/build.log)"
	start=$(date +%s)
	if ! make -C "$tmp/tree" -j"$(nproc)" bzImage >"$tmp/build.log" 2>&1; then
		tail -n 30 "$tmp/build.log" >&2
		vp_die "$name: the kernel build failed"
	fi
	secs=$(($(date +%s) - start))
	rel=$(make -s -C "$tmp/tree" kernelrelease)
	[[ $rel == *"-vp$id" ]] || vp_die "$name: kernel release '$rel' does not carry -vp$id"
	cp "$tmp/tree/.config" "$tmp/config"
	echo "$secs" >"$tmp/build-seconds"
	echo "$name" >"$tmp/name"
	echo "$rel" >"$tmp/release"
	mv "$tmp" "$dir"
	vp_log "$name: built $rel in ${secs}s"
	printf '%s\n' "$dir"
}

main() {
	local mode=build
	case ${1:-} in
	-h | --help)
		usage
		exit 0
		;;
	--list)
		list_words "$PATCHES/builds"
		exit 0
		;;
	--check)
		mode=check
		shift
		;;
	--manifest)
		mode=show_manifest
		shift
		;;
	"") vp_usage_error "missing build NAME" ;;
	esac
	[[ $# == 1 ]] || vp_usage_error "exactly one build NAME expected"
	vp_need_cmd dpkg-deb dpkg
	vp_need_cmd xz xz-utils
	vp_need_cmd patch
	vp_need_cmd flex
	vp_need_cmd bison
	vp_need_cmd bc
	resolve "$1"
	"$mode" "$1"
}

main "$@"
